//! The state `serve` keeps between rebuilds, and the incremental rebuild.
//!
//! A [`Session`] holds the last good build: its config and templates, the
//! parsed documents (each with the file's size and modification time), the
//! linked project, its report and the rendered [`Site`]. A rebuild loads
//! the project through the same pipeline as every command
//! ([`pilotbook_project::pipeline`]), over an [`Overlay`] of the working
//! tree that re-reads only the files whose stamp changed or that the
//! watcher named, and reads git history again only when HEAD moves (an
//! edit in the working tree is not history yet). So `serve` reports what
//! `build` reports, skipped links and the baseline's acceptances included.
//! It then renders again only the pages whose inputs changed, by the rule
//! `build` follows too (each entity page's inputs hashed: its document,
//! history and findings, its neighbours', what its links lead to), and the
//! pages that list everything (see [`render::Reuse`]). A change to the
//! config or the templates, or a moved HEAD, renders everything.
//!
//! A rebuild that cannot render (a broken config or template, or front
//! matter that cannot be read) leaves the last good site in place and
//! reports its errors in the [`Status`], which the browser overlay shows.

use pilotbook_core::config::Config;
use pilotbook_core::diagnostics::{Diagnostic, Report};
use pilotbook_core::discover;
use pilotbook_core::model::Date;
use pilotbook_core::rules::{Rule, Severity};
use pilotbook_history::Revision;
use pilotbook_project::source::OverlayChanges;
use pilotbook_project::{self as project, Overlay, ParseCache, Project, WorkingTree};
use pilotbook_site::{self as render, Reuse, Site, SiteOptions, Templates};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One error that stops a build, as the overlay shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildError {
    /// The file, relative to the root (or as given for `--config`).
    pub path: String,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
    /// The rule, for document findings.
    pub rule: Option<&'static str>,
    /// What is wrong.
    pub message: String,
}

/// Whether the last build succeeded, for the browser: the body of
/// `/__pilotbook/status` and of every live-reload event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The last rebuild rendered the site.
    pub ok: bool,
    /// Counts good builds; a page reloads when it changes.
    pub generation: u64,
    /// Why the last rebuild failed (empty when `ok`).
    pub errors: Vec<BuildError>,
}

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Documents in the model.
    pub documents: usize,
    /// Documents read and parsed again.
    pub reparsed: usize,
    /// Pages in the site.
    pub pages: usize,
    /// Pages rendered again (the rest were kept).
    pub rendered: usize,
    /// Errors among the findings (or why the build failed).
    pub errors: usize,
    /// Warnings among the findings.
    pub warnings: usize,
    /// Git history was read again (HEAD moved).
    pub history_reread: bool,
    /// How long the rebuild took.
    pub took: Duration,
    /// Why the site could not be rendered; the last good site stays.
    pub failure: Vec<BuildError>,
}

/// The last good build.
struct Good {
    config_text: Option<String>,
    templates_text: TemplateTexts,
    templates: Arc<Templates>,
    project: Project,
    report: Report,
    site: Arc<Site>,
    /// `pilots.json` in `site` is the previous build's.
    export_pending: bool,
}

/// The template overrides' texts, to tell whether they changed.
type TemplateTexts = Vec<Option<String>>;

/// The export's path in the site.
const EXPORT: &str = "pilots.json";

/// The state of `serve` between rebuilds.
pub struct Session {
    root: PathBuf,
    config_path: Option<PathBuf>,
    /// The date pilots are judged as of.
    today: Date,
    options: SiteOptions,
    /// Each document's last parse, by its file's stamp.
    cache: ParseCache,
    good: Option<Good>,
    status: Status,
    /// `--cache-dir`.
    cache_dir: Option<PathBuf>,
}

impl Session {
    /// Keep the history cache in `dir` instead of the git folder.
    pub fn set_cache_dir(&mut self, dir: Option<PathBuf>) {
        self.cache_dir = dir;
    }

    /// A session over the repository at `root`; nothing is built until
    /// the first [`Session::rebuild`].
    pub fn new(root: &Path, config_path: Option<&Path>, today: Date) -> Session {
        // Watchers report canonical paths; the root must compare with them.
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        Session {
            root,
            config_path: config_path.map(Path::to_path_buf),
            today,
            options: SiteOptions {
                base_url: None,
                progress: None,
                export: false,
                on_runaway: None,
                files: None,
            },
            cache: ParseCache::default(),
            good: None,
            cache_dir: None,
            status: Status {
                ok: false,
                generation: 0,
                errors: Vec::new(),
            },
        }
    }

