//! Per-file analysis: the binding walk over one module's statements (imports, definitions,
//! assignments, deletions, branches), gathering what it binds, what it does to `__all__`
//! ([`super::all`]) and the notices stated on it ([`super::notices`]). Runs in parallel, one
//! file at a time, and knows nothing of other modules; names that point elsewhere stay
//! unresolved until [`super::resolve`] joins the modules.

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::all::{all_entry, all_parts, string_literal, AllOp};
use super::defs::{class_def, function_def, has_overload, merge_overload, FnPlace};
use super::markers;
use super::notices::{
    collect_warns, collect_warns_with, doc_markers, docstring, warn_call, warning_helpers,
};
use super::profile::Profile;
use super::signature;
use super::strings;
use crate::snapshot::{Deprecation, Kind, Marker, Stability};
use crate::util::names::is_identifier;
use crate::util::LineIndex;

/// What a module binds and declares.
#[derive(Debug, Default)]
pub struct ModuleFacts {
    pub name: String,
    pub file: String,
    pub is_package: bool,
    pub is_stub: bool,
    pub bindings: Vec<Binding>,
    /// Bindings a later `del` removed, in order: a class statement before the `del`
    /// evaluated its bases with them (`class IntStorage(_LegacyStorage)` … `del _LegacyStorage`).
    pub deleted: Vec<Binding>,
    pub all: Vec<AllOp>,
    pub deprecated: Vec<Deprecation>,
    pub stability: Option<Stability>,
    /// Attributes the module's `__getattr__` serves with a deprecation warning.
    pub getattr_deprecations: Vec<(String, Deprecation)>,
    /// Names the module's `__getattr__` serves: compared with the requested name, or keys of
    /// a module-level table it consults.
    pub getattr_names: Vec<String>,
    /// `sys.modules["a.b"] = m` (also in a loop over a literal list): module paths that
    /// import gives another module for, with the dotted name of that module.
    pub module_aliases: Vec<(String, String)>,
    /// `sys.modules[__name__] = C(...)`: the module is replaced by an instance of the class
    /// this dotted expression names, whose members are then the module's names.
    pub replaced_by: Option<String>,
    /// `add_docstr(torch.svd, r"""...""")`: docstrings a profile-declared wrapper attaches to
    /// another object at import time, by the dotted name written (resolved when the modules
    /// are joined), with the text and its first line.
    pub attached_docs: Vec<(String, String, u32)>,
    /// Module-level string constants that may state a marker (`DEPRECATION_WARNING = "..."`),
    /// for the messages of other modules that import them.
    pub message_strings: HashMap<String, String>,
    /// Module-level functions that always warn of a deprecation, by name: the message, the
    /// category and where it is raised, for the callers in other modules.
    pub warn_helpers: HashMap<String, (String, String, String)>,
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
    /// For class members: set on instances (`self.x = ...` in `__init__`, or declared by an
    /// annotation alone), not found on the class itself.
    pub instance: bool,
    /// Calls to private functions of the module that pass parameters on by keyword
    /// (`return _impl(f, use_reentrant=use_reentrant)`): their parameters' notices are this
    /// function's too.
    pub forwards: Vec<Forward>,
}

/// `_callee(..., theirs=ours, ...)` in a function body, with where.
#[derive(Debug, Clone, Default)]
pub struct Forward {
    pub callee: String,
    /// (the callee's parameter, the caller's parameter passed to it)
    pub params: Vec<(String, String)>,
    /// The same, passed by position: only notices that say which values warn are carried
    /// (a type test, `if not isinstance(group, ProcessGroup):`, is not recorded, and every
    /// call passing the argument would be taken to warn).
    pub by_position: Vec<(String, String)>,
    pub at: String,
}

