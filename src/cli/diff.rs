//! `apidrift diff`: two releases, or a span composed into per-symbol histories.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::args::{ChangeFormat, StoreArgs};
use apidrift::diff::{self, timeline};
use apidrift::report::{self, SpanHistories};
use apidrift::span;

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
    pub format: ChangeFormat,
    #[command(flatten)]
    pub source: StoreArgs,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let emitter = report::emitter(args.format.format());
    let text = match (&args.old, &args.new) {
        (Some(old_spec), Some(new_spec)) => {
            let (old, new) =
                rayon::join(|| args.source.load(old_spec), || args.source.load(new_spec));
            let (old, new) = (old?, new?);
            let list = diff::diff(&old, &new)
                .with_context(|| format!("cannot diff `{old_spec}` and `{new_spec}`"))?;
            let title = format!("{} {} → {}", new.package, old.version, new.version);
            emitter.changes(&title, &list)?
        }
        _ => {
            let store = args.source.store();
            let snaps = span::load(
                &store,
                &args.source.package,
                args.from.as_deref(),
                args.to.as_deref(),
            )?;
            if snaps.len() < 2 {
                anyhow::bail!(span::SpanError::OneRelease {
                    hint: "give `--from` and `--to` two releases apart"
                });
            }
            let diffs = span::consecutive_diffs(&snaps)?;
            let histories = timeline::histories(&diffs);
            let all: Vec<_> = diffs.into_iter().flatten().collect();
            let (first, last) = (&snaps[0], &snaps[snaps.len() - 1]);
            emitter.histories(&SpanHistories {
                title: format!("{} {} → {}", last.package, first.version, last.version),
                releases: snaps.len(),
                histories: &histories,
                changes: &all,
            })?
        }
    };
    super::print(&text)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}
