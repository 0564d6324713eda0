//! apidrift: the API surface of Python package releases, what changes between them, and what
//! an upgrade does to a user's code.
//!
//! The modules follow the data flow: [`index`] (package index pages) and [`fetch`] (reading a
//! wheel's members over HTTP) feed [`extract`], which reads a release's sources into a
//! [`snapshot::Snapshot`]; [`diff`] compares two snapshots into [`diff::Change`] records;
//! [`span`] composes the consecutive diffs of stored releases; [`scan`] finds what a user's
//! code uses and which changes affect it; [`report`] renders changes and findings. [`sync`]
//! runs index → fetch → extract → store for the nightly job. Plain data passes between stages;
//! only `report` writes sentences, and nothing here prints (progress goes to a
//! [`progress::Reporter`]).

pub mod diff;
pub mod extract;
pub mod fetch;
pub mod index;
pub mod progress;
pub mod report;
pub mod scan;
pub mod snapshot;
pub mod span;
pub mod sync;
pub mod util;
