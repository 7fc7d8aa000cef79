//! The pipeline over one repository: discover → parse → link → validate.
//!
//! [`Project::load`] reads the config, finds the documents, reads and parses
//! them in parallel, and links the model; [`Project::check`] runs the rules
//! and returns the finished [`Report`]. `check` is the same load with no
//! output, as in Zola: whatever `build` renders has been through exactly
//! this path.

use crate::config::{Config, ConfigError};
use crate::diagnostics::{Diagnostic, Report};
use crate::discover::{self, Skipped};
use crate::model::{self, Date, Portfolio};
use crate::parse::{self, ParsedDocument};
use crate::rules::Rule;
use crate::source::Position;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Why pilotbook cannot run at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `pilotbook.toml` is unreadable or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The root folder is missing or not a folder.
    #[error("{}: not a folder pilotbook can read: {source}", path.display())]
    Root {
        /// The root given.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A path given on the command line is not in the repository.
    #[error("{path}: no such file or folder in the repository")]
    NoSuchPath {
        /// The path as given.
        path: String,
    },
}

/// A loaded repository: its config and linked portfolio.
#[derive(Debug)]
pub struct Project {
    /// The pilotbook root.
    pub root: PathBuf,
    /// The resolved config.
    pub config: Config,
    /// The linked model.
    pub portfolio: Portfolio,
    /// What discovery passed over.
    pub skipped: Vec<Skipped>,
    /// Findings of parsing, typing and linking.
    findings: Vec<Diagnostic>,
    /// Entity index by document path.
    by_path: HashMap<String, usize>,
}

impl Project {
    /// Load the repository at `root`.
    pub fn load(root: &Path, config_path: Option<&Path>) -> Result<Project, Error> {
        let meta = std::fs::metadata(root).map_err(|source| Error::Root {
            path: root.to_path_buf(),
            source,
        })?;
        if !meta.is_dir() {
            return Err(Error::Root {
                path: root.to_path_buf(),
                source: std::io::Error::other("not a directory"),
            });
        }
        let config = Config::load(root, config_path)?;
        let discovery = discover::discover(root, &config);
        let parsed: Vec<(usize, String, ParsedDocument)> = discovery
            .documents
            .into_par_iter()
            .map(|d| {
                let parsed = match std::fs::read(&d.abs_path) {
                    Ok(bytes) => parse::parse_document(&d.rel_path, &bytes),
                    Err(e) => unreadable(&d.rel_path, &e),
                };
                (d.kind, d.rel_path, parsed)
            })
            .collect();
        let (portfolio, findings) = model::build(&config, parsed);
        let by_path = portfolio
            .entities
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.document.as_ref().map(|d| (d.path.clone(), i)))
            .collect();
        Ok(Project {
            root: root.to_path_buf(),
            config,
            portfolio,
            skipped: discovery.skipped,
            findings,
            by_path,
        })
    }

    /// Run the rules; `scope`, when given, limits the report to documents at
    /// or below those root-relative paths.
    pub fn check(&self, today: Date, scope: Option<&[String]>) -> Result<Report, Error> {
        let mut diagnostics = self.findings.clone();
        diagnostics.extend(crate::validate::validate(
            &self.config,
            &self.portfolio,
            today,
        ));
        let in_scope = match scope {
            None => None,
            Some(paths) => Some(self.resolve_scope(paths)?),
        };
        let documents = self
            .portfolio
            .entities
            .iter()
            .filter_map(|e| e.document.as_ref())
            .filter(|d| {
                in_scope
                    .as_ref()
                    .is_none_or(|s| s.contains(d.path.as_str()))
            })
            .count();
        if let Some(scope) = &in_scope {
            diagnostics.retain(|d| scope.contains(d.path.as_str()));
        }
        Ok(Report::finish(
            documents,
            diagnostics,
            &self.config.severity_overrides,
        ))
    }

    fn resolve_scope(&self, paths: &[String]) -> Result<BTreeSet<&str>, Error> {
        let mut out = BTreeSet::new();
        for given in paths {
            let path = Path::new(given);
            let rel = if path.is_absolute() {
                discover::relative(&self.root, path)
            } else {
                discover::relative(Path::new(""), path)
            };
            let rel = rel.trim_start_matches("./").trim_end_matches('/');
            let rel = if rel == "." { "" } else { rel };
            if !self.root.join(rel).exists() {
                return Err(Error::NoSuchPath {
                    path: given.clone(),
                });
            }
            for doc_path in self.by_path.keys() {
                let inside = rel.is_empty()
                    || doc_path == rel
                    || doc_path
                        .strip_prefix(rel)
                        .is_some_and(|rest| rest.starts_with('/'));
                if inside {
                    out.insert(doc_path.as_str());
                }
            }
        }
        Ok(out)
    }

    /// The text of a document, by its root-relative path.
    pub fn source(&self, path: &str) -> Option<&str> {
        let i = *self.by_path.get(path)?;
        self.portfolio.entities[i]
            .document
            .as_ref()
            .map(|d| d.parsed.text.as_str())
    }
}

fn unreadable(path: &str, e: &std::io::Error) -> ParsedDocument {
    let mut doc = parse::parse_document(path, b"");
    doc.readable = false;
    doc.diagnostics.push(
        Diagnostic::new(
            Rule::FrontMatter,
            path,
            Position::START,
            format!("cannot read the file: {e}"),
        )
        .help("check the file's permissions"),
    );
    doc
}
