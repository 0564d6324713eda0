//! Signatures as sets of accepted calls.
//!
//! A change is breaking only when a call that bound before no longer binds: renaming a
//! positional-only parameter, adding an optional one or turning `0` into `0.0` breaks nobody.

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    PositionalOrKeyword,
    VarPositional,
    KeywordOnly,
    VarKeyword,
}

impl ParamKind {
    fn positional(self) -> bool {
        matches!(
            self,
            ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
        )
    }
    fn keyword(self) -> bool {
        matches!(
            self,
            ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly
        )
    }
    pub fn describe(self) -> &'static str {
        match self {
            ParamKind::PositionalOnly => "positional-only",
            ParamKind::PositionalOrKeyword => "positional-or-keyword",
            ParamKind::VarPositional => "*args",
            ParamKind::KeywordOnly => "keyword-only",
            ParamKind::VarKeyword => "**kwargs",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<Param>,
    pub returns: Option<String>,
}

impl Signature {
    /// Parses `(a, b=1, *, c) -> R` as written in a snapshot.
    pub fn parse(text: &str) -> Option<Signature> {
        let source = format!("def f{text}: ...");
        let parsed = ruff_python_parser::parse_module(&source).ok()?;
        let Some(Stmt::FunctionDef(f)) = parsed.syntax().body.first() else {
            return None;
        };
        let p = &f.parameters;
        let slice = |e: &Expr| source[e.range()].to_string();
        let mut params = Vec::new();
        let push = |list: &[ruff_python_ast::ParameterWithDefault],
                    kind: ParamKind,
                    params: &mut Vec<Param>| {
            for x in list {
                params.push(Param {
                    name: x.parameter.name.to_string(),
                    kind,
                    default: x.default.as_deref().map(slice),
                });
            }
        };
        push(&p.posonlyargs, ParamKind::PositionalOnly, &mut params);
        push(&p.args, ParamKind::PositionalOrKeyword, &mut params);
        if let Some(v) = &p.vararg {
            params.push(Param {
                name: v.name.to_string(),
                kind: ParamKind::VarPositional,
                default: None,
            });
        }
        push(&p.kwonlyargs, ParamKind::KeywordOnly, &mut params);
        if let Some(k) = &p.kwarg {
            params.push(Param {
                name: k.name.to_string(),
                kind: ParamKind::VarKeyword,
                default: None,
            });
        }
        Some(Signature {
            params,
            returns: f.returns.as_deref().map(slice),
        })
    }

    /// The signatures of a snapshot record that parse (all do, unless hand-edited).
    pub fn parse_all(signatures: &[String]) -> Vec<Signature> {
        signatures
            .iter()
            .filter_map(|s| Signature::parse(s))
            .collect()
    }

    /// Only `*args`/`**kwargs` (after `self`/`cls`): a wrapper that forwards everything.
    pub fn is_opaque(&self) -> bool {
        let rest: Vec<&Param> = self
            .params
            .iter()
            .filter(|p| !matches!(p.name.as_str(), "self" | "cls"))
            .collect();
        !rest.is_empty()
            && rest
                .iter()
                .all(|p| matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword))
    }

