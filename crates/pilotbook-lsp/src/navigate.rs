//! Go to definition and find references, from the linked model: every
//! reference knows where it is written and what it points at, and every
//! entity who refers to it (its backlinks), so both directions are
//! lookups, not searches of the text.

use crate::cursor::At;
use crate::workspace::{Loaded, Workspace};
use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location, Range, ReferenceParams};
use pilotbook_core::model::EntityRef;
use pilotbook_core::source::LineIndex;

/// Answer `textDocument/definition`: on a referenced id, the document that
/// defines it (nothing for an id without a document).
pub fn definition(ws: &Workspace, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = At::find(ws, &p.text_document_position_params)?;
    let (_, target) = at.reference()?;
    let doc = at.loaded.project.portfolio.entities[target]
        .document
        .as_ref()?;
    let location = Location::new(ws.uri(&doc.path)?, Range::default());
    Some(GotoDefinitionResponse::Scalar(location))
}

/// Answer `textDocument/references`: everything that names the entity
/// under the cursor (a referenced id), or else the document's own entity,
/// with the document itself when the client asks for the declaration.
pub fn references(ws: &Workspace, p: ReferenceParams) -> Option<Vec<Location>> {
    let at = At::find(ws, &p.text_document_position)?;
    let target = match at.reference() {
        Some((_, target)) => target,
        None => at.entity?,
    };
    let loaded = at.loaded;
    let entity = &loaded.project.portfolio.entities[target];
    let mut out = Vec::new();
    if p.context.include_declaration
        && let Some(doc) = &entity.document
    {
        out.push(Location::new(ws.uri(&doc.path)?, Range::default()));
    }
    out.extend(naming(ws, loaded, &entity.as_ref()));
    Some(out)
}

/// Where each document that refers to `target` names it, in the model's
/// order (by kind, id, then position in the document).
fn naming(ws: &Workspace, loaded: &Loaded, target: &EntityRef) -> Vec<Location> {
    let portfolio = &loaded.project.portfolio;
    let Some(i) = portfolio.position(target) else {
        return Vec::new();
    };
    let mut sources: Vec<usize> = (portfolio.entities[i].referenced_by.iter())
        .map(|b| b.source)
        .collect();
    sources.dedup();
    let mut out = Vec::new();
    for source in sources {
        let Some(doc) = &portfolio.entities[source].document else {
            continue;
        };
        let (Some(uri), Some(text)) = (ws.uri(&doc.path), loaded.project.source(&doc.path)) else {
            continue;
        };
        let index = LineIndex::new(text);
        let width = u32::try_from(target.id.chars().count()).unwrap_or(1);
        for r in (portfolio.entities[source].references.iter()).filter(|r| r.target == *target) {
            let range = crate::text::range_of(text, &index, r.position, width);
            out.push(Location::new(uri.clone(), range));
        }
    }
    out
}
