//! loket-central: the reference central service for Loket sync. Offices upload their
//! outbox events and blobs and pull their change feed; see `loket-sync-protocol` for the
//! wire format. Storage sits behind [`CentralStore`]; [`SqlStore`] implements it for SQLite
//! (default) and PostgreSQL.

mod openapi;
mod server;
mod sql;
mod store;

pub use openapi::document as openapi_document;
pub use server::{MAX_BODY_BYTES, MAX_EVENTS_PER_BATCH, RunningServer, TlsPem, router, spawn};
pub use sql::SqlStore;
pub use store::{
    CentralStore, EffectCount, NonceCheck, Nonced, RequestNonce, StoreError, WholeBlob,
};

/// Opens the store named by a database URL, or SQLite in `data_dir` when none is given.
pub async fn open_store(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> Result<SqlStore, StoreError> {
    match database_url {
        Some(url) => SqlStore::open(url, data_dir).await,
        None => SqlStore::open_sqlite(data_dir).await,
    }
}

/// Registers an office (or gives it a new token with `rotate`) and returns the one-time
/// enrolment token to hand to the office.
pub async fn add_office(
    store: &dyn CentralStore,
    code: &str,
    rotate: bool,
) -> Result<String, StoreError> {
    if !loket_sync_protocol::is_office_code(code) {
        return Err(StoreError::Other(format!(
            "Kode kantor tidak sah: {code} (A-Z, 0-9, -, _). / Bad office code: {code} (A-Z, 0-9, -, _)."
        )));
    }
    let token = hex::encode(rand::random::<[u8; 24]>());
    store
        .add_office(
            code,
            &loket_sync_protocol::sha256_hex(token.as_bytes()),
            rotate,
        )
        .await?;
    Ok(token)
}
