//! Findings of `check` in each output format: human diagnostics with a code frame, JSON, SARIF
//! 2.1.0 and GitHub workflow annotations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::scan::files::Problem;
use crate::scan::rules::{self, Level};
use crate::scan::{Finding, LineIndex};

/// What one run found, and what it could not read.
pub struct Report<'a> {
    pub findings: &'a [Finding],
    pub problems: &'a [Problem],
    /// Sources by (path, cell), for code frames.
    pub sources: &'a BTreeMap<(String, Option<usize>), String>,
    pub from: &'a str,
    pub to: &'a str,
    pub files: usize,
}

fn location(f: &Finding) -> String {
    match f.cell {
        Some(c) => format!("{}:cell {c}:{}:{}", f.path, f.line, f.column),
        None => format!("{}:{}:{}", f.path, f.line, f.column),
    }
}

pub fn summary(r: &Report) -> String {
    let n = |l: Level| r.findings.iter().filter(|f| f.level == l).count();
    let mut s = format!(
        "{} → {}: {} finding{} in {} file{} ({} error, {} warning, {} info)",
        r.from,
        r.to,
        r.findings.len(),
        if r.findings.len() == 1 { "" } else { "s" },
        r.files,
        if r.files == 1 { "" } else { "s" },
        n(Level::Error),
        n(Level::Warning),
        n(Level::Info)
    );
    if !r.problems.is_empty() {
        let _ = write!(
            s,
            "; {} file{} could not be checked",
            r.problems.len(),
            if r.problems.len() == 1 { "" } else { "s" }
        );
    }
    s
}

/// ruff-style diagnostics: location, code, message, the line with a caret underline, the fix.
pub fn human(r: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for f in r.findings {
        let level = match f.level {
            Level::Error => paint("1;31", "error"),
            Level::Warning => paint("1;33", "warning"),
            Level::Info => paint("1;36", "info"),
        };
        let _ = writeln!(
            out,
            "{}: {level}[{}] {}",
            paint("1", &location(f)),
            paint("1", &format!("{} {}", f.code, f.rule)),
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
            let _ = writeln!(out, "{:gutter$} |", "");
            let _ = writeln!(out, "{} | {}", f.line, text);
            let _ = writeln!(
                out,
                "{:gutter$} | {}{}",
                "",
                " ".repeat(f.column - 1),
                paint("1;31", &"^".repeat(width))
            );
        }
        if let Some(fix) = &f.fix {
            let help = if fix.contains(' ') {
                fix.clone()
            } else {
                format!("use `{fix}`")
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
    for p in r.problems {
        let _ = writeln!(
            out,
            "{}: {} {}",
            paint("1", &p.path),
            paint("1;31", "error:"),
            p.message
        );
    }
    let _ = writeln!(out, "{}", summary(r));
    out
}

pub fn json(r: &Report) -> String {
    let value = json!({
        "from": r.from,
        "to": r.to,
        "files": r.files,
        "findings": r.findings,
        "problems": r.problems,
    });
    serde_json::to_string_pretty(&value).expect("findings serialise") + "\n"
}

/// GitHub workflow commands: one `::error file=...,line=...::message` line per finding.
pub fn github(r: &Report) -> String {
    let escape = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| escape(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for f in r.findings {
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let mut message = f.message.clone();
        if let Some(fix) = &f.fix {
            let _ = write!(message, " (fix: {fix})");
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            prop(&f.path),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            prop(&format!("{} {}", f.code, f.rule)),
            escape(&message)
        );
    }
    for p in r.problems {
        let _ = writeln!(
            out,
            "::error file={}::{}",
            prop(&p.path),
            escape(&p.message)
        );
    }
    out
}

/// SARIF 2.1.0, one run, every rule described.
pub fn sarif(r: &Report) -> String {
    let rules: Vec<_> = rules::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.doc.lines().nth(1).unwrap_or(rule.name)},
                "fullDescription": {"text": rule.doc},
                "defaultConfiguration": {"level": sarif_level(rule.level)},
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
                "level": sarif_level(f.level),
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
    serde_json::to_string_pretty(&doc).expect("SARIF serialises") + "\n"
}

fn sarif_level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}
