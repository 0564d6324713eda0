//! The pre-upgrade check: which uses in a user's code the span `from` → `to` affects.
//!
//! Files are read ([`files`]), names resolved ([`python`]), and every use of a tracked package
//! assessed against [`Knowledge`]: the two snapshots and the composed changes in between.

mod check;
pub mod config;
pub mod files;
pub mod guards;
pub mod project;
pub mod python;
pub mod rules;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::diff::{Change, ChangeKind};
use crate::snapshot::{split_parent, Kind, Snapshot};
use crate::util::LineIndex;
pub use check::{check, CheckError, CheckReport, CheckSettings};
use python::UseKind;
use rules::{Level, Rule, State, Subject, Verdict};

/// Verdicts by (qualified name, kind of use).
/// Verdicts by qualified name, then by kind of use: two levels so that a lookup borrows the
/// name instead of building a key (most uses of a large project hit the cache).
type VerdictCache = rustc_hash::FxHashMap<String, Vec<(UseKind, std::sync::Arc<Vec<Verdict>>)>>;

/// What is known about the span: the source and target releases and every change between.
pub struct Knowledge {
    pub from: Snapshot,
    pub to: Snapshot,
    changes: Vec<Change>,
    moves: HashMap<String, Change>,
    /// In the target: definition → its shortest public name.
    public_name: HashMap<String, String>,
    /// In the source release: definitions that had a public name.
    public_before: HashSet<String>,
    /// Verdicts by (qualified name, kind of use), shared by every file of a run.
    cache: std::sync::RwLock<VerdictCache>,
    /// In the target: a symbol-level deprecation's replacement → the distinct last names of
    /// the definitions it replaces. Built on first use.
    replaced_names: std::sync::OnceLock<HashMap<String, usize>>,
    /// The target's release numbers, for version tests in user code.
    to_numbers: Vec<u64>,
}

impl Knowledge {
    /// `from` and `to` are the source and target releases; `changes` the diffs of the
    /// consecutive releases between them; `public_from`/`public_to` the definition → shortest
    /// public name maps of the two.
    pub fn new(
        from: Snapshot,
        to: Snapshot,
        changes: Vec<Change>,
        public_from: HashMap<String, String>,
        public_to: HashMap<String, String>,
    ) -> Knowledge {
        let moves = changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Moved)
            .map(|c| (c.symbol.clone(), c.clone()))
            .collect();
        Knowledge {
            from,
            changes,
            moves,
            public_name: public_to,
            public_before: public_from.into_keys().collect(),
            cache: Default::default(),
            replaced_names: Default::default(),
            to_numbers: guards::release_numbers(&to.version).unwrap_or_default(),
            to,
        }
    }

    /// The longest prefix of `q` the source release knows (uses like `torch.x.y.method` reach
    /// into things the snapshots do not list).
    fn known_prefix<'a>(&self, q: &'a str) -> Option<&'a str> {
        let mut name = q;
        loop {
            if self.from.resolve(name).is_some() || self.to.resolve(name).is_some() {
                return Some(name);
            }
            name = split_parent(name)?.0;
        }
    }

    /// The first release in the span where a change of `kind` happened to `name`.
    pub fn since(&self, name: &str, kind: ChangeKind) -> Option<&str> {
        self.first_change(name, |c| c.kind == kind)
    }

    /// The first release in the span where a change of `kind` happened to parameter `param`
    /// of `name`.
    pub fn since_parameter(&self, name: &str, param: &str, kind: ChangeKind) -> Option<&str> {
        self.first_change(name, |c| {
            c.kind == kind && c.parameter.as_deref() == Some(param)
        })
    }

    /// The release of the first change that `pick` takes and that is about `name`: under that
    /// name or one the diff lists with it, else under any name of the same definition (a
    /// change reported at `pkg.Class.method` is one of `pkg.module.Class.method` too).
    fn first_change(&self, name: &str, pick: impl Fn(&Change) -> bool) -> Option<&str> {
        self.first_change_of(name, pick)
            .map(|c| c.new_version.as_str())
    }

    /// The first change of the span that `pick` takes and that is about `name` (see
    /// [`Knowledge::first_change`]).
    pub fn first_change_of(&self, name: &str, pick: impl Fn(&Change) -> bool) -> Option<&Change> {
        let named = |c: &&Change| c.symbol == name || c.also.iter().any(|a| a == name);
        if let Some(c) = self.changes.iter().filter(|c| pick(c)).find(named) {
            return Some(c);
        }
        let def = |n: &str| {
            self.to
                .resolve_key(n)
                .or_else(|| self.from.resolve_key(n))
                .map(|(d, _)| d)
        };
        let target = def(name)?;
        self.changes
            .iter()
            .filter(|c| pick(c))
            .find(|c| def(&c.symbol) == Some(target))
    }

    /// How many differently named definitions the target deprecates in favour of
    /// `replacement` as a whole: one name (`custom_op` for `_custom_op.custom_op`) is a
    /// substitute, many (`compile` for `jit.script`, `jit.trace`, `jit.ignore`, ...) a
    /// technology to move to.
    pub fn replaced_names(&self, replacement: &str) -> usize {
        let counts = self.replaced_names.get_or_init(|| {
            let mut names: HashMap<&str, HashSet<&str>> = HashMap::new();
            for (name, sym) in &self.to.symbols {
                let last = split_parent(name).map_or(name.as_str(), |(_, l)| l);
                for d in sym.deprecated.iter().filter(|d| d.parameter.is_none()) {
                    if let Some(r) = &d.replacement {
                        names.entry(r).or_default().insert(last);
                    }
                }
            }
            names
                .into_iter()
                .map(|(r, n)| (r.to_string(), n.len()))
                .collect()
        });
        counts.get(replacement).copied().unwrap_or(0)
    }

    /// Every change of the span's consecutive diffs, oldest first.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The target release's shortest public name of a definition.
    pub fn public_name(&self, def: &str) -> Option<&str> {
        self.public_name.get(def).map(String::as_str)
    }

    /// Whether a definition had a public name in the source release.
    pub fn had_public_name(&self, def: &str) -> bool {
        self.public_before.contains(def)
    }
}

