//! The output photo: levelled (eyes horizontal), cropped to 35:45 with the configured head
//! size and eye line, re-encoded as JPEG no larger than the configured size.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::PhotoError;
use crate::config::OutputConfig;
use crate::imageops::{Affine, Point, Pyramid};
use crate::report::FrameReport;

/// The finished passport photo with the report of the frame it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassportPhoto {
    /// The JPEG file's bytes.
    #[serde(skip)]
    pub jpeg: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// JPEG quality used (the highest that fits `max_bytes`).
    pub quality: u8,
    /// Degrees the frame was turned to level the eyes.
    pub rotation_degrees: f32,
    /// Source pixels per output pixel (above 1: downscaled; below 1: enlarged).
    pub source_pixels_per_output_pixel: f32,
    /// Share of the crop that lay outside the frame and was filled from the edge.
    pub outside_fraction: f32,
    /// The checks of the source frame.
    pub report: FrameReport,
}

/// Crops, levels and encodes the photo from `frame` using the face in `report`.
pub fn make_passport_photo(
    frame: &RgbImage,
    report: &FrameReport,
    config: &OutputConfig,
) -> Result<PassportPhoto, PhotoError> {
    let face = report.face.as_ref().ok_or(PhotoError::NoFace)?;
    if config.width < 413 || config.height < 531 {
        return Err(PhotoError::Config(format!(
            "ukuran keluaran minimal 413x531 piksel / output must be at least 413x531 pixels (got {}x{})",
            config.width, config.height
        )));
    }
    let ratio = config.width as f32 / config.height as f32;
    if (ratio - 35.0 / 45.0).abs() > 0.01 {
        return Err(PhotoError::Config(format!(
            "ukuran keluaran harus berbanding 35:45 / output must be 35:45 (got {}x{})",
            config.width, config.height
        )));
    }
    let across = {
        let d = Point::new(
            face.left_eye.x - face.right_eye.x,
            face.left_eye.y - face.right_eye.y,
        );
        let n = d.x.hypot(d.y).max(1e-6);
        Point::new(d.x / n, d.y / n)
    };
    let down = Point::new(-across.y, across.x);
    let eyes = face.right_eye.mid(face.left_eye);
    let head = face.chin.dist(face.crown);
    let source_height = head / (config.head_percent / 100.0);
    let scale = source_height / config.height as f32;
    let eye_row = config.height as f32 * (1.0 - config.eye_line_percent / 100.0);
    let half_width = config.width as f32 / 2.0;
    let ax = Point::new(across.x * scale, across.y * scale);
    let ay = Point::new(down.x * scale, down.y * scale);
    let origin = Point::new(
        eyes.x - ax.x * half_width - ay.x * eye_row,
        eyes.y - ax.y * half_width - ay.y * eye_row,
    );
    let map = Affine { origin, ax, ay };
    let (fw, fh) = (frame.width() as f32, frame.height() as f32);
    let mut outside = 0usize;
    let probe = 16;
    for j in 0..=probe {
        for i in 0..=probe {
            let p = map.apply(
                config.width as f32 * (i as f32 + 0.5) / (probe + 1) as f32,
                config.height as f32 * (j as f32 + 0.5) / (probe + 1) as f32,
            );
            // One pixel of slack: a crop that matches the frame exactly is inside it.
            if p.x < -1.0 || p.y < -1.0 || p.x > fw + 1.0 || p.y > fh + 1.0 {
                outside += 1;
            }
        }
    }
    let outside_fraction = outside as f32 / ((probe + 1) * (probe + 1)) as f32;
    if outside_fraction > config.max_outside_fraction {
        return Err(PhotoError::CropOutsideFrame(outside_fraction));
    }
    let pyramid = Pyramid::new(frame, 5);
    let photo = pyramid.warp_rgb(&map, config.width, config.height);
    let (jpeg, quality) = encode_to_fit(&photo, config.max_bytes, config.min_quality)?;
    Ok(PassportPhoto {
        jpeg,
        width: config.width,
        height: config.height,
        quality,
        rotation_degrees: across.y.atan2(across.x).to_degrees(),
        source_pixels_per_output_pixel: scale,
        outside_fraction,
        report: report.clone(),
    })
}

fn encode(img: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(out)
}

/// The highest JPEG quality in `min_quality..=95` whose file fits `max_bytes` (binary search:
/// size grows with quality).
pub fn encode_to_fit(
    img: &RgbImage,
    max_bytes: usize,
    min_quality: u8,
) -> Result<(Vec<u8>, u8), PhotoError> {
    let (mut lo, mut hi) = (min_quality.clamp(1, 95), 95u8);
    let smallest = encode(img, lo)?;
    if smallest.len() > max_bytes {
        return Err(PhotoError::TooLarge {
            bytes: smallest.len(),
            max_bytes,
        });
    }
    let mut best = (smallest, lo);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        let bytes = encode(img, mid)?;
        if bytes.len() <= max_bytes {
            best = (bytes, mid);
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let v = ((x * 7919 + y * 104_729) ^ (x * y)) % 256;
            image::Rgb([v as u8, (v / 2) as u8, (255 - v) as u8])
        })
    }

    #[test]
    fn quality_search_picks_the_best_quality_that_fits() {
        let img = noisy(413, 531);
        let (big, q_big) = encode_to_fit(&img, 10_000_000, 50).expect("fits");
        assert_eq!(q_big, 95);
        let limit = big.len() / 3;
        let (small, q_small) = encode_to_fit(&img, limit, 10).expect("fits");
        assert!(small.len() <= limit);
        assert!(q_small < 95);
        // One step up no longer fits (the search found the boundary).
        let mut above = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut above, q_small + 1)
            .encode_image(&img)
            .expect("encode");
        assert!(above.len() > limit);
    }

    #[test]
    fn an_impossible_size_is_an_error() {
        let img = noisy(413, 531);
        assert!(matches!(
            encode_to_fit(&img, 500, 50),
            Err(PhotoError::TooLarge { .. })
        ));
    }
}
