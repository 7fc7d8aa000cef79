//! Quick fixes for the findings under the cursor, each the edit its help
//! line asks for:
//!
//! - `missing-section` / `missing-recommended-section`: insert the section
//!   as `pilotbook new` writes it (`validate::section_stub`: the heading
//!   and a hint of what belongs there), before the next section the kind
//!   lists, or at the end;
//! - `unknown-field`: replace the key with the one the finding suggests
//!   (`validate::unknown_key_suggestion`, the finding's own "did you
//!   mean");
//! - a finding about a commit (the history rules): add an `accept` entry
//!   for that commit to the document's front matter, its reason left for
//!   the author to write (a placeholder reason accepts nothing, and says
//!   so, until it is written).

use crate::cursor::At;
use crate::workspace::Workspace;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, NumberOrString, Position,
    Range, TextDocumentPositionParams, TextEdit, WorkspaceEdit,
};
use pilotbook_core::diagnostics::Diagnostic;
use pilotbook_core::model::Entity;
use pilotbook_core::rules::Rule;
use pilotbook_core::source::Position as At1;
use pilotbook_core::validate::{configured_name, section_stub, unknown_key_suggestion};
use std::collections::HashMap;

/// The reason an `accept` entry is written with: a placeholder, which
/// `placeholder-value` reports until the author says why.
const REASON: &str = "TODO: why this finding is accepted";

/// Answer `textDocument/codeAction`.
pub fn code_actions(ws: &Workspace, p: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
    let position = TextDocumentPositionParams {
        text_document: p.text_document.clone(),
        position: p.range.start,
    };
    let at = At::find(ws, &position)?;
    let entity = at.entity()?;
    let uri = ws.uri(&at.path)?;
    let mut out = Vec::new();
    for d in findings(&at, &p) {
        let Some((title, edit)) = fix(&at, entity, d) else {
            continue;
        };
        let lsp = crate::diagnostics::to_lsp(d, at.text, &at.index);
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![lsp]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(d.rule != Rule::MissingRecommendedSection),
            ..CodeAction::default()
        }));
    }
    Some(out)
}

/// The document's findings the request is about: on the lines of its
/// range, or the ones the client sent back.
fn findings<'a>(at: &At<'a>, p: &CodeActionParams) -> Vec<&'a Diagnostic> {
    let (first, last) = (p.range.start.line + 1, p.range.end.line + 1);
    let sent: Vec<(String, u32)> = (p.context.diagnostics.iter())
        .filter_map(|d| match &d.code {
            Some(NumberOrString::String(code)) => Some((code.clone(), d.range.start.line + 1)),
            _ => None,
        })
        .collect();
    (at.loaded.report.diagnostics.iter())
        .filter(|d| d.path == at.path && d.accepted.is_none())
        .filter(|d| {
            let line = d.position.line;
            (first..=last).contains(&line)
                || sent
                    .iter()
                    .any(|(code, l)| code == d.rule.name() && *l == line)
        })
        .collect()
}

/// The fix for one finding: its title and edit.
fn fix(at: &At, entity: &Entity, d: &Diagnostic) -> Option<(String, TextEdit)> {
    match d.rule {
        Rule::MissingSection | Rule::MissingRecommendedSection => missing_section(at, entity, d),
        Rule::UnknownField => mistyped_key(at, entity, d),
        _ if d.commit.is_some() => accept(at, entity, d),
        _ => None,
    }
}

