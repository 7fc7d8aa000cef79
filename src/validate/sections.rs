//! `missing-section` and `missing-recommended-section`: the kind's sections
//! are present as H2 headings, under their name or an alias, and say something.

use crate::config::{Config, KindConfig};
use crate::diagnostics::Diagnostic;
use crate::model::{Entity, Portfolio};
use crate::parse::normalize_heading;
use crate::rules::Rule;
use crate::source::Position;
use rayon::prelude::*;

/// What one of the built-in sections is for, in a phrase; `None` for a
/// section pilotbook does not know (a custom kind's). `pilotbook new` writes
/// it as each section's hint.
pub fn section_purpose(section: &str) -> Option<&'static str> {
    Some(match normalize_heading(section).as_str() {
        "success metrics" => {
            "the numeric targets agreed before the pilot starts, and how they are measured"
        }
        "integrations" => "the real systems the pilot reads and writes, and how",
        "ownership" => "the one accountable owner and who else is involved",
        "production path" => "the steps from pilot to production, with dates",
        "monitoring" => "what is watched in production and who is alerted",
        "rollback" => "how the pilot is switched off and what it falls back to",
        "human review" => "where people check or correct the pilot's output",
        "escalation" => "who is called when the pilot misbehaves, and how fast",
        "expansion criteria" => "what must hold before the scope grows",
        _ => return None,
    })
}

fn purpose(section: &str) -> &'static str {
    section_purpose(section).unwrap_or("what this section is for")
}

/// One section a kind asks for, with the normalised headings that count.
struct Wanted<'c> {
    name: &'c str,
    rule: Rule,
    keys: Vec<String>,
}

fn wanted(kind: &KindConfig) -> Vec<Wanted<'_>> {
    let required = kind
        .required_sections
        .iter()
        .map(|n| (n, Rule::MissingSection));
    let recommended = kind
        .recommended_sections
        .iter()
        .map(|n| (n, Rule::MissingRecommendedSection));
    required
        .chain(recommended)
        .map(|(name, rule)| {
            let mut keys = vec![normalize_heading(name)];
            if let Some(aliases) = kind.section_aliases.get(name) {
                keys.extend(aliases.iter().map(|a| normalize_heading(a)));
            }
            Wanted { name, rule, keys }
        })
        .collect()
}

/// The name the kind's config gives a heading's normalised key (its own
/// name, or the section it is an alias of), if the kind asks for it.
pub fn configured_name<'k>(kind: &'k KindConfig, key: &str) -> Option<&'k str> {
    wanted(kind)
        .into_iter()
        .find(|w| w.keys.iter().any(|k| k == key))
        .map(|w| w.name)
}

/// For each section the kind requires or recommends: its name, whether it
/// is required, and whether the document has it with content. The site's
/// readiness column reads this, so it agrees with the rules.
pub fn section_status(kind: &KindConfig, entity: &Entity) -> Vec<(String, bool, bool)> {
    let Some(doc) = &entity.document else {
        return Vec::new();
    };
    wanted(kind)
        .into_iter()
        .map(|w| {
            let present = doc
                .parsed
                .sections
                .iter()
                .any(|s| w.keys.contains(&s.key) && !s.empty);
            (w.name.to_string(), w.rule == Rule::MissingSection, present)
        })
        .collect()
}

/// Check every document's required and recommended sections.
pub fn sections(config: &Config, portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    // Normalise each kind's section names once, not once per document.
    let per_kind: Vec<Vec<Wanted>> = config.kinds.iter().map(wanted).collect();
    let found: Vec<Diagnostic> = portfolio
        .entities
        .par_iter()
        .flat_map_iter(|entity| {
            let kind = &config.kinds[entity.kind];
            let mut found = Vec::new();
            for w in &per_kind[entity.kind] {
                check(kind, entity, w, &mut found);
            }
            found
        })
        .collect();
    out.extend(found);
}

fn check(kind: &KindConfig, entity: &Entity, wanted: &Wanted, out: &mut Vec<Diagnostic>) {
    let Some(doc) = &entity.document else { return };
    if !doc.parsed.readable {
        return;
    }
    let (name, rule) = (wanted.name, wanted.rule);
    let found: Vec<_> = doc
        .parsed
        .sections
        .iter()
        .filter(|s| wanted.keys.contains(&s.key))
        .collect();
    if found.iter().any(|s| !s.empty) {
        return;
    }
    let noun = &kind.name;
    let id = &entity.id;
    let diagnostic = match found.first() {
        None => Diagnostic::new(
            rule,
            &doc.path,
            Position::START,
            format!("{noun} `{id}` has no `{name}` section"),
        )
        .help(format!("add `## {name}`: {}", purpose(name))),
        Some(section) => Diagnostic::new(
            rule,
            &doc.path,
            section.heading.position,
            format!("the `{name}` section of {noun} `{id}` is empty"),
        )
        .width(section.heading.text.chars().count() + 3)
        .help(format!(
            "write {} (a placeholder such as TODO, TBD, N/A or only a comment counts as missing)",
            purpose(name)
        )),
    };
    out.push(diagnostic.section(name));
}
