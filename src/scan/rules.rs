//! The rules `check` applies. Knowledge is data: each rule is a code, a kebab-case name, a
//! default level, whether it runs unless selected, and its documentation (what `apidrift rule
//! CODE` prints).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    /// Runs without being selected.
    pub default: bool,
    pub doc: &'static str,
}

pub const REMOVED: &Rule = &Rule {
    code: "AD001",
    name: "removed-api",
    level: Level::Error,
    default: true,
    doc: "## What it does
Flags uses of an API that the target release removed, or turned into a tombstone that always
raises (`torch.symeig`: \"This function was deprecated since version 1.9 and is now removed\").

## Why is this bad?
The code fails at import time or on the first call after the upgrade.

## Example
```python
import torch
w, v = torch.symeig(a, eigenvectors=True)
```
Use instead (the replacement the removal names):
```python
w, v = torch.linalg.eigh(a)
```",
};

pub const MOVED: &Rule = &Rule {
    code: "AD002",
    name: "moved-api",
    level: Level::Error,
    default: true,
    doc: "## What it does
Flags uses of an API whose definition moved to a new path in the span. An error when the old
path is gone, a warning when the old path still re-exports the new one (a shim that may go).

## Why is this bad?
Imports of the old path break when the shim is removed, or already broke.

## Example
```python
from torch.ao.quantization.pt2e.generate_numeric_debug_handle import generate_numeric_debug_handle
```
Use instead:
```python
from torch.ao.quantization import generate_numeric_debug_handle
```",
};

pub const DEPRECATED: &Rule = &Rule {
    code: "AD003",
    name: "deprecated-api",
    level: Level::Warning,
    default: true,
    doc: "## What it does
Flags uses of an API, or of one of its parameters, that the target release deprecates, with the
replacement the deprecation names.

## Why is this bad?
Deprecated APIs warn on every call and are removed in a later release.

## Example
```python
scaler = torch.cuda.amp.GradScaler()
```
Use instead:
```python
scaler = torch.amp.GradScaler(\"cuda\")
```",
};

pub const CALL: &Rule = &Rule {
    code: "AD004",
    name: "call-no-longer-binds",
    level: Level::Error,
    default: true,
    doc: "## What it does
Checks call sites against the target release's signature(s): a keyword the target does not
accept, more positional arguments than it takes, or a required parameter not passed. Only calls
that bound to the source release's signature are reported.

## Why is this bad?
The call raises `TypeError` after the upgrade.

## Example
```python
torch.onnx.export(model, args, \"m.onnx\", True)  # `export_params` became keyword-only in 2.5
```
Use instead:
```python
torch.onnx.export(model, args, \"m.onnx\", export_params=True)
```",
};

pub const BEHAVIOUR: &Rule = &Rule {
    code: "AD005",
    name: "behaviour-change",
    level: Level::Warning,
    default: true,
    doc: "## What it does
Flags calls whose behaviour changed in the span without a change of signature, when the call
relies on the changed default: a release announced the change with a `FutureWarning`, and a
later one made it (`torch.load` without `weights_only` when the span crosses 2.6).

## Why is this bad?
The code still runs but does something else: `torch.load` refuses pickled objects it loaded
before.

## Example
```python
state = torch.load(\"ckpt.pt\")
```
Use instead (say what you mean):
```python
state = torch.load(\"ckpt.pt\", weights_only=True)
```",
};

pub const UNSTABLE: &Rule = &Rule {
    code: "AD006",
    name: "unstable-api",
    level: Level::Info,
    default: false,
    doc: "## What it does
Reports uses of APIs that the target release marks beta, prototype or experimental (docstring
warnings, `experimental` modules), with the evidence. Off unless selected.

## Why is this bad?
Unstable APIs may change or disappear in any release without a deprecation period.",
};

pub const PRIVATE: &Rule = &Rule {
    code: "AD007",
    name: "private-api",
    level: Level::Info,
    default: false,
    doc: "## What it does
Reports uses of private APIs (a `_` path component, such as `torch._dynamo` or
`torch.utils._pytree`). Off unless selected.

## Why is this bad?
Private APIs carry no compatibility promise.",
};

pub const NOW_PUBLIC: &Rule = &Rule {
    code: "AD008",
    name: "now-public",
    level: Level::Info,
    default: true,
    doc: "## What it does
Reports uses of a private path whose definition the target release made public, with the
public path.

## Why is this bad?
It is not, yet: the private path is a shim now, and the public one is the supported way.

## Example
```python
from torch.distributed._tensor import DTensor
```
Use instead:
```python
from torch.distributed.tensor import DTensor
```",
};

pub const ALL: &[&Rule] = &[
    REMOVED, MOVED, DEPRECATED, CALL, BEHAVIOUR, UNSTABLE, PRIVATE, NOW_PUBLIC,
];

/// A rule by code (`AD003`) or name (`deprecated-api`).
pub fn find(key: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(a.doc.starts_with("## What it does"), "{}", a.code);
            assert!(
                a.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                a.name
            );
            for b in &ALL[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.name, b.name);
            }
        }
        assert_eq!(find("ad003").map(|r| r.name), Some("deprecated-api"));
        assert_eq!(find("moved-api").map(|r| r.code), Some("AD002"));
    }
}
