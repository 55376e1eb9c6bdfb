//! Camera frames that arrive as bytes (the hub's photo routes): PNG or JPEG, decoded with
//! limits so that a hostile or broken upload costs bounded memory and never panics.

use std::io::Cursor;

use image::RgbImage;

use crate::PhotoError;

/// Largest width or height accepted, pixels (a 4K webcam frame is 3840x2160).
pub const MAX_INPUT_SIDE: u32 = 4096;

/// Decodes a PNG or JPEG frame to RGB; refuses other formats and frames larger than
/// [`MAX_INPUT_SIDE`] on a side.
pub fn decode_image(bytes: &[u8]) -> Result<RgbImage, PhotoError> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Image(e.to_string()))?;
    match reader.format() {
        Some(image::ImageFormat::Png | image::ImageFormat::Jpeg) => {}
        _ => {
            return Err(PhotoError::Image(
                "bukan PNG atau JPEG / not PNG or JPEG".into(),
            ));
        }
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(u64::from(MAX_INPUT_SIDE) * u64::from(MAX_INPUT_SIDE) * 4 * 2);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| PhotoError::Image(e.to_string()))?;
    Ok(decoded.to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_pixel(width, height, image::Rgb([200, 10, 10]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .map(|_| out)
            .unwrap_or_default()
    }

    #[test]
    fn png_and_jpeg_decode_other_bytes_are_refused() {
        let frame = decode_image(&png(8, 6)).map(|f| f.dimensions());
        assert_eq!(frame.ok(), Some((8, 6)));
        let mut jpeg = Vec::new();
        let encoded = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
            .encode_image(&RgbImage::from_pixel(16, 12, image::Rgb([1, 2, 3])));
        assert!(encoded.is_ok());
        assert_eq!(
            decode_image(&jpeg).map(|f| f.dimensions()).ok(),
            Some((16, 12))
        );
        for bad in [&b""[..], b"{}", b"GIF89a......", &png(4, 4)[..20]] {
            let err = decode_image(bad).err();
            assert!(
                matches!(err, Some(PhotoError::Image(_))),
                "{bad:?} gave {err:?}"
            );
        }
    }

    #[test]
    fn frames_larger_than_the_limit_are_refused() {
        let err = decode_image(&png(MAX_INPUT_SIDE + 1, 1)).err();
        assert!(matches!(err, Some(PhotoError::Image(_))), "{err:?}");
    }

    proptest! {
        /// Any bytes give a frame or an `Image` error, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_image(&bytes);
        }

        /// A real PNG with bytes changed: still no panic.
        #[test]
        fn damaged_png_never_panics(at in 0usize..200, value in any::<u8>()) {
            let mut bytes = png(10, 10);
            let i = at % bytes.len();
            bytes[i] = value;
            let _ = decode_image(&bytes);
        }
    }
}
