//! A document's Markdown body → safe HTML.
//!
//! pulldown-cmark renders with tables, footnotes, strikethrough and task
//! lists; every heading gets an id for anchors (heading attributes in the
//! source stay off, so `{onclick=…}` remains text). The result then passes
//! through ammonia's allow-list, which removes scripts, event handlers,
//! `javascript:`/`data:`/`vbscript:` URLs and anything else a document
//! should not publish. The first H1 is dropped when it repeats the page
//! title, which the page header shows.

use super::markdown::{options, readable};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd, html};
use std::collections::HashMap;

/// The slug of a heading, for its anchor, by GitHub's rule (as
/// github-slugger does): lowercase; letters, digits, `-` and `_` kept; each
/// space becomes `-`; everything else dropped. Links written for the forge
/// (`#what-is-new`, `#rollback--kill-switch`) keep working on the site.
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().to_lowercase().chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else if c == ' ' {
            out.push('-');
        }
    }
    if out.is_empty() {
        "section".into()
    } else {
        out
    }
}

/// What becomes of a relative link's URL: the site maps links to other
/// documents to their pages. `None` keeps the URL as written.
pub type Rewrite<'r> = &'r (dyn Fn(&str) -> Option<String> + Sync);

/// A body that is not published (the page says why, and `build` reports
/// `page-too-large`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLarge {
    /// Its HTML would pass `[limits] max_html_bytes` (the limit).
    Html(usize),
    /// One of its top-level blocks holds raw HTML and renders to more than
    /// [`MAX_RAW_BLOCK`] bytes: too much to sanitise at once.
    RawBlock(usize),
}

/// How much HTML is sanitised at a time. Ammonia builds a DOM of what it
/// cleans, tens of times the size of the HTML; cleaning a large body in
/// pieces, each a run of whole top-level blocks, keeps that to a constant.
/// A body under this size is cleaned in one piece, as a whole.
const CLEAN_CHUNK: usize = 64 * 1024;

/// The largest piece with raw HTML that is sanitised. A larger piece is
/// one block (a paragraph, a list, a table) of over a mebibyte of HTML
/// with raw HTML inside: no document needs it, and its DOM would cost a
/// gigabyte.
pub const MAX_RAW_BLOCK: usize = 1 << 20;

/// The URL schemes a link, an image or a raw HTML URL attribute may have.
const URL_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Whether a URL may be published: relative, or of an allowed scheme. As
/// browsers do, ASCII whitespace and control characters are ignored
/// before the scheme is read (`java\tscript:` is `javascript:`).
pub fn url_allowed(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match cleaned.find([':', '/', '?', '#']) {
        Some(at) if cleaned[at..].starts_with(':') => URL_SCHEMES.contains(&&cleaned[..at]),
        _ => true,
    }
}

/// Render `body` to sanitised HTML (`trusted` skips the allow-list:
/// `[site] allow_raw_html`). `title` is the page title: a first H1 with the
/// same text is left out. Returns the HTML and whether sanitising removed
/// anything from raw HTML in the source, or [`TooLarge`] once the HTML
/// passes `max_bytes`.
///
/// The events stream from the parser through the HTML writer into pieces
/// that are cleaned as they fill, so that memory stays proportional to the
/// body: neither the events nor the whole unclean HTML are ever held.
pub fn render(
    body: &str,
    title: &str,
    trusted: bool,
    max_bytes: usize,
) -> Result<(String, bool), TooLarge> {
    render_linked(body, title, trusted, max_bytes, &|_| None)
}

