//! Name resolution in user code: which qualified names a file uses, where, and how it calls
//! them. Python's binding rules, simplified to what static reading can follow: module and
//! function scopes, imports in every form, shadowing by assignment or parameter, attribute
//! chains. Every use carries the conditions it runs under ([`guards`](super::guards)): version
//! tests, `hasattr` probes and `try/except ImportError` fallbacks, which the findings weigh
//! against the target release.

use std::sync::Arc;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::guards::{self, Catch, Condition, Guards, Op, Test};

/// One use of a qualified name.
#[derive(Debug, Clone)]
pub struct Use {
    pub qualname: String,
    pub range: TextRange,
    /// How it is used.
    pub how: UseKind,
    /// Resolved through a star import: the name may not be in that module at all.
    pub from_star: bool,
    /// The branch conditions it runs under, innermost last.
    pub guards: Guards,
    /// The `except` clauses of the `try` blocks around it, innermost last.
    pub caught: Vec<Arc<Catch>>,
    /// A default replaced under a test (`f = torch.old` then `if hasattr(...): f = torch.new`):
    /// the value read here is the one used only when the test fails.
    pub replaced: Option<Arc<Condition>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UseKind {
    /// Named in an import statement (`from torch.cuda.amp import GradScaler`).
    Import,
    /// An attribute chain or name in an expression.
    Reference,
    /// Called: positional argument count (None when `*args` is passed) and keyword names
    /// (with `has_kwargs` when `**kwargs` is passed). `on_value`: a method called on a value
    /// of its class (`v.cross(u)`), which is the method's first parameter.
    Call {
        positional: Option<usize>,
        keywords: Vec<String>,
        /// How many of `keywords`, from the first, the call spells out; the rest are keys of
        /// a dict it passes as `**kw`, which may change before the call.
        written: usize,
        /// The call is a decorator (`@torch.jit.ignore`, `@torch.jit.ignore(drop=True)`).
        decorates: bool,
        has_kwargs: bool,
        on_value: bool,
        /// The keywords passed a literal, with its value
        /// ([`literal_value`](crate::util::python::literal_value)'s): `dynamo=False`.
        literals: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone)]
enum Binding {
    Qual(String),
    /// A local that is not an import (a variable, parameter, class or function).
    Local,
    /// A local holding a test of the torch version (`_TORCH_GE_2_4 = torch.__version__ >= ..`).
    Guard(Arc<Test>),
    /// A local holding the torch version, compared on its first `usize` components.
    TorchVersion(usize),
    /// A value of a class of the package (`def f(v: torch.Tensor)`, `w = v - u`): its
    /// attributes are that class's (`v.cross(u)` is `torch.Tensor.cross`), the name itself
    /// is no use of the class.
    Instance(String),
    /// A function of the project whose return annotation names a class of the package
    /// (`def vec(x) -> Tensor`): its calls are values of that class.
    Returns(String),
    /// A class of the project, with what its members are known to hold.
    Class(Arc<Members>),
    /// `self` in a method of a project class: its attributes are that class's members.
    Object(Arc<Members>),
    /// A local of a function bound once to a dict display with string keys and read only as
    /// `**name` in calls: the keywords (and literal values) those calls pass.
    Keywords(Arc<Vec<(String, Option<String>)>>),
}

/// What the members of a project class hold, as their annotations say: a property or an
/// annotated attribute (`vec: Tensor`, `self.w: Tensor = ...`) holds a value of a package's
/// class; a method annotated `-> Tensor` returns one.
#[derive(Debug, Default)]
struct Members {
    values: rustc_hash::FxHashMap<String, String>,
    returns: rustc_hash::FxHashMap<String, String>,
}

/// Star imports (`from torch.nn import *`) need the names a module exports; the caller
/// answers from the snapshots.
pub trait Exports {
    fn has(&self, module: &str, name: &str) -> bool;
    /// `from .m import *` of the project's own module, `level` dots up: the names of tracked
    /// packages it binds and exports (`torch` after `import torch`, with no `__all__`), each
    /// with what it stands for.
    fn project_star(&self, _level: u32, _module: Option<&str>) -> Vec<(String, String)> {
        Vec::new()
    }
    /// `from m import name` of the project's own module (`level` dots up, 0 for an absolute
    /// import): what `name` stands for when that module binds it by importing a tracked
    /// package (`from torch import Tensor` in the project's `core`).
    fn project_name(&self, _level: u32, _module: Option<&str>, _name: &str) -> Option<String> {
        None
    }
}

pub fn uses(module: &ast::ModModule, roots: &[&str], exports: &dyn Exports) -> Vec<Use> {
    uses_in(&[module], roots, &[], exports)
        .into_iter()
        .map(|(_, u)| u)
        .collect()
}

/// Uses in several modules run one after another in one namespace (notebook cells), each
/// tagged with the index of its module.
/// `nicknames` are words besides the roots by which projects name a package in identifiers
/// (its profile's).
pub fn uses_in(
    modules: &[&ast::ModModule],
    roots: &[&str],
    nicknames: &[String],
    exports: &dyn Exports,
) -> Vec<(usize, Use)> {
    let mut v = Visitor {
        scopes: vec![Scope::default()],
        roots,
        words: roots
            .iter()
            .map(|r| r.to_string())
            .chain(nicknames.iter().cloned())
            .collect(),
        exports,
        out: Vec::new(),
        fallback: 0,
        guards: Vec::new(),
        catches: Vec::new(),
    };
    let mut out = Vec::new();
    for (i, m) in modules.iter().enumerate() {
        v.body(&m.body);
        out.extend(v.out.drain(..).map(|u| (i, u)));
    }
    out
}

#[derive(Default)]
struct Scope {
    names: rustc_hash::FxHashMap<String, Binding>,
    /// A function's locals that are stored once and read only as `**name` in calls: a dict
    /// display bound to one of them is what those calls pass.
    splatted_only: rustc_hash::FxHashSet<String>,
    stars: Vec<String>,
    /// A class body's scope: what the class's members hold, for its methods' `self`.
    class: Option<Arc<Members>>,
}

struct Visitor<'a> {
    scopes: Vec<Scope>,
    /// Top-level packages whose uses matter (`torch`): imports of anything else are locals.
    roots: &'a [&'a str],
    /// The roots and their nicknames: the words that make an identifier about them.
    words: Vec<String>,
    exports: &'a dyn Exports,
    out: Vec<Use>,
    /// Depth of fallback handlers (`except ImportError:` after a `try` that uses the package)
    /// we are in: their bindings do not replace the main branch's.
    fallback: usize,
    /// The conditions of the branches we are in.
    guards: Guards,
    /// The `except` clauses of the `try` blocks we are in.
    catches: Vec<Arc<Catch>>,
}

