//! The diagnostic model and its renderers.
//!
//! Every stage reports what it finds as a [`Diagnostic`]: a rule, a severity,
//! a root-relative path, a 1-based line and column, a message and a help
//! line, and, where the finding is about one field, section, entry or
//! commit, their names. Stages collect diagnostics and go on; none stops at
//! the first. The severity a stage gives is the rule's default (or, for the
//! few rules whose weight depends on the document, the one it decides);
//! [`Report::finish`] applies the `[rules]` table once, at the end, so that
//! no stage needs the config to decide what a finding weighs. `finish` also
//! escapes control characters in every text a finding carries, so that no
//! renderer can pass a document's ESC byte to a terminal or a CI log.
//!
//! A finding's identity ([`Diagnostic::fingerprint`]) is what it is about —
//! rule, path, field, section, entry, commit — never its line or its
//! message, which move and change by themselves (an edit above it, a day
//! passing). Baselines, front-matter acceptances, GitLab and code scanning
//! all recognise a finding by it.
//!
//! One renderer per output format lives beside this file; each takes the
//! finished [`Report`] and returns text, so each can be snapshot-tested.

pub mod accept;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::rules::{Rule, Severity};
use crate::source::Position;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that fired.
    pub rule: Rule,
    /// Its weight: the rule's default until [`Report::finish`].
    pub severity: Severity,
    /// Path relative to the pilotbook root, with `/` separators (relative
    /// to the repository's root once [`Report::relocate`] moved it there).
    pub path: String,
    /// Where in the file.
    pub position: Position,
    /// How many characters from `position` the finding covers (at least 1).
    pub width: u32,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// The section the finding is about, as the kind's config spells it.
    pub section: Option<String>,
    /// The front-matter field the finding is about.
    pub field: Option<String>,
    /// The entry of that field the finding is about: a metric or system
    /// id, a milestone's name, an unknown key. Part of the fingerprint, so
    /// two findings of one rule on one field keep their identities apart.
    pub item: Option<String>,
    /// The commit the finding is about (history findings), full id: an
    /// acceptance names it, so a later change fires again.
    pub commit: Option<String>,
    /// Why the finding does not fail the run, when it was accepted.
    pub accepted: Option<Accepted>,
}

/// How a finding was answered: it stays in every report, marked, and no
/// longer counts as an error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Where the answer is written.
    pub by: AcceptedBy,
    /// The reason given.
    pub reason: String,
}

/// Where an acceptance is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptedBy {
    /// `pilotbook: { accept: [...] }` in the document's front matter.
    Document,
    /// The baseline file (`[check] baseline`).
    Baseline,
}

impl AcceptedBy {
    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            AcceptedBy::Document => "document",
            AcceptedBy::Baseline => "baseline",
        }
    }
}

impl Diagnostic {
    /// A finding of `rule` at `position` of `path`.
    pub fn new(
        rule: Rule,
        path: impl Into<String>,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity: rule.info().default_severity,
            path: path.into(),
            position,
            width: 1,
            message: message.into(),
            help: String::new(),
            section: None,
            field: None,
            item: None,
            commit: None,
            accepted: None,
        }
    }

    /// Set the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// Name the field the finding is about.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Name the section the finding is about.
    pub fn section(mut self, section: impl Into<String>) -> Self {
        self.section = Some(section.into());
        self
    }

    /// Name the entry of the field the finding is about.
    pub fn item(mut self, item: impl Into<String>) -> Self {
        self.item = Some(item.into());
        self
    }

    /// Name the commit the finding is about (full id).
    pub fn commit(mut self, commit: impl Into<String>) -> Self {
        self.commit = Some(commit.into());
        self
    }

    /// Weigh the finding other than its rule's default: for the rules
    /// whose weight depends on the document (a pilot's status, a kind's
    /// `extra_fields`). `[rules]` still overrides it.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Underline `width` characters.
    pub fn width(mut self, width: usize) -> Self {
        self.width = crate::source::to_u32(width.max(1));
        self
    }

    /// Whether the finding counts against the run: not accepted.
    pub fn is_open(&self) -> bool {
        self.accepted.is_none()
    }

    /// A stable hash of what the finding is about — rule, path, field,
    /// section, entry and commit — as 16 hex digits. Never the line, the
    /// column or the message: an edit above the finding, or a day passing
    /// ("12 days overdue"), must not make it new to GitLab, code scanning
    /// or a baseline. [`Report::fingerprints`] makes them unique within a
    /// report.
    pub fn fingerprint(&self) -> String {
        let or_empty = |s: &Option<String>| s.as_deref().unwrap_or("").to_string();
        let parts = [
            self.rule.name().to_string(),
            self.path.clone(),
            or_empty(&self.field),
            or_empty(&self.section),
            or_empty(&self.item),
            or_empty(&self.commit),
        ];
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        format!("{:016x}", fnv1a(&parts))
    }

    fn sort_key(&self) -> (&str, Position, &'static str, &str) {
        (&self.path, self.position, self.rule.name(), &self.message)
    }

    fn escape_text(&mut self) {
        for text in [&mut self.path, &mut self.message, &mut self.help] {
            if let Cow::Owned(escaped) = escape_controls(text) {
                *text = escaped;
            }
        }
        for text in [&mut self.section, &mut self.field, &mut self.item]
            .into_iter()
            .flatten()
        {
            if let Cow::Owned(escaped) = escape_controls(text) {
                *text = escaped;
            }
        }
    }
}

