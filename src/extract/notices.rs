//! Notices stated in code: deprecations (decorators, warnings, docstring directives and prose),
//! announced behaviour changes, tombstones, and stability tiers.

use std::collections::HashMap;

use ruff_python_ast::{Expr, Stmt};

use super::markers;
use super::module::{dotted, FileContext};
use super::signature;
use super::strings;
use crate::snapshot::{Deprecation, Marker, Stability, Tier};

pub(super) fn docstring(body: &[Stmt], ctx: &FileContext) -> Option<(String, u32)> {
    match body.first()? {
        Stmt::Expr(e) => match e.value.as_ref() {
            Expr::StringLiteral(s) => Some((s.value.to_str().to_string(), ctx.line(e))),
            _ => None,
        },
        _ => None,
    }
}

/// One deprecation per named parameter, or one for the whole symbol when none is named.
pub(super) fn notices(
    parameters: Vec<String>,
    message: String,
    replacement: Option<String>,
    evidence: String,
) -> Vec<Deprecation> {
    if parameters.is_empty() {
        return vec![Deprecation {
            omitted: false,
            instantiation: false,
            when: None,
            unless: None,
            exempt: None,
            parameter: None,
            message,
            replacement,
            evidence,
        }];
    }
    parameters
        .into_iter()
        .map(|p| Deprecation {
            omitted: markers::describes_omission(&message, &p),
            instantiation: false,
            when: None,
            unless: None,
            exempt: None,
            parameter: Some(p),
            message: message.clone(),
            replacement: replacement.clone(),
            evidence: evidence.clone(),
        })
        .collect()
}

pub(super) fn dedup_deprecations(list: &mut Vec<Deprecation>) {
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

/// `@deprecated("msg")`, `@typing_extensions.deprecated(...)`, ONNX's
/// `@_deprecation.deprecated(since, removed_in, instructions)`: message and replacement.
/// The value passed as `name=` in `call`.
fn keyword_argument<'c>(call: &'c ruff_python_ast::ExprCall, name: &str) -> Option<&'c Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| &k.value)
}

/// Marks a message that is a name bound in another module: the file the name is read in and
/// the name, for [`imported_message_parts`]. Never left in a snapshot.
const IMPORTED: char = '\u{1}';

fn imported_message(file: &str, name: &str) -> String {
    format!("{IMPORTED}{file}{IMPORTED}{name}")
}

/// Marks a deprecation raised by calling a function of another module that may warn: the
/// file the call is in and the callee as written, for [`pending_message_parts`]. Never left
/// in a snapshot: the resolver replaces it with the callee's warning or drops the notice.
const PENDING: char = '\u{2}';

pub(super) fn pending_message(file: &str, callee: &str) -> String {
    format!("{PENDING}{file}{PENDING}{callee}")
}

/// The file and callee of a message [`pending_message`] made.
pub(super) fn pending_message_parts(message: &str) -> Option<(&str, &str)> {
    message.strip_prefix(PENDING)?.split_once(PENDING)
}

/// The file and name of a message [`imported_message`] made.
pub(super) fn imported_message_parts(message: &str) -> Option<(&str, &str)> {
    message.strip_prefix(IMPORTED)?.split_once(IMPORTED)
}

/// `@deprecated("...")` (PEP 702, `typing_extensions`, torch's own spellings) as the
/// deprecation it states. With `category=None` it warns nothing at run time: the evidence says
/// so, as type checkers are the only ones to tell.
pub(super) fn deprecated_decorator(expr: &Expr, ctx: &FileContext) -> Option<Deprecation> {
    let Expr::Call(call) = expr else { return None };
    let callee = dotted(&call.func)?;
    let last = callee.rsplit('.').next()?;
    // `from typing_extensions import deprecated as _deprecated` is common.
    if !matches!(last.trim_start_matches('_'), "deprecated" | "deprecate") {
        return None;
    }
    let kw = |k: &str| keyword_argument(call, k).and_then(|v| message_text(v, ctx));
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
            .or_else(|| match call.arguments.args.first() {
                // `@deprecated(DEPRECATION_WARNING)` with the constant imported from another
                // module: looked up when the modules are joined.
                Some(Expr::Name(n)) => Some(imported_message(ctx.file, n.id.as_str())),
                _ => None,
            })
            .unwrap_or_else(|| "deprecated".into())
    };
    let replacement = markers::replacement_in(&message, ctx.package);
    let silent = call.arguments.keywords.iter().any(|k| {
        k.arg.as_ref().is_some_and(|a| a.as_str() == "category")
            && matches!(k.value, Expr::NoneLiteral(_))
    });
    let evidence = if silent {
        format!(
            "@deprecated(category=None), no run-time warning, at {}",
            ctx.at(expr)
        )
    } else {
        format!("@deprecated at {}", ctx.at(expr))
    };
    Some(Deprecation {
        omitted: false,
        instantiation: false,
        when: None,
        unless: None,
        exempt: None,
        parameter: None,
        message,
        replacement,
        evidence,
    })
}

/// Strings a function body binds before a point (`msg = f"..."`), by name.
pub(super) type Locals = HashMap<String, String>;

/// The text of a message expression as a user reads it: literals, f-strings, `+`, `%` and
/// `.format`, with the names they interpolate looked up in `locals`, then in the module's
/// string constants; what is not known is left out.
pub(super) fn message_text(expr: &Expr, ctx: &FileContext) -> Option<String> {
    message_in(expr, ctx, &Locals::new())
}

pub(super) fn message_in(expr: &Expr, ctx: &FileContext, locals: &Locals) -> Option<String> {
    let lookup = |n: &str| {
        locals
            .get(n)
            .or_else(|| ctx.strings.get().and_then(|m| m.get(n)))
            .cloned()
    };
    // A bare name is a message only when its text is known; anything else must build one.
    strings::message(expr, &lookup)
}

