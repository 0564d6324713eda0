//! ## What it does
//! Flags uses of an API whose definition moved to a new path in the span. An error when the old
//! path is gone; an info when the old path still re-exports the new one, since the code still
//! runs (if the old path is deprecated too, `deprecated-api` warns of that).
//!
//! ## Why is this bad?
//! Imports of the old path broke, or break if the re-export is removed.
//!
//! ## Example
//! ```python
//! from torch.ao.quantization.pt2e.generate_numeric_debug_handle import generate_numeric_debug_handle
//! ```
//! Use instead:
//! ```python
//! from torch.ao.quantization import generate_numeric_debug_handle
//! ```

use super::{Level, Rule, State, Subject, Verdict, Violation};

pub const RULE: Rule = Rule {
    code: "AD002",
    name: "moved-api",
    level: Level::Error,
    default: true,
    source: include_str!("moved_api.rs"),
    check,
};

/// A use of the old path of a definition that moved.
struct MovedApi<'a> {
    name: &'a str,
    to: String,
    /// The release of the span that moved it.
    since: &'a str,
    target: &'a str,
    /// The old path still re-exports the new definition.
    shim: bool,
}

impl Violation for MovedApi<'_> {
    fn message(&self) -> String {
        let (name, to, since) = (self.name, &self.to, self.since);
        if self.shim {
            format!("`{name}` moved to `{to}` in {since}; the old path still re-exports it")
        } else {
            format!(
                "`{name}` moved to `{to}` in {since}; the old path is gone in {}",
                self.target
            )
        }
    }

    fn fix(&self) -> Option<String> {
        Some(self.to.clone())
    }
}

fn check(s: &Subject) -> Vec<Verdict> {
    let (Some((_, m)), Some(to)) = (s.moved, s.moved_target()) else {
        return vec![];
    };
    let v = MovedApi {
        name: s.name,
        since: &m.new_version,
        target: &s.k.to.version,
        shim: s.state != State::Gone,
        to,
    };
    match s.state {
        State::Gone => vec![Verdict::of(&RULE, s.name, &v)],
        // A private path made public is `now-public`'s.
        State::Present if !s.moved_to_public() => {
            vec![Verdict::of(&RULE, s.name, &v).at_level(Level::Info)]
        }
        _ => vec![],
    }
}
