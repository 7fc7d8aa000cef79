//! `pilotbook export`: the linked model as JSON on stdout.

use crate::cli::Context;
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

/// `export`'s arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub source: super::SourceArgs,
}

/// Run `export`.
pub fn run(ctx: &Context, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let project = super::load(ctx, &args.source.options())?;
    let value = pilotbook::export::export(&project.config, &project.portfolio, &project.history);
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    super::report_timings(ctx, &project, &[]);
    // The process ends here: freeing the model piece by piece is wasted work.
    std::mem::forget(project);
    Ok(ExitCode::SUCCESS)
}
