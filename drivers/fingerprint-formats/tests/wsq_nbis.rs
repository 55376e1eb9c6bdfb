//! Interoperability with NIST NBIS (PyPI `wsq`), in both directions, and rate
//! distortion compared with NBIS's own at bitrate 0.75.
//!
//! Needs `LOKET_PYTHON` (a Python with `wsq` and Pillow); skips with a printed
//! reason without it, or fails when `LOKET_REQUIRE_ALL=1`.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{Nbis, max_diff, real_capture, ridges};
use loket_fingerprint_formats::{GrayImage, wsq};

fn test_images() -> Vec<(String, GrayImage)> {
    let mut images = vec![
        ("ridges 256x256".to_owned(), ridges(256, 256, 1)),
        ("ridges 357x421".to_owned(), ridges(357, 421, 2)),
        ("ridges 500x500".to_owned(), ridges(500, 500, 3)),
        ("ridges 97x131".to_owned(), ridges(97, 131, 4)),
    ];
    if let Some(capture) = real_capture() {
        images.push(("NB-1010 capture".to_owned(), capture));
    }
    images
}

#[test]
fn nbis_decodes_our_files() {
    let Some(nbis) = Nbis::find() else { return };
    for (name, image) in test_images() {
        let ours = wsq::encode(&image, wsq::STANDARD_BITRATE, 500).unwrap();
        let by_nbis = nbis.decode(&ours);
        let by_us = wsq::decode(&ours).unwrap();
        assert_eq!(
            (by_nbis.width, by_nbis.height),
            (image.width, image.height),
            "{name}"
        );
        // Same file, two decoders: only float rounding may differ.
        assert!(max_diff(&by_nbis, &by_us) <= 1, "{name}: decoders disagree");
        let psnr = image.psnr(&by_nbis).unwrap();
        assert!(
            psnr > 15.0,
            "{name}: NBIS's decoding of our file has PSNR {psnr:.2} dB"
        );
    }
}

#[test]
fn we_decode_nbis_files() {
    let Some(nbis) = Nbis::find() else { return };
    for (name, image) in test_images() {
        let theirs = nbis.encode(&image);
        let by_us = wsq::decode(&theirs).unwrap();
        let by_nbis = nbis.decode(&theirs);
        assert_eq!(
            (by_us.width, by_us.height),
            (image.width, image.height),
            "{name}"
        );
        assert!(max_diff(&by_nbis, &by_us) <= 1, "{name}: decoders disagree");
        let header = wsq::read_header(&theirs).unwrap();
        assert_eq!(header.ppi, Some(500), "{name}");
    }
}

#[test]
fn our_psnr_is_within_half_a_db_of_nbis_at_0_75() {
    let Some(nbis) = Nbis::find() else { return };
    for (name, image) in test_images() {
        let ours = wsq::encode(&image, 0.75, 500).unwrap();
        let theirs = nbis.encode(&image);
        let our_psnr = image.psnr(&wsq::decode(&ours).unwrap()).unwrap();
        let their_psnr = image.psnr(&nbis.decode(&theirs)).unwrap();
        eprintln!(
            "{name}: ours {our_psnr:.2} dB in {} bytes, NBIS {their_psnr:.2} dB in {} bytes",
            ours.len(),
            theirs.len()
        );
        assert!(
            our_psnr >= their_psnr - 0.5,
            "{name}: ours {our_psnr:.2} dB, NBIS {their_psnr:.2} dB"
        );
        // Same bitrate target: sizes within 10 %.
        let ratio = ours.len() as f64 / theirs.len() as f64;
        assert!(
            (0.9..=1.1).contains(&ratio),
            "{name}: size ratio {ratio:.3}"
        );
    }
}

/// A smooth image with little detail makes the bit allocation ask for steps so fine
/// that levels overflow 16 bits: NBIS's encoder then yields a flat gray image (about
/// 19 dB here). Ours coarsens those steps, and NBIS decodes the result correctly.
#[test]
fn smooth_images_survive_where_nbis_encoder_overflows() {
    let Some(nbis) = Nbis::find() else { return };
    let (width, height) = (200u32, 200u32);
    let pixels = (0..width * height)
        .map(|i| {
            let (x, y) = ((i % width) as f32, (i / width) as f32);
            (128.0 + 60.0 * (x / 9.0).sin() * (y / 13.0).cos()) as u8
        })
        .collect();
    let image = GrayImage::new(width, height, pixels).unwrap();
    let ours = wsq::encode(&image, 0.75, 500).unwrap();
    let by_nbis = nbis.decode(&ours);
    assert!(max_diff(&by_nbis, &wsq::decode(&ours).unwrap()) <= 1);
    let psnr = image.psnr(&by_nbis).unwrap();
    assert!(psnr > 35.0, "PSNR {psnr:.2} dB");
    let theirs = image.psnr(&nbis.decode(&nbis.encode(&image))).unwrap();
    eprintln!("smooth 200x200: ours {psnr:.2} dB, NBIS's own {theirs:.2} dB");
}
