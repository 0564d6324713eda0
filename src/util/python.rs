//! Parsing Python source that may be hostile: a file nested deeper than CPython accepts must
//! become one error for that file, never a stack overflow that takes the whole run down.
//!
//! ruff's parser grows its own stack, but a deep tree still overflows everything recursive
//! after it: our walks, and dropping the tree. So nesting is measured on the tokens first and
//! refused past CPython's own limits, accepted trees are walked on a stack sized for those
//! limits ([`on_parse_stack`]), and refused ones are dropped on a stack sized for their depth.

use ruff_python_ast::token::TokenKind;
use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;
use ruff_text_size::Ranged;

/// CPython's tokenizer refuses more nested brackets than this ("too many nested parentheses").
pub const MAX_BRACKETS: usize = 200;
/// CPython's tokenizer refuses more indentation levels than this.
pub const MAX_INDENT: usize = 99;
/// CPython 3.11 compiles an expression nested 2,900 deep (unary and binary operators,
/// attribute and call chains, conditional expressions, lambdas) and refuses one 3,000 deep.
pub const MAX_NESTING: usize = 3000;

/// The stack every walk over an accepted module runs on: a tree within the limits above needs
/// a few MB even unoptimised; half of this must be left for [`on_parse_stack`] to use the
/// current stack.
pub const PARSE_STACK: usize = 64 << 20;

/// Why a source could not be parsed, and where (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxProblem {
    pub offset: usize,
    pub message: String,
}

/// Runs `f` on a stack large enough for any module [`parse_module`] accepts: the current one
/// when enough of it is left (the binary gives rayon's workers such stacks), else a stack grown
/// for the call. Parse and walk inside it: the 2 MB of a default worker thread are not enough
/// for a tree 2,900 deep. Growing costs fresh stack pages on every call, a tenth of a check
/// over a few thousand files, so large stacks from the start are the fast path.
pub fn on_parse_stack<T>(f: impl FnOnce() -> T) -> T {
    match stacker::remaining_stack() {
        Some(left) if left >= PARSE_STACK / 2 => f(),
        _ => stacker::grow(PARSE_STACK, f),
    }
}

/// Parses a module, refusing nesting CPython would refuse.
pub fn parse_module(source: &str) -> Result<Parsed<ModModule>, SyntaxProblem> {
    let parsed =
        ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python);
    let (depth, too_deep) = nesting(&parsed);
    let problem = too_deep.or_else(|| {
        parsed.errors().first().map(|e| SyntaxProblem {
            offset: e.location.start().to_usize(),
            message: e.error.to_string(),
        })
    });
    match problem {
        None => Ok(parsed),
        Some(p) => {
            drop_deep(parsed, depth);
            Err(p)
        }
    }
}

/// Drops a tree that may be deeper than any thread's stack. Dropping recurses once per level
/// at a few hundred bytes a frame; past a gigabyte of stack the tree is leaked instead, which
/// only a file of tens of megabytes of nesting can cause and which ends with the process.
fn drop_deep(parsed: Parsed<ModModule>, depth: usize) {
    const FRAME: usize = 512;
    match depth.checked_mul(FRAME).filter(|n| *n <= 1 << 30) {
        Some(stack) => stacker::grow(stack.max(PARSE_STACK), move || drop(parsed)),
        None => std::mem::forget(parsed),
    }
}

/// An upper bound of the tree's depth from its tokens, and the first place past the limits.
///
/// Every operator, attribute dot, call or subscript of one expression can nest it one level;
/// a comma, `=`, `;` or the end of a logical line starts a new expression at that bracket
/// level. The bound is the sum over the open brackets of the operators seen at each.
fn nesting(parsed: &Parsed<ModModule>) -> (usize, Option<SyntaxProblem>) {
    let mut levels: Vec<usize> = vec![0];
    let (mut sum, mut indent, mut deepest) = (0usize, 0usize, 0usize);
    let mut first_problem = None;
    let mut after_operand = false;
    for token in parsed.tokens().iter() {
        let kind = token.kind();
        let mut problem = |message: std::string::String| {
            first_problem.get_or_insert(SyntaxProblem {
                offset: token.start().to_usize(),
                message,
            });
        };
        use TokenKind::*;
        match kind {
            Lpar | Lsqb | Lbrace => {
                // `f(x)`, `a[i]`: a call or subscript nests what it applies to.
                if after_operand {
                    *levels.last_mut().expect("never empty") += 1;
                    sum += 1;
                }
                levels.push(0);
                if levels.len() - 1 > MAX_BRACKETS {
                    problem(format!(
                        "too many nested parentheses (more than {MAX_BRACKETS}, which CPython refuses)"
                    ));
                }
            }
            Rpar | Rsqb | Rbrace if levels.len() > 1 => {
                sum -= levels.pop().expect("more than one");
            }
            Comma | Equal | Semi | Newline => {
                let top = levels.last_mut().expect("never empty");
                sum -= *top;
                *top = 0;
            }
            Indent => {
                indent += 1;
                if indent > MAX_INDENT {
                    problem(format!(
                        "too many levels of indentation (more than {MAX_INDENT}, which CPython refuses)"
                    ));
                }
            }
            Dedent => indent = indent.saturating_sub(1),
            Plus | Minus | Star | Slash | DoubleSlash | Percent | DoubleStar | At | Vbar
            | Amper | CircumFlex | LeftShift | RightShift | Tilde | Dot | Not | Await | If
            | Else | Lambda | ColonEqual | Yield => {
                *levels.last_mut().expect("never empty") += 1;
                sum += 1;
            }
            _ => {}
        }
        let depth = sum + levels.len() + indent;
        if depth >= MAX_NESTING && deepest < MAX_NESTING {
            problem(format!(
                "expressions nested {MAX_NESTING} deep or more, which CPython refuses to compile"
            ));
        }
        deepest = deepest.max(depth);
        after_operand = matches!(
            kind,
            Name | Int | Float | Complex | String | FStringEnd | TStringEnd | Rpar | Rsqb | Rbrace
        );
    }
    (deepest, first_problem)
}

