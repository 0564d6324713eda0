//! A reader for exactly the layout [`super::to_yaml_string`] writes, ten times faster than a
//! general YAML parser: loading two torch snapshots is most of what `diff` does. Anything it
//! does not recognise makes it give up (`None`), and the general reader takes over, so
//! hand-edited files that are valid YAML still load.

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
            "package" => snap.package = scalar_line(rest)?,
            "version" => snap.version = scalar_line(rest)?,
            "profile" => snap.profile = Some(scalar_line(rest)?),
            "artifact" => {
                let mut artifact = Artifact {
                    filename: String::new(),
                    sha256: String::new(),
                };
                while let Some(l) = lines.next_if(|l| l.starts_with("  ")) {
                    let (k, v) = l.trim_start().split_once(": ")?;
                    match k {
                        "filename" => artifact.filename = scalar_line(v)?,
                        "sha256" => artifact.sha256 = scalar_line(v)?,
                        _ => return None,
                    }
                }
                snap.artifact = artifact;
            }
            "skipped" => {
                while let Some(l) = lines.next_if(|l| l.starts_with("- ")) {
                    let map = flow_map(&mut Cursor::new(&l[2..]))?;
                    snap.skipped.push(Skipped {
                        file: get_str(&map, "file")?,
                        error: get_str(&map, "error")?,
                    });
                }
            }
            "notes" => {
                while let Some(l) = lines.next_if(|l| l.starts_with("- ")) {
                    snap.notes.push(scalar_line(&l[2..])?);
                }
            }
            "symbols" => {
                saw_symbols = true;
                if rest == "{}" {
                    continue;
                }
                if !rest.is_empty() {
                    return None;
                }
                while let Some(l) = lines.next_if(|l| l.starts_with("  ")) {
                    let (name, sym) = symbol(l, &mut lines)?;
                    snap.symbols.insert(name, sym);
                }
            }
            _ => return None,
        }
    }
    saw_symbols.then_some(snap)
}

type Lines<'a> = std::iter::Peekable<std::str::Lines<'a>>;

fn symbol(first: &str, lines: &mut Lines) -> Option<(String, WireSymbol)> {
    let mut c = Cursor::new(&first[2..]);
    let name = c.scalar()?;
    c.expect(':')?;
    c.skip_spaces();
    if c.peek() == Some('{') {
        let map = flow_map(&mut c)?;
        c.at_end().then_some(())?;
        return Some((name, wire_from_map(map)?));
    }
    c.at_end().then_some(())?;
    let mut map: BTreeMap<String, Value> = BTreeMap::new();
    while let Some(l) = lines.next_if(|l| l.starts_with("    ") && !l.starts_with("     ")) {
        let mut c = Cursor::new(&l[4..]);
        let key = c.plain()?;
        c.expect(':')?;
        c.skip_spaces();
        if !c.at_end() {
            map.insert(key, c.value()?);
            c.at_end().then_some(())?;
            continue;
        }
        // A block: a list (`    - ...`) or a nested mapping (`      key: ...`).
        let value = match key.as_str() {
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
                    let mut item = BTreeMap::new();
                    let (k, v) = l[6..].split_once(": ")?;
                    item.insert(k.to_string(), Value::Str(scalar_line(v)?));
                    while let Some(l) =
                        lines.next_if(|l| l.starts_with("      ") && !l.starts_with("       "))
                    {
                        let (k, v) = l[6..].split_once(": ")?;
                        item.insert(k.to_string(), Value::Str(scalar_line(v)?));
                    }
                    items.push(Value::Map(item));
                }
                Value::List(items)
            }
            "tombstone" | "names" => {
                let mut item = BTreeMap::new();
                while let Some(l) =
                    lines.next_if(|l| l.starts_with("      ") && !l.starts_with("       "))
                {
                    let mut c = Cursor::new(&l[6..]);
                    let k = c.plain()?;
                    c.expect(':')?;
                    c.skip_spaces();
                    item.insert(k, c.value()?);
                    c.at_end().then_some(())?;
                }
                Value::Map(item)
            }
            _ => return None,
        };
        map.insert(key, value);
    }
    Some((name, wire_from_map(map)?))
}

