//! The dependency graph of pilots and systems, drawn at build time as SVG.
//!
//! The graph is split into weakly connected components, largest first (ties
//! by smallest key), and each is laid out left to right in layers, the
//! Sugiyama way: cycles are broken by reversing the back edges a depth-first
//! search finds in key order (they are still drawn, backwards, with class
//! `back`), every node gets the layer of its longest path to a node without
//! dependencies, so that an edge runs from a dependent on the left to its
//! dependency on the right, edges spanning several layers get a virtual
//! node in each layer they cross, a few barycenter sweeps order every layer
//! (ties by key; the order with fewest crossings wins), and a few sweeps of
//! isotonic regression place every node near its neighbours without
//! overlap. Edges are cubic Bézier curves from the right side of the source
//! box to the left side of the target box; they cross columns only at the
//! height of their virtual node, which keeps them out of every box. Nodes
//! with no edge at all go into one final "unconnected" component, laid out
//! as a grid in key order.
//!
//! Every step is linear or `n log n` in nodes and edges, with a bounded
//! number of sweeps; virtual nodes are capped per component (beyond the cap
//! a long edge is drawn as one direct curve), so ten thousand pilots lay out
//! quickly. Edges to unknown keys, self-loops and duplicates are dropped.
//! Labels are untrusted: they are truncated for the box, given in full in a
//! tooltip and XML-escaped. Styling is left to the site's stylesheet through
//! classes; pilots, systems and other nodes differ by shape as well as by
//! class, so colour is never the only signal. The same input gives
//! byte-identical output.

use super::svg::{class_token, escape, num, plural, safe_href, truncate};
use std::fmt::Write as _;

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A pilot: a rounded rectangle, class `pilot`.
    Pilot,
    /// A system: a pill (fully rounded ends), class `system`.
    System,
    /// Anything else: a square-cornered rectangle, class `other`.
    Other,
}

/// A node of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    /// Unique key, e.g. `pilot:ticket-triage`; edges refer to it.
    pub key: String,
    /// The label, untrusted text.
    pub label: String,
    /// What the node stands for.
    pub kind: NodeKind,
    /// Relative link to the node's page.
    pub href: String,
    /// The status, written as the class `status-<status>`.
    pub status: Option<String>,
    /// Whether a document defines it; generated nodes get class `undefined`.
    pub defined: bool,
}

/// How two nodes are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// `from` depends on `to`: class `depends-on`.
    DependsOn,
    /// `from` integrates with `to`: class `integrates`.
    Integrates,
}

/// An edge between two nodes, by key: `from` depends on or integrates with
/// `to`; the arrow points at `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEdge {
    /// The dependent's key.
    pub from: String,
    /// The dependency's key.
    pub to: String,
    /// How they are linked.
    pub kind: EdgeKind,
}

/// One drawn component of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// One `<svg class="graph">` element.
    pub svg: String,
    /// How many nodes it holds.
    pub nodes: usize,
    /// How many edges it draws.
    pub edges: usize,
}

const NODE_HEIGHT: f64 = 34.0;
/// Average width of a narrow character at the node font size (12–13 px).
const CHAR_WIDTH: f64 = 7.0;
const NODE_PAD_X: f64 = 12.0;
const MIN_NODE_WIDTH: f64 = 64.0;
/// Extra width of a pill, for its rounded ends.
const PILL_EXTRA: f64 = 12.0;
const PILOT_RADIUS: f64 = 6.0;
const MAX_LABEL_UNITS: usize = 28;
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
/// Virtual nodes allowed per component.
const MAX_VIRTUAL_NODES: usize = 20_000;
const GRID_MAX_COLUMNS: usize = 6;
const GRID_GAP_X: f64 = 24.0;

