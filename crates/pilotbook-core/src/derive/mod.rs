//! The derived model: every per-pilot fact the rest of the program shows
//! or judges, decided once, after history and before validate.
//!
//! For each pilot: its [`PilotRecord`] (typed fields and each metric's
//! met/missed verdict: what `export` writes and `diff` compares), each
//! milestone's state (done, overdue or planned: a retired or no-go pilot
//! has nothing overdue) with its slips from history, the next open
//! milestone, the status timeline with the time in the current status;
//! and, apart, because only pages show it, its [`Readiness`] (required
//! fields and sections present, worked out when a page first asks).
//!
//! A command makes one [`Derived`] (`Project::derive`) and hands it to
//! `validate`, the site, `export` and `diff`; the functions that work a
//! fact out are private to this module, so no projection can work one out
//! again (or differently). Pure: the model, the history and today's date
//! in, plain data out.
//!
//! Accepted findings are not here: a document's `accept` entries are read
//! with the model (`Entity::accepts`) and matched against the findings
//! once, in `diagnostics::accept`; every view reads the finding's
//! `accepted`.

mod overview;
mod record;

pub use overview::{Overview, STATUSES, overview};

use record::pilot_record;
pub use record::{IntegrationRecord, LinkRecord, MetricRecord, MilestoneRecord, PilotRecord};

use crate::config::Config;
use crate::history::{DocumentHistory, History, MilestoneSlip, StatusChange};
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

/// Where a pilot stands against `[lifecycle]`: the facts behind
/// `decision-overdue`, `status-stale` and `pilot-untouched`. Each is `None`
/// when the pilot is not stuck that way (or history cannot tell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LifecycleFacts {
    /// Days since the planned `decision` date, while still `proposed` or
    /// `pilot`.
    pub decision_overdue_days: Option<i64>,
    /// Days in the current open status, when over its `max_days`, with the
    /// limit: `(days, max_days)`.
    pub stale: Option<(i64, i64)>,
    /// Days since the document's last commit, when over `untouched_days`
    /// and the pilot is open.
    pub untouched_days: Option<i64>,
}

impl LifecycleFacts {
    /// Whether any of the three says the pilot is stuck.
    pub fn stuck(&self) -> bool {
        self.decision_overdue_days.is_some()
            || self.stale.is_some()
            || self.untouched_days.is_some()
    }
}

/// Every derived fact of one pilot but its [`Readiness`].
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
    /// Status timeline and time in status.
    pub status: StatusFacts<'a>,
    /// Stuck or not: decision overdue, too long in a status, untouched.
    pub lifecycle: LifecycleFacts,
}

/// Work out every fact of one pilot.
fn pilot_facts<'a>(
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
    let status = StatusFacts {
        timeline,
        since,
        days: since.map(|d| d.days_until(today)),
    };
    PilotFacts {
        record: pilot_record(config, entity, pilot),
        closed,
        milestones,
        next,
        lifecycle: lifecycle(config, pilot, &status, doc_history, today),
        status,
    }
}

/// The pilot against `[lifecycle]`. Time in status and the last commit
/// come from history only: a document's own dates could be edited to
/// reset the clock. An uncommitted or modified document is being worked
/// on, so it is not untouched.
fn lifecycle(
    config: &Config,
    pilot: &Pilot,
    status: &StatusFacts,
    history: Option<&DocumentHistory>,
    today: Date,
) -> LifecycleFacts {
    let current = pilot.status.as_deref().unwrap_or_default();
    if !crate::config::OPEN_STATUSES.contains(&current) {
        return LifecycleFacts::default();
    }
    let limits = &config.lifecycle;
    let decision_overdue_days = pilot
        .decision
        .filter(|d| *d < today && matches!(current, "proposed" | "pilot"))
        .map(|d| d.days_until(today));
    // The timeline's last entry must be the status the document has now:
    // otherwise the working tree changed it and the clock restarts.
    let in_status = status.timeline.last().is_some_and(|c| c.to == current);
    let stale = match (status.days, limits.max_days.get(current)) {
        (Some(days), Some(&max)) if in_status && days > max => Some((days, max)),
        _ => None,
    };
    let untouched_days = history
        .filter(|h| h.state == crate::history::DocumentState::Committed)
        .and_then(|h| h.updated())
        .map(|t| t.date().days_until(today))
        .filter(|days| *days > limits.untouched_days);
    LifecycleFacts {
        decision_overdue_days,
        stale,
        untouched_days,
    }
}

