//! Where a project's files come from, and the one pipeline over them.
//!
//! A [`Source`] answers the questions the pipeline asks of a repository:
//! its config, which files are documents (and which links were passed
//! over), the documents parsed, another file's bytes (the baseline), and
//! the documents' history. Three sources answer them:
//! [`WorkingTree`] (the checkout, read through `confined::Root`),
//! [`Revision`] (`--rev`: blobs of one commit, no checkout) and
//! [`Overlay`] (`serve` and `lsp`: the working tree, keeping each parse
//! between rebuilds by its file's stamp, and the history until HEAD moves;
//! for `lsp`, an editor's unsaved text read instead of its files).
//!
//! [`pipeline`] is the one way from a source to a loaded project:
//! config → baseline → discover → parse ∥ history → link. Every command
//! and `serve` go through it, so what one reports (a link skipped, a
//! finding the baseline accepts) the others report too. Judging the
//! project is [`Project::check`]. Each stage is a `tracing` span; the CLI
//! prints their durations under `-v`.

use crate::{Error, LoadOptions, Parsed, Project};
use pilotbook_core::config::{CONFIG_FILE, Config, Limits};
use pilotbook_core::confined::{Refusal, Root};
use pilotbook_core::diagnostics::Diagnostic;
use pilotbook_core::diagnostics::accept::Baseline;
use pilotbook_core::discover::{self, Discovered, Skipped};
use pilotbook_core::history::History;
use pilotbook_core::parse::{self, ParsedDocument};
use pilotbook_core::rules::Rule;
use pilotbook_core::source::Position;
use pilotbook_history::{self as history, HistoryOptions};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

/// The largest baseline read: a finding per line, a few hundred bytes each.
const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// What to do about a link pilotbook did not follow.
pub(crate) const LINK_HELP: &str = "replace the link with the file itself, or point it at a file inside the repository (outside `.git/`)";

/// The documents a source found, before they are read: `(kind, path,
/// what the source needs to read it)`, sorted by path, and what discovery
/// passed over.
#[derive(Debug, Clone)]
pub struct Listing<F> {
    /// The documents.
    pub documents: Vec<(usize, String, F)>,
    /// Links not followed (reported as `symlink-skipped`).
    pub skipped: Vec<Skipped>,
}

/// A repository's files as the pipeline reads them. Stages may run on
/// two threads at once (parsing beside history), hence `Sync`.
pub trait Source: Sync {
    /// What a found document carries until it is read.
    type Found: Send;
    /// The pilotbook root.
    fn root(&self) -> &Path;
    /// `pilotbook.toml`, or the `--config` file.
    fn config(&self, config_path: Option<&Path>) -> Result<Config, Error>;
    /// Which files are documents, and which links were not followed.
    fn discover(&self, config: &Config) -> Result<Listing<Self::Found>, Error>;
    /// Read and parse the documents found (in their order).
    fn parse(&self, limits: &Limits, found: Vec<(usize, String, Self::Found)>) -> Vec<Parsed>;
    /// Another file's bytes (the baseline), or why it cannot be read.
    fn read(&self, rel: &str, cap: u64) -> Result<Vec<u8>, String>;
    /// Whether a root-relative file or folder is there (a link's target).
    fn exists(&self, rel: &str) -> bool;
    /// The documents' git history.
    fn history(&self, config: &Config, paths: &[String], options: &LoadOptions) -> History;
}

