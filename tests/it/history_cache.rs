//! The history cache cannot lie: a forged cache committed to the working
//! tree, a cache folder that is a symbolic link, and a cache left from
//! before a history rewrite all change nothing in the output; pilotbook
//! never writes through a link; `--cache-dir` works, and refuses a folder
//! in the working tree that git tracks.

use crate::support;

use crate::support::{Case, DANA, LEE, pilot, pilotbook};
use std::path::{Path, PathBuf};

/// A pilot whose target Lee Wu lowered after it started: one
/// `metric-target-changed` finding naming Lee Wu.
fn repo() -> Case {
    let repo = Case::new().basics();
    repo.write("pilots/triage.md", &pilot("pilot", ">= 92%", "2026-12-01"));
    repo.commit("Agree target", DANA, "2026-02-01T10:00:00+00:00");
    repo.write("pilots/triage.md", &pilot("pilot", ">= 85%", "2026-12-01"));
    repo.commit("Relax target", LEE, "2026-04-01T10:00:00+00:00");
    repo
}

/// `export` and `check --format json` output, with the cache or without.
fn outputs(dir: &Path, cache: bool, extra: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let run = |args: &[&str]| {
        let mut args = args.to_vec();
        if !cache {
            args.push("--no-cache");
        }
        args.extend_from_slice(extra);
        let out = pilotbook(dir, &args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    (run(&["export"]), run(&["check", "--format", "json"]))
}

fn assert_as_without_cache(dir: &Path, what: &str) {
    let truth = outputs(dir, false, &[]);
    let cached = outputs(dir, true, &[]);
    assert!(
        truth.0 == cached.0,
        "{what}: export differs from --no-cache"
    );
    assert!(truth.1 == cached.1, "{what}: check differs from --no-cache");
}

/// Every cache file pilotbook wrote, wherever it keeps them.
fn cache_files(repo: &Case) -> Vec<PathBuf> {
    [".git/pilotbook", ".pilotbook-cache"]
        .iter()
        .flat_map(|d| support::files_below(&repo.root.join(d)))
        .filter(|f| f.extension().is_some_and(|e| e == "postcard"))
        .collect()
}

fn replace(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len());
    let mut n = 0;
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + i..at + i + from.len()].copy_from_slice(to);
        at += i + from.len();
        n += 1;
    }
    n
}

