//! Where the boxes and curves of one connected component go: the layered
//! (Sugiyama) layout as a row of pure phases over plain indices and
//! numbers, each testable alone, with no markup and no labels.
//!
//! Nodes are `0..n` (in key order, which breaks every tie); an edge is a
//! pair `(from, to)`, the arrow pointing at `to`. The phases, in order:
//!
//! 1. [`break_cycles`]: a depth-first search in node order reverses the
//!    back edges, which makes the graph acyclic.
//! 2. [`assign_layers`]: every node's layer from its longest path to a
//!    node without dependencies; dependencies go right.
//! 3. [`insert_virtual`]: an edge spanning several layers gets a virtual
//!    item in each layer it crosses (a bounded number per component).
//! 4. [`order_layers`]: barycenter sweeps order every layer; the order
//!    with fewest [`crossings`] wins.
//! 5. [`place`]: isotonic-regression sweeps put every item near its
//!    neighbours, boxes and edges apart.
//! 6. [`columns`]: a column per layer, as wide as its widest box.
//! 7. [`ports`]: where each edge leaves and enters its boxes.
//! 8. [`route`]: each edge as a path of cubic curves through its virtual
//!    items, beside the boxes of the columns it crosses.
//!
//! [`layered`] runs them; [`grid`] places the nodes without edges.

use crate::svg::PathStep;

/// Height of every box.
pub(super) const NODE_HEIGHT: f64 = 34.0;
/// The narrowest box.
pub(super) const MIN_NODE_WIDTH: f64 = 64.0;
const COLUMN_GAP: f64 = 96.0;
/// Vertical gap between two boxes of a column.
const NODE_GAP: f64 = 18.0;
/// Vertical gap between an edge crossing a column and anything else there.
const VIRTUAL_GAP: f64 = 10.0;
/// Ports keep this far from a box's top and bottom.
const PORT_INSET: f64 = 5.0;
const MARGIN: f64 = 16.0;
/// Down-and-up barycenter sweep pairs.
const ORDER_SWEEPS: usize = 4;
/// Down-and-up placement sweep pairs.
const PLACE_SWEEPS: usize = 4;
/// Virtual items allowed per component.
const MAX_VIRTUAL_NODES: usize = 20_000;
const GRID_MAX_COLUMNS: usize = 6;
const GRID_GAP_X: f64 = 24.0;

/// The drawing of one component, before markup.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    /// The drawing's size, whole pixels.
    pub(super) width: f64,
    pub(super) height: f64,
    /// The top-left corner of each node's box.
    pub(super) boxes: Vec<(f64, f64)>,
    /// Per edge: reversed to break a cycle (laid out from `to` to `from`).
    pub(super) reversed: Vec<bool>,
    /// Per edge: its path from the dependent's box to the dependency's.
    pub(super) paths: Vec<Vec<PathStep>>,
}

/// Lay out one weakly connected component: `box_widths[i]` is node `i`'s
/// box width, `edges` the links between nodes by index.
pub(super) fn layered(box_widths: &[f64], edges: &[(usize, usize)]) -> Layout {
    let n = box_widths.len();
    let acyclic = break_cycles(n, edges);
    let laid: Vec<(usize, usize)> = edges
        .iter()
        .zip(&acyclic.reversed)
        .map(|(&(a, b), &reversed)| if reversed { (b, a) } else { (a, b) })
        .collect();
    let node_layer = assign_layers(n, &laid, &acyclic.finish_order);
    let chains = insert_virtual(&node_layer, &laid, MAX_VIRTUAL_NODES);
    let (succs, preds) = segments(&chains);
    let layers = order_layers(&chains.item_layer, &succs, &preds);
    let center = place(&layers, n, &succs, &preds);
    let columns = columns(box_widths, &chains.item_layer);
    let (out_port, in_port) = ports(n, &laid, &chains, &center);
    let frame = Frame {
        columns: &columns,
        item_layer: &chains.item_layer,
        center: &center,
    };
    let paths = (0..edges.len())
        .map(|e| {
            let hops = chains.chain(e);
            let start_width = hops.first().map_or(0.0, |&h| box_widths[h]);
            route(&frame, hops, start_width, (out_port[e], in_port[e]))
        })
        .collect();
    let bottom = (0..center.len())
        .map(|i| center[i] + item_height(i, n) / 2.0)
        .fold(0.0, f64::max);
    Layout {
        width: columns.total,
        height: (bottom + MARGIN).ceil(),
        boxes: (0..n)
            .map(|i| (columns.x[node_layer[i]], center[i] - NODE_HEIGHT / 2.0))
            .collect(),
        reversed: acyclic.reversed,
        paths,
    }
}

