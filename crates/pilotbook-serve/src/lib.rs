//! pilotbook-serve: the live preview, `pilotbook serve`.
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
//! until SIGTERM or Ctrl-C, which end it cleanly at any moment, the first
//! build included.
//!
//! The preview is a local server that any page in the user's browser can
//! send requests to: it answers only to the `Host` names it was started
//! for (`localhost` and the bound address, plus `--allow-host`), so a page
//! whose domain is re-pointed at 127.0.0.1 (DNS rebinding) cannot read it,
//! and it closes connections that do not finish their request headers in
//! time.
//!
//! It runs the same pipeline as `build` (`pilotbook-project` to load and
//! check, `pilotbook-site` to render, into memory) and must never write
//! the site to disk or decide a fact the pipeline decides.

pub mod http;
pub mod session;

pub use session::{BuildError, Outcome, Session, Status};

use notify::RecursiveMode;
use notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer_opt,
};
use pilotbook_core::model::Date;
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
    /// Host names the server answers to besides `localhost` and the bound
    /// address (`--allow-host`).
    pub allowed_hosts: Vec<String>,
    /// The port to try first; 0 lets the system choose.
    pub port: u16,
    /// Poll the file system instead of waiting for its events.
    pub poll: bool,
    /// The build date.
    pub today: Date,
    /// `--cache-dir`: where the history cache is kept.
    pub cache_dir: Option<PathBuf>,
    /// Told when a page renders past `[limits] max_render_seconds`; it
    /// should end the process.
    pub on_runaway: Option<pilotbook_site::budget::Runaway>,
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
    runtime: tokio::runtime::Runtime,
    /// Caught from `bind` on: a signal that arrives once the URL is
    /// printed stops the server cleanly, whatever it is doing.
    signals: Signals,
}

impl Server {
    /// Bind to `options.bind` at `options.port`, or the next free port.
    pub fn bind(options: ServeOptions) -> Result<Server, ServeError> {
        let start = |what: &'static str, e: std::io::Error| ServeError::Start {
            what,
            message: e.to_string(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| start("runtime", e))?;
        let signals = {
            let _entered = runtime.enter();
            Signals::install().map_err(|e| start("signal handler", e))?
        };
        let tries = if options.port == 0 { 1 } else { PORT_TRIES };
        let mut last = None;
        for offset in 0..tries {
            let Some(port) = options.port.checked_add(offset) else {
                break;
            };
            let addr = SocketAddr::new(options.bind, port);
            match TcpListener::bind(addr) {
                Ok(listener) => {
                    return Ok(Server {
                        listener,
                        options,
                        runtime,
                        signals,
                    });
                }
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
    ///
    /// The signals are caught from [`Server::bind`] on, so that a stop
    /// during the first build (which can take seconds) ends the process
    /// cleanly too; the first build runs on the rebuild thread while this
    /// one waits for it or for a signal.
    pub fn run(self, report: impl Fn(&Outcome) + Send + 'static) -> Result<(), ServeError> {
        let start = |what: &'static str| {
            move |e: &dyn std::fmt::Display| ServeError::Start {
                what,
                message: e.to_string(),
            }
        };
        let (runtime, signals) = (self.runtime, self.signals);
        let mut session = Session::new(
            &self.options.root,
            self.options.config.as_deref(),
            self.options.today,
        );
        session.set_cache_dir(self.options.cache_dir.clone());
        if let Some(hook) = self.options.on_runaway.clone() {
            session.set_on_runaway(hook);
        }
        // Watch before the first build reads anything: an edit made while
        // it runs is then an event, not lost between the read and the
        // watcher's first look (a polling watcher would take it as the
        // starting state).
        let (changes_tx, changes_rx) = mpsc::channel();
        let mut watcher =
            Watch::new(self.options.poll, changes_tx).map_err(|e| start("watcher")(&e))?;
        watcher.update(&session.watch_list());

        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let (events, _) = tokio::sync::broadcast::channel(16);
        let shared = Arc::new(http::Shared {
            site: RwLock::new(None),
            status: RwLock::new(Arc::new(session.status().clone())),
            events,
            stopping: stop_rx.clone(),
        });
        let (first_tx, first_rx) = tokio::sync::oneshot::channel();
        let rebuilds = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("pilotbook-rebuild".into())
                .spawn(move || {
                    let session = first_build(session, &mut watcher, &shared, &report);
                    let _ = first_tx.send(());
                    rebuild_loop(session, watcher, changes_rx, shared, report)
                })
                .map_err(|e| start("rebuild thread")(&e))?
        };

        let listener = self.listener;
        let hosts = http::AllowedHosts::new(
            listener.local_addr().map_err(|e| start("server")(&e))?,
            &self.options.allowed_hosts,
        );
        let result = runtime.block_on(async move {
            tokio::spawn(async move {
                signals.recv().await;
                let _ = stop_tx.send(true);
            });
            let mut stopping = stop_rx.clone();
            tokio::select! {
                _ = stopping.wait_for(|s| *s) => return Ok(()),
                _ = first_rx => {}
            }
            listener.set_nonblocking(true)?;
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let app = http::router(Arc::clone(&shared));
            http::serve(listener, app, hosts, stop_rx).await
        });
        // The rebuild thread ends when the watcher's channel closes; it is
        // left to the process exit rather than joined, so that a rebuild in
        // progress cannot delay the exit.
        drop(rebuilds);
        result.map_err(|e| start("server")(&e))
    }
}

/// The first build, published for the server to start with.
fn first_build(
    mut session: Session,
    watcher: &mut Watch,
    shared: &http::Shared,
    report: &impl Fn(&Outcome),
) -> Session {
    let first = session.rebuild(&[]);
    session.finish_export();
    report(&first);
    shared.publish(session.site(), session.status().clone());
    // The first build may have found more folders to watch.
    watcher.update(&session.watch_list());
    session
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
        {
            let relevant = session.relevance();
            batch.retain(|p| relevant(p));
        }
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

/// Ctrl-C and SIGTERM, caught from the moment [`Signals::install`] runs
/// (inside the runtime), so that neither kills the process with the
/// signal's default action.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn install() -> std::io::Result<Signals> {
        Ok(Signals {})
    }

    /// Resolve on the first of them.
    async fn recv(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {},
            _ = self.terminate.recv() => {},
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            let _ = tokio::signal::ctrl_c().await;
        }
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
