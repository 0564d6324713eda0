use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::diff::StoreArgs;
use crate::report::findings::{self, Report};
use crate::scan::files::{self, Problem};
use crate::scan::python::Use;
use crate::scan::rules::Level;
use crate::scan::{config, file_uses, findings, project, Finding, Knowledge, Selection};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// The pre-upgrade check: what in your code the upgrade from `--from` to `--to` affects.
///
/// Scans Python files, folders (honouring `.gitignore`) and notebooks, resolves imports and
/// aliases, and reports every use the span changes: removed and moved APIs, deprecations with
/// their replacement, calls that no longer bind, behaviour changes, and on request unstable
/// and private APIs. `--from` defaults to what the project declares (requirements files,
/// pyproject.toml, setup.cfg, environment.yml, lock files); `--to` to the newest release known.
/// Configuration: `[tool.apidrift]` in pyproject.toml; suppress one line with
/// `# apidrift: ignore[AD003]`. `apidrift rule CODE` explains a rule.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift check\n  apidrift check src notebooks --from 2.1 --to 2.6\n  apidrift check --format sarif > apidrift.sarif\n\nExit codes: 0 clean, 1 a finding at or above --fail-on, 2 usage or tool error (including files that could not be checked)."
)]
pub struct CheckArgs {
    /// Files or folders to check.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The release the project uses now (default: from the project's declarations).
    #[arg(long, value_name = "VERSION")]
    pub from: Option<String>,
    /// The release to upgrade to (default: the newest known).
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Lowest level that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Rules to run besides the default ones (codes or names, `ALL`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Rules not to run.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Glob patterns of paths to skip.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Vec<String>,
    #[command(flatten)]
    pub source: StoreArgs,
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let root = project_root(&args.paths);
    let cfg = config::load(&root)?;
    let store = args.source.store();
    let package = &args.source.package;
    let releases = store.releases(package)?;
    let to = match args.to.as_deref().or(cfg.to.as_deref()) {
        Some(v) => store.find(package, v)?.version,
        None => releases[releases.len() - 1].version.clone(),
    };
    let (from, why) = match args.from.as_deref().or(cfg.from.as_deref()) {
        Some(v) => (store.find(package, v)?.version, "given".to_string()),
        None => {
            let declared = project::declarations(&root, package);
            let stored: Vec<_> = releases.iter().map(|r| r.version.clone()).collect();
            match project::infer_from(&declared, package, &stored)? {
                Some((v, why)) => (v, why),
                None => anyhow::bail!(
                    "cannot tell which `{package}` release `{}` uses: no requirement, pyproject.toml, setup.cfg, environment.yml or lock file declares it; pass `--from VERSION`",
                    root.display()
                ),
            }
        }
    };
    anyhow::ensure!(from <= to, "`--from {from}` is newer than `--to {to}`");
    let mut exclude = globset::GlobSetBuilder::new();
    for g in args.exclude.iter().chain(&cfg.exclude) {
        exclude.add(
            globset::Glob::new(g)
                .with_context(|| format!("`{g}` is not a valid --exclude glob"))?,
        );
    }
    let exclude = exclude.build()?;
    let mut per_file = Vec::new();
    for (glob, codes) in &cfg.per_file_ignores {
        per_file.push((
            globset::Glob::new(glob)
                .with_context(|| format!("`{glob}` in per-file-ignores is not a valid glob"))?
                .compile_matcher(),
            codes.clone(),
        ));
    }
    let selection = Selection {
        select: args.select.iter().chain(&cfg.select).cloned().collect(),
        ignore: args.ignore.iter().chain(&cfg.ignore).cloned().collect(),
        per_file_ignores: per_file,
        root: display(&root),
    };
    for code in selection.select.iter().chain(&selection.ignore) {
        anyhow::ensure!(
            code == "ALL" || crate::scan::rules::find(code).is_some(),
            "`{code}` is not a rule; `apidrift rule` lists them"
        );
    }

    if matches!(args.format, CheckFormat::Human) {
        eprintln!("checking {package} {from} → {to} ({why})");
    }
    let (paths, mut problems) = files::collect(&args.paths, &exclude);
    // Loading the releases and composing their diffs needs no user code, and parsing the user
    // code needs no releases: do both at once.
    let (knowledge, parsed) = rayon::join(
        || -> anyhow::Result<Knowledge> {
            let span = super::span::span_knowledge(
                &args.source,
                Some(&from.to_string()),
                Some(&to.to_string()),
            )?;
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
                .map(|p| parse_file(p, package))
                .collect::<Vec<_>>()
        },
    );
    let knowledge = knowledge?;
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
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let report = Report {
        findings: &all,
        problems: &problems,
        sources: &sources,
        from: &from_s,
        to: &to_s,
        files: paths.len(),
    };
    let text = match args.format {
        CheckFormat::Human => findings::human(
            &report,
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        ),
        CheckFormat::Json => findings::json(&report),
        CheckFormat::Sarif => findings::sarif(&report),
        CheckFormat::Github => {
            let mut t = findings::github(&report);
            t.push_str(&findings::summary(&report));
            t.push('\n');
            t
        }
    };
    super::print(&text)?;
    let threshold = match args.fail_on {
        FailOn::Error => Some(Level::Error),
        FailOn::Warning => Some(Level::Warning),
        FailOn::Info => Some(Level::Info),
        FailOn::Never => None,
    };
    let code = if !problems.is_empty() {
        super::EXIT_ERROR
    } else if threshold.is_some_and(|t| all.iter().any(|f| f.level <= t)) {
        super::EXIT_FINDINGS
    } else {
        super::EXIT_CLEAN
    };
    Ok(ExitCode::from(code))
}

/// One file read and parsed: its shown path, its units (the file, or notebook cells), the
/// uses found in them, and what could not be read or parsed.
type ParsedFile = (String, Vec<files::Unit>, Vec<(usize, Use)>, Vec<Problem>);

fn parse_file(p: &Path, package: &str) -> ParsedFile {
    let shown = display(p);
    let mut probs = Vec::new();
    let units = match files::read(p, &shown) {
        Ok(units) => units,
        Err(problem) => return (shown, vec![], vec![], vec![problem]),
    };
    let mut kept = Vec::new();
    let mut modules = Vec::new();
    for u in units {
        match ruff_python_parser::parse_module(&u.source) {
            Ok(m) => {
                modules.push(m);
                kept.push(u);
            }
            Err(e) => {
                let (line, col) =
                    crate::scan::LineIndex::new(&u.source).position(e.location.start().to_usize());
                let at = match u.cell {
                    Some(c) => format!("cell {c}, line {line}, column {col}"),
                    None => format!("line {line}, column {col}"),
                };
                probs.push(Problem {
                    path: u.path.clone(),
                    message: format!("syntax error at {at}: {}", e.error),
                });
            }
        }
    }
    let syntax: Vec<&ruff_python_ast::ModModule> = modules.iter().map(|m| m.syntax()).collect();
    let uses = file_uses(package, &syntax);
    (shown, kept, uses, probs)
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

/// Explain a rule: what it does, why, an example.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (`AD003`) or name (`deprecated-api`); without one, list every rule.
    pub rule: Option<String>,
}

pub fn rule(args: RuleArgs) -> anyhow::Result<ExitCode> {
    use crate::scan::rules;
    let text = match args.rule {
        None => rules::ALL
            .iter()
            .map(|r| {
                format!(
                    "{} {:<22} {:<8} {}\n",
                    r.code,
                    r.name,
                    r.level.as_str(),
                    if r.default {
                        "on"
                    } else {
                        "off unless selected"
                    }
                )
            })
            .collect(),
        Some(key) => {
            let r = rules::find(&key).with_context(|| {
                let codes: Vec<&str> = rules::ALL.iter().map(|r| r.code).collect();
                format!("`{key}` is not a rule; rules: {}", codes.join(", "))
            })?;
            format!(
                "# {} ({}) — {}, {}\n\n{}\n",
                r.code,
                r.name,
                r.level.as_str(),
                if r.default {
                    "on by default"
                } else {
                    "off unless selected"
                },
                r.doc
            )
        }
    };
    super::print(&text)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}
