//! Fetching a release's sources from a package index: list the project's files, choose an
//! artifact, and read only its package's Python members, with HTTP range requests where the
//! server allows them and a verified whole download where it does not.
//!
//! Nothing here trusts the network: ranges are checked against `Content-Range`, every member
//! against its CRC-32, and whole files against the index's sha256. An inconsistency in the
//! ranged path falls back to the whole, verified file once; an inconsistency there is an error.

pub mod cache;
pub mod http;
pub mod zipread;

use std::path::{Path, PathBuf};

use futures_util::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use url::Url;

use crate::extract::source::{self, Limits, Members, SourceError, SourceSet};
use crate::index::{self, redact, IndexConfig, IndexError, IndexFile, Version};
use crate::snapshot::Artifact;
use cache::Cache;
use http::{ByteRange, Http, RangeReply};
use zipread::{CdEntry, Tail, ZipError};

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("SSL_CERT_FILE names `{path}`, which cannot be used as a certificate bundle ({reason}); point it at a PEM file or unset it")]
    CertFile { path: PathBuf, reason: String },
    #[error("{what} failed: {url} answered HTTP {status}")]
    Status {
        url: String,
        status: u16,
        what: String,
    },
    #[error("{what} failed after {attempts} attempts ({url}); last error: {last}")]
    GaveUp {
        url: String,
        what: String,
        attempts: u32,
        last: String,
    },
    #[error("reading the answer from {url} failed: {reason}")]
    Body { url: String, reason: String },
    #[error("{url} sent more than {limit} bytes for an index page; is the index URL right?")]
    TooLarge { url: String, limit: u64 },
    #[error("{url} answered a range request wrongly: {detail}")]
    BadRange { url: String, detail: String },
    // The zip error is part of the message, so it is not also exposed as the source: error
    // chains (`{:#}`) would print it twice.
    #[error("`{filename}` is damaged: {error}")]
    Zip { filename: String, error: ZipError },
    #[error("`{filename}` does not match its sha256 in the index (expected {expected}, got {actual}); the download or the index is corrupt, so nothing was snapshotted")]
    Hash {
        filename: String,
        expected: String,
        actual: String,
    },
    #[error("the cache at `{path}` cannot be written: {reason}")]
    Cache { path: PathBuf, reason: String },
    #[error("cannot write the download of `{filename}` to a temporary file: {reason}")]
    Temp { filename: String, reason: String },
    #[error("--offline: {what} is not in the cache; run once without --offline to fetch it")]
    Offline { what: String },
    #[error("{project} {version} has no wheel on the index{extra}")]
    NoArtifact {
        project: String,
        version: String,
        extra: String,
    },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Source(#[from] SourceError),
}

impl FetchError {
    /// Errors of the ranged path that the whole, verified file may not have.
    fn worth_a_whole_download(&self) -> bool {
        matches!(
            self,
            FetchError::BadRange { .. } | FetchError::Zip { .. } | FetchError::Body { .. }
        )
    }
}

/// Ranges closer than this are read as one: a request costs a round trip, and the members
/// between Python files in a wheel are mostly small headers.
const MAX_GAP: u64 = 256 << 10;
/// Range requests in flight per artifact.
const RANGES_IN_FLIGHT: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Cache,
    Ranges { requests: usize },
    Whole,
}

/// How one artifact's members were obtained.
pub struct Fetched {
    pub members: Members,
    pub artifact: Artifact,
    /// Body bytes received for it.
    pub bytes: u64,
    pub via: Via,
}

pub struct Fetcher {
    pub http: Http,
    pub cache: Option<Cache>,
    pub offline: bool,
    /// Always download whole files and verify their sha256.
    pub full: bool,
    pub limits: Limits,
}

