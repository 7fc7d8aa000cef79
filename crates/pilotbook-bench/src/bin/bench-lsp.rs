//! Time `pilotbook lsp`'s answer to a keystroke: from a `didChange` sent
//! to the `publishDiagnostics` it brings, over the real binary's stdio.
//!
//! ```text
//! cargo run --release -p pilotbook-bench --bin gen-corpus -- --pilots 1000 --seed 1 --commits 2000 --out /tmp/corpus
//! cargo build --release -p pilotbook
//! cargo run --release -p pilotbook-bench --bin bench-lsp -- --root /tmp/corpus --pilotbook target/release/pilotbook
//! ```
//!
//! Starts `pilotbook -v lsp` in the root, initializes it and waits for the
//! first check, then opens the first pilot and types into it `--edits`
//! times, one character per change, three ways: into its body (its own
//! findings are answered), into its `owner` (the owner turns undefined and
//! back: a finding appears and goes), and, with a person's document open,
//! into that person's id (every pilot the person owns gains and loses a
//! finding; timed until the first of those pilots is published). Prints
//! the first check's time and, per way, the median, minimum and maximum,
//! with the server's own time for the check (its `-v` log) and the stages
//! of one check. `scripts/bench-lsp` generates the corpus and runs this.

use clap::Parser;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "bench-lsp",
    about = "Time pilotbook lsp's answer to a keystroke"
)]
struct Args {
    /// The pilotbook root (a gen-corpus output).
    #[arg(long)]
    root: PathBuf,
    /// The pilotbook binary.
    #[arg(long, default_value = "target/release/pilotbook")]
    pilotbook: PathBuf,
    /// Keystrokes timed per way of typing.
    #[arg(long, default_value_t = 21)]
    edits: usize,
}

/// The longest any answer may take before the benchmark gives up.
const DEADLINE: Duration = Duration::from_secs(120);

struct Server {
    child: Child,
    stdin: ChildStdin,
    out: Receiver<Value>,
    log: Receiver<String>,
    root: PathBuf,
}

impl Server {
    fn start(binary: &Path, root: &Path) -> Result<Server, String> {
        // The server starts in the root: a relative path would not be found.
        let binary = binary
            .canonicalize()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let mut child = Command::new(&binary)
            .args(["-v", "lsp"])
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, out) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        let (tx, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Ok(Server {
            child,
            stdin,
            out,
            log,
            root: root.to_path_buf(),
        })
    }

    fn send(&mut self, message: Value) -> Result<(), String> {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("cannot write to the server: {e}"))
    }

    fn uri(&self, rel: &str) -> String {
        format!("file://{}", self.root.join(rel).display())
    }

    /// Wait for a message that satisfies `done`.
    fn wait(&mut self, what: &str, done: impl Fn(&Value) -> bool) -> Result<Value, String> {
        let started = Instant::now();
        loop {
            let left = DEADLINE.saturating_sub(started.elapsed());
            let message = (self.out.recv_timeout(left)).map_err(|_| format!("no {what}"))?;
            if done(&message) {
                return Ok(message);
            }
        }
    }

    /// Wait for the diagnostics of `rel`.
    fn published(&mut self, rel: &str) -> Result<Value, String> {
        let uri = self.uri(rel);
        self.wait(&format!("diagnostics for {rel}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        })
    }

    /// The server's log since the last call.
    fn log_lines(&self) -> Vec<String> {
        self.log.try_iter().collect()
    }
}

/// One framed message (read as the server reads its input); `None` at the
/// end of the output.
fn read_message(out: &mut impl BufRead) -> Option<Value> {
    let body = pilotbook_lsp::transport::read_frame(out).ok()??;
    serde_json::from_slice(&body).ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A document's text, and a way of typing into it: the text after the
/// n-th keystroke.
struct Typing {
    /// What is measured.
    label: String,
    /// The document typed into.
    rel: String,
    /// The document whose diagnostics answer the keystroke.
    answer: String,
    text: String,
    step: fn(&str, usize) -> String,
}

/// Type `edits` keystrokes; the times, and the server's own check times.
fn time_typing(
    server: &mut Server,
    typing: &Typing,
    edits: usize,
    version: &mut i64,
) -> Result<(Vec<Duration>, Vec<f64>), String> {
    let uri = server.uri(&typing.rel);
    let mut times = Vec::with_capacity(edits);
    let mut checks = Vec::with_capacity(edits);
    for i in 0..edits {
        *version += 1;
        let text = (typing.step)(&typing.text, i);
        let change = json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": *version }, "contentChanges": [{ "text": text }] },
        });
        let started = Instant::now();
        server.send(change)?;
        server.published(&typing.answer)?;
        times.push(started.elapsed());
        // Let the check's other publications and log lines arrive.
        std::thread::sleep(Duration::from_millis(100));
        while server.out.try_recv().is_ok() {}
        let log = server.log_lines();
        if i == edits / 2 {
            for line in log.iter().filter(|l| l.contains("timing:")) {
                println!("  {}", line.trim_start_matches("pilotbook lsp: timing: "));
            }
        }
        checks.extend(log.iter().filter_map(|l| {
            let rest = l.strip_prefix("pilotbook lsp: checked in ")?;
            rest.split(' ').next()?.parse::<f64>().ok()
        }));
    }
    // Back to the text on disk, so the next way starts clean.
    *version += 1;
    let restore = json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": { "textDocument": { "uri": uri, "version": *version }, "contentChanges": [{ "text": typing.text }] },
    });
    server.send(restore)?;
    server.published(&typing.answer)?;
    times.sort();
    checks.sort_by(f64::total_cmp);
    Ok((times, checks))
}

