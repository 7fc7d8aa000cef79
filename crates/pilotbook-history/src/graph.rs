//! git's commit-graph file, read where git wrote one, so that the walk
//! finds every commit's parents without inflating it and skips the trees
//! of commits that changed nothing below the kinds' folders.
//!
//! The format is git's `Documentation/gitformat-commit-graph.txt`: a
//! header (`CGPH`, version 1, hash version 1 for SHA-1), a table of
//! chunks, and the chunks `OIDF` (fan-out), `OIDL` (ids, sorted), `CDAT`
//! (tree, two parent positions, generation and time), `EDGE` (the further
//! parents of octopus merges) and, when written with `--changed-paths`,
//! `BIDX`/`BDAT`: a Bloom filter per commit of the paths it changed
//! against its first parent, each path's leading folders included. A
//! chain of split graphs (`commit-graphs/commit-graph-chain`) is read as
//! one, base layers first, as git numbers its positions.
//!
//! The file is a cache of git's, under `.git`, never committed content;
//! still every offset is checked, and anything unexpected makes the whole
//! graph unused (the walk then reads commits as before). The walk checks
//! each commit's parents against the object it reads anyway.

use super::odb::ObjectId;
use std::path::Path;

/// Parent position meaning "no parent" (git's `GRAPH_PARENT_NONE`).
const NONE: u32 = 0x7000_0000;
/// In the second parent position: the rest are in `EDGE`, from this index.
const EXTRA: u32 = 0x8000_0000;
/// Bytes of a `CDAT` entry: tree id, two parents, generation and time.
const CDAT_WIDTH: usize = 20 + 16;

/// The commit-graph of a repository: one layer, or a chain of them.
pub struct Graph {
    layers: Vec<Layer>,
}

/// One commit-graph file, read whole.
struct Layer {
    data: Vec<u8>,
    /// Commits in the layers below this one.
    base: u32,
    count: u32,
    fanout: usize,
    oids: usize,
    cdat: usize,
    edge: Option<(usize, usize)>,
    bloom: Option<Bloom>,
}

/// Where a layer's Bloom filters are, and how they were made.
struct Bloom {
    index: usize,
    data: (usize, usize),
    version: u32,
    hashes: u32,
}

impl Graph {
    /// The graph below `objects` (a repository's `objects` folder), when
    /// git wrote one this reader understands.
    pub fn open(objects: &Path) -> Option<Graph> {
        let info = objects.join("info");
        let chain = info.join("commit-graphs");
        let files: Vec<std::path::PathBuf> =
            match std::fs::read_to_string(chain.join("commit-graph-chain")) {
                Ok(text) => text
                    .lines()
                    .map(|hash| chain.join(format!("graph-{}.graph", hash.trim())))
                    .collect(),
                Err(_) => vec![info.join("commit-graph")],
            };
        let mut layers: Vec<Layer> = Vec::new();
        for file in files {
            let meta = std::fs::symlink_metadata(&file).ok()?;
            // A graph of a billion commits is 36 GB: refuse silly sizes.
            if !meta.is_file() || meta.len() > 1 << 32 {
                return None;
            }
            let base = layers
                .last()
                .map_or(Some(0), |l| l.base.checked_add(l.count))?;
            layers.push(Layer::parse(std::fs::read(&file).ok()?, base)?);
        }
        (!layers.is_empty()).then_some(Graph { layers })
    }

    /// The position of a commit, if the graph has it.
    pub fn find(&self, id: &ObjectId) -> Option<u32> {
        self.layers.iter().find_map(|l| l.find(id))
    }

    /// The commit at `position`: its parents' positions, in order.
    pub fn parents(&self, position: u32) -> Option<Vec<u32>> {
        let (layer, i) = self.layer(position)?;
        layer.parents(i)
    }

    /// The id at `position`.
    pub fn id(&self, position: u32) -> Option<ObjectId> {
        let (layer, i) = self.layer(position)?;
        layer.oid(i)
    }

