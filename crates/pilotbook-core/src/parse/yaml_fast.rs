//! A fast path for the YAML that front matter almost always is.
//!
//! Pilot front matter is block mappings and block sequences of one-line
//! scalars. This module reads exactly that subset in one pass over the
//! lines, and answers `None` — "ask the full parser" — at the first thing
//! outside it: flow collections, anchors, aliases, tags, block scalars,
//! multi-line or escaped scalars, tabs in indentation, duplicate keys, odd
//! indentation. The full parser (`yaml.rs`, saphyr-parser) then gives the
//! authoritative answer and error. Within the subset the two produce the
//! same tree with the same positions, which a property test checks.

use super::node::{Key, Node, Scalar, ScalarKind, Value};
use crate::source::{Position, to_u32};

struct Line<'a> {
    /// 1-based line in the file.
    no: u32,
    /// Leading spaces.
    indent: usize,
    /// The whole line, without its line ending.
    raw: &'a str,
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    at: usize,
    /// Collections open around the current line. Past the full parser's
    /// cap this path steps aside, so the depth limit (and its error) is
    /// the full parser's, and the recursion here stays shallow.
    depth: usize,
}

/// Parse `region` (whose first line is line `first_line` of the file), or
/// `None` when it is not in the subset.
pub fn parse(region: &str, first_line: u32) -> Option<Node> {
    let mut lines = Vec::new();
    for (i, raw) in region.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let content = raw.trim_start_matches(' ');
        if content.starts_with('\t') || raw.contains('\t') {
            return None;
        }
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if matches!(content, "---" | "...") || content.starts_with('%') {
            return None;
        }
        lines.push(Line {
            no: first_line + to_u32(i),
            indent: raw.len() - content.len(),
            raw,
        });
    }
    let mut r = Reader {
        lines,
        at: 0,
        depth: 0,
    };
    let Some(first) = r.lines.first() else {
        return Some(Node {
            value: Value::Null,
            position: Position::new(first_line, 1),
        });
    };
    if first.indent != 0 {
        return None;
    }
    let node = r.block(0)?;
    // Anything left over is outside the subset (or an error saphyr reports).
    (r.at == r.lines.len()).then_some(node)
}

fn column(raw: &str, byte: usize) -> u32 {
    let prefix = &raw[..byte];
    let chars = if prefix.is_ascii() {
        byte
    } else {
        prefix.chars().count()
    };
    to_u32(chars + 1)
}

fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

impl<'a> Reader<'a> {
    /// A block (mapping or sequence) whose first line is at `indent`.
    fn block(&mut self, indent: usize) -> Option<Node> {
        let line = self.lines.get(self.at)?;
        if line.indent != indent {
            return None;
        }
        if is_item(&line.raw[indent..]) {
            self.sequence(indent, false)
        } else {
            self.mapping(indent)
        }
    }

    /// Open one more collection, or step aside past the depth cap.
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= super::yaml::MAX_DEPTH).then_some(())
    }

    /// A mapping whose keys are at column `indent`; its first key may sit
    /// on a line that starts with `- `.
    fn mapping(&mut self, indent: usize) -> Option<Node> {
        self.enter()?;
        let first = self.lines.get(self.at)?;
        let position = Position::new(first.no, column(first.raw, indent));
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut first_line = true;
        while let Some(line) = self.lines.get(self.at) {
            if !first_line {
                if line.indent < indent {
                    break;
                }
                if line.indent > indent || is_item(&line.raw[indent..]) {
                    return None;
                }
            }
            first_line = false;
            let content = &line.raw[indent..];
            let colon = key_end(content)?;
            let name = &content[..colon];
            if !plain_key(name) || entries.iter().any(|(k, _)| k.name == name) {
                return None;
            }
            let key = Key {
                name: name.to_string(),
                position: Position::new(line.no, column(line.raw, indent)),
            };
            let colon_at = indent + colon;
            let rest_at = colon_at + 1;
            let rest = &line.raw[rest_at..];
            let trimmed = rest.trim_start_matches(' ');
            let value_at = rest_at + (rest.len() - trimmed.len());
            let (no, raw) = (line.no, line.raw);
            self.at += 1;
            let value = if trimmed.is_empty() || trimmed.starts_with('#') {
                match self.lines.get(self.at) {
                    Some(next) if next.indent > indent => self.block(next.indent)?,
                    Some(next) if next.indent == indent && is_item(&next.raw[indent..]) => {
                        self.sequence(indent, true)?
                    }
                    // saphyr places an empty value at its `:`.
                    _ => Node {
                        value: Value::Null,
                        position: Position::new(no, column(raw, colon_at)),
                    },
                }
            } else {
                let scalar = scalar(trimmed)?;
                if self.lines.get(self.at).is_some_and(|n| n.indent > indent) {
                    return None;
                }
                Node {
                    value: scalar,
                    position: Position::new(no, column(raw, value_at)),
                }
            };
            entries.push((key, value));
        }
        self.depth -= 1;
        // Every document's front matter stays in memory until the site is
        // written: no room left over from growing the list.
        entries.shrink_to_fit();
        Some(Node {
            value: Value::Map(entries),
            position,
        })
    }

    /// A sequence whose `-` are at column `indent`. saphyr places an
    /// indentless sequence (`- ` at its key's indent) at its first item.
    fn sequence(&mut self, indent: usize, indentless: bool) -> Option<Node> {
        self.enter()?;
        let first = self.lines.get(self.at)?;
        let at = if indentless {
            let after = &first.raw[indent + 1..];
            indent + 1 + (after.len() - after.trim_start_matches(' ').len())
        } else {
            indent
        };
        let position = Position::new(first.no, column(first.raw, at));
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.at) {
            if line.indent < indent {
                break;
            }
            let content = &line.raw[indent..];
            if line.indent > indent || !is_item(content) {
                // A less-indented sequence under a key at the same indent ends here.
                if line.indent == indent {
                    break;
                }
                return None;
            }
            let after = &content[1..];
            let trimmed = after.trim_start_matches(' ');
            let item_at = indent + 1 + (after.len() - trimmed.len());
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return None;
            }
            if key_end(trimmed).is_some() {
                // `- key: value`: a mapping whose keys line up after the dash.
                let node = self.mapping(item_at)?;
                items.push(node);
                continue;
            }
            if is_item(trimmed) {
                return None;
            }
            let value = scalar(trimmed)?;
            items.push(Node {
                value,
                position: Position::new(line.no, column(line.raw, item_at)),
            });
            self.at += 1;
            if self.lines.get(self.at).is_some_and(|n| n.indent > indent) {
                return None;
            }
        }
        self.depth -= 1;
        items.shrink_to_fit();
        Some(Node {
            value: Value::List(items),
            position,
        })
    }
}

