//! `check` on fixture projects: the reviewed diagnostics in every output format, the SARIF
//! output validated against the official schema, exit codes, and bad input.

use std::path::Path;
use std::process::{Command, Output};

fn check_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apidrift"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // The diff cache has its own test; elsewhere it must not leak between tests.
        .env("APIDRIFT_NO_CACHE", "1")
        .output()
        .expect("the apidrift binary runs")
}

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check")
}

fn text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn every_rule_and_binding_form_in_every_format() {
    for format in ["human", "json", "github", "sarif"] {
        let out = check_in(&fixtures(), &["project", "--format", format]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "errors fail the run: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        insta::with_settings!(
            { description => format!("check --format {format} on fixtures/check/project (bundled torch releases)") },
            { insta::assert_snapshot!(format!("check_{format}"), text(&out)) }
        );
    }
}

#[test]
fn sarif_output_is_valid_against_the_official_schema() {
    let out = check_in(&fixtures(), &["project", "--format", "sarif"]);
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("../sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(doc["runs"][0]["results"].as_array().unwrap().len() >= 10);
}

#[test]
fn fail_on_and_clean_exit() {
    let out = check_in(&fixtures(), &["project", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0));
    // Only the negatives: nothing to report.
    let out = check_in(
        &fixtures(),
        &["project/negatives.py", "--from", "2.4.0", "--to", "2.6.0"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("2.4.0 → 2.6.0: 0 findings in 1 file"),
        "{}",
        text(&out)
    );
}

#[test]
fn broken_files_are_reported_and_the_rest_is_checked() {
    // A copy of the broken fixture, with a symlink loop made here (a committed one would
    // trouble every tool that walks the repository).
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    for entry in std::fs::read_dir(fixtures().join("broken")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, broken.join(p.file_name().unwrap())).unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(".", broken.join("loop")).unwrap();
    let out = check_in(dir.path(), &["broken", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "broken files are reported, not failed on: good.py's warning sets the code (0 at the default --fail-on error)"
    );
    let doc: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        1,
        "good.py is still checked"
    );
    let problems: Vec<String> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{}: {}", p["path"], p["message"]))
        .collect();
    let all = problems.join("\n");
    for expected in [
        "syntax error at line 1, column 12",
        "not valid UTF-8",
        "binary file",
        "not a valid notebook",
        "loop",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
    assert_eq!(doc["unchecked"], 5, "{all}");
    // With nothing left to check, the tool could not do its job.
    std::fs::remove_file(broken.join("good.py")).unwrap();
    let out = check_in(dir.path(), &["broken"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("error: not a valid notebook"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_notebook_with_broken_cells_is_checked_in_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let cells = [
        "%%bash\nls -l",
        "import torch\n!pip install x \\\n  y\nfiles = !ls",
        "def broken(:",
        "torch.symeig(a)",
        "also broken(",
    ];
    let nb = serde_json::json!({
        "cells": cells.iter().map(|c| serde_json::json!({"cell_type": "code", "source": c})).collect::<Vec<_>>(),
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5
    });
    std::fs::write(dir.path().join("nb.ipynb"), nb.to_string()).unwrap();
    let out = check_in(
        dir.path(),
        &["nb.ipynb", "--from", "2.0.0", "--to", "2.1.0"],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    // The magics are no syntax error, the `%%bash` cell no Python; the two broken cells are
    // one warning, and cells 2 and 4 are checked.
    assert!(t.contains("nb.ipynb: warning: code cells 3, 5 skipped, the other 2 checked; first, syntax error at cell 3"), "{t}");
    assert!(t.contains("error[AD001 removed-api] `torch.symeig`"), "{t}");
    assert!(t.contains("1 checked in part"), "{t}");
}

#[test]
fn unknown_release_suggests_stored_ones() {
    let out = check_in(&fixtures(), &["project", "--from", "2.4.7"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("`2.4.7` is not a release of `torch`")
            && err.contains("nearest: 2.4.1, 2.5.0"),
        "{err}"
    );
}

#[test]
fn contradictory_pins_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("uv.lock"),
        "[[package]]\nname = \"torch\"\nversion = \"2.4.0\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Pipfile.lock"),
        r#"{"default": {"torch": {"version": "==2.5.0"}}}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("a.py"), "import torch\n").unwrap();
    let out = check_in(dir.path(), &["."]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("contradictory pins of `torch`"), "{err}");
}

#[test]
fn no_declaration_asks_for_from() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.py"), "import torch\n").unwrap();
    let out = check_in(dir.path(), &["."]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("pass `--from VERSION`"), "{err}");
}

#[test]
fn rules_are_documented() {
    let out = Command::new(env!("CARGO_BIN_EXE_apidrift"))
        .args(["rule", "AD005"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = String::from_utf8(out.stdout).unwrap();
    assert!(
        doc.starts_with("# AD005 (behaviour-change)") && doc.contains("## What it does"),
        "{doc}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_apidrift"))
        .args(["rule", "AD999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn precomputed_and_cached_diffs_change_nothing_but_time() {
    // A store folder whose 2.4.1 differs from the bundled one in its bytes (not its API): the
    // bundled diffs around it no longer match, so those two are computed and cached; the
    // other four come from the bundle.
    let store = tempfile::tempdir().unwrap();
    let folder = store.path().join("torch");
    std::fs::create_dir_all(&folder).unwrap();
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/torch/2.4.1.yaml"),
    )
    .unwrap();
    let renamed = original.replacen("-macosx_11_0_arm64.whl", "-macosx_11_0_arm64-copy.whl", 1);
    assert_ne!(renamed, original);
    std::fs::write(folder.join("2.4.1.yaml"), renamed).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |reuse: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apidrift"));
        c.args([
            "check", "project", "--from", "2.3.0", "--to", "2.6.0", "--format", "json",
        ])
        .arg("--store")
        .arg(store.path())
        .current_dir(fixtures())
        .env("APIDRIFT_CACHE_DIR", cache.path());
        if !reuse {
            c.env("APIDRIFT_NO_CACHE", "1");
        }
        c.output().unwrap()
    };
    let computed = run(false);
    assert!(
        !cache.path().join("v1").exists(),
        "APIDRIFT_NO_CACHE writes nothing"
    );
    let cold = run(true);
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(cache.path().join("v1/diffs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    // 2.4.0 → 2.4.1 and 2.4.1 → 2.5.0.
    assert_eq!(files.len(), 2, "{files:?}");
    let warm = run(true);
    // A damaged entry is a miss, recomputed and rewritten.
    std::fs::write(&files[0], b"{not json").unwrap();
    let repaired = run(true);
    assert!(std::fs::read(&files[0]).unwrap().starts_with(b"{\n"));
    assert_eq!(computed.status.code(), Some(1));
    assert!(text(&computed).contains("AD00"), "{}", text(&computed));
    for out in [&cold, &warm, &repaired] {
        assert_eq!(out.status.code(), computed.status.code());
        assert_eq!(text(out), text(&computed));
    }
}

#[test]
fn repeated_findings_are_grouped_and_statistics_count_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut code = String::from("import torch\n");
    for _ in 0..7 {
        code.push_str("s = torch.cuda.amp.GradScaler()\n");
    }
    code.push_str("torch.symeig(a)\n");
    std::fs::write(dir.path().join("train.py"), code).unwrap();
    let span = ["train.py", "--from", "2.3.0", "--to", "2.4.0"];
    let out = check_in(dir.path(), &span);
    let t = text(&out);
    // Five of the seven in full, the other two counted; the one symeig shown.
    assert_eq!(t.matches("warning[AD003 deprecated-api]").count(), 5, "{t}");
    assert!(
        t.contains(
            "note: 2 more [AD003] warning findings of `torch.cuda.amp.GradScaler` not shown"
        ),
        "{t}"
    );
    assert!(
        t.contains("8 findings in 1 file (1 error, 7 warning, 0 info)"),
        "{t}"
    );
    let out = check_in(dir.path(), &[&span[..], &["--statistics"]].concat());
    let t = text(&out);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(
        lines[0], "7  AD003  [warning]  torch.cuda.amp.GradScaler",
        "{t}"
    );
    assert_eq!(lines[1], "1  AD001  [error]  torch.symeig", "{t}");
    assert_eq!(out.status.code(), Some(1), "the exit code is the check's");
}

#[test]
fn carets_sit_under_tab_indented_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tabs.py"),
        "import torch\nif ready:\n\ts = torch.cuda.amp.GradScaler()\n",
    )
    .unwrap();
    let out = check_in(dir.path(), &["tabs.py", "--from", "2.3.0", "--to", "2.4.0"]);
    let t = text(&out);
    // The tab is repeated under the tab, spaces under the rest: `torch` is the sixth character.
    assert!(
        t.contains("3 | \ts = torch.cuda.amp.GradScaler()\n  | \t    ^^^^^^^^^^^^^^^^^^^^^^^^^\n"),
        "{t}"
    );
}

#[test]
fn a_sub_project_is_checked_from_what_it_declares() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("serving")).unwrap();
    std::fs::write(root.join("requirements.txt"), "torch==2.3.0\n").unwrap();
    std::fs::write(root.join("serving/requirements.txt"), "torch==2.6.0\n").unwrap();
    let code = "import torch\nstate = torch.load('ckpt.pt')\n";
    std::fs::write(root.join("train.py"), code).unwrap();
    std::fs::write(root.join("serving/app.py"), code).unwrap();
    let out = check_in(root, &[".", "--to", "2.7.0", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["from"], "2.3.0", "{report}");
    assert_eq!(report["subprojects"][0]["path"], "serving", "{report}");
    assert_eq!(report["subprojects"][0]["from"], "2.6.0", "{report}");
    // `weights_only`'s default flipped in 2.6.0: inside the span of the root's files, before
    // the sub-project's.
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AD005")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["train.py"], "{report}");
}

#[test]
fn an_unreadable_sub_project_declaration_is_its_folder_problem() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("tuning")).unwrap();
    std::fs::write(root.join("requirements.txt"), "torch==2.3.0\n").unwrap();
    // A conda pin, not a PEP 440 requirement.
    std::fs::write(root.join("tuning/requirements.txt"), "torch=2.1.0=pypi_0\n").unwrap();
    let code = "import torch\nstate = torch.load('ckpt.pt')\n";
    std::fs::write(root.join("train.py"), code).unwrap();
    std::fs::write(root.join("tuning/run.py"), code).unwrap();
    let out = check_in(root, &[".", "--to", "2.7.0", "--format", "json"]);
    // Warnings only (below the default `--fail-on error`), and no tool error: the project was
    // checked.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["from"], "2.3.0", "{report}");
    assert!(report.get("subprojects").is_none(), "{report}");
    assert_eq!(report["problems"][0]["path"], "tuning", "{report}");
    assert!(
        report["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("tuning/requirements.txt"),
        "{report}"
    );
    // Both files are checked, from the project's release.
    let mut paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AD005")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["train.py", "tuning/run.py"], "{report}");
    assert_eq!(report["unchecked"], 0, "{report}");
}

/// Each finding of a JSON report as (path, line, symbol), in report order.
/// `check pkg` over 2.0.0 → 2.15.0 in `dir`, as JSON.
fn check_pkg_json(dir: &std::path::Path) -> serde_json::Value {
    let out = check_in(
        dir,
        &[
            "pkg", "--from", "2.0.0", "--to", "2.15.0", "--format", "json",
        ],
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn located(report: &serde_json::Value) -> Vec<(&str, u64, &str)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["symbol"].as_str().unwrap(),
            )
        })
        .collect()
}

#[test]
fn torch_bound_through_a_star_import_of_a_project_module_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("__init__.py"), "").unwrap();
    // No `__all__`: `from .common import *` brings `torch` along.
    std::fs::write(pkg.join("common.py"), "import torch\n").unwrap();
    // An `__all__` without it: the star import brings `helper` only.
    std::fs::write(
        pkg.join("restricted.py"),
        "import torch\n__all__ = ['helper']\n\ndef helper():\n    pass\n",
    )
    .unwrap();
    std::fs::write(
        pkg.join("layers.py"),
        "from .common import *\n\nm = torch.jit.script(f)\n",
    )
    .unwrap();
    std::fs::write(
        pkg.join("other.py"),
        "from .restricted import *\n\nm = torch.jit.script(f)\n",
    )
    .unwrap();
    let report = check_pkg_json(dir.path());
    let found = located(&report);
    // `torch.jit.script` is deprecated in 2.10.0.
    assert_eq!(
        found,
        [("pkg/layers.py", 3, "torch.jit.script")],
        "{report}"
    );
}

