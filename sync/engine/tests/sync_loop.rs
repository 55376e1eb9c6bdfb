//! The whole loop against a real central over TLS, with faults injected by the proxy.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use loket_central::CentralStore;
use loket_sync::{Fault, FaultProxy, LinkState, OfficeLedger, SyncEngine};
use loket_sync_protocol::{Booking, Change, Fee, FeeTable, PaymentState, Quota};

#[tokio::test]
async fn full_loop_over_tls_moves_everything_exactly_once() {
    let central = Central::start().await;
    let office = Office::new("JKT").await;
    office.busy_day(20, 6_000, 3, 1_500).await;
    let client = central.enrol("JKT", central.addr()).await;
    let engine = SyncEngine::new(office.ledger.clone(), client, fast_config());
    let report = ok(engine.sync_once().await);
    assert_eq!(report.events, 60);
    assert_eq!(report.blobs, 80);
    assert_central_equals_office(central.store.as_ref(), &office).await;
    // A second round moves nothing and changes nothing.
    let again = ok(engine.sync_once().await);
    assert_eq!((again.events, again.blobs), (0, 0));
    assert_central_equals_office(central.store.as_ref(), &office).await;
    // Forgetting the acknowledgement (a restored backup) re-sends: still exactly once.
    ok(sqlx::query("DELETE FROM sync_state")
        .execute(office.ledger.pool())
        .await);
    ok(sqlx::query("UPDATE sync_blobs SET uploaded_at = NULL")
        .execute(office.ledger.pool())
        .await);
    let resent = ok(engine.sync_once().await);
    assert_eq!(resent.events, 60);
    assert_central_equals_office(central.store.as_ref(), &office).await;
}

#[tokio::test]
async fn cuts_drops_delays_and_5xx_lose_nothing_and_double_nothing() {
    let central = Central::start().await;
    let proxy = ok(FaultProxy::start(central.addr()).await);
    let office = Office::new("SBY").await;
    office.busy_day(30, 20_000, 2, 5_000).await;
    let client = central.enrol_fresh_connections("SBY", proxy.addr()).await;
    let config = loket_sync::EngineConfig {
        event_batch: 16,
        blob_parallelism: 1,
        ..fast_config()
    };
    let engine = SyncEngine::new(office.ledger.clone(), client, config);
    proxy.push_faults([
        Fault::CutRequestAfter(900),
        Fault::CutResponseAfter(40),
        Fault::None,
        Fault::CutResponseAfter(3_000), // after TLS set-up: mid-answer to an upload
        Fault::Drop,
        Fault::ServiceUnavailable,
        Fault::Delay(Duration::from_millis(150)),
        Fault::CutRequestAfter(12_000), // mid-blob
        Fault::CutResponseAfter(5_000),
        Fault::CutRequestAfter(30_000),
    ]);
    let attempts = sync_until_ok(&engine, 40).await;
    assert!(attempts > 1, "the faults should have failed some rounds");
    assert_eq!(
        proxy.stats().faults,
        9,
        "every queued fault (9 besides the one None) met a request"
    );
    assert_central_equals_office(central.store.as_ref(), &office).await;
}

#[tokio::test]
async fn a_blob_resumes_mid_file_after_a_cut() {
    let central = Central::start().await;
    let proxy = ok(FaultProxy::start(central.addr()).await);
    let office = Office::new("MDN").await;
    let path = write_blob(office.dir.path(), "big", 3_000_000, 5);
    let sha = ok(office.ledger.register_blob(&path).await);
    let client = central.enrol("MDN", proxy.addr()).await;
    let config = loket_sync::EngineConfig {
        blob_chunk: 256 * 1024,
        ..fast_config()
    };
    let engine = SyncEngine::new(office.ledger.clone(), client, config);
    // The first connection dies after about 1.3 MB went up.
    proxy.push_faults([Fault::CutRequestAfter(1_300_000)]);
    assert!(engine.sync_once().await.is_err());
    let partial = ok(central.store.blob_status(&sha).await);
    assert!(!partial.complete);
    assert!(
        partial.received >= 512 * 1024,
        "central kept the chunks before the cut: {}",
        partial.received
    );
    let before = proxy.stats().bytes_up;
    ok(engine.sync_once().await);
    let resent = proxy.stats().bytes_up - before;
    assert!(
        resent < 3_000_000 - partial.received + 200_000,
        "resumed, not restarted: {resent} bytes"
    );
    assert_central_equals_office(central.store.as_ref(), &office).await;
}

