//! BAP, passport pickup and the head's report over real HTTP (issue 8).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use chrono::{Duration, Timelike};
use common::*;
use serde_json::{Value, json};
use std::collections::HashMap;

const NIK: &str = "3171014509900001";

/// Answers of a complete interview except the outcome. `reason` is "lost" or "damaged".
fn answers(reason: &str, force_majeure: bool) -> Value {
    let mut documents = vec!["ektp", "family_card", "birth_certificate"];
    let reason = if reason == "lost" {
        documents.push("police_report");
        json!({"kind": "lost", "police_report_number": "LP/B/123/XI/2024/Polsek Menteng",
               "police_report_date": "2024-11-20", "police_station": "Polsek Menteng"})
    } else {
        documents.push("damaged_passport");
        json!({"kind": "damaged", "state": "water_damaged", "description": "Halaman 5-12 basah"})
    };
    if force_majeure {
        documents.push("village_letter");
    }
    json!({
        "identity": {"full_name": "Siti Aminah", "nik": NIK, "birth_place": "Jakarta",
                     "birth_date": "1990-09-05", "occupation": "Guru", "address": "Jl. Melati 1",
                     "phone": "0812000111"},
        "old_passport": {"number": "C1234567", "issuing_office": "Kanim Jakarta Selatan"},
        "reason": reason,
        "force_majeure_claimed": force_majeure,
        "chronology": "Tas berisi paspor tertinggal di kereta",
        "incident_place": "KRL Manggarai",
        "incident_date": "2024-11-19",
        "travel_purpose": "Umrah",
        "past_use": "Perjalanan ke Malaysia 2024",
        "past_applications": "Tidak ada",
        "documents": documents,
        "assessment": "Keterangan konsisten, dokumen lengkap",
    })
}

fn book() -> Value {
    json!({"electronic": true, "validity": "ten_years"})
}

fn supervisor_login() -> Value {
    json!({"username": "supervisor", "password": "supervisor-demo"})
}

/// A lost/damaged ticket from the kiosk; returns the visit id.
async fn lost_damaged_visit(t: &TestHub) -> i64 {
    let (s, body) = t
        .post(KIOSK, "/api/v1/tickets", json!({"service": "lost_damaged"}))
        .await;
    assert_eq!(s, 200, "{body}");
    body["id"].as_i64().unwrap()
}

