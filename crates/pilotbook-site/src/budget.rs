//! What one page may cost to render: a template override is code anyone
//! can commit, and Tera runs it without a limit of its own.
//!
//! Three bounds, from cheapest to last resort:
//! - the page's output is capped as it is written ([`PageWriter`]): a loop
//!   that prints is stopped past [`page_cap`] bytes;
//! - `range()`, which most runaway loops iterate, is ours ([`range`]): it
//!   hands out at most [`RANGE_BUDGET`] numbers per page, and its error
//!   names the template and line, as Tera's own errors do;
//! - a page that is still rendering `[limits] max_render_seconds` after it
//!   started (a silent loop over the data, which nothing above sees) is
//!   reported by the [`Watchdog`], whose caller ends the process: a thread
//!   stuck in a template cannot be stopped any other way. The writer and
//!   `range` also check that deadline, so a loop that prints or counts is
//!   stopped with a located error first.
//!
//! The per-page state lives in a thread-local: a page renders on one
//! thread from start to end.

use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How many numbers `range()` may produce for one page, in all calls.
pub const RANGE_BUDGET: u64 = 1_000_000;

/// The most bytes one page may have: four times the HTML one body may
/// render to (the page's own markup around it), and never under 64 MiB
/// (the portfolio and the timeline of ten thousand pilots are large).
pub fn page_cap(max_html_bytes: usize) -> usize {
    max_html_bytes.saturating_mul(4).max(64 << 20)
}

/// The page being rendered on this thread.
#[derive(Clone, Copy)]
struct Budget {
    deadline: Option<Instant>,
    range_left: u64,
    seconds: u64,
}

thread_local! {
    static BUDGET: Cell<Budget> = const {
        Cell::new(Budget { deadline: None, range_left: RANGE_BUDGET, seconds: 0 })
    };
}

/// Start the budget of a page rendered on this thread.
pub fn start_page(seconds: u64) {
    BUDGET.with(|b| {
        b.set(Budget {
            deadline: Instant::now().checked_add(Duration::from_secs(seconds)),
            range_left: RANGE_BUDGET,
            seconds,
        })
    });
}

/// `Err` with a message once this thread's page is past its deadline.
fn check_deadline() -> Result<(), String> {
    let b = BUDGET.with(Cell::get);
    match b.deadline {
        Some(d) if Instant::now() > d => Err(format!(
            "the page took longer than {} s to render (`[limits] max_render_seconds`)",
            b.seconds
        )),
        _ => Ok(()),
    }
}

/// Tera's `range(end, start=0, step_by=1)`, the same numbers and errors,
/// counted against the page's budget.
pub fn range(kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step_by = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if step_by == 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    if start > end && step_by > 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    // How many numbers, without overflow: the span over the step, rounded up.
    let span = if step_by > 0 {
        end.checked_sub(start)
    } else {
        start.checked_sub(end)
    };
    let step = step_by.checked_abs();
    let len = match (span, step) {
        (Some(span), Some(step)) if span > 0 => {
            span.div_euclid(step) + i128::from(span % step != 0)
        }
        (Some(_), Some(_)) => 0,
        _ => {
            return Err(tera::Error::message(
                "Function `range` was called with arguments that overflow",
            ));
        }
    };
    check_deadline().map_err(tera::Error::message)?;
    let left = BUDGET.with(Cell::get).range_left;
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    if len > left {
        return Err(tera::Error::message(format!(
            "`range` would hand out more than {RANGE_BUDGET} numbers on one page: a loop this long is a runaway template"
        )));
    }
    BUDGET.with(|b| {
        let mut budget = b.get();
        budget.range_left -= len;
        b.set(budget);
    });
    let mut values = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    let mut value = start;
    for _ in 0..len {
        values.push(value);
        value = value.saturating_add(step_by);
    }
    Ok(values)
}

/// Why a page's writer refused more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The page passed its byte cap.
    Size(usize),
    /// The page passed its deadline.
    Time(String),
}

/// A page's bytes, capped, checking the deadline as they come. A page
/// grows in one buffer up to [`PART_BYTES`], then in parts of that size:
/// the portfolio of 10,000 pilots is over ten megabytes, and one buffer
/// doubling to hold it held twice that, and copied it at every step.
pub struct PageWriter {
    parts: Vec<Vec<u8>>,
    bytes: Vec<u8>,
    len: usize,
    cap: usize,
    writes: u32,
    /// Why the writer refused, once it did.
    pub stopped: Option<Stopped>,
}

