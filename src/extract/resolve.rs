//! Joining the modules: namespaces (with star imports and profile runtime exports),
//! `__all__` evaluation, re-export targets, base classes, and finally the symbol table.
//!
//! Everything here is a lookup with memoisation and a cycle guard: packages do import
//! themselves in circles (`torch` star-imports modules that import `torch`), and a cycle must
//! give "not known" rather than a hang.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use super::all::{AllOp, AllPart};
use super::markers;
use super::module::{Binding, Def, FileContext, ModuleFacts, Value};
use super::notices::doc_markers;
use super::profile::Profile;
use crate::snapshot::{is_private_component, is_private_name, Deprecation, Kind, Symbol};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A definition in the package (module-level or class member), by canonical name.
    Def(String),
    Module(String),
    /// A name inside the package that no module defines statically (compiled code).
    Missing(String),
    External(String),
}

#[derive(Debug, Clone)]
enum Entry {
    Binding(usize),
    Star { from: String },
    Runtime { from: String },
}

pub struct Resolver<'a> {
    package: &'a str,
    profile: &'a Profile,
    modules: BTreeMap<String, ModuleFacts>,
    namespaces: RefCell<HashMap<String, Rc<BTreeMap<String, Entry>>>>,
    exports: RefCell<HashMap<String, Rc<Exports>>>,
    lookups: RefCell<HashMap<(String, String), Option<Target>>>,
    busy: RefCell<HashSet<(u8, String, String)>>,
    notes: RefCell<BTreeSet<String>>,
}

#[derive(Debug, Default)]
struct Exports {
    /// Names a star import takes and that count as re-exported.
    names: Vec<String>,
    /// Whether they come from `__all__` (else: every public name).
    declared: bool,
}

impl<'a> Resolver<'a> {
    pub fn new(package: &'a str, profile: &'a Profile, facts: Vec<ModuleFacts>) -> Self {
        let mut modules: BTreeMap<String, ModuleFacts> = BTreeMap::new();
        // `.py` first, then its `.pyi`: sources define, stubs complement.
        let mut facts = facts;
        facts.sort_by(|a, b| (&a.name, a.is_stub).cmp(&(&b.name, b.is_stub)));
        for f in facts {
            match modules.remove(&f.name) {
                Some(py) => {
                    let merged = merge_stub(py, f);
                    modules.insert(merged.name.clone(), merged);
                }
                None => {
                    modules.insert(f.name.clone(), f);
                }
            }
        }
        // A module with only a stub is compiled code: the stub's imports and plain
        // assignments are for type checkers (`from torch.distributed import DeviceMesh` in
        // `torch/_C/__init__.pyi`, `T = TypeVar("T")`), not members of the module.
        for facts in modules.values_mut().filter(|f| f.is_stub) {
            facts.bindings.retain(stub_binding_is_member);
        }
        Resolver {
            package,
            profile,
            modules,
            namespaces: RefCell::default(),
            exports: RefCell::default(),
            lookups: RefCell::default(),
            busy: RefCell::default(),
            notes: RefCell::default(),
        }
    }

    fn is_module(&self, name: &str) -> bool {
        self.modules.contains_key(name)
    }

    fn in_package(&self, name: &str) -> bool {
        name == self.package || name.starts_with(&format!("{}.", self.package))
    }

    fn note(&self, note: String) {
        self.notes.borrow_mut().insert(note);
    }

    /// Enters a guarded computation; `false` when it is already under way (a cycle).
    fn enter(&self, kind: u8, a: &str, b: &str) -> bool {
        self.busy
            .borrow_mut()
            .insert((kind, a.to_string(), b.to_string()))
    }

    fn leave(&self, kind: u8, a: &str, b: &str) {
        self.busy
            .borrow_mut()
            .remove(&(kind, a.to_string(), b.to_string()));
    }

    fn namespace(&self, module: &str) -> Rc<BTreeMap<String, Entry>> {
        stacker::maybe_grow(256 << 10, 8 << 20, || self.namespace_uncached(module))
    }

    fn namespace_uncached(&self, module: &str) -> Rc<BTreeMap<String, Entry>> {
        if let Some(ns) = self.namespaces.borrow().get(module) {
            return ns.clone();
        }
        let Some(facts) = self.modules.get(module) else {
            return Rc::default();
        };
        if !self.enter(0, module, "") {
            return Rc::default();
        }
        let mut ns: BTreeMap<String, Entry> = BTreeMap::new();
        for (i, b) in facts.bindings.iter().enumerate() {
            match &b.value {
                Value::Star(from) => {
                    for name in &self.exports_of(from).names {
                        ns.insert(name.clone(), Entry::Star { from: from.clone() });
                    }
                }
                _ => {
                    ns.insert(b.name.clone(), Entry::Binding(i));
                }
            }
        }
        for rx in self
            .profile
            .runtime_exports
            .iter()
            .filter(|rx| rx.into == module)
        {
            for (name, _) in self.runtime_names(rx) {
                ns.entry(name).or_insert(Entry::Runtime {
                    from: rx.from.clone(),
                });
            }
        }
        for rd in self
            .profile
            .runtime_deletes
            .iter()
            .filter(|d| d.module == module)
        {
            for name in &rd.names {
                ns.remove(name);
            }
        }
        self.leave(0, module, "");
        let ns = Rc::new(ns);
        self.namespaces
            .borrow_mut()
            .insert(module.to_string(), ns.clone());
        ns
    }

