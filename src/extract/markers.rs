//! Reading deprecation and stability markers out of free text: docstrings, warning messages,
//! decorator arguments.
//!
//! Precision matters as much as recall here: a changelog that calls `torch.addmm` a beta API
//! because its docstring says "sparse support is a beta feature" is wrong. A stability marker
//! therefore counts only when its sentence is about the symbol itself ("This API is in beta",
//! "`torch.cond` is a prototype feature"), and only inside a warning or note block.

use std::sync::LazyLock;

use regex::Regex;

use crate::snapshot::Tier;

static REPLACEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:use|using|in favou?r of|replaced by|replaced with|switch to|migrate to|moved to|instead of [^.]*?,? use|call)\s+(?:the\s+)?(?::\w+:)?[`'"~]*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)"#,
    )
    .expect("valid regex")
});

static DOTTED_IN_PACKAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[`'\x22]*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
        .expect("valid regex")
});

static TIER_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(prototype|beta|experimental|subject to change|unstable)\b")
        .expect("valid regex")
});

/// Whether a message speaks of deprecation or removal (as a fact, not as a plan).
pub fn has_deprecation_wording(message: &str) -> bool {
    deprecation_wording(message).is_some()
}

/// The first deprecation wording in `text` that states a deprecation: "we will deprecate",
/// "X will be deprecated in a future release" and "plans to deprecate" are intent, and what
/// they announce has not happened yet.
fn deprecation_wording(text: &str) -> Option<regex::Match<'_>> {
    const INTENT: &[&str] = &[
        "will ",
        "will be ",
        "will soon be ",
        "to be ",
        "plan to ",
        "plans to ",
        "planning to ",
        "going to ",
        "going to be ",
        "intend to ",
        "may ",
        "may be ",
        "might be ",
        // "we'll deprecate this flag in the future"
        "'ll ",
        "’ll ",
        "eventually be ",
        "subject to ",
        // "This location is in the process of being deprecated": under way, not done.
        "process of being ",
    ];
    crate::util::wording::DEPRECATION_WORDING
        .find_iter(text)
        .find(|m| {
            let word = &text[m.start()..m.end()];
            if !word.to_ascii_lowercase().starts_with("deprecat") {
                return true;
            }
            // "Utilities for deprecations": the plural noun is about others, never a statement
            // that this is deprecated.
            let rest = &text[m.end()..];
            let whole: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            if whole.eq_ignore_ascii_case("ions") {
                return false;
            }
            // "to be deprecated" after "is deprecated and" is still the deprecation itself, but
            // then the earlier match already counted.
            let before = text[..m.start()].to_ascii_lowercase();
            !INTENT.iter().any(|w| before.ends_with(w))
        })
}

/// Words that every marker pattern above needs (lowercase): "deprecat", "removed" and
/// "no longer" for [`DEPRECATION_WORDING`], the tiers for [`TIER_WORD`]. Kept beside them: a
/// pattern that needs another word must add it here.
const MARKER_WORDS: &[&str] = &[
    "deprecat",
    "removed",
    "no longer",
    "prototype",
    "beta",
    "experimental",
    "subject to change",
    "unstable",
];

/// Whether a text may state any marker these rules read: a cheap gate for the many
/// docstrings that state none (the patterns themselves cost fifty times as much).
pub fn may_state_markers(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    MARKER_WORDS.iter().any(|w| lower.contains(w))
}

/// The replacement a deprecation message names: the first dotted name after "use", "in favor
/// of", "replaced by" and the like. Only dotted names count, so "use it instead" names nothing.
pub fn replacement_in(message: &str, package: &str) -> Option<String> {
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\w+://\S+").expect("valid regex"));
    let message = URL.replace_all(message, "");
    let message = message.as_ref();
    // "use `X` from `m`": the name in that module.
    static USE_FROM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\buse\s+[`'"]*([A-Za-z_][A-Za-z0-9_]*)[`'"]*\s+from\s+(?:the\s+)?[`'"]*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)"#)
            .expect("valid regex")
    });
    if let Some(c) = USE_FROM.captures(message) {
        return Some(format!("{}.{}", &c[2], &c[1]));
    }
    if let Some(c) = REPLACEMENT.captures(message) {
        let name = c.get(1).expect("the pattern has a group");
        // The whole call when the message gives one: `torch.amp.autocast('cuda', args...)`
        // says what `torch.amp.autocast` alone does not.
        if let Some(call) = call_after(&message[name.end()..]) {
            return Some(format!("{}{call}", name.as_str()));
        }
        return Some(name.as_str().trim_end_matches('.').to_string());
    }
    // "X is deprecated, `torch.y` is the new API": a name in the package that is not the
    // deprecated one. Only names rooted in the package count, to keep `os.environ` out.
    // Exactly two: a message listing several of the package's names (a migration guide)
    // does not say which one replaces the deprecated API.
    let mut names: Vec<String> = Vec::new();
    for c in DOTTED_IN_PACKAGE.captures_iter(message) {
        let n = c[1].to_string();
        if n.split('.').next() == Some(package) && !names.contains(&n) {
            names.push(n);
        }
    }
    match names.as_slice() {
        [_, second] => Some(second.clone()),
        _ => None,
    }
}

/// Whether a guard tests the class of the instance or class the code runs for (`self.__class__`,
/// `type(self)`, `isinstance(self, X)`, `cls.__name__`): the branch is taken for some
/// subclasses only.
pub fn tests_own_class(guard: &str) -> bool {
    static OWN_CLASS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:self|cls)\.__class__\b|\btype\(\s*self\s*\)|\b(?:isinstance|issubclass)\(\s*(?:self|cls)\s*,|\bcls\.__(?:name|qualname)__\b|\bcls\s+(?:is|==|!=)\s")
            .expect("valid regex")
    });
    OWN_CLASS.is_match(guard)
}

/// An `Args:` entry that says its parameter is deprecated: "Deprecated option. Instead, ...",
/// "**Deprecated**: Use ...", "(deprecated) ...", "This argument is deprecated". An entry
/// about something else it names ("a deprecated model's state") says nothing of the parameter.
pub fn entry_deprecates_parameter(text: &str, param: &str) -> bool {
    static SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:this|the)\s+(?:argument|parameter|option|flag|keyword|kwarg)\b")
            .expect("valid regex")
    });
    let text = plain_text(text);
    let found = sentences(&text).any(|sentence| {
        let Some(m) = deprecation_wording(sentence) else {
            return false;
        };
        let subject = sentence[..m.start()]
            .trim_matches(|c: char| c.is_whitespace() || "*([`'\"".contains(c))
            .to_string();
        subject.is_empty()
            || SUBJECT.is_match(&subject)
            || subject.trim_end_matches(|c: char| !c.is_alphanumeric()) == param
                && sentence[m.start()..]
                    .to_ascii_lowercase()
                    .starts_with("deprecat")
            || subject
                .strip_prefix(param)
                .is_some_and(|r| r.trim().eq_ignore_ascii_case("is"))
    });
    found
}

