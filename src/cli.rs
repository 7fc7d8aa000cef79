//! The command line: arguments, global options, and the mapping from
//! outcomes to exit codes (0 clean, 1 findings, 2 could not run).

use crate::cmd;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Git-native documentation and CI gate for AI and software pilots.
#[derive(Debug, Parser)]
#[command(
    name = "pilotbook",
    version,
    arg_required_else_help = true,
    after_help = "Run `pilotbook <COMMAND> --help` for a command's options."
)]
pub struct Cli {
    /// Run as if started in DIR (the pilotbook root) [default: the current folder].
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// Read this config file instead of `<root>/pilotbook.toml` [default: `pilotbook.toml` in the root; none there means the defaults]; the root stays the same.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// When to colour output [default: auto, colour on a terminal]; `NO_COLOR` in the environment always turns colour off.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, hide_default_value = true)]
    pub color: ColorChoice,

    /// Print only findings and errors, no progress or summary lines.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Also print, to stderr, the config and every file read and how long each stage took.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when printing to a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a portfolio: pilotbook.toml, a sample pilot with its person, metric and system, and CI workflows.
    Init(cmd::init::InitArgs),
    /// Create a document with placeholder front matter and every section of its kind to fill in.
    New(cmd::new::NewArgs),
    /// Validate the documents; exit 1 when any has errors.
    Check(cmd::check::CheckArgs),
    /// Print the whole linked model as JSON on stdout.
    Export(cmd::export::ExportArgs),
    /// Check, then render the static site.
    Build(cmd::build::BuildArgs),
    /// Build, serve the site on 127.0.0.1, rebuild and live-reload on change.
    Serve(cmd::serve::ServeArgs),
    /// Write the built-in templates out for customising.
    Templates(cmd::templates::TemplatesArgs),
    /// Show what changed in the portfolio between two revisions, as a pull-request comment or JSON.
    Diff(cmd::diff::DiffArgs),
    /// Print a shell completion script, or the man page (`man`).
    Completions(cmd::completions::CompletionsArgs),
}

/// Shared context for commands.
pub struct Context {
    /// The pilotbook root.
    pub root: PathBuf,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// Whether stdout gets colour.
    pub color: bool,
    /// `--quiet`.
    pub quiet: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// When pilotbook started, for the summary line.
    pub started: std::time::Instant,
}

/// Parse arguments, run the command, and turn its outcome into an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !no_color
        && match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal(),
        };
    let ctx = Context {
        root: cli.dir.clone().unwrap_or_else(|| PathBuf::from(".")),
        config: cli.config.clone(),
        color,
        quiet: cli.quiet,
        verbose: cli.verbose,
        started: std::time::Instant::now(),
    };
    let outcome = match &cli.command {
        Command::Init(args) => cmd::init::run(&ctx, args),
        Command::New(args) => cmd::new::run(&ctx, args),
        Command::Check(args) => cmd::check::run(&ctx, args),
        Command::Export(args) => cmd::export::run(&ctx, args),
        Command::Build(args) => cmd::build::run(&ctx, args),
        Command::Serve(args) => cmd::serve::run(&ctx, args),
        Command::Templates(args) => cmd::templates::run(&ctx, args),
        Command::Diff(args) => cmd::diff::run(&ctx, args),
        Command::Completions(args) => cmd::completions::run(&ctx, args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
