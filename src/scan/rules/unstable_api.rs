//! ## What it does
//! Reports uses of APIs that the target release marks beta, prototype or experimental (docstring
//! warnings, `experimental` modules), with the evidence. Off unless selected.
//!
//! ## Why is this bad?
//! Unstable APIs may change or disappear in any release without a deprecation period.

use super::{Level, Rule, State, Subject, Verdict, Violation};
use crate::snapshot::{Stability, Tier};

pub const RULE: Rule = Rule {
    code: "AD006",
    name: "unstable-api",
    level: Level::Info,
    default: false,
    source: include_str!("unstable_api.rs"),
    check,
};

/// A use of an API the target release does not call stable.
struct UnstableApi<'a> {
    name: &'a str,
    target: &'a str,
    stability: Stability,
}

impl Violation for UnstableApi<'_> {
    fn message(&self) -> String {
        format!(
            "`{}` is {} in {} ({})",
            self.name,
            self.stability.tier.as_str(),
            self.target,
            self.stability.evidence
        )
    }
}

fn check(s: &Subject) -> Vec<Verdict> {
    if s.state != State::Present || s.new.is_none() {
        return vec![];
    }
    let stability = s.k.to.stability(s.name);
    if !matches!(
        stability.tier,
        Tier::Beta | Tier::Prototype | Tier::Experimental
    ) {
        return vec![];
    }
    let v = UnstableApi {
        name: s.name,
        target: &s.k.to.version,
        stability,
    };
    vec![Verdict::of(&RULE, s.name, &v)]
}
