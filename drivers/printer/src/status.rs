//! Real-time printer status through `DLE EOT n`, and what a status means for printing.

use std::time::Duration;

use crate::error::PrinterError;
use crate::transport::Transport;

/// `DLE EOT 1`: printer status.
pub const STATUS_PRINTER: [u8; 3] = [0x10, 0x04, 1];
/// `DLE EOT 2`: off-line cause.
pub const STATUS_OFFLINE_CAUSE: [u8; 3] = [0x10, 0x04, 2];
/// `DLE EOT 3`: error cause.
pub const STATUS_ERROR_CAUSE: [u8; 3] = [0x10, 0x04, 3];
/// `DLE EOT 4`: roll paper sensor.
pub const STATUS_PAPER: [u8; 3] = [0x10, 0x04, 4];

/// What the printer reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    /// `DLE EOT 1` bit 3.
    pub offline: bool,
    /// `DLE EOT 2` bit 2.
    pub cover_open: bool,
    /// `DLE EOT 4` bits 5 and 6 (or `DLE EOT 2` bit 5: stopped at paper end).
    pub paper_out: bool,
    /// `DLE EOT 4` bits 2 and 3.
    pub paper_near_end: bool,
    /// `DLE EOT 2` bit 6 (an error occurred, e.g. the cutter).
    pub fault: bool,
}

impl PrinterStatus {
    /// Reads the three status bytes. Each must have the fixed bits of a status byte
    /// (bits 1 and 4 set, bits 0 and 7 clear); otherwise `None`.
    pub fn from_bytes(printer: u8, offline_cause: u8, paper: u8) -> Option<Self> {
        let valid = |b: u8| b & 0b1001_0011 == 0b0001_0010;
        if !(valid(printer) && valid(offline_cause) && valid(paper)) {
            return None;
        }
        Some(PrinterStatus {
            offline: printer & 0x08 != 0,
            cover_open: offline_cause & 0x04 != 0,
            paper_out: paper & 0x60 == 0x60 || offline_cause & 0x20 != 0,
            paper_near_end: paper & 0x0C == 0x0C,
            fault: offline_cause & 0x40 != 0,
        })
    }

    /// Whether a ticket can be printed now; the error says what to do when not.
    /// Paper out is named first: it is what staff can fix most often.
    pub fn check(&self) -> Result<(), PrinterError> {
        if self.paper_out {
            Err(PrinterError::PaperOut)
        } else if self.cover_open {
            Err(PrinterError::CoverOpen)
        } else if self.fault {
            Err(PrinterError::DeviceFault)
        } else if self.offline {
            Err(PrinterError::Offline)
        } else {
            Ok(())
        }
    }
}

/// Asks the printer for its status. `Ok(None)` when it does not answer within `timeout`
/// (many USB printers and some LAN boxes never answer) or answers nonsense.
pub fn query_status(
    transport: &mut dyn Transport,
    timeout: Duration,
) -> Result<Option<PrinterStatus>, PrinterError> {
    let Some(printer) = transport.request_status(&STATUS_PRINTER, timeout)? else {
        return Ok(None);
    };
    let Some(cause) = transport.request_status(&STATUS_OFFLINE_CAUSE, timeout)? else {
        return Ok(None);
    };
    let Some(paper) = transport.request_status(&STATUS_PAPER, timeout)? else {
        return Ok(None);
    };
    Ok(PrinterStatus::from_bytes(printer, cause, paper))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_printer_is_ready() {
        let s = PrinterStatus::from_bytes(0x16, 0x12, 0x12);
        assert_eq!(s, Some(PrinterStatus::default()));
        assert!(PrinterStatus::default().check().is_ok());
    }

    #[test]
    fn paper_end_cover_and_offline_bits() {
        let s = PrinterStatus::from_bytes(0x1E, 0x12 | 0x04, 0x12 | 0x60).expect("valid bytes");
        assert!(s.offline && s.cover_open && s.paper_out);
        assert!(matches!(s.check(), Err(PrinterError::PaperOut)));
        let s = PrinterStatus::from_bytes(0x1E, 0x16, 0x12).expect("valid bytes");
        assert!(matches!(s.check(), Err(PrinterError::CoverOpen)));
        let s = PrinterStatus::from_bytes(0x1E, 0x12, 0x12).expect("valid bytes");
        assert!(matches!(s.check(), Err(PrinterError::Offline)));
    }

    #[test]
    fn bytes_without_the_fixed_bits_are_not_a_status() {
        assert_eq!(PrinterStatus::from_bytes(0x00, 0x12, 0x12), None);
        assert_eq!(PrinterStatus::from_bytes(0x12, 0xFF, 0x12), None);
    }
}
