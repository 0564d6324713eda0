//! The digest that keys stored data (precomputed diffs, the bundle) by the bytes it was made
//! from. Also compiled into `build.rs` (`#[path]`), so that a bundled release and the same file
//! in a store folder always agree.
//!
//! SHA-256, cut to 64 bits: a stable, specified algorithm (std's `DefaultHasher` may change
//! between Rust releases and would silently invalidate every committed digest), and the cut
//! keeps a collision far out of reach for a few hundred files.

use sha2::{Digest, Sha256};

/// The digest of `bytes`.
pub fn digest(bytes: &[u8]) -> u64 {
    let hash = Sha256::digest(bytes);
    u64::from_be_bytes(hash[..8].try_into().expect("SHA-256 is 32 bytes"))
}

/// The digest of several parts, each length-prefixed so that moving bytes between parts
/// changes it.
pub fn digest_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    let hash = h.finalize();
    u64::from_be_bytes(hash[..8].try_into().expect("SHA-256 is 32 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_values() {
        // The first 8 bytes of SHA-256("abc") (FIPS 180-2, appendix B.1): ba7816bf8f01cfea.
        assert_eq!(digest(b"abc"), 0xba78_16bf_8f01_cfea);
        assert_ne!(
            digest_parts([b"ab".as_slice(), b"c"]),
            digest_parts([b"a".as_slice(), b"bc"])
        );
    }
}
