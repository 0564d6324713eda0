//! Markdown changelogs: sections in the order a reader needs them, then new APIs by module.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::messages::{fix, message};
use super::{change_summary, Emitter, Format, SpanHistories, Unsupported};
use crate::diff::{Change, ChangeKind, Severity};

pub struct Markdown;

impl Emitter for Markdown {
    fn format(&self) -> Format {
        Format::Markdown
    }

    fn changes(&self, title: &str, changes: &[Change]) -> Result<String, Unsupported> {
        Ok(changelog(title, changes))
    }

    fn histories(&self, span: &SpanHistories) -> Result<String, Unsupported> {
        Ok(changelog(&span.title, span.changes))
    }
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
    ("No longer exported", &[ChangeKind::Unexported]),
    ("No longer deprecated", &[ChangeKind::Undeprecated]),
    (
        "Other signature changes",
        &[ChangeKind::ParameterAddedOptional],
    ),
];

/// A Markdown changelog: the sections above, then new APIs grouped by module with counts.
pub fn changelog(title: &str, changes: &[Change]) -> String {
    let mut out = format!("# {title}\n\n{}\n", change_summary(changes));
    let one_release = changes
        .first()
        .is_some_and(|f| changes.iter().all(|x| x.new_version == f.new_version));
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
            let text = message(c);
            let _ = write!(out, "- {text}");
            if c.old_version.is_empty() || !one_release {
                let _ = write!(out, " (in {})", c.new_version);
            }
            if let Some(r) = fix(c, &text) {
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
