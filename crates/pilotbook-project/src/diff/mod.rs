//! `pilotbook diff`: what changed in the portfolio between two revisions.
//!
//! Both revisions are loaded the way `check --rev` loads one (documents,
//! config and history straight from the object database, no checkout) and
//! checked with the same date; then the two linked models are compared
//! entity by entity, by kind and id, never by file diff: a pilot whose file
//! was reformatted but says the same thing has not changed. What comes out
//! is a [`PortfolioDiff`], plain data whose field names are the JSON
//! contract (`version: 1`), and which the Markdown renderer turns into a
//! pull-request comment. Every list is in a fixed order (ids sorted, a
//! document's own entries in its order), so two runs print the same bytes.
//!
//! This module reads git only through [`Project::load`] and
//! [`history::diff_range`]; the comparison itself is pure.

pub mod json;
pub mod markdown;

use crate::{Error, LoadOptions, Project};
use pilotbook_core::config::Config;
use pilotbook_core::derive::{
    Derived, IntegrationRecord, LinkRecord, MetricRecord, MilestoneRecord, PilotRecord,
};
use pilotbook_core::diagnostics::{Diagnostic, Report};
use pilotbook_core::model::{Date, Entity, Pilot};
use pilotbook_core::parse::normalize_heading;
use pilotbook_history as history;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// The format version of the JSON output.
pub const VERSION: u32 = 1;

/// What to compare.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// The base revision; a branch is compared from its merge base with `head`.
    pub base: String,
    /// The head revision.
    pub head: String,
    /// Use the history cache.
    pub cache: bool,
    /// Keep the history cache here instead of the git folder.
    pub cache_dir: Option<std::path::PathBuf>,
}

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<T> {
    /// At the base.
    pub from: T,
    /// At the head.
    pub to: T,
}

impl<T: PartialEq> Change<T> {
    /// Whether the value changed.
    pub fn changed(&self) -> bool {
        self.from != self.to
    }
}

/// How an entry of a list changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryChange {
    /// Only at the head.
    Added,
    /// Only at the base.
    Removed,
    /// At both, with different values.
    Changed,
}

/// One revision of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionOut {
    /// As the user named it.
    pub rev: String,
    /// The full commit id compared (for a branch base, the merge base).
    pub commit: String,
}

/// Counts, for the heading of a comment.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Pilots only at the head.
    pub pilots_added: usize,
    /// Pilots only at the base.
    pub pilots_removed: usize,
    /// Pilots at both that changed.
    pub pilots_changed: usize,
    /// Other documents only at the head.
    pub documents_added: usize,
    /// Other documents only at the base.
    pub documents_removed: usize,
    /// Other documents at both that changed.
    pub documents_changed: usize,
    /// Findings at the head that the base did not have.
    pub findings_new: usize,
    /// Findings at the base that the head no longer has.
    pub findings_fixed: usize,
    /// Errors reported at each revision.
    pub errors: Change<usize>,
    /// Warnings reported at each revision.
    pub warnings: Change<usize>,
}

/// A pilot as it stands at one revision (added or removed).
#[derive(Debug, Clone, Serialize)]
pub struct PilotSummary {
    /// The id.
    pub id: String,
    /// The document's path.
    pub path: String,
    /// The title.
    pub title: String,
    /// The status, if valid.
    pub status: Option<String>,
    /// The owner's id.
    pub owner: Option<String>,
}

/// A front-matter value that changed. Pilots' fields are typed (`title`,
/// `path`, `status`, `owner`, `team`, `started`, `decision`, as text or
/// null); other documents' are their top-level front-matter values as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    /// The field's name.
    pub field: String,
    /// At the base.
    pub from: Value,
    /// At the head.
    pub to: Value,
}

/// A success metric of a pilot that was added, removed or changed.
#[derive(Debug, Clone, Serialize)]
pub struct MetricChange {
    /// The metric's id.
    pub metric: String,
    /// How.
    pub change: EntryChange,
    /// The target as written.
    pub target: Change<Option<String>>,
    /// The actual as written.
    pub actual: Change<Option<String>>,
    /// Whether the actual meets the target (`null` until both are known).
    pub met: Change<Option<bool>>,
}

