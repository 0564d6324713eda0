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
        let Some(source) = python_of_cell(&source) else {
            continue;
        };
        units.push(Unit {
            path: shown.to_string(),
            cell: Some(code_cell),
            source,
        });
    }
    Ok(units)
}

/// Cell magics whose body is Python (`%%time` runs the cell and times it); any other
/// (`%%bash`, `%%writefile`, `%%html`) makes the cell something else.
const PYTHON_CELL_MAGICS: &[&str] = &["time", "timeit", "capture", "prun", "debug", "memit"];

/// A code cell as Python, with IPython's syntax blanked so that line numbers stay: line magics
/// and shell escapes (`%pip install x`, `!ls`, `files = !ls`, indented ones too, and their `\`
/// continuations) and help (`x?`, `??x`). `None` for a cell whose cell magic makes it
/// another language.
pub fn python_of_cell(source: &str) -> Option<String> {
    let mut lines: Vec<&str> = source.lines().collect();
    if let Some(first) = lines.first() {
        if let Some(magic) = first.trim_start().strip_prefix("%%") {
            let name = magic.split_whitespace().next().unwrap_or("");
            if !PYTHON_CELL_MAGICS.contains(&name) {
                return None;
            }
            lines[0] = "";
        }
    }
    let mut continued = false;
    let out: Vec<&str> = lines
        .iter()
        .map(|l| {
            let t = l.trim();
            let ipython = continued || is_ipython_line(t);
            continued = ipython && t.ends_with('\\');
            if ipython {
                ""
            } else {
                l
            }
        })
        .collect();
    Some(out.join("\n"))
}

/// `%magic`, `!cmd`, `x = !cmd`, `x = %magic`, `obj?`, `??obj`.
fn is_ipython_line(t: &str) -> bool {
    if t.starts_with(['%', '!']) || t.starts_with('?') {
        return true;
    }
    // Outside strings and comments, a trailing `?` is IPython's help.
    if t.ends_with('?') && !t.contains(['"', '\'', '#']) {
        return true;
    }
    // `files = !ls`: a name (or names) bound to a magic's output.
    if let Some((target, value)) = t.split_once('=') {
        let value = value.trim_start();
        let names = target
            .split(',')
            .all(|n| crate::util::names::is_identifier(n.trim()));
        return names && !target.trim().is_empty() && value.starts_with(['!', '%']);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipython_syntax_is_blanked_and_lines_stay() {
        let cell = "%pip install x \\\n    y\nimport torch\n  !nvidia-smi\nfiles = !ls\nout, err = %sx ls\ntorch.load?\n??torch.save\nx = 1  # really?\nif x != 2:\n    pass";
        let got = python_of_cell(cell).unwrap();
        let want = "\n\nimport torch\n\n\n\n\n\nx = 1  # really?\nif x != 2:\n    pass";
        assert_eq!(got, want);
        assert_eq!(got.lines().count(), cell.lines().count());
    }

    #[test]
    fn a_cell_magic_keeps_a_python_body_or_makes_the_cell_another_language() {
        assert_eq!(
            python_of_cell("%%time\nimport torch").as_deref(),
            Some("\nimport torch")
        );
        assert_eq!(python_of_cell("%%bash\nls -l\n"), None);
        assert_eq!(python_of_cell("%%writefile a.py\nimport torch\n"), None);
    }
}
