//! Benchmark (not a test): the monthly report through the hub over a year of a busy office.
//!
//! 150,000 visits with their events (the same synthetic office as
//! `loket-domain`'s `monthly_report` bench: 14 counters, five services, 4 % no-shows, 2 %
//! closed by the end-of-day reset, a BAP per lost/damaged visit) are bulk-inserted into a real
//! hub database (one transaction, multi-row inserts). Then the report of one month is
//! produced through the hub (`Hub::report`: SQL read of visits, events, sessions, quotas and
//! BAPs, JSON parsing, `ReportBuilder`) several times, and, in the same run, the pure domain
//! build over the same month's records already in memory (`office_report`). Printed: the
//! times, the target (< 1000 ms), and the ratio hub / pure.
//!
//! Run: `cargo bench -p loket-hub --bench monthly_report`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[allow(dead_code)] // the hub's quotas come from its own table, not the year's
#[path = "../../domain/benches/support/synthetic_office.rs"]
mod synthetic_office;

use chrono::{Duration, NaiveDate, Utc};
use loket_domain::{
    Bap, CounterSession, DayKind, EventKind, FeeSchedule, OfficeTimeZone, QuotaDay, QuotaEntry,
    QuotaTable, ReportParams, ServiceCode, Visit, VisitEvent, VisitRecord, VisitRules,
    office_report,
};
use loket_hub::report::{Period, ReportQuery};
use loket_hub::store::ts;
use loket_hub::{Hub, HubConfig, Principal};
use sqlx::{ConnectOptions, QueryBuilder, Sqlite};
use std::hint::black_box;
use std::time::Instant;
use synthetic_office::{COUNTERS, QUOTA, Year, generate, month_range};

const RUNS: usize = 5;

fn config() -> HubConfig {
    let mut config = HubConfig {
        office_code: "BENCH".into(),
        ..HubConfig::default()
    };
    config.rules.quotas = QuotaTable {
        entries: ServiceCode::ALL
            .iter()
            .map(|s| QuotaEntry {
                day_kind: DayKind::Regular,
                service: *s,
                quota: QUOTA,
            })
            .collect(),
    };
    config
}

