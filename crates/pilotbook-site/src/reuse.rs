//! Pages as units: what each entity page reads, hashed, and the one rule
//! by which a page is kept instead of rendered again. `build` keeps a page
//! of its output folder (the last build's hashes are in its stamp, see
//! [`crate::stamp`]); `serve` keeps a page of the site in memory (the
//! hashes are on the [`crate::Site`]). Both ask [`PageInputs::unchanged`].
//!
//! A page reads what every page reads ([`global`]: pilotbook and its
//! templates, the config, the options, which kinds the navigation names,
//! the findings about no one document), its entity's own inputs ([`own`]:
//! its page's path, the document's path and text, its history, its
//! findings), those of every entity it links to or is linked from (a page
//! shows its neighbours' titles, statuses, owners and targets, and links
//! to their pages), and what its relative links lead to: a document's
//! page (by its path), a file the site carries (carried whether the page
//! is rendered or kept), or the forge at the built commit. A document added or removed thus renders
//! again only the pages it touches, as an edit does.

use crate::views;
use pilotbook_core::config::Config;
use pilotbook_core::diagnostics::{Diagnostic, Report};
use pilotbook_core::history::{
    CommitInfo, DocumentHistory, FieldChange, History, MilestoneChange, MilestoneSlip,
    StatusChange, TargetChange,
};
use pilotbook_core::model::{Date, Portfolio};
use std::collections::{BTreeMap, HashSet};

/// Bumped whenever what a page's hash covers changes.
const FORMAT: u32 = 1;

/// Everything a site is made from, but for the linked files.
pub(crate) struct What<'a> {
    pub config: &'a Config,
    pub portfolio: &'a Portfolio,
    pub history: &'a History,
    pub report: &'a Report,
    pub overrides: &'a [Option<String>],
    pub base_url: Option<&'a str>,
    pub today: Date,
}

/// The inputs of every entity page that may be kept, hashed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageInputs {
    /// What every page reads (hex).
    pub(crate) global: String,
    /// Each entity page's inputs, by site path (hex). A site path two
    /// entities would share is left out, so never kept.
    pub(crate) pages: BTreeMap<String, String>,
}

impl PageInputs {
    /// Hash each entity page's inputs. `global` and `own` are [`global`]
    /// and [`own`] of the same inputs (a build has them already); the
    /// files a page's links carry are read through `inputs` (and so are
    /// carried by the site whether the page is rendered or kept).
    pub(crate) fn of(
        inputs: &views::Inputs,
        global: &blake3::Hash,
        own: &[blake3::Hash],
    ) -> PageInputs {
        use rayon::prelude::*;
        let _phase = tracing::info_span!("page inputs").entered();
        let portfolio = inputs.portfolio;
        let hashed: Vec<(String, String)> = (portfolio.entities.par_iter().enumerate())
            .map(|(i, e)| {
                let mut near: Vec<usize> = e
                    .references
                    .iter()
                    .filter_map(|r| portfolio.position(&r.target))
                    .chain(e.referenced_by.iter().map(|b| b.source))
                    .chain(e.dependents.iter().copied())
                    .collect();
                near.sort_unstable();
                near.dedup();
                let mut h = Hashing(blake3::Hasher::new());
                h.part(global.as_bytes());
                h.part(own[i].as_bytes());
                for n in near {
                    h.part(own[n].as_bytes());
                }
                if let Some(doc) = &e.document {
                    inputs.hash_link_targets(&doc.path, doc.parsed.body(), &mut h);
                }
                (inputs.href(e), h.0.finalize().to_hex().to_string())
            })
            .collect();
        // A path two entities would share is never kept.
        let mut pages = BTreeMap::new();
        let mut shared = HashSet::new();
        for (path, hash) in hashed {
            if pages.contains_key(&path) || !shared.insert(path.clone()) {
                pages.remove(&path);
                continue;
            }
            pages.insert(path, hash);
        }
        PageInputs {
            global: global.to_hex().to_string(),
            pages,
        }
    }

    /// The pages whose inputs are the ones they had in `previous`: none
    /// when what every page reads changed.
    pub(crate) fn unchanged(&self, previous: &PageInputs) -> HashSet<String> {
        if self.global != previous.global {
            return HashSet::new();
        }
        self.pages
            .iter()
            .filter(|(path, hash)| previous.pages.get(*path) == Some(hash))
            .map(|(path, _)| path.clone())
            .collect()
    }
}

/// What every page reads: pilotbook, its templates, the config, the
/// build's options, which kinds have entities and whether a pilot is
/// defined (the navigation names those), whether history could be read,
/// and the findings not about one document.
pub(crate) fn global(what: &What) -> blake3::Hash {
    let _phase = tracing::info_span!("global inputs").entered();
    let mut h = Hashing(blake3::Hasher::new());
    h.part(format!("pilotbook {} pages {FORMAT}", env!("CARGO_PKG_VERSION")).as_bytes());
    for (name, text) in super::templates::TEMPLATES
        .iter()
        .chain(super::templates::ASSETS)
    {
        h.part(name.as_bytes());
        h.part(text.as_bytes());
    }
    for text in what.overrides {
        h.part(text.as_deref().unwrap_or("\u{0}builtin").as_bytes());
    }
    h.debug(what.config);
    h.debug(&(what.base_url, what.today));
    // The navigation names each kind that has entities, and the pilots
    // when one is defined; which entities exist is each page's own
    // concern (its neighbours, its links' targets).
    let portfolio = what.portfolio;
    for kind in 0..what.config.kinds.len() {
        h.debug(&portfolio.of_kind(kind).is_empty());
    }
    h.debug(
        &portfolio
            .entities
            .iter()
            .any(|e| e.pilot.is_some() && e.defined()),
    );
    let documents: std::collections::HashSet<&str> = (portfolio.entities.iter())
        .filter_map(|e| Some(e.document.as_ref()?.path.as_str()))
        .collect();
    let History {
        unavailable,
        root_prefix,
        // Each page's own (the head: only pages with links read it).
        head: _,
        documents: _,
        // How the history was read, not what it is.
        notes: _,
        cache_file: _,
        // Every page shows the source of its pilots and links there.
        sources,
    } = what.history;
    h.debug(&(unavailable, root_prefix, sources));
    for d in &what.report.diagnostics {
        if !documents.contains(d.path.as_str()) {
            h.debug(d);
        }
    }
    h.0.finalize()
}

