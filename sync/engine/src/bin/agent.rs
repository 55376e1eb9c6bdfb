//! `loket-sync-agent`: runs the sync engine against an enrolled hub data folder until
//! stopped (Ctrl-C). Used where the hub does not embed the engine, and by the
//! kill -9 test. Like `loket hub` it holds the data folder's lock (shared) while it runs
//! and opens sealed outbox payloads with the hub's `seal.key`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use loket_sync::{EngineConfig, HubFolder, SyncEngine, open_enrolled};

/// Run the Loket sync engine for a hub data folder.
#[derive(Debug, Parser)]
#[command(name = "loket-sync-agent", version, about)]
struct Args {
    /// The hub's data folder (holds sync.toml, the device key and loket.db).
    #[arg(long)]
    data: PathBuf,
    /// The hub database, when not `<data>/loket.db`.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Blob chunk size in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    chunk: usize,
    /// Seconds between rounds when all is synced.
    #[arg(long, default_value_t = 30)]
    poll_secs: u64,
    /// Longest retry delay in milliseconds.
    #[arg(long, default_value_t = 300_000)]
    backoff_max_ms: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    // The lock first, as the hub takes it before opening its database.
    let folder = match HubFolder::open(&args.data) {
        Ok(folder) => folder,
        Err(e) => {
            eprintln!("loket-sync-agent: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut ledger, client) = match open_enrolled(&args.data, args.db.as_deref()).await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("loket-sync-agent: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(opener) = folder.opener() {
        ledger = ledger.with_opener(opener);
    }
    let config = EngineConfig {
        blob_chunk: args.chunk,
        poll_interval: Duration::from_secs(args.poll_secs),
        backoff_base: Duration::from_millis(200),
        backoff_max: Duration::from_millis(args.backoff_max_ms),
        ..EngineConfig::default()
    };
    let handle = SyncEngine::new(Arc::new(ledger), client, config).spawn();
    let _ = tokio::signal::ctrl_c().await;
    handle.stop().await;
    drop(folder);
    ExitCode::SUCCESS
}
