//! Bad input to `snapshot` and `check`: one clear error naming the input, exit code 2, no panic;
//! a file that cannot be read is reported and the others are still read.

use std::path::Path;

use crate::common::*;

/// Runs `apidrift snapshot PATH` and checks the failure contract; returns the error line.
fn fails(path: &Path, extra: &[&str]) -> String {
    let mut args = vec!["snapshot", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = apidrift(&args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(out.stdout.is_empty(), "nothing may be written on failure");
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one error line, got: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(
        lines[0].contains(name.as_ref()),
        "the error names the input: {err}"
    );
    lines[0].to_string()
}

fn metadata() -> (String, Vec<u8>) {
    (
        "pkg-1.0.dist-info/METADATA".into(),
        b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n".to_vec(),
    )
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(&dir.path().join("nope.whl"), &[]);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn not_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("text.whl");
    std::fs::write(&path, "this is not a zip file").unwrap();
    let err = fails(&path, &[]);
    assert!(err.contains("is not a wheel"), "{err}");
}

#[test]
fn truncated_zip() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.whl");
    write_wheel(
        &good,
        &[
            metadata(),
            ("pkg/__init__.py".into(), b"def f(): pass\n".repeat(200)),
        ],
    );
    let bytes = std::fs::read(&good).unwrap();
    let path = dir.path().join("truncated.whl");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = fails(&path, &[]);
    assert!(err.contains("is not a wheel"), "{err}");
}

#[test]
fn corrupt_member_fails_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.whl");
    let source = "def f():\n    return 1\n".repeat(500);
    write_wheel(
        &path,
        &[metadata(), ("pkg/__init__.py".into(), source.into_bytes())],
    );
    let mut bytes = std::fs::read(&path).unwrap();
    // Flip bytes inside the deflate stream of the second member (after its local header).
    let at = find(&bytes, b"pkg/__init__.py").unwrap() + 40;
    for b in &mut bytes[at..at + 8] {
        *b ^= 0x55;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = fails(&path, &[]);
    assert!(
        err.contains("is corrupt") && err.contains("pkg/__init__.py"),
        "{err}"
    );
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn wheel_without_dist_info() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nometa.whl");
    write_wheel(&path, &[("pkg/__init__.py".into(), b"x = 1\n".to_vec())]);
    let err = fails(&path, &[]);
    assert!(err.contains("dist-info"), "{err}");
}

#[test]
fn zip_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.whl");
    // 80 MiB of spaces deflate to a few tens of KiB; the per-member cap is 64 MiB.
    let bomb = vec![b' '; 80 << 20];
    write_wheel(&path, &[metadata(), ("pkg/__init__.py".into(), bomb)]);
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let err = fails(&path, &[]);
    assert!(err.contains("zip bomb"), "{err}");
}

#[test]
fn non_utf8_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin.whl");
    write_wheel(
        &path,
        &[
            metadata(),
            ("pkg/__init__.py".into(), b"s = '\xff\xfe'\n".to_vec()),
        ],
    );
    let err = fails(&path, &[]);
    assert!(
        err.contains("pkg/__init__.py") && err.contains("not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn wheel_without_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.whl");
    write_wheel(
        &path,
        &[
            metadata(),
            ("other/__init__.py".into(), b"x = 1\n".to_vec()),
        ],
    );
    let err = fails(&path, &["--package", "pkg"]);
    assert!(err.contains("no `pkg/` package"), "{err}");
}

#[test]
fn directory_without_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site-packages");
    std::fs::create_dir_all(root.join("pkg-1.0.dist-info")).unwrap();
    std::fs::write(root.join("pkg-1.0.dist-info/METADATA"), metadata().1).unwrap();
    let err = fails(&root, &[]);
    assert!(err.contains("no `pkg/` package"), "{err}");
}

#[test]
fn directory_without_dist_info() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bare");
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/__init__.py"), "x = 1\n").unwrap();
    let err = fails(&root, &[]);
    assert!(err.contains("dist-info"), "{err}");
}

