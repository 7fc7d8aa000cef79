//! A real editor on `pilotbook lsp`: Neovim, headless, loads each set-up a
//! user copies from `editors/neovim/` that its version runs, opens a pilot
//! of a repository built here, and writes the diagnostics its built-in LSP
//! client received (`tests/fixtures/nvim/diagnostics.lua`); they must be
//! what `pilotbook check --format json` reports for that file: the same
//! rules, severities and messages at the same 1-based lines and columns
//! (in characters, across a line with non-ASCII text before the finding).
//! Then it types a few edits (an incremental change after that non-ASCII
//! text among them), waits for the diagnostics to change and saves: they
//! must be what `check` reports for the saved file.
//!
//! The Neovims: `nvim` on `PATH` (Debian 12's is 0.7.2, which runs only
//! the `vim.lsp.start_client` set-up), and every binary listed in
//! `PILOTBOOK_TEST_NVIM` (`:`-separated; `.ci/run` lists a 0.11+ build
//! there when it could install one, for the `vim.lsp.config` and
//! `vim.lsp.start` set-ups). Without `nvim` the test says so and passes,
//! except in CI (`CI=true`), where that fails.
//!
//! And every editor's set-up (`editors/`) runs the same server: `pilotbook`
//! with the one argument `lsp`.

use crate::support::{Case, DANA, QUIET_LIFECYCLE, Run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The set-ups in `editors/neovim/` and the oldest Neovim each runs on.
const SETUPS: &[(&str, (u32, u32))] = &[
    ("pilotbook.lua", (0, 11)),
    ("pilotbook-0.8.lua", (0, 8)),
    ("pilotbook-0.7.lua", (0, 7)),
];

/// The pilot the editor opens: a required section missing (an error),
/// recommended ones missing, an owner and a system with no document, and a
/// key pilotbook does not read, that one after non-ASCII text on its line.
const PILOT: &str = "---
title: Triage — Zoë's queue
status: pilot
owner: ghost-owner
started: 2026-03-01
metrics:
  - metric: accuracy
    target: \">= 90%\"
integrations: [{ note: \"Zoë’s desk\", system: zendesk }]
production_path:
  - milestone: General availability
    due: 2027-03-01
---

# Triage

## Success metrics

Accuracy.

## Integrations

Zendesk.

## Ownership

Dana.

## Production path

GA.

## Monitoring

Dashboards.
";

const FILE: &str = "pilots/triage.md";

/// What the editor types once the first diagnostics are in: the owner
/// fixed, the system renamed after the non-ASCII text of its line (an
/// incremental change whose UTF-16 range the server must apply where the
/// client meant it), and the missing required section appended.
fn edits() -> String {
    serde_json::json!([
        { "find": "owner: ghost-owner", "replace": "owner: dana-kim" },
        { "find": "system: zendesk }", "replace": "system: help-desk }" },
        { "append": ["", "## Rollback", "", "Flag off."] }
    ])
    .to_string()
}

fn fixture() -> Case {
    Case::new()
        .config(QUIET_LIFECYCLE)
        .file("people/dana-kim.md", crate::support::PERSON)
        .file("metrics/accuracy.md", crate::support::METRIC)
        .file(FILE, PILOT)
        .committed("Add the triage pilot", DANA, "2026-03-01T10:00:00+00:00")
}

/// A Neovim's version, from `nvim --version` ("NVIM v0.7.2").
fn version(nvim: &Path) -> Option<(u32, u32)> {
    let out = Command::new(nvim).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text
        .lines()
        .next()?
        .strip_prefix("NVIM v")?
        .split(['.', '-'])
        .map(|n| n.parse::<u32>().ok());
    Some((numbers.next()??, numbers.next()??))
}

/// The Neovims to drive, with their versions.
fn nvims() -> Vec<(PathBuf, (u32, u32))> {
    let mut found = Vec::new();
    let listed = std::env::var_os("PILOTBOOK_TEST_NVIM").unwrap_or_default();
    let candidates = std::iter::once(PathBuf::from("nvim"))
        .chain(std::env::split_paths(&listed).filter(|p| !p.as_os_str().is_empty()));
    for nvim in candidates {
        match version(&nvim) {
            Some(v) => found.push((nvim, v)),
            None if nvim != Path::new("nvim") => {
                panic!(
                    "PILOTBOOK_TEST_NVIM lists {}, which does not run",
                    nvim.display()
                )
            }
            None => {}
        }
    }
    found
}

/// One diagnostic as both sides can say it: line, column, rule, severity,
/// message.
type Finding = (u64, u64, String, String, String);

fn finding(d: &Value) -> Finding {
    let text = |key: &str| d[key].as_str().unwrap_or("").to_string();
    (
        d["line"].as_u64().unwrap_or(0),
        d["column"].as_u64().unwrap_or(0),
        text("rule"),
        text("severity"),
        text("message"),
    )
}

/// What `pilotbook check --format json FILE` reports for the file.
fn check_findings(case: &Case) -> Vec<Finding> {
    let out = Run::new()
        .cwd(&case.root)
        .args(["check", "--format", "json", FILE])
        .output();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "check: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("check's JSON");
    let mut found: Vec<Finding> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["path"] == FILE)
        .map(finding)
        .collect();
    found.sort();
    found
}

/// Neovim's environment: the tests' own for pilotbook (a fixed today, no
/// colour, none of the variables pilotbook reads), the built binary first
/// on `PATH` (the set-ups run `pilotbook`), and a home of its own.
fn nvim_command(nvim: &Path, home: &Path) -> Command {
    let template = Run::new().command();
    let mut cmd = Command::new(nvim);
    for (key, value) in template.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let bin = Path::new(template.get_program())
        .parent()
        .expect("the binary's folder")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    cmd.env("PATH", path).env("HOME", home);
    for (key, dir) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ] {
        cmd.env(key, home.join(dir));
    }
    cmd
}

/// Everything Neovim and its LSP client wrote, for a failure message.
fn logs(home: &Path) -> String {
    let mut text = String::new();
    for file in crate::support::files_below(home) {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".log") || name == "stderr" || name == "stdout" {
            let log = std::fs::read_to_string(&file).unwrap_or_default();
            let tail: String = log.lines().rev().take(60).collect::<Vec<_>>().join("\n");
            text.push_str(&format!(
                "--- {} (last lines first)\n{tail}\n",
                file.display()
            ));
        }
    }
    text
}

