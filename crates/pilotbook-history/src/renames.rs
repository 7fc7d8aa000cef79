//! Which added path of one diff is which deleted path renamed: the pairing
//! `git diff -M` makes, so that a document's history continues under its
//! old name wherever that name was.
//!
//! git's steps, in its order (`diffcore-rename.c`, git 2.33 and later):
//!
//! 1. **Exact**: each added path, in path order, takes an unused deleted
//!    path with the same blob, preferring one with the same file name;
//!    a symbolic link only pairs with one of the same mode.
//! 2. **Same file name**: where a file name occurs once among the
//!    remaining added paths and once among the remaining deleted ones, the
//!    two pair if they are at least 75% similar.
//! 3. **Similar**: unless the remaining added × deleted paths exceed
//!    1,000 × 1,000 (git's default `diff.renameLimit`), every pair of
//!    regular files is scored, each added path keeps its four best
//!    sources, and the pairs are taken best first (ties: same file name
//!    first, then added path order), each path at most once, down to 50%.
//!
//! Similarity is git's: both blobs are cut into spans (a line, or 64
//! bytes of a longer line; a CR before LF ignored in text), each span
//! hashed; the score is the bytes of the source's spans found in the
//! destination over the larger size, out of 60,000. A pair whose sizes
//! differ by more than the threshold allows is not read further.
//!
//! Copies are not pairs: a path is only ever the source of one rename,
//! and an added path whose source still exists is a new path (`git log
//! --follow` looks for copies too; see README "History").
//!
//! Where git could decide otherwise: a file git's attributes call binary
//! (`-diff`) is read as text here, and among several deleted files with
//! the same content and equally good names git's hash table order may
//! pick another one than the first in path order.

use super::odb::{Kind, ObjectId, ReadError, Store};
use std::collections::HashMap;

/// git's scores are out of this.
const MAX_SCORE: u64 = 60_000;
/// `-M`'s default: half.
const MINIMUM_SCORE: u64 = 30_000;
/// The same-file-name step asks for half of what is left above the minimum.
const BASENAME_SCORE: u64 = MINIMUM_SCORE + (MAX_SCORE - MINIMUM_SCORE) / 2;
/// git's default `diff.renameLimit`.
const RENAME_LIMIT: u64 = 1_000;
/// Sources kept per added path in the similarity matrix.
const CANDIDATES: usize = 4;
/// Same-content sources tried per added path.
const EXACT_TRIES: usize = 100;
/// The spans' hash modulus, and where a binary file's NUL is looked for.
const HASH_BASE: u32 = 107_927;
const FIRST_FEW_BYTES: usize = 8_000;

/// One side of a path in a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct File<'a> {
    pub path: &'a str,
    pub id: ObjectId,
    pub mode: u32,
}

fn is_regular(mode: u32) -> bool {
    mode & 0o170_000 == 0o100_000
}

/// The file name after the last `/`.
fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A blob's size and its spans: (hash, bytes) sorted by hash, counts summed.
struct Spans {
    size: u64,
    spans: Vec<(u32, u64)>,
}

/// git's `hash_chars`.
fn spans(data: &[u8]) -> Spans {
    let is_text = memchr::memchr(0, &data[..data.len().min(FIRST_FEW_BYTES)]).is_none();
    let mut counts: HashMap<u32, u64> = HashMap::new();
    let (mut n, mut accum1, mut accum2) = (0u64, 0u32, 0u32);
    let mut add = |accum1: u32, accum2: u32, n: u64| {
        let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASH_BASE;
        *counts.entry(hash).or_insert(0) += n;
    };
    for (at, &c) in data.iter().enumerate() {
        if is_text && c == b'\r' && data.get(at + 1) == Some(&b'\n') {
            continue;
        }
        let old1 = accum1;
        accum1 = (accum1 << 7) ^ (accum2 >> 25);
        accum2 = (accum2 << 7) ^ (old1 >> 25);
        accum1 = accum1.wrapping_add(u32::from(c));
        n += 1;
        if n < 64 && c != b'\n' {
            continue;
        }
        add(accum1, accum2, n);
        (n, accum1, accum2) = (0, 0, 0);
    }
    if n > 0 {
        add(accum1, accum2, n);
    }
    let mut spans: Vec<(u32, u64)> = counts.into_iter().collect();
    spans.sort_unstable();
    Spans {
        size: data.len() as u64,
        spans,
    }
}

/// The bytes of `src`'s spans that `dst` has too (git's `src_copied`).
fn copied(src: &Spans, dst: &Spans) -> u64 {
    let (mut i, mut j, mut total) = (0, 0, 0);
    while i < src.spans.len() && j < dst.spans.len() {
        let ((a, n), (b, m)) = (src.spans[i], dst.spans[j]);
        match a.cmp(&b) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                total += n.min(m);
                i += 1;
                j += 1;
            }
        }
    }
    total
}

