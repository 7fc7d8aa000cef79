//! The history stories of issue 13, each as a repository built with the git
//! CLI (fixed authors and dates) and the facts pilotbook must tell about it:
//! a branch merged with `--no-ff` beside an unrelated edit on main, a linear
//! history whose dates run backwards, a `started` date moved to hide a
//! moved goalpost, and clones whose objects are not all there.

use crate::support::{Case, DANA, LEE, pilot, pilotbook, pilotbook_json};
use serde_json::{Value, json};

fn triage(model: &Value) -> &Value {
    model["pilots"]
        .as_array()
        .and_then(|l| l.iter().find(|e| e["id"] == "triage"))
        .map(|e| &e["history"])
        .expect("pilot triage in the export")
}

fn ids(history: &Value) -> Vec<String> {
    history["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

/// `(from, to, commit)` of each entry of a history list.
fn moves(history: &Value, list: &str) -> Vec<(Value, Value, String)> {
    history[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} in {history}"))
        .iter()
        .map(|c| {
            (
                c["from"].clone(),
                c["to"].clone(),
                c["commit"].as_str().expect("commit").to_string(),
            )
        })
        .collect()
}

/// The findings of `check --format json` as `(rule, message)`.
fn findings(dir: &std::path::Path, exit: i32) -> Vec<(String, String)> {
    let report = pilotbook_json(dir, &["check", "--format", "json", "--no-cache"], exit);
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn of_rule<'a>(found: &'a [(String, String)], rule: &str) -> Vec<&'a str> {
    found
        .iter()
        .filter(|(r, _)| r == rule)
        .map(|(_, m)| m.as_str())
        .collect()
}

fn portfolio() -> Case {
    Case::new().portfolio()
}

/// A branch lowers a target and slips a milestone by 30 days; main edits
/// the same pilot elsewhere meanwhile; the branch is merged with `--no-ff`.
/// One target change, by the branch's author; one 30-day slip; the status
/// moves once, to the branch's status, when the branch reaches main.
#[test]
fn branch_lowering_a_target_merged_beside_an_unrelated_edit_on_main() {
    let repo = portfolio();
    repo.write(
        "pilots/triage.md",
        &pilot("proposed", ">= 92%", "2026-09-01"),
    );
    let a = repo.commit("Propose triage", DANA, "2026-02-01T10:00:00+00:00");
    repo.branch("relax");
    repo.write("pilots/triage.md", &pilot("pilot", ">= 85%", "2026-10-01"));
    let b = repo.commit(
        "Start, relax target, move GA",
        LEE,
        "2026-04-01T10:00:00+00:00",
    );
    repo.checkout("main");
    repo.write(
        "pilots/triage.md",
        &format!(
            "{}\nA note from main.\n",
            pilot("proposed", ">= 92%", "2026-09-01")
        ),
    );
    let c = repo.commit("Note on main", DANA, "2026-04-05T10:00:00+00:00");
    let m = repo.merge("relax", DANA, "2026-04-10T10:00:00+00:00");

    let model = pilotbook_json(&repo.root, &["export", "--no-cache"], 0);
    let h = triage(&model);
    assert_eq!(
        moves(h, "target_changes"),
        vec![
            (json!(null), json!(">= 92%"), a.clone()),
            (json!(">= 92%"), json!(">= 85%"), b.clone()),
        ]
    );
    assert_eq!(h["target_changes"][1]["author"], "Lee Wu");
    assert_eq!(h["target_changes"][1]["date"], "2026-04-01T10:00:00+00:00");
    assert_eq!(
        moves(h, "milestone_slips"),
        vec![(json!("2026-09-01"), json!("2026-10-01"), b.clone())]
    );
    assert_eq!(h["milestone_slips"][0]["days"], 30);
    assert_eq!(h["milestone_slips"][0]["author"], "Lee Wu");
    // The main line's story: proposed, then pilot when the branch arrived;
    // the change is the branch author's, dated when it was made.
    assert_eq!(
        moves(h, "status_changes"),
        vec![
            (json!(null), json!("proposed"), a.clone()),
            (json!("proposed"), json!("pilot"), b.clone()),
        ]
    );
    assert_eq!(h["status_changes"][1]["date"], "2026-04-01T10:00:00+00:00");
    assert_eq!(h["status_changes"][1]["reached_main"]["commit"], m.as_str());
    assert_eq!(
        h["status_changes"][1]["reached_main"]["date"],
        "2026-04-10T10:00:00+00:00"
    );
    // The merge combined both sides, so it made a version nobody committed.
    assert_eq!(ids(h), vec![m.clone(), c.clone(), b.clone(), a.clone()]);
    assert_eq!(h["created"], "2026-02-01T10:00:00+00:00");

    let found = findings(&repo.root, 0);
    let changed = of_rule(&found, "metric-target-changed");
    assert_eq!(changed.len(), 1, "{found:#?}");
    for part in ["`>= 92%` to `>= 85%`", &b[..7], "Lee Wu", "2026-04-01"] {
        assert!(changed[0].contains(part), "{} names {part}", changed[0]);
    }
    let slipped = of_rule(&found, "milestone-slipped");
    assert_eq!(slipped.len(), 1, "{found:#?}");
    assert!(
        slipped[0].contains("slipped once, 30 days in all") && slipped[0].contains("Lee Wu"),
        "{}",
        slipped[0]
    );
    assert!(
        of_rule(&found, "metric-agreed-late").is_empty(),
        "{found:#?}"
    );
}

/// A linear history whose child commits carry earlier dates than their
/// parents (a rebase, a wrong clock, imported history): topology decides.
#[test]
fn skewed_linear_history_ends_on_the_true_status() {
    let repo = portfolio();
    repo.write(
        "pilots/triage.md",
        &pilot("proposed", ">= 92%", "2026-09-01"),
    );
    let a = repo.commit("Propose", DANA, "2026-05-01T10:00:00+00:00");
    repo.write("pilots/triage.md", &pilot("pilot", ">= 92%", "2026-09-01"));
    let b = repo.commit("Start", LEE, "2026-02-01T10:00:00+00:00");
    repo.write("pilots/triage.md", &pilot("no-go", ">= 92%", "2026-09-01"));
    let c = repo.commit("Stop", DANA, "2026-03-01T10:00:00+00:00");

    let model = pilotbook_json(&repo.root, &["export", "--no-cache"], 0);
    let h = triage(&model);
    assert_eq!(
        moves(h, "status_changes"),
        vec![
            (json!(null), json!("proposed"), a.clone()),
            (json!("proposed"), json!("pilot"), b.clone()),
            (json!("pilot"), json!("no-go"), c.clone()),
        ]
    );
    assert_eq!(
        h["created"], "2026-05-01T10:00:00+00:00",
        "the root commit's"
    );
    assert_eq!(
        h["updated"], "2026-03-01T10:00:00+00:00",
        "the head commit's"
    );
    assert_eq!(ids(h), vec![c, b, a]);
}

/// Moving `started` after a moved goalpost neither hides the goalpost nor
/// goes unnoticed.
#[test]
fn moving_started_is_reported_and_keeps_the_goalpost_finding() {
    let repo = portfolio();
    let doc = |target: &str, started: &str| {
        pilot("pilot", target, "2026-12-01").replace("started: 2026-03-01", started)
    };
    repo.write("pilots/triage.md", &doc(">= 92%", "started: 2026-06-01"));
    let a = repo.commit("Agree target", DANA, "2026-05-01T10:00:00+00:00");
    repo.write("pilots/triage.md", &doc(">= 85%", "started: 2026-06-01"));
    let b = repo.commit("Relax target", LEE, "2026-07-01T10:00:00+00:00");
    repo.write("pilots/triage.md", &doc(">= 85%", "started: 2026-07-15"));
    let c = repo.commit("Fix start date", LEE, "2026-08-01T10:00:00+00:00");

    let found = findings(&repo.root, 0);
    let changed = of_rule(&found, "metric-target-changed");
    assert_eq!(changed.len(), 1, "{found:#?}");
    for part in ["`>= 92%` to `>= 85%`", "2026-06-01", &b[..7], "Lee Wu"] {
        assert!(changed[0].contains(part), "{} names {part}", changed[0]);
    }
    let moved = of_rule(&found, "started-moved");
    assert_eq!(moved.len(), 1, "{found:#?}");
    for part in ["2026-06-01", "2026-07-15", &c[..7], "Lee Wu", "2026-08-01"] {
        assert!(moved[0].contains(part), "{} names {part}", moved[0]);
    }
    let report = pilotbook_json(&repo.root, &["check", "--format", "json", "--no-cache"], 0);
    let severity = report["diagnostics"]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["rule"] == "started-moved"))
        .map(|d| (d["severity"].clone(), d["line"].clone()));
    assert_eq!(severity, Some((json!("warning"), json!(5))));

    let model = pilotbook_json(&repo.root, &["export", "--no-cache"], 0);
    assert_eq!(
        moves(triage(&model), "started_changes"),
        vec![
            (json!(null), json!("2026-06-01"), a),
            (json!("2026-06-01"), json!("2026-07-15"), c),
        ]
    );
}

