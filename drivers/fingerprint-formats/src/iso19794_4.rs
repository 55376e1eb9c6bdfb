//! ISO/IEC 19794-4:2005 finger image records: a person's set of finger images
//! (one view per finger) in one binary record, with the images WSQ-compressed or
//! uncompressed. [`write_record`] builds a record; [`parse_record`] reads one back.
//!
//! Layout (all numbers big-endian; see `docs/fingerprint-formats.md`):
//! a 32-byte general record header, then per finger a 14-byte finger image header
//! followed by the image data.

use crate::wsq::{self, WsqError};
use crate::{GrayImage, ImageError};

/// Format identifier: "FIR" and a NUL.
pub const FORMAT_ID: [u8; 4] = *b"FIR\0";
/// Version of the 2005 edition: "010" and a NUL.
pub const VERSION: [u8; 4] = *b"010\0";
/// Bytes of the general record header.
pub const GENERAL_HEADER_LEN: usize = 32;
/// Bytes of each finger image header.
pub const FINGER_HEADER_LEN: usize = 14;

/// Finger position codes 1-10 (ISO/IEC 19794-4 table 2, as ANSI/NIST-ITL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum FingerPosition {
    /// Right thumb (1).
    RightThumb = 1,
    /// Right index finger (2).
    RightIndex = 2,
    /// Right middle finger (3).
    RightMiddle = 3,
    /// Right ring finger (4).
    RightRing = 4,
    /// Right little finger (5).
    RightLittle = 5,
    /// Left thumb (6).
    LeftThumb = 6,
    /// Left index finger (7).
    LeftIndex = 7,
    /// Left middle finger (8).
    LeftMiddle = 8,
    /// Left ring finger (9).
    LeftRing = 9,
    /// Left little finger (10).
    LeftLittle = 10,
}

impl FingerPosition {
    /// All ten fingers in code order.
    pub const ALL: [FingerPosition; 10] = [
        Self::RightThumb,
        Self::RightIndex,
        Self::RightMiddle,
        Self::RightRing,
        Self::RightLittle,
        Self::LeftThumb,
        Self::LeftIndex,
        Self::LeftMiddle,
        Self::LeftRing,
        Self::LeftLittle,
    ];

    /// The position code (1-10).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The finger for a position code, if it is 1-10.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// How the finger was captured (ISO/IEC 19794-4 table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ImpressionType {
    /// Live-scan plain (0): a finger laid on a reader, as at the counter.
    LiveScanPlain = 0,
    /// Live-scan rolled (1).
    LiveScanRolled = 1,
    /// Non-live-scan plain (2), e.g. ink on a card.
    NonLiveScanPlain = 2,
    /// Non-live-scan rolled (3).
    NonLiveScanRolled = 3,
    /// Swipe (8), from a swipe sensor.
    Swipe = 8,
}

impl ImpressionType {
    /// The code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The impression type for a code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::LiveScanPlain),
            1 => Some(Self::LiveScanRolled),
            2 => Some(Self::NonLiveScanPlain),
            3 => Some(Self::NonLiveScanRolled),
            8 => Some(Self::Swipe),
            _ => None,
        }
    }
}

/// Image compression algorithm codes (ISO/IEC 19794-4 table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CompressionCode {
    /// Uncompressed, one byte per pixel (0).
    Uncompressed = 0,
    /// Uncompressed, bit-packed (1).
    UncompressedBitPacked = 1,
    /// WSQ (2).
    Wsq = 2,
    /// JPEG (3).
    Jpeg = 3,
    /// JPEG 2000 (4).
    Jpeg2000 = 4,
    /// PNG (5).
    Png = 5,
}

impl CompressionCode {
    /// The code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The algorithm for a code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Uncompressed),
            1 => Some(Self::UncompressedBitPacked),
            2 => Some(Self::Wsq),
            3 => Some(Self::Jpeg),
            4 => Some(Self::Jpeg2000),
            5 => Some(Self::Png),
            _ => None,
        }
    }
}

/// One finger's image as captured: pixels, or an already WSQ-compressed file.
#[derive(Debug, Clone, PartialEq)]
pub enum FingerImageData {
    /// 8-bit grayscale pixels.
    Raw(GrayImage),
    /// A WSQ file (as from [`wsq::encode`]).
    Wsq(Vec<u8>),
}

/// One finger of a person's set.
#[derive(Debug, Clone, PartialEq)]
pub struct FingerCapture {
    /// Which finger.
    pub position: FingerPosition,
    /// Quality score 0-100.
    pub quality: u8,
    /// The image.
    pub image: FingerImageData,
}

