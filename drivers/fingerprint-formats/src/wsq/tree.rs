//! Where the 20 wavelet splits and the 64 subbands lie in an image of a given size
//! (the WSQ specification's decomposition trees, laid out exactly as NBIS does).

/// One 2-D split of the wavelet decomposition: a rectangle that is filtered along
/// rows then columns, and whether its high band is stored first (spectral inversion).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Split {
    pub x: usize,
    pub y: usize,
    pub lenx: usize,
    pub leny: usize,
    pub inv_rows: bool,
    pub inv_cols: bool,
}

/// One subband: a rectangle of quantized coefficients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Band {
    pub x: usize,
    pub y: usize,
    pub lenx: usize,
    pub leny: usize,
}

impl Band {
    pub fn area(&self) -> usize {
        self.lenx * self.leny
    }
}

pub(crate) const SPLITS: usize = 20;
pub(crate) const BANDS: usize = 64;
/// Subbands 60-63 (the highest-frequency quarter) are never coded.
pub(crate) const CODED_BANDS: usize = 60;
/// First subband of the second and third entropy-coded blocks.
pub(crate) const BLOCK2_START: usize = 19;
pub(crate) const BLOCK3_START: usize = 52;

/// Both trees for one image size.
#[derive(Debug, Clone)]
pub(crate) struct Trees {
    pub splits: [Split; SPLITS],
    pub bands: [Band; BANDS],
}

impl Trees {
    /// The trees for a `width` x `height` image. Callers guarantee both are at least
    /// [`super::MIN_DIMENSION`], so no length underflows.
    pub fn new(width: usize, height: usize) -> Self {
        let splits = build_splits(width, height);
        let bands = build_bands(&splits);
        Self { splits, bands }
    }

    /// The shortest signal any split filters: the symmetric extension is a single
    /// reflection (as NBIS computes it) only when this is at least 5.
    pub fn shortest_filtered_len(&self) -> usize {
        self.splits
            .iter()
            .map(|s| s.lenx.min(s.leny))
            .min()
            .unwrap_or(0)
    }

    /// Number of coefficients in each of the three blocks, counting only the
    /// subbands whose quantizer step is not zero.
    pub fn block_sizes(&self, coded: &[bool; CODED_BANDS]) -> [usize; 3] {
        let mut sizes = [0usize; 3];
        for (band, (geometry, &is_coded)) in self.bands.iter().zip(coded.iter()).enumerate() {
            if !is_coded {
                continue;
            }
            let block = if band < BLOCK2_START {
                0
            } else if band < BLOCK3_START {
                1
            } else {
                2
            };
            sizes[block] += geometry.area();
        }
        sizes
    }
}

fn half_up(n: usize) -> usize {
    n.div_ceil(2)
}

fn build_splits(width: usize, height: usize) -> [Split; SPLITS] {
    let mut w = [Split::default(); SPLITS];
    for i in [2, 4, 7, 9, 11, 13, 16, 18] {
        w[i].inv_rows = true;
    }
    for i in [3, 5, 8, 9, 12, 13, 17, 18] {
        w[i].inv_cols = true;
    }

    split4(&mut w, 0, 1, width, height, 0, 0, true);

    let (lenx, lenx2) = if w[1].lenx % 2 == 0 {
        (w[1].lenx / 2, w[1].lenx / 2)
    } else {
        let l = half_up(w[1].lenx);
        (l, l - 1)
    };
    let (leny, leny2) = if w[1].leny % 2 == 0 {
        (w[1].leny / 2, w[1].leny / 2)
    } else {
        let l = half_up(w[1].leny);
        (l, l - 1)
    };

    split4(&mut w, 4, 6, lenx2, leny, lenx, 0, false);
    split4(&mut w, 5, 10, lenx, leny2, 0, leny, false);
    split4(&mut w, 14, 15, lenx, leny, 0, 0, false);

    w[19].x = 0;
    w[19].y = 0;
    w[19].lenx = half_up(w[15].lenx);
    w[19].leny = half_up(w[15].leny);
    w
}

/// Places split `start1` at (x, y) with the given size and its four quadrants at
/// `start2..start2 + 4` (the fourth only when `last_level` is false).
#[allow(clippy::too_many_arguments)] // mirrors the specification's procedure
fn split4(
    w: &mut [Split; SPLITS],
    start1: usize,
    start2: usize,
    lenx: usize,
    leny: usize,
    x: usize,
    y: usize,
    last_level: bool,
) {
    let p1 = start1;
    let p2 = start2;
    w[p1].x = x;
    w[p1].y = y;
    w[p1].lenx = lenx;
    w[p1].leny = leny;

    w[p2].x = x;
    w[p2 + 2].x = x;
    w[p2].y = y;
    w[p2 + 1].y = y;

    if lenx.is_multiple_of(2) {
        w[p2].lenx = lenx / 2;
        w[p2 + 1].lenx = w[p2].lenx;
    } else if p1 == 4 {
        w[p2].lenx = (lenx - 1) / 2;
        w[p2 + 1].lenx = w[p2].lenx + 1;
    } else {
        w[p2].lenx = lenx.div_ceil(2);
        w[p2 + 1].lenx = w[p2].lenx - 1;
    }
    w[p2 + 1].x = w[p2].lenx + x;
    if !last_level {
        w[p2 + 3].lenx = w[p2 + 1].lenx;
        w[p2 + 3].x = w[p2 + 1].x;
    }
    w[p2 + 2].lenx = w[p2].lenx;

    if leny.is_multiple_of(2) {
        w[p2].leny = leny / 2;
        w[p2 + 2].leny = w[p2].leny;
    } else if p1 == 5 {
        w[p2].leny = (leny - 1) / 2;
        w[p2 + 2].leny = w[p2].leny + 1;
    } else {
        w[p2].leny = leny.div_ceil(2);
        w[p2 + 2].leny = w[p2].leny - 1;
    }
    w[p2 + 2].y = w[p2].leny + y;
    if !last_level {
        w[p2 + 3].leny = w[p2 + 2].leny;
        w[p2 + 3].y = w[p2 + 2].y;
    }
    w[p2 + 1].leny = w[p2].leny;
}

