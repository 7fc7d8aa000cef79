//! `[[sources]]`: the other repositories a portfolio reads, merged into
//! its one linked model.
//!
//! Each checkout runs the first stages of the one pipeline on its own:
//! its own `pilotbook.toml` (kinds' folders, `[rules]`, limits),
//! discovery, parsing and the history of its own repository (with that
//! repository's cache), all sources in parallel. An export source brings
//! its documents and history in a `pilotbook export` file
//! (`pilotbook_core::import`). Their documents then join the portfolio's
//! under *qualified paths*, `<source>:<path in its repository>`, and are
//! linked, derived and judged with the portfolio's own: a reference
//! resolves in every source. A kind is one across sources, matched by
//! name; the portfolio's definition of a kind (required fields and
//! sections) is the bar, and a kind only a source defines joins with that
//! source's definition.

use crate::source::{Source, WorkingTree};
use crate::{Error, LoadOptions, Parsed};
use pilotbook_core::config::{CONFIG_FILE, Config, SourceConfig, SourceOrigin};
use pilotbook_core::diagnostics::{Diagnostic, SeverityOverrides};
use pilotbook_core::history::{DocumentHistory, History, SourceKind, SourceState};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A source as the later stages need it: where its files are read (links'
/// targets, pictures) and which `[rules]` apply to its documents.
#[derive(Debug)]
pub struct SourceTree {
    /// The source's name.
    pub name: String,
    /// Its pilotbook root's folder in its repository, with a trailing `/`
    /// (`""` at the top).
    pub prefix: String,
    /// Its working tree; `None` for an export.
    pub tree: Option<WorkingTree>,
    /// Its `[rules]`.
    pub overrides: SeverityOverrides,
}

impl SourceTree {
    /// The root-relative path in this source of a path inside its
    /// repository; `None` outside its pilotbook root.
    pub fn root_relative<'p>(&self, repo_path: &'p str) -> Option<&'p str> {
        repo_path.strip_prefix(self.prefix.as_str())
    }
}

/// The source a qualified path comes from, with the path relative to that
/// source's pilotbook root; `None` for this repository's own paths, and
/// for a path outside the source's root.
pub fn find<'t, 'p>(
    trees: &'t [Arc<SourceTree>],
    path: &'p str,
) -> Option<(&'t SourceTree, &'p str)> {
    let (Some(name), repo_path) = pilotbook_core::model::split_qualified(path) else {
        return None;
    };
    let tree = trees.iter().find(|t| t.name == name)?;
    Some((tree, tree.root_relative(repo_path)?))
}

/// What the sources bring: documents (under qualified paths, with the
/// merged config's kinds), their findings of discovery, their histories
/// and states, and their trees.
#[derive(Debug, Default)]
pub(crate) struct Remote {
    pub parsed: Vec<Parsed>,
    pub findings: Vec<Diagnostic>,
    pub histories: BTreeMap<String, DocumentHistory>,
    pub states: Vec<SourceState>,
    pub trees: Vec<Arc<SourceTree>>,
}

/// One source, read.
pub(crate) struct Loaded {
    /// The source's own config (`None` for an export: its kinds are the
    /// portfolio's).
    pub config: Option<Config>,
    /// Its documents, with its own kinds and root-relative paths.
    pub parsed: Vec<Parsed>,
    /// What its discovery found.
    pub findings: Vec<Diagnostic>,
    /// Its documents' histories, by root-relative path.
    pub history: History,
    /// Its state.
    pub state: SourceState,
    /// Its files and rules.
    pub tree: SourceTree,
}

/// Read every source of `config` (in parallel) and merge their kinds into
/// it. `portfolio` reads export files (from the working tree or the
/// revision the portfolio is loaded at).
pub(crate) fn read<S: Source>(
    portfolio: &S,
    config: &mut Config,
    options: &LoadOptions,
) -> Result<Remote, Error> {
    if config.sources.is_empty() {
        return Ok(Remote::default());
    }
    let _stage = tracing::info_span!("sources").entered();
    let area = reach(portfolio.root())?;
    let loaded: Vec<Loaded> = config
        .sources
        .par_iter()
        .map(|source| match &source.origin {
            SourceOrigin::Checkout { path, root } => {
                checkout(portfolio.root(), &area, source, path, root, options)
            }
            SourceOrigin::Export { file } => crate::imported::load(portfolio, source, file, config),
        })
        .collect::<Result<_, _>>()?;
    let mut remote = Remote::default();
    for source in loaded {
        merge(config, source, &mut remote);
    }
    Ok(remote)
}

