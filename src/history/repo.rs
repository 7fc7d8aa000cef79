//! Finding the repository, resolving revisions, and turning the walk into
//! each document's history.

use super::cache;
use super::facts::{self, Facts};
use super::odb;
use super::walk::{self, Walk};
use super::{
    AuthorStats, CommitInfo, DocumentHistory, DocumentState, History, HistoryError, HistoryOptions,
    MilestoneSlip, StatusChange, TargetChange, Unavailable,
};
use crate::config::Config;
use crate::model::Date;
use git2::{ErrorCode, ObjectType, Oid, Repository, RepositoryOpenFlags, Tree};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsStr;
use std::path::Path;

/// Open the repository that contains `root`, honouring `GIT_DIR` and
/// `GIT_CEILING_DIRECTORIES` as git does (libgit2 reads them only when it
/// starts from the current folder, so they are passed on here).
pub(super) fn open(root: &Path) -> Option<Repository> {
    if let Some(dir) = std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) {
        return Repository::open(dir).ok();
    }
    let ceilings: Vec<std::ffi::OsString> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| {
            std::env::split_paths(&v)
                .map(|p| p.into_os_string())
                .collect()
        })
        .unwrap_or_default();
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    Repository::open_ext(
        &root,
        RepositoryOpenFlags::empty(),
        ceilings.iter().map(|c| c as &OsStr),
    )
    .ok()
}

/// `root`'s path inside the repository's working tree (`""` at the top).
pub(super) fn root_prefix(repo: &Repository, root: &Path) -> Result<String, HistoryError> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| HistoryError::Git("the repository is bare".into()))?;
    let workdir = workdir
        .canonicalize()
        .map_err(|e| HistoryError::Git(e.to_string()))?;
    let root = root
        .canonicalize()
        .map_err(|e| HistoryError::Git(e.to_string()))?;
    let rel = root.strip_prefix(&workdir).map_err(|_| {
        HistoryError::Git("the root is outside the repository's working tree".into())
    })?;
    Ok(crate::discover::relative(Path::new(""), rel))
}

pub(super) fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}/{path}"),
    }
}

/// The repository folders below which documents can be.
fn walk_prefixes(config: &Config, root_prefix: &str) -> Vec<String> {
    crate::discover::start_folders(config)
        .iter()
        .map(|d| join(root_prefix, d))
        .collect()
}

/// Resolve a revision to a commit.
pub(super) fn resolve(repo: &Repository, rev: &str) -> Result<Oid, HistoryError> {
    let bad = |e: git2::Error| HistoryError::BadRevision {
        rev: rev.to_string(),
        message: e.message().to_string(),
    };
    let object = repo.revparse_single(rev).map_err(bad)?;
    Ok(object.peel_to_commit().map_err(bad)?.id())
}

fn blob_at(tree: &Tree, path: &str) -> Option<Oid> {
    let entry = tree.get_path(Path::new(path)).ok()?;
    (entry.kind() == Some(ObjectType::Blob)).then(|| entry.id())
}

/// See [`super::refresh`].
pub(super) fn refresh(history: &mut History, root: &Path, paths: &[String]) -> bool {
    let Some(repo) = open(root) else {
        return false;
    };
    let Ok(head) = repo.head().and_then(|h| h.peel_to_tree()) else {
        return false;
    };
    for path in paths {
        let abs = root.join(path);
        if !abs.is_file() {
            history.documents.remove(path);
            continue;
        }
        let blob = blob_at(&head, &join(&history.root_prefix, path));
        match (blob, history.documents.get_mut(path)) {
            (None, _) => {
                history
                    .documents
                    .insert(path.clone(), DocumentHistory::uncommitted());
            }
            (Some(blob), Some(doc)) if doc.state != DocumentState::Uncommitted => {
                doc.state = match Oid::hash_file(ObjectType::Blob, &abs) {
                    Ok(now) if now == blob => DocumentState::Committed,
                    _ => DocumentState::Modified,
                };
            }
            // Committed, but never read: its commits are not in hand.
            _ => return false,
        }
    }
    true
}

/// A commit's tree, read without a checkout (`--rev`).
pub struct Revision {
    repo: Repository,
    tree: Oid,
    commit: Oid,
    prefix: String,
}

impl Revision {
    /// Open `rev` of the repository that contains `root`.
    pub fn open(root: &Path, rev: &str) -> Result<Revision, HistoryError> {
        let repo = open(root).ok_or_else(|| HistoryError::NoRepository {
            root: root.to_path_buf(),
            rev: rev.to_string(),
        })?;
        let commit = resolve(&repo, rev)?;
        let tree = repo.find_commit(commit)?.tree_id();
        let prefix = root_prefix(&repo, root)?;
        Ok(Revision {
            repo,
            tree,
            commit,
            prefix,
        })
    }

