//! Time of the full check pipeline on a 1280x720 webcam-sized frame (release build):
//! `cargo bench -p loket-photo-checks`. Prints the median per frame and compares it with the
//! 40 ms budget (15 fps preview with room to spare) and with a reference measured in the same
//! run (decoding the same frame from JPEG, as an MJPEG webcam frame must be).

use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use loket_photo_checks::{CheckConfig, PhotoChecker};

fn frame() -> RgbImage {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images/astronaut.png");
    let portrait = match image::open(&path) {
        Ok(img) => img.to_rgb8(),
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    // The head and shoulders (the portrait's upper 400x400), filling the frame's height as a
    // passport framing does: the detector sees the face at its working size.
    let head = image::imageops::crop_imm(&portrait, 56, 0, 400, 400).to_image();
    let face = image::imageops::resize(&head, 720, 720, image::imageops::FilterType::Triangle);
    let mut frame = RgbImage::from_pixel(1280, 720, Rgb([190, 190, 190]));
    image::imageops::overlay(&mut frame, &face, 280, 0);
    frame
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("pipeline: bench");
        return;
    }
    let frame = frame();
    let checker = match PhotoChecker::new(CheckConfig::default()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut jpeg = Vec::new();
    if let Err(e) =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(&frame)
    {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let runs = 30;
    let mut pipeline = Vec::with_capacity(runs);
    let mut decode = Vec::with_capacity(runs);
    let mut passed = false;
    for _ in 0..runs {
        let t = Instant::now();
        let decoded = image::load_from_memory(&jpeg).map(|i| i.to_rgb8());
        decode.push(t.elapsed());
        std::hint::black_box(decoded.is_ok());
        let t = Instant::now();
        match checker.check(std::hint::black_box(&frame)) {
            Ok(report) => passed = report.face.is_some(),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        pipeline.push(t.elapsed());
    }
    let p = median(pipeline).as_secs_f64() * 1000.0;
    let d = median(decode).as_secs_f64() * 1000.0;
    println!(
        "photo check pipeline, 1280x720 frame, one thread: {p:.1} ms median of {runs} ({:.0} fps), face found: {passed}",
        1000.0 / p
    );
    println!("  budget 40 ms: {:.2}x of budget", p / 40.0);
    println!(
        "  reference, JPEG decode of the same frame: {d:.1} ms (pipeline = {:.1}x decode)",
        p / d
    );
}
