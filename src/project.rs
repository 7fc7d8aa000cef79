//! The pipeline over one repository: discover → parse → link → validate.
//!
//! [`Project::load`] reads the config, finds the documents, reads and parses
//! them in parallel, and links the model; [`Project::check`] runs the rules
//! and returns the finished [`Report`]. `check` is the same load with no
//! output, as in Zola: whatever `build` renders has been through exactly
//! this path.

use crate::config::Builtin;
use crate::config::{CONFIG_FILE, Config, ConfigError, Limits};
use crate::confined::{Refusal, Root};
use crate::diagnostics::{Diagnostic, Report};
use crate::discover::{self, Discovered, Skipped};
use crate::history::DocumentState;
use crate::history::{self, History, HistoryError, HistoryOptions, Revision};
use crate::model::{self, Date, Portfolio};
use crate::parse::{self, ParsedDocument};
use crate::rules::{Rule, Severity};
use crate::source::Position;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
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
    pub progress: Option<crate::progress::Progress>,
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
        }
    }
}

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
    /// How long each stage of loading took, in order, for `PILOTBOOK_TIMINGS`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Findings of parsing, typing and linking.
    findings: Vec<Diagnostic>,
    /// Entity index by document path.
    by_path: HashMap<String, usize>,
    /// `--require-full-history`.
    require_full_history: bool,
}

impl Project {
    /// Load the repository at `root`.
    pub fn load(
        root: &Path,
        config_path: Option<&Path>,
        options: &LoadOptions,
    ) -> Result<Project, Error> {
        let confined = Root::open(root).map_err(|source| Error::Root {
            path: root.to_path_buf(),
            source,
        })?;
        let mut timings = Vec::new();
        let mut clock = std::time::Instant::now();
        let mut lap = |name: &'static str| {
            timings.push((name, clock.elapsed()));
            clock = std::time::Instant::now();
        };
        // History needs only the documents' paths: it is read while the
        // documents are parsed and linked, each on half the cores or all of
        // them, whichever is free.
        let read_history = |config: &Config, paths: &[String]| -> (History, std::time::Duration) {
            let clock = std::time::Instant::now();
            if !options.history {
                return (History::default(), clock.elapsed());
            }
            let history = history::read(
                root,
                config,
                paths,
                &HistoryOptions {
                    rev: options.rev.clone(),
                    cache: options.cache,
                    cache_dir: options.cache_dir.clone(),
                    progress: options.progress.clone(),
                },
            );
            (history, clock.elapsed())
        };
        let sorted = |mut paths: Vec<String>| {
            paths.sort();
            paths
        };
        // Parsed and linked while the history is read.
        let link = |config: &Config, parsed: Vec<Parsed>, skipped: Vec<Skipped>| {
            let clock = std::time::Instant::now();
            let project =
                Project::from_parsed(root, config.clone(), parsed, skipped, History::default());
            (project, clock.elapsed())
        };
        let ((mut project, took), (history, history_took)) = match &options.rev {
            None => {
                let config = Config::load(root, config_path)?;
                let discovery = discover::discover(&confined, &config);
                lap("discover");
                let limits = config.limits;
                let paths = sorted(
                    discovery
                        .documents
                        .iter()
                        .map(|d| d.rel_path.clone())
                        .collect(),
                );
                let skipped = discovery.skipped;
                rayon::join(
                    || {
                        let parsed: Vec<Parsed> = discovery
                            .documents
                            .into_par_iter()
                            .map(|d| {
                                let parsed = read_document(&confined, &d, &limits);
                                (d.kind, d.rel_path, Arc::new(parsed))
                            })
                            .collect();
                        link(&config, parsed, skipped)
                    },
                    || read_history(&config, &paths),
                )
            }
            Some(rev) => {
                let revision = Revision::open(root, rev)?;
                let config = match config_path {
                    Some(_) => Config::load(root, config_path)?,
                    None => {
                        let text = revision
                            .read(CONFIG_FILE)
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                            .unwrap_or_default();
                        Config::parse(&text, &Path::new(CONFIG_FILE).join(format!("@{rev}")))?
                    }
                };
                let files = revision.files_below(&discover::start_folders(&config), &|p| {
                    discover::classify(&config, p).is_some()
                })?;
                let limits = config.limits;
                // A blob over the cap is refused from its header, unread.
                let blobs: Vec<(usize, String, Result<Vec<u8>, u64>)> = files
                    .into_iter()
                    .filter_map(|path| {
                        let kind = discover::classify(&config, &path)?;
                        let size = revision.size(&path)?;
                        if size > limits.max_file_bytes {
                            return Some((kind, path, Err(size)));
                        }
                        let bytes = revision.read(&path)?;
                        Some((kind, path, Ok(bytes)))
                    })
                    .collect();
                lap("discover");
                let paths = sorted(blobs.iter().map(|(_, p, _)| p.clone()).collect());
                rayon::join(
                    || {
                        let parsed: Vec<Parsed> = blobs
                            .into_par_iter()
                            .map(|(kind, path, bytes)| {
                                let parsed = match bytes {
                                    Ok(bytes) => parse::parse_owned_with(&path, bytes, &limits),
                                    Err(size) => parse::unreadable(
                                        &path,
                                        parse::too_large(&path, size, limits.max_file_bytes),
                                    ),
                                };
                                (kind, path, Arc::new(parsed))
                            })
                            .collect();
                        link(&config, parsed, Vec::new())
                    },
                    || read_history(&config, &paths),
                )
            }
        };
        lap("read, parse, link, history");
        timings.push(("  of which link", took));
        project.history = history;
        project.require_full_history = options.require_full_history;
        timings.push(("history (overlapped)", history_took));
        timings.extend(project.history.timings.iter().copied());
        project.timings = timings;
        Ok(project)
    }

    /// Link documents that were parsed already, with a history read
    /// already: how `serve` rebuilds after an edit without reading every
    /// file again or walking git. `parsed` is `(kind, path, document)`
    /// sorted by path, as discovery returns it.
    pub fn from_parsed(
        root: &Path,
        config: Config,
        parsed: Vec<Parsed>,
        skipped: Vec<Skipped>,
        history: History,
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
            history,
            timings: Vec::new(),
            findings,
            by_path,
            require_full_history: false,
        }
    }

    /// The root-relative paths of every document, sorted.
    pub fn document_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.by_path.keys().cloned().collect();
        paths.sort();
        paths
    }

    /// The documents changed since `rev` (see [`history::changed_since`])
    /// plus the pilots that refer to them, as root-relative paths.
    pub fn changed_since(&self, rev: &str) -> Result<Vec<String>, Error> {
        let mut paths: Vec<String> = self.by_path.keys().cloned().collect();
        paths.sort();
        let changed = history::changed_since(&self.root, rev, &paths)?;
        let mut scope: BTreeSet<String> = changed.clone();
        for path in &changed {
            let Some(&i) = self.by_path.get(path) else {
                continue;
            };
            for backlink in &self.portfolio.entities[i].referenced_by {
                let source = &self.portfolio.entities[backlink.source];
                if !model::is_builtin(&self.config, source.kind, Builtin::Pilot) {
                    continue;
                }
                if let Some(doc) = &source.document {
                    scope.insert(doc.path.clone());
                }
            }
        }
        Ok(scope.into_iter().collect())
    }

    /// Run the rules; `scope`, when given, limits the report to documents at
    /// or below those root-relative paths.
    pub fn check(&self, today: Date, scope: Option<&[String]>) -> Result<Report, Error> {
        let mut diagnostics = self.findings.clone();
        diagnostics.extend(crate::validate::validate(
            &self.config,
            &self.portfolio,
            &self.history,
            today,
        ));
        diagnostics.extend(self.history_findings());
        let in_scope = match scope {
            None => None,
            Some(paths) => Some(self.documents_under(paths)?),
        };
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
        let documents = paths.len();
        if let Some(scope) = &in_scope {
            // The repository-wide history warning stays whatever the scope.
            diagnostics.retain(|d| d.path == CONFIG_FILE || scope.contains(d.path.as_str()));
        }
        let mut overrides = self.config.severity_overrides.clone();
        if self.require_full_history {
            overrides.insert(Rule::HistoryUnavailable, Some(Severity::Error));
        }
        let mut report = Report::finish(documents, diagnostics, &overrides);
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

    /// The text of a document, by its root-relative path.
    pub fn source(&self, path: &str) -> Option<&str> {
        let i = *self.by_path.get(path)?;
        self.portfolio.entities[i]
            .document
            .as_ref()
            .map(|d| d.parsed.text.as_str())
    }
}

