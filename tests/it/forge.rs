//! Findings as the forge sees them: every machine format names files
//! relative to the git repository's root, wherever pilotbook's root is (a
//! monorepo with the portfolio in `docs/pilots/`), human output names them
//! from where the user stands, and fingerprints stay the same when
//! unrelated lines move or a day passes.

use crate::support;

use crate::support::{
    Case, DANA, METRIC, PERSON, ZENDESK, pilot, pilotbook, pilotbook_env, pilotbook_in,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

/// A repository whose portfolio lives in `docs/pilots/`, next to code, with
/// one pilot that has findings.
fn monorepo() -> Case {
    Case::new()
        .file("src/main.rs", "fn main() {}\n")
        .file("docs/pilots/pilotbook.toml", "")
        .file("docs/pilots/people/dana-kim.md", PERSON)
        .file("docs/pilots/metrics/accuracy.md", METRIC)
        .file("docs/pilots/systems/zendesk.md", ZENDESK)
        .file(
            "docs/pilots/pilots/triage.md",
            &pilot("pilot", ">= 90%", "2026-06-01")
                .replace("## Rollback\n\nFlag off.\n\n", "")
                .replace("owner: dana-kim", "owner: lee-wu"),
        )
        .committed("Portfolio", DANA, "2026-02-01T09:00:00+00:00")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const PILOT: &str = "docs/pilots/pilots/triage.md";

#[test]
fn machine_formats_name_paths_from_the_repository_root() {
    let repo = monorepo();
    let root = repo.root.join("docs/pilots");
    let format = |f: &str| {
        let out = pilotbook(&root, &["check", "--format", f]);
        assert_eq!(out.status.code(), Some(1), "{f}");
        stdout(&out)
    };

    let github = format("github");
    assert!(!github.is_empty());
    for line in github.lines() {
        assert!(line.contains(&format!("file={PILOT},")), "{line}");
    }

    let sarif: Value = serde_json::from_str(&format("sarif")).expect("sarif");
    let problems: Vec<String> = support::sarif_validator()
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uri"], PILOT);
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }

    let gitlab: Value = serde_json::from_str(&format("gitlab")).expect("gitlab");
    for issue in gitlab.as_array().expect("issues") {
        assert_eq!(issue["location"]["path"], PILOT);
    }

    let json: Value = serde_json::from_str(&format("json")).expect("json");
    for d in json["diagnostics"].as_array().expect("diagnostics") {
        assert_eq!(d["path"], PILOT);
    }

    let junit = format("junit");
    let xml = roxmltree::Document::parse(&junit).expect("xml");
    let files: Vec<&str> = xml
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter_map(|n| n.attribute("file"))
        .collect();
    assert!(files.contains(&PILOT), "{files:?}");
    assert!(
        files.iter().all(|f| f.starts_with("docs/pilots/")),
        "{files:?}"
    );
}

#[test]
fn human_output_names_paths_from_where_the_user_stands() {
    let repo = monorepo();
    let located = |out: &Output| -> Vec<String> {
        stdout(out)
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("--> "))
            .map(|l| l.rsplitn(3, ':').nth(2).unwrap_or_default().to_string())
            .collect()
    };
    let root = repo.root.join("docs/pilots");
    // `-C DIR`: as if started in DIR.
    let given = pilotbook(&root, &["check"]);
    assert!(
        located(&given).iter().all(|p| p == "pilots/triage.md"),
        "{}",
        stdout(&given)
    );
    // Found from the portfolio's folder, and from below it.
    let from_root = pilotbook_in(&root, &["check"]);
    assert_eq!(located(&from_root), located(&given));
    let from_below = pilotbook_in(&root.join("pilots"), &["check"]);
    assert!(
        located(&from_below).iter().all(|p| p == "triage.md"),
        "{}",
        stdout(&from_below)
    );
    assert!(!located(&from_below).is_empty());
    // From the repository's top there is no pilotbook.toml to find.
    let top = pilotbook_in(&repo.root, &["check"]);
    assert_eq!(top.status.code(), Some(2));
}

