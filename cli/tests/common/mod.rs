//! Running the real `loket hub` binary for tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The demo kiosk's token.
pub const KIOSK: &str = "lkd_demo_kiosk";

/// Starts `loket hub` on `data` at a free port; returns it with its base URL (read from its
/// "listening on" line).
pub fn start_hub(data: &Path, demo: bool) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loket"));
    cmd.args(["hub", "--data"])
        .arg(data)
        .args(["--listen", "127.0.0.1:0"]);
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd
        .env("LOKET_LOG", "warn")
        .env_remove("LOKET_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("loket hub starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on ").nth(1) {
                let url = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_end_matches('/')
                    .to_string();
                let _ = tx.send(url);
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("hub prints its address");
    (child, url)
}

/// One request with a bearer token and an optional JSON body: the status and the answer as
/// JSON (an answer that is not JSON comes back as a JSON string of its text). Errors only
/// when no answer came (the crash tests expect that while the hub is killed).
pub async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Result<(u16, serde_json::Value)> {
    let mut req = client.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await?;
    let status = res.status().as_u16();
    let text = res.text().await?;
    let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    Ok((status, value))
}

/// An HTTP client whose requests give up after `timeout` (a killed hub must not hang a test).
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder().timeout(timeout).build().unwrap()
}

/// A hub's API at `base` (`http://127.0.0.1:PORT`).
pub struct Api {
    /// The hub's base URL.
    pub base: String,
    /// The client every request goes through.
    pub http: reqwest::Client,
}

impl Api {
    /// A request to `path` (`/api/v1/...`) that must be answered.
    pub async fn call(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        send(
            &self.http,
            method,
            format!("{}{path}", self.base),
            token,
            body,
        )
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// POST with a JSON body.
    pub async fn post(
        &self,
        token: &str,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::POST, token, path, Some(body))
            .await
    }

    /// GET.
    pub async fn get(&self, token: &str, path: &str) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::GET, token, path, None).await
    }
}

/// Waits until `enough()` holds (checked every few milliseconds) or `limit` has passed,
/// then kills the hub with SIGKILL and reaps it: the crash tests' "kill -9 mid-burst".
pub async fn kill_9_when(hub: &mut Child, limit: Duration, enough: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !enough() && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    hub.kill().unwrap();
    hub.wait().unwrap();
}

/// The database of a hub's data folder (for checks after the hub has stopped).
pub async fn open_database(data: &Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("loket.db").display()))
        .await
        .unwrap()
}

/// A stored capture's file after a crash: it exists, its SHA-256 is the `sha256` its row
/// recorded, and it is registered exactly once for upload. Returns the file's bytes.
pub async fn assert_capture_file(
    db: &sqlx::SqlitePool,
    what: &str,
    file: &Path,
    sha256: &str,
) -> Vec<u8> {
    use sha2::Digest as _;
    let bytes = std::fs::read(file)
        .unwrap_or_else(|e| panic!("{what} has no file {}: {e}", file.display()));
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&bytes)),
        sha256,
        "{what}'s file is not the one recorded"
    );
    let (blobs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sync_blobs WHERE sha256 = ?")
        .bind(sha256)
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(blobs, 1, "{what} registered for upload {blobs} times");
    bytes
}
