//! A document's Markdown body → safe HTML.
//!
//! pulldown-cmark renders with tables, footnotes, strikethrough and task
//! lists; every heading gets an id for anchors (heading attributes in the
//! source stay off, so `{onclick=…}` remains text). The result then passes
//! through ammonia's allow-list, which removes scripts, event handlers,
//! `javascript:`/`data:`/`vbscript:` URLs and anything else a document
//! should not publish. The first H1 is dropped when it repeats the page
//! title, which the page header shows.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::collections::HashMap;

/// Options for rendering: those of the outline plus the GFM extensions.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// The slug of a heading, for its anchor: lowercase words joined by `-`.
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "section".into()
    } else {
        out
    }
}

/// Render `body` to sanitised HTML (`trusted` skips the allow-list:
/// `[site] allow_raw_html`). `title` is the page title: a first H1 with the
/// same text is left out. Returns the HTML and whether sanitising removed
/// anything from raw HTML in the source.
pub fn render(body: &str, title: &str, trusted: bool) -> (String, bool) {
    let events: Vec<Event> = Parser::new_ext(body, options()).collect();
    // Heading ids need the heading's text, which follows its start event.
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut skip_until_h1_end = false;
    let mut seen_h1 = false;
    let mut had_raw_html = false;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let text: String = events[i + 1..]
                    .iter()
                    .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                    .filter_map(|e| match e {
                        Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                if *level == HeadingLevel::H1 && !seen_h1 {
                    seen_h1 = true;
                    if text.trim() == title.trim() {
                        skip_until_h1_end = true;
                        i += 1;
                        continue;
                    }
                }
                let base = anchor(&text);
                let n = used.entry(base.clone()).or_insert(0);
                let id = if *n == 0 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                };
                *n += 1;
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if skip_until_h1_end => {
                skip_until_h1_end = false;
            }
            _ if skip_until_h1_end => {}
            Event::Html(_) | Event::InlineHtml(_) => {
                had_raw_html = true;
                out.push(events[i].clone());
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    let mut raw = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut raw, out.into_iter());
    // Everything is cleaned, so that link schemes are checked in one place;
    // only raw HTML in the source can make the cleaner change anything.
    if trusted {
        return (raw, false);
    }
    let cleaned = clean(&raw);
    let changed = had_raw_html && cleaned != raw;
    (cleaned, changed)
}

/// The allow-list every body passes through.
fn builder() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tag_attributes("h1", &["id"])
        .add_tag_attributes("h2", &["id"])
        .add_tag_attributes("h3", &["id"])
        .add_tag_attributes("h4", &["id"])
        .add_tag_attributes("h5", &["id"])
        .add_tag_attributes("h6", &["id"])
        .add_tag_attributes("input", &["type", "checked", "disabled"])
        .add_tags(&["input"])
        .add_tag_attributes("code", &["class"])
        .add_tag_attributes("sup", &["class", "id"])
        .add_tag_attributes("div", &["class", "id"])
        .add_tag_attributes("li", &["id"])
        .id_prefix(None)
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect());
    b
}

fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}

/// The raw HTML of a body (block by block, inline tag by inline tag) that
/// the allow-list would change, as byte ranges of `body`: a tag or an
/// attribute it does not allow, or a URL with a scheme it drops. Comments,
/// which are removed but never shown, do not count. This only points at
/// what the sanitiser removes, for the `raw-html-removed` warning; the
/// sanitiser itself is what makes the page safe.
pub fn removed_raw_html(body: &str) -> Vec<std::ops::Range<usize>> {
    if memchr::memchr(b'<', body.as_bytes()).is_none() {
        return Vec::new();
    }
    let allow = AllowList::new();
    let mut out = Vec::new();
    let mut block: Option<(std::ops::Range<usize>, bool)> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::HtmlBlock) => block = Some((range, false)),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((r, true)) = block.take() {
                    out.push(r);
                }
            }
            Event::Html(html) => {
                if let Some((_, changed)) = block.as_mut() {
                    *changed |= allow.changes(&html);
                } else if allow.changes(&html) {
                    out.push(range);
                }
            }
            Event::InlineHtml(html) if allow.changes(&html) => out.push(range),
            _ => {}
        }
    }
    out
}

/// The allow-list of [`builder`], as sets to look tags and attributes up in.
struct AllowList {
    tags: std::collections::HashSet<&'static str>,
    tag_attributes: HashMap<&'static str, std::collections::HashSet<&'static str>>,
    generic: std::collections::HashSet<&'static str>,
    schemes: std::collections::HashSet<&'static str>,
}

impl AllowList {
    fn new() -> Self {
        let b = builder();
        AllowList {
            tags: b.clone_tags(),
            tag_attributes: b.clone_tag_attributes(),
            generic: b.clone_generic_attributes(),
            schemes: b.clone_url_schemes(),
        }
    }