impl Fetcher {
    /// Every file of `project` on the configured indexes (the main one, then the extras).
    pub async fn list(
        &self,
        config: &IndexConfig,
        project: &str,
    ) -> Result<Vec<IndexFile>, FetchError> {
        let mut all = Vec::new();
        for base in std::iter::once(&config.index_url).chain(&config.extra_index_urls) {
            let url = index::project_url(base, project);
            let files = if self.offline {
                self.cache
                    .as_ref()
                    .and_then(|c| c.listing(url.as_str()))
                    .ok_or_else(|| FetchError::Offline {
                        what: format!("the listing of {}", redact(&url)),
                    })?
            } else {
                let (body, content_type, final_url) = self.http.get_page(&url).await?;
                let files = index::parse_project_page(&body, content_type.as_deref(), &final_url)?;
                if let Some(c) = &self.cache {
                    if let Err(e) = c.store_listing(url.as_str(), &files) {
                        self.http.log(&format!("warning: {e}"));
                    }
                }
                files
            };
            all.extend(files);
        }
        Ok(all)
    }

    /// The artifact to read for one release, and why: the smallest wheel (fewest bytes to read
    /// whatever the server supports); sizes the index does not give are asked with HEAD.
    pub async fn choose(
        &self,
        project: &str,
        version: &Version,
        files: &[IndexFile],
    ) -> Result<(IndexFile, String), FetchError> {
        let wheels: Vec<&IndexFile> = files
            .iter()
            .filter(|f| index::parse_wheel_filename(&f.filename).is_some() && !f.yanked)
            .collect();
        if wheels.is_empty() {
            return Err(FetchError::NoArtifact {
                project: project.into(),
                version: version.to_string(),
                extra: " that is not yanked".into(),
            });
        }
        let mut sized = Vec::with_capacity(wheels.len());
        for w in wheels {
            let size = match w.size {
                Some(s) => Some(s),
                None if !self.offline => self.http.content_length(&w.url).await,
                None => None,
            };
            sized.push((w, size));
        }
        // Unknown sizes last; ties broken by name so the choice is the same every night.
        sized.sort_by(|(a, sa), (b, sb)| {
            (sa.is_none(), sa, &a.filename).cmp(&(sb.is_none(), sb, &b.filename))
        });
        let (best, size) = sized[0];
        let mut best = best.clone();
        best.size = size;
        let why = match size {
            Some(s) => format!(
                "the smallest of {} wheels ({})",
                sized.len(),
                human_bytes(s)
            ),
            None => format!("first by name of {} wheels of unknown size", sized.len()),
        };
        Ok((best, why))
    }

    /// The package's members of one artifact: from the cache, by ranges, or whole.
    pub async fn members(
        &self,
        file: &IndexFile,
        package: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        // `--full` promises a verified download, so it does not take the cache's word.
        if let (Some(c), Some(sha), false) = (&self.cache, &file.sha256, self.full) {
            if let Some(members) = c.members(sha, package) {
                return Ok(Fetched {
                    members,
                    artifact: artifact(file, sha),
                    bytes: 0,
                    via: Via::Cache,
                });
            }
        }
        if self.offline {
            return Err(FetchError::Offline {
                what: format!("`{}`", file.filename),
            });
        }
        // Without a sha256 from the index the bytes can only be vouched for by hashing them
        // all, and the cache key would be missing too.
        let whole = self.full || file.sha256.is_none() || self.http.ignores_ranges(&file.url);
        let fetched = if whole {
            self.whole(file, package, None).await?
        } else {
            match self.ranged(file, package).await {
                Ok(f) => f,
                Err(e) if e.worth_a_whole_download() => {
                    self.http.log(&format!(
                        "{}: {e}; downloading the whole file and verifying its sha256 instead",
                        file.filename
                    ));
                    self.whole(file, package, None).await?
                }
                Err(e) => return Err(e),
            }
        };
        let total: u64 = fetched
            .members
            .sources
            .iter()
            .map(|(_, b)| b.len() as u64)
            .sum();
        if total > self.limits.max_total_bytes {
            return Err(SourceError::TooLarge {
                path: file.filename.clone().into(),
                member: "(all sources together)".into(),
                limit: self.limits.max_total_bytes,
            }
            .into());
        }
        if let Some(c) = &self.cache {
            // A cache that cannot be written costs a fetch next time, not this run.
            if let Err(e) = c.store_members(&fetched.artifact.sha256, package, &fetched.members) {
                self.http.log(&format!("warning: {e}"));
            }
        }
        Ok(fetched)
    }

