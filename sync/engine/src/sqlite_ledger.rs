//! [`SqliteLedger`]: [`OfficeLedger`] on the hub's SQLite database. It reads the hub's
//! `outbox` table (never writes it except to append `sync.conflict` events) and keeps its
//! own state in `sync_*` tables it creates itself. On a hub database (one with the hub's
//! `bookings` table) bookings from the change feed also land in the hub's `bookings` and
//! `applicants` tables, in the same transaction as the feed cursor, so check-in sees them.
//!
//! Every write transaction starts with `BEGIN IMMEDIATE`: the hub's writer and the engine
//! take the database's write lock in turn (each waits on the busy timeout) instead of one
//! of them failing on a lock upgrade.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use loket_sync_protocol::{Change, Event, EventAck, EventOutcome, FeedEntry, sha256_hex};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::bookings::{BookingMapError, to_domain};
use crate::conflict::{Decision, LocalBooking, decide};
use crate::ledger::{
    ApplyReport, ItemError, LedgerError, LinkRecord, OfficeLedger, Pending, PendingBlob,
};

/// The hub's outbox, as the hub creates it. [`SqliteLedger`] never creates it on a hub
/// database; tests and stand-alone set-ups call [`SqliteLedger::create_outbox`].
pub const OUTBOX_DDL: &str = "CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TEXT NOT NULL)";

/// The engine's own tables (all `sync_` prefixed), created if missing.
pub const SYNC_DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sync_blobs (sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, registered_at TEXT NOT NULL, uploaded_at TEXT)",
    "CREATE INDEX IF NOT EXISTS sync_blobs_pending ON sync_blobs (uploaded_at, registered_at)",
    "CREATE TABLE IF NOT EXISTS sync_errors (item TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sync_bookings (booking_id TEXT PRIMARY KEY, body TEXT NOT NULL, cancelled INTEGER NOT NULL DEFAULT 0, payment TEXT NOT NULL, hold TEXT, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sync_reference (key TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sync_conflicts (id INTEGER PRIMARY KEY AUTOINCREMENT, booking_id TEXT NOT NULL, rule TEXT NOT NULL, cursor INTEGER NOT NULL, change TEXT NOT NULL, at TEXT NOT NULL)",
];

/// Outbox kind of the event that tells central about a conflict.
pub const CONFLICT_EVENT_KIND: &str = "sync.conflict";

/// A conflict kept for the supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictRecord {
    /// The booking.
    pub booking_id: String,
    /// Which rule fired (`ConflictRule::as_str`).
    pub rule: String,
    /// Feed cursor of the change.
    pub cursor: i64,
}

/// A downloaded booking as the ledger keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBooking {
    /// The booking as last applied.
    pub booking: loket_sync_protocol::Booking,
    /// Cancelled centrally (and applied).
    pub cancelled: bool,
    /// Current payment state.
    pub payment: String,
    /// A conflict rule holding the visit, if any.
    pub hold: Option<String>,
}

/// Opens the sealed part of an outbox payload before upload. The hub keeps personal data
/// of an event (a signed BAP) sealed under the payload's `"sealed"` key; the process that
/// runs the engine for a hub gives the ledger an opener holding the hub's seal key
/// (`loket hub`, `loket sync run`). Central receives the opened payload.
pub trait PayloadOpener: Send + Sync {
    /// The payload as central must receive it (`payload` has a `"sealed"` key).
    /// `Err` says why it cannot be opened (no personal data in the text).
    fn open(&self, event_id: &str, payload: serde_json::Value)
    -> Result<serde_json::Value, String>;
}

/// The key under which an outbox payload keeps its sealed part.
pub const SEALED_PAYLOAD_KEY: &str = "sealed";

/// The SQLite implementation of [`OfficeLedger`].
#[derive(Clone)]
pub struct SqliteLedger {
    pool: SqlitePool,
    opener: Option<std::sync::Arc<dyn PayloadOpener>>,
    /// Files of the blobs last listed as pending (a blob's path never changes once
    /// registered), so reading one for upload needs no query.
    paths: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
}

impl std::fmt::Debug for SqliteLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLedger")
            .field("pool", &self.pool)
            .field("opener", &self.opener.is_some())
            .finish()
    }
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