pub struct FileContext<'a> {
    pub source: &'a str,
    pub file: &'a str,
    pub package: &'a str,
    pub profile: &'a Profile,
    lines: LineIndex<'a>,
    /// Module-level functions that warn when called (of a deprecation always, or with the
    /// message their caller passes), filled before the walk.
    pub(super) helpers: std::cell::OnceCell<HashMap<String, super::notices::Helper>>,
    /// Module-level names bound to a string whose text is known (`DEPRECATE_MSG = "..."`),
    /// filled before the walk: messages name them.
    pub(super) strings: std::cell::OnceCell<HashMap<String, String>>,
    /// The names of module-level functions anywhere in the package that may warn when
    /// called; a call to one imported from another module is looked up when the modules are
    /// joined.
    pub(super) helper_names: Option<&'a rustc_hash::FxHashSet<String>>,
    /// Names the module's own import statements bind, filled before the walk.
    pub(super) imported: std::cell::OnceCell<rustc_hash::FxHashSet<String>>,
    /// Names the module binds at top level to a logger (`log = logging.getLogger(__name__)`),
    /// filled before the walk: what they log as a warning is read as one.
    pub(super) loggers: std::cell::OnceCell<rustc_hash::FxHashSet<String>>,
    /// The positional parameters of the module's private functions, by name, filled before
    /// the walk: a call passing an argument by position passes it to that parameter.
    pub(super) private_positional: std::cell::OnceCell<HashMap<String, Vec<String>>>,
}

impl<'a> FileContext<'a> {
    pub fn new(source: &'a str, file: &'a str, package: &'a str, profile: &'a Profile) -> Self {
        FileContext {
            source,
            file,
            package,
            profile,
            lines: LineIndex::new(source),
            helpers: Default::default(),
            strings: Default::default(),
            helper_names: None,
            imported: Default::default(),
            private_positional: Default::default(),
            loggers: Default::default(),
        }
    }

    /// The same context, told which names may be warning helpers in other modules.
    pub fn with_helper_names(mut self, names: &'a rustc_hash::FxHashSet<String>) -> Self {
        self.helper_names = Some(names);
        self
    }

    pub fn line(&self, node: &impl Ranged) -> u32 {
        self.lines.line(node.range().start().to_usize()) as u32
    }

