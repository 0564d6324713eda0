//! A reader for exactly the layout [`super::to_yaml_string`] writes, ten times faster than a
//! general YAML parser: loading two torch snapshots is most of what `diff` does. Anything it
//! does not recognise makes it give up (`None`), and the general reader takes over, so
//! hand-edited files that are valid YAML still load.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{
    Artifact, Deprecation, Kind, Marker, Skipped, Stability, Tier, WireSnapshot, WireSymbol,
};

pub(super) fn parse(text: &str) -> Option<WireSnapshot> {
    let mut lines = text.lines().peekable();
    let mut snap = WireSnapshot::default();
    let mut saw_symbols = false;
    while let Some(line) = lines.next() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(':')?;
        let rest = rest.trim_start();
        match key {
            "schema" => snap.schema = rest.parse().ok()?,
            "package" => snap.package = scalar_line(rest)?.into_owned(),
            "version" => snap.version = scalar_line(rest)?.into_owned(),
            "profile" => snap.profile = Some(scalar_line(rest)?.into_owned()),
            "artifact" => {
                let mut artifact = Artifact {
                    filename: String::new(),
                    sha256: String::new(),
                };
                while let Some(l) = lines.next_if(|l| l.starts_with("  ")) {
                    let (k, v) = l.trim_start().split_once(": ")?;
                    match k {
                        "filename" => artifact.filename = scalar_line(v)?.into_owned(),
                        "sha256" => artifact.sha256 = scalar_line(v)?.into_owned(),
                        _ => return None,
                    }
                }
                snap.artifact = artifact;
            }
            "skipped" => {
                while let Some(l) = lines.next_if(|l| l.starts_with("- ")) {
                    let mut map = flow_map(&mut Cursor::new(&l[2..]))?;
                    snap.skipped.push(Skipped {
                        file: get_str(&mut map, "file")?,
                        error: get_str(&mut map, "error")?,
                    });
                    done(&map)?;
                }
            }
            "notes" => {
                while let Some(l) = lines.next_if(|l| l.starts_with("- ")) {
                    snap.notes.push(scalar_line(&l[2..])?.into_owned());
                }
            }
            "symbols" => {
                saw_symbols = true;
                // One line each: counted first, so that the list is not copied as it grows.
                let count = text
                    .as_bytes()
                    .windows(4)
                    .filter(|w| w[0] == b'\n' && w[1] == b' ' && w[2] == b' ' && w[3] != b' ')
                    .count();
                snap.symbols.reserve_exact(count);
                if rest == "{}" {
                    continue;
                }
                if !rest.is_empty() {
                    return None;
                }
                while let Some(l) = lines.next_if(|l| l.starts_with("  ")) {
                    let (name, sym) = symbol(l, &mut lines)?;
                    // The writer's keys come strictly in order; anything else (a key twice)
                    // is for the general reader to judge.
                    if snap.symbols.last().is_some_and(|(prev, _)| *prev >= name) {
                        return None;
                    }
                    snap.symbols.push((name, sym));
                }
            }
            _ => return None,
        }
    }
    saw_symbols.then_some(snap)
}

type Lines<'a> = std::iter::Peekable<std::str::Lines<'a>>;

fn symbol<'a>(first: &'a str, lines: &mut Lines<'a>) -> Option<(String, WireSymbol)> {
    let mut c = Cursor::new(&first[2..]);
    let name = c.scalar()?.into_owned();
    c.expect(b':')?;
    c.skip_spaces();
    if c.peek() == Some(b'{') {
        let map = flow_map(&mut c)?;
        c.at_end().then_some(())?;
        return Some((name, wire_from_map(map)?));
    }
    c.at_end().then_some(())?;
    let mut map: Fields = Vec::new();
    while let Some(l) = lines.next_if(|l| l.starts_with("    ") && !l.starts_with("     ")) {
        let mut c = Cursor::new(&l[4..]);
        let key = c.plain()?;
        c.expect(b':')?;
        c.skip_spaces();
        if !c.at_end() {
            map.push((key, c.value()?));
            c.at_end().then_some(())?;
            continue;
        }
        // A block: a list (`    - ...`) or a nested mapping (`      key: ...`).
        let value = match key {
            "signatures" | "bases" | "reachable" => {
                let mut items = Vec::new();
                while let Some(l) = lines.next_if(|l| l.starts_with("    - ")) {
                    items.push(Value::Str(scalar_line(&l[6..])?));
                }
                Value::List(items)
            }
            "deprecated" | "announced" => {
                let mut items = Vec::new();
                while let Some(l) = lines.next_if(|l| l.starts_with("    - ")) {
                    let mut item = Vec::new();
                    let (k, v) = l[6..].split_once(": ")?;
                    item.push((k, Value::Str(scalar_line(v)?)));
                    while let Some(l) =
                        lines.next_if(|l| l.starts_with("      ") && !l.starts_with("       "))
                    {
                        let (k, v) = l[6..].split_once(": ")?;
                        item.push((k, Value::Str(scalar_line(v)?)));
                    }
                    items.push(Value::Map(item));
                }
                Value::List(items)
            }
            "tombstone" | "names" => {
                let mut item = Vec::new();
                while let Some(l) =
                    lines.next_if(|l| l.starts_with("      ") && !l.starts_with("       "))
                {
                    let mut c = Cursor::new(&l[6..]);
                    let k = c.plain()?;
                    c.expect(b':')?;
                    c.skip_spaces();
                    item.push((k, c.value()?));
                    c.at_end().then_some(())?;
                }
                Value::Map(item)
            }
            _ => return None,
        };
        map.push((key, value));
    }
    Some((name, wire_from_map(map)?))
}

