//! pilotbook-site: the linked model → a static site. The only crate that
//! sees Tera.
//!
//! `build` makes one view per page (`views.rs`), renders the pages in
//! parallel with the templates (`templates.rs`), adds the SVG timeline and
//! dependency graph (`timeline.rs`, `graph.rs`, sharing `svg.rs`), the search index, the
//! export as `pilots.json` and a sitemap, and hands the files to
//! `output.rs`, which swaps them in only when all were written. Every link
//! is relative, so the site works from `file://` and under any sub-path;
//! `--base-url` only makes canonical and sitemap URLs. Nothing here reads
//! the clock: the build date is an input, so two builds of one commit for
//! one date are byte-identical.
//!
//! The site is a projection: it receives the config, the portfolio, the
//! history and the finished report as plain data from `pilotbook_core`
//! and decides no fact about a document itself (the Markdown body is
//! rendered by `pilotbook_core::parse::html`, page paths come from
//! `pilotbook_core::pages`). It must not read git, load a project or run
//! the rules; the built-in templates are embedded from the top-level
//! `templates/` folder.

pub mod budget;
mod feed;
pub mod graph;
mod output;
mod reuse;
mod sparkline;
pub mod stamp;
mod svg;
pub mod templates;
pub mod timeline;
pub mod views;

pub use output::{MARKER, OutputError, abandon_staging};
pub use templates::{TemplateError, Templates};

use pilotbook_core::config::Builtin;
use pilotbook_core::derive::Derived;
use pilotbook_core::diagnostics::Report;
use pilotbook_core::model::Portfolio;
use pilotbook_core::pages::{kind_index_page, reserved_page};
use pilotbook_core::progress::Progress;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use views::{Inputs, PageView, SiteView};

/// What `build` needs besides the model.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Where the site goes.
    pub out_dir: PathBuf,
    /// The public URL, for canonical and sitemap URLs only.
    pub base_url: Option<String>,
    /// Told `(pages rendered, pages to render)`.
    pub progress: Option<Progress>,
    /// Told the output folder when another build into it holds its lock,
    /// before this one waits for it.
    pub on_wait: Option<fn(&Path)>,
    /// Told when a page overruns `[limits] max_render_seconds`; it should
    /// remove the staging folder ([`abandon_staging`]) and end the
    /// process. `None` leaves the page to run.
    pub on_runaway: Option<budget::Runaway>,
    /// Reads the files documents link to (images, PDFs), so that the site
    /// carries them; `None` leaves such links as written.
    pub files: Option<FileReader>,
    /// Where the stamp of the site in `out_dir` is kept (see [`stamp`]):
    /// with one, a build whose inputs and folder are unchanged writes
    /// nothing. `None` always renders.
    pub stamp: Option<PathBuf>,
}

/// Reads a file of the repository by its root-relative path, confined to
/// the repository (the working tree's or the revision's), at most
/// `[limits] max_file_bytes`; `None` when it cannot or may not be read.
#[derive(Clone)]
pub struct FileReader(pub Arc<ReadFile>);

/// The function inside a [`FileReader`].
pub type ReadFile = dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync;

impl std::fmt::Debug for FileReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileReader")
    }
}

/// What rendering needs besides the model (no output folder: a rendered
/// [`Site`] lives in memory until `build` writes it).
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The public URL, for canonical and sitemap URLs only.
    pub base_url: Option<String>,
    /// Told `(pages rendered, pages to render)`.
    pub progress: Option<Progress>,
    /// Write `pilots.json`; `serve` leaves it for [`export_json`] after the
    /// pages are served, since it is the costliest file and no page needs it.
    pub export: bool,
    /// Told when a page overruns `[limits] max_render_seconds`; it should
    /// end the process. `None` leaves the page to run.
    pub on_runaway: Option<budget::Runaway>,
    /// Reads the files documents link to (see [`BuildOptions::files`]).
    pub files: Option<FileReader>,
}

/// What `build` made.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// HTML pages written.
    pub pages: usize,
    /// Findings of the render itself (`page-too-large`), sorted by path.
    pub findings: Vec<pilotbook_core::diagnostics::Diagnostic>,
    /// Pages rendered; the others were kept from the last build, their
    /// inputs unchanged.
    pub rendered: usize,
    /// Files written in all (or, when `unchanged`, in the folder).
    pub files: usize,
    /// The folder already held this site: nothing was written.
    pub unchanged: bool,
}

/// A rendered site, in memory: every file by its site-relative path.
///
/// Files are shared (`Arc`), so a rebuild that keeps most pages copies
/// pointers, not pages.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Every file, by site-relative path with `/`.
    pub files: BTreeMap<String, Arc<[u8]>>,
    /// How many of them are HTML pages.
    pub pages: usize,
    /// How many pages this render actually rendered (the rest were reused).
    pub rendered: usize,
    /// Findings of the render itself (`page-too-large`), sorted by path.
    pub findings: Vec<pilotbook_core::diagnostics::Diagnostic>,
    /// The inputs of the costly drawings, to redraw them only when they change.
    graph: Option<(Vec<graph::GraphNode>, Vec<graph::GraphEdge>)>,
    /// The rows of the list pages, for the next rebuild to take.
    rows: Arc<Rows>,
    /// What each entity page was rendered from, for the next rebuild to
    /// compare with (see [`reuse`]).
    page_inputs: reuse::PageInputs,
}

/// The rows of the list pages (portfolio, kind indexes, timeline, search
/// index), by the site path of the entity page each stands for. A rebuild
/// takes the row of every entity whose page is not stale from the previous
/// site: a row shows nothing its entity's page does not, so what makes a
/// row change makes that page stale too.
#[derive(Debug, Default)]
struct Rows {
    /// Template values, which share their contents when cloned.
    portfolio: HashMap<String, tera::Value>,
    kinds: HashMap<String, tera::Value>,
    /// The row by status, then the row by owner.
    timeline: HashMap<String, Arc<TimelineRows>>,
    /// Each entry as JSON, ready to join.
    search: HashMap<String, Arc<str>>,
}

/// What a rebuild may take from the site rendered before it.
///
/// Each entity page whose inputs hash as they did (the one rule of
/// `reuse.rs`, which `build` follows too) is copied from `previous`, and
/// so is the timeline or graph whose input is unchanged. The portfolio,
/// the kind indexes, the search index, the sitemap and `pilots.json` are
/// always rendered again: they list everything, from rows kept for the
/// entities whose pages are kept. Nothing is kept from a site whose
/// render had findings of its own (`page-too-large`), so they are
/// reported again.
pub struct Reuse<'a> {
    /// The site rendered before, from the same config and templates.
    pub previous: &'a Site,
}

