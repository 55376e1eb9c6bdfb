//! What the hub shows about its sync with central. The hub does not run the sync engine
//! itself (the `loket` binary glues `loket-sync` onto the hub's database): whoever runs it
//! reports the engine's state with [`Hub::set_sync_status`] and nudges it after commits
//! ([`Hub::subscribe_commits`]). The hub serves the state at `GET /api/v1/sync/status`
//! (supervisor, head, admin) and sends a summary without personal data on the live socket
//! (`{"type":"sync", ...}`) so that every counter can show the link.
//!
//! A successful round also tells check-in how fresh the office's payment knowledge is: a
//! booking's payment counts as confirmed as of the start of the last successful round (the
//! feed was drained then), not only as of the booking's own last change.

use crate::auth::Principal;
use crate::error::Result;
use crate::hub::Hub;
use crate::live::LiveEvent;
use chrono::{DateTime, Utc};
use loket_domain::Action;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// The link to central as the office sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncLink {
    /// The hub is not enrolled with central (`loket sync enrol`), or sync is not running.
    #[default]
    NotEnrolled,
    /// Enrolled; no round has finished yet.
    Unknown,
    /// The last round went through.
    Up,
    /// Central could not be reached.
    Down,
    /// Central answered but failed (5xx, storage full).
    CentralUnavailable,
    /// Central refused this office (not enrolled there, bad key, clock off, wrong office).
    Refused,
}

/// An item that cannot go up (or a change that cannot be stored), with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncItemError {
    /// `event:<seq>`, `blob:<sha256>` or `change:<cursor>`.
    pub item: String,
    /// Why (Bahasa Indonesia / English).
    pub reason: String,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

/// A change from central that met a conflict rule (docs/sync.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncConflict {
    /// The booking.
    pub booking_code: String,
    /// `cancelled_after_check_in`, `rescheduled_after_check_in`,
    /// `payment_revoked_after_check_in` or `booking_for_another_office`.
    pub rule: String,
    /// The feed position of the change.
    pub cursor: i64,
}

/// The whole sync status (`GET /api/v1/sync/status`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncView {
    /// Whether the data folder is enrolled and the engine runs.
    pub enrolled: bool,
    /// The office code the hub is enrolled as.
    pub office: Option<String>,
    /// Central's URL.
    pub central: Option<String>,
    /// Link state.
    pub link: SyncLink,
    /// Outbox events waiting to go up.
    pub pending_events: u64,
    /// Their bytes.
    pub pending_event_bytes: u64,
    /// Files (photos, fingerprints) waiting to go up.
    pub pending_blobs: u64,
    /// Their bytes.
    pub pending_blob_bytes: u64,
    /// All pending bytes.
    pub pending_bytes: u64,
    /// Last time a whole round succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// Last time a round started.
    pub last_attempt: Option<DateTime<Utc>>,
    /// Why the last round failed.
    pub last_error: Option<String>,
    /// When the engine tries again after a failure.
    pub next_retry_at: Option<DateTime<Utc>>,
    /// Highest outbox seq central acknowledged.
    pub acked_seq: i64,
    /// Change feed position.
    pub feed_cursor: i64,
    /// Items in error, with the reason.
    pub errors: Vec<SyncItemError>,
    /// Recent conflicts (newest last).
    pub conflicts: Vec<SyncConflict>,
}

/// What every screen may see (the live `sync` message): no personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSummary {
    /// Link state.
    pub link: SyncLink,
    /// Events and files waiting to go up.
    pub pending: u64,
    /// Their bytes.
    pub pending_bytes: u64,
    /// Last successful round.
    pub last_success: Option<DateTime<Utc>>,
    /// How many items are in error.
    pub errors: usize,
}

impl SyncView {
    /// The status of a hub that is not enrolled.
    pub fn not_enrolled() -> SyncView {
        SyncView::default()
    }

    /// The summary for the live socket.
    pub fn summary(&self) -> SyncSummary {
        SyncSummary {
            link: self.link,
            pending: self.pending_events + self.pending_blobs,
            pending_bytes: self.pending_bytes,
            last_success: self.last_success,
            errors: self.errors.len(),
        }
    }
}

/// What the hub keeps about sync (in memory: the engine reports it again after a restart).
#[derive(Debug, Default)]
pub(crate) struct SyncState {
    /// Set once someone reported.
    pub(crate) view: Option<SyncView>,
    /// Start of the last successful round.
    pub(crate) payments_confirmed_at: Option<DateTime<Utc>>,
}

impl Hub {
    /// Records the sync engine's state: served at `/api/v1/sync/status`, summarized on the
    /// live socket when the summary changed. A successful round (`link` up) also marks the
    /// office's payment knowledge as current as of that round's start (`last_attempt`).
    pub fn set_sync_status(&self, view: SyncView) {
        let summary = view.summary();
        let changed = {
            let mut state = self
                .inner
                .sync
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if view.link == SyncLink::Up
                && let Some(at) = view.last_attempt.or(view.last_success)
            {
                state.payments_confirmed_at = Some(match state.payments_confirmed_at {
                    Some(before) => before.max(at),
                    None => at,
                });
            }
            let changed = state.view.as_ref().map(SyncView::summary) != Some(summary.clone());
            state.view = Some(view);
            changed
        };
        if changed {
            self.publish(LiveEvent::Sync { sync: summary });
        }
    }

    /// The sync status (supervisor, head, admin).
    pub fn sync_status(&self, who: &Principal) -> Result<SyncView> {
        who.authorize(Action::ViewSync)?;
        Ok(self.sync_read(|s| s.view.clone()).unwrap_or_default())
    }

    /// The live summary, once someone reported the sync state.
    pub fn sync_summary(&self) -> Option<SyncSummary> {
        self.sync_read(|s| s.view.as_ref().map(SyncView::summary))
    }

    /// A receiver that changes after every committed write (the sync engine's nudge).
    pub fn subscribe_commits(&self) -> watch::Receiver<u64> {
        self.inner.db.subscribe_commits()
    }

    /// Start of the last successful sync round, if any since the hub started.
    pub(crate) fn payments_confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.sync_read(|s| s.payments_confirmed_at)
    }

    fn sync_read<T>(&self, f: impl FnOnce(&SyncState) -> T) -> T {
        let state = self
            .inner
            .sync
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&state)
    }
}
