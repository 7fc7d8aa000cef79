//! Pilot purgatory made visible: `decision-overdue`, `status-stale` and
//! `pilot-untouched` over git fixtures whose dates are chosen for them
//! (every run's today is 2026-11-25): each fires, each stays quiet where it
//! must (closed statuses, a recent change, a working-tree edit, no
//! history), each follows `[lifecycle]` and `[rules]`, and each shows on
//! the pilot's page.

use crate::support::{Case, DANA, LEE, Run, pilot, pilotbook, pilotbook_json};
use serde_json::Value;
use std::path::Path;

/// A pilot with a planned `decision` date.
fn deciding(status: &str, decision: &str) -> String {
    pilot(status, ">= 90%", "2027-06-01").replace(
        "started: 2026-03-01\n",
        &format!("started: 2026-03-01\ndecision: {decision}\n"),
    )
}

/// A repository whose config is `config` (defaults when empty).
fn repo(config: &str) -> Case {
    Case::new().portfolio().config(config)
}

/// `(rule, path, line, message)` of the lifecycle findings of a check.
fn lifecycle(dir: &Path) -> Vec<(String, String, u64, String)> {
    // Other rules may fail the run (a decided pilot without actuals).
    let out = pilotbook(dir, &["check", "--format", "json", "--no-cache"]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| {
            matches!(
                d["rule"].as_str(),
                Some("decision-overdue" | "status-stale" | "pilot-untouched")
            )
        })
        .map(|d: &Value| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["path"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn rules(found: &[(String, String, u64, String)]) -> Vec<(&str, &str)> {
    found
        .iter()
        .map(|(r, p, ..)| (r.as_str(), p.as_str()))
        .collect()
}

#[test]
fn decision_overdue_fires_for_open_undecided_pilots_only() {
    let repo = repo("");
    // Due 2026-10-01, 55 days before today.
    repo.write("pilots/stuck.md", &deciding("pilot", "2026-10-01"));
    repo.write(
        "pilots/idea.md",
        &deciding("proposed", "2026-10-01").replace("Triage", "Idea"),
    );
    repo.write(
        "pilots/decided.md",
        &deciding("go", "2026-10-01").replace("Triage", "Decided"),
    );
    repo.write(
        "pilots/stopped.md",
        &deciding("no-go", "2026-10-01").replace("Triage", "Stopped"),
    );
    repo.write(
        "pilots/later.md",
        &deciding("pilot", "2026-12-01").replace("Triage", "Later"),
    );
    repo.commit("Pilots", DANA, "2026-11-20T10:00:00+00:00");
    let found = lifecycle(&repo.root);
    assert_eq!(
        rules(&found),
        [
            ("decision-overdue", "pilots/idea.md"),
            ("decision-overdue", "pilots/stuck.md")
        ],
        "{found:#?}"
    );
    let (_, _, line, message) = &found[1];
    assert_eq!(*line, 6, "at the `decision` field");
    assert!(
        message.contains("2026-10-01 (55 days ago)") && message.contains("still `pilot`"),
        "{message}"
    );
}

#[test]
fn status_stale_counts_from_the_commit_that_set_the_status() {
    let repo = repo("");
    repo.write("pilots/a.md", &pilot("proposed", ">= 90%", "2027-06-01"));
    repo.commit("Propose", DANA, "2026-01-05T10:00:00+00:00");
    // In `pilot` since 2026-05-01: 208 days by today.
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2027-06-01"));
    repo.commit("Start the pilot", LEE, "2026-05-01T10:00:00+00:00");
    // Later edits that keep the status do not restart the clock.
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2027-07-01"));
    repo.commit("Move GA", DANA, "2026-11-20T10:00:00+00:00");
    let found = lifecycle(&repo.root);
    assert_eq!(
        rules(&found),
        [("status-stale", "pilots/a.md")],
        "{found:#?}"
    );
    let (_, _, line, message) = &found[0];
    assert_eq!(*line, 3, "at the `status` field");
    assert!(
        message.contains("`pilot` for 208 days") && message.contains("120 days"),
        "{message}"
    );

    // A longer limit for `pilot` in [lifecycle.max_days]: quiet.
    repo.write("pilotbook.toml", "[lifecycle.max_days]\npilot = 240\n");
    assert!(lifecycle(&repo.root).is_empty());
    // The working tree moves it on: not stale (the clock restarts).
    repo.write("pilotbook.toml", "");
    repo.write("pilots/a.md", &pilot("go", ">= 90%", "2027-07-01"));
    assert!(lifecycle(&repo.root).is_empty());
}

#[test]
fn status_stale_reads_the_main_lines_story_through_a_merge() {
    // The status went to `pilot` on a branch with a skewed (old) author
    // clock, merged later: the status change is the branch commit's.
    let repo = repo("[lifecycle.max_days]\npilot = 100\n");
    repo.write("pilots/a.md", &pilot("proposed", ">= 90%", "2027-06-01"));
    repo.commit("Propose", DANA, "2026-01-05T10:00:00+00:00");
    repo.branch("start");
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2027-06-01"));
    repo.commit("Start", LEE, "2026-06-01T10:00:00+00:00");
    repo.checkout("main");
    repo.write("people/lee-wu.md", "---\nname: Lee Wu\n---\n\nSupport.\n");
    repo.commit("Lee joins", DANA, "2026-09-01T10:00:00+00:00");
    repo.merge("start", DANA, "2026-09-02T10:00:00+00:00");
    // Set by the branch commit of 2026-06-01 (author date), 177 days ago:
    // the export's status timeline and the finding agree on it.
    let export = pilotbook_json(&repo.root, &["export", "--no-cache"], 0);
    let changes = export["pilots"][0]["history"]["status_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last = changes.last().expect("a status change");
    assert_eq!(last["to"], "pilot");
    assert!(
        last["date"]
            .as_str()
            .is_some_and(|d| d.starts_with("2026-06-01")),
        "{last}"
    );
    assert!(
        last["reached_main"]["date"]
            .as_str()
            .is_some_and(|d| d.starts_with("2026-09-02")),
        "{last}"
    );
    // The branch commit is also the document's last touch (the merge
    // changes nothing in it): 177 days untouched.
    let found = lifecycle(&repo.root);
    assert_eq!(
        rules(&found),
        [
            ("pilot-untouched", "pilots/a.md"),
            ("status-stale", "pilots/a.md")
        ],
        "{found:#?}"
    );
    assert!(found[0].3.contains("in 177 days"), "{found:#?}");
    assert!(found[1].3.contains("`pilot` for 177 days"), "{found:#?}");
}

#[test]
fn pilot_untouched_fires_after_the_configured_quiet_period() {
    let repo = repo("");
    repo.write("pilots/old.md", &pilot("pilot", ">= 90%", "2027-06-01"));
    repo.write(
        "pilots/live.md",
        &pilot("production", ">= 90%", "2026-06-01")
            .replace("Triage", "Live")
            .replace(
                "  - metric: accuracy\n    target: \">= 90%\"\n",
                "  - metric: accuracy\n    target: \">= 90%\"\n    actual: \"93%\"\n",
            ),
    );
    repo.commit("Pilots", DANA, "2026-08-01T10:00:00+00:00");
    let found = lifecycle(&repo.root);
    // 116 days since its last commit; the production pilot is not open.
    assert!(
        found.iter().any(|(r, p, _, m)| r == "pilot-untouched"
            && p == "pilots/old.md"
            && m.contains("116 days")),
        "{found:#?}"
    );
    assert!(
        !found.iter().any(|(_, p, ..)| p == "pilots/live.md"),
        "{found:#?}"
    );
    // A longer quiet period, or an edit in the working tree: quiet.
    repo.write("pilotbook.toml", "[lifecycle]\nuntouched_days = 120\n");
    assert!(
        !lifecycle(&repo.root)
            .iter()
            .any(|(r, ..)| r == "pilot-untouched")
    );
    repo.write("pilotbook.toml", "");
    repo.write(
        "pilots/old.md",
        &(pilot("pilot", ">= 90%", "2027-06-01") + "\nNotes.\n"),
    );
    assert!(
        !lifecycle(&repo.root)
            .iter()
            .any(|(r, ..)| r == "pilot-untouched")
    );
}

#[test]
fn without_history_only_the_dated_rule_can_fire() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = repo("");
    repo.write("pilots/a.md", &deciding("pilot", "2026-10-01"));
    for entry in [
        "pilotbook.toml",
        "pilots/a.md",
        "people/dana-kim.md",
        "metrics/accuracy.md",
        "systems/zendesk.md",
    ] {
        let to = dir.path().join(entry);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(repo.root.join(entry), &to).expect("copy");
    }
    let out = Run::at(dir.path())
        .args(["check", "--format", "json"])
        .ceiling(dir.path().parent().unwrap_or(Path::new("/")))
        .output();
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let lifecycle: Vec<&str> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["rule"].as_str())
        .filter(|r| matches!(*r, "decision-overdue" | "status-stale" | "pilot-untouched"))
        .collect();
    assert_eq!(lifecycle, ["decision-overdue"]);
}

#[test]
fn rules_config_explain_and_the_pilot_page() {
    let repo = repo("[rules]\ndecision-overdue = \"error\"\npilot-untouched = \"off\"\n");
    repo.write("pilots/stuck.md", &deciding("pilot", "2026-10-01"));
    repo.commit("Stuck", DANA, "2026-01-10T10:00:00+00:00");
    let report = pilotbook_json(&repo.root, &["check", "--format", "json", "--no-cache"], 1);
    let of = |rule: &str| {
        report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["rule"] == rule)
            .map(|d| d["severity"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(of("decision-overdue"), ["error"]);
    assert_eq!(of("status-stale"), ["warning"]);
    assert!(of("pilot-untouched").is_empty());
    for rule in ["decision-overdue", "status-stale", "pilot-untouched"] {
        let out = pilotbook(&repo.root, &["check", "--explain", rule]);
        assert_eq!(out.status.code(), Some(0), "{rule}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(rule),
            "{rule}"
        );
    }
    let site = tempfile::tempdir().expect("temp dir");
    let out = pilotbook(
        &repo.root,
        &["build", "--out", site.path().to_str().expect("utf-8")],
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(site.path().join("pilots/stuck.html")).expect("page");
    assert!(
        page.contains("decision-overdue") && page.contains("status-stale"),
        "{page}"
    );
}
