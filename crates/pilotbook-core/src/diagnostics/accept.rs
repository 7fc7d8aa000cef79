//! Findings answered in git: a document's own `accept` entries, and the
//! baseline file an existing portfolio adopts the gate with.
//!
//! An answered finding is not dropped: it stays in the report, marked
//! [`Accepted`] with its reason, so every format and the site still show
//! it; it only stops counting as an error or a warning. A finding about a
//! commit (the history rules) is accepted for that commit only, so the next
//! change fires again. An acceptance that answers nothing is itself a
//! finding (`stale-acceptance`), so that it cannot quietly accept the next
//! finding that happens to match.
//!
//! The baseline is JSON, one finding per line so that it reviews well in a
//! diff: `{"version":1,"findings":[{"fingerprint","rule","path","message"}]}`.
//! Findings are matched by fingerprint ([`Report::fingerprints`]), never by
//! line or message.

use super::{Accepted, AcceptedBy, Diagnostic, Report};
use crate::model::Acceptance;
use crate::rules::{Rule, Severity};
use crate::source::Position;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A baseline file, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// Its path relative to the root, as `[check] baseline` names it.
    pub path: String,
    /// The findings it accepts, in file order.
    pub entries: Vec<BaselineEntry>,
    /// The line of each entry in the file, for stale-entry findings.
    lines: Vec<u32>,
}

/// One finding a baseline accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The finding's fingerprint: what it is about, not where it is.
    pub fingerprint: String,
    /// Its rule, for people reading the file.
    pub rule: String,
    /// Its document, root-relative.
    pub path: String,
    /// Its message when the baseline was written, for people reading the file.
    pub message: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<BaselineEntry>,
}

/// A baseline file pilotbook cannot read (exit 2).
#[derive(Debug, thiserror::Error)]
#[error(
    "{path}:{line}:{column}: not a pilotbook baseline: {message}; write it again with `pilotbook check --write-baseline {path}`"
)]
pub struct BaselineError {
    /// The file.
    pub path: String,
    /// Where.
    pub line: usize,
    /// Where.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Baseline {
    /// Read a baseline's text; `path` names it in errors and findings.
    pub fn parse(path: &str, text: &str) -> Result<Baseline, BaselineError> {
        let file: BaselineFile = serde_json::from_str(text).map_err(|e| BaselineError {
            path: path.to_string(),
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line")
                .next()
                .unwrap_or_default()
                .to_string(),
        })?;
        if file.version != 1 {
            return Err(BaselineError {
                path: path.to_string(),
                line: 1,
                column: 1,
                message: format!(
                    "version {} is not one this pilotbook reads (1)",
                    file.version
                ),
            });
        }
        let mut from = 0;
        let lines = file
            .findings
            .iter()
            .map(|entry| {
                let at = text[from..]
                    .find(&entry.fingerprint)
                    .map_or(from, |i| from + i);
                from = at;
                crate::source::to_u32(text[..at].matches('\n').count() + 1)
            })
            .collect();
        Ok(Baseline {
            path: path.to_string(),
            entries: file.findings,
            lines,
        })
    }

    /// The baseline of a report: every open error and warning (and those the
    /// baseline accepted already), one per line, sorted by path and rule.
    pub fn render(report: &Report) -> (String, usize) {
        let mut entries: Vec<BaselineEntry> = report
            .diagnostics
            .iter()
            .zip(report.fingerprints())
            .filter(|(d, _)| {
                d.accepted
                    .as_ref()
                    .is_none_or(|a| a.by == AcceptedBy::Baseline)
            })
            .filter(|(d, _)| d.severity != Severity::Info && d.rule != Rule::StaleAcceptance)
            .map(|(d, fingerprint)| BaselineEntry {
                fingerprint,
                rule: d.rule.name().to_string(),
                path: d.path.clone(),
                message: d.message.clone(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint))
        });
        let mut text = String::from("{\"version\":1,\"findings\":[\n");
        for (i, entry) in entries.iter().enumerate() {
            // Serialising a struct of strings cannot fail.
            text.push_str(&serde_json::to_string(entry).unwrap_or_default());
            text.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
        }
        text.push_str("]}\n");
        (text, entries.len())
    }
}

