//! The HTTP API (axum), request authentication, and running it with or without TLS.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use futures_util::future::BoxFuture;
use loket_sync_protocol::{
    ApiError, BatchBlobOutcome, BlobBatchResponse, EnrolRequest, EnrolResponse, HEADER_NONCE,
    HEADER_OFFICE, HEADER_SIGNATURE, HEADER_TIMESTAMP, MAX_BATCH_BLOBS, PROTOCOL_VERSION,
    SignedHeaders, UploadEvents, decode_blob_batch, is_office_code, is_sha256_hex,
    parse_content_range, sha256_hex, verify_request,
};
use serde::Deserialize;

use crate::store::{CentralStore, Nonced, RequestNonce, StoreError, WholeBlob};

/// Largest request body accepted (a blob chunk or an event batch).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Most events accepted in one batch.
pub const MAX_EVENTS_PER_BATCH: usize = 5000;

#[derive(Clone)]
struct AppState {
    store: Arc<dyn CentralStore>,
}

/// An error answer: HTTP status plus [`ApiError`] body.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Failure {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = ApiError {
            code: self.code.to_string(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let (status, code) = match &e {
            StoreError::Full => (StatusCode::INSUFFICIENT_STORAGE, "storage_full"),
            StoreError::UnknownOffice(_) => (StatusCode::NOT_FOUND, "unknown_office"),
            StoreError::OfficeExists(_) => (StatusCode::CONFLICT, "office_exists"),
            StoreError::BadToken => (StatusCode::FORBIDDEN, "bad_token"),
            StoreError::RangeMismatch(_) => (StatusCode::CONFLICT, "range_mismatch"),
            StoreError::HashMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch"),
            StoreError::Other(_) => (StatusCode::INTERNAL_SERVER_ERROR, "storage_error"),
        };
        if status.is_server_error() {
            tracing::warn!(code, "storage failure");
        }
        Failure::new(status, code, e.to_string())
    }
}

fn unauthorized(code: &'static str, message: impl Into<String>) -> Failure {
    Failure::new(StatusCode::UNAUTHORIZED, code, message)
}

/// A request whose signature verified; its nonce is not remembered yet.
struct Verified<'a> {
    signed: SignedHeaders,
    method: &'a Method,
    path: &'a str,
    body: &'a [u8],
    /// The office's key the signature verified with.
    key: String,
    /// Whether `key` was read from the database (not the store's cache).
    key_from_database: bool,
}

impl Verified<'_> {
    fn office(&self) -> &str {
        &self.signed.office
    }

    fn nonce(&self) -> RequestNonce {
        RequestNonce {
            key: self.key.clone(),
            nonce: self.signed.nonce.clone(),
            unix: self.signed.timestamp,
        }
    }
}

/// Checks the signature headers against the office's key (cached; read from the database
/// once more if it does not verify). Remembers nothing: see [`remember`].
async fn verify<'a>(
    state: &AppState,
    method: &'a Method,
    uri: &'a Uri,
    headers: &HeaderMap,
    body: &'a [u8],
) -> Result<Verified<'a>, Failure> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| {
                unauthorized(
                    "unsigned",
                    format!("Header {name} tidak ada. / Missing header {name}."),
                )
            })
    };
    let signed = SignedHeaders {
        office: header(HEADER_OFFICE)?,
        timestamp: header(HEADER_TIMESTAMP)?
            .parse()
            .map_err(|_| unauthorized("bad_timestamp", "Timestamp tidak sah. / Bad timestamp."))?,
        nonce: header(HEADER_NONCE)?,
        signature: header(HEADER_SIGNATURE)?,
    };
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut verified = Verified {
        signed,
        method,
        path,
        body,
        key: String::new(),
        key_from_database: false,
    };
    verify_with(state, &mut verified).await?;
    Ok(verified)
}

/// Verifies with the office's key: the cached one first unless `key_from_database` is set,
/// then the one in the database.
async fn verify_with(state: &AppState, v: &mut Verified<'_>) -> Result<(), Failure> {
    let now = chrono::Utc::now().timestamp();
    loop {
        let key = if v.key_from_database {
            state.store.office_key_uncached(v.office()).await?
        } else {
            state.store.office_key(v.office()).await?
        };
        let key = key.ok_or_else(|| {
            unauthorized(
                "not_enrolled",
                "Kantor belum terdaftar atau perangkat belum didaftarkan. Jalankan `loket sync enrol`. / Office unknown or device not enrolled. Run `loket sync enrol`.",
            )
        })?;
        match verify_request(&key, &v.signed, v.method.as_str(), v.path, v.body, now) {
            Ok(()) => {
                v.key = key;
                return Ok(());
            }
            Err(e) if v.key_from_database => {
                return Err(unauthorized("bad_signature", e.to_string()));
            }
            Err(_) => v.key_from_database = true,
        }
    }
}

