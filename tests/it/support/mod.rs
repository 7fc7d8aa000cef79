//! Shared helpers for integration tests: running the binary, and building
//! git repositories with fixed authors and dates, independent of the user's
//! git configuration.

#![allow(dead_code)]

pub mod budget;
pub mod run;
pub mod serve;

pub use run::Run;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run pilotbook in `dir` with a fixed today and no colour.
pub fn pilotbook(dir: &Path, args: &[&str]) -> Output {
    Run::at(dir).args(args).output()
}

/// [`pilotbook`] with more environment, e.g. `RAYON_NUM_THREADS`.
pub fn pilotbook_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Run::at(dir).args(args).envs(env).output()
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
            let text = std::fs::read_to_string(entry.path()).expect("read");
            self.write(rel.to_str().expect("utf8"), &text);
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

/// Every file below `dir`, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    out.sort();
    out
}

/// Active content found in a built site: scripts the templates did not
/// put there, `on…=` event-handler attributes, `javascript:`, `vbscript:`
/// or `data:text/html` URLs in tags, frames, objects and embeds. JSON files
/// must parse; scripts must not close a `<script>` element. Escaped text
/// may say anything: only tags are inspected. Returns one line per finding.
pub fn active_content(site: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for file in files_below(site) {
        let name = file
            .strip_prefix(site)
            .unwrap_or(&file)
            .display()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if name.ends_with(".json") {
            if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                found.push(format!("{name}: not valid JSON"));
            }
            continue;
        }
        if name.ends_with(".js") {
            if text.contains("</script") {
                found.push(format!("{name}: closes a script element"));
            }
            continue;
        }
        if !(name.ends_with(".html") || name.ends_with(".svg") || name.ends_with(".xml")) {
            continue;
        }
        let lower = text.to_lowercase();
        // The templates' only script is `<script src="…/assets/site.js" defer>`.
        for (at, _) in lower.match_indices("<script") {
            let tag = &lower[at..lower[at..].find('>').map_or(lower.len(), |e| at + e + 1)];
            if !(tag.starts_with("<script src=\"") && tag.contains("assets/site.js\"")) {
                found.push(format!("{name}: script not from the templates: {tag}"));
            }
        }
        for tag in tags(&lower) {
            for bad in [
                "javascript:",
                "vbscript:",
                "data:text/html",
                "<iframe",
                "<object",
                "<embed",
                "<frame",
                "<base",
                "<meta http-equiv=\"refresh",
            ] {
                if tag.contains(bad) {
                    found.push(format!("{name}: `{bad}` in {tag}"));
                }
            }
            // Attribute names only: quoted values are data.
            let mut names = String::new();
            let mut quote = None;
            for c in tag.chars() {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, c) => names.push(c),
                    _ => {}
                }
            }
            for attr in names.split(|c: char| c.is_whitespace() || c == '/').skip(1) {
                if attr.starts_with("on") && attr.contains('=') {
                    found.push(format!("{name}: event handler in {tag}"));
                }
            }
        }
    }
    found
}

/// The tags of an HTML text (escaped text has no raw `<`).
pub fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        out.push(&rest[start..start + len + 1]);
        rest = &rest[start + len + 1..];
    }
    out
}

/// A validator for the official SARIF 2.1.0 schema (`tests/data/`).
pub fn sarif_validator() -> jsonschema::Validator {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("../../data/sarif-schema-2.1.0.json")).expect("schema");
    // The published schema's `language` patterns have a stray `]` that the
    // validator's meta-schema check rejects as a regex; pilotbook never
    // writes `language`, so mend those patterns and keep the rest as is.
    let mended = mend_language_patterns(&mut schema);
    assert!(mended >= 1, "the schema has the known `language` patterns");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn mend_language_patterns(value: &mut serde_json::Value) -> usize {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::String(s) if s == BROKEN => {
            *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_string();
            1
        }
        serde_json::Value::Array(items) => items.iter_mut().map(mend_language_patterns).sum(),
        serde_json::Value::Object(map) => map.values_mut().map(mend_language_patterns).sum(),
        _ => 0,
    }
}
