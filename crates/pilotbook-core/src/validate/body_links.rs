//! `broken-link`: a relative link or image in a body that leads nowhere:
//! to no document and no file, or to a heading its page does not have.
//!
//! Links are read as the site reads them ([`crate::parse::links`]) and
//! resolved with the site's one reading ([`crate::doclinks`]), so a link
//! this rule accepts is one the site rewrites or the forge serves. Whether
//! a file exists is the caller's question (`exists`): the working tree, a
//! revision and serve's overlay each answer it, and nothing here does I/O.

use crate::diagnostics::Diagnostic;
use crate::doclinks;
use crate::model::Portfolio;
use crate::parse::links::{Link, anchors, links_and_anchors, may_link};
use crate::rules::Rule;
use crate::source::LineIndex;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};

/// What a link needs in order to lead somewhere.
enum Needs {
    /// A heading (or `id`) on the page of document `doc`.
    Anchor { doc: usize, fragment: String },
    /// A file of the repository, by root-relative path.
    File(String),
}

/// The links of one document that need something, each destination once
/// (its first occurrence), with what it needs and how often it is written.
struct Written {
    doc: usize,
    links: Vec<(Link, Needs, usize)>,
    /// The document's own anchors, read in the same parse.
    anchors: HashSet<String>,
}

/// The most `broken-link` findings one document gets; one more says how
/// many were left out. A document that repeats a broken link is told once
/// per destination, and one with thousands of them is not a thousand
/// findings (nor their memory).
const MAX_PER_DOCUMENT: usize = 50;

/// Every broken relative link and image of every readable document.
/// `exists` answers whether a root-relative path is a file or folder of
/// the repository (as read: the checkout, or the revision).
pub fn broken_links(
    portfolio: &Portfolio,
    exists: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Diagnostic> {
    let by_path: HashMap<&str, usize> = portfolio
        .entities
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.document.as_ref().map(|d| (d.path.as_str(), i)))
        .collect();
    let mut written: Vec<Written> = portfolio
        .entities
        .par_iter()
        .enumerate()
        .filter_map(|(doc, e)| {
            let d = e.document.as_ref().filter(|d| d.parsed.readable)?;
            written(&by_path, doc, &d.path, d.parsed.body(), &e.title)
        })
        .collect();
    let pages: BTreeSet<usize> = needed(&written, |n| match n {
        Needs::Anchor { doc, .. } => Some(*doc),
        Needs::File(_) => None,
    });
    // The anchors of the pages linked to: read with the links where the
    // page links too, else read now.
    let mut offered: HashMap<usize, HashSet<String>> = HashMap::new();
    for w in &mut written {
        if pages.contains(&w.doc) {
            offered.insert(w.doc, std::mem::take(&mut w.anchors));
        }
    }
    let rest: Vec<(usize, HashSet<String>)> = pages
        .into_par_iter()
        .filter(|i| !offered.contains_key(i))
        .filter_map(|i| {
            let e = &portfolio.entities[i];
            let d = e.document.as_ref()?;
            Some((i, anchors(d.parsed.body(), &e.title)))
        })
        .collect();
    offered.extend(rest);
    let files: BTreeSet<&str> = needed(&written, |n| match n {
        Needs::File(path) => Some(path.as_str()),
        Needs::Anchor { .. } => None,
    });
    let missing: HashSet<&str> = files.into_par_iter().filter(|p| !exists(p)).collect();
    let found: Vec<Diagnostic> = written
        .par_iter()
        .flat_map_iter(|w| report(portfolio, w, &offered, &missing))
        .collect();
    found
}

/// The links document `doc` (at `from`, with `body`, titled `title`)
/// writes that need something, each destination once, with its anchors.
fn written(
    by_path: &HashMap<&str, usize>,
    doc: usize,
    from: &str,
    body: &str,
    title: &str,
) -> Option<Written> {
    if !may_link(body) {
        return None;
    }
    let (links, anchors) = links_and_anchors(body, title);
    // Each destination once: where in `kept` it is, if it needs anything.
    let mut first: HashMap<String, Option<usize>> = HashMap::new();
    let mut kept: Vec<(Link, Needs, usize)> = Vec::new();
    for link in links {
        match first.get(&link.url) {
            Some(Some(at)) => kept[*at].2 += 1,
            Some(None) => {}
            None => {
                let needs = needs(by_path, doc, from, &link.url);
                first.insert(link.url.clone(), needs.as_ref().map(|_| kept.len()));
                if let Some(needs) = needs {
                    kept.push((link, needs, 1));
                }
            }
        }
    }
    (!kept.is_empty()).then_some(Written {
        doc,
        links: kept,
        anchors,
    })
}