/// Runs `write` (which remembers the request's nonce in the same commit as its own rows)
/// and answers a replay or a stale key. A key found changed meanwhile (rotated, or a stale
/// cache) is read from the database and the request verified and tried once more.
async fn remember<'w, T>(
    state: &AppState,
    v: &mut Verified<'_>,
    mut write: impl FnMut(RequestNonce) -> BoxFuture<'w, Result<Nonced<T>, StoreError>>,
) -> Result<T, Failure> {
    loop {
        match write(v.nonce()).await? {
            Nonced::Done(t) => return Ok(t),
            Nonced::Replay => {
                return Err(unauthorized(
                    "replay",
                    "Permintaan ini sudah pernah diterima (replay), ditolak. / This request was already received (replay); refused.",
                ));
            }
            Nonced::KeyChanged if !v.key_from_database => {
                v.key_from_database = true;
                verify_with(state, v).await?;
            }
            Nonced::KeyChanged => {
                return Err(unauthorized(
                    "not_enrolled",
                    "Kunci perangkat kantor baru saja berganti; coba lagi. / The office's device key just changed; try again.",
                ));
            }
        }
    }
}

/// Checks the signature headers and remembers the nonce (for requests that write nothing
/// else); returns the authenticated office code.
async fn authenticate(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, Failure> {
    let mut v = verify(state, method, uri, headers, body).await?;
    let office = v.office().to_string();
    remember(state, &mut v, |n| {
        let (store, office) = (&state.store, &office);
        Box::pin(async move {
            let check = store
                .remember_nonce(office, &n.key, &n.nonce, n.unix)
                .await?;
            Ok(Nonced::from(check))
        })
    })
    .await?;
    Ok(office)
}

/// [`authenticate`] for a route under `/offices/{code}`: the signing office must be `code`.
async fn authenticate_office(
    state: &AppState,
    code: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, Failure> {
    let office = authenticate(state, method, uri, headers, body).await?;
    same_office(&office, code)?;
    Ok(office)
}

fn same_office(signed: &str, path_code: &str) -> Result<(), Failure> {
    if signed == path_code {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::FORBIDDEN,
            "forbidden_office",
            format!(
                "Kantor {signed} tidak boleh menulis atau membaca data kantor {path_code}. / Office {signed} may not access office {path_code}'s data."
            ),
        ))
    }
}

/// Builds the API router over a store.
pub fn router(store: Arc<dyn CentralStore>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/enrol", post(enrol))
        .route("/api/v1/offices/{code}/events", post(upload_events))
        .route("/api/v1/offices/{code}/ack", get(office_ack))
        .route("/api/v1/offices/{code}/feed", get(feed))
        .route("/api/v1/blobs/{sha}", get(blob_status).put(blob_put))
        .route("/api/v1/offices/{code}/blobs", post(blob_batch))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(AppState { store })
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok", "protocol": PROTOCOL_VERSION}))
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

async fn enrol(
    State(state): State<AppState>,
    Json(req): Json<EnrolRequest>,
) -> Result<Json<EnrolResponse>, Failure> {
    let key_ok = hex::decode(&req.public_key)
        .map(|k| k.len() == 32)
        .unwrap_or(false);
    if !is_office_code(&req.office) || !key_ok {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Kode kantor atau kunci publik tidak sah. / Bad office code or public key.",
        ));
    }
    state
        .store
        .enrol(
            &req.office,
            &sha256_hex(req.token.as_bytes()),
            &req.public_key,
        )
        .await?;
    tracing::info!(office = %req.office, "device enrolled");
    Ok(Json(EnrolResponse {
        office: req.office,
        protocol: PROTOCOL_VERSION.to_string(),
    }))
}

async fn upload_events(
    State(state): State<AppState>,
    Path(code): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let mut v = verify(&state, &method, &uri, &headers, &body).await?;
    same_office(v.office(), &code)?;
    let batch: UploadEvents = serde_json::from_slice(&body).map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("JSON tidak sah: {e} / Bad JSON: {e}"),
        )
    })?;
    if batch.events.len() > MAX_EVENTS_PER_BATCH {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "Paling banyak {MAX_EVENTS_PER_BATCH} peristiwa per kiriman. / At most {MAX_EVENTS_PER_BATCH} events per batch."
            ),
        ));
    }
    // The nonce is remembered in the same transaction as the events.
    let (store, events) = (&state.store, &batch.events);
    let response = remember(&state, &mut v, |n| {
        let code = &code;
        Box::pin(async move { store.append_events_signed(code, &n, events).await })
    })
    .await?;
    Ok(Json(response).into_response())
}

async fn office_ack(
    State(state): State<AppState>,
    Path(code): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let office = authenticate_office(&state, &code, &method, &uri, &headers, &[]).await?;
    Ok(Json(state.store.office_ack(&office).await?).into_response())
}

#[derive(Deserialize)]
struct FeedQuery {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    500
}

async fn feed(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<FeedQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let office = authenticate_office(&state, &code, &method, &uri, &headers, &[]).await?;
    Ok(Json(state.store.feed(&office, q.after, q.limit).await?).into_response())
}

fn check_sha(sha: &str) -> Result<(), Failure> {
    if is_sha256_hex(sha) {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Nama berkas harus SHA-256 (64 hex huruf kecil). / Blob name must be a SHA-256 (64 lowercase hex).",
        ))
    }
}

