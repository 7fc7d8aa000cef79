//! Completion: the ids where a reference belongs (a pilot's `owner`,
//! `metric`, `system` and `depends_on` entries, a system's owner, any
//! `ref` field a kind declares), the values of an enum (`status`,
//! `access`, an integration's `environment`, any `enum` field), and, on a
//! heading line of the body, the sections the document's kind asks for
//! that it does not have yet.
//!
//! What a slot takes is read from the config's kinds and the model, never
//! listed here twice: ids are the documents of the kind the field refers
//! to, values are the field's declared ones.

use crate::cursor::{At, Slot};
use crate::workspace::Workspace;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Range, TextEdit,
};
use pilotbook_core::config::{Builtin, Config, ENVIRONMENTS, FieldType, KindConfig};
use pilotbook_core::model::pilot::ACCESS_MODES;
use pilotbook_core::validate::configured_name;

/// What a value slot takes.
enum Offer<'c> {
    /// The ids of the documents of this kind.
    Ids(usize),
    /// These values.
    Values(Vec<&'c str>),
}

/// Answer `textDocument/completion`.
pub fn complete(ws: &Workspace, p: CompletionParams) -> Option<CompletionResponse> {
    let at = At::find(ws, &p.text_document_position)?;
    let items = match at.value_slot() {
        Some(slot) => values(&at, &slot)?,
        None => sections(&at)?,
    };
    Some(CompletionResponse::Array(items))
}

/// The ids or values a front-matter slot takes.
fn values(at: &At, slot: &Slot) -> Option<Vec<CompletionItem>> {
    let config = &at.loaded.project.config;
    let kind = &config.kinds[at.entity()?.kind];
    let offer = offer(config, kind, slot)?;
    let start = at.lsp.character.saturating_sub(utf16_len(&slot.typed));
    let range = Range::new(lsp_types::Position::new(at.lsp.line, start), at.lsp);
    let item = |label: &str, detail: Option<String>, kind: CompletionItemKind| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
            range,
            label.to_string(),
        ))),
        ..CompletionItem::default()
    };
    Some(match offer {
        Offer::Ids(kind) => (at.loaded.project.portfolio.of_kind(kind).iter())
            .filter(|e| e.defined())
            .map(|e| item(&e.id, Some(e.title.clone()), CompletionItemKind::REFERENCE))
            .collect(),
        Offer::Values(values) => (values.into_iter())
            .map(|v| item(v, None, CompletionItemKind::ENUM_MEMBER))
            .collect(),
    })
}

/// What the slot `slot` of a document of `kind` takes.
fn offer<'c>(config: &'c Config, kind: &'c KindConfig, slot: &Slot) -> Option<Offer<'c>> {
    let pilot = kind.builtin == Some(Builtin::Pilot);
    let builtin = |b: Builtin| config.kinds.iter().position(|k| k.builtin == Some(b));
    let by_name = |name: &str| config.kinds.iter().position(|k| k.name == name);
    let typed = |field: &str| match kind.fields.get(field)? {
        FieldType::Ref(target) => by_name(target).map(Offer::Ids),
        FieldType::Enum(values) => Some(Offer::Values(values.iter().map(String::as_str).collect())),
        _ => None,
    };
    match (slot.list.as_deref(), slot.key.as_deref()) {
        (None, Some("owner")) if pilot => builtin(Builtin::Person).map(Offer::Ids),
        (None, Some(field)) => typed(field),
        (Some("metrics"), Some("metric")) if pilot => builtin(Builtin::Metric).map(Offer::Ids),
        (Some("integrations"), Some("system")) if pilot => builtin(Builtin::System).map(Offer::Ids),
        (Some("integrations"), Some("access")) if pilot => {
            Some(Offer::Values(ACCESS_MODES.to_vec()))
        }
        (Some("integrations"), Some("environment")) if pilot => {
            Some(Offer::Values(ENVIRONMENTS.to_vec()))
        }
        // `- pilot: x`, `- system: y`: any kind by its name.
        (Some("depends_on"), Some(target)) if pilot => by_name(target).map(Offer::Ids),
        // A list of ids: `supersedes: [a, b]` written as `- a` lines.
        (Some(field), None) => typed(field),
        _ => None,
    }
}

/// On a heading line of the body (`#`, `## Mon`): the sections the kind
/// requires or recommends that the document has no heading for.
fn sections(at: &At) -> Option<Vec<CompletionItem>> {
    let before = at.before_cursor();
    if !before.starts_with('#') || at.in_front_matter() {
        return None;
    }
    let entity = at.entity()?;
    let doc = entity.document.as_ref()?;
    let kind = &at.loaded.project.config.kinds[entity.kind];
    let has: Vec<&str> = (doc.parsed.sections.iter())
        .filter_map(|s| configured_name(kind, &s.key))
        .collect();
    let range = Range::new(lsp_types::Position::new(at.lsp.line, 0), at.lsp);
    let required = kind.required_sections.iter().map(|s| (s, "required"));
    let recommended = kind.recommended_sections.iter().map(|s| (s, "recommended"));
    let items = required
        .chain(recommended)
        .filter(|(name, _)| !has.contains(&name.as_str()))
        .map(|(name, why)| {
            let heading = format!("## {name}");
            CompletionItem {
                label: heading.clone(),
                kind: Some(CompletionItemKind::SNIPPET),
                detail: Some(format!("{why} section of a {}", kind.name)),
                filter_text: Some(heading.clone()),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, heading))),
                ..CompletionItem::default()
            }
        })
        .collect();
    Some(items)
}

fn utf16_len(text: &str) -> u32 {
    u32::try_from(text.encode_utf16().count()).unwrap_or(0)
}
