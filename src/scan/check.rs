//! The whole check as one call: settings in, [`CheckReport`] out. Which releases the span
//! covers (given, configured, or declared by the project), which files, which rules; then
//! loading the span and parsing the user code at once, and the findings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::files::{self, Problem};
use super::python::Use;
use super::rules::{self, Level};
use super::{config, file_uses, findings, project, Finding, Knowledge, Selection};
use crate::snapshot::store::{Store, StoreError};
use crate::span::{self, DiffSources, SpanError};
use crate::util::{python, LineIndex};

/// What to check, against which releases, with which rules.
pub struct CheckSettings {
    /// Files or folders; the first one's folder is where the project's declarations are read.
    pub paths: Vec<PathBuf>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Rules to run besides the default ones (codes, names, `ALL`).
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Globs of paths to skip.
    pub exclude: Vec<String>,
    pub store: Store,
    pub package: String,
    pub diffs: DiffSources,
}

/// What one run found, and what it could not read.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub package: String,
    pub from: String,
    pub to: String,
    /// Where `from` came from ("given", "requirements.txt pins ==2.1.0").
    pub why: String,
    /// Files checked.
    pub files: usize,
    pub findings: Vec<Finding>,
    /// What could not be read or parsed, a problem per file (or per path that names none).
    pub problems: Vec<Problem>,
    /// Files and given paths not checked at all (missing, unreadable, not Python); a notebook
    /// with some broken cells is checked, in part.
    pub unchecked: usize,
    /// Files checked, whole or in part.
    pub checked: usize,
    /// Sources by (path, cell), for code frames.
    #[serde(skip)]
    pub sources: BTreeMap<(String, Option<usize>), String>,
}

impl CheckReport {
    /// Whether the check could not do its job: something was wrong, and no file was checked.
    pub fn failed(&self) -> bool {
        !self.problems.is_empty() && self.checked == 0
    }

