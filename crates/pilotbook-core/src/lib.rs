//! pilotbook-core: the pipeline's plain-data stages, from bytes to findings.
//!
//! In pipeline order:
//!
//! - [`config`]: `pilotbook.toml`, typed and checked;
//! - [`confined`]: the one way a file of the working tree is read;
//! - [`discover`]: which files are documents of which kind;
//! - [`parse`]: bytes → front matter and outline, never failing, and the
//!   body's Markdown → safe HTML (the only code that sees pulldown-cmark);
//! - [`model`]: typed entities, ids, references linked both ways;
//! - [`history`]: the git history of every document, as plain data;
//! - [`derive`]: every per-pilot fact (overdue, next milestone, readiness,
//!   met/missed, slips, time in status), decided once for everything after;
//! - [`validate`]: the rules over the model and its history, no I/O;
//! - [`rules`], [`diagnostics`]: the rule catalogue, the finding type and
//!   its renderers (human, JSON and the CI formats);
//! - [`export`]: the model as JSON, a versioned contract, and [`import`]:
//!   an export read back into documents (a portfolio's export sources);
//! - [`pages`]: where each page of the site lives (validation reports the
//!   ids whose page would replace a generated one);
//! - [`source`], [`progress`], [`timings`]: positions in a file, the hook
//!   long work reports its progress through, and the stages' durations
//!   (their `tracing` spans, measured).
//!
//! This crate must not touch git (reading history is `pilotbook-history`'s
//! job, the only crate with git2), render a site (Tera lives in
//! `pilotbook-site`) or run a command. It reads files only through
//! [`confined`]. See ARCHITECTURE.md for the invariants each stage keeps.

pub mod config;
pub mod confined;
pub mod derive;
pub mod diagnostics;
pub mod discover;
pub mod doclinks;
pub mod export;
pub mod history;
pub mod import;
pub mod model;
pub mod pages;
pub mod parse;
pub mod progress;
pub mod rules;
pub mod source;
pub mod timings;
pub mod validate;
