//! `serve`'s incremental rebuild renders exactly what a full build renders.
//!
//! A copy of the example portfolio (outside git, so without history) is
//! edited in ways whose effects reach beyond the edited page: a person's
//! name (every page that links the owner), a pilot's status (the pilots
//! that depend on it show it), a new pilot referring to a system nobody
//! defined (a generated page appears), a deleted pilot (its page goes, its
//! dependents' findings change), a config change, a template override. After
//! each, the session's incremental site must equal a fresh session's full
//! build file for file and byte for byte, and it must have rendered fewer
//! pages than a full build where the setup did not change.

use crate::support;

use pilotbook_core::model::Date;
use pilotbook_serve::Session;
use pilotbook_site::Site;
use std::path::Path;

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(from).expect("inside");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn today() -> Date {
    Date::parse("2026-11-25").expect("date")
}

fn full_build(root: &Path) -> Site {
    let mut fresh = Session::new(root, None, today());
    let outcome = fresh.rebuild(&[]);
    assert!(outcome.failure.is_empty(), "{:?}", outcome.failure);
    fresh.finish_export();
    let site = fresh.site().expect("site");
    (*site).clone()
}

fn assert_same(incremental: &Site, full: &Site, step: &str) {
    let a: Vec<&String> = incremental.files.keys().collect();
    let b: Vec<&String> = full.files.keys().collect();
    assert_eq!(a, b, "{step}: the same files");
    for (path, bytes) in &full.files {
        assert!(
            incremental.files[path] == *bytes,
            "{step}: {path} differs from a full build"
        );
    }
}

/// A change to the portfolio on disk.
type Edit = Box<dyn Fn(&Path)>;

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{rel} has {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn incremental_rebuilds_equal_full_builds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("portfolio");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
        &root,
    );
    let mut session = Session::new(&root, None, today());
    let first = session.rebuild(&[]);
    assert!(first.failure.is_empty(), "{:?}", first.failure);
    assert_eq!(first.rendered, first.pages);

    let steps: Vec<(&str, Edit, bool)> = vec![
        (
            "a person's name",
            Box::new(|r| {
                edit(
                    r,
                    "people/dana-kim.md",
                    "name: Dana Kim",
                    "name: Dana Kimura",
                )
            }),
            true,
        ),
        (
            "a depended-on pilot's status",
            Box::new(|r| {
                edit(
                    r,
                    "pilots/intent-classifier.md",
                    "status: production",
                    "status: go",
                )
            }),
            true,
        ),
        (
            "a new pilot referring to an undefined system",
            Box::new(|r| {
                let text = std::fs::read_to_string(r.join("pilots/ticket-triage.md"))
                    .expect("read")
                    .replacen("system: zendesk", "system: brand-new-system", 1)
                    .replacen("title: ", "title: Copy of ", 1);
                std::fs::write(r.join("pilots/triage-copy.md"), text).expect("write");
            }),
            true,
        ),
        (
            "a deleted pilot that others depend on",
            Box::new(|r| std::fs::remove_file(r.join("pilots/intent-classifier.md")).expect("rm")),
            true,
        ),
        (
            "the config",
            Box::new(|r| {
                std::fs::write(
                    r.join("pilotbook.toml"),
                    std::fs::read_to_string(r.join("pilotbook.toml"))
                        .expect("read")
                        .replacen("[site]", "[site]\n# edited", 1),
                )
                .expect("write")
            }),
            false,
        ),
        (
            "a template override",
            Box::new(|r| {
                std::fs::create_dir_all(r.join("templates")).expect("mkdir");
                std::fs::write(r.join("templates/style.css"), "body { color: red }\n")
                    .expect("write");
            }),
            false,
        ),
    ];
    for (step, change, partial) in steps {
        change(&root);
        let outcome = session.rebuild(&[]);
        assert!(outcome.failure.is_empty(), "{step}: {:?}", outcome.failure);
        assert!(
            session.finish_export().is_some(),
            "{step}: the export follows"
        );
        let site = session.site().expect("site");
        assert_same(&site, &full_build(&root), step);
        if partial {
            assert!(
                outcome.rendered < outcome.pages,
                "{step}: rendered {} of {} pages",
                outcome.rendered,
                outcome.pages
            );
            assert!(outcome.reparsed <= 2, "{step}: read {}", outcome.reparsed);
        } else {
            assert_eq!(outcome.rendered, outcome.pages, "{step}: a full render");
        }
    }
}

#[test]
fn a_broken_front_matter_keeps_the_last_site_and_reports_where() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("portfolio");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
        &root,
    );
    let mut session = Session::new(&root, None, today());
    assert!(session.rebuild(&[]).failure.is_empty());
    let before = session.site().expect("site");
    edit(&root, "pilots/lead-scoring.md", "status:", "status: [");
    let outcome = session.rebuild(&[]);
    assert_eq!(outcome.failure.len(), 1, "{:?}", outcome.failure);
    let error = &outcome.failure[0];
    assert_eq!(error.path, "pilots/lead-scoring.md");
    assert_eq!(error.rule, Some("front-matter"));
    assert!(error.line > 1 && error.column > 0, "{error:?}");
    assert!(!session.status().ok);
    let after = session.site().expect("site");
    assert!(
        std::sync::Arc::ptr_eq(&before, &after),
        "the last good site stays"
    );
    // A broken config is reported with its line, and the site still stays.
    std::fs::write(root.join("pilotbook.toml"), "[nope]\n").expect("write");
    let outcome = session.rebuild(&[]);
    assert_eq!(outcome.failure[0].path, "pilotbook.toml");
    assert_eq!(outcome.failure[0].line, 1);
    assert!(std::sync::Arc::ptr_eq(
        &before,
        &session.site().expect("site")
    ));
}

/// With git history: an edit turns the document's state to modified (a
/// finding), and the commit after it moves HEAD, which reads the history
/// again; after each, the site equals a full build.
#[test]
fn a_commit_without_edits_renders_the_new_history() {
    use support::{Case, DANA, LEE};
    let repo = Case::new();
    repo.copy_example();
    repo.commit("The portfolio", DANA, "2026-03-01T10:00:00+00:00");
    let root = repo.root.clone();
    let mut session = Session::new(&root, None, today());
    assert!(session.rebuild(&[]).failure.is_empty());
    session.finish_export();

    edit(
        &root,
        "pilots/lead-scoring.md",
        "status: pilot",
        "status: go",
    );
    let changed = [root.join("pilots/lead-scoring.md")];
    let outcome = session.rebuild(&changed);
    assert!(outcome.failure.is_empty(), "{:?}", outcome.failure);
    assert!(
        outcome.rendered < outcome.pages,
        "an edit renders part of the site"
    );
    session.finish_export();
    assert_same(&session.site().expect("site"), &full_build(&root), "edited");

    repo.commit("Go for lead scoring", LEE, "2026-06-01T10:00:00+00:00");
    let outcome = session.rebuild(&[root.join(".git/HEAD")]);
    assert!(outcome.failure.is_empty(), "{:?}", outcome.failure);
    assert!(outcome.history_reread, "HEAD moved");
    session.finish_export();
    assert_same(
        &session.site().expect("site"),
        &full_build(&root),
        "committed",
    );
}
