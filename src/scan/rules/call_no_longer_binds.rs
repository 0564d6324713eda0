//! ## What it does
//! Checks call sites against the target release's signature(s): a keyword the target does not
//! accept, more positional arguments than it takes, or a required parameter not passed. Only calls
//! that bound to the source release's signature are reported.
//!
//! ## Why is this bad?
//! The call raises `TypeError` after the upgrade.
//!
//! ## Example
//! ```python
//! torch.onnx.export(model, args, "m.onnx", True)  # `export_params` became keyword-only in 2.5
//! ```
//! Use instead:
//! ```python
//! torch.onnx.export(model, args, "m.onnx", export_params=True)
//! ```

use super::{Level, Rule, State, Subject, Verdict, Violation};
use crate::diff::signature::Signature;
use crate::scan::guards::Raises;
use crate::snapshot::{Kind, Symbol};

pub const RULE: Rule = Rule {
    code: "AD004",
    name: "call-no-longer-binds",
    level: Level::Error,
    default: true,
    source: include_str!("call_no_longer_binds.rs"),
    check,
};

/// A call that bound to the source release's signature and binds to none of the target's.
struct CallNoLongerBinds<'a> {
    name: &'a str,
    why: String,
    from: &'a str,
    to: &'a str,
}

impl Violation for CallNoLongerBinds<'_> {
    fn message(&self) -> String {
        format!(
            "this call no longer binds: in {}, `{}` {} (it bound in {})",
            self.to, self.name, self.why, self.from
        )
    }
}

/// Calls through the module or class reach functions, classes and static methods; methods
/// called on an instance are out of reach of static names.
pub(super) fn callable_by_name(sym: &Symbol) -> bool {
    matches!(sym.kind, Kind::Function | Kind::Class | Kind::Staticmethod)
}

fn check(s: &Subject) -> Vec<Verdict> {
    let (State::Present, Some((_, sym)), Some(call)) = (s.state, &s.new, s.call()) else {
        return vec![];
    };
    if !callable_by_name(sym) {
        return vec![];
    }
    let parse = Signature::parse_all;
    let new_sigs = parse(&sym.signatures);
    let old_sigs = s
        .old
        .as_ref()
        .map(|(_, o)| parse(&o.signatures))
        .unwrap_or_default();
    let opaque = |sigs: &[Signature]| sigs.is_empty() || sigs.iter().any(Signature::is_opaque);
    if opaque(&new_sigs) || opaque(&old_sigs) {
        return vec![];
    }
    // Only calls that bound before: otherwise the call, or our signature, was already off.
    match (call.binds(&old_sigs, false), call.binds(&new_sigs, false)) {
        (Ok(()), Err(why)) => {
            let v = CallNoLongerBinds {
                name: s.name,
                why,
                from: &s.k.from.version,
                to: &s.k.to.version,
            };
            vec![Verdict::of(&RULE, s.name, &v).raising(Raises::TypeError)]
        }
        _ => vec![],
    }
}
