//! Sync benchmarks (prints numbers; run with `cargo bench -p loket-sync`).
//!
//! 1. 150 offices, each with a busy day (500 visits, a 60 KB photo and ten 15 KB prints
//!    per visit, three events per visit), syncing concurrently to one central over TLS on
//!    loopback. The day is scaled down by `LOKET_BENCH_SCALE` (default 50: 10 visits per
//!    office). Reference: the same bytes PUT as plain files (TLS, one request per file,
//!    written and fsynced like central does) to a bare server on the same loopback.
//! 2. One office's day (scaled by `LOKET_BENCH_LINK_SCALE`, default 10) draining through
//!    the proxy capped at 10 Mbit/s, against bytes / bandwidth.
//!
//! `LOKET_BENCH_POSTGRES_URL=postgres://...` runs central on that PostgreSQL database
//! instead of SQLite (office codes get a per-run prefix: the database outlives the run).
//! `LOKET_BENCH_ONLY=offices` or `=link` runs one of the two.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path as AxPath;
use axum::routing::put;
use common::*;
use loket_sync::{EngineConfig, FaultProxy, SyncEngine};

const OFFICES: usize = 150;
const VISITS: usize = 500;
const PHOTO: usize = 60_000;
const PRINTS: usize = 10;
const PRINT: usize = 15_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default)
}

async fn payload_bytes(office: &Office) -> (u64, u64, u64) {
    let events = ok(office.ledger.all_events().await);
    let event_bytes: u64 = events
        .iter()
        .map(|e| ok(serde_json::to_vec(e)).len() as u64)
        .sum();
    let blob_bytes: i64 = ok(sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(SUM(size),0) FROM sync_blobs",
    )
    .fetch_one(office.ledger.pool())
    .await);
    (events.len() as u64, event_bytes, blob_bytes as u64)
}

async fn plain_server(
    dir: std::path::PathBuf,
    tls: loket_central::TlsPem,
) -> (
    std::net::SocketAddr,
    axum_server::Handle<std::net::SocketAddr>,
) {
    let app = Router::new().route(
        "/plain/{name}",
        put(move |AxPath(name): AxPath<String>, body: Bytes| {
            let dir = dir.clone();
            async move {
                use tokio::io::AsyncWriteExt;
                let mut f = tokio::fs::File::create(dir.join(name))
                    .await
                    .map_err(|e| e.to_string())?;
                f.write_all(&body).await.map_err(|e| e.to_string())?;
                f.sync_data().await.map_err(|e| e.to_string())?;
                Ok::<_, String>("ok")
            }
        }),
    );
    let listener = ok(std::net::TcpListener::bind("127.0.0.1:0"));
    ok(listener.set_nonblocking(true));
    let addr = ok(listener.local_addr());
    let config = ok(axum_server::tls_rustls::RustlsConfig::from_pem(tls.cert, tls.key).await);
    let handle = axum_server::Handle::new();
    let server =
        ok(axum_server::tls_rustls::from_tcp_rustls(listener, config)).handle(handle.clone());
    tokio::spawn(server.serve(app.into_make_service()));
    (addr, handle)
}

/// CPU seconds (user + system) this process used so far, from /proc (0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces): utime is the 12th, stime 13th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Linux reports clock ticks of 1/100 s on every common configuration.
    (ticks(11) + ticks(12)) / 100.0
}