/// What a render may keep, and what it hashes its pages' inputs from.
struct Reusing<'a> {
    /// `serve`'s last site, in memory.
    memory: Option<&'a Reuse<'a>>,
    /// `build`'s last site, in its output folder.
    disk: &'a stamp::Kept,
    /// What every page reads and each entity's own inputs ([`reuse`]),
    /// when the pages' inputs are to be hashed.
    hashes: Option<(blake3::Hash, &'a [blake3::Hash])>,
}

/// Why the site could not be built (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to load.
    #[error("template error: {0}")]
    Template(TemplateError),
    /// A page failed to render.
    #[error("template error while rendering {page}: {message}")]
    Page {
        /// The page being rendered.
        page: String,
        /// Tera's message, with the template, line and column.
        message: String,
    },
    /// The site could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

// By hand, not `#[from]`: the message already holds the template's, and a
// source would print it twice.
impl From<TemplateError> for RenderError {
    fn from(e: TemplateError) -> Self {
        RenderError::Template(e)
    }
}

/// How many `../` lead from a site path to the root.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    /// Title.
    t: &'a str,
    /// URL, site-relative.
    u: String,
    /// Kind label.
    k: &'a str,
    /// Owner's name.
    o: String,
    /// Metric and system ids.
    m: String,
    /// Text excerpt.
    x: String,
}

/// The first words of a body, without Markdown punctuation.
/// How much of a document's text the search index holds: the whole body
/// of a pilot document as people write them (the example's longest is under
/// 4 KiB of text), while a 10,000-pilot site's index stays within a few
/// tens of MiB, loaded only when someone first searches.
const SEARCH_TEXT_BYTES: usize = 6 * 1024;

