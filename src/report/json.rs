//! JSON: the data itself, pretty-printed, with each change's message beside its fields.

use serde::Serialize;
use serde_json::json;

use super::messages::message;
use super::{Emitter, Format, SpanHistories, Unsupported};
use crate::diff::tiers::{TierEntry, TierList};
use crate::diff::{Change, ChangeKind, Severity};
use crate::scan::CheckReport;
use crate::span::history::Lifecycle;

pub struct Json;

/// A change as JSON shows it: its data, and the sentence [`message`] makes of it.
#[derive(Serialize)]
struct ChangeOut<'a> {
    kind: ChangeKind,
    severity: Severity,
    symbol: &'a str,
    old_version: &'a str,
    new_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replacement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_symbol: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    shim: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    also: &'a [String],
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
}

fn out(c: &Change) -> ChangeOut<'_> {
    ChangeOut {
        kind: c.kind,
        severity: c.severity,
        symbol: &c.symbol,
        old_version: &c.old_version,
        new_version: &c.new_version,
        parameter: c.parameter.as_deref(),
        old: c.old.as_deref(),
        new: c.new.as_deref(),
        replacement: c.replacement.as_deref(),
        new_symbol: c.new_symbol.as_deref(),
        shim: c.shim,
        also: &c.also,
        message: message(c),
        evidence: c.evidence.as_deref(),
    }
}

fn all(changes: &[Change]) -> Vec<ChangeOut<'_>> {
    changes.iter().map(out).collect()
}

fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("results serialise") + "\n"
}

impl Emitter for Json {
    fn format(&self) -> Format {
        Format::Json
    }

    fn findings(&self, r: &CheckReport) -> Result<String, Unsupported> {
        let mut out = json!({
            "from": r.from,
            "to": r.to,
            "files": r.files,
            "checked": r.checked,
            "unchecked": r.unchecked,
            "findings": r.findings,
            "problems": r.problems,
        });
        // Only monorepos have them: other outputs stay as they were.
        if !r.subprojects.is_empty() {
            out["subprojects"] = json!(r.subprojects);
        }
        Ok(pretty(&out))
    }

    fn changes(&self, _title: &str, changes: &[Change]) -> Result<String, Unsupported> {
        Ok(pretty(&all(changes)))
    }

    fn histories(&self, span: &SpanHistories) -> Result<String, Unsupported> {
        #[derive(Serialize)]
        struct HistoryOut<'a> {
            symbol: &'a str,
            events: Vec<ChangeOut<'a>>,
        }
        let list: Vec<HistoryOut> = span
            .histories
            .iter()
            .map(|h| HistoryOut {
                symbol: &h.symbol,
                events: all(&h.events),
            })
            .collect();
        Ok(pretty(&list))
    }

    fn lifecycle(&self, life: &Lifecycle) -> Result<String, Unsupported> {
        #[derive(Serialize)]
        struct LifecycleOut<'a> {
            symbol: &'a str,
            present_in: &'a [String],
            introduced_in: Option<&'a str>,
            events: Vec<ChangeOut<'a>>,
        }
        Ok(pretty(&LifecycleOut {
            symbol: &life.symbol,
            present_in: &life.present_in,
            introduced_in: life.introduced_in.as_deref(),
            events: all(&life.events),
        }))
    }

    fn tiers(&self, list: &TierList) -> Result<String, Unsupported> {
        #[derive(Serialize)]
        struct TiersOut<'a> {
            version: &'a str,
            apis: &'a [TierEntry],
            promoted: Vec<ChangeOut<'a>>,
        }
        Ok(pretty(&TiersOut {
            version: &list.version,
            apis: &list.apis,
            promoted: all(&list.promoted),
        }))
    }
}
