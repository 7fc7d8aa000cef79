//! Reading git objects straight from pack files and loose objects.
//!
//! The history pass reads every version of the documents' folders and of
//! the documents themselves, most of them stored as deltas. libgit2's reader
//! keeps a 16 MiB delta-base cache and caches no tree over 4 KiB, so a long
//! delta chain of a large folder tree is rebuilt from its base again and
//! again. This reader keeps every object it rebuilds, bases and
//! intermediates alike, in a byte-bounded cache; read in pack order (as the
//! walk and the facts pass do) almost every delta then finds its base there,
//! as C git's does. Anything it cannot read — alternates, an index version
//! it does not know, a damaged pack — it reports as absent, and the caller
//! falls back to libgit2.
//!
//! [`Packs`] is the shared, immutable index of every pack; each thread reads
//! through its own [`Reader`], which owns the file handles and the cache.

use libdeflater::Decompressor;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// An object's content, shared without copying.
pub type Bytes = Rc<Vec<u8>>;

/// A git object id (SHA-1).
pub type ObjectId = [u8; 20];

/// The four kinds of git object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A commit.
    Commit,
    /// A tree (folder listing).
    Tree,
    /// A blob (file content).
    Blob,
    /// An annotated tag.
    Tag,
}

impl Kind {
    fn from_pack(code: u8) -> Option<Kind> {
        match code {
            1 => Some(Kind::Commit),
            2 => Some(Kind::Tree),
            3 => Some(Kind::Blob),
            4 => Some(Kind::Tag),
            _ => None,
        }
    }

    fn from_name(name: &[u8]) -> Option<Kind> {
        match name {
            b"commit" => Some(Kind::Commit),
            b"tree" => Some(Kind::Tree),
            b"blob" => Some(Kind::Blob),
            b"tag" => Some(Kind::Tag),
            _ => None,
        }
    }
}

/// An object's kind and content.
#[derive(Debug, Clone)]
pub struct Object {
    /// What the object is.
    pub kind: Kind,
    /// Its content, shared with the cache.
    pub data: Bytes,
}

/// One pack's `.idx` (version 2), held in memory.
struct PackIndex {
    pack: PathBuf,
    idx: Vec<u8>,
    count: usize,
    /// Every object's offset, sorted: the end of one object's bytes is the
    /// start of the next.
    sorted_offsets: Vec<u64>,
    /// For each of `sorted_offsets`, the object's position in the index
    /// (where its id is).
    positions: Vec<u32>,
    /// Where the objects end: the pack's length less its trailing checksum.
    data_end: u64,
}

const FANOUT: usize = 8;
const HEADER: usize = FANOUT + 256 * 4;

impl PackIndex {
    fn open(idx_path: &Path) -> Option<PackIndex> {
        let idx = std::fs::read(idx_path).ok()?;
        if idx.len() < HEADER || idx[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let count = be32(&idx, FANOUT + 255 * 4)? as usize;
        let large_at = HEADER + count * 28;
        if idx.len() < large_at + 40 {
            return None;
        }
        let pack = idx_path.with_extension("pack");
        let data_end = std::fs::metadata(&pack).ok()?.len().checked_sub(20)?;
        let mut index = PackIndex {
            pack,
            idx,
            count,
            sorted_offsets: Vec::new(),
            positions: Vec::new(),
            data_end,
        };
        let mut offsets: Vec<(u64, u32)> = Vec::with_capacity(count);
        for i in 0..count {
            offsets.push((index.offset(i)?, u32::try_from(i).ok()?));
        }
        offsets.sort_unstable();
        (index.sorted_offsets, index.positions) = offsets.into_iter().unzip();
        Some(index)
    }

    fn oid(&self, i: usize) -> &[u8] {
        let at = HEADER + i * 20;
        &self.idx[at..at + 20]
    }

    fn offset(&self, i: usize) -> Option<u64> {
        let small = be32(&self.idx, HEADER + self.count * 24 + i * 4)?;
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let at = HEADER + self.count * 28 + (small & 0x7fff_ffff) as usize * 8;
        let bytes = self.idx.get(at..at + 8)?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }

    fn find(&self, id: &ObjectId) -> Option<u64> {
        let first = usize::from(id[0]);
        let lo = if first == 0 {
            0
        } else {
            be32(&self.idx, FANOUT + (first - 1) * 4)? as usize
        };
        let hi = (be32(&self.idx, FANOUT + first * 4)? as usize).min(self.count);
        let (mut lo, mut hi) = (lo.min(hi), hi);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.oid(mid).cmp(id.as_slice()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.offset(mid),
            }
        }
        None
    }