/// The result of [`break_cycles`].
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Acyclic {
    /// Per edge: a back edge of the search, to be laid out reversed.
    pub(super) reversed: Vec<bool>,
    /// Nodes in the order the search finished them: every laid-out edge
    /// goes from a node that finishes later to one that finishes earlier.
    pub(super) finish_order: Vec<usize>,
}

/// Phase 1: a depth-first search from each unvisited node in index order,
/// following out-edges in edge order, without recursion; an edge to a node
/// still on the stack is a back edge.
pub(super) fn break_cycles(n: usize, edges: &[(usize, usize)]) -> Acyclic {
    let by_source: Vec<(usize, usize)> = edges
        .iter()
        .enumerate()
        .map(|(e, &(a, _))| (a, e))
        .collect();
    let out = Adjacency::build(n, &by_source);
    let mut reversed = vec![false; edges.len()];
    // 0: not seen, 1: on the stack, 2: finished.
    let mut state = vec![0u8; n];
    let mut finish_order = Vec::with_capacity(n);
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        stack.push((root, 0));
        while let Some(&(v, next)) = stack.last() {
            let Some(&e) = out.of(v).get(next) else {
                state[v] = 2;
                finish_order.push(v);
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            let w = edges[e].1;
            match state[w] {
                0 => {
                    state[w] = 1;
                    stack.push((w, 0));
                }
                1 => reversed[e] = true,
                _ => {}
            }
        }
    }
    Acyclic {
        reversed,
        finish_order,
    }
}

/// Phase 2: each node's layer, 0 the leftmost: the longest path from it to
/// a node without dependencies, counted from the right. `laid` must be
/// acyclic and `finish_order` list every successor before its
/// predecessors (as [`break_cycles`] gives).
pub(super) fn assign_layers(
    n: usize,
    laid: &[(usize, usize)],
    finish_order: &[usize],
) -> Vec<usize> {
    let successors = Adjacency::build(n, laid);
    let mut rank = vec![0usize; n];
    for &v in finish_order {
        rank[v] = successors
            .of(v)
            .iter()
            .map(|&w| rank[w] + 1)
            .max()
            .unwrap_or(0);
    }
    let max_rank = rank.iter().copied().max().unwrap_or(0);
    rank.iter().map(|&r| max_rank - r).collect()
}

/// Items laid out in layers: the real nodes (item `i` is node `i`), then
/// the virtual items of long edges; and each edge's path through them.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Chains {
    /// Each item's layer.
    pub(super) item_layer: Vec<usize>,
    /// Every edge's items, left to right, one after the other.
    items: Vec<usize>,
    /// Edge `e`'s items are `items[starts[e]..starts[e + 1]]`.
    starts: Vec<usize>,
}

impl Chains {
    /// The items edge `e` passes, from its left end to its right end.
    pub(super) fn chain(&self, e: usize) -> &[usize] {
        match (self.starts.get(e), self.starts.get(e + 1)) {
            (Some(&s), Some(&t)) => self.items.get(s..t).unwrap_or(&[]),
            _ => &[],
        }
    }

