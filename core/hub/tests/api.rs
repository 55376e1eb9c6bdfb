//! The LAN API over real HTTP on an ephemeral port.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn health_openapi_and_every_documented_route_exists() {
    let t = start().await;
    let (s, body) = t.call(Method::GET, None, "/healthz", None).await;
    assert_eq!((s, body["status"].as_str()), (200, Some("ok")));
    let (s, doc) = t
        .call(Method::GET, None, "/api/v1/openapi.json", None)
        .await;
    assert_eq!(s, 200);
    let today = t.hub.today().to_string();
    let admin = t.login("supervisor").await;
    for op in loket_hub::openapi::OPERATIONS {
        let entry = &doc["paths"][op.path][op.method.to_ascii_lowercase()];
        assert!(
            entry.is_object(),
            "{} {} missing from openapi.json",
            op.method,
            op.path
        );
        if op.path.ends_with("/logout") {
            continue; // would end the session used for the other routes
        }
        let path = op.path.replace("{id}", "1").replace("{date}", &today);
        let method = Method::from_bytes(op.method.as_bytes()).unwrap();
        let body = (op.method != "GET").then(|| json!({}));
        let (s, answer) = t.call(method, Some(&admin), &path, body).await;
        let code = answer["error"]["code"].as_str().unwrap_or("");
        assert!(
            code != "route_not_found" && s != 405,
            "{} {} is not routed: {s} {answer}",
            op.method,
            op.path
        );
    }
    // And nothing undocumented answers under /api/v1.
    let answer = t.get(&admin, "/api/v1/no-such-route").await;
    assert_error(&answer, 404, "route_not_found");
}

#[tokio::test]
async fn kiosk_tickets_are_numbered_per_service_and_lane_rules_hold() {
    let t = start().await;
    assert_eq!(t.issue("new_passport").await, "A001");
    assert_eq!(t.issue("new_passport").await, "A002");
    assert_eq!(t.issue("replacement").await, "B001");
    let (s, body) = t
        .post(
            KIOSK,
            "/api/v1/tickets",
            json!({"service": "new_passport", "lane": "priority", "priority_group": "elderly"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["ticket"], "A003");
    assert_eq!(body["lane"], "priority");
    assert_eq!(body["priority_group"], "elderly");
    // The priority lane is called first: the two walk-ins waiting are not ahead of it.
    assert_eq!(body["ahead"], 0);
    assert!(
        body["estimated_wait_minutes"].is_null(),
        "no counter open yet: {body}"
    );
    let answer = t
        .post(
            KIOSK,
            "/api/v1/tickets",
            json!({"service": "new_passport", "lane": "priority"}),
        )
        .await;
    assert_error(&answer, 400, "bad_request");
    let answer = t
        .post(
            KIOSK,
            "/api/v1/tickets",
            json!({"service": "new_passport", "lane": "appointment"}),
        )
        .await;
    assert_error(&answer, 400, "bad_request");
    let answer = t
        .post(KIOSK, "/api/v1/tickets", json!({"service": "visa"}))
        .await;
    assert_error(&answer, 400, "bad_request");
    let (s, services) = t.get(KIOSK, "/api/v1/services").await;
    assert_eq!(s, 200);
    let a = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "new_passport")
        .unwrap();
    assert_eq!(
        (
            a["letter"].as_str(),
            a["used"]["walk_in"].as_u64(),
            a["used"]["priority"].as_u64()
        ),
        (Some("A"), Some(2), Some(1))
    );
    assert_eq!(a["waiting"], 3);
}

#[tokio::test]
async fn a_visit_goes_through_its_stages_at_two_counters() {
    let t = start().await;
    let officer = t.login("officer").await;
    let officer2 = t.login("officer2").await;
    let (c1, c2) = (t.counter_id("Loket 1").await, t.counter_id("Loket 2").await);
    t.issue("new_passport").await;
    let (s, _) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/open"))
        .await;
    assert_eq!(s, 200);
    let (s, v) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["ticket"].as_str(),
            v["state"].as_str(),
            v["calls"].as_u64()
        ),
        (Some("A001"), Some("called"), Some(1))
    );
    // A second call while holding a visit is refused.
    assert_error(
        &t.post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
            .await,
        409,
        "counter_busy",
    );
    let (_, v) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/recall"))
        .await;
    assert_eq!(v["calls"], 2);
    let (_, v) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/start"))
        .await;
    assert_eq!(v["state"], "in_service");
    let (_, v) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/finish"))
        .await;
    assert_eq!(
        (v["state"].as_str(), v["stage"].as_str()),
        (Some("waiting"), Some("photo_fingerprint_interview"))
    );
    let (_, cur) = t
        .get(&officer, &format!("/api/v1/counters/{c1}/current"))
        .await;
    assert!(cur.is_null());
    // Loket 1 serves only document checks: nothing left for it.
    assert_error(
        &t.post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
            .await,
        409,
        "queue_empty",
    );
    t.post_empty(&officer2, &format!("/api/v1/counters/{c2}/open"))
        .await;
    let (_, q) = t
        .get(&officer2, &format!("/api/v1/counters/{c2}/queue"))
        .await;
    assert_eq!(q.as_array().map(Vec::len), Some(1));
    let (_, v) = t
        .post_empty(&officer2, &format!("/api/v1/counters/{c2}/call-next"))
        .await;
    assert_eq!(v["ticket"], "A001");
    t.post_empty(&officer2, &format!("/api/v1/counters/{c2}/start"))
        .await;
    let (_, v) = t
        .post_empty(&officer2, &format!("/api/v1/counters/{c2}/finish"))
        .await;
    assert_eq!(
        (v["state"].as_str(), v["outcome"].as_str()),
        (Some("closed"), Some("completed"))
    );
    let supervisor = t.login("supervisor").await;
    let (s, d) = t.get(&supervisor, "/api/v1/dashboard").await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        (
            d["served_today"].as_u64(),
            d["counters_open"].as_u64(),
            d["waiting"].as_u64()
        ),
        (Some(1), Some(2), Some(0))
    );
    let (_, calls) = t.get(DISPLAY, "/api/v1/calls/recent").await;
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 3, "call, recall, call");
    assert_eq!(
        (calls[0]["counter"].as_str(), calls[0]["recall"].as_bool()),
        (Some("Loket 2"), Some(false))
    );
    assert_eq!(calls[1]["recall"], true);
}

