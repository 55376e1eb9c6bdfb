//! Request signatures: every call but enrolment carries the office code, a timestamp, a
//! random nonce and an ed25519 signature over the canonical request (method, path with
//! query, SHA-256 of the body, timestamp, nonce, office). Central refuses a bad signature,
//! a timestamp more than [`MAX_CLOCK_SKEW_SECS`] away from its clock, and a nonce it saw.

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// Header carrying the office code.
pub const HEADER_OFFICE: &str = "x-loket-office";
/// Header carrying the Unix time in seconds.
pub const HEADER_TIMESTAMP: &str = "x-loket-timestamp";
/// Header carrying a random nonce (hex, 16-64 characters).
pub const HEADER_NONCE: &str = "x-loket-nonce";
/// Header carrying the base64 ed25519 signature.
pub const HEADER_SIGNATURE: &str = "x-loket-signature";

/// How far a request's timestamp may be from central's clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The four signature headers of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// Office code.
    pub office: String,
    /// Unix seconds.
    pub timestamp: i64,
    /// Random nonce, hex.
    pub nonce: String,
    /// Signature, base64.
    pub signature: String,
}

/// Why a signature check failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// The timestamp is too far from now.
    #[error(
        "Jam perangkat kantor tidak sesuai (selisih {skew_secs} detik). Setel jam hub lalu coba lagi. / The office clock is off by {skew_secs} s. Set the hub's clock and try again."
    )]
    StaleTimestamp {
        /// Difference to central's clock in seconds.
        skew_secs: i64,
    },
    /// The nonce is malformed.
    #[error("Nonce tidak sah. / Malformed nonce.")]
    BadNonce,
    /// The signature is malformed or does not verify with the office's key.
    #[error(
        "Tanda tangan permintaan tidak sah. Daftarkan ulang perangkat bila kunci berubah. / Request signature invalid. Re-enrol the device if its key changed."
    )]
    BadSignature,
    /// The registered public key is malformed.
    #[error("Kunci publik tidak sah. / Malformed public key.")]
    BadKey,
}

/// SHA-256 of a request body, lowercase hex (of the empty string for no body).
pub fn body_sha256_hex(body: &[u8]) -> String {
    crate::sha256_hex(body)
}

/// The exact bytes that get signed.
pub fn canonical_request(
    method: &str,
    path_and_query: &str,
    body_sha256_hex: &str,
    timestamp: i64,
    nonce: &str,
    office: &str,
) -> String {
    format!(
        "loket-sync-v1\n{}\n{path_and_query}\n{body_sha256_hex}\n{timestamp}\n{nonce}\n{office}",
        method.to_ascii_uppercase()
    )
}

/// Signs a request with the device key. `nonce` must be fresh random hex.
pub fn sign_request(
    key: &SigningKey,
    office: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    timestamp: i64,
    nonce: &str,
) -> SignedHeaders {
    let canonical = canonical_request(
        method,
        path_and_query,
        &body_sha256_hex(body),
        timestamp,
        nonce,
        office,
    );
    let signature = key.sign(canonical.as_bytes());
    SignedHeaders {
        office: office.to_string(),
        timestamp,
        nonce: nonce.to_string(),
        signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
    }
}