impl Visitor<'_> {
    fn tracked(&self, qual: &str) -> bool {
        let top = qual.split('.').next().unwrap_or(qual);
        self.roots.contains(&top)
    }

    fn bind(&mut self, name: &str, b: Binding) {
        let scope = self.scopes.last_mut().expect("a scope");
        // In a fallback branch, a name the main branch already bound keeps that binding.
        if self.fallback > 0 && scope.names.contains_key(name) {
            return;
        }
        scope.names.insert(name.to_string(), b);
    }

    /// The qualified name bound to `name`, and whether a star import supplied it.
    fn lookup(&self, name: &str) -> Option<(String, bool)> {
        for scope in self.scopes.iter().rev() {
            match scope.names.get(name) {
                Some(Binding::Qual(q)) => return Some((q.clone(), false)),
                Some(_) => return None,
                None => {}
            }
            for m in &scope.stars {
                if self.exports.has(m, name) {
                    return Some((format!("{m}.{name}"), true));
                }
            }
        }
        None
    }

    /// The binding of `name` in the innermost scope that has one.
    fn binding(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.names.get(name))
    }

    fn record(&mut self, (qualname, from_star): (String, bool), range: TextRange, how: UseKind) {
        self.out.push(Use {
            qualname,
            range,
            how,
            from_star,
            guards: self.guards.clone(),
            caught: self.catches.clone(),
            replaced: None,
        });
    }

    /// Runs `f` under one more branch condition (none when nothing is known of it).
    fn under<T>(
        &mut self,
        test: Test,
        at: ruff_text_size::TextSize,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        if test.is_unknown() {
            return f(self);
        }
        self.guards.push(Arc::new(Condition { test, at }));
        let out = f(self);
        self.guards.pop();
        out
    }

    /// `from m import ...` of a module that is not the tracked package's: the names the
    /// project's own module `m` binds by importing the package keep that meaning here (their
    /// import there is where they are reported); every other name is a local.
    fn project_import(&mut self, level: u32, module: Option<&str>, names: &[ast::Alias]) {
        for alias in names {
            if alias.name.as_str() == "*" {
                for (name, qual) in self.exports.project_star(level, module) {
                    if self.tracked(&qual) {
                        self.bind(&name, Binding::Qual(qual));
                    }
                }
                continue;
            }
            let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
            let binding = self
                .exports
                .project_name(level, module, alias.name.as_str())
                .filter(|q| self.tracked(q))
                .map_or(Binding::Local, Binding::Qual);
            self.bind(bound, binding);
        }
    }

    /// `@name` calls `name` with the decorated function or class as its one argument: a
    /// bare name bound by `from x import name` is used here as much as in `name(f)`.
    fn decorator(&mut self, d: &Expr) {
        if matches!(d, Expr::Name(_) | Expr::Attribute(_)) {
            if let Some(q) = self.qualify(d) {
                let how = UseKind::Call {
                    positional: Some(1),
                    keywords: Vec::new(),
                    written: 0,
                    decorates: true,
                    has_kwargs: false,
                    on_value: false,
                    literals: Vec::new(),
                };
                self.record(q, d.range(), how);
                return;
            }
        }
        let before = self.out.len();
        self.expr(d);
        // `@torch.jit.ignore(drop=True)`: the factory's call is the decorator's use.
        if let Expr::Call(c) = d {
            for u in &mut self.out[before..] {
                if let (true, UseKind::Call { decorates, .. }) =
                    (u.range == c.func.range(), &mut u.how)
                {
                    *decorates = true;
                }
            }
        }
    }

    fn body(&mut self, body: &[Stmt]) {
        let depth = self.guards.len();
        // `name = torch.x` just read, by name: the index of that use.
        let mut defaults: rustc_hash::FxHashMap<&str, usize> = Default::default();
        for stmt in body {
            let before = self.out.len();
            self.stmt(stmt);
            match stmt {
                Stmt::Assign(a) => {
                    if let ([Expr::Name(n)], Expr::Attribute(_) | Expr::Name(_)) =
                        (a.targets.as_slice(), &*a.value)
                    {
                        match self.out[before..]
                            .iter()
                            .position(|u| u.range == a.value.range())
                        {
                            Some(i) => defaults.insert(n.id.as_str(), before + i),
                            None => defaults.remove(n.id.as_str()),
                        };
                    }
                }
                Stmt::If(s) => {
                    let test = self.test(&s.test);
                    if test.is_unknown() {
                        continue;
                    }
                    // A default replaced when the test holds: `f = old; if test: f = new`.
                    let shared = Arc::new(Condition {
                        test: test.clone(),
                        at: s.test.start(),
                    });
                    for inner in &s.body {
                        if let Stmt::Assign(a) = inner {
                            if let [Expr::Name(n)] = a.targets.as_slice() {
                                if let Some(i) = defaults.remove(n.id.as_str()) {
                                    self.out[i].replaced = Some(shared.clone());
                                }
                            }
                        }
                    }
                    // An early exit: the rest of the block runs only when the test fails.
                    if s.elif_else_clauses.is_empty() && terminates(&s.body) {
                        self.guards.push(Arc::new(Condition {
                            test: test.negate(),
                            at: s.test.start(),
                        }));
                    }
                }
                _ => {}
            }
        }
        self.guards.truncate(depth);
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let full = alias.name.as_str();
                    if !self.tracked(full) {
                        let bound = alias
                            .asname
                            .as_ref()
                            .map_or_else(|| full.split('.').next().unwrap_or(full), |a| a.as_str());
                        self.bind(bound, Binding::Local);
                        continue;
                    }
                    self.record((full.to_string(), false), alias.range(), UseKind::Import);
                    match &alias.asname {
                        Some(a) => self.bind(a.as_str(), Binding::Qual(full.to_string())),
                        None => {
                            let top = full.split('.').next().unwrap_or(full);
                            self.bind(top, Binding::Qual(top.to_string()));
                        }
                    }
                }
            }
            Stmt::ImportFrom(imp) => {
                let Some(module) = imp
                    .module
                    .as_ref()
                    .map(|m| m.as_str())
                    .filter(|_| imp.level == 0)
                else {
                    // Relative imports are the user's own package; a star import of one of its
                    // modules brings the torch names that module binds.
                    let module = imp.module.as_ref().map(|m| m.as_str());
                    self.project_import(imp.level, module, &imp.names);
                    return;
                };
                if !self.tracked(module) {
                    // An absolute import of another package, perhaps the project's own.
                    self.project_import(0, Some(module), &imp.names);
                    return;
                }
                for alias in &imp.names {
                    let name = alias.name.as_str();
                    if name == "*" {
                        if self.tracked(module) {
                            self.scopes
                                .last_mut()
                                .expect("a scope")
                                .stars
                                .push(module.to_string());
                        }
                        continue;
                    }
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    let qual = format!("{module}.{name}");
                    self.record((qual.clone(), false), alias.range(), UseKind::Import);
                    self.bind(bound, Binding::Qual(qual));
                }
            }
            Stmt::FunctionDef(f) => {
                for d in &f.decorator_list {
                    self.decorator(&d.expression);
                }
                for p in f.parameters.iter() {
                    if let Some(default) = p.default() {
                        self.expr(default);
                    }
                }
                let returns = f.returns.as_deref().and_then(|r| self.annotated_class(r));
                self.bind(
                    f.name.as_str(),
                    returns.map_or(Binding::Local, Binding::Returns),
                );
                let mut scope = Scope::default();
                for p in f.parameters.iter() {
                    let binding = p
                        .annotation()
                        .and_then(|a| self.annotated_class(a))
                        .map_or(Binding::Local, Binding::Instance);
                    scope.names.insert(p.name().to_string(), binding);
                }
                // A method's first parameter is the object, unless it is a static method's
                // or a class method's.
                if let Some(members) = self.scopes.last().and_then(|s| s.class.clone()) {
                    let plain = !f.decorator_list.iter().any(|d| {
                        matches!(
                            callee_name(&d.expression),
                            Some("staticmethod" | "classmethod")
                        )
                    });
                    if let (true, Some(first)) = (plain, f.parameters.iter().next()) {
                        if first.annotation().is_none() {
                            scope
                                .names
                                .insert(first.name().to_string(), Binding::Object(members));
                        }
                    }
                }
                scope.splatted_only = splatted_only(&f.body);
                self.scopes.push(scope);
                self.body(&f.body);
                self.scopes.pop();
            }
            Stmt::ClassDef(c) => {
                for d in &c.decorator_list {
                    self.decorator(&d.expression);
                }
                if let Some(args) = &c.arguments {
                    for a in args.args.iter() {
                        self.expr(a);
                    }
                }
                let members = Arc::new(self.members(c));
                self.bind(c.name.as_str(), Binding::Class(members.clone()));
                self.scopes.push(Scope {
                    class: Some(members),
                    ..Scope::default()
                });
                self.body(&c.body);
                self.scopes.pop();
            }
            Stmt::Assign(a) => {
                self.expr(&a.value);
                for t in &a.targets {
                    self.target(t);
                }
                match (a.targets.as_slice(), a.value.as_ref()) {
                    ([Expr::Name(n)], value) => self.bind_value(n.id.as_str(), value),
                    // `v0, v1 = (p2 - p0), (p1 - p0)`: each name its own value.
                    ([Expr::Tuple(names)], Expr::Tuple(values))
                        if names.elts.len() == values.elts.len() =>
                    {
                        for (n, v) in names.elts.iter().zip(&values.elts) {
                            if let Expr::Name(n) = n {
                                self.bind_value(n.id.as_str(), v);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.expr(v);
                }
                self.target(&a.target);
                if let (Expr::Name(n), Some(v)) = (&*a.target, &a.value) {
                    self.bind_value(n.id.as_str(), v);
                }
            }
            Stmt::AugAssign(a) => {
                self.expr(&a.value);
                self.expr(&a.target);
            }
            Stmt::For(f) => {
                self.expr(&f.iter);
                self.target(&f.target);
                self.body(&f.body);
                self.body(&f.orelse);
            }
            Stmt::While(w) => {
                self.expr(&w.test);
                self.body(&w.body);
                self.body(&w.orelse);
            }
            Stmt::If(s) => {
                self.expr(&s.test);
                let first = self.test(&s.test);
                // What the earlier tests of the chain leave: each failed.
                let mut earlier = first.clone().negate();
                self.under(first, s.test.start(), |v| v.body(&s.body));
                for c in &s.elif_else_clauses {
                    let test = match &c.test {
                        Some(t) => {
                            self.expr(t);
                            self.test(t)
                        }
                        None => Test::Unknown,
                    };
                    let this = earlier.clone().and(test.clone());
                    earlier = earlier.and(test.negate());
                    let at = c.test.as_ref().map_or(s.test.start(), |t| t.start());
                    self.under(simplify(this), at, |v| v.body(&c.body));
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr);
                    if let Some(v) = &item.optional_vars {
                        self.target(v);
                    }
                }
                self.body(&w.body);
            }
            Stmt::Try(t) => {
                let names: Vec<String> = t
                    .handlers
                    .iter()
                    .flat_map(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        exception_names(h.type_.as_deref())
                    })
                    .collect();
                let start = self.out.len();
                self.catches.push(Arc::new(Catch {
                    names,
                    at: t.start(),
                }));
                self.body(&t.body);
                self.catches.pop();
                let tried: Vec<(String, UseKind)> = self.out[start..]
                    .iter()
                    .map(|u| (u.qualname.clone(), u.how.clone()))
                    .collect();
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    let caught = exception_names(h.type_.as_deref());
                    // A handler for what an API change raises, after a block that uses the
                    // package: the fallback for releases where that block fails.
                    let fallback = !tried.is_empty()
                        && caught
                            .iter()
                            .any(|n| guards::DRIFT_ERRORS.contains(&n.as_str()));
                    if let Some(n) = &h.name {
                        self.bind(n.as_str(), Binding::Local);
                    }
                    if fallback {
                        self.fallback += 1;
                        self.under(Test::TryFails(tried.clone()), t.start(), |v| {
                            v.body(&h.body)
                        });
                        self.fallback -= 1;
                    } else {
                        self.body(&h.body);
                    }
                }
                self.body(&t.orelse);
                self.body(&t.finalbody);
            }
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    self.expr(v);
                }
            }
            Stmt::Expr(e) => self.expr(&e.value),
            Stmt::Raise(r) => {
                if let Some(e) = &r.exc {
                    self.expr(e);
                }
            }
            Stmt::Assert(a) => self.expr(&a.test),
            Stmt::Delete(d) => {
                for t in &d.targets {
                    self.expr(t);
                }
            }
            Stmt::Match(m) => {
                self.expr(&m.subject);
                for case in &m.cases {
                    self.body(&case.body);
                }
            }
            _ => {}
        }
    }

    /// An assignment target: names become locals (a variable named `torch` shadows it).
    fn target(&mut self, t: &Expr) {
        match t {
            Expr::Name(n) => self.bind(n.id.as_str(), Binding::Local),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.target(e)),
            Expr::List(t) => t.elts.iter().for_each(|e| self.target(e)),
            Expr::Starred(s) => self.target(&s.value),
            other => self.expr(other),
        }
    }

    /// The qualified name an attribute chain or name refers to.
    fn qualify(&self, e: &Expr) -> Option<(String, bool)> {
        match e {
            Expr::Name(n) => self.lookup(n.id.as_str()),
            Expr::Attribute(a) => {
                if let Some(class) = self.instance_of(&a.value) {
                    return Some((format!("{class}.{}", a.attr.as_str()), false));
                }
                let (base, star) = self.qualify(&a.value)?;
                Some((format!("{base}.{}", a.attr.as_str()), star))
            }
            _ => None,
        }
    }

    /// The class of the package whose value `e` is, when that is certain from this file: a
    /// name holding one, arithmetic on such values and numbers (`p2 - p0`, `-v`, `2 * v`).
    /// The project's own annotations are followed: a call of a function annotated `-> Tensor`,
    /// a property or annotated attribute of `self`. Calls of the package are not: what its
    /// functions return is the store's to say, not the visitor's.
    fn instance_of(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Name(n) => match self.binding(n.id.as_str()) {
                Some(Binding::Instance(class)) => Some(class.clone()),
                _ => None,
            },
            Expr::Attribute(a) => self
                .members_of(&a.value)?
                .values
                .get(a.attr.as_str())
                .cloned(),
            Expr::Call(c) => match c.func.as_ref() {
                Expr::Name(n) => match self.binding(n.id.as_str()) {
                    Some(Binding::Returns(class)) => Some(class.clone()),
                    _ => None,
                },
                Expr::Attribute(a) => self
                    .members_of(&a.value)?
                    .returns
                    .get(a.attr.as_str())
                    .cloned(),
                _ => None,
            },
            Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::USub | ast::UnaryOp::UAdd) => {
                self.instance_of(&u.operand)
            }
            Expr::BinOp(b) if !matches!(b.op, ast::Operator::Mod) => {
                fn number(e: &Expr) -> bool {
                    match e {
                        Expr::NumberLiteral(_) => true,
                        Expr::UnaryOp(u) => number(&u.operand),
                        _ => false,
                    }
                }
                match (self.instance_of(&b.left), self.instance_of(&b.right)) {
                    (Some(l), Some(r)) => (l == r).then_some(l),
                    (Some(l), None) if number(&b.right) => Some(l),
                    (None, Some(r)) if number(&b.left) => Some(r),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// What a class's members hold, from the annotations in its body and its methods'
    /// (`self.w: Tensor = ...`), over what its bases in this module hold. A member defined
    /// without such an annotation hides the base's.
    fn members(&self, c: &ast::StmtClassDef) -> Members {
        let mut m = Members::default();
        for base in c.arguments.iter().flat_map(|a| a.args.iter()) {
            if let Expr::Name(n) = base {
                if let Some(Binding::Class(b)) = self.binding(n.id.as_str()) {
                    m.values
                        .extend(b.values.iter().map(|(k, v)| (k.clone(), v.clone())));
                    m.returns
                        .extend(b.returns.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        fn set(m: &mut Members, name: &str, value: Option<String>, returns: Option<String>) {
            m.values.remove(name);
            m.returns.remove(name);
            if let Some(v) = value {
                m.values.insert(name.to_string(), v);
            }
            if let Some(r) = returns {
                m.returns.insert(name.to_string(), r);
            }
        }
        for stmt in &c.body {
            match stmt {
                Stmt::FunctionDef(f) => {
                    let class = f.returns.as_deref().and_then(|r| self.annotated_class(r));
                    let property = f.decorator_list.iter().any(|d| {
                        matches!(
                            callee_name(&d.expression),
                            Some("property" | "cached_property")
                        )
                    });
                    // A property's setter or deleter leaves the getter's annotation standing.
                    let accessor = f.decorator_list.iter().any(|d| {
                        matches!(&d.expression, Expr::Attribute(a)
                            if matches!(a.attr.as_str(), "setter" | "deleter"))
                    });
                    if accessor {
                        continue;
                    }
                    if property {
                        set(&mut m, f.name.as_str(), class, None);
                    } else {
                        set(&mut m, f.name.as_str(), None, class);
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let Expr::Name(n) = a.target.as_ref() {
                        let class = self.annotated_class(&a.annotation);
                        set(&mut m, n.id.as_str(), class, None);
                    }
                }
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            set(&mut m, n.id.as_str(), None, None);
                        }
                    }
                }
                _ => {}
            }
        }
        // `self.w: Tensor = ...` at the top of a method's body, and `self.w = w` of a
        // parameter annotated with a class of the package (`def __init__(self, w: Tensor)`).
        for stmt in &c.body {
            let Stmt::FunctionDef(f) = stmt else { continue };
            let Some(this) = f.parameters.iter().next().map(|p| p.name().as_str()) else {
                continue;
            };
            let of_self = |t: &Expr| match t {
                Expr::Attribute(t) if matches!(t.value.as_ref(), Expr::Name(n) if n.id.as_str() == this) => {
                    Some(t.attr.to_string())
                }
                _ => None,
            };
            let parameter_class = |name: &str| {
                f.parameters
                    .iter()
                    .find(|p| p.name().as_str() == name)
                    .and_then(|p| p.annotation())
                    .and_then(|a| self.annotated_class(a))
            };
            for s in &f.body {
                let (attr, class) = match s {
                    Stmt::AnnAssign(a) => (of_self(&a.target), self.annotated_class(&a.annotation)),
                    Stmt::Assign(a) => match (a.targets.as_slice(), a.value.as_ref()) {
                        ([t], Expr::Name(n)) => (of_self(t), parameter_class(n.id.as_str())),
                        _ => continue,
                    },
                    _ => continue,
                };
                if let (Some(attr), Some(class)) = (attr, class) {
                    m.values.insert(attr, class);
                }
            }
        }
        m
    }

    /// What the members of `self` hold, when `e` is the `self` of a project class's method.
    fn members_of(&self, e: &Expr) -> Option<&Members> {
        match e {
            Expr::Name(n) => match self.binding(n.id.as_str()) {
                Some(Binding::Object(m)) => Some(m),
                _ => None,
            },
            _ => None,
        }
    }

    /// The class a parameter's annotation names (`torch.Tensor`, `Optional[Tensor]`,
    /// `Tensor | None`), evaluated where the function is defined.
    fn annotated_class(&self, annotation: &Expr) -> Option<String> {
        match annotation {
            Expr::Name(_) | Expr::Attribute(_) => {
                let (q, _) = self.qualify(annotation)?;
                self.tracked(&q).then_some(q)
            }
            Expr::Subscript(s) => {
                let optional = match s.value.as_ref() {
                    Expr::Name(n) => n.id.as_str() == "Optional",
                    Expr::Attribute(a) => a.attr.as_str() == "Optional",
                    _ => false,
                };
                optional.then(|| self.annotated_class(&s.slice)).flatten()
            }
            Expr::BinOp(b) if matches!(b.op, ast::Operator::BitOr) => {
                match (b.left.as_ref(), b.right.as_ref()) {
                    (Expr::NoneLiteral(_), other) | (other, Expr::NoneLiteral(_)) => {
                        self.annotated_class(other)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Call(call) => {
                match self.qualify(&call.func) {
                    Some(q) => {
                        let starred = call
                            .arguments
                            .args
                            .iter()
                            .any(|a| matches!(a, Expr::Starred(_)));
                        let mut keywords: Vec<String> = call
                            .arguments
                            .keywords
                            .iter()
                            .filter_map(|k| k.arg.as_ref().map(|a| a.to_string()))
                            .collect();
                        let mut literals: Vec<(String, String)> = call
                            .arguments
                            .keywords
                            .iter()
                            .filter_map(|k| {
                                let value = crate::util::python::literal_value(&k.value)?;
                                Some((k.arg.as_ref()?.to_string(), value))
                            })
                            .collect();
                        let written = keywords.len();
                        // `**kw` of a dict this function spells out passes its keys.
                        let mut has_kwargs = false;
                        for k in call.arguments.keywords.iter().filter(|k| k.arg.is_none()) {
                            let known = match &k.value {
                                Expr::Name(n) => match self.binding(n.id.as_str()) {
                                    Some(Binding::Keywords(keys)) => Some(keys.clone()),
                                    _ => None,
                                },
                                _ => None,
                            };
                            let Some(keys) = known else {
                                has_kwargs = true;
                                continue;
                            };
                            for (key, value) in keys.iter() {
                                keywords.push(key.clone());
                                if let Some(v) = value {
                                    literals.push((key.clone(), v.clone()));
                                }
                            }
                        }
                        let on_value = matches!(call.func.as_ref(), Expr::Attribute(a)
                            if self.instance_of(&a.value).is_some());
                        self.receiver(&call.func);
                        let how = UseKind::Call {
                            positional: (!starred).then_some(call.arguments.args.len()),
                            keywords,
                            written,
                            decorates: false,
                            has_kwargs,
                            on_value,
                            literals,
                        };
                        self.record(q, call.func.range(), how);
                    }
                    None => self.expr(&call.func),
                }
                for a in call.arguments.args.iter() {
                    self.expr(a);
                }
                for k in call.arguments.keywords.iter() {
                    self.expr(&k.value);
                }
            }
            Expr::Attribute(_) | Expr::Name(_) => {
                if let Some(q) = self.qualify(e) {
                    // A bare name bound by `from x import y` was reported at its import.
                    if matches!(e, Expr::Attribute(_)) {
                        self.receiver(e);
                        self.record(q, e.range(), UseKind::Reference);
                    }
                } else if let Expr::Attribute(a) = e {
                    self.expr(&a.value);
                }
            }
            Expr::If(x) => {
                self.expr(&x.test);
                let test = self.test(&x.test);
                self.under(test.clone(), x.test.start(), |v| v.expr(&x.body));
                self.under(test.negate(), x.test.start(), |v| v.expr(&x.orelse));
            }
            Expr::Lambda(l) => {
                let mut scope = Scope::default();
                if let Some(p) = &l.parameters {
                    for p in p.iter() {
                        scope.names.insert(p.name().to_string(), Binding::Local);
                    }
                }
                self.scopes.push(scope);
                self.expr(&l.body);
                self.scopes.pop();
            }
            _ => {
                // Everything else: visit the children expressions.
                use ruff_python_ast::visitor::walk_expr;
                struct Children<'b, 'c> {
                    v: &'b mut Visitor<'c>,
                }
                impl<'x> ruff_python_ast::visitor::Visitor<'x> for Children<'_, '_> {
                    fn visit_expr(&mut self, e: &'x Expr) {
                        self.v.expr(e);
                    }
                }
                let mut c = Children { v: self };
                walk_expr(&mut c, e);
            }
        }
    }
}

impl Visitor<'_> {
    /// The call at the root of an attribute chain on a value (`make(torch.x).cross`): its
    /// arguments are read like any others.
    fn receiver(&mut self, e: &Expr) {
        let mut e = e;
        while let Expr::Attribute(a) = e {
            e = &a.value;
        }
        if matches!(e, Expr::Call(_)) {
            self.expr(e);
        }
    }
}

/// The exception class names an `except` clause names (`""` for a bare `except:`).
/// The locals of a function body stored exactly once and loaded only as `**name` of a call
/// (a nested function's loads count too): nothing can change what such a dict holds
/// between its display and the calls.
fn splatted_only(body: &[Stmt]) -> rustc_hash::FxHashSet<String> {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor as Walk};
    #[derive(Default)]
    struct Count<'a> {
        stores: rustc_hash::FxHashMap<&'a str, usize>,
        other_loads: rustc_hash::FxHashSet<&'a str>,
        splats: rustc_hash::FxHashSet<&'a str>,
    }
    impl<'a> Walk<'a> for Count<'a> {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            // `global`/`nonlocal` names and `del x` are changed from elsewhere.
            match s {
                Stmt::Global(g) => self.other_loads.extend(g.names.iter().map(|n| n.as_str())),
                Stmt::Nonlocal(g) => self.other_loads.extend(g.names.iter().map(|n| n.as_str())),
                _ => {}
            }
            walk_stmt(self, s)
        }
        fn visit_expr(&mut self, e: &'a Expr) {
            match e {
                Expr::Call(c) => {
                    self.visit_expr(&c.func);
                    for a in c.arguments.args.iter() {
                        self.visit_expr(a);
                    }
                    for k in c.arguments.keywords.iter() {
                        match (&k.arg, &k.value) {
                            (None, Expr::Name(n)) => {
                                self.splats.insert(n.id.as_str());
                            }
                            _ => self.visit_expr(&k.value),
                        }
                    }
                }
                Expr::Name(n) => match n.ctx {
                    ast::ExprContext::Store => *self.stores.entry(n.id.as_str()).or_default() += 1,
                    _ => {
                        self.other_loads.insert(n.id.as_str());
                    }
                },
                _ => walk_expr(self, e),
            }
        }
    }
    let mut c = Count::default();
    for s in body {
        c.visit_stmt(s);
    }
    c.splats
        .iter()
        .filter(|n| c.stores.get(*n) == Some(&1) && !c.other_loads.contains(*n))
        .map(|n| n.to_string())
        .collect()
}

/// The keys of a dict display whose keys are all string literals (`{"mmap": True}`,
/// `dict(mmap=True)`), each with its value when that is a literal.
fn dict_keywords(e: &Expr) -> Option<Vec<(String, Option<String>)>> {
    let literal = |v: &Expr| crate::util::python::literal_value(v);
    match e {
        Expr::Dict(d) => d
            .items
            .iter()
            .map(|item| {
                let key = string_literal(item.key.as_ref()?)?;
                Some((key.to_string(), literal(&item.value)))
            })
            .collect(),
        Expr::Call(c)
            if matches!(c.func.as_ref(), Expr::Name(n) if n.id.as_str() == "dict")
                && c.arguments.args.is_empty() =>
        {
            c.arguments
                .keywords
                .iter()
                .map(|k| Some((k.arg.as_ref()?.to_string(), literal(&k.value))))
                .collect()
        }
        _ => None,
    }
}

fn exception_names(e: Option<&Expr>) -> Vec<String> {
    match e {
        None => vec![String::new()],
        Some(Expr::Name(n)) => vec![n.id.to_string()],
        Some(Expr::Attribute(a)) => vec![a.attr.to_string()],
        Some(Expr::Tuple(t)) => t
            .elts
            .iter()
            .flat_map(|e| exception_names(Some(e)))
            .collect(),
        Some(_) => vec![],
    }
}

/// Whether a block always leaves: its last statement returns, raises, or leaves a loop.
fn terminates(body: &[Stmt]) -> bool {
    match body.last() {
        Some(Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_) | Stmt::Break(_)) => true,
        Some(Stmt::If(s)) => {
            terminates(&s.body)
                && s.elif_else_clauses.iter().any(|c| c.test.is_none())
                && s.elif_else_clauses.iter().all(|c| terminates(&c.body))
        }
        Some(Stmt::With(w)) => terminates(&w.body),
        Some(Stmt::Try(t)) => {
            terminates(&t.body)
                && t.handlers.iter().all(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    terminates(&h.body)
                })
        }
        _ => false,
    }
}

