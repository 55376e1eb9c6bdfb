//! Image quality: a 0-100 score built from NFIQ 2's kinds of measures, and finger-present
//! detection. Pure functions of the pixels; see `docs/fingerprint.md` for the definition
//! in words.
//!
//! The image is cut into square blocks of 32 pixels at 500 ppi (scaled by the image's
//! resolution, at least 8 pixels). For each block:
//!
//! - **foreground**: the block's gray-level standard deviation is at least
//!   [`FOREGROUND_MIN_STDDEV`]; background (no skin) is flat;
//! - **orientation certainty** (NFIQ 2's OCL): from the gradient covariance
//!   (`a = Σgx²`, `b = Σgy²`, `c = Σgx·gy`) with eigenvalues `λmax ≥ λmin`,
//!   `OCL = 1 - λmin / λmax`: 1 for perfectly parallel ridges, 0 for no direction;
//! - **local clarity** (in the spirit of NFIQ 2's LCS): the pixels are projected onto the
//!   axis across the ridges and averaged along them into a 1-D ridge/valley signature;
//!   clarity = variance of that signature / variance of the block. Clean ridges give
//!   about 1, noise, smudges and blur give less;
//! - **ridge frequency** (NFIQ 2's FDA/RVU family): the ridge period is twice the
//!   signature's length over its number of mean crossings; a block scores 1 when the
//!   period is 0.25 - 0.80 mm (human ridge spacing), else 0.
//!
//! Over the image: `area` = foreground blocks / all blocks, `area_score = min(1, area / 0.5)`,
//! and the means of OCL, clarity and frequency over foreground blocks. Then
//!
//! `score = round(100 · area_score · (0.40·clarity + 0.35·OCL + 0.25·frequency))`.
//!
//! A finger is present when `area ≥ 0.15` and the mean OCL of the foreground is at least
//! 0.35 (so a blank image or pure noise counts as "no finger").

use serde::{Deserialize, Serialize};

use crate::FingerImage;

/// Minimum gray-level standard deviation of a foreground block.
pub const FOREGROUND_MIN_STDDEV: f64 = 8.0;
/// Minimum foreground fraction for "finger present".
pub const FINGER_MIN_AREA: f64 = 0.15;
/// Minimum mean orientation certainty for "finger present".
pub const FINGER_MIN_OCL: f64 = 0.35;
/// Foreground fraction at which the area measure stops limiting the score.
const FULL_AREA: f64 = 0.5;
/// Plausible ridge period in millimetres.
const RIDGE_PERIOD_MM: (f64, f64) = (0.25, 0.80);

/// The measures behind a score, each 0.0-1.0, and the score itself.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// The score, 0 (unusable / no finger) to 100 (best).
    pub score: u8,
    /// Foreground (finger) fraction of the image.
    pub foreground_area: f64,
    /// Mean orientation certainty over foreground blocks.
    pub orientation_certainty: f64,
    /// Mean local clarity over foreground blocks.
    pub local_clarity: f64,
    /// Fraction of foreground blocks with a plausible ridge frequency.
    pub ridge_frequency: f64,
    /// Median ridge period in pixels over foreground blocks where one was measured
    /// (0 when none was).
    pub ridge_period_px: f64,
    /// Whether a finger is on the image at all.
    pub finger_present: bool,
}

struct Block {
    ocl: f64,
    clarity: f64,
    period_px: Option<f64>,
    plausible_frequency: bool,
}

/// Block side in pixels for an image of this resolution.
fn block_size(ppi: u16) -> usize {
    let ppi = if ppi == 0 { 500 } else { ppi };
    ((32.0 * f64::from(ppi) / 500.0).round() as usize).max(8)
}