    /// Names a profile runtime export copies: what module `from` itself defines.
    fn runtime_names(&self, rx: &super::profile::RuntimeExport) -> Vec<(String, bool)> {
        let Some(facts) = self.modules.get(&rx.from) else {
            self.note(format!(
                "profile `{}`: module `{}` is not in the package",
                self.profile.name, rx.from
            ));
            return vec![];
        };
        let mut out: Vec<(String, bool)> = Vec::new();
        for b in &facts.bindings {
            let annotation = match &b.value {
                Value::Def(d) => d.annotation.as_deref(),
                Value::Alias(_) => None,
                Value::Import {
                    redundant_alias: true,
                    ..
                } => None,
                _ => continue,
            };
            if rx.admits(&b.name, annotation) && !out.iter().any(|(n, _)| *n == b.name) {
                out.push((b.name.clone(), rx.export && !b.name.starts_with('_')));
            }
        }
        out
    }

    fn exports_of(&self, module: &str) -> Rc<Exports> {
        if let Some(e) = self.exports.borrow().get(module) {
            return e.clone();
        }
        let Some(facts) = self.modules.get(module) else {
            return Rc::default();
        };
        if !self.enter(1, module, "") {
            return Rc::default();
        }
        let exports = if facts.all.is_empty() {
            let ns = self.namespace(module);
            Exports {
                names: ns.keys().filter(|n| !n.starts_with('_')).cloned().collect(),
                declared: false,
            }
        } else {
            let mut names: Vec<String> = Vec::new();
            let push = |names: &mut Vec<String>, n: &str| {
                if !names.iter().any(|x| x == n) {
                    names.push(n.to_string());
                }
            };
            for op in &facts.all {
                let previous = names.clone();
                let (parts, line) = match op {
                    AllOp::Set(parts, line) => {
                        names.clear();
                        (parts, *line)
                    }
                    AllOp::Add(parts, line) => (parts, *line),
                    AllOp::Remove(n) => {
                        names.retain(|x| x != n);
                        continue;
                    }
                    AllOp::Unknown(line) => {
                        self.note(format!("{}:{line}: `__all__` is changed by an expression apidrift cannot evaluate; names it adds are missing unless a profile declares them", facts.file));
                        continue;
                    }
                };
                for part in parts {
                    match part {
                        AllPart::Name(n) => push(&mut names, n),
                        AllPart::Current => {
                            for n in &previous {
                                push(&mut names, n);
                            }
                        }
                        AllPart::Junk(j) => {
                            self.note(format!("{}:{line}: `__all__` entry {j} is not a name; ignored", facts.file))
                        }
                        AllPart::OtherAll(dotted) => match self.resolve_dotted(module, dotted) {
                            Some(Target::Module(m)) => {
                                for n in &self.exports_of(&m).names {
                                    push(&mut names, n);
                                }
                            }
                            _ => self.note(format!("{}:{line}: `{dotted}.__all__` does not name a module of the package; ignored", facts.file)),
                        },
                    }
                }
            }
            for rx in self
                .profile
                .runtime_exports
                .iter()
                .filter(|rx| rx.into == module)
            {
                for (n, export) in self.runtime_names(rx) {
                    if export {
                        push(&mut names, &n);
                    }
                }
            }
            let ns = self.namespace(module);
            for n in &names {
                if !ns.contains_key(n) && !self.is_module(&format!("{module}.{n}")) {
                    self.note(format!(
                        "{}: `__all__` lists `{n}`, which the module does not bind",
                        facts.file
                    ));
                }
            }
            Exports {
                names,
                declared: true,
            }
        };
        self.leave(1, module, "");
        let exports = Rc::new(exports);
        self.exports
            .borrow_mut()
            .insert(module.to_string(), exports.clone());
        exports
    }

    fn lookup(&self, module: &str, name: &str) -> Option<Target> {
        // Lookups recurse through chains of re-exports and star imports as deep as a package
        // makes them; the stack grows on the heap rather than overflow.
        stacker::maybe_grow(256 << 10, 8 << 20, || self.lookup_uncached(module, name))
    }

    fn lookup_uncached(&self, module: &str, name: &str) -> Option<Target> {
        let key = (module.to_string(), name.to_string());
        if let Some(t) = self.lookups.borrow().get(&key) {
            return t.clone();
        }
        if !self.enter(2, module, name) {
            return None;
        }
        let ns = self.namespace(module);
        let result = match ns.get(name) {
            Some(Entry::Binding(i)) => {
                self.binding_target(module, name, &self.modules[module].bindings[*i])
            }
            Some(Entry::Star { from }) | Some(Entry::Runtime { from }) => {
                Some(self.import_from(from, name))
            }
            None => {
                let sub = format!("{module}.{name}");
                self.is_module(&sub).then_some(Target::Module(sub))
            }
        };
        self.leave(2, module, name);
        self.lookups.borrow_mut().insert(key, result.clone());
        result
    }

    fn module_target(&self, m: &str) -> Target {
        if self.is_module(m) {
            Target::Module(m.to_string())
        } else if self.in_package(m) {
            Target::Missing(m.to_string())
        } else {
            Target::External(m.to_string())
        }
    }

