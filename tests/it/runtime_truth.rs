//! The static surface held against the run-time oracle (`tests/it/truth.rs`): for every release
//! with a committed truth, how much of what `import torch` exposes the snapshot's public surface
//! has, and what it has that does not exist; for consecutive releases that both have one,
//! whether what the diff calls removed is gone, and whether what went is reported.
//! `APIDRIFT_TRUTH_VERBOSE=1` prints samples of every miss.

use std::collections::{BTreeMap, BTreeSet};

use apidrift::diff::{self, Change, ChangeKind, Severity};
use apidrift::snapshot::{self, Snapshot};

use crate::truth::{self, Disagreements, Truth};

fn verbose() -> bool {
    std::env::var_os("APIDRIFT_TRUTH_VERBOSE").is_some()
}

/// The store under test: the committed one, or `APIDRIFT_TRUTH_STORE` (a store folder made by
/// `apidrift sync`, to measure a change to extraction before committing its snapshots).
fn store_dir() -> std::path::PathBuf {
    match std::env::var_os("APIDRIFT_TRUTH_STORE") {
        Some(dir) => std::path::PathBuf::from(dir).join("torch"),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/torch"),
    }
}

fn committed(version: &str) -> Option<Snapshot> {
    let p = store_dir().join(format!("{version}.yaml"));
    let text = std::fs::read_to_string(p).ok()?;
    Some(snapshot::from_yaml_str(&text).expect("committed snapshots parse"))
}

/// A ratio with the misses behind it.
#[derive(Default)]
struct Tally {
    total: usize,
    misses: Vec<String>,
    /// Misses a reviewed disagreement covers: neither counted nor missed.
    excused: BTreeSet<String>,
}

impl Tally {
    fn add(&mut self, ok: bool, name: &str, d: &Disagreements, what: impl FnOnce() -> String) {
        if !ok && d.covers(name) {
            self.excused.insert(name.to_string());
            return;
        }
        self.total += 1;
        if !ok {
            self.misses.push(what());
        }
    }

    fn share_ok(&self) -> f64 {
        if self.total == 0 {
            return 1.0;
        }
        1.0 - self.misses.len() as f64 / self.total as f64
    }

    fn show(&self, label: &str) -> String {
        let mut s = format!(
            "{label}: {:.2}% ({} of {} miss)",
            self.share_ok() * 100.0,
            self.misses.len(),
            self.total
        );
        if verbose() {
            for m in self.misses.iter().take(
                std::env::var("APIDRIFT_TRUTH_SAMPLES")
                    .ok()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(40),
            ) {
                s.push_str(&format!("\n      {m}"));
            }
        }
        s
    }
}

struct Coverage {
    modules: Tally,
    exported: Tally,
    top: Tally,
    tensor: Tally,
    /// Names of the public surface the run time does not have.
    phantoms: Tally,
    surface: usize,
}

impl Coverage {
    /// Names the reviewed disagreements excused, in every tally.
    fn excused(&self) -> usize {
        let mut all: BTreeSet<&String> = BTreeSet::new();
        for t in [
            &self.modules,
            &self.exported,
            &self.top,
            &self.tensor,
            &self.phantoms,
        ] {
            all.extend(t.excused.iter());
        }
        all.len()
    }
}

/// Why the snapshot's surface lacks a name (for the verbose report).
fn why_missing(snap: &Snapshot, name: &str) -> String {
    match snap.symbols.get(name) {
        None => match snap.resolve(name) {
            Some((def, _)) => format!("not recorded, resolves to {def}"),
            None => {
                let parent = name.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
                match snap.symbols.get(parent) {
                    Some(p) => format!("absent (parent is {})", p.kind.as_str()),
                    None => "absent (no parent)".to_string(),
                }
            }
        },
        Some(sym) if sym.unlisted => format!("unlisted {}", sym.kind.as_str()),
        Some(sym) => match snap.resolve(name) {
            None => format!("{} to {:?} does not resolve", sym.kind.as_str(), sym.target),
            Some((def, d)) if d.unlisted => format!("resolves to unlisted {def}"),
            Some((def, _)) => format!("{} → {def}, left out", sym.kind.as_str()),
        },
    }
}

