//! The HTTP side of `serve`: the site from memory, the status endpoint and
//! the live-reload event stream.
//!
//! Paths are decoded and checked before anything is looked up: a `..` or
//! `.` segment (also percent-encoded), a backslash or a NUL is refused
//! with 400, so a request can never name anything but a page of the site.
//! The site is a map in memory, so there is no file system to escape to
//! anyway; the check keeps that true if it ever changes. The live-reload
//! client is added to HTML responses here, at response time: the rendered
//! site never contains it.
//!
//! Before any of that, the `Host` header must name the server
//! ([`AllowedHosts`]): a page on another domain that the attacker's DNS
//! re-points at 127.0.0.1 sends its own domain as `Host`, and is refused
//! with 403, so it can never read the preview (DNS rebinding). The
//! connections are served by hyper directly rather than `axum::serve`,
//! because only hyper's own builder takes the timer that makes its header
//! read timeout work: a client that does not finish its request headers
//! within [`HEADER_TIMEOUT`] is disconnected.

use super::session::Status;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

use pilotbook_site::Site;

/// The live-reload client, added before `</body>` of every HTML page served.
pub const CLIENT_JS: &str = include_str!("client.js");

/// What the server shares with the rebuild loop.
pub struct Shared {
    /// The last good site (`None` until the first good build).
    pub site: RwLock<Option<Arc<Site>>>,
    /// The status of the last rebuild.
    pub status: RwLock<Arc<Status>>,
    /// Every new status, for the event streams.
    pub events: broadcast::Sender<Arc<Status>>,
    /// Becomes true when the server stops, which ends the event streams.
    pub stopping: watch::Receiver<bool>,
}

impl Shared {
    /// Publish a rebuild: its site (when it made one) and its status.
    pub fn publish(&self, site: Option<Arc<Site>>, status: Status) {
        if let Some(site) = site
            && let Ok(mut slot) = self.site.write()
        {
            *slot = Some(site);
        }
        let status = Arc::new(status);
        if let Ok(mut slot) = self.status.write() {
            *slot = Arc::clone(&status);
        }
        // No subscriber is not an error: no page is open.
        let _ = self.events.send(status);
    }

    /// Swap in a completed version of the current site, without telling
    /// the pages (nothing they show changed).
    pub fn replace_site(&self, site: Arc<Site>) {
        if let Ok(mut slot) = self.site.write() {
            *slot = Some(site);
        }
    }