#[tokio::test]
async fn park_call_given_transfer_and_no_show() {
    let t = start().await;
    let officer = t.login("officer").await;
    let c1 = t.counter_id("Loket 1").await;
    let c3 = t.counter_id("Loket 3").await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/open"))
        .await;
    for _ in 0..3 {
        t.issue("new_passport").await;
    }
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
        .await;
    let (_, v) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/park"))
        .await;
    assert_eq!(v["state"], "parked");
    let (_, v) = t
        .post(
            &officer,
            &format!("/api/v1/counters/{c1}/call"),
            json!({"ticket": "A003"}),
        )
        .await;
    assert_eq!(v["ticket"], "A003");
    // No-show only after three calls.
    assert_error(
        &t.post_empty(&officer, &format!("/api/v1/counters/{c1}/no-show"))
            .await,
        409,
        "no_show_too_early",
    );
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/recall"))
        .await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/recall"))
        .await;
    assert_error(
        &t.post_empty(&officer, &format!("/api/v1/counters/{c1}/recall"))
            .await,
        409,
        "recall_limit_reached",
    );
    let (_, v) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/no-show"))
        .await;
    assert_eq!(v["outcome"], "no_show");
    // The parked ticket comes back by number.
    let (s, v) = t
        .post(
            &officer,
            &format!("/api/v1/counters/{c1}/call"),
            json!({"ticket": "A001"}),
        )
        .await;
    assert_eq!((s, v["ticket"].as_str()), (200, Some("A001")), "{v}");
    // Transfer to a stage the service lacks is refused, to a counter is kept.
    let answer = t
        .post(
            &officer,
            &format!("/api/v1/counters/{c1}/transfer"),
            json!({"stage": "bap"}),
        )
        .await;
    assert_error(&answer, 422, "stage_not_in_service");
    let answer = t
        .post(
            &officer,
            &format!("/api/v1/counters/{c1}/transfer"),
            json!({"counter_id": 999}),
        )
        .await;
    assert_error(&answer, 404, "counter_not_found");
    let (s, v) = t
        .post(
            &officer,
            &format!("/api/v1/counters/{c1}/transfer"),
            json!({"counter_id": c3}),
        )
        .await;
    assert_eq!(
        (s, v["state"].as_str(), v["reserved_counter"].as_i64()),
        (200, Some("waiting"), Some(c3)),
        "{v}"
    );
    let answer = t
        .post(
            &officer,
            &format!("/api/v1/counters/{c1}/call"),
            json!({"ticket": "A001"}),
        )
        .await;
    assert_error(&answer, 409, "reserved_for_other_counter");
    assert_error(
        &t.post_empty(&officer, &format!("/api/v1/counters/{c1}/finish"))
            .await,
        409,
        "no_current_visit",
    );
}

#[tokio::test]
async fn websocket_carries_queue_changes_and_calls() {
    let t = start().await;
    let officer = t.login("officer").await;
    let socket = |token: String| {
        let url = format!(
            "{}/api/v1/ws?token={token}",
            t.base.replace("http://", "ws://")
        );
        async move { tokio_tungstenite::connect_async(url).await.unwrap().0 }
    };
    let mut ws = socket(officer.clone()).await;
    let mut board = socket(DISPLAY.to_string()).await;
    assert_eq!(next_json(&mut ws).await["type"], "hello");
    assert_eq!(next_json(&mut board).await["type"], "hello");
    t.issue("pickup").await;
    let m = next_json(&mut ws).await;
    assert_eq!(
        (m["type"].as_str(), m["service"].as_str()),
        (Some("queue_changed"), Some("pickup"))
    );
    let c4 = t.counter_id("Loket 4").await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c4}/open"))
        .await;
    assert_eq!(next_json(&mut ws).await["type"], "counter_changed");
    t.post_empty(&officer, &format!("/api/v1/counters/{c4}/call-next"))
        .await;
    // The officer's screen hears the call and the queue's change; the display board
    // hears the call only (it shows nothing else): its first message after hello.
    for m in [next_json(&mut ws).await, next_json(&mut board).await] {
        assert_eq!(m["type"], "call", "{m}");
        assert_eq!(
            (m["call"]["ticket"].as_str(), m["call"]["counter"].as_str()),
            (Some("D001"), Some("Loket 4"))
        );
    }
    assert_eq!(next_json(&mut ws).await["type"], "queue_changed");
    // A socket without a valid token is refused before the upgrade.
    let bad = format!(
        "{}/api/v1/ws?token=lkd_nope",
        t.base.replace("http://", "ws://")
    );
    assert!(tokio_tungstenite::connect_async(bad).await.is_err());
}

