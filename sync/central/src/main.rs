//! `loket-central`: run the reference central service, register offices, publish changes.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use loket_central::{CentralStore, TlsPem, add_office, open_store, spawn};

/// Loket central: the service offices sync with.
#[derive(Debug, Parser)]
#[command(name = "loket-central", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct StoreArgs {
    /// Data folder (SQLite database and blob files).
    #[arg(long, env = "LOKET_CENTRAL_DATA")]
    data: PathBuf,
    /// PostgreSQL URL (postgres://...); SQLite in the data folder when absent.
    #[arg(long, env = "LOKET_CENTRAL_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the sync API.
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Address to listen on, e.g. 0.0.0.0:8443.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// TLS certificate chain (PEM). Without it the API is plain HTTP (tests only).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Offices: register one.
    #[command(subcommand)]
    Office(OfficeCommand),
    /// Publish a change (JSON file, protocol v1 `Change`) to an office's feed.
    Publish {
        #[command(flatten)]
        store: StoreArgs,
        /// Office code.
        code: String,
        /// File with one change as JSON.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum OfficeCommand {
    /// Register an office and print what it needs to enrol.
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// Office code (A-Z, 0-9, -, _).
        code: String,
        /// Give an existing office a new enrolment token (a replaced hub).
        #[arg(long)]
        rotate: bool,
        /// Central's public URL, printed in the enrolment command.
        #[arg(long, default_value = "https://central.example:8443")]
        public_url: String,
    },
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
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loket-central: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            store,
            listen,
            tls_cert,
            tls_key,
        } => {
            let db = open_store(&store.data, store.database_url.as_deref()).await?;
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(TlsPem {
                    cert: std::fs::read(&cert)
                        .with_context(|| format!("reading {}", cert.display()))?,
                    key: std::fs::read(&key)
                        .with_context(|| format!("reading {}", key.display()))?,
                }),
                _ => None,
            };
            let listener = std::net::TcpListener::bind(listen).with_context(|| {
                format!("Tidak bisa mendengarkan di {listen}. / Cannot listen on {listen}.")
            })?;
            let server = spawn(Arc::new(db), listener, tls).await?;
            tracing::info!(addr = %server.addr, "loket-central serving");
            server.wait().await?;
            Ok(())
        }
        Command::Office(OfficeCommand::Add {
            store,
            code,
            rotate,
            public_url,
        }) => {
            let db = open_store(&store.data, store.database_url.as_deref()).await?;
            let token = add_office(&db, &code, rotate).await?;
            println!("Kantor {code} terdaftar. / Office {code} registered.");
            println!("Token pendaftaran (sekali pakai) / one-time enrolment token: {token}");
            println!("Di hub kantor jalankan / on the office hub run:");
            println!(
                "  loket sync enrol --data <HUB_DATA_DIR> --central {public_url} --office {code} --token {token} [--ca-cert central-ca.pem]"
            );
            db.close().await;
            Ok(())
        }
        Command::Publish { store, code, file } => {
            let db = open_store(&store.data, store.database_url.as_deref()).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let change: loket_sync_protocol::Change =
                serde_json::from_str(&text).context("the file is not a v1 Change")?;
            let cursor = db.publish(&code, &change).await?;
            println!("{code}: cursor {cursor}");
            db.close().await;
            Ok(())
        }
    }
}
