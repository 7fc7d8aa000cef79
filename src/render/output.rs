//! Writing the site: into a temporary folder beside the output, swapped in
//! only when every file was written, so a failed build leaves the previous
//! site as it was.
//!
//! pilotbook only ever replaces a folder it created: the site carries a
//! marker file, and an existing output folder without it (and not empty)
//! is refused. The output folder may never be the repository root, one of
//! its parents, or a parent of the current folder.

use std::path::{Path, PathBuf};

/// The marker file in every site pilotbook writes.
pub const MARKER: &str = ".pilotbook-site";

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output folder would contain the repository or the current folder.
    #[error("{}: refusing to write the site here, it contains {what}; choose a folder inside it, e.g. `site/`", path.display())]
    Unsafe {
        /// The output folder.
        path: PathBuf,
        /// What it would contain.
        what: &'static str,
    },
    /// The output folder exists and was not made by pilotbook.
    #[error("{}: refusing to replace a folder pilotbook did not create (no {MARKER} in it); remove it or choose another --out", path.display())]
    Foreign {
        /// The output folder.
        path: PathBuf,
    },
    /// A file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A test hook at every write point: with `PILOTBOOK_FAIL_AT=N` set, the
/// N-th write point fails as a full disk would. Compiled into debug builds
/// only, so that tests can prove a failure anywhere leaves the previous
/// site intact and no temporary folder behind; release builds ignore it.
#[cfg(debug_assertions)]
fn fault(point: &str, path: &Path) -> Result<(), OutputError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let Some(n) = std::env::var("PILOTBOOK_FAIL_AT")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return Ok(());
    };
    let k = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    if k == n {
        return Err(io(path)(std::io::Error::other(format!(
            "injected failure at write point {k} ({point})"
        ))));
    }
    Ok(())
}

