//! `loket-desktop`: the one desktop app of a Loket office. It runs in one of four roles
//! (kiosk, counter, display board, head), chosen by `/etc/loket/desktop.toml` or by
//! `--role`, and shows the pages that the office hub serves (the same pages a browser on
//! the LAN gets), so the app and the hub never disagree about the API.
//!
//! While the hub cannot be reached the window shows the bundled "connecting" page; as soon
//! as the hub's `/healthz` answers, the window moves to the role's page on the hub.
#![cfg_attr(test, allow(clippy::unwrap_used))]
// The release build on Windows must not open a console; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod config;
mod fingerprint;
mod health;
mod logging;
mod roles;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;

use crate::config::{DesktopConfig, Overrides};

/// Command-line flags; each overrides the settings file.
#[derive(Debug, Parser)]
#[command(
    name = "loket-desktop",
    version,
    about = "Loket desktop app (kiosk, counter, display, head)"
)]
struct Flags {
    /// Role of this desk: kiosk, counter, display or head.
    #[arg(long, env = "LOKET_ROLE")]
    role: Option<String>,
    /// Base URL of the office hub, e.g. http://192.168.1.10:8080 (default: this machine).
    #[arg(long, env = "LOKET_HUB")]
    hub: Option<String>,
    /// Settings file.
    #[arg(
        long,
        env = "LOKET_DESKTOP_CONFIG",
        default_value = "/etc/loket/desktop.toml"
    )]
    config: PathBuf,
    /// Folder for the rotating log files.
    #[arg(long, env = "LOKET_LOG_DIR")]
    log_dir: Option<PathBuf>,
    /// Device token of a kiosk or display board (`loket device add kiosk NAME`).
    #[arg(long, env = "LOKET_DEVICE_TOKEN", hide_env_values = true)]
    device_token: Option<String>,
}

/// What the bundled pages may ask the app: its role, its hub and its version.
#[derive(Debug, Clone, serde::Serialize)]
struct DesktopInfo {
    role: config::Role,
    hub: String,
    version: &'static str,
}

#[tauri::command]
fn desktop_info(info: tauri::State<'_, DesktopInfo>) -> DesktopInfo {
    info.inner().clone()
}

fn default_log_dir() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    state.join("loket").join("logs")
}

fn load_config(flags: Flags) -> anyhow::Result<DesktopConfig> {
    let file = config::read_file(&flags.config)?;
    let overrides = Overrides {
        role: flags.role,
        hub: flags.hub,
        log_dir: flags.log_dir,
        device_token: flags.device_token,
    };
    Ok(config::resolve(file, overrides, default_log_dir())?)
}

fn main() -> std::process::ExitCode {
    let started = std::time::Instant::now();
    let flags = Flags::parse();
    let config = match load_config(flags) {
        Ok(c) => c,
        Err(err) => {
            eprintln!("loket-desktop: {err:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match run(config, started) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "loket-desktop stopped");
            eprintln!("loket-desktop: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(config: DesktopConfig, started: std::time::Instant) -> anyhow::Result<()> {
    let _log_guard = logging::init(&config.log_dir)?;
    let hub_url = config.hub.clone();
    tracing::info!(role = %config.role, hub = %hub_url, "starting");
    let info = DesktopInfo {
        role: config.role,
        hub: hub_url.clone(),
        version: env!("CARGO_PKG_VERSION"),
    };
    tauri::Builder::default()
        .manage(info)
        .manage(config.fingerprint_reader)
        .invoke_handler(tauri::generate_handler![
            desktop_info,
            fingerprint::fingerprint_readers,
            fingerprint::fingerprint_capture
        ])
        .setup(move |app| {
            roles::open_window(
                app.handle(),
                config.role,
                &hub_url,
                config.device_token.as_deref(),
                started,
            )?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .context("the window system failed / sistem jendela gagal")
}