/// How the record stores the images.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Compression {
    /// One byte per pixel, no compression.
    Uncompressed,
    /// WSQ; raw images are encoded at this bitrate, WSQ files are kept as given.
    Wsq {
        /// Bits per pixel for images given as pixels (0.75 is standard).
        bitrate: f32,
    },
}

/// Record-wide settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordOptions {
    /// How images are stored.
    pub compression: Compression,
    /// How the fingers were captured.
    pub impression: ImpressionType,
    /// Scan and image resolution in pixels per inch.
    pub ppi: u16,
    /// Vendor's capture device identifier (0 = not given).
    pub capture_device_id: u16,
}

impl Default for RecordOptions {
    /// WSQ at 0.75 bits per pixel, live-scan plain, 500 ppi.
    fn default() -> Self {
        Self {
            compression: Compression::Wsq {
                bitrate: wsq::STANDARD_BITRATE,
            },
            impression: ImpressionType::LiveScanPlain,
            ppi: 500,
            capture_device_id: 0,
        }
    }
}

/// One finger view as read from a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerView {
    /// Which finger.
    pub position: FingerPosition,
    /// Views of this finger in the record.
    pub view_count: u8,
    /// This view's number (from 1).
    pub view_number: u8,
    /// Quality score 0-100.
    pub quality: u8,
    /// How it was captured.
    pub impression: ImpressionType,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// The image data, compressed as the record's header says.
    pub data: Vec<u8>,
}

/// A parsed finger image record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerImageRecord {
    /// Vendor's capture device identifier.
    pub capture_device_id: u16,
    /// Image acquisition level (31 = 500 ppi, 8 bits).
    pub acquisition_level: u16,
    /// 1 = pixels per inch, 2 = pixels per centimetre.
    pub scale_units: u8,
    /// Horizontal scan resolution.
    pub scan_resolution_x: u16,
    /// Vertical scan resolution.
    pub scan_resolution_y: u16,
    /// Horizontal image resolution.
    pub image_resolution_x: u16,
    /// Vertical image resolution.
    pub image_resolution_y: u16,
    /// Bits per pixel.
    pub pixel_depth: u8,
    /// How every image in the record is stored.
    pub compression: CompressionCode,
    /// The finger views, in record order.
    pub fingers: Vec<FingerView>,
}

impl FingerView {
    /// The view's pixels: uncompressed data as is, WSQ decoded.
    pub fn to_image(&self, compression: CompressionCode) -> Result<GrayImage, IsoError> {
        let image = match compression {
            CompressionCode::Uncompressed => GrayImage::new(
                u32::from(self.width),
                u32::from(self.height),
                self.data.clone(),
            )?,
            CompressionCode::Wsq => wsq::decode(&self.data)?,
            other => return Err(IsoError::UnsupportedCompression(other.code())),
        };
        if (image.width, image.height) != (u32::from(self.width), u32::from(self.height)) {
            return Err(IsoError::Inconsistent(
                "image size differs from the finger header",
            ));
        }
        Ok(image)
    }
}

/// Why a record could not be written or read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum IsoError {
    /// Nothing to export.
    #[error(
        "Tidak ada sidik jari untuk diekspor. Rekam sidik jari dulu. / No fingerprints to export. Capture them first."
    )]
    EmptySet,
    /// The same finger twice.
    #[error(
        "Jari {0:?} tercantum dua kali. Simpan satu gambar per jari. / Finger {0:?} appears twice. Keep one image per finger."
    )]
    DuplicateFinger(FingerPosition),
    /// A quality score above 100.
    #[error(
        "Nilai mutu {quality} untuk jari {position:?} di luar 0-100. / Quality {quality} for finger {position:?} is outside 0-100."
    )]
    InvalidQuality {
        /// Which finger.
        position: FingerPosition,
        /// The score given.
        quality: u8,
    },
    /// An image wider or taller than 65535 pixels.
    #[error(
        "Gambar jari terlalu besar untuk rekaman ISO (maksimal 65535 piksel per sisi). / \
         The finger image is too large for an ISO record (at most 65535 pixels per side)."
    )]
    ImageTooLarge,
    /// The image's pixel buffer does not match its size.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// WSQ encoding or decoding failed.
    #[error(transparent)]
    Wsq(#[from] WsqError),
    /// Not an ISO/IEC 19794-4 record.
    #[error(
        "Data ini bukan rekaman gambar sidik jari ISO/IEC 19794-4. / This data is not an ISO/IEC 19794-4 finger image record."
    )]
    NotARecord,
    /// Another edition of the standard.
    #[error(
        "Versi rekaman ISO/IEC 19794-4 tidak didukung. / Unsupported ISO/IEC 19794-4 record version."
    )]
    UnsupportedVersion,
    /// The data ends early.
    #[error(
        "Rekaman sidik jari terpotong. Salin ulang berkasnya. / The finger image record is truncated. Copy the file again."
    )]
    Truncated,
    /// An unknown finger position code.
    #[error("Kode posisi jari {0} tidak dikenal. / Unknown finger position code {0}.")]
    UnknownFingerPosition(u8),
    /// An unknown impression type code.
    #[error("Kode jenis cetakan {0} tidak dikenal. / Unknown impression type code {0}.")]
    UnknownImpressionType(u8),
    /// A compression this crate cannot read or write.
    #[error(
        "Kompresi gambar kode {0} tidak didukung (hanya 0 tanpa kompresi dan 2 WSQ). / \
         Image compression code {0} is not supported (only 0 uncompressed and 2 WSQ)."
    )]
    UnsupportedCompression(u8),
    /// Lengths or counts that contradict each other.
    #[error("Rekaman sidik jari rusak: {0}. / Corrupt finger image record: {0}.")]
    Inconsistent(&'static str),
}

