//! The one way pilotbook reads a file of the repository.
//!
//! pilotbook runs in CI on pull requests and publishes what it reads, in a
//! job whose checkout holds a token in `.git/config`. So every file it reads
//! from the working tree — documents, template and asset overrides,
//! `pilotbook.toml` — is opened here, relative to the pilotbook root, and
//! only when:
//!
//! - every symbolic link on the way leads somewhere inside the root (links
//!   are resolved hop by hop, so that a dangling link and a loop are told
//!   apart and named);
//! - the file is not in a `.git` folder, whoever links there;
//! - it is a regular file: never a FIFO (opening one blocks), a device
//!   (`/dev/zero` never ends), a socket or a folder;
//! - it is no larger than the caller's cap, checked from the open handle's
//!   metadata before reading and enforced while reading (a file that grows
//!   in between is still read only to the cap).
//!
//! Anything else is a [`Refusal`] that says why, which callers turn into a
//! located finding (documents) or an error naming the file (config,
//! templates).
//!
//! On Linux the open itself is `openat2` relative to a handle on the root
//! with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`: the kernel refuses a path
//! that leaves the root or passes through a link, so the common case (no
//! link) costs one system call, and a link swapped in after the check is
//! refused rather than followed. A path with links is resolved here first
//! and its target opened the same way. Elsewhere (and on kernels without
//! `openat2`) the resolved path is opened with `O_NOFOLLOW`.
//!
//! Writes never follow links either. The site's are in `render/output.rs`;
//! the few files `init`, `new` and `templates` put in the repository are
//! made by [`create_file`] here, which takes the same care with links.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Linux gives up after 40 links in a row; so does this.
const MAX_HOPS: usize = 40;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Nothing is there.
    #[error("does not exist")]
    Missing,
    /// A symbolic link leads out of the root.
    #[error(
        "is a symbolic link to `{}`, outside the repository; it is not followed",
        target.display()
    )]
    Outside {
        /// Where the link leads.
        target: PathBuf,
    },
    /// A symbolic link leads into a `.git` folder.
    #[error(
        "is a symbolic link into the git folder (`{target}`); pilotbook never reads it, it holds credentials"
    )]
    GitDir {
        /// Where the link leads, relative to the root.
        target: String,
    },
    /// The path itself lies in a `.git` folder.
    #[error("is inside a git folder; pilotbook never reads it, it holds credentials")]
    InGitDir,
    /// A symbolic link to nothing.
    #[error("is a symbolic link to nothing (dangling); it is skipped")]
    Dangling,
    /// A symbolic link that loops.
    #[error("is a symbolic link that loops back to itself; it is skipped")]
    Loop,
    /// Not a regular file.
    #[error("is {what}, not a regular file; pilotbook reads only regular files")]
    NotAFile {
        /// What it is instead ("a FIFO", "a device", …).
        what: &'static str,
    },
    /// Larger than the cap.
    #[error("is {len} bytes; pilotbook reads at most {cap} bytes of it")]
    TooLarge {
        /// Its size (at least; it may have grown while read).
        len: u64,
        /// The cap.
        cap: u64,
    },
    /// The operating system said no.
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
}

impl Refusal {
    /// Whether the refusal is about a symbolic link (`symlink-skipped`)
    /// rather than the file itself (`unreadable-file`).
    pub fn is_link(&self) -> bool {
        matches!(
            self,
            Refusal::Outside { .. } | Refusal::GitDir { .. } | Refusal::Dangling | Refusal::Loop
        )
    }
}

/// Where a path inside the root leads, every link resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The real path, relative to the root, with `/`.
    pub rel: String,
    /// The real path on disk.
    pub abs: PathBuf,
    /// Whether it is a folder.
    pub is_dir: bool,
}

/// The pilotbook root, opened: every read below it goes through here.
#[derive(Debug)]
pub struct Root {
    /// The root as given.
    given: PathBuf,
    /// The root with every link resolved.
    real: PathBuf,
    /// A handle on the root for `openat2`.
    #[cfg(target_os = "linux")]
    dir: std::os::fd::OwnedFd,
}

