//! Where the front matter is, and what it says.
//!
//! A front matter is a block that opens on the file's first line with `---`
//! (YAML) or `+++` (TOML) and closes at the next line that is the same
//! delimiter. gray_matter does the split; this module checks its boundary
//! first, because gray_matter reads an unterminated block as body text and
//! reports positions relative to the block: here every position is the
//! file's own line and column, and an unterminated block is an error.

use super::node::{Node, Value};
use super::{toml_fm, yaml};
use crate::diagnostics::Diagnostic;
use crate::rules::Rule;
use crate::source::{LineIndex, Position};
use gray_matter::engine::Engine;
use gray_matter::{Matter, Pod};

/// Largest front matter read by default, in bytes: a document's metadata,
/// not a data set (`[limits] max_front_matter_bytes`).
pub const MAX_FRONT_MATTER_BYTES: usize = 256 * 1024;

/// The front matter of one file.
#[derive(Debug, Default)]
pub struct FrontMatter {
    /// The parsed mapping, if there was a readable one.
    pub node: Option<Node>,
    /// A front matter was there but could not be read.
    pub failed: bool,
    /// Where the Markdown body starts.
    pub body_offset: usize,
    /// What went wrong.
    pub diagnostics: Vec<Diagnostic>,
}

/// The front-matter syntaxes, by opening delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `---`
    Yaml,
    /// `+++`
    Toml,
}

impl Syntax {
    fn delimiter(self) -> &'static str {
        match self {
            Syntax::Yaml => "---",
            Syntax::Toml => "+++",
        }
    }
}

/// gray_matter's engine that does not parse: the split is all we take from
/// it, since its YAML engine has no positions and no limits.
struct SplitOnly;

impl Engine for SplitOnly {
    fn parse(_content: &str) -> gray_matter::Result<Pod> {
        Ok(Pod::Null)
    }
}

/// The lines of `text` with their byte ranges, without line endings.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |raw| {
        let at = start;
        start += raw.len();
        (at, raw.trim_end_matches(['\n', '\r']))
    })
}

/// Find and parse the front matter of `text`, at most
/// [`MAX_FRONT_MATTER_BYTES`] of it.
pub fn read(path: &str, text: &str, lines: &LineIndex) -> FrontMatter {
    read_capped(path, text, lines, MAX_FRONT_MATTER_BYTES)
}

/// Find and parse the front matter of `text`; a block larger than
/// `max_bytes` is refused before it is parsed.
pub fn read_capped(path: &str, text: &str, lines: &LineIndex, max_bytes: usize) -> FrontMatter {
    let mut out = FrontMatter::default();
    let mut iter = lines_with_offsets(text);
    let Some((_, first)) = iter.next() else {
        return out;
    };
    let syntax = match first.trim_end() {
        "---" => Syntax::Yaml,
        "+++" => Syntax::Toml,
        _ => {
            misplaced_delimiter(path, text, first, lines, &mut out);
            return out;
        }
    };
    let delimiter = syntax.delimiter();
    let matter_start = text.find('\n').map_or(text.len(), |i| i + 1);
    let closing = iter.find(|(_, line)| line.trim_end() == delimiter);
    let Some((close_at, close_line)) = closing else {
        out.failed = true;
        out.body_offset = matter_start;
        out.diagnostics.push(
            Diagnostic::new(
                Rule::FrontMatter,
                path,
                Position::START,
                format!("the front matter opened with `{delimiter}` on line 1 is never closed"),
            )
            .width(3)
            .help(format!(
                "end the front matter with a line that is exactly `{delimiter}` (for a horizontal rule at the top, put a line of text before it)"
            )),
        );
        return out;
    };
    let after_close = close_at + close_line.len();
    out.body_offset = text[after_close..]
        .find('\n')
        .map_or(text.len(), |i| after_close + i + 1);
    let region = &text[matter_start..close_at];

    if region.len() > max_bytes {
        out.failed = true;
        out.diagnostics.push(
            Diagnostic::new(
                Rule::FrontMatter,
                path,
                Position::START,
                format!(
                    "the front matter is {} bytes; pilotbook reads at most {max_bytes}",
                    region.len(),
                ),
            )
            .width(3)
            .help("move long content into the document body, or raise `[limits] max_front_matter_bytes` in pilotbook.toml"),
        );
        return out;
    }

    // gray_matter splits the same block; where it finds none the block is
    // only whitespace and there is nothing to parse.
    // It is handed the block alone: the body is no business of a splitter.
    let mut matter = Matter::<SplitOnly>::new();
    matter.delimiter = delimiter.to_string();
    let has_content = matter
        .parse::<serde::de::IgnoredAny>(&text[..after_close])
        .map(|entity| !entity.matter.is_empty())
        .unwrap_or(true);
    if !has_content && region.trim().is_empty() {
        out.node = Some(Node {
            value: Value::Map(Vec::new()),
            position: Position::new(2, 1),
        });
        return out;
    }

    parse_block(&mut out, path, syntax, text, matter_start..close_at, lines);
    out
}

