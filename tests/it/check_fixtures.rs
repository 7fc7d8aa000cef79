//! Data-driven tests for `pilotbook check`.
//!
//! Every folder under `tests/fixtures/check/` is one small pilotbook
//! repository plus a `case.toml` that says how to run the real binary on it
//! and what it must report (format: `tests/fixtures/check/README.md`). The
//! harness runs each case with `-C <case dir>`, compares the exit code and,
//! for `--format json`, the exact multiset of diagnostics, then reports every
//! mismatch of every case in one panic so a single run shows all of them.
//!
//! The fixture folders are read-only input: nothing here writes into them,
//! and a run that leaves a file behind in one is reported as a failure.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::support::Run;

/// The "today" every case sees unless its `env` table overrides it, so that
/// milestone-overdue never depends on the clock.
const TODAY: &str = "2026-11-25";

/// A run that takes longer than this is treated as a hang.
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[serde(default = "default_args")]
    args: Vec<String>,
    exit: i32,
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// Expected `summary.documents`, when given.
    documents: Option<u64>,
    #[serde(default)]
    stderr_contains: Option<OneOrMany>,
    /// Substrings expected in stdout or stderr (either one), for formats
    /// other than JSON.
    #[serde(default)]
    output_contains: Option<OneOrMany>,
    #[serde(default, rename = "diagnostic")]
    diagnostics: Vec<Expected>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    severity: String,
    path: String,
    line: u64,
    section: Option<String>,
    field: Option<String>,
    message_contains: Option<String>,
}

fn default_args() -> Vec<String> {
    ["check", "--format", "json"].map(String::from).to_vec()
}

/// One diagnostic as the binary printed it.
#[derive(Debug)]
struct Actual {
    rule: String,
    severity: String,
    path: String,
    line: u64,
    section: Option<String>,
    field: Option<String>,
    message: String,
    raw: Value,
}

type Key<'a> = (&'a str, &'a str, &'a str, u64);

impl Expected {
    fn key(&self) -> Key<'_> {
        (&self.rule, &self.severity, &self.path, self.line)
    }

    /// Mismatches of the optional checks against a diagnostic with the same key.
    fn detail_mismatches(&self, actual: &Actual) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(section) = &self.section
            && actual.section.as_deref() != Some(section.as_str())
        {
            out.push(format!(
                "section: expected {section:?}, got {:?}",
                actual.section
            ));
        }
        if let Some(field) = &self.field
            && actual.field.as_deref() != Some(field.as_str())
        {
            out.push(format!("field: expected {field:?}, got {:?}", actual.field));
        }
        if let Some(needle) = &self.message_contains
            && !actual.message.contains(needle.as_str())
        {
            out.push(format!(
                "message should contain {needle:?}, got {:?}",
                actual.message
            ));
        }
        out
    }

    fn describe(&self) -> String {
        let mut s = format!(
            "{}[{}] {}:{}",
            self.severity, self.rule, self.path, self.line
        );
        if let Some(x) = &self.section {
            let _ = write!(s, " section={x:?}");
        }
        if let Some(x) = &self.field {
            let _ = write!(s, " field={x:?}");
        }
        if let Some(x) = &self.message_contains {
            let _ = write!(s, " message~{x:?}");
        }
        s
    }
}

impl Actual {
    fn key(&self) -> Key<'_> {
        (&self.rule, &self.severity, &self.path, self.line)
    }

    fn describe(&self) -> String {
        let mut s = format!(
            "{}[{}] {}:{}",
            self.severity, self.rule, self.path, self.line
        );
        if let Some(x) = &self.section {
            let _ = write!(s, " section={x:?}");
        }
        if let Some(x) = &self.field {
            let _ = write!(s, " field={x:?}");
        }
        let _ = write!(s, " message={:?}", self.message);
        s
    }
}

struct Streams {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

#[test]
fn check_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|entry| entry.expect("readable fixture entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no fixture cases under {}",
        root.display()
    );

    let mut report = String::new();
    let mut failed = 0;
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let problems = run_case(&root, dir);
        if !problems.is_empty() {
            failed += 1;
            let _ = writeln!(report, "\n=== {name} ===");
            for p in problems {
                let _ = writeln!(report, "  {}", p.replace('\n', "\n    "));
            }
        }
    }
    if failed > 0 {
        panic!(
            "{failed} of {} check fixture cases failed:\n{report}",
            cases.len()
        );
    }
}

