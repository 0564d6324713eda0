//! Per-file analysis: what one module binds, declares in `__all__` and marks as deprecated or
//! unstable. Runs in parallel, one file at a time, and knows nothing of other modules; names
//! that point elsewhere stay unresolved until [`super::resolve`] joins the modules.

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::markers;
use super::profile::Profile;
use super::signature;
use crate::snapshot::{Deprecation, Kind, Marker, Stability, Tier};

/// What a module binds and declares.
#[derive(Debug, Default)]
pub struct ModuleFacts {
    pub name: String,
    pub file: String,
    pub is_package: bool,
    pub is_stub: bool,
    pub bindings: Vec<Binding>,
    pub all: Vec<AllOp>,
    pub deprecated: Vec<Deprecation>,
    pub stability: Option<Stability>,
    /// Attributes the module's `__getattr__` serves with a deprecation warning.
    pub getattr_deprecations: Vec<(String, Deprecation)>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    pub line: u32,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub enum Value {
    Def(Box<Def>),
    /// `import a.b as c` (`name: None`) or `from a import b` (`name: Some(b)`), absolute.
    Import {
        module: String,
        name: Option<String>,
        redundant_alias: bool,
    },
    /// `x = a.b.c` or a wrapper call around such a name: a dotted expression to resolve.
    Alias(String),
    /// `from m import *`, absolute.
    Star(String),
}

#[derive(Debug, Clone, Default)]
pub struct Def {
    pub kind: Kind,
    pub signatures: Vec<String>,
    /// Base class expressions, unresolved.
    pub bases: Vec<String>,
    pub members: Vec<Binding>,
    pub deprecated: Vec<Deprecation>,
    pub announced: Vec<Deprecation>,
    pub tombstone: Option<Marker>,
    pub stability: Option<Stability>,
    /// `__init__` defined in the class body (so the class signature is its own).
    pub has_init: bool,
    /// For annotated attributes (`float32: dtype = ...`), the annotation as written.
    pub annotation: Option<String>,
}

/// One statement's effect on `__all__`.
#[derive(Debug, Clone)]
pub enum AllOp {
    /// `__all__ = ...` (replaces) or `+=` / `.extend` (adds), with the parts of the expression.
    Set(Vec<AllPart>, u32),
    Add(Vec<AllPart>, u32),
    Remove(String),
    /// An operation this reader cannot evaluate, with its line.
    Unknown(u32),
}

#[derive(Debug, Clone)]
pub enum AllPart {
    Name(String),
    /// A non-string entry or a string that is not an identifier: reported, then dropped.
    Junk(String),
    /// `other.__all__` (dotted expression to resolve).
    OtherAll(String),
    /// `__all__` itself, as in `__all__ = list(__all__) + other.__all__`.
    Current,
}

pub struct FileContext<'a> {
    pub source: &'a str,
    pub file: &'a str,
    pub package: &'a str,
    pub profile: &'a Profile,
    line_starts: Vec<usize>,
    /// Module-level functions that always warn of a deprecation, filled before the walk.
    helpers: std::cell::OnceCell<HashMap<String, (WarnCall, String)>>,
}

impl<'a> FileContext<'a> {
    pub fn new(source: &'a str, file: &'a str, package: &'a str, profile: &'a Profile) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        FileContext {
            source,
            file,
            package,
            profile,
            line_starts,
            helpers: Default::default(),
        }
    }

    pub fn line(&self, node: &impl Ranged) -> u32 {
        let off = node.range().start().to_usize();
        (self.line_starts.partition_point(|&s| s <= off)) as u32
    }

    fn at(&self, node: &impl Ranged) -> String {
        format!("{}:{}", self.file, self.line(node))
    }
}

/// Module name for a file path: `torch/nn/__init__.py` → (`torch.nn`, package).
pub fn module_name(path: &str) -> Option<(String, bool)> {
    let stem = path
        .strip_suffix(".pyi")
        .or_else(|| path.strip_suffix(".py"))?;
    let (stem, is_package) = match stem.strip_suffix("/__init__") {
        Some(p) => (p, true),
        None => (stem, false),
    };
    let name = stem.replace('/', ".");
    // Files that cannot be imported under a dotted name (`foo-bar.py`, `a.b.py`) are not
    // modules of the package.
    if name.split('.').any(|p| {
        p.is_empty()
            || !p.chars().all(|c| c.is_alphanumeric() || c == '_')
            || p.starts_with(|c: char| c.is_ascii_digit())
    }) {
        return None;
    }
    Some((name, is_package))
}

pub fn analyse(
    ctx: &FileContext,
    module: &ast::ModModule,
    name: &str,
    is_package: bool,
) -> ModuleFacts {
    let mut facts = ModuleFacts {
        name: name.to_string(),
        file: ctx.file.to_string(),
        is_package,
        is_stub: ctx.file.ends_with(".pyi"),
        ..Default::default()
    };
    let module_last = name.rsplit('.').next().unwrap_or(name);
    if let Some((doc, line)) = docstring(&module.body, ctx) {
        let (dep, stab) = doc_markers(ctx, &doc, line, module_last, module_last, &[]);
        facts.deprecated.extend(dep);
        facts.stability = stab;
    }
    let _ = ctx.helpers.set(warning_helpers(&module.body, ctx));
    let mut walker = Walker {
        ctx,
        module_name: name,
        is_package,
        facts: &mut facts,
        dicts: Vec::new(),
    };
    walker.block(&module.body, false);
    facts
}

struct Walker<'a, 'b> {
    ctx: &'a FileContext<'a>,
    module_name: &'a str,
    is_package: bool,
    facts: &'b mut ModuleFacts,
    /// Module-level dict literals with string keys: `(name, [(key, value text)])`, for
    /// `__getattr__` deprecation tables.
    dicts: Vec<(String, Vec<(String, String)>)>,
}

