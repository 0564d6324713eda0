//! Rendering function signatures as re-parseable Python parameter lists.

use ruff_python_ast::{Expr, Parameters, StmtFunctionDef};
use ruff_text_size::Ranged;

/// `(a, b=1, /, c=2, *args, d, **kw) -> R`: parameter names, kinds and defaults as written
/// (whitespace collapsed so multi-line signatures read on one line), and the return annotation.
/// Parameter annotations are left out: which calls bind depends on names, kinds and defaults
/// alone, and torch's stub annotations would triple the snapshot. `skip_first` drops the
/// bound parameter (`self` of `__init__` when the signature is a class's call signature).
pub fn render(func: &StmtFunctionDef, source: &str, skip_first: bool) -> String {
    let mut out = render_parameters(&func.parameters, source, skip_first);
    if let Some(ret) = &func.returns {
        out.push_str(" -> ");
        out.push_str(&expr_text(ret, source));
    }
    out
}

pub fn render_parameters(params: &Parameters, source: &str, skip_first: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut skip = skip_first;
    let mut one = |p: &ruff_python_ast::ParameterWithDefault, parts: &mut Vec<String>| {
        if std::mem::take(&mut skip) {
            return;
        }
        let mut s = p.parameter.name.as_str().to_string();
        if let Some(d) = &p.default {
            s.push('=');
            s.push_str(&expr_text(d, source));
        }
        parts.push(s);
    };
    for p in &params.posonlyargs {
        one(p, &mut parts);
    }
    if !params.posonlyargs.is_empty() && !parts.is_empty() {
        parts.push("/".into());
    }
    for p in &params.args {
        one(p, &mut parts);
    }
    let variadic =
        |prefix: &str, p: &ruff_python_ast::Parameter| format!("{prefix}{}", p.name.as_str());
    match &params.vararg {
        Some(v) => parts.push(variadic("*", v)),
        None if !params.kwonlyargs.is_empty() => parts.push("*".into()),
        None => {}
    }
    for p in &params.kwonlyargs {
        one(p, &mut parts);
    }
    if let Some(k) = &params.kwarg {
        parts.push(variadic("**", k));
    }
    format!("({})", parts.join(", "))
}

/// An expression's source text on one line.
pub fn expr_text(expr: &Expr, source: &str) -> String {
    collapse_whitespace(&source[expr.range()])
}

fn collapse_whitespace(text: &str) -> String {
    if !text.contains('\n') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.lines().enumerate() {
        // Comments inside a multi-line expression would swallow the rest of the joined line.
        let line = strip_comment(line);
        let t = if i == 0 { line.trim_end() } else { line.trim() };
        if t.is_empty() {
            continue;
        }
        let prev = out.chars().last();
        let first = t.chars().next();
        let glue = !(out.is_empty()
            || matches!(prev, Some('(' | '[' | '{'))
            || matches!(first, Some(')' | ']' | '}' | ',')));
        if glue {
            out.push(' ');
        }
        out.push_str(t);
    }
    out.replace(",)", ")")
        .replace(",]", "]")
        .replace(", )", ")")
        .replace(", ]", "]")
}

fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return &line[..i],
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    line
}

/// The parameter names of a function, in order (for matching deprecation texts).
pub fn parameter_names(params: &Parameters) -> Vec<String> {
    params
        .iter()
        .map(|p| p.name().as_str().to_string())
        .collect()
}

/// The parameter names of a signature as [`render`] writes it (`(a, b=1, *, c) -> T`);
/// empty when it does not parse.
pub fn parameter_names_of(rendered: &str) -> Vec<String> {
    let source = format!("def _f{rendered}: ...");
    let Ok(parsed) = ruff_python_parser::parse_module(&source) else {
        return Vec::new();
    };
    match parsed.syntax().body.first() {
        Some(ruff_python_ast::Stmt::FunctionDef(f)) => parameter_names(&f.parameters),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_ast::Stmt;

    #[test]
    fn parameter_names_of_a_rendered_signature() {
        assert_eq!(
            parameter_names_of("(input, other, dim=None, *, out=None) -> Tensor"),
            ["input", "other", "dim", "out"]
        );
        assert!(parameter_names_of("(not python").is_empty());
    }

    fn sig(src: &str, skip_first: bool) -> String {
        let parsed = ruff_python_parser::parse_module(src).unwrap();
        let Stmt::FunctionDef(f) = &parsed.syntax().body[0] else {
            panic!("not a def")
        };
        render(f, src, skip_first)
    }

    #[test]
    fn renders_every_parameter_kind() {
        assert_eq!(
            sig(
                "def f(a, b: int = 1, /, c=2, *args: str, d, e: 'X' = None, **kw) -> R: ...",
                false
            ),
            "(a, b=1, /, c=2, *args, d, e=None, **kw) -> R"
        );
        assert_eq!(sig("def f(a, *, b): ...", false), "(a, *, b)");
        assert_eq!(sig("def f(): ...", false), "()");
    }

    #[test]
    fn drops_bound_parameter() {
        assert_eq!(sig("def __init__(self, x=1): ...", true), "(x=1)");
        assert_eq!(sig("def __init__(self, /, x): ...", true), "(x)");
    }

    #[test]
    fn multi_line_signatures_read_on_one_line() {
        let src = "def f(\n    x=Union[\n        int,  # why\n        str,\n    ],\n    y=(\n        1, 2\n    ),\n) -> Dict[\n    str, int\n]: ...";
        assert_eq!(
            sig(src, false),
            "(x=Union[int, str], y=(1, 2)) -> Dict[str, int]"
        );
    }

    #[test]
    fn rendered_signature_reparses() {
        let s = sig(
            "def f(a, /, b=2, *c, d: 'int' = 3, **e) -> None: ...",
            false,
        );
        assert!(ruff_python_parser::parse_module(&format!("def g{s}: ...")).is_ok());
    }
}