fn postgres_url() -> Option<String> {
    std::env::var("LOKET_BENCH_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The reference: the same bytes PUT as plain files (one request per file, each office's
/// files one after another, all offices at once) to a bare server that writes and fsyncs
/// each. Returns (seconds, CPU seconds).
async fn plain_upload(offices: &[&Office], tls: &loket_central::TlsPem) -> (f64, f64) {
    let plain_dir = ok(tempfile::tempdir());
    let (plain_addr, plain_handle) =
        plain_server(plain_dir.path().to_path_buf(), tls.clone()).await;
    let http = ok(reqwest::Client::builder()
        .tls_certs_merge([ok(reqwest::Certificate::from_pem(&tls.cert))])
        .no_proxy()
        .build());
    let start = Instant::now();
    let cpu = cpu_seconds();
    let mut tasks = Vec::new();
    for o in offices {
        let http = http.clone();
        let ledger = o.ledger.clone();
        let code = o.code.clone();
        tasks.push(tokio::spawn(async move {
            let events = ok(ledger.all_events().await);
            let body = ok(serde_json::to_vec(&events));
            ok(http
                .put(format!(
                    "https://localhost:{}/plain/{code}-events",
                    plain_addr.port()
                ))
                .body(body)
                .send()
                .await);
            let rows = ok(sqlx::query_as::<_, (String, String)>(
                "SELECT sha256, path FROM sync_blobs",
            )
            .fetch_all(ledger.pool())
            .await);
            for (sha, path) in rows {
                let bytes = ok(tokio::fs::read(&path).await);
                let r = ok(http
                    .put(format!(
                        "https://localhost:{}/plain/{sha}",
                        plain_addr.port()
                    ))
                    .body(bytes)
                    .send()
                    .await);
                assert!(r.status().is_success());
            }
        }));
    }
    for t in tasks {
        ok(t.await);
    }
    let plain = start.elapsed().as_secs_f64();
    let plain_cpu = cpu_seconds() - cpu;
    plain_handle.shutdown();
    (plain, plain_cpu)
}

async fn many_offices() {
    let scale = env_usize("LOKET_BENCH_SCALE", 50);
    let visits = (VISITS / scale).max(1);
    let url = postgres_url();
    println!(
        "== 150 offices x busy day -> one central (loopback, TLS, central on {})",
        if url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "scale factor 1/{scale}: {visits} visits per office ({} in the full day)",
        VISITS
    );
    let central = Central::start_with(url.as_deref()).await;
    // PostgreSQL keeps earlier runs' offices: this run's codes get their own prefix.
    let run = if url.is_some() {
        format!("R{}-", chrono::Utc::now().timestamp())
    } else {
        String::new()
    };
    let mut offices = Vec::new();
    let prep = Instant::now();
    for i in 0..OFFICES {
        let code = format!("{run}K{i:03}");
        let office = Office::new(&code).await;
        office.busy_day(visits, PHOTO, PRINTS, PRINT).await;
        let client = central.enrol(&code, central.addr()).await;
        offices.push((office, client));
    }
    let mut total_events = 0;
    let mut total_bytes = 0;
    for (o, _) in &offices {
        let (n, eb, bb) = payload_bytes(o).await;
        total_events += n;
        total_bytes += eb + bb;
    }
    println!(
        "prepared in {:.1} s: {total_events} events, {:.1} MB payload",
        prep.elapsed().as_secs_f64(),
        total_bytes as f64 / 1e6
    );

    // The reference runs before and after the sync; the faster run counts (the machine
    // is shared, and the stricter comparison is the honest one).
    let refs: Vec<&Office> = offices.iter().map(|(o, _)| o).collect();
    let (plain_before, plain_cpu_before) = plain_upload(&refs, &central.tls).await;

    let start = Instant::now();
    let cpu = cpu_seconds();
    let mut tasks = Vec::new();
    for (o, client) in &offices {
        let engine = SyncEngine::new(o.ledger.clone(), client.clone(), EngineConfig::default());
        tasks.push(tokio::spawn(async move { ok(engine.sync_once().await) }));
    }
    for t in tasks {
        ok(t.await);
    }
    let synced = start.elapsed().as_secs_f64();
    let synced_cpu = cpu_seconds() - cpu;
    for (o, _) in offices.iter().take(3) {
        assert_central_equals_office(central.store.as_ref(), o).await;
    }
    println!(
        "sync:  {synced:.2} s  {:.0} events/s  {:.1} MB/s  (cpu {synced_cpu:.1} s)",
        total_events as f64 / synced,
        total_bytes as f64 / 1e6 / synced
    );
    let (plain_after, plain_cpu_after) = plain_upload(&refs, &central.tls).await;
    for (when, plain, plain_cpu) in [
        ("before", plain_before, plain_cpu_before),
        ("after", plain_after, plain_cpu_after),
    ] {
        println!(
            "plain ({when}): {plain:.2} s  {:.1} MB/s  (cpu {plain_cpu:.1} s)",
            total_bytes as f64 / 1e6 / plain
        );
    }
    let plain = plain_before.min(plain_after);
    println!(
        "overhead vs plain upload: {:.2}x (target <= 1.3x)",
        synced / plain
    );
}

async fn throttled_backlog() {
    let scale = env_usize("LOKET_BENCH_LINK_SCALE", 10);
    let visits = (VISITS / scale).max(1);
    let rate: u64 = 10_000_000 / 8;
    println!("== one office's day draining over a 10 Mbit/s link");
    println!("scale factor 1/{scale}: {visits} visits");
    let central = Central::start().await;
    let proxy = ok(FaultProxy::start(central.addr()).await);
    let office = Office::new("LNK").await;
    office.busy_day(visits, PHOTO, PRINTS, PRINT).await;
    let client = central.enrol("LNK", proxy.addr()).await;
    let (_, event_bytes, blob_bytes) = payload_bytes(&office).await;
    let bytes = event_bytes + blob_bytes;
    proxy.set_rate(Some(rate)).await;
    let engine = SyncEngine::new(office.ledger.clone(), client, EngineConfig::default());
    let start = Instant::now();
    ok(engine.sync_once().await);
    let took = start.elapsed().as_secs_f64();
    let minimum = bytes as f64 / rate as f64;
    assert_central_equals_office(central.store.as_ref(), &office).await;
    let stats = proxy.stats();
    println!(
        "payload {:.2} MB; on the wire up {:.2} MB, down {:.2} MB",
        bytes as f64 / 1e6,
        stats.bytes_up as f64 / 1e6,
        stats.bytes_down as f64 / 1e6
    );
    println!(
        "drained in {took:.2} s; bytes/bandwidth = {minimum:.2} s; ratio {:.3}x (target <= 1.15x)",
        took / minimum
    );
}

fn main() {
    // `cargo test --benches` runs this with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("sync_throughput: run with `cargo bench -p loket-sync` to measure");
        return;
    }
    let runtime = ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build());
    let only = std::env::var("LOKET_BENCH_ONLY").unwrap_or_default();
    runtime.block_on(async {
        if only != "offices" {
            throttled_backlog().await;
        }
        if only != "link" {
            many_offices().await;
        }
    });
}
