//! The queue ticket as a PDF (A6), for kiosks without a thermal printer.

use loket_printer::Ticket;

use crate::common::format_date_time;
use crate::error::DocumentError;
use crate::fonts::Fonts;
use crate::layout::{Align, Flow, Ink, PageSize, RenderedDocument, Style};

/// Renders `ticket` on an A6 page: office, the number in the largest type, service, date
/// and time, estimated wait, QR code of the visit id, instruction.
pub fn render_ticket(fonts: &Fonts, ticket: &Ticket) -> Result<RenderedDocument, DocumentError> {
    crate::common::require(
        "tiket / ticket",
        "nomor antrean / ticket number",
        &ticket.ticket_number,
    )?;
    crate::common::require(
        "tiket / ticket",
        "id kunjungan / visit id",
        &ticket.visit_id,
    )?;
    let mut flow = Flow::new(fonts, "Tiket Antrean", PageSize::A6, None);
    let center = Style::BODY.aligned(Align::Center);
    flow.paragraph(
        &ticket.office_name,
        center.sized(10.5).bold(true).ink(Ink::Navy),
    );
    flow.space(1.0);
    flow.rule(0.8, Ink::Navy);
    flow.paragraph(
        "NOMOR ANTREAN",
        Style::LABEL.sized(9.0).aligned(Align::Center),
    );
    flow.paragraph(
        &ticket.ticket_number,
        center.sized(60.0).bold(true).ink(Ink::Navy).leading(1.05),
    );
    flow.paragraph(&ticket.service, center.sized(14.0).bold(true));
    flow.space(1.5);
    flow.paragraph(
        &format_date_time(ticket.issued_at, &ticket.time_zone),
        center.sized(9.0),
    );
    flow.paragraph(
        &format!("Perkiraan waktu tunggu: {}", ticket.wait_text()),
        center.sized(9.0).bold(true),
    );
    flow.space(1.5);
    flow.qr(ticket.visit_id.as_bytes(), 30.0, Align::Center)?;
    flow.paragraph(
        &ticket.visit_id,
        Style::LABEL.sized(7.0).aligned(Align::Center),
    );
    flow.space(1.5);
    flow.paragraph(&ticket.instruction, center.sized(9.0));
    flow.finish()
}
