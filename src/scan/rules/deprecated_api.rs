//! ## What it does
//! Flags uses of an API, or of one of its parameters, that the target release deprecates, with the
//! replacement the deprecation names. A deprecation of leaving a parameter out (its warning tests
//! `if dim is None:`) flags the calls that surely leave it out, not those that pass it; one of
//! constructing a class (its `__init__` warns) flags calls of the class, not subclasses,
//! `isinstance` tests or imports. A call whose shape makes the target warn that its effect will
//! change in a later release (`checkpoint` without `use_reentrant`: "should be passed
//! explicitly. In a future release ... will raise") is flagged too.
//!
//! ## Why is this bad?
//! Deprecated APIs warn on every call and are removed in a later release.
//!
//! ## Example
//! ```python
//! scaler = torch.cuda.amp.GradScaler()
//! ```
//! Use instead:
//! ```python
//! scaler = torch.amp.GradScaler("cuda")
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::{first_sentence, when, Level, Rule, State, Subject, Verdict, Violation};
use crate::diff::signature::{Param, ParamKind, Signature};
use crate::diff::ChangeKind;
use crate::snapshot::{Deprecation, Kind, Symbol};

pub const RULE: Rule = Rule {
    code: "AD003",
    name: "deprecated-api",
    level: Level::Warning,
    default: true,
    source: include_str!("deprecated_api.rs"),
    check,
};

/// A call whose shape (a parameter passed, or left out) makes the target warn that its effect
/// will change in a later release.
struct AnnouncedChange<'a> {
    name: &'a str,
    parameter: &'a str,
    omitted: bool,
    /// The notice is about one value (or all but one), and the call passes this.
    literal: Option<&'a str>,
    /// The one value the notice is about, when it is.
    when: Option<&'a str>,
    target: &'a str,
    notice: &'a str,
}

impl Violation for AnnouncedChange<'_> {
    fn message(&self) -> String {
        let (name, p, target) = (self.name, self.parameter, self.target);
        let shape = match (self.omitted, self.literal) {
            (true, _) => format!("calling `{name}` without `{p}`"),
            (false, Some(v)) => format!("passing `{p}={v}` to `{name}`"),
            (false, None) => format!("passing `{p}` to `{name}`"),
        };
        format!(
            "{shape} warns in {target} that this will change in a later release: {}",
            first_sentence(self.notice, false)
        )
    }

    fn fix(&self) -> Option<String> {
        // Passing the value the notice is about warns the same.
        let p = self.parameter;
        self.omitted.then(|| match self.when {
            Some(v) if v != "None" => format!("pass `{p}` explicitly, a value other than `{v}`"),
            _ => format!("pass `{p}` explicitly"),
        })
    }
}

/// How a call meets a parameter's deprecation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// It leaves the parameter out, as the notice is about.
    Omitted,
    /// It may leave it out: `*args` or `**kwargs` may carry it.
    Forwarded,
    /// It passes it (a value the notice is about, when the notice is about values).
    Value,
    /// It passes it a value the text does not show, and the notice is about some values.
    UnknownValue,
}

/// A use of a deprecated API, or a call passing a deprecated parameter.
struct DeprecatedApi<'a> {
    name: &'a str,
    /// For a parameter's deprecation: the parameter.
    parameter: Option<&'a str>,
    /// The deprecation is of leaving the parameter out, and the call does.
    omitted: bool,
    /// The deprecation is of passing one value (or all but one), and the call passes this.
    literal: Option<&'a str>,
    /// The notice's value test: the one value it is about, or the one it is not.
    values: (Option<&'a str>, Option<&'a str>),
    since: Option<&'a str>,
    notice: &'a str,
    replacement: Option<String>,
}

