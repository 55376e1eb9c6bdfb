//! Passport photos of a visit: the counter's live preview checks frames here, and the chosen
//! frame is made into the 35x45 photo and stored with the visit.
//!
//! The checks and the crop need face models (`loket-photo-checks`, tract): this library does
//! not link them. It defines [`PhotoProcessor`], and whoever starts the hub (the `loket`
//! binary) hands it an implementation with [`Hub::set_photo_processor`]. Without one, the
//! photo routes answer 503 `photo_unavailable` and say what to do.
//!
//! Storage: the JPEG is sealed ([`crate::seal`], context `photos:<id>`) into
//! `<data>/photos/<id>.lks`; its check report is sealed in the row (context
//! `photos:<id>:report`). The same transaction writes the `photos` row, registers the sealed
//! file as a sync blob (`sync_blobs`, the table `loket-sync` uploads from; created by
//! migration 0004 with the engine's own definition), appends the outbox event
//! `capture_stored` (metadata and the blob's SHA-256, no image) and the audit row. Central
//! therefore receives the photo as ciphertext: see ARCHITECTURE.md ("Photos at central").
//!
//! Rights: `serve` (the officer's right to work a visit), and for a visit also being the
//! officer of the open counter that has called or is serving it (else 409
//! `visit_not_at_your_counter`); the visit's service must have a photo stage.

use crate::api::{ApiPath, Auth};
use crate::auth::{Principal, PrincipalKind};
use crate::error::{HubError, Result};
use crate::hub::Hub;
use crate::seal::row_context;
use crate::store::{self, ts};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, SecondsFormat, Utc};
use loket_domain::{Action, DomainError, Stage};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// Largest uploaded frame, bytes (a 4K PNG frame fits; a webcam JPEG is far smaller).
pub const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

/// Folder of the sealed photo files in the data folder.
pub const PHOTO_DIR: &str = "photos";

/// Table name in the sealing context.
const TABLE: &str = "photos";

/// One checked frame, as the processor reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedFrame {
    /// Whether every check passed.
    pub passed: bool,
    /// Names of the failing checks.
    pub failed: Vec<String>,
    /// The frame report (JSON): face box and marks, guide geometry, every check with its
    /// name, value, threshold, pass, `message` (Indonesian) and `message_en`.
    pub report: Value,
}

/// A finished passport photo.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessedPhoto {
    /// The JPEG (35:45).
    pub jpeg: Vec<u8>,
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// The checks of the frame it was made from.
    pub frame: CheckedFrame,
    /// How it was made (JPEG quality, rotation, scale...), JSON.
    pub details: Value,
}

/// Why a processor could not do its work. Messages say what to do next.
#[derive(Debug, Clone, Error)]
pub enum PhotoProcessError {
    /// The image is unreadable, or no photo can be made of it (no face, face at the edge):
    /// the officer takes another frame.
    #[error("photo refused: {message_en}")]
    Refused {
        /// Bahasa Indonesia.
        message_id: String,
        /// English.
        message_en: String,
    },
    /// The processor itself failed (models, encoder, settings).
    #[error("photo processor failed: {message_en}")]
    Failed {
        /// Bahasa Indonesia.
        message_id: String,
        /// English.
        message_en: String,
    },
}

/// What the hub needs to check frames and make passport photos. Implemented by the `loket`
/// binary over `loket-photo-checks`; called on a blocking thread, one call per frame.
pub trait PhotoProcessor: Send + Sync {
    /// Runs every check on one camera frame (JPEG or PNG bytes).
    fn check(&self, image: &[u8]) -> std::result::Result<CheckedFrame, PhotoProcessError>;
    /// Checks the chosen frame and makes the levelled 35:45 JPEG from it.
    fn passport_photo(
        &self,
        image: &[u8],
    ) -> std::result::Result<ProcessedPhoto, PhotoProcessError>;
    /// Consecutive passing frames after which the preview takes the photo by itself.
    fn auto_capture_frames(&self) -> u32;
}

