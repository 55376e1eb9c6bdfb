//! The two-channel wavelet filter bank: analysis (encoder) and synthesis (decoder)
//! with whole-sample symmetric extension at the signal ends, applied to the 20
//! splits of the decomposition tree.
//!
//! Low-pass outputs sit at even samples and high-pass outputs at odd samples, as in
//! the WSQ specification and NBIS; a split with "inversion" stores its high band
//! before its low band.

use super::tree::{SPLITS, Split};

/// The specification's 9-tap analysis low-pass filter (symmetric, centre at 4).
#[allow(clippy::excessive_precision)] // the digits as published
pub(crate) const ANALYSIS_LOW: [f64; 9] = [
    0.037_828_455_506_995_46,
    -0.023_849_465_019_380_00,
    -0.110_624_404_418_423_42,
    0.377_402_855_612_653_80,
    0.852_698_679_009_403_44,
    0.377_402_855_612_653_80,
    -0.110_624_404_418_423_42,
    -0.023_849_465_019_380_00,
    0.037_828_455_506_995_46,
];

/// The specification's 7-tap analysis high-pass filter (symmetric, centre at 3).
#[allow(clippy::excessive_precision)] // the digits as published
pub(crate) const ANALYSIS_HIGH: [f64; 7] = [
    0.064_538_882_628_938_45,
    -0.040_689_417_609_558_44,
    -0.418_092_273_222_212_21,
    0.788_485_616_405_664_39,
    -0.418_092_273_222_212_21,
    -0.040_689_417_609_558_44,
    0.064_538_882_628_938_45,
];

/// Index of sample `i` of a length-`n` signal after whole-sample symmetric
/// extension (…, x2, x1, x0, x1, x2, …, xn-2, xn-1, xn-2, …).
#[inline]
fn reflect(i: isize, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let n = n as isize;
    let period = 2 * (n - 1);
    let mut m = i.rem_euclid(period);
    if m >= n {
        m = period - m;
    }
    m as usize
}

/// Analysis filters (odd lengths, symmetric about their centres).
pub(crate) struct AnalysisBank {
    low: Vec<f32>,
    high: Vec<f32>,
}

impl AnalysisBank {
    pub fn standard() -> Self {
        Self {
            low: ANALYSIS_LOW.iter().map(|&c| c as f32).collect(),
            high: ANALYSIS_HIGH.iter().map(|&c| c as f32).collect(),
        }
    }
}

/// Synthesis filters as two interleaved kernels: output sample `n` is
/// `sum_t kernel[n % 2][t + reach] * y[n - t]`, where `y` interleaves the low band
/// (even samples) and the high band (odd samples).
pub(crate) struct SynthesisBank {
    reach: usize,
    kernels: [Vec<f32>; 2],
}

impl SynthesisBank {
    /// From the synthesis low-pass `g0` (applied to the low band) and high-pass
    /// `g1` (applied to the high band), both of odd length and centred.
    pub fn new(g0: &[f64], g1: &[f64]) -> Self {
        let b = (g0.len() / 2) as isize;
        let a = (g1.len() / 2) as isize;
        let reach = a.max(b);
        let mut kernels = [
            vec![0f32; 2 * reach as usize + 1],
            vec![0f32; 2 * reach as usize + 1],
        ];
        for (parity, kernel) in kernels.iter_mut().enumerate() {
            for t in -reach..=reach {
                // y[n - t] is a low-band sample when n - t is even.
                let low_band = (parity as isize - t).rem_euclid(2) == 0;
                let c = if low_band {
                    if t.abs() <= b {
                        g0[(b + t) as usize]
                    } else {
                        0.0
                    }
                } else if t.abs() <= a {
                    g1[(a + t) as usize]
                } else {
                    0.0
                };
                kernel[(t + reach) as usize] = c as f32;
            }
        }
        Self {
            reach: reach as usize,
            kernels,
        }
    }

    /// The synthesis bank that inverts [`AnalysisBank::standard`].
    #[cfg(test)]
    pub fn standard() -> Self {
        let (g0, g1) = synthesis_from_analysis(&ANALYSIS_LOW, &ANALYSIS_HIGH);
        Self::new(&g0, &g1)
    }
}

/// Synthesis filters from analysis filters by (-1)^n modulation about the centre:
/// `g0` from the analysis high-pass, `g1` from the analysis low-pass.
#[cfg(test)]
pub(crate) fn synthesis_from_analysis(low: &[f64], high: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let modulate = |f: &[f64]| -> Vec<f64> {
        let c = (f.len() / 2) as isize;
        f.iter()
            .enumerate()
            .map(|(i, &v)| if (i as isize - c) % 2 == 0 { v } else { -v })
            .collect()
    };
    (modulate(high), modulate(low))
}

