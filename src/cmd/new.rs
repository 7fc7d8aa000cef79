//! `pilotbook new`: a document of a kind with every section to fill in.

use crate::cli::Context;
use crate::scaffold::{self, NewDocument};
use clap::Args;
use pilotbook_project::LoadOptions;
use std::process::ExitCode;

/// `new`'s arguments.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The document's id, which becomes its file name: lowercase letters, digits and `-`.
    #[arg(value_name = "ID")]
    pub id: String,

    /// The title [default: from the id, `ticket-triage` → "Ticket triage"].
    #[arg(long, value_name = "T")]
    pub title: Option<String>,

    /// The owner's person id [default: the placeholder `todo`, which fails `check` until replaced].
    #[arg(long, value_name = "O")]
    pub owner: Option<String>,

    /// The kind of document, as pilotbook.toml names it.
    #[arg(long, value_name = "K", default_value = "pilot")]
    pub kind: String,
}

/// Run `new`.
pub fn run(ctx: &Context, args: &NewArgs) -> anyhow::Result<ExitCode> {
    // Only the ids matter here: no history.
    let project = super::load(
        ctx,
        &LoadOptions {
            rev: None,
            history: false,
            cache: false,
            ..LoadOptions::default()
        },
    )?;
    let created = scaffold::create_document(
        &ctx.root,
        &project.config,
        &project.portfolio,
        &NewDocument {
            id: args.id.clone(),
            kind: args.kind.clone(),
            title: args.title.clone(),
            owner: args.owner.clone(),
        },
        super::today()?,
    )?;
    // Relative to where the user is: `pilots/x.md`, not `./pilots/x.md`.
    let shown = ctx.root.join(&created.path);
    println!("{}", shown.strip_prefix(".").unwrap_or(&shown).display());
    if !ctx.quiet {
        let sections: Vec<&str> = created
            .required_sections
            .iter()
            .map(String::as_str)
            .collect();
        if sections.is_empty() {
            eprintln!(
                "created {}; replace every placeholder in its front matter (`todo`, `TODO`, `YYYY-MM-DD`), then run `pilotbook check`",
                created.path
            );
        } else {
            eprintln!(
                "created {}: it fails `pilotbook check` until every placeholder in its front matter (`todo`, `>= 0`) is replaced and its sections are filled in (a hint comment does not count): {}{}",
                created.path,
                sections.join(", "),
                if created.recommended_sections.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (recommended: {})",
                        created.recommended_sections.join(", ")
                    )
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
