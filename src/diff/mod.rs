//! What changed between two releases: a list of [`Change`] records.
//!
//! The unit of comparison is the public surface: every public name, resolved through aliases
//! to the definition it reaches, plus the members of classes reached through an alias
//! (`torch.Tensor.sum`). A definition reached by several public names is compared once and
//! reported under its shortest public name; removals are reported per name (each import path
//! breaks on its own), but not for members of something already reported removed.

mod names;
pub mod policy;
pub mod signature;
pub mod tiers;
pub mod timeline;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};

use serde::{Deserialize, Serialize};

use crate::snapshot::{is_private_name, split_parent, Kind, Snapshot, Symbol, Tier};
use policy::Facts;
use signature::Signature;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Removed,
    Unexported,
    Tombstoned,
    Moved,
    KindChanged,
    BaseRemoved,
    ParameterRemoved,
    ParameterRenamed,
    ParameterReordered,
    ParameterAddedRequired,
    ParameterKindChanged,
    DefaultChanged,
    ReturnChanged,
    BehaviourChanged,
    Deprecated,
    Undeprecated,
    Promoted,
    Demoted,
    ParameterAddedOptional,
    Added,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Removed => "removed",
            ChangeKind::Unexported => "unexported",
            ChangeKind::Tombstoned => "tombstoned",
            ChangeKind::Moved => "moved",
            ChangeKind::KindChanged => "kind-changed",
            ChangeKind::BaseRemoved => "base-removed",
            ChangeKind::ParameterRemoved => "parameter-removed",
            ChangeKind::ParameterRenamed => "parameter-renamed",
            ChangeKind::ParameterReordered => "parameter-reordered",
            ChangeKind::ParameterAddedRequired => "parameter-added-required",
            ChangeKind::ParameterKindChanged => "parameter-kind-changed",
            ChangeKind::DefaultChanged => "default-changed",
            ChangeKind::ReturnChanged => "return-changed",
            ChangeKind::BehaviourChanged => "behaviour-changed",
            ChangeKind::Deprecated => "deprecated",
            ChangeKind::Undeprecated => "undeprecated",
            ChangeKind::Promoted => "promoted",
            ChangeKind::Demoted => "demoted",
            ChangeKind::ParameterAddedOptional => "parameter-added-optional",
            ChangeKind::Added => "added",
        }
    }

    pub fn is_signature(self) -> bool {
        use ChangeKind::*;
        matches!(
            self,
            ParameterRemoved
                | ParameterRenamed
                | ParameterReordered
                | ParameterAddedRequired
                | ParameterKindChanged
                | DefaultChanged
                | ReturnChanged
                | ParameterAddedOptional
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Breaking,
    Deprecation,
    Behaviour,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::Deprecation => "deprecation",
            Severity::Behaviour => "behaviour",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub severity: Severity,
    pub symbol: String,
    pub old_version: String,
    pub new_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// What it was and what it is (a signature, a default, a tier, a kind), where that applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// For moves, and removed re-exports whose definition is still public: where the
    /// definition is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_symbol: Option<String>,
    /// For moves: the old path still re-exports the new definition.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shim: bool,
    /// For removals: the other public names of the same definition, gone with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// For removed class members: the class's `__getattr__`, which instances may still get
    /// the name from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub served_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("the snapshots are of different packages (`{old}` and `{new}`); diff releases of one package")]
    DifferentPackages { old: String, new: String },
}

pub use names::Names;

/// Public names of a snapshot, each with the definition it resolves to.
pub struct Surface<'a> {
    pub snap: &'a Snapshot,
    /// With each name, whether its module's `__all__` leaves it (or a name it is inside) out:
    /// importable, but not the module's API.
    pub names: Names<'a>,
    /// definition name → the index in `names` of its shortest public name
    preferred: FxHashMap<&'a str, usize>,
}

