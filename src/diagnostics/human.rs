//! rustc-style output for a terminal: the finding, its location, the source
//! line with a caret under the spot, and the help line; then one summary line.
//!
//! Colour is a choice made by the caller (a terminal, `--color`, `NO_COLOR`);
//! this renderer only obeys it, so its plain output is stable for snapshots.

use super::{Diagnostic, Report};
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
pub fn render<'s>(
    report: &Report,
    source: &dyn Fn(&str) -> Option<&'s str>,
    color: bool,
) -> String {
    let mut out = render_findings(report, source, color);
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
) -> String {
    let p = Paint { color };
    let mut out = String::new();
    for d in &report.diagnostics {
        render_one(&mut out, d, source(&d.path), &p);
        out.push('\n');
    }
    out
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => BLUE,
    }
}

fn render_one(out: &mut String, d: &Diagnostic, text: Option<&str>, p: &Paint) {
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
        d.path,
        d.position.line,
        d.position.column
    );
    let snippet = text.and_then(|t| LineIndex::new(t).line_text(t, d.position.line));
    if let Some(line) = snippet {
        let bar = p.paint(BLUE, "|");
        // Tabs would misalign the caret; show them as four spaces and count them so.
        let shown = line.replace('\t', "    ");
        let before: usize = line
            .chars()
            .take(d.position.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { 4 } else { 1 })
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary(report: &Report, p: &Paint) -> String {
    let docs = plural(report.documents, "document");
    let (errors, warnings) = (report.errors(), report.warnings());
    if report.diagnostics.is_empty() {
        return format!("{} {docs} checked, no findings\n", p.paint(GREEN, "ok:"));
    }
    let label = if errors > 0 {
        p.paint(RED, "error:")
    } else if warnings > 0 {
        p.paint(YELLOW, "warning:")
    } else {
        p.paint(GREEN, "ok:")
    };
    let infos = report.diagnostics.len() - errors - warnings;
    let counts = if infos > 0 {
        format!(
            "{}, {} and {infos} info",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    } else {
        format!(
            "{} and {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    };
    format!("{label} {counts} in {docs}\n")
}
