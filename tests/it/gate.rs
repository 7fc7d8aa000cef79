//! The merge gate cannot be walked around: each test here is one way a
//! pull request used to pass `check` while breaking what the gate is for
//! (issue 14), run with the real binary on a repository built in the test.

use crate::support::{
    Case, DANA, ZENDESK, pilot, pilotbook, pilotbook_in, pilotbook_json, quiet_lifecycle,
};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const PERSON: &str = "---\nname: Dana Kim\nteam: support-ops\n---\n\nLeads support.\n";
const METRIC: &str =
    "---\ntitle: Accuracy\nunit: \"%\"\ndirection: higher\n---\n\nShare of correct labels.\n";

/// A committed portfolio on `main`: one complete pilot, its owner, metric
/// and system, and `config` as pilotbook.toml.
fn portfolio(config: &str) -> Case {
    Case::new()
        .config(&quiet_lifecycle(config))
        .file("people/dana-kim.md", PERSON)
        .file("metrics/accuracy.md", METRIC)
        .file("systems/zendesk.md", ZENDESK)
        .file("pilots/triage.md", &pilot("pilot", ">= 90%", "2027-06-01"))
        .committed("Portfolio", DANA, "2026-02-01T09:00:00+00:00")
}

/// `(rule, severity, path)` of every finding of a JSON report.
fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("rule"), s("severity"), s("path"))
        })
        .collect()
}

/// The findings of one rule.
fn of_rule<'r>(report: &'r Value, rule: &str) -> Vec<&'r Value> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == rule)
        .collect()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// A pilot with the given front matter lines in place of the default ones.
