//! Words that speak of an API's lifecycle, shared by the extraction (which records what code
//! says) and the diff (which tells a planned deprecation from a behaviour change).

use std::sync::LazyLock;

use regex::Regex;

pub(crate) static DEPRECATION_WORDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bdeprecat|\bwill be removed\b|\b(?:is|are|was|were|has been|have been) (?:now )?removed\b|\bno longer (?:be )?supported\b")
        .expect("valid regex")
});

/// Whether a message speaks of deprecation or removal at all, as a fact or as a plan ("will
/// be deprecated").
pub fn speaks_of_deprecation(message: &str) -> bool {
    DEPRECATION_WORDING.is_match(message)
}
