//! The rules that judge a linked portfolio. No I/O.
//!
//! Typing and linking already reported what has the wrong shape
//! (`invalid-field`, `duplicate-id`, `undefined-reference`); the functions
//! here judge what is there: required fields and sections, the dependency
//! graph, the production path and the go/no-go record. One function per
//! rule (or per pair of rules that read the same data), each pure over the
//! model, each returning its findings; today's date is an argument, never a
//! clock read, so the same input always gives the same findings.

mod fields;
mod graph;
mod history;
mod html;
mod ids;
mod pilot;
mod sections;

pub use sections::{configured_name, section_purpose, section_status};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::history::History;
use crate::model::{Date, Portfolio};

/// Run every rule over the portfolio and its history.
pub fn validate(
    config: &Config,
    portfolio: &Portfolio,
    history: &History,
    today: Date,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    fields::required_fields(config, portfolio, &mut out);
    sections::sections(config, portfolio, &mut out);
    graph::dependency_cycles(portfolio, &mut out);
    graph::dependency_late(portfolio, &mut out);
    pilot::milestones(portfolio, today, &mut out);
    pilot::decisions(portfolio, &mut out);
    history::goalposts(portfolio, history, &mut out);
    html::raw_html(config, portfolio, &mut out);
    ids::reserved_ids(config, portfolio, &mut out);
    out
}
