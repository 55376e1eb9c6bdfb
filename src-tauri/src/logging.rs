//! Logs go to a daily-rotated file (two weeks kept) and to stderr. Logs carry no personal
//! data: only roles, URLs of the hub and technical errors.

use std::io::IsTerminal as _;
use std::path::Path;

use anyhow::Context as _;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, fmt};

/// Log files kept before the oldest is deleted.
const KEPT_FILES: usize = 14;

/// Starts logging; keep the returned guard alive until exit so the last lines are written.
pub fn init(dir: &Path) -> anyhow::Result<WorkerGuard> {
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "folder log {} tidak bisa dibuat / cannot create log folder {}",
            dir.display(),
            dir.display()
        )
    })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("loket-desktop")
        .filename_suffix("log")
        .max_log_files(KEPT_FILES)
        .build(dir)
        .context("log file / berkas log")?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("LOKET_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(writer).with_ansi(false))
        .with(
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .try_init()
        .context("logging already started")?;
    Ok(guard)
}
