//! Which files are documents, and of which kind.
//!
//! Discovery walks the working tree below the pilotbook root, starting only
//! at the literal folder prefix of each kind's globs (so a monorepo's code
//! tree is never walked), skipping `.git`, hidden folders and the output
//! folder, and never following a symbolic link out of the root (such links,
//! dangling links and link loops are skipped, and named in
//! [`Discovery::skipped`]; a folder named like a document is walked, never
//! read). Each file is
//! matched against the kinds in config order; the first kind that claims a
//! path owns it. The result is sorted by path so every later stage iterates
//! in a stable order. Reading the files is the caller's business.

use crate::config::Config;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// A file that belongs to a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Index of the kind in `Config::kinds`.
    pub kind: usize,
    /// Path relative to the root, with `/` separators.
    pub rel_path: String,
    /// Path on disk.
    pub abs_path: PathBuf,
}

/// A file or folder discovery passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Path relative to the root.
    pub rel_path: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The documents, sorted by path.
    pub documents: Vec<Discovered>,
    /// What was passed over and should be mentioned.
    pub skipped: Vec<Skipped>,
}

/// The folder a glob's matches must lie in: its components before the first
/// one with a glob character.
pub fn literal_prefix(glob: &str) -> &str {
    let mut end = 0;
    for (i, c) in glob.char_indices() {
        if matches!(c, '*' | '?' | '[' | '{' | '\\') {
            break;
        }
        if c == '/' {
            end = i;
        }
    }
    &glob[..end]
}

/// Find every document below `root`.
pub fn discover(root: &Path, config: &Config) -> Discovery {
    let starts = start_folders(config);

    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let output_dir = root.join(&config.output_dir);
    let mut out = Discovery::default();

    for start in starts {
        let dir = if start.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&start)
        };
        if !dir.is_dir() {
            continue;
        }
        let walker = WalkDir::new(&dir)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| {
                // Folders only: hidden ones and the output folder are skipped.
                e.depth() == 0
                    || !e.file_type().is_dir()
                    || (!e.file_name().as_encoded_bytes().starts_with(b".")
                        && e.path() != output_dir)
            });
        for entry in walker {
            let Ok(entry) = entry else { continue };
            let rel = relative(root, entry.path());
            let is_file = if entry.path_is_symlink() {
                match resolve_link(entry.path()) {
                    Link::Resolved(target) if target.starts_with(&canonical_root) => {
                        target.is_file()
                    }
                    Link::Resolved(target) => {
                        // Named whatever it is named: a link out of the
                        // repository is never read, file or folder.
                        out.skipped.push(Skipped {
                            rel_path: rel.clone(),
                            reason: format!(
                                "is a symbolic link to `{}`, outside the repository; it is not followed",
                                target.display()
                            ),
                        });
                        false
                    }
                    Link::Dangling if classify(config, &rel).is_some() => {
                        out.skipped.push(Skipped {
                            rel_path: rel.clone(),
                            reason: "is a symbolic link to nothing (dangling); it is skipped"
                                .into(),
                        });
                        false
                    }
                    Link::Loop if classify(config, &rel).is_some() => {
                        out.skipped.push(Skipped {
                            rel_path: rel.clone(),
                            reason: "is a symbolic link that loops back to itself; it is skipped"
                                .into(),
                        });
                        false
                    }
                    Link::Dangling | Link::Loop => false,
                }
            } else {
                entry.file_type().is_file()
            };
            // Start folders never nest, so no path is seen twice.
            if !is_file {
                continue;
            }
            if let Some(kind) = classify(config, &rel) {
                out.documents.push(Discovered {
                    kind,
                    rel_path: rel,
                    abs_path: entry.path().to_path_buf(),
                });
            }
        }
    }
    out.documents.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    out.skipped.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    out
}

/// Where a symbolic link leads.
enum Link {
    /// To this existing path, every link on the way resolved.
    Resolved(PathBuf),
    /// To a path that does not exist.
    Dangling,
    /// Round in a circle (or through more links than the OS would follow).
    Loop,
}

