//! `loket-fingerprint-probe`: a small driver-level tool used by the replay tests and the
//! capture benchmark (technicians use `loket fingerprint ...`).
//!
//! Usage: `loket-fingerprint-probe list` | `wait` | `capture OUT.png [TIMES]`
//! (`wait`: block up to 2 s for a supported reader).
//! `capture` prints one line `captured WIDTHxHEIGHT score=N model=M` per capture and, with
//! TIMES > 1, the mean time per capture.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use loket_fingerprint::technician::{
    ReaderChoice, capture_first_to_png, describe_reader, list_readers,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("list") => list_readers(ReaderChoice::Usb).map(|readers| {
            for reader in &readers {
                println!("{}", describe_reader(reader));
            }
        }),
        Some("wait") => loket_fingerprint::UsbReaders::new()
            .and_then(|usb| usb.wait_for_reader(Duration::from_secs(2)))
            .map(|reader| {
                println!(
                    "present {} (hot-plug {})",
                    describe_reader(&reader),
                    if loket_fingerprint::UsbReaders::has_hotplug() {
                        "yes"
                    } else {
                        "no, polling"
                    }
                );
            }),
        Some("capture") if args.len() >= 2 => {
            let out = PathBuf::from(&args[1]);
            let times: u32 = args.get(2).and_then(|t| t.parse().ok()).unwrap_or(1).max(1);
            let started = Instant::now();
            let mut result = Ok(());
            for _ in 0..times {
                match capture_first_to_png(ReaderChoice::Usb, Duration::from_secs(5), &out) {
                    Ok(c) => println!(
                        "captured {}x{} score={} model={:?}",
                        c.image.width(),
                        c.image.height(),
                        c.quality.score,
                        c.reader.model
                    ),
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            if result.is_ok() && times > 1 {
                println!(
                    "mean capture time: {:.1} ms over {times} captures",
                    started.elapsed().as_secs_f64() * 1000.0 / f64::from(times)
                );
            }
            result
        }
        _ => {
            eprintln!("usage: loket-fingerprint-probe list | wait | capture OUT.png [TIMES]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Distinct exit code for protocol errors, so tests can tell them apart.
            eprintln!("error: {e}");
            match e {
                loket_fingerprint::ScanError::Protocol { .. } => ExitCode::from(3),
                _ => ExitCode::FAILURE,
            }
        }
    }
}