fn missing_section(at: &At, entity: &Entity, d: &Diagnostic) -> Option<(String, TextEdit)> {
    let name = d.section.as_deref()?;
    let kind = &at.loaded.project.config.kinds[entity.kind];
    let sections = &entity.document.as_ref()?.parsed.sections;
    let names: Vec<Option<&str>> = (sections.iter())
        .map(|s| configured_name(kind, &s.key))
        .collect();
    // Written but empty: the fix is to write it, not to add another.
    if names.contains(&Some(name)) {
        return None;
    }
    let order: Vec<&String> = (kind.required_sections.iter())
        .chain(&kind.recommended_sections)
        .collect();
    let rank = |n: &str| order.iter().position(|o| *o == n);
    let mine = rank(name)?;
    let next = (sections.iter().zip(&names))
        .find(|(_, n)| n.and_then(rank).is_some_and(|r| r > mine))
        .map(|(s, _)| s.heading.position.line);
    let stub = section_stub(name);
    let (position, text) = match next {
        Some(line) => (Position::new(line - 1, 0), format!("{}\n", &stub[1..])),
        None => {
            let end = end_of(at.text, &at.index);
            let text = if at.text.ends_with('\n') || at.text.is_empty() {
                stub
            } else {
                format!("\n{stub}")
            };
            (end, text)
        }
    };
    let title = format!("Add the `{name}` section");
    Some((title, TextEdit::new(Range::new(position, position), text)))
}

fn mistyped_key(at: &At, entity: &Entity, d: &Diagnostic) -> Option<(String, TextEdit)> {
    let kind = &at.loaded.project.config.kinds[entity.kind];
    let field = d.field.as_deref()?;
    let (entry_of, key) = match d.item.as_deref() {
        Some(key) => (Some(field), key),
        None => (None, field),
    };
    let suggested = unknown_key_suggestion(kind, entry_of, key)?;
    let range = crate::text::range_of(at.text, &at.index, d.position, d.width);
    let title = format!("Change `{key}` to `{suggested}`");
    Some((title, TextEdit::new(range, suggested.to_string())))
}

fn accept(at: &At, entity: &Entity, d: &Diagnostic) -> Option<(String, TextEdit)> {
    let commit = d.commit.as_deref()?;
    let short = commit.get(..7).unwrap_or(commit);
    let rule = d.rule.name();
    let title = format!("Accept `{rule}` for commit {short}, with a reason");
    let first = at.index.line_text(at.text, 1)?.trim_end();
    let closing = (2..)
        .map_while(|n| Some((n, at.index.line_text(at.text, n)?)))
        .find(|(_, l)| l.trim_end() == first)
        .map(|(n, _)| n)?;
    let edit = match first {
        "---" => accept_yaml(at, entity, rule, short, closing)?,
        "+++" if entity.document.as_ref()?.field("pilotbook").is_none() => {
            let text = format!(
                "[[pilotbook.accept]]\nrule = \"{rule}\"\ncommit = \"{short}\"\nreason = \"{REASON}\"\n"
            );
            let at = Position::new(closing - 1, 0);
            TextEdit::new(Range::new(at, at), text)
        }
        _ => return None,
    };
    Some((title, edit))
}

/// The YAML `accept` entry: a new `pilotbook` block before the closing
/// `---`, or a new first item of a block-style `accept` list.
fn accept_yaml(
    at: &At,
    entity: &Entity,
    rule: &str,
    commit: &str,
    closing: u32,
) -> Option<TextEdit> {
    let entry = |indent: &str| {
        format!(
            "{indent}- rule: {rule}\n{indent}  commit: {commit}\n{indent}  reason: \"{REASON}\"\n"
        )
    };
    let Some(block) = entity.document.as_ref()?.field("pilotbook") else {
        let text = format!("pilotbook:\n  accept:\n{}", entry("    "));
        let at = Position::new(closing - 1, 0);
        return Some(TextEdit::new(Range::new(at, at), text));
    };
    let first = match &block.get("accept")?.value {
        pilotbook_core::parse::Value::List(items) => items.first()?,
        _ => return None,
    };
    let line = at.index.line_text(at.text, first.position.line)?;
    let indent = &line[..line.len() - line.trim_start_matches(' ').len()];
    if !line[indent.len()..].starts_with("- ") {
        return None;
    }
    let at = Position::new(first.position.line - 1, 0);
    Some(TextEdit::new(Range::new(at, at), entry(indent)))
}

/// The editor's position of the end of `text`.
fn end_of(text: &str, index: &pilotbook_core::source::LineIndex) -> Position {
    let end = index.position(text, text.len());
    crate::text::to_lsp(text, index, At1::new(end.line, end.column))
}
