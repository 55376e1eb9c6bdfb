//! Replays real USB recordings (from `$LOKET_FIXTURES/usb/`) with Debian's umockdev
//! against the unmodified driver, through the `loket-fingerprint-probe` binary.
//!
//! Without `umockdev-run` or the fixtures these tests print why and pass, unless
//! `LOKET_REQUIRE_ALL=1`, when they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use loket_fingerprint::FingerImage;

const PROBE: &str = env!("CARGO_BIN_EXE_loket-fingerprint-probe");

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("LOKET_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"));
    // umockdev resolves `..` textually; hand it a canonical path.
    dir.canonicalize().unwrap_or(dir)
}

fn artifacts() -> PathBuf {
    let dir = std::env::var_os("LOKET_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"));
    let dir = dir.join("fingerprint");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// `Some(reason)` when the replay cannot run here.
fn missing_tools(reader: &str) -> Option<String> {
    let umockdev = Command::new("umockdev-run").arg("--version").output();
    if umockdev.map(|o| !o.status.success()).unwrap_or(true) {
        return Some("umockdev-run is not installed (apt-get install umockdev)".into());
    }
    let dir = fixtures().join("usb").join(reader);
    if !dir.join("capture.ioctl").exists() {
        return Some(format!("no recording at {}", dir.display()));
    }
    None
}

/// Prints why the test skips, or fails under LOKET_REQUIRE_ALL=1. Returns true to skip.
fn skip(reader: &str) -> bool {
    match missing_tools(reader) {
        None => false,
        Some(reason) => {
            if std::env::var("LOKET_REQUIRE_ALL").as_deref() == Ok("1") {
                panic!("LOKET_REQUIRE_ALL=1 but cannot replay {reader}: {reason}");
            }
            eprintln!("SKIP replay of {reader}: {reason}");
            true
        }
    }
}

/// The `@DEV` path a recording was made on.
fn recorded_device(ioctl: &str) -> String {
    ioctl
        .lines()
        .find_map(|l| l.strip_prefix("@DEV "))
        .expect("recording has an @DEV line")
        .trim()
        .to_string()
}

/// Runs the probe under umockdev with `ioctl` as the recording of `reader`'s device.
fn replay(reader: &str, ioctl: &Path, args: &[&str]) -> Output {
    let device = fixtures().join("usb").join(reader).join("device");
    let text = std::fs::read_to_string(ioctl).expect("recording");
    Command::new("umockdev-run")
        .arg("-d")
        .arg(&device)
        .arg("-i")
        .arg(format!("{}={}", recorded_device(&text), ioctl.display()))
        .arg("--")
        .arg(PROBE)
        .args(args)
        .output()
        .expect("umockdev-run starts")
}

fn recording(reader: &str) -> PathBuf {
    fixtures().join("usb").join(reader).join("capture.ioctl")
}

