//! pilotbook: read, link, validate and publish pilot documents.
//!
//! Being split into crates (issue 15): the plain-data stages live in
//! `pilotbook-core`, re-exported here until the rest moves out.

pub use pilotbook_core::{
    config, confined, diagnostics, discover, export, model, pages, parse, progress, rules, source,
    validate,
};

pub use pilotbook_site as render;
pub mod scaffold;
pub use pilotbook_serve as serve;

pub use pilotbook_project::diff;
pub use pilotbook_project::{self as project, Error, Project};

/// The history's data (core) and its reader (`pilotbook-history`), until
/// the modules that use both move out.
pub mod history {
    pub use pilotbook_core::history::*;
    pub use pilotbook_history::*;
}
