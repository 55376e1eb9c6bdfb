//! Passport photos stored with the visit: sealed at rest, registered for upload, announced in
//! the outbox, readable only by the officer serving the visit; without a processor the
//! routes answer 503. The processor here is a stand-in (the real one, with face models,
//! is tested through the `loket` binary in `cli/tests/hub_photo.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use loket_hub::photo::{CheckedFrame, PhotoProcessError, PhotoProcessor, ProcessedPhoto};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The "JPEG" the stand-in makes: distinctive bytes to look for on disk.
fn fake_jpeg(frame: &[u8]) -> Vec<u8> {
    let mut out = b"\xFF\xD8\xFF\xE0 passport photo of ".to_vec();
    out.extend_from_slice(frame);
    out.extend(std::iter::repeat_n(b'J', 200));
    out
}

/// Frames starting with `GOOD` pass; `NOFACE` is refused; anything else fails `head_size`.
struct StandIn;

impl PhotoProcessor for StandIn {
    fn check(&self, image: &[u8]) -> Result<CheckedFrame, PhotoProcessError> {
        if image.starts_with(b"NOFACE") {
            return Err(PhotoProcessError::Refused {
                message_id: "Tidak ada wajah di gambar.".into(),
                message_en: "No face in the image.".into(),
            });
        }
        let passed = image.starts_with(b"GOOD");
        let failed: Vec<String> = if passed {
            vec![]
        } else {
            vec!["head_size".into()]
        };
        Ok(CheckedFrame {
            passed,
            failed: failed.clone(),
            report: json!({"passed": passed, "checks": [{"name": "head_size", "pass": passed,
                "message": if passed {"Sudah baik."} else {"Maju sedikit ke kamera."}}],
                "guide": {"rect": {"x": 0, "y": 0, "width": 35, "height": 45}}}),
        })
    }

    fn passport_photo(&self, image: &[u8]) -> Result<ProcessedPhoto, PhotoProcessError> {
        let frame = self.check(image)?;
        Ok(ProcessedPhoto {
            jpeg: fake_jpeg(image),
            width: 413,
            height: 531,
            frame,
            details: json!({"quality": 90}),
        })
    }

    fn auto_capture_frames(&self) -> u32 {
        4
    }
}

