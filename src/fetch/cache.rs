//! The fetch cache: what was read from an index or an artifact, kept in the user's cache
//! directory so that a re-run (or `--offline`) does not fetch it again.
//!
//! Layout under `<cache>/apidrift/v1/` (the version names the layout; a new layout gets a new
//! folder instead of misreading an old one):
//! - `members/<sha256>.zip`: an artifact's package sources and dist-info metadata, keyed by the
//!   artifact's sha256 from the index, so a cached entry can never stand for other bytes;
//! - `index/<hash of the project URL>.json`: the last listing of a project page.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::FetchError;
use crate::extract::source::Members;
use crate::index::IndexFile;

pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// `APIDRIFT_CACHE_DIR`, else the platform's cache directory (`~/.cache` on Linux).
    pub fn default_root() -> Option<PathBuf> {
        std::env::var_os("APIDRIFT_CACHE_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|d| d.join("apidrift")))
    }

    pub fn new(root: impl Into<PathBuf>) -> Cache {
        Cache {
            root: root.into().join("v1"),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The members of one package of the artifact (`--package`), or of the package its
    /// metadata names.
    fn members_path(&self, sha256: &str, package: Option<&str>) -> PathBuf {
        let name = match package {
            Some(p) => format!("{sha256}-{p}.zip"),
            None => format!("{sha256}.zip"),
        };
        self.root.join("members").join(name)
    }

    fn listing_path(&self, project_url: &str) -> PathBuf {
        let key = hex::encode(&Sha256::digest(project_url.as_bytes())[..12]);
        self.root.join("index").join(format!("{key}.json"))
    }

    /// The cached members of the artifact with this sha256. A damaged entry counts as a miss
    /// (and is fetched again), never as sources.
    pub fn members(&self, sha256: &str, package: Option<&str>) -> Option<Members> {
        let path = self.members_path(sha256, package);
        let bytes = std::fs::read(&path).ok()?;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
        let mut metadata = Vec::new();
        let mut sources = Vec::new();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).ok()?;
            let mut buf = Vec::with_capacity(f.size() as usize);
            // The zip reader checks each member's CRC-32 as it reads.
            f.read_to_end(&mut buf).ok()?;
            let name = f.name().to_string();
            match name.strip_prefix("metadata/") {
                Some(n) => metadata.push((n.to_string(), buf)),
                None => sources.push((name.strip_prefix("sources/")?.to_string(), buf)),
            }
        }
        Some(Members { metadata, sources })
    }

    pub fn store_members(
        &self,
        sha256: &str,
        package: Option<&str>,
        members: &Members,
    ) -> Result<(), FetchError> {
        let path = self.members_path(sha256, package);
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        let io = |e: zip::result::ZipError| FetchError::Cache {
            path: path.clone(),
            reason: e.to_string(),
        };
        let lists = [
            ("metadata", &members.metadata),
            ("sources", &members.sources),
        ];
        for (dir, list) in lists {
            for (name, bytes) in list {
                zip.start_file(format!("{dir}/{name}"), options)
                    .map_err(io)?;
                zip.write_all(bytes).map_err(|e| FetchError::Cache {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            }
        }
        let bytes = zip.finish().map_err(io)?.into_inner();
        write_atomically(&path, &bytes)
    }

    pub fn listing(&self, project_url: &str) -> Option<Vec<IndexFile>> {
        let text = std::fs::read(self.listing_path(project_url)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    pub fn store_listing(&self, project_url: &str, files: &[IndexFile]) -> Result<(), FetchError> {
        let path = self.listing_path(project_url);
        let text = serde_json::to_vec(files).map_err(|e| FetchError::Cache {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_atomically(&path, &text)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    crate::util::write_atomically(path, bytes).map_err(|e| FetchError::Cache {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_round_trip_and_damage_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let members = Members {
            metadata: vec![("pkg-1.0.dist-info/METADATA".into(), b"Name: pkg\n".to_vec())],
            sources: vec![("pkg/__init__.py".into(), b"x = 1\n".to_vec())],
        };
        assert!(cache.members("ab", None).is_none());
        cache.store_members("ab", None, &members).unwrap();
        assert!(cache.members("ab", Some("other")).is_none());
        let back = cache.members("ab", None).unwrap();
        assert_eq!(back.metadata, members.metadata);
        assert_eq!(back.sources, members.sources);
        std::fs::write(cache.members_path("ab", None), b"not a zip").unwrap();
        assert!(cache.members("ab", None).is_none());
    }
}