/// Writes to a `String`, which cannot fail.
macro_rules! put {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Render the graph as one SVG per weakly connected component, largest
/// first (ties by smallest key), then one "unconnected" component holding
/// every node without an edge, as a grid. Empty input gives no component.
///
/// Nodes are deduplicated by key (the first wins); edges naming an unknown
/// key, self-loops and duplicate edges are dropped and not counted.
pub fn render(nodes: &[GraphNode], edges: &[GraphEdge]) -> Vec<Component> {
    let mut sorted: Vec<&GraphNode> = nodes.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    sorted.dedup_by(|later, earlier| later.key == earlier.key);
    let find_key = |key: &str| sorted.binary_search_by(|n| n.key.as_str().cmp(key)).ok();
    let mut links: Vec<(usize, usize, EdgeKind)> = edges
        .iter()
        .filter_map(|e| {
            let from = find_key(&e.from)?;
            let to = find_key(&e.to)?;
            (from != to).then_some((from, to, e.kind))
        })
        .collect();
    links.sort_unstable();
    links.dedup();

    let n = sorted.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let mut linked = vec![false; n];
    for &(a, b, _) in &links {
        linked[a] = true;
        linked[b] = true;
        let (ra, rb) = (find_root(&mut parent, a), find_root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }

    let mut component_of_root = vec![usize::MAX; n];
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut isolated = Vec::new();
    for (i, &has_edge) in linked.iter().enumerate() {
        if !has_edge {
            isolated.push(i);
            continue;
        }
        let root = find_root(&mut parent, i);
        if component_of_root[root] == usize::MAX {
            component_of_root[root] = members.len();
            members.push(Vec::new());
        }
        members[component_of_root[root]].push(i);
    }
    let mut component_links = vec![Vec::new(); members.len()];
    for &link in &links {
        let root = find_root(&mut parent, link.0);
        component_links[component_of_root[root]].push(link);
    }

    // Members are in key order, so a component's first member is its
    // smallest key.
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| {
        members[b]
            .len()
            .cmp(&members[a].len())
            .then(members[a][0].cmp(&members[b][0]))
    });

    let mut local = vec![0; n];
    let mut components = Vec::with_capacity(order.len() + 1);
    for (index, &c) in order.iter().enumerate() {
        components.push(layered(
            index,
            &sorted,
            &members[c],
            &component_links[c],
            &mut local,
        ));
    }
    if !isolated.is_empty() {
        components.push(grid(components.len(), &sorted, &isolated));
    }
    components
}

fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// An edge of one component, by local node index.
struct Edge {
    from: usize,
    to: usize,
    kind: EdgeKind,
    /// Reversed to break a cycle: laid out from `to` to `from`.
    reversed: bool,
}

impl Edge {
    /// The edge as laid out: left node, right node.
    fn laid_out(&self) -> (usize, usize) {
        if self.reversed {
            (self.to, self.from)
        } else {
            (self.from, self.to)
        }
    }
}

/// Compressed adjacency: the neighbours of `i` are
/// `targets[starts[i]..starts[i + 1]]`.
struct Adjacency {
    starts: Vec<usize>,
    targets: Vec<usize>,
}

impl Adjacency {
    fn build(len: usize, pairs: &[(usize, usize)]) -> Adjacency {
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

    fn of(&self, i: usize) -> &[usize] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&s), Some(&e)) => self.targets.get(s..e).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The layered drawing of one weakly connected component.
fn layered(
    index: usize,
    all: &[&GraphNode],
    members: &[usize],
    links: &[(usize, usize, EdgeKind)],
    local: &mut [usize],
) -> Component {
    let n = members.len();
    let nodes: Vec<&GraphNode> = members.iter().map(|&g| all[g]).collect();
    for (i, &g) in members.iter().enumerate() {
        local[g] = i;
    }
    // Links are sorted by (from, to) and local indices keep key order, so
    // edges come sorted by source: the out-edges of a node are contiguous.
    let mut edges: Vec<Edge> = links
        .iter()
        .map(|&(a, b, kind)| Edge {
            from: local[a],
            to: local[b],
            kind,
            reversed: false,
        })
        .collect();
    let out_start = {
        let mut starts = vec![0; n + 1];
        for e in &edges {
            starts[e.from + 1] += 1;
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        starts
    };

    // Break cycles: depth-first in key order, without recursion; an edge to
    // a node still on the stack is a back edge. Every laid-out edge then
    // goes from a node that finishes later to one that finishes earlier.
    let mut state = vec![0u8; n];
    let mut finish_order = Vec::with_capacity(n);
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        stack.push((root, out_start[root]));
        while let Some(&(v, next)) = stack.last() {
            if next < out_start[v + 1] {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                let w = edges[next].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, out_start[w]));
                    }
                    1 => edges[next].reversed = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                finish_order.push(v);
                stack.pop();
            }
        }
    }

    // Longest path to a node without dependencies; dependencies on the right.
    let laid: Vec<(usize, usize)> = edges.iter().map(Edge::laid_out).collect();
    let successors = Adjacency::build(n, &laid);
    let mut rank = vec![0usize; n];
    for &v in &finish_order {
        rank[v] = successors
            .of(v)
            .iter()
            .map(|&w| rank[w] + 1)
            .max()
            .unwrap_or(0);
    }
    let max_rank = rank.iter().copied().max().unwrap_or(0);
    let layer_count = max_rank + 1;

    // Items: the real nodes (item i is node i), then virtual nodes.
    let mut item_layer: Vec<usize> = rank.iter().map(|&r| max_rank - r).collect();
    let mut chains: Vec<usize> = Vec::with_capacity(edges.len() * 2);
    let mut chain_starts = Vec::with_capacity(edges.len() + 1);
    let mut virtual_budget = MAX_VIRTUAL_NODES;
    for &(a, b) in &laid {
        chain_starts.push(chains.len());
        chains.push(a);
        let (la, lb) = (item_layer[a], item_layer[b]);
        let crossed = lb.saturating_sub(la + 1);
        if crossed > 0 && crossed <= virtual_budget {
            virtual_budget -= crossed;
            for layer in la + 1..lb {
                chains.push(item_layer.len());
                item_layer.push(layer);
            }
        }
        chains.push(b);
    }
    chain_starts.push(chains.len());
    let item_count = item_layer.len();
    let chain = |e: usize| -> &[usize] {
        match (chain_starts.get(e), chain_starts.get(e + 1)) {
            (Some(&s), Some(&t)) => chains.get(s..t).unwrap_or(&[]),
            _ => &[],
        }
    };

    // Segments between adjacent layers, both ways.
    let mut forward = Vec::with_capacity(chains.len());
    for e in 0..edges.len() {
        for pair in chain(e).windows(2) {
            if item_layer[pair[1]] == item_layer[pair[0]] + 1 {
                forward.push((pair[0], pair[1]));
            }
        }
    }
    let backward: Vec<(usize, usize)> = forward.iter().map(|&(a, b)| (b, a)).collect();
    let succs = Adjacency::build(item_count, &forward);
    let preds = Adjacency::build(item_count, &backward);

    // Order within layers.
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for item in 0..item_count {
        layers[item_layer[item]].push(item);
    }
    let mut pos = vec![0usize; item_count];
    set_positions(&layers, &mut pos);
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, &pos, &succs);
    for _ in 0..ORDER_SWEEPS {
        if best_crossings == 0 {
            break;
        }
        for layer in layers.iter_mut().skip(1) {
            reorder(layer, &mut pos, &preds);
        }
        for layer in layers.iter_mut().rev().skip(1) {
            reorder(layer, &mut pos, &succs);
        }
        let c = crossings(&layers, &pos, &succs);
        if c < best_crossings {
            best_crossings = c;
            best.clone_from(&layers);
        }
    }
    let layers = best;
    set_positions(&layers, &mut pos);

    // Vertical placement.
    let height_of = |item: usize| if item < n { NODE_HEIGHT } else { 0.0 };
    let gap = |a: usize, b: usize| {
        (height_of(a) + height_of(b)) / 2.0
            + if a < n && b < n {
                NODE_GAP
            } else {
                VIRTUAL_GAP
            }
    };
    let mut center = vec![0.0f64; item_count];
    for layer in &layers {
        let mut y = 0.0;
        let mut previous: Option<usize> = None;
        for &item in layer {
            if let Some(p) = previous {
                y += gap(p, item);
            } else {
                y = height_of(item) / 2.0;
            }
            center[item] = y;
            previous = Some(item);
        }
    }
    let mut targets = Vec::new();
    let mut separations = Vec::new();
    for sweep in 0..PLACE_SWEEPS * 2 {
        let (neighbours, layer_range): (&Adjacency, Vec<usize>) = if sweep % 2 == 0 {
            (&preds, (1..layer_count).collect())
        } else {
            (&succs, (0..layer_count.saturating_sub(1)).rev().collect())
        };
        for l in layer_range {
            let layer = &layers[l];
            targets.clear();
            separations.clear();
            for (i, &item) in layer.iter().enumerate() {
                let near = neighbours.of(item);
                targets.push(if near.is_empty() {
                    center[item]
                } else {
                    near.iter().map(|&m| center[m]).sum::<f64>() / near.len() as f64
                });
                if i > 0 {
                    separations.push(gap(layer[i - 1], item));
                }
            }
            let placed = isotonic(&targets, &separations);
            for (&item, y) in layer.iter().zip(placed) {
                center[item] = y;
            }
        }
    }
    let top = (0..item_count)
        .map(|i| center[i] - height_of(i) / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if top.is_finite() { MARGIN - top } else { 0.0 };
    for c in &mut center {
        *c += shift;
    }

    // Columns, left-aligned boxes.
    let labels: Vec<(String, f64)> = nodes.iter().map(|node| box_label(node)).collect();
    let mut column_width = vec![MIN_NODE_WIDTH; layer_count];
    for (i, (_, w)) in labels.iter().enumerate() {
        let l = item_layer[i];
        column_width[l] = column_width[l].max(*w);
    }
    let mut column_x = Vec::with_capacity(layer_count);
    let mut x = MARGIN;
    for &w in &column_width {
        column_x.push(x);
        x += w + COLUMN_GAP;
    }
    let width = (x - COLUMN_GAP + MARGIN).ceil();
    let height = ((0..item_count)
        .map(|i| center[i] + height_of(i) / 2.0)
        .fold(0.0, f64::max)
        + MARGIN)
        .ceil();

    // Ports: each box side spreads its edges by the height of the other end.
    let mut out_port = vec![0.0; edges.len()];
    let mut in_port = vec![0.0; edges.len()];
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
                let hops = chain(e);
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

    // Markup.
    let id = component_id(index, members.iter().map(|&g| all[g].key.as_str()));
    let mut svg = String::with_capacity(1024 + n * 400 + edges.len() * 300);
    let back_edges = edges.iter().filter(|e| e.reversed).count();
    let undefined = nodes.iter().filter(|node| !node.defined).count();
    let mut desc = format!(
        "{} linking {}. An arrow points from a pilot to what it depends on or integrates \
         with; dependencies are to the right.",
        plural(edges.len(), "edge", "edges"),
        kinds_summary(&nodes),
    );
    if back_edges > 0 {
        put!(
            desc,
            " {} close a dependency cycle and are drawn right to left.",
            plural(back_edges, "edge", "edges")
        );
    }
    if undefined > 0 {
        put!(
            desc,
            " {} referenced but not documented (dashed).",
            plural_verb(undefined)
        );
    }
    open_svg(
        &mut svg,
        &id,
        "graph",
        width,
        height,
        &format!("Dependency graph: {}", kinds_summary(&nodes)),
        &desc,
    );
    put!(
        svg,
        "<defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
         <path class=\"arrow\" d=\"M0 0L10 5L0 10Z\"/></marker>\
         <marker id=\"{id}-arrow-back\" viewBox=\"0 0 10 10\" refX=\"0\" refY=\"5\" \
         markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">\
         <path class=\"arrow\" d=\"M10 0L0 5L10 10Z\"/></marker></defs><g class=\"edges\">"
    );
    for (e, edge) in edges.iter().enumerate() {
        let hops = chain(e);
        let Some(&first) = hops.first() else {
            continue;
        };
        let first_layer = item_layer[first];
        let mut x = column_x[first_layer] + labels[first].1;
        let mut y = out_port[e];
        let mut d = format!("M{} {}", num(x), num(y));
        let right = column_x[first_layer] + column_width[first_layer];
        if right > x {
            put!(d, "H{}", num(right));
            x = right;
        }
        for (h, &item) in hops.iter().enumerate().skip(1) {
            let is_last = h + 1 == hops.len();
            let layer = item_layer[item];
            let (tx, ty) = (
                column_x[layer],
                if is_last { in_port[e] } else { center[item] },
            );
            let mid = (x + tx) / 2.0;
            put!(
                d,
                "C{m} {y} {m} {ty} {tx} {ty}",
                m = num(mid),
                y = num(y),
                tx = num(tx),
                ty = num(ty),
            );
            x = tx;
            y = ty;
            if !is_last {
                x = column_x[layer] + column_width[layer];
                put!(d, "H{}", num(x));
            }
        }
        let (class, verb) = match edge.kind {
            EdgeKind::DependsOn => ("depends-on", "depends on"),
            EdgeKind::Integrates => ("integrates", "integrates with"),
        };
        let (from, to) = (nodes[edge.from], nodes[edge.to]);
        let (back, marker) = if edge.reversed {
            (" back", format!("marker-start=\"url(#{id}-arrow-back)\""))
        } else {
            ("", format!("marker-end=\"url(#{id}-arrow)\""))
        };
        put!(
            svg,
            "<path class=\"edge {class}{back}\" d=\"{d}\" {marker} data-from=\"{}\" \
             data-to=\"{}\"><title>{}</title></path>",
            escape(&from.key),
            escape(&to.key),
            escape(&format!(
                "{} {verb} {}{}",
                from.label.trim(),
                to.label.trim(),
                if edge.reversed {
                    " (closes a cycle)"
                } else {
                    ""
                }
            )),
        );
    }
    svg.push_str("</g><g class=\"nodes\">");
    for (i, node) in nodes.iter().enumerate() {
        let l = item_layer[i];
        write_node(
            &mut svg,
            node,
            &labels[i],
            column_x[l],
            center[i] - NODE_HEIGHT / 2.0,
        );
    }
    svg.push_str("</g></svg>");
    Component {
        svg,
        nodes: n,
        edges: edges.len(),
    }
}