/// An `All` of one known test is that test; of none, nothing known.
fn simplify(t: Test) -> Test {
    match t {
        Test::All(v) => {
            let mut known: Vec<Test> = v.into_iter().filter(|x| !x.is_unknown()).collect();
            match known.len() {
                0 => Test::Unknown,
                1 => known.remove(0),
                _ => Test::All(known),
            }
        }
        other => other,
    }
}

/// A literal version: `"2.4"`, `(2, 4)`, `2`, or one wrapped in a call (`version.parse("2.4")`).
fn version_literal(e: &Expr) -> Option<Vec<u64>> {
    match e {
        Expr::StringLiteral(s) => {
            let text = s.value.to_str();
            text.starts_with(|c: char| c.is_ascii_digit())
                .then(|| guards::release_numbers(text))?
        }
        Expr::Tuple(t) => t.elts.iter().map(int_literal).collect(),
        Expr::NumberLiteral(_) => Some(vec![int_literal(e)?]),
        Expr::Call(c) if c.arguments.args.len() == 1 && c.arguments.keywords.is_empty() => {
            match &c.arguments.args[0] {
                s @ Expr::StringLiteral(_) => version_literal(s),
                _ => None,
            }
        }
        // `version.parse("2.3").release`
        Expr::Attribute(a) if matches!(a.attr.as_str(), "release" | "base_version" | "public") => {
            version_literal(&a.value)
        }
        _ => None,
    }
}