/// Records `name = <string>` in `locals` (or forgets a name bound to something else).
fn bind_local(stmt: &Stmt, ctx: &FileContext, locals: &mut Locals) {
    let Stmt::Assign(a) = stmt else { return };
    let [Expr::Name(n)] = a.targets.as_slice() else {
        return;
    };
    // Untidied: `head = "... 1.12. "` keeps the space that `head + tail` reads.
    let lookup = |n: &str| {
        locals
            .get(n)
            .or_else(|| ctx.strings.get().and_then(|m| m.get(n)))
            .cloned()
    };
    match strings::document(&a.value, &lookup) {
        Some(text) => {
            locals.insert(n.id.to_string(), text);
        }
        None => {
            locals.remove(n.id.as_str());
        }
    }
}

#[derive(Debug, Clone)]
pub struct WarnCall {
    pub message: String,
    pub category: String,
    pub is_deprecation: bool,
    /// The test of the `if` the call sits in, for telling parameter deprecations apart.
    pub guard: Option<String>,
    /// A call to a function of another module that may warn (`_Reduction.legacy_get_enum(
    /// size_average, reduce)`), as written: whether it warns, and what, is known once the
    /// modules are joined. Its message and category are empty until then.
    pub pending: Option<String>,
    /// Raised by a helper this call goes through, not by the function's own code: the
    /// helper's message, not the caller's test, says what it is about.
    pub through_helper: bool,
    /// Raised by another method of the class (`Class.other(...)`): about the caller only when
    /// the message names it.
    pub sibling: bool,
}

pub(super) fn warn_call(expr: &Expr, ctx: &FileContext) -> Option<WarnCall> {
    warn_call_in(expr, ctx, &Locals::new())
}

fn warn_call_in(expr: &Expr, ctx: &FileContext, locals: &Locals) -> Option<WarnCall> {
    let Expr::Call(call) = expr else { return None };
    // Most calls are of something else: their last name tells, without spelling them out.
    if !matches!(
        last_name(&call.func),
        Some("warn" | "warn_explicit" | "warn_once" | "warning")
    ) {
        return None;
    }
    let callee = dotted(&call.func)?;
    // `log.warning("X is deprecated")` on a module's logger states it as a warning does, to
    // whoever reads the log.
    let logged = is_log_callee(&callee, ctx);
    if !logged && !is_warn_callee(&callee) {
        return None;
    }
    let message = call
        .arguments
        .args
        .first()
        .and_then(|m| message_in(m, ctx, locals))
        .or_else(|| keyword_argument(call, "message").and_then(|m| message_in(m, ctx, locals)))?;
    let category_expr = call
        .arguments
        .args
        .get(1)
        .or_else(|| keyword_argument(call, "category"));
    let category = match category_expr.and_then(dotted) {
        _ if logged => LOGGED.to_string(),
        Some(c) => c.rsplit('.').next().unwrap_or(&c).to_string(),
        None => "UserWarning".into(),
    };
    let is_deprecation = is_deprecation(&category, &message);
    Some(WarnCall {
        message,
        category,
        is_deprecation,
        guard: None,
        pending: None,
        through_helper: false,
        sibling: false,
    })
}

