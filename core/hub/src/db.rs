//! The SQLite database: one writer connection owned by a thread of its own that runs every
//! state change inside `BEGIN IMMEDIATE`, and a pool of readers. WAL journal,
//! `synchronous = FULL` so a commit the kiosk was told about survives a power cut or
//! kill -9, foreign keys on, busy timeout for the CLI writing while the hub runs.
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

/// Rows a query may hand back before its reader takes them (a day's queue in one go).
const ROW_BUFFER: usize = 4096;

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
        // Rows come back from SQLite's worker thread through a bounded channel: at sqlx's
        // default of 50 a call reading a long queue waited on the worker every 50 rows.
        .row_buffer_size(ROW_BUFFER)
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
        // The writer opens its own connection on its own thread (see `Writer::start`).
        conn.close().await?;
        let checkpointer = options.clone().connect().await?;
        let options_for_writer = options.clone();
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            // No ping before each use: the file cannot go away under an open connection,
            // and a ping is one more hand-off to the connection's worker thread.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        let (commits_tx, commits) = watch::channel(0u64);
        tokio::spawn(checkpoint_loop(checkpointer, commits.clone(), lock.clone()));
        Ok(Db {
            writer: Writer::start(options_for_writer, commits_tx, lock.clone()).await?,
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
/// A queued change: run on the connection, or (`None`) not run because its batch failed
/// before its turn; its caller is then answered with the batch's error.
type Job = Box<
    dyn for<'c> FnOnce(Option<&'c mut SqliteConnection>) -> BoxFuture<'c, (bool, Deliver)> + Send,
>;

#[derive(Debug)]
struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    async fn start(
        options: SqliteConnectOptions,
        commits: watch::Sender<u64>,
        lock: std::sync::Arc<crate::lock::DataLock>,
    ) -> Result<Writer> {
        let (jobs, rx) = mpsc::channel::<Job>(1024);
        // The writer awaits SQLite's worker thread once per statement and every change
        // waits for the ones before it. On the hub's shared runtime each of those awaits
        // queued behind the HTTP tasks (most of a change's time under load, measured), so
        // the writer has a thread and a runtime of its own. It ends when the last sender
        // is dropped, after closing the connection. The runtime is made on that thread
        // (a runtime may not be dropped inside this async function if starting failed).
        let (ready, started) = oneshot::channel::<Result<()>>();
        std::thread::Builder::new()
            .name("loket-writer".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready.send(Err(e.into()));
                        return;
                    }
                };
                stay_on_this_cpu();
                runtime.block_on(async move {
                    // Connected from this thread, so SQLite's worker thread for the
                    // connection inherits the CPU.
                    let conn = match writer_connection(options).await {
                        Ok(conn) => conn,
                        Err(e) => {
                            let _ = ready.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready.send(Ok(()));
                    writer_loop(conn, rx, commits, lock).await;
                });
            })?;
        started
            .await
            .map_err(|_| HubError::CommitFailed("the writer thread did not start".into()))??;
        Ok(Writer { jobs })
    }

    async fn run<T, F>(&self, change: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = match conn {
                    Some(conn) => Some(change(conn).await),
                    None => None,
                };
                let ok = matches!(result, Some(Ok(_)));
                let deliver: Deliver = Box::new(move |committed| {
                    let out = match (result, committed) {
                        (Some(Err(e)), _) => Err(e),
                        (Some(Ok(v)), Ok(())) => Ok(v),
                        (_, Err(e)) => Err(HubError::commit_failed(e)),
                        (None, Ok(())) => Err(HubError::CommitFailed(
                            "the change was not run; try again".into(),
                        )),
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

/// The writer's connection: checkpoints are left to the checkpointer's connection.
async fn writer_connection(options: SqliteConnectOptions) -> Result<SqliteConnection> {
    let mut conn = options.connect().await?;
    sqlx::query("PRAGMA wal_autocheckpoint = 0")
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

/// Keeps the calling thread, and the threads it starts from now on, on the CPU it runs on.
///
/// The writer and SQLite's worker thread for its connection hand every statement to each
/// other. On different CPUs each hand-off wakes the other CPU (an inter-processor
/// interrupt: on a virtual machine, an exit to the hypervisor), which was a quarter of the
/// worker's time under load; on one CPU the woken thread just runs next. With both on one
/// CPU the hub issued about 1.6 times as many tickets per second (`hub_load` bench,
/// alternating runs; docs/hub.md). The pair is one chain of work anyway: only one of the
/// two runs at a time. The blocking threads the writer's runtime starts (durable file
/// writes of photos and fingerprints inside a change) share the CPU too; they wait on the
/// disk. Where the CPU cannot be read or set (a restricted container), the threads float
/// as before.
#[cfg(target_os = "linux")]
fn stay_on_this_cpu() {
    use nix::sched::{CpuSet, sched_getcpu, sched_setaffinity};
    let pinned = sched_getcpu().and_then(|cpu| {
        let mut set = CpuSet::new();
        set.set(cpu)?;
        sched_setaffinity(nix::unistd::Pid::from_raw(0), &set).map(|()| cpu)
    });
    match pinned {
        Ok(cpu) => tracing::debug!(cpu, "the writer thread stays on one CPU"),
        Err(e) => tracing::info!(error = %e, "the writer thread is not kept on one CPU"),
    }
}

/// Elsewhere the writer's threads float.
#[cfg(not(target_os = "linux"))]
fn stay_on_this_cpu() {}

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
        // Every statement is a round trip to SQLite's worker thread, and the changes of a
        // batch run one after another: so each boundary between changes (keep or undo the
        // last one's savepoint, open the next one's, or commit) is one multi-statement round
        // trip.
        if let Err(e) = sqlx::query("BEGIN IMMEDIATE; SAVEPOINT change")
            .execute(&mut conn)
            .await
        {
            tracing::error!(error = %e, "cannot begin a write transaction");
            let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
            for job in batch {
                let (_, deliver) = job(None).await;
                deliver(Err(e.to_string()));
            }
            continue;
        }
        let mut delivers = Vec::with_capacity(batch.len());
        let jobs = batch.len();
        let mut committed = Err("the batch was not committed".to_string());
        let mut batch = batch.into_iter().enumerate();
        while let Some((n, job)) = batch.next() {
            let (ok, deliver) = job(Some(&mut conn)).await;
            delivers.push(deliver);
            let last = n + 1 == jobs;
            let boundary = match (ok, last) {
                (true, false) => "RELEASE change; SAVEPOINT change",
                (false, false) => "ROLLBACK TO change; RELEASE change; SAVEPOINT change",
                (true, true) => "RELEASE change; COMMIT",
                (false, true) => "ROLLBACK TO change; RELEASE change; COMMIT",
            };
            match sqlx::query(boundary).execute(&mut conn).await {
                Ok(_) if last => {
                    commits.send_modify(|n| *n = n.wrapping_add(1));
                    committed = Ok(());
                }
                Ok(_) => {}
                Err(e) => {
                    // The savepoint machinery or the commit failed: give up the whole batch;
                    // the changes not run yet get the same answer.
                    tracing::error!(error = %e, "commit failed");
                    let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
                    committed = Err(e.to_string());
                    for (_, job) in batch.by_ref() {
                        delivers.push(job(None).await.1);
                    }
                    break;
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Queues a change that inserts `n` into `t` and then fails if `fail`.
    fn insert(db: &Db, n: i64, fail: bool) -> impl Future<Output = Result<i64>> + use<'_> {
        db.write(move |tx| {
            Box::pin(async move {
                sqlx::query("INSERT INTO t (n) VALUES (?)")
                    .bind(n)
                    .execute(&mut *tx)
                    .await?;
                if fail {
                    return Err(HubError::BadRequest(format!("change {n} refused")));
                }
                Ok(n)
            })
        })
    }

    async fn stored(db: &Db) -> Vec<i64> {
        sqlx::query_as::<_, (i64,)>("SELECT n FROM t ORDER BY n")
            .fetch_all(&db.reader)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(n,)| n)
            .collect()
    }

    /// The CPUs a thread of this process may run on, by thread name (Linux `/proc`).
    #[cfg(target_os = "linux")]
    fn allowed_cpus(thread_name: &str) -> Vec<String> {
        let tasks = std::fs::read_dir("/proc/self/task").unwrap_or_else(|e| panic!("{e}"));
        tasks
            .filter_map(|t| t.ok())
            .filter(|t| {
                std::fs::read_to_string(t.path().join("comm"))
                    .is_ok_and(|c| c.trim_end().starts_with(thread_name))
            })
            .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
            .filter_map(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                    .map(|l| l.trim().to_string())
            })
            .collect()
    }

    /// The writer thread stays on one CPU, and so does the SQLite thread it opened its
    /// connection from; the other SQLite threads (readers) still float.
    #[cfg(target_os = "linux")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_writer_and_its_sqlite_thread_stay_on_one_cpu() {
        let process = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let process = process
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .unwrap_or_default();
        if !process.contains(['-', ',']) {
            // This process may run on one CPU only: nothing to tell apart.
            return;
        }
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let _db = Db::open(dir.path()).await.unwrap_or_else(|e| panic!("{e}"));
        // (Other tests' hubs may share this process under `cargo test`.)
        let writers = allowed_cpus("loket-writer");
        let sqlite = allowed_cpus("sqlx-sqlite-wor");
        assert!(!writers.is_empty(), "no writer thread found");
        for writer in &writers {
            assert!(writer.parse::<usize>().is_ok(), "a writer on {writer}");
            assert!(
                sqlite.contains(writer),
                "no SQLite thread on the writer's CPU {writer}: {sqlite:?}"
            );
        }
        assert!(
            sqlite.iter().any(|c| c.contains(['-', ','])),
            "every SQLite thread is pinned: {sqlite:?}"
        );
    }

    /// Changes queued together commit together, except a refused one, which is undone
    /// alone: also when it is the first or the last of its batch.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_change_is_undone_alone_and_the_rest_of_its_batch_commits() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = Db::open(dir.path()).await.unwrap_or_else(|e| panic!("{e}"));
        db.write(|tx| {
            Box::pin(async move {
                sqlx::query("CREATE TABLE t (n INTEGER PRIMARY KEY)")
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        for pattern in [
            [false, true, false],
            [true, false, false],
            [false, false, true],
            [true, true, true],
        ] {
            let base = stored(&db).await.len() as i64 * 10 + 100;
            // A slow change holds the writer so that the next three queue up behind it
            // and run as one batch.
            let hold = db.write(|_| {
                Box::pin(async move {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Ok(())
                })
            });
            let (held, a, b, c) = tokio::join!(
                hold,
                insert(&db, base + 1, pattern[0]),
                insert(&db, base + 2, pattern[1]),
                insert(&db, base + 3, pattern[2]),
            );
            assert!(held.is_ok());
            let answers = [a, b, c];
            let rows = stored(&db).await;
            for (i, (answer, fail)) in answers.iter().zip(pattern).enumerate() {
                let n = base + 1 + i as i64;
                match answer {
                    Ok(got) => {
                        assert!(!fail, "change {n} should have been refused");
                        assert_eq!(*got, n);
                        assert!(rows.contains(&n), "change {n} was answered but not stored");
                    }
                    Err(e) => {
                        assert!(fail, "change {n} failed: {e}");
                        assert!(e.to_string().contains("refused"), "{e}");
                        assert!(!rows.contains(&n), "refused change {n} was stored");
                    }
                }
            }
        }
    }
}