/// The nodes without any edge, as a grid in key order.
fn grid(index: usize, all: &[&GraphNode], members: &[usize]) -> Component {
    let nodes: Vec<&GraphNode> = members.iter().map(|&g| all[g]).collect();
    let labels: Vec<(String, f64)> = nodes.iter().map(|node| box_label(node)).collect();
    let mut columns = 1;
    while columns < GRID_MAX_COLUMNS && columns * columns < nodes.len() {
        columns += 1;
    }
    let rows = nodes.len().div_ceil(columns);
    let cell = labels.iter().map(|l| l.1).fold(MIN_NODE_WIDTH, f64::max) + GRID_GAP_X;
    let pitch = NODE_HEIGHT + NODE_GAP;
    let width = (2.0 * MARGIN + columns as f64 * cell - GRID_GAP_X).ceil();
    let height = (2.0 * MARGIN + rows as f64 * pitch - NODE_GAP).ceil();
    let id = component_id(index, nodes.iter().map(|node| node.key.as_str()));
    let mut svg = String::with_capacity(512 + nodes.len() * 400);
    open_svg(
        &mut svg,
        &id,
        "graph unconnected",
        width,
        height,
        &format!(
            "Without dependencies or integrations: {}",
            kinds_summary(&nodes)
        ),
        &format!(
            "{} with no dependency, dependent or integration, in alphabetical order.",
            kinds_summary(&nodes)
        ),
    );
    svg.push_str("<g class=\"nodes\">");
    for (i, node) in nodes.iter().enumerate() {
        let (row, column) = (i / columns, i % columns);
        write_node(
            &mut svg,
            node,
            &labels[i],
            MARGIN + column as f64 * cell,
            MARGIN + row as f64 * pitch,
        );
    }
    svg.push_str("</g></svg>");
    Component {
        svg,
        nodes: nodes.len(),
        edges: 0,
    }
}

