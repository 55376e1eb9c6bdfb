//! The access matrix: every operation of `openapi::OPERATIONS` against every principal
//! (each officer role, kiosk, display, no token, an ended session). A principal is let
//! through exactly when `loket_domain::may` says so; otherwise 403 (401 without a valid
//! token). And what kiosks and display boards can read carries no personal data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use futures_util::StreamExt;
use loket_domain::{Actor, DeviceKind, Role, may};
use loket_hub::guard::{Right, right_of};
use loket_hub::openapi::{OPERATIONS, Operation};
use reqwest::Method;
use serde_json::{Value, json};

/// Who asks, and what the domain says they are.
struct Who {
    label: &'static str,
    token: Option<String>,
    actor: Option<Actor>,
    /// The token is a session that has ended.
    expired: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Allowed,
    Forbidden,
    Unauthenticated(&'static str),
}

/// The one table: what the answer must be.
fn expected(who: &Who, op: &Operation) -> Expect {
    let right = right_of(op).unwrap_or_else(|| panic!("{} {} has no right", op.method, op.path));
    if right == Right::Open {
        return Expect::Allowed;
    }
    // No token, or one the hub does not know.
    if who.token.is_none() || who.actor.is_none() {
        return Expect::Unauthenticated("unauthenticated");
    }
    if who.expired {
        return Expect::Unauthenticated("session_expired");
    }
    match (right, who.actor) {
        (Right::AnyToken, _) => Expect::Allowed,
        (Right::Action(action), Some(actor)) if may(actor, action) => Expect::Allowed,
        _ => Expect::Forbidden,
    }
}

fn path_of(op: &Operation, today: &str) -> String {
    op.path.replace("{id}", "1").replace("{date}", today)
}

/// Operations in an order that keeps the principal's session for the others: log-out last.
fn ordered() -> Vec<&'static Operation> {
    let mut ops: Vec<_> = OPERATIONS.iter().collect();
    ops.sort_by_key(|o| o.path.ends_with("/logout"));
    ops
}

async fn run_matrix(t: &TestHub, people: &[Who], failures: &mut Vec<String>) {
    let today = t.hub.today().to_string();
    for who in people {
        for op in ordered() {
            let method = Method::from_bytes(op.method.as_bytes()).unwrap();
            let body = (op.method != "GET").then(|| json!({}));
            let (status, answer) = t
                .call(method, who.token.as_deref(), &path_of(op, &today), body)
                .await;
            let code = answer["error"]["code"].as_str().unwrap_or("");
            let want = expected(who, op);
            let ok = match want {
                Expect::Allowed => status != 401 && status != 403 && status != 500,
                Expect::Forbidden => status == 403 && code == "forbidden",
                Expect::Unauthenticated(c) => status == 401 && code == c,
            };
            if !ok {
                failures.push(format!(
                    "{:<11} {:<5} {:<32} want {want:?}, got {status} {code}",
                    who.label, op.method, op.path
                ));
            }
        }
    }
}

