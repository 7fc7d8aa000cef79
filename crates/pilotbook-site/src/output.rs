//! Writing the site: into a temporary folder beside the output, swapped in
//! only when every file was written, so a failed build leaves the previous
//! site as it was.
//!
//! pilotbook only ever replaces a folder it created: the site carries a
//! marker file, and an existing output folder without it (and not empty)
//! is refused. The output folder may never be the repository root, one of
//! its parents, or a parent of the current folder, and it is never reached
//! through a symbolic link: an output folder that is a link, or a folder
//! on its way inside the repository that is one (a committed `site` link
//! would send the build anywhere), is refused. Every file is created with
//! `create_new` in a folder pilotbook just made, so no planted link is
//! followed either.
//!
//! Builds into one folder queue: each holds an advisory lock on the output
//! folder's parent (the parent, not a lock file, so nothing is left
//! beside the site) from before it looks at the folder until the new site
//! is in. Holding it, a build removes the temporary folders that builds
//! killed earlier left behind (`kill -9` leaves them; SIGTERM and Ctrl-C
//! are answered by [`abandon_staging`], which the CLI calls). On Linux the new site
//! is swapped in with `renameat2(RENAME_EXCHANGE)`, so a reader always
//! finds a whole site at the output path; elsewhere (or on a file system
//! without it) the previous site is moved aside and the new one moved in,
//! two renames apart.

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
    /// The output folder, or a folder on its way inside the repository, is
    /// a symbolic link.
    #[error("{}: refusing to write the site through a symbolic link: `{}` points to `{}`; remove the link or choose another --out", path.display(), link.display(), target.display())]
    Link {
        /// The output folder.
        path: PathBuf,
        /// The link.
        link: PathBuf,
        /// Where it points.
        target: PathBuf,
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

/// `path` made absolute against the current folder, `.` and `..` taken
/// lexically; no link is resolved.
fn lexical(path: &Path) -> PathBuf {
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
    out
}

/// The absolute form of a path that may not exist yet: links resolved in
/// the part that exists.
fn absolute(path: &Path) -> PathBuf {
    let out = lexical(path);
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while std::fs::symlink_metadata(&existing).is_err() {
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

/// Refuse an output path that is a link, or passes through a link inside
/// the repository (`root_abs`, resolved). Links above the repository, or
/// on the way to an output folder elsewhere, are the user's own (`/tmp`
/// is a link on macOS) and are followed.
fn refuse_links(out: &Path, root_abs: &Path) -> Result<(), OutputError> {
    let lexical = lexical(out);
    let mut at = PathBuf::new();
    let last = lexical.components().count();
    for (i, c) in lexical.components().enumerate() {
        at.push(c);
        let Ok(meta) = std::fs::symlink_metadata(&at) else {
            return Ok(());
        };
        if !meta.file_type().is_symlink() {
            continue;
        }
        let in_repo = at
            .parent()
            .and_then(|p| p.canonicalize().ok())
            .is_some_and(|p| p.starts_with(root_abs));
        if i + 1 == last || in_repo {
            return Err(OutputError::Link {
                path: out.to_path_buf(),
                link: at.clone(),
                target: std::fs::read_link(&at).unwrap_or_default(),
            });
        }
    }
    Ok(())
}

/// Check that `out` is a safe place for a site built from `root`.
pub fn check_target(out: &Path, root: &Path) -> Result<PathBuf, OutputError> {
    let root_abs = absolute(root);
    refuse_links(out, &root_abs)?;
    let out_abs = absolute(out);
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
        if !empty && !is_file(&out_abs.join(MARKER)) {
            return Err(OutputError::Foreign {
                path: out.to_path_buf(),
            });
        }
    }
    Ok(out_abs)
}

/// Whether `path` is a regular file (a link is not).
fn is_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// Held by every write into a staging folder (shared), and taken whole by
/// [`abandon_staging`], which never gives it back: no write follows the cleanup.
static WRITES: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// This process's staging folders not swapped in yet, for [`abandon_staging`].
static PENDING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Remove this process's staging folders at once and stop every further
/// write: what a build does on SIGTERM or Ctrl-C before it exits. Waits
/// for writes under way (and a swap under way) to finish first.
pub fn abandon_staging() {
    let guard = WRITES.write().unwrap_or_else(|e| e.into_inner());
    let pending = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()));
    for dir in pending {
        let _ = std::fs::remove_dir_all(dir);
    }
    // The process is about to exit; writers stay blocked until it does.
    std::mem::forget(guard);
}

