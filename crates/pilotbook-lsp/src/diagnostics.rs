//! pilotbook's findings as the editor's diagnostics: the same message as
//! `check --format json` (so the two can be compared word for word), the
//! rule as the `code`, `pilotbook` as the `source`, and the position and
//! width turned into a UTF-16 range. The help line and, for an accepted
//! finding, the reason travel in `data`; hover shows them. An accepted
//! finding stays visible, as a hint: it no longer fails the gate.

use crate::text;
use crate::workspace::Failure;
use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString};
use pilotbook_core::diagnostics::Diagnostic as Finding;
use pilotbook_core::rules::Severity;
use pilotbook_core::source::LineIndex;

/// What every diagnostic's `source` says.
pub const SOURCE: &str = "pilotbook";

/// One finding as an editor diagnostic; `text` is the file's text the
/// finding's position counts in.
pub fn to_lsp(d: &Finding, text: &str, index: &LineIndex) -> Diagnostic {
    let severity = match (&d.accepted, d.severity) {
        (Some(_), _) => DiagnosticSeverity::HINT,
        (None, Severity::Error) => DiagnosticSeverity::ERROR,
        (None, Severity::Warning) => DiagnosticSeverity::WARNING,
        (None, Severity::Info) => DiagnosticSeverity::INFORMATION,
    };
    let mut data = serde_json::json!({ "help": d.help });
    if let Some(accepted) = &d.accepted {
        data["accepted"] = serde_json::json!({
            "by": accepted.by.as_str(),
            "reason": accepted.reason,
        });
    }
    Diagnostic {
        range: text::range_of(text, index, d.position, d.width),
        severity: Some(severity),
        code: Some(NumberOrString::String(d.rule.name().to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: None,
        tags: None,
        data: Some(data),
    }
}

/// What stopped a load, as an error on the file to fix.
pub fn failure(f: &Failure, text: &str, index: &LineIndex) -> Diagnostic {
    Diagnostic {
        range: text::range_of(text, index, f.position, 1),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        message: f.message.clone(),
        ..Diagnostic::default()
    }
}
