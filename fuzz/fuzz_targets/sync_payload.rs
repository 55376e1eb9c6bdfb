//! What crosses the office <-> central link: every protocol v1 type from JSON (either
//! side may be the hostile one), the request signature check on any headers, and the
//! `Content-Range` header of blob uploads. The first byte picks the part.
#![no_main]

use ed25519_dalek::SigningKey;
use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use loket_sync_protocol::{
    ApiError, BlobStatus, Booking, Change, EnrolRequest, EnrolResponse, Event, FeedEntry, FeedPage,
    OfficeAck, SignedHeaders, UploadEvents, UploadEventsResponse, content_range, is_office_code,
    is_sha256_hex, parse_content_range, sign_request, verify_request,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Deserializes; what deserializes serializes and reads back the same.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    data: &[u8],
) -> Option<T> {
    let value: T = serde_json::from_slice(data).ok()?;
    let json = serde_json::to_vec(&value).expect("serializes");
    let back: T = serde_json::from_slice(&json).expect("reads back");
    assert_eq!(back, value);
    Some(value)
}

#[derive(Debug, Arbitrary)]
struct Request<'a> {
    public_key_hex: &'a str,
    office: &'a str,
    timestamp: i64,
    nonce: &'a str,
    signature: &'a str,
    method: &'a str,
    path: &'a str,
    body: &'a [u8],
    now: i64,
    seed: [u8; 32],
}

fn signature(req: Request<'_>) {
    let headers = SignedHeaders {
        office: req.office.to_string(),
        timestamp: req.timestamp,
        nonce: req.nonce.to_string(),
        signature: req.signature.to_string(),
    };
    let _ = verify_request(
        req.public_key_hex,
        &headers,
        req.method,
        req.path,
        req.body,
        req.now,
    );

    // A request signed with the right key verifies; one byte of body more does not.
    let key = SigningKey::from_bytes(&req.seed);
    let public = key
        .verifying_key()
        .to_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let nonce = "00112233445566778899aabbccddeeff";
    let signed = sign_request(
        &key,
        req.office,
        req.method,
        req.path,
        req.body,
        req.timestamp,
        nonce,
    );
    assert_eq!(
        verify_request(
            &public,
            &signed,
            req.method,
            req.path,
            req.body,
            req.timestamp
        ),
        Ok(())
    );
    let mut longer = req.body.to_vec();
    longer.push(0);
    assert!(
        verify_request(
            &public,
            &signed,
            req.method,
            req.path,
            &longer,
            req.timestamp
        )
        .is_err()
    );
}

fn range(text: &str) {
    if let Some((start, end, total)) = parse_content_range(text) {
        assert!(start <= end && end <= total, "{text:?}");
        assert_eq!(
            parse_content_range(&content_range(start, end, total)),
            Some((start, end, total))
        );
    }
    let _ = is_office_code(text);
    let _ = is_sha256_hex(text);
}

fuzz_target!(|data: &[u8]| {
    let Some((&part, rest)) = data.split_first() else {
        return;
    };
    match part % 3 {
        0 => {
            let _ = round_trip::<Event>(rest);
            let _ = round_trip::<UploadEvents>(rest);
            let _ = round_trip::<UploadEventsResponse>(rest);
            let _ = round_trip::<OfficeAck>(rest);
            let _ = round_trip::<BlobStatus>(rest);
            let _ = round_trip::<EnrolRequest>(rest);
            let _ = round_trip::<EnrolResponse>(rest);
            let _ = round_trip::<ApiError>(rest);
            let _ = round_trip::<Booking>(rest);
            let _ = round_trip::<FeedEntry>(rest);
            if let Some(change) = round_trip::<Change>(rest) {
                let _ = (change.booking_office(), change.booking_id());
            }
            if let Some(page) = round_trip::<FeedPage>(rest) {
                for entry in &page.changes {
                    let _ = (entry.change.booking_office(), entry.change.booking_id());
                }
            }
        }
        1 => {
            if let Ok(req) = Request::arbitrary_take_rest(Unstructured::new(rest)) {
                signature(req);
            }
        }
        _ => range(&String::from_utf8_lossy(rest)),
    }
});