impl<'a> Surface<'a> {
    pub fn new(snap: &'a Snapshot) -> Self {
        // A name a module's `__all__` leaves out is not its API, and neither are its members.
        let marked: FxHashSet<&str> = snap
            .symbols
            .iter()
            .filter(|(_, s)| s.unlisted)
            .map(|(n, _)| n.as_str())
            .collect();
        let unlisted = |name: &str| {
            !marked.is_empty()
                && std::iter::successors(Some(name), |n| split_parent(n).map(|(p, _)| p))
                    .any(|n| marked.contains(n))
        };
        let public: Vec<(&'a String, &'a Symbol)> = snap
            .symbols
            .iter()
            .filter(|(n, _)| !is_private_name(n))
            .collect();
        let bytes = public.iter().map(|(n, _)| n.len()).sum();
        let mut names = Names::with_capacity(public.len(), bytes);
        let mut classes: Vec<(&'a str, &'a str, bool)> = Vec::new();
        for (name, record) in public {
            // Most records are definitions: they resolve to themselves.
            let resolved = match record.points_to() {
                Some(target) if target != name => snap.resolve_key(name),
                _ => Some((name.as_str(), record)),
            };
            let Some((def, sym)) = resolved else {
                continue;
            };
            let unlisted = unlisted(name);
            if sym.kind == Kind::Class {
                classes.push((name, def, unlisted));
            }
            names.insert_new(name, (def, sym), unlisted);
        }
        // A class's members are what attribute lookup finds through its MRO, whatever its
        // bases are called and wherever a member is stored: `torch.Tensor.sum` is declared on
        // `torch._C.TensorBase`, and is `torch.Tensor`'s all the same.
        let mut members = MemberCache::default();
        // Reserved at once: growing this much copies it, into memory the kernel must clear
        // first, and that was a good part of a diff's time.
        let (mut count, mut bytes) = (0, 0);
        for (name, def, _) in &classes {
            let list = members.of(snap, def);
            count += list.len();
            bytes += list.len() * (name.len() + 1) + list.iter().map(|m| m.0.len()).sum::<usize>();
        }
        names.reserve(count, bytes);
        let mut public = String::new();
        for (name, def, unlisted) in classes {
            for &(last, found, own) in members.of(snap, def).iter() {
                let inherited_dunder = !own && is_dunder(last) && last != "__call__";
                if crate::snapshot::is_private_component(last) || inherited_dunder {
                    continue;
                }
                let Some(found) = found else {
                    continue;
                };
                public.clear();
                public.push_str(name);
                public.push('.');
                public.push_str(last);
                // A name the module binds itself keeps its own record.
                names.insert_member(&public, found, unlisted, !own);
            }
        }
        names.sort();
        // An exported name before an unlisted one, then a member under the class that
        // defines it before one it inherits (`LRScheduler.print_lr`, not `SWALR.print_lr`),
        // then the shortest path, then the first. By record, which stands for its definition
        // and is cheaper to hash than its name.
        type Best<'a> = (&'a str, (bool, bool, usize, usize), usize);
        let mut best: FxHashMap<*const Symbol, Best<'a>> = FxHashMap::default();
        for (i, (name, &(def, sym))) in names.iter().enumerate() {
            let rank = (
                names.unlisted_at(i),
                names.inherited_at(i),
                name.bytes().filter(|b| *b == b'.').count(),
                name.len(),
            );
            best.entry(sym as *const Symbol)
                .and_modify(|current| {
                    if rank < current.1 {
                        *current = (def, rank, i);
                    }
                })
                .or_insert((def, rank, i));
        }
        let preferred: FxHashMap<&'a str, usize> =
            best.into_values().map(|(def, _, i)| (def, i)).collect();
        Surface {
            snap,
            names,
            preferred,
        }
    }

    /// Definition → its shortest public name, over module-level names and the own members
    /// of classes reached through an alias (`torch.Tensor.sum` via `torch._tensor.Tensor`),
    /// without the members inherited through bases: what `check` needs to tell that a
    /// private path has a public home, at a fraction of the cost of a whole surface.
    pub fn preferred_names(snap: &Snapshot) -> HashMap<String, String> {
        let mut names: Vec<(String, String, bool)> = Vec::new();
        let unlisted_chain = |name: &str| {
            let mut n = name;
            loop {
                if snap.symbols.get(n).is_some_and(|s| s.unlisted) {
                    return true;
                }
                match split_parent(n) {
                    Some((p, _)) => n = p,
                    None => return false,
                }
            }
        };
        for name in snap.symbols.keys().filter(|n| !is_private_name(n)) {
            let Some((def, sym)) = snap.resolve(name) else {
                continue;
            };
            let unlisted = unlisted_chain(name);
            if sym.kind == Kind::Class && def != *name {
                let prefix = format!("{def}.");
                for member in snap
                    .symbols
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(k, _)| k)
                {
                    let last = &member[prefix.len()..];
                    if last.contains('.') || crate::snapshot::is_private_component(last) {
                        continue;
                    }
                    if let Some((mdef, _)) = snap.resolve(member) {
                        names.push((format!("{name}.{last}"), mdef, unlisted));
                    }
                }
            }
            names.push((name.clone(), def, unlisted));
        }
        let mut preferred: FxHashMap<String, (bool, usize, String)> = FxHashMap::default();
        for (name, def, unlisted) in names {
            let rank = (unlisted, name.matches('.').count(), name);
            match preferred.get(&def) {
                Some(current)
                    if (current.0, current.1, current.2.len(), &current.2)
                        <= (rank.0, rank.1, rank.2.len(), &rank.2) => {}
                _ => {
                    preferred.insert(def, rank);
                }
            }
        }
        preferred.into_iter().map(|(d, (_, _, n))| (d, n)).collect()
    }

    pub fn preferred(&self, def: &str) -> Option<&str> {
        let i = *self.preferred.get(def)?;
        self.names.get_index(i).map(|(name, _)| name)
    }

    /// Definition name → its shortest public name.
    pub fn into_preferred(self) -> HashMap<String, String> {
        self.preferred
            .iter()
            .filter_map(|(def, i)| Some((def.to_string(), self.names.get_index(*i)?.0.to_string())))
            .collect()
    }
}

/// The members of each class definition through its bases, computed once per definition.
#[derive(Default)]
struct MemberCache<'a> {
    by_class: FxHashMap<String, Members<'a>>,
}

/// (member name, the definition it resolves to, whether the class itself has it), borrowed
/// from the snapshot: a base's members are listed again in every subclass, resolved once.
type Members<'a> = std::rc::Rc<Vec<(&'a str, Option<names::Resolved<'a>>, bool)>>;

impl<'a> MemberCache<'a> {
    fn of(&mut self, snap: &'a Snapshot, class: &str) -> Members<'a> {
        self.walk(snap, class, 0)
    }

    fn walk(&mut self, snap: &'a Snapshot, class: &str, depth: usize) -> Members<'a> {
        if let Some(found) = self.by_class.get(class) {
            return found.clone();
        }
        let mut out: Vec<(&'a str, Option<names::Resolved<'a>>, bool)> = Vec::new();
        let mut seen: FxHashSet<&'a str> = FxHashSet::default();
        let prefix = format!("{class}.");
        for (key, record) in snap
            .symbols
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
        {
            let last = &key[prefix.len()..];
            if !last.contains('.') && seen.insert(last) {
                // Most members are definitions: they resolve to themselves.
                let resolved = match record.points_to() {
                    Some(target) if target != key => snap.resolve_key(key),
                    _ => Some((key.as_str(), record)),
                };
                out.push((last, resolved, true));
            }
        }
        // Bases in order, each with its own bases: Python's MRO differs only in the order of
        // a diamond's shared bases, which decides which record a member comes from, not
        // whether it exists.
        let bases: &'a [String] = snap
            .symbols
            .get(class)
            .filter(|s| s.kind == Kind::Class && depth < 32)
            .map_or(&[], |s| s.bases.as_slice());
        // A cycle (a class its own base, by a bug or a name clash) ends here.
        self.by_class
            .insert(class.to_string(), std::rc::Rc::new(out.clone()));
        for base in bases {
            for &(last, found, _) in self.walk(snap, base, depth + 1).iter() {
                if seen.insert(last) {
                    out.push((last, found, false));
                }
            }
        }
        // In name order, so that a class's member names come out sorted (see `Surface::new`).
        out.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let out = std::rc::Rc::new(out);
        self.by_class.insert(class.to_string(), out.clone());
        out
    }
}

struct Ctx<'a> {
    old: &'a Surface<'a>,
    new: &'a Surface<'a>,
    out: Vec<Change>,
}

impl Ctx<'_> {
    fn push(&mut self, kind: ChangeKind, symbol: &str, facts: Facts) -> &mut Change {
        self.out.push(Change {
            kind,
            severity: policy::severity(kind, &facts),
            symbol: symbol.to_string(),
            old_version: self.old.snap.version.clone(),
            new_version: self.new.snap.version.clone(),
            parameter: None,
            old: None,
            new: None,
            replacement: None,
            new_symbol: None,
            shim: facts.shim,
            also: Vec::new(),
            served_by: None,
            evidence: None,
        });
        self.out.last_mut().expect("just pushed")
    }
}

/// The changes from `old` to `new`, sorted by severity, kind and symbol.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Result<Vec<Change>, DiffError> {
    if old.package != new.package {
        return Err(DiffError::DifferentPackages {
            old: old.package.clone(),
            new: new.package.clone(),
        });
    }
    let (old_s, new_s) = rayon::join(|| Surface::new(old), || Surface::new(new));
    Ok(diff_surfaces(&old_s, &new_s))
}