    /// Who is told when a page renders past `[limits] max_render_seconds`
    /// (a template override that loops without end); it should end the
    /// process, since the thread rendering the page cannot be stopped.
    pub fn set_on_runaway(&mut self, hook: render::budget::Runaway) {
        self.options.on_runaway = Some(hook);
    }

    /// The site of the last good build (`None` before the first).
    pub fn site(&self) -> Option<Arc<Site>> {
        self.good.as_ref().map(|g| Arc::clone(&g.site))
    }

    /// Write `pilots.json` for the last good build, after its pages are
    /// served (the export is the costliest file and no page needs it).
    /// Returns the completed site, or `None` when there was nothing to do.
    pub fn finish_export(&mut self) -> Option<Arc<Site>> {
        let good = self.good.as_mut()?;
        if !good.export_pending {
            return None;
        }
        // The facts again, from the same function on the same model: the
        // rebuild's derived model borrowed its project and is gone.
        let json = render::export_json(&good.project.derive(self.today));
        let mut site = (*good.site).clone();
        site.files.insert(EXPORT.into(), json.into());
        good.site = Arc::new(site);
        good.export_pending = false;
        Some(Arc::clone(&good.site))
    }

    /// The status of the last rebuild.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The folders and files a watcher should watch, each with whether to
    /// watch it recursively: the root (for the config and new folders; not
    /// recursively unless a kind's glob starts at the root), the kinds'
    /// folders and `templates/`.
    pub fn watch_list(&self) -> Vec<(PathBuf, bool)> {
        let mut rest = Vec::new();
        let mut root_recursive = false;
        if let Some(config) = &self.config_path {
            rest.push(config.clone());
        }
        let config = match &self.good {
            Some(g) => Some(g.project.config.clone()),
            None => Config::load(&self.root, self.config_path.as_deref()).ok(),
        };
        if let Some(config) = config {
            for folder in discover::start_folders(&config) {
                if folder.is_empty() {
                    root_recursive = true;
                } else {
                    rest.push(self.root.join(folder));
                }
            }
        }
        rest.push(self.root.join("templates"));
        rest.extend(self.source_folders());
        rest.sort();
        rest.dedup();
        let mut list = vec![(self.root.clone(), root_recursive)];
        list.extend(
            rest.into_iter()
                .filter(|p| *p != self.root)
                .map(|p| (p, true)),
        );
        list
    }

    /// The pilotbook roots of the `[[sources]]` checkouts, whose edits
    /// rebuild the site as the portfolio's own do.
    fn source_folders(&self) -> Vec<PathBuf> {
        use pilotbook_core::config::SourceOrigin;
        let sources = match &self.good {
            Some(g) => g.project.config.sources.clone(),
            None => Config::load(&self.root, self.config_path.as_deref())
                .map(|c| c.sources)
                .unwrap_or_default(),
        };
        sources
            .into_iter()
            .filter_map(|s| match s.origin {
                SourceOrigin::Checkout { path, root } => Some(self.root.join(path).join(root)),
                SourceOrigin::Export { .. } => None,
            })
            .collect()
    }