/// Photo errors of the hub (inside [`HubError::Photo`]).
#[derive(Debug, Clone, Error)]
pub enum PhotoFailure {
    /// No processor is configured (or its models failed to load).
    #[error("photo checks unavailable")]
    Unavailable,
    /// The visit is not called or served at an open counter of this officer.
    #[error("visit not at the officer's counter")]
    NotAtYourCounter,
    /// The visit has no stored photo.
    #[error("no photo stored for the visit")]
    NotFound,
    /// The uploaded frame is larger than [`MAX_FRAME_BYTES`].
    #[error("frame too large")]
    TooLarge,
    /// The processor refused the frame.
    #[error(transparent)]
    Processor(#[from] PhotoProcessError),
}

impl PhotoFailure {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoFailure::Unavailable => "photo_unavailable",
            PhotoFailure::NotAtYourCounter => "visit_not_at_your_counter",
            PhotoFailure::NotFound => "photo_not_found",
            PhotoFailure::TooLarge => "photo_too_large",
            PhotoFailure::Processor(PhotoProcessError::Refused { .. }) => "photo_refused",
            PhotoFailure::Processor(PhotoProcessError::Failed { .. }) => "photo_failed",
        }
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            PhotoFailure::Unavailable => 503,
            PhotoFailure::NotAtYourCounter => 409,
            PhotoFailure::NotFound => 404,
            PhotoFailure::TooLarge => 413,
            PhotoFailure::Processor(PhotoProcessError::Refused { .. }) => 422,
            PhotoFailure::Processor(PhotoProcessError::Failed { .. }) => 500,
        }
    }

    /// Bahasa Indonesia, saying what to do.
    pub fn message_id(&self) -> String {
        match self {
            PhotoFailure::Unavailable => "Pemeriksaan foto tidak tersedia di server kantor (model wajah tidak dimuat). Hubungi teknisi untuk memeriksa hub (loket hub); sementara itu foto belum dapat diambil.".into(),
            PhotoFailure::NotAtYourCounter => "Kunjungan ini tidak sedang dilayani di loket Anda. Panggil antreannya ke loket Anda dulu, lalu ambil foto.".into(),
            PhotoFailure::NotFound => "Belum ada foto untuk kunjungan ini. Ambil foto dulu.".into(),
            PhotoFailure::TooLarge => format!("Gambar terlalu besar (lebih dari {} MB). Kirim bingkai kamera sebagai JPEG.", MAX_FRAME_BYTES / (1024 * 1024)),
            PhotoFailure::Processor(PhotoProcessError::Refused { message_id, .. } | PhotoProcessError::Failed { message_id, .. }) => message_id.clone(),
        }
    }

    /// English, saying what to do.
    pub fn message_en(&self) -> String {
        match self {
            PhotoFailure::Unavailable => "Photo checks are not available on the office server (the face model is not loaded). Ask a technician to check the hub (loket hub); until then no photo can be taken.".into(),
            PhotoFailure::NotAtYourCounter => "This visit is not being served at your counter. Call its ticket to your counter first, then take the photo.".into(),
            PhotoFailure::NotFound => "No photo has been taken for this visit yet. Take the photo first.".into(),
            PhotoFailure::TooLarge => format!("The image is too large (over {} MB). Send the camera frame as JPEG.", MAX_FRAME_BYTES / (1024 * 1024)),
            PhotoFailure::Processor(PhotoProcessError::Refused { message_en, .. } | PhotoProcessError::Failed { message_en, .. }) => message_en.clone(),
        }
    }
}

impl From<PhotoFailure> for HubError {
    fn from(e: PhotoFailure) -> Self {
        HubError::Photo(e)
    }
}

/// What the hub keeps for photos: where the files go, the processor, and a bound on
/// concurrent checks (one per core: more would only queue inside the CPU).
pub(crate) struct PhotoState {
    dir: PathBuf,
    processor: std::sync::RwLock<Option<Arc<dyn PhotoProcessor>>>,
    permits: tokio::sync::Semaphore,
}

impl PhotoState {
    pub(crate) fn new(data_dir: &Path) -> PhotoState {
        let base = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PhotoState {
            dir: base.join(PHOTO_DIR),
            processor: std::sync::RwLock::new(None),
            permits: tokio::sync::Semaphore::new(cores),
        }
    }
}

/// A stored photo's metadata and the report of the frame it was made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoView {
    /// The photo's id (a retake makes a new one; the newest is the visit's photo).
    pub photo_id: i64,
    /// The visit.
    pub visit_id: i64,
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// JPEG size, bytes.
    pub bytes: u64,
    /// SHA-256 of the sealed file (the sync blob's name).
    pub sha256: String,
    /// Whether every check passed on the frame.
    pub passed: bool,
    /// The failing checks.
    pub failed: Vec<String>,
    /// Who took it.
    pub taken_by: String,
    /// When.
    pub taken_at: DateTime<Utc>,
    /// The frame's check report.
    pub report: Value,
    /// How the photo was made (quality, rotation...).
    pub details: Value,
    /// Where to fetch the JPEG.
    pub url: String,
}

