//! `loket hub`, `loket import-bookings`, `loket user add`, `loket day close`,
//! `loket device add`: the office hub's commands, thin glue over `loket-hub` (and, for
//! `loket hub` in an enrolled data folder, `loket-sync`: see `hub_sync`).

use anyhow::{Context, bail};
use loket_domain::{DeviceKind, Role};
use loket_hub::{BookingsFile, Hub, HubConfig, Principal, demo};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the hub keeps its database and configuration.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// Data directory (database `loket.db`, optional `loket.toml`).
    #[arg(long, env = "LOKET_DATA", default_value = "loket-data")]
    data: PathBuf,
    /// Configuration file (default: `loket.toml` in the data directory, if present).
    #[arg(long, env = "LOKET_CONFIG")]
    config: Option<PathBuf>,
}

/// The hub subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the office hub: the database and the LAN API (HTTP + WebSocket).
    Hub {
        #[command(flatten)]
        data: DataArgs,
        /// Address to listen on, e.g. 0.0.0.0:8080 (default from the config: 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Seed demo accounts, devices, counters and today's bookings.
        #[arg(long)]
        demo: bool,
        /// Directory of the built front end to serve at `/`.
        #[arg(long)]
        ui: Option<PathBuf>,
        /// Stop (cleanly) when the process that started this hub is gone: the desktop
        /// app's embedded hub, which must not outlive a killed app.
        #[arg(long, hide = true)]
        stop_with_parent: bool,
        /// Photo check and output settings (TOML, docs/photo.md; default: `photo.toml` in
        /// the data directory, if present).
        #[arg(long, value_name = "FILE", env = "LOKET_PHOTO_CONFIG")]
        photo_config: Option<PathBuf>,
    },
    /// Import M-Paspor bookings from a JSON file (format: docs/hub.md).
    ImportBookings {
        /// The JSON file.
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Officer accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The office day.
    #[command(subcommand)]
    Day(DayCommand),
    /// Kiosk and display devices.
    #[command(subcommand)]
    Device(DeviceCommand),
}

