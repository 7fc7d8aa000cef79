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
//! This file holds the input, the split into components and the markup;
//! `layout.rs` holds where things go, one pure function per phase over
//! indices and numbers. Markup goes through `svg.rs`'s one writer, which
//! escapes every value, so a drawing is its layout walked once.
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

mod layout;

use crate::svg::{PathStep, SvgWriter, class_token, num, path_data, plural, safe_href, truncate};
use layout::{MIN_NODE_WIDTH, NODE_HEIGHT};

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

/// Average width of a narrow character at the node font size (12–13 px).
const CHAR_WIDTH: f64 = 7.0;
const NODE_PAD_X: f64 = 12.0;
/// Extra width of a pill, for its rounded ends.
const PILL_EXTRA: f64 = 12.0;
const PILOT_RADIUS: f64 = 6.0;
const MAX_LABEL_UNITS: usize = 28;

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
    let mut links: Vec<Link> = edges
        .iter()
        .filter_map(|e| {
            let from = find_key(&e.from)?;
            let to = find_key(&e.to)?;
            (from != to).then_some((from, to, e.kind))
        })
        .collect();
    links.sort_unstable();
    links.dedup();

    let (connected, isolated) = split_components(sorted.len(), &links);
    let mut components = Vec::with_capacity(connected.len() + 1);
    for (index, (members, links)) in connected.iter().enumerate() {
        let nodes: Vec<&GraphNode> = members.iter().map(|&g| sorted[g]).collect();
        components.push(layered(index, &nodes, links));
    }
    if !isolated.is_empty() {
        let nodes: Vec<&GraphNode> = isolated.iter().map(|&g| sorted[g]).collect();
        components.push(grid(components.len(), &nodes));
    }
    components
}

/// An edge by node index: from, to, kind.
type Link = (usize, usize, EdgeKind);

/// One connected component: its members (node indices, in order) and its
/// links between them, by index among the members.
type Part = (Vec<usize>, Vec<Link>);

/// The weakly connected components of nodes `0..n` under sorted `links`,
/// largest first (ties by smallest member), each as its members in order
/// and its links renumbered to them; and the nodes without any link.
fn split_components(n: usize, links: &[Link]) -> (Vec<Part>, Vec<usize>) {
    let mut parent: Vec<usize> = (0..n).collect();
    let mut linked = vec![false; n];
    for &(a, b, _) in links {
        linked[a] = true;
        linked[b] = true;
        let (ra, rb) = (find_root(&mut parent, a), find_root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut component_of_root = vec![usize::MAX; n];
    let mut local = vec![0; n];
    let mut found: Vec<Part> = Vec::new();
    let mut isolated = Vec::new();
    for (i, &has_edge) in linked.iter().enumerate() {
        if !has_edge {
            isolated.push(i);
            continue;
        }
        let root = find_root(&mut parent, i);
        if component_of_root[root] == usize::MAX {
            component_of_root[root] = found.len();
            found.push((Vec::new(), Vec::new()));
        }
        let members = &mut found[component_of_root[root]].0;
        local[i] = members.len();
        members.push(i);
    }
    for &(a, b, kind) in links {
        let c = component_of_root[find_root(&mut parent, a)];
        found[c].1.push((local[a], local[b], kind));
    }
    // Members are in order, so a component's first member is its smallest.
    found.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0[0].cmp(&b.0[0])));
    (found, isolated)
}

fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// The layered drawing of one weakly connected component: its layout,
/// then its markup.
fn layered(index: usize, nodes: &[&GraphNode], links: &[Link]) -> Component {
    let labels: Vec<(String, f64)> = nodes.iter().map(|node| box_label(node)).collect();
    let widths: Vec<f64> = labels.iter().map(|l| l.1).collect();
    let pairs: Vec<(usize, usize)> = links.iter().map(|&(a, b, _)| (a, b)).collect();
    let drawn = layout::layered(&widths, &pairs);
    let id = component_id(index, nodes.iter().map(|node| node.key.as_str()));
    let mut svg = SvgWriter::with_capacity(1024 + nodes.len() * 400 + links.len() * 300);
    let back_edges = drawn.reversed.iter().filter(|&&r| r).count();
    let title = format!("Dependency graph: {}", kinds_summary(nodes));
    let desc = layered_description(nodes, links.len(), back_edges);
    open_svg(
        &mut svg,
        &id,
        "graph",
        (drawn.width, drawn.height),
        &title,
        &desc,
    );
    write_markers(&mut svg, &id);
    svg.open("g").attr("class", "edges").end();
    for (e, &(from, to, kind)) in links.iter().enumerate() {
        let path = &drawn.paths[e];
        if !path.is_empty() {
            let ends = (nodes[from], nodes[to]);
            write_edge(&mut svg, &id, ends, kind, drawn.reversed[e], path);
        }
    }
    svg.close("g");
    svg.open("g").attr("class", "nodes").end();
    for ((node, label), &corner) in nodes.iter().zip(&labels).zip(&drawn.boxes) {
        write_node(&mut svg, node, label, corner);
    }
    svg.close("g");
    svg.close("svg");
    Component {
        svg: svg.finish(),
        nodes: nodes.len(),
        edges: links.len(),
    }
}

/// The `<desc>` of a layered component: what it links, how to read it,
/// its cycles and its undocumented nodes.
fn layered_description(nodes: &[&GraphNode], edges: usize, back_edges: usize) -> String {
    let mut desc = format!(
        "{} linking {}. An arrow points from a pilot to what it depends on or integrates \
         with; dependencies are to the right.",
        plural(edges, "edge", "edges"),
        kinds_summary(nodes),
    );
    if back_edges > 0 {
        desc.push_str(&format!(
            " {} close a dependency cycle and are drawn right to left.",
            plural(back_edges, "edge", "edges")
        ));
    }
    let undefined = nodes.iter().filter(|node| !node.defined).count();
    if undefined > 0 {
        desc.push_str(&format!(
            " {} referenced but not documented (dashed).",
            plural_verb(undefined)
        ));
    }
    desc
}

/// The nodes without any edge, as a grid in key order.
fn grid(index: usize, nodes: &[&GraphNode]) -> Component {
    let labels: Vec<(String, f64)> = nodes.iter().map(|node| box_label(node)).collect();
    let widths: Vec<f64> = labels.iter().map(|l| l.1).collect();
    let (width, height, boxes) = layout::grid(&widths);
    let id = component_id(index, nodes.iter().map(|node| node.key.as_str()));
    let mut svg = SvgWriter::with_capacity(512 + nodes.len() * 400);
    let summary = kinds_summary(nodes);
    open_svg(
        &mut svg,
        &id,
        "graph unconnected",
        (width, height),
        &format!("Without dependencies or integrations: {summary}"),
        &format!("{summary} with no dependency, dependent or integration, in alphabetical order."),
    );
    svg.open("g").attr("class", "nodes").end();
    for ((node, label), &corner) in nodes.iter().zip(&labels).zip(&boxes) {
        write_node(&mut svg, node, label, corner);
    }
    svg.close("g");
    svg.close("svg");
    Component {
        svg: svg.finish(),
        nodes: nodes.len(),
        edges: 0,
    }
}