impl Violation for DeprecatedApi<'_> {
    fn message(&self) -> String {
        let name = self.name;
        // The notice's own words for what is deprecated, when it opens with them ("`x` is
        // deprecated since 2.5: ..."), are the sentence's subject; its own version is the one
        // shown, as one notice has one version.
        let subject = match self.parameter {
            Some(p) => vec![p],
            None => suffixes(name),
        };
        let restated = restatement(self.notice, &subject);
        let (version, tail) = match &restated {
            Some(r) => (r.version, r.rest),
            None => (None, self.notice.trim()),
        };
        let tail = first_sentence(tail, self.replacement.is_none());
        let since = version.or(self.since.filter(|_| !states_version(&tail)));
        let tail = match (tail.is_empty(), restated.as_ref().is_some_and(|r| r.and)) {
            (true, _) => String::new(),
            (false, true) => format!(" {tail}"),
            (false, false) => format!(": {tail}"),
        };
        match self.parameter {
            Some(p) if self.omitted => format!(
                "calling `{name}` without `{p}` is deprecated{}{tail}",
                when("since", since)
            ),
            Some(p) => match self.literal {
                Some(v) => format!(
                    "passing `{p}={v}` to `{name}` is deprecated{}{tail}",
                    when("since", since)
                ),
                None => format!(
                    "parameter `{p}` of `{name}` is deprecated{}{tail}",
                    when("since", since)
                ),
            },
            None => format!("`{name}` is deprecated{}{tail}", when("since", since)),
        }
    }

    fn fix(&self) -> Option<String> {
        // A parameter the notice calls ignored: the call is the same without it.
        if let (Some(p), false) = (self.parameter, self.omitted) {
            let lower = self.notice.to_lowercase();
            let inert = [
                "is ignored",
                "are ignored",
                "has no effect",
                "have no effect",
                "does nothing",
                "no longer used",
                "no longer has any effect",
            ];
            if inert.iter().any(|w| lower.contains(w)) {
                return Some(format!("drop the `{p}` argument: it has no effect"));
            }
        }
        // Leaving it out is what is deprecated: passing it is the change the notice asks for.
        // Passing the value the notice is about warns the same.
        match (self.parameter, self.omitted, &self.replacement, self.values) {
            (Some(p), true, None, (_, Some(u))) => Some(format!("pass `{p}={u}`")),
            (Some(p), true, None, (Some(w), None)) if w != "None" => {
                Some(format!("pass `{p}` explicitly, a value other than `{w}`"))
            }
            (Some(p), true, None, _) => Some(format!("pass `{p}` explicitly")),
            _ => self.replacement.clone(),
        }
    }
}

/// Whether `call` passes the keyword value that takes it off the notice's warning path
/// (`_internal=True`).
fn exempted(d: &Deprecation, call: Option<&super::CallShape>) -> bool {
    let (Some(exempt), Some(call)) = (d.exempt.as_deref(), call) else {
        return false;
    };
    let Some((param, value)) = exempt.split_once('=') else {
        return false;
    };
    call.literals.iter().any(|(k, v)| k == param && v == value)
}

