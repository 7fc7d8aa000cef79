//! `check --changed-since` is safe by construction, as a property: for
//! random small portfolios and random changes on a branch (documents
//! deleted, renamed, re-owned, re-linked, ids duplicated, systems moved to
//! a sandbox, teams renamed, the config changed), the findings it reports
//! are exactly the full check's findings on the documents it selected, and
//! every error the change brings to the full check is among them.
//!
//! The runner is seeded (ChaCha, fixed), so a run is the same everywhere;
//! `PROPTEST_CASES` makes it longer.

use crate::support::{Case, DANA, pilotbook};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const PEOPLE: [&str; 3] = ["ana", "ben", "cy"];
const TEAMS: [&str; 2] = ["ops", "ml"];
const SYSTEMS: [&str; 2] = ["crm", "erp"];
const ENVIRONMENTS: [&str; 4] = ["production", "sandbox", "mock", "staging"];
const STATUSES: [&str; 3] = ["proposed", "pilot", "go"];

/// One pilot: indices into the lists above (an owner past the people is
/// the team `ops`, then an undefined `ghost`; a system past the systems is
/// an undefined `void`).
#[derive(Debug, Clone)]
struct PilotSpec {
    owner: usize,
    metric: usize,
    system: usize,
    depends_on: Option<usize>,
    status: usize,
}

#[derive(Debug, Clone)]
enum Change {
    DeletePerson(usize),
    RenamePerson(usize),
    Team(usize, Option<usize>),
    DeleteSystem(usize),
    Environment(usize, usize),
    DeletePilot(usize),
    RenamePilot(usize),
    DependsOn(usize, Option<usize>),
    Owner(usize, usize),
    AddPilot(PilotSpec),
    RequireSection,
    DuplicateId(usize, usize),
    DropRollback(usize),
    MoveTarget(usize),
}

#[derive(Debug, Clone)]
struct Scenario {
    pilots: Vec<PilotSpec>,
    teams: Vec<Option<usize>>,
    environments: Vec<usize>,
    strict: bool,
    changes: Vec<Change>,
    commit: bool,
}

fn pilot_spec() -> impl Strategy<Value = PilotSpec> {
    (
        0..5usize,
        0..2usize,
        0..3usize,
        proptest::option::of(0..5usize),
        0..3usize,
    )
        .prop_map(|(owner, metric, system, depends_on, status)| PilotSpec {
            owner,
            metric,
            system,
            depends_on,
            status,
        })
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0..3usize).prop_map(Change::DeletePerson),
        (0..3usize).prop_map(Change::RenamePerson),
        (0..3usize, proptest::option::of(0..2usize)).prop_map(|(p, t)| Change::Team(p, t)),
        (0..2usize).prop_map(Change::DeleteSystem),
        (0..2usize, 0..4usize).prop_map(|(s, e)| Change::Environment(s, e)),
        (0..5usize).prop_map(Change::DeletePilot),
        (0..5usize).prop_map(Change::RenamePilot),
        (0..5usize, proptest::option::of(0..5usize)).prop_map(|(p, d)| Change::DependsOn(p, d)),
        (0..5usize, 0..5usize).prop_map(|(p, o)| Change::Owner(p, o)),
        pilot_spec().prop_map(Change::AddPilot),
        Just(Change::RequireSection),
        (0..5usize, 0..5usize).prop_map(|(p, q)| Change::DuplicateId(p, q)),
        (0..5usize).prop_map(Change::DropRollback),
        (0..5usize).prop_map(Change::MoveTarget),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        proptest::collection::vec(pilot_spec(), 2..5),
        proptest::collection::vec(proptest::option::of(0..2usize), 3),
        proptest::collection::vec(0..4usize, 2),
        any::<bool>(),
        proptest::collection::vec(change(), 1..4),
        any::<bool>(),
    )
        .prop_map(
            |(pilots, teams, environments, strict, changes, commit)| Scenario {
                pilots,
                teams,
                environments,
                strict,
                changes,
                commit,
            },
        )
}

/// A pilot as the working tree has it.
#[derive(Debug, Clone)]
struct Pilot {
    path: String,
    spec: PilotSpec,
    explicit_id: Option<String>,
    rollback: bool,
    target: u32,
}

/// The portfolio as files.
#[derive(Debug, Clone)]
struct World {
    people: Vec<Option<(String, Option<usize>)>>,
    environments: Vec<Option<usize>>,
    pilots: Vec<Option<Pilot>>,
    strict: bool,
    required_section: bool,
}

