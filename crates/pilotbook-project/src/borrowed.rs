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
use pilotbook_core::rules::Rule;
use pilotbook_core::source::Position;
use rayon::prelude::*;
use std::sync::Arc;

/// Merge each document's borrowed metadata into its front matter, for
/// the kinds that ask for it (`metadata_file`, `metadata = "body-list"`).
pub(crate) fn apply<S: Source>(config: &Config, source: &S, parsed: &mut [Parsed]) {
    parsed.par_iter_mut().for_each(|(kind, path, doc)| {
        let kind = &config.kinds[*kind];
        if !doc.readable || (kind.metadata_file.is_none() && !kind.body_metadata) {
            return;
        }
        let doc = Arc::make_mut(doc);
        if let Some(file) = &kind.metadata_file {
            let sidecar = match path.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/{file}"),
                None => file.clone(),
            };
            // None there (or only a link out of the repository): its
            // fields are missing, as without front matter.
            let cap = u64::try_from(config.limits.max_front_matter_bytes).unwrap_or(u64::MAX);
            let read = source.exists(&sidecar).then(|| source.read(&sidecar, cap));
            match read {
                None => {}
                Some(Ok(bytes)) => {
                    let read = read_yaml_file(&sidecar, &String::from_utf8_lossy(&bytes));
                    doc.diagnostics.extend(read.diagnostics);
                    let entries = read.node.map(|n| match n.value {
                        pilotbook_core::parse::Value::Map(entries) => entries,
                        _ => Vec::new(),
                    });
                    merge(doc, &sidecar, entries.unwrap_or_default());
                }
                Some(Err(why)) => doc.diagnostics.push(unreadable(&sidecar, &why)),
            }
        }
        if kind.body_metadata {
            let entries = body_list(doc);
            let own = path.clone();
            merge(doc, &own, entries);
        }
    });
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
