use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use apidrift::extract::{self, profile, Options};
use apidrift::snapshot::Snapshot;

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

pub fn apidrift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apidrift"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("APIDRIFT_NO_CACHE", "1")
        .output()
        .expect("the apidrift binary runs")
}

/// The `mech` fixture package and its test profile.
pub fn mech_dir() -> PathBuf {
    fixture("packages/mechanisms")
}

pub fn mech_options() -> Options {
    let profile = profile::load(&mech_dir().join("profile.yaml")).expect("fixture profile loads");
    Options {
        profile: Some(profile),
        ..Default::default()
    }
}

pub fn snapshot_of(path: &Path, options: &Options) -> Snapshot {
    extract::snapshot_path(path, options).expect("fixture snapshots")
}

/// Every file under `dir` as (relative `/` path, bytes), sorted.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Writes a wheel (a deflate zip) holding `members`.
pub fn write_wheel(path: &Path, members: &[(String, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