    fn current_status(&self) -> Arc<Status> {
        match self.status.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn current_site(&self) -> Option<Arc<Site>> {
        match self.site.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// The router: status, events, client script, and the site.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/__pilotbook/status", get(status))
        .route("/__pilotbook/events", get(events))
        .route("/__pilotbook/client.js", get(client))
        .fallback(page)
        .with_state(shared)
}

async fn status(State(shared): State<Arc<Shared>>) -> Response {
    let status = shared.current_status();
    let body = serde_json::to_string(&*status).unwrap_or_else(|_| "{}".into());
    let mut response = Response::new(Body::from(body));
    set_type(&mut response, "application/json");
    no_store(&mut response);
    response
}

async fn client() -> Response {
    let mut response = Response::new(Body::from(CLIENT_JS));
    set_type(&mut response, "text/javascript; charset=utf-8");
    no_store(&mut response);
    response
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let first = shared.current_status();
    let receiver = shared.events.subscribe();
    let stopping = shared.stopping.clone();
    // The current status first, then one event per rebuild, until the
    // server stops.
    let stream = futures_util::stream::unfold(
        (Some(first), receiver, stopping),
        |(first, mut receiver, mut stopping)| async move {
            if let Some(status) = first {
                return Some((Ok(event(&status)), (None, receiver, stopping)));
            }
            if *stopping.borrow() {
                return None;
            }
            loop {
                tokio::select! {
                    message = receiver.recv() => match message {
                        Ok(status) => {
                            return Some((Ok(event(&status)), (None, receiver, stopping)));
                        }
                        // Missed some: the latest status is all a page needs.
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = stopping.changed() => return None,
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn event(status: &Status) -> Event {
    Event::default().data(serde_json::to_string(status).unwrap_or_else(|_| "{}".into()))
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum BadPath {
    /// Not valid percent-encoding or not UTF-8.
    Encoding,
    /// A `.` or `..` segment, a backslash or a NUL.
    Traversal,
}

/// The site path a request path names: percent-decoded, `..`, `.`,
/// backslashes and NULs refused, `index.html` added for folders.
pub fn site_path(raw: &str) -> Result<String, BadPath> {
    let decoded = percent_decode(raw).ok_or(BadPath::Encoding)?;
    let trimmed = decoded.trim_start_matches('/');
    let mut segments = Vec::new();
    for segment in trimmed.split('/') {
        if segment == ".." || segment == "." || segment.contains(['\\', '\0']) {
            return Err(BadPath::Traversal);
        }
        segments.push(segment);
    }
    let mut path = segments.join("/");
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    Ok(path)
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn page(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    }
    let path = match site_path(uri.path()) {
        Ok(path) => path,
        Err(_) => return plain(StatusCode::BAD_REQUEST, "bad request path\n"),
    };
    let Some(site) = shared.current_site() else {
        // No good build yet: a page that shows the overlay.
        let html = inject(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>pilotbook</title></head><body><p>pilotbook could not build the site yet; the errors are shown above.</p></body></html>",
        );
        let mut response = Response::new(Body::from(html));
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        set_type(&mut response, "text/html; charset=utf-8");
        no_store(&mut response);
        return response;
    };
    // `/pilots/x` and `/pilots` find `x.html` and `pilots/index.html`.
    let found = [
        path.clone(),
        format!("{path}.html"),
        format!("{path}/index.html"),
    ]
    .into_iter()
    .find_map(|p| site.files.get(&p).map(|bytes| (p, Arc::clone(bytes))));
    let (status, path, bytes) = match found {
        Some((path, bytes)) => (StatusCode::OK, path, bytes),
        None => match site.files.get("404.html") {
            Some(bytes) => (StatusCode::NOT_FOUND, "404.html".into(), Arc::clone(bytes)),
            None => return plain(StatusCode::NOT_FOUND, "not found\n"),
        },
    };
    let content_type = content_type(&path);
    let body = if content_type.starts_with("text/html") {
        Body::from(inject(&String::from_utf8_lossy(&bytes)))
    } else {
        Body::from(bytes.to_vec())
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    set_type(&mut response, content_type);
    no_store(&mut response);
    response
}

/// How long a client has to send a request's headers, counted from the
/// moment the server waits for them (a new or an idle connection).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long open connections may take to finish once the server stops.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The `Host` values the server answers to: `localhost` and its
/// subdomains, the bound address (any IP address when bound to all
/// interfaces), and the names given with `--allow-host`; each with the
/// bound port (no port only when it is 80).
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    addr: SocketAddr,
    names: Vec<String>,
}

impl AllowedHosts {
    /// The hosts of a server listening on `addr`, plus `names`.
    pub fn new(addr: SocketAddr, names: &[String]) -> AllowedHosts {
        AllowedHosts {
            addr,
            names: names.iter().map(|n| normal_name(n)).collect(),
        }
    }

    /// Whether a request with this `Host` header is for this server.
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        let port_ok = match port {
            Some(p) => p == self.addr.port(),
            None => self.addr.port() == 80,
        };
        if !port_ok {
            return false;
        }
        let literal = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        if let Ok(ip) = literal.parse::<IpAddr>() {
            // An address is never a rebinding: the page's origin is the
            // address itself.
            return ip == self.addr.ip() || self.addr.ip().is_unspecified();
        }
        let name = normal_name(name);
        name == "localhost" || name.ends_with(".localhost") || self.names.contains(&name)
    }

    fn describe(&self) -> String {
        let port = self.addr.port();
        let ip = match self.addr {
            SocketAddr::V6(a) => format!("[{}]", a.ip()),
            SocketAddr::V4(a) => a.ip().to_string(),
        };
        let mut hosts = vec![format!("localhost:{port}"), format!("{ip}:{port}")];
        hosts.extend(self.names.iter().map(|n| format!("{n}:{port}")));
        hosts.join(", ")
    }
}

/// Lowercase, without the trailing dot of a fully qualified name.
fn normal_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// `name[:port]` or `[v6][:port]` → the name (brackets kept) and the port.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    if host.is_empty() {
        return None;
    }
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        let (name, rest) = host.split_at(end + 1);
        match rest {
            "" => (name, None),
            _ => (name, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => Some(p.parse::<u16>().ok()?),
    };
    Some((name, port))
}

/// Serve `app` on `listener` until `stopping` turns true, refusing requests
/// for other hosts and closing connections whose headers are late; then
/// give open connections [`STOP_GRACE`] to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    hosts: AllowedHosts,
    mut stopping: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let hosts = Arc::new(hosts);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait, go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopping.wait_for(|s| *s) => break,
        };
        let service = checked(app.clone(), Arc::clone(&hosts));
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let io = hyper_util::rt::TokioIo::new(stream);
            let connection = builder.serve_connection(io, service);
            let mut connection = std::pin::pin!(connection);
            let stopped = tokio::select! {
                _ = connection.as_mut() => false,
                _ = stopping.wait_for(|s| *s) => true,
            };
            if stopped {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        });
    }
    // Connections that outlive the signal by long (event streams) are cut.
    let _ = tokio::time::timeout(STOP_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}

/// The router behind the `Host` check, as a hyper service.
fn checked(
    app: Router,
    hosts: Arc<AllowedHosts>,
) -> impl hyper::service::Service<
    axum::http::Request<hyper::body::Incoming>,
    Response = Response,
    Error = Infallible,
    Future = impl Future<Output = Result<Response, Infallible>> + Send,
> + Clone {
    use hyper::service::Service;
    let app = hyper_util::service::TowerToHyperService::new(app);
    hyper::service::service_fn(move |request: axum::http::Request<hyper::body::Incoming>| {
        let app = app.clone();
        let hosts = Arc::clone(&hosts);
        async move {
            let host = request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            if !hosts.allows(host) {
                let text = format!(
                    "pilotbook serve answers only to {}, not to Host `{}`; `pilotbook serve --allow-host NAME` adds a name\n",
                    hosts.describe(),
                    host.escape_default()
                );
                let mut response = (StatusCode::FORBIDDEN, text).into_response();
                set_type(&mut response, "text/plain; charset=utf-8");
                return Ok(response);
            }
            app.call(request.map(Body::new)).await
        }
    })
}

/// Add the live-reload client before the last `</body>` (or at the end).
pub fn inject(html: &str) -> String {
    let script = format!("<script>{CLIENT_JS}</script>\n");
    match html.rfind("</body>") {
        Some(at) => {
            let mut out = String::with_capacity(html.len() + script.len());
            out.push_str(&html[..at]);
            out.push_str(&script);
            out.push_str(&html[at..]);
            out
        }
        None => format!("{html}{script}"),
    }
}

/// The content type of a site file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    set_type(&mut response, "text/plain; charset=utf-8");
    response
}

fn set_type(response: &mut Response, value: &'static str) {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
}

// A preview must never show a stale page from the browser's cache.
fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_and_confined() {
        assert_eq!(site_path("/").as_deref(), Ok("index.html"));
        assert_eq!(site_path("/pilots/").as_deref(), Ok("pilots/index.html"));
        assert_eq!(
            site_path("/pilots/a%20b.html").as_deref(),
            Ok("pilots/a b.html")
        );
        assert_eq!(site_path("/../Cargo.toml"), Err(BadPath::Traversal));
        assert_eq!(site_path("/pilots/%2e%2e/x"), Err(BadPath::Traversal));
        assert_eq!(site_path("/%2E%2E%2fCargo.toml"), Err(BadPath::Traversal));
        assert_eq!(site_path("/a/./b"), Err(BadPath::Traversal));
        assert_eq!(site_path("/a%5c..%5cb"), Err(BadPath::Traversal));
        assert_eq!(site_path("/a%00"), Err(BadPath::Traversal));
        assert_eq!(site_path("/a%zz"), Err(BadPath::Encoding));
        assert_eq!(site_path("/a%ff"), Err(BadPath::Encoding));
    }

    #[test]
    fn only_the_servers_own_hosts_are_allowed() {
        let loopback = AllowedHosts::new("127.0.0.1:3000".parse().expect("addr"), &[]);
        for host in [
            "localhost:3000",
            "LOCALHOST:3000",
            "localhost.:3000",
            "app.localhost:3000",
            "127.0.0.1:3000",
        ] {
            assert!(loopback.allows(host), "{host}");
        }
        for host in [
            "",
            "localhost",
            "localhost:3001",
            "localhost:3000x",
            "evil.example:3000",
            "localhost.evil.example:3000",
            "127.0.0.2:3000",
            "[::1]:3000",
            "127.0.0.1",
            "[::1",
        ] {
            assert!(!loopback.allows(host), "{host}");
        }
        let all = AllowedHosts::new("0.0.0.0:80".parse().expect("addr"), &["Devbox".into()]);
        for host in [
            "192.168.1.5",
            "[fe80::1]",
            "devbox",
            "devbox:80",
            "localhost",
        ] {
            assert!(all.allows(host), "{host}");
        }
        assert!(!all.allows("evil.example"));
        let v6 = AllowedHosts::new("[::1]:8080".parse().expect("addr"), &[]);
        assert!(v6.allows("[::1]:8080"));
        assert!(!v6.allows("127.0.0.1:8080"));
    }

    #[test]
    fn the_client_goes_before_the_last_body_end() {
        let html = inject("<html><body><p>x</p></body></html>");
        let at = html.find("<script>").unwrap_or(usize::MAX);
        assert!(at < html.rfind("</body>").unwrap_or(0));
        assert!(html.contains("__pilotbook/events"));
        assert!(inject("no body").starts_with("no body<script>"));
    }
}
