//! A document's lineage: which of the walk's changes are its versions,
//! what each version was compared with, and the facts each commit
//! introduced.
//!
//! A document's *version* at a commit is its path, content and mode there
//! (or its absence). The version in a parent is the one at the same path, or,
//! where the parent has no file at that path and the commit's diff against
//! that parent pairs the path with another as a rename, the one at the
//! rename's source. Starting from HEAD's version, the lineage follows
//! parents the way `git log -- PATH` simplifies history: a commit whose
//! version equals a parent's continues into the first such parent only
//! (it changed nothing that parent did not have); any other commit
//! continues into every parent. The commits of a document are the commits
//! so reached whose version differs from every parent's version: a
//! non-merge commit that added, changed, renamed or deleted it, and a
//! merge that made a version neither side had (a conflict resolution, an
//! evil merge, or two sides' changes combined).
//!
//! A fact (a target, a due date, the owner, `started`) is introduced by a
//! commit of the document whose value differs from the value in every
//! parent's version; a merge that took one side's value introduced
//! nothing. So every fact names the commit that made it, whatever the
//! dates say, and a merge is blamed only for what it made itself.
//!
//! The status timeline is the main line's story: the statuses along
//! HEAD's first-parent chain, each change attributed to the commit that
//! introduced the new status (found by following, from the main-line
//! commit, the parent each version took its status from) and dated by it,
//! with the main-line commit where it arrived.
//!
//! Every walk over versions jumps from one change to the next: the version
//! at any commit is the one of the nearest change on its first-parent
//! chain, found from an Euler tour of the first-parent forest
//! ([`Topology`]). Nothing here reads objects: the caller asks which blobs
//! a lineage needs ([`Lineage::blobs`]), reads their facts, and hands them
//! in ([`Lineage::history`]).

use super::facts::{Compact, NO_FACTS, Strings};
use super::odb::ObjectId;
use super::walk::{Change, Walk};
use super::{
    AuthorStats, CommitInfo, DocumentHistory, DocumentState, FieldChange, MilestoneChange,
    MilestoneSlip, StatusChange, TargetChange,
};
use pilotbook_core::model::Date;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

const NONE: u32 = u32::MAX;

/// The commit graph's order and shape, computed once per read.
pub struct Topology {
    /// Each commit's place in the order of (generation, committer time,
    /// id): parents always before children, time only between commits
    /// that topology does not order.
    rank: Vec<u32>,
    /// Entry and exit of each commit in a depth-first tour of the
    /// first-parent forest: `a` is a first-parent ancestor of `x` (or `x`)
    /// exactly when `tin[a] <= tin[x] <= tout[a]`.
    tin: Vec<u32>,
    tout: Vec<u32>,
    /// For each commit, the first commit of HEAD's first-parent chain
    /// (oldest first) that has it as an ancestor.
    main: Vec<u32>,
}

impl Topology {
    /// The topology of `walk`, whose main line ends at commit `head`.
    pub fn new(walk: &Walk, head: u32) -> Topology {
        let n = walk.commits.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|a, b| {
            let (x, y) = (&walk.commits[*a as usize], &walk.commits[*b as usize]);
            (x.generation, x.time, x.info.id.as_str()).cmp(&(
                y.generation,
                y.time,
                y.info.id.as_str(),
            ))
        });
        let mut rank = vec![0u32; n];
        for (r, c) in order.iter().enumerate() {
            rank[*c as usize] = r as u32;
        }
        let (tin, tout) = first_parent_tour(walk);
        Topology {
            rank,
            tin,
            tout,
            main: main_line_entries(walk, head),
        }
    }

    fn is_first_parent_ancestor(&self, a: u32, x: u32) -> bool {
        let (a, x) = (a as usize, x as usize);
        self.tin[a] <= self.tin[x] && self.tin[x] <= self.tout[a]
    }
}

