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

/// The simulated reader `loket hub --demo` offers browsers (they have no USB) at
/// `POST /api/v1/devices/simulated-fingerprint/capture`. Deterministic: fingers with an odd
/// position code (right thumb, right middle, ...) give a noisy print first, so a demo shows
/// a retry; every finger then gives a clean print.
#[derive(Debug, Default)]
pub struct DemoReader;

impl loket_hub::fingerprints::FingerprintDevice for DemoReader {
    fn capture(
        &self,
        finger: loket_fingerprint::session::Finger,
        policy: &loket_fingerprint::CapturePolicy,
    ) -> Result<loket_hub::fingerprints::DeviceCapture, loket_hub::fingerprints::DeviceFailure>
    {
        use loket_fingerprint::simulated::{Degradation, SimulatedScanner, SimulatedStep};
        let mut steps = Vec::new();
        if finger.position_code() % 2 == 1 {
            steps.push(SimulatedStep::Generated(Degradation::Noise(140)));
        }
        steps.push(SimulatedStep::Generated(Degradation::None));
        let mut reader = SimulatedScanner::new(steps);
        let failure = |e: loket_fingerprint::ScanError| loket_hub::fingerprints::DeviceFailure {
            code: e.code().to_string(),
            message_id: e.message_id(),
            message_en: e.message_en(),
        };
        let capture =
            loket_fingerprint::capture_for_counter(&mut reader, policy).map_err(failure)?;
        Ok(device_capture(finger, capture))
    }
}

/// The hub's answer for a counter capture.
fn device_capture(
    finger: loket_fingerprint::session::Finger,
    c: loket_fingerprint::CounterCapture,
) -> loket_hub::fingerprints::DeviceCapture {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    loket_hub::fingerprints::DeviceCapture {
        reader: c.reader,
        finger,
        wsq: b64.encode(&c.wsq),
        preview: format!("data:image/png;base64,{}", b64.encode(&c.png)),
        width: c.image.width(),
        height: c.image.height(),
        ppi: c.image.ppi(),
        score: c.quality.score,
        attempts: c.attempts,
        met_threshold: c.met_threshold,
        attempt_scores: c.attempt_scores,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_hub::fingerprints::FingerprintDevice;

    #[test]
    fn demo_reader_retries_odd_fingers_and_gives_decodable_wsq() {
        use loket_fingerprint::session::Finger;
        let policy = loket_fingerprint::CapturePolicy::default();
        let thumb = DemoReader.capture(Finger::RightThumb, &policy);
        let index = DemoReader.capture(Finger::RightIndex, &policy);
        let (Ok(thumb), Ok(index)) = (thumb, index) else {
            panic!("the simulated reader captures");
        };
        assert_eq!((thumb.attempts, index.attempts), (2, 1));
        assert!(thumb.met_threshold && index.met_threshold);
        assert!(thumb.preview.starts_with("data:image/png;base64,"));
        use base64::Engine as _;
        let wsq = base64::engine::general_purpose::STANDARD
            .decode(&thumb.wsq)
            .unwrap_or_default();
        assert!(loket_fingerprint_formats::wsq::decode(&wsq).is_ok());
    }
}
