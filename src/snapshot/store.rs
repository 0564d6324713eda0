//! The store: a directory of snapshots, `<store>/<package>/<version>.yaml`, ordered by PEP 440
//! (PyTorch versions are PEP 440, not SemVer: `2.5.0rc1`, `2.6.0.dev20241001`, `2.5.0+cpu`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::Version;

use super::{from_yaml_str, ReadError, Snapshot};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read the snapshot store `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no snapshots of `{package}` in `{store}`; pass `--store DIR` or a snapshot file")]
    NoPackage { package: String, store: PathBuf },
    #[error("`{version}` is not a release of `{package}` in the store{suggestion}")]
    UnknownVersion {
        package: String,
        version: String,
        suggestion: String,
    },
    #[error("`{path}`: {source}")]
    Read { path: PathBuf, source: ReadError },
    #[error("`{0}` is not a PEP 440 version")]
    BadVersion(String),
}

pub struct Store {
    dir: PathBuf,
}

/// One stored release.
#[derive(Debug, Clone)]
pub struct Release {
    pub version: Version,
    pub path: PathBuf,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The package's releases, oldest first.
    pub fn releases(&self, package: &str) -> Result<Vec<Release>, StoreError> {
        let dir = self.dir.join(package);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NoPackage {
                    package: package.into(),
                    store: self.dir.clone(),
                })
            }
            Err(e) => {
                return Err(StoreError::Io {
                    path: dir,
                    source: e,
                })
            }
        };
        let mut releases = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|e| StoreError::Io {
                    path: dir.clone(),
                    source: e,
                })?
                .path();
            let Some(stem) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".yaml"))
            else {
                continue;
            };
            if let Ok(version) = Version::from_str(stem) {
                releases.push(Release { version, path });
            }
        }
        if releases.is_empty() {
            return Err(StoreError::NoPackage {
                package: package.into(),
                store: self.dir.clone(),
            });
        }
        releases.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(releases)
    }

    /// The stored release matching `version` (`2.5` finds `2.5.0`).
    pub fn find(&self, package: &str, version: &str) -> Result<Release, StoreError> {
        let releases = self.releases(package)?;
        let wanted =
            Version::from_str(version).map_err(|_| StoreError::BadVersion(version.into()))?;
        if let Some(r) = releases.iter().find(|r| r.version == wanted) {
            return Ok(r.clone());
        }
        Err(StoreError::UnknownVersion {
            package: package.into(),
            version: version.into(),
            suggestion: nearest_versions(&releases, &wanted),
        })
    }

    pub fn load(&self, package: &str, version: &str) -> Result<Snapshot, StoreError> {
        load_file(&self.find(package, version)?.path)
    }
}

pub fn load_file(path: &Path) -> Result<Snapshot, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| StoreError::Io {
        path: path.into(),
        source: e,
    })?;
    from_yaml_str(&text).map_err(|e| StoreError::Read {
        path: path.into(),
        source: e,
    })
}

/// "; nearest: 2.4.0, 2.5.0" — the stored releases around `wanted`.
fn nearest_versions(releases: &[Release], wanted: &Version) -> String {
    let after = releases
        .iter()
        .position(|r| r.version > *wanted)
        .unwrap_or(releases.len());
    let near: Vec<String> = releases[after.saturating_sub(1)..(after + 1).min(releases.len())]
        .iter()
        .map(|r| r.version.to_string())
        .collect();
    let all: Vec<String> = releases.iter().map(|r| r.version.to_string()).collect();
    format!(
        "; nearest: {} (stored: {})",
        near.join(", "),
        all.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_pep440_and_suggests_neighbours() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("torch");
        std::fs::create_dir_all(&pkg).unwrap();
        for v in ["2.10.0", "2.9.1", "2.5.0rc1", "2.5.0", "notes"] {
            std::fs::write(pkg.join(format!("{v}.yaml")), "").unwrap();
        }
        let store = Store::new(dir.path());
        let order: Vec<String> = store
            .releases("torch")
            .unwrap()
            .iter()
            .map(|r| r.version.to_string())
            .collect();
        assert_eq!(order, ["2.5.0rc1", "2.5.0", "2.9.1", "2.10.0"]);
        assert_eq!(
            store.find("torch", "2.5").unwrap().version.to_string(),
            "2.5.0"
        );
        let err = store.find("torch", "2.7").unwrap_err().to_string();
        assert!(err.contains("nearest: 2.5.0, 2.9.1"), "{err}");
        assert!(matches!(
            store.releases("numpy"),
            Err(StoreError::NoPackage { .. })
        ));
    }
}
