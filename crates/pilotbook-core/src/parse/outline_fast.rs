//! A line scanner for the outline of plain Markdown bodies.
//!
//! Most pilot documents are headings, paragraphs, lists and tables. For
//! those, the outline (top-level headings and whether each H2 section says
//! anything) can be read line by line without building a Markdown tree.
//! The scanner answers `None` — "ask pulldown-cmark" — at the first line
//! whose meaning depends on context it does not track: code fences, HTML
//! blocks, indented or setext headings, link reference definitions, tabs,
//! HTML comments, headings with inline markup, and any section short enough
//! to be a placeholder. A property test checks that wherever it answers, it
//! answers what pulldown-cmark does.

use super::markdown::{Heading, Outline, Section, normalize_heading};
use crate::source::LineIndex;

/// Sections with at least this many non-blank bytes are certainly not a
/// placeholder; shorter ones are judged by the full parser.
const CERTAINLY_CONTENT: usize = 64;

struct Open {
    text: String,
    line_start: usize,
    content: usize,
}

/// The outline of the body at `body_offset`, or `None`.
pub fn outline(text: &str, body_offset: usize, lines: &LineIndex) -> Option<Outline> {
    let body = text.get(body_offset..)?;
    // Tabs change indentation rules; one scan of the body decides.
    if memchr::memchr(b'\t', body.as_bytes()).is_some() {
        return None;
    }
    // A comment inside a line (`*<!-- … -->*`) is not content, which only
    // the full parser can tell.
    if memchr::memmem::find(body.as_bytes(), b"<!--").is_some() {
        return None;
    }
    let mut out = Outline::default();
    let mut section: Option<Open> = None;
    let mut prev_blank = true;
    let mut at = 0;
    let close = |open: Open, out: &mut Outline| -> Option<()> {
        if open.content < CERTAINLY_CONTENT {
            return None;
        }
        out.sections.push(Section {
            key: normalize_heading(&open.text),
            empty: false,
            text: None,
            heading: Heading {
                text: open.text,
                level: 2,
                position: lines.position(text, body_offset + open.line_start),
            },
        });
        Some(())
    };
    while at < body.len() {
        let end = memchr::memchr(b'\n', &body.as_bytes()[at..]).map_or(body.len(), |i| at + i + 1);
        let line_start = at;
        let line = body[at..end].trim_end_matches(['\n', '\r']);
        at = end;
        let content = line.trim_start_matches(' ');
        let lead = line.len() - content.len();
        let blank = content.trim_end().is_empty();
        if blank {
            prev_blank = true;
            continue;
        }
        if lead < 4 && depends_on_context(content, prev_blank) {
            return None;
        }
        prev_blank = false;
        if let Some((level, title)) = atx(content).filter(|_| lead < 4) {
            if lead > 0 {
                return None;
            }
            if title.bytes().any(|b| b"*_`[]<>\\!&~".contains(&b)) {
                return None;
            }
            let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
            if level <= 2
                && let Some(open) = section.take()
            {
                close(open, &mut out)?;
            }
            if level == 1 && out.h1.is_none() {
                out.h1 = Some(Heading {
                    text: title.clone(),
                    level: 1,
                    position: lines.position(text, body_offset + line_start),
                });
            }
            if level == 2 {
                section = Some(Open {
                    text: title,
                    line_start,
                    content: 0,
                });
            } else if let Some(open) = section.as_mut() {
                open.content += title.len();
            }
            continue;
        }
        if let Some(open) = section.as_mut()
            && !(lead < 4 && is_thematic_break(content))
        {
            open.content += content.trim_end().len();
        }
    }
    if let Some(open) = section.take() {
        close(open, &mut out)?;
    }
    Some(out)
}

/// Whether a non-blank line indented less than four spaces (`content`,
/// without the indent) means something only the full parser can tell: a
/// code fence, an HTML block, a link reference definition, or a setext
/// underline (a `-` or `=` line right after text).
fn depends_on_context(content: &str, prev_blank: bool) -> bool {
    let first = content.as_bytes().first().copied().unwrap_or(b' ');
    if content.starts_with("```") || content.starts_with("~~~") || first == b'<' {
        return true;
    }
    if first == b'[' && content.contains("]:") {
        return true;
    }
    let underline = match first {
        b'-' => content.bytes().all(|b| b == b'-' || b == b' '),
        b'=' => content.trim_end().bytes().all(|b| b == b'='),
        _ => false,
    };
    underline && !prev_blank
}

