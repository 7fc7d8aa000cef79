//! Positions and names as the editor and pilotbook each count them.
//!
//! pilotbook points at 1-based lines and columns counted in characters
//! (`pilotbook_core::source`); the Language Server Protocol counts 0-based
//! lines and columns in UTF-16 code units, so an emoji before a finding
//! moves it two columns for the editor and one for pilotbook. Every
//! conversion between the two lives here, as do the editor's incremental
//! edits and the `file://` URIs that name documents. Nothing here knows
//! what a document means.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent, Uri};
use pilotbook_core::source::{LineIndex, Position as At};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The text of 0-based line `line`, without its line ending.
fn line_text<'t>(text: &'t str, index: &LineIndex, line: u32) -> Option<&'t str> {
    index.line_text(text, line.checked_add(1)?)
}

/// pilotbook's position (1-based, characters) as the editor's (0-based,
/// UTF-16). A column past the line's end stays past it by as many
/// characters, which editors clamp.
pub fn to_lsp(text: &str, index: &LineIndex, at: At) -> Position {
    let line = at.line.saturating_sub(1);
    let chars = at.column.saturating_sub(1) as usize;
    let Some(content) = line_text(text, index, line) else {
        return Position::new(line, at.column.saturating_sub(1));
    };
    let mut units = 0usize;
    let mut seen = 0usize;
    for c in content.chars().take(chars) {
        units += c.len_utf16();
        seen += 1;
    }
    units += chars - seen;
    Position::new(line, u32::try_from(units).unwrap_or(u32::MAX))
}

/// The range a finding covers: `width` characters from `at`, kept on its
/// line (at least one character, so that editors show it).
pub fn range_of(text: &str, index: &LineIndex, at: At, width: u32) -> Range {
    let start = to_lsp(text, index, at);
    let line_chars = line_text(text, index, start.line).map_or(0, |l| l.chars().count());
    let first = at.column.saturating_sub(1) as usize;
    let last = (first + width.max(1) as usize).min(line_chars.max(first + 1));
    let end_at = At::new(at.line, u32::try_from(last + 1).unwrap_or(u32::MAX));
    Range::new(start, to_lsp(text, index, end_at))
}

/// The byte offset of the editor's position in `text`, clamped to the
/// line's end and the text's end (a client may point past either).
pub fn offset(text: &str, index: &LineIndex, at: Position) -> usize {
    let Some(start) = at.line.checked_add(1).and_then(|l| index.line_start(l)) else {
        return text.len();
    };
    let content = line_text(text, index, at.line).unwrap_or("");
    let mut units = 0usize;
    for (i, c) in content.char_indices() {
        if units >= at.character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    start + content.len()
}

/// pilotbook's position (1-based line and character column) of the
/// editor's position.
pub fn from_lsp(text: &str, index: &LineIndex, at: Position) -> At {
    let offset = offset(text, index, at);
    index.position(text, offset)
}

/// Apply one change the editor sent: a range replaced, or (without a
/// range) the whole text.
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let index = LineIndex::new(text);
    let start = offset(text, &index, range.start);
    let end = offset(text, &index, range.end).max(start);
    text.replace_range(start..end, &change.text);
}

/// The file a `file://` URI names, percent-decoded; `None` for any other
/// scheme or a URI that does not decode to UTF-8.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://localhost/x` and `file:///x` name the same file.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let mut bytes = Vec::with_capacity(rest.len());
    let raw = rest.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (raw[i], raw.get(i + 1).copied(), raw.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                bytes.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// The `file://` URI of an absolute path, percent-encoding every byte
/// but the unreserved ones and `/`.
pub fn path_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let mut out = String::from("file://");
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Uri::from_str(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_for_the_editor() {
        let text = "a: 😀x\nb\n";
        let index = LineIndex::new(text);
        // `x` is pilotbook's column 5 (a, :, space, emoji, x): UTF-16 unit 5.
        assert_eq!(to_lsp(text, &index, At::new(1, 5)), Position::new(0, 5));
        assert_eq!(from_lsp(text, &index, Position::new(0, 5)), At::new(1, 5));
        assert_eq!(to_lsp(text, &index, At::new(2, 1)), Position::new(1, 0));
        let range = range_of(text, &index, At::new(1, 4), 2);
        assert_eq!(range, Range::new(Position::new(0, 3), Position::new(0, 6)));
    }

    #[test]
    fn changes_replace_ranges_in_utf16_units() {
        let mut text = "é😀b\nsecond\n".to_string();
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(0, 1), Position::new(0, 3))),
            range_length: None,
            text: "-".into(),
        };
        apply_change(&mut text, change);
        assert_eq!(text, "é-b\nsecond\n");
        // Past the end of a line or the text: clamped, never a panic.
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(1, 99), Position::new(9, 0))),
            range_length: None,
            text: "!".into(),
        };
        apply_change(&mut text, change);
        assert_eq!(text, "é-b\nsecond!");
    }

    #[test]
    fn uris_round_trip_with_escapes() {
        let path = Path::new("/tmp/a b/pilots/ü.md");
        let uri = path_uri(path).expect("a URI");
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/pilots/%C3%BC.md");
        assert_eq!(uri_path(&uri).as_deref(), Some(path));
        let other = Uri::from_str("untitled:Untitled-1").expect("a URI");
        assert_eq!(uri_path(&other), None);
    }
}