    /// Whether sanitising this raw HTML would remove anything from it.
    fn changes(&self, html: &str) -> bool {
        let bytes = html.as_bytes();
        let mut i = 0;
        while let Some(at) = memchr::memchr(b'<', &bytes[i..]) {
            i += at + 1;
            let rest = &bytes[i..];
            if rest.starts_with(b"!--") {
                // A comment: removed, but it was never visible.
                i = match memchr::memmem::find(rest, b"-->") {
                    Some(end) => i + end + 3,
                    None => bytes.len(),
                };
                continue;
            }
            if rest.first().is_some_and(|c| matches!(c, b'!' | b'?')) {
                return true;
            }
            let closing = rest.first() == Some(&b'/');
            let start = i + usize::from(closing);
            let name_len = bytes[start..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
                .count();
            if name_len == 0 || !bytes[start].is_ascii_alphabetic() {
                // `<` as text, e.g. `a < b`: escaped, not removed.
                continue;
            }
            let name = html[start..start + name_len].to_ascii_lowercase();
            if !self.tags.contains(name.as_str()) {
                return true;
            }
            i = start + name_len;
            if closing {
                continue;
            }
            let (attributes, end) = attributes(html, i);
            i = end;
            for (attr, value) in attributes {
                let attr = attr.to_ascii_lowercase();
                let allowed = self.generic.contains(attr.as_str())
                    || self
                        .tag_attributes
                        .get(name.as_str())
                        .is_some_and(|set| set.contains(attr.as_str()));
                if !allowed || (is_url_attribute(&attr) && !self.url_allowed(&value)) {
                    return true;
                }
            }
        }
        false
    }

    /// Whether a URL keeps its place: relative, or of an allowed scheme.
    fn url_allowed(&self, value: &str) -> bool {
        // Browsers ignore whitespace and control characters in a scheme
        // and decode entities first: `java&#10;script&colon;` is `javascript:`.
        let decoded = value
            .replace("&colon;", ":")
            .replace("&#58;", ":")
            .replace("&#x3a;", ":")
            .replace("&#X3A;", ":")
            .replace("&#x3A;", ":");
        let cleaned: String = decoded
            .chars()
            .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
            .collect();
        let cleaned = cleaned
            .trim_start_matches(|c: char| c.is_whitespace())
            .to_ascii_lowercase();
        match cleaned.find([':', '/', '?', '#']) {
            Some(at) if cleaned[at..].starts_with(':') => self.schemes.contains(&cleaned[..at]),
            _ => true,
        }
    }
}

fn is_url_attribute(name: &str) -> bool {
    matches!(
        name,
        "href"
            | "src"
            | "cite"
            | "action"
            | "formaction"
            | "poster"
            | "longdesc"
            | "background"
            | "srcset"
            | "data"
            | "xlink:href"
            | "ping"
            | "usemap"
            | "manifest"
    )
}

/// The attributes of a start tag beginning at `i` (just after its name),
/// and where the tag ends.
fn attributes(html: &str, mut i: usize) -> (Vec<(&str, String)>, usize) {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return (out, (i + 1).min(bytes.len()));
        }
        let start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        // Every byte that ended the name is ASCII, so both ends are char boundaries.
        let name = &html[start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let quote = bytes.get(i).copied().filter(|q| matches!(q, b'"' | b'\''));
            let vstart = i + usize::from(quote.is_some());
            let vend = match quote {
                Some(q) => memchr::memchr(q, &bytes[vstart..]).map_or(bytes.len(), |e| vstart + e),
                None => bytes[vstart..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || *c == b'>')
                    .map_or(bytes.len(), |e| vstart + e),
            };
            value = html[vstart..vend].to_string();
            i = (vend + usize::from(quote.is_some())).min(bytes.len());
        }
        // A name is only empty at a stray `=`, which the value branch has
        // consumed: every turn of the loop moves on by whole characters.
        if !name.is_empty() {
            out.push((name, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_and_title() {
        let (html, changed) = render(
            "# Triage\n\n## Success metrics\n\n## Success metrics\n\ntext",
            "Triage",
            false,
        );
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains(r#"<h2 id="success-metrics">"#), "{html}");
        assert!(html.contains(r#"<h2 id="success-metrics-1">"#), "{html}");
        assert!(!changed);
    }

    #[test]
    fn active_content_is_removed() {
        let md = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n## H {onclick=alert(1)}\n\n<details><summary>More</summary>ok</details>\n";
        let (html, changed) = render(md, "T", false);
        assert!(changed);
        for bad in ["<script", "onerror", "javascript:", " onclick="] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<details>"), "{html}");
        assert!(
            html.contains("{onclick=alert(1)}"),
            "heading attributes stay text: {html}"
        );
        let (trusted, _) = render("<b onclick=\"go()\">x</b>", "T", true);
        assert!(
            trusted.contains("onclick"),
            "allow_raw_html publishes as written"
        );
    }

    #[test]
    fn removed_raw_html_is_located() {
        let md = "ok <b>bold</b> <span style=\"x\">s</span>\n\n<details>\n<summary>More</summary>\n</details>\n\n<div onclick=\"x()\">\nhi\n</div>\n\n[a](javascript:x) <a href=\"java&#x3a;script:alert(1)\">x</a> <a href=\"https://e.com/\">e</a> <!-- note -->\n\n<script>alert(1)</script>\n";
        let found: Vec<&str> = removed_raw_html(md).into_iter().map(|r| &md[r]).collect();
        assert_eq!(
            found,
            vec![
                "<span style=\"x\">",
                "<div onclick=\"x()\">\nhi\n</div>\n",
                "<a href=\"java&#x3a;script:alert(1)\">",
                "<script>alert(1)</script>\n",
            ]
        );
        assert!(removed_raw_html("a < b and <b>c</b>").is_empty());
        assert!(removed_raw_html("<").is_empty());
        assert!(removed_raw_html("<a href='x").is_empty());
        // A stray `=` then a multi-byte character: an HTML block such as
        // `<div ="x"é>` once made the scanner slice mid-character.
        for odd in [
            "<div =\"x\"\u{e9}>\n\ntext\n",
            "<a =\"x\"\u{e9}>",
            "<a =\u{e9}>",
            "<a = >",
            "<a =",
            "<b =\"\u{e9}\"\u{e9}\u{e9}=>",
        ] {
            let _ = removed_raw_html(odd);
        }
    }

    #[test]
    fn tables_tasks_footnotes() {
        let (html, _) = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\nNote[^1]\n\n[^1]: Foot.\n",
            "T",
            false,
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("checkbox"), "{html}");
        assert!(html.contains("footnote"), "{html}");
    }
}