impl Root {
    /// Open `path` as a root; it must be a folder.
    pub fn open(path: &Path) -> std::io::Result<Root> {
        let real = path.canonicalize()?;
        if !real.is_dir() {
            return Err(std::io::Error::other("not a directory"));
        }
        #[cfg(target_os = "linux")]
        let dir = {
            use rustix::fs::{Mode, OFlags};
            rustix::fs::open(
                &real,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?
        };
        Ok(Root {
            given: path.to_path_buf(),
            real,
            #[cfg(target_os = "linux")]
            dir,
        })
    }

    /// The root as given.
    pub fn path(&self) -> &Path {
        &self.given
    }

    /// The root with every link resolved.
    pub fn real(&self) -> &Path {
        &self.real
    }

    /// Where the root-relative path `rel` leads: its links followed while
    /// they stay inside the root and out of `.git`.
    pub fn resolve(&self, rel: &str) -> Result<Resolved, Refusal> {
        self.resolve_abs(&self.real.join(rel))
    }

    /// [`Root::resolve`] for an absolute path below the real root.
    pub fn resolve_abs(&self, abs: &Path) -> Result<Resolved, Refusal> {
        let target = follow(abs)?;
        let Ok(inside) = target.strip_prefix(&self.real) else {
            return Err(Refusal::Outside { target });
        };
        let rel = slash_path(inside);
        if in_git_dir(&rel) {
            return Err(Refusal::GitDir { target: rel });
        }
        let is_dir = target.is_dir();
        Ok(Resolved {
            rel,
            abs: target,
            is_dir,
        })
    }

    /// Read the root-relative file `rel`, at most `cap` bytes of it.
    pub fn read(&self, rel: &str, cap: u64) -> Result<Vec<u8>, Refusal> {
        if in_git_dir(rel) {
            return Err(Refusal::InGitDir);
        }
        let file = match self.open_no_links(rel) {
            Ok(file) => file,
            Err(e) if is_link_in_the_way(&e) => {
                let resolved = self.resolve(rel)?;
                self.open_no_links(&resolved.rel)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Refusal::Missing),
            Err(e) => return Err(e.into()),
        };
        read_capped(file, cap)
    }

    /// [`Root::read`], with `None` when there is no file at `rel` (a
    /// dangling link is still refused: someone meant it to be read).
    pub fn read_optional(&self, rel: &str, cap: u64) -> Result<Option<Vec<u8>>, Refusal> {
        match self.read(rel, cap) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(Refusal::Missing) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether `path` (absolute, or relative to the current folder) lies
    /// inside the root; its final component is not resolved, so a link
    /// inside the root counts as inside whatever it points at. The
    /// root-relative path when it does.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.canonicalize().ok()?,
            _ => std::env::current_dir().ok()?.canonicalize().ok()?,
        };
        let name = path.file_name()?;
        let inside = parent.strip_prefix(&self.real).ok()?;
        Some(slash_path(&inside.join(name)))
    }

    /// Open `rel` below the root without passing through any link.
    #[cfg(target_os = "linux")]
    fn open_no_links(&self, rel: &str) -> std::io::Result<std::fs::File> {
        use rustix::fs::{Mode, OFlags, ResolveFlags};
        use std::sync::atomic::{AtomicBool, Ordering};
        // Kernels before 5.6, and some sandboxes, have no openat2.
        static NO_OPENAT2: AtomicBool = AtomicBool::new(false);
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        if !NO_OPENAT2.load(Ordering::Relaxed) {
            let how =
                ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
            match rustix::fs::openat2(&self.dir, rel, flags, Mode::empty(), how) {
                Ok(fd) => return Ok(std::fs::File::from(fd)),
                Err(e)
                    if e == rustix::io::Errno::NOSYS
                        || e == rustix::io::Errno::PERM
                        || e == rustix::io::Errno::INVAL =>
                {
                    NO_OPENAT2.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.open_checked(rel)
    }

    #[cfg(not(target_os = "linux"))]
    fn open_no_links(&self, rel: &str) -> std::io::Result<std::fs::File> {
        self.open_checked(rel)
    }

    /// Without `openat2`: open `rel` only if it is its own resolved path
    /// (no link anywhere on the way), and its last component without
    /// following a link.
    fn open_checked(&self, rel: &str) -> std::io::Result<std::fs::File> {
        let path = self.real.join(rel);
        let real = path.canonicalize()?;
        if real != path {
            return Err(std::io::Error::from_raw_os_error(LINK_IN_THE_WAY));
        }
        open_nofollow(&real)
    }
}

/// The error the kernel gives for a link where none may be (ELOOP).
#[cfg(unix)]
const LINK_IN_THE_WAY: i32 = rustix::io::Errno::LOOP.raw_os_error();
#[cfg(not(unix))]
const LINK_IN_THE_WAY: i32 = 1921; // ERROR_CANT_RESOLVE_FILENAME

/// Whether an open failed because a link (or a `..` out of the root,
/// which `openat2` reports as EXDEV) is on the way: then the path is
/// resolved here, and its target checked and opened.
fn is_link_in_the_way(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    if e.raw_os_error() == Some(rustix::io::Errno::XDEV.raw_os_error()) {
        return true;
    }
    e.raw_os_error() == Some(LINK_IN_THE_WAY)
}

#[cfg(unix)]
fn open_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    Ok(std::fs::File::from(rustix::fs::open(
        path,
        flags,
        Mode::empty(),
    )?))
}

#[cfg(not(unix))]
fn open_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(std::io::Error::from_raw_os_error(LINK_IN_THE_WAY));
    }
    std::fs::File::open(path)
}

