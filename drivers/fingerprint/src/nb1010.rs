//! NEXT Biometrics NB-1010-U (USB 298d:1010): a 256 x 180 pixel, 8-bit, ~500 ppi
//! area sensor, driven with bulk transfers on interface 0.
//!
//! The exchange, as learned from a USB recording of a real capture:
//!
//! | step | OUT (endpoint 0x02) | IN (endpoint 0x83) |
//! |---|---|---|
//! | finger check | `80 38 01 00 08 00 00 00` | 16 bytes: `80 37 01 00 10 00 00 00`, byte 12 = finger level |
//! | start scan | `80 0d 03 00 0c 00 00 00 00 04 00 00` | 16 bytes: `80 20 03 00 10 00 00 00 ...` |
//! | read image | 32 bytes, `80 12 04 00 20 00 00 00 02 ...` | 16 bytes: `80 20 04 00 10 00 00 00 ...` |
//! | image data | - | 90 frames of 540 bytes |
//!
//! Every message starts with `0x80`, a message code, a sequence byte, a zero byte and the
//! message length as 32-bit little-endian. An image frame (code `0x21`) carries: bytes
//! 12..16 a "more frames follow" flag (1, and 0 on the last frame), 16..20 the index of the
//! frame's second row (1, 3, 5, ... 179), 20..24 the row width (256), byte 24 = 1, then
//! two rows of 256 pixels (bytes 25..537) and 3 padding bytes. Pixels are 8-bit gray,
//! ridges dark on a light background, top row first.

use std::time::{Duration, Instant};

use crate::transport::Transport;
use crate::{CancelHandle, DeviceInfo, FingerImage, ScanError, Scanner};

/// Model name used in errors.
const READER: &str = "NB-1010";
/// Image width in pixels.
pub(crate) const WIDTH: u32 = 256;
/// Image height in pixels.
pub(crate) const HEIGHT: u32 = 180;
/// Nominal resolution (50 µm pixel pitch).
pub(crate) const PPI: u16 = 508;

const EP_OUT: u8 = 0x02;
const EP_IN: u8 = 0x83;
const REPLY_LEN: usize = 16;
const FRAME_LEN: usize = 540;
const FRAME_HEADER_LEN: usize = 25;
const ROWS_PER_FRAME: usize = 2;
const FRAMES: usize = HEIGHT as usize / ROWS_PER_FRAME;

const CMD_CHECK_FINGER: [u8; 8] = [0x80, 0x38, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00];
const CMD_START_SCAN: [u8; 12] = [
    0x80, 0x0d, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00,
];
const CMD_READ_IMAGE: [u8; 32] = [
    0x80, 0x12, 0x04, 0x00, 0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
];
const REPLY_FINGER: u8 = 0x37;
const REPLY_ACK: u8 = 0x20;
const REPLY_FRAME: u8 = 0x21;
/// Byte of the finger-check reply that rises when a finger covers the sensor
/// (0xf7 with a finger in the recording).
const FINGER_LEVEL_BYTE: usize = 12;
/// Finger levels above this count as "finger present".
const FINGER_LEVEL_THRESHOLD: u8 = 0x20;

/// How long one USB transfer may take before the reader counts as not answering.
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(2);
/// Pause between two finger checks.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// An opened NB-1010.
pub(crate) struct Nb1010<T: Transport> {
    transport: T,
    info: DeviceInfo,
    cancel: CancelHandle,
    finger_seen: bool,
}

impl<T: Transport> Nb1010<T> {
    pub(crate) fn new(transport: T, info: DeviceInfo) -> Self {
        Nb1010 {
            transport,
            info,
            cancel: CancelHandle::new(),
            finger_seen: false,
        }
    }

