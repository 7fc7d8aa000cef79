//! The single pass over commits: how each commit's version of every
//! document path differs from its parents'.
//!
//! Commits are listed once, parents before children, then compared with
//! their parents in parallel: the list is cut into one contiguous run per
//! thread, each read oldest first through its own object reader (see
//! [`super::odb`]), and the results are put back in order, so the walk is
//! the same on any number of threads.
//!
//! Each commit's tree is compared with its first parent's only below the
//! walk's prefixes (the folders the kinds' globs can match), and a subtree
//! whose id did not change is skipped without being read. Every path that
//! differs from the first parent is recorded — for merges too: a merge that
//! took a side branch's version changed the path on the main line, and
//! [`super::lineage`] needs that to know each commit's version. A path's
//! version is its blob and mode: a commit that only makes a file
//! executable changes it, as git sees it. Where a commit has a path its
//! parent lacks, the diff against that parent is searched for a rename the
//! way git pairs paths ([`super::renames`]), so that the document's
//! history continues under its old name; for a merge, only against the
//! parents the version could have come from (none of them holds the same
//! file at the same path). An identical file deleted within the scope
//! settles it; otherwise the two whole trees are compared (for that one
//! commit and parent), since the old name may be anywhere. An old name
//! outside the scope joins [`Walk::followed`], and its own changes are
//! recorded from then on (see [`extend`]).
//!
//! The walk records facts about commits and trees only. Which of those
//! changes make up a document's history, and what they mean, is decided in
//! [`super::lineage`].

use super::graph::Graph;
use super::odb::{self, Kind, ObjectId, Packs, ReadError, Store};
use super::renames;
use super::{CommitInfo, Timestamp};
use git2::{Oid, Repository};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

/// A commit the walk visited.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WalkedCommit {
    /// Author, date, message.
    pub info: std::sync::Arc<CommitInfo>,
    /// Committer time: breaks ties between commits of one generation.
    pub time: i64,
    /// 1 + the largest generation of its parents (1 for a root commit).
    pub generation: u32,
    /// Its parents, in order, as indices into [`Walk::commits`].
    pub parents: Vec<u32>,
}

/// One commit's version of one path, where it differs from its first
/// parent's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    /// Index into [`Walk::commits`].
    pub commit: u32,
    /// The blob after the change; `None` when the path was deleted.
    pub blob: Option<ObjectId>,
    /// Its mode (`0o100755` for an executable file); 0 when deleted. A
    /// commit that only changes the mode changes the version, as in git.
    pub mode: u32,
    /// For each parent (by its position among the commit's parents) that
    /// has no file at this path, the path the commit's diff against that
    /// parent pairs with it as a rename.
    pub renamed_from: Vec<(u32, String)>,
}

/// The result of walking history: commits, parents before children, and
/// for each repository path its changes in the same order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Walk {
    /// Visited commits; an index into this list is stable as the walk grows.
    pub commits: Vec<WalkedCommit>,
    /// Changes by repository path, in the order of [`Walk::commits`].
    pub changes: BTreeMap<String, Vec<Change>>,
    /// The newest commit walked (hex).
    pub head: Option<String>,
    /// Paths that are no documents but were renamed into one: their
    /// changes are recorded too, so that the history goes on before the
    /// rename (see [`extend`]).
    pub followed: BTreeSet<String>,
}

impl Change {
    /// What makes two versions the same: content and mode.
    pub fn version(&self) -> Option<(ObjectId, u32)> {
        self.blob.map(|b| (b, self.mode))
    }
}

/// A file's blob and mode in a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    id: ObjectId,
    mode: u32,
}

/// A changed path below the prefixes: the file before and after.
struct PathChange {
    path: String,
    old: Option<Entry>,
    new: Option<Entry>,
}

/// What one commit changed: each path with its new file and its rename
/// sources by parent position.
type Changes = Vec<(String, Option<Entry>, Vec<(u32, String)>)>;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Bytes each thread's object reader may keep at most (its cache grows
/// to it with the size of the objects it reads): large enough for the
/// delta chains of a 10,000-entry folder tree (twice that measured no
/// faster at 10,000 pilots, and it is per thread: memory grows with cores).
const CACHE_BYTES: usize = 16 << 20;

/// Bytes of parsed trees each thread keeps at most (at least
/// [`TREES_MIN`] trees, at most [`TREES_MAX`]): a 10,000-entry folder is
/// ~0.7 MB, and only the last few commits' trees are asked for again.
/// Below that, a cache keeps [`TREES_SCALE`] of the largest tree it has
/// held, from [`TREES_FLOOR`] up.
const TREES_BYTES: usize = 8 << 20;
const TREES_FLOOR: usize = 1 << 20;
const TREES_SCALE: usize = 12;
const TREES_MIN: usize = 4;
const TREES_MAX: usize = 32;

/// What the walk compares: the folders below which documents can be, and
/// which paths are documents.
pub struct Scope<'a> {
    /// The repository folders below which documents can be.
    pub prefixes: &'a [String],
    /// Whether a repository path is a document.
    pub is_document: &'a (dyn Fn(&str) -> bool + Sync),
    /// Which changed folders below the prefixes to look into (`None`: all).
    pub descend: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
}

