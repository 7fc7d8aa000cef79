//! Budgets in tests: running pilotbook with a time limit, and reading the
//! peak memory of the runs from `getrusage(RUSAGE_CHILDREN)`, which covers
//! every child the test binary has waited for (so a test that measures
//! memory lives in a binary of its own, or with runs it bounds as well).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A mebibyte.
pub const MIB: usize = 1024 * 1024;

/// Write `bytes` to `root/rel`, making its folders.
pub fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// Run pilotbook in `root`, killed after `limit`: (output, time taken,
/// whether it had to be killed).
pub fn run_with_limit(root: &Path, args: &[&str], limit: Duration) -> (Output, Duration, bool) {
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

/// Temporary folders `build` left beside `out`.
pub fn strays(out: &Path) -> Vec<String> {
    let parent = out.parent().expect("parent");
    std::fs::read_dir(parent)
        .expect("read parent")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pilotbook-new") || n.contains("pilotbook-old"))
        .collect()
}

/// The largest resident set of any child process waited for so far, KiB.
pub fn children_max_rss_kib() -> i64 {
    // SAFETY: getrusage only writes into the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}

/// [`children_max_rss_kib`] in bytes.
pub fn children_max_rss() -> usize {
    usize::try_from(children_max_rss_kib()).unwrap_or(0) * 1024
}
