//! `check --format junit`: a JUnit XML report for GitLab, Jenkins and any
//! CI that shows test results.
//!
//! One `<testsuite>` per document, named by its path, with one `<testcase>`
//! per rule of the catalogue that judges documents (`classname` the path, `name` the rule, `file`
//! the path), so a clean document shows as passing tests and a fixed finding
//! as a test that passes again. Every error is one `<failure>` in its
//! testcase; warnings and info are listed in the testcase's `<system-out>`
//! and do not fail it, as they do not fail the run; so are accepted
//! findings, with their reason. Findings on a file that
//! is not a document (`pilotbook.toml`) get a suite of their own with a
//! testcase per rule that fired. The report does not decide the job's
//! status; the exit code does.

use super::{Diagnostic, Report};
use crate::rules::{Rule, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Escape text for XML content and attribute values. Characters XML 1.0
/// cannot carry at all (most control characters) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Keep line breaks in attributes as line breaks, not spaces.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn location(d: &Diagnostic) -> String {
    format!("{}:{}:{}", d.path, d.position.line, d.position.column)
}

/// Render the report as JUnit XML, with a final newline.
pub fn render(report: &Report) -> String {
    let mut by_path: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for path in &report.paths {
        by_path.entry(path).or_default();
    }
    for d in &report.diagnostics {
        by_path.entry(&d.path).or_default().push(d);
    }
    let documents: BTreeSet<&str> = report.paths.iter().map(String::as_str).collect();

    let mut suites = String::new();
    let (mut total_tests, mut total_failures) = (0, 0);
    for (path, findings) in &by_path {
        let rules = suite_rules(documents.contains(path), findings);
        let mut cases = String::new();
        let mut failed = 0;
        for rule in &rules {
            let mine: Vec<&Diagnostic> = findings
                .iter()
                .copied()
                .filter(|d| d.rule == *rule)
                .collect();
            if write_testcase(&mut cases, path, *rule, &mine) {
                failed += 1;
            }
        }
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" time=\"0\">",
            escape(path),
            rules.len()
        );
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
        total_tests += rules.len();
        total_failures += failed;
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"pilotbook\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\" time=\"0\">"
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

/// The testcases of one suite: for a document, every rule that judges
/// documents (then any other rule that fired on it); for another file,
/// the rules that fired.
fn suite_rules(is_document: bool, findings: &[&Diagnostic]) -> Vec<Rule> {
    if !is_document {
        let fired: BTreeSet<Rule> = findings.iter().map(|d| d.rule).collect();
        return fired.into_iter().collect();
    }
    // `history-unavailable` is about the repository, never a document.
    let mut rules: Vec<Rule> = Rule::ALL
        .iter()
        .copied()
        .filter(|r| *r != Rule::HistoryUnavailable)
        .collect();
    rules.extend(
        findings
            .iter()
            .map(|d| d.rule)
            .filter(|r| !rules.contains(r))
            .collect::<BTreeSet<_>>(),
    );
    rules
}

/// One `<testcase>` for `rule` on `path` with its findings `mine`: a
/// `<failure>` per open error, the rest in `<system-out>`. Whether it
/// failed.
fn write_testcase(cases: &mut String, path: &str, rule: Rule, mine: &[&Diagnostic]) -> bool {
    let _ = write!(
        cases,
        "    <testcase classname=\"{p}\" name=\"{r}\" file=\"{p}\" time=\"0\"",
        p = escape(path),
        r = rule.name()
    );
    if mine.is_empty() {
        cases.push_str("/>\n");
        return false;
    }
    cases.push_str(">\n");
    let (errors, others): (Vec<&Diagnostic>, Vec<&Diagnostic>) = mine
        .iter()
        .partition(|d| d.severity == Severity::Error && d.is_open());
    for d in &errors {
        let _ = writeln!(
            cases,
            "      <failure message=\"{}\" type=\"{}\">{}&#10;help: {}</failure>",
            escape(&d.message),
            d.rule.name(),
            escape(&location(d)),
            escape(&d.help)
        );
    }
    if !others.is_empty() {
        cases.push_str("      <system-out>");
        for d in others {
            let (label, help) = match &d.accepted {
                Some(a) => (
                    format!("accepted {}", d.severity.as_str()),
                    format!("reason: {}", a.reason),
                ),
                None => (d.severity.as_str().to_string(), format!("help: {}", d.help)),
            };
            let _ = write!(
                cases,
                "{}: {}: {}&#10;{}&#10;",
                label,
                escape(&location(d)),
                escape(&d.message),
                escape(&help)
            );
        }
        cases.push_str("</system-out>\n");
    }
    cases.push_str("    </testcase>\n");
    !errors.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b>&\"c'\n\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{FFFD}"
        );
    }
}
