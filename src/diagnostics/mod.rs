//! The diagnostic model and its renderers.
//!
//! Every stage reports what it finds as a [`Diagnostic`]: a rule, a severity,
//! a repository-relative path, a 1-based line and column, a message and a help
//! line, and, where the finding is about one field or one section, its name.
//! Stages collect diagnostics and go on; none stops at the first. The severity
//! a stage gives is the rule's default; [`Report::finish`] applies the
//! `[rules]` table once, at the end, so that no stage needs the config to
//! decide what a finding weighs.
//!
//! One renderer per output format lives beside this file; each takes the
//! finished [`Report`] and returns text, so each can be snapshot-tested.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::rules::{Rule, Severity};
use crate::source::Position;
use std::collections::BTreeMap;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that fired.
    pub rule: Rule,
    /// Its weight: the rule's default until [`Report::finish`].
    pub severity: Severity,
    /// Path relative to the pilotbook root, with `/` separators.
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

    /// Underline `width` characters.
    pub fn width(mut self, width: usize) -> Self {
        self.width = crate::source::to_u32(width.max(1));
        self
    }

    /// A stable hash of what the finding is: rule, path, line, column and
    /// message, as 16 hex digits. The same finding on the same line gets the
    /// same fingerprint in every run and on every machine, so CI tools can
    /// tell new findings from old ones. [`Report::fingerprints`] makes them
    /// unique within a report.
    pub fn fingerprint(&self) -> String {
        let line = self.position.line.to_string();
        let column = self.position.column.to_string();
        let parts = [
            self.rule.name(),
            self.path.as_str(),
            &line,
            &column,
            &self.message,
        ];
        format!("{:016x}", fnv1a(&parts))
    }

    fn sort_key(&self) -> (&str, Position, &'static str, &str) {
        (&self.path, self.position, self.rule.name(), &self.message)
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
    /// The root-relative paths of those documents, sorted (the JUnit report
    /// lists clean documents too).
    pub paths: Vec<String>,
    /// The findings, sorted by path, position and rule.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Apply severity overrides, drop rules that are off, and sort into the
    /// stable order every renderer prints.
    pub fn finish(
        documents: usize,
        mut diagnostics: Vec<Diagnostic>,
        overrides: &SeverityOverrides,
    ) -> Self {
        diagnostics.retain_mut(|d| match overrides.get(&d.rule) {
            Some(None) => false,
            Some(Some(severity)) => {
                d.severity = *severity;
                true
            }
            None => true,
        });
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics.dedup();
        Report {
            documents,
            paths: Vec::new(),
            diagnostics,
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

    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Whether the run fails: any error, or any warning when warnings are denied.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.errors() > 0 || (deny_warnings && self.warnings() > 0)
    }
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
}
