//! Benchmark: a full replayed capture (open, finger check, image transfer, decode, PNG
//! write) of each recorded reader under umockdev, against the same umockdev set-up
//! running `true` (the replay harness alone), measured in the same run.
//!
//! `cargo bench -p loket-fingerprint --bench capture_replay` (LOKET_BENCH_N=20 for more
//! rounds). Prints the numbers; asserts nothing about speed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PROBE: &str = env!("CARGO_BIN_EXE_loket-fingerprint-probe");

fn fixtures() -> PathBuf {
    let dir = std::env::var_os("LOKET_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"));
    dir.canonicalize().unwrap_or(dir)
}

fn replay(reader: &str, program: &[&str]) -> Duration {
    let dir = fixtures().join("usb").join(reader);
    let ioctl = dir.join("capture.ioctl");
    let text = std::fs::read_to_string(&ioctl).unwrap_or_default();
    let device = text
        .lines()
        .find_map(|l| l.strip_prefix("@DEV "))
        .unwrap_or("")
        .trim()
        .to_string();
    let started = Instant::now();
    let status = Command::new("umockdev-run")
        .arg("-d")
        .arg(dir.join("device"))
        .arg("-i")
        .arg(format!("{device}={}", ioctl.display()))
        .arg("--")
        .args(program)
        .stdout(std::process::Stdio::null())
        .status();
    let elapsed = started.elapsed();
    match status {
        Ok(s) if s.success() => elapsed,
        other => panic!("replay of {reader} failed: {other:?}"),
    }
}

fn main() {
    if Command::new("umockdev-run")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("capture_replay: umockdev-run not installed, nothing measured");
        return;
    }
    let rounds: u32 = std::env::var("LOKET_BENCH_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10)
        .max(1);
    let out = std::env::temp_dir().join(format!("loket-bench-{}.png", std::process::id()));
    let out = out.to_string_lossy().to_string();
    for reader in ["nb1010", "aes3500"] {
        if !fixtures()
            .join("usb")
            .join(reader)
            .join("capture.ioctl")
            .exists()
        {
            println!("capture_replay {reader}: no recording, skipped");
            continue;
        }
        let mut capture = Duration::ZERO;
        let mut harness = Duration::ZERO;
        for _ in 0..rounds {
            capture += replay(reader, &[PROBE, "capture", &out]);
            harness += replay(reader, &["true"]);
        }
        let capture_ms = capture.as_secs_f64() * 1000.0 / f64::from(rounds);
        let harness_ms = harness.as_secs_f64() * 1000.0 / f64::from(rounds);
        println!(
            "capture_replay {reader}: full replayed capture {capture_ms:.1} ms, umockdev harness alone \
             {harness_ms:.1} ms, capture beyond harness {:.1} ms, ratio {:.2}x (mean of {rounds})",
            capture_ms - harness_ms,
            capture_ms / harness_ms
        );
    }
    let _ = std::fs::remove_file(&out);
}