/// Euler tour of the forest in which each commit's parent is its first
/// parent; iterative, so a 100,000-commit chain needs no deep stack.
fn first_parent_tour(walk: &Walk) -> (Vec<u32>, Vec<u32>) {
    let n = walk.commits.len();
    let mut start = vec![0u32; n + 1];
    for c in &walk.commits {
        if let Some(p) = c.parents.first() {
            start[*p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut children = vec![0u32; start[n] as usize];
    for (i, c) in walk.commits.iter().enumerate() {
        if let Some(p) = c.parents.first() {
            children[fill[*p as usize] as usize] = i as u32;
            fill[*p as usize] += 1;
        }
    }
    let (mut tin, mut tout) = (vec![0u32; n], vec![0u32; n]);
    let mut clock = 0u32;
    let mut stack: Vec<(u32, u32)> = Vec::new();
    for root in (0..n).filter(|i| walk.commits[*i].parents.is_empty()) {
        stack.push((root as u32, start[root]));
        tin[root] = clock;
        clock += 1;
        while let Some((node, next)) = stack.last_mut() {
            let node = *node as usize;
            if *next < start[node + 1] {
                let child = children[*next as usize];
                *next += 1;
                tin[child as usize] = clock;
                clock += 1;
                stack.push((child, start[child as usize]));
            } else {
                tout[node] = clock - 1;
                stack.pop();
            }
        }
    }
    (tin, tout)
}

/// For each commit, the oldest commit of `head`'s first-parent chain that
/// contains it; [`NONE`] for commits `head` does not reach.
fn main_line_entries(walk: &Walk, head: u32) -> Vec<u32> {
    let mut main = vec![NONE; walk.commits.len()];
    let mut chain = Vec::new();
    let mut at = Some(head);
    while let Some(c) = at.filter(|c| (*c as usize) < walk.commits.len()) {
        chain.push(c);
        at = walk.commits[c as usize].parents.first().copied();
    }
    let mut stack = Vec::new();
    for m in chain.into_iter().rev() {
        main[m as usize] = m;
        stack.extend(walk.commits[m as usize].parents.iter().skip(1).copied());
        while let Some(c) = stack.pop() {
            if main[c as usize] == NONE {
                main[c as usize] = m;
                stack.extend(walk.commits[c as usize].parents.iter().copied());
            }
        }
    }
    main
}

/// One version of the document: a change the walk recorded at a path.
struct Node<'w> {
    commit: u32,
    path: &'w str,
    change: &'w Change,
    /// Per parent position: the document's path there and the node whose
    /// version that parent has (`None`: the path never existed on that
    /// parent's first-parent chain). Filled when the node is expanded.
    parents: Option<Vec<(&'w str, Option<usize>)>>,
    /// The first parent whose version is this one, if any.
    same_as: Option<usize>,
    /// Reached from HEAD's version: a commit of the document when it
    /// differs from every parent.
    from_head: bool,
    visited: bool,
}

/// The versions of one document and how they connect.
pub struct Lineage<'w> {
    walk: &'w Walk,
    topo: &'w Topology,
    /// Each path's changes, sorted by their commit's tour entry.
    events: HashMap<&'w str, Vec<(u32, &'w Change)>>,
    nodes: Vec<Node<'w>>,
    by_key: HashMap<(u32, &'w str), usize>,
    /// HEAD's first-parent chain of versions, newest first.
    chain: Vec<usize>,
    /// The path at HEAD.
    path: &'w str,
}

impl<'w> Lineage<'w> {
    /// Follow the document at repository path `path` from commit `head`.
    pub fn trace(walk: &'w Walk, topo: &'w Topology, path: &str, head: u32) -> Lineage<'w> {
        let path = walk
            .changes
            .get_key_value(path)
            .map_or("", |(k, _)| k.as_str());
        let mut lineage = Lineage {
            walk,
            topo,
            events: HashMap::new(),
            nodes: Vec::new(),
            by_key: HashMap::new(),
            chain: Vec::new(),
            path,
        };
        let Some(top) = lineage.node_at(path, head) else {
            return lineage;
        };
        lineage.visit(vec![top], true);
        let mut at = Some(top);
        while let Some(n) = at {
            lineage.chain.push(n);
            at = lineage.expand(n).first().and_then(|(_, p)| *p);
        }
        // The main line's versions and whatever their statuses came from.
        let chain = lineage.chain.clone();
        lineage.visit(chain, false);
        lineage
    }

    /// The changes of `path`, by tour entry.
    fn events(&mut self, path: &'w str) -> Option<&Vec<(u32, &'w Change)>> {
        if !self.events.contains_key(path) {
            let (walk, topo) = (self.walk, self.topo);
            let (key, changes) = walk.changes.get_key_value(path)?;
            let mut list: Vec<(u32, &Change)> = changes
                .iter()
                .map(|c| (topo.tin[c.commit as usize], c))
                .collect();
            list.sort_unstable_by_key(|(t, _)| *t);
            self.events.insert(key.as_str(), list);
        }
        self.events.get(path)
    }

    /// The node holding the version of `path` at `commit`: its nearest
    /// change on the first-parent chain.
    fn node_at(&mut self, path: &'w str, commit: u32) -> Option<usize> {
        let topo = self.topo;
        let t = topo.tin[commit as usize];
        let found = {
            let events = self.events(path)?;
            let mut k = events.partition_point(|(tin, _)| *tin <= t);
            let mut found = None;
            while k > 0 {
                k -= 1;
                if topo.is_first_parent_ancestor(events[k].1.commit, commit) {
                    found = Some(events[k].1);
                    break;
                }
            }
            found?
        };
        // One spelling of each path: the walk's own key.
        let path = self.events.get_key_value(path).map_or(path, |(k, _)| *k);
        let key = (found.commit, path);
        if let Some(n) = self.by_key.get(&key) {
            return Some(*n);
        }
        self.nodes.push(Node {
            commit: found.commit,
            path,
            change: found,
            parents: None,
            same_as: None,
            from_head: false,
            visited: false,
        });
        self.by_key.insert(key, self.nodes.len() - 1);
        Some(self.nodes.len() - 1)
    }

    /// The parents' versions of node `n`, found once.
    fn expand(&mut self, n: usize) -> Vec<(&'w str, Option<usize>)> {
        if let Some(parents) = &self.nodes[n].parents {
            return parents.clone();
        }
        let (commit, path, change) = (
            self.nodes[n].commit,
            self.nodes[n].path,
            self.nodes[n].change,
        );
        let walk = self.walk;
        let mut parents = Vec::new();
        for (pos, parent) in walk.commits[commit as usize].parents.iter().enumerate() {
            let from = change
                .renamed_from
                .iter()
                .find(|(p, _)| *p as usize == pos)
                .map_or(path, |(_, old)| old.as_str());
            parents.push((from, self.node_at(from, *parent)));
        }
        let version = change.version();
        let same_as = parents.iter().position(|(p, node)| {
            *p == path && node.and_then(|m| self.nodes[m].change.version()) == version
        });
        let node = &mut self.nodes[n];
        node.same_as = same_as;
        node.parents = Some(parents.clone());
        parents
    }

    /// Visit the versions reachable from `roots`, simplifying as `git log
    /// -- PATH` does: into the first parent with the same version, else
    /// into every parent.
    fn visit(&mut self, roots: Vec<usize>, from_head: bool) {
        let mut stack = roots;
        while let Some(n) = stack.pop() {
            if self.nodes[n].visited {
                continue;
            }
            self.nodes[n].visited = true;
            self.nodes[n].from_head = from_head;
            let parents = self.expand(n);
            match self.nodes[n].same_as {
                Some(j) => stack.extend(parents[j].1),
                None => stack.extend(parents.iter().filter_map(|(_, p)| *p)),
            }
        }
    }

    /// The blobs whose facts [`Lineage::history`] needs.
    pub fn blobs(&self) -> impl Iterator<Item = &ObjectId> + '_ {
        self.nodes
            .iter()
            .filter(|n| n.visited)
            .filter_map(|n| n.change.blob.as_ref())
    }

    fn info(&self, commit: u32) -> Arc<CommitInfo> {
        self.walk.commits[commit as usize].info.clone()
    }

    /// Where a commit reached the main line (itself if it is on it).
    fn reached_main(&self, commit: u32) -> Arc<CommitInfo> {
        match self.topo.main[commit as usize] {
            NONE => self.info(commit),
            m => self.info(m),
        }
    }

    /// The document's history, given the facts of every blob
    /// [`Lineage::blobs`] named.
    pub fn history<'f>(
        mut self,
        facts_of: &dyn Fn(&ObjectId) -> Option<&'f Compact>,
        strings: &Strings,
        state: DocumentState,
    ) -> DocumentHistory {
        let facts = |node: &Node| -> &'f Compact {
            node.change
                .blob
                .as_ref()
                .and_then(facts_of)
                .unwrap_or(&NO_FACTS)
        };
        // The commits of the document, oldest first.
        let mut own: Vec<usize> = (0..self.nodes.len())
            .filter(|n| {
                let node = &self.nodes[*n];
                node.from_head && node.same_as.is_none()
            })
            .collect();
        own.sort_by_key(|n| self.topo.rank[self.nodes[*n].commit as usize]);

        let mut changes = Changes::default();
        for &n in &own {
            let node = &self.nodes[n];
            let parents: Vec<&Compact> = self
                .parents(n)
                .map(|p| p.map_or(&NO_FACTS, facts))
                .collect();
            let origin = (self.info(node.commit), self.reached_main(node.commit));
            changes.add(origin, facts(node), &parents, strings);
        }
        let status_changes = self.status_timeline(&facts, strings);
        let commits: Vec<Arc<CommitInfo>> = own
            .iter()
            .rev()
            .map(|n| self.info(self.nodes[*n].commit))
            .collect();
        let mut renamed_from = Vec::new();
        for n in own.iter().rev() {
            let path = self.nodes[*n].path;
            if path != self.path && !renamed_from.iter().any(|p| p == path) {
                renamed_from.push(path.to_string());
            }
        }
        let milestone_slips = slips(&changes.milestones);
        DocumentHistory {
            state,
            authors: authors(&commits),
            commits,
            renamed_from,
            status_changes,
            target_changes: changes.targets,
            actual_changes: changes.actuals,
            milestone_changes: changes.milestones,
            milestone_slips,
            owner_changes: changes.owners,
            started_changes: changes.started,
        }
    }

    /// The nodes holding each parent's version of node `n` (expanded).
    fn parents(&self, n: usize) -> impl Iterator<Item = Option<&Node<'w>>> + '_ {
        self.nodes[n]
            .parents
            .iter()
            .flatten()
            .map(|(_, p)| p.map(|p| &self.nodes[p]))
    }

    /// The statuses along HEAD's first-parent chain; each change blamed on
    /// the commit that introduced the new status.
    fn status_timeline<'f>(
        &mut self,
        facts: &dyn Fn(&Node) -> &'f Compact,
        strings: &Strings,
    ) -> Vec<StatusChange> {
        let mut out = Vec::new();
        let mut previous: Option<u32> = None;
        for k in (0..self.chain.len()).rev() {
            let n = self.chain[k];
            let Some(status) = facts(&self.nodes[n]).status() else {
                continue;
            };
            if previous != Some(status) {
                let origin = self.blame_status(n, status, facts);
                out.push(StatusChange {
                    from: previous.map(|s| strings.get(s).to_string()),
                    to: strings.get(status).to_string(),
                    commit: self.info(self.nodes[origin].commit),
                    reached_main: self.info(self.nodes[n].commit),
                });
            }
            previous = Some(status);
        }
        out
    }

    /// The node whose commit introduced `status` into node `n`'s version.
    fn blame_status<'f>(
        &mut self,
        mut n: usize,
        status: u32,
        facts: &dyn Fn(&Node) -> &'f Compact,
    ) -> usize {
        loop {
            let parents = self.expand(n);
            if let Some(j) = self.nodes[n].same_as {
                match parents[j].1 {
                    Some(p) => {
                        n = p;
                        continue;
                    }
                    None => return n,
                }
            }
            let from = parents.iter().position(|(_, p)| {
                p.is_some_and(|p| facts(&self.nodes[p]).status() == Some(status))
            });
            match from.and_then(|i| parents[i].1) {
                Some(p) => n = p,
                None => return n,
            }
        }
    }
}

