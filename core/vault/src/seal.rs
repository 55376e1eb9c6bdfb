//! Encryption at rest for the personal data the hub keeps beyond the queue: BAP contents
//! (the interview's answers) and biometrics (fingerprint images and templates, photos) are
//! stored sealed, never in clear, in the database or the data folder.
//!
//! * Cipher: XChaCha20-Poly1305 (AEAD, 24-byte random nonces: no counter to keep, no risk
//!   of reuse across processes or restores).
//! * Key: 32 random bytes, hex, in `<data>/seal.key`, created on the hub's first start
//!   with mode 0600 (readable only by the service's user); a key file readable by others is
//!   refused. Back it up apart from the database backups: without it sealed data cannot be
//!   read, with it and a database copy it can.
//! * Sealed blob: `LKS1` | key id (first 8 bytes of SHA-256 of the key) | nonce (24) |
//!   ciphertext with its 16-byte tag. The associated data is the header plus the caller's
//!   context, [`row_context`]`(table, id)`: a blob moved to another row, another table, or
//!   sealed under another key does not open.
//!
//! [`Sealer::seal`] / [`Sealer::open`] work on byte blobs; callers store the blob in a
//! BLOB column (or a file) and keep the row id they sealed it for.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// File name of the key in the data folder.
pub const KEY_FILE_NAME: &str = "seal.key";

const MAGIC: &[u8; 4] = b"LKS1";
const KEY_ID_LEN: usize = 8;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = MAGIC.len() + KEY_ID_LEN + NONCE_LEN;

/// Errors of sealing and opening. Messages carry no data, only what to do.
#[derive(Debug, Error)]
pub enum SealError {
    /// The key file could not be read or written.
    #[error("seal key file {path}: {source}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key file does not hold 64 hex digits.
    #[error("seal key file {0} is not 64 hex digits")]
    KeyFileInvalid(PathBuf),
    /// The key file can be read by other users.
    #[error("seal key file {path} has mode {mode:o}: only its owner may read it")]
    KeyFileTooOpen {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The blob is not a sealed blob (too short, unknown format).
    #[error("not a sealed blob")]
    NotSealed,
    /// The blob was sealed under another key.
    #[error("sealed under another key")]
    WrongKey,
    /// The blob was changed, or belongs to another row.
    #[error("sealed blob changed or not of this row")]
    Tampered,
}

impl SealError {
    /// Bahasa Indonesia, saying what to do.
    pub fn message_id(&self) -> String {
        match self {
            SealError::KeyFile { .. } | SealError::KeyFileInvalid(_) => {
                "Kunci enkripsi (seal.key) di folder data tidak dapat dibaca. Pulihkan seal.key dari cadangannya; jangan membuat yang baru bila data lama masih dipakai."
                    .into()
            }
            SealError::KeyFileTooOpen { .. } => {
                "Kunci enkripsi (seal.key) dapat dibaca pengguna lain. Jalankan: chmod 600 seal.key (pemiliknya pengguna layanan loket)."
                    .into()
            }
            SealError::NotSealed | SealError::WrongKey | SealError::Tampered => {
                "Data terenkripsi tidak dapat dibuka (rusak, diubah, atau kunci lain). Hubungi teknisi; pulihkan dari cadangan bila perlu."
                    .into()
            }
        }
    }

    /// English, saying what to do.
    pub fn message_en(&self) -> String {
        match self {
            SealError::KeyFile { .. } | SealError::KeyFileInvalid(_) => {
                "The encryption key (seal.key) in the data folder cannot be read. Restore seal.key from its backup; do not make a new one while old data is in use."
                    .into()
            }
            SealError::KeyFileTooOpen { .. } => {
                "The encryption key (seal.key) is readable by other users. Run: chmod 600 seal.key (owned by the loket service user)."
                    .into()
            }
            SealError::NotSealed | SealError::WrongKey | SealError::Tampered => {
                "Encrypted data cannot be opened (damaged, changed, or another key). Call a technician; restore from a backup if needed."
                    .into()
            }
        }
    }
}

/// The associated data for a value of one row: `table:id`.
pub fn row_context(table: &str, id: i64) -> String {
    format!("{table}:{id}")
}

/// Seals and opens blobs with the data folder's key. `Debug` shows only the key id.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    key_id: [u8; KEY_ID_LEN],
    /// Key of [`Sealer::blind_index`], derived from the seal key.
    index_key: [u8; 32],
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealer(key {})", hex::encode(self.key_id))
    }
}

