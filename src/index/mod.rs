//! The package-index side of apidrift: reading project pages of the simple repository API
//! (PEP 503 HTML, PEP 691 JSON, PEP 700 sizes), naming wheels (PEP 427), picking releases
//! (PEP 440), and finding out which index URLs to use (command line, environment, pip config).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

pub use pep440_rs::Version;
pub use url::Url;

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
    #[error("cannot read pip configuration file {}: {source}; fix its permissions or encoding, or set PIP_CONFIG_FILE to another file", path.display())]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
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

// ---------------------------------------------------------------------------------------------
// Project pages
// ---------------------------------------------------------------------------------------------

/// Parses a project page of the simple repository API into its files.
///
/// `content_type` is the response's `Content-Type`: PEP 691 JSON
/// (`application/vnd.pypi.simple.v1+json`, `application/json`) or HTML (`text/html`,
/// `application/vnd.pypi.simple.v1+html`). When absent or unknown the body is sniffed: a body
/// starting with `{` is JSON. Relative URLs resolve against `page_url` (and, for HTML, against a
/// `<base href>`).
pub fn parse_project_page(
    body: &[u8],
    content_type: Option<&str>,
    page_url: &Url,
) -> Result<Vec<IndexFile>, IndexError> {
    let json = match content_type.map(page_kind) {
        Some(Some(PageKind::Json)) => true,
        Some(Some(PageKind::Html)) => false,
        _ => looks_like_json(body),
    };
    if json {
        parse_json_page(body, page_url)
    } else {
        parse_html_page(body, page_url)
    }
}

enum PageKind {
    Json,
    Html,
}

fn page_kind(content_type: &str) -> Option<PageKind> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    // PEP 691 also allows `latest` in place of `v1`, so match the family rather than one name.
    let simple = mime.starts_with("application/vnd.pypi.simple.");
    if mime == "application/json" || (simple && mime.ends_with("+json")) {
        Some(PageKind::Json)
    } else if mime == "text/html" || (simple && mime.ends_with("+html")) {
        Some(PageKind::Html)
    } else {
        None
    }
}