/// Run `nvim` on the fixture with one set-up (its `run`-th), typing
/// [`edits`] once the first diagnostics are in, and return what the driver
/// wrote; killed (and failed) after a minute and a half.
fn nvim_report(nvim: &Path, setup: &str, case: &Case, run: usize) -> Value {
    let home = case.tmp.path().join(format!("nvim-home-{run}-{setup}"));
    std::fs::create_dir_all(&home).expect("nvim home");
    let out = home.join("diagnostics.json");
    let driver = root().join("tests/fixtures/nvim/diagnostics.lua");
    let mut child = nvim_command(nvim, &home)
        .args(["--headless", "--clean", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", driver.display()))
        .env(
            "PILOTBOOK_NVIM_SETUP",
            root().join("editors/neovim").join(setup),
        )
        .env("PILOTBOOK_NVIM_FILE", FILE)
        .env("PILOTBOOK_NVIM_OUT", &out)
        .env("PILOTBOOK_NVIM_WAIT_MS", "30000")
        .env("PILOTBOOK_NVIM_EDITS", edits())
        .current_dir(&case.root)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(home.join("stdout")).expect("stdout file"))
        .stderr(std::fs::File::create(home.join("stderr")).expect("stderr file"))
        .spawn()
        .expect("start nvim");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for nvim") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} with {setup} hung:\n{}", nvim.display(), logs(&home));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "{} with {setup} exited {status} and wrote no report ({e}):\n{}",
            nvim.display(),
            logs(&home)
        )
    });
    let report: Value = serde_json::from_str(&text).expect("the driver's JSON");
    assert!(
        report.get("error").is_none() && report["timed_out"] == false,
        "{} with {setup}: {report}\n{}",
        nvim.display(),
        logs(&home)
    );
    report
}

/// A report's list of diagnostics as [`Finding`]s, sorted, each from
/// pilotbook.
fn findings_of(report: &Value, key: &str) -> Vec<Finding> {
    let diagnostics = report[key].as_array().expect("diagnostics");
    for d in diagnostics {
        assert_eq!(d["source"], "pilotbook", "{d}");
    }
    let mut found: Vec<Finding> = diagnostics.iter().map(finding).collect();
    found.sort();
    found
}

#[test]
fn neovim_shows_what_check_finds() {
    let nvims = nvims();
    if nvims.is_empty() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("nvim is required in CI: .ci/run installs it (apt-get install neovim)");
        }
        eprintln!("skipped: nvim is not on PATH (apt-get install neovim)");
        return;
    }
    let case = fixture();
    let expected = check_findings(&case);
    for rule in ["missing-section", "undefined-reference", "unknown-field"] {
        assert!(
            rules_of(&expected).contains(&rule),
            "check finds {rule}: {expected:?}"
        );
    }
    assert!(
        expected.iter().any(|f| f.4.contains("ghost-owner")),
        "{expected:?}"
    );
    let mut ran = 0;
    for (nvim, version) in &nvims {
        for (setup, _) in SETUPS.iter().filter(|(_, oldest)| version >= oldest) {
            // Each run starts from the committed pilot (the last one saved its edits).
            case.write(FILE, PILOT);
            let report = nvim_report(nvim, setup, &case, ran);
            let version = report["nvim"].as_str().unwrap_or("?").to_string();
            let label = format!(
                "Neovim {version} ({}) with editors/neovim/{setup}",
                nvim.display()
            );
            assert_eq!(report["filetype"], "markdown", "{report}");
            assert_eq!(report["clients"], 1, "one pilotbook client: {report}");
            assert_eq!(findings_of(&report, "diagnostics"), expected, "{label}");
            // After the edits, saved: what check reports for the saved file.
            let edited = findings_of(&report, "edited");
            assert_eq!(edited, check_findings(&case), "{label}, after the edits");
            let messages: Vec<&str> = edited.iter().map(|f| f.4.as_str()).collect();
            assert!(
                !rules_of(&edited).contains(&"missing-section"),
                "{label}: {edited:?}"
            );
            assert!(
                !messages.iter().any(|m| m.contains("ghost-owner")),
                "{label}"
            );
            assert!(
                edited.contains(&(
                    9,
                    46,
                    "undefined-reference".into(),
                    "warning".into(),
                    "system `help-desk` has no document".into()
                )),
                "{label}: the rename landed where it was typed: {edited:?}"
            );
            eprintln!(
                "{label}: {} diagnostics, then {} after the edits, as check reports them",
                expected.len(),
                edited.len()
            );
            ran += 1;
        }
    }
    assert!(ran >= 1, "no set-up ran on {nvims:?}");
}

