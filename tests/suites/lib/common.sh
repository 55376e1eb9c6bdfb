# Shared helpers of the end-to-end suites. Sourced.
set -euo pipefail
SUITES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$SUITES_DIR/../.." && pwd)"
export LOKET_ARTIFACTS="${LOKET_ARTIFACTS:-$ROOT/artifacts}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/loket/target}"
mkdir -p "$LOKET_ARTIFACTS"

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAILED - $*"; }
summary() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; }

# A tool the suite needs: skip with a reason, or fail under LOKET_REQUIRE_ALL=1.
need() {
    local tool="$1"
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ "${LOKET_REQUIRE_ALL:-0}" = 1 ]; then
            echo "missing tool: $tool (LOKET_REQUIRE_ALL=1)"; echo "0 passed, 1 failed"; exit 1
        fi
        echo "skipped: $tool is not installed"; echo "0 passed, 0 failed"; exit 0
    fi
}

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Waits for GET $1 to answer 200, up to $2 seconds.
wait_http() {
    local url="$1" secs="${2:-30}" i=0
    while [ "$i" -lt $((secs * 4)) ]; do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.25; i=$((i + 1))
    done
    return 1
}

# Builds the UI once per run (scripts/test does it too; this keeps a suite runnable alone).
ensure_ui() {
    if [ ! -d "$ROOT/ui/node_modules" ]; then
        (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    # Rebuild when a source is newer than the build (a suite run on its own after an edit).
    if [ ! -f "$ROOT/ui/dist/index.html" ] \
        || [ -n "$(find "$ROOT/ui/src" "$ROOT/ui/index.html" -newer "$ROOT/ui/dist/index.html" -print -quit)" ]; then
        (cd "$ROOT/ui" && npm run build)
    fi
}

# The same selection as clippy and nextest (every target of the workspace, dev-dependency
# features included): after them this builds nothing; a narrower build would compile the
# dependencies again with other features.
ensure_loket() {
    cargo build --locked -q --workspace --all-targets
    LOKET_BIN="$CARGO_TARGET_DIR/debug/loket"
}

# Starts `loket hub --demo` on a free port with a fresh data folder; sets HUB_URL, HUB_PID.
start_demo_hub() {
    HUB_DATA="$(mktemp -d)"
    local port; port="$(free_port)"
    HUB_URL="http://127.0.0.1:$port"
    "$LOKET_BIN" hub --data "$HUB_DATA" --listen "127.0.0.1:$port" --ui "$ROOT/ui/dist" --demo \
        >"$LOKET_ARTIFACTS/hub-$port.log" 2>&1 &
    HUB_PID=$!
    if ! wait_http "$HUB_URL/healthz" 60; then
        echo "hub did not start; its log:"; tail -n 40 "$LOKET_ARTIFACTS/hub-$port.log"
        return 1
    fi
}

stop_demo_hub() {
    [ -n "${HUB_PID:-}" ] && kill "$HUB_PID" 2>/dev/null && wait "$HUB_PID" 2>/dev/null || true
    [ -n "${HUB_DATA:-}" ] && rm -rf "$HUB_DATA"
    HUB_PID=""
}

# Runs node test files; adds their passes and failures to the suite's counts.
run_node_tests() {
    local tap; tap="$(mktemp)"
    node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" "$@" || true
    local p f
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -n1)
    f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -n1)
    rm -f "$tap"
    if [ -z "$p" ] && [ -z "$f" ]; then
        fail "node tests did not run: $*"; return
    fi
    PASSED=$((PASSED + ${p:-0}))
    FAILED=$((FAILED + ${f:-0}))
}

# Facts of `loket hub --demo` (core/hub/src/demo.rs) the browser tests use: accounts,
# device tokens, counters (1: every service, document check; 4: pickup and information).
demo_json() {
    cat <<JSON
{"kioskToken": "lkd_demo_kiosk", "displayToken": "lkd_demo_display",
 "officer": {"username": "officer", "password": "officer-demo"},
 "head": {"username": "head", "password": "head-demo"},
 "counterId": 1, "desktopCounterId": 4, "fullService": "lost_damaged"}
JSON
}
