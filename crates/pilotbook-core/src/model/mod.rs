//! The linked portfolio: every document as an entity with an id, its typed
//! fields, and its references resolved in both directions.
//!
//! Building the model types each document's front matter against its kind
//! (reporting `invalid-field` where a value has the wrong shape), derives
//! ids, and links: every reference (a pilot's owner, metrics, integrations
//! and dependencies, a system's owner, a custom kind's `ref` fields) points
//! at an entity, and every entity knows who refers to it and who depends on
//! it. A reference to an id without a document creates a generated entity
//! (`defined: false`) and an `undefined-reference` finding, so a team can
//! start with pilots only. The model does no I/O: it is handed parsed
//! documents and returns entities and diagnostics.

mod accept;
pub mod date;
pub(crate) mod fields;
mod id;
mod link;
pub mod pilot;
pub mod placeholder;

pub use date::Date;
pub use id::{derive_id, is_valid_id, slugify, split_qualified};
pub use pilot::{Dependency, Integration, MetricUse, Milestone, Pilot};

use crate::config::{Builtin, Config};
use crate::diagnostics::Diagnostic;
use crate::parse::{Node, ParsedDocument};
use crate::rules::Rule;
use crate::source::Position;

/// A document of the repository.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the root, with `/`.
    pub path: String,
    /// What parsing found.
    /// Shared: `serve` keeps unchanged documents across rebuilds.
    pub parsed: std::sync::Arc<ParsedDocument>,
    /// Where an explicit `id:` was given.
    pub id_position: Option<Position>,
}

impl Document {
    /// The file a front-matter field is written in: the document, or the
    /// sidecar metadata file its kind reads it from.
    pub fn field_path(&self, field: &str) -> &str {
        let borrowed = self.parsed.borrowed.iter().flat_map(|b| &b.keys);
        borrowed
            .into_iter()
            .find(|(key, _)| key == field)
            .map_or(&self.path, |(_, file)| file)
    }
}

impl Document {
    /// The front matter's value under `key`.
    pub fn field(&self, key: &str) -> Option<&Node> {
        self.parsed.front_matter.as_ref()?.get(key)
    }

    /// Where the front matter starts (line 1) — where file-level findings point.
    pub fn start(&self) -> Position {
        Position::START
    }
}

/// A finding a document answers in its own front matter
/// (`pilotbook: { accept: [{ rule, commit, reason }] }`): it stays in every
/// report, marked accepted with the reason, and no longer fails the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// The rule whose findings in this document are accepted.
    pub rule: Rule,
    /// For a finding about a commit (history findings): that commit, full
    /// or abbreviated. A later commit's finding fires again.
    pub commit: Option<String>,
    /// Why, as written; never empty.
    pub reason: String,
    /// Where the entry is written.
    pub position: Position,
}

/// An entity by kind and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityRef {
    /// Index of the kind in `Config::kinds`.
    pub kind: usize,
    /// The id.
    pub id: String,
}

/// Why one entity refers to another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// A pilot's or system's `owner`.
    Owner,
    /// A pilot's `metrics[].metric`.
    Metric,
    /// A pilot's `integrations[].system`.
    Integration,
    /// A pilot's `depends_on[]`.
    DependsOn,
    /// A typed `ref` field of any kind, by field name.
    Field(String),
}

impl Relation {
    /// The front-matter field the relation comes from.
    pub fn field_name(&self) -> &str {
        match self {
            Relation::Owner => "owner",
            Relation::Metric => "metrics",
            Relation::Integration => "integrations",
            Relation::DependsOn => "depends_on",
            Relation::Field(name) => name,
        }
    }

    /// Whether the referring entity depends on the target (dependents list).
    pub fn is_dependency(&self) -> bool {
        matches!(self, Relation::DependsOn | Relation::Integration)
    }
}

/// An outgoing reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// What is referred to.
    pub target: EntityRef,
    /// Why.
    pub relation: Relation,
    /// Where the reference is written.
    pub position: Position,
}

