//! `diff --format markdown`: a pull-request comment.
//!
//! A heading with the counts, the two commits, then one part per kind of
//! change: pilots added and removed as bullets, each changed pilot as a
//! before/after table, other documents as bullets, and the findings the
//! head brings or fixes. Long lists fold into `<details>` so a big change
//! does not bury the conversation. Every piece of document text is escaped
//! (it is the author's, not ours): free text with backslashes, ids and
//! paths as code spans, table cells with `\|`, so a title cannot break the
//! table or inject HTML into the comment; `@mentions` and `#123` references
//! in free text are broken with a zero-width space, so a title cannot ping
//! people or link issues, and control characters are shown escaped.

use super::{
    Change, DocumentDiff, EntryChange, Finding, MetricChange, MilestoneChange, PilotDiff,
    PortfolioDiff, RevisionOut, SectionState,
};
use serde_json::Value;
use std::fmt::Write as _;

/// Lists longer than this fold into `<details>`.
const FOLD_AFTER: usize = 5;
/// Tables longer than this fold into `<details>`.
const FOLD_ROWS_AFTER: usize = 10;

/// Render the diff as GitHub-flavoured Markdown, ending with a newline.
pub fn render(diff: &PortfolioDiff) -> String {
    let mut out = String::new();
    let range = format!("{} and {}", revision(&diff.base), revision(&diff.head));
    if diff.is_empty() {
        let _ = writeln!(
            out,
            "## Portfolio changes\n\nNo portfolio changes between {range}."
        );
        return out;
    }
    let s = &diff.summary;
    let _ = writeln!(out, "## Portfolio changes: {}\n", headline(diff));
    let _ = writeln!(
        out,
        "Between {range}. Errors: {} → {}, warnings: {} → {}.",
        s.errors.from, s.errors.to, s.warnings.from, s.warnings.to
    );

    for (title, was, pilots) in [
        ("Pilots added", "", &diff.pilots.added),
        ("Pilots removed", "was ", &diff.pilots.removed),
    ] {
        if pilots.is_empty() {
            continue;
        }
        let items: Vec<String> = pilots
            .iter()
            .map(|p| {
                format!(
                    "**{}** {}: {was}status {}, owner {}, {}",
                    text(&p.title),
                    code(&p.id),
                    opt_text(p.status.as_deref()),
                    opt_code(p.owner.as_deref()),
                    code(&p.path)
                )
            })
            .collect();
        part(&mut out, title, &items);
    }
    if !diff.pilots.changed.is_empty() {
        let _ = writeln!(out, "\n### Pilots changed");
        for p in &diff.pilots.changed {
            pilot_table(&mut out, p);
        }
    }
    let docs = &diff.documents;
    if !(docs.added.is_empty() && docs.removed.is_empty() && docs.changed.is_empty()) {
        let mut items: Vec<String> = Vec::new();
        items.extend(docs.added.iter().map(|d| {
            format!(
                "added {} {}: **{}**, {}",
                text(&d.kind),
                code(&d.id),
                text(&d.title),
                code(&d.path)
            )
        }));
        items.extend(docs.removed.iter().map(|d| {
            format!(
                "removed {} {}: **{}**, {}",
                text(&d.kind),
                code(&d.id),
                text(&d.title),
                code(&d.path)
            )
        }));
        items.extend(docs.changed.iter().map(document_item));
        part(&mut out, "Other documents", &items);
    }
    let f = &diff.findings;
    if !(f.new.is_empty() && f.fixed.is_empty()) {
        let _ = writeln!(out, "\n### Findings");
        if !f.new.is_empty() {
            finding_list(&mut out, "new", &f.new);
        }
        if !f.fixed.is_empty() {
            finding_list(&mut out, "fixed", &f.fixed);
        }
    }
    out
}

fn headline(diff: &PortfolioDiff) -> String {
    let s = &diff.summary;
    let mut parts = Vec::new();
    let mut counted = |n: usize, what: &str| {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    };
    // The noun goes on the first pilot count only: "2 pilots added, 1 removed".
    let mut noun = true;
    for (n, what) in [
        (s.pilots_added, "added"),
        (s.pilots_removed, "removed"),
        (s.pilots_changed, "changed"),
    ] {
        let label = match (noun, n) {
            (true, 1) => format!("pilot {what}"),
            (true, _) => format!("pilots {what}"),
            (false, _) => what.to_string(),
        };
        if n > 0 {
            noun = false;
        }
        counted(n, &label);
    }
    let docs = s.documents_added + s.documents_removed + s.documents_changed;
    counted(
        docs,
        if docs == 1 {
            "other document changed"
        } else {
            "other documents changed"
        },
    );
    counted(
        s.findings_new,
        if s.findings_new == 1 {
            "new finding"
        } else {
            "new findings"
        },
    );
    counted(s.findings_fixed, "fixed");
    parts.join(", ")
}

