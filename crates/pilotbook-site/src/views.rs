//! View structs: what templates see.
//!
//! Templates never receive the model's own types. Each page gets a plain,
//! serialisable view made for it here — titles, hrefs relative to the page,
//! dates as text, states as words — so the model can change without
//! breaking anyone's overridden templates, and so no template has to know
//! how a reference is resolved.

use pilotbook_core::config::{Builtin, Config};
use pilotbook_core::derive::{
    Derived, LifecycleFacts, Overview, PilotFacts, PilotRecord, Readiness,
};
use pilotbook_core::diagnostics::{Diagnostic, Report};
use pilotbook_core::history::{DocumentHistory, History};
use pilotbook_core::model::{Date, Entity, Portfolio, Relation};
use pilotbook_core::parse::html;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Shared by every page.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    /// `[site] title`.
    pub title: String,
    /// The relative path from the page to the site root (`""` or `"../"`).
    pub root: String,
    /// The forge URL, if configured.
    pub repository: Option<String>,
    /// Navigation: one entry per kind index.
    pub kinds: Vec<NavKind>,
    /// Whether there is a pilot document: a site of other kinds only has
    /// no portfolio, timeline, graph or owners in its navigation.
    pub pilots: bool,
    /// The date the site was built for (`YYYY-MM-DD`).
    pub today: String,
    /// pilotbook's version.
    pub version: &'static str,
}

/// A kind in the navigation.
#[derive(Debug, Clone, Serialize)]
pub struct NavKind {
    /// The kind's name (`pilot`, `decision`).
    pub name: String,
    /// Its label in the navigation (`Pilots`, `People`, `Decision`).
    pub label: String,
    /// Its index page, relative to the site root.
    pub href: String,
    /// How many entities it has (documents and generated ones).
    pub entities: usize,
}

/// What a page is.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    /// The page title.
    pub title: String,
    /// The page's path in the site.
    pub path: String,
    /// Which kind of page (`portfolio`, `pilot`, `entity`, `index`, …).
    pub kind: &'static str,
    /// The canonical URL, when `--base-url` is given.
    pub canonical: Option<String>,
}

/// A link to an entity.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Display title.
    pub title: String,
    /// The id.
    pub id: String,
    /// The kind's name.
    pub kind: String,
    /// Relative to the site root; templates prefix `site.root`.
    pub href: String,
    /// Whether the entity has a document of its own.
    pub defined: bool,
    /// The pilot's status, for pilots.
    pub status: Option<String>,
}

/// A finding, as shown on a page.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// The rule's name.
    pub rule: &'static str,
    /// The line in the document.
    pub line: u32,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
    /// Why the finding was accepted, when it was (it no longer counts).
    pub accepted: Option<String>,
}

/// Counts of findings.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct FindingCounts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

/// A milestone as the portfolio and the pilot page show it.
#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    /// What is reached.
    pub name: String,
    /// When it is due.
    pub due: Option<String>,
    /// When it was done.
    pub done: Option<String>,
    /// `done`, `overdue` or `planned`.
    pub state: &'static str,
    /// Each time its due date moved later.
    pub slips: Vec<SlipView>,
}

/// One slip of a milestone.
#[derive(Debug, Clone, Serialize)]
pub struct SlipView {
    /// The due date before.
    pub from: String,
    /// The due date after.
    pub to: String,
    /// Days later.
    pub days: i64,
    /// The commit, abbreviated.
    pub commit: String,
    /// A link to the commit on the forge.
    pub commit_url: Option<String>,
    /// Who moved it.
    pub author: String,
    /// When.
    pub date: String,
}

/// One row of the portfolio.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioRow {
    /// The pilot.
    pub pilot: Link,
    /// Its owner.
    pub owner: Option<Link>,
    /// Its team.
    pub team: Option<String>,
    /// Required fields filled in and required sections written.
    pub ready: usize,
    /// Required fields and sections in all.
    pub required: usize,
    /// Metrics whose actual meets the target.
    pub met: usize,
    /// Metrics with an actual.
    pub measured: usize,
    /// Metrics in all.
    pub metrics: usize,
    /// The first milestone not done.
    pub next: Option<MilestoneView>,
    /// Last commit date, `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// `committed`, `modified`, `uncommitted`, or `unavailable` when the
    /// repository's history could not be read.
    pub history: &'static str,
    /// Open findings.
    pub findings: FindingCounts,
    /// Days in the current status (from history).
    pub days_in_status: Option<i64>,
    /// Why the pilot is stuck, if it is: one short reason per way.
    pub stuck: Vec<String>,
    /// The `[[sources]]` entry its document comes from; `None` for this
    /// repository's own.
    pub source: Option<String>,
}

/// A `[[sources]]` entry on the portfolio page: where its documents come
/// from and how its documents fare in `check`.
#[derive(Debug, Serialize)]
pub struct SourceView {
    /// Its name.
    pub name: String,
    /// `checkout` or `export`.
    pub kind: pilotbook_core::history::SourceKind,
    /// Its forge.
    pub repository: Option<String>,
    /// The commit its history ends at, abbreviated, and its forge link.
    pub head: Option<String>,
    /// The head commit on the forge.
    pub head_url: Option<String>,
    /// Why its history is unavailable.
    pub unavailable: Option<String>,
    /// Its documents.
    pub documents: usize,
    /// Open errors and warnings in its documents.
    pub findings: FindingCounts,
}

/// The top of the portfolio: the [`Overview`] numbers and the stuck
/// pilots with their reasons.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewView {
    /// Counts now, the funnel, time to decision, decided that met targets.
    #[serde(flatten)]
    pub numbers: Overview,
    /// Of the decided pilots, the share that met every target, in percent.
    pub met_share: Option<u32>,
    /// Every stuck pilot with its reasons, in the portfolio's order.
    pub stuck_pilots: Vec<StuckPilot>,
}

