//! An export source: a `pilotbook export` file another repository's CI
//! published, read back into documents and histories
//! (`pilotbook_core::import`) and handed to the merge like a checkout's.

use crate::source::Source;
use crate::sources::{Loaded, SourceTree};
use crate::{Error, Parsed};
use pilotbook_core::config::{Config, SourceConfig};
use pilotbook_core::history::{History, SourceKind, SourceState};
use pilotbook_core::import;
use std::sync::Arc;

/// The largest export file read: 10,000 pilots with their histories are
/// tens of MiB; an export is data a CI wrote, so this only stops a
/// runaway file from costing a run its memory.
pub const MAX_EXPORT_BYTES: u64 = 512 * 1024 * 1024;

/// Read the export `file` of `source` through the portfolio's own reader
/// (its working tree, or the revision it is loaded at). Its documents get
/// the portfolio's kinds (matched by the kind's plural, as the export
/// names them); its documents of other kinds are an error, as the kind's
/// definition is not in the export.
pub(crate) fn load<S: Source>(
    portfolio: &S,
    source: &SourceConfig,
    file: &str,
    config: &Config,
) -> Result<Loaded, Error> {
    let refused = |message: String| Error::Source {
        name: source.name.clone(),
        message,
    };
    let bytes = portfolio
        .read(file, MAX_EXPORT_BYTES)
        .map_err(|why| refused(format!("cannot read the export {file}: {why}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        refused(format!(
            "{file} is not UTF-8, so it is not a pilotbook export"
        ))
    })?;
    let imported = import::read(file, &text, &config.limits)?;
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut history = History::default();
    for doc in imported.documents {
        // A portfolio's export lists its sources' documents too: they are
        // those repositories', not this source's.
        if doc.source.is_some() {
            continue;
        }
        let Some(kind) = config.kinds.iter().position(|k| k.plural() == doc.kind) else {
            return Err(refused(format!(
                "{file} has documents of kind `{}`, which this portfolio's pilotbook.toml does not define; add the kind (`[kinds.NAME]`) as the source defines it",
                doc.kind
            )));
        };
        if let Some(h) = doc.history {
            history.documents.insert(doc.path.clone(), h);
        }
        parsed.push((kind, doc.path, Arc::new(doc.parsed)));
    }
    parsed.sort_by(|a, b| a.1.cmp(&b.1));
    let prefix = match imported.root.as_str() {
        "" => String::new(),
        root => format!("{root}/"),
    };
    Ok(Loaded {
        config: None,
        parsed,
        findings: Vec::new(),
        history,
        state: SourceState {
            name: source.name.clone(),
            kind: SourceKind::Export,
            repository: source.repository.clone(),
            root_prefix: imported.root,
            head: imported.head,
            unavailable: imported.unavailable,
            export_version: Some(imported.version),
        },
        tree: SourceTree {
            name: source.name.clone(),
            prefix,
            tree: None,
            // The export does not carry its repository's `[rules]`.
            overrides: config.severity_overrides.clone(),
        },
    })
}