/// Load a project from `source`: the one pipeline every command and
/// `serve` run. `config_path` is `--config`.
pub fn pipeline<S: Source>(
    source: &S,
    config_path: Option<&Path>,
    options: &LoadOptions,
) -> Result<Project, Error> {
    let mut config = source.config(config_path)?;
    let baseline = match &config.check.baseline {
        Some(file) if options.baseline => Some(read_baseline(source, file)?),
        _ => None,
    };
    let listing = {
        let _stage = tracing::info_span!("discover").entered();
        source.discover(&config)?
    };
    let mut paths: Vec<String> = listing.documents.iter().map(|d| d.1.clone()).collect();
    paths.sort();
    let limits = config.limits;
    // After this repository's discovery: a kind only a source defines
    // joins the config, and its folders are the source's.
    let remote = crate::sources::read(source, &mut config, options)?;
    let trees = remote.trees;
    // History needs only the documents' paths: it is read while the
    // documents are parsed and linked, each on half the cores or all of
    // them, whichever is free.
    let (mut project, mut history) = rayon::join(
        || {
            let mut parsed = {
                let _stage = tracing::info_span!("parse").entered();
                let mut parsed = source.parse(&limits, listing.documents);
                crate::borrowed::apply(&config, source, &mut parsed);
                parsed
            };
            let _stage = tracing::info_span!("link").entered();
            if !remote.parsed.is_empty() {
                parsed.extend(remote.parsed);
                parsed.sort_by(|a, b| a.1.cmp(&b.1));
            }
            let mut project =
                Project::from_parsed(source.root(), config.clone(), parsed, listing.skipped);
            project.findings.extend(remote.findings);
            project.sources = trees.clone();
            let exists = |rel: &str| match project.source_tree(rel) {
                Some((tree, rel)) => tree.tree.as_ref().is_some_and(|t| t.exists(rel)),
                None => source.exists(rel),
            };
            let broken = pilotbook_core::validate::broken_links(&project.portfolio, &exists);
            project.findings.extend(broken);
            project
        },
        || {
            if !options.history {
                return History::default();
            }
            let _stage = tracing::info_span!("history").entered();
            source.history(&config, &paths, options)
        },
    );
    history.documents.extend(remote.histories);
    history.sources = remote.states;
    project.history = history;
    project.require_full_history = options.require_full_history;
    project.baseline = baseline;
    Ok(project)
}

/// The baseline `[check] baseline` names, read from the source.
fn read_baseline<S: Source>(source: &S, file: &str) -> Result<Baseline, Error> {
    let bytes = source
        .read(file, MAX_BASELINE_BYTES)
        .map_err(|why| Error::NoBaseline {
            path: file.to_string(),
            why,
        })?;
    Ok(Baseline::parse(file, &String::from_utf8_lossy(&bytes))?)
}

/// The checkout: every file read through the confined reader.
pub struct WorkingTree {
    root: PathBuf,
    confined: Root,
}

impl std::fmt::Debug for WorkingTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkingTree")
            .field("root", &self.root)
            .finish()
    }
}

impl WorkingTree {
    /// The working tree at `root`.
    pub fn open(root: &Path) -> Result<WorkingTree, Error> {
        let confined = Root::open(root).map_err(|source| Error::Root {
            path: root.to_path_buf(),
            source,
        })?;
        Ok(WorkingTree {
            root: root.to_path_buf(),
            confined,
        })
    }

    fn history_options(options: &LoadOptions, rev: Option<String>) -> HistoryOptions {
        HistoryOptions {
            rev,
            cache: options.cache,
            cache_dir: options.cache_dir.clone(),
            progress: options.progress.clone(),
        }
    }
}

impl Source for WorkingTree {
    type Found = Discovered;

    fn root(&self) -> &Path {
        &self.root
    }

    fn config(&self, config_path: Option<&Path>) -> Result<Config, Error> {
        Ok(Config::load(&self.root, config_path)?)
    }

    fn discover(&self, config: &Config) -> Result<Listing<Discovered>, Error> {
        let discovery = discover::discover(&self.confined, config);
        Ok(Listing {
            documents: discovery
                .documents
                .into_iter()
                .map(|d| (d.kind, d.rel_path.clone(), d))
                .collect(),
            skipped: discovery.skipped,
        })
    }

    fn parse(&self, limits: &Limits, found: Vec<(usize, String, Discovered)>) -> Vec<Parsed> {
        found
            .into_par_iter()
            .map(|(kind, path, d)| {
                let parsed = read_document(&self.confined, &d, limits);
                (kind, path, Arc::new(parsed))
            })
            .collect()
    }

    fn read(&self, rel: &str, cap: u64) -> Result<Vec<u8>, String> {
        self.confined
            .read(rel, cap)
            .map_err(|refusal| format!("it {refusal}"))
    }