/// Blobs read for one diff, each once.
struct Blobs<'s, 'p> {
    store: &'s mut Store<'p>,
    read: HashMap<ObjectId, Spans>,
}

impl Blobs<'_, '_> {
    fn get(&mut self, id: &ObjectId) -> Result<&Spans, ReadError> {
        if !self.read.contains_key(id) {
            let data = self.store.read_kind(id, Kind::Blob)?;
            self.read.insert(*id, spans(&data));
        }
        Ok(&self.read[id])
    }

    /// git's `estimate_similarity`: 0 for anything but two regular files
    /// or sizes too far apart to reach `minimum`.
    fn similarity(&mut self, src: &File, dst: &File, minimum: u64) -> Result<u64, ReadError> {
        if !is_regular(src.mode) || !is_regular(dst.mode) {
            return Ok(0);
        }
        let (src_size, dst_size) = (self.get(&src.id)?.size, self.get(&dst.id)?.size);
        let max = src_size.max(dst_size);
        if max * (MAX_SCORE - minimum) < (max - src_size.min(dst_size)) * MAX_SCORE || dst_size == 0
        {
            return Ok(0);
        }
        let common = copied(&self.read[&src.id], &self.read[&dst.id]);
        Ok(common * MAX_SCORE / max)
    }
}

/// git's `basename_same`.
fn same_name(a: &str, b: &str) -> bool {
    basename(a) == basename(b)
}

/// A candidate pair in the similarity matrix.
#[derive(Clone, Copy)]
struct Candidate {
    src: usize,
    score: u64,
    same_name: bool,
}

/// git's `score_compare` as an order: better first.
fn better(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    (b.score, b.same_name).cmp(&(a.score, a.same_name))
}

/// For each added path (in `added`'s order), the index in `deleted` of
/// the path it was renamed from: certainly right for the paths `wanted`
/// names, the others may be left unpaired. Both lists are in git's path
/// order; with `exact_only`, only the first step runs.
pub fn pair(
    store: &mut Store,
    added: &[File],
    deleted: &[File],
    wanted: &[usize],
    exact_only: bool,
) -> Result<Vec<Option<usize>>, ReadError> {
    let mut source: Vec<Option<usize>> = vec![None; added.len()];
    let mut used = vec![false; deleted.len()];
    if added.is_empty() || deleted.is_empty() {
        return Ok(source);
    }
    pair_exact(added, deleted, &mut source, &mut used);
    if exact_only {
        return Ok(source);
    }
    let mut blobs = Blobs {
        store,
        read: HashMap::new(),
    };
    // Other paths' pairs only take sources away: where no source is half
    // like a wanted path, it is new whatever they pair (and the other
    // added files, most of a merge's, are never read).
    if !any_similar(&mut blobs, added, deleted, wanted, &source, &used)? {
        return Ok(source);
    }
    pair_same_names(&mut blobs, added, deleted, &mut source, &mut used)?;
    pair_similar(&mut blobs, added, deleted, &mut source, &mut used)?;
    Ok(source)
}