fn build_bands(w: &[Split; SPLITS]) -> [Band; BANDS] {
    let mut q = [Band::default(); BANDS];
    bands16(&mut q, 3, &w[14], false, false);
    bands16(&mut q, 19, &w[4], false, true);
    bands16(&mut q, 48, &w[0], false, false);
    bands16(&mut q, 35, &w[5], true, false);
    bands4(&mut q, 0, w[19].lenx, w[19].leny, w[19].x, w[19].y);
    q
}

/// Places a 4x4 group of subbands covering split `s`, starting at index `p`.
/// `rows_inverted` / `cols_inverted` say which half of an odd length is the larger.
fn bands16(q: &mut [Band; BANDS], p: usize, s: &Split, rows_inverted: bool, cols_inverted: bool) {
    let (lenx, leny, x, y) = (s.lenx, s.leny, s.x, s.y);

    let (tempx, temp2x) = if lenx % 2 == 0 {
        (lenx / 2, lenx / 2)
    } else if cols_inverted {
        let t2 = lenx.div_ceil(2);
        (t2 - 1, t2)
    } else {
        let t = lenx.div_ceil(2);
        (t, t - 1)
    };
    let (tempy, temp2y) = if leny % 2 == 0 {
        (leny / 2, leny / 2)
    } else if rows_inverted {
        let t2 = leny.div_ceil(2);
        (t2 - 1, t2)
    } else {
        let t = leny.div_ceil(2);
        (t, t - 1)
    };

    q[p].x = x;
    q[p + 2].x = x;
    q[p].y = y;
    q[p + 1].y = y;
    if tempx % 2 == 0 {
        q[p].lenx = tempx / 2;
        q[p + 1].lenx = q[p].lenx;
        q[p + 2].lenx = q[p].lenx;
        q[p + 3].lenx = q[p].lenx;
    } else {
        q[p].lenx = tempx.div_ceil(2);
        q[p + 1].lenx = q[p].lenx - 1;
        q[p + 2].lenx = q[p].lenx;
        q[p + 3].lenx = q[p + 1].lenx;
    }
    q[p + 1].x = x + q[p].lenx;
    q[p + 3].x = q[p + 1].x;
    if tempy % 2 == 0 {
        q[p].leny = tempy / 2;
        q[p + 1].leny = q[p].leny;
        q[p + 2].leny = q[p].leny;
        q[p + 3].leny = q[p].leny;
    } else {
        q[p].leny = tempy.div_ceil(2);
        q[p + 1].leny = q[p].leny;
        q[p + 2].leny = q[p].leny - 1;
        q[p + 3].leny = q[p + 2].leny;
    }
    q[p + 2].y = y + q[p].leny;
    q[p + 3].y = q[p + 2].y;

    q[p + 4].x = x + tempx;
    q[p + 6].x = q[p + 4].x;
    q[p + 4].y = y;
    q[p + 5].y = y;
    q[p + 6].y = q[p + 2].y;
    q[p + 7].y = q[p + 2].y;
    q[p + 4].leny = q[p].leny;
    q[p + 5].leny = q[p].leny;
    q[p + 6].leny = q[p + 2].leny;
    q[p + 7].leny = q[p + 2].leny;
    if temp2x % 2 == 0 {
        q[p + 4].lenx = temp2x / 2;
        q[p + 5].lenx = q[p + 4].lenx;
        q[p + 6].lenx = q[p + 4].lenx;
        q[p + 7].lenx = q[p + 4].lenx;
    } else {
        q[p + 5].lenx = temp2x.div_ceil(2);
        q[p + 4].lenx = q[p + 5].lenx - 1;
        q[p + 6].lenx = q[p + 4].lenx;
        q[p + 7].lenx = q[p + 5].lenx;
    }
    q[p + 5].x = q[p + 4].x + q[p + 4].lenx;
    q[p + 7].x = q[p + 5].x;

    q[p + 8].x = x;
    q[p + 9].x = q[p + 1].x;
    q[p + 10].x = x;
    q[p + 11].x = q[p + 1].x;
    q[p + 8].y = y + tempy;
    q[p + 9].y = q[p + 8].y;
    q[p + 8].lenx = q[p].lenx;
    q[p + 9].lenx = q[p + 1].lenx;
    q[p + 10].lenx = q[p].lenx;
    q[p + 11].lenx = q[p + 1].lenx;
    if temp2y % 2 == 0 {
        q[p + 8].leny = temp2y / 2;
        q[p + 9].leny = q[p + 8].leny;
        q[p + 10].leny = q[p + 8].leny;
        q[p + 11].leny = q[p + 8].leny;
    } else {
        q[p + 10].leny = temp2y.div_ceil(2);
        q[p + 11].leny = q[p + 10].leny;
        q[p + 8].leny = q[p + 10].leny - 1;
        q[p + 9].leny = q[p + 8].leny;
    }
    q[p + 10].y = q[p + 8].y + q[p + 8].leny;
    q[p + 11].y = q[p + 10].y;

    q[p + 12].x = q[p + 4].x;
    q[p + 13].x = q[p + 5].x;
    q[p + 14].x = q[p + 4].x;
    q[p + 15].x = q[p + 5].x;
    q[p + 12].y = q[p + 8].y;
    q[p + 13].y = q[p + 8].y;
    q[p + 14].y = q[p + 10].y;
    q[p + 15].y = q[p + 10].y;
    q[p + 12].lenx = q[p + 4].lenx;
    q[p + 13].lenx = q[p + 5].lenx;
    q[p + 14].lenx = q[p + 4].lenx;
    q[p + 15].lenx = q[p + 5].lenx;
    q[p + 12].leny = q[p + 8].leny;
    q[p + 13].leny = q[p + 8].leny;
    q[p + 14].leny = q[p + 10].leny;
    q[p + 15].leny = q[p + 10].leny;
}

