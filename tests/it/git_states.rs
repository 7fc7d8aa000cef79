//! Every git state pilotbook may meet in CI or on a laptop, made at test
//! time with the git CLI (fixed authors and dates): a shallow clone, a
//! detached HEAD, an unborn branch, no repository at all, and untracked or
//! modified documents. Each reads fine (exit 0) with exactly one
//! `history-unavailable` warning (none for a detached HEAD, whose history
//! is complete), and `--require-full-history` turns that warning into an
//! error (exit 1) for check, build and export alike.

use crate::support::{Case, DANA, pilot, pilotbook, pilotbook_json};
use serde_json::Value;
use std::path::Path;

/// A repository with two commits of one complete pilot, its owner and metric.
fn repo() -> Case {
    let repo = Case::new().portfolio();
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.commit("One", DANA, "2026-01-01T10:00:00+00:00");
    let edited = pilot("pilot", ">= 90%", "2026-12-01") + "\nMore notes.\n";
    repo.write("pilots/a.md", &edited);
    repo.commit("Two", DANA, "2026-01-02T10:00:00+00:00");
    repo
}

/// The diagnostics of `check --format json`, asserting exit 0.
fn diagnostics(dir: &Path, extra: &[&str], exit: i32) -> Vec<Value> {
    let mut args = vec!["check", "--format", "json", "--no-cache"];
    args.extend_from_slice(extra);
    let report = pilotbook_json(dir, &args, exit);
    report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Assert the report holds exactly one finding, a `history-unavailable`
/// at `path` whose message contains `says`; then that the flag makes it an
/// error on check, build and export.
fn one_warning_then_error(dir: &Path, path: &str, says: &str) {
    let found = diagnostics(dir, &[], 0);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["rule"], "history-unavailable");
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["path"], path);
    assert_eq!(found[0]["line"], 1);
    let message = found[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message}");

    let strict = diagnostics(dir, &["--require-full-history"], 1);
    assert_eq!(strict.len(), 1, "{strict:#?}");
    assert_eq!(strict[0]["severity"], "error");

    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let build = pilotbook(
        dir,
        &[
            "build",
            "--no-cache",
            "--require-full-history",
            "--out",
            site.to_str().expect("utf8"),
        ],
    );
    assert_eq!(
        build.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(String::from_utf8_lossy(&build.stderr).contains("error[history-unavailable]"));
    assert!(
        !site.exists(),
        "nothing is published from incomplete history"
    );
    let export = pilotbook(dir, &["export", "--no-cache", "--require-full-history"]);
    assert_eq!(export.status.code(), Some(1));
    assert!(export.stdout.is_empty());
    // Without the flag both succeed.
    let build = pilotbook(
        dir,
        &["build", "--no-cache", "--out", site.to_str().expect("utf8")],
    );
    assert_eq!(
        build.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
}

fn find<'a>(model: &'a Value, id: &str) -> &'a Value {
    model["pilots"]
        .as_array()
        .and_then(|l| l.iter().find(|e| e["id"] == id))
        .unwrap_or_else(|| panic!("pilot {id} in export"))
}

#[test]
fn a_full_clone_is_silent() {
    let repo = repo();
    assert_eq!(
        diagnostics(&repo.root, &["--require-full-history"], 0),
        Vec::<Value>::new()
    );
}

#[test]
fn shallow_clone_takes_nothing_from_the_boundary_commit() {
    let repo = repo();
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
    one_warning_then_error(&shallow, "pilotbook.toml", "shallow clone");
    // The boundary commit would date the pilot 2026-01-02 with one commit:
    // no date, author or commit is taken from it.
    let model = pilotbook_json(&shallow, &["export", "--no-cache"], 0);
    assert_eq!(find(&model, "a")["history"], Value::Null);
    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let build = pilotbook(
        &shallow,
        &["build", "--no-cache", "--out", site.to_str().expect("utf8")],
    );
    assert_eq!(build.status.code(), Some(0));
    let page = std::fs::read_to_string(site.join("pilots/a.html")).expect("pilot page");
    assert!(
        !page.contains("2026-01-02"),
        "no date from the boundary commit"
    );
}