/// Severity overrides from `[rules]`: a rule maps to a severity, or to `None`
/// when it is turned off.
pub type SeverityOverrides = BTreeMap<Rule, Option<Severity>>;

/// The outcome of a check: how many documents were looked at and what was found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Number of documents the report covers.
    pub documents: usize,
    /// The paths of those documents, sorted (the JUnit report lists clean
    /// documents too).
    pub paths: Vec<String>,
    /// The findings, sorted by path, position and rule.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Apply severity overrides, drop rules that are off, escape control
    /// characters, and sort into the stable order every renderer prints.
    pub fn finish(
        documents: usize,
        diagnostics: Vec<Diagnostic>,
        overrides: &SeverityOverrides,
    ) -> Self {
        Report::finish_with(documents, diagnostics, &|_| overrides)
    }

    /// [`Report::finish`] with each finding's own `[rules]`: a portfolio's
    /// sources each judge their documents by their own.
    pub fn finish_with<'o>(
        documents: usize,
        mut diagnostics: Vec<Diagnostic>,
        overrides_of: &dyn Fn(&Diagnostic) -> &'o SeverityOverrides,
    ) -> Self {
        diagnostics.retain_mut(|d| match overrides_of(d).get(&d.rule) {
            Some(None) => false,
            Some(Some(severity)) => {
                d.severity = *severity;
                true
            }
            None => true,
        });
        for d in &mut diagnostics {
            d.escape_text();
        }
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
        Report {
            documents,
            paths: Vec::new(),
            diagnostics,
        }
    }

    /// Put `prefix/` before every path: the machine formats name files
    /// relative to the git repository's root, where the forge looks for
    /// them, whichever folder pilotbook's root is.
    pub fn relocate(&mut self, prefix: &str) {
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() {
            return;
        }
        for path in self
            .paths
            .iter_mut()
            .chain(self.diagnostics.iter_mut().map(|d| &mut d.path))
        {
            // A source's path is in its own repository already.
            if crate::model::split_qualified(path).0.is_none() {
                *path = format!("{prefix}/{path}");
            }
        }
    }

    /// One fingerprint per diagnostic, in order, each unique in the report:
    /// a repeat (two findings that hash alike) gets `-2`, `-3`, … appended,
    /// because GitLab merges entries that share a fingerprint.
    pub fn fingerprints(&self) -> Vec<String> {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        self.diagnostics
            .iter()
            .map(|d| {
                let base = d.fingerprint();
                let n = seen.entry(base.clone()).or_insert(0);
                *n += 1;
                if *n == 1 { base } else { format!("{base}-{n}") }
            })
            .collect()
    }

    /// Number of errors not accepted.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warnings not accepted.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// Number of findings not accepted that are neither errors nor warnings.
    pub fn infos(&self) -> usize {
        self.count(Severity::Info)
    }

    /// Number of accepted findings.
    pub fn accepted(&self) -> usize {
        self.diagnostics.iter().filter(|d| !d.is_open()).count()
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity && d.is_open())
            .count()
    }

    /// Whether the run fails: any error, or any warning when warnings are
    /// denied. Accepted findings never fail it.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.errors() > 0 || (deny_warnings && self.warnings() > 0)
    }
}

