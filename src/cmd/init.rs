//! `pilotbook init`: scaffold a portfolio (config, sample documents, CI files),
//! or with `--portfolio` a portfolio repository that reads other
//! repositories (config with `[[sources]]`, their CI workflows).

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

    /// Scaffold a portfolio repository that reads other repositories: `[[sources]]`, a central `people/`, a workflow that fetches every source and publishes the site, and the workflow each source adds.
    #[arg(long)]
    pub portfolio: bool,
}

/// Run `init`.
pub fn run(ctx: &Context, args: &InitArgs) -> anyhow::Result<ExitCode> {
    let dir = match &args.folder {
        Some(dir) => ctx.root.join(dir),
        None => ctx.root.clone(),
    };
    let written = if args.portfolio {
        crate::scaffold::init_portfolio(&dir, args.force)?
    } else {
        crate::scaffold::init(&dir, args.force, super::today()?)?
    };
    for path in &written {
        println!("{}", dir.join(path).display());
    }
    if !ctx.quiet {
        if args.portfolio {
            eprintln!(
                "wrote {} files: pilotbook.toml with three example [[sources]] (two checkouts, one export), a central people/ folder, \
                 .github/workflows/pilotbook-portfolio.yml, and {source} for the source repositories.\n\
                 next: replace the acme sources in pilotbook.toml and the workflow (the two must name the same checkout paths and export files);\n\
                 \x20     copy {source} into each source repository's .github/workflows/ and set PORTFOLIO in it;\n\
                 \x20     add the secrets PILOTBOOK_SOURCES_TOKEN here (private sources, exports) and PILOTBOOK_PORTFOLIO_TOKEN in each source (rebuild on change);\n\
                 \x20     set Pages to deploy from GitHub Actions, then commit and push.",
                written.len(),
                source = crate::scaffold::SOURCE_WORKFLOW_PATH,
            );
        } else {
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
    }
    Ok(ExitCode::SUCCESS)
}
