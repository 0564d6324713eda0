//! ## What it does
//! Flags calls that rely on a default the span changed.
//!
//! The change is a literal default flipped in the signature (`torch.onnx.export`'s `dynamo`,
//! `False` → `True` in 2.9), or a change a release
//! announced with a `FutureWarning` and a later one made without a change of signature
//! (`torch.load` without `weights_only` when the span crosses 2.6). The message says what the
//! default is now, as the announcement put it, and the fix is the argument that keeps the old
//! behaviour. A call that passes `*args` or `**kwargs`, which may carry the parameter, is an
//! info.
//!
//! ## Why is this bad?
//! The code still runs but does something else: `torch.load` refuses pickled objects it loaded
//! before; `torch.onnx.export` uses another exporter.
//!
//! ## Example
//! ```python
//! state = torch.load("ckpt.pt")
//! ```
//! Use instead (say what you mean):
//! ```python
//! state = torch.load("ckpt.pt", weights_only=True)
//! ```

use super::{Level, Rule, State, Subject, Verdict, Violation};
use crate::diff::{Change, ChangeKind};

pub const RULE: Rule = Rule {
    code: "AD005",
    name: "behaviour-change",
    level: Level::Warning,
    default: true,
    source: include_str!("behaviour_change.rs"),
    check,
};

/// A call relying on a default that changed in the span.
struct BehaviourChange<'a> {
    name: &'a str,
    /// The release of the span that changed it.
    since: &'a str,
    /// The parameter whose default changed, when the change names one.
    parameter: Option<&'a str>,
    /// The default before and after, when known.
    old_default: Option<String>,
    new_default: Option<String>,
    /// What the announcement said of the change, when there was one.
    announcement: Option<String>,
    /// The call may pass the parameter through `*args`/`**kwargs`.
    maybe: bool,
}

impl Violation for BehaviourChange<'_> {
    fn message(&self) -> String {
        let (name, since) = (self.name, self.since);
        let Some(p) = self.parameter else {
            return format!("`{name}` changed behaviour in {since}");
        };
        let mut m = match (&self.old_default, &self.new_default) {
            (Some(old), Some(new)) => format!(
                "the default of `{p}` in `{name}` changed from `{old}` to `{new}` in {since}, and this call relies on it"
            ),
            (None, Some(new)) => format!(
                "the default of `{p}` in `{name}` is `{new}` since {since}, and this call relies on it"
            ),
            _ => format!("`{name}` changed behaviour in {since} for calls without `{p}`"),
        };
        if let Some(a) = &self.announcement {
            m.push_str(&format!("; as announced: \"{a}\""));
        }
        if self.maybe {
            m.push_str(&format!(
                " (unless the `*args` or `**kwargs` it passes carry `{p}`)"
            ));
        }
        m
    }

    fn fix(&self) -> Option<String> {
        let p = self.parameter?;
        Some(match (&self.old_default, &self.new_default) {
            (Some(old), Some(new)) => format!(
                "pass `{p}` explicitly: `{p}={new}` for the new behaviour, or `{p}={old}` to keep that from before {}",
                self.since
            ),
            _ => format!("pass `{p}` explicitly"),
        })
    }
}

fn check(s: &Subject) -> Vec<Verdict> {
    let (State::Present, Some((def, sym)), Some(call)) = (s.state, &s.new, s.call()) else {
        return vec![];
    };
    if !super::call_no_longer_binds::callable_by_name(sym, &call) {
        return vec![];
    }
    let k = s.k;
    let canonical = |n: &str| k.to.resolve(n).map(|(d, _)| d);
    // The kind first: resolving every change's symbol would cost a lookup per change.
    let ours = |c: &&Change| {
        matches!(
            c.kind,
            ChangeKind::DefaultChanged | ChangeKind::BehaviourChanged
        ) && canonical(&c.symbol).as_ref() == Some(def)
    };
    let mut out = Vec::new();
    // The last flip of each parameter's literal default, and each announced change.
    let mut flips: Vec<&Change> = Vec::new();
    for c in k.changes().iter().filter(ours) {
        match c.kind {
            ChangeKind::DefaultChanged if literal_flip(c) => {
                flips.retain(|f| f.parameter != c.parameter);
                flips.push(c);
            }
            ChangeKind::BehaviourChanged => flips.push(c),
            _ => {}
        }
    }
    for c in flips {
        // Only calls relying on the default: passing the parameter says what is meant.
        let leaves_out = match &c.parameter {
            Some(p) => call.leaves_out(sym, p),
            None => Some(true),
        };
        let Some(p) = c.parameter.as_deref() else {
            let v = BehaviourChange {
                name: s.name,
                since: &c.new_version,
                parameter: None,
                old_default: None,
                new_default: None,
                announcement: None,
                maybe: false,
            };
            out.push(Verdict::of(&RULE, s.name, &v));
            continue;
        };
        if leaves_out == Some(false) {
            continue;
        }
        let v = match c.kind {
            ChangeKind::DefaultChanged => BehaviourChange {
                name: s.name,
                since: &c.new_version,
                parameter: Some(p),
                old_default: c.old.clone(),
                new_default: c.new.clone(),
                announcement: None,
                maybe: leaves_out.is_none(),
            },
            _ => {
                let text = c.old.as_deref().unwrap_or("");
                let new_default = announced_default(text, p);
                BehaviourChange {
                    name: s.name,
                    since: &c.new_version,
                    parameter: Some(p),
                    old_default: new_default
                        .as_deref()
                        .and_then(|new| mentioned_value(text, p, new)),
                    announcement: Some(announced_change(text, p, new_default.is_some()))
                        .filter(|a| !a.is_empty()),
                    new_default,
                    maybe: leaves_out.is_none(),
                }
            }
        };
        let level = if v.maybe { Level::Info } else { RULE.level };
        out.push(Verdict::of(&RULE, s.name, &v).at_level(level));
    }
    out
}