/// The size of each part of a large page.
pub const PART_BYTES: usize = 256 << 10;

impl PageWriter {
    /// An empty page of at most `cap` bytes.
    pub fn new(cap: usize) -> PageWriter {
        PageWriter {
            parts: Vec::new(),
            bytes: Vec::new(),
            len: 0,
            cap,
            writes: 0,
            stopped: None,
        }
    }

    /// The page, in the parts it was written in (one for most pages).
    pub fn into_parts(mut self) -> Vec<Vec<u8>> {
        self.parts.push(self.bytes);
        self.parts
    }

    /// Append, starting a new part where the current one is full.
    fn append(&mut self, mut buf: &[u8]) {
        self.len += buf.len();
        while !buf.is_empty() {
            if self.bytes.len() >= PART_BYTES {
                let full = std::mem::replace(&mut self.bytes, Vec::with_capacity(PART_BYTES));
                self.parts.push(full);
            }
            let room = (PART_BYTES - self.bytes.len()).min(buf.len());
            let (now, rest) = buf.split_at(room);
            self.bytes.extend_from_slice(now);
            buf = rest;
        }
    }
}

impl std::io::Write for PageWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.len.saturating_add(buf.len()) > self.cap {
            self.stopped = Some(Stopped::Size(self.cap));
        }
        self.writes = self.writes.wrapping_add(1);
        if self.stopped.is_none()
            && self.writes.is_multiple_of(1024)
            && let Err(why) = check_deadline()
        {
            self.stopped = Some(Stopped::Time(why));
        }
        if self.stopped.is_some() {
            return Err(std::io::Error::other("page budget"));
        }
        self.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Told about a page that overran its deadline, with a message naming the
/// page and the template; it should end the process (after removing what
/// it wrote), since the thread rendering the page cannot be stopped.
#[derive(Clone)]
pub struct Runaway(Arc<dyn Fn(&str) + Send + Sync>);

impl Runaway {
    /// A hook.
    pub fn new(hook: impl Fn(&str) + Send + Sync + 'static) -> Runaway {
        Runaway(Arc::new(hook))
    }

    /// Tell the hook.
    pub fn call(&self, message: &str) {
        (self.0)(message);
    }
}

impl std::fmt::Debug for Runaway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Runaway(..)")
    }
}

/// Watches the pages being rendered and reports one that is still going
/// a few seconds past its deadline (the cooperative checks had their
/// chance by then).
pub struct Watchdog {
    shared: Arc<(Mutex<Watched>, Condvar)>,
}

#[derive(Default)]
struct Watched {
    /// Pages in flight: (page, template, started).
    pages: Vec<(String, String, Instant)>,
    done: bool,
}

/// Grace after the deadline before the watchdog acts.
const GRACE: Duration = Duration::from_secs(2);

impl Watchdog {
    /// Start watching, with pages allowed `seconds`; past them (and the
    /// grace), `runaway` is told which page and template.
    pub fn start(seconds: u64, runaway: Runaway) -> Watchdog {
        let shared: Arc<(Mutex<Watched>, Condvar)> = Arc::default();
        let limit = Duration::from_secs(seconds) + GRACE;
        let watched = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("pilotbook-watchdog".into())
            .spawn(move || watch(&watched, limit, seconds, &runaway));
        // Without the thread, the cooperative checks still stand.
        drop(spawned);
        Watchdog { shared }
    }

    /// Watch a page while the guard lives.
    pub fn page(&self, page: &str, template: &str) -> PageGuard<'_> {
        if let Ok(mut w) = self.shared.0.lock() {
            w.pages
                .push((page.to_string(), template.to_string(), Instant::now()));
        }
        PageGuard {
            watchdog: self,
            page: page.to_string(),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Ok(mut w) = self.shared.0.lock() {
            w.done = true;
        }
        self.shared.1.notify_all();
    }
}

/// A page being watched; dropping it ends the watch.
pub struct PageGuard<'w> {
    watchdog: &'w Watchdog,
    page: String,
}

