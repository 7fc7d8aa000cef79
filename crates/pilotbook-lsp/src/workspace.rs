//! One pilotbook root as the editor sees it: the documents it has open,
//! the project loaded through the one pipeline with their unsaved text,
//! and the findings last published for each file.
//!
//! A load is `serve`'s incremental one: an `Overlay` of the working tree
//! over the parses kept from the last load (only documents whose text or
//! file stamp changed are parsed again) and the history kept until HEAD
//! moves or the config changes (git is not walked per keystroke), with
//! the editor's buffers read instead of their files. Then the whole
//! portfolio is linked and checked, so cross-document findings (an
//! undefined owner, a dependency cycle) follow every edit, and the files
//! whose findings changed are the ones published again.

use crate::diagnostics;
use lsp_types::{PublishDiagnosticsParams, Uri};
use pilotbook_core::config::CONFIG_FILE;
use pilotbook_core::diagnostics::{Diagnostic, Report};
use pilotbook_core::discover::Discovered;
use pilotbook_core::model::Date;
use pilotbook_core::source::{LineIndex, Position};
use pilotbook_project::source::Listing;
use pilotbook_project::{
    self as project, Overlay, ParseCache, Project, Source, Unsaved, WorkingTree,
};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long keystrokes trust the last walk of the kinds' folders: a file
/// another program adds or removes (a checkout) is seen within this time
/// of typing; one the editor saves, creates or deletes, at once.
const TRUST_LISTING: Duration = Duration::from_secs(2);

/// A document the editor has open.
pub struct OpenDocument {
    /// Its URI as the editor named it.
    pub uri: Uri,
    /// The editor's version of the text.
    pub version: i32,
    /// The text, unsaved edits included.
    pub text: String,
}

/// The last successful load and its findings.
pub struct Loaded {
    /// The linked project.
    pub project: Project,
    /// `check`'s report on it: `[rules]` and acceptances applied.
    pub report: Report,
}

/// What stopped a load (a config or baseline pilotbook cannot read),
/// shown on the file to fix; it has no rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The file, root-relative.
    pub path: String,
    /// Where in it.
    pub position: Position,
    /// The error.
    pub message: String,
}

/// A pilotbook root and what the editor has open in it.
pub struct Workspace {
    /// The root, absolute.
    pub root: PathBuf,
    /// The root with links resolved, to recognise paths the editor names
    /// another way.
    canonical: PathBuf,
    config_path: Option<PathBuf>,
    today: Date,
    cache_dir: Option<PathBuf>,
    verbose: bool,
    timings: Option<pilotbook_core::timings::Timings>,
    /// Open documents by root-relative path.
    pub open: BTreeMap<String, OpenDocument>,
    cache: ParseCache,
    /// Files changed on disk, as the editor reported them.
    forced: HashSet<String>,
    /// The config text the kept history was read under.
    config_text: Option<Option<String>>,
    /// The documents the last load listed, and when the folders were last
    /// walked: between saves, keystrokes trust the listing for a while.
    listing: Option<Listing<Discovered>>,
    walked: Option<Instant>,
    /// The last good load.
    pub loaded: Option<Loaded>,
    /// What stopped the last load.
    failure: Option<Failure>,
    /// The failure last published.
    published_failure: Option<Failure>,
    /// Files to publish at the next load whatever their findings: just
    /// opened, so the editor has them even if it dropped earlier ones.
    republish: BTreeSet<String>,
}

impl Workspace {
    /// The workspace at `root` (absolute).
    pub fn new(root: PathBuf, options: &crate::LspOptions) -> Workspace {
        let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
        Workspace {
            root,
            canonical,
            config_path: options.config.clone(),
            today: options.today,
            cache_dir: options.cache_dir.clone(),
            verbose: options.verbose,
            timings: options.timings.clone(),
            open: BTreeMap::new(),
            cache: ParseCache::default(),
            forced: HashSet::new(),
            config_text: None,
            listing: None,
            walked: None,
            loaded: None,
            failure: None,
            published_failure: None,
            republish: BTreeSet::new(),
        }
    }

