//! Every fixture release pair is diffed and the result reviewed as one snapshot per pair, so a
//! change kind that misfires on another case's fixture shows up in review. diff(x, x) is empty
//! for every fixture side and every committed torch snapshot.

use std::path::Path;

use apidrift::diff::{self, Change};
use apidrift::extract::{self, Options};
use apidrift::snapshot::{self, Snapshot};

fn snap(dir: &Path) -> Snapshot {
    extract::snapshot_path(dir, &Options::default())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        out.push_str(&format!(
            "{} {} {}",
            c.severity.as_str(),
            c.kind.as_str(),
            c.symbol
        ));
        for (key, value) in [
            ("parameter", &c.parameter),
            ("old", &c.old),
            ("new", &c.new),
            ("replacement", &c.replacement),
            ("new_symbol", &c.new_symbol),
        ] {
            if let Some(v) = value {
                out.push_str(&format!(" {key}={v:?}"));
            }
        }
        out.push_str(&format!(
            "\n    {}\n",
            apidrift::report::messages::message(c)
        ));
    }
    if out.is_empty() {
        out.push_str("(no changes)\n");
    }
    out
}

fn cases() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/releases");
    let mut cases: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_release_pair() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/releases");
    for case in cases() {
        let old = snap(&root.join(&case).join("old"));
        let new = snap(&root.join(&case).join("new"));
        let changes = diff::diff(&old, &new).unwrap();
        insta::assert_snapshot!(format!("release_{case}"), render(&changes));
        assert!(
            diff::diff(&old, &old).unwrap().is_empty(),
            "{case}: diff(old, old) is not empty"
        );
        assert!(
            diff::diff(&new, &new).unwrap().is_empty(),
            "{case}: diff(new, new) is not empty"
        );
    }
}

#[test]
fn committed_torch_snapshots_have_no_self_diff() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/torch");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let s = snapshot::from_yaml_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let changes = diff::diff(&s, &s).unwrap();
        assert!(
            changes.is_empty(),
            "{}: {:?}",
            path.display(),
            changes.first()
        );
    }
}

#[test]
fn different_packages_do_not_diff() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let a = snap(&root.join("releases/added/old"));
    let b = extract::snapshot_path(&root.join("packages/mechanisms"), &Options::default()).unwrap();
    let err = diff::diff(&a, &b).unwrap_err().to_string();
    assert!(err.contains("different packages"), "{err}");
}
