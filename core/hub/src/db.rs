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
//! **Direct statements.** sqlx runs every statement of a connection on a worker thread of
//! its own, so each statement is two thread hand-offs (writer to worker and back). The
//! busiest changes (the ticket issue, calls, counter actions) are [`Db::write_direct`]
//! changes instead: the writer locks the connection out from the worker once for a run of
//! such changes and runs their statements itself through rusqlite on the same SQLite handle
//! ([`DirectConn`]), savepoints and commit included. Store functions are written once over
//! [`Exec`], which both connections implement. Likewise every request's token lookup runs
//! on the request's own thread ([`Db::read_inline`]).
//!
//! **Checkpoints off the writer's path.** SQLite normally copies the WAL back into the
//! database (a checkpoint, with its fsync) inside whichever commit crosses 1000 pages, and
//! every change queued behind that commit waits for it. The writer turns that off and a
//! checkpointer task on its own connection runs passive checkpoints (they never block the
//! writer) after commits, at most every [`CHECKPOINT_EVERY`].

use crate::error::{HubError, Result};
use crate::store::QueueList;
use futures_util::future::BoxFuture;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection, SqlitePool};
use std::path::Path;
use std::sync::{Arc, Mutex};
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
    /// Read-only connections for short reads on the caller's thread ([`Db::read_inline`]).
    inline: InlineReaders,
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
        let inline = InlineReaders::new(data_dir.join(DB_FILE_NAME));
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
            inline,
            _lock: lock,
        })
    }

    /// Runs `read`, a short read (a lookup by key), on a read-only connection on the
    /// calling thread: no hand-off to a SQLite worker thread, which on a pooled reader
    /// costs more than the lookup itself (every request's token lookup). Not for long
    /// reads: the calling thread is an HTTP worker, blocked meanwhile.
    pub async fn read_inline<T, F>(&self, read: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut ReadConn) -> BoxFuture<'c, Result<T>>,
    {
        let mut conn = self.inline.take()?;
        let result = read(&mut conn).await;
        self.inline.put_back(conn);
        result
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
        self.writer.run(change, Job::Sqlx).await
    }

    /// [`Db::write`] for a change that runs its statements directly on the writer's thread
    /// ([`DirectConn`]): no thread hand-off per statement. An `Err` from `change` rolls
    /// back that change alone.
    pub async fn write_direct<T, F>(&self, change: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut DirectConn) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.writer.run(change, Job::Direct).await
    }
}

/// A connection the store's functions run on: sqlx's (the readers, and the changes of
/// [`Db::write`]) or the writer's direct one (the changes of [`Db::write_direct`]), so
/// that a function written once serves both.
pub trait Exec: Send {
    /// Runs `statements` with `params` and returns the rows they give, in order.
    fn rows(
        &mut self,
        statements: &[&str],
        params: Params<'_>,
    ) -> impl Future<Output = Result<Vec<OwnedRow>>> + Send;

    /// Runs `statements` with `params`, which give no rows, and returns the last inserted
    /// row's id.
    fn execute(
        &mut self,
        statements: &[&str],
        params: Params<'_>,
    ) -> impl Future<Output = Result<i64>> + Send;

    /// The ids and revisions of a queue list, in id order.
    fn queue_pairs(
        &mut self,
        list: &QueueList,
    ) -> impl Future<Output = Result<Vec<(i64, i64)>>> + Send {
        async move {
            let (sql, params) = list.statement();
            self.rows(&[&sql], Params::InOrder(&params))
                .await?
                .iter()
                .map(|row| Ok((row.at(0)?, row.at(1)?)))
                .collect()
        }
    }
}

impl Exec for SqliteConnection {
    async fn rows(&mut self, statements: &[&str], params: Params<'_>) -> Result<Vec<OwnedRow>> {
        let rows = sqlx_query(statements, params).fetch_all(self).await?;
        rows.iter().map(OwnedRow::from_sqlx).collect()
    }

    async fn execute(&mut self, statements: &[&str], params: Params<'_>) -> Result<i64> {
        let done = sqlx_query(statements, params).execute(self).await?;
        Ok(done.last_insert_rowid())
    }
}

/// `statements` as one sqlx query with `params` bound in order: sqlx binds a numbered
/// parameter by its number in the whole list and anonymous ones in order, which is what
/// [`Params::Shared`] and [`Params::InOrder`] say, so long as one query does not mix the two.
fn sqlx_query(statements: &[&str], params: Params<'_>) -> crate::store::SqliteQuery {
    let (Params::Shared(values) | Params::InOrder(values)) = params;
    // The statements are the store's own constants and fragments.
    let query = sqlx::query(sqlx::AssertSqlSafe(statements.join("; ")));
    crate::store::bind_params(query, values.to_vec())
}

impl Exec for DirectConn {
    async fn rows(&mut self, statements: &[&str], params: Params<'_>) -> Result<Vec<OwnedRow>> {
        let mut rows = Vec::new();
        self.run(statements, params, |row| {
            rows.push(OwnedRow::from_rusqlite(row)?);
            Ok(())
        })?;
        Ok(rows)
    }

    async fn execute(&mut self, statements: &[&str], params: Params<'_>) -> Result<i64> {
        self.run(statements, params, |_| Ok(()))?;
        Ok(self.conn.last_insert_rowid())
    }

    async fn queue_pairs(&mut self, list: &QueueList) -> Result<Vec<(i64, i64)>> {
        if self.queue_lists.is_none() {
            return self.read_queue_pairs(list);
        }
        self.bring_queue_lists_up_to_date()?;
        let kept = self
            .queue_lists
            .as_ref()
            .and_then(|lists| lists.lists.get(list))
            .cloned();
        if let Some(kept) = kept {
            // Every debug build (the test suite) checks each kept list against a read.
            #[cfg(debug_assertions)]
            {
                let read = self.read_queue_pairs(list)?;
                if read != kept {
                    self.forget_queue_lists();
                    return Err(HubError::Corrupt(format!(
                        "the writer's kept queue list {list:?} differs from the database: kept {kept:?}, read {read:?}"
                    )));
                }
            }
            return Ok(kept);
        }
        if let Some(lists) = &mut self.queue_lists {
            lists.start_keeping();
        }
        let read = self.read_queue_pairs(list)?;
        if let Some(lists) = &mut self.queue_lists {
            lists.keep(list.clone(), read.clone());
        }
        Ok(read)
    }
}

