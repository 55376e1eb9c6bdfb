//! # loket-hub: the office hub
//!
//! The process that owns an office's database and serves the LAN: kiosks, counters, display
//! boards and the head's desktop talk to it over HTTP + WebSocket (`/api/v1`).
//!
//! * [`Hub`] holds the database ([`db::Db`]: SQLite, WAL, `synchronous = FULL`, embedded
//!   migrations), the configuration ([`HubConfig`]), the clock and the live channel. Its
//!   methods are the operations: each asks [`loket_domain`] what the rules say and stores
//!   the result, with one outbox row per change and one audit row, in a single
//!   `BEGIN IMMEDIATE` transaction; the caller hears back only after the commit.
//! * [`api::router`] is the axum router of the LAN API; [`serve`] binds and runs it.
//! * [`demo::seed`] fills a demo office (accounts, devices, counters, bookings for today).
//! * [`bap`], [`pickup`] and [`report`] hold the BAP, passport pickup and head's report
//!   operations (more `impl Hub` blocks) with their request and answer types;
//!   [`printouts`] their PDFs and drawn signatures.
//! * [`fingerprints`]: fingerprint sessions stored with the visit (images sealed, synced as
//!   blobs), and the demo's simulated reader route.
//! * [`photo`]: passport photos of a visit (checks through a [`photo::PhotoProcessor`] the
//!   binary installs; the JPEG stored sealed and registered for upload).
//! * [`sync`]: the sync status the engine (run by the `loket` binary, `loket-sync`) reports,
//!   served at `/api/v1/sync/status` and summarized on the live socket; commits nudge it.
//!
//! Invariants: ticket numbers per (office day, service) gapless and never issued twice
//! (allocated inside the transaction that stores the ticket); every state change has its
//! outbox row (`outbox.seq` increasing) and its audit row; the audit log is a hash chain
//! ([`audit_chain`]); every API route is checked against its declared right ([`guard`]) and
//! browser requests from other sites may not change data ([`origin`]); personal data kept
//! at rest is sealed ([`seal`]); logs carry no NIK or names.

pub mod api;
pub mod audit_chain;
pub mod auth;
pub mod backup;
pub mod bap;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod fingerprints;
pub mod guard;
mod hub;
pub mod live;
pub use loket_vault::lock;
pub mod office_print;
pub mod openapi;
pub mod origin;
pub mod personal;
pub mod photo;
pub mod pickup;
pub mod printouts;
pub mod report;
pub use loket_vault::seal;
pub mod speech;
pub mod store;
pub mod sync;
pub mod views;

pub use auth::Principal;
pub use clock::Clock;
pub use config::HubConfig;
pub use error::{HubError, Result};
pub use hub::{
    BookingsFile, CallTarget, CounterAction, Hub, IssueRequest, QuotaSetting, QuotasRequest,
    normalize_code,
};
pub use sync::{SyncConflict, SyncItemError, SyncLink, SyncSummary, SyncView};

/// Binds `listen` and serves the hub's router until the process ends.
pub async fn serve(hub: Hub, listener: tokio::net::TcpListener) -> Result<()> {
    serve_with(hub, listener, fingerprints::Devices::default()).await
}

/// [`serve`] with devices the hub offers itself (the demo's simulated fingerprint reader).
pub async fn serve_with(
    hub: Hub,
    listener: tokio::net::TcpListener,
    devices: fingerprints::Devices,
) -> Result<()> {
    let ui = hub.config().resolve_ui_dir();
    let app = api::router_with(hub, ui, devices);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await?;
    Ok(())
}
