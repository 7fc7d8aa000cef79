//! pilotbook's history against the git CLI, on seeded random repositories.
//!
//! Each repository is generated from a small model of pilot documents
//! (front-matter fields and unique body lines) and written with one `git
//! fast-import`: branches, `--no-ff` and fast-forward merges, octopus
//! merges, conflicting edits resolved in the merge (one side, the other,
//! or a value of the merge's own), renames on a branch, from outside the
//! pilots' folder (`drafts/`, the top) and into a folder of their own,
//! renames with 5 to 30 of 60 lines rewritten (around git's 50%), copies,
//! mode-only commits, documents deleted and restored, reverts,
//! cherry-picks (original author and date kept), commits that touch no
//! document, authors whose email differs only in case, and clocks that
//! jump backwards.
//!
//! The oracle reads the repository with the git CLI only — `git rev-list
//! --parents`, `git ls-tree` for each version (blob and mode), `git
//! cat-file` for its content, `git diff-tree -M` over the whole trees for
//! renames — and applies ARCHITECTURE.md's definition of a document's history step
//! by step, commit by commit: the document's commits are those `git
//! rev-list HEAD -- PATH` lists (checked against it for every document that
//! was never renamed), continued through renames; each fact is the value a
//! commit's version has and no parent's version has; the status timeline
//! is the first-parent chain. Its answer must equal `pilotbook export`'s
//! for every document: commits and their order, created, updated, authors,
//! earlier paths, status timeline, target, milestone, owner and `started`
//! changes, slips, and where each fact reached the main line.
//!
//! `cargo test` runs 50 repositories. The long run is
//! `PILOTBOOK_ORACLE_REPOS=1000 cargo test --release --test it history_oracle::`
//! (`PILOTBOOK_ORACLE_SEED` moves the seeds; `PILOTBOOK_ORACLE_KEEP=1`
//! keeps a failing repository and prints its path).

use crate::support;

use crate::support::Case;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

// ---------------------------------------------------------------- random

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ----------------------------------------------------------------- model

const STATUSES: [&str; 5] = ["proposed", "pilot", "go", "no-go", "production"];
const OWNERS: [&str; 3] = ["dana-kim", "lee-wu", "ari-sol"];
const METRICS: [&str; 3] = ["accuracy", "latency", "cost"];
const MILESTONES: [&str; 3] = ["Shadow", "Review", "GA"];
const TARGETS: [&str; 5] = [">= 92%", ">= 85%", "<= 800 ms", "< 0.04 USD", ">= 70%"];
const AUTHORS: [(&str, &str); 4] = [
    ("Dana Kim", "dana@example.com"),
    ("Lee Wu", "lee@example.com"),
    ("Ari Sol", "ari@example.com"),
    ("Dana K.", "DANA@example.com"),
];
const OFFSETS: [i32; 3] = [0, 120, -300];

/// One pilot, field by field; rendered to front matter and a body of
/// lines no other document shares (so renames are unambiguous to git and
/// to pilotbook alike).
#[derive(Clone, PartialEq, Debug)]
struct Doc {
    id: usize,
    fields: BTreeMap<String, String>,
    body: Vec<String>,
    /// Written with mode 100755.
    exec: bool,
}