/// Create the file `rel` (with `/`) below `dir`, a folder the user named
/// (made if missing), holding `bytes`, never through a link: each folder
/// on the way that exists must lead inside `dir` and not into `.git`, and
/// the file is created new. With `replace`, a file or link already at
/// that path is removed first: the link itself, never what it points to.
pub fn create_file(dir: &Path, rel: &str, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let root = Root::open(dir)?;
    let refuse = |at: &str, why: String| {
        std::io::Error::other(format!("`{at}` {why}; nothing was written there"))
    };
    let (folders, _) = rel.rsplit_once('/').unwrap_or(("", rel));
    let mut at = String::new();
    for part in folders.split('/').filter(|p| !p.is_empty()) {
        if !at.is_empty() {
            at.push('/');
        }
        at.push_str(part);
        match root.resolve(&at) {
            Ok(r) if r.is_dir => {}
            Ok(_) => return Err(refuse(&at, "is not a folder".into())),
            Err(Refusal::Missing) => std::fs::create_dir(root.real().join(&at))?,
            Err(why) => return Err(refuse(&at, why.to_string())),
        }
    }
    let path = root.real().join(rel);
    if replace && std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
        std::fs::remove_file(&path)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::io::Write::write_all(&mut file, bytes)
}

/// Read a file the user named explicitly outside the repository (a
/// `--config` elsewhere): links are the user's own, so they are followed,
/// but the file must still be a regular file within `cap`.
pub fn read_named(path: &Path, cap: u64) -> Result<Vec<u8>, Refusal> {
    #[cfg(unix)]
    let file = {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        std::fs::File::from(
            rustix::fs::open(path, flags, Mode::empty()).map_err(std::io::Error::from)?,
        )
    };
    #[cfg(not(unix))]
    let file = std::fs::File::open(path)?;
    read_capped(file, cap).map_err(|e| match e {
        Refusal::Io(io) if io.kind() == std::io::ErrorKind::NotFound => Refusal::Missing,
        other => other,
    })
}

/// Read an open file: a regular file only, at most `cap` bytes.
fn read_capped(file: std::fs::File, cap: u64) -> Result<Vec<u8>, Refusal> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile {
            what: describe(&meta.file_type()),
        });
    }
    if meta.len() > cap {
        return Err(Refusal::TooLarge {
            len: meta.len(),
            cap,
        });
    }
    // One byte past the cap at most: a file that grew is refused, not
    // read without bound.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    let len = bytes.len() as u64;
    if len > cap {
        return Err(Refusal::TooLarge { len, cap });
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, in words.
fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        return "a folder";
    }
    "not a regular file"
}

/// Follow `path` to what it names, link by link (a loop and a dangling
/// link are told apart, which `canonicalize` cannot), then resolve the
/// folders on the way.
fn follow(path: &Path) -> Result<PathBuf, Refusal> {
    let mut seen = std::collections::BTreeSet::new();
    let mut at = path.to_path_buf();
    loop {
        if seen.len() == MAX_HOPS || !seen.insert(at.clone()) {
            return Err(Refusal::Loop);
        }
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(meta) => meta,
            Err(_) if seen.len() == 1 => return Err(Refusal::Missing),
            Err(_) => return Err(Refusal::Dangling),
        };
        if !meta.file_type().is_symlink() {
            break;
        }
        let target = std::fs::read_link(&at).map_err(|_| Refusal::Dangling)?;
        at = match at.parent() {
            Some(parent) => parent.join(target),
            None => target,
        };
    }
    // Links in the folders on the way are resolved too; one that fails
    // there loops or dangles like the link itself.
    match at.canonicalize() {
        Ok(target) => Ok(target),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && seen.len() == 1 => {
            Err(Refusal::Missing)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Refusal::Dangling),
        Err(_) => Err(Refusal::Loop),
    }
}

/// Whether a root-relative path lies in a `.git` folder (or is one): the
/// repository's own, a submodule's or a nested checkout's.
pub fn in_git_dir(rel: &str) -> bool {
    rel.split(['/', '\\'])
        .any(|c| c.eq_ignore_ascii_case(".git"))
}

