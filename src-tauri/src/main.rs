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

mod camera;
mod config;
mod embedded;
mod fingerprint;
#[cfg(target_os = "linux")]
mod gl_driver;
mod health;
mod logging;
mod printing;
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
    /// Base URL of the office hub, e.g. http://192.168.1.10:8080 (default: this machine),
    /// or `embedded`: this app starts the hub itself (a one-machine office).
    #[arg(long, env = "LOKET_HUB")]
    hub: Option<String>,
    /// Embedded hub: its data folder.
    #[arg(long, env = "LOKET_HUB_DATA")]
    hub_data: Option<PathBuf>,
    /// Embedded hub: where it listens, e.g. 127.0.0.1:8080 or 0.0.0.0:8080.
    #[arg(long, env = "LOKET_HUB_LISTEN")]
    hub_listen: Option<String>,
    /// Embedded hub: the `loket` binary.
    #[arg(long, env = "LOKET_HUB_BINARY")]
    hub_binary: Option<PathBuf>,
    /// Embedded hub: the built UI it serves to browsers.
    #[arg(long, env = "LOKET_HUB_UI")]
    hub_ui: Option<PathBuf>,
    /// Embedded hub: seed the demo office.
    #[arg(long)]
    hub_demo: bool,
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
    /// The kiosk's ESC/POS ticket printer: usb, usb:VID:PID or tcp://HOST[:PORT].
    #[arg(long, env = "LOKET_TICKET_PRINTER")]
    ticket_printer: Option<String>,
    /// Paper roll width of the ticket printer: 58 or 80 (mm).
    #[arg(long, env = "LOKET_PAPER_WIDTH")]
    paper_width: Option<u16>,
}

/// What the pages may ask the app: its role, its hub, its version and whether it has a
/// thermal ticket printer (then the kiosk prints through `print_ticket`).
#[derive(Debug, Clone, serde::Serialize)]
struct DesktopInfo {
    role: config::Role,
    hub: String,
    version: &'static str,
    ticket_printer: bool,
}

#[tauri::command]
fn desktop_info(info: tauri::State<'_, DesktopInfo>) -> DesktopInfo {
    info.inner().clone()
}

/// Prints a ticket on the desk's ESC/POS printer; the error is the driver's bilingual
/// message for the kiosk to show.
#[tauri::command]
async fn print_ticket(
    ticket: printing::TicketFromPage,
    printer: tauri::State<'_, Option<printing::TicketPrinter>>,
) -> Result<printing::Printed, String> {
    let Some(printer) = printer.inner().clone() else {
        return Err("Anjungan ini tidak punya printer tiket; atur ticket_printer di desktop.toml. / This kiosk has no ticket printer; set ticket_printer in desktop.toml.".into());
    };
    let number = ticket.number.clone();
    let result = tauri::async_runtime::spawn_blocking(move || printing::print(&printer, &ticket))
        .await
        .map_err(|e| format!("Pencetakan terhenti ({e}). / Printing stopped ({e})."))?;
    match &result {
        Ok(p) => tracing::info!(ticket = %number, bytes = p.bytes_sent, "ticket printed"),
        Err(e) => tracing::warn!(ticket = %number, error = %e, "ticket not printed"),
    }
    result
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
        ticket_printer: flags.ticket_printer,
        paper_width: flags.paper_width,
        hub_data: flags.hub_data,
        hub_listen: flags.hub_listen,
        hub_binary: flags.hub_binary,
        hub_ui: flags.hub_ui,
        hub_demo: flags.hub_demo.then_some(true),
    };
    let installed_ui = PathBuf::from("/usr/share/loket/ui");
    let defaults = config::Defaults {
        log_dir: default_log_dir(),
        hub_binary: embedded::default_binary(std::env::current_exe().ok().as_deref()),
        hub_ui: installed_ui
            .join("index.html")
            .is_file()
            .then_some(installed_ui),
    };
    Ok(config::resolve(file, overrides, defaults)?)
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
    // Before any thread starts: it changes the environment (see gl_driver).
    #[cfg(target_os = "linux")]
    let gl = (!config.gpu_compositing).then(gl_driver::keep_out_of_this_process);
    #[cfg(not(target_os = "linux"))]
    let gl: Option<()> = None;
    match run(config, started, gl) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "loket-desktop stopped");
            eprintln!("loket-desktop: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(
    config: DesktopConfig,
    started: std::time::Instant,
    gl: Option<impl std::fmt::Debug>,
) -> anyhow::Result<()> {
    let _log_guard = logging::init(&config.log_dir)?;
    let hub_url = config.hub.clone();
    tracing::info!(role = %config.role, hub = %hub_url, "starting");
    if let Some(gl) = gl {
        tracing::info!(outcome = ?gl, "OpenGL driver in the app process (software rendering)");
    }
    let info = DesktopInfo {
        role: config.role,
        hub: hub_url.clone(),
        version: env!("CARGO_PKG_VERSION"),
        ticket_printer: config.ticket_printer.is_some(),
    };
    if let Some(p) = &config.ticket_printer {
        tracing::info!(printer = ?p.destination, "ticket printer configured");
    }
    let hub_process = match &config.embedded_hub {
        Some(hub) => Some(
            embedded::Supervisor::start(hub.clone(), &config.log_dir)
                .context("embedded hub / hub tertanam")?,
        ),
        None => None,
    };
    let app = tauri::Builder::default()
        .manage(info)
        .manage(config.ticket_printer.clone())
        .manage(config.fingerprint_reader)
        .invoke_handler(tauri::generate_handler![
            desktop_info,
            print_ticket,
            fingerprint::fingerprint_readers,
            fingerprint::fingerprint_capture
        ])
        .setup(move |app| {
            roles::open_window(
                app.handle(),
                config.role,
                &hub_url,
                config.device_token.as_deref(),
                config.gpu_compositing,
                started,
            )?;
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(err) => {
            if let Some(hub) = &hub_process {
                hub.stop();
            }
            return Err(err).context("the window system failed / sistem jendela gagal");
        }
    };
    app.run(move |_, event| {
        if let tauri::RunEvent::Exit = event
            && let Some(hub) = &hub_process
        {
            hub.stop();
        }
    });
    Ok(())
}
