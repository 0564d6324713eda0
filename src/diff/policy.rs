//! The severity policy: whether a change is breaking, a deprecation, a behaviour change or
//! only worth knowing. One table, read top to bottom: the first row whose kinds include the
//! change's kind and whose condition holds decides. The diff only gathers [`Facts`]; it never
//! picks a severity itself.

use super::{ChangeKind, Severity};
use ChangeKind::*;

/// What the diff knows about one change beyond its kind: the inputs of the policy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    /// A removed re-export whose definition is still public under another name.
    pub still_public_elsewhere: bool,
    /// The name is a protocol method (`__str__`) users do not call by name.
    pub dunder: bool,
    /// A move from a private path to a public one.
    pub private_to_public: bool,
    /// A move whose old path still re-exports the new definition.
    pub shim: bool,
    /// A kind change from or to an attribute (which can hold anything).
    pub attribute_involved: bool,
    /// A kind change between two callable kinds (function and class, say).
    pub both_callable: bool,
    /// A removed base that is a public class of the same package.
    pub public_package_base: bool,
    /// A signature change after which a call that bound before no longer binds.
    pub breaks_calls: bool,
    /// The parameter concerned is `_private`.
    pub private_parameter: bool,
    /// A removed name its module's `__all__` did not list.
    pub unlisted: bool,
    /// A removed class member that the class's `__getattr__` may still serve.
    pub served_by_getattr: bool,
}

/// When a row applies.
#[derive(Debug, Clone, Copy)]
enum When {
    Always,
    StillPublicElsewhere,
    Dunder,
    Unlisted,
    ServedByGetattr,
    PrivateToPublic,
    Shim,
    AttributeInvolved,
    BothCallable,
    PublicPackageBase,
    /// A call users write stops binding: not a dunder, not a `_private` parameter.
    BreaksUserCalls,
}

impl When {
    fn holds(self, f: &Facts) -> bool {
        match self {
            When::Always => true,
            When::StillPublicElsewhere => f.still_public_elsewhere,
            When::Dunder => f.dunder,
            When::Unlisted => f.unlisted,
            When::ServedByGetattr => f.served_by_getattr,
            When::PrivateToPublic => f.private_to_public,
            When::Shim => f.shim,
            When::AttributeInvolved => f.attribute_involved,
            When::BothCallable => f.both_callable,
            When::PublicPackageBase => f.public_package_base,
            When::BreaksUserCalls => f.breaks_calls && !f.dunder && !f.private_parameter,
        }
    }
}

const SIGNATURE: &[ChangeKind] = &[
    ParameterRemoved,
    ParameterRenamed,
    ParameterReordered,
    ParameterAddedRequired,
    ParameterKindChanged,
    DefaultChanged,
    ReturnChanged,
    ParameterAddedOptional,
];