/// The answer to a checked preview frame: the report plus the auto-capture rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameCheckView {
    /// Every check passed.
    pub passed: bool,
    /// The failing checks.
    pub failed: Vec<String>,
    /// Consecutive passing frames after which the preview takes the photo.
    pub auto_capture_frames: u32,
    /// The frame report.
    pub report: Value,
}

fn is_photo_stage(s: &Stage) -> bool {
    matches!(
        s,
        Stage::PhotoFingerprint | Stage::PhotoFingerprintInterview
    )
}

fn photo_path(dir: &Path, id: i64) -> PathBuf {
    dir.join(format!("{id}.lks"))
}

fn report_context(id: i64) -> String {
    format!("{}:report", row_context(TABLE, id))
}

impl Hub {
    /// Installs (or removes) the photo processor; until one is set the photo routes answer
    /// 503 `photo_unavailable`.
    pub fn set_photo_processor(&self, processor: Option<Arc<dyn PhotoProcessor>>) {
        let mut slot = self
            .inner
            .photos
            .processor
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = processor;
    }

    fn photo_processor(&self) -> Result<Arc<dyn PhotoProcessor>> {
        self.inner
            .photos
            .processor
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
            .ok_or(HubError::Photo(PhotoFailure::Unavailable))
    }

    /// Runs `work` on a blocking thread under the photo permits.
    async fn photo_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> std::result::Result<T, PhotoProcessError> + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .inner
            .photos
            .permits
            .acquire()
            .await
            .map_err(|_| HubError::Photo(PhotoFailure::Unavailable))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| HubError::Config(format!("photo worker: {e}")))?
            .map_err(|e| HubError::Photo(e.into()))
    }

    /// Checks one preview frame (the counter's live preview).
    pub async fn check_photo_frame(&self, who: &Principal, image: Bytes) -> Result<FrameCheckView> {
        who.authorize(Action::Serve)?;
        let processor = self.photo_processor()?;
        let frames = processor.auto_capture_frames().max(1);
        let checked = self.photo_work(move || processor.check(&image)).await?;
        Ok(FrameCheckView {
            passed: checked.passed,
            failed: checked.failed,
            auto_capture_frames: frames,
            report: checked.report,
        })
    }

    /// Makes the passport photo of `image` and stores it, sealed, with the visit.
    pub async fn store_photo(
        &self,
        who: &Principal,
        visit_id: i64,
        image: Bytes,
    ) -> Result<PhotoView> {
        who.authorize(Action::Serve)?;
        let processor = self.photo_processor()?;
        {
            let mut conn = self.read().await?;
            self.ensure_serving(&mut conn, who, visit_id).await?;
        }
        let photo = self
            .photo_work(move || processor.passport_photo(&image))
            .await?;
        let now = self.inner.clock.now();
        let dir = self.inner.photos.dir.clone();
        let (hub, who) = (self.clone(), who.clone());
        self.inner
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let visit = hub.ensure_serving(tx, &who, visit_id).await?;
                    let (id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM photos")
                        .fetch_one(&mut *tx)
                        .await?;
                    let sealer = hub.sealer();
                    let sealed = sealer.seal(&row_context(TABLE, id), &photo.jpeg);
                    let sha256 = hex::encode(Sha256::digest(&sealed));
                    let path = photo_path(&dir, id);
                    write_durably(&dir, &path, &sealed).await?;
                    let stored = json!({"report": photo.frame.report, "details": photo.details});
                    let sealed_report = sealer.seal(&report_context(id), stored.to_string().as_bytes());
                    let failed = serde_json::to_string(&photo.frame.failed)?;
                    let file = format!("{id}.lks");
                    sqlx::query(
                        "INSERT INTO photos (id, visit_id, file, sha256, sealed_bytes, jpeg_bytes, width, height, \
                         passed, failed, report, taken_by, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(id)
                    .bind(visit_id)
                    .bind(&file)
                    .bind(&sha256)
                    .bind(sealed.len() as i64)
                    .bind(photo.jpeg.len() as i64)
                    .bind(i64::from(photo.width))
                    .bind(i64::from(photo.height))
                    .bind(photo.frame.passed)
                    .bind(&failed)
                    .bind(&sealed_report)
                    .bind(&who.name)
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await?;
                    register_blob(tx, &sha256, &path, sealed.len(), now).await?;
                    store::outbox(
                        tx,
                        "capture_stored",
                        json!({
                            "office_code": hub.office_code(),
                            "capture": "photo",
                            "visit_id": visit_id,
                            "ticket": visit.ticket.to_string(),
                            "office_date": visit.office_date,
                            "photo_id": id,
                            "blob": {
                                "sha256": sha256,
                                "size": sealed.len(),
                                "sealed": true,
                                "cipher": "xchacha20poly1305",
                                "key_id": sealer.key_id(),
                                "context": row_context(TABLE, id),
                            },
                            "media_type": "image/jpeg",
                            "jpeg_bytes": photo.jpeg.len(),
                            "width": photo.width,
                            "height": photo.height,
                            "passed": photo.frame.passed,
                            "failed": photo.frame.failed,
                            "taken_by": who.name,
                            "taken_at": now,
                        }),
                        now,
                    )
                    .await?;
                    store::audit(
                        tx,
                        &who,
                        "photo_store",
                        Some(&visit.ticket.to_string()),
                        json!({"visit_id": visit_id, "photo_id": id, "passed": photo.frame.passed,
                               "failed": photo.frame.failed}),
                        now,
                    )
                    .await?;
                    Ok(PhotoView {
                        photo_id: id,
                        visit_id,
                        width: photo.width,
                        height: photo.height,
                        bytes: photo.jpeg.len() as u64,
                        sha256,
                        passed: photo.frame.passed,
                        failed: photo.frame.failed,
                        taken_by: who.name.clone(),
                        taken_at: now,
                        report: stored["report"].clone(),
                        details: stored["details"].clone(),
                        url: photo_url(visit_id),
                    })
                })
            })
            .await
    }

    /// The visit's photo (the newest) with its report.
    pub async fn photo(&self, who: &Principal, visit_id: i64) -> Result<PhotoView> {
        who.authorize(Action::Serve)?;
        let mut conn = self.read().await?;
        self.ensure_serving(&mut conn, who, visit_id).await?;
        let row = latest_photo(&mut conn, visit_id).await?;
        let opened = self.sealer().open(&report_context(row.id), &row.report)?;
        let stored: Value = serde_json::from_slice(&opened)?;
        Ok(PhotoView {
            photo_id: row.id,
            visit_id,
            width: u32::try_from(row.width).unwrap_or(0),
            height: u32::try_from(row.height).unwrap_or(0),
            bytes: u64::try_from(row.jpeg_bytes).unwrap_or(0),
            sha256: row.sha256,
            passed: row.passed,
            failed: serde_json::from_str(&row.failed)?,
            taken_by: row.taken_by,
            taken_at: store::parse_ts(&row.taken_at)?,
            report: stored["report"].clone(),
            details: stored["details"].clone(),
            url: photo_url(visit_id),
        })
    }

    /// The visit's photo as JPEG, opened from its sealed file.
    pub async fn photo_jpeg(&self, who: &Principal, visit_id: i64) -> Result<Vec<u8>> {
        who.authorize(Action::Serve)?;
        let row = {
            let mut conn = self.read().await?;
            self.ensure_serving(&mut conn, who, visit_id).await?;
            latest_photo(&mut conn, visit_id).await?
        };
        let sealed = tokio::fs::read(self.inner.photos.dir.join(&row.file)).await?;
        Ok(self.sealer().open(&row_context(TABLE, row.id), &sealed)?)
    }

    /// The visit, when its service has a photo stage and `who` is the officer of the open
    /// counter that called it or serves it (the command line may always).
    async fn ensure_serving(
        &self,
        conn: &mut SqliteConnection,
        who: &Principal,
        visit_id: i64,
    ) -> Result<loket_domain::Visit> {
        let visit = store::load_visit(conn, visit_id).await?;
        let def = self.inner.config.rules.services.require(visit.service)?;
        if !def.stages.iter().any(is_photo_stage) {
            return Err(DomainError::StageNotInService {
                stage: Stage::PhotoFingerprint,
                service: visit.service,
            }
            .into());
        }
        if matches!(who.kind, PrincipalKind::Local) {
            return Ok(visit);
        }
        let at: Option<(String, Option<String>, Option<bool>)> = sqlx::query_as(
            "SELECT v.state, c.officer, c.is_open FROM visits v LEFT JOIN counters c ON c.id = v.counter_id \
             WHERE v.id = ?",
        )
        .bind(visit_id)
        .fetch_optional(&mut *conn)
        .await?;
        match at {
            Some((state, Some(officer), Some(true)))
                if (state == "called" || state == "in_service") && officer == who.name =>
            {
                Ok(visit)
            }
            _ => Err(PhotoFailure::NotAtYourCounter.into()),
        }
    }
}

