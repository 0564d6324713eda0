//! `sync` and `snapshot NAME==VERSION`: releases fetched from a package index.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use futures_util::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::extract::{self, Limits, Profile};
use crate::fetch::{self, cache::Cache, http::Http, http::HttpOptions, human_bytes, Fetcher, Via};
use crate::index::{self, IndexConfig, IndexFile, Version};
use crate::report::changes;
use crate::snapshot::{self, store::Store, Snapshot};

/// Where releases are fetched from, and how.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Base URL of a simple repository API (PEP 503 HTML or PEP 691 JSON). Default:
    /// $APIDRIFT_INDEX_URL, then $PIP_INDEX_URL, then `index-url` in pip's configuration.
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Another index to look in as well, like pip's (repeatable; also
    /// $APIDRIFT_EXTRA_INDEX_URL and $PIP_EXTRA_INDEX_URL).
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,
    /// Include pre-releases and dev releases (nightlies).
    #[arg(long)]
    pub pre: bool,
    /// Use only the cache and the store; make no network request.
    #[arg(long)]
    pub offline: bool,
    /// Download whole artifacts and verify their sha256, instead of reading ranges.
    #[arg(long)]
    pub full: bool,
    /// Cache folder [default: $APIDRIFT_CACHE_DIR, else the user's cache directory/apidrift].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the cache.
    #[arg(long, conflicts_with = "offline")]
    pub no_cache: bool,
    /// Seconds to wait for a connection, or for the next bytes, before the attempt fails.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Retries per request after timeouts, dropped connections, 429 and 5xx answers, with
    /// exponential backoff (or the server's Retry-After).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,
    /// First backoff in milliseconds (doubles on each retry).
    #[arg(long, value_name = "MS", default_value_t = 500, hide = true)]
    pub backoff_ms: u64,
    /// Print the artifact chosen for each release and why, and how it was read.
    #[arg(short, long)]
    pub verbose: bool,
}

impl NetArgs {
    fn config(&self) -> anyhow::Result<IndexConfig> {
        let env = |k: &str| std::env::var(k).ok();
        let files = index::pip_config_files(&env);
        Ok(index::resolve_config(
            self.index_url.as_deref(),
            &self.extra_index_url,
            &env,
            &files,
        )?)
    }

    fn fetcher(&self, log: fetch::http::Log) -> anyhow::Result<Fetcher> {
        anyhow::ensure!(
            self.timeout.is_finite() && self.timeout > 0.0,
            "--timeout must be a positive number of seconds"
        );
        let http = Http::new(
            HttpOptions {
                timeout: Duration::from_secs_f64(self.timeout),
                retries: self.retries,
                backoff: Duration::from_millis(self.backoff_ms),
            },
            log,
        )?;
        let cache = if self.no_cache {
            None
        } else {
            let root = match &self.cache_dir {
                Some(d) => d.clone(),
                None => Cache::default_root().context(
                    "no cache directory on this system; pass --cache-dir DIR or --no-cache",
                )?,
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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Progress on a terminal; plain lines on standard error otherwise (CI logs).
struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    fn new() -> Progress {
        let multi = std::io::stderr()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { multi }
    }

    fn log(&self) -> fetch::http::Log {
        let multi = self.multi.clone();
        Arc::new(move |line: &str| match &multi {
            Some(m) => {
                let _ = m.println(line);
            }
            None => eprintln!("{line}"),
        })
    }

    fn bar(&self, len: u64) -> ProgressBar {
        match &self.multi {
            Some(m) => {
                let bar = m.add(ProgressBar::new(len));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} releases · {msg}",
                    )
                    .expect("a valid template"),
                );
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            }
            None => ProgressBar::hidden(),
        }
    }
}

/// `NAME==VERSION`, as pip writes a pin.
pub fn parse_pin(spec: &str) -> Option<(&str, &str)> {
    let (name, version) = spec.split_once("==")?;
    let (name, version) = (name.trim(), version.trim());
    (!name.is_empty() && !version.is_empty() && !name.contains(['/', '\\']))
        .then_some((name, version))
}

/// Fetches one release and snapshots it.
pub fn snapshot_remote(
    name: &str,
    version: &str,
    net: &NetArgs,
    package: Option<&str>,
    profile: Option<&Profile>,
) -> anyhow::Result<Snapshot> {
    let wanted = Version::from_str(version)
        .map_err(|e| anyhow::anyhow!("`{version}` is not a PEP 440 version: {e}"))?;
    let config = net.config()?;
    let progress = Progress::new();
    let fetcher = net.fetcher(progress.log())?;
    let rt = runtime()?;
    let started = Instant::now();
    let (snap, line, _, _) = rt.block_on(async {
        let files = fetcher.list(&config, name).await?;
        // An exact pin may name a pre-release: look among all of them.
        let releases = index::releases(&files, name, true);
        let Some((v, files)) = releases.iter().find(|(v, _)| **v == wanted) else {
            let near: Vec<String> = releases
                .keys()
                .rev()
                .filter(|v| v.release().first() == wanted.release().first())
                .take(5)
                .map(ToString::to_string)
                .collect();
            anyhow::bail!(
                "{name} {version} is not on the index ({}){}",
                index::redact(&config.index_url),
                if near.is_empty() {
                    String::new()
                } else {
                    format!("; the newest it has: {}", near.join(", "))
                }
            );
        };
        release_snapshot(&fetcher, name, v, files, package, profile, net.verbose).await
    })?;
    eprintln!("{line} in {:.1}s", started.elapsed().as_secs_f64());
    Ok(snap)
}

