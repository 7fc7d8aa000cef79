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

use super::session::Status;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, watch};

use crate::render::Site;

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
    fn the_client_goes_before_the_last_body_end() {
        let html = inject("<html><body><p>x</p></body></html>");
        let at = html.find("<script>").unwrap_or(usize::MAX);
        assert!(at < html.rfind("</body>").unwrap_or(0));
        assert!(html.contains("__pilotbook/events"));
        assert!(inject("no body").starts_with("no body<script>"));
    }
}