impl Walker<'_, '_> {
    /// Walks module-level statements. `fallback` marks branches that only run when an earlier
    /// one did not (`except`, `else` of an `if`): their bindings never replace a name the main
    /// branch bound, so `try: from a import X / except ImportError: X = None` keeps the import.
    fn block(&mut self, body: &[Stmt], fallback: bool) {
        for stmt in body {
            self.stmt(stmt, fallback);
        }
    }

    fn bind(&mut self, binding: Binding, fallback: bool) {
        if fallback && self.facts.bindings.iter().any(|b| b.name == binding.name) {
            return;
        }
        self.facts.bindings.push(binding);
    }

    fn stmt(&mut self, stmt: &Stmt, fallback: bool) {
        let ctx = self.ctx;
        match stmt {
            Stmt::FunctionDef(f) => {
                if f.name.as_str() == "__getattr__" {
                    self.getattr_table(f);
                }
                let mut def = function_def(ctx, f, FnPlace::Module, self.module_name);
                if f.name.as_str() == "__getattr__" {
                    // Its warnings are about the attributes it serves, recorded on them.
                    def.deprecated.clear();
                }
                self.bind_function(f.name.as_str(), ctx.line(f), def, has_overload(f), fallback);
            }
            Stmt::ClassDef(c) => {
                let def = class_def(ctx, c, self.module_name);
                self.bind(
                    Binding {
                        name: c.name.to_string(),
                        line: ctx.line(c),
                        value: Value::Def(Box::new(def)),
                    },
                    fallback,
                );
            }
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let full = alias.name.as_str();
                    let (bound, module) = match &alias.asname {
                        Some(a) => (a.to_string(), full.to_string()),
                        None => (
                            full.split('.').next().unwrap_or(full).to_string(),
                            full.split('.').next().unwrap_or(full).to_string(),
                        ),
                    };
                    let redundant_alias = alias.asname.as_ref().is_some_and(|a| a.as_str() == full);
                    self.bind(
                        Binding {
                            name: bound,
                            line: ctx.line(alias),
                            value: Value::Import {
                                module,
                                name: None,
                                redundant_alias,
                            },
                        },
                        fallback,
                    );
                }
            }
            Stmt::ImportFrom(imp) => {
                let Some(module) = absolute_module(
                    self.module_name,
                    self.is_package,
                    imp.level,
                    imp.module.as_ref().map(|m| m.as_str()),
                ) else {
                    self.facts.notes.push(format!(
                        "{}: relative import beyond the top-level package",
                        ctx.at(imp)
                    ));
                    return;
                };
                for alias in &imp.names {
                    if alias.name.as_str() == "*" {
                        self.bind(
                            Binding {
                                name: "*".into(),
                                line: ctx.line(alias),
                                value: Value::Star(module.clone()),
                            },
                            false,
                        );
                        continue;
                    }
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    let redundant_alias = alias
                        .asname
                        .as_ref()
                        .is_some_and(|a| a.as_str() == alias.name.as_str());
                    self.bind(
                        Binding {
                            name: bound,
                            line: ctx.line(alias),
                            value: Value::Import {
                                module: module.clone(),
                                name: Some(alias.name.to_string()),
                                redundant_alias,
                            },
                        },
                        fallback,
                    );
                }
            }
            Stmt::Assign(a) => {
                for target in &a.targets {
                    self.assign(target, Some(&a.value), a, fallback);
                }
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    if let Expr::Dict(d) = a.value.as_ref() {
                        self.record_dict(n.id.as_str(), d);
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                self.assign(&a.target, a.value.as_deref(), a, fallback);
                if let (Expr::Name(n), Some(last)) =
                    (a.target.as_ref(), self.facts.bindings.last_mut())
                {
                    if last.name == n.id.as_str() {
                        if let Value::Def(d) = &mut last.value {
                            d.annotation = Some(signature::expr_text(&a.annotation, ctx.source));
                        }
                    }
                }
            }
            Stmt::AugAssign(a)
                if is_name(&a.target, "__all__") && matches!(a.op, ast::Operator::Add) =>
            {
                let op = match all_parts(&a.value, ctx) {
                    Some(parts) => AllOp::Add(parts, ctx.line(a)),
                    None => AllOp::Unknown(ctx.line(a)),
                };
                self.facts.all.push(op);
            }
            Stmt::Expr(e) => self.expr_stmt(&e.value),
            Stmt::If(s) => {
                // `if TYPE_CHECKING:` bodies describe names the package makes at run time in
                // ways a static reader cannot follow; they count like any other branch.
                self.block(&s.body, fallback);
                for clause in &s.elif_else_clauses {
                    self.block(&clause.body, true);
                }
            }
            Stmt::Try(t) => {
                self.block(&t.body, fallback);
                self.block(&t.orelse, fallback);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    self.block(&h.body, true);
                }
                self.block(&t.finalbody, fallback);
            }
            Stmt::With(w) => self.block(&w.body, fallback),
            Stmt::Delete(d) => {
                for t in &d.targets {
                    if let Expr::Name(n) = t {
                        let name = n.id.as_str();
                        if let Some(pos) = self.facts.bindings.iter().rposition(|b| b.name == name)
                        {
                            self.facts.bindings.remove(pos);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn bind_function(
        &mut self,
        name: &str,
        line: u32,
        def: Def,
        is_overload: bool,
        fallback: bool,
    ) {
        // Overloads and the implementation that follows them form one symbol whose signatures
        // are the overloads: they describe the calls the function accepts.
        if let Some(prev) = self
            .facts
            .bindings
            .iter_mut()
            .rev()
            .find(|b| b.name == name)
        {
            if let Value::Def(prev_def) = &mut prev.value {
                if prev_def.kind == def.kind && prev_def.overloaded() {
                    merge_overload(prev_def, def, is_overload);
                    return;
                }
            }
        }
        let mut def = def;
        if is_overload {
            def.mark_overloaded();
        }
        self.bind(
            Binding {
                name: name.to_string(),
                line,
                value: Value::Def(Box::new(def)),
            },
            fallback,
        );
    }

    fn assign(&mut self, target: &Expr, value: Option<&Expr>, node: &impl Ranged, fallback: bool) {
        let ctx = self.ctx;
        match target {
            Expr::Name(n) if n.id.as_str() == "__all__" => {
                let op = match value.and_then(|v| all_parts(v, ctx)) {
                    Some(parts) => AllOp::Set(parts, ctx.line(node)),
                    None => AllOp::Unknown(ctx.line(node)),
                };
                self.facts.all.push(op);
            }
            Expr::Name(n) => {
                let value = match value.and_then(|v| alias_expr(v, ctx.profile)) {
                    Some(dotted) if dotted != n.id.as_str() => Value::Alias(dotted),
                    _ => Value::Def(Box::new(Def {
                        kind: Kind::Attribute,
                        ..Default::default()
                    })),
                };
                self.bind(
                    Binding {
                        name: n.id.to_string(),
                        line: ctx.line(node),
                        value,
                    },
                    fallback,
                );
            }
            Expr::Tuple(t) => {
                for e in &t.elts {
                    self.assign(e, None, node, fallback);
                }
            }
            Expr::List(t) => {
                for e in &t.elts {
                    self.assign(e, None, node, fallback);
                }
            }
            _ => {}
        }
    }

    fn expr_stmt(&mut self, expr: &Expr) {
        let ctx = self.ctx;
        let Expr::Call(call) = expr else { return };
        // `__all__.extend([...])`, `__all__.append("x")`, `__all__.remove("x")`
        if let Expr::Attribute(attr) = call.func.as_ref() {
            if is_name(&attr.value, "__all__") {
                let line = ctx.line(call);
                let op = match (attr.attr.as_str(), call.arguments.args.first()) {
                    ("extend", Some(arg)) => all_parts(arg, ctx).map(|p| AllOp::Add(p, line)),
                    ("append", Some(arg)) => {
                        string_literal(arg).map(|s| AllOp::Add(vec![all_entry(s)], line))
                    }
                    ("remove", Some(arg)) => string_literal(arg).map(AllOp::Remove),
                    _ => None,
                };
                self.facts.all.push(op.unwrap_or(AllOp::Unknown(line)));
                return;
            }
        }
        // A deprecation warning at import time deprecates the module, when it speaks of the
        // module ("`torch.distributed.optim` support for X is deprecated" does not).
        if let Some(w) = warn_call(expr, ctx) {
            let module_last = self
                .module_name
                .rsplit('.')
                .next()
                .unwrap_or(self.module_name);
            if w.is_deprecation
                && markers::deprecation_about_self(&w.message, module_last, module_last)
            {
                let replacement = markers::replacement_in(&w.message, ctx.package);
                self.facts.deprecated.push(Deprecation {
                    parameter: None,
                    message: w.message,
                    replacement,
                    evidence: format!(
                        "warnings.warn({}) at import time, {}",
                        w.category,
                        ctx.at(call)
                    ),
                });
            }
        }
    }

    fn record_dict(&mut self, name: &str, dict: &ast::ExprDict) {
        let entries: Vec<(String, String)> = dict
            .items
            .iter()
            .filter_map(|item| {
                let key = string_literal(item.key.as_ref()?)?;
                Some((key, signature::expr_text(&item.value, self.ctx.source)))
            })
            .collect();
        if !entries.is_empty() {
            self.dicts.push((name.to_string(), entries));
        }
    }

    /// A module `__getattr__` that warns about deprecation serves deprecated attributes: the
    /// keys of a module-level dict it consults, or the strings it compares the name with.
    fn getattr_table(&mut self, f: &ast::StmtFunctionDef) {
        let ctx = self.ctx;
        let mut warns = Vec::new();
        collect_warns(&f.body, ctx, &mut warns);
        let Some(warn) = warns.into_iter().find(|(w, _)| w.is_deprecation) else {
            return;
        };
        let mut names: Vec<(String, Option<String>)> = Vec::new();
        let mut referenced = Vec::new();
        collect_names(&f.body, &mut referenced, &mut names);
        for (dict_name, entries) in &self.dicts {
            if referenced.iter().any(|r| r == dict_name) {
                for (k, v) in entries {
                    names.push((k.clone(), Some(v.clone())));
                }
            }
        }
        names.sort();
        names.dedup_by(|a, b| a.0 == b.0);
        let (w, evidence) = warn;
        for (name, value) in names {
            let replacement = value
                .filter(|v| {
                    v.split('.').all(|p| {
                        !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_')
                    }) && v.contains('.')
                })
                .or_else(|| markers::replacement_in(&w.message, ctx.package));
            self.facts.getattr_deprecations.push((
                name,
                Deprecation {
                    parameter: None,
                    message: w.message.clone(),
                    replacement,
                    evidence: format!("module `__getattr__`: {evidence}"),
                },
            ));
        }
    }
}

/// Names a `__getattr__` body reads, and string constants compared against (`name == "x"`,
/// `name in ("x", "y")`).
fn collect_names(
    body: &[Stmt],
    referenced: &mut Vec<String>,
    strings: &mut Vec<(String, Option<String>)>,
) {
    use ruff_python_ast::visitor::{self, Visitor};
    struct V<'a> {
        referenced: &'a mut Vec<String>,
        strings: &'a mut Vec<(String, Option<String>)>,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(n) => self.referenced.push(n.id.to_string()),
                Expr::Compare(c)
                    if matches!(c.ops.first(), Some(ast::CmpOp::Eq | ast::CmpOp::In)) =>
                {
                    for cmp in c.comparators.iter() {
                        match cmp {
                            Expr::StringLiteral(s) => {
                                self.strings.push((s.value.to_str().to_string(), None))
                            }
                            Expr::Tuple(t) => t
                                .elts
                                .iter()
                                .filter_map(string_literal)
                                .for_each(|s| self.strings.push((s, None))),
                            Expr::List(t) => t
                                .elts
                                .iter()
                                .filter_map(string_literal)
                                .for_each(|s| self.strings.push((s, None))),
                            Expr::Set(t) => t
                                .elts
                                .iter()
                                .filter_map(string_literal)
                                .for_each(|s| self.strings.push((s, None))),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut v = V {
        referenced,
        strings,
    };
    v.visit_body(body);
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == name)
}

/// Absolute module for an import: level 0 is absolute; level 1 is the current package.
pub fn absolute_module(
    current: &str,
    is_package: bool,
    level: u32,
    module: Option<&str>,
) -> Option<String> {
    if level == 0 {
        return module.map(str::to_string);
    }
    let mut parts: Vec<&str> = current.split('.').collect();
    if !is_package {
        parts.pop();
    }
    for _ in 1..level {
        parts.pop()?;
    }
    if parts.is_empty() {
        return None;
    }
    let mut base = parts.join(".");
    if let Some(m) = module {
        base.push('.');
        base.push_str(m);
    }
    Some(base)
}

/// The dotted name an assignment re-binds: `x = a.b.c`, or a profile-declared wrapper call
/// around one (`conv2d = _add_docstr(torch.conv2d, "...")`).
fn alias_expr(value: &Expr, profile: &Profile) -> Option<String> {
    if let Some(d) = dotted(value) {
        return Some(d);
    }
    if let Expr::Call(call) = value {
        let callee = dotted(&call.func)?;
        let last = callee.rsplit('.').next().unwrap_or(&callee);
        if profile.docstring_wrappers.iter().any(|w| w == last) {
            return call.arguments.args.first().and_then(dotted);
        }
    }
    None
}

pub fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => {
            let mut base = dotted(&a.value)?;
            base.push('.');
            base.push_str(a.attr.as_str());
            Some(base)
        }
        _ => None,
    }
}

fn string_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

fn all_entry(s: String) -> AllPart {
    let ident = !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if ident {
        AllPart::Name(s)
    } else {
        AllPart::Junk(format!("{s:?}"))
    }
}

/// The parts of an `__all__` expression: literal lists and tuples, `other.__all__`, and sums
/// of those. `None` when the expression is something else (a comprehension, a call).
fn all_parts(expr: &Expr, ctx: &FileContext) -> Option<Vec<AllPart>> {
    match expr {
        Expr::List(l) => Some(l.elts.iter().map(|e| all_element(e, ctx)).collect()),
        Expr::Tuple(t) => Some(t.elts.iter().map(|e| all_element(e, ctx)).collect()),
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Add) => {
            let mut parts = all_parts(&b.left, ctx)?;
            parts.extend(all_parts(&b.right, ctx)?);
            Some(parts)
        }
        Expr::Name(n) if n.id.as_str() == "__all__" => Some(vec![AllPart::Current]),
        Expr::Attribute(a) if a.attr.as_str() == "__all__" => {
            Some(vec![AllPart::OtherAll(dotted(&a.value)?)])
        }
        Expr::Call(c)
            if matches!(dotted(&c.func).as_deref(), Some("list" | "tuple"))
                && c.arguments.args.len() == 1 =>
        {
            all_parts(&c.arguments.args[0], ctx)
        }
        _ => None,
    }
}

fn all_element(expr: &Expr, ctx: &FileContext) -> AllPart {
    match expr {
        Expr::StringLiteral(s) => all_entry(s.value.to_str().to_string()),
        Expr::Starred(s) => match s.value.as_ref() {
            Expr::Attribute(a) if a.attr.as_str() == "__all__" => dotted(&a.value)
                .map(AllPart::OtherAll)
                .unwrap_or_else(|| AllPart::Junk(signature::expr_text(expr, ctx.source))),
            _ => AllPart::Junk(signature::expr_text(expr, ctx.source)),
        },
        _ => AllPart::Junk(signature::expr_text(expr, ctx.source)),
    }
}

fn docstring(body: &[Stmt], ctx: &FileContext) -> Option<(String, u32)> {
    match body.first()? {
        Stmt::Expr(e) => match e.value.as_ref() {
            Expr::StringLiteral(s) => Some((s.value.to_str().to_string(), ctx.line(e))),
            _ => None,
        },
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FnPlace<'a> {
    Module,
    /// A method of the class with this name.
    Class(&'a str),
}

fn decorator_names(f: &ast::StmtFunctionDef) -> Vec<String> {
    f.decorator_list
        .iter()
        .filter_map(|d| {
            let e = match &d.expression {
                Expr::Call(c) => c.func.as_ref(),
                e => e,
            };
            dotted(e)
        })
        .collect()
}

fn has_overload(f: &ast::StmtFunctionDef) -> bool {
    decorator_names(f)
        .iter()
        .any(|d| d == "overload" || d.ends_with(".overload"))
}

/// Marks stored on a [`Def`] while overloads accumulate: the first signature is a sentinel
/// that never reaches a snapshot.
const OVERLOADED: &str = "\u{0}overloaded";

impl Def {
    fn overloaded(&self) -> bool {
        self.signatures.first().is_some_and(|s| s == OVERLOADED)
    }
    fn mark_overloaded(&mut self) {
        self.signatures.insert(0, OVERLOADED.to_string());
    }
    /// Drops the overload sentinel once the module is read.
    pub fn finish(&mut self) {
        if self.overloaded() {
            self.signatures.remove(0);
        }
        for m in &mut self.members {
            if let Value::Def(d) = &mut m.value {
                d.finish();
            }
        }
    }
}

fn merge_overload(prev: &mut Def, next: Def, next_is_overload: bool) {
    if next_is_overload {
        // Overloads that differ only in annotations accept the same calls.
        for sig in next.signatures {
            if !prev.signatures.contains(&sig) {
                prev.signatures.push(sig);
            }
        }
    }
    // The implementation's markers apply to every overload.
    prev.deprecated.extend(next.deprecated);
    prev.announced.extend(next.announced);
    prev.tombstone = prev.tombstone.take().or(next.tombstone);
    prev.stability = prev.stability.take().or(next.stability);
}

fn function_def(ctx: &FileContext, f: &ast::StmtFunctionDef, place: FnPlace, module: &str) -> Def {
    let decorators = decorator_names(f);
    let has = |name: &str| {
        decorators
            .iter()
            .any(|d| d == name || d.ends_with(&format!(".{name}")))
    };
    let kind = match place {
        FnPlace::Module => Kind::Function,
        FnPlace::Class(_) if has("property") || has("cached_property") => Kind::Property,
        FnPlace::Class(_) if has("staticmethod") => Kind::Staticmethod,
        FnPlace::Class(_) if has("classmethod") => Kind::Classmethod,
        FnPlace::Class(_) => Kind::Method,
    };
    let params = signature::parameter_names(&f.parameters);
    let mut def = Def {
        kind,
        signatures: if kind == Kind::Property {
            vec![]
        } else {
            vec![signature::render(f, ctx.source, false)]
        },
        ..Default::default()
    };
    for d in &f.decorator_list {
        if let Some((message, replacement)) = deprecated_decorator(&d.expression, ctx) {
            def.deprecated.push(Deprecation {
                parameter: None,
                message,
                replacement,
                evidence: format!("@deprecated at {}", ctx.at(d)),
            });
        }
    }
    let name = f.name.as_str();
    let module_last = module.rsplit('.').next().unwrap_or(module);
    let body = &f.body;
    if let Some((doc, line)) = docstring(body, ctx) {
        let (dep, stab) = doc_markers(ctx, &doc, line, name, module_last, &params);
        def.deprecated.extend(dep);
        def.stability = stab;
    }
    // Constructors speak for their class: "`Foo(...)` is deprecated" in `Foo.__init__`.
    let self_name = match place {
        FnPlace::Class(class) if matches!(name, "__init__" | "__new__" | "__post_init__") => class,
        _ => name,
    };
    let mut warns = Vec::new();
    collect_warns(body, ctx, &mut warns);
    for (w, evidence) in warns
        .iter()
        .filter(|(w, _)| !w.is_deprecation && w.category == "FutureWarning")
    {
        def.announced.extend(notices(
            markers::parameters_mentioned(&w.message, &params),
            w.message.clone(),
            None,
            evidence.clone(),
        ));
    }
    for (w, evidence) in warns.into_iter().filter(|(w, _)| w.is_deprecation) {
        // A warning guarded by a test on parameters (`if size_average is not None:`) is about
        // those parameters. One guarded by anything else (an environment variable, a value)
        // is about the function only when its message says so.
        let parameters = w
            .guard
            .as_deref()
            .map(|g| markers::parameters_named(g, &params))
            .unwrap_or_default();
        if w.guard.is_some()
            && parameters.is_empty()
            && !markers::deprecation_about_self(&w.message, self_name, module_last)
        {
            continue;
        }
        let replacement = markers::replacement_in(&w.message, ctx.package);
        def.deprecated
            .extend(notices(parameters, w.message, replacement, evidence));
    }
    def.tombstone = tombstone(body, ctx);
    dedup_deprecations(&mut def.deprecated);
    def
}

/// One deprecation per named parameter, or one for the whole symbol when none is named.
fn notices(
    parameters: Vec<String>,
    message: String,
    replacement: Option<String>,
    evidence: String,
) -> Vec<Deprecation> {
    if parameters.is_empty() {
        return vec![Deprecation {
            parameter: None,
            message,
            replacement,
            evidence,
        }];
    }
    parameters
        .into_iter()
        .map(|p| Deprecation {
            parameter: Some(p),
            message: message.clone(),
            replacement: replacement.clone(),
            evidence: evidence.clone(),
        })
        .collect()
}

fn dedup_deprecations(list: &mut Vec<Deprecation>) {
    // One notice per parameter (or for the whole symbol); the first in source order is kept,
    // since decorators and docstrings come before body warnings and say the same thing.
    let mut seen: Vec<Option<String>> = Vec::new();
    list.retain(|d| {
        if seen.contains(&d.parameter) {
            false
        } else {
            seen.push(d.parameter.clone());
            true
        }
    });
}

fn class_def(ctx: &FileContext, c: &ast::StmtClassDef, module: &str) -> Def {
    let mut def = Def {
        kind: Kind::Class,
        ..Default::default()
    };
    if let Some(args) = &c.arguments {
        def.bases = args.args.iter().filter_map(dotted).collect();
    }
    for d in &c.decorator_list {
        if let Some((message, replacement)) = deprecated_decorator(&d.expression, ctx) {
            def.deprecated.push(Deprecation {
                parameter: None,
                message,
                replacement,
                evidence: format!("@deprecated at {}", ctx.at(d)),
            });
        }
    }
    let name = c.name.as_str();
    let module_last = module.rsplit('.').next().unwrap_or(module);
    // The class docstring documents the constructor's arguments.
    let init_params = c
        .body
        .iter()
        .find_map(|s| match s {
            Stmt::FunctionDef(f) if f.name.as_str() == "__init__" => {
                Some(signature::parameter_names(&f.parameters))
            }
            _ => None,
        })
        .unwrap_or_default();
    if let Some((doc, line)) = docstring(&c.body, ctx) {
        let (dep, stab) = doc_markers(ctx, &doc, line, name, module_last, &init_params);
        def.deprecated.extend(dep);
        def.stability = stab;
    }
    let mut members: Vec<Binding> = Vec::new();
    class_body(
        ctx,
        &c.body,
        c.name.as_str(),
        module,
        &mut members,
        &mut def,
    );
    def.members = members;
    dedup_deprecations(&mut def.deprecated);
    def
}

fn class_body(
    ctx: &FileContext,
    body: &[Stmt],
    class_name: &str,
    module: &str,
    members: &mut Vec<Binding>,
    class: &mut Def,
) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(f) => {
                let name = f.name.as_str();
                let decorators = decorator_names(f);
                // `@x.setter` / `@x.deleter` belong to the property `x` already recorded.
                if decorators
                    .iter()
                    .any(|d| d.ends_with(".setter") || d.ends_with(".deleter"))
                {
                    continue;
                }
                let mut def = function_def(ctx, f, FnPlace::Class(class_name), module);
                if name == "__init__" {
                    class.has_init = true;
                    // A deprecated `__init__` deprecates constructing the class.
                    class.deprecated.extend(
                        def.deprecated
                            .iter()
                            .filter(|d| d.parameter.is_none())
                            .cloned(),
                    );
                    let params = signature::parameter_names(&f.parameters);
                    for d in def.deprecated.iter().filter(|d| d.parameter.is_some()) {
                        if params.contains(d.parameter.as_ref().expect("filtered")) {
                            class.deprecated.push(d.clone());
                        }
                    }
                    // A class call returns the instance: `__init__`'s `-> None` says nothing.
                    let sig = signature::render_parameters(&f.parameters, ctx.source, true);
                    if has_overload(f) {
                        if class.signatures.first().map(String::as_str) != Some(OVERLOADED) {
                            class.signatures = vec![OVERLOADED.into()];
                        }
                        if !class.signatures.contains(&sig) {
                            class.signatures.push(sig);
                        }
                    } else if class.signatures.first().map(String::as_str) != Some(OVERLOADED) {
                        class.signatures = vec![sig];
                    }
                }
                let is_overload = has_overload(f);
                if let Some(prev) = members.iter_mut().rev().find(|b| b.name == name) {
                    if let Value::Def(prev_def) = &mut prev.value {
                        if prev_def.overloaded() {
                            merge_overload(prev_def, def, is_overload);
                            continue;
                        }
                    }
                }
                if is_overload {
                    def.mark_overloaded();
                }
                members.push(Binding {
                    name: name.to_string(),
                    line: ctx.line(f),
                    value: Value::Def(Box::new(def)),
                });
            }
            Stmt::ClassDef(c) => {
                let def = class_def(ctx, c, module);
                members.push(Binding {
                    name: c.name.to_string(),
                    line: ctx.line(c),
                    value: Value::Def(Box::new(def)),
                });
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    class_attr(ctx, t, Some(&a.value), a, members);
                }
            }
            Stmt::AnnAssign(a) => class_attr(ctx, &a.target, a.value.as_deref(), a, members),
            Stmt::If(s) => {
                class_body(ctx, &s.body, class_name, module, members, class);
                for clause in &s.elif_else_clauses {
                    class_body(ctx, &clause.body, class_name, module, members, class);
                }
            }
            Stmt::Try(t) => {
                class_body(ctx, &t.body, class_name, module, members, class);
                class_body(ctx, &t.orelse, class_name, module, members, class);
            }
            _ => {}
        }
    }
    if class.overloaded() {
        class.signatures.remove(0);
    }
}

fn class_attr(
    ctx: &FileContext,
    target: &Expr,
    value: Option<&Expr>,
    node: &impl Ranged,
    members: &mut Vec<Binding>,
) {
    let Expr::Name(n) = target else { return };
    let name = n.id.to_string();
    // `__iadd__ = __add__`-style aliases copy the member they name.
    let copied = value.and_then(|v| match v {
        Expr::Name(src) => members
            .iter()
            .rev()
            .find(|b| b.name == src.id.as_str())
            .map(|b| b.value.clone()),
        _ => None,
    });
    let value = copied.unwrap_or_else(|| {
        Value::Def(Box::new(Def {
            kind: Kind::Attribute,
            ..Default::default()
        }))
    });
    members.retain(|b| b.name != name);
    members.push(Binding {
        name,
        line: ctx.line(node),
        value,
    });
}

/// `@deprecated("msg")`, `@typing_extensions.deprecated(...)`, ONNX's
/// `@_deprecation.deprecated(since, removed_in, instructions)`: message and replacement.
fn deprecated_decorator(expr: &Expr, ctx: &FileContext) -> Option<(String, Option<String>)> {
    let Expr::Call(call) = expr else { return None };
    let callee = dotted(&call.func)?;
    let last = callee.rsplit('.').next()?;
    // `from typing_extensions import deprecated as _deprecated` is common.
    if !matches!(last.trim_start_matches('_'), "deprecated" | "deprecate") {
        return None;
    }
    let kw = |k: &str| {
        call.arguments
            .keywords
            .iter()
            .find(|kw| kw.arg.as_ref().is_some_and(|a| a.as_str() == k))
            .and_then(|kw| message_text(&kw.value, ctx))
    };
    let positional: Vec<String> = call
        .arguments
        .args
        .iter()
        .filter_map(|a| message_text(a, ctx))
        .collect();
    let message = if let (Some(since), Some(removed)) = (
        kw("since").or(positional.first().cloned()),
        kw("removed_in").or(positional.get(1).cloned()),
    ) {
        if positional.len() >= 3 || kw("instructions").is_some() {
            let instructions = kw("instructions")
                .or(positional.get(2).cloned())
                .unwrap_or_default();
            format!("deprecated since {since}, to be removed in {removed}. {instructions}")
                .trim()
                .to_string()
        } else {
            positional.first().cloned().unwrap_or_default()
        }
    } else {
        positional
            .first()
            .cloned()
            .or(kw("message"))
            .or(kw("reason"))
            .unwrap_or_else(|| "deprecated".into())
    };
    let replacement = markers::replacement_in(&message, ctx.package);
    Some((message, replacement))
}

/// The text of a message expression: string literals (concatenated), f-strings with their
/// placeholders kept as `{expr}`, and the format string of `"...".format(...)` or `"..." % x`.
fn message_text(expr: &Expr, ctx: &FileContext) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::FString(f) => {
            let mut out = String::new();
            for part in &f.value {
                match part {
                    ast::FStringPart::Literal(l) => out.push_str(&l.value),
                    ast::FStringPart::FString(fs) => {
                        for el in &fs.elements {
                            match el {
                                ast::InterpolatedStringElement::Literal(l) => {
                                    out.push_str(&l.value)
                                }
                                ast::InterpolatedStringElement::Interpolation(i) => {
                                    out.push('{');
                                    out.push_str(&signature::expr_text(&i.expression, ctx.source));
                                    out.push('}');
                                }
                            }
                        }
                    }
                }
            }
            Some(out)
        }
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Attribute(a) if a.attr.as_str() == "format" => message_text(&a.value, ctx),
            _ => None,
        },
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Mod | ast::Operator::Add) => {
            let left = message_text(&b.left, ctx)?;
            match (b.op, message_text(&b.right, ctx)) {
                (ast::Operator::Add, Some(right)) => Some(left + &right),
                _ => Some(left),
            }
        }
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct WarnCall {
    pub message: String,
    pub category: String,
    pub is_deprecation: bool,
    /// The test of the `if` the call sits in, for telling parameter deprecations apart.
    pub guard: Option<String>,
}