impl Doc {
    fn render(&self) -> String {
        let f = |k: &str| self.fields.get(k);
        let mut out = format!("---\ntitle: Pilot {}\n", self.id);
        for key in ["status", "owner", "started"] {
            if let Some(v) = f(key) {
                out.push_str(&format!("{key}: {v}\n"));
            }
        }
        let metrics: Vec<_> = self
            .fields
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("target:")?, v)))
            .collect();
        if !metrics.is_empty() {
            out.push_str("metrics:\n");
            for (m, t) in metrics {
                out.push_str(&format!("  - metric: {m}\n    target: \"{t}\"\n"));
            }
        }
        let dues: Vec<_> = self
            .fields
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("due:")?, v)))
            .collect();
        if !dues.is_empty() {
            out.push_str("production_path:\n");
            for (m, d) in dues {
                out.push_str(&format!("  - milestone: {m}\n    due: {d}\n"));
            }
        }
        out.push_str(&format!("---\n\n# Pilot {}\n\n", self.id));
        for line in &self.body {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

/// A tree: documents by identity, each at a path; plus one file that is
/// no document.
#[derive(Clone, PartialEq, Debug, Default)]
struct Tree {
    docs: BTreeMap<usize, (String, Doc)>,
    notes: u32,
}

/// A field-level change a commit made (for reverts and cherry-picks).
#[derive(Clone, Debug)]
struct Edit {
    doc: usize,
    key: String,
    old: Option<String>,
    new: Option<String>,
}

struct Commit {
    parents: Vec<usize>,
    tree: Tree,
    author: usize,
    author_time: i64,
    offset: i32,
    commit_time: i64,
    message: String,
    edits: Vec<Edit>,
}

struct Gen {
    rng: Rng,
    commits: Vec<Commit>,
    branches: BTreeMap<String, usize>,
    current: String,
    clock: i64,
    docs: usize,
    lines: usize,
    deleted: Vec<(usize, String, Doc)>,
    /// Merges done by moving the branch (no commit).
    fast_forwards: usize,
}

fn date(rng: &mut Rng) -> String {
    format!("2026-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28))
}

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng(seed),
            commits: Vec::new(),
            branches: BTreeMap::new(),
            current: "main".into(),
            clock: 1_770_000_000,
            docs: 0,
            lines: 0,
            deleted: Vec::new(),
            fast_forwards: 0,
        }
    }

    fn line(&mut self, doc: usize) -> String {
        self.lines += 1;
        let words = [
            "amber", "basalt", "cobalt", "delta", "ember", "fjord", "garnet", "harbor",
        ];
        let w = (0..4)
            .map(|_| *self.rng.pick(&words))
            .collect::<Vec<_>>()
            .join(" ");
        format!(
            "Doc {doc} note {} says {w} {}.",
            self.lines,
            self.rng.next() % 100_000
        )
    }

    fn new_doc(&mut self) -> Doc {
        self.docs += 1;
        let id = self.docs;
        let mut fields = BTreeMap::new();
        fields.insert("status".into(), self.rng.pick(&STATUSES).to_string());
        fields.insert("owner".into(), self.rng.pick(&OWNERS).to_string());
        fields.insert("started".into(), date(&mut self.rng));
        for m in METRICS.iter().take(1 + self.rng.below(2)) {
            fields.insert(format!("target:{m}"), self.rng.pick(&TARGETS).to_string());
        }
        for m in MILESTONES.iter().take(1 + self.rng.below(3)) {
            fields.insert(format!("due:{m}"), date(&mut self.rng));
        }
        let body = (0..60).map(|_| self.line(id)).collect();
        Doc {
            id,
            fields,
            body,
            exec: false,
        }
    }

    /// A new value for a field (`None`: remove it).
    fn value(&mut self, key: &str, doc: usize) -> Option<String> {
        match key {
            "status" => Some(self.rng.pick(&STATUSES).to_string()),
            "owner" => Some(self.rng.pick(&OWNERS).to_string()),
            "started" => (!self.rng.chance(10)).then(|| date(&mut self.rng)),
            k if k.starts_with("target:") => {
                (!self.rng.chance(15)).then(|| self.rng.pick(&TARGETS).to_string())
            }
            k if k.starts_with("due:") => (!self.rng.chance(15)).then(|| date(&mut self.rng)),
            _ => Some(self.line(doc)),
        }
    }

    fn tick(&mut self) -> i64 {
        self.clock += 600 + self.rng.below(20_000) as i64;
        // Clocks that run backwards: a rebase, a wrong clock, an import.
        if self.rng.chance(20) {
            self.clock - 86_400 * (1 + self.rng.below(20)) as i64
        } else {
            self.clock
        }
    }

    fn commit(
        &mut self,
        parents: Vec<usize>,
        tree: Tree,
        message: String,
        edits: Vec<Edit>,
    ) -> usize {
        let time = self.tick();
        let commit_time = if self.rng.chance(30) {
            self.tick()
        } else {
            time
        };
        let author = self.rng.below(AUTHORS.len());
        let offset = *self.rng.pick(&OFFSETS);
        self.push(Commit {
            parents,
            tree,
            author,
            author_time: time,
            offset,
            commit_time,
            message,
            edits,
        })
    }

    fn push(&mut self, commit: Commit) -> usize {
        self.commits.push(commit);
        let at = self.commits.len() - 1;
        self.branches.insert(self.current.clone(), at);
        at
    }

    /// One random step on the current branch.
    fn step(&mut self) {
        let here = self.branches[&self.current];
        let mut tree = self.commits[here].tree.clone();
        let ids: Vec<usize> = tree.docs.keys().copied().collect();
        let roll = self.rng.below(100);
        let mut edits = Vec::new();
        let message;
        if ids.is_empty() || (roll < 8 && ids.len() < 5) {
            let doc = self.new_doc();
            tree.docs
                .insert(doc.id, (format!("pilots/p{}.md", doc.id), doc));
            message = "Add a pilot".to_string();
        } else if roll < 16 {
            let id = *self.rng.pick(&ids);
            let entry = tree.docs.get_mut(&id).expect("doc");
            entry.0 = format!("pilots/p{id}-r{}.md", self.commits.len());
            message = format!("Rename pilot {id}");
        } else if roll < 20 && ids.len() > 1 {
            let id = *self.rng.pick(&ids);
            let (path, doc) = tree.docs.remove(&id).expect("doc");
            self.deleted.push((id, path, doc));
            message = format!("Delete pilot {id}");
        } else if roll < 24 && !self.deleted.is_empty() {
            let (id, path, doc) = self.deleted[self.rng.below(self.deleted.len())].clone();
            if tree.docs.contains_key(&id) || tree.docs.values().any(|(p, _)| *p == path) {
                return;
            }
            tree.docs.insert(id, (path, doc));
            message = format!("Restore pilot {id}");
        } else if roll < 32 {
            return self.revert();
        } else if roll < 40 {
            return self.cherry_pick();
        } else if roll < 46 {
            tree.notes += 1;
            message = "Edit notes".to_string();
        } else if roll < 61 {
            let outside: Vec<usize> = tree
                .docs
                .iter()
                .filter(|(_, (p, _))| !p.starts_with("pilots/"))
                .map(|(id, _)| *id)
                .collect();
            let id = match roll {
                50..=53 if !outside.is_empty() => *self.rng.pick(&outside),
                _ => *self.rng.pick(&ids),
            };
            message = match self.move_doc(&mut tree, id, roll, &mut edits) {
                Some(message) => message,
                None => return,
            };
        } else {
            let id = *self.rng.pick(&ids);
            let doc = &tree.docs[&id].1;
            let mut keys: Vec<String> = doc.fields.keys().cloned().collect();
            keys.push(format!("target:{}", self.rng.pick(&METRICS)));
            keys.push(format!("due:{}", self.rng.pick(&MILESTONES)));
            keys.push(format!("body:{}", self.rng.below(doc.body.len())));
            for _ in 0..1 + self.rng.below(2) {
                let key = self.rng.pick(&keys).clone();
                let value = self.value(&key, id);
                let entry = &mut tree.docs.get_mut(&id).expect("doc").1;
                let old = get(entry, &key);
                if old != value {
                    set(entry, &key, value.clone());
                    edits.push(Edit {
                        doc: id,
                        key,
                        old,
                        new: value,
                    });
                }
            }
            message = format!("Edit pilot {id}");
        }
        self.commit(vec![here], tree, message, edits);
    }

    /// Change where a document is or how it is stored: its mode, a move
    /// out of the pilots' folder or back in, a rename with edits, into a
    /// folder of its own, or a copy (a new document). `None`: nothing to do.
    fn move_doc(
        &mut self,
        tree: &mut Tree,
        id: usize,
        roll: usize,
        edits: &mut Vec<Edit>,
    ) -> Option<String> {
        let n = self.commits.len();
        let (path, doc) = tree.docs.get(&id)?.clone();
        let outside = !path.starts_with("pilots/");
        let (new_path, message) = match roll {
            46..=49 => {
                tree.docs.get_mut(&id)?.1.exec = !doc.exec;
                return Some(format!("Chmod pilot {id}"));
            }
            50..=53 if outside => (format!("pilots/p{id}-i{n}.md"), "Move in"),
            50..=51 => (format!("drafts/p{id}-d{n}.md"), "Move out"),
            // The top of the repository: a folder every commit changes.
            52..=53 => (format!("p{id}-t{n}.md"), "Move out"),
            54..=56 => (format!("pilots/p{id}-e{n}.md"), "Rename and edit"),
            57..=58 => {
                self.docs += 1;
                let mut copy = doc.clone();
                copy.id = self.docs;
                let at = format!("pilots/p{}-c{n}.md", copy.id);
                tree.docs.insert(copy.id, (at, copy));
                return Some(format!("Copy pilot {id}"));
            }
            _ => (format!("pilots/p{id}-s{n}/README.md"), "Move to a folder"),
        };
        if message == "Rename and edit" {
            // 5 to 30 of 60 lines: from clearly similar to below git's 50%.
            for _ in 0..5 + self.rng.below(26) {
                let key = format!("body:{}", self.rng.below(doc.body.len()));
                let value = Some(self.line(id));
                let entry = &mut tree.docs.get_mut(&id)?.1;
                let old = get(entry, &key);
                set(entry, &key, value.clone());
                edits.push(Edit {
                    doc: id,
                    key,
                    old,
                    new: value,
                });
            }
        }
        tree.docs.get_mut(&id)?.0 = new_path;
        Some(format!("{message} pilot {id}"))
    }

    /// Undo the field edits of an earlier commit of this branch where the
    /// value is still the one it set.
    fn revert(&mut self) {
        let here = self.branches[&self.current];
        let ancestors = ancestors(&self.commits, here);
        let candidates: Vec<usize> = ancestors
            .iter()
            .copied()
            .filter(|c| !self.commits[*c].edits.is_empty())
            .collect();
        if candidates.is_empty() {
            return;
        }
        let target = *self.rng.pick(&candidates);
        let mut tree = self.commits[here].tree.clone();
        let mut edits = Vec::new();
        for e in self.commits[target].edits.clone() {
            if let Some((_, doc)) = tree.docs.get_mut(&e.doc)
                && get(doc, &e.key) == e.new
            {
                set(doc, &e.key, e.old.clone());
                edits.push(Edit {
                    doc: e.doc,
                    key: e.key,
                    old: e.new,
                    new: e.old,
                });
            }
        }
        if !edits.is_empty() {
            self.commit(vec![here], tree, format!("Revert commit {target}"), edits);
        }
    }

    /// Apply another branch's commit here, with its author and date.
    fn cherry_pick(&mut self) {
        let here = self.branches[&self.current];
        let mine = ancestors(&self.commits, here);
        let candidates: Vec<usize> = (0..self.commits.len())
            .filter(|c| !mine.contains(c) && !self.commits[*c].edits.is_empty())
            .collect();
        if candidates.is_empty() {
            return;
        }
        let source = *self.rng.pick(&candidates);
        let mut tree = self.commits[here].tree.clone();
        let mut edits = Vec::new();
        for e in self.commits[source].edits.clone() {
            if let Some((_, doc)) = tree.docs.get_mut(&e.doc)
                && get(doc, &e.key) == e.old
            {
                set(doc, &e.key, e.new.clone());
                edits.push(e);
            }
        }
        if edits.is_empty() {
            return;
        }
        let original = &self.commits[source];
        let (author, author_time, offset) =
            (original.author, original.author_time, original.offset);
        let commit_time = self.tick();
        self.push(Commit {
            parents: vec![here],
            tree,
            author,
            author_time,
            offset,
            commit_time,
            message: format!("Cherry-pick commit {source}"),
            edits,
        });
    }

    /// Merge `others` into the current branch: fast-forward when asked
    /// and possible, else one merge commit (two or more parents).
    fn merge(&mut self, others: &[String], fast_forward: bool) {
        let here = self.branches[&self.current];
        let heads: Vec<usize> = others.iter().map(|b| self.branches[b]).collect();
        let mine = ancestors(&self.commits, here);
        let heads: Vec<usize> = heads.into_iter().filter(|h| !mine.contains(h)).collect();
        if heads.is_empty() {
            return;
        }
        if fast_forward && heads.len() == 1 && ancestors(&self.commits, heads[0]).contains(&here) {
            self.branches.insert(self.current.clone(), heads[0]);
            self.fast_forwards += 1;
            return;
        }
        let mut tree = self.commits[here].tree.clone();
        let mut ours = here;
        for &theirs in &heads {
            let base = merge_base(&self.commits, ours, theirs);
            let base_tree = base
                .map(|b| self.commits[b].tree.clone())
                .unwrap_or_default();
            let their_tree = self.commits[theirs].tree.clone();
            tree = self.merge_trees(&base_tree, &tree, &their_tree);
            ours = theirs;
        }
        let mut parents = vec![here];
        parents.extend(heads);
        self.commit(
            parents,
            tree,
            format!("Merge into {}", self.current),
            Vec::new(),
        );
    }

    fn merge_trees(&mut self, base: &Tree, ours: &Tree, theirs: &Tree) -> Tree {
        let mut out = Tree {
            docs: BTreeMap::new(),
            notes: three_way(&mut self.rng, base.notes, ours.notes, theirs.notes),
        };
        let ids: BTreeSet<usize> = base
            .docs
            .keys()
            .chain(ours.docs.keys())
            .chain(theirs.docs.keys())
            .copied()
            .collect();
        for id in ids {
            let (b, o, t) = (base.docs.get(&id), ours.docs.get(&id), theirs.docs.get(&id));
            let merged = match (o, t) {
                _ if o == t => o.cloned(),
                _ if b == o => t.cloned(),
                _ if b == t => o.cloned(),
                (Some(o), Some(t)) => Some(self.merge_doc(b, o, t)),
                // Deleted on one side, changed on the other: either wins.
                (Some(x), None) | (None, Some(x)) => self.rng.chance(50).then(|| x.clone()),
                (None, None) => None,
            };
            if let Some(doc) = merged {
                out.docs.insert(id, doc);
            }
        }
        // Two documents may not share a path: the later one keeps its own name.
        let mut seen = HashSet::new();
        for (id, (path, _)) in out.docs.iter_mut() {
            if !seen.insert(path.clone()) {
                *path = format!("pilots/p{id}-m.md");
            }
        }
        out
    }

    /// Field by field, as git merges lines: a side that did not change a
    /// field takes the other's; a conflict is resolved with our value,
    /// theirs, or one of the merge's own.
    fn merge_doc(
        &mut self,
        base: Option<&(String, Doc)>,
        ours: &(String, Doc),
        theirs: &(String, Doc),
    ) -> (String, Doc) {
        let path = match base {
            Some(b) => three_way(&mut self.rng, b.0.clone(), ours.0.clone(), theirs.0.clone()),
            None => ours.0.clone(),
        };
        let mut doc = ours.1.clone();
        let base_exec = base.map_or(ours.1.exec, |b| b.1.exec);
        doc.exec = three_way(&mut self.rng, base_exec, ours.1.exec, theirs.1.exec);
        let keys: BTreeSet<String> = ours
            .1
            .fields
            .keys()
            .chain(theirs.1.fields.keys())
            .cloned()
            .collect();
        for key in keys {
            let b = base.and_then(|b| get(&b.1, &key));
            let (o, t) = (get(&ours.1, &key), get(&theirs.1, &key));
            let value = if o == t || b == t {
                o
            } else if b == o {
                t
            } else {
                match self.rng.below(3) {
                    0 => o,
                    1 => t,
                    _ => self.value(&key, doc.id),
                }
            };
            set(&mut doc, &key, value);
        }
        for i in 0..doc.body.len() {
            let key = format!("body:{i}");
            let b = base.and_then(|b| get(&b.1, &key));
            let (o, t) = (get(&ours.1, &key), get(&theirs.1, &key));
            if b == o && o != t {
                set(&mut doc, &key, t);
            }
        }
        (path, doc)
    }

    /// Branch off the current commit (or one of its ancestors).
    fn branch(&mut self, name: String) {
        let here = self.branches[&self.current];
        let start = if self.rng.chance(30) {
            let a: Vec<usize> = ancestors(&self.commits, here).into_iter().collect();
            *self.rng.pick(&a)
        } else {
            here
        };
        self.branches.insert(name, start);
    }
}