/// Read a whole YAML file at `path` (a sidecar metadata file) as front
/// matter: a mapping, or a finding located in that file.
pub fn read_yaml_file(path: &str, text: &str) -> FrontMatter {
    let mut out = FrontMatter::default();
    if text.trim().is_empty() {
        out.node = Some(Node {
            value: Value::Map(Vec::new()),
            position: Position::START,
        });
        return out;
    }
    let lines = LineIndex::new(text);
    parse_block(&mut out, path, Syntax::Yaml, text, 0..text.len(), &lines);
    out
}

/// Parse the block at `range` of `text` (between the delimiters) into
/// `out`: a mapping (or nothing, an empty one), else a diagnostic.
fn parse_block(
    out: &mut FrontMatter,
    path: &str,
    syntax: Syntax,
    text: &str,
    range: std::ops::Range<usize>,
    lines: &LineIndex,
) {
    let region = &text[range.clone()];
    let region_line = lines.position(text, range.start).line;
    let parsed = match syntax {
        Syntax::Yaml => yaml::parse(region, region_line),
        Syntax::Toml => toml_fm::parse(region, range.start, text, lines),
    };
    match parsed {
        Ok(node) => match node.value {
            Value::Map(_) => out.node = Some(node),
            Value::Null => {
                out.node = Some(Node {
                    value: Value::Map(Vec::new()),
                    position: node.position,
                })
            }
            _ => {
                out.failed = true;
                out.diagnostics.push(
                    Diagnostic::new(
                        Rule::FrontMatter,
                        path,
                        node.position,
                        format!(
                            "the front matter is {}, not a mapping of `key: value` lines",
                            node.describe()
                        ),
                    )
                    .help(if syntax == Syntax::Yaml && looks_like_toml(region) {
                        "this looks like TOML: put TOML front matter between `+++` lines, or write YAML `key: value` lines between `---`"
                    } else {
                        "write the front matter as `key: value` lines, e.g. `title: My pilot`"
                    }),
                );
            }
        },
        Err(e) => {
            out.failed = true;
            out.diagnostics
                .push(Diagnostic::new(Rule::FrontMatter, path, e.position, e.message).help(e.help));
        }
    }
}

/// Whether a block's first line is a TOML `key = value` or `[table]`.
fn looks_like_toml(region: &str) -> bool {
    let Some(line) = region
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return false;
    };
    (line.starts_with('[') && line.ends_with(']') && !line.contains(','))
        || line.split_once('=').is_some_and(|(k, _)| {
            let k = k.trim();
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'))
        })
}

/// A file whose front matter would be misread as body text: CR-only line
/// endings (the whole file is one line to a front-matter reader, while
/// Markdown reads the `---` as a heading underline), or a delimiter after
/// blank lines. Both are refused at the delimiter's line, never read as
/// something else.
fn misplaced_delimiter(
    path: &str,
    text: &str,
    first: &str,
    lines: &LineIndex,
    out: &mut FrontMatter,
) {
    let opens = |line: &str| matches!(line.trim_end(), "---" | "+++");
    if let Some(head) = first.split('\r').next()
        && first.contains('\r')
        && opens(head)
    {
        out.failed = true;
        out.diagnostics.push(
            Diagnostic::new(
                Rule::FrontMatter,
                path,
                Position::START,
                "the file's lines end in a bare carriage return (CR, classic Mac OS), so its front matter cannot be told from its body",
            )
            .width(3)
            .help("save the file with LF (or CRLF) line endings"),
        );
        return;
    }
    if !first.trim().is_empty() {
        return;
    }
    // Blank lines, then a delimiter that a later line closes: a front
    // matter that does not start on line 1.
    let mut rest = lines_with_offsets(text).skip_while(|(_, l)| l.trim().is_empty());
    let Some((at, line)) = rest.next() else {
        return;
    };
    if !opens(line) || !rest.any(|(_, l)| l.trim_end() == line.trim_end()) {
        return;
    }
    out.failed = true;
    out.diagnostics.push(
        Diagnostic::new(
            Rule::FrontMatter,
            path,
            lines.position(text, at),
            format!(
                "a front matter must start on line 1, but `{}` comes after blank lines",
                line.trim_end()
            ),
        )
        .width(3)
        .help("remove the blank lines before the front matter"),
    );
}

/// A front-matter syntax error.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// Where, in the file.
    pub position: Position,
    /// What.
    pub message: String,
    /// How to fix it.
    pub help: String,
}
