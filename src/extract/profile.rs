//! Extraction profiles: the one declared place for what a package does at run time that a
//! static reader cannot see.
//!
//! torch's top-level namespace is filled by loops over `dir(torch._C)` and
//! `dir(torch._C._VariableFunctions)`; the names those loops produce are in the shipped stubs,
//! but nothing in the source says that they land in `torch`. A profile says it, as data, with
//! the code it mirrors quoted in `why`. Profiles for known packages ship in `profiles/` and are
//! compiled in; `--profile FILE` supplies another.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    /// Import name of the package the profile is for.
    pub package: String,
    /// Callables whose first argument is the function they return (docstring attachers), so
    /// `f = wrapper(g, "...")` makes `f` an alias of `g`.
    #[serde(default)]
    pub docstring_wrappers: Vec<String>,
    /// Decorators whose first argument is a name they bind the decorated function to in its
    /// module (`@_export("max_pool1d")` does `globals()["max_pool1d"] = fn`).
    #[serde(default)]
    pub binding_decorators: Vec<String>,
    /// Method decorators after which the method is found on instances only, not on the class.
    #[serde(default)]
    pub instance_method_decorators: Vec<String>,
    #[serde(default)]
    pub runtime_exports: Vec<RuntimeExport>,
    /// Names a module's code deletes at run time in ways a static reader cannot follow
    /// (`delattr(sys.modules[__name__], name)` in a loop).
    #[serde(default)]
    pub runtime_deletes: Vec<RuntimeDelete>,
    /// Modules (with their submodules) that are not API surface at all: test helpers and
    /// vendored third-party code shipped inside the package. They are not snapshotted.
    #[serde(default)]
    pub exclude_modules: Vec<String>,
    /// Decorators that add to the decorated object's `__doc__` at run time, so that the
    /// markers of the added text are the object's own.
    #[serde(default)]
    pub docstring_decorators: Vec<DocstringDecorator>,
    /// Functions whose test guards an early return that hands the call to a user's override
    /// (`if has_torch_function(args): return handle_torch_function(...)`): code after such a
    /// return runs on every other call, not on a fallback path.
    #[serde(default)]
    pub dispatch_guards: Vec<DispatchGuard>,
    /// Words besides the import name by which projects name the package in their own
    /// identifiers (`WITH_PT24`): what makes a flag a version test of this package.
    #[serde(default)]
    pub nicknames: Vec<Nickname>,
    /// Module attributes declared through a configuration constructor whose keyword marks
    /// them deprecated (`x: bool = Config(default=True, deprecated=True, ...)`).
    #[serde(default)]
    pub config_entries: Vec<ConfigEntry>,
    /// Warnings that compiled code raises (a C++ `TORCH_WARN` in a kernel the Python calls):
    /// run-time facts the wheel's Python does not show, each with the release it began in.
    #[serde(default)]
    pub compiled_notices: Vec<CompiledNotice>,
}

/// "From release `since` on, calling `symbol` (in the shape `parameter` and `omitted` give)
/// warns `message`": a deprecation, or an announcement of a change to come.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompiledNotice {
    /// The definition's qualified name; several when it was renamed across releases (the
    /// first one a release has is used).
    pub symbols: Vec<String>,
    #[serde(default)]
    pub parameter: Option<String>,
    /// With `parameter`: leaving it out is what warns.
    #[serde(default)]
    pub omitted: bool,
    /// `deprecated`, or `announced` for a change to come.
    pub kind: NoticeKind,
    pub since: String,
    /// The first release that no longer warns, if one does not.
    #[serde(default)]
    pub until: Option<String>,
    pub message: String,
    #[serde(default)]
    pub replacement: Option<String>,
    /// Where the compiled code warns: the evidence recorded.
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeKind {
    Deprecated,
    Announced,
}

/// "`name = constructor(..., flag=True, message="...", replacement="...")` makes reading or
/// setting `module.name` warn `module.name is deprecated and <message>`."
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigEntry {
    /// The constructor's name (the last component of its dotted name).
    pub constructor: String,
    /// The keyword that marks the entry deprecated when `True`.
    pub flag: String,
    /// The keyword whose string completes the message, if any.
    #[serde(default)]
    pub message: Option<String>,
    /// The keyword naming the entry to use instead, if any.
    #[serde(default)]
    pub replacement: Option<String>,
    /// The code this entry mirrors; documentation only.
    pub why: String,
}

