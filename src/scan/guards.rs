//! Version guards in user code: the tests under which a line runs, read statically, and what
//! they are on the target release.
//!
//! Projects that support several torch releases keep the old API in a branch for the old ones:
//! `if torch.__version__ >= "2.4": ... else: <old>`, `x if _TORCH_GREATER_EQUAL_2_4 else y`,
//! `if hasattr(torch.nn.utils, "parametrizations")`, `try: <new> except ImportError: <old>`.
//! A branch the target release never takes is not something the upgrade breaks; it is a
//! fallback that can go when the project drops the old releases. [`Test`] is such a condition,
//! [`Test::holds`] evaluates it against what the target release is and has.

use std::sync::Arc;

use ruff_text_size::TextSize;

use super::python::UseKind;

/// A condition on the running torch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// The running version compared with `version`, on its first `parts` components
    /// (`int(torch.__version__.split(".")[0]) >= 2` compares the major version only).
    Version {
        op: Op,
        version: Vec<u64>,
        parts: usize,
    },
    /// `torch.__version__.startswith(prefix)`, a comparison of text.
    Prefix(String),
    /// `hasattr(torch.x, "y")`: the name exists in the running release.
    Has(String),
    /// A `try` block that catches what an API change raises fails: one of these uses raises.
    TryFails(Vec<(String, UseKind)>),
    Not(Box<Test>),
    All(Vec<Test>),
    Any(Vec<Test>),
    /// Anything else (`torch.cuda.is_available()`, a flag of the project's own).
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    pub fn from_symbol(s: &str) -> Option<Op> {
        Some(match s.trim() {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "==" | "===" => Op::Eq,
            "!=" => Op::Ne,
            _ => return None,
        })
    }

    /// The name of `operator`'s function (`operator.ge`).
    pub fn from_operator_name(s: &str) -> Option<Op> {
        Some(match s {
            "lt" => Op::Lt,
            "le" => Op::Le,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            _ => return None,
        })
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    fn negated(self) -> Op {
        match self {
            Op::Lt => Op::Ge,
            Op::Le => Op::Gt,
            Op::Gt => Op::Le,
            Op::Ge => Op::Lt,
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
        }
    }

    /// `a op b` is `b op.flipped() a`.
    pub fn flipped(self) -> Op {
        match self {
            Op::Lt => Op::Gt,
            Op::Le => Op::Ge,
            Op::Gt => Op::Lt,
            Op::Ge => Op::Le,
            other => other,
        }
    }

    fn apply(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Lt => o == Less,
            Op::Le => o != Greater,
            Op::Gt => o == Greater,
            Op::Ge => o != Less,
            Op::Eq => o == Equal,
            Op::Ne => o != Equal,
        }
    }
}

/// A branch's condition and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub test: Test,
    /// Where the test (or the `try`) starts.
    pub at: TextSize,
}

/// The `except` clauses around a `try` block: what they catch and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catch {
    /// The exception names caught (`ImportError`, `Exception`; `""` for a bare `except:`).
    pub names: Vec<String>,
    pub at: TextSize,
}

/// What a use raises on the target release, for [`Catch::catches`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raises {
    /// `import` or `from m import x` of what is gone.
    ImportError,
    /// An attribute of a module or class that is gone.
    AttributeError,
    /// A call that no longer binds.
    TypeError,
    /// A tombstone's own exception.
    Other,
}

impl Raises {
    pub fn name(self) -> &'static str {
        match self {
            Raises::ImportError => "ImportError",
            Raises::AttributeError => "AttributeError",
            Raises::TypeError => "TypeError",
            Raises::Other => "its error",
        }
    }
}

impl Catch {
    /// Whether one of the clauses catches `r`: by its name, a base class of it, or all.
    pub fn catches(&self, r: Raises) -> Option<&str> {
        self.names
            .iter()
            .find(|n| {
                let n = n.as_str();
                matches!(n, "" | "Exception" | "BaseException")
                    || match r {
                        Raises::ImportError => matches!(n, "ImportError" | "ModuleNotFoundError"),
                        Raises::AttributeError => n == "AttributeError",
                        Raises::TypeError => n == "TypeError",
                        Raises::Other => n == "RuntimeError",
                    }
            })
            .map(String::as_str)
    }
}

