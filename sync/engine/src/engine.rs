//! [`SyncEngine`]: the background task that uploads the outbox and blobs, pulls the change
//! feed, and watches the link. Counters never wait on it: the hub only writes its outbox
//! and, optionally, nudges the engine.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use loket_sync_protocol::{EventOutcome, MAX_BATCH_BLOBS};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};

use crate::client::{CentralClient, ClientError};
use crate::ledger::{ItemError, LedgerError, LinkRecord, OfficeLedger, Pending, PendingBlob};

/// State of the link to central, as the UI shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Not tried yet.
    #[default]
    Unknown,
    /// The last round went through.
    Up,
    /// Central could not be reached.
    Down,
    /// Central answered but failed (5xx, storage full).
    CentralUnavailable,
    /// Central refused this office (not enrolled, bad key, clock off).
    Refused,
}

/// Everything the UI and `loket sync status` show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Link state.
    pub link: LinkState,
    /// Central's URL, when configured.
    pub central: Option<String>,
    /// What waits to go up.
    pub pending: Pending,
    /// `pending.event_bytes + pending.blob_bytes`.
    pub pending_bytes: u64,
    /// Last time a whole round succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// Last time a round was tried.
    pub last_attempt: Option<DateTime<Utc>>,
    /// Why the last round failed.
    pub last_error: Option<String>,
    /// When the engine tries again after a failure.
    pub next_retry_at: Option<DateTime<Utc>>,
    /// Highest outbox seq central acknowledged.
    pub acked_seq: i64,
    /// Change feed cursor.
    pub feed_cursor: i64,
    /// Items that failed for good, with the reason.
    pub errors: Vec<ItemError>,
}

impl SyncStatus {
    /// Reads the persisted status from a ledger (no engine needed).
    pub async fn from_ledger<L: OfficeLedger + ?Sized>(
        ledger: &L,
        central: Option<String>,
    ) -> Result<SyncStatus, LedgerError> {
        let link = ledger.load_link().await?;
        let pending = ledger.pending().await?;
        Ok(SyncStatus {
            link: link.link,
            central,
            pending,
            pending_bytes: pending.event_bytes + pending.blob_bytes,
            last_success: link.last_success,
            last_attempt: link.last_attempt,
            last_error: link.last_error,
            next_retry_at: None,
            acked_seq: ledger.acked_seq().await?,
            feed_cursor: ledger.feed_cursor().await?,
            errors: ledger.item_errors().await?,
        })
    }
}

/// Tuning of the engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Most events per upload.
    pub event_batch: usize,
    /// Blob chunk size in bytes.
    pub blob_chunk: usize,
    /// Blobs uploaded concurrently.
    pub blob_parallelism: usize,
    /// Feed page size.
    pub feed_page: i64,
    /// Pause between rounds when all is synced.
    pub poll_interval: Duration,
    /// First retry delay after a failure.
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// How long the office keeps the local copy of a blob (photo, fingerprints) after
    /// central confirmed it; `None` keeps it for ever.
    pub retention: Option<Duration>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            event_batch: 500,
            blob_chunk: 1024 * 1024,
            blob_parallelism: 4,
            feed_page: 500,
            poll_interval: Duration::from_secs(30),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            retention: Some(Duration::from_secs(30 * 24 * 3600)),
        }
    }
}

/// Why a round stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Talking to central failed.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The office database failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Central's answer did not match the request.
    #[error("Jawaban pusat tidak sesuai: {0} / Central's answer does not match: {0}")]
    Mismatch(String),
}

impl SyncError {
    fn link_state(&self) -> LinkState {
        match self {
            SyncError::Client(ClientError::Network(_)) => LinkState::Down,
            SyncError::Client(ClientError::Refused { .. } | ClientError::Config(_)) => {
                LinkState::Refused
            }
            SyncError::Client(_) | SyncError::Mismatch(_) => LinkState::CentralUnavailable,
            // The link itself may be fine; say what we know.
            SyncError::Ledger(_) => LinkState::Unknown,
        }
    }
}

/// What one round moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Events acknowledged.
    pub events: u64,
    /// Blobs completed.
    pub blobs: u64,
    /// Blob bytes sent.
    pub blob_bytes: u64,
    /// Changes pulled.
    pub changes: u64,
    /// Local blob copies deleted after central confirmed them and the retention passed.
    pub purged: u64,
}

