//! `check --format json`: one object, the contract of PRODUCT.md §4.
//!
//! Beyond the contract's keys, each diagnostic carries its `fingerprint`
//! (what the baseline matches), the `commit` a history finding is about, and
//! `accepted: {by, reason}` when it was answered; `summary.accepted` counts
//! those, which `errors` and `warnings` leave out.

use super::Report;
use serde::Serialize;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    summary: Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct Summary {
    documents: usize,
    errors: usize,
    warnings: usize,
    accepted: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
    help: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<JsonAccepted<'a>>,
}

#[derive(Serialize)]
struct JsonAccepted<'a> {
    by: &'static str,
    reason: &'a str,
}

/// Render the report as the JSON object, pretty-printed, with a final newline.
pub fn render(report: &Report) -> String {
    let out = JsonReport {
        version: 1,
        summary: Summary {
            documents: report.documents,
            errors: report.errors(),
            warnings: report.warnings(),
            accepted: report.accepted(),
        },
        diagnostics: report
            .diagnostics
            .iter()
            .zip(report.fingerprints())
            .map(|(d, fingerprint)| JsonDiagnostic {
                rule: d.rule.name(),
                severity: d.severity.as_str(),
                path: &d.path,
                line: d.position.line,
                column: d.position.column,
                message: &d.message,
                help: &d.help,
                section: d.section.as_deref(),
                field: d.field.as_deref(),
                fingerprint,
                commit: d.commit.as_deref(),
                accepted: d.accepted.as_ref().map(|a| JsonAccepted {
                    by: a.by.as_str(),
                    reason: &a.reason,
                }),
            })
            .collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}