impl guards::Target for Knowledge {
    fn version(&self) -> (&[u64], &str) {
        (&self.to_numbers, &self.to.version)
    }

    fn has(&self, name: &str) -> Option<bool> {
        if self.to.resolve(name).is_some() || self.to.reachable(name) {
            return Some(true);
        }
        // Absent only where the parent's members are all listed: public names of a module or
        // class the target has.
        let (parent, last) = split_parent(name)?;
        let listed = self.to.resolve(parent).is_some() || self.to.reachable(parent);
        (listed && !last.starts_with('_')).then_some(false)
    }

    fn fails(&self, name: &str, how: &UseKind) -> Option<bool> {
        if self.verdicts(name, how).iter().any(|v| v.raises.is_some()) {
            return Some(true);
        }
        self.has(name).map(|b| !b)
    }
}

impl Knowledge {
    /// The verdicts on one use, computed once per run.
    fn verdicts(&self, qualname: &str, how: &UseKind) -> std::sync::Arc<Vec<Verdict>> {
        let cached = self.cache.read().ok().and_then(|c| {
            c.get(qualname)?
                .iter()
                .find(|(h, _)| h == how)
                .map(|(_, v)| v.clone())
        });
        if let Some(v) = cached {
            return v;
        }
        let v = std::sync::Arc::new(assess(self, qualname, how));
        if let Ok(mut c) = self.cache.write() {
            c.entry(qualname.to_string())
                .or_default()
                .push((how.clone(), v.clone()));
        }
        v
    }
}

/// One finding, located in a file (and a notebook cell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub rule: &'static str,
    pub level: Level,
    pub path: String,
    /// For notebooks: the code cell (counting code cells from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub symbol: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// Assesses one use: what the span says about the name, then every rule on it.
fn assess(k: &Knowledge, qualname: &str, how: &UseKind) -> Vec<Verdict> {
    // Added and removed inside the span: neither end has it, but a release between did, and
    // the target has the module it was in (`torch.onnx.dynamo_export`, 2.1 to 2.8).
    let added_and_removed = k.from.resolve(qualname).is_none()
        && k.to.resolve(qualname).is_none()
        && !k.to.reachable(qualname)
        && [ChangeKind::Removed, ChangeKind::Tombstoned]
            .into_iter()
            .any(|kind| k.since(qualname, kind).is_some());
    let Some(name) = (if added_and_removed {
        Some(qualname)
    } else {
        k.known_prefix(qualname)
    }) else {
        return vec![];
    };
    let old = k.from.resolve(name);
    let new = k.to.resolve(name);
    let state = match (&old, &new) {
        // Still bound by its module without being exported: attribute access finds it.
        (Some(_), None) if k.to.reachable(name) => return vec![],
        // A member of a class the target names but does not record: not known to be gone.
        (Some(_), None) if k.to.member_of_unrecorded_class(name) => return vec![],
        // The class's `__getattr__` may serve it: whether the access fails is not known.
        (Some((_, sym)), None)
            if sym.instance
                && sym.kind != Kind::Attribute
                && k.to.served_by_getattr(name).is_some() =>
        {
            return vec![]
        }
        (Some(_), None) => State::Gone,
        (None, None) if added_and_removed => State::Gone,
        (old, Some((_, sym))) if sym.tombstone.is_some() => {
            if old.as_ref().is_some_and(|(_, s)| s.tombstone.is_some()) {
                State::AlwaysRaised
            } else {
                State::Tombstoned
            }
        }
        (_, Some(_)) => State::Present,
        (None, None) => return vec![],
    };
    // A move of the name itself or of an enclosing name (the module or class it lives in).
    let moved = std::iter::successors(Some(name), |n| split_parent(n).map(|(p, _)| p))
        .find_map(|n| k.moves.get(n).map(|m| (n, m)));
    rules::run_all(&Subject {
        k,
        name,
        how,
        state,
        old,
        new,
        moved,
    })
}

/// Which rules run, and at which level a finding fails the run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Per-file ignores: (glob, rule codes or names), matched against paths relative to
    /// `root` (the project folder holding the configuration).
    pub per_file_ignores: Vec<(globset::GlobMatcher, Vec<String>)>,
    pub root: String,
}

