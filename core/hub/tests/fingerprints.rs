//! Fingerprint sessions stored with the visit: a whole session saved over the API, the
//! images sealed on disk and registered for sync, the `capture_stored` event, every
//! refusal (incomplete plan, missing reason, supervisor required / wrong / not a supervisor
//! / the recording officer, bad WSQ, finger outside the plan or twice, bad score), a later
//! correction that keeps a saved print, and who may read what.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use common::*;
use loket_fingerprint_formats::session::{ExceptionKind, Finger};
use loket_hub::seal::row_context;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::ConnectOptions;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Both index fingers; a missing finger needs a supervisor.
async fn index_office() -> TestHub {
    start_with(|c| {
        c.fingerprints.plan = vec![Finger::RightIndex, Finger::LeftIndex];
        c.fingerprints.supervisor_confirms = vec![ExceptionKind::Missing];
    })
    .await
}

async fn visit(t: &TestHub) -> i64 {
    let (status, body) = t
        .post(
            KIOSK,
            "/api/v1/tickets",
            json!({"service": "new_passport", "lane": "priority", "priority_group": "elderly"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_i64().unwrap()
}

fn path(visit: i64) -> String {
    format!("/api/v1/visits/{visit}/fingerprints")
}

fn captured(finger: &str, wsq: &[u8], score: u8) -> Value {
    json!({"status": "captured", "finger": finger, "wsq": b64(wsq), "score": score, "attempts": 2})
}

fn missing_with(supervisor: Value) -> Value {
    json!({"status": "exception", "finger": "left_index", "kind": "missing",
           "reason": "Amputasi sejak 2019", "supervisor": supervisor})
}

async fn db(t: &TestHub) -> sqlx::SqliteConnection {
    loket_hub::db::connect_options(&t.db_path())
        .connect()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_is_stored_with_the_visit_images_sealed_and_registered_for_sync() {
    let t = index_office().await;
    let officer = t.login("officer").await;
    let id = visit(&t).await;
    let wsq = print_wsq();

    // Before anything is saved: the plan, every finger pending.
    let (status, before) = t.get(&officer, &path(id)).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["session_id"], Value::Null);
    assert_eq!(
        before["policy"]["plan"],
        json!(["right_index", "left_index"])
    );
    assert_eq!(before["policy"]["capture"]["threshold"], 60);
    assert_eq!(before["fingers"][0]["status"], "pending");
    assert_eq!(before["simulated_reader"], false);

    let body = json!({"fingers": [
        captured("right_index", &wsq, 83),
        missing_with(json!({"username": "supervisor", "password": "supervisor-demo"})),
    ]});
    let (status, saved) = t.put(&officer, &path(id), body).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["complete"], true);
    assert_eq!(saved["saved_by"], "officer");
    let right = &saved["fingers"][0];
    assert_eq!(
        (
            right["status"].as_str(),
            right["score"].as_u64(),
            right["attempts"].as_u64()
        ),
        (Some("captured"), Some(83), Some(2))
    );
    assert_eq!(right["met_threshold"], true);
    let left = &saved["fingers"][1];
    assert_eq!(left["status"], "exception");
    assert_eq!(left["kind"], "missing");
    assert_eq!(left["recorded_by"], "officer");
    assert_eq!(left["confirmed_by"], "supervisor");
    // Officers get status and quality, never the image.
    assert!(!saved.to_string().contains(&b64(&wsq)[..40]));
    let (_, again) = t.get(&officer, &path(id)).await;
    assert_eq!(again, saved);

    // On disk: one sealed file, named by the SHA-256 of its (sealed) bytes.
    let mut conn = db(&t).await;
    let (image_id, rel, sha, size): (i64, String, String, i64) =
        sqlx::query_as("SELECT id, path, sha256, size FROM fingerprint_images")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let data = t.db_path().parent().unwrap().to_path_buf();
    let file = std::fs::read(data.join(&rel)).unwrap();
    assert_eq!(file.len() as i64, size);
    assert_eq!(hex::encode(Sha256::digest(&file)), sha);
    assert!(rel.ends_with(&format!("{sha}.lks")), "{rel}");
    assert_eq!(&file[..4], b"LKS1", "sealed, not a WSQ file");
    assert!(
        !file.windows(64).any(|w| w == &wsq[..64]),
        "no clear WSQ bytes in the sealed file"
    );
    let sealer = t.hub.sealer();
    assert_eq!(
        sealer
            .open(&row_context("fingerprint_images", image_id), &file)
            .unwrap(),
        wsq
    );
    assert!(
        sealer
            .open(&row_context("fingerprint_images", image_id + 1), &file)
            .is_err(),
        "bound to its row"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join(&rel))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "only the hub's user reads it: {mode:o}");
    }

    // The session's record (with the exception's reason) is sealed too.
    let (content,): (Vec<u8>,) = sqlx::query_as("SELECT content FROM fingerprint_sessions")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(&content[..4], b"LKS1");
    assert!(!String::from_utf8_lossy(&content).contains("Amputasi"));

    // Registered for sync: the sealed file is the blob.
    let (blob_path, blob_size, uploaded): (String, i64, Option<String>) =
        sqlx::query_as("SELECT path, size, uploaded_at FROM sync_blobs WHERE sha256 = ?")
            .bind(&sha)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(std::fs::read(&blob_path).unwrap(), file);
    assert_eq!(blob_size, size);
    assert_eq!(uploaded, None);

    // The outbox event: metadata, the blob's id, no image.
    let events = t.outbox("capture_stored").await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["office_code"], "TEST");
    assert_eq!(e["visit_id"], id);
    assert_eq!(e["images"][0]["blob"], sha.as_str());
    assert_eq!(e["fingers"][0]["blob"], sha.as_str());
    assert_eq!(e["fingers"][1]["confirmed_by"], "supervisor");
    assert!(!e.to_string().contains(&b64(&wsq)[..40]));

    // A correction: the right index print kept, the left index now bandaged (no supervisor
    // needed for that kind).
    let (status, corrected) = t
        .put(&officer, &path(id), json!({"fingers": [
            {"status": "kept", "finger": "right_index"},
            {"status": "exception", "finger": "left_index", "kind": "bandaged", "reason": "Diperban"},
        ]}))
        .await;
    assert_eq!(status, 200, "{corrected}");
    assert_ne!(corrected["session_id"], saved["session_id"]);
    assert_eq!(corrected["fingers"][0]["score"], 83);
    assert_eq!(corrected["fingers"][1]["kind"], "bandaged");
    let events = t.outbox("capture_stored").await;
    assert_eq!(
        events[1]["fingers"][0]["blob"],
        sha.as_str(),
        "the same blob"
    );
    let (images,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM fingerprint_images")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(images, 1, "a kept print is not stored again");
}

