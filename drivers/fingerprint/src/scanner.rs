//! The scanner trait every reader implements, and the table of supported USB readers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{FingerImage, ScanError};

/// The reader models this crate drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReaderModel {
    /// NEXT Biometrics NB-1010-U (USB 298d:1010), 256 x 180 pixels.
    Nb1010,
    /// AuthenTec AES3500 (USB 08ff:5731), 128 x 128 pixels, 4 bits per pixel.
    Aes3500,
    /// The simulated reader (no hardware).
    Simulated,
}

/// One row of the table of supported USB readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedReader {
    /// USB vendor id.
    pub vendor_id: u16,
    /// USB product id.
    pub product_id: u16,
    /// Which driver handles it.
    pub model: ReaderModel,
    /// Human name, for lists and logs.
    pub name: &'static str,
}

/// Every USB reader this crate drives, found by vendor and product id.
/// The udev rules in `installer/udev/` list the same ids.
pub const SUPPORTED_READERS: &[SupportedReader] = &[
    SupportedReader {
        vendor_id: 0x298d,
        product_id: 0x1010,
        model: ReaderModel::Nb1010,
        name: "NEXT Biometrics NB-1010",
    },
    SupportedReader {
        vendor_id: 0x08ff,
        product_id: 0x5731,
        model: ReaderModel::Aes3500,
        name: "AuthenTec AES3500",
    },
];

/// Looks a USB id up in [`SUPPORTED_READERS`].
pub fn supported_reader(vendor_id: u16, product_id: u16) -> Option<&'static SupportedReader> {
    SUPPORTED_READERS
        .iter()
        .find(|r| r.vendor_id == vendor_id && r.product_id == product_id)
}

/// What is known about a reader before and after opening it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Which driver handles it.
    pub model: ReaderModel,
    /// Human name, e.g. "NEXT Biometrics NB-1010".
    pub name: String,
    /// USB vendor id (0 for the simulated reader).
    pub vendor_id: u16,
    /// USB product id (0 for the simulated reader).
    pub product_id: u16,
    /// Where it is: `usb:BUS/ADDRESS`, or `simulated:N`.
    pub location: String,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Nominal resolution in pixels per inch.
    pub ppi: u16,
}

/// Cancels a wait or capture in progress from another thread.
///
/// Drivers check it between USB transfers, so a cancel takes effect within one transfer
/// (at most a poll interval while waiting for a finger).
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    /// A handle that has not been cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the running operation to stop with [`ScanError::Cancelled`].
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a cancel is pending.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Consumes a pending cancel: `Err(Cancelled)` once, then clear.
    pub fn check(&self) -> Result<(), ScanError> {
        if self.0.swap(false, Ordering::SeqCst) {
            Err(ScanError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// An opened fingerprint reader. Calls block; run them off the UI thread and stop them
/// with [`Scanner::cancel_handle`].
pub trait Scanner: Send {
    /// What this reader is.
    fn info(&self) -> &DeviceInfo;

    /// Blocks until a finger is on the reader, or `timeout` passes.
    fn wait_for_finger(&mut self, timeout: Duration) -> Result<(), ScanError>;

    /// Waits for a finger (up to `timeout`) and reads one image as the reader delivers it.
    fn capture(&mut self, timeout: Duration) -> Result<FingerImage, ScanError>;

    /// A handle that cancels the current or next wait/capture.
    fn cancel_handle(&self) -> CancelHandle;
}

/// A source of readers: the USB bus, or the simulator.
pub trait ReaderSource {
    /// Lists the readers present now, in a stable order.
    fn discover(&self) -> Result<Vec<DeviceInfo>, ScanError>;

    /// Opens one of the readers `discover` returned.
    fn open(&self, device: &DeviceInfo) -> Result<Box<dyn Scanner>, ScanError>;

    /// Opens the first reader present, or fails with [`ScanError::NoDevice`].
    fn open_first(&self) -> Result<Box<dyn Scanner>, ScanError> {
        let first = self
            .discover()?
            .into_iter()
            .next()
            .ok_or(ScanError::NoDevice)?;
        self.open(&first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_finds_both_readers_and_nothing_else() {
        assert_eq!(
            supported_reader(0x298d, 0x1010).map(|r| r.model),
            Some(ReaderModel::Nb1010)
        );
        assert_eq!(
            supported_reader(0x08ff, 0x5731).map(|r| r.model),
            Some(ReaderModel::Aes3500)
        );
        assert!(supported_reader(0x08ff, 0x5730).is_none());
    }

    #[test]
    fn cancel_is_consumed_once() {
        let handle = CancelHandle::new();
        assert!(handle.check().is_ok());
        handle.clone().cancel();
        assert!(matches!(handle.check(), Err(ScanError::Cancelled)));
        assert!(handle.check().is_ok());
    }

    #[test]
    fn udev_rules_list_every_supported_reader() {
        let rules = include_str!("../../../installer/udev/60-loket-fingerprint.rules");
        for reader in SUPPORTED_READERS {
            let vendor = format!("ATTRS{{idVendor}}==\"{:04x}\"", reader.vendor_id);
            let product = format!("ATTRS{{idProduct}}==\"{:04x}\"", reader.product_id);
            assert!(
                rules
                    .lines()
                    .any(|l| !l.starts_with('#') && l.contains(&vendor) && l.contains(&product)),
                "no udev rule for {}",
                reader.name
            );
        }
    }
}