fn three_way<T: PartialEq + Clone>(rng: &mut Rng, base: T, ours: T, theirs: T) -> T {
    if ours == theirs || base == theirs {
        ours
    } else if base == ours || rng.chance(50) {
        theirs
    } else {
        ours
    }
}

fn get(doc: &Doc, key: &str) -> Option<String> {
    match key.strip_prefix("body:") {
        Some(i) => doc.body.get(i.parse::<usize>().ok()?).cloned(),
        None => doc.fields.get(key).cloned(),
    }
}

fn set(doc: &mut Doc, key: &str, value: Option<String>) {
    if let Some(i) = key
        .strip_prefix("body:")
        .and_then(|i| i.parse::<usize>().ok())
    {
        if let (Some(line), Some(v)) = (doc.body.get_mut(i), value) {
            *line = v;
        }
        return;
    }
    match value {
        Some(v) => doc.fields.insert(key.to_string(), v),
        None => doc.fields.remove(key),
    };
}

/// Sorted, so that picking from it is the same on every run.
fn ancestors(commits: &[Commit], from: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(c) = stack.pop() {
        if seen.insert(c) {
            stack.extend(commits[c].parents.iter().copied());
        }
    }
    seen
}

fn merge_base(commits: &[Commit], a: usize, b: usize) -> Option<usize> {
    let (x, y) = (ancestors(commits, a), ancestors(commits, b));
    // The newest common ancestor (commits are created parents first).
    x.intersection(&y).copied().max()
}