    async fn ranged(&self, file: &IndexFile, package: Option<&str>) -> Result<Fetched, FetchError> {
        let url = &file.url;
        let zip_err = |error| FetchError::Zip {
            filename: file.filename.clone(),
            error,
        };
        let what = format!("the central directory of {}", file.filename);
        let (mut tail_start, mut tail, total) = match self
            .http
            .get_range(url, ByteRange::Suffix(zipread::TAIL_BYTES), &what)
            .await?
        {
            RangeReply::Partial {
                start,
                bytes,
                total,
            } => (start, bytes, total),
            RangeReply::Whole(response) => {
                self.http.remember_no_ranges(url);
                return self.whole(file, package, Some(response)).await;
            }
        };
        let mut requests = 1;
        if let Some(size) = file.size.filter(|s| *s != total) {
            return Err(FetchError::BadRange {
                url: redact(url),
                detail: format!("the index lists {size} bytes, the server {total}"),
            });
        }
        let loc = loop {
            match zipread::find_central_directory(&tail, tail_start, total).map_err(zip_err)? {
                Tail::Found(loc) => break loc,
                Tail::NeedFrom { from } if from < tail_start => {
                    let more = self.span(url, from, tail_start, &what).await?;
                    requests += 1;
                    tail = [more, tail].concat();
                    tail_start = from;
                }
                Tail::NeedFrom { .. } => {
                    return Err(zip_err(ZipError::NotAZip {
                        searched: total - tail_start,
                        file_len: total,
                    }))
                }
            }
        };
        let cd_end = loc.offset.saturating_add(loc.size);
        let mut bytes = tail.len() as u64;
        let cd: Vec<u8> = if loc.offset >= tail_start {
            slice(&tail, tail_start, loc.offset, cd_end).to_vec()
        } else {
            requests += 1;
            let cd = self.span(url, loc.offset, cd_end, &what).await?;
            bytes += cd.len() as u64;
            cd
        };
        let entries = zipread::parse_central_directory(&cd, loc).map_err(zip_err)?;
        let meta: Vec<usize> = (0..entries.len())
            .filter(|&i| source::is_metadata_member(&entries[i].name))
            .collect();
        let (metadata, r, b) = self
            .read_members(file, &entries, &meta, loc.offset, (&tail, tail_start))
            .await?;
        (requests, bytes) = (requests + r, bytes + b);
        let package = source::package_to_read(Path::new(&file.filename), &metadata, package)?;
        let wanted: Vec<usize> = (0..entries.len())
            .filter(|&i| source::is_source_member(&entries[i].name, Some(&package)))
            .collect();
        let (sources, r, b) = self
            .read_members(file, &entries, &wanted, loc.offset, (&tail, tail_start))
            .await?;
        (requests, bytes) = (requests + r, bytes + b);
        Ok(Fetched {
            members: Members { metadata, sources },
            artifact: artifact(file, file.sha256.as_deref().unwrap_or_default()),
            // Retried attempts are not counted here; they show in the client's total.
            bytes,
            via: Via::Ranges { requests },
        })
    }

