//! The portfolio at a glance, decided once from the pilots' derived facts:
//! how many pilots are in each status now, the funnel from history (how
//! many ever entered each status, how many reached production, the median
//! days from `started` to the go/no-go decision), how many decided pilots
//! met every target, and which pilots are stuck and why. The portfolio
//! page shows it; nothing else works these numbers out.

use super::PilotFacts;
use crate::model::{Entity, Pilot};
use serde::Serialize;
use std::collections::BTreeMap;

/// The statuses of a pilot's life, in order.
pub const STATUSES: &[&str] = &["proposed", "pilot", "go", "no-go", "production", "retired"];

/// The portfolio's numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Overview {
    /// Pilots in each status now, in [`STATUSES`] order (zeros kept).
    pub now: Vec<(String, usize)>,
    /// Pilots that were ever in each status (history, or the current
    /// status where a pilot has none), in [`STATUSES`] order.
    pub entered: Vec<(String, usize)>,
    /// Pilots that ever reached `production`.
    pub reached_production: usize,
    /// Median days from `started` to the first `go` or `no-go` commit,
    /// over the pilots that have both.
    pub median_days_to_decision: Option<i64>,
    /// Pilots decided (`go`, `no-go`, `production`, `retired` after
    /// production): how many, and how many met every target they set.
    pub decided: usize,
    /// Of [`Overview::decided`], those with at least one target, all met.
    pub decided_met_all: usize,
    /// Pilots stuck (decision overdue, stale, untouched), by entity index.
    pub stuck: Vec<usize>,
}

/// Work out the overview from every pilot with its entity index and facts.
pub fn overview<'a>(
    pilots: impl IntoIterator<Item = (usize, &'a Entity, &'a Pilot, &'a PilotFacts<'a>)>,
) -> Overview {
    let mut now: BTreeMap<&str, usize> = BTreeMap::new();
    let mut entered: BTreeMap<&str, usize> = BTreeMap::new();
    let mut to_decision = Vec::new();
    let mut out = Overview::default();
    for (index, _entity, pilot, facts) in pilots {
        let current = pilot.status.as_deref();
        if let Some(status) = current {
            *now.entry(status).or_default() += 1;
        }
        let mut ever: Vec<&str> = facts
            .status
            .timeline
            .iter()
            .map(|c| c.to.as_str())
            .collect();
        ever.extend(current);
        ever.sort_unstable();
        ever.dedup();
        for status in &ever {
            *entered.entry(status).or_default() += 1;
        }
        let decision = facts
            .status
            .timeline
            .iter()
            .find(|c| matches!(c.to.as_str(), "go" | "no-go"))
            .map(|c| c.date().date());
        if let (Some(started), Some(decided)) = (pilot.started, decision) {
            to_decision.push(started.days_until(decided));
        }
        if ever
            .iter()
            .any(|s| matches!(*s, "go" | "no-go" | "production"))
        {
            out.decided += 1;
            let metrics = &facts.record.metrics;
            if !metrics.is_empty() && metrics.iter().all(|m| m.met == Some(true)) {
                out.decided_met_all += 1;
            }
        }
        if facts.lifecycle.stuck() {
            out.stuck.push(index);
        }
    }
    let in_order = |counts: &BTreeMap<&str, usize>| {
        STATUSES
            .iter()
            .map(|s| (s.to_string(), counts.get(s).copied().unwrap_or(0)))
            .collect()
    };
    out.now = in_order(&now);
    out.entered = in_order(&entered);
    out.reached_production = entered.get("production").copied().unwrap_or(0);
    out.median_days_to_decision = median(&mut to_decision);
    out
}

/// The median, rounded down between the two middle values.
fn median(values: &mut [i64]) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]).div_euclid(2)),
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_even_and_none() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [30, 10, 20]), Some(20));
        assert_eq!(median(&mut [40, 10, 20, 30]), Some(25));
        assert_eq!(median(&mut [1, 2]), Some(1));
    }
}
