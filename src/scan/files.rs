//! Finding the user's Python: files and folders, `.gitignore` honoured, `--exclude` globs,
//! `.py`, `.pyi` and Jupyter notebooks (code cells, each parsed on its own).

use std::path::{Path, PathBuf};

use globset::GlobSet;

/// A unit to parse: a file, or one code cell of a notebook.
#[derive(Debug)]
pub struct Unit {
    pub path: String,
    pub cell: Option<usize>,
    pub source: String,
}

/// A file that could not be read or understood; the run goes on without it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// The Python files under `paths`, sorted, with problems met on the way (unreadable entries,
/// symlink loops).
pub fn collect(paths: &[PathBuf], exclude: &GlobSet) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for root in paths {
        if root.is_file() {
            files.push(root.clone());
            continue;
        }
        if !root.exists() {
            problems.push(Problem {
                path: root.display().to_string(),
                message: "no such file or directory".into(),
            });
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .require_git(false)
            .follow_links(true)
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    if e.file_type().is_some_and(|t| t.is_file())
                        && is_python(p)
                        && !exclude.is_match(p)
                        && !exclude.is_match(relative(p, root))
                    {
                        files.push(p.to_path_buf());
                    }
                }
                Err(err) => problems.push(Problem {
                    path: root.display().to_string(),
                    message: err.to_string(),
                }),
            }
        }
    }
    files.sort();
    files.dedup();
    (files, problems)
}

fn relative<'a>(p: &'a Path, root: &Path) -> &'a Path {
    p.strip_prefix(root).unwrap_or(p)
}

fn is_python(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("py" | "pyi" | "ipynb")
    )
}

/// Reads a file into parse units: the file itself, or a notebook's code cells.
pub fn read(path: &Path, shown: &str) -> Result<Vec<Unit>, Problem> {
    let problem = |message: String| Problem {
        path: shown.to_string(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| problem(format!("cannot read: {e}")))?;
    if path.extension().is_some_and(|e| e == "ipynb") {
        return notebook(&bytes, shown).map_err(problem);
    }
    if bytes.contains(&0) {
        return Err(problem("binary file, not Python source".into()));
    }
    let source = crate::extract::source::decode(&bytes)
        .map_err(|d| problem(format!("not valid UTF-8 ({d}) and no encoding declared")))?;
    Ok(vec![Unit {
        path: shown.to_string(),
        cell: None,
        source,
    }])
}

fn notebook(bytes: &[u8], shown: &str) -> Result<Vec<Unit>, String> {
    let nb: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid notebook: {e}"))?;
    let cells = nb
        .get("cells")
        .and_then(|c| c.as_array())
        .ok_or("not a valid notebook: no `cells` list")?;
    let mut units = Vec::new();
    let mut code_cell = 0;
    for cell in cells {
        if cell.get("cell_type").and_then(|t| t.as_str()) != Some("code") {
            continue;
        }
        code_cell += 1;
        let source = match cell.get("source") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Array(lines)) => {
                lines.iter().filter_map(|l| l.as_str()).collect()
            }
            _ => {
                return Err(format!(
                    "not a valid notebook: code cell {code_cell} has no source"
                ))
            }
        };
        // IPython magics and shell escapes are not Python: blank them, keeping line numbers.
        let source: String = source
            .lines()
            .map(|l| {
                if l.trim_start().starts_with(['%', '!']) {
                    ""
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        units.push(Unit {
            path: shown.to_string(),
            cell: Some(code_cell),
            source,
        });
    }
    Ok(units)
}
