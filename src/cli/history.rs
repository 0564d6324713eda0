//! Commands over the store's releases: `changelog`, `history`, `tiers`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::args::{StoreArgs, ViewFormat};
use apidrift::diff::tiers::{self, TierFilter};
use apidrift::report::{self, Format};
use apidrift::snapshot::Tier;
use apidrift::span::{self, history};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChangelogFormat {
    Markdown,
    Json,
}

/// Write the changelog of API changes for a span of releases, or for one release.
///
/// Changes are grouped by kind (removed, moved, deprecated, breaking signature changes,
/// behaviour changes, promotions), each with its replacement and evidence, then new APIs by
/// module with counts. Over a span, each entry names the release it happened in.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift changelog --from 2.3.1 --to 2.6.0\n  apidrift changelog --release 2.6.0 --format json"
)]
pub struct ChangelogArgs {
    /// Oldest release of the span (default: the oldest stored).
    #[arg(long, value_name = "VERSION", conflicts_with = "release")]
    pub from: Option<String>,
    /// Newest release of the span (default: the newest stored).
    #[arg(long, value_name = "VERSION", conflicts_with = "release")]
    pub to: Option<String>,
    /// Only this release, against the one before it in the store (for the nightly job).
    #[arg(long, value_name = "VERSION")]
    pub release: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ChangelogFormat,
    #[command(flatten)]
    pub source: StoreArgs,
}

pub fn changelog(args: ChangelogArgs) -> anyhow::Result<ExitCode> {
    let store = args.source.store();
    let package = &args.source.package;
    let snaps = match &args.release {
        Some(v) => span::load_release_pair(&store, package, v)?,
        None => span::load(&store, package, args.from.as_deref(), args.to.as_deref())?,
    };
    let all = span::changes(&snaps, "a changelog needs two")?;
    let (first, last) = (&snaps[0], &snaps[snaps.len() - 1]);
    let title = format!(
        "{} {} → {}: API changes",
        last.package, first.version, last.version
    );
    let format = match args.format {
        ChangelogFormat::Markdown => Format::Markdown,
        ChangelogFormat::Json => Format::Json,
    };
    super::print(&report::emitter(format).changes(&title, &all)?)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}

/// Print one symbol's lifecycle across every stored release.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  apidrift history torch.cuda.amp.GradScaler")]
pub struct HistoryArgs {
    /// A public qualified name, e.g. `torch.cuda.amp.GradScaler`.
    pub symbol: String,
    #[arg(long, value_enum, default_value = "human")]
    pub format: ViewFormat,
    #[command(flatten)]
    pub source: StoreArgs,
}

pub fn history(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let life = history::history(&args.source.store(), &args.source.package, &args.symbol)?;
    super::print(&report::emitter(args.format.format()).lifecycle(&life)?)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TierArg {
    Beta,
    Prototype,
    Experimental,
}

/// List every non-stable public API of a release: PyTorch's missing `tf.experimental`.
///
/// Grouped by tier and module, each with the evidence that set its tier (a docstring warning,
/// an `experimental` path component, an enclosing module's marker).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift tiers 2.5.0 --tier prototype\n  apidrift tiers 2.6.0 --since 2.3.1 --module torch.nn"
)]
pub struct TiersArgs {
    /// The release (a version in the store or a snapshot file).
    pub version: String,
    #[arg(long, value_enum)]
    pub tier: Option<TierArg>,
    /// Only names under this module prefix.
    #[arg(long, value_name = "PREFIX")]
    pub module: Option<String>,
    /// Also show what was promoted (toward stable) between this older release and VERSION.
    #[arg(long, value_name = "OLDER")]
    pub since: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: ViewFormat,
    #[command(flatten)]
    pub source: StoreArgs,
}

pub fn tiers(args: TiersArgs) -> anyhow::Result<ExitCode> {
    let snap = args.source.load(&args.version)?;
    let old = args
        .since
        .as_deref()
        .map(|v| args.source.load(v))
        .transpose()?;
    let filter = TierFilter {
        tier: args.tier.map(|t| match t {
            TierArg::Beta => Tier::Beta,
            TierArg::Prototype => Tier::Prototype,
            TierArg::Experimental => Tier::Experimental,
        }),
        module: args.module,
    };
    let list = tiers::tier_list(&snap, old.as_ref(), &filter)?;
    super::print(&report::emitter(args.format.format()).tiers(&list)?)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}
