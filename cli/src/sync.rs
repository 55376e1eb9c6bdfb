//! `loket sync ...`: enrolment with central, the central URL setting, status, and running
//! the engine in the foreground.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use loket_sync::{
    HUB_DB_FILE, OfficeLedger as _, SqliteLedger, SyncEngine, SyncSettings, SyncStatus,
    enrol_office, open_enrolled,
};

/// The sync subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Register this hub with central using the one-time token from `loket-central office add`.
    Enrol {
        /// The hub's data folder.
        #[arg(long, env = "LOKET_DATA")]
        data: PathBuf,
        /// Central's URL, e.g. https://central.example:8443.
        #[arg(long)]
        central: String,
        /// This office's code.
        #[arg(long)]
        office: String,
        /// The one-time enrolment token.
        #[arg(long)]
        token: String,
        /// Central's CA certificate (PEM), when it uses a private CA.
        #[arg(long)]
        ca_cert: Option<PathBuf>,
    },
    /// Change central's URL (the device key and office stay).
    SetCentral {
        /// The hub's data folder.
        #[arg(long, env = "LOKET_DATA")]
        data: PathBuf,
        /// Central's URL.
        #[arg(long)]
        central: String,
    },
    /// Print what waits to go up, the link state and items in error.
    Status {
        /// The hub's data folder.
        #[arg(long, env = "LOKET_DATA")]
        data: PathBuf,
        /// The hub database, when not `<data>/loket.db`.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Print JSON (the same structure the UI shows).
        #[arg(long)]
        json: bool,
    },
    /// Run the sync engine in the foreground until Ctrl-C.
    Run {
        /// The hub's data folder.
        #[arg(long, env = "LOKET_DATA")]
        data: PathBuf,
        /// The hub database, when not `<data>/loket.db`.
        #[arg(long)]
        db: Option<PathBuf>,
    },
}

/// Runs one sync subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(run_async(command))
}

async fn run_async(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Enrol {
            data,
            central,
            office,
            token,
            ca_cert,
        } => {
            let settings = SyncSettings {
                central,
                office,
                ca_cert,
                poll_seconds: None,
                retention_days: None,
            };
            enrol_office(&data, &settings, &token).await?;
            println!(
                "Hub terdaftar di pusat sebagai kantor {0}. / Hub enrolled with central as office {0}.",
                settings.office
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::SetCentral { data, central } => {
            let mut settings = SyncSettings::load(&data)?.ok_or_else(|| {
                anyhow::anyhow!(
                    "Hub belum terdaftar; jalankan `loket sync enrol` dulu. / Not enrolled; run `loket sync enrol` first."
                )
            })?;
            settings.central = central;
            settings.save(&data)?;
            println!(
                "Pusat: {} / Central: {}",
                settings.central, settings.central
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { data, db, json } => {
            let settings = SyncSettings::load(&data)?;
            let db_path = db.unwrap_or_else(|| data.join(HUB_DB_FILE));
            if !db_path.exists() {
                anyhow::bail!(
                    "Basis data hub {} tidak ada. / Hub database {} not found.",
                    db_path.display(),
                    db_path.display()
                );
            }
            let ledger = SqliteLedger::open(&db_path).await?;
            let status =
                SyncStatus::from_ledger(&ledger, settings.as_ref().map(|s| s.central.clone()))
                    .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                print_status(settings.as_ref(), &status, &ledger).await;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { data, db } => {
            // The data folder's lock (shared, as the hub holds it) and the hub's seal key,
            // which opens the personal data it sealed in the outbox.
            let folder = loket_sync::HubFolder::open(&data)?;
            let (mut ledger, client) = open_enrolled(&data, db.as_deref()).await?;
            if let Some(opener) = folder.opener() {
                ledger = ledger.with_opener(opener);
            }
            let config = SyncSettings::load(&data)?
                .map(|s| s.engine_config())
                .unwrap_or_default();
            let handle = SyncEngine::new(Arc::new(ledger), client, config).spawn();
            tokio::signal::ctrl_c().await?;
            handle.stop().await;
            drop(folder);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| "belum pernah / never".into())
}

async fn print_status(settings: Option<&SyncSettings>, s: &SyncStatus, ledger: &SqliteLedger) {
    match settings {
        Some(c) => println!("Kantor / office:     {} -> {}", c.office, c.central),
        None => println!("Kantor / office:     belum terdaftar / not enrolled"),
    }
    println!("Tautan / link:       {:?}", s.link);
    println!(
        "Sinkron terakhir / last successful sync: {}",
        when(s.last_success)
    );
    println!(
        "Tertunda / pending:  {} peristiwa/events ({} B), {} berkas/blobs ({} B), total {} B",
        s.pending.events,
        s.pending.event_bytes,
        s.pending.blobs,
        s.pending.blob_bytes,
        s.pending_bytes
    );
    println!("Ack seq: {}   feed cursor: {}", s.acked_seq, s.feed_cursor);
    if let Some(e) = &s.last_error {
        println!("Galat terakhir / last error: {e}");
    }
    if s.errors.is_empty() {
        println!("Item bermasalah / items in error: 0");
    } else {
        println!("Item bermasalah / items in error: {}", s.errors.len());
        for e in &s.errors {
            println!("  {}  {}", e.item, e.reason);
        }
    }
    if let Ok(p) = ledger.pending().await
        && p.events == 0
        && p.blobs == 0
    {
        println!("Semua sudah terkirim. / Everything is uploaded.");
    }
}