/// [`diff`] on surfaces already built: a span diffs each middle release twice, and builds its
/// surface once this way.
pub fn diff_surfaces(old_s: &Surface, new_s: &Surface) -> Vec<Change> {
    let old = old_s.snap;
    let mut ctx = Ctx {
        old: old_s,
        new: new_s,
        out: Vec::new(),
    };

    let moves = find_moves(old_s, new_s);
    let move_targets: HashSet<&str> = moves.values().map(|m| m.to.as_str()).collect();

    // Names gone from the surface: moved or removed (members of a gone parent are covered by it).
    let (gone, added) = only_in_each(&old_s.names, &new_s.names);
    let covered =
        |set: &BTreeSet<&str>, n: &str| split_parent(n).is_some_and(|(p, _)| set.contains(p));
    // What is gone by definition: a definition reached by several names is one report.
    let mut gone_by_def: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in &gone {
        // Attribute access and `from m import x` still find it: it left `__all__`, or only
        // the re-export went while the module still binds it. A move only when the old path
        // is a shim for the new home; otherwise the old path simply still works.
        let reachable = new_s.snap.reachable(name);
        // A move is worth saying even inside a removed module: it tells where things went.
        if let Some(m) = moves.get(*name).filter(|m| m.shim || !reachable) {
            report_move(&mut ctx, name, m);
            continue;
        }
        if covered(&gone, name) {
            continue;
        }
        if reachable {
            let (def, _) = &old_s.names[*name];
            let c = ctx.push(ChangeKind::Unexported, name, Facts::default());
            // The definition's public name now; if it moved, where it went.
            c.replacement = new_s
                .preferred(def)
                .or_else(|| moves.get(*name).map(|m| m.to.as_str()))
                .filter(|p| *p != *name)
                .map(str::to_string);
            continue;
        }
        gone_by_def
            .entry(old_s.names[*name].0)
            .or_default()
            .push(name);
    }
    for (def, names) in gone_by_def {
        // The report goes under the name users import: the definition's preferred public
        // name when it is among the gone ones, else the first of them.
        let shown = old_s
            .preferred(def)
            .filter(|p| names.contains(p))
            .unwrap_or(names[0]);
        let (_, sym) = &old_s.names[shown];
        let mut replacement = old
            .alias_notices(shown)
            .iter()
            .chain(&sym.deprecated)
            .find(|d| d.parameter.is_none())
            .and_then(|d| d.replacement.clone());
        // Re-exports that went while the definition lives on under another public name: the
        // fix is that name.
        let relocated = new_s.preferred(def).filter(|p| !names.contains(p));
        // The deprecation's own advice when it still holds, else the public name now.
        let advice_holds = replacement.as_deref().is_some_and(|r| {
            new_s
                .snap
                .resolve(r.split('(').next().unwrap_or(r))
                .is_some()
        });
        if let Some(p) = relocated.filter(|_| !advice_holds) {
            replacement = Some(p.to_string());
        }
        // A function the stub declares on instances of a class that answers unknown
        // attributes with `__getattr__` (a registry filled at run time) may still be served;
        // a member the source defines was the class's own, and `__getattr__` (of
        // `nn.Module`, say) does not bring it back.
        let served_by = (sym.instance && sym.kind != Kind::Attribute)
            .then(|| new_s.snap.served_by_getattr(shown))
            .flatten();
        let facts = Facts {
            still_public_elsewhere: relocated.is_some(),
            served_by_getattr: served_by.is_some(),
            dunder: names.iter().all(|n| is_dunder(n)),
            unlisted: names.iter().all(|n| old_s.names.is_unlisted(n)),
            ..Facts::default()
        };
        let c = ctx.push(ChangeKind::Removed, shown, facts);
        c.old = Some(sym.kind.as_str().to_string());
        c.new_symbol = relocated.map(str::to_string);
        c.served_by = served_by;
        c.replacement = replacement;
        c.also = names
            .iter()
            .filter(|n| **n != shown)
            .map(|n| n.to_string())
            .collect();
    }
    // The other moves: public paths kept as shims, and private paths whose definition is now
    // public.
    for (name, m) in &moves {
        if !gone.contains(name.as_str()) {
            report_move(&mut ctx, name, m);
        }
    }

    // Names new to the surface.
    // One report per new definition, under its preferred name: a method added to a base
    // class is new once, not once per subclass that inherits it.
    let mut added_by_def: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut candidates: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in &added {
        // Protocol names (`__getattr__` of a module) are how a module works, not what it offers.
        if move_targets.contains(name) || new_s.names.is_unlisted(name) || is_dunder(name) {
            continue;
        }
        let (def, _) = &new_s.names[*name];
        let existed = old.symbols.contains_key(*def);
        // Another public name for a definition users already had is not a new API.
        if existed && old_s.preferred(def).is_some() {
            continue;
        }
        candidates.entry(def).or_default().push(name);
    }
    // Private names that hand over to a new public definition (by re-exporting it, or by a
    // deprecation naming it): the public name is their promotion, even inside a new module.
    // Definitions a move already leads to: their other new names are no promotion of theirs.
    let moved_defs: HashSet<&str> = move_targets
        .iter()
        .filter_map(|t| new_s.names.get(t).map(|(d, _)| *d))
        .collect();
    let mut handed_over = private_predecessors(old_s, new_s.snap, &candidates);
    handed_over.retain(|def, _| !moved_defs.contains(def));
    for (def, names) in &candidates {
        for name in names {
            // Members of a new module or class are new with it, unless they were there before
            // under private names: a new public module that re-exports them promotes them.
            let existed = old.symbols.contains_key(*def);
            if covered(&added, name) && !existed && !handed_over.contains_key(def) {
                continue;
            }
            added_by_def.entry(def).or_default().push(name);
        }
    }
    // A definition that was there under private names only is not new: its public name is a
    // promotion of the private one users imported.
    let promoted_from = private_homes(old, added_by_def.keys().copied());
    for (def, names) in added_by_def {
        let shown = new_s
            .preferred(def)
            .filter(|p| names.contains(p))
            .unwrap_or(names[0]);
        let (_, sym) = &new_s.names[shown];
        let promotion = promoted_from
            .get(def)
            .map(|p| {
                (
                    *p,
                    "the definition was there under private names only".to_string(),
                )
            })
            .or_else(|| handed_over.get(def).cloned())
            .or_else(|| underscore_twin(old, new_s.snap, shown, sym.kind))
            .filter(|(p, _)| !moves.contains_key(*p));
        if let Some((private, why)) = promotion {
            let facts = Facts {
                private_to_public: true,
                shim: new_s.snap.resolve(private).is_some(),
                ..Facts::default()
            };
            let c = ctx.push(ChangeKind::Moved, private, facts);
            c.new_symbol = Some(shown.to_string());
            c.replacement = Some(shown.to_string());
            c.evidence = Some(why);
            continue;
        }
        let c = ctx.push(ChangeKind::Added, shown, Facts::default());
        c.new = Some(sym.kind.as_str().to_string());
    }

    // Names that left their module's `__all__` and are still defined there.
    for (name, _, _) in in_both(&old_s.names, &new_s.names)
        .filter(|(_, a, b)| !old_s.names.unlisted_at(a.2) && new_s.names.unlisted_at(b.2))
    {
        if covered_by(&new_s.names, name) {
            continue;
        }
        ctx.push(ChangeKind::Unexported, name, Facts::default());
    }

    // Definitions reached by a name in both: compare once per pair, under the preferred name.
    // A definition is one record: the pair of records stands for the pair of definitions.
    let mut seen: FxHashSet<(*const Symbol, *const Symbol)> = FxHashSet::default();
    for (name, (old_def, old_sym, _), (new_def, new_sym, _)) in in_both(&old_s.names, &new_s.names)
    {
        if !seen.insert((old_sym as *const Symbol, new_sym as *const Symbol)) {
            continue;
        }
        // An identical record at the same place: nothing to compare (a tier inherited from a
        // module or class that changed is reported on that module or class).
        if old_def == new_def && old_sym == new_sym {
            continue;
        }
        // Under a name that stood for this very pair: the new preferred one may be a path
        // that did not exist before (a new re-export), or one that led elsewhere then (a
        // subclass that now inherits the method), where the old calls never met `old_sym`.
        let same_pair = |n: &&str| {
            old_s.names.get(n).is_some_and(|(d, _)| *d == old_def)
                && new_s.names.get(n).is_some_and(|(d, _)| *d == new_def)
        };
        let shown = new_s
            .preferred(new_def)
            .filter(same_pair)
            .or_else(|| old_s.preferred(old_def).filter(same_pair))
            .unwrap_or(name);
        compare_definitions(&mut ctx, shown, name, old_sym, new_sym);
    }

    // Paths deprecated as such while what they lead to is not.
    let deprecated_paths: BTreeSet<&str> = [old, new_s.snap]
        .into_iter()
        .flat_map(|snap| snap.symbols.iter())
        .filter(|(_, s)| s.kind == Kind::Alias && !s.deprecated.is_empty())
        .map(|(n, _)| n.as_str())
        .filter(|n| old_s.names.contains_key(n) && new_s.names.contains_key(n))
        .collect();
    for name in deprecated_paths {
        let view = |notices: &[crate::snapshot::Deprecation]| Symbol {
            deprecated: notices.to_vec(),
            ..Symbol::default()
        };
        let (o, n) = (old.alias_notices(name), new_s.snap.alias_notices(name));
        compare_notices(&mut ctx, name, &view(o), &view(n));
    }

    private_lifecycle(&mut ctx);

    let mut out = ctx.out;
    // A member of a module that moved moved with it: one report, the module's.
    let moved_modules: Vec<(String, String)> = out
        .iter()
        .filter(|c| c.kind == ChangeKind::Moved)
        .filter_map(|c| Some((c.symbol.clone(), c.new_symbol.clone()?)))
        .collect();
    out.retain(|c| {
        c.kind != ChangeKind::Moved
            || !moved_modules.iter().any(|(from, to)| {
                fn under<'n>(n: &'n str, p: &str) -> Option<&'n str> {
                    n.strip_prefix(p).and_then(|r| r.strip_prefix('.'))
                }
                match (under(&c.symbol, from), c.new_symbol.as_deref()) {
                    (Some(rest), Some(new)) => under(new, to) == Some(rest),
                    _ => false,
                }
            })
    });
    out.sort_by(|a, b| {
        (a.severity, a.kind, &a.symbol, &a.parameter, &a.old).cmp(&(
            b.severity,
            b.kind,
            &b.symbol,
            &b.parameter,
            &b.old,
        ))
    });
    out.dedup();
    out
}