fn check(s: &Subject) -> Vec<Verdict> {
    let (State::Present, Some((_, sym))) = (s.state, &s.new) else {
        return vec![];
    };
    let target = s.k.to.version.as_str();
    let mut out = Vec::new();
    // Construction deprecated: calls of the class, not subclassing, `isinstance` or imports.
    // The path's own notice first (a name a module `__getattr__` warns about), then the
    // definition's.
    let aliases = s.k.to.alias_notices(s.name);
    let symbol_level = aliases
        .iter()
        .map(|d| (d, false))
        .chain(sym.deprecated.iter().map(|d| (d, true)))
        .find(|(d, _)| d.parameter.is_none())
        .filter(|(d, _)| !d.instantiation || s.call().is_some())
        .filter(|(d, _)| !exempted(d, s.call().as_ref()));
    // The path's own notice warns where the path is read, the import too; the definition's,
    // where the name is used.
    if let Some((d, at_uses)) = symbol_level {
        let v = DeprecatedApi {
            name: s.name,
            parameter: None,
            omitted: false,
            literal: None,
            values: (None, None),
            since: s.k.since(s.name, ChangeKind::Deprecated),
            notice: &d.message,
            replacement: d.replacement.as_deref().and_then(|r| {
                if let Some(choice) = choice_of_ways(&d.message, r) {
                    return Some(choice);
                }
                Some(migration(s, &d.message, r).unwrap_or(fitted(s, sym, r)?))
            }),
        };
        let verdict = Verdict::of(&RULE, s.name, &v);
        out.push(if at_uses { verdict.at_uses() } else { verdict });
    }
    // A parameter's deprecation applies to calls through the module or class that pass it.
    let Some(call) = s.call() else { return out };
    if !super::call_no_longer_binds::callable_by_name(sym, &call) {
        return out;
    }
    for d in &sym.deprecated {
        let Some(p) = d.parameter.as_deref() else {
            continue;
        };
        // Leaving the parameter out is deprecated, and `**kwargs` may or may not carry it: a
        // possibility, said as one. A notice about one value (or all but one) applies to the
        // calls passing it; a value the call's text does not show is a possibility too.
        let (when, unless) = (d.when.as_deref(), d.unless.as_deref());
        let valued = when.is_some() || unless.is_some();
        let passed = |call: &super::CallShape| match call.passes_value(p, when, unless) {
            Some(true) => Some((RULE.level, Shape::Value)),
            None => Some((Level::Info, Shape::UnknownValue)),
            Some(false) => None,
        };
        let found = if d.omitted {
            match call.leaves_out(sym, p) {
                Some(true) => Some((RULE.level, Shape::Omitted)),
                None => Some((Level::Info, Shape::Forwarded)),
                Some(false) if valued => passed(&call),
                Some(false) => None,
            }
        } else {
            passed(&call)
        };
        let Some((level, shape)) = found else {
            continue;
        };
        let literal = call
            .literals
            .iter()
            .find(|(k, _)| k == p)
            .map(|(_, v)| v.as_str())
            .filter(|_| valued && shape == Shape::Value);
        let v = DeprecatedApi {
            name: s.name,
            parameter: Some(p),
            omitted: shape == Shape::Omitted || shape == Shape::Forwarded,
            literal,
            values: (when, unless),
            since: s.k.since_parameter(s.name, p, ChangeKind::Deprecated),
            notice: &d.message,
            replacement: d.replacement.as_deref().and_then(|r| fitted(s, sym, r)),
        };
        let mut verdict = Verdict::of(&RULE, s.name, &v).at_level(level);
        let trimmed = verdict.message.trim_end_matches('.').to_string();
        match shape {
            Shape::Forwarded => {
                verdict.message =
                    format!("{trimmed}; this call may pass `{p}` through `*args` or `**kwargs`")
            }
            Shape::UnknownValue => {
                let condition = match (when, unless) {
                    (Some(w), _) => format!("`{p}={w}`"),
                    (_, Some(u)) => format!("any `{p}` but `{u}`"),
                    _ => unreachable!("a value test has a value"),
                };
                verdict.message = format!(
                    "{trimmed}; the notice is about {condition}, and the value this call passes is not known here"
                )
            }
            Shape::Omitted | Shape::Value => {}
        }
        out.push(verdict);
    }
    // A change announced for a call shape: the call warns now.
    for d in &sym.announced {
        let Some(p) = d.parameter.as_deref() else {
            continue;
        };
        // Leaving the parameter out is a call shape, and so is passing the one value (or any
        // value but the one) the notice's test is about. Passing it a value the text does not
        // show, or under a test of anything else, is not known to warn.
        let valued = d.when.is_some() || d.unless.is_some();
        let passes = || {
            (valued && call.passes_value(p, d.when.as_deref(), d.unless.as_deref()) == Some(true))
                .then(|| {
                    call.literals
                        .iter()
                        .find(|(k, _)| k == p)
                        .map(|(_, v)| v.as_str())
                })
        };
        let (level, literal) = match (d.omitted, call.leaves_out(sym, p)) {
            (true, Some(true)) => (RULE.level, None),
            (true, None) => (Level::Info, None),
            _ => match passes() {
                Some(literal) => (RULE.level, literal),
                None => continue,
            },
        };
        let v = AnnouncedChange {
            name: s.name,
            parameter: p,
            omitted: d.omitted && literal.is_none() && call.leaves_out(sym, p) != Some(false),
            literal,
            when: d.when.as_deref(),
            target,
            notice: &d.message,
        };
        out.push(Verdict::of(&RULE, s.name, &v).at_level(level));
    }
    out
}