fn photo_url(visit_id: i64) -> String {
    format!("/api/v1/visits/{visit_id}/photo")
}

#[derive(sqlx::FromRow)]
struct PhotoRow {
    id: i64,
    file: String,
    sha256: String,
    jpeg_bytes: i64,
    width: i64,
    height: i64,
    passed: bool,
    failed: String,
    report: Vec<u8>,
    taken_by: String,
    taken_at: String,
}

async fn latest_photo(conn: &mut SqliteConnection, visit_id: i64) -> Result<PhotoRow> {
    sqlx::query_as::<_, PhotoRow>(
        "SELECT id, file, sha256, jpeg_bytes, width, height, passed, failed, report, taken_by, taken_at \
         FROM photos WHERE visit_id = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(visit_id)
    .fetch_optional(conn)
    .await?
    .ok_or(HubError::Photo(PhotoFailure::NotFound))
}

/// Writes `bytes` to `path` through a temporary file: data and folder fsynced, then renamed
/// into place, so a crash leaves the old file or the new one, never half of it.
async fn write_durably(dir: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let (dir, path, bytes) = (dir.to_path_buf(), path.to_path_buf(), bytes.to_vec());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        std::fs::create_dir_all(&dir)?;
        let tmp = path.with_extension("lks.tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(&dir)?.sync_all()
    })
    .await
    .map_err(|e| HubError::Config(format!("photo writer: {e}")))??;
    Ok(())
}

