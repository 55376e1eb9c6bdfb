//! AuthenTec AES3500 (USB 08ff:5731): a 128 x 128 pixel area sensor with 4-bit pixels,
//! driven by register writes on bulk endpoint 0x02 and one image read on endpoint 0x81.
//!
//! Register writes are pairs `(register, value)`, several pairs per transfer. One capture,
//! as learned from a USB recording of a real capture:
//!
//! 1. reset and start: `80 01`, `80 00`, `81 00 80 00`, `80 02`, `80 04`, `81 00`;
//! 2. one 8329-byte read: the image;
//! 3. re-arm for the next capture: registers 0x80-0x8f and 0x90-0x9f (two 32-byte
//!    writes of the sensor's bias, gain and scan settings), then `80 00 81 00`, `81 04`.
//!
//! The 8329-byte read holds 8 strips, then a register dump:
//!
//! - strip `k` (0..8) is 1025 bytes at offset `1025 * k`: a header byte `0xe0 + k`, then
//!   1024 bytes for image rows `16k .. 16k + 16`, **column by column** (128 columns, 8
//!   bytes each); each byte holds two vertically adjacent pixels, the upper one in the low
//!   nibble, the lower one in the high nibble;
//! - the last 129 bytes start with `0xdf` (the sensor's register dump; not used).
//!
//! A pixel's 4-bit value `v` becomes the 8-bit gray `17 * v` (0 -> 0, 15 -> 255), so the
//! image uses 16 evenly spaced levels. Nothing is flipped, rotated or inverted.

use std::time::{Duration, Instant};

use crate::transport::Transport;
use crate::{CancelHandle, DeviceInfo, FingerImage, ScanError, Scanner};

/// Model name used in errors.
const READER: &str = "AES3500";
/// Image width in pixels.
pub(crate) const WIDTH: u32 = 128;
/// Image height in pixels.
pub(crate) const HEIGHT: u32 = 128;
/// Nominal resolution (about 13 mm across 128 pixels).
pub(crate) const PPI: u16 = 250;

const EP_OUT: u8 = 0x02;
const EP_IN: u8 = 0x81;
const STRIPS: usize = 8;
const STRIP_ROWS: usize = HEIGHT as usize / STRIPS;
const STRIP_BYTES: usize = WIDTH as usize * STRIP_ROWS / 2;
const STRIP_LEN: usize = 1 + STRIP_BYTES;
const STRIP_HEADER_BASE: u8 = 0xe0;
const REGISTER_DUMP_MARKER: u8 = 0xdf;
const REGISTER_DUMP_LEN: usize = 129;
/// Length of the one image read.
pub(crate) const IMAGE_READ_LEN: usize = STRIPS * STRIP_LEN + REGISTER_DUMP_LEN;

const START: &[&[u8]] = &[
    &[0x80, 0x01],
    &[0x80, 0x00],
    &[0x81, 0x00, 0x80, 0x00],
    &[0x80, 0x02],
    &[0x80, 0x04],
    &[0x81, 0x00],
];
const REARM: &[&[u8]] = &[
    &[
        0x80, 0x00, 0x81, 0x00, 0x82, 0x04, 0x83, 0x13, 0x84, 0x07, 0x85, 0x3d, 0x86, 0x03, 0x87,
        0x01, 0x88, 0x02, 0x89, 0x02, 0x8a, 0x33, 0x8b, 0x33, 0x8c, 0x0f, 0x8d, 0x04, 0x8e, 0x23,
        0x8f, 0x07,
    ],
    &[
        0x90, 0x00, 0x91, 0x1c, 0x92, 0x08, 0x93, 0x00, 0x94, 0x07, 0x95, 0x00, 0x96, 0x1f, 0x97,
        0x04, 0x98, 0x28, 0x99, 0x00, 0x9a, 0x0b, 0x9b, 0x00, 0x9c, 0x00, 0x9d, 0x09, 0x9e, 0x53,
        0x9f, 0x6b,
    ],
    &[0x80, 0x00, 0x81, 0x00],
    &[0x81, 0x04],
];

/// How long one USB transfer may take before the reader counts as not answering.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(2);

