//! The package-index side of apidrift: reading project pages of the simple repository API
//! (PEP 503 HTML, PEP 691 JSON, PEP 700 sizes), naming wheels (PEP 427), picking releases
//! (PEP 440), and finding out which index URLs to use (command line, environment, pip config).

mod config;
mod page;
mod wheel;

use std::path::PathBuf;

pub use config::{pip_config_files, resolve_config, IndexConfig};
pub use page::{parse_project_page, project_url};
pub use pep440_rs::Version;
pub use url::Url;
pub use wheel::{parse_wheel_filename, releases, WheelName};

/// One downloadable file listed on a project page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexFile {
    /// The file's name, e.g. `torch-2.5.0-cp312-cp312-manylinux_2_28_x86_64.whl`.
    pub filename: String,
    /// Absolute download URL, without fragment.
    #[serde(with = "url_as_string")]
    pub url: Url,
    /// SHA-256 digest in lowercase hex, when the index gives one.
    pub sha256: Option<String>,
    /// File size in bytes (PEP 700), when the JSON page gives it.
    pub size: Option<u64>,
    /// Whether the index marks the file as yanked.
    pub yanked: bool,
    /// The `Requires-Python` specifier the index advertises for the file.
    pub requires_python: Option<String>,
}

// `url` is used without its `serde` feature, so the URL travels as its string form.
mod url_as_string {
    use super::Url;

    pub fn serialize<S: serde::Serializer>(url: &Url, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(url.as_str())
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        Url::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Everything that can go wrong while reading index pages or index configuration.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The page looked like (or was declared as) PEP 691 JSON but could not be decoded.
    #[error("project page {page} is not a valid PEP 691 JSON page: {reason}; check that the URL points at a simple-API project page")]
    Json {
        /// Redacted page URL.
        page: String,
        /// What the decoder complained about.
        reason: String,
    },
    /// A JSON page without the mandatory `files` list.
    #[error("project page {page} is JSON but has no `files` list; check that the URL points at a project page (`<index>/<project>/`), not the index root")]
    MissingFiles {
        /// Redacted page URL.
        page: String,
    },
    /// The HTML page is not a well-formed list of anchors.
    #[error("project page {page} is not a well-formed PEP 503 HTML page: {reason}; check that the index serves the simple API at this URL")]
    Html {
        /// Redacted page URL.
        page: String,
        /// What is wrong, with the line where it was found.
        reason: String,
    },
    /// A file link that cannot be turned into an absolute URL.
    #[error("project page {page}: link `{href}` cannot be resolved to an absolute URL ({reason}); the index page is broken, report it to the index operator")]
    BadLink {
        /// Redacted page URL.
        page: String,
        /// The link as written on the page.
        href: String,
        /// Why resolving it failed.
        reason: String,
    },
    /// No main index URL in any of the places that are looked at.
    #[error("no package index URL is configured; set one with `--index-url URL`, the APIDRIFT_INDEX_URL or PIP_INDEX_URL environment variable, or `index-url = URL` in the [global] section of a pip configuration file (e.g. ~/.config/pip/pip.conf)")]
    NoIndex,
    /// A configured index URL that is not an absolute http(s) URL.
    #[error("{origin} gives `{value}`, which is not an absolute http(s) URL ({reason}); fix it to something like https://index.example/simple/")]
    InvalidUrl {
        /// Where the value came from (option, variable, or config file and key).
        origin: String,
        /// The value, with credentials redacted.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A pip configuration file exists but cannot be read.
    #[error("cannot read pip configuration file {}: {error}; fix its permissions or encoding, or set PIP_CONFIG_FILE to another file", path.display())]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        error: std::io::Error,
    },
    /// A pip configuration file that is not valid INI.
    #[error("pip configuration file {} line {line}: {reason}; fix the file (INI: `[section]` headers and `key = value` lines)", path.display())]
    ConfigSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// The URL as text for messages, with username and password replaced by `***`.
pub fn redact(url: &Url) -> String {
    let mut u = url.clone();
    if !u.username().is_empty() {
        let _ = u.set_username("***");
    }
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    fn file(name: &str, base: &str, yanked: bool) -> IndexFile {
        IndexFile {
            filename: name.to_string(),
            url: Url::parse(&format!("{base}{name}")).expect("test URL"),
            sha256: None,
            size: None,
            yanked,
            requires_python: None,
        }
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact(&url("https://user:pw@index.example/simple/")),
            "https://***:***@index.example/simple/"
        );
        assert_eq!(
            redact(&url("https://token@index.example/simple/")),
            "https://***@index.example/simple/"
        );
        assert_eq!(
            redact(&url("https://index.example/simple/")),
            "https://index.example/simple/"
        );
    }

    #[test]
    fn index_file_serde_round_trip() {
        let f = IndexFile {
            sha256: Some("ab".repeat(32)),
            size: Some(7),
            ..file("x-1.0-py3-none-any.whl", "https://files.example/", false)
        };
        let text = serde_json::to_string(&f).expect("serialise");
        assert!(text.contains("\"url\":\"https://files.example/x-1.0-py3-none-any.whl\""));
        let back: IndexFile = serde_json::from_str(&text).expect("deserialise");
        assert_eq!(back, f);
    }
}
