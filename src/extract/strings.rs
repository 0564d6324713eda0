//! The text of string expressions, as Python would build it: literals, f-strings, `+`,
//! `"..." % args` and `"...".format(...)`, with names looked up in what the code binds.
//!
//! Two readers share one walk. [`exact`] answers only when every piece is known (a module path
//! in `sys.modules[...]` must be right or absent). [`message`] answers with what a user would
//! read: a placeholder whose value no static reading knows is left out.

use ruff_python_ast::{self as ast, Expr};

/// What a name is bound to, as text, when that is known.
pub(super) trait Lookup {
    fn string(&self, name: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> Lookup for F {
    fn string(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// The text of `expr`, or `None` unless every piece of it is known.
pub(super) fn exact(expr: &Expr, names: &dyn Lookup) -> Option<String> {
    walk(expr, names, Mode::Exact)
}

/// The text of a message expression as it reads at run time, placeholders whose value is not
/// known left out. `None` when the expression is no string at all.
pub(super) fn message(expr: &Expr, names: &dyn Lookup) -> Option<String> {
    let text = walk(expr, names, Mode::Message)?;
    let text = if walk(expr, names, Mode::Exact).is_some() {
        text
    } else {
        collapse_spaces(&text)
    };
    Some(tidy_lines(&text))
}

/// A message as the user reads it: the indentation of a continued literal (`"... \<newline>
/// ..."`) and runs of spaces are not part of what it says; its lines and paragraphs are.
pub(super) fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.trim().lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&line);
    }
    out
}

/// The text of a docstring expression, placeholders whose value is not known left out and
/// its layout kept (directives are read by their indentation).
pub(super) fn document(expr: &Expr, names: &dyn Lookup) -> Option<String> {
    walk(expr, names, Mode::Message)
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Exact,
    Message,
}

fn walk(expr: &Expr, names: &dyn Lookup, mode: Mode) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::Name(n) => names.string(n.id.as_str()),
        Expr::BinOp(b) if b.op == ast::Operator::Add => {
            let left = walk(&b.left, names, mode)?;
            match walk(&b.right, names, mode) {
                Some(right) => Some(left + &right),
                // `"... " + str(x)`: the rest is not known.
                None if mode == Mode::Message => Some(left),
                None => None,
            }
        }
        Expr::BinOp(b) if b.op == ast::Operator::Mod => {
            let template = walk(&b.left, names, mode)?;
            let args: Vec<&Expr> = match b.right.as_ref() {
                Expr::Tuple(t) => t.elts.iter().collect(),
                one => vec![one],
            };
            let values: Vec<Option<Shown>> = args.iter().map(|a| value(a, names)).collect();
            percent(&template, &values, mode)
        }
        // `fn.__name__` inside a decorator: the name of the function it decorates, when the
        // reader was told (the name itself otherwise, as in `value`).
        Expr::Attribute(a) if a.attr.as_str() == "__name__" => {
            value(expr, names).filter(|v| v.string).map(|v| v.text)
        }
        // `new_name[:-1]`, `name[1:]`: a slice of known text by literal bounds.
        Expr::Subscript(s) => {
            let text = walk(&s.value, names, mode)?;
            let Expr::Slice(slice) = s.slice.as_ref() else {
                return None;
            };
            if slice.step.is_some() {
                return None;
            }
            let chars: Vec<char> = text.chars().collect();
            let bound = |e: Option<&Expr>, default: usize| -> Option<usize> {
                let Some(e) = e else { return Some(default) };
                let v = match value(e, names)? {
                    v if !v.string => v.text.parse::<i64>().ok()?,
                    _ => return None,
                };
                let len = chars.len() as i64;
                Some((if v < 0 { len + v } else { v }).clamp(0, len) as usize)
            };
            let start = bound(slice.lower.as_deref(), 0)?;
            let end = bound(slice.upper.as_deref(), chars.len())?;
            Some(chars[start..end.max(start)].iter().collect())
        }
        // `tail if known else instructions`: a message reads the branch whose text is known
        // (both, when they agree); exact text needs the two to agree.
        Expr::If(i) => {
            let body = walk(&i.body, names, mode);
            let orelse = walk(&i.orelse, names, mode);
            match (body, orelse) {
                (Some(a), Some(b)) if a == b => Some(a),
                (Some(a), None) | (None, Some(a)) if mode == Mode::Message => Some(a),
                _ => None,
            }
        }
        Expr::Call(c) => {
            let Expr::Attribute(a) = c.func.as_ref() else {
                return None;
            };
            // `(head + tail).strip()`: what a user reads has no surrounding whitespace anyway.
            if c.arguments.is_empty() && matches!(a.attr.as_str(), "strip" | "rstrip" | "lstrip") {
                let text = walk(&a.value, names, mode)?;
                return Some(match a.attr.as_str() {
                    "strip" => text.trim().to_string(),
                    "rstrip" => text.trim_end().to_string(),
                    _ => text.trim_start().to_string(),
                });
            }
            if a.attr.as_str() != "format" {
                return None;
            }
            let template = walk(&a.value, names, mode)?;
            let positional: Vec<Option<Shown>> =
                c.arguments.args.iter().map(|a| value(a, names)).collect();
            let keywords: Vec<(&str, Option<Shown>)> = c
                .arguments
                .keywords
                .iter()
                .filter_map(|k| Some((k.arg.as_ref()?.as_str(), value(&k.value, names))))
                .collect();
            braces(&template, mode, |field| match field.parse::<usize>() {
                Ok(i) => positional.get(i).cloned().flatten(),
                Err(_) => keywords
                    .iter()
                    .find(|(k, _)| *k == field)
                    .and_then(|(_, v)| v.clone()),
            })
        }
        Expr::FString(f) => {
            let mut out = String::new();
            for part in &f.value {
                match part {
                    ast::FStringPart::Literal(l) => out.push_str(&l.value),
                    ast::FStringPart::FString(fs) => {
                        for el in &fs.elements {
                            match el {
                                ast::InterpolatedStringElement::Literal(l) => {
                                    out.push_str(&l.value)
                                }
                                ast::InterpolatedStringElement::Interpolation(i) => {
                                    let repr = i.conversion == ast::ConversionFlag::Repr;
                                    let known = value(&i.expression, names).map(|v| v.as_str(repr));
                                    match (known, mode) {
                                        (Some(v), _) => out.push_str(&v),
                                        (None, Mode::Message) => {}
                                        (None, Mode::Exact) => return None,
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// The value of an interpolated expression as `str()` and `repr()` would show it: a string
/// (or a name bound to one), a number, `True`, `False`, `None`, and `f.__name__` of a name.
#[derive(Clone)]
struct Shown {
    text: String,
    /// A string, which `repr()` quotes.
    string: bool,
}

impl Shown {
    fn as_str(&self, repr: bool) -> String {
        if repr && self.string {
            format!("'{}'", self.text)
        } else {
            self.text.clone()
        }
    }
}

fn value(expr: &Expr, names: &dyn Lookup) -> Option<Shown> {
    let plain = |text: String| {
        Some(Shown {
            text,
            string: false,
        })
    };
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => plain(i.to_string()),
            _ => None,
        },
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => {
            let inner = value(&u.operand, names)?;
            (!inner.string).then(|| Shown {
                text: format!("-{}", inner.text),
                string: false,
            })
        }
        Expr::BooleanLiteral(b) => plain(if b.value { "True" } else { "False" }.into()),
        Expr::NoneLiteral(_) => plain("None".into()),
        // `load.__name__` in `def load` is "load": the name a function or class is defined
        // under is its `__name__` (an alias to another definition would not be, and is rare).
        Expr::Attribute(a) if a.attr.as_str() == "__name__" => match a.value.as_ref() {
            Expr::Name(n) if !matches!(n.id.as_str(), "self" | "cls") => Some(Shown {
                text: names
                    .string(&format!("{}.__name__", n.id))
                    .unwrap_or_else(|| n.id.to_string()),
                string: true,
            }),
            _ => None,
        },
        _ => walk(expr, names, Mode::Exact).map(|text| Shown { text, string: true }),
    }
}

/// `template` with its `{field}` replacements (`{}` numbered in order); `{{`/`}}` are braces.
fn braces(template: &str, mode: Mode, field: impl Fn(&str) -> Option<Shown>) -> Option<String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    let mut auto = 0;
    while let Some(ch) = chars.next() {
        match ch {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    spec.push(c);
                }
                // `{name!r:>10}`: the field name ends at the conversion or the format spec.
                let name_end = spec.find(['!', ':']).unwrap_or(spec.len());
                let repr = spec[name_end..].starts_with("!r");
                let name = &spec[..name_end];
                let v = if name.is_empty() {
                    auto += 1;
                    field(&(auto - 1).to_string())
                } else {
                    field(name)
                };
                match (v, mode) {
                    (Some(v), _) => out.push_str(&v.as_str(repr)),
                    (None, Mode::Message) => {}
                    (None, Mode::Exact) => return None,
                }
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// `template % values`: `%s`, `%r`, `%d` and the like take the values in order; `%%` is `%`.
fn percent(template: &str, values: &[Option<Shown>], mode: Mode) -> Option<String> {
    let mut out = String::new();
    let mut next = values.iter();
    let mut chars = template.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        // Flags, width and precision, then the conversion letter.
        let mut conversion = None;
        for c in chars.by_ref() {
            if c.is_ascii_alphabetic() {
                conversion = Some(c);
                break;
            }
        }
        let v = next.next().cloned().flatten();
        match (v, mode) {
            (Some(v), _) => out.push_str(&v.as_str(conversion == Some('r'))),
            (None, Mode::Message) => {}
            (None, Mode::Exact) => return None,
        }
    }
    Some(out)
}

/// What a dropped placeholder leaves: runs of spaces made one, and the empty quotes that
/// surrounded it (`'{name}'`) gone.
fn collapse_spaces(text: &str) -> String {
    let text = text.replace("''", "").replace("\"\"", "").replace("``", "");
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(source: &str) -> Expr {
        ruff_python_parser::parse_expression(source)
            .expect("valid expression")
            .into_expr()
    }

    fn names(n: &str) -> Option<String> {
        match n {
            "NEW" => Some("pkg.new".into()),
            "WHEN" => Some("3.0".into()),
            _ => None,
        }
    }

    #[test]
    fn messages_read_as_python_builds_them() {
        let cases = [
            (r#""use " + NEW"#, "use pkg.new"),
            (
                r#"f"use {NEW} from {WHEN!r} on""#,
                "use pkg.new from '3.0' on",
            ),
            (
                r#""gone in %s, use %r" % (WHEN, NEW)"#,
                "gone in 3.0, use 'pkg.new'",
            ),
            (r#""100%% sure: %d" % 5"#, "100% sure: 5"),
            (
                r#""{} then {0}, {x}".format(WHEN, x=NEW)"#,
                "3.0 then 3.0, pkg.new",
            ),
            (r#""{{literal}} {n:>4}".format(n=-1)"#, "{literal} -1"),
            (
                r#"f"{f.__name__} is {True}, not {None}""#,
                "f is True, not None",
            ),
        ];
        for (source, want) in cases {
            assert_eq!(
                exact(&expr(source), &names).as_deref(),
                Some(want),
                "{source}"
            );
            assert_eq!(
                message(&expr(source), &names).as_deref(),
                Some(want),
                "{source}"
            );
        }
    }

    #[test]
    fn unknown_pieces_are_left_out_of_messages_and_fail_exact_text() {
        let source = r#"f"'{self.name}' is deprecated,  use {NEW}""#;
        assert_eq!(exact(&expr(source), &names), None);
        assert_eq!(
            message(&expr(source), &names).as_deref(),
            Some("is deprecated, use pkg.new")
        );
        // The indentation of a continued literal is not part of the text; its lines are.
        assert_eq!(
            message(&expr("\"Use x.                 x will go.\""), &names).as_deref(),
            Some("Use x. x will go.")
        );
        assert_eq!(
            message(&expr(r#""first\n\t\t second\n\n\nthird\n""#), &names).as_deref(),
            Some("first\nsecond\n\nthird")
        );
        assert_eq!(
            message(&expr(r#""x: " + str(y)"#), &names).as_deref(),
            Some("x:")
        );
        // A decorator's `fn.__name__` is the decorated function's name when the reader knows
        // it; slices, `.strip()` and the known branch of a conditional read as Python does.
        let decorated = |n: &str| match n {
            "fn.__name__" => Some("uniform_".to_string()),
            "head" => Some("  old ".to_string()),
            _ => None,
        };
        assert_eq!(
            message(&expr(r#"f"{fn.__name__[:-1]} is gone""#), &decorated).as_deref(),
            Some("uniform is gone")
        );
        assert_eq!(
            exact(&expr("fn.__name__[:-1]"), &decorated).as_deref(),
            Some("uniform")
        );
        assert_eq!(
            exact(&expr("fn.__name__[1:-1]"), &decorated).as_deref(),
            Some("niform")
        );
        assert_eq!(
            message(
                &expr(r#"(head + (tail(x) if callable(tail) else "new")).strip()"#),
                &decorated
            )
            .as_deref(),
            Some("old new")
        );
        assert_eq!(
            exact(
                &expr(r#"(head + (tail(x) if callable(tail) else "new")).strip()"#),
                &decorated
            ),
            None
        );
        // A name whose text is unknown is no message at all.
        assert_eq!(message(&expr("UNKNOWN"), &names), None);
        assert_eq!(message(&expr("f(x)"), &names), None);
    }
}