/// Whether a value was introduced, given the parents' values; and the
/// value it replaced (the first parent's that has one).
fn introduced<T: PartialEq + Clone>(mine: Option<&T>, parents: &[Option<&T>]) -> Option<Option<T>> {
    let new = if parents.is_empty() {
        mine.is_some()
    } else {
        parents.iter().all(|p| *p != mine)
    };
    new.then(|| parents.iter().find_map(|p| p.cloned()))
}

/// The values of one per-metric field (`targets` or `actuals`) that a
/// version introduced against its parents' versions, by metric name in
/// the names' order (a name listed twice: the last counts).
fn per_metric(
    (commit, reached_main): &(Arc<CommitInfo>, Arc<CommitInfo>),
    (mine, parents): (&Compact, &[&Compact]),
    field: fn(&Compact) -> &[(u32, u32)],
    strings: &Strings,
) -> Vec<TargetChange> {
    let text = |id: u32| strings.get(id).to_string();
    let by_name = |f: &Compact| -> BTreeMap<&str, u32> {
        field(f)
            .iter()
            .map(|(m, t)| (strings.get(*m), *t))
            .collect()
    };
    let (mine_v, parents_v) = (
        by_name(mine),
        parents.iter().map(|f| by_name(f)).collect::<Vec<_>>(),
    );
    let mut out = Vec::new();
    for metric in keys(&mine_v, &parents_v) {
        let values: Vec<Option<&u32>> = parents_v.iter().map(|m| m.get(metric)).collect();
        if let Some(from) = introduced(mine_v.get(metric), &values) {
            out.push(TargetChange {
                metric: metric.to_string(),
                from: from.map(text),
                to: mine_v.get(metric).map(|t| text(*t)),
                commit: commit.clone(),
                reached_main: reached_main.clone(),
            });
        }
    }
    out
}

