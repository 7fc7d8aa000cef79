//! The Markdown body's outline: its title and its sections.
//!
//! One pass over pulldown-cmark's events with source offsets. A heading counts
//! only at the top level of the document: headings inside block quotes, list
//! items or footnotes are quoted material, and headings inside code blocks or
//! HTML blocks are not headings to pulldown-cmark at all. Heading text is the
//! plain text of the heading (emphasis and code marks dropped). A section's
//! body runs to the next top-level heading of the same or a higher level; it
//! is empty when its text is nothing, or only TODO, TBD or N/A; HTML comments
//! are not text (`pilotbook new` puts a hint in each section as a comment).

use crate::source::{LineIndex, Position};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;

/// A top-level heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Plain text, as written (markup dropped).
    pub text: String,
    /// 1 to 6.
    pub level: u8,
    /// Where the heading starts.
    pub position: Position,
}

/// An H2 section of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading.
    pub heading: Heading,
    /// The heading text normalised for matching ([`normalize_heading`]).
    pub key: String,
    /// Whether the body is empty or a placeholder (TODO, TBD, TBA, N/A).
    pub empty: bool,
    /// The body's visible text when short enough to be a placeholder
    /// (at most 64 bytes), for a kind's own `empty_sections`; `None` for
    /// a longer body, which always answers.
    pub text: Option<String>,
}

/// The title and sections of a body.
#[derive(Debug, Default)]
pub struct Outline {
    /// The first top-level H1.
    pub h1: Option<Heading>,
    /// Every top-level H2, in order.
    pub sections: Vec<Section>,
}

/// The Markdown extensions pilotbook reads everywhere. Heading attributes
/// stay off: `{onclick=…}` must remain text.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// The body as pulldown-cmark should read it, byte for byte the same
/// length so that offsets stay valid: a fence line followed only by
/// blanks, one of them a tab (`` ```\t ``), has its tabs read as spaces.
/// pulldown-cmark 0.13.6 does not close a code block at such a line, where
/// CommonMark and GitHub do, and the rest of the document would become
/// code. Every parse of a body (outline, HTML, links, anchors) reads this.
pub fn readable(body: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\t', body.as_bytes()).is_none() {
        return Cow::Borrowed(body);
    }
    if !body.split_inclusive('\n').any(bare_fence_with_tab) {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        if bare_fence_with_tab(line) {
            out.push_str(&line.replace('\t', " "));
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// Whether `line` is up to three spaces, a run of three or more backticks
/// or tildes, then only spaces and tabs, at least one a tab.
fn bare_fence_with_tab(line: &str) -> bool {
    let line = line.trim_end_matches(['\n', '\r']);
    let rest = line.trim_start_matches(' ');
    if line.len() - rest.len() > 3 {
        return false;
    }
    let Some(fence) = rest.chars().next().filter(|c| matches!(c, '`' | '~')) else {
        return false;
    };
    let tail = rest.trim_start_matches(fence);
    rest.len() - tail.len() >= 3
        && tail.contains('\t')
        && tail.chars().all(|c| c == ' ' || c == '\t')
}

struct Open {
    level: u8,
    start: usize,
    text: String,
    content: String,
}

/// Read the outline of the body that starts at byte `body_offset` of `text`:
/// by the line scanner where the body is plain enough for it, else by
/// pulldown-cmark.
pub fn outline(text: &str, body_offset: usize, lines: &LineIndex) -> Outline {
    super::outline_fast::outline(text, body_offset, lines)
        .unwrap_or_else(|| outline_full(text, body_offset, lines))
}

/// Read the outline with pulldown-cmark.
pub fn outline_full(text: &str, body_offset: usize, lines: &LineIndex) -> Outline {
    let body = text.get(body_offset..).unwrap_or("");
    let mut out = Outline::default();
    let mut depth = 0usize;
    // The heading being read, and the H2 section whose body is being read.
    let mut heading: Option<Open> = None;
    let mut section: Option<Open> = None;
    // Inside an HTML comment that an earlier event opened.
    let mut in_comment = false;

    let close = |open: Open, out: &mut Outline| {
        let content = open.content.trim();
        out.sections.push(Section {
            key: normalize_heading(&open.text),
            empty: is_placeholder(content),
            text: (content.len() <= 64).then(|| content.to_string()),
            heading: Heading {
                text: open.text,
                level: open.level,
                position: lines.position(text, body_offset + open.start),
            },
        });
    };

    // The site's options: with tables off, a table followed by `---` would
    // be read as a setext heading where the site shows a table.
    let body = readable(body);
    for (event, range) in Parser::new_ext(&body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                let level = heading_level(level);
                if let Some(open) = section.take_if(|s| level <= s.level) {
                    close(open, &mut out);
                }
                heading = Some(Open {
                    level,
                    start: range.start,
                    text: String::new(),
                    content: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) if depth == 0 => {
                if let Some(h) = heading.take() {
                    let title = h.text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if let Some(s) = section.as_mut() {
                        // A sub-heading is content of the section around it.
                        note(&mut s.content, &title);
                    }
                    if h.level == 1 && out.h1.is_none() {
                        out.h1 = Some(Heading {
                            text: title.clone(),
                            level: 1,
                            position: lines.position(text, body_offset + h.start),
                        });
                    }
                    if h.level == 2 {
                        section = Some(Open { text: title, ..h });
                    }
                }
            }
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_),
            ) => depth += 1,
            Event::End(
                TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item | TagEnd::FootnoteDefinition,
            ) => depth = depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                if let Some(h) = heading.as_mut() {
                    h.text.push_str(&t);
                } else if let Some(s) = section.as_mut() {
                    note(&mut s.content, &t);
                }
            }
            Event::Html(t) | Event::InlineHtml(t) => {
                let visible = without_comments(&t, &mut in_comment);
                if let Some(s) = section.as_mut().filter(|_| heading.is_none()) {
                    note(&mut s.content, &visible);
                }
            }
            // A heading over several lines (setext) reads with a space.
            Event::SoftBreak | Event::HardBreak => {
                if let Some(h) = heading.as_mut() {
                    h.text.push(' ');
                }
            }
            Event::TaskListMarker(_) | Event::FootnoteReference(_) => {
                if let Some(s) = section.as_mut() {
                    note(&mut s.content, "[]");
                }
            }
            _ => {}
        }
    }
    if let Some(open) = section.take() {
        close(open, &mut out);
    }
    out
}