/// For each of `defs` that `snap` has, the private name users would have imported it by: the
/// shortest of the definition's own path and the names that point at it directly.
/// Private names of the old release that hand over to a new public definition in the new
/// one: they now re-export it (`_composable.fsdp.fully_shard` → `fsdp.fully_shard`), or their
/// deprecation names one of its public names (`_set_pg_timeout` → `set_timeout`). By
/// definition, the shortest such name with why.
fn private_predecessors<'a>(
    old_s: &Surface,
    new: &'a Snapshot,
    added: &BTreeMap<&str, Vec<&str>>,
) -> HashMap<&'a str, (&'a str, String)> {
    let old = old_s.snap;
    let mut by_name: HashMap<&str, &str> = HashMap::new();
    for (def, names) in added {
        for n in names {
            by_name.insert(n, def);
        }
    }
    let mut best: HashMap<&'a str, (&'a str, String)> = HashMap::new();
    let rank = |n: &str| (n.matches('.').count(), n.len());
    for (name, sym) in &new.symbols {
        if !is_private_name(name) || !old.symbols.contains_key(name) {
            continue;
        }
        // What users had a public name for was public already: a private name of it that
        // points elsewhere now is no promotion (`_VariableFunctions.ger`, public as `torch.ger`).
        if old
            .resolve(name)
            .is_some_and(|(d, _)| old_s.preferred(&d).is_some())
        {
            continue;
        }
        // Only aliases can re-export; resolving is for them alone (they are few).
        let pointed = sym
            .points_to()
            .and_then(|_| new.resolve(name))
            .and_then(|(d, _)| added.get_key_value(d.as_str()))
            .map(|(d, _)| (*d, "the old private name now re-exports it".to_string()));
        let named = || {
            sym.deprecated
                .iter()
                .filter(|d| d.parameter.is_none())
                .filter_map(|d| d.replacement.as_deref())
                .map(|r| r.split_once('(').map_or(r, |(f, _)| f))
                .find_map(|r| {
                    by_name
                        .get(r)
                        .map(|d| (*d, format!("its deprecation names `{r}`")))
                })
        };
        let Some((def, why)) = pointed.or_else(named) else {
            continue;
        };
        let Some((def, _)) = new.symbols.get_key_value(def) else {
            continue;
        };
        let better = best
            .get(def.as_str())
            .is_none_or(|(current, _)| rank(name) < rank(current));
        if better {
            best.insert(def.as_str(), (name.as_str(), why));
        }
    }
    best
}

