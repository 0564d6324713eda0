//! What a change says to a person: every sentence about a [`Change`] is written here, from its
//! data, so that a wording edit touches no stored diff.

use crate::diff::{Change, ChangeKind};
use crate::snapshot::is_private_name;

/// The sentence for one change: "`torch.foo` was removed".
pub fn message(c: &Change) -> String {
    let s = &c.symbol;
    let p = c.parameter.as_deref().unwrap_or("");
    let old = c.old.as_deref().unwrap_or("?");
    let new = c.new.as_deref().unwrap_or("?");
    match c.kind {
        ChangeKind::Removed => {
            let also = if c.also.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = c.also.iter().map(|n| format!("`{n}`")).collect();
                format!(" (also as {})", names.join(", "))
            };
            match &c.new_symbol {
                Some(still) => format!(
                    "`{s}`{also} is no longer re-exported here; it is still public as `{still}`"
                ),
                None => match &c.served_by {
                    Some(getattr) => format!(
                        "`{s}`{also} is no longer declared; `{getattr}` may still serve it on instances"
                    ),
                    None => format!("`{s}` was removed{also}"),
                },
            }
        }
        ChangeKind::Unexported => {
            format!("`{s}` is no longer among its module's public names; it still resolves")
        }
        ChangeKind::Tombstoned => format!("`{s}` was removed: it still exists but always raises"),
        ChangeKind::Moved => {
            let to = c.new_symbol.as_deref().unwrap_or("?");
            if is_private_name(s) && !is_private_name(to) {
                format!("`{s}` is now public at `{to}`")
            } else if !is_private_name(s) && is_private_name(to) && !c.shim {
                format!("`{s}` is now private, as `{to}`; the public name is gone")
            } else if c.shim {
                format!("`{s}` moved to `{to}`; the old path still re-exports it")
            } else {
                format!("`{s}` moved to `{to}`; the old path is gone")
            }
        }
        ChangeKind::KindChanged => format!(
            "`{s}` changed from {} to {}",
            with_article(old),
            with_article(new)
        ),
        ChangeKind::BaseRemoved => format!("`{s}` no longer derives from `{old}`"),
        ChangeKind::ParameterRemoved => format!("`{s}` lost parameter `{p}`"),
        ChangeKind::ParameterRenamed => format!("`{s}` renamed parameter `{p}` to `{new}`"),
        ChangeKind::ParameterReordered => format!("`{s}` moved parameter `{p}`"),
        ChangeKind::ParameterAddedRequired => format!("`{s}` has a new required parameter `{p}`"),
        ChangeKind::ParameterAddedOptional => format!("`{s}` has a new optional parameter `{p}`"),
        ChangeKind::ParameterKindChanged => {
            format!("`{s}` parameter `{p}` became {new} (was {old})")
        }
        ChangeKind::DefaultChanged => {
            format!("`{s}` parameter `{p}` default changed from `{old}` to `{new}`")
        }
        ChangeKind::ReturnChanged => format!("`{s}` returns `{new}` (was `{old}`)"),
        ChangeKind::BehaviourChanged => match &c.parameter {
            Some(p) => format!(
                "`{s}` changed behaviour for parameter `{p}`, as announced in {}",
                c.old_version
            ),
            None => format!("`{s}` changed behaviour, as announced in {}", c.old_version),
        },
        ChangeKind::Deprecated => match &c.parameter {
            Some(p) => format!("`{s}` parameter `{p}` is deprecated"),
            None => format!("`{s}` is deprecated"),
        },
        ChangeKind::Undeprecated => match &c.parameter {
            Some(p) => format!("`{s}` parameter `{p}` is no longer deprecated"),
            None => format!("`{s}` is no longer deprecated"),
        },
        ChangeKind::Promoted => format!("`{s}` promoted from {old} to {new}"),
        ChangeKind::Demoted => format!("`{s}` demoted from {old} to {new}"),
        ChangeKind::Added => format!("`{s}` was added"),
    }
}

/// The replacement, unless the message already names it.
pub fn fix<'a>(c: &'a Change, message: &str) -> Option<&'a str> {
    c.replacement
        .as_deref()
        .filter(|r| !message.contains(&format!("`{r}`")))
}

fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}