#[derive(Debug)]
enum Value {
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

fn get_str(map: &BTreeMap<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn opt_str(map: &BTreeMap<String, Value>, key: &str) -> Option<Option<String>> {
    match map.get(key) {
        None => Some(None),
        Some(Value::Str(s)) => Some(Some(s.clone())),
        Some(_) => None,
    }
}

fn str_list(v: Option<&Value>) -> Option<Vec<String>> {
    match v {
        None => Some(vec![]),
        Some(Value::List(items)) => items
            .iter()
            .map(|i| match i {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        Some(_) => None,
    }
}

fn notices(v: Option<&Value>) -> Option<Vec<Deprecation>> {
    match v {
        None => Some(vec![]),
        Some(Value::List(items)) => items
            .iter()
            .map(|i| match i {
                Value::Map(m) => {
                    known(m, &["parameter", "message", "replacement", "evidence"])?;
                    Some(Deprecation {
                        parameter: opt_str(m, "parameter")?,
                        message: get_str(m, "message")?,
                        replacement: opt_str(m, "replacement")?,
                        evidence: get_str(m, "evidence")?,
                    })
                }
                _ => None,
            })
            .collect(),
        Some(_) => None,
    }
}

fn known(map: &BTreeMap<String, Value>, keys: &[&str]) -> Option<()> {
    map.keys().all(|k| keys.contains(&k.as_str())).then_some(())
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

fn wire_from_map(map: BTreeMap<String, Value>) -> Option<WireSymbol> {
    known(
        &map,
        &[
            "kind",
            "defined",
            "target",
            "unlisted",
            "instance",
            "submodule",
            "reachable",
            "bases",
            "signatures",
            "deprecated",
            "announced",
            "tombstone",
            "stability",
            "names",
        ],
    )?;
    let tombstone = match map.get("tombstone") {
        None => None,
        Some(Value::Map(m)) => {
            known(m, &["message", "replacement", "evidence"])?;
            Some(Marker {
                message: get_str(m, "message")?,
                replacement: opt_str(m, "replacement")?,
                evidence: get_str(m, "evidence")?,
            })
        }
        Some(_) => return None,
    };
    let stability = match map.get("stability") {
        None => None,
        Some(Value::Map(m)) => {
            known(m, &["tier", "evidence"])?;
            Some(Stability {
                tier: tier(&get_str(m, "tier")?)?,
                evidence: get_str(m, "evidence")?,
            })
        }
        Some(_) => return None,
    };
    let names = match map.get("names") {
        None => BTreeMap::new(),
        Some(Value::Map(m)) => m
            .iter()
            .map(|(k, v)| {
                (k == "instance" || kind(k).is_some()).then_some(())?;
                Some((k.clone(), str_list(Some(v))?))
            })
            .collect::<Option<_>>()?,
        Some(_) => return None,
    };
    Some(WireSymbol {
        kind: kind(&get_str(&map, "kind")?)?,
        defined: opt_str(&map, "defined")?,
        target: opt_str(&map, "target")?,
        bases: str_list(map.get("bases"))?,
        signatures: str_list(map.get("signatures"))?,
        deprecated: notices(map.get("deprecated"))?,
        announced: notices(map.get("announced"))?,
        tombstone,
        stability,
        unlisted: flag(&map, "unlisted")?,
        instance: flag(&map, "instance")?,
        submodule: flag(&map, "submodule")?,
        reachable: str_list(map.get("reachable"))?,
        names,
    })
}

/// A `key: true` flag; absent is false.
fn flag(map: &BTreeMap<String, Value>, key: &str) -> Option<bool> {
    match opt_str(map, key)?.as_deref() {
        None => Some(false),
        Some("true") => Some(true),
        Some(_) => None,
    }
}

/// A whole line's scalar (after `key: ` or `- `).
fn scalar_line(s: &str) -> Option<String> {
    let mut c = Cursor::new(s);
    let v = c.scalar()?;
    c.at_end().then_some(v)
}

fn flow_map(c: &mut Cursor) -> Option<BTreeMap<String, Value>> {
    c.expect('{')?;
    let mut map = BTreeMap::new();
    loop {
        c.skip_spaces();
        if c.eat('}') {
            return Some(map);
        }
        let key = c.plain()?;
        c.expect(':')?;
        c.skip_spaces();
        map.insert(key, c.value()?);
        c.skip_spaces();
        if c.eat(',') {
            continue;
        }
        c.expect('}')?;
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
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }
    fn eat(&mut self, ch: char) -> bool {
        if self.peek() == Some(ch) {
            self.i += ch.len_utf8();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, ch: char) -> Option<()> {
        self.eat(ch).then_some(())
    }
    fn skip_spaces(&mut self) {
        while self.peek() == Some(' ') {
            self.i += 1;
        }
    }
    fn at_end(&self) -> bool {
        self.i == self.s.len()
    }
    /// A plain scalar as the writer emits them: identifier characters and dots.
    fn plain(&mut self) -> Option<String> {
        let start = self.i;
        while let Some(ch) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        {
            self.i += ch.len_utf8();
        }
        (self.i > start).then(|| self.s[start..self.i].to_string())
    }
    fn scalar(&mut self) -> Option<String> {
        if self.peek() != Some('"') {
            return self.plain();
        }
        let start = self.i;
        self.i += 1;
        let bytes = self.s.as_bytes();
        while self.i < bytes.len() {
            match bytes[self.i] {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return serde_json::from_str(&self.s[start..self.i]).ok();
                }
                _ => self.i += 1,
            }
        }
        None
    }
    fn value(&mut self) -> Option<Value> {
        match self.peek()? {
            '[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_spaces();
                    if self.eat(']') {
                        return Some(Value::List(items));
                    }
                    items.push(Value::Str(self.scalar()?));
                    self.skip_spaces();
                    if self.eat(',') {
                        continue;
                    }
                    self.expect(']')?;
                    return Some(Value::List(items));
                }
            }
            '{' => flow_map(self).map(Value::Map),
            _ => self.scalar().map(Value::Str),
        }
    }
}
