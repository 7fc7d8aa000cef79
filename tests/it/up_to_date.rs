//! A build whose inputs and output folder are unchanged writes nothing
//! (issue 20): the second build of the same portfolio says the site is up
//! to date and leaves every file as it was, while any change to what a
//! site is made from — a document, a commit, a template override, a linked
//! image, the date, the base URL — or to the folder itself renders again,
//! and the result is byte for byte a cold build's.

use crate::support::{self, Case, DANA, LEE, Run};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Every file of a site: bytes, inode and modification time.
type Snapshot = BTreeMap<PathBuf, (Vec<u8>, u64, i64, i64)>;

fn snapshot(out: &Path) -> Snapshot {
    support::files_below(out)
        .into_iter()
        .map(|f| {
            let meta = std::fs::metadata(&f).expect("metadata");
            let bytes = std::fs::read(&f).expect("read");
            let rel = f.strip_prefix(out).expect("inside").to_path_buf();
            (rel, (bytes, meta.ino(), meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}

fn bytes(snapshot: &Snapshot) -> BTreeMap<&PathBuf, &Vec<u8>> {
    snapshot.iter().map(|(p, (b, ..))| (p, b)).collect()
}

struct Site {
    repo: Case,
    out: PathBuf,
    fresh: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let repo = Case::new();
        repo.copy_example();
        repo.commit("The portfolio", DANA, "2026-03-01T10:00:00+00:00");
        let out = repo.tmp.path().join("site");
        let fresh = tempfile::tempdir().expect("tempdir");
        Site { repo, out, fresh }
    }

    /// Build into the site folder; whether it said "up to date".
    fn build(&self, env: &[(&str, &str)], extra: &[&str]) -> bool {
        let mut args = vec!["build", "--out", self.out.to_str().expect("utf8")];
        args.extend(extra);
        let o = Run::at(&self.repo.root).args(&args).envs(env).output();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{stderr}");
        let unchanged = stderr.contains("is up to date");
        assert_eq!(unchanged, !stderr.contains("built "), "{stderr}");
        unchanged
    }

    /// A cold build (no cache, no stamp) into a new folder.
    fn cold(&self, env: &[(&str, &str)], extra: &[&str]) -> Snapshot {
        let out = self.fresh.path().join(format!("{}", snapshot_count()));
        let mut args = vec!["build", "--no-cache", "--out", out.to_str().expect("utf8")];
        args.extend(extra);
        let o = Run::at(&self.repo.root).args(&args).envs(env).output();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        snapshot(&out)
    }

    /// Build, expect a render, and compare with a cold build.
    fn renders(&self, step: &str, env: &[(&str, &str)], extra: &[&str]) {
        assert!(!self.build(env, extra), "{step}: rendered");
        assert!(
            bytes(&snapshot(&self.out)) == bytes(&self.cold(env, extra)),
            "{step}: the site equals a cold build"
        );
        // And the build after it has nothing to do.
        let before = snapshot(&self.out);
        assert!(self.build(env, extra), "{step}: then up to date");
        assert!(before == snapshot(&self.out), "{step}: nothing touched");
    }
}

fn snapshot_count() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn a_second_build_with_nothing_changed_writes_nothing() {
    let site = Site::new();
    assert!(!site.build(&[], &[]), "the first build renders");
    let first = snapshot(&site.out);
    assert!(first.len() > 40, "{} files", first.len());
    assert!(site.build(&[], &[]), "the second build is up to date");
    // Same bytes, same inodes, same times: not rewritten, not relinked.
    assert!(first == snapshot(&site.out), "nothing was written");
    assert!(bytes(&first) == bytes(&site.cold(&[], &[])), "a cold build");
    // `--no-cache` keeps no stamp and trusts none: it always renders.
    let o = Run::at(&site.repo.root)
        .args(["build", "--no-cache", "--out"])
        .arg(&site.out)
        .output();
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("built "),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn every_input_of_the_site_and_the_folder_itself_count() {
    let site = Site::new();
    let root = site.repo.root.clone();
    site.renders("first build", &[], &[]);

    let pilot = "pilots/ticket-triage.md";
    let text = std::fs::read_to_string(root.join(pilot)).expect("read");
    site.repo
        .write(pilot, &text.replace("status: pilot", "status: production"));
    site.renders("an edited document", &[], &[]);

    site.repo
        .commit("Ship triage", LEE, "2026-06-01T10:00:00+00:00");
    site.renders("the same text, committed (a new history)", &[], &[]);

    let image = "pilots/finance/invoice-matching/architecture.png";
    let mut png = std::fs::read(root.join(image)).expect("image");
    png.extend_from_slice(b"\0changed");
    std::fs::write(root.join(image), png).expect("write image");
    site.renders("a linked image's bytes", &[], &[]);

    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/base.html"))
            .expect("base template");
    site.repo.write(
        "templates/base.html",
        &base.replace("</body>", "<!-- ours --></body>"),
    );
    site.renders("a template override", &[], &[]);

    site.renders("another today", &[("PILOTBOOK_TODAY", "2026-12-20")], &[]);
    site.renders(
        "a base URL",
        &[],
        &["--base-url", "https://pilots.example.com/"],
    );

    // The folder: a file touched, removed or added renders the site again
    // (and the stray file goes, as in any build).
    let index = site.out.join("index.html");
    let later = std::fs::metadata(&index)
        .and_then(|m| m.modified())
        .expect("mtime")
        + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&index)
        .and_then(|f| f.set_modified(later))
        .expect("touch");
    site.renders("a touched output file", &[], &[]);
    std::fs::remove_file(site.out.join("timeline.html")).expect("remove");
    site.renders("a removed output file", &[], &[]);
    std::fs::write(site.out.join("stray.html"), "x").expect("stray");
    site.renders("a stray file in the folder", &[], &[]);
    assert!(!site.out.join("stray.html").exists());
}

/// An edit of the portfolio.
type Step<'a> = Box<dyn Fn() + 'a>;

/// How many pages a build said it kept from the last one.
fn kept_pages(stderr: &str) -> usize {
    let last = stderr.lines().last().unwrap_or_default();
    last.split("; ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// With what every page reads unchanged, a build keeps the entity pages
/// whose own inputs and neighbours are unchanged and renders the rest;
/// after each edit below — whose effects reach other pages: a person's
/// name (the pages of the pilots they own), a metric's text, a pilot's
/// status (the pages of its systems and metric), a pilot removed, a new
/// pilot naming a system nobody defined, an earlier document taking a
/// pilot's id (its page moves, and back), a commit (history only) — the
/// site equals a cold build byte for byte, and some pages were kept.
#[test]
fn pages_whose_inputs_did_not_change_are_kept_and_the_site_equals_a_cold_build() {
    let site = Site::new();
    let root = site.repo.root.clone();
    assert!(!site.build(&[], &[]));
    let replace = |rel: &str, from: &str, to: &str| {
        let text = std::fs::read_to_string(root.join(rel)).expect("read");
        assert!(text.contains(from), "{rel} has {from:?}");
        std::fs::write(root.join(rel), text.replacen(from, to, 1)).expect("write");
    };
    let steps: Vec<(&str, Step)> = vec![
        (
            "a person's name",
            Box::new(|| {
                replace(
                    "people/aiko-tanaka.md",
                    "name: Aiko Tanaka",
                    "name: Aiko Tanaka-Berg",
                )
            }),
        ),
        (
            "a metric's text",
            Box::new(|| {
                replace(
                    "metrics/eta-mae.md",
                    "Complements ETA",
                    "Complements the ETA",
                )
            }),
        ),
        (
            "a pilot's status",
            Box::new(|| {
                replace(
                    "pilots/warehouse-slotting.md",
                    "status: retired",
                    "status: pilot",
                )
            }),
        ),
        (
            "a pilot removed",
            Box::new(|| std::fs::remove_file(root.join("pilots/lead-scoring.md")).expect("remove")),
        ),
        (
            "a new pilot naming an undefined system",
            Box::new(|| {
                let text =
                    std::fs::read_to_string(root.join("pilots/dock-scheduling.md")).expect("read");
                let text = text
                    .replacen("title: ", "title: Night ", 1)
                    .replace("system: snowflake", "system: nightly-feed");
                std::fs::write(root.join("pilots/night-dock-scheduling.md"), text).expect("write");
            }),
        ),
        (
            "an earlier document with the same id (the pilot's page moves)",
            Box::new(|| {
                let text =
                    std::fs::read_to_string(root.join("pilots/ticket-triage.md")).expect("read");
                std::fs::create_dir_all(root.join("pilots/aa")).expect("mkdir");
                std::fs::write(root.join("pilots/aa/ticket-triage.md"), text).expect("write");
            }),
        ),
        (
            "the earlier document gone (the page moves back)",
            Box::new(|| {
                std::fs::remove_file(root.join("pilots/aa/ticket-triage.md")).expect("remove")
            }),
        ),
        (
            "a commit",
            Box::new(|| {
                site.repo.commit("Edits", LEE, "2026-07-01T10:00:00+00:00");
            }),
        ),
    ];
    let mut kept = 0;
    for (step, edit) in &steps {
        edit();
        let o = Run::at(&root)
            .args(["build", "--out"])
            .arg(&site.out)
            .output();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{step}: {stderr}");
        assert!(stderr.contains("built "), "{step}: rendered: {stderr}");
        kept += kept_pages(&stderr);
        assert!(
            bytes(&snapshot(&site.out)) == bytes(&site.cold(&[], &[])),
            "{step}: the site equals a cold build"
        );
    }
    assert!(kept > 100, "pages were kept: {kept}");
}

/// A page whose document links to another document and carries a picture
/// is kept like any other when nothing it reads changed (what its links
/// lead to included), and the kept page's picture is still in the site,
/// new bytes and all: the page names the copy, not its bytes.
#[test]
fn a_page_with_links_is_kept_while_its_targets_are_unchanged() {
    let site = Site::new();
    let root = site.repo.root.clone();
    assert!(!site.build(&[], &[]));
    let page = Path::new("pilots/invoice-matching.html");
    let picture = Path::new("files/pilots/finance/invoice-matching/architecture.png");
    // A kept page is the same file: inode and modification time.
    let stat = |snapshot: &Snapshot| {
        let (_, ino, secs, nanos) = &snapshot[page];
        (*ino, *secs, *nanos)
    };
    let first = stat(&snapshot(&site.out));
    // Not a neighbour of invoice matching.
    let lead = "pilots/lead-scoring.md";
    let text = std::fs::read_to_string(root.join(lead)).expect("read");
    std::fs::write(root.join(lead), format!("{text}\nOne more line.\n")).expect("write");
    assert!(!site.build(&[], &[]));
    let now = snapshot(&site.out);
    assert_eq!(stat(&now), first, "the linking page was kept");
    assert!(now.contains_key(picture), "its picture is carried");
    assert!(bytes(&now) == bytes(&site.cold(&[], &[])));

    let image = root.join("pilots/finance/invoice-matching/architecture.png");
    let mut png = std::fs::read(&image).expect("image");
    png.extend_from_slice(b"\0changed");
    std::fs::write(&image, &png).expect("write image");
    assert!(!site.build(&[], &[]));
    let now = snapshot(&site.out);
    assert_eq!(now[picture].0, png, "the new picture is carried");
    assert!(bytes(&now) == bytes(&site.cold(&[], &[])));

    // The picture gone: the link goes to the forge, the page changes.
    std::fs::remove_file(&image).expect("remove");
    assert!(!site.build(&[], &[]));
    let now = snapshot(&site.out);
    assert_ne!(stat(&now), first, "the page was rendered again");
    assert!(!now.contains_key(picture));
    assert!(bytes(&now) == bytes(&site.cold(&[], &[])));
}