/// Runs one case and returns its mismatches (empty when it passes).
fn run_case(root: &Path, dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let case_file = dir.join("case.toml");
    let case: Case = match fs::read_to_string(&case_file)
        .map_err(|e| e.to_string())
        .and_then(|s| toml::from_str(&s).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => return vec![format!("bad {}: {e}", case_file.display())],
    };

    let before = list_files(dir);
    let run = match run_binary(root, dir, &case) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let after = list_files(dir);
    if before != after {
        let added: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
        let removed: Vec<_> = before.iter().filter(|p| !after.contains(p)).collect();
        problems.push(format!(
            "the run changed the fixture folder (added {added:?}, removed {removed:?})"
        ));
    }

    let streams = || {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            clip(&run.stdout),
            clip(&run.stderr)
        )
    };

    if run.code != Some(case.exit) {
        problems.push(format!(
            "exit code: expected {}, got {:?}\n{}",
            case.exit,
            run.code,
            streams()
        ));
    }

    if case.exit == 2 && run.stderr.trim().is_empty() {
        problems.push("exit 2 expected with a message on stderr, but stderr is empty".into());
    }
    if let Some(needles) = &case.stderr_contains {
        for needle in needles.items() {
            if !run.stderr.contains(needle) {
                problems.push(format!("stderr should contain {needle:?}\n{}", streams()));
            }
        }
    }
    if let Some(needles) = &case.output_contains {
        for needle in needles.items() {
            if !run.stdout.contains(needle) && !run.stderr.contains(needle) {
                problems.push(format!("output should contain {needle:?}\n{}", streams()));
            }
        }
    }

    // With exit 2 pilotbook could not run: there is no report to compare.
    if is_json(&case.args) && case.exit != 2 {
        problems.extend(compare_json(&case, &run.stdout));
    }
    problems
}

fn run_binary(root: &Path, dir: &Path, case: &Case) -> Result<Streams, String> {
    let mut run = Run::at(dir)
        .args(&case.args)
        // A fixture is a plain folder, not part of the repository around it.
        .ceiling(root)
        .env("PILOTBOOK_TODAY", TODAY)
        .limit(TIMEOUT);
    for (key, value) in &case.env {
        run = run.env(key, value);
    }
    let ran = run.ran();
    if ran.killed {
        return Err(format!("pilotbook did not finish within {TIMEOUT:?}"));
    }
    Ok(Streams {
        code: ran.output.status.code(),
        stdout: String::from_utf8_lossy(&ran.output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&ran.output.stderr).into_owned(),
    })
}

fn is_json(args: &[String]) -> bool {
    args.windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json")
        || args.iter().any(|a| a == "--format=json")
}

/// Compares the JSON report on stdout against the case's expectations.
fn compare_json(case: &Case, stdout: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let report: Value = match serde_json::from_str(stdout) {
        Ok(v) => v,
        Err(e) => {
            return vec![format!(
                "stdout is not one JSON object ({e}):\n{}",
                clip(stdout)
            )];
        }
    };
    if report.get("version") != Some(&Value::from(1)) {
        problems.push(format!(
            "\"version\" should be 1, got {:?}",
            report.get("version")
        ));
    }

    let Some(list) = report.get("diagnostics").and_then(Value::as_array) else {
        problems.push(format!("no \"diagnostics\" array in:\n{}", clip(stdout)));
        return problems;
    };
    let mut actual = Vec::new();
    for raw in list {
        match parse_actual(raw) {
            Ok(a) => actual.push(a),
            Err(e) => problems.push(format!("malformed diagnostic ({e}): {raw}")),
        }
    }

    // A fixture is a plain folder (see GIT_CEILING_DIRECTORIES above), so
    // every report carries exactly one `history-unavailable` warning.
    let mut expected: Vec<&Expected> = case.diagnostics.iter().collect();
    let no_history = Expected {
        rule: "history-unavailable".into(),
        severity: "warning".into(),
        path: "pilotbook.toml".into(),
        line: 1,
        section: None,
        field: None,
        message_contains: Some("not inside a git repository".into()),
    };
    if !case.diagnostics.iter().any(|d| d.rule == no_history.rule) {
        expected.push(&no_history);
    }
    problems.extend(match_diagnostics(&expected, &actual));

    // The summary must agree with the expected counts (which, once the lists
    // match, are also the counts of what was printed).
    let count = |sev: &str| expected.iter().filter(|d| d.severity == sev).count() as u64;
    let summary = report.get("summary");
    let num = |k: &str| summary.and_then(|s| s.get(k)).and_then(Value::as_u64);
    for (key, want) in [("errors", count("error")), ("warnings", count("warning"))] {
        if num(key) != Some(want) {
            problems.push(format!(
                "summary.{key}: expected {want}, got {:?}",
                num(key)
            ));
        }
    }
    match (case.documents, num("documents")) {
        (Some(want), got) if got != Some(want) => {
            problems.push(format!("summary.documents: expected {want}, got {got:?}"))
        }
        (None, None) => problems.push("summary.documents is missing".into()),
        _ => {}
    }
    problems
}

