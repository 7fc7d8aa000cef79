//! `pilotbook templates`: write the built-in templates out for customising.

use crate::cli::Context;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// `templates`' arguments.
#[derive(Debug, Args)]
pub struct TemplatesArgs {
    /// Where to write them [default: `templates/` under the root, where `build` looks for overrides].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Run `templates`.
pub fn run(ctx: &Context, args: &TemplatesArgs) -> anyhow::Result<ExitCode> {
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| ctx.root.join("templates"));
    let written = pilotbook_site::templates::write_builtins(&dir)?;
    for name in &written {
        println!("{}", dir.join(name).display());
    }
    if !ctx.quiet {
        eprintln!(
            "wrote {} templates into {} (existing files were left alone); edit them and run `pilotbook build`",
            written.len(),
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
