//! SARIF 2.1.0 for code scanning: one run, every rule described.

use std::fmt::Write as _;

use serde_json::json;

use super::{Emitter, Format, Unsupported};
use crate::scan::rules::{self, Level};
use crate::scan::CheckReport;

pub struct Sarif;

impl Emitter for Sarif {
    fn format(&self) -> Format {
        Format::Sarif
    }

    fn findings(&self, r: &CheckReport) -> Result<String, Unsupported> {
        let rules: Vec<_> = rules::ALL
            .iter()
            .map(|rule| {
                json!({
                    "id": rule.code,
                    "name": rule.name,
                    "shortDescription": {"text": rule.summary()},
                    "fullDescription": {"text": rule.doc()},
                    "defaultConfiguration": {"level": level(rule.level)},
                })
            })
            .collect();
        let results: Vec<_> = r
            .findings
            .iter()
            .map(|f| {
                let mut message = f.message.clone();
                if let Some(fix) = &f.fix {
                    let _ = write!(message, " Fix: {fix}.");
                }
                let mut region = json!({"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column.max(f.column + 1)});
                if let Some(cell) = f.cell {
                    region["properties"] = json!({"cell": cell});
                }
                json!({
                    "ruleId": f.code,
                    "ruleIndex": rules::ALL.iter().position(|x| x.code == f.code).unwrap_or(0),
                    "level": level(f.level),
                    "message": {"text": message},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.path.replace('\\', "/")}, "region": region}}],
                })
            })
            .collect();
        let notifications: Vec<_> = r
            .problems
            .iter()
            .map(|p| json!({"level": "error", "message": {"text": format!("{}: {}", p.path, p.message)}}))
            .collect();
        let doc = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "apidrift",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://crates.io/crates/apidrift",
                    "rules": rules,
                }},
                "invocations": [{"executionSuccessful": r.problems.is_empty(), "toolExecutionNotifications": notifications}],
                "results": results,
            }],
        });
        Ok(serde_json::to_string_pretty(&doc).expect("SARIF serialises") + "\n")
    }
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}
