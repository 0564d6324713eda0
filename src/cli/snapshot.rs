//! `apidrift snapshot`: one release's API surface.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::args::NetArgs;
use apidrift::extract::{self, profile, Options};
use apidrift::{snapshot, sync};

/// Extract the API surface of one release from its wheel, statically.
///
/// Reads the package's `.py`/`.pyi` files from SOURCE (a local wheel or folder, or
/// `NAME==VERSION` fetched from a package index) without importing or installing
/// anything, and writes the snapshot YAML: every module, class, function, method and attribute
/// with its signature(s), re-exports as aliases, and deprecation and stability markers with the
/// file:line that stated them. The same input always gives the same bytes.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift snapshot torch-2.5.0-cp312-none-macosx_11_0_arm64.whl -o snapshots/torch/2.5.0.yaml\n  apidrift snapshot .venv/lib/python3.12/site-packages --package torch\n  apidrift snapshot torch==2.5.0 --index-url \"$INDEX\" -v -o snapshots/torch/2.5.0.yaml"
)]
pub struct SnapshotArgs {
    /// A wheel file, a directory holding the package and its `*.dist-info` (an unpacked
    /// wheel or a site-packages folder), or `NAME==VERSION` to fetch from a package index
    /// (only the wheel's Python members are read, with HTTP range requests).
    pub source: PathBuf,
    /// Write the snapshot here (atomically) instead of to standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Import name of the package to snapshot (default: from the distribution's metadata).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,
    /// Extraction profile YAML to use instead of the bundled one (see `profiles/`).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    #[command(flatten)]
    pub net: NetArgs,
}

pub fn run(args: SnapshotArgs) -> anyhow::Result<ExitCode> {
    let profile = args.profile.as_deref().map(profile::load).transpose()?;
    let options = Options {
        package: args.package.clone(),
        profile,
        ..Default::default()
    };
    let pin = args
        .source
        .to_str()
        .filter(|_| !args.source.exists())
        .and_then(sync::parse_pin);
    let snap = match pin {
        Some((name, version)) => {
            let (snap, line) = sync::snapshot_remote(
                name,
                version,
                &args.net.options(),
                options.package.as_deref(),
                options.profile.as_ref(),
                super::Terminal::shared(),
            )?;
            eprintln!("{line}");
            snap
        }
        None => extract::snapshot_path(&args.source, &options)?,
    };
    for s in &snap.skipped {
        eprintln!("warning: skipped `{}`: {}", s.file, s.error);
    }
    let text = snapshot::to_yaml_string(&snap);
    match &args.output {
        Some(path) => apidrift::util::write_atomically(path, text.as_bytes())
            .with_context(|| format!("cannot write snapshot to `{}`", path.display()))?,
        None => super::print(&text).context("cannot write snapshot to standard output")?,
    }
    Ok(ExitCode::from(super::EXIT_CLEAN))
}
