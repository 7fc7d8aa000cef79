//! What a build may keep of the site already in its output folder: all
//! of it when nothing changed (it writes nothing), or the pages whose
//! inputs did not change.
//!
//! A site is a function of what the render reads: pilotbook's version and
//! built-in templates, the template overrides, the config, every
//! document's path and text, the history, the findings, the build's base
//! URL and date, and the bytes of the files pages link to. A build hashes
//! those (BLAKE3) into a stamp, with the files it wrote (size and
//! modification time), the linked files it read, what every page reads
//! (all but the documents, their histories and findings), each entity
//! page's own inputs (its document's and its neighbours') and the
//! drawings' inputs. The next build, into a folder that still holds
//! exactly those files: writes nothing when the whole hash is the same;
//! else, when what every page reads is the same, keeps each page, badge
//! and drawing whose inputs hash as before and renders the rest. Anything
//! else — no stamp, a file added, removed or touched in the folder —
//! renders the whole site. Either way the site is byte for byte what a
//! cold build writes (`tests/it/up_to_date.rs`).
//!
//! The stamp lives beside the history cache (the caller says where: in
//! the git folder, or `--cache-dir`), not in the output folder; it is
//! written under a fresh name and renamed, and read only from a regular
//! file. A stamp planted by a commit (a `--cache-dir` inside the working
//! tree) could not make a build skip anything: it holds only if the
//! output folder holds exactly its files with their sizes and
//! modification times to the nanosecond, which no commit knows. A build
//! with findings of its own (`page-too-large`) keeps no stamp, so those
//! are reported every time.

use pilotbook_core::config::Config;
use pilotbook_core::diagnostics::{Diagnostic, Report};
use pilotbook_core::history::{
    CommitInfo, DocumentHistory, FieldChange, History, MilestoneChange, MilestoneSlip,
    StatusChange, TargetChange,
};
use pilotbook_core::model::{Date, Portfolio};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped whenever what the hash covers or the stamp's shape changes.
const FORMAT: u32 = 3;

/// What a build wrote, and from what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    format: u32,
    /// The inputs' hash, linked files included (hex).
    inputs: String,
    /// The linked files read, by repository path: the hash of their bytes
    /// (hex), or `None` when there was no such file.
    linked: BTreeMap<String, Option<String>>,
    /// What every page reads (hex).
    global: String,
    /// The inputs of the entity pages that may be kept, by site path.
    page_inputs: BTreeMap<String, String>,
    /// The drawings' input hashes, by site path (see [`Kept::drawings`]).
    drawings: BTreeMap<String, String>,
    /// Every file of the output folder, by site path.
    files: BTreeMap<String, FileStamp>,
    /// HTML pages the build wrote.
    pub pages: usize,
    /// Files the build wrote.
    pub written: usize,
}

/// A file's size and modification time, as the build left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FileStamp {
    len: u64,
    modified_ns: u128,
}

/// The render's inputs, but for the linked files (only a render knows
/// which those are).
pub(crate) struct Inputs {
    /// Everything the render reads.
    hasher: blake3::Hasher,
    /// What every page reads: all but the documents, their histories and
    /// their findings (hex).
    global: String,
    /// The inputs of each entity page that may be kept from the last
    /// build, by site path (hex): see [`Inputs::pages`].
    pages: BTreeMap<String, String>,
}

/// Everything a site is made from, but for the linked files.
pub(crate) struct What<'a> {
    pub config: &'a Config,
    pub portfolio: &'a Portfolio,
    pub history: &'a History,
    pub report: &'a Report,
    pub overrides: &'a [Option<String>],
    pub base_url: Option<&'a str>,
    pub today: Date,
}

impl Inputs {
    /// Hash what the render reads.
    pub(crate) fn of(what: &What) -> Inputs {
        let _phase = tracing::info_span!("stamp").entered();
        let global = global(what);
        let own = own(what);
        let mut h = Hashing(blake3::Hasher::new());
        h.part(global.as_bytes());
        for hash in &own {
            h.part(hash.as_bytes());
        }
        // The head names the commit the export and source links are of.
        h.debug(&what.history.head);
        h.debug(what.report);
        let pages = Inputs::pages(what, &global, &own);
        Inputs {
            hasher: h.0,
            global: global.to_hex().to_string(),
            pages,
        }
    }

