//! The engine on a database made by the hub's own migrations (`core/hub/migrations`): the
//! hub's `outbox` is the engine's ledger, and bookings from central's feed land in the hub's
//! `bookings` and `applicants` tables (the rows check-in reads), under the conflict rules.

mod common;

use common::*;
use loket_central::CentralStore;
use loket_sync::{OUTBOX_DDL, OfficeLedger, SqliteLedger, SyncEngine};
use loket_sync_protocol::{Booking, BookingApplicant, Change, PaymentState};
use sqlx::Row;

/// A database with every hub migration applied, in file-name order.
async fn hub_database(dir: &std::path::Path) -> SqliteLedger {
    let ledger = ok(SqliteLedger::open(&dir.join("loket.db")).await);
    run_hub_migrations(ledger.pool()).await;
    ledger
}

/// Runs the hub's migrations (core/hub/migrations) on `pool`, in order.
async fn run_hub_migrations(pool: &sqlx::SqlitePool) {
    // Embedded at build time (and rebuilt when they change), so the test does not depend on
    // the source folder it was built from still being there.
    let migrator = sqlx::migrate!("../../core/hub/migrations");
    assert!(migrator.iter().next().is_some(), "no hub migrations found");
    ok(migrator.run(pool).await);
}

async fn columns(pool: &sqlx::SqlitePool, table: &str) -> Vec<(String, String, i64, i64)> {
    let sql = format!("PRAGMA table_info({table})");
    ok(sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await)
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("name"),
                r.get::<String, _>("type"),
                r.get::<i64, _>("notnull"),
                r.get::<i64, _>("pk"),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_hubs_outbox_is_the_engines_ledger() {
    let dir = ok(tempfile::tempdir());
    let hub = hub_database(dir.path()).await;
    let plain_dir = ok(tempfile::tempdir());
    let plain = ok(SqliteLedger::open(&plain_dir.path().join("loket.db")).await);
    ok(sqlx::query(OUTBOX_DDL).execute(plain.pool()).await);
    assert_eq!(
        columns(hub.pool(), "outbox").await,
        columns(plain.pool(), "outbox").await,
        "the hub's outbox and the engine's OUTBOX_DDL differ"
    );
    // Rows written the way the hub writes them (store::outbox: UUID v7, JSON payload,
    // RFC 3339 with milliseconds) come out as protocol events in seq order.
    for (i, kind) in ["ticket_issued", "visit_event", "booking_checked_in"]
        .iter()
        .enumerate()
    {
        ok(sqlx::query(
            "INSERT INTO outbox (event_id, kind, payload, occurred_at) VALUES (?, ?, ?, ?)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(*kind)
        .bind(format!(r#"{{"office_code":"JKT","visit_id":{i}}}"#))
        .bind(format!("2026-11-23T01:0{i}:00.125Z"))
        .execute(hub.pool())
        .await);
    }
    let events = ok(hub.events_after(0, 10).await);
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(events[2].kind, "booking_checked_in");
    assert_eq!(events[1].payload["visit_id"], 1);
    assert_eq!(
        events[0].occurred_at.to_rfc3339(),
        "2026-11-23T01:00:00.125+00:00"
    );
    let pending = ok(hub.pending().await);
    assert_eq!(pending.events, 3);
}

fn booking(id: &str, day: u32, slot: &str, version: i64, payment: PaymentState) -> Booking {
    Booking {
        booking_id: id.into(),
        office: "JKT".into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default(),
        slot: slot.into(),
        service: "new_passport".into(),
        applicant_name: "Pemohon Satu".into(),
        payment,
        version,
        applicants: Vec::new(),
        billing_code: None,
        rescheduled: false,
    }
}

type HubBooking = (String, String, String, i64, i64, i64);

async fn hub_booking(pool: &sqlx::SqlitePool, code: &str) -> Option<HubBooking> {
    ok(sqlx::query_as::<_, HubBooking>(
        "SELECT booking_date, slot_start, payment, cancelled, rescheduled, payment_stale FROM bookings WHERE code = ?",
    )
    .bind(code)
    .fetch_optional(pool)
    .await)
}

#[tokio::test]
async fn feed_bookings_land_in_the_hubs_tables_under_the_conflict_rules() {
    let central = Central::start().await;
    let dir = ok(tempfile::tempdir());
    let ledger = std::sync::Arc::new(hub_database(dir.path()).await);
    let pool = ledger.pool().clone();
    let client = central.enrol("JKT", central.addr()).await;
    let engine = SyncEngine::new(ledger.clone(), client, fast_config());
    let publish = |c: Change| {
        let store = central.store.clone();
        async move { ok(store.publish("JKT", &c).await) }
    };

    // A family booking with NIKs, a lower-case code with a space, a billing code.
    let mut family = booking("mp 100", 23, "08:30-09:00", 1, PaymentState::Paid);
    family.applicants = vec![
        BookingApplicant {
            name: "Ayah".into(),
            nik: "3171010101800001".into(),
            service: "replacement".into(),
        },
        BookingApplicant {
            name: "Anak".into(),
            nik: "3171010101150002".into(),
            service: "new_passport".into(),
        },
    ];
    family.billing_code = Some("820261123000100".into());
    publish(Change::BookingUpserted { booking: family }).await;
    publish(Change::BookingUpserted {
        booking: booking("MP200", 23, "09:00-10:00", 1, PaymentState::Unpaid),
    })
    .await;
    let mut odd = booking("MP300", 23, "09:00-10:00", 1, PaymentState::Paid);
    odd.service = "visa".into();
    publish(Change::BookingUpserted { booking: odd }).await;
    publish(Change::BookingUpserted {
        booking: booking("MP400", 23, "10:00-11:00", 1, PaymentState::Paid),
    })
    .await;
    ok(engine.sync_once().await);

    assert_eq!(
        hub_booking(&pool, "MP100").await,
        Some(("2026-11-23".into(), "08:30".into(), "paid".into(), 0, 0, 0))
    );
    let applicants: Vec<(i64, String, String, String)> = ok(sqlx::query_as(
        "SELECT idx, name, nik, service FROM applicants WHERE booking_code = 'MP100' ORDER BY idx",
    )
    .fetch_all(&pool)
    .await);
    assert_eq!(
        applicants,
        [
            (
                0,
                "Ayah".into(),
                "3171010101800001".into(),
                "replacement".into()
            ),
            (
                1,
                "Anak".into(),
                "3171010101150002".into(),
                "new_passport".into()
            ),
        ]
    );
    let billing: Option<String> = ok(sqlx::query_scalar(
        "SELECT billing_code FROM bookings WHERE code = 'MP100'",
    )
    .fetch_one(&pool)
    .await);
    assert_eq!(billing.as_deref(), Some("820261123000100"));
    assert_eq!(
        hub_booking(&pool, "MP200").await.map(|b| b.2),
        Some("unpaid".into())
    );
    assert!(
        hub_booking(&pool, "MP300").await.is_none(),
        "unknown service: not stored"
    );
    let errors = ok(ledger.item_errors().await);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].item, "change:3");
    assert!(errors[0].reason.contains("visa"), "{}", errors[0].reason);

    // MP100 is checked in at the office (as the hub records it); MP400 was not.
    ok(sqlx::query(
        "INSERT INTO check_ins (booking_code, office_date, at, flags, actor) VALUES ('MP100', '2026-11-23', '2026-11-23T01:00:00Z', '[]', 'kiosk')",
    )
    .execute(&pool)
    .await);
    // A booking imported from a file only, checked in too.
    ok(sqlx::query(
        "INSERT INTO bookings (code, office_code, booking_date, slot_start, payment, updated_at) VALUES ('MP500', 'JKT', '2026-11-23', '11:00', 'paid', '2026-11-22T00:00:00Z')",
    )
    .execute(&pool)
    .await);
    ok(sqlx::query(
        "INSERT INTO check_ins (booking_code, office_date, at, flags, actor) VALUES ('MP500', '2026-11-23', '2026-11-23T04:00:00Z', '[]', 'kiosk')",
    )
    .execute(&pool)
    .await);

    publish(Change::BookingCancelled {
        booking_id: "mp 100".into(),
        office: "JKT".into(),
        reason: "applicant".into(),
    })
    .await;
    publish(Change::PaymentStatus {
        booking_id: "MP200".into(),
        office: "JKT".into(),
        status: PaymentState::Paid,
    })
    .await;
    publish(Change::BookingUpserted {
        booking: booking("MP400", 25, "10:00-11:00", 2, PaymentState::Paid),
    })
    .await;
    publish(Change::BookingUpserted {
        booking: booking("MP500", 26, "11:00-12:00", 1, PaymentState::Paid),
    })
    .await;
    publish(Change::BookingUpserted {
        booking: booking("MP500", 23, "11:00-12:00", 2, PaymentState::Paid),
    })
    .await;
    publish(Change::PaymentStatus {
        booking_id: "MP100".into(),
        office: "JKT".into(),
        status: PaymentState::Revoked,
    })
    .await;
    ok(engine.sync_once().await);

    let mp100 = hub_booking(&pool, "MP100").await;
    assert_eq!(
        mp100.as_ref().map(|b| (b.2.as_str(), b.3)),
        Some(("unpaid", 0)),
        "cancelled after check-in: not applied; payment revoked: applied (and held)"
    );
    assert_eq!(
        ok(ledger.booking("mp 100").await).and_then(|b| b.hold),
        Some("payment_revoked_after_check_in".into())
    );
    assert_eq!(
        hub_booking(&pool, "MP200").await.map(|b| b.2),
        Some("paid".into())
    );
    assert_eq!(
        hub_booking(&pool, "MP400").await,
        Some(("2026-11-25".into(), "10:00".into(), "paid".into(), 0, 1, 0)),
        "moved before check-in: applied and marked rescheduled"
    );
    assert_eq!(
        hub_booking(&pool, "MP500").await.map(|b| (b.0, b.1)),
        Some(("2026-11-23".into(), "11:00".into())),
        "a file booking checked in keeps its day; the same day and slot applies"
    );
    let rules: Vec<(String, String)> = ok(ledger.conflicts().await)
        .into_iter()
        .map(|c| (c.booking_id, c.rule))
        .collect();
    assert_eq!(
        rules,
        [
            ("mp 100".into(), "cancelled_after_check_in".into()),
            ("MP500".into(), "rescheduled_after_check_in".into()),
            ("MP100".into(), "payment_revoked_after_check_in".into()),
        ]
    );
    // The engine's own writes and the hub's outbox share the database: conflicts went up.
    let up = ok(central.store.events("JKT").await)
        .into_iter()
        .filter(|e| e.kind == "sync.conflict")
        .count();
    assert_eq!(up, 3);
}

/// The hub registers the sealed fingerprint files it stores in `sync_blobs` itself (its
/// migration 0005 creates the table with the engine's DDL, before the engine ever ran on
/// the folder): the engine then sees them as pending blobs and reads their bytes.
/// A hub database (its migrations) in `dir` with `bytes` written to `dir/name` and
/// registered in `sync_blobs` at `registered_at` the way the hub registers a sealed capture;
/// opened as the engine's ledger, whose `sync_blobs` must then agree with the engine's own
/// DDL. Returns the ledger, the blob's SHA-256 and the file.
async fn ledger_with_hub_blob(
    dir: &std::path::Path,
    name: &str,
    bytes: &[u8],
    registered_at: &str,
) -> (SqliteLedger, String, std::path::PathBuf) {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join("loket.db"))
        .create_if_missing(true);
    let pool = ok(sqlx::SqlitePool::connect_with(options).await);
    run_hub_migrations(&pool).await;
    let file = dir.join(name);
    ok(std::fs::write(&file, bytes));
    let sha = loket_sync_protocol::sha256_hex(bytes);
    ok(sqlx::query(
        "INSERT INTO sync_blobs (sha256, path, size, registered_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&sha)
    .bind(file.to_str().unwrap_or_default())
    .bind(bytes.len() as i64)
    .bind(registered_at)
    .execute(&pool)
    .await);
    let ledger = ok(SqliteLedger::from_pool(pool).await);
    let plain_dir = ok(tempfile::tempdir());
    let plain = ok(SqliteLedger::open(&plain_dir.path().join("loket.db")).await);
    assert_eq!(
        columns(ledger.pool(), "sync_blobs").await,
        columns(plain.pool(), "sync_blobs").await,
        "the hub's sync_blobs and the engine's SYNC_DDL differ"
    );
    (ledger, sha, file)
}

#[tokio::test]
async fn blobs_the_hub_registers_before_the_engine_ran_are_the_engines_pending_blobs() {
    let dir = ok(tempfile::tempdir());
    // As `Hub::save_fingerprints` does: the sealed file, its SHA-256, absolute path, size.
    let bytes = b"LKS1 sealed fingerprint bytes".to_vec();
    let (ledger, sha, _) = ledger_with_hub_blob(
        dir.path(),
        "biometrics-test.lks",
        &bytes,
        "2026-11-23T01:00:00.125Z",
    )
    .await;
    let pending = ok(ledger.pending_blobs().await);
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].sha256, sha);
    assert_eq!(pending[0].size, bytes.len() as u64);
    assert_eq!(ok(ledger.read_blob(&sha, 0, 1 << 20).await), bytes);
}