/// A private module of the old release, gone now, whose name is the new public module's
/// with a leading underscore (`nn.attention._flex_attention` → `nn.attention.flex_attention`).
fn underscore_twin<'a>(
    old: &'a Snapshot,
    new: &Snapshot,
    public: &str,
    kind: Kind,
) -> Option<(&'a str, String)> {
    if kind != Kind::Module {
        return None;
    }
    let (parent, last) = split_parent(public)?;
    let twin = format!("{parent}._{last}");
    let (name, sym) = old.symbols.get_key_value(twin.as_str())?;
    (sym.kind == Kind::Module && !new.symbols.contains_key(twin.as_str())).then(|| {
        (
            name.as_str(),
            "the private module of the same name went with it".to_string(),
        )
    })
}

fn private_homes<'a>(
    snap: &'a Snapshot,
    defs: impl Iterator<Item = &'a str>,
) -> HashMap<&'a str, &'a str> {
    let mut best: HashMap<&'a str, &'a str> = defs
        .filter_map(|d| {
            snap.symbols
                .get_key_value(d)
                .map(|(k, _)| (k.as_str(), k.as_str()))
        })
        .collect();
    if best.is_empty() {
        return best;
    }
    let rank = |n: &str| (n.matches('.').count(), n.len());
    for (name, sym) in &snap.symbols {
        let Some(target) = sym.points_to() else {
            continue;
        };
        if let Some(current) = best.get_mut(target) {
            if rank(name) < rank(current) {
                *current = name.as_str();
            }
        }
    }
    best
}

/// The names both have, with each one's definition, record and place, by one walk of both in
/// order.
type Found<'a> = (&'a str, &'a Symbol, usize);
fn in_both<'s, 'a>(
    a: &'s Names<'a>,
    b: &'s Names<'a>,
) -> impl Iterator<Item = (&'s str, Found<'a>, Found<'a>)> {
    let mut ib = b.iter().enumerate().peekable();
    a.iter().enumerate().filter_map(move |(i, (name, va))| {
        while ib.next_if(|(_, (n, _))| *n < name).is_some() {}
        let (j, (_, vb)) = ib.next_if(|(_, (n, _))| *n == name)?;
        Some((name, (va.0, va.1, i), (vb.0, vb.1, j)))
    })
}

/// The keys only `a` has and the keys only `b` has, by one walk of both in order.
fn only_in_each<'k>(a: &'k Names, b: &'k Names) -> (BTreeSet<&'k str>, BTreeSet<&'k str>) {
    let (mut only_a, mut only_b) = (BTreeSet::new(), BTreeSet::new());
    let (mut ia, mut ib) = (a.keys().peekable(), b.keys().peekable());
    loop {
        match (ia.peek(), ib.peek()) {
            (Some(x), Some(y)) => match x.cmp(y) {
                std::cmp::Ordering::Less => {
                    only_a.insert(ia.next().expect("peeked"));
                }
                std::cmp::Ordering::Greater => {
                    only_b.insert(ib.next().expect("peeked"));
                }
                std::cmp::Ordering::Equal => {
                    ia.next();
                    ib.next();
                }
            },
            (Some(_), None) => {
                only_a.insert(ia.next().expect("peeked"));
            }
            (None, Some(_)) => {
                only_b.insert(ib.next().expect("peeked"));
            }
            (None, None) => return (only_a, only_b),
        }
    }
}

/// Whether the enclosing name of `name` is unlisted (members of a name are covered by it).
fn covered_by(names: &Names, name: &str) -> bool {
    split_parent(name).is_some_and(|(p, _)| names.is_unlisted(p))
}

struct Move {
    to: String,
    /// The old path still works (a re-export of the new location).
    shim: bool,
    /// Why this is the same definition.
    because: &'static str,
}

/// Old names whose definition now lives elsewhere. Matching is by definition, not by name
/// alone: the same kind, the same last name (or the new path the old deprecation names), and a
/// signature that accepts the old calls.
fn find_moves(old: &Surface, new: &Surface) -> BTreeMap<String, Move> {
    let mut moves = BTreeMap::new();
    // New public definitions that did not exist before, by last name.
    // New public definitions that did not exist before, by last name, each under its
    // shortest public name.
    let mut fresh: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, (def, _)) in &new.names {
        if new.preferred(def) == Some(name) && !old.snap.symbols.contains_key(*def) {
            let last = name.rsplit('.').next().unwrap_or(name);
            fresh.entry(last).or_default().push(name);
        }
    }
    // Module-level records. Keys come in order, so a module's names are consecutive: its
    // kind is looked up once for them all.
    let mut parent_is_module: (&str, bool) = ("", false);
    let candidates = old.snap.symbols.iter().filter(move |(n, s)| {
        if s.kind == Kind::Module {
            return false;
        }
        let Some((p, _)) = split_parent(n) else {
            return false;
        };
        if parent_is_module.0 != p {
            let is_module = old
                .snap
                .symbols
                .get(p)
                .is_some_and(|p| p.kind == Kind::Module);
            parent_is_module = (p, is_module);
        }
        parent_is_module.1
    });
    // Whether `def` is a definition (not an alias or pointer) in `snap`.
    let defined_in = |snap: &Snapshot, def: &str| snap.resolve(def).is_some_and(|(d, _)| d == def);
    // The new release's record of each candidate, by walking both key orders together.
    let mut new_records = new.snap.symbols.iter().peekable();
    for (name, sym) in candidates {
        while new_records
            .next_if(|(k, _)| k.as_str() < name.as_str())
            .is_some()
        {}
        let new_record = new_records
            .peek()
            .filter(|(k, _)| *k == name)
            .map(|(_, s)| *s);
        // Most names are untouched between releases: the same record pointing at the same
        // place is no move.
        let unchanged = new_record == Some(sym)
            && sym
                .target
                .as_ref()
                .is_none_or(|t| new.snap.symbols.get(t) == old.snap.symbols.get(t));
        if unchanged {
            continue;
        }
        let Some((old_def, old_sym)) = old.snap.resolve(name) else {
            continue;
        };
        if old_sym.kind == Kind::Alias {
            continue;
        }
        let public_before = old.names.contains_key(name);
        match new.snap.resolve(name) {
            // Still there: a move only if the definition itself went elsewhere, the old path
            // now re-exports it (a shim), and the new place has a public name.
            Some((new_def, new_sym)) => {
                if new_def == old_def
                    || defined_in(new.snap, &old_def)
                    || defined_in(old.snap, &new_def)
                {
                    continue;
                }
                let Some(to) = new.preferred(&new_def) else {
                    continue;
                };
                if to == name.as_str() || new_sym.kind != old_sym.kind {
                    continue;
                }
                // A public name is reported once, under the name its definition went by.
                if public_before && old.preferred(&old_def) != Some(name.as_str()) {
                    continue;
                }
                moves.insert(
                    name.clone(),
                    Move {
                        to: to.to_string(),
                        shim: true,
                        because: "the old path re-exports the new definition",
                    },
                );
            }
            // Gone: the same definition at a new public path, named by the old deprecation or
            // tombstone, or with the same name, kind and a signature accepting the old calls.
            None => {
                let declared = old_sym
                    .deprecated
                    .iter()
                    .filter(|d| d.parameter.is_none())
                    .find_map(|d| d.replacement.clone())
                    .or_else(|| {
                        old_sym
                            .tombstone
                            .as_ref()
                            .and_then(|t| t.replacement.clone())
                    });
                let last = name.rsplit('.').next().unwrap_or(name);
                // A replacement given as a call (`f('cpu', ...)`) names `f`.
                let declared = declared.map(|r| match r.split_once('(') {
                    Some((name, _)) => name.to_string(),
                    None => r,
                });
                let pick = declared
                    .filter(|r| new.names.contains_key(r) && !old.names.contains_key(r))
                    .map(|r| (r, "the old deprecation names it"))
                    .or_else(|| {
                        // `_f` made public is `f`: the same name without the underscore.
                        let same: Vec<&&str> = fresh
                            .get(last)
                            .or_else(|| fresh.get(last.trim_start_matches('_')))?
                            .iter()
                            .filter(|n| {
                                let (_, s) = &new.names[**n];
                                // Attributes (type variables, constants) share names by accident.
                                matches!(s.kind, Kind::Class | Kind::Function)
                                    && s.kind == old_sym.kind
                                    && signatures_compatible(old_sym, s)
                            })
                            .collect();
                        // Several candidates: the one sharing most of the old path.
                        let best = same
                            .into_iter()
                            .max_by_key(|n| (shared_prefix(name, n), std::cmp::Reverse(n.len())))?;
                        Some((best.to_string(), "same name, kind and signature"))
                    })
                    .or_else(|| {
                        // `m.f` made private is `m._f`: a new definition of the same kind
                        // beside it, under the same name with an underscore.
                        let (parent, last) = split_parent(name)?;
                        if !public_before || last.starts_with('_') {
                            return None;
                        }
                        let private = format!("{parent}._{last}");
                        let fresh_def = !old.snap.symbols.contains_key(&private);
                        let (def, s) = new.snap.resolve(&private)?;
                        (fresh_def
                            && def == private
                            && matches!(s.kind, Kind::Class | Kind::Function)
                            && s.kind == old_sym.kind)
                            .then_some((private, "made private: the same name with an underscore"))
                    });
                let Some((to, because)) = pick else { continue };
                // A private name needs more than a shared last name: the same subpackage.
                if !public_before && shared_prefix(name, &to) < 2 {
                    continue;
                }
                // A name alike only by its last part, in a subpackage new in this release
                // and apart from the old one (`torch.mtia.default_stream` for a removed
                // pipeline helper), is a new API, not where the old one went.
                let declared_pick = because == "the old deprecation names it";
                let new_home = split_parent(&to).map(|(p, _)| p);
                if !declared_pick
                    && shared_prefix(name, &to) < 2
                    && new_home.is_some_and(|p| !old.snap.symbols.contains_key(p))
                {
                    continue;
                }
                moves.insert(
                    name.clone(),
                    Move {
                        to,
                        shim: false,
                        because,
                    },
                );
            }
        }
    }
    moves
}

