//! Small image helpers: a box-filter pyramid, bilinear sampling, affine maps, luma planes.

use image::RgbImage;

/// A 2-D point in frame pixels (x right, y down).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// Horizontal position in pixels.
    pub x: f32,
    /// Vertical position in pixels.
    pub y: f32,
}

impl Point {
    /// A point.
    pub fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
    pub(crate) fn mid(self, other: Point) -> Point {
        Point::new((self.x + other.x) / 2.0, (self.y + other.y) / 2.0)
    }
    pub(crate) fn dist(self, other: Point) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// An axis-aligned rectangle in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl Rect {
    pub(crate) fn center(&self) -> Point {
        Point::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }
    pub(crate) fn iou(&self, other: &Rect) -> f32 {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = (self.x + self.width).min(other.x + other.width);
        let y1 = (self.y + self.height).min(other.y + other.height);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let union = self.width * self.height + other.width * other.height - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }
    pub(crate) fn contains(&self, p: Point) -> bool {
        (self.x..self.x + self.width).contains(&p.x)
            && (self.y..self.y + self.height).contains(&p.y)
    }
}

/// Maps destination coordinates to source coordinates: `src = origin + u * ax + v * ay`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Affine {
    pub origin: Point,
    pub ax: Point,
    pub ay: Point,
}

impl Affine {
    pub fn apply(&self, u: f32, v: f32) -> Point {
        Point::new(
            self.origin.x + u * self.ax.x + v * self.ay.x,
            self.origin.y + u * self.ax.y + v * self.ay.y,
        )
    }
    /// Source pixels per destination pixel.
    pub fn scale(&self) -> f32 {
        self.ax.x.hypot(self.ax.y)
    }
}

/// The frame and its box-filtered halvings, so that sampling at a coarse scale averages
/// instead of aliasing.
pub(crate) struct Pyramid<'a> {
    base: &'a RgbImage,
    levels: Vec<RgbImage>,
}

impl<'a> Pyramid<'a> {
    pub fn new(base: &'a RgbImage, max_levels: usize) -> Self {
        let mut levels: Vec<RgbImage> = Vec::new();
        for _ in 0..max_levels {
            let prev = levels.last().unwrap_or(base);
            if prev.width() < 64 || prev.height() < 64 {
                break;
            }
            levels.push(halve(prev));
        }
        Self { base, levels }
    }

    pub fn base(&self) -> &RgbImage {
        self.base
    }

    /// The level whose pixels are at most `scale` base pixels wide, with its factor.
    fn level(&self, scale: f32) -> (&RgbImage, f32) {
        let mut img = self.base;
        let mut factor = 1.0;
        for level in &self.levels {
            if factor * 2.0 > scale {
                break;
            }
            img = level;
            factor *= 2.0;
        }
        (img, factor)
    }

    /// Samples an `width` x `height` patch through `map` (destination pixel centres to base
    /// pixel coordinates), writing planar channels scaled by `mul` and offset by `add`.
    pub fn warp_planar(
        &self,
        map: &Affine,
        width: usize,
        height: usize,
        mul: f32,
        add: f32,
    ) -> Vec<f32> {
        let (img, factor) = self.level(map.scale());
        let plane = width * height;
        let mut out = vec![0.0f32; plane * 3];
        for v in 0..height {
            for u in 0..width {
                let p = map.apply(u as f32 + 0.5, v as f32 + 0.5);
                let rgb = sample(img, (p.x / factor) - 0.5, (p.y / factor) - 0.5);
                let i = v * width + u;
                out[i] = rgb[0] * mul + add;
                out[plane + i] = rgb[1] * mul + add;
                out[2 * plane + i] = rgb[2] * mul + add;
            }
        }
        out
    }

    /// Like [`Self::warp_planar`] but returns an RGB image.
    pub fn warp_rgb(&self, map: &Affine, width: u32, height: u32) -> RgbImage {
        let (img, factor) = self.level(map.scale());
        RgbImage::from_fn(width, height, |u, v| {
            let p = map.apply(u as f32 + 0.5, v as f32 + 0.5);
            let rgb = sample(img, (p.x / factor) - 0.5, (p.y / factor) - 0.5);
            image::Rgb([
                rgb[0].round() as u8,
                rgb[1].round() as u8,
                rgb[2].round() as u8,
            ])
        })
    }

    /// A luma patch (0-255) sampled through `map`.
    pub fn warp_luma(&self, map: &Affine, width: usize, height: usize) -> Vec<f32> {
        let (img, factor) = self.level(map.scale());
        let mut out = Vec::with_capacity(width * height);
        for v in 0..height {
            for u in 0..width {
                let p = map.apply(u as f32 + 0.5, v as f32 + 0.5);
                out.push(luma_of(sample(
                    img,
                    (p.x / factor) - 0.5,
                    (p.y / factor) - 0.5,
                )));
            }
        }
        out
    }
}

fn halve(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width() / 2, img.height() / 2);
    RgbImage::from_fn(w, h, |x, y| {
        let mut acc = [0u32; 3];
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let p = img.get_pixel(2 * x + dx, 2 * y + dy).0;
            for (a, v) in acc.iter_mut().zip(p) {
                *a += u32::from(v);
            }
        }
        image::Rgb([(acc[0] / 4) as u8, (acc[1] / 4) as u8, (acc[2] / 4) as u8])
    })
}

/// Bilinear sample at pixel coordinates (pixel centres at integers), edges clamped.
pub(crate) fn sample(img: &RgbImage, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = (img.width() as i64, img.height() as i64);
    if w == 0 || h == 0 {
        return [0.0; 3];
    }
    let x = x.clamp(0.0, (w - 1) as f32);
    let y = y.clamp(0.0, (h - 1) as f32);
    let x0 = x.floor() as i64;
    let y0 = y.floor() as i64;
    let x1 = (x0 + 1).min(w - 1);
    let y1 = (y0 + 1).min(h - 1);
    let fx = x - x0 as f32;
    let fy = y - y0 as f32;
    let px = |xx: i64, yy: i64| img.get_pixel(xx as u32, yy as u32).0;
    let (a, b, c, d) = (px(x0, y0), px(x1, y0), px(x0, y1), px(x1, y1));
    std::array::from_fn(|i| {
        let top = f32::from(a[i]) * (1.0 - fx) + f32::from(b[i]) * fx;
        let bottom = f32::from(c[i]) * (1.0 - fx) + f32::from(d[i]) * fx;
        top * (1.0 - fy) + bottom * fy
    })
}

/// BT.601 luma of an RGB triple.
pub(crate) fn luma_of(rgb: [f32; 3]) -> f32 {
    0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
}

/// Mean and standard deviation.
pub(crate) fn mean_std(values: &[f32]) -> (f32, f32) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f32;
    let mean = values.iter().sum::<f32>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_interpolates_and_clamps() {
        let mut img = RgbImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgb([0, 0, 0]));
        img.put_pixel(1, 0, image::Rgb([100, 100, 100]));
        assert!((sample(&img, 0.5, 0.0)[0] - 50.0).abs() < 1e-3);
        assert_eq!(sample(&img, -10.0, 5.0)[0], 0.0);
        assert_eq!(sample(&img, 10.0, -5.0)[0], 100.0);
    }

    #[test]
    fn iou_of_identical_and_disjoint_boxes() {
        let a = Rect {
            x: 0.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        let b = Rect { x: 20.0, ..a };
        assert!((a.iou(&a) - 1.0).abs() < 1e-6);
        assert_eq!(a.iou(&b), 0.0);
    }
}
