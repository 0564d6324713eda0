//! Command-line interface: argument types and one function per subcommand. `main.rs` only
//! parses, dispatches and maps errors to exit codes.

mod check;
pub mod diff;
pub mod fetch;
mod snapshot;
pub mod span;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, as documented in `--help`.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "apidrift",
    version,
    about = "Tells PyTorch users, before they upgrade, what the upgrade will do to their code",
    long_about = "apidrift extracts the API surface of Python package releases statically (no import, \
no install), records stability tiers and deprecations with evidence, and compares releases.",
    after_help = "Exit codes: 0 success, 1 findings at or above --fail-on, 2 usage or tool error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::CheckArgs),
    Rule(check::RuleArgs),
    Snapshot(snapshot::SnapshotArgs),
    Diff(diff::DiffArgs),
    Changelog(span::ChangelogArgs),
    History(span::HistoryArgs),
    Tiers(span::TiersArgs),
    Sync(fetch::SyncArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Rule(args) => check::rule(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Changelog(args) => span::changelog(args),
        Command::History(args) => span::history(args),
        Command::Tiers(args) => span::tiers(args),
        Command::Sync(args) => fetch::sync(args),
    }
}

/// Writes to standard output; a closed pipe (`| head`) is the reader's choice, not a failure.
pub fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}