/// A mapping's entries in file order, keys borrowed from the text: a symbol has a handful,
/// which a scan finds faster than a tree, and values are moved out, never copied.
type Fields<'a> = Vec<(&'a str, Value<'a>)>;

#[derive(Debug)]
enum Value<'a> {
    Str(Cow<'a, str>),
    List(Vec<Value<'a>>),
    Map(Fields<'a>),
}

/// Takes the entry `key` out of `map`. A key given twice is not the writer's layout: the
/// second is left behind, and [`done`] then gives up on the file.
fn take<'a>(map: &mut Fields<'a>, key: &str) -> Option<Value<'a>> {
    let i = map.iter().position(|(k, _)| *k == key)?;
    Some(map.swap_remove(i).1)
}

/// Every entry was taken: none unknown, none twice.
fn done(map: &Fields) -> Option<()> {
    map.is_empty().then_some(())
}

fn get_str(map: &mut Fields, key: &str) -> Option<String> {
    match take(map, key)? {
        Value::Str(s) => Some(s.into_owned()),
        _ => None,
    }
}

fn opt_str(map: &mut Fields, key: &str) -> Option<Option<String>> {
    match take(map, key) {
        None => Some(None),
        Some(Value::Str(s)) => Some(Some(s.into_owned())),
        Some(_) => None,
    }
}

fn str_list(v: Option<Value>) -> Option<Vec<String>> {
    match v {
        None => Some(vec![]),
        Some(Value::List(items)) => items
            .into_iter()
            .map(|i| match i {
                Value::Str(s) => Some(s.into_owned()),
                _ => None,
            })
            .collect(),
        Some(_) => None,
    }
}

fn notices(v: Option<Value>) -> Option<Vec<Deprecation>> {
    match v {
        None => Some(vec![]),
        Some(Value::List(items)) => items
            .into_iter()
            .map(|i| match i {
                Value::Map(mut m) => {
                    let d = Deprecation {
                        parameter: opt_str(&mut m, "parameter")?,
                        omitted: flag(&mut m, "omitted")?,
                        instantiation: flag(&mut m, "instantiation")?,
                        when: opt_str(&mut m, "when")?,
                        unless: opt_str(&mut m, "unless")?,
                        exempt: opt_str(&mut m, "exempt")?,
                        message: get_str(&mut m, "message")?,
                        replacement: opt_str(&mut m, "replacement")?,
                        evidence: get_str(&mut m, "evidence")?,
                    };
                    done(&m)?;
                    Some(d)
                }
                _ => None,
            })
            .collect(),
        Some(_) => None,
    }
}

fn kind(s: &str) -> Option<Kind> {
    Some(match s {
        "module" => Kind::Module,
        "class" => Kind::Class,
        "function" => Kind::Function,
        "method" => Kind::Method,
        "classmethod" => Kind::Classmethod,
        "staticmethod" => Kind::Staticmethod,
        "property" => Kind::Property,
        "attribute" => Kind::Attribute,
        "alias" => Kind::Alias,
        _ => return None,
    })
}

fn tier(s: &str) -> Option<Tier> {
    Some(match s {
        "stable" => Tier::Stable,
        "beta" => Tier::Beta,
        "prototype" => Tier::Prototype,
        "experimental" => Tier::Experimental,
        "private" => Tier::Private,
        _ => return None,
    })
}

