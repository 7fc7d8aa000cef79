//! The hostile corpus: every case under `tests/fixtures/hostile/` is one
//! small repository (or a recipe for one) that tries to make pilotbook
//! crash, hang, exhaust memory, misread a file, read outside the
//! repository or publish active content. Its `case.toml` says what must
//! come out: accept, a warning or an error, with rule, path and line
//! (format: `tests/fixtures/hostile/README.md`).
//!
//! Each case is copied into a temporary folder (big inputs, case-colliding
//! names and symbolic links are made there, never committed), checked
//! with the real binary, timed, and then built into a site that must carry
//! no active content. Each run's largest resident set (its own, from
//! `wait4`) must stay under 256 MiB.

use crate::support::{self, Run};

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// A case must finish well within this (2 s in release; debug builds and a
/// busy machine get slack). A hang fails the test instead of stalling it.
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// The most memory one pilotbook run may hold.
const MEMORY_LIMIT_KIB: i64 = 256 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    class: String,
    #[serde(default)]
    generate: Option<String>,
    outcome: Outcome,
    exit: i32,
    #[serde(default)]
    stderr_contains: Vec<String>,
    /// Strings `pilotbook export` must print (typed values as written).
    #[serde(default)]
    export_contains: Vec<String>,
    #[serde(default, rename = "diagnostic")]
    diagnostics: Vec<Expected>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum Outcome {
    Accept,
    Warning,
    Error,
    /// pilotbook refuses to run (bad config): exit 2.
    Refuse,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    severity: String,
    path: String,
    line: u64,
    #[serde(default)]
    message_contains: Option<String>,
}