    /// Where the object at `offset` ends.
    fn end_of(&self, offset: u64) -> u64 {
        let next = self.sorted_offsets.partition_point(|&o| o <= offset);
        self.sorted_offsets
            .get(next)
            .copied()
            .unwrap_or(self.data_end)
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The index of every pack of a repository, shared by the readers.
#[derive(Default)]
pub struct Packs {
    objects: PathBuf,
    packs: Vec<PackIndex>,
}

impl Packs {
    /// Index the packs under `<git_dir>/objects/pack`. Packs that cannot be
    /// indexed are left to the fallback.
    pub fn open(git_dir: &Path) -> Packs {
        let objects = git_dir.join("objects");
        let mut idx_files: Vec<PathBuf> = std::fs::read_dir(objects.join("pack"))
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .collect();
        idx_files.sort();
        let packs = idx_files
            .iter()
            .filter_map(|p| PackIndex::open(p))
            .collect();
        Packs { objects, packs }
    }

    /// A reader with its own cache of at most `cache_bytes`.
    pub fn reader(&self, cache_bytes: usize) -> Reader<'_> {
        Reader {
            packs: self,
            files: (0..self.packs.len()).map(|_| None).collect(),
            cache: Cache::new(cache_bytes),
            inflate: Decompressor::new(),
            raw: Vec::new(),
        }
    }

    fn locate(&self, id: &ObjectId) -> Option<(usize, u64)> {
        self.packs
            .iter()
            .enumerate()
            .find_map(|(p, pack)| pack.find(id).map(|o| (p, o)))
    }

    /// Where an object sits, as a sort key: reading objects in this order
    /// finds delta bases before the deltas built on them.
    pub fn position(&self, id: &ObjectId) -> (usize, u64) {
        self.locate(id).unwrap_or((usize::MAX, 0))
    }
}

/// A repository's [`Packs`], opened when first asked for: one history
/// read opens them once, though the walk, HEAD's blobs and the facts all
/// read objects (each opening reads a pack's whole index and sorts its
/// offsets: tens of milliseconds for a pack of 600,000 objects).
pub struct LazyPacks<'a> {
    git_dir: &'a Path,
    packs: std::cell::OnceCell<Packs>,
}

impl<'a> LazyPacks<'a> {
    /// The packs under `<git_dir>/objects/pack`, not opened yet.
    pub fn new(git_dir: &'a Path) -> LazyPacks<'a> {
        LazyPacks {
            git_dir,
            packs: std::cell::OnceCell::new(),
        }
    }

    /// The packs, opened on the first call.
    pub fn get(&self) -> &Packs {
        self.packs.get_or_init(|| {
            let _phase = tracing::info_span!("open packs").entered();
            Packs::open(self.git_dir)
        })
    }
}

/// Bytes of a pack read at a time while looking for its commits.
const SCAN_CHUNK: u64 = 4 << 20;
/// A commit entry larger than this is left to [`Reader`].
const SCAN_ENTRY: u64 = 1 << 20;
/// Room for any entry's header (type and size).
const SCAN_HEADER: u64 = 16;
/// After the first commit, entries in a row that are not whole commits
/// after which the scan ends, unless commits were that far apart before:
/// git's packs hold all their commits first, then the trees and blobs.
const SCAN_OTHERS: usize = 4096;
/// Entries before the first commit after which the scan gives up.
const SCAN_BEFORE: usize = 1 << 20;

impl Packs {
    /// The whole commits of the packs with their ids (the index's: no
    /// SHA-1 per commit), inflated on every thread. git
    /// writes a pack's commits first, in recency order (`pack-objects`),
    /// so a clone's history sits in one run at the start of its pack;
    /// `fast-import` writes each commit after its blobs and trees. The
    /// scan reads only each entry's header until it meets a commit, and
    /// ends after a run of other entries longer than [`SCAN_OTHERS`] and
    /// than any gap between commits before it (a git-written pack's trees
    /// and blobs). A deltified commit, or one past the end of the scan,
    /// is left to [`Reader`]: nothing is lost but time.
    ///
    /// The scan runs on a thread of its own and hands the commits it
    /// finds on in batches, which are inflated on every thread meanwhile
    /// (in no set order: callers look them up by id).
    pub fn pack_commits(&self) -> Vec<(ObjectId, Vec<u8>)> {
        use rayon::prelude::*;
        const BATCH: usize = 1024;
        type Found = Vec<(ObjectId, Vec<u8>, usize)>;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Found>(64);
        let inflating = tracing::info_span!("inflate commits").entered();
        let within = inflating.id();
        std::thread::scope(|s| {
            // Not a rayon worker: the inflating ones wait on its batches.
            s.spawn(move || {
                let _scan = tracing::info_span!(parent: within, "entry headers").entered();
                let mut batch = Vec::with_capacity(BATCH);
                for pack in &self.packs {
                    pack.commits(&mut |found| {
                        batch.push(found);
                        if batch.len() == BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            // The receiver only goes when this scope ends.
                            let _ = tx.send(full);
                        }
                    });
                }
                let _ = tx.send(batch);
            });
            rx.into_iter()
                .par_bridge()
                .flat_map_iter(|batch| {
                    let mut inflate = Decompressor::new();
                    batch.into_iter().filter_map(move |(id, z, size)| {
                        Some((id, inflate_exactly(&mut inflate, &z, size)?))
                    })
                })
                .collect()
        })
    }
}