#[test]
fn detached_head_reads_the_full_history() {
    let repo = repo();
    let first = repo
        .git(&["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_string();
    repo.git(&["checkout", "-q", "--detach", "HEAD"]);
    // A detached HEAD is how CI checks out a pull request: history is
    // complete, so nothing is reported.
    assert_eq!(
        diagnostics(&repo.root, &["--require-full-history"], 0),
        Vec::<Value>::new()
    );
    let model = pilotbook_json(&repo.root, &["export", "--no-cache"], 0);
    let commits = find(&model, "a")["history"]["commits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[1]["id"], first.as_str());
}

#[test]
fn unborn_branch() {
    let repo = Case::new().portfolio();
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    one_warning_then_error(&repo.root, "pilotbook.toml", "no commits");
}

#[test]
fn no_repository() {
    let repo = repo();
    let plain = tempfile::tempdir().expect("tempdir");
    for path in [
        "pilotbook.toml",
        "people/dana-kim.md",
        "metrics/accuracy.md",
        "systems/zendesk.md",
        "pilots/a.md",
    ] {
        let dest = plain.path().join(path);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(repo.root.join(path), dest).expect("copy");
    }
    one_warning_then_error(
        plain.path(),
        "pilotbook.toml",
        "not inside a git repository",
    );
}

#[test]
fn untracked_document() {
    let repo = repo();
    repo.write("people/lee.md", "---\nname: Lee\n---\n");
    one_warning_then_error(&repo.root, "people/lee.md", "not committed yet");
}

#[test]
fn modified_document() {
    let repo = repo();
    repo.write(
        "people/dana-kim.md",
        "---\nname: Dana Kim\nteam: ops\n---\n",
    );
    one_warning_then_error(
        &repo.root,
        "people/dana-kim.md",
        "changes that are not committed",
    );
}

#[test]
fn rev_refuses_a_blob_over_the_cap_from_its_header() {
    let repo = repo();
    repo.write("pilotbook.toml", "[limits]\nmax_file_bytes = 1000\n");
    repo.write(
        "people/big.md",
        &format!("---\nname: Big\n---\n\n{}\n", "x".repeat(2000)),
    );
    repo.commit("Big", DANA, "2026-01-03T10:00:00+00:00");
    let found = diagnostics(&repo.root, &["--rev", "HEAD"], 1);
    let big: Vec<&Value> = found
        .iter()
        .filter(|d| d["path"] == "people/big.md")
        .collect();
    assert_eq!(big.len(), 1, "{found:#?}");
    assert_eq!(big[0]["rule"], "unreadable-file");
    assert!(
        big[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("at most 1000 bytes"),
        "{big:?}"
    );
}

/// A checkout owned by another user, as in a CI container running under
/// another uid: git's `safe.directory` check refuses it, and pilotbook says
/// so and how to trust it, instead of "not inside a git repository".
/// Needs root (to run pilotbook as `nobody`) and `setpriv`.
#[test]
fn repository_of_another_user_names_safe_directory() {
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let has_setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !is_root || !has_setpriv {
        eprintln!("skipped: needs root and setpriv to run pilotbook as another user");
        return;
    }
    let repo = repo();
    let bin_dir = tempfile::tempdir().expect("temp dir");
    let bin = bin_dir.path().join("pilotbook");
    std::fs::copy(env!("CARGO_BIN_EXE_pilotbook"), &bin).expect("copy binary");
    let everyone = |path: &Path| {
        let status = std::process::Command::new("chmod")
            .args(["-R", "a+rX"])
            .arg(path)
            .status()
            .expect("chmod");
        assert!(status.success());
    };
    everyone(bin_dir.path());
    everyone(&repo.root);
    let as_nobody = |args: &[&str]| {
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .arg("-C")
            .arg(&repo.root)
            .args(args)
            .env("HOME", bin_dir.path())
            .env("PILOTBOOK_TODAY", "2026-06-01")
            .env_remove("GIT_DIR")
            .output()
            .expect("run as nobody")
    };
    let top = repo.root.canonicalize().expect("root");
    let hint = format!("git config --global --add safe.directory {}", top.display());
    let out = as_nobody(&["check", "--format", "json", "--no-cache"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let found = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["rule"], "history-unavailable");
    let message = found[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("belongs to another user") && message.contains(&hint),
        "{message}"
    );
    let named = as_nobody(&["check", "--changed-since", "HEAD"]);
    assert_eq!(named.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&named.stderr);
    assert!(
        stderr.contains("safe.directory") && stderr.contains(&hint),
        "{stderr}"
    );
}
