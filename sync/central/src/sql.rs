//! [`SqlStore`]: the one SQL implementation of [`CentralStore`], for SQLite (the default) and
//! PostgreSQL. It goes through sqlx's `Any` driver with SQL both dialects accept (`$n`
//! parameters, `ON CONFLICT`, `TEXT`/`BIGINT` columns), so the two backends cannot drift
//! apart. Blob bytes live in files under the data folder in both cases.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use loket_sync_protocol::{
    BlobStatus, Change, Event, EventAck, EventOutcome, FeedEntry, FeedPage, MAX_CLOCK_SKEW_SECS,
    OfficeAck, UploadEventsResponse, sha256_hex,
};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::store::{
    CentralStore, EffectCount, NonceCheck, Nonced, RequestNonce, StoreError, WholeBlob,
};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS offices (code TEXT PRIMARY KEY, token_sha256 TEXT, public_key TEXT, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nonces (office TEXT NOT NULL, nonce TEXT NOT NULL, unix BIGINT NOT NULL, PRIMARY KEY (office, nonce))",
    "CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, office TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, occurred_at TEXT NOT NULL, received_at TEXT NOT NULL, UNIQUE (office, seq))",
    "CREATE TABLE IF NOT EXISTS office_progress (office TEXT PRIMARY KEY, contiguous_seq BIGINT NOT NULL, events BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS effects (office TEXT NOT NULL, kind TEXT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (office, kind))",
    "CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, stored_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS blob_owners (office TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (office, sha256))",
    "CREATE TABLE IF NOT EXISTS changes (office TEXT NOT NULL, cursor BIGINT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (office, cursor))",
];

const BLOB_LOCK_SHARDS: usize = 64;

/// Events per multi-row insert (7 parameters each; SQLite allows 32766 per statement).
const EVENT_ROWS_PER_INSERT: usize = 500;

/// Most small writes (nonces, blob ownership) committed together in one transaction.
const MAX_GROUP: usize = 256;
/// Writer tasks on PostgreSQL (see [`group_writer`]).
const PG_WRITERS: usize = 4;
/// Old nonces are swept after about this many new ones.
const NONCE_SWEEP_EVERY: u64 = 1024;

/// SQL-backed central storage (SQLite or PostgreSQL) plus a blob folder.
///
/// The small writes every request makes (its nonce, and for a completed blob the ownership
/// rows) go through one writer task that commits whatever is queued in one transaction
/// ("group commit"): each request still waits until its own row is committed, but 150
/// offices no longer take the database's write lock once per request each.
pub struct SqlStore {
    pool: AnyPool,
    blob_dir: PathBuf,
    blob_locks: Vec<Mutex<()>>,
    /// Device keys as last read from the database. Only a hint: every nonce insert checks
    /// the key against the `offices` table in the same statement.
    keys: RwLock<HashMap<String, String>>,
    writer: mpsc::Sender<Job>,
    /// Nonces remembered since start, by the writer tasks and event uploads alike (old ones
    /// are swept every [`NONCE_SWEEP_EVERY`]).
    nonces_seen: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// A small write for the writer task.
enum Job {
    /// A request's nonce; with `owns`, the blobs (SHA-256, size) the same request stored,
    /// recorded as the office's only if the nonce is fresh.
    Nonce {
        office: String,
        key: String,
        nonce: String,
        unix: i64,
        owns: Vec<(String, i64)>,
        reply: oneshot::Sender<Result<NonceCheck, StoreError>>,
    },
    Own {
        office: String,
        sha256: String,
        size: i64,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
}

/// `($1, $2, ...), ($5, ...)` for `rows` rows of `width` parameters.
fn placeholders(rows: usize, width: usize, casts: &[&str]) -> String {
    let mut out = String::new();
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            let n = r * width + c + 1;
            match casts.get(c).filter(|t| !t.is_empty()) {
                Some(t) => out.push_str(&format!("CAST(${n} AS {t})")),
                None => out.push_str(&format!("${n}")),
            }
        }
        out.push(')');
    }
    out
}

