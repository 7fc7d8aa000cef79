//! The repository's history as data. The one module that touches git2.
//!
//! One pass over the commits reachable from HEAD (or `--rev`) finds, for
//! every document, the commits that changed it — the ones `git log --follow
//! -- PATH` lists, renames followed — without one `git log` per file: each
//! commit's tree is compared with its parents' only below the folders the
//! kinds' globs can match, and equal subtrees are skipped by id. From the
//! front matter at each of those commits come the status changes, each
//! metric target over time and each milestone's due date over time.
//!
//! Nothing outside this module sees a git2 type: it hands the model plain
//! [`DocumentHistory`] values. When history cannot be read (no repository,
//! no commits, a shallow clone) it says why in [`Availability`] and
//! everything else still works.

mod cache;
mod changes;
mod facts;
mod odb;
mod repo;
mod walk;

pub use changes::{changed_files, commits_since, merge_base, root_in_repository};
pub use facts::Facts;
pub use repo::{Revision, diff_range};

/// The facts (status, metric targets, milestone due dates) one version of
/// a document's bytes holds, as the history walk reads them at each
/// commit. Public for the fuzz target; never fails.
pub fn read_facts(bytes: &[u8]) -> Facts {
    facts::extract(bytes)
}

use crate::config::Config;
use crate::model::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A problem with a revision or repository the user asked for by name (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// `--rev` or `--changed-since` was given outside a git repository.
    #[error("{}: not inside a git repository, so `{rev}` cannot be read", root.display())]
    NoRepository {
        /// The pilotbook root.
        root: std::path::PathBuf,
        /// The revision asked for.
        rev: String,
    },
    /// The revision does not name a commit.
    #[error("`{rev}` is not a commit, branch or tag of the repository: {message}")]
    BadRevision {
        /// The revision asked for.
        rev: String,
        /// What git said.
        message: String,
    },
    /// Reading the object database failed.
    #[error("cannot read the git repository: {0}")]
    Git(String),
}

impl From<git2::Error> for HistoryError {
    fn from(e: git2::Error) -> Self {
        HistoryError::Git(e.message().to_string())
    }
}

/// A moment with the offset it was recorded in, as git stores author dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// Minutes east of UTC.
    pub offset_minutes: i32,
}

impl Timestamp {
    /// The calendar date in the timestamp's own offset.
    pub fn date(self) -> Date {
        let local = self.seconds + i64::from(self.offset_minutes) * 60;
        Date::from_days_since_epoch(local.div_euclid(86_400))
    }

    /// RFC 3339 with the offset, e.g. `2026-06-01T09:30:00+02:00`.
    pub fn rfc3339(self) -> String {
        let local = self.seconds + i64::from(self.offset_minutes) * 60;
        let secs = local.rem_euclid(86_400);
        let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let off = self.offset_minutes.unsigned_abs();
        format!(
            "{}T{h:02}:{m:02}:{s:02}{sign}{:02}:{:02}",
            self.date(),
            off / 60,
            off % 60
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// One commit, as the site and the export show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// The full hex id.
    pub id: String,
    /// The author date.
    pub date: Timestamp,
    /// The author's name.
    pub author: String,
    /// The author's email.
    pub email: String,
    /// The first line of the message.
    pub summary: String,
}

impl CommitInfo {
    /// The abbreviated id.
    pub fn short_id(&self) -> &str {
        self.id.get(..7).unwrap_or(&self.id)
    }
}

/// An author of a document and how many of its commits are theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorStats {
    /// The name on their most recent commit.
    pub name: String,
    /// The email, which identifies the author.
    pub email: String,
    /// Commits to this document.
    pub commits: usize,
}

/// A pilot's status moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status before; `None` when the document was created with `to`.
    pub from: Option<String>,
    /// The status after.
    pub to: String,
    /// When.
    pub date: Timestamp,
    /// In which commit (full id).
    pub commit: String,
}

/// A metric target appeared, changed or went away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetChange {
    /// The metric id.
    pub metric: String,
    /// The target before; `None` when it first appeared.
    pub from: Option<String>,
    /// The target after; `None` when it was removed.
    pub to: Option<String>,
    /// The commit that made the change.
    pub commit: Arc<CommitInfo>,
}

/// A milestone's due date moved later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneSlip {
    /// The milestone's name.
    pub milestone: String,
    /// The due date before.
    pub from: Date,
    /// The due date after.
    pub to: Date,
    /// The commit that moved it.
    pub commit: Arc<CommitInfo>,
}

impl MilestoneSlip {
    /// How many days later the milestone became due.
    pub fn days(&self) -> i64 {
        self.from.days_until(self.to)
    }
}

/// Whether a document is in the history at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentState {
    /// Committed, and unchanged in the working tree.
    Committed,
    /// Committed, with changes in the working tree not committed yet.
    Modified,
    /// Not in any commit yet.
    Uncommitted,
}

