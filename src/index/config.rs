//! Which index URLs to use: the command line, then the environment, then pip's configuration
//! files, in pip's order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{IndexError, Url};

/// The index URLs to use and where the main one came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexConfig {
    /// The main index.
    pub index_url: Url,
    /// Further indexes, searched as well, de-duplicated, in precedence order.
    pub extra_index_urls: Vec<Url>,
    /// `--index-url`, `APIDRIFT_INDEX_URL`, `PIP_INDEX_URL`, or the config file's path.
    pub origin: String,
}

/// Decides the index URLs.
///
/// Main index: `cli_index`, then `APIDRIFT_INDEX_URL`, then `PIP_INDEX_URL`, then `index-url`
/// from pip's configuration files. Extra indexes: `cli_extra`, then `APIDRIFT_EXTRA_INDEX_URL`,
/// then `PIP_EXTRA_INDEX_URL`, then the config's `extra-index-url`, all of them, whitespace
/// separated, de-duplicated in that order (the main index is not repeated among them).
/// Config files that do not exist are skipped; unreadable ones are an error.
pub fn resolve_config(
    cli_index: Option<&str>,
    cli_extra: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    pip_config_files: &[PathBuf],
) -> Result<IndexConfig, IndexError> {
    let pip = read_pip_config(pip_config_files)?;
    // An empty variable is how shells commonly "unset" things, so it does not count as a value.
    let env_value = |name: &str| env(name).filter(|v| !v.trim().is_empty());

    let main = if let Some(v) = cli_index.filter(|v| !v.trim().is_empty()) {
        Some((
            v.to_string(),
            "--index-url".to_string(),
            "--index-url".to_string(),
        ))
    } else if let Some(v) = env_value("APIDRIFT_INDEX_URL") {
        Some((v, "APIDRIFT_INDEX_URL".into(), "APIDRIFT_INDEX_URL".into()))
    } else if let Some(v) = env_value("PIP_INDEX_URL") {
        Some((v, "PIP_INDEX_URL".into(), "PIP_INDEX_URL".into()))
    } else {
        pip.index_url.map(|(v, path)| {
            let shown = path.display().to_string();
            (v, shown.clone(), format!("index-url in {shown}"))
        })
    };
    let Some((value, origin, described)) = main else {
        return Err(IndexError::NoIndex);
    };
    let index_url = check_url(&value, &described)?;

    let mut sources: Vec<(String, String)> = Vec::new();
    for v in cli_extra {
        for item in v.split_whitespace() {
            sources.push((item.to_string(), "--extra-index-url".into()));
        }
    }
    for var in ["APIDRIFT_EXTRA_INDEX_URL", "PIP_EXTRA_INDEX_URL"] {
        if let Some(v) = env_value(var) {
            for item in v.split_whitespace() {
                sources.push((item.to_string(), var.to_string()));
            }
        }
    }
    if let Some((v, path)) = pip.extra_index_url {
        for item in v.split_whitespace() {
            sources.push((
                item.to_string(),
                format!("extra-index-url in {}", path.display()),
            ));
        }
    }
    let mut extra_index_urls: Vec<Url> = Vec::new();
    for (value, described) in sources {
        let url = check_url(&value, &described)?;
        if url != index_url && !extra_index_urls.contains(&url) {
            extra_index_urls.push(url);
        }
    }
    Ok(IndexConfig {
        index_url,
        extra_index_urls,
        origin,
    })
}

fn check_url(value: &str, origin: &str) -> Result<Url, IndexError> {
    let invalid = |reason: String| IndexError::InvalidUrl {
        origin: origin.to_string(),
        value: redact_str(value),
        reason,
    };
    let url = Url::parse(value.trim()).map_err(|e| invalid(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme `{}` is not http or https",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host".to_string()));
    }
    Ok(url)
}

/// Redacts credentials in a string that may not parse as a URL.
fn redact_str(value: &str) -> String {
    static USERINFO: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let re = USERINFO.get_or_init(|| regex::Regex::new(r"://[^/?#@\s]*@").ok());
    match re {
        Some(re) => re.replace_all(value, "://***@").into_owned(),
        None => value.to_string(),
    }
}

#[derive(Default)]
struct PipSettings {
    index_url: Option<(String, PathBuf)>,
    extra_index_url: Option<(String, PathBuf)>,
}