/// `` `main` (`1a2b3c4`) ``, or just the short id when the revision was one.
fn revision(r: &RevisionOut) -> String {
    let short = r.commit.get(..7).unwrap_or(&r.commit);
    if r.commit.starts_with(&r.rev) && r.rev.len() >= 7 {
        code(short)
    } else {
        format!("{} ({})", code(&r.rev), code(short))
    }
}

/// A `###` part with a bullet list, folded when long.
fn part(out: &mut String, title: &str, items: &[String]) {
    let _ = writeln!(out, "\n### {title}\n");
    fold(
        out,
        &format!("{} {}", items.len(), title.to_lowercase()),
        items,
    );
}

fn fold(out: &mut String, summary: &str, items: &[String]) {
    let folded = items.len() > FOLD_AFTER;
    if folded {
        let _ = writeln!(out, "<details><summary>{summary}</summary>\n");
    }
    for item in items {
        let _ = writeln!(out, "- {item}");
    }
    if folded {
        let _ = writeln!(out, "\n</details>");
    }
}

fn finding_list(out: &mut String, what: &str, findings: &[Finding]) {
    let count = |sev: &str| findings.iter().filter(|f| f.severity == sev).count();
    let mut by_severity = Vec::new();
    for (sev, one, many) in [
        ("error", "error", "errors"),
        ("warning", "warning", "warnings"),
        ("info", "info", "info"),
    ] {
        let n = count(sev);
        if n > 0 {
            by_severity.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    let summary = format!("{} {what} ({})", findings.len(), by_severity.join(", "));
    let _ = writeln!(out, "\n**{summary}**\n");
    let items: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "**{}** {} at {}: {}",
                f.severity,
                code(&f.rule),
                code(&format!("{}:{}", f.path, f.line)),
                message(&f.message)
            )
        })
        .collect();
    fold(out, &summary, &items);
}

fn pilot_table(out: &mut String, p: &PilotDiff) {
    let mut rows: Vec<[String; 3]> = Vec::new();
    for f in &p.fields {
        let show = |v: &Value| match (f.field.as_str(), v) {
            (_, Value::Null) => "—".to_string(),
            ("owner" | "path", Value::String(s)) => cell_code(s),
            (_, Value::String(s)) => text(s),
            (_, other) => text(&other.to_string()),
        };
        rows.push([text(&f.field), show(&f.from), show(&f.to)]);
    }
    for m in &p.metrics {
        metric_rows(&mut rows, m);
    }
    for m in &p.milestones {
        milestone_rows(&mut rows, m);
    }
    for s in &p.sections {
        rows.push([
            format!("section *{}*", text(&s.section)),
            state(s.from).to_string(),
            state(s.to).to_string(),
        ]);
    }
    for i in &p.integrations {
        let what = format!("integration {}", code(&i.system));
        match i.change {
            EntryChange::Added => rows.push([
                what,
                "—".into(),
                format!("added{}", paren(i.access.to.as_deref())),
            ]),
            EntryChange::Removed => rows.push([
                what,
                format!("present{}", paren(i.access.from.as_deref())),
                "removed".into(),
            ]),
            EntryChange::Changed => {
                change_row(&mut rows, &format!("{what} access"), &i.access);
                change_row(&mut rows, &format!("{what} auth"), &i.auth);
            }
        }
    }
    for d in &p.depends_on {
        let what = format!("depends on {} {}", text(&d.kind), code(&d.id));
        match d.change {
            EntryChange::Removed => rows.push([what, "yes".into(), "removed".into()]),
            _ => rows.push([what, "—".into(), "added".into()]),
        }
    }

    // In a portfolio with sources, the path names the source.
    let from = match pilotbook_core::model::split_qualified(&p.path).0 {
        Some(_) => format!(", {}", code(&p.path)),
        None => String::new(),
    };
    let _ = writeln!(out, "\n#### {} {}{from}\n", text(&p.title), code(&p.id));
    let folded = rows.len() > FOLD_ROWS_AFTER;
    if folded {
        let _ = writeln!(out, "<details><summary>{} changes</summary>\n", rows.len());
    }
    let _ = writeln!(out, "| | before | after |\n|---|---|---|");
    for [what, before, after] in rows {
        let _ = writeln!(out, "| {what} | {before} | {after} |");
    }
    if folded {
        let _ = writeln!(out, "\n</details>");
    }
}

