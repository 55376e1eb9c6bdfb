//! loket-documents: the office's PDFs (ticket, check-in slip, BAP form, pickup receipt
//! and register, daily report), all drawn with one layout helper ([`layout::Flow`]) and
//! the DejaVu fonts embedded.
//!
//! Each document has a plain input struct (filled by the hub) and a `render_*` function
//! returning a [`RenderedDocument`]: the PDF bytes, the page count, and the characters
//! the font lacked (replaced safely and reported, never a broken file).

mod bap;
mod checkin;
mod common;
mod error;
pub mod fonts;
pub mod layout;
mod pickup;
mod report;
mod ticket;

pub use bap::{
    Applicant, BapCase, BapForm, BapOutcome, DocumentCheck, Official, OldPassport, QuestionAnswer,
    render_bap,
};
pub use checkin::{CheckInSlip, PaymentCheck, render_checkin_slip};
pub use common::{
    Office, format_date, format_date_time, format_minutes, format_rupiah, group_thousands,
};
pub use error::DocumentError;
pub use fonts::Fonts;
pub use layout::RenderedDocument;
pub use loket_printer::Ticket;
pub use pickup::{
    Collector, Handover, PickupReceipt, PickupRegister, render_pickup_receipt,
    render_pickup_register,
};
pub use report::{
    CounterFigures, DailyReport, Durations, FeeFigures, QuotaFigures, ServiceLaneFigures,
    StageFigures, WaitingFigures, render_daily_report, render_daily_reports,
};
pub use ticket::render_ticket;
