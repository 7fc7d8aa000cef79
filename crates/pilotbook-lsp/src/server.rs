//! The server's loop: the handshake, one handler per method, and when to
//! check again.
//!
//! Edits only mark the workspace dirty; it is loaded and checked again
//! once no message is waiting (a burst of keystrokes costs one check), or
//! before a request is answered, so an answer always reads the text the
//! editor has. Every request gets a reply: a result, `MethodNotFound` for
//! a method this server does not have, `InvalidParams` for parameters it
//! cannot read, and an empty result for a document outside the root.
//! Notifications it does not know are ignored, as the protocol asks.

use crate::transport::{Incoming, Output, spawn_reader};
use crate::workspace::{OpenDocument, Workspace};
use crate::{LspOptions, actions, completion, hover, navigate};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde::de::DeserializeOwned;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// Where the loop is in the protocol's life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for `initialize`.
    Starting,
    /// Serving.
    Running,
    /// `shutdown` was answered; only `exit` is left.
    ShutDown,
}

struct Server<W: Write> {
    out: Output<W>,
    options: LspOptions,
    phase: Phase,
    /// Where to look for the root when the command line named none.
    start: Option<PathBuf>,
    workspace: Option<Workspace>,
    /// Text changed since the last check.
    dirty: bool,
}

/// Serve until `exit` or the end of the input; the exit code.
pub fn run<R, W>(input: R, output: W, options: LspOptions) -> i32
where
    R: BufRead + Send + 'static,
    W: Write,
{
    let (messages, _reader) = spawn_reader(input);
    let mut server = Server {
        out: Output::new(output),
        options,
        phase: Phase::Starting,
        start: None,
        workspace: None,
        dirty: false,
    };
    let mut waiting: Option<Incoming> = None;
    loop {
        let incoming = match waiting.take() {
            Some(m) => m,
            None => match messages.recv() {
                Ok(m) => m,
                // The input ended without `exit`.
                Err(_) => break,
            },
        };
        if server.handle(incoming) {
            break;
        }
        if server.dirty {
            match messages.try_recv() {
                Ok(next) => waiting = Some(next),
                Err(_) => server.check(),
            }
        }
    }
    if server.phase == Phase::ShutDown {
        0
    } else {
        1
    }
}

impl<W: Write> Server<W> {
    /// Handle one message; true when it was `exit`.
    fn handle(&mut self, incoming: Incoming) -> bool {
        match incoming {
            Incoming::Message(Message::Request(request)) => self.request(request),
            Incoming::Message(Message::Notification(n)) if n.method == note::Exit::METHOD => {
                return true;
            }
            Incoming::Message(Message::Notification(n)) => self.notification(n),
            // This server sends no requests: nothing is waiting for an answer.
            Incoming::Message(Message::Response(_)) => {}
            Incoming::Invalid { id, why } => {
                crate::log(&why);
                if let Some(id) = id {
                    self.error(id, ErrorCode::InvalidRequest, why);
                }
            }
        }
        false
    }

    fn error(&mut self, id: RequestId, code: ErrorCode, message: String) {
        self.out.send(Response::new_err(id, code as i32, message));
    }

    fn request(&mut self, request: Request) {
        let Request { id, method, params } = request;
        match (self.phase, method.as_str()) {
            (Phase::Starting, req::Initialize::METHOD) => self.initialize(id, params),
            (Phase::Starting, _) => self.error(
                id,
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet".into(),
            ),
            (Phase::ShutDown, _) => self.error(
                id,
                ErrorCode::InvalidRequest,
                "the server is shut down".into(),
            ),
            (Phase::Running, req::Shutdown::METHOD) => {
                self.phase = Phase::ShutDown;
                self.out.send(Response::new_ok(id, ()));
            }
            (Phase::Running, req::Initialize::METHOD) => self.error(
                id,
                ErrorCode::InvalidRequest,
                "the server is initialized already".into(),
            ),
            (Phase::Running, _) => self.feature(id, &method, params),
        }
    }

    /// A request about a document: answered from the workspace, checked
    /// first if text changed since.
    fn feature(&mut self, id: RequestId, method: &str, params: serde_json::Value) {
        if self.dirty {
            self.check();
        }
        let ws = self.workspace.as_ref();
        let result = match method {
            req::Completion::METHOD => answer(params, |p| completion::complete(ws?, p)),
            req::GotoDefinition::METHOD => answer(params, |p| navigate::definition(ws?, p)),
            req::References::METHOD => answer(params, |p| navigate::references(ws?, p)),
            req::HoverRequest::METHOD => answer(params, |p| hover::hover(ws?, p)),
            req::CodeActionRequest::METHOD => answer(params, |p| actions::code_actions(ws?, p)),
            _ => {
                return self.error(
                    id,
                    ErrorCode::MethodNotFound,
                    format!("pilotbook lsp has no method `{method}`"),
                );
            }
        };
        match result {
            Ok(value) => self.out.send(Response::new_ok(id, value)),
            Err(why) => {
                crate::log(&format!("{method}: {why}"));
                self.error(id, ErrorCode::InvalidParams, why);
            }
        }
    }

