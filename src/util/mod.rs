//! Helpers every stage shares: one home each, so that two stages never disagree on how a line
//! is counted, a name normalised or a file written.

pub mod digest;
pub mod fs;
pub mod lines;
pub mod names;
pub mod python;
pub mod wording;

pub use fs::write_atomically;
pub use lines::LineIndex;
