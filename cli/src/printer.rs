//! `loket printer ...`: ticket printers (sample ticket, status, USB list) and office
//! printers through CUPS. Thin glue over `loket-printer`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use loket_printer::cups::{Cups, JobState};
use loket_printer::{
    CodePage, Destination, PaperWidth, PrintOptions, print_ticket, query_status, sample_ticket_now,
};

/// The printer subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Prints a sample ticket, to check a ticket printer at installation.
    Test {
        /// The printer: `usb`, `usb:VID:PID` or `tcp://HOST[:PORT]` (port 9100 by default).
        #[arg(long, value_name = "usb|tcp://HOST:PORT")]
        to: String,
        /// Paper width in millimetres: 58 or 80.
        #[arg(long, default_value = "80", value_parser = ["58", "80"])]
        width: String,
        /// Code page the printer is switched to: 1252, 858 or 437.
        #[arg(long, default_value = "1252", value_parser = ["1252", "858", "437"])]
        code_page: String,
    },
    /// Asks a ticket printer for its status (paper, cover, online).
    Status {
        /// The printer: `usb`, `usb:VID:PID` or `tcp://HOST[:PORT]`.
        #[arg(long, value_name = "usb|tcp://HOST:PORT")]
        to: String,
    },
    /// Lists the USB ticket printers connected to this computer.
    List,
    /// Prints a file (PDF) on an office printer through CUPS (`lp`).
    Office {
        /// The file to print.
        file: PathBuf,
        /// CUPS printer name (`lpstat -p` lists them); the default printer when omitted.
        #[arg(short = 'd', long)]
        printer: Option<String>,
        /// Number of copies.
        #[arg(long, default_value_t = 1)]
        copies: u32,
    },
}

const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one printer subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Test {
            to,
            width,
            code_page,
        } => {
            let destination: Destination = to.parse()?;
            let options = PrintOptions {
                width: PaperWidth::from_mm(&width).context("width must be 58 or 80")?,
                code_page: CodePage::from_name(&code_page)
                    .context("code page must be 1252, 858 or 437")?,
                ..PrintOptions::default()
            };
            let mut transport = destination.open(WRITE_TIMEOUT)?;
            let report = print_ticket(transport.as_mut(), &sample_ticket_now(), options)?;
            match report.status {
                Some(_) => {
                    println!("Printer siap (status dijawab). / Printer ready (status answered).")
                }
                None => println!(
                    "Printer tidak menjawab permintaan status; tiket tetap dikirim. / No status answer; ticket sent anyway."
                ),
            }
            println!(
                "Tiket contoh terkirim ke {}: {} bita. / Sample ticket sent: {} bytes.",
                transport.describe(),
                report.bytes_sent,
                report.bytes_sent
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { to } => {
            let destination: Destination = to.parse()?;
            let mut transport = destination.open(WRITE_TIMEOUT)?;
            match query_status(transport.as_mut(), Duration::from_millis(800))? {
                None => {
                    println!(
                        "Printer tidak menjawab permintaan status (DLE EOT). / The printer does not answer status requests."
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(status) => {
                    println!(
                        "offline={} cover_open={} paper_out={} paper_near_end={} fault={}",
                        status.offline,
                        status.cover_open,
                        status.paper_out,
                        status.paper_near_end,
                        status.fault
                    );
                    match status.check() {
                        Ok(()) => {
                            println!("Printer siap. / Printer ready.");
                            Ok(ExitCode::SUCCESS)
                        }
                        Err(e) => {
                            println!("{e}");
                            Ok(ExitCode::from(1))
                        }
                    }
                }
            }
        }
        Command::List => {
            let printers = loket_printer::transport::usb::list_usb_printers()?;
            if printers.is_empty() {
                println!("Tidak ada printer tiket USB. / No USB ticket printer found.");
            }
            for p in printers {
                println!(
                    "usb:{:04x}:{:04x}  bus {} device {}  interface {} out 0x{:02x} in {}",
                    p.vendor_id,
                    p.product_id,
                    p.bus,
                    p.address,
                    p.endpoints.interface,
                    p.endpoints.out,
                    p.endpoints
                        .input
                        .map(|a| format!("0x{a:02x}"))
                        .unwrap_or_else(|| "-".to_string())
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Office {
            file,
            printer,
            copies,
        } => {
            let cups = Cups::default();
            let job = cups.print_file(printer.as_deref(), &file, copies)?;
            let state = match cups.job_state(&job) {
                JobState::Pending => "menunggu/dicetak (pending)",
                JobState::Completed => "selesai (completed)",
                JobState::Unknown => "tidak diketahui (unknown)",
            };
            println!(
                "Pekerjaan cetak {} diterima; status: {state}. / Print job {} accepted.",
                job.id, job.id
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