impl DocumentState {
    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentState::Committed => "committed",
            DocumentState::Modified => "modified",
            DocumentState::Uncommitted => "uncommitted",
        }
    }
}

/// What the history says about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentHistory {
    /// Committed, modified or uncommitted.
    pub state: DocumentState,
    /// The commits that changed it, newest first (shared with the walk:
    /// on a large history, one copy per document would dominate memory).
    pub commits: Vec<Arc<CommitInfo>>,
    /// Its authors, most commits first.
    pub authors: Vec<AuthorStats>,
    /// Earlier paths of the document, newest first.
    pub renamed_from: Vec<String>,
    /// Status changes, oldest first (pilots).
    pub status_changes: Vec<StatusChange>,
    /// Metric target changes, oldest first (pilots).
    pub target_changes: Vec<TargetChange>,
    /// Milestone slips, oldest first (pilots).
    pub milestone_slips: Vec<MilestoneSlip>,
}

impl DocumentHistory {
    /// The first commit's author date.
    pub fn created(&self) -> Option<Timestamp> {
        self.commits.last().map(|c| c.date)
    }

    /// The last commit's author date.
    pub fn updated(&self) -> Option<Timestamp> {
        self.commits.first().map(|c| c.date)
    }

    fn uncommitted() -> Self {
        DocumentHistory {
            state: DocumentState::Uncommitted,
            commits: Vec::new(),
            authors: Vec::new(),
            renamed_from: Vec::new(),
            status_changes: Vec::new(),
            target_changes: Vec::new(),
            milestone_slips: Vec::new(),
        }
    }
}

/// Why history could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The root is not inside a git repository.
    NoRepository,
    /// The repository has no commits yet (an unborn branch).
    NoCommits,
    /// A shallow clone: dates would be those of the clone's boundary commit.
    Shallow,
    /// The repository could not be read.
    Error(String),
}

impl Unavailable {
    /// A sentence that says what is wrong and how to fix it.
    pub fn explain(&self) -> String {
        match self {
            Unavailable::NoRepository => "the folder is not inside a git repository, so dates, authors and the status timeline are unavailable; run `git init` and commit the documents".into(),
            Unavailable::NoCommits => "the repository has no commits yet, so dates, authors and the status timeline are unavailable; commit the documents".into(),
            Unavailable::Shallow => "this is a shallow clone, so dates and authors would be those of the clone's boundary commit and are shown as unavailable; fetch the full history (GitHub Actions: `actions/checkout` with `fetch-depth: 0`; GitLab: `GIT_DEPTH: 0`; locally: `git fetch --unshallow`)".into(),
            Unavailable::Error(e) => format!("the git history could not be read ({e}), so dates, authors and the status timeline are unavailable"),
        }
    }
}

/// The history of every document.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// `None` when history was read; otherwise why not.
    pub unavailable: Option<Unavailable>,
    /// The commit history ends at (HEAD or `--rev`), full id.
    pub head: Option<String>,
    /// The root's folder inside the repository (`""` at its top), for
    /// links to files on the forge.
    pub root_prefix: String,
    /// Per document, by root-relative path.
    pub documents: BTreeMap<String, DocumentHistory>,
    /// How long each part of the pass took, for `PILOTBOOK_TIMINGS`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Where to read history from and whether to use the cache.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// End history at this revision instead of HEAD (and treat documents as
    /// they are in it, not in the working tree).
    pub rev: Option<String>,
    /// Read and write `.pilotbook-cache/`.
    pub cache: bool,
    /// Told `(commits walked, commits to walk)` during the walk.
    pub progress: Option<crate::progress::Progress>,
}

/// Read the history of the documents at `paths` (root-relative) below `root`.
/// Never fails: a repository that cannot be read makes history unavailable.
pub fn read(root: &Path, config: &Config, paths: &[String], options: &HistoryOptions) -> History {
    match repo::read(root, config, paths, options) {
        Ok(history) => history,
        Err(e) => History {
            unavailable: Some(Unavailable::Error(e.to_string())),
            ..History::default()
        },
    }
}

/// Bring the working-tree state (committed, modified, uncommitted) of the
/// documents at `paths` up to date after they were edited, deleted or
/// created: `serve` keeps the history until HEAD moves, but the state
/// follows every save. Returns false when that is not enough (a path has
/// commits the kept history never read): read the history again then.
pub fn refresh(history: &mut History, root: &Path, paths: &[String]) -> bool {
    if history.unavailable.is_some() {
        return true;
    }
    repo::refresh(history, root, paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_render_with_offset() {
        let t = Timestamp {
            seconds: 1_780_000_000,
            offset_minutes: 120,
        };
        assert_eq!(t.rfc3339(), "2026-05-28T22:26:40+02:00");
        let t = Timestamp {
            seconds: 1_780_000_000,
            offset_minutes: -330,
        };
        assert_eq!(t.rfc3339(), "2026-05-28T14:56:40-05:30");
        assert_eq!(t.date().to_string(), "2026-05-28");
    }
}
