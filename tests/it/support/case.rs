//! Fixture repositories built in the test: [`Case`] writes files and
//! commits them with fixed authors and dates, makes branches and merges,
//! independent of the user's git configuration; and the documents most
//! cases share.

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// The lifecycle rules off. Fixture commits are dated early in 2026 and
/// every run's today is late in 2026, so `status-stale` and
/// `pilot-untouched` would fire in every test with history; they are
/// tested on their own, with dates chosen for them, in `lifecycle.rs`.
pub const QUIET_LIFECYCLE: &str =
    "[rules]\ndecision-overdue = \"off\"\nstatus-stale = \"off\"\npilot-untouched = \"off\"\n";

/// `config` with the lifecycle rules off (see [`QUIET_LIFECYCLE`]), merged
/// into its `[rules]` table when it has one.
pub fn quiet_lifecycle(config: &str) -> String {
    let lines = QUIET_LIFECYCLE.trim_start_matches("[rules]\n");
    match config.find("[rules]\n") {
        Some(at) => {
            let end = at + "[rules]\n".len();
            format!("{}{lines}{}", &config[..end], &config[end..])
        }
        None => format!("{config}\n{QUIET_LIFECYCLE}"),
    }
}

/// A fixture repository: a git repository in a temporary folder, driven
/// through the git CLI with an isolated configuration, its files written
/// and committed by the test with fixed authors and dates.
pub struct Case {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl Case {
    /// `git init` a new repository with `main` as the first branch.
    pub fn new() -> Case {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).expect("mkdir");
        let repo = Case { tmp, root };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// `git init` a new repository at `parent/name` (for repositories side
    /// by side, as a portfolio and its sources are): `parent` is the
    /// caller's to remove.
    pub fn at(parent: &Path, name: &str) -> Case {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = parent.join(name);
        std::fs::create_dir_all(&root).expect("mkdir");
        let repo = Case { tmp, root };
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

    /// Copy the example portfolio (`example-repo/`, without its built site
    /// and cache) into the working tree, uncommitted.
    pub fn copy_example(&self) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
        for entry in walkdir::WalkDir::new(&from)
            .into_iter()
            .filter_entry(|e| e.file_name() != "site" && e.file_name() != ".pilotbook-cache")
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = entry.path().strip_prefix(&from).expect("inside");
            // Images too: byte for byte.
            let to = self.root.join(rel);
            std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }

    /// Copy a fixture under `tests/fixtures/` (its `case.toml` left out)
    /// into the working tree, uncommitted.
    pub fn copy_fixture(&self, fixture: &str) {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        for entry in walkdir::WalkDir::new(&from)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = entry.path().strip_prefix(&from).expect("inside");
            if rel != Path::new("case.toml") {
                let text = std::fs::read_to_string(entry.path()).expect("read");
                self.write(rel.to_str().expect("utf8"), &text);
            }
        }
    }

    /// Write a file below the root (for chaining).
    pub fn file(self, path: &str, text: &str) -> Case {
        self.write(path, text);
        self
    }

    /// Write `pilotbook.toml`.
    pub fn config(self, text: &str) -> Case {
        self.file("pilotbook.toml", text)
    }

    /// A config of defaults but the lifecycle rules, [`PERSON`] as
    /// `dana-kim` and [`METRIC`] as `accuracy`: what a [`pilot`] refers to
    /// besides its system.
    pub fn basics(self) -> Case {
        self.config(QUIET_LIFECYCLE)
            .file("people/dana-kim.md", PERSON)
            .file("metrics/accuracy.md", METRIC)
    }

    /// [`Case::basics`] and the [`ZENDESK`] system: everything a [`pilot`]
    /// refers to, no pilot yet.
    pub fn portfolio(self) -> Case {
        self.basics().file("systems/zendesk.md", ZENDESK)
    }

    /// [`Case::commit`], for chaining.
    pub fn committed(self, message: &str, author: Author, date: &str) -> Case {
        self.commit(message, author, date);
        self
    }

    /// Create branch `name` at HEAD and switch to it.
    pub fn branch(&self, name: &str) {
        self.git(&["checkout", "-q", "-b", name]);
    }

    /// Switch to branch (or commit) `name`.
    pub fn checkout(&self, name: &str) {
        self.git(&["checkout", "-q", name]);
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

/// Dana Kim, the owner of [`pilot`] (`people/dana-kim.md`).
pub const PERSON: &str = "---\nname: Dana Kim\n---\n\nLeads support.\n";

/// The metric [`pilot`] measures (`metrics/accuracy.md`).
pub const METRIC: &str = "---\ntitle: Accuracy\nunit: \"%\"\n---\n\nShare of correct labels.\n";

/// A system document for the `zendesk` that [`pilot`] integrates with.
pub const ZENDESK: &str =
    "---\ntitle: Zendesk\nenvironment: production\n---\n\nThe support desk.\n";

/// A minimal valid pilot document (it integrates with `zendesk`: write
/// [`ZENDESK`] to `systems/zendesk.md` where undefined references matter).
pub fn pilot(status: &str, target: &str, due: &str) -> String {
    format!(
        "---\ntitle: Triage\nstatus: {status}\nowner: dana-kim\nstarted: 2026-03-01\nmetrics:\n  - metric: accuracy\n    target: \"{target}\"\nintegrations:\n  - system: zendesk\nproduction_path:\n  - milestone: General availability\n    due: {due}\n---\n\n# Triage\n\n## Success metrics\n\nAccuracy.\n\n## Integrations\n\nNone yet.\n\n## Ownership\n\nDana.\n\n## Production path\n\nGA.\n\n## Monitoring\n\nDashboards.\n\n## Human review\n\nSampling.\n\n## Escalation\n\nOn-call.\n\n## Rollback\n\nFlag off.\n\n## Expansion criteria\n\nFour good weeks.\n"
    )
}