#[tokio::test]
async fn check_in_gives_each_applicant_a_visit_and_is_idempotent() {
    let t = start().await;
    let group = t.bookings[1].clone();
    let (s, first) = t
        .post(
            KIOSK,
            "/api/v1/check-ins",
            json!({"booking_code": group.to_lowercase()}),
        )
        .await;
    assert_eq!(s, 200, "{first}");
    let tickets: Vec<&str> = first["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ticket"].as_str().unwrap())
        .collect();
    assert_eq!(tickets, ["A001", "B001", "A002"]);
    assert_eq!(first["already_checked_in"], false);
    assert_eq!(first["tickets"][2]["applicant_index"], 2);
    assert_eq!(first["tickets"][0]["lane"], "appointment");
    let (s, again) = t
        .post(KIOSK, "/api/v1/check-ins", json!({"booking_code": group}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(again["already_checked_in"], true);
    let ids = |v: &Value| {
        v["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["id"].clone(), t["ticket"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&again));
    // Unknown payment: accepted and flagged.
    let (s, flagged) = t
        .post(
            KIOSK,
            "/api/v1/check-ins",
            json!({"booking_code": t.bookings[2]}),
        )
        .await;
    assert_eq!(s, 200, "{flagged}");
    assert_eq!(flagged["flags"], json!(["payment_not_verified"]));
    assert_eq!(flagged["tickets"][0]["payment_not_verified"], true);
    // The officer sees the applicant's name, the queue holds the appointments.
    let officer = t.login("officer").await;
    let (_, q) = t.get(&officer, "/api/v1/queue").await;
    let names: Vec<&str> = q
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["applicant_name"].as_str())
        .collect();
    assert!(
        names.contains(&"Budi Santoso") && names.contains(&"Rina Wulandari"),
        "{q}"
    );
    // Each visit of the queue carries its own payment flag (read for all in one go).
    let flagged_ticket = &flagged["tickets"][0]["ticket"];
    for v in q.as_array().unwrap() {
        let expected = v["ticket"] == *flagged_ticket;
        assert_eq!(v["payment_not_verified"], expected, "{v}");
    }
}

/// Tickets issued at once are answered from inside the writer's transaction: each sees the
/// ones committed or written before it in the same batch waiting, and not itself.
#[tokio::test]
async fn tickets_issued_at_once_each_count_the_ones_before_them_as_ahead() {
    let t = start().await;
    let answers = futures_util::future::join_all((0..12).map(|_| {
        t.post(
            KIOSK,
            "/api/v1/tickets",
            json!({"service": "replacement", "lane": "walk_in"}),
        )
    }))
    .await;
    let mut numbers = Vec::new();
    for (status, body) in answers {
        assert_eq!(status, 200, "{body}");
        let ticket = body["ticket"].as_str().unwrap_or_default();
        let number: u64 = ticket.get(1..).and_then(|n| n.parse().ok()).unwrap_or(0);
        assert_eq!(body["ahead"].as_u64(), number.checked_sub(1), "{body}");
        numbers.push(number);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=12).collect::<Vec<u64>>());
}

#[tokio::test]
async fn each_refusal_has_its_own_error() {
    let t = start().await;
    let officer = t.login("officer").await;
    let supervisor = t.login("supervisor").await;
    // Invalid NIK (check and import).
    assert_error(
        &t.post(&officer, "/api/v1/checks/nik", json!({"nik": "12345"}))
            .await,
        422,
        "invalid_nik",
    );
    let (s, nik) = t
        .post(
            &officer,
            "/api/v1/checks/nik",
            json!({"nik": "3171014501900001", "birth_date": "1990-01-06"}),
        )
        .await;
    assert_eq!(
        (s, nik["sex"].as_str(), nik["warnings"][0]["code"].as_str()),
        (200, Some("female"), Some("nik_birth_date_mismatch"))
    );
    let bad_import = json!({"bookings": [{"code": "X1", "office_code": "TEST", "date": t.hub.today(), "slot_start": "09:00:00",
        "applicants": [{"name": "A", "nik": "0000000000000000", "service": "new_passport"}],
        "payment": "paid", "billing_code": null, "cancelled": false, "rescheduled": false}]});
    let answer = t
        .post(&supervisor, "/api/v1/bookings/import", bad_import)
        .await;
    assert_eq!(answer.0, 422, "{}", answer.1);
    assert!(
        answer.1["error"]["code"]
            .as_str()
            .unwrap()
            .starts_with("invalid_nik")
    );
    // Bookings.
    assert_error(
        &t.post(KIOSK, "/api/v1/check-ins", json!({"booking_code": "NOPE"}))
            .await,
        404,
        "booking_not_found",
    );
    assert_error(
        &t.post(
            KIOSK,
            "/api/v1/check-ins",
            json!({"booking_code": t.bookings[4]}),
        )
        .await,
        422,
        "booking_other_day",
    );
    assert_error(
        &t.post(
            KIOSK,
            "/api/v1/check-ins",
            json!({"booking_code": t.bookings[5]}),
        )
        .await,
        422,
        "booking_other_office",
    );
    assert_error(
        &t.post(
            KIOSK,
            "/api/v1/check-ins",
            json!({"booking_code": t.bookings[3]}),
        )
        .await,
        422,
        "booking_unpaid",
    );
    assert_error(
        &t.post(
            KIOSK,
            "/api/v1/check-ins",
            json!({"booking_code": t.bookings[6]}),
        )
        .await,
        422,
        "booking_cancelled",
    );
    // Quota used up.
    let today = t.hub.today();
    let (s, q) = t
        .put(&supervisor, &format!("/api/v1/quotas/{today}"),
             json!({"quotas": [{"service": "information", "walk_in": 1, "appointment": 0, "priority": 1}]}))
        .await;
    assert_eq!(s, 200, "{q}");
    let walk_in = t.issue("information").await;
    assert_error(
        &t.post(KIOSK, "/api/v1/tickets", json!({"service": "information"}))
            .await,
        409,
        "quota_exhausted",
    );
    // The refused ticket's number was taken and given back: the priority lane, which
    // still has quota, gets the number right after the walk-in's.
    let (s, priority) = t
        .post(
            KIOSK,
            "/api/v1/tickets",
            json!({"service": "information", "lane": "priority", "priority_group": "elderly"}),
        )
        .await;
    assert_eq!(s, 200, "{priority}");
    let number = |ticket: &str| ticket[1..].parse::<u32>().unwrap();
    assert_eq!(
        number(priority["ticket"].as_str().unwrap()),
        number(&walk_in) + 1,
        "{walk_in} then {priority}"
    );
    // Counter not open.
    let c1 = t.counter_id("Loket 1").await;
    assert_error(
        &t.post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
            .await,
        409,
        "counter_not_open",
    );
    assert_error(
        &t.post_empty(&officer, "/api/v1/counters/999/open").await,
        404,
        "counter_not_found",
    );
    // Wrong role.
    let answer = t
        .put(
            &officer,
            &format!("/api/v1/quotas/{today}"),
            json!({"quotas": []}),
        )
        .await;
    assert_error(&answer, 403, "forbidden");
    // Bad input.
    let res = t
        .client
        .post(format!("{}/api/v1/tickets", t.base))
        .bearer_auth(KIOSK)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_error(&(status, body), 400, "bad_request");
    assert_error(
        &t.get(&officer, "/api/v1/visits/abc").await,
        400,
        "bad_request",
    );
    assert_error(
        &t.get(&officer, "/api/v1/visits/4242").await,
        404,
        "visit_not_found",
    );
    assert_error(
        &t.get(&supervisor, "/api/v1/quotas/2026-13-45").await,
        400,
        "bad_request",
    );
    // No token, unknown token, expired session.
    assert_error(
        &t.call(Method::GET, None, "/api/v1/queue", None).await,
        401,
        "unauthenticated",
    );
    assert_error(
        &t.get("lks_0000", "/api/v1/queue").await,
        401,
        "unauthenticated",
    );
    t.hub.clock().advance(chrono::Duration::hours(13));
    assert_error(
        &t.get(&officer, "/api/v1/queue").await,
        401,
        "session_expired",
    );
}

#[tokio::test]
async fn devices_and_roles_get_only_their_rights() {
    let t = start().await;
    let officer = t.login("officer").await;
    let admin = t.login("admin").await;
    let c1 = t.counter_id("Loket 1").await;
    for (token, method, path) in [
        (KIOSK, Method::GET, "/api/v1/queue".to_string()),
        (KIOSK, Method::POST, format!("/api/v1/counters/{c1}/open")),
        (
            KIOSK,
            Method::POST,
            format!("/api/v1/counters/{c1}/call-next"),
        ),
        (KIOSK, Method::GET, "/api/v1/calls/recent".to_string()),
        (KIOSK, Method::GET, "/api/v1/dashboard".to_string()),
        (DISPLAY, Method::POST, "/api/v1/check-ins".to_string()),
        (DISPLAY, Method::GET, "/api/v1/queue".to_string()),
        (
            officer.as_str(),
            Method::POST,
            "/api/v1/day/close".to_string(),
        ),
        (
            officer.as_str(),
            Method::GET,
            "/api/v1/dashboard".to_string(),
        ),
        (officer.as_str(), Method::GET, "/api/v1/audit".to_string()),
        (officer.as_str(), Method::POST, "/api/v1/users".to_string()),
        (
            admin.as_str(),
            Method::POST,
            format!("/api/v1/counters/{c1}/call-next"),
        ),
        (
            admin.as_str(),
            Method::POST,
            "/api/v1/day/close".to_string(),
        ),
    ] {
        let body = match path.as_str() {
            "/api/v1/check-ins" => Some(json!({"booking_code": "X"})),
            "/api/v1/users" => Some(
                json!({"username": "u1", "display_name": "U", "role": "officer", "password": "12345678"}),
            ),
            _ => None,
        };
        let answer = t.call(method.clone(), Some(token), &path, body).await;
        assert_error(&answer, 403, "forbidden");
    }
    let (s, body) = t
        .post(DISPLAY, "/api/v1/tickets", json!({"service": "pickup"}))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert_eq!(t.get(DISPLAY, "/api/v1/calls/recent").await.0, 200);
    // The admin makes accounts and devices; a new kiosk token works at once.
    let (s, dev) = t
        .post(
            &admin,
            "/api/v1/devices",
            json!({"kind": "kiosk", "name": "kiosk-2"}),
        )
        .await;
    assert_eq!(s, 200, "{dev}");
    let token = dev["token"].as_str().unwrap();
    let (s, me) = t.get(token, "/api/v1/auth/me").await;
    assert_eq!((s, me["device_kind"].as_str()), (200, Some("kiosk")));
    let (s, _) = t.post(&admin, "/api/v1/users", json!({"username": "budi", "display_name": "Budi", "role": "officer", "password": "rahasia-123"})).await;
    assert_eq!(s, 200);
    assert_error(&t.post(&admin, "/api/v1/users", json!({"username": "budi", "display_name": "Budi", "role": "officer", "password": "rahasia-123"})).await, 409, "already_exists");
    // Logging out ends the session.
    let (s, _) = t.post_empty(&officer, "/api/v1/auth/logout").await;
    assert_eq!(s, 200);
    assert_error(
        &t.get(&officer, "/api/v1/queue").await,
        401,
        "session_expired",
    );
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_account() {
    let t = start_with(|c| c.max_failed_logins = 3).await;
    let attempt = |pw: &'static str| {
        t.call(
            Method::POST,
            None,
            "/api/v1/auth/login",
            Some(json!({"username": "officer", "password": pw})),
        )
    };
    assert_error(&attempt("wrong-1").await, 401, "bad_credentials");
    assert_error(&attempt("wrong-2").await, 401, "bad_credentials");
    assert_error(&attempt("wrong-3").await, 423, "account_locked");
    assert_error(&attempt("officer-demo").await, 423, "account_locked");
    assert_error(
        &t.call(
            Method::POST,
            None,
            "/api/v1/auth/login",
            Some(json!({"username": "ghost", "password": "x"})),
        )
        .await,
        401,
        "bad_credentials",
    );
    t.hub.clock().advance(chrono::Duration::minutes(16));
    assert_eq!(attempt("officer-demo").await.0, 200);
}

#[tokio::test]
async fn quotas_and_simpatik_days_are_set_by_supervisors_and_audited() {
    let t = start().await;
    let head = t.login("head").await;
    let today = t.hub.today();
    let (s, q) = t
        .put(
            &head,
            &format!("/api/v1/quotas/{today}"),
            json!({"day_kind": "weekend_simpatik",
        "quotas": [{"service": "new_passport", "walk_in": 2, "appointment": 0, "priority": 1}]}),
        )
        .await;
    assert_eq!(s, 200, "{q}");
    assert_eq!(q["day_kind"], "weekend_simpatik");
    let line = q["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["service"] == "new_passport")
        .unwrap();
    assert_eq!(
        (
            line["quota"]["walk_in"].as_u64(),
            line["overridden"].as_bool()
        ),
        (Some(2), Some(true))
    );
    // Lost/damaged is not served on a simpatik day.
    let answer = t
        .post(KIOSK, "/api/v1/tickets", json!({"service": "lost_damaged"}))
        .await;
    assert_error(&answer, 409, "service_not_offered_today");
    let (_, audit) = t.get(&head, "/api/v1/audit?limit=5").await;
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "set_quotas")
        .unwrap();
    assert_eq!(
        (entry["actor"].as_str(), entry["actor_kind"].as_str()),
        (Some("head"), Some("officer"))
    );
    assert_eq!(entry["detail"]["old"][0]["quota"]["walk_in"], 50);
}

#[tokio::test]
async fn day_close_ends_every_open_visit_and_state_changes_reach_the_outbox() {
    let t = start().await;
    let officer = t.login("officer").await;
    let c1 = t.counter_id("Loket 1").await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/open"))
        .await;
    for _ in 0..3 {
        t.issue("new_passport").await;
    }
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
        .await;
    let supervisor = t.login("supervisor").await;
    let (s, r) = t.post_empty(&supervisor, "/api/v1/day/close").await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["closed_visits"].as_u64(), r["closed_counters"].as_u64()),
        (Some(3), Some(1))
    );
    let (_, q) = t.get(&supervisor, "/api/v1/queue").await;
    assert_eq!(q.as_array().map(Vec::len), Some(0));
    // The outbox: one row per change, unique event ids, increasing seq.
    let pool = sqlx::SqlitePool::connect_with(loket_hub::db::connect_options(&t.db_path()))
        .await
        .unwrap();
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT seq, event_id, kind FROM outbox ORDER BY seq")
            .fetch_all(&pool)
            .await
            .unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "ticket_issued").count(), 3);
    assert!(kinds.contains(&"counter_opened") && kinds.contains(&"day_closed"));
    let resets: Vec<(String,)> =
        sqlx::query_as("SELECT payload FROM outbox WHERE kind = 'visit_event'")
            .fetch_all(&pool)
            .await
            .unwrap();
    let outcomes: Vec<Value> = resets
        .iter()
        .map(|(p,)| serde_json::from_str::<Value>(p).unwrap()["state"].clone())
        .filter(|s| s["state"] == "closed")
        .collect();
    assert_eq!(outcomes.len(), 3);
    let mut ids: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rows.len());
    // Logs and the audit log name actors, not applicants; the audit has every change.
    let (_, audit) = t.get(&supervisor, "/api/v1/audit?limit=100").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for action in [
        "issue_ticket",
        "counter_open",
        "call_next",
        "close_day",
        "login",
    ] {
        assert!(
            actions.contains(&action),
            "{action} not audited: {actions:?}"
        );
    }
}

