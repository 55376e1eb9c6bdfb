//! The office head's daily report: key figures, then tables of tickets, waiting and
//! service times, counters, arrivals per hour, quotas, BAPs and fees.

use chrono::{NaiveDate, NaiveDateTime};

use crate::common::{
    Office, format_date, format_date_time, format_minutes, format_rupiah, group_thousands,
};
use crate::error::DocumentError;
use crate::fonts::Fonts;
use crate::layout::{
    Align, Column, Flow, PageSize, RenderedDocument, Running, SignatureBox, Style, Table,
};

/// Tickets of one service in one lane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceLaneFigures {
    /// Service name.
    pub service: String,
    /// Lane ("Umum", "Prioritas", "Janji temu").
    pub lane: String,
    /// Tickets issued.
    pub issued: u32,
    /// Visits served to the end.
    pub served: u32,
    /// No-shows.
    pub no_shows: u32,
    /// Walk-in tickets.
    pub walk_in: u32,
    /// Appointment check-ins.
    pub appointment: u32,
}

/// A distribution of durations in minutes (NaN or negative = no data).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Durations {
    /// How many were measured.
    pub count: u32,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Maximum.
    pub max: f64,
}

/// Waiting time (call minus issue) of one service.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WaitingFigures {
    /// Service name.
    pub service: String,
    /// Minutes.
    pub minutes: Durations,
}

/// Service time of one stage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StageFigures {
    /// Stage name.
    pub stage: String,
    /// Minutes.
    pub minutes: Durations,
}

/// What one counter and its officer did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CounterFigures {
    /// Counter name.
    pub counter: String,
    /// Officer (name or staff code).
    pub officer: String,
    /// Visits served.
    pub served: u32,
    /// Mean service time, minutes.
    pub mean_service_minutes: f64,
    /// Open but nobody at the counter, minutes.
    pub idle_minutes: f64,
}

/// Use of one quota.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuotaFigures {
    /// Service name.
    pub service: String,
    /// "Walk-in", "Janji temu", "Prioritas".
    pub kind: String,
    /// Quota.
    pub quota: u32,
    /// Used.
    pub used: u32,
}

/// One fee line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeeFigures {
    /// What the fee is for.
    pub item: String,
    /// How many.
    pub count: u32,
    /// Rupiah each.
    pub unit_rupiah: u64,
}

/// The figures of one office day. The hub fills it from the day's events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DailyReport {
    /// Letterhead.
    pub office: Office,
    /// The day (the first day of a range).
    pub date: NaiveDate,
    /// The last day of a range report; `None` for one day.
    pub to: Option<NaiveDate>,
    /// When the report was produced.
    pub generated_at: NaiveDateTime,
    /// "WIB", "WITA" or "WIT".
    pub time_zone: String,
    /// Tickets per service and lane.
    pub services: Vec<ServiceLaneFigures>,
    /// Waiting time of all visits.
    pub waiting_overall: Durations,
    /// Waiting time per service.
    pub waiting: Vec<WaitingFigures>,
    /// Service time per stage.
    pub stages: Vec<StageFigures>,
    /// Per counter and officer.
    pub counters: Vec<CounterFigures>,
    /// Arrivals per hour: (hour 0..=23, count).
    pub arrivals_per_hour: Vec<(u8, u32)>,
    /// Quota use.
    pub quotas: Vec<QuotaFigures>,
    /// BAPs by outcome: (outcome, count).
    pub baps_by_outcome: Vec<(String, u32)>,
    /// Fees due (PNBP).
    pub fees: Vec<FeeFigures>,
    /// Name of the office head (signature).
    pub head_name: String,
    /// NIP of the office head.
    pub head_nip: String,
}

fn dur_cells(d: &Durations) -> [String; 5] {
    [
        d.count.to_string(),
        format_minutes(d.mean),
        format_minutes(d.median),
        format_minutes(d.p90),
        format_minutes(d.max),
    ]
}

fn dur_columns(first: &str) -> Vec<Column> {
    vec![
        Column::new(first, 3.2, Align::Left),
        Column::new("Jumlah", 1.0, Align::Right),
        Column::new("Rata-rata", 1.2, Align::Right),
        Column::new("Median", 1.2, Align::Right),
        Column::new("P90", 1.2, Align::Right),
        Column::new("Maks.", 1.2, Align::Right),
    ]
}

