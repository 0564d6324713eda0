//! ## What it does
//! Flags uses of an API that the target release removed, or turned into a tombstone that always
//! raises (`torch.symeig`: "This function was deprecated since version 1.9 and is now removed").
//!
//! A tombstone in the release you upgrade from is flagged too: such a call raises already, and
//! nothing in the span tells you, so the code that uses it is dead or untested.
//!
//! ## Why is this bad?
//! The code fails at import time or on the first call after the upgrade.
//!
//! ## Example
//! ```python
//! import torch
//! w, v = torch.symeig(a, eigenvectors=True)
//! ```
//! Use instead (the replacement the removal names):
//! ```python
//! w, v = torch.linalg.eigh(a)
//! ```

use super::{when, Level, Rule, State, Subject, Verdict, Violation};
use crate::diff::ChangeKind;
use crate::scan::guards::Raises;
use crate::scan::python::UseKind;

pub const RULE: Rule = Rule {
    code: "AD001",
    name: "removed-api",
    level: Level::Error,
    default: true,
    source: include_str!("removed_api.rs"),
    check,
};

/// A name the target release lacks, or that always raises there.
struct RemovedApi<'a> {
    name: &'a str,
    target: &'a str,
    /// The release of the span that removed it, when the span says.
    since: Option<&'a str>,
    tombstone: bool,
    /// Always raised in the source release too (removed there or earlier).
    before: Option<&'a str>,
    replacement: Option<String>,
}

impl Violation for RemovedApi<'_> {
    fn message(&self) -> String {
        let (name, target) = (self.name, self.target);
        if let Some(from) = self.before {
            format!("`{name}` always raises in {target}: it was removed in {from} or earlier")
        } else if self.tombstone {
            format!(
                "`{name}` was removed{}: in {target} it always raises",
                when("in", self.since)
            )
        } else {
            format!(
                "`{name}` was removed{}; it does not exist in {target}",
                when("in", self.since)
            )
        }
    }

    fn fix(&self) -> Option<String> {
        self.replacement.clone()
    }
}

fn check(s: &Subject) -> Vec<Verdict> {
    let target = s.k.to.version.as_str();
    let v = match s.state {
        State::Gone if s.moved.is_none() => RemovedApi {
            name: s.name,
            target,
            since: s.k.since(s.name, ChangeKind::Removed),
            tombstone: false,
            before: None,
            // The source release's deprecation, else what the removal's diff names (a name
            // added and removed inside the span has no record in the source release).
            replacement: s
                .old
                .as_ref()
                .and_then(|(_, sym)| {
                    sym.deprecated
                        .iter()
                        .find(|d| d.parameter.is_none())
                        .and_then(|d| d.replacement.clone())
                })
                .or_else(|| {
                    s.k.first_change_of(s.name, |c| c.kind == ChangeKind::Removed)?
                        .replacement
                        .clone()
                }),
        },
        State::Tombstoned | State::AlwaysRaised => RemovedApi {
            name: s.name,
            target,
            since: s.k.since(s.name, ChangeKind::Tombstoned),
            tombstone: true,
            before: (s.state == State::AlwaysRaised).then_some(s.k.from.version.as_str()),
            replacement: s
                .new
                .as_ref()
                .and_then(|(_, sym)| sym.tombstone.as_ref()?.replacement.clone()),
        },
        _ => return vec![],
    };
    let raises = match (v.tombstone, s.how) {
        (true, _) => Raises::Other,
        (false, UseKind::Import) => Raises::ImportError,
        (false, _) => Raises::AttributeError,
    };
    vec![Verdict::of(&RULE, s.name, &v).raising(raises)]
}
