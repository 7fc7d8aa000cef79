//! The repository's history as plain data: what `pilotbook-history` reads
//! from git and every later stage (validate, export, the site, diff) shows
//! or judges.
//!
//! These are values, not a reader: nothing here touches git or the file
//! system. A [`History`] holds each document's [`DocumentHistory`] (its
//! commits, authors, renames and the facts each commit introduced), or
//! says in [`Unavailable`] why history could not be read completely, in
//! which case no fact is taken from it.

use crate::model::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

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
    /// The author's name (shared by all of their commits: a portfolio's
    /// hundred thousand commits have a few hundred authors).
    pub author: Arc<str>,
    /// The author's email, shared alike.
    pub email: Arc<str>,
    /// The first line of the message.
    pub summary: String,
}

impl CommitInfo {
    /// The abbreviated id.
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }
}

/// An author of a document and how many of its commits are theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorStats {
    /// The name on their most recent commit.
    pub name: Arc<str>,
    /// The email, which identifies the author.
    pub email: Arc<str>,
    /// Commits to this document.
    pub commits: usize,
}

/// A pilot's status moved on the main line (HEAD's first-parent chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status before; `None` when the main line's first version had `to`.
    pub from: Option<String>,
    /// The status after.
    pub to: String,
    /// The commit that introduced the new status (on the main line, or on
    /// a branch merged into it).
    pub commit: Arc<CommitInfo>,
    /// The main-line commit where the status changed.
    pub reached_main: Arc<CommitInfo>,
}

impl StatusChange {
    /// When: the author date of the commit that introduced it.
    pub fn date(&self) -> Timestamp {
        self.commit.date
    }
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
    /// The first main-line commit that contains it.
    pub reached_main: Arc<CommitInfo>,
}

/// A milestone appeared, its due date moved, or it went away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneChange {
    /// The milestone's name.
    pub milestone: String,
    /// The due date before; `None` when the milestone was added.
    pub from: Option<Date>,
    /// The due date after; `None` when it was removed.
    pub to: Option<Date>,
    /// The commit that made the change.
    pub commit: Arc<CommitInfo>,
    /// The first main-line commit that contains it.
    pub reached_main: Arc<CommitInfo>,
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
    /// The first main-line commit that contains it.
    pub reached_main: Arc<CommitInfo>,
}

impl MilestoneSlip {
    /// How many days later the milestone became due.
    pub fn days(&self) -> i64 {
        self.from.days_until(self.to)
    }
}

/// A one-value front-matter field (`owner`, `started`) was set, changed or
/// removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The value before; `None` when it was first set.
    pub from: Option<String>,
    /// The value after; `None` when it was removed.
    pub to: Option<String>,
    /// The commit that made the change.
    pub commit: Arc<CommitInfo>,
    /// The first main-line commit that contains it.
    pub reached_main: Arc<CommitInfo>,
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
    /// Its commits (what `git log -- PATH` shows, through renames: see
    /// ARCHITECTURE.md), newest first in topological order (shared with
    /// the walk: on a large history, one copy per document would dominate
    /// memory).
    pub commits: Vec<Arc<CommitInfo>>,
    /// Its authors, most commits first.
    pub authors: Vec<AuthorStats>,
    /// Earlier paths of the document, newest first.
    pub renamed_from: Vec<String>,
    /// The main line's status changes, oldest first (pilots).
    pub status_changes: Vec<StatusChange>,
    /// Metric target changes, oldest first in topological order (pilots).
    pub target_changes: Vec<TargetChange>,
    /// Each metric's `actual` as it appeared, changed or went away, oldest
    /// first (a [`TargetChange`] of the actual: the measurements over time).
    pub actual_changes: Vec<TargetChange>,
    /// Milestones added, moved or removed, oldest first (pilots).
    pub milestone_changes: Vec<MilestoneChange>,
    /// The milestone changes that moved a due date later, oldest first.
    pub milestone_slips: Vec<MilestoneSlip>,
    /// Owner changes, oldest first (pilots).
    pub owner_changes: Vec<FieldChange>,
    /// `started` changes, oldest first (pilots).
    pub started_changes: Vec<FieldChange>,
}

impl DocumentHistory {
    /// The author date of the commit that introduced the document's first
    /// version (in topological order, not by date).
    pub fn created(&self) -> Option<Timestamp> {
        self.commits.last().map(|c| c.date)
    }

    /// The author date of the document's last commit in topological order.
    pub fn updated(&self) -> Option<Timestamp> {
        self.commits.first().map(|c| c.date)
    }

    /// The earliest `started` date any committed version had: the date the
    /// goalpost rules judge against, so that moving `started` cannot
    /// erase a finding.
    pub fn earliest_started(&self) -> Option<Date> {
        self.started_changes
            .iter()
            .filter_map(|c| Date::parse(c.to.as_deref()?).ok())
            .min()
    }

