//! Loket sync protocol, version 1: the wire types between an office hub and the central
//! service, and the request signature both sides compute.
//!
//! Everything is JSON (serde). Paths start with [`API_PREFIX`]. Events go up idempotently by
//! their `event_id`; blobs go up content-addressed by SHA-256 and resumable with
//! `Content-Range`; office data comes down as a per-office change feed with a cursor.

mod signing;
mod types;

pub use signing::{
    HEADER_NONCE, HEADER_OFFICE, HEADER_SIGNATURE, HEADER_TIMESTAMP, MAX_CLOCK_SKEW_SECS,
    SignatureError, SignedHeaders, body_sha256_hex, canonical_request, sign_request,
    verify_request,
};
pub use types::*;

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: &str = "v1";

/// Every API path starts with this prefix.
pub const API_PREFIX: &str = "/api/v1";

/// The SHA-256 of some bytes as 64 lowercase hex characters (how blobs are named).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Whether `s` looks like a blob name: 64 lowercase hex characters.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `code` is an acceptable office code: 1-32 characters of `A-Z`, `0-9`, `-`, `_`.
pub fn is_office_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Most blobs in one `POST /api/v1/offices/{code}/blobs` batch.
pub const MAX_BATCH_BLOBS: usize = 64;

/// The body of a blob batch: the manifest as one line of JSON, a newline, then the blobs'
/// bytes back to back in manifest order. Small blobs (photos, prints) travel this way,
/// several in one signed request.
pub fn encode_blob_batch(blobs: &[(&str, &[u8])]) -> Vec<u8> {
    let manifest = BlobBatchManifest {
        blobs: blobs
            .iter()
            .map(|(sha256, bytes)| BatchBlob {
                sha256: (*sha256).to_string(),
                size: bytes.len() as u64,
            })
            .collect(),
    };
    // Compact JSON never holds a raw newline (inside strings it is escaped).
    let mut body = serde_json::to_vec(&manifest).unwrap_or_default();
    body.push(b'\n');
    for (_, bytes) in blobs {
        body.extend_from_slice(bytes);
    }
    body
}

/// Splits a blob batch body into its blobs (the manifest's entries with their bytes).
/// `Err` says what is wrong with the body.
pub fn decode_blob_batch(body: &[u8]) -> Result<Vec<(BatchBlob, &[u8])>, String> {
    let newline = body
        .iter()
        .position(|b| *b == b'\n')
        .ok_or("no manifest line")?;
    let manifest: BlobBatchManifest =
        serde_json::from_slice(&body[..newline]).map_err(|e| format!("manifest: {e}"))?;
    let mut rest = &body[newline + 1..];
    let mut out = Vec::with_capacity(manifest.blobs.len());
    for blob in manifest.blobs {
        if !is_sha256_hex(&blob.sha256) {
            return Err("a blob name is not a SHA-256".into());
        }
        let len = usize::try_from(blob.size)
            .ok()
            .filter(|len| *len <= rest.len())
            .ok_or("blob sizes exceed the body")?;
        let (bytes, tail) = rest.split_at(len);
        rest = tail;
        out.push((blob, bytes));
    }
    if !rest.is_empty() {
        return Err("bytes after the last blob".into());
    }
    Ok(out)
}

/// Parses a `Content-Range: bytes START-END/TOTAL` header value (END inclusive).
/// Returns `(start, end_exclusive, total)`. An empty chunk is written `bytes */TOTAL`
/// and parses as `(total, total, total)` only when used to finish a zero-length blob.
pub fn parse_content_range(value: &str) -> Option<(u64, u64, u64)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let total: u64 = total.trim().parse().ok()?;
    if range.trim() == "*" {
        return Some((total, total, total));
    }
    let (start, end) = range.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end_inclusive: u64 = end.trim().parse().ok()?;
    let end = end_inclusive.checked_add(1)?;
    (start < end && end <= total).then_some((start, end, total))
}

/// Formats a `Content-Range` header value for bytes `start..end` of a `total`-byte blob.
pub fn content_range(start: u64, end: u64, total: u64) -> String {
    if start >= end {
        format!("bytes */{total}")
    } else {
        format!("bytes {start}-{}/{total}", end - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn blob_batch_round_trips_and_refuses_bad_framing() {
        let a = b"first".to_vec();
        let b = vec![7u8; 1000];
        let (sa, sb) = (sha256_hex(&a), sha256_hex(&b));
        let body = encode_blob_batch(&[(&sa, &a), (&sb, &b)]);
        let parts = decode_blob_batch(&body).unwrap_or_default();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].0.sha256.as_str(), parts[0].1),
            (sa.as_str(), &a[..])
        );
        assert_eq!(
            (parts[1].0.sha256.as_str(), parts[1].1),
            (sb.as_str(), &b[..])
        );
        assert!(decode_blob_batch(&body[..body.len() - 1]).is_err());
        let mut longer = body.clone();
        longer.push(0);
        assert!(decode_blob_batch(&longer).is_err());
        assert!(decode_blob_batch(b"no newline").is_err());
        let bad_name = encode_blob_batch(&[("not-a-sha", &a)]);
        assert!(decode_blob_batch(&bad_name).is_err());
    }

    #[test]
    fn sha256_names_are_recognised() {
        let h = sha256_hex(b"abc");
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&h));
        assert!(!is_sha256_hex(&h.to_uppercase()));
        assert!(!is_sha256_hex("../etc/passwd"));
    }

    #[test]
    fn office_codes() {
        assert!(is_office_code("JKT-01"));
        assert!(!is_office_code(""));
        assert!(!is_office_code("jkt"));
        assert!(!is_office_code("A/B"));
    }

    #[test]
    fn content_range_rejects_nonsense() {
        assert_eq!(parse_content_range("bytes 0-9/10"), Some((0, 10, 10)));
        assert_eq!(parse_content_range("bytes */0"), Some((0, 0, 0)));
        assert_eq!(parse_content_range("bytes 5-4/10"), None);
        assert_eq!(parse_content_range("bytes 0-10/10"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(parse_content_range("bytes 0-18446744073709551615/5"), None);
    }

    proptest! {
        #[test]
        fn content_range_round_trips(start in 0u64..1_000_000, len in 1u64..1_000_000, extra in 0u64..1000) {
            let total = start + len + extra;
            let v = content_range(start, start + len, total);
            prop_assert_eq!(parse_content_range(&v), Some((start, start + len, total)));
        }
    }
}
