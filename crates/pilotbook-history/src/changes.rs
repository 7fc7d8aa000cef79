//! What changed since a revision, for `check --changed-since`, and where
//! the pilotbook root sits in its repository, for the paths the machine
//! formats print.
//!
//! A pull request is compared as the forge compares it: from the merge base
//! of the branch it targets. A file has changed when its content in the
//! working tree differs from the base commit's (added, removed or edited),
//! and a document has also changed when any commit since the base touched
//! it (an edit and its revert leave the file as it was, but add history
//! findings about both commits).

use super::HistoryError;
use super::repo::{join, open, resolve, root_prefix};
use git2::{ObjectType, Oid, Repository, Tree};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

fn repository(root: &Path, rev: &str) -> Result<Repository, HistoryError> {
    open(root).map_err(|c| c.error(root, rev))
}

/// The commit `--changed-since rev` compares with, as a full id: `rev`
/// itself, or, when it names a branch (local or remote-tracking), its
/// merge base with HEAD.
pub fn merge_base(root: &Path, rev: &str) -> Result<String, HistoryError> {
    let repo = repository(root, rev)?;
    let mut base = resolve(&repo, rev)?;
    let is_branch = repo
        .resolve_reference_from_short_name(rev)
        .is_ok_and(|r| r.is_branch() || r.is_remote());
    if is_branch && let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
        base = repo.merge_base(base, head.id())?;
    }
    Ok(base.to_string())
}

/// The root-relative files at or below `paths` (files or folders, root-
/// relative) whose content differs between commit `base` and the working
/// tree: added, removed or edited.
pub fn changed_files(
    root: &Path,
    base: &str,
    paths: &[String],
) -> Result<BTreeSet<String>, HistoryError> {
    let repo = repository(root, base)?;
    let commit = resolve(&repo, base)?;
    let tree = repo.find_commit(commit)?.tree()?;
    let prefix = root_prefix(&repo, root)?;
    let mut out = BTreeSet::new();
    for path in paths {
        let mut then = Vec::new();
        blobs_below(&repo, &tree, &join(&prefix, path), path, &mut then)?;
        let mut now = Vec::new();
        files_below(root, path, &mut now);
        let now_set: BTreeSet<&String> = now.iter().collect();
        for (rel, blob) in &then {
            let same = now_set.contains(rel)
                && Oid::hash_file(ObjectType::Blob, root.join(rel)).is_ok_and(|o| o == *blob);
            if !same {
                out.insert(rel.clone());
            }
        }
        let then_set: BTreeSet<&String> = then.iter().map(|(p, _)| p).collect();
        out.extend(now.iter().filter(|p| !then_set.contains(p)).cloned());
    }
    Ok(out)
}

/// The blobs at or below `repo_path` of `tree`, as (root-relative path, id).
fn blobs_below(
    repo: &Repository,
    tree: &Tree,
    repo_path: &str,
    rel: &str,
    out: &mut Vec<(String, Oid)>,
) -> Result<(), HistoryError> {
    let entry = if repo_path.is_empty() {
        None
    } else {
        match tree.get_path(Path::new(repo_path)) {
            Ok(e) => Some(e),
            Err(_) => return Ok(()),
        }
    };
    let sub = match &entry {
        Some(e) if e.kind() == Some(ObjectType::Blob) => {
            out.push((rel.to_string(), e.id()));
            return Ok(());
        }
        Some(e) if e.kind() == Some(ObjectType::Tree) => repo.find_tree(e.id())?,
        Some(_) => return Ok(()),
        None => tree.clone(),
    };
    for e in sub.iter() {
        let name = String::from_utf8_lossy(e.name_bytes()).into_owned();
        let child = join(rel, &name);
        match e.kind() {
            Some(ObjectType::Blob) => out.push((child, e.id())),
            Some(ObjectType::Tree) => {
                blobs_below(repo, &repo.find_tree(e.id())?, "", &child, out)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The files at or below root-relative `rel` in the working tree.
fn files_below(root: &Path, rel: &str, out: &mut Vec<String>) {
    let at = root.join(rel);
    let Ok(meta) = std::fs::symlink_metadata(&at) else {
        return;
    };
    if !meta.is_dir() {
        out.push(rel.to_string());
        return;
    }
    let Ok(entries) = std::fs::read_dir(&at) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        files_below(root, &join(rel, &name), out);
    }
}

/// The commits reachable from HEAD but not from `base`, as full ids.
pub fn commits_since(root: &Path, base: &str) -> Result<HashSet<String>, HistoryError> {
    let repo = repository(root, base)?;
    let base = resolve(&repo, base)?;
    let mut walk = repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(HashSet::new());
    }
    walk.hide(base)?;
    Ok(walk.flatten().map(|id| id.to_string()).collect())
}

/// The root's folder inside its git repository (`""` at the top), or
/// `None` outside a repository (then paths stay root-relative).
pub fn root_in_repository(root: &Path) -> Option<String> {
    let repo = open(root).ok()?;
    root_prefix(&repo, root).ok()
}