/// [`render`], with each link's and image's URL passed through `rewrite`.
pub fn render_linked(
    body: &str,
    title: &str,
    trusted: bool,
    max_bytes: usize,
    rewrite: Rewrite,
) -> Result<(String, bool), TooLarge> {
    let buffer = std::cell::RefCell::new(Pieces {
        trusted,
        ..Pieces::default()
    });
    let body = readable(body);
    let mut events = Anchored::new(Parser::new_ext(&body, options()), title, &buffer);
    events.rewrite = Some(rewrite);
    let sink = Sink {
        buffer: &buffer,
        written: 0,
        max_bytes,
    };
    let written = html::write_html_fmt(sink, events);
    let mut pieces = buffer.into_inner();
    pieces.flush();
    if let Some(too_large) = pieces.too_large {
        return Err(too_large);
    }
    if written.is_err() {
        return Err(TooLarge::Html(max_bytes));
    }
    Ok((pieces.out, pieces.changed))
}

/// The HTML so far: cleaned pieces, and the piece being written.
#[derive(Default)]
struct Pieces {
    trusted: bool,
    /// Cleaned HTML.
    out: String,
    /// HTML written since the last flush, not yet cleaned.
    piece: String,
    /// The piece holds raw HTML from the source.
    raw_html: bool,
    /// Cleaning changed raw HTML.
    changed: bool,
    /// Why rendering stopped, when it did.
    too_large: Option<TooLarge>,
}

impl Pieces {
    /// Clean the piece and append it to the output. A piece without raw
    /// HTML that is larger than [`CLEAN_CHUNK`] (one huge paragraph, list
    /// or table) is the parser's own HTML: its text is escaped and its
    /// URLs were checked as events ([`url_allowed`]), so it is kept as it
    /// is rather than parsed into a DOM of a gigabyte.
    fn flush(&mut self) {
        if self.piece.is_empty() {
            return;
        }
        if self.trusted || (!self.raw_html && self.piece.len() > CLEAN_CHUNK) {
            self.out.push_str(&self.piece);
        } else if self.piece.len() > MAX_RAW_BLOCK + CLEAN_CHUNK {
            self.too_large = Some(TooLarge::RawBlock(MAX_RAW_BLOCK));
        } else {
            // Everything is cleaned, so that link schemes are checked in
            // one place; only raw HTML in the source can make the cleaner
            // change anything.
            let cleaned = clean(&self.piece);
            self.changed |= self.raw_html && cleaned != self.piece;
            self.out.push_str(&cleaned);
        }
        self.piece.clear();
        self.raw_html = false;
    }
}

/// Where the HTML writer writes: the current piece, up to `max_bytes` in all.
struct Sink<'b> {
    buffer: &'b std::cell::RefCell<Pieces>,
    written: usize,
    max_bytes: usize,
}

impl std::fmt::Write for Sink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.written = self.written.saturating_add(s.len());
        if self.written > self.max_bytes {
            return Err(std::fmt::Error);
        }
        let mut buffer = self.buffer.borrow_mut();
        if buffer.too_large.is_some() {
            return Err(std::fmt::Error);
        }
        buffer.piece.push_str(s);
        // Stop as soon as a piece with raw HTML is too large to clean.
        if buffer.raw_html && !buffer.trusted && buffer.piece.len() > MAX_RAW_BLOCK + CLEAN_CHUNK {
            buffer.too_large = Some(TooLarge::RawBlock(MAX_RAW_BLOCK));
            return Err(std::fmt::Error);
        }
        Ok(())
    }
}

/// The parser's events with an id on every heading (from its text, made
/// unique), without a first H1 that repeats the title, and with links and
/// images of other schemes than [`URL_SCHEMES`] made harmless (a link
/// loses its target, as the sanitiser would drop its `href`; an image its
/// source). Before each top-level block it flushes a full piece: the
/// writer has written every event before it by then, and the piece ends
/// between whole blocks.
/// The ids the site gives headings: GitHub's slug ([`anchor`]), with
/// `-1`, `-2` for repeats. The first H1, when it repeats the page title,
/// is left out of the page (its header shows the title) and takes no id.
pub(crate) struct HeadingIds<'t> {
    title: &'t str,
    seen_h1: bool,
    used: HashMap<String, usize>,
    /// The slug of the title's H1, left out of the body, until taken.
    title_id: Option<String>,
}