/// The last name of a callee (`warn` of `warnings.warn`).
fn last_name(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

/// The category recorded for a message logged as a warning: no warning category, so only
/// its wording makes it a deprecation.
pub(super) const LOGGED: &str = "logging";

/// How a warning of `category` was raised, for evidence: `warnings.warn(FutureWarning)`, or
/// `log.warning` for a logged one.
pub(super) fn raised(category: &str) -> String {
    if category == LOGGED {
        "log.warning".to_string()
    } else {
        format!("warnings.warn({category})")
    }
}

/// `logging.warning(...)`, or `.warning(...)`/`.warn(...)` of a logger the module binds at
/// top level (`log = logging.getLogger(__name__)`).
fn is_log_callee(callee: &str, ctx: &FileContext) -> bool {
    match callee.rsplit_once('.') {
        Some(("logging", "warning" | "warn")) => true,
        Some((logger, "warning" | "warn")) => ctx
            .loggers
            .get()
            .is_some_and(|names| names.contains(logger)),
        _ => false,
    }
}

/// `warnings.warn` and the warn-once spellings that take the message first.
fn is_warn_callee(callee: &str) -> bool {
    matches!(
        callee,
        "warn" | "warnings.warn" | "_warnings.warn" | "warnings.warn_explicit" | "warn_once"
    )
}

/// DeprecationWarning always means deprecation; FutureWarning and others only when the message
/// says so: torch also uses FutureWarning to announce behaviour changes.
fn is_deprecation(category: &str, message: &str) -> bool {
    matches!(category, "DeprecationWarning" | "PendingDeprecationWarning")
        || markers::has_deprecation_wording(message)
        // "X is going to be deprecated, please use Y instead", warned on every use, is the
        // deprecation itself: the user is told to move now.
        || (message.to_ascii_lowercase().contains("deprecat")
            && markers::urges_replacement(message))
}

/// Warning calls in a function body, outside nested functions and classes, with the test of
/// the innermost enclosing `if` and the evidence. A call to a module-level helper that always
/// warns (`_warn_typed_storage_removal()`) counts as the warning itself.
pub(super) fn collect_warns(body: &[Stmt], ctx: &FileContext, out: &mut Vec<(WarnCall, String)>) {
    collect_warns_with(body, ctx, Locals::new(), out);
}

/// [`collect_warns`] with names already bound (a parameter's value known to the caller).
pub(super) fn collect_warns_with(
    body: &[Stmt],
    ctx: &FileContext,
    mut locals: Locals,
    out: &mut Vec<(WarnCall, String)>,
) {
    fn walk(
        body: &[Stmt],
        ctx: &FileContext,
        guard: Option<&str>,
        locals: &mut Locals,
        out: &mut Vec<(WarnCall, String)>,
    ) {
        // After a statement that may return, the rest runs only on some calls: a warning
        // there ("This version of file is deprecated", after the current format's `return`)
        // is about what that path handles, unless its message names the function.
        let mut after_return: Option<String> = None;
        for stmt in body {
            let guard = after_return.as_deref().or(guard);
            // `x = helper(...)` and `return helper(...)` warn as the bare call does.
            let called = match stmt {
                Stmt::Expr(e) => Some(e.value.as_ref()),
                Stmt::Assign(a) => Some(a.value.as_ref()),
                Stmt::AnnAssign(a) => a.value.as_deref(),
                Stmt::Return(r) => r.value.as_deref(),
                _ => None,
            };
            if let Some(value) = called {
                if let Some(w) = warning_of_call(value, ctx, guard, locals) {
                    out.push(w);
                }
            }
            match stmt {
                Stmt::Assign(_) => bind_local(stmt, ctx, locals),
                Stmt::If(s) => {
                    // The tests of every enclosing `if`: `if output_fn is not None:` then
                    // `if num_args == 2:` is about `output_fn`.
                    let within = |t: String| match guard {
                        Some(g) => format!("{g} and {t}"),
                        None => t,
                    };
                    let test = within(signature::expr_text(&s.test, ctx.source));
                    // Each branch binds its own strings; after the `if`, a name one branch
                    // rebound has no one known text (`ret = "mean"` or `ret = "none"`).
                    let before = locals.clone();
                    let mut branch = before.clone();
                    walk(&s.body, ctx, Some(&test), &mut branch, out);
                    let mut changed: Vec<String> = changed_names(&before, &branch);
                    for c in &s.elif_else_clauses {
                        let t = c
                            .test
                            .as_ref()
                            .map(|t| within(signature::expr_text(t, ctx.source)));
                        // `else:` runs when the test fails: its guard is the negation, which
                        // still names the same parameters.
                        let negated = within(format!(
                            "not ({})",
                            signature::expr_text(&s.test, ctx.source)
                        ));
                        let mut branch = before.clone();
                        walk(
                            &c.body,
                            ctx,
                            t.as_deref().or(Some(&negated)),
                            &mut branch,
                            out,
                        );
                        changed.extend(changed_names(&before, &branch));
                    }
                    for name in changed {
                        locals.remove(&name);
                    }
                }
                Stmt::With(w) => walk(&w.body, ctx, guard, locals, out),
                Stmt::Try(t) => {
                    walk(&t.body, ctx, guard, locals, out);
                    walk(&t.orelse, ctx, guard, locals, out);
                    walk(&t.finalbody, ctx, guard, locals, out);
                }
                Stmt::For(f) => walk(&f.body, ctx, guard, locals, out),
                Stmt::While(w) => walk(&w.body, ctx, guard, locals, out),
                _ => {}
            }
            if after_return.is_none() && may_leave_or_yield(stmt) && !dispatches(stmt, ctx) {
                let reached = "<not returned earlier>";
                after_return = Some(match guard {
                    Some(g) => format!("{g} and {reached}"),
                    None => reached.to_string(),
                });
            }
        }
    }
    walk(body, ctx, None, &mut locals, out);
}

/// `if has_torch_function(...): return handle_torch_function(...)`: an early return that
/// hands the call to a user's override, declared in the profile; the code after it is every
/// other call's path.
fn dispatches(stmt: &Stmt, ctx: &FileContext) -> bool {
    let Stmt::If(s) = stmt else { return false };
    if ctx.profile.dispatch_guards.is_empty() {
        return false;
    }
    let test = signature::expr_text(&s.test, ctx.source);
    ctx.profile
        .dispatch_guards
        .iter()
        .any(|g| markers::names(&test, &g.function))
}

/// Names whose text differs between two sets of locals.
fn changed_names(before: &Locals, after: &Locals) -> Vec<String> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(before.keys().filter(|k| !after.contains_key(*k)).cloned())
        .collect()
}

/// The warning a statement's call raises: `warnings.warn(...)`, a helper of this file, or
/// (pending) a function of another module that may be a helper.
fn warning_of_call(
    value: &Expr,
    ctx: &FileContext,
    guard: Option<&str>,
    locals: &Locals,
) -> Option<(WarnCall, String)> {
    let guarded = |mut w: WarnCall| {
        w.guard = guard.map(str::to_string);
        w
    };
    // A helper of this file first: its own `_warn_once(id, message)` takes the message
    // second.
    if let Some((mut w, at)) = helper_warning(value, ctx, locals) {
        w.through_helper = true;
        let evidence = format!(
            "{} at {at}, called at {}",
            raised(&w.category),
            ctx.at(value)
        );
        return Some((guarded(w), evidence));
    }
    if let Some(w) = warn_call_in(value, ctx, locals) {
        let evidence = format!("{} at {}", raised(&w.category), ctx.at(value));
        return Some((guarded(w), evidence));
    }
    let Expr::Call(call) = value else { return None };
    let last = last_name(&call.func)?;
    if !ctx.helper_names.is_some_and(|names| names.contains(last)) {
        return None;
    }
    let callee = dotted(&call.func)?;
    // Only what an import binds can be another module's function (`_Reduction.f(...)`,
    // `f(...)` after `from m import f`); `self.f(...)` and locals are not.
    let root = callee.split('.').next().unwrap_or(&callee);
    if !ctx.imported.get().is_some_and(|names| names.contains(root)) {
        return None;
    }
    let own = !callee.contains('.') && ctx.helpers.get().is_some_and(|h| h.contains_key(last));
    if own {
        return None;
    }
    let w = WarnCall {
        message: String::new(),
        category: String::new(),
        is_deprecation: false,
        guard: None,
        pending: Some(callee),
        through_helper: true,
        sibling: false,
    };
    Some((guarded(w), format!("called at {}", ctx.at(value))))
}

