//! `loket-sync-agent` on a hub's data folder: it holds the folder's lock as the hub does
//! (so `loket restore` is refused while it runs, and it is refused while a restore runs),
//! and opens the outbox payloads the hub sealed with the hub's `seal.key`.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use common::*;
use loket_central::CentralStore;
use loket_sync::SyncSettings;
use loket_vault::lock::DataLock;
use loket_vault::seal::Sealer;

fn agent(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loket-sync-agent"));
    cmd.args([
        "--data",
        &data.display().to_string(),
        "--poll-secs",
        "1",
        "--backoff-max-ms",
        "500",
    ])
    .env("RUST_LOG", "warn");
    cmd
}

async fn enrolled_office(central: &Central, code: &str) -> Office {
    let office = Office::new(code).await;
    let ca = office.dir.path().join("central-ca.pem");
    ok(std::fs::write(&ca, &central.tls.cert));
    let token = ok(loket_central::add_office(central.store.as_ref(), code, false).await);
    let settings = SyncSettings {
        central: central.url_via(central.addr()),
        office: code.into(),
        ca_cert: Some(ca),
        poll_seconds: None,
        retention_days: None,
    };
    ok(loket_sync::enrol_office(office.dir.path(), &settings, &token).await);
    office
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn the_agent_holds_the_folder_lock_and_opens_sealed_payloads_with_the_hub_key() {
    let central = Central::start().await;
    let office = enrolled_office(&central, "AGS").await;
    // A signed BAP's answers, sealed the way the hub seals them (personal.rs).
    let sealer = ok(Sealer::open_or_create(office.dir.path()));
    let event_id = uuid::Uuid::now_v7().to_string();
    let secret = serde_json::json!({"answers": {"purpose": "umrah"}});
    let blob = sealer.seal(
        &loket_vault::outbox::outbox_context(&event_id),
        &ok(serde_json::to_vec(&secret)),
    );
    let payload = serde_json::json!({
        "office_code": "AGS",
        "bap": 7,
        "sealed": base64::engine::general_purpose::STANDARD.encode(blob),
    });
    ok(sqlx::query(
        "INSERT INTO outbox (event_id, kind, payload, occurred_at) VALUES (?, 'bap_signed', ?, '2026-11-23T08:00:00Z')",
    )
    .bind(&event_id)
    .bind(payload.to_string())
    .execute(office.ledger.pool())
    .await);
    ok(office
        .ledger
        .append_event("ticket_issued", &serde_json::json!({"office_code": "AGS"}))
        .await);

    let child = ok(agent(office.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn());
    let mut events = Vec::new();
    for _ in 0..400 {
        events = ok(central.store.events("AGS").await);
        if events.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // While it runs, a restore cannot take the folder.
    let restore = DataLock::exclusive(office.dir.path());
    stop(child);
    assert_eq!(events.len(), 2, "the agent did not upload the outbox");
    let bap = &events[0];
    assert_eq!(bap.event_id.to_string(), event_id);
    assert_eq!(bap.payload["answers"]["purpose"], "umrah");
    assert_eq!(bap.payload["bap"], 7);
    assert!(bap.payload.get("sealed").is_none(), "central got it sealed");
    assert!(
        matches!(restore, Err(loket_vault::lock::LockError::InUse(_))),
        "the agent held no lock: {restore:?}"
    );
    // Stopped, it holds nothing.
    assert!(DataLock::exclusive(office.dir.path()).is_ok());
}

#[tokio::test]
async fn the_agent_refuses_a_folder_a_restore_holds() {
    let central = Central::start().await;
    let office = enrolled_office(&central, "AGR").await;
    ok(office
        .ledger
        .append_event("ticket_issued", &serde_json::json!({"office_code": "AGR"}))
        .await);
    let restore = ok(DataLock::exclusive(office.dir.path()));
    let mut child = ok(agent(office.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn());
    let mut exited = false;
    for _ in 0..600 {
        if ok(child.try_wait()).is_some() {
            exited = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !exited {
        stop(child);
        panic!("the agent ran while a restore held the folder");
    }
    let out = ok(child.wait_with_output());
    drop(restore);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("loket restore"), "{said}");
    assert!(ok(central.store.events("AGR").await).is_empty());
}
