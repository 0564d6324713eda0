use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::diff;
use crate::report::changes;
use crate::snapshot::store::{self, Store};
use crate::snapshot::Snapshot;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

/// Where releases come from: snapshot files, or versions in the store.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Snapshot store: `<DIR>/<package>/<version>.yaml`.
    #[arg(long, value_name = "DIR", default_value = "snapshots", global = true)]
    pub store: PathBuf,
    /// Package whose releases to use from the store.
    #[arg(long, value_name = "NAME", default_value = "torch", global = true)]
    pub package: String,
}

impl StoreArgs {
    pub fn store(&self) -> Store {
        Store::new(&self.store)
    }

    /// A snapshot file, or a release version found in the store.
    pub fn load(&self, spec: &str) -> anyhow::Result<Snapshot> {
        let path = Path::new(spec);
        if path.is_file() {
            return Ok(store::load_file(path)?);
        }
        if spec.ends_with(".yaml") || spec.contains('/') {
            anyhow::bail!(
                "`{spec}` does not exist; give a snapshot file or a version in the store"
            );
        }
        Ok(self.store().load(&self.package, spec)?)
    }
}

/// Compare two releases: what was added, removed, moved, deprecated, promoted, and which calls
/// no longer bind. With `--from`/`--to`, compose the consecutive releases of the span into
/// per-symbol histories.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift diff 2.4.0 2.5.0\n  apidrift diff old.yaml new.yaml --format json\n  apidrift diff --from 2.3.1 --to 2.6.0"
)]
pub struct DiffArgs {
    /// The older release: a snapshot file or a version in the store.
    #[arg(required_unless_present_any = ["from", "to"])]
    pub old: Option<String>,
    /// The newer release: a snapshot file or a version in the store.
    #[arg(required_unless_present_any = ["from", "to"])]
    pub new: Option<String>,
    /// Start of a span of stored releases (default: the oldest).
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["old", "new"])]
    pub from: Option<String>,
    /// End of a span of stored releases (default: the newest).
    #[arg(long, value_name = "VERSION", conflicts_with_all = ["old", "new"])]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub source: StoreArgs,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let (Some(old_spec), Some(new_spec)) = (&args.old, &args.new) else {
        return span(&args);
    };
    let (old, new) = rayon::join(|| args.source.load(old_spec), || args.source.load(new_spec));
    let (old, new) = (old?, new?);
    let list = diff::diff(&old, &new)
        .with_context(|| format!("cannot diff `{old_spec}` and `{new_spec}`"))?;
    let text = match args.format {
        Format::Human => changes::human(&list),
        Format::Json => changes::json(&list),
        Format::Markdown => changes::markdown(
            &format!("{} {} → {}", new.package, old.version, new.version),
            &list,
        ),
    };
    super::print(&text)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}

/// Per-symbol histories over a span of stored releases.
fn span(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let snaps = super::span::load_span(&args.source, args.from.as_deref(), args.to.as_deref())?;
    anyhow::ensure!(
        snaps.len() >= 2,
        "the span holds one release; give `--from` and `--to` two releases apart"
    );
    let diffs = super::span::consecutive_diffs(&snaps)?;
    let histories = diff::timeline::histories(&diffs);
    let text = match args.format {
        Format::Json => {
            serde_json::to_string_pretty(&histories).context("serialising histories")? + "\n"
        }
        Format::Markdown => {
            let all: Vec<_> = diffs.into_iter().flatten().collect();
            let (first, last) = (&snaps[0], &snaps[snaps.len() - 1]);
            changes::markdown(
                &format!("{} {} → {}", last.package, first.version, last.version),
                &all,
            )
        }
        Format::Human => {
            let mut out = String::new();
            for h in &histories {
                out.push_str(&h.symbol);
                out.push('\n');
                for c in &h.events {
                    out.push_str(&format!(
                        "  {:<10} {:<11} {}\n",
                        c.new_version,
                        c.severity.as_str(),
                        c.message
                    ));
                }
            }
            let all: Vec<_> = diffs.into_iter().flatten().collect();
            out.push_str(&format!(
                "{} symbols changed across {} releases; {}\n",
                histories.len(),
                snaps.len(),
                changes::summary(&all)
            ));
            out
        }
    };
    super::print(&text)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}
