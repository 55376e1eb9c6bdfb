//! The hub's LAN API itself: arbitrary requests (any route, any of the callers a hub knows,
//! arbitrary path ids, query strings and bodies) go through the real router into a demo hub
//! on a scratch SQLite database, in process. The hub must answer every one without a panic
//! and without an internal error (`500`): hostile input is refused as the caller's mistake
//! (4xx, with its error code). State builds up across inputs (tickets, counters, BAPs),
//! so later inputs meet a hub that has been used.
#![no_main]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use loket_hub::{Hub, HubConfig, api, demo};
use std::sync::OnceLock;
use tower::ServiceExt as _;

/// Every route with a method, except `/office-print` (it hands the PDF to the office's
/// printer) and `/ws` (a WebSocket upgrade, not a request and answer).
const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/office"),
    ("GET", "/api/v1/services"),
    ("POST", "/api/v1/tickets"),
    ("POST", "/api/v1/check-ins"),
    ("GET", "/api/v1/queue"),
    ("GET", "/api/v1/visits/{id}"),
    ("GET", "/api/v1/counters"),
    ("POST", "/api/v1/counters"),
    ("POST", "/api/v1/counters/{id}/open"),
    ("POST", "/api/v1/counters/{id}/close"),
    ("GET", "/api/v1/counters/{id}/queue"),
    ("GET", "/api/v1/counters/{id}/current"),
    ("POST", "/api/v1/counters/{id}/call-next"),
    ("POST", "/api/v1/counters/{id}/call"),
    ("POST", "/api/v1/counters/{id}/recall"),
    ("POST", "/api/v1/counters/{id}/start"),
    ("POST", "/api/v1/counters/{id}/no-show"),
    ("POST", "/api/v1/counters/{id}/park"),
    ("POST", "/api/v1/counters/{id}/finish"),
    ("POST", "/api/v1/counters/{id}/transfer"),
    ("GET", "/api/v1/calls/recent"),
    ("GET", "/api/v1/calls/{id}/speech.wav"),
    ("POST", "/api/v1/day/close"),
    ("GET", "/api/v1/quotas/{id}"),
    ("PUT", "/api/v1/quotas/{id}"),
    ("GET", "/api/v1/dashboard"),
    ("POST", "/api/v1/bookings/import"),
    ("POST", "/api/v1/checks/nik"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/devices"),
    ("GET", "/api/v1/audit"),
    ("POST", "/api/v1/baps"),
    ("GET", "/api/v1/baps/{id}"),
    ("PUT", "/api/v1/baps/{id}"),
    ("POST", "/api/v1/baps/{id}/decide"),
    ("POST", "/api/v1/baps/{id}/complete"),
    ("POST", "/api/v1/baps/{id}/sign"),
    ("POST", "/api/v1/baps/{id}/amend"),
    ("GET", "/api/v1/baps/{id}/pdf"),
    ("GET", "/api/v1/pickups"),
    ("POST", "/api/v1/pickups"),
    ("POST", "/api/v1/pickups/handover"),
    ("POST", "/api/v1/pickups/cancel"),
    ("GET", "/api/v1/pickups/overdue"),
    ("GET", "/api/v1/pickups/receipt.pdf"),
    ("GET", "/api/v1/pickups/register.pdf"),
    ("POST", "/api/v1/kiosk/pickup-status"),
    ("GET", "/api/v1/reports"),
    ("GET", "/api/v1/reports/export.csv"),
    ("GET", "/api/v1/reports/export.pdf"),
    ("GET", "/api/v1/sync/status"),
    ("GET", "/api/v1/visits/{id}/fingerprints"),
    ("PUT", "/api/v1/visits/{id}/fingerprints"),
    ("POST", "/api/v1/devices/simulated-fingerprint/capture"),
    ("POST", "/api/v1/photo/check"),
    ("GET", "/api/v1/visits/{id}/photo"),
    ("POST", "/api/v1/visits/{id}/photo"),
    ("GET", "/api/v1/visits/{id}/photo/report"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/healthz"),
];

#[derive(Arbitrary, Debug)]
struct Input {
    route: u8,
    /// 0: nobody, 1: kiosk, 2: display, 3..: officer, supervisor, head, admin.
    caller: u8,
    /// A small number (an id that exists) or any text.
    id: Result<u8, String>,
    query: String,
    json: bool,
    origin: Option<String>,
    body: Vec<u8>,
}

struct Office {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    tokens: Vec<String>,
    _dir: tempfile::TempDir,
}

fn office() -> &'static Office {
    static OFFICE: OnceLock<Office> = OnceLock::new();
    OFFICE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let dir = tempfile::tempdir().expect("a scratch folder");
        let (router, tokens) = runtime.block_on(async {
            let config = HubConfig {
                office_code: "FUZZ".into(),
                ..HubConfig::default()
            };
            let hub = Hub::open(dir.path(), config).await.expect("the hub opens");
            demo::seed(&hub).await.expect("demo data");
            let mut tokens = vec![
                String::new(),
                demo::DEMO_KIOSK_TOKEN.to_string(),
                demo::DEMO_DISPLAY_TOKEN.to_string(),
            ];
            for user in ["officer", "supervisor", "head", "admin"] {
                let session = hub
                    .login(user, &format!("{user}-demo"), None)
                    .await
                    .expect("demo login");
                tokens.push(session.token);
            }
            (api::router(hub, None), tokens)
        });
        Office {
            runtime,
            router,
            tokens,
            _dir: dir,
        }
    })
}

/// `text` made safe for a URI (percent-encoded bytes outside unreserved characters).
fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'=' | b'&' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fuzz_target!(|input: Input| {
    let office = office();
    let (method, template) = ROUTES[usize::from(input.route) % ROUTES.len()];
    let id = match &input.id {
        Ok(n) => n.to_string(),
        Err(text) => escape(text),
    };
    let mut uri = template.replace("{id}", &id);
    if !input.query.is_empty() {
        uri = format!("{uri}?{}", escape(&input.query));
    }
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET))
        .uri(&uri);
    let token = &office.tokens[usize::from(input.caller) % office.tokens.len()];
    if !token.is_empty() {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if input.json {
        request = request.header("content-type", "application/json");
    }
    if let Some(origin) = input.origin.as_deref().filter(|o| o.is_ascii() && !o.contains(['\r', '\n'])) {
        request = request.header("origin", origin);
    }
    let Ok(request) = request.body(Body::from(input.body)) else {
        return;
    };
    let status = office.runtime.block_on(async {
        let response = office
            .router
            .clone()
            .oneshot(request)
            .await
            .unwrap_or_else(|never| match never {});
        response.status()
    });
    assert_ne!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{method} {uri} answered 500"
    );
});
