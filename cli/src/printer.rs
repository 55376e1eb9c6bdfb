//! `loket printer ...`: owned by the printer work; placeholder until it lands.

use std::process::ExitCode;

/// The printer subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs one printer subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {}
}