fn warn_call(expr: &Expr, ctx: &FileContext) -> Option<WarnCall> {
    let Expr::Call(call) = expr else { return None };
    let callee = dotted(&call.func)?;
    if !matches!(
        callee.as_str(),
        "warn"
            | "warnings.warn"
            | "_warnings.warn"
            | "warnings.warn_explicit"
            | "warn_once"
            | "_warn_once"
    ) {
        return None;
    }
    let message = call
        .arguments
        .args
        .first()
        .and_then(|m| message_text(m, ctx))
        .or_else(|| {
            call.arguments
                .keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "message"))
                .and_then(|k| message_text(&k.value, ctx))
        })?;
    let category_expr = call.arguments.args.get(1).or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "category"))
            .map(|k| &k.value)
    });
    let category = category_expr
        .and_then(dotted)
        .map(|c| c.rsplit('.').next().unwrap_or(&c).to_string())
        .unwrap_or_else(|| "UserWarning".into());
    // DeprecationWarning always means deprecation; FutureWarning and others only when the
    // message says so: torch also uses FutureWarning to announce behaviour changes.
    let is_deprecation = matches!(
        category.as_str(),
        "DeprecationWarning" | "PendingDeprecationWarning"
    ) || markers::has_deprecation_wording(&message);
    Some(WarnCall {
        message,
        category,
        is_deprecation,
        guard: None,
    })
}

