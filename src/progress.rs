//! Progress of long work, told to whoever runs it. The library never prints: it tells a
//! [`Reporter`], and the binary decides how to show it (bars on a terminal, plain lines in CI
//! logs); tests and embedders that want nothing pass [`Silent`].

use std::sync::Arc;

/// Receives progress. Every method has a no-op default, so a reporter implements only what it
/// shows.
pub trait Reporter: Send + Sync {
    /// A line worth showing now: a retry, a warning, a release stored.
    fn line(&self, _text: &str) {}
    /// `total` units of work (releases) are about to start.
    fn start(&self, _total: u64) {}
    /// One unit finished.
    fn advance(&self) {}
    /// What the current work is doing, for a status line ("12.3 MB fetched").
    fn status(&self, _text: &str) {}
    /// The units started by [`Reporter::start`] are all done.
    fn finish(&self) {}
}

/// Shows nothing.
pub struct Silent;

impl Reporter for Silent {}

/// A reporter shared between tasks.
pub type SharedReporter = Arc<dyn Reporter>;

/// A shared [`Silent`] reporter.
pub fn silent() -> SharedReporter {
    Arc::new(Silent)
}