/// What a link written in document `doc` (at `from`) needs, or `None` when
/// it is not this rule's to check (a URL with a scheme, a path out of the
/// root) or needs nothing (a document, no fragment).
fn needs(by_path: &HashMap<&str, usize>, doc: usize, from: &str, url: &str) -> Option<Needs> {
    if let Some(fragment) = url.trim().strip_prefix('#') {
        return (!fragment.is_empty()).then(|| Needs::Anchor {
            doc,
            fragment: fragment.to_lowercase(),
        });
    }
    let resolved = doclinks::resolve(from, url)?;
    match doclinks::document(&resolved.path, |p| by_path.get(p).copied()) {
        Some(target) => {
            let fragment = resolved.fragment.filter(|f| !f.is_empty())?;
            Some(Needs::Anchor {
                doc: target,
                fragment: fragment.to_lowercase(),
            })
        }
        None => Some(Needs::File(resolved.path)),
    }
}

/// The distinct things the written links need, as `pick` names them.
fn needed<'w, T: Ord>(
    written: &'w [Written],
    pick: impl Fn(&'w Needs) -> Option<T>,
) -> BTreeSet<T> {
    written
        .iter()
        .flat_map(|w| w.links.iter().filter_map(|(_, n, _)| pick(n)))
        .collect()
}

/// The findings of one document's links.
fn report(
    portfolio: &Portfolio,
    written: &Written,
    offered: &HashMap<usize, HashSet<String>>,
    missing: &HashSet<&str>,
) -> Vec<Diagnostic> {
    let Some(doc) = portfolio.entities[written.doc].document.as_ref() else {
        return Vec::new();
    };
    let text = &doc.parsed.text;
    let mut lines: Option<LineIndex> = None;
    let mut out = Vec::new();
    let mut left_out = 0;
    for (link, needs, times) in &written.links {
        let what = if link.image { "image" } else { "link" };
        let url = &link.url;
        let (message, help) = match needs {
            Needs::File(path) if missing.contains(path.as_str()) => (
                format!("{what} `{url}` leads nowhere: `{path}` is not in the repository"),
                "fix the path (it is relative to this document, or to the pilotbook root when it starts with `/`), or remove the link".to_string(),
            ),
            Needs::Anchor { doc: target, fragment } => {
                let Some(ids) = offered.get(target).filter(|ids| !ids.contains(fragment)) else {
                    continue;
                };
                let page = if *target == written.doc {
                    "this document".to_string()
                } else {
                    portfolio.entities[*target]
                        .document
                        .as_ref()
                        .map_or_else(String::new, |d| format!("`{}`", d.path))
                };
                (
                    format!("{what} `{url}` names a heading `#{fragment}` that {page} does not have"),
                    anchor_help(fragment, ids),
                )
            }
            Needs::File(_) => continue,
        };
        if out.len() == MAX_PER_DOCUMENT {
            left_out += 1;
            continue;
        }
        let message = match times {
            1 => message,
            n => format!("{message} (written {n} times here; the first is shown)"),
        };
        let lines = lines.get_or_insert_with(|| LineIndex::new(text));
        let position = lines.position(text, doc.parsed.body_offset + link.range.start);
        out.push(
            Diagnostic::new(Rule::BrokenLink, doc.path.as_str(), position, message)
                .width(first_line_width(text, doc.parsed.body_offset, link))
                .item(url.as_str())
                .help(help),
        );
    }
    if left_out > 0
        && let Some(last) = out.last()
    {
        let message = format!(
            "{left_out} more broken links or images in this document are not listed (at most {MAX_PER_DOCUMENT} are)"
        );
        let more = Diagnostic::new(Rule::BrokenLink, doc.path.as_str(), last.position, message)
            .help("fix the ones listed and check again");
        out.push(more);
    }
    out
}

/// Help for a fragment that names no heading: the nearest heading id when
/// one is near enough to be a typo.
fn anchor_help(fragment: &str, ids: &HashSet<String>) -> String {
    let mut known: Vec<&str> = ids.iter().map(String::as_str).collect();
    known.sort_unstable();
    match super::fields::suggestion(fragment, &known) {
        Some(near) => format!("did you mean `#{near}`?"),
        None => "a heading is linked by its id as the forge writes it: lowercase, spaces as `-`, punctuation dropped (`## Rollback & kill switch` is `#rollback--kill-switch`)".to_string(),
    }
}

/// How many characters of the link's first line the finding underlines.
fn first_line_width(text: &str, body_offset: usize, link: &Link) -> usize {
    let range = body_offset + link.range.start..body_offset + link.range.end;
    text.get(range)
        .and_then(|t| t.lines().next())
        .map_or(1, |line| line.chars().count().max(1))
}
