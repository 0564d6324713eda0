//! Commands over several releases of the store: `changelog`, `history`, `tiers`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;

use super::diff::StoreArgs;
use crate::diff::{self, timeline, Change, ChangeKind};
use crate::report::changes;
use crate::snapshot::store::{self, Release};
use crate::snapshot::{is_private_name, Snapshot, Tier};

/// The stored releases from `from` to `to` (inclusive), oldest first.
pub fn span_releases(
    source: &StoreArgs,
    from: Option<&str>,
    to: Option<&str>,
) -> anyhow::Result<Vec<Release>> {
    let store = source.store();
    let releases = store.releases(&source.package)?;
    let lo = match from {
        Some(v) => store.find(&source.package, v)?.version,
        None => releases[0].version.clone(),
    };
    let hi = match to {
        Some(v) => store.find(&source.package, v)?.version,
        None => releases[releases.len() - 1].version.clone(),
    };
    if lo > hi {
        anyhow::bail!("`--from {lo}` is newer than `--to {hi}`; give the older release first");
    }
    Ok(releases
        .into_iter()
        .filter(|r| r.version >= lo && r.version <= hi)
        .collect())
}

/// The stored releases from `from` to `to` (inclusive), oldest first, loaded in parallel.
pub fn load_span(
    source: &StoreArgs,
    from: Option<&str>,
    to: Option<&str>,
) -> anyhow::Result<Vec<Snapshot>> {
    span_releases(source, from, to)?
        .par_iter()
        .map(|r| store::load_release(r).map_err(anyhow::Error::from))
        .collect()
}

/// What `check` needs of a span: its two ends, every consecutive diff, and the definition →
/// shortest public name maps of the ends.
pub struct SpanKnowledge {
    pub first: Snapshot,
    pub last: Snapshot,
    pub changes: Vec<Change>,
    pub public_first: HashMap<String, String>,
    pub public_last: HashMap<String, String>,
}

/// Releases held in memory at once when diffs must be computed: a long span (2.0 → 2.15 is 28
/// releases) would otherwise need gigabytes.
const SPAN_BATCH: usize = 4;

/// A consecutive diff as stored (by `sync` in the store, by `check` in the user's cache), with
/// what it was computed from: both releases' digests and the diff code's fingerprint. An entry
/// that does not match all three is not used.
#[derive(Serialize, serde::Deserialize)]
pub struct StoredDiff {
    pub old: String,
    pub new: String,
    pub old_digest: String,
    pub new_digest: String,
    pub fingerprint: String,
    pub changes: Vec<Change>,
}

/// The build's fingerprint of the diff code (see `build.rs`).
pub const DIFF_FINGERPRINT: &str = env!("APIDRIFT_DIFF_FINGERPRINT");

impl StoredDiff {
    fn parse(text: &str, old: u64, new: u64) -> Option<Vec<Change>> {
        let d: StoredDiff = serde_json::from_str(text).ok()?;
        (d.fingerprint == DIFF_FINGERPRINT
            && d.old_digest == format!("{old:016x}")
            && d.new_digest == format!("{new:016x}"))
        .then_some(d.changes)
    }

    fn to_json(old: &Release, new: &Release, digests: (u64, u64), changes: &[Change]) -> String {
        let d = StoredDiff {
            old: old.version.to_string(),
            new: new.version.to_string(),
            old_digest: format!("{:016x}", digests.0),
            new_digest: format!("{:016x}", digests.1),
            fingerprint: DIFF_FINGERPRINT.to_string(),
            changes: changes.to_vec(),
        };
        // Pretty: the stored ones are committed, and a reviewer reads their git diff.
        serde_json::to_string_pretty(&d).expect("diffs serialise") + "\n"
    }
}

