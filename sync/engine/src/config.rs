//! The office's sync settings (`sync.toml`) and device key (`sync-device.key`) in the hub's
//! data folder, and enrolment.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::client::{ClientError, ClientOptions, enrol};

/// File name of the settings in the hub's data folder.
pub const CONFIG_FILE: &str = "sync.toml";
/// File name of the device key (hex of the 32-byte ed25519 secret, mode 0600).
pub const KEY_FILE: &str = "sync-device.key";
/// File name of the hub's database in its data folder (the hub's `DB_FILE_NAME`).
pub const HUB_DB_FILE: &str = "loket.db";

/// Why settings could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Reading or writing a file failed.
    #[error("Berkas {path}: {source} / File {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file's content is wrong.
    #[error("Berkas {path} rusak: {reason}. / File {path} is corrupt: {reason}.")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Not enrolled yet.
    #[error(
        "Hub belum terdaftar di pusat. Jalankan `loket sync enrol`. / The hub is not enrolled with central. Run `loket sync enrol`."
    )]
    NotEnrolled,
    /// Enrolment failed at central, or the client could not be built.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The hub database could not be opened.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    /// The hub's data folder is held by a restore, or its seal key cannot be used.
    #[error("{0}")]
    HubFolder(String),
}

/// The office's sync settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettings {
    /// Central's URL, e.g. `https://central.example:8443`.
    pub central: String,
    /// This office's code.
    pub office: String,
    /// Extra trusted CA certificate (PEM file) for central, if it uses a private CA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// Seconds between rounds while everything is synced (default
    /// [`DEFAULT_POLL_SECONDS`]); new bookings at central arrive within about this long.
    /// The hub also starts a round soon after each of its commits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_seconds: Option<u64>,
    /// Days the office keeps its local copy of a photo or fingerprint file after central
    /// confirmed it (default [`DEFAULT_RETENTION_DAYS`]); 0 deletes it at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u64>,
}

/// Default days a confirmed blob's local copy is kept.
pub const DEFAULT_RETENTION_DAYS: u64 = 30;

/// Default pause between rounds while everything is synced.
pub const DEFAULT_POLL_SECONDS: u64 = 15;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ConfigError + '_ {
    move |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl SyncSettings {
    /// Loads `sync.toml` from the data folder (`None` when absent).
    pub fn load(data_dir: &Path) -> Result<Option<SyncSettings>, ConfigError> {
        let path = data_dir.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&path)(e)),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| ConfigError::Corrupt {
                path,
                reason: e.to_string(),
            })
    }

    /// Writes `sync.toml` into the data folder.
    pub fn save(&self, data_dir: &Path) -> Result<(), ConfigError> {
        std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
        let path = data_dir.join(CONFIG_FILE);
        let text = toml::to_string(self).map_err(|e| ConfigError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        std::fs::write(&path, text).map_err(io(&path))
    }

    /// The engine's tuning for these settings (poll interval, retention; the rest default).
    pub fn engine_config(&self) -> crate::EngineConfig {
        crate::EngineConfig {
            poll_interval: std::time::Duration::from_secs(
                self.poll_seconds.unwrap_or(DEFAULT_POLL_SECONDS).max(1),
            ),
            retention: Some(std::time::Duration::from_secs(
                self.retention_days
                    .unwrap_or(DEFAULT_RETENTION_DAYS)
                    .saturating_mul(24 * 3600),
            )),
            ..crate::EngineConfig::default()
        }
    }

    /// Client options from these settings (reads the CA file).
    pub fn client_options(&self) -> Result<ClientOptions, ConfigError> {
        let ca_cert_pem = match &self.ca_cert {
            Some(p) => Some(std::fs::read(p).map_err(io(p))?),
            None => None,
        };
        Ok(ClientOptions {
            ca_cert_pem,
            ..ClientOptions::default()
        })
    }
}

/// Loads the device key from the data folder.
pub fn load_key(data_dir: &Path) -> Result<SigningKey, ConfigError> {
    let path = data_dir.join(KEY_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ConfigError::NotEnrolled),
        Err(e) => return Err(io(&path)(e)),
    };
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| ConfigError::Corrupt {
            path: path.clone(),
            reason: "not 32 bytes of hex".into(),
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

fn save_key(data_dir: &Path, key: &SigningKey) -> Result<(), ConfigError> {
    let path = data_dir.join(KEY_FILE);
    let tmp = data_dir.join(format!("{KEY_FILE}.tmp"));
    {
        use std::io::Write as _;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp).map_err(io(&tmp))?;
        f.write_all(hex::encode(key.to_bytes()).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, &path).map_err(io(&path))
}

/// Enrols this hub: makes a new device key, registers its public half at central with the
/// one-time token, then saves the key and the settings in the data folder.
pub async fn enrol_office(
    data_dir: &Path,
    settings: &SyncSettings,
    token: &str,
) -> Result<(), ConfigError> {
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    enrol(
        &settings.central,
        &settings.office,
        token,
        &key,
        &settings.client_options()?,
    )
    .await?;
    std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
    save_key(data_dir, &key)?;
    settings.save(data_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_absent_is_none() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(SyncSettings::load(dir.path()).ok(), Some(None));
        let s = SyncSettings {
            central: "https://c:1".into(),
            office: "JKT".into(),
            ca_cert: None,
            poll_seconds: None,
            retention_days: None,
        };
        assert!(s.save(dir.path()).is_ok());
        assert_eq!(SyncSettings::load(dir.path()).ok(), Some(Some(s.clone())));
        assert_eq!(
            s.engine_config().poll_interval,
            std::time::Duration::from_secs(DEFAULT_POLL_SECONDS)
        );
        assert_eq!(
            s.engine_config().retention,
            Some(std::time::Duration::from_secs(30 * 24 * 3600))
        );
        let keep_none: SyncSettings =
            toml::from_str("central = \"https://c:1\"\noffice = \"JKT\"\nretention_days = 0\n")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            keep_none.engine_config().retention,
            Some(std::time::Duration::ZERO)
        );
        let fast: SyncSettings =
            toml::from_str("central = \"https://c:1\"\noffice = \"JKT\"\npoll_seconds = 0\n")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            fast.engine_config().poll_interval,
            std::time::Duration::from_secs(1),
            "at least a second"
        );
        assert!(matches!(
            load_key(dir.path()),
            Err(ConfigError::NotEnrolled)
        ));
    }
}