    /// The root-relative path (with `/`) of a file the editor names, if it
    /// is inside the root.
    pub fn relative(&self, uri: &Uri) -> Option<String> {
        let path = crate::text::uri_path(uri)?;
        let inside = match path.strip_prefix(&self.root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => {
                let canonical = canonical_file(&path)?;
                canonical.strip_prefix(&self.canonical).ok()?.to_path_buf()
            }
        };
        let mut parts = Vec::new();
        for c in inside.components() {
            match c {
                Component::Normal(part) => parts.push(part.to_str()?),
                Component::CurDir => {}
                _ => return None,
            }
        }
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// The URI of a root-relative path: the one the editor opened it by,
    /// or a `file://` URI under the root.
    pub fn uri(&self, rel: &str) -> Option<Uri> {
        if let Some(doc) = self.open.get(rel) {
            return Some(doc.uri.clone());
        }
        if pilotbook_core::model::split_qualified(rel).0.is_some() {
            // A source's document: its file in the source's checkout (an
            // export's has none).
            use pilotbook_project::Source;
            let project = &self.loaded.as_ref()?.project;
            let (tree, inside) = project.source_tree(rel)?;
            return crate::text::path_uri(&tree.tree.as_ref()?.root().join(inside));
        }
        crate::text::path_uri(&self.root.join(rel))
    }

    /// A document the editor opened: its text stands in for the file.
    pub fn opened(&mut self, rel: String, doc: OpenDocument) {
        self.republish.insert(rel.clone());
        self.open.insert(rel, doc);
    }

    /// A file changed on disk (saved, created, deleted): read it again at
    /// the next load whatever its stamp.
    pub fn changed_on_disk(&mut self, rel: String) {
        self.forced.insert(rel);
    }

    /// The text a finding's position counts in: the text that was checked
    /// (a document's, as parsed), an open file's, or the file on disk.
    pub fn text_of(&self, rel: &str) -> Option<String> {
        if let Some(text) = self.loaded.as_ref().and_then(|l| l.project.source(rel)) {
            return Some(text.to_string());
        }
        if let Some(doc) = self.open.get(rel) {
            return Some(doc.text.clone());
        }
        let tree = WorkingTree::open(&self.root).ok()?;
        let bytes = tree
            .read(rel, pilotbook_core::config::MAX_CONFIG_BYTES * 8)
            .ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Load and check again, and say what to publish: every file whose
    /// findings changed, and the edited ones that have any (their
    /// positions may have moved) or are open (the editor's new version is
    /// answered, even with nothing to say).
    pub fn reload(&mut self) -> Vec<PublishDiagnosticsParams> {
        let started = Instant::now();
        let (edited, before) = match self.load() {
            Ok(loaded) => {
                self.failure = None;
                loaded
            }
            Err(failure) => {
                crate::log(&format!(
                    "cannot load {}: {}",
                    self.root.display(),
                    failure.message
                ));
                self.failure = Some(failure);
                (BTreeSet::new(), None)
            }
        };
        // Without a new load, the findings published are still the ones.
        let before = match before {
            Some(report) => report.diagnostics,
            None => self
                .loaded
                .as_ref()
                .map(|l| l.report.diagnostics.clone())
                .unwrap_or_default(),
        };
        let publish = {
            let _stage = tracing::info_span!("publish").entered();
            self.what_to_publish(&edited, &before)
        };
        if self.verbose {
            crate::log(&format!(
                "checked in {} ms, {} files published",
                started.elapsed().as_millis(),
                publish.len()
            ));
        }
        for timing in self.timings.iter().flat_map(|t| t.take()) {
            crate::log(&timing.to_string());
        }
        publish
    }

    /// Run the pipeline over the editor's overlay; the documents whose
    /// text changed, and the report of the load before (whose findings
    /// were published).
    fn load(&mut self) -> Result<(BTreeSet<String>, Option<Report>), Failure> {
        let unsaved: Unsaved = (self.open.iter())
            .map(|(rel, doc)| (rel.clone(), Arc::from(doc.text.as_str())))
            .collect();
        let config_text = match unsaved.get(CONFIG_FILE) {
            Some(text) if self.config_path.is_none() => Some(text.to_string()),
            _ => pilotbook_core::config::read_text(&self.root, self.config_path.as_deref())
                .ok()
                .flatten(),
        };
        let head = {
            let _stage = tracing::info_span!("head").entered();
            pilotbook_history::Revision::open(&self.root, "HEAD")
                .ok()
                .map(|r| r.commit_id())
        };
        let same_config = self.config_text.as_ref() == Some(&config_text);
        let kept = match &mut self.loaded {
            Some(l) if same_config && l.project.history.head == head => {
                Some(std::mem::take(&mut l.project.history))
            }
            _ => None,
        };
        let tree = WorkingTree::open(&self.root).map_err(|e| self.stopped(&e))?;
        // No file saved, created or deleted that the editor told of, the
        // same config, and a walk not long ago: the listing still holds.
        let fresh_walk = self.walked.is_some_and(|t| t.elapsed() < TRUST_LISTING);
        let listing = (self.listing.take()).filter(|_| {
            self.forced.is_empty() && fresh_walk && self.config_text.as_ref() == Some(&config_text)
        });
        let walks = listing.is_none();
        let forced = std::mem::take(&mut self.forced);
        let mut overlay =
            Overlay::new(tree, std::mem::take(&mut self.cache), forced, kept).with_unsaved(unsaved);
        if let Some(listing) = listing {
            overlay = overlay.with_listing(listing);
        }
        let (loaded, cache, mut changes) =
            overlay.load(self.config_path.as_deref(), self.cache_dir.clone());
        self.cache = cache;
        self.listing = changes.listing.take();
        if walks {
            self.walked = Some(Instant::now());
        }
        if let (Some(l), Some(history)) = (&mut self.loaded, changes.unused_history.take()) {
            l.project.history = history;
        }
        let project = loaded.map_err(|e| self.stopped(&e))?;
        let report = project
            .check(&project.derive(self.today), None)
            .map_err(|e| self.stopped(&e))?;
        self.config_text = Some(config_text);
        let before = self.loaded.replace(Loaded { project, report });
        Ok((changes.edited, before.map(|l| l.report)))
    }

    /// What stopped a load, as a finding on the file that stopped it (the
    /// config, the baseline) so the editor shows it there.
    fn stopped(&self, e: &project::Error) -> Failure {
        use pilotbook_core::config::ConfigError;
        let (path, position, message) = match e {
            project::Error::Config(ConfigError::Invalid {
                path,
                position,
                message,
            }) => (self.shown(path), *position, message.clone()),
            project::Error::Baseline(b) => (
                b.path.clone(),
                Position::new(
                    u32::try_from(b.line).unwrap_or(1),
                    u32::try_from(b.column).unwrap_or(1),
                ),
                e.to_string(),
            ),
            other => (CONFIG_FILE.to_string(), Position::START, other.to_string()),
        };
        Failure {
            path,
            position,
            message,
        }
    }

    /// A path in an error, root-relative when it is under the root.
    fn shown(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }

    /// The findings of the last load (and the failure, if it stopped), by
    /// path, against those published before (`before`: the previous
    /// load's, which were published): the files whose findings differ,
    /// or whose text changed under findings, are published again.
    fn what_to_publish(
        &mut self,
        edited: &BTreeSet<String>,
        before: &[Diagnostic],
    ) -> Vec<PublishDiagnosticsParams> {
        let republish = std::mem::take(&mut self.republish);
        let now: &[Diagnostic] = self.loaded.as_ref().map_or(&[], |l| &l.report.diagnostics);
        let (old, new) = (by_path(before), by_path(now));
        let failed = |f: &Option<Failure>| f.as_ref().map(|f| f.path.clone());
        let mut paths: BTreeSet<String> = (old.keys().chain(new.keys()))
            .map(|p| p.to_string())
            .collect();
        paths.extend(failed(&self.failure));
        paths.extend(failed(&self.published_failure));
        paths.extend(republish.iter().cloned());
        let failure_at = |f: &Option<Failure>, p: &str| f.clone().filter(|f| f.path == p);
        let mut out = Vec::new();
        for p in &paths {
            let (before, after) = (old.get(p.as_str()), new.get(p.as_str()));
            let failure = failure_at(&self.failure, p);
            let failure_changed = failure != failure_at(&self.published_failure, p);
            let edited = edited.contains(p) && (after.is_some() || self.open.contains_key(p));
            if before != after || failure_changed || edited || republish.contains(p) {
                let findings = after.copied().unwrap_or_default();
                out.extend(self.publication(p, findings, failure.as_ref()));
            }
        }
        self.published_failure = self.failure.clone();
        out
    }

    /// The notification that publishes `findings` (and `failure`) for
    /// `path`.
    fn publication(
        &self,
        path: &str,
        findings: &[Diagnostic],
        failure: Option<&Failure>,
    ) -> Option<PublishDiagnosticsParams> {
        let uri = self.uri(path)?;
        let text = if findings.is_empty() && failure.is_none() {
            String::new()
        } else {
            self.text_of(path).unwrap_or_default()
        };
        let index = LineIndex::new(&text);
        let mut diagnostics: Vec<lsp_types::Diagnostic> = (failure.iter())
            .map(|f| diagnostics::failure(f, &text, &index))
            .collect();
        diagnostics.extend((findings.iter()).map(|d| diagnostics::to_lsp(d, &text, &index)));
        let version = self.open.get(path).map(|d| d.version);
        Some(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        })
    }
}

/// A report's findings by path (a report is sorted by path).
fn by_path(findings: &[Diagnostic]) -> BTreeMap<&str, &[Diagnostic]> {
    (findings.chunk_by(|a, b| a.path == b.path))
        .map(|chunk| (chunk[0].path.as_str(), chunk))
        .collect()
}

/// A file's path with links resolved; for a file not on disk yet, its
/// folder's.
fn canonical_file(path: &Path) -> Option<PathBuf> {
    if let Ok(found) = path.canonicalize() {
        return Some(found);
    }
    let parent = path.parent()?.canonicalize().ok()?;
    Some(parent.join(path.file_name()?))
}