/// A checkout: its config, documents and history, as the pipeline reads a
/// working tree.
fn checkout(
    portfolio_root: &Path,
    area: &Path,
    source: &SourceConfig,
    path: &str,
    root: &str,
    options: &LoadOptions,
) -> Result<Loaded, Error> {
    // Messages name `../payments`, not `./../payments`.
    let base = if portfolio_root == Path::new(".") {
        Path::new(path).to_path_buf()
    } else {
        portfolio_root.join(path)
    };
    let dir = if root.is_empty() {
        base
    } else {
        base.join(root)
    };
    let tree = WorkingTree::open(&dir).map_err(|e| Error::Source {
        name: source.name.clone(),
        message: format!("{e} (`path` and `root` in [[sources]])"),
    })?;
    within_reach(area, &dir).map_err(|message| Error::Source {
        name: source.name.clone(),
        message,
    })?;
    let config = tree.config(None)?;
    let listing = tree.discover(&config)?;
    let paths: Vec<String> = listing.documents.iter().map(|d| d.1.clone()).collect();
    let (mut parsed, history) = rayon::join(
        || {
            let mut parsed = tree.parse(&config.limits, listing.documents);
            crate::borrowed::apply(&config, &tree, &mut parsed);
            parsed
        },
        || {
            if !options.history {
                return History::default();
            }
            let mut options = options.clone();
            // One cache per repository: a shared `--cache-dir` keeps
            // each source's beside the portfolio's.
            options.cache_dir = options
                .cache_dir
                .map(|d| d.join("sources").join(&source.name));
            tree.history(&config, &paths, &options)
        },
    );
    parsed.sort_by(|a, b| a.1.cmp(&b.1));
    let findings = crate::file_system_findings(&parsed, &listing.skipped);
    let prefix = pilotbook_history::root_in_repository(&dir)
        .filter(|p| !p.is_empty())
        .map_or_else(String::new, |p| format!("{p}/"));
    let state = SourceState {
        name: source.name.clone(),
        kind: SourceKind::Checkout,
        repository: source.repository.clone(),
        root_prefix: prefix.trim_end_matches('/').to_string(),
        head: history.head.clone(),
        unavailable: history.unavailable.as_ref().map(|u| u.explain()),
        export_version: None,
    };
    let tree = SourceTree {
        name: source.name.clone(),
        prefix,
        overrides: config.severity_overrides.clone(),
        tree: Some(tree),
    };
    Ok(Loaded {
        config: Some(config),
        parsed,
        findings,
        history,
        state,
        tree,
    })
}

/// Where a portfolio may read checkouts: the folder that holds its
/// repository (a checkout beside it, or inside it as CI makes them).
/// `path` is the portfolio's to write, and a pull request can change it:
/// it must not reach the rest of the machine (`/`, a home folder).
fn reach(portfolio_root: &Path) -> Result<PathBuf, Error> {
    let root = portfolio_root
        .canonicalize()
        .map_err(|source| Error::Root {
            path: portfolio_root.to_path_buf(),
            source,
        })?;
    let depth = pilotbook_history::root_in_repository(&root)
        .map_or(0, |prefix| Path::new(&prefix).components().count());
    let top = root.ancestors().nth(depth).unwrap_or(&root);
    Ok(top.parent().unwrap_or(top).to_path_buf())
}

/// Whether a checkout, every link followed, is within `area` ([`reach`]).
fn within_reach(area: &Path, dir: &Path) -> Result<(), String> {
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    if dir.starts_with(area) {
        return Ok(());
    }
    Err(format!(
        "the checkout resolves to {}, outside {} (the folder that holds the portfolio's repository); a source is a checkout beside the portfolio's repository or inside it (`path` in [[sources]])",
        dir.display(),
        area.display()
    ))
}

/// Add one source to the portfolio: its kinds (by name) to `config`, its
/// documents, findings and histories under qualified paths.
fn merge(config: &mut Config, source: Loaded, remote: &mut Remote) {
    let qualify = |rel: &str| format!("{}:{}{rel}", source.tree.name, source.tree.prefix);
    let kinds: Vec<usize> = match &source.config {
        Some(own) => own.kinds.iter().map(|k| kind_index(config, k)).collect(),
        None => (0..config.kinds.len()).collect(),
    };
    for (kind, path, mut parsed) in source.parsed {
        let qualified = qualify(&path);
        let doc = Arc::make_mut(&mut parsed);
        for d in &mut doc.diagnostics {
            d.path = qualify(&d.path);
        }
        if let Some(borrowed) = &mut doc.borrowed {
            for (_, file) in &mut borrowed.keys {
                *file = qualify(file);
            }
        }
        let kind = kinds.get(kind).copied().unwrap_or(kind);
        remote.parsed.push((kind, qualified, parsed));
    }
    remote
        .findings
        .extend(source.findings.into_iter().map(|mut d| {
            d.path = qualify(&d.path);
            d
        }));
    if let Some(why) = &source.state.unavailable {
        remote
            .findings
            .push(unavailable(&qualify(CONFIG_FILE), &source.state.name, why));
    }
    for (path, h) in source.history.documents {
        remote.histories.insert(qualify(&path), h);
    }
    remote.states.push(source.state);
    remote.trees.push(Arc::new(source.tree));
}

/// The portfolio's index of a source's kind, adding the kind when only
/// the source defines it.
fn kind_index(config: &mut Config, kind: &pilotbook_core::config::KindConfig) -> usize {
    match config.kinds.iter().position(|k| k.name == kind.name) {
        Some(i) => i,
        None => {
            config.kinds.push(kind.clone());
            config.kinds.len() - 1
        }
    }
}

/// `history-unavailable` for a whole source.
fn unavailable(path: &str, name: &str, why: &str) -> Diagnostic {
    use pilotbook_core::rules::Rule;
    use pilotbook_core::source::Position;
    Diagnostic::new(
        Rule::HistoryUnavailable,
        path,
        Position::START,
        format!("source `{name}`: {why}"),
    )
    .help("see `pilotbook check --explain history-unavailable`")
}