/// A window of a pack file, read a chunk at a time.
struct Window {
    file: File,
    buf: Vec<u8>,
    start: u64,
    data_end: u64,
}

impl Window {
    /// The bytes `offset..end`, reading a chunk from `offset` when they
    /// are not in the window; `None` when they cannot be read.
    fn get(&mut self, offset: u64, end: u64) -> Option<&[u8]> {
        let end = end.min(self.data_end);
        if offset < self.start || end > self.start + self.buf.len() as u64 {
            let len = SCAN_CHUNK.max(end - offset).min(self.data_end - offset);
            self.buf.resize(usize::try_from(len).ok()?, 0);
            self.file.read_exact_at(&mut self.buf, offset).ok()?;
            self.start = offset;
        }
        let from = usize::try_from(offset - self.start).ok()?;
        let to = usize::try_from(end - self.start).ok()?;
        self.buf.get(from..to)
    }
}

impl PackIndex {
    /// Add the id (the index's, as git's `index-pack` computed it from the
    /// bytes), compressed bytes and size of each whole commit of this pack
    /// to `found` (see [`Packs::pack_commits`]).
    fn commits(&self, found: &mut impl FnMut((ObjectId, Vec<u8>, usize))) {
        let Ok(file) = File::open(&self.pack) else {
            return;
        };
        let mut window = Window {
            file,
            buf: Vec::new(),
            start: 0,
            data_end: self.data_end,
        };
        // Entries since the last commit, and the longest such run between
        // two commits.
        let (mut others, mut widest, mut seen) = (0usize, 0usize, false);
        for (k, &offset) in self.sorted_offsets.iter().enumerate() {
            let limit = if seen {
                SCAN_OTHERS.max(2 * widest)
            } else {
                SCAN_BEFORE
            };
            if others > limit {
                return;
            }
            let end = (self.sorted_offsets.get(k + 1).copied()).unwrap_or(self.data_end);
            // A damaged index (an offset past the objects) ends the scan.
            if end <= offset || end > self.data_end {
                return;
            }
            let Some(head) = window.get(offset, offset + SCAN_HEADER) else {
                return;
            };
            match entry_header(head) {
                Some((1, size, at)) if end - offset <= SCAN_ENTRY => {
                    let Some(entry) = window.get(offset, end) else {
                        return;
                    };
                    let Some(id) =
                        (self.positions.get(k)).and_then(|&i| self.oid(i as usize).try_into().ok())
                    else {
                        return;
                    };
                    found((id, entry[at..].to_vec(), size));
                    if seen {
                        widest = widest.max(others);
                    }
                    (others, seen) = (0, true);
                }
                Some(_) => others += 1,
                None => return,
            }
        }
    }
}