/// What the snapshot says of a name the run time lacks (for the verbose report).
fn why_phantom(snap: &Snapshot, name: &str) -> String {
    if !verbose() {
        return name.to_string();
    }
    let record = match snap.symbols.get(name) {
        Some(s) => format!("{} {}", s.kind.as_str(), s.target.as_deref().unwrap_or("")),
        None => match snap.resolve(name) {
            Some((def, s)) => format!("via {def} ({})", s.kind.as_str()),
            None => "?".into(),
        },
    };
    format!("{name}  [{record}]")
}

fn coverage(truth: &Truth, snap: &Snapshot, d: &Disagreements) -> Coverage {
    let surface = diff::Surface::new(snap);
    let has = |n: &str| surface.names.contains_key(n);
    let why = |n: &str| {
        if verbose() {
            format!("{n}  [{}]", why_missing(snap, n))
        } else {
            n.to_string()
        }
    };
    let mut c = Coverage {
        modules: Tally::default(),
        exported: Tally::default(),
        top: Tally::default(),
        tensor: Tally::default(),
        phantoms: Tally::default(),
        surface: surface.names.len(),
    };
    for (m, _) in truth.public_modules() {
        c.modules.add(has(m), m, d, || why(m));
        for n in truth.exported(m) {
            let name = format!("{m}.{n}");
            c.exported.add(has(&name), &name, d, || why(&name));
        }
    }
    let top = &truth.modules["torch"];
    for (n, kind) in &top.names {
        if !n.starts_with('_') && truth.is_package_object("torch", n, *kind) {
            let name = format!("torch.{n}");
            c.top.add(has(&name), &name, d, || why(&name));
        }
    }
    if let Some(t) = truth.class("torch.Tensor") {
        for n in t.members.iter().filter(|n| !n.starts_with('_')) {
            let name = format!("torch.Tensor.{n}");
            c.tensor.add(has(&name), &name, d, || why(&name));
        }
    }
    // The oracle reads classes with `dir()` and drops dunders, and instances are never made:
    // dunder members and instance attributes are beyond what it can confirm.
    for (name, (_, sym)) in &surface.names {
        let last = name.rsplit('.').next().unwrap_or(name);
        let dunder = last.starts_with("__") && last.ends_with("__");
        if sym.instance || (dunder && name.contains('.') && last != "__version__") {
            continue;
        }
        // A missing class is one phantom, not one per member: members of a name the run time
        // lacks are counted with it.
        let parent_missing = name
            .rsplit_once('.')
            .is_some_and(|(p, _)| surface.names.contains_key(p) && truth.knows(p) == Some(false));
        if parent_missing {
            continue;
        }
        if let Some(there) = truth.knows(name) {
            c.phantoms.add(there, name, d, || why_phantom(snap, name));
        }
    }
    c
}

