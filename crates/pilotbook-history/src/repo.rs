//! Finding the repository, resolving revisions, checking that its history
//! is complete, and turning the walk into each document's history.

use super::cache;
use super::facts::{self, Compact, Strings};
use super::kept::Kept;
use super::lineage;
use super::odb;
use super::walk::{self, Walk};
use super::{DocumentHistory, DocumentState, History, HistoryError, HistoryOptions, Unavailable};
use git2::{ErrorCode, ObjectType, Oid, Repository, RepositoryOpenFlags, Tree};
use pilotbook_core::config::Config;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Open the repository that contains `root`, honouring `GIT_DIR` and
/// `GIT_CEILING_DIRECTORIES` as git does (libgit2 reads them only when it
/// starts from the current folder, so they are passed on here).
/// Why the repository around a root could not be opened.
pub(super) enum Closed {
    /// No repository contains the root.
    Missing,
    /// git's ownership check (`safe.directory`) refuses the repository at
    /// this folder: it belongs to another user, as a checkout does in a CI
    /// container that runs under another uid.
    NotOwned(std::path::PathBuf),
}

impl Closed {
    /// The same refusal as a [`HistoryError`], for commands that were
    /// asked for revision `rev` by name.
    pub(super) fn error(self, root: &Path, rev: &str) -> HistoryError {
        match self {
            Closed::Missing => HistoryError::NoRepository {
                root: root.to_path_buf(),
                rev: rev.to_string(),
            },
            Closed::NotOwned(path) => HistoryError::NotOwned { path },
        }
    }

    /// The same refusal as the reason history is unavailable.
    fn unavailable(self) -> Unavailable {
        match self {
            Closed::Missing => Unavailable::NoRepository,
            Closed::NotOwned(path) => Unavailable::NotOwned {
                path: path.display().to_string(),
            },
        }
    }
}

/// Open the repository that contains `root`, honouring `GIT_DIR` and
/// `GIT_CEILING_DIRECTORIES` as git does.
pub(super) fn open(root: &Path) -> Result<Repository, Closed> {
    if let Some(dir) = std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) {
        return Repository::open(&dir).map_err(|e| closed(e, Path::new(&dir)));
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
    .map_err(|e| closed(e, &root))
}

