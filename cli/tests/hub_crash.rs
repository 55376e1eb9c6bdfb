//! Crash test: kill -9 the real `loket hub` during a burst of ticket issues from concurrent
//! kiosks, restart it, and find every acknowledged ticket stored, numbering unique and
//! gapless per service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KIOSK: &str = "lkd_demo_kiosk";

/// Starts the hub and returns it with its base URL (read from its "listening on" line).
fn start_hub(data: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["hub", "--data"])
        .arg(data)
        .args(["--listen", "127.0.0.1:0", "--demo"])
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_tickets_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, base) = start_hub(dir.path());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let acked: Arc<Mutex<Vec<(i64, String, String)>>> = Arc::default();
    let mut tasks = Vec::new();
    for k in 0..8 {
        let (client, base, acked) = (client.clone(), base.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            let service = if k % 2 == 0 {
                "new_passport"
            } else {
                "replacement"
            };
            loop {
                let res = client
                    .post(format!("{base}/api/v1/tickets"))
                    .bearer_auth(KIOSK)
                    .json(&json!({"service": service}))
                    .send()
                    .await;
                let Ok(res) = res else { break };
                if !res.status().is_success() {
                    let body = res.text().await.unwrap_or_default();
                    panic!("ticket refused before the crash: {body}");
                }
                let Ok(body) = res.json::<Value>().await else {
                    break;
                };
                let entry = (
                    body["id"].as_i64().unwrap(),
                    body["ticket"].as_str().unwrap().to_string(),
                    service.to_string(),
                );
                acked.lock().unwrap().push(entry);
            }
        }));
    }
    let started = Instant::now();
    while acked.lock().unwrap().len() < 60 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    hub.kill().unwrap(); // SIGKILL
    hub.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 60, "burst too small: {}", acked.len());

    let (mut hub, base) = start_hub(dir.path());
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
    let stored: BTreeMap<i64, String> = queue
        .iter()
        .map(|v| {
            (
                v["id"].as_i64().unwrap(),
                v["ticket"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (id, ticket, _) in &acked {
        assert_eq!(
            stored.get(id),
            Some(ticket),
            "acknowledged ticket {ticket} (visit {id}) lost"
        );
    }
    let mut per_service: BTreeMap<char, BTreeSet<u32>> = BTreeMap::new();
    for (i, ticket) in stored.values().enumerate() {
        let letter = ticket.chars().next().unwrap();
        let number: u32 = ticket[1..].parse().unwrap();
        assert!(
            per_service.entry(letter).or_default().insert(number),
            "{ticket} issued twice ({i})"
        );
    }
    for (letter, numbers) in &per_service {
        let expected: BTreeSet<u32> = (1..=u32::try_from(numbers.len()).unwrap()).collect();
        assert_eq!(numbers, &expected, "numbers of {letter} have a gap");
    }
    // The next number continues after the last stored one.
    let next: Value = client
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(KIOSK)
        .json(&json!({"service": "new_passport"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let a_count = per_service.get(&'A').map_or(0, BTreeSet::len);
    assert_eq!(next["ticket"], format!("A{:03}", a_count + 1));
    hub.kill().unwrap();
    hub.wait().unwrap();
}
