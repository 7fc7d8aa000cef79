//! Which files are documents, and of which kind.
//!
//! Discovery walks the working tree below the pilotbook root, starting only
//! at the literal folder prefix of each kind's globs (so a monorepo's code
//! tree is never walked), skipping `.git`, hidden folders and the output
//! folder. Symbolic links are resolved by [`Root`]: links to files and
//! folders inside the root are followed (a folder once, never round a
//! loop); links out of the root or into `.git`, dangling links and loops
//! are not, and are named in [`Discovery::skipped`]. A folder named like a
//! document is walked, never read. Each file is
//! matched against the kinds in config order; the first kind that claims a
//! path owns it. The result is sorted by path so every later stage iterates
//! in a stable order. Reading the files is the caller's business.

use crate::config::Config;
use crate::confined::{Refusal, Root};
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
    /// Path on disk (the root as given, joined with `rel_path`).
    pub abs_path: PathBuf,
    /// The file it is read from: `rel_path` with every link resolved,
    /// relative to the root (the same path unless a link is on the way).
    pub source: String,
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
///
/// Links are resolved through [`Root`]: a file link inside the root is a
/// document at the link's path; a folder link inside the root is walked
/// under the link's path, once, unless it leads back to a folder it is in
/// (a loop); a link out of the root or into `.git` is never followed. Each
/// link not followed is named in `skipped`, folders always, files when
/// their path looks like a document.
pub fn discover(root: &Root, config: &Config) -> Discovery {
    let mut walk = Walk {
        root,
        config,
        output_dir: root.real().join(&config.output_dir),
        out: Discovery::default(),
    };
    for start in start_folders(config) {
        match root.resolve(&start) {
            Ok(r) if r.is_dir => walk.folder(&start, &r.abs, &mut vec![r.abs.clone()]),
            Ok(_) | Err(Refusal::Missing) => {}
            Err(why) => walk.skip(&start, &why, true),
        }
    }
    let mut out = walk.out;
    out.documents.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    out.skipped.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    out
}

/// Folder links followed inside one another, at most (a guard on top of
/// the loop check, against a maze of links).
const MAX_LINKED_FOLDERS: usize = 8;

/// One discovery in progress.
struct Walk<'a> {
    root: &'a Root,
    config: &'a Config,
    output_dir: PathBuf,
    out: Discovery,
}

impl Walk<'_> {
    /// Walk the real folder `real`, whose documents are named below `rel`.
    /// `chain` holds the real folders walked to get here through links.
    fn folder(&mut self, rel: &str, real: &Path, chain: &mut Vec<PathBuf>) {
        let output_dir = self.output_dir.clone();
        let walker = WalkDir::new(real)
            .follow_links(false)
            .follow_root_links(false)
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
            let below = relative(real, entry.path());
            let path = match (rel.is_empty(), below.is_empty()) {
                (_, true) => continue,
                (true, false) => below,
                (false, false) => format!("{rel}/{below}"),
            };
            if entry.path_is_symlink() {
                self.link(&path, entry.path(), chain);
            } else if !entry.file_type().is_dir() {
                // FIFOs and devices too: the reader refuses them, by name.
                self.document(path, entry.path());
            }
        }
    }

    /// A symbolic link met at `path` (on disk at `at`).
    fn link(&mut self, path: &str, at: &Path, chain: &mut Vec<PathBuf>) {
        match self.root.resolve_abs(at) {
            Ok(target) if !target.is_dir => self.document(path.to_string(), &target.abs),
            Ok(target) => {
                let loops = chain.iter().any(|walked| walked.starts_with(&target.abs));
                if loops || chain.len() > MAX_LINKED_FOLDERS {
                    self.out.skipped.push(Skipped {
                        rel_path: path.to_string(),
                        reason: format!(
                            "is a symbolic link to {}, a folder it is already in (a loop); it is not followed",
                            match target.rel.as_str() {
                                "" => "the repository's root folder".to_string(),
                                rel => format!("`{rel}`"),
                            }
                        ),
                    });
                    return;
                }
                chain.push(target.abs.clone());
                self.folder(path, &target.abs, chain);
                chain.pop();
            }
            Err(why) => {
                let named = matches!(why, Refusal::Outside { .. } | Refusal::GitDir { .. });
                self.skip(path, &why, named);
            }
        }
    }

    /// Name a path that was not followed: always when `always`, else
    /// when it looks like a document.
    fn skip(&mut self, path: &str, why: &Refusal, always: bool) {
        if always || classify(self.config, path).is_some() {
            self.out.skipped.push(Skipped {
                rel_path: path.to_string(),
                reason: why.to_string(),
            });
        }
    }

    /// A file at `path`: a document if a kind claims it.
    fn document(&mut self, path: String, real: &Path) {
        if let Some(kind) = classify(self.config, &path) {
            let source = relative(self.root.real(), real);
            self.out.documents.push(Discovered {
                kind,
                abs_path: self.root.path().join(&path),
                source: if source.is_empty() {
                    path.clone()
                } else {
                    source
                },
                rel_path: path,
            });
        }
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