/// A pack entry's type code, size and header length.
fn entry_header(raw: &[u8]) -> Option<(u8, usize, usize)> {
    let mut at = 0;
    let mut byte = *raw.get(at)?;
    at += 1;
    let code = (byte >> 4) & 7;
    let mut size = u64::from(byte & 0x0f);
    let mut shift = 4;
    while byte & 0x80 != 0 {
        byte = *raw.get(at)?;
        at += 1;
        if shift > 57 {
            return None;
        }
        size |= u64::from(byte & 0x7f) << shift;
        shift += 7;
    }
    if size > MAX_OBJECT {
        return None;
    }
    Some((code, usize::try_from(size).ok()?, at))
}

/// Inflate the zlib stream `input` into exactly `size` bytes. Pack
/// entries know their size, so the whole stream is inflated in one call
/// (libdeflate: most entries are a few hundred bytes, where setting up a
/// streaming inflater was a fifth of a cold monorepo walk). Bytes after
/// the stream are ignored; a stream longer or shorter than `size` is not
/// the object.
fn inflate_exactly(inflate: &mut Decompressor, input: &[u8], size: usize) -> Option<Vec<u8>> {
    let mut out = vec![0; size];
    let inflated = inflate.zlib_decompress(input, &mut out).ok()?;
    (inflated == size).then_some(out)
}

/// Reads objects for one thread.
pub struct Reader<'p> {
    packs: &'p Packs,
    files: Vec<Option<File>>,
    cache: Cache,
    inflate: Decompressor,
    raw: Vec<u8>,
}

/// Longest delta chain followed before the pack is taken to be damaged
/// (git writes at most 4095).
const MAX_CHAIN: usize = 10_000;

/// Largest object inflated: a bound against a damaged size field.
const MAX_OBJECT: u64 = 1 << 32;

impl Reader<'_> {
    /// Read an object; `None` when it is not in a pack or loose object this
    /// reader understands (the caller then asks libgit2).
    pub fn read(&mut self, id: &ObjectId) -> Option<Object> {
        match self.packs.locate(id) {
            Some((pack, offset)) => self.read_packed(pack, offset),
            None => self.read_loose(id),
        }
    }

    fn read_loose(&mut self, id: &ObjectId) -> Option<Object> {
        let hex = hex(id);
        let path = self.packs.objects.join(&hex[..2]).join(&hex[2..]);
        let compressed = std::fs::read(path).ok()?;
        let mut data = Vec::new();
        let mut decoder = flate2::bufread::ZlibDecoder::new(compressed.as_slice());
        std::io::Read::read_to_end(&mut decoder, &mut data).ok()?;
        let nul = memchr::memchr(0, &data)?;
        let space = memchr::memchr(b' ', &data[..nul])?;
        let kind = Kind::from_name(&data[..space])?;
        let size: usize = std::str::from_utf8(&data[space + 1..nul])
            .ok()?
            .parse()
            .ok()?;
        let content = data.get(nul + 1..)?;
        (content.len() == size).then(|| Object {
            kind,
            data: Rc::new(content.to_vec()),
        })
    }

    fn read_packed(&mut self, pack: usize, offset: u64) -> Option<Object> {
        // Follow the chain down to a cached object or a whole one, keeping
        // each delta; then apply them upwards, caching every result.
        let mut chain: Vec<(usize, u64, Vec<u8>)> = Vec::new();
        let (mut p, mut o) = (pack, offset);
        let mut object = loop {
            if let Some(hit) = self.cache.get(p, o) {
                break hit;
            }
            if chain.len() > MAX_CHAIN {
                return None;
            }
            let entry = self.entry(p, o)?;
            match entry {
                Entry::Whole(kind, data) => {
                    let object = Object {
                        kind,
                        data: Rc::new(data),
                    };
                    self.cache.put(p, o, &object);
                    break object;
                }
                Entry::OfsDelta(base, delta) => {
                    chain.push((p, o, delta));
                    o = base;
                }
                Entry::RefDelta(base, delta) => {
                    chain.push((p, o, delta));
                    (p, o) = self.packs.locate(&base)?;
                }
            }
        };
        for (p, o, delta) in chain.into_iter().rev() {
            object = Object {
                kind: object.kind,
                data: Rc::new(apply_delta(&object.data, &delta)?),
            };
            self.cache.put(p, o, &object);
        }
        Some(object)
    }

    fn entry(&mut self, pack: usize, offset: u64) -> Option<Entry> {
        let index = self.packs.packs.get(pack)?;
        let end = index.end_of(offset);
        let len = usize::try_from(end.checked_sub(offset)?).ok()?;
        if self.files[pack].is_none() {
            self.files[pack] = Some(File::open(&index.pack).ok()?);
        }
        let file = self.files[pack].as_ref()?;
        self.raw.resize(len, 0);
        file.read_exact_at(&mut self.raw, offset).ok()?;

        let (code, size, mut at) = entry_header(&self.raw)?;
        let raw = &self.raw;
        match code {
            6 => {
                let mut byte = *raw.get(at)?;
                at += 1;
                let mut back = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    byte = *raw.get(at)?;
                    at += 1;
                    back = back.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
                }
                let base = offset.checked_sub(back).filter(|_| back > 0)?;
                let delta = self.inflate_at(at, size)?;
                Some(Entry::OfsDelta(base, delta))
            }
            7 => {
                let base: ObjectId = raw.get(at..at + 20)?.try_into().ok()?;
                let delta = self.inflate_at(at + 20, size)?;
                Some(Entry::RefDelta(base, delta))
            }
            code => {
                let kind = Kind::from_pack(code)?;
                Some(Entry::Whole(kind, self.inflate_at(at, size)?))
            }
        }
    }

    /// Inflate the zlib stream at `self.raw[at..]` into exactly `size` bytes.
    fn inflate_at(&mut self, at: usize, size: usize) -> Option<Vec<u8>> {
        inflate_exactly(&mut self.inflate, self.raw.get(at..)?, size)
    }
}