/// "Projects call the package `name` in identifiers."
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nickname {
    pub name: String,
    /// Where projects do; documentation only.
    pub why: String,
}

/// "An early return under a test of `function(...)` is a dispatch, not a fallback."
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchGuard {
    pub function: String,
    /// The code this entry mirrors; documentation only.
    pub why: String,
}

/// "`@decorator(keyword=value, ...)` appends `appends` to the decorated object's `__doc__`."
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocstringDecorator {
    /// The decorator's name (the last component of its dotted name).
    pub decorator: String,
    /// Keyword arguments the call must pass, as source text (`is_backward_compatible: False`).
    #[serde(default)]
    pub when: std::collections::BTreeMap<String, String>,
    /// The text it appends, as written in its source.
    pub appends: String,
    /// The code this entry mirrors; documentation only.
    pub why: String,
}

impl Profile {
    pub fn excludes(&self, module: &str) -> bool {
        self.exclude_modules.iter().any(|m| {
            module == m
                || module
                    .strip_prefix(m.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    }
}

/// "Every name module `from` defines (filtered) is bound in module `into` at run time."
/// Such names have the lowest precedence: anything the source of `into` binds itself wins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeExport {
    pub into: String,
    pub from: String,
    /// Also copy `_single_underscore` names (dunders never).
    #[serde(default)]
    pub include_private: bool,
    #[serde(default)]
    pub exclude_suffixes: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Only attributes annotated with this type in the stub (`float32: dtype = ...`).
    #[serde(default)]
    pub annotated: Option<String>,
    /// Public names copied also join `into.__all__`.
    #[serde(default)]
    pub export: bool,
    /// The code this entry mirrors; documentation only.
    pub why: String,
}

/// "Module `module` no longer has these names once it has run."
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeDelete {
    pub module: String,
    pub names: Vec<String>,
    /// The code this entry mirrors; documentation only.
    pub why: String,
}

impl RuntimeExport {
    pub fn admits(&self, name: &str, annotation: Option<&str>) -> bool {
        if name.starts_with("__") {
            return false;
        }
        if name.starts_with('_') && !self.include_private {
            return false;
        }
        if self.exclude.iter().any(|e| e == name)
            || self
                .exclude_suffixes
                .iter()
                .any(|s| name.ends_with(s.as_str()))
        {
            return false;
        }
        match &self.annotated {
            Some(want) => annotation == Some(want.as_str()),
            None => true,
        }
    }
}

const BUNDLED: &[(&str, &str)] = &[("torch", include_str!("../../profiles/torch.yaml"))];

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile `{path}`: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("profile `{path}` is not valid: {message}")]
    Invalid { path: String, message: String },
}

/// The bundled profile for a package, or an empty one.
pub fn bundled(package: &str) -> Profile {
    BUNDLED
        .iter()
        .find(|(p, _)| *p == package)
        .map(|(p, text)| {
            parse(text, &format!("profiles/{p}.yaml")).expect("bundled profiles are valid (tested)")
        })
        .unwrap_or_else(|| Profile {
            package: package.to_string(),
            ..Default::default()
        })
}

pub fn parse(text: &str, path: &str) -> Result<Profile, ProfileError> {
    serde_yaml_ng::from_str(text).map_err(|e| ProfileError::Invalid {
        path: path.into(),
        message: e.to_string(),
    })
}

pub fn load(path: &std::path::Path) -> Result<Profile, ProfileError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Io {
        path: p.clone(),
        error: e,
    })?;
    parse(&text, &p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_profiles_parse() {
        for (package, text) in BUNDLED {
            let p = parse(text, package).unwrap();
            assert_eq!(p.package, *package);
            assert!(!p.runtime_exports.is_empty());
        }
    }

    #[test]
    fn filters() {
        let torch = bundled("torch");
        let c = &torch.runtime_exports[0];
        assert!(c.admits("Generator", None));
        assert!(!c.admits("TensorBase", None));
        assert!(!c.admits("_private", None));
        let vf = &torch.runtime_exports[1];
        assert!(vf.admits("_private_op", None));
        assert!(!vf.admits("unique_dim", None));
        assert!(!vf.admits("__and__", None));
        let dtypes = &torch.runtime_exports[2];
        assert!(dtypes.admits("float32", Some("dtype")));
        assert!(!dtypes.admits("Size", None));
        assert!(torch.excludes("torch.testing._internal.common_utils"));
        assert!(!torch.excludes("torch.testing._internal_thing"));
        assert!(!torch.excludes("torch.testing"));
    }
}