impl Selection {
    pub fn enabled(&self, rule: &Rule, path: &str) -> bool {
        let named = |list: &[String]| {
            list.iter()
                .any(|s| s.eq_ignore_ascii_case(rule.code) || s == rule.name || s == "ALL")
        };
        let on = rule.default || named(&self.select);
        let relative = path
            .strip_prefix(&self.root)
            .map(|r| r.trim_start_matches('/'))
            .unwrap_or(path);
        let off = named(&self.ignore)
            || self
                .per_file_ignores
                .iter()
                .any(|(g, codes)| (g.is_match(path) || g.is_match(relative)) && named(codes));
        on && !off
    }
}

/// Star imports are resolved before the snapshots are loaded (so that parsing can overlap
/// loading): any public name counts, and [`findings`] drops the ones the module lacks.
struct AnyPublicName;

impl python::Exports for AnyPublicName {
    fn has(&self, _module: &str, name: &str) -> bool {
        !name.starts_with('_')
    }
}

/// The torch names the project's own modules bind, read once per module for the whole run:
/// many files import from one `utils`, and a star import's target is often a large module.
#[derive(Default)]
pub struct ProjectModules {
    /// Each module file read, and what its top-level imports bind (`None`: unreadable).
    modules: std::sync::Mutex<HashMap<std::path::PathBuf, Option<std::sync::Arc<Bindings>>>>,
    /// For a folder and a top-level package name, the folder that package is imported from.
    roots: std::sync::Mutex<HashMap<(std::path::PathBuf, String), Option<std::path::PathBuf>>>,
}

/// What a module's top-level imports bind, with what each name stands for, and its
/// `__all__` when it has one.
#[derive(Debug, Default, PartialEq)]
struct Bindings {
    bound: Vec<(String, String)>,
    all: Option<Vec<String>>,
    /// Names bound by relative imports (`from ._backend import Tensor`): name, dots, module,
    /// the name there.
    relative: Vec<(String, u32, Option<String>, String)>,
}

impl Bindings {
    /// The names `from m import *` takes of those bound by imports: the `__all__` names,
    /// else the public ones.
    fn star(&self) -> Vec<String> {
        self.bound
            .iter()
            .map(|b| &b.0)
            .chain(self.relative.iter().map(|r| &r.0))
            .filter(|n| match &self.all {
                Some(list) => list.contains(n),
                None => !n.starts_with('_'),
            })
            .cloned()
            .collect()
    }
}

impl ProjectModules {
    /// The file of module `module` imported `level` dots up from `file` (0: absolute).
    fn module_file(
        &self,
        file: &std::path::Path,
        level: u32,
        module: Option<&str>,
    ) -> Option<std::path::PathBuf> {
        let mut dir = file.parent()?.to_path_buf();
        let parts: Vec<&str> = module.into_iter().flat_map(|m| m.split('.')).collect();
        if level == 0 {
            dir = self.import_root(&dir, parts.first()?)?;
        }
        for _ in 1..level {
            dir = dir.parent()?.to_path_buf();
        }
        let mut base = dir;
        for part in &parts {
            base.push(part);
        }
        // `from . import *` names the package itself; `from .m import *`, a module or one.
        let module_py = module.map(|_| base.with_extension("py"));
        module_py
            .into_iter()
            .chain([base.join("__init__.py")])
            .find(|c| c.is_file())
    }

    /// Where `import top` finds the project's package `top` from a file in `dir`: above the
    /// folder named `top` that `dir` is in; else the folder above the packages `dir` is in
    /// (as Python's path holds when the project runs), or the one above that (a `tests/`
    /// folder next to the package); `None` when `top` is not there, as for `typing`.
    fn import_root(&self, dir: &std::path::Path, top: &str) -> Option<std::path::PathBuf> {
        let key = (dir.to_path_buf(), top.to_string());
        if let Some(found) = self.roots.lock().expect("not poisoned").get(&key) {
            return found.clone();
        }
        let has = |d: &std::path::Path| {
            d.join(top).join("__init__.py").is_file() || d.join(format!("{top}.py")).is_file()
        };
        let within = dir
            .ancestors()
            .filter(|a| a.file_name().is_some_and(|n| n == top))
            .find_map(|a| a.parent().filter(|up| has(up)));
        let mut outside = dir;
        while outside.join("__init__.py").is_file() {
            match outside.parent() {
                Some(up) => outside = up,
                None => break,
            }
        }
        let found = within
            .or_else(|| {
                std::iter::once(outside)
                    .chain(outside.parent())
                    .find(|d| has(d))
            })
            .map(std::path::Path::to_path_buf);
        self.roots
            .lock()
            .expect("not poisoned")
            .insert(key, found.clone());
        found
    }

    /// What the module file at `path` binds, read once per run.
    fn bindings(&self, path: &std::path::Path) -> Option<std::sync::Arc<Bindings>> {
        if let Some(known) = self.modules.lock().expect("not poisoned").get(path) {
            return known.clone();
        }
        // Read outside the lock: two files asking at once read it twice, which is cheaper
        // than every file waiting on one read.
        let read = std::fs::read_to_string(path)
            .ok()
            .map(|text| std::sync::Arc::new(module_imports(&text)));
        self.modules
            .lock()
            .expect("not poisoned")
            .insert(path.to_path_buf(), read.clone());
        read
    }

