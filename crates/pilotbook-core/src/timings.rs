//! How long each stage took: the pipeline's `tracing` spans, measured.
//!
//! Every stage (discover, parse, link, history and its phases, validate,
//! render and its phases, write) is a `tracing` span. Nothing measures
//! anything unless a subscriber listens: [`Timings::install`] sets one
//! that records each span's duration, which the CLI prints under `-v` or
//! `PILOTBOOK_TIMINGS` and the serve benchmark reads. Without it the spans
//! cost a check of a static flag, and nothing is printed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// One finished span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// The stage.
    pub name: &'static str,
    /// How many spans it was inside (0 for a stage, 1 for its phases).
    pub depth: usize,
    /// How long it took.
    pub took: Duration,
    /// The process's peak resident memory when it ended, in KiB (Linux
    /// only; `None` elsewhere): where the peak first appears is the stage
    /// that made it.
    pub peak_kib: Option<u64>,
    /// When it started, among the others: its stage's start, then its own
    /// (so that a stage's phases follow it even while another stage runs
    /// beside it on another thread).
    order: (u64, u64),
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = format!("{}{}", "  ".repeat(self.depth), self.name);
        let ms = self.took.as_secs_f64() * 1000.0;
        write!(f, "timing: {name:<16} {ms:>9.1} ms")?;
        match self.peak_kib {
            Some(kib) => write!(f, "  (peak {:>5} MiB)", kib / 1024),
            None => Ok(()),
        }
    }
}

/// The spans finished since the last [`Timings::take`].
#[derive(Clone, Default)]
pub struct Timings {
    done: Arc<Mutex<Vec<Timing>>>,
}

impl Timings {
    /// Record every span from now on, for the whole process. Returns
    /// `None` when a subscriber is installed already.
    pub fn install() -> Option<Timings> {
        let timings = Timings::default();
        let recorder = Recorder {
            done: Arc::clone(&timings.done),
            next: AtomicU64::new(0),
        };
        let subscriber = tracing_subscriber::registry().with(recorder);
        tracing::subscriber::set_global_default(subscriber).ok()?;
        Some(timings)
    }

    /// The spans finished so far, in the order they started; forgotten
    /// once taken.
    pub fn take(&self) -> Vec<Timing> {
        let mut done = match self.done.lock() {
            Ok(mut done) => std::mem::take(&mut *done),
            Err(_) => Vec::new(),
        };
        done.sort_by_key(|t| t.order);
        done
    }
}

/// When a span started, kept in its extensions until it closes.
struct Started {
    at: Instant,
    order: (u64, u64),
    depth: usize,
}

/// The layer that measures spans.
struct Recorder {
    done: Arc<Mutex<Vec<Timing>>>,
    next: AtomicU64,
}

impl<S> Layer<S> for Recorder
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        _attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let Some(span) = ctx.span(id) else { return };
        let own = self.next.fetch_add(1, Ordering::Relaxed);
        let stage = span.scope().from_root().next().filter(|s| s.id() != *id);
        let stage = stage.and_then(|s| s.extensions().get::<Started>().map(|p| p.order.0));
        let started = Started {
            at: Instant::now(),
            order: (stage.unwrap_or(own), own),
            depth: span.scope().skip(1).count(),
        };
        span.extensions_mut().insert(started);
    }

    fn on_close(&self, id: tracing::span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(started) = span.extensions_mut().remove::<Started>() else {
            return;
        };
        let timing = Timing {
            name: span.name(),
            depth: started.depth,
            took: started.at.elapsed(),
            peak_kib: peak_kib(),
            order: started.order,
        };
        if let Ok(mut done) = self.done.lock() {
            done.push(timing);
        }
    }
}

/// `VmHWM` of `/proc/self/status`: the peak resident set so far.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_recorded_in_start_order_with_their_depth() {
        let timings = Timings::default();
        let recorder = Recorder {
            done: Arc::clone(&timings.done),
            next: AtomicU64::new(0),
        };
        let subscriber = tracing_subscriber::registry().with(recorder);
        tracing::subscriber::with_default(subscriber, || {
            let history = tracing::info_span!("history");
            drop(history.enter());
            // Another stage starts while history's phases run.
            drop(tracing::info_span!("link").entered());
            let outer = history.entered();
            drop(tracing::info_span!("walk").entered());
            drop(tracing::info_span!("facts").entered());
            drop(outer);
            drop(tracing::info_span!("validate").entered());
        });
        let got: Vec<(&str, usize)> = timings.take().iter().map(|t| (t.name, t.depth)).collect();
        assert_eq!(
            got,
            [
                ("history", 0),
                ("walk", 1),
                ("facts", 1),
                ("link", 0),
                ("validate", 0)
            ]
        );
        assert!(timings.take().is_empty(), "taken once");
        let line = Timing {
            name: "walk",
            depth: 1,
            took: Duration::from_micros(1500),
            peak_kib: None,
            order: (0, 0),
        };
        assert_eq!(line.to_string(), "timing:   walk                 1.5 ms");
        let line = Timing {
            peak_kib: Some(2048),
            ..line
        };
        assert_eq!(
            line.to_string(),
            "timing:   walk                 1.5 ms  (peak     2 MiB)"
        );
    }
}
