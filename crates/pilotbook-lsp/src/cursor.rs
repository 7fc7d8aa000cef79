//! What the cursor is on: the document's entity and the reference under
//! it (read from the linked model, which knows where every reference is
//! written), and, for completion, which front-matter key a value is being
//! typed for.
//!
//! Completion runs on text that is being typed and may not parse (`owner:`
//! with nothing after it yet, a list entry half written), so the key is
//! read from the lines themselves: the key before the cursor, and the
//! list it belongs to from the indentation above. That reading only
//! decides what to offer; what a value means is always the model's.

use crate::workspace::{Loaded, Workspace};
use lsp_types::{Position as LspPosition, TextDocumentPositionParams};
use pilotbook_core::model::{Entity, Reference};
use pilotbook_core::source::{LineIndex, Position};

/// A position in a document of the last load.
pub struct At<'w> {
    /// The load.
    pub loaded: &'w Loaded,
    /// The document's root-relative path.
    pub path: String,
    /// Its text, as checked.
    pub text: &'w str,
    /// Its line index.
    pub index: LineIndex,
    /// The cursor, as pilotbook counts (1-based, characters).
    pub position: Position,
    /// The cursor, as the editor counts.
    pub lsp: LspPosition,
    /// The document's entity, when it is a document of the portfolio.
    pub entity: Option<usize>,
}

impl<'w> At<'w> {
    /// Where the editor's cursor is, in a document of the last load.
    pub fn find(ws: &'w Workspace, p: &TextDocumentPositionParams) -> Option<At<'w>> {
        let path = ws.relative(&p.text_document.uri)?;
        let loaded = ws.loaded.as_ref()?;
        let text = loaded.project.source(&path)?;
        let index = LineIndex::new(text);
        let position = crate::text::from_lsp(text, &index, p.position);
        let entity = (loaded.project.portfolio.entities.iter())
            .position(|e| e.document.as_ref().is_some_and(|d| d.path == path));
        Some(At {
            loaded,
            path,
            text,
            index,
            position,
            lsp: p.position,
            entity,
        })
    }

    /// The document's entity.
    pub fn entity(&self) -> Option<&'w Entity> {
        self.loaded.project.portfolio.entities.get(self.entity?)
    }

    /// The reference written under the cursor, and the entity it points
    /// at (the first, where an id is duplicated).
    pub fn reference(&self) -> Option<(&'w Reference, usize)> {
        let entity = self.entity()?;
        let portfolio = &self.loaded.project.portfolio;
        let r = (entity.references.iter()).find(|r| self.covers(r.position, &r.target.id))?;
        Some((r, portfolio.position(&r.target)?))
    }

    /// Whether the cursor is on `id` written at `at` (quotes allowed).
    fn covers(&self, at: Position, id: &str) -> bool {
        let width = u32::try_from(id.chars().count()).unwrap_or(u32::MAX);
        at.line == self.position.line
            && self.position.column >= at.column
            && self.position.column <= at.column.saturating_add(width).saturating_add(2)
    }

