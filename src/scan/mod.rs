//! The pre-upgrade check: which uses in a user's code the span `from` → `to` affects.
//!
//! Files are read ([`files`]), names resolved ([`python`]), and every use of a tracked package
//! assessed against [`Knowledge`]: the two snapshots and the composed changes in between.

mod check;
pub mod config;
pub mod files;
pub mod project;
pub mod python;
pub mod rules;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::diff::signature::{ParamKind, Signature};
use crate::diff::{Change, ChangeKind};
use crate::snapshot::{is_private_name, split_parent, Kind, Snapshot, Tier};
use crate::util::LineIndex;
pub use check::{check, CheckError, CheckReport, CheckSettings};
use python::UseKind;
use rules::{Level, Rule};

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
            to,
            changes,
            moves,
            public_name: public_to,
            public_before: public_from.into_keys().collect(),
            cache: Default::default(),
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
    fn since(&self, name: &str, kind: ChangeKind) -> Option<&str> {
        self.changes
            .iter()
            .find(|c| c.kind == kind && c.symbol == name)
            .map(|c| c.new_version.as_str())
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

/// A finding before it has a place: rule, level, message, fix.
struct Verdict {
    rule: &'static Rule,
    level: Level,
    symbol: String,
    message: String,
    fix: Option<String>,
}

impl Verdict {
    fn new(rule: &'static Rule, symbol: &str, message: String, fix: Option<String>) -> Verdict {
        Verdict {
            rule,
            level: rule.level,
            symbol: symbol.to_string(),
            message,
            fix,
        }
    }
}

/// Assesses one use.
fn assess(k: &Knowledge, qualname: &str, how: &UseKind) -> Vec<Verdict> {
    let Some(q) = k.known_prefix(qualname) else {
        return vec![];
    };
    let mut out = Vec::new();
    let (from, to) = (&k.from, &k.to);
    let old = from.resolve(q);
    let new = to.resolve(q);
    let (fv, tv) = (&from.version, &to.version);
    // A move of the name itself or of an enclosing name (the module or class it lives in).
    let moved = std::iter::successors(Some(q), |n| split_parent(n).map(|(p, _)| p))
        .find_map(|n| k.moves.get(n).map(|m| (n, m)));
    match (&old, &new) {
        (Some(_), None) => {
            if let Some((n, m)) = moved {
                let target = moved_target(m, n, q);
                out.push(Verdict::new(
                    rules::MOVED,
                    q,
                    format!(
                        "`{q}` moved to `{target}` in {}; the old path is gone in {tv}",
                        m.new_version
                    ),
                    Some(target),
                ));
            } else {
                let replacement = old.as_ref().and_then(|(_, s)| {
                    s.deprecated
                        .iter()
                        .find(|d| d.parameter.is_none())
                        .and_then(|d| d.replacement.clone())
                });
                let when = k
                    .since(q, ChangeKind::Removed)
                    .map(|v| format!(" in {v}"))
                    .unwrap_or_default();
                out.push(Verdict::new(
                    rules::REMOVED,
                    q,
                    format!("`{q}` was removed{when}; it does not exist in {tv}"),
                    replacement,
                ));
            }
            return out;
        }
        (_, Some((_, sym))) => {
            if let (Some(t), false) = (
                &sym.tombstone,
                old.as_ref().is_some_and(|(_, s)| s.tombstone.is_some()),
            ) {
                let when = k
                    .since(q, ChangeKind::Tombstoned)
                    .map(|v| format!(" in {v}"))
                    .unwrap_or_default();
                out.push(Verdict::new(
                    rules::REMOVED,
                    q,
                    format!("`{q}` was removed{when}: in {tv} it always raises"),
                    t.replacement.clone(),
                ));
                return out;
            }
            // A private path whose definition has a public name now that it lacked before.
            let made_public = (moved.is_none() && is_private_name(q))
                .then(|| new.as_ref().and_then(|(def, _)| k.public_name.get(def)))
                .flatten()
                .filter(|p| {
                    from.resolve(p).is_none()
                        && !old
                            .as_ref()
                            .is_some_and(|(d, _)| k.public_before.contains(d))
                });
            if let Some(p) = made_public {
                out.push(Verdict::new(
                    rules::NOW_PUBLIC,
                    q,
                    format!("`{q}` is now public at `{p}`"),
                    Some(p.clone()),
                ));
            }
            if let Some((n, m)) = moved {
                let target = moved_target(m, n, q);
                if is_private_name(n) && !is_private_name(&target) {
                    out.push(Verdict::new(
                        rules::NOW_PUBLIC,
                        q,
                        format!(
                            "`{q}` is now public at `{target}` (since {})",
                            m.new_version
                        ),
                        Some(target),
                    ));
                } else {
                    let mut v = Verdict::new(
                        rules::MOVED,
                        q,
                        format!(
                            "`{q}` moved to `{target}` in {}; the old path still re-exports it",
                            m.new_version
                        ),
                        Some(target),
                    );
                    v.level = Level::Warning;
                    out.push(v);
                }
            }
            if let Some(d) = sym.deprecated.iter().find(|d| d.parameter.is_none()) {
                let when = k
                    .since(q, ChangeKind::Deprecated)
                    .map(|v| format!(" since {v}"))
                    .unwrap_or_default();
                out.push(Verdict::new(
                    rules::DEPRECATED,
                    q,
                    format!("`{q}` is deprecated{when}: {}", first_sentence(&d.message)),
                    d.replacement.clone(),
                ));
            }
            let tier = to.stability(q);
            if matches!(tier.tier, Tier::Beta | Tier::Prototype | Tier::Experimental) {
                out.push(Verdict::new(
                    rules::UNSTABLE,
                    q,
                    format!(
                        "`{q}` is {} in {tv} ({})",
                        tier.tier.as_str(),
                        tier.evidence
                    ),
                    None,
                ));
            }
        }
        (None, None) => return out,
    }
    if is_private_name(q) {
        out.push(Verdict::new(
            rules::PRIVATE,
            q,
            format!("`{q}` is private API"),
            None,
        ));
    }
    if let (
        UseKind::Call {
            positional,
            keywords,
            has_kwargs,
        },
        Some((def, sym)),
    ) = (how, &new)
    {
        let call = CallShape {
            positional: *positional,
            keywords,
            has_kwargs: *has_kwargs,
        };
        out.extend(check_call(
            k,
            q,
            def,
            sym,
            old.as_ref().map(|(_, s)| *s),
            &call,
            fv,
            tv,
        ));
    }
    out
}

/// Where `q` is now, given that its enclosing name `n` moved as `m` says.
fn moved_target(m: &Change, n: &str, q: &str) -> String {
    format!("{}{}", m.new_symbol.as_deref().unwrap_or(""), &q[n.len()..])
}

fn first_sentence(message: &str) -> String {
    let m = message.trim();
    match m.find(". ") {
        Some(i) if i < 200 => m[..=i].to_string(),
        _ => m.chars().take(200).collect(),
    }
}

struct CallShape<'a> {
    positional: Option<usize>,
    keywords: &'a [String],
    has_kwargs: bool,
}

