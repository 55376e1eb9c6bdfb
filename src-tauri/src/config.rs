//! The app's settings: which role this desk plays and where its office hub is.
//!
//! Settings come from a TOML file (`/etc/loket/desktop.toml` by default, written by the
//! provisioning script) and are overridden by command-line flags. Pure: parsing and merging
//! only, no I/O beyond reading the one file named by the caller.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use loket_printer::{Destination, PaperWidth};
use serde::{Deserialize, Serialize};

use crate::embedded::EmbeddedHub;
use crate::printing::TicketPrinter;

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
    /// The kiosk's ESC/POS ticket printer: `usb`, `usb:VID:PID` or `tcp://HOST[:PORT]`.
    /// Without it the kiosk prints through the page's own print.
    pub ticket_printer: Option<String>,
    /// Paper roll width of the ticket printer, 58 or 80 (mm); 80 by default.
    pub paper_width: Option<u16>,
    /// With `hub = "embedded"`: the hub's data folder (default: `hub` beside the log folder).
    pub hub_data: Option<PathBuf>,
    /// With `hub = "embedded"`: where the hub listens (default `127.0.0.1:8080`).
    pub hub_listen: Option<String>,
    /// With `hub = "embedded"`: the `loket` binary (default: beside the app).
    pub hub_binary: Option<PathBuf>,
    /// With `hub = "embedded"`: the built UI the hub serves (default `/usr/share/loket/ui`).
    pub hub_ui: Option<PathBuf>,
    /// With `hub = "embedded"`: seed the demo office (demonstration machines only).
    pub hub_demo: Option<bool>,
    /// The counter's fingerprint reader: `usb` (default: the supported USB readers) or
    /// `simulated` (demos and training, no hardware).
    pub fingerprint_reader: Option<FingerprintReader>,
    /// Let WebKit composite the page on the GPU (`false` by default: software rendering,
    /// which starts faster and keeps about 80 MB less in memory; the role pages need
    /// nothing more).
    pub gpu_compositing: Option<bool>,
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
    /// `--ticket-printer`.
    pub ticket_printer: Option<String>,
    /// `--paper-width`.
    pub paper_width: Option<u16>,
    /// `--hub-data`.
    pub hub_data: Option<PathBuf>,
    /// `--hub-listen`.
    pub hub_listen: Option<String>,
    /// `--hub-binary`.
    pub hub_binary: Option<PathBuf>,
    /// `--hub-ui`.
    pub hub_ui: Option<PathBuf>,
    /// `--hub-demo`.
    pub hub_demo: Option<bool>,
}

/// Defaults that depend on the machine (found by the caller, so that merging stays pure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    /// Log folder.
    pub log_dir: PathBuf,
    /// The `loket` binary for an embedded hub.
    pub hub_binary: PathBuf,
    /// The built UI for an embedded hub, when installed.
    pub hub_ui: Option<PathBuf>,
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
    /// The kiosk's ESC/POS ticket printer, when it has one.
    pub ticket_printer: Option<TicketPrinter>,
    /// The hub this app starts and supervises (`hub = "embedded"`); `hub` is then its URL.
    pub embedded_hub: Option<EmbeddedHub>,
    /// The counter's fingerprint reader.
    pub fingerprint_reader: FingerprintReader,
    /// Whether WebKit may composite on the GPU.
    pub gpu_compositing: bool,
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
    /// The ticket printer address cannot be used (the driver's message).
    TicketPrinter(String),
    /// The paper width is neither 58 nor 80.
    PaperWidth(u16),
    /// The embedded hub's listen address has no port.
    HubListen(String),
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
            ConfigError::TicketPrinter(message) => write!(
                f,
                "ticket_printer: {message}"
            ),
            ConfigError::HubListen(l) => write!(
                f,
                "Alamat hub_listen \"{l}\" tidak sah; contoh: 127.0.0.1:8080 atau 0.0.0.0:8080. / hub_listen \"{l}\" is not valid; for example 127.0.0.1:8080 or 0.0.0.0:8080."
            ),
            ConfigError::PaperWidth(w) => write!(
                f,
                "Lebar kertas {w} mm tidak didukung; isi paper_width = 58 atau 80. / Paper width {w} mm is not supported; set paper_width = 58 or 80."
            ),
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

/// `hub = "embedded"`: this app starts the office's hub itself (a one-machine office).
pub const EMBEDDED: &str = "embedded";