/// A message's words, for telling the same text apart from a new one: case, punctuation,
/// markup, line breaks, repeated words and links aside (`sample_n will be deprecated. Use
/// .sample((n,))` then `` `sample_n(n)` will be deprecated. Use `sample((n,))` ``; a docs link
/// from `master` to `main`).
fn words(message: &str) -> BTreeSet<String> {
    message
        .split_whitespace()
        .filter(|w| !w.contains("://"))
        .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `__str__`, `__subclasshook__`: protocol methods users do not call by name.
fn is_dunder(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.len() > 4
        && last.starts_with("__")
        && last.ends_with("__")
        && !matches!(last, "__init__" | "__call__")
}

fn shared_prefix(a: &str, b: &str) -> usize {
    a.split('.')
        .zip(b.split('.'))
        .take_while(|(x, y)| x == y)
        .count()
}

fn signatures_compatible(old: &Symbol, new: &Symbol) -> bool {
    if old.signatures.is_empty() || new.signatures.is_empty() {
        return true;
    }
    let parse = Signature::parse_all;
    let (o, n) = (parse(&old.signatures), parse(&new.signatures));
    o.iter()
        .all(|os| n.iter().any(|ns| ns.accepts_all_calls_of(os)))
}

fn report_move(ctx: &mut Ctx, name: &str, m: &Move) {
    let facts = Facts {
        private_to_public: is_private_name(name) && !is_private_name(&m.to),
        shim: m.shim,
        ..Facts::default()
    };
    let c = ctx.push(ChangeKind::Moved, name, facts);
    c.new_symbol = Some(m.to.clone());
    c.replacement = Some(m.to.clone());
    c.evidence = Some(m.because.to_string());
}

/// Private names keep only their lifecycle markers in a snapshot, and are diffed for those
/// alone: users import `torch.utils._pytree` and `torch._dynamo` all the same, and a
/// deprecation there, a tombstone, or the removal of a name that was deprecated is news to
/// them. Signatures and additions of private names are no promise and are not compared.
fn private_lifecycle(ctx: &mut Ctx) {
    let (old, new) = (ctx.old.snap, ctx.new.snap);
    // A private stub (`torch/_VF.pyi`) copies docstrings that the run time attaches to the
    // native definition it stands for, and which carries the deprecation itself; stubs gained
    // docstrings in some releases only, which is no lifecycle event.
    let of_code = |s: &Symbol| {
        let mut s = s.clone();
        s.deprecated.retain(|d| !d.evidence.contains(".pyi"));
        s
    };
    let marked = |s: &Symbol| {
        s.deprecated.iter().any(|d| !d.evidence.contains(".pyi")) || s.tombstone.is_some()
    };
    let names: BTreeSet<&str> = old
        .symbols
        .iter()
        .chain(new.symbols.iter())
        .filter(|(n, s)| marked(s) && is_private_name(n))
        .map(|(n, _)| n.as_str())
        .collect();
    let mut gone: Vec<&str> = Vec::new();
    let reported: HashSet<String> = ctx.out.iter().map(|c| c.symbol.clone()).collect();
    for name in names.into_iter().filter(|n| !reported.contains(*n)) {
        // A definition with a public name is compared under it.
        if ctx.old.preferred(name).is_some() || ctx.new.preferred(name).is_some() {
            continue;
        }
        let (o, n) = (
            old.symbols.get(name).map(of_code),
            new.symbols.get(name).map(of_code),
        );
        match (o.as_ref(), n.as_ref()) {
            (Some(o), Some(n)) if o != n => {
                if o.kind != n.kind {
                    continue;
                }
                if let (Some(t), None) = (&n.tombstone, &o.tombstone) {
                    let c = ctx.push(ChangeKind::Tombstoned, name, Facts::default());
                    c.replacement = t.replacement.clone();
                    c.evidence = Some(t.evidence.clone());
                } else if n.tombstone.is_none() {
                    // Without signatures, a parameter's deprecation that went may have gone
                    // with its parameter: only new deprecations and the symbol's own end.
                    let mut n = n.clone();
                    let kept: Vec<_> = o
                        .deprecated
                        .iter()
                        .filter(|d| {
                            d.parameter.is_some()
                                && !n.deprecated.iter().any(|x| x.parameter == d.parameter)
                        })
                        .cloned()
                        .collect();
                    n.deprecated.extend(kept);
                    compare_notices(ctx, name, o, &n);
                }
            }
            (Some(o), None) if !o.deprecated.is_empty() && o.tombstone.is_none() => {
                // The members of a class outside the surface are not kept unless marked:
                // their absence says nothing.
                let in_class = split_parent(name)
                    .and_then(|(p, _)| old.symbols.get(p))
                    .is_some_and(|p| p.kind == Kind::Class);
                if in_class || new.reachable(name) {
                    continue;
                }
                // One report for a deprecated module gone with its deprecated names.
                if split_parent(name).is_some_and(|(p, _)| gone.contains(&p)) {
                    continue;
                }
                gone.push(name);
                let c = ctx.push(ChangeKind::Removed, name, Facts::default());
                c.old = Some(o.kind.as_str().to_string());
                c.replacement = o
                    .deprecated
                    .iter()
                    .find(|d| d.parameter.is_none())
                    .and_then(|d| d.replacement.clone());
                c.evidence = Some(format!(
                    "deprecated in {}: {}",
                    old.version, o.deprecated[0].evidence
                ));
            }
            _ => {}
        }
    }
}

fn compare_definitions(ctx: &mut Ctx, shown: &str, name: &str, old: &Symbol, new: &Symbol) {
    // An alias record here is one whose target no source describes (a class a compiled
    // module adds at import): what it is is unknown, so no change of kind is known either.
    if old.kind != new.kind && (old.kind == Kind::Alias || new.kind == Kind::Alias) {
        return;
    }
    if old.kind != new.kind {
        // An attribute can hold anything (a namedtuple is a class at run time).
        let facts = Facts {
            attribute_involved: old.kind == Kind::Attribute || new.kind == Kind::Attribute,
            both_callable: old.kind.is_callable() && new.kind.is_callable(),
            ..Facts::default()
        };
        let c = ctx.push(ChangeKind::KindChanged, shown, facts);
        c.old = Some(old.kind.as_str().into());
        c.new = Some(new.kind.as_str().into());
        return;
    }
    if let (Some(t), None) = (&new.tombstone, &old.tombstone) {
        let c = ctx.push(ChangeKind::Tombstoned, shown, Facts::default());
        c.replacement = t.replacement.clone();
        c.evidence = Some(t.evidence.clone());
        return;
    }
    let package = format!("{}.", ctx.old.snap.package);
    // A base is removed only when it is no longer an ancestor: a class that now derives
    // from an intermediate class, or from the same base under another name, still has it.
    let ancestors = ancestors(ctx.new.snap, &new.bases);
    // A base whose path is gone from the release while an ancestor of the same name stands
    // is that class moved (`patterns.Handler` to `handler.Handler`, the old module deleted):
    // instances still pass `isinstance` against it, and the old path's removal is reported
    // at that path.
    let last = |n: &str| n.rsplit('.').next().unwrap_or(n).to_string();
    let moved = |base: &str| {
        ctx.new.snap.resolve(base).is_none()
            && !ctx.new.snap.reachable(base)
            && ancestors.iter().any(|a| last(a) == last(base))
    };
    let still_ancestor = |base: &str| {
        ancestors.contains(base)
            || ctx
                .new
                .snap
                .resolve(base)
                .is_some_and(|(def, _)| ancestors.contains(&def))
            || moved(base)
    };
    for base in old
        .bases
        .iter()
        .filter(|b| !new.bases.contains(b) && !still_ancestor(b))
    {
        // Another package's class may well still be an ancestor through the new base, and a
        // private base was never something users could name.
        let facts = Facts {
            public_package_base: base.starts_with(&package) && !is_private_name(base),
            ..Facts::default()
        };
        let c = ctx.push(ChangeKind::BaseRemoved, shown, facts);
        c.old = Some(base.clone());
    }
    compare_signatures(ctx, shown, old, new);
    compare_notices(ctx, shown, old, new);
    // Tiers as users see them at this name (an alias of a private definition is public).
    let old_tier = ctx.old.snap.stability(name);
    let new_tier = ctx.new.snap.stability(name);
    if old_tier.tier != new_tier.tier
        && old_tier.tier != Tier::Private
        && new_tier.tier != Tier::Private
    {
        let kind = if new_tier.tier < old_tier.tier {
            ChangeKind::Promoted
        } else {
            ChangeKind::Demoted
        };
        let c = ctx.push(kind, shown, Facts::default());
        c.old = Some(old_tier.tier.as_str().into());
        c.new = Some(new_tier.tier.as_str().into());
        c.evidence = Some(if new_tier.evidence.is_empty() {
            old_tier.evidence
        } else {
            new_tier.evidence
        });
    }
}

/// Every class `bases` lead to in `snap`, by the names recorded and by the definitions they
/// resolve to.
fn ancestors(snap: &Snapshot, bases: &[String]) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut work: Vec<String> = bases.to_vec();
    while let Some(b) = work.pop() {
        if out.len() > 256 || !out.insert(b.clone()) {
            continue;
        }
        if let Some((def, sym)) = snap.resolve(&b) {
            if sym.kind == Kind::Class {
                work.extend(sym.bases.iter().cloned());
            }
            if def != b {
                work.push(def);
            }
        }
    }
    out
}

