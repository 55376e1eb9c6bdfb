//! Shared test helpers: synthetic fingerprints, fixtures, and NBIS through Python.
#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};
use std::process::Command;

use loket_fingerprint_formats::GrayImage;

/// A fingerprint-like image: a whorl of ridges with varying orientation and
/// frequency inside an elliptical finger on a light background, plus a little
/// deterministic noise.
pub fn ridges(width: u32, height: u32, seed: u32) -> GrayImage {
    let (w, h) = (width as f64, height as f64);
    let (cx, cy) = (w * (0.45 + 0.1 * f64::from(seed % 3) / 3.0), h * 0.55);
    let mut noise = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    let mut pixels = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
            let r = (dx * dx + dy * dy * 1.3).sqrt();
            let angle = dy.atan2(dx);
            let period = 8.0 + 2.0 * (f64::from(x) / w * 3.0).sin();
            let phase =
                2.0 * std::f64::consts::PI * r / period + 1.5 * angle.sin() + f64::from(seed);
            let inside = (dx / (w * 0.42)).powi(2) + (dy / (h * 0.47)).powi(2);
            noise = noise.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = f64::from((noise >> 16) % 21) - 10.0;
            let v = if inside < 1.0 {
                let contrast = 1.0 - inside.powi(4);
                128.0 + 100.0 * contrast * phase.sin() + n
            } else {
                225.0 + n * 0.5
            };
            pixels.push(v.clamp(0.0, 255.0) as u8);
        }
    }
    GrayImage::new(width, height, pixels).expect("size matches")
}

/// Whether tests that need an external tool must fail rather than skip.
pub fn require_all() -> bool {
    std::env::var("LOKET_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

/// Skips (prints why and returns `None`) or fails, as `LOKET_REQUIRE_ALL` says.
pub fn skip<T>(reason: &str) -> Option<T> {
    assert!(!require_all(), "LOKET_REQUIRE_ALL=1 but {reason}");
    eprintln!("SKIPPED: {reason}");
    None
}

/// The shared fixtures folder.
pub fn fixtures() -> PathBuf {
    std::env::var_os("LOKET_FIXTURES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
        PathBuf::from,
    )
}

/// The NB-1010 reader's real capture, as 8-bit gray.
pub fn real_capture() -> Option<GrayImage> {
    let path = fixtures().join("usb/nb1010/capture.png");
    let Ok(image) = image::open(&path) else {
        return skip(&format!("fixture {} is missing", path.display()));
    };
    Some(to_formats(image.to_luma8()))
}

fn to_formats(image: image::GrayImage) -> GrayImage {
    let (width, height) = image.dimensions();
    GrayImage::new(width, height, image.into_raw()).expect("image crate sizes match")
}

/// NBIS's WSQ through `LOKET_PYTHON` and `tests/nbis.py`.
pub struct Nbis {
    python: PathBuf,
    script: PathBuf,
    dir: tempfile::TempDir,
}

impl Nbis {
    /// `None` (after printing why) when no Python with `wsq` is available.
    pub fn find() -> Option<Self> {
        let Some(python) = std::env::var_os("LOKET_PYTHON").map(PathBuf::from) else {
            return skip("LOKET_PYTHON is not set (a Python with wsq, Pillow and numpy)");
        };
        let check = Command::new(&python)
            .args(["-c", "import wsq, PIL"])
            .output();
        if !check.is_ok_and(|o| o.status.success()) {
            return skip(&format!("{} cannot import wsq and PIL", python.display()));
        }
        Some(Self {
            python,
            script: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nbis.py"),
            dir: tempfile::tempdir().expect("temp dir"),
        })
    }

    fn run(&self, args: &[&str]) -> String {
        let output = Command::new(&self.python)
            .arg(&self.script)
            .args(args)
            .output()
            .expect("python runs");
        assert!(
            output.status.success(),
            "nbis.py {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// NBIS-encoded WSQ of `image` (NBIS always uses bitrate 0.75).
    pub fn encode(&self, image: &GrayImage) -> Vec<u8> {
        let (raw, out) = (self.path("in.raw"), self.path("nbis.wsq"));
        std::fs::write(&raw, &image.pixels).expect("write raw");
        self.run(&[
            "encode",
            &raw,
            &image.width.to_string(),
            &image.height.to_string(),
            &out,
        ]);
        std::fs::read(&out).expect("read wsq")
    }

    /// NBIS's decoding of `wsq`.
    pub fn decode(&self, wsq: &[u8]) -> GrayImage {
        let (input, raw) = (self.path("ours.wsq"), self.path("out.raw"));
        std::fs::write(&input, wsq).expect("write wsq");
        let size = self.run(&["decode", &input, &raw]);
        let mut parts = size
            .split_whitespace()
            .map(|v| v.parse::<u32>().expect("number"));
        let (width, height) = (parts.next().expect("width"), parts.next().expect("height"));
        GrayImage::new(width, height, std::fs::read(&raw).expect("read raw")).expect("size")
    }

    /// Median NBIS encode and decode seconds over `repeats` runs.
    pub fn time(&self, image: &GrayImage, repeats: u32) -> (f64, f64) {
        let raw = self.path("time.raw");
        std::fs::write(&raw, &image.pixels).expect("write raw");
        let out = self.run(&[
            "time",
            &raw,
            &image.width.to_string(),
            &image.height.to_string(),
            &repeats.to_string(),
        ]);
        let mut parts = out
            .split_whitespace()
            .map(|v| v.parse::<f64>().expect("seconds"));
        (parts.next().expect("encode"), parts.next().expect("decode"))
    }
}

/// Largest absolute pixel difference.
pub fn max_diff(a: &GrayImage, b: &GrayImage) -> u8 {
    a.pixels
        .iter()
        .zip(&b.pixels)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}