fn wire_from_map(mut map: Fields) -> Option<WireSymbol> {
    let tombstone = match take(&mut map, "tombstone") {
        None => None,
        Some(Value::Map(mut m)) => {
            let marker = Marker {
                message: get_str(&mut m, "message")?,
                replacement: opt_str(&mut m, "replacement")?,
                evidence: get_str(&mut m, "evidence")?,
            };
            done(&m)?;
            Some(marker)
        }
        Some(_) => return None,
    };
    let stability = match take(&mut map, "stability") {
        None => None,
        Some(Value::Map(mut m)) => {
            let stability = Stability {
                tier: tier(&get_str(&mut m, "tier")?)?,
                evidence: get_str(&mut m, "evidence")?,
            };
            done(&m)?;
            Some(stability)
        }
        Some(_) => return None,
    };
    let names = match take(&mut map, "names") {
        None => BTreeMap::new(),
        Some(Value::Map(m)) => {
            let mut names = BTreeMap::new();
            for (k, v) in m {
                (k == "instance" || kind(k).is_some()).then_some(())?;
                if names.insert(k.to_string(), str_list(Some(v))?).is_some() {
                    return None;
                }
            }
            names
        }
        Some(_) => return None,
    };
    let symbol = WireSymbol {
        kind: kind(&get_str(&mut map, "kind")?)?,
        defined: opt_str(&mut map, "defined")?,
        target: opt_str(&mut map, "target")?,
        bases: str_list(take(&mut map, "bases"))?,
        signatures: str_list(take(&mut map, "signatures"))?,
        deprecated: notices(take(&mut map, "deprecated"))?,
        announced: notices(take(&mut map, "announced"))?,
        tombstone,
        stability,
        unlisted: flag(&mut map, "unlisted")?,
        instance: flag(&mut map, "instance")?,
        submodule: flag(&mut map, "submodule")?,
        reachable: str_list(take(&mut map, "reachable"))?,
        names,
    };
    done(&map)?;
    Some(symbol)
}

/// A `key: true` flag; absent is false.
fn flag(map: &mut Fields, key: &str) -> Option<bool> {
    match opt_str(map, key)?.as_deref() {
        None => Some(false),
        Some("true") => Some(true),
        Some(_) => None,
    }
}

/// A whole line's scalar (after `key: ` or `- `).
fn scalar_line(s: &str) -> Option<Cow<'_, str>> {
    let mut c = Cursor::new(s);
    let v = c.scalar()?;
    c.at_end().then_some(v)
}

fn flow_map<'a>(c: &mut Cursor<'a>) -> Option<Fields<'a>> {
    c.expect(b'{')?;
    let mut map = Vec::new();
    loop {
        c.skip_spaces();
        if c.eat(b'}') {
            return Some(map);
        }
        let key = c.plain()?;
        c.expect(b':')?;
        c.skip_spaces();
        map.push((key, c.value()?));
        c.skip_spaces();
        if c.eat(b',') {
            continue;
        }
        c.expect(b'}')?;
        return Some(map);
    }
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, i: 0 }
    }
    /// The writer's syntax is ASCII; a byte of a multi-byte character never equals one.
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }
    fn eat(&mut self, ch: u8) -> bool {
        if self.peek() == Some(ch) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, ch: u8) -> Option<()> {
        self.eat(ch).then_some(())
    }
    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }
    fn at_end(&self) -> bool {
        self.i == self.s.len()
    }
    /// A plain scalar as the writer emits them: identifier characters and dots.
    fn plain(&mut self) -> Option<&'a str> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
        {
            self.i += 1;
        }
        (self.i > start).then(|| &self.s[start..self.i])
    }
    fn scalar(&mut self) -> Option<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return self.plain().map(Cow::Borrowed);
        }
        let start = self.i;
        self.i += 1;
        let bytes = self.s.as_bytes();
        let mut escaped = false;
        while self.i < bytes.len() {
            match bytes[self.i] {
                b'\\' => {
                    escaped = true;
                    self.i += 2;
                }
                b'"' => {
                    self.i += 1;
                    // Without an escape the quoted text is the value itself.
                    if !escaped {
                        return Some(Cow::Borrowed(&self.s[start + 1..self.i - 1]));
                    }
                    return serde_json::from_str(&self.s[start..self.i])
                        .ok()
                        .map(Cow::Owned);
                }
                _ => self.i += 1,
            }
        }
        None
    }
    fn value(&mut self) -> Option<Value<'a>> {
        match self.peek()? {
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_spaces();
                    if self.eat(b']') {
                        return Some(Value::List(items));
                    }
                    items.push(Value::Str(self.scalar()?));
                    self.skip_spaces();
                    if self.eat(b',') {
                        continue;
                    }
                    self.expect(b']')?;
                    return Some(Value::List(items));
                }
            }
            b'{' => flow_map(self).map(Value::Map),
            _ => self.scalar().map(Value::Str),
        }
    }
}
