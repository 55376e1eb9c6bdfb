//! `loket audit verify`, `loket backup` and `loket restore` as an operator runs them, on
//! real data folders (and a real running hub for the backup).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{KIOSK, start_hub};
use serde_json::{Value, json};
use sqlx::{ConnectOptions, Connection};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn loket(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env("LOKET_LOG", "warn")
        .env_remove("LOKET_CONFIG")
        .env_remove("LOKET_DATA")
        .stdin(Stdio::null())
        .output()
        .expect("loket runs")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn sql(db: &Path, statement: &str) {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .connect()
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn audit_verify_passes_untouched_and_names_the_edited_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (kind, name) in [
        ("kiosk", "kiosk-1"),
        ("display", "display-1"),
        ("kiosk", "kiosk-2"),
    ] {
        let out = loket(&["device", "add", kind, name], &data);
        assert!(out.status.success(), "{}", text(&out));
    }
    let out = loket(&["audit", "verify"], &data);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Audit chain intact: 3 rows"),
        "{}",
        text(&out)
    );

    sql(
        &data.join("loket.db"),
        "UPDATE audit_log SET target = 'kiosk-9' WHERE id = 2",
    )
    .await;
    let out = loket(&["audit", "verify"], &data);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("audit row #2 was changed") && err.contains("baris audit #2"),
        "{}",
        text(&out)
    );

    // No database there: it cannot be checked (exit 1, not "broken").
    let out = loket(&["audit", "verify"], &dir.path().join("nowhere"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

async fn issue(client: &reqwest::Client, base: &str, service: &str) -> String {
    let res = client
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(KIOSK)
        .json(&json!({"service": service}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{:?}", res.text().await);
    let body: Value = res.json().await.unwrap();
    body["ticket"].as_str().unwrap().to_string()
}

/// Every ticket of today in the hub's queue, by letter.
async fn tickets(client: &reqwest::Client, base: &str) -> BTreeMap<char, BTreeSet<u32>> {
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "supervisor", "password": "supervisor-demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let queue: Vec<Value> = client
        .get(format!("{base}/api/v1/queue"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out: BTreeMap<char, BTreeSet<u32>> = BTreeMap::new();
    for v in queue {
        let t = v["ticket"].as_str().unwrap();
        let inserted = out
            .entry(t.chars().next().unwrap())
            .or_default()
            .insert(t[1..].parse().unwrap());
        assert!(inserted, "{t} twice");
    }
    out
}

fn number(ticket: &str) -> (char, u32) {
    (ticket.chars().next().unwrap(), ticket[1..].parse().unwrap())
}

fn stop(mut hub: std::process::Child) {
    hub.kill().unwrap();
    hub.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_of_a_running_hub_restores_with_every_ticket_and_no_number_reused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("office");
    let backup_file = dir.path().join("office-backup.db");
    let (hub, base) = start_hub(&data, true);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut before = Vec::new();
    for i in 0..10 {
        let service = if i % 3 == 0 {
            "replacement"
        } else {
            "new_passport"
        };
        before.push(issue(&client, &base, service).await);
    }

    // Kiosks keep issuing while the backup runs.
    let busy = Arc::new(AtomicBool::new(true));
    let during: Arc<Mutex<Vec<String>>> = Arc::default();
    let burst = {
        let (client, base, busy, during) =
            (client.clone(), base.clone(), busy.clone(), during.clone());
        tokio::spawn(async move {
            // Paced and capped under the demo's walk-in quota (50 a day, and the test issues
            // more after the restore): the point is tickets acknowledged while the backup
            // runs, not how many.
            while busy.load(Ordering::Relaxed) && during.lock().unwrap().len() < 25 {
                let res = client
                    .post(format!("{base}/api/v1/tickets"))
                    .bearer_auth(KIOSK)
                    .json(&json!({"service": "new_passport"}))
                    .send()
                    .await
                    .unwrap();
                if res.status().as_u16() == 409 {
                    let body: Value = res.json().await.unwrap();
                    assert_eq!(body["error"]["code"], "quota_exhausted", "{body}");
                    break;
                }
                assert!(res.status().is_success(), "{:?}", res.text().await);
                let body: Value = res.json().await.unwrap();
                during
                    .lock()
                    .unwrap()
                    .push(body["ticket"].as_str().unwrap().to_string());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let acked_before_backup = before.len() + during.lock().unwrap().len();
    let out = {
        let (data, backup_file) = (data.clone(), backup_file.clone());
        tokio::task::spawn_blocking(move || {
            loket(&["backup", "--out", backup_file.to_str().unwrap()], &data)
        })
        .await
        .unwrap()
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    busy.store(false, Ordering::Relaxed);
    burst.await.unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Backup written"),
        "{}",
        text(&out)
    );
    let during = during.lock().unwrap().clone();
    assert!(!during.is_empty());
    let mut all_before_backup: Vec<String> = before.clone();
    all_before_backup.extend(
        during
            .iter()
            .take(acked_before_backup - before.len())
            .cloned(),
    );

    // A second backup to the same file is refused; the first stays.
    let again = loket(&["backup", "--out", backup_file.to_str().unwrap()], &data);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));

    // Restore is refused while the hub runs, and changes nothing.
    let refused = loket(&["restore", "--from", backup_file.to_str().unwrap()], &data);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Stop the hub first"),
        "{}",
        text(&refused)
    );
    let live_tickets = tickets(&client, &base).await;
    let issued_in_place: usize = live_tickets.values().map(BTreeSet::len).sum();
    assert_eq!(issued_in_place, before.len() + during.len());
    stop(hub);

    // Restore into a fresh folder and start a hub on it (no demo seeding: the data is the
    // backup's).
    let fresh = dir.path().join("new-machine");
    let out = loket(
        &["restore", "--from", backup_file.to_str().unwrap()],
        &fresh,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("replaced"),
        "{}",
        text(&out)
    );
    let (hub, base) = start_hub(&fresh, false);
    let restored = tickets(&client, &base).await;
    for t in &all_before_backup {
        let (letter, n) = number(t);
        assert!(
            restored.get(&letter).is_some_and(|s| s.contains(&n)),
            "{t}, acknowledged before the backup started, is missing"
        );
    }
    for (letter, numbers) in &restored {
        let expected: BTreeSet<u32> = (1..=u32::try_from(numbers.len()).unwrap()).collect();
        assert_eq!(
            numbers, &expected,
            "numbers of {letter} in the backup have a gap"
        );
    }
    let next = issue(&client, &base, "new_passport").await;
    let last_a = restored.get(&'A').and_then(|s| s.last().copied()).unwrap();
    assert_eq!(number(&next), ('A', last_a + 1), "numbering continues");
    stop(hub);
    let verify = loket(&["audit", "verify"], &fresh);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));

    // Restore over the original folder: the replaced database is kept aside, and numbers
    // handed out after the backup are not handed out again.
    let out = loket(&["restore", "--from", backup_file.to_str().unwrap()], &data);
    assert!(out.status.success(), "{}", text(&out));
    let aside: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("replaced-"))
        .collect();
    assert_eq!(aside.len(), 1, "{}", text(&out));
    assert!(aside[0].path().join("loket.db").is_file());
    let (hub, base) = start_hub(&data, false);
    let next = issue(&client, &base, "new_passport").await;
    let max_a_issued = live_tickets
        .get(&'A')
        .and_then(|s| s.last().copied())
        .unwrap();
    assert_eq!(number(&next), ('A', max_a_issued + 1), "{}", text(&out));
    stop(hub);
    let verify = loket(&["audit", "verify"], &data);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
}

#[tokio::test]
async fn restore_refuses_a_damaged_or_tampered_backup_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("office");
    let out = loket(&["device", "add", "kiosk", "kiosk-1"], &data);
    assert!(out.status.success(), "{}", text(&out));
    let good = dir.path().join("good.db");
    let out = loket(&["backup", "--out", good.to_str().unwrap()], &data);
    assert!(out.status.success(), "{}", text(&out));

    let tampered = dir.path().join("tampered.db");
    std::fs::copy(&good, &tampered).unwrap();
    sql(&tampered, "UPDATE audit_log SET actor = 'x'").await;
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"not a database at all, just some bytes").unwrap();
    let truncated = dir.path().join("truncated.db");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();

    let before = std::fs::read(data.join("loket.db")).unwrap();
    for bad in [
        &tampered,
        &garbage,
        &truncated,
        &dir.path().join("missing.db"),
    ] {
        let out = loket(&["restore", "--from", bad.to_str().unwrap()], &data);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: {}",
            bad.display(),
            text(&out)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("backup file cannot be used"),
            "{}",
            text(&out)
        );
    }
    assert_eq!(std::fs::read(data.join("loket.db")).unwrap(), before);
    let out = loket(&["restore", "--from", good.to_str().unwrap()], &data);
    assert!(out.status.success(), "{}", text(&out));
}