/// Commits one group of small writes; answers each waiter.
async fn commit_group(pool: &AnyPool, jobs: Vec<Job>, sweep: bool) {
    let mut nonces = Vec::new();
    let mut nonce_owns = Vec::new();
    let mut owns = Vec::new();
    for job in jobs {
        match job {
            Job::Nonce {
                office,
                key,
                nonce,
                unix,
                owns,
                reply,
            } => {
                nonces.push((office, key, nonce, unix, reply));
                nonce_owns.push(owns);
            }
            Job::Own {
                office,
                sha256,
                size,
                reply,
            } => owns.push((office, sha256, size, reply)),
        }
    }
    let result: Result<Vec<NonceCheck>, StoreError> = async {
        let mut tx = pool.begin().await.map_err(db)?;
        if sweep {
            sweep_old_nonces(&mut tx).await?;
        }
        // The same nonce twice in one group: only its first use can be fresh.
        let mut seen = std::collections::HashSet::new();
        let is_first: Vec<bool> = nonces
            .iter()
            .map(|n| seen.insert((n.0.as_str(), n.2.as_str())))
            .collect();
        let mut unique: Vec<usize> = (0..nonces.len()).filter(|&i| is_first[i]).collect();
        // Rows in key order in every statement, tables always in the same order: concurrent
        // groups (PostgreSQL) wait on each other's keys but never deadlock.
        unique.sort_by(|&a, &b| (&nonces[a].0, &nonces[a].2).cmp(&(&nonces[b].0, &nonces[b].2)));
        let mut fresh = std::collections::HashSet::new();
        if !unique.is_empty() {
            // Inserted only while the signing key is still the office's key.
            let sql = format!(
                "INSERT INTO nonces (office, nonce, unix) SELECT v.column1, v.column2, v.column3 FROM (VALUES {}) AS v \
                 WHERE EXISTS (SELECT 1 FROM offices o WHERE o.code = v.column1 AND o.public_key = v.column4) \
                 ON CONFLICT DO NOTHING RETURNING office, nonce",
                placeholders(unique.len(), 4, &["TEXT", "TEXT", "BIGINT", "TEXT"])
            );
            // Only placeholders are generated; every value is bound.
            // Not kept as a prepared statement: the row count varies from call to call.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for &i in &unique {
                let n = &nonces[i];
                q = q.bind(n.0.clone()).bind(n.2.clone()).bind(n.3).bind(n.1.clone());
            }
            for row in q.fetch_all(&mut *tx).await.map_err(db)? {
                let office: String = row.try_get("office").map_err(db)?;
                let nonce: String = row.try_get("nonce").map_err(db)?;
                fresh.insert((office, nonce));
            }
        }
        let mut checks = Vec::with_capacity(nonces.len());
        let mut current: HashMap<String, Option<String>> = HashMap::new();
        for (i, (office, key, nonce, _, _)) in nonces.iter().enumerate() {
            if is_first[i] && fresh.contains(&(office.clone(), nonce.clone())) {
                checks.push(NonceCheck::Fresh);
                continue;
            }
            // Not inserted: a replay, or the key is no longer the office's (rare path).
            if !current.contains_key(office) {
                let k = office_public_key(&mut tx, office).await?;
                current.insert(office.clone(), k);
            }
            if current.get(office).and_then(|k| k.as_deref()) == Some(key.as_str()) {
                checks.push(NonceCheck::Replay);
            } else {
                checks.push(NonceCheck::KeyChanged);
            }
        }
        // Ownership rows: those asked alone, and those of requests whose nonce was fresh.
        let mut rows: Vec<(&str, &str, i64)> = owns
            .iter()
            .map(|o| (o.0.as_str(), o.1.as_str(), o.2))
            .collect();
        for ((n, check), blobs) in nonces.iter().zip(&checks).zip(&nonce_owns) {
            if *check == NonceCheck::Fresh {
                rows.extend(blobs.iter().map(|(sha, size)| (n.0.as_str(), sha.as_str(), *size)));
            }
        }
        if !rows.is_empty() {
            rows.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
            rows.dedup_by(|a, b| (a.0, a.1) == (b.0, b.1));
            let now = now_text();
            // One row per blob (two offices may own the same one).
            let mut blobs = rows.clone();
            blobs.dedup_by(|a, b| a.1 == b.1);
            let sql = format!(
                "INSERT INTO blobs (sha256, size, stored_at) VALUES {} ON CONFLICT DO NOTHING",
                placeholders(blobs.len(), 3, &["TEXT", "BIGINT", "TEXT"])
            );
            // Only placeholders are generated; every value is bound.
            // Not kept as a prepared statement: the row count varies from call to call.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for o in &blobs {
                q = q.bind(o.1.to_string()).bind(o.2).bind(now.clone());
            }
            q.execute(&mut *tx).await.map_err(db)?;
            let sql = format!(
                "INSERT INTO blob_owners (office, sha256) VALUES {} ON CONFLICT DO NOTHING",
                placeholders(rows.len(), 2, &[])
            );
            // Only placeholders are generated; every value is bound.
            // Not kept as a prepared statement: the row count varies from call to call.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            let mut by_owner = rows.clone();
            by_owner.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            for o in by_owner {
                q = q.bind(o.0.to_string()).bind(o.1.to_string());
            }
            q.execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(checks)
    }
    .await;
    match result {
        Ok(checks) => {
            for (n, check) in nonces.into_iter().zip(checks) {
                let _ = n.4.send(Ok(check));
            }
            for o in owns {
                let _ = o.3.send(Ok(()));
            }
        }
        Err(e) => {
            for n in nonces {
                let _ = n.4.send(Err(e.duplicate()));
            }
            for o in owns {
                let _ = o.3.send(Err(e.duplicate()));
            }
        }
    }
}