#[test]
fn names_re_exported_by_project_modules_and_methods_on_annotated_values() {
    let dir = tempfile::tempdir().unwrap();
    let core = dir.path().join("pkg").join("core");
    std::fs::create_dir_all(&core).unwrap();
    std::fs::write(dir.path().join("pkg").join("__init__.py"), "").unwrap();
    // A chain: `pkg.core` re-exports `_backend`'s alias of `torch.Tensor`.
    std::fs::write(
        core.join("_backend.py"),
        "import torch\n\nTensor = torch.Tensor\n",
    )
    .unwrap();
    std::fs::write(
        core.join("__init__.py"),
        "from ._backend import Tensor\nfrom torch.cuda.amp import custom_fwd\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pkg").join("geo.py"),
        "from pkg.core import Tensor, custom_fwd\n\ndef normal(p0: Tensor, p1: Tensor, p2: Tensor):\n    v0, v1 = p2 - p0, p1 - p0\n    a = v0.cross(v1)\n    b = v0.cross(v1, dim=-1)\n    return a, b\n\n@custom_fwd\ndef forward(ctx, x):\n    return x\n",
    )
    .unwrap();
    // A property annotated with the re-exported class, used above its definition.
    std::fs::write(
        dir.path().join("pkg").join("quat.py"),
        "from pkg.core import Tensor\n\nclass Q:\n    def __mul__(self, r):\n        return self.vec.cross(r.vec)\n\n    @property\n    def vec(self) -> Tensor:\n        return self.data\n",
    )
    .unwrap();
    let report = check_pkg_json(dir.path());
    let found = located(&report);
    // `Tensor.cross` without `dim` warns since 2.2 (the profile's compiled notice), and
    // `torch.cuda.amp.custom_fwd` is deprecated in 2.4: where it is imported from torch, and
    // where the decorator calls it; the call passing `dim` is fine.
    assert_eq!(
        found,
        [
            ("pkg/core/__init__.py", 2, "torch.cuda.amp.custom_fwd"),
            ("pkg/geo.py", 5, "torch.Tensor.cross"),
            ("pkg/geo.py", 9, "torch.cuda.amp.custom_fwd"),
            ("pkg/quat.py", 5, "torch.Tensor.cross"),
        ],
        "{report}"
    );
}

#[test]
fn an_api_added_and_removed_inside_the_span_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    // `dynamo_export` came after 2.0.0 and is gone before 2.15.0: neither end has it.
    std::fs::write(
        dir.path().join("export.py"),
        "import torch\nout = torch.onnx.dynamo_export(model, x)\n",
    )
    .unwrap();
    let out = check_in(
        dir.path(),
        &[
            "export.py",
            "--from",
            "2.0.0",
            "--to",
            "2.15.0",
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["symbol"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("AD001", "torch.onnx.dynamo_export")], "{report}");
    // 2.0.0 has no record to take a replacement from; the removal names the one that 2.7.0's
    // deprecation gave.
    assert_eq!(
        report["findings"][0]["fix"], "torch.onnx.export(..., dynamo=True)",
        "{report}"
    );
}
