//! Whether the site in the output folder is already the one this build
//! would write, so that a build with nothing changed writes nothing.
//!
//! A site is a function of what the render reads: pilotbook's version and
//! built-in templates, the template overrides, the config, every
//! document's path and text, the history, the findings, the build's base
//! URL and date, and the bytes of the files pages link to. A build hashes
//! those (BLAKE3) and keeps the hash in a stamp, with the files it wrote
//! (size and modification time) and the linked files it read. The next
//! build whose inputs hash the same, into a folder that still holds
//! exactly those files, leaves the folder alone. Anything else — no stamp,
//! another hash, a file added, removed or touched in the folder — renders
//! the whole site as a cold build does, so the two are byte-identical.
//!
//! The stamp lives beside the history cache (the caller says where), never
//! in the working tree or the output folder, where anyone who can commit
//! could plant one; it is written under a fresh name and renamed, and read
//! only from a regular file. A build with findings of its own
//! (`page-too-large`) keeps no stamp, so those are reported every time.

use pilotbook_core::config::Config;
use pilotbook_core::diagnostics::Report;
use pilotbook_core::history::{
    CommitInfo, DocumentHistory, FieldChange, History, MilestoneChange, MilestoneSlip,
    StatusChange, TargetChange,
};
use pilotbook_core::model::{Date, Portfolio};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped whenever what the hash covers or the stamp's shape changes.
const FORMAT: u32 = 1;

/// What a build wrote, and from what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    format: u32,
    /// The inputs' hash, linked files included (hex).
    inputs: String,
    /// The linked files read, by repository path: the hash of their bytes
    /// (hex), or `None` when there was no such file.
    linked: BTreeMap<String, Option<String>>,
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
    hasher: blake3::Hasher,
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
        for e in &what.portfolio.entities {
            h.debug(&(e.kind, &e.id, e.duplicate));
            if let Some(d) = &e.document {
                h.part(d.path.as_bytes());
                h.part(d.parsed.text.as_bytes());
            }
        }
        h.history(what.history);
        h.debug(what.report);
        h.debug(&(what.base_url, what.today));
        Inputs { hasher: h.0 }
    }

    /// The hash with the linked files: their repository paths and the
    /// hashes of their bytes.
    fn with_linked(&self, linked: &BTreeMap<String, Option<String>>) -> String {
        let mut h = Hashing(self.hasher.clone());
        h.debug(linked);
        h.0.finalize().to_hex().to_string()
    }
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

/// The history, by what determines it. A commit is its id: git names a
/// commit by the hash of its content, and [`CommitInfo`] is read from that
/// content alone, so the id stands for the date, author and summary (at
/// 10,000 pilots, formatting every commit of every document took most of
/// the stamp's time). Each struct is taken apart field by field, without
/// `..`, so that a field added to the history fails to compile here
/// until it is hashed (or said not to matter).
impl Hashing {
    fn history(&mut self, history: &History) {
        let History {
            unavailable,
            head,
            root_prefix,
            documents,
            // How the history was read (walked, or from the cache), not
            // what it is.
            notes: _,
            cache_file: _,
        } = history;
        self.debug(&(unavailable, head, root_prefix));
        for (path, document) in documents {
            self.part(path.as_bytes());
            self.document(document);
        }
    }

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

/// Whether `out` holds the site `stamp` describes, made from these inputs:
/// the linked files read again (through `read`) hash the same, and the
/// folder holds exactly the files the stamp lists, unchanged.
pub(crate) fn holds(
    stamp: &Stamp,
    inputs: &Inputs,
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    out: &Path,
) -> bool {
    let linked: BTreeMap<String, Option<String>> = stamp
        .linked
        .keys()
        .map(|path| (path.clone(), file_hash(read(path).as_deref())))
        .collect();
    inputs.with_linked(&linked) == stamp.inputs && listing(out).as_ref() == Some(&stamp.files)
}

/// The stamp of the site just written into `out`.
pub(crate) fn make(
    inputs: &Inputs,
    linked: BTreeMap<String, Option<String>>,
    out: &Path,
    (pages, written): (usize, usize),
) -> Option<Stamp> {
    Some(Stamp {
        format: FORMAT,
        inputs: inputs.with_linked(&linked),
        linked,
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