/// The pilots of one owner or one team, summed up.
#[derive(Debug, Clone, Serialize)]
pub struct RollupRow {
    /// The owner (a link), or the team's name.
    pub owner: Option<Link>,
    /// The team's name, for a team row.
    pub team: Option<String>,
    /// How many pilots.
    pub pilots: usize,
    /// The same numbers as the portfolio's overview, for these pilots.
    pub overview: Overview,
}

/// The owners' and the teams' rollup page.
#[derive(Debug, Clone, Serialize)]
pub struct RollupView {
    /// One row per owner, by name.
    pub owners: Vec<RollupRow>,
    /// One row per team, by name.
    pub teams: Vec<RollupRow>,
}

/// A stuck pilot and why.
#[derive(Debug, Clone, Serialize)]
pub struct StuckPilot {
    /// The pilot.
    pub pilot: Link,
    /// Its status now.
    pub status: Option<String>,
    /// One short reason per way it is stuck.
    pub reasons: Vec<String>,
}

/// Why a pilot in `status` is stuck, in words, one per way (empty when it
/// is not): the lifecycle facts as a reader of the portfolio reads them.
pub fn stuck_reasons(facts: &LifecycleFacts, status: &str) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(days) = facts.decision_overdue_days {
        reasons.push(format!("decision overdue by {days} days"));
    }
    if let Some((days, max)) = facts.stale {
        reasons.push(format!("{days} days in {status} (limit {max})"));
    }
    if let Some(days) = facts.untouched_days {
        reasons.push(format!("untouched for {days} days"));
    }
    reasons
}

/// One metric of a pilot.
#[derive(Debug, Clone, Serialize)]
pub struct MetricRow {
    /// The metric.
    pub metric: Link,
    /// The target as written.
    pub target: Option<String>,
    /// The baseline as written.
    pub baseline: Option<String>,
    /// The actual as written.
    pub actual: Option<String>,
    /// `met`, `missed` or `not-measured`.
    pub state: &'static str,
}

/// One integration of a pilot.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrationRow {
    /// The system.
    pub system: Link,
    /// How it is accessed.
    pub access: Option<String>,
    /// How the pilot authenticates.
    pub auth: Option<String>,
    /// The environment the pilot uses (`production`, `staging`, `sandbox`,
    /// `mock`), as the entry or the system's document says.
    pub environment: Option<String>,
}

/// One commit in a history list.
#[derive(Debug, Clone, Serialize)]
pub struct CommitView {
    /// Abbreviated id.
    pub id: String,
    /// Link to the commit on the forge.
    pub url: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Author name.
    pub author: String,
    /// First line of the message.
    pub summary: String,
}

/// An author and their number of commits.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorView {
    /// Name.
    pub name: String,
    /// Commits to the document.
    pub commits: usize,
}

/// A status change.
#[derive(Debug, Clone, Serialize)]
pub struct StatusChangeView {
    /// Before (`None` at creation).
    pub from: Option<String>,
    /// After.
    pub to: String,
    /// `YYYY-MM-DD`: when the commit that made the change was written.
    pub date: String,
    /// Who made the change.
    pub author: String,
    /// `YYYY-MM-DD` when the change reached the main line, if that was
    /// another commit (a merge).
    pub merged: Option<String>,
}

/// A target change.
#[derive(Debug, Clone, Serialize)]
pub struct TargetChangeView {
    /// The metric id.
    pub metric: String,
    /// Before.
    pub from: Option<String>,
    /// After.
    pub to: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Who.
    pub author: String,
    /// Abbreviated commit.
    pub commit: String,
    /// Link to the commit.
    pub commit_url: Option<String>,
}

/// A document's history as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryView {
    /// Whether history could be read at all.
    pub available: bool,
    /// `committed`, `modified` or `uncommitted`.
    pub state: &'static str,
    /// First commit date.
    pub created: Option<String>,
    /// Last commit date.
    pub updated: Option<String>,
    /// Authors, most commits first.
    pub authors: Vec<AuthorView>,
    /// Commits, newest first.
    pub commits: Vec<CommitView>,
    /// Status changes, oldest first.
    pub status_changes: Vec<StatusChangeView>,
    /// Target changes, oldest first.
    pub target_changes: Vec<TargetChangeView>,
    /// Earlier paths.
    pub renamed_from: Vec<String>,
}

/// The pilot page.
#[derive(Debug, Clone, Serialize)]
pub struct PilotView<'a> {
    /// The pilot's record, exactly as `pilotbook export` writes it (typed
    /// fields, metric verdicts): a field added to the record is on the
    /// page as `pilot.record.<field>` with no change here.
    pub record: PilotRecord<'a>,
    /// The pilot itself.
    pub link: Link,
    /// Its owner.
    pub owner: Option<Link>,
    /// Its team.
    pub team: Option<String>,
    /// `started`.
    pub started: Option<String>,
    /// `decision`.
    pub decision: Option<String>,
    /// Metrics against target.
    pub metrics: Vec<MetricRow>,
    /// Integrations.
    pub integrations: Vec<IntegrationRow>,
    /// What it depends on.
    pub depends_on: Vec<Link>,
    /// What depends on it.
    pub dependents: Vec<Link>,
    /// The production path.
    pub milestones: Vec<MilestoneView>,
    /// Required and recommended sections: name, required, present.
    pub sections: Vec<SectionState>,
    /// The rendered body.
    pub body_html: String,
    /// Git history.
    pub history: HistoryView,
    /// Findings of `check` for this document.
    pub findings: Vec<FindingView>,
    /// The document's path in the repository.
    pub path: String,
    /// A link to the source on the forge.
    pub source_url: Option<String>,
    /// Every other front-matter field, as text.
    pub fields: Vec<FieldView>,
}

