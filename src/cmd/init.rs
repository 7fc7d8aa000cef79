//! `pilotbook init`: scaffold a portfolio (config, sample documents, CI files).

use crate::cli::Context;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// `init`'s arguments.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to scaffold, created if missing [default: the root, `-C DIR` or the current folder].
    // Not `dir`: that id belongs to the global `-C DIR`.
    #[arg(value_name = "DIR")]
    pub folder: Option<PathBuf>,

    /// Overwrite files that exist already (without it, init writes nothing when any exists).
    #[arg(long)]
    pub force: bool,
}

/// Run `init`.
pub fn run(ctx: &Context, args: &InitArgs) -> anyhow::Result<ExitCode> {
    let dir = match &args.folder {
        Some(dir) => ctx.root.join(dir),
        None => ctx.root.clone(),
    };
    let today = super::today()?;
    let written = crate::scaffold::init(&dir, args.force, today)?;
    for path in &written {
        println!("{}", dir.join(path).display());
    }
    if !ctx.quiet {
        let cd = match &args.folder {
            Some(d) => format!("cd {} && ", d.display()),
            None => String::new(),
        };
        eprintln!(
            "wrote {} files: pilotbook.toml, a sample pilot with its person, metric and system, and CI workflows for GitHub and GitLab.\n\
             next: `{cd}pilotbook check`, then `pilotbook new <ID>` for your first pilot and `pilotbook build` for the site; commit and push to run the workflow.",
            written.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