    /// Sends a command and reads its 16-byte reply, checking code, sequence and length.
    fn exchange(&mut self, command: &[u8], reply_code: u8) -> Result<[u8; REPLY_LEN], ScanError> {
        self.transport.write(EP_OUT, command, TRANSFER_TIMEOUT)?;
        let reply = self.transport.read(EP_IN, REPLY_LEN, TRANSFER_TIMEOUT)?;
        let sequence = command.get(2).copied().unwrap_or(0);
        parse_reply(&reply, reply_code, sequence)
    }

    fn finger_level(&mut self) -> Result<u8, ScanError> {
        let reply = self.exchange(&CMD_CHECK_FINGER, REPLY_FINGER)?;
        Ok(reply[FINGER_LEVEL_BYTE])
    }

    fn read_image(&mut self) -> Result<FingerImage, ScanError> {
        self.exchange(&CMD_START_SCAN, REPLY_ACK)?;
        self.exchange(&CMD_READ_IMAGE, REPLY_ACK)?;
        let mut pixels = Vec::with_capacity((WIDTH * HEIGHT) as usize);
        for index in 0..FRAMES {
            self.cancel.check()?;
            let frame = self.transport.read(EP_IN, FRAME_LEN, TRANSFER_TIMEOUT)?;
            pixels.extend_from_slice(frame_pixels(&frame, index)?);
        }
        image_from_pixels(pixels)
    }
}

/// Checks a 16-byte reply (code, sequence, length) and returns it: what [`Nb1010`] does
/// with the bytes of each reply it reads.
fn parse_reply(reply: &[u8], reply_code: u8, sequence: u8) -> Result<[u8; REPLY_LEN], ScanError> {
    let reply: [u8; REPLY_LEN] = reply
        .try_into()
        .map_err(|_| ScanError::protocol(READER, "reply of wrong length"))?;
    check_header(&reply, reply_code, sequence, REPLY_LEN)?;
    Ok(reply)
}

/// The finger level in the reply to the finger check (pure; for tools and fuzzing).
pub(crate) fn finger_level_of(reply: &[u8]) -> Result<u8, ScanError> {
    let sequence = CMD_CHECK_FINGER[2];
    Ok(parse_reply(reply, REPLY_FINGER, sequence)?[FINGER_LEVEL_BYTE])
}

/// Assembles the image from its frames as read from the device, each checked as
/// [`Nb1010`] checks it while reading (pure; for tools and fuzzing).
pub(crate) fn decode_frames<'a>(
    frames: impl IntoIterator<Item = &'a [u8]>,
) -> Result<FingerImage, ScanError> {
    let mut pixels = Vec::with_capacity((WIDTH * HEIGHT) as usize);
    for (index, frame) in frames.into_iter().enumerate() {
        pixels.extend_from_slice(frame_pixels(frame, index)?);
    }
    image_from_pixels(pixels)
}

fn image_from_pixels(pixels: Vec<u8>) -> Result<FingerImage, ScanError> {
    FingerImage::new(WIDTH, HEIGHT, PPI, pixels)
        .ok_or_else(|| ScanError::protocol(READER, "image size mismatch"))
}

/// Checks the common 8-byte header of a message.
fn check_header(message: &[u8], code: u8, sequence: u8, len: usize) -> Result<(), ScanError> {
    let header: [u8; 8] = message
        .get(..8)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(|| ScanError::protocol(READER, "message shorter than its header"))?;
    let declared = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
    if header[0] != 0x80 || header[1] != code || header[2] != sequence || header[3] != 0 {
        return Err(ScanError::protocol(
            READER,
            format!(
                "unexpected header {:02x?}, wanted code {code:#04x} sequence {sequence}",
                &header[..4]
            ),
        ));
    }
    if declared != len || message.len() != len {
        return Err(ScanError::protocol(
            READER,
            format!(
                "message declares {declared} bytes, got {} (expected {len})",
                message.len()
            ),
        ));
    }
    Ok(())
}

