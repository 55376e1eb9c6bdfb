//! ISO/IEC 19794-4 finger image records on any bytes, and each finger's image (raw or WSQ).
#![no_main]

use libfuzzer_sys::fuzz_target;
use loket_fingerprint_formats::iso19794_4::{CompressionCode, parse_record};
use loket_fingerprint_formats::wsq;

/// Larger images are slow to decode under the fuzzer, not wrong.
const MAX_PIXELS: u64 = 1024 * 1024;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = parse_record(data) else {
        return;
    };
    for finger in &record.fingers {
        if record.compression == CompressionCode::Wsq {
            match wsq::read_header(&finger.data) {
                Ok(h) if u64::from(h.width) * u64::from(h.height) <= MAX_PIXELS => {}
                _ => continue,
            }
        }
        if let Ok(image) = finger.to_image(record.compression) {
            assert_eq!(
                (image.width, image.height),
                (u32::from(finger.width), u32::from(finger.height))
            );
        }
    }
});
