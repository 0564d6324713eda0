//! The rules `check` applies, one file each. A rule file's `//!` comment is its documentation
//! (what `apidrift rule CODE` prints and SARIF describes), its violation type says the message
//! and the fix, and its `check` function looks at one [`Subject`]. [`ALL`] registers them;
//! a test keeps the files, the list and the fixtures in step.

mod behaviour_change;
mod call_no_longer_binds;
mod deprecated_api;
mod moved_api;
mod now_public;
mod private_api;
mod removed_api;
mod unstable_api;

use serde::Serialize;

use super::guards::Raises;
use super::python::UseKind;
use super::Knowledge;
use crate::diff::signature::{ParamKind, Signature};
use crate::diff::Change;
use crate::snapshot::{is_private_name, Kind, Symbol};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    /// Runs without being selected.
    pub default: bool,
    /// The rule file's source; its leading `//!` comment is the documentation.
    source: &'static str,
    check: fn(&Subject) -> Vec<Verdict>,
}

impl Rule {
    /// The documentation: the rule file's `//!` comment.
    pub fn doc(&self) -> String {
        let lines: Vec<&str> = self
            .source
            .lines()
            .map_while(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        lines.join("\n").trim().to_string()
    }

    /// The first line of the documentation's "What it does".
    pub fn summary(&self) -> String {
        self.doc().lines().nth(1).unwrap_or(self.name).to_string()
    }
}

/// Every rule, in the order their findings are listed at one place.
pub const ALL: &[&Rule] = &[
    &removed_api::RULE,
    &moved_api::RULE,
    &deprecated_api::RULE,
    &call_no_longer_binds::RULE,
    &behaviour_change::RULE,
    &unstable_api::RULE,
    &private_api::RULE,
    &now_public::RULE,
];

/// A rule by code (`AD003`) or name (`deprecated-api`).
pub fn find(key: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

/// A finding before it has a place: rule, level, message, fix.
pub struct Verdict {
    pub rule: &'static Rule,
    pub level: Level,
    pub symbol: String,
    pub message: String,
    pub fix: Option<String>,
    /// What the use raises on the target release, when it does.
    pub raises: Option<Raises>,
    /// What the finding says happens where the name is used, not where it is imported (a
    /// function's deprecation warns when it is called): at an import, it stands for the uses
    /// the file makes, and goes when they are found.
    pub at_uses: bool,
}

/// What a rule's violation type gives: the sentence and the fix.
pub trait Violation {
    fn message(&self) -> String;
    fn fix(&self) -> Option<String> {
        None
    }
}

impl Verdict {
    fn of(rule: &'static Rule, symbol: &str, v: &impl Violation) -> Verdict {
        Verdict {
            rule,
            level: rule.level,
            symbol: symbol.to_string(),
            message: v.message(),
            fix: v.fix(),
            raises: None,
            at_uses: false,
        }
    }

    fn at_uses(mut self) -> Verdict {
        self.at_uses = true;
        self
    }

    fn raising(mut self, r: Raises) -> Verdict {
        self.raises = Some(r);
        self
    }

    fn at_level(mut self, level: Level) -> Verdict {
        self.level = level;
        self
    }
}

/// Where the name stands in the target release, against the source release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Known in the source, absent from the target.
    Gone,
    /// A tombstone in the target that was not one in the source.
    Tombstoned,
    /// A tombstone in the source and the target: every call raised before the upgrade too,
    /// and still does.
    AlwaysRaised,
    /// Present in the target.
    Present,
}

/// One use, with what the span says about the name it reaches: the input of every rule.
pub struct Subject<'a> {
    pub k: &'a Knowledge,
    /// The name, cut to the longest prefix the releases know.
    pub name: &'a str,
    pub how: &'a UseKind,
    pub state: State,
    /// The name in the source and target releases: (definition name, record).
    pub old: Option<(String, &'a Symbol)>,
    pub new: Option<(String, &'a Symbol)>,
    /// A move of the name or of an enclosing name: (the name that moved, the move).
    pub moved: Option<(&'a str, &'a Change)>,
}

impl Subject<'_> {
    /// Where the name is now, given the move of it or of its enclosing name.
    pub fn moved_target(&self) -> Option<String> {
        let (n, m) = self.moved?;
        Some(format!(
            "{}{}",
            m.new_symbol.as_deref().unwrap_or(""),
            &self.name[n.len()..]
        ))
    }

    /// Whether the move is of a private path to a public one (a promotion, not a move users
    /// must follow).
    pub fn moved_to_public(&self) -> bool {
        match (self.moved, self.moved_target()) {
            (Some((n, _)), Some(to)) => is_private_name(n) && !is_private_name(&to),
            _ => false,
        }
    }

    /// The call made, when the use is a call.
    pub fn call(&self) -> Option<CallShape<'_>> {
        match self.how {
            UseKind::Call {
                positional,
                keywords,
                written,
                decorates,
                has_kwargs,
                on_value,
                literals,
            } => Some(CallShape {
                positional: *positional,
                keywords,
                written: *written,
                decorates: *decorates,
                has_kwargs: *has_kwargs,
                on_value: *on_value,
                literals,
            }),
            _ => None,
        }
    }
}