fn first_md(root: &Path, folder: &str) -> Option<String> {
    let mut files: Vec<String> = std::fs::read_dir(root.join(folder))
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md"))
        .collect();
    files.sort();
    Some(format!("{folder}/{}", files.first()?))
}

fn open(server: &mut Server, rel: &str, text: &str) -> Result<(), String> {
    let uri = server.uri(rel);
    server.send(json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } },
    }))?;
    server.published(rel).map(|_| ())
}

/// The ways of typing, on the first pilot and the person who owns it.
fn typings(root: &Path) -> Result<Vec<Typing>, String> {
    let pilot = first_md(root, "pilots").ok_or("no pilot")?;
    let text = std::fs::read_to_string(root.join(&pilot)).map_err(|e| e.to_string())?;
    let owner = (text.lines())
        .find_map(|l| l.strip_prefix("owner: "))
        .ok_or("the pilot has no owner")?
        .trim()
        .to_string();
    let person = format!("people/{owner}.md");
    let person_text = std::fs::read_to_string(root.join(&person)).map_err(|e| e.to_string())?;
    if person_text.lines().any(|l| l.starts_with("id:")) {
        return Err(format!("{person} sets its id"));
    }
    Ok(vec![
        Typing {
            label: format!("body of {pilot}"),
            rel: pilot.clone(),
            answer: pilot.clone(),
            text: text.clone(),
            step: |text, i| format!("{text}{}", "x".repeat(i + 1)),
        },
        Typing {
            label: format!("owner of {pilot} (undefined, then defined)"),
            rel: pilot.clone(),
            answer: pilot.clone(),
            text,
            step: |text, i| {
                let suffix = if i % 2 == 0 { "z" } else { "" };
                let mut out = String::with_capacity(text.len() + 1);
                for line in text.split_inclusive('\n') {
                    match line.strip_prefix("owner: ") {
                        Some(id) => out.push_str(&format!("owner: {}{suffix}\n", id.trim_end())),
                        None => out.push_str(line),
                    }
                }
                out
            },
        },
        Typing {
            label: format!("id of {person}, until {pilot} is answered"),
            rel: person,
            answer: pilot,
            text: person_text,
            step: |text, i| {
                let id = if i % 2 == 0 { "id: someone-else\n" } else { "" };
                text.replacen("---\n", &format!("---\n{id}"), 1)
            },
        },
    ])
}

fn run(args: &Args) -> Result<(), String> {
    let typings = typings(&args.root)?;
    let started = Instant::now();
    let mut server = Server::start(&args.pilotbook, &args.root)?;
    let root_uri = server.uri("");
    server.send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "processId": null, "rootUri": root_uri, "capabilities": {} },
    }))?;
    server.wait("the initialize answer", |m| m["id"] == 1)?;
    server.send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }))?;
    let mut opened = Vec::new();
    for typing in &typings {
        if !opened.contains(&typing.rel) {
            open(&mut server, &typing.rel, &typing.text)?;
            opened.push(typing.rel.clone());
        }
    }
    println!(
        "first check and the documents opened: {:.1} ms",
        ms(started.elapsed())
    );
    std::thread::sleep(Duration::from_millis(200));
    while server.out.try_recv().is_ok() {}
    server.log_lines();
    let mut version = 1;
    for typing in &typings {
        println!("{}:", typing.label);
        let (times, checks) = time_typing(&mut server, typing, args.edits.max(1), &mut version)?;
        let mid = times.len() / 2;
        println!(
            "  keystroke answered: median {:.1} ms, min {:.1} ms, max {:.1} ms over {} keystrokes; the server's check: median {:.1} ms",
            ms(times[mid]),
            ms(times[0]),
            ms(times[times.len() - 1]),
            times.len(),
            checks.get(checks.len() / 2).copied().unwrap_or(f64::NAN),
        );
    }
    server.send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }))?;
    server.wait("the shutdown answer", |m| m["id"] == 2)?;
    server.send(json!({ "jsonrpc": "2.0", "method": "exit" }))?;
    let status = server.child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("the server exited with {status}"));
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-lsp: {e}");
            ExitCode::FAILURE
        }
    }
}