    /// Whether the commit at `position` may have changed a path at or
    /// below one of `paths` (repository paths, no slashes at either end)
    /// against its first parent: `false` only when its Bloom filter says
    /// none of them is there. Without a filter, always `true`.
    pub fn may_change(&self, position: u32, paths: &[String]) -> bool {
        let Some((layer, i)) = self.layer(position) else {
            return true;
        };
        match layer.filter(i) {
            Some((filter, bloom)) => paths.iter().any(|p| bloom.may_contain(filter, p)),
            None => true,
        }
    }

    fn layer(&self, position: u32) -> Option<(&Layer, usize)> {
        let layer = self
            .layers
            .iter()
            .find(|l| position >= l.base && position - l.base < l.count)?;
        Some((layer, (position - layer.base) as usize))
    }
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        data.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        data.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

impl Layer {
    /// Check the header and find the chunks; `None` for anything else than
    /// a version 1, SHA-1 graph whose chunks lie inside the file.
    fn parse(data: Vec<u8>, base: u32) -> Option<Layer> {
        if data.get(..4)? != b"CGPH" || *data.get(4)? != 1 || *data.get(5)? != 1 {
            return None;
        }
        let chunks = usize::from(*data.get(6)?);
        let mut table = Vec::with_capacity(chunks + 1);
        for k in 0..=chunks {
            let at = 8 + 12 * k;
            let id = data.get(at..at + 4)?;
            let offset = usize::try_from(be64(&data, at + 4)?).ok()?;
            table.push((id, offset));
        }
        let chunk = |name: &[u8]| -> Option<(usize, usize)> {
            let k = table[..chunks].iter().position(|(id, _)| *id == name)?;
            let (start, end) = (table[k].1, table.get(k + 1)?.1);
            (start <= end && end <= data.len()).then_some((start, end))
        };
        let (fanout, fanout_end) = chunk(b"OIDF")?;
        let (oids, oids_end) = chunk(b"OIDL")?;
        let (cdat, cdat_end) = chunk(b"CDAT")?;
        let count = be32(&data, fanout + 255 * 4)?;
        let n = count as usize;
        let sizes_ok = fanout_end - fanout == 1024
            && oids_end - oids == n.checked_mul(20)?
            && cdat_end - cdat == n.checked_mul(CDAT_WIDTH)?;
        if !sizes_ok {
            return None;
        }
        let edge = chunk(b"EDGE");
        let bloom = Layer::bloom(&data, chunk(b"BIDX"), chunk(b"BDAT"), n);
        Some(Layer {
            data,
            base,
            count,
            fanout,
            oids,
            cdat,
            edge,
            bloom,
        })
    }

    /// The Bloom chunks, when both are there and agree in size.
    fn bloom(
        data: &[u8],
        index: Option<(usize, usize)>,
        bdat: Option<(usize, usize)>,
        n: usize,
    ) -> Option<Bloom> {
        let ((index, index_end), (start, end)) = (index?, bdat?);
        if index_end - index != n.checked_mul(4)? || end - start < 12 {
            return None;
        }
        let version = be32(data, start)?;
        let hashes = be32(data, start + 4)?;
        ((1..=2).contains(&version) && (1..=32).contains(&hashes)).then_some(Bloom {
            index,
            data: (start + 12, end),
            version,
            hashes,
        })
    }

    fn oid(&self, i: usize) -> Option<ObjectId> {
        let at = self.oids + 20 * i;
        self.data.get(at..at + 20)?.try_into().ok()
    }