    fn exists(&self, rel: &str) -> bool {
        // Through the confined reader: a link out of the root is not there.
        self.confined.resolve(rel).is_ok()
    }

    fn history(&self, config: &Config, paths: &[String], options: &LoadOptions) -> History {
        let options = WorkingTree::history_options(options, None);
        history::read(&self.root, config, paths, &options)
    }
}

/// One commit (`--rev`), read straight from the object database.
pub struct Revision {
    root: PathBuf,
    rev: String,
    /// git2's repository is not `Sync`; stages take turns.
    tree: Mutex<history::Revision>,
}

impl Revision {
    /// Revision `rev` of the repository around `root`.
    pub fn open(root: &Path, rev: &str) -> Result<Revision, Error> {
        Ok(Revision {
            root: root.to_path_buf(),
            rev: rev.to_string(),
            tree: Mutex::new(history::Revision::open(root, rev)?),
        })
    }

    fn tree(&self) -> MutexGuard<'_, history::Revision> {
        // Nothing panics while holding it; a poisoned lock is still usable.
        self.tree.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Source for Revision {
    /// The blob, or its size when it is over the cap (refused from its
    /// header, unread).
    type Found = Result<Vec<u8>, u64>;

    fn root(&self) -> &Path {
        &self.root
    }

    fn config(&self, config_path: Option<&Path>) -> Result<Config, Error> {
        if config_path.is_some() {
            return Ok(Config::load(&self.root, config_path)?);
        }
        let text = self
            .tree()
            .read(CONFIG_FILE)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let shown = Path::new(CONFIG_FILE).join(format!("@{}", self.rev));
        Ok(Config::parse(&text, &shown)?)
    }

    fn discover(&self, config: &Config) -> Result<Listing<Self::Found>, Error> {
        let tree = self.tree();
        let files = tree.files_below(&discover::start_folders(config), &|p| {
            discover::classify(config, p).is_some()
        })?;
        let max = config.limits.max_file_bytes;
        let documents = files
            .into_iter()
            .filter_map(|path| {
                let kind = discover::classify(config, &path)?;
                let size = tree.size(&path)?;
                if size > max {
                    return Some((kind, path, Err(size)));
                }
                let bytes = tree.read(&path)?;
                Some((kind, path, Ok(bytes)))
            })
            .collect();
        Ok(Listing {
            documents,
            skipped: Vec::new(),
        })
    }

    fn parse(&self, limits: &Limits, found: Vec<(usize, String, Self::Found)>) -> Vec<Parsed> {
        found
            .into_par_iter()
            .map(|(kind, path, bytes)| {
                let parsed = match bytes {
                    Ok(bytes) => parse::parse_owned_with(&path, bytes, limits),
                    Err(size) => parse::unreadable(
                        &path,
                        parse::too_large(&path, size, limits.max_file_bytes),
                    ),
                };
                (kind, path, Arc::new(parsed))
            })
            .collect()
    }

    fn read(&self, rel: &str, _cap: u64) -> Result<Vec<u8>, String> {
        self.tree()
            .read(rel)
            .ok_or_else(|| format!("not in revision {}", self.rev))
    }

    fn exists(&self, rel: &str) -> bool {
        self.tree().has(rel)
    }

    fn history(&self, config: &Config, paths: &[String], options: &LoadOptions) -> History {
        let options = WorkingTree::history_options(options, Some(self.rev.clone()));
        history::read(&self.root, config, paths, &options)
    }
}

/// A file's size and modification time: a parse is reused while it holds.
type Stamp = Option<(SystemTime, u64)>;

/// A parsed document and the stamp of the file it was read from.
struct Cached {
    stamp: Stamp,
    parsed: Arc<ParsedDocument>,
}

/// The parses `serve` keeps between rebuilds, by root-relative path.
#[derive(Default)]
pub struct ParseCache {
    entries: HashMap<String, Cached>,
}

/// What an [`Overlay`] saw during one load.
#[derive(Debug, Default)]
pub struct OverlayChanges {
    /// Documents whose text changed, appeared or disappeared.
    pub edited: BTreeSet<String>,
    /// Documents read and parsed again.
    pub reparsed: usize,
    /// The history was read again (none was kept, or it could not follow
    /// the edits).
    pub history_reread: bool,
    /// The history handed in, when the load stopped before using it.
    pub unused_history: Option<History>,
    /// The working tree's documents as this load listed them (walked, or
    /// handed in with [`Overlay::with_listing`]), for the next load.
    pub listing: Option<Listing<Discovered>>,
}

/// The text an editor holds for files it has open and may not have saved,
/// by root-relative path (`pilotbook lsp`).
pub type Unsaved = HashMap<String, Arc<str>>;

/// `serve`'s and `lsp`'s source: the working tree as it is now, where a
/// document whose file has the same stamp as last time (and that the
/// watcher did not name) is not read again, and the history of the last
/// build is kept (its working-tree states brought up to date) instead of
/// walking git. With [`Overlay::with_unsaved`], an editor's unsaved text
/// stands in for its files: the config, the documents (new ones too) and
/// whatever else the pipeline reads.
pub struct Overlay {
    tree: WorkingTree,
    unsaved: Unsaved,
    /// A listing to trust instead of walking the folders, then the one used.
    listing: Mutex<Option<Listing<Discovered>>>,
    cache: Mutex<ParseCache>,
    /// Named by the watcher: read again whatever their stamp.
    forced: HashSet<String>,
    /// The last build's history, when HEAD has not moved.
    kept: Mutex<Option<History>>,
    /// Read again or gone: the paths whose history state may have changed.
    touched: Mutex<Vec<String>>,
    edited: Mutex<BTreeSet<String>>,
    reparsed: AtomicUsize,
    history_reread: AtomicBool,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these; a poisoned lock is still usable.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Overlay {
    /// The working tree `tree` over the parses in `cache`; `forced` are
    /// root-relative paths to read again, `kept` the history to reuse.
    pub fn new(
        tree: WorkingTree,
        cache: ParseCache,
        forced: HashSet<String>,
        kept: Option<History>,
    ) -> Overlay {
        Overlay {
            tree,
            unsaved: Unsaved::new(),
            listing: Mutex::new(None),
            cache: Mutex::new(cache),
            forced,
            kept: Mutex::new(kept),
            touched: Mutex::new(Vec::new()),
            edited: Mutex::new(BTreeSet::new()),
            reparsed: AtomicUsize::new(0),
            history_reread: AtomicBool::new(false),
        }
    }

    /// Read `unsaved`'s texts instead of those files. A document parsed
    /// from unsaved text is kept without a stamp, so that its file is read
    /// again once the editor lets go of it.
    pub fn with_unsaved(mut self, unsaved: Unsaved) -> Overlay {
        self.unsaved = unsaved;
        self
    }

    /// Take the working tree's documents from `listing` (the last load's,
    /// [`OverlayChanges::listing`]) instead of walking the kinds' folders:
    /// for a caller that knows no file was added, removed or renamed
    /// since (`lsp` between keystrokes). Each file's stamp is still read.
    pub fn with_listing(self, listing: Listing<Discovered>) -> Overlay {
        *locked(&self.listing) = Some(listing);
        self
    }

    /// Documents an editor has that discovery did not find (not saved
    /// yet), where the kinds' globs place them: not in a hidden folder or
    /// the output folder, as discovery would not list them there.
    fn unsaved_documents(&self, config: &Config, listed: &HashSet<&str>) -> Vec<(usize, String)> {
        let output = format!("{}/", config.output_dir);
        let mut out: Vec<(usize, String)> = (self.unsaved.keys())
            .filter(|p| !listed.contains(p.as_str()) && !p.starts_with(&output))
            .filter(|p| !p.split('/').any(|part| part.starts_with('.')))
            .filter_map(|p| Some((discover::classify(config, p)?, p.clone())))
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    }

    /// Load through the [`pipeline`] (`serve`'s rebuild and `lsp`'s
    /// keystroke), then [`Overlay::finish`]: the project, the cache for
    /// the next load and what this one changed. `cache_dir` is
    /// `--cache-dir`.
    pub fn load(
        self,
        config_path: Option<&Path>,
        cache_dir: Option<PathBuf>,
    ) -> (Result<Project, Error>, ParseCache, OverlayChanges) {
        let options = LoadOptions {
            cache_dir,
            ..LoadOptions::default()
        };
        let loaded = pipeline(&self, config_path, &options);
        let (cache, changes) = self.finish();
        (loaded, cache, changes)
    }

    /// The cache for the next rebuild, and what this load changed.
    pub fn finish(self) -> (ParseCache, OverlayChanges) {
        let changes = OverlayChanges {
            edited: self.edited.into_inner().unwrap_or_else(|e| e.into_inner()),
            reparsed: self.reparsed.into_inner(),
            history_reread: self.history_reread.into_inner(),
            unused_history: self.kept.into_inner().unwrap_or_else(|e| e.into_inner()),
            listing: self.listing.into_inner().unwrap_or_else(|e| e.into_inner()),
        };
        let cache = self.cache.into_inner().unwrap_or_else(|e| e.into_inner());
        (cache, changes)
    }
}

/// A document found in the working tree, with its stamp and whether it
/// must be read again.
pub struct Stamped {
    discovered: Discovered,
    stamp: Stamp,
    fresh: bool,
}

impl Source for Overlay {
    type Found = Stamped;