const CLASSES: &[&str] = &[
    "front-matter",
    "size",
    "yaml",
    "encoding",
    "filesystem",
    "active-content",
    "config",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(corpus())
        .expect("corpus")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("case.toml").is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(from).expect("prefix");
        if rel == Path::new("case.toml") {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
        } else {
            fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, bytes).expect("write");
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

/// Make a generated case's inputs in `root` (the repository) and its
/// parent `outside` (a folder beside it, outside the repository).
fn generate(recipe: &str, root: &Path, outside: &Path) {
    const PERSON: &str = "---\nname: Big\n---\n\n# Big\n\n";
    match recipe {
        "file-9mib" => {
            let mut doc = PERSON.as_bytes().to_vec();
            doc.resize(9 * 1024 * 1024, b'x');
            write(root, "people/big.md", &doc);
        }
        "front-matter-50mb" => {
            let mut doc = String::from("---\nname: Big\n");
            let mut i = 0;
            while doc.len() < 50_000_000 {
                let _ = writeln!(doc, "key{i}: value");
                i += 1;
            }
            doc.push_str("---\n");
            write(root, "people/big.md", doc.as_bytes());
        }
        "front-matter-300kib" => {
            let mut doc = String::from("---\nname: Big\nrole: |\n");
            while doc.len() < 300 * 1024 {
                doc.push_str("  a line of a very long role description\n");
            }
            doc.push_str("---\n\n# Big\n");
            write(root, "people/big.md", doc.as_bytes());
        }
        "long-line" => {
            let mut doc = PERSON.to_string();
            doc.push_str(&"word ".repeat(400_000));
            doc.push('\n');
            write(root, "people/big.md", doc.as_bytes());
        }
        "many-headings" => {
            let mut doc = PERSON.to_string();
            for i in 0..20_000 {
                let _ = write!(doc, "## Heading {i}\n\nText.\n\n");
            }
            write(root, "people/big.md", doc.as_bytes());
        }
        "alias-bomb" => {
            // Each level refers to the one before nine times: 9^9 strings
            // if expanded, a few hundred bytes as written.
            let mut doc = String::from("---\nname: Bomb\na0: &a0 \"lol\"\n");
            for level in 1..=9 {
                let refs = vec![format!("*a{}", level - 1); 9].join(", ");
                let _ = writeln!(doc, "a{level}: &a{level} [{refs}]");
            }
            doc.push_str("---\n");
            write(root, "people/bomb.md", doc.as_bytes());
        }
        "nested-sequences" => {
            let doc = format!(
                "---\nname: Deep\nx: {}{}\n---\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            );
            write(root, "people/deep.md", doc.as_bytes());
        }
        "nested-maps" => {
            let mut doc = String::from("---\nname: Deep\n");
            for depth in 0..200 {
                let _ = writeln!(doc, "{}k{depth}:", "  ".repeat(depth));
            }
            doc.push_str("---\n");
            write(root, "people/deep.md", doc.as_bytes());
        }
        "toml-nested-arrays" => {
            let doc = format!(
                "+++\nname = \"Deep\"\nx = {}{}\n+++\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            );
            write(root, "people/deep.md", doc.as_bytes());
        }
        "toml-nested-tables" => {
            let mut doc = String::from("+++\nname = \"Deep\"\nx = ");
            doc.push_str(&"{ a = ".repeat(5_000));
            doc.push('1');
            doc.push_str(&" }".repeat(5_000));
            doc.push_str("\n+++\n");
            write(root, "people/deep.md", doc.as_bytes());
        }
        "case-collision" => {
            write(root, "people/Dana.md", b"---\nname: Dana\n---\n");
            write(root, "people/dana.md", b"---\nname: Dana too\n---\n");
        }
        "nfc-nfd-collision" => {
            write(
                root,
                "people/zo\u{eb}.md",
                b"---\nname: Zoe composed\n---\n",
            );
            write(
                root,
                "people/zoe\u{308}.md",
                b"---\nname: Zoe decomposed\n---\n",
            );
        }
        #[cfg(unix)]
        "symlink-out" => {
            let secret = outside.join("secret.md");
            write(
                outside,
                "secret.md",
                b"---\nname: A secret from outside\n---\n",
            );
            symlink(&secret, &root.join("people/secret.md"));
            // A folder link out of the repository is not walked either.
            symlink(outside, &root.join("people/outside"));
        }
        #[cfg(unix)]
        "symlink-loop" => {
            symlink(Path::new("loop-b.md"), &root.join("people/loop-a.md"));
            symlink(Path::new("loop-a.md"), &root.join("people/loop-b.md"));
            symlink(Path::new("self.md"), &root.join("people/self.md"));
            // A folder that links to its parent: walked once, not forever.
            symlink(Path::new(".."), &root.join("people/up"));
        }
        #[cfg(unix)]
        "symlink-dangling" => {
            symlink(Path::new("nowhere.md"), &root.join("people/gone.md"));
        }
        #[cfg(unix)]
        "symlink-inside" => {
            write(root, "shared/eve.md", b"---\nname: Eve\n---\n");
            symlink(Path::new("../shared/eve.md"), &root.join("people/eve.md"));
        }
        other => panic!("unknown recipe `{other}`"),
    }
}

/// Run pilotbook on a case: output, time taken and the run's peak memory
/// in KiB. A hang is killed at three times the limit, so that it fails the
/// case instead of stalling the suite.
fn run(root: &Path, args: &[&str], ceiling: &Path) -> (Output, Duration, i64) {
    let ran = Run::at(root)
        .args(args)
        .ceiling(ceiling)
        .limit(TIME_LIMIT * 3)
        .ran();
    let kib = i64::try_from(ran.peak / 1024).unwrap_or(i64::MAX);
    (ran.output, ran.took, kib)
}

#[test]
fn hostile_corpus() {
    let all = cases();
    assert!(all.len() >= 40, "the corpus has {} cases", all.len());
    let mut failures = String::new();
    let mut per_class: BTreeMap<String, usize> = BTreeMap::new();
    let mut max_rss = 0;
    for (name, dir) in &all {
        let text = fs::read_to_string(dir.join("case.toml")).expect("case.toml");
        let case: Case = match toml::from_str(&text) {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(failures, "{name}: bad case.toml: {e}");
                continue;
            }
        };
        let mut fail = |msg: String| {
            let _ = writeln!(failures, "{name}: {msg}");
        };
        if !CLASSES.contains(&case.class.as_str()) {
            fail(format!("unknown class `{}`", case.class));
        }
        *per_class.entry(case.class.clone()).or_default() += 1;
        if !cfg!(unix)
            && case
                .generate
                .as_deref()
                .is_some_and(|g| g.starts_with("symlink"))
        {
            continue;
        }

        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        let outside = tmp.path().join("outside");
        fs::create_dir_all(&outside).expect("mkdir");
        copy_tree(dir, &root);
        if !root.join("pilotbook.toml").exists() {
            write(&root, "pilotbook.toml", b"");
        }
        if let Some(recipe) = &case.generate {
            generate(recipe, &root, &outside);
        }

        let (out, took, rss) = run(
            &root,
            &["check", "--format", "json", "--no-cache"],
            tmp.path(),
        );
        let peak = if rss > max_rss {
            max_rss = rss;
            if rss > MEMORY_LIMIT_KIB {
                fail(format!("a run reached {} MiB", rss / 1024));
            }
            format!("{} MiB (new peak)", rss / 1024)
        } else {
            format!("≤ {} MiB", max_rss / 1024)
        };
        eprintln!("{name:<36} check {:>6} ms  {peak}", took.as_millis());
        if took > TIME_LIMIT {
            fail(format!("took {took:?}"));
        }
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if code != Some(case.exit) {
            fail(format!(
                "exit {code:?}, expected {}; stderr: {stderr}; stdout: {}",
                case.exit,
                serde_json::from_slice::<Value>(&out.stdout)
                    .map(|v| v["diagnostics"]
                        .as_array()
                        .map(|a| a
                            .iter()
                            .map(|d| format!(
                                "{} {} {}:{} {}",
                                d["rule"], d["severity"], d["path"], d["line"], d["message"]
                            ))
                            .collect::<Vec<_>>()
                            .join("\n    "))
                        .unwrap_or_default())
                    .unwrap_or_default()
            ));
            continue;
        }
        for needle in &case.stderr_contains {
            if !stderr.contains(needle.as_str()) {
                fail(format!("stderr lacks `{needle}`: {stderr}"));
            }
        }
        if case.exit == 2 {
            if case.outcome != Outcome::Refuse {
                fail("exit 2 needs outcome = \"refuse\"".into());
            }
            if stderr.trim().is_empty() {
                fail("exit 2 with nothing on stderr".into());
            }
            // Nothing outside the repository was written.
            if fs::read_dir(&outside).map(|d| d.count()).unwrap_or(0) != 0 {
                fail("wrote outside the repository".into());
            }
            continue;
        }
        let report: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                fail(format!("stdout is not JSON ({e})"));
                continue;
            }
        };
        let empty = Vec::new();
        let actual: Vec<&Value> = report["diagnostics"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            // A fixture is a plain folder: its history warning is implied,
            // and so is the warning of a fixture that needs no pilot.
            .filter(|d| {
                !((d["rule"] == "history-unavailable" || d["rule"] == "no-documents")
                    && d["path"] == "pilotbook.toml")
            })
            .collect();
        let key =
            |rule: &str, sev: &str, path: &str, line: u64| format!("{rule} {sev} {path}:{line}");
        let mut got: Vec<String> = actual
            .iter()
            .map(|d| {
                key(
                    d["rule"].as_str().unwrap_or(""),
                    d["severity"].as_str().unwrap_or(""),
                    d["path"].as_str().unwrap_or(""),
                    d["line"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        let mut want: Vec<String> = case
            .diagnostics
            .iter()
            .map(|e| key(&e.rule, &e.severity, &e.path, e.line))
            .collect();
        got.sort();
        want.sort();
        if got != want {
            fail(format!(
                "diagnostics\n  got:  {got:?}\n  want: {want:?}\n  full: {}",
                serde_json::to_string(&actual).unwrap_or_default()
            ));
        }
        for e in &case.diagnostics {
            let Some(needle) = &e.message_contains else {
                continue;
            };
            let hit = actual.iter().any(|d| {
                d["rule"] == e.rule.as_str()
                    && d["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(needle.as_str()))
            });
            if !hit {
                fail(format!("no `{}` message contains `{needle}`", e.rule));
            }
        }
        let worst = actual
            .iter()
            .map(|d| match d["severity"].as_str() {
                Some("error") => Outcome::Error,
                Some("warning") => Outcome::Warning,
                _ => Outcome::Accept,
            })
            .max_by_key(|o| match o {
                Outcome::Error => 2,
                Outcome::Warning => 1,
                _ => 0,
            })
            .unwrap_or(Outcome::Accept);
        if worst != case.outcome {
            fail(format!(
                "outcome {worst:?}, the case says {:?}",
                case.outcome
            ));
        }

        if !case.export_contains.is_empty() {
            let (export, _, rss) = run(&root, &["export", "--no-cache"], tmp.path());
            max_rss = max_rss.max(rss);
            let json = String::from_utf8_lossy(&export.stdout);
            for needle in &case.export_contains {
                if !json.contains(needle.as_str()) {
                    fail(format!("export lacks `{needle}`"));
                }
            }
        }

        // The same input published: no active content on any page, and
        // nothing written outside the output folder.
        let site = tmp.path().join("site");
        let (built, took, rss) = run(
            &root,
            &["build", "--no-cache", "--out", site.to_str().expect("utf8")],
            tmp.path(),
        );
        if took > TIME_LIMIT {
            fail(format!("build took {took:?}"));
        }
        if rss > max_rss {
            max_rss = rss;
            eprintln!(
                "{name:<36} build {:>6} ms  {} MiB (new peak)",
                took.as_millis(),
                rss / 1024
            );
        }
        if rss > MEMORY_LIMIT_KIB {
            fail(format!("the build reached {} MiB", rss / 1024));
        }
        if built.status.code() != Some(0) {
            fail(format!(
                "build failed: {}",
                String::from_utf8_lossy(&built.stderr)
            ));
            continue;
        }
        let found = support::active_content(&site);
        let trusted = fs::read_to_string(root.join("pilotbook.toml"))
            .unwrap_or_default()
            .contains("allow_raw_html = true");
        if trusted {
            // The documented opt-out publishes raw HTML as written.
            if found.is_empty() {
                fail("allow_raw_html = true, yet the raw HTML was not published".into());
            }
        } else {
            for finding in found {
                fail(finding);
            }
        }
        if fs::read_dir(&outside).map(|d| d.count()).unwrap_or(0)
            > usize::from(case.generate.as_deref() == Some("symlink-out"))
        {
            fail("wrote outside the repository".into());
        }
        if root.join("site").exists() {
            fail("wrote into the repository with --out elsewhere".into());
        }
    }
    for class in CLASSES {
        if per_class.get(*class).copied().unwrap_or(0) < 3 {
            let _ = writeln!(failures, "class `{class}` has fewer than 3 cases");
        }
    }
    assert!(failures.is_empty(), "{failures}");
    assert!(
        max_rss <= MEMORY_LIMIT_KIB,
        "largest run: {} MiB",
        max_rss / 1024
    );
    eprintln!(
        "{} hostile cases; largest run {} MiB",
        all.len(),
        max_rss / 1024
    );
}
