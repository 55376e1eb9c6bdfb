//! The SQLite database: one writer connection owned by a task that runs every state change
//! inside `BEGIN IMMEDIATE`, and a pool of readers. WAL journal, `synchronous = FULL` so a
//! commit the kiosk was told about survives a power cut or kill -9, foreign keys on, busy
//! timeout for the CLI writing while the hub runs.
//!
//! **Group commit.** Changes that arrive while a transaction is being written are queued
//! and then run together: each in its own savepoint (a refused change rolls back alone),
//! one `COMMIT` (one fsync) for the batch, and only then does each caller get its answer.
//! So 50 kiosks and counters share fsyncs instead of waiting for each other's.
//!
//! **Checkpoints off the writer's path.** SQLite normally copies the WAL back into the
//! database (a checkpoint, with its fsync) inside whichever commit crosses 1000 pages, and
//! every change queued behind that commit waits for it. The writer turns that off and a
//! checkpointer task on its own connection runs passive checkpoints (they never block the
//! writer) after commits, at most every [`CHECKPOINT_EVERY`].

use crate::error::{HubError, Result};
use futures_util::future::BoxFuture;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection, SqlitePool};
use std::path::Path;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

/// File name of the database in the data directory.
pub const DB_FILE_NAME: &str = "loket.db";

/// The embedded migrations (`core/hub/migrations`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The embedded migrations.
pub fn migrator() -> &'static sqlx::migrate::Migrator {
    &MIGRATOR
}

/// Most changes committed together.
const MAX_BATCH: usize = 128;

/// How often, at most, the checkpointer copies the WAL back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// The open database.
#[derive(Debug)]
pub struct Db {
    writer: Writer,
    /// Read-only work.
    pub reader: SqlitePool,
    /// Bumped after every successful commit of the writer.
    commits: watch::Receiver<u64>,
    /// The data folder's shared lock, held while the database is open (`loket restore`
    /// waits for it to be released). The checkpointer holds it too, so it is released only
    /// once no connection of this hub can still write the files.
    _lock: std::sync::Arc<crate::lock::DataLock>,
}

/// The connection options every connection of the hub uses.
pub fn connect_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Deleted and overwritten content is zeroed, so personal data sealed in place of
        // its clear text (migration 0006) does not linger in free space.
        .pragma("secure_delete", "on")
}

impl Db {
    /// Opens (creating if needed) `<data_dir>/loket.db` under the data folder's shared lock,
    /// runs the embedded migrations, starts the audit chain if the database has none yet
    /// (see [`crate::audit_chain::start`]) and starts the writer task.
    pub async fn open(data_dir: &Path) -> Result<Db> {
        std::fs::create_dir_all(data_dir)?;
        let lock = std::sync::Arc::new(crate::lock::DataLock::shared(data_dir)?);
        let options = connect_options(&data_dir.join(DB_FILE_NAME));
        let mut conn = options.clone().connect().await?;
        MIGRATOR.run(&mut conn).await?;
        crate::audit_chain::start(&mut conn).await?;
        sqlx::query("PRAGMA wal_autocheckpoint = 0")
            .execute(&mut conn)
            .await?;
        let checkpointer = options.clone().connect().await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let (commits_tx, commits) = watch::channel(0u64);
        tokio::spawn(checkpoint_loop(checkpointer, commits.clone(), lock.clone()));
        Ok(Db {
            writer: Writer::start(conn, commits_tx, lock.clone()),
            reader,
            commits,
            _lock: lock,
        })
    }

    /// A receiver that changes after every committed batch of changes (each commit may
    /// carry outbox rows: the sync engine is nudged on it).
    pub fn subscribe_commits(&self) -> watch::Receiver<u64> {
        self.commits.clone()
    }

