//! `pilotbook completions`: shell completion scripts and the man page,
//! generated from the same clap definition as the parser.

use crate::cli::{Cli, Context};
use clap::{Args, CommandFactory, ValueEnum};
use std::io::Write;
use std::process::ExitCode;

/// `completions`' arguments.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in, or `man` for the roff man page (`pilotbook completions man > pilotbook.1`).
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Target,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Bash: `source <(pilotbook completions bash)`.
    Bash,
    /// Zsh: write to a folder on `$fpath` as `_pilotbook`.
    Zsh,
    /// Fish: write to `~/.config/fish/completions/pilotbook.fish`.
    Fish,
    /// Elvish.
    Elvish,
    /// PowerShell.
    Powershell,
    /// The man page, in roff.
    Man,
}

/// Run `completions`.
pub fn run(_ctx: &Context, args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    use clap_complete::Shell;
    let mut command = Cli::command();
    let mut out: Vec<u8> = Vec::new();
    let shell = match args.shell {
        Target::Bash => Shell::Bash,
        Target::Zsh => Shell::Zsh,
        Target::Fish => Shell::Fish,
        Target::Elvish => Shell::Elvish,
        Target::Powershell => Shell::PowerShell,
        Target::Man => {
            clap_mangen::Man::new(command).render(&mut out)?;
            return print(&out);
        }
    };
    clap_complete::generate(shell, &mut command, "pilotbook", &mut out);
    print(&out)
}

fn print(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