fn writing() -> std::sync::RwLockReadGuard<'static, ()> {
    WRITES.read().unwrap_or_else(|e| e.into_inner())
}

fn pending(dir: &Path, add: bool) {
    let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    if add {
        pending.push(dir.to_path_buf());
    } else {
        pending.retain(|d| d != dir);
    }
}

/// The advisory lock that makes builds into one output folder queue.
///
/// On Unix it is a `flock` on the output's parent folder, which leaves no
/// file behind; elsewhere a lock file beside the output. It is released
/// when dropped, or when the process dies however it dies.
struct OutputLock {
    _file: Option<std::fs::File>,
}

impl OutputLock {
    /// Take the lock, waiting for the build that holds it; `on_wait` is
    /// told when there is one. `None` inside when the file system has no
    /// locks (then stale folders are left alone: another build may own
    /// them).
    fn acquire(parent: &Path, name: &str, on_wait: Option<fn(&Path)>) -> Result<Self, OutputError> {
        #[cfg(unix)]
        let (file, _) = (std::fs::File::open(parent).map_err(io(parent))?, name);
        #[cfg(not(unix))]
        let file = {
            let path = parent.join(format!(".{name}.pilotbook-lock"));
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(io(&path))?
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                if let Some(tell) = on_wait {
                    tell(&parent.join(name));
                }
                file.lock().map_err(io(parent))?;
            }
            Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                return Ok(OutputLock { _file: None });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(parent)(e)),
        }
        Ok(OutputLock { _file: Some(file) })
    }

    fn held(&self) -> bool {
        self._file.is_some()
    }
}

/// The names of a site's temporary siblings: `.<name>.pilotbook-new-<pid>`
/// while it is written, `-old-` for the previous site set aside.
fn staging_prefixes(name: &str) -> [String; 2] {
    [
        format!(".{name}.pilotbook-new-"),
        format!(".{name}.pilotbook-old-"),
    ]
}

/// Remove the temporary folders earlier builds into `parent/name` left
/// behind (killed with `kill -9`, or out of power). Called with the lock
/// held, so no build that could own one is running.
fn remove_stale(parent: &Path, name: &str) -> Result<(), OutputError> {
    let prefixes = staging_prefixes(name);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let path = entry.path();
            fault("remove a stale temporary folder", &path)?;
            // Never follows a link: a planted one is removed, not its target.
            std::fs::remove_dir_all(&path)
                .or_else(|_| std::fs::remove_file(&path))
                .map_err(io(&path))?;
        }
    }
    Ok(())
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
    /// Held until the new site is in (dropped last).
    _lock: OutputLock,
}

impl Staging {
    /// Take the output folder's lock (telling `on_wait` when another build
    /// holds it), check `out` (see [`check_target`]), remove what killed
    /// builds left, and make the temporary folder.
    pub fn begin(
        out: &Path,
        root: &Path,
        on_wait: Option<fn(&Path)>,
    ) -> Result<Staging, OutputError> {
        let planned = absolute(out);
        let parent = planned.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = planned
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        refuse_links(out, &absolute(root))?;
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let lock = OutputLock::acquire(&parent, &name, on_wait)?;
        // Looked at again under the lock: the previous build may have
        // changed it.
        let out_abs = check_target(out, root)?;
        if lock.held() {
            remove_stale(&parent, &name)?;
        }
        let tmp = parent.join(format!(".{name}.pilotbook-new-{}", std::process::id()));
        let old = parent.join(format!(".{name}.pilotbook-old-{}", std::process::id()));
        let previous = is_file(&out_abs.join(MARKER)).then(|| out_abs.clone());
        let _writing = writing();
        if std::fs::symlink_metadata(&tmp).is_ok() {
            fault("remove a stale temporary folder", &tmp)?;
            std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        fault("create the temporary folder", &tmp)?;
        std::fs::create_dir(&tmp).map_err(io(&tmp))?;
        pending(&tmp, true);
        let staging = Staging {
            out_abs,
            tmp: tmp.clone(),
            old,
            previous,
            dirs: Default::default(),
            files: Default::default(),
            committed: false,
            _lock: lock,
        };
        staging.dirs.lock().map_err(|_| poisoned(&tmp))?.insert(tmp);
        Ok(staging)
    }

    /// Write one file (a site-relative path with `/`); safe to call from
    /// several threads at once.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let _writing = writing();
        let path = self.prepare(rel)?;
        if let Some(previous) = &self.previous {
            let before = previous.join(rel);
            if same_bytes(&before, bytes) && std::fs::hard_link(&before, &path).is_ok() {
                return Ok(());
            }
        }
        let mut file = create_new(&path)?;
        std::io::Write::write_all(&mut file, bytes).map_err(io(&path))
    }

