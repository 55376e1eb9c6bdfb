//! Personal data of BAPs and pickups at rest (UU PDP): a BAP from interview to signed and a
//! pickup handed over with a drawn signature leave no NIK, name, chronology or signature in
//! clear in the database file or its WAL, while officers still read them through the API;
//! rows written in clear before migration 0006 are sealed at the hub's next start, once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::*;
use loket_hub::pickup::PickupLookup;
use loket_hub::seal::Sealer;
use loket_hub::{Hub, HubConfig, Principal};
use serde_json::{Value, json};
use sqlx::ConnectOptions;

// None of these occur in the demo office's bookings.
const NIK: &str = "3273015708850003";
const NAME: &str = "Wulan Sekar Kinasih";
const CHRONOLOGY: &str = "Paspor jatuh dari perahu motor di Selat Sunda saat badai";
/// Inside the drawn signature's PNG (an ancillary chunk).
const SIGNATURE_MARK: &str = "TTD-WULAN-PRIBADI";

fn signature_png() -> String {
    let mut png: Vec<u8> = b"\x89PNG\r\n\x1a\n".to_vec();
    let text = format!("Comment\0{SIGNATURE_MARK}");
    png.extend_from_slice(&u32::try_from(text.len()).unwrap().to_be_bytes());
    png.extend_from_slice(b"tEXt");
    png.extend_from_slice(text.as_bytes());
    png.extend_from_slice(&[0, 0, 0, 0]);
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

fn answers() -> Value {
    json!({
        "identity": {"full_name": NAME, "nik": NIK, "birth_place": "Bandung",
                     "birth_date": "1985-08-17", "occupation": "Nelayan", "address": "Jl. Dermaga 7",
                     "phone": "0813000222"},
        "old_passport": {"number": "C7654321", "issuing_office": "Kanim Bandung"},
        "reason": {"kind": "lost", "police_report_number": "LP/B/77/XI/2024/Polsek Anyer",
                   "police_report_date": "2024-11-20", "police_station": "Polsek Anyer"},
        "force_majeure_claimed": false,
        "chronology": CHRONOLOGY,
        "incident_place": "Selat Sunda",
        "incident_date": "2024-11-19",
        "travel_purpose": "Bekerja",
        "past_use": "Tidak pernah",
        "past_applications": "Tidak ada",
        "documents": ["ektp", "family_card", "birth_certificate", "police_report"],
        "assessment": "Keterangan konsisten",
    })
}

/// A BAP from the interview to signed (applicant's signature drawn); returns its id.
async fn signed_bap(t: &TestHub, officer: &str) -> String {
    let (s, ticket) = t
        .post(KIOSK, "/api/v1/tickets", json!({"service": "lost_damaged"}))
        .await;
    assert_eq!(s, 200, "{ticket}");
    let (s, bap) = t
        .post(officer, "/api/v1/baps", json!({"visit_id": ticket["id"]}))
        .await;
    assert_eq!(s, 200, "{bap}");
    let id = bap["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/baps/{id}");
    let (s, bap) = t.put(officer, &path, json!({"answers": answers()})).await;
    assert_eq!(s, 200, "{bap}");
    let (s, bap) = t
        .post(
            officer,
            &format!("{path}/decide"),
            json!({"outcome": {"kind": "approve_with_charge",
                               "book": {"electronic": true, "validity": "ten_years"}}}),
        )
        .await;
    assert_eq!(s, 200, "{bap}");
    let (s, bap) = t.post_empty(officer, &format!("{path}/complete")).await;
    assert_eq!(s, 200, "{bap}");
    let (s, bap) = t
        .post(
            officer,
            &format!("{path}/sign"),
            json!({"supervisor": {"username": "supervisor", "password": "supervisor-demo"},
                   "applicant_signature": {"kind": "drawn", "png": signature_png()}}),
        )
        .await;
    assert_eq!((s, bap["status"].as_str()), (200, Some("signed")), "{bap}");
    id
}

/// A passport registered for the applicant and handed over with a drawn signature.
async fn handed_over(t: &TestHub, officer: &str, receipt: &str) {
    let ready = t.hub.today() - chrono::Duration::days(1);
    let (s, p) = t
        .post(
            officer,
            "/api/v1/pickups",
            json!({"receipt": receipt, "nik": NIK, "applicant_name": NAME,
                   "passport_number": "E7654321", "ready_on": ready}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let (s, p) = t
        .post(
            officer,
            "/api/v1/pickups/handover",
            json!({"receipt": receipt, "collector": {"kind": "applicant"},
                   "presented": {"receipt": receipt, "id": {"kind": "ektp", "number": NIK}},
                   "signature": {"kind": "drawn", "png": signature_png()}}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "collected");
}

/// The database file and its WAL (and shared-memory index), as bytes.
fn disk_bytes(t: &TestHub) -> Vec<(String, Vec<u8>)> {
    let db = t.db_path();
    let mut out = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", db.display());
        if let Ok(bytes) = std::fs::read(&path) {
            out.push((format!("loket.db{suffix}"), bytes));
        }
    }
    assert!(out.len() >= 2, "the database runs in WAL mode");
    out
}

/// Which of the secrets appear in clear in the files (as UTF-8 or UTF-16).
fn found_in_clear(files: &[(String, Vec<u8>)]) -> Vec<String> {
    let secrets = [
        NIK,
        NAME,
        "Sekar Kinasih",
        CHRONOLOGY,
        "Selat Sunda",
        "Polsek Anyer",
        SIGNATURE_MARK,
    ];
    let mut found = Vec::new();
    for (name, bytes) in files {
        for s in secrets {
            let wide: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
            for (form, needle) in [("UTF-8", s.as_bytes()), ("UTF-16", wide.as_slice())] {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    found.push(format!("{s:?} ({form}) in {name}"));
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn a_signed_bap_and_a_handover_leave_no_personal_data_in_clear_on_disk() {
    let t = start().await;
    let officer = t.login("officer").await;
    let id = signed_bap(&t, &officer).await;
    handed_over(&t, &officer, "PDP-0001").await;

    // The officer still reads everything through the API.
    let (s, bap) = t.get(&officer, &format!("/api/v1/baps/{id}")).await;
    assert_eq!(s, 200, "{bap}");
    assert_eq!(bap["bap"]["interview"]["identity"]["nik"], NIK);
    assert_eq!(bap["bap"]["interview"]["identity"]["full_name"], NAME);
    assert_eq!(bap["bap"]["interview"]["chronology"], CHRONOLOGY);
    let (s, found) = t.get(&officer, &format!("/api/v1/pickups?nik={NIK}")).await;
    assert_eq!(s, 200, "{found}");
    assert_eq!(
        found.as_array().map(Vec::len),
        Some(1),
        "found by NIK: {found}"
    );
    assert_eq!(found[0]["applicant_name"], NAME);
    assert_eq!(found[0]["applicant_nik"], NIK);
    assert_eq!(found[0]["handover"]["approval"]["collector_name"], NAME);
    assert_eq!(found[0]["handover"]["signature"]["kind"], "drawn");
    // Another NIK finds nothing.
    let (_, none) = t
        .get(&officer, "/api/v1/pickups?nik=3171014509900001")
        .await;
    assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");
    // The BAP's PDF still has the name.
    let (s, _, pdf) = t.raw_get(&officer, &format!("/api/v1/baps/{id}/pdf")).await;
    assert_eq!(s, 200);
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains(NAME), "{text}");
    }
    // Central receives the signed BAP (the upload opens the sealed part).
    let signed = t.outbox_opened("bap_signed").await;
    assert_eq!(signed[0]["bap"]["interview"]["identity"]["nik"], NIK);

    // On disk: none of it in clear, in the database or in the WAL.
    let files = disk_bytes(&t);
    let found = found_in_clear(&files);
    assert!(found.is_empty(), "personal data in clear: {found:?}");
    // The check can fail: the same bytes with a clear copy are caught.
    let mut planted = files.clone();
    planted[0].1.extend_from_slice(SIGNATURE_MARK.as_bytes());
    assert_eq!(
        found_in_clear(&planted),
        vec![format!("{SIGNATURE_MARK:?} (UTF-8) in loket.db")]
    );
}

/// Turns the sealed rows back into what the hub wrote before migration 0006.
async fn unseal_into_old_form(t: &TestHub, sealer: &Sealer) {
    let mut conn = loket_hub::db::connect_options(&t.db_path())
        .connect()
        .await
        .unwrap();
    let baps: Vec<(String, i64, Vec<u8>)> = sqlx::query_as("SELECT id, version, content FROM baps")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    for (id, version, blob) in baps {
        let plain = sealer
            .open(&loket_hub::personal::bap_context(&id, version), &blob)
            .unwrap();
        sqlx::query("UPDATE baps SET content = ? WHERE id = ? AND version = ?")
            .bind(String::from_utf8(plain).unwrap())
            .bind(&id)
            .bind(version)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let pickups: Vec<(String, Vec<u8>, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT receipt, applicant, handover FROM pickups")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    for (receipt, applicant, handover) in pickups {
        let ctx = |c| loket_hub::personal::column_context("pickups", c, &receipt);
        let applicant: Value =
            serde_json::from_slice(&sealer.open(&ctx("applicant"), &applicant).unwrap()).unwrap();
        let handover = handover
            .map(|h| String::from_utf8(sealer.open(&ctx("handover"), &h).unwrap()).unwrap());
        sqlx::query(
            "UPDATE pickups SET applicant = NULL, nik_index = NULL, applicant_nik = ?, \
             applicant_name = ?, handover = ? WHERE receipt = ?",
        )
        .bind(applicant["nik"].as_str().unwrap())
        .bind(applicant["name"].as_str().unwrap())
        .bind(handover)
        .bind(&receipt)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let signatures: Vec<(String, Vec<u8>)> = sqlx::query_as("SELECT sha256, png FROM signatures")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    for (sha, blob) in signatures {
        let png = sealer
            .open(
                &loket_hub::personal::column_context("signatures", "png", &sha),
                &blob,
            )
            .unwrap();
        sqlx::query("UPDATE signatures SET png = ? WHERE sha256 = ?")
            .bind(png)
            .bind(&sha)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let outbox: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT seq, event_id, payload FROM outbox WHERE kind = 'bap_signed'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    for (seq, event_id, payload) in outbox {
        let opened = loket_hub::personal::open_outbox_payload(
            sealer,
            &event_id,
            serde_json::from_str(&payload).unwrap(),
        )
        .unwrap();
        sqlx::query("UPDATE outbox SET payload = ? WHERE seq = ?")
            .bind(opened.to_string())
            .bind(seq)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
}

async fn sealed_columns(t: &TestHub) -> Vec<(String, Vec<u8>)> {
    let mut conn = loket_hub::db::connect_options(&t.db_path())
        .connect()
        .await
        .unwrap();
    sqlx::query_as(
        "SELECT 'bap ' || id || ':' || version, content FROM baps \
         UNION ALL SELECT 'applicant ' || receipt, applicant FROM pickups \
         UNION ALL SELECT 'handover ' || receipt, handover FROM pickups WHERE handover IS NOT NULL \
         UNION ALL SELECT 'signature ' || sha256, png FROM signatures ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn rows_written_in_clear_before_0006_are_sealed_once_at_the_next_start() {
    let t = start().await;
    let officer = t.login("officer").await;
    let id = signed_bap(&t, &officer).await;
    handed_over(&t, &officer, "PDP-0002").await;
    let before = t.outbox_opened("bap_signed").await;
    let sealer = t.hub.sealer().clone();
    unseal_into_old_form(&t, &sealer).await;
    assert!(
        !found_in_clear(&disk_bytes(&t)).is_empty(),
        "the old form has personal data in clear"
    );

    // The next start seals them.
    let config = || HubConfig {
        office_code: "TEST".into(),
        ..HubConfig::default()
    };
    let dir = t.db_path().parent().unwrap().to_path_buf();
    let again = Hub::open(&dir, config()).await.unwrap();
    let found = found_in_clear(&disk_bytes(&t));
    assert!(found.is_empty(), "left in clear after the start: {found:?}");
    let sealed = sealed_columns(&t).await;
    // One BAP version, the applicant and the handover, one signature (the same PNG twice).
    assert_eq!(sealed.len(), 4, "{sealed:?}");
    assert!(
        sealed.iter().all(|(_, b)| b.starts_with(b"LKS1")),
        "{sealed:?}"
    );
    // Nothing in the clear columns any more.
    let mut conn = loket_hub::db::connect_options(&t.db_path())
        .connect()
        .await
        .unwrap();
    let (clear,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pickups WHERE applicant_nik != '' OR applicant_name != '' OR nik_index IS NULL",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(clear, 0);

    // Everything reads as before, found by NIK through the blind index.
    let local = Principal::local("test");
    let view = again.bap(&local, &id, None).await.unwrap();
    assert_eq!(view.bap.interview.identity.nik, NIK);
    assert_eq!(view.bap.interview.chronology, CHRONOLOGY);
    let found = again
        .find_pickups(
            &local,
            PickupLookup {
                nik: Some(NIK.into()),
                ..PickupLookup::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].applicant_name, NAME);
    assert!(found[0].handover.is_some());
    assert_eq!(t.outbox_opened("bap_signed").await, before);
    let raw = t.outbox("bap_signed").await;
    assert!(raw.iter().all(|p| p.get("bap").is_none()), "{raw:?}");

    // Once: a further start changes nothing (a re-seal would change every nonce).
    drop(again);
    let third = Hub::open(&dir, config()).await.unwrap();
    assert_eq!(sealed_columns(&t).await, sealed);
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'seal_personal_data'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    drop(third);
}