    fn root(&self) -> &Path {
        &self.tree.root
    }

    fn config(&self, config_path: Option<&Path>) -> Result<Config, Error> {
        match self.unsaved.get(CONFIG_FILE) {
            Some(text) if config_path.is_none() => {
                Ok(Config::parse(text, &self.root().join(CONFIG_FILE))?)
            }
            _ => self.tree.config(config_path),
        }
    }

    fn discover(&self, config: &Config) -> Result<Listing<Stamped>, Error> {
        let given = locked(&self.listing).take();
        let mut listing = match given {
            Some(listing) => listing,
            None => self.tree.discover(config)?,
        };
        *locked(&self.listing) = Some(listing.clone());
        if !self.unsaved.is_empty() {
            let listed: HashSet<&str> = listing.documents.iter().map(|d| d.1.as_str()).collect();
            let new = self.unsaved_documents(config, &listed);
            for (kind, rel_path) in new {
                let discovered = Discovered {
                    kind,
                    abs_path: self.root().join(&rel_path),
                    source: rel_path.clone(),
                    rel_path: rel_path.clone(),
                };
                listing.documents.push((kind, rel_path, discovered));
            }
            listing.documents.sort_by(|a, b| a.1.cmp(&b.1));
        }
        let mut cache = locked(&self.cache);
        let mut touched = locked(&self.touched);
        let seen: HashSet<&str> = listing.documents.iter().map(|d| d.1.as_str()).collect();
        let gone: Vec<String> = (cache.entries.keys())
            .filter(|p| !seen.contains(p.as_str()))
            .cloned()
            .collect();
        for path in gone {
            cache.entries.remove(&path);
            locked(&self.edited).insert(path.clone());
            touched.push(path);
        }
        let documents = (listing.documents.into_iter())
            .map(|(kind, path, discovered)| {
                let (stamp, fresh) = match self.unsaved.get(&path) {
                    // Unsaved text has no stamp: it is its own.
                    Some(text) => {
                        let same = cache
                            .entries
                            .get(&path)
                            .is_some_and(|c| *c.parsed.text == **text);
                        (None, !same)
                    }
                    None => {
                        let stamp = std::fs::metadata(&discovered.abs_path)
                            .ok()
                            .and_then(|m| Some((m.modified().ok()?, m.len())));
                        let fresh = cache.entries.get(&path).is_none_or(|c| {
                            c.stamp.is_none() || c.stamp != stamp || self.forced.contains(&path)
                        });
                        (stamp, fresh)
                    }
                };
                if fresh {
                    touched.push(path.clone());
                }
                let found = Stamped {
                    discovered,
                    stamp,
                    fresh,
                };
                (kind, path, found)
            })
            .collect();
        Ok(Listing {
            documents,
            skipped: listing.skipped,
        })
    }

