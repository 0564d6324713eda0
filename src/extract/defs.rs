//! Definitions: what a `def` or `class` statement makes, with its signatures (overloads
//! joined), members, and the notices stated on it.

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::markers;
use super::module::{dotted, Binding, Def, FileContext, Value};
use super::notices::{
    collect_warns, decorator_markers, dedup_deprecations, deprecated_decorator, doc_markers,
    docstring, notices, tombstone, wrapping_decorator,
};
use super::signature;
use crate::snapshot::{Deprecation, Kind, Stability};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FnPlace<'a> {
    Module,
    /// A method of the class with this name.
    Class(&'a str),
}

pub(super) fn decorator_names(f: &ast::StmtFunctionDef) -> Vec<String> {
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

pub(super) fn has_overload(f: &ast::StmtFunctionDef) -> bool {
    decorator_names(f)
        .iter()
        .any(|d| d == "overload" || d.ends_with(".overload"))
}

/// Marks stored on a [`Def`] while overloads accumulate: the first signature is a sentinel
/// that never reaches a snapshot.
pub(super) const OVERLOADED: &str = "\u{0}overloaded";

impl Def {
    pub(super) fn overloaded(&self) -> bool {
        self.signatures.first().is_some_and(|s| s == OVERLOADED)
    }
    pub(super) fn mark_overloaded(&mut self) {
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

/// Merges the next definition of an overloaded name into it: another `@overload`, or the
/// implementation. In Python source (`runtime`) the implementation is what calls bind to, and
/// its signature replaces the overloads' (`state_dict(self, *args, destination=None, ...)`
/// takes positional arguments its keyword-only overloads do not); one that says nothing of
/// what it takes (`(*args, **kwargs)`) leaves the overloads to tell.
pub(super) fn merge_overload(prev: &mut Def, next: Def, next_is_overload: bool, runtime: bool) {
    if next_is_overload {
        // Overloads that differ only in annotations accept the same calls.
        for sig in next.signatures {
            if !prev.signatures.contains(&sig) {
                prev.signatures.push(sig);
            }
        }
    } else if runtime
        && next.signatures.len() == 1
        && !next.signatures.iter().any(|s| says_nothing(s))
    {
        prev.signatures = next.signatures;
    }
    // The implementation's markers apply to every overload.
    prev.deprecated.extend(next.deprecated);
    prev.announced.extend(next.announced);
    prev.forwards.extend(next.forwards);
    prev.tombstone = prev.tombstone.take().or(next.tombstone);
    prev.stability = prev.stability.take().or(next.stability);
}

/// A rendered signature whose parameters (besides `self`/`cls`) are only `*args`/`**kwargs`.
fn says_nothing(signature: &str) -> bool {
    let Some(inner) = signature.strip_prefix('(') else {
        return false;
    };
    let mut depth = 0i32;
    let mut end = inner.len();
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                end = i;
                break;
            }
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    let mut params = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    let inner = &inner[..end];
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                params.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    params.push(inner[start..].trim());
    let params: Vec<&str> = params
        .into_iter()
        .filter(|p| !p.is_empty() && !matches!(*p, "self" | "cls" | "/"))
        .collect();
    !params.is_empty() && params.iter().all(|p| p.starts_with('*') && *p != "*")
}

pub(super) fn function_def(
    ctx: &FileContext,
    f: &ast::StmtFunctionDef,
    place: FnPlace,
    module: &str,
) -> Def {
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
    let defaults: HashMap<String, String> = f
        .parameters
        .iter_non_variadic_params()
        .filter_map(|p| {
            let d = p.default.as_deref()?;
            Some((
                p.parameter.name.to_string(),
                signature::expr_text(d, ctx.source),
            ))
        })
        .collect();
    let mut def = Def {
        kind,
        signatures: if kind == Kind::Property {
            vec![]
        } else {
            vec![signature::render(f, ctx.source, false)]
        },
        ..Default::default()
    };
    // `@deprecated` on one `@overload` is about the calls that bind to it: those passing
    // the value its `Literal[...]` parameters stand for (`return_lse: Literal[True]`). Without
    // one, which calls bind to it is not known here, and the function is not deprecated.
    let literal_params: Vec<String> = f
        .parameters
        .iter_non_variadic_params()
        .filter(|p| {
            p.parameter.annotation.as_deref().is_some_and(|a| {
                let text = signature::expr_text(a, ctx.source);
                text.starts_with("Literal[") || text.contains(".Literal[")
            })
        })
        .map(|p| p.parameter.name.to_string())
        .collect();
    let is_overload = has_overload(f);
    for d in &f.decorator_list {
        let stated = deprecated_decorator(&d.expression, ctx)
            .or_else(|| wrapping_decorator(&d.expression, f.name.as_str(), ctx));
        if let Some(d) = stated {
            if is_overload {
                def.deprecated.extend(notices(
                    literal_params.clone(),
                    d.message,
                    d.replacement,
                    d.evidence,
                ));
                if literal_params.is_empty() {
                    def.deprecated.pop();
                }
            } else {
                def.deprecated.push(d);
            }
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
    let (dep, stab) = decorator_markers(ctx, &f.decorator_list, name, module_last, &params);
    def.deprecated.extend(dep);
    def.stability = def.stability.take().or(stab);
    // Constructors speak for their class: "`Foo(...)` is deprecated" in `Foo.__init__`.
    let self_name = match place {
        FnPlace::Class(class) if matches!(name, "__init__" | "__new__" | "__post_init__") => class,
        _ => name,
    };
    def.forwards = forwards(body, ctx, &params);
    let mut warns = Vec::new();
    collect_warns(body, ctx, &mut warns);
    // "The PyTorch API of X is in prototype stage": a run-time warning that states the tier
    // of the symbol it is raised for (a warn-once guard does not make it about anything else).
    if def.stability.is_none() {
        def.stability = warns.iter().find_map(|(w, evidence)| {
            let tier = markers::stated_tier(&w.message, self_name, module_last)?;
            Some(Stability {
                tier,
                evidence: evidence.clone(),
            })
        });
    }
    // Calls to functions of other modules that may warn: resolved when the modules are
    // joined, and kept after this function's own notices, which come first.
    let (pending, warns): (Vec<_>, Vec<_>) =
        warns.into_iter().partition(|(w, _)| w.pending.is_some());
    // A `FutureWarning` that deprecates nothing announces a behaviour change; a warning that
    // deprecation is planned ("will be deprecated") announces the deprecation.
    // So does a plain warning that says a call's effect will change in a later release
    // ("should be passed explicitly ... will raise"); under `if p is None:` it is about
    // leaving `p` out.
    for (w, evidence) in warns.iter().filter(|(w, _)| {
        !w.is_deprecation
            && (w.category == "FutureWarning"
                || crate::util::wording::speaks_of_deprecation(&w.message)
                || crate::util::wording::announces_change(&w.message))
    }) {
        // A plain warning that "is in prototype stage and will change" states a tier, not a
        // change to come.
        let stated_tier = ["prototype", "experimental", " beta"]
            .iter()
            .any(|t| w.message.to_ascii_lowercase().contains(t));
        if w.category != "FutureWarning"
            && !crate::util::wording::speaks_of_deprecation(&w.message)
            && stated_tier
        {
            continue;
        }
        let mentioned = markers::parameters_mentioned(&w.message, &params);
        // Announced for a call shape: the parameter the guard tests, if the message names it.
        let guarded: Vec<String> = w
            .guard
            .as_deref()
            .map(|g| markers::parameters_named(g, &mentioned))
            .unwrap_or_default();
        // A plain warning under a test of something else (`if input.dim() == 3:`) is about
        // no call shape the caller's text shows.
        let plain = w.category != "FutureWarning"
            && !crate::util::wording::speaks_of_deprecation(&w.message);
        let parameters = if !guarded.is_empty() || (plain && w.guard.is_some()) {
            guarded
        } else {
            mentioned
        };
        let mut announced = with_omissions(
            notices(parameters, w.message.clone(), None, evidence.clone()),
            w.guard.as_deref(),
            &defaults,
        );
        // A plain warning is an announcement only of leaving a parameter out: one about the
        // values passed (`if ceil_mode != return_indices:`) may leave the code while the
        // change itself is still to come (it moved to the docstring in 1.12).
        if plain {
            announced.retain(|d| d.omitted);
        }
        def.announced.extend(announced);
    }
    // A warning under a test of the instance's own class (`if self.__class__.__name__ ==
    // 'SparseAdam':`) is about that subclass, not the class that holds the code; unless the
    // test names the holding class (`if type(self) is Function:`, direct instantiation).
    let holder = match place {
        FnPlace::Class(class) => Some(class),
        FnPlace::Module => None,
    };
    let for_a_subclass = |w: &super::notices::WarnCall| {
        w.guard.as_deref().is_some_and(|g| {
            markers::tests_own_class(g) && !holder.is_some_and(|c| markers::contains_word(g, c))
        })
    };
    for (w, evidence) in warns
        .into_iter()
        .filter(|(w, _)| w.is_deprecation && !for_a_subclass(w))
    {
        // A warning guarded by a test on parameters (`if size_average is not None:`) is about
        // those parameters. One guarded by anything else (an environment variable, a value)
        // is about the function only when its message says so.
        let mut parameters = w
            .guard
            .as_deref()
            .map(|g| markers::parameters_named(g, &params))
            .unwrap_or_default();
        // `if return_lse and return_aux is None:` tests two parameters; the message says
        // which one is deprecated ("return_lse is deprecated, use return_aux=...").
        if parameters.len() > 1 {
            let subject = markers::parameters_named(&w.message, &parameters);
            if !subject.is_empty() {
                parameters = subject;
            } else if let Some(g) = w.guard.as_deref() {
                // `if out is None and destination == -1:`: the parameter left out only picks
                // the branch; the value tested is what the warning is about.
                let valued: Vec<String> = parameters
                    .iter()
                    .filter(|p| !markers::tests_omission(g, p))
                    .cloned()
                    .collect();
                if !valued.is_empty() {
                    parameters = valued;
                }
            }
        }
        // A helper's warning under `if source == "github":` is about what the helper
        // warns of ("TORCH_HUB is deprecated"), not about the parameter tested first.
        let tested = parameters.clone();
        let named = |p: &String| {
            markers::parameters_mentioned(&w.message, std::slice::from_ref(p)).len() == 1
        };
        if w.through_helper {
            parameters.retain(named);
        }
        let about_self = markers::deprecation_about_self(&w.message, self_name, module_last);
        // The value of a parameter that takes a call off the warning path its default takes.
        let exempting = |p: &String| {
            let (g, d) = (w.guard.as_deref()?, defaults.get(p)?);
            markers::exempting_value(g, p, d)
        };
        // `if not _internal:` before "X is deprecated": a private parameter the message does
        // not name is how the package calls itself past the warning, not what is deprecated.
        if about_self {
            parameters.retain(|p| !p.starts_with('_') || named(p) || exempting(p).is_none());
        }
        if (w.guard.is_some() || w.sibling) && parameters.is_empty() && !about_self {
            continue;
        }
        // The notice is the function's; a call passing the one tested parameter that value
        // takes the other path.
        let exempt = match (parameters.as_slice(), tested.as_slice()) {
            ([], [p]) => exempting(p).map(|v| format!("{p}={v}")),
            _ => None,
        };
        // "To switch now, set dynamo=True in torch.onnx.export": a name for the function
        // itself is no replacement.
        let own = match place {
            FnPlace::Module => format!("{module}.{name}"),
            FnPlace::Class(class) => format!("{module}.{class}.{name}"),
        };
        let replacement = markers::replacement_in(&w.message, ctx.package)
            .filter(|r| r.split('(').next() != Some(own.as_str()));
        let guard = w.guard.clone();
        let mut found = with_omissions(
            notices(parameters, w.message, replacement, evidence),
            guard.as_deref(),
            &defaults,
        );
        for d in found.iter_mut().filter(|d| d.parameter.is_none()) {
            d.exempt.clone_from(&exempt);
        }
        def.deprecated.extend(found);
    }
    for (w, evidence) in pending.into_iter().filter(|(w, _)| !for_a_subclass(w)) {
        let parameters = w
            .guard
            .as_deref()
            .map(|g| markers::parameters_named(g, &params))
            .unwrap_or_default();
        // Under a test of anything but parameters, only the message could say what it is
        // about, and it is not known here.
        if w.guard.is_some() && parameters.is_empty() {
            continue;
        }
        // `if not _internal: other._warn_removal()`: as for a helper of this module, the one
        // private parameter whose value skips the call is how the package calls itself past
        // the warning, whatever the helper's message says.
        let exempt = match parameters.as_slice() {
            [p] if p.starts_with('_') => w
                .guard
                .as_deref()
                .zip(defaults.get(p))
                .and_then(|(g, d)| markers::exempting_value(g, p, d))
                .map(|v| format!("{p}={v}")),
            _ => None,
        };
        let callee = w.pending.unwrap_or_default();
        let message = super::notices::pending_message(ctx.file, &callee);
        if exempt.is_some() {
            let mut found = notices(Vec::new(), message, None, evidence);
            for d in &mut found {
                d.exempt.clone_from(&exempt);
            }
            def.deprecated.extend(found);
            continue;
        }
        def.deprecated.extend(with_omissions(
            notices(parameters, message, None, evidence),
            w.guard.as_deref(),
            &defaults,
        ));
    }
    // Calling a coroutine function only makes a coroutine: it raises when awaited.
    if !f.is_async {
        def.tombstone = tombstone(body, ctx);
    }
    dedup_deprecations(&mut def.deprecated);
    def
}

/// A parameter's deprecation under `if dim is None:` is of leaving it out: calls that pass it
/// are what the warning asks for.
/// Notices under a guard that the parameter's default satisfies (`if p is None:`, `if not
/// p:` for `p=False`, the `else:` of `if p is True:`) are about leaving it out (or passing
/// that value), not about passing it. A test of one value (`p == "mean"`, the `else:` of
/// `if p is True:`) is recorded with the notice: passing that value, or any other, is what
/// it is about.
fn with_omissions(
    mut list: Vec<Deprecation>,
    guard: Option<&str>,
    defaults: &HashMap<String, String>,
) -> Vec<Deprecation> {
    let Some(guard) = guard else { return list };
    for d in &mut list {
        if let Some(p) = &d.parameter {
            d.omitted |= markers::tests_omission(guard, p)
                || defaults
                    .get(p)
                    .is_some_and(|v| markers::holds_for_default(guard, p, v));
            // A test of one value: the notice is about passing that value, or any other.
            match markers::value_test(guard, p) {
                Some((true, v)) => d.when = Some(v),
                Some((false, v)) => d.unless = Some(v),
                None => {}
            }
        }
    }
    list
}

fn has_own_init(c: &ast::StmtClassDef) -> bool {
    c.body
        .iter()
        .any(|s| matches!(s, Stmt::FunctionDef(f) if f.name.as_str() == "__init__"))
}

pub(super) fn class_def(ctx: &FileContext, c: &ast::StmtClassDef, module: &str) -> Def {
    let mut def = Def {
        kind: Kind::Class,
        ..Default::default()
    };
    if let Some(args) = &c.arguments {
        // `Base[T]` derives from `Base`: the subscript parameterises, it adds no ancestor.
        def.bases = args
            .args
            .iter()
            .filter_map(|b| match b {
                Expr::Subscript(s) => dotted(&s.value),
                b => dotted(b),
            })
            .collect();
    }
    for d in &c.decorator_list {
        let stated = deprecated_decorator(&d.expression, ctx)
            .or_else(|| wrapping_decorator(&d.expression, c.name.as_str(), ctx));
        if let Some(d) = stated {
            def.deprecated.push(d);
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
        // Without an `__init__` of its own the class is called with an inherited one, known
        // only once bases resolve: the `Args:` entries name its parameters, and the resolver
        // keeps those the signature has.
        let documented: Vec<String> = if init_params.is_empty() && !has_own_init(c) {
            markers::doc_blocks(&doc)
                .entries
                .into_iter()
                .filter_map(|e| e.owner)
                .collect()
        } else {
            init_params.clone()
        };
        let (dep, stab) = doc_markers(ctx, &doc, line, name, module_last, &documented);
        def.deprecated.extend(dep);
        def.stability = stab;
    }
    let (dep, stab) = decorator_markers(ctx, &c.decorator_list, name, module_last, &init_params);
    def.deprecated.extend(dep);
    def.stability = def.stability.take().or(stab);
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
    // "`pkg.Scaler(args...)` is deprecated": a message that shows the class called is about
    // constructing it, wherever it is stated.
    let called = format!("{name}(");
    for d in &mut def.deprecated {
        if d.parameter.is_none() && d.message.contains(&called) {
            d.instantiation = true;
        }
    }
    def
}

pub(super) fn class_body(
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
                // A decorator the profile names compiles the method onto instances and takes
                // it off the class (`@torch.jit.script_method` under `ScriptMeta`).
                if decorators.iter().any(|d| {
                    let last = d.rsplit('.').next().unwrap_or(d);
                    ctx.profile
                        .instance_method_decorators
                        .iter()
                        .any(|x| x == last)
                }) {
                    def.instance = true;
                }
                // The constructor's tier is the class's: "X is in prototype stage" warned on
                // construction.
                if matches!(name, "__init__" | "__new__") && class.stability.is_none() {
                    class.stability = def.stability.take();
                }
                // A deprecated constructor (`__init__` or `__new__`) deprecates constructing
                // the class.
                if matches!(name, "__init__" | "__new__") {
                    // A constructor that always raises "no longer supported" makes the class
                    // a tombstone: it cannot be instantiated.
                    if class.tombstone.is_none() {
                        class.tombstone = def.tombstone.clone();
                    }
                    let params = signature::parameter_names(&f.parameters);
                    for d in &def.deprecated {
                        let applies = d.parameter.as_ref().is_none_or(|p| params.contains(p));
                        // Warned on construction: a subclass or an `isinstance` test is fine.
                        let d = Deprecation {
                            instantiation: d.parameter.is_none(),
                            ..d.clone()
                        };
                        if applies && !class.deprecated.contains(&d) {
                            class.deprecated.push(d);
                        }
                    }
                    // Said once, on the class: `X.__new__` is not what users call.
                    def.deprecated.clear();
                    def.tombstone = None;
                }
                if name == "__init__" {
                    class.has_init = true;
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
                            let runtime = !ctx.file.ends_with(".pyi");
                            merge_overload(prev_def, def, is_overload, runtime);
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
            Stmt::AnnAssign(a) => {
                class_attr(ctx, &a.target, a.value.as_deref(), a, members);
                // `x: int` alone, in a source file, declares what instances have: the class
                // itself has no `x` (named tuples make fields of them).
                // So does a dataclass field made by `field(default_factory=...)` (only a
                // `default=` puts a value on the class).
                let factory_field =
                    a.value.as_deref().is_some_and(|v| match v {
                        Expr::Call(c) => {
                            dotted(&c.func).is_some_and(|f| f == "field" || f.ends_with(".field"))
                                && !c.arguments.keywords.iter().any(|k| {
                                    k.arg.as_ref().is_some_and(|a| a.as_str() == "default")
                                })
                        }
                        _ => false,
                    });
                let declared_only = (a.value.is_none() || factory_field)
                    && !ctx.file.ends_with(".pyi")
                    && !class.bases.iter().any(|b| b.ends_with("NamedTuple"));
                if let (
                    true,
                    Some(Binding {
                        value: Value::Def(d),
                        ..
                    }),
                ) = (declared_only, members.last_mut())
                {
                    d.instance = true;
                }
            }
            Stmt::If(s) => {
                let run_time = super::module::type_checking_test(&s.test, ctx);
                if run_time != Some(true) {
                    class_body(ctx, &s.body, class_name, module, members, class);
                }
                if run_time != Some(false) {
                    for clause in &s.elif_else_clauses {
                        class_body(ctx, &clause.body, class_name, module, members, class);
                    }
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
    // What `__init__` sets on `self` is a member of every instance, and so is what the
    // methods it calls on `self` set (`self._init(...)`).
    let methods: Vec<&ast::StmtFunctionDef> = body
        .iter()
        .filter_map(|s| match s {
            Stmt::FunctionDef(f) => Some(f),
            _ => None,
        })
        .collect();
    if let Some(init) = methods.iter().find(|f| f.name.as_str() == "__init__") {
        let mut found = Vec::new();
        let mut visited = vec![init.name.as_str()];
        let mut queue = vec![*init];
        while let Some(f) = queue.pop() {
            let Some(this) = f.parameters.args.first().map(|p| p.parameter.name.as_str()) else {
                continue;
            };
            let mut called = Vec::new();
            instance_attributes(&f.body, this, &mut found, &mut called);
            for name in called {
                if visited.len() < 16 && !visited.contains(&name.as_str()) {
                    if let Some(m) = methods.iter().find(|m| m.name.as_str() == name) {
                        visited.push(m.name.as_str());
                        queue.push(m);
                    }
                }
            }
        }
        for name in found {
            if members.iter().any(|m| m.name == name) {
                continue;
            }
            members.push(Binding {
                name,
                line: 0,
                value: Value::Def(Box::new(Def {
                    kind: Kind::Attribute,
                    instance: true,
                    ..Default::default()
                })),
            });
        }
    }
}

/// `self.x = ...` (and `self.x: T = ...`, `self.x += ...`, tuple targets) anywhere in a method
/// body outside nested functions and classes, in order, and the methods it calls on `self`.
fn instance_attributes(body: &[Stmt], this: &str, out: &mut Vec<String>, called: &mut Vec<String>) {
    fn on_self<'e>(e: &'e Expr, this: &str) -> Option<&'e str> {
        match e {
            Expr::Attribute(a) if matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == this) => {
                Some(a.attr.as_str())
            }
            _ => None,
        }
    }
    fn target(e: &Expr, this: &str, out: &mut Vec<String>) {
        match e {
            e if on_self(e, this).is_some() => {
                let name = on_self(e, this).unwrap_or_default().to_string();
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| target(e, this, out)),
            Expr::List(t) => t.elts.iter().for_each(|e| target(e, this, out)),
            _ => {}
        }
    }
    for stmt in body {
        match stmt {
            Stmt::Assign(a) => a.targets.iter().for_each(|t| target(t, this, out)),
            Stmt::AnnAssign(a) => target(&a.target, this, out),
            Stmt::AugAssign(a) => target(&a.target, this, out),
            Stmt::Expr(e) => {
                if let Expr::Call(c) = e.value.as_ref() {
                    if let Some(m) = on_self(&c.func, this) {
                        called.push(m.to_string());
                    }
                }
            }
            Stmt::If(s) => {
                instance_attributes(&s.body, this, out, called);
                for c in &s.elif_else_clauses {
                    instance_attributes(&c.body, this, out, called);
                }
            }
            Stmt::Try(t) => {
                instance_attributes(&t.body, this, out, called);
                instance_attributes(&t.orelse, this, out, called);
                instance_attributes(&t.finalbody, this, out, called);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    instance_attributes(&h.body, this, out, called);
                }
            }
            Stmt::With(w) => instance_attributes(&w.body, this, out, called),
            Stmt::For(f) => instance_attributes(&f.body, this, out, called),
            Stmt::While(w) => instance_attributes(&w.body, this, out, called),
            _ => {}
        }
    }
}

pub(super) fn class_attr(
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

/// Calls to private functions of the module among a body's statements (`return _impl(...)`,
/// `x = _impl(...)`, `_impl(...)`) that pass some of `params` on by keyword.
fn forwards(body: &[Stmt], ctx: &FileContext, params: &[String]) -> Vec<super::module::Forward> {
    let mut out = Vec::new();
    for stmt in body {
        let value = match stmt {
            Stmt::Return(r) => r.value.as_deref(),
            Stmt::Expr(e) => Some(e.value.as_ref()),
            Stmt::Assign(a) => Some(a.value.as_ref()),
            _ => None,
        };
        let Some(ast::Expr::Call(call)) = value else {
            continue;
        };
        let ast::Expr::Name(callee) = call.func.as_ref() else {
            continue;
        };
        if !callee.id.starts_with('_') {
            continue;
        }
        let ours = |e: &ast::Expr| match e {
            ast::Expr::Name(n) if params.iter().any(|p| p == n.id.as_str()) => {
                Some(n.id.to_string())
            }
            _ => None,
        };
        let passed: Vec<(String, String)> = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| Some((k.arg.as_ref()?.to_string(), ours(&k.value)?)))
            .collect();
        // `_check_verbose(verbose)`: by position, to the parameter at that place.
        let mut by_position = Vec::new();
        if let Some(theirs) = ctx
            .private_positional
            .get()
            .and_then(|m| m.get(callee.id.as_str()))
        {
            let starred = call
                .arguments
                .args
                .iter()
                .any(|a| matches!(a, ast::Expr::Starred(_)));
            if !starred {
                for (a, t) in call.arguments.args.iter().zip(theirs) {
                    if let Some(o) = ours(a) {
                        by_position.push((t.clone(), o));
                    }
                }
            }
        }
        if !passed.is_empty() || !by_position.is_empty() {
            out.push(super::module::Forward {
                callee: callee.id.to_string(),
                params: passed,
                by_position,
                at: ctx.at(call),
            });
        }
    }
    out
}