/// Where a `key:` ends: the first `:` followed by a space or the line end,
/// before any quote or comment.
fn key_end(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' | b'\'' | b'#' if i == 0 => return None,
            b'#' if bytes[i - 1] == b' ' => return None,
            b':' if bytes.get(i + 1).is_none_or(|n| *n == b' ') => return (i > 0).then_some(i),
            _ => {}
        }
    }
    None
}

fn plain_key(name: &str) -> bool {
    let first = name.as_bytes()[0];
    !b"-?:,[]{}#&*!|>'\"%@`".contains(&first)
        && !name.ends_with(' ')
        && name.bytes().all(|b| b >= b' ' && !b",[]{}#".contains(&b))
}

/// After a closing quote: nothing, or spaces and a comment.
fn rest_is_blank(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    rest.is_empty() || (rest.starts_with(' ') && (trimmed.is_empty() || trimmed.starts_with('#')))
}

/// A one-line scalar: double-quoted without escapes, single-quoted, or plain.
fn scalar(text: &str) -> Option<Value> {
    let quoted = |text: String| {
        Value::Scalar(Scalar {
            text,
            kind: ScalarKind::Quoted,
        })
    };
    match text.as_bytes()[0] {
        b'"' => {
            let body = &text[1..];
            let end = body.find(['"', '\\'])?;
            (body.as_bytes()[end] == b'"' && rest_is_blank(&body[end + 1..]))
                .then(|| quoted(body[..end].to_string()))
        }
        b'\'' => {
            let body = &text[1..];
            let mut out = String::new();
            let mut chars = body.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c != '\'' {
                    out.push(c);
                } else if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return rest_is_blank(&body[i + 1..]).then(|| quoted(out));
                }
            }
            None
        }
        first => {
            let negative_number =
                first == b'-' && text.as_bytes().get(1).is_some_and(|b| b.is_ascii_digit());
            if b"-?:,[]{}#&*!|>%@`".contains(&first) && !negative_number {
                return None;
            }
            // One pass: a ` #` starts a comment; a `: ` or a final `:` would
            // make the line a mapping, which the full parser must judge.
            let bytes = text.as_bytes();
            let mut end = bytes.len();
            for (i, &b) in bytes.iter().enumerate() {
                match b {
                    b'#' if bytes[i - 1] == b' ' => {
                        end = i;
                        break;
                    }
                    b':' if bytes.get(i + 1).is_none_or(|n| *n == b' ') => return None,
                    _ => {}
                }
            }
            let value = text[..end].trim_end_matches(' ');
            if value.ends_with(':') {
                return None;
            }
            if matches!(value, "~" | "null" | "Null" | "NULL") {
                return Some(Value::Null);
            }
            Some(Value::Scalar(Scalar {
                text: value.to_string(),
                kind: ScalarKind::Plain,
            }))
        }
    }
}
