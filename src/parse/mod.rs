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

pub mod frontmatter;
pub mod markdown;
pub mod node;
mod outline_fast;
pub mod quantity;
mod toml_fm;
mod yaml;
mod yaml_fast;

pub use markdown::{Heading, Section, normalize_heading};
pub use node::{Key, Node, Scalar, ScalarKind, Value};

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
}

impl ParsedDocument {
    /// The Markdown body.
    pub fn body(&self) -> &str {
        self.text.get(self.body_offset..).unwrap_or("")
    }
}

/// Parse one file. `path` is the report path used in diagnostics.
pub fn parse_document(path: &str, bytes: &[u8]) -> ParsedDocument {
    parse_owned(path, bytes.to_vec())
}

/// Parse one file that the caller owns, without copying its text.
pub fn parse_owned(path: &str, bytes: Vec<u8>) -> ParsedDocument {
    let mut doc = ParsedDocument {
        text: String::new(),
        readable: false,
        front_matter: None,
        front_matter_failed: false,
        body_offset: 0,
        h1: None,
        sections: Vec::new(),
        diagnostics: Vec::new(),
    };
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(why) => {
            doc.diagnostics.push(
                Diagnostic::new(Rule::FrontMatter, path, Position::START, why)
                    .help("save the file as UTF-8"),
            );
            return doc;
        }
    };
    doc.readable = true;
    let lines = LineIndex::new(&text);
    let fm = frontmatter::read(path, &text, &lines);
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

/// UTF-8 (a BOM is dropped); anything else is refused with the byte offset.
fn decode(mut bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("the file is UTF-16; pilotbook reads UTF-8".to_string());
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    if bom {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        // Offsets count from the file's first byte, BOM included.
        let at = e.utf8_error().valid_up_to() + if bom { 3 } else { 0 };
        format!("the file is not valid UTF-8 (byte offset {at})")
    })
}
