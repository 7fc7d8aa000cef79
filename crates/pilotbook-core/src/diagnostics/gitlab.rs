//! `check --format gitlab`: a GitLab Code Quality report, shown in merge
//! requests (`artifacts: reports: codequality:`).
//!
//! A JSON array (no BOM) of `{description, check_name, fingerprint,
//! severity, location{path, lines{begin}}}`. GitLab merges entries that share
//! a fingerprint, so each is a stable hash of the finding made unique within
//! the report ([`Report::fingerprints`]). Errors are `major`, warnings
//! `minor`, info `info`. Accepted findings are left out: GitLab shows them
//! as resolved, which is what accepting them means.

use super::Report;
use crate::rules::Severity;
use serde::Serialize;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// Render the report as a Code Quality JSON array, with a final newline.
pub fn render(report: &Report) -> String {
    let issues: Vec<Issue> = report
        .diagnostics
        .iter()
        .zip(report.fingerprints())
        .filter(|(d, _)| d.is_open())
        .map(|(d, fingerprint)| Issue {
            description: if d.help.is_empty() {
                d.message.clone()
            } else {
                format!("{} (help: {})", d.message, d.help)
            },
            check_name: d.rule.name(),
            fingerprint,
            severity: severity(d.severity),
            location: Location {
                path: &d.path,
                lines: Lines {
                    begin: d.position.line,
                },
            },
        })
        .collect();
    // Serialising plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_default();
    text.push('\n');
    text
}