/// Two commits of one pilot: a target agreed before `started`, then a
/// status change after it.
fn two_versions() -> Case {
    let repo = portfolio();
    repo.write(
        "pilots/triage.md",
        &pilot("proposed", ">= 92%", "2026-12-01"),
    );
    repo.commit("Propose", DANA, "2026-02-01T10:00:00+00:00");
    repo.write("pilots/triage.md", &pilot("pilot", ">= 92%", "2026-12-01"));
    repo.commit("Start", LEE, "2026-04-01T10:00:00+00:00");
    repo
}

/// The one `history-unavailable` finding of a repository, and no finding
/// that history would have given.
fn only_unavailable(dir: &std::path::Path, says: &[&str]) {
    let found = findings(dir, 0);
    let unavailable = of_rule(&found, "history-unavailable");
    assert_eq!(unavailable.len(), 1, "{found:#?}");
    for part in says {
        assert!(
            unavailable[0].contains(part),
            "{} says {part}",
            unavailable[0]
        );
    }
    assert_eq!(found.len(), 1, "no other finding: {found:#?}");
    let model = pilotbook_json(dir, &["export", "--no-cache"], 0);
    assert_eq!(model["history"]["available"], false);
    assert_eq!(triage(&model), &Value::Null);
}

#[test]
fn partial_clone_is_warned_as_history_unavailable() {
    let repo = two_versions();
    repo.git(&["config", "uploadpack.allowFilter", "true"]);
    let clone = repo.tmp.path().join("partial");
    let url = format!("file://{}", repo.root.display());
    repo.git(&[
        "clone",
        "-q",
        "--filter=blob:none",
        &url,
        clone.to_str().expect("utf8"),
    ]);
    only_unavailable(&clone, &["partial clone", "--filter"]);
    // An older revision's documents are not all there: no silent gap.
    let old = pilotbook(&clone, &["export", "--no-cache", "--rev", "HEAD~1"]);
    assert_eq!(old.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&old.stderr);
    assert!(
        stderr.contains("pilots/triage.md") && stderr.contains("partial"),
        "{stderr}"
    );
}

