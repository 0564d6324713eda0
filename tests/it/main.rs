//! Integration tests: one binary, one module per area.

mod bad_input;
mod common;
mod snapshot_fixtures;
