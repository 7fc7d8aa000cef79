//! pilotbook-history: the repository's history, read from git. The one
//! crate that touches git2.
//!
//! One pass over the commits reachable from HEAD (or `--rev`) records, for
//! every document path, each commit whose version of it differs from its
//! first parent's ([`walk`]), without one `git log` per file: each
//! commit's tree is compared with its first parent's only below the
//! folders the kinds' globs can match, and equal subtrees are skipped by
//! id. From those changes [`lineage`] finds each document's versions the
//! way `git log -- PATH` does (renames followed), and from the front
//! matter of each version ([`facts`]) the facts each commit introduced:
//! compared with its parents' versions, never with whatever came before
//! it in time. The cache ([`cache`]) keeps the walk, the facts and each
//! document's finished history ([`kept`]) between runs, outside the
//! working tree, bound to the commits it describes.
//!
//! Nothing outside this crate sees a git2 type: it hands the rest of the
//! program plain [`DocumentHistory`] values, whose types live in
//! `pilotbook_core::history` so that the stages reading them need not
//! depend on this crate. It must not parse documents beyond the facts it
//! tracks ([`read_facts`]), judge them or render anything. When history cannot be read completely (no
//! repository, no commits, a shallow or partial clone, replaced history,
//! a missing object) it says why in [`Unavailable`] and everything else
//! still works: no fact is ever taken from incomplete history.

mod cache;
mod changes;
mod facts;
mod graph;
mod kept;
mod lineage;
mod odb;
mod renames;
mod repo;
mod walk;

pub use changes::{changed_files, commits_since, merge_base, root_in_repository};
pub use facts::Facts;
pub use repo::{Revision, diff_range};

/// The facts (status, owner, `started`, metric targets, milestone due
/// dates) one version of a document's bytes holds, as the history walk
/// reads them at each commit. Public for the fuzz target; never fails.
pub fn read_facts(bytes: &[u8]) -> Facts {
    facts::extract(bytes)
}

use pilotbook_core::config::Config;
use pilotbook_core::history::{
    AuthorStats, CommitInfo, DocumentHistory, DocumentState, FieldChange, History, MilestoneChange,
    MilestoneSlip, StatusChange, TargetChange, Timestamp, Unavailable,
};
use std::path::Path;

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
    /// git's ownership check (`safe.directory`) refuses the repository.
    #[error("{}: the repository belongs to another user, and git refuses to read it (`safe.directory`); if you trust it, run `git config --global --add safe.directory {}`", path.display(), path.display())]
    NotOwned {
        /// The repository's top folder.
        path: std::path::PathBuf,
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

/// Where to read history from and whether to use the cache.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// End history at this revision instead of HEAD (and treat documents as
    /// they are in it, not in the working tree).
    pub rev: Option<String>,
    /// Read and write the history cache.
    pub cache: bool,
    /// Keep the cache in this folder instead of `<git dir>/pilotbook/`.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Told `(commits walked, commits to walk)` during the walk.
    pub progress: Option<pilotbook_core::progress::Progress>,
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
/// follows every save. `unsaved` gives the text an editor holds for a
/// path that is not saved yet (`pilotbook lsp`), which is compared with
/// HEAD instead of the file. Returns false when that is not enough (a
/// path has commits the kept history never read): read the history again
/// then.
pub fn refresh(
    history: &mut History,
    root: &Path,
    paths: &[String],
    unsaved: &Unsaved<'_>,
) -> bool {
    if history.unavailable.is_some() {
        return true;
    }
    repo::refresh(history, root, paths, unsaved)
}

/// The unsaved text of a root-relative path, when an editor holds one.
pub type Unsaved<'a> = dyn Fn(&str) -> Option<std::sync::Arc<str>> + 'a;
