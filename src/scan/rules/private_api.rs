//! ## What it does
//! Reports uses of private APIs (a `_` path component, such as `torch._dynamo` or
//! `torch.utils._pytree`). Off unless selected.
//!
//! ## Why is this bad?
//! Private APIs carry no compatibility promise.

use super::{Level, Rule, State, Subject, Verdict, Violation};
use crate::snapshot::is_private_name;

pub const RULE: Rule = Rule {
    code: "AD007",
    name: "private-api",
    level: Level::Info,
    default: false,
    source: include_str!("private_api.rs"),
    check,
};

/// A use of a private path.
struct PrivateApi<'a> {
    name: &'a str,
}

impl Violation for PrivateApi<'_> {
    fn message(&self) -> String {
        format!("`{}` is private API", self.name)
    }
}

fn check(s: &Subject) -> Vec<Verdict> {
    if s.state != State::Present || s.new.is_none() || !is_private_name(s.name) {
        return vec![];
    }
    vec![Verdict::of(&RULE, s.name, &PrivateApi { name: s.name })]
}
