//! Blob batches (`POST /api/v1/offices/{code}/blobs`): each blob is checked on its own, and
//! a batch request is signed, single-use and bound to its office like every other call.

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

#[tokio::test]
async fn a_batch_is_signed_single_use_and_bound_to_its_office() {
    let central = Central::start().await;
    let token = ok(loket_central::add_office(central.store.as_ref(), "BOA", false).await);
    ok(loket_central::add_office(central.store.as_ref(), "BOB", false).await);
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let url = central.url_via(central.addr());
    ok(loket_sync::enrol(&url, "BOA", &token, &key, &central.client_options()).await);
    let http = ok(reqwest::Client::builder()
        .tls_certs_merge([ok(reqwest::Certificate::from_pem(&central.tls.cert))])
        .no_proxy()
        .build());
    let bytes = b"a print".to_vec();
    let sha = sha256_hex(&bytes);
    let body = encode_blob_batch(&[(&sha, &bytes)]);
    let post = |office_in_path: &str, nonce: &str| {
        let path = format!("/api/v1/offices/{office_in_path}/blobs");
        let signed = sign_request(
            &key,
            "BOA",
            "POST",
            &path,
            &body,
            chrono::Utc::now().timestamp(),
            nonce,
        );
        http.post(format!("{url}{path}"))
            .header(HEADER_OFFICE, signed.office)
            .header(HEADER_TIMESTAMP, signed.timestamp.to_string())
            .header(HEADER_NONCE, signed.nonce)
            .header(HEADER_SIGNATURE, signed.signature)
            .body(body.clone())
            .send()
    };
    // Signed by BOA for BOB's path: refused, nothing stored.
    let r = ok(post("BOB", &"a1".repeat(16)).await);
    assert_eq!(r.status().as_u16(), 403);
    assert!(ok(central.store.blob_read(&sha).await).is_none());
    // Its own: stored.
    let r = ok(post("BOA", &"b2".repeat(16)).await);
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        ok(central.store.office_blobs("BOA").await),
        vec![sha.clone()]
    );
    // The same request again (same nonce): a replay, refused.
    let r = ok(post("BOA", &"b2".repeat(16)).await);
    assert_eq!(r.status().as_u16(), 401);
    let answer: loket_sync_protocol::ApiError = ok(r.json().await);
    assert_eq!(answer.code, "replay");
    assert!(ok(central.store.office_blobs("BOB").await).is_empty());
}
