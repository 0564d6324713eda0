//! Reading a release's Python sources out of its artifact: a wheel file or a directory holding
//! the package (an unpacked wheel, a site-packages folder).
//!
//! Only the package's `.py`/`.pyi` members are read. Text is decoded (UTF-8, or the encoding a
//! PEP 263 declaration names) and line endings normalised, so a Windows wheel and a macOS wheel
//! of the same release give the same snapshot.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::snapshot::Artifact;
use crate::util::names::normalise_dist_name;

/// Caps on what a wheel may inflate to. Real torch wheels stay far below: the largest source
/// member is a few MB and all of them together about 80 MB.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_member_bytes: u64,
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_member_bytes: 64 << 20,
            max_total_bytes: 1 << 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read `{path}`: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("`{path}` is not a wheel: {reason}")]
    NotAZip { path: PathBuf, reason: String },
    #[error("`{path}` is corrupt: member `{member}` cannot be read ({reason}); download the wheel again")]
    CorruptMember {
        path: PathBuf,
        member: String,
        reason: String,
    },
    #[error("`{path}` has no `*.dist-info/METADATA`, so its name and version are unknown; pass a wheel built by a standard tool")]
    NoDistInfo { path: PathBuf },
    #[error("`{path}` holds several distributions ({names}); choose one with `--package`")]
    AmbiguousDistInfo { path: PathBuf, names: String },
    #[error("`{path}`: METADATA at `{metadata}` lacks a `{field}` field")]
    BadMetadata {
        path: PathBuf,
        metadata: String,
        field: &'static str,
    },
    #[error("`{path}` has no `{package}/` package with Python sources; pass the import name with `--package`")]
    NoPackage { path: PathBuf, package: String },
    #[error("`{path}`: member `{member}` inflates past {limit} bytes, refusing it as a possible zip bomb")]
    TooLarge {
        path: PathBuf,
        member: String,
        limit: u64,
    },
    #[error("`{path}`: `{file}` is not valid UTF-8 ({detail}) and declares no encoding this tool can decode")]
    NotUtf8 {
        path: PathBuf,
        file: String,
        detail: String,
    },
}

/// One Python source file of the package, decoded and normalised.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path inside the artifact, `/`-separated (`torch/nn/functional.py`).
    pub path: String,
    pub text: String,
}

#[derive(Debug)]
pub struct SourceSet {
    pub package: String,
    pub version: String,
    pub artifact: Artifact,
    /// Sorted by path.
    pub files: Vec<SourceFile>,
}

/// Raw bytes of the package's members plus the dist-info metadata: what both a local wheel and
/// a remote one (read by ranges) hand to [`SourceSet::from_members`].
pub struct Members {
    pub metadata: Vec<(String, Vec<u8>)>,
    pub sources: Vec<(String, Vec<u8>)>,
}

