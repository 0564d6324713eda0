//! ## What it does
//! Checks call sites against the target release's signature(s): a keyword the target does not
//! accept, more positional arguments than it takes, or a required parameter not passed. Only calls
//! that bound to the source release's signature are reported, and calls passing a keyword that
//! neither release's Python definition has: those raise before and after the upgrade.
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
    /// How to make the call bind, when the change says (a keyword the target lacks: drop it,
    /// or pass what its deprecation named).
    fix: Option<String>,
    /// The call binds in neither release: it raises before and after the upgrade.
    always: bool,
}

impl Violation for CallNoLongerBinds<'_> {
    fn message(&self) -> String {
        if self.always {
            return format!(
                "this call always raises `TypeError`: in {}, `{}` {} (as in {})",
                self.to, self.name, self.why, self.from
            );
        }
        format!(
            "this call no longer binds: in {}, `{}` {} (it bound in {})",
            self.to, self.name, self.why, self.from
        )
    }

    fn fix(&self) -> Option<String> {
        self.fix.clone()
    }
}

/// Calls whose arguments bind to the signature as written: of functions, classes and static
/// methods, and of methods called on a value of their class (which binds the first
/// parameter). A method called through its class (`Tensor.cross(a, b)`) may be anything's.
pub(super) fn callable_by_name(sym: &Symbol, call: &super::CallShape) -> bool {
    matches!(sym.kind, Kind::Function | Kind::Class | Kind::Staticmethod)
        || (call.on_value && matches!(sym.kind, Kind::Method | Kind::Classmethod))
}

fn check(s: &Subject) -> Vec<Verdict> {
    let (State::Present, Some((_, sym)), Some(call)) = (s.state, &s.new, s.call()) else {
        return vec![];
    };
    if !callable_by_name(sym, &call) {
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
    let takes_in = |sigs: &[Signature], k: &str| {
        sigs.iter().any(|sig| {
            sig.params.iter().any(|p| {
                p.name == k || matches!(p.kind, crate::diff::signature::ParamKind::VarKeyword)
            })
        })
    };
    // Calls that bound before: otherwise the call, or our signature, was already off. The
    // exception is a keyword that neither release has a parameter for: two releases'
    // signatures agreeing on a parameter's absence is a fact of both, and the call raises
    // `TypeError` whatever the upgrade does (code that never ran, or ran on no release).
    let bound = call.binds_first(sym);
    match (call.binds(&old_sigs, bound), call.binds(&new_sigs, bound)) {
        (Err(_), Err(_)) => {
            // A compiled function's stub lists its parameters, not every spelling its
            // argument parser takes (NumPy's `axis=` for `dim=`).
            let Some((def, _)) = &s.new else {
                return vec![];
            };
            if !in_python_source(&s.k.to, def) {
                return vec![];
            }
            // Only a keyword written in the call: a dict's keys may change on the way.
            let Some(k) = call.keywords[..call.written]
                .iter()
                .find(|k| !takes_in(&new_sigs, k) && !takes_in(&old_sigs, k))
            else {
                return vec![];
            };
            let v = CallNoLongerBinds {
                name: s.name,
                why: format!("has no parameter `{k}`"),
                from: &s.k.from.version,
                to: &s.k.to.version,
                fix: Some(format!("drop the `{k}` argument")),
                always: true,
            };
            vec![Verdict::of(&RULE, s.name, &v).raising(Raises::TypeError)]
        }
        (Ok(()), Err(why)) => {
            // A keyword no signature of the target takes: the parameter was removed.
            let takes = |k: &str| takes_in(&new_sigs, k);
            let fix = call.keywords.iter().find(|k| !takes(k)).map(|k| {
                let replacement = s.old.as_ref().and_then(|(_, o)| {
                    o.deprecated
                        .iter()
                        .find(|d| d.parameter.as_deref() == Some(k.as_str()))
                        .and_then(|d| d.replacement.clone())
                });
                match (renamed(&old_sigs, &new_sigs, k), replacement) {
                    (Some(new), _) => format!(
                        "pass it as `{new}=`, the parameter's name in {}",
                        s.k.to.version
                    ),
                    (None, Some(r)) => {
                        format!("drop the `{k}` argument; its deprecation said to use `{r}`")
                    }
                    (None, None) => format!(
                        "drop the `{k}` argument: {} has no such parameter",
                        s.k.to.version
                    ),
                }
            });
            let v = CallNoLongerBinds {
                name: s.name,
                why,
                from: &s.k.from.version,
                to: &s.k.to.version,
                fix,
                always: false,
            };
            vec![Verdict::of(&RULE, s.name, &v).raising(Raises::TypeError)]
        }
        _ => vec![],
    }
}

/// Whether the definition `def` (or the class or module it is in) is Python source, not the
/// stub of compiled code: the nearest location recorded on it or an enclosing name is a `.py`
/// file. A location without a file (`":53"`) is in its module's file.
fn in_python_source(release: &crate::snapshot::Snapshot, def: &str) -> bool {
    let mut name = def;
    loop {
        if let Some(at) = release
            .symbols
            .get(name)
            .and_then(|sym| sym.defined.as_deref())
        {
            let file = at.rsplit_once(':').map_or(at, |(f, _)| f);
            if !file.is_empty() {
                return file.ends_with(".py");
            }
        }
        match name.rsplit_once('.') {
            Some((up, _)) => name = up,
            None => return false,
        }
    }
}

/// The new name of parameter `old_name`: the target's parameter at its place, when that name
/// is new (`resize(x, size)` → `resize(x, new_size)`).
fn renamed(old: &[Signature], new: &[Signature], old_name: &str) -> Option<String> {
    let (o, n) = (old.first()?, new.first()?);
    let at = o.params.iter().position(|p| p.name == old_name)?;
    let candidate = n.params.get(at)?;
    let fresh = !o.params.iter().any(|p| p.name == candidate.name);
    (fresh && candidate.kind == o.params[at].kind).then(|| candidate.name.clone())
}
