//! Adaptive uniform scalar quantization: subband variances, the bit allocation that
//! meets a target bitrate, and (de)quantization of the coefficients.

use super::scaled::{Scaled16, round_trip_u16};
use super::tree::{BLOCK3_START, Band, CODED_BANDS};

/// Subbands with a variance below this carry nothing and are not coded.
const VARIANCE_THRESHOLD: f64 = 1.01;
/// The zero bin is this much wider than the other bins.
const ZERO_BIN_RATIO: f64 = 1.2;
/// Bin centre parameter C the encoder writes (0.44, as NBIS).
pub(crate) const BIN_CENTER: Scaled16 = Scaled16 {
    scale: 2,
    value: 44,
};

/// Quantizer steps for the 64 subbands (60-63 always zero).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuantTable {
    pub bin_center: f32,
    /// Step Q per subband; zero means "not coded".
    pub q: [f32; 64],
    /// Zero-bin width Z per subband.
    pub z: [f32; 64],
}

impl QuantTable {
    pub fn coded(&self) -> [bool; CODED_BANDS] {
        let mut coded = [false; CODED_BANDS];
        for (c, &q) in coded.iter_mut().zip(self.q.iter()) {
            *c = q != 0.0;
        }
        coded
    }
}

/// Sample variance of a rectangle of `data` (`width` wide); zero when it has
/// fewer than two samples.
fn rect_variance(data: &[f32], width: usize, x: usize, y: usize, lenx: usize, leny: usize) -> f64 {
    let n = lenx * leny;
    if n < 2 {
        return 0.0;
    }
    let (mut sum, mut squares) = (0f64, 0f64);
    for row in y..y + leny {
        for &v in &data[row * width + x..row * width + x + lenx] {
            let v = f64::from(v);
            sum += v;
            squares += v * v;
        }
    }
    let n = n as f64;
    ((squares - sum * sum / n) / (n - 1.0)).max(0.0)
}

/// Variance of a subband over its central region (the specification's cropping,
/// which keeps image borders out of the estimate).
fn cropped_variance(data: &[f32], width: usize, band: &Band) -> f64 {
    let skipx = band.lenx / 8;
    let skipy = (9 * band.leny) / 32;
    let lenx = (3 * band.lenx) / 4;
    let leny = (7 * band.leny) / 16;
    rect_variance(data, width, band.x + skipx, band.y + skipy, lenx, leny)
}

/// Variances of the 60 coded subbands of a decomposed image.
pub(crate) fn variances(data: &[f32], width: usize, bands: &[Band]) -> [f64; CODED_BANDS] {
    let mut var = [0f64; CODED_BANDS];
    let mut low_sum = 0.0;
    for (v, band) in var.iter_mut().zip(bands).take(4) {
        *v = cropped_variance(data, width, band);
        low_sum += *v;
    }
    if low_sum < 20000.0 {
        // A faint image: use whole subbands so that little detail is not lost.
        for (v, band) in var.iter_mut().zip(bands) {
            *v = rect_variance(data, width, band.x, band.y, band.lenx, band.leny);
        }
    } else {
        for (v, band) in var.iter_mut().zip(bands).skip(4) {
            *v = cropped_variance(data, width, band);
        }
    }
    var
}

/// Quantizer steps that meet `bitrate` bits per pixel, given subband variances
/// (the specification's iterative bit allocation). Steps are rounded to their
/// stored form, so that encoder and decoder use the very same values.
pub(crate) fn quant_table(var: &[f64; CODED_BANDS], bitrate: f64) -> QuantTable {
    // Subband weights A (the last eight subbands are weighted).
    let mut weight = [1.0f64; CODED_BANDS];
    weight[BLOCK3_START..].copy_from_slice(&[1.32, 1.08, 1.42, 1.08, 1.32, 1.42, 1.08, 1.08]);
    // Reciprocal of the specification's m: the fraction of the image a subband holds.
    let fraction = |band: usize| -> f64 {
        if band < 4 {
            1.0 / 1024.0
        } else if band < 51 {
            1.0 / 256.0
        } else {
            1.0 / 16.0
        }
    };

    let mut relative = [0f64; CODED_BANDS];
    let mut sigma = [0f64; CODED_BANDS];
    let mut active: Vec<usize> = Vec::with_capacity(CODED_BANDS);
    for band in 0..CODED_BANDS {
        if var[band] >= VARIANCE_THRESHOLD {
            relative[band] = if band < 4 {
                1.0
            } else {
                10.0 / (weight[band] * var[band].ln())
            };
            sigma[band] = var[band].sqrt();
            active.push(band);
        }
    }
    let initial = active.clone();

    // log2 of the proportionality constant q, kept in the log domain because
    // 2^(r/S) overflows when only a few small subbands are active.
    let mut log2_q = f64::NAN;
    while !active.is_empty() {
        let s: f64 = active.iter().map(|&k| fraction(k)).sum();
        let log2_p: f64 = active
            .iter()
            .map(|&k| fraction(k) * (sigma[k] / relative[k]).log2())
            .sum();
        log2_q = (bitrate / s - 1.0) - 2.5f64.log2() - log2_p / s;
        let before = active.len();
        // Drop subbands that would get a non-positive bitrate, and try again:
        // keep those with relative / q < 5 sigma.
        active.retain(|&k| relative[k].log2() - log2_q < (5.0 * sigma[k]).log2());
        if active.len() == before {
            break;
        }
    }

    let mut table = QuantTable {
        bin_center: BIN_CENTER.to_f32(),
        q: [0.0; 64],
        z: [0.0; 64],
    };
    if log2_q.is_finite() {
        for &k in &initial {
            // Steps too fine to store are raised later by `limit_steps`.
            let step = (relative[k].log2() - log2_q).exp2().max(1e-30);
            let zero_bin = ZERO_BIN_RATIO * step;
            table.q[k] = round_trip_u16(step);
            table.z[k] = round_trip_u16(zero_bin);
        }
    }
    table
}