fn metric_rows(rows: &mut Vec<[String; 3]>, m: &MetricChange) {
    let what = format!("metric {}", code(&m.metric));
    let described = |target: Option<&str>, actual: Option<&str>, met: Option<bool>| {
        let mut s = format!("target {}", opt_text(target));
        if let Some(actual) = actual {
            let _ = write!(s, ", actual {}{}", text(actual), met_word(met));
        }
        s
    };
    match m.change {
        EntryChange::Added => rows.push([
            what,
            "—".into(),
            format!(
                "added: {}",
                described(m.target.to.as_deref(), m.actual.to.as_deref(), m.met.to)
            ),
        ]),
        EntryChange::Removed => rows.push([
            what,
            described(
                m.target.from.as_deref(),
                m.actual.from.as_deref(),
                m.met.from,
            ),
            "removed".into(),
        ]),
        EntryChange::Changed => {
            change_row(rows, &format!("{what} target"), &m.target);
            if m.actual.changed() {
                // The verdict rides with the actual that gives it.
                let shown = |actual: Option<&str>, met: Option<bool>| match actual {
                    Some(a) => format!("{}{}", text(a), met_word(met)),
                    None => "—".to_string(),
                };
                rows.push([
                    format!("{what} actual"),
                    shown(m.actual.from.as_deref(), m.met.from),
                    shown(m.actual.to.as_deref(), m.met.to),
                ]);
            } else if m.met.changed() {
                let word = |met: Option<bool>| match met {
                    Some(true) => "met",
                    Some(false) => "missed",
                    None => "—",
                };
                rows.push([
                    format!("{what} target met"),
                    word(m.met.from).into(),
                    word(m.met.to).into(),
                ]);
            }
        }
    }
}

fn milestone_rows(rows: &mut Vec<[String; 3]>, m: &MilestoneChange) {
    let what = format!("milestone *{}*", text(&m.milestone));
    match m.change {
        EntryChange::Added => rows.push([
            what,
            "—".into(),
            format!("added, due {}", opt_text(m.due.to.as_deref())),
        ]),
        EntryChange::Removed => rows.push([
            what,
            format!("due {}", opt_text(m.due.from.as_deref())),
            "removed".into(),
        ]),
        EntryChange::Changed => {
            if m.due.changed() {
                let moved = match m.moved_days {
                    Some(d) if d > 0 => format!(" ({d} {} later)", days(d)),
                    Some(d) if d < 0 => format!(" ({} {} earlier)", -d, days(-d)),
                    _ => String::new(),
                };
                rows.push([
                    format!("{what} due"),
                    opt_text(m.due.from.as_deref()),
                    format!("{}{moved}", opt_text(m.due.to.as_deref())),
                ]);
            }
            change_row(rows, &format!("{what} done"), &m.done);
        }
    }
}

fn days(n: i64) -> &'static str {
    if n == 1 { "day" } else { "days" }
}

fn change_row(rows: &mut Vec<[String; 3]>, what: &str, c: &Change<Option<String>>) {
    if c.changed() {
        rows.push([
            what.to_string(),
            opt_text(c.from.as_deref()),
            opt_text(c.to.as_deref()),
        ]);
    }
}

fn document_item(d: &DocumentDiff) -> String {
    let mut changes: Vec<String> = d
        .fields
        .iter()
        .map(|f| {
            let show = |v: &Value| match v {
                Value::Null => "—".to_string(),
                Value::String(s) => text(s),
                other => text(&other.to_string()),
            };
            format!("{} {} → {}", code(&f.field), show(&f.from), show(&f.to))
        })
        .collect();
    changes.extend(d.sections.iter().map(|s| {
        format!(
            "section *{}* {}",
            text(&s.section),
            if s.change == EntryChange::Added {
                "added"
            } else {
                "dropped"
            }
        )
    }));
    format!(
        "changed {} {}: {}",
        text(&d.kind),
        code(&d.id),
        changes.join("; ")
    )
}

fn state(s: SectionState) -> &'static str {
    match s {
        SectionState::Missing => "missing",
        SectionState::Empty => "empty",
        SectionState::Filled => "filled",
    }
}