impl World {
    fn new(s: &Scenario) -> World {
        World {
            people: PEOPLE
                .iter()
                .zip(&s.teams)
                .map(|(p, t)| Some((p.to_string(), *t)))
                .collect(),
            environments: s.environments.iter().map(|e| Some(*e)).collect(),
            pilots: s
                .pilots
                .iter()
                .enumerate()
                .map(|(i, spec)| {
                    Some(Pilot {
                        path: format!("pilots/p{i}.md"),
                        spec: spec.clone(),
                        explicit_id: None,
                        rollback: true,
                        target: 90,
                    })
                })
                .collect(),
            strict: s.strict,
            required_section: false,
        }
    }

    fn pilot_id(&self, i: usize) -> String {
        match self.pilots.get(i).and_then(Option::as_ref) {
            Some(p) => p.explicit_id.clone().unwrap_or_else(|| {
                p.path
                    .trim_start_matches("pilots/")
                    .trim_end_matches(".md")
                    .to_string()
            }),
            None => format!("p{i}"),
        }
    }

    fn pilot_text(&self, p: &Pilot) -> String {
        let s = &p.spec;
        let owner = match s.owner {
            o if o < PEOPLE.len() => PEOPLE[o],
            3 => "ops",
            _ => "ghost",
        };
        let system = SYSTEMS.get(s.system).copied().unwrap_or("void");
        let (metric, target, actual) = if s.metric == 0 {
            ("acc", format!(">= {}%", p.target), "95%")
        } else {
            ("lat", format!("<= {} ms", p.target * 10), "640 ms")
        };
        let status = STATUSES[s.status];
        let mut front = String::new();
        if let Some(id) = &p.explicit_id {
            front.push_str(&format!("id: {id}\n"));
        }
        front.push_str(&format!(
            "title: Pilot\nstatus: {status}\nowner: {owner}\nstarted: 2026-01-10\nmetrics:\n  - metric: {metric}\n    target: \"{target}\"\n"
        ));
        if status == "go" {
            front.push_str(&format!("    actual: \"{actual}\"\n"));
        }
        front.push_str(&format!("integrations:\n  - system: {system}\n"));
        if let Some(d) = s.depends_on {
            front.push_str(&format!("depends_on:\n  - pilot: {}\n", self.pilot_id(d)));
        }
        front.push_str("production_path:\n  - milestone: GA\n    due: 2027-06-01\n");
        let mut body = String::from("# Pilot\n");
        for section in [
            "Success metrics",
            "Integrations",
            "Ownership",
            "Production path",
            "Monitoring",
            "Human review",
            "Escalation",
            "Expansion criteria",
        ] {
            body.push_str(&format!("\n## {section}\n\nWritten.\n"));
        }
        if p.rollback {
            body.push_str("\n## Rollback\n\nFlag off.\n");
        }
        format!("---\n{front}---\n\n{body}")
    }

    fn files(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        let mut config = String::new();
        if self.required_section {
            config.push_str(
                "[kinds.pilot]\nrequired_sections = [\"Rollback\", \"Security review\"]\n",
            );
        }
        if self.strict {
            config.push_str("[rules]\nundefined-reference = \"error\"\n");
        }
        files.insert("pilotbook.toml".to_string(), config);
        for (name, team) in self.people.iter().flatten() {
            let team = team
                .map(|t| format!("team: {}\n", TEAMS[t]))
                .unwrap_or_default();
            files.insert(
                format!("people/{name}.md"),
                format!("---\nname: {name}\n{team}---\n"),
            );
        }
        files.insert(
            "metrics/acc.md".into(),
            "---\ntitle: Accuracy\nunit: \"%\"\ndirection: higher\n---\n".into(),
        );
        files.insert(
            "metrics/lat.md".into(),
            "---\ntitle: Latency\nunit: ms\ndirection: lower\n---\n".into(),
        );
        for (i, env) in self.environments.iter().enumerate() {
            if let Some(env) = env {
                files.insert(
                    format!("systems/{}.md", SYSTEMS[i]),
                    format!(
                        "---\ntitle: {}\nenvironment: {}\n---\n",
                        SYSTEMS[i], ENVIRONMENTS[*env]
                    ),
                );
            }
        }
        for p in self.pilots.iter().flatten() {
            files.insert(p.path.clone(), self.pilot_text(p));
        }
        files
    }

    /// The pilot at `i` (modulo the pilots), unless deleted.
    fn pilot(&mut self, i: usize) -> Option<&mut Pilot> {
        let n = self.pilots.len();
        self.pilots.get_mut(i % n).and_then(Option::as_mut)
    }

