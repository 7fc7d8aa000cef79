//! pilotbook's integration tests, one binary: every module runs the real
//! `pilotbook` binary (or a crate's public API) on repositories built in
//! the test or read from `tests/fixtures/`. One binary links once, so a
//! change in a crate rebuilds the tests in one step instead of one per
//! file (docs/performance.md, "Test rebuild").
//!
//! Run one module with `cargo test --test it MODULE::` (for example
//! `cargo test --test it history::`), one test by its name.
//! `support` holds the runner and the fixture-repository builder.

mod support;

mod atomic;
mod browser;
mod changed_since_props;
mod check_fixtures;
mod ci_files;
mod ci_formats;
mod cli;
mod confined;
mod conventions;
mod crates;
mod derived;
mod diff;
mod docs;
mod errors;
mod export_schema;
mod feed;
mod forge;
mod function_length;
mod gate;
mod git_states;
mod history;
mod history_cache;
mod history_oracle;
mod history_scenarios;
mod hostile;
mod import;
mod incremental;
mod init_portfolio;
mod install_script;
mod lifecycle;
mod limits;
mod links;
mod lsp;
mod lsp_nvim;
mod memory;
mod parse_props;
mod portfolio;
mod renames;
mod scaffold;
mod serve;
mod site;
mod source;
mod up_to_date;
