//! The catalogue of rules.
//!
//! Every finding pilotbook reports belongs to one rule with a stable
//! kebab-case name, a default severity and an explanation. The catalogue is
//! data: `[rules]` in `pilotbook.toml` changes severities by name, `check
//! --explain RULE` prints the explanation, and the CI formats (SARIF rule
//! descriptors) read the same table. Adding a rule means adding a row here and
//! the function that fires it; nothing else keeps a list of names.

use serde::Serialize;

/// How much a finding matters. `off` only exists in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails the run.
    Info,
    /// Reported, never fails the run unless `--deny-warnings`.
    Warning,
    /// Fails the run (exit 1).
    Error,
}

impl Severity {
    /// The lowercase name used in output and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One row of the catalogue.
#[derive(Debug)]
pub struct RuleInfo {
    /// The stable kebab-case name.
    pub name: &'static str,
    /// Severity when `[rules]` does not say otherwise.
    pub default_severity: Severity,
    /// One line: what the rule checks.
    pub summary: &'static str,
    /// Why the rule exists, in a short paragraph.
    pub why: &'static str,
    /// A passing example.
    pub example: &'static str,
}

macro_rules! rules {
    ($($ident:ident = $name:literal, $sev:ident, $summary:literal, $why:literal, $example:literal;)*) => {
        /// A rule, by identity. Its name and defaults live in [`RULES`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule { $(#[doc = $summary] $ident,)* }

        /// Every rule, in the order `--explain` lists them.
        pub const RULES: &[RuleInfo] = &[$(RuleInfo {
            name: $name,
            default_severity: Severity::$sev,
            summary: $summary,
            why: $why,
            example: $example,
        },)*];

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &[Rule] = &[$(Rule::$ident,)*];
        }
    };
}

