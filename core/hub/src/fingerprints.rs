//! Fingerprint sessions stored with the visit (issue 4).
//!
//! The reader is on the counter PC (the desktop app drives it with `loket-fingerprint`);
//! the counter posts the finished session here: per planned finger either the print (WSQ,
//! with its quality score and attempts) or an exception with its reason and, where the
//! office's `[fingerprints]` settings require it, the supervisor who confirmed it (their
//! own user name and password, checked by a log-in that is ended at once, as for a BAP).
//!
//! The hub checks the session with `loket_fingerprint_formats::session` (the same model the
//! counter used): every planned finger is captured or an exception, no finger outside the
//! plan or twice, exceptions have reasons, supervisors confirmed where required (and not
//! the officer who recorded the exception), every image is a WSQ file that decodes. Then, in
//! one transaction: each image is sealed ([`crate::seal`], context
//! `fingerprint_images:<row id>`) into `<data>/biometrics/fingerprints/<sha256>.lks` and
//! registered in `sync_blobs` (the sealed file is the blob that syncs); the session itself
//! is sealed into `fingerprint_sessions.content`; a `capture_stored` outbox event carries
//! the metadata; one audit row.
//!
//! The hub never gives images back over the LAN API: `GET` answers status and quality per
//! finger, to officers only (kiosk and display tokens are refused by the route's right).
//!
//! Browsers have no USB: in demo mode the `loket` binary plugs the simulated reader in as a
//! [`FingerprintDevice`] behind `POST /api/v1/devices/simulated-fingerprint/capture`
//! (without one that route answers 404 `fingerprint_reader_off`).

use crate::auth::Principal;
use crate::bap::Approver;
use crate::error::{HubError, Result};
use crate::hub::Hub;
use crate::seal::row_context;
use crate::store;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use loket_domain::{Action, Role};
use loket_fingerprint_formats::session::{
    CapturePolicy, CapturedPrint, ExceptionKind, Finger, FingerStatus, FingerprintSession,
    SessionError, SessionPolicy,
};
use loket_fingerprint_formats::wsq;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;

/// Folder of the sealed fingerprint files, under the data folder.
pub const IMAGES_DIR: &str = "biometrics/fingerprints";

/// Largest WSQ file accepted per finger (a 500 ppi flat print is a few tens of KiB).
pub const MAX_WSQ_BYTES: usize = 2 * 1024 * 1024;

/// Largest image accepted per finger, in pixels (a 1600 x 1500 rolled print at 500 ppi).
pub const MAX_PIXELS: u64 = 1600 * 1500;

/// One finger of `PUT /visits/{id}/fingerprints`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum FingerInput {
    /// The print, as the reader's capture loop kept it.
    Captured {
        /// Which finger.
        finger: Finger,
        /// The image as a WSQ file, base64.
        wsq: String,
        /// Quality score 0-100 the counter measured.
        score: u8,
        /// Captures made for this finger (default 1).
        #[serde(default = "one")]
        attempts: u8,
        /// When it was captured (default: when saved).
        #[serde(default)]
        captured_at: Option<DateTime<Utc>>,
    },
    /// The finger cannot be captured.
    Exception {
        /// Which finger.
        finger: Finger,
        /// Missing, bandaged or unusable.
        kind: ExceptionKind,
        /// Why, in words (required).
        reason: String,
        /// The supervisor who confirms (user name and password, or token).
        #[serde(default)]
        supervisor: Option<Approver>,
    },
    /// The print this finger has in the visit's session saved before stays (a correction
    /// of other fingers does not need the image again).
    Kept {
        /// Which finger.
        finger: Finger,
    },
}

fn one() -> u8 {
    1
}

impl FingerInput {
    fn finger(&self) -> Finger {
        match self {
            FingerInput::Captured { finger, .. }
            | FingerInput::Exception { finger, .. }
            | FingerInput::Kept { finger } => *finger,
        }
    }
}

/// `PUT /visits/{id}/fingerprints`: the whole session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveFingerprints {
    /// Every finger of the office's plan.
    pub fingers: Vec<FingerInput>,
}

