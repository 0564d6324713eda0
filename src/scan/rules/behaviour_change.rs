//! ## What it does
//! Flags calls whose behaviour changed in the span without a change of signature, when the call
//! relies on the changed default: a release announced the change with a `FutureWarning`, and a
//! later one made it (`torch.load` without `weights_only` when the span crosses 2.6).
//!
//! ## Why is this bad?
//! The code still runs but does something else: `torch.load` refuses pickled objects it loaded
//! before.
//!
//! ## Example
//! ```python
//! state = torch.load("ckpt.pt")
//! ```
//! Use instead (say what you mean):
//! ```python
//! state = torch.load("ckpt.pt", weights_only=True)
//! ```

use super::{first_sentence, Level, Rule, State, Subject, Verdict, Violation};
use crate::diff::ChangeKind;

pub const RULE: Rule = Rule {
    code: "AD005",
    name: "behaviour-change",
    level: Level::Warning,
    default: true,
    source: include_str!("behaviour_change.rs"),
    check,
};

/// A call relying on behaviour that changed in the span.
struct BehaviourChange<'a> {
    name: &'a str,
    /// The release of the span that changed it.
    since: &'a str,
    /// The parameter whose default behaviour changed, when the change names one.
    parameter: Option<&'a str>,
    /// What the announcement said.
    announcement: &'a str,
}

impl Violation for BehaviourChange<'_> {
    fn message(&self) -> String {
        match self.parameter {
            Some(p) => format!(
                "`{}` changed behaviour in {} for calls without `{p}`: {}",
                self.name,
                self.since,
                first_sentence(self.announcement)
            ),
            None => format!("`{}` changed behaviour in {}", self.name, self.since),
        }
    }

    fn fix(&self) -> Option<String> {
        self.parameter.map(|p| format!("pass `{p}` explicitly"))
    }
}

fn check(s: &Subject) -> Vec<Verdict> {
    let (State::Present, Some((def, sym)), Some(call)) = (s.state, &s.new, s.call()) else {
        return vec![];
    };
    if !super::call_no_longer_binds::callable_by_name(sym) {
        return vec![];
    }
    let k = s.k;
    let canonical = |n: &str| k.to.resolve(n).map(|(d, _)| d);
    k.changes()
        .iter()
        .filter(|c| {
            c.kind == ChangeKind::BehaviourChanged && canonical(&c.symbol).as_ref() == Some(def)
        })
        // Only calls relying on the default: passing the parameter says what is meant.
        .filter(|c| {
            c.parameter
                .as_ref()
                .is_none_or(|p| !call.keywords.contains(p))
        })
        .map(|c| {
            let v = BehaviourChange {
                name: s.name,
                since: &c.new_version,
                parameter: c.parameter.as_deref(),
                announcement: c.old.as_deref().unwrap_or(""),
            };
            Verdict::of(&RULE, s.name, &v)
        })
        .collect()
}