/// A literal's value as one text, the same for every way of writing it (`'mean'` and
/// `"mean"`, `1.0` and `1.`): `None`, `True`, `-2`, `1.0`, `"mean"`. `None` for anything that
/// is not a literal.
pub fn literal_value(e: &ruff_python_ast::Expr) -> Option<String> {
    use ruff_python_ast::{Expr, Number, UnaryOp};
    match e {
        Expr::NoneLiteral(_) => Some("None".to_string()),
        Expr::BooleanLiteral(b) => Some(if b.value { "True" } else { "False" }.to_string()),
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => Some(i.to_string()),
            Number::Float(f) => Some(format!("{f:?}")),
            Number::Complex { .. } => None,
        },
        Expr::StringLiteral(s) => Some(format!("{:?}", s.value.to_str())),
        Expr::UnaryOp(u) if u.op == UnaryOp::USub => literal_value(&u.operand)
            .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
            .map(|v| format!("-{v}")),
        _ => None,
    }
}

/// [`literal_value`] of Python source text (`'mean'`), when it is one literal.
pub fn literal_text(source: &str) -> Option<String> {
    let parsed = ruff_python_parser::parse_expression(source).ok()?;
    literal_value(parsed.expr())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(source: &str) -> Option<String> {
        on_parse_stack(|| parse_module(source).err().map(|p| p.message))
    }

    #[test]
    fn what_cpython_compiles_is_accepted() {
        for source in [
            format!("x = {}1\n", "-".repeat(2800)),
            format!("x = {}\n", vec!["1"; 2800].join("+")),
            format!("x = a{}\n", ".b".repeat(2800)),
            format!("x = {}{}\n", "[".repeat(200), "]".repeat(200)),
            // Wide is not deep: a long literal list of negative numbers.
            format!("x = [{}]\n", vec!["-1"; 50_000].join(", ")),
            format!("x = f(a){}\n", "(b)".repeat(100)),
        ] {
            assert_eq!(problem(&source), None, "{}", &source[..40]);
        }
    }

    #[test]
    fn what_cpython_refuses_is_one_error_not_a_crash() {
        let cases = [
            (format!("x = {}1\n", "-".repeat(200_000)), "3000 deep"),
            (
                format!("x = {}\n", vec!["1"; 100_000].join("+")),
                "3000 deep",
            ),
            (
                format!("x = {}{}\n", "[".repeat(50_000), "]".repeat(50_000)),
                "parentheses",
            ),
            (
                format!("x = {}{}\n", "(".repeat(201), ")".repeat(201)),
                "parentheses",
            ),
            (
                (0..101)
                    .map(|i| format!("{}if x:\n", " ".repeat(i)))
                    .collect::<String>()
                    + &" ".repeat(101)
                    + "pass\n",
                "indentation",
            ),
        ];
        for (source, expected) in cases {
            let message = problem(&source).expect("refused");
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn syntax_errors_say_where() {
        let p = on_parse_stack(|| parse_module("x = (\ny = 2\n").unwrap_err());
        assert!(p.offset > 0, "{p:?}");
    }

    #[test]
    fn literals_read_as_one_value_however_written() {
        for (a, b) in [
            ("'mean'", "\"mean\""),
            ("1.", "1.0"),
            ("-2", "-2"),
            ("True", "True"),
        ] {
            assert_eq!(literal_text(a), literal_text(b), "{a} {b}");
        }
        assert_eq!(literal_text("'mean'").as_deref(), Some("\"mean\""));
        assert_eq!(literal_text("None").as_deref(), Some("None"));
        assert_eq!(literal_text("x"), None);
        assert_eq!(literal_text("-x"), None);
        assert_eq!(literal_text("f(1)"), None);
    }
}
