//! Origin checks over real HTTP: a page of another site may not change anything or open the
//! live socket; the hub's own pages, the desktop app and non-browser clients may.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

async fn post_from(t: &TestHub, origin: Option<&str>, path: &str, body: Value) -> (u16, Value) {
    let mut req = t
        .client
        .post(format!("{}{path}", t.base))
        .bearer_auth(KIOSK)
        .json(&body);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn ws_from(t: &TestHub, origin: Option<&str>) -> Result<(), u16> {
    let url = format!(
        "{}/api/v1/ws?token={DISPLAY}",
        t.base.replace("http://", "ws://")
    );
    let mut req = url.into_client_request().unwrap();
    if let Some(o) = origin {
        req.headers_mut()
            .insert("origin", HeaderValue::from_str(o).unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok(_) => Ok(()),
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn pages_of_other_sites_cannot_change_data_or_listen() {
    let t = start().await;
    let ticket = json!({"service": "new_passport"});
    let own = t.base.clone();
    for origin in [
        None,
        Some(own.as_str()),
        Some("tauri://localhost"),
        Some("http://tauri.localhost"),
    ] {
        let (s, body) = post_from(&t, origin, "/api/v1/tickets", ticket.clone()).await;
        assert_eq!(s, 200, "{origin:?}: {body}");
        assert_eq!(ws_from(&t, origin).await, Ok(()), "{origin:?}");
    }
    let other_port = {
        let port: u16 = own.rsplit(':').next().unwrap().parse().unwrap();
        own.replace(&port.to_string(), &(port.wrapping_add(1)).to_string())
    };
    for origin in [
        "http://evil.example",
        "null",
        other_port.as_str(),
        "https://tauri.localhost.evil.example",
    ] {
        let answer = post_from(&t, Some(origin), "/api/v1/tickets", ticket.clone()).await;
        assert_error(&answer, 403, "origin_refused");
        assert!(
            answer.1["error"]["message_id"]
                .as_str()
                .unwrap()
                .contains("situs lain"),
            "{}",
            answer.1
        );
        // Log-in too (no log-in forced from another page).
        let mut req = t
            .client
            .post(format!("{}/api/v1/auth/login", t.base))
            .header("origin", origin)
            .json(&json!({"username": "officer", "password": "officer-demo"}));
        req = req.header("content-type", "application/json");
        assert_eq!(req.send().await.unwrap().status().as_u16(), 403, "{origin}");
        assert_eq!(ws_from(&t, Some(origin)).await, Err(403), "{origin}");
    }
    // Nothing was issued by the refused requests: 4 tickets, A001..A004.
    let (s, body) = post_from(&t, None, "/api/v1/tickets", ticket.clone()).await;
    assert_eq!((s, body["ticket"].as_str()), (200, Some("A005")));

    // Reads pass (the answer carries no CORS header, so the page cannot read it).
    let res = t
        .client
        .get(format!("{}/api/v1/services", t.base))
        .bearer_auth(KIOSK)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_allowed_origins_are_configurable() {
    let t = start_with(|c| c.allowed_origins = vec!["http://ui.example:5173".into()]).await;
    let ticket = json!({"service": "replacement"});
    let (s, _) = post_from(
        &t,
        Some("http://ui.example:5173"),
        "/api/v1/tickets",
        ticket.clone(),
    )
    .await;
    assert_eq!(s, 200);
    let answer = post_from(&t, Some("tauri://localhost"), "/api/v1/tickets", ticket).await;
    assert_error(&answer, 403, "origin_refused");
    assert_eq!(ws_from(&t, Some("http://ui.example:5173")).await, Ok(()));
    assert_eq!(ws_from(&t, Some("tauri://localhost")).await, Err(403));
}
