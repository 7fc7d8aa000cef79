//! pilotbook-lsp: the language server, `pilotbook lsp`.
//!
//! It speaks the Language Server Protocol over stdio (JSON-RPC framed by
//! `Content-Length`, read and written with lsp-server's messages and
//! lsp-types' structures, as rust-analyzer does) and gives an editor what
//! `check` gives CI, as the author types: the findings of the documents
//! it has open, their unsaved text overlaid on the repository, and of
//! every document whose findings that text changes (the pilot that names
//! a person whose id was just broken).
//!
//! It decides nothing about documents. Every finding comes from the one
//! pipeline (`pilotbook_project::pipeline` over an `Overlay` that reads
//! the editor's unsaved text, keeps each parse and the git history between
//! keystrokes) and `Project::check`, so its messages are `check`'s to the
//! letter; completion offers the ids the linked model has and the values
//! and sections the kinds declare; definition, references and hover read
//! the model's references and backlinks; a rule's hover is its `--explain`
//! text; the quick fixes insert what the findings' help lines say
//! (`section_stub`, `unknown_key_suggestion`, a document's `accept` entry).
//!
//! The modules: [`transport`] (framing, a reader that survives bad input),
//! `server` (the loop: handshake, dispatch, coalescing keystrokes),
//! `workspace` (open documents, loading, what to publish), `text`
//! (UTF-16 positions and URIs), `cursor` (what the cursor is on) and one
//! module per feature. Nothing here prints but to the client (stdout) and
//! the log (stderr).

mod actions;
mod completion;
mod cursor;
mod diagnostics;
mod hover;
mod navigate;
mod server;
pub mod text;
pub mod transport;
mod workspace;

use pilotbook_core::model::Date;
use std::path::PathBuf;

/// How the server runs.
#[derive(Clone)]
pub struct LspOptions {
    /// The pilotbook root, when the command line named it (`-C`); else it
    /// is found from the editor's workspace folder, or from the first
    /// document opened, as `check` finds it from the current folder.
    pub root: Option<PathBuf>,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// Today, for the rules that read the date.
    pub today: Date,
    /// Keep the history cache here instead of the git folder.
    pub cache_dir: Option<PathBuf>,
    /// Log each load's time to stderr.
    pub verbose: bool,
    /// The stages' durations, logged after each load when given.
    pub timings: Option<pilotbook_core::timings::Timings>,
}

/// Serve one client on stdin and stdout until it says `exit` or its input
/// ends. Returns the exit code the protocol asks for: 0 after a
/// `shutdown` request, 1 otherwise.
pub fn run_stdio(options: LspOptions) -> i32 {
    let input = std::io::BufReader::new(std::io::stdin());
    server::run(input, std::io::stdout().lock(), options)
}

/// Serve one client on the given streams (see [`run_stdio`]).
pub fn run<R, W>(input: R, output: W, options: LspOptions) -> i32
where
    R: std::io::BufRead + Send + 'static,
    W: std::io::Write,
{
    server::run(input, output, options)
}

/// The server's log: one line on stderr, which editors keep as the
/// server's output.
pub(crate) fn log(line: &str) {
    eprintln!("pilotbook lsp: {line}");
}