async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    serde_json::from_str::<Value>(msg.to_text().unwrap()).unwrap()
}

#[tokio::test]
async fn the_boards_see_only_todays_calls() {
    let t = start().await;
    let c4 = t.counter_id("Loket 4").await;
    let serve_one = |officer: String| {
        let t = &t;
        async move {
            t.post_empty(&officer, &format!("/api/v1/counters/{c4}/open"))
                .await;
            let ticket = t.issue("pickup").await;
            for step in ["call-next", "start", "finish"] {
                let (s, v) = t
                    .post_empty(&officer, &format!("/api/v1/counters/{c4}/{step}"))
                    .await;
                assert_eq!(s, 200, "{step}: {v}");
            }
            ticket
        }
    };
    serve_one(t.login("officer").await).await;
    let (_, calls) = t.get(DISPLAY, "/api/v1/calls/recent").await;
    let yesterdays = calls[0]["id"].as_i64().unwrap();

    t.hub.clock().advance(chrono::Duration::days(1));
    let (s, calls) = t.get(DISPLAY, "/api/v1/calls/recent").await;
    assert_eq!(
        (s, calls.as_array().map(Vec::len)),
        (200, Some(0)),
        "{calls}"
    );
    let answer = t
        .get(DISPLAY, &format!("/api/v1/calls/{yesterdays}/speech.wav"))
        .await;
    assert_error(&answer, 404, "call_not_found");

    let ticket = serve_one(t.login("officer").await).await;
    let (_, calls) = t.get(DISPLAY, "/api/v1/calls/recent").await;
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["ticket"].as_str(), Some(ticket.as_str()));
    assert!(calls[0]["id"].as_i64() > Some(yesterdays));
}

