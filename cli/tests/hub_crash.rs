//! Crash test: kill -9 the real `loket hub` during a burst of ticket issues from concurrent
//! kiosks, restart it, and find every acknowledged ticket stored, numbering unique and
//! gapless per service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;

use common::{KIOSK, assert_capture_file, client, kill_9_when, open_database, send, start_hub};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_tickets_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, base) = start_hub(dir.path(), true);
    let client = client(Duration::from_secs(5));
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
    kill_9_when(&mut hub, Duration::from_secs(60), || {
        acked.lock().unwrap().len() >= 60
    })
    .await;
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 60, "burst too small: {}", acked.len());

    let (mut hub, base) = start_hub(dir.path(), true);
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

/// A BAP interview's answers (a lost passport) for the crash test.
fn bap_answers(nik: &str) -> Value {
    json!({
        "identity": {"full_name": "Siti Aminah", "nik": nik, "birth_place": "Jakarta",
                     "birth_date": "1990-09-05", "occupation": "Guru", "address": "Jl. Melati 1",
                     "phone": "0812000111"},
        "old_passport": {"number": "C1234567", "issuing_office": "Kanim Jakarta Selatan"},
        "reason": {"kind": "lost", "police_report_number": "LP/B/123/XI/2024/Polsek Menteng",
                   "police_report_date": "2024-11-20", "police_station": "Polsek Menteng"},
        "force_majeure_claimed": false,
        "chronology": "Tas berisi paspor tertinggal di kereta",
        "incident_place": "KRL Manggarai",
        "incident_date": "2024-11-19",
        "travel_purpose": "Umrah",
        "past_use": "Perjalanan ke Malaysia 2024",
        "past_applications": "Tidak ada",
        "documents": ["ektp", "family_card", "birth_certificate", "police_report"],
        "assessment": "Keterangan konsisten, dokumen lengkap",
    })
}