/// A result row taken out of its statement, read by column position ([`OwnedRow::at`]).
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedRow(Vec<rusqlite::types::Value>);

impl OwnedRow {
    fn from_rusqlite(row: &rusqlite::Row<'_>) -> Result<OwnedRow> {
        let columns = row.as_ref().column_count();
        (0..columns)
            .map(|i| Ok(row.get::<_, rusqlite::types::Value>(i)?))
            .collect::<Result<_>>()
            .map(OwnedRow)
    }

    fn from_sqlx(row: &sqlx::sqlite::SqliteRow) -> Result<OwnedRow> {
        use rusqlite::types::Value;
        use sqlx::{Row as _, TypeInfo as _, ValueRef as _};
        (0..row.len())
            .map(|i| {
                let raw = row.try_get_raw(i)?;
                if raw.is_null() {
                    return Ok(Value::Null);
                }
                Ok(match raw.type_info().name() {
                    "INTEGER" | "BOOLEAN" => Value::Integer(row.try_get(i)?),
                    "REAL" => Value::Real(row.try_get(i)?),
                    "BLOB" => Value::Blob(row.try_get(i)?),
                    _ => Value::Text(row.try_get(i)?),
                })
            })
            .collect::<Result<_>>()
            .map(OwnedRow)
    }

    /// The value of column `i`.
    pub fn at<T: rusqlite::types::FromSql>(&self, i: usize) -> Result<T> {
        let value = self
            .0
            .get(i)
            .ok_or_else(|| HubError::Corrupt(format!("a row has no column {i}")))?;
        T::column_result(value.into()).map_err(|e| HubError::Corrupt(format!("column {i}: {e}")))
    }
}

/// The idle connections of [`Db::read_inline`]: as many as have run at once (the HTTP
/// runtime's threads), opened when first needed.
struct InlineReaders {
    path: std::path::PathBuf,
    idle: std::sync::Mutex<Vec<ReadConn>>,
    /// Most idle connections kept.
    keep: usize,
}

impl std::fmt::Debug for InlineReaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineReaders")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl InlineReaders {
    fn new(path: std::path::PathBuf) -> InlineReaders {
        // As many as the HTTP runtime has threads (one per CPU), at least 8.
        let keep = std::thread::available_parallelism().map_or(8, |n| n.get().max(8));
        InlineReaders {
            path,
            idle: std::sync::Mutex::new(Vec::new()),
            keep,
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<ReadConn>> {
        // A connection is pushed or popped whole: a poisoned lock leaves a usable list.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> Result<ReadConn> {
        if let Some(conn) = self.idle().pop() {
            return Ok(conn);
        }
        use rusqlite::OpenFlags;
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Reads only; a short busy wait (the caller's thread is blocked meanwhile): a WAL
        // reader waits only while another connection recovers the WAL.
        conn.pragma_update(None, "query_only", true)?;
        conn.busy_timeout(Duration::from_millis(500))?;
        conn.set_prepared_statement_cache_capacity(DirectConn::PREPARED);
        Ok(ReadConn(DirectConn {
            conn,
            queue_lists: None,
        }))
    }

    fn put_back(&self, conn: ReadConn) {
        let mut idle = self.idle();
        if idle.len() < self.keep {
            idle.push(conn);
        }
    }
}

/// A read-only connection of [`Db::read_inline`]: its own type, so that no change can
/// swap it with the writer's [`DirectConn`].
pub struct ReadConn(DirectConn);

impl std::fmt::Debug for ReadConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadConn").finish_non_exhaustive()
    }
}

impl Exec for ReadConn {
    async fn rows(&mut self, statements: &[&str], params: Params<'_>) -> Result<Vec<OwnedRow>> {
        self.0.rows(statements, params).await
    }

    async fn execute(&mut self, statements: &[&str], params: Params<'_>) -> Result<i64> {
        self.0.execute(statements, params).await
    }

    async fn queue_pairs(&mut self, list: &QueueList) -> Result<Vec<(i64, i64)>> {
        self.0.queue_pairs(list).await
    }
}

/// How the values of [`DirectConn::run`] go to its statements.
#[derive(Debug, Clone, Copy)]
pub enum Params<'a> {
    /// Every statement takes the first values of the list, as many as its highest numbered
    /// parameter (`?1`, `?2`...: the statements share their arguments).
    Shared(&'a [crate::store::Param]),
    /// Each statement takes as many values as it has parameters, from where the statement
    /// before it stopped (anonymous `?`, as sqlx binds one multi-statement query).
    InOrder(&'a [crate::store::Param]),
}

/// The writer's SQLite connection used directly on the writer's thread, through rusqlite
/// on the handle sqlx opened (see the module's documentation). Only the writer hands it
/// out, and only while the connection is locked out from sqlx's worker thread.
pub struct DirectConn {
    conn: rusqlite::Connection,
    /// The writer's kept queue lists; readers keep none.
    queue_lists: Option<QueueLists>,
}

impl std::fmt::Debug for DirectConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectConn").finish_non_exhaustive()
    }
}

impl DirectConn {
    /// Statements kept prepared (rusqlite's default of 16 is fewer than the ticket issue's
    /// and the savepoints' together).
    const PREPARED: usize = 64;

    /// # Safety
    /// `handle` must stay open while the `DirectConn` lives, and no other thread may use
    /// it while the `DirectConn` is used or dropped (dropping finalizes its statements).
    #[allow(unsafe_code)] // the one handle shared with sqlx; see the module's documentation
    unsafe fn new(
        handle: std::ptr::NonNull<rusqlite::ffi::sqlite3>,
        changes: Arc<Mutex<VisitChanges>>,
    ) -> Result<DirectConn> {
        // SAFETY: as the caller promises; the handle is not closed when `conn` is dropped.
        let conn = unsafe { rusqlite::Connection::from_handle(handle.as_ptr())? };
        conn.set_prepared_statement_cache_capacity(Self::PREPARED);
        Ok(DirectConn {
            conn,
            queue_lists: Some(QueueLists::new(changes)),
        })
    }

