//! `loket audit verify`, `loket backup`, `loket restore`: looking after the hub's data
//! folder. Thin glue over `loket_hub::audit_chain` and `loket_hub::backup`.

use anyhow::Context as _;
use loket_hub::audit_chain::{self, Verdict};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code of `loket audit verify` when the chain is broken (1: it could not be checked).
const CHAIN_BROKEN: u8 = 2;

/// The data folder, as every hub command takes it.
#[derive(Debug, clap::Args)]
pub struct DataDir {
    /// Data directory of the hub (database `loket.db`).
    #[arg(long, env = "LOKET_DATA", default_value = "loket-data")]
    data: PathBuf,
}

/// The data-care subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Online backup of the hub's database into one file (safe while the hub runs).
    Backup {
        #[command(flatten)]
        data: DataDir,
        /// The backup file to write (must not exist yet).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into the data folder. The hub must be stopped; the replaced
    /// database is kept in `<data>/replaced-<time>/`.
    Restore {
        #[command(flatten)]
        data: DataDir,
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
}

/// `loket audit ...`
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Walk the audit log's hash chain; exit 2 naming the first bad row if any row was
    /// edited, inserted or deleted. Read-only: safe while the hub runs.
    Verify {
        #[command(flatten)]
        data: DataDir,
    },
}

/// Runs one data-care subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(command))
}

async fn run_async(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Audit(AuditCommand::Verify { data }) => {
            let db = data.data.join(loket_hub::db::DB_FILE_NAME);
            let verdict = audit_chain::verify_file(&db)
                .await
                .map_err(user_error)
                .with_context(|| format!("checking the audit log of {}", db.display()))?;
            Ok(report(&verdict))
        }
        Command::Backup { data, out } => {
            let made = loket_hub::backup::backup(&data.data, &out)
                .await
                .map_err(user_error)
                .with_context(|| format!("backing up {}", data.data.display()))?;
            let c = &made.check;
            println!(
                "Cadangan dibuat: {} ({} bait, {} kunjungan, {} baris audit, kepala {}). / \
                 Backup written: {} ({} bytes, {} visits, {} audit rows, head {}).",
                made.path.display(),
                made.bytes,
                c.visits,
                c.audit_rows,
                c.audit_head,
                made.path.display(),
                made.bytes,
                c.visits,
                c.audit_rows,
                c.audit_head
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { data, from } => {
            let done = loket_hub::backup::restore(&data.data, &from)
                .await
                .map_err(user_error)
                .with_context(|| {
                    format!("restoring {} into {}", from.display(), data.data.display())
                })?;
            let c = &done.check;
            println!(
                "Dipulihkan dari {}: {} kunjungan, {} baris audit (rantai utuh). / \
                 Restored from {}: {} visits, {} audit rows (chain intact).",
                from.display(),
                c.visits,
                c.audit_rows,
                from.display(),
                c.visits,
                c.audit_rows
            );
            if let Some(aside) = &done.replaced {
                println!(
                    "Database lama disimpan di {}. / The replaced database was kept in {}.",
                    aside.display(),
                    aside.display()
                );
            }
            for (date, service, last) in &done.ticket_counters_raised {
                println!(
                    "Nomor antrean {service} {date} dilanjutkan setelah {last} (sudah dipakai sesudah cadangan dibuat). / \
                     Ticket numbers of {service} on {date} continue after {last} (handed out after the backup)."
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints a verdict; the exit code says whether the chain is intact.
fn report(verdict: &Verdict) -> ExitCode {
    match verdict {
        Verdict::Intact { rows, head } => {
            println!(
                "Rantai audit utuh: {rows} baris, kepala {head}. / Audit chain intact: {rows} rows, head {head}."
            );
            ExitCode::SUCCESS
        }
        Verdict::Broken(at) => {
            eprintln!("{at}");
            ExitCode::from(CHAIN_BROKEN)
        }
    }
}

fn user_error(e: loket_hub::HubError) -> anyhow::Error {
    anyhow::anyhow!("{} / {} ({})", e.message_id(), e.message_en(), e)
}