/// Places a 2x2 group of subbands at index `p`.
fn bands4(q: &mut [Band; BANDS], p: usize, lenx: usize, leny: usize, x: usize, y: usize) {
    q[p].x = x;
    q[p + 2].x = x;
    q[p].y = y;
    q[p + 1].y = y;
    if lenx.is_multiple_of(2) {
        q[p].lenx = lenx / 2;
        q[p + 1].lenx = q[p].lenx;
        q[p + 2].lenx = q[p].lenx;
        q[p + 3].lenx = q[p].lenx;
    } else {
        q[p].lenx = lenx.div_ceil(2);
        q[p + 1].lenx = q[p].lenx - 1;
        q[p + 2].lenx = q[p].lenx;
        q[p + 3].lenx = q[p + 1].lenx;
    }
    q[p + 1].x = x + q[p].lenx;
    q[p + 3].x = q[p + 1].x;
    if leny.is_multiple_of(2) {
        q[p].leny = leny / 2;
        q[p + 1].leny = q[p].leny;
        q[p + 2].leny = q[p].leny;
        q[p + 3].leny = q[p].leny;
    } else {
        q[p].leny = leny.div_ceil(2);
        q[p + 1].leny = q[p].leny;
        q[p + 2].leny = q[p].leny - 1;
        q[p + 3].leny = q[p + 2].leny;
    }
    q[p + 2].y = y + q[p].leny;
    q[p + 3].y = q[p + 2].y;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The 64 subbands tile the image exactly: every pixel in exactly one band.
    #[test]
    fn bands_partition_the_image() {
        for (w, h) in [
            (256, 256),
            (256, 180),
            (545, 622),
            (97, 131),
            (800, 750),
            (81, 83),
        ] {
            let trees = Trees::new(w, h);
            let mut cover = vec![0u8; w * h];
            for band in &trees.bands {
                for y in band.y..band.y + band.leny {
                    for x in band.x..band.x + band.lenx {
                        cover[y * w + x] += 1;
                    }
                }
            }
            assert!(cover.iter().all(|&c| c == 1), "{w}x{h} not tiled exactly");
        }
    }

    /// Building the trees never underflows for any size the decoder may see before
    /// it rejects small ones, and 65 is the smallest width with 5-sample splits.
    #[test]
    fn small_sizes_build_without_panic() {
        for w in 32..=80 {
            for h in [32, 33, 47, 64, 65, 80] {
                let t = Trees::new(w, h);
                assert_eq!(
                    t.shortest_filtered_len() >= 5,
                    w >= 65 && h >= 65,
                    "{w}x{h}"
                );
            }
        }
    }

    /// Block sizes agree with NBIS's way of computing them from the split tree.
    #[test]
    fn block_sizes_match_split_tree_formula() {
        for (w, h) in [(256, 256), (256, 180), (545, 622), (97, 131)] {
            let t = Trees::new(w, h);
            let s = &t.splits;
            let nbis = [
                s[14].lenx * s[14].leny,
                s[5].leny * s[1].lenx + s[4].lenx * s[4].leny,
                s[2].lenx * s[2].leny + s[3].lenx * s[3].leny,
            ];
            assert_eq!(t.block_sizes(&[true; CODED_BANDS]), nbis, "{w}x{h}");
        }
    }
}
