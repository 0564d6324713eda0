//! Static extraction of a package's API surface: sources → per-module facts (in parallel) →
//! resolved symbol table → [`Snapshot`].

mod all;
mod defs;
mod markers;
mod module;
mod notices;
pub mod profile;
mod resolve;
mod signature;
pub mod source;
mod strings;

use std::path::Path;

use rayon::prelude::*;

use crate::snapshot::{Skipped, Snapshot, SCHEMA_VERSION};
pub use profile::Profile;
pub use source::{Limits, SourceError, SourceFile, SourceSet};

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Profile(#[from] profile::ProfileError),
}

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Import name of the package; by default from the distribution's metadata.
    pub package: Option<String>,
    /// A profile to use instead of the bundled one for the package.
    pub profile: Option<Profile>,
    pub limits: Limits,
}

/// Snapshots a wheel file or a directory holding the package.
pub fn snapshot_path(path: &Path, options: &Options) -> Result<Snapshot, ExtractError> {
    let sources = source::read_source(path, options.package.as_deref(), options.limits)?;
    Ok(snapshot_sources(sources, options.profile.as_ref()))
}

/// Snapshots sources already read (from a local file or from remote ranges).
pub fn snapshot_sources(sources: SourceSet, profile: Option<&Profile>) -> Snapshot {
    let bundled;
    let profile = match profile {
        Some(p) => p,
        None => {
            bundled = profile::bundled(&sources.package);
            &bundled
        }
    };
    let package = sources.package.as_str();
    let texts: Vec<&str> = sources.files.iter().map(|f| f.text.as_str()).collect();
    let helper_names = notices::helper_names(&texts);
    let results: Vec<Result<module::ModuleFacts, Skipped>> = sources
        .files
        .par_iter()
        .filter_map(|file| {
            let (name, is_package) = module::module_name(&file.path)?;
            if profile.excludes(&name) {
                return None;
            }
            Some(analyse_file(
                file,
                &name,
                is_package,
                package,
                profile,
                &helper_names,
            ))
        })
        .collect();
    let mut facts = Vec::with_capacity(results.len());
    let mut skipped = Vec::new();
    for r in results {
        match r {
            Ok(f) => facts.push(f),
            Err(s) => skipped.push(s),
        }
    }
    let mut notes: Vec<String> = facts.iter().flat_map(|f| f.notes.iter().cloned()).collect();
    let resolver = resolve::Resolver::new(package, profile, facts);
    let (mut symbols, resolve_notes) = resolver.symbols();
    compiled_notices(&mut symbols, profile, &sources.version);
    // A notice whose text names the one value it is about ("`p=False` is deprecated") is
    // about that value, as much as one under a test of it.
    for sym in symbols.values_mut() {
        for d in &mut sym.deprecated {
            if let (Some(p), None, None) = (&d.parameter, &d.when, &d.unless) {
                d.when = markers::stated_value(&d.message, p);
            }
        }
    }
    notes.extend(resolve_notes);
    notes.sort();
    notes.dedup();
    Snapshot {
        schema: SCHEMA_VERSION,
        package: sources.package.clone(),
        version: sources.version.clone(),
        artifact: sources.artifact.clone(),
        profile: (!profile.name.is_empty()).then(|| profile.name.clone()),
        skipped,
        notes,
        symbols,
    }
}

/// Attaches the profile's notices of compiled code to the definitions they are raised for, in
/// the releases that raise them.
fn compiled_notices(
    symbols: &mut std::collections::BTreeMap<String, crate::snapshot::Symbol>,
    profile: &Profile,
    version: &str,
) {
    use std::str::FromStr;
    let Ok(version) = pep440_rs::Version::from_str(version) else {
        return;
    };
    let at_or_after =
        |v: &str| pep440_rs::Version::from_str(v).is_ok_and(|v| version.release() >= v.release());
    for n in &profile.compiled_notices {
        if !at_or_after(&n.since) || n.until.as_deref().is_some_and(at_or_after) {
            continue;
        }
        let Some(name) = n.symbols.iter().find(|q| {
            symbols
                .get(*q)
                .is_some_and(|s| s.kind != crate::snapshot::Kind::Alias)
        }) else {
            continue;
        };
        let Some(sym) = symbols.get_mut(name) else {
            continue;
        };
        let notice = crate::snapshot::Deprecation {
            parameter: n.parameter.clone(),
            omitted: n.omitted,
            instantiation: false,
            when: None,
            unless: None,
            exempt: None,
            message: n.message.clone(),
            replacement: n.replacement.clone(),
            evidence: format!("compiled code, from the profile: {}", n.why),
        };
        match n.kind {
            profile::NoticeKind::Deprecated => sym.deprecated.push(notice),
            profile::NoticeKind::Announced => sym.announced.push(notice),
        }
    }
}

