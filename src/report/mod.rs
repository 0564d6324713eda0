//! Rendering results for people and machines: one function per output format.

pub mod changes;
pub mod findings;