fn pilot_with(status: &str, replace: &[(&str, &str)]) -> String {
    let mut text = pilot(status, ">= 90%", "2027-06-01");
    for (from, to) in replace {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    text
}

// --- `check --changed-since` ------------------------------------------------

#[test]
fn changed_since_reports_a_deleted_owner() {
    let repo = portfolio("[rules]\nundefined-reference = \"error\"\n");
    repo.branch("feature");
    std::fs::remove_file(repo.root.join("people/dana-kim.md")).expect("rm");
    repo.commit("Dana leaves", DANA, "2026-02-02T09:00:00+00:00");
    let report = pilotbook_json(
        &repo.root,
        &["check", "--format", "json", "--changed-since", "main"],
        1,
    );
    assert!(
        findings(&report).contains(&(
            "undefined-reference".into(),
            "error".into(),
            "pilots/triage.md".into()
        )),
        "{report}"
    );
    // The full check of the merge result agrees.
    pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
}

#[test]
fn changed_since_reports_a_renamed_owner_and_a_deleted_dependency() {
    let repo = portfolio("");
    repo.write(
        "pilots/base.md",
        &pilot("pilot", ">= 90%", "2027-01-01").replace("title: Triage", "title: Base"),
    );
    repo.write(
        "pilots/triage.md",
        &pilot("pilot", ">= 90%", "2027-06-01").replace(
            "production_path:",
            "depends_on:\n  - pilot: base\nproduction_path:",
        ),
    );
    repo.commit("Triage depends on base", DANA, "2026-02-02T09:00:00+00:00");
    repo.branch("feature");
    repo.git(&["mv", "people/dana-kim.md", "people/dana.md"]);
    std::fs::remove_file(repo.root.join("pilots/base.md")).expect("rm");
    repo.commit("Rename Dana, drop base", DANA, "2026-02-03T09:00:00+00:00");
    let out = pilotbook(
        &repo.root,
        &["check", "--format", "json", "--changed-since", "main"],
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let undefined: Vec<&str> = of_rule(&report, "undefined-reference")
        .iter()
        .filter(|d| d["path"] == "pilots/triage.md")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        undefined.iter().any(|m| m.contains("person `dana-kim`")),
        "{undefined:?}"
    );
    assert!(
        undefined.iter().any(|m| m.contains("pilot `base`")),
        "{undefined:?}"
    );
    assert!(
        text(&out).contains("3 documents changed since main; checking 2 documents"),
        "{}",
        text(&out)
    );
}

#[test]
fn changed_since_reports_a_cycle_closed_by_another_document() {
    let repo = portfolio("");
    let dep = |title: &str, on: &str| {
        pilot("pilot", ">= 90%", "2027-06-01")
            .replace("title: Triage\n", &format!("title: {title}\n"))
            .replace(
                "production_path:",
                &format!("depends_on:\n  - pilot: {on}\nproduction_path:"),
            )
    };
    repo.write("pilots/a.md", &dep("A", "b"));
    repo.write("pilots/b.md", &dep("B", "c"));
    repo.write("pilots/c.md", &pilot("pilot", ">= 90%", "2027-06-01"));
    repo.commit("A chain", DANA, "2026-02-02T09:00:00+00:00");
    repo.branch("feature");
    // Only c changes; the cycle is reported on `a`, the smallest id, which
    // neither changed nor refers to c.
    repo.write("pilots/c.md", &dep("C", "a"));
    repo.commit("C depends on A", DANA, "2026-02-03T09:00:00+00:00");
    let report = pilotbook_json(
        &repo.root,
        &["check", "--format", "json", "--changed-since", "main"],
        1,
    );
    assert!(
        findings(&report).contains(&(
            "dependency-cycle".into(),
            "error".into(),
            "pilots/a.md".into()
        )),
        "{report}"
    );
}

#[test]
fn changed_since_checks_everything_when_the_config_changes() {
    let repo = portfolio("");
    repo.branch("feature");
    repo.write(
        "pilotbook.toml",
        "[kinds.pilot]\nrequired_sections = [\"Security review\"]\n",
    );
    repo.commit(
        "Require a security review",
        DANA,
        "2026-02-02T09:00:00+00:00",
    );
    let out = pilotbook(
        &repo.root,
        &["check", "--format", "json", "--changed-since", "main"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["summary"]["documents"], 4);
    assert_eq!(of_rule(&report, "missing-section").len(), 1);
    assert!(
        text(&out).contains("pilotbook.toml changed since main: checking every document"),
        "{}",
        text(&out)
    );
}

// --- placeholders -------------------------------------------------------------

/// Sections with prose for a document `new` wrote.
fn write_sections(path: &Path) {
    let text = std::fs::read_to_string(path).expect("new document");
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("<!-- ") {
            out.push_str("Written by the team, with numbers and names.\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(path, out).expect("write");
}

#[test]
fn a_new_pilot_fails_on_every_placeholder_until_filled_in() {
    let dir = tempfile::tempdir().expect("tmp");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    assert_eq!(
        pilotbook(dir.path(), &["new", "invoice-matching"])
            .status
            .code(),
        Some(0)
    );
    let doc = dir.path().join("pilots/invoice-matching.md");
    write_sections(&doc);
    let report = pilotbook_json(dir.path(), &["check", "--format", "json"], 1);
    let mut placeholders: Vec<String> = of_rule(&report, "placeholder-value")
        .iter()
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect();
    placeholders.sort();
    assert_eq!(
        placeholders,
        [
            "`integrations[0].system: todo` is a placeholder, not a value",
            "`metrics[0].metric: todo` is a placeholder, not a value",
            "`metrics[0].target: >= 0` is a placeholder, not a value",
            "`owner: todo` is a placeholder, not a value",
        ]
    );
    // Nothing else fails: each placeholder is one finding, not three.
    let errors: Vec<_> = findings(&report)
        .into_iter()
        .filter(|(_, s, _)| s == "error")
        .collect();
    assert_eq!(errors.len(), 4, "{errors:?}");
    // The portfolio does not call it ready.
    let out = dir.path().join("out");
    let build = pilotbook(dir.path(), &["build", "--out", out.to_str().expect("utf8")]);
    let index = std::fs::read_to_string(dir.path().join("out/index.html")).expect("index");
    assert!(build.status.code().is_some());
    let row = index
        .split("<tr")
        .find(|r| r.contains("invoice-matching.html"))
        .expect("row");
    assert!(row.contains(">9/12</span>"), "{row}");

    let filled = std::fs::read_to_string(&doc)
        .expect("doc")
        .replacen("owner: todo", "owner: dana-kim", 1)
        .replacen("metric: todo", "metric: triage-accuracy", 1)
        .replacen("target: \">= 0\"", "target: \">= 90%\"", 1)
        .replacen("system: todo", "system: zendesk", 1);
    std::fs::write(&doc, filled).expect("fill");
    let report = pilotbook_json(dir.path(), &["check", "--format", "json"], 0);
    assert!(of_rule(&report, "placeholder-value").is_empty(), "{report}");
}

// --- unknown keys -------------------------------------------------------------

#[test]
fn typos_in_front_matter_are_reported_with_a_suggestion() {
    let repo = portfolio("");
    repo.write(
        "pilots/triage.md",
        &pilot_with(
            "pilot",
            &[
                ("integrations:", "integration:"),
                (
                    "production_path:",
                    "depends-on:\n  - pilot: other\nproduction-path:",
                ),
            ],
        ),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    let unknown: Vec<(String, String)> = of_rule(&report, "unknown-field")
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap_or_default().to_string(),
                d["help"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        unknown,
        [
            ("integration".into(), "did you mean `integrations`?".into()),
            ("depends-on".into(), "did you mean `depends_on`?".into()),
            (
                "production-path".into(),
                "did you mean `production_path`?".into()
            ),
        ]
    );
    assert!(
        of_rule(&report, "unknown-field")
            .iter()
            .all(|d| d["severity"] == "warning")
    );
    // Per kind: an error, or allowed.
    repo.write(
        "pilotbook.toml",
        "[kinds.pilot]\nextra_fields = \"error\"\n",
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    assert!(
        of_rule(&report, "unknown-field")
            .iter()
            .all(|d| d["severity"] == "error")
    );
    repo.write(
        "pilotbook.toml",
        "[kinds.pilot]\nextra_fields = \"allow\"\n",
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    assert!(of_rule(&report, "unknown-field").is_empty());
}

// --- units, numbers, owners -----------------------------------------------------

#[test]
fn units_and_numbers_are_strict() {
    let repo = portfolio("");
    let go = |target: &str, actual: &str| {
        pilot("go", target, "2027-06-01").replace(
            &format!("target: \"{target}\""),
            &format!("target: \"{target}\"\n    actual: \"{actual}\""),
        )
    };
    repo.write("pilots/fraction.md", &go(">= 92%", "0.94"));
    repo.write("pilots/euro.md", &go(">= 1.000,5 EUR", "999,0 EUR"));
    repo.write("pilots/exponent.md", &go("<= 1e3 ms", "640 ms"));
    repo.write("pilots/direction.md", &go("<= 5%", "3%"));
    repo.write("pilots/unit.md", &go(">= 0.9", "0.95"));
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    let invalid = |path: &str| -> Vec<String> {
        of_rule(&report, "invalid-field")
            .iter()
            .filter(|d| d["path"] == path)
            .map(|d| d["message"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(
        invalid("pilots/fraction.md")[0].contains("has no unit"),
        "{report}"
    );
    assert!(invalid("pilots/euro.md")[0].contains("is not a number pilotbook reads"));
    assert!(invalid("pilots/exponent.md")[0].contains("exponent"));
    assert!(invalid("pilots/direction.md")[0].contains("says higher is better"));
    assert!(invalid("pilots/unit.md")[0].contains("measures it in `%`"));
    // None of them counts as met or missed: nothing was compared.
    assert!(
        of_rule(&report, "go-with-missed-target").is_empty(),
        "{report}"
    );
    let export = pilotbook_json(&repo.root, &["export"], 0);
    for p in export["pilots"].as_array().expect("pilots") {
        if ["fraction", "euro", "exponent"].contains(&p["id"].as_str().unwrap_or_default()) {
            assert_eq!(p["metrics"][0]["met"], Value::Null, "{}", p["id"]);
        }
    }
}

#[test]
fn an_owner_that_is_a_team_is_an_error() {
    let repo = portfolio("");
    repo.write(
        "pilots/triage.md",
        &pilot_with("pilot", &[("owner: dana-kim", "owner: support-ops")]),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    let invalid = of_rule(&report, "invalid-field");
    assert_eq!(invalid.len(), 1, "{report}");
    assert!(
        invalid[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is a team, not a person"))
    );
    // One finding for the value, not also an undefined person.
    assert!(
        of_rule(&report, "undefined-reference").is_empty(),
        "{report}"
    );
    // A document of a `team` kind is a team too.
    repo.write("pilotbook.toml", "[kinds.team]\npath = \"teams/*.md\"\n");
    repo.write("teams/platform.md", "---\ntitle: Platform\n---\n");
    repo.write(
        "pilots/triage.md",
        &pilot_with("pilot", &[("owner: dana-kim", "owner: platform")]),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    assert_eq!(of_rule(&report, "invalid-field").len(), 1, "{report}");
}

// --- sections -------------------------------------------------------------------

#[test]
fn a_section_written_twice_names_both_lines() {
    let repo = portfolio("");
    repo.write(
        "pilots/triage.md",
        &(pilot("pilot", ">= 90%", "2027-06-01") + "\n## Rollback\n\nA second plan.\n"),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    let dup = of_rule(&report, "duplicate-section");
    assert_eq!(dup.len(), 1, "{report}");
    assert_eq!(dup[0]["section"], "Rollback");
    assert_eq!(dup[0]["severity"], "warning");
    let message = dup[0]["message"].as_str().unwrap_or_default();
    let first = pilot("pilot", ">= 90%", "2027-06-01")
        .lines()
        .position(|l| l == "## Rollback")
        .expect("rollback")
        + 1;
    let second = dup[0]["line"].as_u64().expect("line");
    assert!(
        message.contains(&format!("twice, at lines {first} and {second}")),
        "{message}"
    );
}

// --- real integrations --------------------------------------------------------

#[test]
fn pilots_need_real_integrations() {
    let repo = portfolio("");
    repo.write(
        "systems/crm-sandbox.md",
        "---\ntitle: CRM sandbox\nenvironment: sandbox\n---\n",
    );
    let sandboxed = |status: &str| {
        pilot_with(
            status,
            &[(
                "  - system: zendesk\n",
                "  - system: crm-sandbox\n  - system: zendesk\n    environment: mock\n",
            )],
        )
    };
    // No integrations at all: a required field.
    repo.write(
        "pilots/triage.md",
        &pilot_with("pilot", &[("integrations:\n  - system: zendesk\n", "")]),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    let missing = of_rule(&report, "missing-field");
    assert_eq!(missing.len(), 1, "{report}");
    assert_eq!(missing[0]["field"], "integrations");

    // Only a sandbox and a mock: a warning while `pilot` ...
    repo.write("pilots/triage.md", &sandboxed("pilot"));
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    let sandbox = of_rule(&report, "sandbox-integration");
    assert_eq!(sandbox.len(), 1, "{report}");
    assert_eq!(sandbox[0]["severity"], "warning");
    // ... an error at `go` (and `production`).
    let go = sandboxed("go").replace(
        "target: \">= 90%\"",
        "target: \">= 90%\"\n    actual: \"91%\"",
    );
    repo.write("pilots/triage.md", &go);
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    let sandbox = of_rule(&report, "sandbox-integration");
    assert_eq!(sandbox[0]["severity"], "error", "{report}");
    // One real system is enough.
    repo.write(
        "pilots/triage.md",
        &go.replace("    environment: mock\n", ""),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    assert!(
        of_rule(&report, "sandbox-integration").is_empty(),
        "{report}"
    );
    // And `--explain` says why.
    let explain = pilotbook(&repo.root, &["check", "--explain", "sandbox-integration"]);
    assert!(text(&explain).contains("stall on the way to production"));
}

// --- where check runs ---------------------------------------------------------

#[test]
fn check_finds_its_config_upward_and_never_checks_nothing() {
    let repo = portfolio("[rules]\nundefined-reference = \"error\"\n");
    repo.write(
        "pilots/triage.md",
        &pilot_with("pilot", &[("owner: dana-kim", "owner: nobody")]),
    );
    // From a sub-folder: the portfolio above is found; paths are shown
    // from where the user stands.
    let out = pilotbook_in(&repo.root.join("pilots"), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains(" --> triage.md:"), "{}", text(&out));
    let json: Value = serde_json::from_slice(
        &pilotbook_in(&repo.root.join("pilots"), &["check", "--format", "json"]).stdout,
    )
    .expect("json");
    assert_eq!(json["summary"]["documents"], 4);

    // No pilotbook.toml up to the repository's root: exit 2, and how to fix it.
    std::fs::remove_file(repo.root.join("pilotbook.toml")).expect("rm");
    let out = pilotbook_in(&repo.root.join("pilots"), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no pilotbook.toml found") && err.contains("run `pilotbook init`"),
        "{err}"
    );

    // Globs that match nothing are a warning that names them, never "ok".
    repo.write("pilotbook.toml", "[kinds.pilot]\npath = \"pilot/*.md\"\n");
    let out = pilotbook_in(&repo.root, &["check"]);
    let shown = text(&out);
    assert!(shown.contains("warning[no-documents]"), "{shown}");
    assert!(shown.contains("`pilot/*.md`"), "{shown}");
    assert!(!shown.contains("ok:"), "{shown}");
    // Even with nothing else in the portfolio.
    let empty = tempfile::tempdir().expect("tmp");
    std::fs::write(empty.path().join("pilotbook.toml"), "").expect("config");
    let out = pilotbook(empty.path(), &["check"]);
    assert!(
        text(&out).contains("kind `pilot` matches no document"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("ok:"), "{}", text(&out));
}

// --- safe output --------------------------------------------------------------

#[test]
fn control_characters_and_mentions_cannot_escape_into_output() {
    let repo = portfolio("");
    repo.write(
        "pilots/triage.md",
        &pilot_with(
            "pilot",
            &[
                (
                    "title: Triage",
                    "title: \"Triage \\e[2K\\rok: 0 documents checked\"",
                ),
                ("owner: dana-kim", "owner: \"@dana-kim \\e[1A\\e[2K #12\""),
            ],
        ),
    );
    for format in ["human", "github", "json", "sarif", "gitlab", "junit"] {
        let out = pilotbook(
            &repo.root,
            &["check", "--format", format, "--color", "never"],
        );
        assert_eq!(out.status.code(), Some(1), "{format}");
        for stream in [&out.stdout, &out.stderr] {
            assert!(!stream.contains(&0x1b), "{format}: ESC in output");
            assert!(!stream.contains(&b'\r'), "{format}: CR in output");
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains('\u{9b}'), "{format}: CSI in output");
        }
        let shown = String::from_utf8_lossy(&out.stdout);
        if format == "human" {
            assert!(shown.contains("\\u{1b}[1A"), "{shown}");
        }
        if format == "github" {
            assert!(shown.contains("@\u{200B}dana-kim"), "{shown}");
            assert!(shown.contains("#\u{200B}12"), "{shown}");
            assert!(!shown.contains("@dana-kim"), "{shown}");
        }
    }
}

#[test]
fn the_diff_comment_cannot_ping_or_link() {
    let repo = portfolio("");
    repo.branch("feature");
    repo.write(
        "pilots/triage.md",
        &pilot_with(
            "pilot",
            &[("title: Triage", "title: \"cc @dana-kim, fixes #12\"")],
        ),
    );
    repo.commit("Retitle", DANA, "2026-02-02T09:00:00+00:00");
    let out = pilotbook(&repo.root, &["diff", "main"]);
    assert_eq!(out.status.code(), Some(0));
    let comment = String::from_utf8_lossy(&out.stdout);
    assert!(comment.contains("@\u{200B}dana-kim"), "{comment}");
    assert!(comment.contains("#\u{200B}12"), "{comment}");
    assert!(!comment.contains("@dana-kim"), "{comment}");
    assert!(!comment.contains(" #12"), "{comment}");
}

// --- answers ------------------------------------------------------------------

#[test]
fn a_moved_goalpost_is_accepted_with_a_reason_for_its_commit_only() {
    let repo = portfolio("");
    repo.write("pilots/triage.md", &pilot("pilot", ">= 85%", "2027-06-01"));
    let moved = repo.commit("Relax the target", DANA, "2026-04-01T09:00:00+00:00");
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    let changed = of_rule(&report, "metric-target-changed");
    assert_eq!(changed.len(), 1, "{report}");
    assert_eq!(changed[0]["commit"], moved.as_str());
    let denied = pilotbook(&repo.root, &["check", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1));

    let accept = |reason: &str, commit: &str| {
        pilot("pilot", ">= 85%", "2027-06-01").replace(
            "production_path:",
            &format!(
                "pilotbook:\n  accept:\n    - rule: metric-target-changed\n      commit: {commit}\n{reason}production_path:"
            ),
        )
    };
    // A reason is required.
    repo.write("pilots/triage.md", &accept("", &moved[..7]));
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    assert!(
        of_rule(&report, "missing-field")
            .iter()
            .any(|d| d["field"] == "pilotbook"
                && d["message"].as_str().is_some_and(|m| m.contains("reason")))
    );

    // With one, the finding stays, marked accepted, and no longer fails.
    repo.write(
        "pilots/triage.md",
        &accept(
            "      reason: \"re-agreed with finance, PR #42\"\n",
            &moved[..7],
        ),
    );
    repo.commit(
        "Accept the relaxed target",
        DANA,
        "2026-04-02T09:00:00+00:00",
    );
    let report = pilotbook_json(
        &repo.root,
        &["check", "--format", "json", "--deny-warnings"],
        0,
    );
    let changed = of_rule(&report, "metric-target-changed");
    assert_eq!(changed.len(), 1, "{report}");
    assert_eq!(changed[0]["accepted"]["by"], "document");
    assert_eq!(
        changed[0]["accepted"]["reason"],
        "re-agreed with finance, PR #42"
    );
    assert_eq!(report["summary"]["accepted"], 1);
    assert_eq!(report["summary"]["warnings"], 0);
    let human = pilotbook(&repo.root, &["check"]);
    assert!(
        text(&human).contains("accepted[metric-target-changed]"),
        "{}",
        text(&human)
    );
    assert!(
        text(&human).contains("reason: re-agreed with finance"),
        "{}",
        text(&human)
    );

    // A later change to the target fires again.
    let later = pilot("pilot", ">= 80%", "2027-06-01").replace(
        "production_path:",
        &format!(
            "pilotbook:\n  accept:\n    - rule: metric-target-changed\n      commit: {}\n      reason: \"re-agreed with finance, PR #42\"\nproduction_path:",
            &moved[..7]
        ),
    );
    repo.write("pilots/triage.md", &later);
    repo.commit("Relax it again", DANA, "2026-05-01T09:00:00+00:00");
    let report = pilotbook_json(
        &repo.root,
        &["check", "--format", "json", "--deny-warnings"],
        1,
    );
    let open: Vec<_> = of_rule(&report, "metric-target-changed")
        .into_iter()
        .filter(|d| d["accepted"].is_null())
        .collect();
    assert_eq!(open.len(), 1, "{report}");
    assert_ne!(open[0]["commit"], moved.as_str());

    // An entry that answers nothing is stale.
    let stale = later.replace(&moved[..7], "abcdef1");
    repo.write("pilots/triage.md", &stale);
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    assert_eq!(of_rule(&report, "stale-acceptance").len(), 1, "{report}");
}

#[test]
fn a_baseline_adopts_the_gate_for_new_findings_only() {
    let repo = portfolio("");
    repo.write(
        "pilots/legacy.md",
        &pilot("pilot", ">= 90%", "2027-06-01")
            .replace("title: Triage", "title: Legacy")
            .replace("## Rollback\n\nFlag off.\n\n", ""),
    );
    repo.commit("Legacy pilot", DANA, "2026-02-02T09:00:00+00:00");
    pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    let wrote = pilotbook(&repo.root, &["check", "--write-baseline", "baseline.json"]);
    assert_eq!(wrote.status.code(), Some(0), "{}", text(&wrote));
    assert!(
        text(&wrote).contains("wrote 1 finding to baseline.json"),
        "{}",
        text(&wrote)
    );
    let baseline = std::fs::read_to_string(repo.root.join("baseline.json")).expect("baseline");
    assert!(
        baseline.contains("\"rule\":\"missing-section\""),
        "{baseline}"
    );

    repo.write(
        "pilotbook.toml",
        &quiet_lifecycle("[check]\nbaseline = \"baseline.json\"\n"),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    let accepted = of_rule(&report, "missing-section");
    assert_eq!(accepted[0]["accepted"]["by"], "baseline", "{report}");

    // A new finding still fails.
    repo.write(
        "pilots/triage.md",
        &pilot("pilot", ">= 90%", "2027-06-01").replace("## Monitoring\n\nDashboards.\n\n", ""),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    assert_eq!(report["summary"]["errors"], 1, "{report}");

    // Fixing a baselined finding leaves a stale entry, reported at its line.
    repo.write("pilots/triage.md", &pilot("pilot", ">= 90%", "2027-06-01"));
    repo.write(
        "pilots/legacy.md",
        &pilot("pilot", ">= 90%", "2027-06-01").replace("title: Triage", "title: Legacy"),
    );
    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    let stale = of_rule(&report, "stale-acceptance");
    assert_eq!(stale.len(), 1, "{report}");
    assert_eq!(stale[0]["path"], "baseline.json");
    assert_eq!(stale[0]["line"], 2);

    // A baseline pilotbook cannot read stops it, naming the file.
    repo.write("baseline.json", "{\"version\":1,\"findings\":[{]}");
    let out = pilotbook(&repo.root, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("baseline.json:1:"), "{}", text(&out));
}