impl<'t> HeadingIds<'t> {
    pub(crate) fn new(title: &'t str) -> Self {
        HeadingIds {
            title,
            seen_h1: false,
            used: HashMap::new(),
            title_id: None,
        }
    }

    /// The id of the next heading, or `None` for the title's H1 (whose
    /// slug [`HeadingIds::take_title_id`] then gives: it is still a link
    /// target, as on the forge, and counts for the `-1` of a repeat).
    pub(crate) fn id(&mut self, level: HeadingLevel, text: &str) -> Option<String> {
        let title = level == HeadingLevel::H1 && !self.seen_h1 && text.trim() == self.title.trim();
        if level == HeadingLevel::H1 {
            self.seen_h1 = true;
        }
        let base = anchor(text);
        let n = self.used.entry(base.clone()).or_insert(0);
        let id = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        if title {
            self.title_id = Some(id);
            return None;
        }
        Some(id)
    }

    /// The title H1's id, once, after [`HeadingIds::id`] left it out.
    pub(crate) fn take_title_id(&mut self) -> Option<String> {
        self.title_id.take()
    }
}

struct Anchored<'a, 'b, I> {
    events: I,
    ids: HeadingIds<'b>,
    /// A heading's events, read ahead for its text.
    pending: std::collections::VecDeque<Event<'a>>,
    depth: usize,
    /// For each open link, whether it lost its target.
    links: Vec<bool>,
    buffer: &'b std::cell::RefCell<Pieces>,
    /// How links to other documents become links to their pages.
    rewrite: Option<Rewrite<'b>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Anchored<'a, '_, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let event = match self.pending.pop_front() {
            Some(e) => e,
            None => loop {
                let event = self.events.next()?;
                if !matches!(event, Event::Start(Tag::Heading { .. })) {
                    break event;
                }
                if let Some(start) = self.heading(event) {
                    break start;
                }
            },
        };
        match &event {
            Event::Start(_) => {
                if self.depth == 0 {
                    self.at_block_boundary();
                }
                self.depth += 1;
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ if self.depth == 0 => self.at_block_boundary(),
            _ => {}
        }
        if matches!(event, Event::Html(_) | Event::InlineHtml(_)) {
            self.buffer.borrow_mut().raw_html = true;
        }
        Some(self.checked_url(event))
    }
}

impl<'a, 'b, I: Iterator<Item = Event<'a>>> Anchored<'a, 'b, I> {
    fn new(events: I, title: &'b str, buffer: &'b std::cell::RefCell<Pieces>) -> Self {
        Anchored {
            events,
            ids: HeadingIds::new(title),
            pending: std::collections::VecDeque::new(),
            depth: 0,
            links: Vec::new(),
            buffer,
            rewrite: None,
        }
    }

    /// `url` as the site publishes it (see [`Rewrite`]).
    fn rewritten(&self, url: CowStr<'a>) -> CowStr<'a> {
        match self.rewrite.and_then(|r| r(&url)) {
            Some(new) => new.into(),
            None => url,
        }
    }

    /// A link or image whose URL may not be published, made harmless: the
    /// link becomes an `<a>` without a target (written as markup of our
    /// own, not raw HTML from the source), the image loses its source.
    fn checked_url(&mut self, event: Event<'a>) -> Event<'a> {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let allowed = url_allowed(&dest_url);
                self.links.push(!allowed);
                if allowed {
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: self.rewritten(dest_url),
                        title,
                        id,
                    })
                } else {
                    Event::InlineHtml("<a>".into())
                }
            }
            Event::End(TagEnd::Link) => match self.links.pop() {
                Some(true) => Event::InlineHtml("</a>".into()),
                _ => event,
            },
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: if url_allowed(&dest_url) {
                    self.rewritten(dest_url)
                } else {
                    "".into()
                },
                title,
                id,
            }),
            other => other,
        }
    }

    fn at_block_boundary(&mut self) {
        let mut buffer = self.buffer.borrow_mut();
        if buffer.piece.len() >= CLEAN_CHUNK {
            buffer.flush();
        }
    }

    /// Read a heading to its end: its start event with an id, its other
    /// events queued; `None` when it is the title's H1, left out.
    fn heading(&mut self, start: Event<'a>) -> Option<Event<'a>> {
        let Event::Start(Tag::Heading {
            level,
            classes,
            attrs,
            ..
        }) = start
        else {
            return Some(start);
        };
        let mut text = String::new();
        for event in self.events.by_ref() {
            let end = matches!(event, Event::End(TagEnd::Heading(_)));
            if let Event::Text(t) | Event::Code(t) = &event {
                text.push_str(t);
            }
            self.pending.push_back(event);
            if end {
                break;
            }
        }
        let Some(id) = self.ids.id(level, &text) else {
            self.pending.clear();
            // The title is the page's heading; its slug stays a target here.
            let id = self.ids.take_title_id()?;
            return Some(Event::Html(CowStr::from(format!(
                "<div id=\"{id}\"></div>\n"
            ))));
        };
        Some(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(id)),
            classes,
            attrs,
        }))
    }
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
        // `<a name="x">` and `<a id="x">`: anchors documents write for the forge.
        .add_tag_attributes("a", &["id", "name"])
        .id_prefix(None)
        // Fragments match in any case, as on the forge: ids are written
        // lowercase and the site lowercases the fragments it links to.
        .attribute_filter(|_, attribute, value| match attribute {
            "id" | "name" if value.chars().any(char::is_uppercase) => {
                Some(value.to_lowercase().into())
            }
            _ => Some(value.into()),
        })
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(URL_SCHEMES.into_iter().collect());
    b
}