/// A milestone of the production path that was added, removed or moved.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneChange {
    /// The milestone's name.
    pub milestone: String,
    /// How.
    pub change: EntryChange,
    /// The due date.
    pub due: Change<Option<String>>,
    /// The date it was done.
    pub done: Change<Option<String>>,
    /// How many days the due date moved (positive: later), when both are known.
    pub moved_days: Option<i64>,
}

/// Whether a document has a section, and with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionState {
    /// No such H2 heading.
    Missing,
    /// The heading is there with nothing (or only TODO/TBD) under it.
    Empty,
    /// The heading has content.
    Filled,
}

/// A section that appeared or disappeared. An empty section counts as
/// missing, as it does for `missing-section`.
#[derive(Debug, Clone, Serialize)]
pub struct SectionChange {
    /// The section's name as the kind's config spells it, or the heading.
    pub section: String,
    /// `added` or `removed`.
    pub change: EntryChange,
    /// At the base.
    pub from: SectionState,
    /// At the head.
    pub to: SectionState,
}

/// An integration that was added, removed or changed.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrationChange {
    /// The system's id.
    pub system: String,
    /// How.
    pub change: EntryChange,
    /// `api | database | file | event | other`.
    pub access: Change<Option<String>>,
    /// How the pilot authenticates.
    pub auth: Change<Option<String>>,
}

/// A dependency that was added or removed.
#[derive(Debug, Clone, Serialize)]
pub struct DependencyChange {
    /// The kind depended on (`pilot`, `system`, …).
    pub kind: String,
    /// Its id.
    pub id: String,
    /// `added` or `removed`.
    pub change: EntryChange,
}

/// A pilot at both revisions, and what changed in it.
#[derive(Debug, Clone, Serialize)]
pub struct PilotDiff {
    /// The id.
    pub id: String,
    /// The path at the head.
    pub path: String,
    /// The title at the head.
    pub title: String,
    /// Changed typed fields.
    pub fields: Vec<FieldChange>,
    /// Changed metrics.
    pub metrics: Vec<MetricChange>,
    /// Changed milestones.
    pub milestones: Vec<MilestoneChange>,
    /// Sections added or dropped.
    pub sections: Vec<SectionChange>,
    /// Changed integrations.
    pub integrations: Vec<IntegrationChange>,
    /// Dependencies added or removed.
    pub depends_on: Vec<DependencyChange>,
}

impl PilotDiff {
    fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.metrics.is_empty()
            && self.milestones.is_empty()
            && self.sections.is_empty()
            && self.integrations.is_empty()
            && self.depends_on.is_empty()
    }
}

/// A document of another kind as it stands at one revision.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    /// The kind's name.
    pub kind: String,
    /// The id.
    pub id: String,
    /// The document's path.
    pub path: String,
    /// The display title.
    pub title: String,
}

/// A document of another kind at both revisions, and what changed in it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentDiff {
    /// The kind's name.
    pub kind: String,
    /// The id.
    pub id: String,
    /// The path at the head.
    pub path: String,
    /// The title at the head.
    pub title: String,
    /// Changed top-level front-matter values (and `path` when it moved).
    pub fields: Vec<FieldChange>,
    /// Sections added or dropped.
    pub sections: Vec<SectionChange>,
}

/// Pilots added, removed and changed, each list sorted by id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PilotChanges {
    /// Only at the head.
    pub added: Vec<PilotSummary>,
    /// Only at the base.
    pub removed: Vec<PilotSummary>,
    /// At both, changed.
    pub changed: Vec<PilotDiff>,
}

/// Other documents added, removed and changed, sorted by kind and id.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DocumentChanges {
    /// Only at the head.
    pub added: Vec<DocumentSummary>,
    /// Only at the base.
    pub removed: Vec<DocumentSummary>,
    /// At both, changed.
    pub changed: Vec<DocumentDiff>,
}

