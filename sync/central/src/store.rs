//! Central's storage, behind [`CentralStore`] so the server does not care whether SQLite or
//! PostgreSQL (or a fault-injecting wrapper in tests) sits underneath.

use async_trait::async_trait;
use loket_sync_protocol::{BlobStatus, Change, Event, FeedPage, OfficeAck, UploadEventsResponse};

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The disk (or database) is full. Retrying later, after space is freed, succeeds.
    #[error(
        "Penyimpanan pusat penuh. Kosongkan ruang disk server pusat; kantor akan mengirim ulang otomatis. / Central storage is full. Free disk space on the central server; offices retry automatically."
    )]
    Full,
    /// The office does not exist.
    #[error("Kantor {0} tidak terdaftar. / Office {0} is not registered.")]
    UnknownOffice(String),
    /// The office already exists.
    #[error(
        "Kantor {0} sudah terdaftar; pakai --rotate untuk token baru. / Office {0} already exists; use --rotate for a new token."
    )]
    OfficeExists(String),
    /// The enrolment token is wrong or already used.
    #[error(
        "Token pendaftaran salah atau sudah dipakai. Minta token baru ke admin pusat. / Enrolment token wrong or already used. Ask central's admin for a new one."
    )]
    BadToken,
    /// A blob chunk does not start where central's copy ends.
    #[error("Potongan berkas tidak bersambung. / Blob chunk does not continue the stored part.")]
    RangeMismatch(BlobStatus),
    /// A completed blob's bytes do not hash to its name.
    #[error(
        "Isi berkas tidak cocok dengan SHA-256-nya; berkas dibuang. / Blob content does not match its SHA-256; discarded."
    )]
    HashMismatch,
    /// Anything else from the database or the file system.
    #[error("Kesalahan penyimpanan pusat: {0} / Central storage error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            // SQLite: SQLITE_FULL (13); PostgreSQL: disk_full (53100).
            if matches!(db.code().as_deref(), Some("13") | Some("53100")) {
                return StoreError::Full;
            }
        }
        StoreError::Other(e.to_string())
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        // ENOSPC (28) and EDQUOT (122) on Linux.
        if e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28 | 122))
        {
            StoreError::Full
        } else {
            StoreError::Other(e.to_string())
        }
    }
}

/// What [`CentralStore::remember_nonce`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceCheck {
    /// New nonce, remembered; the key is the office's current one.
    Fresh,
    /// The office already used this nonce: a replay.
    Replay,
    /// The key is not (or no longer) the office's registered key; nothing remembered.
    KeyChanged,
}

/// A signed request's nonce, for a write that remembers it in the same transaction as the
/// request's own rows (one commit per request instead of two).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestNonce {
    /// The office's device key (hex) the request was verified with; the nonce is remembered
    /// only while it is still the office's registered key.
    pub key: String,
    /// The request's nonce.
    pub nonce: String,
    /// The request's timestamp (Unix seconds).
    pub unix: i64,
}

/// The result of a write made together with its request's nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nonced<T> {
    /// The nonce was new and the write is committed with it.
    Done(T),
    /// The office already used this nonce: a replay; the write's rows were not kept.
    Replay,
    /// The signing key is no longer the office's; nothing was kept.
    KeyChanged,
}

impl From<NonceCheck> for Nonced<()> {
    fn from(check: NonceCheck) -> Self {
        match check {
            NonceCheck::Fresh => Nonced::Done(()),
            NonceCheck::Replay => Nonced::Replay,
            NonceCheck::KeyChanged => Nonced::KeyChanged,
        }
    }
}

/// One whole blob of a batch upload: its name (SHA-256, hex), size and bytes.
#[derive(Debug, Clone, Copy)]
pub struct WholeBlob<'a> {
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: &'a str,
    /// Size the office declared.
    pub size: u64,
    /// The bytes.
    pub bytes: &'a [u8],
}

impl StoreError {
    /// A copy for each of several waiters on one failed batch.
    pub(crate) fn duplicate(&self) -> StoreError {
        match self {
            StoreError::Full => StoreError::Full,
            other => StoreError::Other(other.to_string()),
        }
    }
}

/// Per-kind count of applied effects for one office (what "exactly once" is checked on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectCount {
    /// Event kind.
    pub kind: String,
    /// Number of times an event of this kind took effect.
    pub count: i64,
}