enum Entry {
    Whole(Kind, Vec<u8>),
    OfsDelta(u64, Vec<u8>),
    RefDelta(ObjectId, Vec<u8>),
}

/// Apply a git delta to its base; `None` when the delta does not fit it.
fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let varint = |at: &mut usize| -> Option<usize> {
        let mut value = 0usize;
        let mut shift = 0;
        loop {
            let byte = *delta.get(*at)?;
            *at += 1;
            if shift > 56 {
                return None;
            }
            value |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
    };
    let base_size = varint(&mut at)?;
    let result_size = varint(&mut at)?;
    if base_size != base.len() || result_size as u64 > MAX_OBJECT {
        return None;
    }
    let mut out = Vec::with_capacity(result_size);
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut fields = [0usize; 7];
            for (bit, field) in fields.iter_mut().enumerate() {
                if op & (1 << bit) != 0 {
                    *field = usize::from(*delta.get(at)?);
                    at += 1;
                }
            }
            let offset = fields[0] | fields[1] << 8 | fields[2] << 16 | fields[3] << 24;
            let mut len = fields[4] | fields[5] << 8 | fields[6] << 16;
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if op != 0 {
            let len = usize::from(op);
            out.extend_from_slice(delta.get(at..at + len)?);
            at += len;
        } else {
            return None;
        }
        if out.len() > result_size {
            return None;
        }
    }
    (out.len() == result_size).then_some(out)
}

/// Objects by pack position, least recently used evicted first once the
/// total size passes the budget.
struct Cache {
    budget: usize,
    /// The most the budget may grow to.
    ceiling: usize,
    used: usize,
    tick: u64,
    entries: HashMap<(usize, u64), (Object, u64)>,
    /// Every use, oldest first; stale ticks are skipped on eviction.
    uses: VecDeque<((usize, u64), u64)>,
}

impl Cache {
    fn new(ceiling: usize) -> Cache {
        Cache {
            budget: ceiling.min(CACHE_FLOOR),
            ceiling,
            used: 0,
            tick: 0,
            entries: HashMap::new(),
            uses: VecDeque::new(),
        }
    }

    fn get(&mut self, pack: usize, offset: u64) -> Option<Object> {
        self.tick += 1;
        let tick = self.tick;
        let (object, last) = self.entries.get_mut(&(pack, offset))?;
        *last = tick;
        let object = object.clone();
        self.uses.push_back(((pack, offset), tick));
        Some(object)
    }