/// One finding, as `check --format json` prints it (without help).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The rule.
    pub rule: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// The document's path.
    pub path: String,
    /// 1-based line, at the revision that has the finding.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// Findings that appeared and disappeared, in report order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingChanges {
    /// At the head only.
    pub new: Vec<Finding>,
    /// At the base only.
    pub fixed: Vec<Finding>,
}

/// The whole comparison: the JSON contract of `diff --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioDiff {
    /// [`VERSION`].
    pub version: u32,
    /// The base revision.
    pub base: RevisionOut,
    /// The head revision.
    pub head: RevisionOut,
    /// Counts.
    pub summary: Summary,
    /// Pilots.
    pub pilots: PilotChanges,
    /// People, metrics, systems and custom kinds.
    pub documents: DocumentChanges,
    /// Findings.
    pub findings: FindingChanges,
}

impl PortfolioDiff {
    /// Prefix every path with the pilotbook root's folder in the
    /// repository, so that paths read as the forge shows them, as every
    /// machine format of `check` does.
    pub fn relocate(&mut self, prefix: &str) {
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() {
            return;
        }
        // A source's path is in its own repository already.
        let at = |path: &mut String| {
            if pilotbook_core::model::split_qualified(path).0.is_none() {
                *path = format!("{prefix}/{path}");
            }
        };
        let pilots = &mut self.pilots;
        pilots
            .added
            .iter_mut()
            .chain(&mut pilots.removed)
            .for_each(|p| at(&mut p.path));
        let docs = &mut self.documents;
        docs.added
            .iter_mut()
            .chain(&mut docs.removed)
            .for_each(|d| at(&mut d.path));
        let findings = &mut self.findings;
        findings
            .new
            .iter_mut()
            .chain(&mut findings.fixed)
            .for_each(|f| at(&mut f.path));
        let moved = |fields: &mut Vec<FieldChange>| {
            for change in fields.iter_mut().filter(|c| c.field == "path") {
                for value in [&mut change.from, &mut change.to] {
                    if let Value::String(path) = value {
                        at(path);
                    }
                }
            }
        };
        for pilot in &mut pilots.changed {
            at(&mut pilot.path);
            moved(&mut pilot.fields);
        }
        for doc in &mut docs.changed {
            at(&mut doc.path);
            moved(&mut doc.fields);
        }
    }

    /// Whether nothing changed at all, findings included.
    pub fn is_empty(&self) -> bool {
        let s = &self.summary;
        s.pilots_added + s.pilots_removed + s.pilots_changed == 0
            && s.documents_added + s.documents_removed + s.documents_changed == 0
            && s.findings_new + s.findings_fixed == 0
    }
}

/// Resolve the two revisions, load and check both, and compare them.
/// `today` is the date both are checked against.
pub fn run(
    root: &Path,
    config_path: Option<&Path>,
    options: &DiffOptions,
    today: Date,
) -> Result<PortfolioDiff, Error> {
    let (base_commit, head_commit) = history::diff_range(root, &options.base, &options.head)?;
    let load = |commit: &str| -> Result<Project, Error> {
        let project = Project::load(
            root,
            config_path,
            &LoadOptions {
                rev: Some(commit.to_string()),
                history: true,
                cache: options.cache,
                cache_dir: options.cache_dir.clone(),
                ..LoadOptions::default()
            },
        )?;
        Ok(project)
    };
    // Base first: the history cache is then extended forward to the head.
    let base = load(&base_commit)?;
    let head = load(&head_commit)?;
    let (base_derived, head_derived) = (base.derive(today), head.derive(today));
    let (base_report, head_report) = (
        base.check(&base_derived, None)?,
        head.check(&head_derived, None)?,
    );
    let mut diff = compare(
        Side {
            revision: RevisionOut {
                rev: options.base.clone(),
                commit: base_commit,
            },
            derived: &base_derived,
            report: &base_report,
        },
        Side {
            revision: RevisionOut {
                rev: options.head.clone(),
                commit: head_commit,
            },
            derived: &head_derived,
            report: &head_report,
        },
    );
    if let Some(prefix) = history::root_in_repository(root) {
        diff.relocate(&prefix);
    }
    Ok(diff)
}