/// `fingerprint` by `(rule, path)` and message for one format.
fn prints(dir: &Path, format: &str, today: &str) -> BTreeMap<String, (String, u64)> {
    let out = pilotbook_env(
        dir,
        &["check", "--format", format],
        &[("PILOTBOOK_TODAY", today)],
    );
    let value: Value = serde_json::from_slice(&out.stdout).expect(format);
    let entries: Vec<(String, String, u64)> = match format {
        "gitlab" => value
            .as_array()
            .expect("issues")
            .iter()
            .map(|i| {
                (
                    i["fingerprint"].as_str().unwrap_or_default().to_string(),
                    i["description"].as_str().unwrap_or_default().to_string(),
                    i["location"]["lines"]["begin"].as_u64().unwrap_or_default(),
                )
            })
            .collect(),
        "sarif" => value["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["pilotbookFinding/v2"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    r["message"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap_or_default(),
                )
            })
            .collect(),
        _ => value["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["fingerprint"].as_str().unwrap_or_default().to_string(),
                    d["message"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().unwrap_or_default(),
                )
            })
            .collect(),
    };
    entries.into_iter().map(|(f, m, l)| (f, (m, l))).collect()
}

#[test]
fn fingerprints_survive_unrelated_edits_and_the_passing_days() {
    let repo = Case::new().portfolio();
    // Findings of many rules: an overdue milestone ("N days overdue"), a
    // moved target (about a commit), an undefined metric, a placeholder,
    // an unknown key, a missing section, two of one rule on one field.
    let findings = |extra_front: &str, extra_body: &str| {
        pilot("pilot", ">= 85%", "2026-10-01")
            .replace("title: Triage\n", &format!("title: Triage\n{extra_front}"))
            .replace(
                "integrations:\n  - system: zendesk\n",
                "  - metric: ghost\n    target: \">= 1\"\n  - metric: phantom\n    target: \">= 2\"\ncolour: blue\nintegrations:\n  - system: zendesk\n    auth: tbd\n",
            )
            .replace("## Rollback\n\nFlag off.\n\n", "")
            .replace("# Triage\n", &format!("# Triage\n{extra_body}"))
            + "\n## Rollback\n\nTODO\n"
    };
    repo.write("pilots/triage.md", &pilot("pilot", ">= 90%", "2026-10-01"));
    repo.commit("Start", DANA, "2026-02-01T09:00:00+00:00");
    repo.write("pilots/triage.md", &findings("", ""));
    repo.commit("Relax the target", DANA, "2026-04-01T09:00:00+00:00");

    let before: Vec<_> = ["json", "sarif", "gitlab"]
        .iter()
        .map(|f| prints(&repo.root, f, "2026-11-25"))
        .collect();
    let rules = before[0].len();
    assert!(rules >= 7, "{:#?}", before[0]);

    // Unrelated lines: a field and a paragraph above every finding; and
    // three days later.
    repo.write(
        "pilots/triage.md",
        &findings(
            "team: support-ops\ndecision: 2026-12-20\n",
            "\nA paragraph\nof two lines.\n",
        ),
    );
    repo.commit("Notes", DANA, "2026-04-02T09:00:00+00:00");
    let after: Vec<_> = ["json", "sarif", "gitlab"]
        .iter()
        .map(|f| prints(&repo.root, f, "2026-11-28"))
        .collect();
    for (format, (b, a)) in ["json", "sarif", "gitlab"]
        .iter()
        .zip(before.iter().zip(&after))
    {
        let keys = |m: &BTreeMap<String, (String, u64)>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(b), keys(a), "{format}: {b:#?}\n{a:#?}");
        // The test means something: lines moved and a message changed.
        let moved = b.iter().filter(|(k, (_, line))| a[*k].1 != *line).count();
        assert!(moved >= 5, "{format}: {moved} moved");
        let reworded = b
            .iter()
            .filter(|(k, (message, _))| a[*k].0 != *message)
            .count();
        assert!(reworded >= 1, "{format}: the overdue days changed");
    }
}