/// The office's registered device key (hex), if it has one.
async fn office_public_key(
    conn: &mut sqlx::AnyConnection,
    code: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT public_key FROM offices WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    match row {
        Some(r) => r.try_get::<Option<String>, _>("public_key").map_err(db),
        None => Ok(None),
    }
}

/// Deletes nonces older than twice the allowed clock skew: they can never be replayed
/// successfully (their timestamp is refused first).
async fn sweep_old_nonces(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM nonces WHERE unix < $1")
        .bind(Utc::now().timestamp() - 2 * MAX_CLOCK_SKEW_SECS)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    Ok(())
}

/// Counts `new` remembered nonces; true when they cross a multiple of
/// [`NONCE_SWEEP_EVERY`] (or are the first), i.e. when the caller should sweep.
fn nonce_sweep_due(seen: &std::sync::atomic::AtomicU64, new: u64) -> bool {
    let before = seen.fetch_add(new, std::sync::atomic::Ordering::Relaxed);
    before == 0 || before / NONCE_SWEEP_EVERY != (before + new) / NONCE_SWEEP_EVERY
}

/// A writer task: takes whatever is queued (up to [`MAX_GROUP`]) and commits it at once.
/// SQLite runs one (it has one writer anyway); PostgreSQL a few, so that one group's
/// commit (its fsync) overlaps the next group's statements.
async fn group_writer(
    pool: AnyPool,
    jobs: std::sync::Arc<Mutex<mpsc::Receiver<Job>>>,
    nonces_seen: std::sync::Arc<std::sync::atomic::AtomicU64>,
) {
    loop {
        let group = {
            let mut jobs = jobs.lock().await;
            let Some(job) = jobs.recv().await else {
                return;
            };
            let mut group = vec![job];
            while group.len() < MAX_GROUP {
                match jobs.try_recv() {
                    Ok(j) => group.push(j),
                    Err(_) => break,
                }
            }
            group
        };
        let nonces = group
            .iter()
            .filter(|j| matches!(j, Job::Nonce { .. }))
            .count() as u64;
        let sweep = nonce_sweep_due(&nonces_seen, nonces);
        commit_group(&pool, group, sweep).await;
    }
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn db(e: sqlx::Error) -> StoreError {
    StoreError::from(e)
}

impl SqlStore {
    /// Opens (creating if needed) the SQLite database `central.sqlite` in `data_dir`.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self, StoreError> {
        tokio::fs::create_dir_all(data_dir).await?;
        let path = data_dir.join("central.sqlite");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self::open(&url, data_dir).await
    }

    /// Opens the database at `url` (`sqlite://...` or `postgres://...`), creating the
    /// tables if needed; blobs go to `data_dir/blobs`.
    pub async fn open(url: &str, data_dir: &Path) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let is_sqlite = url.starts_with("sqlite:");
        // SQLite takes one writer at a time; one connection avoids lock upgrades failing
        // with SQLITE_BUSY under many concurrent offices.
        let options = if is_sqlite {
            // A local file: a connection cannot break, so no ping before each use.
            AnyPoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::query("PRAGMA journal_mode=WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous=NORMAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout=10000")
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    })
                })
        } else {
            AnyPoolOptions::new().max_connections(16)
        };
        let pool = options.connect(url).await.map_err(db)?;
        for ddl in SCHEMA {
            sqlx::query(*ddl).execute(&pool).await.map_err(db)?;
        }
        let blob_dir = data_dir.join("blobs");
        tokio::fs::create_dir_all(blob_dir.join("partial")).await?;
        let (writer, jobs) = mpsc::channel(4 * MAX_GROUP);
        let jobs = std::sync::Arc::new(Mutex::new(jobs));
        let nonces_seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        for _ in 0..if is_sqlite { 1 } else { PG_WRITERS } {
            tokio::spawn(group_writer(
                pool.clone(),
                jobs.clone(),
                nonces_seen.clone(),
            ));
        }
        Ok(SqlStore {
            pool,
            blob_dir,
            blob_locks: (0..BLOB_LOCK_SHARDS).map(|_| Mutex::new(())).collect(),
            keys: RwLock::new(HashMap::new()),
            writer,
            nonces_seen,
        })
    }

    /// Closes the pool (waits for connections to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    fn final_path(&self, sha: &str) -> PathBuf {
        self.blob_dir.join(&sha[..2]).join(sha)
    }

    fn partial_path(&self, sha: &str) -> PathBuf {
        self.blob_dir.join("partial").join(sha)
    }

    fn lock_for(&self, sha: &str) -> &Mutex<()> {
        let shard = usize::from_str_radix(&sha[..2], 16).unwrap_or(0) % BLOB_LOCK_SHARDS;
        &self.blob_locks[shard]
    }

    async fn status_unlocked(&self, sha: &str) -> Result<BlobStatus, StoreError> {
        if let Ok(meta) = tokio::fs::metadata(self.final_path(sha)).await {
            return Ok(BlobStatus {
                sha256: sha.to_string(),
                received: meta.len(),
                size: Some(meta.len()),
                complete: true,
            });
        }
        let received = match tokio::fs::metadata(self.partial_path(sha)).await {
            Ok(meta) => meta.len(),
            Err(_) => 0,
        };
        Ok(BlobStatus {
            sha256: sha.to_string(),
            received,
            size: None,
            complete: false,
        })
    }

    async fn own_blob(&self, code: &str, sha: &str, size: u64) -> Result<(), StoreError> {
        let size = i64::try_from(size).map_err(|_| StoreError::Other("blob too large".into()))?;
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Own {
            office: code.to_string(),
            sha256: sha.to_string(),
            size,
            reply,
        })
        .await?;
        answer.await.map_err(|_| writer_gone())?
    }

    /// Moves a verified partial file into place (the caller records the owner).
    async fn complete(
        &self,
        sha256: &str,
        partial: &Path,
        total: u64,
    ) -> Result<BlobStatus, StoreError> {
        let final_path = self.final_path(sha256);
        if let Some(dir) = final_path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::rename(partial, &final_path).await?;
        Ok(BlobStatus {
            sha256: sha256.to_string(),
            received: total,
            size: Some(total),
            complete: true,
        })
    }

    /// Stores a batch of events, with `nonce` remembered first in the same transaction.
    async fn append_events_in(
        &self,
        code: &str,
        nonce: Option<&RequestNonce>,
        events: &[Event],
    ) -> Result<Nonced<UploadEventsResponse>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if let Some(n) = nonce {
            // As in the writer's group: only while the signing key is still the office's.
            let kept = sqlx::query(
                "INSERT INTO nonces (office, nonce, unix) SELECT $1, $2, $3 \
                 WHERE EXISTS (SELECT 1 FROM offices o WHERE o.code = $1 AND o.public_key = $4) \
                 ON CONFLICT DO NOTHING RETURNING office",
            )
            .bind(code)
            .bind(n.nonce.as_str())
            .bind(n.unix)
            .bind(n.key.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            if kept.is_none() {
                let current = office_public_key(&mut tx, code).await?;
                tx.rollback().await.map_err(db)?;
                if current.as_deref() == Some(n.key.as_str()) {
                    return Ok(Nonced::Replay);
                }
                self.forget_key(code);
                return Ok(Nonced::KeyChanged);
            }
            if nonce_sweep_due(&self.nonces_seen, 1) {
                sweep_old_nonces(&mut tx).await?;
            }
        }
        sqlx::query(
            "INSERT INTO office_progress (office, contiguous_seq, events) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING",
        )
        .bind(code)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let received_at = now_text();
        // Every acceptable event in multi-row inserts (in order, so the first of two
        // events with one id or one seq is the one stored); the ids that went in come back.
        let candidates: Vec<&Event> = events
            .iter()
            .filter(|ev| refusal(code, ev).is_none())
            .collect();
        let mut inserted: std::collections::HashSet<String> = std::collections::HashSet::new();
        for part in candidates.chunks(EVENT_ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO events (event_id, office, seq, kind, payload, occurred_at, received_at) VALUES {} ON CONFLICT DO NOTHING RETURNING event_id",
                placeholders(part.len(), 7, &[])
            );
            // Only placeholders are generated; every value is bound.
            // Not kept as a prepared statement: the row count varies from call to call.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
            for ev in part {
                q = q
                    .bind(ev.event_id.to_string())
                    .bind(code.to_string())
                    .bind(ev.seq)
                    .bind(ev.kind.clone())
                    .bind(ev.payload.to_string())
                    .bind(ev.occurred_at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
                    .bind(received_at.clone());
            }
            for row in q.fetch_all(&mut *tx).await.map_err(db)? {
                inserted.insert(row.try_get("event_id").map_err(db)?);
            }
        }
        let mut acks = Vec::with_capacity(events.len());
        let mut applied = 0i64;
        let mut effects: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
        for ev in events {
            let ack = |outcome, reason| EventAck {
                event_id: ev.event_id,
                seq: ev.seq,
                outcome,
                reason,
            };
            if let Some(reason) = refusal(code, ev) {
                acks.push(ack(EventOutcome::Rejected, Some(reason)));
                continue;
            }
            // `remove`: a second event with the same id in this batch is not the one stored.
            if inserted.remove(&ev.event_id.to_string()) {
                *effects.entry(ev.kind.as_str()).or_default() += 1;
                applied += 1;
                acks.push(ack(EventOutcome::Applied, None));
                continue;
            }
            let existing = sqlx::query(
                "SELECT event_id, office, seq, kind, payload, occurred_at FROM events WHERE event_id = $1",
            )
            .bind(ev.event_id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            let outcome = match existing {
                Some(row) => {
                    let office: String = row.try_get("office").map_err(db)?;
                    let stored = row_event(&row)?;
                    if office == code && stored == *ev {
                        ack(EventOutcome::Duplicate, None)
                    } else {
                        ack(
                            EventOutcome::Rejected,
                            Some("event_id sudah dipakai dengan isi lain. / event_id reused with different content.".into()),
                        )
                    }
                }
                None => ack(
                    EventOutcome::Rejected,
                    Some(
                        "seq sudah dipakai peristiwa lain. / seq already used by another event."
                            .into(),
                    ),
                ),
            };
            acks.push(outcome);
        }
        // Each stored event's effect, counted once per kind, in the same transaction.
        for (kind, count) in effects {
            sqlx::query(
                "INSERT INTO effects (office, kind, count) VALUES ($1, $2, $3) ON CONFLICT (office, kind) DO UPDATE SET count = effects.count + excluded.count",
            )
            .bind(code)
            .bind(kind)
            .bind(count)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        let row = sqlx::query("SELECT contiguous_seq FROM office_progress WHERE office = $1")
            .bind(code)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        let mut contiguous: i64 = row.try_get("contiguous_seq").map_err(db)?;
        loop {
            let rows = sqlx::query(
                "SELECT seq FROM events WHERE office = $1 AND seq > $2 ORDER BY seq LIMIT 1000",
            )
            .bind(code)
            .bind(contiguous)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            let mut walked = 0usize;
            for r in &rows {
                let seq: i64 = r.try_get("seq").map_err(db)?;
                if seq != contiguous + 1 {
                    break;
                }
                contiguous = seq;
                walked += 1;
            }
            if walked < 1000 {
                break;
            }
        }
        sqlx::query(
            "UPDATE office_progress SET contiguous_seq = $1, events = events + $2 WHERE office = $3",
        )
        .bind(contiguous)
        .bind(applied)
        .bind(code)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Nonced::Done(UploadEventsResponse {
            acks,
            contiguous_seq: contiguous,
        }))
    }

    /// Writes bytes `start..` of a `total`-byte blob to its file (whole or appended to the
    /// partial copy), hash-checked when complete. Ownership is the caller's to record.
    async fn write_blob_bytes(
        &self,
        sha256: &str,
        start: u64,
        bytes: &[u8],
        total: u64,
    ) -> Result<BlobStatus, StoreError> {
        let _guard = self.lock_for(sha256).lock().await;
        if start == 0 && bytes.len() as u64 == total {
            // The whole blob in one request (photos and prints): one trip to the blocking
            // pool checks what central holds, verifies the hash on the bytes in hand,
            // writes, fsyncs and moves the file into place (no read back).
            let final_path = self.final_path(sha256);
            let partial = self.partial_path(sha256);
            let data = bytes.to_vec();
            let sha = sha256.to_string();
            let written = tokio::task::spawn_blocking(move || {
                write_whole_blob(&final_path, &partial, &sha, &data)
            })
            .await
            .map_err(|e| StoreError::Other(e.to_string()))??;
            if let Some(size) = written {
                return Ok(BlobStatus {
                    sha256: sha256.to_string(),
                    received: size,
                    size: Some(size),
                    complete: true,
                });
            }
        }
        let status = self.status_unlocked(sha256).await?;
        if status.complete {
            return Ok(status);
        }
        if start > status.received {
            return Err(StoreError::RangeMismatch(status));
        }
        let partial = self.partial_path(sha256);
        let skip = usize::try_from(status.received - start).unwrap_or(usize::MAX);
        let mut received = status.received;
        if skip < bytes.len() {
            let fresh = &bytes[skip..];
            if received + fresh.len() as u64 > total {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(StoreError::HashMismatch);
            }
            let mut file = tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&partial)
                .await?;
            if let Err(e) = async {
                file.write_all(fresh).await?;
                file.sync_data().await
            }
            .await
            {
                // Keep what was written before this chunk so the office resumes from there.
                let _ = file.set_len(status.received).await;
                return Err(e.into());
            }
            received += fresh.len() as u64;
        }
        if received < total {
            return Ok(BlobStatus {
                sha256: sha256.to_string(),
                received,
                size: None,
                complete: false,
            });
        }
        let content = tokio::fs::read(&partial).await.unwrap_or_default();
        if sha256_hex(&content) != sha256 {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(StoreError::HashMismatch);
        }
        self.complete(sha256, &partial, total).await
    }

    /// Remembers a request's nonce (see [`Job::Nonce`]), with the blobs it stored.
    async fn nonce_with_owns(
        &self,
        code: &str,
        nonce: &RequestNonce,
        owns: Vec<(String, i64)>,
    ) -> Result<NonceCheck, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Nonce {
            office: code.to_string(),
            key: nonce.key.clone(),
            nonce: nonce.nonce.clone(),
            unix: nonce.unix,
            owns,
            reply,
        })
        .await?;
        let check = answer.await.map_err(|_| writer_gone())??;
        if check == NonceCheck::KeyChanged {
            self.forget_key(code);
        }
        Ok(check)
    }

    async fn submit(&self, job: Job) -> Result<(), StoreError> {
        self.writer.send(job).await.map_err(|_| writer_gone())
    }

    fn forget_key(&self, code: &str) {
        if let Ok(mut keys) = self.keys.write() {
            keys.remove(code);
        }
    }
}