/// The office's settings as the counter needs them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyView {
    /// Fingers to take, in capture order.
    pub plan: Vec<Finger>,
    /// Capture threshold, retry limit, finger timeout.
    pub capture: CapturePolicy,
    /// Exception kinds a supervisor must confirm.
    pub supervisor_confirms: Vec<ExceptionKind>,
}

/// One finger as officers see it (never the image).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FingerView {
    /// Which finger.
    pub finger: Finger,
    /// ISO/IEC 19794-4 position 1-10.
    pub position: u8,
    /// Its name in Bahasa Indonesia.
    pub label_id: String,
    /// `pending`, `captured` or `exception`.
    pub status: String,
    /// Quality score (captured).
    pub score: Option<u8>,
    /// Captures made (captured).
    pub attempts: Option<u8>,
    /// Whether the score reached the office's threshold (captured).
    pub met_threshold: Option<bool>,
    /// Exception kind.
    pub kind: Option<ExceptionKind>,
    /// Exception reason.
    pub reason: Option<String>,
    /// Who recorded the exception.
    pub recorded_by: Option<String>,
    /// Who confirmed the exception.
    pub confirmed_by: Option<String>,
}

/// `GET /visits/{id}/fingerprints` (and the answer of `PUT`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FingerprintsView {
    /// The visit.
    pub visit_id: i64,
    /// The stored session in force (`None`: nothing saved yet).
    pub session_id: Option<i64>,
    /// When it was saved.
    pub saved_at: Option<DateTime<Utc>>,
    /// Who saved it.
    pub saved_by: Option<String>,
    /// Every planned finger captured or excepted (and confirmed where required).
    pub complete: bool,
    /// The office's settings (what the counter's step follows).
    pub policy: PolicyView,
    /// Per finger, in plan order.
    pub fingers: Vec<FingerView>,
    /// Whether this hub offers its simulated reader (demo mode): what a browser without
    /// the desktop app captures with.
    pub simulated_reader: bool,
}

/// What a reader the hub offers returns: the kept print and how the capture loop went.
/// The desktop app's `fingerprint_capture` command answers the same shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceCapture {
    /// Reader name.
    pub reader: String,
    /// Which finger.
    pub finger: Finger,
    /// The kept image as WSQ, base64 (what `PUT .../fingerprints` takes).
    pub wsq: String,
    /// The kept image as a PNG data URL, for the preview.
    pub preview: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resolution.
    pub ppi: u16,
    /// Quality score 0-100 of the kept image.
    pub score: u8,
    /// Captures made.
    pub attempts: u8,
    /// Whether the kept image reached the threshold.
    pub met_threshold: bool,
    /// The score of each attempt, in order.
    pub attempt_scores: Vec<u8>,
}

/// A reader failure, already in both languages (the reader driver's own message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFailure {
    /// Stable code: `no_device`, `unplugged`, `timeout`, `permission_denied`, `protocol`...
    pub code: String,
    /// Bahasa Indonesia.
    pub message_id: String,
    /// English.
    pub message_en: String,
}

/// A fingerprint reader the hub itself offers (the demo's simulated reader). Blocking: the
/// hub calls it on a blocking thread.
pub trait FingerprintDevice: Send + Sync + 'static {
    /// Runs the capture loop for `finger` under `policy` and returns the best print.
    fn capture(
        &self,
        finger: Finger,
        policy: &CapturePolicy,
    ) -> std::result::Result<DeviceCapture, DeviceFailure>;
}

/// The devices plugged into the router ([`crate::api::router_with`]).
#[derive(Clone, Default)]
pub struct Devices {
    /// The simulated fingerprint reader (demo mode only).
    pub simulated_fingerprint: Option<Arc<dyn FingerprintDevice>>,
}

impl std::fmt::Debug for Devices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Devices")
            .field(
                "simulated_fingerprint",
                &self.simulated_fingerprint.is_some(),
            )
            .finish()
    }
}

/// `POST /devices/simulated-fingerprint/capture`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceCaptureRequest {
    /// Which finger.
    pub finger: Finger,
}

