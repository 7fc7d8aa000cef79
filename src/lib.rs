//! pilotbook: read, link, validate and publish pilot documents.
//!
//! The library is the pipeline; the `pilotbook` binary is a thin edge over
//! it. In pipeline order:
//!
//! - [`config`]: `pilotbook.toml`, typed and checked;
//! - [`discover`]: which files are documents of which kind;
//! - [`parse`]: bytes → front matter and outline, never failing;
//! - [`model`]: typed entities, ids, references linked both ways;
//! - [`history`]: the git history of every document;
//! - [`validate`]: the rules over the model, no I/O;
//! - [`diagnostics`]: the finding type and its renderers;
//! - [`export`]: the model as JSON;
//! - [`diff`]: two revisions' models compared, for pull requests;
//! - [`render`]: the static site;
//! - [`project`]: the pipeline run over one repository;
//! - [`scaffold`]: the files `init` and `new` write.
//! - [`progress`]: the hook long work reports its progress through;
//! - [`serve`]: the live preview: incremental rebuilds, HTTP, watching.
//!
//! See ARCHITECTURE.md for the invariants each stage keeps.

pub mod config;
pub mod confined;
pub mod diagnostics;
pub mod diff;
pub mod discover;
pub mod export;
pub mod history;
pub mod model;
pub mod parse;
pub mod progress;
pub mod project;
pub mod render;
pub mod rules;
pub mod scaffold;
pub mod serve;
pub mod source;
pub mod validate;

pub use project::{Error, Project};
