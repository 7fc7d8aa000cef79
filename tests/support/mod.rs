//! Shared helpers for integration tests: running the binary, and building
//! git repositories with fixed authors and dates, independent of the user's
//! git configuration.

#![allow(dead_code)]

#[cfg(unix)]
pub mod serve;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run pilotbook in `dir` with a fixed today and no colour.
pub fn pilotbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pilotbook"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("PILOTBOOK_TODAY", "2026-11-25")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_CEILING_DIRECTORIES")
        .output()
        .expect("run pilotbook")
}

/// Run pilotbook and parse its stdout as JSON, asserting the exit code.
pub fn pilotbook_json(dir: &Path, args: &[&str], exit: i32) -> serde_json::Value {
    let out = pilotbook(dir, args);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "pilotbook {args:?}: stderr {}\nstdout {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// A person who commits.
#[derive(Clone, Copy)]
pub struct Author {
    pub name: &'static str,
    pub email: &'static str,
}

pub const DANA: Author = Author {
    name: "Dana Kim",
    email: "dana@example.com",
};
pub const LEE: Author = Author {
    name: "Lee Wu",
    email: "lee@example.com",
};

/// A git repository in a temporary folder, driven through the git CLI with
/// an isolated configuration.
pub struct GitRepo {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl GitRepo {
    /// `git init` a new repository with `main` as the first branch.
    pub fn new() -> GitRepo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).expect("mkdir");
        let repo = GitRepo { tmp, root };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A git command with a clean environment, in the repository.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.args(args)
            .current_dir(&self.root)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.tmp.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Fixture")
            .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
            .env("GIT_COMMITTER_NAME", "Fixture")
            .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00+00:00")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00+00:00");
        cmd
    }

    /// Run git and return its stdout; panic on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Write a file below the root.
    pub fn write(&self, path: &str, text: &str) {
        let p = self.root.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Stage everything and commit as `author` at `date` (RFC 3339), which
    /// is both the author and committer date.
    pub fn commit(&self, message: &str, author: Author, date: &str) -> String {
        self.git(&["add", "-A"]);
        let out = self
            .command(&["commit", "-q", "--allow-empty", "-m", message])
            .env("GIT_AUTHOR_NAME", author.name)
            .env("GIT_AUTHOR_EMAIL", author.email)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("commit");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Merge `branch` into the current branch with a merge commit.
    pub fn merge(&self, branch: &str, author: Author, date: &str) -> String {
        let out = self
            .command(&[
                "merge",
                "-q",
                "--no-ff",
                "-m",
                &format!("Merge {branch}"),
                branch,
            ])
            .env("GIT_AUTHOR_NAME", author.name)
            .env("GIT_AUTHOR_EMAIL", author.email)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("merge");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// What `git log --follow` lists for a path: full commit ids, newest first.
    pub fn log_follow(&self, path: &str) -> Vec<String> {
        self.git(&["log", "--follow", "--format=%H", "--", path])
            .lines()
            .map(str::to_string)
            .collect()
    }
}

/// A minimal valid pilot document.
pub fn pilot(status: &str, target: &str, due: &str) -> String {
    format!(
        "---\ntitle: Triage\nstatus: {status}\nowner: dana-kim\nstarted: 2026-03-01\nmetrics:\n  - metric: accuracy\n    target: \"{target}\"\nproduction_path:\n  - milestone: General availability\n    due: {due}\n---\n\n# Triage\n\n## Success metrics\n\nAccuracy.\n\n## Integrations\n\nNone yet.\n\n## Ownership\n\nDana.\n\n## Production path\n\nGA.\n\n## Monitoring\n\nDashboards.\n\n## Human review\n\nSampling.\n\n## Escalation\n\nOn-call.\n\n## Rollback\n\nFlag off.\n\n## Expansion criteria\n\nFour good weeks.\n"
    )
}
