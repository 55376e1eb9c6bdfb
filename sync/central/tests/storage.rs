//! Storage contract tests: the same checks against SQLite (always) and PostgreSQL (when
//! `LOKET_TEST_POSTGRES_URL` is set; required with `LOKET_REQUIRE_ALL=1`).

use chrono::{TimeZone, Utc};
use loket_central::{
    CentralStore, NonceCheck, Nonced, RequestNonce, SqlStore, StoreError, WholeBlob, add_office,
};
use loket_sync_protocol::{Change, Event, EventOutcome, Quota, sha256_hex};
use serde_json::json;

fn event(seq: i64, office: &str) -> Event {
    Event {
        seq,
        event_id: uuid::Uuid::now_v7(),
        kind: if seq % 2 == 0 {
            "visit_event"
        } else {
            "ticket_issued"
        }
        .into(),
        payload: json!({"office": office, "n": seq}),
        occurred_at: Utc
            .with_ymd_and_hms(2026, 11, 23, 8, 0, seq as u32 % 60)
            .single()
            .unwrap_or_default(),
    }
}

async fn contract(store: &dyn CentralStore, tag: &str) {
    let a = format!("A{tag}");
    let b = format!("B{tag}");
    let token = add_office(store, &a, false).await.unwrap_or_default();
    assert!(matches!(
        add_office(store, &a, false).await,
        Err(StoreError::OfficeExists(_))
    ));
    add_office(store, &b, false).await.unwrap_or_default();
    assert!(matches!(
        store.enrol(&a, &sha256_hex(b"wrong"), "00").await,
        Err(StoreError::BadToken)
    ));
    store
        .enrol(&a, &sha256_hex(token.as_bytes()), &"11".repeat(32))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A token works once.
    assert!(matches!(
        store
            .enrol(&a, &sha256_hex(token.as_bytes()), &"22".repeat(32))
            .await,
        Err(StoreError::BadToken)
    ));
    assert_eq!(
        store.office_key(&a).await.ok().flatten(),
        Some("11".repeat(32))
    );

    let key_a = "11".repeat(32);
    let now = Utc::now().timestamp();
    assert_eq!(
        store.remember_nonce(&a, &key_a, "n1", now).await.ok(),
        Some(NonceCheck::Fresh)
    );
    assert_eq!(
        store.remember_nonce(&a, &key_a, "n1", now).await.ok(),
        Some(NonceCheck::Replay)
    );
    // Another office may use the same nonce; an office without a key remembers nothing.
    let token_b = add_office(store, &b, true).await.unwrap_or_default();
    assert_eq!(
        store.remember_nonce(&b, &key_a, "n1", now).await.ok(),
        Some(NonceCheck::KeyChanged)
    );
    store
        .enrol(&b, &sha256_hex(token_b.as_bytes()), &"33".repeat(32))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store
            .remember_nonce(&b, &"33".repeat(32), "n1", now)
            .await
            .ok(),
        Some(NonceCheck::Fresh)
    );
    // A key that is not the office's (here: a's old key after a rotation and a new
    // enrolment) is refused even while a cache still holds it.
    let token_a2 = add_office(store, &a, true).await.unwrap_or_default();
    store
        .enrol(&a, &sha256_hex(token_a2.as_bytes()), &"44".repeat(32))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        store.remember_nonce(&a, &key_a, "n2", now).await.ok(),
        Some(NonceCheck::KeyChanged)
    );
    assert_eq!(
        store.office_key(&a).await.ok().flatten(),
        Some("44".repeat(32))
    );
    // Many at once (one group commit): each nonce is fresh once, its repeat is a replay.
    let key_a2 = "44".repeat(32);
    let attempts: Vec<_> = (0..40)
        .map(|i| store.remember_nonce(&a, &key_a2, ["m1", "m2", "m3", "m4"][i % 4], now))
        .collect();
    let mut fresh = 0;
    let mut replays = 0;
    for r in futures_util::future::join_all(attempts).await {
        match r.unwrap_or_else(|e| panic!("{e}")) {
            NonceCheck::Fresh => fresh += 1,
            NonceCheck::Replay => replays += 1,
            NonceCheck::KeyChanged => panic!("key is current"),
        }
    }
    assert_eq!((fresh, replays), (4, 36));

    // Out of order, with duplicates: each event takes effect once.
    let evs: Vec<Event> = (1..=6).map(|s| event(s, &a)).collect();
    let r1 = store
        .append_events(&a, &[evs[3].clone(), evs[0].clone(), evs[1].clone()])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r1.acks.iter().all(|x| x.outcome == EventOutcome::Applied));
    assert_eq!(r1.contiguous_seq, 2);
    let r2 = store
        .append_events(&a, &evs)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let outcomes: Vec<_> = r2.acks.iter().map(|x| x.outcome).collect();
    use EventOutcome::*;
    assert_eq!(
        outcomes,
        vec![Duplicate, Duplicate, Applied, Duplicate, Applied, Applied]
    );
    assert_eq!(r2.contiguous_seq, 6);
    assert_eq!(store.events(&a).await.unwrap_or_default(), evs);
    let effects = store.effects(&a).await.unwrap_or_default();
    assert_eq!(effects.iter().map(|e| e.count).sum::<i64>(), 6);
    // Same id, other content: refused, nothing changes.
    let mut forged = evs[0].clone();
    forged.payload = json!({"office": a, "n": 999});
    let r3 = store
        .append_events(&a, &[forged])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r3.acks[0].outcome, Rejected);
    // Another office's data: refused.
    let r4 = store
        .append_events(&a, &[event(7, &b)])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r4.acks[0].outcome, Rejected);
    assert!(r4.acks[0].reason.as_deref().unwrap_or("").contains(&b));
    // The hub names its office `office_code`: another office's is refused too.
    let mut hub_shaped = event(7, &a);
    hub_shaped.payload = json!({"office_code": b, "visit_id": 1});
    let r5 = store
        .append_events(&a, &[hub_shaped])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r5.acks[0].outcome, Rejected);
    assert!(r5.acks[0].reason.as_deref().unwrap_or("").contains(&b));
    assert_eq!(
        store
            .office_ack(&a)
            .await
            .ok()
            .map(|x| (x.contiguous_seq, x.events)),
        Some((6, 6))
    );

    // Blobs: resumable, verified, deduplicated across offices.
    let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let sha = sha256_hex(&data);
    let s = store
        .blob_write(&a, &sha, 0, &data[..40_000], 100_000)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.received, s.complete), (40_000, false));
    assert!(matches!(
        store
            .blob_write(&a, &sha, 50_000, &data[50_000..], 100_000)
            .await,
        Err(StoreError::RangeMismatch(_))
    ));
    // Overlap is fine.
    let s = store
        .blob_write(&a, &sha, 30_000, &data[30_000..70_000], 100_000)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.received, 70_000);
    let s = store
        .blob_write(&a, &sha, 70_000, &data[70_000..], 100_000)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(s.complete);
    assert_eq!(
        store.blob_read(&sha).await.ok().flatten(),
        Some(data.clone())
    );
    let s = store
        .blob_write(&b, &sha, 0, &data, 100_000)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(s.complete);
    assert_eq!(
        store.office_blobs(&b).await.unwrap_or_default(),
        vec![sha.clone()]
    );
    // Wrong content for a name: discarded.
    let bad = sha256_hex(b"other");
    assert!(matches!(
        store.blob_write(&a, &bad, 0, b"not it", 6).await,
        Err(StoreError::HashMismatch)
    ));
    assert_eq!(
        store.blob_status(&bad).await.ok().map(|s| s.received),
        Some(0)
    );

    // Writes that remember their request's nonce in the same commit: a replay or a stale
    // key keeps none of the request's rows, and a stale key does not use the nonce up.
    let signed = |key: &str, nonce: &str| RequestNonce {
        key: key.to_string(),
        nonce: nonce.to_string(),
        unix: now,
    };
    let seq7 = event(7, &a);
    assert!(matches!(
        store
            .append_events_signed(&a, &signed(&key_a2, "ev-1"), std::slice::from_ref(&seq7))
            .await,
        Ok(Nonced::Done(r)) if r.contiguous_seq == 7
    ));
    let seq8 = event(8, &a);
    assert!(matches!(
        store
            .append_events_signed(&a, &signed(&key_a2, "ev-1"), std::slice::from_ref(&seq8))
            .await,
        Ok(Nonced::Replay)
    ));
    assert!(matches!(
        store
            .append_events_signed(&a, &signed(&key_a, "ev-2"), std::slice::from_ref(&seq8))
            .await,
        Ok(Nonced::KeyChanged)
    ));
    assert_eq!(
        store
            .office_ack(&a)
            .await
            .ok()
            .map(|x| (x.contiguous_seq, x.events)),
        Some((7, 7)),
        "the refused requests stored no event"
    );
    assert!(matches!(
        store
            .append_events_signed(&a, &signed(&key_a2, "ev-2"), std::slice::from_ref(&seq8))
            .await,
        Ok(Nonced::Done(r)) if r.contiguous_seq == 8
    ));

    let photo: Vec<u8> = (0..5_000u32).map(|i| (i * 13 % 253) as u8).collect();
    let print: Vec<u8> = (0..3_000u32).map(|i| (i * 17 % 241) as u8).collect();
    let (photo_sha, print_sha) = (sha256_hex(&photo), sha256_hex(&print));
    let not_it = sha256_hex(b"something else");
    let owns = async |office: &str, sha: &str| {
        store
            .office_blobs(office)
            .await
            .unwrap_or_default()
            .iter()
            .any(|s| s == sha)
    };
    let batch = [
        WholeBlob {
            sha256: &photo_sha,
            size: photo.len() as u64,
            bytes: &photo,
        },
        WholeBlob {
            sha256: &not_it,
            size: 6,
            bytes: b"not it",
        },
    ];
    // A stale key first: nothing owned, the nonce still unused.
    assert!(matches!(
        store
            .blob_batch_write(&b, &signed("33", "bl-1"), &batch)
            .await,
        Ok(Nonced::KeyChanged)
    ));
    assert!(!owns(&b, &photo_sha).await);
    let key_b = "44".repeat(32);
    let token_b = add_office(store, &b, true).await.unwrap_or_default();
    store
        .enrol(&b, &sha256_hex(token_b.as_bytes()), &key_b)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    match store
        .blob_batch_write(&b, &signed(&key_b, "bl-1"), &batch)
        .await
    {
        Ok(Nonced::Done(results)) => {
            assert!(matches!(&results[0], Ok(s) if s.complete && s.received == 5_000));
            assert!(
                matches!(&results[1], Err(StoreError::HashMismatch)),
                "the wrong blob fails alone"
            );
        }
        other => panic!("batch refused: {other:?}"),
    }
    assert_eq!(
        store.blob_read(&photo_sha).await.ok().flatten(),
        Some(photo.clone())
    );
    assert!(owns(&b, &photo_sha).await && !owns(&b, &not_it).await);
    // The same nonce again, with another blob: a replay, and that blob is not the office's.
    let replayed = [WholeBlob {
        sha256: &print_sha,
        size: print.len() as u64,
        bytes: &print,
    }];
    assert!(matches!(
        store
            .blob_batch_write(&b, &signed(&key_b, "bl-1"), &replayed)
            .await,
        Ok(Nonced::Replay)
    ));
    assert!(!owns(&b, &print_sha).await);

    // Feed pages and cursor.
    for i in 0..5 {
        store
            .publish(
                &a,
                &Change::Quota(Quota {
                    date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
                    service: format!("s{i}"),
                    slots: i,
                }),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let p1 = store.feed(&a, 0, 3).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((p1.changes.len(), p1.next_cursor, p1.more), (3, 3, true));
    let p2 = store
        .feed(&a, p1.next_cursor, 3)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((p2.changes.len(), p2.next_cursor, p2.more), (2, 5, false));
    assert!(
        store
            .feed(&b, 0, 10)
            .await
            .map(|p| p.changes.is_empty())
            .unwrap_or(false)
    );
}

#[tokio::test]
async fn sqlite_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = SqlStore::open_sqlite(dir.path())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    contract(&store, "SQ").await;
    // Reopening keeps everything.
    store.close().await;
    let store = SqlStore::open_sqlite(dir.path())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.events("ASQ").await.map(|e| e.len()).unwrap_or(0), 8);
}

#[tokio::test]
async fn postgres_store_keeps_the_contract() {
    let Ok(url) = std::env::var("LOKET_TEST_POSTGRES_URL") else {
        if std::env::var("LOKET_REQUIRE_ALL").as_deref() == Ok("1") {
            panic!("LOKET_TEST_POSTGRES_URL is not set and LOKET_REQUIRE_ALL=1");
        }
        eprintln!("SKIP postgres_store_keeps_the_contract: LOKET_TEST_POSTGRES_URL not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = SqlStore::open(&url, dir.path())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Unique office codes per run: the database outlives the test.
    let tag = format!("PG{}", &uuid::Uuid::now_v7().simple().to_string()[20..]).to_uppercase();
    contract(&store, &tag).await;
}
