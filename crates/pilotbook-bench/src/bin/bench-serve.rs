//! Time `pilotbook serve`'s rebuild after one edited document.
//!
//! ```text
//! cargo run --release -p pilotbook-bench --bin gen-corpus -- --pilots 1000 --seed 1 --out /tmp/corpus
//! cargo run --release -p pilotbook-bench --bin bench-serve -- --root /tmp/corpus --edits 21
//! ```
//!
//! Drives the library's serve [`Session`] directly (no HTTP, no watcher):
//! one full build, then `--edits` times an edit of one pilot's body
//! followed by a rebuild told which file changed, as the watcher would.
//! Prints the full build's time and the median, minimum and maximum of the
//! one-edit rebuilds (until the pages are served; `pilots.json`, which
//! `serve` writes after publishing them, is timed on its own), with how
//! many pages each rendered again and the stages of one of them, then the
//! same for an edit of a person (whose pages fan out to every pilot they
//! own). The edited files are restored at the end. `scripts/bench-serve`
//! generates the corpus and runs this.

use clap::Parser;
use pilotbook_core::model::Date;
use pilotbook_core::timings::Timings;
use pilotbook_serve::Session;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(name = "bench-serve", about = "Time serve's one-edit rebuilds")]
struct Args {
    /// The pilotbook root (a gen-corpus output).
    #[arg(long)]
    root: PathBuf,
    /// Edits to time per kind of document.
    #[arg(long, default_value_t = 21)]
    edits: usize,
}

fn first_md(dir: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files.into_iter().next()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Edit `file` `edits` times, rebuilding after each; (sorted times, pages rendered).
fn time_edits(
    session: &mut Session,
    timings: &Timings,
    file: &Path,
    edits: usize,
) -> Result<(Vec<Duration>, Vec<usize>), String> {
    let original = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut times = Vec::with_capacity(edits);
    let mut rendered = Vec::with_capacity(edits);
    let mut exports = Vec::with_capacity(edits);
    for i in 0..edits {
        std::fs::write(
            file,
            format!("{original}\nEdit number {i} of the benchmark.\n"),
        )
        .map_err(|e| format!("{}: {e}", file.display()))?;
        timings.take();
        let outcome = session.rebuild(&[file.to_path_buf()]);
        if !outcome.failure.is_empty() {
            return Err(format!("rebuild failed: {:?}", outcome.failure));
        }
        if outcome.reparsed != 1 {
            return Err(format!(
                "expected one document read again, got {}",
                outcome.reparsed
            ));
        }
        if i == edits / 2 {
            for t in timings.take() {
                let stage = format!("{}{}", "  ".repeat(t.depth), t.name);
                println!("  {stage:<22} {:>8.1} ms", ms(t.took));
            }
        }
        times.push(outcome.took);
        rendered.push(outcome.rendered);
        // `serve` writes pilots.json after publishing the pages.
        let clock = std::time::Instant::now();
        session.finish_export();
        exports.push(clock.elapsed());
    }
    std::fs::write(file, original).map_err(|e| format!("{}: {e}", file.display()))?;
    // Rebuild with the file restored, so the next series starts clean.
    let outcome = session.rebuild(&[file.to_path_buf()]);
    if !outcome.failure.is_empty() {
        return Err(format!("rebuild failed: {:?}", outcome.failure));
    }
    session.finish_export();
    times.sort();
    rendered.sort_unstable();
    exports.sort();
    println!(
        "  then pilots.json, after the pages are served: median {:.1} ms",
        ms(exports[exports.len() / 2])
    );
    Ok((times, rendered))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Ok(today) = Date::parse("2026-11-25") else {
        return ExitCode::FAILURE;
    };
    // The stages of one rebuild are its spans, measured.
    let timings = Timings::install().unwrap_or_default();
    let mut session = Session::new(&args.root, None, today);
    let first = session.rebuild(&[]);
    session.finish_export();
    if !first.failure.is_empty() {
        eprintln!("bench-serve: the first build failed: {:?}", first.failure);
        return ExitCode::FAILURE;
    }
    println!(
        "full build: {} documents, {} pages in {:.1} ms",
        first.documents,
        first.pages,
        ms(first.took)
    );
    for (label, folder) in [("pilot", "pilots"), ("person", "people")] {
        let Some(file) = first_md(&args.root.join(folder)) else {
            eprintln!("bench-serve: no document under {folder}/");
            return ExitCode::FAILURE;
        };
        match time_edits(&mut session, &timings, &file, args.edits.max(1)) {
            Ok((times, rendered)) => {
                let mid = times.len() / 2;
                println!(
                    "one-edit rebuild ({label} {}): median {:.1} ms, min {:.1} ms, max {:.1} ms over {} edits; {} of {} pages rendered again",
                    file.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    ms(times[mid]),
                    ms(times[0]),
                    ms(times[times.len() - 1]),
                    times.len(),
                    rendered[rendered.len() / 2],
                    first.pages,
                );
            }
            Err(e) => {
                eprintln!("bench-serve: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