/// Builds [`SpanKnowledge`]. Each consecutive diff comes from the store (precomputed by
/// `sync`), else from the user's cache, else is computed (and cached); entries are used only
/// when made from the same bytes by the same diff code. So a span whose diffs are known loads
/// only its two ends. `APIDRIFT_NO_CACHE=1` computes everything.
pub fn span_knowledge(
    source: &StoreArgs,
    from: Option<&str>,
    to: Option<&str>,
) -> anyhow::Result<SpanKnowledge> {
    let releases = span_releases(source, from, to)?;
    let store = source.store();
    let reuse = !std::env::var_os("APIDRIFT_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0");
    let cache = diff_cache_dir().filter(|_| reuse);
    let digests: Vec<u64> = if reuse {
        releases
            .par_iter()
            .map(store::release_digest)
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let keys: Vec<Option<PathBuf>> = (0..releases.len().saturating_sub(1))
        .map(|i| {
            cache.as_ref().map(|dir| {
                dir.join(format!(
                    "{:016x}-{:016x}-{DIFF_FINGERPRINT}.json",
                    digests[i],
                    digests[i + 1]
                ))
            })
        })
        .collect();
    let cached: Vec<Option<Vec<Change>>> = (0..keys.len())
        .into_par_iter()
        .map(|i| {
            if !reuse {
                return None;
            }
            let (a, b) = (&releases[i], &releases[i + 1]);
            let (da, db) = (digests[i], digests[i + 1]);
            store
                .stored_diff(&source.package, &a.version, &b.version)
                .and_then(|t| StoredDiff::parse(&t, da, db))
                .or_else(|| {
                    let text = std::fs::read_to_string(keys[i].as_ref()?).ok()?;
                    StoredDiff::parse(&text, da, db)
                })
        })
        .collect();
    let ends = || -> anyhow::Result<(Snapshot, Snapshot)> {
        let (a, b) = rayon::join(
            || store::load_release(&releases[0]),
            || store::load_release(&releases[releases.len() - 1]),
        );
        Ok((a?, b?))
    };
    if cached.iter().all(Option::is_some) {
        let (first, last) = ends()?;
        let (public_first, public_last) = rayon::join(
            || diff::Surface::new(&first).into_preferred(),
            || diff::Surface::new(&last).into_preferred(),
        );
        let changes = cached.into_iter().flatten().flatten().collect();
        return Ok(SpanKnowledge {
            first,
            last,
            changes,
            public_first,
            public_last,
        });
    }
    let mut diffs: Vec<Vec<Change>> = Vec::with_capacity(keys.len());
    let mut first = None;
    let mut public_first = HashMap::new();
    let mut tail: Option<(Snapshot, HashMap<String, String>)> = None;
    let mut start = 0;
    while start + 1 < releases.len() || first.is_none() {
        let end = (start + SPAN_BATCH).min(releases.len() - 1);
        let snaps = releases[start..=end]
            .par_iter()
            .map(|r| store::load_release(r).map_err(anyhow::Error::from))
            .collect::<anyhow::Result<Vec<Snapshot>>>()?;
        let span = span_diffs(&snaps)?;
        diffs.extend(span.diffs);
        let mut snaps = snaps.into_iter();
        if first.is_none() {
            first = snaps.next();
            public_first = span.public_first;
        }
        tail = snaps.next_back().map(|s| (s, span.public_last));
        if end + 1 >= releases.len() {
            break;
        }
        start = end;
    }
    let first = first.context("a span holds at least one release")?;
    let (last, public_last) = match tail {
        Some(t) => t,
        None => (first.clone(), public_first.clone()),
    };
    for (i, (key, (diff, hit))) in keys.iter().zip(diffs.iter().zip(&cached)).enumerate() {
        if let (Some(path), None) = (key, hit) {
            let text = StoredDiff::to_json(
                &releases[i],
                &releases[i + 1],
                (digests[i], digests[i + 1]),
                diff,
            );
            // A cache that cannot be written only costs time on the next run.
            let _ = store::write_atomically(path, text.as_bytes());
        }
    }
    Ok(SpanKnowledge {
        first,
        last,
        changes: diffs.into_iter().flatten().collect(),
        public_first,
        public_last,
    })
}

fn diff_cache_dir() -> Option<PathBuf> {
    crate::fetch::cache::Cache::default_root()
        .map(|root| crate::fetch::cache::Cache::new(root).root().join("diffs"))
}

/// Brings `<store>/<package>/diffs/` up to date with the store folder's releases: one file per
/// consecutive pair, made by this build's diff code from the current bytes. Entries that are
/// current stay untouched; stale ones are rewritten, orphans removed. Returns how many files
/// were written or removed.
pub fn refresh_store_diffs(dir: &std::path::Path, package: &str) -> anyhow::Result<usize> {
    let store = store::Store::without_bundle(dir);
    let releases = match store.releases(package) {
        Ok(r) => r,
        Err(store::StoreError::NoPackage { .. }) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let digests = releases
        .par_iter()
        .map(store::release_digest)
        .collect::<Result<Vec<u64>, _>>()?;
    let diffs_dir = store::diffs_dir(dir, package);
    let wanted: Vec<String> = releases
        .windows(2)
        .map(|w| format!("{}..{}.json", w[0].version, w[1].version))
        .collect();
    let stale: Vec<usize> = (0..wanted.len())
        .filter(|&i| {
            std::fs::read_to_string(diffs_dir.join(&wanted[i]))
                .ok()
                .and_then(|t| StoredDiff::parse(&t, digests[i], digests[i + 1]))
                .is_none()
        })
        .collect();
    let mut touched = 0;
    for i in &stale {
        let (a, b) = (&releases[*i], &releases[*i + 1]);
        let (old, new) = rayon::join(|| store::load_release(a), || store::load_release(b));
        let changes: Vec<Change> = consecutive_diffs(&[old?, new?])?
            .into_iter()
            .flatten()
            .collect();
        let text = StoredDiff::to_json(a, b, (digests[*i], digests[*i + 1]), &changes);
        let path = diffs_dir.join(&wanted[*i]);
        store::write_atomically(&path, text.as_bytes())
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        touched += 1;
    }
    for entry in std::fs::read_dir(&diffs_dir)
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !wanted.contains(&name) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove `{}`", entry.path().display()))?;
            touched += 1;
        }
    }
    Ok(touched)
}