/// Warning calls in a function body, outside nested functions and classes, with the test of
/// the innermost enclosing `if` and the evidence. A call to a module-level helper that always
/// warns (`_warn_typed_storage_removal()`) counts as the warning itself.
fn collect_warns(body: &[Stmt], ctx: &FileContext, out: &mut Vec<(WarnCall, String)>) {
    fn walk(
        body: &[Stmt],
        ctx: &FileContext,
        guard: Option<&str>,
        out: &mut Vec<(WarnCall, String)>,
    ) {
        for stmt in body {
            match stmt {
                Stmt::Expr(e) => {
                    if let Some(mut w) = warn_call(&e.value, ctx) {
                        w.guard = guard.map(str::to_string);
                        let evidence = format!("warnings.warn({}) at {}", w.category, ctx.at(e));
                        out.push((w, evidence));
                    } else if let Some((mut w, at)) = helper_warning(&e.value, ctx) {
                        w.guard = guard.map(str::to_string);
                        let evidence = format!(
                            "warnings.warn({}) at {at}, called at {}",
                            w.category,
                            ctx.at(e)
                        );
                        out.push((w, evidence));
                    }
                }
                Stmt::If(s) => {
                    let test = signature::expr_text(&s.test, ctx.source);
                    walk(&s.body, ctx, Some(&test), out);
                    for c in &s.elif_else_clauses {
                        let t = c.test.as_ref().map(|t| signature::expr_text(t, ctx.source));
                        walk(&c.body, ctx, t.as_deref().or(Some(&test)), out);
                    }
                }
                Stmt::With(w) => walk(&w.body, ctx, guard, out),
                Stmt::Try(t) => {
                    walk(&t.body, ctx, guard, out);
                    walk(&t.orelse, ctx, guard, out);
                    walk(&t.finalbody, ctx, guard, out);
                }
                Stmt::For(f) => walk(&f.body, ctx, guard, out),
                Stmt::While(w) => walk(&w.body, ctx, guard, out),
                _ => {}
            }
        }
    }
    walk(body, ctx, None, out);
}

