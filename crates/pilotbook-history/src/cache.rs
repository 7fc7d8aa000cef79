//! The history cache: the walk, the front-matter facts and the finished
//! histories ([`super::kept`]), kept between runs so that an unchanged
//! repository is not walked twice and a new commit only walks what is new.
//!
//! It is pilotbook's own data, never the repository's: it lives in
//! `<git dir>/pilotbook/` (per worktree), in `--cache-dir`, or, when the
//! git folder cannot be written, in the user's cache folder
//! (`$XDG_CACHE_HOME/pilotbook`, `~/Library/Caches/pilotbook`,
//! `%LOCALAPPDATA%\pilotbook`). A cache in the working tree could be
//! committed by anyone who can open a pull request, so none is ever read
//! from there: the `.pilotbook-cache/` older versions wrote is ignored
//! (a note under `--verbose`), and a `--cache-dir` inside the working tree
//! is refused when it is a symbolic link or its file is tracked by git.
//! No symbolic link is followed to write: the folder is checked, and the
//! file is written under a fresh name and renamed into place.
//!
//! Each file is bound to pilotbook's version, the cache format, and what
//! decides the walk (the root's place in the repository and the kinds'
//! globs), and holds the commit it was walked to; the caller checks that
//! the commit still exists and that HEAD descends from it before using a
//! byte of it. The file is postcard (compact binary serde): loading a
//! 100,000-commit walk from JSON took half a second, most of a warm
//! `check`. It is an optimisation only: an unreadable, outdated or foreign
//! file is ignored, and a failed write is not an error.

use super::facts::{Compact, Strings};
use super::kept::Kept;
use super::odb::ObjectId;
use super::walk::Walk;
use pilotbook_core::config::Config;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The folder older versions kept their cache in, inside the working tree.
pub const LEGACY_DIR: &str = ".pilotbook-cache";
/// The folder below the git dir.
const GIT_DIR_FOLDER: &str = "pilotbook";
/// Bumped whenever [`Stored`] changes shape or meaning.
const FORMAT: u32 = 9;

/// What is kept.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Stored {
    /// The walk, up to its head.
    pub walk: Walk,
    /// Every text the facts name.
    pub strings: Strings,
    /// Facts by blob id: a blob's content never changes.
    pub facts: HashMap<ObjectId, Compact>,
    /// Each document's finished history at the walk's head.
    pub kept: Kept,
}

/// What a file must say before its body is read.
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    version: String,
    key: String,
}

/// The cache key for a config and root prefix.
pub fn key(config: &Config, root_prefix: &str) -> String {
    let mut key = format!("root:{root_prefix}");
    for kind in &config.kinds {
        key.push_str(&format!(
            "|{}:{}:{}",
            kind.name,
            kind.paths.join(","),
            kind.exclude.join(",")
        ));
    }
    key
}

/// FNV-1a: a stable name for a key (not a defence: the header holds the
/// key itself and is compared in full).
fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Where a repository's cache file is.
pub struct Place<'a> {
    /// The repository's git dir (per worktree).
    pub git_dir: &'a Path,
    /// Its working tree.
    pub workdir: &'a Path,
    /// `--cache-dir`, if given.
    pub dir: Option<&'a Path>,
    /// Whether git tracks a working-tree path (relative, `/`-separated).
    pub is_tracked: &'a dyn Fn(&str) -> bool,
}

/// The cache file for `key`, or `None` (with a note saying why) when there
/// is no place pilotbook may use.
pub fn locate(place: &Place, key: &str, notes: &mut Vec<String>) -> Option<PathBuf> {
    let legacy = place.workdir.join(LEGACY_DIR);
    if std::fs::symlink_metadata(&legacy).is_ok() {
        notes.push(format!(
            "ignored {}: a cache in the working tree is untrusted (anyone can commit one); the history cache is kept outside it",
            legacy.display()
        ));
    }
    let repository = fingerprint(&place.git_dir.display().to_string());
    let shared_name = format!(
        "history-{}.postcard",
        fingerprint(&format!("{repository}|{key}"))
    );
    if let Some(dir) = place.dir {
        let dir = absolute(dir);
        if let Some(rel) = inside(&dir, place.workdir) {
            if let Some(link) = symlink_below(place.workdir, &rel) {
                notes.push(format!(
                    "not using --cache-dir {}: {} is a symbolic link inside the working tree",
                    dir.display(),
                    link.display()
                ));
                return None;
            }
            let file = format!("{}/{shared_name}", rel.trim_end_matches('/'));
            if (place.is_tracked)(file.trim_start_matches('/')) {
                notes.push(format!(
                    "not using --cache-dir {}: git tracks {file}, and a committed cache is untrusted",
                    dir.display()
                ));
                return None;
            }
        }
        return Some(dir.join(shared_name));
    }
    let own = place.git_dir.join(GIT_DIR_FOLDER);
    let name = format!("history-{}.postcard", fingerprint(key));
    match std::fs::symlink_metadata(&own) {
        Ok(meta) if meta.file_type().is_symlink() => {
            notes.push(format!(
                "not using the history cache: {} is a symbolic link, which pilotbook does not follow",
                own.display()
            ));
            None
        }
        Ok(meta) if meta.is_dir() => Some(own.join(name)),
        Ok(_) => user_cache(&shared_name, notes),
        Err(_) => match std::fs::create_dir(&own) {
            Ok(()) => Some(own.join(name)),
            Err(_) => user_cache(&shared_name, notes),
        },
    }
}