#[tokio::test]
async fn display_boards_get_the_spoken_call_as_a_wav() {
    let t = start().await;
    let officer = t.login("officer").await;
    let c4 = t.counter_id("Loket 4").await;
    t.issue("pickup").await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c4}/open"))
        .await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c4}/call-next"))
        .await;
    let (_, calls) = t.get(DISPLAY, "/api/v1/calls/recent").await;
    let id = calls[0]["id"].as_i64().unwrap();
    // Not one of today's calls: a clear 404.
    let answer = t
        .get(DISPLAY, &format!("/api/v1/calls/{}/speech.wav", id + 1000))
        .await;
    assert_error(&answer, 404, "call_not_found");
    let res = t
        .client
        .get(format!("{}/api/v1/calls/{id}/speech.wav", t.base))
        .bearer_auth(DISPLAY)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    if status == 503 && std::env::var("LOKET_REQUIRE_ALL").as_deref() != Ok("1") {
        eprintln!("skipped: espeak-ng is not installed");
        return;
    }
    assert_eq!(status, 200);
    assert_eq!(res.headers()["content-type"], "audio/wav");
    let wav = res.bytes().await.unwrap();
    assert_eq!((&wav[0..4], &wav[8..12]), (&b"RIFF"[..], &b"WAVE"[..]));
    // "Nomor antrian D nol nol satu, silakan ke loket empat" lasts well over a second.
    let sample_rate = u32::from_le_bytes(wav[24..28].try_into().unwrap());
    let seconds = (wav.len() - 44) as f64 / f64::from(sample_rate * 2);
    assert!(seconds > 1.5, "speech of {seconds:.2} s is too short");
}