/// Registers the sealed file for upload the way `loket-sync`'s `register_blob` does (same
/// table, same row), inside the photo's transaction.
async fn register_blob(
    conn: &mut SqliteConnection,
    sha256: &str,
    path: &Path,
    size: usize,
    at: DateTime<Utc>,
) -> Result<()> {
    let path = path
        .to_str()
        .ok_or_else(|| HubError::Config("the data folder's path is not UTF-8".into()))?;
    sqlx::query(
        "INSERT INTO sync_blobs (sha256, path, size, registered_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(path)
    .bind(size as i64)
    .bind(at.to_rfc3339_opts(SecondsFormat::Micros, true))
    .execute(conn)
    .await?;
    Ok(())
}

// ---- HTTP ------------------------------------------------------------------------------

/// An image request body (JPEG or PNG bytes), at most [`MAX_FRAME_BYTES`].
pub struct ImageBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ImageBody {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(req, state).await {
            Ok(b) if b.is_empty() => Err(HubError::BadRequest("empty image".into())),
            Ok(b) => Ok(ImageBody(b)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(PhotoFailure::TooLarge.into())
            }
            Err(e) => Err(HubError::BadRequest(e.body_text())),
        }
    }
}

/// The photo routes (nested under `/api/v1` by [`crate::api::router`]).
pub(crate) fn routes() -> Router<Hub> {
    Router::new()
        .route("/photo/check", post(check_frame))
        .route("/visits/{id}/photo", get(photo_jpeg).post(store_photo))
        .route("/visits/{id}/photo/report", get(photo_report))
        .layer(DefaultBodyLimit::max(MAX_FRAME_BYTES))
}

async fn check_frame(
    State(hub): State<Hub>,
    auth: Auth,
    ImageBody(image): ImageBody,
) -> Result<Json<FrameCheckView>> {
    Ok(Json(hub.check_photo_frame(&auth.who, image).await?))
}

async fn store_photo(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ImageBody(image): ImageBody,
) -> Result<Json<PhotoView>> {
    Ok(Json(hub.store_photo(&auth.who, id, image).await?))
}

async fn photo_report(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PhotoView>> {
    Ok(Json(hub.photo(&auth.who, id).await?))
}

async fn photo_jpeg(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response> {
    let jpeg = hub.photo_jpeg(&auth.who, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        jpeg,
    )
        .into_response())
}
