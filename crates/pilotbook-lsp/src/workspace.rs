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
use pilotbook_core::model::Date;
use pilotbook_core::source::{LineIndex, Position};
use pilotbook_project::{
    self as project, LoadOptions, Overlay, ParseCache, Project, Source, Unsaved, WorkingTree,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

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

/// What was published for one file.
#[derive(Debug, Default, PartialEq, Eq)]
struct Published {
    findings: Vec<Diagnostic>,
    failure: Option<Failure>,
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
    /// Open documents by root-relative path.
    pub open: BTreeMap<String, OpenDocument>,
    cache: ParseCache,
    /// Files changed on disk, as the editor reported them.
    forced: HashSet<String>,
    /// The config text the kept history was read under.
    config_text: Option<Option<String>>,
    /// The last good load.
    pub loaded: Option<Loaded>,
    /// What stopped the last load.
    failure: Option<Failure>,
    /// What was last published, by root-relative path.
    published: HashMap<String, Published>,
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
            open: BTreeMap::new(),
            cache: ParseCache::default(),
            forced: HashSet::new(),
            config_text: None,
            loaded: None,
            failure: None,
            published: HashMap::new(),
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
    /// positions may have moved).
    pub fn reload(&mut self) -> Vec<PublishDiagnosticsParams> {
        let started = Instant::now();
        let edited = match self.load() {
            Ok(edited) => {
                self.failure = None;
                edited
            }
            Err(failure) => {
                crate::log(&format!(
                    "cannot load {}: {}",
                    self.root.display(),
                    failure.message
                ));
                self.failure = Some(failure);
                BTreeSet::new()
            }
        };
        let publish = self.what_to_publish(&edited);
        if self.verbose {
            crate::log(&format!(
                "checked in {} ms, {} files published",
                started.elapsed().as_millis(),
                publish.len()
            ));
        }
        publish
    }

    /// Run the pipeline over the editor's overlay; the documents whose
    /// text changed.
    fn load(&mut self) -> Result<BTreeSet<String>, Failure> {
        let unsaved: Unsaved = (self.open.iter())
            .map(|(rel, doc)| (rel.clone(), Arc::from(doc.text.as_str())))
            .collect();
        let config_text = match unsaved.get(CONFIG_FILE) {
            Some(text) if self.config_path.is_none() => Some(text.to_string()),
            _ => pilotbook_core::config::read_text(&self.root, self.config_path.as_deref())
                .ok()
                .flatten(),
        };
        let head = pilotbook_history::Revision::open(&self.root, "HEAD")
            .ok()
            .map(|r| r.commit_id());
        let same_config = self.config_text.as_ref() == Some(&config_text);
        let kept = match &mut self.loaded {
            Some(l) if same_config && l.project.history.head == head => {
                Some(std::mem::take(&mut l.project.history))
            }
            _ => None,
        };
        let tree = WorkingTree::open(&self.root).map_err(|e| self.stopped(&e))?;
        let forced = std::mem::take(&mut self.forced);
        let overlay =
            Overlay::new(tree, std::mem::take(&mut self.cache), forced, kept).with_unsaved(unsaved);
        let options = LoadOptions {
            cache_dir: self.cache_dir.clone(),
            ..LoadOptions::default()
        };
        let loaded = project::pipeline(&overlay, self.config_path.as_deref(), &options);
        let (cache, mut changes) = overlay.finish();
        self.cache = cache;
        if let (Some(l), Some(history)) = (&mut self.loaded, changes.unused_history.take()) {
            l.project.history = history;
        }
        let project = loaded.map_err(|e| self.stopped(&e))?;
        let report = project
            .check(self.today, None)
            .map_err(|e| self.stopped(&e))?;
        self.config_text = Some(config_text);
        self.loaded = Some(Loaded { project, report });
        Ok(changes.edited)
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
    /// path; the files whose findings differ from what was published, or
    /// whose text changed under findings, are published again.
    fn what_to_publish(&mut self, edited: &BTreeSet<String>) -> Vec<PublishDiagnosticsParams> {
        let mut now: HashMap<String, Published> = HashMap::new();
        if let Some(loaded) = &self.loaded {
            for d in &loaded.report.diagnostics {
                now.entry(d.path.clone())
                    .or_default()
                    .findings
                    .push(d.clone());
            }
        }
        if let Some(failure) = &self.failure {
            now.entry(failure.path.clone()).or_default().failure = Some(failure.clone());
        }
        let mut paths: BTreeSet<&String> = now.keys().collect();
        paths.extend(self.published.keys());
        let republish = std::mem::take(&mut self.republish);
        paths.extend(republish.iter());
        let changed: Vec<String> = paths
            .into_iter()
            .filter(|p| {
                let (before, after) = (self.published.get(*p), now.get(*p));
                before != after
                    || (edited.contains(*p) && after.is_some())
                    || republish.contains(*p)
            })
            .cloned()
            .collect();
        let mut out = Vec::with_capacity(changed.len());
        let none = Published::default();
        for path in changed {
            if let Some(params) = self.publication(&path, now.get(&path).unwrap_or(&none)) {
                out.push(params);
            }
        }
        self.published = now;
        out
    }

    /// The notification that publishes `findings` for `path`.
    fn publication(&self, path: &str, now: &Published) -> Option<PublishDiagnosticsParams> {
        let uri = self.uri(path)?;
        let text = if *now == Published::default() {
            String::new()
        } else {
            self.text_of(path).unwrap_or_default()
        };
        let index = LineIndex::new(&text);
        let mut diagnostics: Vec<lsp_types::Diagnostic> = (now.failure.iter())
            .map(|f| diagnostics::failure(f, &text, &index))
            .collect();
        diagnostics.extend((now.findings.iter()).map(|d| diagnostics::to_lsp(d, &text, &index)));
        let version = self.open.get(path).map(|d| d.version);
        Some(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        })
    }
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
