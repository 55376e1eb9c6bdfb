//! Benchmark: our WSQ encode and decode time against NIST NBIS's on the same images,
//! printed as ratios (ours / NBIS; below 1 means we are faster). Nothing is asserted.
//!
//! Run with `cargo bench -p loket-fingerprint-formats`. NBIS runs through
//! `LOKET_PYTHON` (PyPI `wsq`), timed inside the Python process so that interpreter
//! start-up is not counted; without it only our times are printed.
#![allow(clippy::unwrap_used)] // a benchmark that cannot unwrap has nothing to report

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use loket_fingerprint_formats::{GrayImage, wsq};

const REPEATS: u32 = 15;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Median seconds of our encode and decode.
fn time_ours(image: &GrayImage) -> (f64, f64) {
    let encoded = wsq::encode(image, wsq::STANDARD_BITRATE, 500).unwrap();
    let (mut enc, mut dec) = (Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        let start = Instant::now();
        let bytes = wsq::encode(image, wsq::STANDARD_BITRATE, 500).unwrap();
        enc.push(start.elapsed().as_secs_f64());
        std::hint::black_box(bytes);
        let start = Instant::now();
        let decoded = wsq::decode(&encoded).unwrap();
        dec.push(start.elapsed().as_secs_f64());
        std::hint::black_box(decoded);
    }
    (median(enc), median(dec))
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing useful.
    let mut images = vec![
        ("ridges 256x256", common::ridges(256, 256, 1)),
        ("ridges 500x500", common::ridges(500, 500, 2)),
        ("ridges 800x750", common::ridges(800, 750, 3)),
    ];
    if let Some(capture) = common::real_capture() {
        images.insert(0, ("NB-1010 capture 256x180", capture));
    }
    let nbis = common::Nbis::find();
    if nbis.is_none() {
        println!("NBIS not available: printing our times only");
    }
    println!(
        "{:<24} {:>10} {:>10} {:>7}   {:>10} {:>10} {:>7}",
        "image", "enc ours", "enc NBIS", "ratio", "dec ours", "dec NBIS", "ratio"
    );
    let (mut enc_ratios, mut dec_ratios) = (Vec::new(), Vec::new());
    for (name, image) in &images {
        let (enc, dec) = time_ours(image);
        let ms = |s: f64| format!("{:.2} ms", s * 1e3);
        match &nbis {
            Some(nbis) => {
                let (nbis_enc, nbis_dec) = nbis.time(image, REPEATS);
                let (er, dr) = (enc / nbis_enc, dec / nbis_dec);
                enc_ratios.push(er);
                dec_ratios.push(dr);
                println!(
                    "{name:<24} {:>10} {:>10} {er:>7.2}   {:>10} {:>10} {dr:>7.2}",
                    ms(enc),
                    ms(nbis_enc),
                    ms(dec),
                    ms(nbis_dec)
                );
            }
            None => println!(
                "{name:<24} {:>10} {:>10} {:>7}   {:>10} {:>10} {:>7}",
                ms(enc),
                "-",
                "-",
                ms(dec),
                "-",
                "-"
            ),
        }
    }
    if !enc_ratios.is_empty() {
        let worst = |r: &[f64]| r.iter().copied().fold(0.0, f64::max);
        println!(
            "worst ratio (ours / NBIS, target <= 1): encode {:.2}, decode {:.2}",
            worst(&enc_ratios),
            worst(&dec_ratios)
        );
    }
}
