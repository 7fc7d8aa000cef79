//! The rules that read git history: `metric-agreed-late`,
//! `metric-target-changed` ("moved goalposts") and `milestone-slipped`.

use crate::diagnostics::Diagnostic;
use crate::history::History;
use crate::model::Portfolio;
use crate::rules::Rule;

/// Targets agreed before `started` and left alone after it; slips reported.
pub fn goalposts(portfolio: &Portfolio, history: &History, out: &mut Vec<Diagnostic>) {
    for (entity, pilot) in portfolio.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        let Some(h) = history.documents.get(&doc.path) else {
            continue;
        };
        if let Some(started) = pilot.started {
            for metric in &pilot.metrics {
                let Some(target) = &metric.target else {
                    continue;
                };
                let changes = h
                    .target_changes
                    .iter()
                    .filter(|c| c.metric == metric.metric);
                let mut first = true;
                for change in changes {
                    let when = change.commit.date.date();
                    let c = &change.commit;
                    let by = format!("commit {} by {} on {when}", c.short_id(), c.author);
                    if change.from.is_none() && first && when > started {
                        out.push(
                            Diagnostic::new(
                                Rule::MetricAgreedLate,
                                &doc.path,
                                target.position,
                                format!(
                                    "the target of metric `{}` was first committed after the pilot started on {started} ({by})",
                                    metric.metric
                                ),
                            )
                            .field("metrics")
                            .item(metric.metric.as_str())
                            .commit(c.id.as_str())
                            .help("agree targets before the pilot starts; if this one really was agreed earlier, say when in Success metrics"),
                        );
                    }
                    first = false;
                    if let (Some(from), Some(to)) = (&change.from, &change.to)
                        && when > started
                    {
                        out.push(
                            Diagnostic::new(
                                Rule::MetricTargetChanged,
                                &doc.path,
                                target.position,
                                format!(
                                    "the target of metric `{}` changed from `{from}` to `{to}` after the pilot started on {started} ({by})",
                                    metric.metric
                                ),
                            )
                            .field("metrics")
                            .item(metric.metric.as_str())
                            .commit(c.id.as_str())
                            .help("keep the target agreed up front; explain any change in Success metrics and have it re-agreed"),
                        );
                    }
                }
            }
        }
        for milestone in &pilot.production_path {
            let Some(due) = &milestone.due else { continue };
            let slips: Vec<_> = h
                .milestone_slips
                .iter()
                .filter(|s| s.milestone == milestone.name)
                .collect();
            if slips.is_empty() {
                continue;
            }
            let days: i64 = slips.iter().map(|s| s.days()).sum();
            let detail: Vec<String> = slips
                .iter()
                .map(|s| {
                    format!(
                        "{} → {} in {} by {}",
                        s.from,
                        s.to,
                        s.commit.short_id(),
                        s.commit.author
                    )
                })
                .collect();
            let times = if slips.len() == 1 {
                "once".to_string()
            } else {
                format!("{} times", slips.len())
            };
            out.push(
                Diagnostic::new(
                    Rule::MilestoneSlipped,
                    &doc.path,
                    due.position,
                    format!(
                        "milestone `{}` slipped {times}, {days} days in all: {}",
                        milestone.name,
                        detail.join("; ")
                    ),
                )
                .width(10)
                .field("production_path")
                .item(milestone.name.as_str())
                .commit(slips.last().map_or("", |s| s.commit.id.as_str()))
                .help("say why in the Production path section"),
            );
        }
    }
}