/// One side of the comparison: a loaded and checked revision.
pub struct Side<'a> {
    /// Which revision.
    pub revision: RevisionOut,
    /// Its linked model and derived facts.
    pub derived: &'a Derived<'a>,
    /// Its finished report.
    pub report: &'a Report,
}

/// Compare two loaded revisions.
pub fn compare(base: Side<'_>, head: Side<'_>) -> PortfolioDiff {
    let mut pilots = PilotChanges::default();
    let mut documents = DocumentChanges::default();
    let (base_config, head_config) = (base.derived.config(), head.derived.config());
    let before = documents_by_key(base.derived);
    let after = documents_by_key(head.derived);
    for (key, &(_, b)) in &before {
        if !after.contains_key(key) {
            match b.pilot.as_ref() {
                Some(p) => pilots.removed.push(pilot_summary(b, p)),
                None => documents.removed.push(document_summary(base_config, b)),
            }
        }
    }
    for (key, &(ai, a)) in &after {
        let Some(&(bi, b)) = before.get(key) else {
            match a.pilot.as_ref() {
                Some(p) => pilots.added.push(pilot_summary(a, p)),
                None => documents.added.push(document_summary(head_config, a)),
            }
            continue;
        };
        match (base.derived.record(bi), head.derived.record(ai)) {
            (Some(before), Some(after)) => {
                let d = pilot_diff((base_config, b, before), (head_config, a, after));
                if !d.is_empty() {
                    pilots.changed.push(d);
                }
            }
            _ => {
                let d = document_diff((base_config, b), (head_config, a));
                if !d.fields.is_empty() || !d.sections.is_empty() {
                    documents.changed.push(d);
                }
            }
        }
    }
    let findings = findings(base.report, head.report);
    let summary = Summary {
        pilots_added: pilots.added.len(),
        pilots_removed: pilots.removed.len(),
        pilots_changed: pilots.changed.len(),
        documents_added: documents.added.len(),
        documents_removed: documents.removed.len(),
        documents_changed: documents.changed.len(),
        findings_new: findings.new.len(),
        findings_fixed: findings.fixed.len(),
        errors: Change {
            from: base.report.errors(),
            to: head.report.errors(),
        },
        warnings: Change {
            from: base.report.warnings(),
            to: head.report.warnings(),
        },
    };
    PortfolioDiff {
        version: VERSION,
        base: base.revision,
        head: head.revision,
        summary,
        pilots,
        documents,
        findings,
    }
}

/// Documents (not generated entities) by kind name, id and, where an id is
/// duplicated, its place among the documents with that id. A `BTreeMap`
/// keeps the output in kind-name and id order; pilots are told apart by
/// their typed fields, not by the key.
fn documents_by_key<'p>(
    derived: &Derived<'p>,
) -> BTreeMap<(String, String, usize), (usize, &'p Entity)> {
    let (config, portfolio) = (derived.config(), derived.portfolio());
    let mut out = BTreeMap::new();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, e) in portfolio
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.defined())
    {
        let Some(kind) = config.kinds.get(e.kind) else {
            continue;
        };
        let n = seen.entry((kind.name.as_str(), e.id.as_str())).or_insert(0);
        out.insert((kind.name.clone(), e.id.clone(), *n), (i, e));
        *n += 1;
    }
    out
}

fn path_of(e: &Entity) -> String {
    e.document
        .as_ref()
        .map(|d| d.path.clone())
        .unwrap_or_default()
}

fn pilot_summary(e: &Entity, p: &Pilot) -> PilotSummary {
    PilotSummary {
        id: e.id.clone(),
        path: path_of(e),
        title: e.title.clone(),
        status: p.status.clone(),
        owner: p.owner.as_ref().map(|o| o.value.clone()),
    }
}

fn document_summary(config: &Config, e: &Entity) -> DocumentSummary {
    DocumentSummary {
        kind: kind_name(config, e),
        id: e.id.clone(),
        path: path_of(e),
        title: e.title.clone(),
    }
}