/// How ready a document is. Apart from the other facts: only pages show
/// it, and at about 15 µs a pilot `check` would pay for it in vain.
fn readiness(config: &Config, entity: &Entity) -> Readiness {
    let requirements = crate::validate::readiness(&config.kinds[entity.kind], entity);
    let required: Vec<_> = requirements.iter().filter(|r| r.required).collect();
    Readiness {
        ready: required.iter().filter(|r| r.present).count(),
        required: required.len(),
        requirements,
    }
}

/// The derived model: the facts of every pilot of the portfolio, by
/// entity index, worked out once after history. `validate`, the site,
/// `export` and `diff` all read these; none works them out again.
/// Readiness alone is worked out the first time a page asks for it
/// (see [`Derived::readiness`]).
#[derive(Debug)]
pub struct Derived<'a> {
    config: &'a Config,
    portfolio: &'a Portfolio,
    history: &'a History,
    today: Date,
    /// By entity index: `None` for an entity that is not a pilot.
    pilots: Vec<Option<PilotFacts<'a>>>,
    readiness: Vec<std::sync::OnceLock<Readiness>>,
}

impl<'a> Derived<'a> {
    /// Work out the facts of every pilot (in parallel).
    pub fn of(
        config: &'a Config,
        portfolio: &'a Portfolio,
        history: &'a History,
        today: Date,
    ) -> Derived<'a> {
        use rayon::prelude::*;
        let _phase = tracing::info_span!("derive").entered();
        let pilots = portfolio
            .entities
            .par_iter()
            .map(|e| Some(pilot_facts(config, e, e.pilot.as_ref()?, history, today)))
            .collect();
        Derived {
            config,
            portfolio,
            history,
            today,
            pilots,
            readiness: (0..portfolio.entities.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        }
    }

    /// The date the facts are as of (milestones overdue, time in status).
    pub fn today(&self) -> Date {
        self.today
    }