/// A module-level function of this file that warns when called.
#[derive(Debug, Clone)]
pub(crate) enum Helper {
    /// Warns of a deprecation unconditionally, whatever the arguments
    /// (`_warn_typed_storage_removal()`): the warning and where it is raised.
    /// The message may hold the helper's parameters as [`argument_mark`]s
    /// (`f"{name} is deprecated"`), filled in with each caller's arguments; the third field
    /// is the positional parameters in order.
    Fixed(WarnCall, String, Vec<String>),
    /// Returns a wrapper of the function it is given that warns of a deprecation on every
    /// call (`uniform = _make_deprecate(uniform_)`), or is a factory of such decorators
    /// (`@warn_deprecated("Use X instead.")`). Its message names the wrapped function and the
    /// factory's arguments, so it is read again at each use, by [`wrapper_deprecation`].
    Wrapper(Box<ruff_python_ast::StmtFunctionDef>),
    /// Warns the message its caller passes (`_warn_once(warning_id, message, category)`).
    Forward {
        /// Positional parameters, in order; keywords bind by name.
        positional: Vec<String>,
        message: String,
        category: HelperCategory,
        at: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum HelperCategory {
    Fixed(String),
    /// The caller's argument for this parameter, else its default.
    Parameter {
        name: String,
        default: String,
    },
}

/// `helper(...)` where `helper` is a module-level function of this file that warns: the
/// warning it raises for these arguments and where.
pub(super) fn helper_warning(
    expr: &Expr,
    ctx: &FileContext,
    locals: &Locals,
) -> Option<(WarnCall, String)> {
    let Expr::Call(call) = expr else { return None };
    let helpers = ctx.helpers.get()?;
    if helpers.is_empty() {
        return None;
    }
    // `Class.method(...)`: a method of a class of this file, registered as `Class.method`.
    if let Expr::Attribute(a) = call.func.as_ref() {
        let Expr::Name(class) = a.value.as_ref() else {
            return None;
        };
        let h = helpers.get(&format!("{}.{}", class.id, a.attr))?;
        let (mut w, at) = fixed_warning(h, call, ctx, locals)?;
        w.sibling = true;
        return Some((w, at));
    }
    let Expr::Name(n) = call.func.as_ref() else {
        return None;
    };
    match helpers.get(n.id.as_str())? {
        h @ Helper::Fixed(..) => fixed_warning(h, call, ctx, locals),
        // Calling it makes a function that warns; the call itself warns nothing.
        Helper::Wrapper(_) => None,
        Helper::Forward {
            positional,
            message,
            category,
            at,
        } => {
            let argument = |param: &str| -> Option<&Expr> {
                keyword_argument(call, param).or_else(|| {
                    let i = positional.iter().position(|p| p == param)?;
                    call.arguments.args.get(i)
                })
            };
            let text = message_in(argument(message)?, ctx, locals)?;
            let category = match category {
                HelperCategory::Fixed(c) => c.clone(),
                HelperCategory::Parameter { name, default } => argument(name)
                    .and_then(dotted)
                    .map(|c| c.rsplit('.').next().unwrap_or(&c).to_string())
                    .unwrap_or_else(|| default.clone()),
            };
            let is_deprecation = is_deprecation(&category, &text);
            Some((
                WarnCall {
                    message: text,
                    category,
                    is_deprecation,
                    guard: None,
                    pending: None,
                    through_helper: false,
                    sibling: false,
                },
                at.clone(),
            ))
        }
    }
}

/// Module-level functions that warn when called, by name: those that always warn of a
/// deprecation, and those that warn whatever message they are given.
pub(super) fn warning_helpers(body: &[Stmt], ctx: &FileContext) -> HashMap<String, Helper> {
    let functions: Vec<&ruff_python_ast::StmtFunctionDef> = body
        .iter()
        .filter_map(|s| match s {
            Stmt::FunctionDef(f) => Some(f),
            _ => None,
        })
        .collect();
    // The pre-pass knows which functions may warn of a deprecation at all.
    let candidate = |f: &ruff_python_ast::StmtFunctionDef| {
        ctx.helper_names
            .is_none_or(|names| names.contains(f.name.as_str()))
    };
    let mut helpers = HashMap::new();
    for f in &functions {
        let fixed = if candidate(f) {
            always_warns(f, ctx, &helpers)
        } else {
            None
        };
        let wrapper = || {
            (candidate(f) && returned_def(f).is_some())
                .then(|| Helper::Wrapper(Box::new((*f).clone())))
        };
        if let Some(h) = fixed.or_else(|| forwarder(f, ctx)).or_else(wrapper) {
            helpers.insert(f.name.to_string(), h);
        }
    }
    // `legacy_get_enum` returns `get_enum(legacy_get_string(...))`, which warns: a function
    // that calls a helper on every call warns as it does, a few levels deep.
    for _ in 0..3 {
        if !helpers.values().any(|h| matches!(h, Helper::Fixed(..))) {
            break;
        }
        let found: Vec<(String, Helper)> = functions
            .iter()
            .filter(|f| !helpers.contains_key(f.name.as_str()) && candidate(f))
            .filter_map(|f| Some((f.name.to_string(), always_warns(f, ctx, &helpers)?)))
            .collect();
        if found.is_empty() {
            break;
        }
        helpers.extend(found);
    }
    // Methods that always warn, as `Class.method`: a sibling calling `Class.method(...)`
    // warns as it does (`FSDP.state_dict_type` through `FSDP.set_state_dict_type`).
    let methods: Vec<(String, Helper)> = body
        .iter()
        .filter_map(|s| match s {
            Stmt::ClassDef(c) => Some(c),
            _ => None,
        })
        .flat_map(|c| {
            c.body.iter().filter_map(move |s| match s {
                Stmt::FunctionDef(f) => Some((c, f)),
                _ => None,
            })
        })
        // The pre-pass lists module-level functions only; a method's own text tells.
        .filter(|(_, f)| {
            let text = &ctx.source[ruff_text_size::Ranged::range(*f)];
            text.contains("warn") && text.contains("eprecat")
        })
        .filter_map(|(c, f)| {
            let h = always_warns(f, ctx, &helpers)?;
            Some((format!("{}.{}", c.name, f.name), h))
        })
        .collect();
    helpers.extend(methods);
    helpers
}

/// A function that warns of a deprecation on every call, whatever its arguments: the
/// warning (or a call to a helper that always warns) comes before anything that may return,
/// outside any `if` or under one that tests no parameter but a flag defaulting to `True`
/// (`if emit_warning:`, a warn-once `if not _warned:`).
fn always_warns(
    f: &ruff_python_ast::StmtFunctionDef,
    ctx: &FileContext,
    helpers: &HashMap<String, Helper>,
) -> Option<Helper> {
    always_warns_in(f, ctx, helpers, &Locals::new())
}

/// The function a function body defines and returns (`def wrapper(...): ...` then
/// `return wrapper`).
fn returned_def(f: &ruff_python_ast::StmtFunctionDef) -> Option<&ruff_python_ast::StmtFunctionDef> {
    let returned = f.body.iter().find_map(|s| match s {
        Stmt::Return(r) => match r.value.as_deref() {
            Some(Expr::Name(n)) => Some(n.id.as_str()),
            _ => None,
        },
        _ => None,
    })?;
    f.body.iter().find_map(|s| match s {
        Stmt::FunctionDef(d) if d.name.as_str() == returned => Some(d),
        _ => None,
    })
}

/// The deprecation a use of a [`Helper::Wrapper`] states for the function it wraps, named
/// `wrapped` (its `__name__`): `factory` is the call that makes the decorator
/// (`@warn_deprecated("Use X.")`), `None` when the helper is the decorator itself
/// (`@deprecate`, `x = _make_deprecate(x_)`). The wrapper must warn on every call, with the
/// factory's arguments and the wrapped name filled into its message.
pub(super) fn wrapper_deprecation(
    helper: &Helper,
    factory: Option<&ruff_python_ast::ExprCall>,
    wrapped: &str,
    use_at: &str,
    ctx: &FileContext,
) -> Option<Deprecation> {
    let Helper::Wrapper(f) = helper else {
        return None;
    };
    let mut locals = Locals::new();
    let bind_body = |f: &ruff_python_ast::StmtFunctionDef, locals: &mut Locals| {
        for st in &f.body {
            bind_local(st, ctx, locals);
        }
    };
    let decorator: &ruff_python_ast::StmtFunctionDef = match factory {
        Some(call) => {
            let positional = positional_parameters(f);
            for (i, p) in positional.iter().enumerate() {
                let given = keyword_argument(call, p).or_else(|| call.arguments.args.get(i));
                if let Some(text) = given.and_then(|a| message_text(a, ctx)) {
                    locals.insert(p.clone(), text);
                }
            }
            bind_body(f, &mut locals);
            returned_def(f)?
        }
        None => f,
    };
    // The decorator takes the function it wraps, and nothing else.
    let [param] = positional_parameters(decorator).try_into().ok()?;
    locals.insert(format!("{param}.__name__"), wrapped.to_string());
    bind_body(decorator, &mut locals);
    let wrapper = returned_def(decorator)?;
    let none = HashMap::new();
    let helpers = ctx.helpers.get().unwrap_or(&none);
    let Some(Helper::Fixed(w, at, _)) = always_warns_in(wrapper, ctx, helpers, &locals) else {
        return None;
    };
    let replacement = markers::replacement_in(&w.message, ctx.package);
    let evidence = format!(
        "{} at {at}, in the wrapper {}() made at {use_at}",
        raised(&w.category),
        f.name
    );
    notices(Vec::new(), w.message, replacement, evidence).pop()
}

/// A decorator of this file that wraps what it decorates in a deprecation warning:
/// `@deprecate` or `@warn_deprecated("Use X.")` on the definition named `wrapped`.
pub(super) fn wrapping_decorator(
    expr: &Expr,
    wrapped: &str,
    ctx: &FileContext,
) -> Option<Deprecation> {
    let (name, factory) = match expr {
        Expr::Name(n) => (n, None),
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Name(n) => (n, Some(c)),
            _ => return None,
        },
        _ => return None,
    };
    let helper = ctx.helpers.get()?.get(name.id.as_str())?;
    wrapper_deprecation(helper, factory, wrapped, &ctx.at(expr), ctx)
}

/// `old = _make_deprecate(new)` or `old = warn_deprecated("Use X.")(new)`: the deprecation the
/// wrapper states for `new`'s calls through `old`.
pub(super) fn wrapping_call(
    call: &ruff_python_ast::ExprCall,
    ctx: &FileContext,
) -> Option<Deprecation> {
    let [target] = call.arguments.args.as_ref() else {
        return None;
    };
    let wrapped = dotted(target)?;
    let wrapped = wrapped.rsplit('.').next().unwrap_or(&wrapped);
    wrapping_decorator(&call.func, wrapped, ctx)
}

/// [`always_warns`] inside a function whose enclosing scopes bound `outer` (a decorator's
/// wrapper reading the decorator's arguments).
fn always_warns_in(
    f: &ruff_python_ast::StmtFunctionDef,
    ctx: &FileContext,
    helpers: &HashMap<String, Helper>,
    outer: &Locals,
) -> Option<Helper> {
    let params = signature::parameter_names(&f.parameters);
    let flags: Vec<&str> = f
        .parameters
        .iter_non_variadic_params()
        .filter(|p| matches!(p.default.as_deref(), Some(Expr::BooleanLiteral(b)) if b.value))
        .map(|p| p.parameter.name.as_str())
        .collect();
    // A message built from the arguments (`f"{name} is deprecated"`) is a template each
    // caller's arguments fill in.
    let mut locals: Locals = outer.clone();
    locals.extend(params.iter().map(|p| (p.clone(), argument_mark(p))));
    let positional = positional_parameters(f);
    for stmt in &f.body {
        // (the body, and whether it must record that it warned)
        let flag_body = match stmt {
            Stmt::If(s) if s.elif_else_clauses.is_empty() => {
                let test = signature::expr_text(&s.test, ctx.source);
                let tested = markers::parameters_mentioned(&test, &params);
                // The environment is the user's choice (`if os.getenv("OLD_VAR"):`), not a
                // warn-once flag.
                let environment = test.contains("environ") || test.contains("getenv");
                (!environment && tested.iter().all(|p| flags.contains(&p.as_str())))
                    .then_some((s.body.as_slice(), tested.is_empty()))
            }
            _ => None,
        };
        let (body, warn_once) = flag_body.unwrap_or((std::slice::from_ref(stmt), false));
        for (i, st) in body.iter().enumerate() {
            if let Some((w, at)) = statement_warning(st, ctx, &locals, helpers) {
                // A test of no parameter is a warn-once guard when the branch then records
                // that it warned (`_warned = True`); otherwise it is a condition of its own
                // (a build option), under which the helper may never warn.
                let records = body[i + 1..]
                    .iter()
                    .any(|s| matches!(s, Stmt::Assign(_) | Stmt::AugAssign(_)));
                if warn_once && !records {
                    return None;
                }
                return Some(Helper::Fixed(w, at, positional));
            }
            if may_leave_or_yield(st) {
                return None;
            }
            bind_local(st, ctx, &mut locals);
        }
    }
    None
}

/// The deprecation a statement warns of: its own `warnings.warn(...)`, or a call (at any
/// depth of its expression) to a helper that always warns.
fn statement_warning(
    stmt: &Stmt,
    ctx: &FileContext,
    locals: &Locals,
    helpers: &HashMap<String, Helper>,
) -> Option<(WarnCall, String)> {
    if let Stmt::Expr(e) = stmt {
        if let Some(w) = warn_call_in(&e.value, ctx, locals).filter(|w| w.is_deprecation) {
            return Some((w, ctx.at(e)));
        }
    }
    if helpers.is_empty() {
        return None;
    }
    calls_in_statement(stmt).into_iter().find_map(|c| {
        let Expr::Name(n) = c.func.as_ref() else {
            return None;
        };
        fixed_warning(helpers.get(n.id.as_str())?, c, ctx, locals)
    })
}

/// The warning a call of a helper that always warns raises: its message with the call's
/// arguments filled in, and where it is raised. `None` for a forwarding helper.
fn fixed_warning(
    helper: &Helper,
    call: &ruff_python_ast::ExprCall,
    ctx: &FileContext,
    locals: &Locals,
) -> Option<(WarnCall, String)> {
    let Helper::Fixed(w, at, positional) = helper else {
        return None;
    };
    let message = fill_arguments(&w.message, call, positional, ctx, locals);
    Some((
        WarnCall {
            message,
            ..w.clone()
        },
        at.clone(),
    ))
}

/// Stands for a helper's parameter in its message until a call gives the argument.
fn argument_mark(param: &str) -> String {
    format!("\u{3}{param}\u{3}")
}

/// Whether a helper's message still depends on its arguments.
pub(super) fn has_argument_marks(message: &str) -> bool {
    message.contains('\u{3}')
}

fn positional_parameters(f: &ruff_python_ast::StmtFunctionDef) -> Vec<String> {
    f.parameters
        .posonlyargs
        .iter()
        .chain(&f.parameters.args)
        .map(|p| p.parameter.name.to_string())
        .collect()
}

/// A helper's message with the arguments of `call` in place of its parameters: their text
/// when known (`_deprecated("broadcast", "pkg.new.broadcast")`), else nothing.
fn fill_arguments(
    message: &str,
    call: &ruff_python_ast::ExprCall,
    positional: &[String],
    ctx: &FileContext,
    locals: &Locals,
) -> String {
    if !has_argument_marks(message) {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('\u{3}');
    out.push_str(parts.next().unwrap_or_default());
    while let (Some(param), rest) = (parts.next(), parts.next()) {
        let argument = keyword_argument(call, param).or_else(|| {
            let i = positional.iter().position(|p| p == param)?;
            call.arguments.args.get(i)
        });
        if let Some(text) = argument.and_then(|a| message_in(a, ctx, locals)) {
            out.push_str(&text);
        }
        out.push_str(rest.unwrap_or_default());
    }
    strings::tidy_lines(&out)
}

/// The calls a statement makes outside nested blocks, at any depth of its expressions.
fn calls_in_statement(stmt: &Stmt) -> Vec<&ruff_python_ast::ExprCall> {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Calls<'a>(Vec<&'a ruff_python_ast::ExprCall>);
    impl<'a> Visitor<'a> for Calls<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(c) = expr {
                self.0.push(c);
            }
            if !matches!(expr, Expr::Lambda(_)) {
                visitor::walk_expr(self, expr);
            }
        }
    }
    let mut v = Calls(Vec::new());
    match stmt {
        Stmt::Expr(e) => v.visit_expr(&e.value),
        Stmt::Assign(a) => v.visit_expr(&a.value),
        Stmt::AnnAssign(a) => {
            if let Some(value) = &a.value {
                v.visit_expr(value);
            }
        }
        Stmt::Return(r) => {
            if let Some(value) = &r.value {
                v.visit_expr(value);
            }
        }
        _ => {}
    }
    v.0
}