impl CallShape<'_> {
    /// Why the call does not bind to `sig`, or `None` when it does. `bound` skips the first
    /// parameter (`self` of a method called on an instance).
    fn mismatch(&self, sig: &Signature, bound: bool) -> Option<String> {
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

    fn binds(&self, sigs: &[Signature], bound: bool) -> Result<(), String> {
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

#[allow(clippy::too_many_arguments)]
fn check_call(
    k: &Knowledge,
    q: &str,
    def: &str,
    sym: &crate::snapshot::Symbol,
    old: Option<&crate::snapshot::Symbol>,
    call: &CallShape,
    fv: &str,
    tv: &str,
) -> Vec<Verdict> {
    let mut out = Vec::new();
    // Calls through the class or module: functions, classes, static methods. Methods called on
    // an instance are out of reach of static names.
    if !matches!(sym.kind, Kind::Function | Kind::Class | Kind::Staticmethod) {
        return out;
    }
    let parse = Signature::parse_all;
    let (new_sigs, old_sigs) = (
        parse(&sym.signatures),
        old.map(|o| parse(&o.signatures)).unwrap_or_default(),
    );
    let opaque = |s: &[Signature]| s.is_empty() || s.iter().any(Signature::is_opaque);
    if !opaque(&new_sigs) && !opaque(&old_sigs) {
        // Only calls that bound before: otherwise the call, or our signature, was already off.
        if let (Ok(()), Err(why)) = (call.binds(&old_sigs, false), call.binds(&new_sigs, false)) {
            out.push(Verdict::new(
                rules::CALL,
                q,
                format!("this call no longer binds: in {tv}, `{q}` {why} (it bound in {fv})"),
                None,
            ));
        }
    }
    for d in sym.deprecated.iter().filter(|d| {
        d.parameter
            .as_ref()
            .is_some_and(|p| call.keywords.contains(p))
    }) {
        let p = d.parameter.as_deref().unwrap_or_default();
        out.push(Verdict::new(
            rules::DEPRECATED,
            q,
            format!(
                "parameter `{p}` of `{q}` is deprecated in {tv}: {}",
                first_sentence(&d.message)
            ),
            d.replacement.clone(),
        ));
    }
    // Behaviour that changed under an unchanged signature, for calls relying on the default.
    let canonical = |n: &str| k.to.resolve(n).map(|(d, _)| d);
    for c in k.changes.iter().filter(|c| {
        c.kind == ChangeKind::BehaviourChanged && canonical(&c.symbol).as_deref() == Some(def)
    }) {
        let relies = c
            .parameter
            .as_ref()
            .is_none_or(|p| !call.keywords.contains(p));
        if relies {
            let (message, fix) = match &c.parameter {
                Some(p) => (
                    format!(
                        "`{q}` changed behaviour in {} for calls without `{p}`: {}",
                        c.new_version,
                        first_sentence(c.old.as_deref().unwrap_or(""))
                    ),
                    Some(format!("pass `{p}` explicitly")),
                ),
                None => (
                    format!("`{q}` changed behaviour in {}", c.new_version),
                    None,
                ),
            };
            out.push(Verdict::new(rules::BEHAVIOUR, q, message, fix));
        }
    }
    out
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

/// The uses of `package` in one file's modules (one, or a notebook's cells, which share one
/// namespace as in a kernel), each tagged with the index of its module.
pub fn file_uses(
    package: &str,
    modules: &[&ruff_python_ast::ModModule],
) -> Vec<(usize, python::Use)> {
    python::uses_in(modules, &[package], &AnyPublicName)
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
        let cached = knowledge.cache.read().ok().and_then(|c| {
            c.get(u.qualname.as_str())?
                .iter()
                .find(|(how, _)| *how == u.how)
                .map(|(_, v)| v.clone())
        });
        let verdicts = match cached {
            Some(v) => v,
            None => {
                let v = std::sync::Arc::new(assess(knowledge, &u.qualname, &u.how));
                if let Ok(mut c) = knowledge.cache.write() {
                    c.entry(u.qualname.clone())
                        .or_default()
                        .push((u.how.clone(), v.clone()));
                }
                v
            }
        };
        let (line, column) = index.position(u.range.start().to_usize());
        let (end_line, end_column) = index.position(u.range.end().to_usize());
        for v in verdicts.iter() {
            if !selection.enabled(v.rule, path) || suppressed(suppressions, line, v.rule) {
                continue;
            }
            if !seen.insert((cell, line, column, v.rule.code, v.message.clone())) {
                continue;
            }
            out.push(Finding {
                code: v.rule.code,
                rule: v.rule.name,
                level: v.level,
                path: path.to_string(),
                cell,
                line,
                column,
                end_line,
                end_column,
                symbol: v.symbol.clone(),
                message: v.message.clone(),
                fix: v.fix.clone(),
            });
        }
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

    fn call<'a>(
        positional: Option<usize>,
        keywords: &'a [String],
        has_kwargs: bool,
    ) -> CallShape<'a> {
        CallShape {
            positional,
            keywords,
            has_kwargs,
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
    fn suppression_comments() {
        let map =
            suppressions("a\nb  # apidrift: ignore[AD003, moved-api]\nc # apidrift: ignore\n");
        assert!(!suppressed(&map, 1, rules::DEPRECATED));
        assert!(suppressed(&map, 2, rules::DEPRECATED));
        assert!(suppressed(&map, 2, rules::MOVED));
        assert!(!suppressed(&map, 2, rules::REMOVED));
        assert!(suppressed(&map, 3, rules::REMOVED));
    }
}