/// "use X instead" / "please use X": the message tells the user to move to something else now.
pub fn urges_replacement(message: &str) -> bool {
    static URGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:please\s+use|use\s+`?[\w.]+(?:\([^)]*\))?`?\s+instead)\b")
            .expect("valid regex")
    });
    URGE.is_match(message)
}

/// A docstring split into its directive blocks.
#[derive(Debug, Default)]
pub struct DocBlocks {
    /// `.. deprecated::` blocks.
    pub deprecated: Vec<Block>,
    /// `.. warning::` / `.. note::` / `Warning:` / `Note:` blocks.
    pub warnings: Vec<Block>,
    /// The first line, for `[Prototype]`-style prefixes.
    pub first_line: String,
    /// Sentences outside any block (the prose of the docstring).
    pub prose: String,
    /// `Args:` entries (`name (type): text`, `:param name: text`), owner set, with the text
    /// of their continuation lines.
    pub entries: Vec<Block>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    /// Line offset within the docstring.
    pub offset: usize,
    pub text: String,
    /// The name of the `Args:` entry (or `:param x:`) the block is nested in, if any.
    pub owner: Option<String>,
}

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    // `.. warning::`, `.. warning ::`, `.. warning:` and Google-style `Warning:` / `Note:`.
    Regex::new(r"(?i)^(?:\.\.\s*(deprecated|warning|note)\s*::?|(warnings?|note)\s*:)(.*)$")
        .expect("valid regex")
});

static ARG_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?::param\s+(?:[\w\[\], ]+\s+)?(\w+):|\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:(?:\s|$))")
        .expect("valid regex")
});

/// For each line, whether it is inside a docstring section that lists something other than
/// parameters (from a header, `Attributes:` or `Returns` over a `-------` line, to the next
/// header), whether it is such a header, and whether it is inside a section of parameters.
fn other_sections(lines: &[&str]) -> (Vec<bool>, Vec<bool>, Vec<bool>) {
    const PARAMETERS: &[&str] = &[
        "args",
        "arguments",
        "parameters",
        "params",
        "keyword args",
        "keyword arguments",
        "kwargs",
        "other parameters",
    ];
    const OTHERS: &[&str] = &[
        "attributes",
        "returns",
        "return",
        "yields",
        "yield",
        "raises",
        "warns",
        "examples",
        "example",
        "see also",
        "references",
        "methods",
        "shape",
        "outputs",
    ];
    static HEADER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^([A-Z][A-Za-z ]{2,30}):?$").expect("valid regex"));
    let mut out = Vec::with_capacity(lines.len());
    let mut headers = vec![false; lines.len()];
    let mut in_parameters = Vec::with_capacity(lines.len());
    let (mut other, mut parameters) = (false, false);
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let underlined = lines
            .get(i + 1)
            .is_some_and(|n| n.trim().len() >= 3 && n.trim().chars().all(|c| c == '-'));
        if let Some(c) = HEADER
            .captures(t)
            .filter(|_| t.ends_with(':') || underlined)
        {
            let name = c[1].trim().to_ascii_lowercase();
            // Only the section names of the Google and NumPy styles: "A dictionary:" in prose
            // is no header, and directives (`Warning:`, `Note:`) are blocks of their own.
            if PARAMETERS.contains(&name.as_str()) {
                (other, parameters) = (false, true);
                headers[i] = true;
            } else if OTHERS.contains(&name.as_str()) {
                (other, parameters) = (true, false);
                headers[i] = true;
            }
        }
        out.push(other);
        in_parameters.push(parameters && !headers[i]);
    }
    (out, headers, in_parameters)
}

/// For each line, whether it belongs to a parameter's entry: the entry's line, or a line
/// indented below it, blank lines and nested lists between included ("- If ``None``: this
/// ... will be removed" under `trust_repo (bool): ...`). Such lines describe the parameter,
/// not the function.
fn entry_lines(
    lines: &[&str],
    in_parameters: &[bool],
    not_an_entry: impl Fn(usize) -> bool,
) -> Vec<bool> {
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let mut out = vec![false; lines.len()];
    // The lines above with less indentation, each with whether it is or is in an entry.
    let mut ancestors: Vec<(usize, bool)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.is_empty() {
            continue;
        }
        let indent = indent_of(line);
        while ancestors.last().is_some_and(|(ind, _)| *ind >= indent) {
            ancestors.pop();
        }
        let is_entry = !not_an_entry(i)
            && (t.starts_with(":param") || in_parameters[i] && ARG_ENTRY.is_match(t));
        out[i] = is_entry || ancestors.last().is_some_and(|(_, e)| *e);
        ancestors.push((indent, out[i]));
    }
    out
}

/// Splits a docstring into the directive blocks that can carry markers: the directive's own
/// line plus the lines indented below it.
pub fn doc_blocks(doc: &str) -> DocBlocks {
    let lines: Vec<&str> = doc.lines().collect();
    let mut blocks = DocBlocks {
        first_line: lines
            .iter()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    // Entries of an `Attributes:`, `Returns:` or `Raises:` section (Google or NumPy style)
    // describe attributes, results and errors, not parameters.
    let (in_other_section, header, in_parameters) = other_sections(&lines);
    let not_an_entry = |i: usize| in_other_section[i] || header[i];
    let of_an_entry = entry_lines(&lines, &in_parameters, not_an_entry);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = indent_of(line);
        let Some(caps) = DIRECTIVE.captures(trimmed) else {
            if let Some(c) = ARG_ENTRY.captures(trimmed).filter(|_| !not_an_entry(i)) {
                let name = c.get(1).or(c.get(2)).map(|m| m.as_str().to_string());
                let mut text = trimmed[c.get(0).map_or(0, |m| m.end())..]
                    .trim()
                    .to_string();
                for l in lines[i + 1..].iter() {
                    let t = l.trim();
                    if t.is_empty() || indent_of(l) <= indent || DIRECTIVE.is_match(t) {
                        break;
                    }
                    text.push(' ');
                    text.push_str(t);
                }
                blocks.entries.push(Block {
                    offset: i,
                    text,
                    owner: name,
                });
            }
            if !trimmed.is_empty() && !of_an_entry[i] {
                blocks.prose.push_str(trimmed);
                blocks.prose.push(' ');
            }
            i += 1;
            continue;
        };
        let kind = caps
            .get(1)
            .or(caps.get(2))
            .map(|m| m.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        let mut text = caps
            .get(3)
            .map(|m| m.as_str().trim().to_string())
            .unwrap_or_default();
        // The entry this block is nested in: the nearest line above with less indentation.
        let owner = lines[..i]
            .iter()
            .enumerate()
            .rev()
            .map(|(j, l)| (j, indent_of(l), l.trim()))
            .find(|(_, ind, t)| !t.is_empty() && *ind < indent)
            .filter(|(j, _, _)| !not_an_entry(*j))
            .and_then(|(_, _, t)| ARG_ENTRY.captures(t))
            .and_then(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()));
        let start = i;
        i += 1;
        while i < lines.len() {
            let l = lines[i];
            let t = l.trim_start();
            if !t.is_empty() && indent_of(l) <= indent {
                break;
            }
            if !t.is_empty() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(t.trim_end());
            }
            i += 1;
        }
        let block = Block {
            offset: start,
            text,
            owner,
        };
        if kind == "deprecated" {
            blocks.deprecated.push(block);
        } else {
            blocks.warnings.push(block);
        }
    }
    blocks
}

