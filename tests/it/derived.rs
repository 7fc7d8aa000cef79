//! The derived facts are decided once: a closed pilot (retired or no-go)
//! with an open milestone past its due date is not overdue anywhere —
//! not in `check`, not on its page, not in its portfolio row, not on the
//! timeline, and the export agrees — while an active pilot's is overdue
//! everywhere.

use crate::support::{Case, DANA, ZENDESK, pilot, pilotbook, pilotbook_json};

/// Three pilots, each with one open milestone due 2026-06-01 (today in
/// tests is 2026-11-25): one active, one retired, one no-go.
fn repository() -> Case {
    let repo = Case::new()
        .config("[site]\ntitle = \"Derived\"\n")
        .file("systems/zendesk.md", ZENDESK);
    for (id, status) in [
        ("active", "pilot"),
        ("retired", "retired"),
        ("stopped", "no-go"),
    ] {
        let text = pilot(status, ">= 90%", "2026-06-01")
            .replace("title: Triage", &format!("title: Pilot {id}"))
            .replace(
                "target: \">= 90%\"",
                "target: \">= 90%\"\n    actual: \"91%\"",
            );
        repo.write(&format!("pilots/{id}.md"), &text);
    }
    repo.commit("Pilots", DANA, "2026-03-01T10:00:00+00:00");
    repo
}

#[test]
fn only_the_active_pilot_is_overdue_in_check() {
    let repo = repository();
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    let overdue: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "milestone-overdue")
        .map(|d| d["path"].as_str().expect("path"))
        .collect();
    assert_eq!(overdue, ["pilots/active.md"]);
}

/// The `<tr>` of the portfolio that links to `href`.
fn portfolio_row<'a>(index: &'a str, href: &str) -> &'a str {
    // The table's rows, not the overview's list of stuck pilots above it.
    let table = index.find("<table class=\"portfolio\"").unwrap_or(0);
    index[table..]
        .split("<tr ")
        .find(|row| row.contains(&format!("href=\"{href}\"")))
        .unwrap_or_else(|| panic!("no portfolio row for {href}"))
}

/// The timeline row (`<g class="tl-row …" data-pilot="id">…`) of a pilot,
/// in the first timeline (by status).
fn timeline_row<'a>(timeline: &'a str, id: &str) -> &'a str {
    let start = timeline
        .find(&format!("data-pilot=\"{id}\""))
        .unwrap_or_else(|| panic!("no timeline row for {id}"));
    let rest = &timeline[start..];
    let end = ["<g class=\"tl-row ", "</svg>"]
        .iter()
        .filter_map(|end| rest.find(end))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn a_closed_pilot_is_not_overdue_on_the_site() {
    let repo = repository();
    let out = repo.tmp.path().join("site");
    let built = pilotbook(
        &repo.root,
        &["build", "--out", out.to_str().expect("utf8 path")],
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let read = |p: &str| std::fs::read_to_string(out.join(p)).expect("page");
    let (index, timeline) = (read("index.html"), read("timeline.html"));

    let active = read("pilots/active.html");
    assert!(active.contains("<li class=\"milestone overdue\">"));
    assert!(portfolio_row(&index, "pilots/active.html").contains("class=\"flag\">overdue"));
    assert!(timeline_row(&timeline, "active").contains("tl-milestone overdue"));

    for id in ["retired", "stopped"] {
        let page = read(&format!("pilots/{id}.html"));
        assert!(!page.contains("overdue"), "{id}: page says overdue");
        assert!(page.contains("<li class=\"milestone planned\">"), "{id}");
        let row = portfolio_row(&index, &format!("pilots/{id}.html"));
        assert!(!row.contains("overdue"), "{id}: portfolio row says overdue");
        let drawn = timeline_row(&timeline, id);
        assert!(!drawn.contains("overdue"), "{id}: timeline says overdue");
    }
    // The timeline's description counts the one overdue milestone.
    assert!(timeline.contains("3 milestones (0 done, 1 overdue)"));
}

#[test]
fn the_export_agrees_with_the_site() {
    let repo = repository();
    let export = pilotbook_json(&repo.root, &["export"], 0);
    let pilots = export["pilots"].as_array().expect("pilots");
    assert_eq!(pilots.len(), 3);
    for p in pilots {
        // The export states what the pages show: the open milestone (no
        // `done`) and the metric verdict; overdue is a fact of the day and
        // so not in the export, which does not depend on the clock.
        assert_eq!(
            p["production_path"],
            serde_json::json!([{"milestone": "General availability", "due": "2026-06-01", "done": null}])
        );
        assert_eq!(p["metrics"][0]["met"], true, "{}", p["id"]);
        assert!(!p.to_string().contains("overdue"));
    }
}
