#!/usr/bin/env bash
# Bench (not a test): cold start of loket-desktop to its first interactive screen, and its
# idle memory, under Xvfb. Targets: under 1.5 s and under 150 MB RSS.
#
#   src-tauri/bench/startup.sh [APP_BINARY]      (default: the release build, else debug)
#
# Starts `loket hub --demo` on a free port, then the app in the display role N times;
# "first interactive screen" is the app's own log line when the role page has finished
# loading (src/roles.rs, `startup_ms`). Memory is the RSS of the app plus the WebKit
# processes it spawned, after 5 s idle.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$HOME/.cache/loket/target}"
APP="${1:-}"
if [ -z "$APP" ]; then
    APP="$TARGET/release/loket-desktop"; [ -x "$APP" ] || APP="$TARGET/debug/loket-desktop"
fi
[ -x "$APP" ] || { echo "build the app first: (cd src-tauri && npx --yes @tauri-apps/cli@2.12.5 build --no-bundle)"; exit 1; }
LOKET="$TARGET/debug/loket"; [ -x "$TARGET/release/loket" ] && LOKET="$TARGET/release/loket"
RUNS="${RUNS:-5}"

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
data=$(mktemp -d); logs=$(mktemp -d)
"$LOKET" hub --data "$data" --listen "127.0.0.1:$port" --ui "$ROOT/ui/dist" --demo >"$logs/hub.log" 2>&1 &
hub=$!
cleanup() { kill "$hub" 2>/dev/null || true; [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null; rm -rf "$data" "$logs"; }
trap cleanup EXIT
for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.25; done

display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1920x1080x24 >/dev/null 2>&1 &
xvfb=$!
sleep 1

pss_tree_kb() { # PSS (shared pages divided among their users) of a process and its descendants, in kB
    local total=0 p
    for p in $1 $(pgrep -P "$1" 2>/dev/null) $(for c in $(pgrep -P "$1" 2>/dev/null); do pgrep -P "$c"; done); do
        total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

rss_tree_kb() { # RSS of a process and all its descendants, in kB
    local total=0 p
    for p in $1 $(pgrep -P "$1" 2>/dev/null) $(for c in $(pgrep -P "$1" 2>/dev/null); do pgrep -P "$c"; done); do
        total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

times=()
for i in $(seq 1 "$RUNS"); do
    DISPLAY="$display" "$APP" --role display --hub "http://127.0.0.1:$port" \
        --device-token lkd_demo_display --log-dir "$logs/app" >"$logs/run$i.log" 2>&1 &
    app=$!
    ms=""
    for _ in $(seq 1 200); do
        ms=$(sed -n 's/.*startup_ms=\([0-9]*\).*/\1/p' "$logs/run$i.log" | head -n1)
        [ -n "$ms" ] && break
        sleep 0.1
    done
    if [ "$i" = "$RUNS" ]; then
        sleep 5
        rss_app=$(awk '/^VmRSS:/ {print $2}' "/proc/$app/status")
        helpers=""
        for c in $(pgrep -P "$app" 2>/dev/null); do
            helpers="$helpers, $(cat "/proc/$c/comm" 2>/dev/null) $(( $(awk '/^VmRSS:/ {print $2}' "/proc/$c/status" 2>/dev/null || echo 0) / 1024 )) MB"
        done
        rss_all=$(rss_tree_kb "$app")
        pss_all=$(pss_tree_kb "$app")
    fi
    kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true
    [ -n "$ms" ] || { echo "run $i: no 'role page ready' line"; tail -n 20 "$logs/run$i.log"; exit 1; }
    times+=("$ms")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
echo "loket-desktop ($(basename "$(dirname "$APP")") build), display role, $RUNS runs under Xvfb"
echo "cold start to first interactive screen: median ${median} ms (runs: ${times[*]} ms; target < 1500 ms)"
echo "idle memory after 5 s, RSS per process: app $((rss_app / 1024)) MB$helpers"
echo "idle memory after 5 s: app $((rss_app / 1024)) MB RSS, with its WebKit processes $((rss_all / 1024)) MB RSS (shared libraries counted in each), $((pss_all / 1024)) MB PSS (shared pages counted once) (target < 150 MB)"