    /// `from m import n`: an attribute of `m`, else its submodule `m.n`.
    fn import_from(&self, m: &str, n: &str) -> Target {
        let sub = format!("{m}.{n}");
        if !self.in_package(m) {
            return Target::External(sub);
        }
        if let Some(t) = self.lookup(m, n) {
            return t;
        }
        if self.is_module(&sub) {
            Target::Module(sub)
        } else {
            Target::Missing(sub)
        }
    }

    /// Resolves a dotted expression as module `module` sees it. `None` for names the module
    /// does not bind (builtins, typos).
    fn binding_target(&self, module: &str, name: &str, b: &Binding) -> Option<Target> {
        match &b.value {
            Value::Def(_) => Some(Target::Def(format!("{module}.{name}"))),
            Value::Import {
                module: m,
                name: None,
                ..
            } => Some(self.module_target(m)),
            Value::Import {
                module: m,
                name: Some(n),
                ..
            } => Some(self.import_from(m, n)),
            Value::Alias(dotted) => self.resolve_dotted(module, dotted),
            Value::Star(_) => None,
        }
    }

    /// A class's base as its `class` statement saw it: by the module's names, or by a binding
    /// a later `del` removed.
    fn resolve_base(&self, module: &str, dotted: &str) -> Option<Target> {
        let found = self.resolve_dotted(module, dotted);
        if !matches!(found, None | Some(Target::Missing(_))) {
            return found;
        }
        let first = dotted.split('.').next()?;
        let gone = self
            .modules
            .get(module)?
            .deleted
            .iter()
            .rfind(|b| b.name == first)?;
        let t = self.binding_target(module, first, gone)?;
        Some(self.walk_dotted(t, dotted.split('.').skip(1)))
    }

    fn resolve_dotted(&self, module: &str, dotted: &str) -> Option<Target> {
        let mut parts = dotted.split('.');
        let t = self.lookup(module, parts.next()?)?;
        Some(self.walk_dotted(t, parts))
    }