/// Chooses, fetches and snapshots one release. Returns the snapshot and a line saying how.
async fn release_snapshot(
    fetcher: &Fetcher,
    name: &str,
    version: &Version,
    files: &[IndexFile],
    package: Option<&str>,
    profile: Option<&Profile>,
    verbose: bool,
) -> anyhow::Result<(Snapshot, String, Option<u64>, u64)> {
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
        .with_context(|| format!("cannot fetch {name} {version}"))?;
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
    let snap = tokio::task::spawn_blocking(move || -> anyhow::Result<Snapshot> {
        let sources = fetch::source_set(fetched, package.as_deref())?;
        Ok(extract::snapshot_sources(sources, profile.as_ref()))
    })
    .await
    .context("the snapshot task failed")??;
    anyhow::ensure!(
        Version::from_str(&snap.version).ok().as_ref() == Some(version),
        "{}: its METADATA says version {}, the index says {version}; not storing it",
        file.filename,
        snap.version
    );
    // What came from the cache was not read now: leave it out of the ratio.
    let size = size.filter(|_| bytes > 0);
    Ok((snap, line, size, bytes))
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Snapshot every release of a package that the store lacks, and write a changelog for each.
///
/// Lists the package's releases on the index (final releases only, unless --pre), reads only
/// the Python members of one wheel per missing release with HTTP range requests, and writes
/// `<store>/<package>/<version>.yaml` atomically. Running it again does nothing. A lock file
/// in the store keeps two runs from writing at once.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  apidrift sync torch --index-url \"$INDEX\" --since 2.0.0 --changelog-dir changelogs\n  PIP_INDEX_URL=... apidrift sync torch --jobs 2 -v\n\nExit codes: 0 success (also when nothing was missing), 2 when a release could not be \
added (the others are still stored)."
)]
pub struct SyncArgs {
    /// The distribution to sync (its store folder has the same name).
    pub package: String,
    /// Only releases at or after this version.
    #[arg(long, value_name = "VERSION")]
    pub since: Option<String>,
    /// Snapshot store: `<DIR>/<package>/<version>.yaml`.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Write a Markdown changelog per new release here (`<package>-<version>.md`), against
    /// the release before it in the store.
    #[arg(long, value_name = "DIR")]
    pub changelog_dir: Option<PathBuf>,
    /// Releases fetched and snapshotted at once.
    #[arg(short, long, value_name = "N", default_value_t = 2)]
    pub jobs: usize,
    /// When another sync holds the store's lock, wait for it instead of exiting.
    #[arg(long)]
    pub wait: bool,
    /// List the releases that would be added, and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Only bring the store's precomputed diffs (`<store>/<package>/diffs/`) up to date with
    /// its snapshots and this build; no index is needed.
    #[arg(long, conflicts_with = "dry_run")]
    pub diffs_only: bool,
    #[command(flatten)]
    pub net: NetArgs,
}

