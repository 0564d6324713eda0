//! Change lists (diff, changelog, history) as human text, Markdown and JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diff::{Change, ChangeKind, Severity};

/// One line per change: `breaking  removed  torch.foo: `torch.foo` was removed (use torch.bar)`.
pub fn human(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let _ = write!(
            out,
            "{:<11} {:<24} {}",
            c.severity.as_str(),
            c.kind.as_str(),
            c.message
        );
        if let Some(r) = fix(c) {
            let _ = write!(out, " (use `{r}`)");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", summary(changes));
    out
}

/// The replacement, unless the message already names it.
pub fn fix(c: &Change) -> Option<&str> {
    c.replacement
        .as_deref()
        .filter(|r| !c.message.contains(&format!("`{r}`")))
}

/// "3 breaking, 1 deprecation, 0 behaviour, 12 info".
pub fn summary(changes: &[Change]) -> String {
    let count = |s: Severity| changes.iter().filter(|c| c.severity == s).count();
    format!(
        "{} changes: {} breaking, {} deprecation, {} behaviour, {} info",
        changes.len(),
        count(Severity::Breaking),
        count(Severity::Deprecation),
        count(Severity::Behaviour),
        count(Severity::Info)
    )
}

pub fn json(changes: &[Change]) -> String {
    serde_json::to_string_pretty(changes).expect("changes serialise") + "\n"
}

/// Sections of a changelog, in the order a reader needs them.
const SECTIONS: &[(&str, &[ChangeKind])] = &[
    ("Removed", &[ChangeKind::Removed, ChangeKind::Tombstoned]),
    ("Moved", &[ChangeKind::Moved]),
    ("Deprecated", &[ChangeKind::Deprecated]),
    (
        "Breaking signature changes",
        &[
            ChangeKind::ParameterRemoved,
            ChangeKind::ParameterRenamed,
            ChangeKind::ParameterReordered,
            ChangeKind::ParameterAddedRequired,
            ChangeKind::ParameterKindChanged,
            ChangeKind::KindChanged,
            ChangeKind::BaseRemoved,
        ],
    ),
    (
        "Behaviour changes",
        &[
            ChangeKind::BehaviourChanged,
            ChangeKind::DefaultChanged,
            ChangeKind::ReturnChanged,
            ChangeKind::Demoted,
        ],
    ),
    ("Promotions", &[ChangeKind::Promoted]),
    ("No longer deprecated", &[ChangeKind::Undeprecated]),
    (
        "Other signature changes",
        &[ChangeKind::ParameterAddedOptional],
    ),
];

/// A Markdown changelog: the sections above, then new APIs grouped by module with counts.
pub fn markdown(title: &str, changes: &[Change]) -> String {
    let mut out = format!("# {title}\n\n{}\n", summary(changes));
    for (heading, kinds) in SECTIONS {
        let mut items: Vec<&Change> = changes
            .iter()
            .filter(|c| {
                kinds.contains(&c.kind)
                    && (c.kind != ChangeKind::ParameterKindChanged
                        || c.severity == Severity::Breaking
                        || *heading != "Breaking signature changes")
            })
            .collect();
        // A breaking section holds breaking changes only; the rest go to "Other".
        if *heading == "Breaking signature changes" {
            items.retain(|c| c.severity == Severity::Breaking);
        }
        if *heading == "Other signature changes" {
            items.extend(changes.iter().filter(|c| {
                c.kind == ChangeKind::ParameterKindChanged && c.severity != Severity::Breaking
            }));
        }
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {heading} ({})\n", items.len());
        for c in items {
            let _ = write!(out, "- {}", c.message);
            if c.old_version.is_empty() || changes.iter().any(|x| x.new_version != c.new_version) {
                let _ = write!(out, " (in {})", c.new_version);
            }
            if let Some(r) = fix(c) {
                let _ = write!(out, "; use `{r}`");
            }
            if let Some(e) = &c.evidence {
                let _ = write!(out, " — {}", e.replace('\n', " "));
            }
            out.push('\n');
        }
    }
    let added: Vec<&Change> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Added)
        .collect();
    if !added.is_empty() {
        let mut by_module: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in &added {
            let module = c
                .symbol
                .rsplit_once('.')
                .map_or(c.symbol.as_str(), |(m, _)| m);
            by_module
                .entry(module)
                .or_default()
                .push(c.symbol[module.len()..].trim_start_matches('.'));
        }
        let _ = writeln!(out, "\n## New APIs ({})\n", added.len());
        for (module, names) in by_module {
            let _ = writeln!(
                out,
                "- `{module}` ({}): {}",
                names.len(),
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    out
}
