//! Blob batches (`POST /api/v1/offices/{code}/blobs`): each blob is checked on its own, and
//! a batch request is signed, single-use and bound to its office like every other call.
//! Event uploads likewise, also across a key rotation that central's key cache has not seen
//! yet (both remember their nonce in the same commit as their own rows).

mod common;

use common::*;
use loket_central::CentralStore;
use loket_sync::{OfficeLedger, SyncEngine};
use loket_sync_protocol::{
    HEADER_NONCE, HEADER_OFFICE, HEADER_SIGNATURE, HEADER_TIMESTAMP, encode_blob_batch, sha256_hex,
    sign_request,
};

#[tokio::test]
async fn a_changed_file_in_a_batch_is_refused_alone_and_the_others_go_up() {
    let central = Central::start().await;
    let office = Office::new("BAT").await;
    let dir = office.dir.path().join("blobs");
    ok(std::fs::create_dir_all(&dir));
    let mut files = Vec::new();
    for i in 0..3u64 {
        let path = write_blob(&dir, &format!("print{i}"), 15_000, i + 11);
        let sha = ok(office.ledger.register_blob(&path).await);
        files.push((path, sha));
    }
    // The second file changes after it was registered (same size): its bytes no longer
    // match its name.
    write_blob(&dir, "print1", 15_000, 99);
    let client = central.enrol("BAT", central.addr()).await;
    let engine = SyncEngine::new(office.ledger.clone(), client, fast_config());
    let report = ok(engine.sync_once().await);
    assert_eq!(report.blobs, 2);
    for (i, (path, sha)) in files.iter().enumerate() {
        let stored = ok(central.store.blob_read(sha).await);
        if i == 1 {
            assert!(
                stored.is_none(),
                "a blob that does not match its name was stored"
            );
        } else {
            assert_eq!(stored, Some(ok(std::fs::read(path))), "blob {i} differs");
        }
    }
    let errors = ok(office.ledger.item_errors().await);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].item, format!("blob:{}", files[1].1));
    assert_eq!(ok(office.ledger.pending().await).blobs, 1);
}

/// Sends `body` to `path` signed by office `office` with `key` and `nonce`.
async fn signed_post(
    http: &reqwest::Client,
    url: &str,
    key: &ed25519_dalek::SigningKey,
    office: &str,
    path: &str,
    body: &[u8],
    nonce: &str,
) -> reqwest::Response {
    let signed = sign_request(
        key,
        office,
        "POST",
        path,
        body,
        chrono::Utc::now().timestamp(),
        nonce,
    );
    ok(http
        .post(format!("{url}{path}"))
        .header(HEADER_OFFICE, signed.office)
        .header(HEADER_TIMESTAMP, signed.timestamp.to_string())
        .header(HEADER_NONCE, signed.nonce)
        .header(HEADER_SIGNATURE, signed.signature)
        .body(body.to_vec())
        .send()
        .await)
}

fn http_client(central: &Central) -> reqwest::Client {
    ok(reqwest::Client::builder()
        .tls_certs_merge([ok(reqwest::Certificate::from_pem(&central.tls.cert))])
        .no_proxy()
        .build())
}

/// Gives `office` a new signing key through `store` (another process on central's
/// database: a new enrolment token, then an enrolment with a fresh key).
async fn rotate_key(store: &dyn CentralStore, office: &str) -> ed25519_dalek::SigningKey {
    let token = ok(loket_central::add_office(store, office, true).await);
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    ok(store
        .enrol(
            office,
            &sha256_hex(token.as_bytes()),
            &hex::encode(key.verifying_key().to_bytes()),
        )
        .await);
    key
}

async fn error_code(r: reqwest::Response) -> String {
    let answer: loket_sync_protocol::ApiError = ok(r.json().await);
    answer.code
}