/// Extend `walk` with the commits reachable from `head` that it does not
/// have yet (all of them for an empty walk).
///
/// The paths recorded are the documents' and those in
/// [`Walk::followed`]. Where a rename's old path is neither, its changes
/// in every commit of the walk are recorded afterwards (and so on for
/// renames into it): a short pass that looks only at the folders of those
/// paths, and only when a commit renamed a file from outside into a
/// document path.
pub fn extend(
    repo: &Repository,
    scope: &Scope,
    walk: &mut Walk,
    head: Oid,
    packs: &Packs,
    progress: Option<&pilotbook_core::progress::Progress>,
) -> Result<Extended, ReadError> {
    let git_dir = repo.path().to_path_buf();
    let head: ObjectId = head
        .as_bytes()
        .try_into()
        .map_err(|_| ReadError::Corrupt("not a SHA-1 repository".into()))?;
    let mut index: HashMap<ObjectId, u32> = walk
        .commits
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((parse_hex(c.info.id.as_bytes())?, u32::try_from(i).ok()?)))
        .collect();
    let graph = Graph::open(&repo.commondir().join("objects"));
    let mut read = Extended::default();
    let mut new = {
        let _phase = tracing::info_span!("commits").entered();
        list_new_commits(graph.as_ref(), packs, &git_dir, head, &index, &mut read)?
    };
    share_names(new.iter_mut().map(|(_, c)| &mut c.info));
    let tree_of: HashMap<ObjectId, ObjectId> = new.iter().map(|(id, c)| (*id, c.tree)).collect();
    let followed = walk.followed.clone();
    let tracked = |path: &str| (scope.is_document)(path) || followed.contains(path);
    let prefixes = covering(
        scope
            .prefixes
            .iter()
            .map(String::as_str)
            .chain(followed.iter().map(|p| folder(p))),
    );
    // Below the kinds' folders everything; elsewhere only the way to a
    // followed path's folder, so that a followed `README.md` at the top
    // does not make every commit a diff of the whole tree.
    let kinds: HashSet<&str> = scope.prefixes.iter().map(String::as_str).collect();
    let toward = on_the_way(scope.prefixes.iter().chain(&followed).map(|p| {
        if followed.contains(p) {
            folder(p)
        } else {
            p.as_str()
        }
    }));
    let descend = |dir: &str| toward.contains(dir) || inside(&kinds, dir);
    let tracked_scope = Scope {
        prefixes: &prefixes,
        is_document: &tracked,
        descend: (!followed.is_empty()).then_some(&descend),
    };
    let changes = {
        let _phase = tracing::info_span!("diffs").entered();
        let unchanged = unchanged_by_graph(graph.as_ref(), &prefixes);
        let reading = Reading {
            packs,
            git_dir: &git_dir,
            unchanged: unchanged.as_ref().map(|f| f as _),
            spared: Default::default(),
        };
        let changes = diff_commits(&reading, &new, &tree_of, &tracked_scope, progress)?;
        read.spared = reading.spared.into_inner();
        changes
    };

    let first_new = walk.commits.len();
    append(walk, &mut index, new, changes)?;
    walk.head = Some(odb::hex(&head));
    let sources = untracked_sources(walk, scope, |c| c.commit as usize >= first_new);
    follow(packs, &git_dir, graph.as_ref(), walk, scope, sources)?;
    Ok(read)
}

/// Give each author's name and email one allocation, shared by all of
/// their commits: 100,000 commits have a few hundred authors, and two
/// strings per commit were about 6 MB of the history's memory.
pub fn share_names<'a>(infos: impl Iterator<Item = &'a mut CommitInfo>) {
    let mut seen: HashSet<std::sync::Arc<str>> = HashSet::new();
    let mut share = |text: &mut std::sync::Arc<str>| match seen.get(&**text) {
        Some(one) => *text = std::sync::Arc::clone(one),
        None => {
            seen.insert(std::sync::Arc::clone(text));
        }
    };
    for info in infos {
        share(&mut info.author);
        share(&mut info.email);
    }
}

/// The commits reachable from `head` that are not `known`, parents
/// first: through the commit-graph where it can say, else by reading
/// them one by one, starting with those the pack scan found on a
/// cold walk. `read` learns which.
fn list_new_commits(
    graph: Option<&Graph>,
    packs: &Packs,
    git_dir: &std::path::Path,
    head: ObjectId,
    known: &HashMap<ObjectId, u32>,
    read: &mut Extended,
) -> Result<Vec<(ObjectId, CommitObject)>, ReadError> {
    let by_graph = list_new_by_graph(graph, packs, git_dir, head, known, &mut read.from_pack_scan)?;
    if let Some(new) = by_graph {
        read.by_graph = new.len();
        return Ok(new);
    }
    let mut early = match known.is_empty() {
        true => {
            let _phase = tracing::info_span!("pack scan").entered();
            pack_commits(packs)
        }
        false => Scanned::default(),
    };
    let mut store = Store::new(packs, git_dir, 8 << 20);
    let found = early.len();
    let new = list_new(&mut store, head, known, &mut early)?;
    read.from_pack_scan = found - early.len();
    Ok(new)
}

/// Append the new commits, parents first, with their changes.
fn append(
    walk: &mut Walk,
    index: &mut HashMap<ObjectId, u32>,
    new: Vec<(ObjectId, CommitObject)>,
    changes: Vec<Changes>,
) -> Result<(), ReadError> {
    walk.commits.reserve(new.len());
    index.reserve(new.len());
    for ((id, commit), changes) in new.into_iter().zip(changes) {
        let parents = commit
            .parents
            .iter()
            .map(|p| index.get(p).copied())
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(|| {
                ReadError::Corrupt(format!(
                    "a parent of commit {} was not listed",
                    odb::hex(&id)
                ))
            })?;
        let generation = 1 + parents
            .iter()
            .map(|p| walk.commits[*p as usize].generation)
            .max()
            .unwrap_or(0);
        let at = u32::try_from(walk.commits.len())
            .map_err(|_| ReadError::Corrupt("more than 4 billion commits".into()))?;
        index.insert(id, at);
        walk.commits.push(WalkedCommit {
            info: std::sync::Arc::new(commit.info),
            time: commit.time,
            generation,
            parents,
        });
        record(walk, at, changes);
    }
    Ok(())
}

/// How [`extend`] read the new commits, for `--verbose`.
#[derive(Debug, Default)]
pub struct Extended {
    /// New commits found through git's commit-graph (0: it was not used).
    pub by_graph: usize,
    /// Commits whose diff the graph's Bloom filters showed to be empty.
    pub spared: usize,
    /// New commits found by the pack scan and read on every thread.
    pub from_pack_scan: usize,
}

/// Where diffs read objects, and which commits the commit-graph's Bloom
/// filters say changed nothing below the prefixes.
struct Reading<'r> {
    packs: &'r Packs,
    git_dir: &'r std::path::Path,
    unchanged: Option<&'r (dyn Fn(&ObjectId) -> bool + Sync)>,
    /// How many commits `unchanged` spared a diff.
    spared: std::sync::atomic::AtomicUsize,
}

/// A test, from the commit-graph's Bloom filters, of whether a commit
/// changed nothing at or below `prefixes` against its first parent;
/// `None` without filters, or when a prefix is the whole tree.
fn unchanged_by_graph<'g>(
    graph: Option<&'g Graph>,
    prefixes: &'g [String],
) -> Option<impl Fn(&ObjectId) -> bool + Sync + 'g> {
    let graph = graph?;
    if prefixes.iter().any(String::is_empty) {
        return None;
    }
    Some(move |id: &ObjectId| {
        graph
            .find(id)
            .is_some_and(|at| !graph.may_change(at, prefixes))
    })
}