    fn walk_dotted<'p>(&self, mut t: Target, parts: impl Iterator<Item = &'p str>) -> Target {
        for p in parts {
            t = match t {
                Target::Module(m) => self.import_from(&m, p),
                Target::Def(q) => self
                    .member(&q, p)
                    .unwrap_or(Target::Missing(format!("{q}.{p}"))),
                Target::Missing(q) => Target::Missing(format!("{q}.{p}")),
                Target::External(q) => Target::External(format!("{q}.{p}")),
            };
        }
        t
    }

    /// Calls to functions of other modules (`_Reduction.legacy_get_enum(size_average,
    /// reduce)`) deprecate what the called function's warning deprecates, when it is a
    /// private helper that always warns; other calls state nothing.
    fn helper_warnings(&self, symbols: &mut BTreeMap<String, Symbol>) {
        let pending: Vec<String> = symbols
            .iter()
            .filter(|(_, s)| {
                s.deprecated
                    .iter()
                    .any(|d| super::notices::pending_message_parts(&d.message).is_some())
            })
            .map(|(name, _)| name.clone())
            .collect();
        if pending.is_empty() {
            return;
        }
        // Definitions with a public name elsewhere (`torch.jit._fuser.set_fusion_strategy`
        // as `torch.jit.set_fusion_strategy`) are APIs of their own.
        let exported: HashSet<&str> = symbols
            .iter()
            .filter_map(|(name, s)| s.target.as_deref().filter(|_| !is_private_name(name)))
            .collect();
        let module_of: HashMap<&str, &str> = self
            .modules
            .values()
            .map(|f| (f.file.as_str(), f.name.as_str()))
            .collect();
        let mut updates: Vec<(String, Vec<Deprecation>)> = Vec::with_capacity(pending.len());
        for name in pending {
            let Some(sym) = symbols.get(&name) else {
                continue;
            };
            let mut kept = Vec::with_capacity(sym.deprecated.len());
            let mut resolved: Vec<Deprecation> = Vec::new();
            for d in sym.deprecated.iter().cloned() {
                let Some((file, callee)) = super::notices::pending_message_parts(&d.message) else {
                    kept.push(d);
                    continue;
                };
                let helper = module_of.get(file).and_then(|module| {
                    let Target::Def(q) = self.resolve_dotted(module, callee)? else {
                        return None;
                    };
                    // A public API that warns is deprecated itself; its callers are not.
                    if !is_private_name(&q) || exported.contains(q.as_str()) {
                        return None;
                    }
                    let (owner, last) = q.rsplit_once('.')?;
                    self.modules.get(owner)?.warn_helpers.get(last)
                });
                let Some((message, category, at)) = helper else {
                    continue;
                };
                let message = super::strings::tidy_lines(message);
                // The caller's test names the parameter; the helper's message must too, or
                // the warning is about something else.
                if d.parameter.as_ref().is_some_and(|p| {
                    markers::parameters_mentioned(&message, std::slice::from_ref(p)).is_empty()
                }) {
                    continue;
                }
                resolved.push(Deprecation {
                    omitted: d.omitted,
                    instantiation: d.instantiation,
                    when: d.when,
                    unless: d.unless,
                    exempt: d.exempt,
                    replacement: markers::replacement_in(&message, self.package),
                    evidence: format!(
                        "{} at {at}, {}",
                        super::notices::raised(category),
                        d.evidence
                    ),
                    message,
                    parameter: d.parameter,
                });
            }
            // `if size_average is not None or reduce is not None:` tests two parameters; the
            // message says which are deprecated when it names some.
            let calls: BTreeSet<String> = resolved.iter().map(|d| d.evidence.clone()).collect();
            for call in calls {
                let of_call = |d: &Deprecation| d.evidence == call;
                let params: Vec<String> = resolved
                    .iter()
                    .filter(|d| of_call(d))
                    .filter_map(|d| d.parameter.clone())
                    .collect();
                let Some(message) = resolved.iter().find(|d| of_call(d)).map(|d| &d.message) else {
                    continue;
                };
                let subject = markers::parameters_named(message, &params);
                if params.len() > 1 && !subject.is_empty() {
                    resolved.retain(|d| {
                        !of_call(d) || d.parameter.as_ref().is_some_and(|p| subject.contains(p))
                    });
                }
            }
            for d in resolved {
                if !kept.iter().any(|k| k.parameter == d.parameter) {
                    kept.push(d);
                }
            }
            updates.push((name, kept));
        }
        for (name, deprecated) in updates {
            if let Some(sym) = symbols.get_mut(&name) {
                sym.deprecated = deprecated;
            }
        }
    }

    /// Messages that are a constant imported from another module (`@deprecated(
    /// DEPRECATION_WARNING)`) read as that constant's text, or as "deprecated" when it is not
    /// known.
    fn imported_messages(&self, symbols: &mut BTreeMap<String, Symbol>) {
        let module_of: HashMap<&str, &str> = self
            .modules
            .values()
            .map(|f| (f.file.as_str(), f.name.as_str()))
            .collect();
        for sym in symbols.values_mut() {
            for d in &mut sym.deprecated {
                let Some((file, name)) = super::notices::imported_message_parts(&d.message) else {
                    continue;
                };
                let text = module_of.get(file).and_then(|module| {
                    let (Target::Def(q) | Target::Missing(q)) =
                        self.resolve_dotted(module, name)?
                    else {
                        return None;
                    };
                    let (owner, last) = q.rsplit_once('.')?;
                    let text = self.modules.get(owner)?.message_strings.get(last)?;
                    Some(super::strings::tidy_lines(text))
                });
                match text {
                    Some(text) => {
                        d.replacement = markers::replacement_in(&text, self.package);
                        d.message = text;
                    }
                    None => d.message = "deprecated".into(),
                }
            }
        }
    }

    /// Docstrings attached at import time (`add_docstr(torch.svd, r"""...""")`) state the
    /// markers of the definition they attach to; a marker its own code states comes first.
    fn attach_docs(&self, symbols: &mut BTreeMap<String, Symbol>) {
        for facts in self.modules.values() {
            if facts.attached_docs.is_empty() {
                continue;
            }
            let ctx = FileContext::new("", &facts.file, self.package, self.profile);
            for (target, doc, line) in &facts.attached_docs {
                let mut key = match self.resolve_dotted(&facts.name, target) {
                    Some(Target::Def(q) | Target::Missing(q)) => q,
                    _ => continue,
                };
                // To the definition: `torch.svd` is an alias of the compiled function's stub.
                for _ in 0..8 {
                    match symbols.get(&key).and_then(|s| s.points_to()) {
                        Some(t) if t != key => key = t.to_string(),
                        _ => break,
                    }
                }
                let Some(sym) = symbols.get_mut(&key) else {
                    continue;
                };
                let mut params: Vec<String> = sym
                    .signatures
                    .iter()
                    .flat_map(|s| super::signature::parameter_names_of(s))
                    .collect();
                params.sort();
                params.dedup();
                let (parent, last) = key.rsplit_once('.').unwrap_or(("", &key));
                let module_last = parent.rsplit('.').next().unwrap_or(parent);
                let (deps, stability) = doc_markers(&ctx, doc, *line, last, module_last, &params);
                for d in deps {
                    if !sym.deprecated.iter().any(|x| x.parameter == d.parameter) {
                        sym.deprecated.push(d);
                    }
                }
                if sym.stability.is_none() {
                    sym.stability = stability;
                }
            }
        }
    }

    /// A member of the class defined at `class`, own or inherited from in-package bases.
    fn member(&self, class: &str, name: &str) -> Option<Target> {
        let def = self.def_of(class)?;
        if def.members.iter().any(|m| m.name == name) {
            return Some(Target::Def(format!("{class}.{name}")));
        }
        if !self.enter(3, class, name) {
            return None;
        }
        let (module, _) = self.locate(class)?;
        let mut found = None;
        for base in &def.bases {
            if let Some(Target::Def(b)) = self.resolve_base(&module, base) {
                if let Some(t) = self.member(&b, name) {
                    found = Some(t);
                    break;
                }
            }
        }
        self.leave(3, class, name);
        found
    }

    /// The module holding a definition and the path of names inside it.
    fn locate(&self, qual: &str) -> Option<(String, Vec<String>)> {
        let parts: Vec<&str> = qual.split('.').collect();
        (1..parts.len()).rev().find_map(|i| {
            let m = parts[..i].join(".");
            self.is_module(&m)
                .then(|| (m, parts[i..].iter().map(|s| s.to_string()).collect()))
        })
    }

    fn def_of(&self, qual: &str) -> Option<&Def> {
        let (module, path) = self.locate(qual)?;
        let facts = &self.modules[&module];
        let mut bindings: &[Binding] = &facts.bindings;
        let mut def: Option<&Def> = None;
        fn find<'b>(list: &'b [Binding], name: &str) -> Option<&'b Binding> {
            list.iter()
                .rev()
                .find(|b| b.name == name && matches!(b.value, Value::Def(_)))
        }
        for (i, name) in path.iter().enumerate() {
            // A deleted class is still the base of the classes derived from it before.
            let b = find(bindings, name)
                .or_else(|| (i == 0).then(|| find(&facts.deleted, name)).flatten())?;
            let Value::Def(d) = &b.value else { return None };
            def = Some(d);
            bindings = &d.members;
        }
        def
    }

    fn target_name(&self, t: &Target) -> Option<String> {
        match t {
            Target::Def(q) | Target::Module(q) | Target::Missing(q) => Some(q.clone()),
            Target::External(_) => None,
        }
    }

    /// Builds the symbol table, plus the notes gathered on the way.
    pub fn symbols(&self) -> (BTreeMap<String, Symbol>, Vec<String>) {
        let mut symbols: BTreeMap<String, Symbol> = BTreeMap::new();
        let mut served: Vec<(String, String)> = Vec::new();
        for (module, facts) in &self.modules {
            let mut sym = Symbol {
                kind: Kind::Module,
                defined: Some(format!("{}:1", facts.file)),
                ..Default::default()
            };
            sym.deprecated = facts.deprecated.clone();
            sym.stability = facts.stability.clone();
            match symbols.get_mut(module) {
                // The package bound an attribute of this name (`from .f import f`): that is
                // what `pkg.f` is; the module stays importable, and its members keep their
                // names.
                Some(attr) if attr.kind != Kind::Module => attr.submodule = true,
                _ => {
                    symbols.insert(module.clone(), sym);
                }
            }
            let mut reachable: Vec<String> = Vec::new();

            let ns = self.namespace(module);
            let exports = self.exports_of(module);
            let exported: Option<HashSet<&str>> = exports
                .declared
                .then(|| exports.names.iter().map(String::as_str).collect());
            for (name, entry) in ns.iter() {
                let qual = format!("{module}.{name}");
                let binding = match entry {
                    Entry::Binding(i) => Some(&facts.bindings[*i]),
                    _ => None,
                };
                match binding.map(|b| &b.value) {
                    Some(Value::Def(def)) => {
                        let line = binding.map(|b| b.line).unwrap_or(1);
                        self.record_def(&mut symbols, module, &facts.file, &qual, def, Some(line));
                    }
                    Some(Value::Alias(dotted)) => {
                        let line = binding.map(|b| b.line).unwrap_or(1);
                        match self
                            .resolve_dotted(module, dotted)
                            .as_ref()
                            .and_then(|t| self.target_name(t))
                        {
                            Some(target) if target != qual => {
                                symbols.insert(
                                    qual,
                                    Symbol {
                                        kind: Kind::Alias,
                                        target: Some(target),
                                        ..Default::default()
                                    },
                                );
                            }
                            _ => {
                                symbols.insert(
                                    qual,
                                    Symbol {
                                        kind: Kind::Attribute,
                                        defined: Some(format!("{}:{line}", facts.file)),
                                        ..Default::default()
                                    },
                                );
                            }
                        }
                    }
                    _ => {
                        // Listed in `__all__`, or bound by the conventions that make a name
                        // part of a namespace: `import x as x`, and star imports and
                        // `from m import x` in a package's `__init__` (elsewhere, star imports
                        // only without an `__all__`). A package's imports count even beside
                        // an `__all__`: torch imports its removed-op tombstones
                        // (`torch.symeig`) that way without listing them, and users reach them.
                        let listed = exported
                            .as_ref()
                            .is_some_and(|set| set.contains(name.as_str()));
                        let conventional = !is_private_component(name)
                            && match (entry, binding.map(|b| &b.value)) {
                                (Entry::Star { .. } | Entry::Runtime { .. }, _) => {
                                    exported.is_none() || facts.is_package
                                }
                                (
                                    _,
                                    Some(Value::Import {
                                        redundant_alias,
                                        name: from_name,
                                        ..
                                    }),
                                ) => *redundant_alias || (facts.is_package && from_name.is_some()),
                                _ => false,
                            };
                        let target = self.lookup(module, name);
                        // Without an `__all__`, every public name a module binds from the
                        // package is its API, as far as users can tell: `from m import x`
                        // works, and they write it. Module objects (`import torch`, `F`) are
                        // how a module reaches others, not what it offers.
                        let implicit = exported.is_none()
                            && !is_private_component(name)
                            && matches!(target, Some(Target::Def(_) | Target::Missing(_)));
                        if !(listed || conventional || implicit) {
                            // Still reachable: `from m import x` finds it.
                            if !is_private_component(name)
                                && matches!(target, Some(Target::Def(_) | Target::Missing(_)))
                            {
                                reachable.push(name.clone());
                            }
                            continue;
                        }
                        // A name `__all__` lists is the module's API even when it comes from
                        // elsewhere (`from math import pi` in `torch`): it is recorded as an
                        // alias of what it is.
                        let target_name = match &target {
                            Some(Target::External(q)) if listed => Some(q.clone()),
                            t => t.as_ref().and_then(|t| self.target_name(t)),
                        };
                        if let Some(target) = target_name {
                            if target != qual {
                                symbols.insert(
                                    qual,
                                    Symbol {
                                        kind: Kind::Alias,
                                        target: Some(target),
                                        ..Default::default()
                                    },
                                );
                            }
                        }
                    }
                }
            }
            // Names the module's `__getattr__` serves exist as far as attribute access and
            // `from m import x` can tell.
            for name in &facts.getattr_names {
                if !name.starts_with('_')
                    && !ns.contains_key(name)
                    && !symbols.contains_key(&format!("{module}.{name}"))
                {
                    reachable.push(name.clone());
                }
            }
            // `sys.modules[__name__] = C(...)`: attribute access on the module reaches the
            // members of `C` (properties such as `torch.backends.cudnn.enabled`) first.
            if let Some(Target::Def(class)) = facts
                .replaced_by
                .as_ref()
                .and_then(|d| self.resolve_dotted(module, d))
            {
                if let Some(def) = self.def_of(&class).filter(|d| d.kind == Kind::Class) {
                    for m in def.members.iter().filter(|m| !m.name.starts_with('_')) {
                        let qual = format!("{module}.{}", m.name);
                        symbols.entry(qual).or_insert_with(|| Symbol {
                            kind: Kind::Alias,
                            target: Some(format!("{class}.{}", m.name)),
                            ..Default::default()
                        });
                    }
                }
            }
            reachable.sort();
            reachable.dedup();
            // On the module's record, or on the package attribute that shadows it.
            if let Some(sym) = symbols
                .get_mut(module)
                .filter(|s| s.kind == Kind::Module || s.submodule)
            {
                sym.reachable = reachable;
            }
            // Definitions a module's `__all__` leaves out are importable but not its API.
            // (Imports it leaves out are recorded only when they are conventional re-exports,
            // which stay API: torch's tombstones are imported that way.)
            if let Some(set) = &exported {
                let defined_here = |entry: &Entry| matches!(entry, Entry::Binding(i) if matches!(facts.bindings[*i].value, Value::Def(_) | Value::Alias(_)));
                for (name, _) in ns.iter().filter(|(n, e)| {
                    !n.starts_with('_') && !set.contains(n.as_str()) && defined_here(e)
                }) {
                    if let Some(sym) = symbols.get_mut(&format!("{module}.{name}")) {
                        sym.unlisted = true;
                    }
                }
            }
            for (name, dep) in &facts.getattr_deprecations {
                let qual = format!("{module}.{name}");
                let fresh = !symbols.contains_key(&qual);
                let sym = symbols.entry(qual.clone()).or_insert_with(|| Symbol {
                    kind: Kind::Attribute,
                    ..Default::default()
                });
                sym.deprecated.push(dep.clone());
                if let Some(r) = dep.replacement.as_deref().filter(|_| fresh) {
                    served.push((qual, r.split('(').next().unwrap_or(r).to_string()));
                }
            }
        }
        // The same name in the home the warning names (`getattr(new_home, name)`) is what
        // such a `__getattr__` hands out: the name is an alias of that, with its members. A
        // table's value under another name may be called or wrapped first (`has_cuda` served
        // as `is_built()`): that stays an attribute.
        for (qual, target) in served {
            let same_name = qual.rsplit('.').next() == target.rsplit('.').next();
            if same_name && target != qual && symbols.contains_key(&target) {
                if let Some(sym) = symbols.get_mut(&qual) {
                    sym.kind = Kind::Alias;
                    sym.target = Some(target);
                }
            }
        }
        // `sys.modules["a.b"] = m`: importing `a.b` gives `m`, whatever file is at `a.b`.
        for facts in self.modules.values() {
            for (path, target) in &facts.module_aliases {
                let Some(Target::Module(target)) =
                    self.resolve_dotted(&facts.name, target).or_else(|| {
                        self.is_module(target)
                            .then(|| Target::Module(target.clone()))
                    })
                else {
                    continue;
                };
                if *path == target || !self.in_package(path) {
                    continue;
                }
                let prefix = format!("{path}.");
                symbols.retain(|k, _| !k.starts_with(&prefix));
                symbols.insert(
                    path.clone(),
                    Symbol {
                        kind: Kind::Alias,
                        target: Some(target),
                        ..Default::default()
                    },
                );
            }
        }
        self.deleted_bases(&mut symbols);
        self.attach_docs(&mut symbols);
        self.helper_warnings(&mut symbols);
        self.imported_messages(&mut symbols);
        self.rooted_replacements(&mut symbols);
        slim_private(&mut symbols);
        let notes = self.notes.borrow().iter().cloned().collect();
        (symbols, notes)
    }

    /// "Deprecated in favor of `nn.init.uniform_`": a message names the replacement the way
    /// the package's docs do, without its root. When the name is not the package's but the
    /// package has it under its root, that is the name a user can use.
    fn rooted_replacements(&self, symbols: &mut BTreeMap<String, Symbol>) {
        let root = format!("{}.", self.package);
        let rooted = |r: &str| -> Option<String> {
            let name = r.split('(').next().unwrap_or(r);
            if name.starts_with(&root) || !name.contains('.') {
                return None;
            }
            symbols
                .contains_key(&format!("{root}{name}"))
                .then(|| format!("{root}{r}"))
        };
        let mut fixes: Vec<(String, usize, String)> = Vec::new();
        for (qual, sym) in symbols.iter() {
            for (i, d) in sym.deprecated.iter().enumerate() {
                if let Some(r) = d.replacement.as_deref().and_then(rooted) {
                    fixes.push((qual.clone(), i, r));
                }
            }
        }
        for (qual, i, r) in fixes {
            if let Some(d) = symbols.get_mut(&qual).and_then(|s| s.deprecated.get_mut(i)) {
                d.replacement = Some(r);
            }
        }
    }

    /// Classes a module deleted after deriving others from them (`class IntStorage(_Base)`
    /// … `del _Base`): the name is gone, the class lives on in the MRO of its subclasses, and
    /// its members are theirs. Recorded under their old name, so that the bases resolve.
    fn deleted_bases(&self, symbols: &mut BTreeMap<String, Symbol>) {
        let mut work: Vec<String> = symbols
            .values()
            .flat_map(|s| s.bases.iter())
            .filter(|b| !symbols.contains_key(*b))
            .cloned()
            .collect();
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(base) = work.pop() {
            if !seen.insert(base.clone()) || symbols.contains_key(&base) {
                continue;
            }
            let Some((module, path)) = self.locate(&base) else {
                continue;
            };
            let [name] = path.as_slice() else { continue };
            let Some(facts) = self.modules.get(&module) else {
                continue;
            };
            let Some((def, line)) = facts.deleted.iter().rev().find_map(|b| match &b.value {
                Value::Def(d) if b.name == *name && d.kind == Kind::Class => Some((d, b.line)),
                _ => None,
            }) else {
                continue;
            };
            self.record_def(symbols, &module, &facts.file, &base, def, Some(line));
            if let Some(sym) = symbols.get(&base) {
                work.extend(sym.bases.iter().cloned());
            }
        }
    }

    /// Records a definition and its members. Members carry no `defined`: their class's
    /// location, and the evidence on any marker they carry, say where they are, and a line
    /// number on each of them would cost a tenth of the snapshot.
    fn record_def(
        &self,
        symbols: &mut BTreeMap<String, Symbol>,
        module: &str,
        file: &str,
        qual: &str,
        def: &Def,
        line: Option<u32>,
    ) {
        let mut sym = Symbol {
            kind: def.kind,
            defined: line.map(|line| format!("{file}:{line}")),
            signatures: def.signatures.clone(),
            deprecated: def.deprecated.clone(),
            announced: def.announced.clone(),
            tombstone: def.tombstone.clone(),
            stability: def.stability.clone(),
            instance: def.instance,
            ..Default::default()
        };
        if def.kind == Kind::Class {
            let bases: Vec<Target> = def
                .bases
                .iter()
                .filter_map(|b| self.resolve_base(module, b))
                .collect();
            sym.bases = bases
                .iter()
                .filter_map(|t| match t {
                    Target::External(q) => Some(q.clone()),
                    t => self.target_name(t),
                })
                .filter(|b| b != "object" && b != "builtins.object")
                .collect();
            if !def.has_init {
                sym.signatures = self.inherited_init(module, def, 0);
                // Parameter deprecations from the docstring hold for the parameters the
                // inherited constructor has.
                let params: HashSet<String> = sym
                    .signatures
                    .iter()
                    .flat_map(|s| super::signature::parameter_names_of(s))
                    .collect();
                sym.deprecated
                    .retain(|d| d.parameter.as_ref().is_none_or(|p| params.contains(p)));
            }
            for m in &def.members {
                // `__init__` is the class's call signature and its deprecations are the
                // class's; a record of its own would say it twice.
                if m.name == "__init__" {
                    continue;
                }
                if let Value::Def(md) = &m.value {
                    self.record_def(
                        symbols,
                        module,
                        file,
                        &format!("{qual}.{}", m.name),
                        md,
                        None,
                    );
                }
            }
        }
        symbols.insert(qual.to_string(), sym);
    }

    /// A class without its own `__init__` is called with its first in-package base's.
    fn inherited_init(&self, module: &str, def: &Def, depth: usize) -> Vec<String> {
        if depth > 16 {
            return vec![];
        }
        for base in &def.bases {
            if let Some(Target::Def(b)) = self.resolve_base(module, base) {
                if let (Some(bdef), Some((bmod, _))) = (self.def_of(&b), self.locate(&b)) {
                    if bdef.kind != Kind::Class {
                        continue;
                    }
                    if bdef.has_init {
                        return bdef.signatures.clone();
                    }
                    let sig = self.inherited_init(&bmod, bdef, depth + 1);
                    if !sig.is_empty() {
                        return sig;
                    }
                }
            }
        }
        vec![]
    }
}