fn rules_of(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.2.as_str()).collect()
}

/// A set-up's text after its leading comment block: what the guide shows.
fn body(text: &str, comment: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| l.starts_with(comment) || l.is_empty())
        .collect();
    lines.join("\n")
}

#[test]
fn every_editor_setup_runs_pilotbook_lsp_and_the_guide_shows_it() {
    let editors = root().join("editors");
    let guide = read(&root().join("docs/guide/editors.md"));
    // Neovim: every set-up the test drives runs `pilotbook lsp`, for
    // Markdown, only under a pilotbook.toml; no other set-up is there.
    let mut lua: Vec<String> = std::fs::read_dir(editors.join("neovim"))
        .expect("editors/neovim")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".lua"))
        .collect();
    lua.sort();
    let mut driven: Vec<String> = SETUPS.iter().map(|(s, _)| s.to_string()).collect();
    driven.sort();
    assert_eq!(
        lua, driven,
        "editors/neovim/ holds the set-ups the test drives"
    );
    for setup in &lua {
        let text = read(&editors.join("neovim").join(setup));
        for needle in ["cmd = { 'pilotbook', 'lsp' }", "markdown", "pilotbook.toml"] {
            assert!(text.contains(needle), "{setup}: {needle}");
        }
        assert!(
            guide.contains(&body(&text, "--")),
            "docs/guide/editors.md shows editors/neovim/{setup} as it is"
        );
    }
    // Helix: the server entry and Markdown's list.
    let helix_text = read(&editors.join("helix/languages.toml"));
    let helix: toml::Table = toml::from_str(&helix_text).expect("languages.toml");
    let server = &helix["language-server"]["pilotbook"];
    assert_eq!(server["command"].as_str(), Some("pilotbook"));
    assert_eq!(server["args"], toml::Value::from(vec!["lsp"]));
    let markdown = helix["language"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["name"].as_str() == Some("markdown")))
        .expect("a markdown entry");
    let servers = markdown["language-servers"]
        .as_array()
        .expect("its servers");
    assert!(servers.iter().any(|s| s.as_str() == Some("pilotbook")));
    assert!(
        guide.contains(&body(&helix_text, "#")),
        "the guide shows languages.toml"
    );
    // Zed: the binary and its argument.
    let zed_text = read(&editors.join("zed/settings.json"));
    let zed: Value = serde_json::from_str(&zed_text).expect("settings.json");
    assert_eq!(zed["lsp"]["pilotbook"]["binary"]["path"], "pilotbook");
    assert_eq!(
        zed["lsp"]["pilotbook"]["binary"]["arguments"],
        serde_json::json!(["lsp"])
    );
    assert_eq!(
        zed["languages"]["Markdown"]["language_servers"][0],
        "pilotbook"
    );
    assert!(
        guide.contains(zed_text.trim()),
        "the guide shows settings.json"
    );
    vscode_runs_pilotbook_lsp(&editors.join("vscode"));
}

/// VS Code: the extension's default binary and argument, its settings, and
/// the client id that makes `pilotbook.trace.server` the trace setting.
fn vscode_runs_pilotbook_lsp(dir: &Path) {
    let manifest: Value =
        serde_json::from_str(&read(&dir.join("package.json"))).expect("package.json");
    let settings = &manifest["contributes"]["configuration"]["properties"];
    assert_eq!(settings["pilotbook.path"]["default"], "pilotbook");
    assert!(settings["pilotbook.trace.server"].is_object(), "{settings}");
    assert!(
        manifest["dependencies"]["vscode-languageclient"].is_string(),
        "{manifest}"
    );
    let server = read(&dir.join("src/server.ts"));
    assert!(server.contains("DEFAULT_PATH = \"pilotbook\""), "{server}");
    assert!(server.contains("args: [\"lsp\"]"), "{server}");
    let extension = read(&dir.join("src/extension.ts"));
    assert!(
        extension.contains("new LanguageClient(\"pilotbook\""),
        "the client id is `pilotbook`"
    );
    assert!(extension.contains("language: \"markdown\""));
    assert!(
        dir.join("package-lock.json").is_file(),
        "npm ci needs the lock"
    );
}
