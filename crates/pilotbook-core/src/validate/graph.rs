//! `dependency-cycle` and `dependency-late`: the graph of pilots that depend
//! on pilots.

use crate::diagnostics::Diagnostic;
use crate::model::{Dependency, Portfolio};
use crate::rules::Rule;
use std::collections::VecDeque;

/// The pilot-to-pilot edges: for each pilot (by entity index) the
/// dependencies that name another pilot with a document, sorted by target id.
fn pilot_edges(portfolio: &Portfolio) -> Vec<Vec<(usize, &Dependency)>> {
    portfolio
        .entities
        .iter()
        .map(|e| {
            let mut edges: Vec<(usize, &Dependency)> = e
                .pilot
                .iter()
                .flat_map(|p| &p.depends_on)
                .filter_map(|d| {
                    let t = portfolio.position(&d.target)?;
                    portfolio.entities[t].pilot.as_ref().map(|_| (t, d))
                })
                .collect();
            edges.sort_by(|a, b| portfolio.entities[a.0].id.cmp(&portfolio.entities[b.0].id));
            edges
        })
        .collect()
}

/// Strongly connected components (Tarjan's algorithm, iterative so a long
/// chain of dependencies cannot overflow the stack).
fn components(edges: &[Vec<(usize, &Dependency)>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&(w, _)) = edges[v].get(*child) {
                *child += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
        }
    }
    out
}

/// Report each cycle once, on its pilot with the smallest id, listing the
/// shortest cycle through that pilot.
pub fn dependency_cycles(portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    let edges = pilot_edges(portfolio);
    for component in components(&edges) {
        let self_loop =
            component.len() == 1 && edges[component[0]].iter().any(|(t, _)| *t == component[0]);
        if component.len() < 2 && !self_loop {
            continue;
        }
        let Some(&start) = component.iter().min_by_key(|&&i| &portfolio.entities[i].id) else {
            continue;
        };
        // Breadth-first from `start` inside the component, back to `start`.
        let mut parent: Vec<Option<usize>> = vec![None; edges.len()];
        let mut queue = VecDeque::from([start]);
        let mut last = None;
        'search: while let Some(v) = queue.pop_front() {
            for &(w, _) in &edges[v] {
                if !component.contains(&w) {
                    continue;
                }
                if w == start {
                    last = Some(v);
                    break 'search;
                }
                if parent[w].is_none() {
                    parent[w] = Some(v);
                    queue.push_back(w);
                }
            }
        }
        let Some(mut v) = last else { continue };
        let mut chain = Vec::new();
        while v != start {
            chain.push(v);
            let Some(p) = parent[v] else { break };
            v = p;
        }
        chain.reverse();
        let mut path = vec![start];
        path.extend(chain);
        path.push(start);
        let names: Vec<&str> = path
            .iter()
            .map(|&i| portfolio.entities[i].id.as_str())
            .collect();
        let first_step = path.get(1).copied().unwrap_or(start);
        let Some((_, dependency)) = edges[start].iter().find(|(t, _)| *t == first_step) else {
            continue;
        };
        let entity = &portfolio.entities[start];
        let Some(doc) = &entity.document else {
            continue;
        };
        out.push(
            Diagnostic::new(
                Rule::DependencyCycle,
                &doc.path,
                dependency.position,
                format!(
                    "pilots depend on each other in a cycle: {}",
                    names.join(" → ")
                ),
            )
            .field("depends_on")
            .help("remove one `depends_on` entry of the cycle; no pilot in it can ship first"),
        );
    }
}

/// Report pilots planned to reach production before a pilot they depend on.
pub fn dependency_late(portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    for (entity, pilot) in portfolio.pilots() {
        let (Some(doc), Some(ours)) = (&entity.document, pilot.production_date()) else {
            continue;
        };
        for dependency in &pilot.depends_on {
            let Some(target) = portfolio.get(&dependency.target) else {
                continue;
            };
            let Some(theirs) = target.pilot.as_ref() else {
                continue;
            };
            if theirs.status.as_deref() == Some("production") {
                continue;
            }
            let Some(their_date) = theirs.production_date() else {
                continue;
            };
            if ours < their_date {
                out.push(
                    Diagnostic::new(
                        Rule::DependencyLate,
                        &doc.path,
                        dependency.position,
                        format!(
                            "pilot `{}` is planned to reach production on {ours}, before pilot `{}` it depends on ({their_date})",
                            entity.id, target.id
                        ),
                    )
                    .field("depends_on")
                    .item(target.id.as_str())
                    .help(format!("move the last milestone after {their_date}, or bring `{}` forward", target.id)),
                );
            }
        }
    }
}