fn open_svg(
    svg: &mut String,
    id: &str,
    class: &str,
    width: f64,
    height: f64,
    title: &str,
    desc: &str,
) {
    put!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" id=\"{id}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\"><title id=\"{id}-title\">{title}</title>\
         <desc id=\"{id}-desc\">{desc}</desc>",
        w = num(width),
        h = num(height),
        title = escape(title),
        desc = escape(desc),
    );
}

/// One node: a box shaped by its kind, its truncated label, its link and a
/// tooltip with the full label.
fn write_node(svg: &mut String, node: &GraphNode, label: &(String, f64), x: f64, y: f64) {
    let (kind, radius, kind_name) = match node.kind {
        NodeKind::Pilot => ("pilot", PILOT_RADIUS, "pilot"),
        NodeKind::System => ("system", NODE_HEIGHT / 2.0, "system"),
        NodeKind::Other => ("other", 0.0, "other"),
    };
    let mut class = format!("node {kind}");
    let mut tip = format!("{} ({kind_name}", node.label.trim());
    if let Some(status) = &node.status {
        put!(class, " status-{}", class_token(status));
        put!(tip, ", {}", status.trim());
    }
    if !node.defined {
        class.push_str(" undefined");
        tip.push_str(", not documented");
    }
    tip.push(')');
    let body = format!(
        "<g class=\"{class}\" data-key=\"{key}\"><title>{tip}</title>\
         <rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"{r}\"{dash}/>\
         <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\">{text}</text></g>",
        key = escape(&node.key),
        tip = escape(&tip),
        x = num(x),
        y = num(y),
        w = num(label.1),
        h = num(NODE_HEIGHT),
        r = num(radius),
        dash = if node.defined {
            ""
        } else {
            " stroke-dasharray=\"4 3\""
        },
        tx = num(x + label.1 / 2.0),
        ty = num(y + NODE_HEIGHT / 2.0 + 4.0),
        text = escape(&label.0),
    );
    match safe_href(&node.href) {
        Some(href) => put!(svg, "<a href=\"{}\">{body}</a>", escape(href)),
        None => svg.push_str(&body),
    }
}