/// Runs every rule on one subject.
pub fn run_all(subject: &Subject) -> Vec<Verdict> {
    ALL.iter().flat_map(|r| (r.check)(subject)).collect()
}

/// The first sentence of a message, at most 200 characters. With `way_out`, the second too
/// when only that one says what to do instead ("X is deprecated. Please use Y."), up to 300:
/// for findings whose fix does not already say it.
pub fn first_sentence(message: &str, way_out: bool) -> String {
    let m = message.trim();
    let Some(i) = m.find(". ").filter(|i| *i < 200) else {
        return m.chars().take(200).collect();
    };
    let first = &m[..=i];
    if !way_out {
        return first.to_string();
    }
    let rest = m[i + 1..].trim_start();
    let (first_lower, rest_lower) = (first.to_lowercase(), rest.to_lowercase());
    const WAY_OUT: [&str; 4] = [" use ", "instead", "replaced by", "in favor of"];
    const OPENS_WAY_OUT: [&str; 8] = [
        "please use",
        "use ",
        "instead",
        "consider using",
        "switch to",
        "migrate to",
        "please switch",
        "please migrate",
    ];
    let first_says = WAY_OUT.iter().any(|w| first_lower.contains(w));
    let second_says = OPENS_WAY_OUT.iter().any(|w| rest_lower.starts_with(w));
    if first_says || !second_says {
        return first.to_string();
    }
    let end = rest.find(". ").map_or(rest.len(), |j| j + 1);
    if first.len() + end < 300 {
        format!("{first} {}", &rest[..end])
    } else {
        first.to_string()
    }
}

/// " in 2.5.0" / " since 2.5.0" when the span says when, else nothing.
fn when(prefix: &str, version: Option<&str>) -> String {
    version
        .map(|v| format!(" {prefix} {v}"))
        .unwrap_or_default()
}

/// The shape of a call site.
pub struct CallShape<'a> {
    /// Positional arguments; `None` when `*args` is passed.
    pub positional: Option<usize>,
    pub keywords: &'a [String],
    /// How many of `keywords`, from the first, are written in the call (the rest are keys of
    /// a `**dict` the caller spells out).
    pub written: usize,
    /// The call is a decorator's.
    pub decorates: bool,
    /// `**kwargs` is passed.
    pub has_kwargs: bool,
    /// A method called on a value of its class: the value is its first parameter.
    pub on_value: bool,
    /// The keywords passed a literal, with its value.
    pub literals: &'a [(String, String)],
}

impl CallShape<'_> {
    /// Whether the call passes `param` by keyword a value a notice is about: one equal to
    /// `when`, or one other than `unless`. `None` when the value is not a literal; with
    /// neither, any value is.
    pub fn passes_value(
        &self,
        param: &str,
        when: Option<&str>,
        unless: Option<&str>,
    ) -> Option<bool> {
        if !self.keywords.iter().any(|k| k == param) {
            return Some(false);
        }
        if when.is_none() && unless.is_none() {
            return Some(true);
        }
        let Some((_, value)) = self.literals.iter().find(|(k, _)| k == param) else {
            // An expression passed for `p` is taken for a value, not `None`, as code passing
            // `None` writes it: it meets `if p is not None:`, and not `if p is None:`.
            return match (when, unless) {
                (_, Some("None")) => Some(true),
                (Some("None"), _) => Some(false),
                _ => None,
            };
        };
        Some(when.is_none_or(|w| w == value) && unless.is_none_or(|u| u != value))
    }
}

