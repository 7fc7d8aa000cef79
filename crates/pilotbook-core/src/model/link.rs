//! Linking: one entity per (kind, id), references resolved both ways.
//!
//! Entities are sorted by kind, id and path once; from then on an entity is
//! found by binary search and referred to by its index, so linking a large
//! portfolio hashes nothing and copies no ids.

use super::{Backlink, Entity, EntityRef, Portfolio, split_qualified};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::rules::Rule;
use crate::source::Position;
use rayon::prelude::*;
use std::collections::BTreeSet;

/// By kind and id; among documents with one id, this repository's own
/// before those of sources (an unqualified reference from here means its
/// own), then by path.
fn sort_key(e: &Entity) -> (usize, &str, bool, &str) {
    (
        e.kind,
        e.id.as_str(),
        source_of(e).is_some(),
        e.document.as_ref().map_or("", |d| d.path.as_str()),
    )
}

/// Sort entities by kind, id and path, moving each entity once.
fn sort(entities: Vec<Entity>) -> Vec<Entity> {
    let mut order: Vec<usize> = (0..entities.len()).collect();
    order.sort_unstable_by(|&a, &b| sort_key(&entities[a]).cmp(&sort_key(&entities[b])));
    let mut slots: Vec<Option<Entity>> = entities.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The index of the first entity of `kind` with `id`, in entities sorted by
/// [`sort_key`]; for a qualified id (`payments:invoice-matching`), the
/// first whose document comes from that source.
pub(super) fn find(entities: &[Entity], kind: usize, id: &str) -> Option<usize> {
    let (source, id) = split_qualified(id);
    let i = entities.partition_point(|e| (e.kind, e.id.as_str()) < (kind, id));
    let mut run = entities[i..]
        .iter()
        .take_while(|e| e.kind == kind && e.id == id);
    match source {
        None => run.take(1).next().map(|_| i),
        Some(name) => run
            .position(|e| source_of(e) == Some(name))
            .map(|at| i + at),
    }
}

/// The source an entity's document comes from (`None` for this
/// repository's own, and for generated entities).
fn source_of(e: &Entity) -> Option<&str> {
    e.document.as_ref().and_then(|d| split_qualified(&d.path).0)
}

/// Where a kind's document for `id` would live, for help lines.
fn suggested_path(config: &Config, kind: usize, id: &str) -> String {
    let glob = config.kinds[kind].paths.first().map_or("", String::as_str);
    let dir = crate::discover::literal_prefix(glob);
    if dir.is_empty() {
        format!("{id}.md")
    } else {
        format!("{dir}/{id}.md")
    }
}

/// Link typed entities into a portfolio.
pub fn link(
    config: &Config,
    entities: Vec<Entity>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Portfolio {
    let mut entities = sort(entities);
    report_duplicates(config, &entities, diagnostics);
    scope_references(config, &mut entities, diagnostics);
    mark_duplicates(&mut entities);
    let generated = undefined_targets(config, &entities, diagnostics);
    if !generated.is_empty() {
        entities.extend(generated.into_iter().map(|target| Entity {
            kind: target.kind,
            title: target.id.clone(),
            id: target.id,
            document: None,
            pilot: None,
            references: Vec::new(),
            referenced_by: Vec::new(),
            dependents: Vec::new(),
            accepts: Vec::new(),
            duplicate: false,
        }));
        entities = sort(entities);
    }
    add_backlinks(&mut entities);
    Portfolio { entities }
}

/// Mark each document after the first (by path) with its kind and id.
fn mark_duplicates(entities: &mut [Entity]) {
    for i in 1..entities.len() {
        let (before, rest) = entities.split_at_mut(i);
        let (first, e) = (&before[i - 1], &mut rest[0]);
        e.duplicate = first.kind == e.kind
            && first.id == e.id
            && first.document.is_some()
            && e.document.is_some();
    }
}

/// Duplicate ids in sorted entities: the first path keeps the id, each
/// later one is reported.
fn report_duplicates(config: &Config, entities: &[Entity], diagnostics: &mut Vec<Diagnostic>) {
    for pair in entities.windows(2) {
        let (first, e) = (&pair[0], &pair[1]);
        if first.kind != e.kind || first.id != e.id {
            continue;
        }
        let (Some(doc), Some(other)) = (&e.document, &first.document) else {
            continue;
        };
        // Two sources may each have the id; a reference says which it
        // means ([`scope_references`]).
        if source_of(first) != source_of(e) {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Rule::DuplicateId,
                &doc.path,
                doc.id_position.unwrap_or(Position::START),
                format!(
                    "{} id `{}` is already used by {}",
                    config.kinds[e.kind].name, e.id, other.path
                ),
            )
            .field("id")
            .help("give one of the documents another `id:` or file name"),
        );
    }
}

/// Unqualified references to an id that documents of more than one
/// source (this repository counts as one) define. A reference means the
/// one of its own source when there is one: a source's reference is
/// rewritten to name it (`payments:onboarding`), and this repository's
/// own sorts first. Otherwise it is ambiguous: `duplicate-id` where it is
/// written, naming every source, so the author qualifies it; it resolves
/// to the first meanwhile.
fn scope_references(config: &Config, entities: &mut [Entity], diagnostics: &mut Vec<Diagnostic>) {
    let mut rewrites: Vec<(usize, usize, String)> = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        let Some(doc) = &e.document else { continue };
        for (j, r) in e.references.iter().enumerate() {
            let defined = defined_in_sources(entities, r);
            if defined.len() < 2 {
                continue;
            }
            let own = source_of(e);
            if defined.iter().any(|t| source_of(t) == own) {
                if let Some(name) = own {
                    rewrites.push((i, j, format!("{name}:{}", r.target.id)));
                }
                continue;
            }
            diagnostics.push(ambiguous(config, &doc.path, r, &defined));
        }
    }
    for (i, j, qualified) in rewrites {
        entities[i].references[j].target.id = qualified;
    }
}