/// Opens "sealed" payloads of the test: the sealed text reversed; "bad" cannot be opened.
struct ReverseOpener;

impl loket_sync::PayloadOpener for ReverseOpener {
    fn open(
        &self,
        event_id: &str,
        mut payload: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let map = payload.as_object_mut().ok_or("not an object")?;
        let sealed = map
            .remove(loket_sync::SEALED_PAYLOAD_KEY)
            .and_then(|v| v.as_str().map(str::to_string))
            .ok_or("no sealed part")?;
        if sealed == "bad" {
            return Err("changed".into());
        }
        map.insert(
            "secret".into(),
            sealed.chars().rev().collect::<String>().into(),
        );
        map.insert("event".into(), event_id.into());
        Ok(payload)
    }
}

#[tokio::test]
async fn sealed_outbox_payloads_are_opened_for_upload_or_stop_it() {
    use loket_sync::LedgerError;
    let dir = ok(tempfile::tempdir());
    let ledger = ok(SqliteLedger::open(&dir.path().join("loket.db")).await);
    ok(ledger.create_outbox().await);
    let plain = serde_json::json!({"office_code": "JKT1", "n": 1});
    ok(ledger.append_event("ticket_issued", &plain).await);
    ok(ledger
        .append_event(
            "bap_signed",
            &serde_json::json!({"office_code": "JKT1", "sealed": "terces"}),
        )
        .await);

    // Without an opener the upload stops at the sealed event: nothing goes up sealed.
    match ledger.events_after(0, 10).await {
        Err(LedgerError::Sealed { seq: 2, .. }) => {}
        other => panic!("expected Sealed for seq 2, got {other:?}"),
    }
    // With one, central gets the opened payload; plain events are untouched.
    let opening = ledger
        .clone()
        .with_opener(std::sync::Arc::new(ReverseOpener));
    let events = ok(opening.events_after(0, 10).await);
    assert_eq!(events[0].payload, plain);
    assert_eq!(events[1].payload["secret"], "secret");
    assert_eq!(events[1].payload["event"], events[1].event_id.to_string());
    assert!(events[1].payload.get("sealed").is_none());
    // A payload that does not open stops the upload too.
    ok(opening
        .append_event(
            "bap_signed",
            &serde_json::json!({"office_code": "JKT1", "sealed": "bad"}),
        )
        .await);
    assert!(matches!(
        opening.events_after(2, 10).await,
        Err(LedgerError::Sealed { seq: 3, .. })
    ));
}

/// The hub registers a photo's sealed file for upload itself (core/hub/src/photo.rs, in the
/// photo's transaction), in the `sync_blobs` table its migration 0004 creates when the engine
/// has not yet: the same table as the engine's, and a row the engine uploads.
#[tokio::test]
async fn a_file_the_hub_registers_is_a_blob_the_engine_uploads() {
    let dir = ok(tempfile::tempdir());
    // A photo row's file, registered the way the hub registers it.
    let sealed = b"LKS1 sealed photo bytes".to_vec();
    let (ledger, sha, file) =
        ledger_with_hub_blob(dir.path(), "7.lks", &sealed, "2026-11-23T01:00:00.125000Z").await;
    let pending = ok(ledger.pending_blobs().await);
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].sha256, sha);
    assert_eq!(pending[0].size, sealed.len() as u64);
    assert_eq!(
        ok(ledger.read_blob(&sha, 5, 1024).await),
        sealed[5..].to_vec()
    );
    // Registering the same file through the engine's own call is harmless.
    assert_eq!(ok(ledger.register_blob(&file).await), sha);
    assert_eq!(ok(ledger.pending_blobs().await).len(), 1);
}
