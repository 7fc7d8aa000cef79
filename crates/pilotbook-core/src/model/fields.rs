//! Typing one document: its id, title and fields, against its kind.

use super::pilot;
use super::placeholder::is_placeholder;
use super::{Document, Entity, EntityRef, Reference, Relation, id};
use crate::config::{Builtin, Config, FieldType, PILOT_STRUCTURED_FIELDS};
use crate::diagnostics::Diagnostic;
use crate::parse::{Node, ParsedDocument, Value};
use crate::rules::Rule;

/// Type one parsed document into an entity (not yet linked).
pub fn type_document(
    config: &Config,
    kind: usize,
    path: String,
    parsed: std::sync::Arc<ParsedDocument>,
) -> (Entity, Vec<Diagnostic>) {
    let mut diagnostics = parsed.diagnostics.clone();
    let kind_config = &config.kinds[kind];
    let mut document = Document {
        path,
        parsed,
        id_position: None,
    };

    let entity_id = declared_id(&mut document, &mut diagnostics);
    let mut references = Vec::new();
    let is_pilot = kind_config.builtin == Some(Builtin::Pilot);
    if let Some(fm) = document.parsed.front_matter.as_ref() {
        for (name, ty) in &kind_config.fields {
            if is_pilot && PILOT_STRUCTURED_FIELDS.contains(&name.as_str()) {
                continue;
            }
            if let Some(value) = fm.get(name) {
                let field = Field {
                    path: document.field_path(name),
                    name,
                    ty,
                    date_formats: &kind_config.date_formats,
                };
                check_field(config, &field, value, &mut references, &mut diagnostics);
            }
        }
    }

    let pilot =
        is_pilot.then(|| pilot::type_pilot(config, &document, &mut references, &mut diagnostics));
    let accepts = document
        .field("pilotbook")
        .map(|block| super::accept::accepts(&document.path, block, &mut diagnostics))
        .unwrap_or_default();
    let title = title_of(kind_config.builtin, &document, &entity_id);
    let entity = Entity {
        kind,
        id: entity_id,
        document: Some(document),
        title,
        pilot,
        references,
        referenced_by: Vec::new(),
        dependents: Vec::new(),
        accepts,
        duplicate: false,
    };
    (entity, diagnostics)
}

/// The entity's id: the front matter's valid `id` (whose position the
/// document keeps), else the one derived from the path.
fn declared_id(document: &mut Document, diagnostics: &mut Vec<Diagnostic>) -> String {
    let mut entity_id = id::derive_id(&document.path);
    if let Some((key, value)) = document
        .parsed
        .front_matter
        .as_ref()
        .and_then(|fm| fm.entry("id"))
    {
        match value.as_text() {
            Some(text) if id::is_valid_id(text) => {
                entity_id = text.to_string();
                document.id_position = Some(key.position);
            }
            _ => diagnostics.push(
                Diagnostic::new(
                    Rule::InvalidField,
                    &document.path,
                    value.position,
                    format!(
                        "`id: {}` is not a valid id",
                        value.as_text().unwrap_or(value.describe())
                    ),
                )
                .width(value.as_text().map_or(1, str::len))
                .field("id")
                .help(format!(
                    "ids are lowercase letters, digits and `-`, starting with a letter or digit, e.g. `{}`",
                    id::slugify(value.as_text().unwrap_or(&entity_id))
                )),
            ),
        }
    }
    entity_id
}

/// The entity's title: a person's `name`, else `title` or `Title`, else
/// the first heading, else the id.
fn title_of(builtin: Option<Builtin>, document: &Document, entity_id: &str) -> String {
    let text_field = |key: &str| {
        document
            .field(key)
            .and_then(Node::as_text)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    match builtin {
        Some(Builtin::Person) => text_field("name"),
        _ => None,
    }
    .or_else(|| text_field("title"))
    .or_else(|| text_field("Title"))
    .or_else(|| document.parsed.h1.as_ref().map(|h| h.text.clone()))
    .unwrap_or_else(|| entity_id.to_string())
}

/// Report a value that does not have its declared type.
pub(super) fn invalid(
    path: &str,
    field: &str,
    value: &Node,
    message: String,
    help: &str,
) -> Diagnostic {
    Diagnostic::new(Rule::InvalidField, path, value.position, message)
        .width(value.as_text().map_or(1, |t| t.chars().count()))
        .field(field)
        .help(help.to_string())
}

/// A reference value: one id, checked for shape.
pub(super) fn reference_id(
    path: &str,
    field: &str,
    value: &Node,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    let Some(text) = value.as_text().map(str::trim) else {
        diagnostics.push(invalid(
            path,
            field,
            value,
            format!(
                "`{field}` must be the id of one {what}, not {}",
                value.describe()
            ),
            &format!("write one id, e.g. `{field}: some-{what}-id`"),
        ));
        return None;
    };
    // `payments:invoice-matching`: the one of that source, where two
    // sources use the id.
    if id::is_valid_id(id::split_qualified(text).1) {
        return Some(text.to_string());
    }
    diagnostics.push(invalid(
        path,
        field,
        value,
        format!("`{text}` is not a {what} id"),
        &format!(
            "ids are lowercase letters, digits and `-`: did you mean `{}`?",
            id::slugify(text)
        ),
    ));
    None
}

/// A declared field being checked: where it is written (the document, or
/// its sidecar metadata file), its name and type, and the kind's date
/// formats.
struct Field<'a> {
    path: &'a str,
    name: &'a str,
    ty: &'a FieldType,
    date_formats: &'a [String],
}

