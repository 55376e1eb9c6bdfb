//! The embedded hub of a one-machine office: the app starts `loket hub` itself, as a child
//! process it supervises (restarted with back-off if it stops, stopped when the app exits),
//! and shows that hub's pages.
//!
//! A child process rather than the hub linked in: the hub keeps its own data-folder lock,
//! logs and crash behaviour (a hub crash never takes the window down, and the window never
//! takes the hub's database down), and it is the same `loket hub` an office server runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the app runs its embedded hub (`hub = "embedded"` in desktop.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedHub {
    /// The `loket` binary.
    pub binary: PathBuf,
    /// The hub's data folder.
    pub data: PathBuf,
    /// Address the hub listens on (`127.0.0.1:8080` for this machine only, `0.0.0.0:8080`
    /// to serve the LAN's display boards and spare kiosks too).
    pub listen: String,
    /// The built UI the hub serves to browsers.
    pub ui: Option<PathBuf>,
    /// Seed the demo office (demonstration machines only).
    pub demo: bool,
}

impl EmbeddedHub {
    /// The URL the window uses to reach it (a wildcard listen address is reached on
    /// loopback).
    pub fn url(&self) -> String {
        let (host, port) = self
            .listen
            .rsplit_once(':')
            .unwrap_or((self.listen.as_str(), "8080"));
        let host = match host {
            "0.0.0.0" | "" | "[::]" | "::" => "127.0.0.1",
            h => h,
        };
        format!("http://{host}:{port}")
    }

    /// The command line of the child.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "hub".to_owned(),
            "--data".to_owned(),
            self.data.display().to_string(),
            "--listen".to_owned(),
            self.listen.clone(),
            // Should the app be killed, the hub stops too instead of holding the data folder.
            "--stop-with-parent".to_owned(),
        ];
        if let Some(ui) = &self.ui {
            args.push("--ui".to_owned());
            args.push(ui.display().to_string());
        }
        if self.demo {
            args.push("--demo".to_owned());
        }
        args
    }
}

/// The `loket` binary beside this app's own (both come in the same package), else `loket`
/// from PATH.
pub fn default_binary(current_exe: Option<&Path>) -> PathBuf {
    current_exe
        .and_then(Path::parent)
        .map(|dir| dir.join("loket"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("loket"))
}

/// The wait before restart number `n` (0-based) of a hub that stopped: 1, 2, 4, ... 30 s.
pub fn restart_delay(n: u32) -> Duration {
    Duration::from_secs(1u64.checked_shl(n.min(5)).unwrap_or(32).min(30))
}

/// A running supervisor; dropping it does not stop the hub, [`Supervisor::stop`] does.
pub struct Supervisor {
    child: Arc<Mutex<Option<Child>>>,
    stopping: Arc<AtomicBool>,
}

impl Supervisor {
    /// Starts the hub and a thread that restarts it whenever it stops.
    pub fn start(hub: EmbeddedHub, log_dir: &Path) -> std::io::Result<Supervisor> {
        std::fs::create_dir_all(log_dir)?;
        let log_path = log_dir.join("embedded-hub.log");
        let child = Arc::new(Mutex::new(Some(spawn(&hub, &log_path)?)));
        let stopping = Arc::new(AtomicBool::new(false));
        let (watched, stop) = (child.clone(), stopping.clone());
        std::thread::Builder::new()
            .name("embedded-hub".into())
            .spawn(move || supervise(hub, log_path, watched, stop))?;
        Ok(Supervisor { child, stopping })
    }

    /// Stops the hub (SIGTERM, then kill after 5 s) and its supervisor.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let Some(mut child) = self.child.lock().ok().and_then(|mut c| c.take()) else {
            return;
        };
        terminate(&child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                tracing::info!("embedded hub stopped");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        tracing::warn!("embedded hub did not stop in 5 s; killed");
    }
}

fn spawn(hub: &EmbeddedHub, log_path: &Path) -> std::io::Result<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)?;
    let child = Command::new(&hub.binary)
        .args(hub.args())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "hub tertanam tidak bisa dijalankan ({}: {e}); pasang paket loket-desktop lengkap atau atur hub_binary. / the embedded hub cannot start ({}: {e}); install the whole loket-desktop package or set hub_binary.",
                    hub.binary.display(),
                    hub.binary.display()
                ),
            )
        })?;
    tracing::info!(pid = child.id(), listen = %hub.listen, "embedded hub started");
    Ok(child)
}

