//! The LAN API: JSON under `/api/v1`, the live WebSocket at `/api/v1/ws`, the OpenAPI
//! description at `/api/v1/openapi.json`, health at `/healthz`, and (when configured) the
//! built front end at `/` with SPA fallback. docs/api.md describes every route.

use crate::auth::Principal;
use crate::bap::{AmendBap, CompleteBap, DecideBap, SaveBap, SignBap, StartBap};
use crate::error::HubError;
use crate::fingerprints::{DeviceCaptureRequest, Devices, SaveFingerprints};
use crate::hub::{BookingsFile, CallTarget, CounterAction, Hub, IssueRequest, QuotasRequest};
use crate::live::{LiveEvent, LiveMessage};
use crate::pickup::{CancelPickup, HandoverRequest, PickupLookup, RegisterPickup};
use crate::report::ReportQuery;
use crate::views::*;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::ws::{
    Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use futures_util::{SinkExt, StreamExt};
use loket_domain::{CounterId, DeviceKind, Role, ServiceCode, Stage, TransferTarget};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::path::PathBuf;
use tokio::sync::broadcast::error::RecvError;
use tower_http::services::{ServeDir, ServeFile};

/// Header an officer's workstation may send to name itself in the audit log.
pub const DEVICE_HEADER: &str = "x-loket-device";

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = json!({"error": {"code": self.code(), "message_id": self.message_id(), "message_en": self.message_en()}});
        (status, Json(body)).into_response()
    }
}

/// A JSON body; a malformed one is a `bad_request` JSON error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(HubError::BadRequest(json_rejection_text(&e))),
        }
    }
}

fn json_rejection_text(e: &JsonRejection) -> String {
    e.body_text()
}

/// A path parameter; a malformed one is a `bad_request` JSON error.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e: PathRejection| HubError::BadRequest(e.body_text()))
    }
}

/// Query parameters; malformed ones are a `bad_request` JSON error.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| HubError::BadRequest(e.body_text()))
    }
}

/// Who asks, from `Authorization: Bearer <token>` (found by [`crate::guard`] before the
/// handler runs).
#[derive(Debug, Clone)]
pub struct Auth {
    /// The principal.
    pub who: Principal,
    /// The token presented.
    pub token: String,
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string())
}

fn device_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(DEVICE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(64).collect())
}

impl FromRequestParts<Hub> for Auth {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.extensions.get::<Auth>() {
            return Ok(auth.clone());
        }
        let token = bearer(&parts.headers).ok_or(HubError::Unauthenticated)?;
        let who = hub
            .authenticate(&token, device_header(&parts.headers))
            .await?;
        Ok(Auth { who, token })
    }
}

type ApiResult<T> = Result<Json<T>, HubError>;

/// The router: `/healthz`, `/api/v1/...`, and the UI directory at `/` when given. Every
/// API route passes [`crate::guard`] (its declared right); every request passes
/// [`crate::origin`] (browser requests from other sites may not change data).
pub fn router(hub: Hub, ui: Option<PathBuf>) -> Router {
    router_with(hub, ui, Devices::default())
}