/// `1 error`, `2 errors`: a count and its noun, in English.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Escape C0 and C1 control characters other than tab and newline as
/// `\u{1b}`, so that text a document wrote (a title with an ESC byte, a
/// carriage return) cannot move a terminal's cursor, recolour or erase a
/// line, or forge output in a CI log.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let is_control = |c: char| c.is_control() && c != '\t' && c != '\n';
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Break `@mentions` and `#123` references with a zero-width space after
/// the `@` or `#`, so that text a document wrote, shown in a pull-request
/// comment, a job summary or an annotation, can neither ping people nor
/// link issues. The text reads the same.
pub fn escape_mentions(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let live = |i: usize| {
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        match bytes[i] {
            b'@' => next.is_ascii_alphanumeric() || next == b'-' || next == b'_',
            b'#' => next.is_ascii_digit(),
            _ => false,
        }
    };
    if !(0..bytes.len()).any(live) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 6);
    for (i, c) in text.char_indices() {
        out.push(c);
        if c.is_ascii() && live(i) {
            out.push('\u{200B}');
        }
    }
    Cow::Owned(out)
}

/// 64-bit FNV-1a over the parts, each followed by a NUL so that `("ab", "c")`
/// and `("a", "bc")` differ. Fixed constants: the value never changes between
/// versions or platforms, unlike `std`'s hasher.
fn fnv1a(parts: &[&str]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_is_the_published_function() {
        // FNV-1a 64 of "a" is af63dc4c8601ec8c; ours hashes "a\0".
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        h ^= u64::from(b'a');
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        assert_eq!(h, 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }

    #[test]
    fn fingerprints_are_unique_and_stable() {
        let d = Diagnostic::new(Rule::MissingField, "pilots/a.md", Position::START, "x");
        let report = Report {
            documents: 1,
            paths: vec!["pilots/a.md".into()],
            diagnostics: vec![d.clone(), d.clone().width(3)],
        };
        let prints = report.fingerprints();
        assert_eq!(prints[0], d.fingerprint());
        assert_eq!(prints[1], format!("{}-2", d.fingerprint()));
        assert_eq!(d.fingerprint(), d.clone().fingerprint());
    }

    #[test]
    fn fingerprints_ignore_lines_and_messages_but_not_what_they_are_about() {
        let d = Diagnostic::new(
            Rule::MilestoneOverdue,
            "p.md",
            Position::new(9, 10),
            "3 days",
        )
        .field("production_path")
        .item("GA");
        let moved = Diagnostic {
            position: Position::new(12, 4),
            message: "4 days".into(),
            ..d.clone()
        };
        assert_eq!(d.fingerprint(), moved.fingerprint());
        assert_ne!(d.fingerprint(), d.clone().item("Beta").fingerprint());
        assert_ne!(d.fingerprint(), d.clone().commit("abc").fingerprint());
    }

    #[test]
    fn control_characters_are_escaped_but_tab_and_newline_stay() {
        assert_eq!(escape_controls("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            escape_controls("x\u{1b}[2Ky\r\u{9b}"),
            "x\\u{1b}[2Ky\\u{d}\\u{9b}"
        );
        let report = Report::finish(
            1,
            vec![Diagnostic::new(
                Rule::FrontMatter,
                "a.md",
                Position::START,
                "t\u{1b}[1A",
            )],
            &SeverityOverrides::new(),
        );
        assert_eq!(report.diagnostics[0].message, "t\\u{1b}[1A");
    }

    #[test]
    fn mentions_and_issue_references_are_broken() {
        assert_eq!(
            escape_mentions("ping @dana and #12"),
            "ping @\u{200B}dana and #\u{200B}12"
        );
        assert_eq!(escape_mentions("a@ b # c #x"), "a@ b # c #x");
        assert_eq!(
            escape_mentions("dana@example.com"),
            "dana@\u{200B}example.com"
        );
    }

    #[test]
    fn accepted_findings_do_not_count() {
        let mut d = Diagnostic::new(Rule::MissingField, "a.md", Position::START, "x");
        d.accepted = Some(Accepted {
            by: AcceptedBy::Document,
            reason: "agreed".into(),
        });
        let report = Report::finish(1, vec![d], &SeverityOverrides::new());
        assert_eq!((report.errors(), report.accepted()), (0, 1));
        assert!(!report.fails(true));
    }
}
