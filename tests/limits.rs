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
