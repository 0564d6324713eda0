//! Integration tests: one binary, one module per area.

mod bad_input;
mod check;
mod committed;
mod common;
mod diff_cli;
mod fetch;
mod install;
mod releases;
mod rules;
mod runtime_truth;
mod snapshot_fixtures;
mod truth;
