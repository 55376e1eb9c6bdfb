//! loket-sync: the office hub's sync engine. It uploads the hub's outbox (idempotent by
//! event id, resuming from the last acknowledgement), uploads blobs (content-addressed,
//! resumable mid-file), pulls the change feed (resuming at its cursor, applying the
//! conflict rules), and watches the link (exponential backoff with jitter). It runs as a
//! background task: counters never wait on it.
//!
//! The office side is the [`OfficeLedger`] trait; [`SqliteLedger`] implements it on the
//! hub's SQLite database: it reads the hub's `outbox`, and bookings from the change feed land
//! in the hub's `bookings` / `applicants` tables (mapped by [`bookings::to_domain`] onto the
//! domain's booking that check-in reads). [`FaultProxy`] is the misbehaving proxy the tests and benchmarks
//! put between the engine and central.

pub mod bookings;
mod client;
mod config;
pub mod conflict;
mod engine;
mod faultproxy;
mod hub_folder;
mod ledger;
mod sqlite_ledger;

pub use client::{CentralClient, ClientError, ClientOptions, enrol};
pub use config::{
    CONFIG_FILE, ConfigError, DEFAULT_POLL_SECONDS, HUB_DB_FILE, KEY_FILE, SyncSettings,
    enrol_office, load_key,
};
pub use engine::{
    EngineConfig, LinkState, Nudger, RoundReport, SyncEngine, SyncError, SyncHandle, SyncStatus,
    backoff_delay,
};
pub use faultproxy::{Fault, FaultProxy, ProxyStats};
pub use hub_folder::{HubFolder, HubOpener};
pub use ledger::{
    ApplyReport, ItemError, LedgerError, LinkRecord, OfficeLedger, Pending, PendingBlob,
};
pub use sqlite_ledger::{
    CONFLICT_EVENT_KIND, ConflictRecord, OUTBOX_DDL, PayloadOpener, SEALED_PAYLOAD_KEY, SYNC_DDL,
    SqliteLedger, StoredBooking,
};

/// Opens the ledger and client for a hub data folder enrolled with `loket sync enrol`.
/// `db` overrides the hub database path (default `<data>/loket.db`).
pub async fn open_enrolled(
    data_dir: &std::path::Path,
    db: Option<&std::path::Path>,
) -> Result<(SqliteLedger, CentralClient), ConfigError> {
    let settings = SyncSettings::load(data_dir)?.ok_or(ConfigError::NotEnrolled)?;
    let key = load_key(data_dir)?;
    let db_path = db
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| data_dir.join(HUB_DB_FILE));
    let ledger = SqliteLedger::open(&db_path).await?;
    let client = CentralClient::new(
        &settings.central,
        &settings.office,
        key,
        &settings.client_options()?,
    )?;
    Ok((ledger, client))
}