#[tokio::test]
async fn sync_status_is_for_supervisors_and_a_synced_feed_confirms_payments() {
    let t = start().await;
    let officer = t.login("officer").await;
    let supervisor = t.login("supervisor").await;
    let head = t.login("head").await;
    let admin = t.login("admin").await;
    assert_error(
        &t.get(&officer, "/api/v1/sync/status").await,
        403,
        "forbidden",
    );
    assert_error(&t.get(KIOSK, "/api/v1/sync/status").await, 403, "forbidden");
    for token in [&supervisor, &head, &admin] {
        let (s, body) = t.get(token, "/api/v1/sync/status").await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(
            (body["enrolled"].as_bool(), body["link"].as_str()),
            (Some(false), Some("not_enrolled"))
        );
    }

    // Bookings last downloaded two days ago: their payment is not current any more.
    let pool = sqlx::SqlitePool::connect_with(loket_hub::db::connect_options(&t.db_path()))
        .await
        .unwrap();
    let old = (t.hub.clock().now() - chrono::Duration::days(2)).to_rfc3339();
    sqlx::query("UPDATE bookings SET updated_at = ?")
        .bind(&old)
        .execute(&pool)
        .await
        .unwrap();
    let (s, first) = t
        .post(
            KIOSK,
            "/api/v1/check-ins",
            json!({"booking_code": t.bookings[0]}),
        )
        .await;
    assert_eq!(s, 200, "{first}");
    assert_eq!(first["flags"], json!(["payment_not_verified"]));

    // The engine reports a round that drained the feed a minute ago: payments are current.
    let now = t.hub.clock().now();
    t.hub.set_sync_status(loket_hub::SyncView {
        enrolled: true,
        office: Some("TEST".into()),
        central: Some("https://central.example".into()),
        link: loket_hub::SyncLink::Up,
        pending_events: 2,
        pending_blobs: 1,
        pending_bytes: 900,
        last_success: Some(now),
        last_attempt: Some(now - chrono::Duration::minutes(1)),
        conflicts: vec![loket_hub::SyncConflict {
            booking_code: "MP7".into(),
            rule: "cancelled_after_check_in".into(),
            cursor: 9,
        }],
        ..loket_hub::SyncView::default()
    });
    let (s, second) = t
        .post(
            KIOSK,
            "/api/v1/check-ins",
            json!({"booking_code": t.bookings[1]}),
        )
        .await;
    assert_eq!(s, 200, "{second}");
    assert_eq!(second["flags"], json!([]), "{second}");
    let (s, body) = t.get(&head, "/api/v1/sync/status").await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        (
            body["link"].as_str(),
            body["pending_events"].as_u64(),
            body["conflicts"][0]["rule"].as_str()
        ),
        (Some("up"), Some(2), Some("cancelled_after_check_in"))
    );

    // Every screen hears the summary right after hello, and again when it changes.
    let url = format!(
        "{}/api/v1/ws?token={officer}",
        t.base.replace("http://", "ws://")
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "hello");
    let m = next_json(&mut ws).await;
    assert_eq!(
        (
            m["type"].as_str(),
            m["sync"]["link"].as_str(),
            m["sync"]["pending"].as_u64()
        ),
        (Some("sync"), Some("up"), Some(3)),
        "{m}"
    );
    t.hub.set_sync_status(loket_hub::SyncView {
        enrolled: true,
        link: loket_hub::SyncLink::Down,
        ..loket_hub::SyncView::default()
    });
    let m = next_json(&mut ws).await;
    assert_eq!(
        (m["type"].as_str(), m["sync"]["link"].as_str()),
        (Some("sync"), Some("down")),
        "{m}"
    );
}

