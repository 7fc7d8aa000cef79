//! The production path (`milestone-order`, `milestone-overdue`) and the
//! go/no-go record (`decision-without-actuals`, `go-with-missed-target`).

use crate::derive::{Derived, MilestoneState};
use crate::diagnostics::Diagnostic;
use crate::model::Date;
use crate::rules::Rule;

/// Milestones in date order, and none overdue (the derived state: an open
/// pilot's milestone past due without a `done` date).
pub fn milestones(derived: &Derived, out: &mut Vec<Diagnostic>) {
    for (entity, pilot, facts) in derived.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        let mut latest: Option<(&str, Date)> = None;
        for (milestone, fact) in pilot.production_path.iter().zip(&facts.milestones) {
            let Some(due) = &milestone.due else { continue };
            if let Some((before, before_due)) = latest
                && due.value < before_due
            {
                out.push(
                    Diagnostic::new(
                        Rule::MilestoneOrder,
                        &doc.path,
                        due.position,
                        format!(
                            "milestone `{}` is due {}, before `{before}` listed above it ({before_due})",
                            milestone.name, due.value
                        ),
                    )
                    .width(10)
                    .field("production_path")
                    .item(milestone.name.as_str())
                    .help("list the milestones in the order they are due, or correct the date"),
                );
            }
            if latest.is_none_or(|(_, d)| due.value >= d) {
                latest = Some((&milestone.name, due.value));
            }
            if let (MilestoneState::Overdue, Some(days)) = (fact.state, fact.overdue_days) {
                out.push(
                    Diagnostic::new(
                        Rule::MilestoneOverdue,
                        &doc.path,
                        due.position,
                        format!(
                            "milestone `{}` was due {} and is not done ({days} days overdue)",
                            milestone.name, due.value,
                        ),
                    )
                    .width(10)
                    .field("production_path")
                    .item(milestone.name.as_str())
                    .help("add `done: YYYY-MM-DD` if it was reached, or move `due` and say why in the Production path section"),
                );
            }
        }
    }
}

/// Decided pilots record their actuals; a `go` meets its targets (the
/// derived verdict).
pub fn decisions(derived: &Derived, out: &mut Vec<Diagnostic>) {
    for (entity, pilot, facts) in derived.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        let Some(status) = pilot.status.as_deref() else {
            continue;
        };
        if !matches!(status, "go" | "no-go" | "production") {
            continue;
        }
        for (metric, record) in pilot.metrics.iter().zip(&facts.record.metrics) {
            if !metric.actual_given {
                out.push(
                    Diagnostic::new(
                        Rule::DecisionWithoutActuals,
                        &doc.path,
                        metric.position,
                        format!(
                            "pilot `{}` has status `{status}` but metric `{}` has no `actual`",
                            entity.id, metric.metric
                        ),
                    )
                    .field("metrics")
                    .item(metric.metric.as_str())
                    .help("record the measured value the decision was based on, e.g. `actual: \"94%\"`"),
                );
            }
            if status == "go"
                && record.met == Some(false)
                && let (Some(actual), Some(target)) = (&metric.actual, &metric.target)
            {
                out.push(
                    Diagnostic::new(
                        Rule::GoWithMissedTarget,
                        &doc.path,
                        actual.position,
                        format!(
                            "pilot `{}` is `go` but metric `{}` missed its target: {} against {}",
                            entity.id, metric.metric, actual.value, target.value
                        ),
                    )
                    .field("metrics")
                    .item(metric.metric.as_str())
                    .help("explain in Success metrics why the pilot goes ahead, or revisit the decision"),
                );
            }
        }
    }
}
