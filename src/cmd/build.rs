//! `pilotbook build`: check, then render the site.

use crate::cli::Context;
use anyhow::Context as _;
use clap::Args;
use pilotbook_core::diagnostics::count;
use pilotbook_project::LoadOptions;
use pilotbook_site::BuildOptions;
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
    match pilotbook_core::config::web_url_problem(value, true) {
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
    if let Some(code) = super::history_findings(ctx, &project, &args.source) {
        return Ok(code);
    }
    let today = super::today()?;
    let derived = project.derive(today);
    let report = project.check(&derived, None)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| ctx.root.join(&project.config.output_dir));
    stop_on_signal();
    let (render_bar, progress) = super::Bar::new(ctx, "rendering");
    let summary = pilotbook_site::build(
        &ctx.root,
        &derived,
        &report,
        &BuildOptions {
            out_dir: out.clone(),
            // `--base-url` wins over `[site] base_url`.
            base_url: args
                .base_url
                .clone()
                .or_else(|| project.config.site.base_url.clone()),
            progress,
            on_wait: if ctx.quiet { None } else { Some(waiting) },
            on_runaway: Some(super::runaway()),
            files: Some(pilotbook_site::FileReader(project.file_reader()?)),
            stamp: stamp_file(&project.history, &out),
        },
    );
    render_bar.finish();
    let summary =
        summary.with_context(|| format!("cannot build the site into {}", out.display()))?;
    // What the render itself refused (`page-too-large`), with `[rules]` applied.
    let refused = pilotbook_core::diagnostics::Report::finish(
        0,
        summary.findings.clone(),
        &project.config.severity_overrides,
    );
    if !refused.diagnostics.is_empty() {
        eprint!(
            "{}",
            pilotbook_core::diagnostics::human::render(
                &refused,
                &|p| project.source(p),
                ctx.color,
                &|p| ctx.shown(p)
            )
        );
    }
    super::report_timings(ctx);
    if !ctx.quiet && summary.unchanged {
        eprintln!(
            "{} is up to date: {} ({}) for {}, nothing written, in {:.2} s: {} and {}",
            out.display(),
            count(summary.pages, "page"),
            count(summary.files, "file"),
            count(report.documents, "document"),
            ctx.started.elapsed().as_secs_f64(),
            count(report.errors(), "error"),
            count(report.warnings(), "warning")
        );
    } else if !ctx.quiet {
        // Pages whose inputs did not change since the last build are kept.
        let kept = summary.pages.saturating_sub(summary.rendered);
        let files = match kept {
            0 => count(summary.files, "file"),
            _ => format!(
                "{}; {} unchanged, kept",
                count(summary.files, "file"),
                count(kept, "page")
            ),
        };
        eprintln!(
            "built {} ({files}) for {} into {} in {:.2} s: {} and {}",
            count(summary.pages, "page"),
            count(report.documents, "document"),
            out.display(),
            ctx.started.elapsed().as_secs_f64(),
            count(report.errors() + refused.errors(), "error"),
            count(report.warnings() + refused.warnings(), "warning")
        );
    }
    std::mem::forget(derived);
    std::mem::forget(project);
    Ok(ExitCode::SUCCESS)
}

/// Where the stamp of the site in `out` is kept: beside the history cache
/// (same place, same trust), named after the output folder. `None` when
/// there is no cache (`--no-cache`, or no place for one): every build
/// then renders.
fn stamp_file(
    history: &pilotbook_core::history::History,
    out: &std::path::Path,
) -> Option<PathBuf> {
    let cache = history.cache_file.as_ref()?;
    let out = std::path::absolute(out).ok()?;
    // FNV-1a: a name only (a stamp made for another folder never matches
    // this folder's files).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in out.to_string_lossy().bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let name = cache.file_name()?.to_string_lossy();
    Some(cache.with_file_name(format!("{name}.site-{hash:016x}.json")))
}

/// Said when another build into the same folder holds its lock.
fn waiting(out: &std::path::Path) {
    eprintln!(
        "waiting for another pilotbook build into {} to finish",
        out.display()
    );
}

/// On SIGTERM or Ctrl-C, remove the site being written (the previous site
/// stays as it was) and exit at once, 143 or 130 as a shell would report.
fn stop_on_signal() {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    {
        Ok(runtime) => runtime,
        // Without a handler the default applies: the next build cleans up.
        Err(_) => return,
    };
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let code = runtime.block_on(async move {
            // Registered when made, before rendering starts.
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut int), Ok(mut term)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                ) else {
                    return None;
                };
                let _ = ready_tx.send(());
                Some(tokio::select! {
                    _ = int.recv() => 130,
                    _ = term.recv() => 143,
                })
            }
            #[cfg(not(unix))]
            {
                let _ = ready_tx.send(());
                tokio::signal::ctrl_c().await.ok().map(|()| 130)
            }
        });
        if let Some(code) = code {
            pilotbook_site::abandon_staging();
            std::process::exit(code);
        }
    });
    // Rendering starts once the handlers are in place.
    let _ = ready_rx.recv_timeout(std::time::Duration::from_secs(1));
}