#[tokio::test]
async fn central_restarted_mid_sync_loses_nothing() {
    let mut central = Central::start().await;
    let proxy = ok(FaultProxy::start(central.addr()).await);
    let office = Office::new("DPS").await;
    office.busy_day(40, 30_000, 2, 10_000).await;
    let client = central.enrol("DPS", proxy.addr()).await;
    proxy.set_rate(Some(1_000_000)).await;
    let handle = SyncEngine::new(office.ledger.clone(), client, fast_config()).spawn();
    // Wait until part of the day is up, then restart central.
    for _ in 0..200 {
        let done = ok(central.store.office_blobs("DPS").await).len();
        if done >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let midway = ok(central.store.office_blobs("DPS").await).len();
    assert!(
        midway < 120,
        "restart should land mid-sync ({midway} blobs done)"
    );
    central.restart().await;
    proxy.set_upstream(central.addr());
    proxy.set_rate(None).await;
    wait_drained(&handle, &office).await;
    handle.stop().await;
    assert_central_equals_office(central.store.as_ref(), &office).await;
}

async fn wait_drained(handle: &loket_sync::SyncHandle, office: &Office) {
    for _ in 0..600 {
        let p = ok(office.ledger.pending().await);
        if p.events == 0 && p.blobs == 0 && handle.status().link == LinkState::Up {
            return;
        }
        handle.nudge();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not drained: {:?}", handle.status());
}

#[tokio::test]
async fn central_disk_full_is_reported_clearly_and_a_later_retry_succeeds() {
    let central = Central::start().await;
    let office = Office::new("BDG").await;
    office.busy_day(5, 2_000, 1, 1_000).await;
    let client = central.enrol("BDG", central.addr()).await;
    central.store.full.store(true, Ordering::SeqCst);
    let handle = SyncEngine::new(office.ledger.clone(), client, fast_config()).spawn();
    let mut seen = None;
    for _ in 0..200 {
        let s = handle.status();
        if s.last_error.is_some() {
            seen = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = seen.unwrap_or_else(|| panic!("no error surfaced"));
    assert_eq!(status.link, LinkState::CentralUnavailable);
    let message = status.last_error.unwrap_or_default();
    assert!(message.contains("507"), "{message}");
    assert!(
        message.contains("Penyimpanan pusat penuh") && message.contains("Central storage is full"),
        "{message}"
    );
    assert!(status.next_retry_at.is_some());
    assert_eq!(status.pending.events, 15);
    assert!(ok(central.store.events("BDG").await).is_empty());
    central.store.full.store(false, Ordering::SeqCst);
    wait_drained(&handle, &office).await;
    assert!(handle.status().last_error.is_none());
    handle.stop().await;
    assert_central_equals_office(central.store.as_ref(), &office).await;
}

fn booking(id: &str, office: &str, day: u32, version: i64, payment: PaymentState) -> Booking {
    Booking {
        booking_id: id.into(),
        office: office.into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default(),
        slot: "08:00-09:00".into(),
        service: "new_passport".into(),
        applicant_name: "Pemohon".into(),
        payment,
        version,
        applicants: Vec::new(),
        billing_code: None,
        rescheduled: false,
    }
}

#[tokio::test]
async fn change_feed_applies_conflict_rules_and_resumes_at_its_cursor() {
    let central = Central::start().await;
    let office = Office::new("JKT").await;
    let client = central.enrol("JKT", central.addr()).await;
    let engine = SyncEngine::new(office.ledger.clone(), client, fast_config());
    let publish = |c: Change| {
        let store = central.store.clone();
        async move { ok(store.publish("JKT", &c).await) }
    };
    for id in ["B1", "B2", "B3", "B4"] {
        publish(Change::BookingUpserted {
            booking: booking(id, "JKT", 23, 1, PaymentState::Paid),
        })
        .await;
    }
    publish(Change::FeeTable(FeeTable {
        valid_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        fees: vec![Fee {
            service: "new_passport".into(),
            amount_idr: 350_000,
        }],
    }))
    .await;
    publish(Change::Quota(Quota {
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
        service: "new_passport".into(),
        slots: 120,
    }))
    .await;
    publish(Change::OfficeSettings {
        settings: serde_json::json!({"counters": 6}),
    })
    .await;
    let first = ok(engine.sync_once().await);
    assert_eq!(first.changes, 7);
    assert_eq!(ok(office.ledger.feed_cursor().await), 7);
    assert!(
        ok(office
            .ledger
            .reference("quota:2026-11-24:new_passport")
            .await)
        .is_some()
    );
    assert!(ok(office.ledger.reference("office_settings").await).is_some());

    // B1, B2, B3 are checked in at the office; B4 is not.
    for id in ["B1", "B2", "B3"] {
        ok(
            sqlx::query("INSERT INTO check_ins (booking_code) VALUES (?)")
                .bind(id)
                .execute(office.ledger.pool())
                .await,
        );
    }
    publish(Change::BookingCancelled {
        booking_id: "B1".into(),
        office: "JKT".into(),
        reason: "applicant".into(),
    })
    .await;
    publish(Change::BookingUpserted {
        booking: booking("B2", "JKT", 27, 2, PaymentState::Paid),
    })
    .await;
    publish(Change::PaymentStatus {
        booking_id: "B3".into(),
        office: "JKT".into(),
        status: PaymentState::Revoked,
    })
    .await;
    publish(Change::BookingCancelled {
        booking_id: "B4".into(),
        office: "JKT".into(),
        reason: "applicant".into(),
    })
    .await;
    publish(Change::BookingUpserted {
        booking: booking("X9", "SBY", 23, 1, PaymentState::Paid),
    })
    .await;
    let second = ok(engine.sync_once().await);
    assert_eq!(
        second.changes, 5,
        "only the new changes: the feed resumed at its cursor"
    );
    assert_eq!(ok(office.ledger.feed_cursor().await), 12);

    let b1 = ok(office.ledger.booking("B1").await).unwrap_or_else(|| panic!("B1"));
    assert!(
        !b1.cancelled,
        "cancelled after check-in: the visit keeps its booking"
    );
    let b2 = ok(office.ledger.booking("B2").await).unwrap_or_else(|| panic!("B2"));
    assert_eq!(
        b2.booking.date.to_string(),
        "2026-11-23",
        "rescheduled after check-in: the visit keeps its day"
    );
    let b3 = ok(office.ledger.booking("B3").await).unwrap_or_else(|| panic!("B3"));
    assert_eq!(
        (b3.payment.as_str(), b3.hold.as_deref()),
        ("revoked", Some("payment_revoked_after_check_in"))
    );
    let b4 = ok(office.ledger.booking("B4").await).unwrap_or_else(|| panic!("B4"));
    assert!(b4.cancelled, "cancelled before check-in: applied");
    assert!(
        ok(office.ledger.booking("X9").await).is_none(),
        "another office's booking is not stored"
    );
    let rules: Vec<String> = ok(office.ledger.conflicts().await)
        .into_iter()
        .map(|c| c.rule)
        .collect();
    assert_eq!(
        rules,
        [
            "cancelled_after_check_in",
            "rescheduled_after_check_in",
            "payment_revoked_after_check_in",
            "booking_for_another_office"
        ]
    );
    let errors = ok(office.ledger.item_errors().await);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].item, "change:12");
    // Central heard about every conflict, exactly once.
    let conflicts_up = ok(central.store.events("JKT").await)
        .into_iter()
        .filter(|e| e.kind == "sync.conflict")
        .count();
    assert_eq!(conflicts_up, 4);
    assert_central_equals_office(central.store.as_ref(), &office).await;
}

#[tokio::test]
async fn confirmed_blobs_are_purged_locally_after_the_retention_and_never_before() {
    let central = Central::start().await;
    let office = Office::new("BDG").await;
    let photo = write_blob(office.dir.path(), "photo", 20_000, 2);
    let photo_sha = ok(office.ledger.register_blob(&photo).await);
    let client = central.enrol("BDG", central.addr()).await;

    // The default retention (30 days): confirmed by central, the local copy stays.
    let engine = SyncEngine::new(office.ledger.clone(), client.clone(), fast_config());
    let report = ok(engine.sync_once().await);
    assert_eq!((report.blobs, report.purged), (1, 0));
    assert!(photo.exists());
    assert_eq!(ok(office.ledger.blob_purged(&photo_sha).await), Some(false));

    // A blob central has not confirmed is never purged, however old.
    let prints = write_blob(office.dir.path(), "prints", 15_000, 3);
    let prints_sha = ok(office.ledger.register_blob(&prints).await);
    let far_future = chrono::Utc::now() + chrono::Duration::days(3650);
    assert_eq!(
        ok(office.ledger.purge_confirmed_blobs(far_future).await),
        1,
        "only the confirmed photo goes"
    );
    assert!(!photo.exists() && prints.exists());
    assert_eq!(ok(office.ledger.blob_purged(&photo_sha).await), Some(true));
    assert_eq!(
        ok(office.ledger.blob_purged(&prints_sha).await),
        Some(false)
    );

    // Retention zero: uploaded, confirmed and purged in the same round; central keeps it.
    let config = loket_sync::EngineConfig {
        retention: Some(Duration::ZERO),
        ..fast_config()
    };
    let engine = SyncEngine::new(office.ledger.clone(), client, config);
    let report = ok(engine.sync_once().await);
    assert_eq!((report.blobs, report.purged), (1, 1));
    assert!(!prints.exists());
    let pending = ok(office.ledger.pending().await);
    assert_eq!(pending.blobs, 0, "a purged blob is not uploaded again");
}