/// The size limit tests render with: effectively none.
#[cfg(test)]
const NO_LIMIT: usize = usize::MAX;

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
    // An HTML block comes line by line; it is judged whole, so that a
    // comment over several lines (`<!--`, `<package>`, `-->`) is seen as
    // the comment it is.
    let mut block: Option<(std::ops::Range<usize>, String)> = None;
    let body = readable(body);
    for (event, range) in Parser::new_ext(&body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::HtmlBlock) => block = Some((range, String::new())),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((r, html)) = block.take()
                    && allow.changes(&html)
                {
                    out.push(r);
                }
            }
            Event::Html(html) => {
                if let Some((_, whole)) = block.as_mut() {
                    whole.push_str(&html);
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
}

impl AllowList {
    fn new() -> Self {
        let b = builder();
        AllowList {
            tags: b.clone_tags(),
            tag_attributes: b.clone_tag_attributes(),
            generic: b.clone_generic_attributes(),
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

    /// Whether a URL in raw HTML keeps its place: relative, or of an
    /// allowed scheme.
    fn url_allowed(&self, value: &str) -> bool {
        // Browsers ignore whitespace and control characters in a scheme
        // and decode entities first: `java&#10;script&colon;` is `javascript:`.
        let decoded = value
            .replace("&colon;", ":")
            .replace("&#58;", ":")
            .replace("&#x3a;", ":")
            .replace("&#X3A;", ":")
            .replace("&#x3A;", ":");
        url_allowed(decoded.trim_start_matches(|c: char| c.is_whitespace()))
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
mod comment_tests {
    use super::removed_raw_html;

    #[test]
    fn a_comment_over_several_lines_is_not_removed_content() {
        let body = "Text.\n\n<!--\nTODO: list every <package> and <script> here\n-->\n\nMore.\n";
        assert!(
            removed_raw_html(body).is_empty(),
            "{:?}",
            removed_raw_html(body)
        );
        let inline = "A line <!-- <package> --> with a comment.\n";
        assert!(removed_raw_html(inline).is_empty());
        // Real raw HTML is still reported, next to a comment or not.
        let script = "<!-- note -->\n<script>alert(1)</script>\n";
        assert_eq!(removed_raw_html(script).len(), 1);
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
            NO_LIMIT,
        )
        .expect("renders");
        assert!(!html.contains("<h1"), "{html}");
        // The title's slug stays a link target, as on the forge.
        assert!(html.contains(r#"<div id="triage"></div>"#), "{html}");
        assert!(html.contains(r#"<h2 id="success-metrics">"#), "{html}");
        assert!(html.contains(r#"<h2 id="success-metrics-1">"#), "{html}");
        assert!(!changed);
    }

    #[test]
    fn active_content_is_removed() {
        let md = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n## H {onclick=alert(1)}\n\n<details><summary>More</summary>ok</details>\n";
        let (html, changed) = render(md, "T", false, NO_LIMIT).expect("renders");
        assert!(changed);
        for bad in ["<script", "onerror", "javascript:", " onclick="] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<details>"), "{html}");
        assert!(
            html.contains("{onclick=alert(1)}"),
            "heading attributes stay text: {html}"
        );
        let (trusted, _) =
            render("<b onclick=\"go()\">x</b>", "T", true, NO_LIMIT).expect("renders");
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

    /// The old renderer: every event collected, the whole HTML cleaned at
    /// once. The streaming one must give the same bytes.
    fn render_whole(body: &str, title: &str) -> String {
        let mut pieces = Pieces::default();
        let buffer = std::cell::RefCell::new(Pieces::default());
        let body = readable(body);
        let events: Vec<Event> =
            Anchored::new(Parser::new_ext(&body, options()), title, &buffer).collect();
        html::push_html(&mut pieces.piece, events.into_iter());
        clean(&pieces.piece)
    }

    #[test]
    fn large_bodies_are_cleaned_in_pieces_with_the_same_result() {
        let mut body = String::from("# Title\n\n");
        for i in 0..3000 {
            body.push_str(&format!(
                "## Part {i}\n\nSome *text* with [a link](https://e.com/{i}) and <b>bold</b> <span onclick=\"x\">s</span>.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| {i} | x |\n\n"
            ));
        }
        let (html, changed) = render(&body, "Title", false, NO_LIMIT).expect("renders");
        assert!(html.len() > 4 * CLEAN_CHUNK, "{}", html.len());
        assert!(changed, "the span's handler is removed");
        assert_eq!(html, render_whole(&body, "Title"));
        assert!(html.contains("<h2 id=\"part-2999\">"));
    }

    #[test]
    fn html_past_the_limit_is_too_large() {
        // Three bytes of `x\n\n` become nine of `<p>x</p>\n`.
        let body = "x\n\n".repeat(200_000);
        let html = render(&body, "T", false, 1 << 20);
        assert!(
            html == Err(TooLarge::Html(1 << 20)),
            "rendered past the limit"
        );
        let html = render(&body, "T", false, 2 << 20).map(|(h, _)| h.len());
        assert_eq!(html, Ok(1_800_000));
    }

    #[test]
    fn a_huge_block_with_raw_html_is_refused_and_one_without_is_kept() {
        let raw = format!("{}\n", "<b>x</b> ".repeat(200_000));
        let refused = render(&raw, "T", false, usize::MAX);
        assert!(
            refused == Err(TooLarge::RawBlock(MAX_RAW_BLOCK)),
            "a 1.8 MB paragraph with tags"
        );
        assert!(
            render(&raw, "T", true, usize::MAX).is_ok(),
            "trusted: not sanitised"
        );
        let plain = format!("{}\n", "*a* [l](javascript:x) ".repeat(100_000));
        let (html, _) = render(&plain, "T", false, usize::MAX).expect("renders");
        assert!(html.len() > 2 * CLEAN_CHUNK);
        assert!(!html.contains("javascript"), "links were checked as events");
        assert!(
            html.starts_with("<p><em>a</em> <a>l</a> "),
            "{}",
            &html[..60]
        );
    }

    #[test]
    fn tables_tasks_footnotes() {
        let (html, _) = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\nNote[^1]\n\n[^1]: Foot.\n",
            "T",
            false,
            NO_LIMIT,
        )
        .expect("renders");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("checkbox"), "{html}");
        assert!(html.contains("footnote"), "{html}");
    }
}
