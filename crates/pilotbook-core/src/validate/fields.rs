//! The front matter as a whole: required fields are there and filled in
//! (`missing-field`), no value is a placeholder (`placeholder-value`), and
//! every key is one the kind declares (`unknown-field`).
//!
//! [`field_state`] decides once whether a field counts as given; the rule
//! and the portfolio's readiness both read it, so they always agree.

use crate::config::{Builtin, Config, ExtraFields, FieldType, KindConfig};
use crate::diagnostics::Diagnostic;
use crate::model::placeholder::{is_placeholder, is_placeholder_id, is_placeholder_target};
use crate::model::{Document, Portfolio};
use crate::parse::{Node, Value};
use crate::rules::{Rule, Severity};
use crate::source::Position;
use rayon::prelude::*;

/// Whether a field is there, and filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldState {
    /// No such key.
    Absent,
    /// The key with nothing under it: null, empty text, an empty list.
    Empty,
    /// A placeholder somewhere in the value (`todo`, `<owner>`, `>= 0`).
    Placeholder,
    /// Filled in.
    Present,
}

/// The state of `field` in a document, and where its key is written.
pub fn field_state(doc: &Document, field: &str) -> (FieldState, Position) {
    let Some((key, value)) = doc
        .parsed
        .front_matter
        .as_ref()
        .and_then(|fm| fm.entry(field))
    else {
        return (FieldState::Absent, Position::START);
    };
    let state = match &value.value {
        Value::Null => FieldState::Empty,
        Value::Scalar(s) if s.text.trim().is_empty() => FieldState::Empty,
        Value::List(items) if items.is_empty() => FieldState::Empty,
        _ if first_placeholder(value, field).is_some() => FieldState::Placeholder,
        _ => FieldState::Present,
    };
    (state, key.position)
}

/// The fields a document of `kind` must have: the kind's `required_fields`,
/// and for a pilot past `proposed`, `started`.
pub fn required_field_names<'k>(kind: &'k KindConfig, doc: &Document) -> Vec<&'k str> {
    let mut required: Vec<&str> = kind.required_fields.iter().map(String::as_str).collect();
    if kind.builtin == Some(Builtin::Pilot) {
        let past_proposed = doc
            .field("status")
            .and_then(|s| s.as_text())
            .is_some_and(|s| s != "proposed");
        if past_proposed && !required.contains(&"started") {
            required.push("started");
        }
    }
    required
}

/// How to add a missing field: pilotbook's own words for the fields of
/// the built-in kinds, else what the kind declares the field to be (a
/// custom kind's `status` gets its own values, not the pilot statuses).
fn help_for(kind: &KindConfig, field: &str) -> String {
    let builtin = match (kind.builtin, field) {
        (Some(Builtin::Pilot), "owner") => {
            Some("add `owner: <person-id>`: the one person accountable for the pilot")
        }
        (Some(Builtin::Pilot), "metrics") => Some(
            "add `metrics:` with at least one `- metric: <id>` and a numeric `target: \">= 92%\"`, agreed before the pilot starts",
        ),
        (Some(Builtin::Pilot), "integrations") => Some(
            "add `integrations:` with at least one `- system: <id>`: the real systems the pilot reads or writes",
        ),
        (Some(Builtin::Pilot), "production_path") => Some(
            "add `production_path:` with at least one `- milestone: <name>` and `due: YYYY-MM-DD`",
        ),
        (Some(Builtin::Pilot), "started") => Some(
            "add `started: YYYY-MM-DD`: the day the pilot started; metric targets are agreed before it",
        ),
        (Some(Builtin::System), "environment") => Some(
            "add `environment:` (production | staging | sandbox | mock): which system pilots that integrate with it really use",
        ),
        (_, "title") => Some("add `title: <a short name for the document>`"),
        _ => None,
    };
    if let Some(help) = builtin {
        return help.to_string();
    }
    match kind.fields.get(field) {
        Some(FieldType::Enum(values)) => format!("add `{field}:` ({})", values.join(" | ")),
        Some(FieldType::Date) => match kind.date_formats.first() {
            Some(format) => format!("add `{field}: YYYY-MM-DD` (or {format})"),
            None => format!("add `{field}: YYYY-MM-DD`"),
        },
        Some(FieldType::Ref(target)) => format!("add `{field}: <{target}-id>`"),
        Some(FieldType::List) => format!("add `{field}: [a, b]` or one `- item` per line"),
        Some(FieldType::Number) => format!("add `{field}: <number>`"),
        Some(FieldType::Bool) => format!("add `{field}: true` or `false`"),
        Some(FieldType::String) | None => format!("add `{field}:` to the front matter"),
    }
}