/// Decodes the 8329-byte image read (see the module documentation).
/// Anything that does not match the layout exactly is a protocol error.
pub(crate) fn decode_image(data: &[u8]) -> Result<FingerImage, ScanError> {
    if data.len() != IMAGE_READ_LEN {
        return Err(ScanError::protocol(
            READER,
            format!(
                "image read of {} bytes, expected {IMAGE_READ_LEN}",
                data.len()
            ),
        ));
    }
    let width = WIDTH as usize;
    let mut pixels = vec![0u8; width * HEIGHT as usize];
    for (k, strip) in data.chunks_exact(STRIP_LEN).take(STRIPS).enumerate() {
        let (header, body) = strip.split_at(1);
        if header[0] != STRIP_HEADER_BASE + k as u8 {
            return Err(ScanError::protocol(
                READER,
                format!("strip {k} has header {:#04x}", header[0]),
            ));
        }
        let first_row = k * STRIP_ROWS;
        for (column, column_bytes) in body.chunks_exact(STRIP_ROWS / 2).enumerate() {
            for (pair, byte) in column_bytes.iter().enumerate() {
                let row = first_row + 2 * pair;
                pixels[row * width + column] = (byte & 0x0f) * 17;
                pixels[(row + 1) * width + column] = (byte >> 4) * 17;
            }
        }
    }
    if data[STRIPS * STRIP_LEN] != REGISTER_DUMP_MARKER {
        return Err(ScanError::protocol(
            READER,
            format!(
                "register dump marker {:#04x}, expected {REGISTER_DUMP_MARKER:#04x}",
                data[STRIPS * STRIP_LEN]
            ),
        ));
    }
    FingerImage::new(WIDTH, HEIGHT, PPI, pixels)
        .ok_or_else(|| ScanError::protocol(READER, "image size mismatch"))
}

/// An opened AES3500.
pub(crate) struct Aes3500<T: Transport> {
    transport: T,
    info: DeviceInfo,
    cancel: CancelHandle,
    /// A frame read while waiting for a finger, handed out by the next `capture`.
    pending: Option<FingerImage>,
}

impl<T: Transport> Aes3500<T> {
    pub(crate) fn new(transport: T, info: DeviceInfo) -> Self {
        Aes3500 {
            transport,
            info,
            cancel: CancelHandle::new(),
            pending: None,
        }
    }

    fn write_all(&mut self, writes: &[&[u8]]) -> Result<(), ScanError> {
        for write in writes {
            self.cancel.check()?;
            self.transport.write(EP_OUT, write, TRANSFER_TIMEOUT)?;
        }
        Ok(())
    }

    /// One scan: reset, read, re-arm.
    fn scan(&mut self) -> Result<FingerImage, ScanError> {
        self.write_all(START)?;
        let data = self
            .transport
            .read(EP_IN, IMAGE_READ_LEN, TRANSFER_TIMEOUT)?;
        let image = decode_image(&data)?;
        self.write_all(REARM)?;
        Ok(image)
    }
}

impl<T: Transport> Scanner for Aes3500<T> {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// The AES3500 has no finger sensor of its own: scan until a frame shows a finger.
    fn wait_for_finger(&mut self, timeout: Duration) -> Result<(), ScanError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.cancel.check()?;
            let image = self.scan()?;
            if crate::quality::finger_present(&image) {
                self.pending = Some(image);
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(ScanError::Timeout(timeout));
            }
        }
    }

    fn capture(&mut self, timeout: Duration) -> Result<FingerImage, ScanError> {
        if self.pending.is_none() {
            self.wait_for_finger(timeout)?;
        }
        self.pending
            .take()
            .ok_or_else(|| ScanError::protocol(READER, "no frame after finger detection"))
    }

    fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes an image the way the sensor sends it (the inverse of `decode_image`).
    fn encode(levels: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(IMAGE_READ_LEN);
        for k in 0..STRIPS {
            out.push(STRIP_HEADER_BASE + k as u8);
            for column in 0..WIDTH as usize {
                for pair in 0..STRIP_ROWS / 2 {
                    let row = k * STRIP_ROWS + 2 * pair;
                    let upper = levels[row * WIDTH as usize + column];
                    let lower = levels[(row + 1) * WIDTH as usize + column];
                    out.push(upper | (lower << 4));
                }
            }
        }
        out.push(REGISTER_DUMP_MARKER);
        out.resize(IMAGE_READ_LEN, 0);
        out
    }

    #[test]
    fn layout_constants_add_up() {
        assert_eq!(IMAGE_READ_LEN, 8329);
        assert_eq!(STRIP_BYTES, 1024);
    }

    #[test]
    fn decode_places_every_nibble() {
        let levels: Vec<u8> = (0..128 * 128)
            .map(|i| ((i * 7 + i / 128) % 16) as u8)
            .collect();
        let image = decode_image(&encode(&levels)).expect("decodes");
        for (i, level) in levels.iter().enumerate() {
            assert_eq!(image.pixels()[i], level * 17, "pixel {i}");
        }
    }

    #[test]
    fn wrong_strip_header_or_marker_is_rejected() {
        let levels = vec![3u8; 128 * 128];
        let mut data = encode(&levels);
        data[3 * STRIP_LEN] = 0xe4;
        assert!(matches!(
            decode_image(&data),
            Err(ScanError::Protocol { .. })
        ));
        let mut data = encode(&levels);
        data[STRIPS * STRIP_LEN] = 0x00;
        assert!(matches!(
            decode_image(&data),
            Err(ScanError::Protocol { .. })
        ));
        let data = encode(&levels);
        assert!(matches!(
            decode_image(&data[..IMAGE_READ_LEN - 1]),
            Err(ScanError::Protocol { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_reads_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 8320..8340)) {
            let _ = decode_image(&bytes);
        }
    }
}
