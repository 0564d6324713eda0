//! `apidrift check`: the pre-upgrade scan.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::args::StoreArgs;
use apidrift::report::{self, Format};
use apidrift::scan::rules::Level;
use apidrift::scan::{self, CheckSettings};
use apidrift::span::DiffSources;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// The pre-upgrade check: what in your code the upgrade from `--from` to `--to` affects.
///
/// Scans Python files, folders (honouring `.gitignore`) and notebooks, resolves imports and
/// aliases, and reports every use the span changes: removed and moved APIs, deprecations with
/// their replacement, calls that no longer bind, behaviour changes, and on request unstable
/// and private APIs. `--from` defaults to what the project declares (requirements files,
/// pyproject.toml, setup.cfg, environment.yml, lock files); `--to` to the newest release known.
/// Configuration: `[tool.apidrift]` in pyproject.toml; suppress one line with
/// `# apidrift: ignore[AD003]`. `apidrift rule CODE` explains a rule.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift check\n  apidrift check src notebooks --from 2.1 --to 2.6\n  apidrift check --format sarif > apidrift.sarif\n\nExit codes: 0 clean, 1 a finding at or above --fail-on, 2 usage or tool error (including files that could not be checked)."
)]
pub struct CheckArgs {
    /// Files or folders to check.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The release the project uses now (default: from the project's declarations).
    #[arg(long, value_name = "VERSION")]
    pub from: Option<String>,
    /// The release to upgrade to (default: the newest known).
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Lowest level that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Rules to run besides the default ones (codes or names, `ALL`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Rules not to run.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Glob patterns of paths to skip.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Print how many findings each rule and symbol has, most first, instead of the findings
    /// (the exit code is the same).
    #[arg(long)]
    pub statistics: bool,
    #[command(flatten)]
    pub source: StoreArgs,
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    // `APIDRIFT_NO_CACHE=1` computes every diff: for benchmarks and tests of that path.
    let reuse = !std::env::var_os("APIDRIFT_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0");
    let settings = CheckSettings {
        paths: args.paths,
        from: args.from,
        to: args.to,
        select: args.select,
        ignore: args.ignore,
        exclude: args.exclude,
        store: args.source.store(),
        package: args.source.package.clone(),
        diffs: DiffSources {
            reuse,
            cache_dir: apidrift::fetch::cache::Cache::default_root().map(|root| {
                apidrift::fetch::cache::Cache::new(root)
                    .root()
                    .join("diffs")
            }),
        },
    };
    let report = scan::check(&settings)?;
    let format = match args.format {
        CheckFormat::Human => {
            eprintln!(
                "checking {} {} → {} ({})",
                report.package, report.from, report.to, report.why
            );
            for sub in &report.subprojects {
                eprintln!(
                    "  and {} file{} of `{}` {} → {} ({})",
                    sub.files,
                    if sub.files == 1 { "" } else { "s" },
                    sub.path,
                    sub.from,
                    report.to,
                    sub.why
                );
            }
            Format::Human {
                color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            }
        }
        CheckFormat::Json => Format::Json,
        CheckFormat::Sarif => Format::Sarif,
        CheckFormat::Github => Format::Github,
    };
    if args.statistics {
        super::print(&report::statistics(&report))?;
    } else {
        super::print(&report::emitter(format).findings(&report)?)?;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Level::Error),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Info => Some(Level::Info),
        FailOn::Never => None,
    };
    // A file that cannot be read is reported and the rest is checked; the run fails as a
    // tool error only when nothing could be.
    let code = if report.failed() {
        super::EXIT_ERROR
    } else if threshold.is_some_and(|t| report.worst().is_some_and(|w| w <= t)) {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    };
    Ok(ExitCode::from(code))
}
