//! The app's settings: which role this desk plays and where its office hub is.
//!
//! Settings come from a TOML file (`/etc/loket/desktop.toml` by default, written by the
//! provisioning script) and are overridden by command-line flags. Pure: parsing and merging
//! only, no I/O beyond reading the one file named by the caller.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The four jobs a Loket desk can do. One binary, one role per running app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Touch kiosk in the hall: tickets and M-Paspor check-in. Full screen and locked.
    Kiosk,
    /// A counter officer's desk.
    Counter,
    /// The waiting-room display board (TV). Full screen.
    Display,
    /// The office head's or supervisor's dashboard.
    Head,
}

impl Role {
    /// Every role, in the order shown to people.
    pub const ALL: [Role; 4] = [Role::Kiosk, Role::Counter, Role::Display, Role::Head];

    /// The role's name in URLs, flags and files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Kiosk => "kiosk",
            Role::Counter => "counter",
            Role::Display => "display",
            Role::Head => "head",
        }
    }

    /// Whether the window fills the screen without decorations.
    pub fn full_screen(self) -> bool {
        matches!(self, Role::Kiosk | Role::Display)
    }

    /// Whether the public can touch this screen: no dev tools, no context menu, no
    /// navigation away from the hub's pages.
    pub fn locked(self) -> bool {
        matches!(self, Role::Kiosk | Role::Display)
    }

    /// The Indonesian window title.
    pub fn title(self) -> &'static str {
        match self {
            Role::Kiosk => "Loket - Anjungan Antrean",
            Role::Counter => "Loket - Petugas Loket",
            Role::Display => "Loket - Papan Panggilan",
            Role::Head => "Loket - Dasbor Kepala Kantor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Peran \"{}\" tidak dikenal. Pilih kiosk, counter, display atau head. / Unknown role \"{}\". Choose kiosk, counter, display or head.",
            self.0, self.0
        )
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// The settings file as written on disk. Every field is optional: flags fill the gaps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `kiosk`, `counter`, `display` or `head`.
    pub role: Option<String>,
    /// The hub's base URL.
    pub hub: Option<String>,
    /// Where the rotating log files go.
    pub log_dir: Option<PathBuf>,
    /// The kiosk's or display board's device token (`lkd_...`), made by
    /// `loket device add`; officers' roles log in instead.
    pub device_token: Option<String>,
    /// The counter's fingerprint reader: `usb` (default: the supported USB readers) or
    /// `simulated` (demos and training, no hardware).
    pub fingerprint_reader: Option<FingerprintReader>,
}

/// Where the counter's fingerprint prints come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FingerprintReader {
    /// The supported USB readers (NB-1010, AES3500), through libusb.
    #[default]
    Usb,
    /// The simulated reader (generated prints).
    Simulated,
}

/// Settings given on the command line; they win over the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--role`.
    pub role: Option<String>,
    /// `--hub`.
    pub hub: Option<String>,
    /// `--log-dir`.
    pub log_dir: Option<PathBuf>,
    /// `--device-token`.
    pub device_token: Option<String>,
}

/// The settings the app runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesktopConfig {
    /// This desk's role.
    pub role: Role,
    /// The hub's base URL, without a trailing slash.
    pub hub: String,
    /// Where logs go.
    pub log_dir: PathBuf,
    /// Device token handed to the kiosk or display page.
    pub device_token: Option<String>,
    /// The counter's fingerprint reader.
    pub fingerprint_reader: FingerprintReader,
}

