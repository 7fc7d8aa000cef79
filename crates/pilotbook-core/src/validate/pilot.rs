//! The production path (`milestone-order`, `milestone-overdue`) and the
//! go/no-go record (`decision-without-actuals`, `go-with-missed-target`).

use crate::diagnostics::Diagnostic;
use crate::model::{Date, Portfolio};
use crate::rules::Rule;

/// Milestones in date order, and none overdue without a `done` date.
pub fn milestones(portfolio: &Portfolio, today: Date, out: &mut Vec<Diagnostic>) {
    for (entity, pilot) in portfolio.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        let closed = matches!(pilot.status.as_deref(), Some("no-go" | "retired"));
        let mut latest: Option<(&str, Date)> = None;
        for milestone in &pilot.production_path {
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
            if !closed && milestone.done.is_none() && due.value < today {
                out.push(
                    Diagnostic::new(
                        Rule::MilestoneOverdue,
                        &doc.path,
                        due.position,
                        format!(
                            "milestone `{}` was due {} and is not done ({} days overdue)",
                            milestone.name,
                            due.value,
                            due.value.days_until(today)
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

/// Decided pilots record their actuals; a `go` meets its targets.
pub fn decisions(portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    for (entity, pilot) in portfolio.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        let Some(status) = pilot.status.as_deref() else {
            continue;
        };
        if !matches!(status, "go" | "no-go" | "production") {
            continue;
        }
        for metric in &pilot.metrics {
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
                && metric.met() == Some(false)
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