    /// The history of a document not in any commit yet.
    pub fn uncommitted() -> Self {
        DocumentHistory {
            state: DocumentState::Uncommitted,
            commits: Vec::new(),
            authors: Vec::new(),
            renamed_from: Vec::new(),
            status_changes: Vec::new(),
            target_changes: Vec::new(),
            actual_changes: Vec::new(),
            milestone_changes: Vec::new(),
            milestone_slips: Vec::new(),
            owner_changes: Vec::new(),
            started_changes: Vec::new(),
        }
    }
}

/// Why history could not be read, or not completely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// The root is not inside a git repository.
    NoRepository,
    /// git's ownership check (`safe.directory`) refuses the repository: it
    /// belongs to another user (a CI container running under another uid).
    NotOwned {
        /// The repository's top folder.
        path: String,
    },
    /// The repository has no commits yet (an unborn branch).
    NoCommits,
    /// A shallow clone: dates would be those of the clone's boundary commit.
    Shallow,
    /// A partial clone (`--filter`) without an object the history needs.
    PartialClone {
        /// The first missing object met (hex).
        object: String,
    },
    /// An object the history needs is not in the repository.
    MissingObject {
        /// The first missing object met (hex).
        object: String,
    },
    /// Replace refs (`refs/replace/`) make git show a history other than
    /// the stored one.
    ReplaceRefs,
    /// Grafts (`info/grafts`) make git show a history other than the
    /// stored one.
    Grafts,
    /// The repository could not be read.
    Error(String),
}

impl Unavailable {
    /// A sentence that says what is wrong and how to fix it.
    pub fn explain(&self) -> String {
        const LOST: &str = "so dates, authors and the status timeline are unavailable";
        match self {
            Unavailable::NoRepository => format!("the folder is not inside a git repository, {LOST}; run `git init` and commit the documents"),
            Unavailable::NotOwned { path } => format!("the repository {path} belongs to another user and git refuses to read it (`safe.directory`), {LOST}; if you trust it, run `git config --global --add safe.directory {path}` (in a CI container, the checkout was made by another user)"),
            Unavailable::NoCommits => format!("the repository has no commits yet, {LOST}; commit the documents"),
            Unavailable::Shallow => "this is a shallow clone, so dates and authors would be those of the clone's boundary commit and are shown as unavailable; fetch the full history (GitHub Actions: `actions/checkout` with `fetch-depth: 0`; GitLab: `GIT_DEPTH: 0`; locally: `git fetch --unshallow`)".into(),
            Unavailable::PartialClone { object } => format!("this is a partial clone (`git clone --filter=…`) and object {} that the history needs was not fetched, {LOST}; fetch every object (`git fetch --refetch --no-filter origin`) or clone without `--filter` (GitHub Actions: `actions/checkout` without `filter:`)", short_id(object)),
            Unavailable::MissingObject { object } => format!("object {} that the history needs is missing from the repository, {LOST}; `git fsck` lists what is missing: fetch it again or clone afresh", short_id(object)),
            Unavailable::ReplaceRefs => format!("the repository has replacement objects (`refs/replace/`), so git shows a history other than the stored one and pilotbook does not guess which is meant; {LOST}; list them with `git replace -l` and remove them with `git replace -d <object>`, or set `GIT_NO_REPLACE_OBJECTS=1` to read the stored history"),
            Unavailable::Grafts => format!("the repository has grafts (`info/grafts`), so git shows a history other than the stored one and pilotbook does not guess which is meant; {LOST}; remove the file (`git replace --convert-graft-file` turns it into replace refs, which must then go too)"),
            Unavailable::Error(e) => format!("the git history could not be read ({e}), {LOST}"),
        }
    }
}

/// An object id as git abbreviates it (its first seven digits).
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
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
    /// What `--verbose` says about how history was read (the cache used
    /// or ignored, and why).
    pub notes: Vec<String>,
    /// The history cache's file, when one may be used: other caches of
    /// the same trust (the site's stamp) are kept beside it.
    pub cache_file: Option<std::path::PathBuf>,
    /// Each `[[sources]]` entry's repository, in the config's order
    /// (their documents' histories are in `documents`, under their
    /// qualified paths: [`crate::config::Config::source_of`]).
    pub sources: Vec<SourceState>,
}

/// Where a source's documents and history came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A checkout, read with its own git history.
    Checkout,
    /// A `pilotbook export` file, which brought its history with it.
    Export,
}

/// The state of one `[[sources]]` entry's repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    /// The source's name.
    pub name: String,
    /// A checkout or an export.
    pub kind: SourceKind,
    /// The forge its files and commits link to.
    pub repository: Option<String>,
    /// Its pilotbook root's folder inside its repository (`""` at the
    /// top): the qualified paths are relative to the repository.
    pub root_prefix: String,
    /// The commit its history ends at, full id.
    pub head: Option<String>,
    /// Why its history could not be read; `None` when it was.
    pub unavailable: Option<String>,
    /// For an export: the format version it was written in.
    pub export_version: Option<u32>,
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
