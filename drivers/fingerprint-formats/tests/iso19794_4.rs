//! ISO/IEC 19794-4:2005 finger image records: byte layout, round trips through the
//! parser, and refusals.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::ridges;
use loket_fingerprint_formats::iso19794_4::{
    Compression, CompressionCode, FingerCapture, FingerImageData, FingerPosition, ImpressionType,
    IsoError, RecordOptions, parse_record, write_record,
};
use loket_fingerprint_formats::{GrayImage, wsq};
use proptest::prelude::*;

fn two_index_fingers() -> Vec<FingerCapture> {
    vec![
        FingerCapture {
            position: FingerPosition::RightIndex,
            quality: 87,
            image: FingerImageData::Raw(ridges(200, 240, 1)),
        },
        FingerCapture {
            position: FingerPosition::LeftIndex,
            quality: 64,
            image: FingerImageData::Raw(ridges(180, 200, 2)),
        },
    ]
}

#[test]
fn general_header_layout() {
    let options = RecordOptions {
        compression: Compression::Uncompressed,
        capture_device_id: 0x1234,
        ..RecordOptions::default()
    };
    let record = write_record(&two_index_fingers(), &options).unwrap();
    let expected_len = 32 + (14 + 200 * 240) + (14 + 180 * 200);
    assert_eq!(record.len(), expected_len);
    assert_eq!(&record[0..4], b"FIR\0");
    assert_eq!(&record[4..8], b"010\0");
    assert_eq!(&record[8..14], &(expected_len as u64).to_be_bytes()[2..]);
    assert_eq!(&record[14..16], &[0x12, 0x34]); // capture device
    assert_eq!(&record[16..18], &[0, 31]); // acquisition level: 500 ppi, 8 bits
    assert_eq!(record[18], 2); // fingers
    assert_eq!(record[19], 1); // pixels per inch
    for field in 0..4 {
        assert_eq!(
            &record[20 + 2 * field..22 + 2 * field],
            &500u16.to_be_bytes()
        );
    }
    assert_eq!(record[28], 8); // pixel depth
    assert_eq!(record[29], 0); // uncompressed
    assert_eq!(&record[30..32], &[0, 0]);
    // First finger image header.
    let f = &record[32..46];
    assert_eq!(&f[0..4], &((14 + 200 * 240) as u32).to_be_bytes());
    assert_eq!(f[4], 2); // right index
    assert_eq!((f[5], f[6]), (1, 1)); // one view, view 1
    assert_eq!(f[7], 87); // quality
    assert_eq!(f[8], 0); // live-scan plain
    assert_eq!(&f[9..11], &200u16.to_be_bytes());
    assert_eq!(&f[11..13], &240u16.to_be_bytes());
    assert_eq!(f[13], 0);
}

#[test]
fn uncompressed_record_round_trips_exactly() {
    let set = two_index_fingers();
    let options = RecordOptions {
        compression: Compression::Uncompressed,
        impression: ImpressionType::LiveScanRolled,
        ..RecordOptions::default()
    };
    let record = parse_record(&write_record(&set, &options).unwrap()).unwrap();
    assert_eq!(record.compression, CompressionCode::Uncompressed);
    assert_eq!(record.fingers.len(), 2);
    for (view, capture) in record.fingers.iter().zip(&set) {
        assert_eq!(view.position, capture.position);
        assert_eq!(view.quality, capture.quality);
        assert_eq!(view.impression, ImpressionType::LiveScanRolled);
        let FingerImageData::Raw(raw) = &capture.image else {
            unreachable!()
        };
        assert_eq!(&view.to_image(record.compression).unwrap(), raw);
    }
}

#[test]
fn wsq_record_round_trips_and_keeps_given_wsq_bytes() {
    let mut set = two_index_fingers();
    let thumb = wsq::encode(&ridges(256, 256, 3), 0.75, 500).unwrap();
    set.push(FingerCapture {
        position: FingerPosition::RightThumb,
        quality: 100,
        image: FingerImageData::Wsq(thumb.clone()),
    });
    let bytes = write_record(&set, &RecordOptions::default()).unwrap();
    assert_eq!(bytes[29], 2); // WSQ
    let record = parse_record(&bytes).unwrap();
    assert_eq!(record.compression, CompressionCode::Wsq);
    assert_eq!(record.fingers[2].data, thumb);
    assert_eq!(
        (record.fingers[2].width, record.fingers[2].height),
        (256, 256)
    );
    for (view, capture) in record.fingers.iter().zip(&set) {
        let image = view.to_image(record.compression).unwrap();
        if let FingerImageData::Raw(raw) = &capture.image {
            assert!(raw.psnr(&image).unwrap() > 28.0);
        }
    }
}