/// Acquisition level for a resolution with 8-bit pixels (ISO/IEC 19794-4 table 1).
fn acquisition_level(ppi: u16) -> u16 {
    match ppi {
        1000.. => 41,
        750.. => 35,
        500.. => 31,
        250.. => 20,
        _ => 10,
    }
}

/// Builds an ISO/IEC 19794-4:2005 record of a person's fingers, one view each.
pub fn write_record(set: &[FingerCapture], options: &RecordOptions) -> Result<Vec<u8>, IsoError> {
    if set.is_empty() {
        return Err(IsoError::EmptySet);
    }
    let count =
        u8::try_from(set.len()).map_err(|_| IsoError::Inconsistent("more than 255 fingers"))?;
    let mut seen = [false; 11];
    for finger in set {
        let slot = &mut seen[usize::from(finger.position.code())];
        if *slot {
            return Err(IsoError::DuplicateFinger(finger.position));
        }
        *slot = true;
        if finger.quality > 100 {
            return Err(IsoError::InvalidQuality {
                position: finger.position,
                quality: finger.quality,
            });
        }
    }

    let compression = match options.compression {
        Compression::Uncompressed => CompressionCode::Uncompressed,
        Compression::Wsq { .. } => CompressionCode::Wsq,
    };
    let mut body = Vec::new();
    for finger in set {
        let (width, height, data) = finger_data(&finger.image, options)?;
        let width = u16::try_from(width).map_err(|_| IsoError::ImageTooLarge)?;
        let height = u16::try_from(height).map_err(|_| IsoError::ImageTooLarge)?;
        let block_len =
            u32::try_from(FINGER_HEADER_LEN + data.len()).map_err(|_| IsoError::ImageTooLarge)?;
        body.extend_from_slice(&block_len.to_be_bytes());
        body.push(finger.position.code());
        body.push(1); // count of views
        body.push(1); // view number
        body.push(finger.quality);
        body.push(options.impression.code());
        body.extend_from_slice(&width.to_be_bytes());
        body.extend_from_slice(&height.to_be_bytes());
        body.push(0); // reserved
        body.extend_from_slice(&data);
    }

    let total = (GENERAL_HEADER_LEN + body.len()) as u64;
    if total >= 1 << 48 {
        return Err(IsoError::ImageTooLarge);
    }
    let mut out = Vec::with_capacity(GENERAL_HEADER_LEN + body.len());
    out.extend_from_slice(&FORMAT_ID);
    out.extend_from_slice(&VERSION);
    out.extend_from_slice(&total.to_be_bytes()[2..]);
    out.extend_from_slice(&options.capture_device_id.to_be_bytes());
    out.extend_from_slice(&acquisition_level(options.ppi).to_be_bytes());
    out.push(count);
    out.push(1); // scale units: pixels per inch
    for _ in 0..4 {
        // scan resolution x, y; image resolution x, y
        out.extend_from_slice(&options.ppi.to_be_bytes());
    }
    out.push(8); // pixel depth
    out.push(compression.code());
    out.extend_from_slice(&[0, 0]); // reserved
    out.extend_from_slice(&body);
    Ok(out)
}

