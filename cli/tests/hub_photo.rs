//! The real `loket hub` with the real photo processor (face models): an officer serving a
//! visit checks preview frames and stores the passport photo; the hub answers the checks of
//! the frame, makes a 35:45 JPEG, keeps it sealed on disk and gives it back.
//!
//! Frames come from the public-domain astronaut portrait that `loket-photo-checks` tests
//! use (its top rows repeated above it for head room, as in that crate's tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, KIOSK, assert_capture_file, client, kill_9_when, open_database, start_hub};
use image::{Rgb, RgbImage};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::Cursor;

fn astronaut_with_head_room() -> RgbImage {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/photo-checks/tests/images/astronaut.png"
    );
    let src = image::open(path).unwrap().to_rgb8();
    let pad = 120;
    RgbImage::from_fn(src.width(), src.height() + pad, |x, y| {
        *src.get_pixel(x, y.saturating_sub(pad))
    })
}

fn encode(img: &RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img.clone())
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

/// A 720x540 webcam-like frame with a 35:45 photo scaled into its middle (420x540) and the
/// photo's edge columns stretched to the sides.
fn webcam_frame(photo: &RgbImage) -> RgbImage {
    let inner = image::imageops::resize(photo, 420, 540, image::imageops::FilterType::Triangle);
    RgbImage::from_fn(720, 540, |x, y| match x {
        0..150 => *inner.get_pixel(0, y),
        150..570 => *inner.get_pixel(x - 150, y),
        _ => *inner.get_pixel(419, y),
    })
}

/// What only this file asks of the hub: photos up, images and files down.
impl Api {
    async fn image(&self, token: &str, path: &str, body: Vec<u8>) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", "image/jpeg")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn bytes(&self, token: &str, path: &str) -> (u16, String, Vec<u8>) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let kind = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, kind, res.bytes().await.unwrap().to_vec())
    }
}

