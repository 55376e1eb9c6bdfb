//! Prints how long the PDFs take: a ticket, and a 30-page month of daily reports, against
//! a reference measured in the same run: an empty one-page PDF (no text, so no font is
//! written). Most of a document's time is writing and compressing the embedded fonts. Run: `cargo bench -p loket-documents`.

#[path = "../tests/samples/mod.rs"]
mod samples;

use std::time::{Duration, Instant};

use loket_documents::layout::{Flow, PageSize};
use loket_documents::{DailyReport, Fonts, render_daily_reports, render_ticket};

fn time<T>(iterations: u32, mut f: impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    for _ in 0..iterations {
        std::hint::black_box(f());
    }
    start.elapsed() / iterations
}

fn main() {
    let fonts = match Fonts::system() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("SKIP: {e}");
            return;
        }
    };
    let reference = time(5, || {
        Flow::new(&fonts, "empty", PageSize::A4, None).finish()
    });
    let ticket = samples::ticket();
    let t = time(5, || render_ticket(&fonts, &ticket));
    let month: Vec<DailyReport> = (1..=30).map(samples::report).collect();
    let pages = render_daily_reports(&fonts, &month)
        .map(|d| d.pages)
        .unwrap_or(0);
    let m = time(3, || render_daily_reports(&fonts, &month));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let ratio = |d: Duration| d.as_secs_f64() / reference.as_secs_f64().max(1e-12);
    println!(
        "reference (empty PDF, no fonts written): {:.1} ms",
        ms(reference)
    );
    println!("PDF ticket: {:.1} ms ({:.2}x reference)", ms(t), ratio(t));
    println!(
        "monthly report, 30 days, {pages} pages: {:.1} ms ({:.2}x reference)",
        ms(m),
        ratio(m)
    );
}
