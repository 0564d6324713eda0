//! ## What it does
//! Reports uses of a private path whose definition the target release made public, with the
//! public path.
//!
//! ## Why is this bad?
//! It is not, yet: the private path is a shim now, and the public one is the supported way.
//!
//! ## Example
//! ```python
//! from torch.distributed._tensor import DTensor
//! ```
//! Use instead:
//! ```python
//! from torch.distributed.tensor import DTensor
//! ```

use super::{Level, Rule, State, Subject, Verdict, Violation};
use crate::snapshot::is_private_name;

pub const RULE: Rule = Rule {
    code: "AD008",
    name: "now-public",
    level: Level::Info,
    default: true,
    source: include_str!("now_public.rs"),
    check,
};

/// A private path whose definition has a public name now.
struct NowPublic<'a> {
    name: &'a str,
    public: String,
    /// The release of the span that moved it, when a move says.
    since: Option<&'a str>,
}

impl Violation for NowPublic<'_> {
    fn message(&self) -> String {
        match self.since {
            Some(v) => format!(
                "`{}` is now public at `{}` (since {v})",
                self.name, self.public
            ),
            None => format!("`{}` is now public at `{}`", self.name, self.public),
        }
    }

    fn fix(&self) -> Option<String> {
        Some(self.public.clone())
    }
}

fn check(s: &Subject) -> Vec<Verdict> {
    if s.state != State::Present {
        return vec![];
    }
    let (k, name) = (s.k, s.name);
    if let Some((_, m)) = s.moved {
        if !s.moved_to_public() {
            return vec![];
        }
        let v = NowPublic {
            name,
            public: s.moved_target().unwrap_or_default(),
            since: Some(&m.new_version),
        };
        return vec![Verdict::of(&RULE, name, &v)];
    }
    if !is_private_name(name) {
        return vec![];
    }
    // A definition with a public name in the target that it lacked in the source.
    let public = s
        .new
        .as_ref()
        .and_then(|(def, _)| k.public_name(def))
        .filter(|p| {
            k.from.resolve(p).is_none()
                && !s.old.as_ref().is_some_and(|(d, _)| k.had_public_name(d))
        });
    match public {
        Some(p) => vec![Verdict::of(
            &RULE,
            name,
            &NowPublic {
                name,
                public: p.to_string(),
                since: None,
            },
        )],
        None => vec![],
    }
}