/// Whether a section the kind asks for is there.
#[derive(Debug, Clone, Serialize)]
pub struct SectionState {
    /// The section's name.
    pub name: String,
    /// Required (else recommended).
    pub required: bool,
    /// Present with content.
    pub present: bool,
}

/// A front-matter field shown as text.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    /// Field name.
    pub name: String,
    /// Value as text.
    pub value: String,
    /// Links, for reference fields.
    pub links: Vec<Link>,
}

/// The page of a person, metric, system or custom-kind document.
#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    /// The entity.
    pub link: Link,
    /// The kind's label.
    pub kind_label: String,
    /// The kind's index page, relative to the site root.
    pub kind_index: String,
    /// Front-matter fields.
    pub fields: Vec<FieldView>,
    /// The rendered body (empty for generated entities).
    pub body_html: String,
    /// Who refers to it, grouped by relation.
    pub referenced_by: Vec<BacklinkGroup>,
    /// Who depends on or integrates with it.
    pub dependents: Vec<Link>,
    /// History.
    pub history: HistoryView,
    /// Findings for this document.
    pub findings: Vec<FindingView>,
    /// Path in the repository.
    pub path: Option<String>,
    /// A link to the source on the forge.
    pub source_url: Option<String>,
    /// For a metric: every pilot that measures it, with its numbers.
    pub metric_uses: Vec<MetricUseView>,
}

/// A pilot's use of a metric, on the metric's page.
#[derive(Debug, Clone, Serialize)]
pub struct MetricUseView {
    /// The pilot.
    pub pilot: Link,
    /// The target as written.
    pub target: Option<String>,
    /// The baseline as written.
    pub baseline: Option<String>,
    /// The actual as written.
    pub actual: Option<String>,
    /// `met`, `missed` or `not-measured`.
    pub state: &'static str,
    /// Each change of this target, from history.
    pub target_changes: Vec<TargetChangeView>,
    /// The actuals over time as a small SVG chart, when the pilot's
    /// history gave `actual` at least two numeric values.
    pub actuals_chart: Option<String>,
}

/// Backlinks under one relation ("owner", "metrics", …).
#[derive(Debug, Clone, Serialize)]
pub struct BacklinkGroup {
    /// The relation, as a label (`Owner of`, `Measured by`…).
    pub label: String,
    /// The referring entities.
    pub links: Vec<Link>,
}

/// One row of a kind's index page.
#[derive(Debug, Clone, Serialize)]
pub struct KindRow {
    /// The entity.
    pub link: Link,
    /// How many documents refer to it.
    pub references: usize,
    /// Its `status` field, for any kind that has one.
    pub status: Option<String>,
    /// Its date: the first `date` field of its kind that it sets, as
    /// `YYYY-MM-DD` (read with the kind's `date_formats`).
    pub date: Option<String>,
}

/// Everything the view builders need.
pub struct Inputs<'a> {
    /// The config.
    pub config: &'a Config,
    /// The model.
    pub portfolio: &'a Portfolio,
    /// The history.
    pub history: &'a History,
    /// The findings.
    pub report: &'a Report,
    /// The date milestones are judged against.
    pub today: Date,
    findings: HashMap<&'a str, Vec<&'a Diagnostic>>,
    /// The derived model: each pilot's facts, as `check` judged them.
    derived: &'a Derived<'a>,
    /// Findings of the render itself (`page-too-large`), from any thread.
    pub refused: std::sync::Mutex<Vec<Diagnostic>>,
    /// Held while a large body renders: their parse trees are tens of
    /// times their size, so two at once would double the peak.
    large: std::sync::Mutex<()>,
    /// Each document's entity index by path, for links between documents.
    by_path: HashMap<&'a str, usize>,
    /// Reads the files documents link to; `None` leaves such links alone.
    pub files: Option<crate::FileReader>,
    /// The files linked so far, by repository path: their bytes, or `None`
    /// when they could not be read (the link then stays as written).
    linked: std::sync::Mutex<BTreeMap<String, Option<std::sync::Arc<[u8]>>>>,
}

/// The files a document may link to or show that the site carries: images
/// and PDFs. Not SVG: opened on its own, an SVG runs its scripts with the
/// site's origin, and a document is not trusted to publish script.
const CARRIED: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif", "pdf"];

/// Whether `path` names a picture (by its extension).
fn is_image(path: &str) -> bool {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    extension.is_some_and(|e| {
        matches!(
            e.as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg"
        )
    })
}

/// Where the site carries the repository file at `path`.
pub(crate) fn carried_path(path: &str) -> String {
    format!("files/{path}")
}

/// A body this large renders while no other large one does.
const LARGE_BODY: usize = 1 << 20;

impl<'a> Inputs<'a> {
    /// Gather the inputs and index the findings by path.
    pub fn new(derived: &'a Derived<'a>, report: &'a Report) -> Self {
        let portfolio = derived.portfolio();
        let mut findings: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
        for d in &report.diagnostics {
            findings.entry(d.path.as_str()).or_default().push(d);
        }
        Inputs {
            config: derived.config(),
            portfolio,
            history: derived.history(),
            report,
            today: derived.today(),
            derived,
            findings,
            refused: std::sync::Mutex::new(Vec::new()),
            large: std::sync::Mutex::new(()),
            by_path: portfolio
                .entities
                .iter()
                .enumerate()
                .filter_map(|(i, e)| Some((e.document.as_ref()?.path.as_str(), i)))
                .collect(),
            files: None,
            linked: std::sync::Mutex::new(BTreeMap::new()),
        }
    }

    /// Whether the site carries the repository file at `path`, reading it
    /// the first time a page links to it. Hidden files and folders (`.git`,
    /// `.env`) are never carried, whatever a document links to.
    fn carry(&self, path: &str) -> bool {
        self.carried(path).is_some()
    }