/// Everything central stores. Implementations must make [`CentralStore::append_events`]
/// atomic and idempotent by `event_id`.
#[async_trait]
pub trait CentralStore: Send + Sync + 'static {
    /// Registers an office with the SHA-256 (hex) of its one-time enrolment token. With
    /// `rotate`, an existing office gets the new token and loses its device key.
    async fn add_office(
        &self,
        code: &str,
        token_sha256: &str,
        rotate: bool,
    ) -> Result<(), StoreError>;
    /// Binds a device public key to an office if the token matches (tokens work once).
    async fn enrol(
        &self,
        code: &str,
        token_sha256: &str,
        public_key: &str,
    ) -> Result<(), StoreError>;
    /// The office's registered device key (hex), if enrolled. May answer from a cache:
    /// [`CentralStore::remember_nonce`] confirms the key against the database.
    async fn office_key(&self, code: &str) -> Result<Option<String>, StoreError>;
    /// The office's registered device key read from the database itself (refreshing any
    /// cache). The server asks it when a request does not verify with the cached key.
    async fn office_key_uncached(&self, code: &str) -> Result<Option<String>, StoreError> {
        self.office_key(code).await
    }
    /// Remembers a request nonce of a request signed with `key`, in the same step checking
    /// that `key` is still the office's registered key. [`NonceCheck::Replay`] if this
    /// office already used the nonce; [`NonceCheck::KeyChanged`] (nothing remembered) if
    /// the office's key is no longer `key` (rotated, or a cached key was stale).
    async fn remember_nonce(
        &self,
        code: &str,
        key: &str,
        nonce: &str,
        unix: i64,
    ) -> Result<NonceCheck, StoreError>;
    /// Stores a batch of an office's events, applying each new one's effect exactly once.
    async fn append_events(
        &self,
        code: &str,
        events: &[Event],
    ) -> Result<UploadEventsResponse, StoreError>;
    /// [`CentralStore::append_events`] with the request's nonce remembered in the same
    /// transaction: a replay or a changed key leaves nothing behind.
    async fn append_events_signed(
        &self,
        code: &str,
        nonce: &RequestNonce,
        events: &[Event],
    ) -> Result<Nonced<UploadEventsResponse>, StoreError>;
    /// What central holds of an office's log.
    async fn office_ack(&self, code: &str) -> Result<OfficeAck, StoreError>;
    /// All events of an office in `seq` order (for checks and exports).
    async fn events(&self, code: &str) -> Result<Vec<Event>, StoreError>;
    /// Applied-effect counters of an office, sorted by kind.
    async fn effects(&self, code: &str) -> Result<Vec<EffectCount>, StoreError>;
    /// How much of a blob central holds.
    async fn blob_status(&self, sha256: &str) -> Result<BlobStatus, StoreError>;
    /// Writes bytes `start..start+bytes.len()` of a `total`-byte blob for an office.
    async fn blob_write(
        &self,
        code: &str,
        sha256: &str,
        start: u64,
        bytes: &[u8],
        total: u64,
    ) -> Result<BlobStatus, StoreError>;
    /// Several whole blobs of one request, each hash-checked and stored as by
    /// [`CentralStore::blob_write`] (one answer per blob, in order; a blob whose bytes do not
    /// match its name fails alone), their ownership committed with the request's nonce. A
    /// replay or a changed key records no ownership (the files, named by their hash, may
    /// already be written; they are the same bytes).
    async fn blob_batch_write(
        &self,
        code: &str,
        nonce: &RequestNonce,
        blobs: &[WholeBlob<'_>],
    ) -> Result<Nonced<Vec<Result<BlobStatus, StoreError>>>, StoreError>;
    /// A complete blob's bytes.
    async fn blob_read(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// SHA-256 of every blob an office has stored, sorted.
    async fn office_blobs(&self, code: &str) -> Result<Vec<String>, StoreError>;
    /// Appends a change to an office's feed; returns its cursor.
    async fn publish(&self, code: &str, change: &Change) -> Result<i64, StoreError>;
    /// The changes of an office's feed after `after`, at most `limit`.
    async fn feed(&self, code: &str, after: i64, limit: i64) -> Result<FeedPage, StoreError>;
}