#[test]
fn several_distributions_need_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    for (dist, pkg) in [("alpha-1.0", "alpha"), ("beta-2.0", "beta")] {
        std::fs::create_dir_all(root.join(format!("{dist}.dist-info"))).unwrap();
        let name = dist.split('-').next().unwrap();
        let version = dist.split('-').nth(1).unwrap();
        std::fs::write(
            root.join(format!("{dist}.dist-info/METADATA")),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"),
        )
        .unwrap();
        std::fs::create_dir_all(root.join(pkg)).unwrap();
        std::fs::write(root.join(pkg).join("__init__.py"), "def f(): pass\n").unwrap();
    }
    let err = fails(&root, &[]);
    assert!(err.contains("--package"), "{err}");
    // With a choice, the right distribution's version is used.
    let out = apidrift(&["snapshot", root.to_str().unwrap(), "--package", "beta"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("version: \"2.0\"") && text.contains("beta.f:"),
        "{text}"
    );
}

#[test]
fn invalid_profile() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("bad-profile.yaml");
    std::fs::write(&profile, "name: x\npackage: mech\nunknown_key: 1\n").unwrap();
    let fixture = mech_dir();
    let out = apidrift(&[
        "snapshot",
        fixture.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: profile") && err.contains("bad-profile.yaml"),
        "{err}"
    );
}

/// Sources nested deeper than CPython accepts, each paired with what the refusal says.
fn too_deep() -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "unary.py",
            format!("x = {}1\n", "-".repeat(200_000)),
            "nested 3000 deep",
        ),
        (
            "lists.py",
            format!("x = {}{}\n", "[".repeat(50_000), "]".repeat(50_000)),
            "too many nested parentheses",
        ),
        (
            "sums.py",
            format!("x = {}\n", vec!["1"; 100_000].join("+")),
            "nested 3000 deep",
        ),
    ]
}

#[test]
fn deep_nesting_is_a_per_file_error_in_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::create_dir_all(dir.path().join("pkg-1.0.dist-info")).unwrap();
    std::fs::write(dir.path().join(metadata().0), metadata().1).unwrap();
    std::fs::write(pkg.join("__init__.py"), "def kept(x):\n    return x\n").unwrap();
    for (name, source, _) in too_deep() {
        std::fs::write(pkg.join(name), source).unwrap();
    }
    let out = apidrift(&["snapshot", dir.path().to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let yaml = String::from_utf8(out.stdout).unwrap();
    assert!(
        yaml.contains("pkg.kept"),
        "the other files are read: {yaml}"
    );
    for (name, _, expected) in too_deep() {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("pkg/{name}")))
            .unwrap_or_else(|| panic!("{name} is not reported: {err}"));
        assert!(line.contains(expected) && line.contains("line 1"), "{line}");
        assert!(
            yaml.contains(&format!("pkg/{name}")),
            "{name} is listed as skipped"
        );
    }
}

#[test]
fn deep_nesting_is_a_per_file_error_in_check() {
    let dir = tempfile::tempdir().unwrap();
    for (name, source, _) in too_deep() {
        std::fs::write(dir.path().join(name), format!("import torch\n{source}")).unwrap();
    }
    std::fs::write(dir.path().join("ok.py"), "import torch\ntorch.symeig(1)\n").unwrap();
    let out = apidrift(&[
        "check",
        dir.path().to_str().unwrap(),
        "--from",
        "2.0.0",
        "--to",
        "2.1.0",
        "--format",
        "json",
    ]);
    // ok.py is checked (its `torch.symeig` always raises): its finding, not the deep files,
    // sets the exit code.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 3, "{problems:?}");
    for (name, _, expected) in too_deep() {
        let p = problems
            .iter()
            .find(|p| p["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name}: {problems:?}"));
        let message = p["message"].as_str().unwrap();
        assert!(
            message.contains(expected) && message.contains("line 2"),
            "{message}"
        );
    }
    assert_eq!(report["files"], 4, "every file was checked");
}
