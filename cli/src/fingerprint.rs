//! `loket fingerprint ...`: owned by the fingerprint work; placeholder until it lands.

use std::process::ExitCode;

/// The fingerprint subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {}

/// Runs one fingerprint subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {}
}