#[tokio::test]
async fn sessions_that_break_the_rules_are_refused_and_change_nothing() {
    let t = index_office().await;
    let officer = t.login("officer").await;
    let supervisor = t.login("supervisor").await;
    let id = visit(&t).await;
    let wsq = print_wsq();
    let right = captured("right_index", &wsq, 80);
    let sup = json!({"username": "supervisor", "password": "supervisor-demo"});
    let put = |body: Value| {
        let (t, officer) = (&t, officer.clone());
        async move { t.put(&officer, &path(id), body).await }
    };

    // The plan is not complete.
    let answer = put(json!({"fingers": [right.clone()]})).await;
    assert_error(&answer, 422, "fingerprints_incomplete");
    assert!(
        answer.1["error"]["message_id"]
            .as_str()
            .unwrap()
            .contains("Telunjuk kiri")
    );
    // A finger outside the plan, or twice.
    let answer = put(json!({"fingers": [right.clone(), captured("left_index", &wsq, 80), captured("right_thumb", &wsq, 80)]})).await;
    assert_error(&answer, 422, "finger_not_in_plan");
    let answer = put(json!({"fingers": [right.clone(), right.clone()]})).await;
    assert_error(&answer, 422, "finger_duplicate");
    // An exception without a reason.
    let answer = put(json!({"fingers": [right.clone(),
        {"status": "exception", "finger": "left_index", "kind": "bandaged", "reason": "  "}]}))
    .await;
    assert_error(&answer, 422, "finger_exception_reason_missing");
    // A missing finger needs the supervisor's own log-in...
    let answer = put(json!({"fingers": [right.clone(),
        {"status": "exception", "finger": "left_index", "kind": "missing", "reason": "Amputasi"}]}))
    .await;
    assert_error(&answer, 422, "finger_exception_needs_supervisor");
    let answer = put(json!({"fingers": [right.clone(),
        missing_with(json!({"username": "supervisor", "password": "wrong-password"}))]}))
    .await;
    assert_error(&answer, 422, "approver_bad_credentials");
    // ...of a supervisor or the head, not another officer...
    let answer = put(json!({"fingers": [right.clone(),
        missing_with(json!({"username": "officer2", "password": "officer2-demo"}))]}))
    .await;
    assert_error(&answer, 422, "finger_exception_not_supervisor");
    // ...and not of the one who recorded it.
    let answer = t
        .put(
            &supervisor,
            &path(id),
            json!({"fingers": [right.clone(), missing_with(sup.clone())]}),
        )
        .await;
    assert_error(&answer, 422, "finger_exception_self_confirmed");
    // Images must be WSQ that decodes; scores 0-100.
    let mut broken = wsq.clone();
    broken.truncate(broken.len() / 3);
    for bad in [b"not a wsq file".to_vec(), broken] {
        let answer =
            put(json!({"fingers": [captured("right_index", &bad, 80), missing_with(sup.clone())]}))
                .await;
        assert_error(&answer, 422, "fingerprint_image_invalid");
    }
    let answer = put(json!({"fingers": [{"status": "captured", "finger": "right_index", "wsq": "%%%", "score": 80}, missing_with(sup.clone())]})).await;
    assert_error(&answer, 422, "fingerprint_image_invalid");
    let answer =
        put(json!({"fingers": [captured("right_index", &wsq, 101), missing_with(sup.clone())]}))
            .await;
    assert_error(&answer, 422, "fingerprint_score_invalid");
    // Nothing saved before: nothing to keep.
    let answer = put(json!({"fingers": [{"status": "kept", "finger": "right_index"}, missing_with(sup.clone())]})).await;
    assert_error(&answer, 422, "fingerprint_nothing_kept");
    // An unknown visit; a body that is not a session.
    let answer = t
        .put(
            &officer,
            &path(99_999),
            json!({"fingers": [right.clone(), missing_with(sup.clone())]}),
        )
        .await;
    assert_error(&answer, 404, "visit_not_found");
    let answer =
        put(json!({"fingers": [{"status": "captured", "finger": "right_index", "score": 1}]}))
            .await;
    assert_error(&answer, 400, "bad_request");

    // None of it stored anything.
    let mut conn = db(&t).await;
    for table in ["fingerprint_sessions", "fingerprint_images", "sync_blobs"] {
        let (n,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    assert!(t.outbox("capture_stored").await.is_empty());
    let data = t.db_path().parent().unwrap().to_path_buf();
    let dir = data.join(loket_hub::fingerprints::IMAGES_DIR);
    assert!(std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0) == 0);
}

#[tokio::test]
async fn only_officers_read_sessions_and_the_simulated_reader_is_off_outside_demo_mode() {
    let t = index_office().await;
    let id = visit(&t).await;
    for token in [KIOSK, DISPLAY] {
        assert_error(&t.get(token, &path(id)).await, 403, "forbidden");
        assert_error(
            &t.put(token, &path(id), json!({"fingers": []})).await,
            403,
            "forbidden",
        );
    }
    let admin = t.login("admin").await;
    assert_error(&t.get(&admin, &path(id)).await, 403, "forbidden");
    for user in ["officer", "supervisor", "head"] {
        let token = t.login(user).await;
        let (status, view) = t.get(&token, &path(id)).await;
        assert_eq!(status, 200, "{user}: {view}");
        let answer = t
            .post(
                &token,
                "/api/v1/devices/simulated-fingerprint/capture",
                json!({"finger": "right_index"}),
            )
            .await;
        assert_error(&answer, 404, "fingerprint_reader_off");
    }
    assert_error(
        &t.post(
            KIOSK,
            "/api/v1/devices/simulated-fingerprint/capture",
            json!({"finger": "right_index"}),
        )
        .await,
        403,
        "forbidden",
    );
}
