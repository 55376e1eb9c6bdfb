//! The check-in slip of an M-Paspor booking (A6).

use chrono::NaiveDateTime;

use crate::common::{format_date_time, or_dash, require};
use crate::error::DocumentError;
use crate::fonts::Fonts;
use crate::layout::{Align, Flow, Ink, PageSize, RenderedDocument, Style};

/// Whether the booking's PNBP payment was confirmed by central at check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentCheck {
    /// Central confirmed the payment.
    Verified,
    /// Central could not be asked: the officer checks the payment proof.
    NotVerified,
}

/// What a check-in slip shows. The hub fills it at check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInSlip {
    /// Office name.
    pub office_name: String,
    /// Queue number given at check-in.
    pub ticket_number: String,
    /// Applicant's name as booked.
    pub applicant_name: String,
    /// M-Paspor booking code.
    pub booking_code: String,
    /// Service.
    pub service: String,
    /// Booked slot, e.g. "09.00 - 10.00".
    pub slot: String,
    /// When the applicant checked in.
    pub checked_in_at: NaiveDateTime,
    /// "WIB", "WITA" or "WIT".
    pub time_zone: String,
    /// Payment state at check-in.
    pub payment: PaymentCheck,
    /// SIMPONI billing code (15 digits).
    pub billing_code: String,
    /// Visit id (QR code).
    pub visit_id: String,
}

/// Renders the slip: title, number large, the booking fields, payment state, QR code.
pub fn render_checkin_slip(
    fonts: &Fonts,
    slip: &CheckInSlip,
) -> Result<RenderedDocument, DocumentError> {
    const DOC: &str = "slip check-in / check-in slip";
    require(DOC, "nomor antrean / ticket number", &slip.ticket_number)?;
    require(DOC, "id kunjungan / visit id", &slip.visit_id)?;
    let mut flow = Flow::new(fonts, "Bukti Check-in M-Paspor", PageSize::A6, None);
    let center = Style::BODY.aligned(Align::Center);
    flow.paragraph(
        &slip.office_name,
        center.sized(9.5).bold(true).ink(Ink::Navy),
    );
    flow.rule(0.8, Ink::Navy);
    flow.paragraph("BUKTI CHECK-IN M-PASPOR", center.sized(11.0).bold(true));
    flow.paragraph(
        &slip.ticket_number,
        center.sized(40.0).bold(true).ink(Ink::Navy).leading(1.1),
    );
    flow.space(1.0);
    let checked_in = format_date_time(slip.checked_in_at, &slip.time_zone);
    let payment = match slip.payment {
        PaymentCheck::Verified => "Lunas (terverifikasi)",
        PaymentCheck::NotVerified => "BELUM TERVERIFIKASI",
    };
    flow.fields(
        &[
            ("Nama", or_dash(&slip.applicant_name)),
            ("Kode booking", or_dash(&slip.booking_code)),
            ("Layanan", or_dash(&slip.service)),
            ("Jadwal", or_dash(&slip.slot)),
            ("Check-in", &checked_in),
            ("Pembayaran", payment),
            ("Kode billing", or_dash(&slip.billing_code)),
        ],
        0.32,
    );
    if slip.payment == PaymentCheck::NotVerified {
        flow.paragraph(
            "Status pembayaran belum dapat diperiksa ke pusat. Tunjukkan bukti bayar SIMPONI kepada petugas loket.",
            Style::BODY.sized(8.5).bold(true),
        );
    }
    flow.space(1.0);
    flow.qr(slip.visit_id.as_bytes(), 24.0, Align::Center)?;
    flow.paragraph("Tunggu nomor Anda dipanggil di layar.", center.sized(8.5));
    flow.finish()
}
