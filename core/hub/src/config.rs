//! The hub's configuration: `loket.toml` in the data directory (or a file given with
//! `--config`), then `LOKET_*` environment variables over it. Every key has a default.

use crate::error::{HubError, Result};
use loket_domain::{OfficeTimeZone, RulesConfig};
use loket_fingerprint_formats::session::SessionPolicy;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Name of the configuration file looked for in the data directory.
pub const CONFIG_FILE_NAME: &str = "loket.toml";

/// Everything the hub reads at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    /// Address to listen on (`LOKET_LISTEN`).
    pub listen: String,
    /// Directory of the built front end to serve at `/` (`LOKET_UI_DIR`); `None`: look in
    /// `<exe dir>/../share/loket/ui`, then `ui/dist` under the working directory.
    pub ui_dir: Option<PathBuf>,
    /// This office's M-Paspor office code (`LOKET_OFFICE_CODE`).
    pub office_code: String,
    /// The office's name as shown on kiosk and display (`LOKET_OFFICE_NAME`).
    pub office_name: String,
    /// Hours an officer session lasts (`LOKET_SESSION_HOURS`).
    pub session_hours: u32,
    /// Failed log-ins in a row that lock an account (`LOKET_MAX_FAILED_LOGINS`).
    pub max_failed_logins: u32,
    /// Minutes an account stays locked (`LOKET_LOCKOUT_MINUTES`).
    pub lockout_minutes: u32,
    /// Hours a booking's payment status counts as current after its last download from
    /// central (older: check-in flags `payment_not_verified`) (`LOKET_PAYMENT_FRESH_HOURS`).
    pub payment_fresh_hours: u32,
    /// How many calls the display board's recent list holds.
    pub recent_calls: u32,
    /// Browser origins allowed to change data and open the live socket besides the hub's
    /// own (`LOKET_ALLOWED_ORIGINS`, comma-separated). Default: the desktop app's bundled
    /// pages. See [`crate::origin`].
    pub allowed_origins: Vec<String>,
    /// The office's rules (services, quotas, time zone, call policy...), see `loket-domain`.
    /// `LOKET_TIME_ZONE` (WIB, WITA, WIT) overrides `rules.time_zone`.
    pub rules: RulesConfig,
    /// The CUPS printer that forms and reports go to when an officer prints "at the office"
    /// (`LOKET_OFFICE_PRINTER`); `None`: the hub machine's default CUPS printer.
    pub office_printer: Option<String>,
    /// CUPS's `lp` command (`LOKET_CUPS_LP`), for machines where it lives elsewhere.
    pub cups_lp: PathBuf,
    /// CUPS's `lpstat` command (`LOKET_CUPS_LPSTAT`).
    pub cups_lpstat: PathBuf,
    /// Fingerprints (`[fingerprints]`): finger plan, capture threshold and retry limit,
    /// exception kinds a supervisor confirms. See docs/fingerprint-counter.md.
    pub fingerprints: SessionPolicy,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            listen: "127.0.0.1:8080".to_string(),
            ui_dir: None,
            office_code: "DEMO".to_string(),
            office_name: "Kantor Imigrasi (demo)".to_string(),
            session_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
            payment_fresh_hours: 24,
            recent_calls: 10,
            allowed_origins: crate::origin::default_allowed_origins(),
            rules: RulesConfig::default(),
            office_printer: None,
            cups_lp: PathBuf::from("lp"),
            cups_lpstat: PathBuf::from("lpstat"),
            fingerprints: SessionPolicy::default(),
        }
    }
}

