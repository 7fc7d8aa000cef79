//! The live preview: `pilotbook serve`.
//!
//! Three parts: [`Session`] keeps the last good build in memory and
//! rebuilds incrementally; `http.rs` serves that site from memory (never
//! from the output folder), with a status endpoint and a live-reload event
//! stream; the watcher (notify, debounced; polling with `--poll`) hands
//! changed paths to a rebuild thread, which publishes each result to the
//! server. A failed rebuild never stops the server: the last good site
//! stays served and the browser shows the errors in an overlay.
//!
//! [`Server::bind`] picks the port (the next free one when the asked one is
//! taken) so the caller can print the URL before [`Server::run`] blocks
//! until SIGTERM or Ctrl-C.

pub mod http;
pub mod session;

pub use session::{BuildError, Outcome, Session, Status};

use crate::model::Date;
use notify::RecursiveMode;
use notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer_opt,
};
use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The pilotbook root.
    pub root: PathBuf,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// The address to bind (loopback unless the user says otherwise).
    pub bind: IpAddr,
    /// The port to try first; 0 lets the system choose.
    pub port: u16,
    /// Poll the file system instead of waiting for its events.
    pub poll: bool,
    /// The build date.
    pub today: Date,
    /// `--cache-dir`: where the history cache is kept.
    pub cache_dir: Option<PathBuf>,
}

/// Why `serve` could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// No port could be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The last address tried.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The watcher or the runtime could not start.
    #[error("cannot start the {what}: {message}")]
    Start {
        /// What.
        what: &'static str,
        /// Why.
        message: String,
    },
}

/// How many ports above the asked one are tried when it is taken.
const PORT_TRIES: u16 = 50;

/// How long the watcher waits for a burst of events to end.
const DEBOUNCE: Duration = Duration::from_millis(80);

/// A bound server, not yet serving.
pub struct Server {
    listener: TcpListener,
    options: ServeOptions,
}

impl Server {
    /// Bind to `options.bind` at `options.port`, or the next free port.
    pub fn bind(options: ServeOptions) -> Result<Server, ServeError> {
        let tries = if options.port == 0 { 1 } else { PORT_TRIES };
        let mut last = None;
        for offset in 0..tries {
            let Some(port) = options.port.checked_add(offset) else {
                break;
            };
            let addr = SocketAddr::new(options.bind, port);
            match TcpListener::bind(addr) {
                Ok(listener) => return Ok(Server { listener, options }),
                Err(e) => last = Some((addr, e)),
            }
        }
        let (addr, source) = last.unwrap_or_else(|| {
            (
                SocketAddr::new(options.bind, options.port),
                std::io::Error::other("no port left to try"),
            )
        });
        Err(ServeError::Bind { addr, source })
    }

    /// The address being listened on.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// The URL to open.
    pub fn url(&self) -> String {
        match self.local_addr() {
            Some(SocketAddr::V6(a)) => format!("http://[{}]:{}/", a.ip(), a.port()),
            Some(a) => format!("http://{a}/"),
            None => String::new(),
        }
    }

    /// Build, serve, watch and rebuild until SIGTERM or Ctrl-C. `report` is
    /// told every rebuild's outcome (the first build included).
    pub fn run(self, report: impl Fn(&Outcome) + Send + 'static) -> Result<(), ServeError> {
        let start = |what: &'static str| {
            move |e: &dyn std::fmt::Display| ServeError::Start {
                what,
                message: e.to_string(),
            }
        };
        let mut session = Session::new(
            &self.options.root,
            self.options.config.as_deref(),
            self.options.today,
        );
        session.set_cache_dir(self.options.cache_dir.clone());
        // Watch before the first build reads anything: an edit made while
        // it runs is then an event, not lost between the read and the
        // watcher's first look (a polling watcher would take it as the
        // starting state).
        let (changes_tx, changes_rx) = mpsc::channel();
        let mut watcher =
            Watch::new(self.options.poll, changes_tx).map_err(|e| start("watcher")(&e))?;
        watcher.update(&session.watch_list());
        let first = session.rebuild(&[]);
        session.finish_export();
        report(&first);

        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let (events, _) = tokio::sync::broadcast::channel(16);
        let shared = Arc::new(http::Shared {
            site: RwLock::new(session.site()),
            status: RwLock::new(Arc::new(session.status().clone())),
            events,
            stopping: stop_rx.clone(),
        });