/// Checks a request's signature and freshness (not the nonce's novelty: the caller keeps
/// the seen nonces). `public_key_hex` is the office's registered key.
pub fn verify_request(
    public_key_hex: &str,
    headers: &SignedHeaders,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now_unix: i64,
) -> Result<(), SignatureError> {
    let skew = now_unix.saturating_sub(headers.timestamp);
    // `unsigned_abs`: a difference saturated at i64::MIN has no i64 absolute value.
    if skew.unsigned_abs() > MAX_CLOCK_SKEW_SECS.unsigned_abs() {
        return Err(SignatureError::StaleTimestamp { skew_secs: skew });
    }
    let nonce_ok = (16..=64).contains(&headers.nonce.len())
        && headers.nonce.bytes().all(|b| b.is_ascii_hexdigit());
    if !nonce_ok {
        return Err(SignatureError::BadNonce);
    }
    let key_bytes: [u8; 32] = hex::decode(public_key_hex)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or(SignatureError::BadKey)?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| SignatureError::BadKey)?;
    let sig_bytes: [u8; 64] = base64::engine::general_purpose::STANDARD
        .decode(&headers.signature)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or(SignatureError::BadSignature)?;
    let signature = Signature::from_bytes(&sig_bytes);
    let canonical = canonical_request(
        method,
        path_and_query,
        &body_sha256_hex(body),
        headers.timestamp,
        &headers.nonce,
        &headers.office,
    );
    key.verify_strict(canonical.as_bytes(), &signature)
        .map_err(|_| SignatureError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn pk_hex(k: &SigningKey) -> String {
        hex::encode(k.verifying_key().to_bytes())
    }

    const NONCE: &str = "00112233445566778899aabbccddeeff";

    #[test]
    fn extreme_timestamps_are_stale_not_a_panic() {
        // Found by the sync_payload fuzz target: `now - timestamp` saturated at i64::MIN and
        // its `abs()` overflowed (a panic; without overflow checks, a negative skew that
        // passed the freshness check).
        let k = key(7);
        for (timestamp, now) in [
            (1, i64::MIN),
            (i64::MAX, i64::MIN),
            (i64::MIN, i64::MAX),
            (i64::MIN, 0),
        ] {
            let h = sign_request(&k, "JKT", "POST", "/api/v1/x", b"", timestamp, NONCE);
            assert!(
                matches!(
                    verify_request(&pk_hex(&k), &h, "POST", "/api/v1/x", b"", now),
                    Err(SignatureError::StaleTimestamp { .. })
                ),
                "timestamp {timestamp}, now {now}"
            );
        }
    }

    #[test]
    fn a_signed_request_verifies() {
        let k = key(7);
        let h = sign_request(&k, "JKT", "POST", "/api/v1/x", b"{}", 1000, NONCE);
        assert_eq!(
            verify_request(&pk_hex(&k), &h, "POST", "/api/v1/x", b"{}", 1010),
            Ok(())
        );
    }

    #[test]
    fn tampering_is_detected() {
        let k = key(7);
        let h = sign_request(&k, "JKT", "POST", "/api/v1/x", b"{}", 1000, NONCE);
        let pk = pk_hex(&k);
        assert_eq!(
            verify_request(&pk, &h, "POST", "/api/v1/x", b"{ }", 1000),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            verify_request(&pk, &h, "PUT", "/api/v1/x", b"{}", 1000),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            verify_request(&pk, &h, "POST", "/api/v1/y", b"{}", 1000),
            Err(SignatureError::BadSignature)
        );
        let mut other_office = h.clone();
        other_office.office = "SBY".into();
        assert_eq!(
            verify_request(&pk, &other_office, "POST", "/api/v1/x", b"{}", 1000),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            verify_request(&pk_hex(&key(8)), &h, "POST", "/api/v1/x", b"{}", 1000),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn stale_timestamps_are_refused() {
        let k = key(7);
        let h = sign_request(&k, "JKT", "GET", "/a", b"", 1000, NONCE);
        assert_eq!(
            verify_request(&pk_hex(&k), &h, "GET", "/a", b"", 1000 + 301),
            Err(SignatureError::StaleTimestamp { skew_secs: 301 })
        );
    }

    proptest! {
        #[test]
        fn garbage_headers_never_verify_or_panic(sig in ".{0,100}", nonce in ".{0,70}", ts in any::<i64>()) {
            let k = key(1);
            let h = SignedHeaders { office: "JKT".into(), timestamp: ts, nonce, signature: sig };
            prop_assert!(verify_request(&pk_hex(&k), &h, "GET", "/", b"", ts).is_err());
        }
    }
}
