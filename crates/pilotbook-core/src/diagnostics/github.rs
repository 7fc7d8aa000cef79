//! `check --format github`: GitHub Actions workflow commands, one per finding,
//! and the job summary.
//!
//! Each finding becomes `::error file=…,line=…,col=…,title=…::message`
//! (`warning` for warnings, `notice` for info), which GitHub turns into an
//! annotation on the pull request's diff. Message data escapes `%`, CR and
//! LF; property values also escape `:` and `,` (actions/toolkit's
//! `escapeData` and `escapeProperty`), so a path or message can never end a
//! command early; `@mentions` and `#123` references in a document's text are
//! broken with a zero-width space so an annotation or the summary cannot
//! ping people or link issues. Accepted findings get no annotation. GitHub
//! shows only the first ten annotations of each severity per step, so
//! [`summary`] renders every finding as a Markdown table for
//! `$GITHUB_STEP_SUMMARY`.

use super::{Diagnostic, Report, count, escape_mentions};
use crate::rules::Severity;
use std::fmt::Write;

/// GitHub accepts at most 1 MiB of summary per step; stop adding rows well
/// before that so the table and its closing note always fit.
const SUMMARY_BUDGET: usize = 1000 * 1024;

/// Escape workflow-command data (the message after `::`).
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow-command property value (`file=…`, `title=…`): the
/// data escapes plus `:` and `,`, which separate properties.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One workflow command per finding, each on its own line.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for d in report.diagnostics.iter().filter(|d| d.is_open()) {
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            command(d.severity),
            escape_property(&d.path),
            d.position.line,
            d.position.column,
            escape_property(d.rule.name()),
            escape_data(&escape_mentions(&message(d))),
        );
    }
    out
}

/// The message and, on the next line, the help.
fn message(d: &Diagnostic) -> String {
    if d.help.is_empty() {
        d.message.clone()
    } else {
        format!("{}\nhelp: {}", d.message, d.help)
    }
}

/// A table cell: no line breaks, no column breaks, no live mentions.
fn cell(text: &str) -> String {
    escape_mentions(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// The job summary: a heading with the counts, then every finding in one
/// GitHub-flavoured Markdown table (or a line saying there are none).
pub fn summary(report: &Report) -> String {
    let mut out = String::from("## pilotbook check\n\n");
    let _ = writeln!(out, "{}.\n", super::human::counts(report));
    if report.diagnostics.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| Severity | Rule | Location | Message | Help |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for (i, d) in report.diagnostics.iter().enumerate() {
        let severity = match &d.accepted {
            Some(_) => format!("accepted {}", d.severity.as_str()),
            None => d.severity.as_str().to_string(),
        };
        let help = d
            .accepted
            .as_ref()
            .map_or(d.help.as_str(), |a| a.reason.as_str());
        let row = format!(
            "| {} | `{}` | {}:{}:{} | {} | {} |\n",
            severity,
            d.rule.name(),
            cell(&d.path),
            d.position.line,
            d.position.column,
            cell(&d.message),
            cell(help)
        );
        if out.len() + row.len() > SUMMARY_BUDGET {
            let _ = writeln!(
                out,
                "\n{} left out (GitHub's summary limit); run `pilotbook check` for all of them.",
                count(report.diagnostics.len() - i, "more finding")
            );
            return out;
        }
        out.push_str(&row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
        // `%` first, so an escape is never escaped twice.
        assert_eq!(escape_property("%3A"), "%253A");
    }

    #[test]
    fn table_cells_stay_in_their_column() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(cell("@dana #7"), "@\u{200B}dana #\u{200B}7");
    }
}
