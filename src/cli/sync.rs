//! `apidrift sync`: the nightly job.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::args::NetArgs;
use apidrift::fetch::human_bytes;
use apidrift::sync::{self, percent, SyncOptions, SyncOutcome};

/// Snapshot every release of a package that the store lacks, and write a changelog for each.
///
/// Lists the package's releases on the index (final releases only, unless --pre), reads only
/// the Python members of one wheel per missing release with HTTP range requests, and writes
/// `<store>/<package>/<version>.yaml` atomically. Running it again does nothing. A lock file
/// in the store keeps two runs from writing at once.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift sync torch --index-url \"$INDEX\" --since 2.0.0 --changelog-dir changelogs\n  PIP_INDEX_URL=... apidrift sync torch --jobs 2 -v\n\nExit codes: 0 success (also when nothing was missing), 2 when a release could not be \
added (the others are still stored)."
)]
pub struct SyncArgs {
    /// The distribution to sync (its store folder has the same name).
    pub package: String,
    /// Only releases at or after this version.
    #[arg(long, value_name = "VERSION")]
    pub since: Option<String>,
    /// Snapshot store: `<DIR>/<package>/<version>.yaml`.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Write a Markdown changelog per new release here (`<package>-<version>.md`), against
    /// the release before it in the store; with `--diffs-only`, rewrite the changelog of every
    /// stored release.
    #[arg(long, value_name = "DIR")]
    pub changelog_dir: Option<PathBuf>,
    /// Releases fetched and snapshotted at once.
    #[arg(short, long, value_name = "N", default_value_t = 2)]
    pub jobs: usize,
    /// When another sync holds the store's lock, wait for it instead of exiting.
    #[arg(long)]
    pub wait: bool,
    /// List the releases that would be added, and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Only bring the store's precomputed diffs (`<store>/<package>/diffs/`) up to date with
    /// its snapshots and this build; no index is needed.
    #[arg(long, conflicts_with = "dry_run")]
    pub diffs_only: bool,
    #[command(flatten)]
    pub net: NetArgs,
}

pub fn run(args: SyncArgs) -> anyhow::Result<ExitCode> {
    let opts = SyncOptions {
        package: args.package,
        since: args.since,
        store: args.store,
        changelog_dir: args.changelog_dir,
        jobs: args.jobs,
        wait: args.wait,
        dry_run: args.dry_run,
        diffs_only: args.diffs_only,
        net: args.net.options(),
    };
    let summary = match sync::sync(&opts, super::Terminal::shared())? {
        SyncOutcome::DiffsRefreshed { folder, touched } => {
            eprintln!(
                "{touched} precomputed diff files written or removed in `{}`",
                folder.display()
            );
            return Ok(ExitCode::from(super::EXIT_CLEAN));
        }
        SyncOutcome::NothingToDo {
            folder,
            total,
            since,
            refreshed,
        } => {
            if refreshed > 0 {
                eprintln!("{refreshed} precomputed diff files brought up to date");
            }
            eprintln!(
                "nothing to do: `{}` holds all {total} releases of {} on the index{}",
                folder.display(),
                opts.package,
                since.map(|s| format!(" since {s}")).unwrap_or_default()
            );
            return Ok(ExitCode::from(super::EXIT_CLEAN));
        }
        SyncOutcome::DryRun { .. } => return Ok(ExitCode::from(super::EXIT_CLEAN)),
        SyncOutcome::Synced(summary) => summary,
    };
    // The ratio is of the stored releases alone; the total also counts retries, index pages
    // and releases that failed.
    let added: Vec<String> = summary.added.iter().map(ToString::to_string).collect();
    eprintln!(
        "added {} release{} of {} ({}); read {}{}; {} transferred in all, in {:.1}s",
        added.len(),
        if added.len() == 1 { "" } else { "s" },
        summary.package,
        added.join(", "),
        human_bytes(summary.read),
        if summary.artifact_bytes > 0 {
            format!(
                " of {} in their artifacts ({:.1}%)",
                human_bytes(summary.artifact_bytes),
                percent(summary.read, summary.artifact_bytes)
            )
        } else {
            String::new()
        },
        human_bytes(summary.transferred),
        summary.elapsed.as_secs_f64()
    );
    if summary.failed.is_empty() {
        return Ok(ExitCode::from(super::EXIT_CLEAN));
    }
    for (v, why) in &summary.failed {
        eprintln!("error: {v}: {why}");
    }
    Ok(ExitCode::from(super::EXIT_ERROR))
}