    pub(super) fn at(&self, node: &impl Ranged) -> String {
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
    let strings = module_strings(&module.body);
    facts.message_strings = strings
        .iter()
        .filter(|(_, text)| markers::may_state_markers(text))
        .map(|(n, t)| (n.clone(), t.clone()))
        .collect();
    let _ = ctx.strings.set(strings);
    let _ = ctx.imported.set(imported_names(&module.body));
    let _ = ctx.loggers.set(
        module
            .body
            .iter()
            .filter_map(|s| match s {
                Stmt::Assign(a) => match (a.targets.as_slice(), a.value.as_ref()) {
                    ([Expr::Name(n)], Expr::Call(c))
                        if dotted(&c.func).is_some_and(|f| {
                            let last = f.rsplit('.').next().unwrap_or(&f);
                            last.starts_with("get") && last.ends_with("Logger")
                        }) =>
                    {
                        Some(n.id.to_string())
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect(),
    );
    let _ = ctx.private_positional.set(
        module
            .body
            .iter()
            .filter_map(|s| match s {
                Stmt::FunctionDef(f) if f.name.starts_with('_') => Some((
                    f.name.to_string(),
                    f.parameters
                        .posonlyargs
                        .iter()
                        .chain(&f.parameters.args)
                        .map(|p| p.parameter.name.to_string())
                        .collect(),
                )),
                _ => None,
            })
            .collect(),
    );
    let helpers = warning_helpers(&module.body, ctx);
    facts.warn_helpers = helpers
        .iter()
        .filter_map(|(name, h)| match h {
            // One text for every caller: a message built from the arguments is known only
            // at each call, which other modules' calls do not keep.
            super::notices::Helper::Fixed(w, at, _)
                if !super::notices::has_argument_marks(&w.message) =>
            {
                Some((
                    name.clone(),
                    (w.message.clone(), w.category.clone(), at.clone()),
                ))
            }
            _ => None,
        })
        .collect();
    let _ = ctx.helpers.set(helpers);
    let doc_helpers = docstring_helpers(&module.body, ctx.profile);
    let mut walker = Walker {
        ctx,
        module_name: name,
        is_package,
        facts: &mut facts,
        dicts: Vec::new(),
        lists: Vec::new(),
        doc_helpers,
    };
    walker.block(&module.body, false);
    forward_notices(&mut facts.bindings);
    facts
}

/// `name = Config(default=..., deprecated=True, deprecation_message="...")`, as the profile
/// declares its configuration constructors: the deprecation the entry warns of when read.
fn config_deprecation(
    value: &Expr,
    ctx: &FileContext,
    module: &str,
    name: &str,
) -> Option<Deprecation> {
    let Expr::Call(call) = value else { return None };
    let callee = match call.func.as_ref() {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return None,
    };
    let entry = ctx
        .profile
        .config_entries
        .iter()
        .find(|e| e.constructor == callee)?;
    let keyword = |k: &str| {
        call.arguments
            .keywords
            .iter()
            .find(|kw| kw.arg.as_ref().is_some_and(|a| a.as_str() == k))
            .map(|kw| &kw.value)
    };
    let text = |k: &Option<String>| -> Option<String> {
        match keyword(k.as_deref()?)? {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            _ => None,
        }
    };
    if !matches!(keyword(&entry.flag)?, Expr::BooleanLiteral(b) if b.value) {
        return None;
    }
    let mut message = format!("{module}.{name} is deprecated");
    if let Some(m) = text(&entry.message) {
        message = format!("{message} and {m}");
    }
    Some(Deprecation {
        omitted: false,
        instantiation: false,
        when: None,
        unless: None,
        exempt: None,
        parameter: None,
        message,
        replacement: text(&entry.replacement),
        evidence: format!("{callee}({}=True) at {}", entry.flag, ctx.at(call)),
    })
}

/// A function that passes its parameter on to a private function of the module warns as that
/// function does for it: the callee's notices of the parameter become the caller's.
fn forward_notices(bindings: &mut [Binding]) {
    type Notices = (Vec<Deprecation>, Vec<Deprecation>);
    let callees: HashMap<String, Notices> = bindings
        .iter()
        .filter(|b| b.name.starts_with('_'))
        .filter_map(|b| match &b.value {
            Value::Def(d) if !d.deprecated.is_empty() || !d.announced.is_empty() => {
                Some((b.name.clone(), (d.deprecated.clone(), d.announced.clone())))
            }
            _ => None,
        })
        .collect();
    if callees.is_empty() {
        return;
    }
    // Methods too: `self.verbose = _check_verbose(verbose)` in `__init__`.
    for b in bindings.iter_mut() {
        let Value::Def(d) = &mut b.value else {
            continue;
        };
        let mut constructor = (Vec::new(), Vec::new());
        for m in d.members.iter_mut() {
            if let Value::Def(md) = &mut m.value {
                carry_forwards(md, &callees);
                // As the constructor's own notices are: said once, on the class.
                if matches!(m.name.as_str(), "__init__" | "__new__") {
                    constructor.0.append(&mut md.deprecated);
                    constructor.1.append(&mut md.announced);
                }
            }
        }
        for n in constructor.0 {
            if !d.deprecated.contains(&n) {
                d.deprecated.push(n);
            }
        }
        for n in constructor.1 {
            if !d.announced.contains(&n) {
                d.announced.push(n);
            }
        }
        carry_forwards(d, &callees);
    }
}

/// [`forward_notices`] for one definition.
fn carry_forwards(d: &mut Def, callees: &HashMap<String, (Vec<Deprecation>, Vec<Deprecation>)>) {
    let forwards = std::mem::take(&mut d.forwards);
    for f in &forwards {
        let Some((deprecated, announced)) = callees.get(&f.callee) else {
            continue;
        };
        let carried = |list: &[Deprecation]| -> Vec<Deprecation> {
            list.iter()
                .filter_map(|n| {
                    let theirs = n.parameter.as_deref()?;
                    let valued = n.when.is_some() || n.unless.is_some() || n.omitted;
                    let (_, ours) = f.params.iter().find(|(t, _)| t == theirs).or_else(|| {
                        f.by_position
                            .iter()
                            .find(|(t, _)| t == theirs)
                            .filter(|_| valued)
                    })?;
                    let mut n = n.clone();
                    n.parameter = Some(ours.clone());
                    n.evidence = format!("{}, called at {}", n.evidence, f.at);
                    Some(n)
                })
                .collect()
        };
        for n in carried(deprecated) {
            if !d.deprecated.iter().any(|x| x.parameter == n.parameter) {
                d.deprecated.push(n);
            }
        }
        for n in carried(announced) {
            if !d.announced.iter().any(|x| x.parameter == n.parameter) {
                d.announced.push(n);
            }
        }
    }
}

struct Walker<'a, 'b> {
    ctx: &'a FileContext<'a>,
    module_name: &'a str,
    is_package: bool,
    facts: &'b mut ModuleFacts,
    /// Module-level dict literals with string keys: `(name, [(key, value text)])`, for
    /// `__getattr__` deprecation tables.
    dicts: Vec<(String, Vec<(String, String)>)>,
    /// Module-level lists of string literals, for loops over them.
    lists: Vec<(String, Vec<String>)>,
    /// Module-level helpers that attach a docstring to an attribute named by a parameter.
    doc_helpers: HashMap<String, DocHelper>,
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
                self.register_dispatch(f, &def);
                self.bind_function(f.name.as_str(), ctx.line(f), def, has_overload(f), fallback);
                // `@_export("max_pool1d")` (a decorator the profile names) binds the function
                // under that name as well.
                for name in exported_names(f, ctx.profile) {
                    if name != f.name.as_str() {
                        self.bind(
                            Binding {
                                name,
                                line: ctx.line(f),
                                value: Value::Alias(f.name.to_string()),
                            },
                            fallback,
                        );
                    }
                }
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
                self.sys_modules_assign(a, &HashMap::new());
                self.assigned_doc(&a.targets, &a.value);
                for target in &a.targets {
                    self.assign(target, Some(&a.value), a, fallback);
                }
                if let [Expr::Name(n)] = a.targets.as_slice() {
                    if let Expr::Dict(d) = a.value.as_ref() {
                        self.record_dict(n.id.as_str(), d);
                    }
                    if let Some(items) = self.literal_strings(&a.value) {
                        self.lists.push((n.id.to_string(), items));
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
            Stmt::If(s) => match type_checking_test(&s.test, ctx) {
                // Type checkers run `if TYPE_CHECKING:` bodies, Python does not: in a source
                // file they bind nothing (its `else` is what runs); a stub is all type
                // checking.
                Some(true) => {
                    for clause in &s.elif_else_clauses {
                        self.block(&clause.body, fallback);
                    }
                }
                Some(false) => self.block(&s.body, fallback),
                None => {
                    self.block(&s.body, fallback);
                    for clause in &s.elif_else_clauses {
                        self.block(&clause.body, true);
                    }
                }
            },
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
            // `for name in ["a", "b"]: sys.modules[f"pkg.old.{name}"] = import_module(...)`:
            // the one loop shape whose effect on the module table can be read statically.
            Stmt::For(f) => {
                // A loop at module level leaves its variable bound (`for name in dir(_C)`
                // leaves `torch.name`), and its body may bind names too.
                self.assign(&f.target, None, f, true);
                self.block(&f.body, true);
                self.block(&f.orelse, true);
                if let (Expr::Name(var), Some(items)) =
                    (f.target.as_ref(), self.literal_strings(&f.iter))
                {
                    for item in items {
                        let env = HashMap::from([(var.id.to_string(), item)]);
                        for stmt in &f.body {
                            if let Stmt::Assign(a) = stmt {
                                self.sys_modules_assign(a, &env);
                            }
                        }
                    }
                }
            }
            Stmt::Delete(d) => {
                for t in &d.targets {
                    if let Expr::Name(n) = t {
                        let name = n.id.as_str();
                        if let Some(pos) = self.facts.bindings.iter().rposition(|b| b.name == name)
                        {
                            let gone = self.facts.bindings.remove(pos);
                            self.facts.deleted.push(gone);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// `@impl.register def _(lib: Library, name, ...)` adds a call shape to the
    /// `functools.singledispatch` function `impl`: calls binding to it keep working.
    fn register_dispatch(&mut self, f: &ast::StmtFunctionDef, def: &Def) {
        for d in &f.decorator_list {
            let func = match &d.expression {
                Expr::Call(c) => c.func.as_ref(),
                e => e,
            };
            let Expr::Attribute(a) = func else { continue };
            let (Expr::Name(base), "register") = (a.value.as_ref(), a.attr.as_str()) else {
                continue;
            };
            let Some(Binding {
                value: Value::Def(dispatcher),
                ..
            }) = self
                .facts
                .bindings
                .iter_mut()
                .rev()
                .find(|b| b.name == base.id.as_str())
            else {
                continue;
            };
            if dispatcher.kind != Kind::Function || dispatcher.signatures.is_empty() {
                continue;
            }
            for sig in &def.signatures {
                if !dispatcher.signatures.contains(sig) {
                    dispatcher.signatures.push(sig.clone());
                }
            }
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
        // Overloads and the implementation that follows them form one symbol (see
        // `merge_overload` for whose signatures it keeps).
        if let Some(prev) = self
            .facts
            .bindings
            .iter_mut()
            .rev()
            .find(|b| b.name == name)
        {
            if let Value::Def(prev_def) = &mut prev.value {
                if prev_def.kind == def.kind && prev_def.overloaded() {
                    let runtime = !self.ctx.file.ends_with(".pyi");
                    merge_overload(prev_def, def, is_overload, runtime);
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
                // `old_name = deprecated("Use `new_name` instead.")(new_name)`: a deprecated
                // wrapper, not the function it wraps.
                let wrapped = value.and_then(|v| match v {
                    Expr::Call(c) if c.arguments.args.len() == 1 => {
                        super::notices::deprecated_decorator(&c.func, ctx)
                            .or_else(|| super::notices::wrapping_call(c, ctx))
                    }
                    _ => None,
                });
                let alias = value.and_then(|v| alias_expr(v, ctx.profile));
                // `conv2d = _add_docstr(conv2d, "...")` keeps the function it wraps.
                if alias.as_deref() == Some(n.id.as_str())
                    && value.is_some_and(|v| matches!(v, Expr::Call(_)))
                    && self.facts.bindings.iter().any(|b| b.name == n.id.as_str())
                {
                    return;
                }
                let wrapped = wrapped.or_else(|| {
                    value.and_then(|v| config_deprecation(v, ctx, self.module_name, &n.id))
                });
                let value = match alias {
                    _ if wrapped.is_some() => Value::Def(Box::new(Def {
                        kind: Kind::Attribute,
                        deprecated: wrapped.into_iter().collect(),
                        ..Default::default()
                    })),
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

    /// `f.__doc__ = "..."` and `conv2d = _add_docstr(torch.conv2d, "...")` attach a docstring
    /// at import time, as the call statement form does.
    fn assigned_doc(&mut self, targets: &[Expr], value: &Expr) {
        let ctx = self.ctx;
        let lookup = |n: &str| ctx.strings.get().and_then(|m| m.get(n)).cloned();
        if let [Expr::Attribute(a)] = targets {
            if a.attr.as_str() == "__doc__" {
                if let (Some(target), Some(text)) =
                    (dotted(&a.value), strings::document(value, &lookup))
                {
                    self.facts
                        .attached_docs
                        .push((target, text, ctx.line(value)));
                }
                return;
            }
        }
        let Expr::Call(call) = value else { return };
        let (Some(callee), [target, doc, ..]) = (dotted(&call.func), &call.arguments.args[..])
        else {
            return;
        };
        let last = callee.rsplit('.').next().unwrap_or(&callee);
        if ctx.profile.docstring_wrappers.iter().any(|w| w == last) {
            if let (Some(target), Some(text)) = (dotted(target), strings::document(doc, &lookup)) {
                self.facts.attached_docs.push((target, text, ctx.line(doc)));
            }
        }
    }

    fn expr_stmt(&mut self, expr: &Expr) {
        let ctx = self.ctx;
        let Expr::Call(call) = expr else { return };
        // `add_docstr_all("matrix_power", r"""...""")`, a helper doing
        // `add_docstr(getattr(torch._C.TensorBase, method), docstr)`.
        if let Expr::Name(n) = call.func.as_ref() {
            if let Some(h) = self.doc_helpers.get(n.id.as_str()) {
                let args = &call.arguments.args;
                let lookup = |n: &str| ctx.strings.get().and_then(|m| m.get(n)).cloned();
                if let (Some(attr), Some(doc)) = (
                    args.get(h.name_at).and_then(string_literal),
                    args.get(h.doc_at),
                ) {
                    if let Some(text) = strings::document(doc, &lookup) {
                        self.facts.attached_docs.push((
                            format!("{}.{attr}", h.owner),
                            text,
                            ctx.line(doc),
                        ));
                    }
                }
                return;
            }
        }
        // `add_docstr(torch.svd, r"""...""")` sets `torch.svd.__doc__`: its markers are the
        // target's.
        if let (Some(callee), [target, doc, ..]) = (dotted(&call.func), &call.arguments.args[..]) {
            let last = callee.rsplit('.').next().unwrap_or(&callee);
            if ctx.profile.docstring_wrappers.iter().any(|w| w == last) {
                let lookup = |n: &str| ctx.strings.get().and_then(|m| m.get(n)).cloned();
                if let (Some(target), Some(text)) =
                    (dotted(target), strings::document(doc, &lookup))
                {
                    self.facts.attached_docs.push((target, text, ctx.line(doc)));
                }
                return;
            }
        }
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
                    omitted: false,
                    instantiation: false,
                    when: None,
                    unless: None,
                    exempt: None,
                    parameter: None,
                    message: w.message,
                    replacement,
                    evidence: format!(
                        "{} at import time, {}",
                        super::notices::raised(&w.category),
                        ctx.at(call)
                    ),
                });
            }
        }
    }

    /// A list or tuple of string literals, written here or bound to a module-level name.
    fn literal_strings(&self, expr: &Expr) -> Option<Vec<String>> {
        let elts = match expr {
            Expr::List(l) => &l.elts,
            Expr::Tuple(t) => &t.elts,
            Expr::Name(n) => {
                return self
                    .lists
                    .iter()
                    .rev()
                    .find(|(k, _)| k == n.id.as_str())
                    .map(|(_, v)| v.clone())
            }
            _ => return None,
        };
        elts.iter().map(string_literal).collect()
    }

    /// `sys.modules[KEY] = VALUE` with `env` binding loop variables.
    fn sys_modules_assign(&mut self, a: &ast::StmtAssign, env: &HashMap<String, String>) {
        let [Expr::Subscript(sub)] = a.targets.as_slice() else {
            return;
        };
        if dotted(&sub.value).as_deref() != Some("sys.modules") {
            return;
        }
        let module = self.module_name;
        if is_name(&sub.slice, "__name__") {
            if let Expr::Call(c) = a.value.as_ref() {
                self.facts.replaced_by = dotted(&c.func);
            }
            return;
        }
        let Some(path) = eval_str(&sub.slice, env, module) else {
            return;
        };
        let target = match a.value.as_ref() {
            Expr::Call(c)
                if dotted(&c.func)
                    .is_some_and(|f| f == "import_module" || f.ends_with(".import_module")) =>
            {
                c.arguments
                    .args
                    .first()
                    .and_then(|arg| eval_str(arg, env, module))
            }
            value => dotted(value),
        };
        if let Some(target) = target {
            self.facts.module_aliases.push((path, target));
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
        self.facts.getattr_names.extend(
            names
                .iter()
                .filter(|(n, _)| is_identifier(n))
                .map(|(n, _)| n.clone()),
        );
        let Some((w, evidence)) = warns.into_iter().find(|(w, _)| w.is_deprecation) else {
            return;
        };
        // The message is about the name asked for: `f"{name} is deprecated"` reads with each
        // served name in place of the parameter.
        let parameter = f
            .parameters
            .iter_non_variadic_params()
            .next()
            .map(|p| p.parameter.name.to_string());
        for (name, value) in names {
            let message = match &parameter {
                Some(p) => {
                    let bound = HashMap::from([(p.clone(), name.clone())]);
                    let mut warns = Vec::new();
                    collect_warns_with(&f.body, ctx, bound, &mut warns);
                    warns
                        .into_iter()
                        .find(|(w, _)| w.is_deprecation)
                        .map_or_else(|| w.message.clone(), |(w, _)| w.message)
                }
                None => w.message.clone(),
            };
            let replacement = value
                .filter(|v| {
                    v.split('.').all(|p| {
                        !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_')
                    }) && v.contains('.')
                })
                .or_else(|| markers::replacement_in(&message, ctx.package));
            self.facts.getattr_deprecations.push((
                name,
                Deprecation {
                    omitted: false,
                    instantiation: false,
                    when: None,
                    unless: None,
                    exempt: None,
                    parameter: None,
                    message,
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

/// Module-level `NAME = <string>` bindings whose text is known, in order, each able to use
/// the ones before it. A name bound twice keeps the later text.
fn module_strings(body: &[Stmt]) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for stmt in body {
        let (target, value) = match stmt {
            Stmt::Assign(a) => match a.targets.as_slice() {
                [Expr::Name(n)] => (n.id.as_str(), a.value.as_ref()),
                _ => continue,
            },
            Stmt::AnnAssign(a) => match (a.target.as_ref(), a.value.as_deref()) {
                (Expr::Name(n), Some(v)) => (n.id.as_str(), v),
                _ => continue,
            },
            _ => continue,
        };
        let text = strings::exact(value, &|n: &str| out.get(n).cloned());
        match text {
            Some(text) => {
                out.insert(target.to_string(), text);
            }
            None => {
                out.remove(target);
            }
        }
    }
    out
}

/// The text of a string expression, with `env`'s names (and `__name__`, the module)
/// substituted. `None` unless every piece is known.
fn eval_str(expr: &Expr, env: &HashMap<String, String>, module: &str) -> Option<String> {
    let lookup = |n: &str| {
        if n == "__name__" {
            Some(module.to_string())
        } else {
            env.get(n).cloned()
        }
    };
    strings::exact(expr, &lookup)
}

/// The names that binding decorators the profile declares give a function: every call
/// `d("name")` of such a decorator `d` anywhere in its decorator expressions.
fn exported_names(f: &ast::StmtFunctionDef, profile: &Profile) -> Vec<String> {
    use ruff_python_ast::visitor::{self, Visitor};
    struct V<'a> {
        decorators: &'a [String],
        out: Vec<String>,
    }
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr {
                let last = dotted(&c.func).map(|d| d.rsplit('.').next().unwrap_or("").to_string());
                if last.is_some_and(|l| self.decorators.contains(&l)) {
                    if let Some(name) = c.arguments.args.first().and_then(string_literal) {
                        if is_identifier(&name) {
                            self.out.push(name);
                        }
                    }
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    if profile.binding_decorators.is_empty() {
        return vec![];
    }
    let mut v = V {
        decorators: &profile.binding_decorators,
        out: Vec::new(),
    };
    for d in &f.decorator_list {
        v.visit_expr(&d.expression);
    }
    v.out
}

/// For a test of `TYPE_CHECKING` (`typing.TYPE_CHECKING`, `not TYPE_CHECKING`) or of
/// `__name__ == "__main__"` in a source file: `Some(true)` when the body never runs on import,
/// `Some(false)` when only the body does. `None` for any other test, and for every test in a
/// stub.
pub(super) fn type_checking_test(test: &Expr, ctx: &FileContext) -> Option<bool> {
    if ctx.file.ends_with(".pyi") {
        return None;
    }
    let names_it =
        |e: &Expr| dotted(e).is_some_and(|d| d == "TYPE_CHECKING" || d.ends_with(".TYPE_CHECKING"));
    // `if __name__ == "__main__":` runs only when the file is the script, never on import.
    let is_main = |e: &Expr| match e {
        Expr::Compare(c) => {
            matches!(c.ops.first(), Some(ast::CmpOp::Eq))
                && is_name(&c.left, "__name__")
                && c.comparators.first().and_then(string_literal).as_deref() == Some("__main__")
        }
        _ => false,
    };
    match test {
        e if names_it(e) || is_main(e) => Some(true),
        Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::Not) && names_it(&u.operand) => {
            Some(false)
        }
        _ => None,
    }
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

/// A function whose body is `wrapper(getattr(owner, <parameter>), <parameter>)`.
struct DocHelper {
    owner: String,
    /// Which parameter names the attribute, and which one is the docstring.
    name_at: usize,
    doc_at: usize,
}

/// Module-level functions that only attach a docstring (through a profile-declared wrapper)
/// to an attribute of an object, both named by their parameters.
fn docstring_helpers(body: &[Stmt], profile: &Profile) -> HashMap<String, DocHelper> {
    let mut out = HashMap::new();
    for stmt in body {
        let Stmt::FunctionDef(f) = stmt else { continue };
        let [Stmt::Expr(e)] = f.body.as_slice() else {
            continue;
        };
        let Expr::Call(call) = e.value.as_ref() else {
            continue;
        };
        let Some(callee) = dotted(&call.func) else {
            continue;
        };
        let last = callee.rsplit('.').next().unwrap_or(&callee);
        if !profile.docstring_wrappers.iter().any(|w| w == last) {
            continue;
        }
        let [Expr::Call(get), Expr::Name(doc)] = call.arguments.args.as_ref() else {
            continue;
        };
        if dotted(&get.func).as_deref() != Some("getattr") {
            continue;
        }
        let [owner, Expr::Name(attr)] = get.arguments.args.as_ref() else {
            continue;
        };
        let Some(owner) = dotted(owner) else { continue };
        let params: Vec<String> = signature::parameter_names(&f.parameters);
        let at = |n: &str| params.iter().position(|p| p == n);
        if let (Some(name_at), Some(doc_at)) = (at(attr.id.as_str()), at(doc.id.as_str())) {
            out.insert(
                f.name.to_string(),
                DocHelper {
                    owner,
                    name_at,
                    doc_at,
                },
            );
        }
    }
    out
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

/// The names import statements at module level bind (also under a top-level `if` or `try`).
fn imported_names(body: &[Stmt]) -> rustc_hash::FxHashSet<String> {
    let mut out = rustc_hash::FxHashSet::default();
    fn walk(body: &[Stmt], out: &mut rustc_hash::FxHashSet<String>) {
        for stmt in body {
            match stmt {
                Stmt::Import(i) => {
                    for a in &i.names {
                        let bound = match &a.asname {
                            Some(n) => n.as_str(),
                            None => a.name.split('.').next().unwrap_or(&a.name),
                        };
                        out.insert(bound.to_string());
                    }
                }
                Stmt::ImportFrom(i) => {
                    for a in &i.names {
                        out.insert(a.asname.as_ref().unwrap_or(&a.name).to_string());
                    }
                }
                Stmt::If(s) => {
                    walk(&s.body, out);
                    for c in &s.elif_else_clauses {
                        walk(&c.body, out);
                    }
                }
                Stmt::Try(t) => {
                    walk(&t.body, out);
                    for h in &t.handlers {
                        let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                        walk(&h.body, out);
                    }
                    walk(&t.orelse, out);
                }
                _ => {}
            }
        }
    }
    walk(body, &mut out);
    out
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