impl SqliteLedger {
    /// Opens the hub database file (creating the file if missing) and the `sync_` tables.
    pub async fn open(db_path: &Path) -> Result<Self, LedgerError> {
        let options = SqliteConnectOptions::new()
            .filename(db_path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            // A local file: a connection cannot break, so no ping before each use.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Self::from_pool(pool).await
    }

    /// Uses a pool the hub already has (same database), creating the `sync_` tables.
    pub async fn from_pool(pool: SqlitePool) -> Result<Self, LedgerError> {
        for ddl in SYNC_DDL {
            sqlx::query(*ddl).execute(&pool).await?;
        }
        // Added after the first release: when a confirmed blob's local copy was deleted.
        let has_purged: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pragma_table_info('sync_blobs') WHERE name = 'purged_at'",
        )
        .fetch_one(&pool)
        .await?;
        if has_purged == 0 {
            sqlx::query("ALTER TABLE sync_blobs ADD COLUMN purged_at TEXT")
                .execute(&pool)
                .await?;
        }
        Ok(SqliteLedger {
            pool,
            opener: None,
            paths: Default::default(),
        })
    }

    /// Opens sealed outbox payloads with `opener` before upload. Without one, an event with
    /// a sealed payload stops the upload with [`LedgerError::Sealed`].
    pub fn with_opener(mut self, opener: std::sync::Arc<dyn PayloadOpener>) -> Self {
        self.opener = Some(opener);
        self
    }

    /// Whether a blob's local copy was purged (after central confirmed it); `None` for a
    /// blob this ledger does not know.
    pub async fn blob_purged(&self, sha256: &str) -> Result<Option<bool>, LedgerError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT purged_at FROM sync_blobs WHERE sha256 = ?")
                .bind(sha256)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(purged,)| purged.is_some()))
    }

    /// The pool (for the hub's glue and for tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Creates the hub's outbox table if missing (tests and stand-alone use only).
    pub async fn create_outbox(&self) -> Result<(), LedgerError> {
        sqlx::query(OUTBOX_DDL).execute(&self.pool).await?;
        Ok(())
    }

    /// Appends an event to the outbox the way the hub does (tests and tools).
    pub async fn append_event(
        &self,
        kind: &str,
        payload: &serde_json::Value,
    ) -> Result<i64, LedgerError> {
        let row = sqlx::query(
            "INSERT INTO outbox (event_id, kind, payload, occurred_at) VALUES (?, ?, ?, ?) RETURNING seq",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(kind)
        .bind(payload.to_string())
        .bind(now_text())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("seq")?)
    }

    /// Registers a file (a photo, a print) for upload; returns its SHA-256. Registering the
    /// same content twice is harmless (deduplicated by hash).
    pub async fn register_blob(&self, path: &Path) -> Result<String, LedgerError> {
        let unreadable = |e: std::io::Error| LedgerError::BlobUnreadable {
            sha256: String::new(),
            reason: e.to_string(),
        };
        let bytes = tokio::fs::read(path).await.map_err(unreadable)?;
        let sha = sha256_hex(&bytes);
        let path_text = path
            .to_str()
            .ok_or_else(|| LedgerError::Corrupt("blob path is not UTF-8".into()))?;
        sqlx::query(
            "INSERT INTO sync_blobs (sha256, path, size, registered_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha)
        .bind(path_text)
        .bind(bytes.len() as i64)
        .bind(now_text())
        .execute(&self.pool)
        .await?;
        Ok(sha)
    }

    /// All outbox events (for checks).
    pub async fn all_events(&self) -> Result<Vec<Event>, LedgerError> {
        self.events_after(0, usize::MAX >> 1).await
    }

    /// A downloaded booking (kept by its normalized code, as the hub compares codes).
    pub async fn booking(&self, booking_id: &str) -> Result<Option<StoredBooking>, LedgerError> {
        let row = sqlx::query(
            "SELECT body, cancelled, payment, hold FROM sync_bookings WHERE booking_id = ?",
        )
        .bind(loket_domain::normalize_booking_code(booking_id))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let body: String = row.try_get("body")?;
        Ok(Some(StoredBooking {
            booking: serde_json::from_str(&body)
                .map_err(|e| LedgerError::Corrupt(e.to_string()))?,
            cancelled: row.try_get::<i64, _>("cancelled")? != 0,
            payment: row.try_get("payment")?,
            hold: row.try_get("hold")?,
        }))
    }

    /// A reference document (`fee_table:<date>`, `quota:<date>:<service>`,
    /// `office_settings`).
    pub async fn reference(&self, key: &str) -> Result<Option<serde_json::Value>, LedgerError> {
        let row = sqlx::query("SELECT body FROM sync_reference WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => {
                let body: String = r.try_get("body")?;
                Ok(Some(
                    serde_json::from_str(&body).map_err(|e| LedgerError::Corrupt(e.to_string()))?,
                ))
            }
            None => Ok(None),
        }
    }

    /// The conflicts recorded so far.
    pub async fn conflicts(&self) -> Result<Vec<ConflictRecord>, LedgerError> {
        let rows = sqlx::query("SELECT booking_id, rule, cursor FROM sync_conflicts ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ConflictRecord {
                    booking_id: r.try_get("booking_id")?,
                    rule: r.try_get("rule")?,
                    cursor: r.try_get("cursor")?,
                })
            })
            .collect()
    }

    async fn state_get(&self, key: &str) -> Result<Option<String>, LedgerError> {
        let row = sqlx::query("SELECT value FROM sync_state WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("value")?),
            None => None,
        })
    }

    async fn state_i64(&self, key: &str) -> Result<i64, LedgerError> {
        match self.state_get(key).await? {
            Some(v) => v
                .parse()
                .map_err(|_| LedgerError::Corrupt(format!("sync_state {key}"))),
            None => Ok(0),
        }
    }
}