    fn parse(&self, limits: &Limits, found: Vec<(usize, String, Stamped)>) -> Vec<Parsed> {
        let read: Vec<(usize, String, Stamp, Option<ParsedDocument>)> = found
            .into_par_iter()
            .map(|(kind, path, s)| {
                let doc = s.fresh.then(|| match self.unsaved.get(&path) {
                    Some(text) => parse::parse_owned_with(&path, text.as_bytes().to_vec(), limits),
                    None => read_document(&self.tree.confined, &s.discovered, limits),
                });
                (kind, path, s.stamp, doc)
            })
            .collect();
        let mut cache = locked(&self.cache);
        let mut edited = locked(&self.edited);
        let mut out = Vec::with_capacity(read.len());
        for (kind, path, stamp, doc) in read {
            if let Some(doc) = doc {
                self.reparsed.fetch_add(1, Ordering::Relaxed);
                let before = cache.entries.get(&path).map(|c| &c.parsed.text);
                if before != Some(&doc.text) {
                    edited.insert(path.clone());
                }
                let parsed = Arc::new(doc);
                cache.entries.insert(path.clone(), Cached { stamp, parsed });
            }
            if let Some(c) = cache.entries.get(&path) {
                out.push((kind, path, Arc::clone(&c.parsed)));
            }
        }
        out
    }