#[tokio::test]
async fn an_officer_works_only_their_own_counter_and_a_supervisor_may_take_it_over() {
    let t = start().await;
    let officer = t.login("officer").await;
    let officer2 = t.login("officer2").await;
    let supervisor = t.login("supervisor").await;
    let c1 = t.counter_id("Loket 1").await;
    t.issue("new_passport").await;
    t.issue("new_passport").await;
    let (s, v) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/open"))
        .await;
    assert_eq!(s, 200, "{v}");
    for path in ["open", "call-next", "close"] {
        let answer = t
            .post_empty(&officer2, &format!("/api/v1/counters/{c1}/{path}"))
            .await;
        assert_error(&answer, 403, "counter_held_by_other");
        assert!(
            answer.1["error"]["message_id"]
                .as_str()
                .is_some_and(|m| m.contains("petugas officer")),
            "the refusal names who holds the counter: {}",
            answer.1
        );
    }
    let (s, v) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
        .await;
    assert_eq!((s, v["ticket"].as_str()), (200, Some("A001")), "{v}");
    // Another officer cannot finish or no-show the visit the holder called.
    assert_error(
        &t.post_empty(&officer2, &format!("/api/v1/counters/{c1}/no-show"))
            .await,
        403,
        "counter_held_by_other",
    );
    // The supervisor may work it (e.g. an officer left without closing it).
    let (s, v) = t
        .post_empty(&supervisor, &format!("/api/v1/counters/{c1}/start"))
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = t
        .post_empty(&supervisor, &format!("/api/v1/counters/{c1}/close"))
        .await;
    assert_eq!((s, v["open"].as_bool()), (200, Some(false)), "{v}");
    // A closed counter is anyone's to open.
    let (s, v) = t
        .post_empty(&officer2, &format!("/api/v1/counters/{c1}/open"))
        .await;
    assert_eq!((s, v["officer"].as_str()), (200, Some("officer2")), "{v}");
}

