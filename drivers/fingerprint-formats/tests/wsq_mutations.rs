//! Property: the WSQ decoder never panics on mutated valid files; it returns an
//! image or a typed error.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::sync::OnceLock;

use loket_fingerprint_formats::wsq::{self, DecodeLimits};
use proptest::prelude::*;

fn samples() -> &'static [Vec<u8>] {
    static SAMPLES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        vec![
            wsq::encode(&common::ridges(128, 128, 1), 0.75, 500).unwrap(),
            wsq::encode(&common::ridges(97, 70, 2), 2.25, 500).unwrap(),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrite the byte at a position (taken modulo the length).
    Set(usize, u8),
    /// Flip one bit.
    Flip(usize, u8),
    /// Insert a byte.
    Insert(usize, u8),
    /// Remove a byte.
    Remove(usize),
    /// Cut the file.
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Most structure sits in the first few hundred bytes: aim there half the time.
    let position = prop_oneof![0usize..700, any::<usize>()];
    prop_oneof![
        4 => (position.clone(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        3 => (position.clone(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => (position.clone(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => position.clone().prop_map(Mutation::Remove),
        1 => position.prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let at = |i: usize, len: usize| i % len;
    match *m {
        Mutation::Set(i, b) => {
            let i = at(i, bytes.len());
            bytes[i] = b;
        }
        Mutation::Flip(i, bit) => {
            let i = at(i, bytes.len());
            bytes[i] ^= 1 << bit;
        }
        Mutation::Insert(i, b) => {
            let i = at(i, bytes.len() + 1);
            bytes.insert(i, b);
        }
        Mutation::Remove(i) => {
            let i = at(i, bytes.len());
            bytes.remove(i);
        }
        Mutation::Truncate(i) => {
            let i = at(i, bytes.len());
            bytes.truncate(i);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decoder_is_total_on_mutated_files(
        which in 0usize..2,
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = samples()[which].clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let limits = DecodeLimits { max_pixels: 1 << 20 };
        if let Ok(decoded) = wsq::decode_with_limits(&bytes, &limits) {
            let image = decoded.image;
            prop_assert_eq!(
                image.pixels.len() as u64,
                u64::from(image.width) * u64::from(image.height)
            );
        }
        let _ = wsq::read_header(&bytes);
    }

    #[test]
    fn decoder_is_total_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut with_soi = vec![0xFF, 0xA0];
        with_soi.extend_from_slice(&bytes);
        let _ = wsq::decode(&bytes);
        let _ = wsq::decode(&with_soi);
        let _ = wsq::read_header(&with_soi);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any image round-trips: same size, and close to the input at a generous
    /// bitrate (smooth content plus noise of any amplitude). Below about 96 pixels
    /// per side the four lowest subbands hold a few samples each and the
    /// specification's variance test can leave a smooth image's detail uncoded.
    #[test]
    fn any_codable_image_round_trips(
        width in 96u32..220,
        height in 96u32..220,
        amplitude in 0u32..120,
        seed in any::<u32>(),
    ) {
        let mut state = seed | 1;
        let pixels = (0..width * height)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let (x, y) = (i % width, i / width);
                let smooth = 128.0 + 60.0 * ((x as f32) / 9.0).sin() * ((y as f32) / 13.0).cos();
                let noise = (state % (2 * amplitude + 1)) as f32 - amplitude as f32;
                (smooth + noise * 0.3).clamp(0.0, 255.0) as u8
            })
            .collect();
        let image = loket_fingerprint_formats::GrayImage::new(width, height, pixels).unwrap();
        let bytes = wsq::encode(&image, 3.0, 500).unwrap();
        prop_assert_eq!(&wsq::encode(&image, 3.0, 500).unwrap(), &bytes, "deterministic");
        let back = wsq::decode(&bytes).unwrap();
        prop_assert_eq!((back.width, back.height), (width, height));
        let psnr = image.psnr(&back).unwrap();
        prop_assert!(psnr > 25.0, "PSNR {psnr:.2} dB");
    }
}