    /// Reads members by coalesced ranges (those inside the tail already fetched are cut from
    /// it). Returns them sorted by name, and the number of requests made.
    async fn read_members(
        &self,
        file: &IndexFile,
        entries: &[CdEntry],
        wanted: &[usize],
        cd_offset: u64,
        (tail, tail_start): (&[u8], u64),
    ) -> Result<(Vec<(String, Vec<u8>)>, usize, u64), FetchError> {
        let plans = zipread::plan_ranges(entries, wanted, cd_offset, MAX_GAP);
        let requests = plans.iter().filter(|p| p.start < tail_start).count();
        // What the requests bring: each range up to the tail already in hand.
        let bytes = plans
            .iter()
            .map(|p| p.end.min(tail_start).saturating_sub(p.start))
            .sum();
        let what = format!("the sources of {}", file.filename);
        let limit = self.limits.max_member_bytes;
        let parts: Vec<Vec<(String, Vec<u8>)>> = futures_util::stream::iter(plans)
            .map(|plan| {
                let what = &what;
                async move {
                    let owned;
                    let (buf, start): (&[u8], u64) = if plan.start >= tail_start {
                        (slice(tail, tail_start, plan.start, plan.end), plan.start)
                    } else if plan.end > tail_start {
                        // The range runs into the tail already in hand: fetch only the part
                        // before it.
                        let head = self.span(&file.url, plan.start, tail_start, what).await?;
                        owned = [
                            head.as_slice(),
                            slice(tail, tail_start, tail_start, plan.end),
                        ]
                        .concat();
                        (&owned, plan.start)
                    } else {
                        owned = self.span(&file.url, plan.start, plan.end, what).await?;
                        (&owned, plan.start)
                    };
                    plan.members
                        .iter()
                        .map(|&i| {
                            let e = &entries[i];
                            zipread::extract_member(buf, start, e, limit)
                                .map(|bytes| (e.name.clone(), bytes))
                                .map_err(|error| FetchError::Zip {
                                    filename: file.filename.clone(),
                                    error,
                                })
                        })
                        .collect::<Result<Vec<_>, FetchError>>()
                }
            })
            .buffered(RANGES_IN_FLIGHT)
            .try_collect()
            .await?;
        let mut out: Vec<(String, Vec<u8>)> = parts.into_iter().flatten().collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((out, requests, bytes))
    }

    /// Bytes `start..end` that must come back as asked: a server that now ignores ranges is
    /// an inconsistency for the caller to resolve with a whole download.
    async fn span(
        &self,
        url: &Url,
        start: u64,
        end: u64,
        what: &str,
    ) -> Result<Vec<u8>, FetchError> {
        match self
            .http
            .get_range(url, ByteRange::Span { start, end }, what)
            .await?
        {
            RangeReply::Partial { bytes, .. } => Ok(bytes),
            RangeReply::Whole(_) => {
                self.http.remember_no_ranges(url);
                Err(FetchError::BadRange {
                    url: redact(url),
                    detail: "the server stopped honouring ranges".into(),
                })
            }
        }
    }

    /// Downloads the whole artifact (or reads the answer already under way), verifies its
    /// sha256, and takes the package's members from it.
    async fn whole(
        &self,
        file: &IndexFile,
        package: Option<&str>,
        mut response: Option<reqwest::Response>,
    ) -> Result<Fetched, FetchError> {
        let what = format!("the download of {}", file.filename);
        let mut attempt = 0;
        let (bytes, sha256) = loop {
            let r = match response.take() {
                Some(r) => r,
                None => {
                    self.http
                        .send(&file.url, Default::default(), &what, &mut attempt)
                        .await?
                }
            };
            match self.download(r, file).await {
                Ok(done) => break done,
                Err(FetchError::Body { reason, .. }) => {
                    self.http
                        .pause(&file.url, &what, &mut attempt, (reason, None))
                        .await?
                }
                Err(e) => return Err(e),
            }
        };
        if let Some(expected) = &file.sha256 {
            if !expected.eq_ignore_ascii_case(&sha256) {
                return Err(FetchError::Hash {
                    filename: file.filename.clone(),
                    expected: expected.clone(),
                    actual: sha256,
                });
            }
        }
        let members = members_of_zip(&bytes, &file.filename, package, self.limits)?;
        Ok(Fetched {
            members,
            artifact: artifact(file, &sha256),
            bytes: bytes.len() as u64,
            via: Via::Whole,
        })
    }