/// [`list_new`] from the commit-graph: the same commits in the same
/// order, found without inflating one, then read on every thread. `None`
/// when the graph cannot say (no graph, HEAD or a new commit not in it,
/// or a commit whose parents differ from the graph's).
fn list_new_by_graph(
    graph: Option<&Graph>,
    packs: &Packs,
    git_dir: &std::path::Path,
    head: ObjectId,
    known: &HashMap<ObjectId, u32>,
    from_pack_scan: &mut usize,
) -> Result<Option<Vec<(ObjectId, CommitObject)>>, ReadError> {
    let Some(order) = graph.and_then(|g| graph_order(g, head, known)) else {
        return Ok(None);
    };
    let ids: Vec<ObjectId> = order.iter().map(|(id, _)| *id).collect();
    // Those the pack scan found first, on a cold walk (see
    // `pack_commits`); the others read on every thread.
    let mut early = match known.is_empty() {
        true => pack_commits(packs),
        false => Scanned::default(),
    };
    let taken: Vec<Option<CommitObject>> = ids
        .iter()
        .map(|id| early.place(id).and_then(|at| early.take(at)))
        .collect();
    *from_pack_scan = taken.iter().filter(|t| t.is_some()).count();
    let missing: Vec<ObjectId> = ids
        .iter()
        .zip(&taken)
        .filter(|(_, t)| t.is_none())
        .map(|(id, _)| *id)
        .collect();
    let mut read = read_commits(packs, git_dir, &missing)?.into_iter();
    let commits = taken
        .into_iter()
        .map(|t| t.or_else(|| read.next()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ReadError::Corrupt("a commit went missing".into()))?;
    let agree = order
        .iter()
        .zip(&commits)
        .all(|((_, parents), commit)| *parents == commit.parents);
    Ok(agree.then(|| ids.into_iter().zip(commits).collect()))
}

/// The whole commits of the packs ([`Packs::pack_commits`]),
/// by id (the pack index's, which git computed from the bytes when it
/// wrote or received the pack), parsed on every thread.
fn pack_commits(packs: &Packs) -> Scanned {
    // One that does not parse is read (and reported) in its turn.
    let (ids, mut commits): (Vec<ObjectId>, Vec<Option<CommitObject>>) = packs
        .pack_commits()
        .into_par_iter()
        .map(|(id, data)| (id, parse_commit(&id, &data).ok()))
        .unzip();
    let mut slots = HashMap::with_capacity(ids.len());
    for (at, id) in ids.into_iter().enumerate() {
        let (Some(commit @ Some(_)), Ok(place)) = (commits.get_mut(at), u32::try_from(at)) else {
            continue;
        };
        // A commit in two packs is the same commit: kept once.
        match slots.entry(id) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(place);
            }
            std::collections::hash_map::Entry::Occupied(_) => *commit = None,
        }
    }
    let left = slots.len();
    Scanned {
        slots,
        commits,
        left,
    }
}

/// Commits the pack scan parsed, each taken once by id. They stay where
/// they were parsed and the map holds only their places: moving a hundred
/// thousand parsed commits through a hash map cost a tenth of a cold
/// monorepo walk.
#[derive(Default)]
struct Scanned {
    slots: HashMap<ObjectId, u32>,
    commits: Vec<Option<CommitObject>>,
    left: usize,
}

impl Scanned {
    /// Where the commit `id` is, if the scan parsed it and it was not
    /// taken yet.
    fn place(&self, id: &ObjectId) -> Option<usize> {
        let at = *self.slots.get(id)? as usize;
        self.commits.get(at)?.as_ref().map(|_| at)
    }

    /// The commit at `at`, parsed by the scan.
    fn get(&self, at: usize) -> Option<&CommitObject> {
        self.commits.get(at)?.as_ref()
    }

    /// Take the commit at `at` out.
    fn take(&mut self, at: usize) -> Option<CommitObject> {
        let commit = self.commits.get_mut(at)?.take()?;
        self.left -= 1;
        Some(commit)
    }

    /// How many are left.
    fn len(&self) -> usize {
        self.left
    }
}

/// The depth-first post-order of [`list_new`], by graph positions: each
/// commit's id and its parents' ids.
fn graph_order(
    graph: &Graph,
    head: ObjectId,
    known: &HashMap<ObjectId, u32>,
) -> Option<Vec<(ObjectId, Vec<ObjectId>)>> {
    let mut order = Vec::new();
    let mut seen: HashSet<u32> = HashSet::new();
    let mut stack = vec![(graph.find(&head)?, false)];
    while let Some((at, expanded)) = stack.pop() {
        let id = graph.id(at)?;
        let parents = graph.parents(at)?;
        if expanded {
            let ids = parents
                .iter()
                .map(|p| graph.id(*p))
                .collect::<Option<_>>()?;
            order.push((id, ids));
            continue;
        }
        if known.contains_key(&id) || !seen.insert(at) {
            continue;
        }
        stack.push((at, true));
        for parent in parents.iter().rev() {
            if !known.contains_key(&graph.id(*parent)?) && !seen.contains(parent) {
                stack.push((*parent, false));
            }
        }
    }
    Some(order)
}

