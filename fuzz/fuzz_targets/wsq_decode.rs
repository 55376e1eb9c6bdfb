//! The WSQ decoder on any bytes (a WSQ file from a reader's SDK, an ISO record, central).
//! The pixel limit is lowered from the default so that each run stays fast; the code
//! path is `wsq::decode`'s.
#![no_main]

use libfuzzer_sys::fuzz_target;
use loket_fingerprint_formats::wsq::{self, DecodeLimits};

const LIMITS: DecodeLimits = DecodeLimits {
    max_pixels: 1024 * 1024,
};

fuzz_target!(|data: &[u8]| {
    let header = wsq::read_header(data);
    match wsq::decode_with_limits(data, &LIMITS) {
        Ok(decoded) => {
            let image = &decoded.image;
            assert_eq!(
                image.pixels.len(),
                image.width as usize * image.height as usize
            );
            let header = header.expect("a decodable file has a readable header");
            assert_eq!((header.width, header.height), (image.width, image.height));
            assert_eq!(header.ppi, decoded.ppi);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