/// The documents an unqualified reference could mean, one per source,
/// when more than one source defines its id.
fn defined_in_sources<'e>(entities: &'e [Entity], r: &super::Reference) -> Vec<&'e Entity> {
    if split_qualified(&r.target.id).0.is_some() {
        return Vec::new();
    }
    let Some(i) = find(entities, r.target.kind, &r.target.id) else {
        return Vec::new();
    };
    // Almost every id has one entity: no list to make.
    let same = |t: &Entity| t.kind == r.target.kind && t.id == r.target.id;
    if !entities.get(i + 1).is_some_and(same) {
        return Vec::new();
    }
    let mut defined: Vec<&Entity> = entities[i..]
        .iter()
        .take_while(|t| same(t))
        .filter(|t| t.defined())
        .collect();
    defined.dedup_by(|a, b| source_of(a) == source_of(b));
    defined
}

/// `duplicate-id` at an ambiguous reference.
fn ambiguous(config: &Config, path: &str, r: &super::Reference, defined: &[&Entity]) -> Diagnostic {
    let kind = &config.kinds[r.target.kind].name;
    let named: Vec<String> = defined
        .iter()
        .filter_map(|t| t.document.as_ref())
        .map(|d| match split_qualified(&d.path) {
            (Some(source), path) => format!("source `{source}` ({path})"),
            (None, path) => format!("this repository ({path})"),
        })
        .collect();
    let example = defined
        .iter()
        .find_map(|t| source_of(t))
        .unwrap_or("source");
    Diagnostic::new(
        Rule::DuplicateId,
        path,
        r.position,
        format!(
            "{kind} id `{}` is defined in more than one source: {}",
            r.target.id,
            named.join(" and ")
        ),
    )
    .width(r.target.id.chars().count())
    .field(r.relation.field_name())
    .item(r.target.id.as_str())
    .help(format!(
        "say which one you mean: `{example}:{}`",
        r.target.id
    ))
}

/// Undefined references, each reported where it is written; the targets
/// they name, to be generated once each.
fn undefined_targets(
    config: &Config,
    entities: &[Entity],
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeSet<EntityRef> {
    let missing: Vec<(usize, usize)> = entities
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, e)| {
            e.references
                .iter()
                .enumerate()
                .filter(|(_, r)| find(entities, r.target.kind, &r.target.id).is_none())
                .map(move |(j, _)| (i, j))
        })
        .collect();
    let mut generated: BTreeSet<EntityRef> = BTreeSet::new();
    for (i, j) in missing {
        let e = &entities[i];
        let r = &e.references[j];
        let Some(doc) = &e.document else { continue };
        generated.insert(r.target.clone());
        let kind = &config.kinds[r.target.kind].name;
        let help = match split_qualified(&r.target.id) {
            (Some(source), id) => format!(
                "source `{source}` has no {kind} `{id}`: correct the source or the id; until then its page is generated"
            ),
            (None, id) => format!(
                "add {} or correct the id; until then its page is generated",
                suggested_path(config, r.target.kind, id)
            ),
        };
        diagnostics.push(
            Diagnostic::new(
                Rule::UndefinedReference,
                &doc.path,
                r.position,
                format!("{kind} `{}` has no document", r.target.id),
            )
            .width(r.target.id.chars().count())
            .field(r.relation.field_name())
            .item(r.target.id.as_str())
            .help(help),
        );
    }
    generated
}

/// Backlinks and dependents, by index, sorted; the lookups run in
/// parallel.
fn add_backlinks(entities: &mut [Entity]) {
    let all = &*entities;
    let incoming: Vec<(usize, Backlink)> = all
        .par_iter()
        .enumerate()
        .flat_map_iter(|(source, e)| {
            e.references.iter().filter_map(move |r| {
                let t = find(all, r.target.kind, &r.target.id)?;
                Some((
                    t,
                    Backlink {
                        source,
                        relation: r.relation.clone(),
                    },
                ))
            })
        })
        .collect();
    for (t, backlink) in incoming {
        let target = &mut entities[t];
        if backlink.relation.is_dependency() {
            target.dependents.push(backlink.source);
        }
        target.referenced_by.push(backlink);
    }
    for e in entities.iter_mut() {
        e.referenced_by.sort();
        e.referenced_by.dedup();
        e.dependents.sort_unstable();
        e.dependents.dedup();
    }
}
