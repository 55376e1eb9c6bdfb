//! The queue ticket: its data, its layout on 58 mm and 80 mm paper, and a sample for
//! technicians.

use chrono::{Datelike, NaiveDateTime, Timelike};

use crate::codepage::CodePage;
use crate::error::PrinterError;
use crate::escpos::{Align, EscPos, QrLevel};

/// Paper roll width of a thermal ticket printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaperWidth {
    /// 58 mm paper: 32 columns of font A, 384 dots.
    Mm58,
    /// 80 mm paper: 48 columns of font A, 576 dots.
    #[default]
    Mm80,
}

impl PaperWidth {
    /// Characters per line in font A (12 dots wide) at normal size.
    pub fn columns(self) -> usize {
        match self {
            PaperWidth::Mm58 => 32,
            PaperWidth::Mm80 => 48,
        }
    }

    /// Printable dots per line (203 dpi heads).
    pub fn dots(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
        }
    }

    /// Parses `58` or `80` (with or without `mm`).
    pub fn from_mm(text: &str) -> Option<Self> {
        match text.trim().trim_end_matches("mm") {
            "58" => Some(PaperWidth::Mm58),
            "80" => Some(PaperWidth::Mm80),
            _ => None,
        }
    }

    /// Width and height multiplier of the ticket number.
    fn number_scale(self) -> u8 {
        match self {
            PaperWidth::Mm58 => 4,
            PaperWidth::Mm80 => 6,
        }
    }

    fn qr_module_dots(self) -> u8 {
        match self {
            PaperWidth::Mm58 => 6,
            PaperWidth::Mm80 => 8,
        }
    }
}

/// What a queue ticket shows. The hub fills it when a ticket is issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Office name, e.g. "Kantor Imigrasi Kelas I TPI Jakarta Selatan".
    pub office_name: String,
    /// Ticket number, e.g. "A001" (printed largest).
    pub ticket_number: String,
    /// Service name in Indonesian, e.g. "Paspor Baru".
    pub service: String,
    /// When the ticket was issued (office local time).
    pub issued_at: NaiveDateTime,
    /// Time-zone label printed after the time ("WIB", "WITA", "WIT"); may be empty.
    pub time_zone: String,
    /// Estimated wait in minutes, when the hub can estimate it.
    pub estimated_wait_minutes: Option<u32>,
    /// Visit id, encoded in the QR code (and printed small under it).
    pub visit_id: String,
    /// A short instruction in Indonesian.
    pub instruction: String,
}

impl Ticket {
    /// Checks the fields that must be on every ticket.
    pub fn validate(&self) -> Result<(), PrinterError> {
        if self.ticket_number.trim().is_empty() {
            return Err(PrinterError::MissingField {
                field: "nomor antrean / ticket number",
            });
        }
        if self.visit_id.trim().is_empty() {
            return Err(PrinterError::MissingField {
                field: "id kunjungan / visit id",
            });
        }
        Ok(())
    }

    /// The estimated wait as printed, e.g. "± 25 menit", or "-" when unknown.
    pub fn wait_text(&self) -> String {
        match self.estimated_wait_minutes {
            None => "-".to_string(),
            Some(0) => "segera".to_string(),
            Some(m) if m < 60 => format!("± {m} menit"),
            Some(m) => format!("± {} jam {} menit", m / 60, m % 60),
        }
    }
}

const HARI: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];
const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// An Indonesian date: "Senin, 23 November 2026".
pub fn format_date_id(date: chrono::NaiveDate) -> String {
    let day = HARI
        .get(date.weekday().num_days_from_monday() as usize)
        .copied()
        .unwrap_or("");
    let month = BULAN.get(date.month0() as usize).copied().unwrap_or("");
    format!("{day}, {} {month} {}", date.day(), date.year())
}

/// An Indonesian time of day with a period: "08.05".
pub fn format_time_id(at: NaiveDateTime) -> String {
    format!("{:02}.{:02}", at.hour(), at.minute())
}

/// Encodes a ticket for a printer with the given paper width and code page.
///
/// Layout, centred: office name (bold), a rule, "NOMOR ANTREAN", the number in the largest
/// type, the service (bold, double height), date and time, the estimated wait, the QR code
/// of the visit id with the id under it, the instruction, then feed and cut.
pub fn encode_ticket(
    ticket: &Ticket,
    width: PaperWidth,
    code_page: CodePage,
) -> Result<EncodedTicket, PrinterError> {
    ticket.validate()?;
    let cols = width.columns();
    let mut e = EscPos::new(code_page);
    e.align(Align::Center);
    e.bold(true)
        .paragraph(&ticket.office_name, cols)
        .bold(false);
    e.line(&"-".repeat(cols));
    e.line("NOMOR ANTREAN");
    let scale = width.number_scale();
    e.size(scale, scale).bold(true);
    e.paragraph(&ticket.ticket_number, cols / usize::from(scale));
    e.bold(false).size(1, 1);
    e.size(1, 2)
        .bold(true)
        .paragraph(&ticket.service, cols)
        .bold(false)
        .size(1, 1);
    e.line("");
    e.paragraph(&format_date_id(ticket.issued_at.date()), cols);
    let time = format!(
        "Pukul {} {}",
        format_time_id(ticket.issued_at),
        ticket.time_zone.trim()
    );
    e.paragraph(time.trim_end(), cols);
    e.paragraph(
        &format!("Perkiraan waktu tunggu: {}", ticket.wait_text()),
        cols,
    );
    e.line("");
    e.qr(
        ticket.visit_id.as_bytes(),
        width.qr_module_dots(),
        QrLevel::M,
    )?;
    e.newline();
    e.paragraph(&ticket.visit_id, cols);
    e.line(&"-".repeat(cols));
    e.paragraph(&ticket.instruction, cols);
    e.feed(3).cut();
    let replaced = e.replaced().to_vec();
    Ok(EncodedTicket {
        bytes: e.into_bytes(),
        replaced,
    })
}

/// A ticket encoded for the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedTicket {
    /// The ESC/POS byte stream.
    pub bytes: Vec<u8>,
    /// Characters the code page lacked (transliterated or replaced), for the log.
    pub replaced: Vec<char>,
}

/// The sample ticket stamped with the local time now.
pub fn sample_ticket_now() -> Ticket {
    sample_ticket(chrono::Local::now().naive_local())
}

/// A sample ticket for `loket printer test`: long office name, an accented name-like
/// service, and every field filled.
pub fn sample_ticket(issued_at: NaiveDateTime) -> Ticket {
    Ticket {
        office_name: "Kantor Imigrasi Kelas I TPI Jakarta Selatan".to_string(),
        ticket_number: "A001".to_string(),
        service: "Paspor Baru (uji cetak)".to_string(),
        issued_at,
        time_zone: "WIB".to_string(),
        estimated_wait_minutes: Some(25),
        visit_id: "UJI-CETAK-0000-0000".to_string(),
        instruction: "Silakan duduk dan tunggu nomor Anda dipanggil. Siapkan e-KTP dan KK asli. Ini tiket uji cetak: tidak berlaku.".to_string(),
    }
}
