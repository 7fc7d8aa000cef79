//! Budgets: every input pilotbook reads is bounded, and going past a bound
//! is a located finding or error, never minutes of work, gigabytes of
//! memory, an abort or a runaway render. Memory is the peak resident set of
//! the child process (`getrusage(RUSAGE_CHILDREN)` after it is waited for),
//! so each measured run is its own test binary's only child at that moment:
//! the tests here that measure run one pilotbook at a time, in sequence,
//! inside one `#[test]`.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// `n` in base 36, starting with a letter (a kind name).
fn base36(mut n: u32) -> String {
    let digits = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = vec![digits[(n % 26) as usize]];
    n /= 26;
    while n > 0 {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// 50,000 kinds once took over two minutes to read; now the config is
/// refused at once, naming the limit and the line of the first kind past it.
#[test]
fn fifty_thousand_kinds_are_refused_quickly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    // Short names and inline tables, so that the file stays under the
    // 1 MiB cap on configs (a separate limit) and every kind is complete.
    let mut config = String::from("[site]\ntitle = \"Many kinds\"\n[kinds]\n");
    for i in 0..50_000u32 {
        let _ = writeln!(config, "{}={{path=\"*.md\"}}", base36(i));
    }
    write(root, "pilotbook.toml", config.as_bytes());
    write(root, "people/dana.md", b"---\nname: Dana\n---\n");
    let started = Instant::now();
    for command in [&["check"][..], &["build", "--no-cache"]] {
        let out = support::pilotbook(root, command);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(
            stderr.contains("pilotbook.toml:100:") && stderr.contains("at most 100"),
            "{command:?}: {stderr}"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(!root.join("site").exists());
}

/// Run pilotbook in `root`, killed after `limit`: (output, time taken,
/// whether it had to be killed).
fn run_with_limit(root: &Path, args: &[&str], limit: Duration) -> (Output, Duration, bool) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pilotbook"))
        .arg("-C")
        .arg(root)
        .args(args)
        .env("PILOTBOOK_TODAY", "2026-11-25")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env("GIT_CEILING_DIRECTORIES", root.parent().unwrap_or(root))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pilotbook");
    let mut killed = false;
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            killed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    (out, started.elapsed(), killed)
}

/// A small portfolio: one pilot, its owner.
fn portfolio(root: &Path, config: &str) {
    write(root, "pilotbook.toml", config.as_bytes());
    write(
        root,
        "people/dana.md",
        b"---\nname: Dana Kim\n---\n\nDana.\n",
    );
    write(
        root,
        "pilots/alpha.md",
        b"---\ntitle: Alpha\nstatus: proposed\nowner: dana\n---\n\n# Alpha\n\nText.\n",
    );
}

/// Temporary folders `build` left beside `out`.
fn strays(out: &Path) -> Vec<String> {
    let parent = out.parent().expect("parent");
    std::fs::read_dir(parent)
        .expect("read parent")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pilotbook-new") || n.contains("pilotbook-old"))
        .collect()
}

/// A template override that loops without end is stopped, with an error
/// that names the page and the template (and the line, where Tera knows
/// it), exit 2 as for any template error, and no temporary folder left.
#[test]
fn runaway_templates_are_stopped_with_a_located_error() {
    // Nested ranges that would take hours: the per-page range budget.
    let nested = "<p>start</p>\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}\n";
    // A loop that prints: the page's byte cap.
    let printing = format!(
        "{{% for i in range(end=900000) %}}{}{{% endfor %}}",
        "0123456789".repeat(10)
    );
    // A silent loop over a string, no range: only the deadline sees it.
    let letters = "x".repeat(1000);
    let silent = format!(
        "{{% set s = \"{letters}\" %}}{{% for a in s %}}{{% for b in s %}}{{% for c in s %}}{{% for d in s %}}{{% endfor %}}{{% endfor %}}{{% endfor %}}{{% endfor %}}"
    );
    for (name, template, config, needles) in [
        (
            "nested ranges",
            nested.to_string(),
            "",
            &["pilots/alpha.html", "1000000 numbers", "pilot.html:2:"][..],
        ),
        (
            "printing loop",
            printing,
            // Pages are capped at four times this, and never under 64 MiB.
            "[limits]\nmax_html_bytes = 1048576\n",
            &["pilots/alpha.html", "`pilot.html`", "wrote more than"][..],
        ),
        (
            "silent loop",
            silent,
            "[limits]\nmax_render_seconds = 1\n",
            &["pilots/alpha.html", "`pilot.html`", "after 1 s"][..],
        ),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        portfolio(&root, config);
        write(&root, "templates/pilot.html", template.as_bytes());
        let out = tmp.path().join("site");
        let (o, took, killed) = run_with_limit(
            &root,
            &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
            Duration::from_secs(60),
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!killed, "{name}: still rendering after {took:?}");
        assert_eq!(o.status.code(), Some(2), "{name}: {stderr}");
        for needle in needles {
            assert!(stderr.contains(needle), "{name}: no `{needle}` in {stderr}");
        }
        assert!(strays(&out).is_empty(), "{name}: left {:?}", strays(&out));
        assert!(!out.exists(), "{name}: a site was published");
    }
}

/// The largest resident set of any child process waited for so far, KiB.
fn children_max_rss_kib() -> i64 {
    // SAFETY: getrusage only writes into the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}

const MIB: usize = 1024 * 1024;

/// An 8 MiB person document: `unit` repeated up to about `marks` lines
/// and Markdown marks, then plain words up to 8 MiB.
fn eight_mib(unit: &str, marks: usize) -> Vec<u8> {
    let head = "---\nname: Big\n---\n\n# Big\n\n";
    let per = pilotbook::parse::markdown_marks(unit.as_bytes()).max(1);
    let mut doc = String::from(head);
    if unit.starts_with('|') {
        doc.push_str("|a|b|\n|-|-|\n");
    }
    doc.push_str(&unit.repeat(marks / per));
    doc.push_str("\n\n");
    let words = (8 * MIB).saturating_sub(doc.len()) / 5;
    doc.push_str(&"word ".repeat(words));
    doc.into_bytes()
}

/// The shapes that cost the parser and the sanitiser most per byte, as
/// measured: one element every few bytes, nested containers, raw HTML.
const SHAPES: &[(&str, &str)] = &[
    ("emphasis", "*a* "),
    ("nested-lists", "- - - - - - - - x\n"),
    ("quotes", "> > > > > > > > x\n\n"),
    ("code-spans", "`a` "),
    ("headings", "## h\n"),
    ("table", "|a|b|\n"),
    ("entities", "&amp; "),
    ("links", "[a](b) "),
];

/// An 8 MiB document (the default file cap) once cost `build` up to
/// 1.8 GiB and six of them 3.65 GiB. The budget now: one document's build
/// holds at most 64 MiB plus 32 times its size (320 MiB for 8 MiB), six
/// at most 64 MiB plus 12 times their size (640 MiB for 48 MiB): large
/// bodies render one at a time, the HTML streams through the sanitiser in
/// pieces, and `max_markdown_marks` bounds the parser's tree. A document
/// past that limit is refused with `unreadable-file`, cheaply.
///
/// Peak memory is `getrusage(RUSAGE_CHILDREN)`'s largest resident set,
/// which covers every child this test binary has waited for; the other
/// tests here stay far under these budgets, so a pass means each run did.
#[test]
fn eight_mib_documents_build_within_the_memory_budget() {
    let one_budget = (64 + 32 * 8) * MIB;
    let six_budget = (64 + 12 * 48) * MIB;
    let limit = pilotbook::config::Limits::default().max_markdown_marks;
    let tmp = tempfile::tempdir().expect("tempdir");
    let six = tmp.path().join("six");
    write(&six, "pilotbook.toml", b"");
    for (i, (name, unit)) in SHAPES.iter().enumerate() {
        let root = tmp.path().join(name);
        write(&root, "pilotbook.toml", b"");
        // Just within the limit: the most a document may cost.
        let doc = eight_mib(unit, limit - 100);
        assert!(doc.len() >= 8 * MIB - 16, "{name}: {}", doc.len());
        write(&root, "people/big.md", &doc);
        if i < 6 {
            write(&six, &format!("people/{name}.md"), &doc);
        }
        let out = tmp.path().join(format!("{name}-site"));
        let (o, took, killed) = run_with_limit(
            &root,
            &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
            Duration::from_secs(120),
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!killed && o.status.code() == Some(0), "{name}: {stderr}");
        let peak = usize::try_from(children_max_rss_kib()).unwrap_or(0) * 1024;
        eprintln!(
            "{name:<14} build {:>6} ms  peak so far {} MiB",
            took.as_millis(),
            peak / MIB
        );
        assert!(peak <= one_budget, "{name}: {} MiB", peak / MIB);
        let _ = std::fs::remove_dir_all(&out);
    }
    // Six at once (the case, worst shapes first).
    let out = tmp.path().join("six-site");
    let (o, took, _) = run_with_limit(
        &six,
        &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
        Duration::from_secs(300),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let peak = usize::try_from(children_max_rss_kib()).unwrap_or(0) * 1024;
    eprintln!(
        "{} documents: build {} ms, peak {} MiB",
        SHAPES.len(),
        took.as_millis(),
        peak / MIB
    );
    assert!(peak <= six_budget, "{} MiB", peak / MIB);

    // Past the marks limit (one element every 1.5 bytes): refused by
    // `check` and `build` alike, at no cost.
    let over = tmp.path().join("over");
    write(&over, "pilotbook.toml", b"");
    write(&over, "people/big.md", &eight_mib("x\n\n", 5_000_000));
    let report = support::pilotbook_json(&over, &["check", "--format", "json", "--no-cache"], 1);
    let first = &report["diagnostics"][0];
    assert_eq!(first["rule"], "unreadable-file", "{report}");
    assert!(
        first["message"]
            .as_str()
            .unwrap_or("")
            .contains("Markdown marks"),
        "{report}"
    );
    let out = tmp.path().join("over-site");
    let (o, _, _) = run_with_limit(
        &over,
        &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(0));
    let peak = usize::try_from(children_max_rss_kib()).unwrap_or(0) * 1024;
    assert!(peak <= six_budget, "{} MiB", peak / MIB);
}

/// With the file cap raised, a 200 MB document once made `check` take
/// 3.6 GiB and `build` abort on allocation failure, leaving its temporary
/// folder. Now it is refused (`unreadable-file`: past `max_html_bytes`,
/// its HTML could never be published) by `check` and `build`, which
/// publish the rest, within a small multiple of the file's size.
#[test]
fn a_200_mb_document_is_refused_cleanly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("repo");
    portfolio(&root, "[limits]\nmax_file_bytes = 300000000\n");
    let mut doc = b"---\nname: Big\n---\n\n# Big\n\n".to_vec();
    doc.resize(200_000_000, b'w');
    write(&root, "people/big.md", &doc);
    drop(doc);
    let (o, _, killed) = run_with_limit(
        &root,
        &["check", "--format", "json", "--no-cache"],
        Duration::from_secs(60),
    );
    assert!(!killed);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let refused = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["path"] == "people/big.md")
        .unwrap_or_else(|| panic!("no finding for the big file: {report}"));
    assert_eq!(refused["rule"], "unreadable-file");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or("")
            .contains("max_html_bytes")
            || refused["message"]
                .as_str()
                .unwrap_or("")
                .contains("bytes of HTML"),
        "{refused}"
    );

    let out = tmp.path().join("site");
    let (o, _, killed) = run_with_limit(
        &root,
        &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
        Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!killed && o.status.code() == Some(0), "{stderr}");
    assert!(
        out.join("pilots/alpha.html").is_file(),
        "the rest is published"
    );
    assert!(strays(&out).is_empty(), "left {:?}", strays(&out));
    let peak = usize::try_from(children_max_rss_kib()).unwrap_or(0) * 1024;
    assert!(peak <= 64 * MIB + 2 * 200_000_000, "{} MiB", peak / MIB);
}
