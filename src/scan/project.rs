//! What the project declares about the package's version: requirement files, `pyproject.toml`
//! (PEP 621 and Poetry), `setup.cfg`, conda `environment.yml`, and lock-file pins (`uv.lock`,
//! `poetry.lock`, `Pipfile.lock`). Specifiers are PEP 440; for a range the oldest stored
//! release it allows is the starting point.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

/// One declaration found in a project file.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub file: PathBuf,
    pub spec: String,
    /// An exact pin from a lock file (wins over ranges).
    pub locked: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("contradictory pins of `{package}`: {a} in `{a_file}` and {b} in `{b_file}`; fix one, or pass `--from`")]
    Contradiction {
        package: String,
        a: String,
        a_file: String,
        b: String,
        b_file: String,
    },
    #[error("`{spec}` in `{file}` is not a PEP 440 specifier; pass `--from`")]
    BadSpecifier { spec: String, file: String },
    #[error(
        "no stored release of `{package}` satisfies `{spec}` (from `{file}`); stored: {stored}"
    )]
    NoRelease {
        package: String,
        spec: String,
        file: String,
        stored: String,
    },
}

/// Declarations of `package` in the project files at `root`.
pub fn declarations(root: &Path, package: &str) -> Vec<Declaration> {
    let mut out = Vec::new();
    let read = |name: &str| std::fs::read_to_string(root.join(name)).ok();
    // `requirements*.txt` at the root and every `.txt` in a `requirements/` folder, with the
    // files they include (`-r base.txt`, `-c constraints.txt`).
    let mut requirement_files: Vec<PathBuf> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root) {
        requirement_files.extend(
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("requirements") && n.ends_with(".txt"))
                        && p.is_file()
                }),
        );
    }
    for folder in ["requirements", "reqs"] {
        let walk = ignore::WalkBuilder::new(root.join(folder))
            .max_depth(Some(3))
            .build();
        requirement_files.extend(
            walk.filter_map(|e| e.ok())
                .map(|e| e.into_path())
                .filter(|p| p.extension().is_some_and(|x| x == "txt") && p.is_file()),
        );
    }
    // Popped from the end: in name order, each file's includes right after it.
    requirement_files.sort();
    requirement_files.reverse();
    let mut seen = std::collections::HashSet::new();
    while let Some(path) = requirement_files.pop() {
        let Ok(canonical) = path.canonicalize() else {
            continue;
        };
        if !seen.insert(canonical) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        for line in text.lines() {
            let t = line.trim();
            let include = ["-r", "--requirement", "-c", "--constraint"]
                .iter()
                .find_map(|flag| t.strip_prefix(flag))
                .filter(|r| r.starts_with([' ', '=']))
                .map(|r| r.trim_start_matches([' ', '=']).trim());
            if let Some(included) = include {
                let base = path.parent().unwrap_or(root);
                requirement_files.push(base.join(included));
            } else if let Some(spec) = requirement(t, package) {
                out.push(Declaration {
                    file: root.join(&shown),
                    spec,
                    locked: false,
                });
            }
        }
    }
    let mut push = |file: &str, spec: String, locked: bool| {
        out.push(Declaration {
            file: root.join(file),
            spec,
            locked,
        })
    };
    // `setup.py` read, not run: any string literal that is a requirement of the package
    // (`install_requires=["torch>=2.0"]`, or a table of pins that `deps_list` picks from).
    if let Some(text) = read("setup.py") {
        if let Ok(parsed) = crate::util::python::parse_module(&text) {
            for literal in string_literals(parsed.syntax()) {
                if let Some(spec) = requirement(&literal, package) {
                    push("setup.py", spec, false);
                }
            }
        }
    }
    if let Some(text) = read("pyproject.toml") {
        if let Ok(doc) = text.parse::<toml::Table>() {
            let deps = doc
                .get("project")
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_array());
            for d in deps.into_iter().flatten().filter_map(|d| d.as_str()) {
                if let Some(spec) = requirement(d, package) {
                    push("pyproject.toml", spec, false);
                }
            }
            let poetry = doc
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.get(package));
            let poetry = poetry.and_then(|v| {
                v.as_str().map(str::to_string).or_else(|| {
                    v.get("version")
                        .and_then(|x| x.as_str())
                        .map(str::to_string)
                })
            });
            if let Some(spec) = poetry {
                push("pyproject.toml", poetry_to_pep440(&spec), false);
            }
        }
    }
    if let Some(text) = read("setup.cfg") {
        for line in text.lines() {
            if let Some(spec) = requirement(line.trim(), package) {
                push("setup.cfg", spec, false);
            }
        }
    }
    for env in ["environment.yml", "environment.yaml"] {
        if let Some(text) = read(env) {
            for line in text.lines() {
                let item = line.trim().trim_start_matches('-').trim();
                // conda writes `pytorch=2.1.0` or `pytorch>=2.1`; pip sections `torch==2.1.0`.
                let item = item
                    .strip_prefix("pytorch")
                    .map(|r| format!("{package}{r}"))
                    .unwrap_or_else(|| item.to_string());
                let item = match item
                    .strip_prefix(package)
                    .and_then(|r| r.strip_prefix('='))
                    .filter(|r| !r.starts_with('='))
                {
                    Some(v) => format!("{package}=={v}"),
                    None => item,
                };
                if let Some(spec) = requirement(&item, package) {
                    push(env, spec, false);
                }
            }
        }
    }
    for lock in ["uv.lock", "poetry.lock"] {
        if let Some(text) = read(lock) {
            if let Ok(doc) = text.parse::<toml::Table>() {
                for p in doc
                    .get("package")
                    .and_then(|p| p.as_array())
                    .into_iter()
                    .flatten()
                {
                    if p.get("name").and_then(|n| n.as_str()) == Some(package) {
                        if let Some(v) = p.get("version").and_then(|v| v.as_str()) {
                            push(lock, format!("=={v}"), true);
                        }
                    }
                }
            }
        }
    }
    if let Some(text) = read("Pipfile.lock") {
        if let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Some(v) = doc
                .get("default")
                .and_then(|d| d.get(package))
                .and_then(|p| p.get("version"))
                .and_then(|v| v.as_str())
            {
                push("Pipfile.lock", v.to_string(), true);
            }
        }
    }
    out
}

