//! The non-stable public APIs of one release, and what was promoted since an older one.

use serde::Serialize;

use super::{Change, ChangeKind, DiffError, Surface};
use crate::snapshot::{is_private_name, split_parent, Snapshot, Tier};

/// Which APIs to list.
#[derive(Debug, Clone, Default)]
pub struct TierFilter {
    /// Only this tier (beta, prototype or experimental).
    pub tier: Option<Tier>,
    /// Only names under this module prefix.
    pub module: Option<String>,
}

impl TierFilter {
    fn under(&self, name: &str) -> bool {
        self.module.as_ref().is_none_or(|m| {
            name == m
                || name
                    .strip_prefix(m.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    }
}

/// One non-stable public API, with the evidence that set its tier.
#[derive(Debug, Clone, Serialize)]
pub struct TierEntry {
    pub symbol: String,
    pub tier: Tier,
    pub evidence: String,
}

/// The non-stable public APIs of a release, and (with an older release) the promotions since.
#[derive(Debug, Clone, Serialize)]
pub struct TierList {
    #[serde(skip)]
    pub package: String,
    pub version: String,
    pub apis: Vec<TierEntry>,
    /// Promotions toward stable since `since`, private paths made public included.
    pub promoted: Vec<Change>,
    #[serde(skip)]
    pub since: Option<String>,
}

/// Every non-stable public API of `snap` the filter keeps. A tier stated on a module covers
/// its members: the module is listed, not every member.
pub fn non_stable(snap: &Snapshot, filter: &TierFilter) -> Vec<TierEntry> {
    let surface = Surface::new(snap);
    let mut entries = Vec::new();
    for name in surface.names.keys().filter(|n| filter.under(n)) {
        let st = snap.stability(name);
        if st.tier == Tier::Stable
            || st.tier == Tier::Private
            || filter.tier.is_some_and(|t| t != st.tier)
        {
            continue;
        }
        let parent_same = split_parent(name)
            .is_some_and(|(p, _)| surface.names.contains_key(p) && snap.stability(p) == st);
        if !parent_same {
            entries.push(TierEntry {
                symbol: name.to_string(),
                tier: st.tier,
                evidence: st.evidence,
            });
        }
    }
    entries
}

/// What was promoted between `old` and `new`: tier promotions, and private paths whose
/// definition became public.
pub fn promoted(
    old: &Snapshot,
    new: &Snapshot,
    filter: &TierFilter,
) -> Result<Vec<Change>, DiffError> {
    Ok(super::diff(old, new)?
        .into_iter()
        .filter(|c| {
            c.kind == ChangeKind::Promoted
                || (c.kind == ChangeKind::Moved && is_private_name(&c.symbol))
        })
        .filter(|c| filter.under(&c.symbol))
        .collect())
}

/// [`non_stable`] of `new`, with [`promoted`] since `old` when given.
pub fn tier_list(
    new: &Snapshot,
    old: Option<&Snapshot>,
    filter: &TierFilter,
) -> Result<TierList, DiffError> {
    Ok(TierList {
        package: new.package.clone(),
        version: new.version.clone(),
        apis: non_stable(new, filter),
        promoted: match old {
            Some(old) => promoted(old, new, filter)?,
            None => Vec::new(),
        },
        since: old.map(|o| o.version.clone()),
    })
}