/// The fix when the replacement is no drop-in for this name but where a whole family of
/// APIs is to move: the target deprecates at least [`MIGRATION`] differently named definitions
/// in its favour, and the notice does not say which use of this one it takes the place of
/// ("use `torch.compile` instead" on `jit.script`, `jit.ignore`, `jit.isinstance`; not
/// "use tensor.untyped_storage() instead of tensor.storage()" on `Tensor.storage`).
fn migration(s: &Subject, notice: &str, replacement: &str) -> Option<String> {
    let last = |n: &str| n.rsplit('.').next().unwrap_or(n).to_string();
    let own = last(s.name);
    let callee = replacement
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .next()
        .unwrap_or_default();
    let n = s.k.replaced_names(replacement);
    let (lower, own_lower) = (notice.to_lowercase(), own.to_lowercase());
    let instead_of = lower.find("instead of").is_some_and(|i| {
        lower[i..]
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == own_lower)
    });
    if n < MIGRATION || last(callee) == own || instead_of {
        return None;
    }
    // A decorator of the family marks code for the old machinery; without it the code runs
    // as plain Python does, which is what the new way starts from.
    if s.call().is_some_and(|c| c.decorates) {
        return Some(format!(
            "no drop-in: {} names `{replacement}` in the place of {n} differently named APIs, \
             `{}` among them; remove the decorator, and use `{replacement}` where the code \
             needs what it did",
            s.k.to.version, s.name
        ));
    }
    Some(format!(
        "no drop-in: {} names `{replacement}` in the place of {n} differently named APIs, \
         `{}` among them; move the code that uses it to `{replacement}`",
        s.k.to.version, s.name
    ))
}

/// The notice's own words when it names the replacement for one kind of use and another one
/// for another ("Use `linalg.vector_norm` when computing vector norms and `linalg.matrix_norm`
/// when computing matrix norms"): which one a call needs is not the name alone.
fn choice_of_ways(notice: &str, replacement: &str) -> Option<String> {
    static CHOICE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^`?[\w.]+`?\s+(?:when|for|if)\s[^.;]*?\b(?:and|or)\s+(?:use\s+)?`?[A-Za-z_][\w]*\.[\w.]*\w`?\s+(?:when|for|if)\s[^.;]*")
            .expect("valid regex")
    });
    let start = notice.find(replacement)?;
    // From the opening backtick, when the notice quotes the name.
    let start = if notice[..start].ends_with('`') {
        start - 1
    } else {
        start
    };
    let clause = CHOICE.find(&notice[start..])?.as_str().trim_end();
    Some(format!("use {clause}"))
}

/// See [`migration`]: fewer definitions than this sharing one replacement are taken to be
/// its renamings (a class and its methods, an old and a new spelling).
const MIGRATION: usize = 3;

/// The replacement as this use can apply it. One on a placeholder value (`tensor.new()`, from
/// "use tensor.new() instead of tensor.old()") is a method's, for a method called on a value,
/// not for the class or a function. A function's replacement that names the call's keywords
/// otherwise says so: the keyword in the same place of its signature, or that it has none.
fn fitted(s: &Subject, sym: &Symbol, replacement: &str) -> Option<String> {
    let callee = replacement
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .next()
        .unwrap_or_default();
    let call = s.call();
    if let Some((receiver, _)) = callee.split_once('.') {
        // `nn.functional.interpolate` is a path in the package; `tensor.f()` is on a value
        // (`torch.tensor` is a function, not a module).
        let module = |name: &str| {
            s.k.to
                .resolve(name)
                .is_some_and(|(_, sym)| sym.kind == Kind::Module)
        };
        let placeholder = receiver != s.k.to.package
            && receiver.starts_with(|c: char| c.is_ascii_lowercase())
            && !module(receiver)
            && !module(&format!("{}.{receiver}", s.k.to.package));
        if placeholder && !call.as_ref().is_some_and(|c| c.on_value) {
            return None;
        }
    }
    let (Some(call), Some((_, new))) = (call, s.k.to.resolve(callee)) else {
        return Some(replacement.to_string());
    };
    let counterparts = counterparts(sym, new, call.keywords);
    if counterparts.is_empty() {
        return Some(replacement.to_string());
    }
    let quoted = |names: Vec<&String>| {
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        names.join(" or ")
    };
    let mut said = Vec::new();
    let renamed: Vec<String> = counterparts
        .iter()
        .filter_map(|(k, c)| Some(format!("`{}` for this call's `{k}`", c.as_ref()?)))
        .collect();
    if !renamed.is_empty() {
        said.push(format!("it takes {}", renamed.join(", ")));
    }
    let missing: Vec<&String> = counterparts
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(k, _)| k)
        .collect();
    if !missing.is_empty() {
        said.push(format!(
            "it has no {}, which this call passes",
            quoted(missing)
        ));
    }
    Some(format!("use `{replacement}`; {}", said.join("; ")))
}