    /// Keep the previous site's file at `rel` (hard-linked, or copied
    /// where a link cannot be made): the caller knows it is unchanged.
    pub fn keep(&self, rel: &str) -> Result<(), OutputError> {
        let _writing = writing();
        let path = self.prepare(rel)?;
        let Some(previous) = &self.previous else {
            return Err(io(&path)(std::io::Error::other(
                "no previous site to keep a page from",
            )));
        };
        let before = previous.join(rel);
        if std::fs::hard_link(&before, &path).is_ok() {
            return Ok(());
        }
        std::fs::copy(&before, &path).map(drop).map_err(io(&path))
    }

    /// Write one file by streaming it (a file too large to hold whole).
    pub fn write_with(
        &self,
        rel: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let _writing = writing();
        let path = self.prepare(rel)?;
        let file = create_new(&path)?;
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

    /// How many files were written.
    pub fn files(&self) -> usize {
        self.files.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Swap the new site in and remove the previous one.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let _writing = writing();
        let tmp = self.tmp.clone();
        fault("write the marker", &tmp)?;
        let mut marker = create_new(&tmp.join(MARKER))?;
        std::io::Write::write_all(
            &mut marker,
            b"This folder was written by pilotbook build.\n",
        )
        .map_err(io(&tmp))?;
        let leftover = match self.swap_in()? {
            Swapped::Exchanged => tmp.clone(),
            Swapped::MovedAside => self.old.clone(),
            Swapped::Fresh => return Ok(()),
        };
        // The new site is in place; only the previous copy is left over.
        fault("remove the previous site", &leftover)?;
        std::fs::remove_dir_all(&leftover).map_err(io(&leftover))?;
        Ok(())
    }

    /// Put the new site at the output path.
    fn swap_in(&mut self) -> Result<Swapped, OutputError> {
        let (tmp, old, out_abs) = (&self.tmp, &self.old, &self.out_abs);
        let exists = std::fs::symlink_metadata(out_abs).is_ok();
        fault("move the new site in", out_abs)?;
        if !exists {
            std::fs::rename(tmp, out_abs).map_err(io(out_abs))?;
            self.swapped();
            return Ok(Swapped::Fresh);
        }
        if exchange(tmp, out_abs).map_err(io(out_abs))? {
            self.swapped();
            return Ok(Swapped::Exchanged);
        }
        std::fs::rename(out_abs, old).map_err(io(out_abs))?;
        if let Err(e) = std::fs::rename(tmp, out_abs) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(old, out_abs);
            return Err(io(out_abs)(e));
        }
        self.swapped();
        Ok(Swapped::MovedAside)
    }

    /// The new site is in: nothing of this build is left to abandon.
    fn swapped(&mut self) {
        self.committed = true;
        pending(&self.tmp, false);
    }
}

/// How the new site went in.
enum Swapped {
    /// There was no previous site.
    Fresh,
    /// Exchanged with the previous site, which is now at the temporary path.
    Exchanged,
    /// The previous site was moved aside first.
    MovedAside,
}

/// Swap two folders in one step; `false` where the system cannot (not
/// Linux, or a file system without `RENAME_EXCHANGE`).
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Create a file that must not exist yet: never follows a link.
fn create_new(path: &Path) -> Result<std::fs::File, OutputError> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io(path))
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _writing = writing();
            if std::fs::symlink_metadata(&self.tmp).is_ok() {
                let _ = std::fs::remove_dir_all(&self.tmp);
            }
            pending(&self.tmp, false);
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
