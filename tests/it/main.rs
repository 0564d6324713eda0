//! Integration tests: one binary, one module per area.

mod bad_input;
mod committed;
mod common;
mod releases;
mod snapshot_fixtures;
