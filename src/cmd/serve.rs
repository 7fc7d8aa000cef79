//! `pilotbook serve`: build, serve from memory, rebuild and live-reload on
//! change, until SIGTERM or Ctrl-C.

use crate::cli::Context;
use clap::Args;
use pilotbook_core::diagnostics::count;
use pilotbook_serve::{Outcome, ServeOptions, Server};
use std::net::IpAddr;
use std::process::ExitCode;

/// `serve`'s arguments.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on; when it is taken, the next free one is used (0: any free port).
    #[arg(short, long, default_value_t = 3000)]
    pub port: u16,

    /// The address to listen on; anything but loopback exposes the preview to the network. The server answers only to requests for `localhost` or this address (any address for 0.0.0.0 or ::).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Also answer to requests for this host name (e.g. the machine's name on the network); repeatable. Other names are refused, so that no web page can reach the preview through its own domain (DNS rebinding).
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,

    /// Open the site in the default browser once it is served.
    #[arg(long)]
    pub open: bool,

    /// Poll the file system for changes instead of waiting for its events (for WSL2, Docker bind mounts, network drives).
    #[arg(long)]
    pub poll: bool,

    /// Keep the history cache in DIR [default: `pilotbook/` in the repository's git folder].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<std::path::PathBuf>,
}

/// Run `serve`.
pub fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let today = super::today()?;
    let server = Server::bind(ServeOptions {
        root: ctx.root.clone(),
        config: ctx.config.clone(),
        bind: args.bind,
        allowed_hosts: args.allow_host.clone(),
        port: args.port,
        poll: args.poll,
        today,
        cache_dir: args.cache_dir.clone(),
        on_runaway: Some(super::runaway()),
    })?;
    let url = server.url();
    // The URL is the one line a user needs: printed even with --quiet.
    eprintln!("serving {} at {url} (Ctrl-C to stop)", ctx.root.display());
    if args.open
        && let Err(e) = opener::open_browser(&url)
    {
        eprintln!("warning: cannot open a browser: {e}");
    }
    let quiet = ctx.quiet;
    let timings = ctx.timings.clone();
    server.run(move |outcome| {
        print_outcome(outcome, quiet);
        // Under -v, each rebuild's stages.
        for timing in timings.iter().flat_map(|t| t.take()) {
            eprintln!("{timing}");
        }
    })?;
    if !quiet {
        eprintln!("stopped");
    }
    Ok(ExitCode::SUCCESS)
}

fn print_outcome(outcome: &Outcome, quiet: bool) {
    if !outcome.failure.is_empty() {
        eprintln!(
            "build failed in {} ms; still serving the last good site:",
            outcome.took.as_millis()
        );
        for e in &outcome.failure {
            let place = match (e.path.is_empty(), e.line) {
                (true, _) => String::new(),
                (false, 0) => format!("{}: ", e.path),
                (false, line) => format!("{}:{line}:{}: ", e.path, e.column),
            };
            eprintln!("  {place}{}", e.message);
        }
        return;
    }
    if quiet {
        return;
    }
    eprintln!(
        "rebuilt {} of {}, read {} of {}, in {} ms: {} and {}{}",
        outcome.rendered,
        count(outcome.pages, "page"),
        outcome.reparsed,
        count(outcome.documents, "document"),
        outcome.took.as_millis(),
        count(outcome.errors, "error"),
        count(outcome.warnings, "warning"),
        if outcome.history_reread {
            ", history read"
        } else {
            ""
        }
    );
}
