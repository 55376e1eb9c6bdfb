//! Personal data of BAPs and pickups at rest (UU PDP): what is sealed where, with which
//! context, and the one-time sealing of rows written in clear before migration 0006.
//!
//! | table.column | holds | context |
//! | --- | --- | --- |
//! | `baps.content` | the whole BAP version (JSON) | `baps.content:<id>:<version>` |
//! | `pickups.applicant` | `{"nik","name"}` of the applicant | `pickups.applicant:<receipt>` |
//! | `pickups.handover` | the register entry (collector, their ID, documents) | `pickups.handover:<receipt>` |
//! | `signatures.png` | a drawn signature (PNG) | `signatures.png:<sha256>` |
//! | `outbox.payload` `"sealed"` | the personal part of an outbox event (base64) | `outbox.payload:<event_id>` |
//!
//! A pickup is found by NIK through `pickups.nik_index`, [`Sealer::blind_index`] of the
//! NIK (purpose `pickups.nik`); `pickups.applicant_nik` and `applicant_name` stay empty.
//!
//! Outbox events whose payload carries personal data (`bap_signed`: the signed BAP) keep
//! their metadata in clear and the personal part sealed under `"sealed"`; the sync upload
//! opens it ([`open_outbox_payload`], through the opener `loket hub` gives the engine), so
//! central receives the same JSON as before and the office's disk holds none in clear.

use crate::error::{HubError, Result};
use crate::seal::Sealer;
use crate::store::ts;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
pub use loket_vault::outbox::{SEALED_FIELD, column_context, open_outbox_payload, outbox_context};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;
use sqlx::SqliteConnection;

/// Purpose of the NIK blind index of pickups.
const NIK_INDEX: &str = "pickups.nik";

/// Context of a BAP version's content.
pub fn bap_context(id: &str, version: i64) -> String {
    column_context("baps", "content", &format!("{id}:{version}"))
}

/// The blind index of a NIK (white space ignored, as `PickupKey::nik` does).
pub fn nik_index(sealer: &Sealer, nik: &str) -> String {
    let digits: String = nik.chars().filter(|c| !c.is_whitespace()).collect();
    sealer.blind_index(NIK_INDEX, &digits)
}

/// The applicant of a pickup, sealed in `pickups.applicant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PickupApplicant {
    pub nik: String,
    pub name: String,
}

/// Seals a value as JSON.
pub(crate) fn seal_json<T: Serialize>(
    sealer: &Sealer,
    context: &str,
    value: &T,
) -> Result<Vec<u8>> {
    Ok(sealer.seal(context, &serde_json::to_vec(value)?))
}

/// Opens a sealed JSON value.
pub(crate) fn open_json<T: DeserializeOwned>(
    sealer: &Sealer,
    context: &str,
    blob: &[u8],
) -> Result<T> {
    Ok(serde_json::from_slice(&sealer.open(context, blob)?)?)
}

/// Appends an outbox row whose `secret` part (a JSON object) is sealed under
/// [`SEALED_FIELD`]; the rest of `payload` stays readable.
pub(crate) async fn outbox_sealed(
    conn: &mut SqliteConnection,
    sealer: &Sealer,
    kind: &str,
    mut payload: Value,
    secret: Value,
    at: DateTime<Utc>,
) -> Result<()> {
    let event_id = uuid::Uuid::now_v7().to_string();
    seal_into_payload(sealer, &event_id, &mut payload, &secret)?;
    sqlx::query("INSERT INTO outbox (event_id, kind, payload, occurred_at) VALUES (?, ?, ?, ?)")
        .bind(&event_id)
        .bind(kind)
        .bind(payload.to_string())
        .bind(ts(at))
        .execute(conn)
        .await?;
    Ok(())
}

fn seal_into_payload(
    sealer: &Sealer,
    event_id: &str,
    payload: &mut Value,
    secret: &Value,
) -> Result<()> {
    let blob = sealer.seal(&outbox_context(event_id), &serde_json::to_vec(secret)?);
    match payload {
        Value::Object(map) => {
            map.insert(SEALED_FIELD.into(), Value::String(BASE64.encode(blob)));
            Ok(())
        }
        _ => Err(HubError::Corrupt("outbox payload is not an object".into())),
    }
}

/// What [`seal_plaintext_rows`] converted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resealed {
    /// BAP versions.
    pub baps: u64,
    /// Pickups (applicant or handover).
    pub pickups: u64,
    /// Drawn signatures.
    pub signatures: u64,
    /// Outbox rows.
    pub outbox: u64,
}

impl Resealed {
    /// Rows changed in all.
    pub fn total(&self) -> u64 {
        self.baps + self.pickups + self.signatures + self.outbox
    }
}

