//! Name resolution in user code: which qualified names a file uses, where, and how it calls
//! them. Python's binding rules, simplified to what static reading can follow: module and
//! function scopes, imports in every form, shadowing by assignment or parameter, attribute
//! chains, and `try/except ImportError` fallbacks (the fallback branch serves old versions and
//! is not a use).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// One use of a qualified name.
#[derive(Debug, Clone)]
pub struct Use {
    pub qualname: String,
    pub range: TextRange,
    /// How it is used.
    pub how: UseKind,
    /// Resolved through a star import: the name may not be in that module at all.
    pub from_star: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UseKind {
    /// Named in an import statement (`from torch.cuda.amp import GradScaler`).
    Import,
    /// An attribute chain or name in an expression.
    Reference,
    /// Called: positional argument count (None when `*args` is passed) and keyword names
    /// (with `has_kwargs` when `**kwargs` is passed).
    Call {
        positional: Option<usize>,
        keywords: Vec<String>,
        has_kwargs: bool,
    },
}

#[derive(Debug, Clone)]
enum Binding {
    Qual(String),
    /// A local that is not an import (a variable, parameter, class or function).
    Local,
}

/// Star imports (`from torch.nn import *`) need the names a module exports; the caller
/// answers from the snapshots.
pub trait Exports {
    fn has(&self, module: &str, name: &str) -> bool;
}

pub fn uses(module: &ast::ModModule, roots: &[&str], exports: &dyn Exports) -> Vec<Use> {
    uses_in(&[module], roots, exports)
        .into_iter()
        .map(|(_, u)| u)
        .collect()
}

/// Uses in several modules run one after another in one namespace (notebook cells), each
/// tagged with the index of its module.
pub fn uses_in(
    modules: &[&ast::ModModule],
    roots: &[&str],
    exports: &dyn Exports,
) -> Vec<(usize, Use)> {
    let mut v = Visitor {
        scopes: vec![Scope::default()],
        roots,
        exports,
        out: Vec::new(),
        fallback: 0,
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
    stars: Vec<String>,
}

struct Visitor<'a> {
    scopes: Vec<Scope>,
    /// Top-level packages whose uses matter (`torch`): imports of anything else are locals.
    roots: &'a [&'a str],
    exports: &'a dyn Exports,
    out: Vec<Use>,
    /// Depth of `except ImportError:` handlers we are in.
    fallback: usize,
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
                Some(Binding::Local) => return None,
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

    fn record(&mut self, (qualname, from_star): (String, bool), range: TextRange, how: UseKind) {
        if self.fallback == 0 {
            self.out.push(Use {
                qualname,
                range,
                how,
                from_star,
            });
        }
    }

    fn body(&mut self, body: &[Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
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
                    // Relative imports are the user's own package.
                    for alias in &imp.names {
                        self.bind(
                            alias.asname.as_ref().unwrap_or(&alias.name).as_str(),
                            Binding::Local,
                        );
                    }
                    return;
                };
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
                    if self.tracked(module) {
                        let qual = format!("{module}.{name}");
                        self.record((qual.clone(), false), alias.range(), UseKind::Import);
                        self.bind(bound, Binding::Qual(qual));
                    } else {
                        self.bind(bound, Binding::Local);
                    }
                }
            }
            Stmt::FunctionDef(f) => {
                for d in &f.decorator_list {
                    self.expr(&d.expression);
                }
                for p in f.parameters.iter() {
                    if let Some(default) = p.default() {
                        self.expr(default);
                    }
                }
                self.bind(f.name.as_str(), Binding::Local);
                let mut scope = Scope::default();
                for p in f.parameters.iter() {
                    scope.names.insert(p.name().to_string(), Binding::Local);
                }
                self.scopes.push(scope);
                self.body(&f.body);
                self.scopes.pop();
            }
            Stmt::ClassDef(c) => {
                for d in &c.decorator_list {
                    self.expr(&d.expression);
                }
                if let Some(args) = &c.arguments {
                    for a in args.args.iter() {
                        self.expr(a);
                    }
                }
                self.bind(c.name.as_str(), Binding::Local);
                self.scopes.push(Scope::default());
                self.body(&c.body);
                self.scopes.pop();
            }
            Stmt::Assign(a) => {
                self.expr(&a.value);
                for t in &a.targets {
                    self.target(t);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.expr(v);
                }
                self.target(&a.target);
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
                self.body(&s.body);
                for c in &s.elif_else_clauses {
                    if let Some(t) = &c.test {
                        self.expr(t);
                    }
                    self.body(&c.body);
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
                self.body(&t.body);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    let import_fallback = h.type_.as_deref().is_some_and(is_import_error);
                    if let Some(n) = &h.name {
                        self.bind(n.as_str(), Binding::Local);
                    }
                    if import_fallback {
                        self.fallback += 1;
                    }
                    self.body(&h.body);
                    if import_fallback {
                        self.fallback -= 1;
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
                let (base, star) = self.qualify(&a.value)?;
                Some((format!("{base}.{}", a.attr.as_str()), star))
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
                        let keywords: Vec<String> = call
                            .arguments
                            .keywords
                            .iter()
                            .filter_map(|k| k.arg.as_ref().map(|a| a.to_string()))
                            .collect();
                        let has_kwargs = call.arguments.keywords.iter().any(|k| k.arg.is_none());
                        let how = UseKind::Call {
                            positional: (!starred).then_some(call.arguments.args.len()),
                            keywords,
                            has_kwargs,
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
                        self.record(q, e.range(), UseKind::Reference);
                    }
                } else if let Expr::Attribute(a) = e {
                    self.expr(&a.value);
                }
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

fn is_import_error(e: &Expr) -> bool {
    match e {
        Expr::Name(n) => matches!(n.id.as_str(), "ImportError" | "ModuleNotFoundError"),
        Expr::Tuple(t) => t.elts.iter().any(is_import_error),
        Expr::Attribute(a) => matches!(a.attr.as_str(), "ImportError" | "ModuleNotFoundError"),
        _ => false,
    }
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
        uses(parsed.syntax(), &["torch"], &NoStars)
            .into_iter()
            .map(|u| match u.how {
                UseKind::Import => format!("import {}", u.qualname),
                UseKind::Reference => format!("ref {}", u.qualname),
                UseKind::Call {
                    positional,
                    keywords,
                    ..
                } => format!("call {} {:?} {:?}", u.qualname, positional, keywords),
            })
            .collect()
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
        assert_eq!(
            names(src),
            [
                "import torch",
                "import torch.amp.GradScaler",
                "call torch.amp.GradScaler Some(0) []"
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
