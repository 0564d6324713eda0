//! The committed torch snapshots: readable by this build, canonical (writing what was read
//! gives the same bytes), and within the size budget.

use std::path::Path;

use apidrift::snapshot::{self, Kind};

fn committed() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/torch");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn committed_snapshots_are_canonical_and_small() {
    let files = committed();
    // Every final release from 1.6.0 to 2.15.0, as `apidrift sync` stored them (the README
    // says why not the older ones).
    assert!(files.len() >= 43, "{} releases committed", files.len());
    assert!(files.iter().any(|(n, _)| n == "1.6.0.yaml"));
    let total: usize = files.iter().map(|(_, t)| t.len()).sum();
    assert!(
        total < 150_000_000,
        "snapshots/torch is {total} bytes, over the 150 MB budget"
    );
    for (name, text) in files {
        assert!(
            text.len() < 3_500_000,
            "{name} is {} bytes, over the 3.5 MB budget",
            text.len()
        );
        let snap = snapshot::from_yaml_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(format!("{}.yaml", snap.version), name);
        assert_eq!(snap.package, "torch");
        assert_eq!(
            snapshot::to_yaml_string(&snap),
            text,
            "{name} is not what this build writes"
        );
    }
}

#[test]
fn committed_snapshots_know_the_landmarks() {
    let files = committed();
    let load = |v: &str| {
        let (_, text) = files
            .iter()
            .find(|(n, _)| n == &format!("{v}.yaml"))
            .unwrap();
        snapshot::from_yaml_str(text).unwrap()
    };
    let s240 = load("2.4.0");
    let (_, scaler) = s240.resolve("torch.cuda.amp.GradScaler").unwrap();
    assert_eq!(
        scaler.deprecated[0].replacement.as_deref(),
        Some("torch.amp.GradScaler(\"cuda\", args...)")
    );
    let s250 = load("2.5.0");
    let (_, sum) = s250.resolve("torch.Tensor.sum").unwrap();
    assert_eq!(sum.kind, Kind::Method);
    assert!(!sum.signatures.is_empty());
    assert!(
        s250.resolve("torch.add").unwrap().1.signatures.len() >= 3,
        "torch.add keeps its overloads"
    );
    assert_eq!(s250.stability("torch.cond").tier, snapshot::Tier::Prototype);
    assert_eq!(
        s250.symbols["torch.distributed._tensor.DTensor"]
            .target
            .as_deref(),
        Some("torch.distributed.tensor._api.DTensor")
    );
    let s200 = load("2.0.0");
    let (_, symeig) = s200.resolve("torch.symeig").unwrap();
    assert_eq!(
        symeig.tombstone.as_ref().unwrap().replacement.as_deref(),
        Some("torch.linalg.eigh")
    );
}

#[test]
fn committed_diffs_are_current() {
    // Precomputed diffs let `check` load only the two ends of a span; they must be made from
    // these snapshots by this build's diff code, or they are silently unused.
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/torch");
    let dst = dir.path().join("torch");
    std::fs::create_dir_all(dst.join("diffs")).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dst.join(p.file_name().unwrap())).unwrap();
        }
    }
    for entry in std::fs::read_dir(src.join("diffs")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dst.join("diffs").join(p.file_name().unwrap())).unwrap();
    }
    let touched = apidrift::span::refresh_store_diffs(dir.path(), "torch").unwrap();
    assert_eq!(
        touched, 0,
        "snapshots/torch/diffs is stale for this build; run `cargo run --release -- sync torch --diffs-only`"
    );
}

/// What the store's diffs say about the mechanisms that once made most breaking reports false:
/// across the renamed private base of `torch.Tensor` (2.2) no member of it is gone, across the
/// star-import shim of `torch.onnx.symbolic_opset9` (2.9) no name of it is (opset 18 did lose
/// `amax` and others then, as the run time confirms), `torch.__version__`
/// (re-exported as `x as x` since 2.9) never is, and 2.1.2 → 2.2.0 is tens of breaking changes,
/// not thousands. (Tensor members do go in other releases: `is_ort` in 2.4.)
#[test]
fn known_false_removals_stay_gone() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/torch/diffs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        let d: apidrift::span::StoredDiff =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let says_gone = |c: &&apidrift::diff::Change| {
            use apidrift::diff::ChangeKind::*;
            matches!(c.kind, Removed | Tombstoned) || (c.kind == Moved && !c.shim)
        };
        // The pairs where a mechanism struck: the base rename (2.2), the opset shims (2.9).
        let struck = matches!(
            (d.old.as_str(), d.new.as_str()),
            ("2.1.2", "2.2.0") | ("2.8.0", "2.9.0")
        );
        for c in d.changes.iter().filter(says_gone) {
            for name in std::iter::once(&c.symbol).chain(&c.also) {
                let named = name.starts_with("torch.Tensor.")
                    || name.starts_with("torch.onnx.symbolic_opset9.");
                assert!(
                    !(struck && named) && name != "torch.__version__",
                    "{}..{}: `{name}` is reported gone ({:?})",
                    d.old,
                    d.new,
                    c.kind
                );
            }
        }
        if d.old == "2.1.2" && d.new == "2.2.0" {
            let breaking = d
                .changes
                .iter()
                .filter(|c| c.severity == apidrift::diff::Severity::Breaking)
                .count();
            assert!(
                breaking < 100,
                "2.1.2 → 2.2.0 reports {breaking} breaking changes"
            );
        }
        checked += 1;
    }
    assert!(checked >= 27, "{checked} stored diffs");
}
