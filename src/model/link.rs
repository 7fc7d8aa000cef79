//! Linking: one entity per (kind, id), references resolved both ways.

use super::{Backlink, Entity, EntityRef, Portfolio};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::rules::Rule;
use crate::source::Position;
use std::collections::{BTreeMap, HashMap};

fn sort_key(e: &Entity) -> (usize, &str, &str) {
    (
        e.kind,
        e.id.as_str(),
        e.document.as_ref().map_or("", |d| d.path.as_str()),
    )
}

/// Where a kind's document for `id` would live, for help lines.
fn suggested_path(config: &Config, kind: usize, id: &str) -> String {
    let glob = config.kinds[kind].paths.first().map_or("", String::as_str);
    let dir: Vec<&str> = glob
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[', '{']))
        .collect();
    let dir = dir.join("/");
    if dir.is_empty() {
        format!("{id}.md")
    } else {
        format!("{dir}/{id}.md")
    }
}

/// Link typed entities into a portfolio.
pub fn link(
    config: &Config,
    mut entities: Vec<Entity>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Portfolio {
    entities.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));

    // Duplicate ids: the first path keeps the id, each later one is reported.
    let mut first: HashMap<EntityRef, usize> = HashMap::with_capacity(entities.len());
    for (i, e) in entities.iter().enumerate() {
        if let Some(&j) = first.get(&e.as_ref()) {
            let (Some(doc), Some(other)) = (&e.document, &entities[j].document) else {
                continue;
            };
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
        } else {
            first.insert(e.as_ref(), i);
        }
    }

    // Undefined references: one generated entity per missing target.
    let mut generated: BTreeMap<EntityRef, ()> = BTreeMap::new();
    for e in &entities {
        let Some(doc) = &e.document else { continue };
        for r in &e.references {
            if first.contains_key(&r.target) {
                continue;
            }
            generated.insert(r.target.clone(), ());
            let kind = &config.kinds[r.target.kind].name;
            diagnostics.push(
                Diagnostic::new(
                    Rule::UndefinedReference,
                    &doc.path,
                    r.position,
                    format!("{kind} `{}` has no document", r.target.id),
                )
                .width(r.target.id.chars().count())
                .field(r.relation.field_name())
                .help(format!(
                    "add {} or correct the id; until then its page is generated",
                    suggested_path(config, r.target.kind, &r.target.id)
                )),
            );
        }
    }
    if !generated.is_empty() {
        for target in generated.into_keys() {
            entities.push(Entity {
                kind: target.kind,
                title: target.id.clone(),
                id: target.id,
                document: None,
                pilot: None,
                references: Vec::new(),
                referenced_by: Vec::new(),
                dependents: Vec::new(),
            });
        }
        entities.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    }

    let mut index: HashMap<EntityRef, usize> = HashMap::with_capacity(entities.len());
    for (i, e) in entities.iter().enumerate() {
        index.entry(e.as_ref()).or_insert(i);
    }

    // Backlinks and dependents.
    let mut incoming: Vec<(usize, Backlink)> = Vec::new();
    for e in &entities {
        for r in &e.references {
            if let Some(&t) = index.get(&r.target) {
                incoming.push((
                    t,
                    Backlink {
                        source: e.as_ref(),
                        relation: r.relation.clone(),
                    },
                ));
            }
        }
    }
    for (t, backlink) in incoming {
        let target = &mut entities[t];
        if backlink.relation.is_dependency() {
            target.dependents.push(backlink.source.clone());
        }
        target.referenced_by.push(backlink);
    }
    for e in &mut entities {
        e.referenced_by.sort();
        e.referenced_by.dedup();
        e.dependents.sort();
        e.dependents.dedup();
    }

    Portfolio { entities, index }
}
