//! `pilotbook diff` end to end: a repository built with the git CLI (fixed
//! authors and dates), a branch that makes a known set of changes, and the
//! diff asserted to list exactly those — the JSON field by field, the
//! Markdown comment pinned as a snapshot.

use crate::support::Run;
use crate::support::{Case, DANA, LEE, METRIC, PERSON, pilot, pilotbook, pilotbook_json};
use serde_json::{Value, json};

const LEE_DOC: &str = "---\nname: Lee Wu\n---\n\nRuns the support floor.\n";
const ZENDESK: &str =
    "---\ntitle: Zendesk\nkind: saas\nenvironment: production\n---\n\nThe ticketing system.\n";

/// A new pilot, written apart from the others so that git (and pilotbook's
/// rename detection) does not take it for the removed one renamed.
const DOCK: &str = "---\ntitle: Dock scheduling\nstatus: proposed\nowner: dana-kim\nmetrics:\n  - metric: accuracy\n    target: \">= 95%\"\nintegrations:\n  - system: zendesk\nproduction_path:\n  - milestone: Pilot at the Leeds depot\n    due: 2027-06-01\n---\n\n# Dock scheduling\n\n## Success metrics\n\nTruck dwell time at the gate, from the yard system.\n\n## Integrations\n\nThe warehouse management system's booking API.\n\n## Ownership\n\nDana owns it; the Leeds site lead runs the pilot.\n\n## Production path\n\nOne depot, then all five.\n\n## Monitoring\n\nDaily dwell-time report to the site leads.\n\n## Human review\n\nThe gate team can override every slot.\n\n## Escalation\n\nThe site lead, then the on-call planner.\n\n## Rollback\n\nBack to the shared booking spreadsheet.\n\n## Expansion criteria\n\nSix weeks under target at Leeds.\n";

/// The repository: `main` at the base commit, a `feature` branch that
/// changes the portfolio, and `main` moved on after the branch point.
struct Fixture {
    repo: Case,
    base: String,
    feature: String,
    main_tip: String,
}

fn fixture() -> Fixture {
    let repo = Case::new().basics().file("systems/zendesk.md", ZENDESK);
    repo.write("pilots/triage.md", &pilot("pilot", ">= 90%", "2027-01-15"));
    // Overdue on 2026-11-25: a warning the branch fixes by removing it.
    repo.write(
        "pilots/legacy.md",
        &pilot("pilot", ">= 90%", "2026-06-01").replace("title: Triage", "title: Legacy"),
    );
    let base = repo.commit("Portfolio", DANA, "2026-02-01T09:00:00+00:00");

    repo.branch("feature");
    // The known set of changes.
    repo.write(
        "pilots/triage.md",
        &pilot("go", ">= 85%", "2027-03-01")
            .replace("owner: dana-kim", "owner: lee-wu")
            .replace(
                "target: \">= 85%\"",
                "target: \">= 85%\"\n    actual: \"88%\"",
            )
            .replace("## Rollback\n\nFlag off.\n\n", "")
            .replace(
                "integrations:\n  - system: zendesk\nproduction_path:",
                "integrations:\n  - system: zendesk\n    access: api\ndepends_on:\n  - system: zendesk\nproduction_path:",
            ),
    );
    repo.write(
        "metrics/accuracy.md",
        &METRIC.replace("title: Accuracy", "title: Triage accuracy"),
    );
    repo.write("pilots/dock.md", DOCK);
    std::fs::remove_file(repo.root.join("pilots/legacy.md")).expect("remove legacy");
    repo.write("people/lee-wu.md", LEE_DOC);
    let feature = repo.commit("Triage goes live", LEE, "2026-02-15T10:00:00+00:00");

    // main moves on after the branch point; `diff main` must not show this.
    repo.checkout("main");
    repo.write(
        "pilots/later.md",
        &pilot("proposed", ">= 90%", "2027-06-01").replace("title: Triage", "title: Later"),
    );
    let main_tip = repo.commit("Later pilot", DANA, "2026-02-20T10:00:00+00:00");
    repo.checkout("feature");
    Fixture {
        repo,
        base,
        feature,
        main_tip,
    }
}

