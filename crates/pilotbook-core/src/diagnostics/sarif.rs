//! `check --format sarif`: a SARIF 2.1.0 log for GitHub code scanning and
//! other SARIF viewers.
//!
//! One run; its driver lists every rule of the catalogue (id, name, short
//! and full description, help, default level), and each finding is a result
//! with its rule's index, its effective level, a repository-relative
//! percent-encoded URI under `%SRCROOT%`, a line and column region (columns
//! count Unicode code points, as everywhere in pilotbook) and a
//! `partialFingerprints` entry that is the finding's fingerprint (what it
//! is about, never its line or message), so a finding keeps its identity
//! when lines above it move or a day passes. An accepted finding carries a
//! `suppressions` entry with its reason (`inSource` for a document's own
//! `accept`, `external` for the baseline). No absolute path or time is
//! written: the log of one commit is the same on every machine.

use super::{AcceptedBy, Diagnostic, Report};
use crate::rules::{RULES, Rule, RuleInfo, Severity};
use serde_json::{Value, json};

/// The schema URI GitHub and the SARIF validators recognise.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `missing-section` → `MissingSection`: SARIF's readable rule name.
fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// Percent-encode a relative path for a URI: everything but RFC 3986's
/// unreserved characters and `/`.
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn rule_descriptor(info: &RuleInfo) -> Value {
    let help = format!(
        "{}\n\nExample that passes:\n\n{}\n\nRun `pilotbook check --explain {}` for more; change its severity under [rules] in pilotbook.toml.",
        info.why, info.example, info.name
    );
    json!({
        "id": info.name,
        "name": pascal_case(info.name),
        "shortDescription": { "text": info.summary },
        "fullDescription": { "text": format!("{} {}", info.summary, info.why) },
        "help": { "text": help },
        "defaultConfiguration": { "level": level(info.default_severity) },
    })
}

fn result(d: &Diagnostic, fingerprint: &str) -> Value {
    let text = if d.help.is_empty() {
        d.message.clone()
    } else {
        format!("{}\nhelp: {}", d.message, d.help)
    };
    let mut result = json!({
        "ruleId": d.rule.name(),
        "ruleIndex": rule_index(d.rule),
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {
                    "uri": encode_uri_path(&d.path),
                    "uriBaseId": "%SRCROOT%",
                },
                "region": {
                    "startLine": d.position.line,
                    "startColumn": d.position.column,
                    "endColumn": d.position.column + d.width,
                },
            },
        }],
        "partialFingerprints": { "pilotbookFinding/v2": fingerprint },
    });
    if let Some(accepted) = &d.accepted {
        let kind = match accepted.by {
            AcceptedBy::Document => "inSource",
            AcceptedBy::Baseline => "external",
        };
        result["suppressions"] = json!([{
            "kind": kind,
            "status": "accepted",
            "justification": accepted.reason,
        }]);
    }
    result
}

fn rule_index(rule: Rule) -> usize {
    // `Rule::ALL` and `RULES` are generated from one list, index for index.
    rule as usize
}

/// Render the report as a SARIF 2.1.0 log, pretty-printed, with a final newline.
pub fn render(report: &Report) -> String {
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "pilotbook",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": RULES.iter().map(rule_descriptor).collect::<Vec<_>>(),
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": report
                .diagnostics
                .iter()
                .zip(report.fingerprints())
                .map(|(d, fingerprint)| result(d, &fingerprint))
                .collect::<Vec<_>>(),
        }],
    });
    // Serialising a `Value` of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            encode_uri_path("pilots/50% q3, a:b é.md"),
            "pilots/50%25%20q3%2C%20a%3Ab%20%C3%A9.md"
        );
    }

    #[test]
    fn rule_names() {
        assert_eq!(pascal_case("missing-section"), "MissingSection");
        assert_eq!(
            RULES[rule_index(Rule::MissingSection)].name,
            "missing-section"
        );
    }
}