/// The facts introduced by a document's commits, oldest first.
#[derive(Default)]
struct Changes {
    targets: Vec<TargetChange>,
    actuals: Vec<TargetChange>,
    milestones: Vec<MilestoneChange>,
    owners: Vec<FieldChange>,
    started: Vec<FieldChange>,
}

impl Changes {
    /// What a commit's version (`mine`) introduced against its parents';
    /// `origin` is the commit and where it reached the main line.
    fn add(
        &mut self,
        origin: (Arc<CommitInfo>, Arc<CommitInfo>),
        mine: &Compact,
        parents: &[&Compact],
        strings: &Strings,
    ) {
        // Most commits leave the front matter as it was. A value is
        // introduced only where every parent's differs, so a version equal
        // to any parent's introduces nothing: the comparisons below (by
        // name, through the string table) are skipped.
        if parents.contains(&mine) {
            return;
        }
        let (commit, reached_main) = origin;
        let text = |id: u32| strings.get(id).to_string();
        let scalar = |get: fn(&Compact) -> Option<u32>| -> Option<FieldChange> {
            let values: Vec<Option<u32>> = parents.iter().map(|f| get(f)).collect();
            let from = introduced(
                get(mine).as_ref(),
                &values.iter().map(Option::as_ref).collect::<Vec<_>>(),
            )?;
            Some(FieldChange {
                from: from.map(text),
                to: get(mine).map(text),
                commit: commit.clone(),
                reached_main: reached_main.clone(),
            })
        };
        self.owners.extend(scalar(Compact::owner));
        self.started.extend(scalar(Compact::started));

        // Targets and actuals alike, by metric.
        let origin = (commit.clone(), reached_main.clone());
        let changed = per_metric(&origin, (mine, parents), Compact::targets, strings);
        self.targets.extend(changed);
        let changed = per_metric(&origin, (mine, parents), Compact::actuals, strings);
        self.actuals.extend(changed);

        let dues = |f: &Compact| -> BTreeMap<&str, Date> {
            f.dues()
                .iter()
                .filter_map(|(m, d)| Some((strings.get(*m), Date::parse(strings.get(*d)).ok()?)))
                .collect()
        };
        let (mine_d, parents_d) = (
            dues(mine),
            parents.iter().map(|f| dues(f)).collect::<Vec<_>>(),
        );
        for milestone in keys(&mine_d, &parents_d) {
            let values: Vec<Option<&Date>> = parents_d.iter().map(|m| m.get(milestone)).collect();
            if let Some(from) = introduced(mine_d.get(milestone), &values) {
                self.milestones.push(MilestoneChange {
                    milestone: milestone.to_string(),
                    from,
                    to: mine_d.get(milestone).copied(),
                    commit: commit.clone(),
                    reached_main: reached_main.clone(),
                });
            }
        }
    }
}

