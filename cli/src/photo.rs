//! `loket photo ...`: owned by the photo work; placeholder until it lands.

use std::process::ExitCode;

/// The photo subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs one photo subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {}
}
