//! `pilotbook lsp`: the language server, on stdin and stdout, until the
//! editor says `exit`.

use crate::cli::Context;
use clap::Args;
use pilotbook_lsp::LspOptions;
use std::process::ExitCode;

/// `lsp`'s arguments.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it (VS Code's language client does); stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,

    /// Keep the history cache in DIR [default: `pilotbook/` in the repository's git folder].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<std::path::PathBuf>,
}

/// Run `lsp`. `root_named`: `-C` or `--config` named the root; otherwise
/// the server finds it from the editor's workspace folder.
pub fn run(ctx: &Context, args: &LspArgs, root_named: bool) -> anyhow::Result<ExitCode> {
    let options = LspOptions {
        root: root_named.then(|| ctx.root.clone()),
        config: ctx.config.clone(),
        today: super::today()?,
        cache_dir: args.cache_dir.clone(),
        verbose: ctx.verbose,
        timings: ctx.timings.clone(),
    };
    let code = pilotbook_lsp::run_stdio(options);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}
