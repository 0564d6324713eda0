//! Rendering results for people and machines: one emitter per output format, each behind
//! [`Emitter`]. Every sentence the tool says about a change or a finding is written here; the
//! stages before only produce data.

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod messages;
pub mod sarif;

use crate::diff::tiers::TierList;
use crate::diff::timeline::History;
use crate::diff::{Change, Severity};
use crate::scan::CheckReport;
use crate::span::history::Lifecycle;
use std::collections::BTreeMap;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For a terminal; `color` paints levels and code frames.
    Human {
        color: bool,
    },
    Json,
    Markdown,
    Sarif,
    Github,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Human { .. } => "human",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the {format} format cannot show {what}")]
pub struct Unsupported {
    pub format: &'static str,
    pub what: &'static str,
}

/// Consecutive diffs of a span grouped per symbol, for `diff --from --to`.
pub struct SpanHistories<'a> {
    /// "torch 2.3.1 → 2.6.0".
    pub title: String,
    pub releases: usize,
    pub histories: &'a [History],
    pub changes: &'a [Change],
}

/// One output format. A format shows what it can; the rest is [`Unsupported`] (the command
/// line offers each command only the formats that show its results).
pub trait Emitter {
    fn format(&self) -> Format;

    /// The findings of a check.
    fn findings(&self, _report: &CheckReport) -> Result<String, Unsupported> {
        Err(self.unsupported("findings"))
    }

    /// A list of changes (a diff, a changelog); `title` heads formats that have headings.
    fn changes(&self, _title: &str, _changes: &[Change]) -> Result<String, Unsupported> {
        Err(self.unsupported("changes"))
    }

    /// Per-symbol histories of a span.
    fn histories(&self, _span: &SpanHistories) -> Result<String, Unsupported> {
        Err(self.unsupported("histories"))
    }

    /// One symbol across the stored releases.
    fn lifecycle(&self, _life: &Lifecycle) -> Result<String, Unsupported> {
        Err(self.unsupported("a symbol's history"))
    }

    /// The non-stable APIs of a release.
    fn tiers(&self, _list: &TierList) -> Result<String, Unsupported> {
        Err(self.unsupported("tiers"))
    }

    fn unsupported(&self, what: &'static str) -> Unsupported {
        Unsupported {
            format: self.format().name(),
            what,
        }
    }
}

/// The emitter of a format.
pub fn emitter(format: Format) -> Box<dyn Emitter> {
    match format {
        Format::Human { color } => Box::new(human::Human { color }),
        Format::Json => Box::new(json::Json),
        Format::Markdown => Box::new(markdown::Markdown),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Github => Box::new(github::Github),
    }
}

/// "3 changes: 3 breaking, 1 deprecation, 0 behaviour, 12 info".
pub fn change_summary(changes: &[Change]) -> String {
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

/// Counts per rule and symbol, most frequent first, as `ruff --statistics` prints them:
/// `287  AD003  [warning]  torch.jit.ignore`, then the summary line.
pub fn statistics(r: &CheckReport) -> String {
    let mut counts: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for f in &r.findings {
        *counts
            .entry((f.code, f.level.as_str(), f.symbol.as_str()))
            .or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let width = rows.first().map_or(1, |(_, n)| n.to_string().len());
    let mut out = String::new();
    for ((code, level, symbol), n) in rows {
        out.push_str(&format!("{n:>width$}  {code}  [{level}]  {symbol}\n"));
    }
    out.push_str(&findings_summary(r));
    out.push('\n');
    out
}

/// "2.1.0 → 2.15.0: 7 findings in 3 files (2 error, 5 warning, 0 info)".
pub fn findings_summary(r: &CheckReport) -> String {
    use crate::scan::rules::Level;
    let n = |l: Level| r.findings.iter().filter(|f| f.level == l).count();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut s = format!(
        "{} → {}: {} finding{} in {} file{} ({} error, {} warning, {} info)",
        r.from,
        r.to,
        r.findings.len(),
        plural(r.findings.len()),
        r.files,
        plural(r.files),
        n(Level::Error),
        n(Level::Warning),
        n(Level::Info)
    );
    if r.unchecked > 0 {
        s.push_str(&format!(
            "; {} file{} could not be checked",
            r.unchecked,
            plural(r.unchecked)
        ));
    }
    let partly = r
        .problems
        .len()
        .saturating_sub(r.unchecked + r.declaration_problems);
    if partly > 0 {
        s.push_str(&format!("; {partly} checked in part"));
    }
    s
}