/// Width, height and stored bytes of one finger under the record's compression.
fn finger_data(
    image: &FingerImageData,
    options: &RecordOptions,
) -> Result<(u32, u32, Vec<u8>), IsoError> {
    match (image, options.compression) {
        (FingerImageData::Raw(raw), Compression::Uncompressed) => {
            raw.check()?;
            Ok((raw.width, raw.height, raw.pixels.clone()))
        }
        (FingerImageData::Raw(raw), Compression::Wsq { bitrate }) => Ok((
            raw.width,
            raw.height,
            wsq::encode(raw, bitrate, options.ppi)?,
        )),
        (FingerImageData::Wsq(bytes), Compression::Wsq { .. }) => {
            let header = wsq::read_header(bytes)?;
            Ok((header.width, header.height, bytes.clone()))
        }
        (FingerImageData::Wsq(bytes), Compression::Uncompressed) => {
            let raw = wsq::decode(bytes)?;
            Ok((raw.width, raw.height, raw.pixels))
        }
    }
}

/// Reads an ISO/IEC 19794-4:2005 finger image record.
pub fn parse_record(bytes: &[u8]) -> Result<FingerImageRecord, IsoError> {
    if bytes.len() < 8 {
        return Err(if FORMAT_ID.starts_with(bytes) && !bytes.is_empty() {
            IsoError::Truncated
        } else {
            IsoError::NotARecord
        });
    }
    if bytes[..4] != FORMAT_ID {
        return Err(IsoError::NotARecord);
    }
    if bytes[4..8] != VERSION {
        return Err(IsoError::UnsupportedVersion);
    }
    let header = bytes.get(..GENERAL_HEADER_LEN).ok_or(IsoError::Truncated)?;
    let u16_at = |b: &[u8], i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
    let mut length = [0u8; 8];
    length[2..].copy_from_slice(&header[8..14]);
    let record_len = u64::from_be_bytes(length);
    if record_len > bytes.len() as u64 {
        return Err(IsoError::Truncated);
    }
    if record_len < bytes.len() as u64 {
        return Err(IsoError::Inconsistent(
            "record length is shorter than the data",
        ));
    }
    let finger_count = header[18];
    let compression_code = header[29];
    let compression = CompressionCode::from_code(compression_code)
        .ok_or(IsoError::UnsupportedCompression(compression_code))?;

    let mut fingers = Vec::with_capacity(usize::from(finger_count));
    let mut pos = GENERAL_HEADER_LEN;
    for _ in 0..finger_count {
        let h = bytes
            .get(pos..pos + FINGER_HEADER_LEN)
            .ok_or(IsoError::Truncated)?;
        let block_len = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) as usize;
        if block_len < FINGER_HEADER_LEN {
            return Err(IsoError::Inconsistent(
                "finger data block shorter than its header",
            ));
        }
        let data = bytes
            .get(pos + FINGER_HEADER_LEN..pos + block_len)
            .ok_or(IsoError::Truncated)?;
        let position =
            FingerPosition::from_code(h[4]).ok_or(IsoError::UnknownFingerPosition(h[4]))?;
        let impression =
            ImpressionType::from_code(h[8]).ok_or(IsoError::UnknownImpressionType(h[8]))?;
        let (width, height) = (u16_at(h, 9), u16_at(h, 11));
        if compression == CompressionCode::Uncompressed
            && data.len() != usize::from(width) * usize::from(height)
        {
            return Err(IsoError::Inconsistent(
                "uncompressed image size differs from its data",
            ));
        }
        fingers.push(FingerView {
            position,
            view_count: h[5],
            view_number: h[6],
            quality: h[7],
            impression,
            width,
            height,
            data: data.to_vec(),
        });
        pos += block_len;
    }
    if pos != bytes.len() {
        return Err(IsoError::Inconsistent("bytes left after the last finger"));
    }
    Ok(FingerImageRecord {
        capture_device_id: u16_at(header, 14),
        acquisition_level: u16_at(header, 16),
        scale_units: header[19],
        scan_resolution_x: u16_at(header, 20),
        scan_resolution_y: u16_at(header, 22),
        image_resolution_x: u16_at(header, 24),
        image_resolution_y: u16_at(header, 26),
        pixel_depth: header[28],
        compression,
        fingers,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn position_codes_round_trip() {
        for (i, p) in FingerPosition::ALL.iter().enumerate() {
            assert_eq!(usize::from(p.code()), i + 1);
            assert_eq!(FingerPosition::from_code(p.code()), Some(*p));
        }
        assert_eq!(FingerPosition::from_code(0), None);
        assert_eq!(FingerPosition::from_code(11), None);
    }

    #[test]
    fn acquisition_levels() {
        assert_eq!(acquisition_level(500), 31);
        assert_eq!(acquisition_level(1000), 41);
        assert_eq!(acquisition_level(300), 20);
    }
}
