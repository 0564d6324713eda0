//! For a terminal: ruff-style diagnostics with a code frame for findings, one line per change.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::messages::{fix, message};
use super::{change_summary, findings_summary, Emitter, Format, SpanHistories, Unsupported};
use crate::diff::tiers::{TierEntry, TierList};
use crate::diff::Change;
use crate::scan::rules::Level;
use crate::scan::{CheckReport, Finding};
use crate::span::history::Lifecycle;
use crate::util::LineIndex;

/// Findings of one rule and symbol shown in full before the rest are counted.
const SHOWN_PER_SYMBOL: usize = 5;

pub struct Human {
    pub color: bool,
}

impl Human {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

pub(super) fn location(f: &Finding) -> String {
    match f.cell {
        Some(c) => format!("{}:cell {c}:{}:{}", f.path, f.line, f.column),
        None => format!("{}:{}:{}", f.path, f.line, f.column),
    }
}

/// `removed  torch.foo: ... (use `torch.bar`)`: the message and the fix it does not name.
fn change_line(c: &Change) -> String {
    let text = message(c);
    match fix(c, &text) {
        Some(r) => format!("{text} (use `{r}`)"),
        None => text,
    }
}

impl Emitter for Human {
    fn format(&self) -> Format {
        Format::Human { color: self.color }
    }