/// The diffs of consecutive releases, oldest first.
pub fn consecutive_diffs(snaps: &[Snapshot]) -> anyhow::Result<Vec<Vec<Change>>> {
    Ok(span_diffs(snaps)?.diffs)
}

/// Consecutive diffs of a span, and the definition → shortest public name maps of its first
/// and last release.
pub struct SpanDiffs {
    pub diffs: Vec<Vec<Change>>,
    pub public_first: HashMap<String, String>,
    pub public_last: HashMap<String, String>,
}

/// Diffs a span building each release's surface once (a middle release takes part in two
/// diffs).
pub fn span_diffs(snaps: &[Snapshot]) -> anyhow::Result<SpanDiffs> {
    if let Some(w) = snaps.windows(2).find(|w| w[0].package != w[1].package) {
        anyhow::bail!(diff::DiffError::DifferentPackages {
            old: w[0].package.clone(),
            new: w[1].package.clone()
        });
    }
    let surfaces: Vec<diff::Surface> = snaps.par_iter().map(diff::Surface::new).collect();
    let diffs = surfaces
        .par_windows(2)
        .map(|w| diff::diff_surfaces(&w[0], &w[1]))
        .collect();
    let mut surfaces = surfaces.into_iter();
    let public_first = surfaces
        .next()
        .map(diff::Surface::into_preferred)
        .unwrap_or_default();
    let public_last = surfaces
        .next_back()
        .map(diff::Surface::into_preferred)
        .unwrap_or_else(|| public_first.clone());
    Ok(SpanDiffs {
        diffs,
        public_first,
        public_last,
    })
}

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
    let snaps = match &args.release {
        Some(v) => {
            let store = args.source.store();
            let releases = store.releases(&args.source.package)?;
            let this = store.find(&args.source.package, v)?;
            let i = releases
                .iter()
                .position(|r| r.version == this.version)
                .expect("found in the list");
            anyhow::ensure!(
                i > 0,
                "`{v}` is the oldest stored release of `{}`: there is nothing to compare it with",
                args.source.package
            );
            load_span(
                &args.source,
                Some(&releases[i - 1].version.to_string()),
                Some(v),
            )?
        }
        None => load_span(&args.source, args.from.as_deref(), args.to.as_deref())?,
    };
    anyhow::ensure!(
        snaps.len() >= 2,
        "the span holds one release; a changelog needs two"
    );
    let all: Vec<Change> = consecutive_diffs(&snaps)?.into_iter().flatten().collect();
    let (first, last) = (&snaps[0], &snaps[snaps.len() - 1]);
    let text = match args.format {
        ChangelogFormat::Markdown => changes::markdown(
            &format!(
                "{} {} → {}: API changes",
                last.package, first.version, last.version
            ),
            &all,
        ),
        ChangelogFormat::Json => changes::json(&all),
    };
    super::print(&text)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}