#[test]
fn coverage_and_phantoms_on_every_committed_truth() {
    let mut failures = Vec::new();
    let mut report = String::new();
    let d = Disagreements::load();
    let only = std::env::var("APIDRIFT_TRUTH_ONLY").ok();
    for v in truth::releases() {
        if only.as_ref().is_some_and(|o| *o != v) {
            continue;
        }
        let truth = Truth::load(&v).unwrap_or_else(|e| panic!("{e}"));
        let Some(snap) = committed(&v) else { continue };
        let c = coverage(&truth, &snap, &d);
        let excused = c.excused() as f64 / c.surface as f64;
        if excused > 0.003 {
            failures.push(format!(
                "{v}: the disagreements excuse {} names, {:.2}% of the surface (at most 0.3%)",
                c.excused(),
                excused * 100.0
            ));
        }
        report.push_str(&format!(
            "{v}\n  {}\n  {}\n  {}\n  {}\n  {}\n",
            c.modules.show("modules"),
            c.exported.show("exported names"),
            c.top.show("torch top level"),
            c.tensor.show("torch.Tensor members"),
            c.phantoms.show("surface names present at run time"),
        ));
        report.push_str(&format!(
            "  excused by reviewed disagreements: {} names, {:.2}% of {} surface names\n",
            c.excused(),
            excused * 100.0,
            c.surface
        ));
        for (tally, min, what) in [
            (&c.modules, 1.0, "modules"),
            (&c.exported, 0.97, "exported names"),
            (&c.top, 0.98, "top level"),
            (&c.tensor, 0.985, "torch.Tensor members"),
            (&c.phantoms, 0.997, "non-phantom surface"),
        ] {
            if tally.share_ok() < min {
                failures.push(format!(
                    "{v}: {what} {:.2}% < {:.1}%",
                    tally.share_ok() * 100.0,
                    min * 100.0
                ));
            }
        }
    }
    if only.is_none() {
        for why in d.unused() {
            failures.push(format!("a disagreement covers nothing any more: {why}"));
        }
    }
    eprintln!("{report}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The changes that say a name no longer works here: removed, tombstoned, moved with the old
/// path gone.
fn says_gone(c: &Change) -> bool {
    match c.kind {
        // Whatever the severity: a re-export gone while its definition lives on elsewhere is
        // gone from this path too.
        ChangeKind::Removed | ChangeKind::Tombstoned => true,
        ChangeKind::Moved => !c.shim && c.severity == Severity::Breaking,
        _ => false,
    }
}

#[test]
fn removals_are_true_and_reported_on_consecutive_truths() {
    let releases = truth::releases();
    let mut failures = Vec::new();
    let mut report = String::new();
    let d = Disagreements::load();
    let stored: Vec<String> = {
        let mut v: Vec<String> = std::fs::read_dir(store_dir())
            .unwrap()
            .filter_map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .strip_suffix(".yaml")
                    .map(str::to_string)
            })
            .collect();
        v.sort_by_key(|v| {
            v.split('.')
                .map(|p| p.parse::<u32>().unwrap_or(0))
                .collect::<Vec<_>>()
        });
        v
    };
    for pair in stored.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if !releases.contains(a) || !releases.contains(b) {
            continue;
        }
        let (old_t, new_t) = (Truth::load(a).unwrap(), Truth::load(b).unwrap());
        let (old, new) = (committed(a).unwrap(), committed(b).unwrap());
        let changes = diff::diff(&old, &new).unwrap();
        let mut false_removals = Tally::default();
        let gone: BTreeSet<&str> = changes
            .iter()
            .filter(|c| says_gone(c))
            .flat_map(|c| {
                std::iter::once(c.symbol.as_str()).chain(c.also.iter().map(String::as_str))
            })
            .collect();
        for c in changes
            .iter()
            .filter(|c| says_gone(c) && c.kind != ChangeKind::Tombstoned)
        {
            for name in std::iter::once(&c.symbol).chain(&c.also) {
                false_removals.add(!new_t.present(name), name, &d, || {
                    format!("{} {name}", c.kind.as_str())
                });
            }
        }
        // A base reported removed must no longer be an ancestor.
        let mut false_bases = Tally::default();
        for c in changes
            .iter()
            .filter(|c| c.kind == ChangeKind::BaseRemoved && c.severity == Severity::Breaking)
        {
            let base = c.old.as_deref().unwrap_or_default();
            let still = new_t
                .class(&c.symbol)
                .is_some_and(|k| k.mro.iter().any(|m| m == base));
            false_bases.add(!still, &c.symbol, &d, || {
                format!("{} still derives from {base}", c.symbol)
            });
        }
        // What went at run time: exported names of the old release the new one lacks.
        let mut reported = Tally::default();
        let mut by_module: BTreeMap<String, usize> = BTreeMap::new();
        for (m, _) in old_t.public_modules() {
            for n in old_t.exported(m) {
                let name = format!("{m}.{n}");
                if new_t.present(&name) {
                    continue;
                }
                let covered = std::iter::successors(Some(name.as_str()), |x| {
                    x.rsplit_once('.').map(|(p, _)| p)
                })
                .any(|x| gone.contains(x));
                reported.add(covered, &name, &d, || name.clone());
                if !covered {
                    *by_module.entry(m.clone()).or_default() += 1;
                }
            }
        }
        report.push_str(&format!(
            "{a} → {b}: {} breaking of {} changes\n  {}\n  {}\n  {}\n",
            changes
                .iter()
                .filter(|c| c.severity == Severity::Breaking)
                .count(),
            changes.len(),
            false_removals.show("removals gone at run time"),
            reported.show("run-time removals reported"),
            false_bases.show("removed bases no longer ancestors"),
        ));
        if false_bases.share_ok() < 0.98 {
            failures.push(format!(
                "{a} → {b}: {} removed bases are still ancestors",
                false_bases.misses.len()
            ));
        }
        if false_removals.share_ok() < 0.98 {
            failures.push(format!(
                "{a} → {b}: {:.1}% of reported removals are still present",
                (1.0 - false_removals.share_ok()) * 100.0
            ));
        }
        if reported.share_ok() < 0.95 {
            failures.push(format!(
                "{a} → {b}: {:.1}% of run-time removals reported",
                reported.share_ok() * 100.0
            ));
        }
    }
    eprintln!("{report}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