fn compare_signatures(ctx: &mut Ctx, shown: &str, old: &Symbol, new: &Symbol) {
    if old.signatures.is_empty() || new.signatures.is_empty() || old.signatures == new.signatures {
        return;
    }
    let parse = Signature::parse_all;
    let (olds, news) = (parse(&old.signatures), parse(&new.signatures));
    // `(*args, **kwargs)` says nothing about the calls a wrapper accepts: nothing to compare.
    if olds.is_empty() || news.is_empty() || olds.iter().chain(&news).any(Signature::is_opaque) {
        return;
    }
    let mut changes: Vec<(signature::ParamChange, String, String)> = Vec::new();
    if olds.len() == 1 && news.len() == 1 {
        for c in signature::compare(&olds[0], &news[0]) {
            changes.push((c, old.signatures[0].clone(), new.signatures[0].clone()));
        }
    } else {
        // Overloads: only calls that no longer bind matter. For each old overload no new one
        // accepts, explain the difference against the closest new overload.
        for (i, o) in olds.iter().enumerate() {
            if news.iter().any(|n| n.accepts_all_calls_of(o)) {
                continue;
            }
            // Closest: the one that breaks the fewest of its calls, then the most parameters
            // of the same name and kind, then of the same name, then the nearest count; on a
            // tie the earlier overload, as the stubs list the primary one first. A parameter
            // newly required breaks every call, one optional parameter gone only the calls
            // passing it: `(input, *, dtype=None, out=None)` is closer to `(input, *,
            // dtype=None)` than to `(input, dim, keepdim=False, *, dtype=None, out=None)`.
            let breakage = |n: &Signature| -> usize {
                signature::compare(o, n)
                    .iter()
                    .filter(|c| c.breaking)
                    .map(|c| {
                        let optional = o.get(&c.parameter).is_some_and(|p| p.default.is_some());
                        match c.kind {
                            ChangeKind::ParameterAddedRequired => 3,
                            ChangeKind::ParameterRemoved if optional => 1,
                            _ => 2,
                        }
                    })
                    .sum()
            };
            let shared = |n: &Signature| {
                let same = |kind: bool| {
                    n.params
                        .iter()
                        .filter(|p| {
                            o.params
                                .iter()
                                .any(|q| q.name == p.name && (!kind || q.kind == p.kind))
                        })
                        .count()
                };
                let apart = n.params.len().abs_diff(o.params.len());
                (
                    std::cmp::Reverse(breakage(n)),
                    same(true),
                    same(false),
                    std::cmp::Reverse(apart),
                )
            };
            let (j, closest) = news
                .iter()
                .enumerate()
                .rev()
                .max_by_key(|(_, n)| shared(n))
                .expect("news is not empty");
            for c in signature::compare(o, closest)
                .into_iter()
                .filter(|c| c.breaking)
            {
                // A parameter another overload still takes the same way was not removed or
                // changed: calls passing it that way bind there.
                let elsewhere = o.get(&c.parameter).is_some_and(|p| {
                    news.iter().any(|n| {
                        n.get(&p.name).is_some_and(|q| {
                            q.kind == p.kind && (p.default.is_none() || q.default.is_some())
                        })
                    })
                });
                let seen = changes
                    .iter()
                    .any(|(d, _, _)| d.kind == c.kind && d.parameter == c.parameter);
                if !elsewhere && !seen {
                    changes.push((c, old.signatures[i].clone(), new.signatures[j].clone()));
                }
            }
        }
    }
    for (c, old_sig, new_sig) in changes {
        // The bound parameter is never passed by name.
        if matches!(c.parameter.as_str(), "self" | "cls") {
            continue;
        }
        // `_private` parameters and dunder methods are not called by users by name.
        let facts = Facts {
            breaks_calls: c.breaking,
            dunder: is_dunder(shown),
            private_parameter: c.parameter.starts_with('_'),
            ..Facts::default()
        };
        let p = &c.parameter;
        let ch = ctx.push(c.kind, shown, facts);
        ch.parameter = (!p.is_empty()).then(|| p.clone());
        ch.old = c.old.clone().or(Some(old_sig.clone()));
        ch.new = c.new.clone().or(Some(new_sig.clone()));
        ch.evidence = Some(format!("{old_sig} → {new_sig}"));
    }
}