/// Why a session (or a capture) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FingerprintProblem {
    /// Fingers of the plan neither captured nor excepted (or waiting for a supervisor).
    Incomplete(Vec<Finger>),
    /// A finger outside the office's plan.
    NotInPlan(Finger),
    /// A finger sent twice.
    Duplicate(Finger),
    /// An exception without a reason.
    EmptyReason(Finger),
    /// An exception the office wants confirmed, without a supervisor's log-in.
    SupervisorRequired(Finger),
    /// The confirming account is not a supervisor or the head.
    NotASupervisor(Finger),
    /// The officer who recorded the exception tried to confirm it.
    SelfConfirmation(Finger),
    /// The image is not a WSQ file that decodes, or too large.
    BadImage(Finger),
    /// "Kept" for a finger without a print in the session saved before.
    NothingKept(Finger),
    /// A score above 100.
    BadScore(Finger),
    /// No simulated reader (the hub does not run in demo mode).
    ReaderOff,
    /// The reader failed.
    Reader(DeviceFailure),
}

fn finger_names(fingers: &[Finger]) -> String {
    fingers
        .iter()
        .map(|f| f.label_id())
        .collect::<Vec<_>>()
        .join(", ")
}

fn finger_en(finger: Finger) -> String {
    serde_json::to_value(finger)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

impl FingerprintProblem {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            FingerprintProblem::Incomplete(_) => "fingerprints_incomplete",
            FingerprintProblem::NotInPlan(_) => "finger_not_in_plan",
            FingerprintProblem::Duplicate(_) => "finger_duplicate",
            FingerprintProblem::EmptyReason(_) => "finger_exception_reason_missing",
            FingerprintProblem::SupervisorRequired(_) => "finger_exception_needs_supervisor",
            FingerprintProblem::NotASupervisor(_) => "finger_exception_not_supervisor",
            FingerprintProblem::SelfConfirmation(_) => "finger_exception_self_confirmed",
            FingerprintProblem::BadImage(_) => "fingerprint_image_invalid",
            FingerprintProblem::NothingKept(_) => "fingerprint_nothing_kept",
            FingerprintProblem::BadScore(_) => "fingerprint_score_invalid",
            FingerprintProblem::ReaderOff => "fingerprint_reader_off",
            FingerprintProblem::Reader(_) => "fingerprint_reader_failed",
        }
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            FingerprintProblem::ReaderOff => 404,
            FingerprintProblem::Reader(_) => 503,
            _ => 422,
        }
    }

    /// Bahasa Indonesia, saying what to do.
    pub fn message_id(&self) -> String {
        match self {
            FingerprintProblem::Incomplete(f) => format!(
                "Sidik jari belum lengkap: {}. Ambil sidik jarinya atau catat pengecualian (dengan konfirmasi supervisor bila diminta), lalu simpan lagi.",
                finger_names(f)
            ),
            FingerprintProblem::NotInPlan(f) => format!(
                "{} tidak termasuk rencana pengambilan kantor ini. Muat ulang langkah sidik jari.",
                f.label_id()
            ),
            FingerprintProblem::Duplicate(f) => format!(
                "{} terkirim dua kali. Muat ulang langkah sidik jari lalu simpan lagi.",
                f.label_id()
            ),
            FingerprintProblem::EmptyReason(f) => format!(
                "Alasan pengecualian {} wajib diisi. Tulis alasannya lalu simpan lagi.",
                f.label_id()
            ),
            FingerprintProblem::SupervisorRequired(f) => format!(
                "Pengecualian {} harus dikonfirmasi supervisor: minta supervisor mengetik nama pengguna dan kata sandinya.",
                f.label_id()
            ),
            FingerprintProblem::NotASupervisor(f) => format!(
                "Akun yang mengonfirmasi pengecualian {} bukan supervisor atau kepala kantor. Minta supervisor mengonfirmasi.",
                f.label_id()
            ),
            FingerprintProblem::SelfConfirmation(f) => format!(
                "Pengecualian {} harus dikonfirmasi supervisor lain, bukan petugas yang mencatatnya.",
                f.label_id()
            ),
            FingerprintProblem::BadImage(f) => format!(
                "Gambar sidik jari {} rusak atau bukan WSQ. Ambil ulang sidik jari ini.",
                f.label_id()
            ),
            FingerprintProblem::BadScore(f) => format!(
                "Nilai mutu {} tidak valid (0-100). Ambil ulang sidik jari ini.",
                f.label_id()
            ),
            FingerprintProblem::NothingKept(f) => format!(
                "{} belum punya sidik jari tersimpan untuk kunjungan ini. Ambil sidik jari ini.",
                f.label_id()
            ),
            FingerprintProblem::ReaderOff => {
                "Pembaca sidik jari simulasi hanya ada bila hub berjalan dengan data demo (loket hub --demo). Gunakan aplikasi desktop Loket dengan pembaca USB di loket."
                    .into()
            }
            FingerprintProblem::Reader(f) => f.message_id.clone(),
        }
    }

    /// English, saying what to do.
    pub fn message_en(&self) -> String {
        match self {
            FingerprintProblem::Incomplete(f) => format!(
                "Fingerprints incomplete: {}. Capture them or record an exception (confirmed by a supervisor where required), then save again.",
                f.iter().map(|f| finger_en(*f)).collect::<Vec<_>>().join(", ")
            ),
            FingerprintProblem::NotInPlan(f) => format!(
                "The {} is not in this office's finger plan. Reload the fingerprint step.",
                finger_en(*f)
            ),
            FingerprintProblem::Duplicate(f) => format!(
                "The {} was sent twice. Reload the fingerprint step and save again.",
                finger_en(*f)
            ),
            FingerprintProblem::EmptyReason(f) => format!(
                "The exception for the {} needs a reason. Write it and save again.",
                finger_en(*f)
            ),
            FingerprintProblem::SupervisorRequired(f) => format!(
                "The exception for the {} must be confirmed by a supervisor: ask them to type their user name and password.",
                finger_en(*f)
            ),
            FingerprintProblem::NotASupervisor(f) => format!(
                "The account confirming the exception for the {} is not a supervisor or the head. Ask a supervisor to confirm.",
                finger_en(*f)
            ),
            FingerprintProblem::SelfConfirmation(f) => format!(
                "The exception for the {} must be confirmed by another supervisor, not the officer who recorded it.",
                finger_en(*f)
            ),
            FingerprintProblem::BadImage(f) => format!(
                "The image of the {} is damaged or not WSQ. Capture this finger again.",
                finger_en(*f)
            ),
            FingerprintProblem::BadScore(f) => format!(
                "The quality score of the {} is not valid (0-100). Capture this finger again.",
                finger_en(*f)
            ),
            FingerprintProblem::NothingKept(f) => format!(
                "The {} has no saved print for this visit. Capture this finger.",
                finger_en(*f)
            ),
            FingerprintProblem::ReaderOff => {
                "The simulated fingerprint reader exists only when the hub runs with demo data (loket hub --demo). Use the Loket desktop app with the counter's USB reader."
                    .into()
            }
            FingerprintProblem::Reader(f) => f.message_en.clone(),
        }
    }
}