fn excerpt(body: &str, limit: usize) -> String {
    let mut out = String::new();
    for line in body.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("```") {
            continue;
        }
        for word in line.split_whitespace() {
            let word = word.trim_matches(|c: char| "*_`>[]()#-|:".contains(c));
            if word.is_empty() {
                continue;
            }
            if out.len() + word.len() + 1 > limit {
                return out;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Build the site into `options.out_dir`: pages are written as they are
/// rendered, in parallel, so the site is never held in memory whole.
/// Milestones are judged, and the timeline's today line drawn, as of the
/// derived model's date.
pub fn build(
    root: &Path,
    derived: &Derived,
    report: &Report,
    options: &BuildOptions,
) -> Result<BuildSummary, RenderError> {
    let (config, portfolio, history) = (derived.config(), derived.portfolio(), derived.history());
    let stage = tracing::info_span!("render").entered();
    // Refuse a dangerous output folder before doing any work.
    output::check_target(&options.out_dir, root)?;
    let overrides = templates::override_texts(root)?;
    let templates = Templates::with_overrides(&overrides)?;
    let staging = output::Staging::begin(&options.out_dir, root, options.on_wait)?;
    let inputs = options.stamp.as_ref().map(|_| {
        stamp::Inputs::of(&stamp::What {
            config,
            portfolio,
            history,
            report,
            overrides: &overrides,
            base_url: options.base_url.as_deref(),
            today: derived.today(),
        })
    });
    let keep = match consult_stamp(options, inputs.as_ref()) {
        // Dropped uncommitted: the staging folder goes, the site stays.
        Start::UpToDate(summary) => return Ok(summary),
        Start::Render(keep) => keep,
    };
    let write = |path: String, bytes: Bytes| -> Result<(), RenderError> {
        match bytes {
            // Streamed: at 10,000 pilots it is about 100 MB.
            Bytes::Export(export) => staging.write_with(&path, |out| {
                serde_json::to_writer(&mut *out, &export)?;
                out.write_all(b"\n")
            })?,
            Bytes::Shared(bytes) => staging.write(&path, &bytes)?,
            Bytes::Owned(bytes) => staging.write(&path, &bytes)?,
            Bytes::Parts(parts) => staging.write_with(&path, |out| {
                parts.iter().try_for_each(|part| out.write_all(part))
            })?,
            Bytes::Stream(fill) => staging.write_with(&path, fill)?,
            Bytes::Previous => staging.keep(&path)?,
        }
        Ok(())
    };
    let rendered = render_into(
        derived,
        report,
        &templates,
        &SiteOptions {
            base_url: options.base_url.clone(),
            progress: options.progress.clone(),
            export: true,
            on_runaway: options.on_runaway.clone(),
            files: options.files.clone(),
        },
        &Reusing {
            memory: None,
            disk: &keep,
            hashes: inputs.as_ref().map(|i| (i.global, i.own.as_slice())),
        },
        &write,
        None,
    )?;
    drop(stage);
    let _stage = tracing::info_span!("write").entered();
    let files = staging.files();
    staging.commit()?;
    if let (Some(file), Some(inputs)) = (&options.stamp, inputs)
        && rendered.findings.is_empty()
        && let Some(made) = stamp::make(
            inputs,
            (rendered.linked, rendered.drawings),
            rendered.page_inputs,
            &options.out_dir,
            (rendered.pages, files),
        )
    {
        stamp::store(file, &made);
    }
    Ok(BuildSummary {
        pages: rendered.pages,
        rendered: rendered.rendered,
        findings: rendered.findings,
        files,
        unchanged: false,
    })
}

/// How a build starts, by the stamp of the site in its folder.
enum Start {
    /// The folder holds this very site.
    UpToDate(BuildSummary),
    /// Render, keeping what the folder holds of it.
    Render(stamp::Kept),
}

/// Read the stamp (when the build keeps one) and compare; any stamp but
/// one saying "up to date" is removed, since the folder is about to change.
fn consult_stamp(options: &BuildOptions, inputs: Option<&stamp::Inputs>) -> Start {
    let (Some(file), Some(inputs)) = (&options.stamp, inputs) else {
        return Start::Render(Default::default());
    };
    let read = |path: &str| options.files.as_ref().and_then(|f| (f.0)(path));
    let mut keep = stamp::Kept {
        record: true,
        ..Default::default()
    };
    if let Some(previous) = stamp::load(file) {
        match stamp::compare(&previous, inputs, &read, &options.out_dir) {
            stamp::Verdict::Unchanged => {
                return Start::UpToDate(BuildSummary {
                    pages: previous.pages,
                    rendered: 0,
                    findings: Vec::new(),
                    files: previous.written,
                    unchanged: true,
                });
            }
            stamp::Verdict::Keep(kept) => keep = kept,
        }
    }
    stamp::remove(file);
    Start::Render(keep)
}

/// Render the site into memory. With `reuse`, only what changed is
/// rendered again (see [`Reuse`]); the result is the same as a full render.
pub fn render_site(
    derived: &Derived,
    report: &Report,
    templates: &Templates,
    options: &SiteOptions,
    reuse: Option<&Reuse>,
) -> Result<Site, RenderError> {
    let _stage = tracing::info_span!("render").entered();
    let files = std::sync::Mutex::new(BTreeMap::new());
    let keep = |path: String, bytes: Bytes| -> Result<(), RenderError> {
        let bytes = match bytes {
            Bytes::Shared(b) => b,
            Bytes::Owned(b) => b.into(),
            Bytes::Parts(parts) => parts.concat().into(),
            Bytes::Export(export) => export_bytes(&export).into(),
            Bytes::Stream(fill) => {
                let mut bytes = Vec::new();
                fill(&mut bytes).map_err(|source| output::OutputError::Io {
                    path: path.clone().into(),
                    source,
                })?;
                bytes.into()
            }
            // Only `build` keeps pages on disk: nothing asks for one here.
            Bytes::Previous => {
                return Err(RenderError::Output(output::OutputError::Io {
                    path: path.into(),
                    source: std::io::Error::other("no previous site in memory"),
                }));
            }
        };
        // A poisoned lock means a render thread panicked: that panic is
        // already on its way, so the file can be dropped.
        if let Ok(mut files) = files.lock() {
            files.insert(path, bytes);
        }
        Ok(())
    };
    let rows = std::sync::Mutex::new(Rows::default());
    let what = reuse::What {
        config: derived.config(),
        portfolio: derived.portfolio(),
        history: derived.history(),
        report,
        // `serve` keeps nothing across a change of templates.
        overrides: &[],
        base_url: options.base_url.as_deref(),
        today: derived.today(),
    };
    let own = reuse::own(&what);
    let rendered = render_into(
        derived,
        report,
        templates,
        options,
        &Reusing {
            memory: reuse.filter(|r| r.previous.findings.is_empty()),
            disk: &stamp::Kept::default(),
            hashes: Some((reuse::global(&what), &own)),
        },
        &keep,
        Some(&rows),
    )?;
    Ok(Site {
        files: files.into_inner().unwrap_or_default(),
        pages: rendered.pages,
        rendered: rendered.rendered,
        findings: rendered.findings,
        graph: Some(rendered.graph),
        rows: Arc::new(rows.into_inner().unwrap_or_default()),
        page_inputs: rendered.page_inputs,
    })
}

/// What a render made besides its files.
struct Rendered {
    pages: usize,
    /// The files pages linked to, by repository path, with the hash of
    /// their bytes (`None`: no such file), for the stamp.
    linked: BTreeMap<String, Option<String>>,
    /// The drawings' input hashes, for the stamp (see [`stamp::Kept`]).
    drawings: BTreeMap<String, String>,
    rendered: usize,
    findings: Vec<pilotbook_core::diagnostics::Diagnostic>,
    graph: (Vec<graph::GraphNode>, Vec<graph::GraphEdge>),
    /// What each entity page was rendered from (empty when not hashed).
    page_inputs: reuse::PageInputs,
}

/// One file of the site to make. The list of jobs is made in site order
/// first (cheap); the jobs then run in parallel, each building its view,
/// rendering it and handing the bytes on.
enum Job {
    /// `pilots.json` (the costliest file, so it comes first).
    Export,
    /// The portfolio page.
    Portfolio,
    /// A pilot's page, by entity index.
    Pilot(usize, String),
    /// Another entity's page, by entity index.
    Entity(usize, String),
    /// A kind's index page.
    KindIndex(usize, String),
    Timeline,
    Graph,
    NotFound,
    Sitemap,
    SearchIndex,
    /// `feed.xml`, the portfolio's events.
    Feed,
    /// `rollup.html`, per owner and per team.
    Rollup,
    /// A pilot's badge, by entity index.
    Badge(usize),
    /// An asset, by index in the templates' assets.
    Asset(usize),
    /// A page of the previous site, unchanged.
    Kept(String, Arc<[u8]>),
    /// A page of the last build's folder, whose inputs are unchanged.
    OnDisk(String),
}

/// A file's bytes: kept from the previous site, made now (and written by
/// `build` without a copy), or the export and the other files of tens of
/// megabytes at 10,000 pilots (the timeline, the search index), which
/// `build` streams to the file piece by piece, never holding them whole.
enum Bytes<'a> {
    Shared(Arc<[u8]>),
    Owned(Vec<u8>),
    /// A large page, in the parts it was rendered in (see
    /// [`budget::PageWriter`]).
    Parts(Vec<Vec<u8>>),
    Export(pilotbook_core::export::Export<'a>),
    Stream(Fill<'a>),
    /// The last build's file at this path, unchanged (see [`stamp`]).
    Previous,
}

impl Bytes<'_> {
    /// A rendered page: one buffer, or the parts of a large one.
    fn of_page(out: budget::PageWriter) -> Self {
        let mut parts = out.into_parts();
        match parts.len() {
            1 => Bytes::Owned(parts.pop().unwrap_or_default()),
            _ => Bytes::Parts(parts),
        }
    }

    /// A page made now, in one piece (a drawing's shell, whose markers are
    /// then filled); anything else is handed back.
    fn into_whole(self) -> Result<Vec<u8>, Self> {
        match self {
            Bytes::Owned(bytes) => Ok(bytes),
            Bytes::Parts(parts) => Ok(parts.concat()),
            other => Err(other),
        }
    }
}

/// Writes a streamed file's bytes to the writer it is given.
type Fill<'a> = Box<dyn FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + 'a>;

/// A job's outcome: the file, and whether it was an HTML page rendered now.
type Made<'a> = (String, Bytes<'a>, bool);

/// Render every file of the site and hand each to `sink` (from several
/// threads at once). What `reusing` holds of an earlier site is kept
/// where its inputs are unchanged; the rest is rendered again.
fn render_into(
    derived: &Derived,
    report: &Report,
    templates: &Templates,
    options: &SiteOptions,
    reusing: &Reusing,
    sink: &(dyn Fn(String, Bytes) -> Result<(), RenderError> + Sync),
    keep_rows: Option<&std::sync::Mutex<Rows>>,
) -> Result<Rendered, RenderError> {
    let tera = &templates.tera;
    let phase = tracing::info_span!("inputs").entered();
    let (config, portfolio) = (derived.config(), derived.portfolio());
    let today = derived.today();
    let mut inputs = Inputs::new(derived, report);
    inputs.files = options.files.clone();
    let page_inputs = reusing
        .hashes
        .map(|(global, own)| reuse::PageInputs::of(&inputs, &global, own))
        .unwrap_or_default();
    // The one rule for `serve` and `build` alike: an entity page is kept
    // when its inputs hash as they did when it was rendered.
    let previous_inputs = match reusing.memory {
        Some(r) => Some(&r.previous.page_inputs),
        None => reusing.disk.previous.as_ref(),
    };
    let same_inputs = previous_inputs
        .map(|p| page_inputs.unchanged(p))
        .unwrap_or_default();
    let reuse = reusing.memory;
    let on_disk = reusing.disk;
    let nav = inputs.nav();
    let pilots = defined_pilots(portfolio).next().is_some();
    // A site of other kinds only opens on the first of them with documents.
    let front_kind = (!pilots)
        .then(|| {
            (0..config.kinds.len()).find(|&k| {
                config.kinds[k].builtin.is_none()
                    && portfolio.of_kind(k).iter().any(|e| e.defined())
            })
        })
        .flatten();
    drop(phase);
    let phase = tracing::info_span!("plan pages").entered();
    let site = |path: &str| SiteView {
        title: config.site.title.clone(),
        root: root_of(path),
        repository: config.site.repository.clone(),
        kinds: nav.clone(),
        pilots,
        today: today.to_string(),
        version: env!("CARGO_PKG_VERSION"),
    };
    let context = |path: &str, title: &str, kind: &'static str| {
        let mut c = tera::Context::new();
        c.insert("site", &site(path));
        c.insert(
            "page",
            &PageView {
                title: title.to_string(),
                path: path.to_string(),
                kind,
                canonical: options
                    .base_url
                    .as_ref()
                    .map(|b| format!("{}/{path}", b.trim_end_matches('/'))),
            },
        );
        c
    };
    // A page of the previous site, when this one may keep it.
    let kept = |path: &str, unchanged: bool| -> Option<Arc<[u8]>> {
        let reuse = reuse?;
        if !unchanged {
            return None;
        }
        reuse.previous.files.get(path).cloned()
    };
    let stale = |path: &str| reuse.is_none() || !same_inputs.contains(path);
    // The previous site's rows, for entities whose page is not stale.
    let previous_rows = reuse.map(|r| &*r.previous.rows);
    let row_kept = |path: &str| previous_rows.filter(|_| !stale(path));
    // Hand a list page's rows on to the next rebuild.
    let keep = |put: &dyn Fn(&mut Rows)| {
        if let Some(rows) = keep_rows
            && let Ok(mut rows) = rows.lock()
        {
            put(&mut rows);
        }
    };

    // The jobs, and every page in site order for the sitemap.
    let mut jobs: Vec<Job> = Vec::new();
    let mut order: Vec<String> = Vec::new();
    if options.export {
        jobs.push(Job::Export);
    }
    order.push("index.html".into());
    jobs.push(match front_kind {
        Some(k) => Job::KindIndex(k, "index.html".into()),
        None => Job::Portfolio,
    });
    // Two documents with one id (`duplicate-id`) have a page each: the
    // later one's is at its path (`pages::page_path`). Kept as a guard.
    let mut planned: std::collections::HashSet<String> = Default::default();
    for (k, kind) in config.kinds.iter().enumerate() {
        let start = portfolio.entities.partition_point(|e| e.kind < k);
        for (offset, e) in portfolio.of_kind(k).iter().enumerate() {
            let index = start + offset;
            let is_pilot_page = kind.builtin == Some(Builtin::Pilot) && e.defined();
            if is_pilot_page && e.pilot.is_none() {
                continue;
            }
            // `reserved-id` reported it; the generated page stays.
            if !e.duplicate && reserved_page(inputs.kind_dir(k), &e.id).is_some() {
                continue;
            }
            let path = inputs.href(e);
            if !planned.insert(path.clone()) {
                continue;
            }
            order.push(path.clone());
            jobs.push(match kept(&path, !stale(&path)) {
                Some(bytes) => Job::Kept(path, bytes),
                None if on_disk.previous.is_some() && same_inputs.contains(&path) => {
                    Job::OnDisk(path)
                }
                None if is_pilot_page => Job::Pilot(index, path),
                None => Job::Entity(index, path),
            });
        }
        let path = kind_index_page(inputs.kind_dir(k));
        order.push(path.clone());
        jobs.push(Job::KindIndex(k, path));
    }

    drop(phase);
    let phase = tracing::info_span!("timeline input").entered();
    // The timeline and the graph are drawn again only when their input
    // changed. The timeline's is unchanged when the pilots are the same and
    // every row worked out again equals the one it replaces.
    let mut timeline_unchanged = previous_rows.is_some();
    let timeline_rows: Vec<(String, Arc<TimelineRows>)> = defined_pilots(portfolio)
        .filter_map(|(index, e)| {
            let path = inputs.href(e);
            let previous = previous_rows.and_then(|r| r.timeline.get(&path));
            timeline_unchanged &= previous.is_some();
            let row = match row_kept(&path).and(previous) {
                Some(row) => Arc::clone(row),
                None => {
                    let row = Arc::new(pilot_timeline_rows(&inputs, index)?);
                    timeline_unchanged &= previous == Some(&row);
                    row
                }
            };
            Some((path, row))
        })
        .collect();
    timeline_unchanged &= previous_rows.is_some_and(|r| r.timeline.len() == timeline_rows.len());
    keep(&|k| k.timeline = timeline_rows.iter().cloned().collect());
    order.push("timeline.html".into());
    let mut drawings = BTreeMap::new();
    let (hash, on_disk_same) = on_disk.drawing("timeline.html", &timeline_rows);
    drawings.extend(hash.map(|h| ("timeline.html".to_string(), h)));
    jobs.push(match kept("timeline.html", timeline_unchanged) {
        Some(bytes) => Job::Kept("timeline.html".into(), bytes),
        None if on_disk_same => Job::OnDisk("timeline.html".into()),
        None => Job::Timeline,
    });
    // Taken by the timeline's job and dropped when it is drawn: the rest
    // of the pages need not hold them (megabytes at 10,000 pilots).
    let timeline_rows = std::sync::Mutex::new(timeline_rows);
    drop(phase);
    let phase = tracing::info_span!("plan").entered();
    let graph_in = graph_input(&inputs);
    let unchanged = reuse.is_some_and(|r| r.previous.graph.as_ref() == Some(&graph_in));
    order.push("graph.html".into());
    let (hash, on_disk_same) = on_disk.drawing("graph.html", &graph_in);
    drawings.extend(hash.map(|h| ("graph.html".to_string(), h)));
    jobs.push(match kept("graph.html", unchanged) {
        Some(bytes) => Job::Kept("graph.html".into(), bytes),
        None if on_disk_same => Job::OnDisk("graph.html".into()),
        None => Job::Graph,
    });
    order.push("rollup.html".into());
    jobs.push(Job::Rollup);
    order.push("404.html".into());
    jobs.push(Job::NotFound);
    jobs.push(Job::Sitemap);
    jobs.push(Job::SearchIndex);
    jobs.push(Job::Feed);
    // A badge is named by its id: a later document with the same id has none.
    jobs.extend(
        defined_pilots(portfolio)
            .filter(|(_, e)| !e.duplicate)
            .map(|(i, e)| {
                match on_disk.previous.is_some() && same_inputs.contains(&inputs.href(e)) {
                    // A badge shows its pilot's status and readiness, which
                    // its page shows too.
                    true => Job::OnDisk(feed::badge_path(&e.id)),
                    false => Job::Badge(i),
                }
            }),
    );
    let assets = &templates.assets;
    jobs.extend((0..assets.len()).map(Job::Asset));
    spread_heavy_jobs(&mut jobs);
    drop(phase);
    let phase = tracing::info_span!("pages").entered();

    let limits = config.limits;
    let watchdog = options
        .on_runaway
        .clone()
        .map(|hook| budget::Watchdog::start(limits.max_render_seconds, hook));
    let page = |path: &str, template: &str, c: &tera::Context| -> Result<Made, RenderError> {
        let _watched = watchdog.as_ref().map(|w| w.page(path, template));
        budget::start_page(limits.max_render_seconds);
        let mut out = budget::PageWriter::new(budget::page_cap(limits.max_html_bytes));
        let rendered = tera.render_to(template, c, &mut out);
        let message = match (rendered, out.stopped.take()) {
            (Ok(()), _) => return Ok((path.to_string(), Bytes::of_page(out), true)),
            (Err(_), Some(budget::Stopped::Size(cap))) => format!(
                "template `{template}` (or one it extends or includes) wrote more than {cap} bytes: a loop without end?"
            ),
            (Err(_), Some(budget::Stopped::Time(why))) => {
                format!("template `{template}` (or one it extends or includes): {why}")
            }
            (Err(e), None) => templates::tera_message(&e),
        };
        Err(RenderError::Page {
            page: path.to_string(),
            message,
        })
    };
    let run = |job: &Job| -> Result<Made, RenderError> {
        match job {
            Job::Export => Ok((
                "pilots.json".into(),
                Bytes::Export(pilotbook_core::export::export(derived)),
                false,
            )),
            Job::Portfolio => {
                let rows: Vec<(String, tera::Value)> = defined_pilots(portfolio)
                    .filter_map(|(index, e)| {
                        let path = inputs.href(e);
                        let row = match row_kept(&path).and_then(|r| r.portfolio.get(&path)) {
                            Some(row) => row.clone(),
                            None => tera::Value::from_serializable(&inputs.portfolio_row(index)?),
                        };
                        Some((path, row))
                    })
                    .collect();
                keep(&|k| k.portfolio = rows.iter().cloned().collect());
                let mut rows: Vec<_> = rows.into_iter().map(|(_, row)| row).collect();
                // By title, as a reader looks a pilot up; the page sorts
                // by any other column.
                let title = |row: &tera::Value| {
                    row.get_from_path("pilot.title")
                        .and_then(|t| t.as_str())
                        .map(str::to_lowercase)
                };
                rows.sort_by_cached_key(title);
                let indexes: Vec<usize> = defined_pilots(portfolio).map(|(i, _)| i).collect();
                let mut c = context("index.html", &config.site.title, "portfolio");
                c.insert("overview", &inputs.overview(&indexes));
                c.insert_value("rows", tera::Value::from(rows));
                c.insert("statuses", &pilotbook_core::config::PILOT_STATUSES);
                c.insert("summary", &report_summary(report));
                c.insert("sources", &inputs.sources());
                page("index.html", "portfolio.html", &c)
            }
            Job::Pilot(index, path) => {
                let e = &portfolio.entities[*index];
                let mut c = context(path, &e.title, "pilot");
                c.insert("pilot", &inputs.pilot_view(*index));
                page(path, "pilot.html", &c)
            }
            Job::Entity(index, path) => {
                let e = &portfolio.entities[*index];
                let mut c = context(path, &e.title, "entity");
                c.insert("entity", &inputs.entity_view(*index));
                page(path, "entity.html", &c)
            }
            Job::KindIndex(k, path) => {
                let kind = &config.kinds[*k];
                let label = views::kind_label(&kind.name, kind.builtin);
                let rows: Vec<(String, tera::Value)> = portfolio
                    .of_kind(*k)
                    .iter()
                    .map(|e| {
                        let path = inputs.href(e);
                        let row = row_kept(&path)
                            .and_then(|r| r.kinds.get(&path).cloned())
                            .unwrap_or_else(|| tera::Value::from_serializable(&inputs.kind_row(e)));
                        (path, row)
                    })
                    .collect();
                keep(&|k| k.kinds.extend(rows.iter().cloned()));
                let rows: Vec<_> = rows.into_iter().map(|(_, row)| row).collect();
                let statuses = kind_statuses(kind, &rows);
                let years = by_year(&rows);
                let mut c = context(path, &label, "index");
                let value: HashMap<&'static str, tera::Value> = [
                    ("name", tera::Value::from(kind.name.as_str())),
                    ("label", tera::Value::from(label.as_str())),
                    ("rows", tera::Value::from(rows)),
                    ("statuses", tera::Value::from(statuses)),
                    ("years", years),
                ]
                .into_iter()
                .collect();
                c.insert_value("kind", tera::Value::from(value));
                page(path, "kind.html", &c)
            }
            Job::Timeline => {
                let taken = match timeline_rows.lock() {
                    Ok(mut rows) => std::mem::take(&mut *rows),
                    Err(_) => Vec::new(),
                };
                let (mut by_status, mut by_owner, mut by_team) =
                    (Vec::new(), Vec::new(), Vec::new());
                for (_, rows) in taken {
                    // Shared only with what `serve` keeps for its next render.
                    let (status, owner, team) = Arc::unwrap_or_clone(rows);
                    by_status.push(status);
                    by_owner.push(owner);
                    by_team.push(team);
                }
                sort_timeline(&mut by_status, false);
                sort_timeline(&mut by_owner, true);
                sort_timeline(&mut by_team, true);
                let mut c = context("timeline.html", "Production-path timeline", "timeline");
                let groupings = [
                    ("by-status", "tab-status", by_status),
                    ("by-owner", "tab-owner", by_owner),
                    ("by-team", "tab-team", by_team),
                ];
                // The charts and the list are megabytes each at 10,000
                // pilots: the template gets markers, and each drawing is
                // made when its marker is reached and dropped once copied.
                let panels: Vec<tera::Value> = groupings
                    .iter()
                    .enumerate()
                    .map(|(i, (id, tab, _))| {
                        let panel: HashMap<&'static str, tera::Value> = [
                            ("id", tera::Value::from(*id)),
                            ("tab", tera::Value::from(*tab)),
                            ("svg", tera::Value::from(drawing_marker(i))),
                        ]
                        .into_iter()
                        .collect();
                        tera::Value::from(panel)
                    })
                    .collect();
                c.insert_value("panels", tera::Value::from(panels));
                c.insert("list", &drawing_marker(groupings.len()));
                c.insert("statuses", &pilotbook_core::config::PILOT_STATUSES);
                let (path, bytes, is_page) = page("timeline.html", "timeline.html", &c)?;
                let shell = match bytes.into_whole() {
                    Ok(shell) => shell,
                    Err(bytes) => return Ok((path, bytes, is_page)),
                };
                let fill = move |out: &mut dyn std::io::Write| {
                    fill_markers(out, &shell, groupings.len() + 1, |i, out| {
                        match groupings.get(i) {
                            Some((_, _, rows)) => timeline::render_to(out, rows, today),
                            // Narrow screens get one list, by status.
                            None => timeline::render_list_to(out, &groupings[0].2, ""),
                        }
                    })
                };
                Ok((path, Bytes::Stream(Box::new(fill)), is_page))
            }
            Job::Graph => {
                // The drawings are megabytes at 10,000 pilots: as on the
                // timeline, the template gets markers, and each drawing is
                // copied into the page when its marker is reached, never
                // through Tera (whose `safe` filter copies it) or the
                // page's buffer.
                let drawn = graph::render(&graph_in.0, &graph_in.1);
                let components: Vec<tera::Value> = drawn
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let component: BTreeMap<&'static str, tera::Value> = BTreeMap::from([
                            ("svg", drawing_marker(i).into()),
                            ("nodes", c.nodes.into()),
                            ("edges", c.edges.into()),
                        ]);
                        component.into()
                    })
                    .collect();
                let mut c = context("graph.html", "Dependency graph", "graph");
                c.insert_value("components", components.into());
                let (path, bytes, is_page) = page("graph.html", "graph.html", &c)?;
                let shell = match bytes.into_whole() {
                    Ok(shell) => shell,
                    Err(bytes) => return Ok((path, bytes, is_page)),
                };
                let svgs: Vec<String> = drawn.into_iter().map(|c| c.svg).collect();
                let fill = move |out: &mut dyn std::io::Write| {
                    fill_markers(out, &shell, svgs.len(), |i, out| {
                        out.write_all(svgs.get(i).map_or(&[][..], |s| s.as_bytes()))
                    })
                };
                Ok((path, Bytes::Stream(Box::new(fill)), is_page))
            }
            Job::NotFound => {
                // The 404 page is served at any path: with a base URL its
                // links are absolute, so they work wherever it is shown.
                let mut c = context("404.html", "Page not found", "404");
                if let Some(base) = &options.base_url {
                    let mut s = site("404.html");
                    s.root = format!("{}/", base.trim_end_matches('/'));
                    c.insert("site", &s);
                }
                page("404.html", "404.html", &c)
            }
            Job::Sitemap => {
                // The sitemap lists every page but the 404.
                let urls: Vec<String> = order
                    .iter()
                    .filter(|p| *p != "404.html")
                    .map(|p| match &options.base_url {
                        Some(b) => format!("{}/{}", b.trim_end_matches('/'), p),
                        None => p.clone(),
                    })
                    .collect();
                let mut c = tera::Context::new();
                c.insert("urls", &urls);
                let (path, bytes, _) = page("sitemap.xml", "sitemap.xml", &c)?;
                Ok((path, bytes, false))
            }
            Job::SearchIndex => {
                // Each entry is made, written and dropped, unless a later
                // rebuild keeps the rows.
                let fill = |out: &mut dyn std::io::Write| {
                    let mut kept = Vec::new();
                    let entries = portfolio.entities.iter().filter(|e| e.defined()).map(|e| {
                        let path = inputs.href(e);
                        let entry: Arc<str> = row_kept(&path)
                            .and_then(|r| r.search.get(&path).cloned())
                            .unwrap_or_else(|| search_entry(&inputs, e).into());
                        if keep_rows.is_some() {
                            kept.push((path, Arc::clone(&entry)));
                        }
                        entry
                    });
                    write_search_index(out, entries)?;
                    keep(&|k| k.search = kept.iter().cloned().collect());
                    Ok(())
                };
                Ok((
                    "assets/search-index.js".into(),
                    Bytes::Stream(Box::new(fill)),
                    false,
                ))
            }
            Job::Rollup => {
                let pilots: Vec<usize> = defined_pilots(portfolio).map(|(i, _)| i).collect();
                let mut c = context("rollup.html", "Owners and teams", "rollup");
                c.insert("rollup", &inputs.rollup(&pilots));
                c.insert("statuses", &pilotbook_core::derive::STATUSES);
                page("rollup.html", "rollup.html", &c)
            }
            Job::Feed => {
                let pilots: Vec<usize> = defined_pilots(portfolio).map(|(i, _)| i).collect();
                let xml = feed::atom(&inputs, &pilots, options.base_url.as_deref());
                Ok(("feed.xml".into(), Bytes::Owned(xml.into_bytes()), false))
            }
            Job::Badge(i) => {
                let e = &portfolio.entities[*i];
                let svg = match inputs.facts(*i) {
                    Some((facts, ready)) => {
                        feed::badge(facts.record.status, ready.ready, ready.required)
                    }
                    None => feed::badge(None, 0, 0),
                };
                Ok((
                    feed::badge_path(&e.id),
                    Bytes::Owned(svg.into_bytes()),
                    false,
                ))
            }
            Job::Asset(i) => {
                let (name, text) = &assets[*i];
                Ok((
                    format!("assets/{name}"),
                    Bytes::Owned(text.as_bytes().to_vec()),
                    false,
                ))
            }
            Job::Kept(path, bytes) => Ok((path.clone(), Bytes::Shared(Arc::clone(bytes)), false)),
            Job::OnDisk(path) => Ok((path.clone(), Bytes::Previous, false)),
        }
    };

    // Run in parallel; the first error in job order wins, so a failing
    // build names the same page every time.
    let total = jobs.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let rendered = std::sync::atomic::AtomicUsize::new(0);
    let one_heavy = std::sync::Mutex::new(());
    let results: Vec<Result<(), RenderError>> = jobs
        .par_iter()
        .with_max_len(1)
        .map(|job| {
            // A poisoned lock means a job panicked: that panic is on its way.
            let _alone = is_heavy(job).then(|| one_heavy.lock().ok()).flatten();
            let (path, bytes, is_page) = run(job)?;
            if is_page {
                rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let result = sink(path, bytes);
            if let Some(progress) = &options.progress {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress.report(n, total);
            }
            result
        })
        .collect();
    results.into_iter().collect::<Result<(), RenderError>>()?;
    // The files the pages link to, once each, after every page named them.
    let mut linked = BTreeMap::new();
    for (source, bytes) in inputs.linked_files() {
        linked.insert(source.clone(), stamp::file_hash(bytes.as_deref()));
        if let Some(bytes) = bytes {
            sink(views::carried_path(&source), Bytes::Shared(bytes))?;
        }
    }
    drop(phase);
    let mut findings = match inputs.refused.lock() {
        Ok(mut refused) => std::mem::take(&mut *refused),
        Err(_) => Vec::new(),
    };
    findings.sort_by(|a, b| a.path.cmp(&b.path));
    findings.dedup_by(|a, b| a.path == b.path);

    Ok(Rendered {
        pages: order.len(),
        linked,
        drawings,
        rendered: rendered.into_inner(),
        findings,
        graph: graph_in,
        page_inputs,
    })
}