/// Print one symbol's lifecycle across every stored release.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  apidrift history torch.cuda.amp.GradScaler")]
pub struct HistoryArgs {
    /// A public qualified name, e.g. `torch.cuda.amp.GradScaler`.
    pub symbol: String,
    #[arg(long, value_enum, default_value = "human")]
    pub format: super::diff::Format,
    #[command(flatten)]
    pub source: StoreArgs,
}

#[derive(Serialize)]
struct Lifecycle<'a> {
    symbol: &'a str,
    /// Releases in which the name resolves.
    present_in: Vec<&'a str>,
    introduced_in: Option<&'a str>,
    events: Vec<Change>,
}

pub fn history(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let snaps = load_span(&args.source, None, None)?;
    let present_in: Vec<&str> = snaps
        .iter()
        .filter(|s| s.resolve(&args.symbol).is_some())
        .map(|s| s.version.as_str())
        .collect();
    if present_in.is_empty() {
        let newest = &snaps[snaps.len() - 1];
        let mut near: Vec<(f64, &String)> = newest
            .symbols
            .keys()
            .filter(|n| !is_private_name(n))
            .map(|n| (strsim::jaro_winkler(n, &args.symbol), n))
            .filter(|(score, _)| *score > 0.85)
            .collect();
        near.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let names: Vec<String> = near.iter().take(5).map(|(_, n)| format!("`{n}`")).collect();
        let hint = if names.is_empty() {
            String::new()
        } else {
            format!("; did you mean {}?", names.join(", "))
        };
        anyhow::bail!(
            "`{}` is in none of the {} stored releases of `{}`{hint}",
            args.symbol,
            snaps.len(),
            args.source.package
        );
    }
    let diffs = consecutive_diffs(&snaps)?;
    let mut events = Vec::new();
    for h in timeline::histories(&diffs) {
        if h.symbol == args.symbol {
            events.extend(h.events);
        }
    }
    // Moves into this name are part of its story too.
    events.extend(
        diffs
            .iter()
            .flatten()
            .filter(|c| c.new_symbol.as_deref() == Some(args.symbol.as_str()))
            .cloned(),
    );
    events.sort_by(|a, b| {
        let pos = |v: &str| snaps.iter().position(|s| s.version == v);
        pos(&a.new_version)
            .cmp(&pos(&b.new_version))
            .then(a.kind.cmp(&b.kind))
    });
    let introduced_in = (present_in[0] != snaps[0].version).then_some(present_in[0]);
    let life = Lifecycle {
        symbol: &args.symbol,
        present_in: present_in.clone(),
        introduced_in,
        events,
    };
    let text = match args.format {
        super::diff::Format::Json => {
            serde_json::to_string_pretty(&life).context("serialising the history")? + "\n"
        }
        _ => {
            let mut out = format!("{}\n", args.symbol);
            let span = |v: &[&str]| format!("{} … {}", v[0], v[v.len() - 1]);
            let _ = writeln!(
                out,
                "  present in {} of {} stored releases ({})",
                present_in.len(),
                snaps.len(),
                span(&present_in)
            );
            if let Some(v) = introduced_in {
                let _ = writeln!(out, "  {v:<10} introduced");
            }
            for c in &life.events {
                let _ = write!(
                    out,
                    "  {:<10} {}: {}",
                    c.new_version,
                    c.kind.as_str(),
                    c.message
                );
                if let Some(r) = changes::fix(c) {
                    let _ = write!(out, " (use `{r}`)");
                }
                out.push('\n');
            }
            if life.events.is_empty() && introduced_in.is_none() {
                let _ = writeln!(out, "  unchanged across the stored releases");
            }
            out
        }
    };
    super::print(&text)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TierArg {
    Beta,
    Prototype,
    Experimental,
}

impl TierArg {
    fn tier(self) -> Tier {
        match self {
            TierArg::Beta => Tier::Beta,
            TierArg::Prototype => Tier::Prototype,
            TierArg::Experimental => Tier::Experimental,
        }
    }
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
    pub format: super::diff::Format,
    #[command(flatten)]
    pub source: StoreArgs,
}

#[derive(Serialize)]
struct TierEntry {
    symbol: String,
    tier: Tier,
    evidence: String,
}

pub fn tiers(args: TiersArgs) -> anyhow::Result<ExitCode> {
    let snap = args.source.load(&args.version)?;
    let surface = diff::Surface::new(&snap);
    let under = |n: &str| {
        args.module
            .as_ref()
            .is_none_or(|m| n == m || n.starts_with(&format!("{m}.")))
    };
    let mut entries: Vec<TierEntry> = Vec::new();
    for name in surface.names.keys().filter(|n| under(n)) {
        let st = snap.stability(name);
        if st.tier == Tier::Stable
            || st.tier == Tier::Private
            || args.tier.is_some_and(|t| t.tier() != st.tier)
        {
            continue;
        }
        // A tier stated on a module covers its members: list the module, not every member.
        let parent_same = crate::snapshot::split_parent(name)
            .is_some_and(|(p, _)| surface.names.contains_key(p) && snap.stability(p) == st);
        if !parent_same {
            entries.push(TierEntry {
                symbol: name.clone(),
                tier: st.tier,
                evidence: st.evidence,
            });
        }
    }
    let promoted: Vec<Change> = match &args.since {
        Some(older) => {
            let old = args.source.load(older)?;
            diff::diff(&old, &snap)?
                .into_iter()
                .filter(|c| {
                    c.kind == ChangeKind::Promoted
                        || (c.kind == ChangeKind::Moved && is_private_name(&c.symbol))
                })
                .filter(|c| under(&c.symbol))
                .collect()
        }
        None => vec![],
    };
    let text = match args.format {
        super::diff::Format::Json => {
            #[derive(Serialize)]
            struct Out<'a> {
                version: &'a str,
                apis: &'a [TierEntry],
                promoted: &'a [Change],
            }
            serde_json::to_string_pretty(&Out {
                version: &snap.version,
                apis: &entries,
                promoted: &promoted,
            })? + "\n"
        }
        _ => {
            let mut out = String::new();
            let mut grouped: BTreeMap<Tier, BTreeMap<&str, Vec<&TierEntry>>> = BTreeMap::new();
            for e in &entries {
                let module = e
                    .symbol
                    .rsplit_once('.')
                    .map_or(e.symbol.as_str(), |(m, _)| m);
                grouped
                    .entry(e.tier)
                    .or_default()
                    .entry(module)
                    .or_default()
                    .push(e);
            }
            for (tier, modules) in grouped.iter().rev() {
                let n: usize = modules.values().map(Vec::len).sum();
                let _ = writeln!(out, "{} ({n})", tier.as_str());
                for (module, list) in modules {
                    let _ = writeln!(out, "  {module}");
                    for e in list {
                        let _ = writeln!(
                            out,
                            "    {}  — {}",
                            &e.symbol[module.len()..].trim_start_matches('.'),
                            e.evidence
                        );
                    }
                }
            }
            if args.since.is_some() {
                let _ = writeln!(
                    out,
                    "promoted since {} ({})",
                    args.since.as_deref().unwrap_or(""),
                    promoted.len()
                );
                for c in &promoted {
                    let _ = writeln!(out, "  {}", c.message);
                }
            }
            let _ = writeln!(
                out,
                "{} non-stable public APIs in {} {}",
                entries.len(),
                snap.package,
                snap.version
            );
            out
        }
    };
    super::print(&text)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}