async fn must(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> Value {
    let (s, v) = send(client, method, url.clone(), token, body)
        .await
        .unwrap();
    assert_eq!(s, 200, "{url}: {v}");
    v
}

/// Check-ins of imported bookings and the signing of BAPs, concurrently, when the hub is
/// killed: every acknowledged check-in gives the same tickets again after the restart (none
/// lost, none doubled), every acknowledged signature is there, and no BAP is signed twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_check_ins_and_signed_baps_survive_kill_9() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, base) = start_hub(dir.path(), true);
    let client = client(Duration::from_secs(20));

    // Today's bookings, imported by the command while the hub runs.
    let office = must(
        &client,
        Method::GET,
        format!("{base}/api/v1/office"),
        KIOSK,
        None,
    )
    .await;
    let offset = match office["time_zone"].as_str().unwrap() {
        "WITA" => 8,
        "WIT" => 9,
        _ => 7,
    };
    let now: chrono::DateTime<chrono::Utc> = office["now"].as_str().unwrap().parse().unwrap();
    let local = now + chrono::Duration::hours(offset);
    let slot = local.format("%H:00:00").to_string();
    let date = office["office_date"].as_str().unwrap();
    let tag = date.replace('-', "");
    let bookings: Vec<Value> = (0..120u32)
        .map(|i| {
            json!({
                "code": format!("CR{tag}{i:04}"),
                "office_code": office["code"],
                "date": date,
                "slot_start": slot,
                "applicants": [{"name": format!("Pemohon {i}"),
                                "nik": format!("317101{:02}{:02}85{:04}", 1 + i % 28, 1 + (i / 28) % 12, 1000 + i),
                                "service": "new_passport"}],
                "payment": "paid",
                "billing_code": format!("82{tag}{i:05}"),
                "cancelled": false,
                "rescheduled": false,
            })
        })
        .collect();
    let file = dir.path().join("bookings.json");
    std::fs::write(&file, json!({"bookings": bookings}).to_string()).unwrap();
    let import = std::process::Command::new(env!("CARGO_BIN_EXE_loket"))
        .args(["import-bookings"])
        .arg(&file)
        .arg("--data")
        .arg(dir.path())
        .env_remove("LOKET_CONFIG")
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "import: {}",
        String::from_utf8_lossy(&import.stderr)
    );

    // BAPs interviewed and completed, waiting for their signatures.
    let login = must(
        &client,
        Method::POST,
        format!("{base}/api/v1/auth/login"),
        "",
        Some(json!({"username": "officer", "password": "officer-demo"})),
    )
    .await;
    let officer = login["token"].as_str().unwrap().to_string();
    let mut baps = Vec::new();
    for i in 0..10 {
        let ticket = must(
            &client,
            Method::POST,
            format!("{base}/api/v1/tickets"),
            KIOSK,
            Some(json!({"service": "lost_damaged"})),
        )
        .await;
        let bap = must(
            &client,
            Method::POST,
            format!("{base}/api/v1/baps"),
            &officer,
            Some(json!({"visit_id": ticket["id"]})),
        )
        .await;
        let id = bap["id"].as_str().unwrap().to_string();
        let path = format!("{base}/api/v1/baps/{id}");
        let nik = format!("317101450990{:04}", i + 1);
        let bap = must(
            &client,
            Method::PUT,
            path.clone(),
            &officer,
            Some(json!({"answers": bap_answers(&nik), "revision": bap["revision"]})),
        )
        .await;
        let _ = bap;
        must(
            &client,
            Method::POST,
            format!("{path}/decide"),
            &officer,
            Some(json!({"outcome": {"kind": "approve_with_charge",
                                    "book": {"electronic": true, "validity": "ten_years"}}})),
        )
        .await;
        must(
            &client,
            Method::POST,
            format!("{path}/complete"),
            &officer,
            None,
        )
        .await;
        baps.push(id);
    }

    // The burst: six kiosks check bookings in, two officers sign BAPs; then kill -9.
    type Tickets = Vec<(i64, String)>;
    let checked: Arc<Mutex<Vec<(String, Tickets)>>> = Arc::default();
    let signed: Arc<Mutex<Vec<String>>> = Arc::default();
    let tickets_of = |v: &Value| -> Tickets {
        v["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["id"].as_i64().unwrap(),
                    t["ticket"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let mut tasks = Vec::new();
    for k in 0..6u32 {
        let (client, base, checked, tag) =
            (client.clone(), base.clone(), checked.clone(), tag.clone());
        tasks.push(tokio::spawn(async move {
            for i in (k..120).step_by(6) {
                let code = format!("CR{tag}{i:04}");
                let url = format!("{base}/api/v1/check-ins");
                let body = json!({"booking_code": code});
                let Ok((status, v)) = send(&client, Method::POST, url, KIOSK, Some(body)).await
                else {
                    return;
                };
                assert_eq!(status, 200, "check-in refused before the crash: {v}");
                let tickets = tickets_of(&v);
                checked.lock().unwrap().push((code, tickets));
            }
        }));
    }
    for k in 0..2usize {
        let (client, base, signed, officer) = (
            client.clone(),
            base.clone(),
            signed.clone(),
            officer.clone(),
        );
        let mine: Vec<String> = baps.iter().skip(k).step_by(2).cloned().collect();
        tasks.push(tokio::spawn(async move {
            for id in mine {
                let url = format!("{base}/api/v1/baps/{id}/sign");
                let body = json!({"supervisor": {"username": "supervisor", "password": "supervisor-demo"}});
                let Ok((status, v)) = send(&client, Method::POST, url, &officer, Some(body)).await else {
                    return;
                };
                assert_eq!(status, 200, "signing refused before the crash: {v}");
                assert_eq!(v["status"], "signed", "{v}");
                signed.lock().unwrap().push(id);
            }
        }));
    }
    kill_9_when(&mut hub, Duration::from_secs(90), || {
        checked.lock().unwrap().len() >= 40 && signed.lock().unwrap().len() >= 3
    })
    .await;
    for t in tasks {
        t.await.unwrap();
    }
    let checked = checked.lock().unwrap().clone();
    let signed = signed.lock().unwrap().clone();
    assert!(
        checked.len() >= 40 && signed.len() >= 3,
        "burst too small: {} check-ins, {} signatures",
        checked.len(),
        signed.len()
    );

    let (mut hub, base) = start_hub(dir.path(), true);
    // Each acknowledged check-in is there: checking in again gives the same tickets.
    for (code, tickets) in &checked {
        let again = must(
            &client,
            Method::POST,
            format!("{base}/api/v1/check-ins"),
            KIOSK,
            Some(json!({"booking_code": code})),
        )
        .await;
        assert_eq!(again["already_checked_in"], true, "{code} lost: {again}");
        assert_eq!(&tickets_of(&again), tickets, "{code} changed its tickets");
    }
    // The rest check in now; every booking holds exactly one visit, numbers unique.
    let mut numbers = BTreeSet::new();
    for i in 0..120u32 {
        let v = must(
            &client,
            Method::POST,
            format!("{base}/api/v1/check-ins"),
            KIOSK,
            Some(json!({"booking_code": format!("CR{tag}{i:04}")})),
        )
        .await;
        let tickets = tickets_of(&v);
        assert_eq!(tickets.len(), 1, "{v}");
        assert!(
            numbers.insert(tickets[0].1.clone()),
            "{} issued twice",
            tickets[0].1
        );
    }
    // Each acknowledged signature is there; no BAP lost its state or was signed twice.
    let login = must(
        &client,
        Method::POST,
        format!("{base}/api/v1/auth/login"),
        "",
        Some(json!({"username": "officer", "password": "officer-demo"})),
    )
    .await;
    let officer = login["token"].as_str().unwrap().to_string();
    for id in &baps {
        let bap = must(
            &client,
            Method::GET,
            format!("{base}/api/v1/baps/{id}"),
            &officer,
            None,
        )
        .await;
        let status = bap["status"].as_str().unwrap();
        if signed.contains(id) {
            assert_eq!(
                status, "signed",
                "acknowledged signature of {id} lost: {bap}"
            );
        } else {
            assert!(matches!(status, "signed" | "completed"), "{id}: {bap}");
        }
        assert_eq!(bap["version"], 1, "{id}: {bap}");
    }
    hub.kill().unwrap();
    hub.wait().unwrap();
    let db = open_database(dir.path()).await;
    let (rows, distinct): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT json_extract(payload, '$.bap_id')) FROM outbox WHERE kind = 'bap_signed'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(rows, distinct, "a BAP's signature went to the outbox twice");
    assert!(rows >= i64::try_from(signed.len()).unwrap());
}

/// A synthetic fingerprint from the simulated reader, WSQ-encoded as the counter's capture
/// would be.
fn print_wsq() -> Vec<u8> {
    use loket_fingerprint::simulated::{Degradation, ridge_pattern};
    loket_fingerprint::counter::encode_wsq(&ridge_pattern(200, 240, 500, 9, Degradation::None))
        .unwrap()
}

/// "Capture stored" for fingerprints under kill -9: two officers save the prints of
/// different visits while the hub is killed. After the restart every acknowledged session
/// is there and complete, and every stored print has its sealed file (hash as recorded,
/// registered once for upload).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_fingerprint_sessions_survive_kill_9() {
    use base64::Engine as _;
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, base) = start_hub(dir.path(), true);
    let client = client(Duration::from_secs(20));
    let wsq = base64::engine::general_purpose::STANDARD.encode(print_wsq());
    // The default plan: all ten fingers.
    let fingers: Vec<Value> = ["right", "left"]
        .iter()
        .flat_map(|hand| {
            ["thumb", "index", "middle", "ring", "little"]
                .iter()
                .map(move |f| format!("{hand}_{f}"))
        })
        .map(|finger| json!({"status": "captured", "finger": finger, "wsq": wsq, "score": 80, "attempts": 1}))
        .collect();
    let body = json!({ "fingers": fingers });
    let mut visits = Vec::new();
    for service in ["new_passport", "replacement", "lost_damaged"]
        .iter()
        .cycle()
        .take(48)
    {
        let t = must(
            &client,
            Method::POST,
            format!("{base}/api/v1/tickets"),
            KIOSK,
            Some(json!({"service": service})),
        )
        .await;
        visits.push(t["id"].as_i64().unwrap());
    }
    let acked: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut tasks = Vec::new();
    for (k, user) in ["officer", "officer2"].into_iter().enumerate() {
        let login = must(
            &client,
            Method::POST,
            format!("{base}/api/v1/auth/login"),
            "",
            Some(json!({"username": user, "password": format!("{user}-demo")})),
        )
        .await;
        let token = login["token"].as_str().unwrap().to_string();
        let mine: Vec<i64> = visits.iter().copied().skip(k).step_by(2).collect();
        let (client, base, acked, body) =
            (client.clone(), base.clone(), acked.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            for visit in mine {
                let url = format!("{base}/api/v1/visits/{visit}/fingerprints");
                let Ok((status, saved)) =
                    send(&client, Method::PUT, url, &token, Some(body.clone())).await
                else {
                    break;
                };
                assert_eq!(
                    status, 200,
                    "saving prints refused before the crash: {saved}"
                );
                assert_eq!(saved["complete"], true, "{saved}");
                acked.lock().unwrap().push(visit);
            }
            token
        }));
    }
    kill_9_when(&mut hub, Duration::from_secs(120), || {
        acked.lock().unwrap().len() >= 12 || tasks.iter().all(|t| t.is_finished())
    })
    .await;
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap());
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 12,
        "only {} sessions before the kill",
        acked.len()
    );

    let db = open_database(dir.path()).await;
    let images: Vec<(i64, String, String, i64)> =
        sqlx::query_as("SELECT id, path, sha256, size FROM fingerprint_images")
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(images.len() >= acked.len() * 10);
    for (id, path, sha256, size) in &images {
        let file =
            assert_capture_file(&db, &format!("print {id}"), &dir.path().join(path), sha256).await;
        assert_eq!(file.len() as i64, *size, "print {id}");
    }
    db.close().await;

    let (mut hub, base) = start_hub(dir.path(), true);
    for visit in acked {
        let (status, view) = send(
            &client,
            Method::GET,
            format!("{base}/api/v1/visits/{visit}/fingerprints"),
            &tokens[0],
            None,
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "{view}");
        assert_eq!(
            view["complete"], true,
            "acknowledged prints of visit {visit} lost: {view}"
        );
    }
    hub.kill().unwrap();
    let _ = hub.wait();
}
