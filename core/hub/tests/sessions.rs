//! Officer sessions end: after `session_hours` (the hub's clock moved forward) every route
//! and the live socket answer `session_expired`; log-out revokes that session alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::*;
use reqwest::Method;

async fn ws_status(t: &TestHub, token: &str) -> u16 {
    let url = format!(
        "{}/api/v1/ws?token={token}",
        t.base.replace("http://", "ws://")
    );
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => 101,
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => res.status().as_u16(),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn a_session_ends_after_its_hours_everywhere() {
    let t = start_with(|c| c.session_hours = 8).await;
    let officer = t.login("officer").await;
    let c1 = t.counter_id("Loket 1").await;
    t.hub
        .clock()
        .advance(Duration::hours(8) - Duration::minutes(1));
    assert_eq!(t.get(&officer, "/api/v1/auth/me").await.0, 200);
    assert_eq!(ws_status(&t, &officer).await, 101);

    t.hub.clock().advance(Duration::minutes(2));
    for (method, path) in [
        (Method::GET, "/api/v1/auth/me".to_string()),
        (Method::GET, "/api/v1/queue".to_string()),
        (Method::POST, format!("/api/v1/counters/{c1}/open")),
        (Method::POST, format!("/api/v1/counters/{c1}/call-next")),
        (Method::POST, "/api/v1/auth/logout".to_string()),
    ] {
        let answer = t.call(method.clone(), Some(&officer), &path, None).await;
        assert_error(&answer, 401, "session_expired");
    }
    assert_eq!(ws_status(&t, &officer).await, 401);
    // Devices have no session length; a new log-in works at once.
    assert_eq!(t.get(DISPLAY, "/api/v1/calls/recent").await.0, 200);
    let again = t.login("officer").await;
    assert_eq!(t.get(&again, "/api/v1/queue").await.0, 200);
}

#[tokio::test]
async fn logging_out_revokes_that_session_only() {
    let t = start().await;
    let desk = t.login("officer").await;
    let tablet = t.login("officer").await;
    assert_ne!(desk, tablet);
    let (s, _) = t.post_empty(&desk, "/api/v1/auth/logout").await;
    assert_eq!(s, 200);
    assert_error(
        &t.get(&desk, "/api/v1/auth/me").await,
        401,
        "session_expired",
    );
    assert_error(
        &t.post_empty(&desk, "/api/v1/auth/logout").await,
        401,
        "session_expired",
    );
    assert_eq!(ws_status(&t, &desk).await, 401);
    // The officer's other session goes on.
    let (s, me) = t.get(&tablet, "/api/v1/auth/me").await;
    assert_eq!((s, me["name"].as_str()), (200, Some("officer")));
    // The log-out is in the audit log.
    let supervisor = t.login("supervisor").await;
    let (_, audit) = t.get(&supervisor, "/api/v1/audit?limit=20").await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "logout" && r["actor"] == "officer"),
        "{audit}"
    );
}
