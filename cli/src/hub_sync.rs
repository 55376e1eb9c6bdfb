//! `loket hub`'s sync with central: when the data folder is enrolled (`loket sync enrol`),
//! the hub runs the sync engine (`loket-sync`) in the background on its own database. The
//! hub's outbox is the engine's ledger; bookings from central's feed land in the hub's
//! booking tables. Counters never wait on it: commits only nudge it (debounced), and its
//! state goes to the hub (`GET /api/v1/sync/status`, the live `sync` message).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use loket_hub::{Hub, SyncConflict, SyncItemError, SyncLink, SyncView};
use loket_sync::{
    CentralClient, LinkState, SqliteLedger, SyncEngine, SyncHandle, SyncSettings, SyncStatus,
    load_key,
};
use tokio::task::JoinHandle;

/// A commit wakes the engine after this pause, so a burst of commits makes one round.
const NUDGE_DEBOUNCE: Duration = Duration::from_millis(200);
/// The hub hears of the engine's state at most this often.
const STATUS_EVERY: Duration = Duration::from_secs(1);
/// Conflicts shown in the status (the newest).
const CONFLICTS_SHOWN: usize = 20;

/// Opens the personal part the hub seals in some outbox payloads (a signed BAP), so that
/// central receives it; on the office's disk it stays sealed. (The same opener the
/// stand-alone agent and `loket sync run` use.)
pub use loket_sync::HubOpener;

/// The running engine and the tasks that tie it to the hub.
pub struct HubSync {
    handle: SyncHandle,
    tasks: Vec<JoinHandle<()>>,
}

impl HubSync {
    /// Stops the engine (an upload in flight is abandoned and resumes next time).
    pub async fn stop(self) {
        for t in &self.tasks {
            t.abort();
        }
        self.handle.stop().await;
    }
}

/// Starts sync for the hub if its data folder is enrolled. Never fails the hub: what goes
/// wrong is logged and shown in the sync status.
pub async fn start(hub: &Hub, data_dir: &Path) -> Option<HubSync> {
    let settings = match SyncSettings::load(data_dir) {
        Ok(Some(s)) => s,
        Ok(None) => {
            hub.set_sync_status(SyncView::not_enrolled());
            println!(
                "Sinkronisasi: hub belum terdaftar di pusat (`loket sync enrol`). / Sync: the hub is not enrolled with central (`loket sync enrol`)."
            );
            return None;
        }
        Err(e) => {
            fail(hub, None, &e.to_string());
            return None;
        }
    };
    if settings.office != hub.config().office_code {
        let msg = format!(
            "Kode kantor hub ({hub_code}) berbeda dengan pendaftaran sinkronisasi ({sync_code}); sinkronisasi tidak berjalan. Samakan office_code di loket.toml atau daftar ulang dengan `loket sync enrol`. / The hub's office code ({hub_code}) differs from the sync enrolment ({sync_code}); sync is not running. Make office_code in loket.toml match, or enrol again with `loket sync enrol`.",
            hub_code = hub.config().office_code,
            sync_code = settings.office,
        );
        fail(hub, Some(&settings), &msg);
        return None;
    }
    match run(hub, data_dir, &settings).await {
        Ok(sync) => {
            println!(
                "Sinkronisasi dengan pusat: kantor {0} -> {1} / Syncing with central: office {0} -> {1}",
                settings.office, settings.central
            );
            Some(sync)
        }
        Err(e) => {
            fail(hub, Some(&settings), &format!("{e:#}"));
            None
        }
    }
}

fn fail(hub: &Hub, settings: Option<&SyncSettings>, message: &str) {
    tracing::error!(error = %message, "sync is not running");
    eprintln!("loket: {message}");
    hub.set_sync_status(SyncView {
        enrolled: settings.is_some(),
        office: settings.map(|s| s.office.clone()),
        central: settings.map(|s| s.central.clone()),
        link: SyncLink::Refused,
        last_error: Some(message.to_string()),
        ..SyncView::default()
    });
}

async fn run(hub: &Hub, data_dir: &Path, settings: &SyncSettings) -> anyhow::Result<HubSync> {
    let key = load_key(data_dir)?;
    let client = CentralClient::new(
        &settings.central,
        &settings.office,
        key,
        &settings.client_options()?,
    )?;
    let db = data_dir.join(loket_hub::db::DB_FILE_NAME);
    let ledger = Arc::new(
        SqliteLedger::open(&db)
            .await
            .with_context(|| format!("opening {} for sync", db.display()))?
            .with_opener(Arc::new(HubOpener(hub.sealer().clone()))),
    );
    // What was persisted, until the engine's first report.
    let first = SyncStatus::from_ledger(ledger.as_ref(), Some(settings.central.clone())).await?;
    hub.set_sync_status(view(settings, &first, conflicts(&ledger).await));

    let handle = SyncEngine::new(ledger.clone(), client, settings.engine_config()).spawn();
    let mut tasks = Vec::new();

    let nudger = handle.nudger();
    let mut commits = hub.subscribe_commits();
    tasks.push(tokio::spawn(async move {
        while commits.changed().await.is_ok() {
            tokio::time::sleep(NUDGE_DEBOUNCE).await;
            commits.mark_unchanged();
            nudger.nudge();
        }
    }));

    let mut status = handle.subscribe();
    let (hub, settings) = (hub.clone(), settings.clone());
    tasks.push(tokio::spawn(async move {
        while status.changed().await.is_ok() {
            let s = status.borrow_and_update().clone();
            hub.set_sync_status(view(&settings, &s, conflicts(&ledger).await));
            tokio::time::sleep(STATUS_EVERY).await;
        }
    }));
    Ok(HubSync { handle, tasks })
}

async fn conflicts(ledger: &SqliteLedger) -> Vec<SyncConflict> {
    let all = ledger.conflicts().await.unwrap_or_default();
    let skip = all.len().saturating_sub(CONFLICTS_SHOWN);
    all.into_iter()
        .skip(skip)
        .map(|c| SyncConflict {
            booking_code: c.booking_id,
            rule: c.rule,
            cursor: c.cursor,
        })
        .collect()
}

/// The engine's status in the hub's terms.
fn view(settings: &SyncSettings, s: &SyncStatus, conflicts: Vec<SyncConflict>) -> SyncView {
    SyncView {
        enrolled: true,
        office: Some(settings.office.clone()),
        central: Some(settings.central.clone()),
        link: match s.link {
            LinkState::Unknown => SyncLink::Unknown,
            LinkState::Up => SyncLink::Up,
            LinkState::Down => SyncLink::Down,
            LinkState::CentralUnavailable => SyncLink::CentralUnavailable,
            LinkState::Refused => SyncLink::Refused,
        },
        pending_events: s.pending.events,
        pending_event_bytes: s.pending.event_bytes,
        pending_blobs: s.pending.blobs,
        pending_blob_bytes: s.pending.blob_bytes,
        pending_bytes: s.pending_bytes,
        last_success: s.last_success,
        last_attempt: s.last_attempt,
        last_error: s.last_error.clone(),
        next_retry_at: s.next_retry_at,
        acked_seq: s.acked_seq,
        feed_cursor: s.feed_cursor,
        errors: s
            .errors
            .iter()
            .map(|e| SyncItemError {
                item: e.item.clone(),
                reason: e.reason.clone(),
                at: e.at,
            })
            .collect(),
        conflicts,
    }
}