/// Every string literal of a module, whole (implicit concatenations joined).
fn string_literals(module: &ruff_python_ast::ModModule) -> Vec<String> {
    use ruff_python_ast::visitor::{self, Visitor};
    struct V(Vec<String>);
    impl<'a> Visitor<'a> for V {
        fn visit_expr(&mut self, expr: &'a ruff_python_ast::Expr) {
            if let ruff_python_ast::Expr::StringLiteral(s) = expr {
                self.0.push(s.value.to_str().to_string());
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut v = V(Vec::new());
    v.visit_body(&module.body);
    v.0
}

/// The specifier of `package` in a requirement line (`torch>=2.1,<2.5 ; python_version>'3'`).
fn requirement(line: &str, package: &str) -> Option<String> {
    let line = line
        .split('#')
        .next()?
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == ',');
    let line = line.split(';').next()?.trim();
    let rest = line.strip_prefix(package)?;
    let rest = rest.trim_start();
    // `torch[extra]` and `torch-vision` are different things: the name must end here.
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once(']')?.1.trim_start(),
        None => rest,
    };
    if rest.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_' || c == '.') {
        return None;
    }
    let rest = rest.trim_start_matches('=').trim();
    if rest.is_empty() {
        return Some(String::new());
    }
    // `torch==2.1.0` lost its `==` above; put one back when only a version remains.
    let spec = line[package.len()..].trim();
    let spec = spec.split_once(']').map_or(spec, |(_, r)| r).trim();
    Some(spec.to_string())
}

