//! Writing files so that nothing half-written is ever seen.

use std::io::Write;
use std::path::Path;

/// Writes via a temporary file in the same directory and a rename, so a reader never sees a
/// half-written file and an interrupted run leaves none behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