pub fn read_source(
    path: &Path,
    package: Option<&str>,
    limits: Limits,
) -> Result<SourceSet, SourceError> {
    let meta = std::fs::metadata(path).map_err(|e| SourceError::Io {
        path: path.into(),
        error: e,
    })?;
    if meta.is_dir() {
        read_dir(path, package)
    } else {
        read_wheel(path, package, limits)
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SourceError + '_ {
    move |e| SourceError::Io {
        path: path.into(),
        error: e,
    }
}

pub fn read_wheel(
    path: &Path,
    package: Option<&str>,
    limits: Limits,
) -> Result<SourceSet, SourceError> {
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let filename = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let members = read_zip_members(path, &bytes, package, limits)?;
    SourceSet::from_members(path, members, package, Artifact { filename, sha256 })
}

/// Reads the dist-info metadata and the candidate source members of a zip held in memory.
fn read_zip_members(
    path: &Path,
    bytes: &[u8],
    package: Option<&str>,
    limits: Limits,
) -> Result<Members, SourceError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| SourceError::NotAZip {
        path: path.into(),
        reason: e.to_string(),
    })?;
    let names: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|i| archive.name_for_index(i).map(|n| (i, n.to_string())))
        .collect();

    let wanted_meta = is_metadata_member;
    let is_source = |n: &str| is_source_member(n, package);
    let read = |wanted: &dyn Fn(&str) -> bool| -> Result<Vec<(String, Vec<u8>)>, SourceError> {
        let picked: Vec<&(usize, String)> = names.iter().filter(|(_, n)| wanted(n)).collect();
        // Each rayon job gets its own archive handle (a cheap clone sharing the central
        // directory), so members inflate in parallel.
        let out: Result<Vec<_>, SourceError> = picked
            .par_chunks(64.max(picked.len() / 16 + 1))
            .map(|chunk| {
                let mut archive = archive.clone();
                chunk
                    .iter()
                    .map(|(i, name)| {
                        read_member(path, &mut archive, *i, name, limits).map(|b| (name.clone(), b))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<Vec<_>>, _>>()
            .map(|v| v.into_iter().flatten().collect());
        out
    };
    let metadata = read(&wanted_meta)?;
    let sources = read(&is_source)?;
    let total: u64 = sources.iter().map(|(_, b)| b.len() as u64).sum();
    if total > limits.max_total_bytes {
        return Err(SourceError::TooLarge {
            path: path.into(),
            member: "(all sources together)".into(),
            limit: limits.max_total_bytes,
        });
    }
    Ok(Members { metadata, sources })
}

fn read_member(
    path: &Path,
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    name: &str,
    limits: Limits,
) -> Result<Vec<u8>, SourceError> {
    let corrupt = |reason: String| SourceError::CorruptMember {
        path: path.into(),
        member: name.into(),
        reason,
    };
    let file = archive
        .by_index(index)
        .map_err(|e| corrupt(e.to_string()))?;
    let too_large = || SourceError::TooLarge {
        path: path.into(),
        member: name.into(),
        limit: limits.max_member_bytes,
    };
    if file.size() > limits.max_member_bytes {
        return Err(too_large());
    }
    // The declared size can lie; cap what we actually inflate.
    let mut buf = Vec::with_capacity(file.size() as usize);
    file.take(limits.max_member_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| corrupt(e.to_string()))?;
    if buf.len() as u64 > limits.max_member_bytes {
        return Err(too_large());
    }
    Ok(buf)
}

/// The dist-info files that name the distribution, its version and its packages.
pub(crate) fn is_metadata_member(name: &str) -> bool {
    is_top_dist_info_file(name, "METADATA") || is_top_dist_info_file(name, "top_level.txt")
}

/// The import name whose sources to read: `package`, else the one the metadata names.
pub(crate) fn package_to_read(
    path: &Path,
    metadata: &[(String, Vec<u8>)],
    package: Option<&str>,
) -> Result<String, SourceError> {
    match package {
        Some(p) => Ok(p.to_string()),
        None => {
            let (dist, _) = choose_dist_info(path, metadata, None)?;
            Ok(package_name_for(metadata, &dist, None))
        }
    }
}

/// A Python source of the package (of any package when `None`) in a wheel's member list.
pub(crate) fn is_source_member(name: &str, package: Option<&str>) -> bool {
    (name.ends_with(".py") || name.ends_with(".pyi"))
        && package.is_none_or(|p| {
            name.strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
        })
        && !name.contains(".dist-info/")
        && !name.contains(".data/")
}

fn is_top_dist_info_file(name: &str, file: &str) -> bool {
    match name.split_once('/') {
        Some((dir, rest)) => dir.ends_with(".dist-info") && rest == file,
        None => false,
    }
}

fn read_dir(path: &Path, package: Option<&str>) -> Result<SourceSet, SourceError> {
    let mut metadata = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io_err(path))? {
        let entry = entry.map_err(io_err(path))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".dist-info") && entry.path().is_dir() {
            for file in ["METADATA", "top_level.txt"] {
                let p = entry.path().join(file);
                if p.is_file() {
                    metadata.push((
                        format!("{name}/{file}"),
                        std::fs::read(&p).map_err(io_err(&p))?,
                    ));
                }
            }
        }
    }
    metadata.sort();
    let (dist_name, _) = choose_dist_info(path, &metadata, package)?;
    let package_name = package_name_for(&metadata, &dist_name, package);
    let root = path.join(&package_name);
    let mut sources = Vec::new();
    if root.is_dir() {
        collect_dir_sources(&root, &package_name, &mut sources, 0)?;
    }
    sources.sort();
    // A directory has no file hash of its own: hash what the snapshot was made from instead,
    // so the record still says which bytes these are.
    let mut hasher = Sha256::new();
    for (name, bytes) in &sources {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(normalise_newlines_bytes(bytes));
        hasher.update([0]);
    }
    let filename = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let artifact = Artifact {
        filename,
        sha256: hex::encode(hasher.finalize()),
    };
    SourceSet::from_members(
        path,
        Members { metadata, sources },
        Some(&package_name),
        artifact,
    )
}

fn collect_dir_sources(
    dir: &Path,
    rel: &str,
    out: &mut Vec<(String, Vec<u8>)>,
    depth: usize,
) -> Result<(), SourceError> {
    // Symlink loops in a site-packages folder must not recurse forever.
    if depth > 64 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io_err(dir))?
        .collect::<Result<_, _>>()
        .map_err(io_err(dir))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let p = entry.path();
        let ft = entry.file_type().map_err(io_err(&p))?;
        if ft.is_dir() {
            if name != "__pycache__" {
                collect_dir_sources(&p, &format!("{rel}/{name}"), out, depth + 1)?;
            }
        } else if name.ends_with(".py") || name.ends_with(".pyi") {
            out.push((
                format!("{rel}/{name}"),
                std::fs::read(&p).map_err(io_err(&p))?,
            ));
        }
    }
    Ok(())
}