/// The `<svg>` element's opening, with its accessible title and
/// description.
fn open_svg(svg: &mut SvgWriter, id: &str, class: &str, size: (f64, f64), title: &str, desc: &str) {
    let view_box = format!("0 0 {} {}", num(size.0), num(size.1));
    svg.open("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("class", class)
        .attr("id", id)
        // A group, not an image: its nodes are links (axe: nested-interactive).
        .attr("role", "group")
        .attr("aria-labelledby", &format!("{id}-title {id}-desc"))
        .num("width", size.0)
        .num("height", size.1)
        .attr("viewBox", &view_box)
        .end();
    svg.leaf("title", &[("id", &format!("{id}-title"))], title);
    svg.leaf("desc", &[("id", &format!("{id}-desc"))], desc);
}

/// The arrowheads: `{id}-arrow` at a path's end, `{id}-arrow-back` at the
/// start of a reversed one.
fn write_markers(svg: &mut SvgWriter, id: &str) {
    svg.open("defs").end();
    for (suffix, ref_x, shape) in [
        ("arrow", "10", "M0 0L10 5L0 10Z"),
        ("arrow-back", "0", "M10 0L0 5L10 10Z"),
    ] {
        svg.open("marker")
            .attr("id", &format!("{id}-{suffix}"))
            .attr("viewBox", "0 0 10 10")
            .attr("refX", ref_x)
            .attr("refY", "5")
            .attr("markerWidth", "8")
            .attr("markerHeight", "8")
            .attr("markerUnits", "userSpaceOnUse")
            .attr("orient", "auto")
            .end();
        svg.open("path")
            .attr("class", "arrow")
            .attr("d", shape)
            .end_empty();
        svg.close("marker");
    }
    svg.close("defs");
}

/// One edge: its path, arrowhead, ends and a tooltip in words.
fn write_edge(
    svg: &mut SvgWriter,
    id: &str,
    (from, to): (&GraphNode, &GraphNode),
    kind: EdgeKind,
    reversed: bool,
    path: &[PathStep],
) {
    let (class, verb) = match kind {
        EdgeKind::DependsOn => ("depends-on", "depends on"),
        EdgeKind::Integrates => ("integrates", "integrates with"),
    };
    let (back, marker, arrow) = if reversed {
        (" back", "marker-start", "arrow-back")
    } else {
        ("", "marker-end", "arrow")
    };
    svg.open("path")
        .attr("class", &format!("edge {class}{back}"))
        .attr("d", &path_data(path))
        .attr(marker, &format!("url(#{id}-{arrow})"))
        .attr("data-from", &from.key)
        .attr("data-to", &to.key)
        .end();
    let cycle = if reversed { " (closes a cycle)" } else { "" };
    let tip = format!("{} {verb} {}{cycle}", from.label.trim(), to.label.trim());
    svg.leaf("title", &[], &tip);
    svg.close("path");
}

/// One node: a box shaped by its kind with its top-left corner at
/// `(x, y)`, its truncated label, its link and a tooltip with the full
/// label.
fn write_node(svg: &mut SvgWriter, node: &GraphNode, label: &(String, f64), (x, y): (f64, f64)) {
    let (kind, radius) = match node.kind {
        NodeKind::Pilot => ("pilot", PILOT_RADIUS),
        NodeKind::System => ("system", NODE_HEIGHT / 2.0),
        NodeKind::Other => ("other", 0.0),
    };
    let mut class = format!("node {kind}");
    let mut tip = format!("{} ({kind}", node.label.trim());
    if let Some(status) = &node.status {
        class.push_str(&format!(" status-{}", class_token(status)));
        tip.push_str(&format!(", {}", status.trim()));
    }
    if !node.defined {
        class.push_str(" undefined");
        tip.push_str(", not documented");
    }
    tip.push(')');
    let href = safe_href(&node.href);
    if let Some(href) = href {
        svg.open("a").attr("href", href).end();
    }
    svg.open("g")
        .attr("class", &class)
        .attr("data-key", &node.key)
        .end();
    svg.leaf("title", &[], &tip);
    svg.open("rect")
        .num("x", x)
        .num("y", y)
        .num("width", label.1)
        .num("height", NODE_HEIGHT)
        .num("rx", radius);
    if !node.defined {
        svg.attr("stroke-dasharray", "4 3");
    }
    svg.end_empty();
    svg.open("text")
        .num("x", x + label.1 / 2.0)
        .num("y", y + NODE_HEIGHT / 2.0 + 4.0)
        .attr("text-anchor", "middle")
        .end();
    svg.text(&label.0);
    svg.close("text");
    svg.close("g");
    if href.is_some() {
        svg.close("a");
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
    fn components_go_largest_first_with_local_links() {
        let dep = EdgeKind::DependsOn;
        // {0, 3} and {1, 2, 4}; 5 alone.
        let links = [(0, 3, dep), (1, 2, dep), (4, 2, EdgeKind::Integrates)];
        let (connected, isolated) = split_components(6, &links);
        assert_eq!(
            connected,
            vec![
                (
                    vec![1, 2, 4],
                    vec![(0, 1, dep), (2, 1, EdgeKind::Integrates)]
                ),
                (vec![0, 3], vec![(0, 1, dep)]),
            ]
        );
        assert_eq!(isolated, vec![5]);
        // Equal sizes: the smallest member first.
        let (connected, _) = split_components(4, &[(2, 3, dep), (0, 1, dep)]);
        assert_eq!(connected[0].0, vec![0, 1]);
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
        assert!(c.svg.contains("role=\"group\""));
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
}