impl Drop for PageGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut w) = self.watchdog.shared.0.lock()
            && let Some(at) = w.pages.iter().position(|(p, _, _)| *p == self.page)
        {
            w.pages.swap_remove(at);
        }
    }
}

fn watch(shared: &(Mutex<Watched>, Condvar), limit: Duration, seconds: u64, runaway: &Runaway) {
    let (lock, wake) = shared;
    let Ok(mut watched) = lock.lock() else {
        return;
    };
    loop {
        if watched.done {
            return;
        }
        let late = watched
            .pages
            .iter()
            .find(|(_, _, started)| started.elapsed() > limit)
            .map(|(page, template, _)| (page.clone(), template.clone()));
        if let Some((page, template)) = late {
            drop(watched);
            runaway.call(&format!(
                "template error while rendering {page}: template `{template}` (or one it extends or includes) was still rendering after {seconds} s (`[limits] max_render_seconds`): a loop without end?"
            ));
            return;
        }
        watched = match wake.wait_timeout(watched, Duration::from_millis(200)) {
            Ok((w, _)) => w,
            Err(_) => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera_with(template: &str) -> tera::Tera {
        let mut tera = tera::Tera::new();
        tera.register_function("range", range);
        tera.add_raw_template("t", template).expect("template");
        tera
    }

    #[test]
    fn range_gives_teras_numbers() {
        let tera = tera_with(
            "{{ range(end=5) }} {{ range(start=2, end=9, step_by=3) }} {{ range(start=5, end=0, step_by=-2) }} {{ range(start=3, end=3) }}",
        );
        start_page(60);
        let out = tera.render("t", &tera::Context::new()).expect("renders");
        assert_eq!(out, "[0, 1, 2, 3, 4] [2, 5, 8] [5, 3, 1] []");
        for bad in [
            "{{ range(end=1, step_by=0) }}",
            "{{ range(start=3, end=1) }}",
            "{{ range(start=-9223372036854775807, end=9223372036854775807) }}",
        ] {
            start_page(60);
            assert!(
                tera_with(bad).render("t", &tera::Context::new()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn nested_ranges_run_out_with_a_located_error() {
        let tera = tera_with(
            "line one\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
        );
        start_page(60);
        let started = Instant::now();
        let e = tera
            .render("t", &tera::Context::new())
            .expect_err("runaway")
            .to_string();
        assert!(e.contains("1000000 numbers") && e.contains("t:2:"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn the_writer_stops_at_its_cap() {
        let tera = tera_with("{% for i in range(end=1000) %}0123456789{% endfor %}");
        start_page(60);
        let mut out = PageWriter::new(5000);
        assert!(
            tera.render_to("t", &tera::Context::new(), &mut out)
                .is_err()
        );
        assert_eq!(out.stopped, Some(Stopped::Size(5000)));
        assert!(out.into_parts().concat().len() <= 5000);
    }

    #[test]
    fn a_large_page_is_kept_in_parts_that_join_to_what_was_written() {
        let mut out = PageWriter::new(usize::MAX);
        let line: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut written = Vec::new();
        for _ in 0..(3 * PART_BYTES / 1000 + 7) {
            std::io::Write::write_all(&mut out, &line).unwrap();
            written.extend_from_slice(&line);
        }
        let parts = out.into_parts();
        assert_eq!(parts.len(), written.len().div_ceil(PART_BYTES));
        assert!(parts.iter().all(|p| p.len() <= PART_BYTES));
        assert_eq!(parts.concat(), written);
    }

    #[test]
    fn the_watchdog_reports_a_page_past_its_deadline() {
        let (tx, rx) = std::sync::mpsc::channel();
        let tx = Mutex::new(tx);
        let dog = Watchdog::start(
            0,
            Runaway::new(move |m: &str| {
                let _ = tx.lock().map(|t| t.send(m.to_string()));
            }),
        );
        {
            let _fast = dog.page("fast.html", "kind.html");
        }
        let _slow = dog.page("pilots/a.html", "pilot.html");
        let message = rx.recv_timeout(Duration::from_secs(10)).expect("reported");
        assert!(
            message.contains("pilots/a.html") && message.contains("`pilot.html`"),
            "{message}"
        );
    }
}
