//! pilotbook-project: the pipeline over one repository: discover → parse →
//! link → history → validate, and [`diff`], the same pipeline run on two
//! revisions and compared.
//!
//! [`pipeline`] (in [`source`]) loads a project from a [`Source`]: the
//! working tree, a revision (`--rev`) or serve's overlay; [`Project::load`]
//! picks the first two for the commands. [`Project::check`] runs the rules
//! and the acceptances and returns the finished [`Report`]. `check` is the
//! same load with no output, as in Zola: whatever `build` or `serve`
//! renders has been through exactly this path.
//!
//! This crate decides nothing about documents itself: it reads files, asks
//! `pilotbook-history` for the history and `pilotbook_core` for every
//! judgement, and owns the errors that stop a run (exit 2). It must not
//! render a site or print anything.

mod borrowed;
pub mod diff;
mod imported;
pub mod source;
pub mod sources;

pub use source::{Overlay, ParseCache, Source, Unsaved, WorkingTree, pipeline};

use pilotbook_core::config::{CONFIG_FILE, Config, ConfigError};
use pilotbook_core::derive::Derived;
use pilotbook_core::diagnostics::accept::{self, Baseline, BaselineError};
use pilotbook_core::diagnostics::{Diagnostic, Report, SeverityOverrides};
use pilotbook_core::discover::{self, Skipped};
use pilotbook_core::history::{DocumentState, History};
use pilotbook_core::model::{self, Acceptance, Date, Portfolio};
use pilotbook_core::parse::ParsedDocument;
use pilotbook_core::rules::{Rule, Severity};
use pilotbook_core::source::Position;
use pilotbook_history::{self as history, HistoryError};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A parsed document with its kind (an index into the config's kinds) and
/// its root-relative path.
pub type Parsed = (usize, String, Arc<ParsedDocument>);

/// Why pilotbook cannot run at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `pilotbook.toml` is unreadable or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The root folder is missing or not a folder.
    #[error("{}: not a folder pilotbook can read: {source}", path.display())]
    Root {
        /// The root given.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A revision that was asked for cannot be read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A path given on the command line is not in the repository.
    #[error("{path}: no such file or folder in the repository")]
    NoSuchPath {
        /// The path as given.
        path: String,
    },
    /// A `[[sources]]` entry cannot be read.
    #[error("source `{name}`: {message}")]
    Source {
        /// The source's name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// An export source's file is not an export this pilotbook reads.
    #[error(transparent)]
    Import(#[from] pilotbook_core::import::ImportError),
    /// The baseline `[check] baseline` names cannot be read.
    #[error(
        "cannot read the baseline {path} that pilotbook.toml names ([check] baseline): {why}; write it with `pilotbook check --write-baseline {path}`"
    )]
    NoBaseline {
        /// The baseline, root-relative.
        path: String,
        /// Why.
        why: String,
    },
    /// The baseline is not one pilotbook reads.
    #[error(transparent)]
    Baseline(#[from] BaselineError),
}

/// What to load and how.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Read documents, config and history from this revision instead of
    /// the working tree.
    pub rev: Option<String>,
    /// Read git history at all.
    pub history: bool,
    /// Use the history cache.
    pub cache: bool,
    /// Keep the history cache here instead of the git folder.
    pub cache_dir: Option<PathBuf>,
    /// `--require-full-history`: history that is unavailable or does not
    /// cover a document is an error, not a warning.
    pub require_full_history: bool,
    /// Told `(commits walked, commits to walk)` while history is read.
    pub progress: Option<pilotbook_core::progress::Progress>,
    /// Read the baseline `[check] baseline` names (not when writing one).
    pub baseline: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            rev: None,
            history: true,
            cache: true,
            cache_dir: None,
            require_full_history: false,
            progress: None,
            baseline: true,
        }
    }
}

/// What `check --changed-since` checks, and why.
#[derive(Debug, Clone, Default)]
pub struct ChangedScope {
    /// The commit compared with (for a branch, its merge base with HEAD).
    pub base: String,
    /// Why every document is checked, when something global changed
    /// (`pilotbook.toml`, a template, the baseline).
    pub full: Option<String>,
    /// The documents changed since `base`: edited, added, touched by a
    /// commit since, deleted or renamed away.
    pub changed: Vec<String>,
    /// Every document checked: the changed ones, those that refer to them
    /// now or referred to them at `base`, and any whose findings differ
    /// from `base`'s.
    pub documents: Vec<String>,
}

/// Reads a repository file by its root-relative path (see
/// [`Project::file_reader`]).
pub type FileReader = std::sync::Arc<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

