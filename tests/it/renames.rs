//! A document's history follows renames from any old path, as git pairs
//! them, lists commits that only change its mode, and does not follow
//! copies (issue 16). Each repository is built with the git CLI at fixed
//! dates; git itself (`git log --follow`, `git log -- PATH`) is the oracle.

use crate::support;
use crate::support::{Case, DANA, LEE};
use serde_json::Value;

/// A repository whose only configuration is `config` (empty: the built-in kinds).
fn repo(config: &str) -> Case {
    Case::new().config(config)
}

/// The history `export` gives the document at `path` of the list `kind`.
fn history(repo: &Case, kind: &str, path: &str, args: &[&str]) -> Value {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    let export = support::pilotbook_json(&repo.root, &all, 0);
    let docs = export[kind].as_array().expect("a list of documents");
    let doc = docs
        .iter()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in {kind}: {docs:?}"));
    doc["history"].clone()
}

fn commit_ids(history: &Value) -> Vec<String> {
    history["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

/// Numbered lines, each unique to `tag`: a body git can measure.
fn lines(tag: &str, range: std::ops::Range<usize>) -> String {
    range
        .map(|i| format!("Line {i} of the {tag} proposal, with words enough to matter.\n"))
        .collect()
}

fn document(title: &str, status: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nstatus: {status}\n---\n\n# {title}\n\n{body}")
}

const KEPS: &str = "[kinds.kep]\npath = [\"keps/*/README.md\"]\n";
const RFCS: &str = "[kinds.rfc]\npath = [\"text/*.md\"]\n";

#[test]
fn a_document_moved_to_name_slash_readme_keeps_its_history() {
    let repo = repo(KEPS);
    repo.write(
        "keps/0001-fast.md",
        &document("Fast", "provisional", &lines("fast", 0..20)),
    );
    let c1 = repo.commit("Propose fast", DANA, "2026-01-05T10:00:00+00:00");
    repo.write(
        "keps/0001-fast.md",
        &document("Fast", "implementable", &lines("fast", 0..20)),
    );
    let c2 = repo.commit("Fast is implementable", LEE, "2026-02-01T10:00:00+00:00");
    std::fs::create_dir_all(repo.root.join("keps/0001-fast")).expect("mkdir");
    repo.git(&["mv", "keps/0001-fast.md", "keps/0001-fast/README.md"]);
    let c3 = repo.commit(
        "Move fast into its folder",
        DANA,
        "2026-03-01T10:00:00+00:00",
    );

    let h = history(&repo, "kep", "keps/0001-fast/README.md", &["--no-cache"]);
    assert_eq!(commit_ids(&h), [c3.clone(), c2.clone(), c1.clone()]);
    assert_eq!(commit_ids(&h), repo.log_follow("keps/0001-fast/README.md"));
    assert_eq!(h["created"], "2026-01-05T10:00:00+00:00");
    assert_eq!(h["renamed_from"], serde_json::json!(["keps/0001-fast.md"]));
    let authors: Vec<(&str, u64)> = h["authors"]
        .as_array()
        .expect("authors")
        .iter()
        .map(|a| {
            (
                a["name"].as_str().expect("name"),
                a["commits"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(authors, [("Dana Kim", 2), ("Lee Wu", 1)]);
    let statuses: Vec<(&str, &str)> = h["status_changes"]
        .as_array()
        .expect("status changes")
        .iter()
        .map(|s| {
            (
                s["to"].as_str().expect("to"),
                s["commit"].as_str().expect("commit"),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [("provisional", c1.as_str()), ("implementable", c2.as_str())]
    );
}

#[test]
fn a_rename_from_a_folder_outside_the_glob_is_followed_cold_and_through_the_cache() {
    let repo = repo("");
    repo.write(
        "drafts/x.md",
        &support::pilot("proposed", ">= 90%", "2026-09-01"),
    );
    let c1 = repo.commit("Draft x", DANA, "2026-01-10T09:00:00+00:00");
    repo.write(
        "drafts/x.md",
        &support::pilot("proposed", ">= 92%", "2026-09-01"),
    );
    let c2 = repo.commit("Raise x's target", LEE, "2026-01-20T09:00:00+00:00");
    repo.write(
        "pilots/other.md",
        &support::pilot("pilot", ">= 80%", "2026-10-01"),
    );
    repo.commit("Another pilot", LEE, "2026-01-25T09:00:00+00:00");
    // The cache now holds a walk that never looked at drafts/.
    let _ = history(&repo, "pilots", "pilots/other.md", &[]);
    repo.git(&["mv", "drafts/x.md", "pilots/x.md"]);
    let c3 = repo.commit("Promote x", DANA, "2026-02-01T09:00:00+00:00");

    let cold = history(&repo, "pilots", "pilots/x.md", &["--no-cache"]);
    assert_eq!(commit_ids(&cold), [c3, c2.clone(), c1.clone()]);
    assert_eq!(commit_ids(&cold), repo.log_follow("pilots/x.md"));
    assert_eq!(cold["created"], "2026-01-10T09:00:00+00:00");
    assert_eq!(cold["renamed_from"], serde_json::json!(["drafts/x.md"]));
    let target = &cold["target_changes"][1];
    assert_eq!(
        (&target["from"], &target["to"], &target["commit"]),
        (&">= 90%".into(), &">= 92%".into(), &c2.into())
    );
    // The walk extended from the cache follows the rename as far back.
    let warm = history(&repo, "pilots", "pilots/x.md", &[]);
    assert_eq!(warm, cold);
    assert_eq!(history(&repo, "pilots", "pilots/x.md", &[]), cold);
}

#[test]
fn a_rename_with_edits_is_followed_where_git_pairs_it_and_not_below_half() {
    let repo = repo(RFCS);
    let body = lines("shared", 0..20);
    repo.write(
        "proposals/RFCNNNN-cache.md",
        &document("Cache", "draft", &body),
    );
    repo.write(
        "proposals/RFCNNNN-queue.md",
        &document("Queue", "draft", &lines("queue", 0..20)),
    );
    let c1 = repo.commit("Write two proposals", DANA, "2026-04-01T12:00:00+00:00");
    // About 70% the same: 6 of 20 lines rewritten.
    let edited = format!("{}{}", lines("rewritten", 0..6), lines("shared", 6..20));
    repo.git(&["rm", "-q", "proposals/RFCNNNN-cache.md"]);
    repo.write("text/0016-cache.md", &document("Cache", "active", &edited));
    // About 30% the same: 14 of 20 lines rewritten, which git calls a new file.
    let rewritten = format!("{}{}", lines("other", 0..14), lines("queue", 14..20));
    repo.git(&["rm", "-q", "proposals/RFCNNNN-queue.md"]);
    repo.write(
        "text/0017-queue.md",
        &document("Queue", "active", &rewritten),
    );
    let c2 = repo.commit(
        "Accept both as RFC 16 and 17",
        LEE,
        "2026-05-01T12:00:00+00:00",
    );
    let status = repo.git(&["show", "-M", "--name-status", "--format=", "HEAD"]);
    assert!(
        status.contains("proposals/RFCNNNN-cache.md\ttext/0016-cache.md"),
        "{status}"
    );
    assert!(status.contains("A\ttext/0017-queue.md"), "{status}");

    let cache = history(&repo, "rfc", "text/0016-cache.md", &["--no-cache"]);
    assert_eq!(commit_ids(&cache), [c2.clone(), c1]);
    assert_eq!(commit_ids(&cache), repo.log_follow("text/0016-cache.md"));
    assert_eq!(
        cache["renamed_from"],
        serde_json::json!(["proposals/RFCNNNN-cache.md"])
    );
    assert_eq!(cache["created"], "2026-04-01T12:00:00+00:00");

    let queue = history(&repo, "rfc", "text/0017-queue.md", &["--no-cache"]);
    assert_eq!(commit_ids(&queue), [c2]);
    assert_eq!(commit_ids(&queue), repo.log_follow("text/0017-queue.md"));
}

#[cfg(unix)]
#[test]
fn a_commit_that_only_changes_the_mode_is_listed() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo("");
    repo.write(
        "pilots/run.md",
        &support::pilot("pilot", ">= 90%", "2026-09-01"),
    );
    let c1 = repo.commit("Add run", DANA, "2026-06-01T08:00:00+00:00");
    let path = repo.root.join("pilots/run.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let c2 = repo.commit("Make run executable", LEE, "2026-06-02T08:00:00+00:00");
    assert!(
        repo.git(&["show", "--format=", "--summary", "HEAD"])
            .contains("mode change")
    );

    let h = history(&repo, "pilots", "pilots/run.md", &["--no-cache"]);
    assert_eq!(commit_ids(&h), [c2.clone(), c1]);
    let listed: Vec<String> = repo
        .git(&["log", "--format=%H", "--", "pilots/run.md"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(commit_ids(&h), listed);
    assert_eq!(h["updated"], "2026-06-02T08:00:00+00:00");
    // Same facts on both sides: the mode change introduced none.
    assert_eq!(h["target_changes"].as_array().map(Vec::len), Some(1));
    assert_eq!(h["status_changes"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_copy_is_not_followed_where_git_log_follow_would() {
    let repo = repo(KEPS);
    repo.write(
        "keps/NNNN-template/README.md",
        &document("Template", "provisional", &lines("template", 0..20)),
    );
    repo.commit("Add the template", DANA, "2026-01-01T08:00:00+00:00");
    repo.write(
        "keps/NNNN-template/README.md",
        &document("Template", "provisional", &lines("template", 0..21)),
    );
    repo.commit("Extend the template", DANA, "2026-01-15T08:00:00+00:00");
    let body = format!("{}{}", lines("template", 0..19), lines("mine", 0..2));
    repo.write(
        "keps/0042-mine/README.md",
        &document("Mine", "provisional", &body),
    );
    let copy = repo.commit(
        "Start KEP 42 from the template",
        LEE,
        "2026-03-01T08:00:00+00:00",
    );

    let h = history(&repo, "kep", "keps/0042-mine/README.md", &["--no-cache"]);
    assert_eq!(commit_ids(&h), [copy]);
    assert_eq!(h["created"], "2026-03-01T08:00:00+00:00");
    assert_eq!(h["renamed_from"], serde_json::json!([]));
    // `git log --follow` also looks for copies, so it lists the template's
    // commits as this KEP's: the difference README "History" explains.
    assert_eq!(repo.log_follow("keps/0042-mine/README.md").len(), 3);
}
