//! The linked model as JSON: `pilotbook export` and the site's `pilots.json`.
//!
//! This is the serialization layer between the model and everything that
//! reads it from outside: plain structs made for output, built from the
//! model (a pilot's fields are its derived [`PilotRecord`], the record
//! its page carries too), with every list sorted so two exports of one repository are
//! byte-identical. A document's `history` is `null` when history is
//! unavailable; the top-level `history` object says why.
//!
//! The export is a versioned contract (`docs/schema/export-v<N>.schema.json`):
//! other repositories' portfolios read it back ([`crate::import`]), so a
//! change to its shape raises [`VERSION`] and publishes a new schema.

use crate::derive::{Derived, LinkRecord, PilotRecord};
use crate::history::{CommitInfo, DocumentHistory, TargetChange};
use crate::model::Relation;
use serde::Serialize;
use serde_json::Value;

/// The export's format version. Version 2 added the top-level `root` and
/// `sources`, and each entity's `source`.
pub const VERSION: u32 = 2;

#[derive(Serialize)]
struct BacklinkOut<'a> {
    kind: &'a str,
    id: &'a str,
    field: &'a str,
}

#[derive(Serialize)]
struct SectionOut<'a> {
    title: &'a str,
    line: u32,
    empty: bool,
}

#[derive(Serialize)]
struct EntityOut<'a> {
    id: &'a str,
    kind: &'a str,
    /// Root-relative for this repository's own documents; inside the
    /// source's repository for a source's.
    path: Option<&'a str>,
    /// The `[[sources]]` entry the document came from; `None` for this
    /// repository's own.
    source: Option<&'a str>,
    defined: bool,
    title: &'a str,
    front_matter: Value,
    sections: Vec<SectionOut<'a>>,
    /// The pilot's record, shared with the site's pilot page.
    #[serde(flatten)]
    pilot: Option<&'a PilotRecord<'a>>,
    dependents: Vec<LinkRecord<'a>>,
    referenced_by: Vec<BacklinkOut<'a>>,
    history: Option<HistoryOut<'a>>,
}

#[derive(Serialize)]
struct CommitOut<'a> {
    id: &'a str,
    date: String,
    author: &'a str,
    email: &'a str,
    summary: &'a str,
}

impl<'a> From<&'a CommitInfo> for CommitOut<'a> {
    fn from(c: &'a CommitInfo) -> Self {
        CommitOut {
            id: &c.id,
            date: c.date.rfc3339(),
            author: &c.author,
            email: &c.email,
            summary: &c.summary,
        }
    }
}

#[derive(Serialize)]
struct AuthorOut<'a> {
    name: &'a str,
    email: &'a str,
    commits: usize,
}

/// Who introduced a fact, when, and where it reached the main line.
#[derive(Serialize)]
struct OriginOut<'a> {
    date: String,
    commit: &'a str,
    author: &'a str,
    reached_main: MainLineOut<'a>,
}

#[derive(Serialize)]
struct MainLineOut<'a> {
    commit: &'a str,
    date: String,
}

fn origin<'a>(commit: &'a CommitInfo, main: &'a CommitInfo) -> OriginOut<'a> {
    OriginOut {
        date: commit.date.rfc3339(),
        commit: &commit.id,
        author: &commit.author,
        reached_main: MainLineOut {
            commit: &main.id,
            date: main.date.rfc3339(),
        },
    }
}

#[derive(Serialize)]
struct StatusChangeOut<'a> {
    from: Option<&'a str>,
    to: &'a str,
    #[serde(flatten)]
    origin: OriginOut<'a>,
}

#[derive(Serialize)]
struct TargetChangeOut<'a> {
    metric: &'a str,
    from: Option<&'a str>,
    to: Option<&'a str>,
    #[serde(flatten)]
    origin: OriginOut<'a>,
}

#[derive(Serialize)]
struct MilestoneChangeOut<'a> {
    milestone: &'a str,
    from: Option<String>,
    to: Option<String>,
    #[serde(flatten)]
    origin: OriginOut<'a>,
}

#[derive(Serialize)]
struct SlipOut<'a> {
    milestone: &'a str,
    from: String,
    to: String,
    days: i64,
    #[serde(flatten)]
    origin: OriginOut<'a>,
}

#[derive(Serialize)]
struct FieldChangeOut<'a> {
    from: Option<&'a str>,
    to: Option<&'a str>,
    #[serde(flatten)]
    origin: OriginOut<'a>,
}

#[derive(Serialize)]
struct HistoryOut<'a> {
    state: &'a str,
    created: Option<String>,
    updated: Option<String>,
    authors: Vec<AuthorOut<'a>>,
    commits: Vec<CommitOut<'a>>,
    renamed_from: &'a [String],
    status_changes: Vec<StatusChangeOut<'a>>,
    target_changes: Vec<TargetChangeOut<'a>>,
    /// Each metric's `actual` over time (version 2).
    actual_changes: Vec<TargetChangeOut<'a>>,
    milestone_changes: Vec<MilestoneChangeOut<'a>>,
    milestone_slips: Vec<SlipOut<'a>>,
    owner_changes: Vec<FieldChangeOut<'a>>,
    started_changes: Vec<FieldChangeOut<'a>>,
}