    /// The config the facts were derived with.
    pub fn config(&self) -> &'a Config {
        self.config
    }

    /// The model the facts are of.
    pub fn portfolio(&self) -> &'a Portfolio {
        self.portfolio
    }

    /// The history the facts were derived from.
    pub fn history(&self) -> &'a History {
        self.history
    }

    /// The facts of the pilot at entity index `index` (`None` for any
    /// other entity).
    pub fn pilot(&self, index: usize) -> Option<&PilotFacts<'a>> {
        self.pilots.get(index)?.as_ref()
    }

    /// The pilot record of the entity at `index`: what `export` writes.
    pub fn record(&self, index: usize) -> Option<&PilotRecord<'a>> {
        self.pilot(index).map(|f| &f.record)
    }

    /// How ready the document at entity index `index` is.
    pub fn readiness(&self, index: usize) -> Option<&Readiness> {
        let entity = self.portfolio.entities.get(index)?;
        Some(self.readiness[index].get_or_init(|| readiness(self.config, entity)))
    }

    /// Every pilot with its entity, model fields and facts, in entity order.
    pub fn pilots(&self) -> impl Iterator<Item = (&'a Entity, &'a Pilot, &PilotFacts<'a>)> + '_ {
        let entities = &self.portfolio.entities;
        self.pilots
            .iter()
            .enumerate()
            .filter_map(move |(i, facts)| {
                let e = &entities[i];
                Some((e, e.pilot.as_ref()?, facts.as_ref()?))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{CommitInfo, DocumentHistory, Timestamp};
    use std::sync::Arc;

    const TODAY: &str = "2026-06-01";

    fn date(text: &str) -> Date {
        Date::parse(text).expect("date")
    }

    fn load(docs: &[(&str, &str)]) -> (Config, Portfolio) {
        let config = Config::parse("", std::path::Path::new("pilotbook.toml")).expect("config");
        let parsed = docs
            .iter()
            .map(|(path, text)| {
                let kind = crate::discover::classify(&config, path).expect("a document");
                let doc = crate::parse::parse_document(path, text.as_bytes());
                (kind, path.to_string(), Arc::new(doc))
            })
            .collect();
        let (portfolio, _) = crate::model::build(&config, parsed);
        (config, portfolio)
    }

    /// A pilot with `status` and the given front-matter lines after it.
    fn pilot(status: &str, rest: &str) -> String {
        format!("---\ntitle: P\nstatus: {status}\n{rest}---\n\n# P\n\n## Rollback\n\nFlag off.\n")
    }

    const PATH: &str = "production_path:\n  - milestone: Done\n    due: 2026-01-01\n    done: 2026-01-05\n  - milestone: Late\n    due: 2026-05-01\n  - milestone: Today\n    due: 2026-06-01\n  - milestone: Later\n    due: 2026-09-01\n  - milestone: Undated\n";

    /// The facts of the one pilot in `docs`, with `history`.
    fn facts_with<T>(
        docs: &[(&str, &str)],
        history: &History,
        check: impl FnOnce(&PilotFacts) -> T,
    ) -> T {
        let (config, portfolio) = load(docs);
        let derived = Derived::of(&config, &portfolio, history, date(TODAY));
        let (_, _, facts) = derived.pilots().next().expect("a pilot");
        check(facts)
    }

    fn facts<T>(text: &str, check: impl FnOnce(&PilotFacts) -> T) -> T {
        facts_with(&[("pilots/p.md", text)], &History::default(), check)
    }

    fn states(f: &PilotFacts) -> Vec<&'static str> {
        f.milestones.iter().map(|m| m.state.as_str()).collect()
    }

    #[test]
    fn an_open_pilots_past_due_milestone_is_overdue() {
        facts(&pilot("pilot", PATH), |f| {
            assert!(!f.closed);
            assert_eq!(
                states(f),
                ["done", "overdue", "planned", "planned", "planned"]
            );
            assert_eq!(f.milestones[1].overdue_days, Some(31));
            assert_eq!(f.milestones[2].overdue_days, None, "due today is not late");
        });
    }

    #[test]
    fn a_closed_pilot_has_nothing_overdue() {
        for status in ["retired", "no-go"] {
            facts(&pilot(status, PATH), |f| {
                assert!(f.closed, "{status}");
                assert_eq!(
                    states(f),
                    ["done", "planned", "planned", "planned", "planned"]
                );
                assert!(f.milestones.iter().all(|m| m.overdue_days.is_none()));
            });
        }
    }

    #[test]
    fn the_next_milestone_is_the_first_not_done() {
        facts(&pilot("pilot", PATH), |f| assert_eq!(f.next, Some(1)));
        let all_done =
            "production_path:\n  - milestone: A\n    due: 2026-01-01\n    done: 2026-01-01\n";
        facts(&pilot("pilot", all_done), |f| assert_eq!(f.next, None));
    }

    #[test]
    fn metric_verdicts_are_met_missed_or_unknown() {
        let metrics = "metrics:\n  - metric: a\n    target: \">= 90%\"\n    actual: \"91%\"\n  - metric: b\n    target: \"<= 100 ms\"\n    actual: \"120 ms\"\n  - metric: c\n    target: \">= 1\"\n  - metric: d\n    target: todo\n    actual: \"5\"\n";
        facts(&pilot("go", metrics), |f| {
            let met: Vec<_> = f.record.metrics.iter().map(|m| m.met).collect();
            assert_eq!(met, [Some(true), Some(false), None, None]);
            assert_eq!(f.record.met(), 1);
            assert_eq!(f.record.measured(), 3, "an actual without a target counts");
        });
    }

    #[test]
    fn readiness_counts_required_fields_and_sections() {
        let (config, portfolio) = load(&[("pilots/p.md", &pilot("pilot", ""))]);
        {
            let r = &readiness(&config, &portfolio.entities[0]);
            let present: Vec<&str> = r
                .requirements
                .iter()
                .filter(|q| q.required && q.present)
                .map(|q| q.name.as_str())
                .collect();
            assert_eq!(present, ["title", "status", "Rollback"]);
            // Six fields (and `started`, which a running pilot must have),
            // six sections.
            assert_eq!((r.ready, r.required), (3, 13));
            let rollback = r.requirements.iter().find(|q| q.name == "Rollback");
            assert!(rollback.is_some_and(|q| q.section && q.present));
        }
    }

    fn commit(day: &str) -> Arc<CommitInfo> {
        let days = date(day).days_since_epoch();
        Arc::new(CommitInfo {
            id: format!("{:040}", days),
            date: Timestamp {
                seconds: days * 86_400 + 3600,
                offset_minutes: 0,
            },
            author: "Dana".into(),
            email: "dana@example.com".into(),
            summary: "change".into(),
        })
    }

    #[test]
    fn slips_and_time_in_status_come_from_history() {
        let (from, to) = (date("2026-04-01"), date("2026-05-01"));
        let mut h = DocumentHistory::uncommitted();
        h.milestone_slips.push(MilestoneSlip {
            milestone: "Late".into(),
            from,
            to,
            commit: commit("2026-03-20"),
            reached_main: commit("2026-03-20"),
        });
        for (from, to, day) in [
            (None, "proposed", "2026-01-10"),
            (Some("proposed"), "pilot", "2026-02-01"),
        ] {
            h.status_changes.push(StatusChange {
                from: from.map(str::to_string),
                to: to.into(),
                commit: commit(day),
                reached_main: commit(day),
            });
        }
        let mut history = History::default();
        history.documents.insert("pilots/p.md".into(), h);
        let text = pilot("pilot", PATH);
        facts_with(&[("pilots/p.md", &text)], &history, |f| {
            let slipped: Vec<_> = f.milestones.iter().map(|m| m.slips.len()).collect();
            assert_eq!(slipped, [0, 1, 0, 0, 0]);
            assert_eq!(f.milestones[1].slips[0].days(), 30);
            assert_eq!(f.status.timeline.len(), 2);
            assert_eq!(f.status.since, Some(date("2026-02-01")));
            assert_eq!(f.status.days, Some(120));
        });
        // Without history: no slips, no timeline, no time in status.
        facts(&text, |f| {
            assert!(f.milestones.iter().all(|m| m.slips.is_empty()));
            assert_eq!((f.status.since, f.status.days), (None, None));
        });
    }

    /// A document history whose status went through `steps` (status, day).
    fn timeline(steps: &[(&str, &str)]) -> DocumentHistory {
        let mut h = DocumentHistory::uncommitted();
        let mut before: Option<&str> = None;
        for (to, day) in steps {
            h.status_changes.push(StatusChange {
                from: before.map(str::to_string),
                to: to.to_string(),
                commit: commit(day),
                reached_main: commit(day),
            });
            before = Some(to);
        }
        h
    }

    #[test]
    fn the_overview_counts_the_funnel_from_history() {
        let metric = |actual: &str| {
            format!(
                "started: 2026-01-01\nmetrics:\n  - metric: m\n    target: \">= 90%\"\n    actual: \"{actual}\"\n"
            )
        };
        let docs = [
            // proposed → pilot → go → production, met: 40 days to decision.
            ("pilots/a.md", pilot("production", &metric("95%"))),
            // proposed → pilot → no-go, missed: 60 days to decision.
            ("pilots/b.md", pilot("no-go", &metric("80%"))),
            // proposed → pilot, stuck past its decision date.
            (
                "pilots/c.md",
                pilot("pilot", "started: 2026-01-01\ndecision: 2026-03-01\n"),
            ),
            // proposed, no history at all.
            ("pilots/d.md", pilot("proposed", "")),
        ];
        let mut history = History::default();
        let steps: [&[(&str, &str)]; 3] = [
            &[
                ("proposed", "2025-12-01"),
                ("pilot", "2026-01-01"),
                ("go", "2026-02-10"),
                ("production", "2026-04-01"),
            ],
            &[
                ("proposed", "2025-12-01"),
                ("pilot", "2026-01-01"),
                ("no-go", "2026-03-02"),
            ],
            &[("proposed", "2025-12-01"), ("pilot", "2026-01-01")],
        ];
        for ((path, _), steps) in docs.iter().zip(steps) {
            history.documents.insert(path.to_string(), timeline(steps));
        }
        let docs: Vec<(&str, &str)> = docs.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let (config, portfolio) = load(&docs);
        let derived = Derived::of(&config, &portfolio, &history, date(TODAY));
        let pilots = (0..portfolio.entities.len()).filter_map(|i| {
            let e = &portfolio.entities[i];
            Some((i, e, e.pilot.as_ref()?, derived.pilot(i)?))
        });
        let o = overview(pilots);
        let counts = |list: &[(String, usize)]| list.iter().map(|(_, n)| *n).collect::<Vec<_>>();
        // proposed, pilot, go, no-go, production, retired
        assert_eq!(counts(&o.now), [1, 1, 0, 1, 1, 0]);
        assert_eq!(counts(&o.entered), [4, 3, 1, 1, 1, 0]);
        assert_eq!(o.reached_production, 1);
        assert_eq!(o.median_days_to_decision, Some(50));
        assert_eq!((o.decided, o.decided_met_all), (2, 1));
        let stuck: Vec<&str> = o
            .stuck
            .iter()
            .map(|i| portfolio.entities[*i].id.as_str())
            .collect();
        assert_eq!(stuck, ["c"]);
    }

    #[test]
    fn the_record_is_the_exports_pilot_fields_in_order() {
        let text = pilot("pilot", "team: ops\nstarted: 2026-02-01\n");
        facts(&text, |f| {
            assert_eq!(
                f.record.fields(),
                [
                    "status",
                    "owner",
                    "team",
                    "started",
                    "decision",
                    "metrics",
                    "integrations",
                    "depends_on",
                    "production_path"
                ]
            );
            assert_eq!(f.record.team, Some("ops"));
            let json = serde_json::to_string(&f.record).expect("json");
            assert!(json.starts_with(r#"{"status":"pilot","owner":null,"team":"ops","started":"2026-02-01","decision":null,"#));
        });
    }
}
