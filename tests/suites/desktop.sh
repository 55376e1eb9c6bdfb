#!/usr/bin/env bash
# The desktop app for real: builds loket-desktop with the Tauri CLI (UI embedded) and its
# .deb, drives the window under Xvfb through tauri-driver + WebKitWebDriver (log in, open
# a counter, call a ticket, the photo step's live preview from WebKitGTK's mock camera, no
# camera for the kiosk, screenshots), then installs the .deb with dpkg, starts the hub
# unit (or its ExecStart line where systemd is absent) and asks /healthz.
source "$(dirname "$0")/lib/common.sh"
need node
need xvfb-run
need WebKitWebDriver
need dpkg-deb
need curl

ensure_ui
ensure_loket

# tauri-driver (WebDriver proxy for Tauri apps) from crates.io, once per machine.
if ! command -v tauri-driver >/dev/null 2>&1; then
    cargo install tauri-driver --locked --version '^2' -q
fi
export PATH="$HOME/.cargo/bin:$PATH"

# The Tauri CLI (npm ships its prebuilt binary), pinned; kept out of ui/package.json because
# its lock entries for other platforms do not resolve here and `npm ci` would refuse.
TAURI_CLI_VERSION=2.12.5
tauri_dir="${LOKET_CACHE:-$HOME/.cache/loket}/tauri-cli-$TAURI_CLI_VERSION"
if [ ! -x "$tauri_dir/node_modules/.bin/tauri" ]; then
    npm install --prefix "$tauri_dir" --no-save --no-audit --no-fund --loglevel=error "@tauri-apps/cli@$TAURI_CLI_VERSION"
fi
TAURI="$tauri_dir/node_modules/.bin/tauri"

# One debug build serves the WebDriver test and the package: the Tauri CLI adds
# tauri/custom-protocol (the UI embedded) and bundles the .deb, with the `loket` command
# of the same build inside it.
override="$(mktemp --suffix=.json)"
cat >"$override" <<JSON
{"bundle": {"linux": {"deb": {"files": {"/usr/bin/loket": "$LOKET_BIN"}}}}}
JSON
if (cd "$ROOT/src-tauri" && "$TAURI" build --debug --bundles deb --config "$override" \
        >"$LOKET_ARTIFACTS/tauri-build.log" 2>&1); then
    pass "tauri build --debug --bundles deb"
else
    tail -n 40 "$LOKET_ARTIFACTS/tauri-build.log"
    fail "tauri build --debug --bundles deb"
    summary; exit 1
fi
rm -f "$override"
APP="$CARGO_TARGET_DIR/debug/loket-desktop"
DEB="$(ls -t "$CARGO_TARGET_DIR"/debug/bundle/deb/*.deb | head -n1)"

# --- the window, through WebDriver --------------------------------------------------------
# tauri-driver runs in its own process group (setsid), so that stopping it also stops the
# X server, WebKitWebDriver and the app that xvfb-run started (killing xvfb-run alone left
# them running).
trap 'stop_demo_hub; [ -n "${DRIVER_PID:-}" ] && kill -- "-$DRIVER_PID" 2>/dev/null || true' EXIT
start_demo_hub
export HUB_URL LOKET_DESKTOP_BIN="$APP" LOKET_DEMO_JSON LOKET_BIN LOKET_UI_DIST="$ROOT/ui/dist"
LOKET_DEMO_JSON="$(demo_json)"
driver_port="$(free_port)"
export TAURI_DRIVER_URL="http://127.0.0.1:$driver_port"
native_port="$(free_port)"
# xvfb-run gives tauri-driver (and the app and WebKitWebDriver it starts) a display.
# LOKET_TEST_MOCK_CAMERA=1 (test-only, src-tauri/src/camera.rs): the app's windows offer
# WebKitGTK's generated mock camera, so the counter's photo step runs without a webcam.
LOKET_TEST_MOCK_CAMERA=1 setsid xvfb-run -a -s "-screen 0 1920x1080x24" \
    tauri-driver --port "$driver_port" --native-port "$native_port" \
    >"$LOKET_ARTIFACTS/tauri-driver.log" 2>&1 &
DRIVER_PID=$!
if wait_http "$TAURI_DRIVER_URL/status" 30; then
    run_node_tests "$SUITES_DIR/ui/desktop.test.mjs"
else
    tail -n 20 "$LOKET_ARTIFACTS/tauri-driver.log"
    fail "tauri-driver did not start"
fi
kill -- "-$DRIVER_PID" 2>/dev/null || true
wait "$DRIVER_PID" 2>/dev/null || true
DRIVER_PID=""
stop_demo_hub

# --- the package ------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
contents="$(dpkg-deb -c "$DEB")"
missing=""
for f in ./usr/bin/loket-desktop ./usr/bin/loket ./usr/lib/systemd/system/loket-hub.service \
         ./usr/lib/systemd/user/loket-kiosk.service ./usr/sbin/loket-provision \
         ./usr/share/loket/ui/index.html ./usr/share/loket/installer/kiosk-session.sh \
         ./usr/lib/udev/rules.d/61-loket-ticket-printer.rules; do
    # dpkg-deb lists paths with or without the leading "./", depending on the builder.
    grep -qE " (\./)?${f#./}( -> .*)?\$" <<<"$contents" || missing="$missing $f"
