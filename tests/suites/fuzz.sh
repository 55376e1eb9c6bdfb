#!/usr/bin/env bash
# Hostile input (issue 9): builds the cargo-fuzz targets of fuzz/ once (nightly toolchain,
# libFuzzer, AddressSanitizer, overflow checks on) and runs each for LOKET_FUZZ_SECONDS
# (default 20) from its committed seeds (fuzz/corpus/<target>) plus a corpus kept under the
# target dir, so CI's corpus grows from run to run. Any crash, failed assertion, leak or
# timeout fails the suite; the input that caused it is kept in $LOKET_ARTIFACTS/fuzz/<target>/.
# The USB recordings in $LOKET_FIXTURES become extra seeds of usb_replies at run time.
# LOKET_FUZZ_TARGETS="a b" runs only those targets. docs/hardening.md: running one longer.
source "$(dirname "$0")/lib/common.sh"
need rustup
need python3
export PATH="$HOME/.cargo/bin:$PATH"

SECONDS_EACH="${LOKET_FUZZ_SECONDS:-20}"
FUZZ_TARGET_DIR="$CARGO_TARGET_DIR/fuzz"
OUT="$LOKET_ARTIFACTS/fuzz"
mkdir -p "$OUT"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked -q
fi

# One build of every target (cargo-fuzz's default: optimised, with debug assertions).
if (cd "$ROOT/fuzz" && CARGO_TARGET_DIR="$FUZZ_TARGET_DIR" cargo +nightly fuzz build \
        >"$OUT/build.log" 2>&1); then
    pass "cargo fuzz build"
else
    tail -n 40 "$OUT/build.log"
    fail "cargo fuzz build"
    summary; exit 1
fi
HOST="$(rustup run nightly rustc -vV | sed -n 's/^host: //p')"
BIN_DIR="$FUZZ_TARGET_DIR/$HOST/release"

# Seeds from the real USB recordings (not kept in the repository).
usb_seeds() {
    local dest="$1" fixtures="${LOKET_FIXTURES:-$ROOT/../shared/fixtures}/usb"
    [ -d "$fixtures" ] || return 0
    python3 - "$fixtures" "$dest" <<'PY'
import os, sys
fixtures, dest = sys.argv[1], sys.argv[2]

def reads(path, endpoint):
    """IN transfers of a umockdev recording, in order."""
    out = []
    for line in open(path):
        f = line.split()
        if len(f) >= 10 and f[0] == "USBDEVFS_REAPURBNDELAY" and int(f[3]) == endpoint:
            out.append(bytes.fromhex(f[9]))
    return out

nb = os.path.join(fixtures, "nb1010", "capture.ioctl")
if os.path.exists(nb):
    ins = reads(nb, 0x83)
    finger = [r for r in ins if len(r) == 16 and r[1] == 0x37]
    frames = [r for r in ins if len(r) == 540][:90]
    if finger and frames:
        open(os.path.join(dest, "recorded-nb1010"), "wb").write(b"\x00\x10" + finger[-1] + b"".join(frames))
aes = os.path.join(fixtures, "aes3500", "capture.ioctl")
if os.path.exists(aes):
    image = [r for r in reads(aes, 0x81) if len(r) == 8329]
    if image:
        open(os.path.join(dest, "recorded-aes3500"), "wb").write(b"\x01" + image[0])
PY
}

targets="${LOKET_FUZZ_TARGETS:-$(cd "$ROOT/fuzz" && cargo +nightly fuzz list)}"
for t in $targets; do
    corpus="$FUZZ_TARGET_DIR/corpus/$t"
    mkdir -p "$corpus" "$OUT/$t"
    [ "$t" = usb_replies ] && usb_seeds "$corpus"
    log="$OUT/$t.log"
    dict=()
    [ -f "$ROOT/fuzz/dict/$t.dict" ] && dict=(-dict="$ROOT/fuzz/dict/$t.dict")
    # The kept corpus first: libFuzzer adds what it finds there, never to the seeds.
    if "$BIN_DIR/$t" "$corpus" "$ROOT/fuzz/corpus/$t" \
            "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=60 -print_final_stats=1 \
            -artifact_prefix="$OUT/$t/" >"$log" 2>&1; then
        runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
        pass "fuzz $t: ${runs:-?} inputs in ${SECONDS_EACH} s, no crash"
    else
        grep -E '^(==[0-9]+==ERROR|SUMMARY|thread .* panicked)' "$log" | head -n 5 || true
        tail -n 15 "$log"
        fail "fuzz $t: crashed; input in $OUT/$t/ (replay: $BIN_DIR/$t <file>)"
    fi
done

summary