    /// The bytes of the repository file at `path` when the site carries it
    /// (see [`Inputs::carry`]).
    fn carried(&self, path: &str) -> Option<std::sync::Arc<[u8]>> {
        let read = self.files.as_ref()?;
        let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let hidden = path.split('/').any(|part| part.starts_with('.'));
        if hidden || !extension.is_some_and(|e| CARRIED.contains(&e.as_str())) {
            return None;
        }
        let mut linked = self.linked.lock().ok()?;
        linked
            .entry(path.to_string())
            .or_insert_with(|| (read.0)(path).map(std::sync::Arc::from))
            .clone()
    }

    /// Hash what the relative links of `body` (the document at `from`)
    /// lead to: another document's page, by its path; a file the site
    /// carries (its copy's path, whatever its bytes); anything else, which
    /// goes to the forge, by the built commit.
    pub(crate) fn hash_link_targets(&self, from: &str, body: &str, h: &mut crate::reuse::Hashing) {
        use pilotbook_core::doclinks;
        for link in pilotbook_core::parse::links::links(body) {
            let Some(resolved) = doclinks::resolve(from, &link.url) else {
                continue;
            };
            h.part(resolved.path.as_bytes());
            // A document's page, wherever it is now.
            if let Some(i) = doclinks::document(&resolved.path, |p| self.by_path.get(p).copied()) {
                h.part(self.href(&self.portfolio.entities[i]).as_bytes());
                continue;
            }
            // A carried file is read (and so carried) now, whether the page
            // is rendered or kept; the page names its copy, not its bytes.
            match self.carried(&resolved.path) {
                Some(_) => h.part(b"carried"),
                None => h.debug(&self.history.head),
            }
        }
    }

    /// The files pages linked to, by repository path, with their bytes
    /// (`None` when there is no such file, or it may not be carried).
    pub fn linked_files(&self) -> BTreeMap<String, Option<std::sync::Arc<[u8]>>> {
        match self.linked.lock() {
            Ok(mut linked) => std::mem::take(&mut *linked),
            Err(_) => BTreeMap::new(),
        }
    }

    /// Where a link written in the document at `from` (whose page is
    /// `page`) leads on the site: another document's page, relative to this
    /// one, with the heading anchor lowercased as GitHub's anchors are, or
    /// the site's copy of a linked image or PDF; `None` for anything else,
    /// which stays as written.
    fn link_on_site(&self, from: &str, page: &str, url: &str) -> Option<String> {
        use pilotbook_core::doclinks;
        // `#Summary` reaches `summary` on the forge: ids are lowercase here.
        if let Some(fragment) = url.strip_prefix('#') {
            return fragment
                .chars()
                .any(char::is_uppercase)
                .then(|| format!("#{}", fragment.to_lowercase()));
        }
        let resolved = doclinks::resolve(from, url)?;
        let target = match doclinks::document(&resolved.path, |p| self.by_path.get(p).copied()) {
            Some(index) => self.href(&self.portfolio.entities[index]),
            None if self.carry(&resolved.path) => carried_path(&resolved.path),
            // Source files and folders are not published: the forge shows
            // them, at the commit the site is built from.
            None => {
                let rev = self.head_of(&resolved.path);
                // An `<img>` needs the bytes, not the forge's page of them.
                let view = if is_image(&resolved.path) {
                    "raw"
                } else {
                    "blob"
                };
                let href = self.forge_url(view, rev, &resolved.path)?;
                return Some(match resolved.fragment {
                    Some(fragment) => format!("{href}#{fragment}"),
                    None => href,
                });
            }
        };
        let href = doclinks::relative(page, &target);
        Some(match resolved.fragment.filter(|f| !f.is_empty()) {
            Some(fragment) => format!("{href}#{}", fragment.to_lowercase()),
            None => href,
        })
    }

    /// A document's body as HTML, or, when its HTML would pass
    /// `[limits] max_html_bytes`, a note saying so (and a `page-too-large`
    /// finding for the build to report).
    pub fn body_html(&self, e: &Entity) -> String {
        let Some(doc) = e.document.as_ref() else {
            return String::new();
        };
        let title = e.title.as_str();
        let page = self.href(e);
        let rewrite = |url: &str| self.link_on_site(&doc.path, &page, url);
        let body = doc.parsed.body();
        let limit = self.config.limits.max_html_bytes;
        // One large body at a time; a poisoned lock only means another
        // render panicked, which is reported on its own.
        let _turn = (body.len() >= LARGE_BODY).then(|| self.large.lock());
        let trusted = self.config.site.allow_raw_html;
        match html::render_linked(body, title, trusted, limit, &rewrite) {
            Ok((html, _)) => html,
            Err(too_large) => {
                let (what, limit) = match too_large {
                    html::TooLarge::Html(limit) => ("renders to more than", limit),
                    html::TooLarge::RawBlock(limit) => {
                        ("has a block with raw HTML of more than", limit)
                    }
                };
                let message = format!(
                    "the body of `{}` {what} {limit} bytes of HTML, so it is not published",
                    doc.path
                );
                let finding = Diagnostic::new(
                    pilotbook_core::rules::Rule::PageTooLarge,
                    doc.path.as_str(),
                    pilotbook_core::source::Position::START,
                    message,
                )
                .help("split the document, or raise `[limits] max_html_bytes` in pilotbook.toml");
                if let Ok(mut refused) = self.refused.lock() {
                    refused.push(finding);
                }
                format!(
                    "<p class=\"too-large\">This document is not published here: it {what} {limit} bytes of HTML (<code>pilotbook build</code> reports it as <code>page-too-large</code>).</p>"
                )
            }
        }
    }

    /// The derived facts and readiness of the pilot at entity index
    /// `index` (`None` for any other entity).
    pub fn facts(&self, index: usize) -> Option<(&'a PilotFacts<'a>, &'a Readiness)> {
        Some((self.derived.pilot(index)?, self.derived.readiness(index)?))
    }

