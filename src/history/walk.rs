//! The single pass over commits: which document paths each commit changed.
//!
//! Commits are visited once, newest first in topological order. A commit's
//! tree is compared with its first parent's only below the walk's prefixes
//! (the folders the kinds' globs can match), and a subtree whose id did not
//! change is skipped without being read. A merge keeps a path only where it
//! differs from every parent, as `git log` shows merges. Within a non-merge
//! commit, an added path whose content is the same as, or at least half the
//! lines of, a deleted one is recorded as a rename, as `--follow` sees it.

use super::{CommitInfo, Timestamp};
use git2::{ObjectType, Oid, Repository, Sort, Tree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A commit the walk visited.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WalkedCommit {
    /// Author, date, message.
    pub info: CommitInfo,
    /// Committer time, for ordering.
    pub time: i64,
    /// 1 + the largest generation of its parents; breaks ties in time.
    pub generation: u32,
}

/// One commit's change to one path.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    /// Index into [`Walk::commits`].
    pub commit: u32,
    /// The blob after the change (hex); `None` when the path was deleted.
    pub blob: Option<String>,
    /// The path this one was renamed from in this commit.
    pub renamed_from: Option<String>,
}

/// The result of walking history: commits oldest first, and for each
/// repository path its changes in the same order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Walk {
    /// Visited commits; an index into this list is stable as the walk grows.
    pub commits: Vec<WalkedCommit>,
    /// Changes by repository path, oldest first.
    pub changes: BTreeMap<String, Vec<Change>>,
    /// The newest commit walked (hex).
    pub head: Option<String>,
}

impl Walk {
    /// The order in which changes are listed: by time, then by generation,
    /// then by id, so that a walk extended from a cache lists exactly what a
    /// fresh walk lists.
    pub fn order_key(&self, commit: u32) -> (i64, u32, &str) {
        let c = &self.commits[commit as usize];
        (c.time, c.generation, c.info.id.as_str())
    }
}

/// A changed path below the prefixes: blob before and after.
struct PathChange {
    path: String,
    old: Option<Oid>,
    new: Option<Oid>,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Extend `walk` with the commits reachable from `head` that it does not
/// have yet (all of them for an empty walk).
pub fn extend(
    repo: &Repository,
    walk: &mut Walk,
    head: Oid,
    prefixes: &[String],
    is_document: &dyn Fn(&str) -> bool,
    progress: Option<&crate::progress::Progress>,
) -> Result<(), git2::Error> {
    let mut revwalk = repo.revwalk()?;
    revwalk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    revwalk.push(head)?;
    if let Some(old) = walk.head.as_deref().and_then(|h| Oid::from_str(h).ok()) {
        revwalk.hide(old)?;
    }
    let mut new: Vec<Oid> = revwalk.collect::<Result<_, _>>()?;
    // Oldest first, so parents are seen before their children.
    new.reverse();

    let mut generation: HashMap<Oid, u32> = walk
        .commits
        .iter()
        .filter_map(|c| Oid::from_str(&c.info.id).ok().map(|id| (id, c.generation)))
        .collect();

    let mut trees = TreeCache::new(repo)?;
    let total = new.len() as u64;
    for (done, oid) in new.into_iter().enumerate() {
        if let Some(p) = progress {
            p.report(done as u64, total);
        }
        let commit = repo.find_commit(oid)?;
        let author = commit.author();
        let when = author.when();
        let parents: Vec<Oid> = commit.parent_ids().collect();
        let depth = 1 + parents
            .iter()
            .filter_map(|p| generation.get(p))
            .max()
            .copied()
            .unwrap_or(0);
        generation.insert(oid, depth);
        let index = u32::try_from(walk.commits.len()).unwrap_or(u32::MAX);
        walk.commits.push(WalkedCommit {
            info: CommitInfo {
                id: oid.to_string(),
                date: Timestamp {
                    seconds: when.seconds(),
                    offset_minutes: when.offset_minutes(),
                },
                author: text(author.name_bytes()),
                email: text(author.email_bytes()),
                summary: commit.summary_bytes().map(text).unwrap_or_default(),
            },
            time: commit.time().seconds(),
            generation: depth,
        });

        let tree = commit.tree()?;
        let first_parent = match parents.first() {
            Some(p) => Some(repo.find_commit(*p)?.tree()?),
            None => None,
        };
        let mut changed = Vec::new();
        for prefix in prefixes {
            let new_dir = subtree_id(&tree, prefix);
            let old_dir = first_parent.as_ref().and_then(|t| subtree_id(t, prefix));
            if new_dir == old_dir {
                continue;
            }
            diff_dirs(
                &mut trees,
                old_dir,
                new_dir,
                prefix,
                is_document,
                &mut changed,
            )?;
        }
        if parents.len() > 1 {
            // A merge shows a path only where it differs from every parent.
            let others: Vec<Tree> = parents[1..]
                .iter()
                .map(|p| repo.find_commit(*p).and_then(|c| c.tree()))
                .collect::<Result<_, _>>()?;
            changed.retain(|c| others.iter().all(|t| blob_at(t, &c.path) != c.new));
        } else {
            detect_renames(repo, &changed, index, walk)?;
        }
        for c in changed {
            let entry = walk.changes.entry(c.path).or_default();
            // Renames were recorded by detect_renames; do not add them twice.
            if entry.last().is_some_and(|last| last.commit == index) {
                continue;
            }
            entry.push(Change {
                commit: index,
                blob: c.new.map(|b| b.to_string()),
                renamed_from: None,
            });
        }
    }
    walk.head = Some(head.to_string());
    Ok(())
}

fn subtree_id(tree: &Tree, prefix: &str) -> Option<Oid> {
    if prefix.is_empty() {
        return Some(tree.id());
    }
    let entry = tree.get_path(Path::new(prefix)).ok()?;
    (entry.kind() == Some(ObjectType::Tree)).then(|| entry.id())
}

fn blob_at(tree: &Tree, path: &str) -> Option<Oid> {
    let entry = tree.get_path(Path::new(path)).ok()?;
    (entry.kind() == Some(ObjectType::Blob)).then(|| entry.id())
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
    data: Vec<u8>,
    ends: Vec<usize>,
}

/// One entry of a raw tree.
struct RawEntry<'a> {
    raw: &'a [u8],
    name: &'a [u8],
    is_tree: bool,
    is_blob: bool,
    id: &'a [u8],
}

