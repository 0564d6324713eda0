//! GitHub workflow commands: one `::error file=...,line=...::message` line per finding, then
//! the summary.

use std::fmt::Write as _;

use super::{findings_summary, Emitter, Format, Unsupported};
use crate::scan::rules::Level;
use crate::scan::CheckReport;

pub struct Github;

impl Emitter for Github {
    fn format(&self) -> Format {
        Format::Github
    }

    fn findings(&self, r: &CheckReport) -> Result<String, Unsupported> {
        let escape = |s: &str| {
            s.replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let prop = |s: &str| escape(s).replace(':', "%3A").replace(',', "%2C");
        let mut out = String::new();
        for f in &r.findings {
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
        for p in &r.problems {
            let _ = writeln!(
                out,
                "::error file={}::{}",
                prop(&p.path),
                escape(&p.message)
            );
        }
        let _ = writeln!(out, "{}", findings_summary(r));
        Ok(out)
    }
}