    fn read(&self, rel: &str, cap: u64) -> Result<Vec<u8>, String> {
        match self.unsaved.get(rel) {
            Some(text) if text.len() as u64 > cap => Err(format!(
                "is {} bytes, over the {cap} bytes read",
                text.len()
            )),
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => self.tree.read(rel, cap),
        }
    }

    fn exists(&self, rel: &str) -> bool {
        self.unsaved.contains_key(rel) || self.tree.exists(rel)
    }

    fn history(&self, config: &Config, paths: &[String], options: &LoadOptions) -> History {
        // The kept history's working-tree states follow the edits.
        let unsaved = |path: &str| self.unsaved.get(path).cloned();
        if let Some(mut kept) = locked(&self.kept).take()
            && history::refresh(&mut kept, self.root(), &locked(&self.touched), &unsaved)
        {
            return kept;
        }
        self.history_reread.store(true, Ordering::Relaxed);
        let mut read = self.tree.history(config, paths, options);
        if !self.unsaved.is_empty() {
            // Read from git and the files: unsaved text decides its
            // documents' working-tree state.
            let open: Vec<String> = (self.unsaved.keys())
                .filter(|p| paths.contains(p))
                .cloned()
                .collect();
            history::refresh(&mut read, self.root(), &open, &unsaved);
        }
        read
    }
}

/// Read and parse one document from disk, through the confined reader:
/// its size is checked before it is read, so that a huge file costs
/// neither time nor memory, and a link that leads out of the repository
/// or into `.git` (or to a device, a FIFO) is refused with a finding.
fn read_document(root: &Root, doc: &Discovered, limits: &Limits) -> ParsedDocument {
    let rel = doc.rel_path.as_str();
    match root.read(&doc.source, limits.max_file_bytes) {
        Ok(bytes) => parse::parse_owned_with(rel, bytes, limits),
        Err(Refusal::TooLarge { len, .. }) => {
            parse::unreadable(rel, parse::too_large(rel, len, limits.max_file_bytes))
        }
        Err(why) => parse::unreadable(rel, refused(rel, &why)),
    }
}

/// The finding for a document the confined reader refused.
fn refused(rel: &str, why: &Refusal) -> Diagnostic {
    if why.is_link() {
        return Diagnostic::new(
            Rule::SymlinkSkipped,
            rel,
            Position::START,
            format!("`{rel}` {why}"),
        )
        .help(LINK_HELP);
    }
    Diagnostic::new(
        Rule::UnreadableFile,
        rel,
        Position::START,
        format!("`{rel}` {why}"),
    )
    .help("make it a regular UTF-8 text file inside the repository, readable by pilotbook")
}