fn met_word(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => " (met)",
        Some(false) => " (missed)",
        None => "",
    }
}

fn paren(v: Option<&str>) -> String {
    v.map(|v| format!(" ({})", text(v))).unwrap_or_default()
}

fn opt_text(v: Option<&str>) -> String {
    v.map_or_else(|| "—".to_string(), text)
}

fn opt_code(v: Option<&str>) -> String {
    v.map_or_else(|| "—".to_string(), code)
}

/// Free text, with every character Markdown or HTML could act on escaped
/// and line breaks folded, so it renders as written inside a line or cell.
pub fn text(s: &str) -> String {
    use pilotbook_core::diagnostics::{escape_controls, escape_mentions};
    let s = escape_controls(s);
    let s = escape_mentions(&s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            // `>` and `#` act only at the start of a line, which text never is.
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span that holds any text: the fence is longer than any run of
/// backticks inside.
pub fn code(s: &str) -> String {
    let s =
        pilotbook_core::diagnostics::escape_controls(&s.replace(['\n', '\r'], " ")).into_owned();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A code span inside a table cell: GitHub splits cells at `|` even there.
fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// A finding's message: its code spans kept (rules write ids and names in
/// backticks), everything else escaped as [`text`].
fn message(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('`') {
        out.push_str(&text(&rest[..start]));
        let after = &rest[start..];
        let ticks = after.len() - after.trim_start_matches('`').len();
        let body = &after[ticks..];
        let fence = &after[..ticks];
        match body.find(fence) {
            Some(end) if !body[..end].is_empty() => {
                let inner = body[..end].replace(['\n', '\r'], " ");
                out.push_str(fence);
                out.push_str(&inner);
                out.push_str(fence);
                rest = &body[end + ticks..];
            }
            _ => {
                out.push_str(&text(fence));
                rest = body;
            }
        }
    }
    out.push_str(&text(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_inject_markup() {
        assert_eq!(text("a|b <script>"), "a\\|b \\<script>");
        assert_eq!(text("line\nbreak"), "line break");
        assert_eq!(
            text("cc @dana, fixes #12"),
            "cc @\u{200B}dana, fixes #\u{200B}12"
        );
        assert_eq!(text("a\u{1b}[2Kb"), "a\\\\u{1b}\\[2Kb");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
    }

    fn finding(n: u32) -> Finding {
        Finding {
            rule: "missing-section".into(),
            severity: "error".into(),
            path: "pilots/a.md".into(),
            line: n,
            column: 1,
            message: format!("finding {n}"),
        }
    }

    fn diff(new: Vec<Finding>) -> PortfolioDiff {
        let revision = |rev: &str| RevisionOut {
            rev: rev.into(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
        };
        PortfolioDiff {
            version: 1,
            base: revision("main"),
            head: revision("HEAD"),
            summary: super::super::Summary {
                pilots_added: 0,
                pilots_removed: 0,
                pilots_changed: 0,
                documents_added: 0,
                documents_removed: 0,
                documents_changed: 0,
                findings_new: new.len(),
                findings_fixed: 0,
                errors: Change {
                    from: 0,
                    to: new.len(),
                },
                warnings: Change { from: 0, to: 0 },
            },
            pilots: Default::default(),
            documents: Default::default(),
            findings: super::super::FindingChanges {
                new,
                fixed: Vec::new(),
            },
        }
    }

    #[test]
    fn long_lists_fold_into_details() {
        let short = render(&diff((1..=FOLD_AFTER as u32).map(finding).collect()));
        assert!(!short.contains("<details>"), "{short}");
        let long = render(&diff((1..=FOLD_AFTER as u32 + 1).map(finding).collect()));
        assert!(
            long.contains("<details><summary>6 new (6 errors)</summary>"),
            "{long}"
        );
        assert!(long.contains("</details>"));
    }

    #[test]
    fn empty_diff_says_so() {
        let text = render(&diff(Vec::new()));
        assert!(
            text.contains(
                "No portfolio changes between `main` (`0123456`) and `HEAD` (`0123456`)."
            )
        );
    }

    #[test]
    fn messages_keep_their_code_spans() {
        assert_eq!(
            message("pilot `a` has no `Roll|back` <b>"),
            "pilot `a` has no `Roll|back` \\<b>"
        );
        assert_eq!(message("odd ` tick"), "odd \\` tick");
    }
}