impl HubConfig {
    /// Reads the configuration: `explicit` if given (it must exist), else
    /// `<data_dir>/loket.toml` if present, else the defaults; then the environment.
    pub fn load(data_dir: &Path, explicit: Option<&Path>) -> Result<HubConfig> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => Some(data_dir.join(CONFIG_FILE_NAME)).filter(|p| p.exists()),
        };
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(&p)?;
                HubConfig::from_toml(&text)?
            }
            None => HubConfig::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.validate()?;
        Ok(config)
    }

    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<HubConfig> {
        toml::from_str(text).map_err(|e| HubError::Config(e.to_string()))
    }

    /// Applies `LOKET_*` overrides read through `get`.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<()> {
        fn num(key: &str, v: String) -> Result<u32> {
            v.trim()
                .parse()
                .map_err(|_| HubError::Config(format!("{key} must be a whole number")))
        }
        if let Some(v) = get("LOKET_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("LOKET_UI_DIR") {
            self.ui_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = get("LOKET_OFFICE_CODE") {
            self.office_code = v;
        }
        if let Some(v) = get("LOKET_OFFICE_NAME") {
            self.office_name = v;
        }
        if let Some(v) = get("LOKET_SESSION_HOURS") {
            self.session_hours = num("LOKET_SESSION_HOURS", v)?;
        }
        if let Some(v) = get("LOKET_MAX_FAILED_LOGINS") {
            self.max_failed_logins = num("LOKET_MAX_FAILED_LOGINS", v)?;
        }
        if let Some(v) = get("LOKET_LOCKOUT_MINUTES") {
            self.lockout_minutes = num("LOKET_LOCKOUT_MINUTES", v)?;
        }
        if let Some(v) = get("LOKET_PAYMENT_FRESH_HOURS") {
            self.payment_fresh_hours = num("LOKET_PAYMENT_FRESH_HOURS", v)?;
        }
        if let Some(v) = get("LOKET_ALLOWED_ORIGINS") {
            self.allowed_origins = v
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = get("LOKET_OFFICE_PRINTER") {
            self.office_printer = Some(v.trim().to_owned()).filter(|p| !p.is_empty());
        }
        if let Some(v) = get("LOKET_CUPS_LP") {
            self.cups_lp = PathBuf::from(v);
        }
        if let Some(v) = get("LOKET_CUPS_LPSTAT") {
            self.cups_lpstat = PathBuf::from(v);
        }
        if let Some(v) = get("LOKET_TIME_ZONE") {
            self.rules.time_zone = match v.trim().to_ascii_uppercase().as_str() {
                "WIB" => OfficeTimeZone::Wib,
                "WITA" => OfficeTimeZone::Wita,
                "WIT" => OfficeTimeZone::Wit,
                _ => {
                    return Err(HubError::Config(
                        "LOKET_TIME_ZONE must be WIB, WITA or WIT".into(),
                    ));
                }
            };
        }
        Ok(())
    }

    /// Checks settings that cannot work.
    pub fn validate(&self) -> Result<()> {
        self.rules.validate()?;
        if self.office_code.trim().is_empty() {
            return Err(HubError::Config("office_code must not be empty".into()));
        }
        if let Some(bad) = self
            .allowed_origins
            .iter()
            .find(|o| crate::origin::normalize(o).is_none())
        {
            return Err(HubError::Config(format!(
                "allowed_origins: `{bad}` is not an origin (scheme://host[:port], no path)"
            )));
        }
        let fp = &self.fingerprints;
        let mut plan = fp.plan.clone();
        plan.sort();
        plan.dedup();
        if fp.plan.is_empty()
            || plan.len() != fp.plan.len()
            || fp.capture.threshold > 100
            || fp.capture.max_attempts == 0
        {
            return Err(HubError::Config(
                "fingerprints: the plan needs at least one finger and no finger twice; capture.threshold is 0-100 and capture.max_attempts at least 1".into(),
            ));
        }
        if self.session_hours == 0 || self.max_failed_logins == 0 {
            return Err(HubError::Config(
                "session_hours and max_failed_logins must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The UI directory to serve, if any: the configured one, else the default places.
    pub fn resolve_ui_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = &self.ui_dir {
            return Some(dir.clone());
        }
        let beside_exe = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join("../share/loket/ui")));
        let candidates = beside_exe
            .into_iter()
            .chain(std::iter::once(PathBuf::from("ui/dist")));
        candidates
            .into_iter()
            .find(|d| d.join("index.html").is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file() {
        let mut c = HubConfig::from_toml("office_code = \"JKT\"\n[rules]\ntime_zone = \"WITA\"\n")
            .unwrap_or_default();
        assert_eq!(c.office_code, "JKT");
        assert_eq!(c.rules.time_zone, OfficeTimeZone::Wita);
        let env = |k: &str| match k {
            "LOKET_OFFICE_CODE" => Some("MKS".to_string()),
            "LOKET_TIME_ZONE" => Some("wit".to_string()),
            _ => None,
        };
        assert!(c.apply_env(env).is_ok());
        assert_eq!(c.office_code, "MKS");
        assert_eq!(c.rules.time_zone, OfficeTimeZone::Wit);
    }

    #[test]
    fn allowed_origins_come_from_file_or_environment_and_must_be_origins() {
        let c = HubConfig::default();
        assert!(c.allowed_origins.iter().any(|o| o == "tauri://localhost"));
        let mut c = HubConfig::from_toml("allowed_origins = [\"http://ui.local:5173\"]\n")
            .unwrap_or_default();
        assert_eq!(c.allowed_origins, vec!["http://ui.local:5173".to_string()]);
        assert!(c.validate().is_ok());
        let env = |k: &str| {
            (k == "LOKET_ALLOWED_ORIGINS").then(|| "tauri://localhost, http://a:1".to_string())
        };
        assert!(c.apply_env(env).is_ok());
        assert_eq!(c.allowed_origins.len(), 2);
        c.allowed_origins = vec!["http://a/b".into()];
        assert!(c.validate().is_err());
    }

    #[test]
    fn fingerprint_settings_default_to_ten_fingers_and_can_be_narrowed() {
        use loket_fingerprint_formats::session::{ExceptionKind, Finger};
        let c = HubConfig::default();
        assert_eq!(c.fingerprints.plan.len(), 10);
        assert_eq!(
            c.fingerprints.supervisor_confirms,
            vec![ExceptionKind::Missing]
        );
        let c = HubConfig::from_toml(
            "[fingerprints]\nplan = [\"right_index\", \"left_index\"]\nsupervisor_confirms = []\n[fingerprints.capture]\nthreshold = 70\n",
        )
        .unwrap_or_default();
        assert_eq!(
            c.fingerprints.plan,
            vec![Finger::RightIndex, Finger::LeftIndex]
        );
        assert_eq!(c.fingerprints.capture.threshold, 70);
        assert_eq!(c.fingerprints.capture.max_attempts, 3);
        assert!(c.validate().is_ok());
        let twice =
            HubConfig::from_toml("[fingerprints]\nplan = [\"right_index\", \"right_index\"]\n")
                .unwrap_or_default();
        assert!(twice.validate().is_err());
        assert!(HubConfig::from_toml("[fingerprints]\nthreshold = 1\n").is_err());
    }

    #[test]
    fn bad_values_are_errors() {
        assert!(HubConfig::from_toml("no_such_key = 1").is_err());
        let mut c = HubConfig::default();
        assert!(
            c.apply_env(|k| (k == "LOKET_SESSION_HOURS").then(|| "x".to_string()))
                .is_err()
        );
        assert!(
            c.apply_env(|k| (k == "LOKET_TIME_ZONE").then(|| "CET".to_string()))
                .is_err()
        );
    }
}