/// A repository's whole story: commits on several branches, merged.
fn generate(seed: u64) -> Gen {
    let mut g = Gen::new(seed);
    let first = g.new_doc();
    let mut tree = Tree::default();
    tree.docs
        .insert(first.id, (format!("pilots/p{}.md", first.id), first));
    g.commit(Vec::new(), tree, "Start".into(), Vec::new());
    let steps = 18 + g.rng.below(14);
    for n in 0..steps {
        match g.rng.below(100) {
            0..=11 if g.branches.len() < 4 => {
                let name = format!("b{n}");
                g.branch(name.clone());
                g.current = name;
            }
            12..=23 => {
                let names: Vec<String> = g.branches.keys().cloned().collect();
                g.current = g.rng.pick(&names).clone();
            }
            24..=37 => {
                // Branches with something to merge.
                let mine = ancestors(&g.commits, g.branches[&g.current]);
                let others: Vec<String> = g
                    .branches
                    .iter()
                    .filter(|(b, h)| **b != g.current && !mine.contains(h))
                    .map(|(b, _)| b.clone())
                    .collect();
                if others.is_empty() {
                    continue;
                }
                let octopus = others.len() >= 2 && g.rng.chance(45);
                let picked: Vec<String> = if octopus {
                    others.iter().take(2).cloned().collect()
                } else {
                    vec![g.rng.pick(&others).clone()]
                };
                let ff = g.rng.chance(40);
                g.merge(&picked, ff);
            }
            _ => g.step(),
        }
    }
    g.current = "main".into();
    let others: Vec<String> = g
        .branches
        .keys()
        .filter(|b| *b != "main")
        .cloned()
        .collect();
    for other in others {
        if g.rng.chance(70) {
            let ff = g.rng.chance(30);
            g.merge(&[other], ff);
        }
    }
    g.step();
    // Something to compare: documents moved out come back in.
    let here = g.branches["main"];
    let mut tree = g.commits[here].tree.clone();
    if !tree.docs.values().any(|(p, _)| p.starts_with("pilots/")) {
        for (id, (path, _)) in tree.docs.iter_mut() {
            *path = format!("pilots/p{id}-back.md");
        }
        if tree.docs.is_empty() {
            let doc = g.new_doc();
            tree.docs
                .insert(doc.id, (format!("pilots/p{}.md", doc.id), doc));
        }
        g.commit(vec![here], tree, "Move in pilots".into(), Vec::new());
    }
    g
}