/// Validates image frame number `index` (0-based) and returns its two rows of pixels.
fn frame_pixels(frame: &[u8], index: usize) -> Result<&[u8], ScanError> {
    check_header(frame, REPLY_FRAME, 0, FRAME_LEN)?;
    let word = |at: usize| -> u32 {
        frame
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(u32::MAX)
    };
    let last = index + 1 == FRAMES;
    let more = word(12);
    let second_row = word(16);
    let width = word(20);
    if more != u32::from(!last) {
        return Err(ScanError::protocol(
            READER,
            format!("frame {index}: more-frames flag {more}, image has {FRAMES} frames"),
        ));
    }
    if second_row as usize != index * ROWS_PER_FRAME + 1 {
        return Err(ScanError::protocol(
            READER,
            format!("frame {index}: carries row {second_row}, out of order"),
        ));
    }
    if width != WIDTH || frame.get(24) != Some(&1) {
        return Err(ScanError::protocol(
            READER,
            format!("frame {index}: unexpected row format (width {width})"),
        ));
    }
    frame
        .get(FRAME_HEADER_LEN..FRAME_HEADER_LEN + ROWS_PER_FRAME * WIDTH as usize)
        .ok_or_else(|| ScanError::protocol(READER, "frame too short"))
}

impl<T: Transport> Scanner for Nb1010<T> {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn wait_for_finger(&mut self, timeout: Duration) -> Result<(), ScanError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.cancel.check()?;
            let level = self.finger_level()?;
            if level > FINGER_LEVEL_THRESHOLD {
                self.finger_seen = true;
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(ScanError::Timeout(timeout));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    fn capture(&mut self, timeout: Duration) -> Result<FingerImage, ScanError> {
        if !self.finger_seen {
            self.wait_for_finger(timeout)?;
        }
        self.finger_seen = false;
        self.read_image()
    }

    fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::fake::{Scripted, Step};

    fn info() -> DeviceInfo {
        DeviceInfo {
            model: crate::ReaderModel::Nb1010,
            name: "test".into(),
            vendor_id: 0x298d,
            product_id: 0x1010,
            location: "test".into(),
            width: WIDTH,
            height: HEIGHT,
            ppi: PPI,
        }
    }

    fn reply(code: u8, seq: u8, byte12: u8) -> Vec<u8> {
        let mut r = vec![0x80, code, seq, 0, 16, 0, 0, 0, 0, 0, 0, 0, byte12, 0, 0, 0];
        r.truncate(REPLY_LEN);
        r
    }

    fn frame(index: usize) -> Vec<u8> {
        let mut f = vec![0u8; FRAME_LEN];
        f[..8].copy_from_slice(&[0x80, 0x21, 0, 0, 0x1c, 0x02, 0, 0]);
        f[12] = u8::from(index + 1 != FRAMES);
        f[16..20].copy_from_slice(&((index * 2 + 1) as u32).to_le_bytes());
        f[20..24].copy_from_slice(&256u32.to_le_bytes());
        f[24] = 1;
        for (i, p) in f[25..537].iter_mut().enumerate() {
            *p = ((index * 2 + i / 256) as u8).wrapping_add(i as u8);
        }
        f
    }

    fn script(frames: Vec<Vec<u8>>) -> Vec<Step> {
        let mut steps = vec![
            Step::Write(EP_OUT, CMD_CHECK_FINGER.to_vec()),
            Step::Read(EP_IN, reply(0x37, 1, 0x03)),
            Step::Write(EP_OUT, CMD_CHECK_FINGER.to_vec()),
            Step::Read(EP_IN, reply(0x37, 1, 0xf7)),
            Step::Write(EP_OUT, CMD_START_SCAN.to_vec()),
            Step::Read(EP_IN, reply(0x20, 3, 0)),
            Step::Write(EP_OUT, CMD_READ_IMAGE.to_vec()),
            Step::Read(EP_IN, reply(0x20, 4, 3)),
        ];
        steps.extend(frames.into_iter().map(|f| Step::Read(EP_IN, f)));
        steps
    }

    #[test]
    fn scripted_capture_polls_for_finger_then_assembles_rows_in_order() {
        let frames: Vec<_> = (0..FRAMES).map(frame).collect();
        let mut reader = Nb1010::new(Scripted::new(script(frames)), info());
        let image = reader.capture(Duration::from_secs(5)).expect("captures");
        assert_eq!((image.width(), image.height()), (WIDTH, HEIGHT));
        // The script's pixel at (x, y) is (x + y) mod 256.
        for y in 0..HEIGHT {
            for x in 0..WIDTH {
                assert_eq!(image.get(x, y), Some((x + y) as u8), "({x}, {y})");
            }
        }
    }

    #[test]
    fn out_of_order_frame_is_a_protocol_error() {
        let mut frames: Vec<_> = (0..FRAMES).map(frame).collect();
        frames.swap(10, 11);
        let mut reader = Nb1010::new(Scripted::new(script(frames)), info());
        let err = reader
            .capture(Duration::from_secs(5))
            .expect_err("must fail");
        assert!(matches!(err, ScanError::Protocol { .. }), "{err}");
    }

    #[test]
    fn early_last_frame_flag_is_a_protocol_error() {
        let mut frames: Vec<_> = (0..FRAMES).map(frame).collect();
        frames[40][12] = 0;
        let mut reader = Nb1010::new(Scripted::new(script(frames)), info());
        let err = reader
            .capture(Duration::from_secs(5))
            .expect_err("must fail");
        assert!(matches!(err, ScanError::Protocol { .. }), "{err}");
    }

    #[test]
    fn no_finger_times_out() {
        let steps = (0..1000)
            .flat_map(|_| {
                [
                    Step::Write(EP_OUT, CMD_CHECK_FINGER.to_vec()),
                    Step::Read(EP_IN, reply(0x37, 1, 0x01)),
                ]
            })
            .collect();
        let mut reader = Nb1010::new(Scripted::new(steps), info());
        let err = reader
            .wait_for_finger(Duration::from_millis(120))
            .expect_err("no finger");
        assert!(matches!(err, ScanError::Timeout(_)), "{err}");
    }

    #[test]
    fn cancel_stops_the_wait() {
        let steps = (0..1000)
            .flat_map(|_| {
                [
                    Step::Write(EP_OUT, CMD_CHECK_FINGER.to_vec()),
                    Step::Read(EP_IN, reply(0x37, 1, 0x01)),
                ]
            })
            .collect();
        let mut reader = Nb1010::new(Scripted::new(steps), info());
        reader.cancel_handle().cancel();
        let err = reader
            .wait_for_finger(Duration::from_secs(10))
            .expect_err("cancelled");
        assert!(matches!(err, ScanError::Cancelled), "{err}");
    }

    #[test]
    fn pure_decoders_read_what_the_driver_reads() {
        let frames: Vec<_> = (0..FRAMES).map(frame).collect();
        let mut reader = Nb1010::new(Scripted::new(script(frames.clone())), info());
        let captured = reader.capture(Duration::from_secs(5)).expect("captures");
        let decoded = decode_frames(frames.iter().map(Vec::as_slice)).expect("decodes");
        assert_eq!(decoded, captured);
        // One frame short: the image is incomplete.
        let err =
            decode_frames(frames[..FRAMES - 1].iter().map(Vec::as_slice)).expect_err("incomplete");
        assert!(matches!(err, ScanError::Protocol { .. }), "{err}");

        assert_eq!(finger_level_of(&reply(0x37, 1, 0xf7)).ok(), Some(0xf7));
        for bad in [
            reply(0x37, 2, 0xf7),
            reply(0x20, 1, 0xf7),
            reply(0x37, 1, 0)[..15].to_vec(),
        ] {
            let err = finger_level_of(&bad).expect_err("bad reply");
            assert!(matches!(err, ScanError::Protocol { .. }), "{err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_frames_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600), index in 0usize..100) {
            let _ = frame_pixels(&bytes, index);
        }
    }
}
