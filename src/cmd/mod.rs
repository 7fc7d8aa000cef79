//! One module per command: each turns its arguments into a library call and
//! prints the result. No command holds logic the library could.

pub mod build;
pub mod check;
pub mod export;
pub mod templates;

use pilotbook::Project;
use pilotbook::project::LoadOptions;

/// Load the project at the context's root; every error names its file.
pub fn load(ctx: &crate::cli::Context, options: &LoadOptions) -> anyhow::Result<Project> {
    Ok(Project::load(&ctx.root, ctx.config.as_deref(), options)?)
}

/// With `PILOTBOOK_TIMINGS` set, print how long each stage took to stderr
/// (for benchmarks and profiles).
pub fn report_timings(project: &Project, later: &[(&str, std::time::Duration)]) {
    if std::env::var_os("PILOTBOOK_TIMINGS").is_none() {
        return;
    }
    let stages = project.timings.iter().map(|(n, d)| (*n, *d));
    for (name, took) in stages.chain(later.iter().copied()) {
        eprintln!("timing: {name:<16} {:>9.1} ms", took.as_secs_f64() * 1000.0);
    }
}

/// The options every command that reads the repository shares.
#[derive(Debug, clap::Args)]
pub struct SourceArgs {
    /// Read documents, config and history from this commit, branch or tag, straight from the git object database, instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,

    /// Neither read nor write the history cache (`.pilotbook-cache/`).
    #[arg(long)]
    pub no_cache: bool,

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
            require_full_history: self.require_full_history,
        }
    }
}

/// For commands that publish (build, export): with `--require-full-history`,
/// print why the history is incomplete and say to exit 1 before anything
/// is written.
pub fn incomplete_history(
    ctx: &crate::cli::Context,
    project: &Project,
    args: &SourceArgs,
) -> Option<std::process::ExitCode> {
    if !args.require_full_history {
        return None;
    }
    let findings = project.history_findings();
    if findings.is_empty() {
        return None;
    }
    let report = pilotbook::diagnostics::Report::finish(
        0,
        findings,
        &[(
            pilotbook::rules::Rule::HistoryUnavailable,
            Some(pilotbook::rules::Severity::Error),
        )]
        .into_iter()
        .collect(),
    );
    eprint!(
        "{}",
        pilotbook::diagnostics::human::render(&report, &|p| project.source(p), ctx.color)
    );
    Some(std::process::ExitCode::from(1))
}

/// Today's date: `PILOTBOOK_TODAY` (YYYY-MM-DD) when set, else the date of
/// `SOURCE_DATE_EPOCH` (the reproducible-builds convention), else the system
/// clock in UTC. Overdue milestones and the timeline's today line depend on
/// it, so fixing it makes builds of one commit byte-identical on any day.
pub fn today() -> anyhow::Result<pilotbook::model::Date> {
    use pilotbook::model::Date;
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
