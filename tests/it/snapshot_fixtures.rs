//! Snapshots of the fixture packages: the reviewed expected output, and the properties that
//! must hold whatever the package (determinism, wheel = directory, CRLF = LF, round trip).

use apidrift::snapshot::{self, Kind, Tier};

use crate::common::*;

#[test]
fn mechanisms_fixture_snapshot() {
    let snap = snapshot_of(&mech_dir(), &mech_options());
    insta::with_settings!(
        { description => "snapshot of fixtures/packages/mechanisms with its profile.yaml" },
        { insta::assert_snapshot!("mechanisms", snapshot::to_yaml_string(&snap)) }
    );
}

#[test]
fn yaml_round_trips() {
    let snap = snapshot_of(&mech_dir(), &mech_options());
    let text = snapshot::to_yaml_string(&snap);
    let back = snapshot::from_yaml_str(&text).unwrap();
    for (name, sym) in &snap.symbols {
        assert_eq!(back.symbols.get(name), Some(sym), "{name}");
    }
    assert_eq!(back, snap);
}

#[test]
fn cli_output_is_deterministic_and_matches_the_library() {
    let dir = mech_dir();
    let profile = dir.join("profile.yaml");
    let args = [
        "snapshot",
        dir.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
    ];
    let first = apidrift(&args);
    let second = apidrift(&args);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(first.stdout, second.stdout);
    // The unparsable fixture file is reported, and the run goes on.
    assert!(
        stderr(&first).contains("warning: skipped `mech/broken.py`: line 4"),
        "{}",
        stderr(&first)
    );
    let lib = snapshot::to_yaml_string(&snapshot_of(&dir, &mech_options()));
    assert_eq!(String::from_utf8(first.stdout).unwrap(), lib);
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/mech.yaml");
    let fixture = mech_dir();
    let profile = fixture.join("profile.yaml");
    let run = apidrift(&[
        "snapshot",
        fixture.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(snapshot::from_yaml_str(&text).is_ok());
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary file may remain: {leftovers:?}"
    );
}

/// A wheel of the fixture, with CRLF line endings as in Windows wheels, gives the same
/// symbols, line numbers included, as the LF directory.
#[test]
fn crlf_wheel_matches_directory() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = dir.path().join("mech-1.2.0-py3-none-any.whl");
    let members: Vec<(String, Vec<u8>)> = tree(&mech_dir())
        .into_iter()
        .filter(|(name, _)| name != "profile.yaml")
        .map(|(name, bytes)| {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let crlf = if name.ends_with(".py") && !name.ends_with("latin.py") {
                text.replace("\r\n", "\n")
                    .replace('\n', "\r\n")
                    .into_bytes()
            } else {
                bytes
            };
            (name, crlf)
        })
        .collect();
    write_wheel(&wheel, &members);
    let from_wheel = snapshot_of(&wheel, &mech_options());
    let from_dir = snapshot_of(&mech_dir(), &mech_options());
    assert_eq!(from_wheel.symbols, from_dir.symbols);
    assert_eq!(from_wheel.skipped, from_dir.skipped);
    assert_eq!(from_wheel.version, "1.2.0");
    assert_eq!(from_wheel.artifact.filename, "mech-1.2.0-py3-none-any.whl");
    let sha = sha256_hex(&std::fs::read(&wheel).unwrap());
    assert_eq!(from_wheel.artifact.sha256, sha);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn lookups_follow_aliases_and_bases() {
    let snap = snapshot_of(&mech_dir(), &mech_options());
    // A member of a private base is listed on the public class and resolves to the base.
    let (name, sum) = snap.resolve("mech.Tensor.sum").unwrap();
    assert_eq!(name, "mech._C.TensorBase.sum");
    assert_eq!(sum.signatures, vec!["(self, dim=None) -> Tensor"]);
    // A subclass of a public class reaches inherited members through `bases`.
    let (name, add) = snap.resolve("mech.core.Parameter.add").unwrap();
    assert_eq!(name, "mech._C.TensorBase.add");
    assert_eq!(add.signatures.len(), 2);
    // Overload-only stub functions are symbols, reached through the runtime-export profile.
    let (name, add) = snap.resolve("mech.add").unwrap();
    assert_eq!(
        (name.as_str(), add.kind, add.signatures.len()),
        ("mech._C.add", Kind::Function, 3)
    );
    // Wrapped aliases resolve to what they wrap.
    assert_eq!(
        snap.resolve("mech.both.conv2d").unwrap().0,
        "mech._C.conv2d"
    );
    assert!(snap.resolve("mech.nope").is_none());
    assert!(snap.resolve("mech.Tensor.nope").is_none());
}

#[test]
fn stability_is_derived_with_evidence() {
    let snap = snapshot_of(&mech_dir(), &mech_options());
    let tier = |n: &str| snap.stability(n).tier;
    assert_eq!(tier("mech.proto.run"), Tier::Prototype);
    assert_eq!(
        tier("mech.Widget"),
        Tier::Beta,
        "an alias takes its target's stated tier"
    );
    assert_eq!(
        tier("mech.sub.mod.Widget.resize"),
        Tier::Beta,
        "members inherit their class's tier"
    );
    assert_eq!(tier("mech.experimental.try_me"), Tier::Experimental);
    assert_eq!(tier("mech._impl.fast.accelerate"), Tier::Private);
    assert_eq!(
        tier("mech.accelerate"),
        Tier::Stable,
        "a public alias of a private definition is public"
    );
    assert_eq!(
        tier("mech.sub.mod.make_widget"),
        Tier::Stable,
        "feature and parameter mentions are not markers"
    );
    assert!(snap
        .stability("mech.experimental.try_me")
        .evidence
        .contains("`mech.experimental`"));
}

#[test]
fn without_a_profile_only_the_source_speaks() {
    // `mech` has no bundled profile: wrapper calls stay attributes and vendored code is kept.
    let snap = snapshot_of(&mech_dir(), &Default::default());
    assert_eq!(snap.profile, None);
    assert_eq!(snap.symbols["mech.both.conv2d"].kind, Kind::Attribute);
    assert!(snap.symbols.contains_key("mech._vendored"));
    let with = snapshot_of(&mech_dir(), &mech_options());
    assert_eq!(with.symbols["mech.both.conv2d"].kind, Kind::Alias);
    assert!(!with.symbols.contains_key("mech._vendored"));
}
