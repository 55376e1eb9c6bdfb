//! Prints how long encoding a ticket takes (58 and 80 mm), against a reference measured in
//! the same run: copying the ticket's text into a byte buffer. Run: `cargo bench -p loket-printer`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use loket_printer::{CodePage, PaperWidth, encode_ticket, sample_ticket};

fn time<T>(iterations: u32, mut f: impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(f());
    }
    start.elapsed() / iterations
}

fn main() {
    let at = NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .unwrap_or_default();
    let ticket = sample_ticket(at);
    let n = 20_000;
    let reference = time(n, || {
        let mut buf = Vec::with_capacity(512);
        for field in [
            &ticket.office_name,
            &ticket.ticket_number,
            &ticket.service,
            &ticket.visit_id,
            &ticket.instruction,
        ] {
            buf.extend_from_slice(field.as_bytes());
        }
        buf
    });
    for (name, width) in [("58 mm", PaperWidth::Mm58), ("80 mm", PaperWidth::Mm80)] {
        let t = time(n, || encode_ticket(&ticket, width, CodePage::Wpc1252));
        println!(
            "ESC/POS ticket {name}: {:.2} µs per ticket ({:.1}x the copy reference of {:.3} µs)",
            t.as_secs_f64() * 1e6,
            t.as_secs_f64() / reference.as_secs_f64().max(1e-12),
            reference.as_secs_f64() * 1e6
        );
    }
}