    /// The inputs of each entity page: what every page reads, its
    /// entity's own inputs and those of every entity it links to or is
    /// linked from (a page shows its neighbours' titles, statuses, owners
    /// and targets, and they show it). Left out, so never kept: a page
    /// whose document has anything that may be a link (its targets, the
    /// files it carries and the commit of its source links are decided
    /// as it renders), and a path two entities would share.
    fn pages(what: &What, global: &blake3::Hash, own: &[blake3::Hash]) -> BTreeMap<String, String> {
        let portfolio = what.portfolio;
        let mut pages = BTreeMap::new();
        let mut shared = std::collections::HashSet::new();
        for (i, e) in portfolio.entities.iter().enumerate() {
            let path = pilotbook_core::pages::page_path(what.config, e);
            if pages.contains_key(&path) || !shared.insert(path.clone()) {
                pages.remove(&path);
                continue;
            }
            if e.document
                .as_ref()
                .is_some_and(|d| may_link(&d.parsed.text))
            {
                continue;
            }
            let mut near: Vec<usize> = e
                .references
                .iter()
                .filter_map(|r| portfolio.position(&r.target))
                .chain(e.referenced_by.iter().map(|b| b.source))
                .chain(e.dependents.iter().copied())
                .collect();
            near.sort_unstable();
            near.dedup();
            let mut h = blake3::Hasher::new();
            h.update(global.as_bytes());
            h.update(own[i].as_bytes());
            for n in near {
                h.update(own[n].as_bytes());
            }
            pages.insert(path, h.finalize().to_hex().to_string());
        }
        pages
    }

    /// The hash with the linked files: their repository paths and the
    /// hashes of their bytes.
    fn with_linked(&self, linked: &BTreeMap<String, Option<String>>) -> String {
        let mut h = Hashing(self.hasher.clone());
        h.debug(linked);
        h.0.finalize().to_hex().to_string()
    }
}

/// Whether a document's text has anything Markdown may make a link or an
/// image of (inline, reference, autolink, raw HTML, a bare URL).
fn may_link(text: &str) -> bool {
    // `<` starts an autolink or raw HTML only before a letter, `/`, `!`
    // or `?`: "< 1100 ms" in a target is text.
    let tag = text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || b"/!?".contains(&w[1])));
    tag || ["](", "]:", "://", "www."].iter().any(|m| text.contains(m))
}

/// What every page reads: pilotbook, its templates, the config, the
/// build's options, which entities exist (pages link each other by kind,
/// id and path; the navigation counts them), whether history could be
/// read, and the findings not about one document.
fn global(what: &What) -> blake3::Hash {
    let mut h = Hashing(blake3::Hasher::new());
    h.part(format!("pilotbook {} stamp {FORMAT}", env!("CARGO_PKG_VERSION")).as_bytes());
    for (name, text) in super::templates::TEMPLATES
        .iter()
        .chain(super::templates::ASSETS)
    {
        h.part(name.as_bytes());
        h.part(text.as_bytes());
    }
    for text in what.overrides {
        h.part(text.as_deref().unwrap_or("\u{0}builtin").as_bytes());
    }
    h.debug(what.config);
    h.debug(&(what.base_url, what.today));
    let mut documents = std::collections::HashSet::new();
    for e in &what.portfolio.entities {
        let path = e.document.as_ref().map(|d| d.path.as_str());
        h.debug(&(e.kind, &e.id, e.duplicate, path));
        documents.extend(path);
    }
    let History {
        unavailable,
        root_prefix,
        // Each page's own (the head: only pages with links read it).
        head: _,
        documents: _,
        // How the history was read, not what it is.
        notes: _,
        cache_file: _,
    } = what.history;
    h.debug(&(unavailable, root_prefix));
    for d in &what.report.diagnostics {
        if !documents.contains(d.path.as_str()) {
            h.debug(d);
        }
    }
    h.0.finalize()
}

/// Each entity's own inputs, by index: its document's path and text (and
/// front matter, when some of it is borrowed from a sidecar file), its
/// history and its findings.
fn own(what: &What) -> Vec<blake3::Hash> {
    use rayon::prelude::*;
    let mut findings: std::collections::HashMap<&str, Vec<&Diagnostic>> = Default::default();
    for d in &what.report.diagnostics {
        findings.entry(d.path.as_str()).or_default().push(d);
    }
    what.portfolio
        .entities
        .par_iter()
        .map(|e| {
            let mut h = Hashing(blake3::Hasher::new());
            h.debug(&(e.kind, &e.id));
            if let Some(d) = &e.document {
                h.part(d.path.as_bytes());
                h.part(d.parsed.text.as_bytes());
                if d.parsed.borrowed.is_some() {
                    h.debug(&d.parsed.front_matter);
                }
                match what.history.documents.get(&d.path) {
                    Some(history) => h.document(history),
                    None => h.part(b"\0no history"),
                }
                h.debug(&findings.get(d.path.as_str()));
            }
            h.0.finalize()
        })
        .collect()
}