/// Stores a blob sent whole (blocking; runs on the blocking pool). `Some(size)` when
/// central holds it complete afterwards (written now, or already there); `None` when a
/// partial copy exists (the chunked path takes over).
fn write_whole_blob(
    final_path: &Path,
    partial: &Path,
    sha256: &str,
    data: &[u8],
) -> Result<Option<u64>, StoreError> {
    use std::io::Write;
    if let Ok(meta) = std::fs::metadata(final_path) {
        return Ok(Some(meta.len()));
    }
    if std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0) > 0 {
        return Ok(None);
    }
    if sha256_hex(data) != sha256 {
        return Err(StoreError::HashMismatch);
    }
    let written = std::fs::File::create(partial).and_then(|mut file| {
        file.write_all(data)?;
        file.sync_data()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(partial);
        return Err(e.into());
    }
    if let Some(dir) = final_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::rename(partial, final_path)?;
    Ok(Some(data.len() as u64))
}

fn writer_gone() -> StoreError {
    StoreError::Other("penulis basis data berhenti / the database writer stopped".into())
}

/// Why an event is refused outright, if it is.
fn refusal(code: &str, ev: &Event) -> Option<String> {
    if ev.seq < 1 {
        return Some("seq harus >= 1. / seq must be >= 1.".into());
    }
    if ev.kind.trim().is_empty() {
        return Some("Jenis peristiwa kosong. / Empty event kind.".into());
    }
    // Hubs name their office `office_code` in every payload; other writers `office`.
    if let Some(other) = ["office", "office_code"]
        .iter()
        .filter_map(|k| ev.payload.get(*k).and_then(|v| v.as_str()))
        .find(|other| *other != code)
    {
        return Some(format!(
            "Data milik kantor {other}, bukan {code}: ditolak. / Data belongs to office {other}, not {code}: refused."
        ));
    }
    None
}