fn key_file_error(path: &Path) -> impl FnOnce(std::io::Error) -> SealError + '_ {
    move |source| SealError::KeyFile {
        path: path.to_path_buf(),
        source,
    }
}

impl Sealer {
    /// A sealer with a given key.
    pub fn from_key(key: &[u8; 32]) -> Sealer {
        let digest = Sha256::digest(key);
        let mut key_id = [0u8; KEY_ID_LEN];
        key_id.copy_from_slice(&digest[..KEY_ID_LEN]);
        Sealer {
            cipher: XChaCha20Poly1305::new(&(*key).into()),
            key_id,
            index_key: keyed_blake2b(key, &[INDEX_KEY_LABEL]),
        }
    }

    /// The key id (hex): which key a blob needs, safe to show.
    pub fn key_id(&self) -> String {
        hex::encode(self.key_id)
    }

    /// Loads `<data_dir>/seal.key`, creating it (mode 0600, 32 random bytes) when absent.
    /// Refuses a key file others can read, or one that is not 64 hex digits.
    pub fn open_or_create(data_dir: &Path) -> Result<Sealer, SealError> {
        let path = data_dir.join(KEY_FILE_NAME);
        if !path.exists() {
            create_key_file(data_dir, &path)?;
        }
        load_key_file(&path)
    }

    /// Seals `plain` for `context` (see [`row_context`]).
    pub fn seal(&self, context: &str, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut out = Vec::with_capacity(HEADER_LEN + plain.len() + TAG_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.key_id);
        out.extend_from_slice(&nonce);
        let aad = associated(&out[..MAGIC.len() + KEY_ID_LEN], context);
        let nonce = XNonce::from(nonce);
        // Encryption fails only for messages beyond 256 GiB.
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a blob sealed for `context`.
    pub fn open(&self, context: &str, blob: &[u8]) -> Result<Vec<u8>, SealError> {
        if blob.len() < HEADER_LEN + TAG_LEN || &blob[..MAGIC.len()] != MAGIC {
            return Err(SealError::NotSealed);
        }
        let key_id = &blob[MAGIC.len()..MAGIC.len() + KEY_ID_LEN];
        if key_id != self.key_id {
            return Err(SealError::WrongKey);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&blob[MAGIC.len() + KEY_ID_LEN..HEADER_LEN]);
        let aad = associated(&blob[..MAGIC.len() + KEY_ID_LEN], context);
        self.cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &blob[HEADER_LEN..],
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Tampered)
    }
}

/// Blind indexes: finding a sealed value by equality without storing it in clear.
impl Sealer {
    /// A keyed hash of `value` for `purpose` (e.g. `"pickups.nik"`): 64 hex digits,
    /// keyed BLAKE2b-256 under a key derived from the seal key. Equal inputs give equal
    /// indexes, so a column of them can be searched; without the key the index says
    /// nothing about the value (a NIK's 16 digits cannot be guessed through it). The
    /// purpose separates indexes of different columns.
    pub fn blind_index(&self, purpose: &str, value: &str) -> String {
        hex::encode(keyed_blake2b(
            &self.index_key,
            &[purpose.as_bytes(), &[0], value.as_bytes()],
        ))
    }
}

/// Label of the blind index key's derivation.
const INDEX_KEY_LABEL: &[u8] = b"loket-seal blind index key v1";