#[cfg(not(debug_assertions))]
fn fault(_point: &str, _path: &Path) -> Result<(), OutputError> {
    Ok(())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The absolute, normalised form of a path that may not exist yet.
fn absolute(path: &Path) -> PathBuf {
    let base = if path.is_absolute() {
        PathBuf::new()
    } else {
        std::env::current_dir().unwrap_or_default()
    };
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    // Resolve symlinks in the part that exists.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// Check that `out` is a safe place for a site built from `root`.
pub fn check_target(out: &Path, root: &Path) -> Result<PathBuf, OutputError> {
    let out_abs = absolute(out);
    let root_abs = absolute(root);
    let cwd = absolute(Path::new("."));
    if root_abs.starts_with(&out_abs) {
        return Err(OutputError::Unsafe {
            path: out.to_path_buf(),
            what: "the repository",
        });
    }
    if cwd.starts_with(&out_abs) {
        return Err(OutputError::Unsafe {
            path: out.to_path_buf(),
            what: "the current folder",
        });
    }
    if out_abs.exists() {
        let empty = std::fs::read_dir(&out_abs)
            .map_err(io(out))?
            .next()
            .is_none();
        if !empty && !out_abs.join(MARKER).exists() {
            return Err(OutputError::Foreign {
                path: out.to_path_buf(),
            });
        }
    }
    Ok(out_abs)
}

/// A site being written: files go into a temporary folder beside the
/// output, in parallel, and [`Staging::commit`] swaps it in. Dropped
/// without a commit, it removes what it wrote.
///
/// A file whose bytes equal the previous site's copy is hard-linked from
/// it instead of written: a rebuild then allocates no inode for an
/// unchanged page, and removing the previous site only drops names. Files
/// are never changed in place, so the two sites cannot affect each other.
pub struct Staging {
    out_abs: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    /// The site being replaced, when pilotbook wrote it.
    previous: Option<PathBuf>,
    /// Folders made so far, so that each is made once.
    dirs: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    files: std::sync::atomic::AtomicUsize,
    committed: bool,
}

impl Staging {
    /// Check `out` (see [`check_target`]) and make the temporary folder.
    pub fn begin(out: &Path, root: &Path) -> Result<Staging, OutputError> {
        let out_abs = check_target(out, root)?;
        let parent = out_abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = out_abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let tmp = parent.join(format!(".{name}.pilotbook-new-{}", std::process::id()));
        let old = parent.join(format!(".{name}.pilotbook-old-{}", std::process::id()));
        let previous = out_abs.join(MARKER).is_file().then(|| out_abs.clone());
        let staging = Staging {
            out_abs,
            tmp: tmp.clone(),
            old,
            previous,
            dirs: Default::default(),
            files: Default::default(),
            committed: false,
        };
        if tmp.exists() {
            fault("remove a stale temporary folder", &tmp)?;
            std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        fault("create the temporary folder", &tmp)?;
        std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        staging.dirs.lock().map_err(|_| poisoned(&tmp))?.insert(tmp);
        Ok(staging)
    }

    /// Write one file (a site-relative path with `/`); safe to call from
    /// several threads at once.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.prepare(rel)?;
        if let Some(previous) = &self.previous {
            let before = previous.join(rel);
            if same_bytes(&before, bytes) && std::fs::hard_link(&before, &path).is_ok() {
                return Ok(());
            }
        }
        std::fs::write(&path, bytes).map_err(io(&path))
    }

    /// Write one file by streaming it (a file too large to hold whole).
    pub fn write_with(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let path = self.prepare(rel)?;
        let file = std::fs::File::create(&path).map_err(io(&path))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut out)
            .and_then(|()| std::io::Write::flush(&mut out))
            .map_err(io(&path))
    }

    /// Check `rel`, make its folder, and pass the write point: the path to
    /// write.
    fn prepare(&self, rel: &str) -> Result<PathBuf, OutputError> {
        // Paths come from validated ids and kind names; refuse anything else.
        if rel
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
            || rel.starts_with('/')
        {
            return Err(OutputError::Io {
                path: PathBuf::from(rel),
                source: std::io::Error::other("not a plain relative path"),
            });
        }
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            let made = self.dirs.lock().map_err(|_| poisoned(dir))?.contains(dir);
            if !made {
                fault("create a folder", dir)?;
                std::fs::create_dir_all(dir).map_err(io(dir))?;
                self.dirs
                    .lock()
                    .map_err(|_| poisoned(dir))?
                    .insert(dir.to_path_buf());
            }
        }
        fault("write a file", &path)?;
        self.files
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(path)
    }

    /// The temporary folder the site is written into.
    pub fn temporary(&self) -> &Path {
        &self.tmp
    }

    /// How many files were written.
    pub fn files(&self) -> usize {
        self.files.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Swap the new site in and remove the previous one.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let (tmp, old, out_abs) = (&self.tmp, &self.old, &self.out_abs);
        fault("write the marker", tmp)?;
        std::fs::write(
            tmp.join(MARKER),
            b"This folder was written by pilotbook build.\n",
        )
        .map_err(io(tmp))?;
        if out_abs.exists() {
            fault("move the previous site aside", out_abs)?;
            std::fs::rename(out_abs, old).map_err(io(out_abs))?;
        }
        if let Err(e) = fault("move the new site in", out_abs)
            .and_then(|()| std::fs::rename(tmp, out_abs).map_err(io(out_abs)))
        {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(old, out_abs);
            return Err(e);
        }
        self.committed = true;
        if old.exists() {
            // The new site is in place; only the previous copy is left over.
            fault("remove the previous site", old)?;
            std::fs::remove_dir_all(old).map_err(io(old))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed && self.tmp.exists() {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

fn poisoned(path: &Path) -> OutputError {
    io(path)(std::io::Error::other("a writer thread panicked"))
}

/// Whether the file at `path` holds exactly `bytes` (false when unreadable
/// or not a plain file: a symlink planted in the site is never followed).
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            std::fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}
