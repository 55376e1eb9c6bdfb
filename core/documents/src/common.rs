//! Pieces shared by the documents: the office letterhead, number and date formats,
//! required-field checks.

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::DocumentError;
use crate::layout::{Align, Flow, Ink, Style};

/// The office issuing a document, for the letterhead ("kop surat").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Office {
    /// Lines above the office name, e.g. the ministry and the directorate general.
    pub parent_lines: Vec<String>,
    /// Office name, e.g. "KANTOR IMIGRASI KELAS I TPI JAKARTA SELATAN".
    pub name: String,
    /// Street address, phone, web site.
    pub address: String,
}

impl Office {
    /// The usual parent lines of an immigration office.
    pub fn default_parent_lines() -> Vec<String> {
        vec![
            "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA".to_string(),
            "DIREKTORAT JENDERAL IMIGRASI".to_string(),
        ]
    }

    /// Draws the letterhead: centred lines, office name largest, address, double rule.
    pub(crate) fn letterhead(&self, flow: &mut Flow) {
        for line in &self.parent_lines {
            flow.paragraph(
                line,
                Style::BODY.sized(9.5).bold(true).aligned(Align::Center),
            );
        }
        flow.paragraph(
            &self.name,
            Style::BODY
                .sized(12.5)
                .bold(true)
                .aligned(Align::Center)
                .ink(Ink::Navy),
        );
        if !self.address.trim().is_empty() {
            flow.paragraph(&self.address, Style::LABEL.aligned(Align::Center));
        }
        flow.space(1.0);
        flow.rule(1.8, Ink::Black);
        flow.space(-0.6);
        flow.rule(0.5, Ink::Black);
        flow.space(2.0);
    }
}

/// Fails with [`DocumentError::MissingField`] when `value` is blank.
pub(crate) fn require(
    document: &'static str,
    field: &'static str,
    value: &str,
) -> Result<(), DocumentError> {
    if value.trim().is_empty() {
        Err(DocumentError::MissingField { document, field })
    } else {
        Ok(())
    }
}

/// A blank value shown as a dash.
pub(crate) fn or_dash(value: &str) -> &str {
    if value.trim().is_empty() { "-" } else { value }
}

/// Rupiah with dots between thousands: "Rp 1.000.000".
pub fn format_rupiah(amount: u64) -> String {
    format!("Rp {}", group_thousands(amount))
}

/// An integer with dots between thousands: "12.345".
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Minutes with one decimal and a decimal comma: "12,5"; "-" for no data (NaN, negative).
pub fn format_minutes(minutes: f64) -> String {
    if !minutes.is_finite() || minutes < 0.0 {
        return "-".to_string();
    }
    format!("{minutes:.1}").replace('.', ",")
}

/// "Senin, 23 November 2026".
pub fn format_date(date: NaiveDate) -> String {
    loket_printer::format_date_id(date)
}

/// "12 April 1990" (birth dates: no weekday).
pub fn format_date_plain(date: NaiveDate) -> String {
    let full = format_date(date);
    full.split_once(", ")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or(full)
}

/// "Senin, 23 November 2026, pukul 10.15 WIB".
pub fn format_date_time(at: NaiveDateTime, time_zone: &str) -> String {
    format!(
        "{}, pukul {} {}",
        format_date(at.date()),
        loket_printer::format_time_id(at),
        time_zone.trim()
    )
    .trim_end()
    .to_string()
}

/// "23-11-2026" for table cells, or "-" when unknown.
pub fn format_short_date(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%d-%m-%Y").to_string())
        .unwrap_or_else(|| "-".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_indonesian_style() {
        assert_eq!(format_rupiah(1_000_000), "Rp 1.000.000");
        assert_eq!(format_rupiah(0), "Rp 0");
        assert_eq!(group_thousands(950), "950");
        assert_eq!(group_thousands(12_345), "12.345");
        assert_eq!(format_minutes(12.25), "12,2");
        assert_eq!(format_minutes(f64::NAN), "-");
    }
}
