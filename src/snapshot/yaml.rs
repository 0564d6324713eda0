//! Snapshot YAML: a fixed, deterministic layout written by hand, read back with serde.
//!
//! A generic serializer would give valid YAML too, but not the layout that makes a git diff of
//! two releases readable and the files small: records with only scalar fields sit on one line
//! in flow style, records with lists are block mappings. Scalars are written plain only when
//! they cannot be mistaken for anything but a string; everything else is a JSON string, which
//! YAML reads as a double-quoted scalar.
//!
//! Two compactions keep a torch release under 3 MB and are undone on reading:
//! - records that carry only a kind (private names outside the public surface, plain class
//!   attributes) are listed by kind under their module or class,
//!   `names: {function: [a, b], class: [C]}`, and instance attributes under `instance`;
//! - `defined: ":123"` means line 123 of the file the enclosing module or class is defined in.
//!
//! The last line is an end marker comment: a file cut short at a line boundary is still valid
//! YAML (with fewer symbols), so the reader insists on the marker to tell it from a whole one.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{
    split_parent, Artifact, Deprecation, Kind, Marker, Skipped, Snapshot, Stability, Symbol,
    SCHEMA_VERSION,
};

const END_MARKER: &str = "# end of snapshot";

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("snapshot schema {found} is not supported by this build of apidrift (it reads schema {SCHEMA_VERSION}); regenerate the snapshot or upgrade apidrift")]
    UnknownSchema { found: String },
    #[error("not a valid snapshot: {0}")]
    Invalid(String),
    #[error("the snapshot is truncated (its end marker `{END_MARKER}` is missing); regenerate it or restore it from version control")]
    Truncated,
}

pub fn to_yaml_string(snap: &Snapshot) -> String {
    let mut out = String::with_capacity(64 * snap.symbols.len() + 256);
    let _ = writeln!(out, "schema: {}", snap.schema);
    let _ = writeln!(out, "package: {}", scalar(&snap.package));
    let _ = writeln!(out, "version: {}", scalar(&snap.version));
    out.push_str("artifact:\n");
    let _ = writeln!(out, "  filename: {}", scalar(&snap.artifact.filename));
    let _ = writeln!(out, "  sha256: {}", scalar(&snap.artifact.sha256));
    if let Some(profile) = &snap.profile {
        let _ = writeln!(out, "profile: {}", scalar(profile));
    }
    if !snap.skipped.is_empty() {
        out.push_str("skipped:\n");
        for s in &snap.skipped {
            let _ = writeln!(
                out,
                "- {{file: {}, error: {}}}",
                scalar(&s.file),
                scalar(&s.error)
            );
        }
    }
    if !snap.notes.is_empty() {
        out.push_str("notes:\n");
        for n in &snap.notes {
            let _ = writeln!(out, "- {}", scalar(n));
        }
    }
    // Kind-only records whose parent is a module or class are listed under the parent.
    let mut grouped: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for (name, sym) in &snap.symbols {
        if let Some((parent, last, group)) = listed_under_parent(snap, name, sym) {
            grouped
                .entry(parent)
                .or_default()
                .entry(group)
                .or_default()
                .push(last);
        }
    }
    if snap.symbols.is_empty() {
        out.push_str("symbols: {}\n");
    } else {
        out.push_str("symbols:\n");
        for (name, sym) in &snap.symbols {
            if listed_under_parent(snap, name, sym).is_some() {
                continue;
            }
            let parent_file = split_parent(name)
                .and_then(|(p, _)| snap.symbols.get(p))
                .and_then(|p| p.defined.as_deref())
                .and_then(|d| d.rsplit_once(':'))
                .map(|(file, _)| file);
            write_symbol(&mut out, name, sym, parent_file, grouped.get(name.as_str()));
        }
    }
    out.push_str(END_MARKER);
    out.push('\n');
    out
}

