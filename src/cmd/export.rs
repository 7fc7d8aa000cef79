//! `pilotbook export`: the linked model as JSON on stdout.

use crate::cli::Context;
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

/// `export`'s arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {}

/// Run `export`.
pub fn run(ctx: &Context, _args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let project = super::load(ctx)?;
    let value = pilotbook::export::export(&project.config, &project.portfolio);
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