#[test]
fn wsq_input_can_be_stored_uncompressed() {
    let image = ridges(128, 128, 4);
    let set = [FingerCapture {
        position: FingerPosition::LeftThumb,
        quality: 50,
        image: FingerImageData::Wsq(wsq::encode(&image, 0.75, 500).unwrap()),
    }];
    let options = RecordOptions {
        compression: Compression::Uncompressed,
        ..RecordOptions::default()
    };
    let record = parse_record(&write_record(&set, &options).unwrap()).unwrap();
    assert_eq!(record.fingers[0].data.len(), 128 * 128);
}

#[test]
fn writer_refuses_bad_sets() {
    let options = RecordOptions::default();
    assert_eq!(write_record(&[], &options), Err(IsoError::EmptySet));
    let mut set = two_index_fingers();
    set[1].position = FingerPosition::RightIndex;
    assert_eq!(
        write_record(&set, &options),
        Err(IsoError::DuplicateFinger(FingerPosition::RightIndex))
    );
    let mut set = two_index_fingers();
    set[0].quality = 101;
    assert!(matches!(
        write_record(&set, &options),
        Err(IsoError::InvalidQuality { .. })
    ));
    let broken = [FingerCapture {
        position: FingerPosition::LeftLittle,
        quality: 1,
        image: FingerImageData::Wsq(b"not wsq".to_vec()),
    }];
    assert!(matches!(
        write_record(&broken, &options),
        Err(IsoError::Wsq(_))
    ));
    let wrong = [FingerCapture {
        position: FingerPosition::LeftLittle,
        quality: 1,
        image: FingerImageData::Raw(GrayImage {
            width: 10,
            height: 10,
            pixels: vec![0; 3],
        }),
    }];
    let raw = RecordOptions {
        compression: Compression::Uncompressed,
        ..options
    };
    assert!(matches!(
        write_record(&wrong, &raw),
        Err(IsoError::Image(_))
    ));
}

#[test]
fn parser_refuses_bad_records() {
    let options = RecordOptions {
        compression: Compression::Uncompressed,
        ..RecordOptions::default()
    };
    let good = write_record(&two_index_fingers(), &options).unwrap();
    assert_eq!(parse_record(b"JFIF...."), Err(IsoError::NotARecord));
    let mut version = good.clone();
    version[4..8].copy_from_slice(b"020\0");
    assert_eq!(parse_record(&version), Err(IsoError::UnsupportedVersion));
    for len in [1, 7, 20, 40, good.len() - 1] {
        assert!(parse_record(&good[..len]).is_err(), "prefix {len}");
    }
    let mut position = good.clone();
    position[36] = 42;
    assert_eq!(
        parse_record(&position),
        Err(IsoError::UnknownFingerPosition(42))
    );
    let mut compression = good.clone();
    compression[29] = 9;
    assert_eq!(
        parse_record(&compression),
        Err(IsoError::UnsupportedCompression(9))
    );
    let mut extra = good.clone();
    extra.push(0);
    assert!(matches!(
        parse_record(&extra),
        Err(IsoError::Inconsistent(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any set of distinct fingers with valid qualities round-trips (uncompressed,
    /// small images to stay fast).
    #[test]
    fn any_valid_set_round_trips(
        fingers in prop::sample::subsequence(FingerPosition::ALL.to_vec(), 1..=10),
        qualities in prop::collection::vec(0u8..=100, 10),
        sizes in prop::collection::vec((1u32..40, 1u32..40), 10),
    ) {
        let set: Vec<FingerCapture> = fingers
            .iter()
            .enumerate()
            .map(|(i, &position)| {
                let (w, h) = sizes[i];
                let pixels = (0..w * h).map(|p| (p * 7 + i as u32) as u8).collect();
                FingerCapture {
                    position,
                    quality: qualities[i],
                    image: FingerImageData::Raw(GrayImage::new(w, h, pixels).unwrap()),
                }
            })
            .collect();
        let options = RecordOptions { compression: Compression::Uncompressed, ..RecordOptions::default() };
        let record = parse_record(&write_record(&set, &options).unwrap()).unwrap();
        prop_assert_eq!(record.fingers.len(), set.len());
        for (view, capture) in record.fingers.iter().zip(&set) {
            prop_assert_eq!(view.position, capture.position);
            prop_assert_eq!(view.quality, capture.quality);
            let FingerImageData::Raw(raw) = &capture.image else { unreachable!() };
            prop_assert_eq!(&view.to_image(record.compression).unwrap(), raw);
        }
    }

    /// The parser never panics on mutated records.
    #[test]
    fn parser_is_total(flips in prop::collection::vec((0usize..200, any::<u8>()), 1..8)) {
        let set = [FingerCapture {
            position: FingerPosition::RightRing,
            quality: 70,
            image: FingerImageData::Raw(GrayImage::filled(8, 8, 3)),
        }];
        let options = RecordOptions { compression: Compression::Uncompressed, ..RecordOptions::default() };
        let mut bytes = write_record(&set, &options).unwrap();
        for (i, b) in flips {
            let i = i % bytes.len();
            bytes[i] = b;
        }
        let _ = parse_record(&bytes);
    }
}