fn kind_name(config: &Config, e: &Entity) -> String {
    config
        .kinds
        .get(e.kind)
        .map(|k| k.name.clone())
        .unwrap_or_default()
}

fn text_value(v: Option<String>) -> Value {
    v.map_or(Value::Null, Value::String)
}

/// Two revisions of a pilot, compared through their derived records: the
/// title, the path, every scalar field of the record by name (so a field
/// added to the record is compared with no change here), then its lists.
fn pilot_diff(
    (bc, b, before): (&Config, &Entity, &PilotRecord),
    (ac, a, after): (&Config, &Entity, &PilotRecord),
) -> PilotDiff {
    let mut pairs = vec![
        (
            "title".to_string(),
            text_value(Some(b.title.clone())),
            text_value(Some(a.title.clone())),
        ),
        (
            "path".to_string(),
            text_value(Some(path_of(b))),
            text_value(Some(path_of(a))),
        ),
    ];
    let (from, to) = (scalars(before), scalars(after));
    pairs.extend(
        from.into_iter()
            .zip(to)
            .map(|((field, from), (_, to))| (field, from, to)),
    );
    let fields = pairs
        .into_iter()
        .filter(|(_, from, to)| from != to)
        .map(|(field, from, to)| FieldChange { field, from, to })
        .collect();
    PilotDiff {
        id: a.id.clone(),
        path: path_of(a),
        title: a.title.clone(),
        fields,
        metrics: metric_changes(&before.metrics, &after.metrics),
        milestones: milestone_changes(&before.production_path, &after.production_path),
        sections: section_changes(bc, b, ac, a),
        integrations: integration_changes(&before.integrations, &after.integrations),
        depends_on: dependency_changes(&before.depends_on, &after.depends_on),
    }
}

/// The record's scalar fields (not lists or objects) by name, in the
/// record's order, as JSON values.
fn scalars(record: &PilotRecord) -> Vec<(String, Value)> {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter(|(_, v)| !v.is_array() && !v.is_object())
            .collect(),
        _ => Vec::new(),
    }
}

/// Pair up two lists by a key (the n-th entry with a key at the base with
/// the n-th at the head), in head order, then the base's leftovers in base
/// order.
fn pair<'a, T>(
    before: &'a [T],
    after: &'a [T],
    key: impl Fn(&T) -> String,
) -> Vec<(Option<&'a T>, Option<&'a T>)> {
    let keyed = |list: &'a [T]| -> Vec<((String, usize), &'a T)> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        list.iter()
            .map(|item| {
                let k = key(item);
                let n = seen.entry(k.clone()).or_insert(0);
                let out = ((k, *n), item);
                *n += 1;
                out
            })
            .collect()
    };
    let b = keyed(before);
    let a = keyed(after);
    let b_map: HashMap<&(String, usize), &T> = b.iter().map(|(k, v)| (k, *v)).collect();
    let a_keys: BTreeSet<&(String, usize)> = a.iter().map(|(k, _)| k).collect();
    let mut out: Vec<(Option<&T>, Option<&T>)> = a
        .iter()
        .map(|(k, v)| (b_map.get(k).copied(), Some(*v)))
        .collect();
    out.extend(
        b.iter()
            .filter(|(k, _)| !a_keys.contains(k))
            .map(|(_, v)| (Some(*v), None)),
    );
    out
}

fn entry_change<T>(pair: (Option<&T>, Option<&T>)) -> EntryChange {
    match pair {
        (None, _) => EntryChange::Added,
        (_, None) => EntryChange::Removed,
        _ => EntryChange::Changed,
    }
}