/// Keep the start of a section's text: enough to tell a placeholder
/// (TODO, TBD, N/A) from content, without copying the whole section.
fn note(buf: &mut String, text: &str) {
    let text = text.trim();
    if text.is_empty() || buf.len() > 64 {
        return;
    }
    buf.push_str(text);
    buf.push(' ');
}

/// The HTML outside comments. A comment may span several events (an HTML
/// block arrives line by line), so whether one is open is carried over.
fn without_comments(html: &str, in_comment: &mut bool) -> String {
    let mut out = String::new();
    let mut rest = html;
    loop {
        if *in_comment {
            match rest.find("-->") {
                Some(end) => {
                    rest = &rest[end + 3..];
                    *in_comment = false;
                }
                None => return out,
            }
        } else {
            match rest.find("<!--") {
                Some(start) => {
                    out.push_str(&rest[..start]);
                    rest = &rest[start + 4..];
                    *in_comment = true;
                }
                None => {
                    out.push_str(rest);
                    return out;
                }
            }
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Whether a section's text says nothing: empty, or a placeholder.
fn is_placeholder(content: &str) -> bool {
    matches!(
        placeholder_key(content).as_str(),
        "" | "todo" | "tbd" | "n/a" | "tba" | "[] todo" | "[] tbd"
    )
}

/// A section's text as placeholders are compared: lowercase, without the
/// punctuation and blanks around it (`**TBD.**` is `tbd`).
pub fn placeholder_key(content: &str) -> String {
    content
        .trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(c, '.' | ':' | '!' | '-' | '*' | '_' | '(' | ')' | '[' | ']')
        })
        .to_lowercase()
}

/// Normalise a heading for matching against a section name: lowercase,
/// whitespace collapsed, leading numbering (`2.`, `2)`, `2.1`, `II.`) and
/// trailing punctuation dropped.
pub fn normalize_heading(heading: &str) -> String {
    let mut words: Vec<&str> = heading.split_whitespace().collect();
    while words.len() > 1 && is_numbering(words[0]) {
        words.remove(0);
    }
    let joined = words.join(" ").to_lowercase();
    joined
        .trim_end_matches(|c: char| c.is_ascii_punctuation() && c != ')' || c.is_whitespace())
        .to_string()
}

fn is_numbering(word: &str) -> bool {
    let (stem, marked) = match word.strip_suffix(['.', ')']) {
        Some(stem) => (stem, true),
        None => (word, false),
    };
    if stem.is_empty() {
        return false;
    }
    let numeric = stem
        .split('.')
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
    let roman = marked
        && stem.chars().all(|c| {
            matches!(
                c.to_ascii_lowercase(),
                'i' | 'v' | 'x' | 'l' | 'c' | 'd' | 'm'
            )
        });
    let letter = marked && stem.len() == 1 && stem.chars().all(|c| c.is_ascii_alphabetic());
    numeric || roman || letter
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(md: &str) -> Vec<(String, bool, u32)> {
        outline(md, 0, &LineIndex::new(md))
            .sections
            .into_iter()
            .map(|s| (s.key, s.empty, s.heading.position.line))
            .collect()
    }

    #[test]
    fn normalises_numbering_and_punctuation() {
        assert_eq!(normalize_heading("2. Rollback"), "rollback");
        assert_eq!(normalize_heading("2) Rollback:"), "rollback");
        assert_eq!(normalize_heading("II. Rollback"), "rollback");
        assert_eq!(normalize_heading("3.1 Success  Metrics"), "success metrics");
        assert_eq!(normalize_heading("Mix panel"), "mix panel");
        assert_eq!(normalize_heading("Rollback (manual)"), "rollback (manual)");
    }

    #[test]
    fn only_top_level_headings_count() {
        let md = "# T\n\n```\n## Fenced\n```\n\n> ## Quoted\n\n<div>\n## Html\n</div>\n\n## *Real* ##\n\ntext\n\nSetext\n------\n\nTODO\n";
        assert_eq!(
            sections(md),
            vec![("real".into(), false, 13), ("setext".into(), true, 17)]
        );
    }

    #[test]
    fn a_table_followed_by_a_rule_is_a_table_not_a_heading() {
        // GitHub (GFM) reads the `---` after a table as a thematic break;
        // plain CommonMark would make the last row a setext `##` heading.
        let md = "## Results\n\n| metric | value |\n|---|---|\n| p95 | 240 ms |\n---\n\n## Next\n\ntext\n";
        assert_eq!(
            sections(md),
            vec![("results".into(), false, 1), ("next".into(), false, 8)]
        );
    }

    #[test]
    fn a_closing_fence_followed_by_a_tab_closes_the_block() {
        // pulldown-cmark 0.13 keeps the block open; GitHub closes it.
        let md = "## A\n\n```\ncode\n```\t\n\n## B\n\ntext\n";
        assert_eq!(
            sections(md),
            vec![("a".into(), false, 1), ("b".into(), false, 7)]
        );
        let (html, _) = super::super::html::render(md, "T", false, 1 << 20).expect("renders");
        assert!(html.contains("<h2 id=\"b\">"), "{html}");
        assert_eq!(readable(md).len(), md.len(), "offsets stay valid");
        // A tab after an info string, or in code, is left alone.
        let info = "```\tpython\nx\t= 1\n```\n";
        assert_eq!(readable(info), info);
    }

    #[test]
    fn a_comment_is_not_content() {
        let md = "## A\n\n<!-- what goes here -->\n\n## B\n\n<!--\nlong\nhint\n-->\nTODO\n\n## C\n\ntext <!-- note -->\n\n## D\n\n<div>x</div>\n";
        assert_eq!(
            sections(md),
            vec![
                ("a".into(), true, 1),
                ("b".into(), true, 5),
                ("c".into(), false, 13),
                ("d".into(), false, 17),
            ]
        );
        let mut open = false;
        assert_eq!(without_comments("a<!--b-->c<!--d", &mut open), "ac");
        assert!(open);
        assert_eq!(without_comments("e-->f", &mut open), "f");
    }

    #[test]
    fn subsections_belong_to_their_section() {
        let md = "## A\n\n### Sub\n\nbody\n\n## B\n\nN/A\n";
        assert_eq!(
            sections(md),
            vec![("a".into(), false, 1), ("b".into(), true, 7)]
        );
    }
}
