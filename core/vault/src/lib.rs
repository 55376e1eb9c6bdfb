//! What every process working on a hub's data folder shares, whether it runs the hub
//! (`loket hub`, the `loket` commands) or only uploads its outbox (`loket-sync-agent`): the
//! folder's lock ([`lock`]), the seal of personal data at rest with the folder's
//! `seal.key` ([`seal`]), and the sealed part of outbox payloads ([`outbox`]). No database,
//! no network: the sync engine depends on this crate instead of the whole hub.

pub mod lock;
pub mod outbox;
pub mod seal;