/// (kinds, condition, severity, why), first match wins.
const POLICY: &[(&[ChangeKind], When, Severity, &str)] = &[
    (
        &[Removed],
        When::StillPublicElsewhere,
        Severity::Info,
        "the fix is the other name; old imports may still work",
    ),
    (
        &[Removed],
        When::Dunder,
        Severity::Info,
        "protocol methods fall back to a base class or `object`",
    ),
    (
        &[Removed],
        When::Unlisted,
        Severity::Info,
        "outside its module's `__all__`: importable, never promised",
    ),
    (
        &[Removed],
        When::ServedByGetattr,
        Severity::Info,
        "instances may still get it from the class's `__getattr__`",
    ),
    (
        &[Removed, Tombstoned],
        When::Always,
        Severity::Breaking,
        "the name no longer works",
    ),
    (
        &[Moved],
        When::PrivateToPublic,
        Severity::Info,
        "the private path was never a promise; the public one is news",
    ),
    (
        &[Moved],
        When::Shim,
        Severity::Deprecation,
        "the old path works until the shim goes",
    ),
    (
        &[Moved],
        When::Always,
        Severity::Breaking,
        "the old path is gone",
    ),
    (
        &[KindChanged],
        When::AttributeInvolved,
        Severity::Info,
        "an attribute can hold anything; this says more about the source than about calls",
    ),
    (
        &[KindChanged],
        When::BothCallable,
        Severity::Behaviour,
        "calls still work; subclassing or introspection may not",
    ),
    (
        &[KindChanged],
        When::Always,
        Severity::Breaking,
        "what the name is changed",
    ),
    (
        &[BaseRemoved],
        When::PublicPackageBase,
        Severity::Breaking,
        "`isinstance` and inherited members users named may go",
    ),
    (
        &[BaseRemoved],
        When::Always,
        Severity::Info,
        "a private or foreign base may still be an ancestor, and was never named by users",
    ),
    (
        SIGNATURE,
        When::BreaksUserCalls,
        Severity::Breaking,
        "a call that bound no longer binds",
    ),
    (
        &[DefaultChanged],
        When::Always,
        Severity::Behaviour,
        "calls bind, and do something else",
    ),
    (
        SIGNATURE,
        When::Always,
        Severity::Info,
        "every call that bound still binds",
    ),
    (
        &[BehaviourChanged, Demoted],
        When::Always,
        Severity::Behaviour,
        "the code runs and does something else, or loses its promise",
    ),
    (
        &[Deprecated],
        When::Always,
        Severity::Deprecation,
        "it warns now and goes later",
    ),
    (
        &[Undeprecated, Promoted, Added, Unexported],
        When::Always,
        Severity::Info,
        "nothing users have breaks",
    ),
];

/// The severity of a change of `kind` with these facts.
pub fn severity(kind: ChangeKind, facts: &Facts) -> Severity {
    POLICY
        .iter()
        .find(|(kinds, when, _, _)| kinds.contains(&kind) && when.holds(facts))
        .map(|(_, _, severity, _)| *severity)
        .expect("the policy ends with a row for every kind that always holds")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[ChangeKind] = &[
        Removed,
        Unexported,
        Tombstoned,
        Moved,
        KindChanged,
        BaseRemoved,
        ParameterRemoved,
        ParameterRenamed,
        ParameterReordered,
        ParameterAddedRequired,
        ParameterKindChanged,
        DefaultChanged,
        ReturnChanged,
        BehaviourChanged,
        Deprecated,
        Undeprecated,
        Promoted,
        Demoted,
        ParameterAddedOptional,
        Added,
    ];

    #[test]
    fn every_kind_has_a_final_row() {
        for kind in ALL {
            assert!(
                POLICY
                    .iter()
                    .any(|(kinds, when, _, _)| kinds.contains(kind) && matches!(when, When::Always)),
                "{kind:?} has no unconditional row"
            );
        }
    }

    #[test]
    fn conditions_decide() {
        let f = Facts::default();
        assert_eq!(severity(Removed, &f), Severity::Breaking);
        let relocated = Facts {
            still_public_elsewhere: true,
            ..f
        };
        assert_eq!(severity(Removed, &relocated), Severity::Info);
        let shim = Facts { shim: true, ..f };
        assert_eq!(severity(Moved, &shim), Severity::Deprecation);
        let promoted = Facts {
            shim: true,
            private_to_public: true,
            ..f
        };
        assert_eq!(severity(Moved, &promoted), Severity::Info);
        let breaks = Facts {
            breaks_calls: true,
            ..f
        };
        assert_eq!(severity(ParameterRemoved, &breaks), Severity::Breaking);
        assert_eq!(severity(ParameterRemoved, &f), Severity::Info);
        let private = Facts {
            private_parameter: true,
            ..breaks
        };
        assert_eq!(severity(ParameterRemoved, &private), Severity::Info);
        assert_eq!(severity(DefaultChanged, &f), Severity::Behaviour);
        assert_eq!(severity(DefaultChanged, &breaks), Severity::Breaking);
        assert_eq!(severity(BaseRemoved, &f), Severity::Info);
    }
}