/// The keywords of a call to `old` that `new` does not take, each with the parameter in its
/// place in `new`'s signature when that is one `old` does not name (`p` of `norm(input, p)`
/// is `ord` of `vector_norm(x, ord)`).
fn counterparts(old: &Symbol, new: &Symbol, keywords: &[String]) -> Vec<(String, Option<String>)> {
    let (olds, news) = (
        Signature::parse_all(&old.signatures),
        Signature::parse_all(&new.signatures),
    );
    let keyword = |p: &Param| {
        matches!(
            p.kind,
            ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly
        )
    };
    if news.is_empty()
        || news
            .iter()
            .any(|s| s.params.iter().any(|p| p.kind == ParamKind::VarKeyword))
    {
        return Vec::new();
    }
    let bound = |s: &Symbol| matches!(s.kind, Kind::Method | Kind::Classmethod);
    // Places correspond only between signatures that are one function's under other names:
    // most of the old one's parameters are the new one's too (`norm(input, p, dim, keepdim,
    // out, dtype)`, `vector_norm(x, ord, dim, keepdim, dtype, out)`), not `trace` and
    // `compile`.
    let shared = |a: &Signature, b: &Signature| {
        let common = a
            .params
            .iter()
            .filter(|p| b.params.iter().any(|q| q.name == p.name))
            .count();
        2 * common >= a.params.len()
    };
    let aligned = bound(old) == bound(new)
        && olds.len() == 1
        && news.len() == 1
        && shared(&olds[0], &news[0]);
    keywords
        .iter()
        .filter(|k| {
            !news
                .iter()
                .any(|s| s.params.iter().any(|p| p.name == **k && keyword(p)))
        })
        .map(|k| {
            // By position only where both take the argument by position: a keyword-only
            // parameter in that place is another argument (`compile(model, *, fullgraph)`).
            let place = aligned.then(|| {
                let i = olds[0].params.iter().position(|p| p.name == *k)?;
                let positional = |p: &&Param| p.kind == ParamKind::PositionalOrKeyword;
                olds[0].params.get(i).filter(positional)?;
                let p = news[0].params.get(i).filter(positional)?;
                let named_before = olds[0].params.iter().any(|o| o.name == p.name);
                (!named_before).then(|| p.name.clone())
            });
            (k.clone(), place.flatten())
        })
        .collect()
}

/// The dotted suffixes of a name, longest first (`torch.jit.script`, `jit.script`, `script`):
/// the ways a notice names it.
fn suffixes(name: &str) -> Vec<&str> {
    let mut out = vec![name];
    out.extend(name.match_indices('.').map(|(i, _)| &name[i + 1..]));
    out
}

/// A notice's opening words that restate the deprecation ("`x(args...)` is deprecated since
/// 2.5.", "deprecated since 2.5:", "x argument was deprecated in 1.5,"): the version they give
/// and the rest of the notice. `and` when the rest continues the sentence ("... is deprecated
/// and is ignored now").
#[derive(Debug, PartialEq)]
struct Restated<'a> {
    version: Option<&'a str>,
    rest: &'a str,
    and: bool,
}

