//! Which files are documents, and of which kind.
//!
//! Discovery walks the working tree below the pilotbook root, starting only
//! at the literal folder prefix of each kind's globs (so a monorepo's code
//! tree is never walked), skipping `.git`, hidden folders and the output
//! folder, and never following a symbolic link out of the root. Each file is
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
                match entry.path().canonicalize() {
                    Ok(target) if target.starts_with(&canonical_root) => target.is_file(),
                    Ok(_) => {
                        out.skipped.push(Skipped {
                            rel_path: rel.clone(),
                            reason: "symbolic link to a file outside the repository".into(),
                        });
                        false
                    }
                    Err(_) => {
                        out.skipped.push(Skipped {
                            rel_path: rel.clone(),
                            reason: "dangling symbolic link".into(),
                        });
                        false
                    }
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
    starts
        .iter()
        .filter(|s| {
            !starts
                .iter()
                .any(|o| o != *s && (o.is_empty() || s.starts_with(&format!("{o}/"))))
        })
        .cloned()
        .collect()
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
    fn prefixes() {
        assert_eq!(literal_prefix("pilots/**/*.md"), "pilots");
        assert_eq!(literal_prefix("docs/adr/*.md"), "docs/adr");
        assert_eq!(literal_prefix("*.md"), "");
        assert_eq!(literal_prefix("a/b/c.md"), "a/b");
    }
}