#[test]
fn nb1010_replay_equals_the_expected_image_exactly() {
    if skip("nb1010") {
        return;
    }
    let out = artifacts().join("nb1010-capture.png");
    let _ = std::fs::remove_file(&out);
    let run = replay(
        "nb1010",
        &recording("nb1010"),
        &["capture", out.to_str().expect("utf-8")],
    );
    assert!(
        run.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let ours = FingerImage::read_png(&out, 508).expect("our PNG");
    // The expected file is RGB with R = G = B; compare every channel against our gray.
    let expected = image::open(fixtures().join("usb/nb1010/capture.png"))
        .expect("expected PNG")
        .into_rgb8();
    assert_eq!((ours.width(), ours.height()), expected.dimensions());
    for (x, y, px) in expected.enumerate_pixels() {
        let gray = ours.get(x, y).expect("in bounds");
        assert_eq!([gray; 3], px.0, "pixel ({x}, {y})");
    }
    // And our file really is 8-bit grayscale.
    let bytes = std::fs::read(&out).expect("read");
    assert_eq!(&bytes[24..26], &[8, 0], "bit depth 8, colour type 0 (gray)");
}

/// The Python to run the reference encoder with: `$LOKET_PYTHON`, else `python3`.
fn python() -> Option<String> {
    let candidate = std::env::var("LOKET_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let works = Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    works.then_some(candidate)
}

/// Byte-exact check: the reference `capture.png` is an RGB PNG written by cairo/libpng.
/// Encoding our replayed pixels the same way (tests/reference_png.py) must reproduce the
/// reference file byte for byte, which also pins down every pixel and the dimensions.
#[test]
fn nb1010_replay_reencoded_like_the_reference_is_byte_identical() {
    if skip("nb1010") {
        return;
    }
    let Some(python) = python() else {
        if std::env::var("LOKET_REQUIRE_ALL").as_deref() == Ok("1") {
            panic!("LOKET_REQUIRE_ALL=1 but no python3 for the reference encoder");
        }
        eprintln!("SKIP byte-exact comparison: no python3 (set LOKET_PYTHON)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("nb1010.png");
    let run = replay(
        "nb1010",
        &recording("nb1010"),
        &["capture", out.to_str().expect("utf-8")],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let ours = FingerImage::read_png(&out, 508).expect("our PNG");
    let mut encoder = Command::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference_png.py"))
        .arg(ours.width().to_string())
        .arg(ours.height().to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python starts");
    {
        use std::io::Write;
        let mut stdin = encoder.stdin.take().expect("stdin");
        stdin.write_all(ours.pixels()).expect("pixels to python");
    }
    let encoded = encoder.wait_with_output().expect("python runs");
    assert!(
        encoded.status.success(),
        "{}",
        String::from_utf8_lossy(&encoded.stderr)
    );
    let reference = std::fs::read(fixtures().join("usb/nb1010/capture.png")).expect("reference");
    assert!(
        encoded.stdout == reference,
        "re-encoded capture differs from capture.png ({} vs {} bytes)",
        encoded.stdout.len(),
        reference.len()
    );
}

#[test]
fn aes3500_replay_decodes_a_plausible_print() {
    if skip("aes3500") {
        return;
    }
    let out = artifacts().join("aes3500-capture.png");
    let _ = std::fs::remove_file(&out);
    let run = replay(
        "aes3500",
        &recording("aes3500"),
        &["capture", out.to_str().expect("utf-8")],
    );
    assert!(
        run.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let image = FingerImage::read_png(&out, 250).expect("our PNG");
    assert_eq!((image.width(), image.height()), (128, 128));
    // 4-bit samples scaled by 17: only the 16 levels 0, 17, ..., 255 may occur,
    // and a real print uses most of them.
    let mut histogram = [0usize; 256];
    for &p in image.pixels() {
        histogram[usize::from(p)] += 1;
    }
    let used: Vec<usize> = (0..256).filter(|&v| histogram[v] > 0).collect();
    assert!(used.iter().all(|v| v % 17 == 0), "levels {used:?}");
    assert!(used.len() >= 14, "levels {used:?}");
    // Ridge structure: the quality measures see a finger with parallel ridges of human
    // spacing over the whole sensor. A wrong decode (row-major, swapped nibbles, strips
    // misaligned) breaks ridge continuity and fails these.
    let q = loket_fingerprint::quality::assess(&image);
    assert!(q.finger_present, "{q:?}");
    assert!(q.foreground_area > 0.9, "{q:?}");
    assert!(q.orientation_certainty > 0.7, "{q:?}");
    assert!(q.local_clarity > 0.5, "{q:?}");
    assert!((6.0..=14.0).contains(&q.ridge_period_px), "{q:?}");
    // The replayed image is what the decoder makes of the recorded bytes...
    let raw = aes3500_recorded_image_bytes();
    let decoded = loket_fingerprint::decode_aes3500_image(&raw).expect("decodes");
    assert_eq!(decoded.pixels(), image.pixels());
    // ...and the checks above do catch a wrong decode: reading the same bytes row by
    // row instead of column by column loses the ridge flow.
    let wrong: Vec<u8> = (0..128usize * 128)
        .map(|i| {
            let (y, x) = (i / 128, i % 128);
            let byte = raw[1 + (y / 16) * 1025 + (y % 16) * 64 + x / 2];
            ((byte >> (4 * (x % 2))) & 0x0f) * 17
        })
        .collect();
    let wrong = FingerImage::new(128, 128, 250, wrong).expect("size");
    let wq = loket_fingerprint::quality::assess(&wrong);
    assert!(
        wq.orientation_certainty < q.orientation_certainty - 0.15 || wq.local_clarity < 0.5,
        "row-major misdecode not told apart: {wq:?} vs {q:?}"
    );
    // Row order. Each byte holds two vertically adjacent pixels: if the nibbles were
    // swapped, rows paired inside a byte would differ far less than rows from different
    // bytes. If strips were reversed or misplaced, the 7 strip seams would stand out
    // (the real sensor shows mild seams: each strip's first row reads slightly darker).
    let row_diff = |y: u32| -> f64 {
        (0..128)
            .map(|x| {
                f64::from(image.get(x, y).unwrap_or(0))
                    - f64::from(image.get(x, y + 1).unwrap_or(0))
            })
            .map(f64::abs)
            .sum::<f64>()
            / 128.0
    };
    let mean = |ys: Vec<u32>| ys.iter().map(|&y| row_diff(y)).sum::<f64>() / ys.len() as f64;
    let within_byte = mean((0..127).filter(|y| y % 16 != 15 && y % 2 == 0).collect());
    let across_bytes = mean((0..127).filter(|y| y % 16 != 15 && y % 2 == 1).collect());
    let seams = mean((1..8).map(|k| 16 * k - 1).collect());
    assert!(
        across_bytes < within_byte * 1.3 && within_byte < across_bytes * 1.3,
        "rows within a byte {within_byte:.1} vs across bytes {across_bytes:.1}"
    );
    assert!(
        seams < within_byte * 2.5,
        "seams {seams:.1} vs rows inside strips {within_byte:.1}"
    );
}

/// The payload of the one 8329-byte IN transfer of the AES3500 recording.
fn aes3500_recorded_image_bytes() -> Vec<u8> {
    let text = std::fs::read_to_string(recording("aes3500")).expect("recording");
    let hex = text
        .lines()
        .map(payload)
        .find(|p| p.len() == 8329 * 2)
        .expect("an 8329-byte transfer");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// One recording altered at test time.
struct Alteration {
    name: &'static str,
    reader: &'static str,
    alter: fn(&str) -> String,
}

/// Lines of a recording that carry a transfer, with their payload hex.
fn edit_transfer(text: &str, which: impl Fn(usize, &str) -> Option<String>) -> String {
    let mut n = 0;
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("USBDEVFS_REAPURBNDELAY") {
                n += 1;
                if let Some(new) = which(n - 1, line) {
                    return new;
                }
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Replaces the payload of a transfer line (the last field) and its two length fields.
fn with_payload(line: &str, payload: &str) -> String {
    let indent = line.len() - line.trim_start().len();
    let mut fields: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    let len = payload.len() / 2;
    fields[6] = len.to_string();
    fields[7] = len.to_string();
    if let Some(last) = fields.last_mut() {
        *last = payload.to_string();
    }
    format!("{}{}", " ".repeat(indent), fields.join(" "))
}

fn payload(line: &str) -> String {
    line.split_whitespace().last().unwrap_or("").to_string()
}

fn is_in(line: &str) -> bool {
    line.split_whitespace()
        .nth(3)
        .and_then(|e| e.parse::<u32>().ok())
        .is_some_and(|e| e >= 128)
}

const ALTERATIONS: &[Alteration] = &[
    Alteration {
        name: "truncated after half the image",
        reader: "nb1010",
        alter: |text| {
            let lines: Vec<&str> = text.lines().collect();
            lines[..lines.len() / 2].join("\n") + "\n"
        },
    },
    Alteration {
        name: "short image frame",
        reader: "nb1010",
        alter: |text| {
            edit_transfer(text, |i, line| {
                (i == 40).then(|| {
                    let p = payload(line);
                    with_payload(line, &p[..p.len() - 20])
                })
            })
        },
    },
    Alteration {
        name: "corrupted frame header",
        reader: "nb1010",
        alter: |text| {
            edit_transfer(text, |i, line| {
                (i == 50).then(|| {
                    let p = payload(line);
                    with_payload(line, &format!("8022{}", &p[4..]))
                })
            })
        },
    },
    Alteration {
        name: "frame row index out of order",
        reader: "nb1010",
        alter: |text| {
            edit_transfer(text, |i, line| {
                (i == 60).then(|| {
                    let p = payload(line);
                    // bytes 16..20 hold the row index
                    with_payload(line, &format!("{}01000000{}", &p[..32], &p[40..]))
                })
            })
        },
    },
    Alteration {
        name: "corrupted reply header",
        reader: "nb1010",
        alter: |text| {
            edit_transfer(text, |i, line| {
                (i == 3 && is_in(line)).then(|| {
                    let p = payload(line);
                    with_payload(line, &format!("7F{}", &p[2..]))
                })
            })
        },
    },
    Alteration {
        name: "truncated image read",
        reader: "aes3500",
        alter: |text| {
            edit_transfer(text, |_, line| {
                let p = payload(line);
                (is_in(line) && p.len() == 8329 * 2).then(|| with_payload(line, &p[..8000 * 2]))
            })
        },
    },
    Alteration {
        name: "corrupted strip header",
        reader: "aes3500",
        alter: |text| {
            edit_transfer(text, |_, line| {
                let p = payload(line);
                (is_in(line) && p.len() == 8329 * 2).then(|| {
                    let at = 1025 * 3 * 2;
                    with_payload(line, &format!("{}E7{}", &p[..at], &p[at + 2..]))
                })
            })
        },
    },
    Alteration {
        name: "recording ends before the image",
        reader: "aes3500",
        alter: |text| {
            text.lines()
                .take_while(|l| !(l.trim_start().starts_with("USBDEVFS_REAPURBNDELAY") && is_in(l)))
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        },
    },
];

#[test]
fn altered_recordings_give_a_protocol_error_and_no_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Each bad replay waits out a transfer timeout; run them side by side.
    let checked = std::thread::scope(|scope| {
        let runs: Vec<_> = ALTERATIONS
            .iter()
            .enumerate()
            .filter(|(_, alteration)| !skip(alteration.reader))
            .map(|(n, alteration)| {
                let dir = dir.path();
                scope.spawn(move || check_altered(alteration, dir, n))
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("alteration check panicked"))
            .count()
    });
    eprintln!("{checked} altered recordings checked");
}

fn check_altered(alteration: &Alteration, dir: &Path, n: usize) {
    let original = std::fs::read_to_string(recording(alteration.reader)).expect("recording");
    let altered = (alteration.alter)(&original);
    assert_ne!(
        altered, original,
        "{}: alteration changed nothing",
        alteration.name
    );
    let ioctl = dir.join(format!("{}-{n}.ioctl", alteration.reader));
    std::fs::write(&ioctl, altered).expect("write");
    let out = dir.join(format!("out-{n}.png"));
    let run = replay(
        alteration.reader,
        &ioctl,
        &["capture", out.to_str().expect("utf-8")],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}: expected a protocol error (exit 3), got {:?}: {stderr}",
        alteration.name,
        run.status
    );
    assert!(
        !stderr.contains("panicked"),
        "{}: {stderr}",
        alteration.name
    );
    assert!(!out.exists(), "{}: an image was written", alteration.name);
}

#[test]
fn list_finds_the_replayed_reader() {
    if skip("nb1010") {
        return;
    }
    let run = replay("nb1010", &recording("nb1010"), &["list"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("298d:1010"), "{stdout}");
    assert!(stdout.contains("NB-1010"), "{stdout}");
}

#[test]
fn waiting_for_a_reader_returns_the_one_present() {
    if skip("aes3500") {
        return;
    }
    let run = replay("aes3500", &recording("aes3500"), &["wait"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.starts_with("present usb:003/004  08ff:5731"),
        "{stdout}"
    );
}

#[test]
fn no_reader_on_the_bus_is_reported_as_such() {
    // Outside umockdev this machine may have no USB at all (libusb cannot start) or a bus
    // without readers; either way `wait` must fail cleanly, never panic.
    if std::env::var_os("UMOCKDEV_DIR").is_some() {
        return;
    }
    let run = Command::new(PROBE)
        .arg("wait")
        .output()
        .expect("probe runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    if run.status.success() {
        eprintln!("a real reader is plugged in here; nothing to check");
        return;
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("USB") || stderr.contains("Timed out"),
        "{stderr}"
    );
}