/// The group name of a record that is only its kind (and for attributes, whether it is an
/// instance attribute): `function`, `attribute`, `instance`. `None` for anything more.
fn kind_only_group(sym: &Symbol) -> Option<&'static str> {
    let bare = Symbol {
        kind: sym.kind,
        instance: sym.instance,
        ..Default::default()
    };
    if *sym != bare || sym.kind == Kind::Module {
        return None;
    }
    match (sym.kind, sym.instance) {
        (Kind::Attribute, true) => Some(INSTANCE_GROUP),
        (_, true) => None,
        (kind, false) => Some(kind.as_str()),
    }
}

/// The `names` group of instance attributes.
const INSTANCE_GROUP: &str = "instance";

fn listed_under_parent<'a>(
    snap: &Snapshot,
    name: &'a str,
    sym: &Symbol,
) -> Option<(&'a str, &'a str, &'static str)> {
    let (parent, last) = split_parent(name)?;
    let group = kind_only_group(sym)?;
    // A class with members of its own is written whole, so that they have a parent to be
    // listed under.
    let prefix = format!("{name}.");
    if snap
        .symbols
        .range(prefix.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&prefix))
    {
        return None;
    }
    snap.symbols
        .get(parent)
        .is_some_and(|p| matches!(p.kind, Kind::Module | Kind::Class))
        .then_some((parent, last, group))
}

