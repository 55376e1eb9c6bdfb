//! `loket photo ...`: passport photo tools (thin glue over `loket-photo-checks`).

use std::path::PathBuf;
use std::process::ExitCode;

/// The photo subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Runs the passport photo checks on an image file and prints the report as JSON.
    /// Exits with status 1 when a check fails.
    Check {
        /// The image (PNG or JPEG): a finished photo or a whole webcam frame.
        file: PathBuf,
        /// Also write the levelled 35x45 crop as JPEG here.
        #[arg(long, value_name = "OUT.jpg")]
        crop: Option<PathBuf>,
        /// Thresholds and output settings (TOML with [checks] and [output]; see docs/photo.md).
        #[arg(long, value_name = "FILE", env = "LOKET_PHOTO_CONFIG")]
        config: Option<PathBuf>,
    },
}

/// Runs one photo subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Check { file, crop, config } => {
            let outcome =
                loket_photo_checks::check_file(&file, crop.as_deref(), config.as_deref())?;
            println!("{}", outcome.json);
            Ok(if outcome.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