fn analyse_file(
    file: &SourceFile,
    name: &str,
    is_package: bool,
    package: &str,
    profile: &Profile,
    helper_names: &rustc_hash::FxHashSet<String>,
) -> Result<module::ModuleFacts, Skipped> {
    // The walk of a deep (but accepted) tree needs more stack than a worker thread has.
    crate::util::python::on_parse_stack(|| {
        let ctx = module::FileContext::new(&file.text, &file.path, package, profile)
            .with_helper_names(helper_names);
        let parsed = crate::util::python::parse_module(&file.text).map_err(|e| Skipped {
            file: file.path.clone(),
            error: format!(
                "line {}: {}",
                crate::util::LineIndex::new(&file.text).line(e.offset),
                e.message
            ),
        })?;
        let mut facts = module::analyse(&ctx, parsed.syntax(), name, is_package);
        for b in &mut facts.bindings {
            if let module::Value::Def(d) = &mut b.value {
                d.finish();
            }
        }
        Ok(facts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{Artifact, Deprecation};

    fn snapshot_of(files: &[(&str, &str)]) -> Snapshot {
        snapshot_with(files, &Profile::default())
    }

    fn snapshot_with(files: &[(&str, &str)], profile: &Profile) -> Snapshot {
        let sources = SourceSet {
            package: "pkg".into(),
            version: "1.0".into(),
            artifact: Artifact {
                filename: "pkg-1.0.tar".into(),
                sha256: String::new(),
            },
            files: files
                .iter()
                .map(|(path, text)| SourceFile {
                    path: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
        };
        snapshot_sources(sources, Some(profile))
    }

    fn deprecations<'s>(snap: &'s Snapshot, name: &str) -> &'s [Deprecation] {
        snap.symbols
            .get(name)
            .map_or(&[], |s| s.deprecated.as_slice())
    }

    fn parameters(deps: &[Deprecation]) -> Vec<&str> {
        deps.iter().filter_map(|d| d.parameter.as_deref()).collect()
    }

    const REDUCTION: &str = r#"
import warnings

def legacy_string(size_average, reduce, emit_warning=True):
    warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."
    if size_average and reduce:
        ret = "mean"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(warning.format(ret))
    return ret

def legacy_enum(size_average, reduce, emit_warning=True):
    return to_enum(legacy_string(size_average, reduce, emit_warning))

def to_enum(reduction):
    return 1
"#;

    #[test]
    fn a_private_helper_of_another_module_deprecates_the_parameters_its_caller_tests() {
        let caller = r#"
from pkg import _reduction as _R

def loss(x, size_average=None, reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _R.legacy_enum(size_average, reduce)
    return x

def other(x, reduction="mean"):
    return _R.to_enum(reduction)
"#;
        let snap = snapshot_of(&[
            ("pkg/__init__.py", ""),
            ("pkg/_reduction.py", REDUCTION),
            ("pkg/losses.py", caller),
        ]);
        let deps = deprecations(&snap, "pkg.losses.loss");
        assert_eq!(parameters(deps), ["size_average", "reduce"]);
        // `ret` is bound in two branches: its text is not known, and is left out.
        assert_eq!(
            deps[0].message,
            "size_average and reduce args will be deprecated, please use reduction= instead."
        );
        assert_eq!(
            deps[0].evidence,
            "warnings.warn(UserWarning) at pkg/_reduction.py:11, called at pkg/losses.py:6"
        );
        // `to_enum` never warns.
        assert!(deprecations(&snap, "pkg.losses.other").is_empty());
    }

    #[test]
    fn notices_of_compiled_code_come_from_the_profile_for_the_releases_that_raise_them() {
        let notice = |since: &str, until: Option<&str>| crate::extract::profile::CompiledNotice {
            symbols: vec!["pkg._C.Base.cross".into(), "pkg.grid".into()],
            parameter: Some("dim".into()),
            omitted: true,
            kind: crate::extract::profile::NoticeKind::Deprecated,
            since: since.into(),
            until: until.map(str::to_string),
            message: "Leaving dim out is deprecated.".into(),
            replacement: None,
            why: "the kernel warns".into(),
        };
        let files = [("pkg/__init__.py", "def grid(x, dim=None):\n    pass\n")];
        let with = |n| Profile {
            compiled_notices: vec![n],
            ..Profile::default()
        };
        // The fixture release is 1.0; the first name the release has is the one marked.
        let snap = snapshot_with(&files, &with(notice("1.0", None)));
        let deps = deprecations(&snap, "pkg.grid");
        assert_eq!(parameters(deps), ["dim"]);
        assert!(deps[0].omitted);
        assert!(deps[0].evidence.contains("the kernel warns"));
        // Not yet, and no longer.
        let later = snapshot_with(&files, &with(notice("1.1", None)));
        assert!(deprecations(&later, "pkg.grid").is_empty());
        let gone = snapshot_with(&files, &with(notice("0.9", Some("1.0"))));
        assert!(deprecations(&gone, "pkg.grid").is_empty());
    }

    #[test]
    fn a_warning_for_one_subclass_is_not_the_base_class_deprecation() {
        let optim = r#"
import warnings
import torch

class Optimizer:
    def __init__(self, params, defaults):
        if isinstance(params, torch.Tensor):
            if self.__class__.__name__ == "SparseAdam":
                warnings.warn("Passing a raw Tensor as params to SparseAdam is deprecated.", FutureWarning)
            else:
                raise TypeError("params must be an iterable")

class Function:
    def __init__(self, *args):
        if type(self) is Function:
            warnings.warn("Function is deprecated: call Function.apply instead.", DeprecationWarning)
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", optim)]);
        // Only `SparseAdam` takes that branch: nothing is said of `Optimizer` or its `params`.
        assert!(deprecations(&snap, "pkg.Optimizer").is_empty());
        // A test naming the holding class is about the class itself.
        assert_eq!(deprecations(&snap, "pkg.Function").len(), 1);
    }

    #[test]
    fn docstring_attributes_are_not_parameters() {
        let event = r#"
class Event:
    """An event.

    Args:
        name (str): The name.

    Attributes:
        metadata_json (str): Deprecated. Use ``extra`` instead.
    """

    def __init__(self, name, metadata_json=None):
        self.name = name
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", event)]);
        assert!(parameters(deprecations(&snap, "pkg.Event")).is_empty());
    }

    #[test]
    fn a_public_function_that_warns_is_deprecated_itself_not_its_callers() {
        let old = r#"
import warnings

def old_api():
    warnings.warn("old_api is deprecated", DeprecationWarning)
"#;
        let internal = r#"
import warnings

def _old():
    warnings.warn("_old is deprecated", DeprecationWarning)
"#;
        let reexport = "from pkg._internal import _old as public_old\n";
        let caller = r#"
from pkg import api
from pkg import _internal

def uses_public():
    api.old_api()

def uses_reexported():
    _internal._old()
"#;
        let snap = snapshot_of(&[
            ("pkg/__init__.py", reexport),
            ("pkg/api.py", old),
            ("pkg/_internal.py", internal),
            ("pkg/user.py", caller),
        ]);
        assert_eq!(deprecations(&snap, "pkg.api.old_api").len(), 1);
        assert!(deprecations(&snap, "pkg.user.uses_public").is_empty());
        assert!(deprecations(&snap, "pkg.user.uses_reexported").is_empty());
    }

    #[test]
    fn a_helper_warns_only_when_every_call_reaches_its_warning() {
        let helpers = r#"
import os
import warnings

_WARNED = False
_BUILD_OPTION = False

def _after_return(kwargs):
    if not kwargs:
        return None
    warnings.warn("'async' is deprecated; use 'non_blocking'")

def _from_environment():
    if os.getenv("OLD_HOME"):
        warnings.warn("OLD_HOME is deprecated, use NEW_HOME")

def _build_option():
    if _BUILD_OPTION:
        warnings.warn("the legacy backend is deprecated")

def _warn_once():
    global _WARNED
    if not _WARNED:
        warnings.warn("the storage API is deprecated")
        _WARNED = True

def a(**kwargs):
    _after_return(kwargs)

def b():
    _from_environment()

def c():
    _build_option()

def d():
    _warn_once()
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/mod.py", helpers)]);
        for name in ["a", "b", "c"] {
            assert!(
                deprecations(&snap, &format!("pkg.mod.{name}")).is_empty(),
                "{name}"
            );
        }
        let d = deprecations(&snap, "pkg.mod.d");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "the storage API is deprecated");
    }

    #[test]
    fn a_method_warns_through_a_sibling_only_when_the_message_names_it() {
        let module = r#"
import warnings

class Sharded:
    @staticmethod
    def set_kind(module, kind):
        warnings.warn("Sharded.kind() and Sharded.set_kind() are being deprecated, use pkg.mod.configure().", FutureWarning)
        return kind

    @staticmethod
    def kind(module, kind):
        previous = Sharded.set_kind(module, kind)
        return previous

    @staticmethod
    def reset(module):
        return Sharded.set_kind(module, None)
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/mod.py", module)]);
        assert_eq!(deprecations(&snap, "pkg.mod.Sharded.set_kind").len(), 1);
        let kind = deprecations(&snap, "pkg.mod.Sharded.kind");
        assert_eq!(kind.len(), 1, "{kind:?}");
        assert!(
            kind[0].evidence.contains("called at"),
            "{}",
            kind[0].evidence
        );
        // The message does not name `reset`: that it warns is a leak, not its deprecation.
        assert!(deprecations(&snap, "pkg.mod.Sharded.reset").is_empty());
        // Announced, not deprecated: a plain warning of a coming change, for a call shape.
        let checkpoint = r#"
import warnings

def checkpoint(fn, *args, use_reentrant=None):
    if use_reentrant is None:
        warnings.warn("the use_reentrant parameter should be passed explicitly. In a future release, calling checkpoint without use_reentrant will raise an exception.")
    return fn(*args)
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/ck.py", checkpoint)]);
        assert!(deprecations(&snap, "pkg.ck.checkpoint").is_empty());
        let sym = &snap.symbols["pkg.ck.checkpoint"];
        assert_eq!(sym.announced.len(), 1, "{sym:?}");
        assert_eq!(sym.announced[0].parameter.as_deref(), Some("use_reentrant"));
        assert!(sym.announced[0].omitted);
        // Passed on to a private function that warns for it: the caller warns the same.
        let forwarded = r#"
import warnings

def checkpoint(fn, *args, use_reentrant=None, debug=False):
    return _checkpoint_impl(fn, args, use_reentrant=use_reentrant, debug=debug)

def _checkpoint_impl(fn, args, *, use_reentrant, debug):
    if use_reentrant is None:
        warnings.warn("the use_reentrant parameter should be passed explicitly. In a future release, calling checkpoint without use_reentrant will raise an exception.")
    return fn(*args)
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/ck.py", forwarded)]);
        let sym = &snap.symbols["pkg.ck.checkpoint"];
        assert_eq!(sym.announced.len(), 1, "{sym:?}");
        assert_eq!(sym.announced[0].parameter.as_deref(), Some("use_reentrant"));
        assert!(sym.announced[0].omitted);
        assert!(sym.announced[0].evidence.ends_with("called at pkg/ck.py:5"));
    }

    #[test]
    fn configuration_entries_the_profile_declares_deprecated() {
        let config = r#"
from pkg._config_module import Config

lazy: bool = Config(default=True, deprecated=True, deprecation_message="does not do anything")
old_limit = Config(alias="pkg.config.limit", deprecated=True)
limit = Config(default=8)
plain = Config(default=1, deprecated=False)
"#;
        let profile = Profile {
            config_entries: vec![crate::extract::profile::ConfigEntry {
                constructor: "Config".into(),
                flag: "deprecated".into(),
                message: Some("deprecation_message".into()),
                replacement: Some("alias".into()),
                why: String::new(),
            }],
            ..Profile::default()
        };
        let snap = snapshot_with(
            &[("pkg/__init__.py", ""), ("pkg/config.py", config)],
            &profile,
        );
        let lazy = deprecations(&snap, "pkg.config.lazy");
        assert_eq!(lazy.len(), 1);
        assert_eq!(
            lazy[0].message,
            "pkg.config.lazy is deprecated and does not do anything"
        );
        let old = deprecations(&snap, "pkg.config.old_limit");
        assert_eq!(old[0].replacement.as_deref(), Some("pkg.config.limit"));
        assert!(deprecations(&snap, "pkg.config.limit").is_empty());
        assert!(deprecations(&snap, "pkg.config.plain").is_empty());
        // Without the profile's declaration, a call is a call.
        let bare = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/config.py", config)]);
        assert!(deprecations(&bare, "pkg.config.lazy").is_empty());
    }

    #[test]
    fn a_helper_message_built_from_its_arguments_reads_with_each_callers_arguments() {
        let module = r#"
import warnings

def _deprecated(name, suggestion):
    warnings.warn(f"pkg.mod.{name} is deprecated, use {suggestion} instead.", FutureWarning)

def broadcast(x):
    _deprecated("broadcast", "pkg.new.broadcast")
    return x
"#;
        let caller = r#"
from pkg import mod

def elsewhere():
    mod._deprecated("elsewhere", "pkg.new.elsewhere")
"#;
        let snap = snapshot_of(&[
            ("pkg/__init__.py", ""),
            ("pkg/mod.py", module),
            ("pkg/caller.py", caller),
        ]);
        let deps = deprecations(&snap, "pkg.mod.broadcast");
        assert_eq!(
            deps[0].message,
            "pkg.mod.broadcast is deprecated, use pkg.new.broadcast instead."
        );
        assert_eq!(deps[0].replacement.as_deref(), Some("pkg.new.broadcast"));
        // Another module's call keeps no arguments to fill the text with.
        assert!(deprecations(&snap, "pkg.caller.elsewhere").is_empty());
    }

    #[test]
    fn a_parameter_passed_by_position_to_a_private_function_that_warns_for_it() {
        let module = r#"
import warnings

def _check_verbose(verbose):
    if verbose != "deprecated":
        warnings.warn("The verbose parameter is deprecated.", UserWarning)
        return verbose
    return False

def _other(x):
    return x

class Scheduler:
    def __init__(self, optimizer, verbose="deprecated"):
        self.optimizer = _other(optimizer)
        self.verbose = _check_verbose(verbose)

def step(epoch, verbose="deprecated"):
    return _check_verbose(verbose)

def _device_of(group):
    if not isinstance(group, Group):
        warnings.warn("Using a Backend as a Group is deprecated.")
    return "cpu"

def barrier(group=None):
    return _device_of(group)
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/sched.py", module)]);
        // The constructor's notice is the class's, as its own would be.
        let class = deprecations(&snap, "pkg.sched.Scheduler");
        assert_eq!(class.len(), 1, "{class:?}");
        assert_eq!(class[0].parameter.as_deref(), Some("verbose"));
        assert!(
            class[0].evidence.ends_with("called at pkg/sched.py:16"),
            "{}",
            class[0].evidence
        );
        let step = deprecations(&snap, "pkg.sched.step");
        assert_eq!(step.len(), 1, "{step:?}");
        assert_eq!(step[0].parameter.as_deref(), Some("verbose"));
        assert!(deprecations(&snap, "pkg.sched.Scheduler.__init__").is_empty());
        // Which values warn is a type test the notice does not keep: by position, every call
        // passing `group` would be taken to warn, so it is not carried.
        assert!(deprecations(&snap, "pkg.sched.barrier").is_empty());
    }

    #[test]
    fn a_deprecation_logged_on_the_modules_logger_is_stated() {
        let module = r#"
import logging

log = logging.getLogger(__name__)

def old(x):
    log.warning("+======+")
    log.warning("old() is deprecated, use pkg.m.new() instead.")
    return x

def slow(x):
    log.warning("this may be slow")
    return x

def passed(x, printer):
    printer.warning("passed() is deprecated")
    return x

def new(x):
    return x
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/m.py", module)]);
        let old = deprecations(&snap, "pkg.m.old");
        assert_eq!(old.len(), 1, "{old:?}");
        assert_eq!(
            old[0].message,
            "old() is deprecated, use pkg.m.new() instead."
        );
        assert_eq!(old[0].replacement.as_deref(), Some("pkg.m.new()"));
        assert_eq!(old[0].evidence, "log.warning at pkg/m.py:8");
        // A logged warning that is no deprecation, and a logger the module does not bind.
        assert!(deprecations(&snap, "pkg.m.slow").is_empty());
        assert!(deprecations(&snap, "pkg.m.passed").is_empty());
    }

    #[test]
    fn a_decorator_of_this_file_that_wraps_in_a_warning_deprecates_what_it_wraps() {
        let module = r#"
import functools
import warnings

import pkg


def warn_deprecated(instructions):
    def outer_wrapper(fn):
        name = fn.__name__
        head = f"pkg.mod.{name}() is deprecated since 1.2. "

        @functools.wraps(fn)
        def inner_wrapper(*args, **kwargs):
            result = fn(*args, **kwargs)
            tail = instructions(name, args) if callable(instructions) else instructions
            msg = (head + tail).strip()
            warnings.warn(msg, FutureWarning)
            return result

        return inner_wrapper

    return outer_wrapper


def _make_deprecate(meth):
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`mod.{old_name}` is deprecated in favor of `mod.{new_name}`.", FutureWarning)
        return meth(*args, **kwargs)

    deprecated_init.__name__ = old_name
    return deprecated_init


def _traced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if pkg.verbose:
            warnings.warn("deprecated tracing mode")
        return fn(*args, **kwargs)

    return wrapper


@warn_deprecated("Use pkg.mod.close() instead.")
def allclose(a, b):
    return a == b


def uniform_(t):
    return t


uniform = _make_deprecate(uniform_)
rand = warn_deprecated("Use pkg.rand() instead.")(pkg.rand)


@_traced
def traced(x):
    return x


def close(a, b):
    return a == b
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/mod.py", module)]);
        let allclose = deprecations(&snap, "pkg.mod.allclose");
        assert_eq!(allclose.len(), 1, "{allclose:?}");
        assert_eq!(
            allclose[0].message,
            "pkg.mod.allclose() is deprecated since 1.2. Use pkg.mod.close() instead."
        );
        assert_eq!(allclose[0].replacement.as_deref(), Some("pkg.mod.close()"));
        assert!(
            allclose[0]
                .evidence
                .contains("in the wrapper warn_deprecated() made at pkg/mod.py:48"),
            "{}",
            allclose[0].evidence
        );
        let uniform = deprecations(&snap, "pkg.mod.uniform");
        assert_eq!(
            uniform[0].message,
            "`mod.uniform` is deprecated in favor of `mod.uniform_`."
        );
        // Named as the package's docs do, without its root: the name a user can use.
        assert_eq!(uniform[0].replacement.as_deref(), Some("pkg.mod.uniform_"));
        assert!(deprecations(&snap, "pkg.mod.uniform_").is_empty());
        assert_eq!(
            deprecations(&snap, "pkg.mod.rand")[0].message,
            "pkg.mod.rand() is deprecated since 1.2. Use pkg.rand() instead."
        );
        // A wrapper that warns only on some calls deprecates nothing; the factory and the
        // plain function are not deprecated themselves.
        assert!(deprecations(&snap, "pkg.mod.traced").is_empty());
        assert!(deprecations(&snap, "pkg.mod.warn_deprecated").is_empty());
        assert!(deprecations(&snap, "pkg.mod.close").is_empty());
    }

    #[test]
    fn a_helper_warning_about_something_else_is_not_about_the_tested_parameter() {
        let module = r#"
import warnings

def _cache_dir():
    warnings.warn("PKG_CACHE is deprecated, use PKG_HOME")
    return "/tmp"

def load(source="remote"):
    if source == "remote":
        path = _cache_dir()
    return source
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/mod.py", module)]);
        assert!(deprecations(&snap, "pkg.mod.load").is_empty());
    }

    #[test]
    fn a_directive_naming_a_parameter_in_prose_deprecates_the_function() {
        let module = r#"
def select_mode(model, mode):
    """Sets the mode.

    .. deprecated:: 2.7
        Please set training mode before exporting the model.
    """

def pad(x, mode):
    """Pads.

    .. deprecated:: 2.7
        Passing ``mode`` is no longer needed.
    """
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/mod.py", module)]);
        let select = deprecations(&snap, "pkg.mod.select_mode");
        assert_eq!(select.len(), 1, "{select:?}");
        assert!(select[0].parameter.is_none(), "{select:?}");
        assert_eq!(parameters(deprecations(&snap, "pkg.mod.pad")), ["mode"]);
    }

    #[test]
    fn a_private_parameter_that_skips_the_warning_exempts_the_calls_passing_it() {
        let module = r#"
import warnings

def _warn_removal():
    warnings.warn("Buffer is deprecated. It will be removed.")

class Buffer:
    def __new__(cls, *args, _internal=False):
        if not _internal:
            _warn_removal()

def wrap(x, _from_c=None):
    if _from_c is not "c":
        warnings.warn("wrap is deprecated, use lift", FutureWarning)

def resize(x, _legacy=True):
    if not _legacy:
        warnings.warn("resize is deprecated")

def pad(x, _mode=None):
    if _mode is not None:
        warnings.warn("_mode is deprecated")
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/mod.py", module)]);
        let buffer = deprecations(&snap, "pkg.mod.Buffer");
        assert_eq!(buffer.len(), 1);
        assert!(buffer[0].parameter.is_none() && buffer[0].instantiation);
        assert_eq!(buffer[0].exempt.as_deref(), Some("_internal=True"));
        let wrap = deprecations(&snap, "pkg.mod.wrap");
        assert_eq!(wrap[0].exempt.as_deref(), Some("_from_c=\"c\""));
        // The default skips the warning: passing the parameter is what warns.
        let resize = deprecations(&snap, "pkg.mod.resize");
        assert_eq!(parameters(resize), ["_legacy"]);
        assert!(resize.iter().all(|d| d.exempt.is_none()), "{resize:?}");
        // The message names the private parameter: it is what is deprecated.
        assert_eq!(parameters(deprecations(&snap, "pkg.mod.pad")), ["_mode"]);
        // The helper in another module, joined after every module is read.
        let other = r#"
from pkg import mod

class View:
    def __init__(self, _internal=False):
        if not _internal:
            mod._warn_removal()
"#;
        let snap = snapshot_of(&[
            ("pkg/__init__.py", ""),
            ("pkg/mod.py", module),
            ("pkg/other.py", other),
        ]);
        let view = deprecations(&snap, "pkg.other.View");
        assert_eq!(view.len(), 1, "{view:?}");
        assert_eq!(view[0].message, "Buffer is deprecated. It will be removed.");
        assert!(view[0].parameter.is_none() && view[0].instantiation);
        assert_eq!(view[0].exempt.as_deref(), Some("_internal=True"));
    }

    #[test]
    fn a_warning_after_an_early_return_is_about_that_path_unless_it_names_the_function() {
        let module = r#"
import warnings

def load(f):
    contents = read(f)
    if contents:
        return contents
    warnings.warn("This version of file is deprecated. Please save a new file.")
    return legacy(f)

def old_load(f):
    if f is None:
        return None
    warnings.warn("old_load is deprecated, use load instead", FutureWarning)

def dispatched(x, size_average=None):
    if overridden(x):
        return handle(dispatched, x)
    if size_average is not None:
        warnings.warn("size_average is deprecated", DeprecationWarning)
    warnings.warn("the storage API is deprecated", DeprecationWarning)
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/mod.py", module)]);
        assert!(deprecations(&snap, "pkg.mod.load").is_empty());
        assert_eq!(deprecations(&snap, "pkg.mod.old_load").len(), 1);
        // The parameter's test still says what its warning is about.
        assert_eq!(
            parameters(deprecations(&snap, "pkg.mod.dispatched")),
            ["size_average"]
        );
        // With `overridden` declared a dispatch, the code after its `return` is every other
        // call's path.
        let profile = Profile {
            dispatch_guards: vec![profile::DispatchGuard {
                function: "overridden".into(),
                why: "a user override takes the call".into(),
            }],
            ..Default::default()
        };
        let snap = snapshot_with(&[("pkg/__init__.py", ""), ("pkg/mod.py", module)], &profile);
        let deps = deprecations(&snap, "pkg.mod.dispatched");
        assert_eq!(deps.len(), 2);
        assert!(deps
            .iter()
            .any(|d| d.parameter.is_none() && d.message == "the storage API is deprecated"));
    }

    #[test]
    fn a_deprecated_overload_deprecates_its_literal_parameters_not_the_function() {
        let module = r#"
from typing import Literal, overload
from typing_extensions import deprecated

@overload
def attend(q, return_lse: Literal[False] = False): ...

@overload
@deprecated("return_lse is deprecated, use return_aux")
def attend(q, return_lse: Literal[True] = ...): ...

@overload
@deprecated("passing a tuple is deprecated")
def attend(q: tuple, return_lse: bool = False): ...

def attend(q, return_lse=False):
    return q
"#;
        let snap = snapshot_of(&[("pkg/__init__.py", ""), ("pkg/mod.py", module)]);
        let deps = deprecations(&snap, "pkg.mod.attend");
        // The third overload's calls are not told apart here: it states nothing.
        assert_eq!(parameters(deps), ["return_lse"]);
        assert_eq!(deps.len(), 1);
    }
}