fn draw_report(flow: &mut Flow, r: &DailyReport) {
    r.office.letterhead(flow);
    let (title, period) = match r.to {
        Some(to) if to != r.date => (
            "LAPORAN LAYANAN PASPOR",
            format!("{} – {}", format_date(r.date), format_date(to)),
        ),
        _ => ("LAPORAN HARIAN LAYANAN PASPOR", format_date(r.date)),
    };
    flow.paragraph(title, Style::TITLE);
    flow.paragraph(&period, Style::BODY.sized(11.0).aligned(Align::Center));
    flow.space(3.0);

    let issued: u32 = r.services.iter().map(|s| s.issued).sum();
    let served: u32 = r.services.iter().map(|s| s.served).sum();
    let no_shows: u32 = r.services.iter().map(|s| s.no_shows).sum();
    let fees: u64 = r
        .fees
        .iter()
        .map(|f| u64::from(f.count).saturating_mul(f.unit_rupiah))
        .sum();
    let wait = format!("{} mnt", format_minutes(r.waiting_overall.mean));
    let p90 = format!("{} mnt", format_minutes(r.waiting_overall.p90));
    flow.cards(&[
        ("Tiket diterbitkan", &group_thousands(u64::from(issued))),
        ("Dilayani", &group_thousands(u64::from(served))),
        ("Tidak hadir", &group_thousands(u64::from(no_shows))),
        ("Rata-rata tunggu", &wait),
        ("Tunggu P90", &p90),
    ]);

    flow.heading("1. Tiket per layanan dan jalur");
    let rows = r
        .services
        .iter()
        .map(|s| {
            vec![
                s.service.clone(),
                s.lane.clone(),
                s.issued.to_string(),
                s.served.to_string(),
                s.no_shows.to_string(),
                s.walk_in.to_string(),
                s.appointment.to_string(),
            ]
        })
        .collect();
    let sum = |f: fn(&ServiceLaneFigures) -> u32| r.services.iter().map(f).sum::<u32>().to_string();
    flow.table(&Table {
        columns: vec![
            Column::new("Layanan", 3.0, Align::Left),
            Column::new("Jalur", 1.6, Align::Left),
            Column::new("Terbit", 1.0, Align::Right),
            Column::new("Dilayani", 1.1, Align::Right),
            Column::new("Tidak hadir", 1.1, Align::Right),
            Column::new("Walk-in", 1.0, Align::Right),
            Column::new("Janji temu", 1.1, Align::Right),
        ],
        rows,
        total: Some(vec![
            "Jumlah".to_string(),
            String::new(),
            sum(|s| s.issued),
            sum(|s| s.served),
            sum(|s| s.no_shows),
            sum(|s| s.walk_in),
            sum(|s| s.appointment),
        ]),
        ..Table::default()
    });

    flow.heading("2. Waktu tunggu (menit, panggilan − terbit)");
    let mut rows: Vec<Vec<String>> = r
        .waiting
        .iter()
        .map(|w| {
            std::iter::once(w.service.clone())
                .chain(dur_cells(&w.minutes))
                .collect()
        })
        .collect();
    rows.push(
        std::iter::once("Semua layanan".to_string())
            .chain(dur_cells(&r.waiting_overall))
            .collect(),
    );
    let total = rows.pop();
    flow.table(&Table {
        columns: dur_columns("Layanan"),
        rows,
        total,
        ..Table::default()
    });
    let bars: Vec<(String, f64)> = r
        .waiting
        .iter()
        .map(|w| (w.service.clone(), w.minutes.mean))
        .collect();
    flow.bars(&bars, |v| format!("{} mnt", format_minutes(v)));

    flow.heading("3. Waktu layanan per tahap (menit)");
    let rows = r
        .stages
        .iter()
        .map(|s| {
            std::iter::once(s.stage.clone())
                .chain(dur_cells(&s.minutes))
                .collect()
        })
        .collect();
    flow.table(&Table {
        columns: dur_columns("Tahap"),
        rows,
        ..Table::default()
    });

    flow.heading("4. Per loket dan petugas");
    let rows = r
        .counters
        .iter()
        .map(|c| {
            vec![
                c.counter.clone(),
                c.officer.clone(),
                c.served.to_string(),
                format_minutes(c.mean_service_minutes),
                format_minutes(c.idle_minutes),
            ]
        })
        .collect();
    flow.table(&Table {
        columns: vec![
            Column::new("Loket", 1.6, Align::Left),
            Column::new("Petugas", 3.0, Align::Left),
            Column::new("Dilayani", 1.1, Align::Right),
            Column::new("Rata-rata layanan (mnt)", 2.0, Align::Right),
            Column::new("Menganggur (mnt)", 1.6, Align::Right),
        ],
        rows,
        ..Table::default()
    });

    flow.heading("5. Kedatangan per jam");
    let bars: Vec<(String, f64)> = r
        .arrivals_per_hour
        .iter()
        .map(|(h, n)| (format!("{h:02}.00–{:02}.00", (h + 1) % 24), f64::from(*n)))
        .collect();
    flow.bars(&bars, |v| format!("{v:.0}"));

    flow.heading("6. Pemakaian kuota");
    let rows = r
        .quotas
        .iter()
        .map(|q| {
            let pct = if q.quota > 0 {
                format!(
                    "{} %",
                    format_minutes(f64::from(q.used) * 100.0 / f64::from(q.quota))
                )
            } else {
                "-".to_string()
            };
            vec![
                q.service.clone(),
                q.kind.clone(),
                q.quota.to_string(),
                q.used.to_string(),
                pct,
            ]
        })
        .collect();
    flow.table(&Table {
        columns: vec![
            Column::new("Layanan", 3.0, Align::Left),
            Column::new("Jenis kuota", 1.8, Align::Left),
            Column::new("Kuota", 1.0, Align::Right),
            Column::new("Terpakai", 1.0, Align::Right),
            Column::new("Pemakaian", 1.2, Align::Right),
        ],
        rows,
        ..Table::default()
    });

    flow.heading("7. BAP menurut hasil");
    let rows = r
        .baps_by_outcome
        .iter()
        .map(|(o, n)| vec![o.clone(), n.to_string()])
        .collect();
    let bap_total = r
        .baps_by_outcome
        .iter()
        .map(|(_, n)| n)
        .sum::<u32>()
        .to_string();
    flow.table(&Table {
        columns: vec![
            Column::new("Hasil", 5.0, Align::Left),
            Column::new("Jumlah", 1.0, Align::Right),
        ],
        rows,
        total: Some(vec!["Jumlah".to_string(), bap_total]),
        ..Table::default()
    });

    flow.heading("8. PNBP terutang");
    let rows = r
        .fees
        .iter()
        .map(|f| {
            vec![
                f.item.clone(),
                f.count.to_string(),
                format_rupiah(f.unit_rupiah),
                format_rupiah(u64::from(f.count).saturating_mul(f.unit_rupiah)),
            ]
        })
        .collect();
    flow.table(&Table {
        columns: vec![
            Column::new("Jenis", 3.6, Align::Left),
            Column::new("Jumlah", 0.9, Align::Right),
            Column::new("Tarif", 1.6, Align::Right),
            Column::new("Total", 1.9, Align::Right),
        ],
        rows,
        total: Some(vec![
            "Jumlah".to_string(),
            String::new(),
            String::new(),
            format_rupiah(fees),
        ]),
        ..Table::default()
    });
    flow.space(4.0);
    let nip = if r.head_nip.trim().is_empty() {
        String::new()
    } else {
        format!("NIP {}", r.head_nip)
    };
    flow.signatures(
        "",
        &[
            SignatureBox::default(),
            SignatureBox {
                role: "Kepala Kantor".to_string(),
                name: r.head_name.clone(),
                detail: nip,
            },
        ],
    );
}

/// Renders one day's report on A4 pages.
pub fn render_daily_report(
    fonts: &Fonts,
    report: &DailyReport,
) -> Result<RenderedDocument, DocumentError> {
    render_daily_reports(fonts, std::slice::from_ref(report))
}

/// Renders several days into one PDF (a month), each day starting on a new page.
pub fn render_daily_reports(
    fonts: &Fonts,
    reports: &[DailyReport],
) -> Result<RenderedDocument, DocumentError> {
    let first = reports.first().ok_or(DocumentError::MissingField {
        document: "laporan / report",
        field: "hari / day",
    })?;
    let running = Running {
        header_left: first.office.name.clone(),
        header_right: if first.to.is_some_and(|to| to != first.date) {
            "Laporan Layanan".to_string()
        } else {
            "Laporan Harian Layanan".to_string()
        },
        footer_left: format!(
            "Dibuat oleh Loket · {}",
            format_date_time(first.generated_at, &first.time_zone)
        ),
    };
    let mut flow = Flow::new(fonts, "Laporan Harian Layanan", PageSize::A4, Some(running));
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            flow.new_page();
        }
        draw_report(&mut flow, report);
    }
    flow.finish()
}
