//! `feed.xml`, an Atom 1.0 feed of the portfolio's events from history
//! (new pilots, status changes, moved targets, slipped milestones), newest
//! first; and `badges/<id>.svg`, a shields-style badge per pilot (status
//! and readiness) for the code repository's README. Both are written from
//! the derived facts and the history; nothing here decides a fact.

use crate::svg::escape;
use crate::views::Inputs;
use pilotbook_core::history::{CommitInfo, Timestamp};
use pilotbook_core::model::Entity;

/// The most entries the feed holds: readers poll it, so it stays small.
pub const FEED_ENTRIES: usize = 100;

/// One event of the portfolio.
struct Event<'a> {
    when: Timestamp,
    pilot: &'a Entity,
    title: String,
    /// The commit that made it.
    commit: &'a CommitInfo,
    /// A short name for the kind of event, part of the entry's id.
    kind: &'static str,
}

/// Every event of every pilot, newest first, at most [`FEED_ENTRIES`].
fn events<'a>(inputs: &'a Inputs, pilots: &[usize]) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    for &i in pilots {
        let e = &inputs.portfolio.entities[i];
        let Some(h) = e
            .document
            .as_ref()
            .and_then(|d| inputs.history.documents.get(&d.path))
        else {
            continue;
        };
        let name = &e.title;
        let mut push = |commit: &'a CommitInfo, kind: &'static str, title: String| {
            out.push(Event {
                when: commit.date,
                pilot: e,
                title,
                commit,
                kind,
            });
        };
        if let Some(first) = h.commits.last() {
            push(first, "new", format!("New pilot: {name}"));
        }
        for c in &h.status_changes {
            if let Some(from) = &c.from {
                push(&c.commit, "status", format!("{name}: {from} → {}", c.to));
            }
        }
        for t in h.target_changes.iter().filter(|t| t.from.is_some()) {
            let (from, to) = (
                t.from.as_deref().unwrap_or("none"),
                t.to.as_deref().unwrap_or("none"),
            );
            push(
                &t.commit,
                "target",
                format!("{name}: target for {} moved from {from} to {to}", t.metric),
            );
        }
        for s in &h.milestone_slips {
            let days = s.days();
            push(
                &s.commit,
                "slip",
                format!(
                    "{name}: {} slipped {days} days, from {} to {}",
                    s.milestone, s.from, s.to
                ),
            );
        }
    }
    out.sort_by(|a, b| {
        (b.when.seconds, &b.pilot.id, b.kind).cmp(&(a.when.seconds, &a.pilot.id, a.kind))
    });
    out.truncate(FEED_ENTRIES);
    out
}

/// The Atom feed. Links are relative to the feed, or absolute under
/// `base_url` (`xml:base`); ids are stable across builds.
pub fn atom(inputs: &Inputs, pilots: &[usize], base_url: Option<&str>) -> String {
    let events = events(inputs, pilots);
    let updated = events
        .first()
        .map_or_else(|| "1970-01-01T00:00:00Z".into(), |e| e.when.rfc3339());
    let title = escape(&inputs.config.site.title);
    let base = base_url.map(|b| format!(" xml:base=\"{}/\"", escape(b.trim_end_matches('/'))));
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"{}>\n  <title>{title}: portfolio events</title>\n  <id>urn:pilotbook:feed:{}</id>\n  <updated>{updated}</updated>\n  <link rel=\"alternate\" href=\"index.html\"/>\n  <generator version=\"{}\">pilotbook</generator>\n",
        base.unwrap_or_default(),
        escape(&slug(&inputs.config.site.title)),
        env!("CARGO_PKG_VERSION"),
    );
    for e in &events {
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>urn:pilotbook:{}:{}:{}:{}</id>\n    <updated>{}</updated>\n    <author><name>{}</name></author>\n    <link rel=\"alternate\" href=\"{}\"/>\n    <summary>Commit {} by {}: {}</summary>\n  </entry>\n",
            escape(&e.title),
            escape(&e.pilot.id),
            e.kind,
            escape(e.commit.short_id()),
            escape(&slug(&e.title)),
            e.when.rfc3339(),
            escape(&e.commit.author),
            escape(&inputs.href(e.pilot)),
            escape(e.commit.short_id()),
            escape(&e.commit.author),
            escape(&e.commit.summary),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

/// Lowercase letters and digits, `-` between words: a stable feed id.
fn slug(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "portfolio".into()
    } else {
        words.join("-")
    }
}

/// The site path of a pilot's badge.
pub fn badge_path(id: &str) -> String {
    format!("badges/{id}.svg")
}

/// A shields-style badge: `pilot | <status> · <ready>/<required>`,
/// coloured by status. Text widths are estimated (about 6.5 px a
/// character at 11 px Verdana), as shields.io does without a font.
pub fn badge(status: Option<&str>, ready: usize, required: usize) -> String {
    let label = "pilot";
    let value = format!("{} · {ready}/{required} ready", status.unwrap_or("unknown"));
    let colour = match status {
        Some("proposed") => "#6e7781",
        Some("pilot") => "#2357c6",
        Some("go") => "#1a7f37",
        Some("no-go") => "#c0362c",
        Some("production") => "#6f42c1",
        _ => "#57606a",
    };
    let width = |t: &str| 10 + (t.chars().count() as u32 * 65).div_ceil(10);
    let (lw, vw) = (width(label), width(&value));
    let total = lw + vw;
    let text = escape(&value);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total}\" height=\"20\" role=\"img\" aria-label=\"{label}: {text}\"><title>{label}: {text}</title><rect width=\"{lw}\" height=\"20\" fill=\"#555\"/><rect x=\"{lw}\" width=\"{vw}\" height=\"20\" fill=\"{colour}\"/><g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\"><text x=\"{}\" y=\"14\">{label}</text><text x=\"{}\" y=\"14\">{text}</text></g></svg>\n",
        lw / 2,
        lw + vw / 2,
    )
}

#[cfg(test)]
mod tests {
    use super::{badge, slug};

    #[test]
    fn a_badge_names_status_and_readiness_and_escapes_nothing_it_should_not() {
        let svg = badge(Some("pilot"), 11, 13);
        assert!(svg.contains(">pilot · 11/13 ready</text>"), "{svg}");
        assert!(svg.contains("fill=\"#2357c6\""));
        assert!(badge(None, 0, 9).contains("unknown · 0/9 ready"));
    }

    #[test]
    fn the_feed_id_is_a_slug_of_the_title() {
        assert_eq!(slug("Northwind AI pilots"), "northwind-ai-pilots");
        assert_eq!(slug("  "), "portfolio");
    }
}