    fn positional(&self) -> Vec<&Param> {
        self.params.iter().filter(|p| p.kind.positional()).collect()
    }
    pub(crate) fn get(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| {
            p.name == name && !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword)
        })
    }
    fn has(&self, kind: ParamKind) -> bool {
        self.params.iter().any(|p| p.kind == kind)
    }

    /// Whether every call that binds to `old` also binds to `self`.
    pub fn accepts_all_calls_of(&self, old: &Signature) -> bool {
        let new_pos = self.positional();
        let old_pos = old.positional();
        // Positional arguments old accepted must still be accepted positionally.
        if old_pos.len() > new_pos.len() && !self.has(ParamKind::VarPositional) {
            return false;
        }
        if old.has(ParamKind::VarPositional) && !self.has(ParamKind::VarPositional) {
            return false;
        }
        if old.has(ParamKind::VarKeyword) && !self.has(ParamKind::VarKeyword) {
            return false;
        }
        // Keywords old accepted must still be accepted, by name or by `**kwargs`.
        for p in old.params.iter().filter(|p| p.kind.keyword()) {
            let ok = self.get(&p.name).is_some_and(|q| q.kind.keyword())
                || self.has(ParamKind::VarKeyword);
            if !ok {
                return false;
            }
        }
        // A positional argument must land on a parameter of the same name, or a call passing
        // it by position means something else now.
        for (i, p) in old_pos.iter().enumerate() {
            if let Some(q) = new_pos.get(i) {
                if q.name != p.name
                    && !(p.kind == ParamKind::PositionalOnly && q.kind == ParamKind::PositionalOnly)
                {
                    return false;
                }
            }
        }
        // Every parameter now required must have been required (so every old call passes it).
        for q in self.params.iter().filter(|q| {
            q.default.is_none()
                && !matches!(q.kind, ParamKind::VarPositional | ParamKind::VarKeyword)
        }) {
            let was_required = match q.kind {
                ParamKind::PositionalOnly => {
                    let i = new_pos
                        .iter()
                        .position(|x| x.name == q.name)
                        .unwrap_or(usize::MAX);
                    old_pos.get(i).is_some_and(|p| p.default.is_none())
                }
                _ => old.get(&q.name).is_some_and(|p| p.default.is_none()),
            };
            if !was_required {
                return false;
            }
        }
        true
    }
}

/// Whether two annotations spell the same type: `Tuple[int]` and `tuple[int]`,
/// `typing.List[X]` and `list[X]`, `Optional[X]` and `X | None`.
pub fn same_annotation(a: &str, b: &str) -> bool {
    fn normal(s: &str) -> String {
        let mut t = s.replace("typing.", "").replace(' ', "");
        for (from, to) in [
            ("Tuple[", "tuple["),
            ("List[", "list["),
            ("Dict[", "dict["),
            ("Set[", "set["),
            ("FrozenSet[", "frozenset["),
            ("Type[", "type["),
        ] {
            t = t.replace(from, to);
        }
        // `Optional[X]` as `X|None` when X holds no brackets of its own (the common case).
        if let Some(inner) = t
            .strip_prefix("Optional[")
            .and_then(|r| r.strip_suffix(']'))
        {
            if !inner.contains('[') {
                t = format!("{inner}|None");
            }
        }
        t
    }
    a == b || normal(a) == normal(b)
}

/// Whether two defaults are the same value: `0` and `0.0`, `'a'` and `"a"`.
pub fn same_default(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x == y;
    }
    // Otherwise compare the expressions, not their spelling: `1. / 8` is `1.0 / 8`, `(0,1)` is
    // `(0, 1)`, `'a'` is `"a"`.
    match (
        ruff_python_parser::parse_expression(a),
        ruff_python_parser::parse_expression(b),
    ) {
        (Ok(x), Ok(y)) => ComparableExpr::from(x.expr()) == ComparableExpr::from(y.expr()),
        _ => false,
    }
}

/// One way a single signature changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamChange {
    pub kind: super::ChangeKind,
    pub breaking: bool,
    pub parameter: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The parameter-level differences between two single signatures.