    /// The ids and revisions of a queue list, read from its index.
    fn read_queue_pairs(&mut self, list: &QueueList) -> Result<Vec<(i64, i64)>> {
        let (sql, params) = list.statement();
        let mut pairs = Vec::new();
        // Two integers a row, read in place: no row of values made and freed for each (a
        // call lists thousands).
        self.run(&[&sql], Params::InOrder(&params), |row| {
            pairs.push((row.get(0)?, row.get(1)?));
            Ok(())
        })?;
        Ok(pairs)
    }

    /// Applies the visit rows changed since the kept lists were last brought up to date,
    /// or forgets the lists when they cannot be (another connection committed, too many
    /// rows changed, or reading the changed rows failed).
    fn bring_queue_lists_up_to_date(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))?;
        let Some(lists) = &mut self.queue_lists else {
            return Ok(());
        };
        let changed = {
            let mut changes = lists.changes();
            let overflow = std::mem::take(&mut changes.overflow);
            let ids = std::mem::take(&mut changes.ids);
            (!overflow).then_some(ids)
        };
        let Some(mut changed) = changed.filter(|_| version == lists.data_version) else {
            lists.forget();
            lists.data_version = version;
            return Ok(());
        };
        if lists.lists.is_empty() || changed.is_empty() {
            return Ok(());
        }
        changed.sort_unstable();
        changed.dedup();
        let mut rows = std::collections::HashMap::with_capacity(changed.len());
        // The changed ids are taken out above: a failed read must not leave the lists kept
        // without them.
        let ids = serde_json::to_string(&changed).map_err(HubError::from);
        let read = ids.and_then(|ids| {
            self.run(
                &[
                    "SELECT id, revision, office_date, service, state FROM visits \
                   WHERE id IN (SELECT value FROM json_each(?))",
                ],
                Params::InOrder(&[ids.into()]),
                |row| {
                    let (id, revision): (i64, i64) = (row.get(0)?, row.get(1)?);
                    let place: (String, String, String) = (row.get(2)?, row.get(3)?, row.get(4)?);
                    rows.insert(id, (revision, place));
                    Ok(())
                },
            )
        });
        if let Err(error) = read {
            self.forget_queue_lists();
            return Err(error);
        }
        if let Some(lists) = &mut self.queue_lists {
            for (list, pairs) in &mut lists.lists {
                for id in &changed {
                    let now = rows
                        .get(id)
                        .filter(|(_, (date, service, state))| list.holds(date, service, state))
                        .map(|(revision, _)| *revision);
                    match (pairs.binary_search_by_key(id, |(i, _)| *i), now) {
                        (Ok(at), Some(revision)) => pairs[at].1 = revision,
                        (Ok(at), None) => {
                            pairs.remove(at);
                        }
                        (Err(at), Some(revision)) => pairs.insert(at, (*id, revision)),
                        (Err(_), None) => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// Forgets the kept queue lists: after a rollback, whose undone rows SQLite does not
    /// report, and after a failed attempt to bring them up to date.
    fn forget_queue_lists(&mut self) {
        if let Some(lists) = &mut self.queue_lists {
            lists.forget();
        }
    }

    /// Runs `statements` in order with `params`, handing each result row to `row`. With
    /// [`Params::InOrder`], values left over are refused too (a statement lost from the
    /// list would otherwise shift nothing and go unnoticed).
    fn run(
        &mut self,
        statements: &[&str],
        params: Params<'_>,
        mut row: impl FnMut(&rusqlite::Row<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut used = 0;
        for (i, sql) in statements.iter().enumerate() {
            let mut statement = self.conn.prepare_cached(sql)?;
            let wanted = statement.parameter_count();
            let values = match params {
                Params::Shared(all) => all.get(..wanted),
                Params::InOrder(all) => all.get(used..used + wanted),
            };
            let Some(values) = values else {
                return Err(HubError::Corrupt(format!(
                    "statement {i} of a change wants {wanted} parameters, more than it was given"
                )));
            };
            used += wanted;
            let mut rows = statement.query(rusqlite::params_from_iter(values))?;
            while let Some(r) = rows.next()? {
                row(r)?;
            }
        }
        match params {
            Params::InOrder(all) if all.len() != used => Err(HubError::Corrupt(format!(
                "a change's statements take {used} parameters, not the {} given",
                all.len()
            ))),
            _ => Ok(()),
        }
    }

    /// Runs `statements`, which take no parameters and give no rows.
    fn run_plain(&mut self, statements: &[&str]) -> Result<()> {
        self.run(statements, Params::InOrder(&[]), |_| Ok(()))
    }
}

/// What a finished change hands back: whether it succeeded (keep its savepoint), and how to
/// answer its caller once the batch's commit is known.
type Deliver = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
/// A queued change on a connection `C`: run on it, or (`None`) not run because its batch
/// failed before its turn; its caller is then answered with the batch's error.
type JobOn<C> = Box<dyn for<'c> FnOnce(Option<&'c mut C>) -> BoxFuture<'c, (bool, Deliver)> + Send>;

/// A queued change, on sqlx's connection or on the [`DirectConn`].
enum Job {
    Sqlx(JobOn<SqliteConnection>),
    Direct(JobOn<DirectConn>),
}

impl Job {
    /// The answer of a change not run because its batch failed before its turn.
    async fn skip(self) -> Deliver {
        match self {
            Job::Sqlx(job) => job(None).await.1,
            Job::Direct(job) => job(None).await.1,
        }
    }
}

/// Whether a change's `result` (`None`: not run) keeps its savepoint, and how to answer its
/// caller on `answer` once the batch's commit is known.
fn finished<T: Send + 'static>(
    result: Option<Result<T>>,
    answer: oneshot::Sender<Result<T>>,
) -> (bool, Deliver) {
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
}

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
        // The writer awaits SQLite's worker thread once per statement of a sqlx change (and
        // once per run of direct changes, for the lock), and every change waits for the
        // ones before it. On the hub's shared runtime each of those awaits
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
                    let (conn, changes) = match writer_connection(options).await {
                        Ok(conn) => conn,
                        Err(e) => {
                            let _ = ready.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready.send(Ok(()));
                    writer_loop(conn, changes, rx, commits, lock).await;
                });
            })?;
        started
            .await
            .map_err(|_| HubError::CommitFailed("the writer thread did not start".into()))??;
        Ok(Writer { jobs })
    }

    /// Queues `change` as a job on the connection `C` (`kind` tells which) and answers
    /// after its batch's commit.
    async fn run<C, T, F>(&self, change: F, kind: fn(JobOn<C>) -> Job) -> Result<T>
    where
        C: Send + 'static,
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut C) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<Result<T>>();
        let job: JobOn<C> = Box::new(move |conn| {
            Box::pin(async move {
                let result = match conn {
                    Some(conn) => Some(change(conn).await),
                    None => None,
                };
                finished(result, answer)
            })
        });
        self.submit(kind(job), answered).await
    }

    async fn submit<T>(&self, job: Job, answered: oneshot::Receiver<Result<T>>) -> Result<T> {
        self.jobs
            .send(job)
            .await
            .map_err(|_| HubError::CommitFailed("writer stopped".into()))?;
        answered
            .await
            .map_err(|_| HubError::CommitFailed("writer stopped".into()))?
    }
}

