//! `loket sync ...`: owned by the sync work; placeholder until it lands.

use std::process::ExitCode;

/// The sync subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs one sync subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {}
}
