//! apidrift: the API surface of Python package releases, what changes between them, and what
//! an upgrade does to a user's code.
//!
//! The modules follow the data flow: [`extract`] reads a release's sources into a
//! [`snapshot::Snapshot`].

pub mod cli;
pub mod diff;
pub mod extract;
pub mod fetch;
pub mod index;
pub mod report;
pub mod scan;
pub mod snapshot;
