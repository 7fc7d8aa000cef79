//! `check --format github|sarif|junit|gitlab` end to end: the real binary on
//! fixture repositories, each format pinned by a snapshot and checked against
//! what its consumer requires (the workflow-command grammar, the SARIF 2.1.0
//! schema, well-formed JUnit XML, unique Code Quality fingerprints).

use crate::support;
use crate::support::Run;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Run pilotbook on `dir` with a fixed today, no colour, no git repository
/// around it and no GitHub environment unless `env` sets one.
fn pilotbook(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    Run::at(dir)
        .args(args)
        .ceiling(dir.parent().unwrap_or(Path::new("/")))
        .envs(env)
        .output()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn mixed() -> PathBuf {
    fixture("report/mixed")
}

/// The errors and warnings the JSON report counts, to compare every other
/// format with.
fn json_counts(dir: &Path) -> (u64, u64, usize) {
    let out = pilotbook(dir, &["check", "--format", "json"], &[]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    (
        value["summary"]["errors"].as_u64().expect("errors"),
        value["summary"]["warnings"].as_u64().expect("warnings"),
        value["diagnostics"].as_array().expect("list").len(),
    )
}

/// A repository whose file name and messages hold every character the
/// workflow commands must escape: `%`, `,`, `:` and (in the help) newlines.
fn awkward_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let pilots = dir.path().join("pilots");
    std::fs::create_dir_all(&pilots).expect("mkdir");
    std::fs::write(dir.path().join("pilotbook.toml"), "").expect("config");
    std::fs::write(
        pilots.join("50%, q3: go.md"),
        "---\ntitle: \"Half: 50%, then more\"\nstatus: pilot\nowner: dana-kim\nstarted: 2026-06-01\nmetrics:\n  - metric: accuracy\n    target: \"about 90%, maybe\"\nproduction_path:\n  - milestone: GA\n    due: 2027-01-01\n---\n\n# Half\n",
    )
    .expect("pilot");
    dir
}

fn workflow_command() -> regex::Regex {
    regex::Regex::new(
        r"^::(error|warning|notice) file=([^,:\r\n]+),line=([1-9][0-9]*),col=([1-9][0-9]*),title=([a-z-]+)::([^\r\n]*)$",
    )
    .expect("regex")
}

/// Every `%` in `text` starts one of the escapes allowed.
fn only_escapes(text: &str, allowed: &[&str]) -> bool {
    text.match_indices('%')
        .all(|(i, _)| allowed.iter().any(|e| text[i + 1..].starts_with(e)))
}

#[test]
fn github_snapshot_and_grammar() {
    let out = pilotbook(&mixed(), &["check", "--format", "github"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    insta::assert_snapshot!("github_report", text);
    let re = workflow_command();
    let (errors, warnings, total) = json_counts(&mixed());
    assert_eq!(text.lines().count(), total);
    let mut counted = (0, 0);
    for line in text.lines() {
        let caps = re
            .captures(line)
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        match &caps[1] {
            "error" => counted.0 += 1,
            "warning" => counted.1 += 1,
            _ => {}
        }
    }
    assert_eq!(counted, (errors, warnings));
}

#[test]
fn github_escapes_percent_comma_colon_and_newlines() {
    let repo = awkward_repo();
    let out = pilotbook(repo.path(), &["check", "--format", "github"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let re = workflow_command();
    let mut saw_file = false;
    let mut saw_percent_in_message = false;
    for line in text.lines() {
        let caps = re
            .captures(line)
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        let (file, message) = (&caps[2], &caps[6]);
        assert!(
            only_escapes(file, &["25", "2C", "3A", "0A", "0D"]),
            "{file}"
        );
        assert!(only_escapes(message, &["25", "0A", "0D"]), "{message}");
        if file == "pilots/50%25%2C q3%3A go.md" {
            saw_file = true;
        }
        if message.contains("90%25%2C") || message.contains("90%25,") {
            saw_percent_in_message = true;
        }
        // The help is on its own line of the annotation.
        assert!(message.contains("%0Ahelp: "), "{message}");
    }
    assert!(saw_file, "the path is escaped as a property:\n{text}");
    assert!(
        saw_percent_in_message,
        "the message's `%` is escaped:\n{text}"
    );
}

#[test]
fn github_appends_every_finding_to_the_step_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").expect("seed");
    let out = pilotbook(
        &mixed(),
        &["check", "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).expect("summary written");
    assert!(
        text.starts_with("earlier step\n## pilotbook check\n"),
        "appended:\n{text}"
    );
    assert!(text.contains("| Severity | Rule | Location | Message | Help |\n| --- |"));
    let (_, _, total) = json_counts(&mixed());
    let rows = text
        .lines()
        .filter(|l| {
            l.starts_with("| error |") || l.starts_with("| warning |") || l.starts_with("| info |")
        })
        .count();
    assert_eq!(rows, total, "one row per finding:\n{text}");
    insta::assert_snapshot!("github_step_summary", text);
}

#[test]
fn sarif_validates_against_the_schema() {
    let out = pilotbook(&mixed(), &["check", "--format", "sarif"], &[]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("sarif_report", stdout(&out));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let validator = support::sarif_validator();
    let problems: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    // The validator does reject a log that breaks the schema.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));

    // What GitHub code scanning requires on top of the schema.
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "pilotbook");
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), pilotbook_core::rules::RULES.len());
    for rule in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                rule[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{key} of {rule}"
            );
        }
    }
    let results = run["results"].as_array().expect("results");
    let (_, _, total) = json_counts(&mixed());
    assert_eq!(results.len(), total);
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            !uri.starts_with('/') && !uri.contains('\\') && !uri.contains("://"),
            "{uri}"
        );
        assert!(
            location["region"]["startLine"]
                .as_u64()
                .is_some_and(|l| l >= 1)
        );
        assert!(
            location["region"]["startColumn"]
                .as_u64()
                .is_some_and(|c| c >= 1)
        );
        assert!(
            result["partialFingerprints"]
                .as_object()
                .is_some_and(|f| !f.is_empty())
        );
    }
}