/// Read and parse commits on every thread, in the order given.
fn read_commits(
    packs: &Packs,
    git_dir: &std::path::Path,
    ids: &[ObjectId],
) -> Result<Vec<CommitObject>, ReadError> {
    let threads = rayon::current_num_threads().max(1);
    let run = ids.len().div_ceil(threads).max(256);
    let parts: Vec<Vec<CommitObject>> = ids
        .par_chunks(run)
        .map(|ids| {
            let mut store = Store::new(packs, git_dir, 1 << 20);
            ids.iter()
                .map(|id| parse_commit(id, &store.read_kind(id, Kind::Commit)?))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()?;
    Ok(parts.into_iter().flatten().collect())
}

/// Append one commit's changes to the walk.
fn record(walk: &mut Walk, at: u32, changes: Changes) {
    for (path, file, renamed_from) in changes {
        walk.changes.entry(path).or_default().push(Change {
            commit: at,
            blob: file.map(|f| f.id),
            mode: file.map_or(0, |f| f.mode),
            renamed_from,
        });
    }
}

/// The old paths of renames among the changes `which` selects that the
/// walk does not record yet.
fn untracked_sources(
    walk: &Walk,
    scope: &Scope,
    which: impl Fn(&Change) -> bool,
) -> BTreeSet<String> {
    walk.changes
        .values()
        .flatten()
        .filter(|c| which(c))
        .flat_map(|c| c.renamed_from.iter().map(|(_, old)| old))
        .filter(|old| !(scope.is_document)(old) && !walk.followed.contains(*old))
        .cloned()
        .collect()
}

/// Record the changes of `sources` in every commit of the walk, then of
/// the paths they were renamed from in turn, until no rename leads
/// further.
fn follow(
    packs: &Packs,
    git_dir: &std::path::Path,
    graph: Option<&Graph>,
    walk: &mut Walk,
    scope: &Scope,
    mut sources: BTreeSet<String>,
) -> Result<(), ReadError> {
    if sources.is_empty() {
        return Ok(());
    }
    let commits = {
        let ids = walk
            .commits
            .iter()
            .map(|c| {
                parse_hex(c.info.id.as_bytes())
                    .ok_or_else(|| ReadError::Corrupt(format!("bad commit id {}", c.info.id)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let commits = read_commits(packs, git_dir, &ids)?;
        ids.into_iter().zip(commits).collect::<Vec<_>>()
    };
    let tree_of: HashMap<ObjectId, ObjectId> =
        commits.iter().map(|(id, c)| (*id, c.tree)).collect();
    while !sources.is_empty() {
        walk.followed.extend(sources.iter().cloned());
        let prefixes = covering(sources.iter().map(|p| folder(p)));
        let toward = on_the_way(sources.iter().map(|p| folder(p)));
        let only = |path: &str| sources.contains(path);
        let descend = |dir: &str| toward.contains(dir);
        let only_scope = Scope {
            prefixes: &prefixes,
            is_document: &only,
            descend: Some(&descend),
        };
        let unchanged = unchanged_by_graph(graph, &prefixes);
        let reading = Reading {
            packs,
            git_dir,
            unchanged: unchanged.as_ref().map(|f| f as _),
            spared: Default::default(),
        };
        let changes = diff_commits(&reading, &commits, &tree_of, &only_scope, None)?;
        for (at, changes) in changes.into_iter().enumerate() {
            let at = u32::try_from(at)
                .map_err(|_| ReadError::Corrupt("more than 4 billion commits".into()))?;
            record(walk, at, changes);
        }
        sources = untracked_sources(walk, scope, |_| true);
    }
    Ok(())
}

/// Compare each commit with its parents within `scope`, in parallel (see
/// the module doc); the results in the commits' order.
fn diff_commits(
    reading: &Reading,
    commits: &[(ObjectId, CommitObject)],
    tree_of: &HashMap<ObjectId, ObjectId>,
    scope: &Scope,
    progress: Option<&pilotbook_core::progress::Progress>,
) -> Result<Vec<Changes>, ReadError> {
    let threads = rayon::current_num_threads().max(1);
    let total = commits.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    // Several runs per thread, taken as threads come free: with one run
    // each, the monorepo's two halves took 176 and 205 ms.
    let run = commits.len().div_ceil(threads * 8).max(256);
    let changes: Vec<Vec<Changes>> = commits
        .par_chunks(run)
        .map(|commits| {
            let mut store = Store::new(reading.packs, reading.git_dir, CACHE_BYTES);
            let mut trees = TreeCache::default();
            commits
                .iter()
                .map(|(id, commit)| {
                    if let Some(p) = progress {
                        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        p.report(n + 1, total);
                    }
                    // A filter speaks of the diff against the first parent:
                    // only a commit with one parent has no other.
                    if commit.parents.len() == 1 && reading.unchanged.is_some_and(|u| u(id)) {
                        reading
                            .spared
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        return Ok(Vec::new());
                    }
                    analyse(&mut store, &mut trees, tree_of, commit, scope)
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()?;
    Ok(changes.into_iter().flatten().collect())
}

/// The folder a path is in ("" at the top).
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `dirs` and every folder above them.
fn on_the_way<'a>(dirs: impl Iterator<Item = &'a str>) -> HashSet<&'a str> {
    let mut out = HashSet::new();
    for dir in dirs {
        out.insert(dir);
        out.extend(dir.match_indices('/').map(|(at, _)| &dir[..at]));
    }
    out
}

/// Whether `dir` is one of `folders` or inside one.
fn inside(folders: &HashSet<&str>, dir: &str) -> bool {
    folders.contains("")
        || folders.contains(dir)
        || dir
            .match_indices('/')
            .any(|(at, _)| folders.contains(&dir[..at]))
}

/// The folders among `dirs` that no other one contains.
fn covering<'a>(dirs: impl Iterator<Item = &'a str>) -> Vec<String> {
    let dirs: BTreeSet<&str> = dirs.collect();
    if dirs.contains("") {
        return vec![String::new()];
    }
    let covered = |d: &str| d.match_indices('/').any(|(at, _)| dirs.contains(&d[..at]));
    dirs.iter()
        .filter(|d| !covered(d))
        .map(|d| d.to_string())
        .collect()
}

/// The commits reachable from `head` that are not `known`, parents before
/// children (a depth-first post-order, first parents first, so runs of the
/// list follow lines of history).
fn list_new(
    store: &mut Store,
    head: ObjectId,
    known: &HashMap<ObjectId, u32>,
    early: &mut Scanned,
) -> Result<Vec<(ObjectId, CommitObject)>, ReadError> {
    /// Where a commit waiting for its parents is kept: the scan's commits
    /// stay where it parsed them, others where they were read.
    enum Waiting {
        Scanned(usize),
        Read(usize),
    }
    let mut order = Vec::with_capacity(early.len());
    let mut read: Vec<Option<CommitObject>> = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::with_capacity(early.len());
    let mut stack: Vec<(ObjectId, Option<Waiting>)> = vec![(head, None)];
    while let Some((id, waiting)) = stack.pop() {
        if let Some(waiting) = waiting {
            let commit = match waiting {
                Waiting::Scanned(at) => early.take(at),
                Waiting::Read(at) => read.get_mut(at).and_then(Option::take),
            };
            order.extend(commit.map(|c| (id, c)));
            continue;
        }
        if known.contains_key(&id) || !seen.insert(id) {
            continue;
        }
        let (waiting, commit) = match early.place(&id) {
            Some(at) => (Waiting::Scanned(at), early.get(at)),
            None => {
                let commit = parse_commit(&id, &store.read_kind(&id, Kind::Commit)?)?;
                read.push(Some(commit));
                (
                    Waiting::Read(read.len() - 1),
                    read.last().and_then(Option::as_ref),
                )
            }
        };
        stack.push((id, Some(waiting)));
        for parent in commit.iter().flat_map(|c| c.parents.iter().rev()) {
            if !known.contains_key(parent) && !seen.contains(parent) {
                stack.push((*parent, None));
            }
        }
    }
    Ok(order)
}

/// The fields of a commit object the walk needs.
struct CommitObject {
    tree: ObjectId,
    parents: Vec<ObjectId>,
    info: CommitInfo,
    time: i64,
}

/// A 40-digit hex id as bytes.
pub fn parse_hex(hex: &[u8]) -> Option<ObjectId> {
    let mut id = [0u8; 20];
    if hex.len() != 40 {
        return None;
    }
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        let digit = |c: u8| (c as char).to_digit(16);
        id[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(id)
}

/// `Name <email> 1700000000 +0100` → name, email, seconds, offset minutes
/// (the texts as written: the committer's are never kept).
fn parse_signature(line: &[u8]) -> Option<(&[u8], &[u8], i64, i32)> {
    let open = memchr::memchr(b'<', line)?;
    let close = open + memchr::memchr(b'>', &line[open..])?;
    let name = line[..open].trim_ascii_end();
    let email = &line[open + 1..close];
    let mut rest = std::str::from_utf8(&line[close + 1..])
        .ok()?
        .split_ascii_whitespace();
    let seconds: i64 = rest.next()?.parse().ok()?;
    let tz = rest.next().unwrap_or("+0000");
    let (sign, digits) = match tz.as_bytes().first() {
        Some(b'-') => (-1, &tz[1..]),
        Some(b'+') => (1, &tz[1..]),
        _ => (1, tz),
    };
    let hhmm: i32 = digits.parse().unwrap_or(0);
    Some((name, email, seconds, sign * (hhmm / 100 * 60 + hhmm % 100)))
}

/// Text as it is shared: valid UTF-8 copied once, anything else lossily.
fn shared_text(bytes: &[u8]) -> std::sync::Arc<str> {
    std::sync::Arc::from(String::from_utf8_lossy(bytes).as_ref())
}

/// The first paragraph of a message on one line, as `git log --format=%s`
/// and libgit2's summary show it.
fn summary(message: &[u8]) -> String {
    let mut lines = message
        .split(|b| *b == b'\n')
        .skip_while(|l| l.trim_ascii().is_empty())
        .take_while(|l| !l.trim_ascii().is_empty())
        .map(|l| l.trim_ascii());
    let Some(first) = lines.next() else {
        return String::new();
    };
    // Most summaries are one line: no joining.
    let mut joined = first.to_vec();
    for line in lines {
        joined.push(b' ');
        joined.extend_from_slice(line);
    }
    String::from_utf8(joined).unwrap_or_else(|e| text(e.as_bytes()))
}

fn parse_commit(id: &ObjectId, data: &[u8]) -> Result<CommitObject, ReadError> {
    let bad = || ReadError::Corrupt(format!("commit {} is malformed", odb::hex(id)));
    let end = memchr::memmem::find(data, b"\n\n").unwrap_or(data.len());
    let (headers, message) = (&data[..end], data.get(end + 2..).unwrap_or_default());
    let (mut tree, mut parents, mut author, mut time) = (None, Vec::new(), None, None);
    for line in headers.split(|b| *b == b'\n') {
        if let Some(hex) = line.strip_prefix(b"tree ") {
            tree = parse_hex(hex);
        } else if let Some(hex) = line.strip_prefix(b"parent ") {
            parents.push(parse_hex(hex).ok_or_else(bad)?);
        } else if let Some(sig) = line.strip_prefix(b"author ") {
            author = parse_signature(sig);
        } else if let Some(sig) = line.strip_prefix(b"committer ") {
            time = parse_signature(sig).map(|s| s.2);
        }
    }
    let (name, email, seconds, offset_minutes) = author.ok_or_else(bad)?;
    Ok(CommitObject {
        tree: tree.ok_or_else(bad)?,
        parents,
        info: CommitInfo {
            id: odb::hex(id),
            date: Timestamp {
                seconds,
                offset_minutes,
            },
            author: shared_text(name),
            email: shared_text(email),
            summary: summary(message),
        },
        time: time.unwrap_or(seconds),
    })
}

/// What changed between two trees below the prefixes.
fn diff_trees(
    store: &mut Store,
    trees: &mut TreeCache,
    old: Option<ObjectId>,
    new: ObjectId,
    scope: &Scope,
) -> Result<Vec<PathChange>, ReadError> {
    let mut changed = Vec::new();
    for prefix in scope.prefixes {
        let new_dir = trees.subtree(store, new, prefix)?;
        let old_dir = match old {
            Some(t) => trees.subtree(store, t, prefix)?,
            None => None,
        };
        if new_dir != old_dir {
            diff_dirs(store, trees, old_dir, new_dir, prefix, scope, &mut changed)?;
        }
    }
    Ok(changed)
}

/// Find what a commit changed below the prefixes against its first
/// parent, with the rename sources its versions need (see the module doc).
fn analyse(
    store: &mut Store,
    trees: &mut TreeCache,
    tree_of: &HashMap<ObjectId, ObjectId>,
    commit: &CommitObject,
    scope: &Scope,
) -> Result<Changes, ReadError> {
    let mut parent_trees = Vec::with_capacity(commit.parents.len());
    for parent in &commit.parents {
        parent_trees.push(match tree_of.get(parent) {
            Some(tree) => *tree,
            None => parse_commit(parent, &store.read_kind(parent, Kind::Commit)?)?.tree,
        });
    }
    let changed = diff_trees(
        store,
        trees,
        parent_trees.first().copied(),
        commit.tree,
        scope,
    )?;
    // Which parents each added or changed path needs a rename source in.
    let mut wanted: Vec<(usize, u32)> = Vec::new();
    for (k, c) in changed.iter().enumerate() {
        let Some(new) = c.new else { continue };
        let mut absent = Vec::new();
        if c.old.is_none() && !parent_trees.is_empty() {
            absent.push(0);
        }
        let mut same_as_a_parent = false;
        for (i, t) in parent_trees.iter().enumerate().skip(1) {
            match trees.file_at(store, *t, &c.path)? {
                Some(file) if file == new => {
                    same_as_a_parent = true;
                    break;
                }
                Some(_) => {}
                None => absent.push(i as u32),
            }
        }
        // A version some parent already had came from that parent; the
        // first parent's version is still wanted: the main line goes on there.
        wanted.extend(
            absent
                .into_iter()
                .filter(|i| *i == 0 || !same_as_a_parent)
                .map(|i| (k, i)),
        );
    }
    let mut sources: Vec<Vec<(u32, String)>> = vec![Vec::new(); changed.len()];
    let mut parents_wanted: Vec<u32> = wanted.iter().map(|(_, i)| *i).collect();
    parents_wanted.sort_unstable();
    parents_wanted.dedup();
    for i in parents_wanted {
        let paths: Vec<&str> = wanted
            .iter()
            .filter(|(_, p)| *p == i)
            .map(|(k, _)| changed[*k].path.as_str())
            .collect();
        let parent = parent_trees[i as usize];
        let renames = find_renames(
            store,
            trees,
            parent,
            commit.tree,
            scope,
            &changed,
            i,
            &paths,
        )?;
        for (k, _) in wanted.iter().filter(|(_, p)| *p == i) {
            if let Some(old) = renames.get(changed[*k].path.as_str()) {
                sources[*k].push((i, old.clone()));
            }
        }
    }
    Ok(changed
        .into_iter()
        .zip(sources)
        .map(|(c, renamed_from)| (c.path, c.new, renamed_from))
        .collect())
}

/// The old path of each of `paths` (added against parent number
/// `which`, whose tree is `parent`) that the commit renamed. A path with
/// an identical file deleted within the scope is settled there; for any
/// other, the whole trees are compared and paired as git pairs them (see
/// [`super::renames`]): the old path may be anywhere.
#[allow(clippy::too_many_arguments)]
fn find_renames(
    store: &mut Store,
    trees: &mut TreeCache,
    parent: ObjectId,
    tree: ObjectId,
    scope: &Scope,
    first_parent_diff: &[PathChange],
    which: u32,
    paths: &[&str],
) -> Result<HashMap<String, String>, ReadError> {
    let scoped;
    let diff = if which == 0 {
        first_parent_diff
    } else {
        scoped = diff_trees(store, trees, Some(parent), tree, scope)?;
        &scoped
    };
    let exact = detect_renames(store, diff, paths, true)?;
    if paths.iter().all(|p| exact.contains_key(*p)) {
        return Ok(exact);
    }
    let whole = [String::new()];
    let everything = |_: &str| true;
    let all = Scope {
        prefixes: &whole,
        is_document: &everything,
        descend: None,
    };
    let diff = diff_trees(store, trees, Some(parent), tree, &all)?;
    detect_renames(store, &diff, paths, false)
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// A tree object's raw bytes and where each entry ends. Entries are
/// `<mode> <name>\0<20-byte id>`, sorted the way git sorts them.
struct RawTree {
    data: odb::Bytes,
    ends: Vec<usize>,
}

/// One entry of a raw tree.
struct RawEntry<'a> {
    raw: &'a [u8],
    name: &'a [u8],
    is_tree: bool,
    is_blob: bool,
    mode: u32,
    id: &'a [u8],
}

/// Where the entry starting at `pos` ends: after its name's NUL and its
/// 20-byte id; `None` at the end or on a truncated entry.
fn entry_end(data: &[u8], pos: usize) -> Option<usize> {
    let nul = memchr::memchr(0, data.get(pos..)?)?;
    let end = pos + nul + 1 + 20;
    (end <= data.len()).then_some(end)
}

impl RawTree {
    /// The bytes it holds, for the cache's budget.
    fn size(&self) -> usize {
        self.data.len() + self.ends.len() * std::mem::size_of::<usize>()
    }

    fn parse(data: odb::Bytes) -> RawTree {
        let mut ends = Vec::new();
        let mut pos = 0;
        while let Some(end) = entry_end(&data, pos) {
            ends.push(end);
            pos = end;
        }
        RawTree { data, ends }
    }

    /// Parse `data`, a version of `base` whose first `same` and last
    /// `tail` bytes are `base`'s: the entries inside those stretches are
    /// `base`'s, so only the entries in between are scanned. A 10,000-entry
    /// folder changed in one entry costs a few entries, not 10,000.
    fn derive(data: odb::Bytes, base: &RawTree, same: usize, tail: usize) -> RawTree {
        let kept = base.ends.partition_point(|&e| e <= same);
        let mut ends = Vec::with_capacity(base.ends.len() + 4);
        ends.extend_from_slice(&base.ends[..kept]);
        let shift = data.len() as isize - base.data.len() as isize;
        let mut pos = base.start(kept);
        while pos < data.len() {
            // Where `data` from `pos` on is `base` from an entry boundary on,
            // the rest of the entries are `base`'s, shifted.
            if data.len() - pos <= tail {
                let at = pos as isize - shift;
                let boundary = if at == 0 {
                    Some(0)
                } else {
                    usize::try_from(at)
                        .ok()
                        .and_then(|at| base.ends.binary_search(&at).ok().map(|k| k + 1))
                };
                if let Some(k) = boundary {
                    ends.extend(
                        base.ends[k..]
                            .iter()
                            .map(|&e| (e as isize + shift) as usize),
                    );
                    return RawTree { data, ends };
                }
            }
            let Some(end) = entry_end(&data, pos) else {
                break;
            };
            ends.push(end);
            pos = end;
        }
        RawTree { data, ends }
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 { 0 } else { self.ends[i - 1] }
    }

    fn entry(&self, i: usize) -> RawEntry<'_> {
        let raw = &self.data[self.start(i)..self.ends[i]];
        let space = memchr::memchr(b' ', raw).unwrap_or(0);
        let mode = &raw[..space];
        let name = &raw[(space + 1).min(raw.len() - 21)..raw.len() - 21];
        RawEntry {
            raw,
            name,
            is_tree: mode == b"40000",
            is_blob: mode.starts_with(b"100") || mode == b"120000",
            mode: mode
                .iter()
                .fold(0, |m, d| (m << 3) | u32::from(d.wrapping_sub(b'0') & 7)),
            id: &raw[raw.len() - 20..],
        }
    }
}

/// git's order of tree entries: by name, a tree's name read as if it ended in `/`.
fn entry_order(a: &RawEntry, b: &RawEntry) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    match a.name[..n].cmp(&b.name[..n]) {
        std::cmp::Ordering::Equal => {
            let next = |e: &RawEntry| e.name.get(n).copied().or(e.is_tree.then_some(b'/'));
            next(a).cmp(&next(b))
        }
        other => other,
    }
}

/// Parsed trees by id, the few most recent kept: walking oldest first, a
/// commit's tree is the next commit's parent tree, so each is parsed once.
#[derive(Default)]
struct TreeCache {
    trees: HashMap<ObjectId, Rc<RawTree>>,
    order: std::collections::VecDeque<ObjectId>,
    bytes: usize,
    /// The budget, grown with the largest tree held (see [`TREES_BYTES`]).
    budget: usize,
}

impl TreeCache {
    fn get(&mut self, store: &mut Store, id: ObjectId) -> Result<Rc<RawTree>, ReadError> {
        if let Some(t) = self.trees.get(&id) {
            return Ok(t.clone());
        }
        let tree = Rc::new(RawTree::parse(store.read_kind(&id, Kind::Tree)?));
        self.insert(id, tree.clone());
        Ok(tree)
    }

    /// A tree and how many of its first and last bytes are `base`'s; a
    /// tree not parsed yet is derived from `base` (see [`RawTree::derive`]).
    fn get_against(
        &mut self,
        store: &mut Store,
        id: ObjectId,
        base: &RawTree,
    ) -> Result<(Rc<RawTree>, usize, usize), ReadError> {
        let (tree, data) = match self.trees.get(&id) {
            Some(t) => (Some(t.clone()), t.data.clone()),
            None => (None, store.read_kind(&id, Kind::Tree)?),
        };
        let same = common_prefix(&base.data, &data);
        let tail = common_prefix_rev(&base.data, &data);
        if let Some(tree) = tree {
            return Ok((tree, same, tail));
        }
        let tree = Rc::new(if base.ends.is_empty() {
            RawTree::parse(data)
        } else {
            RawTree::derive(data, base, same, tail)
        });
        self.insert(id, tree.clone());
        Ok((tree, same, tail))
    }

    fn insert(&mut self, id: ObjectId, tree: Rc<RawTree>) {
        let floor = self.budget.max(TREES_FLOOR);
        self.budget = odb::grown_budget(floor, tree.size(), TREES_SCALE, TREES_BYTES);
        self.bytes += tree.size();
        self.order.push_back(id);
        self.trees.insert(id, tree);
        while self.order.len() > TREES_MAX
            || (self.order.len() > TREES_MIN && self.bytes > self.budget)
        {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(old) = self.trees.remove(&old) {
                self.bytes -= old.size();
            }
        }
    }

    /// The entry at a `/`-separated path below `tree`.
    fn lookup(
        &mut self,
        store: &mut Store,
        tree: ObjectId,
        path: &str,
    ) -> Result<Option<(ObjectId, bool, u32)>, ReadError> {
        let mut at = (tree, true, 0o40000);
        for name in path.split('/').filter(|n| !n.is_empty()) {
            if !at.1 {
                return Ok(None);
            }
            let raw = self.get(store, at.0)?;
            let found = (0..raw.ends.len())
                .map(|i| raw.entry(i))
                .find(|e| e.name == name.as_bytes())
                .and_then(|e| Some((e.id.try_into().ok()?, e.is_tree, e.is_blob, e.mode)));
            match found {
                Some((id, is_tree, is_blob, mode)) if is_tree || is_blob => {
                    at = (id, is_tree, mode);
                }
                _ => return Ok(None),
            }
        }
        Ok(Some(at))
    }

    /// The folder at `prefix` below `tree` ("" is the tree itself).
    fn subtree(
        &mut self,
        store: &mut Store,
        tree: ObjectId,
        prefix: &str,
    ) -> Result<Option<ObjectId>, ReadError> {
        Ok(self
            .lookup(store, tree, prefix)?
            .and_then(|(id, is_tree, _)| is_tree.then_some(id)))
    }

    /// The file at `path` below `tree`.
    fn file_at(
        &mut self,
        store: &mut Store,
        tree: ObjectId,
        path: &str,
    ) -> Result<Option<Entry>, ReadError> {
        Ok(self
            .lookup(store, tree, path)?
            .and_then(|(id, is_tree, mode)| (!is_tree).then_some(Entry { id, mode })))
    }
}

fn oid(bytes: &[u8]) -> Option<ObjectId> {
    bytes.try_into().ok()
}

/// Compare two versions of a folder, recursing only into subtrees that
/// differ. The common prefix and suffix of the two raw trees are skipped
/// without looking at their entries.
fn diff_dirs(
    store: &mut Store,
    trees: &mut TreeCache,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &str,
    scope: &Scope,
    out: &mut Vec<PathChange>,
) -> Result<(), ReadError> {
    let empty = || {
        Rc::new(RawTree {
            data: Rc::new(Vec::new()),
            ends: Vec::new(),
        })
    };
    let a = match old {
        Some(id) => trees.get(store, id)?,
        None => empty(),
    };
    let (b, same, tail) = match new {
        Some(id) => trees.get_against(store, id, &a)?,
        None => (empty(), 0, 0),
    };
    // Skip the identical prefix: entries that end inside it are the same in both.
    let mut i = a.ends.partition_point(|&e| e <= same);
    let mut j = i.min(b.ends.len());
    // Skip the identical suffix, where the entry boundaries agree.
    let (mut n, mut m) = (a.ends.len(), b.ends.len());
    while n > i && m > j {
        let (sa, sb) = (a.start(n - 1), b.start(m - 1));
        if a.data.len() - sa > tail || a.data.len() - sa != b.data.len() - sb {
            break;
        }
        n -= 1;
        m -= 1;
    }

    while i < n || j < m {
        let ea = (i < n).then(|| a.entry(i));
        let eb = (j < m).then(|| b.entry(j));
        let order = match (&ea, &eb) {
            (Some(x), Some(y)) if x.raw == y.raw => {
                i += 1;
                j += 1;
                continue;
            }
            (Some(x), Some(y)) => entry_order(x, y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, _) => std::cmp::Ordering::Greater,
        };
        let (x, y) = match order {
            std::cmp::Ordering::Less => {
                i += 1;
                (ea, None)
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                (None, eb)
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                (ea, eb)
            }
        };
        let name = x
            .as_ref()
            .or(y.as_ref())
            .map(|e| text(e.name))
            .unwrap_or_default();
        let path = join(prefix, &name);
        let tree_id =
            |e: &Option<RawEntry>| e.as_ref().filter(|e| e.is_tree).and_then(|e| oid(e.id));
        let file = |e: &Option<RawEntry>| {
            let e = e.as_ref().filter(|e| e.is_blob)?;
            Some(Entry {
                id: oid(e.id)?,
                mode: e.mode,
            })
        };
        let (old_tree, new_tree) = (tree_id(&x), tree_id(&y));
        let (old, new) = (file(&x), file(&y));
        let wanted = || scope.descend.is_none_or(|descend| descend(&path));
        if (old_tree.is_some() || new_tree.is_some()) && old_tree != new_tree && wanted() {
            diff_dirs(store, trees, old_tree, new_tree, &path, scope, out)?;
        }
        if old != new && (scope.is_document)(&path) {
            out.push(PathChange { path, old, new });
        }
    }
    Ok(())
}

/// Length of the common prefix of two byte strings.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut at = 0;
    // Big steps compare as memcmp; smaller ones narrow down the difference.
    for step in [4096, 256, 16] {
        while at + step <= n && a[at..at + step] == b[at..at + step] {
            at += step;
        }
    }
    at + a[at..n]
        .iter()
        .zip(&b[at..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Length of the common suffix of two byte strings.
fn common_prefix_rev(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (la, lb) = (a.len(), b.len());
    let mut at = 0;
    for step in [4096, 256, 16] {
        while at + step <= n && a[la - at - step..la - at] == b[lb - at - step..lb - at] {
            at += step;
        }
    }
    at + a[..la - at]
        .iter()
        .rev()
        .zip(b[..lb - at].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Pair added with deleted paths of one diff (in git's path order) as
/// git does ([`super::renames`]); with `exact_only`, only identical files.
/// Returns each renamed path's old path, by its new path: right for
/// `paths`, perhaps not for others.
fn detect_renames(
    store: &mut Store,
    changed: &[PathChange],
    paths: &[&str],
    exact_only: bool,
) -> Result<HashMap<String, String>, ReadError> {
    let added: Vec<renames::File> = changed
        .iter()
        .filter(|c| c.old.is_none())
        .filter_map(|c| file(c, c.new))
        .collect();
    let deleted: Vec<renames::File> = changed
        .iter()
        .filter(|c| c.new.is_none())
        .filter_map(|c| file(c, c.old))
        .collect();
    let wanted: Vec<usize> = (0..added.len())
        .filter(|k| paths.contains(&added[*k].path))
        .collect();
    let pairs = renames::pair(store, &added, &deleted, &wanted, exact_only)?;
    Ok(added
        .iter()
        .zip(pairs)
        .filter_map(|(a, d)| Some((a.path.to_string(), deleted[d?].path.to_string())))
        .collect())
}

/// One side of a changed path, for [`renames::pair`].
fn file(c: &PathChange, e: Option<Entry>) -> Option<renames::File<'_>> {
    e.map(|e| renames::File {
        path: c.path.as_str(),
        id: e.id,
        mode: e.mode,
    })
}

/// Every blob below the prefixes in `head`'s tree, by repository path.
pub fn blobs_at(
    repo: &Repository,
    head: Oid,
    prefixes: &[String],
    packs: &Packs,
) -> Result<HashMap<String, Oid>, ReadError> {
    let git_dir = repo.path().to_path_buf();
    let mut store = Store::new(packs, &git_dir, 8 << 20);
    let mut trees = TreeCache::default();
    let head: ObjectId = head
        .as_bytes()
        .try_into()
        .map_err(|_| ReadError::Corrupt("not a SHA-1 repository".into()))?;
    let root = parse_commit(&head, &store.read_kind(&head, Kind::Commit)?)?.tree;
    let mut out = HashMap::new();
    let mut stack: Vec<(ObjectId, String)> = Vec::new();
    for prefix in prefixes {
        if let Some(dir) = trees.subtree(&mut store, root, prefix)? {
            stack.push((dir, prefix.clone()));
        }
    }
    let mut done = std::collections::HashSet::new();
    while let Some((dir, path)) = stack.pop() {
        if !done.insert(path.clone()) {
            continue;
        }
        let raw = trees.get(&mut store, dir)?;
        for i in 0..raw.ends.len() {
            let e = raw.entry(i);
            let Some(id) = oid(e.id) else { continue };
            let full = join(&path, &text(e.name));
            if e.is_tree {
                stack.push((id, full));
            } else if e.is_blob {
                out.insert(full, Oid::from_bytes(&id)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authors_name_and_email_are_one_allocation_for_all_their_commits() {
        let commit = |author: &str, email: &str| CommitInfo {
            id: "0".repeat(40),
            date: Timestamp {
                seconds: 0,
                offset_minutes: 0,
            },
            author: author.into(),
            email: email.into(),
            summary: String::new(),
        };
        let mut infos = [
            commit("Dana Kim", "dana@example.com"),
            commit("Lee", "lee@example.com"),
            commit("Dana Kim", "dana@example.com"),
        ];
        share_names(infos.iter_mut());
        assert!(std::sync::Arc::ptr_eq(&infos[0].author, &infos[2].author));
        assert!(std::sync::Arc::ptr_eq(&infos[0].email, &infos[2].email));
        assert!(!std::sync::Arc::ptr_eq(&infos[0].author, &infos[1].author));
        assert_eq!(&*infos[2].author, "Dana Kim");
        assert_eq!(&*infos[1].email, "lee@example.com");
    }

    fn tree(entries: &[(&str, bool, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, is_tree, id) in entries {
            out.extend_from_slice(if *is_tree { b"40000 " } else { b"100644 " });
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            // Ids full of NULs and spaces: boundaries must not be guessed from them.
            out.extend_from_slice(&[
                *id, 0, b' ', 0, *id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, *id,
            ]);
        }
        out
    }

    #[test]
    fn derived_entries_match_a_full_parse() {
        let names: Vec<String> = (0..40).map(|i| format!("doc-{i:02}.md")).collect();
        let base: Vec<(&str, bool, u8)> = names.iter().map(|n| (n.as_str(), false, 1)).collect();
        let parsed_base = RawTree::parse(Rc::new(tree(&base)));
        let mut cases: Vec<Vec<(&str, bool, u8)>> = Vec::new();
        for at in [0, 1, 17, 39] {
            let mut changed = base.clone();
            changed[at].2 = 2;
            cases.push(changed.clone());
            changed.remove(at);
            cases.push(changed.clone());
            changed.insert(at, ("doc-new-name-that-is-longer.md", true, 0));
            cases.push(changed);
        }
        cases.push(Vec::new());
        cases.push(base.clone());
        for case in cases {
            let data = Rc::new(tree(&case));
            let same = common_prefix(&parsed_base.data, &data);
            let tail = common_prefix_rev(&parsed_base.data, &data);
            let derived = RawTree::derive(data.clone(), &parsed_base, same, tail);
            assert_eq!(derived.ends, RawTree::parse(data).ends, "{case:?}");
        }
    }

    #[test]
    fn common_prefix_and_suffix_at_every_length() {
        let a: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 15, 16, 255, 256, 4095, 4096, 4097, 9_999] {
            let mut b = a.clone();
            b[at] ^= 0xff;
            assert_eq!(common_prefix(&a, &b), at);
            assert_eq!(common_prefix_rev(&a, &b), a.len() - at - 1);
        }
        assert_eq!(common_prefix(&a, &a[..100]), 100);
        assert_eq!(common_prefix_rev(&a, &a[100..]), a.len() - 100);
    }
}
