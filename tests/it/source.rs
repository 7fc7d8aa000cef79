//! One pipeline from a source to a checked project: the working tree
//! (`check`, `build`), a revision (`--rev`) and serve's overlay report the
//! same findings. `serve` once loaded the working tree its own way, with
//! no skipped links and no baseline; these tests hold it to `build`.

use crate::support::serve::{PILOT, Serve, portfolio};
use crate::support::{Case, DANA, pilotbook, pilotbook_json};
use std::path::Path;
use std::time::{Duration, Instant};

/// `N errors and M warnings` from a `built …` or `rebuilt …` line.
fn counts(line: &str) -> String {
    let re = regex::Regex::new(r"\d+ errors? and \d+ warnings?").expect("regex");
    re.find(line)
        .unwrap_or_else(|| panic!("no counts in {line:?}"))
        .as_str()
        .to_string()
}

/// The summary line `build` prints.
fn build_counts(root: &Path) -> String {
    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let build = pilotbook(root, &["build", "--out", site.to_str().expect("utf8")]);
    let stderr = String::from_utf8_lossy(&build.stderr).into_owned();
    assert_eq!(build.status.code(), Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("built "))
        .expect("built line");
    counts(line)
}

/// The counts of serve's first rebuild, and the page at `path` it serves.
fn serve_counts(root: &Path, path: &str) -> (String, String) {
    let mut serve = Serve::start(root, &["--port", "0"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let line = loop {
        let log = serve.drain_log();
        if let Some(line) = log.iter().find(|l| l.starts_with("rebuilt ")) {
            break line.clone();
        }
        assert!(Instant::now() < deadline, "no rebuilt line: {log:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let (code, page) = serve.get(path);
    assert_eq!(code, 200, "{page}");
    (counts(&line), page)
}

/// `check --format json`, whatever its exit code.
fn check_json(root: &Path) -> serde_json::Value {
    let out = pilotbook(root, &["check", "--format", "json"]);
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// The findings a pilot page lists, as HTML lines.
fn finding_items(page: &str) -> Vec<&str> {
    page.lines()
        .filter(|l| l.contains("class=\"finding "))
        .map(str::trim)
        .collect()
}

#[test]
fn serve_reports_a_link_out_of_the_repository_as_build_does() {
    let dir = portfolio();
    let root = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let target = outside.path().join("secret.md");
    std::fs::write(&target, PILOT).expect("write outside");
    std::os::unix::fs::symlink(&target, root.join("pilots/outside.md")).expect("symlink");

    let report = check_json(root);
    let skipped: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "symlink-skipped")
        .collect();
    assert_eq!(skipped.len(), 1, "{report:#}");
    assert_eq!(skipped[0]["path"], "pilots/outside.md");

    let built = build_counts(root);
    let (served, _) = serve_counts(root, "/pilots/alpha.html");
    assert_eq!(served, built, "serve counts the skipped link as build does");
}

#[test]
fn serve_applies_the_baseline_as_check_does() {
    let dir = portfolio();
    let root = dir.path();
    // No Rollback section: an error, which the baseline then accepts.
    let pilot = PILOT.replace("## Rollback\nSwitch it off.\n", "");
    std::fs::write(root.join("pilots/alpha.md"), pilot).expect("write pilot");
    let before = check_json(root);
    assert!(before["summary"]["errors"].as_u64() > Some(0), "{before:#}");
    let written = pilotbook(
        root,
        &["check", "--write-baseline", "pilotbook-baseline.json"],
    );
    assert_eq!(written.status.code(), Some(0));
    std::fs::write(
        root.join("pilotbook.toml"),
        "[check]\nbaseline = \"pilotbook-baseline.json\"\n",
    )
    .expect("write config");
    let after = pilotbook_json(root, &["check", "--format", "json"], 0);
    assert_eq!(after["summary"]["errors"], 0, "{after:#}");

    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let build = pilotbook(root, &["build", "--out", site.to_str().expect("utf8")]);
    assert_eq!(build.status.code(), Some(0));
    let built_page = std::fs::read_to_string(site.join("pilots/alpha.html")).expect("page");
    let built_items = finding_items(&built_page);
    assert!(
        built_items
            .iter()
            .any(|l| l.contains("accepted") && l.contains("missing-section")),
        "{built_items:#?}"
    );

    let (served, served_page) = serve_counts(root, "/pilots/alpha.html");
    assert_eq!(served, build_counts(root));
    assert!(served.starts_with("0 errors"), "{served}");
    assert_eq!(finding_items(&served_page), built_items);
}

#[test]
fn a_revision_and_its_clean_checkout_give_the_same_report_and_export() {
    let repo = Case::new();
    repo.copy_example();
    repo.commit("The example portfolio", DANA, "2026-10-01T10:00:00+00:00");
    let runs: [&[&str]; 2] = [&["check", "--format", "json"], &["export", "--no-cache"]];
    for args in runs {
        let tree = pilotbook(&repo.root, args);
        let rev = pilotbook(&repo.root, &[args, &["--rev", "HEAD"]].concat());
        let stdout = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
        assert_eq!(tree.status.code(), rev.status.code(), "{args:?}");
        assert!(
            stdout(&tree).starts_with('{'),
            "{args:?}: {}",
            stdout(&tree)
        );
        assert_eq!(stdout(&tree), stdout(&rev), "{args:?}");
    }
}
