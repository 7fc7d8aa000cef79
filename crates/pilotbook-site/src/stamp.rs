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

pub(crate) use crate::reuse::What;
use crate::reuse::{self, Hashing, PageInputs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped whenever what the hash covers or the stamp's shape changes.
const FORMAT: u32 = 4;

/// What a build wrote, and from what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    format: u32,
    /// The inputs' hash, linked files included (hex).
    inputs: String,
    /// The linked files read, by repository path: the hash of their bytes
    /// (hex), or `None` when there was no such file.
    linked: BTreeMap<String, Option<String>>,
    /// The inputs of the entity pages that may be kept.
    page_inputs: PageInputs,
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
    /// What every page reads.
    pub(crate) global: blake3::Hash,
    /// Each entity's own inputs, by index (see [`reuse::own`]).
    pub(crate) own: Vec<blake3::Hash>,
}

impl Inputs {
    /// Hash what the render reads.
    pub(crate) fn of(what: &What) -> Inputs {
        let _phase = tracing::info_span!("stamp").entered();
        let global = reuse::global(what);
        let own = reuse::own(what);
        let mut h = Hashing(blake3::Hasher::new());
        h.part(global.as_bytes());
        for hash in &own {
            h.part(hash.as_bytes());
        }
        // The head names the commit the export and source links are of.
        h.debug(&what.history.head);
        h.debug(what.report);
        Inputs {
            hasher: h.0,
            global,
            own,
        }
    }

    /// The hash with the linked files: their repository paths and the
    /// hashes of their bytes.
    fn with_linked(&self, linked: &BTreeMap<String, Option<String>>) -> String {
        let mut h = Hashing(self.hasher.clone());
        h.debug(linked);
        h.0.finalize().to_hex().to_string()
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
    /// The inputs the folder's entity pages were rendered from (those it
    /// still holds): a page whose inputs are the same is kept, and so is
    /// its pilot's badge (see [`PageInputs::unchanged`]).
    pub previous: Option<PageInputs>,
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
    // The linked files need not match: a page's hash covers the files its
    // links carry, and every carried file is read again and written.
    // What every page reads changed: nothing is kept, the drawings neither.
    if inputs.global.to_hex().as_str() != stamp.page_inputs.global {
        return nothing();
    }
    let mut previous = stamp.page_inputs.clone();
    previous
        .pages
        .retain(|path, _| stamp.files.contains_key(path));
    let drawings = stamp
        .drawings
        .iter()
        .filter(|(path, _)| stamp.files.contains_key(*path))
        .map(|(path, hash)| (path.clone(), hash.clone()))
        .collect();
    Verdict::Keep(Kept {
        previous: Some(previous),
        drawings,
        record: true,
    })
}

/// The stamp of the site just written into `out`.
pub(crate) fn make(
    inputs: Inputs,
    (linked, drawings): (BTreeMap<String, Option<String>>, BTreeMap<String, String>),
    page_inputs: PageInputs,
    out: &Path,
    (pages, written): (usize, usize),
) -> Option<Stamp> {
    Some(Stamp {
        format: FORMAT,
        inputs: inputs.with_linked(&linked),
        linked,
        page_inputs,
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
