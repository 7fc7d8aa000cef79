//! `feed.xml` and the pilots' badges, checked with an XML parser: the feed
//! is Atom 1.0 with its required elements, its entries are the events of a
//! history spelled out here, newest first, with unique ids; each badge is
//! well-formed SVG that says the pilot's status and readiness.

use crate::support::{Case, DANA, LEE, QUIET_LIFECYCLE, pilot, pilotbook};

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children().find(|c| c.has_tag_name((ATOM, name)))
}

#[test]
fn the_feed_is_atom_with_the_portfolios_events_newest_first() {
    let repo = Case::new().portfolio().config(QUIET_LIFECYCLE);
    repo.write(
        "pilots/triage.md",
        &pilot("proposed", ">= 90%", "2026-09-01"),
    );
    repo.commit("Propose triage", DANA, "2026-01-10T09:00:00+00:00");
    repo.write("pilots/triage.md", &pilot("pilot", ">= 85%", "2026-09-01"));
    repo.commit(
        "Start the pilot, lower the target",
        LEE,
        "2026-02-10T09:00:00+00:00",
    );
    repo.write("pilots/triage.md", &pilot("pilot", ">= 85%", "2026-10-15"));
    repo.commit("GA later", DANA, "2026-03-10T09:00:00+00:00");
    let site = tempfile::tempdir().expect("tempdir");
    let out = pilotbook(
        &repo.root,
        &["build", "--out", site.path().to_str().expect("utf-8")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let text = std::fs::read_to_string(site.path().join("feed.xml")).expect("feed.xml");
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "{text}");
    for required in ["id", "title", "updated"] {
        assert!(child(feed, required).is_some(), "feed without <{required}>");
    }
    assert_eq!(
        child(feed, "updated").and_then(|u| u.text()),
        Some("2026-03-10T09:00:00+00:00")
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .collect();
    let titles: Vec<&str> = entries
        .iter()
        .filter_map(|e| child(*e, "title").and_then(|t| t.text()))
        .collect();
    assert_eq!(
        titles,
        [
            "Triage: General availability slipped 44 days, from 2026-09-01 to 2026-10-15",
            "Triage: target for accuracy moved from >= 90% to >= 85%",
            "Triage: proposed → pilot",
            "New pilot: Triage",
        ],
        "{text}"
    );
    let mut ids = std::collections::BTreeSet::new();
    for e in &entries {
        for required in ["id", "title", "updated", "author", "link"] {
            assert!(
                child(*e, required).is_some(),
                "entry without <{required}>: {text}"
            );
        }
        assert!(ids.insert(child(*e, "id").and_then(|i| i.text()).unwrap_or_default()));
        let href = child(*e, "link").and_then(|l| l.attribute("href"));
        assert_eq!(href, Some("pilots/triage.html"));
    }
    assert_eq!(
        child(entries[2], "author")
            .and_then(|a| child(a, "name"))
            .and_then(|n| n.text()),
        Some("Lee Wu")
    );

    let badge = std::fs::read_to_string(site.path().join("badges/triage.svg")).expect("badge");
    let svg = roxmltree::Document::parse(&badge).expect("well-formed SVG");
    let root = svg.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    let texts: Vec<&str> = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(texts, ["pilot", "pilot · 13/13 ready"], "{badge}");
    assert!(
        root.attribute("width")
            .and_then(|w| w.parse::<u32>().ok())
            .is_some_and(|w| w > 100)
    );
    // Every page announces the feed.
    let index = std::fs::read_to_string(site.path().join("index.html")).expect("index");
    assert!(
        index.contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"feed.xml\"")
    );
}