/// `(...)` at the start of `rest`, balanced and short (an example call, not a paragraph).
fn call_after(rest: &str) -> Option<&str> {
    if !rest.starts_with('(') {
        return None;
    }
    let mut depth = 0;
    for (i, ch) in rest.char_indices().take(80) {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..=i]);
                }
            }
            '`' | '\n' => return None,
            _ => {}
        }
    }
    None
}

/// Whether a deprecation message is about the symbol itself: a sentence with deprecation
/// wording whose subject is "this ...", "it", or the symbol's own name
/// (`torch.cuda.amp.GradScaler(args...) is deprecated`). "TORCH_HUB is deprecated" or
/// "support for X is deprecated" are about something else.
pub fn deprecation_about_self(message: &str, name: &str, module_last: &str) -> bool {
    sentences(message).any(|sentence| {
        let Some(m) = deprecation_wording(sentence) else {
            return false;
        };
        let lower = sentence[..m.start()].to_ascii_lowercase();
        let Some(verb) = find_word(
            &lower,
            &["is", "are", "was", "were", "has", "have", "will", "being"],
        ) else {
            // "Deprecated: use X" / "deprecated since 1.2" with no subject: the documented
            // object itself.
            return lower.trim().is_empty();
        };
        let subject = clean_subject(&lower[..verb]);
        is_self_subject(subject, false) || names_self(subject, name, module_last)
    })
}

/// The first sentence with deprecation wording, and the next one when it names the
/// replacement ("X is deprecated. Please use Y instead.").
pub fn deprecation_sentence(text: &str) -> Option<String> {
    let mut all = sentences(text).skip_while(|s| !has_deprecation_wording(s));
    let first = all.next()?;
    match all.next() {
        Some(next) if !REPLACEMENT.is_match(first) && REPLACEMENT.is_match(next) => {
            Some(format!("{first} {next}"))
        }
        _ => Some(first.to_string()),
    }
}

fn clean_subject(subject: &str) -> &str {
    let s = subject
        .trim()
        .trim_matches(|c: char| c == '`' || c == '*' || c == ':' || c == '\'' || c == '"');
    let s = s
        .trim_start_matches(":func:")
        .trim_start_matches(":class:")
        .trim_start_matches(":meth:")
        .trim_start_matches(":mod:");
    s.trim_matches(|c: char| c == '`' || c == '~' || c == '(' || c == ')' || c == '\'' || c == '"')
}

/// A subject that is a (dotted, maybe called) name ending in the symbol's own name.
fn names_self(subject: &str, name: &str, module_last: &str) -> bool {
    let s = subject
        .split('(')
        .next()
        .unwrap_or(subject)
        .trim()
        .trim_matches(|c: char| c == '`' || c == '\'' || c == '"');
    if s.contains(' ') || s.is_empty() {
        return false;
    }
    let last = s.rsplit('.').next().unwrap_or(s);
    last.eq_ignore_ascii_case(name)
        || (!module_last.is_empty() && last.eq_ignore_ascii_case(module_last))
}

/// The tier a warning block states for the symbol named `name` (last component) defined in
/// module `module_last`, if one of its sentences is about the symbol itself.
pub fn stated_tier(block: &str, name: &str, module_last: &str) -> Option<Tier> {
    for sentence in sentences(block) {
        if let Some(tier) = sentence_tier(sentence, name, module_last) {
            return Some(tier);
        }
    }
    None
}

/// `[Prototype]`, `(Beta)`, `Prototype:` at the very start of a docstring.
pub fn prefix_tier(first_line: &str) -> Option<Tier> {
    let l = first_line.to_ascii_lowercase();
    for (word, tier) in [
        ("prototype", Tier::Prototype),
        ("beta", Tier::Beta),
        ("experimental", Tier::Experimental),
    ] {
        if l.starts_with(&format!("[{word}]"))
            || l.starts_with(&format!("({word})"))
            || l.starts_with(&format!("{word}:"))
        {
            return Some(tier);
        }
    }
    None
}

fn sentences(text: &str) -> impl Iterator<Item = &str> {
    // Split on ". " / "! " / "? " but not inside dotted names like `torch.cond`.
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    for i in 0..bytes.len() {
        if matches!(bytes[i], b'.' | b'!' | b'?')
            && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace())
        {
            out.push(text[start..=i].trim());
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(text[start..].trim());
    }
    out.into_iter().filter(|s| !s.is_empty())
}

fn sentence_tier(sentence: &str, name: &str, module_last: &str) -> Option<Tier> {
    let words = TIER_WORD.captures(sentence)?;
    let before = &sentence[..words.get(0)?.start()];
    // The subject: the words before the verb ("is"/"are") that precedes the tier word.
    let lower = before.to_ascii_lowercase();
    let verb_at = find_word(&lower, &["is", "are", "remains", "currently"])?;
    let subject = clean_subject(&lower[..verb_at]);
    // "The (PyTorch) API of X" is X.
    let subject = api_of(subject).unwrap_or(subject);
    if !is_self_subject(subject, true) && !names_self(subject, name, module_last) {
        return None;
    }
    // Between verb and tier word only a few filler words ("currently in an early").
    let between = &lower[verb_at..];
    if between.split_whitespace().count() > 6 {
        return None;
    }
    Some(match words[1].to_ascii_lowercase().as_str() {
        "prototype" => Tier::Prototype,
        "beta" => Tier::Beta,
        _ => Tier::Experimental,
    })
}

/// `X` of "the api of X" / "the pytorch api of X" (lowercase).
fn api_of(subject: &str) -> Option<&str> {
    let rest = subject.trim().strip_prefix("the ")?;
    let (api, x) = rest.split_once(" of ")?;
    let api_words: Vec<&str> = api.split_whitespace().collect();
    (api_words.last() == Some(&"api") && api_words.len() <= 2).then_some(x.trim())
}