/// Write the generated commits with one `git fast-import` and check out main.
/// Write the generated history with `git fast-import`: into one pack in
/// fast-import's order when `packed`, else (few objects) loose, as git
/// leaves a small import.
fn write(g: &Gen, repo: &Case, packed: bool) {
    let mut stream = Vec::new();
    let data = |out: &mut Vec<u8>, text: &str| {
        out.extend_from_slice(format!("data {}\n", text.len()).as_bytes());
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
    };
    for (i, c) in g.commits.iter().enumerate() {
        let (name, email) = AUTHORS[c.author];
        let tz = format!(
            "{}{:02}{:02}",
            if c.offset < 0 { '-' } else { '+' },
            c.offset.abs() / 60,
            c.offset.abs() % 60
        );
        stream.extend_from_slice(
            format!(
                "commit refs/heads/import\nmark :{}\nauthor {name} <{email}> {} {tz}\ncommitter {name} <{email}> {} {tz}\n",
                i + 1,
                c.author_time,
                c.commit_time
            )
            .as_bytes(),
        );
        data(&mut stream, &c.message);
        for (k, p) in c.parents.iter().enumerate() {
            let verb = if k == 0 { "from" } else { "merge" };
            stream.extend_from_slice(format!("{verb} :{}\n", p + 1).as_bytes());
        }
        stream.extend_from_slice(b"deleteall\nM 100644 inline pilotbook.toml\n");
        data(&mut stream, "");
        stream.extend_from_slice(b"M 100644 inline notes.txt\n");
        data(&mut stream, &format!("notes {}\n", c.tree.notes));
        for (path, doc) in c.tree.docs.values() {
            let mode = if doc.exec { "100755" } else { "100644" };
            stream.extend_from_slice(format!("M {mode} inline {path}\n").as_bytes());
            data(&mut stream, &doc.render());
        }
        stream.push(b'\n');
    }
    for (branch, head) in &g.branches {
        stream.extend_from_slice(
            format!("reset refs/heads/{branch}\nfrom :{}\n\n", head + 1).as_bytes(),
        );
    }
    stream.extend_from_slice(
        b"reset refs/heads/import\nfrom 0000000000000000000000000000000000000000\n\n",
    );
    let limit = if packed {
        "fastimport.unpackLimit=0"
    } else {
        "fastimport.unpackLimit=100"
    };
    let mut child = repo
        .command(&["-c", limit, "fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&stream)
        .expect("write stream");
    assert!(child.wait().expect("fast-import").success());
    repo.git(&["checkout", "-q", "-f", "main"]);
}

// ---------------------------------------------------------------- oracle

/// Each parent's version of a document: the parent, the path there, the blob.
type Versions = Vec<(String, String, Option<String>)>;

/// The git CLI, asked one question at a time.
struct Git<'r> {
    repo: &'r Case,
    parents: HashMap<String, Vec<String>>,
    info: HashMap<String, (String, String, String, i64)>,
    generation: HashMap<String, u32>,
    cat: (ChildStdin, BufReader<ChildStdout>, Child),
    /// Each commit's files: `blob mode` by path.
    trees: HashMap<String, HashMap<String, String>>,
    facts: HashMap<String, Facts>,
    renames: HashMap<(String, String), HashMap<String, String>>,
    ancestry: HashMap<String, HashSet<String>>,
}

fn batch(repo: &Case, mode: &str) -> (ChildStdin, BufReader<ChildStdout>, Child) {
    let mut child = repo
        .command(&["cat-file", mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git cat-file");
    let stdin = child.stdin.take().expect("stdin");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    (stdin, stdout, child)
}

/// What the oracle reads from a version's front matter: the generator's
/// own simple format, read line by line.
#[derive(Clone, Default, Debug)]
struct Facts {
    scalars: BTreeMap<String, String>,
    targets: BTreeMap<String, String>,
    dues: BTreeMap<String, String>,
}

fn parse_facts(text: &str) -> Facts {
    let mut facts = Facts::default();
    let mut item: Option<String> = None;
    for line in text.lines().skip(1).take_while(|l| *l != "---") {
        if let Some((k, v)) = line.split_once(": ") {
            let v = v.trim_matches('"').to_string();
            match k {
                "status" | "owner" | "started" => {
                    facts.scalars.insert(k.to_string(), v);
                }
                "  - metric" | "  - milestone" => item = Some(v),
                "    target" => {
                    facts.targets.insert(item.clone().unwrap_or_default(), v);
                }
                "    due" => {
                    facts.dues.insert(item.clone().unwrap_or_default(), v);
                }
                _ => {}
            }
        }
    }
    facts
}

impl<'r> Git<'r> {
    fn new(repo: &'r Case) -> Git<'r> {
        let mut parents = HashMap::new();
        let mut order = Vec::new();
        for line in repo
            .git(&["rev-list", "--topo-order", "--reverse", "--parents", "HEAD"])
            .lines()
        {
            let mut ids = line.split(' ').map(str::to_string);
            let id = ids.next().expect("id");
            order.push(id.clone());
            parents.insert(id, ids.collect::<Vec<_>>());
        }
        let mut generation: HashMap<String, u32> = HashMap::new();
        for id in &order {
            let g = 1 + parents[id].iter().map(|p| generation[p]).max().unwrap_or(0);
            generation.insert(id.clone(), g);
        }
        let mut info = HashMap::new();
        for line in repo
            .git(&["log", "--format=%H%x09%an%x09%ae%x09%aI%x09%ct", "HEAD"])
            .lines()
        {
            let f: Vec<&str> = line.split('\t').collect();
            // git writes UTC as `Z`; pilotbook as `+00:00`, as for any offset.
            let date = match f[3].strip_suffix('Z') {
                Some(utc) => format!("{utc}+00:00"),
                None => f[3].to_string(),
            };
            info.insert(
                f[0].to_string(),
                (
                    f[1].to_string(),
                    f[2].to_string(),
                    date,
                    f[4].parse().expect("ct"),
                ),
            );
        }
        Git {
            repo,
            parents,
            info,
            generation,
            cat: batch(repo, "--batch"),
            trees: HashMap::new(),
            facts: HashMap::new(),
            renames: HashMap::new(),
            ancestry: HashMap::new(),
        }
    }

    /// The version at `C:PATH`, as `blob mode` (`git ls-tree -r C`): a
    /// commit that only changes the mode changes the version.
    fn blob(&mut self, commit: &str, path: &str) -> Option<String> {
        if !self.trees.contains_key(commit) {
            let mut files = HashMap::new();
            for line in self.repo.git(&["ls-tree", "-r", commit]).lines() {
                let (meta, file) = line.split_once('\t').expect("ls-tree line");
                let f: Vec<&str> = meta.split(' ').collect();
                files.insert(file.to_string(), format!("{} {}", f[2], f[0]));
            }
            self.trees.insert(commit.to_string(), files);
        }
        self.trees[commit].get(path).cloned()
    }

    /// The facts of a version's blob, from `git cat-file --batch`.
    fn facts(&mut self, version: Option<&str>) -> Facts {
        let Some(blob) = version.and_then(|v| v.split(' ').next()) else {
            return Facts::default();
        };
        if let Some(f) = self.facts.get(blob) {
            return f.clone();
        }
        writeln!(self.cat.0, "{blob}").expect("ask");
        self.cat.0.flush().expect("flush");
        let mut header = String::new();
        self.cat.1.read_line(&mut header).expect("header");
        let size: usize = header
            .trim_end()
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("size");
        let mut content = vec![0u8; size + 1];
        self.cat.1.read_exact(&mut content).expect("content");
        let facts = parse_facts(&String::from_utf8_lossy(&content[..size]));
        self.facts.insert(blob.to_string(), facts.clone());
        facts
    }

    /// `git diff-tree -M` over the whole trees: the old path of each path
    /// renamed from `parent` to `commit`, wherever it was.
    fn rename_source(&mut self, parent: &str, commit: &str, path: &str) -> Option<String> {
        let key = (parent.to_string(), commit.to_string());
        if !self.renames.contains_key(&key) {
            let out = self
                .repo
                .git(&["diff-tree", "-r", "-M", "--name-status", parent, commit]);
            let mut map = HashMap::new();
            for line in out.lines() {
                let f: Vec<&str> = line.split('\t').collect();
                if f[0].starts_with('R') {
                    map.insert(f[2].to_string(), f[1].to_string());
                }
            }
            self.renames.insert(key.clone(), map);
        }
        self.renames[&key].get(path).cloned()
    }

    /// Each parent's version of the document at `path` in `commit`:
    /// the same path, or the source of a rename where the parent lacks it.
    fn parent_versions(
        &mut self,
        commit: &str,
        path: &str,
    ) -> Vec<(String, String, Option<String>)> {
        let mine = self.blob(commit, path);
        let parents = self.parents[commit].clone();
        parents
            .into_iter()
            .map(|p| {
                let at = match self.blob(&p, path) {
                    Some(_) => path.to_string(),
                    None if mine.is_some() => self
                        .rename_source(&p, commit, path)
                        .unwrap_or_else(|| path.to_string()),
                    None => path.to_string(),
                };
                let blob = self.blob(&p, &at);
                (p, at, blob)
            })
            .collect()
    }

    /// The first parent whose version is this commit's version.
    fn same_as(&mut self, commit: &str, path: &str) -> (Option<usize>, Versions) {
        let mine = self.blob(commit, path);
        let versions = self.parent_versions(commit, path);
        let same = versions
            .iter()
            .position(|(_, at, blob)| at == path && *blob == mine);
        (same, versions)
    }

    /// The document's commits, as `git rev-list HEAD -- PATH` simplifies
    /// history, continued through renames: `(commit, path)`.
    fn commits(&mut self, head: &str, path: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(head.to_string(), path.to_string())];
        while let Some((c, p)) = stack.pop() {
            if !seen.insert((c.clone(), p.clone())) {
                continue;
            }
            let (same, versions) = self.same_as(&c, &p);
            match same {
                Some(j) => stack.push((versions[j].0.clone(), versions[j].1.clone())),
                None => {
                    if !versions.is_empty() || self.blob(&c, &p).is_some() {
                        out.push((c.clone(), p.clone()));
                    }
                    stack.extend(versions.into_iter().map(|(parent, at, _)| (parent, at)));
                }
            }
        }
        out.sort_by_key(|(c, _)| std::cmp::Reverse(self.key(c)));
        out
    }

    fn key(&self, commit: &str) -> (u32, i64, String) {
        (
            self.generation[commit],
            self.info[commit].3,
            commit.to_string(),
        )
    }

    /// The oldest commit of HEAD's first-parent chain that contains `commit`.
    fn reached_main(&mut self, chain: &[String], commit: &str) -> String {
        for m in chain.iter().rev() {
            if !self.ancestry.contains_key(m) {
                let mut seen = HashSet::new();
                let mut stack = vec![m.clone()];
                while let Some(c) = stack.pop() {
                    if seen.insert(c.clone()) {
                        stack.extend(self.parents[&c].iter().cloned());
                    }
                }
                self.ancestry.insert(m.clone(), seen);
            }
            if self.ancestry[m].contains(commit) {
                return m.clone();
            }
        }
        panic!("{commit} is not reachable from HEAD");
    }

    /// The commit that introduced `status` into `commit`'s version.
    fn blame_status(&mut self, mut commit: String, mut path: String, status: &str) -> String {
        loop {
            let (same, versions) = self.same_as(&commit, &path);
            let next = match same {
                Some(j) => Some(j),
                None => versions.iter().position(|(_, _, blob)| {
                    let blob = blob.clone();
                    self.facts(blob.as_deref())
                        .scalars
                        .get("status")
                        .map(String::as_str)
                        == Some(status)
                }),
            };
            match next {
                Some(i) => (commit, path) = (versions[i].0.clone(), versions[i].1.clone()),
                None => return commit,
            }
        }
    }

    /// Who made `commit`, when, and where it reached the main line.
    fn origin(&mut self, commit: &str, chain: &[String]) -> Value {
        let (author, _, date, _) = self.info[commit].clone();
        let main = self.reached_main(chain, commit);
        json!({"commit": commit, "date": date, "author": author, "reached_main": main})
    }

    /// The facts each of the document's commits introduced: values its
    /// version has and no parent's version has, oldest commit first.
    fn changes(
        &mut self,
        commits: &[(String, String)],
        chain: &[String],
    ) -> BTreeMap<&'static str, Vec<Value>> {
        let mut lists: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for (c, p) in commits.iter().rev() {
            let mine = self.blob(c, p);
            let mine = self.facts(mine.as_deref());
            let versions = self.parent_versions(c, p);
            let parents: Vec<Facts> = versions
                .iter()
                .map(|(_, _, b)| self.facts(b.as_deref()))
                .collect();
            let origin = self.origin(c, chain);
            for (list, key) in [
                ("owner_changes", "owner"),
                ("started_changes", "started"),
                ("target_changes", "metric"),
                ("milestone_changes", "milestone"),
            ] {
                let pick = |f: &Facts| -> BTreeMap<String, String> {
                    match key {
                        "metric" => f.targets.clone(),
                        "milestone" => f.dues.clone(),
                        _ => f
                            .scalars
                            .get(key)
                            .map(|v| (String::new(), v.clone()))
                            .into_iter()
                            .collect(),
                    }
                };
                let m = pick(&mine);
                let ps: Vec<BTreeMap<String, String>> = parents.iter().map(pick).collect();
                let names: BTreeSet<&String> =
                    m.keys().chain(ps.iter().flat_map(|x| x.keys())).collect();
                for name in names {
                    let now = m.get(name);
                    let before: Vec<Option<&String>> = ps.iter().map(|x| x.get(name)).collect();
                    let introduced = if before.is_empty() {
                        now.is_some()
                    } else {
                        before.iter().all(|b| *b != now)
                    };
                    if !introduced {
                        continue;
                    }
                    let from = before.iter().find_map(|b| *b);
                    let mut entry = origin.clone();
                    entry["from"] = json!(from);
                    entry["to"] = json!(now);
                    if !name.is_empty() {
                        entry[key] = json!(name);
                    }
                    lists.entry(list).or_default().push(entry);
                }
            }
        }
        lists
    }

    /// The main line's statuses, oldest first: each change blamed on the
    /// commit that introduced the new status.
    fn timeline(&mut self, head: &str, path: &str, chain: &[String]) -> Vec<Value> {
        let mut at = (head.to_string(), path.to_string());
        let mut steps = Vec::new();
        loop {
            let blob = self.blob(&at.0, &at.1);
            let status = self.facts(blob.as_deref()).scalars.get("status").cloned();
            steps.push((at.0.clone(), at.1.clone(), status));
            match self.parent_versions(&at.0, &at.1).into_iter().next() {
                Some((parent, p, _)) => at = (parent, p),
                None => break,
            }
        }
        let mut timeline = Vec::new();
        let mut previous: Option<String> = None;
        for (c, p, status) in steps.into_iter().rev() {
            let Some(status) = status else { continue };
            if previous.as_ref() != Some(&status) {
                let introduced_by = self.blame_status(c.clone(), p, &status);
                let mut entry = self.origin(&introduced_by, chain);
                entry["from"] = json!(previous);
                entry["to"] = json!(status);
                entry["reached_main"] = json!(c);
                timeline.push(entry);
            }
            previous = Some(status);
        }
        timeline
    }

    /// Authors of `ids` (newest first): by email whatever its case, named
    /// as on their newest commit, most commits first.
    fn authors(&self, ids: &[&String]) -> Vec<Value> {
        let mut authors: Vec<(String, String, u32)> = Vec::new();
        for c in ids {
            let (name, email, _, _) = &self.info[*c];
            match authors.iter_mut().find(|a| a.1.eq_ignore_ascii_case(email)) {
                Some(a) => a.2 += 1,
                None => authors.push((name.clone(), email.clone(), 1)),
            }
        }
        authors.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        authors
            .iter()
            .map(|(n, e, c)| json!({"name": n, "email": e, "commits": c}))
            .collect()
    }

    /// What pilotbook's export must say about the document at `path`.
    fn expected(&mut self, head: &str, path: &str, chain: &[String]) -> Value {
        let commits = self.commits(head, path);
        let mut lists = self.changes(&commits, chain);
        let slips: Vec<Value> = lists
            .get("milestone_changes")
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let (from, to) = (c["from"].as_str()?, c["to"].as_str()?);
                let mut slip = c.clone();
                slip["days"] = json!(days(to) - days(from));
                (to > from).then_some(slip)
            })
            .collect();
        let ids: Vec<&String> = commits.iter().map(|(c, _)| c).collect();
        let mut renamed_from: Vec<&String> = Vec::new();
        for (_, p) in &commits {
            if p != path && !renamed_from.contains(&p) {
                renamed_from.push(p);
            }
        }
        json!({
            "commits": ids,
            "created": ids.last().map(|c| self.info[*c].2.clone()),
            "updated": ids.first().map(|c| self.info[*c].2.clone()),
            "authors": self.authors(&ids),
            "renamed_from": renamed_from,
            "status_changes": self.timeline(head, path, chain),
            "target_changes": lists.remove("target_changes").unwrap_or_default(),
            "milestone_changes": lists.remove("milestone_changes").unwrap_or_default(),
            "milestone_slips": slips,
            "owner_changes": lists.remove("owner_changes").unwrap_or_default(),
            "started_changes": lists.remove("started_changes").unwrap_or_default(),
        })
    }
}