fn row_event(row: &AnyRow) -> Result<Event, StoreError> {
    let bad = |what: &str| StoreError::Other(format!("stored event has a bad {what}"));
    let event_id: String = row.try_get("event_id").map_err(db)?;
    let payload: String = row.try_get("payload").map_err(db)?;
    let occurred_at: String = row.try_get("occurred_at").map_err(db)?;
    Ok(Event {
        seq: row.try_get("seq").map_err(db)?,
        event_id: event_id.parse().map_err(|_| bad("event_id"))?,
        kind: row.try_get("kind").map_err(db)?,
        payload: serde_json::from_str(&payload).map_err(|_| bad("payload"))?,
        occurred_at: DateTime::parse_from_rfc3339(&occurred_at)
            .map_err(|_| bad("occurred_at"))?
            .with_timezone(&Utc),
    })
}

#[async_trait]
impl CentralStore for SqlStore {
    async fn add_office(
        &self,
        code: &str,
        token_sha256: &str,
        rotate: bool,
    ) -> Result<(), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO offices (code, token_sha256, public_key, created_at) VALUES ($1, $2, NULL, $3) ON CONFLICT DO NOTHING",
        )
        .bind(code)
        .bind(token_sha256)
        .bind(now_text())
        .execute(&self.pool)
        .await
        .map_err(db)?
        .rows_affected();
        if inserted == 1 {
            return Ok(());
        }
        if !rotate {
            return Err(StoreError::OfficeExists(code.to_string()));
        }
        self.forget_key(code);
        sqlx::query("UPDATE offices SET token_sha256 = $1 WHERE code = $2")
            .bind(token_sha256)
            .bind(code)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn enrol(
        &self,
        code: &str,
        token_sha256: &str,
        public_key: &str,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE offices SET public_key = $1, token_sha256 = NULL WHERE code = $2 AND token_sha256 = $3",
        )
        .bind(public_key)
        .bind(code)
        .bind(token_sha256)
        .execute(&self.pool)
        .await
        .map_err(db)?
        .rows_affected();
        self.forget_key(code);
        if done == 1 {
            Ok(())
        } else {
            Err(StoreError::BadToken)
        }
    }

    async fn office_key(&self, code: &str) -> Result<Option<String>, StoreError> {
        let cached = self
            .keys
            .read()
            .ok()
            .and_then(|keys| keys.get(code).cloned());
        match cached {
            Some(key) => Ok(Some(key)),
            None => self.office_key_uncached(code).await,
        }
    }

    async fn office_key_uncached(&self, code: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let key = office_public_key(&mut conn, code).await?;
        if let Ok(mut keys) = self.keys.write() {
            match &key {
                Some(k) => keys.insert(code.to_string(), k.clone()),
                None => keys.remove(code),
            };
        }
        Ok(key)
    }

    async fn remember_nonce(
        &self,
        code: &str,
        key: &str,
        nonce: &str,
        unix: i64,
    ) -> Result<NonceCheck, StoreError> {
        let nonce = RequestNonce {
            key: key.to_string(),
            nonce: nonce.to_string(),
            unix,
        };
        self.nonce_with_owns(code, &nonce, Vec::new()).await
    }

    async fn append_events_signed(
        &self,
        code: &str,
        nonce: &RequestNonce,
        events: &[Event],
    ) -> Result<Nonced<UploadEventsResponse>, StoreError> {
        self.append_events_in(code, Some(nonce), events).await
    }

    async fn append_events(
        &self,
        code: &str,
        events: &[Event],
    ) -> Result<UploadEventsResponse, StoreError> {
        match self.append_events_in(code, None, events).await? {
            Nonced::Done(response) => Ok(response),
            // Without a nonce there is nothing to refuse.
            Nonced::Replay | Nonced::KeyChanged => {
                Err(StoreError::Other("nonce refused without a nonce".into()))
            }
        }
    }

    async fn office_ack(&self, code: &str) -> Result<OfficeAck, StoreError> {
        let row =
            sqlx::query("SELECT contiguous_seq, events FROM office_progress WHERE office = $1")
                .bind(code)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        let (contiguous_seq, events) = match row {
            Some(r) => (
                r.try_get("contiguous_seq").map_err(db)?,
                r.try_get("events").map_err(db)?,
            ),
            None => (0, 0),
        };
        Ok(OfficeAck {
            office: code.to_string(),
            contiguous_seq,
            events,
        })
    }

    async fn events(&self, code: &str) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT event_id, seq, kind, payload, occurred_at FROM events WHERE office = $1 ORDER BY seq",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(row_event).collect()
    }

    async fn effects(&self, code: &str) -> Result<Vec<EffectCount>, StoreError> {
        let rows = sqlx::query("SELECT kind, count FROM effects WHERE office = $1 ORDER BY kind")
            .bind(code)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(EffectCount {
                    kind: r.try_get("kind").map_err(db)?,
                    count: r.try_get("count").map_err(db)?,
                })
            })
            .collect()
    }

    async fn blob_status(&self, sha256: &str) -> Result<BlobStatus, StoreError> {
        let _guard = self.lock_for(sha256).lock().await;
        self.status_unlocked(sha256).await
    }

    async fn blob_write(
        &self,
        code: &str,
        sha256: &str,
        start: u64,
        bytes: &[u8],
        total: u64,
    ) -> Result<BlobStatus, StoreError> {
        let status = self.write_blob_bytes(sha256, start, bytes, total).await?;
        if status.complete {
            self.own_blob(code, sha256, status.received).await?;
        }
        Ok(status)
    }

    async fn blob_batch_write(
        &self,
        code: &str,
        nonce: &RequestNonce,
        blobs: &[WholeBlob<'_>],
    ) -> Result<Nonced<Vec<Result<BlobStatus, StoreError>>>, StoreError> {
        let writes = blobs
            .iter()
            .map(|b| self.write_blob_bytes(b.sha256, 0, b.bytes, b.size));
        let results = futures_util::future::join_all(writes).await;
        let owns = results
            .iter()
            .zip(blobs)
            .filter_map(|(r, b)| match r {
                Ok(status) if status.complete => Some((b.sha256.to_string(), status.received)),
                _ => None,
            })
            .map(|(sha, size)| {
                i64::try_from(size)
                    .map(|size| (sha, size))
                    .map_err(|_| StoreError::Other("blob too large".into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let check = self.nonce_with_owns(code, nonce, owns).await?;
        Ok(match Nonced::from(check) {
            Nonced::Done(()) => Nonced::Done(results),
            Nonced::Replay => Nonced::Replay,
            Nonced::KeyChanged => Nonced::KeyChanged,
        })
    }

    async fn blob_read(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match tokio::fs::read(self.final_path(sha256)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn office_blobs(&self, code: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT sha256 FROM blob_owners WHERE office = $1 ORDER BY sha256")
            .bind(code)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| r.try_get("sha256").map_err(db))
            .collect()
    }

    async fn publish(&self, code: &str, change: &Change) -> Result<i64, StoreError> {
        let body = serde_json::to_string(change).map_err(|e| StoreError::Other(e.to_string()))?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row =
            sqlx::query("SELECT COALESCE(MAX(cursor), 0) AS top FROM changes WHERE office = $1")
                .bind(code)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        let cursor: i64 = row.try_get::<i64, _>("top").map_err(db)? + 1;
        sqlx::query(
            "INSERT INTO changes (office, cursor, body, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(code)
        .bind(cursor)
        .bind(body)
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(cursor)
    }

    async fn feed(&self, code: &str, after: i64, limit: i64) -> Result<FeedPage, StoreError> {
        let limit = limit.clamp(1, 1000);
        let rows = sqlx::query(
            "SELECT cursor, body FROM changes WHERE office = $1 AND cursor > $2 ORDER BY cursor LIMIT $3 + 0",
        )
        .bind(code)
        .bind(after)
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let more = rows.len() as i64 > limit;
        let mut changes = Vec::new();
        for r in rows.iter().take(limit as usize) {
            let body: String = r.try_get("body").map_err(db)?;
            changes.push(FeedEntry {
                cursor: r.try_get("cursor").map_err(db)?,
                change: serde_json::from_str(&body)
                    .map_err(|e| StoreError::Other(format!("stored change: {e}")))?,
            });
        }
        let next_cursor = changes.last().map(|c| c.cursor).unwrap_or(after);
        Ok(FeedPage {
            changes,
            next_cursor,
            more,
        })
    }
}