/// The writer's connection: checkpoints are left to the checkpointer's connection. SQLite
/// reports every visit row it inserts or changes, from whichever thread runs the statement,
/// to the returned [`VisitChanges`].
async fn writer_connection(
    options: SqliteConnectOptions,
) -> Result<(SqliteConnection, Arc<Mutex<VisitChanges>>)> {
    let mut conn = options.connect().await?;
    sqlx::query("PRAGMA wal_autocheckpoint = 0")
        .execute(&mut conn)
        .await?;
    let changes = Arc::new(Mutex::new(VisitChanges::default()));
    let reported = Arc::clone(&changes);
    conn.lock_handle().await?.set_update_hook(move |change| {
        if change.table == "visits" {
            VisitChanges::lock(&reported).report(change.rowid);
        }
    });
    Ok((conn, changes))
}

/// Visit rows the writer's connection has inserted, changed or deleted since its kept
/// queue lists were last brought up to date ([`QueueLists`]), as SQLite's update hook
/// reports them.
#[derive(Debug, Default)]
pub(crate) struct VisitChanges {
    /// Whether rows are recorded: from the first list read to be kept until the lists are
    /// forgotten or too many rows changed.
    recording: bool,
    /// More rows changed than are kept track of: the lists must be read again.
    overflow: bool,
    ids: Vec<i64>,
}

impl VisitChanges {
    /// Most changed rows kept track of between two calls; past it the lists are read again.
    const MOST: usize = 20_000;

    fn lock(changes: &Mutex<VisitChanges>) -> std::sync::MutexGuard<'_, VisitChanges> {
        // Only plain fields: a poisoned lock leaves usable values.
        changes.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn report(&mut self, id: i64) {
        if !self.recording {
            return;
        }
        if self.ids.len() >= Self::MOST {
            self.overflow = true;
            self.recording = false;
            self.ids = Vec::new();
        } else {
            self.ids.push(id);
        }
    }
}

/// The queue lists the writer's calls have read, kept up to date from the visit rows its
/// connection changes instead of read again: a call lists every waiting visit of its
/// counter's services, thousands on a busy day, and reading them from the index was most
/// of a call's cost (hub_load bench). Invariant: a kept list equals what its statement
/// would read now in the writer's transaction. SQLite does not report rows a rollback
/// undoes, so a rollback forgets the lists, and so does a commit by another connection
/// (`PRAGMA data_version`); every debug build checks each kept list against a read.
/// Assumed, and true of every statement of the hub: no statement changes a visit's `id`
/// (the hook reports the new rowid only) and none replaces a visit row through `REPLACE`
/// (the hook does not report the row it deletes; the `visits_never_deleted` trigger
/// refuses every other delete, which also rules out SQLite's truncate optimization).
struct QueueLists {
    changes: Arc<Mutex<VisitChanges>>,
    lists: std::collections::HashMap<QueueList, Vec<(i64, i64)>>,
    data_version: i64,
}

impl QueueLists {
    /// Most lists kept (one per set of services counters serve, and per set of states).
    const MOST: usize = 16;

    fn new(changes: Arc<Mutex<VisitChanges>>) -> QueueLists {
        QueueLists {
            changes,
            lists: std::collections::HashMap::new(),
            data_version: 0,
        }
    }

    fn changes(&self) -> std::sync::MutexGuard<'_, VisitChanges> {
        VisitChanges::lock(&self.changes)
    }

    /// Starts recording changed rows, before a list is read to be kept.
    fn start_keeping(&mut self) {
        if self.lists.len() >= Self::MOST {
            self.forget();
        }
        self.changes().recording = true;
    }

    fn keep(&mut self, list: QueueList, pairs: Vec<(i64, i64)>) {
        self.lists.insert(list, pairs);
    }

    fn forget(&mut self) {
        self.lists.clear();
        let mut changes = self.changes();
        *changes = VisitChanges::default();
    }
}

/// Keeps the calling thread, and the threads it starts from now on, on the CPU it runs on.
///
/// The writer and SQLite's worker thread for its connection hand every statement of a sqlx
/// change (and the lock of a run of direct changes) to each other. On different CPUs each hand-off wakes the other CPU (an inter-processor
/// interrupt: on a virtual machine, an exit to the hypervisor), which was a quarter of the
/// worker's time under load; on one CPU the woken thread just runs next. With both on one
/// CPU the hub issued about 1.6 times as many tickets per second (`hub_load` bench,
/// alternating runs; docs/hub.md; since the busiest changes run direct, keeping the pair
/// together or not made no difference measured). The pair is one chain of work anyway:
/// only one of the two runs at a time. The blocking threads the writer's runtime starts (durable file
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