/// `loket user ...`
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input (one line).
    Add {
        /// User name.
        username: String,
        /// Role: officer, supervisor, head or admin.
        #[arg(long, default_value = "officer")]
        role: String,
        /// Name shown in the UI (default: the user name).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// `loket day ...`
#[derive(Debug, clap::Subcommand)]
pub enum DayCommand {
    /// End-of-day reset: close every open visit with its outcome and every counter.
    Close {
        #[command(flatten)]
        data: DataArgs,
    },
}

/// `loket device ...`
#[derive(Debug, clap::Subcommand)]
pub enum DeviceCommand {
    /// Register a kiosk or display board and print its token (shown once).
    Add {
        /// `kiosk` or `display`.
        kind: String,
        /// A name for it, e.g. `kiosk-lobby`.
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Runs one hub subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    init_logs();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_async(command))
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("LOKET_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn open(data: &DataArgs, adjust: impl FnOnce(&mut HubConfig)) -> anyhow::Result<Hub> {
    let mut config = HubConfig::load(&data.data, data.config.as_deref())
        .with_context(|| format!("reading the configuration for {}", data.data.display()))?;
    adjust(&mut config);
    Hub::open(&data.data, config)
        .await
        .with_context(|| format!("opening the hub database in {}", data.data.display()))
}

async fn run_async(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Hub {
            data,
            listen,
            demo,
            ui,
            stop_with_parent,
            photo_config,
        } => serve(&data, listen, demo, ui, stop_with_parent, photo_config).await,
        Command::ImportBookings { file, data } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let bookings: BookingsFile = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a bookings file", file.display()))?;
            let hub = open(&data, |_| {}).await?;
            let n = hub
                .import_bookings(&Principal::local("cli"), bookings)
                .await
                .map_err(user_error)?;
            println!("{n} bookings imported");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add {
            username,
            role,
            name,
            data,
        }) => {
            let Some(role) = Role::parse(&role) else {
                bail!("role must be officer, supervisor, head or admin")
            };
            let password = read_password()?;
            let hub = open(&data, |_| {}).await?;
            let name = name.unwrap_or_else(|| username.clone());
            let user = hub
                .add_user(&Principal::local("cli"), &username, &name, role, &password)
                .await
                .map_err(user_error)?;
            println!("account {} ({}) created", user.username, user.role);
            Ok(ExitCode::SUCCESS)
        }
        Command::Day(DayCommand::Close { data }) => {
            let hub = open(&data, |_| {}).await?;
            let report = hub
                .close_day(&Principal::local("cli"))
                .await
                .map_err(user_error)?;
            println!(
                "office day {} closed: {} visits closed, {} counters closed",
                report.office_date, report.closed_visits, report.closed_counters
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Device(DeviceCommand::Add { kind, name, data }) => {
            let kind = match kind.as_str() {
                "kiosk" => DeviceKind::Kiosk,
                "display" => DeviceKind::Display,
                _ => bail!("device kind must be kiosk or display"),
            };
            let hub = open(&data, |_| {}).await?;
            let token = hub
                .add_device(&Principal::local("cli"), kind, &name)
                .await
                .map_err(user_error)?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn user_error(e: loket_hub::HubError) -> anyhow::Error {
    anyhow::anyhow!("{} / {} ({})", e.message_id(), e.message_en(), e)
}

fn read_password() -> anyhow::Result<String> {
    eprintln!("Password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.len() < 8 {
        bail!("Kata sandi minimal 8 karakter. / The password needs at least 8 characters.");
    }
    Ok(password)
}

async fn serve(
    data: &DataArgs,
    listen: Option<String>,
    demo_mode: bool,
    ui: Option<PathBuf>,
    stop_with_parent: bool,
    photo_config: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let hub = open(data, |c| {
        if let Some(l) = listen {
            c.listen = l;
        }
        if let Some(u) = ui {
            c.ui_dir = Some(u);
        }
    })
    .await?;
    // Passport photo checks (loket-photo-checks) for the counters' photo step.
    hub.set_photo_processor(crate::hub_photo::load(&data.data, photo_config.as_deref())?);
    if demo_mode {
        let codes = demo::seed(&hub).await.map_err(user_error)?;
        println!("Demo office seeded. Accounts (user / password):");
        for (user, password, _, role) in demo::DEMO_USERS {
            println!("  {user:<11} {password:<16} {role}");
        }
        println!("  kiosk token:   {}", demo::DEMO_KIOSK_TOKEN);
        println!("  display token: {}", demo::DEMO_DISPLAY_TOKEN);
        println!("  bookings for today: {}", codes.join(", "));
    } else if !hub.has_users().await? {
        println!(
            "No accounts yet: create the first admin with `echo PASSWORD | loket user add admin --role admin --data {}`",
            data.data.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(&hub.config().listen)
        .await
        .with_context(|| format!("listening on {}", hub.config().listen))?;
    let addr = listener.local_addr()?;
    let shown = if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    match hub.config().resolve_ui_dir() {
        Some(dir) => println!("Serving the UI from {}", dir.display()),
        None => println!("No built UI found (build ui/ or pass --ui DIR); serving the API only"),
    }
    println!(
        "Loket hub listening on http://{shown}/ (API: http://{shown}/api/v1, office day {})",
        hub.today()
    );
    if addr.ip().is_unspecified() {
        println!(
            "Other machines on the LAN: http://<this machine's address>:{}/",
            addr.port()
        );
    }
    tracing::info!(%addr, "hub started");
    // Sync with central runs beside the LAN API when the data folder is enrolled.
    let sync = crate::hub_sync::start(&hub, &data.data).await;
    // Browsers have no USB: with demo data the hub offers the simulated fingerprint reader.
    let mut devices = loket_hub::fingerprints::Devices::default();
    if demo_mode {
        devices.simulated_fingerprint = Some(std::sync::Arc::new(crate::fingerprint::DemoReader));
        println!(
            "Simulated fingerprint reader: POST /api/v1/devices/simulated-fingerprint/capture"
        );
    }
    let served = tokio::select! {
        r = loket_hub::serve_with(hub, listener, devices) => r.map_err(user_error),
        _ = shutdown_signal() => {
            tracing::info!("stopping");
            Ok(())
        }
        _ = parent_gone(stop_with_parent) => {
            tracing::info!("the process that started the hub is gone; stopping");
            Ok(())
        }
    };
    if let Some(sync) = sync {
        sync.stop().await;
    }
    served?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves once this process has been re-parented (its parent died), when asked to watch.
async fn parent_gone(watch: bool) {
    #[cfg(unix)]
    if watch {
        let parent = std::os::unix::process::parent_id();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            if std::os::unix::process::parent_id() != parent {
                return;
            }
        }
    }
    let _ = watch;
    std::future::pending::<()>().await;
}

/// Ctrl-C, or SIGTERM (systemd stopping the service).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