#[test]
fn diff_lists_exactly_the_changes() {
    let f = fixture();
    let diff = pilotbook_json(&f.repo.root, &["diff", "main", "--format", "json"], 0);
    assert_eq!(diff["version"], 1);
    // `main` is a branch: compared from its merge base with HEAD.
    assert_eq!(diff["base"], json!({"rev": "main", "commit": f.base}));
    assert_eq!(diff["head"], json!({"rev": "HEAD", "commit": f.feature}));
    assert_eq!(
        diff["summary"],
        json!({
            "pilots_added": 1, "pilots_removed": 1, "pilots_changed": 1,
            "documents_added": 1, "documents_removed": 0, "documents_changed": 1,
            "findings_new": 2, "findings_fixed": 1,
            "errors": {"from": 0, "to": 1},
            "warnings": {"from": 1, "to": 0}
        })
    );
    assert_eq!(
        diff["pilots"]["added"],
        json!([{"id": "dock", "path": "pilots/dock.md", "title": "Dock scheduling",
                "status": "proposed", "owner": "dana-kim"}])
    );
    assert_eq!(
        diff["pilots"]["removed"],
        json!([{"id": "legacy", "path": "pilots/legacy.md", "title": "Legacy",
                "status": "pilot", "owner": "dana-kim"}])
    );
    assert_eq!(
        diff["pilots"]["changed"],
        json!([{
            "id": "triage", "path": "pilots/triage.md", "title": "Triage",
            "fields": [
                {"field": "status", "from": "pilot", "to": "go"},
                {"field": "owner", "from": "dana-kim", "to": "lee-wu"}
            ],
            "metrics": [{
                "metric": "accuracy", "change": "changed",
                "target": {"from": ">= 90%", "to": ">= 85%"},
                "actual": {"from": null, "to": "88%"},
                "met": {"from": null, "to": true}
            }],
            "milestones": [{
                "milestone": "General availability", "change": "changed",
                "due": {"from": "2027-01-15", "to": "2027-03-01"},
                "done": {"from": null, "to": null},
                "moved_days": 45
            }],
            "sections": [{"section": "Rollback", "change": "removed", "from": "filled", "to": "missing"}],
            "integrations": [{
                "system": "zendesk", "change": "changed",
                "access": {"from": null, "to": "api"},
                "auth": {"from": null, "to": null}
            }],
            "depends_on": [{"kind": "system", "id": "zendesk", "change": "added"}]
        }])
    );
    assert_eq!(
        diff["documents"],
        json!({
            "added": [{"kind": "person", "id": "lee-wu", "path": "people/lee-wu.md", "title": "Lee Wu"}],
            "removed": [],
            "changed": [{
                "kind": "metric", "id": "accuracy", "path": "metrics/accuracy.md",
                "title": "Triage accuracy",
                "fields": [{"field": "title", "from": "Accuracy", "to": "Triage accuracy"}],
                "sections": []
            }]
        })
    );
    let brief = |list: &Value| -> Vec<(String, String, String)> {
        list.as_array()
            .expect("findings")
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap_or_default().to_string(),
                    d["severity"].as_str().unwrap_or_default().to_string(),
                    d["path"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        brief(&diff["findings"]["new"]),
        vec![
            (
                "missing-section".into(),
                "error".into(),
                "pilots/triage.md".into()
            ),
            (
                "milestone-slipped".into(),
                "info".into(),
                "pilots/triage.md".into()
            ),
        ]
    );
    assert!(
        diff["findings"]["new"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Rollback")),
        "{}",
        diff["findings"]["new"]
    );
    assert_eq!(
        brief(&diff["findings"]["fixed"]),
        vec![(
            "milestone-overdue".into(),
            "warning".into(),
            "pilots/legacy.md".into()
        )]
    );

    // The guide's example (docs/guide/ci.md) is this very output.
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide/ci.md"),
    )
    .expect("docs/guide/ci.md");
    let example = guide
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a JSON example");
    let example: Value = serde_json::from_str(
        &example
            .replace("<full id of the merge base>", "")
            .replace("<full id>", ""),
    )
    .expect("the example is JSON");
    let actual: Value =
        serde_json::from_str(&diff.to_string().replace(&f.feature[..7], "2fb2723")).expect("JSON");
    for key in ["version", "summary", "pilots", "documents", "findings"] {
        assert_eq!(example[key], actual[key], "docs/guide/ci.md: `{key}`");
    }

    // The same comparison named by commits gives the same changes.
    let by_commit = pilotbook_json(
        &f.repo.root,
        &["diff", &f.base, &f.feature, "--format", "json"],
        0,
    );
    assert_eq!(by_commit["summary"], diff["summary"]);
    assert_eq!(by_commit["pilots"], diff["pilots"]);
}

#[test]
fn a_commit_base_is_not_moved_to_the_merge_base() {
    let f = fixture();
    // From main's tip (a commit id, not a branch): `later` exists only there.
    let diff = pilotbook_json(&f.repo.root, &["diff", &f.main_tip, "--format", "json"], 0);
    assert_eq!(diff["base"]["commit"], f.main_tip.as_str());
    let removed: Vec<&str> = diff["pilots"]["removed"]
        .as_array()
        .expect("removed")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(removed, vec!["later", "legacy"]);
}

#[test]
fn markdown_comment_snapshot() {
    let f = fixture();
    let out = pilotbook(&f.repo.root, &["diff", "main"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout)
        .replace(&f.base[..7], "BASE")
        .replace(&f.feature[..7], "HEAD_ID");
    insta::assert_snapshot!("markdown_comment", text);
    // The default format is markdown, and it is the same as asking for it.
    let explicit = pilotbook(
        &f.repo.root,
        &["diff", "main", "HEAD", "--format", "markdown"],
    );
    assert_eq!(explicit.stdout, out.stdout);
}

#[test]
fn identical_revisions_give_an_empty_diff() {
    let f = fixture();
    let out = pilotbook(&f.repo.root, &["diff", "HEAD", "HEAD"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("No portfolio changes between"), "{text}");
    assert!(!text.contains("###"), "{text}");

    let json = pilotbook_json(
        &f.repo.root,
        &["diff", "feature", "HEAD", "--format", "json"],
        0,
    );
    assert_eq!(
        json["pilots"],
        json!({"added": [], "removed": [], "changed": []})
    );
    assert_eq!(
        json["documents"],
        json!({"added": [], "removed": [], "changed": []})
    );
    assert_eq!(json["findings"], json!({"new": [], "fixed": []}));
}

#[test]
fn reformatting_is_not_a_change() {
    let f = fixture();
    // The same pilot with extra blank lines between its sections.
    let text = std::fs::read_to_string(f.repo.root.join("pilots/dock.md")).expect("dock");
    f.repo
        .write("pilots/dock.md", &text.replace("\n\n## ", "\n\n\n## "));
    f.repo
        .commit("Reflow dock", DANA, "2026-02-16T10:00:00+00:00");
    let json = pilotbook_json(&f.repo.root, &["diff", "HEAD~1", "--format", "json"], 0);
    assert_eq!(json["summary"]["pilots_changed"], 0, "{json}");
}

#[test]
fn json_escapes_control_characters_a_document_wrote() {
    let f = fixture();
    // U+009B is a one-byte CSI to some terminals: `\u{9b}2J` clears the screen.
    let text = std::fs::read_to_string(f.repo.root.join("pilots/dock.md")).expect("dock");
    f.repo.write(
        "pilots/dock.md",
        &text.replace(
            "title: Dock scheduling",
            "title: \"Dock\\u009B2J \\u001B[31mscheduling\"",
        ),
    );
    f.repo
        .commit("Retitle dock", DANA, "2026-02-16T10:00:00+00:00");
    let out = Run::at(&f.repo.root)
        .args(["diff", "HEAD~1", "--format", "json"])
        .output();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(|c: char| c.is_control() && c != '\n'),
        "{text}"
    );
    let json: Value = serde_json::from_str(&text).expect("JSON");
    // Escaped, not dropped: the JSON value is the title as written.
    assert_eq!(
        json["pilots"]["changed"][0]["title"],
        "Dock\u{9b}2J \u{1b}[31mscheduling"
    );
}

#[test]
fn bad_revisions_exit_2() {
    let f = fixture();
    let out = pilotbook(&f.repo.root, &["diff", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-branch"), "{err}");
    assert!(out.stdout.is_empty());

    let out = pilotbook(&f.repo.root, &["diff", "main", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));

    // Outside a repository there are no revisions at all.
    let plain = tempfile::tempdir().expect("tempdir");
    std::fs::write(plain.path().join("pilotbook.toml"), "").expect("config");
    let out = Run::at(plain.path())
        .args(["diff", "main"])
        .ceiling(plain.path())
        .output();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_portfolio_in_a_subfolder_of_the_repository() {
    let repo = Case::new();
    repo.write("portfolio/pilotbook.toml", "");
    repo.write("portfolio/people/dana-kim.md", PERSON);
    repo.write(
        "portfolio/pilots/triage.md",
        &pilot("pilot", ">= 90%", "2027-01-15"),
    );
    repo.write("src/main.rs", "fn main() {}\n");
    let base = repo.commit(
        "Portfolio beside the code",
        DANA,
        "2026-02-01T09:00:00+00:00",
    );
    repo.write(
        "portfolio/pilots/triage.md",
        &pilot("production", ">= 90%", "2027-01-15"),
    );
    repo.write("src/main.rs", "fn main() { println!(); }\n");
    repo.commit("Triage in production", LEE, "2026-02-10T09:00:00+00:00");
    let diff = pilotbook_json(
        &repo.root.join("portfolio"),
        &["diff", &base, "--format", "json"],
        0,
    );
    // Paths as the forge shows them, like every machine format of `check`.
    let changed = &diff["pilots"]["changed"][0];
    assert_eq!(changed["path"], "portfolio/pilots/triage.md");
    assert_eq!(
        changed["fields"],
        json!([{"field": "status", "from": "pilot", "to": "production"}])
    );
    // production without an actual for its metric: a new error.
    assert_eq!(
        diff["findings"]["new"][0]["rule"],
        "decision-without-actuals"
    );
    assert_eq!(
        diff["findings"]["new"][0]["path"],
        "portfolio/pilots/triage.md"
    );
}