fn supervise(
    hub: EmbeddedHub,
    log_path: PathBuf,
    child: Arc<Mutex<Option<Child>>>,
    stopping: Arc<AtomicBool>,
) {
    let mut restarts = 0u32;
    let mut started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(250));
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let exited = match child.lock() {
            Ok(mut guard) => match guard.as_mut().map(Child::try_wait) {
                Some(Ok(Some(status))) => Some(status),
                Some(Ok(None)) => None,
                Some(Err(_)) | None => return,
            },
            Err(_) => return,
        };
        let Some(status) = exited else { continue };
        // A hub that ran for a while starts again at once; one that keeps failing waits longer.
        if started.elapsed() > Duration::from_secs(60) {
            restarts = 0;
        }
        let delay = restart_delay(restarts);
        tracing::error!(%status, retry_in_s = delay.as_secs(), log = %log_path.display(), "embedded hub stopped");
        std::thread::sleep(delay);
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        restarts = restarts.saturating_add(1);
        started = Instant::now();
        match spawn(&hub, &log_path) {
            Ok(new) => {
                if let Ok(mut guard) = child.lock() {
                    *guard = Some(new);
                }
            }
            Err(e) => tracing::error!(error = %e, "embedded hub restart failed"),
        }
    }
}

#[cfg(unix)]
fn terminate(child: &Child) {
    // SIGTERM lets the hub finish its writes and release its data-folder lock.
    let pid = child.id().to_string();
    let _ = Command::new("kill")
        .args(["-TERM", &pid])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(not(unix))]
fn terminate(_child: &Child) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(listen: &str) -> EmbeddedHub {
        EmbeddedHub {
            binary: "loket".into(),
            data: "/var/lib/loket".into(),
            listen: listen.into(),
            ui: Some("/usr/share/loket/ui".into()),
            demo: false,
        }
    }

    #[test]
    fn the_window_reaches_a_wildcard_hub_on_loopback() {
        assert_eq!(hub("0.0.0.0:8080").url(), "http://127.0.0.1:8080");
        assert_eq!(hub("127.0.0.1:9001").url(), "http://127.0.0.1:9001");
        assert_eq!(hub("192.168.1.10:8080").url(), "http://192.168.1.10:8080");
    }

    #[test]
    fn the_child_gets_the_hubs_command_line() {
        let mut h = hub("127.0.0.1:8080");
        assert_eq!(
            h.args().join(" "),
            "hub --data /var/lib/loket --listen 127.0.0.1:8080 --stop-with-parent --ui /usr/share/loket/ui"
        );
        h.demo = true;
        h.ui = None;
        assert!(h.args().ends_with(&["--demo".to_owned()]));
    }

    #[test]
    fn restarts_back_off_to_thirty_seconds() {
        let delays: Vec<u64> = (0..8).map(|n| restart_delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30, 30]);
    }

    #[test]
    fn a_missing_binary_is_a_clear_error_and_a_dying_hub_is_restarted() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = hub("127.0.0.1:1");
        h.binary = dir.path().join("no-such-loket");
        let err = Supervisor::start(h, dir.path()).err().unwrap().to_string();
        assert!(err.contains("hub_binary"), "{err}");

        // A "hub" that records each start and stops at once.
        let script = dir.path().join("fake-loket");
        let starts = dir.path().join("starts");
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho \"$@\" >> {}\nexit 3\n", starts.display()),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut h = hub("127.0.0.1:1");
        h.binary = script;
        let supervisor = Supervisor::start(h, dir.path()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let count = || {
            std::fs::read_to_string(&starts)
                .map(|s| s.lines().count())
                .unwrap_or(0)
        };
        while count() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        supervisor.stop();
        assert!(count() >= 2, "the hub was started again after it stopped");
        let first = std::fs::read_to_string(&starts).unwrap();
        assert!(first.starts_with("hub --data /var/lib/loket --listen 127.0.0.1:1"));
    }

    #[test]
    fn the_binary_beside_the_app_is_preferred() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("loket-desktop");
        assert_eq!(default_binary(Some(&app)), PathBuf::from("loket"));
        std::fs::write(dir.path().join("loket"), "").unwrap();
        assert_eq!(default_binary(Some(&app)), dir.path().join("loket"));
    }
}
