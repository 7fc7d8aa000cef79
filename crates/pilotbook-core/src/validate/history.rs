//! The rules that read git history: `metric-agreed-late`,
//! `metric-target-changed` ("moved goalposts"), `started-moved` and
//! `milestone-slipped`.
//!
//! Every fact they read names the commit that introduced it (see
//! `history::lineage`), in topological order. The goalposts are locked at
//! the earliest `started` any commit gave the pilot (or the working tree
//! gives it), so moving `started` can add findings but never erase one.

use crate::derive::{Derived, PilotFacts};
use crate::diagnostics::Diagnostic;
use crate::history::{CommitInfo, DocumentHistory, History};
use crate::model::{Date, Document, Pilot};
use crate::rules::Rule;
use crate::source::Position;

/// Targets agreed before `started` and left alone after it; `started`
/// left alone; slips reported.
pub fn goalposts(history: &History, derived: &Derived, out: &mut Vec<Diagnostic>) {
    for (entity, pilot, facts) in derived.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        let Some(h) = history.documents.get(&doc.path) else {
            continue;
        };
        let started = match (pilot.started, h.earliest_started()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Some(started) = started {
            targets(doc, pilot, h, started, out);
        }
        started_moved(doc, h, out);
        slips(doc, pilot, facts, out);
    }
}

/// "commit abc1234 by Dana Kim on 2026-04-10".
fn by(c: &CommitInfo) -> String {
    format!(
        "commit {} by {} on {}",
        c.short_id(),
        c.author,
        c.date.date()
    )
}

fn targets(
    doc: &Document,
    pilot: &Pilot,
    h: &DocumentHistory,
    started: Date,
    out: &mut Vec<Diagnostic>,
) {
    for metric in &pilot.metrics {
        let Some(target) = &metric.target else {
            continue;
        };
        let late = |message: String, rule: Rule, commit: &str, help: &str| {
            Diagnostic::new(rule, &doc.path, target.position, message)
                .field("metrics")
                .item(metric.metric.as_str())
                .commit(commit)
                .help(help)
        };
        // The last target committed, in topological order: a target removed
        // and added back is compared with the one it had.
        let mut last: Option<&str> = None;
        for change in h
            .target_changes
            .iter()
            .filter(|c| c.metric == metric.metric)
        {
            let when = change.commit.date.date();
            let previous = change.from.as_deref().or(last);
            match (previous, change.to.as_deref()) {
                (None, Some(_)) if when > started => out.push(late(
                    format!(
                        "the target of metric `{}` was first committed after the pilot started on {started} ({})",
                        metric.metric,
                        by(&change.commit)
                    ),
                    Rule::MetricAgreedLate,
                    &change.commit.id,
                    "agree targets before the pilot starts; if this one really was agreed earlier, say when in Success metrics",
                )),
                (Some(from), Some(to)) if from != to && when > started => out.push(late(
                    format!(
                        "the target of metric `{}` changed from `{from}` to `{to}` after the pilot started on {started} ({})",
                        metric.metric,
                        by(&change.commit)
                    ),
                    Rule::MetricTargetChanged,
                    &change.commit.id,
                    "keep the target agreed up front; explain any change in Success metrics and have it re-agreed",
                )),
                _ => {}
            }
            if let Some(to) = change.to.as_deref() {
                last = Some(to);
            }
        }
    }
}

/// Each commit that set `started` to a date other than the one it had.
fn started_moved(doc: &Document, h: &DocumentHistory, out: &mut Vec<Diagnostic>) {
    let position = doc.field("started").map_or(Position::START, |n| n.position);
    let mut last: Option<&str> = None;
    for change in &h.started_changes {
        let previous = change.from.as_deref().or(last);
        if let (Some(from), Some(to)) = (previous, change.to.as_deref())
            && from != to
        {
            out.push(
                Diagnostic::new(
                    Rule::StartedMoved,
                    &doc.path,
                    position,
                    format!(
                        "`started` moved from {from} to {to} ({}); targets are still judged against the earliest committed start",
                        by(&change.commit)
                    ),
                )
                .field("started")
                .commit(change.commit.id.as_str())
                .help("keep `started` as first committed; if it was wrong, say so in the document"),
            );
        }
        if let Some(to) = change.to.as_deref() {
            last = Some(to);
        }
    }
}

/// `milestone-slipped`: each milestone's slips, as derived.
fn slips(doc: &Document, pilot: &Pilot, facts: &PilotFacts, out: &mut Vec<Diagnostic>) {
    for (milestone, fact) in pilot.production_path.iter().zip(&facts.milestones) {
        let Some(due) = &milestone.due else { continue };
        let slips = &fact.slips;
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