/// `pilots.json`: the export, as the site publishes it. Compact, unlike
/// `pilotbook export`'s output: it is for tools, and at 10,000 pilots the
/// indentation alone would be megabytes.
pub fn export_json(derived: &Derived) -> Vec<u8> {
    export_bytes(&pilotbook_core::export::export(derived))
}

fn export_bytes(export: &pilotbook_core::export::Export) -> Vec<u8> {
    let mut json = serde_json::to_vec(export).unwrap_or_default();
    json.push(b'\n');
    json
}

fn report_summary(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "documents": report.documents,
        "errors": report.errors(),
        "warnings": report.warnings(),
    })
}

/// The pilots with a document of their own, with their entity index.
/// The statuses a kind's index filters by: the statuses its rows have,
/// in the order of its `status` enum when it declares one. Empty when no
/// row has a status (the index then has no filter).
fn kind_statuses(kind: &pilotbook_core::config::KindConfig, rows: &[tera::Value]) -> Vec<String> {
    let seen: std::collections::BTreeSet<String> = rows
        .iter()
        .filter_map(|r| r.get_from_path("status")?.as_str().map(str::to_string))
        .collect();
    match kind.fields.get("status") {
        Some(pilotbook_core::config::FieldType::Enum(values)) if !seen.is_empty() => values
            .iter()
            .filter(|v| seen.contains(*v))
            .cloned()
            .chain(seen.iter().filter(|s| !values.contains(s)).cloned())
            .collect(),
        _ => seen.into_iter().collect(),
    }
}

