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
/// no longer bind.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift diff 2.4.0 2.5.0\n  apidrift diff old.yaml new.yaml --format json"
)]
pub struct DiffArgs {
    /// The older release: a snapshot file or a version in the store.
    pub old: String,
    /// The newer release: a snapshot file or a version in the store.
    pub new: String,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub source: StoreArgs,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let old = args.source.load(&args.old)?;
    let new = args.source.load(&args.new)?;
    let list = diff::diff(&old, &new)
        .with_context(|| format!("cannot diff `{}` and `{}`", args.old, args.new))?;
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
