//! `diff`, `changelog`, `history` and `tiers` through the binary: output formats reviewed as
//! snapshots, and bad input (one error line, exit 2).

use std::path::{Path, PathBuf};

use crate::common::*;

/// A store holding the old and new side of fixture release pairs, snapshotted by the binary.
fn store_of(cases: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    for case in cases {
        for (side, version) in [("old", "1.0"), ("new", "2.0")] {
            let src = fixture(&format!("releases/{case}/{side}"));
            let out = store
                .join(format!("rel-{case}"))
                .join(format!("{version}.yaml"));
            let run = apidrift(&[
                "snapshot",
                src.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ]);
            assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        }
    }
    (dir, store)
}

fn ok(args: &[&str]) -> String {
    let out = apidrift(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn error(args: &[&str]) -> String {
    let out = apidrift(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "one error line: {err}");
    err
}

#[test]
fn diff_in_every_format() {
    let (_dir, store) = store_of(&["deprecated"]);
    let s = store.to_str().unwrap();
    for format in ["human", "json", "markdown"] {
        let text = ok(&[
            "diff",
            "1.0",
            "2.0",
            "--store",
            s,
            "--package",
            "rel-deprecated",
            "--format",
            format,
        ]);
        insta::with_settings!(
            { description => format!("diff --format {format} of fixtures/releases/deprecated, 1.0 → 2.0") },
            { insta::assert_snapshot!(format!("diff_{format}"), text) }
        );
    }
}

#[test]
fn changelog_history_and_tiers() {
    let (_dir, store) = store_of(&["promoted", "tombstoned"]);
    let s = store.to_str().unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_description(
        "a store of fixtures/releases/promoted (rel-promoted) and tombstoned (rel-tombstoned), 1.0 and 2.0",
    );
    let _guard = settings.bind_to_scope();
    insta::assert_snapshot!(
        "changelog_release",
        ok(&[
            "changelog",
            "--release",
            "2.0",
            "--store",
            s,
            "--package",
            "rel-tombstoned"
        ])
    );
    insta::assert_snapshot!(
        "history_human",
        ok(&[
            "history",
            "rel.solve",
            "--store",
            s,
            "--package",
            "rel-tombstoned"
        ])
    );
    insta::assert_snapshot!(
        "tiers_since",
        ok(&[
            "tiers",
            "1.0",
            "--since",
            "1.0",
            "--store",
            s,
            "--package",
            "rel-promoted"
        ])
    );
    insta::assert_snapshot!(
        "tiers_new",
        ok(&[
            "tiers",
            "2.0",
            "--since",
            "1.0",
            "--store",
            s,
            "--package",
            "rel-promoted"
        ])
    );
    let span = ok(&[
        "diff",
        "--from",
        "1.0",
        "--to",
        "2.0",
        "--store",
        s,
        "--package",
        "rel-promoted",
        "--format",
        "json",
    ]);
    let histories: serde_json::Value = serde_json::from_str(&span).unwrap();
    assert_eq!(histories[0]["symbol"], "rel.cond");
    assert_eq!(histories[0]["events"][0]["kind"], "promoted");
}

#[test]
fn unknown_version_suggests_stored_ones() {
    let (_dir, store) = store_of(&["added"]);
    let err = error(&[
        "diff",
        "1.0",
        "1.5",
        "--store",
        store.to_str().unwrap(),
        "--package",
        "rel-added",
    ]);
    assert!(
        err.contains("`1.5` is not a release") && err.contains("nearest: 1.0, 2.0"),
        "{err}"
    );
}

#[test]
fn unknown_symbol_suggests_near_names() {
    let (_dir, store) = store_of(&["tombstoned"]);
    let err = error(&[
        "history",
        "rel.solv",
        "--store",
        store.to_str().unwrap(),
        "--package",
        "rel-tombstoned",
    ]);
    assert!(err.contains("did you mean `rel.solve`"), "{err}");
}

#[test]
fn snapshots_of_different_packages() {
    let (_dir, store) = store_of(&["added"]);
    let a = store.join("rel-added/1.0.yaml");
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("mech.yaml");
    let run = apidrift(&[
        "snapshot",
        mech_dir().to_str().unwrap(),
        "-o",
        b.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0));
    let err = error(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(err.contains("different packages"), "{err}");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// An error chain printed as `a: b: c` must not repeat a link: a cause both in the message
/// and exposed as the source prints twice.
fn says_its_cause_once(err: &str) {
    let parts: Vec<&str> = err.trim().split(": ").collect();
    for (i, a) in parts.iter().enumerate() {
        assert!(!parts[i + 1..].contains(a), "`{a}` is said twice in: {err}");
    }
}

#[test]
fn unreadable_snapshots() {
    let (_dir, store) = store_of(&["added"]);
    let good = std::fs::read_to_string(store.join("rel-added/1.0.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let other = store.join("rel-added/2.0.yaml");
    let cases = [
        (
            "future.yaml",
            good.replacen(
                &format!("schema: {}", apidrift::snapshot::SCHEMA_VERSION),
                "schema: 7",
                1,
            ),
            "schema 7 is not supported",
        ),
        ("cut.yaml", good[..good.len() / 2].to_string(), "truncated"),
        (
            "junk.yaml",
            format!(
                "schema: {}\npackage: [unclosed\n# end of snapshot\n",
                apidrift::snapshot::SCHEMA_VERSION
            ),
            "not a valid snapshot",
        ),
    ];
    for (name, text, expected) in cases {
        let p = write(dir.path(), name, &text);
        let err = error(&["diff", p.to_str().unwrap(), other.to_str().unwrap()]);
        assert!(
            err.contains(expected) && err.contains(name),
            "{name}: {err}"
        );
        says_its_cause_once(&err);
    }
    // Bytes that are not UTF-8: the reader's complaint, once.
    let p = dir.path().join("latin1.yaml");
    std::fs::write(&p, b"schema: 2\npackage: caf\xe9\n").unwrap();
    let err = error(&["diff", p.to_str().unwrap(), other.to_str().unwrap()]);
    assert!(err.contains("latin1.yaml"), "{err}");
    says_its_cause_once(&err);
    let err = error(&["diff", "missing.yaml", other.to_str().unwrap()]);
    assert!(err.contains("`missing.yaml` does not exist"), "{err}");
}