    /// Binary search within the fan-out's bucket for the id's first byte.
    fn find(&self, id: &ObjectId) -> Option<u32> {
        let first = usize::from(id[0]);
        let lo = match first {
            0 => 0,
            _ => be32(&self.data, self.fanout + 4 * (first - 1))? as usize,
        };
        let hi = (be32(&self.data, self.fanout + 4 * first)? as usize).min(self.count as usize);
        let (mut lo, mut hi) = (lo, hi);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.oid(mid)?.as_slice().cmp(id.as_slice()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return self.base.checked_add(u32::try_from(mid).ok()?);
                }
            }
        }
        None
    }

    fn parents(&self, i: usize) -> Option<Vec<u32>> {
        let at = self.cdat + CDAT_WIDTH * i + 20;
        let (first, second) = (be32(&self.data, at)?, be32(&self.data, at + 4)?);
        let mut parents = Vec::with_capacity(2);
        if first == NONE {
            return Some(parents);
        }
        parents.push(first);
        if second == NONE {
            return Some(parents);
        }
        if second & EXTRA == 0 {
            parents.push(second);
            return Some(parents);
        }
        // An octopus: the second and later parents are listed in EDGE, the
        // last with the top bit set.
        let (start, end) = self.edge?;
        let mut at = start.checked_add(4 * (second & !EXTRA) as usize)?;
        loop {
            if at + 4 > end {
                return None;
            }
            let edge = be32(&self.data, at)?;
            parents.push(edge & !EXTRA);
            if edge & EXTRA != 0 {
                return Some(parents);
            }
            at += 4;
        }
    }

    /// The Bloom filter of commit `i` of this layer.
    fn filter(&self, i: usize) -> Option<(&[u8], &Bloom)> {
        let bloom = self.bloom.as_ref()?;
        let end = be32(&self.data, bloom.index + 4 * i)? as usize;
        let start = match i {
            0 => 0,
            _ => be32(&self.data, bloom.index + 4 * (i - 1))? as usize,
        };
        let (from, to) = (
            bloom.data.0.checked_add(start)?,
            bloom.data.0.checked_add(end)?,
        );
        if from > to || to > bloom.data.1 {
            return None;
        }
        Some((self.data.get(from..to)?, bloom))
    }
}

impl Bloom {
    /// Whether `filter` may hold `path` (git's `bloom_filter_contains`).
    fn may_contain(&self, filter: &[u8], path: &str) -> bool {
        // An empty filter says nothing; version 1 hashed bytes above 0x7f
        // as signed, so for such a path it cannot be trusted either.
        if filter.is_empty() || (self.version == 1 && !path.is_ascii()) {
            return true;
        }
        let bits = filter.len() as u64 * 8;
        let h0 = murmur3(0x293a_e76f, path.as_bytes());
        let h1 = murmur3(0x7e64_6e2c, path.as_bytes());
        (0..self.hashes).all(|i| {
            let bit = u64::from(h0.wrapping_add(i.wrapping_mul(h1))) % bits;
            filter
                .get((bit / 8) as usize)
                .is_some_and(|byte| byte & (1 << (bit % 8)) != 0)
        })
    }
}

