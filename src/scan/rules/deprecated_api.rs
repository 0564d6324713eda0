//! ## What it does
//! Flags uses of an API, or of one of its parameters, that the target release deprecates, with the
//! replacement the deprecation names. A deprecation of leaving a parameter out (its warning tests
//! `if dim is None:`) flags the calls that surely leave it out, not those that pass it; one of
//! constructing a class (its `__init__` warns) flags calls of the class, not subclasses,
//! `isinstance` tests or imports. A call whose shape makes the target warn that its effect will
//! change in a later release (`checkpoint` without `use_reentrant`: "should be passed
//! explicitly. In a future release ... will raise") is flagged too.
//!
//! ## Why is this bad?
//! Deprecated APIs warn on every call and are removed in a later release.
//!
//! ## Example
//! ```python
//! scaler = torch.cuda.amp.GradScaler()
//! ```
//! Use instead:
//! ```python
//! scaler = torch.amp.GradScaler("cuda")
//! ```

use super::{first_sentence, when, Level, Rule, State, Subject, Verdict, Violation};
use crate::diff::ChangeKind;

pub const RULE: Rule = Rule {
    code: "AD003",
    name: "deprecated-api",
    level: Level::Warning,
    default: true,
    source: include_str!("deprecated_api.rs"),
    check,
};

/// A call whose shape (a parameter passed, or left out) makes the target warn that its effect
/// will change in a later release.
struct AnnouncedChange<'a> {
    name: &'a str,
    parameter: &'a str,
    omitted: bool,
    target: &'a str,
    notice: &'a str,
}

impl Violation for AnnouncedChange<'_> {
    fn message(&self) -> String {
        let (name, p, target) = (self.name, self.parameter, self.target);
        let shape = if self.omitted {
            format!("calling `{name}` without `{p}`")
        } else {
            format!("passing `{p}` to `{name}`")
        };
        format!(
            "{shape} warns in {target} that this will change in a later release: {}",
            first_sentence(self.notice)
        )
    }

    fn fix(&self) -> Option<String> {
        self.omitted
            .then(|| format!("pass `{}` explicitly", self.parameter))
    }
}

/// A use of a deprecated API, or a call passing a deprecated parameter.
struct DeprecatedApi<'a> {
    name: &'a str,
    /// For a parameter's deprecation: the parameter.
    parameter: Option<&'a str>,
    /// The deprecation is of leaving the parameter out, and the call does.
    omitted: bool,
    target: &'a str,
    since: Option<&'a str>,
    notice: &'a str,
    replacement: Option<String>,
}

impl Violation for DeprecatedApi<'_> {
    fn message(&self) -> String {
        let (name, notice) = (self.name, first_sentence(self.notice));
        match self.parameter {
            Some(p) if self.omitted => format!(
                "calling `{name}` without `{p}` is deprecated in {}: {notice}",
                self.target
            ),
            Some(p) => format!(
                "parameter `{p}` of `{name}` is deprecated{}: {notice}",
                when("since", self.since)
            ),
            None => format!(
                "`{name}` is deprecated{}: {notice}",
                when("since", self.since)
            ),
        }
    }

    fn fix(&self) -> Option<String> {
        // A parameter the notice calls ignored: the call is the same without it.
        if let (Some(p), false) = (self.parameter, self.omitted) {
            let lower = self.notice.to_lowercase();
            let inert = [
                "is ignored",
                "are ignored",
                "has no effect",
                "have no effect",
                "does nothing",
                "no longer used",
                "no longer has any effect",
            ];
            if inert.iter().any(|w| lower.contains(w)) {
                return Some(format!("drop the `{p}` argument: it has no effect"));
            }
        }
        self.replacement.clone()
    }
}

fn check(s: &Subject) -> Vec<Verdict> {
    let (State::Present, Some((_, sym))) = (s.state, &s.new) else {
        return vec![];
    };
    let target = s.k.to.version.as_str();
    let mut out = Vec::new();
    // Construction deprecated: calls of the class, not subclassing, `isinstance` or imports.
    // The path's own notice first (a name a module `__getattr__` warns about), then the
    // definition's.
    let symbol_level =
        s.k.to
            .alias_notices(s.name)
            .iter()
            .chain(&sym.deprecated)
            .find(|d| d.parameter.is_none())
            .filter(|d| !d.instantiation || s.call().is_some());
    if let Some(d) = symbol_level {
        let v = DeprecatedApi {
            name: s.name,
            parameter: None,
            omitted: false,
            target,
            since: s
                .k
                .since(s.name, ChangeKind::Deprecated)
                .filter(|_| !states_version(&d.message)),
            notice: &d.message,
            replacement: d.replacement.clone(),
        };
        out.push(Verdict::of(&RULE, s.name, &v));
    }
    // A parameter's deprecation applies to calls through the module or class that pass it.
    let Some(call) = s.call() else { return out };
    if !super::call_no_longer_binds::callable_by_name(sym, &call) {
        return out;
    }
    for d in &sym.deprecated {
        let Some(p) = d.parameter.as_deref() else {
            continue;
        };
        // Leaving the parameter out is deprecated, and `**kwargs` may or may not carry it: a
        // possibility, said as one.
        let (affected, level) = if d.omitted {
            match call.leaves_out(sym, p) {
                Some(true) => (true, RULE.level),
                None => (true, Level::Info),
                Some(false) => (false, RULE.level),
            }
        } else {
            (call.keywords.iter().any(|k| k == p), RULE.level)
        };
        if affected {
            let v = DeprecatedApi {
                name: s.name,
                parameter: Some(p),
                omitted: d.omitted,
                target,
                since: s
                    .k
                    .since_parameter(s.name, p, ChangeKind::Deprecated)
                    .filter(|_| !states_version(&d.message)),
                notice: &d.message,
                replacement: d.replacement.clone(),
            };
            let mut verdict = Verdict::of(&RULE, s.name, &v).at_level(level);
            if level == Level::Info {
                verdict.message = format!(
                    "{}; this call may pass `{p}` through `*args` or `**kwargs`",
                    verdict.message.trim_end_matches('.')
                );
            }
            out.push(verdict);
        }
    }
    // A change announced for a call shape: the call warns now.
    for d in &sym.announced {
        let Some(p) = d.parameter.as_deref() else {
            continue;
        };
        // Leaving the parameter out is a call shape; passing it, the warning may be about
        // one value only (`reduction == "mean"`), which the call's text does not show.
        if !d.omitted {
            continue;
        }
        let level = match call.leaves_out(sym, p) {
            Some(true) => RULE.level,
            None => Level::Info,
            Some(false) => continue,
        };
        let v = AnnouncedChange {
            name: s.name,
            parameter: p,
            omitted: d.omitted,
            target,
            notice: &d.message,
        };
        out.push(Verdict::of(&RULE, s.name, &v).at_level(level));
    }
    out
}

/// Whether a notice gives a version of its own ("deprecated since 2.5"): then it is the one
/// shown, not the release of the span where the notice appeared.
fn states_version(notice: &str) -> bool {
    let b = notice.as_bytes();
    (1..b.len().saturating_sub(1))
        .any(|i| b[i] == b'.' && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
}