/// Picks the distribution: the one for `package` when given (by name or by its
/// `top_level.txt`), else the only one. Returns its name and version.
fn choose_dist_info(
    path: &Path,
    metadata: &[(String, Vec<u8>)],
    package: Option<&str>,
) -> Result<(String, String), SourceError> {
    let mut dists: Vec<(String, String, String)> = Vec::new();
    for (name, bytes) in metadata {
        let Some(dir) = name.strip_suffix("/METADATA") else {
            continue;
        };
        let text = String::from_utf8_lossy(bytes);
        let field = |f: &'static str| {
            header_field(&text, f).ok_or(SourceError::BadMetadata {
                path: path.into(),
                metadata: name.clone(),
                field: f,
            })
        };
        dists.push((dir.to_string(), field("Name")?, field("Version")?));
    }
    let ambiguous = |dists: &[(String, String, String)]| SourceError::AmbiguousDistInfo {
        path: path.into(),
        names: dists
            .iter()
            .map(|(_, d, _)| d.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    let chosen = match (dists.len(), package) {
        (0, _) => return Err(SourceError::NoDistInfo { path: path.into() }),
        (1, _) => dists[0].clone(),
        (_, Some(p)) => {
            let tops = top_level_names(metadata);
            let lists_package = |dir: &str| {
                tops.iter()
                    .any(|(d, names)| d == dir && names.iter().any(|n| n == p))
            };
            dists
                .iter()
                .find(|(_, d, _)| normalise_dist_name(d) == normalise_dist_name(p))
                .or_else(|| dists.iter().find(|(dir, _, _)| lists_package(dir)))
                .cloned()
                .ok_or_else(|| ambiguous(&dists))?
        }
        (_, None) => return Err(ambiguous(&dists)),
    };
    Ok((chosen.1, chosen.2))
}

fn top_level_names(metadata: &[(String, Vec<u8>)]) -> Vec<(String, Vec<String>)> {
    metadata
        .iter()
        .filter_map(|(name, bytes)| {
            let dir = name.strip_suffix("/top_level.txt")?;
            let names = String::from_utf8_lossy(bytes)
                .lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            Some((dir.to_string(), names))
        })
        .collect()
}

/// The import name: `--package`, else the single entry of `top_level.txt`, else the
/// distribution name with `-` as `_`.
fn package_name_for(metadata: &[(String, Vec<u8>)], dist: &str, package: Option<&str>) -> String {
    if let Some(p) = package {
        return p.to_string();
    }
    let tops = top_level_names(metadata);
    if let [(_, names)] = tops.as_slice() {
        let public: Vec<&String> = names.iter().filter(|n| !n.starts_with('_')).collect();
        if let [one] = public.as_slice() {
            return (*one).clone();
        }
    }
    normalise_dist_name(dist).replace('-', "_")
}

/// The value of an RFC 822 style header in METADATA (only the header block is searched).
fn header_field(text: &str, field: &str) -> Option<String> {
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case(field) {
                return Some(v.trim().to_string());
            }
        }
    }
    None
}

