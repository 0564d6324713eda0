//! `__all__` as a module writes it: literal lists and tuples, sums of them, other modules'
//! `__all__`, and the statements that change it. Evaluated later, when modules are joined.

use ruff_python_ast::{self as ast, Expr};

use super::module::{dotted, FileContext};
use super::signature;

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

pub(super) fn string_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

pub(super) fn all_entry(s: String) -> AllPart {
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
pub(super) fn all_parts(expr: &Expr, ctx: &FileContext) -> Option<Vec<AllPart>> {
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

pub(super) fn all_element(expr: &Expr, ctx: &FileContext) -> AllPart {
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