impl From<FingerprintProblem> for HubError {
    fn from(p: FingerprintProblem) -> Self {
        HubError::Fingerprint(p)
    }
}

fn policy_view(policy: &SessionPolicy) -> PolicyView {
    PolicyView {
        plan: policy.plan.clone(),
        capture: policy.capture,
        supervisor_confirms: policy.supervisor_confirms.clone(),
    }
}

fn finger_view(finger: Finger, status: Option<&FingerStatus>) -> FingerView {
    let mut view = FingerView {
        finger,
        position: finger.position_code(),
        label_id: finger.label_id().to_string(),
        status: "pending".into(),
        score: None,
        attempts: None,
        met_threshold: None,
        kind: None,
        reason: None,
        recorded_by: None,
        confirmed_by: None,
    };
    match status {
        Some(FingerStatus::Captured(p)) => {
            view.status = "captured".into();
            view.score = Some(p.score);
            view.attempts = Some(p.attempts);
            view.met_threshold = Some(p.met_threshold);
        }
        Some(FingerStatus::Exception(e)) => {
            view.status = "exception".into();
            view.kind = Some(e.kind);
            view.reason = Some(e.reason.clone());
            view.recorded_by = Some(e.recorded_by.clone());
            view.confirmed_by = e.confirmation.as_ref().map(|c| c.supervisor.clone());
        }
        _ => {}
    }
    view
}