/// Follow `link` hop by hop, so that a loop and a dangling link are told
/// apart (`canonicalize` fails the same way for both).
fn resolve_link(link: &Path) -> Link {
    // Linux gives up after 40 hops; so does this.
    const MAX_HOPS: usize = 40;
    let mut seen = BTreeSet::new();
    let mut at = link.to_path_buf();
    loop {
        if seen.len() == MAX_HOPS || !seen.insert(at.clone()) {
            return Link::Loop;
        }
        let Ok(meta) = std::fs::symlink_metadata(&at) else {
            return Link::Dangling;
        };
        if !meta.file_type().is_symlink() {
            break;
        }
        let Ok(target) = std::fs::read_link(&at) else {
            return Link::Dangling;
        };
        at = match at.parent() {
            Some(parent) => parent.join(target),
            None => target,
        };
    }
    // Links in the folders on the way are resolved too; one that fails
    // there loops or dangles like the link itself.
    match at.canonicalize() {
        Ok(target) => Link::Resolved(target),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Link::Dangling,
        Err(_) => Link::Loop,
    }
}

/// The documents whose paths differ from another's only by letter case or
/// Unicode normalisation: they collide on a case-insensitive or
/// normalising file system (macOS, Windows), and so would their pages.
/// Each group comes back sorted, groups in the order of their first path.
pub fn case_collisions<'p>(paths: impl IntoIterator<Item = &'p str>) -> Vec<Vec<&'p str>> {
    use unicode_normalization::UnicodeNormalization;
    let mut groups: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for path in paths {
        // ASCII is its own NFC form: most paths skip the normaliser.
        let key = if path.is_ascii() {
            path.to_ascii_lowercase()
        } else {
            path.nfc().collect::<String>().to_lowercase()
        };
        groups.entry(key).or_default().push(path);
    }
    let mut out: Vec<Vec<&str>> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            g.sort_unstable();
            g.dedup();
            g
        })
        .filter(|g| g.len() > 1)
        .collect();
    out.sort();
    out
}

/// The kind a root-relative path belongs to: the first kind that claims it,
/// unless it lies in a hidden folder or the output folder.
pub fn classify(config: &Config, rel: &str) -> Option<usize> {
    let output = config.output_dir.as_str();
    let hidden = rel.split('/').rev().skip(1).any(|c| c.starts_with('.'));
    let in_output = rel
        .strip_prefix(output)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if hidden || in_output {
        return None;
    }
    config.kinds.iter().position(|k| k.matches(rel))
}

/// The folders discovery starts from: each glob's literal prefix, with
/// folders inside another start dropped.
pub fn start_folders(config: &Config) -> Vec<String> {
    let starts: BTreeSet<String> = config
        .kinds
        .iter()
        .flat_map(|k| &k.paths)
        .map(|g| literal_prefix(g).to_string())
        .collect();
    if starts.contains("") {
        return vec![String::new()];
    }
    // A start is covered by another when one of its ancestor folders is a
    // start too: look each ancestor up rather than compare every pair
    // (10,000 globs made that 10^8 comparisons).
    let covered = |s: &str| {
        s.match_indices('/')
            .any(|(at, _)| starts.contains(&s[..at]))
    };
    starts.iter().filter(|s| !covered(s)).cloned().collect()
}

/// `path` relative to `root`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    // On Unix a UTF-8 path already has `/` separators: no need to rebuild it.
    if cfg!(unix)
        && let Some(s) = rel.to_str()
    {
        return s.to_string();
    }
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_folders_drop_folders_inside_another() {
        let config = Config::parse(
            "[kinds.pilot]\npath = [\"pilots/**/*.md\", \"pilots/old/*.md\", \"docs/adr/*.md\", \"docs/*.md\", \"docsx/a/*.md\"]\n",
            Path::new("pilotbook.toml"),
        )
        .expect("config");
        assert_eq!(
            start_folders(&config),
            ["docs", "docsx/a", "metrics", "people", "pilots", "systems"]
        );
        let config = Config::parse(
            "[kinds.pilot]\npath = [\"*.md\", \"pilots/*.md\"]\n",
            Path::new("pilotbook.toml"),
        )
        .expect("config");
        assert_eq!(start_folders(&config), [""]);
    }

    #[test]
    fn collisions_by_case_and_normalisation() {
        let paths = [
            "pilots/a.md",
            "pilots/A.md",
            "pilots/b.md",
            "pilots/caf\u{e9}.md",
            "pilots/cafe\u{301}.md",
        ];
        assert_eq!(
            case_collisions(paths),
            vec![
                vec!["pilots/A.md", "pilots/a.md"],
                vec!["pilots/cafe\u{301}.md", "pilots/caf\u{e9}.md"],
            ]
        );
    }

    #[test]
    fn prefixes() {
        assert_eq!(literal_prefix("pilots/**/*.md"), "pilots");
        assert_eq!(literal_prefix("docs/adr/*.md"), "docs/adr");
        assert_eq!(literal_prefix("*.md"), "");
        assert_eq!(literal_prefix("a/b/c.md"), "a/b");
    }
}