fn target_change_out(c: &TargetChange) -> TargetChangeOut<'_> {
    TargetChangeOut {
        metric: &c.metric,
        from: c.from.as_deref(),
        to: c.to.as_deref(),
        origin: origin(&c.commit, &c.reached_main),
    }
}

fn history_out(h: &DocumentHistory) -> HistoryOut<'_> {
    HistoryOut {
        state: h.state.as_str(),
        created: h.created().map(|t| t.rfc3339()),
        updated: h.updated().map(|t| t.rfc3339()),
        authors: h
            .authors
            .iter()
            .map(|a| AuthorOut {
                name: &a.name,
                email: &a.email,
                commits: a.commits,
            })
            .collect(),
        commits: h.commits.iter().map(|c| CommitOut::from(&**c)).collect(),
        renamed_from: &h.renamed_from,
        status_changes: h
            .status_changes
            .iter()
            .map(|c| StatusChangeOut {
                from: c.from.as_deref(),
                to: &c.to,
                origin: origin(&c.commit, &c.reached_main),
            })
            .collect(),
        target_changes: h.target_changes.iter().map(target_change_out).collect(),
        actual_changes: h.actual_changes.iter().map(target_change_out).collect(),
        milestone_changes: h
            .milestone_changes
            .iter()
            .map(|c| MilestoneChangeOut {
                milestone: &c.milestone,
                from: c.from.map(|d| d.to_string()),
                to: c.to.map(|d| d.to_string()),
                origin: origin(&c.commit, &c.reached_main),
            })
            .collect(),
        milestone_slips: h
            .milestone_slips
            .iter()
            .map(|s| SlipOut {
                milestone: &s.milestone,
                from: s.from.to_string(),
                to: s.to.to_string(),
                days: s.days(),
                origin: origin(&s.commit, &s.reached_main),
            })
            .collect(),
        owner_changes: field_changes(&h.owner_changes),
        started_changes: field_changes(&h.started_changes),
    }
}

/// A document's history as the export writes it (its `history` object):
/// what [`crate::import`] reads back, and what its round trip compares.
pub fn history_json(h: &DocumentHistory) -> Value {
    // Plain structs of text and numbers: serializing them cannot fail.
    serde_json::to_value(history_out(h)).unwrap_or(Value::Null)
}

fn field_changes(changes: &[crate::history::FieldChange]) -> Vec<FieldChangeOut<'_>> {
    changes
        .iter()
        .map(|c| FieldChangeOut {
            from: c.from.as_deref(),
            to: c.to.as_deref(),
            origin: origin(&c.commit, &c.reached_main),
        })
        .collect()
}

#[derive(Serialize)]
struct HistoryStateOut<'a> {
    available: bool,
    head: Option<&'a str>,
    reason: Option<String>,
}

/// One `[[sources]]` entry's state, as [`crate::history::SourceState`].
#[derive(Serialize)]
struct SourceOut<'a> {
    name: &'a str,
    kind: crate::history::SourceKind,
    repository: Option<&'a str>,
    root: &'a str,
    head: Option<&'a str>,
    available: bool,
    reason: Option<&'a str>,
    export_version: Option<u32>,
}

impl<'a> From<&'a crate::history::SourceState> for SourceOut<'a> {
    fn from(s: &'a crate::history::SourceState) -> Self {
        SourceOut {
            name: &s.name,
            kind: s.kind,
            repository: s.repository.as_deref(),
            root: &s.root_prefix,
            head: s.head.as_deref(),
            available: s.unavailable.is_none(),
            reason: s.unavailable.as_deref(),
            export_version: s.export_version,
        }
    }
}