/// A hasher that frames each part with its length, so that parts cannot
/// run into each other.
struct Hashing(blake3::Hasher);

impl Hashing {
    fn part(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// A value by its `Debug` text, streamed into the hash (the model has
    /// no hash maps, so the text is the same for the same value).
    fn debug(&mut self, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        let mut w = Streamed(&mut self.0);
        let _ = write!(w, "{value:?}");
        self.0.update(b"\0");
    }
}

/// A document's history, by what determines it. A commit is its id: git names a
/// commit by the hash of its content, and [`CommitInfo`] is read from that
/// content alone, so the id stands for the date, author and summary (at
/// 10,000 pilots, formatting every commit of every document took most of
/// the stamp's time). Each struct is taken apart field by field, without
/// `..`, so that a field added to the history fails to compile here
/// until it is hashed (or said not to matter).
impl Hashing {
    fn document(&mut self, document: &DocumentHistory) {
        let DocumentHistory {
            state,
            commits,
            authors,
            renamed_from,
            status_changes,
            target_changes,
            actual_changes,
            milestone_changes,
            milestone_slips,
            owner_changes,
            started_changes,
        } = document;
        self.debug(&(state, authors, renamed_from));
        for commit in commits {
            self.commit(commit);
        }
        for StatusChange {
            from,
            to,
            commit,
            reached_main,
        } in status_changes
        {
            self.change(&(from, to), commit, reached_main);
        }
        for list in [target_changes, actual_changes] {
            for TargetChange {
                metric,
                from,
                to,
                commit,
                reached_main,
            } in list
            {
                self.change(&(metric, from, to), commit, reached_main);
            }
        }
        for MilestoneChange {
            milestone,
            from,
            to,
            commit,
            reached_main,
        } in milestone_changes
        {
            self.change(&(milestone, from, to), commit, reached_main);
        }
        for MilestoneSlip {
            milestone,
            from,
            to,
            commit,
            reached_main,
        } in milestone_slips
        {
            self.change(&(milestone, from, to), commit, reached_main);
        }
        for list in [owner_changes, started_changes] {
            for FieldChange {
                from,
                to,
                commit,
                reached_main,
            } in list
            {
                self.change(&(from, to), commit, reached_main);
            }
        }
    }

    fn change(&mut self, what: &dyn std::fmt::Debug, commit: &CommitInfo, reached: &CommitInfo) {
        self.debug(what);
        self.commit(commit);
        self.commit(reached);
    }

    fn commit(&mut self, commit: &CommitInfo) {
        self.part(commit.id.as_bytes());
    }
}

struct Streamed<'h>(&'h mut blake3::Hasher);

impl std::fmt::Write for Streamed<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// The hash of a linked file's bytes (hex), `None` for no file.
pub(crate) fn file_hash(bytes: Option<&[u8]>) -> Option<String> {
    bytes.map(|b| blake3::hash(b).to_hex().to_string())
}

/// The stamp at `file`, if it is a regular file holding one of this format.
pub fn load(file: &Path) -> Option<Stamp> {
    let meta = std::fs::symlink_metadata(file).ok()?;
    if !meta.is_file() {
        return None;
    }
    let stamp: Stamp = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
    (stamp.format == FORMAT).then_some(stamp)
}

/// What the last build's site is worth to this one.
pub(crate) enum Verdict {
    /// The folder holds exactly the site this build would write.
    Unchanged,
    /// Render, keeping what [`Kept`] names from the folder.
    Keep(Kept),
}

/// What a build may keep from the site in its folder.
#[derive(Debug, Default)]
pub(crate) struct Kept {
    /// Entity pages (site paths) whose inputs are the ones they were
    /// rendered from; their pilots' badges too.
    pub pages: std::collections::HashSet<String>,
    /// The drawings (`timeline.html`, `graph.html`) by site path, with the
    /// hash of the input the folder's copy was drawn from.
    pub drawings: BTreeMap<String, String>,
    /// Hash the drawings' inputs for the stamp (a build that keeps one).
    pub record: bool,
}