#[tokio::test]
async fn every_operation_answers_every_principal_as_the_domain_table_says() {
    let t = start().await;
    let mut people = Vec::new();
    for (user, _, _, role) in loket_hub::demo::DEMO_USERS {
        people.push(Who {
            label: user,
            token: Some(t.login(user).await),
            actor: Some(Actor::Officer(*role)),
            expired: false,
        });
    }
    people.push(Who {
        label: "kiosk",
        token: Some(KIOSK.into()),
        actor: Some(Actor::Device(DeviceKind::Kiosk)),
        expired: false,
    });
    people.push(Who {
        label: "display",
        token: Some(DISPLAY.into()),
        actor: Some(Actor::Device(DeviceKind::Display)),
        expired: false,
    });
    people.push(Who {
        label: "no token",
        token: None,
        actor: None,
        expired: false,
    });
    people.push(Who {
        label: "unknown",
        token: Some("lks_not-a-session".into()),
        actor: None,
        expired: false,
    });
    // Every role is in the table.
    for role in Role::ALL {
        assert!(
            people.iter().any(|w| w.actor == Some(Actor::Officer(role))),
            "{role} missing"
        );
    }
    let late = t.login("supervisor").await;
    let mut failures = Vec::new();
    run_matrix(&t, &people, &mut failures).await;

    // An ended session: the supervisor's, after the session length.
    t.hub.clock().advance(chrono::Duration::hours(13));
    let ended = [Who {
        label: "expired",
        token: Some(late),
        actor: Some(Actor::Officer(Role::Supervisor)),
        expired: true,
    }];
    run_matrix(&t, &ended, &mut failures).await;
    assert!(
        failures.is_empty(),
        "{} answers differ from the access table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The demo bookings' personal data: NIKs and names.
fn personal_data(t: &TestHub) -> Vec<String> {
    let file = loket_hub::demo::demo_bookings(&t.hub);
    let mut out = Vec::new();
    for b in &file.bookings {
        for a in &b.applicants {
            out.push(a.nik.clone());
            out.push(a.name.to_lowercase());
        }
    }
    assert!(out.len() >= 16);
    out
}

fn leaks<'a>(text: &str, secrets: &'a [String]) -> Vec<&'a str> {
    let lower = text.to_lowercase();
    secrets
        .iter()
        .filter(|s| lower.contains(s.as_str()))
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn kiosks_and_display_boards_never_receive_personal_data() {
    let t = start().await;
    let secrets = personal_data(&t);
    let officer = t.login("officer").await;
    let ws_url = t.base.replace("http://", "ws://");
    let mut sockets = Vec::new();
    for token in [KIOSK, DISPLAY] {
        let (ws, _) = tokio_tungstenite::connect_async(format!("{ws_url}/api/v1/ws?token={token}"))
            .await
            .unwrap();
        sockets.push((token, ws));
    }

    // A morning: check-ins at the kiosk (names and NIKs are in these bookings), walk-ins,
    // a counter calling and serving them.
    let mut bodies: Vec<(String, String)> = Vec::new();
    for code in &t.bookings {
        let (s, body) = t
            .post(KIOSK, "/api/v1/check-ins", json!({"booking_code": code}))
            .await;
        bodies.push((format!("kiosk check-in {code} -> {s}"), body.to_string()));
    }
    for service in ["new_passport", "replacement", "pickup"] {
        let (s, body) = t
            .post(KIOSK, "/api/v1/tickets", json!({"service": service}))
            .await;
        bodies.push((format!("kiosk ticket -> {s}"), body.to_string()));
    }
    let c1 = t.counter_id("Loket 1").await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/open"))
        .await;
    for _ in 0..4 {
        let (s, v) = t
            .post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
            .await;
        assert_eq!(s, 200, "{v}");
        t.post_empty(&officer, &format!("/api/v1/counters/{c1}/recall"))
            .await;
        t.post_empty(&officer, &format!("/api/v1/counters/{c1}/start"))
            .await;
        t.post_empty(&officer, &format!("/api/v1/counters/{c1}/finish"))
            .await;
    }
    // The officer does see names (so the check below can fail).
    let (_, queue) = t.get(&officer, "/api/v1/queue").await;
    assert!(
        !leaks(&queue.to_string(), &secrets).is_empty(),
        "officers see applicants' names: {queue}"
    );

    // Everything a kiosk or display may ask, with every id that exists.
    let today = t.hub.today().to_string();
    for token in [KIOSK, DISPLAY] {
        for op in OPERATIONS.iter().filter(|o| !o.path.ends_with("/logout")) {
            let bodies_to_try: Vec<Option<Value>> = match (op.method, op.path) {
                ("GET", _) => vec![None],
                ("POST", "/api/v1/check-ins") => t
                    .bookings
                    .iter()
                    .map(|c| Some(json!({"booking_code": c})))
                    .collect(),
                ("POST", "/api/v1/tickets") => vec![Some(json!({"service": "information"}))],
                ("POST", "/api/v1/checks/nik") => {
                    vec![Some(json!({"nik": secrets[0]}))]
                }
                _ => vec![Some(json!({}))],
            };
            let ids: Vec<i64> = if op.path.contains("{id}") {
                (1..=12).collect()
            } else {
                vec![0]
            };
            for id in ids {
                let path = op
                    .path
                    .replace("{id}", &id.to_string())
                    .replace("{date}", &today);
                for body in &bodies_to_try {
                    let method = Method::from_bytes(op.method.as_bytes()).unwrap();
                    let (s, answer) = t.call(method, Some(token), &path, body.clone()).await;
                    bodies.push((
                        format!("{token} {} {path} -> {s}", op.method),
                        answer.to_string(),
                    ));
                }
            }
        }
    }
    // And what the live socket pushed to them meanwhile.
    for (token, ws) in &mut sockets {
        let mut n = 0;
        while let Ok(Some(Ok(msg))) =
            tokio::time::timeout(std::time::Duration::from_millis(300), ws.next()).await
        {
            n += 1;
            bodies.push((format!("{token} websocket"), msg.to_string()));
        }
        assert!(n > 5, "{token} got {n} live messages");
    }
    let mut found = Vec::new();
    for (what, body) in &bodies {
        let l = leaks(body, &secrets);
        if !l.is_empty() {
            found.push(format!("{what}: {l:?} in {body}"));
        }
    }
    assert!(
        found.is_empty(),
        "personal data reached a device:\n{}",
        found.join("\n")
    );
}

/// The list of passports past 30 days, and their cancellation, are for supervisors and the
/// head only (issue 8): officers hand passports over but neither read the list nor cancel.
#[tokio::test]
async fn the_overdue_passports_are_read_and_cancelled_by_supervisors_and_the_head_only() {
    let t = start().await;
    let officer = t.login("officer").await;
    let ready = t.hub.today() - chrono::Duration::days(40);
    let (s, p) = t
        .post(
            &officer,
            "/api/v1/pickups",
            json!({"receipt": "OLD-0001", "nik": "3171014509900001", "applicant_name": "Siti Aminah",
                   "ready_on": ready}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "overdue_for_cancellation");
    let (s, body) = t.get(&officer, "/api/v1/pickups/overdue").await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let cancel = json!({"receipt": "OLD-0001", "reason": "Tidak diambil dalam 30 hari"});
    let (s, _) = t
        .post(&officer, "/api/v1/pickups/cancel", cancel.clone())
        .await;
    assert_eq!(s, 403);
    for who in ["supervisor", "head"] {
        let token = t.login(who).await;
        let (s, list) = t.get(&token, "/api/v1/pickups/overdue").await;
        assert_eq!(s, 200, "{who}: {list}");
        assert_eq!(list[0]["receipt"], "OLD-0001", "{who}: {list}");
    }
    // Without a reason: refused. With one: cancelled, audited with the reason.
    let head = t.login("head").await;
    let (s, _) = t
        .post(
            &head,
            "/api/v1/pickups/cancel",
            json!({"receipt": "OLD-0001", "reason": " "}),
        )
        .await;
    assert_eq!(s, 400);
    let (s, p) = t.post(&head, "/api/v1/pickups/cancel", cancel).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("cancelled")), "{p}");
    assert_eq!(p["cancel_reason"], "Tidak diambil dalam 30 hari");
    let audit = t
        .hub
        .audit_log(&loket_hub::Principal::local("test"), Some(50))
        .await
        .unwrap();
    let row = audit
        .iter()
        .find(|r| r.action == "pickup_cancel")
        .expect("the cancellation is audited");
    assert_eq!(row.actor, "head");
    assert_eq!(row.detail["reason"], "Tidak diambil dalam 30 hari");
    let (_, list) = t.get(&head, "/api/v1/pickups/overdue").await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
}
