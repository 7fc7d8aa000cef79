//! The derived model: every per-pilot fact the rest of the program shows
//! or judges, decided once, after history and before validate.
//!
//! For each pilot: its [`PilotRecord`] (typed fields and each metric's
//! met/missed verdict: what `export` writes and `diff` compares), each
//! milestone's state (done, overdue or planned: a retired or no-go pilot
//! has nothing overdue) with its slips from history, the next open
//! milestone, readiness (required fields and sections present), the
//! status timeline with the time in the current status. `validate`, the
//! site's views and timeline, `export` and `diff` read these facts and
//! never work them out again. Pure: the model, the history and today's
//! date in, plain data out.
//!
//! Accepted findings are not here: a document's `accept` entries are read
//! with the model (`Entity::accepts`) and matched against the findings
//! once, in `diagnostics::accept`; every view reads the finding's
//! `accepted`.

mod record;

pub use record::{
    IntegrationRecord, LinkRecord, MetricRecord, MilestoneRecord, PilotRecord, pilot_record,
};

use crate::config::Config;
use crate::history::{History, MilestoneSlip, StatusChange};
use crate::model::{Date, Entity, Pilot, Portfolio};
use crate::validate::Requirement;
use serde::Serialize;

/// Where a milestone stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MilestoneState {
    /// It has a `done` date.
    Done,
    /// Not done, due before today, and the pilot is still open.
    Overdue,
    /// Neither: due later, without a due date, or its pilot is closed.
    Planned,
}

impl MilestoneState {
    /// The lowercase word pages show (`done`, `overdue`, `planned`).
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneState::Done => "done",
            MilestoneState::Overdue => "overdue",
            MilestoneState::Planned => "planned",
        }
    }
}

/// A milestone of the production path, as it stands today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneFacts<'a> {
    /// Done, overdue or planned.
    pub state: MilestoneState,
    /// Days past its due date, when overdue.
    pub overdue_days: Option<i64>,
    /// Each time its due date moved later, oldest first.
    #[serde(skip)]
    pub slips: Vec<&'a MilestoneSlip>,
}

/// How ready a pilot is: its required fields and sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// Every required field, then every required or recommended section.
    #[serde(skip)]
    pub requirements: Vec<Requirement>,
    /// Required ones present.
    pub ready: usize,
    /// Required ones in all.
    pub required: usize,
}

/// The pilot's status over time (the main line's story).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusFacts<'a> {
    /// The status changes, oldest first; empty without history.
    #[serde(skip)]
    pub timeline: &'a [StatusChange],
    /// The date the current status was reached (its last change).
    pub since: Option<Date>,
    /// Days in the current status, as of today.
    pub days: Option<i64>,
}

/// Every derived fact of one pilot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PilotFacts<'a> {
    /// The record export writes and the pilot page carries.
    pub record: PilotRecord<'a>,
    /// `retired` or `no-go`: nothing of it is overdue.
    pub closed: bool,
    /// One per entry of `record.production_path`, in its order.
    pub milestones: Vec<MilestoneFacts<'a>>,
    /// The first milestone not done: an index into `milestones`.
    pub next: Option<usize>,
    /// Required fields and sections.
    pub readiness: Readiness,
    /// Status timeline and time in status.
    pub status: StatusFacts<'a>,
}

/// Work out every fact of one pilot.
pub fn pilot_facts<'a>(
    config: &'a Config,
    entity: &'a Entity,
    pilot: &'a Pilot,
    history: &'a History,
    today: Date,
) -> PilotFacts<'a> {
    let doc_history = entity
        .document
        .as_ref()
        .and_then(|d| history.documents.get(&d.path));
    let closed = matches!(pilot.status.as_deref(), Some("no-go" | "retired"));
    let milestones: Vec<MilestoneFacts> = pilot
        .production_path
        .iter()
        .map(|m| {
            let due = m.due.as_ref().map(|d| d.value);
            let overdue = !closed && m.done.is_none() && due.is_some_and(|d| d < today);
            MilestoneFacts {
                state: match (m.done, overdue) {
                    (Some(_), _) => MilestoneState::Done,
                    (None, true) => MilestoneState::Overdue,
                    (None, false) => MilestoneState::Planned,
                },
                overdue_days: due.filter(|_| overdue).map(|d| d.days_until(today)),
                slips: doc_history
                    .into_iter()
                    .flat_map(|h| &h.milestone_slips)
                    .filter(|s| s.milestone == m.name)
                    .collect(),
            }
        })
        .collect();
    let next = milestones
        .iter()
        .position(|m| m.state != MilestoneState::Done);
    let timeline = doc_history.map_or(&[][..], |h| h.status_changes.as_slice());
    let since = timeline.last().map(|c| c.date().date());
    PilotFacts {
        record: pilot_record(config, pilot),
        closed,
        milestones,
        next,
        readiness: readiness(config, entity),
        status: StatusFacts {
            timeline,
            since,
            days: since.map(|d| d.days_until(today)),
        },
    }
}

fn readiness(config: &Config, entity: &Entity) -> Readiness {
    let requirements = crate::validate::readiness(&config.kinds[entity.kind], entity);
    let required: Vec<_> = requirements.iter().filter(|r| r.required).collect();
    Readiness {
        ready: required.iter().filter(|r| r.present).count(),
        required: required.len(),
        requirements,
    }
}

/// The facts of every pilot of the portfolio, by entity index.
#[derive(Debug, Clone, Default)]
pub struct Derived<'a> {
    pilots: Vec<(usize, PilotFacts<'a>)>,
}

impl<'a> Derived<'a> {
    /// The facts of the pilot at entity index `index`.
    pub fn pilot(&self, index: usize) -> Option<&PilotFacts<'a>> {
        let at = self.pilots.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        Some(&self.pilots[at].1)
    }

    /// Every pilot with its entity, model fields and facts, in entity order.
    pub fn pilots<'s>(
        &'s self,
        portfolio: &'a Portfolio,
    ) -> impl Iterator<Item = (&'a Entity, &'a Pilot, &'s PilotFacts<'a>)> + 's {
        self.pilots.iter().filter_map(move |(i, facts)| {
            let e = &portfolio.entities[*i];
            Some((e, e.pilot.as_ref()?, facts))
        })
    }
}

/// Work out the facts of every pilot.
pub fn derive<'a>(
    config: &'a Config,
    portfolio: &'a Portfolio,
    history: &'a History,
    today: Date,
) -> Derived<'a> {
    use rayon::prelude::*;
    let pilots = portfolio
        .entities
        .par_iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let pilot = e.pilot.as_ref()?;
            Some((i, pilot_facts(config, e, pilot, history, today)))
        })
        .collect();
    Derived { pilots }
}
