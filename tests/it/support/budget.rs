//! Budgets in tests: running pilotbook with a time limit and reading the
//! peak memory of that run alone ([`Ran::peak`], from `wait4`).

use super::run::{Ran, Run};
use std::path::Path;
use std::time::Duration;

/// A mebibyte.
pub const MIB: usize = 1024 * 1024;

/// Write `bytes` to `root/rel`, making its folders.
pub fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// Run pilotbook in `root` with no repository above it, killed after
/// `limit`: how it ended, how long it took and its own peak memory.
pub fn run_with_limit(root: &Path, args: &[&str], limit: Duration) -> Ran {
    Run::at(root)
        .args(args)
        .ceiling(root.parent().unwrap_or(root))
        .limit(limit)
        .ran()
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
