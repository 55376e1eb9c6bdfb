//! WSQ (Wavelet Scalar Quantization), the FBI's fingerprint image compression
//! (IAFIS-IC-0110 v3), for 8-bit grayscale images, typically at 500 ppi.
//!
//! The encoder follows the specification as NIST NBIS implements it: a 64-subband
//! decomposition with the 9/7 biorthogonal filter bank, adaptive uniform scalar
//! quantization that meets a target bitrate, and two Huffman tables over three
//! blocks. Files written here decode with NBIS and NBIS's files decode here.
//!
//! [`decode`] is total: every input gives an image or a [`WsqError`], never a panic,
//! and it allocates at most a few bytes per pixel of an image no larger than
//! [`DecodeLimits::max_pixels`].

mod bits;
mod decoder;
mod encoder;
mod huffman;
mod quant;
mod scaled;
mod transform;
mod tree;

use crate::ImageError;

pub use decoder::{decode, decode_with_limits, read_header};
pub use encoder::encode;

/// The bitrate the FBI and NBIS use for 500 ppi fingerprints (about 15:1).
pub const STANDARD_BITRATE: f32 = 0.75;

/// Largest image, in pixels, that [`decode`] accepts by default: a 4096 x 4096
/// palm at 1000 ppi fits; any reader here gives far less.
pub const DEFAULT_MAX_PIXELS: u64 = 4096 * 4096;

/// Bounds on what the decoder accepts (and so allocates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest `width * height` accepted.
    pub max_pixels: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

/// What the frame header and the NIST comment of a WSQ file say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsqHeader {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Scan resolution from the NISTCOM comment, when present.
    pub ppi: Option<u16>,
}

/// A decoded WSQ file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsqImage {
    /// The reconstructed image.
    pub image: GrayImage,
    /// Scan resolution from the NISTCOM comment, when present.
    pub ppi: Option<u16>,
}

use crate::GrayImage;

/// Why WSQ encoding or decoding failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WsqError {
    /// The image's pixel buffer does not match its size.
    #[error(transparent)]
    InvalidImage(#[from] ImageError),
    /// Too small for the 5-level wavelet decomposition.
    #[error(
        "Gambar {width}x{height} terlalu kecil untuk WSQ (minimal 65 piksel per sisi). Ambil ulang sidik jari. / \
         A {width}x{height} image is too small for WSQ (at least 65 pixels per side). Capture the fingerprint again."
    )]
    ImageTooSmall {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Larger than WSQ can state (65535 per side) or than the decoder's limit.
    #[error(
        "Gambar {width}x{height} terlalu besar (batas {max_pixels} piksel, 65535 per sisi). Periksa sumber gambar. / \
         A {width}x{height} image is too large (limit {max_pixels} pixels, 65535 per side). Check the image source."
    )]
    ImageTooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The pixel limit in force.
        max_pixels: u64,
    },
    /// The bitrate is not a positive number up to 8 bits per pixel.
    #[error(
        "Laju bit WSQ {0} tidak sah (harus di atas 0 dan paling banyak 8; bakunya 0,75). / \
         WSQ bitrate {0} is invalid (must be above 0 and at most 8; the standard is 0.75)."
    )]
    InvalidBitrate(f32),
    /// The data does not start with a WSQ start-of-image marker.
    #[error(
        "Data ini bukan berkas WSQ. Periksa berkas yang dipilih. / This data is not a WSQ file. Check the chosen file."
    )]
    NotWsq,
    /// The data ends before the end-of-image marker.
    #[error(
        "Berkas WSQ terpotong. Salin ulang berkasnya. / The WSQ file is truncated. Copy the file again."
    )]
    Truncated,
    /// A marker that does not belong where it was found.
    #[error(
        "Berkas WSQ rusak: penanda {marker:#06X} tak terduga di bita {offset}. / \
         Corrupt WSQ file: unexpected marker {marker:#06X} at byte {offset}."
    )]
    UnexpectedMarker {
        /// The marker found.
        marker: u16,
        /// Where it starts.
        offset: usize,
    },
    /// A marker segment whose content is inconsistent.
    #[error(
        "Berkas WSQ rusak: segmen {marker:#06X} tidak sah ({reason}). / Corrupt WSQ file: invalid {marker:#06X} segment ({reason})."
    )]
    BadSegment {
        /// The segment's marker.
        marker: u16,
        /// What is wrong.
        reason: &'static str,
    },
    /// Image data came before a table it needs.
    #[error("Berkas WSQ rusak: tabel {0} tidak ada. / Corrupt WSQ file: the {0} table is missing.")]
    MissingTable(&'static str),
    /// A filter bank other than odd-length symmetric filters.
    #[error(
        "Berkas WSQ memakai filter {low}/{high} ketuk yang tidak didukung. / \
         The WSQ file uses an unsupported {low}/{high}-tap filter bank."
    )]
    UnsupportedFilter {
        /// Low-pass taps.
        low: u8,
        /// High-pass taps.
        high: u8,
    },
    /// A Huffman table whose code lengths cannot form a code.
    #[error(
        "Berkas WSQ rusak: tabel Huffman tidak sah. / Corrupt WSQ file: invalid Huffman table."
    )]
    CorruptHuffmanTable,
    /// The entropy-coded image data is inconsistent.
    #[error("Berkas WSQ rusak: {reason}. / Corrupt WSQ file: {reason}.")]
    CorruptData {
        /// What is wrong.
        reason: &'static str,
    },
}

/// WSQ markers.
pub(crate) mod marker {
    pub const SOI: u16 = 0xFFA0;
    pub const EOI: u16 = 0xFFA1;
    pub const SOF: u16 = 0xFFA2;
    pub const SOB: u16 = 0xFFA3;
    pub const DTT: u16 = 0xFFA4;
    pub const DQT: u16 = 0xFFA5;
    pub const DHT: u16 = 0xFFA6;
    pub const COM: u16 = 0xFFA8;
}

/// Symbols of the WSQ entropy code (values 107..=254 are coefficients - 180).
pub(crate) mod symbol {
    /// Runs of 1..=100 zeros are their own symbols.
    pub const MAX_ZERO_RUN: u8 = 100;
    pub const POS_8: u8 = 101;
    pub const NEG_8: u8 = 102;
    pub const POS_16: u8 = 103;
    pub const NEG_16: u8 = 104;
    pub const RUN_8: u8 = 105;
    pub const RUN_16: u8 = 106;
    /// Coefficients -73..=74 are coded directly as `180 + value`.
    pub const COEFF_OFFSET: i32 = 180;
    pub const MIN_DIRECT: i32 = -73;
    pub const MAX_DIRECT: i32 = 74;
}

/// Checks that an image size can be WSQ-coded; returns the trees for it.
pub(crate) fn check_size(
    width: u32,
    height: u32,
    max_pixels: u64,
) -> Result<tree::Trees, WsqError> {
    let pixels = u64::from(width) * u64::from(height);
    if width > u32::from(u16::MAX) || height > u32::from(u16::MAX) || pixels > max_pixels {
        return Err(WsqError::ImageTooLarge {
            width,
            height,
            max_pixels,
        });
    }
    // Below 32 a split would be empty; below 5 samples the filters reach past a
    // single reflection, which NBIS does not compute.
    if width < 32 || height < 32 {
        return Err(WsqError::ImageTooSmall { width, height });
    }
    let trees = tree::Trees::new(width as usize, height as usize);
    if trees.shortest_filtered_len() < 5 {
        return Err(WsqError::ImageTooSmall { width, height });
    }
    Ok(trees)
}
