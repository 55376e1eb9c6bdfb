//! WSQ's decimal numbers: an integer and a power-of-ten scale byte
//! (value = integer / 10^scale).

/// An unsigned 16-bit integer with a decimal scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scaled16 {
    pub scale: u8,
    pub value: u16,
}

impl Scaled16 {
    /// The stored form of a non-negative number, keeping as many digits as fit in
    /// 16 bits (as NBIS writes it). Numbers too large for 16 bits saturate.
    pub fn from_f64(v: f64) -> Self {
        let (scale, value) = to_scaled(v, f64::from(u16::MAX));
        Self {
            scale,
            value: value as u16,
        }
    }

    pub fn to_f64(self) -> f64 {
        f64::from(self.value) / 10f64.powi(i32::from(self.scale))
    }

    pub fn to_f32(self) -> f32 {
        self.to_f64() as f32
    }
}

/// An unsigned 32-bit integer with a sign byte and a decimal scale (filter taps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scaled32 {
    pub negative: bool,
    pub scale: u8,
    pub value: u32,
}

impl Scaled32 {
    pub fn from_f64(v: f64) -> Self {
        let (scale, value) = to_scaled(v.abs(), f64::from(u32::MAX));
        Self {
            negative: v < 0.0,
            scale,
            value: value as u32,
        }
    }

    pub fn to_f64(self) -> f64 {
        let magnitude = f64::from(self.value) / 10f64.powi(i32::from(self.scale));
        if self.negative { -magnitude } else { magnitude }
    }
}

/// Scale so that the integer has as many digits as fit below `max`.
fn to_scaled(v: f64, max: f64) -> (u8, u64) {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return (0, 0);
    }
    if v >= max {
        return (0, max as u64);
    }
    let mut scaled = v;
    let mut scale: u8 = 0;
    while scaled < max && scale < 250 {
        scale += 1;
        scaled *= 10.0;
    }
    ((scale - 1), (scaled / 10.0).round().min(max) as u64)
}

/// `v` as the decoder will read it back after storing it in 16 bits.
pub(crate) fn round_trip_u16(v: f64) -> f32 {
    Scaled16::from_f64(v).to_f32()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn scaled16_matches_nbis_examples() {
        // Values seen in an NBIS-written file: m_shift 173.67 and r_scale 1.3568.
        assert_eq!(
            Scaled16::from_f64(173.672_374),
            Scaled16 {
                scale: 2,
                value: 17367
            }
        );
        assert_eq!(
            Scaled16::from_f64(1.356_815),
            Scaled16 {
                scale: 4,
                value: 13568
            }
        );
        assert_eq!(Scaled16::from_f64(0.0), Scaled16 { scale: 0, value: 0 });
        assert_eq!(Scaled16::from_f64(1e9).value, u16::MAX);
    }

    #[test]
    fn scaled32_keeps_nine_digits_and_sign() {
        let s = Scaled32::from_f64(-0.852_698_679_009_403_4);
        assert!(s.negative);
        assert_eq!((s.scale, s.value), (9, 852_698_679));
        assert!((s.to_f64() + 0.852_698_679).abs() < 1e-9);
    }
}