/// A node's truncated label and its box width.
fn box_label(node: &GraphNode) -> (String, f64) {
    let (text, units) = truncate(&node.label, MAX_LABEL_UNITS);
    let extra = if node.kind == NodeKind::System {
        PILL_EXTRA
    } else {
        0.0
    };
    let width = (units as f64 * CHAR_WIDTH + 2.0 * NODE_PAD_X + extra).max(MIN_NODE_WIDTH);
    (text, width.ceil())
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
fn crossings(layers: &[Vec<usize>], pos: &[usize], succs: &Adjacency) -> u64 {
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

/// Positions as close as possible (least squares) to `targets`, in the
/// same order, each at least `separations[i]` below the one before: pool
/// adjacent violators on the targets less the cumulative separations.
fn isotonic(targets: &[f64], separations: &[f64]) -> Vec<f64> {
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

/// An id unique to the component: its rank and a hash of its keys, so that
/// two graphs on one page do not share marker ids.
fn component_id<'a>(index: usize, keys: impl Iterator<Item = &'a str>) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for key in keys {
        for byte in key.bytes().chain(std::iter::once(0)) {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    }
    format!("graph-{index}-{hash:08x}")
}

/// "3 pilots, 2 systems and 1 other node".
fn kinds_summary(nodes: &[&GraphNode]) -> String {
    let count = |kind| nodes.iter().filter(|n| n.kind == kind).count();
    let mut parts = Vec::new();
    for (kind, one, many) in [
        (NodeKind::Pilot, "pilot", "pilots"),
        (NodeKind::System, "system", "systems"),
        (NodeKind::Other, "other node", "other nodes"),
    ] {
        let c = count(kind);
        if c > 0 {
            parts.push(plural(c, one, many));
        }
    }
    match parts.len() {
        0 => "no nodes".to_string(),
        1 => parts.concat(),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

fn plural_verb(n: usize) -> String {
    if n == 1 {
        "1 node is".to_string()
    } else {
        format!("{n} nodes are")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(key: &str, kind: NodeKind) -> GraphNode {
        GraphNode {
            key: key.to_string(),
            label: key.rsplit(':').next().unwrap_or(key).to_string(),
            kind,
            href: format!("{}.html", key.replace(':', "/")),
            status: (kind == NodeKind::Pilot).then(|| "pilot".to_string()),
            defined: true,
        }
    }

    fn pilot(name: &str) -> GraphNode {
        node(&format!("pilot:{name}"), NodeKind::Pilot)
    }

    fn edge(from: &str, to: &str) -> GraphEdge {
        GraphEdge {
            from: format!("pilot:{from}"),
            to: format!("pilot:{to}"),
            kind: EdgeKind::DependsOn,
        }
    }

    fn number_after(text: &str, name: &str) -> Option<f64> {
        let needle = format!(" {name}=\"");
        let from = text.find(&needle)? + needle.len();
        let len = text[from..].find('"')?;
        text[from..from + len].parse().ok()
    }

    /// The box (x, y, width, height) of a node.
    fn node_box(svg: &str, key: &str) -> (f64, f64, f64, f64) {
        let at = svg
            .find(&format!("data-key=\"{key}\""))
            .expect("node drawn");
        let rect = &svg[at + svg[at..].find("<rect").expect("rect")..];
        let rect = &rect[..rect.find('>').expect("tag end")];
        (
            number_after(rect, "x").expect("x"),
            number_after(rect, "y").expect("y"),
            number_after(rect, "width").expect("width"),
            number_after(rect, "height").expect("height"),
        )
    }

    /// The `d` of the edge from `from` to `to`.
    fn edge_path(svg: &str, from: &str, to: &str) -> String {
        let at = svg
            .find(&format!("data-from=\"{from}\" data-to=\"{to}\""))
            .expect("edge drawn");
        let start = svg[..at].rfind("<path").expect("path");
        let tag = &svg[start..at];
        let d = tag.find(" d=\"").expect("d") + 4;
        tag[d..d + tag[d..].find('"').expect("end")].to_string()
    }

    /// Points along a path made of `M`, `H` and `C` commands.
    fn sample(d: &str) -> Vec<(f64, f64)> {
        let mut tokens: Vec<String> = Vec::new();
        for c in d.chars() {
            if c.is_ascii_alphabetic() {
                tokens.push(c.to_string());
                tokens.push(String::new());
            } else if c == ' ' {
                tokens.push(String::new());
            } else if let Some(last) = tokens.last_mut() {
                last.push(c);
            }
        }
        tokens.retain(|t| !t.is_empty());
        let mut points = Vec::new();
        let (mut x, mut y) = (0.0, 0.0);
        let mut i = 0;
        let n = |i: usize| -> f64 { tokens[i].parse().expect("number") };
        while i < tokens.len() {
            match tokens[i].as_str() {
                "M" => {
                    (x, y) = (n(i + 1), n(i + 2));
                    points.push((x, y));
                    i += 3;
                }
                "H" => {
                    let to = n(i + 1);
                    for k in 0..=20 {
                        points.push((x + (to - x) * f64::from(k) / 20.0, y));
                    }
                    x = to;
                    i += 2;
                }
                "C" => {
                    let (x1, y1, x2, y2, x3, y3) =
                        (n(i + 1), n(i + 2), n(i + 3), n(i + 4), n(i + 5), n(i + 6));
                    for k in 0..=40 {
                        let t = f64::from(k) / 40.0;
                        let u = 1.0 - t;
                        let bx = u * u * u * x
                            + 3.0 * u * u * t * x1
                            + 3.0 * u * t * t * x2
                            + t * t * t * x3;
                        let by = u * u * u * y
                            + 3.0 * u * u * t * y1
                            + 3.0 * u * t * t * y2
                            + t * t * t * y3;
                        points.push((bx, by));
                    }
                    (x, y) = (x3, y3);
                    i += 7;
                }
                other => panic!("unexpected path command {other}"),
            }
        }
        points
    }

    fn inside(point: (f64, f64), rect: (f64, f64, f64, f64)) -> bool {
        let (x, y) = point;
        let (rx, ry, w, h) = rect;
        x > rx + 0.5 && x < rx + w - 0.5 && y > ry + 0.5 && y < ry + h - 0.5
    }

    /// Random graph from a fixed linear congruential generator.
    fn random_graph(nodes: usize, edges: usize, seed: u64) -> (Vec<GraphNode>, Vec<GraphEdge>) {
        let mut state = seed;
        let mut next = move |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % bound.max(1)
        };
        let list: Vec<GraphNode> = (0..nodes)
            .map(|i| {
                if i % 5 == 0 {
                    node(&format!("system:s{i:05}"), NodeKind::System)
                } else {
                    pilot(&format!("p{i:05}"))
                }
            })
            .collect();
        let links = (0..edges)
            .map(|_| GraphEdge {
                from: list[next(nodes)].key.clone(),
                to: list[next(nodes)].key.clone(),
                kind: if next(3) == 0 {
                    EdgeKind::Integrates
                } else {
                    EdgeKind::DependsOn
                },
            })
            .collect();
        (list, links)
    }

    #[test]
    fn empty_input_gives_no_component() {
        assert!(render(&[], &[]).is_empty());
    }

    #[test]
    fn chain_runs_left_to_right() {
        let nodes = [pilot("a"), pilot("b"), pilot("c")];
        let edges = [edge("a", "b"), edge("b", "c")];
        let components = render(&nodes, &edges);
        assert_eq!(components.len(), 1);
        let c = &components[0];
        assert_eq!((c.nodes, c.edges), (3, 2));
        let (xa, xb, xc) = (
            node_box(&c.svg, "pilot:a").0,
            node_box(&c.svg, "pilot:b").0,
            node_box(&c.svg, "pilot:c").0,
        );
        assert!(xa < xb && xb < xc, "{xa} {xb} {xc}");
        // The path leaves a's right side and ends on b's left side.
        let d = edge_path(&c.svg, "pilot:a", "pilot:b");
        let points = sample(&d);
        let (ax, _, aw, _) = node_box(&c.svg, "pilot:a");
        let first = points.first().expect("start");
        let last = points.last().expect("end");
        assert!((first.0 - (ax + aw)).abs() < 0.1);
        assert!((last.0 - xb).abs() < 0.1);
        assert!(c.svg.contains("class=\"edge depends-on\""));
        assert!(c.svg.contains("marker-end=\"url(#graph-0-"));
        assert!(c.svg.contains("<a href=\"pilot/a.html\">"));
        assert!(c.svg.contains("class=\"node pilot status-pilot\""));
        assert!(c.svg.contains("role=\"img\""));
    }

    #[test]
    fn cycle_terminates_and_is_drawn_back() {
        let nodes = [pilot("a"), pilot("b")];
        let edges = [edge("a", "b"), edge("b", "a")];
        let components = render(&nodes, &edges);
        assert_eq!(components.len(), 1);
        let svg = &components[0].svg;
        assert_eq!(components[0].edges, 2);
        assert_eq!(svg.matches("class=\"edge depends-on back\"").count(), 1);
        assert!(svg.contains("marker-start=\"url(#graph-0-"));
        assert!(svg.contains("close a dependency cycle"));
        // A longer cycle with a chord.
        let nodes = [pilot("a"), pilot("b"), pilot("c"), pilot("d")];
        let edges = [
            edge("a", "b"),
            edge("b", "c"),
            edge("c", "d"),
            edge("d", "a"),
            edge("b", "d"),
        ];
        assert_eq!(render(&nodes, &edges).len(), 1);
    }

    #[test]
    fn separate_components_come_back_separately() {
        let nodes = [
            pilot("a"),
            pilot("b"),
            pilot("c"),
            pilot("x"),
            pilot("y"),
            pilot("lonely"),
        ];
        let edges = [
            edge("x", "y"),
            edge("a", "b"),
            edge("b", "c"),
            edge("a", "missing"),
            edge("a", "a"),
            edge("a", "b"),
        ];
        let components = render(&nodes, &edges);
        assert_eq!(components.len(), 3);
        assert_eq!((components[0].nodes, components[0].edges), (3, 2));
        assert_eq!((components[1].nodes, components[1].edges), (2, 1));
        assert_eq!((components[2].nodes, components[2].edges), (1, 0));
        assert!(components[0].svg.contains("data-key=\"pilot:a\""));
        assert!(components[1].svg.contains("data-key=\"pilot:x\""));
        assert!(components[2].svg.contains("class=\"graph unconnected\""));
        assert!(components[2].svg.contains("data-key=\"pilot:lonely\""));
        // Ties in size go by smallest key.
        let nodes = [pilot("m"), pilot("n"), pilot("c"), pilot("d")];
        let edges = [edge("m", "n"), edge("d", "c")];
        let components = render(&nodes, &edges);
        assert!(components[0].svg.contains("data-key=\"pilot:c\""));
        // Marker ids differ between components.
        let id = |svg: &str| {
            svg.split("id=\"")
                .nth(1)
                .map(|s| s[..s.find('"').unwrap_or(0)].to_string())
        };
        assert_ne!(id(&components[0].svg), id(&components[1].svg));
    }

    #[test]
    fn long_edges_bend_around_boxes() {
        // a → b → c → d, and a → d spanning three layers: the long edge must
        // pass b's and c's columns beside their boxes.
        let nodes = [pilot("a"), pilot("b"), pilot("c"), pilot("d")];
        let edges = [
            edge("a", "b"),
            edge("b", "c"),
            edge("c", "d"),
            edge("a", "d"),
        ];
        let components = render(&nodes, &edges);
        let svg = &components[0].svg;
        let points = sample(&edge_path(svg, "pilot:a", "pilot:d"));
        for key in ["pilot:b", "pilot:c"] {
            let rect = node_box(svg, key);
            assert!(
                points.iter().all(|&p| !inside(p, rect)),
                "the edge crosses {key}"
            );
        }
        // The same holds for every edge of a random graph.
        let (nodes, edges) = random_graph(60, 90, 7);
        for component in render(&nodes, &edges) {
            let svg = &component.svg;
            for e in &edges {
                let tag = format!("data-from=\"{}\" data-to=\"{}\"", e.from, e.to);
                if e.from == e.to || !svg.contains(&tag) {
                    continue;
                }
                let points = sample(&edge_path(svg, &e.from, &e.to));
                for other in &nodes {
                    if other.key == e.from
                        || other.key == e.to
                        || !svg.contains(&format!("data-key=\"{}\"", other.key))
                    {
                        continue;
                    }
                    let rect = node_box(svg, &other.key);
                    assert!(
                        points.iter().all(|&p| !inside(p, rect)),
                        "{} → {} crosses {}",
                        e.from,
                        e.to,
                        other.key
                    );
                }
            }
        }
    }

    #[test]
    fn hostile_labels_are_escaped() {
        let mut evil = pilot("evil");
        evil.label = "<script>alert(\"x\")</script> & 'co'".to_string();
        evil.status = Some("go\" onmouseover=\"alert(1)".to_string());
        evil.href = "javascript:alert(1)".to_string();
        evil.key = "pilot:\"><script>".to_string();
        let nodes = [evil.clone(), pilot("b")];
        let edges = [GraphEdge {
            from: evil.key.clone(),
            to: "pilot:b".to_string(),
            kind: EdgeKind::Integrates,
        }];
        let components = render(&nodes, &edges);
        assert_eq!(components.len(), 1);
        let svg = &components[0].svg;
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("\"x\""));
        assert!(!svg.contains("onmouseover=\""));
        assert!(!svg.contains("javascript:"));
        assert!(!svg.contains("'co'"));
        assert!(
            svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;")
        );
        assert!(svg.contains("class=\"edge integrates\""));
    }

    #[test]
    fn kinds_differ_by_shape_and_class() {
        let mut ghost = node("system:ghost", NodeKind::System);
        ghost.defined = false;
        let nodes = [pilot("a"), ghost, node("team:t", NodeKind::Other)];
        let edges = [
            GraphEdge {
                from: "pilot:a".to_string(),
                to: "system:ghost".to_string(),
                kind: EdgeKind::Integrates,
            },
            GraphEdge {
                from: "pilot:a".to_string(),
                to: "team:t".to_string(),
                kind: EdgeKind::DependsOn,
            },
        ];
        let svg = &render(&nodes, &edges)[0].svg;
        assert!(svg.contains("class=\"node system undefined\""));
        assert!(svg.contains("class=\"node other\""));
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains("rx=\"17\""));
        assert!(svg.contains("rx=\"6\""));
        assert!(svg.contains("rx=\"0\""));
        assert!(svg.contains("not documented"));
    }

    #[test]
    fn output_is_deterministic() {
        let (nodes, edges) = random_graph(120, 200, 42);
        assert_eq!(render(&nodes, &edges), render(&nodes, &edges));
        // Input order does not matter.
        let mut reversed_nodes = nodes.clone();
        reversed_nodes.reverse();
        let mut reversed_edges = edges.clone();
        reversed_edges.reverse();
        assert_eq!(
            render(&nodes, &edges),
            render(&reversed_nodes, &reversed_edges)
        );
    }

    #[test]
    fn three_hundred_random_nodes_render() {
        let (nodes, edges) = random_graph(300, 360, 2026);
        let components = render(&nodes, &edges);
        assert_eq!(components.iter().map(|c| c.nodes).sum::<usize>(), 300);
        for c in &components {
            assert!(c.svg.starts_with("<svg") && c.svg.ends_with("</svg>"));
            assert!(!c.svg.contains("NaN") && !c.svg.contains("inf"));
            assert_eq!(c.svg.matches("class=\"node ").count(), c.nodes);
            assert_eq!(c.svg.matches("class=\"edge ").count(), c.edges);
        }
        let sizes: Vec<usize> = components.iter().map(|c| c.nodes).collect();
        let connected = &sizes[..sizes.len() - 1];
        assert!(connected.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn ten_thousand_nodes_stay_fast() {
        let (nodes, edges) = random_graph(10_000, 15_000, 9);
        let components = render(&nodes, &edges);
        assert_eq!(components.iter().map(|c| c.nodes).sum::<usize>(), 10_000);
        // A long chain with shortcuts from its head: many long edges.
        let nodes: Vec<GraphNode> = (0..3_000).map(|i| pilot(&format!("c{i:05}"))).collect();
        let mut edges: Vec<GraphEdge> = (1..3_000)
            .map(|i| edge(&format!("c{:05}", i - 1), &format!("c{i:05}")))
            .collect();
        edges.extend((2..3_000).map(|i| edge("c00000", &format!("c{i:05}"))));
        let components = render(&nodes, &edges);
        assert_eq!(components.len(), 1);
        assert_eq!(components[0].edges, 2_999 + 2_998);
    }

    #[test]
    fn isotonic_keeps_order_and_separation() {
        let placed = isotonic(&[10.0, 0.0, 5.0], &[20.0, 20.0]);
        assert!(placed[1] - placed[0] >= 20.0 - 1e-9);
        assert!(placed[2] - placed[1] >= 20.0 - 1e-9);
        assert_eq!(isotonic(&[0.0, 100.0], &[20.0]), vec![0.0, 100.0]);
    }
}