fn find_word(haystack: &str, words: &[&str]) -> Option<usize> {
    let mut pos = 0;
    for w in haystack.split_inclusive(char::is_whitespace) {
        let t = w.trim();
        if words.contains(&t) {
            return Some(pos);
        }
        pos += w.len();
    }
    None
}

/// "this", "it", "this <a few words>" (this API, this flag, this context manager), or
/// "the <words> API/feature" in the symbol's own docstring.
fn is_self_subject(subject: &str, for_stability: bool) -> bool {
    let s = subject.trim();
    if matches!(s, "this" | "it" | "these") {
        return true;
    }
    if let Some(rest) = s.strip_prefix("this ").or_else(|| s.strip_prefix("these ")) {
        // "this argument" / "this behavior" / "this usage" speak of a way of calling, not of
        // the symbol.
        const NOT_SELF: &[&str] = &[
            "argument",
            "arguments",
            "parameter",
            "parameters",
            "keyword",
            "option",
            "options",
            "behavior",
            "behaviour",
            "usage",
            "use",
            "overload",
            "signature",
            "form",
            "value",
        ];
        let words: Vec<&str> = rest.split_whitespace().collect();
        return (1..=3).contains(&words.len())
            && !words
                .iter()
                .any(|w| NOT_SELF.contains(w) || *w == "of" || *w == "for");
    }
    // "The named tensor API is experimental" in a method's own docstring states the method's
    // tier; "The old `hook` API is deprecated" in another function's does not deprecate it.
    if let Some(rest) = s.strip_prefix("the ").filter(|_| for_stability) {
        let words: Vec<&str> = rest.split_whitespace().collect();
        return words.len() <= 4
            && matches!(
                words.last(),
                Some(&("api" | "apis" | "feature" | "functionality"))
            );
    }
    false
}

/// The parameters a deprecation text is about: those of `params` it names (as a word, in
/// backticks, `:attr:` or plain) outside its "use ... instead" clause.
/// Whether a text names parameter `p` as code, not as a word of its prose: quoted
/// (`` `mode` ``, `'mode'`), passed (`mode=`), or called an argument ("the mode argument",
/// "parameter mode"). "Please set training mode before exporting" names no parameter.
pub fn names_as_code(text: &str, p: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let p = p.to_ascii_lowercase();
    let quoted = ["`", "'", "\""]
        .iter()
        .any(|q| lower.contains(&format!("{q}{p}{q}")));
    let passed = lower.contains(&format!("{p}="));
    const ROLES: [&str; 5] = ["argument", "parameter", "keyword", "kwarg", "option"];
    let called = ROLES
        .iter()
        .any(|r| lower.contains(&format!("{p} {r}")) || lower.contains(&format!("{r} {p}")));
    quoted || passed || called
}

pub fn parameters_named(text: &str, params: &[String]) -> Vec<String> {
    // A parameter named as the way out ("use the `kwargs` argument instead") is the
    // replacement, not what is deprecated.
    static REPLACEMENT_CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:use|using|in favou?r of|replaced by)\b.*").expect("valid regex")
    });
    let named = |t: &str| -> Vec<String> {
        params
            .iter()
            .filter(|p| {
                p.len() > 1 && p.as_str() != "self" && p.as_str() != "cls" && contains_word(t, p)
            })
            .cloned()
            .collect()
    };
    // Best: the subject of the deprecation sentence, up to a qualifier ("the `reduce`
    // argument with a Tensor `src` is deprecated" is about `reduce`).
    let deprecation = sentences(text).find(|s| has_deprecation_wording(s));
    if let Some(sentence) = deprecation {
        let at = deprecation_wording(sentence).map_or(0, |m| m.start());
        let subject = &sentence[..at];
        let lower = subject.to_ascii_lowercase();
        let cut = [" with ", " when ", " if ", " for ", " unless ", " while "]
            .iter()
            .filter_map(|w| lower.find(w))
            .min()
            .unwrap_or(subject.len());
        let found = named(&subject[..cut]);
        if !found.is_empty() {
            return found;
        }
    }
    // "`input_fn` ... took two arguments `(inputs, device_mesh)`": a name inside parentheses
    // is an argument of what the text is about, unless nothing else is named.
    static PARENTHESISED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\([^()]*\)").expect("valid regex"));
    let rest = REPLACEMENT_CLAUSE.replace(text, "");
    if deprecation.is_none() {
        // A test (`if size_average is not None:`), not a message.
        return named(&rest);
    }
    let outside = named(&PARENTHESISED.replace_all(&rest, ""));
    if outside.is_empty() {
        named(&rest)
    } else {
        outside
    }
}

/// The value a notice's text says passing is deprecated ("`return_complex=False` is
/// deprecated", "reduction='elementwise_mean' has been deprecated"), as
/// [`literal_value`](crate::util::python::literal_value) writes it.
pub fn stated_value(message: &str, param: &str) -> Option<String> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = message[from..].find(param).map(|i| from + i) {
        from = i + param.len();
        if message[..i].ends_with(ident) {
            continue;
        }
        let Some(rest) = message[from..].trim_start().strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let end = rest
            .find(|c: char| c == '`' || c == ',' || c == ')' || c.is_whitespace())
            .unwrap_or(rest.len());
        let after = rest[end..].trim_start_matches('`');
        let deprecated = [
            " is deprecated",
            " has been deprecated",
            " was deprecated",
            " is now deprecated",
            " are deprecated",
        ]
        .iter()
        .any(|v| after.starts_with(v));
        if deprecated {
            if let Some(v) = crate::util::python::literal_text(rest[..end].trim_end_matches('.')) {
                return Some(v);
            }
        }
    }
    None
}

/// The value a guard tests `param` against, when it compares it with a literal: `(true, v)`
/// when the guard holds for `param == v` alone (`p == "mean"`, `p is False`), `(false, v)`
/// when it holds for every value but `v` (`p is not True`, `p != 0`, the `else:` of
/// `if p is True or ...:`). The value is [`literal_value`](crate::util::python::literal_value)'s.
pub fn value_test(guard: &str, param: &str) -> Option<(bool, String)> {
    fn compared(test: &str, param: &str) -> Option<(bool, String)> {
        let rest = test.trim().strip_prefix(param)?;
        for (op, equal) in [
            (" is not ", false),
            (" != ", false),
            (" is ", true),
            (" == ", true),
        ] {
            if let Some(v) = rest.strip_prefix(op) {
                return crate::util::python::literal_text(v.trim()).map(|v| (equal, v));
            }
        }
        None
    }
    guard.split(" and ").find_map(|part| {
        let part = part.trim();
        if let Some(found) = compared(part.trim_matches(|c| c == '(' || c == ')'), param) {
            return Some(found);
        }
        // `not (p is True or ...)`: every alternative fails, this one too.
        if let Some(inner) = part.strip_prefix("not (").and_then(|r| r.strip_suffix(')')) {
            return inner
                .split(" or ")
                .find_map(|alt| {
                    compared(
                        alt.trim_matches(|c: char| c == '(' || c == ')' || c == ' '),
                        param,
                    )
                })
                .map(|(equal, v)| (!equal, v));
        }
        let inner = part.strip_prefix("not ")?;
        compared(inner.trim_matches(|c| c == '(' || c == ')'), param).map(|(equal, v)| (!equal, v))
    })
}

