//! Load benchmark (not a test): 50 concurrent HTTP clients against a hub on loopback.
//!
//! Phase 1: 50 kiosks issue tickets. Phase 2: 40 kiosks issue tickets while 10 counters
//! call next, start and finish. Printed: throughput, p50/p99 latency, and the raw rate of
//! inserting the same rows into SQLite with the same durability (WAL, synchronous FULL, one
//! transaction per ticket) measured in the same run, with the ratio.
//!
//! Run: `cargo bench -p loket-hub --bench hub_load`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Utc;
use loket_domain::{DailyQuota, DayKind, QuotaEntry, QuotaTable, ServiceCode};
use loket_hub::{Hub, HubConfig, api, demo};
use serde_json::{Value, json};
use sqlx::ConnectOptions;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const CLIENTS: usize = 50;
const COUNTERS: usize = 10;
const TICKETS_PER_CLIENT: usize = 80; // 50 x 80 = 4000 tickets = 800 per service, under 999

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn big_quotas() -> QuotaTable {
    let q = DailyQuota {
        walk_in: 100_000,
        appointment: 100_000,
        priority: 100_000,
    };
    QuotaTable {
        entries: ServiceCode::ALL
            .iter()
            .map(|s| QuotaEntry {
                day_kind: DayKind::Regular,
                service: *s,
                quota: q,
            })
            .collect(),
    }
}

