//! Ways bytes reach a ticket printer: raw TCP (port 9100) and USB bulk endpoints.

pub mod tcp;
pub mod usb;

use std::time::Duration;

use crate::error::PrinterError;

/// A connection to a ticket printer.
pub trait Transport {
    /// Sends all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> Result<(), PrinterError>;

    /// Sends a real-time status request and waits up to `timeout` for its one-byte answer.
    /// `Ok(None)` when the printer does not answer in time or cannot answer at all.
    fn request_status(
        &mut self,
        request: &[u8],
        timeout: Duration,
    ) -> Result<Option<u8>, PrinterError>;

    /// A short description for logs (address or USB ids; never personal data).
    fn describe(&self) -> String;
}