/// [`router`] with devices the hub offers itself (the demo's simulated fingerprint reader
/// behind `POST /api/v1/devices/simulated-fingerprint/capture`).
pub fn router_with(hub: Hub, ui: Option<PathBuf>, devices: Devices) -> Router {
    let origins = std::sync::Arc::new(crate::origin::OriginPolicy::new(
        &hub.config().allowed_origins,
    ));
    let api = Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/office", get(office))
        .route("/services", get(services))
        .route("/tickets", post(issue_ticket))
        .route("/check-ins", post(check_in))
        .route("/queue", get(queue))
        .route("/visits/{id}", get(visit))
        .route("/counters", get(counters).post(create_counter))
        .route("/counters/{id}/open", post(open_counter))
        .route("/counters/{id}/close", post(close_counter))
        .route("/counters/{id}/queue", get(counter_queue))
        .route("/counters/{id}/current", get(counter_current))
        .route("/counters/{id}/call-next", post(call_next))
        .route("/counters/{id}/call", post(call_given))
        .route("/counters/{id}/recall", post(recall))
        .route("/counters/{id}/start", post(start))
        .route("/counters/{id}/no-show", post(no_show))
        .route("/counters/{id}/park", post(park))
        .route("/counters/{id}/finish", post(finish))
        .route("/counters/{id}/transfer", post(transfer))
        .route("/calls/recent", get(recent_calls))
        .route("/calls/{id}/speech.wav", get(call_speech))
        .route("/day/close", post(close_day))
        .route("/quotas/{date}", get(quotas).put(set_quotas))
        .route("/dashboard", get(dashboard))
        .route("/bookings/import", post(import_bookings))
        .route("/checks/nik", post(check_nik))
        .route("/users", get(users).post(add_user))
        .route("/devices", post(add_device))
        .route("/audit", get(audit))
        .route("/baps", post(start_bap))
        .route("/baps/{bap}", get(get_bap).put(save_bap))
        .route("/baps/{bap}/decide", post(decide_bap))
        .route("/baps/{bap}/complete", post(complete_bap))
        .route("/baps/{bap}/sign", post(sign_bap))
        .route("/baps/{bap}/amend", post(amend_bap))
        .route("/baps/{bap}/pdf", get(bap_pdf))
        .route("/pickups", get(find_pickups).post(register_pickup))
        .route("/pickups/handover", post(hand_over))
        .route("/pickups/cancel", post(cancel_pickup))
        .route("/pickups/overdue", get(overdue_pickups))
        .route("/pickups/receipt.pdf", get(pickup_receipt_pdf))
        .route("/pickups/register.pdf", get(pickup_register_pdf))
        .route("/kiosk/pickup-status", post(kiosk_pickup_status))
        .route("/reports", get(report))
        .route("/reports/export.csv", get(report_csv))
        .route("/reports/export.pdf", get(report_pdf))
        .route("/office-print", post(office_print))
        // Passport photos (crate::photo).
        .merge(crate::photo::routes())
        .route("/sync/status", get(sync_status))
        // Fingerprints (issue 4): sessions stored with the visit, the demo's simulated reader.
        .route(
            "/visits/{id}/fingerprints",
            get(get_fingerprints).put(save_fingerprints),
        )
        .route(
            "/devices/simulated-fingerprint/capture",
            post(simulated_fingerprint_capture),
        )
        .route("/openapi.json", get(openapi))
        .route("/ws", get(live))
        .route_layer(middleware::from_fn_with_state(
            hub.clone(),
            crate::guard::guard,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::Extension(devices))
        .with_state(hub.clone());
    let app = Router::new()
        .route("/healthz", get(healthz))
        .with_state(hub)
        .nest("/api/v1", api);
    let app = match ui {
        Some(dir) => {
            let index = dir.join("index.html");
            app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => app.fallback(not_found),
    };
    app.layer(middleware::from_fn_with_state(
        origins,
        crate::origin::check,
    ))
    .layer(middleware::from_fn(log_request))
}

/// Logs method, route pattern (never the raw URI: it may carry a token), status, time.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    tracing::debug!(
        %method,
        route = route.as_deref().unwrap_or("-"),
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

async fn not_found() -> HubError {
    HubError::RouteNotFound
}

async fn method_not_allowed() -> Response {
    let err = HubError::BadRequest("method not allowed".into());
    let body = json!({"error": {"code": "method_not_allowed", "message_id": err.message_id(), "message_en": err.message_en()}});
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

async fn healthz(State(hub): State<Hub>) -> Response {
    if hub.healthy().await {
        (StatusCode::OK, Json(json!({"status": "ok"}))).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unavailable"})),
        )
            .into_response()
    }
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    username: String,
    password: String,
}

async fn login(
    State(hub): State<Hub>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<SessionView> {
    Ok(Json(
        hub.login(req.username.trim(), &req.password, device_header(&headers))
            .await?,
    ))
}

async fn logout(State(hub): State<Hub>, auth: Auth) -> ApiResult<serde_json::Value> {
    hub.logout(&auth.who, &auth.token).await?;
    Ok(Json(json!({"ok": true})))
}

async fn me(State(hub): State<Hub>, auth: Auth) -> ApiResult<MeView> {
    Ok(Json(hub.me(&auth.who).await?))
}

async fn office(State(hub): State<Hub>, _auth: Auth) -> ApiResult<OfficeView> {
    Ok(Json(hub.office().await?))
}

async fn services(State(hub): State<Hub>, _auth: Auth) -> ApiResult<Vec<ServiceView>> {
    Ok(Json(hub.services().await?))
}

async fn issue_ticket(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<IssueRequest>,
) -> ApiResult<TicketView> {
    Ok(Json(hub.issue_ticket(&auth.who, req).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckInRequest {
    booking_code: String,
}

async fn check_in(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> ApiResult<CheckInView> {
    Ok(Json(hub.check_in(&auth.who, &req.booking_code).await?))
}

#[derive(Deserialize)]
struct QueueQuery {
    service: Option<ServiceCode>,
}

async fn queue(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Vec<VisitView>> {
    Ok(Json(hub.queue(&auth.who, q.service).await?))
}

async fn visit(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<VisitView> {
    Ok(Json(hub.visit(&auth.who, id).await?))
}

async fn counters(State(hub): State<Hub>, auth: Auth) -> ApiResult<Vec<CounterView>> {
    Ok(Json(hub.counters(&auth.who).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateCounter {
    name: String,
    #[serde(default)]
    services: Vec<ServiceCode>,
    #[serde(default)]
    stages: Vec<Stage>,
}

async fn create_counter(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<CreateCounter>,
) -> ApiResult<CounterView> {
    Ok(Json(
        hub.create_counter(&auth.who, &req.name, req.services, req.stages)
            .await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OpenCounter {
    #[serde(default)]
    services: Option<Vec<ServiceCode>>,
    #[serde(default)]
    stages: Option<Vec<Stage>>,
}

/// An optional JSON body: empty means the default.
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = HubError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| HubError::BadRequest(e.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        serde_json::from_slice(&bytes)
            .map(OptionalJson)
            .map_err(|e| HubError::BadRequest(e.to_string()))
    }
}

async fn open_counter(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    OptionalJson(req): OptionalJson<OpenCounter>,
) -> ApiResult<CounterView> {
    Ok(Json(
        hub.open_counter(&auth.who, id, req.services, req.stages)
            .await?,
    ))
}

async fn close_counter(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<CounterView> {
    Ok(Json(hub.close_counter(&auth.who, id).await?))
}

async fn counter_queue(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Vec<VisitView>> {
    Ok(Json(hub.counter_queue(&auth.who, id).await?))
}

async fn counter_current(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Option<VisitView>> {
    Ok(Json(hub.counter_current(&auth.who, id).await?))
}

async fn call_next(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<VisitView> {
    Ok(Json(hub.call_next(&auth.who, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CallRequest {
    #[serde(default)]
    ticket: Option<String>,
    #[serde(default)]
    visit_id: Option<i64>,
    #[serde(default)]
    force: bool,
}

async fn call_given(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CallRequest>,
) -> ApiResult<VisitView> {
    let target = match (req.visit_id, req.ticket) {
        (Some(v), None) => CallTarget::Visit(v),
        (None, Some(t)) => CallTarget::Ticket(t),
        _ => {
            return Err(HubError::BadRequest(
                "give either ticket or visit_id".into(),
            ));
        }
    };
    Ok(Json(
        hub.call_given(&auth.who, id, target, req.force).await?,
    ))
}

async fn recall(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<VisitView> {
    Ok(Json(
        hub.counter_action(&auth.who, id, CounterAction::Recall)
            .await?,
    ))
}

async fn start(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<VisitView> {
    Ok(Json(
        hub.counter_action(&auth.who, id, CounterAction::Start)
            .await?,
    ))
}

async fn no_show(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<VisitView> {
    Ok(Json(
        hub.counter_action(&auth.who, id, CounterAction::NoShow)
            .await?,
    ))
}

async fn park(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<VisitView> {
    Ok(Json(
        hub.counter_action(&auth.who, id, CounterAction::Park)
            .await?,
    ))
}

async fn finish(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<VisitView> {
    Ok(Json(
        hub.counter_action(&auth.who, id, CounterAction::Finish)
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferRequest {
    #[serde(default)]
    stage: Option<Stage>,
    #[serde(default)]
    counter_id: Option<i64>,
}

async fn transfer(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> ApiResult<VisitView> {
    let to = TransferTarget {
        stage: req.stage,
        counter: req.counter_id.map(CounterId),
    };
    Ok(Json(
        hub.counter_action(&auth.who, id, CounterAction::Transfer(to))
            .await?,
    ))
}

#[derive(Deserialize)]
struct LimitQuery {
    limit: Option<u32>,
}

async fn recent_calls(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Vec<CallView>> {
    Ok(Json(hub.recent_calls(&auth.who, q.limit).await?))
}

async fn call_speech(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, HubError> {
    let wav = hub.call_speech(&auth.who, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "audio/wav"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        wav,
    )
        .into_response())
}

async fn close_day(State(hub): State<Hub>, auth: Auth) -> ApiResult<DayCloseView> {
    Ok(Json(hub.close_day(&auth.who).await?))
}

async fn quotas(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(date): ApiPath<NaiveDate>,
) -> ApiResult<QuotasView> {
    Ok(Json(hub.quotas(&auth.who, date).await?))
}

async fn set_quotas(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(date): ApiPath<NaiveDate>,
    ApiJson(req): ApiJson<QuotasRequest>,
) -> ApiResult<QuotasView> {
    Ok(Json(hub.set_quotas(&auth.who, date, req).await?))
}

async fn dashboard(State(hub): State<Hub>, auth: Auth) -> ApiResult<DashboardView> {
    Ok(Json(hub.dashboard(&auth.who).await?))
}

async fn import_bookings(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(file): ApiJson<BookingsFile>,
) -> ApiResult<serde_json::Value> {
    let n = hub.import_bookings(&auth.who, file).await?;
    Ok(Json(json!({"imported": n})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NikRequest {
    nik: String,
    #[serde(default)]
    birth_date: Option<NaiveDate>,
}

async fn check_nik(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<NikRequest>,
) -> ApiResult<NikView> {
    Ok(Json(hub.check_nik(&auth.who, &req.nik, req.birth_date)?))
}

async fn users(State(hub): State<Hub>, auth: Auth) -> ApiResult<Vec<UserView>> {
    Ok(Json(hub.users(&auth.who).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddUser {
    username: String,
    display_name: String,
    role: Role,
    password: String,
}

async fn add_user(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<AddUser>,
) -> ApiResult<UserView> {
    Ok(Json(
        hub.add_user(
            &auth.who,
            &req.username,
            &req.display_name,
            req.role,
            &req.password,
        )
        .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddDevice {
    kind: DeviceKind,
    name: String,
}

async fn add_device(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<AddDevice>,
) -> ApiResult<serde_json::Value> {
    let token = hub.add_device(&auth.who, req.kind, &req.name).await?;
    Ok(Json(
        json!({"name": req.name.trim(), "kind": req.kind, "token": token}),
    ))
}

async fn audit(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Vec<AuditView>> {
    Ok(Json(hub.audit_log(&auth.who, q.limit).await?))
}

// ---- BAP ------------------------------------------------------------------------------

/// A PDF answer, shown in the browser (`inline`) with a file name for saving.
/// Renders one of this API's PDF routes as the caller (same token, same rights) and sends
/// it to the office printer.
async fn office_print(
    State(hub): State<Hub>,
    auth: Auth,
    headers: HeaderMap,
    ApiJson(req): ApiJson<crate::office_print::OfficePrintRequest>,
) -> Result<Response, HubError> {
    use tower::ServiceExt as _;
    if !crate::office_print::is_printable_route(&req.document) {
        return Err(HubError::BadRequest(
            "document must be one of this API's PDF routes, e.g. /api/v1/baps/ID/pdf".into(),
        ));
    }
    let mut inner = Request::get(&req.document);
    for name in [header::AUTHORIZATION.as_str(), DEVICE_HEADER] {
        if let Some(v) = headers.get(name) {
            inner = inner.header(name, v);
        }
    }
    let inner = inner
        .body(axum::body::Body::empty())
        .map_err(|e| HubError::BadRequest(e.to_string()))?;
    let answer = match router(hub.clone(), None).oneshot(inner).await {
        Ok(answer) => answer,
        Err(never) => match never {},
    };
    let is_pdf = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/pdf"));
    if !answer.status().is_success() || !is_pdf {
        // The PDF route's own refusal (not found, forbidden, not ready...) goes back as is.
        return Ok(answer);
    }
    let pdf = axum::body::to_bytes(answer.into_body(), 64 * 1024 * 1024)
        .await
        .map_err(|e| HubError::BadRequest(e.to_string()))?;
    let view = hub
        .print_at_office(&auth.who, &req.document, pdf.to_vec(), req.copies)
        .await?;
    Ok(Json(view).into_response())
}

fn pdf_response(pdf: Vec<u8>, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
        ],
        pdf,
    )
        .into_response()
}

/// File names keep letters, digits, `-`, `_` and `.`.
fn file_name(stem: &str, ext: &str) -> String {
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{stem}.{ext}")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionQuery {
    #[serde(default)]
    version: Option<u32>,
}

async fn start_bap(
    State(hub): State<Hub>,
    auth: Auth,
    OptionalJson(req): OptionalJson<StartBap>,
) -> ApiResult<crate::bap::BapView> {
    Ok(Json(hub.start_bap(&auth.who, req).await?))
}

async fn get_bap(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<crate::bap::BapView> {
    Ok(Json(hub.bap(&auth.who, &id, q.version).await?))
}

async fn save_bap(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<SaveBap>,
) -> ApiResult<crate::bap::BapView> {
    Ok(Json(hub.save_bap(&auth.who, &id, req).await?))
}

async fn decide_bap(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<DecideBap>,
) -> ApiResult<crate::bap::BapView> {
    Ok(Json(hub.decide_bap(&auth.who, &id, req).await?))
}

async fn complete_bap(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    OptionalJson(req): OptionalJson<CompleteBap>,
) -> ApiResult<crate::bap::BapView> {
    Ok(Json(hub.complete_bap(&auth.who, &id, req).await?))
}

async fn sign_bap(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<SignBap>,
) -> ApiResult<crate::bap::BapView> {
    Ok(Json(hub.sign_bap(&auth.who, &id, req).await?))
}

async fn amend_bap(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<AmendBap>,
) -> ApiResult<crate::bap::BapView> {
    Ok(Json(hub.amend_bap(&auth.who, &id, req).await?))
}

async fn bap_pdf(
    State(hub): State<Hub>,
    auth: Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Response, HubError> {
    let pdf = hub.bap_pdf(&auth.who, &id, q.version).await?;
    Ok(pdf_response(pdf, &file_name(&format!("bap-{id}"), "pdf")))
}

// ---- pickup ---------------------------------------------------------------------------

async fn find_pickups(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PickupLookup>,
) -> ApiResult<Vec<crate::pickup::PickupView>> {
    Ok(Json(hub.find_pickups(&auth.who, q).await?))
}

async fn register_pickup(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<RegisterPickup>,
) -> ApiResult<crate::pickup::PickupView> {
    Ok(Json(hub.register_pickup(&auth.who, req).await?))
}

async fn hand_over(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<HandoverRequest>,
) -> ApiResult<crate::pickup::PickupView> {
    Ok(Json(hub.hand_over(&auth.who, req).await?))
}

async fn cancel_pickup(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<CancelPickup>,
) -> ApiResult<crate::pickup::PickupView> {
    Ok(Json(hub.cancel_pickup(&auth.who, req).await?))
}

async fn overdue_pickups(
    State(hub): State<Hub>,
    auth: Auth,
) -> ApiResult<Vec<crate::pickup::PickupView>> {
    Ok(Json(hub.overdue_pickups(&auth.who).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReceiptQuery {
    receipt: String,
}

async fn pickup_receipt_pdf(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ReceiptQuery>,
) -> Result<Response, HubError> {
    let pdf = hub.pickup_receipt_pdf(&auth.who, &q.receipt).await?;
    Ok(pdf_response(
        pdf,
        &file_name(&format!("tanda-terima-{}", q.receipt), "pdf"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DateQuery {
    #[serde(default)]
    date: Option<NaiveDate>,
}

async fn pickup_register_pdf(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<DateQuery>,
) -> Result<Response, HubError> {
    let day = q.date.unwrap_or_else(|| hub.today());
    let pdf = hub.pickup_register_pdf(&auth.who, day).await?;
    Ok(pdf_response(
        pdf,
        &file_name(&format!("register-pengambilan-{day}"), "pdf"),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KioskPickupRequest {
    code: String,
}

async fn kiosk_pickup_status(
    State(hub): State<Hub>,
    auth: Auth,
    ApiJson(req): ApiJson<KioskPickupRequest>,
) -> ApiResult<crate::pickup::KioskPickupView> {
    Ok(Json(hub.kiosk_pickup_status(&auth.who, &req.code).await?))
}

// ---- reports --------------------------------------------------------------------------

async fn report(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<crate::report::ReportView> {
    Ok(Json(hub.report(&auth.who, &q).await?))
}

fn report_stem(hub: &Hub, q: &ReportQuery) -> String {
    match q.range(hub.today()) {
        Ok((from, to)) if from == to => format!("laporan-{from}"),
        Ok((from, to)) => format!("laporan-{from}-{to}"),
        Err(_) => "laporan".to_string(),
    }
}

async fn report_csv(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, HubError> {
    let csv = hub.report_csv(&auth.who, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    file_name(&report_stem(&hub, &q), "csv")
                ),
            ),
        ],
        csv,
    )
        .into_response())
}

async fn report_pdf(
    State(hub): State<Hub>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, HubError> {
    let pdf = hub.report_pdf(&auth.who, &q).await?;
    Ok(pdf_response(pdf, &file_name(&report_stem(&hub, &q), "pdf")))
}

async fn sync_status(State(hub): State<Hub>, auth: Auth) -> ApiResult<crate::sync::SyncView> {
    Ok(Json(hub.sync_status(&auth.who)?))
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The live socket. Browsers cannot set headers on a WebSocket, so the token may come as
/// `?token=`.
async fn live(
    State(hub): State<Hub>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<TokenQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Some(token) = bearer(&headers).or(q.token) else {
        return HubError::Unauthenticated.into_response();
    };
    let who = match hub.authenticate(&token, device_header(&headers)).await {
        Ok(who) => who,
        Err(e) => return e.into_response(),
    };
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(e) => return HubError::BadRequest(e.body_text()).into_response(),
    };
    upgrade
        .read_buffer_size(LIVE_READ_BUFFER)
        .on_upgrade(move |socket| live_loop(hub, who, socket))
}

/// The live socket's read buffer. Screens send the hub nothing but pings and a close, and the
/// WebSocket library zeroes this much memory at every read attempt, which `live_loop` makes
/// once per live message per socket: at its default (128 KiB) that was the hub's largest
/// memory traffic during busy hours. A larger frame still arrives whole (the buffer grows).
pub const LIVE_READ_BUFFER: usize = 4 * 1024;

async fn live_loop(hub: Hub, who: Principal, socket: WebSocket) {
    let mut events = hub.subscribe();
    let (mut tx, mut rx) = socket.split();
    let hello = LiveEvent::Hello {
        office_date: hub.today(),
    };
    if send(&mut tx, &hello).await.is_err() {
        return;
    }
    // Where sync runs, every screen learns the link's state at once.
    if let Some(sync) = hub.sync_summary()
        && send(&mut tx, &LiveEvent::Sync { sync }).await.is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            message = events.recv() => {
                let message = match message {
                    Ok(m) => m,
                    Err(RecvError::Lagged(_)) => LiveMessage::new(LiveEvent::Resync),
                    Err(RecvError::Closed) => break,
                };
                let Some(text) = message.text.clone() else { continue };
                if message.event.concerns(&who) && tx.send(Message::Text(text)).await.is_err() {
                    break;
                }
            }
            incoming = rx.next() => {
                match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                }
            }
        }
    }
}

async fn send<S>(tx: &mut S, event: &LiveEvent) -> Result<(), ()>
where
    S: futures_util::Sink<Message> + Unpin,
{
    let text = serde_json::to_string(event).map_err(|_| ())?;
    tx.send(Message::Text(text.into())).await.map_err(|_| ())
}

// ---- fingerprints (issue 4) ----------------------------------------------------------

async fn get_fingerprints(
    State(hub): State<Hub>,
    auth: Auth,
    axum::Extension(devices): axum::Extension<Devices>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<crate::fingerprints::FingerprintsView> {
    let mut view = hub.fingerprints(&auth.who, id).await?;
    view.simulated_reader = devices.simulated_fingerprint.is_some();
    Ok(Json(view))
}

async fn save_fingerprints(
    State(hub): State<Hub>,
    auth: Auth,
    axum::Extension(devices): axum::Extension<Devices>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SaveFingerprints>,
) -> ApiResult<crate::fingerprints::FingerprintsView> {
    let mut view = hub.save_fingerprints(&auth.who, id, req).await?;
    view.simulated_reader = devices.simulated_fingerprint.is_some();
    Ok(Json(view))
}

async fn simulated_fingerprint_capture(
    State(hub): State<Hub>,
    auth: Auth,
    axum::Extension(devices): axum::Extension<Devices>,
    ApiJson(req): ApiJson<DeviceCaptureRequest>,
) -> ApiResult<crate::fingerprints::DeviceCapture> {
    Ok(Json(hub.device_capture(&auth.who, &devices, req).await?))
}