fn missing_codes(bap: &Value) -> Vec<String> {
    bap["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect()
}

async fn start_bap(t: &TestHub, officer: &str) -> (String, Value) {
    let visit = lost_damaged_visit(t).await;
    let (s, bap) = t
        .post(officer, "/api/v1/baps", json!({"visit_id": visit}))
        .await;
    assert_eq!(s, 200, "{bap}");
    assert_eq!(bap["status"], "draft");
    assert_eq!(bap["version"], 1);
    assert_eq!(bap["visit_id"], visit);
    // Starting again for the same visit gives the same BAP back.
    let (_, again) = t
        .post(officer, "/api/v1/baps", json!({"visit_id": visit}))
        .await;
    assert_eq!(again["id"], bap["id"]);
    (bap["id"].as_str().unwrap().to_string(), bap)
}

#[tokio::test]
async fn a_bap_goes_from_interview_to_signed_pdf_for_each_outcome() {
    let t = start().await;
    let officer = t.login("officer").await;
    // (reason, force majeure, outcome request, outcome name on the PDF, fee text on the PDF)
    let cases = [
        (
            "lost",
            false,
            json!({"outcome": {"kind": "approve_with_charge", "book": book()}}),
            "Disetujui dengan denda",
            "Jumlah Rp 1.950.000",
            Some(1_950_000),
        ),
        (
            "damaged",
            true,
            json!({"outcome": {"kind": "waive_force_majeure", "book": book()}}),
            "Disetujui tanpa denda (keadaan kahar)",
            "Jumlah Rp 950.000",
            Some(950_000),
        ),
        (
            "lost",
            false,
            json!({"outcome": {"kind": "suspend", "months": 12}, "approver": supervisor_login()}),
            "Penangguhan penerbitan",
            "Tidak ada biaya",
            None,
        ),
    ];
    for (reason, force_majeure, decide, outcome_name, fee_text, total) in cases {
        let (id, bap) = start_bap(&t, &officer).await;
        assert!(missing_codes(&bap).contains(&"full_name".to_string()));
        let path = format!("/api/v1/baps/{id}");
        let (s, bap) = t
            .put(
                &officer,
                &path,
                json!({"answers": answers(reason, force_majeure), "revision": bap["revision"]}),
            )
            .await;
        assert_eq!(s, 200, "{bap}");
        assert_eq!(missing_codes(&bap), vec!["outcome"], "{bap}");
        assert_eq!(bap["next_step"], "outcome");
        // Not printable before it is complete.
        let (s, _, _) = t.raw_get(&officer, &format!("{path}/pdf")).await;
        assert_eq!(s, 409);
        let (s, bap) = t.post(&officer, &format!("{path}/decide"), decide).await;
        assert_eq!(s, 200, "{bap}");
        assert!(missing_codes(&bap).is_empty(), "{bap}");
        assert_eq!(bap["fees"]["total"].as_u64(), total, "{bap}");
        let (s, bap) = t.post_empty(&officer, &format!("{path}/complete")).await;
        assert_eq!(
            (s, bap["status"].as_str()),
            (200, Some("completed")),
            "{bap}"
        );
        let (s, bap) = t
            .post(
                &officer,
                &format!("{path}/sign"),
                json!({"supervisor": supervisor_login()}),
            )
            .await;
        assert_eq!(s, 200, "{bap}");
        assert_eq!(
            (bap["status"].as_str(), bap["locked"].as_bool()),
            (Some("signed"), Some(true))
        );
        assert_eq!(
            bap["bap"]["signatures"]["supervisor"]["username"],
            "supervisor"
        );
        assert_eq!(bap["bap"]["signatures"]["officer"]["username"], "officer");
        let (s, kind, pdf) = t.raw_get(&officer, &format!("{path}/pdf")).await;
        assert_eq!((s, kind.as_str()), (200, "application/pdf"));
        assert!(pdf.starts_with(b"%PDF"));
        if let Some(text) = pdf_text(&pdf) {
            for wanted in [
                "BERITA ACARA PEMERIKSAAN",
                "Siti Aminah",
                bap["number"].as_str().unwrap(),
                outcome_name,
                fee_text,
                "Ditandatangani",
            ] {
                assert!(text.contains(wanted), "{wanted:?} not in the PDF: {text}");
            }
        }
    }
    // Each signed version went to the outbox with its content, sealed on disk and opened
    // for the upload; drafts only as metadata.
    let signed = t.outbox_opened("bap_signed").await;
    assert_eq!(signed.len(), 3);
    assert!(signed.iter().all(|p| p["bap"]["status"] == "signed"));
    let raw = t.outbox("bap_signed").await;
    assert!(
        raw.iter().all(|p| p.get("bap").is_none()
            && p["sealed"].is_string()
            && !p.to_string().contains(NIK)),
        "{raw:?}"
    );
    let saved = t.outbox("bap_saved").await;
    assert!(saved.iter().all(|p| p.get("bap").is_none()));
    assert!(
        !saved.iter().any(|p| p.to_string().contains(NIK)),
        "draft outbox rows carry no personal data"
    );
}

#[tokio::test]
async fn suspension_needs_a_supervisor_and_a_signed_bap_is_only_amended() {
    let t = start().await;
    let officer = t.login("officer").await;
    let (id, bap) = start_bap(&t, &officer).await;
    let path = format!("/api/v1/baps/{id}");
    let (s, bap) = t
        .put(
            &officer,
            &path,
            json!({"answers": answers("lost", false), "revision": bap["revision"]}),
        )
        .await;
    assert_eq!(s, 200, "{bap}");
    let stale = bap["revision"].as_i64().unwrap() - 1;
    assert_error(
        &t.put(
            &officer,
            &path,
            json!({"answers": answers("lost", false), "revision": stale}),
        )
        .await,
        409,
        "bap_stale",
    );
    // The outcome is set with decide, not with the answers.
    let mut with_outcome = answers("lost", false);
    with_outcome["outcome"] = json!({"kind": "suspend", "months": 12, "approval": {
        "by": {"username": "supervisor", "role": "supervisor"}, "at": "2026-01-01T00:00:00Z"}});
    assert_error(
        &t.put(&officer, &path, json!({"answers": with_outcome}))
            .await,
        400,
        "bad_request",
    );
    let suspend = |approver: Option<Value>, months: u8| {
        let mut body = json!({"outcome": {"kind": "suspend", "months": months}});
        if let Some(a) = approver {
            body["approver"] = a;
        }
        body
    };
    let decide = format!("{path}/decide");
    // The officer alone cannot suspend.
    assert_error(
        &t.post(&officer, &decide, suspend(None, 12)).await,
        422,
        "bap_suspension_needs_supervisor",
    );
    // Another officer's log-in is not a supervisor's.
    assert_error(
        &t.post(
            &officer,
            &decide,
            suspend(
                Some(json!({"username": "officer2", "password": "officer2-demo"})),
                12,
            ),
        )
        .await,
        422,
        "bap_not_a_supervisor",
    );
    assert_error(
        &t.post(
            &officer,
            &decide,
            suspend(
                Some(json!({"username": "supervisor", "password": "wrong-password"})),
                12,
            ),
        )
        .await,
        422,
        "approver_bad_credentials",
    );
    assert_error(
        &t.post(&officer, &decide, suspend(Some(supervisor_login()), 30))
            .await,
        422,
        "bap_suspension_months",
    );
    let (_, still) = t.get(&officer, &path).await;
    assert!(still["bap"]["interview"]["outcome"].is_null(), "{still}");
    // A supervisor's session token approves.
    let supervisor = t.login("supervisor").await;
    let (s, bap) = t
        .post(
            &officer,
            &decide,
            suspend(Some(json!({"token": supervisor})), 12),
        )
        .await;
    assert_eq!(s, 200, "{bap}");
    assert_eq!(
        bap["bap"]["interview"]["outcome"]["approval"]["by"]["username"],
        "supervisor"
    );
    // Changing to an approval needs no supervisor; then complete and sign.
    let (s, _) = t
        .post(
            &officer,
            &decide,
            json!({"outcome": {"kind": "approve_with_charge", "book": book()}}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = t.post_empty(&officer, &format!("{path}/complete")).await;
    assert_eq!(s, 200);
    // Signing needs a supervisor too.
    assert_error(
        &t.post(&officer, &format!("{path}/sign"), json!({})).await,
        422,
        "approver_required",
    );
    let (s, signed) = t
        .post(
            &supervisor,
            &format!("{path}/sign"),
            json!({"applicant_signature": {"kind": "paper"}}),
        )
        .await;
    assert_eq!(s, 200, "{signed}");
    assert_eq!(signed["status"], "signed");
    // A signed BAP does not change.
    assert_error(
        &t.put(
            &officer,
            &path,
            json!({"answers": answers("damaged", false)}),
        )
        .await,
        409,
        "bap_locked",
    );
    assert_error(
        &t.post(&officer, &decide, suspend(Some(supervisor_login()), 6))
            .await,
        409,
        "bap_locked",
    );
    // An amendment is a new version with its reason; the signed one stays.
    assert_error(
        &t.post(&officer, &format!("{path}/amend"), json!({"reason": "  "}))
            .await,
        422,
        "bap_amendment_reason_missing",
    );
    let (s, v2) = t
        .post(
            &officer,
            &format!("{path}/amend"),
            json!({"reason": "Nomor paspor lama salah ketik"}),
        )
        .await;
    assert_eq!(s, 200, "{v2}");
    assert_eq!(
        (v2["version"].as_u64(), v2["status"].as_str()),
        (Some(2), Some("draft"))
    );
    assert_eq!(v2["bap"]["amendment"]["amends_version"], 1);
    assert_eq!(v2["versions"].as_array().map(Vec::len), Some(2));
    let (_, v1) = t.get(&officer, &format!("{path}?version=1")).await;
    assert_eq!(
        (v1["status"].as_str(), v1["latest"].as_bool()),
        (Some("signed"), Some(false))
    );
    let mut corrected = answers("lost", false);
    corrected["old_passport"]["number"] = json!("C7654321");
    let (s, v2) = t
        .put(
            &officer,
            &path,
            json!({"answers": corrected, "revision": v2["revision"]}),
        )
        .await;
    assert_eq!(s, 200, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["bap"]["interview"]["old_passport"]["number"], "C7654321");
    let (_, v1) = t.get(&officer, &format!("{path}?version=1")).await;
    assert_eq!(v1["bap"]["interview"]["old_passport"]["number"], "C1234567");
    // Audited, and not for devices.
    let (_, audit) = t.get(&supervisor, "/api/v1/audit?limit=50").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in [
        "bap_start",
        "bap_saved",
        "bap_decided",
        "bap_completed",
        "bap_signed",
        "bap_amended",
    ] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
    assert_error(&t.get(KIOSK, &path).await, 403, "forbidden");
    assert_error(
        &t.get(&officer, "/api/v1/baps/no-such-bap").await,
        404,
        "bap_not_found",
    );
    // A BAP only for services that need one.
    let (_, ticket) = t
        .post(KIOSK, "/api/v1/tickets", json!({"service": "new_passport"}))
        .await;
    assert_error(
        &t.post(&officer, "/api/v1/baps", json!({"visit_id": ticket["id"]}))
            .await,
        422,
        "stage_not_in_service",
    );
}

fn png_data_url() -> String {
    // A 1x1 PNG.
    let png: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

async fn register(t: &TestHub, officer: &str, receipt: &str, ready_days_ago: i64, extra: Value) {
    let ready = t.hub.today() - Duration::days(ready_days_ago);
    let mut body = json!({"receipt": receipt, "nik": NIK, "applicant_name": "Siti Aminah",
                          "passport_number": "X1234567", "visit_date": ready - Duration::days(6),
                          "ready_on": ready});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let (s, p) = t.post(officer, "/api/v1/pickups", body).await;
    assert_eq!(s, 200, "{p}");
}

fn handover(receipt: &str, collector: Value, presented: Value, signature: Value) -> Value {
    json!({"receipt": receipt, "collector": collector, "presented": presented, "signature": signature})
}

#[tokio::test]
async fn pickup_for_each_collector_with_its_refusals_and_the_30_day_flag() {
    let t = start().await;
    let officer = t.login("officer").await;
    let supervisor = t.login("supervisor").await;
    let paper = json!({"kind": "paper"});
    let drawn = json!({"kind": "drawn", "png": png_data_url()});
    let ektp = json!({"kind": "ektp", "number": NIK});
    let go = "/api/v1/pickups/handover";

    // The applicant: receipt and own e-KTP.
    register(&t, &officer, "RCPT-0001", 2, json!({})).await;
    let applicant = json!({"kind": "applicant"});
    for (presented, code) in [
        (json!({"id": ektp}), "pickup_receipt_missing"),
        (
            json!({"receipt": "RCPT-9999", "id": ektp}),
            "pickup_receipt_mismatch",
        ),
        (
            json!({"receipt": "RCPT-0001"}),
            "pickup_applicant_id_missing",
        ),
        (
            json!({"receipt": "RCPT-0001", "id": {"kind": "ektp", "number": "3171010101700007"}}),
            "pickup_applicant_id_mismatch",
        ),
    ] {
        assert_error(
            &t.post(
                &officer,
                go,
                handover("RCPT-0001", applicant.clone(), presented, paper.clone()),
            )
            .await,
            422,
            code,
        );
    }
    assert_error(
        &t.post(
            &officer,
            go,
            handover(
                "RCPT-0001",
                applicant.clone(),
                json!({"receipt": "RCPT-0001", "id": ektp}),
                json!({"kind": "drawn", "png": "data:image/gif;base64,R0lGOD"}),
            ),
        )
        .await,
        422,
        "signature_invalid",
    );
    let (s, p) = t
        .post(
            &officer,
            go,
            handover(
                " rcpt-0001 ",
                applicant.clone(),
                json!({"receipt": "rcpt-0001", "id": ektp}),
                drawn.clone(),
            ),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "collected");
    assert_eq!(p["handover"]["approval"]["collector"], "applicant");
    assert_eq!(p["handover"]["approval"]["collector_name"], "Siti Aminah");
    assert_eq!(p["handover"]["signature"]["kind"], "drawn");
    assert_eq!(p["handover"]["approval"]["overdue"], false);
    assert_error(
        &t.post(
            &officer,
            go,
            handover(
                "RCPT-0001",
                applicant.clone(),
                json!({"receipt": "RCPT-0001", "id": ektp}),
                paper.clone(),
            ),
        )
        .await,
        409,
        "passport_already_collected",
    );

    // Family: receipt and the KK showing the relation.
    register(&t, &officer, "RCPT-0002", 5, json!({})).await;
    let family = json!({"kind": "family", "name": "Ahmad", "relation": "spouse"});
    let kk = |number: &str, shows: bool| json!({"number": number, "shows_relation": shows});
    for (collector, presented, code) in [
        (
            json!({"kind": "family", "name": " ", "relation": "spouse"}),
            json!({"receipt": "RCPT-0002", "family_card": kk("3171012345678901", true)}),
            "pickup_collector_name_missing",
        ),
        (
            family.clone(),
            json!({"receipt": "RCPT-0002"}),
            "pickup_family_card_missing",
        ),
        (
            family.clone(),
            json!({"receipt": "RCPT-0002", "family_card": kk("1234", true)}),
            "pickup_family_card_number_invalid",
        ),
        (
            family.clone(),
            json!({"receipt": "RCPT-0002", "family_card": kk("3171012345678901", false)}),
            "pickup_family_card_no_relation",
        ),
    ] {
        assert_error(
            &t.post(
                &officer,
                go,
                handover("RCPT-0002", collector, presented, paper.clone()),
            )
            .await,
            422,
            code,
        );
    }
    let (s, p) = t
        .post(
            &officer,
            go,
            handover(
                "RCPT-0002",
                family,
                json!({"receipt": "RCPT-0002", "family_card": kk("3171012345678901", true)}),
                paper.clone(),
            ),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["handover"]["approval"]["collector"], "family");
    assert_eq!(
        p["handover"]["approval"]["collector_id_number"],
        "3171012345678901"
    );
    assert_eq!(p["handover"]["signature"]["kind"], "paper");

    // Anyone else: receipt, power of attorney and own ID.
    register(&t, &officer, "RCPT-0003", 1, json!({})).await;
    let proxy = json!({"kind": "proxy", "name": "Budi Kurir"});
    let poa = |signed: bool, names: bool| json!({"signed_by_applicant": signed, "names_collector": names});
    for (presented, code) in [
        (
            json!({"receipt": "RCPT-0003", "id": {"kind": "ektp", "number": "3171010203850002"}}),
            "pickup_power_of_attorney_missing",
        ),
        (
            json!({"receipt": "RCPT-0003", "power_of_attorney": poa(false, true), "id": {"kind": "ektp", "number": "3171010203850002"}}),
            "pickup_power_of_attorney_invalid",
        ),
        (
            json!({"receipt": "RCPT-0003", "power_of_attorney": poa(true, true)}),
            "pickup_proxy_id_missing",
        ),
    ] {
        assert_error(
            &t.post(
                &officer,
                go,
                handover("RCPT-0003", proxy.clone(), presented, paper.clone()),
            )
            .await,
            422,
            code,
        );
    }
    let (s, p) = t
        .post(
            &officer,
            go,
            handover(
                "RCPT-0003",
                proxy,
                json!({"receipt": "RCPT-0003", "power_of_attorney": poa(true, true),
                       "id": {"kind": "ektp", "number": "3171010203850002"}}),
                drawn.clone(),
            ),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["handover"]["approval"]["collector"], "proxy");
    assert_eq!(p["handover"]["approval"]["collector_name"], "Budi Kurir");

    // Not ready yet; the 30 days (day 30 still fine, day 31 flagged); cancellation.
    register(
        &t,
        &officer,
        "RCPT-0004",
        -3,
        json!({"booking_code": "MPBOOK77"}),
    )
    .await;
    assert_error(
        &t.post(
            &officer,
            go,
            handover(
                "RCPT-0004",
                applicant.clone(),
                json!({"receipt": "RCPT-0004", "id": ektp}),
                paper.clone(),
            ),
        )
        .await,
        409,
        "passport_not_ready",
    );
    register(&t, &officer, "RCPT-0030", 30, json!({})).await;
    register(&t, &officer, "RCPT-0031", 31, json!({})).await;
    register(&t, &officer, "RCPT-0032", 45, json!({})).await;
    let (_, found) = t.get(&officer, "/api/v1/pickups?receipt=RCPT-0030").await;
    assert_eq!(found[0]["state"], "ready");
    let (_, found) = t.get(&officer, "/api/v1/pickups?receipt=RCPT-0031").await;
    assert_eq!(found[0]["state"], "overdue_for_cancellation");
    let (s, overdue) = t.get(&supervisor, "/api/v1/pickups/overdue").await;
    assert_eq!(s, 200, "{overdue}");
    let receipts: Vec<&str> = overdue
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["receipt"].as_str().unwrap())
        .collect();
    assert_eq!(receipts, vec!["RCPT-0032", "RCPT-0031"]);
    // Flagged, not cancelled: it can still be handed over, and the register says so.
    let (s, p) = t
        .post(
            &officer,
            go,
            handover(
                "RCPT-0031",
                applicant.clone(),
                json!({"receipt": "RCPT-0031", "id": ektp}),
                paper.clone(),
            ),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["handover"]["approval"]["overdue"], true);
    let cancel = json!({"receipt": "RCPT-0032", "reason": "Tidak diambil dalam 30 hari"});
    assert_error(
        &t.post(&officer, "/api/v1/pickups/cancel", cancel.clone())
            .await,
        403,
        "forbidden",
    );
    let (s, p) = t.post(&supervisor, "/api/v1/pickups/cancel", cancel).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("cancelled")), "{p}");
    assert_error(
        &t.post(
            &officer,
            go,
            handover(
                "RCPT-0032",
                applicant.clone(),
                json!({"receipt": "RCPT-0032", "id": ektp}),
                paper.clone(),
            ),
        )
        .await,
        409,
        "passport_cancelled",
    );
    let (_, overdue) = t.get(&supervisor, "/api/v1/pickups/overdue").await;
    assert_eq!(overdue.as_array().map(Vec::len), Some(0));

    // Without the new passport's number, the handover asks for it.
    register(
        &t,
        &officer,
        "RCPT-0005",
        0,
        json!({"passport_number": null}),
    )
    .await;
    let presented = json!({"receipt": "RCPT-0005", "id": ektp});
    assert_error(
        &t.post(
            &officer,
            go,
            handover(
                "RCPT-0005",
                applicant.clone(),
                presented.clone(),
                paper.clone(),
            ),
        )
        .await,
        422,
        "passport_number_missing",
    );
    let mut with_number = handover("RCPT-0005", applicant.clone(), presented, paper.clone());
    with_number["passport_number"] = json!("E7654321");
    let (s, p) = t.post(&officer, go, with_number).await;
    assert_eq!(
        (s, p["passport_number"].as_str()),
        (200, Some("E7654321")),
        "{p}"
    );

    // Look-ups.
    let (_, by_nik) = t.get(&officer, &format!("/api/v1/pickups?nik={NIK}")).await;
    assert_eq!(by_nik.as_array().map(Vec::len), Some(8));
    assert_error(
        &t.get(&officer, "/api/v1/pickups?nik=123").await,
        422,
        "pickup_invalid_nik",
    );
    assert_error(
        &t.get(&officer, "/api/v1/pickups").await,
        400,
        "bad_request",
    );

    // The day's register and a receipt.
    let (s, kind, pdf) = t.raw_get(&officer, "/api/v1/pickups/register.pdf").await;
    assert_eq!((s, kind.as_str()), (200, "application/pdf"));
    if let Some(text) = pdf_text(&pdf) {
        for wanted in [
            "REGISTER PENYERAHAN PASPOR",
            "RCPT-0001",
            "RCPT-0002",
            "RCPT-0003",
            "RCPT-0031",
            "Budi Kurir",
            "Ahmad",
        ] {
            assert!(
                text.contains(wanted),
                "{wanted:?} not in the register: {text}"
            );
        }
        assert!(!text.contains("RCPT-0004"));
    }
    let (s, _, pdf) = t
        .raw_get(&officer, "/api/v1/pickups/receipt.pdf?receipt=RCPT-0002")
        .await;
    assert_eq!(s, 200);
    if let Some(text) = pdf_text(&pdf) {
        assert!(
            text.contains("TANDA TERIMA PENYERAHAN PASPOR") && text.contains("Ahmad"),
            "{text}"
        );
    }

    // The outbox carries no NIK or names of handovers.
    let handed = t.outbox("passport_handed_over").await;
    assert_eq!(handed.len(), 5);
    for p in &handed {
        let text = p.to_string();
        assert!(
            !text.contains(NIK) && !text.contains("Siti") && !text.contains("Ahmad"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_kiosk_says_whether_a_passport_is_ready_without_personal_data() {
    let t = start().await;
    let officer = t.login("officer").await;
    register(
        &t,
        &officer,
        "RCPT-0100",
        1,
        json!({"booking_code": "MPREADY1"}),
    )
    .await;
    register(&t, &officer, "RCPT-0101", -2, json!({})).await;
    register(&t, &officer, "RCPT-0102", 40, json!({})).await;
    let ask = |code: &str| {
        let code = code.to_string();
        let t = &t;
        async move {
            let (s, body) = t
                .post(KIOSK, "/api/v1/kiosk/pickup-status", json!({"code": code}))
                .await;
            assert_eq!(s, 200, "{body}");
            let text = body.to_string();
            for private in [NIK, "Siti", "X1234567", "RCPT"] {
                assert!(
                    !text.contains(private),
                    "{private} in the kiosk's answer: {text}"
                );
            }
            body
        }
    };
    let ready = ask("mpready1").await;
    assert_eq!(ready["found"], 1);
    assert_eq!(ready["answers"][0]["status"], "ready");
    let collect_by = t.hub.today() - Duration::days(1) + Duration::days(30);
    assert_eq!(ready["answers"][0]["collect_by"], collect_by.to_string());
    assert!(
        ready["answers"][0]["message_id"]
            .as_str()
            .unwrap()
            .contains("sudah selesai")
    );
    let waiting = ask(" rcpt-0101 ").await;
    assert_eq!(waiting["answers"][0]["status"], "not_ready_yet");
    assert_eq!(
        waiting["answers"][0]["expected"],
        (t.hub.today() + Duration::days(2)).to_string()
    );
    assert_eq!(ask("RCPT-0102").await["answers"][0]["status"], "overdue");
    let none = ask("NOPE-1").await;
    assert_eq!(
        (
            none["found"].as_u64(),
            none["answers"][0]["status"].as_str()
        ),
        (Some(0), Some("not_found"))
    );
    assert_eq!(ask("!!!").await["answers"][0]["status"], "not_found");
    assert_error(
        &t.post(
            DISPLAY,
            "/api/v1/kiosk/pickup-status",
            json!({"code": "RCPT-0100"}),
        )
        .await,
        403,
        "forbidden",
    );
    // The kiosk may not look passports up with personal data.
    assert_error(
        &t.get(KIOSK, "/api/v1/pickups?receipt=RCPT-0100").await,
        403,
        "forbidden",
    );
}

async fn act(t: &TestHub, token: &str, counter: i64, action: &str) -> Value {
    let (s, v) = t
        .post_empty(token, &format!("/api/v1/counters/{counter}/{action}"))
        .await;
    assert_eq!(s, 200, "{action}: {v}");
    v
}

fn minutes(t: &TestHub, m: i64) {
    t.hub.clock().advance(Duration::minutes(m));
}

#[tokio::test]
async fn a_small_day_computed_by_hand_and_its_csv_and_pdf() {
    let t = start().await;
    let officer = t.login("officer").await;
    let officer2 = t.login("officer2").await;
    let supervisor = t.login("supervisor").await;
    let (c1, c2) = (t.counter_id("Loket 1").await, t.counter_id("Loket 2").await);
    let arrival_hour = t
        .hub
        .config()
        .rules
        .time_zone
        .local(t.hub.clock().now())
        .hour();
    act(&t, &officer, c1, "open").await;
    act(&t, &officer2, c2, "open").await;
    assert_eq!(t.issue("new_passport").await, "A001");
    assert_eq!(t.issue("new_passport").await, "A002");
    assert_eq!(t.issue("information").await, "E001");
    minutes(&t, 10); // T10
    assert_eq!(act(&t, &officer, c1, "call-next").await["ticket"], "A001");
    minutes(&t, 1);
    act(&t, &officer, c1, "start").await;
    minutes(&t, 5); // T16
    act(&t, &officer, c1, "finish").await;
    assert_eq!(act(&t, &officer, c1, "call-next").await["ticket"], "A002");
    minutes(&t, 2);
    act(&t, &officer, c1, "start").await;
    minutes(&t, 4); // T22
    act(&t, &officer, c1, "finish").await;
    assert_eq!(act(&t, &officer2, c2, "call-next").await["ticket"], "A001");
    minutes(&t, 1);
    act(&t, &officer2, c2, "start").await;
    minutes(&t, 6); // T29
    act(&t, &officer2, c2, "finish").await;
    assert_eq!(act(&t, &officer2, c2, "call-next").await["ticket"], "A002");
    minutes(&t, 1); // T30
    act(&t, &officer2, c2, "start").await;
    minutes(&t, 5); // T35: A002 still in service, E001 never called
    let (s, closed) = t.post_empty(&supervisor, "/api/v1/day/close").await;
    assert_eq!(s, 200, "{closed}");
    let today = t.hub.today();

    let (s, r) = t
        .get(&supervisor, &format!("/api/v1/reports?date={today}"))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (
            Some(today.to_string().as_str()),
            Some(today.to_string().as_str())
        )
    );
    let total = &r["total"];
    assert_eq!(
        (
            total["issued"].as_u64(),
            total["walk_in"].as_u64(),
            total["served"].as_u64(),
            total["no_shows"].as_u64()
        ),
        (Some(3), Some(3), Some(1), Some(0))
    );
    let o = &total["outcomes"];
    assert_eq!(
        (
            o["completed"].as_u64(),
            o["closed_in_service"].as_u64(),
            o["closed_unserved"].as_u64(),
            o["open"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(0))
    );
    // First waits: A001 10 min, A002 16 min.
    let w = &total["waiting"];
    assert_eq!(
        (
            w["count"].as_u64(),
            w["mean_seconds"].as_f64(),
            w["median_seconds"].as_f64(),
            w["p90_seconds"].as_u64(),
            w["max_seconds"].as_u64()
        ),
        (Some(2), Some(780.0), Some(780.0), Some(960), Some(960))
    );
    // All stages: A001 600 + 360, A002 960 + 420.
    assert_eq!(
        total["waiting_all_stages"]["mean_seconds"].as_f64(),
        Some(1170.0)
    );
    let stage = |name: &str| {
        total["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == name)
            .map(|s| s["service_time"].clone())
            .unwrap()
    };
    // Document check: 5 and 4 minutes; photo: 6 minutes, and 5 until the day was closed.
    assert_eq!(
        stage("document_check")["mean_seconds"].as_f64(),
        Some(270.0)
    );
    assert_eq!(
        stage("photo_fingerprint_interview")["mean_seconds"].as_f64(),
        Some(330.0)
    );
    let counter = |id: i64| {
        r["counters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["counter"] == id)
            .cloned()
            .unwrap()
    };
    let l1 = counter(c1);
    assert_eq!(l1["officer"], "officer");
    // Open 35 minutes; occupied A001 10->16 and A002 16->22.
    assert_eq!(
        (
            l1["sittings"].as_u64(),
            l1["served"].as_u64(),
            l1["mean_service_seconds"].as_f64(),
            l1["occupied_seconds"].as_u64(),
            l1["open_seconds"].as_u64(),
            l1["idle_seconds"].as_u64()
        ),
        (
            Some(2),
            Some(2),
            Some(270.0),
            Some(720),
            Some(2100),
            Some(1380)
        )
    );
    let l2 = counter(c2);
    assert_eq!(l2["officer"], "officer2");
    // Occupied A001 22->29 and A002 29->35.
    assert_eq!(
        (
            l2["sittings"].as_u64(),
            l2["serving_seconds"].as_u64(),
            l2["occupied_seconds"].as_u64(),
            l2["idle_seconds"].as_u64()
        ),
        (Some(2), Some(660), Some(780), Some(1320))
    );
    assert_eq!(r["arrivals_per_hour"][arrival_hour as usize], 3);
    let arrivals: u64 = r["arrivals_per_hour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(arrivals, 3);
    let used = |service: &str| {
        r["quotas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["service"] == service && q["lane"] == "walk_in")
            .map(|q| q["used"].as_u64().unwrap())
    };
    assert_eq!(
        (used("new_passport"), used("information")),
        (Some(2), Some(1))
    );
    assert_eq!(r["closed_days"][0], today.to_string());
    assert_eq!(r["fees_total_rupiah"], 0);

    // The same day went to the outbox when it was closed.
    let summaries = t.outbox("daily_report").await;
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0]["office_date"], today.to_string());
    assert_eq!(summaries[0]["report"]["total"], r["total"]);
    assert_eq!(summaries[0]["report"]["counters"], r["counters"]);

    // CSV: the same figures.
    let (s, kind, csv) = t
        .raw_get(
            &supervisor,
            &format!("/api/v1/reports/export.csv?date={today}"),
        )
        .await;
    assert_eq!((s, kind.as_str()), (200, "text/csv; charset=utf-8"));
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(loket_hub::report::CSV_HEADER));
    let cells: HashMap<String, String> = lines
        .map(|l| {
            let (key, value) = l.rsplit_once(',').unwrap();
            (key.to_string(), value.to_string())
        })
        .collect();
    let cell = |k: &str| {
        cells
            .get(k)
            .cloned()
            .unwrap_or_else(|| panic!("{k} not in CSV:\n{csv}"))
    };
    assert_eq!(cell("total,,,,,,issued"), total["issued"].to_string());
    assert_eq!(cell("total,,,,,,served"), total["served"].to_string());
    assert_eq!(
        cell("total,,,,,,closed_unserved"),
        o["closed_unserved"].to_string()
    );
    assert_eq!(cell("total,,,,,waiting,mean_seconds"), "780.0");
    assert_eq!(
        cell("total,,,,,waiting,p90_seconds"),
        w["p90_seconds"].to_string()
    );
    assert_eq!(cell("total,,,,,document_check,mean_seconds"), "270.0");
    assert_eq!(cell("service,new_passport,,,,,issued"), "2");
    assert_eq!(
        cell("service_lane,information,walk_in,,,,closed_unserved"),
        "1"
    );
    assert_eq!(
        cell("counter,,,Loket 1,officer,,idle_seconds"),
        l1["idle_seconds"].to_string()
    );
    assert_eq!(
        cell("counter,,,Loket 2,officer2,,occupied_seconds"),
        l2["occupied_seconds"].to_string()
    );
    assert_eq!(
        cell(&format!("arrivals,,,,,{arrival_hour:02},arrivals")),
        "3"
    );
    assert_eq!(cell("quota,new_passport,walk_in,,,,used"), "2");
    assert_eq!(cell("bap,,,,,approve_with_charge,signed"), "0");
    assert_eq!(cell("fee,,,,,,fees_total_rupiah"), "0");

    // PDF: the same figures, in minutes.
    let (s, kind, pdf) = t
        .raw_get(
            &supervisor,
            &format!("/api/v1/reports/export.pdf?date={today}"),
        )
        .await;
    assert_eq!((s, kind.as_str()), (200, "application/pdf"));
    if let Some(text) = pdf_text(&pdf) {
        for wanted in [
            "LAPORAN HARIAN LAYANAN PASPOR".to_string(),
            // Tickets per service and lane, total row: issued, served, no-shows, walk-in, appointment.
            "Jumlah 3 1 0 3 0".to_string(),
            // Waiting, all services: count, mean, median, p90, max in minutes.
            format!(
                "Semua layanan 2 {0} {0} 16,0 16,0",
                loket_documents::format_minutes(13.0)
            ),
            // Counter, officer, served, mean service, idle (minutes).
            "Loket 1 officer 2 4,5 23,0".to_string(),
            "Loket 2 officer2 2 5,5 22,0".to_string(),
            "Pemeriksaan berkas".to_string(),
        ] {
            assert!(text.contains(&wanted), "{wanted:?} not in the PDF: {text}");
        }
    }

    // Week and month around the day hold the same visits; ranges are checked.
    for period in ["week", "month"] {
        let (s, wide) = t
            .get(
                &supervisor,
                &format!("/api/v1/reports?date={today}&period={period}"),
            )
            .await;
        assert_eq!(s, 200, "{wide}");
        assert_eq!(wide["total"]["issued"], 3, "{period}");
        assert!(wide["from"].as_str() <= Some(today.to_string().as_str()));
    }
    let tomorrow = today + Duration::days(1);
    assert_error(
        &t.get(
            &supervisor,
            &format!("/api/v1/reports?from={tomorrow}&to={today}"),
        )
        .await,
        400,
        "report_range_invalid",
    );
    assert_error(
        &t.get(&supervisor, "/api/v1/reports?from=2025-01-01&to=2026-12-31")
            .await,
        400,
        "report_range_invalid",
    );
    let (_, empty) = t
        .get(&supervisor, &format!("/api/v1/reports?date={tomorrow}"))
        .await;
    assert_eq!(empty["total"]["issued"], 0);
    assert_error(&t.get(&officer, "/api/v1/reports").await, 403, "forbidden");
}

#[tokio::test]
async fn finishing_an_application_registers_its_passport_for_pickup() {
    let t = start().await;
    let officer = t.login("officer").await;
    let officer2 = t.login("officer2").await;
    let (c1, c2) = (t.counter_id("Loket 1").await, t.counter_id("Loket 2").await);
    let code = t.bookings[0].clone();
    let (s, checked) = t
        .post(KIOSK, "/api/v1/check-ins", json!({"booking_code": code}))
        .await;
    assert_eq!(s, 200, "{checked}");
    let visit = checked["tickets"][0]["id"].as_i64().unwrap();
    act(&t, &officer, c1, "open").await;
    act(&t, &officer2, c2, "open").await;
    act(&t, &officer, c1, "call-next").await;
    act(&t, &officer, c1, "start").await;
    act(&t, &officer, c1, "finish").await;
    let (_, none) = t
        .get(&officer, &format!("/api/v1/pickups?visit_id={visit}"))
        .await;
    assert_eq!(
        none.as_array().map(Vec::len),
        Some(0),
        "not before the last stage"
    );
    act(&t, &officer2, c2, "call-next").await;
    act(&t, &officer2, c2, "start").await;
    let done = act(&t, &officer2, c2, "finish").await;
    assert_eq!(done["outcome"], "completed");
    let (_, found) = t
        .get(&officer, &format!("/api/v1/pickups?visit_id={visit}"))
        .await;
    let p = &found[0];
    let ticket = checked["tickets"][0]["ticket"].as_str().unwrap();
    assert_eq!(
        p["receipt"],
        format!("TEST-{}-{ticket}", t.hub.today().format("%y%m%d"))
    );
    assert_eq!(
        (p["state"].as_str(), p["applicant_name"].as_str()),
        (Some("not_ready_yet"), Some("Siti Rahayu"))
    );
    let rules = &t.hub.config().rules.pickup;
    assert_eq!(p["ready_date"], rules.ready_date(t.hub.today()).to_string());
    // The kiosk answers by the booking code.
    let (_, answer) = t
        .post(KIOSK, "/api/v1/kiosk/pickup-status", json!({"code": code}))
        .await;
    assert_eq!(answer["answers"][0]["status"], "not_ready_yet");
    let registered = t.outbox("passport_registered").await;
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0]["automatic"], true);
}
