//! What the BAP, pickup and report operations share for their printouts and signatures:
//! the fonts (loaded once), the office letterhead, rendering a PDF off the async threads,
//! and drawn signatures (PNG data URLs stored by SHA-256 in `signatures`).

use crate::config::HubConfig;
use crate::error::{HubError, Result};
use crate::store::ts;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use loket_documents::{DocumentError, Fonts, Office, RenderedDocument};
use loket_domain::SignatureRef;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;
use std::sync::OnceLock;

/// Largest drawn signature accepted, in bytes of PNG.
pub const MAX_SIGNATURE_BYTES: usize = 512 * 1024;

static FONTS: OnceLock<Fonts> = OnceLock::new();

/// The DejaVu fonts, loaded on first use (a failure is retried on the next print).
fn fonts() -> std::result::Result<&'static Fonts, DocumentError> {
    if let Some(f) = FONTS.get() {
        return Ok(f);
    }
    let loaded = Fonts::system()?;
    Ok(FONTS.get_or_init(|| loaded))
}

/// Renders a document on a blocking thread (PDF layout is CPU work) and returns its bytes.
pub async fn render<T, F>(input: T, draw: F) -> Result<Vec<u8>>
where
    T: Send + 'static,
    F: FnOnce(&Fonts, &T) -> std::result::Result<RenderedDocument, DocumentError> + Send + 'static,
{
    tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
        let fonts = fonts()?;
        Ok(draw(fonts, &input)?.pdf)
    })
    .await
    .map_err(|e| HubError::Document(e.to_string()))?
}

/// The letterhead of this office.
pub fn office(config: &HubConfig) -> Office {
    Office {
        parent_lines: Office::default_parent_lines(),
        name: config.office_name.to_uppercase(),
        address: String::new(),
    }
}

/// An instant as the office's wall-clock time.
pub fn local(config: &HubConfig, at: DateTime<Utc>) -> NaiveDateTime {
    config.rules.time_zone.local(at)
}

/// A signature as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SignatureInput {
    /// Signed in ink on the printed page.
    Paper,
    /// Drawn on the screen: `data:image/png;base64,...`.
    Drawn {
        /// The PNG as a data URL.
        png: String,
    },
}

/// A signature ready to store: what the domain records, and the PNG to keep (drawn ones).
#[derive(Debug, Clone)]
pub struct PreparedSignature {
    /// What the domain records.
    pub reference: SignatureRef,
    /// SHA-256 (hex) and PNG bytes of a drawn signature.
    pub blob: Option<(String, Vec<u8>)>,
}

/// Checks a signature input: a drawn one must be a PNG data URL of at most
/// [`MAX_SIGNATURE_BYTES`].
pub fn prepare_signature(input: &SignatureInput) -> Result<PreparedSignature> {
    match input {
        SignatureInput::Paper => Ok(PreparedSignature {
            reference: SignatureRef::Paper,
            blob: None,
        }),
        SignatureInput::Drawn { png } => {
            let data = png
                .trim()
                .strip_prefix("data:image/png;base64,")
                .ok_or_else(|| HubError::SignatureInvalid("not a PNG data URL".into()))?;
            if data.len() > MAX_SIGNATURE_BYTES * 4 / 3 + 4 {
                return Err(HubError::SignatureInvalid("too large".into()));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .map_err(|_| HubError::SignatureInvalid("bad base64".into()))?;
            const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
            if !bytes.starts_with(PNG_MAGIC) || bytes.len() > MAX_SIGNATURE_BYTES {
                return Err(HubError::SignatureInvalid("not a PNG".into()));
            }
            let sha256 = hex::encode(Sha256::digest(&bytes));
            Ok(PreparedSignature {
                reference: SignatureRef::Drawn {
                    sha256: sha256.clone(),
                },
                blob: Some((sha256, bytes)),
            })
        }
    }
}

/// Stores a drawn signature's PNG (once per content) inside the caller's transaction,
/// sealed for its row (`signatures.png:<sha256>`, see [`crate::personal`]).
pub async fn store_signature(
    conn: &mut SqliteConnection,
    sealer: &crate::seal::Sealer,
    signature: &PreparedSignature,
    at: DateTime<Utc>,
) -> Result<()> {
    if let Some((sha256, png)) = &signature.blob {
        let sealed = sealer.seal(
            &crate::personal::column_context("signatures", "png", sha256),
            png,
        );
        sqlx::query(
            "INSERT INTO signatures (sha256, png, created_at) VALUES (?, ?, ?) ON CONFLICT(sha256) DO NOTHING",
        )
        .bind(sha256)
        .bind(sealed)
        .bind(ts(at))
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Display names of officer accounts (for printouts), or the user name when unknown.
pub async fn display_name(conn: &mut SqliteConnection, username: &str) -> Result<String> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT display_name FROM officers WHERE username = ?")
            .bind(username)
            .fetch_optional(conn)
            .await?;
    Ok(row
        .map(|(n,)| n)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| username.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_signatures_must_be_small_pngs() {
        let png = b"\x89PNG\r\n\x1a\nrest-of-file";
        let url = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        );
        let ok = prepare_signature(&SignatureInput::Drawn { png: url });
        assert!(matches!(
            ok.map(|s| s.reference),
            Ok(SignatureRef::Drawn { sha256 }) if sha256.len() == 64
        ));
        for bad in [
            "data:image/jpeg;base64,AAAA".to_string(),
            "data:image/png;base64,!!!".to_string(),
            format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(b"GIF89a")
            ),
        ] {
            assert!(matches!(
                prepare_signature(&SignatureInput::Drawn { png: bad }),
                Err(HubError::SignatureInvalid(_))
            ));
        }
        assert!(matches!(
            prepare_signature(&SignatureInput::Paper).map(|s| s.reference),
            Ok(SignatureRef::Paper)
        ));
    }
}