    fn put(&mut self, pack: usize, offset: u64, object: &Object) {
        self.budget = grown_budget(self.budget, object.data.len(), CACHE_SCALE, self.ceiling);
        // An object of more than a quarter of the budget would evict too much.
        if object.data.len() > self.budget / 4 || self.entries.contains_key(&(pack, offset)) {
            return;
        }
        self.tick += 1;
        self.used += object.data.len();
        self.entries
            .insert((pack, offset), (object.clone(), self.tick));
        self.uses.push_back(((pack, offset), self.tick));
        while self.used > self.budget {
            let Some((key, tick)) = self.uses.pop_front() else {
                break;
            };
            if self
                .entries
                .get(&key)
                .is_some_and(|(_, last)| *last == tick)
                && let Some((old, _)) = self.entries.remove(&key)
            {
                self.used -= old.data.len();
            }
        }
        // Stale uses pile up on a cache that never evicts; drop them.
        if self.uses.len() > 4 * self.entries.len() + 1024 {
            let entries = &self.entries;
            self.uses
                .retain(|(key, tick)| entries.get(key).is_some_and(|(_, last)| last == tick));
        }
    }
}

/// A cache's first budget: small repositories' objects never need more.
const CACHE_FLOOR: usize = 2 << 20;

/// A cache grows to keep this many of the largest object it has been
/// given (up to its ceiling): following a delta chain of a large folder
/// tree needs many of its versions kept, a small tree's chain little.
/// Memory held by a fixed budget was most of a small portfolio's peak.
const CACHE_SCALE: usize = 24;

/// A cache's budget after it is given an object of `size` bytes: enough
/// for `scale` of them, never past `ceiling` and never down (the object
/// and tree caches both size themselves so).
pub fn grown_budget(budget: usize, size: usize, scale: usize, ceiling: usize) -> usize {
    budget.max(size.saturating_mul(scale).min(ceiling))
}

/// Why an object could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The object is not in the repository: a partial clone that did not
    /// fetch it, or a damaged or incompletely copied object database.
    #[error("object {} is missing", hex(.0))]
    Missing(ObjectId),
    /// The object is there but cannot be used (damaged, or not what it
    /// should be).
    #[error("{0}")]
    Corrupt(String),
}

impl From<git2::Error> for ReadError {
    fn from(e: git2::Error) -> Self {
        ReadError::Corrupt(e.message().to_string())
    }
}

/// Objects for one thread: through a [`Reader`] where it can, through
/// libgit2 where it cannot.
pub struct Store<'p> {
    reader: Reader<'p>,
    git_dir: &'p Path,
    fallback: Option<Option<git2::Repository>>,
}

impl<'p> Store<'p> {
    /// A store over `packs`, falling back to the repository at `git_dir`.
    pub fn new(packs: &'p Packs, git_dir: &'p Path, cache_bytes: usize) -> Store<'p> {
        Store {
            reader: packs.reader(cache_bytes),
            git_dir,
            fallback: None,
        }
    }

    /// Read an object, or say which one is missing. libgit2 is asked
    /// for anything the own reader does not find, so an object reported
    /// missing is missing for git too (libgit2 never fetches from a
    /// partial clone's promisor remote).
    pub fn object(&mut self, id: &ObjectId) -> Result<Object, ReadError> {
        if let Some(object) = self.reader.read(id) {
            return Ok(object);
        }
        let repo = self
            .fallback
            .get_or_insert_with(|| git2::Repository::open(self.git_dir).ok())
            .as_ref()
            .ok_or_else(|| ReadError::Corrupt("cannot reopen the repository".into()))?;
        let odb = repo.odb()?;
        let object = match odb.read(git2::Oid::from_bytes(id)?) {
            Ok(object) => object,
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                return Err(ReadError::Missing(*id));
            }
            Err(e) => return Err(e.into()),
        };
        let kind = match object.kind() {
            git2::ObjectType::Commit => Kind::Commit,
            git2::ObjectType::Tree => Kind::Tree,
            git2::ObjectType::Blob => Kind::Blob,
            git2::ObjectType::Tag => Kind::Tag,
            _ => return Err(ReadError::Corrupt("unknown object type".into())),
        };
        Ok(Object {
            kind,
            data: Rc::new(object.data().to_vec()),
        })
    }

    /// Read an object that must be of `kind`.
    pub fn read_kind(&mut self, id: &ObjectId, kind: Kind) -> Result<Bytes, ReadError> {
        let object = self.object(id)?;
        if object.kind != kind {
            return Err(ReadError::Corrupt(format!(
                "object {} is a {:?}, not a {:?}",
                hex(id),
                object.kind,
                kind
            )));
        }
        Ok(object.data)
    }
}

