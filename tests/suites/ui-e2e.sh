#!/usr/bin/env bash
# End-to-end in Chromium (playwright-core + Debian's chromium) against the UI served by
# `loket hub --demo`: kiosk -> counter -> display board with spoken call -> finish; booking
# check-in; quota used up; wrong password; kiosk token refused on counter functions; the
# photo step with Chromium's fake camera (a .y4m made at test time from a test portrait);
# screenshots of every role into $LOKET_ARTIFACTS/screenshots and docs/screenshots.
source "$(dirname "$0")/lib/common.sh"
need node
need chromium
need curl

ensure_ui
ensure_loket
trap stop_demo_hub EXIT
start_demo_hub

export HUB_URL LOKET_DEMO_JSON LOKET_BIN
LOKET_DEMO_JSON="$(demo_json)"
export LOKET_CHROMIUM="$(command -v chromium)"
run_node_tests "$SUITES_DIR/ui/e2e.test.mjs"
summary