    /// The folder of a kind's pages: its plural (`pilots`, `people`, `decision`).
    pub fn kind_dir(&self, kind: usize) -> &'a str {
        self.config.kinds[kind].plural()
    }

    /// The page of an entity, relative to the site root.
    pub fn href(&self, e: &Entity) -> String {
        pilotbook_core::pages::page_path(self.config, e)
    }

    /// A link to the entity at `index`.
    pub fn link(&self, index: usize) -> Link {
        self.link_to(&self.portfolio.entities[index])
    }

    /// A link to an entity.
    pub fn link_to(&self, e: &Entity) -> Link {
        Link {
            title: e.title.clone(),
            id: e.id.clone(),
            kind: self.config.kinds[e.kind].name.clone(),
            href: self.href(e),
            defined: e.defined(),
            status: e.pilot.as_ref().and_then(|p| p.status.clone()),
        }
    }

    fn link_ref(&self, r: &pilotbook_core::model::EntityRef) -> Option<Link> {
        self.portfolio.position(r).map(|i| self.link(i))
    }

    fn doc_history(&self, e: &Entity) -> Option<&'a DocumentHistory> {
        let doc = e.document.as_ref()?;
        self.history.documents.get(&doc.path)
    }

    /// Whether an entity's history is known: its document's state, or
    /// `unavailable` when the repository's history could not be read.
    fn history_state(&self, e: &Entity) -> &'static str {
        match self.doc_history(e) {
            Some(h) => h.state.as_str(),
            None if self.history.unavailable.is_some() => "unavailable",
            None => "uncommitted",
        }
    }

    /// A commit of the document at `path`, on its repository's forge.
    fn commit_url(&self, path: &str, id: &str) -> Option<String> {
        let (repo, _) = self.forge(path)?;
        Some(format!("{}/commit/{id}", repo.trim_end_matches('/')))
    }

    /// A permalink to the document as last committed (stable across
    /// unrelated commits), or to its repository's head when it has no
    /// history.
    fn source_url(&self, path: &str) -> Option<String> {
        let rev = self
            .history
            .documents
            .get(path)
            .and_then(|h| h.commits.first())
            .map_or_else(|| self.head_of(path), |c| c.id.as_str());
        self.forge_url("blob", rev, path)
    }

    /// The commit the history of `path`'s repository ends at (`HEAD` when
    /// unknown): this repository's, or its source's.
    fn head_of(&self, path: &str) -> &str {
        let head = match self.config.source_of(path) {
            Some((source, _)) => (self.history.sources.iter())
                .find(|s| s.name == source.name)
                .and_then(|s| s.head.as_deref()),
            None => self.history.head.as_deref(),
        };
        head.unwrap_or("HEAD")
    }

    /// The forge `path` lives on (`[site] repository`, or its source's
    /// `repository`) and its path in that repository.
    fn forge<'p>(&self, path: &'p str) -> Option<(&str, std::borrow::Cow<'p, str>)> {
        if let Some((source, repo_path)) = self.config.source_of(path) {
            return Some((source.repository.as_deref()?, repo_path.into()));
        }
        let repo = self.config.site.repository.as_deref()?;
        let prefix = &self.history.root_prefix;
        let full = match (prefix.is_empty(), path.is_empty()) {
            (true, _) => path.into(),
            (false, true) => prefix.clone().into(),
            (false, false) => format!("{prefix}/{path}").into(),
        };
        Some((repo, full))
    }

    /// A file (root-relative, or qualified by its source) on the forge at
    /// `rev`, as its `view` (`blob` or `raw`), when a repository URL names
    /// the forge. (A folder too: forges redirect `blob/` to `tree/`.)
    fn forge_url(&self, view: &str, rev: &str, path: &str) -> Option<String> {
        let (repo, full) = self.forge(path)?;
        Some(format!(
            "{}/{view}/{rev}/{}",
            repo.trim_end_matches('/'),
            percent_encode_path(&full)
        ))
    }

    /// The findings of a document.
    pub fn findings(&self, path: &str) -> Vec<FindingView> {
        self.findings
            .get(path)
            .into_iter()
            .flatten()
            .map(|d| FindingView {
                severity: d.severity.as_str(),
                rule: d.rule.name(),
                line: d.position.line,
                message: d.message.clone(),
                help: d.help.clone(),
                accepted: d.accepted.as_ref().map(|a| a.reason.clone()),
            })
            .collect()
    }

    /// Error and warning counts of a document.
    pub fn counts(&self, path: &str) -> FindingCounts {
        let mut c = FindingCounts::default();
        for d in self
            .findings
            .get(path)
            .into_iter()
            .flatten()
            .filter(|d| d.is_open())
        {
            match d.severity {
                pilotbook_core::rules::Severity::Error => c.errors += 1,
                pilotbook_core::rules::Severity::Warning => c.warnings += 1,
                pilotbook_core::rules::Severity::Info => {}
            }
        }
        c
    }

    /// The history of an entity as a page shows it.
    pub fn history_view(&self, e: &Entity) -> HistoryView {
        let Some(h) = self.doc_history(e) else {
            return HistoryView {
                available: false,
                state: self.history_state(e),
                created: None,
                updated: None,
                authors: Vec::new(),
                commits: Vec::new(),
                status_changes: Vec::new(),
                target_changes: Vec::new(),
                renamed_from: Vec::new(),
            };
        };
        let path = e.document.as_ref().map_or("", |d| d.path.as_str());
        HistoryView {
            available: true,
            state: h.state.as_str(),
            created: h.created().map(|t| t.date().to_string()),
            updated: h.updated().map(|t| t.date().to_string()),
            authors: h
                .authors
                .iter()
                .map(|a| AuthorView {
                    name: a.name.to_string(),
                    commits: a.commits,
                })
                .collect(),
            commits: h
                .commits
                .iter()
                .map(|c| CommitView {
                    id: c.short_id().to_string(),
                    url: self.commit_url(path, &c.id),
                    date: c.date.date().to_string(),
                    author: c.author.to_string(),
                    summary: c.summary.clone(),
                })
                .collect(),
            status_changes: h
                .status_changes
                .iter()
                .map(|s| StatusChangeView {
                    from: s.from.clone(),
                    to: s.to.clone(),
                    date: s.date().date().to_string(),
                    author: s.commit.author.to_string(),
                    merged: (s.reached_main.id != s.commit.id)
                        .then(|| s.reached_main.date.date().to_string()),
                })
                .collect(),
            target_changes: h
                .target_changes
                .iter()
                .map(|t| self.target_change(path, t))
                .collect(),
            renamed_from: h.renamed_from.clone(),
        }
    }

    /// One target change as pages show it.
    fn target_change(
        &self,
        path: &str,
        t: &pilotbook_core::history::TargetChange,
    ) -> TargetChangeView {
        TargetChangeView {
            metric: t.metric.clone(),
            from: t.from.clone(),
            to: t.to.clone(),
            date: t.commit.date.date().to_string(),
            author: t.commit.author.to_string(),
            commit: t.commit.short_id().to_string(),
            commit_url: self.commit_url(path, &t.commit.id),
        }
    }

    /// Every pilot that measures the metric at entity `index`, with its
    /// target, baseline, actual and verdict (the derived record's) and the
    /// history of that target.
    fn metric_uses(&self, index: usize) -> Vec<MetricUseView> {
        let metric = &self.portfolio.entities[index];
        let mut uses = Vec::new();
        for b in metric
            .referenced_by
            .iter()
            .filter(|b| b.relation == Relation::Metric)
        {
            let pilot = &self.portfolio.entities[b.source];
            let Some((facts, _)) = self.facts(b.source) else {
                continue;
            };
            let changes: Vec<TargetChangeView> = self
                .doc_history(pilot)
                .into_iter()
                .flat_map(|h| &h.target_changes)
                .filter(|t| t.metric == metric.id)
                .map(|t| self.target_change(pilot.document.as_ref().map_or("", |d| &d.path), t))
                .collect();
            let actuals = self.actuals_over_time(pilot, &metric.id);
            for m in facts
                .record
                .metrics
                .iter()
                .filter(|m| m.metric == metric.id)
            {
                let target = m
                    .target
                    .and_then(|t| pilotbook_core::parse::quantity::parse_target(t).ok())
                    .map(|t| t.quantity.value);
                uses.push(MetricUseView {
                    pilot: self.link_to(pilot),
                    target: m.target.map(str::to_string),
                    baseline: m.baseline.map(str::to_string),
                    actual: m.actual.map(str::to_string),
                    state: met_state(m.met),
                    target_changes: changes.clone(),
                    actuals_chart: crate::sparkline::render(&actuals, target),
                });
            }
        }
        uses.dedup_by(|a, b| a.pilot.href == b.pilot.href && a.target == b.target);
        uses
    }

    /// The numeric values `actual` had for `metric` in the pilot's
    /// history, oldest first, each at its commit's date.
    fn actuals_over_time(&self, pilot: &Entity, metric: &str) -> Vec<crate::sparkline::Point> {
        self.doc_history(pilot)
            .into_iter()
            .flat_map(|h| &h.actual_changes)
            .filter(|c| c.metric == metric)
            .filter_map(|c| {
                let text = c.to.as_deref()?;
                let quantity = pilotbook_core::parse::quantity::parse_quantity(text).ok()?;
                Some(crate::sparkline::Point {
                    date: c.commit.date.date(),
                    value: quantity.value,
                    text: text.to_string(),
                })
            })
            .collect()
    }

    /// The production path with its derived states and slips.
    pub fn milestones(&self, path: &str, facts: &PilotFacts) -> Vec<MilestoneView> {
        facts
            .record
            .production_path
            .iter()
            .zip(&facts.milestones)
            .map(|(m, fact)| MilestoneView {
                name: m.milestone.to_string(),
                due: m.due.map(|d| d.to_string()),
                done: m.done.map(|d| d.to_string()),
                state: fact.state.as_str(),
                slips: fact
                    .slips
                    .iter()
                    .map(|s| SlipView {
                        from: s.from.to_string(),
                        to: s.to.to_string(),
                        days: s.days(),
                        commit: s.commit.short_id().to_string(),
                        commit_url: self.commit_url(path, &s.commit.id),
                        author: s.commit.author.to_string(),
                        date: s.commit.date.date().to_string(),
                    })
                    .collect(),
            })
            .collect()
    }

    fn sections(readiness: &Readiness) -> Vec<SectionState> {
        readiness
            .requirements
            .iter()
            .filter(|r| r.section)
            .map(|r| SectionState {
                name: r.name.clone(),
                required: r.required,
                present: r.present,
            })
            .collect()
    }

    fn fields(&self, e: &Entity, skip: &[&str]) -> Vec<FieldView> {
        let Some(fm) = e
            .document
            .as_ref()
            .and_then(|d| d.parsed.front_matter.as_ref())
        else {
            return Vec::new();
        };
        fm.entries()
            .iter()
            .filter(|(k, _)| !skip.contains(&k.name.as_str()))
            .map(|(k, v)| {
                let links = e
                    .references
                    .iter()
                    .filter(|r| r.relation.field_name() == k.name)
                    .filter_map(|r| self.link_ref(&r.target))
                    .collect();
                FieldView {
                    name: k.name.clone(),
                    value: text_of(&v.to_json()),
                    links,
                }
            })
            .collect()
    }

    /// One row of the portfolio: the pilot at entity index `index`.
    pub fn portfolio_row(&self, index: usize) -> Option<PortfolioRow> {
        let e = &self.portfolio.entities[index];
        let (facts, readiness) = self.facts(index)?;
        let record = &facts.record;
        let path = e.document.as_ref().map_or("", |d| d.path.as_str());
        Some(PortfolioRow {
            source: pilotbook_core::model::split_qualified(path)
                .0
                .map(str::to_string),
            pilot: self.link_to(e),
            owner: record.owner.and_then(|o| self.person(o)),
            team: record.team.map(str::to_string),
            ready: readiness.ready,
            required: readiness.required,
            met: record.met(),
            measured: record.measured(),
            metrics: record.metrics.len(),
            next: facts
                .next
                .and_then(|n| self.milestones(path, facts).into_iter().nth(n)),
            updated: self
                .doc_history(e)
                .and_then(|h| h.updated())
                .map(|t| t.date().to_string()),
            history: self.history_state(e),
            findings: self.counts(path),
            days_in_status: facts.status.days,
            stuck: stuck_reasons(&facts.lifecycle, record.status.unwrap_or_default()),
        })
    }

    /// Per owner and per team: the overview of their pilots.
    pub fn rollup(&self, indexes: &[usize]) -> RollupView {
        let mut owners: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut teams: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in indexes {
            let Some((facts, _)) = self.facts(i) else {
                continue;
            };
            if let Some(owner) = facts.record.owner {
                owners.entry(owner.to_string()).or_default().push(i);
            }
            if let Some(team) = facts.record.team {
                teams.entry(team.to_string()).or_default().push(i);
            }
        }
        let overview = |group: &[usize]| {
            pilotbook_core::derive::overview(group.iter().filter_map(|&i| {
                let e = &self.portfolio.entities[i];
                Some((i, e, e.pilot.as_ref()?, self.facts(i)?.0))
            }))
        };
        let mut owners: Vec<RollupRow> = owners
            .iter()
            .map(|(id, group)| RollupRow {
                owner: self.person(id),
                team: None,
                pilots: group.len(),
                overview: overview(group),
            })
            .collect();
        owners.sort_by_cached_key(|r| r.owner.as_ref().map(|o| o.title.to_lowercase()));
        let teams = teams
            .iter()
            .map(|(team, group)| RollupRow {
                owner: None,
                team: Some(team.clone()),
                pilots: group.len(),
                overview: overview(group),
            })
            .collect();
        RollupView { owners, teams }
    }

    /// Each `[[sources]]` entry with its documents' findings.
    pub fn sources(&self) -> Vec<SourceView> {
        use pilotbook_core::model::split_qualified;
        self.history
            .sources
            .iter()
            .map(|s| {
                let mut findings = FindingCounts::default();
                let mut documents = 0;
                for path in self.by_path.keys() {
                    if split_qualified(path).0 == Some(s.name.as_str()) {
                        documents += 1;
                        let c = self.counts(path);
                        findings.errors += c.errors;
                        findings.warnings += c.warnings;
                    }
                }
                let head_url = (s.repository.as_deref().zip(s.head.as_deref()))
                    .map(|(repo, id)| format!("{}/commit/{id}", repo.trim_end_matches('/')));
                SourceView {
                    name: s.name.clone(),
                    kind: s.kind,
                    repository: s.repository.clone(),
                    head: (s.head.as_deref())
                        .map(|h| pilotbook_core::history::short_id(h).to_string()),
                    head_url,
                    unavailable: s.unavailable.clone(),
                    documents,
                    findings,
                }
            })
            .collect()
    }

    /// The portfolio's overview over the pilots at `indexes`.
    pub fn overview(&self, indexes: &[usize]) -> OverviewView {
        let pilots = indexes.iter().filter_map(|&i| {
            let e = &self.portfolio.entities[i];
            let (facts, _) = self.facts(i)?;
            Some((i, e, e.pilot.as_ref()?, facts))
        });
        let numbers = pilotbook_core::derive::overview(pilots);
        let stuck_pilots = numbers
            .stuck
            .iter()
            .filter_map(|&i| {
                let e = &self.portfolio.entities[i];
                let (facts, _) = self.facts(i)?;
                let status = facts.record.status;
                Some(StuckPilot {
                    pilot: self.link_to(e),
                    status: status.map(str::to_string),
                    reasons: stuck_reasons(&facts.lifecycle, status.unwrap_or_default()),
                })
            })
            .collect();
        let met_share = (numbers.decided > 0).then(|| {
            let share = numbers.decided_met_all * 100 / numbers.decided;
            u32::try_from(share).unwrap_or(100)
        });
        OverviewView {
            numbers,
            met_share,
            stuck_pilots,
        }
    }

    /// A link to the person with id `id`.
    fn person(&self, id: &str) -> Option<Link> {
        self.link_ref(&pilotbook_core::model::EntityRef {
            kind: Builtin::Person as usize,
            id: id.to_string(),
        })
    }

    /// The pilot page.
    pub fn pilot_view(&self, index: usize) -> Option<PilotView<'a>> {
        let e = &self.portfolio.entities[index];
        let pilot = e.pilot.as_ref()?;
        let (facts, readiness) = self.facts(index)?;
        let record = &facts.record;
        let doc = e.document.as_ref()?;
        let body_html = self.body_html(e);
        let metric = |id: &str| {
            self.link_ref(&pilotbook_core::model::EntityRef {
                kind: Builtin::Metric as usize,
                id: id.to_string(),
            })
        };
        let system = |id: &str| {
            self.link_ref(&pilotbook_core::model::EntityRef {
                kind: Builtin::System as usize,
                id: id.to_string(),
            })
        };
        Some(PilotView {
            record: record.clone(),
            link: self.link_to(e),
            owner: record.owner.and_then(|o| self.person(o)),
            team: record.team.map(str::to_string),
            started: record.started.map(|d| d.to_string()),
            decision: record.decision.map(|d| d.to_string()),
            metrics: record
                .metrics
                .iter()
                .filter_map(|m| {
                    Some(MetricRow {
                        metric: metric(m.metric)?,
                        target: m.target.map(str::to_string),
                        baseline: m.baseline.map(str::to_string),
                        actual: m.actual.map(str::to_string),
                        state: met_state(m.met),
                    })
                })
                .collect(),
            integrations: pilot
                .integrations
                .iter()
                .filter_map(|i| {
                    Some(IntegrationRow {
                        system: system(&i.system)?,
                        access: i.access.clone(),
                        auth: i.auth.clone(),
                        environment: pilotbook_core::validate::environment_of(self.portfolio, i)
                            .map(str::to_string),
                    })
                })
                .collect(),
            depends_on: pilot
                .depends_on
                .iter()
                .filter_map(|d| self.link_ref(&d.target))
                .collect(),
            dependents: e.dependents.iter().map(|&i| self.link(i)).collect(),
            milestones: self.milestones(e.document.as_ref().map_or("", |d| &d.path), facts),
            sections: Self::sections(readiness),
            body_html,
            history: self.history_view(e),
            findings: self.findings(&doc.path),
            path: doc.path.clone(),
            source_url: self.source_url(&doc.path),
            fields: {
                let shown = record.fields();
                let mut skip: Vec<&str> = shown.iter().map(String::as_str).collect();
                skip.extend(["title", "id"]);
                self.fields(e, &skip)
            },
        })
    }

    /// The page of any other entity.
    pub fn entity_view(&self, index: usize) -> EntityView {
        let e = &self.portfolio.entities[index];
        let kind = &self.config.kinds[e.kind];
        let body_html = self.body_html(e);
        let mut groups: BTreeMap<String, Vec<Link>> = BTreeMap::new();
        for b in &e.referenced_by {
            groups
                .entry(relation_label(&b.relation))
                .or_default()
                .push(self.link(b.source));
        }
        EntityView {
            link: self.link_to(e),
            kind_label: kind_label(kind.name.as_str(), kind.builtin),
            kind_index: pilotbook_core::pages::kind_index_page(self.kind_dir(e.kind)),
            fields: self.fields(e, &["title", "name", "id"]),
            body_html,
            referenced_by: groups
                .into_iter()
                .map(|(label, links)| BacklinkGroup { label, links })
                .collect(),
            dependents: e.dependents.iter().map(|&i| self.link(i)).collect(),
            history: self.history_view(e),
            findings: e
                .document
                .as_ref()
                .map(|d| self.findings(&d.path))
                .unwrap_or_default(),
            path: e.document.as_ref().map(|d| d.path.clone()),
            source_url: e.document.as_ref().and_then(|d| self.source_url(&d.path)),
            metric_uses: if kind.builtin == Some(Builtin::Metric) {
                self.metric_uses(index)
            } else {
                Vec::new()
            },
        }
    }

    /// The navigation entries.
    pub fn nav(&self) -> Vec<NavKind> {
        self.config
            .kinds
            .iter()
            .enumerate()
            .map(|(i, k)| NavKind {
                name: k.name.clone(),
                label: kind_label(&k.name, k.builtin),
                href: pilotbook_core::pages::kind_index_page(self.kind_dir(i)),
                entities: self.portfolio.of_kind(i).len(),
            })
            .collect()
    }

    /// The row of an entity on its kind's index.
    pub fn kind_row(&self, e: &Entity) -> KindRow {
        use pilotbook_core::config::FieldType;
        let kind = &self.config.kinds[e.kind];
        let front = e
            .document
            .as_ref()
            .and_then(|d| d.parsed.front_matter.as_ref());
        let text = |field: &str| front?.get(field)?.as_text().map(str::trim);
        let status = match &e.pilot {
            Some(p) => p.status.clone(),
            None => text("status").filter(|s| !s.is_empty()).map(str::to_string),
        };
        let date = kind
            .fields
            .iter()
            .filter(|(_, ty)| **ty == FieldType::Date)
            .find_map(|(name, _)| {
                pilotbook_core::model::Date::parse_any(text(name)?, &kind.date_formats).ok()
            })
            .map(|d| d.to_string());
        KindRow {
            link: self.link_to(e),
            references: e.referenced_by.len(),
            status,
            date,
        }
    }
}