    /// The text of the cursor's line, up to the cursor.
    pub fn before_cursor(&self) -> &'w str {
        let Some(start) = self.index.line_start(self.position.line) else {
            return "";
        };
        let end = crate::text::offset(self.text, &self.index, self.lsp);
        self.text.get(start..end.max(start)).unwrap_or("")
    }

    /// Whether the cursor's line is inside the YAML front matter.
    pub fn in_front_matter(&self) -> bool {
        let Some(first) = self.index.line_text(self.text, 1) else {
            return false;
        };
        if first.trim_end() != "---" || self.position.line < 2 {
            return false;
        }
        let closing = (2..=self.position.line)
            .filter_map(|n| self.index.line_text(self.text, n))
            .any(|l| l.trim_end() == "---" || l.trim_end() == "...");
        !closing
    }

    /// The front-matter key a value is being typed for at the cursor.
    pub fn value_slot(&self) -> Option<Slot> {
        if !self.in_front_matter() {
            return None;
        }
        let line = Line::read(self.before_cursor())?;
        let own = match &line.key {
            Some((key, value)) => {
                if value.contains('#') {
                    return None;
                }
                Some(key.clone())
            }
            None => None,
        };
        let (typed, _) = line.value();
        let parent = self.parent_key(&line);
        if parent.is_none() && own.is_none() {
            return None;
        }
        Some(Slot {
            list: parent,
            key: own,
            typed: typed.to_string(),
        })
    }

    /// The top-level key whose value the cursor's line is part of (a list
    /// entry, a nested key): the nearest unindented key above it. `None`
    /// for a line that is a top-level key itself.
    fn parent_key(&self, line: &Line) -> Option<String> {
        if line.dash.is_none() && line.key_column == 0 {
            return None;
        }
        (1..self.position.line).rev().find_map(|n| {
            let above = self.index.line_text(self.text, n).and_then(Line::read)?;
            match (&above.key, above.dash, above.key_column) {
                (Some((key, _)), None, 0) => Some(key.clone()),
                _ => None,
            }
        })
    }
}

/// Where a front-matter value is being typed.
#[derive(Debug, PartialEq, Eq)]
pub struct Slot {
    /// The top-level list (or mapping) key the line is in, if indented.
    pub list: Option<String>,
    /// The key on the line (`None` for a plain `- ` item).
    pub key: Option<String>,
    /// What is typed of the value so far (without an opening quote).
    pub typed: String,
}

/// One YAML line as completion reads it.
#[derive(Debug)]
struct Line {
    /// The column of a leading `- `.
    dash: Option<usize>,
    /// The column where the key (or the item's value) starts.
    key_column: usize,
    /// The key and what follows its `:`.
    key: Option<(String, String)>,
    /// For a `- ` item without a key, its text.
    item: Option<String>,
}

impl Line {
    fn read(text: &str) -> Option<Line> {
        let indent = text.len() - text.trim_start_matches(' ').len();
        let rest = &text[indent..];
        if rest.starts_with('#') {
            return None;
        }
        let (dash, body, key_column) = match rest
            .strip_prefix("- ")
            .or_else(|| (rest == "-").then_some(""))
        {
            Some(body) => {
                let pad = body.len() - body.trim_start_matches(' ').len();
                (Some(indent), &body[pad..], indent + 2 + pad)
            }
            None => (None, rest, indent),
        };
        let key_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(body.len());
        let key = match body[key_len..].strip_prefix(':') {
            Some(value) if key_len > 0 => Some((body[..key_len].to_string(), value.to_string())),
            _ => None,
        };
        let item = match (&key, dash) {
            (None, Some(_)) => Some(body.to_string()),
            _ => None,
        };
        if key.is_none() && item.is_none() {
            return None;
        }
        Some(Line {
            dash,
            key_column,
            key,
            item,
        })
    }

    /// The value typed so far, without its quote, and whether it is quoted.
    fn value(&self) -> (&str, bool) {
        let raw = match (&self.key, &self.item) {
            (Some((_, value)), _) => value.as_str(),
            (None, Some(item)) => item.as_str(),
            (None, None) => "",
        };
        let raw = raw.trim_start();
        match raw.strip_prefix(['"', '\'']) {
            Some(inner) => (inner, true),
            None => (raw, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Line;

    #[test]
    fn lines_read_keys_items_and_dashes() {
        let line = Line::read("  - metric: acc").expect("a line");
        assert_eq!(line.dash, Some(2));
        assert_eq!(line.key_column, 4);
        assert_eq!(line.key.as_ref().map(|k| k.0.as_str()), Some("metric"));
        assert_eq!(line.value(), ("acc", false));
        let line = Line::read("owner: \"da").expect("a line");
        assert_eq!(line.value(), ("da", true));
        let line = Line::read("  - ").expect("an item");
        assert_eq!(line.item.as_deref(), Some(""));
        assert!(Line::read("# a comment").is_none());
    }
}