fn int_literal(e: &Expr) -> Option<u64> {
    match e {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64(),
            _ => None,
        },
        _ => None,
    }
}

fn string_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        _ => None,
    }
}

/// The name a call calls, last part (`version.parse` → `parse`).
fn callee_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

impl Visitor<'_> {
    /// Binds a name assigned a version test or the torch version, so that later tests read it.
    fn bind_value(&mut self, name: &str, value: &Expr) {
        if self.fallback > 0 {
            return;
        }
        let test = self.test(value);
        let binding = if !test.is_unknown() {
            Binding::Guard(Arc::new(test))
        } else if let Some(parts) = self.version_expr(value) {
            Binding::TorchVersion(parts)
        } else if let Some(class) = self.instance_of(value) {
            Binding::Instance(class)
        } else if let Some(keys) = self
            .scopes
            .last()
            .filter(|s| s.splatted_only.contains(name))
            .and_then(|_| dict_keywords(value))
        {
            Binding::Keywords(Arc::new(keys))
        } else {
            return;
        };
        self.scopes
            .last_mut()
            .expect("a scope")
            .names
            .insert(name.to_string(), binding);
    }

    /// A tracked name an expression reaches (`torch.__version__`).
    fn tracked_name(&self, e: &Expr) -> Option<String> {
        self.qualify(e).map(|(q, _)| q).filter(|q| self.tracked(q))
    }

    /// Whether `e` is the running torch version, and on how many components it is compared
    /// (`int(torch.__version__.split(".")[0])`: 1).
    fn version_expr(&self, e: &Expr) -> Option<usize> {
        match e {
            Expr::Name(n) => match self.binding(n.id.as_str()) {
                Some(Binding::TorchVersion(parts)) => Some(*parts),
                Some(
                    Binding::Qual(_)
                    | Binding::Guard(_)
                    | Binding::Instance(_)
                    | Binding::Keywords(_),
                ) => None,
                Some(
                    Binding::Local | Binding::Returns(_) | Binding::Class(_) | Binding::Object(_),
                )
                | None => guards::names_version(n.id.as_str(), &self.words).then_some(usize::MAX),
            },
            Expr::Attribute(a) => {
                if let Some(q) = self.tracked_name(e) {
                    let top = q.split('.').next().unwrap_or_default();
                    let version = q == format!("{top}.__version__")
                        || q == format!("{top}.version.__version__");
                    return version.then_some(usize::MAX);
                }
                match a.attr.as_str() {
                    "release" | "base_version" | "public" | "vstring" | "version" => {
                        self.version_expr(&a.value)
                    }
                    "major" => self.version_expr(&a.value).map(|_| 1),
                    _ => None,
                }
            }
            Expr::Call(c) => {
                // A method of the text (`.split("+")`), or a function of it (`int`, `parse`).
                if let Expr::Attribute(m) = &*c.func {
                    if matches!(m.attr.as_str(), "split" | "strip" | "replace" | "lower") {
                        return self.version_expr(&m.value);
                    }
                }
                // A helper of the project named for the version (`get_torch_version()`).
                if c.arguments.args.is_empty() && c.arguments.keywords.is_empty() {
                    let named = callee_name(&c.func).is_some_and(|n| {
                        let (package, versionish, op) = guards::function_words(n, &self.words);
                        package && versionish && op.is_none()
                    });
                    return (named && self.tracked_name(&c.func).is_none()).then_some(usize::MAX);
                }
                if let Some(first) = c.arguments.args.first() {
                    if let Some(parts) = self.version_expr(first) {
                        return Some(parts);
                    }
                    // `importlib.metadata.version("torch")`
                    let named = callee_name(&c.func).is_some_and(|n| n.contains("version"));
                    let torch = string_literal(first).is_some_and(|s| self.roots.contains(&s));
                    if named && torch {
                        return Some(usize::MAX);
                    }
                }
                None
            }
            Expr::Subscript(s) => {
                let parts = self.version_expr(&s.value)?;
                match &*s.slice {
                    // The major version, of the text or of its split.
                    Expr::NumberLiteral(_) if int_literal(&s.slice) == Some(0) => Some(1),
                    Expr::Slice(sl)
                        if sl.lower.is_none() && sl.step.is_none() && is_split(&s.value) =>
                    {
                        let n = int_literal(sl.upper.as_deref()?)? as usize;
                        Some(n.min(parts))
                    }
                    _ => None,
                }
            }
            Expr::Generator(g) => g
                .generators
                .first()
                .and_then(|c| self.version_expr(&c.iter)),
            _ => None,
        }
    }

    /// The condition an expression tests, as far as it is a test of the torch release.
    fn test(&self, e: &Expr) -> Test {
        match e {
            Expr::BoolOp(b) => {
                let parts: Vec<Test> = b.values.iter().map(|v| self.test(v)).collect();
                if parts.iter().all(Test::is_unknown) {
                    return Test::Unknown;
                }
                match b.op {
                    ast::BoolOp::And => Test::All(parts),
                    ast::BoolOp::Or => Test::Any(parts),
                }
            }
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => self.test(&u.operand).negate(),
            Expr::Compare(c) => {
                let mut left = &*c.left;
                let mut parts = Vec::new();
                for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
                    parts.push(self.comparison(left, *op, right));
                    left = right;
                }
                simplify(Test::All(parts))
            }
            Expr::Call(c) => self.call_test(c),
            Expr::Name(n) => match self.binding(n.id.as_str()) {
                Some(Binding::Guard(t)) => (**t).clone(),
                Some(
                    Binding::Qual(_)
                    | Binding::TorchVersion(_)
                    | Binding::Instance(_)
                    | Binding::Keywords(_),
                ) => Test::Unknown,
                Some(
                    Binding::Local | Binding::Returns(_) | Binding::Class(_) | Binding::Object(_),
                )
                | None => guards::flag_test(n.id.as_str(), &self.words).unwrap_or(Test::Unknown),
            },
            Expr::Attribute(a) => {
                if self.tracked_name(e).is_some() {
                    return Test::Unknown;
                }
                guards::flag_test(a.attr.as_str(), &self.words).unwrap_or(Test::Unknown)
            }
            _ => Test::Unknown,
        }
    }

    fn comparison(&self, left: &Expr, op: ast::CmpOp, right: &Expr) -> Test {
        let op = match op {
            ast::CmpOp::Lt => Op::Lt,
            ast::CmpOp::LtE => Op::Le,
            ast::CmpOp::Gt => Op::Gt,
            ast::CmpOp::GtE => Op::Ge,
            ast::CmpOp::Eq => Op::Eq,
            ast::CmpOp::NotEq => Op::Ne,
            // `getattr(torch, "x", None) is not None`
            ast::CmpOp::Is | ast::CmpOp::IsNot if right.is_none_literal_expr() => {
                let probe = match left {
                    Expr::Call(c) => self.probe(c),
                    _ => None,
                };
                return match (probe, op) {
                    (Some(t), ast::CmpOp::IsNot) => t,
                    (Some(t), _) => t.negate(),
                    (None, _) => Test::Unknown,
                };
            }
            _ => return Test::Unknown,
        };
        let version = |parts: usize, v: Vec<u64>, op: Op| Test::Version {
            op,
            version: v,
            parts,
        };
        if let (Some(parts), Some(v)) = (self.version_expr(left), version_literal(right)) {
            return version(parts, v, op);
        }
        if let (Some(v), Some(parts)) = (version_literal(left), self.version_expr(right)) {
            return version(parts, v, op.flipped());
        }
        Test::Unknown
    }

    /// `hasattr(torch.x, "y")`, or `getattr(torch.x, "y", default)`: whether the name exists.
    fn probe(&self, c: &ast::ExprCall) -> Option<Test> {
        let args = &c.arguments.args;
        let wanted = match callee_name(&c.func)? {
            "hasattr" => 2,
            "getattr" => 3,
            _ => return None,
        };
        if args.len() != wanted || !c.arguments.keywords.is_empty() {
            return None;
        }
        let base = self.tracked_name(&args[0])?;
        Some(Test::Has(format!("{base}.{}", string_literal(&args[1])?)))
    }

    /// A call that tests the torch version: `is_torch_version(">=", "2.3")`,
    /// `compare_version("torch", operator.ge, "2.0")`, `torch_version_ge(2, 4)`,
    /// `RequirementCache("torch>=2.4")`, `torch.__version__.startswith("1.")`, `hasattr`.
    fn call_test(&self, c: &ast::ExprCall) -> Test {
        if let Some(t) = self.probe(c) {
            return t;
        }
        if let Expr::Attribute(m) = &*c.func {
            if m.attr.as_str() == "startswith" && self.version_expr(&m.value).is_some() {
                if let Some(p) = c.arguments.args.first().and_then(string_literal) {
                    return Test::Prefix(p.to_string());
                }
            }
        }
        if self.tracked_name(&c.func).is_some() {
            return Test::Unknown;
        }
        let Some(name) = callee_name(&c.func) else {
            return Test::Unknown;
        };
        let args = &c.arguments.args;
        if let Some(t) = args.iter().filter_map(string_literal).find_map(|s| {
            self.roots
                .iter()
                .find_map(|r| guards::requirement_test(s, r))
        }) {
            return t;
        }
        let (torch_named, versionish, named_op) = guards::function_words(name, &self.words);
        let torch_arg = args
            .iter()
            .filter_map(string_literal)
            .any(|s| self.roots.contains(&s));
        let op_arg = args.iter().find_map(|a| match a {
            Expr::StringLiteral(s) => Op::from_symbol(s.value.to_str()),
            Expr::Attribute(x) if matches!(&*x.value, Expr::Name(n) if n.id.as_str() == "operator") => {
                Op::from_operator_name(x.attr.as_str())
            }
            _ => None,
        });
        let version = args
            .iter()
            .find_map(|a| match a {
                Expr::StringLiteral(_) | Expr::Tuple(_) => version_literal(a),
                _ => None,
            })
            .or_else(|| {
                let ints: Option<Vec<u64>> = args.iter().map(int_literal).collect();
                ints.filter(|v| !v.is_empty())
            });
        match version {
            Some(version) if (torch_named || torch_arg) && (versionish || op_arg.is_some()) => {
                Test::Version {
                    op: op_arg.or(named_op).unwrap_or(Op::Ge),
                    version,
                    parts: usize::MAX,
                }
            }
            _ => Test::Unknown,
        }
    }
}