fn looks_like_json(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

#[derive(serde::Deserialize)]
struct JsonPage {
    files: Option<Vec<JsonFile>>,
}

#[derive(serde::Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: HashMap<String, String>,
    #[serde(default)]
    yanked: Option<JsonYanked>,
    #[serde(default, rename = "requires-python")]
    requires_python: Option<String>,
    #[serde(default)]
    size: Option<u64>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum JsonYanked {
    Flag(bool),
    // PEP 691: a string is the yank reason, and any string (even empty) means yanked.
    Reason(#[allow(dead_code)] String),
}

fn parse_json_page(body: &[u8], page_url: &Url) -> Result<Vec<IndexFile>, IndexError> {
    let page: JsonPage = serde_json::from_slice(body).map_err(|e| IndexError::Json {
        page: redact(page_url),
        reason: e.to_string(),
    })?;
    let files = page.files.ok_or_else(|| IndexError::MissingFiles {
        page: redact(page_url),
    })?;
    files
        .into_iter()
        .map(|f| {
            let (url, fragment_hash) = resolve_link(page_url, page_url, &f.url)?;
            let sha256 = f
                .hashes
                .get("sha256")
                .and_then(|h| clean_sha256(h))
                .or(fragment_hash);
            let yanked = match f.yanked {
                None | Some(JsonYanked::Flag(false)) => false,
                Some(JsonYanked::Flag(true)) | Some(JsonYanked::Reason(_)) => true,
            };
            Ok(IndexFile {
                filename: f.filename,
                url,
                sha256,
                size: f.size,
                yanked,
                requires_python: non_empty(f.requires_python),
            })
        })
        .collect()
}

/// Resolves `href` against `base`, strips the fragment and returns the sha256 it carried.
fn resolve_link(
    page_url: &Url,
    base: &Url,
    href: &str,
) -> Result<(Url, Option<String>), IndexError> {
    let mut url = base.join(href.trim()).map_err(|e| IndexError::BadLink {
        page: redact(page_url),
        href: href.to_string(),
        reason: e.to_string(),
    })?;
    let sha256 = url.fragment().and_then(|frag| {
        frag.split('&')
            .find_map(|part| part.strip_prefix("sha256="))
            .and_then(clean_sha256)
    });
    url.set_fragment(None);
    Ok((url, sha256))
}

fn clean_sha256(hex: &str) -> Option<String> {
    let hex = hex.trim();
    // A digest of the wrong shape cannot verify anything, so it is dropped rather than trusted.
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_lowercase())
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

struct Tag {
    name: String,
    attrs: Vec<(String, Option<String>)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<Option<&str>> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }
}

struct Anchor {
    tag: Tag,
    text: String,
    line: usize,
}

fn parse_html_page(body: &[u8], page_url: &Url) -> Result<Vec<IndexFile>, IndexError> {
    let text = String::from_utf8_lossy(body);
    let html_err = |reason: String| IndexError::Html {
        page: redact(page_url),
        reason,
    };
    let (anchors, base_href) = scan_html(&text).map_err(html_err)?;

    // A `<base href>` may itself be relative; it is taken relative to the page.
    let base = match base_href {
        Some(href) => page_url
            .join(href.trim())
            .map_err(|e| IndexError::BadLink {
                page: redact(page_url),
                href,
                reason: e.to_string(),
            })?,
        None => page_url.clone(),
    };

    let mut files = Vec::with_capacity(anchors.len());
    for anchor in anchors {
        let href = match anchor.tag.attr("href") {
            Some(Some(h)) if !h.trim().is_empty() => h.to_string(),
            _ => {
                return Err(html_err(format!(
                    "anchor on line {} has no href",
                    anchor.line
                )))
            }
        };
        let (url, sha256) = resolve_link(page_url, &base, &href)?;
        let text = anchor.text.trim();
        let filename = if text.is_empty() {
            url.path_segments()
                .and_then(|mut segs| segs.next_back())
                .map(percent_decode)
                .unwrap_or_default()
        } else {
            text.to_string()
        };
        if filename.is_empty() {
            return Err(html_err(format!(
                "anchor on line {} has neither link text nor a file name in its URL",
                anchor.line
            )));
        }
        files.push(IndexFile {
            filename,
            url,
            sha256,
            size: None,
            yanked: anchor.tag.attr("data-yanked").is_some(),
            requires_python: non_empty(
                anchor
                    .tag
                    .attr("data-requires-python")
                    .flatten()
                    .map(str::to_string),
            ),
        });
    }
    Ok(files)
}

fn line_of(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn find_ci(haystack: &str, from: usize, needle: &str) -> Option<usize> {
    let hay = haystack.as_bytes();
    let needle = needle.as_bytes();
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| p + from)
}

/// Walks the page and returns its anchors plus the first `<base href>`.
///
/// This is not a general HTML parser: project pages are flat lists of anchors, so only tags,
/// attributes, comments and raw-text elements are understood, which keeps it strict enough to
/// reject truncated or garbled pages.
fn scan_html(text: &str) -> Result<(Vec<Anchor>, Option<String>), String> {
    let bytes = text.as_bytes();
    let mut anchors = Vec::new();
    let mut base_href = None;
    let mut pos = 0;
    while let Some(off) = text[pos..].find('<') {
        let start = pos + off;
        let rest = &text[start..];
        if rest.starts_with("<!--") {
            let end = text[start + 4..]
                .find("-->")
                .ok_or_else(|| format!("comment on line {} never ends", line_of(text, start)))?;
            pos = start + 4 + end + 3;
            continue;
        }
        let next = bytes.get(start + 1).copied();
        if matches!(next, Some(b'!') | Some(b'?') | Some(b'/')) {
            // Doctype, processing instruction or end tag: nothing to read in them.
            let end = text[start..]
                .find('>')
                .ok_or_else(|| format!("tag on line {} never closes", line_of(text, start)))?;
            pos = start + end + 1;
            continue;
        }
        if !next.is_some_and(|b| b.is_ascii_alphabetic()) {
            // A stray `<` in text, as browsers treat it.
            pos = start + 1;
            continue;
        }
        let (tag, after) = parse_tag(text, start)?;
        pos = after;
        match tag.name.as_str() {
            "a" => {
                let close = find_ci(text, pos, "</a").ok_or_else(|| {
                    format!(
                        "anchor on line {} is never closed with </a>",
                        line_of(text, start)
                    )
                })?;
                let inner = &text[pos..close];
                let end = text[close..]
                    .find('>')
                    .ok_or_else(|| format!("</a on line {} never closes", line_of(text, close)))?;
                anchors.push(Anchor {
                    tag,
                    text: unescape(&strip_tags(inner)),
                    line: line_of(text, start),
                });
                pos = close + end + 1;
            }
            // HTML honours only the first `<base>`.
            "base" if base_href.is_none() => {
                if let Some(Some(href)) = tag.attr("href") {
                    base_href = Some(href.to_string());
                }
            }
            "script" | "style" => {
                // Their content is not markup; an `<a` inside a script must not count.
                let close = find_ci(text, pos, &format!("</{}", tag.name)).ok_or_else(|| {
                    format!(
                        "<{}> on line {} is never closed",
                        tag.name,
                        line_of(text, start)
                    )
                })?;
                pos = close;
            }
            _ => {}
        }
    }
    Ok((anchors, base_href))
}

/// Parses the start tag at `start` (pointing at `<`); returns it and the offset after `>`.
fn parse_tag(text: &str, start: usize) -> Result<(Tag, usize), String> {
    let bytes = text.as_bytes();
    let unclosed = || format!("tag on line {} never closes", line_of(text, start));
    let mut i = start + 1;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
        i += 1;
    }
    let name = text[start + 1..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i) {
            None => return Err(unclosed()),
            Some(b'>') => return Ok((Tag { name, attrs }, i + 1)),
            Some(_) => {}
        }
        let name_start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            if bytes[i].is_ascii_whitespace() {
                break;
            }
            i += 1;
        }
        let attr_name = text[name_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) != Some(&b'=') {
            attrs.push((attr_name, None));
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let value = match bytes.get(j) {
            None => return Err(unclosed()),
            Some(&q) if q == b'"' || q == b'\'' => {
                let end = text[j + 1..].find(q as char).ok_or_else(|| {
                    format!(
                        "attribute `{attr_name}` on line {} has an unterminated quoted value",
                        line_of(text, start)
                    )
                })?;
                let v = &text[j + 1..j + 1 + end];
                i = j + 1 + end + 1;
                v
            }
            Some(_) => {
                let v_start = j;
                while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                    j += 1;
                }
                i = j;
                &text[v_start..j]
            }
        };
        attrs.push((attr_name, Some(unescape(value))));
    }
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Unescapes the character references that appear in index pages; unknown ones stay as written.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &after[..semi];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = entity.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse::<u32>().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((ch, semi))
        });
        match decoded {
            Some((ch, semi)) => {
                out.push(ch);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Names, wheels, releases
// ---------------------------------------------------------------------------------------------

/// The project page URL `<index>/<normalised project>/`; a missing trailing slash on the index
/// URL is added first.
pub fn project_url(index: &Url, project: &str) -> Url {
    let mut url = index.clone();
    url.set_fragment(None);
    if let Ok(mut segs) = url.path_segments_mut() {
        segs.pop_if_empty().push(&normalise_name(project)).push("");
    }
    url
}

/// PEP 503 name normalisation: lowercase, and every run of `-`, `_` and `.` becomes one `-`.
pub fn normalise_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// The parts of a PEP 427 wheel file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelName {
    /// Distribution name as written in the file name (not normalised).
    pub distribution: String,
    /// The release's version.
    pub version: Version,
    /// Optional build tag (starts with a digit).
    pub build: Option<String>,
    /// Python tags, e.g. `["py2", "py3"]` for `py2.py3`.
    pub python: Vec<String>,
    /// ABI tags.
    pub abi: Vec<String>,
    /// Platform tags.
    pub platform: Vec<String>,
}

/// Splits a wheel file name `{dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl`
/// (compressed tag sets split on `.`). `None` for sdists, malformed names or bad versions.
pub fn parse_wheel_filename(filename: &str) -> Option<WheelName> {
    let stem = filename.strip_suffix(".whl")?;
    let parts: Vec<&str> = stem.split('-').collect();
    let (dist, version, build, tags) = match parts.as_slice() {
        [d, v, p, a, pl] => (*d, *v, None, [*p, *a, *pl]),
        [d, v, b, p, a, pl] => (*d, *v, Some(*b), [*p, *a, *pl]),
        _ => return None,
    };
    let dist_ok = !dist.is_empty()
        && dist
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !dist_ok {
        return None;
    }
    if let Some(b) = build {
        if !b.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
    }
    let version = Version::from_str(version).ok()?;
    let split = |set: &str| -> Option<Vec<String>> {
        let tags: Vec<String> = set.split('.').map(str::to_string).collect();
        (!tags.iter().any(String::is_empty)).then_some(tags)
    };
    Some(WheelName {
        distribution: dist.to_string(),
        version,
        build: build.map(str::to_string),
        python: split(tags[0])?,
        abi: split(tags[1])?,
        platform: split(tags[2])?,
    })
}

/// The releases of `project` among `files`, possibly gathered from several indexes.
///
/// Keeps wheels whose distribution normalises to `project` and that are not yanked; pre- and dev
/// releases only when `pre`. Post and local versions are kept as they are. A file name seen twice
/// is kept once (the first wins). Releases are ordered by PEP 440.
pub fn releases(
    files: &[IndexFile],
    project: &str,
    pre: bool,
) -> BTreeMap<Version, Vec<IndexFile>> {
    let want = normalise_name(project);
    let mut seen = HashSet::new();
    let mut out: BTreeMap<Version, Vec<IndexFile>> = BTreeMap::new();
    for file in files {
        if file.yanked {
            continue;
        }
        let Some(wheel) = parse_wheel_filename(&file.filename) else {
            continue;
        };
        if normalise_name(&wheel.distribution) != want {
            continue;
        }
        if !pre && wheel.version.any_prerelease() {
            continue;
        }
        if !seen.insert(file.filename.clone()) {
            continue;
        }
        out.entry(wheel.version).or_default().push(file.clone());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

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
            Err(source) => {
                return Err(IndexError::ConfigRead {
                    path: path.clone(),
                    source,
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

    const SHA: &str = "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    fn page() -> Url {
        url("https://index.example/simple/torch/")
    }

    fn file(name: &str, base: &str, yanked: bool) -> IndexFile {
        IndexFile {
            filename: name.to_string(),
            url: url(&format!("{base}{name}")),
            sha256: None,
            size: None,
            yanked,
            requires_python: None,
        }
    }

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
    fn json_page_files() {
        let body = format!(
            r#"{{"meta": {{"api-version": "1.1"}}, "name": "torch", "files": [
              {{"filename": "torch-2.5.0-cp312-cp312-linux_x86_64.whl",
                "url": "../../files/torch-2.5.0-cp312-cp312-linux_x86_64.whl#sha256={SHA}",
                "hashes": {{"sha256": "{SHA}"}}, "requires-python": ">=3.9", "size": 123456,
                "yanked": false}},
              {{"filename": "torch-2.4.0-py3-none-any.whl",
                "url": "https://files.example/t/torch-2.4.0-py3-none-any.whl",
                "hashes": {{}}, "yanked": true}},
              {{"filename": "torch-2.3.0-py3-none-any.whl",
                "url": "https://files.example/t/torch-2.3.0-py3-none-any.whl",
                "hashes": {{}}, "yanked": "broken build"}}
            ]}}"#
        );
        let files = parse_project_page(
            body.as_bytes(),
            Some("application/vnd.pypi.simple.v1+json"),
            &page(),
        )
        .expect("valid page");
        assert_eq!(files.len(), 3);
        assert_eq!(
            files[0].url.as_str(),
            "https://index.example/files/torch-2.5.0-cp312-cp312-linux_x86_64.whl"
        );
        assert_eq!(
            files[0].sha256.as_deref(),
            Some(SHA.to_lowercase().as_str())
        );
        assert_eq!(files[0].size, Some(123456));
        assert_eq!(files[0].requires_python.as_deref(), Some(">=3.9"));
        assert!(!files[0].yanked);
        assert_eq!(
            files[1].url.as_str(),
            "https://files.example/t/torch-2.4.0-py3-none-any.whl"
        );
        assert!(files[1].yanked);
        assert_eq!(files[1].sha256, None);
        assert_eq!(files[1].size, None);
        assert!(files[2].yanked);
    }

    #[test]
    fn json_sniffed_and_plain_json_type() {
        let body = br#"  {"files": [{"filename": "a-1.0-py3-none-any.whl", "url": "a-1.0-py3-none-any.whl", "hashes": {}}]}"#;
        for ct in [
            None,
            Some("application/json; charset=utf-8"),
            Some("x/unknown"),
        ] {
            let files = parse_project_page(body, ct, &page()).expect("json");
            assert_eq!(
                files[0].url.as_str(),
                "https://index.example/simple/torch/a-1.0-py3-none-any.whl"
            );
        }
    }

    #[test]
    fn malformed_json_is_an_error_naming_the_page() {
        let err = parse_project_page(b"{\"files\": [", Some("application/json"), &page())
            .expect_err("truncated JSON");
        let msg = err.to_string();
        assert!(matches!(err, IndexError::Json { .. }));
        assert!(msg.contains("https://index.example/simple/torch/"), "{msg}");

        let err =
            parse_project_page(b"{\"name\": \"torch\"}", None, &page()).expect_err("no files");
        assert!(matches!(err, IndexError::MissingFiles { .. }));
        assert!(err.to_string().contains("index.example/simple/torch/"));
    }

    #[test]
    fn html_page_files() {
        let body = format!(
            r#"<!DOCTYPE html>
<html><head><title>Links for torch</title></head><body>
<h1>Links for torch</h1>
<!-- <a href="commented-out.whl">ignored</a> -->
<A HREF="../../files/torch-2.5.0-cp312-cp312-linux_x86_64.whl#sha256={SHA}" DATA-REQUIRES-PYTHON="&gt;=3.9,&lt;4&#33;">torch-2.5.0-cp312-cp312-linux_x86_64.whl</A><br/>
<a href='https://files.example/t/torch-2.4.0-py3-none-any.whl' data-yanked>
   torch-2.4.0-py3-none-any.whl </a>
<a href=https://files.example/t/torch-2.3.0%2Bcpu-py3-none-any.whl data-yanked="" data-requires-python="&quot;x&quot; &amp; y"></a>
</body></html>"#
        );
        let files = parse_project_page(body.as_bytes(), Some("text/html"), &page()).expect("html");
        assert_eq!(files.len(), 3);
        assert_eq!(
            files[0].filename,
            "torch-2.5.0-cp312-cp312-linux_x86_64.whl"
        );
        assert_eq!(
            files[0].url.as_str(),
            "https://index.example/files/torch-2.5.0-cp312-cp312-linux_x86_64.whl"
        );
        assert_eq!(files[0].url.fragment(), None);
        assert_eq!(files[0].sha256, Some(SHA.to_lowercase()));
        assert_eq!(files[0].requires_python.as_deref(), Some(">=3.9,<4!"));
        assert!(!files[0].yanked);
        assert_eq!(files[0].size, None);

        assert_eq!(files[1].filename, "torch-2.4.0-py3-none-any.whl");
        assert!(files[1].yanked);
        assert_eq!(files[1].requires_python, None);

        assert_eq!(files[2].filename, "torch-2.3.0+cpu-py3-none-any.whl");
        assert!(files[2].yanked);
        assert_eq!(files[2].requires_python.as_deref(), Some("\"x\" & y"));
    }

    #[test]
    fn html_base_href() {
        let body = br#"<html><head><base href="https://files.example/mirror/"></head>
<body><a href="torch-2.5.0-py3-none-any.whl">torch-2.5.0-py3-none-any.whl</a></body></html>"#;
        let files = parse_project_page(body, Some("application/vnd.pypi.simple.v1+html"), &page())
            .expect("html");
        assert_eq!(
            files[0].url.as_str(),
            "https://files.example/mirror/torch-2.5.0-py3-none-any.whl"
        );

        let relative_base = br#"<base href="../../pool/"><a href="x-1.0-py3-none-any.whl">x</a>"#;
        let files = parse_project_page(relative_base, None, &page()).expect("html");
        assert_eq!(
            files[0].url.as_str(),
            "https://index.example/pool/x-1.0-py3-none-any.whl"
        );
    }

    #[test]
    fn html_without_anchors_is_empty() {
        let body = b"<html><body><h1>Links for nothing</h1></body></html>";
        assert_eq!(
            parse_project_page(body, None, &page()).expect("html"),
            vec![]
        );
        assert_eq!(
            parse_project_page(b"", None, &page()).expect("empty"),
            vec![]
        );
    }

    #[test]
    fn malformed_html_is_an_error() {
        let cases: [&[u8]; 5] = [
            b"<html><a href=\"x-1.0.tar.gz\"",
            b"<a href=\"x-1.0.tar.gz\">x-1.0.tar.gz",
            b"<a data-yanked>x-1.0.tar.gz</a>",
            b"<a href=\"x-1.0.tar.gz>x</a>",
            b"<!-- unterminated <a href=\"x\">x</a>",
        ];
        for body in cases {
            let err = parse_project_page(body, Some("text/html"), &page())
                .expect_err("malformed HTML must fail");
            assert!(matches!(err, IndexError::Html { .. }), "{err}");
            assert!(
                err.to_string()
                    .contains("https://index.example/simple/torch/"),
                "{err}"
            );
        }
        let err = parse_project_page(b"<a>x</a>", None, &page()).expect_err("no href");
        assert!(err.to_string().contains("no href"), "{err}");
    }

    #[test]
    fn html_error_redacts_credentials() {
        let secret = url("https://user:hunter2@index.example/simple/torch/");
        let err = parse_project_page(b"<a href=", None, &secret).expect_err("broken");
        let msg = err.to_string();
        assert!(!msg.contains("hunter2"), "{msg}");
        assert!(msg.contains("***"), "{msg}");
    }

    #[test]
    fn odd_html_does_not_panic() {
        let inputs: [&str; 10] = [
            "<aé href=x>é</aé>",
            "<a hréf=x data-requires-python=\"&#xFFFFFFFF;&#;&bogus;&\">é</a>",
            "<é <a href='%zz%e2%82%ac'></a>",
            "<a href=ü/%E2%82%AC.whl></a>",
            "<a =x href=y>y</a>",
            "<a href=x/>x</a>",
            "<script>var s = '<a href=';</script><a href=y>y</a>",
            "<",
            "</a",
            "<a href=x><b>x-1.0.whl</b></a>",
        ];
        for input in inputs {
            let _ = parse_project_page(input.as_bytes(), Some("text/html"), &page());
        }
        let files = parse_project_page(inputs[3].as_bytes(), None, &page()).expect("html");
        assert_eq!(files[0].filename, "€.whl");
        let files = parse_project_page(inputs[6].as_bytes(), None, &page()).expect("html");
        assert_eq!(files.len(), 1);
        let files = parse_project_page(inputs[9].as_bytes(), None, &page()).expect("html");
        assert_eq!(files[0].filename, "x-1.0.whl");
        assert_eq!(
            unescape("&#xFFFFFFFF;&lt;&bogus;&"),
            "&#xFFFFFFFF;<&bogus;&"
        );
    }

    #[test]
    fn names_and_project_url() {
        assert_eq!(normalise_name("Foo__Bar-.baz"), "foo-bar-baz");
        assert_eq!(normalise_name("torch"), "torch");
        assert_eq!(
            project_url(&url("https://index.example/simple"), "Torch_Vision").as_str(),
            "https://index.example/simple/torch-vision/"
        );
        assert_eq!(
            project_url(&url("https://index.example/simple/"), "torch").as_str(),
            "https://index.example/simple/torch/"
        );
    }

    #[test]
    fn wheel_names() {
        let w = parse_wheel_filename("torch-2.5.0+cu121-cp312-cp312-manylinux_2_28_x86_64.whl")
            .expect("wheel");
        assert_eq!(w.distribution, "torch");
        assert_eq!(
            w.version,
            Version::from_str("2.5.0+cu121").expect("version")
        );
        assert_eq!(w.build, None);
        assert_eq!(w.python, vec!["cp312"]);
        assert_eq!(w.platform, vec!["manylinux_2_28_x86_64"]);

        let w = parse_wheel_filename(
            "pkg_name-1.0-1b-py2.py3-none-manylinux1_x86_64.manylinux_2_5_x86_64.whl",
        )
        .expect("wheel with build tag");
        assert_eq!(w.distribution, "pkg_name");
        assert_eq!(w.build.as_deref(), Some("1b"));
        assert_eq!(w.python, vec!["py2", "py3"]);
        assert_eq!(w.abi, vec!["none"]);
        assert_eq!(
            w.platform,
            vec!["manylinux1_x86_64", "manylinux_2_5_x86_64"]
        );

        for bad in [
            "torch-2.5.0.tar.gz",
            "torch-2.5.0.zip",
            "torch-2.5.0-py3-none.whl",
            "torch-notaversion-py3-none-any.whl",
            "torch-2.5.0-b1-py3-none-any.whl",
            "torch-2.5.0-py3-none-any.whl.metadata",
            "-2.5.0-py3-none-any.whl",
            "torch-2.5.0-py3..-none-any.whl",
            "a-b-c-d-e-f-g.whl",
            "",
        ] {
            assert_eq!(parse_wheel_filename(bad), None, "{bad}");
        }
    }

    #[test]
    fn releases_filter_and_order() {
        let a = "https://index.example/files/";
        let b = "https://files.example/other/";
        let files = vec![
            file("torch-2.9.1-cp312-cp312-linux_x86_64.whl", a, false),
            file("torch-2.10.0-cp312-cp312-linux_x86_64.whl", a, false),
            file("torch-2.8.0-cp312-cp312-linux_x86_64.whl", a, true),
            file("torch-2.11.0rc1-cp312-cp312-linux_x86_64.whl", a, false),
            file(
                "torch-2.11.0.dev20250101-cp312-cp312-linux_x86_64.whl",
                a,
                false,
            ),
            file("torch-2.9.1.post1-cp312-cp312-linux_x86_64.whl", a, false),
            file("torch-2.9.1+cpu-cp312-cp312-linux_x86_64.whl", a, false),
            file("torchvision-0.20.0-cp312-cp312-linux_x86_64.whl", a, false),
            file("torch-2.7.0.tar.gz", a, false),
            // Same release from a second index: merged; same filename: first wins.
            file("torch-2.10.0-cp312-cp312-linux_x86_64.whl", b, false),
            file("torch-2.10.0-cp313-cp313-linux_x86_64.whl", b, false),
            file("Torch-2.9.1-cp311-cp311-linux_x86_64.whl", b, false),
        ];
        let v = |s: &str| Version::from_str(s).expect("version");

        let stable = releases(&files, "torch", false);
        let keys: Vec<String> = stable.keys().map(ToString::to_string).collect();
        assert_eq!(keys, vec!["2.9.1", "2.9.1+cpu", "2.9.1.post1", "2.10.0"]);
        let ten = &stable[&v("2.10.0")];
        assert_eq!(ten.len(), 2);
        assert!(ten[0].url.as_str().starts_with(a));
        assert!(ten[1].filename.contains("cp313"));
        assert_eq!(stable[&v("2.9.1")].len(), 2);
        assert!(stable.keys().last() == Some(&v("2.10.0")));

        let all = releases(&files, "TORCH", true);
        assert!(all.contains_key(&v("2.11.0rc1")));
        assert!(all.contains_key(&v("2.11.0.dev20250101")));
        assert!(!all.contains_key(&v("2.8.0")));
        assert!(!all.contains_key(&v("2.7.0")));
        assert_eq!(all.keys().last(), Some(&v("2.11.0rc1")));

        let vision = releases(&files, "torch_vision", false);
        assert_eq!(vision.len(), 0);
        let vision = releases(&files, "TorchVision", false);
        assert_eq!(vision.len(), 1);
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
        assert_eq!(
            redact_str("ftp://user:pw@index.example/x"),
            "ftp://***@index.example/x"
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