        // The watcher feeds a channel; the rebuild thread drains it. The
        // first build may have found more folders to watch.
        watcher.update(&session.watch_list());
        let rebuilds = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("pilotbook-rebuild".into())
                .spawn(move || rebuild_loop(session, watcher, changes_rx, shared, report))
                .map_err(|e| start("rebuild thread")(&e))?
        };

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| start("runtime")(&e))?;
        let listener = self.listener;
        let result = runtime.block_on(async move {
            listener.set_nonblocking(true)?;
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let app = http::router(Arc::clone(&shared));
            let mut stopping = stop_rx.clone();
            let shutdown = async move {
                wait_for_signal().await;
                let _ = stop_tx.send(true);
            };
            let server = axum::serve(listener, app).with_graceful_shutdown(shutdown);
            tokio::select! {
                result = server => result,
                // Connections that outlive the signal by long are cut.
                _ = async {
                    let _ = stopping.wait_for(|s| *s).await;
                    tokio::time::sleep(Duration::from_secs(2)).await;
                } => Ok(()),
            }
        });
        // The rebuild thread ends when the watcher's channel closes; it is
        // left to the process exit rather than joined, so that a rebuild in
        // progress cannot delay the exit.
        drop(rebuilds);
        result.map_err(|e| start("server")(&e))
    }
}

/// Rebuild on every batch of changes and publish the result.
fn rebuild_loop(
    mut session: Session,
    mut watcher: Watch,
    changes: mpsc::Receiver<Vec<PathBuf>>,
    shared: Arc<http::Shared>,
    report: impl Fn(&Outcome),
) {
    while let Ok(mut batch) = changes.recv() {
        // Take whatever else arrived meanwhile: one rebuild for all of it.
        while let Ok(more) = changes.try_recv() {
            batch.extend(more);
        }
        batch.retain(|p| session.is_relevant(p));
        if batch.is_empty() {
            continue;
        }
        let outcome = session.rebuild(&batch);
        report(&outcome);
        let site = outcome.failure.is_empty().then(|| session.site()).flatten();
        shared.publish(site, session.status().clone());
        // The pages are served; `pilots.json` follows.
        if let Some(site) = session.finish_export() {
            shared.replace_site(site);
        }
        watcher.update(&session.watch_list());
    }
}

/// Resolve on Ctrl-C or SIGTERM.
async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// The debounced watcher, native or polling.
enum Backend {
    Native(Debouncer<notify::RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<notify::PollWatcher, NoCache>),
}

/// The watcher and what it watches.
struct Watch {
    backend: Backend,
    watched: BTreeSet<(PathBuf, bool)>,
}

/// Whether an event can mean changed content. Opening and reading a file
/// is an event too on Linux, and every rebuild reads files: those would
/// start a rebuild loop.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

impl Watch {
    fn new(poll: bool, changes: mpsc::Sender<Vec<PathBuf>>) -> Result<Watch, notify::Error> {
        let handler = move |result: DebounceEventResult| {
            if let Ok(events) = result {
                let paths: Vec<PathBuf> = events
                    .into_iter()
                    .filter(|e| is_change(&e.event.kind))
                    .flat_map(|e| e.event.paths)
                    .collect();
                if !paths.is_empty() {
                    let _ = changes.send(paths);
                }
            }
        };
        let backend = if poll {
            // The poller keeps modification times in whole seconds, so an
            // edit in the same second as its last look would be missed:
            // compare contents too.
            let config = notify::Config::default()
                .with_poll_interval(Duration::from_millis(300))
                .with_compare_contents(true);
            Backend::Poll(new_debouncer_opt(DEBOUNCE, None, handler, NoCache, config)?)
        } else {
            Backend::Native(new_debouncer_opt(
                DEBOUNCE,
                None,
                handler,
                RecommendedCache::new(),
                notify::Config::default(),
            )?)
        };
        Ok(Watch {
            backend,
            watched: BTreeSet::new(),
        })
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match &mut self.backend {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match &mut self.backend {
            Backend::Native(d) => d.unwatch(path),
            Backend::Poll(d) => d.unwatch(path),
        }
    }

    /// Watch exactly `list` (path, recursively); paths that do not exist
    /// yet are tried again next time.
    fn update(&mut self, list: &[(PathBuf, bool)]) {
        let wanted: BTreeSet<(PathBuf, bool)> =
            list.iter().filter(|(p, _)| p.exists()).cloned().collect();
        let gone: Vec<(PathBuf, bool)> = self.watched.difference(&wanted).cloned().collect();
        for entry in gone {
            let _ = self.unwatch(&entry.0);
            self.watched.remove(&entry);
        }
        let new: Vec<(PathBuf, bool)> = wanted.difference(&self.watched).cloned().collect();
        for (path, recursive) in new {
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            if self.watch(&path, mode).is_ok() {
                self.watched.insert((path, recursive));
            }
        }
    }
}
