//! A hub on an ephemeral port with the demo office seeded, and a small HTTP client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use loket_hub::{Hub, HubConfig, api, demo};
use reqwest::Method;
use serde_json::Value;

pub struct TestHub {
    pub base: String,
    pub hub: Hub,
    pub client: reqwest::Client,
    pub bookings: Vec<String>,
    /// The data folder.
    pub data: std::path::PathBuf,
    _dir: Option<tempfile::TempDir>,
}

pub async fn start() -> TestHub {
    start_with(|_| {}).await
}

pub async fn start_with(adjust: impl FnOnce(&mut HubConfig)) -> TestHub {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = start_at(dir.path(), adjust).await;
    hub._dir = Some(dir);
    hub
}

/// Every test runs well inside one office day: within two hours of the office's midnight,
/// the hub's clock first moves on to the next morning (before the demo bookings are made
/// for "today"), so no test sees its day end half-way.
pub fn clear_of_midnight(hub: &Hub) {
    let tz = hub.config().rules.time_zone;
    let now = hub.clock().now();
    let midnight = tz.instant(
        tz.office_date(now) + chrono::Days::new(1),
        chrono::NaiveTime::MIN,
    );
    if midnight - now < chrono::Duration::hours(2) {
        hub.clock()
            .advance(midnight - now + chrono::Duration::hours(1));
    }
}

/// A hub whose data folder is `data` (kept by the caller).
pub async fn start_at(data: &std::path::Path, adjust: impl FnOnce(&mut HubConfig)) -> TestHub {
    let mut config = HubConfig {
        office_code: "TEST".into(),
        ..HubConfig::default()
    };
    adjust(&mut config);
    let hub = Hub::open(data, config).await.unwrap();
    clear_of_midnight(&hub);
    let bookings = demo::seed(&hub).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = api::router(hub.clone(), None);
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    TestHub {
        base: format!("http://{addr}"),
        hub,
        client: reqwest::Client::new(),
        bookings,
        data: data.to_path_buf(),
        _dir: None,
    }
}

/// Opens (creating) the database file `db` with the schema as it was before migration
/// `version` (a database an older hub left behind).
pub async fn database_before(db: &std::path::Path, version: i64) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions as _;
    let mut conn = loket_hub::db::connect_options(db).connect().await.unwrap();
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.migrations = std::borrow::Cow::Owned(
        migrator
            .migrations
            .iter()
            .filter(|m| m.version < version)
            .cloned()
            .collect(),
    );
    migrator.run(&mut conn).await.unwrap();
    conn
}

/// Closes `older` (a connection of [`database_before`]), opens a hub on `data` (which runs
/// the migrations since) and connects again to its database; the hub stays open while it
/// is held.
pub async fn opened_by_a_hub(
    older: sqlx::SqliteConnection,
    data: &std::path::Path,
) -> (Hub, sqlx::SqliteConnection) {
    use sqlx::{ConnectOptions as _, Connection as _};
    older.close().await.unwrap();
    let hub = Hub::open(data, HubConfig::default()).await.unwrap();
    let conn = loket_hub::db::connect_options(&data.join(loket_hub::db::DB_FILE_NAME))
        .connect()
        .await
        .unwrap();
    (hub, conn)
}

pub const KIOSK: &str = demo::DEMO_KIOSK_TOKEN;
pub const DISPLAY: &str = demo::DEMO_DISPLAY_TOKEN;

impl TestHub {
    pub async fn call(
        &self,
        method: Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        self.call(Method::GET, Some(token), path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, Some(token), path, Some(body)).await
    }

    pub async fn post_empty(&self, token: &str, path: &str) -> (u16, Value) {
        self.call(Method::POST, Some(token), path, None).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PUT, Some(token), path, Some(body)).await
    }

    pub async fn login(&self, user: &str) -> String {
        let password = demo::DEMO_USERS.iter().find(|u| u.0 == user).unwrap().1;
        let (status, body) = self
            .call(
                Method::POST,
                None,
                "/api/v1/auth/login",
                Some(serde_json::json!({"username": user, "password": password})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// Issues a walk-in ticket from the demo kiosk and returns its number.
    pub async fn issue(&self, service: &str) -> String {
        let (status, body) = self
            .post(
                KIOSK,
                "/api/v1/tickets",
                serde_json::json!({"service": service}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["ticket"].as_str().unwrap().to_string()
    }

    /// A GET whose answer is not JSON (PDF, CSV): status, content type, bytes.
    pub async fn raw_get(&self, token: &str, path: &str) -> (u16, String, Vec<u8>) {
        let res = self
            .client
            .get(format!("{}{}", self.base, path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let kind = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, kind, res.bytes().await.unwrap().to_vec())
    }

    /// The outbox rows of a kind, payloads parsed, in order.
    /// The outbox payloads of a kind as the sync upload sends them (sealed parts opened).
    pub async fn outbox_opened(&self, kind: &str) -> Vec<Value> {
        use sqlx::ConnectOptions;
        let mut conn = loket_hub::db::connect_options(&self.db_path())
            .connect()
            .await
            .unwrap();
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT event_id, payload FROM outbox WHERE kind = ? ORDER BY seq")
                .bind(kind)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        rows.iter()
            .map(|(id, p)| {
                loket_hub::personal::open_outbox_payload(
                    self.hub.sealer(),
                    id,
                    serde_json::from_str(p).unwrap(),
                )
                .unwrap()
            })
            .collect()
    }

    pub async fn outbox(&self, kind: &str) -> Vec<Value> {
        use sqlx::ConnectOptions;
        let mut conn = loket_hub::db::connect_options(&self.db_path())
            .connect()
            .await
            .unwrap();
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT payload FROM outbox WHERE kind = ? ORDER BY seq")
                .bind(kind)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        rows.iter()
            .map(|(p,)| serde_json::from_str(p).unwrap())
            .collect()
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.data.join(loket_hub::db::DB_FILE_NAME)
    }

    pub async fn counter_id(&self, name: &str) -> i64 {
        self.hub.counter_by_name(name).await.unwrap().unwrap()
    }
}

/// The text of a PDF through poppler's `pdftotext`, whitespace collapsed to single spaces;
/// `None` when poppler-utils is not installed.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("pdftotext not installed (poppler-utils): PDF text not checked");
        return None;
    }
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext refused the PDF");
    let text = String::from_utf8_lossy(&out.stdout);
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Asserts an error answer: status, code, and both messages present.
pub fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    let (s, body) = answer;
    assert_eq!(*s, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message_id"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        body["error"]["message_en"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// A synthetic print: concentric ridges, 200 x 240 at 500 ppi, as WSQ.
pub fn print_wsq() -> Vec<u8> {
    use loket_fingerprint_formats::{GrayImage, wsq};
    let (w, h) = (200u32, 240u32);
    let mut pixels = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (f64::from(x) - 100.0, (f64::from(y) - 110.0) * 1.2);
            let r = (dx * dx + dy * dy).sqrt();
            pixels.push((128.0 + 100.0 * (r / 9.0 * std::f64::consts::TAU).cos()) as u8);
        }
    }
    let image = GrayImage::new(w, h, pixels).unwrap();
    wsq::encode(&image, wsq::STANDARD_BITRATE, 500).unwrap()
}