    fn edge_count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

/// Phase 3: a virtual item in every layer a laid-out edge crosses, while
/// `budget` lasts (beyond it a long edge stays one direct segment).
pub(super) fn insert_virtual(
    node_layer: &[usize],
    laid: &[(usize, usize)],
    mut budget: usize,
) -> Chains {
    let mut item_layer = node_layer.to_vec();
    let mut items = Vec::with_capacity(laid.len() * 2);
    let mut starts = Vec::with_capacity(laid.len() + 1);
    for &(a, b) in laid {
        starts.push(items.len());
        items.push(a);
        let (la, lb) = (item_layer[a], item_layer[b]);
        let crossed = lb.saturating_sub(la + 1);
        if crossed > 0 && crossed <= budget {
            budget -= crossed;
            for layer in la + 1..lb {
                items.push(item_layer.len());
                item_layer.push(layer);
            }
        }
        items.push(b);
    }
    starts.push(items.len());
    Chains {
        item_layer,
        items,
        starts,
    }
}

/// The segments between adjacent layers: each item's neighbours in the
/// next layer (successors) and in the previous one (predecessors).
fn segments(chains: &Chains) -> (Adjacency, Adjacency) {
    let layer = &chains.item_layer;
    let mut forward = Vec::with_capacity(chains.items.len());
    for e in 0..chains.edge_count() {
        for pair in chains.chain(e).windows(2) {
            if layer[pair[1]] == layer[pair[0]] + 1 {
                forward.push((pair[0], pair[1]));
            }
        }
    }
    let backward: Vec<(usize, usize)> = forward.iter().map(|&(a, b)| (b, a)).collect();
    (
        Adjacency::build(layer.len(), &forward),
        Adjacency::build(layer.len(), &backward),
    )
}

/// Phase 4: the items of each layer, top to bottom. Starting from item
/// order, up to [`ORDER_SWEEPS`] pairs of barycenter sweeps (down by
/// predecessors, up by successors); the order with fewest crossings wins,
/// the earliest among equals.
pub(super) fn order_layers(
    item_layer: &[usize],
    succs: &Adjacency,
    preds: &Adjacency,
) -> Vec<Vec<usize>> {
    let layer_count = item_layer.iter().copied().max().map_or(0, |l| l + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for (item, &l) in item_layer.iter().enumerate() {
        layers[l].push(item);
    }
    let mut pos = vec![0usize; item_layer.len()];
    set_positions(&layers, &mut pos);
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, &pos, succs);
    for _ in 0..ORDER_SWEEPS {
        if best_crossings == 0 {
            break;
        }
        for layer in layers.iter_mut().skip(1) {
            reorder(layer, &mut pos, preds);
        }
        for layer in layers.iter_mut().rev().skip(1) {
            reorder(layer, &mut pos, succs);
        }
        let c = crossings(&layers, &pos, succs);
        if c < best_crossings {
            best_crossings = c;
            best.clone_from(&layers);
        }
    }
    best
}

/// Give each item its index within its layer.
fn set_positions(layers: &[Vec<usize>], pos: &mut [usize]) {
    for layer in layers {
        for (i, &item) in layer.iter().enumerate() {
            pos[item] = i;
        }
    }
}

/// Sort one layer by the barycenter of each item's neighbours in the
/// adjacent layer (items without any keep their position); ties by item,
/// which is key order for real nodes.
fn reorder(layer: &mut [usize], pos: &mut [usize], neighbours: &Adjacency) {
    let mut keyed: Vec<(f64, usize)> = layer
        .iter()
        .map(|&item| {
            let near = neighbours.of(item);
            let bary = if near.is_empty() {
                pos[item] as f64
            } else {
                near.iter().map(|&m| pos[m] as f64).sum::<f64>() / near.len() as f64
            };
            (bary, item)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (i, (slot, (_, item))) in layer.iter_mut().zip(keyed).enumerate() {
        *slot = item;
        pos[item] = i;
    }
}

/// Edge crossings between all adjacent layers, counted as inversions with a
/// Fenwick tree: `O(segments · log width)`.
pub(super) fn crossings(layers: &[Vec<usize>], pos: &[usize], succs: &Adjacency) -> u64 {
    let mut total = 0u64;
    let mut ends: Vec<usize> = Vec::new();
    let mut tree: Vec<u64> = Vec::new();
    for pair in layers.windows(2) {
        let (upper, lower) = (&pair[0], &pair[1]);
        tree.clear();
        tree.resize(lower.len() + 1, 0);
        let mut inserted = 0u64;
        for &item in upper {
            ends.clear();
            ends.extend(succs.of(item).iter().map(|&s| pos[s]));
            ends.sort_unstable();
            for &p in &ends {
                // Earlier segments ending to the right of `p` cross this one.
                let mut at_most = 0u64;
                let mut i = p + 1;
                while i > 0 {
                    at_most += tree.get(i).copied().unwrap_or(0);
                    i &= i - 1;
                }
                total += inserted - at_most;
            }
            for &p in &ends {
                let mut i = p + 1;
                while i < tree.len() {
                    tree[i] += 1;
                    i += i & i.wrapping_neg();
                }
                inserted += 1;
            }
        }
    }
    total
}

/// A box's height for a real node (`item < n`), none for a virtual item.
fn item_height(item: usize, n: usize) -> f64 {
    if item < n { NODE_HEIGHT } else { 0.0 }
}

/// The least distance between the centers of two items above each other.
fn item_gap(a: usize, b: usize, n: usize) -> f64 {
    let clearance = if a < n && b < n {
        NODE_GAP
    } else {
        VIRTUAL_GAP
    };
    (item_height(a, n) + item_height(b, n)) / 2.0 + clearance
}

/// Phase 5: each item's vertical center, the topmost box edge at
/// [`MARGIN`]. Items start stacked at their least gaps; then
/// [`PLACE_SWEEPS`] pairs of sweeps (down by predecessors, up by
/// successors) move each layer as near as it may to the mean of each
/// item's neighbours, keeping order and gaps ([`isotonic`]).
pub(super) fn place(
    layers: &[Vec<usize>],
    n: usize,
    succs: &Adjacency,
    preds: &Adjacency,
) -> Vec<f64> {
    let item_count = layers.iter().map(Vec::len).sum();
    let mut center = vec![0.0f64; item_count];
    for layer in layers {
        let mut y = 0.0;
        for (i, &item) in layer.iter().enumerate() {
            y = match i {
                0 => item_height(item, n) / 2.0,
                _ => y + item_gap(layer[i - 1], item, n),
            };
            center[item] = y;
        }
    }
    let layer_count = layers.len();
    for sweep in 0..PLACE_SWEEPS * 2 {
        let (neighbours, order): (&Adjacency, Vec<usize>) = if sweep % 2 == 0 {
            (preds, (1..layer_count).collect())
        } else {
            (succs, (0..layer_count.saturating_sub(1)).rev().collect())
        };
        for l in order {
            place_layer(&layers[l], n, neighbours, &mut center);
        }
    }
    let top = (0..item_count)
        .map(|i| center[i] - item_height(i, n) / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if top.is_finite() { MARGIN - top } else { 0.0 };
    for c in &mut center {
        *c += shift;
    }
    center
}

/// One layer's items moved toward the mean of their neighbours' centers.
fn place_layer(layer: &[usize], n: usize, neighbours: &Adjacency, center: &mut [f64]) {
    let mut targets = Vec::with_capacity(layer.len());
    let mut separations = Vec::with_capacity(layer.len());
    for (i, &item) in layer.iter().enumerate() {
        let near = neighbours.of(item);
        targets.push(if near.is_empty() {
            center[item]
        } else {
            near.iter().map(|&m| center[m]).sum::<f64>() / near.len() as f64
        });
        if i > 0 {
            separations.push(item_gap(layer[i - 1], item, n));
        }
    }
    for (&item, y) in layer.iter().zip(isotonic(&targets, &separations)) {
        center[item] = y;
    }
}

/// Positions as close as possible (least squares) to `targets`, in the
/// same order, each at least `separations[i]` below the one before: pool
/// adjacent violators on the targets less the cumulative separations.
pub(super) fn isotonic(targets: &[f64], separations: &[f64]) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(targets.len());
    let mut offset = 0.0;
    for i in 0..targets.len() {
        if i > 0 {
            offset += separations.get(i - 1).copied().unwrap_or(0.0);
        }
        offsets.push(offset);
    }
    // Blocks of (sum, count) with non-decreasing means.
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(targets.len());
    for (t, o) in targets.iter().zip(&offsets) {
        let mut block = (t - o, 1usize);
        while let Some(&(sum, count)) = blocks.last() {
            if sum / count as f64 > block.0 / block.1 as f64 {
                block = (sum + block.0, count + block.1);
                blocks.pop();
            } else {
                break;
            }
        }
        blocks.push(block);
    }
    let mut placed = Vec::with_capacity(targets.len());
    for (sum, count) in blocks {
        let mean = sum / count as f64;
        placed.extend(std::iter::repeat_n(mean, count));
    }
    placed.iter().zip(&offsets).map(|(z, o)| z + o).collect()
}

/// The columns of the drawing, one per layer.
#[derive(Debug, PartialEq)]
pub(super) struct Columns {
    /// Each column's left edge; boxes are left-aligned in it.
    pub(super) x: Vec<f64>,
    /// Each column's width: its widest box, at least [`MIN_NODE_WIDTH`].
    pub(super) width: Vec<f64>,
    /// The drawing's width, margins included, whole pixels.
    pub(super) total: f64,
}

/// Phase 6: the columns, [`COLUMN_GAP`] apart, for boxes of `box_widths`
/// (real nodes are the first items of `item_layer`).
pub(super) fn columns(box_widths: &[f64], item_layer: &[usize]) -> Columns {
    let layer_count = item_layer.iter().copied().max().map_or(0, |l| l + 1);
    let mut width = vec![MIN_NODE_WIDTH; layer_count];
    for (&w, &l) in box_widths.iter().zip(item_layer) {
        width[l] = width[l].max(w);
    }
    let mut x = Vec::with_capacity(layer_count);
    let mut left = MARGIN;
    for &w in &width {
        x.push(left);
        left += w + COLUMN_GAP;
    }
    Columns {
        x,
        width,
        total: (left - COLUMN_GAP + MARGIN).ceil(),
    }
}

/// Phase 7: per edge, the height where it leaves its left box and where
/// it enters its right box. Each box side spreads its edges evenly, in
/// the order of the height of their other end (ties by edge).
pub(super) fn ports(
    n: usize,
    laid: &[(usize, usize)],
    chains: &Chains,
    center: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let mut out_port = vec![0.0; laid.len()];
    let mut in_port = vec![0.0; laid.len()];
    let leaving: Vec<(usize, usize)> = laid.iter().enumerate().map(|(e, &(a, _))| (a, e)).collect();
    let arriving: Vec<(usize, usize)> =
        laid.iter().enumerate().map(|(e, &(_, b))| (b, e)).collect();
    let leaving = Adjacency::build(n, &leaving);
    let arriving = Adjacency::build(n, &arriving);
    let mut side: Vec<(f64, usize)> = Vec::new();
    for node in 0..n {
        let top = center[node] - NODE_HEIGHT / 2.0;
        for (list, ports, outgoing) in [
            (&leaving, &mut out_port, true),
            (&arriving, &mut in_port, false),
        ] {
            side.clear();
            for &e in list.of(node) {
                let hops = chains.chain(e);
                let other = if outgoing {
                    hops.get(1)
                } else {
                    hops.len().checked_sub(2).and_then(|i| hops.get(i))
                };
                side.push((other.map_or(center[node], |&o| center[o]), e));
            }
            side.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let k = side.len() as f64;
            for (j, &(_, e)) in side.iter().enumerate() {
                ports[e] = top
                    + PORT_INSET
                    + (NODE_HEIGHT - 2.0 * PORT_INSET) * (j as f64 + 1.0) / (k + 1.0);
            }
        }
    }
    (out_port, in_port)
}

/// What [`route`] reads of the earlier phases.
pub(super) struct Frame<'a> {
    pub(super) columns: &'a Columns,
    pub(super) item_layer: &'a [usize],
    pub(super) center: &'a [f64],
}

/// Phase 8: one edge's path through its items `hops`, from the right side
/// of its left box (`start_width` wide) at height `ports.0` to the left
/// side of its right box at `ports.1`. It runs level to the right edge of
/// each column it is in, then a cubic curve to the next column's left edge
/// at the height of the next item, so it passes beside every box.
pub(super) fn route(
    frame: &Frame,
    hops: &[usize],
    start_width: f64,
    ports: (f64, f64),
) -> Vec<PathStep> {
    let Some(&first) = hops.first() else {
        return Vec::new();
    };
    let (column_x, column_width) = (&frame.columns.x, &frame.columns.width);
    let first_layer = frame.item_layer[first];
    let mut x = column_x[first_layer] + start_width;
    let mut y = ports.0;
    let mut steps = vec![PathStep::Move(x, y)];
    let right = column_x[first_layer] + column_width[first_layer];
    if right > x {
        steps.push(PathStep::Horizontal(right));
        x = right;
    }
    for (h, &item) in hops.iter().enumerate().skip(1) {
        let is_last = h + 1 == hops.len();
        let layer = frame.item_layer[item];
        let (tx, ty) = (
            column_x[layer],
            if is_last { ports.1 } else { frame.center[item] },
        );
        let mid = (x + tx) / 2.0;
        steps.push(PathStep::Cubic([mid, y, mid, ty, tx, ty]));
        (x, y) = (tx, ty);
        if !is_last {
            x = column_x[layer] + column_width[layer];
            steps.push(PathStep::Horizontal(x));
        }
    }
    steps
}

/// The nodes without any edge, laid out as a grid in index order: as
/// square as may be, at most [`GRID_MAX_COLUMNS`] wide, every cell as wide
/// as the widest box. Gives the drawing's size and each box's corner.
pub(super) fn grid(box_widths: &[f64]) -> (f64, f64, Vec<(f64, f64)>) {
    let count = box_widths.len();
    let mut columns = 1;
    while columns < GRID_MAX_COLUMNS && columns * columns < count {
        columns += 1;
    }
    let rows = count.div_ceil(columns);
    let cell = box_widths.iter().copied().fold(MIN_NODE_WIDTH, f64::max) + GRID_GAP_X;
    let pitch = NODE_HEIGHT + NODE_GAP;
    let width = (2.0 * MARGIN + columns as f64 * cell - GRID_GAP_X).ceil();
    let height = (2.0 * MARGIN + rows as f64 * pitch - NODE_GAP).ceil();
    let boxes = (0..count)
        .map(|i| {
            let (row, column) = (i / columns, i % columns);
            (MARGIN + column as f64 * cell, MARGIN + row as f64 * pitch)
        })
        .collect();
    (width, height, boxes)
}

/// Compressed adjacency: the neighbours of `i` are
/// `targets[starts[i]..starts[i + 1]]`, in the order the pairs came.
pub(super) struct Adjacency {
    starts: Vec<usize>,
    targets: Vec<usize>,
}

impl Adjacency {
    pub(super) fn build(len: usize, pairs: &[(usize, usize)]) -> Adjacency {
        let mut starts = vec![0; len + 1];
        for &(a, _) in pairs {
            starts[a + 1] += 1;
        }
        for i in 0..len {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut targets = vec![0; pairs.len()];
        for &(a, b) in pairs {
            targets[fill[a]] = b;
            fill[a] += 1;
        }
        Adjacency { starts, targets }
    }

    pub(super) fn of(&self, i: usize) -> &[usize] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&s), Some(&e)) => self.targets.get(s..e).unwrap_or(&[]),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Layers, segments and order for edges already acyclic and in layers.
    fn ordered(node_layer: &[usize], laid: &[(usize, usize)]) -> (Chains, Vec<Vec<usize>>) {
        let chains = insert_virtual(node_layer, laid, MAX_VIRTUAL_NODES);
        let (succs, preds) = segments(&chains);
        let layers = order_layers(&chains.item_layer, &succs, &preds);
        (chains, layers)
    }

    #[test]
    fn back_edges_of_the_search_are_reversed() {
        let two = break_cycles(2, &[(0, 1), (1, 0)]);
        assert_eq!(two.reversed, vec![false, true]);
        assert_eq!(two.finish_order, vec![1, 0]);
        // A cycle 0 → 1 → 2 → 3 → 0 with a chord 1 → 3: only 3 → 0 turns.
        let edges = [(0, 1), (1, 2), (1, 3), (2, 3), (3, 0)];
        let four = break_cycles(4, &edges);
        assert_eq!(four.reversed, vec![false, false, false, false, true]);
        assert_eq!(four.finish_order, vec![3, 2, 1, 0]);
        // Acyclic input keeps every edge.
        assert!(
            break_cycles(3, &[(2, 0), (0, 1)])
                .reversed
                .iter()
                .all(|r| !r)
        );
    }

    #[test]
    fn layers_follow_the_longest_path_to_a_leaf() {
        // 0 → 1 → 3, 0 → 2, 0 → 3: 3 is a leaf (rightmost), 2 a leaf too.
        let laid = [(0, 1), (0, 2), (0, 3), (1, 3)];
        let acyclic = break_cycles(4, &laid);
        assert_eq!(
            assign_layers(4, &laid, &acyclic.finish_order),
            vec![0, 1, 2, 2]
        );
        // A lone chain.
        let laid = [(0, 1), (1, 2)];
        let acyclic = break_cycles(3, &laid);
        assert_eq!(
            assign_layers(3, &laid, &acyclic.finish_order),
            vec![0, 1, 2]
        );
    }

    #[test]
    fn long_edges_get_a_virtual_item_per_crossed_layer() {
        let chains = insert_virtual(&[0, 1, 2, 3], &[(0, 1), (0, 3), (2, 3)], 10);
        assert_eq!(chains.chain(0), &[0, 1]);
        assert_eq!(chains.chain(1), &[0, 4, 5, 3]);
        assert_eq!(chains.chain(2), &[2, 3]);
        assert_eq!(chains.chain(3), &[] as &[usize]);
        assert_eq!(chains.item_layer, vec![0, 1, 2, 3, 1, 2]);
        // Over budget, the long edge stays one segment.
        let capped = insert_virtual(&[0, 1, 2, 3], &[(0, 3)], 1);
        assert_eq!(capped.chain(0), &[0, 3]);
        assert_eq!(capped.item_layer.len(), 4);
    }

    #[test]
    fn ordering_removes_avoidable_crossings() {
        // 0 → 3 and 1 → 2 cross when each layer keeps item order.
        let laid = [(0, 3), (1, 2)];
        let chains = insert_virtual(&[0, 0, 1, 1], &laid, 10);
        let (succs, _) = segments(&chains);
        let start = [vec![0, 1], vec![2, 3]];
        assert_eq!(crossings(&start, &[0, 1, 0, 1], &succs), 1);
        let (_, layers) = ordered(&[0, 0, 1, 1], &laid);
        assert_eq!(layers, vec![vec![0, 1], vec![3, 2]]);
        // Nothing to gain: item order stays.
        let (_, layers) = ordered(&[0, 0, 1, 1], &[(0, 2), (1, 3)]);
        assert_eq!(layers, vec![vec![0, 1], vec![2, 3]]);
    }

    #[test]
    fn crossings_count_every_pair_once() {
        // Upper 0, 1, 2 each linked to the lower item in reverse: 3 pairs.
        let succs = Adjacency::build(6, &[(0, 5), (1, 4), (2, 3)]);
        let layers = [vec![0, 1, 2], vec![3, 4, 5]];
        assert_eq!(crossings(&layers, &[0, 1, 2, 0, 1, 2], &succs), 3);
        // Shared ends do not cross.
        let succs = Adjacency::build(3, &[(0, 2), (1, 2)]);
        assert_eq!(crossings(&[vec![0, 1], vec![2]], &[0, 1, 0], &succs), 0);
    }

    #[test]
    fn placement_centers_a_dependency_between_its_dependents() {
        let laid = [(0, 2), (1, 2)];
        let (chains, layers) = ordered(&[0, 0, 1], &laid);
        let (succs, preds) = segments(&chains);
        let center = place(&layers, 3, &succs, &preds);
        assert_eq!(center[1] - center[0], NODE_HEIGHT + NODE_GAP);
        assert_eq!(center[2], (center[0] + center[1]) / 2.0);
        assert_eq!(center[0] - NODE_HEIGHT / 2.0, MARGIN);
    }

    #[test]
    fn placement_keeps_an_edge_apart_from_a_box() {
        // 0 → 1 → 2 and 0 → 2: the virtual item of 0 → 2 shares 1's layer.
        let laid = [(0, 1), (0, 2), (1, 2)];
        let (chains, layers) = ordered(&[0, 1, 2], &laid);
        assert_eq!(layers[1].len(), 2);
        let (succs, preds) = segments(&chains);
        let center = place(&layers, 3, &succs, &preds);
        let gap = (center[3] - center[1]).abs();
        assert!(gap >= NODE_HEIGHT / 2.0 + VIRTUAL_GAP, "{gap}");
    }

    #[test]
    fn isotonic_keeps_order_and_separation() {
        let placed = isotonic(&[10.0, 0.0, 5.0], &[20.0, 20.0]);
        assert!(placed[1] - placed[0] >= 20.0 - 1e-9);
        assert!(placed[2] - placed[1] >= 20.0 - 1e-9);
        assert_eq!(isotonic(&[0.0, 100.0], &[20.0]), vec![0.0, 100.0]);
        assert_eq!(isotonic(&[5.0, 5.0], &[10.0]), vec![0.0, 10.0]);
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_box() {
        // Item 3 is virtual: it has no box and does not widen column 1.
        let columns = columns(&[100.0, 70.0, 200.0], &[0, 1, 1, 2]);
        assert_eq!(columns.width, vec![100.0, 200.0, MIN_NODE_WIDTH]);
        assert_eq!(columns.x, vec![MARGIN, MARGIN + 100.0 + COLUMN_GAP, 508.0]);
        assert_eq!(columns.total, 508.0 + MIN_NODE_WIDTH + MARGIN);
    }

    #[test]
    fn ports_spread_by_the_height_of_the_other_end() {
        // Node 0 leaves to 1 (low) and 2 (high); 3 is far below.
        let laid = [(0, 1), (0, 2)];
        let chains = insert_virtual(&[0, 1, 1], &laid, 10);
        let center = [50.0, 90.0, 10.0];
        let (out_port, in_port) = ports(3, &laid, &chains, &center);
        let top = 50.0 - NODE_HEIGHT / 2.0;
        let step = (NODE_HEIGHT - 2.0 * PORT_INSET) / 3.0;
        assert_eq!(
            out_port,
            vec![top + PORT_INSET + 2.0 * step, top + PORT_INSET + step]
        );
        // A single edge enters a box at its middle.
        assert_eq!(in_port, vec![90.0, 10.0]);
    }

    #[test]
    fn a_route_runs_level_to_the_column_edge_then_curves() {
        let columns = Columns {
            x: vec![16.0, 176.0, 336.0],
            width: vec![64.0, 80.0, 64.0],
            total: 416.0,
        };
        let frame = Frame {
            columns: &columns,
            item_layer: &[0, 2, 1],
            center: &[33.0, 33.0, 70.0],
        };
        // Node 0 (40 wide) to node 1 through virtual item 2.
        let steps = route(&frame, &[0, 2, 1], 40.0, (30.0, 36.0));
        assert_eq!(
            steps,
            vec![
                PathStep::Move(56.0, 30.0),
                PathStep::Horizontal(80.0),
                PathStep::Cubic([128.0, 30.0, 128.0, 70.0, 176.0, 70.0]),
                PathStep::Horizontal(256.0),
                PathStep::Cubic([296.0, 70.0, 296.0, 36.0, 336.0, 36.0]),
            ]
        );
        assert!(route(&frame, &[], 40.0, (0.0, 0.0)).is_empty());
    }

    #[test]
    fn a_chain_lays_out_left_to_right_at_one_height() {
        let layout = layered(&[64.0, 100.0, 64.0], &[(0, 1), (1, 2)]);
        let x = |i: usize| layout.boxes[i].0;
        assert_eq!((x(0), x(1), x(2)), (MARGIN, 176.0, 372.0));
        assert!(layout.boxes.iter().all(|b| b.1 == MARGIN));
        assert_eq!((layout.width, layout.height), (452.0, 66.0));
        assert_eq!(layout.reversed, vec![false, false]);
        assert_eq!(
            layout.paths[0],
            vec![
                PathStep::Move(80.0, 33.0),
                PathStep::Cubic([128.0, 33.0, 128.0, 33.0, 176.0, 33.0]),
            ]
        );
    }

    #[test]
    fn a_grid_is_nearly_square_and_at_most_six_wide() {
        let (width, height, boxes) = grid(&[64.0, 90.0, 64.0, 64.0, 64.0]);
        // Three columns of 90 + 24, two rows of 34 + 18.
        assert_eq!(boxes[2], (MARGIN + 2.0 * 114.0, MARGIN));
        assert_eq!(boxes[3], (MARGIN, MARGIN + 52.0));
        assert_eq!(
            (width, height),
            (
                2.0 * MARGIN + 3.0 * 114.0 - 24.0,
                2.0 * MARGIN + 104.0 - 18.0
            )
        );
        let (_, _, many) = grid(&[64.0; 100]);
        assert_eq!(many[6].0, MARGIN);
    }
}
