//! The memory budget of one large document: the peak resident set of each
//! run, its own (`wait4`), so that the other tests' runs do not count.

use crate::support;

use crate::support::budget::{MIB, run_with_limit, write};
use std::time::Duration;

/// An 8 MiB person document: `unit` repeated up to about `marks` lines
/// and Markdown marks, then plain words up to 8 MiB.
fn eight_mib(unit: &str, marks: usize) -> Vec<u8> {
    let head = "---\nname: Big\n---\n\n# Big\n\n";
    let per = pilotbook_core::parse::markdown_marks(unit.as_bytes()).max(1);
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
/// Peak memory is each run's own largest resident set (`wait4`).
#[test]
fn eight_mib_documents_build_within_the_memory_budget() {
    let one_budget = (64 + 32 * 8) * MIB;
    let six_budget = (64 + 12 * 48) * MIB;
    let limit = pilotbook_core::config::Limits::default().max_markdown_marks;
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
        let ran = run_with_limit(
            &root,
            &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
            Duration::from_secs(120),
        );
        let stderr = String::from_utf8_lossy(&ran.output.stderr);
        assert!(
            !ran.killed && ran.output.status.code() == Some(0),
            "{name}: {stderr}"
        );
        let peak = ran.peak;
        eprintln!(
            "{name:<14} build {:>6} ms  peak {} MiB",
            ran.took.as_millis(),
            peak / MIB
        );
        assert!(peak <= one_budget, "{name}: {} MiB", peak / MIB);
        let _ = std::fs::remove_dir_all(&out);
    }
    // Six at once (the case, worst shapes first).
    let out = tmp.path().join("six-site");
    let ran = run_with_limit(
        &six,
        &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
        Duration::from_secs(300),
    );
    assert_eq!(
        ran.output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ran.output.stderr)
    );
    let peak = ran.peak;
    eprintln!(
        "{} documents: build {} ms, peak {} MiB",
        SHAPES.len(),
        ran.took.as_millis(),
        peak / MIB
    );
    assert!(peak <= six_budget, "{} MiB", peak / MIB);
    // Measured, not missed: six 8 MiB documents are read into memory.
    assert!(
        peak >= 48 * MIB,
        "peak {} MiB: the measurement saw nothing",
        peak / MIB
    );

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
    let ran = run_with_limit(
        &over,
        &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
        Duration::from_secs(60),
    );
    assert_eq!(ran.output.status.code(), Some(0));
    assert!(ran.peak <= one_budget, "{} MiB", ran.peak / MIB);
}
