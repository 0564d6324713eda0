//! The run-time oracle (`fixtures/runtime/torch-V.json.gz`, made by `eval/runtime/`): what
//! `import torch` exposes in a release, for tests to hold the static snapshots against. Test
//! data only: extraction never reads it.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Module {
    pub all: Option<Vec<String>>,
    /// Name → kind: `m` module, `c` class, `f` other callable, `a` anything else.
    pub names: BTreeMap<String, char>,
    #[serde(default)]
    pub defs: BTreeMap<String, String>,
    #[serde(default)]
    pub dynamic: bool,
    #[serde(default)]
    pub origin: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Class {
    pub members: Vec<String>,
    pub mro: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    schema: u32,
    package: String,
    version: String,
    modules: BTreeMap<String, Module>,
    classes: BTreeMap<String, Class>,
}

pub struct Truth {
    pub modules: BTreeMap<String, Module>,
    pub classes: BTreeMap<String, Class>,
    /// Every public path of a class → the key of its record.
    class_at: HashMap<String, String>,
}

pub fn path(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/runtime")
        .join(format!("torch-{version}.json.gz"))
}

/// The releases with a committed oracle.
pub fn releases() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(path("x").parent().unwrap())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            Some(
                name.strip_prefix("torch-")?
                    .strip_suffix(".json.gz")?
                    .to_string(),
            )
        })
        .collect();
    out.sort_by_key(|v| {
        v.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    out
}

impl Truth {
    /// The oracle of `version`; an error says which file and how to make it again.
    pub fn load(version: &str) -> Result<Truth, String> {
        let p = path(version);
        let again = format!("regenerate it with `eval/runtime/make-truth.sh {version}`");
        let bytes = std::fs::read(&p).map_err(|e| {
            format!(
                "cannot read the run-time truth `{}`: {e}; {again}",
                p.display()
            )
        })?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .map_err(|e| format!("`{}` is not a whole gzip file ({e}); {again}", p.display()))?;
        let f: File = serde_json::from_str(&text).map_err(|e| {
            format!(
                "`{}` is not a run-time truth file ({e}); {again}",
                p.display()
            )
        })?;
        if f.schema != 1 || f.package != "torch" || f.version != version {
            return Err(format!(
                "`{}` holds {} {} (schema {}), not torch {version}; {again}",
                p.display(),
                f.package,
                f.version,
                f.schema
            ));
        }
        let mut class_at = HashMap::new();
        for (key, c) in &f.classes {
            class_at.insert(key.clone(), key.clone());
            for other in &c.paths {
                class_at.insert(other.clone(), key.clone());
            }
        }
        Ok(Truth {
            modules: f.modules,
            classes: f.classes,
            class_at,
        })
    }

    /// The walked public modules (not lazy namespaces, not modules found only as attributes).
    pub fn public_modules(&self) -> impl Iterator<Item = (&String, &Module)> {
        self.modules
            .iter()
            .filter(|(_, m)| !m.dynamic && m.origin.is_none())
    }

    pub fn class(&self, path: &str) -> Option<&Class> {
        self.classes.get(self.class_at.get(path)?)
    }

    /// Whether `import torch; torch.a.b.c` finds the name (or `import` of the module does).
    pub fn present(&self, dotted: &str) -> bool {
        self.knows(dotted) == Some(true)
    }

    /// [`Truth::present`], or `None` where the oracle cannot tell: modules its walk prunes
    /// (`torch.__future__`: a `_` component), lazy namespaces, and the members of `Enum`
    /// classes (whose `dir()` lists the members, not the methods).
    pub fn knows(&self, dotted: &str) -> Option<bool> {
        if self.modules.contains_key(dotted) {
            return Some(true);
        }
        let parts: Vec<&str> = dotted.split('.').collect();
        if parts.iter().any(|p| {
            p.starts_with("__")
                && p.ends_with("__")
                && !self.modules.contains_key(
                    &parts[..parts.iter().position(|x| x == p).unwrap() + 1].join("."),
                )
        }) {
            return None;
        }
        let Some(cut) = (1..parts.len())
            .rev()
            .find(|&i| self.modules.contains_key(&parts[..i].join(".")))
        else {
            return Some(false);
        };
        let module = &self.modules[&parts[..cut].join(".")];
        if module.dynamic {
            return None;
        }
        let Some(kind) = module.names.get(parts[cut]) else {
            return Some(false);
        };
        let mut at = parts[..=cut].join(".");
        let mut kind = *kind;
        for part in &parts[cut + 1..] {
            if kind != 'c' {
                // Attributes of functions and values are beyond what the oracle records.
                return Some(false);
            }
            let Some(class) = self.class(&at) else {
                return Some(false);
            };
            if !class.members.iter().any(|m| m == part) {
                if class.mro.iter().any(|m| m == "enum.Enum") {
                    return None;
                }
                return Some(false);
            }
            at = format!("{at}.{part}");
            kind = if self.class(&at).is_some() { 'c' } else { 'f' };
        }
        Some(true)
    }

    /// What a module exports: its `__all__`, else the public names it binds from the package
    /// (modules, classes and functions of `torch`; values are of unknown origin and left out).
    pub fn exported(&self, module: &str) -> Vec<String> {
        let m = &self.modules[module];
        if let Some(all) = &m.all {
            // `__all__` entries the module does not bind are mistakes, not names.
            return all
                .iter()
                .filter(|n| !n.starts_with('_') && self.present(&format!("{module}.{n}")))
                .cloned()
                .collect();
        }
        m.names
            .iter()
            .filter(|(n, _)| !n.starts_with('_'))
            // Values (`a`) come from anywhere (`TYPE_CHECKING`, `annotations`, argparse's
            // `REMAINDER`): only modules, classes and functions can be traced to the package.
            .filter(|(n, kind)| **kind != 'a' && self.is_package_object(module, n, **kind))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Whether `module.name` is an object of the package: a `torch` module, or a class or
    /// function defined in `torch`.
    pub fn is_package_object(&self, module: &str, name: &str, kind: char) -> bool {
        let m = &self.modules[module];
        let path = format!("{module}.{name}");
        match kind {
            'm' => {
                self.modules.contains_key(&path)
                    || m.defs.get(name).is_some_and(|d| d.starts_with("torch"))
            }
            'c' | 'f' => m
                .defs
                .get(name)
                .is_none_or(|d| d == "torch" || d.starts_with("torch.")),
            _ => true,
        }
    }
}

/// The reviewed disagreements (`fixtures/runtime/disagreements.yaml`): names no static reading
/// can settle, each group with its reason.
pub struct Disagreements {
    groups: Vec<(String, globset::GlobSet)>,
    used: std::cell::RefCell<Vec<bool>>,
}

#[derive(Deserialize)]
struct Group {
    why: String,
    names: Vec<String>,
}

impl Disagreements {
    pub fn load() -> Disagreements {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/runtime/disagreements.yaml");
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let groups: Vec<Group> =
            serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let groups: Vec<(String, globset::GlobSet)> = groups
            .into_iter()
            .map(|g| {
                assert!(!g.why.trim().is_empty(), "every disagreement says why");
                let mut set = globset::GlobSetBuilder::new();
                for n in &g.names {
                    set.add(globset::Glob::new(n).unwrap_or_else(|e| panic!("`{n}`: {e}")));
                }
                (g.why, set.build().unwrap())
            })
            .collect();
        let used = std::cell::RefCell::new(vec![false; groups.len()]);
        Disagreements { groups, used }
    }

    /// Whether a reviewed disagreement covers `name`.
    pub fn covers(&self, name: &str) -> bool {
        for (i, (_, set)) in self.groups.iter().enumerate() {
            if set.is_match(name) {
                self.used.borrow_mut()[i] = true;
                return true;
            }
        }
        false
    }

    /// The reasons of groups that covered nothing.
    pub fn unused(&self) -> Vec<String> {
        self.groups
            .iter()
            .zip(self.used.borrow().iter())
            .filter(|(_, used)| !**used)
            .map(|((why, _), _)| why.clone())
            .collect()
    }
}
