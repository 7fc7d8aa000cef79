//! The links a body writes and the anchors its page offers, for
//! `broken-link`. Read with the parser options the site renders with, and
//! the anchors with the site's own heading ids ([`super::html::HeadingIds`]),
//! so that what `check` calls broken is what the page would break.

use super::html::HeadingIds;
use super::markdown::{options, readable};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::ops::Range;

/// A link or an image written in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Where it is written, as a byte range of the body.
    pub range: Range<usize>,
    /// Its destination as written.
    pub url: String,
    /// An image (`![](…)`) rather than a link.
    pub image: bool,
}

/// Whether a body may hold a Markdown link or image at all: an inline
/// `](` or a reference definition's `]:`. Most bodies are passed over
/// without a parse.
pub fn may_link(body: &str) -> bool {
    let bytes = body.as_bytes();
    memchr::memmem::find(bytes, b"](").is_some() || memchr::memmem::find(bytes, b"]:").is_some()
}

/// Every link and image of `body`, in order. Autolinks (`<https://…>`)
/// always have a scheme and are left out.
pub fn links(body: &str) -> Vec<Link> {
    if !may_link(body) {
        return Vec::new();
    }
    scan(body, None).0
}

/// The anchors the page of `body` (titled `title`) offers: each heading's
/// id, as the site writes it, and every `id` or `name` attribute of raw
/// HTML (`<a name="rollback"></a>`). Lowercase, as the site matches
/// fragments in any case.
pub fn anchors(body: &str, title: &str) -> HashSet<String> {
    scan(body, Some(title)).1
}

/// [`links`] and [`anchors`] in one parse, for a body that may link.
pub fn links_and_anchors(body: &str, title: &str) -> (Vec<Link>, HashSet<String>) {
    scan(body, Some(title))
}

/// One pass over `body`: its links, and when `title` is given, its anchors.
fn scan(body: &str, title: Option<&str>) -> (Vec<Link>, HashSet<String>) {
    let mut links = Vec::new();
    let mut anchors = HashSet::new();
    let mut ids = title.map(HeadingIds::new);
    let mut heading: Option<(pulldown_cmark::HeadingLevel, String)> = None;
    let body = readable(body);
    for (event, range) in Parser::new_ext(&body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) if !matches!(
                link_type,
                pulldown_cmark::LinkType::Autolink | pulldown_cmark::LinkType::Email
            ) =>
            {
                links.push(Link {
                    range,
                    url: dest_url.into_string(),
                    image: false,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => links.push(Link {
                range,
                url: dest_url.into_string(),
                image: true,
            }),
            _ if ids.is_none() => {}
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some(((level, text), ids)) = heading.take().zip(ids.as_mut()) else {
                    continue;
                };
                if let Some(id) = ids.id(level, &text).or_else(|| ids.take_title_id()) {
                    anchors.insert(id.to_lowercase());
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => raw_ids(&html, &mut anchors),
            _ => {}
        }
    }
    (links, anchors)
}

/// The values of `id="…"` and `name="…"` attributes in raw HTML.
fn raw_ids(html: &str, out: &mut HashSet<String>) {
    let lower = html.to_ascii_lowercase();
    for attribute in ["id=", "name="] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(attribute) {
            let start = from + at;
            from = start + attribute.len();
            // An attribute name starts after whitespace (not `data-id=`).
            if !lower[..start].ends_with(|c: char| c.is_ascii_whitespace()) {
                continue;
            }
            let rest = &html[from..];
            let value = match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => rest[1..].split(quote).next(),
                _ => rest
                    .split(|c: char| c.is_ascii_whitespace() || c == '>')
                    .next(),
            };
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                out.insert(value.to_lowercase());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_images_with_their_ranges() {
        let body = "See [b](./b.md#plan) and ![d](img/d.png).\n\n[ref]: ../x.md\n\n[use][ref] <https://e.com>\n";
        let found = links(body);
        let urls: Vec<(&str, bool)> = found.iter().map(|l| (l.url.as_str(), l.image)).collect();
        assert_eq!(
            urls,
            [
                ("./b.md#plan", false),
                ("img/d.png", true),
                ("../x.md", false)
            ]
        );
        assert_eq!(&body[found[0].range.clone()], "[b](./b.md#plan)");
        assert!(links("no links [here] at all").is_empty());
    }

    #[test]
    fn anchors_as_the_site_writes_them() {
        let body = "# Title\n\n## Rollback & kill switch\n\n### `p95` latency\n\n## Rollback & kill switch\n\n<a name=\"Old-Anchor\"></a>\n<div data-id=\"no\" id='kept'></div>\n";
        let found = anchors(body, "Title");
        for id in [
            "rollback--kill-switch",
            "rollback--kill-switch-1",
            "p95-latency",
            "old-anchor",
            "kept",
        ] {
            assert!(found.contains(id), "{id} missing from {found:?}");
        }
        assert!(found.contains("title"), "the title's slug is a target too");
        assert!(!found.contains("no"));
    }
}
