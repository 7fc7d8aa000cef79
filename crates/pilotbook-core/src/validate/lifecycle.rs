//! Pilot purgatory (`decision-overdue`, `status-stale`, `pilot-untouched`):
//! the derived [`LifecycleFacts`](crate::derive::LifecycleFacts) as
//! findings, each where the reader fixes it.

use crate::derive::Derived;
use crate::diagnostics::Diagnostic;
use crate::model::Entity;
use crate::rules::Rule;
use crate::source::Position;

/// One finding per way a pilot is stuck.
pub fn stuck(derived: &Derived, out: &mut Vec<Diagnostic>) {
    for (entity, pilot, facts) in derived.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        let status = pilot.status.as_deref().unwrap_or_default();
        let facts = &facts.lifecycle;
        if let (Some(days), Some(decision)) = (facts.decision_overdue_days, pilot.decision) {
            out.push(
                Diagnostic::new(
                    Rule::DecisionOverdue,
                    &doc.path,
                    at(entity, "decision"),
                    format!("the go/no-go decision was due {decision} ({days} days ago) and the pilot is still `{status}`"),
                )
                .width(8)
                .field("decision")
                .help("record the decision in `status` (go, no-go), or move `decision` and say why in the Production path section"),
            );
        }
        if let Some((days, max)) = facts.stale {
            out.push(
                Diagnostic::new(
                    Rule::StatusStale,
                    &doc.path,
                    at(entity, "status"),
                    format!("`{status}` for {days} days, longer than the {max} days `[lifecycle.max_days] {status}` allows"),
                )
                .width(6)
                .field("status")
                .help("move the pilot on (or stop it), or raise the limit for this status in pilotbook.toml if pilots here run longer"),
            );
        }
        if let Some(days) = facts.untouched_days {
            out.push(
                Diagnostic::new(
                    Rule::PilotUntouched,
                    &doc.path,
                    Position::START,
                    format!("no commit to this `{status}` pilot's document in {days} days"),
                )
                .help("update the document with where the pilot stands, or close it (`retired`, `no-go`)"),
            );
        }
    }
}

/// Where the front-matter value of `key` starts (line 1 without it).
fn at(entity: &Entity, key: &str) -> Position {
    entity
        .document
        .as_ref()
        .and_then(|d| d.field(key))
        .map_or(Position::START, |n| n.position)
}