/// The literal that makes `guard` fail for `param` when its default (`default`, Python
/// source) makes it hold: `True` for `not p` of a falsy default, `v` for `p is not v` and
/// `p != v`. A call passing that value takes the other path.
pub fn exempting_value(guard: &str, param: &str, default: &str) -> Option<String> {
    let bare = guard
        .split(" and ")
        .any(|part| part.trim().trim_matches(|c| c == '(' || c == ')') == format!("not {param}"));
    if bare {
        return holds_for_default(guard, param, default).then(|| "True".to_string());
    }
    match value_test(guard, param) {
        Some((false, v)) if crate::util::python::literal_text(default).as_ref() != Some(&v) => {
            Some(v)
        }
        _ => None,
    }
}

/// Whether a test holds when `param` is left out: `param is None` (alone, or joined by `and`
/// to other tests), not `param is not None`.
pub fn tests_omission(test: &str, param: &str) -> bool {
    test.split(" and ").any(|part| {
        let part = part.trim().trim_matches(|c| c == '(' || c == ')').trim();
        part == format!("{param} is None") || part == format!("{param} == None")
    })
}

/// Whether a guard (`a and b` of the enclosing tests) holds when `param` has its default
/// `default` (source text): `not p` or `p is False` for a falsy default, `p is <default>`, or
/// the negation of `p is True` / `p` (an `else:` branch).
pub fn holds_for_default(guard: &str, param: &str, default: &str) -> bool {
    let falsy = matches!(default, "False" | "None" | "0" | "''" | "\"\"");
    guard.split(" and ").any(|part| {
        let part = part.trim();
        let is_default = |t: &str| {
            [
                format!("{param} is {default}"),
                format!("{param} == {default}"),
            ]
            .contains(&t.to_string())
        };
        if is_default(part.trim_matches(|c| c == '(' || c == ')')) {
            return true;
        }
        if !falsy {
            return false;
        }
        if part == format!("not {param}") {
            return true;
        }
        // `not (p is True or ...)`: the `else:` of a test that a truthy `p` passes.
        let Some(inner) = part.strip_prefix("not (").and_then(|r| r.strip_suffix(')')) else {
            return false;
        };
        let first = inner.split(" or ").next().unwrap_or("").trim();
        [
            param.to_string(),
            format!("{param} is True"),
            format!("{param} == True"),
        ]
        .contains(&first.to_string())
    })
}

/// Whether a message deprecates leaving `param` out: "If `dim` is not given, it defaults to
/// ... This behavior is deprecated".
pub fn describes_omission(message: &str, param: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    let p = param.to_ascii_lowercase();
    ["", "`", "``"].iter().any(|q| {
        [
            "is not given",
            "is not specified",
            "is not passed",
            "is not provided",
            "is omitted",
            "is none",
        ]
        .iter()
        .any(|tail| lower.contains(&format!("if {q}{p}{q} {tail}")))
    })
}

/// The parameters a text mentions anywhere.
pub fn parameters_mentioned(text: &str, params: &[String]) -> Vec<String> {
    params
        .iter()
        .filter(|p| {
            p.len() > 1 && p.as_str() != "self" && p.as_str() != "cls" && contains_word(text, p)
        })
        .cloned()
        .collect()
}

/// `.. deprecated:: 1.1 text` → `deprecated since 1.1: text`, as plain text. One version per
/// notice: a text that states its own ("Deprecated since 2.5, use ...") is kept as it is, and
/// one that says only "deprecated" adds nothing to the prefix.
pub fn directive_message(text: &str) -> String {
    let text = plain_text(text);
    let (first, rest) = text.split_once(' ').unwrap_or((&text, ""));
    let rest = rest.trim();
    if first.is_empty() || !first.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return text.to_string();
    }
    let lower = rest.to_ascii_lowercase();
    let bare = lower.trim_end_matches('.');
    if rest.is_empty() || bare == "deprecated" {
        return format!("deprecated since {first}");
    }
    static OWN_VERSION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\bsince (?:version |v)?\d").expect("valid regex"));
    if OWN_VERSION.is_match(rest) {
        return rest.to_string();
    }
    if let Some(after) = rest
        .strip_prefix("Deprecated")
        .or_else(|| rest.strip_prefix("deprecated"))
    {
        let after = after.trim_start_matches([':', ',', '.', ' ']);
        if after.is_empty() {
            return format!("deprecated since {first}");
        }
        return format!("deprecated since {first}: {after}");
    }
    format!("deprecated since {first}: {rest}")
}

/// Text as a user reads it, without reStructuredText markup: roles (`:func:`~pkg.f``)
/// become the name they link to, and double backticks single ones.
pub fn plain_text(text: &str) -> std::borrow::Cow<'_, str> {
    static ROLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r":(?:[a-z]+:)?[a-z]+:`~?([^`<]*?)(?:\s*<([^>`]+)>)?`").expect("valid regex")
    });
    static CODE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\.\. (?:code|code-block|sourcecode)::[ \t]*[A-Za-z0-9_+-]*\s*")
            .expect("valid regex")
    });
    if !text.contains('`') && !text.contains(".. ") {
        return std::borrow::Cow::Borrowed(text);
    }
    // A code directive's example reads as the code itself.
    let text = CODE.replace_all(text, "");
    let text = ROLE.replace_all(&text, |c: &regex::Captures| {
        // `:func:`text <target>`` links `target` under the words `text`.
        let shown = c[1].trim();
        let name = if shown.is_empty() {
            c.get(2).map_or("", |m| m.as_str())
        } else {
            shown
        };
        format!("`{name}`")
    });
    std::borrow::Cow::Owned(text.replace("``", "`"))
}

/// `text` names `name`, alone or as the last part of a dotted path (`pkg.mod.name`).
pub(crate) fn names(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(name).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + name.len()).copied();
        before.is_none_or(|b| !is_ident(b)) && after.is_none_or(|b| !is_ident(b))
    })
}