/// Seals every value still in clear: rows written before migration 0006 (a migration
/// cannot call the sealer). Idempotent: a second run finds nothing to do. Runs in the
/// caller's transaction at the hub's start.
pub(crate) async fn seal_plaintext_rows(
    conn: &mut SqliteConnection,
    sealer: &Sealer,
) -> Result<Resealed> {
    let mut done = Resealed::default();

    let baps: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT id, version, content FROM baps WHERE typeof(content) = 'text'")
            .fetch_all(&mut *conn)
            .await?;
    for (id, version, content) in baps {
        let blob = sealer.seal(&bap_context(&id, version), content.as_bytes());
        sqlx::query("UPDATE baps SET content = ? WHERE id = ? AND version = ?")
            .bind(blob)
            .bind(&id)
            .bind(version)
            .execute(&mut *conn)
            .await?;
        done.baps += 1;
    }

    let pickups: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT receipt, applicant_nik, applicant_name FROM pickups WHERE applicant IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (receipt, nik, name) in pickups {
        let applicant = PickupApplicant { nik, name };
        let blob = seal_json(
            sealer,
            &column_context("pickups", "applicant", &receipt),
            &applicant,
        )?;
        sqlx::query(
            "UPDATE pickups SET applicant = ?, nik_index = ?, applicant_nik = '', applicant_name = '' \
             WHERE receipt = ?",
        )
        .bind(blob)
        .bind(nik_index(sealer, &applicant.nik))
        .bind(&receipt)
        .execute(&mut *conn)
        .await?;
        done.pickups += 1;
    }
    let handovers: Vec<(String, String)> =
        sqlx::query_as("SELECT receipt, handover FROM pickups WHERE typeof(handover) = 'text'")
            .fetch_all(&mut *conn)
            .await?;
    for (receipt, handover) in handovers {
        let blob = sealer.seal(
            &column_context("pickups", "handover", &receipt),
            handover.as_bytes(),
        );
        sqlx::query("UPDATE pickups SET handover = ? WHERE receipt = ?")
            .bind(blob)
            .bind(&receipt)
            .execute(&mut *conn)
            .await?;
        done.pickups += 1;
    }

    let signatures: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT sha256, png FROM signatures WHERE substr(png, 1, 4) IS NOT X'4C4B5331'",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (sha256, png) in signatures {
        let blob = sealer.seal(&column_context("signatures", "png", &sha256), &png);
        sqlx::query("UPDATE signatures SET png = ? WHERE sha256 = ?")
            .bind(blob)
            .bind(&sha256)
            .execute(&mut *conn)
            .await?;
        done.signatures += 1;
    }

    let outbox: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT seq, event_id, payload FROM outbox WHERE kind = 'bap_signed' \
         AND json_type(payload, '$.bap') IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (seq, event_id, payload) in outbox {
        let mut payload: Value = serde_json::from_str(&payload)?;
        let Some(bap) = payload.as_object_mut().and_then(|m| m.remove("bap")) else {
            continue;
        };
        seal_into_payload(
            sealer,
            &event_id,
            &mut payload,
            &serde_json::json!({"bap": bap}),
        )?;
        sqlx::query("UPDATE outbox SET payload = ? WHERE seq = ?")
            .bind(payload.to_string())
            .bind(seq)
            .execute(&mut *conn)
            .await?;
        done.outbox += 1;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_outbox_payload_opens_to_what_was_sealed_and_only_for_its_event() {
        let s = Sealer::from_key(&[9u8; 32]);
        let mut payload = json!({"office_code": "JKT1", "bap_id": "b1", "version": 1});
        let secret = json!({"bap": {"interview": {"identity": {"nik": "3171234567890123"}}}});
        seal_into_payload(&s, "e1", &mut payload, &secret).unwrap_or_else(|e| panic!("{e}"));
        assert!(!payload.to_string().contains("3171234567890123"));
        let opened =
            open_outbox_payload(&s, "e1", payload.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            opened,
            json!({"office_code": "JKT1", "bap_id": "b1", "version": 1,
                   "bap": {"interview": {"identity": {"nik": "3171234567890123"}}}})
        );
        // Another event's context: refused.
        assert!(open_outbox_payload(&s, "e2", payload.clone()).is_err());
        // A payload without a sealed part is untouched.
        let plain = json!({"office_code": "JKT1"});
        assert_eq!(
            open_outbox_payload(&s, "e1", plain.clone()).ok(),
            Some(plain)
        );
        // A sealed part that is not base64: refused.
        let bad = json!({"sealed": "not base64 !"});
        assert!(open_outbox_payload(&s, "e1", bad).is_err());
    }

    proptest::proptest! {
        /// Whatever the applicant typed: the sealed value holds none of it in clear, opens
        /// back to the same value for its own row only, and the NIK index matches exactly
        /// the same NIK.
        #[test]
        fn sealed_applicants_open_for_their_row_and_hide_their_text(
            nik in "[0-9]{16}",
            other in "[0-9]{16}",
            name in "[A-Za-z][A-Za-z .']{5,40}",
            receipt in "[A-Z]{3}-[0-9]{4}",
        ) {
            let s = Sealer::from_key(&[5u8; 32]);
            let ctx = column_context("pickups", "applicant", &receipt);
            let applicant = PickupApplicant { nik: nik.clone(), name: name.clone() };
            let blob = seal_json(&s, &ctx, &applicant).unwrap_or_default();
            proptest::prop_assert!(!blob.windows(nik.len()).any(|w| w == nik.as_bytes()));
            proptest::prop_assert!(!blob.windows(name.len()).any(|w| w == name.as_bytes()));
            let opened: Option<PickupApplicant> = open_json(&s, &ctx, &blob).ok();
            proptest::prop_assert_eq!(opened, Some(applicant));
            let elsewhere = column_context("pickups", "applicant", &format!("{receipt}X"));
            proptest::prop_assert!(open_json::<PickupApplicant>(&s, &elsewhere, &blob).is_err());
            proptest::prop_assert_eq!(nik_index(&s, &nik) == nik_index(&s, &other), nik == other);
        }
    }

    #[test]
    fn the_nik_index_ignores_white_space_and_depends_on_the_key() {
        let a = Sealer::from_key(&[1u8; 32]);
        let b = Sealer::from_key(&[2u8; 32]);
        let n = "3171234567890123";
        assert_eq!(nik_index(&a, n), nik_index(&a, "3171 2345 6789 0123"));
        assert_ne!(nik_index(&a, n), nik_index(&a, "3171234567890124"));
        assert_ne!(nik_index(&a, n), nik_index(&b, n));
        assert!(!nik_index(&a, n).contains(n));
    }
}
