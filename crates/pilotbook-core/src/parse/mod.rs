//! Bytes of one file → a [`ParsedDocument`] and its diagnostics. Never fails.
//!
//! This stage decodes the file (UTF-8, with or without BOM, LF or CRLF),
//! splits off the front matter, parses it into a position-carrying
//! [`Node`] tree (YAML or TOML), and reads the Markdown body's outline:
//! its H1 title and its sections. Whatever cannot be read becomes a
//! `front-matter` diagnostic with the file's own line and column, and the
//! document is still returned, so one bad file never hides the others.
//!
//! Only this module sees pulldown-cmark events and the YAML/TOML parsers'
//! types; the stages after it work on [`Node`] and [`Section`].

pub mod borrowed;
pub mod frontmatter;
pub mod html;
pub mod links;
pub mod markdown;
pub mod node;
mod outline_fast;
pub mod quantity;
mod toml_fm;
mod yaml;
mod yaml_fast;

pub use markdown::{Heading, Section, normalize_heading};
pub use node::{Key, Node, Scalar, ScalarKind, Value};

use crate::config::Limits;
use crate::diagnostics::Diagnostic;
use crate::rules::Rule;
use crate::source::{LineIndex, Position};

/// One file, read.
#[derive(Debug, Clone)]
pub struct ParsedDocument {
    /// The decoded text (a UTF-8 BOM removed); empty when it could not be decoded.
    pub text: String,
    /// Whether the text could be decoded at all.
    pub readable: bool,
    /// The front matter, a mapping; `None` when there is none or it failed to parse.
    pub front_matter: Option<Node>,
    /// Whether a front matter was present but could not be parsed.
    pub front_matter_failed: bool,
    /// Byte offset in `text` where the Markdown body starts.
    pub body_offset: usize,
    /// The first top-level `#` heading.
    pub h1: Option<Heading>,
    /// The body's H2 sections, in order.
    pub sections: Vec<Section>,
    /// What went wrong while reading.
    pub diagnostics: Vec<Diagnostic>,
    /// The front-matter keys read from elsewhere: a sidecar metadata file
    /// or the body's leading `- Key: value` lines.
    pub borrowed: Option<Borrowed>,
    /// The text's hash, worked out the first time it is asked for.
    digest: std::sync::OnceLock<[u8; 32]>,
}

/// Front-matter keys a document's kind reads from elsewhere
/// (`metadata_file`, `metadata = "body-list"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Borrowed {
    /// Each key, as written in the merged front matter, with the file it
    /// is written in (root-relative): the sidecar, or the document itself
    /// for body lines.
    pub keys: Vec<(String, String)>,
}

impl ParsedDocument {
    /// The Markdown body.
    pub fn body(&self) -> &str {
        self.text.get(self.body_offset..).unwrap_or("")
    }

    /// The BLAKE3 hash of the text, worked out once per parse: `serve`
    /// and `lsp` keep a parse while its file is unchanged, so a rebuild
    /// that compares what pages read does not hash it again. (The text
    /// is never changed after parsing; borrowed metadata changes only the
    /// front matter.)
    pub fn digest(&self) -> &[u8; 32] {
        self.digest
            .get_or_init(|| *blake3::hash(self.text.as_bytes()).as_bytes())
    }
}

/// Parse one file with the default [`Limits`]. `path` is the report path
/// used in diagnostics.
pub fn parse_document(path: &str, bytes: &[u8]) -> ParsedDocument {
    parse_owned_with(path, bytes.to_vec(), &Limits::default())
}

/// Parse one file that the caller owns, without copying its text, with the
/// default [`Limits`].
pub fn parse_owned(path: &str, bytes: Vec<u8>) -> ParsedDocument {
    parse_owned_with(path, bytes, &Limits::default())
}

/// A document that is not read at all: too large, not text, or not on disk.
/// Its one diagnostic says why, at the file's first byte.
pub fn unreadable(path: &str, diagnostic: Diagnostic) -> ParsedDocument {
    ParsedDocument {
        text: String::new(),
        readable: false,
        front_matter: None,
        front_matter_failed: false,
        body_offset: 0,
        h1: None,
        sections: Vec::new(),
        diagnostics: vec![Diagnostic {
            path: path.to_string(),
            ..diagnostic
        }],
        borrowed: None,
        digest: Default::default(),
    }
}

/// The `unreadable-file` finding for a file larger than `max_bytes`.
pub fn too_large(path: &str, len: u64, max_bytes: u64) -> Diagnostic {
    Diagnostic::new(
        Rule::UnreadableFile,
        path,
        Position::START,
        format!("the file is {len} bytes; pilotbook reads documents of at most {max_bytes} bytes"),
    )
    .help("split the document, move data out of it, or raise `[limits] max_file_bytes` in pilotbook.toml")
}

/// The bytes a Markdown parser may make a node of: line ends, and the
/// marks that open or close something inside a line or a container.
const MARKS: [bool; 256] = {
    let mut table = [false; 256];
    let marks = b"\n*_~`[]!<&|\\>-+.)#";
    let mut i = 0;
    while i < marks.len() {
        table[marks[i] as usize] = true;
        i += 1;
    }
    table
};

/// How many [`MARKS`] a text has: an upper bound on the elements its
/// Markdown can make, found in one pass without parsing. The parser's tree
/// costs tens of bytes per element, whatever the file's size, so this is
/// what `[limits] max_markdown_marks` caps.
pub fn markdown_marks(text: &[u8]) -> usize {
    text.iter().filter(|&&b| MARKS[usize::from(b)]).count()
}

