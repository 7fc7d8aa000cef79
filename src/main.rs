//! The `pilotbook` binary: parse arguments, run one command, exit 0, 1 or 2.

mod cli;
mod cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