async fn send(
    t: &TestHub,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let res = t
        .client
        .request(method, format!("{}{path}", t.base))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(body.to_vec())
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

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

async fn post_image(t: &TestHub, token: &str, path: &str, body: &[u8]) -> (u16, Value) {
    let (s, _, b) = send(t, reqwest::Method::POST, token, path, body).await;
    (s, json_of(&b))
}

/// An officer at Loket 1 serving a new walk-in visit; returns (token, visit id).
async fn serving(t: &TestHub) -> (String, i64) {
    let officer = t.login("officer").await;
    t.issue("new_passport").await;
    let c1 = t.counter_id("Loket 1").await;
    let (s, body) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/open"))
        .await;
    assert_eq!(s, 200, "{body}");
    let (s, visit) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/call-next"))
        .await;
    assert_eq!(s, 200, "{visit}");
    let (s, body) = t
        .post_empty(&officer, &format!("/api/v1/counters/{c1}/start"))
        .await;
    assert_eq!(s, 200, "{body}");
    (officer, visit["id"].as_i64().unwrap())
}

#[tokio::test]
async fn without_a_processor_the_photo_routes_answer_503_in_both_languages() {
    let t = start().await;
    let (officer, visit) = serving(&t).await;
    for path in [
        "/api/v1/photo/check".to_string(),
        format!("/api/v1/visits/{visit}/photo"),
    ] {
        let answer = post_image(&t, &officer, &path, b"GOOD frame").await;
        assert_error(&answer, 503, "photo_unavailable");
        let msg = answer.1["error"]["message_id"].as_str().unwrap();
        assert!(msg.contains("teknisi"), "{msg}");
        assert!(
            answer.1["error"]["message_en"]
                .as_str()
                .unwrap()
                .contains("technician")
        );
    }
    // Nothing stored.
    assert!(t.outbox("capture_stored").await.is_empty());
}

#[tokio::test]
async fn a_photo_is_stored_sealed_registered_for_upload_and_read_back_by_its_officer() {
    let t = start().await;
    t.hub.set_photo_processor(Some(Arc::new(StandIn)));
    let (officer, visit) = serving(&t).await;

    // The live preview's check.
    let (s, check) = post_image(&t, &officer, "/api/v1/photo/check", b"GOOD frame 1").await;
    assert_eq!(s, 200, "{check}");
    assert_eq!(check["passed"], true);
    assert_eq!(check["auto_capture_frames"], 4);
    assert_eq!(check["report"]["checks"][0]["name"], "head_size");
    let (s, check) = post_image(&t, &officer, "/api/v1/photo/check", b"bad frame").await;
    assert_eq!(s, 200);
    assert_eq!(check["passed"], false);
    assert_eq!(check["failed"], json!(["head_size"]));
    assert_error(
        &post_image(&t, &officer, "/api/v1/photo/check", b"NOFACE").await,
        422,
        "photo_refused",
    );
    assert_error(
        &post_image(&t, &officer, "/api/v1/photo/check", b"").await,
        400,
        "bad_request",
    );

    // Store the chosen frame.
    let frame = b"GOOD chosen frame";
    let jpeg = fake_jpeg(frame);
    let (s, photo) = post_image(
        &t,
        &officer,
        &format!("/api/v1/visits/{visit}/photo"),
        frame,
    )
    .await;
    assert_eq!(s, 200, "{photo}");
    assert_eq!(photo["visit_id"], visit);
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(413), Some(531))
    );
    assert_eq!(photo["bytes"].as_u64(), Some(jpeg.len() as u64));
    assert_eq!(photo["passed"], true);
    assert_eq!(photo["taken_by"], "officer");
    let id = photo["photo_id"].as_i64().unwrap();
    let sha = photo["sha256"].as_str().unwrap().to_string();

    // On disk: sealed, not the JPEG.
    let data = t.db_path().parent().unwrap().to_path_buf();
    let file = data.join("photos").join(format!("{id}.lks"));
    let raw = std::fs::read(&file).unwrap();
    assert!(raw.starts_with(b"LKS1"), "a sealed blob");
    assert!(
        !raw.windows(24).any(|w| jpeg.windows(24).any(|j| j == w)),
        "the sealed file contains no 24-byte run of the JPEG"
    );
    assert!(!raw.windows(9).any(|w| w == b"JJJJJJJJJ"));
    assert_eq!(
        hex_sha(&raw),
        sha,
        "the blob is named by the sealed file's SHA-256"
    );

    // Read back by the officer serving the visit.
    let (s, kind, bytes) = send(
        &t,
        reqwest::Method::GET,
        &officer,
        &format!("/api/v1/visits/{visit}/photo"),
        b"",
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(kind, "image/jpeg");
    assert_eq!(bytes, jpeg, "opening the sealed file gives the JPEG back");
    let (s, report) = t
        .get(&officer, &format!("/api/v1/visits/{visit}/photo/report"))
        .await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(report["photo_id"], id);
    assert_eq!(report["report"]["checks"][0]["message"], "Sudah baik.");
    assert_eq!(report["details"]["quality"], 90);

    // Outbox: metadata and the blob's name, no image; the file is registered for upload.
    let events = t.outbox("capture_stored").await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["office_code"], "TEST");
    assert_eq!(e["capture"], "photo");
    assert_eq!(e["visit_id"], visit);
    assert_eq!(e["blob"]["sha256"], sha.as_str());
    assert_eq!(e["blob"]["sealed"], true);
    assert_eq!(e["blob"]["context"], format!("photos:{id}"));
    assert!(!e.to_string().contains("passport photo of"));
    let blobs = sync_blobs(&t).await;
    assert_eq!(
        blobs,
        vec![(
            sha.clone(),
            file.canonicalize().unwrap().display().to_string(),
            raw.len() as i64
        )]
    );

    // A retake replaces what the visit shows; both files stay sealed.
    let (s, again) = post_image(
        &t,
        &officer,
        &format!("/api/v1/visits/{visit}/photo"),
        b"bad retake",
    )
    .await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["passed"], false);
    let (_, _, bytes) = send(
        &t,
        reqwest::Method::GET,
        &officer,
        &format!("/api/v1/visits/{visit}/photo"),
        b"",
    )
    .await;
    assert_eq!(bytes, fake_jpeg(b"bad retake"));
    assert_eq!(sync_blobs(&t).await.len(), 2);

    // A sealed file changed on disk does not open.
    let retake = data
        .join("photos")
        .join(format!("{}.lks", again["photo_id"].as_i64().unwrap()));
    let mut bad = std::fs::read(&retake).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    std::fs::write(&retake, bad).unwrap();
    let (s, _, body) = send(
        &t,
        reqwest::Method::GET,
        &officer,
        &format!("/api/v1/visits/{visit}/photo"),
        b"",
    )
    .await;
    assert_eq!(s, 500);
    assert_eq!(json_of(&body)["error"]["code"], "sealed_data");
}