/// A loaded repository: its config, linked portfolio and history.
#[derive(Debug)]
pub struct Project {
    /// The pilotbook root.
    pub root: PathBuf,
    /// The resolved config.
    pub config: Config,
    /// The linked model.
    pub portfolio: Portfolio,
    /// What discovery passed over.
    pub skipped: Vec<Skipped>,
    /// The documents' git history.
    pub history: History,
    /// Findings of parsing, typing and linking.
    findings: Vec<Diagnostic>,
    /// Entity index by document path.
    by_path: HashMap<String, usize>,
    /// `--require-full-history`.
    require_full_history: bool,
    /// The baseline `[check] baseline` names, read.
    baseline: Option<Baseline>,
    /// The revision loaded (`--rev`), or `None` for the working tree.
    revision: Option<String>,
    /// The `[[sources]]` read, in the config's order.
    sources: Vec<Arc<sources::SourceTree>>,
}

impl Project {
    /// Load the repository at `root`: its working tree, or with
    /// `options.rev` that revision, through the one [`pipeline`].
    pub fn load(
        root: &Path,
        config_path: Option<&Path>,
        options: &LoadOptions,
    ) -> Result<Project, Error> {
        match &options.rev {
            None => pipeline(&WorkingTree::open(root)?, config_path, options),
            Some(rev) => {
                let mut project =
                    pipeline(&source::Revision::open(root, rev)?, config_path, options)?;
                project.revision = Some(rev.clone());
                Ok(project)
            }
        }
    }

    /// Reads the files the documents link to (images, PDFs) from where the
    /// documents came from (the working tree, or the `--rev` revision),
    /// confined to the repository and at most `[limits] max_file_bytes`;
    /// `None` for a file that cannot or may not be read.
    pub fn file_reader(&self) -> Result<FileReader, Error> {
        use source::Source;
        let cap = self.config.limits.max_file_bytes;
        let own: FileReader = match &self.revision {
            None => {
                let tree = WorkingTree::open(&self.root)?;
                std::sync::Arc::new(move |rel: &str| tree.read(rel, cap).ok())
            }
            Some(rev) => {
                let tree = source::Revision::open(&self.root, rev)?;
                std::sync::Arc::new(move |rel: &str| tree.read(rel, cap).ok())
            }
        };
        if self.sources.is_empty() {
            return Ok(own);
        }
        // A source's files come from its own tree, confined to its root.
        let sources = self.sources.clone();
        Ok(std::sync::Arc::new(move |path: &str| {
            if model::split_qualified(path).0.is_none() {
                return own(path);
            }
            let (tree, rel) = sources::find(&sources, path)?;
            tree.tree.as_ref()?.read(rel, cap).ok()
        }))
    }