/// `helper(...)` where `helper` is a module-level function of this file whose body warns of a
/// deprecation unconditionally.
fn helper_warning(expr: &Expr, ctx: &FileContext) -> Option<(WarnCall, String)> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Name(n) = call.func.as_ref() else {
        return None;
    };
    ctx.helpers
        .get()
        .and_then(|h| h.get(n.id.as_str()))
        .cloned()
}

/// Module-level functions that always warn of a deprecation, by name.
fn warning_helpers(body: &[Stmt], ctx: &FileContext) -> HashMap<String, (WarnCall, String)> {
    let mut helpers = HashMap::new();
    for stmt in body {
        let Stmt::FunctionDef(f) = stmt else { continue };
        for s in &f.body {
            if let Stmt::Expr(e) = s {
                if let Some(w) = warn_call(&e.value, ctx).filter(|w| w.is_deprecation) {
                    helpers.insert(f.name.to_string(), (w, ctx.at(e)));
                    break;
                }
            }
        }
    }
    helpers
}

/// A tombstone: the body (after the docstring) is a single `raise` whose message says the API
/// was removed.
fn tombstone(body: &[Stmt], ctx: &FileContext) -> Option<Marker> {
    let rest = match body.first() {
        Some(Stmt::Expr(e)) if matches!(e.value.as_ref(), Expr::StringLiteral(_)) => &body[1..],
        _ => body,
    };
    let [Stmt::Raise(r)] = rest else { return None };
    let Some(Expr::Call(call)) = r.exc.as_deref() else {
        return None;
    };
    // `RuntimeError("... is now removed.", "Please use ... instead.")` passes the message in
    // pieces.
    let pieces: Vec<String> = call
        .arguments
        .args
        .iter()
        .filter_map(|a| message_text(a, ctx))
        .collect();
    if pieces.is_empty() {
        return None;
    }
    let message = pieces.join(" ");
    if !markers::has_deprecation_wording(&message)
        && !message.to_ascii_lowercase().contains("removed")
    {
        return None;
    }
    let replacement = markers::replacement_in(&message, ctx.package);
    Some(Marker {
        message,
        replacement,
        evidence: format!("always raises at {}", ctx.at(r)),
    })
}