pub(super) fn contains_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(word).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + word.len()).copied();
        before.is_none_or(|b| !is_ident(b) && b != b'.') && after.is_none_or(|b| !is_ident(b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_an_argument_s_entry_says_is_not_the_function_s_prose() {
        let doc = "Load a model.\n\nArgs:\n    trust (bool or None): Whether to trust.\n\n        - If ``True``, it is trusted.\n        - If ``None``: this warns. This\n          is only present for backward compatibility and will be removed in\n          v1.14.\n\n    force (bool): Reload.\n\nA closing paragraph.\n";
        let b = doc_blocks(doc);
        assert_eq!(b.prose, "Load a model. Args: A closing paragraph. ");
        assert!(!deprecation_about_self(&b.prose, "load", "hub"));
        // Without a section of parameters, `Name: text` is prose.
        let doc = "Deprecated: use `rel.g` instead.\n";
        assert_eq!(doc_blocks(doc).prose, "Deprecated: use `rel.g` instead. ");
    }

    #[test]
    fn a_parameter_named_as_code() {
        for named in [
            "Pass `mode` instead.",
            "set mode= explicitly",
            "the mode argument is ignored",
            "'mode' goes",
        ] {
            assert!(names_as_code(named, "mode"), "{named}");
        }
        assert!(!names_as_code(
            "Please set training mode before exporting the model.",
            "mode"
        ));
    }

    #[test]
    fn intent_to_deprecate_is_no_deprecation() {
        for intent in [
            "We will deprecate this in a future release.",
            "rel.f will be deprecated in 3.0.",
            "This is going to be deprecated.",
            "We plan to deprecate rel.f.",
            "please set `fold` to True whenever you can, we'll deprecate this flag and",
            "This location is in the process of being deprecated. Please, use `rel.g`.",
        ] {
            assert!(!has_deprecation_wording(intent), "{intent}");
        }
        for stated in [
            "rel.f is deprecated and will be removed in 3.0.",
            "rel.f will be removed.",
            // A removal announced is the deprecation, however it is phrased.
            "`X` from `rel.grouping` is going to be removed in 2.1.",
            "Deprecated since 2.0.",
            // An earlier intent does not hide a stated deprecation later on.
            "We will deprecate g; f is deprecated already.",
        ] {
            assert!(has_deprecation_wording(stated), "{stated}");
        }
    }

    #[test]
    fn directive_messages_state_one_version_and_no_repeats() {
        let cases = [
            ("2.0", "deprecated since 2.0"),
            ("2.0 Deprecated.", "deprecated since 2.0"),
            (
                "2.0 Deprecated, use `f` instead.",
                "deprecated since 2.0: use `f` instead.",
            ),
            (
                "2.11.0 deprecated since 2.5, use g",
                "deprecated since 2.5, use g",
            ),
            (
                "2.0 Use g instead since it is faster.",
                "deprecated since 2.0: Use g instead since it is faster.",
            ),
            ("Use g.", "Use g."),
        ];
        for (text, want) in cases {
            assert_eq!(directive_message(text), want, "{text}");
        }
    }

    #[test]
    fn plain_text_drops_rst_markup() {
        assert_eq!(
            plain_text("Use :func:`~pkg.linalg.solve` or ``pkg.solve``."),
            "Use `pkg.linalg.solve` or `pkg.solve`."
        );
        assert_eq!(
            plain_text("see :py:meth:`the method <pkg.Tensor.add>`"),
            "see `the method`"
        );
        assert_eq!(plain_text(":class:`<pkg.nn.Module>`"), "`pkg.nn.Module`");
        assert_eq!(plain_text("no markup"), "no markup");
        assert_eq!(
            plain_text("should be replaced with .. code:: python L = f(A)"),
            "should be replaced with L = f(A)"
        );
    }

    #[test]
    fn a_replacement_given_as_a_call_is_the_whole_call() {
        assert_eq!(
            replacement_in(
                "Please use `pkg.amp.autocast('cpu', args...)` instead.",
                "pkg"
            )
            .as_deref(),
            Some("pkg.amp.autocast('cpu', args...)")
        );
        assert_eq!(
            replacement_in("Use pkg.linalg.norm instead.", "pkg").as_deref(),
            Some("pkg.linalg.norm")
        );
        // Not a call: the parenthesis closes far away, or never.
        assert_eq!(
            replacement_in("Use pkg.f (see the notes) instead.", "pkg").as_deref(),
            Some("pkg.f")
        );
    }

    #[test]
    fn a_deprecation_sentence_keeps_the_next_one_naming_the_replacement() {
        assert_eq!(
            deprecation_sentence(
                "See X. `a.b(x)` is deprecated. Please use `a.c(x)` instead. More."
            )
            .as_deref(),
            Some("`a.b(x)` is deprecated. Please use `a.c(x)` instead.")
        );
        assert_eq!(
            deprecation_sentence("f is deprecated, use a.g. Unrelated.").as_deref(),
            Some("f is deprecated, use a.g.")
        );
    }

    #[test]
    fn stability_is_about_the_symbol_itself() {
        let t = |s: &str| stated_tier(s, "cond", "cond");
        assert_eq!(
            t("`torch.cond` is a prototype feature in PyTorch. It has limited support."),
            Some(Tier::Prototype)
        );
        assert_eq!(
            t("This API is in beta and may change in future releases."),
            Some(Tier::Beta)
        );
        assert_eq!(
            t("This feature is experimental and subject to change."),
            Some(Tier::Experimental)
        );
        assert_eq!(
            t("This is an experimental feature."),
            Some(Tier::Experimental)
        );
        assert_eq!(
            t("This API is subject to change."),
            Some(Tier::Experimental)
        );
        // Negative cases: a feature of the function, a parameter, another API.
        assert_eq!(
            t("Sparse support is a beta feature and some layout(s) may not be supported."),
            None
        );
        assert_eq!(t("beta (float): the beta coefficient"), None);
        assert_eq!(t("`torch.compile` is a prototype feature."), None);
        assert_eq!(
            t("The default will change; the nested tensor layout is in prototype stage."),
            None
        );
        assert_eq!(t("See the beta release notes."), None);
        assert_eq!(
            t("The named tensor API is experimental and subject to change."),
            Some(Tier::Experimental)
        );
        assert_eq!(
            t("This flag is beta and subject to change."),
            Some(Tier::Beta)
        );
        assert_eq!(
            t("This context manager is an early prototype."),
            Some(Tier::Prototype)
        );
    }

    #[test]
    fn module_name_subject_counts() {
        assert_eq!(
            stated_tier(
                "`torch.nn.attention.flex_attention` is a prototype feature in PyTorch.",
                "flex_attention",
                "flex_attention"
            ),
            Some(Tier::Prototype)
        );
    }

    #[test]
    fn prefixes() {
        assert_eq!(
            prefix_tier("[Prototype] Does a thing."),
            Some(Tier::Prototype)
        );
        assert_eq!(prefix_tier("Beta: stuff"), Some(Tier::Beta));
        assert_eq!(prefix_tier("Computes beta."), None);
    }

    #[test]
    fn the_gate_passes_every_marker_sentence() {
        for text in [
            "This function is no longer supported.",
            "Deprecated since 1.2.",
            ".. deprecated:: 2.0",
            "X will be removed in 3.0.",
            "This API is in beta.",
            "Prototype: subject to change.",
            "This feature is experimental.",
        ] {
            assert!(may_state_markers(text), "{text}");
            assert!(
                has_deprecation_wording(text) || TIER_WORD.is_match(text),
                "the patterns themselves match `{text}`"
            );
        }
        assert!(!may_state_markers(
            "Adds two tensors and returns their sum."
        ));
    }

    #[test]
    fn values_a_notice_says_are_deprecated() {
        let v = stated_value;
        assert_eq!(
            v(
                "`return_complex=False` is deprecated, instead use `return_complex=True`",
                "return_complex"
            ),
            Some("False".to_string())
        );
        assert_eq!(
            v(
                "reduction='elementwise_mean' has been deprecated, use 'mean'",
                "reduction"
            ),
            Some("\"elementwise_mean\"".to_string())
        );
        // Another parameter's value, a value recommended, or no value.
        assert_eq!(v("xreduction=1 is deprecated", "reduction"), None);
        assert_eq!(
            v("use `return_complex=True` instead", "return_complex"),
            None
        );
        assert_eq!(v("size_average is deprecated", "size_average"), None);
        assert_eq!(v("p=other is deprecated", "p"), None);
    }

    #[test]
    fn value_tests_of_a_parameter() {
        let v = |g: &str| value_test(g, "p");
        assert_eq!(v("p == 'mean'"), Some((true, "\"mean\"".to_string())));
        assert_eq!(v("x and (p is False)"), Some((true, "False".to_string())));
        assert_eq!(v("p is not True"), Some((false, "True".to_string())));
        assert_eq!(v("p != 0"), Some((false, "0".to_string())));
        assert_eq!(
            v("not (p is True or isinstance(m, (A, B)))"),
            Some((false, "True".to_string()))
        );
        assert_eq!(v("not p == 1.0"), Some((false, "1.0".to_string())));
        // Not a literal, another parameter, or no comparison at all.
        assert_eq!(v("p == other"), None);
        assert_eq!(v("pp == 1"), None);
        assert_eq!(v("p"), None);
        assert_eq!(v("isinstance(p, int)"), None);
    }

    #[test]
    fn values_that_take_a_call_off_the_warning_path() {
        let e = |g: &str, d: &str| exempting_value(g, "_internal", d);
        assert_eq!(e("not _internal", "False"), Some("True".to_string()));
        assert_eq!(e("x and not _internal", "False"), Some("True".to_string()));
        assert_eq!(
            e("_internal is not True", "False"),
            Some("True".to_string())
        );
        assert_eq!(
            e("_internal != 'self'", "None"),
            Some("\"self\"".to_string())
        );
        // The default does not take the warning path: calls leaving it out are fine already.
        assert_eq!(e("not _internal", "True"), None);
        assert_eq!(e("_internal is not None", "None"), None);
        // A test of one value, or no comparison: no one value avoids it.
        assert_eq!(e("_internal == 0", "0"), None);
        assert_eq!(e("_internal", "False"), None);
    }

    #[test]
    fn guards_the_default_satisfies() {
        let h = holds_for_default;
        assert!(h(
            "not (dynamo is True or isinstance(model, ExportedProgram))",
            "dynamo",
            "False"
        ));
        assert!(h("not dynamo", "dynamo", "False"));
        assert!(h("x > 1 and (mode is None)", "mode", "None"));
        assert!(h("reduction == 'mean'", "reduction", "'mean'"));
        assert!(!h("dynamo is True", "dynamo", "False"));
        assert!(!h("not dynamo", "dynamo", "True"));
        assert!(!h("not (other or dynamo)", "dynamo", "False"));
    }

    #[test]
    fn guards_on_the_own_class() {
        assert!(tests_own_class(
            "isinstance(params, torch.Tensor) and self.__class__.__name__ == 'SparseAdam'"
        ));
        assert!(tests_own_class("type(self) is Base"));
        assert!(tests_own_class("not (isinstance(self, Legacy))"));
        assert!(tests_own_class("cls is Optimizer"));
        assert!(!tests_own_class("isinstance(params, torch.Tensor)"));
        assert!(!tests_own_class("self.training and reduce is not None"));
    }

    #[test]
    fn only_parameter_sections_have_parameter_entries() {
        let doc = "An event.\n\nArgs:\n    name (str): The name.\n        A dictionary:\n    flag (bool): Deprecated.\n\nAttributes:\n    metadata_json (str): Deprecated; use `extra` instead.\n\nReturns\n-------\n    out: the result.\n";
        let owners: Vec<String> = doc_blocks(doc)
            .entries
            .into_iter()
            .filter_map(|b| b.owner)
            .collect();
        assert_eq!(owners, ["name", "flag"]);
        // A directive inside an attribute's entry is not a parameter's either.
        let doc = "Attributes:\n    flag (bool): A flag.\n\n        .. deprecated:: 2.0\n";
        let blocks = doc_blocks(doc);
        assert_eq!(blocks.deprecated.len(), 1);
        assert_eq!(blocks.deprecated[0].owner, None);
    }

    #[test]
    fn args_entries_that_deprecate_their_parameter() {
        for yes in [
            "Deprecated option. Only ONNX is supported.",
            "Whether to return lse. Default is False. **Deprecated**: Use ``aux`` instead.",
            "(deprecated) the device to pin memory on.",
            "This argument is deprecated and will be removed.",
            "Deprecated, the current accelerator will be used.",
        ] {
            assert!(entry_deprecates_parameter(yes, "training"), "{yes}");
        }
        for no in [
            "This argument is discouraged and subject to deprecation.",
            "the state of a deprecated model to load.",
            "Loads the weights. ``other_fn`` is deprecated.",
            "Whether to check. Default: True",
        ] {
            assert!(!entry_deprecates_parameter(no, "training"), "{no}");
        }
    }

    #[test]
    fn the_plural_noun_states_no_deprecation() {
        assert!(!has_deprecation_wording(
            "Deprecations a static reader finds only by following the code."
        ));
        assert!(has_deprecation_wording(
            "Deprecation: this module is going away."
        ));
    }

    #[test]
    fn a_migration_guide_names_no_one_replacement() {
        let r = |m: &str| replacement_in(m, "pkg");
        assert_eq!(
            r("`pkg.x` is deprecated; `pkg.y` is the new API, see `pkg.y`.").as_deref(),
            Some("pkg.y")
        );
        assert_eq!(
            r("pkg.quant is deprecated. 1. Eager mode (pkg.quant.quantize, pkg.quant.quantize_dynamic): migrate to pkgao."),
            None
        );
    }

    #[test]
    fn urging_a_replacement() {
        assert!(urges_replacement(
            "X is going to be deprecated in 1.12, please use Y instead"
        ));
        assert!(urges_replacement(
            "X will be deprecated; use `pkg.y` instead."
        ));
        assert!(!urges_replacement(
            "we will deprecate X in a future release"
        ));
        assert!(!urges_replacement("use_reentrant will be deprecated"));
    }

    #[test]
    fn deprecation_wording() {
        assert!(has_deprecation_wording(
            "`x` is deprecated and will be removed"
        ));
        assert!(has_deprecation_wording(
            "This function was deprecated since version 1.9 and is now removed."
        ));
        assert!(!has_deprecation_wording(
            "In a future release the default value of `weights_only` will be flipped"
        ));
    }

    #[test]
    fn replacements() {
        let r = |m: &str| replacement_in(m, "torch");
        assert_eq!(
            r("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('cuda', args...)` instead.").as_deref(),
            Some("torch.amp.GradScaler('cuda', args...)")
        );
        assert_eq!(
            r("Please use the `torch.linalg.eigh` function instead.").as_deref(),
            Some("torch.linalg.eigh")
        );
        assert_eq!(
            r("deprecated in favor of torch.nn.utils.parametrizations.weight_norm.").as_deref(),
            Some("torch.nn.utils.parametrizations.weight_norm")
        );
        assert_eq!(r("It is deprecated; use it with care"), None);
        // A bare name and the module to take it from.
        assert_eq!(
            replacement_in(
                "`X` from `pkg.grouping` is going to be removed. Please use `X` from the `pkg.sharding`",
                "pkg"
            )
            .as_deref(),
            Some("pkg.sharding.X")
        );
        assert_eq!(
            r("Use :func:`torch.linalg.solve` instead.").as_deref(),
            Some("torch.linalg.solve")
        );
        assert_eq!(
            r("`torch.foo` is deprecated, `torch.bar` is the new API").as_deref(),
            Some("torch.bar")
        );
        assert_eq!(r("torch.foo is deprecated (see os.environ)"), None);
        assert_eq!(
            r("use keyword arguments, see https://pytorch.org/docs/main/torch.nn.html"),
            None
        );
    }

    #[test]
    fn doc_blocks_split_directives() {
        let doc = "Does things.\n\n.. deprecated:: 2.1\n    `size_average` is deprecated,\n    use reduction.\n\n.. warning ::\n    This API is in beta.\nTail.";
        let b = doc_blocks(doc);
        assert_eq!(
            b.deprecated,
            vec![Block {
                offset: 2,
                text: "2.1 `size_average` is deprecated, use reduction.".into(),
                owner: None
            }]
        );
        assert_eq!(
            b.warnings,
            vec![Block {
                offset: 6,
                text: "This API is in beta.".into(),
                owner: None
            }]
        );
        assert_eq!(b.prose, "Does things. Tail. ");
    }

    #[test]
    fn directives_nested_in_arguments_name_their_owner() {
        let doc = "Decays the LR.\n\nArgs:\n    step_size (int): Period.\n    verbose (bool | str): If True, prints.\n\n        .. deprecated:: 2.2\n            ``verbose`` is deprecated.\n";
        let b = doc_blocks(doc);
        assert_eq!(b.deprecated[0].owner.as_deref(), Some("verbose"));
        let doc = ":param use_cuda: whether to profile CUDA.\n    .. deprecated:: 2.4\n        Use `activities` instead.\n";
        assert_eq!(
            doc_blocks(doc).deprecated[0].owner.as_deref(),
            Some("use_cuda")
        );
    }

    #[test]
    fn deprecation_subject() {
        let me = |m: &str| deprecation_about_self(m, "GradScaler", "grad_scaler");
        assert!(me("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('cuda', args...)` instead."));
        assert!(me("This class is deprecated and will be removed."));
        assert!(me("Deprecated: use X."));
        assert!(!me(
            "TORCH_HUB is deprecated, please use env TORCH_HOME instead"
        ));
        assert!(!me(
            "TorchScript support for functional optimizers is deprecated."
        ));
        assert!(!me("This behavior will be deprecated in a future release."));
        assert!(!me(
            "Loading files saved with an older format version is deprecated."
        ));
        assert!(!me("The old ``hook`` API is deprecated; this one is not."));
    }

    #[test]
    fn parameter_detection() {
        let params = vec![
            "input".to_string(),
            "size_average".to_string(),
            "reduce".to_string(),
        ];
        let named = |t: &str| parameters_named(t, &params);
        assert_eq!(named("`size_average` is deprecated"), vec!["size_average"]);
        assert!(named("this function is deprecated").is_empty());
        assert_eq!(
            named("size_average and reduce are deprecated"),
            vec!["size_average", "reduce"]
        );
        assert!(named("torch.input_thing is deprecated").is_empty());
        assert!(
            named("This behavior is deprecated. Please use the `reduce` argument instead.")
                .is_empty()
        );
    }

    #[test]
    fn a_name_in_parentheses_is_an_argument_of_what_a_message_is_about() {
        let params: Vec<String> = ["mesh", "input_fn", "output_fn"].map(String::from).into();
        let named = |t: &str| parameters_named(t, &params);
        assert_eq!(
            named(
                "`input_fn` and `output_fn` took two arguments `(inputs, mesh)`. \
                 That form is deprecated; use the three-argument form."
            ),
            ["input_fn", "output_fn"]
        );
        // Named only in parentheses, it is still the one the message is about.
        assert_eq!(named("Passing (mesh) is deprecated."), ["mesh"]);
        // A test is no message: every parameter it reads counts.
        assert_eq!(
            named("callable(input_fn) and mesh is None"),
            ["mesh", "input_fn"]
        );
    }

    #[test]
    fn a_message_about_a_parameter_not_given_is_of_leaving_it_out() {
        let m = "If `dim` is not given, it defaults to the first dimension. This behavior is deprecated.";
        assert!(describes_omission(m, "dim"));
        assert!(!describes_omission(m, "input"));
        assert!(!describes_omission("`dim` is deprecated", "dim"));
    }

    #[test]
    fn a_test_of_none_is_of_leaving_the_parameter_out() {
        assert!(tests_omission("dim is None", "dim"));
        assert!(tests_omission(
            "<not returned earlier> and (dim is None)",
            "dim"
        ));
        assert!(!tests_omission("dim is not None", "dim"));
        assert!(!tests_omission("not (epoch is None)", "epoch"));
        assert!(!tests_omission(
            "out is None and destination == -1",
            "destination"
        ));
    }

    #[test]
    fn directive_messages() {
        assert_eq!(
            directive_message("1.1 `x` is deprecated"),
            "deprecated since 1.1: `x` is deprecated"
        );
        assert_eq!(directive_message("Use y."), "Use y.");
    }
}