fn metric_changes(before: &[MetricRecord], after: &[MetricRecord]) -> Vec<MetricChange> {
    let text = |t: Option<&str>| t.map(|t| t.trim().to_string());
    pair(before, after, |m| m.metric.to_string())
        .into_iter()
        .filter_map(|(b, a)| {
            let change = MetricChange {
                metric: a.or(b).map(|m| m.metric.to_string()).unwrap_or_default(),
                change: entry_change((b, a)),
                target: Change {
                    from: text(b.and_then(|m| m.target)),
                    to: text(a.and_then(|m| m.target)),
                },
                actual: Change {
                    from: text(b.and_then(|m| m.actual)),
                    to: text(a.and_then(|m| m.actual)),
                },
                met: Change {
                    from: b.and_then(|m| m.met),
                    to: a.and_then(|m| m.met),
                },
            };
            let differs = change.change != EntryChange::Changed
                || change.target.changed()
                || change.actual.changed()
                || change.met.changed();
            differs.then_some(change)
        })
        .collect()
}

fn milestone_changes(
    before: &[MilestoneRecord],
    after: &[MilestoneRecord],
) -> Vec<MilestoneChange> {
    let due = |m: Option<&MilestoneRecord>| m.and_then(|m| m.due);
    let done = |m: Option<&MilestoneRecord>| m.and_then(|m| m.done);
    let text = |d: Option<Date>| d.map(|d| d.to_string());
    pair(before, after, |m| m.milestone.to_string())
        .into_iter()
        .filter_map(|(b, a)| {
            let moved_days = match (due(b), due(a)) {
                (Some(from), Some(to)) if from != to => Some(from.days_until(to)),
                _ => None,
            };
            let change = MilestoneChange {
                milestone: a.or(b).map(|m| m.milestone.to_string()).unwrap_or_default(),
                change: entry_change((b, a)),
                due: Change {
                    from: text(due(b)),
                    to: text(due(a)),
                },
                done: Change {
                    from: text(done(b)),
                    to: text(done(a)),
                },
                moved_days,
            };
            let differs = change.change != EntryChange::Changed
                || change.due.changed()
                || change.done.changed();
            differs.then_some(change)
        })
        .collect()
}

fn integration_changes(
    before: &[IntegrationRecord],
    after: &[IntegrationRecord],
) -> Vec<IntegrationChange> {
    let text = |t: Option<&str>| t.map(str::to_string);
    pair(before, after, |i| i.system.to_string())
        .into_iter()
        .filter_map(|(b, a)| {
            let change = IntegrationChange {
                system: a.or(b).map(|i| i.system.to_string()).unwrap_or_default(),
                change: entry_change((b, a)),
                access: Change {
                    from: text(b.and_then(|i| i.access)),
                    to: text(a.and_then(|i| i.access)),
                },
                auth: Change {
                    from: text(b.and_then(|i| i.auth)),
                    to: text(a.and_then(|i| i.auth)),
                },
            };
            let differs = change.change != EntryChange::Changed
                || change.access.changed()
                || change.auth.changed();
            differs.then_some(change)
        })
        .collect()
}

fn dependency_changes(before: &[LinkRecord], after: &[LinkRecord]) -> Vec<DependencyChange> {
    let entry = |d: &LinkRecord, change| DependencyChange {
        kind: d.kind.to_string(),
        id: d.id.to_string(),
        change,
    };
    let mut out: Vec<DependencyChange> = after
        .iter()
        .filter(|d| !before.contains(d))
        .map(|d| entry(d, EntryChange::Added))
        .collect();
    out.extend(
        before
            .iter()
            .filter(|d| !after.contains(d))
            .map(|d| entry(d, EntryChange::Removed)),
    );
    out
}

/// A document's sections in order: the name the kind's config gives them
/// (or the heading as written) and their state; a heading written twice
/// counts as filled if either is.
fn sections_of(config: &Config, e: &Entity) -> Vec<(String, String, SectionState)> {
    let Some(doc) = &e.document else {
        return Vec::new();
    };
    let kind = config.kinds.get(e.kind);
    let mut out: Vec<(String, String, SectionState)> = Vec::new();
    for s in &doc.parsed.sections {
        let name = kind
            .and_then(|k| pilotbook_core::validate::configured_name(k, &s.key))
            .map_or_else(|| s.heading.text.trim().to_string(), str::to_string);
        let key = normalize_heading(&name);
        let state = if kind.map_or(s.empty, |k| pilotbook_core::validate::unanswered(k, s)) {
            SectionState::Empty
        } else {
            SectionState::Filled
        };
        match out.iter_mut().find(|(k, _, _)| *k == key) {
            Some(existing) => {
                if state == SectionState::Filled {
                    existing.2 = state;
                }
            }
            None => out.push((key, name, state)),
        }
    }
    out
}

