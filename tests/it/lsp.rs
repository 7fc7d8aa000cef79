//! `pilotbook lsp` end to end: the real binary, spoken to over its stdin
//! and stdout in JSON-RPC with `Content-Length` framing, on a repository
//! built in the test. Every read has a deadline, so a server that hangs
//! fails the test instead of the run.
//!
//! What an editor sees is held to what the command line says: the
//! diagnostics published for unsaved text are `check --format json`'s for
//! the same text saved (rule, message, line and column, once the column is
//! counted in UTF-16), and a rule's hover carries `check --explain`'s text.

#![cfg(unix)]

use crate::support::{Case, DANA, PERSON, Run, pilot, pilotbook_json};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any one answer may take (a debug build, on a busy machine).
const DEADLINE: Duration = Duration::from_secs(30);

/// A running `pilotbook lsp` and what it has sent.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Notifications read while waiting for something else.
    seen: Vec<Value>,
    next_id: i64,
    root: PathBuf,
    /// What the server logged.
    log: Arc<Mutex<String>>,
}

impl Client {
    /// Start the server in `root` (it finds its root from the workspace
    /// folder the client names) and initialize it.
    fn start(root: &Path) -> Client {
        let mut child = Run::new()
            .cwd(root)
            .arg("lsp")
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start pilotbook lsp");
        let stdin = child.stdin.take();
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = kept.lock().unwrap_or_else(|e| e.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            while let Some(message) = read_message(&mut out) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            messages,
            seen: Vec::new(),
            next_id: 0,
            root: root.to_path_buf(),
            log,
        };
        let init = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri_of(root),
                "workspaceFolders": [{ "uri": uri_of(root), "name": "fixture" }],
                "capabilities": {},
            }),
        );
        assert_eq!(init["serverInfo"]["name"], "pilotbook", "{init}");
        let caps = &init["capabilities"];
        for cap in [
            "completionProvider",
            "definitionProvider",
            "referencesProvider",
            "hoverProvider",
            "codeActionProvider",
        ] {
            assert!(!caps[cap].is_null(), "no {cap}: {caps}");
        }
        client.notify("initialized", json!({}));
        client
    }

    fn uri(&self, rel: &str) -> String {
        uri_of(&self.root.join(rel))
    }

    fn write_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to the server");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.write_raw(frame.as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next message, or a failure past the deadline.
    fn next(&mut self, waiting_for: &str) -> Value {
        match self.messages.recv_timeout(DEADLINE) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => {
                panic!(
                    "no message within {DEADLINE:?} ({waiting_for}); log:\n{}",
                    self.log()
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!(
                    "the server closed stdout ({waiting_for}); log:\n{}",
                    self.log()
                )
            }
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Send a request and return its whole response.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.next(method);
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
            self.seen.push(message);
        }
    }

    /// Send a request and return its result, failing on an error.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The next diagnostics published for `rel` that satisfy `done`
    /// (earlier ones for it are passed over).
    fn diagnostics(&mut self, rel: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let uri = self.uri(rel);
        let published = |m: &Value| {
            (m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str())
                .then(|| {
                    m["params"]["diagnostics"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
        };
        let mut last = None;
        let mut seen = std::mem::take(&mut self.seen).into_iter();
        let started = Instant::now();
        while started.elapsed() < DEADLINE {
            let m = match seen.next() {
                Some(m) => m,
                None => self.next(&format!("diagnostics for {rel}")),
            };
            match published(&m) {
                Some(d) if done(&d) => {
                    self.seen.extend(seen);
                    return d;
                }
                Some(d) => last = Some(d),
                // Another file's, for a later look.
                None => self.seen.push(m),
            }
        }
        panic!("no diagnostics as expected for {rel}; the last: {last:?}");
    }

    fn open(&mut self, rel: &str, text: &str) {
        let uri = self.uri(rel);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": text } }),
        );
    }

    fn change(&mut self, rel: &str, version: i64, text: &str) {
        let uri = self.uri(rel);
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// A request's parameters at `(line, character)` of `rel`.
    fn at(&self, rel: &str, line: usize, character: usize) -> Value {
        json!({ "textDocument": { "uri": self.uri(rel) }, "position": { "line": line, "character": character } })
    }

    /// `shutdown`, `exit`, and the exit code.
    fn stop(mut self) -> i32 {
        let result = self.request("shutdown", Value::Null);
        assert!(result.is_null(), "{result}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        self.wait()
    }

    fn wait(&mut self) -> i32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            if started.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("the server did not exit within {DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One framed message from the server; `None` at the end of its output.
fn read_message(out: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    out.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sends JSON"))
}

fn uri_of(path: &Path) -> String {
    // Fixture paths are plain ASCII: no escapes to make.
    format!("file://{}", path.display())
}

/// The byte offset of an LSP position (0-based line, UTF-16 column).
fn offset(text: &str, line: u64, character: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize)
        .map(str::len)
        .sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16() as u64;
    }
    text.len()
}

/// `text` with a code action's edits to `uri` applied.
fn apply(text: &str, action: &Value, uri: &str) -> String {
    let mut edits: Vec<&Value> = action["edit"]["changes"][uri]
        .as_array()
        .expect("edits for the document")
        .iter()
        .collect();
    edits.sort_by_key(|e| {
        let s = &e["range"]["start"];
        std::cmp::Reverse((s["line"].as_u64(), s["character"].as_u64()))
    });
    let mut out = text.to_string();
    for e in edits {
        let pos = |p: &Value| {
            offset(
                &out,
                p["line"].as_u64().unwrap_or(0),
                p["character"].as_u64().unwrap_or(0),
            )
        };
        let (start, end) = (pos(&e["range"]["start"]), pos(&e["range"]["end"]));
        out.replace_range(start..end, e["newText"].as_str().expect("newText"));
    }
    out
}

/// Diagnostics as comparable rows: rule, 0-based line, UTF-16 column,
/// message.
fn rows(diagnostics: &[Value]) -> Vec<(String, u64, u64, String)> {
    let mut out: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX),
                d["range"]["start"]["character"]
                    .as_u64()
                    .unwrap_or(u64::MAX),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// `check --format json`'s findings on `rel`, as [`rows`] (the column
/// counted in UTF-16 from the file's text).
fn check_rows(root: &Path, rel: &str) -> Vec<(String, u64, u64, String)> {
    let text = std::fs::read_to_string(root.join(rel)).expect("read");
    let report = pilotbook_json(root, &["check", "--format", "json"], 1);
    let mut out: Vec<_> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["path"] == rel)
        .map(|d| {
            let line = d["line"].as_u64().expect("line") - 1;
            let column = d["column"].as_u64().expect("column") as usize - 1;
            let content = text.lines().nth(line as usize).unwrap_or("");
            let units: usize = content.chars().take(column).map(char::len_utf16).sum();
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                line,
                units as u64,
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn rules(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect()
}

/// The line (0-based) of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?}"))
}

const TRIAGE: &str = "pilots/triage.md";
const INTAKE: &str = "pilots/intake.md";

/// A committed portfolio: Dana, the accuracy metric, Zendesk, and two
/// clean pilots, `intake` depending on `triage`.
fn fixture() -> Case {
    let intake = pilot("pilot", ">= 90%", "2026-12-20").replace(
        "integrations:\n",
        "depends_on:\n  - pilot: triage\nintegrations:\n",
    );
    Case::new()
        .portfolio()
        .file(TRIAGE, &pilot("pilot", ">= 90%", "2026-12-20"))
        .file(INTAKE, &intake.replace("title: Triage", "title: Intake"))
        .committed("Add the portfolio", DANA, "2026-02-01T10:00:00+00:00")
}

#[test]
fn diagnostics_follow_unsaved_edits_as_check_reports_them() {
    let case = fixture();
    let root = case.root.clone();
    let mut lsp = Client::start(&root);
    let clean = std::fs::read_to_string(root.join(TRIAGE)).expect("read");
    lsp.open(TRIAGE, &clean);
    let first = lsp.diagnostics(TRIAGE, |_| true);
    assert_eq!(first, Vec::<Value>::new(), "a clean pilot has no findings");

    // Unsaved: an unknown status and, after an emoji on the same line,
    // an id with no document.
    let broken = clean.replace("status: pilot", "status: piloting").replace(
        "integrations:\n",
        "depends_on: [{system: \"😀x\"}, {pilot: ghost}]\nintegrations:\n",
    );
    lsp.change(TRIAGE, 2, &broken);
    let found = lsp.diagnostics(TRIAGE, |d| rules(d).contains(&"undefined-reference"));
    let status = found
        .iter()
        .find(|d| d["code"] == "invalid-field" && d["range"]["start"]["line"] == 2)
        .unwrap_or_else(|| panic!("no invalid-field on the status line: {found:?}"));
    assert_eq!(status["source"], "pilotbook");
    assert_eq!(status["severity"], 1, "an error");
    assert_eq!(
        status["range"],
        json!({ "start": { "line": 2, "character": 8 }, "end": { "line": 2, "character": 16 } }),
        "{status}"
    );
    let ghost = found
        .iter()
        .find(|d| d["code"] == "undefined-reference")
        .expect("undefined-reference");
    let line = line_of(&broken, "depends_on:");
    let column = broken
        .lines()
        .nth(line)
        .and_then(|l| l.find("ghost"))
        .expect("ghost");
    // The emoji is 4 bytes, 2 UTF-16 units.
    assert_eq!(
        ghost["range"]["start"],
        json!({ "line": line, "character": column - 2 })
    );
    assert_eq!(
        ghost["range"]["end"]["character"],
        column - 2 + 5,
        "{ghost}"
    );

    // The same text saved: `check` reports the same findings, word for word.
    let published = rows(&found);
    std::fs::write(root.join(TRIAGE), &broken).expect("save");
    assert_eq!(published, check_rows(&root, TRIAGE));

    // Fixed again: the findings are cleared.
    lsp.change(TRIAGE, 3, &clean);
    // (The buffer is HEAD's text again: not even `history-unavailable`.)
    let fixed = lsp.diagnostics(TRIAGE, |d| !rules(d).contains(&"invalid-field"));
    assert_eq!(fixed, Vec::<Value>::new());
    assert_eq!(lsp.stop(), 0);
}

#[test]
fn findings_reach_the_documents_that_refer_to_the_edited_one() {
    let case = fixture();
    let root = case.root.clone();
    let mut lsp = Client::start(&root);

    // Dana's document takes another id: the pilots naming `dana-kim` now
    // name nobody, and say so without being opened.
    let dana = "people/dana-kim.md";
    lsp.open(dana, PERSON);
    lsp.change(
        dana,
        2,
        &PERSON.replace("---\nname:", "---\nid: dana\nname:"),
    );
    let triage = lsp.diagnostics(TRIAGE, |d| rules(d).contains(&"undefined-reference"));
    let owner = line_of(&pilot("pilot", ">= 90%", "2026-12-20"), "owner:");
    let undefined = triage
        .iter()
        .find(|d| d["code"] == "undefined-reference")
        .expect("undefined-reference");
    assert_eq!(
        undefined["range"]["start"],
        json!({ "line": owner, "character": 7 })
    );
    assert!(
        undefined["message"]
            .as_str()
            .is_some_and(|m| m.contains("dana-kim")),
        "{undefined}"
    );
    lsp.diagnostics(INTAKE, |d| rules(d).contains(&"undefined-reference"));

    // Undone: both are cleared.
    lsp.change(dana, 3, PERSON);
    lsp.diagnostics(TRIAGE, |d| d.is_empty());
    lsp.diagnostics(INTAKE, |d| d.is_empty());

    // A dependency cycle closed in one buffer is reported where `check`
    // reports it.
    let clean = std::fs::read_to_string(root.join(TRIAGE)).expect("read");
    let cycle = clean.replace(
        "integrations:\n",
        "depends_on:\n  - pilot: intake\nintegrations:\n",
    );
    lsp.open(TRIAGE, &clean);
    lsp.change(TRIAGE, 2, &cycle);
    let intake = lsp.diagnostics(INTAKE, |d| rules(d).contains(&"dependency-cycle"));
    std::fs::write(root.join(TRIAGE), &cycle).expect("save");
    assert_eq!(rows(&intake), check_rows(&root, INTAKE));
    assert_eq!(lsp.stop(), 0);
}

#[test]
fn completion_offers_ids_values_and_missing_sections() {
    let case = fixture().file("people/lee-wu.md", "---\nname: Lee Wu\n---\n\nOps.\n");
    let root = case.root.clone();
    let mut lsp = Client::start(&root);
    let text = pilot("pilot", ">= 90%", "2026-12-20")
        .replace("\n## Rollback\n\nFlag off.\n", "\n")
        .replace("owner: dana-kim", "owner: le")
        .replace("status: pilot", "status: ")
        .replace("  - system: zendesk", "  - system: zendesk\n    access: ")
        + "\n#";
    lsp.open(TRIAGE, &text);
    lsp.diagnostics(TRIAGE, |_| true);
    let labels = |result: &Value| -> Vec<String> {
        let items = result.as_array().or_else(|| result["items"].as_array());
        let mut out: Vec<String> = items
            .expect("completion items")
            .iter()
            .filter_map(|i| i["label"].as_str().map(str::to_string))
            .collect();
        out.sort();
        out
    };

    // `owner: le|`: the people, replacing what is typed.
    let owner = line_of(&text, "owner:");
    let result = lsp.request("textDocument/completion", lsp.at(TRIAGE, owner, 9));
    assert_eq!(labels(&result), ["dana-kim", "lee-wu"]);
    let lee = result
        .as_array()
        .and_then(|items| items.iter().find(|i| i["label"] == "lee-wu"))
        .expect("lee-wu");
    assert_eq!(lee["detail"], "Lee Wu");
    assert_eq!(
        lee["textEdit"]["range"],
        json!({ "start": { "line": owner, "character": 7 }, "end": { "line": owner, "character": 9 } })
    );

    // `status: |`: the statuses.
    let status = line_of(&text, "status:");
    let result = lsp.request("textDocument/completion", lsp.at(TRIAGE, status, 8));
    assert_eq!(
        labels(&result),
        ["go", "no-go", "pilot", "production", "proposed", "retired"]
    );

    // `  - metric: |`: the metrics; `    access: |`: the access modes.
    let metric = line_of(&text, "  - metric:");
    let result = lsp.request("textDocument/completion", lsp.at(TRIAGE, metric, 12));
    assert_eq!(labels(&result), ["accuracy"]);
    let access = line_of(&text, "    access:");
    let result = lsp.request("textDocument/completion", lsp.at(TRIAGE, access, 12));
    assert_eq!(
        labels(&result),
        ["api", "database", "event", "file", "other"]
    );

    // `#` on the last line: the one section the pilot lacks.
    let last = text.lines().count() - 1;
    let result = lsp.request("textDocument/completion", lsp.at(TRIAGE, last, 1));
    assert_eq!(labels(&result), ["## Rollback"]);

    // In the body, elsewhere: nothing.
    let body = line_of(&text, "Accuracy.");
    let result = lsp.request("textDocument/completion", lsp.at(TRIAGE, body, 3));
    assert!(result.is_null(), "{result}");
    assert_eq!(lsp.stop(), 0);
}

#[test]
fn definition_references_and_hover_read_the_linked_model() {
    let case = fixture();
    let root = case.root.clone();
    let mut lsp = Client::start(&root);
    let text = std::fs::read_to_string(root.join(INTAKE)).expect("read");
    lsp.open(INTAKE, &text);
    lsp.diagnostics(INTAKE, |_| true);

    // On `owner: dana-kim`: Dana's document.
    let owner = line_of(&text, "owner:");
    let found = lsp.request("textDocument/definition", lsp.at(INTAKE, owner, 10));
    assert_eq!(found["uri"], lsp.uri("people/dana-kim.md"), "{found}");
    // On `- pilot: triage`: the triage pilot.
    let dep = line_of(&text, "  - pilot: triage");
    let found = lsp.request("textDocument/definition", lsp.at(INTAKE, dep, 13));
    assert_eq!(found["uri"], lsp.uri(TRIAGE), "{found}");
    // On a key, not an id: nothing.
    let found = lsp.request("textDocument/definition", lsp.at(INTAKE, owner, 2));
    assert!(found.is_null(), "{found}");

    // From Dana's document: both pilots name her, on their owner line.
    let params = json!({
        "textDocument": { "uri": lsp.uri("people/dana-kim.md") },
        "position": { "line": 0, "character": 0 },
        "context": { "includeDeclaration": false },
    });
    let dana = "people/dana-kim.md";
    lsp.open(dana, PERSON);
    let refs = lsp.request("textDocument/references", params);
    let mut places: Vec<(String, Value)> = refs
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().unwrap_or_default().to_string(),
                l["range"].clone(),
            )
        })
        .collect();
    places.sort_by(|a, b| a.0.cmp(&b.0));
    let range = json!({ "start": { "line": owner, "character": 7 }, "end": { "line": owner, "character": 15 } });
    assert_eq!(
        places,
        [(lsp.uri(INTAKE), range.clone()), (lsp.uri(TRIAGE), range)]
    );

    // Hover on the owner: who she is and where she is defined.
    let hover = lsp.request("textDocument/hover", lsp.at(INTAKE, owner, 10));
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    assert!(shown.contains("**Dana Kim**: person `dana-kim`"), "{shown}");
    assert!(shown.contains("people/dana-kim.md"), "{shown}");
    // On the dependency: the pilot's status, owner and target.
    let hover = lsp.request("textDocument/hover", lsp.at(INTAKE, dep, 13));
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    for part in [
        "**Triage**: pilot `triage`",
        "status: pilot",
        "owner: dana-kim",
        "target: accuracy >= 90%",
    ] {
        assert!(shown.contains(part), "{part:?} in {shown}");
    }

    // Hover on a finding: its message, help, and `check --explain`'s text.
    let broken = text.replace("status: pilot", "status: piloting");
    lsp.change(INTAKE, 2, &broken);
    lsp.diagnostics(INTAKE, |d| rules(d).contains(&"invalid-field"));
    let status = line_of(&broken, "status:");
    let hover = lsp.request("textDocument/hover", lsp.at(INTAKE, status, 10));
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    let explain = Run::at(&root)
        .args(["check", "--explain", "invalid-field"])
        .output();
    let explain = String::from_utf8(explain.stdout).expect("utf-8");
    assert!(
        explain.contains("invalid-field (default: error)"),
        "{explain}"
    );
    assert!(shown.contains(&explain), "{shown}\n---\n{explain}");
    assert!(
        shown.contains("`status: piloting` is not one of"),
        "{shown}"
    );
    assert_eq!(lsp.stop(), 0);
}

/// The code actions offered on `line` of `rel`.
fn actions(lsp: &mut Client, rel: &str, line: usize) -> Vec<Value> {
    let params = json!({
        "textDocument": { "uri": lsp.uri(rel) },
        "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } },
        "context": { "diagnostics": [] },
    });
    let result = lsp.request("textDocument/codeAction", params);
    result.as_array().cloned().unwrap_or_default()
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action {title:?} in {actions:?}"))
}

#[test]
fn code_actions_insert_sections_and_fix_mistyped_keys() {
    let case = fixture();
    let root = case.root.clone();
    let mut lsp = Client::start(&root);
    let clean = std::fs::read_to_string(root.join(TRIAGE)).expect("read");
    let text = clean
        .replace("## Monitoring\n\nDashboards.\n\n", "")
        .replace(
            "integrations:\n",
            "depens_on:\n  - pilot: intake\nintegrations:\n",
        );
    lsp.open(TRIAGE, &text);
    let found = lsp.diagnostics(TRIAGE, |d| rules(d).contains(&"unknown-field"));
    assert!(rules(&found).contains(&"missing-section"), "{found:?}");

    // The missing section, where the kind lists it: before Rollback.
    let offered = actions(&mut lsp, TRIAGE, 0);
    let add = titled(&offered, "Add the `Monitoring` section");
    assert_eq!(add["kind"], "quickfix");
    assert_eq!(add["diagnostics"][0]["code"], "missing-section");
    let uri = lsp.uri(TRIAGE);
    let added = apply(&text, add, &uri);
    assert!(
        added.contains("## Production path\n\nGA.\n\n## Monitoring\n\n<!-- Write what is watched in production and who is alerted. -->\n\n## Human review"),
        "{added}"
    );

    // The mistyped key, as the finding's help suggests.
    let key = line_of(&text, "depens_on:");
    let offered = actions(&mut lsp, TRIAGE, key);
    let fix = titled(&offered, "Change `depens_on` to `depends_on`");
    let fixed = apply(&added, fix, &uri);
    assert!(
        fixed.contains("\ndepends_on:\n  - pilot: intake\n"),
        "{fixed}"
    );

    // Both applied: the key is known and the section is there (a hint
    // alone is still empty, which is what the finding now says).
    lsp.change(TRIAGE, 2, &fixed);
    let after = lsp.diagnostics(TRIAGE, |d| !rules(d).contains(&"unknown-field"));
    let section = after
        .iter()
        .find(|d| d["code"] == "missing-section")
        .expect("still to be written");
    assert_eq!(
        section["message"],
        "the `Monitoring` section of pilot `triage` is empty"
    );
    assert_eq!(lsp.stop(), 0);
}

#[test]
fn a_history_finding_is_accepted_with_a_reason() {
    let case = fixture();
    let moved = std::fs::read_to_string(case.root.join(TRIAGE))
        .expect("read")
        .replace(">= 90%", ">= 80%");
    case.write(TRIAGE, &moved);
    let commit = case.commit("Relax the target", DANA, "2026-04-01T10:00:00+00:00");
    let root = case.root.clone();
    let mut lsp = Client::start(&root);
    lsp.open(TRIAGE, &moved);
    let found = lsp.diagnostics(TRIAGE, |d| rules(d).contains(&"metric-target-changed"));
    let changed = found
        .iter()
        .find(|d| d["code"] == "metric-target-changed")
        .expect("the finding");
    let line = changed["range"]["start"]["line"].as_u64().expect("line") as usize;
    let offered = actions(&mut lsp, TRIAGE, line);
    let title = format!(
        "Accept `metric-target-changed` for commit {}, with a reason",
        &commit[..7]
    );
    let accept = titled(&offered, &title);
    let uri = lsp.uri(TRIAGE);
    let accepted = apply(&moved, accept, &uri);
    assert!(
        accepted.contains(&format!(
            "pilotbook:\n  accept:\n    - rule: metric-target-changed\n      commit: {}\n      reason: \"TODO: why this finding is accepted\"\n---\n",
            &commit[..7]
        )),
        "{accepted}"
    );

    // The placeholder reason accepts nothing, and says so.
    lsp.change(TRIAGE, 2, &accepted);
    let pending = lsp.diagnostics(TRIAGE, |d| rules(d).contains(&"placeholder-value"));
    let open = pending
        .iter()
        .find(|d| d["code"] == "metric-target-changed")
        .expect("open");
    assert_eq!(open["severity"], 2, "still a warning: {open}");
    // With a reason, it is accepted: shown as a hint, with the reason.
    let reasoned = accepted.replace(
        "TODO: why this finding is accepted",
        "re-agreed with finance",
    );
    lsp.change(TRIAGE, 3, &reasoned);
    let done = lsp.diagnostics(TRIAGE, |d| !rules(d).contains(&"placeholder-value"));
    let hint = done
        .iter()
        .find(|d| d["code"] == "metric-target-changed")
        .expect("kept");
    assert_eq!(hint["severity"], 4, "{hint}");
    assert_eq!(hint["data"]["accepted"]["reason"], "re-agreed with finance");
    assert_eq!(lsp.stop(), 0);
}

#[test]
fn bad_input_gets_errors_and_the_server_goes_on() {
    let case = fixture();
    let root = case.root.clone();
    let mut lsp = Client::start(&root);

    // Not JSON, not a message, a request with a wrong shape.
    lsp.write_raw(b"Content-Length: 7\r\n\r\nnot-json");
    lsp.write_raw(b"Content-Length: x\r\n\r\n");
    let bad = lsp.call("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let unknown = lsp.call("pilotbook/nothing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // A change to a document that is not open, one outside the root.
    lsp.change(TRIAGE, 5, "---\ntitle: x\n---\n");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let outside = uri_of(&elsewhere.path().join("notes.md"));
    lsp.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": outside, "languageId": "markdown", "version": 1, "text": "# x\n" } }),
    );
    let params =
        json!({ "textDocument": { "uri": outside }, "position": { "line": 0, "character": 0 } });
    assert!(lsp.request("textDocument/hover", params).is_null());

    // Still serving: the unopened change was ignored, the file counts.
    let text = std::fs::read_to_string(root.join(INTAKE)).expect("read");
    lsp.open(INTAKE, &text);
    let owner = line_of(&text, "owner:");
    let found = lsp.request("textDocument/definition", lsp.at(INTAKE, owner, 10));
    assert_eq!(found["uri"], lsp.uri("people/dana-kim.md"));
    // And each problem was logged (stderr is read on its own thread).
    for line in [
        "skipping input that is not a message",
        "not open",
        "outside the portfolio",
    ] {
        let started = Instant::now();
        while !lsp.log().contains(line) {
            assert!(
                started.elapsed() < DEADLINE,
                "{line:?} not in the log:\n{}",
                lsp.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    assert_eq!(lsp.stop(), 0);

    // `exit` without `shutdown` is exit code 1, as the protocol asks.
    let mut lsp = Client::start(&root);
    lsp.notify("exit", Value::Null);
    assert_eq!(lsp.wait(), 1);
}