/// A relative path with `/` separators.
fn slash_path(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn repo() -> (tempfile::TempDir, Root) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::fs::create_dir_all(root.join("docs")).expect("mkdir");
        std::fs::write(root.join(".git/config"), "token").expect("write");
        std::fs::write(root.join("docs/a.md"), "a").expect("write");
        std::fs::write(tmp.path().join("secret"), "secret").expect("write");
        let opened = Root::open(&root).expect("open");
        (tmp, opened)
    }

    #[test]
    fn plain_files_and_links_inside_are_read() {
        let (_tmp, root) = repo();
        symlink("a.md", root.real().join("docs/b.md")).expect("symlink");
        symlink("docs", root.real().join("linked")).expect("symlink");
        assert_eq!(root.read("docs/a.md", 10).expect("read"), b"a");
        assert_eq!(root.read("docs/b.md", 10).expect("read"), b"a");
        assert_eq!(root.read("linked/a.md", 10).expect("read"), b"a");
        assert!(matches!(
            root.read("docs/none.md", 10),
            Err(Refusal::Missing)
        ));
        assert_eq!(root.read_optional("docs/none.md", 10).expect("ok"), None);
    }

    #[test]
    fn links_out_and_into_git_are_refused() {
        let (tmp, root) = repo();
        let docs = root.real().join("docs");
        symlink("../.git/config", docs.join("git.md")).expect("symlink");
        symlink(tmp.path().join("secret"), docs.join("out.md")).expect("symlink");
        symlink("../../secret", docs.join("up.md")).expect("symlink");
        symlink("../.git", docs.join("gitdir")).expect("symlink");
        symlink("nowhere", docs.join("dangling.md")).expect("symlink");
        symlink("loop.md", docs.join("loop.md")).expect("symlink");
        symlink("/dev/zero", docs.join("zero.md")).expect("symlink");
        let refused = |rel: &str| root.read(rel, 1 << 20).expect_err(rel);
        assert!(matches!(refused("docs/git.md"), Refusal::GitDir { .. }));
        assert!(matches!(
            refused("docs/gitdir/config"),
            Refusal::GitDir { .. }
        ));
        assert!(matches!(refused(".git/config"), Refusal::InGitDir));
        assert!(matches!(refused("docs/out.md"), Refusal::Outside { .. }));
        assert!(matches!(refused("docs/up.md"), Refusal::Outside { .. }));
        assert!(matches!(
            refused("docs/../../secret"),
            Refusal::Outside { .. }
        ));
        assert!(matches!(refused("docs/dangling.md"), Refusal::Dangling));
        assert!(matches!(refused("docs/loop.md"), Refusal::Loop));
        assert!(matches!(refused("docs/zero.md"), Refusal::Outside { .. }));
        assert!(refused("docs/git.md").is_link());
    }

    #[test]
    fn only_regular_files_within_the_cap() {
        let (_tmp, root) = repo();
        let fifo = root.real().join("docs/fifo.md");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .expect("mkfifo");
        assert!(matches!(
            root.read("docs/fifo.md", 10),
            Err(Refusal::NotAFile { what }) if what.contains("FIFO")
        ));
        assert!(matches!(
            root.read("docs", 10),
            Err(Refusal::NotAFile { what: "a folder" })
        ));
        assert!(matches!(
            root.read("docs/a.md", 0),
            Err(Refusal::TooLarge { len: 1, cap: 0 })
        ));
        assert!(matches!(
            read_named(Path::new("/dev/zero"), 10),
            Err(Refusal::NotAFile { what: "a device" })
        ));
    }

    #[test]
    fn files_are_created_never_through_a_link() {
        let (tmp, root) = repo();
        let dir = root.real();
        symlink(tmp.path().join("secret"), dir.join("docs/c.md")).expect("symlink");
        symlink(tmp.path(), dir.join("out")).expect("symlink");
        // A link in the way is replaced only when asked, never followed.
        assert!(create_file(dir, "docs/c.md", b"new", false).is_err());
        create_file(dir, "docs/c.md", b"new", true).expect("replace");
        assert_eq!(std::fs::read(dir.join("docs/c.md")).expect("read"), b"new");
        assert_eq!(
            std::fs::read(tmp.path().join("secret")).expect("read"),
            b"secret"
        );
        // A folder link out of the root is refused.
        let err = create_file(dir, "out/x.md", b"x", true).expect_err("refused");
        assert!(err.to_string().contains("outside the repository"), "{err}");
        assert!(!tmp.path().join("x.md").exists());
        create_file(dir, "new/folder/y.md", b"y", false).expect("create");
        assert_eq!(
            std::fs::read(dir.join("new/folder/y.md")).expect("read"),
            b"y"
        );
    }

    #[test]
    fn git_folders_by_name() {
        assert!(in_git_dir(".git/config"));
        assert!(in_git_dir("sub/.git"));
        assert!(in_git_dir("sub/.GIT/config"));
        assert!(!in_git_dir("docs/.github/x.md"));
        assert!(!in_git_dir("docs/git/x.md"));
    }
}