fn view_of(
    visit_id: i64,
    stored: Option<(i64, DateTime<Utc>, String)>,
    session: &FingerprintSession,
) -> FingerprintsView {
    let fingers = session
        .policy
        .plan
        .iter()
        .copied()
        .fold(Vec::<Finger>::new(), |mut acc, f| {
            if !acc.contains(&f) {
                acc.push(f);
            }
            acc
        })
        .into_iter()
        .map(|f| finger_view(f, session.status(f)))
        .collect();
    FingerprintsView {
        visit_id,
        session_id: stored.as_ref().map(|s| s.0),
        saved_at: stored.as_ref().map(|s| s.1),
        saved_by: stored.map(|s| s.2),
        complete: session.is_complete(),
        policy: policy_view(&session.policy),
        fingers,
        simulated_reader: false,
    }
}

fn session_problem(finger: Finger, e: SessionError) -> FingerprintProblem {
    match e {
        SessionError::NotInPlan(f) => FingerprintProblem::NotInPlan(f),
        SessionError::EmptyReason => FingerprintProblem::EmptyReason(finger),
        SessionError::SelfConfirmation => FingerprintProblem::SelfConfirmation(finger),
        SessionError::NoException(f) => FingerprintProblem::NotInPlan(f),
    }
}

/// A checked print, ready to seal.
struct Print {
    finger: Finger,
    wsq: Vec<u8>,
    width: u32,
    height: u32,
    ppi: u16,
    score: u8,
}

/// Decodes a base64 WSQ file and checks that it decodes as an image of sane size.
fn check_wsq(
    finger: Finger,
    text: &str,
) -> std::result::Result<(Vec<u8>, u32, u32, u16), FingerprintProblem> {
    let bad = || FingerprintProblem::BadImage(finger);
    let text = text.trim();
    let text = text.strip_prefix("data:image/wsq;base64,").unwrap_or(text);
    if text.len() > MAX_WSQ_BYTES / 3 * 4 + 4 {
        return Err(bad());
    }
    let bytes = BASE64.decode(text).map_err(|_| bad())?;
    let header = wsq::read_header(&bytes).map_err(|_| bad())?;
    if header.width == 0
        || header.height == 0
        || u64::from(header.width) * u64::from(header.height) > MAX_PIXELS
    {
        return Err(bad());
    }
    let image = wsq::decode(&bytes).map_err(|_| bad())?;
    Ok((bytes, image.width, image.height, header.ppi.unwrap_or(500)))
}

/// `<data>/biometrics/fingerprints`, from the database's own path.
fn images_dir(hub: &Hub) -> Result<PathBuf> {
    let options = hub.inner.db.reader.connect_options();
    let data = options
        .get_filename()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let data = if data.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        data
    };
    let data = std::fs::canonicalize(&data)?;
    Ok(data.join(IMAGES_DIR))
}

fn lock_paths(paths: &Mutex<Vec<PathBuf>>) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
    // Entries are only ever whole paths, so a poisoned lock is taken over.
    paths.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes the files listed (best effort: a file that cannot be removed stays an orphan).
fn remove_files(paths: &Mutex<Vec<PathBuf>>) {
    for path in lock_paths(paths).drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// Writes a file durably (temporary name, fsync, rename, fsync of the folder), mode 0600.
async fn write_sealed_file(dir: &Path, name: &str, bytes: Vec<u8>) -> Result<PathBuf> {
    let dir = dir.to_path_buf();
    let name = name.to_string();
    let path = tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)?;
        let path = dir.join(&name);
        let tmp = dir.join(format!(".{name}.tmp"));
        let written = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = written {
            // A half-written temporary file (a full disk) is of no use to anyone.
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        if let Err(e) = std::fs::File::open(&dir).and_then(|d| d.sync_all()) {
            // Not durable, so not reported as written: no row will name it.
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Ok(path)
    })
    .await
    .map_err(|e| HubError::CommitFailed(e.to_string()))??;
    Ok(path)
}