/// Poetry's `^2.1` / `~2.1.0` / `2.1.*` in PEP 440 terms.
fn poetry_to_pep440(spec: &str) -> String {
    let s = spec.trim();
    if let Some(v) = s.strip_prefix('^') {
        let parts: Vec<u64> = v.split('.').filter_map(|p| p.parse().ok()).collect();
        let upper = match parts.as_slice() {
            [0, minor, ..] => format!("0.{}", minor + 1),
            [major, ..] => format!("{}", major + 1),
            _ => return format!(">={v}"),
        };
        return format!(">={v},<{upper}");
    }
    if let Some(v) = s.strip_prefix('~') {
        return format!("~={v}");
    }
    if s.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return format!("=={s}");
    }
    s.to_string()
}

/// The release `check` starts from: a lock pin, else the oldest stored release the declared
/// range allows. Returns the version and a sentence saying where it came from.
pub fn infer_from(
    declarations: &[Declaration],
    package: &str,
    stored: &[Version],
) -> Result<Option<(Version, String)>, ProjectError> {
    let stored_list = || {
        stored
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let locked: Vec<&Declaration> = declarations.iter().filter(|d| d.locked).collect();
    if let Some(first) = locked.first() {
        let v = first.spec.trim_start_matches('=');
        for other in &locked[1..] {
            if other.spec.trim_start_matches('=') != v {
                return Err(ProjectError::Contradiction {
                    package: package.into(),
                    a: first.spec.clone(),
                    a_file: first.file.display().to_string(),
                    b: other.spec.clone(),
                    b_file: other.file.display().to_string(),
                });
            }
        }
        let version = Version::from_str(v).map_err(|_| ProjectError::BadSpecifier {
            spec: first.spec.clone(),
            file: first.file.display().to_string(),
        })?;
        let pick = stored
            .iter()
            .filter(|s| s.release() <= version.release())
            .max()
            .cloned();
        return match pick {
            Some(p) => Ok(Some((
                p.clone(),
                format!(
                    "{package} {version} is pinned in `{}`{}",
                    first.file.display(),
                    if p == version {
                        String::new()
                    } else {
                        format!("; checking from {p}, the nearest stored release at or below it")
                    }
                ),
            ))),
            None => match stored.iter().min() {
                // Older than anything stored: the check starts at the oldest release it knows,
                // and says that what changed before it is not covered.
                Some(oldest) if version.release() < oldest.release() => Ok(Some((
                    oldest.clone(),
                    older_than_stored(
                        package,
                        &format!(
                            "{version} is pinned in `{}`, a release",
                            first.file.display()
                        ),
                        oldest,
                    ),
                ))),
                _ => Err(ProjectError::NoRelease {
                    package: package.into(),
                    spec: first.spec.clone(),
                    file: first.file.display().to_string(),
                    stored: stored_list(),
                }),
            },
        };
    }
    let ranges: Vec<&Declaration> = declarations
        .iter()
        .filter(|d| !d.locked && !d.spec.is_empty())
        .collect();
    if ranges.is_empty() {
        return Ok(None);
    }
    let mut allowed: Vec<Version> = stored.to_vec();
    // Whether some declaration allows only releases older than the oldest stored one
    // (`torch==1.4.0`, `torch<1.5`).
    let mut below_store = false;
    for d in &ranges {
        let specs =
            VersionSpecifiers::from_str(&d.spec).map_err(|_| ProjectError::BadSpecifier {
                spec: d.spec.clone(),
                file: d.file.display().to_string(),
            })?;
        allowed.retain(|v| specs.contains(v));
        if let Some(oldest) = stored.iter().min() {
            below_store |= !specs.contains(oldest)
                && specs.iter().any(|s| {
                    use pep440_rs::Operator::*;
                    matches!(
                        s.operator(),
                        Equal | EqualStar | ExactEqual | TildeEqual | LessThan | LessThanEqual
                    ) && s.version().release() < oldest.release()
                });
        }
    }
    let files: Vec<String> = ranges
        .iter()
        .map(|d| format!("`{}` in `{}`", d.spec, d.file.display()))
        .collect();
    match allowed.into_iter().min() {
        Some(v) => Ok(Some((
            v.clone(),
            format!(
                "{package} {} allows {v} as its oldest stored release; checking from it",
                files.join(" and ")
            ),
        ))),
        None if below_store => {
            let oldest = stored
                .iter()
                .min()
                .cloned()
                .unwrap_or_else(|| Version::new([0]));
            let why = older_than_stored(
                package,
                &format!("{} allows only releases", files.join(" and ")),
                &oldest,
            );
            Ok(Some((oldest, why)))
        }
        None => {
            let d = ranges[0];
            // One declaration's range, or all of them together, allows none.
            let spec = ranges
                .iter()
                .map(|r| r.spec.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Err(ProjectError::NoRelease {
                package: package.into(),
                spec,
                file: d.file.display().to_string(),
                stored: stored_list(),
            })
        }
    }
}

/// "torch 1.4.0 is pinned in `f`, a release older than any stored; checking from 1.6.0 ...".
fn older_than_stored(package: &str, declared: &str, oldest: &Version) -> String {
    format!(
        "{package} {declared} older than any stored; checking from {oldest}, the oldest, so \
         changes before it are not reported"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn requirement_lines() {
        assert_eq!(
            requirement("torch==2.1.0", "torch").as_deref(),
            Some("==2.1.0")
        );
        assert_eq!(
            requirement(
                "torch >=2.1, <2.5 ; python_version > '3.8'  # pinned",
                "torch"
            )
            .as_deref(),
            Some(">=2.1, <2.5")
        );
        assert_eq!(
            requirement("torch[cuda]>=2.0", "torch").as_deref(),
            Some(">=2.0")
        );
        assert_eq!(requirement("torchvision==0.16", "torch"), None);
        assert_eq!(requirement("torch", "torch").as_deref(), Some(""));
    }

    #[test]
    fn poetry_carets() {
        assert_eq!(poetry_to_pep440("^2.1"), ">=2.1,<3");
        assert_eq!(poetry_to_pep440("~2.1.0"), "~=2.1.0");
        assert_eq!(poetry_to_pep440("2.1.0"), "==2.1.0");
    }

    #[test]
    fn oldest_allowed_release() {
        let stored = [v("2.0.0"), v("2.1.0"), v("2.4.0"), v("2.5.0")];
        let d = |spec: &str, locked| Declaration {
            file: "requirements.txt".into(),
            spec: spec.into(),
            locked,
        };
        let (got, why) = infer_from(&[d(">=2.1,<2.5", false)], "torch", &stored)
            .unwrap()
            .unwrap();
        assert_eq!(got, v("2.1.0"));
        assert!(why.contains("oldest stored release"), "{why}");
        let (got, _) = infer_from(&[d(">=2.1", false), d("==2.4.0", true)], "torch", &stored)
            .unwrap()
            .unwrap();
        assert_eq!(got, v("2.4.0"), "a lock pin wins");
        assert!(matches!(
            infer_from(&[d("==2.4.0", true), d("==2.1.0", true)], "torch", &stored),
            Err(ProjectError::Contradiction { .. })
        ));
        assert!(matches!(
            infer_from(&[d(">=3", false)], "torch", &stored),
            Err(ProjectError::NoRelease { .. })
        ));
        assert!(infer_from(&[], "torch", &stored).unwrap().is_none());
        // Older than anything stored: from the oldest, saying so.
        for (spec, locked) in [("==1.4.0", true), ("==1.4.0", false), ("<1.5", false)] {
            let (got, why) = infer_from(&[d(spec, locked)], "torch", &stored)
                .unwrap()
                .unwrap();
            assert_eq!(got, *stored.iter().min().unwrap(), "{spec}");
            assert!(why.contains("older than any stored"), "{why}");
        }
    }
}
