//! Budgets: every input pilotbook reads is bounded, and going past a bound
//! is a located finding or error, never minutes of work, gigabytes of
//! memory, an abort or a runaway render. Memory is the peak resident set of
//! the run itself (`wait4`); a document's memory budget is
//! `tests/it/memory.rs`.

use crate::support;

use crate::support::budget::{MIB, run_with_limit, strays, write};
use crate::support::run::Ran;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

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
        let Ran {
            output: o,
            took,
            killed,
            ..
        } = run_with_limit(
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
    let Ran {
        output: o,
        killed,
        peak: checked,
        ..
    } = run_with_limit(
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
    let Ran {
        output: o,
        killed,
        peak: built,
        ..
    } = run_with_limit(
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
    let peak = checked.max(built);
    assert!(peak <= 64 * MIB + 2 * 200_000_000, "{} MiB", peak / MIB);
}
