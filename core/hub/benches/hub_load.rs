//! Load benchmark (not a test): 50 concurrent HTTP clients against a hub on loopback.
//!
//! Phase 1: 50 kiosks issue tickets back to back. Phase 1b: the same kiosks, each one
//! ticket every 100 ms (latency when the hub is not saturated). Phase 2: three office days in a row, each with 40
//! kiosks issuing tickets while 10 counters call next, start and finish, and 20 display
//! boards on the WebSocket receiving every call. Printed: throughput, p50/p99 latency, the
//! raw rate of inserting the same rows into SQLite with the same durability (WAL,
//! synchronous FULL, one transaction per ticket) measured in the same run, with the ratio;
//! whether every board got every call; the process's resident memory after each day
//! (flat = no growth from day to day). Any refused request stops the bench.
//!
//! Run: `cargo bench -p loket-hub --bench hub_load` (`LOKET_BENCH_DAYS=6` for more days).
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
const DISPLAYS: usize = 20;
/// Phase 1b: each kiosk issues one ticket every `PACE`, this many (50 x 40 = 2000 tickets
/// over 4 s, 400 per service).
const PACED_TICKETS_PER_CLIENT: usize = 40;
const PACE: Duration = Duration::from_millis(100);
/// Office days of phase 2 (`LOKET_BENCH_DAYS` overrides, to watch memory over more days).
const DAYS: usize = 3;

