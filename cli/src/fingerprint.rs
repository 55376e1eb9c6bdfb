//! `loket fingerprint ...`: technicians' commands for checking a reader at installation.
//! Thin glue over `loket_fingerprint::technician`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use loket_fingerprint::technician::{
    ReaderChoice, capture_first_to_png, describe_reader, list_readers,
};

/// The fingerprint subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the supported fingerprint readers that are plugged in.
    List {
        /// Use the simulated reader instead of USB (demos, no hardware).
        #[arg(long)]
        simulated: bool,
    },
    /// Capture one image from the first supported reader, exactly as the reader delivers
    /// it (no scaling, no rotation), and write it as an 8-bit grayscale PNG.
    Capture {
        /// Where to write the PNG.
        #[arg(long, value_name = "FILE.png")]
        out: PathBuf,
        /// Seconds to wait for a finger.
        #[arg(long, default_value_t = 20)]
        timeout: u64,
        /// Use the simulated reader instead of USB (demos, no hardware).
        #[arg(long)]
        simulated: bool,
    },
}

fn choice(simulated: bool) -> ReaderChoice {
    if simulated {
        ReaderChoice::Simulated
    } else {
        ReaderChoice::Usb
    }
}

/// Runs one fingerprint subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::List { simulated } => {
            let readers = list_readers(choice(simulated))?;
            if readers.is_empty() {
                eprintln!("{}", loket_fingerprint::ScanError::NoDevice);
                return Ok(ExitCode::FAILURE);
            }
            for reader in &readers {
                println!("{}", describe_reader(reader));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Capture {
            out,
            timeout,
            simulated,
        } => {
            eprintln!("Letakkan jari pada pembaca... / Place a finger on the reader...");
            let capture =
                capture_first_to_png(choice(simulated), Duration::from_secs(timeout), &out)?;
            println!(
                "{}: {}x{} px, {} ppi, quality {}/100{} -> {}",
                capture.reader.name,
                capture.image.width(),
                capture.image.height(),
                capture.image.ppi(),
                capture.quality.score,
                if capture.quality.finger_present {
                    ""
                } else {
                    " (no finger detected)"
                },
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