    fn apply(&mut self, change: &Change) {
        match change {
            Change::DeletePerson(i) => self.people[*i] = None,
            Change::RenamePerson(i) => {
                if let Some((name, _)) = self.people[*i].as_mut() {
                    name.push_str("-x");
                }
            }
            Change::Team(i, t) => {
                if let Some((_, team)) = self.people[*i].as_mut() {
                    *team = *t;
                }
            }
            Change::DeleteSystem(i) => self.environments[*i] = None,
            Change::Environment(i, e) => {
                if self.environments[*i].is_some() {
                    self.environments[*i] = Some(*e);
                }
            }
            Change::DeletePilot(i) => {
                let n = self.pilots.len();
                self.pilots[i % n] = None;
            }
            Change::RenamePilot(i) => {
                if let Some(p) = self.pilot(*i) {
                    p.path = p.path.replace("/p", "/q");
                }
            }
            Change::DependsOn(i, d) => {
                if let Some(p) = self.pilot(*i) {
                    p.spec.depends_on = *d;
                }
            }
            Change::Owner(i, o) => {
                if let Some(p) = self.pilot(*i) {
                    p.spec.owner = *o;
                }
            }
            Change::AddPilot(spec) => {
                let n = self.pilots.len();
                self.pilots.push(Some(Pilot {
                    path: format!("pilots/p{n}.md"),
                    spec: spec.clone(),
                    explicit_id: None,
                    rollback: true,
                    target: 90,
                }));
            }
            Change::RequireSection => self.required_section = true,
            Change::DuplicateId(i, j) => {
                let id = self.pilot_id(j % self.pilots.len());
                if let Some(p) = self.pilot(*i) {
                    p.explicit_id = Some(id);
                }
            }
            Change::DropRollback(i) => {
                if let Some(p) = self.pilot(*i) {
                    p.rollback = false;
                }
            }
            Change::MoveTarget(i) => {
                if let Some(p) = self.pilot(*i) {
                    p.target -= 5;
                }
            }
        }
    }
}

/// Make the working tree hold exactly `files`.
fn write_tree(repo: &Case, files: &BTreeMap<String, String>) {
    for dir in ["pilots", "people", "metrics", "systems"] {
        let _ = std::fs::remove_dir_all(repo.root.join(dir));
    }
    for (path, text) in files {
        repo.write(path, text);
    }
}

/// The diagnostics of a JSON report, as comparable text.
fn diagnostics(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(Value::to_string)
        .collect();
    out.sort();
    out
}

/// `(rule, path, message)` of every error.
fn errors(report: &Value) -> BTreeSet<(String, String, String)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error" && d["accepted"].is_null())
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("rule"), s("path"), s("message"))
        })
        .collect()
}

fn json(repo: &Case, args: &[&str]) -> (Value, String) {
    let out = pilotbook(&repo.root, args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value = serde_json::from_slice(&out.stdout).expect("JSON");
    (value, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn run_case(s: &Scenario) -> Result<(), TestCaseError> {
    let repo = Case::new();
    let mut world = World::new(s);
    write_tree(&repo, &world.files());
    let base = repo.commit("Base", DANA, "2026-02-01T09:00:00+00:00");
    repo.branch("feature");
    for change in &s.changes {
        world.apply(change);
    }
    write_tree(&repo, &world.files());
    if s.commit {
        repo.commit("Change", DANA, "2026-03-01T09:00:00+00:00");
    }

    let (full, _) = json(&repo, &["check", "--format", "json"]);
    let (then, _) = json(&repo, &["check", "--format", "json", "--rev", &base]);
    let (scoped, stderr) = json(
        &repo,
        &["-v", "check", "--format", "json", "--changed-since", "main"],
    );
    let selected: BTreeSet<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("verbose: selected "))
        .filter_map(|l| l.split(" (").next())
        .collect();
    prop_assert_eq!(
        scoped["summary"]["documents"].as_u64(),
        Some(selected.len() as u64),
        "{}",
        stderr
    );

    // Exactly the full check's findings on the selected documents (and
    // on pilotbook.toml, which no scope hides).
    let mut restricted = full.clone();
    if let Some(list) = restricted["diagnostics"].as_array_mut() {
        list.retain(|d| {
            let path = d["path"].as_str().unwrap_or_default();
            path == "pilotbook.toml" || selected.contains(path)
        });
    }
    prop_assert_eq!(diagnostics(&scoped), diagnostics(&restricted));

    // No error the change brought is left out.
    let new: BTreeSet<_> = errors(&full).difference(&errors(&then)).cloned().collect();
    let reported = errors(&scoped);
    let lost: Vec<_> = new.difference(&reported).collect();
    prop_assert!(lost.is_empty(), "lost {:?}\n{}", lost, stderr);
    Ok(())
}

#[test]
fn changed_since_reports_every_new_finding_of_the_documents_it_selects() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    if let Err(e) = runner.run(&scenario(), |s| run_case(&s)) {
        panic!("{e}");
    }
}