fn section_changes(bc: &Config, b: &Entity, ac: &Config, a: &Entity) -> Vec<SectionChange> {
    let before = sections_of(bc, b);
    let after = sections_of(ac, a);
    let state_in = |list: &[(String, String, SectionState)], key: &str| {
        list.iter()
            .find(|(k, _, _)| k == key)
            .map_or(SectionState::Missing, |(_, _, s)| *s)
    };
    let mut out = Vec::new();
    let mut consider = |name: &str, from: SectionState, to: SectionState| {
        let had = from == SectionState::Filled;
        let has = to == SectionState::Filled;
        if had != has {
            out.push(SectionChange {
                section: name.to_string(),
                change: if has {
                    EntryChange::Added
                } else {
                    EntryChange::Removed
                },
                from,
                to,
            });
        }
    };
    for (key, name, to) in &after {
        consider(name, state_in(&before, key), *to);
    }
    for (key, name, from) in &before {
        if !after.iter().any(|(k, _, _)| k == key) {
            consider(name, *from, SectionState::Missing);
        }
    }
    out
}

fn document_diff((bc, b): (&Config, &Entity), (ac, a): (&Config, &Entity)) -> DocumentDiff {
    let front_matter = |e: &Entity| -> Vec<(String, Value)> {
        e.document
            .as_ref()
            .and_then(|d| d.parsed.front_matter.as_ref())
            .map(|fm| {
                fm.entries()
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = front_matter(b);
    let after = front_matter(a);
    let get = |list: &[(String, Value)], key: &str| {
        list.iter()
            .find(|(k, _)| k == key)
            .map_or(Value::Null, |(_, v)| v.clone())
    };
    let mut fields = Vec::new();
    if path_of(b) != path_of(a) {
        fields.push(FieldChange {
            field: "path".into(),
            from: Value::String(path_of(b)),
            to: Value::String(path_of(a)),
        });
    }
    let mut keys: Vec<&str> = Vec::new();
    for (k, _) in after.iter().chain(before.iter()) {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    for key in keys {
        let (from, to) = (get(&before, key), get(&after, key));
        if from != to {
            fields.push(FieldChange {
                field: key.to_string(),
                from,
                to,
            });
        }
    }
    DocumentDiff {
        kind: kind_name(ac, a),
        id: a.id.clone(),
        path: path_of(a),
        title: a.title.clone(),
        fields,
        sections: section_changes(bc, b, ac, a),
    }
}

/// Findings are matched by rule, severity, path and message, not by line:
/// an edit above a finding moves it without making it new.
fn findings(base: &Report, head: &Report) -> FindingChanges {
    let key = |d: &Diagnostic| -> (&'static str, &'static str, String, String) {
        (
            d.rule.name(),
            d.severity.as_str(),
            d.path.clone(),
            d.message.clone(),
        )
    };
    let count = |report: &Report| {
        let mut counts: HashMap<(&'static str, &'static str, String, String), usize> =
            HashMap::new();
        for d in &report.diagnostics {
            *counts.entry(key(d)).or_insert(0) += 1;
        }
        counts
    };
    let only_in = |report: &Report, mut other: HashMap<_, usize>| -> Vec<Finding> {
        report
            .diagnostics
            .iter()
            .filter(|d| match other.get_mut(&key(d)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .map(|d| Finding {
                rule: d.rule.name().to_string(),
                severity: d.severity.as_str().to_string(),
                path: d.path.clone(),
                line: d.position.line,
                column: d.position.column,
                message: d.message.clone(),
            })
            .collect()
    };
    FindingChanges {
        new: only_in(head, count(base)),
        fixed: only_in(base, count(head)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilotbook_core::diagnostics::SeverityOverrides;

    const CONFIG: &str =
        "[kinds.pilot]\nsection_aliases = { \"Success metrics\" = [\"Success criteria\"] }\n";

    fn load(docs: &[(&str, &str)]) -> (Config, pilotbook_core::model::Portfolio) {
        let config = Config::parse(CONFIG, Path::new("pilotbook.toml")).expect("config");
        let parsed = docs
            .iter()
            .map(|(path, text)| {
                let kind = pilotbook_core::discover::classify(&config, path).expect("a document");
                (
                    kind,
                    path.to_string(),
                    std::sync::Arc::new(pilotbook_core::parse::parse_document(
                        path,
                        text.as_bytes(),
                    )),
                )
            })
            .collect();
        let (portfolio, _) = pilotbook_core::model::build(&config, parsed);
        (config, portfolio)
    }

    fn compare_docs(before: &[(&str, &str)], after: &[(&str, &str)]) -> PortfolioDiff {
        let (bc, bp) = load(before);
        let (ac, ap) = load(after);
        let report = Report::finish(0, Vec::new(), &SeverityOverrides::new());
        let history = pilotbook_core::history::History::default();
        let today = Date::parse("2026-06-01").expect("a date");
        let (bd, ad) = (
            Derived::of(&bc, &bp, &history, today),
            Derived::of(&ac, &ap, &history, today),
        );
        let side = |rev: &str| RevisionOut {
            rev: rev.into(),
            commit: rev.into(),
        };
        compare(
            Side {
                revision: side("a"),
                derived: &bd,
                report: &report,
            },
            Side {
                revision: side("b"),
                derived: &ad,
                report: &report,
            },
        )
    }

    const PILOT: &str = "---\ntitle: T\nproduction_path:\n  - milestone: Review\n    due: 2026-01-01\n  - milestone: Review\n    due: 2026-02-01\n---\n\n## Success metrics\n\nAccuracy.\n\n## Rollback\n\nFlag off.\n";

    #[test]
    fn an_alias_is_the_same_section() {
        let renamed = PILOT.replace("## Success metrics", "## 1. Success criteria:");
        let diff = compare_docs(&[("pilots/a.md", PILOT)], &[("pilots/a.md", &renamed)]);
        assert!(diff.is_empty(), "{diff:?}");
    }

    #[test]
    fn an_emptied_section_is_dropped_and_a_filled_one_added() {
        let emptied = PILOT.replace("Flag off.", "TODO");
        let diff = compare_docs(&[("pilots/a.md", PILOT)], &[("pilots/a.md", &emptied)]);
        let sections = &diff.pilots.changed[0].sections;
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].section, "Rollback");
        assert_eq!(sections[0].change, EntryChange::Removed);
        assert_eq!(
            (sections[0].from, sections[0].to),
            (SectionState::Filled, SectionState::Empty)
        );
        let back = compare_docs(&[("pilots/a.md", &emptied)], &[("pilots/a.md", PILOT)]);
        assert_eq!(
            back.pilots.changed[0].sections[0].change,
            EntryChange::Added
        );
    }

    #[test]
    fn milestones_with_one_name_pair_in_order() {
        let moved = PILOT.replace("due: 2026-02-01", "due: 2026-02-11");
        let diff = compare_docs(&[("pilots/a.md", PILOT)], &[("pilots/a.md", &moved)]);
        let milestones = &diff.pilots.changed[0].milestones;
        assert_eq!(milestones.len(), 1, "{milestones:?}");
        assert_eq!(milestones[0].moved_days, Some(10));
        assert_eq!(milestones[0].due.from.as_deref(), Some("2026-02-01"));
    }

    #[test]
    fn a_moved_file_keeps_its_id_and_reports_its_path() {
        let diff = compare_docs(&[("pilots/a.md", PILOT)], &[("pilots/team/a.md", PILOT)]);
        assert_eq!(diff.summary.pilots_added + diff.summary.pilots_removed, 0);
        let fields = &diff.pilots.changed[0].fields;
        assert_eq!(fields[0].field, "path");
        assert_eq!(fields[0].to, Value::String("pilots/team/a.md".into()));
    }
}
