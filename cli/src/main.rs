//! `loket`: the one command-line binary of the office. Thin glue over the library crates:
//! each subcommand lives in its own module, which parses its arguments and calls a library.

use clap::{Parser, Subcommand};

mod care;
mod fingerprint;
mod hub;
mod hub_photo;
mod hub_sync;
mod photo;
mod printer;
mod sync;

/// Loket: the office-side system of an Indonesian immigration office.
#[derive(Debug, Parser)]
#[command(name = "loket", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Hub, bookings, users, day, audit and backups (the office hub's commands).
    #[command(flatten)]
    Hub(hub::Command),
    /// Audit chain check, backup and restore of the hub's data folder.
    #[command(flatten)]
    Care(care::Command),
    /// Fingerprint readers: list them, capture one image (technicians).
    #[command(subcommand)]
    Fingerprint(fingerprint::Command),
    /// Passport photos: run the photo checks on an image file.
    #[command(subcommand)]
    Photo(photo::Command),
    /// Ticket printers: print a sample ticket (technicians).
    #[command(subcommand)]
    Printer(printer::Command),
    /// Sync with the central service: enrolment and status.
    #[command(subcommand)]
    Sync(sync::Command),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hub(c) => hub::run(c),
        Command::Care(c) => care::run(c),
        Command::Fingerprint(c) => fingerprint::run(c),
        Command::Photo(c) => photo::run(c),
        Command::Printer(c) => printer::run(c),
        Command::Sync(c) => sync::run(c),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("loket: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
