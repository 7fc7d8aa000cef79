//! The Markdown an exported entity stands for: what the parser must read
//! to give back the entity's front matter, title and sections.
//!
//! The front matter is YAML with one key a line and each value written as
//! a flow value (JSON's syntax is YAML's flow syntax; strings are
//! double-quoted with YAML's escapes, so they stay text). Then the title
//! as the H1, and each section's heading at its original line where the
//! lines before leave room, followed by one neutral sentence when the
//! section answered its question and by nothing when it did not: the
//! portfolio's section rules then judge it as the source's did.

use serde::Deserialize;
use serde_json::Value;
use std::fmt::Write;

/// An exported section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SectionIn {
    pub(super) title: String,
    pub(super) line: u32,
    pub(super) empty: bool,
}

/// What a section that answered its question says: not a placeholder
/// (`crate::parse::markdown::placeholder_key` of it is none of the
/// defaults), and plainly a stand-in for the text in the source.
pub(super) const ANSWERED: &str = "Answered in the source repository.";

/// The document's Markdown. A section's line is padded to only while the
/// text is at most `max_bytes` long: past that the parser refuses the
/// document as too large, and an export that claims a section on line
/// four billion costs no more than that.
pub(super) fn write(
    title: &str,
    front_matter: Option<&serde_json::Map<String, Value>>,
    sections: &[SectionIn],
    max_bytes: u64,
) -> String {
    let mut out = Lines::default();
    if let Some(fm) = front_matter {
        out.push("---");
        for (key, value) in fm {
            let mut entry = String::new();
            yaml_key(&mut entry, key);
            entry.push_str(": ");
            yaml_value(&mut entry, value);
            out.push(&entry);
        }
        out.push("---");
    }
    let h1 = format!("# {}", escape_inline(title));
    // The title goes first where the first section leaves room for it,
    // else last: either way it is the document's only H1.
    let title_first = sections.first().is_none_or(|s| s.line > out.line);
    if title_first {
        out.push(&h1);
    }
    for section in sections {
        while out.line < section.line && (out.text.len() as u64) <= max_bytes {
            out.push("");
        }
        out.push(&format!("## {}", escape_inline(&section.title)));
        if !section.empty {
            out.push(ANSWERED);
        }
    }
    if !title_first {
        out.push(&h1);
    }
    out.text
}

/// Text written line by line, and the number of the line to write next.
struct Lines {
    text: String,
    line: u32,
}

impl Default for Lines {
    fn default() -> Self {
        Lines {
            text: String::new(),
            line: 1,
        }
    }
}

impl Lines {
    fn push(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
        self.line = self.line.saturating_add(1);
    }
}

/// Heading text that Markdown reads back as itself: every ASCII
/// punctuation mark escaped (CommonMark allows a backslash before any),
/// whitespace runs as one space, as the outline collapses them.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A mapping key: plain where YAML reads it as written, else quoted.
fn yaml_key(out: &mut String, key: &str) {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if plain {
        out.push_str(key);
    } else {
        yaml_string(out, key);
    }
}

/// A JSON value as a YAML flow value that reads back as the same JSON.
fn yaml_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => yaml_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                yaml_value(out, item);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                yaml_string(out, key);
                out.push_str(": ");
                yaml_value(out, item);
            }
            out.push('}');
        }
    }
}

/// A double-quoted YAML string: `"` and `\` escaped, and every character
/// YAML does not allow in a document (controls, DEL, the C1 range, a BOM,
/// the non-characters) written as an escape.
fn yaml_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if printable(c) => out.push(c),
            c if u32::from(c) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
        }
    }
    out.push('"');
}

/// YAML's `c-printable`, less the BOM, which a reader may take for a
/// document's start.
fn printable(c: char) -> bool {
    matches!(u32::from(c),
        0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD | 0x1_0000..=0x10_FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// The front matter, H1 and sections the parser reads from `write`.
    fn reparse(
        title: &str,
        fm: &Value,
        sections: &[SectionIn],
    ) -> (Value, Option<String>, Vec<(String, u32, bool)>) {
        let text = write(title, fm.as_object(), sections, u64::MAX);
        let doc = crate::parse::parse_document("a.md", text.as_bytes());
        assert!(doc.diagnostics.is_empty(), "{text}\n{:?}", doc.diagnostics);
        let fm = doc
            .front_matter
            .as_ref()
            .map_or(Value::Null, crate::parse::Node::to_json);
        let sections = doc
            .sections
            .iter()
            .map(|s| (s.heading.text.clone(), s.heading.position.line, s.empty))
            .collect();
        (fm, doc.h1.map(|h| h.text), sections)
    }

    fn section(title: &str, line: u32, empty: bool) -> SectionIn {
        SectionIn {
            title: title.into(),
            line,
            empty,
        }
    }

    #[test]
    fn front_matter_values_read_back_as_written() {
        let fm = json!({
            "title": "Ünïcödé \"quoted\" 'single' \\ back: colon # hash",
            "version": "1.10",
            "zero": "007",
            "yes": "true",
            "null-text": "null",
            "empty": "",
            "n": 12, "f": 1.5, "big": 1e300, "neg": -3, "b": false, "none": null,
            "controls": "tab\there\nline\u{7f}\u{85}\u{feff}\u{1}",
            "list": ["a, b", ["nested", {"k": "v"}], []],
            "map": {"key with space": {"deeper": [1, "2"]}, "": "empty key"},
            "Odd key: #1": "x",
            "date": "2026-06-01",
        });
        let (read, _, _) = reparse("T", &fm, &[]);
        assert_eq!(read, fm);
    }

    #[test]
    fn sections_keep_their_lines_and_answers() {
        let sections = [
            section("Success *metrics* [x](y) <b>", 6, false),
            // Its line holds the answer above: the next one.
            section("Rollback #", 7, true),
            section("`code` & &amp; \\", 12, false),
            // No room on its line: the next one.
            section("Late", 3, true),
        ];
        let (_, h1, read) = reparse("A _title_ #1", &json!({"title": "x"}), &sections);
        assert_eq!(h1.as_deref(), Some("A _title_ #1"));
        let want: Vec<(String, u32, bool)> = vec![
            ("Success *metrics* [x](y) <b>".into(), 6, false),
            ("Rollback #".into(), 8, true),
            ("`code` & &amp; \\".into(), 12, false),
            ("Late".into(), 14, true),
        ];
        assert_eq!(read, want);
        // A first section right after the front matter: the title goes last.
        let (_, h1, read) = reparse("T", &json!({"a": 1}), &[section("S", 4, false)]);
        assert_eq!((h1.as_deref(), read[0].1), (Some("T"), 4));
        assert!(!crate::model::placeholder::is_placeholder(ANSWERED));
    }

    proptest! {
        #[test]
        fn any_text_reads_back(text in "\\PC{0,40}", key in "[a-z][a-z _-]{0,8}") {
            let fm = json!({ key.clone(): text.clone(), "list": [text.clone()] });
            let title = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let (read, h1, sections) = reparse(&title, &fm, &[section(&title, 9, false)]);
            prop_assert_eq!(read, fm);
            prop_assert_eq!(h1, Some(title.clone()));
            prop_assert_eq!(&sections[0].0, &title);
        }
    }
}