/// Check one declared field's value against its type; references it
/// names are collected.
fn check_field(
    config: &Config,
    field: &Field,
    value: &Node,
    references: &mut Vec<Reference>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // A placeholder is a value not given yet: `placeholder-value` says so.
    if value.is_null() || value.as_text().is_some_and(is_placeholder) {
        return;
    }
    let (path, name) = (field.path, field.name);
    if let FieldType::Ref(kind_name) = field.ty {
        let Some(kind) = config.kinds.iter().position(|k| &k.name == kind_name) else {
            return;
        };
        let target = (kind, kind_name.as_str());
        collect_references(path, name, value, target, references, diagnostics);
    } else if let Some((message, help)) = type_problem(field, value) {
        diagnostics.push(invalid(path, name, value, message, &help));
    }
}

/// What is wrong with a value of a field typed other than `ref`: the
/// message and the help, or `None` when it fits.
fn type_problem(field: &Field, value: &Node) -> Option<(String, String)> {
    let (name, ty) = (field.name, field.ty);
    let shown = value.as_text().unwrap_or(value.describe());
    let problem = |message: String, help: &str| Some((message, help.to_string()));
    match ty {
        FieldType::String if value.as_text().is_none() => problem(
            format!("`{name}` must be text, not {}", value.describe()),
            "write a single value",
        ),
        FieldType::Number if value.as_number().is_none() && zero_padded(value).is_none() => {
            problem(
                format!("`{name}` must be a number, not `{shown}`"),
                "write an unquoted number, e.g. `3` or `0.5`",
            )
        }
        FieldType::Bool if value.as_bool().is_none() => problem(
            format!("`{name}` must be true or false, not `{shown}`"),
            "write `true` or `false` without quotes",
        ),
        FieldType::Date => {
            let parsed = value
                .as_text()
                .ok_or_else(|| format!("`{name}` must be a date, not {}", value.describe()))
                .and_then(|text| super::Date::parse_any(text, field.date_formats));
            let why = parsed.err()?;
            let help = match field.date_formats {
                [] => "write the date as YYYY-MM-DD, e.g. 2026-06-01".to_string(),
                formats => format!("write the date as YYYY-MM-DD or {}", formats.join(" or ")),
            };
            problem(format!("`{name}`: {why}"), &help)
        }
        // A list may be written as comma-separated text (`requires: 20, 721`).
        FieldType::List if !matches!(value.value, Value::List(_) | Value::Scalar(_)) => problem(
            format!("`{name}` must be a list, not {}", value.describe()),
            &format!("write `{name}: [a, b]` or one `- item` per line"),
        ),
        FieldType::Enum(values)
            if !value
                .as_text()
                .is_some_and(|t| values.iter().any(|v| v == t)) =>
        {
            problem(
                format!("`{name}: {shown}` is not one of {}", values.join(", ")),
                &format!("use one of: {}", values.join(" | ")),
            )
        }
        _ => None,
    }
}

/// An unquoted integer written with leading zeros (`fip: 0001`), which a
/// `number` field reads as the integer it is.
pub(crate) fn zero_padded(value: &Node) -> Option<u64> {
    let Value::Scalar(scalar) = &value.value else {
        return None;
    };
    let text = scalar.text.trim();
    let plain = scalar.kind == crate::parse::ScalarKind::Plain;
    (plain && text.len() > 1 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// The items of a list field: a list's items, or the comma-separated
/// parts of a single value (each at the value's position).
pub(crate) fn list_items(value: &Node) -> Vec<std::borrow::Cow<'_, Node>> {
    use std::borrow::Cow;
    match &value.value {
        Value::List(items) => items.iter().map(Cow::Borrowed).collect(),
        Value::Scalar(scalar) if scalar.text.contains(',') => scalar
            .text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                Cow::Owned(Node {
                    value: Value::Scalar(crate::parse::Scalar {
                        text: part.to_string(),
                        kind: scalar.kind,
                    }),
                    position: value.position,
                })
            })
            .collect(),
        _ => vec![Cow::Borrowed(value)],
    }
}

/// The references a `ref` field names (one value or a list of them), to
/// entities of `target` (the kind's index and name); placeholders skipped.
fn collect_references(
    path: &str,
    name: &str,
    value: &Node,
    (kind, kind_name): (usize, &str),
    references: &mut Vec<Reference>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for item in list_items(value) {
        let item = item.as_ref();
        if item.as_text().is_some_and(is_placeholder) {
            continue;
        }
        if let Some(id) = reference_id(path, name, item, kind_name, diagnostics) {
            references.push(Reference {
                target: EntityRef { kind, id },
                relation: if name == "owner" {
                    Relation::Owner
                } else {
                    Relation::Field(name.to_string())
                },
                position: item.position,
            });
        }
    }
}