fn read_pip_config(files: &[PathBuf]) -> Result<PipSettings, IndexError> {
    let mut settings = PipSettings::default();
    for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => {
                return Err(IndexError::ConfigRead {
                    path: path.clone(),
                    error,
                })
            }
        };
        let sections = parse_ini(&text).map_err(|(line, reason)| IndexError::ConfigSyntax {
            path: path.clone(),
            line,
            reason,
        })?;
        // `[download]` is the section for the command apidrift behaves like, so it beats `[global]`.
        for section in ["global", "download"] {
            let Some(values) = sections.get(section) else {
                continue;
            };
            if let Some(v) = values.get("index-url").filter(|v| !v.trim().is_empty()) {
                settings.index_url = Some((v.trim().to_string(), path.clone()));
            }
            if let Some(v) = values.get("extra-index-url") {
                settings.extra_index_url = Some((v.clone(), path.clone()));
            }
        }
    }
    Ok(settings)
}

type IniSections = HashMap<String, HashMap<String, String>>;

/// A small INI reader with the conventions pip's reader has: `=` or `:` delimiters, indented
/// continuation lines, whole-line `#`/`;` comments, keys case-insensitive with `_` equal to `-`.
fn parse_ini(text: &str) -> Result<IniSections, (usize, String)> {
    let mut sections: IniSections = HashMap::new();
    let mut section: Option<String> = None;
    let mut key: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if indented {
            if let (Some(s), Some(k)) = (&section, &key) {
                if let Some(v) = sections.get_mut(s).and_then(|m| m.get_mut(k)) {
                    if !v.is_empty() {
                        v.push('\n');
                    }
                    v.push_str(trimmed);
                    continue;
                }
            }
        }
        if let Some(name) = trimmed.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or_else(|| (line_no, format!("section header `{trimmed}` lacks `]`")))?;
            let name = name.trim().to_string();
            sections.entry(name.clone()).or_default();
            section = Some(name);
            key = None;
            continue;
        }
        let Some(cur) = &section else {
            return Err((line_no, "setting before any `[section]` header".into()));
        };
        let Some(delim) = trimmed.find(['=', ':']) else {
            return Err((line_no, format!("`{trimmed}` is not `key = value`")));
        };
        let k = trimmed[..delim].trim().to_lowercase().replace('_', "-");
        if k.is_empty() {
            return Err((line_no, "empty key".into()));
        }
        let v = trimmed[delim + 1..].trim().to_string();
        sections
            .entry(cur.clone())
            .or_default()
            .insert(k.clone(), v);
        key = Some(k);
    }
    Ok(sections)
}

