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

pub mod human;
pub mod json;

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
            diagnostics,
        }
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