/// Resident memory of this process (hub and clients), in MiB.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A display board on the WebSocket: counts the `call` messages it receives, and the
/// `resync` messages the hub sends a board that fell behind (it then reloads the calls).
async fn display_board(
    base: String,
    calls: Arc<std::sync::atomic::AtomicUsize>,
    resyncs: Arc<std::sync::atomic::AtomicUsize>,
) {
    use futures_util::StreamExt as _;
    let url = format!(
        "{}/api/v1/ws?token={}",
        base.replace("http://", "ws://"),
        demo::DEMO_DISPLAY_TOKEN
    );
    // The hub's own read buffer size: at the library's default (128 KiB, zeroed at every
    // read) the twenty boards' reads took a few percent of the CPU the hub shares with them.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(loket_hub::api::LIVE_READ_BUFFER);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false)
        .await
        .unwrap();
    while let Some(msg) = ws.next().await {
        let msg = msg.expect("a display board lost its WebSocket");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = msg {
            let v: Value = serde_json::from_str(&text).unwrap();
            if v["type"] == "call" {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            } else if v["type"] == "resync" {
                resyncs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
}

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

/// Runs [`CLIENTS`] kiosks at once, each issuing `n` tickets (paced or back to back); every
/// ticket's latency, sorted.
async fn kiosks(
    client: &reqwest::Client,
    base: &str,
    n: usize,
    pace: Option<Duration>,
) -> Vec<Duration> {
    kiosks_each(client, base, n, pace).await.concat_sorted(0)
}

/// Each kiosk's latencies, in the order of its requests.
struct PerKiosk(Vec<Vec<Duration>>);

impl PerKiosk {
    /// All latencies after each kiosk's first `skip` requests, sorted.
    fn concat_sorted(&self, skip: usize) -> Vec<Duration> {
        let mut all: Vec<Duration> = self
            .0
            .iter()
            .flat_map(|k| k.iter().skip(skip))
            .copied()
            .collect();
        all.sort();
        all
    }
}

/// [`kiosks`], each kiosk's latencies apart.
async fn kiosks_each(
    client: &reqwest::Client,
    base: &str,
    n: usize,
    pace: Option<Duration>,
) -> PerKiosk {
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(issue_loop(client.clone(), base.to_string(), n, c, pace)))
        .collect();
    let mut each = Vec::with_capacity(CLIENTS);
    for t in tasks {
        each.push(t.await.unwrap());
    }
    PerKiosk(each)
}

/// One kiosk issuing `n` tickets: back to back (`pace` None), or one every `pace` (its
/// first after `offset` steps of `pace / CLIENTS`, so the kiosks are spread out). A paced
/// ticket's latency counts from when it was due, so a slow answer that delays the next
/// request is not hidden.
async fn issue_loop(
    client: reqwest::Client,
    base: String,
    n: usize,
    offset: usize,
    pace: Option<Duration>,
) -> Vec<Duration> {
    let mut lat = Vec::with_capacity(n);
    let start =
        Instant::now() + pace.map_or(Duration::ZERO, |p| p * offset as u32 / CLIENTS as u32);
    for i in 0..n {
        let service = ServiceCode::ALL[(i + offset) % ServiceCode::ALL.len()];
        let t = match pace {
            Some(p) => {
                let due = start + p * i as u32;
                tokio::time::sleep_until(due.into()).await;
                due
            }
            None => Instant::now(),
        };
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
    let each = kiosks_each(&client, &base, TICKETS_PER_CLIENT, None).await;
    let elapsed = started.elapsed();
    let lat = each.concat_sorted(0);
    let issued = lat.len();
    let hub_rate = issued as f64 / elapsed.as_secs_f64();
    println!("phase 1: {CLIENTS} kiosks issuing {issued} tickets over HTTP");
    println!(
        "  throughput {hub_rate:.0} tickets/s, latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        ms(percentile(&lat, 1.0))
    );
    // Each kiosk's first request opens its connection, all fifty at once, to a hub with
    // cold caches: 1.25 % of the requests, so alone they can make the p99 above.
    let warm = each.concat_sorted(1);
    println!(
        "  without each kiosk's first request: p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&warm, 0.5)),
        ms(percentile(&warm, 0.99)),
    );

    println!("  resident memory after phase 1: {:.0} MiB", rss_mib());

    // Phase 1b, the next day: the same 50 kiosks, each issuing one ticket every 100 ms
    // (500 tickets/s offered, far beyond an office's busiest hour), to see the latency a
    // kiosk gets when the hub is not saturated.
    hub.clock().advance(chrono::Duration::days(1));
    let paced = kiosks(&client, &base, PACED_TICKETS_PER_CLIENT, Some(PACE)).await;
    println!(
        "phase 1b: {CLIENTS} kiosks, each one ticket every {} ms ({:.0} tickets/s offered), {} tickets",
        PACE.as_millis(),
        CLIENTS as f64 / PACE.as_secs_f64(),
        paced.len()
    );
    println!(
        "  latency from when due: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&paced, 0.5)),
        ms(percentile(&paced, 0.99)),
        ms(percentile(&paced, 1.0))
    );

    // Phase 2: office days; 40 kiosks issue while 10 counters call, start, finish, and 20
    // display boards listen.
    let boards: Vec<Arc<std::sync::atomic::AtomicUsize>> = (0..DISPLAYS)
        .map(|_| Arc::new(std::sync::atomic::AtomicUsize::new(0)))
        .collect();
    let resyncs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for board in &boards {
        tokio::spawn(display_board(base.clone(), board.clone(), resyncs.clone()));
    }
    let mut counter_ids = Vec::new();
    let issuers = CLIENTS - COUNTERS;
    let mut calls_so_far = 0usize;
    let mut first_day_rss = f64::NAN;
    let days = std::env::var("LOKET_BENCH_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(DAYS);
    for day in 1..=days {
        hub.clock().advance(chrono::Duration::days(1));
        // A new day: sessions from yesterday have expired; the counters open again.
        let supervisor = login(&client, &base, "supervisor").await;
        for i in 0..COUNTERS {
            if counter_ids.len() < COUNTERS {
                let (status, c) = post(
                    &client,
                    &base,
                    &supervisor,
                    "/api/v1/counters",
                    json!({"name": format!("Bench {i}")}),
                )
                .await;
                assert_eq!(status, 200, "{c}");
                counter_ids.push(c["id"].as_i64().unwrap());
            }
            let id = counter_ids[i];
            let (status, c) = post(
                &client,
                &base,
                &supervisor,
                &format!("/api/v1/counters/{id}/open"),
                json!({}),
            )
            .await;
            assert_eq!(status, 200, "{c}");
        }
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let call_lat = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let mut counters = Vec::new();
        for &id in &counter_ids {
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
                    let (status, body) = post(
                        &client,
                        &base,
                        &token,
                        &format!("/api/v1/counters/{id}/call-next"),
                        json!(null),
                    )
                    .await;
                    if status != 200 {
                        // An empty queue is normal; anything else is an error of the hub.
                        assert_eq!(body["error"]["code"], "queue_empty", "{body}");
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        continue;
                    }
                    call_lat.lock().await.push(t.elapsed());
                    let (status, body) = post(
                        &client,
                        &base,
                        &token,
                        &format!("/api/v1/counters/{id}/start"),
                        json!(null),
                    )
                    .await;
                    assert_eq!(status, 200, "{body}");
                    let (status, body) = post(
                        &client,
                        &base,
                        &token,
                        &format!("/api/v1/counters/{id}/finish"),
                        json!(null),
                    )
                    .await;
                    assert_eq!(status, 200, "{body}");
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
                None,
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
            "phase 2, day {day}: {issuers} kiosks issuing {} tickets + {COUNTERS} counters (call next, start, finish) + {DISPLAYS} boards",
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
        // Every board must see every call; how long the last ones take to arrive.
        calls_so_far += calls.len();
        let waited = Instant::now();
        let received = || {
            boards
                .iter()
                .map(|b| b.load(std::sync::atomic::Ordering::Relaxed))
                .collect::<Vec<_>>()
        };
        while received().iter().any(|&n| n < calls_so_far)
            && waited.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let got = received();
        let complete = got.iter().all(|&n| n == calls_so_far);
        println!(
            "  display boards: {} of {DISPLAYS} received all {calls_so_far} calls so far (min {}, max {}); last call delivered {:.0} ms after the day's load ended",
            got.iter().filter(|&&n| n == calls_so_far).count(),
            got.iter().min().unwrap(),
            got.iter().max().unwrap(),
            ms(waited.elapsed())
        );
        let resynced = resyncs.load(std::sync::atomic::Ordering::Relaxed);
        println!("  boards told to resync so far (fell behind, reload the calls): {resynced}");
        assert!(
            complete || resynced > 0,
            "a display board missed calls without being told: {got:?} of {calls_so_far}"
        );
        let rss = rss_mib();
        if day == 1 {
            first_day_rss = rss;
        }
        println!(
            "  resident memory after day {day}: {rss:.0} MiB ({:+.1} MiB since day 1)",
            rss - first_day_rss
        );
    }

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