/// Stub facts complement source facts: names only the stub binds are added, and where the
/// source binds a name without telling what it is (an attribute) the stub's definition wins.
fn merge_stub(mut py: ModuleFacts, pyi: ModuleFacts) -> ModuleFacts {
    if !pyi.is_stub {
        // Two sources for one module (a `pkg.py` beside `pkg/__init__.py`): Python imports
        // the package; keep the first and note nothing, both are real files.
        return py;
    }
    for b in pyi.bindings.into_iter().filter(stub_binding_is_member) {
        let existing = py
            .bindings
            .iter_mut()
            .rev()
            .find(|e| e.name == b.name && !matches!(e.value, Value::Star(_)));
        match existing {
            Some(e) => merge_binding(e, b),
            None => py.bindings.push(b),
        }
    }
    // A stub's `__all__` is for type checkers: `from m import *` at run time takes the
    // source's, or every public name when the source has none.
    py.deprecated.extend(pyi.deprecated);
    py.stability = py.stability.or(pyi.stability);
    py.getattr_deprecations.extend(pyi.getattr_deprecations);
    py.getattr_names.extend(pyi.getattr_names);
    py.notes.extend(pyi.notes);
    py
}

/// Whether a binding of a stub describes a member of the module at run time: definitions and
/// annotated values do; imports only in the re-export form (`import x as x`, `from m import x
/// as x`) and star imports; plain assignments are type aliases.
fn stub_binding_is_member(b: &Binding) -> bool {
    match &b.value {
        Value::Def(d) => d.kind != Kind::Attribute || d.annotation.is_some(),
        Value::Import {
            redundant_alias, ..
        } => *redundant_alias,
        Value::Star(_) => true,
        Value::Alias(_) => false,
    }
}