/// What the file system says about the documents: links discovery did
/// not follow, and paths that only differ by case.
fn file_system_findings(parsed: &[Parsed], skipped: &[Skipped]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = skipped
        .iter()
        .map(|s| {
            Diagnostic::new(
                Rule::SymlinkSkipped,
                s.rel_path.as_str(),
                Position::START,
                format!("`{}` {}", s.rel_path, s.reason),
            )
            .help(LINK_HELP)
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

/// Read and parse one document from disk, through the confined reader:
/// its size is checked before it is read, so that a huge file costs
/// neither time nor memory, and a link that leads out of the repository
/// or into `.git` (or to a device, a FIFO) is refused with a finding.
pub fn read_document(root: &Root, doc: &Discovered, limits: &Limits) -> ParsedDocument {
    let rel = doc.rel_path.as_str();
    match root.read(&doc.source, limits.max_file_bytes) {
        Ok(bytes) => parse::parse_owned_with(rel, bytes, limits),
        Err(Refusal::TooLarge { len, .. }) => {
            parse::unreadable(rel, parse::too_large(rel, len, limits.max_file_bytes))
        }
        Err(why) => parse::unreadable(rel, refused(rel, &why)),
    }
}

/// The finding for a document the confined reader refused.
pub fn refused(rel: &str, why: &Refusal) -> Diagnostic {
    if why.is_link() {
        return Diagnostic::new(
            Rule::SymlinkSkipped,
            rel,
            Position::START,
            format!("`{rel}` {why}"),
        )
        .help(LINK_HELP);
    }
    Diagnostic::new(
        Rule::UnreadableFile,
        rel,
        Position::START,
        format!("`{rel}` {why}"),
    )
    .help("make it a regular UTF-8 text file inside the repository, readable by pilotbook")
}

/// What to do about a link pilotbook did not follow.
const LINK_HELP: &str = "replace the link with the file itself, or point it at a file inside the repository (outside `.git/`)";