    /// What `name` in the module file at `path` stands for, followed down a chain of
    /// re-exports `depth` links deep so far (`from .core import Tensor`, where `core` has
    /// `from ._backend import Tensor`, which has `Tensor = torch.Tensor`). `None` for a
    /// name the module does not bind by importing a package other than the project.
    fn resolve_name(&self, path: &std::path::Path, name: &str, depth: usize) -> Option<String> {
        /// Longer chains than this are not followed; so a cycle of imports ends.
        const CHAIN: usize = 4;
        let b = self.bindings(path)?;
        if let Some((_, qual)) = b.bound.iter().find(|(n, _)| n == name) {
            // An absolute import of the project's own module is followed like a relative one.
            let ours = qual.rsplit_once('.').filter(|(m, _)| {
                let top = m.split('.').next().unwrap_or(m);
                path.parent()
                    .is_some_and(|dir| self.import_root(dir, top).is_some())
            });
            return match ours {
                None => Some(qual.clone()),
                Some(_) if depth >= CHAIN => None,
                Some((m, last)) => {
                    let there = self.module_file(path, 0, Some(m))?;
                    self.resolve_name(&there, last, depth + 1)
                }
            };
        }
        let (_, level, module, there_name) = b.relative.iter().find(|r| r.0 == name)?;
        if depth >= CHAIN {
            return None;
        }
        let there = self.module_file(path, *level, module.as_deref())?;
        self.resolve_name(&there, there_name, depth + 1)
    }
}

/// [`AnyPublicName`], plus the project's own modules, found from `file`.
struct FromFile<'a> {
    file: Option<&'a std::path::Path>,
    project: &'a ProjectModules,
}

impl python::Exports for FromFile<'_> {
    fn has(&self, module: &str, name: &str) -> bool {
        AnyPublicName.has(module, name)
    }

    fn project_star(&self, level: u32, module: Option<&str>) -> Vec<(String, String)> {
        let Some(path) = self
            .file
            .and_then(|f| self.project.module_file(f, level, module))
        else {
            return Vec::new();
        };
        let Some(b) = self.project.bindings(&path) else {
            return Vec::new();
        };
        b.star()
            .into_iter()
            .filter_map(|n| Some((n.clone(), self.project.resolve_name(&path, &n, 0)?)))
            .collect()
    }

    fn project_name(&self, level: u32, module: Option<&str>, name: &str) -> Option<String> {
        let path = self.project.module_file(self.file?, level, module)?;
        self.project.resolve_name(&path, name, 0)
    }
}

/// The names a module's top-level absolute imports bind (`import torch`, `import torch.nn as
/// nn`, `from torch import nn`), with what they stand for, and its `__all__`. A name the
/// module also defines or assigns at top level stands for no one import, and is left out.
fn module_imports(text: &str) -> Bindings {
    use ruff_python_ast::{Expr, Stmt};
    // A module is often read only for its imports: parsing the few statements that can bind
    // them costs a fraction of the whole. When the cut-down source may be wrong, the module
    // is read in full.
    let cut = top_level_imports(text)
        .and_then(|(c, defined)| Some((crate::util::python::parse_module(&c).ok()?, defined)));
    let (parsed, mut defined) = match cut {
        Some(found) => found,
        None => match crate::util::python::parse_module(text) {
            Ok(parsed) => {
                let defined = top_level_definitions(&parsed.syntax().body);
                (parsed, defined)
            }
            Err(_) => return Bindings::default(),
        },
    };
    defined.retain(|n| n != "__all__");
    let mut bound: Vec<(String, String)> = Vec::new();
    let mut relative = Vec::new();
    let mut all: Option<Vec<String>> = None;
    for stmt in &parsed.syntax().body {
        match stmt {
            Stmt::Import(imp) => {
                for a in &imp.names {
                    let full = a.name.as_str();
                    match &a.asname {
                        Some(n) => bound.push((n.to_string(), full.to_string())),
                        None => {
                            let top = full.split('.').next().unwrap_or(full);
                            bound.push((top.to_string(), top.to_string()));
                        }
                    }
                }
            }
            Stmt::ImportFrom(imp) if imp.level == 0 => {
                let Some(m) = imp.module.as_ref() else {
                    continue;
                };
                for a in imp.names.iter().filter(|a| a.name.as_str() != "*") {
                    let name = a.asname.as_ref().unwrap_or(&a.name).to_string();
                    bound.push((name, format!("{m}.{}", a.name)));
                }
            }
            Stmt::ImportFrom(imp) => {
                for a in imp.names.iter().filter(|a| a.name.as_str() != "*") {
                    let name = a.asname.as_ref().unwrap_or(&a.name).to_string();
                    let module = imp.module.as_ref().map(|m| m.to_string());
                    relative.push((name, imp.level, module, a.name.to_string()));
                }
            }
            // `Tensor = torch.Tensor`: an alias of what an import bound.
            Stmt::Assign(a)
                if matches!(a.targets.as_slice(), [Expr::Name(n)] if n.id.as_str() != "__all__")
                    && dotted_of(&a.value, &bound).is_some() =>
            {
                let [Expr::Name(n)] = a.targets.as_slice() else {
                    continue;
                };
                let q = dotted_of(&a.value, &bound).expect("tested");
                bound.push((n.id.to_string(), q));
            }
            Stmt::Assign(a) => {
                let is_all = a
                    .targets
                    .iter()
                    .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "__all__"));
                if !is_all {
                    // `load = other.load`, of something no import bound: the module's own.
                    defined.extend(a.targets.iter().filter_map(|t| match t {
                        Expr::Name(n) => Some(n.id.to_string()),
                        _ => None,
                    }));
                }
                if is_all {
                    let elts = match a.value.as_ref() {
                        Expr::List(l) => &l.elts,
                        Expr::Tuple(t) => &t.elts,
                        _ => continue,
                    };
                    all = Some(
                        elts.iter()
                            .filter_map(|e| match e {
                                Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
                                _ => None,
                            })
                            .collect(),
                    );
                }
            }
            _ => {}
        }
    }
    // Bound twice (`from torch import load` and `from .io import load`, or two imports of one
    // name): no one meaning either.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for n in bound
        .iter()
        .map(|b| &b.0)
        .chain(relative.iter().map(|r| &r.0))
    {
        *seen.entry(n.clone()).or_default() += 1;
    }
    bound.retain(|(n, _)| seen[n] == 1 && !defined.contains(n));
    relative.retain(|r| seen[&r.0] == 1 && !defined.contains(&r.0));
    Bindings {
        bound,
        all,
        relative,
    }
}