async fn state_set(
    conn: &mut sqlx::SqliteConnection,
    key: &str,
    value: &str,
) -> Result<(), LedgerError> {
    sqlx::query(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

async fn error_set(
    conn: &mut sqlx::SqliteConnection,
    item: &str,
    reason: &str,
) -> Result<(), LedgerError> {
    sqlx::query(
        "INSERT INTO sync_errors (item, reason, at) VALUES (?, ?, ?) ON CONFLICT (item) DO UPDATE SET reason = excluded.reason, at = excluded.at",
    )
    .bind(item)
    .bind(reason)
    .bind(now_text())
    .execute(conn)
    .await?;
    Ok(())
}

async fn table_exists(conn: &mut sqlx::SqliteConnection, name: &str) -> Result<bool, LedgerError> {
    Ok(
        sqlx::query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(name)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// The serde name of a unit enum value (`paid`, `new_passport`...), as the hub stores it.
fn serde_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn refuse_unusable(
    conn: &mut sqlx::SqliteConnection,
    cursor: i64,
    why: &BookingMapError,
) -> Result<(), LedgerError> {
    error_set(conn, &format!("change:{cursor}"), &why.to_string()).await
}

/// A booking the hub holds (from a bookings file) in the wire's shape, for the conflict
/// rules: its day and slot. The slot label is the incoming one when the start times agree,
/// so only a real move counts as a reschedule. Its version never makes a change stale.
async fn hub_booking_as_wire(
    conn: &mut sqlx::SqliteConnection,
    code: &str,
    incoming: &loket_sync_protocol::Booking,
) -> Result<Option<loket_sync_protocol::Booking>, LedgerError> {
    let row = sqlx::query("SELECT booking_date, slot_start FROM bookings WHERE code = ?")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let date: String = row.try_get("booking_date")?;
    let slot: String = row.try_get("slot_start")?;
    let Ok(date) = date.parse() else {
        return Ok(None);
    };
    let same_start =
        crate::bookings::slot_start(&slot) == crate::bookings::slot_start(&incoming.slot);
    Ok(Some(loket_sync_protocol::Booking {
        date,
        slot: if same_start {
            incoming.slot.clone()
        } else {
            slot
        },
        version: i64::MIN,
        ..incoming.clone()
    }))
}

/// Inserts or updates a booking in the hub's `bookings` and `applicants` tables (the rows
/// `loket import-bookings` writes). A booking whose day or slot moved counts as
/// rescheduled; so does one central marks so, and one that was before.
async fn hub_upsert_booking(
    conn: &mut sqlx::SqliteConnection,
    b: &loket_domain::Booking,
    now: &str,
) -> Result<(), LedgerError> {
    let date = b.date.to_string();
    let slot = b.slot_start.format("%H:%M").to_string();
    let before =
        sqlx::query("SELECT booking_date, slot_start, rescheduled FROM bookings WHERE code = ?")
            .bind(&b.code)
            .fetch_optional(&mut *conn)
            .await?;
    let rescheduled = b.rescheduled
        || match &before {
            Some(row) => {
                let (d, s, r): (String, String, i64) = (
                    row.try_get("booking_date")?,
                    row.try_get("slot_start")?,
                    row.try_get("rescheduled")?,
                );
                r != 0 || d != date || s != slot
            }
            None => false,
        };
    sqlx::query(
        "INSERT INTO bookings (code, office_code, booking_date, slot_start, payment, billing_code, cancelled, \
         rescheduled, payment_stale, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, ?) \
         ON CONFLICT(code) DO UPDATE SET office_code = excluded.office_code, booking_date = excluded.booking_date, \
         slot_start = excluded.slot_start, payment = excluded.payment, billing_code = excluded.billing_code, \
         cancelled = 0, rescheduled = excluded.rescheduled, payment_stale = 0, updated_at = excluded.updated_at",
    )
    .bind(&b.code)
    .bind(&b.office_code)
    .bind(&date)
    .bind(&slot)
    .bind(serde_name(&b.payment))
    .bind(b.billing_code.as_ref().map(|c| c.as_str().to_string()))
    .bind(rescheduled)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM applicants WHERE booking_code = ?")
        .bind(&b.code)
        .execute(&mut *conn)
        .await?;
    for (i, a) in b.applicants.iter().enumerate() {
        sqlx::query(
            "INSERT INTO applicants (booking_code, idx, name, nik, service) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&b.code)
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .bind(&a.name)
        .bind(&a.nik)
        .bind(a.service.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn reference_key(change: &Change) -> Option<String> {
    match change {
        Change::FeeTable(t) => Some(format!("fee_table:{}", t.valid_from)),
        Change::Quota(q) => Some(format!("quota:{}:{}", q.date, q.service)),
        Change::OfficeSettings { .. } => Some("office_settings".into()),
        _ => None,
    }
}

#[async_trait]
impl OfficeLedger for SqliteLedger {
    async fn events_after(&self, after: i64, limit: usize) -> Result<Vec<Event>, LedgerError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = sqlx::query(
            "SELECT seq, event_id, kind, payload, occurred_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ? + 0",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get("seq")?;
                let corrupt = |what: &str| LedgerError::Corrupt(format!("outbox {seq}: {what}"));
                let event_id: String = r.try_get("event_id")?;
                let payload: String = r.try_get("payload")?;
                let occurred_at: String = r.try_get("occurred_at")?;
                let mut payload: serde_json::Value =
                    serde_json::from_str(&payload).map_err(|_| corrupt("payload"))?;
                if payload.get(SEALED_PAYLOAD_KEY).is_some() {
                    let opener = self.opener.as_ref().ok_or_else(|| LedgerError::Sealed {
                        seq,
                        reason: "no opener".into(),
                    })?;
                    payload = opener
                        .open(&event_id, payload)
                        .map_err(|reason| LedgerError::Sealed { seq, reason })?;
                }
                Ok(Event {
                    seq,
                    event_id: event_id.parse().map_err(|_| corrupt("event_id"))?,
                    kind: r.try_get("kind")?,
                    payload,
                    occurred_at: parse_time(&occurred_at).ok_or_else(|| corrupt("occurred_at"))?,
                })
            })
            .collect()
    }

    async fn acked_seq(&self) -> Result<i64, LedgerError> {
        self.state_i64("acked_seq").await
    }

    async fn record_ack(&self, through: i64, rejected: &[EventAck]) -> Result<(), LedgerError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for ack in rejected
            .iter()
            .filter(|a| a.outcome == EventOutcome::Rejected)
        {
            let reason = ack
                .reason
                .as_deref()
                .unwrap_or("ditolak pusat / refused by central");
            error_set(&mut tx, &format!("event:{}", ack.seq), reason).await?;
        }
        // Never move backwards (a late answer to an old batch).
        let current: Option<String> =
            sqlx::query("SELECT value FROM sync_state WHERE key = 'acked_seq'")
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("value"))
                .transpose()?;
        let current: i64 = current.and_then(|v| v.parse().ok()).unwrap_or(0);
        if through > current {
            state_set(&mut tx, "acked_seq", &through.to_string()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn pending_blobs(&self) -> Result<Vec<PendingBlob>, LedgerError> {
        let rows = sqlx::query(
            "SELECT sha256, size, path FROM sync_blobs WHERE uploaded_at IS NULL ORDER BY registered_at, sha256",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut paths = std::collections::HashMap::with_capacity(rows.len());
        let pending = rows
            .iter()
            .map(|r| {
                let sha256: String = r.try_get("sha256")?;
                paths.insert(sha256.clone(), r.try_get::<String, _>("path")?);
                Ok(PendingBlob {
                    sha256,
                    size: u64::try_from(r.try_get::<i64, _>("size")?).unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        if let Ok(mut cache) = self.paths.lock() {
            *cache = paths;
        }
        Ok(pending)
    }

    async fn read_blob(
        &self,
        sha256: &str,
        offset: u64,
        max_len: usize,
    ) -> Result<Vec<u8>, LedgerError> {
        let unreadable = |reason: String| LedgerError::BlobUnreadable {
            sha256: sha256.to_string(),
            reason,
        };
        let cached = self
            .paths
            .lock()
            .ok()
            .and_then(|paths| paths.get(sha256).cloned());
        let path = match cached {
            Some(path) => path,
            None => {
                let row = sqlx::query("SELECT path FROM sync_blobs WHERE sha256 = ?")
                    .bind(sha256)
                    .fetch_optional(&self.pool)
                    .await?;
                row.ok_or_else(|| unreadable("not registered".into()))?
                    .try_get("path")?
            }
        };
        // Open, seek and read in one trip to the blocking pool.
        tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
            use std::io::{Read, Seek};
            let mut file = std::fs::File::open(&path)?;
            file.seek(std::io::SeekFrom::Start(offset))?;
            let mut buf = Vec::with_capacity(max_len.min(16 * 1024 * 1024));
            file.take(max_len as u64).read_to_end(&mut buf)?;
            Ok(buf)
        })
        .await
        .map_err(|e| unreadable(e.to_string()))?
        .map_err(|e| unreadable(e.to_string()))
    }

    async fn mark_blob_uploaded(&self, sha256: &str) -> Result<(), LedgerError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE sync_blobs SET uploaded_at = ? WHERE sha256 = ?")
            .bind(now_text())
            .bind(sha256)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sync_errors WHERE item = ?")
            .bind(format!("blob:{sha256}"))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn mark_blobs_uploaded(&self, sha256s: &[String]) -> Result<(), LedgerError> {
        if sha256s.is_empty() {
            return Ok(());
        }
        let list =
            serde_json::to_string(sha256s).map_err(|e| LedgerError::Corrupt(e.to_string()))?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "UPDATE sync_blobs SET uploaded_at = ? WHERE sha256 IN (SELECT value FROM json_each(?))",
        )
        .bind(now_text())
        .bind(&list)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM sync_errors WHERE item IN (SELECT 'blob:' || value FROM json_each(?))",
        )
        .bind(&list)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn purge_confirmed_blobs(
        &self,
        uploaded_before: DateTime<Utc>,
    ) -> Result<u64, LedgerError> {
        let cutoff = uploaded_before.to_rfc3339_opts(SecondsFormat::Micros, true);
        let due: Vec<(String, String)> = sqlx::query_as(
            "SELECT sha256, path FROM sync_blobs WHERE uploaded_at IS NOT NULL AND uploaded_at < ? AND purged_at IS NULL",
        )
        .bind(&cutoff)
        .fetch_all(&self.pool)
        .await?;
        let mut purged = 0;
        for (sha256, path) in due {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    // Kept for the next round; the reason shows in the sync status.
                    self.record_item_error(&format!("purge:{sha256}"), &e.to_string())
                        .await?;
                    continue;
                }
            }
            sqlx::query("UPDATE sync_blobs SET purged_at = ? WHERE sha256 = ?")
                .bind(now_text())
                .bind(&sha256)
                .execute(&self.pool)
                .await?;
            purged += 1;
        }
        Ok(purged)
    }

    async fn feed_cursor(&self) -> Result<i64, LedgerError> {
        self.state_i64("feed_cursor").await
    }

    async fn apply_changes(
        &self,
        office: &str,
        entries: &[FeedEntry],
        next_cursor: i64,
    ) -> Result<ApplyReport, LedgerError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let has_check_ins = table_exists(&mut tx, "check_ins").await?;
        let hub_bookings =
            table_exists(&mut tx, "bookings").await? && table_exists(&mut tx, "applicants").await?;
        let mut report = ApplyReport::default();
        let now = now_text();
        for entry in entries {
            let change = &entry.change;
            let mut local = LocalBooking::default();
            if let Some(id) = change.booking_id() {
                // The hub keys bookings and check-ins by the normalized code.
                let code = loket_domain::normalize_booking_code(id);
                let row = sqlx::query("SELECT body FROM sync_bookings WHERE booking_id = ?")
                    .bind(&code)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(row) = row {
                    let body: String = row.try_get("body")?;
                    local.booking = serde_json::from_str(&body).ok();
                }
                if local.booking.is_none()
                    && hub_bookings
                    && let Change::BookingUpserted { booking } = change
                {
                    // Known only from a bookings file: its day and slot still count.
                    local.booking = hub_booking_as_wire(&mut tx, &code, booking).await?;
                }
                if has_check_ins {
                    local.checked_in =
                        sqlx::query("SELECT 1 FROM check_ins WHERE booking_code = ?")
                            .bind(&code)
                            .fetch_optional(&mut *tx)
                            .await?
                            .is_some();
                }
            }
            let decision = decide(office, change, &local);
            // A booking the office could not check in is an item error, not a stall.
            let mapped = match (change, &decision) {
                (
                    Change::BookingUpserted { booking },
                    Decision::Apply | Decision::ApplyAndHold(_),
                ) => match to_domain(booking) {
                    Ok(b) => Some(b),
                    Err(e) => {
                        refuse_unusable(&mut tx, entry.cursor, &e).await?;
                        report.refused += 1;
                        continue;
                    }
                },
                _ => None,
            };
            let body =
                serde_json::to_string(change).map_err(|e| LedgerError::Corrupt(e.to_string()))?;
            let rule = match &decision {
                Decision::KeepVisit(r) | Decision::ApplyAndHold(r) | Decision::Refuse(r) => {
                    Some(*r)
                }
                _ => None,
            };
            match &decision {
                Decision::Stale => continue,
                Decision::Refuse(r) => {
                    error_set(
                        &mut tx,
                        &format!("change:{}", entry.cursor),
                        &format!(
                            "Perubahan untuk kantor lain ({}), tidak disimpan. / Change for another office ({}), not stored. [{}]",
                            change.booking_office().unwrap_or("?"),
                            change.booking_office().unwrap_or("?"),
                            r.as_str()
                        ),
                    )
                    .await?;
                    report.refused += 1;
                }
                Decision::KeepVisit(_) => report.conflicts += 1,
                Decision::Apply | Decision::ApplyAndHold(_) => {
                    let hold = match &decision {
                        Decision::ApplyAndHold(r) => Some(r.as_str()),
                        _ => None,
                    };
                    match change {
                        Change::BookingUpserted { booking } => {
                            let booking_body = serde_json::to_string(booking)
                                .map_err(|e| LedgerError::Corrupt(e.to_string()))?;
                            let payment = serde_json::to_value(booking.payment)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default();
                            sqlx::query(
                                "INSERT INTO sync_bookings (booking_id, body, cancelled, payment, hold, updated_at) VALUES (?, ?, 0, ?, NULL, ?)
                                 ON CONFLICT (booking_id) DO UPDATE SET body = excluded.body, cancelled = 0, payment = excluded.payment, updated_at = excluded.updated_at",
                            )
                            .bind(loket_domain::normalize_booking_code(&booking.booking_id))
                            .bind(booking_body)
                            .bind(payment)
                            .bind(&now)
                            .execute(&mut *tx)
                            .await?;
                            if hub_bookings && let Some(domain) = &mapped {
                                hub_upsert_booking(&mut tx, domain, &now).await?;
                            }
                        }
                        Change::BookingCancelled { booking_id, .. } => {
                            sqlx::query("UPDATE sync_bookings SET cancelled = 1, updated_at = ? WHERE booking_id = ?")
                                .bind(&now)
                                .bind(loket_domain::normalize_booking_code(booking_id))
                                .execute(&mut *tx)
                                .await?;
                            if hub_bookings {
                                sqlx::query("UPDATE bookings SET cancelled = 1, updated_at = ? WHERE code = ?")
                                    .bind(&now)
                                    .bind(loket_domain::normalize_booking_code(booking_id))
                                    .execute(&mut *tx)
                                    .await?;
                            }
                        }
                        Change::PaymentStatus {
                            booking_id, status, ..
                        } => {
                            let wire_status = serde_json::to_value(status)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default();
                            sqlx::query("UPDATE sync_bookings SET payment = ?, hold = COALESCE(?, hold), updated_at = ? WHERE booking_id = ?")
                                .bind(wire_status)
                                .bind(hold)
                                .bind(&now)
                                .bind(loket_domain::normalize_booking_code(booking_id))
                                .execute(&mut *tx)
                                .await?;
                            if hub_bookings {
                                let payment = crate::bookings::payment_status(*status);
                                sqlx::query("UPDATE bookings SET payment = ?, payment_stale = 0, updated_at = ? WHERE code = ?")
                                    .bind(serde_name(&payment))
                                    .bind(&now)
                                    .bind(loket_domain::normalize_booking_code(booking_id))
                                    .execute(&mut *tx)
                                    .await?;
                            }
                        }
                        other => {
                            if let Some(key) = reference_key(other) {
                                sqlx::query(
                                    "INSERT INTO sync_reference (key, body, updated_at) VALUES (?, ?, ?)
                                     ON CONFLICT (key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                                )
                                .bind(key)
                                .bind(&body)
                                .bind(&now)
                                .execute(&mut *tx)
                                .await?;
                            }
                        }
                    }
                    if hold.is_some() {
                        report.conflicts += 1;
                    } else {
                        report.applied += 1;
                    }
                }
            }
            if let (Some(rule), Some(id)) = (rule, change.booking_id()) {
                sqlx::query("INSERT INTO sync_conflicts (booking_id, rule, cursor, change, at) VALUES (?, ?, ?, ?, ?)")
                    .bind(id)
                    .bind(rule.as_str())
                    .bind(entry.cursor)
                    .bind(&body)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                // Central learns of the conflict through the outbox, like any other fact.
                let payload = serde_json::json!({
                    "office_code": office,
                    "booking_id": id,
                    "rule": rule.as_str(),
                    "cursor": entry.cursor,
                });
                sqlx::query(
                    "INSERT INTO outbox (event_id, kind, payload, occurred_at) VALUES (?, ?, ?, ?)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(CONFLICT_EVENT_KIND)
                .bind(payload.to_string())
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
        }
        state_set(&mut tx, "feed_cursor", &next_cursor.to_string()).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn record_item_error(&self, item: &str, reason: &str) -> Result<(), LedgerError> {
        let mut conn = self.pool.acquire().await?;
        error_set(&mut conn, item, reason).await
    }

    async fn clear_item_error(&self, item: &str) -> Result<(), LedgerError> {
        sqlx::query("DELETE FROM sync_errors WHERE item = ?")
            .bind(item)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn item_errors(&self) -> Result<Vec<ItemError>, LedgerError> {
        let rows = sqlx::query("SELECT item, reason, at FROM sync_errors ORDER BY at, item")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let at: String = r.try_get("at")?;
                Ok(ItemError {
                    item: r.try_get("item")?,
                    reason: r.try_get("reason")?,
                    at: parse_time(&at).unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn pending(&self) -> Result<Pending, LedgerError> {
        let acked = self.acked_seq().await?;
        let has_outbox =
            sqlx::query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'")
                .fetch_optional(&self.pool)
                .await?
                .is_some();
        let (events, event_bytes) = if has_outbox {
            let r = sqlx::query(
                "SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(payload)), 0) AS b FROM outbox WHERE seq > ?",
            )
            .bind(acked)
            .fetch_one(&self.pool)
            .await?;
            (r.try_get::<i64, _>("n")?, r.try_get::<i64, _>("b")?)
        } else {
            (0, 0)
        };
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS b FROM sync_blobs WHERE uploaded_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        let to_u64 = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(Pending {
            events: to_u64(events),
            event_bytes: to_u64(event_bytes),
            blobs: to_u64(r.try_get("n")?),
            blob_bytes: to_u64(r.try_get("b")?),
        })
    }

    async fn save_link(&self, link: &LinkRecord) -> Result<(), LedgerError> {
        let text = serde_json::to_string(link).map_err(|e| LedgerError::Corrupt(e.to_string()))?;
        let mut conn = self.pool.acquire().await?;
        state_set(&mut conn, "link", &text).await
    }

    async fn load_link(&self) -> Result<LinkRecord, LedgerError> {
        match self.state_get("link").await? {
            Some(text) => {
                serde_json::from_str(&text).map_err(|e| LedgerError::Corrupt(e.to_string()))
            }
            None => Ok(LinkRecord::default()),
        }
    }
}