impl CallShape<'_> {
    /// Why the call does not bind to `sig`, or `None` when it does. `bound` skips the first
    /// parameter (`self` of a method called on an instance).
    pub fn mismatch(&self, sig: &Signature, bound: bool) -> Option<String> {
        let params: Vec<_> = sig.params.iter().skip(usize::from(bound)).collect();
        let positional: Vec<_> = params
            .iter()
            .filter(|p| {
                matches!(
                    p.kind,
                    ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
                )
            })
            .collect();
        let var_pos = params.iter().any(|p| p.kind == ParamKind::VarPositional);
        let var_kw = params.iter().any(|p| p.kind == ParamKind::VarKeyword);
        if let Some(n) = self.positional {
            if n > positional.len() && !var_pos {
                return Some(format!(
                    "takes {} positional argument{} but {n} were given",
                    positional.len(),
                    if positional.len() == 1 { "" } else { "s" }
                ));
            }
        }
        for k in self.keywords {
            let ok = params.iter().any(|p| {
                p.name == *k
                    && matches!(
                        p.kind,
                        ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly
                    )
            });
            if !ok && !var_kw {
                return Some(format!("has no parameter `{k}`"));
            }
        }
        // Required parameters: only knowable when neither `*args` nor `**kwargs` is passed.
        if let (Some(n), false) = (self.positional, self.has_kwargs) {
            for p in &params {
                let required = p.default.is_none()
                    && !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword);
                let by_position = positional
                    .iter()
                    .position(|x| x.name == p.name)
                    .is_some_and(|j| j < n);
                if required && !by_position && !self.keywords.contains(&p.name) {
                    return Some(format!(
                        "requires `{}`, which the call does not pass",
                        p.name
                    ));
                }
            }
        }
        None
    }

    /// Whether the value the call is made on fills `sym`'s first parameter: a method's or
    /// classmethod's, not a static method's (`v.f(x)` passes `x` first to a static `f`).
    pub fn binds_first(&self, sym: &Symbol) -> bool {
        self.on_value && matches!(sym.kind, Kind::Method | Kind::Classmethod)
    }

    /// Whether the call leaves `param` out: `Some(true)` surely (not by keyword, not by
    /// position), `Some(false)` when it passes it, `None` when `*args` or `**kwargs` may carry
    /// it.
    pub fn leaves_out(&self, sym: &Symbol, param: &str) -> Option<bool> {
        if self.keywords.iter().any(|k| k == param) {
            return Some(false);
        }
        let signatures = Signature::parse_all(&sym.signatures);
        // Where the parameter can be passed by position, in each signature.
        let places: Vec<Option<usize>> = signatures
            .iter()
            .map(|sig| {
                sig.params
                    .iter()
                    .skip(usize::from(self.binds_first(sym)))
                    .filter(|p| {
                        matches!(
                            p.kind,
                            ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
                        )
                    })
                    .position(|p| p.name == param)
            })
            .collect();
        match self.positional {
            Some(n) if places.iter().any(|i| i.is_some_and(|i| i < n)) => return Some(false),
            None if signatures.is_empty() || places.iter().any(Option::is_some) => return None,
            _ => {}
        }
        if self.has_kwargs || signatures.is_empty() {
            return None;
        }
        Some(true)
    }

    /// `Ok` when the call binds to one of `sigs`, else why it binds to none (the first's
    /// reason).
    pub fn binds(&self, sigs: &[Signature], bound: bool) -> Result<(), String> {
        let mut first = None;
        for s in sigs {
            match self.mismatch(s, bound) {
                None => return Ok(()),
                Some(why) => {
                    first.get_or_insert(why);
                }
            }
        }
        Err(first.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_sentence_keeps_the_second_when_only_it_says_what_to_use() {
        assert_eq!(
            first_sentence(
                "A and B are being deprecated. Please use C() and D(), which do more. Docs: url .",
                true
            ),
            "A and B are being deprecated. Please use C() and D(), which do more."
        );
        // The first already names the way out, or the second is something else.
        assert_eq!(
            first_sentence("A is deprecated, use B instead. Use C for D.", true),
            "A is deprecated, use B instead."
        );
        assert_eq!(
            first_sentence("A is deprecated. It will be removed.", true),
            "A is deprecated."
        );
        assert_eq!(
            first_sentence("A is deprecated. Use B", true),
            "A is deprecated. Use B"
        );
        // A finding whose fix names the replacement does not say it twice.
        assert_eq!(
            first_sentence("A is deprecated. Use B", false),
            "A is deprecated."
        );
        assert_eq!(first_sentence("no stop at all", true), "no stop at all");
    }

    fn call<'a>(
        positional: Option<usize>,
        keywords: &'a [String],
        has_kwargs: bool,
    ) -> CallShape<'a> {
        CallShape {
            positional,
            keywords,
            written: keywords.len(),
            decorates: false,
            has_kwargs,
            on_value: false,
            literals: &[],
        }
    }

    #[test]
    fn call_binding() {
        let sig = Signature::parse("(model, args, f=None, *, verbose=False)").unwrap();
        let none: Vec<String> = vec![];
        let verbose = vec!["verbose".to_string()];
        let typo = vec!["verbos".to_string()];
        assert_eq!(call(Some(3), &verbose, false).mismatch(&sig, false), None);
        assert_eq!(
            call(Some(4), &none, false).mismatch(&sig, false).as_deref(),
            Some("takes 3 positional arguments but 4 were given")
        );
        assert_eq!(
            call(Some(2), &typo, false).mismatch(&sig, false).as_deref(),
            Some("has no parameter `verbos`")
        );
        assert_eq!(
            call(Some(1), &none, false).mismatch(&sig, false).as_deref(),
            Some("requires `args`, which the call does not pass")
        );
        // With `**kwargs` passed, a missing parameter may arrive through it.
        assert_eq!(call(Some(1), &none, true).mismatch(&sig, false), None);
        // With `*args` passed, the positional count is unknown.
        assert_eq!(call(None, &none, false).mismatch(&sig, false), None);
    }

    #[test]
    fn a_call_on_a_value_fills_a_method_s_first_parameter_only() {
        let symbol = |kind: Kind| Symbol {
            kind,
            signatures: vec!["(self, other, dim=None)".to_string()],
            ..Symbol::default()
        };
        let none: Vec<String> = vec![];
        let mut on_value = call(Some(2), &none, false);
        on_value.on_value = true;
        // `v.cross(u, 1)`: `u` is `other`, `1` is `dim`.
        assert_eq!(
            on_value.leaves_out(&symbol(Kind::Method), "dim"),
            Some(false)
        );
        assert_eq!(
            on_value.leaves_out(&symbol(Kind::Classmethod), "dim"),
            Some(false)
        );
        // A static method takes nothing from the value: `u` fills its first parameter.
        assert_eq!(
            on_value.leaves_out(&symbol(Kind::Staticmethod), "dim"),
            Some(true)
        );
        // Through the class, a method's first parameter is the first argument.
        assert_eq!(
            call(Some(2), &none, false).leaves_out(&symbol(Kind::Method), "dim"),
            Some(true)
        );
    }

    #[test]
    fn a_call_passes_the_value_a_notice_is_about() {
        let keywords = vec!["p".to_string(), "q".to_string()];
        let literals = vec![("p".to_string(), "False".to_string())];
        let mut c = call(Some(0), &keywords, false);
        c.literals = &literals;
        // `p=False`, `q=<expression>`.
        assert_eq!(c.passes_value("p", None, None), Some(true));
        assert_eq!(c.passes_value("p", Some("False"), None), Some(true));
        assert_eq!(c.passes_value("p", Some("True"), None), Some(false));
        assert_eq!(c.passes_value("p", None, Some("True")), Some(true));
        assert_eq!(c.passes_value("p", None, Some("False")), Some(false));
        assert_eq!(c.passes_value("q", Some("True"), None), None);
        assert_eq!(c.passes_value("q", None, Some("True")), None);
        // An expression is not the literal `None` it would take to write `None`.
        assert_eq!(c.passes_value("q", None, Some("None")), Some(true));
        assert_eq!(c.passes_value("q", Some("None"), None), Some(false));
        assert_eq!(c.passes_value("r", None, Some("None")), Some(false));
    }

    /// The rule files in `src/scan/rules/`, by stem.
    fn rule_files() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/scan/rules");
        let mut stems: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|n| n.strip_suffix(".rs").map(str::to_string))
            .filter(|n| n != "mod")
            .collect();
        stems.sort();
        stems
    }

    #[test]
    fn every_rule_file_is_registered_named_and_documented() {
        let mut registered: Vec<String> = ALL.iter().map(|r| r.name.replace('-', "_")).collect();
        registered.sort();
        assert_eq!(rule_files(), registered, "rule files and `ALL` disagree");
        for (i, a) in ALL.iter().enumerate() {
            let doc = a.doc();
            for heading in ["## What it does", "## Why is this bad?"] {
                assert!(doc.contains(heading), "{}: no `{heading}`", a.code);
            }
            assert!(doc.starts_with("## What it does"), "{}", a.code);
            assert!(
                a.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                a.name
            );
            assert_eq!(a.code, format!("AD{:03}", i + 1), "codes follow the list");
            for b in &ALL[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
        assert_eq!(find("ad003").map(|r| r.name), Some("deprecated-api"));
        assert_eq!(find("moved-api").map(|r| r.code), Some("AD002"));
    }
}