impl RawTree {
    fn parse(data: Vec<u8>) -> RawTree {
        let mut ends = Vec::new();
        let mut pos = 0;
        while pos < data.len() {
            let Some(nul) = memchr::memchr(0, &data[pos..]) else {
                break;
            };
            let end = pos + nul + 1 + 20;
            if end > data.len() {
                break;
            }
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

/// Raw trees by id, with the few most recent kept: walking newest first, a
/// commit's parent tree is the next commit's tree, so each is read once.
pub(super) struct TreeCache<'r> {
    odb: git2::Odb<'r>,
    trees: HashMap<Oid, std::rc::Rc<RawTree>>,
    order: std::collections::VecDeque<Oid>,
}

impl<'r> TreeCache<'r> {
    pub(super) fn new(repo: &'r Repository) -> Result<Self, git2::Error> {
        Ok(TreeCache {
            odb: repo.odb()?,
            trees: HashMap::new(),
            order: std::collections::VecDeque::new(),
        })
    }

    fn get(&mut self, id: Oid) -> Result<std::rc::Rc<RawTree>, git2::Error> {
        if let Some(t) = self.trees.get(&id) {
            return Ok(t.clone());
        }
        let tree = std::rc::Rc::new(RawTree::parse(self.odb.read(id)?.data().to_vec()));
        if self.order.len() >= 32
            && let Some(old) = self.order.pop_front()
        {
            self.trees.remove(&old);
        }
        self.order.push_back(id);
        self.trees.insert(id, tree.clone());
        Ok(tree)
    }
}

fn oid(bytes: &[u8]) -> Option<Oid> {
    Oid::from_bytes(bytes).ok()
}

/// Compare two versions of a folder, recursing only into subtrees that
/// differ. The common prefix and suffix of the two raw trees are skipped
/// without looking at their entries.
fn diff_dirs(
    trees: &mut TreeCache,
    old: Option<Oid>,
    new: Option<Oid>,
    prefix: &str,
    is_document: &dyn Fn(&str) -> bool,
    out: &mut Vec<PathChange>,
) -> Result<(), git2::Error> {
    let empty = std::rc::Rc::new(RawTree {
        data: Vec::new(),
        ends: Vec::new(),
    });
    let a = match old {
        Some(id) => trees.get(id)?,
        None => empty.clone(),
    };
    let b = match new {
        Some(id) => trees.get(id)?,
        None => empty,
    };

    // Skip the identical prefix: entries that end inside it are the same in both.
    let same = common_prefix(&a.data, &b.data);
    let mut i = a.ends.partition_point(|&e| e <= same);
    let mut j = i.min(b.ends.len());
    // Skip the identical suffix, where the entry boundaries agree.
    let tail = common_prefix_rev(&a.data, &b.data);
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
        let blob_id =
            |e: &Option<RawEntry>| e.as_ref().filter(|e| e.is_blob).and_then(|e| oid(e.id));
        let (old_tree, new_tree) = (tree_id(&x), tree_id(&y));
        let (old_blob, new_blob) = (blob_id(&x), blob_id(&y));
        if (old_tree.is_some() || new_tree.is_some()) && old_tree != new_tree {
            diff_dirs(trees, old_tree, new_tree, &path, is_document, out)?;
        }
        if old_blob != new_blob && is_document(&path) {
            out.push(PathChange {
                path,
                old: old_blob,
                new: new_blob,
            });
        }
    }
    Ok(())
}

/// Length of the common prefix of two byte strings.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut at = 0;
    // Whole chunks compare as memcmp; the last one byte by byte.
    while at + 256 <= n && a[at..at + 256] == b[at..at + 256] {
        at += 256;
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
    let mut at = 0;
    while at + 256 <= n
        && a[a.len() - at - 256..a.len() - at] == b[b.len() - at - 256..b.len() - at]
    {
        at += 256;
    }
    at + a[..a.len() - at]
        .iter()
        .rev()
        .zip(b[..b.len() - at].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Pair added with deleted paths of one commit: same content first, then
/// the most similar content of at least half the lines.
fn detect_renames(
    repo: &Repository,
    changed: &[PathChange],
    index: u32,
    walk: &mut Walk,
) -> Result<(), git2::Error> {
    let added: Vec<&PathChange> = changed.iter().filter(|c| c.old.is_none()).collect();
    let mut deleted: Vec<&PathChange> = changed.iter().filter(|c| c.new.is_none()).collect();
    if added.is_empty() || deleted.is_empty() {
        return Ok(());
    }
    let mut pairs: Vec<(&PathChange, &PathChange)> = Vec::new();
    let mut unmatched = Vec::new();
    for a in added {
        if let Some(i) = deleted.iter().position(|d| d.old == a.new) {
            pairs.push((a, deleted.remove(i)));
        } else {
            unmatched.push(a);
        }
    }
    // Content similarity is only worth it for a handful of candidates.
    if !unmatched.is_empty() && !deleted.is_empty() && unmatched.len() * deleted.len() <= 2_500 {
        let lines = |oid: Option<Oid>| -> Result<HashMap<Vec<u8>, usize>, git2::Error> {
            let mut counts = HashMap::new();
            if let Some(oid) = oid {
                for line in repo.find_blob(oid)?.content().split(|b| *b == b'\n') {
                    *counts.entry(line.to_vec()).or_insert(0) += 1;
                }
            }
            Ok(counts)
        };
        let old_lines: Vec<_> = deleted
            .iter()
            .map(|d| lines(d.old))
            .collect::<Result<_, _>>()?;
        let mut used = vec![false; deleted.len()];
        for a in unmatched {
            let new_lines = lines(a.new)?;
            let new_total: usize = new_lines.values().sum();
            let best = old_lines
                .iter()
                .enumerate()
                .map(|(i, old)| {
                    let common: usize = old
                        .iter()
                        .map(|(l, n)| (*n).min(new_lines.get(l).copied().unwrap_or(0)))
                        .sum();
                    let total = new_total.max(old.values().sum());
                    (i, common * 100 / total.max(1))
                })
                .filter(|(i, score)| *score >= 50 && !used[*i])
                .max_by_key(|(i, score)| (*score, std::cmp::Reverse(*i)));
            if let Some((i, _)) = best {
                used[i] = true;
                pairs.push((a, deleted[i]));
            }
        }
    }
    for (a, d) in pairs {
        walk.changes
            .entry(a.path.clone())
            .or_default()
            .push(Change {
                commit: index,
                blob: a.new.map(|b| b.to_string()),
                renamed_from: Some(d.path.clone()),
            });
    }
    Ok(())
}