/// Whether a line (without its indent) is a thematic break: three or more
/// of one of `*`, `-`, `_`, spaces between allowed.
fn is_thematic_break(content: &str) -> bool {
    let Some(&first) = content.as_bytes().first() else {
        return false;
    };
    if !b"*-_".contains(&first) {
        return false;
    }
    let mut marks = content.bytes().filter(|b| *b != b' ');
    marks.clone().count() >= 3 && marks.all(|b| b == first)
}

/// An ATX heading: its level and its text without the closing `#`s.
fn atx(content: &str) -> Option<(u8, &str)> {
    let hashes = content.bytes().take_while(|b| *b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &content[hashes..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let mut title = rest.trim();
    // A closing sequence of `#`s counts only after a space (or alone).
    let closing = title.bytes().rev().take_while(|b| *b == b'#').count();
    if closing > 0 {
        let before = &title[..title.len() - closing];
        if before.is_empty() || before.ends_with(' ') {
            title = before.trim_end();
        }
    }
    Some((hashes as u8, title))
}

#[cfg(test)]
mod tests {
    use super::super::markdown::outline_full;
    use super::*;
    use proptest::prelude::*;

    /// Headings as (text, empty, line), the H1 first.
    type Flat = Vec<(String, bool, u32)>;

    fn both(md: &str) -> (Option<Flat>, Flat) {
        let lines = LineIndex::new(md);
        let flat = |o: Outline| {
            let mut v: Vec<_> = o
                .sections
                .into_iter()
                .map(|s| (s.heading.text, s.empty, s.heading.position.line))
                .collect();
            if let Some(h) = o.h1 {
                v.insert(0, (format!("# {}", h.text), false, h.position.line));
            }
            v
        };
        (
            outline(md, 0, &lines).map(flat),
            flat(outline_full(md, 0, &lines)),
        )
    }

    fn block() -> impl Strategy<Value = String> {
        let s = |t: &str| Just(t.to_string());
        prop_oneof![
            // Plain blocks, the fast path's home ground.
            8 => s("## Success metrics\n"),
            4 => s("## Rollback ##\n"),
            2 => s("## C#\n"),
            3 => s("# Title\n"),
            4 => s("### Detail\n"),
            2 => s("#hashtag line\n"),
            1 => s("####### seven\n"),
            12 => s("\n"),
            12 => s("A paragraph that is long enough to count as real content, clearly.\n"),
            6 => s("- a list item with words in it, and more words after that\n"),
            3 => s("  continued list text\n"),
            3 => s("1. numbered item\n"),
            2 => s("> quoted ## not a heading\n"),
            2 => s("> ## Quoted heading\n"),
            2 => s("***\n"),
            2 => s("    indented code ## x\n"),
            2 => s("| a | b |\n|---|---|\n| 1 | 2 |\n"),
            3 => s("Text with `code`, *emph* and a [link](http://x).\n"),
            // Blocks the scanner must hand to pulldown-cmark.
            1 => s("  ## indented\n"),
            1 => s("## *emphasis*\n"),
            1 => s("---\n"),
            1 => s("Setext\n"),
            1 => s("======\n"),
            1 => s("```\n## fenced\n```\n"),
            1 => s("<div>\n## in html\n</div>\n"),
            1 => s("[ref]: http://example.com\n"),
            1 => s("TODO\n"),
            1 => s("N/A\n"),
            1 => s("\tTabbed\n"),
        ]
    }

    static SOME: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static ALL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn scanner_agrees_with_pulldown(blocks in proptest::collection::vec(block(), 0..14), crlf in any::<bool>()) {
            let md = blocks.concat();
            let md = if crlf { md.replace('\n', "\r\n") } else { md };
            let (fast, full) = both(&md);
            if let Some(fast) = fast {
                if !fast.is_empty() { SOME.fetch_add(1, std::sync::atomic::Ordering::Relaxed); }
                prop_assert_eq!(fast, full, "body:\n{}", md);
            }
            // The generator must keep exercising the scanner.
            if ALL.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1 == 3000 {
                prop_assert!(SOME.load(std::sync::atomic::Ordering::Relaxed) > 200);
            }
        }
    }

    #[test]
    fn plain_documents_take_the_fast_path() {
        let body = "# Title\n\n## Success metrics\n\nAccuracy of at least 92% on the weekly audit sample, reviewed by support.\n\n- one item with enough words\n- another item\n\n## 2. Rollback:\n\nTurn the routing flag off; tickets fall back to manual triage within a minute.\n";
        let (fast, full) = both(body);
        assert_eq!(fast, Some(full));
    }
}