pub fn compare(old: &Signature, new: &Signature) -> Vec<ParamChange> {
    use super::ChangeKind as K;
    let mut out = Vec::new();
    let old_pos = old.positional();
    let new_pos = new.positional();
    let mut rename_targets: Vec<String> = Vec::new();
    let change =
        |kind, breaking, parameter: &str, old: Option<String>, new: Option<String>| ParamChange {
            kind,
            breaking,
            parameter: parameter.to_string(),
            old,
            new,
        };
    for p in old
        .params
        .iter()
        .filter(|p| !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword))
    {
        match new.get(&p.name) {
            Some(q) => {
                if p.kind != q.kind {
                    // A call passing it the old way still binds where `*args`/`**kwargs`
                    // takes it; whether it means the same is the function's to say.
                    let breaking = (p.kind.positional()
                        && !q.kind.positional()
                        && !new.has(ParamKind::VarPositional))
                        || (p.kind.keyword()
                            && !q.kind.keyword()
                            && !new.has(ParamKind::VarKeyword));
                    out.push(change(
                        K::ParameterKindChanged,
                        breaking,
                        &p.name,
                        Some(p.kind.describe().into()),
                        Some(q.kind.describe().into()),
                    ));
                } else if p.kind.positional() {
                    let i = old_pos.iter().position(|x| x.name == p.name);
                    let j = new_pos.iter().position(|x| x.name == p.name);
                    if i != j {
                        out.push(change(
                            K::ParameterReordered,
                            true,
                            &p.name,
                            i.map(|i| format!("position {i}")),
                            j.map(|j| format!("position {j}")),
                        ));
                    }
                }
                match (&p.default, &q.default) {
                    (Some(a), Some(b)) if !same_default(a, b) => out.push(change(
                        K::DefaultChanged,
                        false,
                        &p.name,
                        Some(a.clone()),
                        Some(b.clone()),
                    )),
                    (Some(a), None) => out.push(change(
                        K::DefaultChanged,
                        true,
                        &p.name,
                        Some(a.clone()),
                        Some("required".into()),
                    )),
                    _ => {}
                }
            }
            None => {
                let i = old_pos.iter().position(|x| x.name == p.name);
                let renamed_to = i
                    .and_then(|i| new_pos.get(i))
                    .filter(|q| old.get(&q.name).is_none());
                match renamed_to {
                    Some(q) => {
                        rename_targets.push(q.name.clone());
                        // Renaming a positional-only parameter breaks nobody.
                        let breaking = !(p.kind == ParamKind::PositionalOnly
                            && q.kind == ParamKind::PositionalOnly);
                        if breaking {
                            out.push(change(
                                K::ParameterRenamed,
                                true,
                                &p.name,
                                Some(p.name.clone()),
                                Some(q.name.clone()),
                            ));
                        }
                    }
                    None => {
                        // With `*args`/`**kwargs` in the new signature the call may still bind.
                        let still_binds = (!p.kind.positional()
                            || new.has(ParamKind::VarPositional))
                            && (!p.kind.keyword() || new.has(ParamKind::VarKeyword));
                        out.push(change(
                            K::ParameterRemoved,
                            !still_binds,
                            &p.name,
                            Some(p.name.clone()),
                            None,
                        ));
                    }
                }
            }
        }
    }
    for q in new
        .params
        .iter()
        .filter(|q| old.get(&q.name).is_none() && !rename_targets.contains(&q.name))
    {
        match q.kind {
            ParamKind::VarPositional | ParamKind::VarKeyword => {
                if !old.has(q.kind) {
                    out.push(change(
                        K::ParameterAddedOptional,
                        false,
                        &q.name,
                        None,
                        Some(q.kind.describe().into()),
                    ));
                }
            }
            _ if q.default.is_none() => out.push(change(
                K::ParameterAddedRequired,
                true,
                &q.name,
                None,
                Some(q.name.clone()),
            )),
            _ => out.push(change(
                K::ParameterAddedOptional,
                false,
                &q.name,
                None,
                q.default.clone(),
            )),
        }
    }
    if matches!((&old.returns, &new.returns), (Some(a), Some(b)) if !same_annotation(a, b)) {
        out.push(change(
            K::ReturnChanged,
            false,
            "",
            old.returns.clone(),
            new.returns.clone(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ChangeKind as K;

    fn sig(s: &str) -> Signature {
        Signature::parse(s).unwrap()
    }

    fn kinds(old: &str, new: &str) -> Vec<(K, bool, String)> {
        compare(&sig(old), &sig(new))
            .into_iter()
            .map(|c| (c.kind, c.breaking, c.parameter))
            .collect()
    }

    #[test]
    fn parses_every_parameter_kind() {
        let s = sig("(a, /, b=1, *args, c, d=None, **kw) -> T");
        let k: Vec<ParamKind> = s.params.iter().map(|p| p.kind).collect();
        use ParamKind::*;
        assert_eq!(
            k,
            [
                PositionalOnly,
                PositionalOrKeyword,
                VarPositional,
                KeywordOnly,
                KeywordOnly,
                VarKeyword
            ]
        );
        assert_eq!(s.returns.as_deref(), Some("T"));
    }

    #[test]
    fn each_parameter_change() {
        assert_eq!(
            kinds("(a, b)", "(a)"),
            [(K::ParameterRemoved, true, "b".into())]
        );
        assert_eq!(
            kinds("(a, b)", "(a, **kw)"),
            [
                (K::ParameterRemoved, true, "b".into()),
                (K::ParameterAddedOptional, false, "kw".into())
            ],
            "positional calls break"
        );
        assert_eq!(
            kinds("(a, *, b=1)", "(a, **kw)"),
            [
                (K::ParameterRemoved, false, "b".into()),
                (K::ParameterAddedOptional, false, "kw".into())
            ]
        );
        assert_eq!(
            kinds("(a, b)", "(a, c)"),
            [(K::ParameterRenamed, true, "b".into())]
        );
        assert_eq!(
            kinds("(a, /, b)", "(x, /, b)"),
            [],
            "positional-only renames break nobody"
        );
        assert_eq!(
            kinds("(a, b)", "(b, a)"),
            [
                (K::ParameterReordered, true, "a".into()),
                (K::ParameterReordered, true, "b".into())
            ]
        );
        assert_eq!(
            kinds("(a)", "(a, b)"),
            [(K::ParameterAddedRequired, true, "b".into())]
        );
        assert_eq!(
            kinds("(a)", "(a, b=2)"),
            [(K::ParameterAddedOptional, false, "b".into())]
        );
        assert_eq!(
            kinds("(a, b=1)", "(a, *, b=1)"),
            [(K::ParameterKindChanged, true, "b".into())]
        );
        assert_eq!(
            kinds("(a, *, b=1)", "(a, b=1)"),
            [(K::ParameterKindChanged, false, "b".into())]
        );
        assert_eq!(
            kinds("(a=0)", "(a=1)"),
            [(K::DefaultChanged, false, "a".into())]
        );
        assert_eq!(
            kinds("(a=0)", "(a)"),
            [(K::DefaultChanged, true, "a".into())]
        );
        assert_eq!(
            kinds("(a) -> int", "(a) -> str"),
            [(K::ReturnChanged, false, "".into())]
        );
    }

    #[test]
    fn equal_defaults_are_no_change() {
        assert_eq!(
            kinds("(a=0, b='x', c=1e-3)", "(a=0.0, b=\"x\", c=0.001)"),
            []
        );
        assert!(same_default("None", "None"));
        assert!(same_annotation(
            "Tuple[Tensor, Tensor]",
            "tuple[Tensor, Tensor]"
        ));
        assert!(same_annotation("Optional[Tensor]", "Tensor | None"));
        assert!(!same_annotation("Tensor", "int"));
        assert!(same_default("1. / 8", "1.0 / 8"));
        assert!(same_default("(0,1)", "(0, 1)"));
        assert!(!same_default("True", "False"));
    }

    #[test]
    fn overloads_compare_as_accepted_calls() {
        // Adding an optional keyword or widening to **kwargs keeps every old call binding.
        assert!(sig("(a, b=1, *, c=None)").accepts_all_calls_of(&sig("(a, b=1)")));
        assert!(sig("(a, **kw)").accepts_all_calls_of(&sig("(a, *, b)")));
        assert!(sig("(self, *args, **kwargs)").is_opaque());
        assert!(!sig("(self, x, *args)").is_opaque());
        assert!(sig("(x, /)").accepts_all_calls_of(&sig("(a, /)")));
        // Each of these breaks some old call.
        assert!(!sig("(a)").accepts_all_calls_of(&sig("(a, b=1)")));
        assert!(!sig("(a, *, b=1)").accepts_all_calls_of(&sig("(a, b=1)")));
        assert!(!sig("(a, b)").accepts_all_calls_of(&sig("(a, b=1)")));
        assert!(!sig("(b, a)").accepts_all_calls_of(&sig("(a, b)")));
    }
}