/// An incoming reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backlink {
    /// Who refers: an index into [`Portfolio::entities`].
    pub source: usize,
    /// Why.
    pub relation: Relation,
}

/// A document, or a generated stand-in for an id that has none.
#[derive(Debug, Clone)]
pub struct Entity {
    /// Index of the kind in `Config::kinds`.
    pub kind: usize,
    /// The id, unique within the kind (except where `duplicate-id` fired).
    pub id: String,
    /// The document; `None` for a generated entity.
    pub document: Option<Document>,
    /// The display title: `title`, a person's `name`, the H1, or the id.
    pub title: String,
    /// The typed pilot fields, for pilots.
    pub pilot: Option<Pilot>,
    /// Outgoing references.
    pub references: Vec<Reference>,
    /// Incoming references, sorted.
    pub referenced_by: Vec<Backlink>,
    /// Entities that depend on or integrate with this one: indices into
    /// [`Portfolio::entities`], sorted (so by kind and id).
    pub dependents: Vec<usize>,
    /// The findings the document accepts.
    pub accepts: Vec<Acceptance>,
    /// A document whose id an earlier document of its kind (by path) has
    /// (`duplicate-id`): its page lives at its path, not its id
    /// ([`crate::pages::page_path`]), so no document loses its page.
    pub duplicate: bool,
}

impl Entity {
    /// Whether this entity has a document of its own.
    pub fn defined(&self) -> bool {
        self.document.is_some()
    }

    /// This entity as a reference.
    pub fn as_ref(&self) -> EntityRef {
        EntityRef {
            kind: self.kind,
            id: self.id.clone(),
        }
    }
}

/// The linked portfolio: an arena of entities sorted by kind, id and path,
/// so that an entity is found by binary search and referred to by index.
#[derive(Debug, Clone, Default)]
pub struct Portfolio {
    /// Every entity, sorted by kind, id and path.
    pub entities: Vec<Entity>,
}

impl Portfolio {
    /// The entity a reference points at (the first, where an id is duplicated).
    pub fn get(&self, r: &EntityRef) -> Option<&Entity> {
        self.position(r).map(|i| &self.entities[i])
    }

    /// Index of the entity a reference points at.
    pub fn position(&self, r: &EntityRef) -> Option<usize> {
        link::find(&self.entities, r.kind, &r.id)
    }

    /// The entities of one kind, in id order.
    pub fn of_kind(&self, kind: usize) -> &[Entity] {
        &self.entities[self.kind_range(kind)]
    }

    /// The entity indexes of one kind (entities are sorted by kind).
    pub fn kind_range(&self, kind: usize) -> std::ops::Range<usize> {
        let start = self.entities.partition_point(|e| e.kind < kind);
        let end = self.entities.partition_point(|e| e.kind <= kind);
        start..end
    }

    /// Every pilot entity with its typed fields.
    pub fn pilots(&self) -> impl Iterator<Item = (&Entity, &Pilot)> {
        self.entities
            .iter()
            .filter_map(|e| e.pilot.as_ref().map(|p| (e, p)))
    }
}

/// Build the linked portfolio from parsed documents (`(kind index, path,
/// parsed)`, sorted by path). Returns the model and what typing and linking
/// found.
pub fn build(
    config: &Config,
    documents: Vec<(usize, String, std::sync::Arc<ParsedDocument>)>,
) -> (Portfolio, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let typed: Vec<(Entity, Vec<Diagnostic>)> = documents
        .into_par_iter()
        .map(|(kind, path, parsed)| fields::type_document(config, kind, path, parsed))
        .collect();
    let mut diagnostics = Vec::new();
    let mut entities = Vec::with_capacity(typed.len());
    for (entity, found) in typed {
        entities.push(entity);
        diagnostics.extend(found);
    }
    let portfolio = link::link(config, entities, &mut diagnostics);
    (portfolio, diagnostics)
}

/// Whether a kind index is the given built-in kind.
pub fn is_builtin(config: &Config, kind: usize, builtin: Builtin) -> bool {
    config.kinds.get(kind).and_then(|k| k.builtin) == Some(builtin)
}
