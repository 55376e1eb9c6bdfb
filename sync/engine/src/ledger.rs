//! [`OfficeLedger`]: what the engine needs from the office's database. The hub can implement
//! it over its own tables; [`crate::SqliteLedger`] implements it on the hub's SQLite file.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use loket_sync_protocol::{Event, EventAck, FeedEntry};
use serde::{Deserialize, Serialize};

/// Why a ledger operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The database failed.
    #[error("Basis data hub gagal: {0} / Hub database error: {0}")]
    Database(String),
    /// A registered blob's file is missing or unreadable.
    #[error(
        "Berkas {sha256} tidak bisa dibaca ({reason}). Periksa folder data hub. / Blob file {sha256} unreadable ({reason}). Check the hub's data folder."
    )]
    BlobUnreadable {
        /// The blob.
        sha256: String,
        /// What went wrong.
        reason: String,
    },
    /// Stored data could not be decoded.
    #[error("Data sinkronisasi rusak: {0} / Corrupt sync data: {0}")]
    Corrupt(String),
    /// An outbox event's personal data is sealed and cannot be opened here.
    #[error(
        "Data pribadi peristiwa outbox {seq} terenkripsi dan tidak dapat dibuka ({reason}). Jalankan sinkronisasi lewat `loket hub` atau `loket sync run` di folder data hub (dengan seal.key-nya). / Outbox event {seq} carries sealed personal data that cannot be opened ({reason}). Run sync through `loket hub` or `loket sync run` on the hub's data folder (with its seal.key)."
    )]
    Sealed {
        /// The outbox seq.
        seq: i64,
        /// Why it could not be opened.
        reason: String,
    },
}

impl From<sqlx::Error> for LedgerError {
    fn from(e: sqlx::Error) -> Self {
        LedgerError::Database(e.to_string())
    }
}

/// A blob waiting for upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingBlob {
    /// Its SHA-256 (lowercase hex).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// How much waits to go up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// Outbox events after the last acknowledgement.
    pub events: u64,
    /// Their payload bytes.
    pub event_bytes: u64,
    /// Blobs not yet confirmed by central.
    pub blobs: u64,
    /// Their bytes.
    pub blob_bytes: u64,
}

/// An item that failed for a reason retrying will not fix (shown to the supervisor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemError {
    /// `event:<seq>`, `blob:<sha256>` or `change:<cursor>`.
    pub item: String,
    /// Why (Bahasa Indonesia / English).
    pub reason: String,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

/// The link facts kept across restarts (so `loket sync status` can print them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// Last known link state.
    pub link: crate::LinkState,
    /// Last time a whole round succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// Last time a round was tried.
    pub last_attempt: Option<DateTime<Utc>>,
    /// The last round's error, if it failed.
    pub last_error: Option<String>,
}

/// What applying a feed page did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    /// Changes applied as they came.
    pub applied: u64,
    /// Changes that hit a conflict rule (see ARCHITECTURE.md).
    pub conflicts: u64,
    /// Changes refused (recorded as item errors).
    pub refused: u64,
}

/// The office side of sync. All methods are called from the engine's background task only;
/// the hub keeps writing its outbox concurrently.
#[async_trait]
pub trait OfficeLedger: Send + Sync + 'static {
    /// Outbox events with `seq > after`, ascending, at most `limit`.
    async fn events_after(&self, after: i64, limit: usize) -> Result<Vec<Event>, LedgerError>;
    /// Highest seq central has acknowledged (0 at first).
    async fn acked_seq(&self) -> Result<i64, LedgerError>;
    /// Records that central acknowledged every event up to `through`; `rejected` are the
    /// ones it refused for good (kept as item errors).
    async fn record_ack(&self, through: i64, rejected: &[EventAck]) -> Result<(), LedgerError>;
    /// Blobs not yet confirmed, oldest first.
    async fn pending_blobs(&self) -> Result<Vec<PendingBlob>, LedgerError>;
    /// Up to `max_len` bytes of a blob from `offset`.
    async fn read_blob(
        &self,
        sha256: &str,
        offset: u64,
        max_len: usize,
    ) -> Result<Vec<u8>, LedgerError>;
    /// Central holds the whole blob.
    async fn mark_blob_uploaded(&self, sha256: &str) -> Result<(), LedgerError>;
    /// Central holds each of these whole blobs (one commit for all of them where the
    /// ledger can).
    async fn mark_blobs_uploaded(&self, sha256s: &[String]) -> Result<(), LedgerError> {
        for sha256 in sha256s {
            self.mark_blob_uploaded(sha256).await?;
        }
        Ok(())
    }
    /// The feed cursor (0 at first).
    async fn feed_cursor(&self) -> Result<i64, LedgerError>;
    /// Applies a page of changes and stores `next_cursor`, atomically.
    async fn apply_changes(
        &self,
        office: &str,
        entries: &[FeedEntry],
        next_cursor: i64,
    ) -> Result<ApplyReport, LedgerError>;
    /// Records an item that failed for good.
    async fn record_item_error(&self, item: &str, reason: &str) -> Result<(), LedgerError>;
    /// Forgets an item's error (it went through after all).
    async fn clear_item_error(&self, item: &str) -> Result<(), LedgerError>;
    /// The items in error.
    async fn item_errors(&self) -> Result<Vec<ItemError>, LedgerError>;
    /// What waits to go up.
    async fn pending(&self) -> Result<Pending, LedgerError>;
    /// Stores the link facts.
    async fn save_link(&self, link: &LinkRecord) -> Result<(), LedgerError>;
    /// Loads the link facts.
    async fn load_link(&self) -> Result<LinkRecord, LedgerError>;
    /// Deletes the local copies of blobs central confirmed before `uploaded_before` (the
    /// retention period has passed); returns how many went. Blobs not yet confirmed are
    /// never touched. Ledgers that keep no files need not do anything.
    async fn purge_confirmed_blobs(
        &self,
        uploaded_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, LedgerError> {
        let _ = uploaded_before;
        Ok(0)
    }
}
