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
}

impl SourceArgs {
    /// As load options.
    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            rev: self.rev.clone(),
            history: true,
            cache: !self.no_cache,
        }
    }
}

/// Today's date: `PILOTBOOK_TODAY` (YYYY-MM-DD) when set, for reproducible
/// runs and tests, else the system clock in UTC.
pub fn today() -> anyhow::Result<pilotbook::model::Date> {
    match std::env::var("PILOTBOOK_TODAY") {
        Ok(value) if !value.is_empty() => pilotbook::model::Date::parse(&value)
            .map_err(|e| anyhow::anyhow!("PILOTBOOK_TODAY: {e}")),
        _ => Ok(pilotbook::model::Date::today_utc()),
    }
}
