//! The store: a directory of snapshots, `<store>/<package>/<version>.yaml`, ordered by PEP 440
//! (PyTorch versions are PEP 440, not SemVer: `2.5.0rc1`, `2.6.0.dev20241001`, `2.5.0+cpu`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::Version;

use super::{from_yaml_str, ReadError, Snapshot};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read `{path}`: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("no snapshots of `{package}` in `{store}`; pass `--store DIR` or a snapshot file")]
    NoPackage { package: String, store: PathBuf },
    #[error("`{version}` is not a release of `{package}` in the store{suggestion}")]
    UnknownVersion {
        package: String,
        version: String,
        suggestion: String,
    },
    #[error("`{path}`: {error}")]
    Read { path: PathBuf, error: ReadError },
    #[error("`{0}` is not a PEP 440 version")]
    BadVersion(String),
    #[error("`{0}` does not exist; give a snapshot file or a version in the store")]
    NoSuchFile(String),
}

pub struct Store {
    dir: PathBuf,
    bundled: bool,
}

/// One stored release: a file in the store folder, or one bundled in the binary.
#[derive(Debug, Clone)]
pub struct Release {
    pub version: Version,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub enum Origin {
    File(PathBuf),
    /// Index into the bundle.
    Bundled(usize),
}

impl Release {
    pub fn describe(&self) -> String {
        match &self.origin {
            Origin::File(p) => p.display().to_string(),
            Origin::Bundled(_) => format!("bundled snapshot {}", self.version),
        }
    }
}

/// One entry compiled into the binary (see `build.rs`).
struct Bundled {
    package: String,
    /// A version, or `diffs/<old>..<new>` for a precomputed diff.
    name: String,
    /// [`digest`] of a snapshot's uncompressed bytes.
    digest: u64,
    gzip: &'static [u8],
}

fn bundle() -> &'static [Bundled] {
    static BUNDLE: std::sync::OnceLock<Vec<Bundled>> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| {
        let blob: &'static [u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bundle.bin"));
        let mut at = 0;
        let mut take = |n: usize| {
            let s = &blob[at..at + n];
            at += n;
            s
        };
        let read_u32 = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("four bytes")) as usize;
        let count = read_u32(take(4));
        (0..count)
            .map(|_| {
                let mut part = || {
                    let n = read_u32(take(4));
                    take(n)
                };
                let package = String::from_utf8_lossy(part()).into_owned();
                let name = String::from_utf8_lossy(part()).into_owned();
                let digest = u64::from_le_bytes(part().try_into().expect("eight bytes"));
                Bundled {
                    package,
                    name,
                    digest,
                    gzip: part(),
                }
            })
            .collect()
    })
}

fn gunzip(data: &[u8], what: &str) -> Result<String, StoreError> {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::GzDecoder::new(data)
        .read_to_string(&mut text)
        .map_err(|e| StoreError::Io {
            path: what.into(),
            error: e,
        })?;
    Ok(text)
}

/// The fingerprint of a snapshot's bytes that keys precomputed diffs; `build.rs` computes the
/// bundled ones with the same code.
pub use crate::util::digest::digest;

impl Store {
    /// A store folder, with the bundled snapshots behind it.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store {
            dir: dir.into(),
            bundled: true,
        }
    }

    /// A store folder alone.
    pub fn without_bundle(dir: impl Into<PathBuf>) -> Self {
        Store {
            dir: dir.into(),
            bundled: false,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The package's releases, oldest first: the store folder's, and the bundled ones it does
    /// not override.
    pub fn releases(&self, package: &str) -> Result<Vec<Release>, StoreError> {
        let dir = self.dir.join(package);
        let mut releases = Vec::new();
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for entry in entries {
                    let path = entry
                        .map_err(|e| StoreError::Io {
                            path: dir.clone(),
                            error: e,
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
                        releases.push(Release {
                            version,
                            origin: Origin::File(path),
                        });
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(StoreError::Io {
                    path: dir,
                    error: e,
                })
            }
        }
        if self.bundled {
            for (i, b) in bundle().iter().enumerate() {
                let Ok(version) = Version::from_str(&b.name) else {
                    continue;
                };
                if b.package == package && !releases.iter().any(|r: &Release| r.version == version)
                {
                    releases.push(Release {
                        version,
                        origin: Origin::Bundled(i),
                    });
                }
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
        load_release(&self.find(package, version)?)
    }

    /// A snapshot file, or a release version found in the store.
    pub fn load_spec(&self, package: &str, spec: &str) -> Result<Snapshot, StoreError> {
        let path = Path::new(spec);
        if path.is_file() {
            return load_file(path);
        }
        if spec.ends_with(".yaml") || spec.contains('/') {
            return Err(StoreError::NoSuchFile(spec.to_string()));
        }
        self.load(package, spec)
    }
}

pub fn load_release(release: &Release) -> Result<Snapshot, StoreError> {
    match &release.origin {
        Origin::File(path) => load_file(path),
        Origin::Bundled(i) => {
            let text = gunzip(bundle()[*i].gzip, &release.describe())?;
            from_yaml_str(&text).map_err(|e| StoreError::Read {
                path: release.describe().into(),
                error: e,
            })
        }
    }
}

/// [`digest`] of a stored release's bytes (precomputed for bundled ones).
pub fn release_digest(release: &Release) -> Result<u64, StoreError> {
    match &release.origin {
        Origin::File(path) => std::fs::File::open(path)
            .and_then(crate::util::digest::digest_reader)
            .map_err(|e| StoreError::Io {
                path: path.into(),
                error: e,
            }),
        Origin::Bundled(i) => Ok(bundle()[*i].digest),
    }
}

impl Store {
    /// The precomputed diff of two consecutive releases, as stored by `sync`: the store
    /// folder's `<package>/diffs/<old>..<new>.json`, else the bundled one. The caller checks
    /// that it was made from these releases' bytes by this build's diff code.
    pub fn stored_diff(&self, package: &str, old: &Version, new: &Version) -> Option<String> {
        let name = format!("{old}..{new}");
        let path = diffs_dir(&self.dir, package).join(format!("{name}.json"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            return Some(text);
        }
        if !self.bundled {
            return None;
        }
        let name = format!("diffs/{name}");
        let b = bundle()
            .iter()
            .find(|b| b.package == package && b.name == name)?;
        gunzip(b.gzip, &name).ok()
    }
}

/// Where `sync` keeps the precomputed diffs of a package's consecutive releases.
pub fn diffs_dir(store: &Path, package: &str) -> PathBuf {
    store.join(package).join("diffs")
}

pub fn load_file(path: &Path) -> Result<Snapshot, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| StoreError::Io {
        path: path.into(),
        error: e,
    })?;
    from_yaml_str(&text).map_err(|e| StoreError::Read {
        path: path.into(),
        error: e,
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
        let store = Store::without_bundle(dir.path());
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