/// Whether `e` is a `.split(...)` of something.
fn is_split(e: &Expr) -> bool {
    matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "split"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoStars;
    impl Exports for NoStars {
        fn has(&self, module: &str, name: &str) -> bool {
            module == "torch.nn" && name == "Linear"
        }
    }

    fn names(src: &str) -> Vec<String> {
        let parsed = ruff_python_parser::parse_module(src).unwrap();
        // `pt` as torch's profile names it: `WITH_PT24` is a version flag.
        uses_in(
            &[parsed.syntax()],
            &["torch"],
            &["pt".to_string()],
            &NoStars,
        )
        .into_iter()
        .map(|(_, u)| {
            let what = match u.how {
                UseKind::Import => format!("import {}", u.qualname),
                UseKind::Reference => format!("ref {}", u.qualname),
                UseKind::Call {
                    positional,
                    keywords,
                    ..
                } => format!("call {} {:?} {:?}", u.qualname, positional, keywords),
            };
            let mut conditions: Vec<String> =
                u.guards.iter().map(|g| g.test.describe("torch")).collect();
            if let Some(r) = &u.replaced {
                conditions.push(format!("replaced when {}", r.test.describe("torch")));
            }
            if !u.caught.is_empty() {
                conditions.push(format!("caught {:?}", u.caught.last().unwrap().names));
            }
            if conditions.is_empty() {
                what
            } else {
                format!("{what} | {}", conditions.join("; "))
            }
        })
        .collect()
    }

    #[test]
    fn a_decorator_calls_what_it_names() {
        let src = "import torch\nfrom torch.cuda.amp import custom_fwd\n\n@custom_fwd\ndef f(ctx): ...\n\n@torch.jit.script\nclass A: ...\n\n@torch.jit.ignore(drop=True)\ndef g(): ...\n\n@staticmethod\ndef h(): ...\n";
        assert_eq!(
            names(src),
            [
                "import torch",
                "import torch.cuda.amp.custom_fwd",
                "call torch.cuda.amp.custom_fwd Some(1) []",
                "call torch.jit.script Some(1) []",
                "call torch.jit.ignore Some(0) [\"drop\"]",
            ]
        );
    }

    #[test]
    fn every_binding_form() {
        let src = "import torch\nimport torch.nn.functional as F\nfrom torch.cuda import amp\nfrom torch.cuda.amp import GradScaler as GS\nfrom torch.nn import *\n\ntorch.load(f)\nF.relu(x, inplace=True)\namp.GradScaler()\nGS()\nLinear(3, 4)\n\ndef train():\n    import torch.onnx as onnx\n    onnx.export(m, a, f, *rest)\n";
        assert_eq!(
            names(src),
            [
                "import torch",
                "import torch.nn.functional",
                "import torch.cuda.amp",
                "import torch.cuda.amp.GradScaler",
                "call torch.load Some(1) []",
                "call torch.nn.functional.relu Some(1) [\"inplace\"]",
                "call torch.cuda.amp.GradScaler Some(0) []",
                "call torch.cuda.amp.GradScaler Some(0) []",
                "call torch.nn.Linear Some(2) []",
                "import torch.onnx",
                "call torch.onnx.export None []",
            ]
        );
    }

    #[test]
    fn shadowing_strings_and_fallbacks() {
        let src = "import torch\n\ndef f(torch):\n    torch.solve(a)\n\nclass Net:\n    def symeig(self):\n        self.symeig()\n\nmsg = 'torch.solve is gone'\ntry:\n    from torch.amp import GradScaler\nexcept ImportError:\n    from torch.cuda.amp import GradScaler\nGradScaler()\n";
        // The fallback import is recorded under its condition; the name keeps the main
        // branch's binding.
        assert_eq!(
            names(src),
            [
                "import torch",
                "import torch.amp.GradScaler | caught [\"ImportError\"]",
                "import torch.cuda.amp.GradScaler | the `try` block fails",
                "call torch.amp.GradScaler Some(0) []"
            ]
        );
    }

    #[test]
    fn version_tests_of_every_form() {
        let src = r#"import torch
import operator
from packaging import version
from .imports import _TORCH_GREATER_EQUAL_2_4, is_torch_version
from lightning_utilities import compare_version, RequirementCache
_TORCH_VERSION = version.parse(torch.__version__)
NEW = _TORCH_VERSION >= version.parse("2.2")
if torch.__version__ >= "2.0":
    torch.a()
else:
    torch.b()
if is_torch_version("<", "2.3"):
    torch.c()
elif int(torch.__version__.split(".")[0]) >= 2:
    torch.d()
x = torch.e() if _TORCH_GREATER_EQUAL_2_4 else torch.f()
if not NEW and compare_version("torch", operator.ge, "1.13"):
    torch.g()
if RequirementCache("torch>=2.1") or cuda_ok():
    torch.h()
if hasattr(torch.nn.utils, "parametrizations"):
    torch.i()
if torch.cuda.is_available():
    torch.j()
if tuple(int(p) for p in torch.__version__.split(".")[:2]) < (1, 10):
    torch.k()
if version.parse(get_torch_version()) >= version.parse("2.2"):
    pass
elif version.parse(torch.__version__).release < version.parse("2.3").release:
    torch.l()
"#;
        assert_eq!(
            names(src),
            [
                "import torch",
                "ref torch.__version__",
                "ref torch.__version__",
                "call torch.a Some(0) [] | torch >= 2.0",
                "call torch.b Some(0) [] | torch < 2.0",
                "call torch.c Some(0) [] | torch < 2.3",
                "call torch.__version__.split Some(1) []",
                "call torch.d Some(0) [] | torch >= 2.3 and torch >= 2",
                "call torch.e Some(0) [] | torch >= 2.4",
                "call torch.f Some(0) [] | torch < 2.4",
                "call torch.g Some(0) [] | torch < 2.2 and torch >= 1.13",
                "call torch.h Some(0) [] | torch >= 2.1 or a condition",
                "ref torch.nn.utils",
                "call torch.i Some(0) [] | `torch.nn.utils.parametrizations` exists",
                "call torch.cuda.is_available Some(0) []",
                "call torch.j Some(0) []",
                "call torch.__version__.split Some(1) []",
                "call torch.k Some(0) [] | torch < 1.10",
                "ref torch.__version__",
                "call torch.l Some(0) [] | torch < 2.2 and torch < 2.3",
            ]
        );
    }

    #[test]
    fn early_exits_defaults_replaced_and_caught_errors() {
        let src = r#"import torch
from torch import nn
def load(f):
    if WITH_PT24:
        return torch.load(f, weights_only=True)
    return torch.load(f)
norm = nn.utils.weight_norm
if hasattr(nn.utils.parametrizations, "weight_norm"):
    norm = nn.utils.parametrizations.weight_norm
try:
    out = torch.load(f, weights_only=True)
except TypeError:
    out = torch.load(f)
try:
    import apex
except ImportError:
    torch.cuda.amp.autocast()
"#;
        assert_eq!(
            names(src),
            [
                "import torch",
                "import torch.nn",
                "call torch.load Some(1) [\"weights_only\"] | torch >= 2.4",
                "call torch.load Some(1) [] | torch < 2.4",
                "ref torch.nn.utils.weight_norm | replaced when `torch.nn.utils.parametrizations.weight_norm` exists",
                "ref torch.nn.utils.parametrizations",
                "ref torch.nn.utils.parametrizations.weight_norm | `torch.nn.utils.parametrizations.weight_norm` exists",
                "call torch.load Some(1) [\"weights_only\"] | caught [\"TypeError\"]",
                "call torch.load Some(1) [] | the `try` block fails",
                // A `try` that does not use the package: its handler is not a fallback of it.
                "call torch.cuda.amp.autocast Some(0) []",
            ]
        );
    }

    #[test]
    fn a_catch_all_handler_is_a_fallback_too() {
        let src = "import torch\ntry:\n    n = t.untyped_storage()\n    torch.a()\nexcept Exception:\n    torch.b()\ntry:\n    torch.c()\nexcept:\n    torch.d()\ntry:\n    torch.e()\nexcept ValueError:\n    torch.f()\n";
        assert_eq!(
            names(src),
            [
                "import torch",
                "call torch.a Some(0) [] | caught [\"Exception\"]",
                "call torch.b Some(0) [] | the `try` block fails",
                "call torch.c Some(0) [] | caught [\"\"]",
                "call torch.d Some(0) [] | the `try` block fails",
                "call torch.e Some(0) [] | caught [\"ValueError\"]",
                // What an API change raises is not a `ValueError`.
                "call torch.f Some(0) []",
            ]
        );
    }

    #[test]
    fn values_of_the_package_s_classes() {
        let src = "import torch\nfrom typing import Optional\nfrom torch import Tensor\n\ndef f(p0: Tensor, p1: torch.Tensor, p2: Optional[Tensor] = None, p3: 'Tensor' = None, p4: Tensor | None = None, n: int = 0):\n    v0, v1 = (p2 - p0), (p1 - p0)\n    v0.cross(v1)\n    w = -2 * v1\n    w.norm\n    x = v0 - n\n    x.cross(v1)\n    p4.storage()\n    p3.cross(p0)\n    p0(1)\n    p0 = make()\n    p0.cross(p1)\n\np1.cross(p0)\n";
        assert_eq!(
            names(src),
            [
                "import torch",
                "import torch.Tensor",
                "call torch.Tensor.cross Some(1) []",
                "ref torch.Tensor.norm",
                // `v0 - n`: `n` is no number literal, and may be of a class of its own.
                "call torch.Tensor.storage Some(0) []",
            ]
        );
    }

    #[test]
    fn a_dict_the_function_spells_out_passes_its_keys() {
        let src = r#"import torch

def f(fsdp, extra):
    kw = {"limit_all_gathers": fsdp.limit, "sync": True}
    torch.load(x, **kw)
    opts = dict(mmap=True)
    torch.load(x, **opts, **extra)
    grown = {"a": 1}
    grown["weights_only"] = True
    torch.load(x, **grown)
    twice = {"a": 1}
    twice = {"b": 2}
    torch.load(x, **twice)
    merged = {**extra, "a": 1}
    torch.load(x, **merged)
"#;
        let parsed = ruff_python_parser::parse_module(src).unwrap();
        type Call = (Vec<String>, bool, Vec<(String, String)>);
        let calls: Vec<Call> = uses_in(&[parsed.syntax()], &["torch"], &[], &NoStars)
            .into_iter()
            .filter_map(|(_, u)| match u.how {
                UseKind::Call {
                    keywords,
                    has_kwargs,
                    literals,
                    ..
                } => Some((keywords, has_kwargs, literals)),
                _ => None,
            })
            .collect();
        let s = |v: &[&str]| v.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        assert_eq!(
            calls,
            [
                (
                    s(&["limit_all_gathers", "sync"]),
                    false,
                    vec![("sync".to_string(), "True".to_string())]
                ),
                // Another `**` the function does not spell out may still pass anything.
                (
                    s(&["mmap"]),
                    true,
                    vec![("mmap".to_string(), "True".to_string())]
                ),
                // Changed after the display, bound twice, or merged with another: unknown.
                (vec![], true, vec![]),
                (vec![], true, vec![]),
                (vec![], true, vec![]),
            ]
        );
    }

    #[test]
    fn values_the_project_s_annotations_declare() {
        // `vec` is used above its definition, as methods are; `Sub.w` hides `Base.w`.
        let src = "import torch\nfrom torch import Tensor\n\ndef make(x) -> Tensor: ...\ndef other(x) -> int: ...\n\nclass Base:\n    scale: torch.Tensor\n    w: Tensor\n    def __init__(self, data, dist: torch.distributions.Distribution, n):\n        self.data: Tensor = data\n        self.dist = dist\n        self.n = n\n    def mul(self, r):\n        return self.vec.cross(r) + self.data.norm()\n    @property\n    def vec(self) -> Tensor: ...\n    @vec.setter\n    def vec(self, v) -> None: ...\n    def half(self) -> Tensor: ...\n    @staticmethod\n    def s(x) -> Tensor:\n        return x.cross(x)\n\nclass Sub(Base):\n    w = None\n    def f(self):\n        self.half().cross(self.vec)\n        self.scale.storage()\n        self.w.cross(self.vec)\n        self.dist.sample_n(2)\n        self.n.cross(b)\n        make(torch.solve(a)).cross(b)\n        other(1).cross(b)\n        self.vec\n";
        assert_eq!(
            names(src),
            [
                "import torch",
                "import torch.Tensor",
                "call torch.Tensor.cross Some(1) []",
                "call torch.Tensor.norm Some(0) []",
                "call torch.Tensor.cross Some(1) []",
                "call torch.Tensor.storage Some(0) []",
                "call torch.distributions.Distribution.sample_n Some(1) []",
                "call torch.solve Some(1) []",
                "call torch.Tensor.cross Some(1) []",
            ]
        );
    }

    #[test]
    fn a_local_variable_named_torch() {
        assert_eq!(
            names("torch = load()\ntorch.solve(a)\n"),
            Vec::<String>::new()
        );
    }
}