/// The names of module-level functions that may warn when called, read from the text of
/// every file before any is parsed: a function whose body calls `warn(` or a `warn_...`
/// function and speaks of deprecation, or one that calls such a function, a few levels deep. It over-approximates; it
/// only decides which calls to other modules are worth looking up once the modules are joined.
pub(crate) fn helper_names(texts: &[&str]) -> rustc_hash::FxHashSet<String> {
    use rayon::prelude::*;
    let bodies: Vec<(&str, &str)> = texts
        .par_iter()
        .flat_map_iter(|t| module_functions(t))
        .collect();
    let mut names: rustc_hash::FxHashSet<String> = bodies
        .par_iter()
        .filter(|(_, body)| {
            (body.contains("warn(") || body.contains("warn_") || body.contains("warning("))
                && (body.contains("eprecat")
                    || body.contains("instead")
                    || body.contains("removed"))
        })
        .map(|(name, _)| name.to_string())
        .collect();
    for _ in 0..2 {
        let found: Vec<String> = bodies
            .par_iter()
            .filter(|(name, body)| !names.contains(*name) && calls_any(body, &names))
            .map(|(name, _)| name.to_string())
            .collect();
        if found.is_empty() {
            break;
        }
        names.extend(found);
    }
    names
}

/// `def name(...)` at the start of a line, with the text up to the next line that starts a
/// statement at column 0.
fn module_functions(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut current: Option<(&str, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let starts_statement = line
            .bytes()
            .next()
            .is_some_and(|b| !b.is_ascii_whitespace() && b != b'#' && b != b')');
        if starts_statement {
            if let Some((name, start)) = current.take() {
                out.push((name, &text[start..offset]));
            }
            let rest = line.strip_prefix("async ").unwrap_or(line);
            if let Some(rest) = rest.strip_prefix("def ") {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                if end > 0 {
                    current = Some((&rest[..end], offset + line.len()));
                }
            }
        }
        offset += line.len();
    }
    if let Some((name, start)) = current {
        out.push((name, &text[start..]));
    }
    out
}