/// Scratch space reused across splits.
pub(crate) struct Workspace {
    tmp: Vec<f32>,
    ext: Vec<f32>,
}

impl Workspace {
    pub fn new(len: usize) -> Self {
        Self {
            tmp: vec![0.0; len],
            ext: Vec::new(),
        }
    }
}

/// Forward transform of the whole image in place (`data` is `width` wide).
pub(crate) fn decompose(
    data: &mut [f32],
    width: usize,
    splits: &[Split; SPLITS],
    bank: &AnalysisBank,
    ws: &mut Workspace,
) {
    for split in splits {
        if split.lenx == 0 || split.leny == 0 {
            continue;
        }
        analyze_rows(data, &mut ws.tmp, width, split, bank, &mut ws.ext);
        analyze_cols(&ws.tmp, data, width, split, bank);
    }
}

/// Inverse transform of the whole image in place.
pub(crate) fn reconstruct(
    data: &mut [f32],
    width: usize,
    splits: &[Split; SPLITS],
    bank: &SynthesisBank,
    ws: &mut Workspace,
) {
    for split in splits.iter().rev() {
        if split.lenx == 0 || split.leny == 0 {
            continue;
        }
        synthesize_cols(data, &mut ws.tmp, width, split, bank);
        synthesize_rows(&ws.tmp, data, width, split, bank, &mut ws.ext);
    }
}

/// Fills `ext` with `signal` extended by `pad` reflected samples on each side.
fn extend(signal: &[f32], pad: usize, ext: &mut Vec<f32>) {
    let n = signal.len();
    ext.clear();
    ext.reserve(n + 2 * pad);
    for i in (1..=pad).rev() {
        ext.push(signal[reflect(-(i as isize), n)]);
    }
    ext.extend_from_slice(signal);
    for i in 0..pad {
        ext.push(signal[reflect((n + i) as isize, n)]);
    }
}

fn analyze_rows(
    src: &[f32],
    dst: &mut [f32],
    stride: usize,
    s: &Split,
    bank: &AnalysisBank,
    ext: &mut Vec<f32>,
) {
    let n = s.lenx;
    let llen = n.div_ceil(2);
    let hlen = n / 2;
    let a = bank.low.len() / 2;
    let b = bank.high.len() / 2;
    let pad = a.max(b + 1);
    for r in s.y..s.y + s.leny {
        let start = r * stride + s.x;
        extend(&src[start..start + n], pad, ext);
        let out = &mut dst[start..start + n];
        let (low_out, high_out) = if s.inv_rows {
            let (h, l) = out.split_at_mut(hlen);
            (l, h)
        } else {
            out.split_at_mut(llen)
        };
        for (k, o) in low_out.iter_mut().enumerate() {
            let base = pad + 2 * k - a;
            let window = &ext[base..base + bank.low.len()];
            *o = window.iter().zip(&bank.low).map(|(x, c)| x * c).sum();
        }
        for (k, o) in high_out.iter_mut().enumerate() {
            let base = pad + 2 * k + 1 - b;
            let window = &ext[base..base + bank.high.len()];
            *o = window.iter().zip(&bank.high).map(|(x, c)| x * c).sum();
        }
    }
}

/// Adds `c * src_row` to `dst_row`.
#[inline]
fn axpy(dst_row: &mut [f32], src_row: &[f32], c: f32) {
    for (d, s) in dst_row.iter_mut().zip(src_row) {
        *d += c * s;
    }
}

fn analyze_cols(src: &[f32], dst: &mut [f32], stride: usize, s: &Split, bank: &AnalysisBank) {
    let n = s.leny;
    let llen = n.div_ceil(2);
    let hlen = n / 2;
    let row = |r: usize| (s.y + r) * stride + s.x;
    let filters: [(&[f32], usize, usize, usize); 2] = [
        (&bank.low, 0, llen, if s.inv_cols { hlen } else { 0 }),
        (&bank.high, 1, hlen, if s.inv_cols { 0 } else { llen }),
    ];
    for (filter, phase, count, first_out) in filters {
        let half = (filter.len() / 2) as isize;
        for k in 0..count {
            let out_start = row(first_out + k);
            let centre = (2 * k + phase) as isize;
            // Rows of src and dst never alias: they are different buffers.
            let dst_row = &mut dst[out_start..out_start + s.lenx];
            dst_row.fill(0.0);
            for (i, &c) in filter.iter().enumerate() {
                let r = reflect(centre + i as isize - half, n);
                let src_start = row(r);
                axpy(dst_row, &src[src_start..src_start + s.lenx], c);
            }
        }
    }
}