/// Inserts the year into the hub's database in one transaction.
async fn insert(path: &std::path::Path, year: &Year, sealer: &loket_hub::seal::Sealer) -> usize {
    let mut conn = loket_hub::db::connect_options(path)
        .connect()
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut conn)
        .await
        .unwrap();
    let now = ts(Utc::now());
    for c in 1..=COUNTERS {
        sqlx::query("INSERT INTO counters (id, name, created_at) VALUES (?, ?, ?)")
            .bind(c)
            .bind(format!("Loket {c}"))
            .bind(&now)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let rules = VisitRules::default();
    let mut rows = 0usize;
    // Visits: the stored form is the visit after its events, as the hub keeps it.
    for chunk in year.records.chunks(500) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO visits (id, office_date, service, lane, number, ticket, state, booking_code, \
             applicant_index, outcome, issued_at, updated_at, data) ",
        );
        let visits: Vec<Visit> = chunk
            .iter()
            .map(|r| Visit::replay(r.visit.clone(), r.issued_at, &r.events, &rules).unwrap())
            .collect();
        q.push_values(chunk.iter().zip(&visits), |mut b, (r, v)| {
            b.push_bind(v.id.0)
                .push_bind(v.office_date.to_string())
                .push_bind(v.service.as_str())
                .push_bind(v.lane.as_str())
                .push_bind(i64::from(v.ticket.number()))
                .push_bind(v.ticket.to_string())
                .push_bind(v.state.as_str())
                .push_bind(v.booking_code.clone())
                .push_bind(v.applicant_index.map(i64::from))
                .push_bind(v.outcome().map(|o| o.as_str()))
                .push_bind(ts(r.issued_at))
                .push_bind(ts(v.last_event_at))
                .push_bind(serde_json::to_string(v).unwrap());
        });
        q.build().execute(&mut conn).await.unwrap();
        rows += chunk.len();
    }
    // Events, the issue included (the hub stores it too).
    let mut events: Vec<(i64, VisitEvent)> = Vec::new();
    for r in &year.records {
        events.push((
            r.visit.id.0,
            VisitEvent::new(r.issued_at, EventKind::Issued),
        ));
        events.extend(r.events.iter().map(|e| (r.visit.id.0, *e)));
    }
    for chunk in events.chunks(1000) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO visit_events (visit_id, kind, at, counter_id, actor, data) ",
        );
        q.push_values(chunk, |mut b, (visit, e)| {
            let counter = match e.kind {
                EventKind::Called { counter, .. } => Some(counter.0),
                _ => None,
            };
            b.push_bind(*visit)
                .push_bind(e.kind.as_str())
                .push_bind(ts(e.at))
                .push_bind(counter)
                .push_bind("bench")
                .push_bind(serde_json::to_string(e).unwrap());
        });
        q.build().execute(&mut conn).await.unwrap();
        rows += chunk.len();
    }
    for chunk in year.sessions.chunks(1000) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO counter_sessions (counter_id, officer, opened_at, closed_at) ",
        );
        q.push_values(chunk, |mut b, s| {
            b.push_bind(s.counter.0)
                .push_bind(s.officer.clone())
                .push_bind(ts(s.opened_at))
                .push_bind(ts(s.closed_at));
        });
        q.build().execute(&mut conn).await.unwrap();
        rows += chunk.len();
    }
    let tz = OfficeTimeZone::Wib;
    for chunk in year.baps.chunks(500) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO baps (id, version, number, visit_id, office_date, status, outcome, examiner, \
             created_at, updated_at, content) ",
        );
        q.push_values(chunk, |mut b, bap| {
            b.push_bind(bap.id.0.clone())
                .push_bind(i64::from(bap.version))
                .push_bind(format!("BAP-{}", bap.id.0))
                .push_bind(bap.visit.map(|v| v.0))
                .push_bind(tz.office_date(bap.examined_at).to_string())
                .push_bind(bap.status.as_str())
                .push_bind(bap.interview.outcome.as_ref().map(|o| o.kind().as_str()))
                .push_bind(bap.examiner.username.clone())
                .push_bind(ts(bap.examined_at))
                .push_bind(ts(bap.updated_at))
                // Sealed as the hub stores it (the report opens every BAP it counts).
                .push_bind(sealer.seal(
                    &loket_hub::personal::bap_context(&bap.id.0, i64::from(bap.version)),
                    serde_json::to_string(bap).unwrap().as_bytes(),
                ));
        });
        q.build().execute(&mut conn).await.unwrap();
        rows += chunk.len();
    }
    sqlx::query("COMMIT").execute(&mut conn).await.unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
    rows
}