/// A literal default replaced by another of its kind (`False` → `True`, `"fbgemm"` → `"x86"`):
/// a change of behaviour. `None`, `...` or an expression on either side is a sentinel or a
/// spelling whose effect the signature does not show.
fn literal_flip(c: &Change) -> bool {
    fn kind(v: &str) -> Option<u8> {
        let v = v.trim();
        if v == "True" || v == "False" {
            Some(0)
        } else if v.parse::<f64>().is_ok() {
            Some(1)
        } else if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            Some(2)
        } else {
            None
        }
    }
    match (c.old.as_deref(), c.new.as_deref()) {
        (Some(o), Some(n)) => kind(o).is_some() && kind(o) == kind(n) && o != n,
        _ => false,
    }
}

/// The sentences of a message.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 2).copied();
        if matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1) == Some(&b' ')
            && next.is_some_and(|n| n.is_ascii_uppercase() || n == b'`')
        {
            out.push(text[start..=i].trim());
            start = i + 2;
        }
    }
    if start < text.len() {
        out.push(text[start..].trim());
    }
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// The value an announcement says a parameter's default will take ("the default value for
/// `weights_only` will be flipped to `True`").
fn announced_default(text: &str, param: &str) -> Option<String> {
    sentences(text).into_iter().find_map(|s| {
        let lower = s.to_lowercase();
        let at = lower.find("default")?;
        if !s.contains(param) || !(lower.contains("will") || lower.contains("future")) {
            return None;
        }
        let rest = &s[at..];
        let to = rest.find(" to ")?;
        let value: String = rest[to + 4..]
            .trim_start_matches('`')
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '\'' | '"' | '-'))
            .collect();
        let value = value.trim_end_matches('.').to_string();
        (!value.is_empty()).then_some(value)
    })
}

/// Another value the announcement shows the parameter set to (`` `weights_only=False` ``):
/// the default it replaces.
fn mentioned_value(text: &str, param: &str, new: &str) -> Option<String> {
    let needle = format!("{param}=");
    text.match_indices(&needle).find_map(|(i, _)| {
        let value: String = text[i + needle.len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '\'' | '"'))
            .collect();
        let value = value.trim_end_matches('.').to_string();
        (!value.is_empty() && value != new).then_some(value)
    })
}

/// What the announcement says of the change, without what was true only before it: the
/// sentence about the default (unless the message states the new default itself, as
/// `stated` says), and the first that says what stops working.
fn announced_change(text: &str, param: &str, stated: bool) -> String {
    let all = sentences(text);
    let default = all
        .iter()
        .find(|s| {
            s.to_lowercase().contains("default")
                && s.contains(param)
                && !s.contains("current default")
        })
        .or_else(|| all.iter().find(|s| !s.contains("current default")))
        .or(all.first());
    let consequence = all.iter().find(|s| {
        let l = s.to_lowercase();
        [
            "no longer",
            "will fail",
            "will raise",
            "will error",
            "not be allowed",
        ]
        .iter()
        .any(|w| l.contains(w))
    });
    let mut out: Vec<&str> = default.into_iter().copied().filter(|_| !stated).collect();
    if let Some(c) = consequence {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANNOUNCED: &str = "You are using `pkg.load` with `safe=False` (the current default value), which runs code. It is possible to construct malicious data. In a future release, the default value for `safe` will be flipped to `True`. Arbitrary objects will no longer be allowed to be loaded via this mode unless they are allowlisted. We recommend you start setting `safe=True`.";

    #[test]
    fn what_an_announcement_says_the_default_becomes() {
        assert_eq!(
            announced_default(ANNOUNCED, "safe").as_deref(),
            Some("True")
        );
        assert_eq!(
            mentioned_value(ANNOUNCED, "safe", "True").as_deref(),
            Some("False")
        );
        // Not "the current default": that was true before the change only.
        assert_eq!(
            announced_change(ANNOUNCED, "safe", false),
            "In a future release, the default value for `safe` will be flipped to `True`. Arbitrary objects will no longer be allowed to be loaded via this mode unless they are allowlisted."
        );
        // The new default said by the finding itself, the future tense goes.
        assert_eq!(
            announced_change(ANNOUNCED, "safe", true),
            "Arbitrary objects will no longer be allowed to be loaded via this mode unless they are allowlisted."
        );
        assert_eq!(announced_default("Passing `x` is slow.", "x"), None);
    }

    #[test]
    fn literal_flips_only() {
        let change = |old: &str, new: &str| Change {
            kind: ChangeKind::DefaultChanged,
            severity: crate::diff::Severity::Behaviour,
            symbol: "pkg.f".into(),
            old_version: "1.0".into(),
            new_version: "2.0".into(),
            parameter: Some("p".into()),
            old: Some(old.into()),
            new: Some(new.into()),
            replacement: None,
            new_symbol: None,
            shim: false,
            also: vec![],
            served_by: None,
            evidence: None,
        };
        assert!(literal_flip(&change("False", "True")));
        assert!(literal_flip(&change("'fbgemm'", "'x86'")));
        assert!(literal_flip(&change("10", "64")));
        assert!(!literal_flip(&change("True", "None")));
        assert!(!literal_flip(&change("group.WORLD", "None")));
        assert!(!literal_flip(&change("False", "\"deprecated\"")));
        assert!(!literal_flip(&change("...", "2")));
    }
}