done
if [ -z "$missing" ]; then pass ".deb holds the app, loket, units, provisioning, udev rules and the UI"; else fail ".deb lacks:$missing"; fi
# The fingerprint readers' udev rule (installer/udev/), byte for byte as in the repository.
rules_in_deb="$(mktemp -d)"
dpkg-deb -x "$DEB" "$rules_in_deb"
if cmp -s "$rules_in_deb/usr/lib/udev/rules.d/60-loket-fingerprint.rules" "$ROOT/installer/udev/60-loket-fingerprint.rules"; then
    pass ".deb holds the fingerprint readers' udev rule (/usr/lib/udev/rules.d/60-loket-fingerprint.rules)"
else
    fail ".deb lacks the fingerprint readers' udev rule, or it differs from installer/udev/"
fi
rm -rf "$rules_in_deb"

etc_backup=""
had_data=0; [ -d /var/lib/loket ] && had_data=1
if [ -d /etc/loket ]; then etc_backup="$(mktemp -d)"; as_root cp -a /etc/loket "$etc_backup/"; fi
if as_root dpkg -i "$DEB" >"$LOKET_ARTIFACTS/dpkg.log" 2>&1; then
    pass "dpkg -i $(basename "$DEB")"
else
    cat "$LOKET_ARTIFACTS/dpkg.log"; fail "dpkg -i"
fi
if getent passwd loket >/dev/null && [ -d /var/lib/loket ] && [ -f /etc/loket/hub.env ]; then
    pass "postinst made the loket user, /var/lib/loket and /etc/loket/hub.env"
else
    fail "postinst did not set up the loket user and folders"
fi

if /usr/bin/loket-desktop --version | grep -q loket-desktop && /usr/bin/loket --version >/dev/null; then
    pass "installed loket-desktop and loket run"
else
    fail "installed binaries do not run"
fi

# First-run provisioning of a kiosk against a remote hub (token given), into a scratch /etc.
prov_etc="$(mktemp -d)"
if as_root env LOKET_ETC="$prov_etc" LOKET_DEVICE_TOKEN=lkd_test_token /usr/sbin/loket-provision --yes \
        --hub http://192.0.2.10:8080/ --role kiosk --ticket-printer tcp://192.0.2.20:9100 --paper-width 58 \
        >"$LOKET_ARTIFACTS/provision.log" 2>&1 \
    && grep -qx 'role = "kiosk"' "$prov_etc/desktop.toml" \
    && grep -qx 'ticket_printer = "tcp://192.0.2.20:9100"' "$prov_etc/desktop.toml" \
    && grep -qx 'paper_width = 58' "$prov_etc/desktop.toml" \
    && grep -qx 'hub = "http://192.0.2.10:8080"' "$prov_etc/desktop.toml" \
    && grep -qx 'device_token = "lkd_test_token"' "$prov_etc/desktop.toml"; then
    pass "loket-provision writes desktop.toml for a kiosk"
else
    cat "$LOKET_ARTIFACTS/provision.log"; fail "loket-provision (kiosk, remote hub)"
fi
if as_root env LOKET_ETC="$prov_etc" /usr/sbin/loket-provision --yes --hub 192.0.2.10 --role counter >/dev/null 2>&1; then
    fail "loket-provision accepted a hub address without http://"
else
    pass "loket-provision refuses a hub address without http://"
fi
as_root rm -rf "$prov_etc"

hub_port="$(free_port)"
as_root sed -i "s/^LOKET_LISTEN=.*/LOKET_LISTEN=127.0.0.1:$hub_port/" /etc/loket/hub.env
unit=/usr/lib/systemd/system/loket-hub.service
if [ -d /run/systemd/system ]; then
    as_root systemctl daemon-reload
    as_root systemctl start loket-hub.service
    started="systemctl start loket-hub"
else
    # No systemd here: run the unit's own command line, as its user, with its environment.
    exec_line="$(sed -n 's/^ExecStart=//p' "$unit")"
    as_root runuser -u loket -- env -i PATH=/usr/bin:/bin bash -c \
        "set -a; . /etc/loket/hub.env; set +a; exec $exec_line" >"$LOKET_ARTIFACTS/hub-unit.log" 2>&1 &
    UNIT_PID=$!
    started="ExecStart of $unit as user loket"
fi
if wait_http "http://127.0.0.1:$hub_port/healthz" 60 && curl -fsS "http://127.0.0.1:$hub_port/" | grep -q '<div id="app">'; then
    pass "installed hub ($started) answers /healthz and serves the UI"
else
    tail -n 30 "$LOKET_ARTIFACTS/hub-unit.log" 2>/dev/null || true
    fail "installed hub ($started) did not answer /healthz"
fi
if [ -d /run/systemd/system ]; then
    as_root systemctl stop loket-hub.service || true
else
    as_root pkill -TERM -P "$UNIT_PID" 2>/dev/null || true
    kill "$UNIT_PID" 2>/dev/null || true
    wait "$UNIT_PID" 2>/dev/null || true
fi
as_root dpkg -r loket-desktop >>"$LOKET_ARTIFACTS/dpkg.log" 2>&1 || fail "dpkg -r"
as_root rm -rf /etc/loket
[ "$had_data" = 1 ] || as_root rm -rf /var/lib/loket
if [ -n "$etc_backup" ]; then as_root cp -a "$etc_backup/loket" /etc/; rm -rf "$etc_backup"; fi

summary