impl Kept {
    /// The hash of the drawing at `path`'s input, when a stamp will keep
    /// it, and whether the folder's copy was drawn from the same input.
    pub(crate) fn drawing(
        &self,
        path: &str,
        input: &dyn std::fmt::Debug,
    ) -> (Option<String>, bool) {
        if !self.record {
            return (None, false);
        }
        let hash = drawing_hash(input);
        let same = self.drawings.get(path) == Some(&hash);
        (Some(hash), same)
    }
}

/// The hash of a drawing's input (hex), by its `Debug` text.
pub(crate) fn drawing_hash(input: &dyn std::fmt::Debug) -> String {
    let mut h = Hashing(blake3::Hasher::new());
    h.debug(input);
    h.0.finalize().to_hex().to_string()
}

/// Compare this build's inputs with the stamp of the site in `out`: the
/// folder must hold exactly the files the stamp lists, unchanged, and the
/// linked files, read again through `read`, must hash the same; then
/// either nothing changed, or what every page reads did not and the
/// pages whose own inputs are the same may be kept.
pub(crate) fn compare(
    stamp: &Stamp,
    inputs: &Inputs,
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    out: &Path,
) -> Verdict {
    let nothing = || Verdict::Keep(Default::default());
    if listing(out).as_ref() != Some(&stamp.files) {
        return nothing();
    }
    let linked: BTreeMap<String, Option<String>> = stamp
        .linked
        .keys()
        .map(|path| (path.clone(), file_hash(read(path).as_deref())))
        .collect();
    if inputs.with_linked(&linked) == stamp.inputs {
        return Verdict::Unchanged;
    }
    // The linked files need not match: a page that may link is never
    // kept, so every file carried is carried by a page rendered now.
    if inputs.global != stamp.global {
        return nothing();
    }
    let pages = inputs
        .pages
        .iter()
        .filter(|(path, hash)| {
            stamp.page_inputs.get(*path) == Some(hash) && stamp.files.contains_key(*path)
        })
        .map(|(path, _)| path.clone())
        .collect();
    let drawings = stamp
        .drawings
        .iter()
        .filter(|(path, _)| stamp.files.contains_key(*path))
        .map(|(path, hash)| (path.clone(), hash.clone()))
        .collect();
    Verdict::Keep(Kept {
        pages,
        drawings,
        record: true,
    })
}

/// The stamp of the site just written into `out`.
pub(crate) fn make(
    inputs: Inputs,
    (linked, drawings): (BTreeMap<String, Option<String>>, BTreeMap<String, String>),
    out: &Path,
    (pages, written): (usize, usize),
) -> Option<Stamp> {
    Some(Stamp {
        format: FORMAT,
        inputs: inputs.with_linked(&linked),
        linked,
        global: inputs.global,
        page_inputs: inputs.pages,
        drawings,
        files: listing(out)?,
        pages,
        written,
    })
}

/// Every regular file below `out` with its size and time; `None` when the
/// folder cannot be read or holds anything else (a link, a special file).
fn listing(out: &Path) -> Option<BTreeMap<String, FileStamp>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.ok()?;
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return None;
        }
        let meta = entry.metadata().ok()?;
        let modified_ns = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        let rel = entry.path().strip_prefix(out).ok()?;
        let rel = rel.to_str()?.replace(std::path::MAIN_SEPARATOR, "/");
        files.insert(
            rel,
            FileStamp {
                len: meta.len(),
                modified_ns,
            },
        );
    }
    Some(files)
}

/// Keep `stamp` at `file`: written under a fresh name beside it, then
/// renamed over it (a link planted at either name is never written
/// through). Failures are ignored: the next build renders again.
pub fn store(file: &Path, stamp: &Stamp) {
    let Some(dir) = file.parent() else {
        return;
    };
    let linked_dir = std::fs::symlink_metadata(dir).map_or(true, |m| m.file_type().is_symlink());
    if linked_dir {
        return;
    }
    let tmp: PathBuf = dir.join(format!(
        ".site-stamp.{}.{}.tmp",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    ));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|f| {
            let mut f = std::io::BufWriter::new(f);
            serde_json::to_writer(&mut f, stamp).map_err(std::io::Error::other)?;
            std::io::Write::flush(&mut f)
        })
        .and_then(|()| std::fs::rename(&tmp, file));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Forget the stamp at `file` (a build that keeps none must not leave an
/// older one that could match later).
pub fn remove(file: &Path) {
    let _ = std::fs::remove_file(file);
}