    /// The most severe level found, if any.
    pub fn worst(&self) -> Option<Level> {
        self.findings.iter().map(|f| f.level).min()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Span(#[from] SpanError),
    #[error(transparent)]
    Project(#[from] project::ProjectError),
    #[error("`{0}` does not exist; give files or folders to check")]
    NoSuchPath(String),
    #[error("cannot tell which `{package}` release `{root}` uses: no requirement file, pyproject.toml, setup.py, setup.cfg, environment.yml or lock file declares it; pass `--from VERSION`")]
    Undeclared { package: String, root: String },
    #[error("`{package}` is declared without a version in {files}, so any release satisfies it; pass `--from VERSION` with the release the project uses")]
    AnyVersion { package: String, files: String },
    #[error("`--from {from}` is newer than `--to {to}`")]
    Reversed { from: String, to: String },
    #[error("`{glob}` is not a valid {what} glob: {error}")]
    BadGlob {
        glob: String,
        what: &'static str,
        error: globset::Error,
    },
    #[error("`{0}` is not a rule; `apidrift rule` lists them")]
    UnknownRule(String),
}

/// Runs the check.
pub fn check(settings: &CheckSettings) -> Result<CheckReport, CheckError> {
    if let Some(missing) = settings
        .paths
        .iter()
        .find(|p| !p.exists())
        .filter(|_| settings.paths.iter().all(|p| !p.exists()))
    {
        return Err(CheckError::NoSuchPath(missing.display().to_string()));
    }
    let root = project_root(&settings.paths);
    let cfg = config::load(&root)?;
    let store = &settings.store;
    let package = &settings.package;
    let releases = store.releases(package)?;
    let to = match settings.to.as_deref().or(cfg.to.as_deref()) {
        Some(v) => store.find(package, v)?.version,
        None => releases[releases.len() - 1].version.clone(),
    };
    let (from, why) = match settings.from.as_deref().or(cfg.from.as_deref()) {
        Some(v) => (store.find(package, v)?.version, "given".to_string()),
        None => {
            let declared = project::declarations(&root, package);
            let stored: Vec<_> = releases.iter().map(|r| r.version.clone()).collect();
            project::infer_from(&declared, package, &stored)?.ok_or_else(|| {
                if declared.is_empty() {
                    CheckError::Undeclared {
                        package: package.clone(),
                        root: root.display().to_string(),
                    }
                } else {
                    let mut files: Vec<String> = declared
                        .iter()
                        .map(|d| format!("`{}`", d.file.display()))
                        .collect();
                    files.dedup();
                    CheckError::AnyVersion {
                        package: package.clone(),
                        files: files.join(", "),
                    }
                }
            })?
        }
    };
    if from > to {
        return Err(CheckError::Reversed {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let glob = |g: &str, what: &'static str| {
        globset::Glob::new(g).map_err(|error| CheckError::BadGlob {
            glob: g.to_string(),
            what,
            error,
        })
    };
    let mut exclude = globset::GlobSetBuilder::new();
    for g in settings.exclude.iter().chain(&cfg.exclude) {
        exclude.add(glob(g, "--exclude")?);
    }
    let exclude = exclude.build().map_err(|error| CheckError::BadGlob {
        glob: settings.exclude.join(","),
        what: "--exclude",
        error,
    })?;
    let mut per_file = Vec::new();
    for (g, codes) in &cfg.per_file_ignores {
        per_file.push((
            glob(g, "per-file-ignores")?.compile_matcher(),
            codes.clone(),
        ));
    }
    let selection = Selection {
        select: settings.select.iter().chain(&cfg.select).cloned().collect(),
        ignore: settings.ignore.iter().chain(&cfg.ignore).cloned().collect(),
        per_file_ignores: per_file,
        root: display(&root),
    };
    if let Some(code) = selection
        .select
        .iter()
        .chain(&selection.ignore)
        .find(|c| *c != "ALL" && rules::find(c).is_none())
    {
        return Err(CheckError::UnknownRule(code.clone()));
    }

    let (paths, mut problems) = files::collect(&settings.paths, &exclude);
    let nicknames: Vec<String> = crate::extract::profile::bundled(package)
        .nicknames
        .into_iter()
        .map(|n| n.name)
        .collect();
    let (from_s, to_s) = (from.to_string(), to.to_string());
    // Loading the releases and composing their diffs needs no user code, and parsing the user
    // code needs no releases: do both at once.
    let (knowledge, parsed) = rayon::join(
        || -> Result<Knowledge, SpanError> {
            let span =
                span::knowledge(store, package, Some(&from_s), Some(&to_s), &settings.diffs)?;
            Ok(Knowledge::new(
                span.first,
                span.last,
                span.changes,
                span.public_first,
                span.public_last,
            ))
        },
        || {
            paths
                .par_iter()
                .map(|p| parse_file(p, package, &nicknames))
                .collect::<Vec<_>>()
        },
    );
    let knowledge = knowledge?;
    let unread = parsed
        .iter()
        .filter(|(_, units, _, probs)| units.is_empty() && !probs.is_empty())
        .count();
    let (checked, unchecked) = (paths.len() - unread, problems.len() + unread);
    let results: Vec<FileResult> = parsed
        .into_par_iter()
        .map(|(shown, units, uses, probs)| {
            let pieces: Vec<(Option<usize>, &str)> =
                units.iter().map(|u| (u.cell, u.source.as_str())).collect();
            let found = findings(&shown, &pieces, &uses, &knowledge, &selection);
            let sources = units
                .into_iter()
                .map(|u| ((u.path, u.cell), u.source))
                .collect();
            (found, probs, sources)
        })
        .collect();
    let mut all = Vec::new();
    let mut sources = BTreeMap::new();
    for (f, p, s) in results {
        all.extend(f);
        problems.extend(p);
        sources.extend(s);
    }
    all.sort_by(|a, b| {
        (&a.path, a.cell, a.line, a.column, a.code)
            .cmp(&(&b.path, b.cell, b.line, b.column, b.code))
    });
    Ok(CheckReport {
        package: package.clone(),
        from: from_s,
        to: to_s,
        why,
        files: paths.len(),
        findings: all,
        problems,
        unchecked,
        checked,
        sources,
    })
}

/// One file read and parsed: its shown path, its units (the file, or notebook cells), the
/// uses found in them, and what could not be read or parsed.
type ParsedFile = (String, Vec<files::Unit>, Vec<(usize, Use)>, Vec<Problem>);

fn parse_file(p: &Path, package: &str, nicknames: &[String]) -> ParsedFile {
    let shown = display(p);
    let units = match files::read(p, &shown) {
        Ok(units) => units,
        Err(problem) => return (shown, vec![], vec![], vec![problem]),
    };
    // The walk of a deep (but accepted) tree needs more stack than a worker thread has.
    python::on_parse_stack(|| {
        let mut probs = Vec::new();
        let mut kept = Vec::new();
        let mut modules = Vec::new();
        // (cell, where and why) of the units that do not parse
        let mut failed: Vec<(Option<usize>, String)> = Vec::new();
        for u in units {
            match python::parse_module(&u.source) {
                Ok(m) => {
                    modules.push(m);
                    kept.push(u);
                }
                Err(e) => {
                    let (line, col) = LineIndex::new(&u.source).position(e.offset);
                    let at = match u.cell {
                        Some(c) => format!("cell {c}, line {line}, column {col}"),
                        None => format!("line {line}, column {col}"),
                    };
                    failed.push((u.cell, format!("syntax error at {at}: {}", e.message)));
                }
            }
        }
        // One problem per file: a notebook's broken cells are listed together, and the others
        // are checked.
        match failed.as_slice() {
            [] => {}
            [(_, why)] if kept.is_empty() => probs.push(Problem {
                path: shown.clone(),
                message: why.clone(),
            }),
            [(_, first), ..] => {
                let cells: Vec<String> = failed
                    .iter()
                    .filter_map(|(c, _)| c.map(|c| c.to_string()))
                    .collect();
                let message = if kept.is_empty() {
                    format!("no code cell is valid Python; first, {first}")
                } else {
                    format!(
                        "code cell{} {} skipped, the other {} checked; first, {first}",
                        if cells.len() == 1 { "" } else { "s" },
                        cells.join(", "),
                        kept.len()
                    )
                };
                probs.push(Problem {
                    path: shown.clone(),
                    message,
                });
            }
        }
        let syntax: Vec<&ruff_python_ast::ModModule> = modules.iter().map(|m| m.syntax()).collect();
        let uses = file_uses(package, nicknames, &syntax);
        (shown, kept, uses, probs)
    })
}

/// What checking one file gives: findings, problems, and its sources for code frames.
type FileResult = (
    Vec<Finding>,
    Vec<Problem>,
    Vec<((String, Option<usize>), String)>,
);

/// The folder whose project files declare the version: the first path, or its folder.
fn project_root(paths: &[PathBuf]) -> PathBuf {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    if first.is_dir() {
        first
    } else {
        first
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

fn display(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