    /// Whether a change can matter to the site: not inside a hidden folder
    /// (`.git`, caches) nor the output folder. The sources' folders are
    /// worked out once for a batch of changes, not once per change.
    pub fn relevance(&self) -> impl Fn(&Path) -> bool + '_ {
        let sources = self.source_folders();
        move |path| self.is_relevant(path, &sources)
    }

    fn is_relevant(&self, path: &Path, sources: &[PathBuf]) -> bool {
        // A source's checkout: anything but its hidden folders.
        for folder in sources {
            if let Ok(inside) = path.strip_prefix(folder) {
                let first = inside.components().next();
                return !first.is_some_and(|c| c.as_os_str().to_string_lossy().starts_with('.'));
            }
        }
        let rel = discover::relative(&self.root, path);
        let first = rel.split('/').next().unwrap_or("");
        if first.starts_with('.') && !rel.is_empty() {
            return false;
        }
        let output = self
            .good
            .as_ref()
            .map_or("site", |g| g.project.config.output_dir.as_str());
        !(rel == output || rel.starts_with(&format!("{output}/")))
    }

    /// Build again. `changed` are the files the watcher saw change
    /// (absolute or root-relative); files whose size or modification time
    /// changed are read again too, so a missed event costs nothing.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Outcome {
        let clock = Instant::now();
        let mut outcome = match self.try_rebuild(changed) {
            Ok(outcome) => outcome,
            Err(failure) => Outcome {
                documents: 0,
                reparsed: 0,
                pages: 0,
                rendered: 0,
                errors: failure.len(),
                warnings: 0,
                history_reread: false,
                took: Duration::ZERO,
                failure,
            },
        };
        outcome.took = clock.elapsed();
        self.status = if outcome.failure.is_empty() {
            Status {
                ok: true,
                generation: self.status.generation + 1,
                errors: Vec::new(),
            }
        } else {
            Status {
                ok: false,
                generation: self.status.generation,
                errors: outcome.failure.clone(),
            }
        };
        outcome
    }

    fn try_rebuild(&mut self, changed: &[PathBuf]) -> Result<Outcome, Vec<BuildError>> {
        // The config and the templates are small: read them every time and
        // compare, rather than trust that an event was seen.
        let config_text =
            pilotbook_core::config::read_text(&self.root, self.config_path.as_deref())
                .ok()
                .flatten();
        let same_config = self
            .good
            .as_ref()
            .is_some_and(|g| g.config_text == config_text);
        let (project, changes) = self.load(changed, same_config)?;
        let rendered = match self.templates() {
            // New history (HEAD moved) can change any page: render them all.
            Ok((templates_text, new_templates)) => {
                let same_setup = same_config && new_templates.is_none() && !changes.history_reread;
                self.render(&project, new_templates, same_setup)
                    .map(|done| (done, templates_text))
            }
            Err(failure) => Err(failure),
        };
        match rendered {
            Ok(((report, site, templates), templates_text)) => {
                let outcome = Outcome {
                    documents: report.documents,
                    reparsed: changes.reparsed,
                    pages: site.pages,
                    rendered: site.rendered,
                    errors: 0,
                    warnings: 0,
                    history_reread: changes.history_reread,
                    took: Duration::ZERO,
                    failure: Vec::new(),
                };
                let good = Good {
                    config_text,
                    templates_text,
                    templates,
                    project,
                    report,
                    site: Arc::new(site),
                    export_pending: true,
                };
                Ok(self.keep(good, outcome))
            }
            Err(failure) => {
                // Keep the history for the next try.
                if let Some(g) = &mut self.good
                    && !changes.history_reread
                {
                    g.project.history = project.history;
                }
                Err(failure)
            }
        }
    }

    /// Load the working tree through the pipeline, over the parses and the
    /// history of the last build: only files whose stamp changed, or that
    /// the watcher named, are read again, and git only when HEAD moved (or
    /// the config changed which files are documents).
    fn load(
        &mut self,
        changed: &[PathBuf],
        same_config: bool,
    ) -> Result<(Project, OverlayChanges), Vec<BuildError>> {
        let root = &self.root;
        let forced: HashSet<String> = changed
            .iter()
            .map(|p| discover::relative(root, &root.join(p)))
            .collect();
        let tree = WorkingTree::open(root).map_err(|e| load_error(root, &e))?;
        let head = Revision::open(root, "HEAD").ok().map(|r| r.commit_id());
        let kept = match &mut self.good {
            Some(g) if g.project.history.head == head && same_config => {
                Some(std::mem::take(&mut g.project.history))
            }
            _ => None,
        };
        let overlay = Overlay::new(tree, std::mem::take(&mut self.cache), forced, kept);
        let (loaded, cache, mut changes) =
            overlay.load(self.config_path.as_deref(), self.cache_dir.clone());
        self.cache = cache;
        if let Some(g) = &mut self.good
            && let Some(history) = changes.unused_history.take()
        {
            g.project.history = history;
        }
        let project = loaded.map_err(|e| load_error(&self.root, &e))?;
        Ok((project, changes))
    }

    /// The template overrides' texts, and the templates loaded again when
    /// they differ from the last good build's.
    fn templates(&self) -> Result<(TemplateTexts, Option<Arc<Templates>>), Vec<BuildError>> {
        let _stage = tracing::info_span!("templates").entered();
        let error = |e: &dyn std::fmt::Display| {
            vec![BuildError {
                path: "templates".into(),
                line: 0,
                column: 0,
                rule: None,
                message: e.to_string(),
            }]
        };
        let texts = render::templates::override_texts(&self.root).map_err(|e| error(&e))?;
        if self
            .good
            .as_ref()
            .is_some_and(|g| g.templates_text == texts)
        {
            return Ok((texts, None));
        }
        let templates = Templates::load(&self.root).map_err(|e| error(&e))?;
        Ok((texts, Some(Arc::new(templates))))
    }

    /// Make `good` the last good build and count its findings.
    fn keep(&mut self, good: Good, mut outcome: Outcome) -> Outcome {
        // What the render refused (`page-too-large`) counts too.
        let overrides = &good.project.config.severity_overrides;
        let refused = Report::finish(0, good.site.findings.clone(), overrides);
        outcome.errors = good.report.errors() + refused.errors();
        outcome.warnings = good.report.warnings() + refused.warnings();
        // Freeing the previous model and site takes longer than some
        // rebuilds: do it off the rebuild's path.
        if let Some(old) = self.good.replace(good) {
            let _ = std::thread::Builder::new()
                .name("pilotbook-free".into())
                .spawn(move || drop(old));
        }
        outcome
    }

    /// Check and render `project`, reusing what the last good build
    /// rendered when the config and the templates are unchanged.
    fn render(
        &self,
        project: &Project,
        new_templates: Option<Arc<Templates>>,
        same_setup: bool,
    ) -> Result<(Report, Site, Arc<Templates>), Vec<BuildError>> {
        let derived = project.derive(self.today);
        let report = project
            .check(&derived, None)
            .map_err(|e| vec![plain_error(e.to_string())])?;
        // Front matter that cannot be read would render as a page without
        // its fields: keep the last good site instead.
        let unreadable: Vec<BuildError> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == Rule::FrontMatter && d.severity == Severity::Error)
            .map(document_error)
            .collect();
        if !unreadable.is_empty() {
            return Err(unreadable);
        }
        let templates = match (new_templates, &self.good) {
            (Some(t), _) => t,
            (None, Some(g)) => Arc::clone(&g.templates),
            (None, None) => {
                Arc::new(Templates::load(&self.root).map_err(|e| vec![plain_error(e.to_string())])?)
            }
        };
        // Each page is kept or not by the hash of its inputs (the site's
        // one rule); the config and the templates must be the same too.
        let reuse = match &self.good {
            Some(g) if same_setup => Some(Reuse { previous: &g.site }),
            _ => None,
        };
        // The pictures and PDFs pages link to are served as `build` writes
        // them, read through the same confined reader.
        let mut options = self.options.clone();
        options.files = project.file_reader().ok().map(render::FileReader);
        let site = render::render_site(&derived, &report, &templates, &options, reuse.as_ref());
        match site {
            Ok(mut site) => {
                // Until `finish_export` runs, the last export stands in.
                if let Some(json) = self
                    .good
                    .as_ref()
                    .and_then(|g| g.site.files.get(EXPORT).cloned())
                {
                    site.files.insert(EXPORT.into(), json);
                }
                Ok((report, site, templates))
            }
            Err(e) => Err(vec![plain_error(e.to_string())]),
        }
    }
}

fn plain_error(message: String) -> BuildError {
    BuildError {
        path: String::new(),
        line: 0,
        column: 0,
        rule: None,
        message,
    }
}

fn document_error(d: &Diagnostic) -> BuildError {
    BuildError {
        path: d.path.clone(),
        line: d.position.line,
        column: d.position.column,
        rule: Some(d.rule.name()),
        message: d.message.clone(),
    }
}

/// Why the pipeline could not load the project, as the overlay shows it.
fn load_error(root: &Path, e: &project::Error) -> Vec<BuildError> {
    match e {
        project::Error::Config(e) => vec![config_error(root, e)],
        other => vec![plain_error(other.to_string())],
    }
}

fn config_error(root: &Path, e: &pilotbook_core::config::ConfigError) -> BuildError {
    match e {
        pilotbook_core::config::ConfigError::Invalid {
            path,
            position,
            message,
        } => BuildError {
            path: discover::relative(root, path),
            line: position.line,
            column: position.column,
            rule: None,
            message: message.clone(),
        },
        other => plain_error(other.to_string()),
    }
}