fn write_symbol(
    out: &mut String,
    name: &str,
    sym: &Symbol,
    parent_file: Option<&str>,
    names: Option<&BTreeMap<&str, Vec<&str>>>,
) {
    let defined = sym
        .defined
        .as_deref()
        .map(|d| match (parent_file, d.rsplit_once(':')) {
            (Some(pf), Some((file, line))) if file == pf => format!(":{line}"),
            _ => d.to_string(),
        });
    let mut fields: Vec<String> = vec![format!("kind: {}", sym.kind.as_str())];
    if let Some(d) = &defined {
        fields.push(format!("defined: {}", scalar(d)));
    }
    if let Some(t) = &sym.target {
        fields.push(format!("target: {}", scalar(t)));
    }
    if sym.unlisted {
        fields.push("unlisted: true".to_string());
    }
    if sym.instance {
        fields.push("instance: true".to_string());
    }
    if sym.submodule {
        fields.push("submodule: true".to_string());
    }
    if !sym.bases.is_empty() {
        fields.push(format!(
            "bases: [{}]",
            sym.bases
                .iter()
                .map(|b| scalar(b))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !sym.reachable.is_empty() {
        fields.push(format!(
            "reachable: [{}]",
            sym.reachable
                .iter()
                .map(|b| scalar(b))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let markers = !sym.deprecated.is_empty()
        || !sym.announced.is_empty()
        || sym.tombstone.is_some()
        || sym.stability.is_some()
        || names.is_some();
    // One line per symbol, so a git diff of two releases shows one line per changed symbol;
    // overloads, markers and module name lists get a block of their own.
    if !markers && sym.signatures.len() <= 1 {
        if let Some(sig) = sym.signatures.first() {
            fields.push(format!("signatures: [{}]", scalar(sig)));
        }
        let _ = writeln!(out, "  {}: {{{}}}", scalar(name), fields.join(", "));
        return;
    }
    let _ = writeln!(out, "  {}:", scalar(name));
    for f in fields {
        let _ = writeln!(out, "    {f}");
    }
    write_list(out, "signatures", &sym.signatures);
    if !sym.deprecated.is_empty() {
        out.push_str("    deprecated:\n");
        for d in &sym.deprecated {
            write_deprecation(out, d);
        }
    }
    if !sym.announced.is_empty() {
        out.push_str("    announced:\n");
        for d in &sym.announced {
            write_deprecation(out, d);
        }
    }
    if let Some(t) = &sym.tombstone {
        out.push_str("    tombstone:\n");
        let _ = writeln!(out, "      message: {}", scalar(&t.message));
        if let Some(r) = &t.replacement {
            let _ = writeln!(out, "      replacement: {}", scalar(r));
        }
        let _ = writeln!(out, "      evidence: {}", scalar(&t.evidence));
    }
    if let Some(s) = &sym.stability {
        let _ = writeln!(
            out,
            "    stability: {{tier: {}, evidence: {}}}",
            s.tier.as_str(),
            scalar(&s.evidence)
        );
    }
    if let Some(names) = names {
        out.push_str("    names:\n");
        for (group, list) in names {
            let _ = writeln!(
                out,
                "      {}: [{}]",
                group,
                list.iter()
                    .map(|n| scalar(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
}

fn write_list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "    {key}:");
    for item in items {
        let _ = writeln!(out, "    - {}", scalar(item));
    }
}

fn write_deprecation(out: &mut String, d: &Deprecation) {
    let mut fields: Vec<(&str, String)> = Vec::with_capacity(5);
    if let Some(p) = &d.parameter {
        fields.push(("parameter", scalar(p)));
    }
    // Bare `true`s, which `scalar` would quote as strings.
    if d.omitted {
        fields.push(("omitted", "true".into()));
    }
    if d.instantiation {
        fields.push(("instantiation", "true".into()));
    }
    if let Some(v) = &d.when {
        fields.push(("when", scalar(v)));
    }
    if let Some(v) = &d.unless {
        fields.push(("unless", scalar(v)));
    }
    if let Some(v) = &d.exempt {
        fields.push(("exempt", scalar(v)));
    }
    fields.push(("message", scalar(&d.message)));
    if let Some(r) = &d.replacement {
        fields.push(("replacement", scalar(r)));
    }
    fields.push(("evidence", scalar(&d.evidence)));
    for (i, (k, v)) in fields.iter().enumerate() {
        let lead = if i == 0 { "    - " } else { "      " };
        let _ = writeln!(out, "{lead}{k}: {v}");
    }
}

/// A YAML scalar for `s`: plain when it is a dotted identifier that no YAML reader can take for
/// a bool, null or number; otherwise a JSON string (a valid YAML double-quoted scalar).
fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).expect("serialising a str to JSON cannot fail")
    }
}

fn is_plain_safe(s: &str) -> bool {
    const RESERVED: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ];
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !s.ends_with('.')
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

pub fn from_yaml_str(text: &str) -> Result<Snapshot, ReadError> {
    // The writer always puts the schema first; checking it before the full parse turns "this
    // file is from another apidrift" into a clear message instead of a field error.
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if let Some(rest) = first.and_then(|l| l.strip_prefix("schema:")) {
        let found = rest.trim();
        if found != SCHEMA_VERSION.to_string() {
            return Err(ReadError::UnknownSchema {
                found: found.to_string(),
            });
        }
    }
    if text.trim_end().lines().next_back() != Some(END_MARKER) {
        return Err(ReadError::Truncated);
    }
    let wire: WireSnapshot = match super::fast::parse(text) {
        Some(wire) => wire,
        None => serde_yaml_ng::from_str(text).map_err(|e| ReadError::Invalid(e.to_string()))?,
    };
    if wire.schema != SCHEMA_VERSION {
        return Err(ReadError::UnknownSchema {
            found: wire.schema.to_string(),
        });
    }
    // Built as a list and turned into the map at once: the keys come nearly sorted (a
    // symbol's compacted members follow it), and a tree built from sorted keys compares none.
    let mut symbols: Vec<(String, Symbol)> = Vec::with_capacity(wire.symbols.len() * 2);
    for (name, w) in wire.symbols {
        let names = w.names;
        let sym = Symbol {
            kind: w.kind,
            defined: w.defined,
            target: w.target,
            bases: w.bases,
            signatures: w.signatures,
            deprecated: w.deprecated,
            announced: w.announced,
            tombstone: w.tombstone,
            stability: w.stability,
            unlisted: w.unlisted,
            instance: w.instance,
            submodule: w.submodule,
            reachable: w.reachable,
        };
        symbols.push((name.clone(), sym));
        for (group, list) in names {
            let (kind, instance) = match group.as_str() {
                INSTANCE_GROUP => (Kind::Attribute, true),
                other => (
                    serde_yaml_ng::from_str::<Kind>(other).map_err(|_| {
                        ReadError::Invalid(format!(
                            "`{name}` lists names of an unknown kind `{other}`"
                        ))
                    })?,
                    false,
                ),
            };
            for last in list {
                let mut key = String::with_capacity(name.len() + 1 + last.len());
                key.push_str(&name);
                key.push('.');
                key.push_str(&last);
                symbols.push((
                    key,
                    Symbol {
                        kind,
                        instance,
                        ..Default::default()
                    },
                ));
            }
        }
    }
    // Stable, so that of a key given twice the later record wins, as the writer's map would
    // have it; then each key once.
    // Sorted by index, then the records moved once each, in place: a record is large, and
    // moving records is most of a sort's cost; a second list of them would double the memory.
    let mut order: Vec<u32> = (0..symbols.len() as u32).collect();
    order.sort_by(|&a, &b| symbols[a as usize].0.cmp(&symbols[b as usize].0));
    permute(&mut symbols, &mut order);
    symbols.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
    // `:123` is relative to the file of the enclosing module or class. Parents sort before
    // their members, so resolving in key order sees every parent already absolute.
    for i in 0..symbols.len() {
        let Some(line) = symbols[i]
            .1
            .defined
            .as_deref()
            .and_then(|d| d.strip_prefix(':'))
        else {
            continue;
        };
        let name = &symbols[i].0;
        let file = split_parent(name)
            .and_then(|(parent, _)| {
                symbols[..i]
                    .binary_search_by(|(k, _)| k.as_str().cmp(parent))
                    .ok()
            })
            .and_then(|p| symbols[p].1.defined.as_deref())
            .and_then(|d| d.rsplit_once(':'))
            .map(|(file, _)| file)
            .ok_or_else(|| {
                ReadError::Invalid(format!(
                    "`{name}` is defined at `:{line}` but its parent has no file"
                ))
            })?;
        let mut defined = String::with_capacity(file.len() + 1 + line.len());
        defined.push_str(file);
        defined.push(':');
        defined.push_str(line);
        symbols[i].1.defined = Some(defined);
    }
    let symbols: BTreeMap<String, Symbol> = symbols.into_iter().collect();
    Ok(Snapshot {
        schema: wire.schema,
        package: wire.package,
        version: wire.version,
        artifact: wire.artifact,
        profile: wire.profile,
        skipped: wire.skipped,
        notes: wire.notes,
        symbols,
    })
}

/// Puts `items[order[k]]` at `k` for every `k`, one cycle of the permutation at a time.
/// `order` is used up as the marks of what is placed.
fn permute<T: Default>(items: &mut [T], order: &mut [u32]) {
    const PLACED: u32 = u32::MAX;
    for start in 0..items.len() {
        if order[start] == PLACED {
            continue;
        }
        let held = std::mem::take(&mut items[start]);
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = PLACED;
            if from == start {
                items[at] = held;
                break;
            }
            items[at] = std::mem::take(&mut items[from]);
            at = from;
        }
    }
}

/// The file layout, before the compactions are undone.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireSnapshot {
    pub(super) schema: u32,
    pub(super) package: String,
    pub(super) version: String,
    pub(super) artifact: Artifact,
    #[serde(default)]
    pub(super) profile: Option<String>,
    #[serde(default)]
    pub(super) skipped: Vec<Skipped>,
    #[serde(default)]
    pub(super) notes: Vec<String>,
    /// In key order, each key once.
    #[serde(deserialize_with = "sorted_symbols")]
    pub(super) symbols: Vec<(String, WireSymbol)>,
}

fn sorted_symbols<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<(String, WireSymbol)>, D::Error> {
    let map: BTreeMap<String, WireSymbol> = Deserialize::deserialize(d)?;
    Ok(map.into_iter().collect())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireSymbol {
    pub(super) kind: Kind,
    #[serde(default)]
    pub(super) defined: Option<String>,
    #[serde(default)]
    pub(super) target: Option<String>,
    #[serde(default)]
    pub(super) bases: Vec<String>,
    #[serde(default)]
    pub(super) signatures: Vec<String>,
    #[serde(default)]
    pub(super) deprecated: Vec<Deprecation>,
    #[serde(default)]
    pub(super) announced: Vec<Deprecation>,
    #[serde(default)]
    pub(super) tombstone: Option<Marker>,
    #[serde(default)]
    pub(super) stability: Option<Stability>,
    #[serde(default)]
    pub(super) unlisted: bool,
    #[serde(default)]
    pub(super) instance: bool,
    #[serde(default)]
    pub(super) submodule: bool,
    #[serde(default)]
    pub(super) reachable: Vec<String>,
    #[serde(default)]
    pub(super) names: BTreeMap<String, Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_places_each_item_where_the_order_says() {
        // Two cycles (0 → 2 → 3 → 0 and 1 → 4 → 1) and a fixed point (5).
        let mut items = vec!["a", "b", "c", "d", "e", "f"];
        let mut order = vec![2, 4, 3, 0, 1, 5];
        permute(&mut items, &mut order);
        assert_eq!(items, ["c", "e", "d", "a", "b", "f"]);
    }
    use crate::snapshot::Tier;

    fn sample() -> Snapshot {
        let mut symbols = BTreeMap::new();
        symbols.insert(
            "pkg".to_string(),
            Symbol {
                kind: Kind::Module,
                defined: Some("pkg/__init__.py:1".into()),
                ..Default::default()
            },
        );
        symbols.insert(
            "pkg.f".to_string(),
            Symbol {
                kind: Kind::Function,
                defined: Some("pkg/__init__.py:3".into()),
                signatures: vec!["(x: \"int\", *, y='a: b') -> None".into()],
                deprecated: vec![Deprecation {
                    omitted: false,
                    instantiation: false,
                    when: None,
                    unless: None,
                    exempt: None,
                    parameter: Some("y".into()),
                    message: "`y` is deprecated\nuse z".into(),
                    replacement: None,
                    evidence: "docstring `.. deprecated::` at pkg/__init__.py:5".into(),
                }],
                tombstone: Some(Marker {
                    message: "removed".into(),
                    replacement: Some("pkg.g".into()),
                    evidence: "raise at pkg/__init__.py:9".into(),
                }),
                stability: Some(Stability {
                    tier: Tier::Beta,
                    evidence: "x".into(),
                }),
                ..Default::default()
            },
        );
        symbols.insert(
            "pkg._hidden".to_string(),
            Symbol {
                kind: Kind::Function,
                ..Default::default()
            },
        );
        symbols.insert(
            "pkg._Hidden".to_string(),
            Symbol {
                kind: Kind::Class,
                ..Default::default()
            },
        );
        symbols.insert(
            "pkg.C".to_string(),
            Symbol {
                kind: Kind::Class,
                defined: Some("pkg/c.py:2".into()),
                bases: vec!["pkg.B".into()],
                ..Default::default()
            },
        );
        symbols.insert(
            "pkg.C.m".to_string(),
            Symbol {
                kind: Kind::Method,
                defined: Some("pkg/c.py:4".into()),
                signatures: vec!["(self)".into()],
                ..Default::default()
            },
        );
        symbols.insert(
            "pkg.true".to_string(),
            Symbol {
                kind: Kind::Alias,
                target: Some("pkg.null".into()),
                ..Default::default()
            },
        );
        Snapshot {
            schema: SCHEMA_VERSION,
            package: "pkg".into(),
            version: "1.0".into(),
            artifact: Artifact {
                filename: "pkg-1.0-py3-none-any.whl".into(),
                sha256: "ab".into(),
            },
            profile: None,
            skipped: vec![Skipped {
                file: "pkg/bad.py".into(),
                error: "Expected ':'".into(),
            }],
            notes: vec!["note: with colon".into()],
            symbols,
        }
    }

    #[test]
    fn round_trips() {
        let snap = sample();
        let text = to_yaml_string(&snap);
        assert_eq!(from_yaml_str(&text).unwrap(), snap);
    }

    #[test]
    fn compactions_are_written() {
        let text = to_yaml_string(&sample());
        assert!(
            text.contains("    names:\n      class: [_Hidden]\n      function: [_hidden]\n"),
            "{text}"
        );
        assert!(
            text.contains("  pkg.C.m: {kind: method, defined: \":4\", signatures: [\"(self)\"]}\n"),
            "{text}"
        );
    }

    #[test]
    fn scalars_that_yaml_would_retype_are_quoted() {
        for s in [
            "true", "No", "null", "1.0", "2.5.0", "a: b", "- x", "", "x.", "~",
        ] {
            assert!(scalar(s).starts_with('"'), "{s} must be quoted");
        }
        assert_eq!(scalar("torch.nn.Linear"), "torch.nn.Linear");
    }

    #[test]
    fn unknown_schema_is_named() {
        let err = from_yaml_str("schema: 99\npackage: x\n").unwrap_err();
        assert!(
            matches!(err, ReadError::UnknownSchema { ref found } if found == "99"),
            "{err}"
        );
    }

    #[test]
    fn truncated_file_is_an_error() {
        let text = to_yaml_string(&sample());
        // Cut at a line boundary: still valid YAML, so only the end marker can tell.
        let cut = &text[..text.find("  pkg.true").unwrap()];
        assert!(matches!(from_yaml_str(cut), Err(ReadError::Truncated)));
    }
}

#[cfg(test)]
mod fast_reader_tests {
    use super::*;

    /// The fast reader and the general one agree on everything the writer produces.
    pub(crate) fn assert_readers_agree(text: &str) {
        let fast =
            crate::snapshot::fast::parse(text).expect("the fast reader takes canonical files");
        let general: WireSnapshot = serde_yaml_ng::from_str(text).unwrap();
        assert_eq!(fast.symbols.len(), general.symbols.len());
        for ((n1, s1), (n2, s2)) in fast.symbols.iter().zip(general.symbols.iter()) {
            assert_eq!(n1, n2);
            assert_eq!(format!("{s1:?}"), format!("{s2:?}"), "{n1}");
        }
        assert_eq!(format!("{:?}", fast.notes), format!("{:?}", general.notes));
        assert_eq!(
            format!("{:?}", fast.skipped),
            format!("{:?}", general.skipped)
        );
        assert_eq!(
            (&fast.package, &fast.version, &fast.profile),
            (&general.package, &general.version, &general.profile)
        );
    }

    #[test]
    fn readers_agree_on_the_fixture() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/it/snapshots/it__snapshot_fixtures__mechanisms.snap"
        ))
        .unwrap();
        let body = text.splitn(3, "---\n").nth(2).unwrap();
        assert_readers_agree(body);
    }

    #[test]
    fn readers_agree_on_a_committed_torch_snapshot() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/snapshots/torch/2.5.0.yaml"
        ))
        .unwrap();
        assert_readers_agree(&text);
    }

    #[test]
    fn keys_out_of_order_or_twice_are_left_to_the_general_reader() {
        let head = "schema: 2\npackage: p\nversion: \"1\"\nartifact:\n  filename: f\n  sha256: s\nsymbols:\n";
        let end = "# end of snapshot\n";
        let unsorted = format!("{head}  p.b: {{kind: function}}\n  p.a: {{kind: function}}\n{end}");
        assert!(crate::snapshot::fast::parse(&unsorted).is_none());
        // Still a valid mapping: the general reader takes it, in key order.
        let snap = from_yaml_str(&unsorted).unwrap();
        assert_eq!(snap.symbols.keys().collect::<Vec<_>>(), ["p.a", "p.b"]);
        let twice = format!("{head}  p.a: {{kind: function}}\n  p.a: {{kind: class}}\n{end}");
        assert!(crate::snapshot::fast::parse(&twice).is_none());
        let sorted = format!("{head}  p.a: {{kind: function, defined: \"p.py:1\"}}\n  p.b: {{kind: function, defined: \"q\\\"r.py:2\"}}\n{end}");
        let snap = from_yaml_str(&sorted).unwrap();
        assert_eq!(snap.symbols["p.b"].defined.as_deref(), Some("q\"r.py:2"));
        assert_readers_agree(&sorted);
    }

    #[test]
    fn unknown_layouts_fall_back_to_the_general_reader() {
        // Valid YAML, but not how the writer lays it out.
        let text = "schema: 2\npackage: p\nversion: '1'\nartifact: {filename: f, sha256: s}\nsymbols:\n  p: {kind: module}\n# end of snapshot\n";
        assert!(crate::snapshot::fast::parse(text).is_none());
        assert_eq!(from_yaml_str(text).unwrap().symbols.len(), 1);
    }
}
