//! The snapshot: the API surface of one package release, as plain serde types.
//!
//! A snapshot is what every later stage reads (diff, changelog, check), so it carries only what
//! those stages need: for each qualified name its kind, where it is defined, its call
//! signature(s), and the deprecation and stability markers stated on it, each with evidence.
//!
//! Two rules keep it small and unambiguous:
//! - Markers are stored where the source states them. Tiers that follow from a path
//!   (`experimental` components, `_private` components) and markers on an enclosing module or
//!   class are derived by [`Snapshot::stability`] instead of being copied onto every member.
//! - Re-exports are `alias` records pointing at the canonical definition; [`Snapshot::resolve`]
//!   follows them.

mod fast;
pub mod store;
mod yaml;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use yaml::{from_yaml_str, to_yaml_string, ReadError};
use yaml::{WireSnapshot, WireSymbol};

/// Bumped whenever a field changes meaning or a reader of the previous version would misread a
/// new snapshot.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub schema: u32,
    pub package: String,
    pub version: String,
    pub artifact: Artifact,
    /// Name of the extraction profile applied (see `profiles/`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Source files that could not be parsed; their symbols are missing from this snapshot.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// Things the extractor noticed in the package's source but could not take at face value,
    /// such as junk `__all__` entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub symbols: BTreeMap<String, Symbol>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub filename: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    pub file: String,
    pub error: String,
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Module,
    Class,
    Function,
    Method,
    Classmethod,
    Staticmethod,
    Property,
    #[default]
    Attribute,
    Alias,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Module => "module",
            Kind::Class => "class",
            Kind::Function => "function",
            Kind::Method => "method",
            Kind::Classmethod => "classmethod",
            Kind::Staticmethod => "staticmethod",
            Kind::Property => "property",
            Kind::Attribute => "attribute",
            Kind::Alias => "alias",
        }
    }

    /// Kinds whose records describe something callable.
    pub fn is_callable(self) -> bool {
        matches!(
            self,
            Kind::Class | Kind::Function | Kind::Method | Kind::Classmethod | Kind::Staticmethod
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symbol {
    pub kind: Kind,
    /// `path/in/package.py:line` of the definition; absent on alias records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defined: Option<String>,
    /// For `alias`: the canonical qualified name it re-exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// For classes: the bases as qualified names (in-package ones resolved to their definition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bases: Vec<String>,
    /// Call signatures as Python parameter lists with return annotation, one per `@overload`.
    /// For classes, the signature of a call to the class (its `__init__` without `self`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deprecated: Vec<Deprecation>,
    /// Behaviour changes announced for a future release (a `FutureWarning` that deprecates
    /// nothing: "the default value for `weights_only` will be flipped"). When an announcement
    /// disappears in a later release, the change has happened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub announced: Vec<Deprecation>,
    /// The name still exists but always raises because the API was removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tombstone: Option<Marker>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<Stability>,
    /// Defined in a module whose `__all__` does not list it: importable, but not the module's
    /// API (helpers, type variables, platform set-up code).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlisted: bool,
    /// For class members: set on instances (in `__init__`, or declared by an annotation
    /// alone), not an attribute of the class itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instance: bool,
    /// A package attribute that has the name of a submodule too: `pkg.f` is this record (what
    /// attribute access finds), while `import pkg.f` gives the module, whose members are
    /// recorded under `pkg.f.` as usual.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub submodule: bool,
    /// For modules: public names the module binds without exporting them (imports an
    /// `__all__` leaves out, names a star import brings in beside one, names its
    /// `__getattr__` serves). They resolve at run time; they are not the module's API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reachable: Vec<String>,
}

/// A notice: a deprecation, or (in `announced`) a behaviour change announced for a future
/// release. With `parameter` set it is about that one parameter, not the symbol.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// With `parameter`: what is deprecated is leaving it out (the warning's test is
    /// `if dim is None:`), so calls that pass it are fine.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub omitted: bool,
    /// On a class: what is deprecated is constructing it (its `__init__` or `__new__` warns),
    /// so subclassing it, `isinstance` and its class attributes are fine.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub instantiation: bool,
    /// With `parameter`: what is deprecated is passing it this value (Python source of a
    /// literal: `"mean"`, `False`), as the warning's test `if p == "mean":` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// With `parameter`: what is deprecated is passing it any value but this one (the
    /// `else:` of `if p is True:`), so calls passing this value are fine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unless: Option<String>,
    /// Without `parameter`: a call passing this keyword this literal (`_internal=True`) does
    /// not warn, as the warning's guard (`if not _internal:`) fails for it. Such a parameter
    /// is how the package calls itself, not an API the notice is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt: Option<String>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    pub evidence: String,
}

/// A removal tombstone: message, replacement when named, evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    pub evidence: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Stable,
    Beta,
    Prototype,
    Experimental,
    Private,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Stable => "stable",
            Tier::Beta => "beta",
            Tier::Prototype => "prototype",
            Tier::Experimental => "experimental",
            Tier::Private => "private",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stability {
    pub tier: Tier,
    pub evidence: String,
}

/// Whether a dotted name has a private component (`torch._C.foo`, `torch.utils._pytree`).
/// Dunder names (`__init__`) are not private.
pub fn is_private_name(qualname: &str) -> bool {
    // Bytes, not chars: a diff asks this of every name in two releases.
    qualname
        .as_bytes()
        .split(|b| *b == b'.')
        .any(is_private_bytes)
}

pub fn is_private_component(part: &str) -> bool {
    is_private_bytes(part.as_bytes())
}

fn is_private_bytes(part: &[u8]) -> bool {
    // `__main__` is what `python -m pkg.tool` runs, never what anyone imports.
    part == b"__main__"
        || (part.starts_with(b"_")
            && !(part.starts_with(b"__") && part.ends_with(b"__") && part.len() > 4))
}

/// Splits `a.b.c` into (`a.b`, `c`).
pub fn split_parent(qualname: &str) -> Option<(&str, &str)> {
    qualname.rsplit_once('.')
}

impl Symbol {
    /// The record this one stands for, if any: an alias's target.
    pub fn points_to(&self) -> Option<&str> {
        self.target.as_deref()
    }
}

impl Snapshot {
    /// Follows alias records to the canonical definition, the way attribute access does:
    /// a recorded name, else the same name on what its parent resolves to (a member of an
    /// aliased class), else a member found through the bases of the class its parent names.
    /// Returns the name itself when it is not an alias, `None` when it is unknown. An alias
    /// whose target cannot be found (a compiled object no stub describes) is present all the
    /// same: it resolves to itself.
    pub fn resolve<'a>(&'a self, qualname: &str) -> Option<(String, &'a Symbol)> {
        self.resolve_within(qualname, 0)
    }

    /// [`Snapshot::resolve`], with the definition's name borrowed from the snapshot: what a
    /// surface of a few hundred thousand names stores.
    pub fn resolve_key<'a>(&'a self, qualname: &str) -> Option<(&'a str, &'a Symbol)> {
        let (def, sym) = self.resolve(qualname)?;
        // Every name `resolve` returns is that of the record it returns.
        let key = self
            .symbols
            .get_key_value(def.as_str())
            .map(|(k, _)| k.as_str());
        debug_assert!(key.is_some(), "`{def}` resolved but is no record");
        key.map(|k| (k, sym))
    }

    /// [`Snapshot::resolve`], `depth` parents deep: an alias to a member of itself
    /// (`pkg.f` → `pkg.f.f`, a package attribute named as its submodule) must end, not recurse.
    fn resolve_within<'a>(&'a self, qualname: &str, depth: usize) -> Option<(String, &'a Symbol)> {
        if depth > 64 {
            return None;
        }
        let mut name = qualname.to_string();
        let mut last_alias: Option<(String, &'a Symbol)> = None;
        // Bounded: alias chains in real packages are a few links long; a cycle is a bug in the
        // package and must not hang us.
        for _ in 0..32 {
            if let Some(sym) = self.symbols.get(&name) {
                match sym.points_to() {
                    Some(target) if target != name => {
                        last_alias = Some((name, sym));
                        name = target.to_string();
                        continue;
                    }
                    _ => return Some((name, sym)),
                }
            }
            let Some((parent, last)) = split_parent(&name) else {
                return last_alias;
            };
            let Some((resolved_parent, parent_sym)) = self.resolve_within(parent, depth + 1) else {
                return last_alias;
            };
            if resolved_parent != parent {
                name = format!("{resolved_parent}.{last}");
                continue;
            }
            if parent_sym.kind == Kind::Class {
                return self.lookup_inherited(parent_sym, last, 0).or(last_alias);
            }
            return last_alias;
        }
        last_alias
    }

    /// Whether `import`, `from m import x` or attribute access finds the name: it resolves,
    /// or its module binds it without exporting it (see [`Symbol::reachable`]).
    pub fn reachable(&self, qualname: &str) -> bool {
        if self.resolve(qualname).is_some() {
            return true;
        }
        split_parent(qualname).is_some_and(|(parent, last)| {
            let lists = |p: &Symbol| {
                (p.kind == Kind::Module || p.submodule) && p.reachable.iter().any(|r| r == last)
            };
            // The record at the parent's own name first: a package attribute that shadows a
            // submodule carries the submodule's list, and resolves to something else.
            self.symbols.get(parent).is_some_and(lists)
                || self.resolve(parent).is_some_and(|(_, p)| lists(p))
        })
    }

    /// Whether `qualname` is a member of a class the snapshot names without recording (a
    /// private class outside the public surface, kept as its kind alone): its members, its
    /// bases, and so whether it has this one, are not known.
    pub fn member_of_unrecorded_class(&self, qualname: &str) -> bool {
        split_parent(qualname).is_some_and(|(parent, _)| {
            self.resolve(parent).is_some_and(|(_, p)| {
                p.kind == Kind::Class && p.defined.is_none() && p.bases.is_empty()
            })
        })
    }

    /// Notices on the path itself rather than on what it leads to: an alias record's own
    /// deprecations (a module `__getattr__` that warns and hands out the new home's object).
    pub fn alias_notices(&self, qualname: &str) -> &[Deprecation] {
        self.symbols
            .get(qualname)
            .filter(|s| s.kind == Kind::Alias)
            .map_or(&[], |s| s.deprecated.as_slice())
    }

    /// For a member `C.x` that `C` no longer declares: the `__getattr__` that `C` defines or
    /// inherits, which instances fall back to for attributes their class lacks (a registry of
    /// functions attached at run time). Whether it serves `x` is not known statically.
    pub fn served_by_getattr(&self, qualname: &str) -> Option<String> {
        let (parent, _) = split_parent(qualname)?;
        let (class, sym) = self.resolve(parent)?;
        if sym.kind != Kind::Class {
            return None;
        }
        let (found, _) = self.resolve(&format!("{class}.__getattr__"))?;
        Some(found)
    }

    fn lookup_inherited<'a>(
        &'a self,
        class: &'a Symbol,
        member: &str,
        depth: usize,
    ) -> Option<(String, &'a Symbol)> {
        if depth > 16 {
            return None;
        }
        for base in &class.bases {
            let candidate = format!("{base}.{member}");
            if let Some(sym) = self.symbols.get(&candidate) {
                return Some((candidate, sym));
            }
            if let Some(base_sym) = self.symbols.get(base) {
                if base_sym.kind == Kind::Class {
                    if let Some(found) = self.lookup_inherited(base_sym, member, depth + 1) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }

    /// The effective stability of a name, with the evidence that decided it. The first that
    /// applies wins: a marker on the record itself, a marker on the definition an alias points
    /// to, a marker on an enclosing class or module, an `experimental` path component, a
    /// private path component. Everything else is stable.
    pub fn stability(&self, qualname: &str) -> Stability {
        if let Some(found) = self.stated_stability(qualname) {
            return found;
        }
        let parts: Vec<&str> = qualname.split('.').collect();
        if let Some(i) = parts.iter().position(|p| *p == "experimental") {
            return Stability {
                tier: Tier::Experimental,
                evidence: format!(
                    "path component `experimental` in `{}`",
                    parts[..=i].join(".")
                ),
            };
        }
        if let Some(i) = parts.iter().position(|p| is_private_component(p)) {
            return Stability {
                tier: Tier::Private,
                evidence: format!(
                    "private path component `{}` in `{}`",
                    parts[i],
                    parts[..=i].join(".")
                ),
            };
        }
        Stability {
            tier: Tier::Stable,
            evidence: String::new(),
        }
    }

    fn stated_stability(&self, qualname: &str) -> Option<Stability> {
        self.stated_stability_within(qualname, 0)
    }

    /// `depth` aliases deep: an alias to a member of itself must end.
    fn stated_stability_within(&self, qualname: &str, depth: usize) -> Option<Stability> {
        if depth > 16 {
            return None;
        }
        let mut name = qualname;
        loop {
            if let Some(sym) = self.symbols.get(name) {
                if let Some(st) = &sym.stability {
                    return Some(st.clone());
                }
                if name == qualname && sym.kind == Kind::Alias {
                    if let Some((target, target_sym)) = self.resolve(name) {
                        if let Some(st) = &target_sym.stability {
                            return Some(st.clone());
                        }
                        // A marker on the module or class that defines the target counts too,
                        // but never the target's private path: the alias is what users see.
                        if let Some((parent, _)) = split_parent(&target) {
                            if let Some(st) = self.stated_stability_within(parent, depth + 1) {
                                return Some(st);
                            }
                        }
                    }
                }
            }
            name = split_parent(name)?.0;
        }
    }
}