/// A kind's dated rows, newest first, grouped by year: its timeline of
/// dates (`[{year, rows}]`).
fn by_year(rows: &[tera::Value]) -> tera::Value {
    let date = |r: &tera::Value| r.get_from_path("date")?.as_str().map(str::to_string);
    let mut dated: Vec<(String, &tera::Value)> =
        rows.iter().filter_map(|r| Some((date(r)?, r))).collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0));
    let mut years: Vec<(String, Vec<tera::Value>)> = Vec::new();
    for (date, row) in dated {
        let year = date.get(..4).unwrap_or(&date).to_string();
        match years.last_mut() {
            Some((y, rows)) if *y == year => rows.push(row.clone()),
            _ => years.push((year, vec![row.clone()])),
        }
    }
    tera::Value::from(
        years
            .into_iter()
            .map(|(year, rows)| {
                let group: HashMap<&'static str, tera::Value> = [
                    ("year", tera::Value::from(year)),
                    ("rows", tera::Value::from(rows)),
                ]
                .into_iter()
                .collect();
                tera::Value::from(group)
            })
            .collect::<Vec<_>>(),
    )
}

fn defined_pilots(
    portfolio: &Portfolio,
) -> impl Iterator<Item = (usize, &pilotbook_core::model::Entity)> {
    portfolio
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.pilot.is_some() && e.defined())
}