    /// Streams a body to a temporary file while hashing it, then reads it back: whole wheels
    /// can be hundreds of MB and are never needed in memory while arriving.
    async fn download(
        &self,
        mut response: reqwest::Response,
        file: &IndexFile,
    ) -> Result<(Vec<u8>, String), FetchError> {
        use std::io::{Seek, Write};
        let temp_err = |e: std::io::Error| FetchError::Temp {
            filename: file.filename.clone(),
            reason: e.to_string(),
        };
        let mut tmp = tempfile::tempfile().map_err(temp_err)?;
        let mut hasher = Sha256::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    self.http.count(chunk.len());
                    hasher.update(&chunk);
                    tmp.write_all(&chunk).map_err(temp_err)?;
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(FetchError::Body {
                        url: redact(&file.url),
                        reason: http::describe(&e),
                    })
                }
            }
        }
        tmp.rewind().map_err(temp_err)?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut tmp, &mut bytes).map_err(temp_err)?;
        Ok((bytes, hex::encode(hasher.finalize())))
    }
}

/// The package's members (and the dist-info metadata) of a whole zip in memory, through the
/// same reader as the ranged path, so both choose the same members.
pub fn members_of_zip(
    bytes: &[u8],
    filename: &str,
    package: Option<&str>,
    limits: Limits,
) -> Result<Members, FetchError> {
    let zip_err = |error| FetchError::Zip {
        filename: filename.to_string(),
        error,
    };
    let total = bytes.len() as u64;
    let loc = match zipread::find_central_directory(bytes, 0, total).map_err(zip_err)? {
        Tail::Found(loc) => loc,
        Tail::NeedFrom { .. } => {
            return Err(zip_err(ZipError::NotAZip {
                searched: total,
                file_len: total,
            }))
        }
    };
    let cd_end = loc.offset.saturating_add(loc.size);
    let entries = zipread::parse_central_directory(slice(bytes, 0, loc.offset, cd_end), loc)
        .map_err(zip_err)?;
    let take = |wanted: &dyn Fn(&str) -> bool| -> Result<Vec<(String, Vec<u8>)>, FetchError> {
        let mut out = entries
            .iter()
            .filter(|e| wanted(&e.name))
            .map(|e| {
                zipread::extract_member(bytes, 0, e, limits.max_member_bytes)
                    .map(|b| (e.name.clone(), b))
                    .map_err(zip_err)
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    };
    let metadata = take(&source::is_metadata_member)?;
    let package = source::package_to_read(Path::new(filename), &metadata, package)?;
    let sources = take(&|n| source::is_source_member(n, Some(&package)))?;
    Ok(Members { metadata, sources })
}

/// `buf[start..end]` for a buffer holding file bytes from `buf_start`, clamped: the callers
/// have checked the bounds against the zip structures, and a short slice fails there loudly.
fn slice(buf: &[u8], buf_start: u64, start: u64, end: u64) -> &[u8] {
    let lo = usize::try_from(start.saturating_sub(buf_start))
        .unwrap_or(usize::MAX)
        .min(buf.len());
    let hi = usize::try_from(end.saturating_sub(buf_start))
        .unwrap_or(usize::MAX)
        .min(buf.len());
    &buf[lo..hi.max(lo)]
}

fn artifact(file: &IndexFile, sha256: &str) -> Artifact {
    Artifact {
        filename: file.filename.clone(),
        sha256: sha256.to_ascii_lowercase(),
    }
}

/// The source set of fetched members, as the local-file path would build it.
pub fn source_set(fetched: Fetched, package: Option<&str>) -> Result<SourceSet, FetchError> {
    let shown = PathBuf::from(&fetched.artifact.filename);
    Ok(SourceSet::from_members(
        &shown,
        fetched.members,
        package,
        fetched.artifact,
    )?)
}

pub fn human_bytes(n: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / MB)
    } else if n >= 1 << 10 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}