/// Whether an unused source is at least half like an unpaired wanted path.
fn any_similar(
    blobs: &mut Blobs,
    added: &[File],
    deleted: &[File],
    wanted: &[usize],
    source: &[Option<usize>],
    used: &[bool],
) -> Result<bool, ReadError> {
    for &k in wanted.iter().filter(|k| source[**k].is_none()) {
        for (i, d) in deleted.iter().enumerate() {
            if !used[i] && blobs.similarity(d, &added[k], MINIMUM_SCORE)? >= MINIMUM_SCORE {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Step 1: same blob; an unused source with the same file name first.
fn pair_exact(added: &[File], deleted: &[File], source: &mut [Option<usize>], used: &mut [bool]) {
    let mut by_id: HashMap<ObjectId, Vec<usize>> = HashMap::new();
    for (i, d) in deleted.iter().enumerate() {
        by_id.entry(d.id).or_default().push(i);
    }
    for (k, a) in added.iter().enumerate() {
        let Some(candidates) = by_id.get(&a.id) else {
            continue;
        };
        let mut best: Option<(usize, bool)> = None;
        let eligible = candidates.iter().filter(|&&i| {
            let d = &deleted[i];
            !used[i] && ((is_regular(d.mode) && is_regular(a.mode)) || d.mode == a.mode)
        });
        for &i in eligible.take(EXACT_TRIES) {
            let named = same_name(deleted[i].path, a.path);
            if best.is_none() || (named && !best.is_some_and(|b| b.1)) {
                best = Some((i, named));
            }
            if named {
                break;
            }
        }
        if let Some((i, _)) = best {
            source[k] = Some(i);
            used[i] = true;
        }
    }
}

/// Index of each file name that occurs once among `files` (where `keep`).
fn unique_names<'a>(files: &[File<'a>], keep: impl Fn(usize) -> bool) -> HashMap<&'a str, usize> {
    let mut seen: HashMap<&str, Option<usize>> = HashMap::new();
    for (i, f) in files.iter().enumerate().filter(|(i, _)| keep(*i)) {
        seen.entry(basename(f.path))
            .and_modify(|v| *v = None)
            .or_insert(Some(i));
    }
    seen.into_iter()
        .filter_map(|(name, i)| Some((name, i?)))
        .collect()
}

/// Step 2: a file name unique on both sides, at least 75% similar.
fn pair_same_names(
    blobs: &mut Blobs,
    added: &[File],
    deleted: &[File],
    source: &mut [Option<usize>],
    used: &mut [bool],
) -> Result<(), ReadError> {
    let sources = unique_names(deleted, |i| !used[i]);
    let targets = unique_names(added, |k| source[k].is_none());
    for (i, d) in deleted.iter().enumerate() {
        let name = basename(d.path);
        if used[i] || sources.get(name) != Some(&i) {
            continue;
        }
        let Some(&k) = targets.get(name) else {
            continue;
        };
        if blobs.similarity(d, &added[k], BASENAME_SCORE)? >= BASENAME_SCORE {
            source[k] = Some(i);
            used[i] = true;
        }
    }
    Ok(())
}

/// Step 3: the similarity matrix, best pairs first.
fn pair_similar(
    blobs: &mut Blobs,
    added: &[File],
    deleted: &[File],
    source: &mut [Option<usize>],
    used: &mut [bool],
) -> Result<(), ReadError> {
    let targets: Vec<usize> = (0..added.len()).filter(|k| source[*k].is_none()).collect();
    let sources: Vec<usize> = (0..deleted.len()).filter(|i| !used[*i]).collect();
    let pairs = targets.len() as u64 * sources.len() as u64;
    if pairs == 0 || pairs > RENAME_LIMIT * RENAME_LIMIT {
        return Ok(());
    }
    let mut matrix: Vec<(usize, Candidate)> = Vec::new();
    for &k in &targets {
        let mut slots: Vec<Candidate> = Vec::with_capacity(CANDIDATES);
        for &i in &sources {
            let candidate = Candidate {
                src: i,
                score: blobs.similarity(&deleted[i], &added[k], MINIMUM_SCORE)?,
                same_name: same_name(deleted[i].path, added[k].path),
            };
            record_if_better(&mut slots, candidate);
        }
        matrix.extend(slots.into_iter().map(|c| (k, c)));
    }
    // Stable: equal candidates stay in added path order, then slot order.
    matrix.sort_by(|a, b| better(&a.1, &b.1));
    for (k, c) in matrix {
        if c.score < MINIMUM_SCORE {
            break;
        }
        if source[k].is_none() && !used[c.src] {
            source[k] = Some(c.src);
            used[c.src] = true;
        }
    }
    Ok(())
}

/// git's `record_if_better`: fill the free slots, then replace the worst
/// (the first of equally bad ones) by a strictly better candidate.
fn record_if_better(slots: &mut Vec<Candidate>, candidate: Candidate) {
    if slots.len() < CANDIDATES {
        slots.push(candidate);
        return;
    }
    let mut worst = 0;
    for i in 1..slots.len() {
        if better(&slots[i], &slots[worst]) == std::cmp::Ordering::Greater {
            worst = i;
        }
    }
    if better(&slots[worst], &candidate) == std::cmp::Ordering::Greater {
        slots[worst] = candidate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_lines_or_64_bytes_and_crlf_counts_as_lf() {
        let s = spans(b"a\nbb\na\n");
        assert_eq!(s.size, 7);
        assert_eq!(s.spans.iter().map(|x| x.1).sum::<u64>(), 7);
        assert_eq!(s.spans.len(), 2);
        let long = spans(&[b'x'; 130]);
        assert_eq!(long.spans.iter().map(|x| x.1).sum::<u64>(), 130);
        let crlf = spans(b"a\r\nbb\r\n");
        let lf = spans(b"a\nbb\n");
        assert_eq!(crlf.spans, lf.spans);
        assert_eq!(copied(&crlf, &lf), 5);
    }

    #[test]
    fn the_worst_slot_gives_way_only_to_a_better_candidate() {
        let c = |src, score, same_name| Candidate {
            src,
            score,
            same_name,
        };
        let mut slots = Vec::new();
        for (i, s) in [40_000, 35_000, 35_000, 50_000].into_iter().enumerate() {
            record_if_better(&mut slots, c(i, s, false));
        }
        record_if_better(&mut slots, c(4, 35_000, false));
        assert_eq!(
            slots.iter().map(|s| s.src).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        record_if_better(&mut slots, c(5, 35_000, true));
        assert_eq!(
            slots.iter().map(|s| s.src).collect::<Vec<_>>(),
            [0, 5, 2, 3]
        );
    }
}
