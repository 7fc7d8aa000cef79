//! Hover: on a finding, its message, help and the rule's `--explain`
//! text (the catalogue's own, `RuleInfo::explanation`); on a referenced
//! id, the entity it names: title, kind, status, owner and targets, and
//! where it is defined.

use crate::cursor::At;
use crate::workspace::Workspace;
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use pilotbook_core::diagnostics::Diagnostic;
use pilotbook_core::model::{Entity, Reference, Relation};

/// Answer `textDocument/hover`.
pub fn hover(ws: &Workspace, p: HoverParams) -> Option<Hover> {
    let at = At::find(ws, &p.text_document_position_params)?;
    let mut parts: Vec<String> = findings_at(&at).into_iter().map(finding).collect();
    if let Some((reference, target)) = at.reference() {
        parts.push(entity(&at, reference, target));
    }
    if parts.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range: None,
    })
}

/// The findings of the document whose span holds the cursor.
pub fn findings_at<'a>(at: &At<'a>) -> Vec<&'a Diagnostic> {
    let cursor = at.position;
    (at.loaded.report.diagnostics.iter())
        .filter(|d| d.path == at.path && d.position.line == cursor.line)
        .filter(|d| {
            cursor.column >= d.position.column
                && cursor.column <= d.position.column.saturating_add(d.width)
        })
        .collect()
}

fn finding(d: &Diagnostic) -> String {
    let mut out = format!(
        "**{}[{}]**: {}",
        d.severity.as_str(),
        d.rule.name(),
        d.message
    );
    if !d.help.is_empty() {
        out.push_str(&format!("\n\nhelp: {}", d.help));
    }
    if let Some(accepted) = &d.accepted {
        out.push_str(&format!(
            "\n\naccepted ({}): {}",
            accepted.by.as_str(),
            accepted.reason
        ));
    }
    out.push_str(&format!("\n\n```text\n{}```", d.rule.info().explanation()));
    out
}

/// What the referenced entity is.
fn entity(at: &At, reference: &Reference, target: usize) -> String {
    let project = &at.loaded.project;
    let e = &project.portfolio.entities[target];
    let kind = &project.config.kinds[e.kind].name;
    let mut lines = vec![format!("**{}**: {kind} `{}`", e.title, e.id)];
    if let Some(pilot) = &e.pilot {
        if let Some(status) = &pilot.status {
            lines.push(format!("status: {status}"));
        }
        if let Some(owner) = &pilot.owner {
            lines.push(format!("owner: {}", owner.value));
        }
        for m in &pilot.metrics {
            if let Some(target) = &m.target_text {
                lines.push(format!("target: {} {target}", m.metric));
            }
        }
    }
    let mut fields: Vec<String> = ["status", "owner", "unit", "direction", "environment"]
        .iter()
        .filter(|_| e.pilot.is_none())
        .filter_map(|key| Some(format!("{key}: {}", field_text(e, key)?)))
        .collect();
    lines.append(&mut fields);
    if let Some(target) = used_target(at, reference) {
        lines.push(format!("target here: {target}"));
    }
    lines.push(match &e.document {
        Some(doc) => format!("defined in `{}`", doc.path),
        None => "no document defines it yet (`undefined-reference`)".to_string(),
    });
    lines.join("  \n")
}

/// A front-matter field of a document, as text.
fn field_text<'e>(e: &'e Entity, key: &str) -> Option<&'e str> {
    e.document.as_ref()?.field(key)?.as_text()
}

/// The target this pilot sets for a metric it names.
fn used_target<'a>(at: &At<'a>, reference: &Reference) -> Option<&'a str> {
    if reference.relation != Relation::Metric {
        return None;
    }
    let pilot = at.entity()?.pilot.as_ref()?;
    // The entry the reference is written in: the last one starting above it.
    (pilot.metrics.iter())
        .rfind(|m| m.metric == reference.target.id && m.position.line <= reference.position.line)
        .and_then(|m| m.target_text.as_deref())
}