async fn blob_status(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    authenticate(&state, &method, &uri, &headers, &[]).await?;
    check_sha(&sha)?;
    Ok(Json(state.store.blob_status(&sha).await?).into_response())
}

async fn blob_put(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let office = authenticate(&state, &method, &uri, &headers, &body).await?;
    check_sha(&sha)?;
    let range = headers
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_content_range)
        .ok_or_else(|| {
            Failure::new(
                StatusCode::BAD_REQUEST,
                "bad_range",
                "Header Content-Range tidak ada atau salah. / Missing or bad Content-Range.",
            )
        })?;
    let (start, end, total) = range;
    if end - start != body.len() as u64 {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "bad_range",
            "Panjang isi tidak sama dengan Content-Range. / Body length differs from Content-Range.",
        ));
    }
    match state
        .store
        .blob_write(&office, &sha, start, &body, total)
        .await
    {
        Ok(status) => Ok(Json(status).into_response()),
        // The office needs to know where to resume: answer with the current status.
        Err(StoreError::RangeMismatch(status)) => {
            Ok((StatusCode::CONFLICT, Json(status)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Several whole blobs in one signed request (see `loket_sync_protocol::encode_blob_batch`).
/// Each is stored and hash-checked as if sent alone; one blob whose bytes do not match its
/// name is refused on its own (`hash_mismatch` in its outcome), the others still count.
async fn blob_batch(
    State(state): State<AppState>,
    Path(code): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let mut v = verify(&state, &method, &uri, &headers, &body).await?;
    same_office(v.office(), &code)?;
    let parts = decode_blob_batch(&body).map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("Kiriman berkas tidak sah: {e} / Bad blob batch: {e}"),
        )
    })?;
    if parts.len() > MAX_BATCH_BLOBS {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "Paling banyak {MAX_BATCH_BLOBS} berkas per kiriman. / At most {MAX_BATCH_BLOBS} blobs per batch."
            ),
        ));
    }
    // The files are written before the nonce is remembered: first make sure the key is the
    // office's current one, not a cached key rotated meanwhile by another process (a revoked
    // key must not write files either).
    if !v.key_from_database {
        v.key_from_database = true;
        verify_with(&state, &mut v).await?;
    }
    let blobs: Vec<WholeBlob<'_>> = parts
        .iter()
        .map(|(blob, bytes)| WholeBlob {
            sha256: &blob.sha256,
            size: blob.size,
            bytes,
        })
        .collect();
    // The blobs' ownership is committed with the request's nonce.
    let (store, blobs) = (&state.store, &blobs);
    let results = remember(&state, &mut v, |n| {
        let code = &code;
        Box::pin(async move { store.blob_batch_write(code, &n, blobs).await })
    })
    .await?;
    let mut outcomes = Vec::with_capacity(parts.len());
    for ((blob, _), result) in parts.iter().zip(results) {
        let (complete, error) = match result {
            Ok(status) => (status.complete, None),
            Err(e @ StoreError::HashMismatch) => (
                false,
                Some(ApiError {
                    code: "hash_mismatch".into(),
                    message: e.to_string(),
                }),
            ),
            Err(e) => return Err(e.into()),
        };
        outcomes.push(BatchBlobOutcome {
            sha256: blob.sha256.clone(),
            complete,
            error,
        });
    }
    Ok(Json(BlobBatchResponse { blobs: outcomes }).into_response())
}

/// TLS certificate chain and private key, PEM.
#[derive(Debug, Clone)]
pub struct TlsPem {
    /// Certificate chain, PEM.
    pub cert: Vec<u8>,
    /// Private key, PEM.
    pub key: Vec<u8>,
}

/// A server running in the background.
pub struct RunningServer {
    /// Where it listens.
    pub addr: SocketAddr,
    handle: axum_server::Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops at once, cutting open connections (like a crash, minus the process exit).
    pub async fn kill(self) {
        self.handle.shutdown();
        let _ = self.task.await;
    }

    /// Waits until the server stops (it only stops on error or [`RunningServer::kill`]).
    pub async fn wait(self) -> std::io::Result<()> {
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

/// Serves the API on `listener`, with TLS when `tls` is given, in a background task.
pub async fn spawn(
    store: Arc<dyn CentralStore>,
    listener: std::net::TcpListener,
    tls: Option<TlsPem>,
) -> std::io::Result<RunningServer> {
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let app = router(store).into_make_service();
    let handle = axum_server::Handle::new();
    let task = match tls {
        Some(pem) => {
            let config = axum_server::tls_rustls::RustlsConfig::from_pem(pem.cert, pem.key).await?;
            let server =
                axum_server::tls_rustls::from_tcp_rustls(listener, config)?.handle(handle.clone());
            tokio::spawn(server.serve(app))
        }
        None => {
            let server = axum_server::from_tcp(listener)?.handle(handle.clone());
            tokio::spawn(server.serve(app))
        }
    };
    Ok(RunningServer { addr, handle, task })
}
