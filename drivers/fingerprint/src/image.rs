//! The image a reader delivers: 8-bit grayscale, row-major, plus its PNG form.

use std::io::Cursor;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ScanError;

/// One fingerprint image exactly as the reader delivered it: 8-bit grayscale, row-major,
/// top row first, `width * height` bytes. No scaling or rotation is ever applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerImage {
    width: u32,
    height: u32,
    /// Nominal resolution in pixels per inch, from the reader's data sheet.
    ppi: u16,
    pixels: Vec<u8>,
}

impl FingerImage {
    /// Builds an image; `None` unless `pixels.len() == width * height` and both are non-zero.
    pub fn new(width: u32, height: u32, ppi: u16, pixels: Vec<u8>) -> Option<Self> {
        let expected = (width as usize).checked_mul(height as usize)?;
        if width == 0 || height == 0 || pixels.len() != expected {
            return None;
        }
        Some(FingerImage {
            width,
            height,
            ppi,
            pixels,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Nominal resolution in pixels per inch.
    pub fn ppi(&self) -> u16 {
        self.ppi
    }

    /// The pixels, row-major, one byte each (0 = black, 255 = white).
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixel at column `x`, row `y` (`None` outside the image).
    pub fn get(&self, x: u32, y: u32) -> Option<u8> {
        if x >= self.width || y >= self.height {
            return None;
        }
        self.pixels
            .get(y as usize * self.width as usize + x as usize)
            .copied()
    }

    /// Encodes the image as an 8-bit grayscale PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, ScanError> {
        use image::ImageEncoder;
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(
                &self.pixels,
                self.width,
                self.height,
                image::ExtendedColorType::L8,
            )
            .map_err(|e| ScanError::ImageFile(e.to_string()))?;
        Ok(out)
    }

    /// Writes the image as an 8-bit grayscale PNG file.
    pub fn write_png(&self, path: &Path) -> Result<(), ScanError> {
        let bytes = self.to_png()?;
        std::fs::write(path, bytes)
            .map_err(|e| ScanError::ImageFile(format!("{}: {e}", path.display())))
    }

    /// Decodes a PNG (any colour type; colour is converted to luma) with the given
    /// nominal resolution.
    pub fn from_png(bytes: &[u8], ppi: u16) -> Result<Self, ScanError> {
        let decoded = image::ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Png)
            .decode()
            .map_err(|e| ScanError::ImageFile(e.to_string()))?
            .into_luma8();
        let (width, height) = decoded.dimensions();
        FingerImage::new(width, height, ppi, decoded.into_raw())
            .ok_or_else(|| ScanError::ImageFile("empty image".to_string()))
    }

    /// Reads a PNG file (see [`FingerImage::from_png`]).
    pub fn read_png(path: &Path, ppi: u16) -> Result<Self, ScanError> {
        let bytes = std::fs::read(path)
            .map_err(|e| ScanError::ImageFile(format!("{}: {e}", path.display())))?;
        Self::from_png(&bytes, ppi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trip_keeps_pixels_and_size() {
        let pixels: Vec<u8> = (0..(7 * 5)).map(|i| (i * 7) as u8).collect();
        let image = FingerImage::new(7, 5, 500, pixels).expect("valid size");
        let png = image.to_png().expect("encodes");
        let back = FingerImage::from_png(&png, 500).expect("decodes");
        assert_eq!(back, image);
        // 8-bit grayscale: IHDR bit depth 8, colour type 0.
        assert_eq!(&png[24..26], &[8, 0]);
    }

    #[test]
    fn wrong_pixel_count_is_rejected() {
        assert!(FingerImage::new(3, 3, 500, vec![0; 8]).is_none());
        assert!(FingerImage::new(0, 3, 500, vec![]).is_none());
    }

    #[test]
    fn garbage_png_is_an_error_not_a_panic() {
        assert!(FingerImage::from_png(b"\x89PNG\r\n\x1a\nnope", 500).is_err());
    }
}