/// Delay before retry number `attempt` (0-based): exponential from `base`, capped at `max`,
/// with "equal jitter" (uniform in the upper half) so 150 offices do not retry in step.
pub fn backoff_delay(attempt: u32, base: Duration, max: Duration, unit_random: f64) -> Duration {
    let exp = base.saturating_mul(1u32.checked_shl(attempt.min(30)).unwrap_or(u32::MAX));
    let capped = exp.min(max);
    let r = unit_random.clamp(0.0, 1.0);
    capped.mul_f64(0.5 + 0.5 * r)
}

/// Blobs at most this big go up several to a request.
const BATCH_BLOB_MAX: u64 = 256 * 1024;

/// Most confirmed blobs recorded in one local commit.
const MARK_BATCH: usize = 64;
/// Longest a confirmed blob waits to be recorded locally while uploads go on.
const MARK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// The sync engine for one office.
pub struct SyncEngine<L: OfficeLedger> {
    ledger: Arc<L>,
    client: CentralClient,
    config: EngineConfig,
    status: watch::Sender<SyncStatus>,
    /// Central takes blob batches (cleared when it answers that it has no such route).
    batches: std::sync::atomic::AtomicBool,
}

/// Control of a running engine.
pub struct SyncHandle {
    status: watch::Receiver<SyncStatus>,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

/// Asks a running engine for a round (cheap to clone; hand it to whatever commits).
#[derive(Clone)]
pub struct Nudger(Arc<Notify>);

impl Nudger {
    /// Asks for a round now (see [`SyncHandle::nudge`]). Never blocks.
    pub fn nudge(&self) {
        self.0.notify_one();
    }
}

impl SyncHandle {
    /// A nudger for this engine.
    pub fn nudger(&self) -> Nudger {
        Nudger(self.wake.clone())
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every status change (for the UI's live view).
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Asks for a round now (the hub calls it after writing its outbox). Never blocks.
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Stops the engine and waits for it (an upload in flight is abandoned; it resumes
    /// from the last acknowledgement next time).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.wake.notify_one();
        let _ = self.task.await;
    }
}

impl<L: OfficeLedger> SyncEngine<L> {
    /// An engine over a ledger and a client.
    pub fn new(ledger: Arc<L>, client: CentralClient, config: EngineConfig) -> Self {
        let (status, _) = watch::channel(SyncStatus {
            central: Some(client.base().to_string()),
            ..SyncStatus::default()
        });
        SyncEngine {
            ledger,
            client,
            config,
            status,
            batches: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// Runs rounds until everything pending at the start has gone up and the feed is
    /// drained. Returns what moved.
    pub async fn sync_once(&self) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport::default();
        self.upload_events(&mut report).await?;
        self.upload_blobs(&mut report).await?;
        if let Some(retention) = self.config.retention {
            let cutoff = chrono::Duration::from_std(retention)
                .ok()
                .and_then(|r| chrono::Utc::now().checked_sub_signed(r));
            if let Some(cutoff) = cutoff {
                report.purged = self.ledger.purge_confirmed_blobs(cutoff).await?;
            }
        }
        self.pull_feed(&mut report).await?;
        // Conflicts found while pulling add events: send them in the same round.
        self.upload_events(&mut report).await?;
        Ok(report)
    }

    async fn upload_events(&self, report: &mut RoundReport) -> Result<(), SyncError> {
        loop {
            let acked = self.ledger.acked_seq().await?;
            let events = self
                .ledger
                .events_after(acked, self.config.event_batch)
                .await?;
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(());
            };
            let answer = self.client.upload_events(&events).await?;
            // Every event must be accounted for before the acknowledgement moves.
            let all_answered = events.iter().all(|e| {
                answer
                    .acks
                    .iter()
                    .any(|a| a.event_id == e.event_id && a.seq == e.seq)
            });
            if !all_answered {
                return Err(SyncError::Mismatch("missing event acks".into()));
            }
            let rejected: Vec<_> = answer
                .acks
                .iter()
                .filter(|a| a.outcome == EventOutcome::Rejected)
                .cloned()
                .collect();
            if !rejected.is_empty() {
                tracing::warn!(count = rejected.len(), "central rejected events");
            }
            self.ledger.record_ack(last, &rejected).await?;
            report.events += events.len() as u64;
            self.refresh_pending().await;
        }
    }

    async fn upload_blobs(&self, report: &mut RoundReport) -> Result<(), SyncError> {
        use futures_util::StreamExt;
        use futures_util::stream::FuturesUnordered;

        let pending = self.ledger.pending_blobs().await?;
        let parallel = self.config.blob_parallelism.max(1);
        let units = self.upload_units(&pending);
        let mut queue = units.iter();
        let mut in_flight = FuturesUnordered::new();
        // Blobs central confirmed, acknowledged locally in one commit per batch. A blob
        // confirmed but not yet recorded (the hub stopped in between) goes up once more
        // and central answers that it holds it: harmless.
        let mut confirmed: Vec<String> = Vec::new();
        let mut last_mark = std::time::Instant::now();
        let mut failure = None;
        loop {
            // A window of uploads in flight: a slow one does not hold the others back.
            while failure.is_none() && in_flight.len() < parallel {
                let Some(unit) = queue.next() else { break };
                in_flight.push(self.upload_unit(unit));
            }
            let Some(result) = in_flight.next().await else {
                break;
            };
            let results = match result {
                Ok(results) => results,
                // Start nothing new; let the uploads in flight finish, keep what they did.
                Err(e) => {
                    failure.get_or_insert(e);
                    Vec::new()
                }
            };
            for (blob, result) in results {
                let item = format!("blob:{}", blob.sha256);
                match result {
                    Ok(sent) => {
                        confirmed.push(blob.sha256.clone());
                        report.blobs += 1;
                        report.blob_bytes += sent;
                    }
                    // This blob cannot go up as it is; others may.
                    Err(SyncError::Ledger(e @ LedgerError::BlobUnreadable { .. })) => {
                        self.ledger.record_item_error(&item, &e.to_string()).await?;
                    }
                    Err(SyncError::Client(ClientError::Refused { code, message, .. }))
                        if code == "hash_mismatch" || code == "bad_range" =>
                    {
                        self.ledger.record_item_error(&item, &message).await?;
                    }
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                }
            }
            if confirmed.len() >= MARK_BATCH
                || (!confirmed.is_empty() && last_mark.elapsed() >= MARK_INTERVAL)
            {
                self.ledger.mark_blobs_uploaded(&confirmed).await?;
                confirmed.clear();
                last_mark = std::time::Instant::now();
                self.refresh_pending().await;
            }
        }
        self.ledger.mark_blobs_uploaded(&confirmed).await?;
        self.refresh_pending().await;
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Groups pending blobs into uploads: small ones several to a request (up to
    /// [`MAX_BATCH_BLOBS`] or a chunk's worth of bytes), large ones alone (chunked).
    fn upload_units<'a>(&self, pending: &'a [PendingBlob]) -> Vec<Vec<&'a PendingBlob>> {
        let chunk = self.config.blob_chunk.max(1) as u64;
        let small = BATCH_BLOB_MAX.min(chunk);
        let mut units = Vec::new();
        let mut batch: Vec<&PendingBlob> = Vec::new();
        let mut batch_bytes = 0u64;
        for blob in pending {
            if blob.size > small {
                units.push(vec![blob]);
                continue;
            }
            if !batch.is_empty()
                && (batch.len() >= MAX_BATCH_BLOBS || batch_bytes + blob.size > chunk)
            {
                units.push(std::mem::take(&mut batch));
                batch_bytes = 0;
            }
            batch.push(blob);
            batch_bytes += blob.size;
        }
        if !batch.is_empty() {
            units.push(batch);
        }
        units
    }

    /// Uploads one unit of [`SyncEngine::upload_units`]: each blob with its own outcome;
    /// `Err` when the request itself failed (nothing is known of its blobs).
    async fn upload_unit<'a>(
        &self,
        unit: &[&'a PendingBlob],
    ) -> Result<Vec<(&'a PendingBlob, Result<u64, SyncError>)>, SyncError> {
        let mut out = Vec::with_capacity(unit.len());
        if unit.len() == 1 || !self.batches.load(std::sync::atomic::Ordering::Relaxed) {
            for blob in unit {
                out.push((*blob, self.upload_blob(blob).await));
            }
            return Ok(out);
        }
        let mut bodies = Vec::with_capacity(unit.len());
        for blob in unit {
            let len = usize::try_from(blob.size).unwrap_or(usize::MAX);
            match self.ledger.read_blob(&blob.sha256, 0, len).await {
                Ok(bytes) if bytes.len() == len => bodies.push((*blob, bytes)),
                Ok(_) => out.push((
                    *blob,
                    Err(SyncError::Ledger(LedgerError::BlobUnreadable {
                        sha256: blob.sha256.clone(),
                        reason: "file shorter than registered".into(),
                    })),
                )),
                Err(e @ LedgerError::BlobUnreadable { .. }) => out.push((*blob, Err(e.into()))),
                Err(e) => return Err(e.into()),
            }
        }
        if bodies.is_empty() {
            return Ok(out);
        }
        let parts: Vec<(&str, &[u8])> = bodies
            .iter()
            .map(|(blob, bytes)| (blob.sha256.as_str(), bytes.as_slice()))
            .collect();
        let answer = match self.client.put_blob_batch(&parts).await {
            Ok(answer) => answer,
            // A central without batch uploads (no such route): one request per blob.
            Err(ClientError::Refused {
                status: 404 | 405,
                code,
                ..
            }) if code == "http" => {
                self.batches
                    .store(false, std::sync::atomic::Ordering::Relaxed);
                for (blob, _) in &bodies {
                    out.push((*blob, self.upload_blob(blob).await));
                }
                return Ok(out);
            }
            Err(e) => return Err(e.into()),
        };
        if answer.blobs.len() != bodies.len() {
            return Err(SyncError::Mismatch("blob batch answer length".into()));
        }
        for ((blob, _), outcome) in bodies.iter().zip(answer.blobs) {
            if outcome.sha256 != blob.sha256 {
                return Err(SyncError::Mismatch("blob batch answer order".into()));
            }
            let result = match (outcome.complete, outcome.error) {
                (true, _) => Ok(blob.size),
                (false, Some(e)) => Err(SyncError::Client(ClientError::Refused {
                    status: 422,
                    code: e.code,
                    message: e.message,
                })),
                (false, None) => {
                    return Err(SyncError::Mismatch(format!(
                        "blob {} not stored",
                        &blob.sha256[..12.min(blob.sha256.len())]
                    )));
                }
            };
            out.push((*blob, result));
        }
        Ok(out)
    }

    /// Uploads one blob, resuming where central's copy ends. Returns bytes sent.
    async fn upload_blob(&self, blob: &PendingBlob) -> Result<u64, SyncError> {
        let chunk = self.config.blob_chunk.max(1) as u64;
        let mut offset = 0u64;
        if blob.size > chunk {
            // Large: ask first, it may be partly (or wholly) there after a cut.
            let status = self.client.blob_status(&blob.sha256).await?;
            if status.complete {
                return Ok(0);
            }
            offset = status.received.min(blob.size);
        }
        let mut sent = 0u64;
        let mut stalls = 0;
        loop {
            let len = (blob.size - offset).min(chunk) as usize;
            let bytes = self.ledger.read_blob(&blob.sha256, offset, len).await?;
            if bytes.len() != len {
                return Err(SyncError::Ledger(LedgerError::BlobUnreadable {
                    sha256: blob.sha256.clone(),
                    reason: "file shorter than registered".into(),
                }));
            }
            let status = self
                .client
                .put_blob_chunk(&blob.sha256, offset, bytes, blob.size)
                .await?;
            sent += len as u64;
            if status.complete {
                return Ok(sent);
            }
            if status.received <= offset {
                stalls += 1;
                if stalls > 3 {
                    return Err(SyncError::Mismatch(format!(
                        "blob {} does not advance",
                        &blob.sha256[..12.min(blob.sha256.len())]
                    )));
                }
            } else {
                stalls = 0;
            }
            offset = status.received.min(blob.size);
        }
    }

    async fn pull_feed(&self, report: &mut RoundReport) -> Result<(), SyncError> {
        loop {
            let cursor = self.ledger.feed_cursor().await?;
            let page = self.client.feed(cursor, self.config.feed_page).await?;
            if page.changes.is_empty() {
                return Ok(());
            }
            if page.changes.iter().any(|c| c.cursor <= cursor) || page.next_cursor <= cursor {
                return Err(SyncError::Mismatch("feed went backwards".into()));
            }
            let applied = self
                .ledger
                .apply_changes(self.client.office(), &page.changes, page.next_cursor)
                .await?;
            if applied.conflicts > 0 || applied.refused > 0 {
                tracing::info!(
                    conflicts = applied.conflicts,
                    refused = applied.refused,
                    "feed conflicts"
                );
            }
            report.changes += page.changes.len() as u64;
            if !page.more {
                return Ok(());
            }
        }
    }

    async fn refresh_pending(&self) {
        if let Ok(pending) = self.ledger.pending().await {
            self.status.send_modify(|s| {
                s.pending = pending;
                s.pending_bytes = pending.event_bytes + pending.blob_bytes;
            });
        }
    }

    async fn publish(&self, link: &LinkRecord, next_retry_at: Option<DateTime<Utc>>) {
        if let Err(e) = self.ledger.save_link(link).await {
            tracing::warn!(error = %e, "could not save link state");
        }
        let central = Some(self.client.base().to_string());
        match SyncStatus::from_ledger(self.ledger.as_ref(), central).await {
            Ok(mut status) => {
                status.next_retry_at = next_retry_at;
                self.status.send_replace(status);
            }
            Err(e) => tracing::warn!(error = %e, "could not read sync status"),
        }
    }

    /// Starts the engine as a background task.
    pub fn spawn(self) -> SyncHandle {
        let wake = Arc::new(Notify::new());
        let (stop_tx, stop_rx) = watch::channel(false);
        let status_rx = self.status.subscribe();
        let task_wake = wake.clone();
        let task = tokio::spawn(async move { self.run(task_wake, stop_rx).await });
        SyncHandle {
            status: status_rx,
            wake,
            stop: stop_tx,
            task,
        }
    }

    async fn run(self, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        let mut link = self.ledger.load_link().await.unwrap_or_default();
        let mut failures: u32 = 0;
        loop {
            if *stop.borrow() {
                return;
            }
            link.last_attempt = Some(Utc::now());
            let round = tokio::select! {
                r = self.sync_once() => r,
                _ = stop.changed() => return,
            };
            let pause = match round {
                Ok(_) => {
                    failures = 0;
                    link.link = LinkState::Up;
                    link.last_success = Some(Utc::now());
                    link.last_error = None;
                    self.publish(&link, None).await;
                    self.config.poll_interval
                }
                Err(e) => {
                    let delay = backoff_delay(
                        failures,
                        self.config.backoff_base,
                        self.config.backoff_max,
                        rand::random::<f64>(),
                    );
                    failures = failures.saturating_add(1);
                    link.link = e.link_state();
                    link.last_error = Some(e.to_string());
                    tracing::info!(link = ?link.link, retry_in_ms = delay.as_millis() as u64, "sync round failed");
                    let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
                    self.publish(&link, Some(next)).await;
                    delay
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                // A nudge only shortens the pause when the link is up: after a failure
                // the backoff holds, so a busy counter cannot hammer a struggling central.
                _ = wake.notified(), if failures == 0 => {}
                _ = stop.changed() => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn backoff_grows_stays_capped_and_jitters_in_the_upper_half(attempt in 0u32..100, r in 0.0f64..=1.0) {
            let base = Duration::from_millis(100);
            let max = Duration::from_secs(60);
            let d = backoff_delay(attempt, base, max, r);
            let cap = base.saturating_mul(1u32.checked_shl(attempt.min(30)).unwrap_or(u32::MAX)).min(max);
            prop_assert!(d <= cap);
            prop_assert!(d >= cap / 2);
        }
    }

    #[test]
    fn backoff_doubles() {
        let b = Duration::from_secs(1);
        let m = Duration::from_secs(300);
        assert_eq!(backoff_delay(0, b, m, 1.0), Duration::from_secs(1));
        assert_eq!(backoff_delay(3, b, m, 1.0), Duration::from_secs(8));
        assert_eq!(backoff_delay(20, b, m, 1.0), m);
        assert_eq!(backoff_delay(3, b, m, 0.0), Duration::from_secs(4));
    }
}