/// Largest level magnitude the encoder lets a subband reach (16-bit escapes carry up
/// to 65535, but levels are 16-bit signed on both sides).
const MAX_LEVEL: f64 = 30000.0;

/// Coarsens steps so small that a subband's levels would overflow 16 bits. The bit
/// allocation asks for such steps when only a few subbands carry anything (smooth,
/// non-fingerprint images); NBIS then overflows and decodes a flat image.
pub(crate) fn limit_steps(table: &mut QuantTable, data: &[f32], width: usize, bands: &[Band]) {
    for (band, geometry) in bands.iter().enumerate().take(CODED_BANDS) {
        if table.q[band] == 0.0 {
            continue;
        }
        let mut peak = 0f32;
        for row in geometry.y..geometry.y + geometry.leny {
            let start = row * width + geometry.x;
            for &v in &data[start..start + geometry.lenx] {
                peak = peak.max(v.abs());
            }
        }
        let min_step = f64::from(peak) / MAX_LEVEL;
        if f64::from(table.q[band]) < min_step {
            table.q[band] = round_trip_u16(min_step * 1.001);
            table.z[band] = round_trip_u16(ZERO_BIN_RATIO * f64::from(table.q[band]));
        }
    }
}

/// Quantizes the coded subbands of a decomposed image, in subband order, into
/// `out` (cleared first).
pub(crate) fn quantize(
    data: &[f32],
    width: usize,
    bands: &[Band],
    table: &QuantTable,
    out: &mut Vec<i16>,
) {
    out.clear();
    for (band, geometry) in bands.iter().enumerate().take(CODED_BANDS) {
        let q = table.q[band];
        if q == 0.0 {
            continue;
        }
        let half_zero = table.z[band] / 2.0;
        let inv_q = 1.0 / q;
        for row in geometry.y..geometry.y + geometry.leny {
            let start = row * width + geometry.x;
            out.extend(data[start..start + geometry.lenx].iter().map(|&v| {
                let level = if -half_zero <= v && v <= half_zero {
                    0.0
                } else if v > 0.0 {
                    ((v - half_zero) * inv_q + 1.0).trunc()
                } else {
                    ((v + half_zero) * inv_q - 1.0).trunc()
                };
                level.clamp(-32767.0, 32767.0) as i16
            }));
        }
    }
}

/// Writes dequantized coefficients into `data` (zero where a subband is not
/// coded). `levels` holds the coded subbands in order; callers check its length.
pub(crate) fn dequantize(
    levels: &[i16],
    data: &mut [f32],
    width: usize,
    bands: &[Band],
    table: &QuantTable,
) {
    data.fill(0.0);
    let c = table.bin_center;
    let mut next = levels.iter();
    for (band, geometry) in bands.iter().enumerate().take(CODED_BANDS) {
        let q = table.q[band];
        if q == 0.0 {
            continue;
        }
        let half_zero = table.z[band] / 2.0;
        for row in geometry.y..geometry.y + geometry.leny {
            let start = row * width + geometry.x;
            for (v, &level) in data[start..start + geometry.lenx]
                .iter_mut()
                .zip(next.by_ref())
            {
                let l = f32::from(level);
                *v = match level {
                    0 => 0.0,
                    1.. => q * (l - c) + half_zero,
                    _ => q * (l + c) - half_zero,
                };
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn flat_image_codes_nothing() {
        let table = quant_table(&[0.0; CODED_BANDS], 0.75);
        assert!(table.q.iter().all(|&q| q == 0.0));
    }

    #[test]
    fn higher_bitrate_gives_finer_steps() {
        let mut var = [0f64; CODED_BANDS];
        for (i, v) in var.iter_mut().enumerate() {
            *v = 4000.0 / (1.0 + i as f64);
        }
        let coarse = quant_table(&var, 0.75);
        let fine = quant_table(&var, 2.25);
        assert!(coarse.q[0] > 0.0 && fine.q[0] > 0.0);
        assert!(fine.q[0] < coarse.q[0]);
        assert!((coarse.z[5] / coarse.q[5] - 1.2).abs() < 1e-3);
    }

    #[test]
    fn quantize_then_dequantize_stays_within_a_step() {
        let bands = [Band {
            x: 0,
            y: 0,
            lenx: 4,
            leny: 1,
        }];
        let mut table = QuantTable {
            bin_center: 0.44,
            q: [0.0; 64],
            z: [0.0; 64],
        };
        table.q[0] = 2.0;
        table.z[0] = 2.4;
        let data = [0.5f32, 5.0, -7.3, 1.3];
        let mut levels = Vec::new();
        quantize(&data, 4, &bands, &table, &mut levels);
        assert_eq!(levels, vec![0, 2, -4, 1]);
        let mut back = [0f32; 4];
        dequantize(&levels, &mut back, 4, &bands, &table);
        for (a, b) in data.iter().zip(&back) {
            assert!((a - b).abs() <= 2.0, "{a} vs {b}");
        }
    }
}