fn parse_actual(raw: &Value) -> Result<Actual, String> {
    let text = |k: &str| -> Result<String, String> {
        raw.get(k)
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| format!("no string \"{k}\""))
    };
    let optional = |k: &str| -> Result<Option<String>, String> {
        match raw.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("\"{k}\" is not a string: {other}")),
        }
    };
    let line = raw
        .get("line")
        .and_then(Value::as_u64)
        .ok_or("no integer \"line\"")?;
    let column = raw
        .get("column")
        .and_then(Value::as_u64)
        .ok_or("no integer \"column\"")?;
    if line == 0 || column == 0 {
        return Err("line and column are 1-based".into());
    }
    let message = text("message")?;
    if message.trim().is_empty() {
        return Err("empty \"message\"".into());
    }
    text("help")?;
    Ok(Actual {
        rule: text("rule")?,
        severity: text("severity")?,
        path: text("path")?,
        line,
        section: optional("section")?,
        field: optional("field")?,
        message,
        raw: raw.clone(),
    })
}

/// Pairs expected with actual diagnostics on (rule, severity, path, line),
/// preferring pairs whose optional checks also pass, and reports what is
/// missing, what is extra, and what matched on the key but not the details.
fn match_diagnostics(expected: &[&Expected], actual: &[Actual]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut used = vec![false; actual.len()];
    let mut paired: Vec<Option<usize>> = vec![None; expected.len()];

    for (i, e) in expected.iter().enumerate() {
        if let Some(j) = (0..actual.len()).find(|&j| {
            !used[j] && actual[j].key() == e.key() && e.detail_mismatches(&actual[j]).is_empty()
        }) {
            used[j] = true;
            paired[i] = Some(j);
        }
    }
    for (i, e) in expected.iter().enumerate() {
        if paired[i].is_some() {
            continue;
        }
        if let Some(j) = (0..actual.len()).find(|&j| !used[j] && actual[j].key() == e.key()) {
            used[j] = true;
            paired[i] = Some(j);
            for m in e.detail_mismatches(&actual[j]) {
                problems.push(format!("{}: {m}", e.describe()));
            }
        }
    }

    let missing: Vec<_> = expected
        .iter()
        .zip(&paired)
        .filter(|(_, p)| p.is_none())
        .map(|(e, _)| e)
        .collect();
    let extra: Vec<_> = actual
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(a, _)| a)
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        let mut s = String::from("diagnostics differ");
        for e in &missing {
            let _ = write!(s, "\n- missing: {}", e.describe());
        }
        for a in &extra {
            let _ = write!(s, "\n+ extra:   {}", a.describe());
        }
        let _ = write!(s, "\n  expected ({}):", expected.len());
        for e in expected {
            let _ = write!(s, "\n    {}", e.describe());
        }
        let _ = write!(s, "\n  actual ({}):", actual.len());
        for a in actual {
            let _ = write!(s, "\n    {}", a.raw);
        }
        problems.push(s);
    }
    problems
}

/// Every file under `dir`, relative and sorted, to notice writes into fixtures.
fn list_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).unwrap_or(&path).to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn clip(s: &str) -> String {
    const MAX: usize = 4000;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes more)", &s[..end], s.len() - end)
}