/// A pilot's timeline rows grouped by status, by owner and by team.
type TimelineRows = (
    timeline::TimelineRow,
    timeline::TimelineRow,
    timeline::TimelineRow,
);

/// Whether a job makes a whole-portfolio page (a list of every pilot, a
/// drawing of all of them): megabytes of views at 10,000 pilots. No two
/// run at once (the export streams from the model and is not one). Such a
/// job must not wait on rayon work of its own: a thread that waits there
/// may pick up another heavy job, and the lock it would then wait for is
/// its own.
fn is_heavy(job: &Job) -> bool {
    matches!(
        job,
        Job::Timeline | Job::Graph | Job::Portfolio | Job::KindIndex(..)
    )
}

/// Order the jobs so that the whole-portfolio pages meet as seldom as
/// possible. rayon hands each of two threads a contiguous half of the
/// list, so a job at fraction `f` of the first half and one at fraction
/// `f` of the second start together. The export, the longest, goes first;
/// the portfolio page and the drawings go at 1/6, 1/2 and 5/6 of the
/// pages (for three), which one thread reaches at a third of its way, the
/// other at its start and at two thirds. Together, their working sets
/// added up to the build's peak memory; apart, each meets only the pages'
/// steady state, none waits for the other ([`is_heavy`]), and none is
/// left for the end.
fn spread_heavy_jobs(jobs: &mut Vec<Job>) {
    let moved = |j: &Job| matches!(j, Job::Export | Job::Timeline | Job::Graph | Job::Portfolio);
    let (mut spread, rest): (Vec<Job>, Vec<Job>) =
        std::mem::take(jobs).into_iter().partition(moved);
    // The export first, then the others in the order they were planned.
    spread.sort_by_key(|j| !matches!(j, Job::Export));
    let exports = spread
        .iter()
        .take_while(|j| matches!(j, Job::Export))
        .count();
    let mut spread = spread.into_iter();
    jobs.extend(spread.by_ref().take(exports));
    let (heavy, total) = (spread.len(), rest.len());
    let mut placed = 0;
    for (i, job) in rest.into_iter().enumerate() {
        // The k-th (from 0) at (2k + 1) / 2h of the pages.
        while placed < heavy && i * 2 * heavy >= (2 * placed + 1) * total {
            jobs.extend(spread.next());
            placed += 1;
        }
        jobs.push(job);
    }
    jobs.extend(spread);
}

