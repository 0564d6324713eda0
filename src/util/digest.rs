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

/// [`digest`] of everything `reader` yields, read in blocks: a span's check digests every
/// release it crosses (a hundred megabytes), and reading each whole file into a fresh buffer
/// spent more time having the kernel zero pages than hashing.
pub fn digest_reader(mut reader: impl std::io::Read) -> std::io::Result<u64> {
    let mut h = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        match reader.read(&mut block) {
            Ok(0) => break,
            Ok(n) => h.update(&block[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let hash = h.finalize();
    Ok(u64::from_be_bytes(
        hash[..8].try_into().expect("SHA-256 is 32 bytes"),
    ))
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

    #[test]
    fn reader_agrees_with_bytes() {
        // Longer than one block, and not a multiple of it, so that block edges are crossed.
        let bytes: Vec<u8> = (0..200_003u32).map(|i| (i * 7 % 251) as u8).collect();
        assert_eq!(digest_reader(bytes.as_slice()).unwrap(), digest(&bytes));
        assert_eq!(digest_reader(&b"abc"[..]).unwrap(), 0xba78_16bf_8f01_cfea);
    }
}
