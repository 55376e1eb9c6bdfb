# Shared set-up steps for scripts/office and scripts/test. Sourced, not run.
# Everything installs itself: Debian packages, Python test tools, npm packages.

LOKET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOKET_CACHE="${LOKET_CACHE:-$HOME/.cache/loket}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$LOKET_CACHE/target}"
mkdir -p "$LOKET_CACHE"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

log_step() { printf '\n==> %s\n' "$*"; }

# Debian packages listed one per line (comments allowed) in scripts/apt-packages.txt.
setup_system_packages() {
    local wanted missing=()
    wanted=$(sed -e 's/#.*//' -e '/^\s*$/d' "$LOKET_ROOT/scripts/apt-packages.txt")
    for p in $wanted; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log_step "installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

# Python tools used only by tests and benchmarks (NBIS WSQ reference, ...), in a venv.
setup_python_tools() {
    local venv="$LOKET_CACHE/venv"
    local req="$LOKET_ROOT/scripts/python-requirements.txt"
    local stamp="$venv/.requirements.sha256"
    local want
    want=$(sha256sum "$req" | cut -d' ' -f1)
    if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log_step "installing Python test tools"
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q -r "$req"
        echo "$want" > "$stamp"
    fi
    export LOKET_PYTHON="$venv/bin/python"
}

# The front end, when it exists.
setup_ui() {
    if [ -f "$LOKET_ROOT/ui/package.json" ]; then
        log_step "building the UI"
        (cd "$LOKET_ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error && npm run build)
    fi
}

# A throwaway PostgreSQL cluster on loopback for central's storage tests.
start_postgres() {
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    # Outside $HOME: the postgres user must be able to reach it.
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/loket-pg.XXXXXX")
    LOKET_PG_DIR="$dir"
    local port="${LOKET_PG_PORT:-55432}"
    local runas=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; runas=(runuser -u postgres --); fi
    "${runas[@]}" "$bindir/initdb" -D "$dir/data" -U loket --auth=trust >/dev/null
    "${runas[@]}" "$bindir/pg_ctl" -s -D "$dir/data" -l "$dir/log" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -w start
    "${runas[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U loket loket_test
    export LOKET_TEST_POSTGRES_URL="postgres://loket@127.0.0.1:$port/loket_test"
    trap 'stop_postgres' EXIT
}

stop_postgres() {
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    local runas=()
    [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
    "${runas[@]}" "$bindir/pg_ctl" -s -D "$LOKET_PG_DIR/data" -m fast stop 2>/dev/null || true
    rm -rf "$LOKET_PG_DIR"
}
