//! The HTTP side of fetching: one client for index pages and artifact bytes, with retries,
//! byte accounting and the system's trust store.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_RANGE, CONTENT_TYPE, RANGE, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use url::Url;

use super::FetchError;
use crate::index::redact;
use crate::progress::SharedReporter;

#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Connecting, and each wait for bytes, may take this long before the attempt counts as
    /// failed.
    pub timeout: Duration,
    /// Attempts after the first, for timeouts, dropped connections, 429 and 5xx.
    pub retries: u32,
    /// The first retry waits this long; each next one twice as long (unless the server says
    /// how long with `Retry-After`).
    pub backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            retries: 5,
            backoff: Duration::from_millis(500),
        }
    }
}

/// Bodies larger than this are never held in memory by [`Http::get_bytes`]; index pages of
/// torch are about 1 MB.
const MAX_PAGE_BYTES: usize = 64 << 20;

/// No wait is longer than this, whatever `Retry-After` or the backoff says: a nightly job
/// should fail and try again tomorrow rather than sleep for hours.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

pub struct Http {
    client: reqwest::Client,
    options: HttpOptions,
    reporter: SharedReporter,
    /// Body bytes received, over every request.
    fetched: AtomicU64,
    /// Hosts that answered a range request with the whole file: ask them for whole files.
    no_ranges: Mutex<HashSet<String>>,
}

/// What a range request brought back.
pub enum RangeReply {
    /// The bytes asked for, from `start`, and the file's total length.
    Partial {
        start: u64,
        bytes: Vec<u8>,
        total: u64,
    },
    /// The server ignored `Range` and is sending the whole file: stream it from here.
    Whole(Response),
}

