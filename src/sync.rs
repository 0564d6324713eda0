//! Releases from a package index into the store: `snapshot NAME==VERSION` for one release, and
//! the nightly `sync` for every release the store lacks (snapshots written atomically under a
//! lock, the precomputed diffs kept current, a changelog per new release).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::extract::{self, Limits, Profile};
use crate::fetch::{self, cache::Cache, http::Http, http::HttpOptions, human_bytes, Fetcher, Via};
use crate::index::{self, IndexConfig, IndexFile, Version};
use crate::progress::SharedReporter;
use crate::snapshot::store::{Store, StoreError};
use crate::snapshot::{self, Snapshot};
use crate::span::{self, SpanError};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Index(#[from] index::IndexError),
    #[error(transparent)]
    Fetch(#[from] Box<fetch::FetchError>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Span(#[from] SpanError),
    #[error("cannot fetch {name} {version}: {error}")]
    Release {
        name: String,
        version: String,
        error: Box<fetch::FetchError>,
    },
    #[error("{what} `{value}` is not a PEP 440 version: {error}")]
    BadVersion {
        what: &'static str,
        value: String,
        error: String,
    },
    #[error("--timeout must be a positive number of seconds")]
    BadTimeout,
    #[error("--jobs must be at least 1")]
    NoJobs,
    #[error("no cache directory on this system; pass --cache-dir DIR or --no-cache")]
    NoCacheDir,
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("the snapshot task failed: {0}")]
    Task(String),
    #[error("{name} {version} is not on the index ({index}){near}")]
    NotOnIndex {
        name: String,
        version: String,
        index: String,
        near: String,
    },
    #[error(
        "{filename}: its METADATA says version {metadata}, the index says {index}; not storing it"
    )]
    VersionMismatch {
        filename: String,
        metadata: String,
        index: String,
    },
    #[error("cannot create the store folder `{path}`: {error}")]
    CreateFolder {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot write `{path}`: {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot {what} the lock file `{path}`: {error}")]
    Lock {
        what: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("another `apidrift sync` is writing to `{folder}` (it holds `{lock}`); wait for it to finish, or pass --wait")]
    Locked { folder: PathBuf, lock: PathBuf },
}

/// Where releases are fetched from, and how.
#[derive(Debug, Clone)]
pub struct NetOptions {
    /// The index; `None` takes it from the environment and pip's configuration.
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    /// Include pre-releases and dev releases.
    pub pre: bool,
    /// Use only the cache and the store.
    pub offline: bool,
    /// Download whole artifacts and verify their sha256.
    pub full: bool,
    /// `None`: `$APIDRIFT_CACHE_DIR`, else the user's cache directory.
    pub cache_dir: Option<PathBuf>,
    pub no_cache: bool,
    /// Seconds.
    pub timeout: f64,
    pub retries: u32,
    pub backoff: Duration,
    /// Report the artifact chosen for each release and why.
    pub verbose: bool,
}

impl From<fetch::FetchError> for SyncError {
    fn from(e: fetch::FetchError) -> Self {
        SyncError::Fetch(Box::new(e))
    }
}

impl NetOptions {
    fn config(&self) -> Result<IndexConfig, SyncError> {
        let env = |k: &str| std::env::var(k).ok();
        let files = index::pip_config_files(&env);
        Ok(index::resolve_config(
            self.index_url.as_deref(),
            &self.extra_index_urls,
            &env,
            &files,
        )?)
    }

    fn fetcher(&self, reporter: SharedReporter) -> Result<Fetcher, SyncError> {
        if !(self.timeout.is_finite() && self.timeout > 0.0) {
            return Err(SyncError::BadTimeout);
        }
        let http = Http::new(
            HttpOptions {
                timeout: Duration::from_secs_f64(self.timeout),
                retries: self.retries,
                backoff: self.backoff,
            },
            reporter,
        )?;
        let cache = if self.no_cache {
            None
        } else {
            let root = match &self.cache_dir {
                Some(d) => d.clone(),
                None => Cache::default_root().ok_or(SyncError::NoCacheDir)?,
            };
            Some(Cache::new(root))
        };
        Ok(Fetcher {
            http,
            cache,
            offline: self.offline,
            full: self.full,
            limits: Limits::default(),
        })
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, SyncError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(SyncError::Runtime)
}

fn version(what: &'static str, value: &str) -> Result<Version, SyncError> {
    Version::from_str(value).map_err(|e| SyncError::BadVersion {
        what,
        value: value.to_string(),
        error: e.to_string(),
    })
}

/// `NAME==VERSION`, as pip writes a pin.
pub fn parse_pin(spec: &str) -> Option<(&str, &str)> {
    let (name, version) = spec.split_once("==")?;
    let (name, version) = (name.trim(), version.trim());
    (!name.is_empty() && !version.is_empty() && !name.contains(['/', '\\']))
        .then_some((name, version))
}

/// Fetches one release and snapshots it. Returns the snapshot and a line saying which artifact
/// was read and how.
pub fn snapshot_remote(
    name: &str,
    wanted: &str,
    net: &NetOptions,
    package: Option<&str>,
    profile: Option<&Profile>,
    reporter: SharedReporter,
) -> Result<(Snapshot, String), SyncError> {
    let wanted_v = version("the version", wanted)?;
    let config = net.config()?;
    let fetcher = net.fetcher(reporter)?;
    let rt = runtime()?;
    let started = Instant::now();
    let (snap, line, _, _) = rt.block_on(async {
        let files = fetcher.list(&config, name).await?;
        // An exact pin may name a pre-release: look among all of them.
        let releases = index::releases(&files, name, true);
        let Some((v, files)) = releases.iter().find(|(v, _)| **v == wanted_v) else {
            let near: Vec<String> = releases
                .keys()
                .rev()
                .filter(|v| v.release().first() == wanted_v.release().first())
                .take(5)
                .map(ToString::to_string)
                .collect();
            return Err(SyncError::NotOnIndex {
                name: name.to_string(),
                version: wanted.to_string(),
                index: index::redact(&config.index_url),
                near: if near.is_empty() {
                    String::new()
                } else {
                    format!("; the newest it has: {}", near.join(", "))
                },
            });
        };
        release_snapshot(&fetcher, name, v, files, package, profile, net.verbose).await
    })?;
    let line = format!("{line} in {:.1}s", started.elapsed().as_secs_f64());
    Ok((snap, line))
}

/// Chooses, fetches and snapshots one release. Returns the snapshot, a line saying how, the
/// artifact's size when known, and the bytes read for it.
async fn release_snapshot(
    fetcher: &Fetcher,
    name: &str,
    version: &Version,
    files: &[IndexFile],
    package: Option<&str>,
    profile: Option<&Profile>,
    verbose: bool,
) -> Result<(Snapshot, String, Option<u64>, u64), SyncError> {
    let (file, why) = fetcher.choose(name, version, files).await?;
    if verbose {
        fetcher
            .http
            .log(&format!("{name} {version}: {} — {why}", file.filename));
    }
    let size = file.size;
    let fetched = fetcher
        .members(&file, package)
        .await
        .map_err(|error| SyncError::Release {
            name: name.to_string(),
            version: version.to_string(),
            error: Box::new(error),
        })?;
    let bytes = fetched.bytes;
    let how = match fetched.via {
        Via::Cache => "from the cache".to_string(),
        Via::Ranges { requests } => format!(
            "{} read in {requests} range requests{}",
            human_bytes(fetched.bytes),
            size.map(|s| format!(" ({:.1}% of {})", percent(fetched.bytes, s), human_bytes(s)))
                .unwrap_or_default()
        ),
        Via::Whole => format!(
            "{} downloaded whole, sha256 verified",
            human_bytes(fetched.bytes)
        ),
    };
    let line = format!("{name} {version}: {} — {how}", file.filename);
    let package = package.map(str::to_string);
    let profile = profile.cloned();
    // Extraction is CPU work on rayon's threads; keep it off the async workers.
    let snap = tokio::task::spawn_blocking(move || -> Result<Snapshot, SyncError> {
        let sources = fetch::source_set(fetched, package.as_deref())?;
        Ok(extract::snapshot_sources(sources, profile.as_ref()))
    })
    .await
    .map_err(|e| SyncError::Task(e.to_string()))??;
    if Version::from_str(&snap.version).ok().as_ref() != Some(version) {
        return Err(SyncError::VersionMismatch {
            filename: file.filename.clone(),
            metadata: snap.version.clone(),
            index: version.to_string(),
        });
    }
    // What came from the cache was not read now: leave it out of the ratio.
    let size = size.filter(|_| bytes > 0);
    Ok((snap, line, size, bytes))
}

/// The share of `whole` that `part` is, in percent.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// What `sync` is asked to do.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub package: String,
    /// Only releases at or after this version.
    pub since: Option<String>,
    /// The store folder: `<store>/<package>/<version>.yaml`.
    pub store: PathBuf,
    /// Where to write a Markdown changelog per new release.
    pub changelog_dir: Option<PathBuf>,
    /// Releases fetched and snapshotted at once.
    pub jobs: usize,
    /// Wait for another sync's lock instead of failing.
    pub wait: bool,
    /// List the releases that would be added, and stop.
    pub dry_run: bool,
    /// Only bring the store's precomputed diffs up to date.
    pub diffs_only: bool,
    pub net: NetOptions,
}

/// What a sync did.
#[derive(Debug)]
pub enum SyncOutcome {
    /// `--diffs-only`: how many diff files were written or removed.
    DiffsRefreshed {
        folder: PathBuf,
        touched: usize,
    },
    /// The store already held every release of the span.
    NothingToDo {
        folder: PathBuf,
        total: usize,
        since: Option<String>,
        /// Precomputed diffs brought up to date for this build.
        refreshed: usize,
    },
    /// `--dry-run`: the releases that would be added.
    DryRun {
        missing: Vec<String>,
    },
    Synced(SyncSummary),
}

/// The releases a sync added, the ones that failed, and what it read.
#[derive(Debug)]
pub struct SyncSummary {
    pub package: String,
    pub added: Vec<Version>,
    /// (release, why), one per release that could not be added.
    pub failed: Vec<(Version, String)>,
    /// Bytes read for the stored releases.
    pub read: u64,
    /// Sizes of their artifacts, where known.
    pub artifact_bytes: u64,
    /// Everything transferred, retries and index pages included.
    pub transferred: u64,
    pub elapsed: Duration,
}

/// Snapshots every release of the package that the store folder lacks, writes them
/// atomically, refreshes the precomputed diffs and writes a changelog per new release.
pub fn sync(opts: &SyncOptions, reporter: SharedReporter) -> Result<SyncOutcome, SyncError> {
    if opts.jobs == 0 {
        return Err(SyncError::NoJobs);
    }
    let since = opts
        .since
        .as_deref()
        .map(|s| version("--since", s))
        .transpose()?;
    let folder = opts.store.join(&opts.package);
    std::fs::create_dir_all(&folder).map_err(|error| SyncError::CreateFolder {
        path: folder.clone(),
        error,
    })?;
    let _lock = lock(&folder, opts.wait, &reporter)?;
    if opts.diffs_only {
        let touched = span::refresh_store_diffs(&opts.store, &opts.package)?;
        // The changelogs say what the diffs say: with the diffs redone, so are they.
        if let Some(dir) = &opts.changelog_dir {
            for r in Store::without_bundle(&opts.store).releases(&opts.package)? {
                write_changelog(&opts.store, &opts.package, &r.version, dir)?;
            }
        }
        return Ok(SyncOutcome::DiffsRefreshed { folder, touched });
    }

    let config = opts.net.config()?;
    let fetcher = opts.net.fetcher(reporter.clone())?;
    let rt = runtime()?;
    let started = Instant::now();

    let files = rt.block_on(fetcher.list(&config, &opts.package))?;
    let releases = index::releases(&files, &opts.package, opts.net.pre);
    let stored: Vec<Version> = match Store::without_bundle(&opts.store).releases(&opts.package) {
        Ok(r) => r.into_iter().map(|r| r.version).collect(),
        Err(StoreError::NoPackage { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let in_span = |v: &Version| since.as_ref().is_none_or(|s| v >= s);
    let total = releases.keys().filter(|v| in_span(v)).count();
    let missing: Vec<(&Version, &Vec<IndexFile>)> = releases
        .iter()
        .filter(|(v, _)| in_span(v) && !stored.contains(v))
        .collect();
    if missing.is_empty() {
        // A new build may compute diffs differently: keep the store's in step.
        let refreshed = span::refresh_store_diffs(&opts.store, &opts.package)?;
        return Ok(SyncOutcome::NothingToDo {
            folder,
            total,
            since: since.map(|s| s.to_string()),
            refreshed,
        });
    }
    let names: Vec<String> = missing.iter().map(|(v, _)| v.to_string()).collect();
    reporter.line(&format!(
        "{} of {total} releases of {} are missing from `{}`: {}",
        missing.len(),
        opts.package,
        folder.display(),
        names.join(", ")
    ));
    if opts.dry_run {
        return Ok(SyncOutcome::DryRun { missing: names });
    }

    reporter.start(missing.len() as u64);
    let results: Vec<(Version, Stored)> = rt.block_on(async {
        let ticker = {
            let (reporter, fetcher) = (&reporter, &fetcher);
            async move {
                loop {
                    reporter.status(&format!("{} fetched", human_bytes(fetcher.http.fetched())));
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        };
        let work = futures_util::stream::iter(missing.iter())
            .map(|(v, files)| {
                let (fetcher, folder, reporter) = (&fetcher, &folder, &reporter);
                let name = opts.package.as_str();
                async move {
                    let result = async {
                        let (snap, line, size, bytes) =
                            release_snapshot(fetcher, name, v, files, None, None, opts.net.verbose)
                                .await?;
                        let path = folder.join(format!("{v}.yaml"));
                        let text = snapshot::to_yaml_string(&snap);
                        crate::util::write_atomically(&path, text.as_bytes())
                            .map_err(|error| SyncError::Write { path, error })?;
                        reporter.line(&line);
                        Ok((size, bytes))
                    }
                    .await;
                    if let Err(e) = &result {
                        reporter.line(&format!("{name} {v}: failed: {e}"));
                    }
                    reporter.advance();
                    ((*v).clone(), result)
                }
            })
            .buffer_unordered(opts.jobs)
            .collect::<Vec<_>>();
        tokio::select! {
            r = work => r,
            _ = ticker => unreachable!("the ticker never ends"),
        }
    });
    reporter.finish();

    let mut summary = SyncSummary {
        package: opts.package.clone(),
        added: Vec::new(),
        failed: Vec::new(),
        read: 0,
        artifact_bytes: 0,
        transferred: 0,
        elapsed: Duration::ZERO,
    };
    for (v, r) in results {
        match r {
            Ok((size, bytes)) => {
                summary.added.push(v);
                summary.artifact_bytes += size.unwrap_or(0);
                summary.read += bytes;
            }
            Err(e) => summary.failed.push((v, e.to_string())),
        }
    }
    summary.added.sort();
    summary.failed.sort_by(|a, b| a.0.cmp(&b.0));
    span::refresh_store_diffs(&opts.store, &opts.package)?;
    if let Some(dir) = &opts.changelog_dir {
        for v in &summary.added {
            write_changelog(&opts.store, &opts.package, v, dir)?;
        }
    }
    summary.transferred = fetcher.http.fetched();
    summary.elapsed = started.elapsed();
    Ok(SyncOutcome::Synced(summary))
}

/// A stored release: its artifact's size when known, and the bytes read for it.
type Stored = Result<(Option<u64>, u64), SyncError>;

/// The changelog of `version` against the release before it in the store folder.
fn write_changelog(
    store: &Path,
    package: &str,
    version: &Version,
    dir: &Path,
) -> Result<(), SyncError> {
    let store = Store::without_bundle(store);
    let releases = store.releases(package)?;
    let Some(i) = releases.iter().position(|r| &r.version == version) else {
        return Ok(());
    };
    let path = dir.join(format!("{package}-{version}.md"));
    let text = if i == 0 {
        format!("# {package} {version}\n\nThe oldest release in the store: nothing to compare it with.\n")
    } else {
        let old = snapshot::store::load_release(&releases[i - 1])?;
        let new = snapshot::store::load_release(&releases[i])?;
        let title = format!("{package} {} → {}: API changes", old.version, new.version);
        let all = span::changes(&[old, new], "a changelog needs two")?;
        crate::report::markdown::changelog(&title, &all)
    };
    crate::util::write_atomically(&path, text.as_bytes())
        .map_err(|error| SyncError::Write { path, error })?;
    Ok(())
}

/// An exclusive lock on the store folder for the run (released when the file is closed, also
/// when the process dies).
fn lock(folder: &Path, wait: bool, reporter: &SharedReporter) -> Result<std::fs::File, SyncError> {
    let path = folder.join(".sync.lock");
    let lock_err = |what, error| SyncError::Lock {
        what,
        path: path.clone(),
        error,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| lock_err("open", e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) if wait => {
            reporter.line(&format!(
                "waiting for another `apidrift sync` on `{}`…",
                folder.display()
            ));
            file.lock().map_err(|e| lock_err("lock", e))?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => Err(SyncError::Locked {
            folder: folder.to_path_buf(),
            lock: path.clone(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(lock_err("lock", e)),
    }
}