/// Lower-case hex of an id.
pub fn hex(id: &ObjectId) -> String {
    use std::fmt::Write;
    id.iter().fold(String::with_capacity(40), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_copies_and_inserts() {
        let base = b"hello, world";
        // base size 12, result size 11; copy 5 bytes from 0, insert " you", copy 2 from 10.
        let delta = [12, 11, 0x90, 5, 4, b' ', b'y', b'o', b'u', 0x91, 10, 2];
        assert_eq!(
            apply_delta(base, &delta).as_deref(),
            Some(&b"hello yould"[..])
        );
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, data).unwrap();
        z.finish().unwrap()
    }

    /// A pack entry's stream inflates to exactly its size or not at all;
    /// the next entry's bytes after it are ignored.
    #[test]
    fn entries_inflate_to_exactly_their_size() {
        let mut inflate = Decompressor::new();
        let text = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n";
        let mut stream = zlib(text);
        let exact = inflate_exactly(&mut inflate, &stream, text.len());
        assert_eq!(exact.as_deref(), Some(&text[..]));
        assert_eq!(inflate_exactly(&mut inflate, &stream, text.len() - 1), None);
        assert_eq!(inflate_exactly(&mut inflate, &stream, text.len() + 1), None);
        stream.extend_from_slice(&zlib(b"the next entry"));
        let followed = inflate_exactly(&mut inflate, &stream, text.len());
        assert_eq!(followed.as_deref(), Some(&text[..]));
        assert_eq!(
            inflate_exactly(&mut inflate, &zlib(b""), 0),
            Some(Vec::new())
        );
        assert_eq!(
            inflate_exactly(&mut inflate, &stream[..10], text.len()),
            None
        );
        let mut damaged = zlib(text);
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert_eq!(
            inflate_exactly(&mut inflate, &damaged, text.len()),
            None,
            "checksum"
        );
    }

    #[test]
    fn bad_deltas_are_refused() {
        let base = b"abc";
        assert_eq!(apply_delta(base, &[4, 1, 1, b'x']), None, "wrong base size");
        assert_eq!(
            apply_delta(base, &[3, 1, 0x90, 9]),
            None,
            "copy out of range"
        );
        assert_eq!(apply_delta(base, &[3, 2, 1, b'x']), None, "short result");
        assert_eq!(apply_delta(base, &[3, 1, 0]), None, "reserved opcode");
        assert_eq!(apply_delta(base, &[3]), None, "truncated header");
    }

    #[test]
    fn cache_evicts_least_recently_used() {
        let object = |n: usize| Object {
            kind: Kind::Blob,
            data: Rc::new(vec![0u8; n]),
        };
        let mut cache = Cache::new(100);
        cache.put(0, 1, &object(20));
        cache.put(0, 2, &object(20));
        assert!(cache.get(0, 1).is_some());
        cache.put(0, 3, &object(20));
        cache.put(0, 4, &object(20));
        cache.put(0, 5, &object(20));
        // 100 bytes used; one more evicts the least recently used: 2.
        cache.put(0, 6, &object(20));
        assert!(cache.get(0, 2).is_none());
        assert!(cache.get(0, 1).is_some());
        assert!(cache.get(0, 6).is_some());
        assert!(cache.used <= 100);
        // Too large for the budget: not cached at all.
        cache.put(0, 7, &object(60));
        assert!(cache.get(0, 7).is_none());
    }

    #[test]
    fn cache_budget_grows_with_the_largest_object_up_to_its_ceiling() {
        let object = |n: usize| Object {
            kind: Kind::Blob,
            data: Rc::new(vec![0u8; n]),
        };
        let mut cache = Cache::new(64 << 20);
        // Small objects: the floor, however many are put.
        for offset in 0..1000 {
            cache.put(0, offset, &object(4096));
        }
        assert_eq!(cache.budget, CACHE_FLOOR);
        assert!(cache.used <= CACHE_FLOOR);
        // A large tree raises it to keep CACHE_SCALE of those ...
        cache.put(0, 5000, &object(200 << 10));
        assert_eq!(cache.budget, CACHE_SCALE * (200 << 10));
        assert!(cache.get(0, 5000).is_some());
        // ... never past the ceiling, and never down again.
        cache.put(0, 5001, &object(8 << 20));
        assert_eq!(cache.budget, 64 << 20);
        cache.put(0, 5002, &object(10));
        assert_eq!(cache.budget, 64 << 20);
    }
}