#[test]
fn a_forged_cache_in_the_working_tree_changes_nothing() {
    let repo = repo();
    let _ = pilotbook(&repo.root, &["export"]);
    let files = cache_files(&repo);
    assert_eq!(files.len(), 1, "{files:?}");
    // Forge it as an attacker would: another author, the old target back.
    let mut bytes = std::fs::read(&files[0]).expect("cache");
    assert!(replace(&mut bytes, b"Lee Wu", b"Eve Xu") > 0);
    assert!(replace(&mut bytes, b">= 85%", b">= 92%") > 0);
    for name in [
        "history-v2.postcard".to_string(),
        files[0]
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned(),
    ] {
        std::fs::create_dir_all(repo.root.join(".pilotbook-cache")).expect("mkdir");
        std::fs::write(repo.root.join(".pilotbook-cache").join(name), &bytes).expect("forge");
    }
    repo.git(&["add", "-f", ".pilotbook-cache"]);
    repo.commit("Add a cache", LEE, "2026-04-02T10:00:00+00:00");
    let (_, truth) = outputs(&repo.root, false, &[]);
    assert!(String::from_utf8_lossy(&truth).contains("by Lee Wu"));
    assert_as_without_cache(&repo.root, "forged cache committed");
    let (_, check) = outputs(&repo.root, true, &[]);
    let check = String::from_utf8_lossy(&check);
    assert!(
        check.contains("metric-target-changed") && !check.contains("Eve Xu"),
        "{check}"
    );
    // Under --verbose pilotbook says it ignored the folder.
    let verbose = pilotbook(&repo.root, &["-v", "export"]);
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(
        stderr.contains("ignored") && stderr.contains(".pilotbook-cache"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_cache_folder_that_is_a_symbolic_link_is_never_written_through() {
    let repo = repo();
    let elsewhere = repo.tmp.path().join("elsewhere");
    let other = repo.tmp.path().join("other");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, repo.root.join(".pilotbook-cache")).expect("symlink");
    std::os::unix::fs::symlink(&other, repo.root.join(".git/pilotbook")).expect("symlink");
    assert_as_without_cache(&repo.root, "linked cache folders");
    assert_as_without_cache(&repo.root, "linked cache folders, second run");
    assert_eq!(support::files_below(&elsewhere), Vec::<PathBuf>::new());
    assert_eq!(support::files_below(&other), Vec::<PathBuf>::new());
    let verbose = pilotbook(&repo.root, &["-v", "export"]);
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(stderr.contains("symbolic link"), "{stderr}");

    // A --cache-dir inside the working tree that is a link is refused too.
    std::os::unix::fs::symlink(&elsewhere, repo.root.join("cache-link")).expect("symlink");
    let truth = outputs(&repo.root, false, &[]);
    let link = repo.root.join("cache-link");
    let linked = outputs(
        &repo.root,
        true,
        &["--cache-dir", link.to_str().expect("utf8")],
    );
    assert!(truth == linked);
    assert_eq!(support::files_below(&elsewhere), Vec::<PathBuf>::new());
}

#[test]
fn a_cache_from_before_a_history_rewrite_changes_nothing() {
    let repo = repo();
    assert_as_without_cache(&repo.root, "fresh");
    // Amend the last commit: another author, another date.
    repo.write("pilots/triage.md", &pilot("pilot", ">= 80%", "2026-12-01"));
    repo.git(&["add", "-A"]);
    let amended = repo
        .command(&["commit", "-q", "--amend", "-m", "Relax more"])
        .env("GIT_AUTHOR_NAME", "Dana Kim")
        .env("GIT_AUTHOR_EMAIL", "dana@example.com")
        .env("GIT_AUTHOR_DATE", "2026-04-03T10:00:00+00:00")
        .output()
        .expect("amend");
    assert!(amended.status.success());
    let truth = outputs(&repo.root, false, &[]);
    assert!(String::from_utf8_lossy(&truth.0).contains(">= 80%"));
    assert!(outputs(&repo.root, true, &[]) == truth, "after --amend");
    // Back to the first commit, then a new one on top of it.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    assert!(
        outputs(&repo.root, true, &[]) == outputs(&repo.root, false, &[]),
        "after reset --hard"
    );
    repo.write("pilots/triage.md", &pilot("go", ">= 92%", "2026-12-01"));
    repo.commit("Go", LEE, "2026-05-01T10:00:00+00:00");
    assert_as_without_cache(&repo.root, "after a new commit on the reset branch");
    // The commits the cache once described are gone from the repository.
    repo.git(&["reflog", "expire", "--expire=now", "--all"]);
    repo.git(&["gc", "-q", "--prune=now"]);
    assert_as_without_cache(&repo.root, "after gc");
}

#[test]
fn cache_dir_keeps_the_cache_where_it_is_told() {
    let repo = repo();
    let dir = repo.tmp.path().join("ci-cache");
    let truth = outputs(&repo.root, false, &[]);
    let dir_arg = dir.to_str().expect("utf8");
    assert!(outputs(&repo.root, true, &["--cache-dir", dir_arg]) == truth);
    let written: Vec<PathBuf> = support::files_below(&dir)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "postcard"))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(
        !repo.root.join(".git/pilotbook").exists(),
        "nothing in the git folder"
    );
    assert!(
        outputs(&repo.root, true, &["--cache-dir", dir_arg]) == truth,
        "warm"
    );

    // Inside the working tree, a cache file git tracks is never read.
    let inside = repo.root.join(".ci-cache");
    let inside_arg = inside.to_str().expect("utf8");
    let _ = outputs(&repo.root, true, &["--cache-dir", inside_arg]);
    let files = support::files_below(&inside);
    let cache = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "postcard"))
        .expect("a cache in .ci-cache");
    let mut bytes = std::fs::read(cache).expect("read");
    assert!(replace(&mut bytes, b"Lee Wu", b"Eve Xu") > 0);
    std::fs::write(cache, &bytes).expect("forge");
    repo.git(&["add", "-f", ".ci-cache"]);
    repo.commit("Commit a cache", DANA, "2026-04-02T10:00:00+00:00");
    let truth = outputs(&repo.root, false, &[]);
    assert!(outputs(&repo.root, true, &["--cache-dir", inside_arg]) == truth);
    let verbose = pilotbook(&repo.root, &["-v", "export", "--cache-dir", inside_arg]);
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(stderr.contains("tracks"), "{stderr}");
}

#[test]
fn without_a_usable_git_folder_the_cache_goes_to_the_user_cache_folder() {
    let repo = repo();
    // `.git/pilotbook` taken by a file: the git folder is not pilotbook's to use.
    std::fs::write(repo.root.join(".git/pilotbook"), "not a folder").expect("write");
    let home = repo.tmp.path().join("xdg-cache");
    let home_arg = home.to_str().expect("utf8");
    let env = [("XDG_CACHE_HOME", home_arg)];
    let run = |args: &[&str]| support::pilotbook_env(&repo.root, args, &env).stdout;
    let truth = run(&["export", "--no-cache"]);
    assert_eq!(run(&["export"]), truth);
    assert_eq!(run(&["export"]), truth, "warm");
    let written: Vec<PathBuf> = support::files_below(&home.join("pilotbook"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "postcard"))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".git/pilotbook")).expect("read"),
        "not a folder"
    );
}
