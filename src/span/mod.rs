//! Spans of stored releases: the releases from one version to another, their consecutive
//! diffs (precomputed in the store, cached, or computed), and what is built on them: what
//! `check` needs to know of a span, per-symbol histories, changelogs.

mod cache;
pub mod history;

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::diff::{self, Change, DiffError};
use crate::snapshot::store::{self, Release, Store, StoreError};
use crate::snapshot::Snapshot;
pub use cache::{refresh_store_diffs, StoredDiff, DIFF_FINGERPRINT};

#[derive(Debug, thiserror::Error)]
pub enum SpanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error("`--from {from}` is newer than `--to {to}`; give the older release first")]
    Reversed { from: String, to: String },
    #[error("`{version}` is the oldest stored release of `{package}`: there is nothing to compare it with")]
    Oldest { package: String, version: String },
    #[error("the span holds one release; {hint}")]
    OneRelease { hint: &'static str },
    #[error("cannot write `{path}`: {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot remove `{path}`: {error}")]
    Remove {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// The stored releases from `from` to `to` (inclusive; the oldest and newest stored when not
/// given), oldest first.
pub fn releases(
    store: &Store,
    package: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<Release>, SpanError> {
    let releases = store.releases(package)?;
    let lo = match from {
        Some(v) => store.find(package, v)?.version,
        None => releases[0].version.clone(),
    };
    let hi = match to {
        Some(v) => store.find(package, v)?.version,
        None => releases[releases.len() - 1].version.clone(),
    };
    if lo > hi {
        return Err(SpanError::Reversed {
            from: lo.to_string(),
            to: hi.to_string(),
        });
    }
    Ok(releases
        .into_iter()
        .filter(|r| r.version >= lo && r.version <= hi)
        .collect())
}

/// The releases of a span, loaded in parallel, oldest first.
pub fn load(
    store: &Store,
    package: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<Snapshot>, SpanError> {
    releases(store, package, from, to)?
        .par_iter()
        .map(|r| store::load_release(r).map_err(SpanError::from))
        .collect()
}

/// The release `version` and the one stored before it, loaded: what a changelog of one
/// release compares.
pub fn load_release_pair(
    store: &Store,
    package: &str,
    version: &str,
) -> Result<Vec<Snapshot>, SpanError> {
    let releases = store.releases(package)?;
    let this = store.find(package, version)?;
    let i = releases
        .iter()
        .position(|r| r.version == this.version)
        .expect("found in the list");
    if i == 0 {
        return Err(SpanError::Oldest {
            package: package.to_string(),
            version: version.to_string(),
        });
    }
    let before = releases[i - 1].version.to_string();
    load(store, package, Some(&before), Some(version))
}

/// Every change of a loaded span: its consecutive diffs, concatenated oldest first.
pub fn changes(snaps: &[Snapshot], hint: &'static str) -> Result<Vec<Change>, SpanError> {
    if snaps.len() < 2 {
        return Err(SpanError::OneRelease { hint });
    }
    Ok(consecutive_diffs(snaps)?.into_iter().flatten().collect())
}

/// The diffs of consecutive releases, oldest first.
pub fn consecutive_diffs(snaps: &[Snapshot]) -> Result<Vec<Vec<Change>>, SpanError> {
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
pub fn span_diffs(snaps: &[Snapshot]) -> Result<SpanDiffs, SpanError> {
    if let Some(w) = snaps.windows(2).find(|w| w[0].package != w[1].package) {
        return Err(DiffError::DifferentPackages {
            old: w[0].package.clone(),
            new: w[1].package.clone(),
        }
        .into());
    }
    let surfaces: Vec<diff::Surface> = snaps.par_iter().map(diff::Surface::new).collect();
    let diffs = surfaces
        .par_windows(2)
        .map(|w| diff::diff_surfaces(&w[0], &w[1]))
        .collect();
    // The same maps whether the diffs were computed or read back (see `knowledge`).
    let (public_first, public_last) = match (snaps.first(), snaps.last()) {
        (Some(first), Some(last)) => rayon::join(
            || diff::Surface::preferred_names(first),
            || diff::Surface::preferred_names(last),
        ),
        _ => Default::default(),
    };
    Ok(SpanDiffs {
        diffs,
        public_first,
        public_last,
    })
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

/// Where consecutive diffs may come from besides being computed.
#[derive(Debug, Clone, Default)]
pub struct DiffSources {
    /// Use the store's precomputed diffs and the cache; `false` computes every diff.
    pub reuse: bool,
    /// The user's cache of computed diffs (read, and written with what is computed).
    pub cache_dir: Option<PathBuf>,
}

/// Releases held in memory at once when diffs must be computed: a long span (2.0 → 2.15 is 28
/// releases) would otherwise need gigabytes.
const SPAN_BATCH: usize = 4;

/// Builds [`SpanKnowledge`]. Each consecutive diff comes from the store (precomputed by
/// `sync`), else from the cache, else is computed (and cached); entries are used only when
/// made from the same bytes by the same diff code. So a span whose diffs are known loads only
/// its two ends.
pub fn knowledge(
    store: &Store,
    package: &str,
    from: Option<&str>,
    to: Option<&str>,
    sources: &DiffSources,
) -> Result<SpanKnowledge, SpanError> {
    let releases = releases(store, package, from, to)?;
    let reuse = sources.reuse;
    let cache = sources.cache_dir.as_ref().filter(|_| reuse);
    let digests: Vec<u64> = if reuse {
        releases
            .par_iter()
            .map(store::release_digest)
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let keys: Vec<Option<PathBuf>> = (0..releases.len().saturating_sub(1))
        .map(|i| cache.map(|dir| dir.join(cache::cache_file_name(digests[i], digests[i + 1]))))
        .collect();
    let known: Vec<Option<Vec<Change>>> = (0..keys.len())
        .into_par_iter()
        .map(|i| {
            if !reuse {
                return None;
            }
            let (a, b) = (&releases[i], &releases[i + 1]);
            let (da, db) = (digests[i], digests[i + 1]);
            store
                .stored_diff(package, &a.version, &b.version)
                .and_then(|t| StoredDiff::parse(&t, da, db))
                .or_else(|| {
                    let text = std::fs::read_to_string(keys[i].as_ref()?).ok()?;
                    StoredDiff::parse(&text, da, db)
                })
        })
        .collect();
    if known.iter().all(Option::is_some) {
        let (first, last) = rayon::join(
            || store::load_release(&releases[0]),
            || store::load_release(&releases[releases.len() - 1]),
        );
        let (first, last) = (first?, last?);
        let (public_first, public_last) = rayon::join(
            || diff::Surface::preferred_names(&first),
            || diff::Surface::preferred_names(&last),
        );
        let changes = known.into_iter().flatten().flatten().collect();
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
    let mut tail: Option<(Snapshot, HashMap<String, String>)>;
    let mut start = 0;
    loop {
        let end = (start + SPAN_BATCH).min(releases.len() - 1);
        let snaps = releases[start..=end]
            .par_iter()
            .map(|r| store::load_release(r).map_err(SpanError::from))
            .collect::<Result<Vec<Snapshot>, SpanError>>()?;
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
    let first = first.expect("a span holds at least one release");
    let (last, public_last) = match tail {
        Some(t) => t,
        None => (first.clone(), public_first.clone()),
    };
    for (i, (key, (diff, hit))) in keys.iter().zip(diffs.iter().zip(&known)).enumerate() {
        if let (Some(path), None) = (key, hit) {
            let text = StoredDiff::to_json(
                &releases[i],
                &releases[i + 1],
                (digests[i], digests[i + 1]),
                diff,
            );
            // A cache that cannot be written only costs time on the next run.
            let _ = crate::util::write_atomically(path, text.as_bytes());
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
