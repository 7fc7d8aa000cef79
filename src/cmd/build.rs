//! `pilotbook build`: check, then render the site.

use crate::cli::Context;
use anyhow::Context as _;
use clap::Args;
use pilotbook::project::LoadOptions;
use pilotbook::render::{self, BuildOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// `build`'s arguments.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Write the site here [default: `[build] output_dir` of pilotbook.toml, `site/` under the root].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The site's public URL (http or https, or a path such as `/pilots/`), used only for canonical and sitemap URLs; every link stays relative [default: `[site] base_url` of pilotbook.toml, else none].
    #[arg(long, value_name = "URL", value_parser = base_url)]
    pub base_url: Option<String>,

    #[command(flatten)]
    pub source: super::SourceArgs,
}

/// `--base-url`, judged as `[site] base_url` is (a bad one exits 2).
fn base_url(value: &str) -> Result<String, String> {
    match pilotbook::config::web_url_problem(value, true) {
        None => Ok(value.to_string()),
        Some(why) => Err(why),
    }
}

/// Run `build`.
pub fn run(ctx: &Context, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let (history_bar, progress) = super::Bar::new(ctx, "history");
    let project = super::load(
        ctx,
        &LoadOptions {
            progress,
            ..args.source.options()
        },
    )?;
    history_bar.finish();
    if let Some(code) = super::incomplete_history(ctx, &project, &args.source) {
        return Ok(code);
    }
    let today = super::today()?;
    let clock = std::time::Instant::now();
    let report = project.check(today, None)?;
    let checked = clock.elapsed();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| ctx.root.join(&project.config.output_dir));
    let (render_bar, progress) = super::Bar::new(ctx, "rendering");
    let summary = render::build(
        &ctx.root,
        &project.config,
        &project.portfolio,
        &project.history,
        &report,
        &BuildOptions {
            out_dir: out.clone(),
            // `--base-url` wins over `[site] base_url`.
            base_url: args
                .base_url
                .clone()
                .or_else(|| project.config.site.base_url.clone()),
            today,
            progress,
            on_runaway: Some(super::runaway()),
        },
    );
    render_bar.finish();
    let summary =
        summary.with_context(|| format!("cannot build the site into {}", out.display()))?;
    // What the render itself refused (`page-too-large`), with `[rules]` applied.
    let refused = pilotbook::diagnostics::Report::finish(
        0,
        summary.findings.clone(),
        &project.config.severity_overrides,
    );
    if !refused.diagnostics.is_empty() {
        eprint!(
            "{}",
            pilotbook::diagnostics::human::render(&refused, &|p| project.source(p), ctx.color)
        );
    }
    let mut later = vec![("validate", checked), ("render", clock.elapsed() - checked)];
    later.extend(summary.timings.iter().copied());
    super::report_timings(ctx, &project, &later);
    if !ctx.quiet {
        eprintln!(
            "built {} pages ({} files) for {} documents into {} in {:.2} s: {} errors, {} warnings",
            summary.pages,
            summary.files,
            report.documents,
            out.display(),
            ctx.started.elapsed().as_secs_f64(),
            report.errors() + refused.errors(),
            report.warnings() + refused.warnings()
        );
    }
    std::mem::forget(project);
    Ok(ExitCode::SUCCESS)
}