/// What a dotted name stands for (`torch.Tensor`), when its first part is in `bound`.
fn dotted_of(e: &ruff_python_ast::Expr, bound: &[(String, String)]) -> Option<String> {
    use ruff_python_ast::Expr;
    match e {
        Expr::Name(n) => bound
            .iter()
            .rev()
            .find(|(b, _)| b == n.id.as_str())
            .map(|(_, q)| q.clone()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted_of(&a.value, bound)?, a.attr)),
        _ => None,
    }
}

/// A name or an attribute chain (`torch.Tensor`).
fn is_dotted(e: &ruff_python_ast::Expr) -> bool {
    use ruff_python_ast::Expr;
    match e {
        Expr::Name(_) => true,
        Expr::Attribute(a) => is_dotted(&a.value),
        _ => false,
    }
}

/// The names a module body defines or assigns at top level (`def f`, `class C`, `x = ...`),
/// but for aliases (`x = a.b`), which [`module_imports`] reads as bindings.
fn top_level_definitions(body: &[ruff_python_ast::Stmt]) -> Vec<String> {
    use ruff_python_ast::{Expr, Stmt};
    let mut out = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(f) => out.push(f.name.to_string()),
            Stmt::ClassDef(c) => out.push(c.name.to_string()),
            Stmt::Assign(a) if !is_dotted(&a.value) => {
                out.extend(a.targets.iter().filter_map(|t| match t {
                    Expr::Name(n) => Some(n.id.to_string()),
                    _ => None,
                }))
            }
            Stmt::AnnAssign(a) => {
                if let Expr::Name(n) = a.target.as_ref() {
                    out.push(n.id.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

/// The logical lines of `text` that start at column 0 with `import`, `from` or `__all__`, or
/// alias a dotted name (`x = a.b`): the only top-level statements [`module_imports`] reads. Strings, comments, brackets and
/// backslash continuations are followed, so a line inside a docstring or a call is not taken
/// and a statement spanning lines is taken whole. With them, the names other top-level lines
/// define (`def f`, `class C`, `x = ...`, `x: int`). `None` when the reading did not come out
/// even (a bracket left open or closed twice, a string left open): a source this reading is
/// too simple for, such as an f-string nesting its own quotes.
fn top_level_imports(text: &str) -> Option<(String, Vec<String>)> {
    /// The bytes the reading stops at: comments, strings, brackets, continuations, lines.
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        let mut k = 0;
        let bytes = b"#'\"()[]{}\\\n";
        while k < bytes.len() {
            t[bytes[k] as usize] = true;
            k += 1;
        }
        t
    };
    fn defined(rest: &[u8]) -> Option<String> {
        let ident = |r: &[u8]| -> usize {
            r.iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c >= 0x80)
                .count()
        };
        let rest = rest.strip_prefix(b"async ").unwrap_or(rest);
        for keyword in [&b"def "[..], b"class "] {
            if let Some(r) = rest.strip_prefix(keyword) {
                let r = r.trim_ascii_start();
                return Some(String::from_utf8_lossy(&r[..ident(r)]).into_owned());
            }
        }
        let n = ident(rest);
        let after = rest[n..].trim_ascii_start();
        let assigns =
            (after.starts_with(b"=") && !after.starts_with(b"==")) || after.starts_with(b":");
        (n > 0 && assigns).then(|| String::from_utf8_lossy(&rest[..n]).into_owned())
    }
    /// `x = a.b` alone on its line: an alias, kept with the imports.
    fn alias(rest: &[u8]) -> bool {
        let line = rest.split(|c| *c == b'\n').next().unwrap_or_default();
        let line = line.split(|c| *c == b'#').next().unwrap_or_default();
        let name = |s: &[u8]| {
            !s.is_empty()
                && !s[0].is_ascii_digit()
                && s.iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80)
        };
        let mut parts = line.splitn(2, |c| *c == b'=');
        let (Some(target), Some(value)) = (parts.next(), parts.next()) else {
            return false;
        };
        name(target.trim_ascii_end()) && value.trim_ascii().split(|c| *c == b'.').all(name)
    }
    fn starts_statement(rest: &[u8]) -> bool {
        let word = |w: &[u8]| {
            rest.starts_with(w)
                && rest
                    .get(w.len())
                    .is_some_and(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
        };
        word(b"import") || word(b"from") || word(b"__all__")
    }
    let b = text.as_bytes();
    let mut out = String::new();
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut kept: Option<usize> = None;
    let mut at_line_start = true;
    let mut i = 0;
    while i < b.len() {
        if at_line_start {
            at_line_start = false;
            if depth == 0 && (starts_statement(&b[i..]) || alias(&b[i..])) {
                kept = Some(i);
            } else if let Some(name) = (depth == 0).then(|| defined(&b[i..])).flatten() {
                names.push(name);
            }
        }
        match b[i] {
            b'#' => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |j| i + j);
                continue;
            }
            q @ (b'\'' | b'"') => {
                let triple = b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
                i += if triple { 3 } else { 1 };
                // To the closing quote, past escapes; a one-line string ends at the line.
                loop {
                    let next = if triple {
                        memchr::memchr2(q, b'\\', &b[i..])
                    } else {
                        memchr::memchr3(q, b'\\', b'\n', &b[i..])
                    };
                    i += next?;
                    match b[i] {
                        b'\\' => i += 2,
                        b'\n' => return None,
                        _ if !triple => break,
                        _ if b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) => {
                            i += 2;
                            break;
                        }
                        _ => i += 1,
                    }
                    if i >= b.len() {
                        return None;
                    }
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.checked_sub(1)?,
            b'\\' => {
                // A continuation joins the next line to this one.
                i += if b.get(i + 1) == Some(&b'\r') { 2 } else { 1 };
            }
            b'\n' if depth == 0 => {
                if let Some(start) = kept.take() {
                    out.push_str(&text[start..=i]);
                }
                at_line_start = true;
            }
            _ => {
                // Code between the bytes that matter is skipped in one go.
                i += 1;
                while i < b.len() && !SPECIAL[b[i] as usize] {
                    i += 1;
                }
                continue;
            }
        }
        i += 1;
    }
    if depth != 0 {
        return None;
    }
    if let Some(start) = kept {
        out.push_str(&text[start..]);
        out.push('\n');
    }
    Some((out, names))
}

/// The uses of `package` in one file's modules (one, or a notebook's cells, which share one
/// namespace as in a kernel), each tagged with the index of its module. `file`, when given,
/// is where the project's own modules are looked up (`from .m import *`, `from pkg.core
/// import Tensor`), through `project`, shared by the files of one run.
pub fn file_uses(
    package: &str,
    nicknames: &[String],
    modules: &[&ruff_python_ast::ModModule],
    file: Option<&std::path::Path>,
    project: &ProjectModules,
) -> Vec<(usize, python::Use)> {
    python::uses_in(modules, &[package], nicknames, &FromFile { file, project })
}

/// The findings for one file's uses. `pieces` are the (cell, source) of its modules, in the
/// order the use indexes refer to.
pub fn findings(
    path: &str,
    pieces: &[(Option<usize>, &str)],
    uses: &[(usize, python::Use)],
    knowledge: &Knowledge,
    selection: &Selection,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // Findings at imports that stand for the file's uses, and the (rule, symbol, verdict
    // message) of the findings at uses: an import's goes when its uses are reported.
    let mut at_imports: Vec<(usize, (&'static str, String, String))> = Vec::new();
    let mut at_uses: HashSet<(&'static str, String, String)> = HashSet::new();
    let indexes: Vec<(LineIndex, Suppressions)> = pieces
        .iter()
        .map(|(_, src)| (LineIndex::new(src), suppressions(src)))
        .collect();
    for (piece, u) in uses {
        if u.from_star
            && knowledge.from.resolve(&u.qualname).is_none()
            && knowledge.to.resolve(&u.qualname).is_none()
        {
            continue;
        }
        let (index, suppressions) = &indexes[*piece];
        let cell = pieces[*piece].0;
        let verdicts = knowledge.verdicts(&u.qualname, &u.how);
        if verdicts.is_empty() {
            continue;
        }
        let (line, column) = index.position(u.range.start().to_usize());
        let (end_line, end_column) = index.position(u.range.end().to_usize());
        let line_of = |at: ruff_text_size::TextSize| index.position(at.to_usize()).0;
        // A branch the target never takes: what it uses is a fallback for older releases.
        let dead = u
            .guards
            .iter()
            .find(|g| g.test.holds(knowledge) == Some(false))
            .map(|g| {
                let target = &knowledge.to.version;
                let line = line_of(g.at);
                match &g.test {
                    guards::Test::TryFails(_) => format!(
                        "this runs only when the `try` block at line {line} fails, and what that block uses is all in {target}: a fallback for older releases that can go when you drop them"
                    ),
                    test => {
                        let when = test.explain_false(knowledge, &knowledge.to.package);
                        match test.serves_older(knowledge) {
                            Some(true) => format!(
                                "this runs only on {when} (the test at line {line}), not on {target}: a fallback that can go when you drop {when}"
                            ),
                            Some(false) => format!(
                                "this runs only on {when} (the test at line {line}), not on {target}: code for a later release"
                            ),
                            None => format!(
                                "this runs only when {when} (the test at line {line}), which is not so in {target}: a fallback for older releases that can go when you drop them"
                            ),
                        }
                    }
                }
            });
        let replaced = u
            .replaced
            .as_ref()
            .filter(|g| g.test.holds(knowledge) == Some(true))
            .map(|g| {
                format!(
                    "the name is replaced when {} (line {}), as it is in {}, so this value is not what runs",
                    g.test.describe(&knowledge.to.package),
                    line_of(g.at),
                    knowledge.to.version
                )
            });
        for v in verdicts.iter() {
            if !selection.enabled(v.rule, path) || suppressed(suppressions, line, v.rule) {
                continue;
            }
            let caught = v.raises.and_then(|r| {
                let c = u.caught.iter().rev().find_map(|c| Some((c.catches(r)?, c)))?;
                let clause = if c.0.is_empty() {
                    "except:".to_string()
                } else {
                    format!("except {}", c.0)
                };
                Some(format!(
                    "the `{clause}` of the `try` at line {} catches the {} it raises, and the fallback runs",
                    line_of(c.1.at),
                    r.name()
                ))
            });
            // What stops the finding from being what the upgrade does, if anything.
            let excuse = dead
                .clone()
                .or(caught)
                .or_else(|| replaced.clone().filter(|_| v.raises.is_none()));
            let (level, message) = match excuse {
                Some(why) => (
                    Level::Info,
                    format!("{}; but {why}", v.message.trim_end_matches('.')),
                ),
                None => (v.level, v.message.clone()),
            };
            if !seen.insert((cell, line, column, v.rule.code, message.clone())) {
                continue;
            }
            if v.at_uses {
                let key = (v.rule.code, v.symbol.clone(), v.message.clone());
                if u.how == python::UseKind::Import {
                    at_imports.push((out.len(), key));
                } else {
                    at_uses.insert(key);
                }
            }
            out.push(Finding {
                code: v.rule.code,
                rule: v.rule.name,
                level,
                path: path.to_string(),
                cell,
                line,
                column,
                end_line,
                end_column,
                symbol: v.symbol.clone(),
                message,
                fix: v.fix.clone(),
            });
        }
    }
    let dropped: HashSet<usize> = at_imports
        .into_iter()
        .filter(|(_, key)| at_uses.contains(key))
        .map(|(i, _)| i)
        .collect();
    if !dropped.is_empty() {
        let mut i = 0;
        out.retain(|_| {
            i += 1;
            !dropped.contains(&(i - 1))
        });
    }
    out
}

/// Per line: suppressed rules (`None`: every rule).
type Suppressions = HashMap<usize, Option<Vec<String>>>;

/// `# apidrift: ignore` (every rule) or `# apidrift: ignore[AD003, moved-api]` on a line.
fn suppressions(source: &str) -> Suppressions {
    let mut out = HashMap::new();
    // One search over the file spares a per-line search in the many files without any.
    if !source.contains("# apidrift: ignore") {
        return out;
    }
    for (i, line) in source.lines().enumerate() {
        let Some(at) = line.find("# apidrift: ignore") else {
            continue;
        };
        let rest = &line[at + "# apidrift: ignore".len()..];
        let codes = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(list, _)| {
                list.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            });
        out.insert(i + 1, codes);
    }
    out
}

fn suppressed(map: &Suppressions, line: usize, rule: &Rule) -> bool {
    match map.get(&line) {
        None => false,
        Some(None) => true,
        Some(Some(codes)) => codes
            .iter()
            .any(|c| c.eq_ignore_ascii_case(rule.code) || c == rule.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_imports_follow_strings_brackets_and_continuations() {
        let text = concat!(
            "\"\"\"Docs.\n",
            "import not_this\n",
            "\"\"\"\n",
            "import os.path as p  # a comment with a \" quote\n",
            "from a import (\n",
            "    b,\n",
            ")\n",
            "x = f(\n",
            "import_not_this)\n",
            "s = 'it''s'; t = \"\"\"\n",
            "from not_this import y\"\"\"\n",
            "from c \\\n",
            "    import d\n",
            "def g():\n",
            "    import not_this_either\n",
            "    nor = this.alias\n",
            "alias = torch.Tensor  # kept\n",
            "importlib = 1\n",
            "__all__ = [\"p\", \"b\",\n",
            "    \"d\"]\n",
            "from e import f",
        );
        let (imports, defined) = top_level_imports(text).unwrap();
        assert_eq!(
            imports,
            concat!(
                "import os.path as p  # a comment with a \" quote\n",
                "from a import (\n",
                "    b,\n",
                ")\n",
                "from c \\\n",
                "    import d\n",
                "alias = torch.Tensor  # kept\n",
                "__all__ = [\"p\", \"b\",\n",
                "    \"d\"]\n",
                "from e import f\n",
            )
        );
        assert_eq!(defined, ["x", "s", "g", "importlib"]);
    }

    #[test]
    fn module_imports_read_in_full_when_the_cut_is_not_python() {
        // An f-string nesting its own quotes (Python 3.12) around a bracket: read as strings
        // and code, the bracket stays open and hides the import; the full parse finds it.
        let text = "v = f\"{x!r:{\"(\"}}\"\nimport torch\n__all__ = [\"torch\"]\n";
        assert_eq!(top_level_imports(text), None);
        let b = module_imports(text);
        assert_eq!(b.star(), ["torch"]);
        assert_eq!(b.bound, [("torch".to_string(), "torch".to_string())]);
        assert_eq!(b.all, Some(vec!["torch".to_string()]));
    }

    #[test]
    fn module_imports_bind_one_meaning_or_none() {
        let text = "from torch import nn as _n, optim, load, save\nimport torch.nn.functional as F\ndef load(f): ...\nsave = wrap(save)\nfrom torch import Tensor\nfrom numpy import Tensor\n";
        let b = module_imports(text);
        let pair = |n: &str, q: &str| (n.to_string(), q.to_string());
        // `load` and `save` are the module's own; `Tensor` is bound twice.
        assert_eq!(
            b.bound,
            [
                pair("_n", "torch.nn"),
                pair("optim", "torch.optim"),
                pair("F", "torch.nn.functional")
            ]
        );
        assert_eq!(b.star(), ["optim", "F"]);
        // The same read from the whole module, when the cut cannot be trusted.
        let uneven = format!("{text}v = f\"{{x!r:{{\"(\"}}}}\"\n");
        assert_eq!(top_level_imports(&uneven), None);
        assert_eq!(module_imports(&uneven), b);
    }

    #[test]
    fn project_modules_found_as_python_imports_them() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let write = |rel: &str, text: &str| {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("proj/pkg/__init__.py", "");
        write(
            "proj/pkg/core/__init__.py",
            "from torch import Tensor\nimport torch.nn as nn\n__all__ = ['Tensor']\n",
        );
        write("proj/pkg/geo/__init__.py", "");
        write("proj/pkg/geo/plane.py", "");
        // A namespace package (no `__init__.py`) inside the package.
        write("proj/pkg/ns/sphere.py", "");
        write("proj/tests/test_plane.py", "");
        write("proj/helpers.py", "from torch import load\n");
        // A chain of re-exports: relative, absolute, and an alias.
        write(
            "proj/pkg/chain/__init__.py",
            "from ._backend import Tensor as T, nn\nfrom pkg.core import Tensor\n",
        );
        write("proj/pkg/chain/_backend.py", "import torch\nfrom . import _backend\nTensor = torch.Tensor  # the class\nnn = torch.nn\nother = torch.nn.Module()\n");
        let project = ProjectModules::default();
        let look = |file: &str, level: u32, module: &str, name: &str| {
            let f = dir.join(file);
            python::Exports::project_name(
                &FromFile {
                    file: Some(&f),
                    project: &project,
                },
                level,
                Some(module),
                name,
            )
        };
        assert_eq!(
            look("proj/pkg/geo/plane.py", 0, "pkg.core", "Tensor").as_deref(),
            Some("torch.Tensor")
        );
        // Not in `__all__`, still importable by name.
        assert_eq!(
            look("proj/pkg/geo/plane.py", 0, "pkg.core", "nn").as_deref(),
            Some("torch.nn")
        );
        assert_eq!(
            look("proj/pkg/geo/plane.py", 2, "core", "Tensor").as_deref(),
            Some("torch.Tensor")
        );
        // A test folder next to the package, and a module beside the package.
        assert_eq!(
            look("proj/tests/test_plane.py", 0, "pkg.core", "Tensor").as_deref(),
            Some("torch.Tensor")
        );
        assert_eq!(
            look("proj/pkg/geo/plane.py", 0, "helpers", "load").as_deref(),
            Some("torch.load")
        );
        assert_eq!(
            look("proj/pkg/ns/sphere.py", 0, "pkg.core", "Tensor").as_deref(),
            Some("torch.Tensor")
        );
        assert_eq!(
            look("proj/pkg/geo/plane.py", 0, "pkg.chain", "T").as_deref(),
            Some("torch.Tensor")
        );
        assert_eq!(
            look("proj/pkg/geo/plane.py", 2, "chain", "nn").as_deref(),
            Some("torch.nn")
        );
        assert_eq!(
            look("proj/pkg/geo/plane.py", 0, "pkg.chain", "Tensor").as_deref(),
            Some("torch.Tensor")
        );
        assert_eq!(
            look("proj/pkg/geo/plane.py", 0, "pkg.chain._backend", "other"),
            None
        );
        // What is not the project's, or not bound by an import there.
        assert_eq!(look("proj/pkg/geo/plane.py", 0, "typing", "Optional"), None);
        assert_eq!(look("proj/pkg/geo/plane.py", 0, "pkg.core", "Module"), None);
        assert_eq!(
            look("proj/pkg/geo/plane.py", 0, "pkg.missing", "Tensor"),
            None
        );
        let star = python::Exports::project_star(
            &FromFile {
                file: Some(&dir.join("proj/pkg/geo/plane.py")),
                project: &project,
            },
            0,
            Some("pkg.core"),
        );
        assert_eq!(star, [("Tensor".to_string(), "torch.Tensor".to_string())]);
    }

    #[test]
    fn suppression_comments() {
        let map =
            suppressions("a\nb  # apidrift: ignore[AD003, moved-api]\nc # apidrift: ignore\n");
        let rule = |code| rules::find(code).unwrap();
        assert!(!suppressed(&map, 1, rule("AD003")));
        assert!(suppressed(&map, 2, rule("AD003")));
        assert!(suppressed(&map, 2, rule("AD002")));
        assert!(!suppressed(&map, 2, rule("AD001")));
        assert!(suppressed(&map, 3, rule("AD001")));
    }
}