async fn issue_loop(
    client: reqwest::Client,
    base: String,
    n: usize,
    offset: usize,
) -> Vec<Duration> {
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        let service = ServiceCode::ALL[(i + offset) % ServiceCode::ALL.len()];
        let t = Instant::now();
        let res = client
            .post(format!("{base}/api/v1/tickets"))
            .bearer_auth(demo::DEMO_KIOSK_TOKEN)
            .json(&json!({"service": service}))
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success(),
            "{}",
            res.text().await.unwrap_or_default()
        );
        let _: Value = res.json().await.unwrap();
        lat.push(t.elapsed());
    }
    lat
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = HubConfig {
        office_code: "BENCH".into(),
        ..HubConfig::default()
    };
    config.rules.quotas = big_quotas();
    let hub = Hub::open(dir.path(), config).await.unwrap();
    demo::seed(&hub).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = api::router(hub.clone(), None);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();

    // Phase 1: tickets only.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        tasks.push(tokio::spawn(issue_loop(
            client.clone(),
            base.clone(),
            TICKETS_PER_CLIENT,
            c,
        )));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    lat.sort();
    let issued = lat.len();
    let hub_rate = issued as f64 / elapsed.as_secs_f64();
    println!("phase 1: {CLIENTS} kiosks issuing {issued} tickets over HTTP");
    println!(
        "  throughput {hub_rate:.0} tickets/s, latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(percentile(&lat, 1.0))
    );

    // Phase 2: next office day; 40 kiosks issue while 10 counters call, start, finish.
    hub.clock().advance(chrono::Duration::days(1));
    let supervisor = login(&client, &base, "supervisor").await;
    let mut counter_ids = Vec::new();
    for i in 0..COUNTERS {
        let (_, c) = post(
            &client,
            &base,
            &supervisor,
            "/api/v1/counters",
            json!({"name": format!("Bench {i}")}),
        )
        .await;
        let id = c["id"].as_i64().unwrap();
        post(
            &client,
            &base,
            &supervisor,
            &format!("/api/v1/counters/{id}/open"),
            json!({}),
        )
        .await;
        counter_ids.push(id);
    }
    let issuers = CLIENTS - COUNTERS;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let call_lat = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut counters = Vec::new();
    for id in counter_ids {
        let (client, base, token, done, call_lat) = (
            client.clone(),
            base.clone(),
            supervisor.clone(),
            done.clone(),
            call_lat.clone(),
        );
        counters.push(tokio::spawn(async move {
            let mut ops = 0usize;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                let (status, _) = post(
                    &client,
                    &base,
                    &token,
                    &format!("/api/v1/counters/{id}/call-next"),
                    json!(null),
                )
                .await;
                if status != 200 {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    continue;
                }
                call_lat.lock().await.push(t.elapsed());
                post(
                    &client,
                    &base,
                    &token,
                    &format!("/api/v1/counters/{id}/start"),
                    json!(null),
                )
                .await;
                post(
                    &client,
                    &base,
                    &token,
                    &format!("/api/v1/counters/{id}/finish"),
                    json!(null),
                )
                .await;
                ops += 3;
            }
            ops
        }));
    }
    let mut tasks = Vec::new();
    for c in 0..issuers {
        tasks.push(tokio::spawn(issue_loop(
            client.clone(),
            base.clone(),
            TICKETS_PER_CLIENT,
            c,
        )));
    }
    let mut lat2 = Vec::new();
    for t in tasks {
        lat2.extend(t.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut counter_ops = 0;
    for c in counters {
        counter_ops += c.await.unwrap();
    }
    let elapsed2 = started.elapsed();
    lat2.sort();
    let mut calls = call_lat.lock().await.clone();
    calls.sort();
    let writes = lat2.len() + counter_ops;
    println!(
        "phase 2: {issuers} kiosks issuing {} tickets + {COUNTERS} counters (call next, start, finish)",
        lat2.len()
    );
    println!(
        "  {:.0} tickets/s + {:.0} counter actions/s = {:.0} writes/s",
        lat2.len() as f64 / elapsed2.as_secs_f64(),
        counter_ops as f64 / elapsed2.as_secs_f64(),
        writes as f64 / elapsed2.as_secs_f64()
    );
    println!(
        "  ticket issue p50 {:.2} ms, p99 {:.2} ms; call next ({} calls) p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&lat2, 0.5)),
        ms(percentile(&lat2, 0.99)),
        calls.len(),
        ms(percentile(&calls, 0.5)),
        ms(percentile(&calls, 0.99))
    );

    // Reference: the same rows, one transaction per ticket, same durability, no HTTP.
    let raw = raw_sqlite_rate(2000).await;
    println!(
        "reference: raw SQLite inserts of the same rows, one transaction per ticket: {raw:.0} tickets/s"
    );
    println!(
        "ratio: hub ticket throughput (phase 1) / raw = {:.0} %",
        100.0 * hub_rate / raw
    );
}

async fn login(client: &reqwest::Client, base: &str, user: &str) -> String {
    let password = demo::DEMO_USERS.iter().find(|u| u.0 == user).unwrap().1;
    let v: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"].as_str().unwrap().to_string()
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let mut req = client.post(format!("{base}{path}")).bearer_auth(token);
    if !body.is_null() {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Inserts what one ticket stores (counter bump, visit, event, outbox, audit) in one
/// transaction per ticket, sequentially, on a fresh database with the hub's schema and
/// connection options.
async fn raw_sqlite_rate(n: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.db");
    let mut conn = loket_hub::db::connect_options(&path)
        .connect()
        .await
        .unwrap();
    sqlx::migrate!("./migrations").run(&mut conn).await.unwrap();
    let data = "x".repeat(600);
    let started = Instant::now();
    for i in 0..n {
        let now = Utc::now().to_rfc3339();
        let id = i as i64 + 1;
        let mut tx = sqlx::Connection::begin_with(&mut conn, "BEGIN IMMEDIATE")
            .await
            .unwrap();
        sqlx::query("INSERT INTO ticket_counters (office_date, service, last_number) VALUES ('2026-01-01', 'new_passport', ?) ON CONFLICT(office_date, service) DO UPDATE SET last_number = excluded.last_number")
            .bind(id).execute(&mut *tx).await.unwrap();
        sqlx::query("INSERT INTO visits (id, office_date, service, lane, number, ticket, state, issued_at, updated_at, data) VALUES (?, '2026-01-01', 'new_passport', 'walk_in', ?, 'A001', 'waiting', ?, ?, ?)")
            .bind(id).bind(id).bind(&now).bind(&now).bind(&data).execute(&mut *tx).await.unwrap();
        sqlx::query("INSERT INTO visit_events (visit_id, kind, at, actor, data) VALUES (?, 'issued', ?, 'kiosk', '{}')")
            .bind(id).bind(&now).execute(&mut *tx).await.unwrap();
        sqlx::query("INSERT INTO outbox (event_id, kind, payload, occurred_at) VALUES (?, 'ticket_issued', ?, ?)")
            .bind(uuid::Uuid::now_v7().to_string()).bind(&data).bind(&now).execute(&mut *tx).await.unwrap();
        sqlx::query("INSERT INTO audit_log (at, actor_kind, actor, action, target, detail) VALUES (?, 'device', 'kiosk', 'issue_ticket', 'A001', '{}')")
            .bind(&now).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}
