//! `pilotbook check`: validate, report, exit 0/1/2.

use crate::cli::Context;
use anyhow::Context as _;
use clap::{Args, ValueEnum};
use pilotbook_core::diagnostics::accept::Baseline;
use pilotbook_core::diagnostics::{Report, count, github, gitlab, human, json, junit, sarif};
use pilotbook_core::rules::{RULES, Rule};
use std::io::Write;
use std::process::ExitCode;

/// `check`'s arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Report only on these documents or folders (relative to the root); references still resolve against the whole repository.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<String>,

    /// Output format [default: human]. `github` also appends a table of all findings to `$GITHUB_STEP_SUMMARY` when it is set.
    #[arg(long, value_enum, default_value_t = Format::Human, hide_default_value = true)]
    pub format: Format,

    /// Exit 1 when there are warnings, not only errors.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Check only the documents changed since REV (a commit, tag, or branch: then since its merge base with HEAD), the documents that refer to them now or referred to them at REV, and any whose findings changed; everything when pilotbook.toml, a template or the baseline changed.
    #[arg(long, value_name = "REV", conflicts_with = "rev")]
    pub changed_since: Option<String>,

    /// Write every error and warning found now to FILE (relative to the root, as `[check] baseline = "FILE"` reads it, which then accepts them), and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["changed_since", "paths"])]
    pub write_baseline: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub source: super::SourceArgs,

    /// Explain a rule (what it checks, why, a passing example) and exit; without RULE, list the rules.
    #[arg(long, value_name = "RULE", num_args = 0..=1, default_missing_value = "")]
    pub explain: Option<String>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style, for people.
    Human,
    /// One JSON object (`version`, `summary`, `diagnostics`).
    Json,
    /// GitHub Actions workflow commands (annotations), plus the job summary.
    Github,
    /// A SARIF 2.1.0 log, for GitHub code scanning.
    Sarif,
    /// JUnit XML: one testsuite per document, one testcase per rule.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// Run `check`.
pub fn run(ctx: &Context, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    if let Some(rule) = &args.explain {
        return explain(rule);
    }
    let mut options = args.source.options();
    options.baseline = args.write_baseline.is_none();
    let project = super::load(ctx, &options)?;
    let today = super::today()?;
    let derived = project.derive(today);
    if let Some(file) = &args.write_baseline {
        return write_baseline(ctx, &project.check(&derived, None)?, file);
    }
    let mut report = match &args.changed_since {
        Some(rev) => {
            let scope = project.changed_since(rev, ctx.config.as_deref(), today)?;
            describe_scope(ctx, rev, &scope);
            let mut documents = scope.documents;
            if !args.paths.is_empty() {
                let allowed = project.documents_under(&args.paths)?;
                documents.retain(|p| allowed.contains(p.as_str()));
            }
            project.check(&derived, Some(&documents))?
        }
        None => {
            let scope = (!args.paths.is_empty()).then_some(args.paths.as_slice());
            project.check(&derived, scope)?
        }
    };
    let stage = tracing::info_span!("report").entered();
    if args.format != Format::Human
        && let Some(prefix) = pilotbook_history::root_in_repository(&project.root)
    {
        // Machine formats name files as the forge sees them.
        report.relocate(&prefix);
    }
    let text = match args.format {
        Format::Json => json::render(&report),
        Format::Human => human::render(&report, &|p| project.source(p), ctx.color, &|p| {
            ctx.shown(p)
        }),
        Format::Github => github::render(&report),
        Format::Sarif => sarif::render(&report),
        Format::Junit => junit::render(&report),
        Format::Gitlab => gitlab::render(&report),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    if args.format == Format::Github {
        write_step_summary(&report)?;
    }
    if !ctx.quiet && !matches!(args.format, Format::Human | Format::Json) {
        // Machine formats keep stdout clean; people reading a CI log still
        // see the outcome.
        eprintln!("pilotbook: {}", human::counts(&report));
    }
    drop(stage);
    super::report_timings(ctx);
    // The process ends here: freeing the model piece by piece is wasted work.
    std::mem::forget(derived);
    std::mem::forget(project);
    Ok(if report.fails(args.deny_warnings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Say on stderr what `--changed-since` checks, and with `--verbose`
/// which documents and why.
fn describe_scope(ctx: &Context, rev: &str, scope: &pilotbook_project::ChangedScope) {
    if ctx.verbose {
        for path in &scope.documents {
            let why = if scope.changed.contains(path) {
                "changed"
            } else {
                "related"
            };
            eprintln!("verbose: selected {path} ({why})");
        }
    }
    if ctx.quiet {
        return;
    }
    match &scope.full {
        Some(why) => eprintln!("pilotbook: {why}: checking every document"),
        None => eprintln!(
            "pilotbook: {} changed since {rev}; checking {}: those that remain, those that refer to them now or did at {rev}, and those whose findings changed",
            count(scope.changed.len(), "document"),
            count(scope.documents.len(), "document"),
        ),
    }
}

/// `--write-baseline FILE`: every error and warning, so that `[check]
/// baseline` accepts them and only new findings fail the gate.
fn write_baseline(
    ctx: &Context,
    report: &Report,
    file: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let (text, written) = Baseline::render(report);
    // Relative to the root, as `[check] baseline` is.
    let at = if ctx.root == std::path::Path::new(".") {
        file.to_path_buf()
    } else {
        ctx.root.join(file)
    };
    std::fs::write(&at, text)
        .with_context(|| format!("cannot write the baseline {}", at.display()))?;
    if !ctx.quiet {
        eprintln!(
            "pilotbook: wrote {} to {}; with `[check] baseline = \"{}\"` in pilotbook.toml, `check` accepts them and fails only on new findings",
            count(written, "finding"),
            file.display(),
            file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Append the Markdown table of every finding to the file GitHub names in
/// `$GITHUB_STEP_SUMMARY` (GitHub shows only the first annotations of a step).
fn write_step_summary(report: &Report) -> anyhow::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = std::path::PathBuf::from(path);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open $GITHUB_STEP_SUMMARY ({})", path.display()))?;
    file.write_all(github::summary(report).as_bytes())
        .with_context(|| format!("cannot write $GITHUB_STEP_SUMMARY ({})", path.display()))?;
    Ok(())
}

fn explain(name: &str) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    if name.is_empty() {
        out.push_str("Rules (`pilotbook check --explain RULE` for one):\n\n");
        for info in RULES {
            out.push_str(&format!(
                "  {:<28} {:<8} {}\n",
                info.name,
                info.default_severity.as_str(),
                info.summary
            ));
        }
    } else {
        let Some(rule) = Rule::from_name(name) else {
            anyhow::bail!("unknown rule `{name}`; `pilotbook check --explain` lists the rules");
        };
        out.push_str(&rule.info().explanation());
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
