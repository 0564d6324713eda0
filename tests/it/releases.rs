//! The diff, on pairs and on properties. Every fixture release pair (`fixtures/releases/<case>/`)
//! is its own test with one reviewed snapshot, so a change kind that misfires on another case's
//! fixture shows up in review and one failure does not hide the others. Properties that can
//! fail: a snapshot and its YAML round trip do not differ, nor do the snapshots of a wheel and of
//! the same wheel unpacked, and a record changed on purpose is reported as exactly that change.

use std::path::{Path, PathBuf};

use apidrift::diff::{self, Change, ChangeKind, Severity};
use apidrift::extract::{self, Options};
use apidrift::snapshot::{self, Deprecation, Kind, Snapshot};

use crate::common::{tree, write_wheel};

fn releases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/releases")
}

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
        if c.shim {
            out.push_str(" shim");
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

fn roundtrip(s: &Snapshot) -> Snapshot {
    snapshot::from_yaml_str(&snapshot::to_yaml_string(s)).expect("a written snapshot reads back")
}

/// diff(x, roundtrip(x)) and diff(roundtrip(x), x): a writer or reader that loses or alters
/// anything the diff compares shows up here.
fn assert_roundtrip_diffs_empty(s: &Snapshot, what: &str) {
    let back = roundtrip(s);
    for (a, b) in [(s, &back), (&back, s)] {
        let changes = diff::diff(a, b).unwrap();
        assert!(changes.is_empty(), "{what}: {:?}", changes.first());
    }
}

fn check_case(case: &str) {
    let old = snap(&releases_dir().join(case).join("old"));
    let new = snap(&releases_dir().join(case).join("new"));
    let changes = diff::diff(&old, &new).unwrap();
    insta::with_settings!(
        { description => format!("diff of fixtures/releases/{case}/old and new") },
        { insta::assert_snapshot!(format!("release_{case}"), render(&changes)) }
    );
    assert_roundtrip_diffs_empty(&old, &format!("{case}/old"));
    assert_roundtrip_diffs_empty(&new, &format!("{case}/new"));
}

macro_rules! release_fixtures {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                check_case(stringify!($case));
            }
        )*

        const LISTED: &[&str] = &[$(stringify!($case)),*];
    };
}

release_fixtures!(
    added,
    alias_of_compiled,
    all_narrowed,
    base_deleted,
    base_removed,
    base_still_ancestor,
    behaviour_changed,
    compared_under_shared_name,
    default_changed,
    demoted,
    deprecated,
    deprecated_parameter_removed,
    deprecation_intent,
    getattr_deprecated_path,
    getattr_listed_removed,
    getattr_member,
    getattr_served,
    implicit_reexport,
    inherited_member_named_at_definer,
    instance_attribute,
    kind_changed,
    made_private,
    message_built,
    moved,
    moved_gone,
    moved_still_bound,
    moved_unrelated_new_package,
    mro_member,
    one_report_per_definition,
    overloads,
    parameter_added_optional,
    parameter_added_required,
    parameter_kind_changed,
    parameter_removed,
    parameter_renamed,
    parameter_reordered,
    positional_only_rename,
    private_handed_over,
    private_lifecycle,
    private_made_public,
    private_promoted,
    promoted,
    removed,
    return_changed,
    same_default,
    singledispatch_overload,
    star_shim,
    stub_imports,
    submodule_attribute,
    sys_modules_redirect,
    tombstone_after_statements,
    tombstoned,
    typing_star_leak,
    undeprecated,
    unlisted_removed,
    version_reexport,
    warned_prototype,
    warning_became_decorator,
);

#[test]
fn every_release_fixture_is_listed() {
    let mut cases: Vec<String> = std::fs::read_dir(releases_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert_eq!(cases, LISTED, "fixture folders and the list above disagree");
}

fn committed() -> Vec<(PathBuf, Snapshot)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/torch");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let s = snapshot::from_yaml_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            out.push((path, s));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn committed_snapshots_and_their_round_trip_do_not_differ() {
    for (path, s) in committed() {
        assert_roundtrip_diffs_empty(&s, &path.display().to_string());
    }
}

