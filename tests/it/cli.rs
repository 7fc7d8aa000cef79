//! The command line end to end: the real binary on fixture repositories,
//! with the human and JSON reports and the export pinned as snapshots.

use crate::support::Run;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Run pilotbook with a fixed today, no colour and no inherited git
/// repository around the fixture.
fn pilotbook(dir: &Path, args: &[&str]) -> Output {
    Run::at(dir).args(args).ceiling(&fixture("")).output()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn human_report_snapshot() {
    let out = pilotbook(&fixture("report/mixed"), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("human_report", stdout(&out));
}

#[test]
fn json_report_snapshot() {
    let out = pilotbook(&fixture("report/mixed"), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(value["version"], 1);
    insta::assert_snapshot!("json_report", stdout(&out));
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let dir = fixture("report/mixed");
    let coloured = Run::new()
        .args(["--color", "always", "check", "-C"])
        .arg(&dir)
        .env_remove("NO_COLOR")
        .output();
    assert!(
        stdout(&coloured).contains("\x1b["),
        "--color always colours"
    );
    let plain = Run::new()
        .args(["--color", "always", "check", "-C"])
        .arg(&dir)
        .output();
    assert!(!stdout(&plain).contains("\x1b["), "NO_COLOR wins");
    // Not a terminal: auto means plain.
    let auto = pilotbook(&dir, &["check"]);
    assert!(!stdout(&auto).contains("\x1b["));
}

#[test]
fn explain_prints_rule_and_example() {
    let out = pilotbook(
        &fixture("report/mixed"),
        &["check", "--explain", "missing-section"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("missing-section (default: error)"),
        "{text}"
    );
    assert!(text.contains("Example that passes:"));
    assert!(text.contains("## Rollback"));

    let list = pilotbook(&fixture("report/mixed"), &["check", "--explain"]);
    assert_eq!(list.status.code(), Some(0));
    for rule in pilotbook_core::rules::RULES {
        assert!(stdout(&list).contains(rule.name), "{} listed", rule.name);
    }

    let unknown = pilotbook(
        &fixture("report/mixed"),
        &["check", "--explain", "no-such-rule"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no-such-rule"));
}

#[test]
fn every_rule_has_an_explanation_that_passes_its_own_check() {
    for rule in pilotbook_core::rules::RULES {
        assert!(!rule.summary.is_empty() && !rule.why.is_empty() && !rule.example.is_empty());
    }
}

#[test]
fn cannot_run_exits_2() {
    let missing = pilotbook(&fixture("does-not-exist"), &["check"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does-not-exist"));

    let bad_path = pilotbook(&fixture("report/mixed"), &["check", "pilots/nope.md"]);
    assert_eq!(bad_path.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_path.stderr).contains("pilots/nope.md"));

    let bad_flag = pilotbook(&fixture("report/mixed"), &["check", "--format", "yaml"]);
    assert_eq!(bad_flag.status.code(), Some(2));
}

#[test]
fn export_snapshot() {
    let out = pilotbook(&fixture("report/mixed"), &["export"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("export_mixed", stdout(&out));
}

#[test]
fn export_links_the_example_portfolio_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let out = pilotbook(&root, &["export"]);
    assert_eq!(out.status.code(), Some(0));
    let model: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let pilots = model["pilots"].as_array().expect("pilots");
    assert!(pilots.len() >= 10);
    for key in ["people", "metrics", "systems", "decision"] {
        assert!(!model[key].as_array().expect(key).is_empty(), "{key}");
    }
    let statuses: std::collections::BTreeSet<&str> =
        pilots.iter().filter_map(|p| p["status"].as_str()).collect();
    for s in ["proposed", "pilot", "go", "no-go", "production", "retired"] {
        assert!(statuses.contains(s), "example covers status {s}");
    }
    // Every depends_on edge appears as a dependent on the other side.
    for p in pilots {
        for key in [
            "id",
            "path",
            "title",
            "status",
            "owner",
            "metrics",
            "integrations",
            "depends_on",
            "dependents",
            "production_path",
            "sections",
            "history",
        ] {
            assert!(p.get(key).is_some(), "pilot {} lacks {key}", p["id"]);
        }
        for dep in p["depends_on"].as_array().expect("list") {
            let list = match dep["kind"].as_str() {
                Some("pilot") => "pilots",
                Some("system") => "systems",
                other => panic!("unexpected kind {other:?}"),
            };
            let target = model[list]
                .as_array()
                .expect("list")
                .iter()
                .find(|e| e["id"] == dep["id"])
                .expect("target exists");
            let back = target["dependents"].as_array().expect("dependents");
            assert!(
                back.iter()
                    .any(|d| d["id"] == p["id"] && d["kind"] == "pilot")
            );
        }
    }
    // The one undefined metric is generated, not dropped.
    let undefined: Vec<_> = model["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .filter(|m| m["defined"] == false)
        .collect();
    assert_eq!(undefined.len(), 1);
    assert!(
        undefined[0]["referenced_by"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}

#[test]
fn export_is_stable() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let a = pilotbook(&root, &["export"]);
    let b = pilotbook(&root, &["export"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn example_repo_passes_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let out = pilotbook(&root, &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn config_flag_reads_another_file_with_the_same_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("strict.toml");
    std::fs::write(
        &config,
        "[rules]\nmilestone-overdue = \"off\"\nmilestone-order = \"error\"\n",
    )
    .expect("write config");
    let run = |extra: &[&str]| {
        let mut args = extra.to_vec();
        args.extend(["check", "--format", "json"]);
        let out = pilotbook(&fixture("report/mixed"), &args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        v["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .map(|d| {
                format!(
                    "{}:{}",
                    d["rule"].as_str().unwrap_or(""),
                    d["severity"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
    };
    let default = run(&[]);
    assert!(default.contains(&"milestone-overdue:warning".to_string()));
    assert!(default.contains(&"milestone-order:warning".to_string()));
    let config_arg = config.to_string_lossy().into_owned();
    let strict = run(&["--config", &config_arg]);
    assert!(!strict.iter().any(|d| d.starts_with("milestone-overdue")));
    assert!(strict.contains(&"milestone-order:error".to_string()));

    let missing = pilotbook(
        &fixture("report/mixed"),
        &["--config", "/nonexistent/pilotbook.toml", "check"],
    );
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn readme_rules_table_matches_the_catalogue() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    for rule in pilotbook_core::rules::RULES {
        let row = format!("| `{}` | {} |", rule.name, rule.default_severity.as_str());
        assert!(readme.contains(&row), "README lists {row}");
    }
}

#[test]
fn source_date_epoch_sets_today() {
    let run = |epoch: &str| {
        let out = Run::at(&fixture("report/mixed"))
            .args(["check", "--format", "json"])
            .env_remove("PILOTBOOK_TODAY")
            .env("SOURCE_DATE_EPOCH", epoch)
            .ceiling(&fixture(""))
            .output();
        String::from_utf8_lossy(&out.stdout).contains("milestone-overdue")
    };
    // 2026-01-01: the 2026-10-01 milestone is not due yet; 2026-11-25: it is.
    assert!(!run("1767225600"));
    assert!(run("1795564800"));
}