pub fn sync(args: SyncArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.jobs >= 1, "--jobs must be at least 1");
    let since = args
        .since
        .as_deref()
        .map(|s| {
            Version::from_str(s)
                .map_err(|e| anyhow::anyhow!("--since `{s}` is not a PEP 440 version: {e}"))
        })
        .transpose()?;
    let folder = args.store.join(&args.package);
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create the store folder `{}`", folder.display()))?;
    let _lock = lock(&folder, args.wait)?;
    if args.diffs_only {
        let n = super::span::refresh_store_diffs(&args.store, &args.package)?;
        eprintln!(
            "{n} precomputed diff files written or removed in `{}`",
            folder.display()
        );
        return Ok(ExitCode::from(super::EXIT_CLEAN));
    }

    let config = args.net.config()?;
    let progress = Progress::new();
    let log = progress.log();
    let fetcher = args.net.fetcher(log.clone())?;
    let rt = runtime()?;
    let started = Instant::now();

    let files = rt.block_on(fetcher.list(&config, &args.package))?;
    let releases = index::releases(&files, &args.package, args.net.pre);
    let stored: Vec<Version> = match Store::without_bundle(&args.store).releases(&args.package) {
        Ok(r) => r.into_iter().map(|r| r.version).collect(),
        Err(snapshot::store::StoreError::NoPackage { .. }) => Vec::new(),
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
        let n = super::span::refresh_store_diffs(&args.store, &args.package)?;
        if n > 0 {
            eprintln!("{n} precomputed diff files brought up to date");
        }
        eprintln!(
            "nothing to do: `{}` holds all {total} releases of {} on the index{}",
            folder.display(),
            args.package,
            since.map(|s| format!(" since {s}")).unwrap_or_default()
        );
        return Ok(ExitCode::from(super::EXIT_CLEAN));
    }
    let names: Vec<String> = missing.iter().map(|(v, _)| v.to_string()).collect();
    log(&format!(
        "{} of {total} releases of {} are missing from `{}`: {}",
        missing.len(),
        args.package,
        folder.display(),
        names.join(", ")
    ));
    if args.dry_run {
        return Ok(ExitCode::from(super::EXIT_CLEAN));
    }

    let bar = progress.bar(missing.len() as u64);
    let results: Vec<(Version, Outcome)> = rt.block_on(async {
        let ticker = {
            let bar = bar.clone();
            let fetcher = &fetcher;
            async move {
                loop {
                    bar.set_message(format!("{} fetched", human_bytes(fetcher.http.fetched())));
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            }
        };
        let work = futures_util::stream::iter(missing.iter())
            .map(|(v, files)| {
                let (fetcher, folder, log, bar) = (&fetcher, &folder, &log, &bar);
                let name = args.package.as_str();
                async move {
                    let result = async {
                        let (snap, line, size, bytes) =
                            release_snapshot(fetcher, name, v, files, None, None, args.net.verbose)
                                .await?;
                        let path = folder.join(format!("{v}.yaml"));
                        let text = snapshot::to_yaml_string(&snap);
                        snapshot::store::write_atomically(&path, text.as_bytes())
                            .with_context(|| format!("cannot write `{}`", path.display()))?;
                        log(&line);
                        Ok((size, bytes))
                    }
                    .await;
                    if let Err(e) = &result {
                        log(&format!("{name} {v}: failed: {e:#}"));
                    }
                    bar.inc(1);
                    ((*v).clone(), result)
                }
            })
            .buffer_unordered(args.jobs)
            .collect::<Vec<_>>();
        tokio::select! {
            r = work => r,
            _ = ticker => unreachable!("the ticker never ends"),
        }
    });
    bar.finish_and_clear();

    let mut added: Vec<&Version> = Vec::new();
    let mut failed = Vec::new();
    let (mut sizes, mut used) = (0u64, 0u64);
    for (v, r) in &results {
        match r {
            Ok((size, bytes)) => {
                added.push(v);
                sizes += size.unwrap_or(0);
                used += bytes;
            }
            Err(e) => failed.push(format!("{v}: {e:#}")),
        }
    }
    added.sort();
    super::span::refresh_store_diffs(&args.store, &args.package)?;
    if let Some(dir) = &args.changelog_dir {
        for v in &added {
            write_changelog(&args.store, &args.package, v, dir)?;
        }
    }
    // The ratio is of the stored releases alone; the total also counts retries, index pages
    // and releases that failed.
    let total = fetcher.http.fetched();
    eprintln!(
        "added {} release{} of {} ({}); read {}{}; {} transferred in all, in {:.1}s",
        added.len(),
        if added.len() == 1 { "" } else { "s" },
        args.package,
        added
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        human_bytes(used),
        if sizes > 0 {
            format!(
                " of {} in their artifacts ({:.1}%)",
                human_bytes(sizes),
                percent(used, sizes)
            )
        } else {
            String::new()
        },
        human_bytes(total),
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        Ok(ExitCode::from(super::EXIT_CLEAN))
    } else {
        for f in &failed {
            eprintln!("error: {f}");
        }
        Ok(ExitCode::from(super::EXIT_ERROR))
    }
}

/// A stored release: its artifact's size, and the bytes fetched for it.
type Outcome = anyhow::Result<(Option<u64>, u64)>;

/// The changelog of `version` against the release before it in the store folder.
fn write_changelog(
    store: &Path,
    package: &str,
    version: &Version,
    dir: &Path,
) -> anyhow::Result<()> {
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
        let all: Vec<_> = super::span::consecutive_diffs(&[old, new])?
            .into_iter()
            .flatten()
            .collect();
        changes::markdown(&title, &all)
    };
    snapshot::store::write_atomically(&path, text.as_bytes())
        .with_context(|| format!("cannot write the changelog `{}`", path.display()))?;
    Ok(())
}

/// An exclusive lock on the store folder for the run (released when the file is closed, also
/// when the process dies).
fn lock(folder: &Path, wait: bool) -> anyhow::Result<std::fs::File> {
    let path = folder.join(".sync.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the lock file `{}`", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) if wait => {
            eprintln!("waiting for another `apidrift sync` on `{}`…", folder.display());
            file.lock()
                .with_context(|| format!("cannot lock `{}`", path.display()))?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another `apidrift sync` is writing to `{}` (it holds `{}`); wait for it to finish, or pass --wait",
            folder.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock `{}`", path.display()))
        }
    }
}