/// A metric verdict as pages show it: `met`, `missed` or `not-measured`.
fn met_state(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "missed",
        None => "not-measured",
    }
}

/// A kind's label in navigation and headings.
pub fn kind_label(name: &str, builtin: Option<Builtin>) -> String {
    match builtin {
        Some(Builtin::Pilot) => "Pilots".into(),
        Some(Builtin::Person) => "People".into(),
        Some(Builtin::Metric) => "Metrics".into(),
        Some(Builtin::System) => "Systems".into(),
        None => {
            let mut c = name.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
                .replace(['-', '_'], " ")
        }
    }
}

fn relation_label(r: &Relation) -> String {
    match r {
        Relation::Owner => "Owns".into(),
        Relation::Metric => "Measured in".into(),
        Relation::Integration => "Integrated by".into(),
        Relation::DependsOn => "Depended on by".into(),
        Relation::Field(name) => format!("Referred to as `{name}` by"),
    }
}

/// A JSON value as one line of text.
fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// A repository path as a URL path: every byte outside the unreserved set
/// (and `/`) percent-encoded, so that spaces, `#`, `?` and non-ASCII
/// letters in file names make working links.
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod percent_tests {
    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(
            super::percent_encode_path("people/Zo\u{eb} Kim #2?.md"),
            "people/Zo%C3%AB%20Kim%20%232%3F.md"
        );
    }
}
