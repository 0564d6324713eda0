//! Arguments shared by several subcommands.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use apidrift::snapshot::store::{Store, StoreError};
use apidrift::snapshot::Snapshot;
use apidrift::sync::NetOptions;

/// Where releases come from: snapshot files, or versions in the store.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Snapshot store: `<DIR>/<package>/<version>.yaml`.
    #[arg(long, value_name = "DIR", default_value = "snapshots", global = true)]
    pub store: PathBuf,
    /// Package whose releases to use from the store.
    #[arg(long, value_name = "NAME", default_value = "torch", global = true)]
    pub package: String,
}

impl StoreArgs {
    pub fn store(&self) -> Store {
        Store::new(&self.store)
    }

    /// A snapshot file, or a release version found in the store.
    pub fn load(&self, spec: &str) -> Result<Snapshot, StoreError> {
        self.store().load_spec(&self.package, spec)
    }
}

/// Formats of commands that report changes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChangeFormat {
    Human,
    Json,
    Markdown,
}

impl ChangeFormat {
    pub fn format(self) -> apidrift::report::Format {
        use apidrift::report::Format;
        match self {
            ChangeFormat::Human => Format::Human { color: false },
            ChangeFormat::Json => Format::Json,
            ChangeFormat::Markdown => Format::Markdown,
        }
    }
}

/// Formats of commands that show one symbol or one release.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ViewFormat {
    Human,
    Json,
}

impl ViewFormat {
    pub fn format(self) -> apidrift::report::Format {
        use apidrift::report::Format;
        match self {
            ViewFormat::Human => Format::Human { color: false },
            ViewFormat::Json => Format::Json,
        }
    }
}

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
    pub fn options(&self) -> NetOptions {
        NetOptions {
            index_url: self.index_url.clone(),
            extra_index_urls: self.extra_index_url.clone(),
            pre: self.pre,
            offline: self.offline,
            full: self.full,
            cache_dir: self.cache_dir.clone(),
            no_cache: self.no_cache,
            timeout: self.timeout,
            retries: self.retries,
            backoff: Duration::from_millis(self.backoff_ms),
            verbose: self.verbose,
        }
    }
}