#[test]
fn sarif_uris_are_percent_encoded() {
    let repo = awkward_repo();
    let out = pilotbook(repo.path(), &["check", "--format", "sarif"], &[]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let uris: BTreeSet<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains("pilots/50%25%2C%20q3%3A%20go.md"), "{uris:?}");
}

#[test]
fn junit_parses_with_one_failure_per_error() {
    let out = pilotbook(&mixed(), &["check", "--format", "junit"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    insta::assert_snapshot!("junit_report", text);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let (errors, _, _) = json_counts(&mixed());
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures as u64, errors);
    // One suite per document, one testcase per document and rule.
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: BTreeSet<&str> = suites.iter().filter_map(|s| s.attribute("name")).collect();
    for doc_path in [
        "pilots/broken.md",
        "pilots/ticket-triage.md",
        "people/dana-kim.md",
    ] {
        assert!(
            names.contains(doc_path),
            "{doc_path} has a suite: {names:?}"
        );
    }
    for suite in &suites {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(
            suite.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        let rules: BTreeSet<_> = cases.iter().filter_map(|c| c.attribute("name")).collect();
        assert_eq!(rules.len(), cases.len(), "one testcase per rule");
    }
    let declared: usize = root
        .attribute("failures")
        .and_then(|f| f.parse().ok())
        .expect("failures");
    let failing_cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
        .count();
    assert_eq!(declared, failing_cases);
}

#[test]
fn junit_escapes_what_xml_cannot_hold() {
    let repo = awkward_repo();
    std::fs::write(
        repo.path().join("pilots/x&y <z>.md"),
        "---\ntitle: \"A <b> & \\\"c\\\" \\u0001\"\n---\n",
    )
    .expect("pilot");
    let out = pilotbook(repo.path(), &["check", "--format", "junit"], &[]);
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    assert!(
        doc.descendants()
            .any(|n| n.attribute("classname") == Some("pilots/x&y <z>.md"))
    );
}

#[test]
fn gitlab_fingerprints_are_unique() {
    let out = pilotbook(&mixed(), &["check", "--format", "gitlab"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(!text.starts_with('\u{feff}'));
    insta::assert_snapshot!("gitlab_report", text);
    let issues: Vec<serde_json::Value> = serde_json::from_str(&text).expect("array");
    let (_, _, total) = json_counts(&mixed());
    assert_eq!(issues.len(), total);
    let prints: BTreeSet<&str> = issues
        .iter()
        .filter_map(|i| i["fingerprint"].as_str())
        .collect();
    assert_eq!(prints.len(), issues.len(), "unique fingerprints");
    for issue in &issues {
        let severity = issue["severity"].as_str().expect("severity");
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity));
        assert!(
            issue["location"]["lines"]["begin"]
                .as_u64()
                .is_some_and(|l| l >= 1)
        );
        assert!(issue["check_name"].as_str().is_some());
        assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Stable: the same findings give the same fingerprints.
    let again = pilotbook(&mixed(), &["check", "--format", "gitlab"], &[]);
    assert_eq!(stdout(&again), text);
}

#[test]
fn machine_formats_keep_stdout_clean_and_exit_like_human() {
    for format in ["github", "sarif", "junit", "gitlab"] {
        let clean = pilotbook(&fixture("check/clean"), &["check", "--format", format], &[]);
        assert_eq!(clean.status.code(), Some(0), "{format}");
        let stderr = String::from_utf8_lossy(&clean.stderr);
        assert!(
            stderr.starts_with("pilotbook: ") && stderr.contains(" in 4 documents"),
            "{format}: {stderr}"
        );
        let quiet = pilotbook(
            &fixture("check/clean"),
            &["-q", "check", "--format", format],
            &[],
        );
        assert!(quiet.stderr.is_empty(), "{format}");
    }
}