/// Mark the findings a document accepts, then those the baseline lists,
/// and return a `stale-acceptance` finding for every acceptance that
/// answered nothing. `accepts` maps a document's path to its entries.
pub fn apply(
    report: &mut Report,
    accepts: &HashMap<&str, &[Acceptance]>,
    baseline: Option<&Baseline>,
) -> Vec<Diagnostic> {
    let mut used: HashSet<(&str, usize)> = HashSet::new();
    for d in &mut report.diagnostics {
        let Some((path, entries)) = accepts.get_key_value(d.path.as_str()) else {
            continue;
        };
        if let Some(i) = entries.iter().position(|a| matches(a, d)) {
            used.insert((*path, i));
            d.accepted = Some(Accepted {
                by: AcceptedBy::Document,
                reason: entries[i].reason.clone(),
            });
        }
    }
    let mut stale: Vec<Diagnostic> = accepts
        .iter()
        .flat_map(|(path, entries)| {
            entries
                .iter()
                .enumerate()
                .filter(|(i, _)| !used.contains(&(*path, *i)))
                .map(|(_, entry)| stale_entry(path, entry))
                .collect::<Vec<_>>()
        })
        .collect();
    if let Some(baseline) = baseline {
        stale.extend(apply_baseline(report, baseline));
    }
    stale
}

/// Whether an `accept` entry answers a finding of its document.
fn matches(entry: &Acceptance, d: &Diagnostic) -> bool {
    if entry.rule != d.rule {
        return false;
    }
    match (&entry.commit, &d.commit) {
        (Some(short), Some(full)) => full.starts_with(short.as_str()),
        (None, None) => true,
        // A finding about a commit is accepted for that commit only; an
        // entry naming a commit answers only such findings.
        _ => false,
    }
}

fn stale_entry(path: &str, entry: &Acceptance) -> Diagnostic {
    let commit = entry
        .commit
        .as_deref()
        .map(|c| format!(" in commit {c}"))
        .unwrap_or_default();
    Diagnostic::new(
        Rule::StaleAcceptance,
        path,
        entry.position,
        format!("the `accept` entry for `{}`{commit} answers no finding of this document", entry.rule.name()),
    )
    .field("pilotbook")
    .item(format!("{}{commit}", entry.rule.name()))
    .help("remove it: the finding it answered is gone (a finding about a commit is accepted with `commit:` set to the commit it names)")
}

fn apply_baseline(report: &mut Report, baseline: &Baseline) -> Vec<Diagnostic> {
    let mut wanted: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, entry) in baseline.entries.iter().enumerate() {
        wanted
            .entry(entry.fingerprint.as_str())
            .or_default()
            .push(i);
    }
    let prints = report.fingerprints();
    let reason = format!("in the baseline ({})", baseline.path);
    for (d, print) in report.diagnostics.iter_mut().zip(&prints) {
        if d.accepted.is_some() {
            continue;
        }
        if let Some(list) = wanted.get_mut(print.as_str())
            && list.pop().is_some()
        {
            d.accepted = Some(Accepted {
                by: AcceptedBy::Baseline,
                reason: reason.clone(),
            });
        }
    }
    let mut left: Vec<usize> = wanted.into_values().flatten().collect();
    left.sort_unstable();
    left.into_iter()
        .map(|i| {
            let entry = &baseline.entries[i];
            let line = baseline.lines.get(i).copied().unwrap_or(1);
            Diagnostic::new(
                Rule::StaleAcceptance,
                baseline.path.as_str(),
                Position::new(line, 1),
                format!(
                    "the baseline entry for `{}` in {} matches no finding any more: {}",
                    entry.rule, entry.path, entry.message
                ),
            )
            .item(entry.fingerprint.as_str())
            .help(format!(
                "remove the entry, or write the baseline again: `pilotbook check --write-baseline {}`",
                baseline.path
            ))
        })
        .collect()
}
