//! The whole check as one call: settings in, [`CheckReport`] out. Which releases the span
//! covers (given, configured, or declared by the project), which files, which rules; then
//! loading the span and parsing the user code at once, and the findings.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use pep440_rs::Version;
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
    /// Folders inside the project that declare the package themselves, checked from their
    /// own release.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subprojects: Vec<Subproject>,
    /// Files checked.
    pub files: usize,
    pub findings: Vec<Finding>,
    /// What could not be read or parsed, a problem per file (or per path that names none).
    pub problems: Vec<Problem>,
    /// Files and given paths not checked at all (missing, unreadable, not Python); a notebook
    /// with some broken cells is checked, in part.
    pub unchecked: usize,
    /// Of the problems, sub-project folders whose declaration could not be read (their files
    /// are checked with the project's release).
    #[serde(skip)]
    pub declaration_problems: usize,
    /// Files checked, whole or in part.
    pub checked: usize,
    /// Sources by (path, cell), for code frames.
    #[serde(skip)]
    pub sources: BTreeMap<(String, Option<usize>), String>,
}

/// A folder of a monorepo whose files are checked from the release it declares.
#[derive(Debug, Serialize)]
pub struct Subproject {
    pub path: String,
    pub from: String,
    pub why: String,
    /// Files checked from it.
    pub files: usize,
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
    let given = match settings.from.as_deref().or(cfg.from.as_deref()) {
        Some(v) => Some(store.find(package, v)?.version),
        None => None,
    };
    let stored: Vec<Version> = releases.iter().map(|r| r.version.clone()).collect();
    // What a project folder declares, as the release to check its files from.
    let declared_from = |dir: &Path| -> Result<(Version, String), CheckError> {
        let declared = project::declarations(dir, package);
        project::infer_from(&declared, package, &stored)?.ok_or_else(|| {
            if declared.is_empty() {
                CheckError::Undeclared {
                    package: package.clone(),
                    root: dir.display().to_string(),
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
        })
    };
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
    // Each file is checked from what the nearest folder declaring the package says (a
    // monorepo's sub-projects pin their own releases), unless `--from` says.
    let mut folders: Vec<PathBuf> = match given {
        Some(_) => vec![root.clone(); paths.len()],
        None => {
            let mut declares: HashMap<PathBuf, bool> = HashMap::new();
            let top = std::fs::canonicalize(&root).ok();
            paths
                .iter()
                .map(|p| match &top {
                    Some(top) => nearest_declaring(p, &root, top, package, &mut declares),
                    None => root.clone(),
                })
                .collect()
        }
    };
    // A sub-project whose declaration cannot be read (a conda pin, `torch=2.1.0=pypi_0`, in a
    // nested requirements file) is that folder's problem: its files are checked with the
    // project's, and the run says so.
    let file_problems = problems.len();
    // What each sub-project declares, read once.
    let mut declared: HashMap<PathBuf, (Version, String)> = HashMap::new();
    if given.is_none() {
        let mut unreadable: Vec<PathBuf> = Vec::new();
        let mut sub: Vec<&PathBuf> = folders.iter().filter(|f| **f != root).collect();
        sub.sort();
        sub.dedup();
        for f in sub {
            match declared_from(f) {
                Ok(d) => {
                    declared.insert(f.clone(), d);
                }
                Err(e) => {
                    // `--from` would set every file's release; the folder's own is what is
                    // wrong.
                    let e = e.to_string();
                    let e = e.trim_end_matches("; pass `--from`");
                    problems.push(files::Problem {
                        path: display(f),
                        message: format!("{e}; its files are checked from the project's release"),
                    });
                    unreadable.push(f.clone());
                }
            }
        }
        for f in folders.iter_mut().filter(|f| unreadable.contains(f)) {
            *f = root.clone();
        }
    }
    let declaration_problems = problems.len() - file_problems;
    let mut groups: Vec<(PathBuf, Version, String, usize)> = Vec::new();
    for f in &folders {
        match groups.iter_mut().find(|g| &g.0 == f) {
            Some(g) => g.3 += 1,
            None => {
                let (from, why) = match (&given, declared.remove(f)) {
                    (Some(v), _) => (v.clone(), "given".to_string()),
                    (None, Some(d)) => d,
                    (None, None) => declared_from(f)?,
                };
                groups.push((f.clone(), from, why, 1));
            }
        }
    }
    if groups.is_empty() {
        let (from, why) = match &given {
            Some(v) => (v.clone(), "given".to_string()),
            None => declared_from(&root)?,
        };
        groups.push((root.clone(), from, why, 0));
    }
    // The project's own span first: the root's, or the one most files use.
    groups.sort_by_key(|g| (g.0 != root, std::cmp::Reverse(g.3), g.0.clone()));
    for g in &groups {
        if g.1 > to {
            return Err(CheckError::Reversed {
                from: g.1.to_string(),
                to: to.to_string(),
            });
        }
    }
    let (from, why) = (groups[0].1.clone(), groups[0].2.clone());
    // One body of knowledge per distinct release checked from.
    let mut froms: Vec<Version> = groups.iter().map(|g| g.1.clone()).collect();
    froms.sort();
    froms.dedup();
    let span_of: Vec<usize> = folders
        .iter()
        .map(|f| {
            let from = &groups.iter().find(|g| &g.0 == f).expect("grouped").1;
            froms.iter().position(|v| v == from).expect("listed")
        })
        .collect();
    let subprojects: Vec<Subproject> = groups[1..]
        .iter()
        .map(|g| Subproject {
            path: display(&g.0),
            from: g.1.to_string(),
            why: g.2.clone(),
            files: g.3,
        })
        .collect();
    let nicknames: Vec<String> = crate::extract::profile::bundled(package)
        .nicknames
        .into_iter()
        .map(|n| n.name)
        .collect();
    let (from_s, to_s) = (from.to_string(), to.to_string());
    // Loading the releases and composing their diffs needs no user code, and parsing the user
    // code needs no releases: do both at once.
    let (knowledge, parsed) = rayon::join(
        || -> Result<Vec<Knowledge>, SpanError> {
            froms
                .par_iter()
                .map(|from| {
                    let span = span::knowledge(
                        store,
                        package,
                        Some(&from.to_string()),
                        Some(&to_s),
                        &settings.diffs,
                    )?;
                    Ok(Knowledge::new(
                        span.first,
                        span.last,
                        span.changes,
                        span.public_first,
                        span.public_last,
                    ))
                })
                .collect()
        },
        || {
            let project = super::ProjectModules::default();
            paths
                .par_iter()
                .map(|p| parse_file(p, package, &nicknames, &project))
                .collect::<Vec<_>>()
        },
    );
    let knowledge = knowledge?;
    let unread = parsed
        .iter()
        .filter(|(_, units, _, probs)| units.is_empty() && !probs.is_empty())
        .count();
    let (checked, unchecked) = (paths.len() - unread, file_problems + unread);
    let results: Vec<FileResult> = parsed
        .into_par_iter()
        .zip(span_of.into_par_iter())
        .map(|((shown, units, uses, probs), span)| {
            let pieces: Vec<(Option<usize>, &str)> =
                units.iter().map(|u| (u.cell, u.source.as_str())).collect();
            let found = findings(&shown, &pieces, &uses, &knowledge[span], &selection);
            // Only what a code frame shows: a large project's sources are most of the memory
            // a run would otherwise hold to its end.
            let sources = units
                .into_iter()
                .filter(|u| found.iter().any(|f| f.cell == u.cell))
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
        subprojects,
        files: paths.len(),
        findings: all,
        problems,
        unchecked,
        declaration_problems,
        checked,
        sources,
    })
}

/// One file read and parsed: its shown path, its units (the file, or notebook cells), the
/// uses found in them, and what could not be read or parsed.
type ParsedFile = (String, Vec<files::Unit>, Vec<(usize, Use)>, Vec<Problem>);

fn parse_file(
    p: &Path,
    package: &str,
    nicknames: &[String],
    project: &super::ProjectModules,
) -> ParsedFile {
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
        let uses = file_uses(package, nicknames, &syntax, Some(p), project);
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
/// The folder between `file` and `root` (both included; `top` is `root` canonical) nearest to
/// the file that declares `package`; `root` when none does. `declares` caches the answer per
/// folder.
fn nearest_declaring(
    file: &Path,
    root: &Path,
    top: &Path,
    package: &str,
    declares: &mut HashMap<PathBuf, bool>,
) -> PathBuf {
    let mut dir = file.parent().filter(|d| !d.as_os_str().is_empty());
    while let Some(d) = dir {
        match std::fs::canonicalize(d) {
            Ok(c) if c != top && c.starts_with(top) => {}
            _ => break,
        }
        let yes = *declares
            .entry(d.to_path_buf())
            .or_insert_with(|| !project::declarations(d, package).is_empty());
        if yes {
            return d.to_path_buf();
        }
        dir = d.parent().filter(|d| !d.as_os_str().is_empty());
    }
    root.to_path_buf()
}

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
