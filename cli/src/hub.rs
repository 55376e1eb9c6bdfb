//! `loket hub ...`: owned by the hub work; placeholder until it lands.

use std::process::ExitCode;

/// The hub subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs one hub subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {}
}