impl Http {
    pub fn new(options: HttpOptions, reporter: SharedReporter) -> Result<Http, FetchError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("apidrift/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout)
            // rustls with the platform's roots: behind a proxy that re-signs TLS, the proxy's CA
            // is only in the system store.
            .tls_built_in_native_certs(true);
        // The native loader already reads SSL_CERT_FILE; adding it explicitly makes a bad value
        // an error that names it, instead of a handshake failure later.
        if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
            let pem = std::fs::read(&path).map_err(|e| FetchError::CertFile {
                path: path.clone().into(),
                reason: e.to_string(),
            })?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| FetchError::CertFile {
                    path: path.clone().into(),
                    reason: e.to_string(),
                })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Http {
            client,
            options,
            reporter,
            fetched: AtomicU64::new(0),
            no_ranges: Mutex::new(HashSet::new()),
        })
    }

    /// Tells the run's reporter (retries, fallbacks, warnings).
    pub fn log(&self, line: &str) {
        self.reporter.line(line)
    }

    /// Body bytes received so far.
    pub fn fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }

    pub fn count(&self, n: usize) {
        self.fetched.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn ignores_ranges(&self, url: &Url) -> bool {
        let host = url.host_str().unwrap_or_default();
        self.no_ranges
            .lock()
            .map(|s| s.contains(host))
            .unwrap_or(false)
    }

    pub fn remember_no_ranges(&self, url: &Url) {
        if let (Ok(mut s), Some(host)) = (self.no_ranges.lock(), url.host_str()) {
            if s.insert(host.to_string()) {
                self.log(&format!(
                    "{host} ignores range requests: whole files will be downloaded from it"
                ));
            }
        }
    }

    /// Sends a request until it succeeds, retrying what is worth retrying. `what` names the
    /// request in log lines and errors. `attempt` is shared with the caller's retries of the
    /// body, so `--retries` bounds a request's attempts in all.
    pub async fn send(
        &self,
        url: &Url,
        headers: HeaderMap,
        what: &str,
        attempt: &mut u32,
    ) -> Result<Response, FetchError> {
        loop {
            let result = self
                .client
                .get(url.clone())
                .headers(headers.clone())
                .send()
                .await;
            let why = match result {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) if retryable(r.status()) => {
                    let wait = retry_after(r.headers());
                    (format!("HTTP {}", r.status()), wait)
                }
                Ok(r) => {
                    return Err(FetchError::Status {
                        url: redact(url),
                        status: r.status().as_u16(),
                        what: what.to_string(),
                    })
                }
                // A redirect loop or a malformed request will not go better the next time.
                Err(e) if e.is_redirect() || e.is_builder() => {
                    return Err(FetchError::GaveUp {
                        url: redact(url),
                        what: what.to_string(),
                        attempts: *attempt + 1,
                        last: describe(&e),
                    })
                }
                Err(e) => (describe(&e), None),
            };
            self.pause(url, what, attempt, why).await?;
        }
    }

    /// Waits before the next attempt, or fails when the retries are used up.
    pub async fn pause(
        &self,
        url: &Url,
        what: &str,
        attempt: &mut u32,
        (why, wait): (String, Option<Duration>),
    ) -> Result<(), FetchError> {
        if *attempt >= self.options.retries {
            return Err(FetchError::GaveUp {
                url: redact(url),
                what: what.to_string(),
                attempts: *attempt + 1,
                last: why,
            });
        }
        *attempt += 1;
        let backoff = self
            .options
            .backoff
            .checked_mul(1 << (*attempt - 1).min(20))
            .unwrap_or(MAX_RETRY_AFTER)
            .min(MAX_RETRY_AFTER);
        let wait = wait.map(|w| w.min(MAX_RETRY_AFTER)).unwrap_or(backoff);
        self.log(&format!(
            "retry {attempt}/{} of {what} in {:.1}s: {why}",
            self.options.retries,
            wait.as_secs_f64()
        ));
        tokio::time::sleep(wait).await;
        Ok(())
    }

    /// A whole (small) body: an index page. Returns the body, its content type and the URL it
    /// came from after redirects (relative links resolve against that).
    pub async fn get_page(&self, url: &Url) -> Result<(Vec<u8>, Option<String>, Url), FetchError> {
        let mut headers = HeaderMap::new();
        // PEP 691: JSON preferred, HTML accepted.
        headers.insert(
            ACCEPT,
            "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
                .parse()
                .expect("a valid header value"),
        );
        let what = "the index page".to_string();
        let mut attempt = 0;
        loop {
            let response = self.send(url, headers.clone(), &what, &mut attempt).await?;
            let content_type = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let final_url = response.url().clone();
            match self.body(response, MAX_PAGE_BYTES, url).await {
                Ok(body) => return Ok((body, content_type, final_url)),
                Err(FetchError::Body { reason, .. }) => {
                    self.pause(url, &what, &mut attempt, (reason, None)).await?
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Bytes `start..end` (end exclusive) of the file at `url`, checked against what the server
    /// says it sent. `end == None` asks for the last `start` bytes (a suffix range).
    pub async fn get_range(
        &self,
        url: &Url,
        range: ByteRange,
        what: &str,
    ) -> Result<RangeReply, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(RANGE, range.header().parse().expect("a valid header value"));
        let mut attempt = 0;
        loop {
            let response = self.send(url, headers.clone(), what, &mut attempt).await?;
            if response.status() == StatusCode::OK {
                return Ok(RangeReply::Whole(response));
            }
            if response.status() != StatusCode::PARTIAL_CONTENT {
                return Err(FetchError::BadRange {
                    url: redact(url),
                    detail: format!("HTTP {} to a range request", response.status()),
                });
            }
            let (start, end, total) = response
                .headers()
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_content_range)
                .ok_or_else(|| FetchError::BadRange {
                    url: redact(url),
                    detail: "a 206 answer without a valid Content-Range".into(),
                })?;
            if !range.answered_by(start, end, total) {
                return Err(FetchError::BadRange {
                    url: redact(url),
                    detail: format!(
                        "asked for {}, got bytes {start}-{end}/{total}",
                        range.header()
                    ),
                });
            }
            let expected = end - start + 1;
            match self.body(response, expected as usize, url).await {
                Ok(bytes) if bytes.len() as u64 == expected => {
                    return Ok(RangeReply::Partial {
                        start,
                        bytes,
                        total,
                    })
                }
                Ok(bytes) => {
                    let why = format!(
                        "the body held {} bytes where Content-Range promised {expected}",
                        bytes.len()
                    );
                    self.pause(url, what, &mut attempt, (why, None)).await?
                }
                Err(FetchError::Body { reason, .. }) => {
                    self.pause(url, what, &mut attempt, (reason, None)).await?
                }
                Err(FetchError::TooLarge { .. }) => {
                    return Err(FetchError::BadRange {
                        url: redact(url),
                        detail: format!(
                        "the body is longer than the {expected} bytes its Content-Range announces"
                    ),
                    })
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads a body, counting its bytes, refusing more than `limit`.
    async fn body(
        &self,
        mut response: Response,
        limit: usize,
        url: &Url,
    ) -> Result<Vec<u8>, FetchError> {
        let mut out = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    self.count(chunk.len());
                    if out.len() + chunk.len() > limit {
                        return Err(FetchError::TooLarge {
                            url: redact(url),
                            limit: limit as u64,
                        });
                    }
                    out.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(out),
                Err(e) => {
                    return Err(FetchError::Body {
                        url: redact(url),
                        reason: describe(&e),
                    })
                }
            }
        }
    }

    /// The `Content-Length` a HEAD request reports (for choosing the smallest artifact when
    /// the index gives no sizes).
    pub async fn content_length(&self, url: &Url) -> Option<u64> {
        let r = self.client.head(url.clone()).send().await.ok()?;
        // The header itself: reqwest's `content_length()` describes the (empty) body of a
        // HEAD answer. Zero is as good as unknown for choosing the smallest wheel.
        r.status()
            .is_success()
            .then(|| r.headers().get(reqwest::header::CONTENT_LENGTH))
            .flatten()
            .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
            .filter(|&n| n > 0)
    }
}

/// A byte range to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `start..end`, end exclusive.
    Span { start: u64, end: u64 },
    /// The last `n` bytes.
    Suffix(u64),
}

impl ByteRange {
    fn header(&self) -> String {
        match *self {
            ByteRange::Span { start, end } => format!("bytes={start}-{}", end.saturating_sub(1)),
            ByteRange::Suffix(n) => format!("bytes=-{n}"),
        }
    }

    /// Whether `bytes start-end/total` is the answer to this range.
    fn answered_by(&self, start: u64, end: u64, total: u64) -> bool {
        if start > end || end >= total {
            return false;
        }
        match *self {
            ByteRange::Span { start: s, end: e } => {
                start == s && end == e.min(total).saturating_sub(1)
            }
            // A suffix longer than the file is answered with the whole file.
            ByteRange::Suffix(n) => end == total - 1 && start == total.saturating_sub(n),
        }
    }
}

/// `bytes START-END/TOTAL`.
fn parse_content_range(v: &str) -> Option<(u64, u64, u64)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (s, e) = span.split_once('-')?;
    Some((
        s.trim().parse().ok()?,
        e.trim().parse().ok()?,
        total.trim().parse().ok()?,
    ))
}

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` in seconds (the HTTP-date form is rare on package indexes and is treated as
/// absent, which falls back to exponential backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs))
}

/// A reqwest error with its causes, which say what actually happened (reset, timeout, TLS).
pub fn describe(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_is_checked_against_the_request() {
        assert_eq!(parse_content_range("bytes 10-19/100"), Some((10, 19, 100)));
        assert_eq!(parse_content_range("bytes */100"), None);
        let span = ByteRange::Span { start: 10, end: 20 };
        assert!(span.answered_by(10, 19, 100));
        assert!(!span.answered_by(0, 19, 100));
        assert!(!span.answered_by(10, 18, 100));
        // A span past the end of the file is cut at the end.
        assert!(ByteRange::Span {
            start: 90,
            end: 120
        }
        .answered_by(90, 99, 100));
        assert!(ByteRange::Suffix(30).answered_by(70, 99, 100));
        assert!(ByteRange::Suffix(300).answered_by(0, 99, 100));
        assert!(!ByteRange::Suffix(30).answered_by(60, 99, 100));
        assert!(!ByteRange::Suffix(30).answered_by(70, 100, 100));
        assert_eq!(ByteRange::Span { start: 5, end: 10 }.header(), "bytes=5-9");
        assert_eq!(ByteRange::Suffix(7).header(), "bytes=-7");
    }

    #[test]
    fn retry_after_in_seconds() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
        assert!(retryable(StatusCode::TOO_MANY_REQUESTS));
        assert!(retryable(StatusCode::BAD_GATEWAY));
        assert!(!retryable(StatusCode::NOT_FOUND));
    }
}