    fn findings(&self, r: &CheckReport) -> Result<String, Unsupported> {
        let mut out = String::new();
        // A large project repeats one finding hundreds of times: the first few are shown,
        // the rest counted at the end; per level, so that fallbacks (info) hide no warning.
        let mut shown: BTreeMap<(&str, &str, Level), usize> = BTreeMap::new();
        for f in &r.findings {
            let n = shown
                .entry((f.code, f.symbol.as_str(), f.level))
                .or_default();
            *n += 1;
            if *n > SHOWN_PER_SYMBOL {
                continue;
            }
            let level = match f.level {
                Level::Error => self.paint("1;31", "error"),
                Level::Warning => self.paint("1;33", "warning"),
                Level::Info => self.paint("1;36", "info"),
            };
            let _ = writeln!(
                out,
                "{}: {level}[{}] {}",
                self.paint("1", &location(f)),
                self.paint("1", &format!("{} {}", f.code, f.rule)),
                f.message
            );
            if let Some(source) = r.sources.get(&(f.path.clone(), f.cell)) {
                let index = LineIndex::new(source);
                let text = index.line_text(f.line);
                let gutter = f.line.to_string().len();
                let width = if f.end_line == f.line {
                    f.end_column.saturating_sub(f.column).max(1)
                } else {
                    text.chars().count().saturating_sub(f.column - 1).max(1)
                };
                // Tabs before the use are kept, so that the carets sit under it wherever the
                // terminal puts tab stops.
                let pad: String = text
                    .chars()
                    .take(f.column - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{:gutter$} |", "");
                let _ = writeln!(out, "{} | {}", f.line, text);
                let _ = writeln!(
                    out,
                    "{:gutter$} | {pad}{}",
                    "",
                    self.paint("1;31", &"^".repeat(width))
                );
            }
            if let Some(fix) = &f.fix {
                let help = if is_code(fix) {
                    format!("use `{fix}`")
                } else {
                    fix.clone()
                };
                let _ = writeln!(
                    out,
                    "{:>w$} = help: {help}",
                    "",
                    w = f.line.to_string().len()
                );
            }
            out.push('\n');
        }
        // Problems fail the run only when nothing was checked; otherwise they are warnings
        // beside the findings.
        let (label, colour) = if r.failed() {
            ("error:", "1;31")
        } else {
            ("warning:", "1;33")
        };
        for p in &r.problems {
            let _ = writeln!(
                out,
                "{}: {} {}",
                self.paint("1", &p.path),
                self.paint(colour, label),
                p.message
            );
        }
        for ((code, symbol, level), n) in &shown {
            if *n > SHOWN_PER_SYMBOL {
                let _ = writeln!(
                    out,
                    "{} {} more [{code}] {} finding{} of `{symbol}` not shown (`--statistics` counts them, `--format json` lists them)",
                    self.paint("1", "note:"),
                    n - SHOWN_PER_SYMBOL,
                    level.as_str(),
                    if n - SHOWN_PER_SYMBOL == 1 { "" } else { "s" }
                );
            }
        }
        let _ = writeln!(out, "{}", findings_summary(r));
        Ok(out)
    }

    fn changes(&self, _title: &str, changes: &[Change]) -> Result<String, Unsupported> {
        let mut out = String::new();
        for c in changes {
            let _ = writeln!(
                out,
                "{:<11} {:<24} {}",
                c.severity.as_str(),
                c.kind.as_str(),
                change_line(c)
            );
        }
        let _ = writeln!(out, "{}", change_summary(changes));
        Ok(out)
    }

    fn histories(&self, span: &SpanHistories) -> Result<String, Unsupported> {
        let mut out = String::new();
        for h in span.histories {
            out.push_str(&h.symbol);
            out.push('\n');
            for c in &h.events {
                let _ = writeln!(
                    out,
                    "  {:<10} {:<11} {}",
                    c.new_version,
                    c.severity.as_str(),
                    message(c)
                );
            }
        }
        let _ = writeln!(
            out,
            "{} symbols changed across {} releases; {}",
            span.histories.len(),
            span.releases,
            change_summary(span.changes)
        );
        Ok(out)
    }

    fn lifecycle(&self, life: &Lifecycle) -> Result<String, Unsupported> {
        let mut out = format!("{}\n", life.symbol);
        let present = &life.present_in;
        let _ = writeln!(
            out,
            "  present in {} of {} stored releases ({} … {})",
            present.len(),
            life.stored,
            present[0],
            present[present.len() - 1]
        );
        if let Some(v) = &life.introduced_in {
            let _ = writeln!(out, "  {v:<10} introduced");
        }
        for c in &life.events {
            let _ = writeln!(
                out,
                "  {:<10} {}: {}",
                c.new_version,
                c.kind.as_str(),
                change_line(c)
            );
        }
        if life.events.is_empty() && life.introduced_in.is_none() {
            let _ = writeln!(out, "  unchanged across the stored releases");
        }
        Ok(out)
    }

    fn tiers(&self, list: &TierList) -> Result<String, Unsupported> {
        let mut out = String::new();
        let mut grouped: BTreeMap<_, BTreeMap<&str, Vec<&TierEntry>>> = BTreeMap::new();
        for e in &list.apis {
            let module = e
                .symbol
                .rsplit_once('.')
                .map_or(e.symbol.as_str(), |(m, _)| m);
            grouped
                .entry(e.tier)
                .or_default()
                .entry(module)
                .or_default()
                .push(e);
        }
        for (tier, modules) in grouped.iter().rev() {
            let n: usize = modules.values().map(Vec::len).sum();
            let _ = writeln!(out, "{} ({n})", tier.as_str());
            for (module, entries) in modules {
                let _ = writeln!(out, "  {module}");
                for e in entries {
                    let _ = writeln!(
                        out,
                        "    {}  — {}",
                        e.symbol[module.len()..].trim_start_matches('.'),
                        e.evidence
                    );
                }
            }
        }
        if let Some(since) = &list.since {
            let _ = writeln!(out, "promoted since {since} ({})", list.promoted.len());
            for c in &list.promoted {
                let _ = writeln!(out, "  {}", message(c));
            }
        }
        let _ = writeln!(
            out,
            "{} non-stable public APIs in {} {}",
            list.apis.len(),
            list.package,
            list.version
        );
        Ok(out)
    }
}
/// A fix that is a name to use (`torch.amp.GradScaler`) or a call (`f("cuda", x)`), not a
/// sentence of advice.
fn is_code(fix: &str) -> bool {
    let (name, call) = match fix.split_once('(') {
        Some((name, rest)) => (name, Some(rest)),
        None => (fix, None),
    };
    !name.is_empty()
        && name.split('.').all(crate::util::names::is_identifier)
        && call.is_none_or(|rest| rest.ends_with(')'))
}