#[tokio::test]
async fn a_batch_is_signed_single_use_and_bound_to_its_office() {
    let central = Central::start().await;
    let token = ok(loket_central::add_office(central.store.as_ref(), "BOA", false).await);
    ok(loket_central::add_office(central.store.as_ref(), "BOB", false).await);
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let url = central.url_via(central.addr());
    ok(loket_sync::enrol(&url, "BOA", &token, &key, &central.client_options()).await);
    let http = http_client(&central);
    let bytes = b"a print".to_vec();
    let sha = sha256_hex(&bytes);
    let body = encode_blob_batch(&[(&sha, &bytes)]);
    let post = |office_in_path: &str, nonce: &str| {
        let path = format!("/api/v1/offices/{office_in_path}/blobs");
        let nonce = nonce.to_string();
        let (http, url, key, body) = (&http, &url, &key, &body);
        async move { signed_post(http, url, key, "BOA", &path, body, &nonce).await }
    };
    // Signed by BOA for BOB's path: refused, nothing stored.
    let r = post("BOB", &"a1".repeat(16)).await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(ok(central.store.blob_read(&sha).await).is_none());
    // Its own: stored.
    let r = post("BOA", &"b2".repeat(16)).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        ok(central.store.office_blobs("BOA").await),
        vec![sha.clone()]
    );
    // The same request again (same nonce): a replay, refused.
    let r = post("BOA", &"b2".repeat(16)).await;
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(error_code(r).await, "replay");
    assert!(ok(central.store.office_blobs("BOB").await).is_empty());
}

#[tokio::test]
async fn an_event_upload_is_single_use_bound_to_its_office_and_to_the_current_key() {
    let central = Central::start().await;
    let token = ok(loket_central::add_office(central.store.as_ref(), "EVA", false).await);
    ok(loket_central::add_office(central.store.as_ref(), "EVB", false).await);
    let old_key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let url = central.url_via(central.addr());
    ok(loket_sync::enrol(&url, "EVA", &token, &old_key, &central.client_options()).await);
    let http = http_client(&central);
    let upload = |seq: i64| {
        let event = loket_sync_protocol::Event {
            seq,
            event_id: uuid::Uuid::now_v7(),
            kind: "ticket_issued".into(),
            payload: serde_json::json!({"office": "EVA", "n": seq}),
            occurred_at: chrono::Utc::now(),
        };
        ok(serde_json::to_vec(&loket_sync_protocol::UploadEvents {
            events: vec![event],
        }))
    };
    let events = |key, office_in_path: &str, body, nonce: &str| {
        let path = format!("/api/v1/offices/{office_in_path}/events");
        let nonce = nonce.to_string();
        let (http, url) = (&http, &url);
        async move { signed_post(http, url, key, "EVA", &path, body, &nonce).await }
    };
    let stored = async || ok(central.store.office_ack("EVA").await).events;

    let first = upload(1);
    // Signed by EVA for EVB's path: refused, nothing stored.
    let r = events(&old_key, "EVB", &first, &"c1".repeat(16)).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(stored().await, 0);
    let r = events(&old_key, "EVA", &first, &"c2".repeat(16)).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(stored().await, 1);
    // The same request again: a replay, refused (the event would only be a duplicate, but
    // the request itself is not accepted twice).
    let r = events(&old_key, "EVA", &first, &"c2".repeat(16)).await;
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(error_code(r).await, "replay");

    // The office gets a new key through another process on the same database (as
    // `loket-central office add --rotate` and an enrolment there would): the server still
    // has the old key cached.
    let other =
        ok(loket_central::open_store(central.dir.path(), central.database_url.as_deref()).await);
    let new_key = rotate_key(&other, "EVA").await;
    // The old key: verifies against the cache, then refused at the write; nothing stored.
    let second = upload(2);
    let r = events(&old_key, "EVA", &second, &"d1".repeat(16)).await;
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(error_code(r).await, "bad_signature");
    assert_eq!(stored().await, 1);
    // The new key, same nonce: that nonce was not used up by the refused request.
    let r = events(&new_key, "EVA", &second, &"d1".repeat(16)).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(stored().await, 2);

    // Rotated once more by the other process: the server caches `new_key`, now revoked. A
    // blob batch signed with it writes no file at all (a batch's files are written before
    // its nonce is remembered, so its key is checked against the database first).
    rotate_key(&other, "EVA").await;
    let bytes = b"a print from a revoked key".to_vec();
    let sha = sha256_hex(&bytes);
    let body = encode_blob_batch(&[(&sha, &bytes)]);
    let r = signed_post(
        &http,
        &url,
        &new_key,
        "EVA",
        "/api/v1/offices/EVA/blobs",
        &body,
        &"e1".repeat(16),
    )
    .await;
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(error_code(r).await, "bad_signature");
    assert!(
        ok(central.store.blob_read(&sha).await).is_none(),
        "a revoked key wrote a file"
    );
}
