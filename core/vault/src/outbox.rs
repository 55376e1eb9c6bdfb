//! Outbox payloads with a sealed part: the personal part of an event (a signed BAP) is
//! kept sealed under [`SEALED_FIELD`] at the office and opened just before upload, so
//! central receives the same JSON and the office's disk holds none of it in clear. The hub
//! seals (`loket_hub::personal`); whoever uploads opens ([`open_outbox_payload`]).

use crate::seal::{SealError, Sealer};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

/// The key of an outbox payload's sealed part.
pub const SEALED_FIELD: &str = "sealed";

/// Context of a sealed value: table, column and the row's key.
pub fn column_context(table: &str, column: &str, key: &str) -> String {
    format!("{table}.{column}:{key}")
}

/// Context of an outbox row's sealed part.
pub fn outbox_context(event_id: &str) -> String {
    column_context("outbox", "payload", event_id)
}

/// The payload as central receives it: the sealed part opened and merged back in. A
/// payload without a sealed part is returned as it is.
pub fn open_outbox_payload(
    sealer: &Sealer,
    event_id: &str,
    payload: Value,
) -> std::result::Result<Value, SealError> {
    let Value::Object(mut map) = payload else {
        return Ok(payload);
    };
    let Some(sealed) = map.remove(SEALED_FIELD) else {
        return Ok(Value::Object(map));
    };
    let blob = sealed
        .as_str()
        .and_then(|s| BASE64.decode(s).ok())
        .ok_or(SealError::NotSealed)?;
    let plain = sealer.open(&outbox_context(event_id), &blob)?;
    match serde_json::from_slice(&plain) {
        Ok(Value::Object(secret)) => {
            map.extend(secret);
            Ok(Value::Object(map))
        }
        _ => Err(SealError::Tampered),
    }
}
