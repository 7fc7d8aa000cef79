//! Source text and positions.
//!
//! Every diagnostic points at a 1-based line and column of the file as the
//! user sees it. This module owns the one conversion from byte offsets to
//! those positions, so that config errors, front-matter errors and Markdown
//! findings all count lines and columns the same way: lines end at `\n`
//! (a `\r` before it belongs to the line ending), columns count characters.

/// A byte offset turned into what a person reads: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Position {
    /// The first character of a file.
    pub const START: Position = Position { line: 1, column: 1 };

    /// A position from 1-based line and column numbers.
    pub fn new(line: u32, column: u32) -> Self {
        Position { line, column }
    }
}

/// Line starts of a text, for turning byte offsets into positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The position of byte `offset` in `text` (the text this index was made from).
    /// Offsets past the end, or inside a character, are clamped.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = text[start..end].chars().count() + 1;
        Position {
            line: to_u32(line + 1),
            column: to_u32(column),
        }
    }

    /// Byte offset where 1-based `line` starts, if the text has that line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.starts.get((line as usize).checked_sub(1)?).copied()
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let start = self.line_start(line)?;
        let end = self
            .starts
            .get(line as usize)
            .copied()
            .unwrap_or(text.len());
        let raw = text.get(start..end)?;
        Some(raw.trim_end_matches(['\n', '\r']))
    }
}

/// Saturating conversion: files with more than four billion lines do not exist
/// in practice, and a wrong number beats a panic.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\r\nçd\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position::new(1, 1));
        assert_eq!(idx.position(text, 4), Position::new(2, 1));
        // `ç` is two bytes: the `d` after it is the second character.
        assert_eq!(idx.position(text, 6), Position::new(2, 2));
        assert_eq!(idx.position(text, 8), Position::new(3, 1));
        assert_eq!(idx.line_text(text, 1), Some("ab"));
        assert_eq!(idx.line_text(text, 3), Some("x"));
        assert_eq!(idx.line_text(text, 4), None);
    }
}
