//! One test per rule fixture (`fixtures/rules/<CODE>/`): the two releases are snapshotted into a
//! store of their own, `check` runs over the fixture's user code with every rule selected, and
//! the diagnostics are compared with a reviewed snapshot. Each fixture is its own test, so one
//! failure does not hide another.

use std::path::Path;

use apidrift::extract::{self, Options};
use apidrift::report::{self, Format};
use apidrift::scan::{self, CheckSettings};
use apidrift::snapshot::{self, store::Store};
use apidrift::span::DiffSources;

fn fixture_dir() -> &'static Path {
    Path::new("fixtures/rules")
}

/// The diagnostics of `check` on `fixtures/rules/<code>/code`, 1.0 → 2.0.
fn check_fixture(code: &str) -> String {
    let root = fixture_dir().join(code);
    let store = tempfile::tempdir().unwrap();
    for side in ["old", "new"] {
        let snap = extract::snapshot_path(&root.join(side), &Options::default())
            .unwrap_or_else(|e| panic!("{code}/{side}: {e}"));
        let path = store
            .path()
            .join(&snap.package)
            .join(format!("{}.yaml", snap.version));
        apidrift::util::write_atomically(&path, snapshot::to_yaml_string(&snap).as_bytes())
            .unwrap();
    }
    let settings = CheckSettings {
        paths: vec![root.join("code")],
        from: Some("1.0".into()),
        to: Some("2.0".into()),
        select: vec!["ALL".into()],
        ignore: vec![],
        exclude: vec![],
        store: Store::without_bundle(store.path()),
        package: "lib".into(),
        diffs: DiffSources::default(),
    };
    let report = scan::check(&settings).unwrap_or_else(|e| panic!("{code}: {e}"));
    assert!(report.problems.is_empty(), "{code}: {:?}", report.problems);
    assert!(
        report.findings.iter().any(|f| f.code == code),
        "the {code} fixture has no {code} finding"
    );
    report::emitter(Format::Human { color: false })
        .findings(&report)
        .unwrap()
}

macro_rules! rule_fixtures {
    ($($test:ident => $code:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let text = check_fixture($code);
                insta::with_settings!(
                    { description => format!("check --select ALL on fixtures/rules/{}/code, 1.0 → 2.0", $code) },
                    { insta::assert_snapshot!($code, text) }
                );
            }
        )*

        const LISTED: &[&str] = &[$($code),*];
    };
}

rule_fixtures!(
    ad001_removed_api => "AD001",
    ad002_moved_api => "AD002",
    ad003_deprecated_api => "AD003",
    ad004_call_no_longer_binds => "AD004",
    ad005_behaviour_change => "AD005",
    ad006_unstable_api => "AD006",
    ad007_private_api => "AD007",
    ad008_now_public => "AD008",
);

#[test]
fn every_rule_has_a_listed_fixture_and_every_fixture_a_rule() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert_eq!(dirs, LISTED, "fixture folders and the list above disagree");
    let codes: Vec<&str> = scan::rules::ALL.iter().map(|r| r.code).collect();
    assert_eq!(codes, LISTED, "every rule needs a fixture");
}
