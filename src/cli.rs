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
    /// Run as if started in DIR, the portfolio's root (the folder of its pilotbook.toml) [default: the nearest folder with a pilotbook.toml, from the current folder up to the repository's root].
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// Read this config file instead of `<root>/pilotbook.toml`; the root is then the current folder (or -C DIR).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// When to colour output [default: auto, colour on a terminal]; `NO_COLOR` in the environment always turns colour off.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, hide_default_value = true)]
    pub color: ColorChoice,

    /// Print only findings and errors, no progress or summary lines.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Also print, to stderr, the root and config, every file read (with `check --changed-since`, every document selected and why) and how long each stage took.
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
    /// Run the language server on stdin and stdout: findings as you type, completion, go to definition, references, hover and quick fixes.
    Lsp(cmd::lsp::LspArgs),
}

/// Shared context for commands.
pub struct Context {
    /// The pilotbook root: `-C DIR`, or the folder of the `pilotbook.toml`
    /// found from the current folder up (as a relative path), or `.`.
    pub root: PathBuf,
    /// Where the user stands, when the root was found from there: human
    /// output names files relative to it. `None` with `-C` (paths are then
    /// relative to the root, as if started there).
    pub cwd: Option<PathBuf>,
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
    /// The stages' durations, recorded under `--verbose` or with
    /// `PILOTBOOK_TIMINGS` set.
    pub timings: Option<pilotbook_core::timings::Timings>,
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
    // The language server finds its root from the editor's workspace.
    let finds_root = !matches!(
        cli.command,
        Command::Init(_) | Command::Completions(_) | Command::Lsp(_)
    );
    let (root, cwd) = match (&cli.dir, &cli.config) {
        (Some(dir), _) => (dir.clone(), None),
        (None, None) if finds_root => match find_root() {
            Ok(found) => found,
            Err(e) => {
                eprintln!("error: {}", error_chain(&e));
                return ExitCode::from(2);
            }
        },
        (None, _) => (PathBuf::from("."), None),
    };
    let ctx = Context {
        root,
        cwd,
        config: cli.config.clone(),
        color,
        quiet: cli.quiet,
        verbose: cli.verbose,
        started: std::time::Instant::now(),
        timings: if cli.verbose || timings_asked() {
            pilotbook_core::timings::Timings::install()
        } else {
            None
        },
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
        Command::Lsp(args) => cmd::lsp::run(&ctx, args, cli.dir.is_some() || cli.config.is_some()),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            ExitCode::from(2)
        }
    }
}

/// The root found from the current folder up (see `Config::find`), as a
/// path relative to the current folder, and the current folder.
fn find_root() -> anyhow::Result<(PathBuf, Option<PathBuf>)> {
    let cwd = std::env::current_dir()?;
    let found = pilotbook_core::config::Config::find(&cwd)?;
    let up = cwd.components().count() - found.components().count();
    let root = if up == 0 {
        PathBuf::from(".")
    } else {
        std::iter::repeat_n("..", up).collect()
    };
    Ok((root, Some(cwd)))
}

impl Context {
    /// A root-relative path as the user should read it: relative to where
    /// they stand when the root was found from there, else to the root.
    pub fn shown(&self, path: &str) -> String {
        let Some(cwd) = &self.cwd else {
            return path.to_string();
        };
        let joined = cwd.join(&self.root).join(path);
        let mut target: Vec<std::path::Component> = Vec::new();
        for c in joined.components() {
            match c {
                std::path::Component::ParentDir => {
                    target.pop();
                }
                std::path::Component::CurDir => {}
                c => target.push(c),
            }
        }
        let base: Vec<std::path::Component> = cwd.components().collect();
        let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
        let mut out = PathBuf::new();
        for _ in common..base.len() {
            out.push("..");
        }
        for c in &target[common..] {
            out.push(c.as_os_str());
        }
        out.to_string_lossy().replace('\\', "/")
    }
}

/// An error and its causes, `: `-separated, leaving out a cause the
/// message before it already says (most of pilotbook's errors name their
/// OS error in their own message).
fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// `PILOTBOOK_TIMINGS` asks for stage timings unless it is empty or `0`,
/// the way `RUST_BACKTRACE=0` turns backtraces off.
fn timings_asked() -> bool {
    std::env::var_os("PILOTBOOK_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
}
