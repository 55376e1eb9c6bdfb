//! The hub's disk fills up: the refused change gets a clear `disk_full` error, nothing saved
//! before is lost, no ticket number is burnt, and the hub works again once space returns. A
//! fingerprint session refused half-way through writing its sealed files leaves none behind.
//!
//! The data folder sits on a small tmpfs mounted for the test (needs root, as the test
//! command runs; skipped otherwise unless `LOKET_REQUIRE_ALL=1`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{KIOSK, print_wsq, start_at};
use serde_json::json;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted on a fresh folder, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn mount_or_skip() -> Option<SmallDisk> {
    let disk = SmallDisk::mount("24m");
    if disk.is_none() {
        if std::env::var("LOKET_REQUIRE_ALL").as_deref() == Ok("1") {
            panic!("cannot mount a tmpfs (run as root) and LOKET_REQUIRE_ALL=1");
        }
        eprintln!("skipped: mounting a tmpfs needs root");
    }
    disk
}

/// Writes to a file until the disk refuses (appending if it exists, so calling it again takes
/// whatever space was freed since); returns it.
fn fill(disk: &Path) -> PathBuf {
    let path = disk.join("filler");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap();
    let block = vec![0xA5u8; 64 * 1024];
    loop {
        match file.write(&block) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    // Small writes too, so no block is left for SQLite.
    while file.write(&[0u8; 512]).is_ok_and(|n| n > 0) {}
    let _ = file.sync_all();
    path
}

#[tokio::test]
async fn a_full_disk_refuses_clearly_loses_nothing_and_recovers() {
    let Some(disk) = mount_or_skip() else {
        return;
    };
    let t = start_at(&disk.path().join("data"), |_| {}).await;
    let issue = || async {
        t.post(KIOSK, "/api/v1/tickets", json!({"service": "new_passport"}))
            .await
    };
    let mut acknowledged = Vec::new();
    for _ in 0..3 {
        let (s, v) = issue().await;
        assert_eq!(s, 200, "{v}");
        acknowledged.push(v["ticket"].as_str().unwrap().to_owned());
    }

    let filler = fill(disk.path());
    // SQLite may still have room in pages it holds; the disk runs out within a few tickets.
    let mut refused = None;
    for _ in 0..500 {
        let (s, v) = issue().await;
        match s {
            200 => acknowledged.push(v["ticket"].as_str().unwrap().to_owned()),
            _ => {
                refused = Some((s, v));
                break;
            }
        }
    }
    let (status, body) = refused.expect("a full disk refused a ticket");
    assert_eq!(status, 507, "{body}");
    assert_eq!(body["error"]["code"], "disk_full", "{body}");
    let id = body["error"]["message_id"].as_str().unwrap();
    assert!(id.contains("penuh") && id.contains("teknisi"), "{id}");
    let en = body["error"]["message_en"].as_str().unwrap();
    assert!(
        en.contains("full") && en.contains("free disk space"),
        "{en}"
    );
    // Still full: still refused, the same way (not a crash, not a half-written ticket). The
    // refused write may leave a few pages free again (SQLite gives back what it had taken), so
    // the disk is filled once more first.
    fill(disk.path());
    let (s, v) = issue().await;
    assert_eq!((s, &v["error"]["code"]), (507, &json!("disk_full")), "{v}");

    std::fs::remove_file(filler).unwrap();
    let (s, v) = issue().await;
    assert_eq!(
        s, 200,
        "space is back: the hub works again without a restart: {v}"
    );
    acknowledged.push(v["ticket"].as_str().unwrap().to_owned());

    // Every acknowledged ticket is there, numbered without gaps: refusals burnt no number.
    let expected: Vec<String> = (1..=acknowledged.len())
        .map(|n| format!("A{n:03}"))
        .collect();
    assert_eq!(acknowledged, expected);
    let (s, queue) = t
        .get(&t.login("supervisor").await, "/api/v1/dashboard")
        .await;
    assert_eq!(s, 200, "{queue}");
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", t.db_path().display()))
        .await
        .unwrap();
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT ticket FROM visits WHERE service = 'new_passport' ORDER BY number")
            .fetch_all(&db)
            .await
            .unwrap();
    let stored: Vec<String> = stored.into_iter().map(|(t,)| t).collect();
    assert_eq!(stored, expected);
}

/// The sealed files (and temporary files) in the hub's fingerprint folder.
fn fingerprint_files(data: &Path) -> Vec<String> {
    let dir = data.join(loket_hub::fingerprints::IMAGES_DIR);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn fingerprints_refused_by_a_full_disk_leave_no_sealed_file_behind() {
    use base64::Engine as _;
    let Some(disk) = mount_or_skip() else {
        return;
    };
    let data = disk.path().join("data");
    let t = start_at(&data, |_| {}).await;
    let officer = t.login("officer").await;
    let (s, ticket) = t
        .post(KIOSK, "/api/v1/tickets", json!({"service": "new_passport"}))
        .await;
    assert_eq!(s, 200, "{ticket}");
    let path = format!("/api/v1/visits/{}/fingerprints", ticket["id"]);
    let wsq = base64::engine::general_purpose::STANDARD.encode(print_wsq());
    let (s, plan) = t.get(&officer, &path).await;
    assert_eq!(s, 200, "{plan}");
    let fingers: Vec<serde_json::Value> = plan["policy"]["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!({"status": "captured", "finger": f, "wsq": wsq, "score": 80, "attempts": 1}))
        .collect();
    assert!(
        fingers.len() >= 4,
        "the default plan takes every finger: {plan}"
    );
    let body = json!({ "fingers": fingers });

    // Room for a few of the sealed prints but not all: the save fails half-way through.
    let filler = fill(disk.path());
    let room = 3 * print_wsq().len() as u64;
    let full = std::fs::metadata(&filler).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(full.saturating_sub(room))
        .unwrap();
    let (s, v) = t.put(&officer, &path, body.clone()).await;
    assert_eq!((s, &v["error"]["code"]), (507, &json!("disk_full")), "{v}");
    assert_eq!(
        fingerprint_files(&data),
        Vec::<String>::new(),
        "a refused session left files behind: {v}"
    );

    std::fs::remove_file(filler).unwrap();
    let (s, saved) = t.put(&officer, &path, body).await;
    assert_eq!(s, 200, "space is back: {saved}");
    let files = fingerprint_files(&data);
    assert_eq!(files.len(), fingers_len(&saved), "{files:?}");
    assert!(files.iter().all(|f| f.ends_with(".lks")), "{files:?}");
}

/// Fingers a saved session captured.
fn fingers_len(saved: &serde_json::Value) -> usize {
    saved["fingers"].as_array().map_or(0, |f| {
        f.iter().filter(|f| f["status"] == "captured").count()
    })
}
