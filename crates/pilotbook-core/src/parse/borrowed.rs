//! Front matter a kind reads from elsewhere than the front matter:
//! leading `- Key: value` lines of the body (`metadata = "body-list"`, as
//! Rust RFCs and log4brains ADRs write them) and a sidecar YAML file beside
//! the document (`metadata_file = "kep.yaml"`, as KEPs keep it). Either is
//! merged under the document's own front matter, which wins where both set
//! a key; the keys borrowed are remembered ([`Borrowed`]) so that findings
//! on them name the file they are written in.

use super::node::{Key, Node, Scalar, ScalarKind, Value};
use super::{Borrowed, ParsedDocument};
use crate::source::{LineIndex, Position};

/// The leading `- Key: value` lines of the body, after blank lines and an
/// optional `#` title: `- Start Date: 2014-03-11` is `start_date`. The
/// list ends at the first line that is not such an item.
pub fn body_list(doc: &ParsedDocument) -> Vec<(Key, Node)> {
    let text = &doc.text;
    let mut at = doc.body_offset.min(text.len());
    let mut lines: Option<LineIndex> = None;
    let mut out = Vec::new();
    let mut title_seen = false;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = text[at..end].trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        if trimmed.is_empty() && out.is_empty() {
            at = end;
            continue;
        }
        if trimmed.starts_with("# ") && out.is_empty() && !title_seen {
            title_seen = true;
            at = end;
            continue;
        }
        let Some((key, key_at, value, value_at)) = item(line) else {
            break;
        };
        let index = lines.get_or_insert_with(|| LineIndex::new(text));
        let value = if value.is_empty() {
            Value::Null
        } else {
            Value::Scalar(Scalar {
                text: value.to_string(),
                kind: ScalarKind::Plain,
            })
        };
        out.push((
            Key {
                name: key,
                position: index.position(text, at + key_at),
            },
            Node {
                value,
                position: index.position(text, at + value_at),
            },
        ));
        at = end;
    }
    out
}

/// A `- Key: value` line: the key as a field name (lowercase, spaces and
/// `-` as `_`), where it starts, the value and where it starts.
fn item(line: &str) -> Option<(String, usize, &str, usize)> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let marker = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '*' | '+'))?;
    let after = rest[marker.len_utf8()..].trim_start();
    if after.len() == rest.len() - 1 {
        return None; // `-x` is no list item
    }
    let key_at = line.len() - after.len();
    let (key, value) = after.split_once(':')?;
    let key = key.trim();
    let plain = key.chars().next().is_some_and(char::is_alphabetic)
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '#'));
    if !plain {
        return None;
    }
    let value_trimmed = value.trim();
    let value_at = line.len() - value.trim_start().len();
    // `RFC PR #` is `rfc_pr`, as `RFC PR` is.
    let name: String = key
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    Some((name, key_at, value_trimmed, value_at))
}

/// Merge `entries`, written in `from`, into the document's front matter
/// where it does not set the key already, and remember them as borrowed.
pub fn merge(doc: &mut ParsedDocument, from: &str, entries: Vec<(Key, Node)>) {
    if entries.is_empty() {
        return;
    }
    let front = doc.front_matter.get_or_insert_with(|| Node {
        value: Value::Map(Vec::new()),
        position: Position::START,
    });
    let Value::Map(map) = &mut front.value else {
        return;
    };
    let borrowed = doc.borrowed.get_or_insert_with(Borrowed::default);
    for (key, node) in entries {
        if map.iter().any(|(k, _)| k.name == key.name) {
            continue;
        }
        borrowed.keys.push((key.name.clone(), from.to_string()));
        map.push((key, node));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(md: &str) -> Vec<(String, String, u32)> {
        let doc = super::super::parse_document("text/x.md", md.as_bytes());
        body_list(&doc)
            .into_iter()
            .map(|(k, v)| {
                (
                    k.name,
                    v.as_text().unwrap_or("").to_string(),
                    k.position.line,
                )
            })
            .collect()
    }

    #[test]
    fn leading_items_are_read_until_the_first_other_line() {
        let rfc = "- Feature Name: private_fields\n- Start Date: 2014-03-11\n- RFC PR: [#1](https://x/1)\n- Rust Issue #: 8122\n\n# Summary\n\n- Not: metadata\n";
        assert_eq!(
            keys(rfc),
            [
                ("feature_name".into(), "private_fields".into(), 1),
                ("start_date".into(), "2014-03-11".into(), 2),
                ("rfc_pr".into(), "[#1](https://x/1)".into(), 3),
                ("rust_issue".into(), "8122".into(), 4),
            ]
        );
        let adr =
            "---\ntitle: T\n---\n\n# Use MADR\n\n* Status: accepted\n* Date: 2020-01-01\n\nText.\n";
        assert_eq!(
            keys(adr),
            [
                ("status".into(), "accepted".into(), 7),
                ("date".into(), "2020-01-01".into(), 8),
            ]
        );
        assert!(keys("Text first.\n\n- Status: accepted\n").is_empty());
        assert!(keys("- a list item\n- Status: x\n").is_empty());
    }
}
