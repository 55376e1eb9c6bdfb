//! The hub killed with kill -9 mid-upload, then restarted: nothing lost, nothing doubled.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use loket_central::CentralStore;
use loket_sync::{FaultProxy, OfficeLedger, SyncSettings};

fn start_agent(data: &std::path::Path) -> Child {
    ok(Command::new(env!("CARGO_BIN_EXE_loket-sync-agent"))
        .args([
            "--data",
            &data.display().to_string(),
            "--chunk",
            "65536",
            "--poll-secs",
            "1",
            "--backoff-max-ms",
            "500",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn())
}

#[tokio::test]
async fn hub_killed_mid_upload_resumes_without_loss_or_doubles() {
    let central = Central::start().await;
    let proxy = ok(FaultProxy::start(central.addr()).await);
    let office = Office::new("KUP").await;
    office.busy_day(30, 60_000, 2, 15_000).await;
    let ca = office.dir.path().join("central-ca.pem");
    ok(std::fs::write(&ca, &central.tls.cert));
    let token = ok(loket_central::add_office(central.store.as_ref(), "KUP", false).await);
    let settings = SyncSettings {
        central: central.url_via(proxy.addr()),
        office: "KUP".into(),
        ca_cert: Some(ca),
        poll_seconds: None,
        retention_days: None,
    };
    ok(loket_sync::enrol_office(office.dir.path(), &settings, &token).await);
    // Slow link so the kill lands mid-upload.
    proxy.set_rate(Some(400_000)).await;
    let mut agent = start_agent(office.dir.path());
    let mut landed = false;
    for _ in 0..400 {
        let blobs = ok(central.store.office_blobs("KUP").await).len();
        if blobs >= 3 {
            landed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(landed, "agent made no progress");
    ok(agent.kill()); // SIGKILL
    let status = ok(agent.wait());
    assert!(!status.success());
    let done_before = ok(central.store.office_blobs("KUP").await).len();
    assert!(
        done_before < 90,
        "the kill must land mid-upload ({done_before} of 90 blobs)"
    );

    proxy.set_rate(None).await;
    let mut agent = start_agent(office.dir.path());
    let mut drained = false;
    for _ in 0..600 {
        let p = ok(office.ledger.pending().await);
        if p.events == 0 && p.blobs == 0 {
            drained = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(drained, "restarted agent did not drain");
    assert_central_equals_office(central.store.as_ref(), &office).await;
}