/// Scores one image (see the module documentation).
pub fn assess(image: &FingerImage) -> Quality {
    let width = image.width() as usize;
    let height = image.height() as usize;
    let size = block_size(image.ppi());
    let mut total = 0usize;
    let mut foreground = Vec::new();
    for top in (0..height.saturating_sub(size - 1)).step_by(size) {
        for left in (0..width.saturating_sub(size - 1)).step_by(size) {
            total += 1;
            if let Some(block) = measure_block(image, left, top, size) {
                foreground.push(block);
            }
        }
    }
    if total == 0 || foreground.is_empty() {
        return Quality {
            score: 0,
            foreground_area: 0.0,
            orientation_certainty: 0.0,
            local_clarity: 0.0,
            ridge_frequency: 0.0,
            ridge_period_px: 0.0,
            finger_present: false,
        };
    }
    let n = foreground.len() as f64;
    let area = n / total as f64;
    let ocl = foreground.iter().map(|b| b.ocl).sum::<f64>() / n;
    let clarity = foreground.iter().map(|b| b.clarity).sum::<f64>() / n;
    let frequency = foreground.iter().filter(|b| b.plausible_frequency).count() as f64 / n;
    let mut periods: Vec<f64> = foreground.iter().filter_map(|b| b.period_px).collect();
    periods.sort_by(f64::total_cmp);
    let ridge_period_px = periods.get(periods.len() / 2).copied().unwrap_or(0.0);
    let area_score = (area / FULL_AREA).min(1.0);
    let raw = 100.0 * area_score * (0.40 * clarity + 0.35 * ocl + 0.25 * frequency);
    Quality {
        score: raw.round().clamp(0.0, 100.0) as u8,
        foreground_area: area,
        orientation_certainty: ocl,
        local_clarity: clarity,
        ridge_frequency: frequency,
        ridge_period_px,
        finger_present: area >= FINGER_MIN_AREA && ocl >= FINGER_MIN_OCL,
    }
}

/// Whether a finger is on the image (see the module documentation).
pub fn finger_present(image: &FingerImage) -> bool {
    assess(image).finger_present
}