#[test]
fn a_missing_object_is_warned_as_history_unavailable() {
    let repo = two_versions();
    // The first version's blob, stored loose: remove it.
    let blob = repo.git(&["rev-parse", "HEAD~1:pilots/triage.md"]);
    let blob = blob.trim();
    let loose = repo
        .root
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&loose).expect("the blob is a loose object");
    only_unavailable(&repo.root, &["missing", &blob[..7]]);
}

#[test]
fn replaced_history_is_warned_as_history_unavailable() {
    let repo = two_versions();
    // Make the second commit look like a root commit to git.
    repo.git(&["replace", "--graft", "HEAD"]);
    only_unavailable(&repo.root, &["refs/replace", "git replace -d"]);
}

#[test]
fn build_and_export_say_what_check_says_about_history() {
    let repo = two_versions();
    let shallow = repo.tmp.path().join("shallow");
    let url = format!("file://{}", repo.root.display());
    repo.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        shallow.to_str().expect("utf8"),
    ]);
    let export = pilotbook(&shallow, &["export", "--no-cache"]);
    assert_eq!(export.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&export.stderr);
    assert!(
        stderr.contains("warning[history-unavailable]") && stderr.contains("shallow"),
        "{stderr}"
    );
    let site = repo.tmp.path().join("site");
    let build = pilotbook(
        &shallow,
        &["build", "--no-cache", "--out", site.to_str().expect("utf8")],
    );
    assert_eq!(build.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert_eq!(
        stderr.matches("warning[history-unavailable]").count(),
        1,
        "{stderr}"
    );
    let index = std::fs::read_to_string(site.join("index.html")).expect("portfolio page");
    assert!(index.contains("history unavailable"), "{index}");
    assert!(!index.contains("uncommitted"), "{index}");
}