/// The file in the user's cache folder, used when the git dir cannot be
/// written.
fn user_cache(name: &str, notes: &mut Vec<String>) -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Caches"))
    } else {
        env("XDG_CACHE_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| env("HOME").map(|h| h.join(".cache")))
    };
    match base {
        Some(base) => {
            let dir = base.join("pilotbook");
            notes.push(format!(
                "the git folder cannot be written; the history cache is kept in {}",
                dir.display()
            ));
            Some(dir.join(name))
        }
        None => {
            notes.push("not using the history cache: the git folder cannot be written and there is no user cache folder".into());
            None
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// `path` relative to `root` when it lies inside it (lexically, without
/// following links), `/`-separated.
fn inside(path: &Path, root: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    let root_parts: Vec<String> = root
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts
        .strip_prefix(root_parts.as_slice())
        .map(|rest| rest.join("/"))
}

/// The first symbolic link among the folders of `rel` below `root`.
fn symlink_below(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut at = root.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => return Some(at),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// The stored walk, if the file is pilotbook's, of this version and format,
/// for this key; never read through a symbolic link.
pub fn load(file: &Path, key: &str) -> Option<Stored> {
    let meta = std::fs::symlink_metadata(file).ok()?;
    if !meta.is_file() {
        return None;
    }
    let bytes = std::fs::read(file).ok()?;
    let (header, body) = postcard::take_from_bytes::<Header>(&bytes).ok()?;
    let ours =
        header.format == FORMAT && header.version == env!("CARGO_PKG_VERSION") && header.key == key;
    if !ours {
        return None;
    }
    let mut stored: Stored = postcard::from_bytes(body).ok()?;
    stored.strings.reindex();
    Some(stored)
}

/// Store the walk; failures are ignored (a read-only checkout still works).
pub fn store(file: &Path, key: &str, stored: &Stored) {
    let write = || -> std::io::Result<()> {
        let dir = file
            .parent()
            .ok_or_else(|| std::io::Error::other("no folder"))?;
        std::fs::create_dir_all(dir)?;
        if std::fs::symlink_metadata(dir)?.file_type().is_symlink() {
            return Err(std::io::Error::other("the cache folder is a symbolic link"));
        }
        // Inside a working tree (a `--cache-dir`), the folder ignores itself.
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(".gitignore"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"*\n"));
        // A fresh name (`create_new` follows no link), then renamed over
        // the old file: a link planted at either name is never written through.
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            file.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("history"),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        ));
        let out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        // Streamed to the file: on a large history it is tens of MB.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        let header = Header {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            key: key.to_string(),
        };
        let written = postcard::to_io(&header, &mut out)
            .and_then(|out| postcard::to_io(stored, out))
            .map(drop)
            .map_err(std::io::Error::other)
            .and_then(|()| std::io::Write::flush(&mut out));
        drop(out);
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, file).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    };
    let _ = write();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_working_tree_are_found_lexically() {
        let root = Path::new("/repo");
        assert_eq!(
            inside(Path::new("/repo/.cache/pb"), root).as_deref(),
            Some(".cache/pb")
        );
        assert_eq!(
            inside(Path::new("/repo/a/../b"), root).as_deref(),
            Some("b")
        );
        assert_eq!(inside(Path::new("/repo/../elsewhere"), root), None);
        assert_eq!(inside(Path::new("/repository"), root), None);
    }

    #[test]
    fn a_file_from_another_version_format_or_key_is_not_loaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("history.postcard");
        let stored = Stored::default();
        store(&file, "k", &stored);
        assert!(load(&file, "k").is_some());
        assert!(load(&file, "other").is_none());
        let bytes = postcard::to_allocvec(&Header {
            format: FORMAT,
            version: "0.0.0-other".into(),
            key: "k".into(),
        })
        .expect("encode");
        std::fs::write(&file, bytes).expect("write");
        assert!(load(&file, "k").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_neither_read_nor_written_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).expect("mkdir");
        std::fs::write(elsewhere.join("target"), b"keep").expect("write");
        let cache = dir.path().join("cache");
        std::fs::create_dir(&cache).expect("mkdir");
        let file = cache.join("history.postcard");
        std::os::unix::fs::symlink(elsewhere.join("target"), &file).expect("symlink");
        assert!(load(&file, "k").is_none());
        store(&file, "k", &Stored::default());
        assert_eq!(
            std::fs::read(elsewhere.join("target")).expect("read"),
            b"keep"
        );
        assert!(
            load(&file, "k").is_some(),
            "the link was replaced by a file"
        );

        let linked = dir.path().join("linked");
        std::os::unix::fs::symlink(&elsewhere, &linked).expect("symlink");
        store(&linked.join("history.postcard"), "k", &Stored::default());
        assert_eq!(
            std::fs::read_dir(&elsewhere).expect("list").count(),
            1,
            "nothing written into a linked folder"
        );
    }
}
