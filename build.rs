//! Bundles the committed snapshots (`snapshots/<package>/<version>.yaml`) into the binary,
//! compressed, so an installed apidrift works offline anywhere.

use std::io::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=snapshots");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundle.bin");
    let mut entries: Vec<(String, String, u64, Vec<u8>)> = Vec::new();
    if let Ok(packages) = std::fs::read_dir("snapshots") {
        for package in packages.flatten().filter(|e| e.path().is_dir()) {
            println!("cargo:rerun-if-changed={}", package.path().display());
            for file in std::fs::read_dir(package.path())
                .expect("readable snapshot folder")
                .flatten()
            {
                let path = file.path();
                let Some(version) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".yaml"))
                else {
                    continue;
                };
                let bytes = std::fs::read(&path).expect("readable snapshot");
                entries.push((
                    package.file_name().to_string_lossy().into_owned(),
                    version.to_string(),
                    digest(&bytes),
                    gzip(&bytes),
                ));
            }
            // Precomputed consecutive diffs (see `apidrift sync`), bundled under the name
            // `diffs/<old>..<new>`, which is no version.
            let diffs = package.path().join("diffs");
            for file in std::fs::read_dir(&diffs).into_iter().flatten().flatten() {
                let path = file.path();
                let Some(stem) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".json"))
                else {
                    continue;
                };
                let bytes = std::fs::read(&path).expect("readable diff");
                entries.push((
                    package.file_name().to_string_lossy().into_owned(),
                    format!("diffs/{stem}"),
                    0,
                    gzip(&bytes),
                ));
            }
        }
    }
    entries.sort();
    // Layout: count, then per entry: package, name (a version, or `diffs/<old>..<new>`), the
    // digest of a snapshot's uncompressed bytes (u64 LE; 0 for diffs), data; each length-prefixed (u32 LE).
    let mut blob = Vec::new();
    blob.extend((entries.len() as u32).to_le_bytes());
    for (package, version, digest, data) in &entries {
        let digest = digest.to_le_bytes();
        for part in [
            package.as_bytes(),
            version.as_bytes(),
            &digest,
            data.as_slice(),
        ] {
            blob.extend((part.len() as u32).to_le_bytes());
            blob.extend(part);
        }
    }
    std::fs::write(out, blob).expect("writable OUT_DIR");
    diff_fingerprint();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("compressing to memory");
    enc.finish().expect("compressing to memory")
}

// The library's digest, compiled in here too: a bundled release and the same file in a store
// folder must have the same digest. (The build reads whole files: it needs no streaming.)
#[allow(dead_code)]
#[path = "src/util/digest.rs"]
mod stable_digest;
use stable_digest::digest;

/// A fingerprint of the code that shapes a stored diff's data: the diff itself (surface,
/// moves, signatures, the severity policy) and the snapshot model it reads (resolution,
/// stability, the reader). Consumers of diffs (tiers, timelines, the store, rendering in
/// `report`) are left out, so editing them keeps the committed diffs current. A build whose
/// fingerprint differs never reads another's entries, even when the crate version is the same.
fn diff_fingerprint() {
    const SHAPING: &[&str] = &[
        "src/diff/mod.rs",
        "src/diff/names.rs",
        "src/diff/policy.rs",
        "src/diff/signature.rs",
        "src/snapshot/fast.rs",
        "src/snapshot/mod.rs",
        "src/snapshot/yaml.rs",
    ];
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for f in SHAPING {
        println!("cargo:rerun-if-changed={f}");
        parts.push(f.as_bytes().to_vec());
        // Whitespace is left out so that `cargo fmt` alone does not invalidate stored diffs,
        // and so are the unit tests at the end of a file, which shape nothing stored.
        let text = std::fs::read_to_string(f).expect("readable source");
        let code = text.split("\n#[cfg(test)]\nmod ").next().unwrap_or(&text);
        parts.push(code.bytes().filter(|b| !b.is_ascii_whitespace()).collect());
    }
    let fingerprint = stable_digest::digest_parts(parts.iter().map(Vec::as_slice));
    println!("cargo:rustc-env=APIDRIFT_DIFF_FINGERPRINT={fingerprint:016x}");
}
