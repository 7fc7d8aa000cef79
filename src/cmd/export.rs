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
    if let Some(code) = super::incomplete_history(ctx, &project, &args.source) {
        return Ok(code);
    }
    let value = pilotbook::export::export(&project.config, &project.portfolio, &project.history);
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    // The process ends here: freeing the model piece by piece is wasted work.
    std::mem::forget(project);
    Ok(ExitCode::SUCCESS)
}