/// A pilot's timeline rows, grouped by status, by owner and by team, from
/// its derived facts (milestone states, slips, status timeline).
fn pilot_timeline_rows(inputs: &Inputs, index: usize) -> Option<TimelineRows> {
    let e = &inputs.portfolio.entities[index];
    let (facts, _) = inputs.facts(index)?;
    let owner = facts
        .record
        .owner
        .and_then(|id| {
            inputs.portfolio.get(&pilotbook_core::model::EntityRef {
                kind: Builtin::Person as usize,
                id: id.to_string(),
            })
        })
        .map_or_else(|| "No owner".to_string(), |o| o.title.clone());
    let status = facts.record.status.unwrap_or("unknown").to_string();
    let by_status = timeline::TimelineRow {
        id: e.id.clone(),
        title: e.title.clone(),
        href: inputs.href(e),
        group: status.clone(),
        status,
        milestones: facts
            .record
            .production_path
            .iter()
            .zip(&facts.milestones)
            .filter_map(|(m, fact)| {
                Some(timeline::TimelineMilestone {
                    name: m.milestone.to_string(),
                    due: m.due?,
                    done: m.done,
                    overdue_days: fact.overdue_days,
                    slips: fact.slips.iter().map(|s| (s.from, s.to)).collect(),
                })
            })
            .collect(),
        status_changes: facts
            .status
            .timeline
            .iter()
            .map(|s| timeline::TimelineStatusChange {
                date: s.date().date(),
                to: s.to.clone(),
            })
            .collect(),
    };
    let by_owner = timeline::TimelineRow {
        group: owner,
        ..by_status.clone()
    };
    let by_team = timeline::TimelineRow {
        group: facts
            .record
            .team
            .map_or_else(|| "No team".to_string(), str::to_string),
        ..by_status.clone()
    };
    Some((by_status, by_owner, by_team))
}