/// 32-bit MurmurHash3 of `data` with `seed`, as git's
/// `murmur3_seeded_v2` (bytes unsigned).
fn murmur3(seed: u32, data: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let mut k = 0u32;
        for (i, byte) in tail.iter().enumerate() {
            k ^= u32::from(*byte) << (8 * i);
        }
        h ^= k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// git's own test vectors for `murmur3_seeded` (t/helper/test-bloom.c,
    /// t0095-bloom.sh): seed 0.
    #[test]
    fn murmur3_matches_git() {
        assert_eq!(murmur3(0, b""), 0x0000_0000);
        assert_eq!(
            murmur3(0, b"Hello world!"),
            0x627b_0c2c,
            "t0095: 'Hello world!'"
        );
        assert_eq!(
            murmur3(0, b"The quick brown fox jumps over the lazy dog"),
            0x2e4f_f723
        );
    }

    /// A graph of two commits (the second a child of the first), with
    /// Bloom filters: the second changed `pilots/a.md`.
    fn two_commits() -> Vec<u8> {
        let ids = [[0x11u8; 20], [0xaa; 20]];
        let mut fanout = Vec::new();
        for byte in 0..=255u32 {
            let n = ids.iter().filter(|id| u32::from(id[0]) <= byte).count() as u32;
            fanout.extend(n.to_be_bytes());
        }
        let oidl: Vec<u8> = ids.concat();
        let mut cdat = Vec::new();
        for parent in [NONE, 0] {
            cdat.extend([0x22; 20]);
            cdat.extend(parent.to_be_bytes());
            cdat.extend(NONE.to_be_bytes());
            cdat.extend([0; 8]);
        }
        // A filter of 2 bytes for the second commit, with "pilots" and
        // "pilots/a.md" in it; the first commit's is empty.
        let mut filter = [0u8; 2];
        for path in ["pilots", "pilots/a.md"] {
            let (h0, h1) = (
                murmur3(0x293a_e76f, path.as_bytes()),
                murmur3(0x7e64_6e2c, path.as_bytes()),
            );
            for i in 0..7u32 {
                let bit = h0.wrapping_add(i.wrapping_mul(h1)) % 16;
                filter[(bit / 8) as usize] |= 1 << (bit % 8);
            }
        }
        let bidx: Vec<u8> = [0u32, 2].iter().flat_map(|n| n.to_be_bytes()).collect();
        let mut bdat: Vec<u8> = [2u32, 7, 10].iter().flat_map(|n| n.to_be_bytes()).collect();
        bdat.extend(filter);
        let chunks: [(&[u8; 4], Vec<u8>); 5] = [
            (b"OIDF", fanout),
            (b"OIDL", oidl),
            (b"CDAT", cdat),
            (b"BIDX", bidx),
            (b"BDAT", bdat),
        ];
        let mut out = b"CGPH\x01\x01\x05\x00".to_vec();
        let mut offset = 8 + 12 * (chunks.len() + 1);
        for (id, data) in &chunks {
            out.extend(*id);
            out.extend((offset as u64).to_be_bytes());
            offset += data.len();
        }
        out.extend([0; 4]);
        out.extend((offset as u64).to_be_bytes());
        for (_, data) in chunks {
            out.extend(data);
        }
        out
    }

    #[test]
    fn reads_parents_and_filters() {
        let layer = Layer::parse(two_commits(), 0).expect("a graph");
        let graph = Graph {
            layers: vec![layer],
        };
        assert_eq!(graph.find(&[0x11; 20]), Some(0));
        assert_eq!(graph.find(&[0xaa; 20]), Some(1));
        assert_eq!(graph.find(&[0x12; 20]), None);
        assert_eq!(graph.parents(0), Some(vec![]));
        assert_eq!(graph.parents(1), Some(vec![0]));
        assert!(graph.may_change(1, &["pilots".into()]));
        assert!(graph.may_change(1, &["people".into(), "pilots".into()]));
        // An empty filter says nothing.
        assert!(graph.may_change(0, &["people".into()]));
        // Which of these a 16-bit filter rules out depends on the hashes;
        // at least one of many other folders must be ruled out.
        let others: Vec<String> = (0..20).map(|i| format!("folder-{i}")).collect();
        assert!(
            others
                .iter()
                .any(|o| !graph.may_change(1, std::slice::from_ref(o)))
        );
    }

    /// Any byte of a graph damaged: never a panic, and what is read is
    /// checked (a position past the end is no commit).
    #[test]
    fn damaged_graphs_never_panic() {
        let good = two_commits();
        for at in 0..good.len() {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut bytes = good.clone();
                bytes[at] = value;
                if let Some(layer) = Layer::parse(bytes, 0) {
                    let graph = Graph {
                        layers: vec![layer],
                    };
                    for position in 0..4 {
                        let _ = graph.parents(position);
                        let _ = graph.id(position);
                        let _ = graph.may_change(position, &["pilots".into()]);
                    }
                    let _ = graph.find(&[0xaa; 20]);
                }
            }
        }
        for len in 0..good.len() {
            let _ = Layer::parse(good[..len].to_vec(), 0);
        }
    }

    #[test]
    fn garbage_is_no_graph() {
        assert!(Layer::parse(b"CGPH\x01\x01\x09\x00".to_vec(), 0).is_none());
        assert!(Layer::parse(Vec::new(), 0).is_none());
        assert!(Layer::parse(b"nonsense".to_vec(), 0).is_none());
    }
}