/// Tell git's ownership refusal apart from "no repository here"; the
/// folder named is the nearest one above `root` that holds `.git`, which
/// is what `safe.directory` wants.
fn closed(e: git2::Error, root: &Path) -> Closed {
    if e.code() != git2::ErrorCode::Owner {
        return Closed::Missing;
    }
    let top = root
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(root);
    Closed::NotOwned(top.to_path_buf())
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
    Ok(pilotbook_core::discover::relative(Path::new(""), rel))
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
    pilotbook_core::discover::start_folders(config)
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
pub(super) fn refresh(
    history: &mut History,
    root: &Path,
    paths: &[String],
    unsaved: &super::Unsaved<'_>,
) -> bool {
    let Ok(repo) = open(root) else {
        return false;
    };
    let Ok(head) = repo.head().and_then(|h| h.peel_to_tree()) else {
        return false;
    };
    for path in paths {
        let abs = root.join(path);
        let text = unsaved(path);
        if text.is_none() && !abs.is_file() {
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
                let now = match &text {
                    Some(text) => Oid::hash_object(ObjectType::Blob, text.as_bytes()),
                    None => Oid::hash_file(ObjectType::Blob, &abs),
                };
                doc.state = match now {
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
        let repo = open(root).map_err(|c| c.error(root, rev))?;
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

    /// Whether the revision has a root-relative file or folder at `rel`.
    pub fn has(&self, rel: &str) -> bool {
        let full = join(&self.prefix, rel);
        if full.is_empty() {
            return true;
        }
        self.repo
            .find_tree(self.tree)
            .is_ok_and(|tree| tree.get_path(Path::new(&full)).is_ok())
    }

    /// The size in bytes of a root-relative file, if the revision has it,
    /// read from the object's header so that a huge blob is not loaded.
    pub fn size(&self, rel: &str) -> Option<u64> {
        let tree = self.repo.find_tree(self.tree).ok()?;
        let oid = blob_at(&tree, &join(&self.prefix, rel))?;
        let (size, _) = self.repo.odb().ok()?.read_header(oid).ok()?;
        u64::try_from(size).ok()
    }

    /// Every root-relative file path below the given root-relative folders
    /// that `wanted` accepts. A wanted file whose content is not in the
    /// repository (a partial or damaged clone) is an error: the revision's
    /// documents cannot all be read, and none may silently go missing.
    pub fn files_below(
        &self,
        dirs: &[String],
        wanted: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<String>, HistoryError> {
        let tree = self.repo.find_tree(self.tree)?;
        let odb = self.repo.odb()?;
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
                        Some(ObjectType::Blob) if wanted(&path) => {
                            if !odb.exists(e.id()) {
                                return Err(HistoryError::Git(format!(
                                    "the content of `{path}` at {} (object {}) is not in the repository, a partial or damaged clone; fetch every object (`git fetch --refetch --no-filter origin`) or clone without `--filter`",
                                    self.commit.to_string().get(..7).unwrap_or_default(),
                                    e.id().to_string().get(..7).unwrap_or_default()
                                )));
                            }
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
    let repo = open(root).map_err(|c| c.error(root, base))?;
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

/// Why the stored history is not the history git shows, if it is not:
/// a shallow clone, grafts or replace refs. (A partial clone is complete
/// until an object is found missing.)
fn incomplete(repo: &Repository) -> Option<Unavailable> {
    if repo.is_shallow() {
        return Some(Unavailable::Shallow);
    }
    let grafts = repo.commondir().join("info/grafts");
    if std::fs::metadata(&grafts).is_ok_and(|m| m.len() > 0) {
        return Some(Unavailable::Grafts);
    }
    let replacing = std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_none()
        && repo
            .config()
            .and_then(|c| c.get_bool("core.useReplaceRefs"))
            .unwrap_or(true);
    let replaced = replacing
        && repo
            .references_glob("refs/replace/*")
            .is_ok_and(|mut refs| refs.next().is_some());
    replaced.then_some(Unavailable::ReplaceRefs)
}

/// Whether objects may be missing by design: a partial clone's promisor
/// remote or packs.
fn is_partial_clone(repo: &Repository) -> bool {
    let configured = repo.config().is_ok_and(|config| {
        config.get_string("extensions.partialclone").is_ok()
            || config
                .entries(Some(r"remote\..*\.promisor"))
                .is_ok_and(|mut entries| {
                    let mut any = false;
                    while let Some(Ok(entry)) = entries.next() {
                        any |= entry.value().is_ok_and(|v| v.eq_ignore_ascii_case("true"));
                    }
                    any
                })
    });
    configured
        || std::fs::read_dir(repo.commondir().join("objects/pack"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "promisor"))
}

/// What an object that could not be read means for the history.
fn unreadable(repo: &Repository, e: odb::ReadError) -> Unavailable {
    match e {
        odb::ReadError::Missing(id) if is_partial_clone(repo) => Unavailable::PartialClone {
            object: odb::hex(&id),
        },
        odb::ReadError::Missing(id) => Unavailable::MissingObject {
            object: odb::hex(&id),
        },
        odb::ReadError::Corrupt(message) => Unavailable::Error(message),
    }
}

pub(super) fn read(
    root: &Path,
    config: &Config,
    paths: &[String],
    options: &HistoryOptions,
) -> Result<History, HistoryError> {
    let repo = match open(root) {
        Ok(repo) => repo,
        Err(closed) => return Ok(unavailable(closed.unavailable())),
    };
    // git itself does not re-hash every object it reads; libgit2 does by
    // default, which costs a sixth of the walk. Objects are only read here.
    git2::opts::strict_hash_verification(false);
    if let Some(why) = incomplete(&repo) {
        return Ok(unavailable(why));
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
    let reading = Reading {
        repo: &repo,
        root,
        config,
        options,
        head,
        prefix: &prefix,
    };
    Ok(reading
        .read(paths)
        .unwrap_or_else(|e| unavailable(unreadable(&repo, e))))
}

/// One read of the history: what it reads from and up to where.
struct Reading<'a> {
    repo: &'a Repository,
    root: &'a Path,
    config: &'a Config,
    options: &'a HistoryOptions,
    head: Oid,
    prefix: &'a str,
}

/// A document found in HEAD's tree, or not.
enum Found<'w> {
    Uncommitted,
    Traced(DocumentState, lineage::Lineage<'w>),
    /// Its history as the cache kept it for this HEAD (see [`kept`]).
    Kept(DocumentHistory),
}

impl Reading<'_> {
    /// The cache file and whatever it holds that can be trusted.
    fn load_cache(&self, key: &str, notes: &mut Vec<String>) -> (Option<PathBuf>, cache::Stored) {
        if !self.options.cache {
            return (None, cache::Stored::default());
        }
        let Some(workdir) = self.repo.workdir() else {
            return (None, cache::Stored::default());
        };
        let index = self.repo.index().ok();
        let is_tracked = |rel: &str| {
            index
                .as_ref()
                .is_some_and(|i| i.get_path(Path::new(rel), 0).is_some())
        };
        let place = cache::Place {
            git_dir: self.repo.path(),
            workdir,
            dir: self.options.cache_dir.as_deref(),
            is_tracked: &is_tracked,
        };
        let Some(file) = cache::locate(&place, key, notes) else {
            return (None, cache::Stored::default());
        };
        let mut stored = cache::load(&file, key)
            .filter(|stored| self.trusted(stored, notes))
            .unwrap_or_default();
        let infos = stored.walk.commits.iter_mut();
        walk::share_names(infos.filter_map(|c| std::sync::Arc::get_mut(&mut c.info)));
        (Some(file), stored)
    }

    /// Whether a cached walk describes this repository's history up to
    /// HEAD: its head still exists and HEAD is it or descends from it.
    fn trusted(&self, stored: &cache::Stored, notes: &mut Vec<String>) -> bool {
        let Some(old) = stored.walk.head.as_deref() else {
            return false;
        };
        let last = stored.walk.commits.last().map(|c| c.info.id.as_str());
        let exists = Oid::from_str(old)
            .ok()
            .filter(|_| last == Some(old))
            .filter(|old| self.repo.find_commit(*old).is_ok());
        let ok = exists.is_some_and(|old| {
            old == self.head
                || self
                    .repo
                    .graph_descendant_of(self.head, old)
                    .unwrap_or(false)
        });
        if !ok {
            notes.push(format!(
                "discarded the history cache: it describes commit {}, which no longer exists or is not an ancestor of {}",
                old.get(..7).unwrap_or(old),
                self.head.to_string().get(..7).unwrap_or_default()
            ));
        }
        ok
    }

    fn read(&self, paths: &[String]) -> Result<History, odb::ReadError> {
        let (repo, prefix) = (self.repo, self.prefix);
        let prefixes = walk_prefixes(self.config, prefix);
        let is_document = |repo_path: &str| {
            let rel = if prefix.is_empty() {
                Some(repo_path)
            } else {
                repo_path
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('/'))
            };
            rel.is_some_and(|rel| self.config.kinds.iter().any(|k| k.matches(rel)))
        };
        let mut notes = Vec::new();
        let key = cache::key(self.config, prefix);
        let phase = tracing::info_span!("cache load").entered();
        let (file, mut stored) = self.load_cache(&key, &mut notes);
        drop(phase);
        let packs = odb::LazyPacks::new(repo.commondir());
        let phase = tracing::info_span!("walk").entered();
        let before = stored.walk.head.clone();
        let head_hex = self.head.to_string();
        if stored.walk.head.as_deref() != Some(head_hex.as_str()) {
            let scope = walk::Scope {
                prefixes: &prefixes,
                is_document: &is_document,
                descend: None,
            };
            let progress = self.options.progress.as_ref();
            let read = walk::extend(
                repo,
                &scope,
                &mut stored.walk,
                self.head,
                packs.get(),
                progress,
            )?;
            notes.extend(walk_notes(&read));
        }
        drop(phase);
        let phase = tracing::info_span!("head blobs").entered();
        let head_blobs = walk::blobs_at(repo, self.head, &prefixes, packs.get())?;
        drop(phase);
        let walked = &stored.walk;
        let head_index = walked
            .commits
            .iter()
            .rposition(|c| c.info.id == head_hex)
            .and_then(|i| u32::try_from(i).ok())
            .ok_or_else(|| odb::ReadError::Corrupt("HEAD is not in the walk".into()))?;
        // Worked out for the first document whose history is not kept.
        let topology = std::sync::OnceLock::new();
        let phase = tracing::info_span!("follow").entered();
        // Histories kept for another commit are of no use at this one.
        let kept = (stored.kept.head == head_hex).then_some(&stored.kept);
        let found = self.trace(walked, &topology, head_index, &head_blobs, paths, kept);
        let traced = found.iter().any(|(_, f)| matches!(f, Found::Traced(..)));
        notes.extend(kept_note(&found));
        drop(phase);
        let phase = tracing::info_span!("facts").entered();
        let extra = read_facts(repo, &packs, &stored.facts, &mut stored.strings, &found)?;
        drop(phase);
        let phase = tracing::info_span!("histories").entered();
        let (facts_cache, strings) = (&stored.facts, &stored.strings);
        let facts_of = |blob: &odb::ObjectId| extra.get(blob).or_else(|| facts_cache.get(blob));
        let documents = histories(found, &facts_of, strings, prefix);
        let facts_read = !extra.is_empty();
        // Kept only to be stored; a cold walk's facts are moved, not copied.
        if file.is_some() && traced {
            stored.kept = Kept::keep(&head_hex, &stored.walk, documents.iter());
        }
        if file.is_some() {
            if stored.facts.is_empty() {
                stored.facts = extra;
            } else {
                stored.facts.extend(extra);
            }
        }
        drop(phase);
        let phase = tracing::info_span!("cache store").entered();

        if let Some(file) = &file
            && (before != stored.walk.head || facts_read || traced)
        {
            cache::store(file, &key, &stored);
        }
        drop(phase);
        Ok(History {
            unavailable: None,
            head: Some(head_hex),
            root_prefix: prefix.to_string(),
            documents,
            notes,
            cache_file: file,
            sources: Vec::new(),
        })
    }

    /// Each document's lineage (in parallel: hashing the working tree and
    /// following versions are per document), or its history as `kept`
    /// for this HEAD.
    fn trace<'w>(
        &self,
        walked: &'w Walk,
        topology: &'w std::sync::OnceLock<lineage::Topology>,
        head: u32,
        head_blobs: &HashMap<String, Oid>,
        paths: &'w [String],
        kept: Option<&Kept>,
    ) -> Vec<(&'w String, Found<'w>)> {
        paths
            .par_iter()
            .map(|path| {
                let repo_path = join(self.prefix, path);
                let state = match (head_blobs.get(&repo_path).copied(), &self.options.rev) {
                    (None, _) => return (path, Found::Uncommitted),
                    (Some(_), Some(_)) => DocumentState::Committed,
                    (Some(blob), None) => {
                        match Oid::hash_file(ObjectType::Blob, self.root.join(path)) {
                            Ok(now) if now == blob => DocumentState::Committed,
                            _ => DocumentState::Modified,
                        }
                    }
                };
                let restored = kept
                    .and_then(|k| k.documents.get(path))
                    .and_then(|h| h.restore(walked, state));
                if let Some(history) = restored {
                    return (path, Found::Kept(history));
                }
                let topology = topology.get_or_init(|| {
                    let _phase = tracing::info_span!("topology").entered();
                    lineage::Topology::new(walked, head)
                });
                let lineage = lineage::Lineage::trace(walked, topology, &repo_path, head);
                (path, Found::Traced(state, lineage))
            })
            .collect()
    }
}

/// What `--verbose` says when histories were taken from the cache.
fn kept_note(found: &[(&String, Found)]) -> Option<String> {
    let restored = (found.iter())
        .filter(|(_, f)| matches!(f, Found::Kept(_)))
        .count();
    (restored > 0)
        .then(|| format!("took the finished histories of {restored} documents from the cache"))
}

/// Each document's history from its lineage and the facts of its versions.
fn histories<'f>(
    found: Vec<(&String, Found)>,
    facts_of: &(dyn Fn(&odb::ObjectId) -> Option<&'f Compact> + Sync),
    strings: &Strings,
    prefix: &str,
) -> BTreeMap<String, DocumentHistory> {
    found
        .into_par_iter()
        .map(|(path, found)| {
            let history = match found {
                Found::Uncommitted => DocumentHistory::uncommitted(),
                Found::Kept(history) => history,
                Found::Traced(state, lineage) => {
                    let mut history = lineage.history(facts_of, strings, state);
                    // Paths are root-relative everywhere else; so are earlier names.
                    for old in &mut history.renamed_from {
                        if let Some(rel) = old
                            .strip_prefix(&format!("{prefix}/"))
                            .filter(|_| !prefix.is_empty())
                        {
                            *old = rel.to_string();
                        }
                    }
                    history
                }
            };
            (path.clone(), history)
        })
        .collect()
}

/// What `--verbose` says about how the walk read its commits.
fn walk_notes(read: &walk::Extended) -> impl Iterator<Item = String> + use<> {
    let pack = (read.from_pack_scan > 0).then(|| {
        format!(
            "read {} commits in pack order on every thread",
            read.from_pack_scan
        )
    });
    let graph = (read.by_graph > 0).then(|| {
        format!(
            "read the parents of {} new commits from git's commit-graph; its changed-path filters spared the trees of {}",
            read.by_graph, read.spared
        )
    });
    pack.into_iter().chain(graph)
}

/// The facts of every version the lineages need that the cache does not
/// hold, read in pack order: a delta's base is then usually the object
/// read just before it, still in the reader's cache. One contiguous run
/// per thread, each with its own reader and table of texts (merged into
/// `strings` afterwards); front matter parsed as each blob is read. A blob
/// that cannot be read makes the history unavailable.
fn read_facts(
    repo: &Repository,
    packs: &odb::LazyPacks,
    cached: &HashMap<odb::ObjectId, Compact>,
    strings: &mut Strings,
    found: &[(&String, Found)],
) -> Result<HashMap<odb::ObjectId, Compact>, odb::ReadError> {
    let mut missing: Vec<odb::ObjectId> = found
        .iter()
        .filter_map(|(_, f)| match f {
            Found::Traced(_, lineage) => Some(lineage.blobs()),
            Found::Uncommitted | Found::Kept(_) => None,
        })
        .flatten()
        .filter(|blob| !cached.contains_key(*blob))
        .copied()
        .collect();
    if missing.is_empty() {
        // With every version's facts cached, the pack indexes are not read.
        return Ok(HashMap::new());
    }
    missing.sort_unstable();
    missing.dedup();
    let packs = packs.get();
    let mut wanted: Vec<(usize, u64, odb::ObjectId)> = missing
        .into_iter()
        .map(|id| {
            let (pack, offset) = packs.position(&id);
            (pack, offset, id)
        })
        .collect();
    wanted.sort_unstable();
    let git_dir = repo.path().to_path_buf();
    let run = wanted
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(64);
    type Run = (Strings, Vec<(odb::ObjectId, Compact)>);
    let read: Vec<Run> = wanted
        .par_chunks(run)
        .map(|blobs| {
            // Blobs are read in pack order: a small cache holds their delta bases.
            let mut store = odb::Store::new(packs, &git_dir, 8 << 20);
            let mut texts = Strings::default();
            let facts = blobs
                .iter()
                .map(|(_, _, id)| {
                    let data = store.read_kind(id, odb::Kind::Blob)?;
                    Ok((*id, Compact::new(&facts::extract(&data), &mut texts)))
                })
                .collect::<Result<Vec<_>, odb::ReadError>>()?;
            Ok((texts, facts))
        })
        .collect::<Result<_, odb::ReadError>>()?;
    let mut out = HashMap::with_capacity(wanted.len());
    for (texts, facts) in read {
        let map = strings.absorb(&texts);
        out.extend(facts.into_iter().map(|(id, mut f)| {
            f.remap(&map);
            (id, f)
        }));
    }
    Ok(out)
}
