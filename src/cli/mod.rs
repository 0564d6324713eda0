//! Command-line interface: argument types and one function per subcommand, each parsing its
//! arguments, calling the library and printing. Shared arguments live in `args`; no two
//! subcommand files use each other.

mod args;
mod check;
mod completions;
mod diff;
mod history;
mod rule;
mod snapshot;
mod sync;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Exit codes, as documented in `--help`.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "apidrift",
    version = completions::version(),
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
    Rule(rule::RuleArgs),
    Snapshot(snapshot::SnapshotArgs),
    Diff(diff::DiffArgs),
    Changelog(history::ChangelogArgs),
    History(history::HistoryArgs),
    Tiers(history::TiersArgs),
    Sync(sync::SyncArgs),
    Completions(completions::CompletionsArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Rule(args) => rule::run(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Changelog(args) => history::changelog(args),
        Command::History(args) => history::history(args),
        Command::Tiers(args) => history::tiers(args),
        Command::Sync(args) => sync::run(args),
        Command::Completions(args) => completions::run(args),
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

/// Progress on standard error: a bar on a terminal, plain lines otherwise (CI logs).
pub struct Terminal {
    multi: Option<MultiProgress>,
    bar: std::sync::Mutex<Option<ProgressBar>>,
}

impl Terminal {
    pub fn shared() -> Arc<Terminal> {
        let multi = std::io::stderr()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Arc::new(Terminal {
            multi,
            bar: Default::default(),
        })
    }

    fn bar(&self) -> Option<ProgressBar> {
        self.bar.lock().ok()?.clone()
    }
}

impl apidrift::progress::Reporter for Terminal {
    fn line(&self, text: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    fn start(&self, total: u64) {
        let Some(m) = &self.multi else { return };
        let bar = m.add(ProgressBar::new(total));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} releases · {msg}",
            )
            .expect("a valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self) {
        if let Some(bar) = self.bar() {
            bar.inc(1);
        }
    }

    fn status(&self, text: &str) {
        if let Some(bar) = self.bar() {
            bar.set_message(text.to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar() {
            bar.finish_and_clear();
        }
    }
}
