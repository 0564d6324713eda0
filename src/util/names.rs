//! Distribution names.

/// PEP 503 normalisation: lowercase, and every run of `-`, `_` and `.` becomes one `-`
/// (`Torch_Vision` and `torch.vision` are both `torch-vision`).
pub fn normalise_dist_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// A Python identifier (letters, digits and `_`, not starting with a digit).
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::normalise_dist_name;

    #[test]
    fn pep503() {
        assert_eq!(normalise_dist_name("Torch"), "torch");
        assert_eq!(normalise_dist_name("torch_vision"), "torch-vision");
        assert_eq!(normalise_dist_name("a.-_b"), "a-b");
        assert_eq!(normalise_dist_name("Foo_Bar.baz"), "foo-bar-baz");
        assert_eq!(normalise_dist_name(" Friendly-Bard "), "friendly-bard");
        assert_eq!(normalise_dist_name("FrIeNdLy._.-bArD"), "friendly-bard");
    }
}