impl SourceSet {
    /// Builds the source set from raw members: picks the distribution and package, decodes and
    /// normalises the sources.
    pub fn from_members(
        path: &Path,
        members: Members,
        package: Option<&str>,
        artifact: Artifact,
    ) -> Result<SourceSet, SourceError> {
        let (dist, version) = choose_dist_info(path, &members.metadata, package)?;
        let package = package_name_for(&members.metadata, &dist, package);
        let prefix = format!("{package}/");
        let mut files: Vec<SourceFile> = members
            .sources
            .into_par_iter()
            .filter(|(name, _)| name.starts_with(&prefix))
            .map(|(name, bytes)| {
                let text = decode(&bytes).map_err(|detail| SourceError::NotUtf8 {
                    path: path.into(),
                    file: name.clone(),
                    detail,
                })?;
                Ok(SourceFile { path: name, text })
            })
            .collect::<Result<_, SourceError>>()?;
        if files.is_empty() {
            return Err(SourceError::NoPackage {
                path: path.into(),
                package,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(SourceSet {
            package,
            version,
            artifact,
            files,
        })
    }
}

/// Decodes Python source bytes: UTF-8 (BOM stripped), or Latin-1 family when a PEP 263
/// declaration on the first two lines says so. Newlines become `\n`.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let declared = declared_encoding(bytes);
            match declared.as_deref() {
                Some(
                    "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1" | "cp1252"
                    | "windows-1252",
                ) => bytes.iter().map(|&b| b as char).collect(),
                _ => {
                    return Err(format!(
                        "invalid byte 0x{:02x} at offset {}",
                        bytes[e.valid_up_to()],
                        e.valid_up_to()
                    ))
                }
            }
        }
    };
    Ok(normalise_newlines(&text))
}

fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let re =
        regex::bytes::Regex::new(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)").expect("valid regex");
    bytes.split(|&b| b == b'\n').take(2).find_map(|line| {
        re.captures(line).map(|c| {
            String::from_utf8_lossy(&c[1])
                .to_ascii_lowercase()
                .replace('_', "-")
        })
    })
}

pub fn normalise_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn normalise_newlines_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' {
            out.push(b'\n');
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(bytes[i]);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_and_declared_latin1() {
        assert_eq!(
            decode(b"\xef\xbb\xbfx = 1\r\ny = 2\r").unwrap(),
            "x = 1\ny = 2\n"
        );
        assert_eq!(
            decode(b"# -*- coding: latin-1 -*-\ns = '\xe9'\n").unwrap(),
            "# -*- coding: latin-1 -*-\ns = '\u{e9}'\n"
        );
        let err = decode(b"s = '\xff'\n").unwrap_err();
        assert!(err.contains("0xff at offset 5"), "{err}");
    }

    #[test]
    fn metadata_header_stops_at_body() {
        let text = "Metadata-Version: 2.1\nName: torch\nVersion: 2.5.0\n\nVersion: 9\n";
        assert_eq!(header_field(text, "version").as_deref(), Some("2.5.0"));
    }
}