fn ms(secs: f64) -> f64 {
    secs * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let t = Instant::now();
    let year = generate(0x10_4E7);
    let events: usize = year.records.iter().map(|r| r.events.len() + 1).sum();
    println!(
        "generated {} visits ({} events with the issue, {} BAPs, {} working days) in {:.2?}",
        year.records.len(),
        events,
        year.baps.len(),
        year.days.len(),
        t.elapsed()
    );

    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::open(dir.path(), config()).await.unwrap();
    let t = Instant::now();
    let rows = insert(
        &dir.path().join(loket_hub::db::DB_FILE_NAME),
        &year,
        hub.sealer(),
    )
    .await;
    let db_bytes = std::fs::metadata(dir.path().join(loket_hub::db::DB_FILE_NAME))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "inserted {rows} rows into the hub's SQLite database in one transaction in {:.2?} ({:.0} MB)",
        t.elapsed(),
        db_bytes as f64 / 1e6
    );

    let month = 6;
    let (from, to) = month_range(month);
    let who = Principal::local("bench");
    let query = ReportQuery {
        date: Some(from + Duration::days(14)),
        period: Some(Period::Month),
        ..ReportQuery::default()
    };
    let mut hub_runs = Vec::new();
    let mut issued = 0;
    for run in 0..RUNS {
        let t = Instant::now();
        let view = hub.report(&who, &query).await.unwrap();
        let secs = t.elapsed().as_secs_f64();
        issued = view.report.total.issued;
        println!(
            "  hub run {}: {:7.1} ms ({} visits, served {}, fees Rp {}, {} visits left out)",
            run + 1,
            ms(secs),
            view.report.total.issued,
            view.report.total.served,
            view.report.fees_total_rupiah,
            view.report.skipped_visits.len()
        );
        black_box(&view);
        hub_runs.push(secs);
    }

    // Where the hub's time goes: the SQL read of the month's visits with their events
    // alone, then parsing their JSON.
    let mut conn = loket_hub::db::connect_options(&dir.path().join(loket_hub::db::DB_FILE_NAME))
        .connect()
        .await
        .unwrap();
    let (mut read_runs, mut parse_runs) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let t = Instant::now();
        let rows: Vec<(String, String)> = sqlx::query_as(loket_hub::report::VISITS_WITH_EVENTS)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(&mut conn)
            .await
            .unwrap();
        read_runs.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let mut events = 0usize;
        for (visit, list) in &rows {
            let v: Visit = serde_json::from_str(visit).unwrap();
            let e: Vec<VisitEvent> = serde_json::from_str(list).unwrap();
            events += e.len();
            black_box(&v);
        }
        parse_runs.push(t.elapsed().as_secs_f64());
        black_box(events);
    }
    println!(
        "  of which: SQL read of visits with events median {:.1} ms, JSON parsing median {:.1} ms",
        ms(median(read_runs)),
        ms(median(parse_runs))
    );

    // The pure domain build over the same month, records already in memory.
    let tz = OfficeTimeZone::Wib;
    let visits: Vec<&VisitRecord> = year
        .records
        .iter()
        .filter(|r| r.visit.office_date >= from && r.visit.office_date <= to)
        .collect();
    let baps: Vec<&Bap> = year
        .baps
        .iter()
        .filter(|b| {
            let d = tz.office_date(b.examined_at);
            d >= from && d <= to
        })
        .collect();
    let mut quotas = Vec::new();
    let mut d = from;
    while d <= to {
        for service in ServiceCode::ALL {
            quotas.push(QuotaDay {
                date: d,
                service,
                // Every date without a kind of its own is a regular day for the hub.
                quota: QUOTA,
            });
        }
        d = d.succ_opt().unwrap();
    }
    let sessions: Vec<CounterSession> = year
        .sessions
        .iter()
        .filter(|s| {
            let d = tz.office_date(s.opened_at);
            d >= from && d <= to
        })
        .cloned()
        .collect();
    let mut pure_runs = Vec::new();
    for _ in 0..RUNS {
        let params = ReportParams {
            from,
            to,
            time_zone: tz,
            visit_rules: VisitRules::default(),
            fees: FeeSchedule::default(),
            quotas: quotas.clone(),
            sessions: sessions.clone(),
        };
        let t = Instant::now();
        let report = office_report(params, visits.iter().copied(), baps.iter().copied());
        pure_runs.push(t.elapsed().as_secs_f64());
        assert_eq!(
            report.total.issued, issued,
            "hub and pure build count alike"
        );
        black_box(&report);
    }
    let (hub_ms, pure_ms) = (ms(median(hub_runs.clone())), ms(median(pure_runs)));
    println!(
        "monthly report ({from} .. {to}, {issued} visits) through the hub: median {hub_ms:.1} ms, \
         worst {:.1} ms (target < 1000 ms); pure domain build: median {pure_ms:.1} ms; ratio hub / pure {:.2}",
        ms(hub_runs.iter().copied().fold(0.0, f64::max)),
        hub_ms / pure_ms.max(1e-9)
    );

    // For scale: the whole year in one report through the hub.
    let t = Instant::now();
    let view = hub
        .report(
            &who,
            &ReportQuery {
                from: Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
                to: Some(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
                ..ReportQuery::default()
            },
        )
        .await
        .unwrap();
    println!(
        "yearly report through the hub: {} visits in {:.1} ms",
        view.report.total.issued,
        ms(t.elapsed().as_secs_f64())
    );
}
