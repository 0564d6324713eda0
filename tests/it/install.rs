//! What installing relies on: shell completions and a `--version` naming the bundled releases.

use apidrift::snapshot::store::{Origin, Store};

use crate::common::{apidrift, stderr};

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = apidrift(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = String::from_utf8(out.stdout).expect("UTF-8 script");
        assert!(script.contains("apidrift"), "{shell}: {script}");
        assert!(script.contains("check"), "{shell} completes no `check`");
    }
    let bash = String::from_utf8(apidrift(&["completions", "bash"]).stdout).unwrap();
    assert!(bash.contains("complete -F"), "{bash}");
    assert!(
        bash.contains("--fail-on"),
        "bash completes no check options"
    );
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = apidrift(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn version_names_the_bundled_releases() {
    let empty = tempfile::tempdir().unwrap();
    let bundled: Vec<String> = Store::new(empty.path())
        .releases("torch")
        .expect("the binary bundles torch releases")
        .into_iter()
        .filter(|r| matches!(r.origin, Origin::Bundled(_)))
        .map(|r| r.version.to_string())
        .collect();
    let (oldest, newest) = (bundled.first().unwrap(), bundled.last().unwrap());
    let out = apidrift(&["--version"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "apidrift {} (bundled torch releases {oldest}–{newest})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}