/// The exceptions an API change raises on use, and the handlers that catch them among all
/// others (`except Exception:`, a bare `except:`, written ""): a handler for one of them after
/// a `try` block that uses the tracked package is a fallback for releases where the block
/// fails.
pub const DRIFT_ERRORS: &[&str] = &[
    "ImportError",
    "ModuleNotFoundError",
    "AttributeError",
    "TypeError",
    "NameError",
    "Exception",
    "BaseException",
    "",
];

/// What the target release is and has, for evaluating tests.
pub trait Target {
    /// The release numbers (`[2, 15, 0]`) and the version as written.
    fn version(&self) -> (&[u64], &str);
    /// Whether the name exists; `None` when nothing about it is known.
    fn has(&self, name: &str) -> Option<bool>;
    /// Whether the use raises; `None` when unknown.
    fn fails(&self, name: &str, how: &UseKind) -> Option<bool>;
}

/// The leading numbers of a version (`"2.4.0a0"` → `[2, 4, 0]`); `None` when it starts with
/// none.
pub fn release_numbers(text: &str) -> Option<Vec<u64>> {
    let text = text.trim().trim_start_matches(['v', 'V']);
    let mut out = Vec::new();
    for part in text.split('.') {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            break;
        }
        out.push(digits.parse().ok()?);
        if digits.len() < part.len() {
            break;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn compare(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..n)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

fn join(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

impl Test {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Test::Unknown)
    }

    /// The test that holds exactly when this one does not, negations pushed to the leaves.
    pub fn negate(self) -> Test {
        match self {
            Test::Version { op, version, parts } => Test::Version {
                op: op.negated(),
                version,
                parts,
            },
            Test::Not(t) => *t,
            Test::All(v) => Test::Any(v.into_iter().map(Test::negate).collect()),
            Test::Any(v) => Test::All(v.into_iter().map(Test::negate).collect()),
            Test::Unknown => Test::Unknown,
            other => Test::Not(Box::new(other)),
        }
    }

    /// Both; `Unknown` parts are kept (`x and unknown` is false when `x` is).
    pub fn and(self, other: Test) -> Test {
        match (self, other) {
            (Test::Unknown, Test::Unknown) => Test::Unknown,
            (Test::All(mut a), Test::All(b)) => {
                a.extend(b);
                Test::All(a)
            }
            (Test::All(mut a), b) => {
                a.push(b);
                Test::All(a)
            }
            (a, b) => Test::All(vec![a, b]),
        }
    }

    /// Whether the test holds on the target; `None` when that cannot be known.
    pub fn holds(&self, t: &dyn Target) -> Option<bool> {
        match self {
            Test::Version { op, version, parts } => {
                let (running, _) = t.version();
                let n = (*parts).min(running.len().max(version.len()));
                let cut = |v: &[u64]| v.iter().copied().take(n).collect::<Vec<_>>();
                Some(op.apply(compare(&cut(running), &cut(version))))
            }
            Test::Prefix(p) => Some(t.version().1.starts_with(p.as_str())),
            Test::Has(name) => t.has(name),
            // A fallback runs only when the block fails: unknown uses keep it a fallback, as
            // a handler written for old releases is.
            Test::TryFails(uses) => Some(
                uses.iter()
                    .any(|(name, how)| t.fails(name, how) == Some(true)),
            ),
            Test::Not(x) => x.holds(t).map(|b| !b),
            Test::All(v) => kleene(v, t, false),
            Test::Any(v) => kleene(v, t, true),
            Test::Unknown => None,
        }
    }

    /// Why the test fails on the target, as a reader would say the branch's condition: the
    /// parts that are false ("torch < 2.4").
    pub fn explain_false(&self, t: &dyn Target, package: &str) -> String {
        match self {
            Test::All(v) => v
                .iter()
                .find(|x| x.holds(t) == Some(false))
                .map(|x| x.explain_false(t, package))
                .unwrap_or_default(),
            Test::Any(v) => v
                .iter()
                .map(|x| x.explain_false(t, package))
                .collect::<Vec<_>>()
                .join(" or "),
            other => other.describe(package),
        }
    }

    /// For a test false on the target that is of the version alone: whether the releases it
    /// holds for are older than the target (a fallback) or newer (code for a later release).
    pub fn serves_older(&self, t: &dyn Target) -> Option<bool> {
        match self {
            Test::Version { op, .. } => match op {
                Op::Lt | Op::Le => Some(true),
                Op::Gt | Op::Ge => Some(false),
                Op::Eq | Op::Ne => None,
            },
            Test::All(v) => v
                .iter()
                .find(|x| x.holds(t) == Some(false))
                .and_then(|x| x.serves_older(t)),
            Test::Any(v) => {
                let each: Option<Vec<bool>> = v.iter().map(|x| x.serves_older(t)).collect();
                let each = each?;
                (each.iter().all(|b| *b == each[0]) && !each.is_empty()).then(|| each[0])
            }
            _ => None,
        }
    }

    /// The condition in words; `package` names the package whose version is tested.
    pub fn describe(&self, package: &str) -> String {
        match self {
            Test::Version { op, version, .. } => {
                format!("{package} {} {}", op.symbol(), join(version))
            }
            Test::Prefix(p) => format!("the {package} version starts with `{p}`"),
            Test::Has(name) => format!("`{name}` exists"),
            Test::TryFails(_) => "the `try` block fails".to_string(),
            Test::Not(x) => match &**x {
                Test::Has(name) => format!("`{name}` is missing"),
                Test::Prefix(p) => format!("the {package} version does not start with `{p}`"),
                Test::TryFails(_) => "the `try` block succeeds".to_string(),
                other => format!("not ({})", other.describe(package)),
            },
            Test::All(v) => v
                .iter()
                .filter(|x| !x.is_unknown())
                .map(|x| x.describe(package))
                .collect::<Vec<_>>()
                .join(" and "),
            Test::Any(v) => v
                .iter()
                .map(|x| x.describe(package))
                .collect::<Vec<_>>()
                .join(" or "),
            Test::Unknown => "a condition".to_string(),
        }
    }
}

/// Three-valued `and` (`decisive` false) or `or` (`decisive` true): one part with the decisive
/// value decides, else an unknown part leaves the whole unknown.
fn kleene(parts: &[Test], t: &dyn Target, decisive: bool) -> Option<bool> {
    let mut out = Some(!decisive);
    for x in parts {
        match x.holds(t) {
            Some(b) if b == decisive => return Some(decisive),
            None => out = None,
            Some(_) => {}
        }
    }
    out
}

/// The branch conditions a use sits under, innermost last; shared by every use of a branch.
pub type Guards = Vec<Arc<Condition>>;

/// The words of an identifier, lower case: `_TORCH_GREATER_EQUAL_2_4` → torch, greater,
/// equal, 2, 4; `WITH_PT24` → with, pt, 24 (digits split from the letters they follow).
fn words(ident: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in ident.split('_').filter(|p| !p.is_empty()) {
        let mut cur = String::new();
        let mut prev: Option<char> = None;
        for c in piece.chars() {
            let boundary = match prev {
                Some(p) => {
                    p.is_ascii_digit() != c.is_ascii_digit()
                        || (p.is_lowercase() && c.is_uppercase())
                }
                None => false,
            };
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.extend(c.to_lowercase());
            prev = Some(c);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

const LESS_WORDS: &[&str] = &[
    "less", "lt", "le", "lte", "leq", "lower", "below", "before", "older", "pre", "max", "under",
];
const GREATER_WORDS: &[&str] = &["greater", "gt", "above", "newer", "after", "over"];
const AT_LEAST_WORDS: &[&str] = &["ge", "gte", "geq", "least", "atleast", "min", "since"];

/// The comparison an identifier's words name (`greater_equal` → `>=`), if any.
fn op_of_words(w: &[String]) -> Option<Op> {
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    let equal = w
        .iter()
        .any(|x| matches!(x.as_str(), "equal" | "eq" | "le" | "lte" | "leq"));
    if has(LESS_WORDS) {
        Some(if equal { Op::Le } else { Op::Lt })
    } else if has(GREATER_WORDS) {
        Some(if equal { Op::Ge } else { Op::Gt })
    } else if has(AT_LEAST_WORDS) {
        Some(Op::Ge)
    } else {
        None
    }
}

/// Whether the words name the package: its import name (alone or ending a word, as in
/// `pytorch`) or one of its nicknames.
fn names_package(w: &[String], names: &[String]) -> bool {
    w.iter().any(|x| {
        names
            .iter()
            .any(|n| x == n || (n.len() > 2 && x.ends_with(n.as_str())))
    })
}

/// A flag named for a version test of torch (`_TORCH_GREATER_EQUAL_2_4`, `WITH_PT24`,
/// `is_torch_greater_or_equal_than_2_0`, `TORCH_VERSION_AT_LEAST_2_4`): the version is the
/// trailing numbers, the comparison the words (at least, when none says).
pub fn flag_test(ident: &str, names: &[String]) -> Option<Test> {
    let w = words(ident);
    if !names_package(&w, names) {
        return None;
    }
    let digits: Vec<&String> = w
        .iter()
        .rev()
        .take_while(|x| x.chars().all(|c| c.is_ascii_digit()))
        .collect();
    if digits.is_empty() {
        return None;
    }
    let mut numbers: Vec<u64> = Vec::new();
    for d in digits.iter().rev() {
        numbers.push(d.parse().ok()?);
    }
    // One glued run (`PT24`, `PT113`): torch's major versions have one digit.
    if numbers.len() == 1 && digits[0].len() >= 2 {
        let d = digits[0];
        numbers = vec![d[..1].parse().ok()?, d[1..].parse().ok()?];
    }
    Some(Test::Version {
        op: op_of_words(&w).unwrap_or(Op::Ge),
        version: numbers,
        parts: usize::MAX,
    })
}

/// A variable named for the torch version (`TORCH_VERSION`, `_torch_version`).
pub fn names_version(ident: &str, names: &[String]) -> bool {
    let w = words(ident);
    names_package(&w, names)
        && w.iter().any(|x| x == "version")
        && !w.iter().any(|x| x.chars().all(|c| c.is_ascii_digit()))
        && op_of_words(&w).is_none()
}

/// What a function's name says of a version test it makes: that it is about torch, and the
/// comparison, if the name gives one (`is_torch_greater_or_equal`, `torch_version_ge`).
pub fn function_words(ident: &str, names: &[String]) -> (bool, bool, Option<Op>) {
    let w = words(ident);
    let versionish = w.iter().any(|x| x == "version") || op_of_words(&w).is_some();
    (names_package(&w, names), versionish, op_of_words(&w))
}

/// A requirement on torch in a string (`"torch>=2.4"`, `"torch>=2.1,<3"`).
pub fn requirement_test(text: &str, package: &str) -> Option<Test> {
    let rest = text.trim().strip_prefix(package)?;
    let rest = rest.trim_start();
    if rest.is_empty() || !rest.starts_with(['<', '>', '=', '!']) {
        return None;
    }
    let mut tests = Vec::new();
    for spec in rest.split(',') {
        let spec = spec.trim();
        let cut = spec
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(spec.len());
        let (op, version) = spec.split_at(cut);
        tests.push(Test::Version {
            op: Op::from_symbol(op)?,
            version: release_numbers(version)?,
            parts: usize::MAX,
        });
    }
    Some(if tests.len() == 1 {
        tests.remove(0)
    } else {
        Test::All(tests)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct At(Vec<u64>, &'static str);
    impl Target for At {
        fn version(&self) -> (&[u64], &str) {
            (&self.0, self.1)
        }
        fn has(&self, name: &str) -> Option<bool> {
            match name {
                "pkg.new" => Some(true),
                "pkg.old" => Some(false),
                _ => None,
            }
        }
        fn fails(&self, name: &str, _: &UseKind) -> Option<bool> {
            self.has(name).map(|b| !b)
        }
    }

    fn v(op: Op, version: &[u64]) -> Test {
        Test::Version {
            op,
            version: version.to_vec(),
            parts: usize::MAX,
        }
    }

    fn names() -> Vec<String> {
        vec!["torch".into(), "pt".into()]
    }

    fn flag_test(ident: &str) -> Option<Test> {
        super::flag_test(ident, &names())
    }

    fn function_words(ident: &str) -> (bool, bool, Option<Op>) {
        super::function_words(ident, &names())
    }

    fn names_version(ident: &str) -> bool {
        super::names_version(ident, &names())
    }

    fn requirement_test(text: &str) -> Option<Test> {
        super::requirement_test(text, "torch")
    }

    #[test]
    fn flags_named_for_versions() {
        assert_eq!(
            flag_test("_TORCH_GREATER_EQUAL_2_4"),
            Some(v(Op::Ge, &[2, 4]))
        );
        assert_eq!(flag_test("WITH_PT24"), Some(v(Op::Ge, &[2, 4])));
        assert_eq!(flag_test("WITH_PT113"), Some(v(Op::Ge, &[1, 13])));
        assert_eq!(
            flag_test("_TORCH_LESS_EQUAL_1_13"),
            Some(v(Op::Le, &[1, 13]))
        );
        assert_eq!(
            flag_test("is_torch_greater_or_equal_than_2_0"),
            Some(v(Op::Ge, &[2, 0]))
        );
        assert_eq!(
            flag_test("TORCH_VERSION_AT_LEAST_2_4"),
            Some(v(Op::Ge, &[2, 4]))
        );
        assert_eq!(
            flag_test("is_torch_greater_than_1_12"),
            Some(v(Op::Gt, &[1, 12]))
        );
        // Not about torch, or no version.
        assert_eq!(flag_test("USE_FLASH_2"), None);
        assert_eq!(flag_test("_TORCH_AVAILABLE"), None);
        assert!(names_version("_TORCH_VERSION"));
        assert!(!names_version("_TORCH_GREATER_EQUAL_2_4"));
        // The import name ending a word.
        assert!(names_version("PYTORCH_VERSION"));
        assert_eq!(
            function_words("torch_version_ge"),
            (true, true, Some(Op::Ge))
        );
        assert_eq!(function_words("is_torch_version"), (true, true, None));
        assert!(!function_words("is_torch_available").1);
    }

    #[test]
    fn requirements_and_numbers() {
        assert_eq!(requirement_test("torch>=2.4"), Some(v(Op::Ge, &[2, 4])));
        assert_eq!(
            requirement_test("torch >=2.1, <3"),
            Some(Test::All(vec![v(Op::Ge, &[2, 1]), v(Op::Lt, &[3])]))
        );
        assert_eq!(requirement_test("torchvision>=0.2"), None);
        assert_eq!(release_numbers("2.4.0a0"), Some(vec![2, 4, 0]));
        // A development release is of the release it leads to.
        assert_eq!(release_numbers("2.5.0.dev20240801"), Some(vec![2, 5, 0]));
        assert_eq!(release_numbers("cuda"), None);
    }

    #[test]
    fn evaluation_on_the_target() {
        let t = At(vec![2, 15, 0], "2.15.0");
        // Numbers, not text: 2.15 is newer than 2.4.
        assert_eq!(v(Op::Ge, &[2, 4]).holds(&t), Some(true));
        assert_eq!(v(Op::Lt, &[2, 4]).holds(&t), Some(false));
        assert_eq!(v(Op::Ge, &[2, 4]).negate(), v(Op::Lt, &[2, 4]));
        // The major version alone.
        let major = Test::Version {
            op: Op::Ge,
            version: vec![3],
            parts: 1,
        };
        assert_eq!(major.holds(&t), Some(false));
        // Text prefixes are text: "2.15.0" starts with "2.1".
        assert_eq!(Test::Prefix("2.1".into()).holds(&t), Some(true));
        // Three values: false wins a conjunction, unknown stays unknown.
        let guarded = Test::Unknown.and(v(Op::Lt, &[2, 4]));
        assert_eq!(guarded.holds(&t), Some(false));
        assert_eq!(guarded.explain_false(&t, "pkg"), "pkg < 2.4");
        assert_eq!(Test::Unknown.and(v(Op::Ge, &[2, 4])).holds(&t), None);
        assert_eq!(Test::Has("pkg.new".into()).negate().holds(&t), Some(false));
        assert_eq!(
            Test::Has("pkg.new".into()).negate().describe("pkg"),
            "`pkg.new` is missing"
        );
        // A `try` block fails only when one of its uses does.
        let how = UseKind::Reference;
        let ok = Test::TryFails(vec![
            ("pkg.new".into(), how.clone()),
            ("pkg.x".into(), how.clone()),
        ]);
        assert_eq!(ok.holds(&t), Some(false));
        let fails = Test::TryFails(vec![("pkg.old".into(), how)]);
        assert_eq!(fails.holds(&t), Some(true));
    }

    #[test]
    fn catches_by_class() {
        let c = Catch {
            names: vec!["ImportError".into()],
            at: TextSize::default(),
        };
        assert_eq!(c.catches(Raises::ImportError), Some("ImportError"));
        assert_eq!(c.catches(Raises::AttributeError), None);
        let all = Catch {
            names: vec!["Exception".into()],
            at: TextSize::default(),
        };
        assert_eq!(all.catches(Raises::TypeError), Some("Exception"));
    }
}
