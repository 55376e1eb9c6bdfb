//! [`CentralClient`]: signed HTTP calls to central through reqwest with rustls.

use std::time::Duration;

use ed25519_dalek::SigningKey;
use loket_sync_protocol::{
    ApiError, BlobBatchResponse, BlobStatus, EnrolRequest, EnrolResponse, Event, FeedPage,
    HEADER_NONCE, HEADER_OFFICE, HEADER_SIGNATURE, HEADER_TIMESTAMP, OfficeAck, UploadEvents,
    UploadEventsResponse, content_range, encode_blob_batch, sign_request,
};
use reqwest::{Method, StatusCode};

/// Why a call to central failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer: connection refused, cut, timed out. Retry later.
    #[error(
        "Tidak terhubung ke pusat: {0}. Akan dicoba lagi otomatis. / Cannot reach central: {0}. Retrying automatically."
    )]
    Network(String),
    /// Central answered with a server error (5xx; 507 = its storage is full). Retry later.
    #[error("Pusat sedang bermasalah ({status}): {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Central's error code.
        code: String,
        /// Central's message.
        message: String,
    },
    /// Central refused the request (4xx): retrying the same request will not help.
    #[error("Pusat menolak permintaan ({status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Central's error code.
        code: String,
        /// Central's message.
        message: String,
    },
    /// Central's answer made no sense (often a cut mid-answer). Retry later.
    #[error("Jawaban pusat tidak bisa dibaca: {0} / Unreadable answer from central: {0}")]
    Protocol(String),
    /// Local configuration problem (bad URL, bad certificate).
    #[error("Konfigurasi sinkronisasi salah: {0} / Sync configuration error: {0}")]
    Config(String),
}

impl ClientError {
    /// Whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ClientError::Network(_) | ClientError::Server { .. } | ClientError::Protocol(_)
        )
    }
}

/// Connection settings of a [`CentralClient`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Extra trusted root certificate (PEM), e.g. central's own CA.
    pub ca_cert_pem: Option<Vec<u8>>,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Keep connections open between requests (off: one connection per request, which
    /// the fault tests use so that every request meets the proxy's next fault).
    pub reuse_connections: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            ca_cert_pem: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            reuse_connections: true,
        }
    }
}

fn build_http(options: &ClientOptions) -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder()
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .no_proxy();
    if !options.reuse_connections {
        builder = builder.pool_max_idle_per_host(0);
    }
    if let Some(pem) = &options.ca_cert_pem {
        let cert = reqwest::Certificate::from_pem(pem)
            .map_err(|e| ClientError::Config(format!("CA certificate: {e}")))?;
        builder = builder.tls_certs_merge([cert]);
    }
    builder
        .build()
        .map_err(|e| ClientError::Config(e.to_string()))
}

/// A signed client for one office.
#[derive(Clone)]
pub struct CentralClient {
    http: reqwest::Client,
    base: String,
    office: String,
    key: SigningKey,
}

impl std::fmt::Debug for CentralClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentralClient")
            .field("base", &self.base)
            .field("office", &self.office)
            .finish_non_exhaustive()
    }
}

async fn read_answer(response: reqwest::Response) -> Result<(StatusCode, Vec<u8>), ClientError> {
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| ClientError::Network(format!("{e:#}")))?;
    Ok((status, body.to_vec()))
}

fn failure(status: StatusCode, body: &[u8]) -> ClientError {
    let (code, message) = match serde_json::from_slice::<ApiError>(body) {
        Ok(e) => (e.code, e.message),
        Err(_) => (
            "http".to_string(),
            String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        ),
    };
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        ClientError::Server {
            status: status.as_u16(),
            code,
            message,
        }
    } else {
        ClientError::Refused {
            status: status.as_u16(),
            code,
            message,
        }
    }
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(body).map_err(|e| ClientError::Protocol(e.to_string()))
}

impl CentralClient {
    /// A client for `base` (e.g. `https://central.example:8443`) signing as `office`.
    pub fn new(
        base: &str,
        office: &str,
        key: SigningKey,
        options: &ClientOptions,
    ) -> Result<Self, ClientError> {
        Ok(CentralClient {
            http: build_http(options)?,
            base: base.trim_end_matches('/').to_string(),
            office: office.to_string(),
            key,
        })
    }

    /// The office this client signs as.
    pub fn office(&self) -> &str {
        &self.office
    }

