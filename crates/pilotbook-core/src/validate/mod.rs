//! The rules that judge a linked portfolio. No I/O.
//!
//! Typing and linking already reported what has the wrong shape
//! (`invalid-field`, `duplicate-id`, `undefined-reference`); the functions
//! here judge what is there: required fields, placeholders and unknown keys,
//! sections, the documents a pilot refers to (owners, metrics, systems),
//! the dependency graph, the production path and the go/no-go record. One function per
//! rule (or per pair of rules that read the same data), each pure over the
//! model, each returning its findings; today's date is an argument, never a
//! clock read, so the same input always gives the same findings.

mod body_links;
mod fields;
mod graph;
mod history;
mod html;
mod ids;
mod lifecycle;
mod links;
mod pilot;
mod sections;

pub use body_links::broken_links;
pub use fields::{FieldState, field_state, unknown_key_suggestion};
pub use links::environment_of;
pub(crate) use sections::readiness;
pub use sections::{Requirement, configured_name, section_purpose, section_stub, unanswered};

use crate::config::{Builtin, CONFIG_FILE, Config};
use crate::derive::Derived;
use crate::diagnostics::Diagnostic;
use crate::model::Portfolio;
use crate::rules::Rule;
use crate::source::Position;

/// Run every rule over the portfolio and its history. The rules about a
/// pilot's milestones, metric verdicts, slips and lifecycle read the
/// derived facts ([`crate::derive::Derived`]), worked out once before.
pub fn validate(derived: &Derived) -> Vec<Diagnostic> {
    let (config, portfolio, history) = (derived.config(), derived.portfolio(), derived.history());
    let mut out = Vec::new();
    no_documents(config, portfolio, &mut out);
    fields::required_fields(config, portfolio, &mut out);
    fields::placeholders(portfolio, &mut out);
    fields::unknown_fields(config, portfolio, &mut out);
    sections::sections(config, portfolio, &mut out);
    links::owners(config, portfolio, &mut out);
    links::metric_targets(portfolio, &mut out);
    links::sandboxes(portfolio, &mut out);
    graph::dependency_cycles(portfolio, &mut out);
    graph::dependency_late(portfolio, &mut out);
    pilot::milestones(derived, &mut out);
    pilot::decisions(derived, &mut out);
    lifecycle::stuck(derived, &mut out);
    history::goalposts(history, derived, &mut out);
    html::raw_html(config, portfolio, &mut out);
    ids::reserved_ids(config, portfolio, &mut out);
    out
}

/// `no-documents`: a custom kind whose globs match no document (a typo in
/// a glob), and the pilot kind when it matches nothing and no custom kind
/// has documents either: a check that reads no pilot must not look like a
/// clean one. People, metrics and systems may be absent (a team can start
/// with pilots only), and so may pilots in a repository of decision
/// records.
fn no_documents(config: &Config, portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    let has_documents = |index: usize| portfolio.of_kind(index).iter().any(|e| e.defined());
    let custom_documents =
        (0..config.kinds.len()).any(|i| config.kinds[i].builtin.is_none() && has_documents(i));
    for (index, kind) in config.kinds.iter().enumerate() {
        let reported = match kind.builtin {
            None => true,
            Some(Builtin::Pilot) => !custom_documents,
            Some(_) => false,
        };
        if !reported || has_documents(index) {
            continue;
        }
        let globs: Vec<String> = kind.paths.iter().map(|g| format!("`{g}`")).collect();
        out.push(
            Diagnostic::new(
                Rule::NoDocuments,
                CONFIG_FILE,
                Position::START,
                format!(
                    "kind `{}` matches no document: no file matches {}",
                    kind.name,
                    globs.join(", ")
                ),
            )
            .item(kind.name.as_str())
            .help("check the kind's `path` globs (relative to the folder of pilotbook.toml), or run pilotbook in the portfolio's folder"),
        );
    }
}