fn merge_binding(existing: &mut Binding, stub: Binding) {
    match (&mut existing.value, stub.value) {
        (Value::Def(d), Value::Def(s)) => {
            if d.kind == Kind::Attribute && s.kind != Kind::Attribute {
                let deprecated = std::mem::take(&mut d.deprecated);
                **d = *s;
                d.deprecated.extend(deprecated);
            } else if d.kind == Kind::Class && s.kind == Kind::Class {
                // A class whose source answers unknown attributes with `__getattr__` serves
                // what only its stub declares on instances (registered functions), not on the
                // class.
                let served = d.members.iter().any(|m| m.name == "__getattr__");
                for mut m in s.members {
                    match d.members.iter_mut().find(|e| e.name == m.name) {
                        Some(e) => merge_binding(e, m),
                        None => {
                            if let (true, Value::Def(md)) = (served, &mut m.value) {
                                md.instance = true;
                            }
                            d.members.push(m)
                        }
                    }
                }
                if !d.has_init && s.has_init {
                    d.signatures = s.signatures;
                    d.has_init = true;
                }
            }
        }
        (Value::Def(d), s @ Value::Alias(_)) if d.kind == Kind::Attribute => existing.value = s,
        _ => {}
    }
}

/// Keeps full records for the public surface and what it reaches (alias targets, their class
/// members, bases); every other private name keeps only its kind and lifecycle markers (an
/// alias its target when that is public), and unmarked members of such private classes are
/// dropped. Users do import private names, and a diff must see them appear, move, become
/// deprecated and vanish, but their signatures would triple the snapshot.
fn slim_private(symbols: &mut BTreeMap<String, Symbol>) {
    let mut full: HashSet<String> = HashSet::new();
    let mut work: Vec<String> = symbols
        .keys()
        .filter(|q| !is_private_name(q))
        .cloned()
        .collect();
    while let Some(q) = work.pop() {
        if !full.insert(q.clone()) {
            continue;
        }
        let Some(sym) = symbols.get(&q) else { continue };
        if let Some(t) = sym.points_to() {
            work.push(t.to_string());
        }
        if sym.kind == Kind::Class {
            work.extend(sym.bases.iter().cloned());
            let prefix = format!("{q}.");
            // `_helper` members of a class are private even on a public class: they keep
            // their name and kind, not their signatures.
            work.extend(
                symbols
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .filter(|(k, _)| {
                        !k[prefix.len()..]
                            .split('.')
                            .any(crate::snapshot::is_private_component)
                    })
                    .map(|(k, _)| k.clone()),
            );
        }
    }
    // Members of classes outside the surface go; private members of classes in it stay.
    let is_member = |symbols: &BTreeMap<String, Symbol>, q: &str| {
        q.rsplit_once('.').is_some_and(|(p, _)| {
            symbols.get(p).is_some_and(|p| p.kind == Kind::Class) && !full.contains(p)
        })
    };
    // Lifecycle markers stay on every name: users import `torch.utils._pytree` and
    // `torch._dynamo` all the same, and a deprecation or a tombstone there is news to them.
    // So do the names of private modules (`torch.utils._pytree._register_pytree_node`), so
    // that a name gone from one is known to be gone.
    let has_markers = |s: &Symbol| !s.deprecated.is_empty() || s.tombstone.is_some();
    let drop: Vec<String> = symbols
        .iter()
        .filter(|(q, s)| !full.contains(*q) && !has_markers(s) && is_member(symbols, q))
        // A class stays for the marked members it holds.
        .filter(|(q, _)| {
            let prefix = format!("{q}.");
            !symbols
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .any(|(_, s)| has_markers(s))
        })
        .map(|(q, _)| q.clone())
        .collect();
    for q in drop {
        symbols.remove(&q);
    }
    for (q, sym) in symbols.iter_mut() {
        if !full.contains(q) {
            // A private alias keeps its target when that is part of the public surface: that
            // is what a shim left at an old path looks like (`torch.distributed._tensor`).
            let target = sym.target.take().filter(|t| full.contains(t));
            // A private helper that warns for others (`_warn_typed_storage_removal()`) is not
            // itself deprecated: a warning counts for a private name when it names it.
            let last = q.rsplit('.').next().unwrap_or(q);
            let mut deprecated = std::mem::take(&mut sym.deprecated);
            deprecated.retain(|d| {
                !d.evidence.starts_with("warnings.warn") || markers::names(&d.message, last)
            });
            // So do announcements: a warning that a later release turns into `@deprecated`
            // with the same text was the news, not the decorator.
            let announced = std::mem::take(&mut sym.announced);
            *sym = Symbol {
                kind: sym.kind,
                target,
                deprecated,
                announced,
                tombstone: sym.tombstone.take(),
                ..Default::default()
            };
        }
    }
}
