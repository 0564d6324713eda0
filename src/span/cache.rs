//! Consecutive diffs kept on disk: precomputed in the store by `sync` (and bundled), or
//! computed by `check` into the user's cache. Each records what it was made from, both
//! releases' digests and the diff code's fingerprint, and is used only when all three match:
//! a stale entry costs time, never correctness.

use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::SpanError;
use crate::diff::Change;
use crate::snapshot::store::{self, Release, Store, StoreError};

/// A consecutive diff as stored, with what it was computed from.
#[derive(Serialize, Deserialize)]
pub struct StoredDiff {
    pub old: String,
    pub new: String,
    pub old_digest: String,
    pub new_digest: String,
    pub fingerprint: String,
    pub changes: Vec<Change>,
}

/// The build's fingerprint of the code that shapes diffs (see `build.rs`).
pub const DIFF_FINGERPRINT: &str = env!("APIDRIFT_DIFF_FINGERPRINT");

/// The cache file of the diff between releases with these digests, by this build.
pub(super) fn cache_file_name(old: u64, new: u64) -> String {
    format!("{old:016x}-{new:016x}-{DIFF_FINGERPRINT}.json")
}

impl StoredDiff {
    /// The changes, when `text` is a diff made from releases with these digests by this
    /// build's diff code.
    pub fn parse(text: &str, old: u64, new: u64) -> Option<Vec<Change>> {
        let d: StoredDiff = serde_json::from_str(text).ok()?;
        (d.fingerprint == DIFF_FINGERPRINT
            && d.old_digest == format!("{old:016x}")
            && d.new_digest == format!("{new:016x}"))
        .then_some(d.changes)
    }

    pub(super) fn to_json(
        old: &Release,
        new: &Release,
        digests: (u64, u64),
        changes: &[Change],
    ) -> String {
        let d = StoredDiff {
            old: old.version.to_string(),
            new: new.version.to_string(),
            old_digest: format!("{:016x}", digests.0),
            new_digest: format!("{:016x}", digests.1),
            fingerprint: DIFF_FINGERPRINT.to_string(),
            changes: changes.to_vec(),
        };
        // Pretty: the stored ones are committed, and a reviewer reads their git diff.
        serde_json::to_string_pretty(&d).expect("diffs serialise") + "\n"
    }
}

/// Brings `<store>/<package>/diffs/` up to date with the store folder's releases: one file per
/// consecutive pair, made by this build's diff code from the current bytes. Entries that are
/// current stay untouched; stale ones are rewritten, orphans removed. Returns how many files
/// were written or removed.
pub fn refresh_store_diffs(dir: &Path, package: &str) -> Result<usize, SpanError> {
    let store = Store::without_bundle(dir);
    let releases = match store.releases(package) {
        Ok(r) => r,
        Err(StoreError::NoPackage { .. }) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let digests = releases
        .par_iter()
        .map(store::release_digest)
        .collect::<Result<Vec<u64>, _>>()?;
    let diffs_dir = store::diffs_dir(dir, package);
    let wanted: Vec<String> = releases
        .windows(2)
        .map(|w| format!("{}..{}.json", w[0].version, w[1].version))
        .collect();
    let stale: Vec<usize> = (0..wanted.len())
        .filter(|&i| {
            std::fs::read_to_string(diffs_dir.join(&wanted[i]))
                .ok()
                .and_then(|t| StoredDiff::parse(&t, digests[i], digests[i + 1]))
                .is_none()
        })
        .collect();
    let mut touched = 0;
    for i in &stale {
        let (a, b) = (&releases[*i], &releases[*i + 1]);
        let (old, new) = rayon::join(|| store::load_release(a), || store::load_release(b));
        let changes: Vec<Change> = super::consecutive_diffs(&[old?, new?])?
            .into_iter()
            .flatten()
            .collect();
        let text = StoredDiff::to_json(a, b, (digests[*i], digests[*i + 1]), &changes);
        let path = diffs_dir.join(&wanted[*i]);
        crate::util::write_atomically(&path, text.as_bytes())
            .map_err(|error| SpanError::Write { path, error })?;
        touched += 1;
    }
    for entry in std::fs::read_dir(&diffs_dir)
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !wanted.contains(&name) {
            std::fs::remove_file(entry.path()).map_err(|error| SpanError::Remove {
                path: entry.path(),
                error,
            })?;
            touched += 1;
        }
    }
    Ok(touched)
}
