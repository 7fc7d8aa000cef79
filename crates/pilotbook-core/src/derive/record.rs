//! The one serialized record of a pilot: its typed fields and the metric
//! verdicts, as `pilotbook export` writes them and as the site's pilot
//! page carries them (`pilot.record`), and what `diff` compares.
//!
//! Field names and order are the export's JSON contract. The record holds
//! no fact of the day (overdue, time in status): the export is a function
//! of the repository alone, byte-identical whatever the date.

use crate::config::Config;
use crate::model::{Date, Entity, MetricUse, Pilot};
use crate::parse::Node;
use serde::Serialize;

/// A pilot's record. Scalars first (diff compares every scalar field by
/// name, in this order), then the lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PilotRecord<'a> {
    /// `proposed | pilot | go | no-go | production | retired`.
    pub status: Option<&'a str>,
    /// The owner's id.
    pub owner: Option<&'a str>,
    /// The team.
    pub team: Option<&'a str>,
    /// When the pilot started.
    pub started: Option<Date>,
    /// The planned go/no-go date.
    pub decision: Option<Date>,
    /// Success metrics with their verdicts.
    pub metrics: Vec<MetricRecord<'a>>,
    /// Integrations as written.
    pub integrations: Vec<IntegrationRecord<'a>>,
    /// What the pilot depends on.
    pub depends_on: Vec<LinkRecord<'a>>,
    /// The production path as written.
    pub production_path: Vec<MilestoneRecord<'a>>,
}

/// One success metric and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricRecord<'a> {
    /// The metric's id.
    pub metric: &'a str,
    /// The target as written.
    pub target: Option<&'a str>,
    /// The baseline as written.
    pub baseline: Option<&'a str>,
    /// The actual as written.
    pub actual: Option<&'a str>,
    /// Whether the actual meets the target; `None` until both are known.
    pub met: Option<bool>,
}

/// One integration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntegrationRecord<'a> {
    /// The system's id.
    pub system: &'a str,
    /// How it is accessed.
    pub access: Option<&'a str>,
    /// How the pilot authenticates.
    pub auth: Option<&'a str>,
}

/// A reference to an entity by kind name and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkRecord<'a> {
    /// The kind's name.
    pub kind: &'a str,
    /// The id.
    pub id: &'a str,
}

/// One milestone as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneRecord<'a> {
    /// What is reached.
    pub milestone: &'a str,
    /// When it is due.
    pub due: Option<Date>,
    /// When it was done.
    pub done: Option<Date>,
}

impl PilotRecord<'_> {
    /// The record's field names, in order: each is the front-matter field
    /// it shows, so a page lists every other field as it is written.
    pub fn fields(&self) -> Vec<String> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Metrics whose actual meets the target.
    pub fn met(&self) -> usize {
        self.metrics.iter().filter(|m| m.met == Some(true)).count()
    }

    /// Metrics with a readable actual (the model keeps an actual's text
    /// only when it read the value).
    pub fn measured(&self) -> usize {
        self.metrics.iter().filter(|m| m.actual.is_some()).count()
    }
}

/// The record of a pilot (`pilot` is the entity's typed fields).
pub(crate) fn pilot_record<'a>(
    config: &'a Config,
    entity: &'a Entity,
    pilot: &'a Pilot,
) -> PilotRecord<'a> {
    PilotRecord {
        status: pilot.status.as_deref(),
        owner: pilot.owner.as_ref().map(|o| o.value.as_str()),
        team: text(entity, "team"),
        started: pilot.started,
        decision: pilot.decision,
        metrics: pilot.metrics.iter().map(metric_record).collect(),
        integrations: pilot
            .integrations
            .iter()
            .map(|i| IntegrationRecord {
                system: &i.system,
                access: i.access.as_deref(),
                auth: i.auth.as_deref(),
            })
            .collect(),
        depends_on: pilot
            .depends_on
            .iter()
            .map(|d| LinkRecord {
                kind: &config.kinds[d.target.kind].name,
                id: &d.target.id,
            })
            .collect(),
        production_path: pilot
            .production_path
            .iter()
            .map(|m| MilestoneRecord {
                milestone: &m.name,
                due: m.due.as_ref().map(|d| d.value),
                done: m.done,
            })
            .collect(),
    }
}

/// A text field the kind declares, as written. Typing already reported a
/// value of the wrong shape (`invalid-field`); this only reads it.
fn text<'a>(entity: &'a Entity, key: &str) -> Option<&'a str> {
    entity.document.as_ref()?.field(key).and_then(Node::as_text)
}

fn metric_record(m: &MetricUse) -> MetricRecord<'_> {
    MetricRecord {
        metric: &m.metric,
        target: m.target_text.as_deref(),
        baseline: m.baseline_text.as_deref(),
        actual: m.actual_text.as_deref(),
        met: met(m),
    }
}

/// The verdict: whether the actual meets the target (both parsed, in one
/// unit), `None` until both are known. Decided here only.
fn met(m: &MetricUse) -> Option<bool> {
    let target = m.target.as_ref()?;
    let actual = m.actual.as_ref()?;
    Some(target.value.is_met_by(&actual.value))
}