/// The `unreadable-file` finding for a file larger than the HTML cap.
fn too_large_to_publish(path: &str, len: u64, max_html_bytes: usize) -> Diagnostic {
    Diagnostic::new(
        Rule::UnreadableFile,
        path,
        Position::START,
        format!(
            "the file is {len} bytes; pilotbook publishes documents of at most {max_html_bytes} bytes of HTML, and reads none larger"
        ),
    )
    .help("split the document, move data out of it, or raise `[limits] max_html_bytes` in pilotbook.toml")
}

/// The `unreadable-file` finding for a file with more marks than `limit`.
fn too_much_markup(path: &str, marks: usize, limit: usize) -> Diagnostic {
    Diagnostic::new(
        Rule::UnreadableFile,
        path,
        Position::START,
        format!(
            "the file has {marks} lines and Markdown marks (`*`, `_`, `[`, `<`, `|`, `>`, `-`, …); pilotbook reads documents of at most {limit}"
        ),
    )
    .help("split the document, move data out of it, or raise `[limits] max_markdown_marks` in pilotbook.toml")
}

/// Parse one file that the caller owns within `limits`.
pub fn parse_owned_with(path: &str, bytes: Vec<u8>, limits: &Limits) -> ParsedDocument {
    let len = bytes.len() as u64;
    if len > limits.max_file_bytes {
        return unreadable(path, too_large(path, len, limits.max_file_bytes));
    }
    // A body's HTML is about as long as its text or longer: a file past
    // the HTML cap could only be refused later, by `build`, after costing
    // its parse. Refused here, `check` says so too.
    if len > limits.max_html_bytes as u64 {
        return unreadable(path, too_large_to_publish(path, len, limits.max_html_bytes));
    }
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(Undecodable { why, at }) => {
            return unreadable(
                path,
                Diagnostic::new(Rule::UnreadableFile, path, at, why)
                    .help("save the file as UTF-8 text"),
            );
        }
    };
    let marks = markdown_marks(text.as_bytes());
    if marks > limits.max_markdown_marks {
        return unreadable(
            path,
            too_much_markup(path, marks, limits.max_markdown_marks),
        );
    }
    let mut doc = ParsedDocument {
        text: String::new(),
        readable: true,
        front_matter: None,
        front_matter_failed: false,
        body_offset: 0,
        h1: None,
        sections: Vec::new(),
        diagnostics: Vec::new(),
        borrowed: None,
        digest: Default::default(),
    };
    let lines = LineIndex::new(&text);
    let fm = frontmatter::read_capped(path, &text, &lines, limits.max_front_matter_bytes);
    doc.front_matter = fm.node;
    doc.front_matter_failed = fm.failed;
    doc.body_offset = fm.body_offset;
    doc.diagnostics.extend(fm.diagnostics);
    let outline = markdown::outline(&text, fm.body_offset, &lines);
    doc.h1 = outline.h1;
    doc.sections = outline.sections;
    doc.text = text;
    doc
}

/// Why bytes are not text, and where.
struct Undecodable {
    why: String,
    /// The line and column of the first byte that is not.
    at: Position,
}

/// UTF-8 (a BOM is dropped); anything else is refused with the byte offset,
/// and the line and column of the offending byte.
fn decode(mut bytes: Vec<u8>) -> Result<String, Undecodable> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let order = if bytes[0] == 0xFF { "LE" } else { "BE" };
        return Err(Undecodable {
            why: format!(
                "the file is UTF-16{order} (byte order mark at byte offset 0); pilotbook reads UTF-8"
            ),
            at: Position::START,
        });
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    // A NUL is valid UTF-8 but never in a text document: it is UTF-16
    // without a byte order mark, or a binary file.
    if let Some(at) = memchr::memchr(0, &bytes) {
        return Err(Undecodable {
            why: format!(
                "the file contains a NUL byte at byte offset {at}: it is binary or UTF-16 without a byte order mark, not UTF-8 text"
            ),
            at: byte_position(
                &bytes[if bom { 3 } else { 0 }..],
                at - if bom { 3 } else { 0 },
            ),
        });
    }
    if bom {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        // Offsets count from the file's first byte, BOM included.
        let offset = valid + if bom { 3 } else { 0 };
        Undecodable {
            why: format!("the file is not valid UTF-8 (byte offset {offset})"),
            at: byte_position(e.as_bytes(), valid),
        }
    })
}

/// The line and column of byte `offset` in bytes that may not be text:
/// lines end at `\n`, columns count characters of the line up to the
/// byte (each byte that does not continue a UTF-8 sequence starts one),
/// as [`LineIndex`] counts in text (`bytes` start after any BOM).
fn byte_position(bytes: &[u8], offset: usize) -> Position {
    let before = &bytes[..offset.min(bytes.len())];
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let column = before[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    Position::new(crate::source::to_u32(line), crate::source::to_u32(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undecodable_bytes_are_located() {
        let first = |bytes: &[u8]| parse_document("a.md", bytes).diagnostics[0].clone();
        let at = |bytes: &[u8]| {
            let p = first(bytes).position;
            (p.line, p.column)
        };
        // A Latin-1 `é` on line 3, after a two-byte `ç` on the same line.
        let latin1 = b"---\nname: x\n\xc3\xa7a\xe9\n---\n";
        assert_eq!(at(latin1), (3, 3));
        assert!(first(latin1).message.contains("byte offset 15"));
        assert_eq!(at(b"a\r\nb\x00"), (2, 2));
        // After a BOM the offset counts it, the column does not.
        assert_eq!(at(b"\xef\xbb\xbfab\xff"), (1, 3));
        assert!(
            first(b"\xef\xbb\xbfab\xff")
                .message
                .contains("byte offset 5")
        );
        assert_eq!(at(b"\xff\xfea\x00"), (1, 1));
    }
}
