//! `missing-section` and `missing-recommended-section`: the kind's sections
//! are present as H2 headings, under their name or an alias, and say
//! something; `duplicate-section`: none is written twice. [`readiness`]
//! is what the portfolio shows, from the same decisions.

use crate::config::{Config, KindConfig};
use crate::diagnostics::Diagnostic;
use crate::model::{Entity, Portfolio};
use crate::parse::markdown::placeholder_key;
use crate::parse::{Section, normalize_heading};
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

/// A section as `pilotbook new` writes it, and the language server's
/// quick fix inserts it: the heading and a comment hint of what belongs
/// there (a comment alone still counts as missing, until it is written).
pub fn section_stub(section: &str) -> String {
    let hint = match section_purpose(section) {
        Some(purpose) => format!("Write {purpose}."),
        None => format!("Write the {section} section."),
    };
    // `--` would close the comment early.
    format!("\n## {section}\n\n<!-- {} -->\n", hint.replace("--", "-"))
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

/// One thing a document must (or should) carry, and whether it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The field or section, as the kind's config spells it.
    pub name: String,
    /// A section (an H2 heading), else a front-matter field.
    pub section: bool,
    /// Required (else recommended).
    pub required: bool,
    /// Present and filled in: a field neither empty nor a placeholder, a
    /// section with content.
    pub present: bool,
}

/// How ready a document is: every field it must have (filled in, not a
/// placeholder), then every section its kind requires or recommends (with
/// content). The portfolio's readiness column and the pilot page's
/// checklist read this, so they agree with `missing-field`,
/// `placeholder-value` and `missing-section`.
pub fn readiness(kind: &KindConfig, entity: &Entity) -> Vec<Requirement> {
    let Some(doc) = &entity.document else {
        return Vec::new();
    };
    let fields = super::fields::required_field_names(kind, doc)
        .into_iter()
        .map(|name| Requirement {
            name: name.to_string(),
            section: false,
            required: true,
            present: super::fields::field_state(doc, name).0 == super::fields::FieldState::Present,
        });
    let sections = wanted(kind).into_iter().map(|w| Requirement {
        name: w.name.to_string(),
        section: true,
        required: w.rule == Rule::MissingSection,
        present: doc
            .parsed
            .sections
            .iter()
            .any(|s| w.keys.contains(&s.key) && !unanswered(kind, s)),
    });
    fields.chain(sections).collect()
}

/// Whether a section leaves its question unanswered, by its kind's
/// `empty_sections` (the default: empty, TODO, TBD, TBA or N/A). The one
/// judgement: `check`, the readiness shown on the site, `export` and
/// `diff` read it.
pub fn unanswered(kind: &KindConfig, section: &Section) -> bool {
    let Some(placeholders) = &kind.empty_sections else {
        return section.empty;
    };
    let Some(text) = &section.text else {
        return false;
    };
    let key = placeholder_key(text);
    key.is_empty() || placeholders.iter().any(|p| placeholder_key(p) == key)
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
            duplicates(kind, entity, &per_kind[entity.kind], &mut found);
            found
        })
        .collect();
    out.extend(found);
}

/// `duplicate-section`: two H2 sections that are one section (the same
/// heading, or a section and its alias), reported at the second, naming
/// the lines of all.
fn duplicates(kind: &KindConfig, entity: &Entity, wanted: &[Wanted], out: &mut Vec<Diagnostic>) {
    let Some(doc) = entity.document.as_ref().filter(|d| d.parsed.readable) else {
        return;
    };
    let name_of = |key: &str| -> Option<&str> {
        wanted
            .iter()
            .find(|w| w.keys.iter().any(|k| k == key))
            .map(|w| w.name)
    };
    // Most documents have no repeated heading: look before grouping.
    let sections = &doc.parsed.sections;
    let repeated = sections
        .iter()
        .enumerate()
        .any(|(i, a)| sections[..i].iter().any(|b| b.key == a.key));
    let aliased = wanted.iter().any(|w| {
        w.keys.len() > 1 && sections.iter().filter(|s| w.keys.contains(&s.key)).count() > 1
    });
    if !repeated && !aliased {
        return;
    }
    let mut groups: Vec<(&str, Vec<&crate::parse::Section>)> = Vec::new();
    for section in sections {
        if section.key.is_empty() {
            continue;
        }
        let group = name_of(&section.key).unwrap_or(section.key.as_str());
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => list.push(section),
            None => groups.push((group, vec![section])),
        }
    }
    for (group, list) in groups.iter().filter(|(_, l)| l.len() > 1) {
        let name = name_of(&list[0].key).unwrap_or(list[0].heading.text.as_str());
        let lines: Vec<String> = list
            .iter()
            .map(|s| s.heading.position.line.to_string())
            .collect();
        let (last, rest) = lines.split_last().unwrap_or((&lines[0], &[]));
        let second = list[1];
        out.push(
            Diagnostic::new(
                Rule::DuplicateSection,
                &doc.path,
                second.heading.position,
                format!(
                    "{} `{}` has the `{name}` section {}, at lines {} and {last}",
                    kind.name,
                    entity.id,
                    if list.len() == 2 { "twice".to_string() } else { format!("{} times", list.len()) },
                    rest.join(", ")
                ),
            )
            .width(second.heading.text.chars().count() + 3)
            .section(if name_of(&list[0].key).is_some() { name } else { group })
            .help("merge them into one section: readers and pilotbook may each take a different one as the plan"),
        );
    }
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
    if found.iter().any(|s| !unanswered(kind, s)) {
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