    /// Central's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        extra: Option<(&str, String)>,
    ) -> Result<(StatusCode, Vec<u8>), ClientError> {
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let now = chrono::Utc::now().timestamp();
        let signed = sign_request(
            &self.key,
            &self.office,
            method.as_str(),
            path,
            &body,
            now,
            &nonce,
        );
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(HEADER_OFFICE, &signed.office)
            .header(HEADER_TIMESTAMP, signed.timestamp.to_string())
            .header(HEADER_NONCE, &signed.nonce)
            .header(HEADER_SIGNATURE, &signed.signature);
        if let Some((name, value)) = extra {
            request = request.header(name, value);
        }
        if !body.is_empty() {
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Network(format!("{e:#}")))?;
        read_answer(response).await
    }

    /// Uploads a batch of events.
    pub async fn upload_events(
        &self,
        events: &[Event],
    ) -> Result<UploadEventsResponse, ClientError> {
        let body = serde_json::to_vec(&UploadEvents {
            events: events.to_vec(),
        })
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let path = format!("/api/v1/offices/{}/events", self.office);
        let (status, answer) = self.call(Method::POST, &path, body, None).await?;
        if !status.is_success() {
            return Err(failure(status, &answer));
        }
        decode(&answer)
    }

    /// What central holds of this office's log.
    pub async fn office_ack(&self) -> Result<OfficeAck, ClientError> {
        let path = format!("/api/v1/offices/{}/ack", self.office);
        let (status, answer) = self.call(Method::GET, &path, Vec::new(), None).await?;
        if !status.is_success() {
            return Err(failure(status, &answer));
        }
        decode(&answer)
    }

    /// How much of a blob central holds.
    pub async fn blob_status(&self, sha256: &str) -> Result<BlobStatus, ClientError> {
        let path = format!("/api/v1/blobs/{sha256}");
        let (status, answer) = self.call(Method::GET, &path, Vec::new(), None).await?;
        if !status.is_success() {
            return Err(failure(status, &answer));
        }
        decode(&answer)
    }

    /// Uploads bytes `offset..offset+chunk.len()` of a `total`-byte blob. A 409 answer
    /// (central holds a different amount) is returned as `Ok` with central's status.
    pub async fn put_blob_chunk(
        &self,
        sha256: &str,
        offset: u64,
        chunk: Vec<u8>,
        total: u64,
    ) -> Result<BlobStatus, ClientError> {
        let path = format!("/api/v1/blobs/{sha256}");
        let range = content_range(offset, offset + chunk.len() as u64, total);
        let (status, answer) = self
            .call(Method::PUT, &path, chunk, Some(("content-range", range)))
            .await?;
        if status.is_success() || status == StatusCode::CONFLICT {
            return decode(&answer);
        }
        Err(failure(status, &answer))
    }

    /// Uploads several whole blobs in one request (`blobs`: SHA-256 and bytes).
    pub async fn put_blob_batch(
        &self,
        blobs: &[(&str, &[u8])],
    ) -> Result<BlobBatchResponse, ClientError> {
        let path = format!("/api/v1/offices/{}/blobs", self.office);
        let body = encode_blob_batch(blobs);
        let (status, answer) = self.call(Method::POST, &path, body, None).await?;
        if !status.is_success() {
            return Err(failure(status, &answer));
        }
        decode(&answer)
    }

    /// The next page of this office's change feed.
    pub async fn feed(&self, after: i64, limit: i64) -> Result<FeedPage, ClientError> {
        let path = format!(
            "/api/v1/offices/{}/feed?after={after}&limit={limit}",
            self.office
        );
        let (status, answer) = self.call(Method::GET, &path, Vec::new(), None).await?;
        if !status.is_success() {
            return Err(failure(status, &answer));
        }
        decode(&answer)
    }
}

/// Registers a device's public key at central with the office's one-time token.
pub async fn enrol(
    base: &str,
    office: &str,
    token: &str,
    key: &SigningKey,
    options: &ClientOptions,
) -> Result<EnrolResponse, ClientError> {
    let http = build_http(options)?;
    let request = EnrolRequest {
        office: office.to_string(),
        token: token.to_string(),
        public_key: hex::encode(key.verifying_key().to_bytes()),
    };
    let response = http
        .post(format!("{}/api/v1/enrol", base.trim_end_matches('/')))
        .json(&request)
        .send()
        .await
        .map_err(|e| ClientError::Network(format!("{e:#}")))?;
    let (status, answer) = read_answer(response).await?;
    if !status.is_success() {
        return Err(failure(status, &answer));
    }
    decode(&answer)
}
