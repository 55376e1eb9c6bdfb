//! loket-printer: queue tickets on ESC/POS thermal printers (USB or LAN, 58 or 80 mm),
//! the printers' status, and office printers through CUPS.
//!
//! The usual call is [`print_ticket`]: it asks the printer for its status (paper out,
//! cover open, offline) when the printer answers, then sends the ticket encoded by
//! [`encode_ticket`]. Errors are [`PrinterError`] with Indonesian and English messages
//! that say what to do.

mod codepage;
mod codepage_tables;
pub mod cups;
mod destination;
mod error;
pub mod escpos;
pub mod status;
mod ticket;
pub mod transport;

use std::time::Duration;

pub use codepage::{CodePage, Transcoded, transcode};
pub use destination::Destination;
pub use error::PrinterError;
pub use status::{PrinterStatus, query_status};
pub use ticket::{
    EncodedTicket, PaperWidth, Ticket, encode_ticket, format_date_id, format_time_id,
    sample_ticket, sample_ticket_now,
};
pub use transport::Transport;

/// How [`print_ticket`] talks to the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintOptions {
    /// Paper roll width.
    pub width: PaperWidth,
    /// Code page the printer is switched to.
    pub code_page: CodePage,
    /// How long to wait for each status answer (printers that never answer cost this once).
    pub status_timeout: Duration,
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions {
            width: PaperWidth::default(),
            code_page: CodePage::default(),
            status_timeout: Duration::from_millis(500),
        }
    }
}

/// What happened when a ticket was printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintReport {
    /// Bytes sent to the printer.
    pub bytes_sent: usize,
    /// The status the printer reported before printing; `None` when it did not answer.
    pub status: Option<PrinterStatus>,
    /// Characters the code page lacked (transliterated or replaced).
    pub replaced: Vec<char>,
}

/// Checks the printer's status (when it answers) and prints the ticket.
/// A printer that reports paper out, cover open, an error or offline gets nothing sent
/// and the matching error comes back.
pub fn print_ticket(
    transport: &mut dyn Transport,
    ticket: &Ticket,
    options: PrintOptions,
) -> Result<PrintReport, PrinterError> {
    let encoded = encode_ticket(ticket, options.width, options.code_page)?;
    let status = query_status(transport, options.status_timeout)?;
    match status {
        Some(status) => status.check()?,
        None => {
            tracing::debug!(printer = %transport.describe(), "printer did not answer the status request; printing anyway")
        }
    }
    if !encoded.replaced.is_empty() {
        tracing::info!(
            count = encoded.replaced.len(),
            "characters outside the printer's code page were transliterated"
        );
    }
    transport.send(&encoded.bytes)?;
    Ok(PrintReport {
        bytes_sent: encoded.bytes.len(),
        status,
        replaced: encoded.replaced,
    })
}