fn entity_out<'a>(derived: &'a Derived<'a>, index: usize) -> EntityOut<'a> {
    let (config, portfolio) = (derived.config(), derived.portfolio());
    let e = &portfolio.entities[index];
    let kind = |k: usize| config.kinds[k].name.as_str();
    let path = e.document.as_ref().map(|d| d.path.as_str());
    // A source's document is known by its qualified path (`name:path`);
    // the export says the two halves apart, so `path` never has the prefix.
    let sourced = path.and_then(|p| config.source_of(p));
    EntityOut {
        id: &e.id,
        kind: kind(e.kind),
        path: sourced.map(|(_, inner)| inner).or(path),
        source: sourced.map(|(s, _)| s.name.as_str()),
        defined: e.defined(),
        title: &e.title,
        front_matter: e
            .document
            .as_ref()
            .and_then(|d| d.parsed.front_matter.as_ref())
            .map_or(Value::Null, |fm| {
                typed_front_matter(&config.kinds[e.kind], fm)
            }),
        sections: e
            .document
            .iter()
            .flat_map(|d| &d.parsed.sections)
            .map(|s| SectionOut {
                title: &s.heading.text,
                line: s.heading.position.line,
                empty: crate::validate::unanswered(&config.kinds[e.kind], s),
            })
            .collect(),
        pilot: derived.record(index),
        dependents: e
            .dependents
            .iter()
            .map(|&d| LinkRecord {
                kind: kind(portfolio.entities[d].kind),
                id: &portfolio.entities[d].id,
            })
            .collect(),
        referenced_by: e
            .referenced_by
            .iter()
            .map(|b| BacklinkOut {
                kind: kind(portfolio.entities[b.source].kind),
                id: &portfolio.entities[b.source].id,
                field: Relation::field_name(&b.relation),
            })
            .collect(),
        history: e
            .document
            .as_ref()
            .and_then(|d| derived.history().documents.get(&d.path))
            .map(history_out),
    }
}

/// The whole model as JSON:
/// `{"version":2,"history":{…},"root":"…","sources":[…],"pilots":[…],"people":[…],"metrics":[…],"systems":[…],<custom kind>:[…]}`,
/// with each pilot's record as derived.
pub fn export<'a>(derived: &'a Derived<'a>) -> Export<'a> {
    Export { derived }
}

/// The export, serialized straight from the model (no intermediate JSON
/// tree: at 10,000 pilots that tree costs more than the text).
pub struct Export<'a> {
    derived: &'a Derived<'a>,
}

impl Serialize for Export<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (config, history) = (self.derived.config(), self.derived.history());
        let mut map = serializer.serialize_map(Some(4 + config.kinds.len()))?;
        map.serialize_entry("version", &VERSION)?;
        map.serialize_entry(
            "history",
            &HistoryStateOut {
                available: history.unavailable.is_none(),
                head: history.head.as_deref(),
                reason: history.unavailable.as_ref().map(|u| u.explain()),
            },
        )?;
        map.serialize_entry("root", &history.root_prefix)?;
        let sources: Vec<SourceOut> = history.sources.iter().map(SourceOut::from).collect();
        map.serialize_entry("sources", &sources)?;
        for (k, kind) in config.kinds.iter().enumerate() {
            map.serialize_entry(kind.plural(), &Entities(self.derived, k))?;
        }
        map.end()
    }
}

/// One kind's entities, as a JSON list.
struct Entities<'a>(&'a Derived<'a>, usize);

impl Serialize for Entities<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Entities(derived, k) = *self;
        let range = derived.portfolio().kind_range(k);
        serializer.collect_seq(range.map(|i| entity_out(derived, i)))
    }
}

/// The front matter as JSON, with every field the kind types as text
/// (`string`, `date`, `enum`, `ref`) written as the text it is in the file:
/// `version: 1.10` stays `"1.10"`, not the number 1.1.
fn typed_front_matter(kind: &crate::config::KindConfig, fm: &crate::parse::Node) -> Value {
    let mut json = fm.to_json();
    if let (Value::Object(map), crate::parse::Value::Map(entries)) = (&mut json, &fm.value) {
        for (key, node) in entries {
            let Some(slot) = map.get_mut(&key.name).filter(|slot| !slot.is_null()) else {
                continue;
            };
            if let Some(typed) = kind
                .fields
                .get(&key.name)
                .and_then(|ty| typed_value(kind, ty, node))
            {
                *slot = typed;
            }
        }
    }
    json
}

/// A field's value as its type reads it, where that differs from YAML's
/// reading: text stays text (`version: 1.10`), a date in one of the kind's
/// formats is `YYYY-MM-DD`, comma-separated text in a list field is a
/// list, and a zero-padded `number` is the integer.
fn typed_value(
    kind: &crate::config::KindConfig,
    ty: &crate::config::FieldType,
    node: &crate::parse::Node,
) -> Option<Value> {
    use crate::config::FieldType;
    let text = node.as_text()?;
    match ty {
        FieldType::Date => Some(Value::String(
            crate::model::Date::parse_any(text, &kind.date_formats)
                .map_or_else(|_| text.to_string(), |d| d.to_string()),
        )),
        FieldType::String | FieldType::Enum(_) | FieldType::Ref(_) if !text.contains(',') => {
            Some(Value::String(text.to_string()))
        }
        FieldType::List | FieldType::Ref(_) => Some(Value::Array(
            crate::model::fields::list_items(node)
                .iter()
                .filter_map(|item| item.as_text().map(|t| Value::String(t.to_string())))
                .collect(),
        )),
        FieldType::String | FieldType::Enum(_) => Some(Value::String(text.to_string())),
        FieldType::Number => crate::model::fields::zero_padded(node).map(Value::from),
        FieldType::Bool => None,
    }
}
