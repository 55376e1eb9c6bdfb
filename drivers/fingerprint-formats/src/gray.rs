//! The plain 8-bit grayscale image every format here reads and writes.

/// An 8-bit grayscale image, row by row from the top left, one byte per pixel
/// (0 = black, 255 = white).
///
/// The fields are public for convenience; [`GrayImage::new`] checks that
/// `pixels.len() == width * height`, and every encoder checks it again.
#[derive(Clone, PartialEq, Eq)]
pub struct GrayImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` pixels, row-major.
    pub pixels: Vec<u8>,
}

/// The pixel buffer does not match the stated size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Ukuran gambar tidak cocok: {width}x{height} butuh {expected} piksel, ada {actual}. Periksa sumber gambar. / \
     Image size mismatch: {width}x{height} needs {expected} pixels, got {actual}. Check the image source."
)]
pub struct ImageError {
    /// Stated width.
    pub width: u32,
    /// Stated height.
    pub height: u32,
    /// Pixels the size needs.
    pub expected: u64,
    /// Pixels present.
    pub actual: u64,
}

impl GrayImage {
    /// An image from its size and pixels; fails when the buffer length is not
    /// `width * height`.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, ImageError> {
        let image = Self {
            width,
            height,
            pixels,
        };
        image.check()?;
        Ok(image)
    }

    /// An image of one gray level.
    pub fn filled(width: u32, height: u32, value: u8) -> Self {
        let len = (width as usize).saturating_mul(height as usize);
        Self {
            width,
            height,
            pixels: vec![value; len],
        }
    }

    /// Checks that the pixel buffer matches the size.
    pub fn check(&self) -> Result<(), ImageError> {
        let expected = u64::from(self.width) * u64::from(self.height);
        let actual = self.pixels.len() as u64;
        if expected == actual {
            Ok(())
        } else {
            Err(ImageError {
                width: self.width,
                height: self.height,
                expected,
                actual,
            })
        }
    }

    /// The pixel at (x, y), or `None` outside the image.
    pub fn get(&self, x: u32, y: u32) -> Option<u8> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let index = y as usize * self.width as usize + x as usize;
        self.pixels.get(index).copied()
    }

    /// Peak signal-to-noise ratio in dB between two images of the same size
    /// (`f64::INFINITY` when identical, `None` when sizes differ).
    pub fn psnr(&self, other: &GrayImage) -> Option<f64> {
        if self.width != other.width
            || self.height != other.height
            || self.pixels.len() != other.pixels.len()
            || self.pixels.is_empty()
        {
            return None;
        }
        let sum: f64 = self
            .pixels
            .iter()
            .zip(&other.pixels)
            .map(|(&a, &b)| {
                let d = f64::from(a) - f64::from(b);
                d * d
            })
            .sum();
        let mse = sum / self.pixels.len() as f64;
        if mse == 0.0 {
            return Some(f64::INFINITY);
        }
        Some(10.0 * (255.0 * 255.0 / mse).log10())
    }
}

impl std::fmt::Debug for GrayImage {
    // The pixels are a fingerprint: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrayImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("pixels", &format_args!("[{} bytes]", self.pixels.len()))
            .finish()
    }
}

#[cfg(feature = "image")]
impl From<image::GrayImage> for GrayImage {
    fn from(image: image::GrayImage) -> Self {
        let (width, height) = image.dimensions();
        Self {
            width,
            height,
            pixels: image.into_raw(),
        }
    }
}

#[cfg(feature = "image")]
impl TryFrom<GrayImage> for image::GrayImage {
    type Error = ImageError;

    fn try_from(image: GrayImage) -> Result<Self, ImageError> {
        image.check()?;
        let (width, height) = (image.width, image.height);
        let expected = u64::from(width) * u64::from(height);
        let actual = image.pixels.len() as u64;
        image::GrayImage::from_raw(width, height, image.pixels).ok_or(ImageError {
            width,
            height,
            expected,
            actual,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn new_rejects_wrong_length() {
        assert!(GrayImage::new(2, 2, vec![0; 3]).is_err());
        assert!(GrayImage::new(2, 2, vec![0; 4]).is_ok());
    }

    #[test]
    fn psnr_of_identical_is_infinite_and_of_different_is_finite() {
        let a = GrayImage::filled(4, 4, 10);
        let mut b = a.clone();
        assert_eq!(a.psnr(&b), Some(f64::INFINITY));
        b.pixels[0] = 20;
        let p = a.psnr(&b).unwrap();
        assert!(p.is_finite() && p > 30.0);
        assert_eq!(a.psnr(&GrayImage::filled(2, 2, 0)), None);
    }

    #[test]
    fn debug_does_not_print_pixels() {
        let a = GrayImage::filled(2, 1, 77);
        let text = format!("{a:?}");
        assert!(text.contains("[2 bytes]"));
        assert!(!text.contains("77"));
    }
}