/// Where an embedded hub listens unless told otherwise: this machine only.
pub const DEFAULT_EMBEDDED_LISTEN: &str = "127.0.0.1:8080";

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
    defaults: Defaults,
) -> Result<DesktopConfig, ConfigError> {
    let role = flags
        .role
        .or(file.role)
        .ok_or(ConfigError::NoRole)?
        .parse::<Role>()
        .map_err(ConfigError::Role)?;
    let hub = flags.hub.or(file.hub).unwrap_or_else(|| DEFAULT_HUB.into());
    let hub = hub.trim().to_owned();
    let log_dir = flags.log_dir.or(file.log_dir).unwrap_or(defaults.log_dir);
    let embedded_hub = hub.eq_ignore_ascii_case(EMBEDDED).then(|| EmbeddedHub {
        binary: flags
            .hub_binary
            .or(file.hub_binary)
            .unwrap_or(defaults.hub_binary),
        data: flags.hub_data.or(file.hub_data).unwrap_or_else(|| {
            log_dir
                .parent()
                .map_or_else(|| PathBuf::from("loket-hub"), |p| p.join("hub"))
        }),
        listen: flags
            .hub_listen
            .or(file.hub_listen)
            .map(|l| l.trim().to_owned())
            .unwrap_or_else(|| DEFAULT_EMBEDDED_LISTEN.into()),
        ui: flags.hub_ui.or(file.hub_ui).or(defaults.hub_ui),
        demo: flags.hub_demo.or(file.hub_demo).unwrap_or(false),
    });
    if let Some(e) = &embedded_hub {
        let port_ok = e
            .listen
            .rsplit_once(':')
            .is_some_and(|(_, port)| port.parse::<u16>().is_ok());
        if !port_ok {
            return Err(ConfigError::HubListen(e.listen.clone()));
        }
    }
    let hub = embedded_hub.as_ref().map_or(hub, EmbeddedHub::url);
    let valid = (hub.starts_with("http://") || hub.starts_with("https://"))
        && hub.split("://").nth(1).is_some_and(|rest| !rest.is_empty());
    if !valid {
        return Err(ConfigError::HubUrl(hub));
    }
    let hub = hub.trim_end_matches('/').to_owned();
    let width = match flags.paper_width.or(file.paper_width) {
        None | Some(80) => PaperWidth::Mm80,
        Some(58) => PaperWidth::Mm58,
        Some(other) => return Err(ConfigError::PaperWidth(other)),
    };
    let ticket_printer = flags
        .ticket_printer
        .or(file.ticket_printer)
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.parse::<Destination>()
                .map(|destination| TicketPrinter { destination, width })
                .map_err(|e| ConfigError::TicketPrinter(e.to_string()))
        })
        .transpose()?;
    Ok(DesktopConfig {
        role,
        ticket_printer,
        embedded_hub,
        hub,
        log_dir,
        device_token: flags
            .device_token
            .or(file.device_token)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        fingerprint_reader: file.fingerprint_reader.unwrap_or_default(),
        gpu_compositing: file.gpu_compositing.unwrap_or(false),
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

    fn dirs() -> Defaults {
        Defaults {
            log_dir: "/s/loket/logs".into(),
            hub_binary: "/usr/bin/loket".into(),
            hub_ui: None,
        }
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
        assert!(!c.gpu_compositing, "software rendering by default");
        std::fs::write(
            &p,
            "role = \"counter\"\nfingerprint_reader = \"simulated\"\ngpu_compositing = true\n",
        )
        .unwrap();
        let c = resolve(read_file(&p).unwrap(), Overrides::default(), dirs()).unwrap();
        assert_eq!(c.fingerprint_reader, FingerprintReader::Simulated);
        assert!(c.gpu_compositing);
        std::fs::write(&p, "role = \"counter\"\nfingerprint_reader = \"camera\"\n").unwrap();
        assert!(matches!(read_file(&p), Err(ConfigError::Parse(..))));
        std::fs::write(&p, "rol = \"counter\"\n").unwrap();
        assert!(matches!(read_file(&p), Err(ConfigError::Parse(..))));
    }

    #[test]
    fn the_ticket_printer_and_its_paper_are_checked() {
        let file = ConfigFile {
            role: Some("kiosk".into()),
            ticket_printer: Some("tcp://10.0.0.9".into()),
            paper_width: Some(58),
            ..Default::default()
        };
        let c = resolve(file.clone(), Overrides::default(), dirs()).unwrap();
        let printer = c.ticket_printer.unwrap();
        assert_eq!(printer.width, PaperWidth::Mm58);
        assert_eq!(
            printer.destination,
            Destination::Tcp {
                address: "10.0.0.9:9100".into()
            }
        );
        // The flag wins; an empty one means no thermal printer.
        let none = Overrides {
            ticket_printer: Some(" ".into()),
            ..Default::default()
        };
        assert!(
            resolve(file.clone(), none, dirs())
                .unwrap()
                .ticket_printer
                .is_none()
        );
        let bad = Overrides {
            ticket_printer: Some("lpt1".into()),
            ..Default::default()
        };
        let err = resolve(file.clone(), bad, dirs()).unwrap_err().to_string();
        assert!(err.starts_with("ticket_printer: "), "{err}");
        let wide = ConfigFile {
            paper_width: Some(110),
            ..file
        };
        let err = resolve(wide, Overrides::default(), dirs())
            .unwrap_err()
            .to_string();
        assert!(err.contains("58 atau 80"), "{err}");
    }

    #[test]
    fn an_embedded_hub_is_started_by_the_app_and_the_window_uses_it() {
        let file = ConfigFile {
            role: Some("counter".into()),
            hub: Some("embedded".into()),
            hub_listen: Some("0.0.0.0:9090".into()),
            ..Default::default()
        };
        let c = resolve(file.clone(), Overrides::default(), dirs()).unwrap();
        assert_eq!(c.hub, "http://127.0.0.1:9090");
        let e = c.embedded_hub.unwrap();
        assert_eq!(e.data, PathBuf::from("/s/loket/hub"));
        assert_eq!(e.binary, PathBuf::from("/usr/bin/loket"));
        assert!(!e.demo);
        let flags = Overrides {
            hub_data: Some("/d".into()),
            hub_demo: Some(true),
            hub_listen: Some("127.0.0.1".into()),
            ..Default::default()
        };
        let err = resolve(file.clone(), flags, dirs())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("hub_listen") && err.contains("127.0.0.1:8080"),
            "{err}"
        );
        // A hub URL means no embedded hub.
        let remote = ConfigFile {
            hub: Some("http://10.0.0.2:8080".into()),
            ..file
        };
        assert!(
            resolve(remote, Overrides::default(), dirs())
                .unwrap()
                .embedded_hub
                .is_none()
        );
    }
}