/// Measures one block; `None` for background.
fn measure_block(image: &FingerImage, left: usize, top: usize, size: usize) -> Option<Block> {
    let width = image.width() as usize;
    let pixels = image.pixels();
    let at = |x: usize, y: usize| f64::from(pixels[y * width + x]);

    let count = (size * size) as f64;
    let mean = (top..top + size)
        .flat_map(|y| (left..left + size).map(move |x| (x, y)))
        .map(|(x, y)| at(x, y))
        .sum::<f64>()
        / count;
    let variance = (top..top + size)
        .flat_map(|y| (left..left + size).map(move |x| (x, y)))
        .map(|(x, y)| (at(x, y) - mean).powi(2))
        .sum::<f64>()
        / count;
    if variance.sqrt() < FOREGROUND_MIN_STDDEV {
        return None;
    }

    // Gradient covariance over the block interior (central differences).
    let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
    for y in top + 1..top + size - 1 {
        for x in left + 1..left + size - 1 {
            let gx = (at(x + 1, y) - at(x - 1, y)) / 2.0;
            let gy = (at(x, y + 1) - at(x, y - 1)) / 2.0;
            a += gx * gx;
            b += gy * gy;
            c += gx * gy;
        }
    }
    let trace = a + b;
    let root = ((a - b).powi(2) + 4.0 * c * c).sqrt();
    let (lmax, lmin) = ((trace + root) / 2.0, (trace - root) / 2.0);
    let ocl = if lmax > f64::EPSILON {
        (1.0 - lmin / lmax).clamp(0.0, 1.0)
    } else {
        0.0
    };

    // Signature across the ridges: the gradient's dominant direction is normal to them.
    let theta = 0.5 * (2.0 * c).atan2(a - b);
    let (cos, sin) = (theta.cos(), theta.sin());
    let half = size as f64 / 2.0;
    let bins = 2 * size + 1;
    let mut sums = vec![0.0; bins];
    let mut counts = vec![0usize; bins];
    for y in top..top + size {
        for x in left..left + size {
            let dx = x as f64 - left as f64 - half;
            let dy = y as f64 - top as f64 - half;
            let t = (dx * cos + dy * sin).round() as i64 + size as i64;
            if let Ok(t) = usize::try_from(t)
                && t < bins
            {
                sums[t] += at(x, y);
                counts[t] += 1;
            }
        }
    }
    // Only bins with enough pixels behind them (the middle of the block).
    let min_count = (size / 2).max(2);
    let signature: Vec<(f64, usize)> = sums
        .iter()
        .zip(&counts)
        .filter(|&(_, &n)| n >= min_count)
        .map(|(&s, &n)| (s / n as f64, n))
        .collect();
    let weight: usize = signature.iter().map(|&(_, n)| n).sum();
    let explained = if weight > 0 {
        let sig_mean = signature.iter().map(|&(v, n)| v * n as f64).sum::<f64>() / weight as f64;
        signature
            .iter()
            .map(|&(v, n)| (v - sig_mean).powi(2) * n as f64)
            .sum::<f64>()
            / weight as f64
    } else {
        0.0
    };
    let clarity = (explained / variance).clamp(0.0, 1.0);

    let sig_mean = signature.iter().map(|&(v, _)| v).sum::<f64>() / signature.len().max(1) as f64;
    let crossings = signature
        .windows(2)
        .filter(|w| (w[0].0 - sig_mean).signum() != (w[1].0 - sig_mean).signum())
        .count();
    let period_px = (crossings >= 2).then(|| 2.0 * signature.len() as f64 / crossings as f64);
    let plausible_frequency = period_px.is_some_and(|period_px| {
        let ppi = if image.ppi() == 0 { 500 } else { image.ppi() };
        let period_mm = period_px * 25.4 / f64::from(ppi);
        (RIDGE_PERIOD_MM.0..=RIDGE_PERIOD_MM.1).contains(&period_mm)
    });

    Some(Block {
        ocl,
        clarity,
        period_px,
        plausible_frequency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulated::{Degradation, ridge_pattern};

    #[test]
    fn blank_image_has_no_finger_and_scores_zero() {
        for level in [0u8, 128, 255] {
            let blank = FingerImage::new(256, 256, 500, vec![level; 256 * 256]).expect("size");
            let q = assess(&blank);
            assert!(!q.finger_present);
            assert_eq!(q.score, 0);
        }
    }

    #[test]
    fn noise_is_not_a_finger() {
        let mut state = 0x2545_f491_u32;
        let pixels = (0..256 * 256)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 24) as u8
            })
            .collect();
        let noise = FingerImage::new(256, 256, 500, pixels).expect("size");
        let q = assess(&noise);
        assert!(!q.finger_present, "{q:?}");
        assert!(q.score < 40, "{q:?}");
    }

    #[test]
    fn good_synthetic_print_scores_high_and_is_present() {
        let q = assess(&ridge_pattern(256, 256, 500, 7, Degradation::None));
        assert!(q.finger_present, "{q:?}");
        assert!(q.score >= 70, "{q:?}");
        assert!(q.ridge_frequency > 0.8, "{q:?}");
        // Generated with a 7-pixel period (radially; the 1.3 vertical stretch shortens it).
        assert!((5.0..=8.5).contains(&q.ridge_period_px), "{q:?}");
    }

    #[test]
    fn degraded_prints_are_ordered_below_the_good_one() {
        let good = assess(&ridge_pattern(256, 256, 500, 7, Degradation::None)).score;
        let noisy = assess(&ridge_pattern(256, 256, 500, 7, Degradation::Noise(60))).score;
        let very_noisy = assess(&ridge_pattern(256, 256, 500, 7, Degradation::Noise(140))).score;
        let partial = assess(&ridge_pattern(256, 256, 500, 7, Degradation::PartialArea)).score;
        let smudged = assess(&ridge_pattern(256, 256, 500, 7, Degradation::Smudge)).score;
        assert!(good > noisy, "good {good} noisy {noisy}");
        assert!(noisy > very_noisy, "noisy {noisy} very noisy {very_noisy}");
        assert!(good > partial, "good {good} partial {partial}");
        assert!(good > smudged, "good {good} smudged {smudged}");
    }

    proptest::proptest! {
        #[test]
        fn score_is_bounded_for_any_image(w in 1u32..80, h in 1u32..80, seed in proptest::num::u8::ANY) {
            let pixels = (0..w * h).map(|i| (i as u8).wrapping_mul(seed).wrapping_add((i / w) as u8)).collect();
            let image = FingerImage::new(w, h, 500, pixels).expect("size");
            let q = assess(&image);
            proptest::prop_assert!(q.score <= 100);
            proptest::prop_assert!((0.0..=1.0).contains(&q.foreground_area));
        }
    }
}
