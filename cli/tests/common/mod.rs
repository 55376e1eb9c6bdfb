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