/// Whether `body` has `name(` for one of `names`.
fn calls_any(body: &str, names: &rustc_hash::FxHashSet<String>) -> bool {
    let bytes = body.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // From each `(` back over the name before it: far fewer steps than reading every name.
    body.match_indices('(').any(|(end, _)| {
        let start = bytes[..end]
            .iter()
            .rposition(|b| !is_ident(*b))
            .map_or(0, |i| i + 1);
        start < end && names.contains(&body[start..end])
    })
}

/// `def _warn_once(warning_id, message, category=UserWarning): ... warnings.warn(message,
/// category)`: a function that passes a parameter on as the warning's message (under a
/// warn-once test or not: the caller's message is warned either way).
fn forwarder(f: &ruff_python_ast::StmtFunctionDef, ctx: &FileContext) -> Option<Helper> {
    let names = signature::parameter_names(&f.parameters);
    let positional = positional_parameters(f);
    let default_of = |param: &str| -> Option<String> {
        let p = f
            .parameters
            .posonlyargs
            .iter()
            .chain(&f.parameters.args)
            .chain(&f.parameters.kwonlyargs)
            .find(|p| p.parameter.name.as_str() == param)?;
        let d = dotted(p.default.as_deref()?)?;
        Some(d.rsplit('.').next().unwrap_or(&d).to_string())
    };
    fn find<'s>(body: &'s [Stmt], out: &mut Vec<&'s ruff_python_ast::ExprCall>) {
        for stmt in body {
            match stmt {
                Stmt::Expr(e) => {
                    if let Expr::Call(c) = e.value.as_ref() {
                        out.push(c);
                    }
                }
                Stmt::If(s) => {
                    find(&s.body, out);
                    for c in &s.elif_else_clauses {
                        find(&c.body, out);
                    }
                }
                Stmt::With(w) => find(&w.body, out),
                Stmt::Try(t) => find(&t.body, out),
                _ => {}
            }
        }
    }
    let mut calls = Vec::new();
    find(&f.body, &mut calls);
    calls.into_iter().find_map(|call| {
        if !is_warn_callee(&dotted(&call.func)?) {
            return None;
        }
        let keyword = |k: &str| keyword_argument(call, k);
        let Expr::Name(message) = call.arguments.args.first().or_else(|| keyword("message"))?
        else {
            return None;
        };
        if !names.iter().any(|n| n == message.id.as_str()) {
            return None;
        }
        let category = match call.arguments.args.get(1).or_else(|| keyword("category")) {
            None => HelperCategory::Fixed("UserWarning".into()),
            Some(Expr::Name(c)) if names.iter().any(|n| n == c.id.as_str()) => {
                HelperCategory::Parameter {
                    name: c.id.to_string(),
                    default: default_of(c.id.as_str()).unwrap_or_else(|| "UserWarning".into()),
                }
            }
            Some(other) => {
                let c = dotted(other)?;
                HelperCategory::Fixed(c.rsplit('.').next().unwrap_or(&c).to_string())
            }
        };
        Some(Helper::Forward {
            positional: positional.clone(),
            message: message.id.to_string(),
            category,
            at: ctx.at(call),
        })
    })
}

