//! No personal data in the logs: a whole office day through the API (bookings imported,
//! checked in, walk-ins, calls, service, refusals, day close) with every log line captured
//! at debug level, sqlx's and tower-http's included, and not one NIK or applicant's name in
//! them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Everything logged, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn an_office_day_logs_no_nik_and_no_name() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "debug,sqlx=debug,tower_http=debug,loket_hub=trace",
        ))
        .with_writer(captured.clone())
        .with_ansi(false)
        .try_init()
        .unwrap();

    let t = start().await;
    let file = loket_hub::demo::demo_bookings(&t.hub);
    let mut secrets: Vec<String> = Vec::new();
    for b in &file.bookings {
        for a in &b.applicants {
            secrets.push(a.nik.clone());
            secrets.push(a.name.to_lowercase());
            // Each part of a name that could not be anything else.
            secrets.extend(
                a.name
                    .split_whitespace()
                    .filter(|p| p.len() >= 5)
                    .map(str::to_lowercase),
            );
        }
    }

    let supervisor = t.login("supervisor").await;
    let officer = t.login("officer").await;
    let officer2 = t.login("officer2").await;
    // Bookings imported over the API (and a file with a bad NIK, refused).
    let (s, body) = t
        .post(
            &supervisor,
            "/api/v1/bookings/import",
            serde_json::to_value(&file).unwrap(),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let mut bad = serde_json::to_value(&file).unwrap();
    bad["bookings"][0]["applicants"][0]["nik"] = json!("3171019999999999");
    let (s, _) = t.post(&supervisor, "/api/v1/bookings/import", bad).await;
    assert_eq!(s, 422);
    // NIK checks at the counter, good and bad.
    for nik in [
        file.bookings[0].applicants[0].nik.as_str(),
        "3171019999999999",
    ] {
        t.post(&officer, "/api/v1/checks/nik", json!({"nik": nik}))
            .await;
    }
    // Check-ins (some refused: unpaid, tomorrow, other office, cancelled), walk-ins.
    for code in &t.bookings {
        t.post(KIOSK, "/api/v1/check-ins", json!({"booking_code": code}))
            .await;
        t.post(&officer, "/api/v1/check-ins", json!({"booking_code": code}))
            .await;
    }
    for service in ["new_passport", "replacement", "pickup", "information"] {
        t.issue(service).await;
    }
    // Two counters call, serve and finish until their queues are empty.
    let (c1, c2) = (t.counter_id("Loket 1").await, t.counter_id("Loket 2").await);
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/open"))
        .await;
    t.post_empty(&officer2, &format!("/api/v1/counters/{c2}/open"))
        .await;
    let mut served = 0;
    for _ in 0..30 {
        let mut progressed = false;
        for (token, c) in [(&officer, c1), (&officer2, c2)] {
            let (s, _) = t
                .post_empty(token, &format!("/api/v1/counters/{c}/call-next"))
                .await;
            if s != 200 {
                continue;
            }
            progressed = true;
            t.get(token, &format!("/api/v1/counters/{c}/current")).await;
            t.get(token, &format!("/api/v1/counters/{c}/queue")).await;
            t.post_empty(token, &format!("/api/v1/counters/{c}/start"))
                .await;
            t.post_empty(token, &format!("/api/v1/counters/{c}/finish"))
                .await;
            served += 1;
        }
        if !progressed {
            break;
        }
    }
    assert!(served >= 8, "served {served}");
    t.get(&supervisor, "/api/v1/queue").await;
    t.get(&supervisor, "/api/v1/dashboard").await;
    t.get(&supervisor, "/api/v1/audit?limit=500").await;
    t.get(DISPLAY, "/api/v1/calls/recent").await;
    let (s, _) = t.post_empty(&supervisor, "/api/v1/day/close").await;
    assert_eq!(s, 200);
    t.post_empty(&officer, "/api/v1/auth/logout").await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() > 100 && text.contains("sqlx::query"),
        "the capture holds the day's debug logs, sqlx's too ({} lines)",
        lines.len()
    );
    let mut found = Vec::new();
    for line in &lines {
        let lower = line.to_lowercase();
        for s in &secrets {
            if lower.contains(s.as_str()) {
                found.push(format!("{s}: {line}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} log lines carry personal data:\n{}",
        found.len(),
        found.join("\n")
    );
}