/// BLAKE2b-256 keyed with `key` over the concatenated `parts`.
fn keyed_blake2b(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    use blake2::digest::{Mac as _, consts::U32};
    // A 32-byte key is always accepted (BLAKE2b takes keys up to 64 bytes).
    let mut mac = match <blake2::Blake2bMac<U32> as blake2::digest::KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("32-byte keys are valid BLAKE2b keys"),
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn associated(header: &[u8], context: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + context.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(context.as_bytes());
    aad
}

/// Writes a new key to a private temporary file, then links it into place (so two
/// processes starting at once end up with the same, complete key).
fn create_key_file(data_dir: &Path, path: &Path) -> Result<(), SealError> {
    std::fs::create_dir_all(data_dir).map_err(key_file_error(path))?;
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let tmp = data_dir.join(format!(".{KEY_FILE_NAME}.{}", std::process::id()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(format!("{}\n", hex::encode(key)).as_bytes())?;
        f.sync_all()?;
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        std::fs::File::open(data_dir)?.sync_all()
    })();
    let _ = std::fs::remove_file(&tmp);
    written.map_err(key_file_error(path))?;
    tracing::info!("seal key created");
    Ok(())
}

fn load_key_file(path: &Path) -> Result<Sealer, SealError> {
    let meta = std::fs::metadata(path).map_err(key_file_error(path))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SealError::KeyFileTooOpen {
            path: path.to_path_buf(),
            mode,
        });
    }
    let text = std::fs::read_to_string(path).map_err(key_file_error(path))?;
    let bytes =
        hex::decode(text.trim()).map_err(|_| SealError::KeyFileInvalid(path.to_path_buf()))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| SealError::KeyFileInvalid(path.to_path_buf()))?;
    Ok(Sealer::from_key(&key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
    }

    fn sealer(dir: &Path) -> Sealer {
        Sealer::open_or_create(dir).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn seals_and_opens_for_the_same_row_only() {
        let dir = tmp();
        let s = sealer(dir.path());
        let plain = b"Kronologi: paspor hilang di terminal bus.";
        let ctx = row_context("bap_versions", 41);
        let blob = s.seal(&ctx, plain);
        assert!(!blob.windows(8).any(|w| w == &plain[..8]), "no clear text");
        assert_eq!(s.open(&ctx, &blob).ok().as_deref(), Some(&plain[..]));
        // Another row, another table: refused.
        assert!(matches!(
            s.open(&row_context("bap_versions", 42), &blob),
            Err(SealError::Tampered)
        ));
        assert!(matches!(
            s.open(&row_context("fingerprints", 41), &blob),
            Err(SealError::Tampered)
        ));
        // The same text sealed twice differs (fresh nonce), both open.
        let again = s.seal(&ctx, plain);
        assert_ne!(blob, again);
        assert!(s.open(&ctx, &again).is_ok());
        // Empty values too.
        let empty = s.seal(&ctx, b"");
        assert_eq!(s.open(&ctx, &empty).ok(), Some(Vec::new()));
    }

    #[test]
    fn every_changed_byte_is_found() {
        let s = Sealer::from_key(&[7u8; 32]);
        let ctx = row_context("fingerprints", 3);
        let blob = s.seal(&ctx, &[0x55; 64]);
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x01;
            let opened = s.open(&ctx, &bad);
            assert!(opened.is_err(), "byte {i} changed and still opened");
        }
        assert!(matches!(
            s.open(&ctx, &blob[..blob.len() - 1]),
            Err(SealError::Tampered)
        ));
        assert!(matches!(
            s.open(&ctx, &blob[..20]),
            Err(SealError::NotSealed)
        ));
        assert!(matches!(
            s.open(&ctx, b"plain text, never sealed at all!!!!!!!!!!!!!!!!"),
            Err(SealError::NotSealed)
        ));
    }

    #[test]
    fn another_key_cannot_open() {
        let a = Sealer::from_key(&[1u8; 32]);
        let b = Sealer::from_key(&[2u8; 32]);
        let ctx = row_context("bap_versions", 1);
        let blob = a.seal(&ctx, b"rahasia");
        assert!(matches!(b.open(&ctx, &blob), Err(SealError::WrongKey)));
        // Even with the key id forged to b's, the tag does not match.
        let mut forged = blob.clone();
        forged[4..12].copy_from_slice(&b.key_id);
        assert!(matches!(b.open(&ctx, &forged), Err(SealError::Tampered)));
        assert_ne!(a.key_id(), b.key_id());
        assert!(!format!("{a:?}").contains("0101"), "Debug shows no key");
    }

    #[test]
    fn the_key_file_is_private_created_once_and_checked() {
        let dir = tmp();
        let first = sealer(dir.path());
        let path = dir.path().join(KEY_FILE_NAME);
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
        let second = sealer(dir.path());
        assert_eq!(first.key_id(), second.key_id(), "the key is kept");
        let blob = first.seal("t:1", b"x");
        assert!(second.open("t:1", &blob).is_ok());
        // No temporary file left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(names, vec![KEY_FILE_NAME.to_string()]);

        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644));
        assert!(matches!(
            Sealer::open_or_create(dir.path()),
            Err(SealError::KeyFileTooOpen { mode: 0o644, .. })
        ));
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        let _ = std::fs::write(&path, "abcd\n");
        assert!(matches!(
            Sealer::open_or_create(dir.path()),
            Err(SealError::KeyFileInvalid(_))
        ));
        let err = SealError::KeyFileTooOpen { path, mode: 0o644 };
        assert!(err.message_id().contains("chmod 600") && err.message_en().contains("chmod 600"));
    }
}
