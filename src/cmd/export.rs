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
    if let Some(code) = super::history_findings(ctx, &project, &args.source) {
        return Ok(code);
    }
    let derived = project.derive(super::today()?);
    let value = pilotbook_core::export::export(&derived);
    // Streamed: on a large portfolio the text is bigger than the model.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &value)?;
    out.write_all(b"\n")?;
    out.flush()?;
    super::report_timings(ctx);
    // The process ends here: freeing the model piece by piece is wasted work.
    std::mem::forget(derived);
    std::mem::forget(project);
    Ok(ExitCode::SUCCESS)
}