rules! {
    FrontMatter = "front-matter", Error,
        "The front matter can be read: YAML between `---` lines or TOML between `+++` lines, a mapping, closed.",
        "A document whose front matter cannot be read has no owner, status or metrics that pilotbook can trust; every other check on it would be guesswork.",
        "---\ntitle: Support ticket triage agent\nstatus: pilot\n---\n";
    MissingField = "missing-field", Error,
        "Every required front-matter field is present and not empty (for pilots: title, status, owner, metrics, integrations, production_path, and started once past proposed; for systems: title and environment).",
        "A pilot without an owner, numeric metrics agreed up front, a real system to integrate with or a dated production path is the kind of pilot that never ships. The kind's `required_fields` lists what must be there.",
        "---\ntitle: Support ticket triage agent\nstatus: pilot\nowner: dana-kim\nstarted: 2026-06-01\nmetrics:\n  - metric: triage-accuracy\n    target: \">= 92%\"\nintegrations:\n  - system: zendesk\nproduction_path:\n  - milestone: General availability\n    due: 2026-09-01\n---\n";
    InvalidField = "invalid-field", Error,
        "Every field has the type its kind declares: enums, dates, numbers, references; metric targets are a comparator, a number and a unit, every actual and baseline is in the target's unit, and the metric's own `unit` and `direction` agree with the target; the owner is one person, not a team.",
        "A status nobody recognises, a date that does not exist, a target like `high`, an actual of `0.94` against `>= 92%` or `1.000,5 EUR` read one way by the author and another by pilotbook cannot be checked honestly; the finding names the field and the value to fix. Numbers are written with digits, an optional `.` and decimals; `,` may only group thousands in threes (`1,250.5`), and exponents (`1e3`) are refused.",
        "status: pilot            # proposed | pilot | go | no-go | production | retired\nowner: dana-kim          # one person id\nstarted: 2026-06-01\nmetrics:\n  - metric: p95-latency\n    target: \"<= 800 ms\"\n    actual: \"640 ms\"\n";
    PlaceholderValue = "placeholder-value", Error,
        "No front-matter value is a placeholder: `todo`, `tbd`, `TODO: …`, `<owner>`, `YYYY-MM-DD`, the `>= 0` target `pilotbook new` writes, or an id such as `todo`.",
        "`pilotbook new` writes placeholders so that a scaffolded document fails until someone fills it in; an owner called `todo` or a target of `>= 0` would otherwise pass as a real owner and a real target.",
        "owner: dana-kim\nmetrics:\n  - metric: triage-accuracy\n    target: \">= 92%\"\n";
    UnknownField = "unknown-field", Warning,
        "Every front-matter key is one the document's kind declares; a typo gets a \"did you mean\" suggestion (`extra_fields` per kind: allow, warn or error).",
        "A misspelt key (`depends-on:`, `integration:`) is silently ignored: the links and checks it was meant to create vanish while the document looks complete. Kinds whose documents carry free-form metadata set `extra_fields = \"allow\"`.",
        "depends_on:            # not depends-on\n  - pilot: intent-classifier\n";
    MissingSection = "missing-section", Error,
        "Every required section is present as an H2 heading and has content (empty, only a comment, TODO, TBD or N/A count as missing).",
        "The sections are the written production path: how the pilot is monitored, who reviews it, how it is rolled back. A heading with nothing under it is a promise, not a plan.",
        "## Rollback\n\nSwitch the `triage.enabled` flag off; tickets fall back to the manual queue within a minute.\n";
    MissingRecommendedSection = "missing-recommended-section", Warning,
        "Every recommended section (for pilots: Human review, Escalation, Expansion criteria) is present and has content.",
        "These sections are what reviewers ask about next; their absence is worth a look but should not block a merge.",
        "## Human review\n\nA support lead samples 50 triaged tickets a day and corrects the queue.\n";
    DuplicateSection = "duplicate-section", Warning,
        "No section is written twice (two H2 headings that are the same section, or a section and its alias).",
        "With two `## Rollback` sections a reader and pilotbook may each take a different one as the plan; the finding names the lines of both.",
        "## Rollback\n\nSwitch the flag off.\n\n## Escalation\n\nPage the on-call lead.\n";
    DuplicateId = "duplicate-id", Error,
        "No two documents of one kind share an id.",
        "Ids are how documents refer to each other and how pages are named; two documents with one id would make every reference to it ambiguous.",
        "pilots/ticket-triage.md      # id: ticket-triage\npilots/triage-v2.md          # id: triage-v2 (not ticket-triage)\n";
    ReservedId = "reserved-id", Error,
        "No document's id names a page pilotbook generates itself: `index` (every kind's index page).",
        "A document's page is named after its id (`pilots/<id>.html`); a pilot with `id: index` would overwrite the pilots index page and list it twice in the sitemap. The document's page is left out until its id changes.",
        "id: index-page          # not `index`\n";
    UndefinedReference = "undefined-reference", Warning,
        "Every owner, metric, system or pilot a document refers to has a document of its own.",
        "A reference without a document still gets a generated page, so a team can start with pilots only; the warning says which documents to add next.",
        "owner: dana-kim     # people/dana-kim.md exists\n";
    DependencyCycle = "dependency-cycle", Error,
        "Pilots do not depend on each other in a cycle.",
        "A cycle in `depends_on` means no pilot in it can ship first; the message lists the whole cycle so it can be cut.",
        "# pilots/a.md\ndepends_on:\n  - pilot: b\n# pilots/b.md: no depends_on back to a\n";
    MilestoneOrder = "milestone-order", Warning,
        "The milestones of a production path are in date order.",
        "A path whose dates go backwards is usually a copy-paste slip, and it makes the timeline unreadable.",
        "production_path:\n  - milestone: Shadow mode\n    due: 2026-07-01\n  - milestone: General availability\n    due: 2026-09-01\n";
    MilestoneOverdue = "milestone-overdue", Warning,
        "No milestone is past its due date without a `done` date (ignored for no-go and retired pilots).",
        "An overdue milestone that nobody updated hides a slip from the people reading the portfolio.",
        "  - milestone: Shadow mode on 5% of tickets\n    due: 2026-07-01\n    done: 2026-07-03\n";
    DecisionOverdue = "decision-overdue", Warning,
        "No pilot is still `proposed` or `pilot` after its planned `decision` date.",
        "A pilot whose go/no-go date passed without a decision is the start of pilot purgatory: it keeps costing and nobody has said whether it works. Decide, or move `decision` and say why in the document (git keeps the old date).",
        "status: go            # decided\ndecision: 2026-09-30\n";
    StatusStale = "status-stale", Warning,
        "No pilot has stayed in `proposed`, `pilot` or `go` longer than `[lifecycle.max_days]` allows for that status (defaults: proposed 90, pilot 120, go 90 days), counted from the commit that set the status (from git history).",
        "Most pilots that never reach production simply stay where they are. The time in a status comes from the document's history, so it cannot be reset by editing a date.",
        "[lifecycle.max_days]\npilot = 180          # this organisation runs longer pilots\n";
    PilotUntouched = "pilot-untouched", Info,
        "Every open pilot's document (status `proposed`, `pilot` or `go`) had a commit in the last `[lifecycle] untouched_days` days (default 90).",
        "A pilot document nobody has touched in months is either finished and not marked so, or forgotten; either way the portfolio no longer says what is happening.",
        "[lifecycle]\nuntouched_days = 60\n";
    DecisionWithoutActuals = "decision-without-actuals", Error,
        "A pilot with status go, no-go or production has an `actual` for every metric.",
        "A go/no-go decision is only as good as the measurements behind it; the actuals are the record of why it was taken.",
        "status: go\nmetrics:\n  - metric: triage-accuracy\n    target: \">= 92%\"\n    actual: \"94%\"\n";
    GoWithMissedTarget = "go-with-missed-target", Warning,
        "A pilot with status go meets every metric target it measured.",
        "Going ahead while a target agreed up front was missed may be right, but it should be a visible, explained choice.",
        "status: go\nmetrics:\n  - metric: p95-latency\n    target: \"<= 800 ms\"\n    actual: \"640 ms\"\n";
    SandboxIntegration = "sandbox-integration", Warning,
        "A pilot past `proposed` integrates with at least one real system, not only sandboxes and mocks (a warning while `pilot`, an error at `go` and `production`).",
        "Pilots proven only against sandboxes and mocks stall on the way to production: access, data quality, load and security reviews of the real system are where they fail. A system document says its `environment` (production, staging, sandbox, mock); an integration may name the environment it uses.",
        "# systems/zendesk.md\nenvironment: production\n# pilots/ticket-triage.md\nintegrations:\n  - system: zendesk\n    access: api\n";
    DependencyLate = "dependency-late", Warning,
        "A pilot is not planned to reach production (its last milestone) before a pilot it depends on.",
        "A plan that ships before its dependency is a plan that will slip; either the dependency or the date has to move.",
        "# pilots/a.md depends on pilot b; a's last milestone is due 2026-12-01\n# pilots/b.md: last milestone due 2026-10-01 (or status: production)\n";
    MetricAgreedLate = "metric-agreed-late", Warning,
        "Every metric target was first committed before the pilot started: the earliest `started` date any commit gave it (from git history).",
        "Targets written after a pilot started can be fitted to the results; agreeing them up front is what makes a go/no-go decision honest. The earliest committed `started` counts, so moving `started` later cannot hide a late target.",
        "# commit on 2026-05-20 adds the pilot with `target: \">= 92%\"`\nstarted: 2026-06-01\n";
    MetricTargetChanged = "metric-target-changed", Warning,
        "No metric target changed after the pilot started: the earliest `started` date any commit gave it (\"moved goalposts\"; from git history).",
        "A target that moves during the pilot hides whether the pilot met what was agreed; the finding names the old and new target, the commit that changed it (compared with its parent's version, so a merge is never blamed for a branch's change), its author and date.",
        "# the target stays `>= 92%` in every commit after `started`\n";
    StartedMoved = "started-moved", Warning,
        "A pilot's `started` date stays as first committed (from git history).",
        "The goalpost rules judge targets against `started`; moving it later would make a moved target look agreed in time. The goalposts stay locked at the earliest committed `started`, and each move is reported with the old and new date, the commit, its author and date.",
        "# every commit of the pilot says\nstarted: 2026-06-01\n";
    MilestoneSlipped = "milestone-slipped", Info,
        "Reports each milestone whose `due` date moved later, with how often, by how many days and in which commits (from git history).",
        "Slips are normal, but a milestone that keeps slipping is a signal a reader of the portfolio should see.",
        "# the `due` of every milestone never moves later\n";
    HistoryUnavailable = "history-unavailable", Warning,
        "The git history can be read: the root is in a repository with commits and full history (not a shallow clone).",
        "Without history there are no dates, authors or status timeline, and the moved-goalposts checks cannot run; in CI this is usually a shallow checkout.",
        "# GitHub Actions\n- uses: actions/checkout@v4\n  with:\n    fetch-depth: 0\n";
    UnreadableFile = "unreadable-file", Error,
        "Every document can be read: a regular file (not a FIFO, device or socket) of UTF-8 text (no UTF-16, no NUL bytes) no larger than `[limits] max_file_bytes` (8 MiB by default) or `max_html_bytes`, with at most `max_markdown_marks` lines and Markdown marks (1,000,000 by default).",
        "A document that cannot be read has no front matter or sections pilotbook could check; the finding names the file, and the line, column and byte offset where reading stopped, and the rest of the repository is still checked. The size is checked before reading, so a huge file or a device costs nothing; the marks are counted in one pass before parsing, since the parser's memory grows with them rather than with the size.",
        "# pilots/ticket-triage.md, saved as UTF-8 (with or without BOM), under 8 MiB\n";
    SymlinkSkipped = "symlink-skipped", Warning,
        "No document path, and no folder on the way to one, is a symbolic link that leaves the repository, leads into a `.git` folder, points nowhere, or loops.",
        "pilotbook publishes what it reads: following a link out of the repository, or into `.git/` (where CI keeps its token, in `.git/config`), could publish a file nobody reviewed. Such links, and dangling or looping ones, are skipped and named so they can be fixed. Links to files and folders inside the repository are followed: a folder link once, never round a loop.",
        "pilots/shared.md -> ../common/shared.md     # inside the repository: followed\npilots/team -> ../teams/payments/pilots     # a folder inside: walked\n";
    PathCaseCollision = "path-case-collision", Error,
        "No two document paths differ only by letter case (or by Unicode normalisation).",
        "macOS and Windows file systems are case-insensitive: a checkout of `Pilots/A.md` and `pilots/a.md` keeps only one of them, and their pages would overwrite each other.",
        "pilots/ticket-triage.md\npilots/ticket-triage-v2.md     # not pilots/Ticket-Triage.md\n";
    NoDocuments = "no-documents", Warning,
        "The pilot kind, and every custom kind, matches at least one document; the finding names the globs that match nothing.",
        "A check that reads no document passes by checking nothing: a glob with a typo, or pilotbook run from the wrong folder, would turn the gate green.",
        "[kinds.pilot]\npath = \"pilots/**/*.md\"     # pilots/ticket-triage.md exists\n";
    RawHtmlRemoved = "raw-html-removed", Warning,
        "Raw HTML in a document body is published as written: the sanitiser removed nothing (no scripts, event handlers, `javascript:`/`data:` URLs, iframes, forms or styles).",
        "The site is published from documents anyone in the organisation can write; active content is removed before publishing, and this warning says where, so the author sees the page differs from the source. `[site] allow_raw_html = true` publishes raw HTML unfiltered, for repositories whose every author is trusted, and silences it.",
        "<details><summary>Benchmark details</summary>\n\np95 over 10,000 tickets.\n\n</details>\n";
    StaleAcceptance = "stale-acceptance", Warning,
        "Every acceptance still answers a finding: an `accept` entry in a document's front matter, or an entry of the baseline file.",
        "An acceptance that matches nothing is left over from a finding that was fixed or changed; keeping it would silently accept the next finding that happens to match. Remove the entry, or write the baseline again with `pilotbook check --write-baseline FILE`.",
        "pilotbook:\n  accept:\n    - rule: metric-target-changed\n      commit: f5f371c          # the commit the finding names\n      reason: \"re-agreed with finance on 2026-07-14, PR #42\"\n";
    BrokenLink = "broken-link", Warning,
        "Every relative link and image in a document body leads somewhere: to a document (its heading, when the link names one) or to a file of the repository.",
        "Pilot documents link to each other, to their diagrams and to headings; a link that leads nowhere on the forge leads nowhere on the site either, usually after a rename. Links with a scheme (`https:`), and paths that climb out of the pilotbook root, are not checked.",
        "# pilots/ticket-triage.md links to ./invoice-matching.md#rollback, which has a `## Rollback` heading,\n# and shows img/flow.png, which is committed beside it\n";
    PageTooLarge = "page-too-large", Error,
        "A document's body renders to no more HTML than `[limits] max_html_bytes` (32 MiB by default), and no block with raw HTML to more than 1 MiB; reported by `build` and `serve`, which publish a note in its place.",
        "Markdown grows as it renders (three bytes of table cell are a dozen of HTML) and a block of raw HTML is sanitised whole. The HTML is capped as it is written, and so is a block of raw HTML (1 MiB), so one document cannot cost a build its memory; the rest of the site is still published.",
        "# pilots/ticket-triage.md: a few pages of text, far under 32 MiB of HTML\n";
}

impl RuleInfo {
    /// What `check --explain RULE` prints: the summary, why, an example
    /// that passes and how to change the severity (the language server's
    /// hover shows the same text).
    pub fn explanation(&self) -> String {
        let mut out = format!(
            "{} (default: {})\n\n{}\n\nWhy: {}\n\nExample that passes:\n\n",
            self.name,
            self.default_severity.as_str(),
            self.summary,
            self.why
        );
        for line in self.example.lines() {
            out.push_str(&format!("    {line}\n"));
        }
        out.push_str(&format!(
            "\nChange its severity in pilotbook.toml:\n\n    [rules]\n    {} = \"error\"   # error | warning | off\n",
            self.name
        ));
        out
    }
}

impl Rule {
    /// The rule's catalogue row.
    pub fn info(self) -> &'static RuleInfo {
        // `Rule::ALL` and `RULES` are generated from one list, index for index.
        &RULES[self as usize]
    }

    /// The stable kebab-case name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Look a rule up by its name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_consistent() {
        assert_eq!(Rule::ALL.len(), RULES.len());
        for rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.name()), Some(*rule));
            let name = rule.name();
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
        }
    }
}
