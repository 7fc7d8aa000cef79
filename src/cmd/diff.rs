//! `pilotbook diff`: what changed in the portfolio between two revisions,
//! as a pull-request comment or JSON. Informational: exit 0 whatever
//! changed, 2 when a revision cannot be read.

use crate::cli::Context;
use clap::{Args, ValueEnum};
use pilotbook_project::diff::{self, DiffOptions};
use std::io::Write;
use std::process::ExitCode;

/// `diff`'s arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The base revision (commit, tag or branch); a branch is compared from its merge base with HEAD, as a pull request is.
    #[arg(value_name = "BASE")]
    pub base: String,

    /// The head revision [default: HEAD, the current commit; uncommitted changes are not included].
    #[arg(value_name = "HEAD", default_value = "HEAD", hide_default_value = true)]
    pub head: String,

    /// Output format: a Markdown pull-request comment, or one JSON object.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,

    /// Neither read nor write the history cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Keep the history cache in DIR [default: `pilotbook/` in the repository's git folder].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<std::path::PathBuf>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// GitHub-flavoured Markdown, ready to post as a comment.
    Markdown,
    /// One JSON object (`version: 1`).
    Json,
}

/// Run `diff`.
pub fn run(ctx: &Context, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let today = super::today()?;
    let options = DiffOptions {
        base: args.base.clone(),
        head: args.head.clone(),
        cache: !args.no_cache,
        cache_dir: args.cache_dir.clone(),
    };
    let diff = diff::run(&ctx.root, ctx.config.as_deref(), &options, today)?;
    let text = match args.format {
        Format::Markdown => diff::markdown::render(&diff),
        Format::Json => diff::json::render(&diff),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