fn readable(doc: &Document) -> bool {
    doc.parsed.readable && !doc.parsed.front_matter_failed
}

/// Report required fields that are absent, null, empty text or an empty
/// list. A placeholder is `placeholder-value`'s to report.
pub fn required_fields(config: &Config, portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    let found: Vec<Diagnostic> = portfolio
        .entities
        .par_iter()
        .filter_map(|e| e.document.as_ref().filter(|d| readable(d)).map(|d| (e, d)))
        .flat_map_iter(|(entity, doc)| {
            let kind = &config.kinds[entity.kind];
            required_field_names(kind, doc)
                .into_iter()
                .filter_map(move |field| {
                    let (position, what) = match field_state(doc, field) {
                        (FieldState::Absent, _) => (Position::START, "no"),
                        (FieldState::Empty, at) => (at, "an empty"),
                        (FieldState::Placeholder | FieldState::Present, _) => return None,
                    };
                    Some(
                        Diagnostic::new(
                            Rule::MissingField,
                            doc.field_path(field),
                            position,
                            format!("{} `{}` has {what} `{field}`", kind.name, entity.id),
                        )
                        .field(field)
                        .help(help_for(kind, field)),
                    )
                })
        })
        .collect();
    out.extend(found);
}

/// The first placeholder in `node`, if any.
fn first_placeholder<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    let mut found = None;
    walk_placeholders(node, key, &mut Vec::new(), &mut |n, _| {
        found = Some(n);
        false
    });
    found
}

/// One step of a key path: a key, or a list index.
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

/// `metrics[0].target`: a key path as the finding names it.
fn path_of(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Call `each` with every placeholder scalar below `node` and the steps to
/// it, until it returns false. Nothing is allocated until one is found.
fn walk_placeholders<'n>(
    node: &'n Node,
    key: &str,
    steps: &mut Vec<Step<'n>>,
    each: &mut dyn FnMut(&'n Node, &[Step<'n>]) -> bool,
) -> bool {
    match &node.value {
        Value::Scalar(s) => {
            let placeholder = if key == "target" {
                is_placeholder_target(&s.text)
            } else {
                is_placeholder(&s.text)
            };
            !placeholder || each(node, steps)
        }
        Value::List(items) => items.iter().enumerate().all(|(i, item)| {
            steps.push(Step::Index(i));
            let go = walk_placeholders(item, key, steps, each);
            steps.pop();
            go
        }),
        Value::Map(entries) => entries.iter().all(|(k, v)| {
            steps.push(Step::Key(&k.name));
            let go = walk_placeholders(v, &k.name, steps, each);
            steps.pop();
            go
        }),
        Value::Null => true,
    }
}

fn placeholder_help(field: &str) -> String {
    match field {
        "owner" => "name the one accountable person: `owner: <person-id>` with a document in people/".into(),
        "metrics" => "name a real metric and the target agreed before the pilot starts, e.g. `metric: triage-accuracy` and `target: \">= 92%\"`".into(),
        "integrations" => "name the real system the pilot reads or writes, e.g. `system: zendesk`".into(),
        "pilotbook" => "say why the finding is accepted, in words a reviewer can check".into(),
        _ => format!("replace it with the real `{field}`, or remove the line"),
    }
}

/// Report every placeholder value, and an id that only holds a place.
pub fn placeholders(portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    let found: Vec<Diagnostic> = portfolio
        .entities
        .par_iter()
        .filter_map(|e| e.document.as_ref().filter(|d| readable(d)).map(|d| (e, d)))
        .flat_map_iter(|(entity, doc)| {
            let mut found = Vec::new();
            if is_placeholder_id(&entity.id) {
                let at = doc.id_position.unwrap_or(Position::START);
                found.push(
                    Diagnostic::new(
                        Rule::PlaceholderValue,
                        &doc.path,
                        at,
                        format!("the id `{}` is a placeholder", entity.id),
                    )
                    .field("id")
                    .help("name the document after what it is: rename the file, or set `id:`"),
                );
            }
            for (key, value) in doc.parsed.front_matter.iter().flat_map(Node::entries) {
                let mut steps = vec![Step::Key(&key.name)];
                walk_placeholders(value, &key.name, &mut steps, &mut |node, steps| {
                    let path = path_of(steps);
                    let text = node.as_text().unwrap_or_default().trim();
                    let d = Diagnostic::new(
                        Rule::PlaceholderValue,
                        doc.field_path(&key.name),
                        node.position,
                        format!("`{path}: {text}` is a placeholder, not a value"),
                    )
                    .width(text.chars().count())
                    .field(key.name.as_str())
                    .item(path)
                    .help(placeholder_help(&key.name));
                    found.push(d);
                    true
                });
            }
            found
        })
        .collect();
    out.extend(found);
}

