//! One name across every stored release: where it is present, and what happened to it.

use serde::Serialize;

use super::SpanError;
use crate::diff::{timeline, Change, ChangeKind};
use crate::snapshot::store::Store;
use crate::snapshot::{is_private_name, Snapshot};

/// One symbol's lifecycle across the stored releases.
#[derive(Debug, Clone, Serialize)]
pub struct Lifecycle {
    pub symbol: String,
    /// How many releases are stored.
    #[serde(skip)]
    pub stored: usize,
    /// Releases in which the name resolves.
    pub present_in: Vec<String>,
    /// The first release with the name, unless it is the oldest stored.
    pub introduced_in: Option<String>,
    /// Every change of the name, and moves into it, in release order.
    pub events: Vec<Change>,
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Span(#[from] SpanError),
    #[error("`{symbol}` is in none of the {stored} stored releases of `{package}`{hint}")]
    Unknown {
        symbol: String,
        stored: usize,
        package: String,
        hint: String,
    },
}

/// The lifecycle of `symbol` across every stored release of `package`.
pub fn history(store: &Store, package: &str, symbol: &str) -> Result<Lifecycle, HistoryError> {
    let snaps = super::load(store, package, None, None)?;
    let present_in: Vec<String> = snaps
        .iter()
        .filter(|s| s.resolve(symbol).is_some())
        .map(|s| s.version.clone())
        .collect();
    if present_in.is_empty() {
        return Err(HistoryError::Unknown {
            symbol: symbol.to_string(),
            stored: snaps.len(),
            package: package.to_string(),
            hint: suggestions(&snaps[snaps.len() - 1], symbol),
        });
    }
    let diffs = super::consecutive_diffs(&snaps)?;
    let mut events = Vec::new();
    for h in timeline::histories(&diffs) {
        if h.symbol == symbol {
            events.extend(h.events);
        }
    }
    // Moves into this name are part of its story too.
    events.extend(
        diffs
            .iter()
            .flatten()
            .filter(|c| c.kind == ChangeKind::Moved && c.new_symbol.as_deref() == Some(symbol))
            .cloned(),
    );
    let position = |v: &str| snaps.iter().position(|s| s.version == v);
    events.sort_by(|a, b| {
        position(&a.new_version)
            .cmp(&position(&b.new_version))
            .then(a.kind.cmp(&b.kind))
    });
    let introduced_in = (present_in[0] != snaps[0].version).then(|| present_in[0].clone());
    Ok(Lifecycle {
        symbol: symbol.to_string(),
        stored: snaps.len(),
        present_in,
        introduced_in,
        events,
    })
}

/// "; did you mean `a`, `b`?" — public names of `newest` close to `symbol`.
fn suggestions(newest: &Snapshot, symbol: &str) -> String {
    let mut near: Vec<(f64, &String)> = newest
        .symbols
        .keys()
        .filter(|n| !is_private_name(n))
        .map(|n| (strsim::jaro_winkler(n, symbol), n))
        .filter(|(score, _)| *score > 0.85)
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let names: Vec<String> = near.iter().take(5).map(|(_, n)| format!("`{n}`")).collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", names.join(", "))
    }
}