    /// Link documents already parsed; the history and the baseline are
    /// the pipeline's to add. `parsed` is `(kind, path, document)` sorted
    /// by path, as discovery returns it.
    fn from_parsed(
        root: &Path,
        config: Config,
        parsed: Vec<Parsed>,
        skipped: Vec<Skipped>,
    ) -> Project {
        let mut fs_findings = file_system_findings(&parsed, &skipped);
        let (portfolio, mut findings) = model::build(&config, parsed);
        findings.append(&mut fs_findings);
        let by_path: HashMap<String, usize> = portfolio
            .entities
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.document.as_ref().map(|d| (d.path.clone(), i)))
            .collect();
        Project {
            root: root.to_path_buf(),
            config,
            portfolio,
            skipped,
            history: History::default(),
            findings,
            by_path,
            require_full_history: false,
            baseline: None,
            revision: None,
            sources: Vec::new(),
        }
    }

    /// The source a qualified path comes from, with the path relative to
    /// that source's pilotbook root; `None` for this repository's own
    /// paths (and for a path outside the source's root).
    pub fn source_tree<'p>(&self, path: &'p str) -> Option<(&sources::SourceTree, &'p str)> {
        sources::find(&self.sources, path)
    }

    /// The root-relative paths of every document, sorted.
    pub fn document_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.by_path.keys().cloned().collect();
        paths.sort();
        paths
    }

    /// What `check --changed-since rev` checks (see [`ChangedScope`]):
    /// everything when a global file changed; else the documents changed
    /// since `rev` (for a branch, its merge base with HEAD), every document
    /// that refers to one of them now or referred to one at `rev` (deleted
    /// and renamed ones included), and every document whose findings
    /// differ from those it had at `rev` — so that nothing a full check of
    /// this tree reports as new is left out. `config_path` is `--config`.
    pub fn changed_since(
        &self,
        rev: &str,
        config_path: Option<&Path>,
        today: Date,
    ) -> Result<ChangedScope, Error> {
        let base = history::merge_base(&self.root, rev)?;
        let mut global = vec![CONFIG_FILE.to_string(), "templates".to_string()];
        global.extend(self.config.check.baseline.clone());
        // An export source's file is its documents, all at once. (A
        // checkout source is another repository: its changes are not
        // this repository's, and it is read as it is on both sides.)
        global.extend(self.config.sources.iter().filter_map(|s| match &s.origin {
            pilotbook_core::config::SourceOrigin::Export { file } => Some(file.clone()),
            pilotbook_core::config::SourceOrigin::Checkout { .. } => None,
        }));
        let global_changed = history::changed_files(&self.root, &base, &global)?;
        let all = self.document_paths();
        if let Some(file) = global_changed.first() {
            return Ok(ChangedScope {
                base,
                full: Some(format!("{file} changed since {rev}")),
                changed: Vec::new(),
                documents: all,
            });
        }
        let then = Project::load(
            &self.root,
            config_path,
            &LoadOptions {
                rev: Some(base.clone()),
                history: false,
                cache: false,
                baseline: false,
                ..LoadOptions::default()
            },
        )?;
        let mut paths: BTreeSet<String> = all.iter().cloned().collect();
        paths.extend(then.document_paths());
        let paths: Vec<String> = paths.into_iter().collect();
        let mut changed = history::changed_files(&self.root, &base, &paths)?;
        let since = history::commits_since(&self.root, &base)?;
        for (path, h) in &self.history.documents {
            if h.commits.iter().any(|c| since.contains(&c.id)) {
                changed.insert(path.clone());
            }
        }
        let mut selected: BTreeSet<String> = BTreeSet::new();
        for path in &changed {
            for project in [self, &then] {
                let Some(&i) = project.by_path.get(path) else {
                    continue;
                };
                let e = &project.portfolio.entities[i];
                self.select_around(e.kind, &e.id, &mut selected);
                then.referrers(e.kind, &e.id, &mut selected);
            }
        }
        selected.extend(self.findings_changed(&then, today));
        selected.extend(changed.iter().cloned());
        selected.retain(|p| self.by_path.contains_key(p));
        Ok(ChangedScope {
            base,
            full: None,
            changed: changed.into_iter().collect(),
            documents: selected.into_iter().collect(),
        })
    }

    /// Add the documents that refer to the entity `(kind, id)`, and those
    /// that share its id.
    fn select_around(&self, kind: usize, id: &str, out: &mut BTreeSet<String>) {
        self.referrers(kind, id, out);
        let same = model::EntityRef {
            kind,
            id: id.to_string(),
        };
        if let Some(start) = self.portfolio.position(&same) {
            let twins = self.portfolio.entities[start..]
                .iter()
                .take_while(|e| e.kind == kind && e.id == id)
                .filter_map(|e| e.document.as_ref());
            out.extend(twins.map(|d| d.path.clone()));
        }
    }

    /// Add the paths of the documents that refer to `(kind, id)`.
    fn referrers(&self, kind: usize, id: &str, out: &mut BTreeSet<String>) {
        let target = model::EntityRef {
            kind,
            id: id.to_string(),
        };
        let Some(i) = self.portfolio.position(&target) else {
            return;
        };
        for backlink in &self.portfolio.entities[i].referenced_by {
            if let Some(doc) = &self.portfolio.entities[backlink.source].document {
                out.insert(doc.path.clone());
            }
        }
    }

    /// The documents whose findings, history aside, differ between this
    /// tree and `then`: whatever a change did to a document it does not
    /// touch (a cycle closed elsewhere, an id taken, a team named), it
    /// shows here.
    fn findings_changed(&self, then: &Project, today: Date) -> BTreeSet<String> {
        type Key = (Rule, Position, String);
        let by_path = |project: &Project| {
            let mut map: BTreeMap<String, Vec<Key>> = BTreeMap::new();
            for d in project.raw_findings(&project.derive(today)) {
                // `then` is loaded without history: findings that come from
                // history (a commit's, time in status, last commit) would
                // always differ, and no change of this branch made them.
                let from_history = matches!(
                    d.rule,
                    Rule::HistoryUnavailable | Rule::StatusStale | Rule::PilotUntouched
                );
                if d.commit.is_some() || from_history {
                    continue;
                }
                map.entry(d.path)
                    .or_default()
                    .push((d.rule, d.position, d.message));
            }
            for list in map.values_mut() {
                list.sort();
            }
            map
        };
        let (now, before) = (by_path(self), by_path(then));
        let paths: BTreeSet<&String> = now.keys().chain(before.keys()).collect();
        paths
            .into_iter()
            .filter(|p| now.get(*p) != before.get(*p))
            .cloned()
            .collect()
    }

    /// The derived model: every pilot's facts as of `today`, worked out
    /// once for `check` and whatever the command shows (pages, export).
    pub fn derive(&self, today: Date) -> Derived<'_> {
        Derived::of(&self.config, &self.portfolio, &self.history, today)
    }

    /// Every finding of the rules, before `[rules]`, acceptances and scope.
    fn raw_findings(&self, derived: &Derived) -> Vec<Diagnostic> {
        debug_assert!(std::ptr::eq(derived.portfolio(), &self.portfolio));
        let mut diagnostics = self.findings.clone();
        diagnostics.extend(pilotbook_core::validate::validate(derived));
        diagnostics.extend(self.history_findings());
        drop_shadowed(&mut diagnostics);
        self.locate_exported(&mut diagnostics);
        diagnostics
    }

    /// An export source's document is a stand-in made from the export:
    /// its sections are at their lines, but the export does not say where
    /// each front-matter field is written, so a finding in the front
    /// matter points at the file's start (its message names the field).
    fn locate_exported(&self, diagnostics: &mut [Diagnostic]) {
        for d in diagnostics {
            let Some(parsed) = self.exported(&d.path) else {
                continue;
            };
            let front_matter = parsed.text.get(..parsed.body_offset).unwrap_or_default();
            let front_matter_lines = front_matter.matches('\n').count();
            if (d.position.line as usize) <= front_matter_lines {
                d.position = Position::START;
                d.width = 1;
            }
        }
    }

    /// The stand-in parse of a document an export source brought.
    fn exported(&self, path: &str) -> Option<&ParsedDocument> {
        let (tree, _) = self.source_tree(path)?;
        if tree.tree.is_some() {
            return None;
        }
        let i = *self.by_path.get(path)?;
        Some(&self.portfolio.entities[i].document.as_ref()?.parsed)
    }

    /// Run the rules, apply `[rules]` and the acceptances (the documents'
    /// own and the baseline's); `scope`, when given, limits the report to
    /// documents at or below those root-relative paths. Findings on
    /// `pilotbook.toml` and the baseline stay whatever the scope.
    /// `derived` is this project's [`Project::derive`].
    pub fn check(&self, derived: &Derived, scope: Option<&[String]>) -> Result<Report, Error> {
        let _stage = tracing::info_span!("validate").entered();
        let in_scope = match scope {
            None => None,
            Some(paths) => Some(self.documents_under(paths)?),
        };
        let full_history = |mut overrides: SeverityOverrides| {
            if self.require_full_history {
                overrides.insert(Rule::HistoryUnavailable, Some(Severity::Error));
            }
            overrides
        };
        let overrides = full_history(self.config.severity_overrides.clone());
        let own: Vec<SeverityOverrides> = (self.sources.iter())
            .map(|t| full_history(t.overrides.clone()))
            .collect();
        // A source's documents are judged by its own `[rules]`.
        let overrides_of = |d: &Diagnostic| match self.source_tree(&d.path) {
            Some((tree, _)) => self
                .sources
                .iter()
                .position(|t| t.name == tree.name)
                .map_or(&overrides, |i| &own[i]),
            None => &overrides,
        };
        let mut report = Report::finish_with(0, self.raw_findings(derived), &overrides_of);
        let accepts: HashMap<&str, &[Acceptance]> = self
            .portfolio
            .entities
            .iter()
            .filter(|e| !e.accepts.is_empty())
            .filter_map(|e| Some((e.document.as_ref()?.path.as_str(), e.accepts.as_slice())))
            .collect();
        let stale = accept::apply(&mut report, &accepts, self.baseline.as_ref());
        if !stale.is_empty() {
            let mut all = std::mem::take(&mut report.diagnostics);
            all.extend(stale);
            report = Report::finish_with(0, all, &overrides_of);
        }
        let baseline = self.baseline.as_ref().map(|b| b.path.as_str());
        let mut paths: Vec<String> = self
            .portfolio
            .entities
            .iter()
            .filter_map(|e| e.document.as_ref())
            .filter(|d| {
                in_scope
                    .as_ref()
                    .is_none_or(|s| s.contains(d.path.as_str()))
            })
            .map(|d| d.path.clone())
            .collect();
        paths.sort();
        if let Some(scope) = &in_scope {
            report.diagnostics.retain(|d| {
                d.path == CONFIG_FILE
                    || Some(d.path.as_str()) == baseline
                    || scope.contains(d.path.as_str())
            });
        }
        report.documents = paths.len();
        report.paths = paths;
        Ok(report)
    }

    /// `history-unavailable`: once for the repository when history cannot
    /// be read at all (no repository, no commits, a shallow clone), else
    /// once for each document the history does not cover yet (not
    /// committed, or changed in the working tree).
    pub fn history_findings(&self) -> Vec<Diagnostic> {
        if let Some(why) = &self.history.unavailable {
            return vec![
                Diagnostic::new(
                    Rule::HistoryUnavailable,
                    CONFIG_FILE,
                    Position::START,
                    why.explain(),
                )
                .help("see `pilotbook check --explain history-unavailable`"),
            ];
        }
        self.history
            .documents
            .iter()
            .filter_map(|(path, h)| {
                let message = match h.state {
                    DocumentState::Committed => return None,
                    DocumentState::Uncommitted => format!(
                        "`{path}` is not committed yet, so it has no dates, authors or status timeline"
                    ),
                    DocumentState::Modified => format!(
                        "`{path}` has changes that are not committed yet; its dates, authors and status timeline end at its last commit"
                    ),
                };
                Some(
                    Diagnostic::new(Rule::HistoryUnavailable, path.as_str(), Position::START, message)
                        .help("commit the document (`git add` and `git commit`) before publishing"),
                )
            })
            .collect()
    }

    /// The document paths at or below the given root-relative (or
    /// absolute) paths; a path that names nothing is an error.
    pub fn documents_under(&self, paths: &[String]) -> Result<BTreeSet<&str>, Error> {
        let mut out = BTreeSet::new();
        for given in paths {
            let path = Path::new(given);
            let rel = if path.is_absolute() {
                discover::relative(&self.root, path)
            } else {
                discover::relative(Path::new(""), path)
            };
            let rel = rel.trim_start_matches("./").trim_end_matches('/');
            let rel = if rel == "." { "" } else { rel };
            let before = out.len();
            for doc_path in self.by_path.keys() {
                let inside = rel.is_empty()
                    || doc_path == rel
                    || doc_path
                        .strip_prefix(rel)
                        .is_some_and(|rest| rest.starts_with('/'));
                if inside {
                    out.insert(doc_path.as_str());
                }
            }
            // A path that names no document must at least exist.
            if out.len() == before && !self.root.join(rel).exists() {
                return Err(Error::NoSuchPath {
                    path: given.clone(),
                });
            }
        }
        Ok(out)
    }

    /// The text of a document, by its root-relative path; `None` for a
    /// document an export source brought, whose text is not the file's.
    pub fn source(&self, path: &str) -> Option<&str> {
        if self.exported(path).is_some() {
            return None;
        }
        let i = *self.by_path.get(path)?;
        self.portfolio.entities[i]
            .document
            .as_ref()
            .map(|d| d.parsed.text.as_str())
    }
}

