//! The audit log's hash chain against a real database file: untouched it verifies; an
//! edited, inserted or deleted row (middle or last) is found and named.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use loket_domain::{DeviceKind, Lane, Role, ServiceCode, Stage};
use loket_hub::audit_chain::{self, AuditFields, ChainBreak, GENESIS, Problem, Verdict};
use loket_hub::{CounterAction, Hub, HubConfig, IssueRequest, Principal, demo};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Path, PathBuf};

async fn connect(path: &Path) -> SqliteConnection {
    loket_hub::db::connect_options(path)
        .create_if_missing(false)
        .connect()
        .await
        .unwrap()
}

/// A hub that worked a little: demo seed, tickets, check-ins, a failed log-in.
async fn worked_office(dir: &Path) -> PathBuf {
    let config = HubConfig {
        office_code: "TEST".into(),
        ..HubConfig::default()
    };
    let hub = Hub::open(dir, config).await.unwrap();
    let bookings = demo::seed(&hub).await.unwrap();
    let kiosk = Principal::device("kiosk-demo", DeviceKind::Kiosk);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (hub, kiosk) = (hub.clone(), kiosk.clone());
        tasks.push(tokio::spawn(async move {
            let service = if i % 2 == 0 {
                ServiceCode::NewPassport
            } else {
                ServiceCode::Replacement
            };
            hub.issue_ticket(
                &kiosk,
                IssueRequest {
                    service,
                    lane: Lane::WalkIn,
                    priority_group: None,
                },
            )
            .await
            .unwrap();
        }));
    }
    for code in &bookings {
        let (hub, kiosk, code) = (hub.clone(), kiosk.clone(), code.clone());
        // Some are refused (unpaid, other day...): refused changes write nothing.
        tasks.push(tokio::spawn(async move {
            let _ = hub.check_in(&kiosk, &code).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(hub.login("officer", "wrong-password", None).await.is_err());
    hub.login("officer", "officer-demo", None).await.unwrap();
    // Two counters at once: calls, starts, finishes, a recall, and refused actions (they
    // write nothing); each counter action's audit row is sealed with the tail it read first.
    let mut desks = Vec::new();
    for (user, desk) in [("officer", "Loket 1"), ("officer2", "Loket 2")] {
        let hub = hub.clone();
        desks.push(tokio::spawn(async move {
            let who = Principal::officer(user, Role::Officer, None);
            let id = hub.counter_by_name(desk).await.unwrap().unwrap();
            let stages = Some(vec![Stage::DocumentCheck]);
            hub.open_counter(&who, id, None, stages).await.unwrap();
            assert!(
                hub.counter_action(&who, id, CounterAction::Finish)
                    .await
                    .is_err()
            );
            for _ in 0..3 {
                hub.call_next(&who, id).await.unwrap();
                hub.counter_action(&who, id, CounterAction::Recall)
                    .await
                    .unwrap();
                hub.counter_action(&who, id, CounterAction::Start)
                    .await
                    .unwrap();
                hub.counter_action(&who, id, CounterAction::Finish)
                    .await
                    .unwrap();
            }
        }));
    }
    for d in desks {
        d.await.unwrap();
    }
    dir.join(loket_hub::db::DB_FILE_NAME)
}

/// A copy of the database (a consistent snapshot) to tamper with.
async fn copy_of(db: &Path, name: &str) -> PathBuf {
    let out = db.with_file_name(format!("{name}.db"));
    let mut conn = connect(db).await;
    sqlx::query("VACUUM INTO ?")
        .bind(out.to_string_lossy().to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    out
}

async fn exec(db: &Path, sql: &str) {
    let mut conn = connect(db).await;
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

async fn last_id(db: &Path) -> i64 {
    let mut conn = connect(db).await;
    let (id,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM audit_log")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    id
}

async fn broken_at(db: &Path) -> ChainBreak {
    match audit_chain::verify_file(db).await.unwrap() {
        Verdict::Broken(b) => b,
        Verdict::Intact { rows, .. } => panic!("tampering not found ({rows} rows intact)"),
    }
}

/// A forged row with a correct link and hash, as someone who knows the encoding would write.
async fn forge(db: &Path, id: i64, prev: &str) -> String {
    let fields = AuditFields {
        id,
        at: "2026-01-01T00:00:00.000Z",
        actor_kind: "officer",
        actor: "intruder",
        device: None,
        action: "close_day",
        target: None,
        detail: "{}",
    };
    let hash = audit_chain::row_hash(&fields, prev);
    let mut conn = connect(db).await;
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_kind, actor, device, action, target, detail, prev_hash, hash) \
         VALUES (?, ?, ?, ?, NULL, ?, NULL, ?, ?, ?)",
    )
    .bind(id)
    .bind(fields.at)
    .bind(fields.actor_kind)
    .bind(fields.actor)
    .bind(fields.action)
    .bind(fields.detail)
    .bind(prev)
    .bind(&hash)
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    hash
}

async fn hash_of(db: &Path, id: i64) -> String {
    let mut conn = connect(db).await;
    let (h,): (String,) = sqlx::query_as("SELECT hash FROM audit_log WHERE id = ?")
        .bind(id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    h
}

#[tokio::test]
async fn tampering_with_the_audit_log_is_found_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = worked_office(dir.path()).await;

    // Untouched (read while the hub could still be running): intact, head = last row.
    let untouched = copy_of(&db, "untouched").await;
    let last = last_id(&untouched).await;
    assert!(last > 20, "the office wrote {last} audit rows");
    match audit_chain::verify_file(&untouched).await.unwrap() {
        Verdict::Intact { rows, head } => {
            assert_eq!(i64::try_from(rows).unwrap(), last);
            assert_eq!(head.id, last);
            assert_eq!(head.hash, hash_of(&untouched, last).await);
        }
        Verdict::Broken(b) => panic!("untouched log reported broken: {b}"),
    }

    // Edit one field of a middle row.
    let edited = copy_of(&db, "edited").await;
    exec(
        &edited,
        "UPDATE audit_log SET actor = 'someone-else' WHERE id = 7",
    )
    .await;
    assert_eq!(
        broken_at(&edited).await,
        ChainBreak {
            row: 7,
            problem: Problem::Changed
        }
    );
    // Edit and recompute that row's hash: the next row's link breaks.
    let rehashed = copy_of(&db, "rehashed").await;
    exec(&rehashed, "UPDATE audit_log SET detail = '{}' WHERE id = 7").await;
    {
        let mut conn = connect(&rehashed).await;
        let row: (String, String, String, Option<String>, String, Option<String>, String, String) =
            sqlx::query_as("SELECT at, actor_kind, actor, device, action, target, detail, prev_hash FROM audit_log WHERE id = 7")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        let fields = AuditFields {
            id: 7,
            at: &row.0,
            actor_kind: &row.1,
            actor: &row.2,
            device: row.3.as_deref(),
            action: &row.4,
            target: row.5.as_deref(),
            detail: &row.6,
        };
        let hash = audit_chain::row_hash(&fields, &row.7);
        sqlx::query("UPDATE audit_log SET hash = ? WHERE id = 7")
            .bind(hash)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    assert_eq!(
        broken_at(&rehashed).await,
        ChainBreak {
            row: 8,
            problem: Problem::BrokenLink
        }
    );

    // Delete a middle row.
    let deleted = copy_of(&db, "deleted-middle").await;
    exec(&deleted, "DELETE FROM audit_log WHERE id = 10").await;
    assert_eq!(
        broken_at(&deleted).await,
        ChainBreak {
            row: 11,
            problem: Problem::BrokenLink
        }
    );
    // Delete the first row.
    let first = copy_of(&db, "deleted-first").await;
    exec(&first, "DELETE FROM audit_log WHERE id = 1").await;
    assert_eq!(
        broken_at(&first).await,
        ChainBreak {
            row: 2,
            problem: Problem::BrokenLink
        }
    );

    // Delete the last row (and the last three).
    let tail = copy_of(&db, "deleted-last").await;
    exec(&tail, &format!("DELETE FROM audit_log WHERE id = {last}")).await;
    assert_eq!(
        broken_at(&tail).await,
        ChainBreak {
            row: last,
            problem: Problem::Missing
        }
    );
    let tail3 = copy_of(&db, "deleted-last-3").await;
    exec(
        &tail3,
        &format!("DELETE FROM audit_log WHERE id > {}", last - 3),
    )
    .await;
    assert_eq!(broken_at(&tail3).await.problem, Problem::Missing);

    // Insert: a plain row at the end, a forged (well-hashed) row at the end, and a forged
    // row in the middle (the rows after it renumbered).
    let plain = copy_of(&db, "inserted-plain").await;
    exec(
        &plain,
        "INSERT INTO audit_log (at, actor_kind, actor, action, detail) VALUES ('2026-01-01T00:00:00.000Z', 'local', 'x', 'close_day', '{}')",
    )
    .await;
    assert_eq!(
        broken_at(&plain).await,
        ChainBreak {
            row: last + 1,
            problem: Problem::AfterHead
        }
    );
    let forged_end = copy_of(&db, "inserted-end").await;
    let prev = hash_of(&forged_end, last).await;
    forge(&forged_end, last + 1, &prev).await;
    assert_eq!(
        broken_at(&forged_end).await,
        ChainBreak {
            row: last + 1,
            problem: Problem::AfterHead
        }
    );
    let forged_middle = copy_of(&db, "inserted-middle").await;
    exec(
        &forged_middle,
        "UPDATE audit_log SET id = id + 100000 WHERE id > 5",
    )
    .await;
    exec(
        &forged_middle,
        "UPDATE audit_log SET id = id - 100000 + 1 WHERE id > 100000",
    )
    .await;
    let prev = hash_of(&forged_middle, 5).await;
    forge(&forged_middle, 6, &prev).await;
    assert_eq!(
        broken_at(&forged_middle).await,
        ChainBreak {
            row: 7,
            problem: Problem::BrokenLink
        }
    );

    // The head removed.
    let headless = copy_of(&db, "headless").await;
    exec(
        &headless,
        "DELETE FROM office_settings WHERE key = 'audit_chain_head'",
    )
    .await;
    assert_eq!(broken_at(&headless).await.problem, Problem::HeadMissing);
    // Opening a hub on it does not restart the chain over the tampering.
    let reopened = tempfile::tempdir().unwrap();
    std::fs::copy(&headless, reopened.path().join(loket_hub::db::DB_FILE_NAME)).unwrap();
    let hub = Hub::open(reopened.path(), HubConfig::default())
        .await
        .unwrap();
    drop(hub);
    let db2 = reopened.path().join(loket_hub::db::DB_FILE_NAME);
    assert_eq!(broken_at(&db2).await.problem, Problem::HeadMissing);

    // Every message names the row, in both languages.
    let msg = broken_at(&edited).await.message();
    assert!(msg.contains("#7") && msg.contains("Rantai audit") && msg.contains("Audit chain"));
}

#[tokio::test]
async fn a_database_from_before_the_chain_gets_one_when_the_hub_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(loket_hub::db::DB_FILE_NAME);
    // Build the schema as it was before migration 0003, with audit rows written then.
    {
        let mut conn = common::database_before(&db, 3).await;
        for i in 0..5 {
            sqlx::query("INSERT INTO audit_log (at, actor_kind, actor, action, target, detail) VALUES (?, 'local', 'cli', 'user_add', ?, '{}')")
                .bind(format!("2025-12-31T10:00:0{i}.000Z"))
                .bind(format!("user{i}"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        conn.close().await.unwrap();
    }
    let hub = Hub::open(dir.path(), HubConfig::default()).await.unwrap();
    demo::seed(&hub).await.unwrap();
    let verdict = audit_chain::verify_file(&db).await.unwrap();
    let Verdict::Intact { rows, head } = verdict else {
        panic!("{verdict:?}")
    };
    assert!(rows > 5, "{rows}");
    let mut conn = connect(&db).await;
    let (first_prev,): (String,) = sqlx::query_as("SELECT prev_hash FROM audit_log WHERE id = 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(first_prev, GENESIS);
    let (max,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM audit_log")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(head.id, max);
    // Reopening does not reseal anything: the old rows keep their hashes.
    let before: Vec<(String,)> = sqlx::query_as("SELECT hash FROM audit_log ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    drop(hub);
    let hub = Hub::open(dir.path(), HubConfig::default()).await.unwrap();
    drop(hub);
    let mut conn = connect(&db).await;
    let after: Vec<(String,)> = sqlx::query_as("SELECT hash FROM audit_log ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn an_empty_log_is_intact_and_a_row_added_behind_its_back_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::open(dir.path(), HubConfig::default()).await.unwrap();
    let db = dir.path().join(loket_hub::db::DB_FILE_NAME);
    match audit_chain::verify_file(&db).await.unwrap() {
        Verdict::Intact { rows, head } => {
            assert_eq!((rows, head.id, head.hash.as_str()), (0, 0, GENESIS));
        }
        Verdict::Broken(b) => panic!("{b}"),
    }
    exec(
        &db,
        "INSERT INTO audit_log (at, actor_kind, actor, action, detail) VALUES ('2026-01-01T00:00:00.000Z', 'local', 'x', 'login', '{}')",
    )
    .await;
    assert_eq!(
        broken_at(&db).await,
        ChainBreak {
            row: 1,
            problem: Problem::AfterHead
        }
    );
    drop(hub);
}
