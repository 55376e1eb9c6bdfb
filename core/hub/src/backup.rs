//! Online backup and restore of the hub's database (`loket backup`, `loket restore`).
//!
//! * [`backup`] copies `<data>/loket.db` with SQLite's `VACUUM INTO` through a read-only
//!   connection: one read transaction, so the copy is a consistent snapshot holding every
//!   change committed (and so acknowledged) before it started, taken while the hub goes on
//!   serving. The copy is written beside the target, fsynced, checked ([`check_backup`]) and
//!   only then renamed into place.
//! * [`check_backup`] opens a backup file read-only and requires `integrity_check` = ok, no
//!   foreign key violations, a schema this build knows, and an intact audit chain.
//! * [`restore`] takes the data folder's exclusive lock (refused while a hub or command has
//!   the database open, see [`crate::lock`]), checks the backup, copies it in, keeps the
//!   replaced database (with its `-wal`/`-shm`) in `<data>/replaced-<UTC time>/`, and
//!   records the restore in the audit log. Ticket numbers and outbox sequence numbers of
//!   the replaced database, when it can still be read, are carried over so that nothing
//!   handed out after the backup is handed out again.

use crate::audit_chain::{self, Head, Verdict};
use crate::auth::Principal;
use crate::db::{DB_FILE_NAME, Db};
use crate::error::{HubError, Result};
use crate::lock::DataLock;
use crate::store;
use chrono::Utc;
use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::fs::File;
use std::path::{Path, PathBuf};

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCheck {
    /// Newest migration applied.
    pub schema_version: i64,
    /// Visits stored.
    pub visits: i64,
    /// Audit rows (all chained).
    pub audit_rows: u64,
    /// The audit chain's head.
    pub audit_head: Head,
}

/// A backup made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The file written.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// What it holds.
    pub check: BackupCheck,
}

/// A restore done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// What the restored backup holds.
    pub check: BackupCheck,
    /// Where the replaced database was put (none: the folder had no database).
    pub replaced: Option<PathBuf>,
    /// Ticket counters raised to the replaced database's numbers: (office date, service,
    /// last number).
    pub ticket_counters_raised: Vec<(String, String, i64)>,
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)?.sync_all()?;
    Ok(())
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Backs up the database of `data_dir` into `out` (which must not exist), while a hub may
/// be running on it.
pub async fn backup(data_dir: &Path, out: &Path) -> Result<BackupReport> {
    let db = data_dir.join(DB_FILE_NAME);
    if out.exists() {
        return Err(HubError::AlreadyExists(out.display().to_string()));
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| HubError::BadRequest("the backup needs a file name".into()))?;
    let dir = parent_of(out);
    let partial = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_file(&partial);
    let made = async {
        let mut conn = audit_chain::open_read_only(&db).await?;
        let done = sqlx::query("VACUUM INTO ?")
            .bind(partial.to_string_lossy().to_string())
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
        done?;
        File::open(&partial)?.sync_all()?;
        check_backup(&partial).await
    }
    .await;
    let check = match made {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out)?;
    sync_dir(&dir)?;
    let bytes = std::fs::metadata(out)?.len();
    tracing::info!(bytes, audit_rows = check.audit_rows, "backup written");
    Ok(BackupReport {
        path: out.to_path_buf(),
        bytes,
        check,
    })
}

/// Opens a backup file for checks: read-only and immutable (nothing is written beside it).
async fn open_backup(path: &Path) -> Result<SqliteConnection> {
    if !path.is_file() {
        return Err(HubError::BackupUnusable(format!(
            "{} is not a file",
            path.display()
        )));
    }
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true)
        .connect()
        .await
        .map_err(|e| HubError::BackupUnusable(format!("not a Loket database: {e}")))
}

/// Checks a backup file (see the module docs); refuses with [`HubError::BackupUnusable`].
pub async fn check_backup(path: &Path) -> Result<BackupCheck> {
    let mut conn = open_backup(path).await?;
    let checked = check_open(&mut conn).await;
    let _ = conn.close().await;
    checked
}

async fn check_open(conn: &mut SqliteConnection) -> Result<BackupCheck> {
    let unusable = |why: String| HubError::BackupUnusable(why);
    let integrity: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| unusable(format!("not a Loket database: {e}")))?;
    if integrity.len() != 1 || integrity[0].0 != "ok" {
        let first = integrity.first().map(|r| r.0.clone()).unwrap_or_default();
        return Err(unusable(format!("integrity_check failed: {first}")));
    }
    let fk: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&mut *conn)
        .await?;
    if let Some((table,)) = fk.first() {
        return Err(unusable(format!("foreign key check failed in {table}")));
    }
    let versions: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .map_err(|_| unusable("not a Loket database (no migrations table)".into()))?;
    let known: Vec<i64> = crate::db::migrator()
        .migrations
        .iter()
        .map(|m| m.version)
        .collect();
    let mut schema_version = 0;
    for (version, success) in versions {
        if !success {
            return Err(unusable(format!("migration {version} did not finish")));
        }
        if !known.contains(&version) {
            return Err(unusable(format!(
                "made by a newer Loket (schema {version}); update this machine first"
            )));
        }
        schema_version = schema_version.max(version);
    }
    if schema_version == 0 {
        return Err(unusable("not a Loket database (no migrations)".into()));
    }
    let (visits,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM visits")
        .fetch_one(&mut *conn)
        .await?;
    match audit_chain::verify(conn).await {
        Ok(Verdict::Intact { rows, head }) => Ok(BackupCheck {
            schema_version,
            visits,
            audit_rows: rows,
            audit_head: head,
        }),
        Ok(Verdict::Broken(b)) => Err(unusable(format!(
            "audit chain broken at row #{}: {:?}",
            b.row, b.problem
        ))),
        Err(e) => Err(unusable(e.to_string())),
    }
}

