//! The metadata conventions that read beyond a document's own front
//! matter, applied once after parsing, before linking: every command and
//! `serve` load through [`crate::source::pipeline`], so all of them read
//! the same fields. The parsing is the core's
//! ([`pilotbook_core::parse::borrowed`]); the sidecar file is read here,
//! through the source (the confined working tree, the revision, serve's
//! overlay), so it is the same file the documents came from.

use crate::Parsed;
use crate::source::Source;
use pilotbook_core::config::Config;
use pilotbook_core::diagnostics::Diagnostic;
use pilotbook_core::parse::borrowed::{body_list, merge};
use pilotbook_core::parse::frontmatter::read_yaml_file;
use pilotbook_core::parse::{Key, Node, Value};
use pilotbook_core::rules::Rule;
use pilotbook_core::source::Position;
use rayon::prelude::*;
use std::sync::Arc;

/// Merge each document's borrowed metadata into its front matter, for
/// the kinds that ask for it (`metadata_file`, `metadata = "body-list"`).
/// A document is copied only when something is merged into it (serve's
/// cache keeps the parse as read).
pub(crate) fn apply<S: Source>(config: &Config, source: &S, parsed: &mut [Parsed]) {
    parsed.par_iter_mut().for_each(|(kind, path, doc)| {
        let kind = &config.kinds[*kind];
        if !doc.readable || (kind.metadata_file.is_none() && !kind.body_metadata) {
            return;
        }
        let sidecar = kind
            .metadata_file
            .as_ref()
            .map(|file| read_sidecar(config, source, path, file));
        let body = if kind.body_metadata {
            body_list(doc)
        } else {
            Vec::new()
        };
        let nothing = sidecar
            .as_ref()
            .is_none_or(|(_, entries, findings)| entries.is_empty() && findings.is_empty());
        if nothing && body.is_empty() {
            return;
        }
        let doc = Arc::make_mut(doc);
        if let Some((sidecar, entries, findings)) = sidecar {
            doc.diagnostics.extend(findings);
            merge(doc, &sidecar, entries);
        }
        merge(doc, path, body);
    });
}

/// The entries of the sidecar `file` beside the document at `path`, with
/// the findings on it: none when it is not there (or only a link out of
/// the repository), so its fields are missing as without front matter.
fn read_sidecar<S: Source>(
    config: &Config,
    source: &S,
    path: &str,
    file: &str,
) -> (String, Vec<(Key, Node)>, Vec<Diagnostic>) {
    let sidecar = match path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{file}"),
        None => file.to_string(),
    };
    if !source.exists(&sidecar) {
        return (sidecar, Vec::new(), Vec::new());
    }
    let cap = config.limits.max_front_matter_bytes;
    let read = source
        .read(&sidecar, u64::try_from(cap).unwrap_or(u64::MAX))
        // A revision's blob is read whole: the cap is checked here too.
        .and_then(|bytes| match bytes.len() {
            len if len <= cap => Ok(bytes),
            len => Err(format!(
                "it is {len} bytes, over `[limits] max_front_matter_bytes` ({cap})"
            )),
        });
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(why) => {
            let finding = unreadable(&sidecar, &why);
            return (sidecar, Vec::new(), vec![finding]);
        }
    };
    let read = read_yaml_file(&sidecar, &String::from_utf8_lossy(&bytes));
    let entries = match read.node.map(|n| n.value) {
        Some(Value::Map(entries)) => entries,
        _ => Vec::new(),
    };
    (sidecar, entries, read.diagnostics)
}

/// A sidecar that is there but may not be read (a link out, too large).
fn unreadable(sidecar: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Rule::UnreadableFile,
        sidecar,
        Position::START,
        format!("the metadata file `{sidecar}` is not read: {why}"),
    )
    .help("keep the metadata file a plain YAML file inside the repository, at most `[limits] max_front_matter_bytes`")
}
