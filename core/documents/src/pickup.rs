//! Passport pickup: the handover receipt (A5) and the day's handover register (A4
//! landscape, a signature column on every row).

use chrono::{NaiveDate, NaiveDateTime};

use crate::common::{Office, format_date, format_date_time, or_dash, require};
use crate::error::DocumentError;
use crate::fonts::Fonts;
use crate::layout::{
    Align, Column, Flow, PageSize, RenderedDocument, Running, SignatureBox, Style, Table,
};

/// Who collects the passport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collector {
    /// The applicant, with the receipt and ID.
    Applicant,
    /// Family, with the receipt and the family card (KK).
    Family,
    /// Anyone else, with the receipt and a power of attorney.
    Proxy,
}

impl Collector {
    /// Indonesian label with the documents required.
    pub fn label(self) -> &'static str {
        match self {
            Collector::Applicant => "Pemohon sendiri (tanda terima + identitas)",
            Collector::Family => "Keluarga (tanda terima + Kartu Keluarga)",
            Collector::Proxy => "Kuasa (tanda terima + surat kuasa)",
        }
    }
}

/// One passport handover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// Application receipt number.
    pub receipt_number: String,
    /// New passport number.
    pub passport_number: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// Name of the person collecting.
    pub collector_name: String,
    /// Relation of the collector.
    pub collector: Collector,
    /// ID number of the collector (NIK or passport).
    pub collector_id: String,
    /// When it was handed over.
    pub handed_over_at: NaiveDateTime,
}

/// The handover receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupReceipt {
    /// Letterhead.
    pub office: Office,
    /// The handover.
    pub handover: Handover,
    /// "WIB", "WITA" or "WIT".
    pub time_zone: String,
    /// Officer handing over.
    pub officer_name: String,
    /// Officer's NIP.
    pub officer_nip: String,
    /// City for the signature line.
    pub place: String,
}

fn check_handover(h: &Handover) -> Result<(), DocumentError> {
    const DOC: &str = "penyerahan paspor / passport handover";
    require(DOC, "nomor paspor / passport number", &h.passport_number)?;
    require(DOC, "nama pemohon / applicant name", &h.applicant_name)?;
    require(DOC, "nama pengambil / collector name", &h.collector_name)
}

/// Renders the receipt: letterhead, the handover fields, two signature boxes.
pub fn render_pickup_receipt(
    fonts: &Fonts,
    receipt: &PickupReceipt,
) -> Result<RenderedDocument, DocumentError> {
    let h = &receipt.handover;
    check_handover(h)?;
    let mut flow = Flow::new(fonts, "Tanda Terima Penyerahan Paspor", PageSize::A5, None);
    receipt.office.letterhead(&mut flow);
    flow.paragraph("TANDA TERIMA PENYERAHAN PASPOR", Style::TITLE.sized(13.0));
    flow.space(3.0);
    let when = format_date_time(h.handed_over_at, &receipt.time_zone);
    flow.fields(
        &[
            ("Nomor tanda terima", or_dash(&h.receipt_number)),
            ("Nomor paspor", &h.passport_number),
            ("Nama pemohon", &h.applicant_name),
            ("Diambil oleh", &h.collector_name),
            ("Hubungan / dokumen", h.collector.label()),
            ("Nomor identitas pengambil", or_dash(&h.collector_id)),
            ("Waktu penyerahan", &when),
        ],
        0.36,
    );
    flow.space(2.0);
    flow.paragraph(
        "Paspor tersebut di atas telah diterima dalam keadaan baik. Periksa kembali data pada paspor sebelum meninggalkan loket.",
        Style::BODY.sized(9.0).leading(1.4),
    );
    flow.space(4.0);
    let nip = if receipt.officer_nip.trim().is_empty() {
        String::new()
    } else {
        format!("NIP {}", receipt.officer_nip)
    };
    flow.signatures(
        &format!(
            "{}, {}",
            or_dash(&receipt.place),
            format_date(h.handed_over_at.date())
        ),
        &[
            SignatureBox {
                role: "Yang menerima".to_string(),
                name: h.collector_name.clone(),
                detail: String::new(),
            },
            SignatureBox {
                role: "Yang menyerahkan".to_string(),
                name: receipt.officer_name.clone(),
                detail: nip,
            },
        ],
    );
    flow.finish()
}

/// The handover register of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupRegister {
    /// Letterhead.
    pub office: Office,
    /// The day.
    pub date: NaiveDate,
    /// The handovers, in order.
    pub entries: Vec<Handover>,
    /// Footer text (when and by whom it was printed).
    pub printed_note: String,
}

/// Renders the register: a table with a signature column; the header repeats on every page.
pub fn render_pickup_register(
    fonts: &Fonts,
    register: &PickupRegister,
) -> Result<RenderedDocument, DocumentError> {
    for entry in &register.entries {
        check_handover(entry)?;
    }
    let running = Running {
        header_left: register.office.name.clone(),
        header_right: format!(
            "Register Penyerahan Paspor · {}",
            format_date(register.date)
        ),
        footer_left: register.printed_note.clone(),
    };
    let mut flow = Flow::new(
        fonts,
        "Register Penyerahan Paspor",
        PageSize::A4_LANDSCAPE,
        Some(running),
    );
    flow.paragraph("REGISTER PENYERAHAN PASPOR", Style::TITLE.sized(14.0));
    flow.paragraph(
        &format!("{} · {}", register.office.name, format_date(register.date)),
        Style::BODY.aligned(Align::Center),
    );
    flow.space(3.0);
    let rows = register
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                (i + 1).to_string(),
                loket_printer::format_time_id(e.handed_over_at),
                e.receipt_number.clone(),
                e.passport_number.clone(),
                e.applicant_name.clone(),
                format!("{} — {}", e.collector_name, e.collector.label()),
                String::new(),
            ]
        })
        .collect();
    flow.table(&Table {
        columns: vec![
            Column::new("No", 0.5, Align::Center),
            Column::new("Jam", 0.8, Align::Center),
            Column::new("No. Tanda Terima", 1.8, Align::Left),
            Column::new("No. Paspor", 1.4, Align::Left),
            Column::new("Nama Pemohon", 3.0, Align::Left),
            Column::new("Diambil oleh / hubungan", 3.6, Align::Left),
            Column::new("Tanda Tangan", 2.0, Align::Center),
        ],
        rows,
        min_row_mm: 13.0,
        ..Table::default()
    });
    if register.entries.is_empty() {
        flow.paragraph("Tidak ada penyerahan paspor pada hari ini.", Style::BODY);
    }
    flow.finish()
}