    /// The commit's full id.
    pub fn commit_id(&self) -> String {
        self.commit.to_string()
    }

    /// The bytes of a root-relative file, if the revision has it.
    pub fn read(&self, rel: &str) -> Option<Vec<u8>> {
        let tree = self.repo.find_tree(self.tree).ok()?;
        let oid = blob_at(&tree, &join(&self.prefix, rel))?;
        Some(self.repo.find_blob(oid).ok()?.content().to_vec())
    }

    /// The size in bytes of a root-relative file, if the revision has it,
    /// read from the object's header so that a huge blob is not loaded.
    pub fn size(&self, rel: &str) -> Option<u64> {
        let tree = self.repo.find_tree(self.tree).ok()?;
        let oid = blob_at(&tree, &join(&self.prefix, rel))?;
        let (size, _) = self.repo.odb().ok()?.read_header(oid).ok()?;
        u64::try_from(size).ok()
    }

    /// Every root-relative file path below the given root-relative folders.
    pub fn files_below(&self, dirs: &[String]) -> Result<Vec<String>, HistoryError> {
        let tree = self.repo.find_tree(self.tree)?;
        let mut out = BTreeSet::new();
        for dir in dirs {
            let full = join(&self.prefix, dir);
            let start = if full.is_empty() {
                tree.clone()
            } else {
                match tree.get_path(Path::new(&full)) {
                    Ok(e) if e.kind() == Some(ObjectType::Tree) => self.repo.find_tree(e.id())?,
                    _ => continue,
                }
            };
            let mut stack = vec![(start, dir.clone())];
            while let Some((t, at)) = stack.pop() {
                for e in t.iter() {
                    let name = String::from_utf8_lossy(e.name_bytes()).into_owned();
                    let path = join(&at, &name);
                    match e.kind() {
                        Some(ObjectType::Blob) => {
                            out.insert(path);
                        }
                        Some(ObjectType::Tree) if !name.starts_with('.') => {
                            stack.push((self.repo.find_tree(e.id())?, path));
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(out.into_iter().collect())
    }
}

/// The two commits `diff BASE HEAD` compares, as full ids. When `base`
/// names a branch (local or remote-tracking), the base is its merge base
/// with `head`, so that a pull request's diff shows only what the pull
/// request changed, as `git diff BASE...HEAD` does.
pub fn diff_range(root: &Path, base: &str, head: &str) -> Result<(String, String), HistoryError> {
    let repo = open(root).ok_or_else(|| HistoryError::NoRepository {
        root: root.to_path_buf(),
        rev: base.to_string(),
    })?;
    let head_id = resolve(&repo, head)?;
    let mut base_id = resolve(&repo, base)?;
    let is_branch = repo
        .resolve_reference_from_short_name(base)
        .is_ok_and(|r| r.is_branch() || r.is_remote());
    if is_branch {
        // Unrelated histories have no merge base: compare the tips then.
        if let Ok(merge_base) = repo.merge_base(base_id, head_id) {
            base_id = merge_base;
        }
    }
    Ok((base_id.to_string(), head_id.to_string()))
}

fn unavailable(why: Unavailable) -> History {
    History {
        unavailable: Some(why),
        ..History::default()
    }
}

pub(super) fn read(
    root: &Path,
    config: &Config,
    paths: &[String],
    options: &HistoryOptions,
) -> Result<History, HistoryError> {
    let Some(repo) = open(root) else {
        return Ok(unavailable(Unavailable::NoRepository));
    };
    // git itself does not re-hash every object it reads; libgit2 does by
    // default, which costs a sixth of the walk. Objects are only read here.
    git2::opts::strict_hash_verification(false);
    if repo.is_shallow() {
        return Ok(unavailable(Unavailable::Shallow));
    }
    let head = match &options.rev {
        Some(rev) => resolve(&repo, rev)?,
        None => match repo.head() {
            Ok(r) => r.peel_to_commit()?.id(),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                return Ok(unavailable(Unavailable::NoCommits));
            }
            Err(e) => return Err(e.into()),
        },
    };
    let prefix = root_prefix(&repo, root)?;
    let prefixes = walk_prefixes(config, &prefix);
    let is_document = |repo_path: &str| {
        let rel = if prefix.is_empty() {
            Some(repo_path)
        } else {
            repo_path
                .strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_prefix('/'))
        };
        rel.is_some_and(|rel| config.kinds.iter().any(|k| k.matches(rel)))
    };

    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        timings.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let key = cache::key(config, &prefix);
    let cache_dir = root.join(cache::DIR);
    let mut stored = if options.cache {
        cache::load(&cache_dir, &key).unwrap_or_default()
    } else {
        cache::Stored::default()
    };
    let reusable = match stored
        .walk
        .head
        .as_deref()
        .and_then(|h| Oid::from_str(h).ok())
    {
        Some(old) if old == head => true,
        Some(old) => repo.graph_descendant_of(head, old).unwrap_or(false),
        None => false,
    };
    lap("  cache load");
    let before = stored.walk.head.clone();
    if !reusable {
        stored = cache::Stored::default();
    }
    if stored.walk.head.as_deref() != Some(head.to_string().as_str()) {
        let progress = options.progress.as_ref();
        walk::extend(
            &repo,
            &mut stored.walk,
            head,
            &prefixes,
            &is_document,
            progress,
        )?;
    }
    lap("  walk");

    let head_blobs = walk::blobs_at(&repo, head, &prefixes)?;
    lap("  head blobs");
    // Which documents have history, and which versions of them it has
    // (in parallel: hashing the working tree and following renames are
    // per document).
    enum Found<'w> {
        Uncommitted,
        Followed(DocumentState, Vec<(u32, Option<&'w str>)>, Vec<String>),
    }
    let walk_ref = &stored.walk;
    let found: Vec<(&String, Found)> = paths
        .par_iter()
        .map(|path| {
            let repo_path = join(&prefix, path);
            let state = match (head_blobs.get(&repo_path).copied(), &options.rev) {
                (None, _) => return (path, Found::Uncommitted),
                (Some(_), Some(_)) => DocumentState::Committed,
                (Some(blob), None) => match Oid::hash_file(ObjectType::Blob, root.join(path)) {
                    Ok(now) if now == blob => DocumentState::Committed,
                    _ => DocumentState::Modified,
                },
            };
            let (entries, renamed_from) = follow(walk_ref, &repo_path);
            (path, Found::Followed(state, entries, renamed_from))
        })
        .collect();
    let mut followed = Vec::new();
    let mut documents = BTreeMap::new();
    for (path, found) in found {
        match found {
            Found::Uncommitted => {
                documents.insert(path.clone(), DocumentHistory::uncommitted());
            }
            Found::Followed(state, entries, renamed_from) => {
                followed.push((path, state, entries, renamed_from));
            }
        }
    }

    lap("  follow");
    // Read the facts of every version not in the cache, in pack order:
    // a delta's base is then usually the object read just before it, still
    // in the reader's cache. One contiguous run per thread, each with its
    // own reader; front matter parsed as each blob is read.
    let missing: Vec<&str> = followed
        .par_iter()
        .flat_map_iter(|(_, _, entries, _)| entries.iter().filter_map(|(_, blob)| *blob))
        .filter(|blob| !stored.facts.contains_key(*blob))
        .collect();
    // With every version's facts cached, the pack indexes are not read.
    let packs = if missing.is_empty() {
        odb::Packs::default()
    } else {
        odb::Packs::open(repo.commondir())
    };
    let mut wanted: Vec<(usize, u64, odb::ObjectId)> = missing
        .into_iter()
        .filter_map(|blob| Oid::from_str(blob).ok()?.as_bytes().try_into().ok())
        .map(|id: odb::ObjectId| {
            let (pack, offset) = packs.position(&id);
            (pack, offset, id)
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let facts_read = !wanted.is_empty();
    let git_dir = repo.path().to_path_buf();
    let run = wanted
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(64);
    let new_facts: Vec<(String, Facts)> = wanted
        .par_chunks(run)
        .map(|blobs| {
            let mut store = odb::Store::new(&packs, &git_dir, 32 << 20);
            blobs
                .iter()
                .filter_map(|(_, _, id)| {
                    let data = store.read_kind(id, odb::Kind::Blob).ok()?;
                    Some((odb::hex(id), facts::extract(&data)))
                })
                .collect::<Vec<_>>()
        })
        .flatten()
        .collect();

    lap("  facts");
    let facts_cache = &stored.facts;
    let extra: BTreeMap<String, Facts> = new_facts.into_iter().collect();
    let facts_of = |blob: &str| extra.get(blob).or_else(|| facts_cache.get(blob));
    let histories: Vec<(&String, DocumentHistory)> = followed
        .into_par_iter()
        .map(|(path, state, entries, renamed_from)| {
            let mut history =
                document_history(&stored.walk, &facts_of, &entries, renamed_from, state);
            // Paths are root-relative everywhere else; so are earlier names.
            for old in &mut history.renamed_from {
                if let Some(rel) = old
                    .strip_prefix(&format!("{prefix}/"))
                    .filter(|_| !prefix.is_empty())
                {
                    *old = rel.to_string();
                }
            }
            (path, history)
        })
        .collect();
    for (path, history) in histories {
        documents.insert(path.clone(), history);
    }
    stored.facts.extend(extra);
    lap("  histories");

    if options.cache && (before != stored.walk.head || facts_read) {
        cache::store(&cache_dir, &key, &stored);
    }
    lap("  cache store");
    Ok(History {
        unavailable: None,
        head: Some(head.to_string()),
        root_prefix: prefix,
        documents,
        timings,
    })
}

/// Follow one path back through its changes and renames, newest first.
fn follow<'w>(walk: &'w Walk, path: &str) -> (Vec<(u32, Option<&'w str>)>, Vec<String>) {
    let mut entries = Vec::new();
    let mut renamed_from = Vec::new();
    let mut current = path.to_string();
    let mut bound: Option<(i64, u32, &str)> = None;
    while let Some(changes) = walk.changes.get(&current) {
        let mut sorted: Vec<_> = changes
            .iter()
            .filter(|c| bound.is_none_or(|b| walk.order_key(c.commit) < b))
            .collect();
        sorted.sort_by(|a, b| walk.order_key(b.commit).cmp(&walk.order_key(a.commit)));
        let mut next = None;
        for c in sorted {
            entries.push((c.commit, c.blob.as_deref()));
            if let Some(old) = &c.renamed_from {
                next = Some((old.clone(), walk.order_key(c.commit)));
                break;
            }
        }
        let Some((old, key)) = next else { break };
        renamed_from.push(old.clone());
        current = old;
        bound = Some(key);
    }
    (entries, renamed_from)
}

fn document_history<'f>(
    walk: &Walk,
    facts_of: &dyn Fn(&str) -> Option<&'f Facts>,
    entries: &[(u32, Option<&str>)],
    renamed_from: Vec<String>,
    state: DocumentState,
) -> DocumentHistory {
    let commits: Vec<std::sync::Arc<CommitInfo>> = entries
        .iter()
        .map(|(c, _)| walk.commits[*c as usize].info.clone())
        .collect();

    let mut by_email: HashMap<String, AuthorStats> = HashMap::new();
    for c in &commits {
        by_email
            .entry(c.email.to_lowercase())
            .or_insert_with(|| AuthorStats {
                name: c.author.clone(),
                email: c.email.clone(),
                commits: 0,
            })
            .commits += 1;
    }
    let mut authors: Vec<AuthorStats> = by_email.into_values().collect();
    authors.sort_by(|a, b| {
        b.commits
            .cmp(&a.commits)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.email.cmp(&b.email))
    });

    let mut status_changes = Vec::new();
    let mut target_changes = Vec::new();
    let mut milestone_slips = Vec::new();
    let empty = Facts::default();
    let mut prev = &empty;
    for (commit, blob) in entries.iter().rev() {
        let Some(blob) = blob else { continue };
        let Some(facts) = facts_of(blob) else {
            continue;
        };
        let info = &walk.commits[*commit as usize].info;
        if let Some(to) = &facts.status
            && prev.status.as_ref() != Some(to)
        {
            status_changes.push(StatusChange {
                from: prev.status.clone(),
                to: to.clone(),
                date: info.date,
                commit: info.id.clone(),
            });
        }
        let before: BTreeMap<&str, &str> = prev
            .targets
            .iter()
            .map(|(m, t)| (m.as_str(), t.as_str()))
            .collect();
        let after: BTreeMap<&str, &str> = facts
            .targets
            .iter()
            .map(|(m, t)| (m.as_str(), t.as_str()))
            .collect();
        for (metric, target) in &after {
            if before.get(metric) != Some(target) {
                target_changes.push(TargetChange {
                    metric: metric.to_string(),
                    from: before.get(metric).map(|t| t.to_string()),
                    to: Some(target.to_string()),
                    commit: info.clone(),
                });
            }
        }
        for (metric, target) in &before {
            if !after.contains_key(metric) {
                target_changes.push(TargetChange {
                    metric: metric.to_string(),
                    from: Some(target.to_string()),
                    to: None,
                    commit: info.clone(),
                });
            }
        }
        let old_dues: BTreeMap<&str, &str> = prev
            .dues
            .iter()
            .map(|(m, d)| (m.as_str(), d.as_str()))
            .collect();
        for (milestone, due) in &facts.dues {
            let (Some(from), Ok(to)) = (
                old_dues
                    .get(milestone.as_str())
                    .and_then(|d| Date::parse(d).ok()),
                Date::parse(due),
            ) else {
                continue;
            };
            if to > from {
                milestone_slips.push(MilestoneSlip {
                    milestone: milestone.clone(),
                    from,
                    to,
                    commit: info.clone(),
                });
            }
        }
        prev = facts;
    }

    DocumentHistory {
        state,
        commits,
        authors,
        renamed_from,
        status_changes,
        target_changes,
        milestone_slips,
    }
}
