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

fn clean(html: &str) -> String {
    ammonia::Builder::default()
        .add_tag_attributes("h1", &["id"])
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
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(html)
        .to_string()
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