/// Each entity's own inputs, by index: its kind, id and page path (where
/// its neighbours' pages link to), its document's path and text (by
/// [`ParsedDocument::digest`](pilotbook_core::parse::ParsedDocument::digest);
/// and front matter, when some of it is borrowed from a sidecar file),
/// its history and its findings.
pub(crate) fn own(what: &What) -> Vec<blake3::Hash> {
    let _phase = tracing::info_span!("own inputs").entered();
    use rayon::prelude::*;
    let mut findings: std::collections::HashMap<&str, Vec<&Diagnostic>> = Default::default();
    for d in &what.report.diagnostics {
        findings.entry(d.path.as_str()).or_default().push(d);
    }
    what.portfolio
        .entities
        .par_iter()
        .map(|e| {
            let mut h = Hashing(blake3::Hasher::new());
            // Its page's path: where its neighbours' pages link to.
            h.debug(&(e.kind, &e.id));
            h.part(pilotbook_core::pages::page_path(what.config, e).as_bytes());
            if let Some(d) = &e.document {
                h.part(d.path.as_bytes());
                h.part(d.parsed.digest());
                if d.parsed.borrowed.is_some() {
                    h.debug(&d.parsed.front_matter);
                }
                match what.history.documents.get(&d.path) {
                    Some(history) => h.document(history),
                    None => h.part(b"\0no history"),
                }
                h.debug(&findings.get(d.path.as_str()));
            }
            h.0.finalize()
        })
        .collect()
}

/// A hasher that frames each part with its length, so that parts cannot
/// run into each other.
pub(crate) struct Hashing(pub(crate) blake3::Hasher);

impl Hashing {
    pub(crate) fn part(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// A value by its `Debug` text, streamed into the hash (the model has
    /// no hash maps, so the text is the same for the same value).
    pub(crate) fn debug(&mut self, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        // Formatting writes many small pieces; the hasher takes them in
        // one piece (an update per piece cost most of the time at 1,000
        // documents). The buffer is kept per thread.
        thread_local! {
            static TEXT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        TEXT.with_borrow_mut(|text| {
            text.clear();
            let _ = write!(text, "{value:?}");
            self.0.update(text.as_bytes());
            if text.capacity() > 1 << 20 {
                *text = String::new();
            }
        });
        self.0.update(b"\0");
    }
}

/// A document's history, by what determines it. A commit is its id: git names a
/// commit by the hash of its content, and [`CommitInfo`] is read from that
/// content alone, so the id stands for the date, author and summary (at
/// 10,000 pilots, formatting every commit of every document took most of
/// the stamp's time). Each struct is taken apart field by field, without
/// `..`, so that a field added to the history fails to compile here
/// until it is hashed (or said not to matter).
impl Hashing {
    pub(crate) fn document(&mut self, document: &DocumentHistory) {
        let DocumentHistory {
            state,
            commits,
            authors,
            renamed_from,
            status_changes,
            target_changes,
            actual_changes,
            milestone_changes,
            milestone_slips,
            owner_changes,
            started_changes,
        } = document;
        self.debug(&(state, authors, renamed_from));
        for commit in commits {
            self.commit(commit);
        }
        for StatusChange {
            from,
            to,
            commit,
            reached_main,
        } in status_changes
        {
            self.change(&(from, to), commit, reached_main);
        }
        for list in [target_changes, actual_changes] {
            for TargetChange {
                metric,
                from,
                to,
                commit,
                reached_main,
            } in list
            {
                self.change(&(metric, from, to), commit, reached_main);
            }
        }
        for MilestoneChange {
            milestone,
            from,
            to,
            commit,
            reached_main,
        } in milestone_changes
        {
            self.change(&(milestone, from, to), commit, reached_main);
        }
        for MilestoneSlip {
            milestone,
            from,
            to,
            commit,
            reached_main,
        } in milestone_slips
        {
            self.change(&(milestone, from, to), commit, reached_main);
        }
        for list in [owner_changes, started_changes] {
            for FieldChange {
                from,
                to,
                commit,
                reached_main,
            } in list
            {
                self.change(&(from, to), commit, reached_main);
            }
        }
    }

    fn change(&mut self, what: &dyn std::fmt::Debug, commit: &CommitInfo, reached: &CommitInfo) {
        self.debug(what);
        self.commit(commit);
        self.commit(reached);
    }

    pub(crate) fn commit(&mut self, commit: &CommitInfo) {
        self.part(commit.id.as_bytes());
    }
}