/// A tombstone: every call raises, with a message saying the API was removed. The body (after
/// the docstring) reaches a `raise` on every path: statements before it (a warning, building
/// the message) may not return, and a generator, which raises only when iterated, is none.
pub(super) fn tombstone(body: &[Stmt], ctx: &FileContext) -> Option<Marker> {
    let rest = match body.first() {
        Some(Stmt::Expr(e)) if matches!(e.value.as_ref(), Expr::StringLiteral(_)) => &body[1..],
        _ => body,
    };
    if rest.iter().any(may_leave_or_yield) {
        return None;
    }
    let mut locals = Locals::new();
    let mut raise = None;
    for stmt in rest {
        if let Stmt::Raise(r) = stmt {
            raise = Some(r);
            break;
        }
        bind_local(stmt, ctx, &mut locals);
    }
    let r = raise?;
    let Some(Expr::Call(call)) = r.exc.as_deref() else {
        return None;
    };
    // `RuntimeError("... is now removed.", "Please use ... instead.")` passes the message in
    // pieces.
    let pieces: Vec<String> = call
        .arguments
        .args
        .iter()
        .filter_map(|a| message_in(a, ctx, &locals))
        .collect();
    if pieces.is_empty() {
        return None;
    }
    let message = pieces.join(" ");
    // "Unable to call X directly. You should use `x.module()` instead.": every call raises
    // and says where to go, as a removal does. An abstract method's `NotImplementedError`
    // is a duty of subclasses, not a removal.
    let redirects = markers::urges_replacement(&message)
        && dotted(&call.func).is_none_or(|f| !f.ends_with("NotImplementedError"));
    if !markers::has_deprecation_wording(&message)
        && !message.to_ascii_lowercase().contains("removed")
        && !redirects
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

/// Whether a statement can end a call without raising (`return`, at any depth outside nested
/// definitions) or makes the function a generator.
fn may_leave_or_yield(stmt: &Stmt) -> bool {
    let yields = |e: &Expr| matches!(e, Expr::Yield(_) | Expr::YieldFrom(_));
    let any = |b: &[Stmt]| b.iter().any(may_leave_or_yield);
    match stmt {
        Stmt::Return(_) => true,
        Stmt::Expr(e) => yields(&e.value),
        Stmt::Assign(a) => yields(&a.value),
        Stmt::If(s) => any(&s.body) || s.elif_else_clauses.iter().any(|c| any(&c.body)),
        Stmt::For(f) => any(&f.body) || any(&f.orelse),
        Stmt::While(w) => any(&w.body) || any(&w.orelse),
        Stmt::With(w) => any(&w.body),
        Stmt::Try(t) => {
            any(&t.body)
                || any(&t.orelse)
                || any(&t.finalbody)
                || t.handlers.iter().any(|h| match h {
                    ruff_python_ast::ExceptHandler::ExceptHandler(h) => any(&h.body),
                })
        }
        _ => false,
    }
}

/// The markers of docstring text the profile's decorators add at run time
/// (`@compatibility(is_backward_compatible=False)` appends an "experimental" warning), with
/// the decorator as evidence.
pub(super) fn decorator_markers(
    ctx: &FileContext,
    decorators: &[ruff_python_ast::Decorator],
    name: &str,
    module_last: &str,
    params: &[String],
) -> (Vec<Deprecation>, Option<Stability>) {
    let (mut deps, mut stability) = (Vec::new(), None);
    for d in decorators {
        let (callee, keywords) = match &d.expression {
            Expr::Call(c) => (dotted(&c.func), c.arguments.keywords.as_ref()),
            other => (dotted(other), &[][..]),
        };
        let Some(callee) = callee else { continue };
        let last = callee.rsplit('.').next().unwrap_or(&callee);
        for rule in ctx
            .profile
            .docstring_decorators
            .iter()
            .filter(|r| r.decorator == last)
        {
            let passes = rule.when.iter().all(|(key, want)| {
                keywords.iter().any(|k| {
                    k.arg.as_ref().is_some_and(|a| a.as_str() == key)
                        && signature::expr_text(&k.value, ctx.source) == *want
                })
            });
            if !passes {
                continue;
            }
            let text = &rule.appends;
            let (dep, stab) = doc_markers(ctx, text, 1, name, module_last, params);
            let evidence = format!(
                "docstring added by @{} at {}",
                signature::expr_text(&d.expression, ctx.source),
                ctx.at(d)
            );
            deps.extend(dep.into_iter().map(|mut x| {
                x.evidence = evidence.clone();
                x
            }));
            if stability.is_none() {
                stability = stab.map(|mut s| {
                    s.evidence = evidence.clone();
                    s
                });
            }
        }
    }
    (deps, stability)
}

/// Deprecation and stability stated in a docstring starting at `line`.
pub(super) fn doc_markers(
    ctx: &FileContext,
    doc: &str,
    line: u32,
    name: &str,
    module_last: &str,
    params: &[String],
) -> (Vec<Deprecation>, Option<Stability>) {
    // Most docstrings state no marker at all.
    if !markers::may_state_markers(doc) {
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
        // The directive deprecates what its block is nested in, else the documented object;
        // a parameter only when the text names it as one (its subject, or as code).
        let named = || {
            let mut named = markers::parameters_named(&b.text, params);
            if !markers::has_deprecation_wording(&b.text) {
                named.retain(|p| markers::names_as_code(&b.text, p));
            }
            named
        };
        deps.extend(notices(
            owner_param(b).unwrap_or_else(named),
            markers::directive_message(&b.text),
            markers::replacement_in(&b.text, ctx.package),
            format!("docstring `.. deprecated::` at {}", at(b.offset)),
        ));
    }
    // `training: Deprecated option. Instead, set the training mode of the model.`
    for e in &blocks.entries {
        let Some(param) = e.owner.as_ref().filter(|o| params.contains(o)) else {
            continue;
        };
        if deps.iter().any(|d| d.parameter.as_ref() == Some(param))
            || !markers::entry_deprecates_parameter(&e.text, param)
        {
            continue;
        }
        deps.push(Deprecation {
            omitted: false,
            instantiation: false,
            when: None,
            unless: None,
            exempt: None,
            parameter: Some(param.clone()),
            message: markers::plain_text(&e.text).into_owned(),
            replacement: markers::replacement_in(&e.text, ctx.package),
            evidence: format!("docstring `Args:` entry at {}", at(e.offset)),
        });
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
                    markers::plain_text(&b.text).into_owned(),
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
            omitted: false,
            instantiation: false,
            when: None,
            unless: None,
            exempt: None,
            parameter: None,
            message: markers::deprecation_sentence(&blocks.prose)
                .map(|s| markers::plain_text(&s).into_owned())
                .unwrap_or_default(),
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
    use crate::extract::profile::Profile;

    fn markers_of(doc: &str) -> (Vec<Deprecation>, Option<Stability>) {
        let profile = Profile::default();
        let ctx = FileContext::new(doc, "pkg/mod.py", "pkg", &profile);
        doc_markers(&ctx, doc, 1, "f", "mod", &[])
    }

    #[test]
    fn no_longer_supported_in_a_warning_block_is_a_deprecation() {
        let (deps, _) =
            markers_of("Does a thing.\n\n.. warning:: This function is no longer supported.\n");
        assert_eq!(deps.len(), 1, "{deps:?}");
        assert_eq!(deps[0].parameter, None);
        assert!(deps[0]
            .evidence
            .starts_with("docstring warning at pkg/mod.py:"));
    }

    #[test]
    fn a_docstring_without_marker_words_states_nothing() {
        let (deps, stability) = markers_of("Adds two tensors; beta is the scale.\n");
        assert!(
            deps.is_empty() && stability.is_none(),
            "{deps:?} {stability:?}"
        );
    }
}