impl Hub {
    /// The office's fingerprint settings.
    pub fn fingerprint_policy(&self) -> &SessionPolicy {
        &self.inner.config.fingerprints
    }

    /// The visit's latest stored session, opened: (id, saved at, saved by, session).
    async fn stored_session(
        &self,
        visit_id: i64,
    ) -> Result<Option<(i64, DateTime<Utc>, String, FingerprintSession)>> {
        let mut conn = self.read().await?;
        store::load_visit(&mut conn, visit_id).await?;
        let row: Option<(i64, String, String, Vec<u8>)> = sqlx::query_as(
            "SELECT id, saved_at, saved_by, content FROM fingerprint_sessions \
             WHERE visit_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(visit_id)
        .fetch_optional(&mut *conn)
        .await?;
        drop(conn);
        let Some((id, saved_at, saved_by, content)) = row else {
            return Ok(None);
        };
        let plain = self
            .sealer()
            .open(&row_context("fingerprint_sessions", id), &content)?;
        let session: FingerprintSession = serde_json::from_slice(&plain)?;
        Ok(Some((id, store::parse_ts(&saved_at)?, saved_by, session)))
    }

    /// The fingerprint session in force for a visit (all pending when none was saved), with
    /// the office's settings. Status and quality only: never the images.
    pub async fn fingerprints(&self, who: &Principal, visit_id: i64) -> Result<FingerprintsView> {
        who.authorize(Action::Serve)?;
        match self.stored_session(visit_id).await? {
            None => Ok(view_of(
                visit_id,
                None,
                &FingerprintSession::new(self.fingerprint_policy().clone()),
            )),
            Some((id, saved_at, saved_by, session)) => {
                Ok(view_of(visit_id, Some((id, saved_at, saved_by)), &session))
            }
        }
    }

    /// Checks and stores a visit's whole fingerprint session (see the module's docs).
    pub async fn save_fingerprints(
        &self,
        who: &Principal,
        visit_id: i64,
        req: SaveFingerprints,
    ) -> Result<FingerprintsView> {
        who.authorize(Action::Serve)?;
        let policy = self.fingerprint_policy().clone();
        let now = self.inner.clock.now();
        let previous = self.stored_session(visit_id).await?.map(|s| s.3);
        let mut session = FingerprintSession::new(policy.clone());
        let mut prints = Vec::new();
        let mut seen = Vec::new();
        for input in &req.fingers {
            let finger = input.finger();
            if seen.contains(&finger) {
                return Err(FingerprintProblem::Duplicate(finger).into());
            }
            seen.push(finger);
            match input {
                FingerInput::Captured {
                    wsq: text,
                    score,
                    attempts,
                    captured_at,
                    ..
                } => {
                    if session.status(finger).is_none() {
                        return Err(FingerprintProblem::NotInPlan(finger).into());
                    }
                    if *score > 100 {
                        return Err(FingerprintProblem::BadScore(finger).into());
                    }
                    let (wsq, width, height, ppi) = check_wsq(finger, text)?;
                    session
                        .record_capture(
                            finger,
                            CapturedPrint {
                                image_blob: String::new(),
                                score: *score,
                                attempts: (*attempts).max(1),
                                met_threshold: *score >= policy.capture.threshold,
                                captured_at: captured_at.unwrap_or(now).min(now),
                            },
                        )
                        .map_err(|e| session_problem(finger, e))?;
                    prints.push(Print {
                        finger,
                        wsq,
                        width,
                        height,
                        ppi,
                        score: *score,
                    });
                }
                FingerInput::Kept { .. } => {
                    let kept = previous
                        .as_ref()
                        .and_then(|p| p.status(finger))
                        .and_then(|s| match s {
                            FingerStatus::Captured(p) if !p.image_blob.is_empty() => {
                                Some(p.clone())
                            }
                            _ => None,
                        })
                        .ok_or(FingerprintProblem::NothingKept(finger))?;
                    session
                        .record_capture(finger, kept)
                        .map_err(|e| session_problem(finger, e))?;
                }
                FingerInput::Exception {
                    kind,
                    reason,
                    supervisor,
                    ..
                } => {
                    session
                        .record_exception(finger, *kind, reason, &who.name, now)
                        .map_err(|e| session_problem(finger, e))?;
                    let required = policy.supervisor_confirms.contains(kind);
                    if supervisor.is_none() && !required {
                        continue;
                    }
                    let Some(given) = supervisor else {
                        return Err(FingerprintProblem::SupervisorRequired(finger).into());
                    };
                    let approver = match self.approver(who, Some(given)).await {
                        Ok(Some(a)) => a,
                        Ok(None) | Err(HubError::ApproverRequired) => {
                            return Err(FingerprintProblem::SupervisorRequired(finger).into());
                        }
                        Err(e) => return Err(e),
                    };
                    if !matches!(approver.role, Role::Supervisor | Role::Head) {
                        return Err(FingerprintProblem::NotASupervisor(finger).into());
                    }
                    session
                        .confirm_exception(finger, &approver.username, now)
                        .map_err(|e| session_problem(finger, e))?;
                }
            }
        }
        let mut waiting: Vec<Finger> = policy
            .plan
            .iter()
            .copied()
            .filter(|f| matches!(session.status(*f), Some(FingerStatus::Pending)))
            .collect();
        waiting.extend(session.awaiting_confirmation());
        if !waiting.is_empty() || !session.is_complete() {
            return Err(FingerprintProblem::Incomplete(waiting).into());
        }
        let dir = images_dir(self)?;
        let (hub, writer) = (self.clone(), who.clone());
        // The sealed files this save writes: removed again if the change fails or its
        // commit does (a full disk, a refused row), since no row will ever name them.
        let written: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
        let in_job = written.clone();
        let stored = self
            .inner
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let saved: Result<()> = async {
                    store::load_visit(tx, visit_id).await?;
                    let sealer = hub.sealer();
                    let captured = session
                        .fingers
                        .values()
                        .filter(|s| matches!(s, FingerStatus::Captured(_)))
                        .count() as i64;
                    let exceptions = session
                        .fingers
                        .values()
                        .filter(|s| matches!(s, FingerStatus::Exception(_)))
                        .count() as i64;
                    let (session_id,): (i64,) = sqlx::query_as(
                        "INSERT INTO fingerprint_sessions \
                         (visit_id, saved_by, saved_at, complete, captured, exceptions, content) \
                         VALUES (?, ?, ?, 1, ?, ?, x'') RETURNING id",
                    )
                    .bind(visit_id)
                    .bind(&writer.name)
                    .bind(store::ts(now))
                    .bind(captured)
                    .bind(exceptions)
                    .fetch_one(&mut *tx)
                    .await?;
                    let mut blobs = Vec::new();
                    for print in &prints {
                        let (image_id,): (i64,) = sqlx::query_as(
                            "INSERT INTO fingerprint_images \
                             (session_id, finger, position, score, width, height, ppi) \
                             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        )
                        .bind(session_id)
                        .bind(store::enum_str(&print.finger))
                        .bind(i64::from(print.finger.position_code()))
                        .bind(i64::from(print.score))
                        .bind(i64::from(print.width))
                        .bind(i64::from(print.height))
                        .bind(i64::from(print.ppi))
                        .fetch_one(&mut *tx)
                        .await?;
                        let sealed =
                            sealer.seal(&row_context("fingerprint_images", image_id), &print.wsq);
                        let sha = hex::encode(Sha256::digest(&sealed));
                        let size = sealed.len() as i64;
                        let name = format!("{sha}.lks");
                        let path = write_sealed_file(&dir, &name, sealed).await?;
                        lock_paths(&in_job).push(path.clone());
                        let relative = format!("{IMAGES_DIR}/{name}");
                        sqlx::query(
                            "UPDATE fingerprint_images SET path = ?, sha256 = ?, size = ? WHERE id = ?",
                        )
                        .bind(&relative)
                        .bind(&sha)
                        .bind(size)
                        .bind(image_id)
                        .execute(&mut *tx)
                        .await?;
                        let absolute = path.to_str().ok_or_else(|| {
                            HubError::Config("the data folder's path is not UTF-8".into())
                        })?;
                        sqlx::query(
                            "INSERT INTO sync_blobs (sha256, path, size, registered_at) \
                             VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                        )
                        .bind(&sha)
                        .bind(absolute)
                        .bind(size)
                        .bind(store::ts(now))
                        .execute(&mut *tx)
                        .await?;
                        if let Some(FingerStatus::Captured(p)) =
                            session.fingers.get_mut(&print.finger)
                        {
                            p.image_blob = sha.clone();
                        }
                        blobs.push(json!({
                            "finger": print.finger, "position": print.finger.position_code(),
                            "blob": sha, "size": size, "image_row": image_id,
                            "width": print.width, "height": print.height, "ppi": print.ppi,
                        }));
                    }
                    let content = serde_json::to_vec(&session)?;
                    let sealed = sealer.seal(&row_context("fingerprint_sessions", session_id), &content);
                    sqlx::query("UPDATE fingerprint_sessions SET content = ? WHERE id = ?")
                        .bind(sealed)
                        .bind(session_id)
                        .execute(&mut *tx)
                        .await?;
                    let fingers: Vec<_> = session
                        .policy
                        .plan
                        .iter()
                        .filter_map(|f| session.status(*f).map(|s| (*f, s)))
                        .map(|(f, s)| match s {
                            FingerStatus::Captured(p) => json!({
                                "finger": f, "position": f.position_code(), "status": "captured",
                                "score": p.score, "attempts": p.attempts,
                                "met_threshold": p.met_threshold, "blob": p.image_blob,
                                "captured_at": p.captured_at,
                            }),
                            FingerStatus::Exception(e) => json!({
                                "finger": f, "position": f.position_code(), "status": "exception",
                                "kind": e.kind, "reason": e.reason, "recorded_by": e.recorded_by,
                                "confirmed_by": e.confirmation.as_ref().map(|c| &c.supervisor),
                            }),
                            FingerStatus::Pending => json!({"finger": f, "status": "pending"}),
                        })
                        .collect();
                    store::outbox(
                        tx,
                        "capture_stored",
                        json!({
                            "office_code": hub.office_code(), "visit_id": visit_id,
                            "session_id": session_id, "saved_by": writer.name, "complete": true,
                            "threshold": policy.capture.threshold,
                            "seal": {"cipher": "xchacha20poly1305", "key_id": sealer.key_id(),
                                     "context": "fingerprint_images:<image_row>"},
                            "fingers": fingers, "images": blobs,
                        }),
                        now,
                    )
                    .await?;
                    store::audit(
                        tx,
                        &writer,
                        "fingerprints_saved",
                        Some(&visit_id.to_string()),
                        json!({"session_id": session_id, "captured": captured, "exceptions": exceptions}),
                        now,
                    )
                    .await
                    }
                    .await;
                    if saved.is_err() {
                        // Here too: the caller may have gone away and not see the error.
                        remove_files(&in_job);
                    }
                    saved
                })
            })
            .await;
        if stored.is_err() {
            remove_files(&written);
        }
        stored?;
        self.fingerprints(who, visit_id).await
    }

    /// Captures one finger with the reader the hub offers (the demo's simulated reader),
    /// under the office's capture policy.
    pub async fn device_capture(
        &self,
        who: &Principal,
        devices: &Devices,
        req: DeviceCaptureRequest,
    ) -> Result<DeviceCapture> {
        who.authorize(Action::Serve)?;
        let device = devices
            .simulated_fingerprint
            .clone()
            .ok_or(FingerprintProblem::ReaderOff)?;
        let policy = self.fingerprint_policy().capture;
        tokio::task::spawn_blocking(move || device.capture(req.finger, &policy))
            .await
            .map_err(|e| HubError::CommitFailed(e.to_string()))?
            .map_err(|f| FingerprintProblem::Reader(f).into())
    }
}
