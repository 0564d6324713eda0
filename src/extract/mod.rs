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
    let results: Vec<Result<module::ModuleFacts, Skipped>> = sources
        .files
        .par_iter()
        .filter_map(|file| {
            let (name, is_package) = module::module_name(&file.path)?;
            if profile.excludes(&name) {
                return None;
            }
            Some(analyse_file(file, &name, is_package, package, profile))
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
    let (symbols, resolve_notes) = resolver.symbols();
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

fn analyse_file(
    file: &SourceFile,
    name: &str,
    is_package: bool,
    package: &str,
    profile: &Profile,
) -> Result<module::ModuleFacts, Skipped> {
    // The walk of a deep (but accepted) tree needs more stack than a worker thread has.
    crate::util::python::on_parse_stack(|| {
        let ctx = module::FileContext::new(&file.text, &file.path, package, profile);
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