    fn initialize(&mut self, id: RequestId, params: serde_json::Value) {
        self.start = workspace_folder(&params);
        self.phase = Phase::Running;
        let sync = TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            ..TextDocumentSyncOptions::default()
        };
        let capabilities = ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Options(sync)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![":".into(), " ".into(), "#".into()]),
                ..CompletionOptions::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        };
        let result = serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "pilotbook", "version": env!("CARGO_PKG_VERSION") },
        });
        self.out.send(Response::new_ok(id, result));
        // The first check runs once the client is idle.
        self.find_workspace(None);
        self.dirty = self.workspace.is_some();
    }

    /// Settle on the root: the command line's, else the nearest folder
    /// with a `pilotbook.toml` from the workspace folder (or from `near`,
    /// a document the editor opened, when the folder had none).
    fn find_workspace(&mut self, near: Option<&Path>) {
        if self.workspace.is_some() {
            return;
        }
        let root = match (&self.options.root, near, &self.start) {
            (Some(root), _, _) => Some(absolute(root)),
            (None, Some(near), _) => near
                .parent()
                .and_then(|dir| pilotbook_core::config::Config::find(dir).ok()),
            (None, None, Some(start)) => pilotbook_core::config::Config::find(start).ok(),
            (None, None, None) => std::env::current_dir()
                .ok()
                .and_then(|cwd| pilotbook_core::config::Config::find(&cwd).ok()),
        };
        match root {
            Some(root) => {
                crate::log(&format!("serving the portfolio at {}", root.display()));
                self.workspace = Some(Workspace::new(root, &self.options));
            }
            None if near.is_none() => crate::log(
                "no pilotbook.toml in the workspace folder or above it; waiting for a document in a portfolio",
            ),
            None => {}
        }
    }

    fn notification(&mut self, n: Notification) {
        if self.phase != Phase::Running {
            return;
        }
        let method = n.method.clone();
        let read = match method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                params(n.params).map(|p: lsp_types::DidOpenTextDocumentParams| self.opened(p))
            }
            note::DidChangeTextDocument::METHOD => params(n.params).map(|p| self.changed(p)),
            note::DidCloseTextDocument::METHOD => params(n.params)
                .map(|p: lsp_types::DidCloseTextDocumentParams| self.closed(&p.text_document.uri)),
            note::DidSaveTextDocument::METHOD => params(n.params)
                .map(|p: lsp_types::DidSaveTextDocumentParams| self.on_disk(&p.text_document.uri)),
            note::DidChangeWatchedFiles::METHOD => {
                params(n.params).map(|p: lsp_types::DidChangeWatchedFilesParams| {
                    for change in p.changes {
                        self.on_disk(&change.uri);
                    }
                })
            }
            _ => Ok(()),
        };
        if let Err(why) = read {
            crate::log(&format!("{method}: {why}"));
        }
    }

    fn opened(&mut self, p: lsp_types::DidOpenTextDocumentParams) {
        let doc = p.text_document;
        if let Some(path) = crate::text::uri_path(&doc.uri) {
            self.find_workspace(Some(&path));
        }
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let Some(rel) = ws.relative(&doc.uri) else {
            crate::log(&format!("{} is outside the portfolio", doc.uri.as_str()));
            return;
        };
        let open = OpenDocument {
            uri: doc.uri,
            version: doc.version,
            text: doc.text,
        };
        ws.opened(rel, open);
        self.dirty = true;
    }

    fn changed(&mut self, p: lsp_types::DidChangeTextDocumentParams) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        let uri = &p.text_document.uri;
        let Some(doc) = ws.relative(uri).and_then(|rel| ws.open.get_mut(&rel)) else {
            crate::log(&format!("a change to {}, which is not open", uri.as_str()));
            return;
        };
        for change in p.content_changes {
            crate::text::apply_change(&mut doc.text, change);
        }
        doc.version = p.text_document.version;
        self.dirty = true;
    }

    fn closed(&mut self, uri: &Uri) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        if let Some(rel) = ws.relative(uri)
            && ws.open.remove(&rel).is_some()
        {
            // The file is what counts again.
            ws.changed_on_disk(rel);
            self.dirty = true;
        }
    }

    fn on_disk(&mut self, uri: &Uri) {
        let Some(ws) = &mut self.workspace else {
            return;
        };
        if let Some(rel) = ws.relative(uri) {
            ws.changed_on_disk(rel);
            self.dirty = true;
        }
    }

    /// Load and check again; publish what changed.
    fn check(&mut self) {
        self.dirty = false;
        let Some(ws) = &mut self.workspace else {
            return;
        };
        for params in ws.reload() {
            self.out.send(publish(params));
        }
    }
}

fn publish(params: PublishDiagnosticsParams) -> Notification {
    Notification::new(note::PublishDiagnostics::METHOD.to_string(), params)
}

/// Read a message's parameters.
fn params<P: DeserializeOwned>(value: serde_json::Value) -> Result<P, String> {
    serde_json::from_value(value).map_err(|e| format!("cannot read the parameters: {e}"))
}

/// Read a request's parameters and answer; `None` (a document outside
/// the root, nothing at the position) is JSON `null`.
fn answer<P, R>(
    value: serde_json::Value,
    f: impl FnOnce(P) -> Option<R>,
) -> Result<serde_json::Value, String>
where
    P: DeserializeOwned,
    R: serde::Serialize,
{
    let p = params(value)?;
    serde_json::to_value(f(p)).map_err(|e| e.to_string())
}

/// The folder the editor works in: the first workspace folder, else
/// `rootUri`, else `rootPath`.
fn workspace_folder(params: &serde_json::Value) -> Option<PathBuf> {
    let uri = |v: &serde_json::Value| -> Option<PathBuf> {
        let uri: Uri = v.as_str()?.parse().ok()?;
        crate::text::uri_path(&uri)
    };
    params
        .get("workspaceFolders")
        .and_then(|f| f.get(0))
        .and_then(|f| uri(f.get("uri")?))
        .or_else(|| uri(params.get("rootUri")?))
        .or_else(|| Some(PathBuf::from(params.get("rootPath")?.as_str()?)))
}

/// A path made absolute against the current folder.
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf())
}