/// Why the settings cannot be used.
#[derive(Debug)]
pub enum ConfigError {
    /// The file exists but could not be read.
    Read(PathBuf, std::io::Error),
    /// The file is not valid TOML for these settings.
    Parse(PathBuf, toml::de::Error),
    /// No role was given anywhere.
    NoRole,
    /// The role is not one of the four.
    Role(UnknownRole),
    /// The hub URL is not an http(s) URL.
    HubUrl(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read(p, e) => write!(
                f,
                "Berkas pengaturan {} tidak bisa dibaca ({e}). Periksa izinnya. / Settings file {} cannot be read ({e}). Check its permissions.",
                p.display(),
                p.display()
            ),
            ConfigError::Parse(p, e) => write!(
                f,
                "Berkas pengaturan {} salah: {e}. Perbaiki atau jalankan loket-provision lagi. / Settings file {} is invalid: {e}. Fix it or run loket-provision again.",
                p.display(),
                p.display()
            ),
            ConfigError::NoRole => f.write_str(
                "Peran belum dipilih. Tambahkan --role kiosk|counter|display|head atau jalankan loket-provision. / No role chosen. Add --role kiosk|counter|display|head or run loket-provision.",
            ),
            ConfigError::Role(e) => e.fmt(f),
            ConfigError::HubUrl(u) => write!(
                f,
                "Alamat hub \"{u}\" tidak sah; contoh: http://192.168.1.10:8080. / Hub address \"{u}\" is not valid; for example http://192.168.1.10:8080."
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The hub used when nothing says otherwise: one on this machine, default port.
pub const DEFAULT_HUB: &str = "http://127.0.0.1:8080";

/// Reads the settings file; a missing file is the same as an empty one.
pub fn read_file(path: &Path) -> Result<ConfigFile, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::Parse(path.to_owned(), e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(e) => Err(ConfigError::Read(path.to_owned(), e)),
    }
}

/// Merges file and flags (flags win) and checks the result.
pub fn resolve(
    file: ConfigFile,
    flags: Overrides,
    default_log_dir: PathBuf,
) -> Result<DesktopConfig, ConfigError> {
    let role = flags
        .role
        .or(file.role)
        .ok_or(ConfigError::NoRole)?
        .parse::<Role>()
        .map_err(ConfigError::Role)?;
    let hub = flags.hub.or(file.hub).unwrap_or_else(|| DEFAULT_HUB.into());
    let hub = hub.trim().to_owned();
    let valid = (hub.starts_with("http://") || hub.starts_with("https://"))
        && hub.split("://").nth(1).is_some_and(|rest| !rest.is_empty());
    if !valid {
        return Err(ConfigError::HubUrl(hub));
    }
    let hub = hub.trim_end_matches('/').to_owned();
    Ok(DesktopConfig {
        role,
        hub,
        log_dir: flags.log_dir.or(file.log_dir).unwrap_or(default_log_dir),
        device_token: flags
            .device_token
            .or(file.device_token)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        fingerprint_reader: file.fingerprint_reader.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(role: Option<&str>, hub: Option<&str>) -> Overrides {
        Overrides {
            role: role.map(Into::into),
            hub: hub.map(Into::into),
            ..Default::default()
        }
    }

    fn dirs() -> PathBuf {
        "/l".into()
    }

    #[test]
    fn roles_parse_case_insensitively_and_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.as_str().to_uppercase().parse::<Role>(), Ok(role));
        }
        assert!("loket".parse::<Role>().is_err());
    }

    #[test]
    fn only_public_screens_are_locked() {
        assert!(Role::Kiosk.locked() && Role::Display.locked());
        assert!(!Role::Counter.locked() && !Role::Head.locked());
    }

    #[test]
    fn flags_win_over_the_file() {
        let file = ConfigFile {
            role: Some("display".into()),
            hub: Some("http://10.0.0.2:8080".into()),
            ..Default::default()
        };
        let c = resolve(file, flags(Some("kiosk"), None), dirs()).unwrap();
        assert_eq!(c.role, Role::Kiosk);
        assert_eq!(c.hub, "http://10.0.0.2:8080");
    }

    #[test]
    fn missing_role_and_bad_hub_are_refused_with_bilingual_messages() {
        let err = resolve(ConfigFile::default(), flags(None, None), dirs()).unwrap_err();
        assert!(matches!(err, ConfigError::NoRole));
        assert!(err.to_string().contains("Peran belum dipilih"));
        let err = resolve(
            ConfigFile::default(),
            flags(Some("head"), Some("192.168.1.1")),
            dirs(),
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::HubUrl(_)));
        assert!(err.to_string().contains("/ Hub address"));
    }

    #[test]
    fn trailing_slash_is_dropped_and_default_hub_is_local() {
        let c = resolve(
            ConfigFile::default(),
            flags(Some("head"), Some("http://hub.local:8080/")),
            dirs(),
        )
        .unwrap();
        assert_eq!(c.hub, "http://hub.local:8080");
        let c = resolve(ConfigFile::default(), flags(Some("head"), None), dirs()).unwrap();
        assert_eq!(c.hub, DEFAULT_HUB);
    }

    #[test]
    fn file_is_read_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("desktop.toml");
        assert_eq!(read_file(&p).unwrap(), ConfigFile::default());
        std::fs::write(
            &p,
            "role = \"kiosk\"\nhub = \"http://a:1\"\ndevice_token = \"lkd_x\"\n",
        )
        .unwrap();
        let file = read_file(&p).unwrap();
        assert_eq!(file.role.as_deref(), Some("kiosk"));
        let c = resolve(file, Overrides::default(), dirs()).unwrap();
        assert_eq!(c.device_token.as_deref(), Some("lkd_x"));
        assert_eq!(c.fingerprint_reader, FingerprintReader::Usb);
        std::fs::write(
            &p,
            "role = \"counter\"\nfingerprint_reader = \"simulated\"\n",
        )
        .unwrap();
        let c = resolve(read_file(&p).unwrap(), Overrides::default(), dirs()).unwrap();
        assert_eq!(c.fingerprint_reader, FingerprintReader::Simulated);
        std::fs::write(&p, "role = \"counter\"\nfingerprint_reader = \"camera\"\n").unwrap();
        assert!(matches!(read_file(&p), Err(ConfigError::Parse(..))));
        std::fs::write(&p, "rol = \"counter\"\n").unwrap();
        assert!(matches!(read_file(&p), Err(ConfigError::Parse(..))));
    }
}