/// Days since a fixed point, for the generator's 2026 dates.
fn days(date: &str) -> i64 {
    let part =
        |r: std::ops::Range<usize>| date.get(r).and_then(|p| p.parse::<i64>().ok()).unwrap_or(0);
    let month_days = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    part(0..4) * 365 + month_days[(part(5..7) - 1).clamp(0, 11) as usize] + part(8..10)
}

/// The export's history, in the oracle's shape (`reached_main` as the
/// commit id alone, commits as ids).
fn actual(history: &Value) -> Value {
    let mut out = json!({});
    for key in ["created", "updated", "authors", "renamed_from"] {
        out[key] = history[key].clone();
    }
    out["commits"] = json!(
        history["commits"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["id"].clone())
            .collect::<Vec<_>>()
    );
    for key in [
        "status_changes",
        "target_changes",
        "milestone_changes",
        "milestone_slips",
        "owner_changes",
        "started_changes",
    ] {
        let list: Vec<Value> = history[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let mut c = c.clone();
                c["reached_main"] = c["reached_main"]["commit"].clone();
                c
            })
            .collect();
        out[key] = json!(list);
    }
    out
}

/// Generate, export, and compare every pilot with the oracle's answer.
fn check_seed(seed: u64) -> usize {
    let g = generate(seed);
    let repo = Case::new();
    // The seeds that also try commit-graphs and packs start from a pack.
    write(&g, &repo, seed.is_multiple_of(2));
    let model = support::pilotbook_json(&repo.root, &["export", "--no-cache"], 0);
    let mut git = Git::new(&repo);
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let chain: Vec<String> = repo
        .git(&["rev-list", "--first-parent", "HEAD"])
        .lines()
        .map(str::to_string)
        .collect();
    let pilots = model["pilots"].as_array().expect("pilots");
    assert!(!pilots.is_empty(), "seed {seed}: no pilots");
    for pilot in pilots {
        let path = pilot["path"].as_str().expect("path");
        let expected = git.expected(&head, path, &chain);
        let got = actual(&pilot["history"]);
        if got != expected {
            if std::env::var_os("PILOTBOOK_ORACLE_KEEP").is_some() {
                let kept = std::env::temp_dir().join(format!("pilotbook-oracle-{seed}"));
                let _ = std::fs::remove_dir_all(&kept);
                let copied = std::process::Command::new("cp")
                    .arg("-r")
                    .arg(&repo.root)
                    .arg(&kept)
                    .status();
                eprintln!("kept the repository: {} ({copied:?})", kept.display());
            }
            for key in expected.as_object().expect("object").keys() {
                assert_eq!(
                    got[key], expected[key],
                    "seed {seed}, {path}: `{key}` differs from the git CLI's answer"
                );
            }
        }
        if expected["renamed_from"]
            .as_array()
            .is_some_and(Vec::is_empty)
        {
            // Never renamed: exactly the commits git's own simplification lists.
            let listed: BTreeSet<String> = repo
                .git(&["rev-list", "HEAD", "--", path])
                .lines()
                .map(str::to_string)
                .collect();
            let ours: BTreeSet<String> = expected["commits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
            assert_eq!(ours, listed, "seed {seed}, {path}: git rev-list -- PATH");
        }
    }
    // The cache is invisible: cold, filled and warm exports are the same.
    if seed.is_multiple_of(5) {
        let cold = support::pilotbook(&repo.root, &["export", "--no-cache"]);
        let fill = support::pilotbook(&repo.root, &["export"]);
        let warm = support::pilotbook(&repo.root, &["export"]);
        assert_eq!(cold.stdout, fill.stdout, "seed {seed}: cache filled");
        assert_eq!(cold.stdout, warm.stdout, "seed {seed}: cache warm");
    }
    if seed.is_multiple_of(2) {
        commit_graphs_are_invisible(seed, &repo);
    }
    pilots.len()
}

/// git's commit-graph changes how history is read (parents without
/// inflating commits, Bloom filters skipping commits that touch no kind's
/// folder), never what it says: with one graph file, a split chain of two
/// layers, a graph that misses HEAD, and a damaged one, the export is the
/// one read without any. So does a pack in git's own order, whose leading
/// commits a cold walk reads on every thread, and one in fast-import's,
/// whose commits sit between their blobs and trees.
fn commit_graphs_are_invisible(seed: u64, repo: &Case) {
    let export = || support::pilotbook(&repo.root, &["export", "--no-cache"]).stdout;
    let info = repo.root.join(".git/objects/info");
    let without = export();
    // The generator writes with `git fast-import`: each commit follows its
    // blobs and trees in the pack, where the scan finds it.
    let verbose = support::pilotbook(&repo.root, &["-v", "export", "--no-cache"]);
    let said = String::from_utf8_lossy(&verbose.stderr);
    assert!(
        said.contains("commits in pack order on every thread"),
        "seed {seed}: the fast-import pack's commits were read: {said}"
    );
    assert!(
        without == verbose.stdout,
        "seed {seed}: verbose is the same"
    );
    repo.git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
    assert!(info.join("commit-graph").is_file(), "seed {seed}: a graph");
    assert!(without == export(), "seed {seed}: one commit-graph file");
    let verbose = support::pilotbook(&repo.root, &["-v", "export", "--no-cache"]);
    let said = String::from_utf8_lossy(&verbose.stderr);
    assert!(
        said.contains("from git's commit-graph; its changed-path filters spared the trees of"),
        "seed {seed}: the graph was read: {said}"
    );

    // A commit the graph does not have yet: HEAD is missing from it.
    repo.write("notes/after-graph.txt", "after\n");
    repo.commit("After the graph", support::LEE, "2026-09-01T10:00:00+00:00");
    std::fs::remove_file(info.join("commit-graph")).expect("rm graph");
    repo.git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
    repo.write("notes/after-graph.txt", "after, again\n");
    repo.commit(
        "After the graph, again",
        support::DANA,
        "2026-09-02T10:00:00+00:00",
    );
    let stale = export();
    std::fs::remove_file(info.join("commit-graph")).expect("rm graph");
    assert!(stale == export(), "seed {seed}: a graph without HEAD");

    // A chain of two layers: all but HEAD, then HEAD on top.
    let without = export();
    let mut base = repo
        .command(&[
            "commit-graph",
            "write",
            "--split",
            "--changed-paths",
            "--stdin-commits",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("git commit-graph");
    let parent = repo.git(&["rev-parse", "HEAD~1"]);
    base.stdin
        .take()
        .expect("stdin")
        .write_all(parent.as_bytes())
        .expect("write");
    assert!(base.wait().expect("wait").success());
    repo.git(&[
        "commit-graph",
        "write",
        "--split=no-merge",
        "--reachable",
        "--changed-paths",
    ]);
    let chain =
        std::fs::read_to_string(info.join("commit-graphs/commit-graph-chain")).expect("a chain");
    assert_eq!(chain.lines().count(), 2, "seed {seed}: two layers");
    assert!(without == export(), "seed {seed}: a split chain");

    // A damaged graph is not read.
    let graphs = info.join("commit-graphs");
    for entry in std::fs::read_dir(&graphs).expect("layers").flatten() {
        if entry.path().extension().is_some_and(|e| e == "graph") {
            let bytes = std::fs::read(entry.path()).expect("read layer");
            let mut perm = std::fs::metadata(entry.path()).expect("meta").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            std::fs::set_permissions(entry.path(), perm).expect("chmod");
            std::fs::write(entry.path(), &bytes[..bytes.len() / 3]).expect("truncate");
        }
    }
    assert!(without == export(), "seed {seed}: a damaged chain");
    std::fs::remove_dir_all(graphs).expect("rm chain");

    // One pack in git's order, commits first, as a clone has it: the cold
    // walk reads them from its start on every thread.
    repo.git(&["repack", "-adfq"]);
    let verbose = support::pilotbook(&repo.root, &["-v", "export", "--no-cache"]);
    let said = String::from_utf8_lossy(&verbose.stderr);
    assert!(
        said.contains("commits in pack order on every thread"),
        "seed {seed}: the pack's commits were read: {said}"
    );
    assert!(
        without == verbose.stdout,
        "seed {seed}: a repacked repository"
    );
    // Both: the graph orders the commits, the pack's start holds them.
    repo.git(&["commit-graph", "write", "--reachable", "--changed-paths"]);
    let verbose = support::pilotbook(&repo.root, &["-v", "export", "--no-cache"]);
    let said = String::from_utf8_lossy(&verbose.stderr);
    assert!(
        said.contains("in pack order") && said.contains("commit-graph"),
        "seed {seed}: graph and pack scan: {said}"
    );
    assert!(without == verbose.stdout, "seed {seed}: graph and repacked");
}

#[test]
fn facts_agree_with_the_git_cli_on_random_histories() {
    let repos: u64 = std::env::var("PILOTBOOK_ORACLE_REPOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let first: u64 = std::env::var("PILOTBOOK_ORACLE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let next = std::sync::atomic::AtomicU64::new(first);
    let documents = std::sync::atomic::AtomicUsize::new(0);
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let seed = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if seed >= first + repos {
                        break;
                    }
                    let n = check_seed(seed);
                    documents.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    eprintln!(
        "history oracle: {repos} repositories (seeds {first}..{}), {} documents, all agree with the git CLI, in {:.1} s",
        first + repos - 1,
        documents.into_inner(),
        started.elapsed().as_secs_f64()
    );
}

/// The generator makes what it claims to: over the default seeds there are
/// merges of every kind, renames, reverts, cherry-picks, deletions and
/// clocks running backwards.
#[test]
fn the_generator_covers_every_kind_of_history() {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 1..=50 {
        let g = generate(seed);
        for c in &g.commits {
            let kind = match c.parents.len() {
                0 => "root",
                1 if c.message.starts_with("Rename and edit") => "rename with edits",
                1 if c.message.starts_with("Rename") => "rename",
                1 if c.message.starts_with("Chmod") => "mode only",
                1 if c.message.starts_with("Move out") => "move out of the glob",
                1 if c.message.starts_with("Move in") => "move into the glob",
                1 if c.message.starts_with("Move to a folder") => "into a folder",
                1 if c.message.starts_with("Copy") => "copy",
                1 if c.message.starts_with("Revert") => "revert",
                1 if c.message.starts_with("Cherry") => "cherry-pick",
                1 if c.message.starts_with("Delete") => "delete",
                1 if c.message.starts_with("Restore") => "restore",
                1 => "edit",
                2 => "merge",
                _ => "octopus",
            };
            *seen.entry(kind).or_default() += 1;
            if c.parents
                .iter()
                .any(|p| g.commits[*p].author_time > c.author_time)
            {
                *seen.entry("clock skew").or_default() += 1;
            }
            if c.parents.len() > 1 {
                let parents: Vec<&Tree> = c.parents.iter().map(|p| &g.commits[*p].tree).collect();
                if parents.iter().all(|t| **t != c.tree) {
                    *seen.entry("merge unlike every parent").or_default() += 1;
                }
            }
        }
        *seen.entry("fast-forward").or_default() += g.fast_forwards;
    }
    for kind in [
        "merge",
        "octopus",
        "rename",
        "rename with edits",
        "mode only",
        "move out of the glob",
        "move into the glob",
        "into a folder",
        "copy",
        "revert",
        "cherry-pick",
        "delete",
        "restore",
        "clock skew",
        "merge unlike every parent",
        "fast-forward",
    ] {
        assert!(
            seen.get(kind).copied().unwrap_or(0) >= 3,
            "{kind}: {seen:?}"
        );
    }
    if std::env::var_os("PILOTBOOK_ORACLE_COUNTS").is_some() {
        eprintln!("{seen:?}");
    }
}