#[tokio::test]
async fn only_the_officer_serving_the_visit_may_store_or_read_its_photo() {
    let t = start().await;
    t.hub.set_photo_processor(Some(Arc::new(StandIn)));
    let (officer, visit) = serving(&t).await;
    let path = format!("/api/v1/visits/{visit}/photo");
    let (s, _) = post_image(&t, &officer, &path, b"GOOD").await;
    assert_eq!(s, 200);

    // A supervisor (may serve, but not at this visit's counter).
    let supervisor = t.login("supervisor").await;
    assert_error(
        &post_image(&t, &supervisor, &path, b"GOOD").await,
        409,
        "visit_not_at_your_counter",
    );
    assert_error(
        &t.get(&supervisor, &path).await,
        409,
        "visit_not_at_your_counter",
    );
    // Roles and devices without the right to serve.
    let admin = t.login("admin").await;
    for token in [admin.as_str(), KIOSK, DISPLAY] {
        assert_error(
            &post_image(&t, token, &path, b"GOOD").await,
            403,
            "forbidden",
        );
        assert_error(&t.get(token, &path).await, 403, "forbidden");
        assert_error(
            &post_image(&t, token, "/api/v1/photo/check", b"GOOD").await,
            403,
            "forbidden",
        );
    }
    // Another visit, waiting (not called): refused even for the officer.
    t.issue("new_passport").await;
    let (_, queue) = t.get(&officer, "/api/v1/queue").await;
    let waiting = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"].as_i64() != Some(visit))
        .and_then(|v| v["id"].as_i64())
        .unwrap();
    assert_error(
        &post_image(
            &t,
            &officer,
            &format!("/api/v1/visits/{waiting}/photo"),
            b"GOOD",
        )
        .await,
        409,
        "visit_not_at_your_counter",
    );
    // A visit that does not exist.
    assert_error(
        &post_image(&t, &officer, "/api/v1/visits/999999/photo", b"GOOD").await,
        404,
        "visit_not_found",
    );
    // Once the visit is finished the counter no longer holds it.
    let c1 = t.counter_id("Loket 1").await;
    t.post_empty(&officer, &format!("/api/v1/counters/{c1}/finish"))
        .await;
    assert_error(
        &t.get(&officer, &path).await,
        409,
        "visit_not_at_your_counter",
    );
    assert_eq!(
        t.outbox("capture_stored").await.len(),
        1,
        "only the one photo"
    );
}

fn hex_sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn sync_blobs(t: &TestHub) -> Vec<(String, String, i64)> {
    use sqlx::ConnectOptions;
    let mut conn = loket_hub::db::connect_options(&t.db_path())
        .connect()
        .await
        .unwrap();
    sqlx::query_as("SELECT sha256, path, size FROM sync_blobs ORDER BY registered_at")
        .fetch_all(&mut conn)
        .await
        .unwrap()
}
