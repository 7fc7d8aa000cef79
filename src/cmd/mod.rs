//! One module per command: each turns its arguments into a library call and
//! prints the result. No command holds logic the library could.

pub mod build;
pub mod check;
pub mod completions;
pub mod diff;
pub mod export;
pub mod init;
pub mod lsp;
pub mod new;
pub mod serve;
pub mod templates;

use pilotbook_core::progress::Progress;
use pilotbook_project::LoadOptions;
use pilotbook_project::Project;
use std::io::IsTerminal;
use std::sync::{Arc, OnceLock};

/// Load the project at the context's root; every error names its file.
/// With `--verbose`, say which config and which files were read.
pub fn load(ctx: &crate::cli::Context, options: &LoadOptions) -> anyhow::Result<Project> {
    let project = Project::load(&ctx.root, ctx.config.as_deref(), options)?;
    if ctx.verbose {
        describe(ctx, &project, options);
    }
    Ok(project)
}

fn describe(ctx: &crate::cli::Context, project: &Project, options: &LoadOptions) {
    let config = match &ctx.config {
        Some(path) => path.display().to_string(),
        None => pilotbook_core::config::CONFIG_FILE.to_string(),
    };
    let source = match &options.rev {
        Some(rev) => format!(" at revision {rev}"),
        None => String::new(),
    };
    eprintln!(
        "verbose: root {}, config {config}{source}",
        ctx.root.display()
    );
    for entity in &project.portfolio.entities {
        if let Some(doc) = &entity.document {
            let kind = &project.config.kinds[entity.kind].name;
            eprintln!("verbose: read {} ({kind} `{}`)", doc.path, entity.id);
        }
    }
    for skipped in &project.skipped {
        eprintln!("verbose: skipped {}: {}", skipped.rel_path, skipped.reason);
    }
    for note in &project.history.notes {
        eprintln!("verbose: {note}");
    }
    match &project.history.unavailable {
        Some(why) => eprintln!("verbose: history unavailable: {}", why.explain()),
        None if options.history => eprintln!(
            "verbose: history read for {} documents",
            project.history.documents.len()
        ),
        None => {}
    }
}

/// With `--verbose` or `PILOTBOOK_TIMINGS` set, print how long each stage
/// took (the spans finished since the last call) to stderr, for
/// benchmarks and profiles.
pub fn report_timings(ctx: &crate::cli::Context) {
    let Some(timings) = &ctx.timings else { return };
    for timing in timings.take() {
        eprintln!("{timing}");
    }
}

/// The options every command that reads the repository shares.
#[derive(Debug, clap::Args)]
pub struct SourceArgs {
    /// Read documents, config and history from this commit, branch or tag, straight from the git object database, instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,

    /// Neither read nor write the history cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Keep the history cache in DIR [default: `pilotbook/` in the repository's git folder]. A folder inside the working tree is used only if it is no symbolic link and git does not track its cache file.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<std::path::PathBuf>,

    /// Fail (exit 1) when git history is unavailable (no repository, no commits, a shallow clone) or does not cover a document (not committed, or modified), instead of warning.
    #[arg(long)]
    pub require_full_history: bool,
}

impl SourceArgs {
    /// As load options.
    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            rev: self.rev.clone(),
            history: true,
            cache: !self.no_cache,
            cache_dir: self.cache_dir.clone(),
            progress: None,
            require_full_history: self.require_full_history,
            baseline: true,
        }
    }
}

/// For commands that publish (build, export): print the
/// `history-unavailable` findings `check` would report, to stderr, as
/// warnings; with `--require-full-history` as errors, and say to exit 1
/// before anything is written.
pub fn history_findings(
    ctx: &crate::cli::Context,
    project: &Project,
    args: &SourceArgs,
) -> Option<std::process::ExitCode> {
    use pilotbook_core::rules::{Rule, Severity};
    let mut overrides = project.config.severity_overrides.clone();
    if args.require_full_history {
        overrides.insert(Rule::HistoryUnavailable, Some(Severity::Error));
    }
    let report =
        pilotbook_core::diagnostics::Report::finish(0, project.history_findings(), &overrides);
    if report.diagnostics.is_empty() {
        return None;
    }
    eprint!(
        "{}",
        pilotbook_core::diagnostics::human::render_findings(
            &report,
            &|p| project.source(p),
            ctx.color,
            &|p| ctx.shown(p)
        )
    );
    (report.errors() > 0).then(|| std::process::ExitCode::from(1))
}

/// What happens when a page renders past `[limits] max_render_seconds`:
/// the thread rendering it cannot be stopped, so pilotbook removes the
/// site being written, prints the error (page and template) and exits 2,
/// as for any template error.
pub fn runaway() -> pilotbook_site::budget::Runaway {
    pilotbook_site::budget::Runaway::new(|message: &str| {
        pilotbook_site::abandon_staging();
        eprintln!("error: {message}");
        std::process::exit(2);
    })
}

/// Today's date: `PILOTBOOK_TODAY` (YYYY-MM-DD) when set, else the date of
/// `SOURCE_DATE_EPOCH` (the reproducible-builds convention), else the system
/// clock in UTC. Overdue milestones and the timeline's today line depend on
/// it, so fixing it makes builds of one commit byte-identical on any day.
pub fn today() -> anyhow::Result<pilotbook_core::model::Date> {
    use pilotbook_core::model::Date;
    if let Ok(value) = std::env::var("PILOTBOOK_TODAY")
        && !value.is_empty()
    {
        return Date::parse(&value).map_err(|e| anyhow::anyhow!("PILOTBOOK_TODAY: {e}"));
    }
    if let Ok(value) = std::env::var("SOURCE_DATE_EPOCH")
        && !value.is_empty()
    {
        let secs: i64 = value
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("SOURCE_DATE_EPOCH `{value}`: {e}"))?;
        return Ok(Date::from_days_since_epoch(secs.div_euclid(86_400)));
    }
    Ok(Date::today_utc())
}

/// Work smaller than this (commits walked, pages rendered) gets no bar: it
/// is over before a bar would help.
const PROGRESS_THRESHOLD: u64 = 500;

/// A progress bar on stderr, drawn only on a terminal, without `--quiet`,
/// and only once the work turns out to be large.
pub struct Bar {
    bar: Arc<OnceLock<indicatif::ProgressBar>>,
}

impl Bar {
    /// A bar labelled `label` and the hook that drives it (`None` when no
    /// bar could ever be shown).
    pub fn new(ctx: &crate::cli::Context, label: &'static str) -> (Bar, Option<Progress>) {
        let bar = Bar {
            bar: Arc::new(OnceLock::new()),
        };
        if ctx.quiet || !std::io::stderr().is_terminal() {
            return (bar, None);
        }
        let cell = Arc::clone(&bar.bar);
        let hook = Progress::new(move |done, total| {
            if total <= PROGRESS_THRESHOLD {
                return;
            }
            let bar = cell.get_or_init(|| {
                let style = indicatif::ProgressStyle::with_template(
                    "{msg:>9} [{bar:30}] {pos}/{len} ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> ");
                indicatif::ProgressBar::new(total)
                    .with_style(style)
                    .with_message(label)
            });
            bar.set_position(done);
        });
        (bar, Some(hook))
    }

    /// Remove the bar from the terminal, if it was drawn.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
