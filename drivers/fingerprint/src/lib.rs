//! loket-fingerprint: fingerprint readers for the counter.
//!
//! - [`Scanner`]: an opened reader (wait for finger, capture, cancel), from a
//!   [`ReaderSource`] (discover, open): [`UsbReaders`] for the real USB readers in
//!   [`SUPPORTED_READERS`] (NEXT NB-1010, AuthenTec AES3500), [`SimulatedReaders`] for demos
//!   and UI tests.
//! - [`quality::assess`]: a 0-100 score from NFIQ 2's kinds of measures, and finger-present
//!   detection; [`capture_best`]: retry until the threshold or the retry limit, keep the best.
//! - [`session`]: the pure ten-print session model the hub stores with the visit.
//! - [`counter`]: the capture loop's best print as WSQ + PNG, for the counter's step.
//! - [`technician`]: what `loket fingerprint list` / `capture` do.
//!
//! Errors are one [`ScanError`] type; every message says what to do next.

mod aes3500;
mod capture;
pub mod counter;
mod error;
mod image;
mod nb1010;
pub mod quality;
mod scanner;
pub mod simulated;
pub mod technician;
mod transport;
mod usb;

pub use capture::{BestCapture, CapturePolicy, capture_best};
pub use counter::{CounterCapture, capture_for_counter};
pub use error::{ScanError, UDEV_RULE_FILE};
pub use image::FingerImage;
/// The ten-print session model (pure; it lives in `loket-fingerprint-formats` so the hub
/// can use it without libusb).
pub use loket_fingerprint_formats::session;
pub use scanner::{
    CancelHandle, DeviceInfo, ReaderModel, ReaderSource, SUPPORTED_READERS, Scanner,
    SupportedReader, supported_reader,
};
pub use simulated::{SimulatedReaders, SimulatedScanner};
pub use usb::UsbReaders;

/// Decodes the raw 8329-byte image read of an AES3500 (exposed for tools and tests that
/// work on recordings; see `docs/fingerprint.md` for the format).
pub fn decode_aes3500_image(data: &[u8]) -> Result<FingerImage, ScanError> {
    aes3500::decode_image(data)
}

/// The finger level in an NB-1010's 16-byte reply to its finger check (above `0x20`: a
/// finger covers the sensor), after the checks the driver makes on every reply (exposed
/// for tools, tests and fuzzing; see `docs/fingerprint.md` for the format).
pub fn nb1010_finger_level(reply: &[u8]) -> Result<u8, ScanError> {
    nb1010::finger_level_of(reply)
}

/// Decodes an NB-1010 image from its frames as read from the device (90 frames of 540
/// bytes), checked as the driver checks them (exposed for tools, tests and fuzzing).
pub fn decode_nb1010_frames<'a>(
    frames: impl IntoIterator<Item = &'a [u8]>,
) -> Result<FingerImage, ScanError> {
    nb1010::decode_frames(frames)
}
