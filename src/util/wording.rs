//! Words that speak of an API's lifecycle, shared by the extraction (which records what code
//! says) and the diff (which tells a planned deprecation from a behaviour change).

use std::sync::LazyLock;

use regex::Regex;

pub(crate) static DEPRECATION_WORDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bdeprecat|\b(?:will|(?:is|are) going to) be removed\b|\b(?:is|are|was|were|has been|have been) (?:now )?removed\b|\bno longer (?:be )?supported\b")
        .expect("valid regex")
});

/// Whether a message speaks of deprecation or removal at all, as a fact or as a plan ("will
/// be deprecated").
pub fn speaks_of_deprecation(message: &str) -> bool {
    DEPRECATION_WORDING.is_match(message)
}

static FUTURE_CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bin (?:a|the) (?:future|next|upcoming) (?:release|version)\b|\bwill (?:raise|error|fail|change|be changed|become an error)\b|\bshould be passed explicitly\b")
        .expect("valid regex")
});

/// Whether a message announces that what a call does now will change in a later release
/// ("In a future release, calling checkpoint without use_reentrant will raise an exception").
pub fn announces_change(message: &str) -> bool {
    FUTURE_CHANGE.is_match(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_of_a_change() {
        assert!(announces_change(
            "the use_reentrant parameter should be passed explicitly. In a future release, calling checkpoint without use_reentrant will raise an exception."
        ));
        assert!(announces_change(
            "The default will change to 'xy' in the next release."
        ));
        assert!(!announces_change(
            "Could not find the CUDA driver; running on CPU."
        ));
        assert!(!announces_change("x is deprecated"));
    }
}