fn compare_notices(ctx: &mut Ctx, shown: &str, old: &Symbol, new: &Symbol) {
    let keys = |s: &Symbol| {
        s.deprecated
            .iter()
            .map(|d| d.parameter.clone())
            .collect::<BTreeSet<_>>()
    };
    let (old_keys, new_keys) = (keys(old), keys(new));
    // The same warning, now with a deprecation's category or decorator ("X will be
    // deprecated" warned on every call, then `@deprecated("X will be deprecated")`): the user
    // was told already, and nothing else changed.
    let same_text = |a: &str, list: &[crate::snapshot::Deprecation]| {
        let a = words(a);
        list.iter().any(|d| words(&d.message) == a)
    };
    for d in &new.deprecated {
        if old_keys.contains(&d.parameter) || same_text(&d.message, &old.announced) {
            continue;
        }
        let c = ctx.push(ChangeKind::Deprecated, shown, Facts::default());
        c.parameter = d.parameter.clone();
        c.replacement = d.replacement.clone();
        c.new = Some(d.message.clone());
        c.evidence = Some(d.evidence.clone());
    }
    // A parameter that is gone is reported as removed; its deprecation did not end. Asked only
    // of a parameter deprecation that went, which few comparisons have.
    let parameter_gone = |name: &str| {
        let parsed = Signature::parse_all(&new.signatures);
        let takes_any = parsed.iter().any(|s| {
            s.params
                .iter()
                .any(|p| p.kind == signature::ParamKind::VarKeyword)
        });
        !parsed.is_empty()
            && !takes_any
            && !parsed
                .iter()
                .any(|s| s.params.iter().any(|p| p.name == name))
    };
    for d in &old.deprecated {
        if new_keys.contains(&d.parameter) || new.tombstone.is_some() {
            continue;
        }
        if d.parameter.as_ref().is_some_and(|p| parameter_gone(p)) {
            continue;
        }
        let c = ctx.push(ChangeKind::Undeprecated, shown, Facts::default());
        c.parameter = d.parameter.clone();
        c.old = Some(d.message.clone());
        c.evidence = Some(d.evidence.clone());
    }
    // An announcement that disappears has come true: torch.load's `weights_only` default in 2.6.
    let announced = |s: &Symbol| {
        s.announced
            .iter()
            .map(|d| d.parameter.clone())
            .collect::<BTreeSet<_>>()
    };
    let still = announced(new);
    // A deprecation that was only planned ("will be deprecated") changes nothing when its
    // warning goes; one that became the deprecation is reported as that.
    for d in old.announced.iter().filter(|d| {
        !still.contains(&d.parameter)
            && !same_text(&d.message, &new.deprecated)
            && !crate::util::wording::speaks_of_deprecation(&d.message)
    }) {
        let c = ctx.push(ChangeKind::BehaviourChanged, shown, Facts::default());
        c.parameter = d.parameter.clone();
        c.old = Some(d.message.clone());
        c.evidence = Some(d.evidence.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn the_same_notice_reworded_in_form_only() {
        assert_eq!(
            words("sample_n will be deprecated. Use .sample((n,)) instead"),
            words("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.")
        );
        assert_eq!(
            words("x will be deprecated, see https://host/docs/master/a.html"),
            words("`x` will be deprecated, see https://host/docs/main/a.html")
        );
        assert_ne!(words("x is deprecated"), words("x is deprecated, use y"));
    }
}