/// A value that is invalid is not also reported as undefined: an
/// `undefined-reference` where an `invalid-field` points at the same spot
/// (an owner that is a team) is left out.
fn drop_shadowed(diagnostics: &mut Vec<Diagnostic>) {
    let invalid: BTreeSet<(String, Position)> = diagnostics
        .iter()
        .filter(|d| d.rule == Rule::InvalidField)
        .map(|d| (d.path.clone(), d.position))
        .collect();
    if invalid.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        d.rule != Rule::UndefinedReference || !invalid.contains(&(d.path.clone(), d.position))
    });
}

/// What the file system says about the documents: links discovery did
/// not follow, and paths that only differ by case.
pub(crate) fn file_system_findings(parsed: &[Parsed], skipped: &[Skipped]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = skipped
        .iter()
        .map(|s| {
            Diagnostic::new(
                Rule::SymlinkSkipped,
                s.rel_path.as_str(),
                Position::START,
                format!("`{}` {}", s.rel_path, s.reason),
            )
            .help(source::LINK_HELP)
        })
        .collect();
    for group in discover::case_collisions(parsed.iter().map(|(_, p, _)| p.as_str())) {
        for path in &group {
            let others: Vec<String> = group
                .iter()
                .filter(|o| *o != path)
                .map(|o| format!("`{o}`"))
                .collect();
            out.push(
                Diagnostic::new(
                    Rule::PathCaseCollision,
                    *path,
                    Position::START,
                    format!(
                        "`{path}` differs from {} only by letter case or Unicode normalisation",
                        others.join(", ")
                    ),
                )
                .help("rename one of them: macOS and Windows checkouts keep only one of the files"),
            );
        }
    }
    out
}