/// pip's configuration files in pip's load order on Linux/macOS (later ones override earlier):
/// global (`$XDG_CONFIG_DIRS/pip/pip.conf`, default `/etc/xdg`, then `/etc/pip.conf`), user
/// (`$HOME/.pip/pip.conf`, then `$XDG_CONFIG_HOME` or `~/.config` + `/pip/pip.conf`), site
/// (`$VIRTUAL_ENV/pip.conf`), and finally `PIP_CONFIG_FILE`. As in pip, `PIP_CONFIG_FILE` set
/// to the null device disables all files, and an existing `PIP_CONFIG_FILE` replaces the user files.
pub fn pip_config_files(env: &dyn Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let config_file = var("PIP_CONFIG_FILE");
    let devnull = if cfg!(windows) { "nul" } else { "/dev/null" };
    if config_file
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case(devnull))
    {
        return Vec::new();
    }

    let mut files = Vec::new();
    let xdg_dirs = var("XDG_CONFIG_DIRS").unwrap_or_else(|| "/etc/xdg".to_string());
    for dir in xdg_dirs.split(':').filter(|d| !d.is_empty()) {
        files.push(Path::new(dir).join("pip").join("pip.conf"));
    }
    files.push(PathBuf::from("/etc/pip.conf"));

    let skip_user = config_file
        .as_deref()
        .is_some_and(|f| Path::new(f).exists());
    if !skip_user {
        let home = var("HOME");
        if let Some(home) = &home {
            files.push(Path::new(home).join(".pip").join("pip.conf"));
        }
        let config_home = var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home.map(|h| Path::new(&h).join(".config")));
        if let Some(dir) = config_home {
            files.push(dir.join("pip").join("pip.conf"));
        }
    }
    if let Some(venv) = var("VIRTUAL_ENV") {
        files.push(Path::new(&venv).join("pip.conf"));
    }
    if let Some(f) = config_file {
        files.push(PathBuf::from(f));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn temp_file(tag: &str, content: &str) -> PathBuf {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!(
            "apidrift-index-test-{}-{n}-{tag}.conf",
            std::process::id()
        ));
        std::fs::write(&path, content).expect("write temp config");
        path
    }

    #[test]
    fn redacts_strings_that_are_not_urls() {
        assert_eq!(
            redact_str("ftp://user:pw@index.example/x"),
            "ftp://***@index.example/x"
        );
    }

    #[test]
    fn config_precedence() {
        let conf_a = temp_file(
            "a",
            "# global settings\n[global]\nindex-url = https://a.example/simple/\nextra-index-url =\n    https://x1.example/simple/\n    https://x2.example/simple/\n; comment\n[download]\nindex_url: https://a-download.example/simple/\n",
        );
        let conf_b = temp_file(
            "b",
            "[install]\nindex-url = https://ignored.example/simple/\n[global]\nextra-index-url = https://x3.example/simple/ https://shared.example/simple/\n",
        );
        let missing = std::env::temp_dir().join(format!(
            "apidrift-index-test-{}-does-not-exist.conf",
            std::process::id()
        ));
        let files = vec![missing, conf_a.clone(), conf_b.clone()];
        let full_env = env_of(&[
            ("APIDRIFT_INDEX_URL", "https://apidrift.example/simple/"),
            ("PIP_INDEX_URL", "https://pip.example/simple/"),
            (
                "APIDRIFT_EXTRA_INDEX_URL",
                "https://e1.example/simple/ https://shared.example/simple/",
            ),
            (
                "PIP_EXTRA_INDEX_URL",
                "https://e2.example/simple/\nhttps://cli.example/x/",
            ),
        ]);
        let cli_extra = vec!["https://cli.example/x/".to_string()];

        let c = resolve_config(
            Some("https://cli.example/simple/"),
            &cli_extra,
            &full_env,
            &files,
        )
        .expect("config");
        assert_eq!(c.index_url.as_str(), "https://cli.example/simple/");
        assert_eq!(c.origin, "--index-url");
        let extras: Vec<&str> = c.extra_index_urls.iter().map(Url::as_str).collect();
        assert_eq!(
            extras,
            vec![
                "https://cli.example/x/",
                "https://e1.example/simple/",
                "https://shared.example/simple/",
                "https://e2.example/simple/",
                "https://x3.example/simple/",
            ]
        );

        let c = resolve_config(None, &[], &full_env, &files).expect("config");
        assert_eq!(c.index_url.as_str(), "https://apidrift.example/simple/");
        assert_eq!(c.origin, "APIDRIFT_INDEX_URL");

        let pip_env = env_of(&[
            ("APIDRIFT_INDEX_URL", ""),
            ("PIP_INDEX_URL", "https://pip.example/simple/"),
        ]);
        let c = resolve_config(None, &[], &pip_env, &files).expect("config");
        assert_eq!(c.index_url.as_str(), "https://pip.example/simple/");
        assert_eq!(c.origin, "PIP_INDEX_URL");

        // Only config: [download] beats [global] within a file; a later file's extras win.
        let none = env_of(&[]);
        let c = resolve_config(None, &[], &none, &files).expect("config");
        assert_eq!(c.index_url.as_str(), "https://a-download.example/simple/");
        assert_eq!(c.origin, conf_a.display().to_string());
        let extras: Vec<&str> = c.extra_index_urls.iter().map(Url::as_str).collect();
        assert_eq!(
            extras,
            vec![
                "https://x3.example/simple/",
                "https://shared.example/simple/"
            ]
        );

        // Without the second file the multi-line value of the first is used.
        let c = resolve_config(None, &[], &none, &files[..2]).expect("config");
        let extras: Vec<&str> = c.extra_index_urls.iter().map(Url::as_str).collect();
        assert_eq!(
            extras,
            vec!["https://x1.example/simple/", "https://x2.example/simple/"]
        );

        // A later file's index-url overrides an earlier one's.
        let conf_c = temp_file("c", "[global]\nindex-url = https://c.example/simple/\n");
        let c =
            resolve_config(None, &[], &none, &[conf_a.clone(), conf_c.clone()]).expect("config");
        assert_eq!(c.index_url.as_str(), "https://c.example/simple/");
        assert_eq!(c.origin, conf_c.display().to_string());

        for p in [conf_a, conf_b, conf_c] {
            let _ = std::fs::remove_file(p);
        }
    }

    #[test]
    fn missing_config_error_says_how_to_set_it() {
        let err = resolve_config(None, &[], &env_of(&[]), &[]).expect_err("nothing set");
        assert!(matches!(err, IndexError::NoIndex));
        let msg = err.to_string();
        for way in [
            "--index-url",
            "APIDRIFT_INDEX_URL",
            "PIP_INDEX_URL",
            "index-url",
            "pip.conf",
        ] {
            assert!(msg.contains(way), "{way} missing from: {msg}");
        }
    }

    #[test]
    fn invalid_urls_name_their_origin() {
        let err = resolve_config(
            None,
            &[],
            &env_of(&[("PIP_INDEX_URL", "index.example/simple")]),
            &[],
        )
        .expect_err("relative URL");
        assert!(err.to_string().contains("PIP_INDEX_URL"), "{err}");

        let err = resolve_config(
            Some("ftp://u:secret@index.example/"),
            &[],
            &env_of(&[]),
            &[],
        )
        .expect_err("ftp");
        let msg = err.to_string();
        assert!(msg.contains("--index-url") && msg.contains("ftp"), "{msg}");
        assert!(!msg.contains("secret"), "{msg}");

        let err = resolve_config(
            Some("https://index.example/simple/"),
            &[],
            &env_of(&[("APIDRIFT_EXTRA_INDEX_URL", "not a url")]),
            &[],
        )
        .expect_err("bad extra");
        assert!(
            err.to_string().contains("APIDRIFT_EXTRA_INDEX_URL"),
            "{err}"
        );

        let conf = temp_file("bad", "[global]\nindex-url = file:///srv/simple\n");
        let err = resolve_config(None, &[], &env_of(&[]), std::slice::from_ref(&conf))
            .expect_err("file URL");
        assert!(
            err.to_string().contains(&conf.display().to_string()),
            "{err}"
        );
        let _ = std::fs::remove_file(conf);
    }

    #[test]
    fn bad_config_files_are_errors_naming_them() {
        let syntax = temp_file("syntax", "index-url = https://index.example/simple/\n");
        let err = resolve_config(
            Some("https://index.example/simple/"),
            &[],
            &env_of(&[]),
            std::slice::from_ref(&syntax),
        )
        .expect_err("no section");
        assert!(
            err.to_string().contains(&syntax.display().to_string()),
            "{err}"
        );
        let _ = std::fs::remove_file(syntax);

        // A directory exists but cannot be read as a file.
        let dir = std::env::temp_dir();
        let err = resolve_config(
            Some("https://index.example/simple/"),
            &[],
            &env_of(&[]),
            std::slice::from_ref(&dir),
        )
        .expect_err("directory");
        assert!(matches!(err, IndexError::ConfigRead { .. }));
        assert!(
            err.to_string().contains(&dir.display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn pip_config_file_order() {
        let env = env_of(&[
            ("HOME", "/home/u"),
            ("VIRTUAL_ENV", "/venv"),
            ("PIP_CONFIG_FILE", "/nonexistent/apidrift-test/pip.conf"),
        ]);
        let files: Vec<String> = pip_config_files(&env)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            files,
            vec![
                "/etc/xdg/pip/pip.conf",
                "/etc/pip.conf",
                "/home/u/.pip/pip.conf",
                "/home/u/.config/pip/pip.conf",
                "/venv/pip.conf",
                "/nonexistent/apidrift-test/pip.conf",
            ]
        );

        let env = env_of(&[
            ("HOME", "/home/u"),
            ("XDG_CONFIG_HOME", "/cfg"),
            ("XDG_CONFIG_DIRS", "/d1:/d2"),
        ]);
        let files: Vec<String> = pip_config_files(&env)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            files,
            vec![
                "/d1/pip/pip.conf",
                "/d2/pip/pip.conf",
                "/etc/pip.conf",
                "/home/u/.pip/pip.conf",
                "/cfg/pip/pip.conf",
            ]
        );

        // An existing PIP_CONFIG_FILE replaces the user files, as in pip.
        let existing = temp_file("env", "[global]\n");
        let existing_s = existing.display().to_string();
        let env = env_of(&[("HOME", "/home/u"), ("PIP_CONFIG_FILE", &existing_s)]);
        let files = pip_config_files(&env);
        assert_eq!(files.last(), Some(&existing));
        assert!(!files.iter().any(|p| p.starts_with("/home/u")));
        let _ = std::fs::remove_file(existing);

        let env = env_of(&[("HOME", "/home/u"), ("PIP_CONFIG_FILE", "/dev/null")]);
        assert!(pip_config_files(&env).is_empty());
    }
}
