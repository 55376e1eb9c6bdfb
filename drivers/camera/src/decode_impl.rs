use crate::{CameraError, Frame, PixelFormat};

/// Decodes one MJPEG frame (a complete JPEG image) to RGB.
pub fn mjpeg_to_rgb(bytes: &[u8]) -> Result<Frame, CameraError> {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
        .map(|img| img.to_rgb8())
        .map_err(|e| CameraError::BadFrame {
            detail: format!("MJPEG: {e}"),
        })
}

/// Decodes one packed YUYV (YUV 4:2:2, BT.601 limited range) frame to RGB.
pub fn yuyv_to_rgb(bytes: &[u8], width: u32, height: u32) -> Result<Frame, CameraError> {
    let pixels = (width as usize) * (height as usize);
    if !width.is_multiple_of(2) || bytes.len() < pixels * 2 {
        return Err(CameraError::BadFrame {
            detail: format!(
                "YUYV: {} bytes for {width}x{height} (need {} and an even width)",
                bytes.len(),
                pixels * 2
            ),
        });
    }
    let mut rgb = Vec::with_capacity(pixels * 3);
    for quad in bytes[..pixels * 2].chunks_exact(4) {
        let (y0, u, y1, v) = (quad[0], quad[1], quad[2], quad[3]);
        rgb.extend_from_slice(&ycbcr_to_rgb(y0, u, v));
        rgb.extend_from_slice(&ycbcr_to_rgb(y1, u, v));
    }
    Frame::from_raw(width, height, rgb).ok_or_else(|| CameraError::BadFrame {
        detail: "YUYV: buffer size mismatch".to_owned(),
    })
}

/// BT.601 limited-range YCbCr to RGB, in integer arithmetic.
fn ycbcr_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = i32::from(y) - 16;
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    [
        clamp(298 * c + 409 * e),
        clamp(298 * c - 100 * d - 208 * e),
        clamp(298 * c + 516 * d),
    ]
}

/// Decodes a frame in `format` to RGB.
pub fn decode_frame(
    format: PixelFormat,
    bytes: &[u8],
    width: u32,
    height: u32,
) -> Result<Frame, CameraError> {
    match format {
        PixelFormat::Mjpeg => mjpeg_to_rgb(bytes),
        PixelFormat::Yuyv => yuyv_to_rgb(bytes, width, height),
        PixelFormat::Rgb => {
            Frame::from_raw(width, height, bytes.to_vec()).ok_or_else(|| CameraError::BadFrame {
                detail: format!("RGB: {} bytes for {width}x{height}", bytes.len()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_greys_and_primaries_decode_to_expected_rgb() {
        // black (Y=16), white (Y=235), then pure red in BT.601: Y=81 U=90 V=240.
        let bytes = [16, 128, 235, 128, 81, 90, 81, 240];
        let frame = yuyv_to_rgb(&bytes, 4, 1).expect("valid frame");
        assert_eq!(frame.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(frame.get_pixel(1, 0).0, [255, 255, 255]);
        let red = frame.get_pixel(2, 0).0;
        assert!(red[0] > 250 && red[1] < 5 && red[2] < 5, "{red:?}");
    }

    #[test]
    fn yuyv_short_buffer_is_an_error_not_a_panic() {
        assert!(matches!(
            yuyv_to_rgb(&[1, 2, 3], 4, 2),
            Err(CameraError::BadFrame { .. })
        ));
        assert!(yuyv_to_rgb(&[0; 6], 3, 1).is_err(), "odd width");
    }

    #[test]
    fn mjpeg_round_trip_and_garbage() {
        let img = Frame::from_pixel(16, 8, image::Rgb([200, 100, 50]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
            .encode_image(&img)
            .expect("encode");
        let back = mjpeg_to_rgb(&jpeg).expect("decode");
        assert_eq!(back.dimensions(), (16, 8));
        let p = back.get_pixel(8, 4).0;
        assert!((i32::from(p[0]) - 200).abs() < 6, "{p:?}");
        assert!(matches!(
            mjpeg_to_rgb(b"not a jpeg"),
            Err(CameraError::BadFrame { .. })
        ));
    }

    #[test]
    fn driver_messages_sort_into_actionable_errors() {
        assert!(matches!(
            CameraError::from_driver_message(
                "V4L2 Error: No such file or directory (os error 2)",
                false
            ),
            CameraError::NoCamera { .. }
        ));
        assert!(matches!(
            CameraError::from_driver_message("Device or resource busy (os error 16)", false),
            CameraError::Busy { .. }
        ));
        assert!(matches!(
            CameraError::from_driver_message("No such device (os error 19)", true),
            CameraError::Unplugged { .. }
        ));
        assert!(matches!(
            CameraError::from_driver_message("something odd", true),
            CameraError::Driver { .. }
        ));
        let text = CameraError::NoCamera {
            detail: String::new(),
        }
        .to_string();
        assert!(text.starts_with("Kamera tidak ditemukan"), "{text}");
        assert!(text.contains("No camera found"), "{text}");
    }
}