/// The statements that open a batch's transaction and its first change's savepoint.
const BEGIN: &[&str] = &["BEGIN IMMEDIATE", "SAVEPOINT change"];

/// The statements after a change: keep (`ok`) or undo its savepoint, then open the next
/// one's or (`last`) commit.
fn boundary(ok: bool, last: bool) -> &'static [&'static str] {
    match (ok, last) {
        (true, false) => &["RELEASE change", "SAVEPOINT change"],
        (false, false) => &["ROLLBACK TO change", "RELEASE change", "SAVEPOINT change"],
        (true, true) => &["RELEASE change", "COMMIT"],
        (false, true) => &["ROLLBACK TO change", "RELEASE change", "COMMIT"],
    }
}

/// Runs `statements` on sqlx's connection in one round trip.
async fn execute_sqlx(conn: &mut SqliteConnection, statements: &[&str]) -> Result<()> {
    // The statements are the writer's own constants.
    sqlx::query(sqlx::AssertSqlSafe(statements.join("; ")))
        .execute(conn)
        .await?;
    Ok(())
}

async fn writer_loop(
    mut conn: SqliteConnection,
    changes: Arc<Mutex<VisitChanges>>,
    mut rx: mpsc::Receiver<Job>,
    commits: watch::Sender<u64>,
    lock: std::sync::Arc<crate::lock::DataLock>,
) {
    let mut direct = None;
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (delivers, committed) = run_batch(&mut conn, &mut direct, &changes, batch).await;
        if committed.is_ok() {
            commits.send_modify(|n| *n = n.wrapping_add(1));
        }
        for d in delivers {
            d(committed.clone());
        }
    }
    // The direct connection's statements are finalized while sqlx's worker is locked out,
    // and before the connection closes.
    if let Some(direct) = direct.take() {
        match conn.lock_handle().await {
            Ok(locked) => {
                drop(direct);
                drop(locked);
            }
            // The worker's loop has ended (the lock fails only then): nothing else uses the
            // handle, and the statements must be finalized before it closes.
            Err(_) => drop(direct),
        }
    }
    let _ = conn.close().await;
    drop(lock);
}

/// Runs a change. One that panics is undone like a refused one (its caller, whose answer
/// went with the panic, hears that the writer stopped), so the rest of its batch and the
/// writer go on, and nothing unwinds past a connection in use.
async fn run_job<C>(job: JobOn<C>, conn: &mut C) -> (bool, Deliver) {
    use futures_util::FutureExt as _;
    match std::panic::AssertUnwindSafe(job(Some(conn)))
        .catch_unwind()
        .await
    {
        Ok(done) => done,
        Err(_) => {
            tracing::error!("a change panicked; it is undone");
            (false, Box::new(|_| {}))
        }
    }
}