/// Position, within a split's stored band layout, of interleaved sample `p`.
#[inline]
fn stored_index(p: usize, llen: usize, hlen: usize, inverted: bool) -> usize {
    if p.is_multiple_of(2) {
        if inverted { hlen + p / 2 } else { p / 2 }
    } else if inverted {
        p / 2
    } else {
        llen + p / 2
    }
}

fn synthesize_cols(src: &[f32], dst: &mut [f32], stride: usize, s: &Split, bank: &SynthesisBank) {
    let n = s.leny;
    let llen = n.div_ceil(2);
    let hlen = n / 2;
    let reach = bank.reach as isize;
    let row = |r: usize| (s.y + r) * stride + s.x;
    for out in 0..n {
        let kernel = &bank.kernels[out % 2];
        let out_start = row(out);
        let dst_row = &mut dst[out_start..out_start + s.lenx];
        dst_row.fill(0.0);
        for (i, &c) in kernel.iter().enumerate() {
            if c == 0.0 {
                continue;
            }
            let t = i as isize - reach;
            let p = reflect(out as isize - t, n);
            let src_start = row(stored_index(p, llen, hlen, s.inv_cols));
            axpy(dst_row, &src[src_start..src_start + s.lenx], c);
        }
    }
}

fn synthesize_rows(
    src: &[f32],
    dst: &mut [f32],
    stride: usize,
    s: &Split,
    bank: &SynthesisBank,
    ext: &mut Vec<f32>,
) {
    let n = s.lenx;
    let llen = n.div_ceil(2);
    let hlen = n / 2;
    let reach = bank.reach;
    let width = 2 * reach + 1;
    let mut interleaved = vec![0f32; n];
    for r in s.y..s.y + s.leny {
        let start = r * stride + s.x;
        let stored = &src[start..start + n];
        for (p, v) in interleaved.iter_mut().enumerate() {
            *v = stored[stored_index(p, llen, hlen, s.inv_rows)];
        }
        extend(&interleaved, reach, ext);
        let out = &mut dst[start..start + n];
        for (m, o) in out.iter_mut().enumerate() {
            // out[m] = sum_t kernel[t + reach] * y[m - t]; y[m - t] = ext[reach + m - t].
            let kernel = &bank.kernels[m % 2];
            let window = &ext[m..m + width];
            *o = kernel
                .iter()
                .zip(window.iter().rev())
                .map(|(c, x)| c * x)
                .sum();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::tree::Trees;
    use super::*;

    #[test]
    fn reflect_is_whole_sample_symmetric() {
        let got: Vec<usize> = (-4..9).map(|i| reflect(i, 5)).collect();
        assert_eq!(got, vec![4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0]);
        assert_eq!(reflect(7, 1), 0);
    }

    #[test]
    fn synthesis_filters_have_unit_dc_gain() {
        let (g0, g1) = synthesis_from_analysis(&ANALYSIS_LOW, &ANALYSIS_HIGH);
        let low_gain: f64 = ANALYSIS_LOW.iter().sum::<f64>() * g0.iter().sum::<f64>();
        assert!((low_gain - 2.0).abs() < 1e-6, "{low_gain}");
        assert!(g1.iter().sum::<f64>().abs() < 1e-6);
    }

    /// Analysis followed by synthesis gives the input back (perfect reconstruction),
    /// for even and odd sizes.
    #[test]
    fn transform_round_trip_is_perfect() {
        for (w, h) in [(128, 128), (97, 131), (256, 180), (81, 83)] {
            let original: Vec<f32> = (0..w * h)
                .map(|i| {
                    let (x, y) = ((i % w) as f32, (i / w) as f32);
                    (x * 0.37).sin() * 60.0 + (y * 0.11).cos() * 40.0 + ((i * 31) % 17) as f32
                })
                .collect();
            let trees = Trees::new(w, h);
            let mut data = original.clone();
            let mut ws = Workspace::new(w * h);
            decompose(
                &mut data,
                w,
                &trees.splits,
                &AnalysisBank::standard(),
                &mut ws,
            );
            assert!(data.iter().zip(&original).any(|(a, b)| (a - b).abs() > 1.0));
            reconstruct(
                &mut data,
                w,
                &trees.splits,
                &SynthesisBank::standard(),
                &mut ws,
            );
            let worst = data
                .iter()
                .zip(&original)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-2, "{w}x{h}: worst error {worst}");
        }
    }
}
