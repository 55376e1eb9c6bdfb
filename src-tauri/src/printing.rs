//! The kiosk's ticket printer: the `print_ticket` command sends the ticket the hub just
//! issued to the desk's ESC/POS printer (USB or LAN port 9100) through `loket-printer`.
//!
//! The page passes what it shows on screen; this module turns it into the driver's
//! [`Ticket`] (office time from the hub's UTC instant and the office's time zone) and prints
//! it on a blocking thread, so the window never waits on a slow printer.

use std::time::Duration;

use chrono::{DateTime, Utc};
use loket_domain::OfficeTimeZone;
use loket_printer::{Destination, PaperWidth, PrintOptions, PrinterError, Ticket};
use serde::{Deserialize, Serialize};

/// The desk's ticket printer, from the settings file or flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPrinter {
    /// Where the ticket goes.
    pub destination: Destination,
    /// Paper roll width.
    pub width: PaperWidth,
}

/// A ticket as the kiosk page has it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TicketFromPage {
    /// "A001".
    pub number: String,
    /// Service name as shown ("Paspor Baru").
    pub service_name: String,
    /// Lane as shown ("Prioritas"), printed after the service when not the walk-in lane.
    #[serde(default)]
    pub lane_name: Option<String>,
    /// The office's name.
    pub office_name: String,
    /// When the hub issued it (RFC 3339, UTC).
    pub issued_at: String,
    /// The office's time zone (`WIB`, `WITA`, `WIT`); WIB when the page does not know.
    #[serde(default)]
    pub time_zone: Option<OfficeTimeZone>,
    /// The hub's estimate.
    #[serde(default)]
    pub estimated_wait_minutes: Option<u32>,
    /// The visit id, carried by the QR code.
    pub visit_id: String,
}

/// What the page learns after printing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Printed {
    /// Bytes sent to the printer.
    pub bytes_sent: usize,
    /// Characters the printer's code page lacked (printed transliterated).
    pub replaced: Vec<char>,
}

/// Short Indonesian instruction at the foot of every ticket.
pub const INSTRUCTION: &str = "Silakan duduk dan tunggu nomor Anda dipanggil di layar. Siapkan e-KTP dan dokumen asli. Layanan tanpa calo.";

/// The driver's ticket for what the page sent.
pub fn to_ticket(page: &TicketFromPage) -> Result<Ticket, String> {
    let instant = DateTime::parse_from_rfc3339(page.issued_at.trim())
        .map_err(|_| {
            format!(
                "Waktu tiket \"{}\" tidak terbaca; ambil tiket lagi. / Ticket time \"{}\" is unreadable; take the ticket again.",
                page.issued_at, page.issued_at
            )
        })?
        .with_timezone(&Utc);
    let zone = page.time_zone.unwrap_or_default();
    let service = match page.lane_name.as_deref().map(str::trim) {
        Some(lane) if !lane.is_empty() => format!("{} - {lane}", page.service_name.trim()),
        _ => page.service_name.trim().to_owned(),
    };
    Ok(Ticket {
        office_name: page.office_name.trim().to_owned(),
        ticket_number: page.number.trim().to_owned(),
        service,
        issued_at: zone.local(instant),
        time_zone: zone.abbreviation().to_owned(),
        estimated_wait_minutes: page.estimated_wait_minutes,
        visit_id: page.visit_id.trim().to_owned(),
        instruction: INSTRUCTION.to_owned(),
    })
}

/// Prints one ticket; the error is the driver's bilingual message (paper out, cover open,
/// no printer, ...), which the kiosk shows and logs.
pub fn print(printer: &TicketPrinter, page: &TicketFromPage) -> Result<Printed, String> {
    let ticket = to_ticket(page)?;
    let run = || -> Result<Printed, PrinterError> {
        let mut transport = printer.destination.open(Duration::from_secs(5))?;
        let options = PrintOptions {
            width: printer.width,
            ..PrintOptions::default()
        };
        let report = loket_printer::print_ticket(transport.as_mut(), &ticket, options)?;
        Ok(Printed {
            bytes_sent: report.bytes_sent,
            replaced: report.replaced,
        })
    };
    run().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn page() -> TicketFromPage {
        TicketFromPage {
            number: "A001".into(),
            service_name: "Paspor Baru".into(),
            lane_name: Some("Prioritas".into()),
            office_name: "Kantor Imigrasi Kelas I TPI Jakarta Selatan".into(),
            issued_at: "2026-12-01T01:30:00Z".into(),
            time_zone: Some(OfficeTimeZone::Wita),
            estimated_wait_minutes: Some(12),
            visit_id: "42".into(),
        }
    }

    #[test]
    fn the_page_ticket_becomes_the_drivers_in_office_time() {
        let t = to_ticket(&page()).unwrap();
        assert_eq!(t.issued_at.to_string(), "2026-12-01 09:30:00");
        assert_eq!(t.time_zone, "WITA");
        assert_eq!(t.service, "Paspor Baru - Prioritas");
        assert_eq!(t.visit_id, "42");
    }

    #[test]
    fn an_unreadable_time_is_a_bilingual_error() {
        let mut p = page();
        p.issued_at = "kemarin".into();
        let err = to_ticket(&p).unwrap_err();
        assert!(
            err.contains("tidak terbaca") && err.contains("unreadable"),
            "{err}"
        );
    }

    #[test]
    fn the_page_may_not_send_unknown_fields() {
        let err = serde_json::from_str::<TicketFromPage>(
            r#"{"number":"A001","serviceName":"x","officeName":"o","issuedAt":"2026-12-01T01:30:00Z","visitId":"1","printer":"usb"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("printer"), "{err}");
    }

    #[test]
    fn a_lan_printer_receives_the_ticket_and_a_dead_one_is_a_clear_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let reader = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut bytes = Vec::new();
            conn.read_to_end(&mut bytes).unwrap();
            bytes
        });
        let printer = TicketPrinter {
            destination: format!("tcp://{address}").parse().unwrap(),
            width: PaperWidth::Mm58,
        };
        let printed = print(&printer, &page()).unwrap();
        let bytes = reader.join().unwrap();
        // Before the ticket, the driver asks for the status (a LAN printer may not answer).
        assert!(bytes.len() >= printed.bytes_sent && printed.bytes_sent > 0);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("A001") && text.contains("Paspor Baru"),
            "{text}"
        );

        // Nobody listens there any more.
        let dead = TicketPrinter {
            destination: format!("tcp://{address}").parse().unwrap(),
            width: PaperWidth::Mm80,
        };
        let err = print(&dead, &page()).unwrap_err();
        assert!(!err.is_empty() && err.contains(" / "), "{err}");
    }
}