/// The keys an entry of a pilot's list field may have.
fn entry_keys(field: &str) -> Option<&'static [&'static str]> {
    Some(match field {
        "metrics" => &["metric", "target", "baseline", "actual"],
        "integrations" => &["system", "access", "auth", "environment"],
        "production_path" => &["milestone", "due", "done"],
        _ => return None,
    })
}

/// Report front-matter keys the kind does not declare, with the nearest
/// declared key as a suggestion; for pilots, also unknown keys inside
/// `metrics`, `integrations` and `production_path` entries.
pub fn unknown_fields(config: &Config, portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    let declared: Vec<Vec<&str>> = config
        .kinds
        .iter()
        .map(KindConfig::declared_fields)
        .collect();
    for entity in &portfolio.entities {
        let Some(doc) = entity.document.as_ref().filter(|d| readable(d)) else {
            continue;
        };
        let kind = &config.kinds[entity.kind];
        let severity = match kind.extra_fields {
            ExtraFields::Allow => continue,
            ExtraFields::Warn => Severity::Warning,
            ExtraFields::Error => Severity::Error,
        };
        let known = &declared[entity.kind];
        for (key, value) in doc.parsed.front_matter.iter().flat_map(Node::entries) {
            if !known.contains(&key.name.as_str()) {
                let message = format!(
                    "{} `{}` has a field `{}` that kind `{}` does not declare; it is ignored",
                    kind.name, entity.id, key.name, kind.name
                );
                out.push(
                    unknown(doc, key, message, known, &kind.name)
                        .severity(severity)
                        .field(key.name.as_str()),
                );
                continue;
            }
            let Some(keys) = entry_keys(&key.name).filter(|_| kind.builtin == Some(Builtin::Pilot))
            else {
                continue;
            };
            let Value::List(items) = &value.value else {
                continue;
            };
            for (k, _) in items.iter().flat_map(Node::entries) {
                if !keys.contains(&k.name.as_str()) {
                    let message = format!(
                        "a `{}` entry of {} `{}` has a key `{}`, which pilotbook does not read",
                        key.name, kind.name, entity.id, k.name
                    );
                    out.push(
                        unknown(doc, k, message, keys, &kind.name)
                            .severity(severity)
                            .field(key.name.as_str())
                            .item(k.name.as_str()),
                    );
                }
            }
        }
    }
}

fn unknown(
    doc: &Document,
    key: &crate::parse::Key,
    message: String,
    known: &[&str],
    kind: &str,
) -> Diagnostic {
    let help = match suggestion(&key.name, known) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "declare it under `[kinds.{kind}.fields]` in pilotbook.toml, or set `extra_fields = \"allow\"` for the kind"
        ),
    };
    Diagnostic::new(
        Rule::UnknownField,
        doc.field_path(&key.name),
        key.position,
        message,
    )
    .width(key.name.chars().count())
    .help(help)
}

/// The key `unknown-field` suggests for an undeclared `key` of a document
/// of `kind`: a front-matter key, or with `entry_of`, a key of an entry of
/// that list field (a pilot's `metrics`, `integrations`,
/// `production_path`). The language server's quick fix reads this, so it
/// offers what the finding's help says.
pub fn unknown_key_suggestion<'k>(
    kind: &'k KindConfig,
    entry_of: Option<&str>,
    key: &str,
) -> Option<&'k str> {
    match entry_of {
        None => suggestion(key, &kind.declared_fields()),
        Some(field) if kind.builtin == Some(Builtin::Pilot) => suggestion(key, entry_keys(field)?),
        Some(_) => None,
    }
}

/// The declared key nearest to `key`, if it is near enough to be a typo:
/// `-` and `_`, and case, count as the same, and a swap of two letters as
/// one edit.
pub fn suggestion<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let norm = |s: &str| s.to_lowercase().replace(['-', ' '], "_");
    let key = norm(key);
    let limit = if key.chars().count() >= 5 { 2 } else { 1 };
    known
        .iter()
        .map(|k| (edit_distance(&key, &norm(k)), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, k)| (*d, *k))
        .map(|(_, k)| k)
}

/// Edit distance with adjacent transpositions (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_typos() {
        let known = [
            "depends_on",
            "integrations",
            "production_path",
            "title",
            "owner",
        ];
        assert_eq!(suggestion("depends-on", &known), Some("depends_on"));
        assert_eq!(suggestion("integration", &known), Some("integrations"));
        assert_eq!(
            suggestion("production-path", &known),
            Some("production_path")
        );
        assert_eq!(suggestion("titel", &known), Some("title"));
        assert_eq!(suggestion("Owner", &known), Some("owner"));
        assert_eq!(suggestion("budget", &known), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