/// Runs a batch of changes in one transaction, each in its own savepoint, and returns each
/// one's answer with the outcome of the commit. A run of direct changes runs under one lock
/// of the connection ([`DirectConn`]), the savepoints between them and the commit included;
/// every statement of a sqlx change is a round trip to sqlx's worker thread, so there each
/// boundary between changes is one multi-statement round trip.
#[allow(unsafe_code)] // making the DirectConn; see the module's documentation
async fn run_batch(
    conn: &mut SqliteConnection,
    direct: &mut Option<DirectConn>,
    changes: &Arc<Mutex<VisitChanges>>,
    batch: Vec<Job>,
) -> (Vec<Deliver>, std::result::Result<(), String>) {
    let jobs = batch.len();
    let mut delivers = Vec::with_capacity(jobs);
    let mut batch = batch.into_iter().peekable();
    let mut failure = None;
    while failure.is_none() {
        match batch.next() {
            None => break,
            Some(Job::Sqlx(job)) => {
                if delivers.is_empty()
                    && let Err(e) = execute_sqlx(conn, BEGIN).await
                {
                    failure = Some(e.to_string());
                    delivers.push(job(None).await.1);
                    break;
                }
                let (ok, deliver) = run_job(job, conn).await;
                delivers.push(deliver);
                if !ok && let Some(direct) = direct.as_mut() {
                    direct.forget_queue_lists();
                }
                if let Err(e) = execute_sqlx(conn, boundary(ok, delivers.len() == jobs)).await {
                    failure = Some(e.to_string());
                }
            }
            Some(Job::Direct(job)) => {
                let mut locked = match conn.lock_handle().await {
                    Ok(locked) => locked,
                    Err(e) => {
                        failure = Some(e.to_string());
                        delivers.push(job(None).await.1);
                        break;
                    }
                };
                let direct = match direct {
                    Some(direct) => direct,
                    // SAFETY: the handle stays open until the writer's loop ends, which
                    // drops the `DirectConn` first under the lock; the writer hands it out
                    // only here, while it holds the lock.
                    None => match unsafe {
                        DirectConn::new(locked.as_raw_handle(), Arc::clone(changes))
                    } {
                        Ok(new) => direct.insert(new),
                        Err(e) => {
                            failure = Some(e.to_string());
                            delivers.push(job(None).await.1);
                            break;
                        }
                    },
                };
                let mut next = Some(job);
                while let Some(job) = next.take() {
                    if delivers.is_empty()
                        && let Err(e) = direct.run_plain(BEGIN)
                    {
                        failure = Some(e.to_string());
                        delivers.push(job(None).await.1);
                        break;
                    }
                    let (ok, deliver) = run_job(job, direct).await;
                    delivers.push(deliver);
                    if !ok {
                        direct.forget_queue_lists();
                    }
                    if let Err(e) = direct.run_plain(boundary(ok, delivers.len() == jobs)) {
                        failure = Some(e.to_string());
                        break;
                    }
                    if let Some(Job::Direct(job)) =
                        batch.next_if(|job| matches!(job, Job::Direct(_)))
                    {
                        next = Some(job);
                    }
                }
                drop(locked);
            }
        }
    }
    match failure {
        None => (delivers, Ok(())),
        Some(e) => {
            // The transaction could not begin, or the savepoint machinery or the commit
            // failed: give up the whole batch; the changes not run yet get the same answer.
            tracing::error!(error = %e, "write transaction failed");
            if let Some(direct) = direct.as_mut() {
                direct.forget_queue_lists();
            }
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            for job in batch {
                delivers.push(job.skip().await);
            }
            (delivers, Err(e))
        }
    }
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

    /// [`insert`] as a direct change ([`Db::write_direct`]).
    fn insert_direct(db: &Db, n: i64, fail: bool) -> impl Future<Output = Result<i64>> + use<'_> {
        db.write_direct(move |conn| {
            Box::pin(async move {
                conn.execute(
                    &["INSERT INTO t (n) VALUES (?)"],
                    Params::InOrder(&[n.into()]),
                )
                .await?;
                if fail {
                    return Err(HubError::BadRequest(format!("change {n} refused")));
                }
                Ok(n)
            })
        })
    }

    /// [`insert`] or [`insert_direct`].
    fn insert_by(db: &Db, direct: bool, n: i64, fail: bool) -> BoxFuture<'_, Result<i64>> {
        if direct {
            Box::pin(insert_direct(db, n, fail))
        } else {
            Box::pin(insert(db, n, fail))
        }
    }

    /// A new, empty hub database (the folder goes with the first).
    async fn fresh_db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = Db::open(dir.path()).await.unwrap_or_else(|e| panic!("{e}"));
        (dir, db)
    }

    /// A new database with the table `t` of [`insert`] (the folder goes with the first).
    async fn db_with_table() -> (tempfile::TempDir, Db) {
        let (dir, db) = fresh_db().await;
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
        (dir, db)
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
        let (_dir, _db) = fresh_db().await;
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
    /// alone: also when it is the first or the last of its batch, and whichever of the
    /// changes run on sqlx's connection and which directly.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_change_is_undone_alone_and_the_rest_of_its_batch_commits() {
        let (_dir, db) = db_with_table().await;
        let patterns = [
            [false, true, false],
            [true, false, false],
            [false, false, true],
            [true, true, true],
        ];
        let kinds = (0..8).map(|k: u8| [k & 1 != 0, k & 2 != 0, k & 4 != 0]);
        for (pattern, direct) in kinds.flat_map(|k| patterns.map(|p| (p, k))) {
            let base = stored(&db).await.len() as i64 * 10 + 100;
            // A slow change holds the writer so that the next three queue up behind it
            // and run as one batch.
            let hold = db.write(|_| {
                Box::pin(async move {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Ok(())
                })
            });
            let (held, a, b, c) = tokio::join!(
                hold,
                insert_by(&db, direct[0], base + 1, pattern[0]),
                insert_by(&db, direct[1], base + 2, pattern[1]),
                insert_by(&db, direct[2], base + 3, pattern[2]),
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
                        assert!(
                            rows.contains(&n),
                            "change {n} (direct: {direct:?}) was answered but not stored"
                        );
                    }
                    Err(e) => {
                        assert!(fail, "change {n} (direct: {direct:?}) failed: {e}");
                        assert!(e.to_string().contains("refused"), "{e}");
                        assert!(
                            !rows.contains(&n),
                            "refused change {n} (direct: {direct:?}) was stored"
                        );
                    }
                }
            }
        }
    }

    /// A fresh hub database (its folder kept alive by the first value) and the list of
    /// visits waiting on the day `INSERT_WAITING_VISIT` files them under.
    async fn hub_with_a_waiting_list() -> (tempfile::TempDir, Db, QueueList) {
        let (dir, db) = fresh_db().await;
        (dir, db, QueueList::new(visit_day(), &["waiting"], None))
    }

    /// The office day of the visits `INSERT_WAITING_VISIT` inserts.
    fn visit_day() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    /// How many queue lists the writer keeps.
    fn kept_lists(conn: &DirectConn) -> usize {
        conn.queue_lists
            .as_ref()
            .map_or(0, |lists| lists.lists.len())
    }

    /// Inserts a visit (id, number, revision) waiting on 2026-12-01.
    const INSERT_WAITING_VISIT: &str = "INSERT INTO visits (id, office_date, service, lane, \
        number, ticket, state, issued_at, updated_at, data, revision) \
        VALUES (?, '2026-12-01', 'new_passport', 'walk_in', ?, 'A001', 'waiting', '', '', '{}', ?)";

    /// The writer's kept queue list follows every change of a visit row, direct or on
    /// sqlx's connection, forgets what a rollback undoes (also rows it had already taken in
    /// before the rollback) and what another connection commits.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_kept_queue_list_follows_every_change_and_forgets_what_a_rollback_undoes() {
        let (dir, db, list) = hub_with_a_waiting_list().await;
        let listed = async |db: &Db| {
            let list = list.clone();
            db.write_direct(move |conn| Box::pin(async move { conn.queue_pairs(&list).await }))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let ids = |pairs: &[(i64, i64)]| pairs.iter().map(|(id, _)| *id).collect::<Vec<_>>();
        // Inserts visit `id` waiting; with `list_then_fail`, lists the queue (taking the new
        // row in) and then is refused.
        let insert = |id: i64, list_then_fail: bool| {
            let list = list.clone();
            db.write_direct(move |conn| {
                Box::pin(async move {
                    conn.execute(
                        &[INSERT_WAITING_VISIT],
                        Params::InOrder(&[id.into(), id.into(), (id * 7).into()]),
                    )
                    .await?;
                    if list_then_fail {
                        let pairs = conn.queue_pairs(&list).await?;
                        assert!(pairs.iter().any(|(i, _)| *i == id), "{pairs:?}");
                        return Err(HubError::BadRequest("refused".into()));
                    }
                    Ok(())
                })
            })
        };
        let set_state = |id: i64, state: &'static str| {
            db.write(move |tx| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE visits SET state = ?, revision = revision + 1 WHERE id = ?",
                    )
                    .bind(state)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    Ok(())
                })
            })
        };
        let ok = |r: Result<()>| r.unwrap_or_else(|e| panic!("{e}"));
        ok(insert(1, false).await);
        ok(insert(2, false).await);
        assert_eq!(ids(&listed(&db).await), [1, 2]);
        // Kept from now on: a new visit, and one that stops waiting (on sqlx's connection).
        ok(insert(3, false).await);
        ok(set_state(1, "called").await);
        assert_eq!(ids(&listed(&db).await), [2, 3]);
        // A change that takes its new row into the list and is then undone.
        assert!(insert(4, true).await.is_err());
        assert_eq!(ids(&listed(&db).await), [2, 3]);
        // Another connection's commit.
        let mut other = connect_options(&dir.path().join(DB_FILE_NAME))
            .connect()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("UPDATE visits SET state = 'closed' WHERE id = 2")
            .execute(&mut other)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        other.close().await.unwrap_or_else(|e| panic!("{e}"));
        ok(set_state(3, "waiting").await);
        let kept = listed(&db).await;
        assert_eq!(ids(&kept), [3]);
        // The same as a reader reads, revisions included.
        let read = db
            .read_inline(move |conn| Box::pin(async move { conn.queue_pairs(&list).await }))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, read);
        assert_eq!(read, [(3, 22)]);
    }

    /// A list once read is kept; a change that panics after taking its new row into the
    /// list, more changed rows than are kept track of, and more lists than are kept each
    /// make the writer forget its lists and read them again (a debug build would answer
    /// `Corrupt` for a kept list that differs from a read).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn kept_queue_lists_are_forgotten_after_a_panic_an_overflow_or_too_many_lists() {
        let (_dir, db, list) = hub_with_a_waiting_list().await;
        // Lists the queue and tells how many lists the writer keeps afterwards.
        let listed = async |db: &Db, list: QueueList| {
            db.write_direct(move |conn| {
                Box::pin(async move {
                    let pairs = conn.queue_pairs(&list).await?;
                    let kept = kept_lists(conn);
                    Ok((pairs.len(), kept))
                })
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"))
        };
        // Inserts visits `from..to` in one statement and tells how many lists are kept once
        // brought up to date.
        let insert_many = |from: i64, to: i64| {
            db.write_direct(move |conn| {
                Box::pin(async move {
                    conn.execute(
                        &["WITH RECURSIVE n(id) AS (SELECT ? UNION ALL SELECT id + 1 FROM n WHERE id + 1 < ?) \
                           INSERT INTO visits (id, office_date, service, lane, number, ticket, state, \
                           issued_at, updated_at, data, revision) \
                           SELECT id, '2026-12-01', 'new_passport', 'walk_in', id, 'A001', 'waiting', '', '', '{}', 1 FROM n"],
                        Params::InOrder(&[from.into(), to.into()]),
                    )
                    .await?;
                    conn.bring_queue_lists_up_to_date()?;
                    Ok(conn.queue_lists.as_ref().map_or(0, |l| l.lists.len()))
                })
            })
        };
        let ok = |r: Result<usize>| r.unwrap_or_else(|e| panic!("{e}"));
        ok(insert_many(1, 3).await);
        assert_eq!(listed(&db, list.clone()).await, (2, 1), "read and kept");
        assert_eq!(ok(insert_many(3, 4).await), 1, "a few rows keep the list");
        assert_eq!(listed(&db, list.clone()).await, (3, 1));
        let panics = {
            let list = list.clone();
            db.write_direct(move |conn| {
                Box::pin(async move {
                    conn.execute(
                        &[INSERT_WAITING_VISIT],
                        Params::InOrder(&[100.into(), 100.into(), 1.into()]),
                    )
                    .await?;
                    let pairs = conn.queue_pairs(&list).await?;
                    if pairs.len() == 4 {
                        panic!("a change panics on purpose with its row in the list");
                    }
                    Ok(0)
                })
            })
        };
        assert!(panics.await.is_err());
        assert_eq!(
            listed(&db, list.clone()).await,
            (3, 1),
            "the undone row is gone"
        );
        let most = VisitChanges::MOST as i64;
        assert_eq!(
            ok(insert_many(1000, 1001 + most).await),
            0,
            "overflow forgets"
        );
        assert_eq!(listed(&db, list.clone()).await, (most as usize + 4, 1));
        for (n, state) in [
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
        ]
        .into_iter()
        .enumerate()
        {
            let other = QueueList::new(visit_day(), &[state], None);
            assert_eq!(listed(&db, other).await, (0, n + 2));
        }
        let seventeenth = QueueList::new(visit_day(), &["p"], None);
        assert_eq!(
            listed(&db, seventeenth).await,
            (0, 1),
            "past the most lists, forgets"
        );
        assert_eq!(listed(&db, list).await, (most as usize + 4, 2));
    }

    /// A failed read of the changed rows, and (debug builds) a kept list found to differ
    /// from a read, each leave no list kept: their changed ids are gone, so a list kept
    /// on would miss them.
    #[cfg(debug_assertions)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn kept_queue_lists_are_forgotten_when_a_read_fails_or_a_check_finds_them_wrong() {
        let (_dir, db, list) = hub_with_a_waiting_list().await;
        let (failed, after_failure, wrong, after_wrong) = db
            .write_direct(move |conn| {
                Box::pin(async move {
                    conn.execute(
                        &[INSERT_WAITING_VISIT],
                        Params::InOrder(&[1.into(), 1.into(), 1.into()]),
                    )
                    .await?;
                    conn.queue_pairs(&list).await?;
                    assert_eq!(kept_lists(conn), 1);
                    // A revision that is not a number: reading the changed row fails.
                    conn.execute(
                        &[INSERT_WAITING_VISIT],
                        Params::InOrder(&[2.into(), 2.into(), "x".into()]),
                    )
                    .await?;
                    let failed = conn.queue_pairs(&list).await.is_err();
                    let after_failure = kept_lists(conn);
                    conn.execute(
                        &["UPDATE visits SET revision = 2 WHERE id = 2"],
                        Params::InOrder(&[]),
                    )
                    .await?;
                    conn.queue_pairs(&list).await?;
                    // A kept list damaged behind the writer's back.
                    if let Some(lists) = conn.queue_lists.as_mut()
                        && let Some(pairs) = lists.lists.get_mut(&list)
                    {
                        pairs.push((99, 1));
                    }
                    let wrong = matches!(conn.queue_pairs(&list).await, Err(HubError::Corrupt(_)));
                    let after_wrong = kept_lists(conn);
                    Ok((failed, after_failure, wrong, after_wrong))
                })
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(failed, "a revision that is not a number was read");
        assert_eq!(after_failure, 0, "kept after a failed read");
        assert!(wrong, "a damaged kept list was not noticed");
        assert_eq!(after_wrong, 0, "kept after the check found it wrong");
    }

    /// Past the most changed rows kept track of, the changes say so and record nothing more.
    #[test]
    fn too_many_changed_rows_stop_the_recording_and_say_so() {
        let mut changes = VisitChanges::default();
        changes.report(1);
        assert!(
            changes.ids.is_empty(),
            "nothing is recorded while no list is kept"
        );
        changes.recording = true;
        for id in 0..VisitChanges::MOST as i64 {
            changes.report(id);
        }
        assert!(!changes.overflow);
        changes.report(-1);
        assert!(changes.overflow && !changes.recording && changes.ids.is_empty());
    }

    /// A direct change whose statements want more values than it gives is refused with an
    /// error (not a panic) and undone; shared values serve every statement; the rows read
    /// are the same on either connection.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn direct_statements_take_their_values_in_order_or_shared() {
        let (_dir, db) = fresh_db().await;
        const READ: &[&str] = &["SELECT ?1 + 10, 'a', NULL", "SELECT ?1 + ?2, 2.5, x'00ff'"];
        let direct = db
            .write_direct(|conn| {
                Box::pin(async move {
                    conn.execute(
                        &["CREATE TABLE t (n INTEGER PRIMARY KEY)"],
                        Params::InOrder(&[]),
                    )
                    .await?;
                    conn.execute(
                        &[
                            "INSERT INTO t (n) VALUES (?), (?)",
                            "INSERT INTO t (n) VALUES (?)",
                        ],
                        Params::InOrder(&[1.into(), 2.into(), 3.into()]),
                    )
                    .await?;
                    conn.rows(READ, Params::Shared(&[5.into(), 6.into()])).await
                })
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        use rusqlite::types::Value;
        assert_eq!(
            direct,
            vec![
                OwnedRow(vec![
                    Value::Integer(15),
                    Value::Text("a".into()),
                    Value::Null
                ]),
                OwnedRow(vec![
                    Value::Integer(11),
                    Value::Real(2.5),
                    Value::Blob(vec![0, 255])
                ]),
            ]
        );
        let through_sqlx = db
            .write(|conn| {
                Box::pin(
                    async move { conn.rows(READ, Params::Shared(&[5.into(), 6.into()])).await },
                )
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(through_sqlx, direct);
        let short = db
            .write_direct(|conn| {
                Box::pin(async move {
                    conn.execute(
                        &[
                            "INSERT INTO t (n) VALUES (?)",
                            "INSERT INTO t (n) VALUES (?)",
                        ],
                        Params::InOrder(&[4.into()]),
                    )
                    .await
                })
            })
            .await;
        assert!(
            matches!(short, Err(HubError::Corrupt(ref m)) if m.contains("parameters")),
            "{short:?}"
        );
        let long = db
            .write_direct(|conn| {
                Box::pin(async move {
                    conn.execute(
                        &["INSERT INTO t (n) VALUES (?)"],
                        Params::InOrder(&[5.into(), 6.into()]),
                    )
                    .await
                })
            })
            .await;
        assert!(
            matches!(long, Err(HubError::Corrupt(ref m)) if m.contains("parameters")),
            "{long:?}"
        );
        assert_eq!(
            stored(&db).await,
            vec![1, 2, 3],
            "the refused change was undone"
        );
    }

    /// A read on the caller's thread sees what the writer committed, and cannot write.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn inline_reads_see_commits_and_cannot_write() {
        let (_dir, db) = db_with_table().await;
        let count = || {
            db.read_inline(|conn| {
                Box::pin(async move {
                    let rows = conn
                        .rows(&["SELECT COUNT(*) FROM t"], Params::InOrder(&[]))
                        .await?;
                    rows.first().map_or(Ok(-1), |row| row.at::<i64>(0))
                })
            })
        };
        assert_eq!(count().await.unwrap_or_else(|e| panic!("{e}")), 0);
        insert_direct(&db, 7, false)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(count().await.unwrap_or_else(|e| panic!("{e}")), 1);
        let write = db
            .read_inline(|conn| {
                Box::pin(async move {
                    conn.execute(&["INSERT INTO t (n) VALUES (8)"], Params::InOrder(&[]))
                        .await
                })
            })
            .await;
        assert!(write.is_err(), "an inline read wrote: {write:?}");
        assert_eq!(stored(&db).await, vec![7]);
    }

    /// A change that panics is undone, its caller gets an error, and the writer goes on
    /// with the rest of the batch and later ones, direct or not.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_change_is_undone_and_the_writer_goes_on() {
        let (_dir, db) = db_with_table().await;
        let hold = db.write(|_| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok(())
            })
        });
        let panics = db.write_direct(|conn| {
            Box::pin(async move {
                conn.execute(&["INSERT INTO t (n) VALUES (2)"], Params::InOrder(&[]))
                    .await?;
                if conn
                    .execute(&["SELECT 1"], Params::InOrder(&[]))
                    .await
                    .is_ok()
                {
                    panic!("a change panics on purpose");
                }
                Ok(())
            })
        });
        let (held, before, panicked, after) = tokio::join!(
            hold,
            insert(&db, 1, false),
            panics,
            insert_direct(&db, 3, false)
        );
        assert!(held.is_ok() && before.is_ok() && after.is_ok());
        assert!(panicked.is_err());
        assert_eq!(stored(&db).await, vec![1, 3]);
        insert_direct(&db, 4, false)
            .await
            .unwrap_or_else(|e| panic!("the writer stopped: {e}"));
        assert_eq!(stored(&db).await, vec![1, 3, 4]);
    }
}
