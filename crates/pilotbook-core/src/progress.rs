//! A hook for reporting progress on long work (the history walk, rendering
//! the pages), so the edge can draw a progress bar.
//!
//! The library only counts; it never decides whether or how progress is
//! shown. The CLI draws a bar when stderr is a terminal and the work is
//! large, and nothing otherwise.

use std::sync::Arc;

/// A callback told `(done, total)` as work advances; it may be called from
/// several threads at once.
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(u64, u64) + Send + Sync>);

impl Progress {
    /// Wrap a callback.
    pub fn new(f: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        Progress(Arc::new(f))
    }

    /// Report that `done` of `total` units are finished.
    pub fn report(&self, done: u64, total: u64) {
        (self.0)(done, total);
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}