fn assert_checks_reported(check: &Value) {
    let checks = check["report"]["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 12, "{check}");
    for c in checks {
        assert!(c["name"].is_string(), "{c}");
        assert!(c["pass"].is_boolean(), "{c}");
        assert!(c["threshold"].is_object(), "{c}");
        assert!(c["message"].as_str().is_some_and(|m| !m.is_empty()), "{c}");
        assert!(
            c["message_en"].as_str().is_some_and(|m| !m.is_empty()),
            "{c}"
        );
    }
    assert!(check["report"]["face"]["rect"].is_object(), "{check}");
    assert!(
        check["report"]["guide"]["rect"]["width"].is_number(),
        "{check}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_hub_checks_frames_and_stores_the_35x45_photo_sealed() {
    let dir = tempfile::tempdir().unwrap();
    // The data folder's photo settings are read at start.
    std::fs::write(
        dir.path().join("photo.toml"),
        "[capture]\nauto_frames = 3\n",
    )
    .unwrap();
    let (mut child, base) = start_hub(dir.path(), true);
    let api = Api {
        base,
        http: reqwest::Client::new(),
    };
    let (s, session) = api
        .post(
            "",
            "/api/v1/auth/login",
            json!({"username": "officer", "password": "officer-demo"}),
        )
        .await;
    assert_eq!(s, 200, "{session}");
    let officer = session["token"].as_str().unwrap().to_string();
    let (s, t) = api
        .post(KIOSK, "/api/v1/tickets", json!({"service": "new_passport"}))
        .await;
    assert_eq!(s, 200, "{t}");
    let (_, counters) = api.get(&officer, "/api/v1/counters").await;
    let c1 = counters
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Loket 1")
        .and_then(|c| c["id"].as_i64())
        .unwrap();
    let mut visit = Value::Null;
    for action in ["open", "call-next", "start"] {
        let (s, v) = api
            .post(
                &officer,
                &format!("/api/v1/counters/{c1}/{action}"),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{action}: {v}");
        if action == "call-next" {
            visit = v;
        }
    }
    let visit = visit["id"].as_i64().unwrap();

    // The whole portrait as a frame: a face, but too small and off the guide's centre.
    let portrait = encode(&astronaut_with_head_room(), image::ImageFormat::Png);
    let (s, check) = api
        .image(&officer, "/api/v1/photo/check", portrait.clone())
        .await;
    assert_eq!(s, 200, "{check}");
    assert_eq!(check["auto_capture_frames"], 3, "photo.toml was read");
    assert_checks_reported(&check);
    assert_eq!(check["passed"], false);
    let failed = check["failed"].as_array().unwrap();
    assert!(failed.contains(&json!("head_size")), "{check}");

    // Stored: the hub crops it to 35:45.
    let (s, photo) = api
        .image(&officer, &format!("/api/v1/visits/{visit}/photo"), portrait)
        .await;
    assert_eq!(s, 200, "{photo}");
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(413), Some(531))
    );
    let (s, kind, jpeg) = api
        .bytes(&officer, &format!("/api/v1/visits/{visit}/photo"))
        .await;
    assert_eq!((s, kind.as_str()), (200, "image/jpeg"));
    let cropped = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
        .unwrap()
        .to_rgb8();
    assert_eq!(cropped.dimensions(), (413, 531));
    assert!((413.0 / 531.0 - 35.0 / 45.0_f64).abs() < 0.005);

    // The crop, shown to the camera in a webcam frame, passes every check; stored again.
    let frame = encode(&webcam_frame(&cropped), image::ImageFormat::Jpeg);
    let (s, check) = api
        .image(&officer, "/api/v1/photo/check", frame.clone())
        .await;
    assert_eq!(s, 200, "{check}");
    assert_checks_reported(&check);
    assert_eq!(check["passed"], true, "{check}");
    let (s, photo) = api
        .image(&officer, &format!("/api/v1/visits/{visit}/photo"), frame)
        .await;
    assert_eq!(s, 200, "{photo}");
    assert_eq!(photo["passed"], true, "{photo}");
    let (_, _, jpeg) = api
        .bytes(&officer, &format!("/api/v1/visits/{visit}/photo"))
        .await;
    assert!(jpeg.starts_with(&[0xFF, 0xD8]), "a JPEG");
    let again = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((again.width(), again.height()), (413, 531));

    // At rest the file is sealed: no 32-byte run of the JPEG in it.
    let id = photo["photo_id"].as_i64().unwrap();
    let raw = std::fs::read(dir.path().join("photos").join(format!("{id}.lks"))).unwrap();
    let runs: HashSet<&[u8]> = jpeg.windows(32).collect();
    assert!(raw.starts_with(b"LKS1"));
    assert!(
        !raw.windows(32).any(|w| runs.contains(w)),
        "JPEG bytes on disk"
    );

    // Not an image: refused with a message in both languages.
    let (s, err) = api
        .image(&officer, "/api/v1/photo/check", b"not an image".to_vec())
        .await;
    assert_eq!(s, 422, "{err}");
    assert_eq!(err["error"]["code"], "photo_refused");
    assert!(
        err["error"]["message_id"]
            .as_str()
            .unwrap()
            .contains("JPEG")
    );
    assert!(
        err["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("JPEG")
    );

    // A gray frame has no face: its report says so; no photo can be made of it.
    let gray = encode(
        &RgbImage::from_pixel(640, 480, Rgb([128, 128, 128])),
        image::ImageFormat::Jpeg,
    );
    let (s, check) = api
        .image(&officer, "/api/v1/photo/check", gray.clone())
        .await;
    assert_eq!(s, 200);
    assert!(
        check["failed"]
            .as_array()
            .unwrap()
            .contains(&json!("one_face")),
        "{check}"
    );
    let (s, err) = api
        .image(&officer, &format!("/api/v1/visits/{visit}/photo"), gray)
        .await;
    assert_eq!(s, 422, "{err}");

    child.kill().unwrap();
    let _ = child.wait();
}

/// Runs counter actions (`open`, `call-next`, ...) on counter `name` as `token`; the answer
/// of the last one.
async fn at_counter(api: &Api, token: &str, name: &str, actions: &[&str]) -> Value {
    let (_, counters) = api.get(token, "/api/v1/counters").await;
    let counter = counters
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["id"].as_i64())
        .unwrap();
    let mut last = Value::Null;
    for action in actions {
        let (s, v) = api
            .post(
                token,
                &format!("/api/v1/counters/{counter}/{action}"),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{name} {action}: {v}");
        last = v;
    }
    last
}

/// "Capture stored" under kill -9: two officers keep storing photos of the visits they
/// serve while the hub is killed. After the restart every acknowledged photo is there with
/// its sealed file (hash as recorded, registered once for upload), each visit's photo is
/// its newest one, and no photo row points to a missing file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_photos_survive_kill_9() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = start_hub(dir.path(), true);
    let api = Arc::new(Api {
        base,
        http: client(std::time::Duration::from_secs(20)),
    });
    let frame = encode(&astronaut_with_head_room(), image::ImageFormat::Png);
    let mut tokens = Vec::new();
    for user in ["officer", "officer2"] {
        let (s, session) = api
            .post(
                "",
                "/api/v1/auth/login",
                json!({"username": user, "password": format!("{user}-demo")}),
            )
            .await;
        assert_eq!(s, 200, "{session}");
        tokens.push(session["token"].as_str().unwrap().to_string());
    }
    for _ in 0..2 {
        let (s, t) = api
            .post(KIOSK, "/api/v1/tickets", json!({"service": "new_passport"}))
            .await;
        assert_eq!(s, 200, "{t}");
    }
    // The first ticket passes document check at Loket 1 and is served at Loket 2 (photo
    // and fingerprints); the second is served at Loket 1.
    let first = &at_counter(
        &api,
        &tokens[0],
        "Loket 1",
        &["open", "call-next", "start", "finish"],
    )
    .await;
    let first = first["id"].as_i64().unwrap();
    at_counter(&api, &tokens[1], "Loket 2", &["open", "call-next", "start"]).await;
    let second = at_counter(&api, &tokens[0], "Loket 1", &["call-next", "start"]).await;
    let second = second["id"].as_i64().unwrap();
    let acked: Arc<Mutex<Vec<(i64, i64)>>> = Arc::default();
    let mut tasks = Vec::new();
    for (token, visit) in [(tokens[1].clone(), first), (tokens[0].clone(), second)] {
        let (api, acked, frame) = (api.clone(), acked.clone(), frame.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let sent = api
                    .http
                    .post(format!("{}/api/v1/visits/{visit}/photo", api.base))
                    .bearer_auth(&token)
                    .header("content-type", "image/jpeg")
                    .body(frame.clone())
                    .send()
                    .await;
                let Ok(res) = sent else { break };
                if res.status() != 200 {
                    let body = res.text().await.unwrap_or_default();
                    panic!("photo refused before the crash: {body}");
                }
                let Ok(photo) = res.json::<Value>().await else {
                    break;
                };
                acked
                    .lock()
                    .unwrap()
                    .push((visit, photo["photo_id"].as_i64().unwrap()));
            }
            (visit, token)
        }));
    }
    kill_9_when(&mut child, std::time::Duration::from_secs(120), || {
        acked.lock().unwrap().len() >= 8
    })
    .await;
    let mut served = Vec::new();
    for t in tasks {
        served.push(t.await.unwrap());
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 8,
        "only {} photos before the kill",
        acked.len()
    );

    let db = open_database(dir.path()).await;
    let rows: Vec<(i64, i64, String, String)> =
        sqlx::query_as("SELECT id, visit_id, file, sha256 FROM photos ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    for (visit, id) in &acked {
        assert!(
            rows.iter().any(|(i, v, _, _)| i == id && v == visit),
            "acknowledged photo {id} of visit {visit} lost"
        );
    }
    for (id, _, file, sha256) in &rows {
        let path = dir.path().join("photos").join(file);
        assert_capture_file(&db, &format!("photo {id}"), &path, sha256).await;
    }
    db.close().await;

    // Restarted on the same folder, each officer reads their visit's newest photo.
    let (mut child, base) = start_hub(dir.path(), true);
    let api = Api {
        base,
        http: reqwest::Client::new(),
    };
    for (visit, token) in served {
        let (s, kind, jpeg) = api
            .bytes(&token, &format!("/api/v1/visits/{visit}/photo"))
            .await;
        assert_eq!((s, kind.as_str()), (200, "image/jpeg"), "visit {visit}");
        let img = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((img.width(), img.height()), (413, 531));
        let newest = rows
            .iter()
            .filter(|(_, v, _, _)| *v == visit)
            .map(|(i, ..)| *i)
            .max();
        let (s, report) = api
            .get(&token, &format!("/api/v1/visits/{visit}/photo/report"))
            .await;
        assert_eq!(s, 200, "{report}");
        assert_eq!(
            report["photo_id"].as_i64(),
            newest,
            "visit {visit}: {report}"
        );
    }
    child.kill().unwrap();
    let _ = child.wait();
}