#[test]
fn a_wheel_and_the_same_wheel_unpacked_do_not_differ() {
    let pkg = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/packages/mechanisms");
    let options = Options {
        profile: Some(extract::profile::load(&pkg.join("profile.yaml")).unwrap()),
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let wheel = dir.path().join("mech-1.0-py3-none-any.whl");
    write_wheel(&wheel, &tree(&pkg));
    let from_dir = extract::snapshot_path(&pkg, &options).unwrap();
    let from_wheel = extract::snapshot_path(&wheel, &options).unwrap();
    assert!(from_dir.symbols.len() > 50, "the fixture is not trivial");
    for (a, b) in [(&from_dir, &from_wheel), (&from_wheel, &from_dir)] {
        let changes = diff::diff(a, b).unwrap();
        assert!(changes.is_empty(), "{:?}", changes.first());
    }
}

/// The newest committed release, and a public function of it with a parameter, chosen by
/// rule rather than by name: the first in order.
fn subject() -> (Snapshot, String) {
    let (_, s) = committed().pop().expect("committed snapshots");
    let surface = diff::Surface::new(&s);
    let name = surface
        .names
        .iter()
        .find(|(name, (def, sym))| {
            name == def
                && sym.kind == Kind::Function
                && sym.deprecated.is_empty()
                && sym.signatures.len() == 1
                && sym.signatures[0].starts_with("(a")
        })
        .map(|(name, _)| name.to_string())
        .expect("a public function with parameters");
    (s, name)
}

#[test]
fn a_record_changed_on_purpose_is_reported_as_that_change() {
    let (old, name) = subject();
    let sig = old.symbols[&name].signatures[0].clone();
    let first_param = sig[1..]
        .split([',', ')', ':', '='])
        .next()
        .unwrap()
        .trim()
        .to_string();

    // Removed: the record is gone.
    let mut new = old.clone();
    new.symbols.remove(&name);
    let changes = diff::diff(&old, &new).unwrap();
    assert!(
        changes.iter().any(|c| c.kind == ChangeKind::Removed
            && c.symbol == name
            && c.severity == Severity::Breaking),
        "{name}: {changes:?}"
    );

    // Deprecated: a notice appears.
    let mut new = old.clone();
    new.symbols
        .get_mut(&name)
        .unwrap()
        .deprecated
        .push(Deprecation {
            omitted: false,
            instantiation: false,
            when: None,
            unless: None,
            exempt: None,
            parameter: None,
            message: "deprecated".into(),
            replacement: None,
            evidence: "test".into(),
        });
    let changes = diff::diff(&old, &new).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0].kind, changes[0].symbol.as_str()),
        (ChangeKind::Deprecated, name.as_str())
    );

    // A parameter renamed: calls passing it by keyword break.
    let mut new = old.clone();
    let renamed = sig.replacen(&first_param, "renamed_parameter", 1);
    new.symbols.get_mut(&name).unwrap().signatures = vec![renamed];
    let changes = diff::diff(&old, &new).unwrap();
    assert!(
        changes.iter().any(|c| c.symbol == name
            && c.parameter.as_deref() == Some(first_param.as_str())
            && matches!(
                c.kind,
                ChangeKind::ParameterRenamed | ChangeKind::ParameterRemoved
            )),
        "{name} {sig}: {changes:?}"
    );
}

#[test]
fn different_packages_do_not_diff() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let a = snap(&root.join("releases/added/old"));
    let b = extract::snapshot_path(&root.join("packages/mechanisms"), &Options::default()).unwrap();
    let err = diff::diff(&a, &b).unwrap_err().to_string();
    assert!(err.contains("different packages"), "{err}");
}