/// The marker the timeline and graph templates get in place of drawing
/// `i`: an HTML comment no escaped text can contain.
fn drawing_marker(i: usize) -> String {
    format!("<!--pilotbook:drawing:{i}-->")
}

/// `shell` with each of its `count` markers, in order, replaced by
/// what `draw(i, out)` writes, each drawing made only when it is reached.
fn fill_markers(
    out: &mut dyn std::io::Write,
    shell: &[u8],
    count: usize,
    draw: impl Fn(usize, &mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut rest = shell;
    for i in 0..count {
        let marker = drawing_marker(i);
        // The shell is the page without its drawings: a few kilobytes.
        let found = rest
            .windows(marker.len())
            .position(|w| w == marker.as_bytes());
        let Some(at) = found else {
            continue;
        };
        out.write_all(&rest[..at])?;
        draw(i, out)?;
        rest = &rest[at + marker.len()..];
    }
    out.write_all(rest)
}

/// Timeline rows in drawing order: by group (statuses in their lifecycle
/// order, owners by name), then title and id.
fn sort_timeline(rows: &mut [timeline::TimelineRow], by_owner: bool) {
    let order = |s: &str| {
        pilotbook_core::config::PILOT_STATUSES
            .iter()
            .position(|x| *x == s)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| {
        let group = if by_owner {
            a.group.cmp(&b.group)
        } else {
            order(&a.group).cmp(&order(&b.group))
        };
        group
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id))
    });
}

fn graph_input(inputs: &Inputs) -> (Vec<graph::GraphNode>, Vec<graph::GraphEdge>) {
    let key = |e: &pilotbook_core::model::Entity| {
        format!("{}:{}", inputs.config.kinds[e.kind].name, e.id)
    };
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for e in &inputs.portfolio.entities {
        let builtin = inputs.config.kinds[e.kind].builtin;
        let kind = match builtin {
            Some(Builtin::Pilot) => graph::NodeKind::Pilot,
            Some(Builtin::System) => graph::NodeKind::System,
            _ => continue,
        };
        nodes.push(graph::GraphNode {
            key: key(e),
            label: e.title.clone(),
            kind,
            href: inputs.href(e),
            status: e.pilot.as_ref().and_then(|p| p.status.clone()),
            defined: e.defined(),
        });
        if let Some(p) = &e.pilot {
            for d in &p.depends_on {
                if let Some(t) = inputs.portfolio.get(&d.target) {
                    edges.push(graph::GraphEdge {
                        from: key(e),
                        to: key(t),
                        kind: graph::EdgeKind::DependsOn,
                    });
                }
            }
            for i in &p.integrations {
                let target = pilotbook_core::model::EntityRef {
                    kind: Builtin::System as usize,
                    id: i.system.clone(),
                };
                if let Some(t) = inputs.portfolio.get(&target) {
                    edges.push(graph::GraphEdge {
                        from: key(e),
                        to: key(t),
                        kind: graph::EdgeKind::Integrates,
                    });
                }
            }
        }
    }
    // A depends_on edge to a custom kind has no node: keep edges between nodes only.
    let keys: std::collections::BTreeSet<&str> = nodes.iter().map(|n| n.key.as_str()).collect();
    edges.retain(|e| keys.contains(e.from.as_str()) && keys.contains(e.to.as_str()));
    edges.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    edges.dedup_by(|a, b| a.from == b.from && a.to == b.to);
    (nodes, edges)
}

/// An entity's entry in the search index, as JSON.
fn search_entry(inputs: &Inputs, e: &pilotbook_core::model::Entity) -> String {
    let kind = &inputs.config.kinds[e.kind];
    let owner = e
        .pilot
        .as_ref()
        .and_then(|p| p.owner.as_ref())
        .and_then(|o| {
            inputs.portfolio.get(&pilotbook_core::model::EntityRef {
                kind: Builtin::Person as usize,
                id: o.value.clone(),
            })
        })
        .map(|o| format!("{} {}", o.title, o.id))
        .unwrap_or_default();
    let mut ids: Vec<&str> = Vec::new();
    if let Some(p) = &e.pilot {
        ids.extend(p.metrics.iter().map(|m| m.metric.as_str()));
        ids.extend(p.integrations.iter().map(|i| i.system.as_str()));
    }
    let entry = SearchEntry {
        t: &e.title,
        u: inputs.href(e),
        k: kind.plural(),
        o: owner,
        m: ids.join(" "),
        x: e.document
            .as_ref()
            .map(|d| excerpt(d.parsed.body(), SEARCH_TEXT_BYTES))
            .unwrap_or_default(),
    };
    // `<` only occurs inside JSON strings: escaping it keeps any `</script>`
    // in a title inert even if the index were ever inlined into a page.
    serde_json::to_string(&entry)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}

/// The search index script from its entries' JSON. It hands the entries
/// to `site.js` through the function that script defines, never through a
/// global variable that an element's `id` could stand in for.
fn write_search_index(
    out: &mut dyn std::io::Write,
    entries: impl Iterator<Item = impl AsRef<str>>,
) -> std::io::Result<()> {
    out.write_all(b"pilotbookSearchIndex([")?;
    for (i, entry) in entries.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(entry.as_ref().as_bytes())?;
    }
    out.write_all(b"]);\n")
}