/// The milestone changes that moved a due date later.
pub(crate) fn slips(milestones: &[MilestoneChange]) -> Vec<MilestoneSlip> {
    milestones
        .iter()
        .filter_map(|c| match (c.from, c.to) {
            (Some(from), Some(to)) if to > from => Some(MilestoneSlip {
                milestone: c.milestone.clone(),
                from,
                to,
                commit: c.commit.clone(),
                reached_main: c.reached_main.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// Every key of one map and of several others, sorted.
fn keys<'a, V>(mine: &BTreeMap<&'a str, V>, others: &[BTreeMap<&'a str, V>]) -> BTreeSet<&'a str> {
    mine.keys()
        .chain(others.iter().flat_map(|m| m.keys()))
        .copied()
        .collect()
}

/// Authors of `commits` (newest first), most commits first; each named as
/// on their most recent commit.
pub(crate) fn authors(commits: &[Arc<CommitInfo>]) -> Vec<AuthorStats> {
    let mut by_email: HashMap<String, AuthorStats> = HashMap::new();
    for c in commits {
        by_email
            .entry(c.email.to_lowercase())
            .or_insert_with(|| AuthorStats {
                name: c.author.clone(),
                email: c.email.clone(),
                commits: 0,
            })
            .commits += 1;
    }
    let mut authors: Vec<AuthorStats> = by_email.into_values().collect();
    authors.sort_by(|a, b| {
        b.commits
            .cmp(&a.commits)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.email.cmp(&b.email))
    });
    authors
}