fn restatement<'a>(notice: &'a str, names: &[&str]) -> Option<Restated<'a>> {
    let t = notice.trim();
    let lower = t.to_ascii_lowercase();
    let at = |pos: usize, word: &str| lower[pos..].starts_with(word);
    let mut pos = 0;
    // The subject: the name (in backticks, with a call's parentheses), or none at all.
    let tick = at(0, "`");
    pos += usize::from(tick);
    if let Some(n) = names.iter().find(|n| {
        at(pos, &n.to_ascii_lowercase())
            && !lower[pos + n.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    }) {
        pos += n.len();
        if at(pos, "(") {
            pos += lower[pos..].find(')')? + 1;
        }
        if tick {
            pos += usize::from(at(pos, "`"));
        }
        for word in [
            " argument",
            " parameter",
            " keyword",
            " function",
            " class",
            " method",
        ] {
            if at(pos, word) {
                pos += word.len();
                break;
            }
        }
        let verb = [
            " is deprecated",
            " was deprecated",
            " has been deprecated",
            " is now deprecated",
        ]
        .into_iter()
        .find(|v| at(pos, v))?;
        pos += verb.len();
    } else if at(0, "deprecated") {
        pos = "deprecated".len();
    } else {
        return None;
    }
    // Its version: " since 2.5", " in PyTorch 2.5", " as of v2.5".
    let mut version = None;
    for prep in [" since ", " in ", " as of ", " starting "] {
        if !at(pos, prep) {
            continue;
        }
        let mut v = pos + prep.len();
        if at(v, "pytorch ") {
            v += "pytorch ".len();
        }
        v += usize::from(at(v, "v"));
        let digits = t[v..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len() - v);
        let number = t[v..v + digits].trim_end_matches('.');
        if number.starts_with(|c: char| c.is_ascii_digit()) && number.contains('.') {
            version = Some(number);
            pos = v + number.len();
        }
        break;
    }
    let rest = &t[pos..];
    if rest.is_empty() {
        return Some(Restated {
            version,
            rest,
            and: false,
        });
    }
    if rest.starts_with(" and ") {
        return Some(Restated {
            version,
            rest: rest.trim_start(),
            and: true,
        });
    }
    if rest.starts_with(['.', ':', ';', ',']) {
        return Some(Restated {
            version,
            rest: rest[1..].trim_start(),
            and: false,
        });
    }
    None
}

/// Whether a notice gives a version of its own ("deprecated since 2.5"): then it is the one
/// shown, not the release of the span where the notice appeared.
fn states_version(notice: &str) -> bool {
    let b = notice.as_bytes();
    (1..b.len().saturating_sub(1))
        .any(|i| b[i] == b'.' && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_naming_one_way_per_kind_of_use_is_quoted_as_the_choice() {
        let notice = "lib.norm is deprecated. Use `lib.vector_norm` when computing vector norms \
                      and `lib.matrix_norm` when computing matrix norms. For similar behavior see `lib.n`.";
        assert_eq!(
            choice_of_ways(notice, "lib.vector_norm").as_deref(),
            Some("use `lib.vector_norm` when computing vector norms and `lib.matrix_norm` when computing matrix norms")
        );
        // One way, whatever the reason given for it.
        assert_eq!(
            choice_of_ways("Use `lib.a` for speed and clarity.", "lib.a"),
            None
        );
        assert_eq!(choice_of_ways("Use lib.a instead.", "lib.a"), None);
        assert_eq!(choice_of_ways("Deprecated.", "lib.a"), None);
    }

    #[test]
    fn a_notice_s_own_words_for_the_deprecation() {
        let names = suffixes("torch.jit.script");
        let r = |v, rest, and| {
            Some(Restated {
                version: v,
                rest,
                and,
            })
        };
        assert_eq!(
            restatement("`torch.jit.script` is deprecated.", &names),
            r(None, "", false)
        );
        assert_eq!(
            restatement(
                "deprecated since 2.5: Please use `torch.compile` instead.",
                &names
            ),
            r(Some("2.5"), "Please use `torch.compile` instead.", false)
        );
        assert_eq!(
            restatement("`script(args...)` is deprecated. Use X.", &names),
            r(None, "Use X.", false)
        );
        assert_eq!(
            restatement("jit.script was deprecated in PyTorch 2.5, use X", &names),
            r(Some("2.5"), "use X", false)
        );
        assert_eq!(
            restatement("script is deprecated and may be removed.", &names),
            r(None, "and may be removed.", true)
        );
        assert_eq!(
            restatement(
                "only_inputs argument is deprecated and is ignored now.",
                &["only_inputs"]
            ),
            r(None, "and is ignored now.", true)
        );
        // Not the name's own words: another name, or a sentence that goes on.
        assert_eq!(restatement("scripting is deprecated.", &names), None);
        assert_eq!(
            restatement("script is deprecated for tensors.", &names),
            None
        );
        assert_eq!(
            restatement("Using script without dim is deprecated.", &names),
            None
        );
    }
}