    /// Copies the whole WAL into the database file and empties it
    /// (`wal_checkpoint(TRUNCATE)`), waiting out the checkpointer if it is in the middle of
    /// a passive checkpoint: afterwards no older version of any page is left in the WAL.
    pub async fn checkpoint_truncate(&self) -> Result<()> {
        let mut last = String::from("another connection keeps the WAL busy");
        for _ in 0..250 {
            match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.reader)
                .await
            {
                Ok((0, _, _)) => return Ok(()),
                Ok(_) => {}
                // "database is locked" while the checkpointer holds the checkpoint lock.
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(HubError::CommitFailed(format!(
            "the WAL could not be checkpointed ({last}); try again"
        )))
    }

    /// Runs a change in the writer's transaction and answers after its commit. An `Err`
    /// from `change` rolls back that change alone.
    pub async fn write<T, F>(&self, change: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.writer.run(change).await
    }
}

/// What a finished change hands back: whether it succeeded (keep its savepoint), and how to
/// answer its caller once the batch's commit is known.
type Deliver = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
type Job =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Deliver)> + Send>;

#[derive(Debug)]
struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    fn start(
        conn: SqliteConnection,
        commits: watch::Sender<u64>,
        lock: std::sync::Arc<crate::lock::DataLock>,
    ) -> Writer {
        let (jobs, rx) = mpsc::channel::<Job>(1024);
        tokio::spawn(writer_loop(conn, rx, commits, lock));
        Writer { jobs }
    }

    async fn run<T, F>(&self, change: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = change(conn).await;
                let ok = result.is_ok();
                let deliver: Deliver = Box::new(move |committed| {
                    let out = match (result, committed) {
                        (Err(e), _) => Err(e),
                        (Ok(v), Ok(())) => Ok(v),
                        (Ok(_), Err(e)) => Err(HubError::commit_failed(e)),
                    };
                    // The caller may have gone away; nothing to do then.
                    let _ = answer.send(out);
                });
                (ok, deliver)
            })
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| HubError::CommitFailed("writer stopped".into()))?;
        answered
            .await
            .map_err(|_| HubError::CommitFailed("writer stopped".into()))?
    }
}

async fn writer_loop(
    mut conn: SqliteConnection,
    mut rx: mpsc::Receiver<Job>,
    commits: watch::Sender<u64>,
    lock: std::sync::Arc<crate::lock::DataLock>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await {
            tracing::error!(error = %e, "cannot begin a write transaction");
            // Dropping the jobs answers their callers with an error.
            drop(batch);
            continue;
        }
        let mut delivers = Vec::with_capacity(batch.len());
        for job in batch {
            let savepoint = sqlx::query("SAVEPOINT change").execute(&mut conn).await;
            let (ok, deliver) = job(&mut conn).await;
            let undo = if savepoint.is_ok() && !ok {
                sqlx::query("ROLLBACK TO change")
                    .execute(&mut conn)
                    .await
                    .map(|_| ())
            } else {
                Ok(())
            };
            let release = sqlx::query("RELEASE change").execute(&mut conn).await;
            match (savepoint, undo, release) {
                (Ok(_), Ok(()), Ok(_)) => delivers.push(deliver),
                _ => {
                    // The savepoint machinery failed: give up the whole batch.
                    delivers.push(deliver);
                    let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
                    for d in delivers.drain(..) {
                        d(Err("savepoint failed".into()));
                    }
                    break;
                }
            }
        }
        if delivers.is_empty() {
            continue;
        }
        let committed = match sqlx::query("COMMIT").execute(&mut conn).await {
            Ok(_) => {
                commits.send_modify(|n| *n = n.wrapping_add(1));
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "commit failed");
                let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
                Err(e.to_string())
            }
        };
        for d in delivers {
            d(committed.clone());
        }
    }
    let _ = conn.close().await;
    drop(lock);
}

/// Runs a passive checkpoint after commits, at most every [`CHECKPOINT_EVERY`]; ends when
/// the writer has stopped. A failed checkpoint is logged and tried again later: the WAL
/// then only grows until the next one succeeds, nothing is lost.
async fn checkpoint_loop(
    mut conn: SqliteConnection,
    mut commits: watch::Receiver<u64>,
    lock: std::sync::Arc<crate::lock::DataLock>,
) {
    while commits.changed().await.is_ok() {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint failed; trying again after the next commit");
        }
        tokio::time::sleep(CHECKPOINT_EVERY).await;
    }
    // The writer is gone: fold the WAL into the database before closing.
    let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    drop(lock);
}