/// Deprecation and stability stated in a docstring starting at `line`.
fn doc_markers(
    ctx: &FileContext,
    doc: &str,
    line: u32,
    name: &str,
    module_last: &str,
    params: &[String],
) -> (Vec<Deprecation>, Option<Stability>) {
    // Cheap gate: most docstrings mention none of the words.
    let lower = doc.to_ascii_lowercase();
    if !(lower.contains("deprecat")
        || lower.contains("prototype")
        || lower.contains("beta")
        || lower.contains("experimental")
        || lower.contains("subject to change")
        || lower.contains("unstable")
        || lower.contains("removed"))
    {
        return (vec![], None);
    }
    let blocks = markers::doc_blocks(doc);
    let mut deps = Vec::new();
    let at = |offset: usize| format!("{}:{}", ctx.file, line as usize + offset);
    // A block nested in an `Args:` entry is about that parameter.
    let owner_param = |b: &markers::Block| {
        b.owner
            .clone()
            .filter(|o| params.contains(o))
            .map(|o| vec![o])
    };
    for b in &blocks.deprecated {
        deps.extend(notices(
            owner_param(b).unwrap_or_else(|| markers::parameters_named(&b.text, params)),
            markers::directive_message(&b.text),
            markers::replacement_in(&b.text, ctx.package),
            format!("docstring `.. deprecated::` at {}", at(b.offset)),
        ));
    }
    let mut stability = None;
    for b in &blocks.warnings {
        if markers::has_deprecation_wording(&b.text) {
            // A warning block speaks of the symbol only when its subject is the symbol;
            // otherwise of the parameters it names, or of something else (an environment
            // variable, a file format, another API) that is not this symbol's deprecation.
            let parameters =
                owner_param(b).unwrap_or_else(|| markers::parameters_named(&b.text, params));
            if !parameters.is_empty() || markers::deprecation_about_self(&b.text, name, module_last)
            {
                deps.extend(notices(
                    parameters,
                    b.text.clone(),
                    markers::replacement_in(&b.text, ctx.package),
                    format!("docstring warning at {}", at(b.offset)),
                ));
            }
        }
        if stability.is_none() {
            if let Some(tier) = markers::stated_tier(&b.text, name, module_last) {
                stability = Some(Stability {
                    tier,
                    evidence: format!("docstring warning at {}", at(b.offset)),
                });
            }
        }
    }
    // Plain prose: "This function is deprecated in favor of X".
    if deps.is_empty() && markers::deprecation_about_self(&blocks.prose, name, module_last) {
        deps.push(Deprecation {
            parameter: None,
            message: markers::deprecation_sentence(&blocks.prose).unwrap_or_default(),
            replacement: markers::replacement_in(&blocks.prose, ctx.package),
            evidence: format!("docstring at {}", at(0)),
        });
    }
    if stability.is_none() {
        if let Some(tier) = markers::prefix_tier(&blocks.first_line) {
            stability = Some(Stability {
                tier,
                evidence: format!("docstring prefix at {}:{}", ctx.file, line),
            });
        }
    }
    if stability.as_ref().is_some_and(|s| s.tier == Tier::Stable) {
        stability = None;
    }
    (deps, stability)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names() {
        assert_eq!(
            module_name("torch/nn/__init__.py"),
            Some(("torch.nn".into(), true))
        );
        assert_eq!(
            module_name("torch/_C/_VariableFunctions.pyi"),
            Some(("torch._C._VariableFunctions".into(), false))
        );
        assert_eq!(module_name("torch/foo-bar.py"), None);
    }

    #[test]
    fn relative_imports() {
        assert_eq!(
            absolute_module("a.b.c", false, 1, Some("x")).as_deref(),
            Some("a.b.x")
        );
        assert_eq!(
            absolute_module("a.b", true, 1, Some("x")).as_deref(),
            Some("a.b.x")
        );
        assert_eq!(absolute_module("a.b", true, 2, None).as_deref(), Some("a"));
        assert_eq!(absolute_module("a", false, 2, None), None);
    }
}