/// Restores `from` into `data_dir` (see the module docs). Refused while a hub runs there.
pub async fn restore(data_dir: &Path, from: &Path) -> Result<RestoreReport> {
    let lock = DataLock::exclusive(data_dir)?;
    let check = check_backup(from).await?;
    let db = data_dir.join(DB_FILE_NAME);
    let incoming = data_dir.join(format!("{DB_FILE_NAME}.restoring"));
    std::fs::copy(from, &incoming)?;
    File::open(&incoming)?.sync_all()?;
    let sidecars =
        ["-wal", "-shm", "-journal"].map(|s| data_dir.join(format!("{DB_FILE_NAME}{s}")));
    let replaced = if db.exists() {
        let aside = data_dir.join(format!(
            "replaced-{}",
            Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        ));
        std::fs::create_dir(&aside)?;
        // The old file stays in place (hard link) until the new one replaces it in one
        // rename; its journal files move with it.
        if std::fs::hard_link(&db, aside.join(DB_FILE_NAME)).is_err() {
            std::fs::copy(&db, aside.join(DB_FILE_NAME))?;
        }
        for s in &sidecars {
            if let Some(name) = s.file_name()
                && s.exists()
            {
                std::fs::rename(s, aside.join(name))?;
            }
        }
        sync_dir(&aside)?;
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&incoming, &db)?;
    sync_dir(data_dir)?;
    drop(lock);

    let carried = match &replaced {
        Some(aside) => carried_numbers(&aside.join(DB_FILE_NAME)).await,
        None => Carried::default(),
    };
    let db = Db::open(data_dir).await?;
    let raised = {
        let (check, replaced, from_name) = (
            check.clone(),
            replaced
                .as_ref()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().to_string()),
            from.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        );
        db.write(move |tx| {
            Box::pin(async move {
                let mut raised = Vec::new();
                for (date, service, last) in &carried.tickets {
                    let current: Option<(i64,)> = sqlx::query_as(
                        "SELECT last_number FROM ticket_counters WHERE office_date = ? AND service = ?",
                    )
                    .bind(date)
                    .bind(service)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if current.is_none_or(|(n,)| n < *last) {
                        sqlx::query(
                            "INSERT INTO ticket_counters (office_date, service, last_number) VALUES (?, ?, ?) \
                             ON CONFLICT(office_date, service) DO UPDATE SET last_number = excluded.last_number",
                        )
                        .bind(date)
                        .bind(service)
                        .bind(last)
                        .execute(&mut *tx)
                        .await?;
                        raised.push((date.clone(), service.clone(), *last));
                    }
                }
                if let Some(seq) = carried.outbox_seq {
                    sqlx::query("INSERT OR IGNORE INTO sqlite_sequence (name, seq) SELECT 'outbox', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outbox')")
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'outbox'")
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?;
                }
                let detail = json!({
                    "from": from_name,
                    "backup_audit_head": check.audit_head.to_string(),
                    "backup_audit_rows": check.audit_rows,
                    "replaced": replaced,
                    "ticket_counters_raised": raised,
                    "outbox_seq_carried": carried.outbox_seq,
                });
                store::audit(tx, &Principal::local("restore"), "restore", None, detail, Utc::now()).await?;
                Ok(raised)
            })
        })
        .await?
    };
    drop(db);
    tracing::info!(raised = raised.len(), "backup restored");
    Ok(RestoreReport {
        check,
        replaced,
        ticket_counters_raised: raised,
    })
}

/// Numbers of the replaced database that must not be handed out again.
#[derive(Debug, Default)]
struct Carried {
    tickets: Vec<(String, String, i64)>,
    outbox_seq: Option<i64>,
}

/// Reads the replaced database's ticket counters and outbox sequence, if it can still be
/// read (a damaged one gives nothing).
async fn carried_numbers(path: &Path) -> Carried {
    let read = async {
        let mut conn = audit_chain::open_read_only(path).await?;
        let tickets: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT office_date, service, last_number FROM ticket_counters")
                .fetch_all(&mut conn)
                .await?;
        let seq: Option<(i64,)> =
            sqlx::query_as("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
                .fetch_optional(&mut conn)
                .await?;
        let _ = conn.close().await;
        Ok::<_, HubError>(Carried {
            tickets,
            outbox_seq: seq.map(|(s,)| s),
        })
    };
    match read.await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "replaced database unreadable; numbers not carried over");
            Carried::default()
        }
    }
}