/// A stand-in `lp` that keeps its arguments and the document it got on standard input.
fn fake_lp(dir: &std::path::Path, refuse: bool) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join(if refuse { "lp-refusing" } else { "lp" });
    let body = if refuse {
        "cat >/dev/null\necho 'lp: The printer or class does not exist.' >&2\nexit 1".to_string()
    } else {
        format!(
            "echo \"$@\" > {0}/args\ncat > {0}/printed.pdf\necho 'request id is Kantor_A4-7 (0 file(s))'",
            dir.display()
        )
    };
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test]
async fn forms_and_reports_print_on_the_office_printer_and_a_refusal_is_explained() {
    let spool = tempfile::tempdir().unwrap();
    let lp = fake_lp(spool.path(), false);
    let t = start_with(|c| {
        c.cups_lp = lp.clone();
        c.cups_lpstat = spool.path().join("no-lpstat");
        c.office_printer = Some("Kantor_A4".into());
    })
    .await;
    let supervisor = t.login("supervisor").await;
    let today = t.hub.today();
    let document = format!("/api/v1/reports/export.pdf?date={today}");
    let (s, v) = t
        .post(
            &supervisor,
            "/api/v1/office-print",
            json!({"document": document, "copies": 2}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["job"].as_str(),
            v["printer"].as_str(),
            v["copies"].as_u64()
        ),
        (Some("Kantor_A4-7"), Some("Kantor_A4"), Some(2))
    );
    assert_eq!(v["state"], "unknown", "no lpstat here: {v}");
    let printed = std::fs::read(spool.path().join("printed.pdf")).unwrap();
    assert!(printed.starts_with(b"%PDF"), "lp got the report's PDF");
    let args = std::fs::read_to_string(spool.path().join("args")).unwrap();
    assert_eq!(args.trim(), "-d Kantor_A4 -n 2");

    // Only this API's PDF routes; the PDF route's own refusal comes back as it is.
    let (s, v) = t
        .post(
            &supervisor,
            "/api/v1/office-print",
            json!({"document": "/api/v1/users"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{v}"
    );
    let (s, v) = t
        .post(
            &supervisor,
            "/api/v1/office-print",
            json!({"document": "/api/v1/baps/tidak-ada/pdf"}),
        )
        .await;
    assert_eq!(s, 404, "{v}");
    // An officer may not print what they may not read (the head's report).
    let officer = t.login("officer").await;
    let (s, v) = t
        .post(
            &officer,
            "/api/v1/office-print",
            json!({"document": document}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{v}"
    );

    // A printer that refuses: CUPS's words, in both languages, and what to check.
    let refusing = fake_lp(spool.path(), true);
    let t2 = start_with(|c| c.cups_lp = refusing.clone()).await;
    let supervisor = t2.login("supervisor").await;
    let answer = t2
        .post(
            &supervisor,
            "/api/v1/office-print",
            json!({"document": document}),
        )
        .await;
    assert_error(&answer, 502, "office_print_failed");
    let id = answer.1["error"]["message_id"].as_str().unwrap();
    assert!(
        id.contains("Tidak tercetak") && id.contains("does not exist"),
        "{id}"
    );
}

#[tokio::test]
async fn a_new_tickets_wait_estimate_matches_the_services_view() {
    let t = start().await;
    let officer = t.login("officer").await;
    let c1 = t.counter_id("Loket 1").await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/open"))
        .await;
    // Two document checks of 6 and 10 minutes give the service its recent times.
    for minutes in [6, 10] {
        t.issue("new_passport").await;
        let (s, v) = t
            .post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
            .await;
        assert_eq!(s, 200, "{v}");
        t.post_empty(&officer, &format!("/api/v1/counters/{c1}/start"))
            .await;
        t.hub.clock().advance(chrono::Duration::minutes(minutes));
        let (s, v) = t
            .post_empty(&officer, &format!("/api/v1/counters/{c1}/finish"))
            .await;
        assert_eq!(s, 200, "{v}");
    }
    for _ in 0..3 {
        t.issue("new_passport").await;
    }
    let (s, services) = t.get(KIOSK, "/api/v1/services").await;
    assert_eq!(s, 200, "{services}");
    let service = services
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == "new_passport"))
        .cloned()
        .unwrap_or_default();
    let expected = service["estimated_wait_minutes"].as_u64();
    assert!(expected.is_some_and(|m| m > 0), "an estimate: {service}");
    let (s, ticket) = t
        .post(
            KIOSK,
            "/api/v1/tickets",
            json!({"service": "new_passport", "lane": "walk_in"}),
        )
        .await;
    assert_eq!(s, 200, "{ticket}");
    assert_eq!(ticket["ahead"], service["waiting"], "{ticket} / {service}");
    assert_eq!(
        ticket["estimated_wait_minutes"].as_u64(),
        expected,
        "{ticket}"
    );
}
