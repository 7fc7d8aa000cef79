//! rustc-style output for a terminal: the finding, its location, the source
//! line with a caret under the spot, and the help line; then one summary line.
//!
//! Colour is a choice made by the caller (a terminal, `--color`, `NO_COLOR`);
//! this renderer only obeys it, so its plain output is stable for snapshots.
//! Findings a document accepted are listed too, briefly, with their
//! reason, and those the baseline accepted are counted; neither counts in
//! the summary's errors and warnings. Source lines are shown
//! with control characters escaped, as every finding's text already is.

use super::{AcceptedBy, Diagnostic, Report, count, escape_controls};
use crate::rules::Severity;
use crate::source::LineIndex;
use std::fmt::Write;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const GREEN: &str = "\x1b[1;32m";

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// Render every diagnostic and a summary line. `source` returns a file's text
/// by its report path, for the snippet; without it the snippet is left out.
/// `shown` turns a report path into the path printed (relative to where
/// the user stands).
pub fn render<'s>(
    report: &Report,
    source: &dyn Fn(&str) -> Option<&'s str>,
    color: bool,
    shown: &dyn Fn(&str) -> String,
) -> String {
    let mut out = render_findings(report, source, color, shown);
    out.push_str(&summary(report, &Paint { color }));
    out
}

/// The findings alone, without the summary line: for commands that report
/// a few findings beside their own output (`build` and `export` print the
/// history warnings `check` would).
pub fn render_findings<'s>(
    report: &Report,
    source: &dyn Fn(&str) -> Option<&'s str>,
    color: bool,
    shown: &dyn Fn(&str) -> String,
) -> String {
    let p = Paint { color };
    let mut out = String::new();
    for d in report.diagnostics.iter().filter(|d| d.is_open()) {
        render_one(&mut out, d, source(&d.path), &shown(&d.path), &p);
        out.push('\n');
    }
    // A document's answers are read one by one; a baseline's are the
    // findings of the day it was written, counted (JSON lists them).
    let by_document = |d: &&Diagnostic| {
        d.accepted
            .as_ref()
            .is_some_and(|a| a.by == AcceptedBy::Document)
    };
    let mut answered = false;
    for d in report.diagnostics.iter().filter(by_document) {
        render_accepted(&mut out, d, &shown(&d.path), &p);
        answered = true;
    }
    let baselined = report.accepted() - report.diagnostics.iter().filter(by_document).count();
    if baselined > 0 {
        let _ = writeln!(
            out,
            "{} {} accepted by the baseline (not listed; `--format json` lists them)",
            p.paint(GREEN, "note:"),
            count(baselined, "finding")
        );
        answered = true;
    }
    if answered {
        out.push('\n');
    }
    out
}

fn render_accepted(out: &mut String, d: &Diagnostic, path: &str, p: &Paint) {
    let Some(accepted) = &d.accepted else { return };
    let _ = writeln!(
        out,
        "{}: {}",
        p.paint(GREEN, &format!("accepted[{}]", d.rule.name())),
        d.message
    );
    let _ = writeln!(
        out,
        "  {} {path}:{}:{}",
        p.paint(BLUE, "-->"),
        d.position.line,
        d.position.column
    );
    let _ = writeln!(out, "  {} reason: {}", p.paint(BLUE, "="), accepted.reason);
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => BLUE,
    }
}

fn render_one(out: &mut String, d: &Diagnostic, text: Option<&str>, path: &str, p: &Paint) {
    let style = severity_style(d.severity);
    let head = format!("{}[{}]", d.severity.as_str(), d.rule.name());
    let _ = writeln!(
        out,
        "{}{}",
        p.paint(style, &head),
        p.paint(BOLD, &format!(": {}", d.message))
    );
    let line_no = d.position.line.to_string();
    let pad = " ".repeat(line_no.len());
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.paint(BLUE, "-->"),
        path,
        d.position.line,
        d.position.column
    );
    let snippet = text.and_then(|t| LineIndex::new(t).line_text(t, d.position.line));
    if let Some(line) = snippet {
        let bar = p.paint(BLUE, "|");
        // Tabs would misalign the caret; show them as four spaces and count
        // them so. A control character is shown escaped, as wide as its escape.
        let shown = escape_controls(line).replace('\t', "    ");
        let before: usize = line
            .chars()
            .take(d.position.column.saturating_sub(1) as usize)
            .map(|c| match c {
                '\t' => 4,
                c => escape_controls(c.encode_utf8(&mut [0; 4])).chars().count(),
            })
            .sum();
        let available = shown.chars().count().saturating_sub(before).max(1);
        let width = (d.width as usize).clamp(1, available);
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(out, "{} {bar} {}", p.paint(BLUE, &line_no), shown);
        let _ = writeln!(
            out,
            "{pad} {bar} {}{}",
            " ".repeat(before),
            p.paint(style, &"^".repeat(width))
        );
    }
    if !d.help.is_empty() {
        let _ = writeln!(out, "{pad} {} help: {}", p.paint(BLUE, "="), d.help);
    }
}

/// The counts of a report in one phrase, for summary lines: `2 errors and
/// 1 warning in 3 documents (4 accepted)`.
pub fn counts(report: &Report) -> String {
    let docs = count(report.documents, "document");
    let (errors, warnings, infos) = (report.errors(), report.warnings(), report.infos());
    let accepted = match report.accepted() {
        0 => String::new(),
        n => format!(" ({n} accepted)"),
    };
    if errors + warnings + infos == 0 {
        return format!("{docs} checked, no findings{accepted}");
    }
    let counts = if infos > 0 {
        format!(
            "{}, {} and {infos} info",
            count(errors, "error"),
            count(warnings, "warning")
        )
    } else {
        format!(
            "{} and {}",
            count(errors, "error"),
            count(warnings, "warning")
        )
    };
    format!("{counts} in {docs}{accepted}")
}

fn summary(report: &Report, p: &Paint) -> String {
    let label = if report.errors() > 0 {
        p.paint(RED, "error:")
    } else if report.warnings() > 0 {
        p.paint(YELLOW, "warning:")
    } else {
        p.paint(GREEN, "ok:")
    };
    format!("{label} {}\n", counts(report))
}
