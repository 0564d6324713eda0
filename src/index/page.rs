//! Project pages of the simple repository API: PEP 691 JSON and PEP 503 HTML, with PEP 700
//! sizes, into the files they list.

use std::collections::HashMap;

use super::{redact, IndexError, IndexFile, Url};
use crate::util::names::normalise_dist_name;
use crate::util::LineIndex;

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
    let lines = LineIndex::new(text);
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
                .ok_or_else(|| format!("comment on line {} never ends", lines.line(start)))?;
            pos = start + 4 + end + 3;
            continue;
        }
        let next = bytes.get(start + 1).copied();
        if matches!(next, Some(b'!') | Some(b'?') | Some(b'/')) {
            // Doctype, processing instruction or end tag: nothing to read in them.
            let end = text[start..]
                .find('>')
                .ok_or_else(|| format!("tag on line {} never closes", lines.line(start)))?;
            pos = start + end + 1;
            continue;
        }
        if !next.is_some_and(|b| b.is_ascii_alphabetic()) {
            // A stray `<` in text, as browsers treat it.
            pos = start + 1;
            continue;
        }
        let (tag, after) = parse_tag(text, start, &lines)?;
        pos = after;
        match tag.name.as_str() {
            "a" => {
                let close = find_ci(text, pos, "</a").ok_or_else(|| {
                    format!(
                        "anchor on line {} is never closed with </a>",
                        lines.line(start)
                    )
                })?;
                let inner = &text[pos..close];
                let end = text[close..]
                    .find('>')
                    .ok_or_else(|| format!("</a on line {} never closes", lines.line(close)))?;
                anchors.push(Anchor {
                    tag,
                    text: unescape(&strip_tags(inner)),
                    line: lines.line(start),
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
                        lines.line(start)
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
fn parse_tag(text: &str, start: usize, lines: &LineIndex) -> Result<(Tag, usize), String> {
    let bytes = text.as_bytes();
    let unclosed = || format!("tag on line {} never closes", lines.line(start));
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
                        lines.line(start)
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

/// The project page URL `<index>/<normalised project>/`; a missing trailing slash on the index
/// URL is added first.
pub fn project_url(index: &Url, project: &str) -> Url {
    let mut url = index.clone();
    url.set_fragment(None);
    if let Ok(mut segs) = url.path_segments_mut() {
        segs.pop_if_empty()
            .push(&normalise_dist_name(project))
            .push("");
    }
    url
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
    fn project_urls_normalise_the_name() {
        assert_eq!(
            project_url(&url("https://index.example/simple"), "Torch_Vision").as_str(),
            "https://index.example/simple/torch-vision/"
        );
        assert_eq!(
            project_url(&url("https://index.example/simple/"), "torch").as_str(),
            "https://index.example/simple/torch/"
        );
    }
}
