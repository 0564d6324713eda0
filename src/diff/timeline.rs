//! Composing consecutive diffs across a span of releases into per-symbol histories.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Change, ChangeKind};

/// One symbol's life across the span: every change, in release order.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub symbol: String,
    pub events: Vec<Change>,
}

impl History {
    /// The first release in which a change of `kind` happened.
    pub fn first(&self, kind: ChangeKind) -> Option<&Change> {
        self.events.iter().find(|c| c.kind == kind)
    }
}

/// Groups the changes of consecutive diffs (given oldest first) by symbol.
pub fn histories(diffs: &[Vec<Change>]) -> Vec<History> {
    let mut by_symbol: BTreeMap<&str, Vec<Change>> = BTreeMap::new();
    for changes in diffs {
        for c in changes {
            by_symbol
                .entry(c.symbol.as_str())
                .or_default()
                .push(c.clone());
        }
    }
    by_symbol
        .into_iter()
        .map(|(symbol, events)| History {
            symbol: symbol.to_string(),
            events,
        })
        .collect()
}
