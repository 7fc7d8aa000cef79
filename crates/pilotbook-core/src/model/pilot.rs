//! The typed fields of a pilot: status, owner, dates, metrics with their
//! targets, integrations, dependencies and the production path. A plain
//! text field (`team`) needs no field here: the kind declares it
//! (`config.rs`), which types it, and the derived record reads it.
//!
//! Typing reports what has the wrong shape (`invalid-field`) and what an
//! entry lacks (`missing-field` for a metric without a target or a milestone
//! without a due date), and keeps every value it could read, so that one bad
//! milestone does not hide the rest of the path.

use super::fields::{invalid, reference_id};
use super::placeholder::{is_placeholder, is_placeholder_target};
use super::{Date, Document, EntityRef, Reference, Relation};
use crate::config::{Builtin, Config, ENVIRONMENTS};
use crate::diagnostics::Diagnostic;
use crate::parse::quantity::{MetricTarget, Quantity, parse_quantity, parse_target};
use crate::parse::{Node, Value};
use crate::rules::Rule;
use crate::source::Position;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where.
    pub position: Position,
}

/// A pilot's typed fields. Absent or invalid values are `None` or left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pilot {
    /// `proposed | pilot | go | no-go | production | retired`.
    pub status: Option<String>,
    /// The one accountable person.
    pub owner: Option<Located<String>>,
    /// When the pilot started.
    pub started: Option<Date>,
    /// The planned go/no-go date.
    pub decision: Option<Date>,
    /// Success metrics.
    pub metrics: Vec<MetricUse>,
    /// Real systems the pilot reads or writes.
    pub integrations: Vec<Integration>,
    /// What must exist before the pilot can ship.
    pub depends_on: Vec<Dependency>,
    /// The milestones to production.
    pub production_path: Vec<Milestone>,
}

impl Pilot {
    /// The date the pilot is planned to reach production: its last milestone's due date.
    pub fn production_date(&self) -> Option<Date> {
        self.production_path
            .last()
            .and_then(|m| m.due.as_ref().map(|d| d.value))
    }
}

/// One success metric of a pilot.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricUse {
    /// The metric's id.
    pub metric: String,
    /// Where the entry starts.
    pub position: Position,
    /// The target as written.
    pub target_text: Option<String>,
    /// The parsed target.
    pub target: Option<Located<MetricTarget>>,
    /// The baseline.
    pub baseline: Option<Quantity>,
    /// The baseline as written.
    pub baseline_text: Option<String>,
    /// The measured value.
    pub actual: Option<Located<Quantity>>,
    /// The actual as written.
    pub actual_text: Option<String>,
    /// Whether the entry gives an `actual` at all (readable or not).
    pub actual_given: bool,
}

/// A system the pilot integrates with.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    /// The system's id.
    pub system: String,
    /// Where the entry starts.
    pub position: Position,
    /// `api | database | file | event | other`.
    pub access: Option<String>,
    /// How the pilot authenticates.
    pub auth: Option<String>,
    /// The environment of the system the pilot uses (`production |
    /// staging | sandbox | mock`), when the entry names one; otherwise the
    /// system document's own `environment` applies.
    pub environment: Option<String>,
}

/// Something the pilot depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    /// What is depended on.
    pub target: EntityRef,
    /// The kind's name (`pilot`, `system`, …).
    pub kind_name: String,
    /// Where the entry is written.
    pub position: Position,
}

/// A milestone of the production path.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    /// What the milestone is.
    pub name: String,
    /// Where the entry starts.
    pub position: Position,
    /// When it is due.
    pub due: Option<Located<Date>>,
    /// When it was done.
    pub done: Option<Date>,
}

/// Integration access modes.
pub const ACCESS_MODES: [&str; 5] = ["api", "database", "file", "event", "other"];

struct Typer<'a> {
    config: &'a Config,
    path: &'a str,
    references: &'a mut Vec<Reference>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// Type a pilot's fields, adding its references and findings.
pub fn type_pilot(
    config: &Config,
    document: &Document,
    references: &mut Vec<Reference>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Pilot {
    let mut pilot = Pilot::default();
    let Some(fm) = document.parsed.front_matter.as_ref() else {
        return pilot;
    };
    let mut t = Typer {
        config,
        path: &document.path,
        references,
        diagnostics,
    };
    pilot.status = fm
        .get("status")
        .and_then(Node::as_text)
        .filter(|s| crate::config::PILOT_STATUSES.contains(s))
        .map(str::to_string);
    pilot.started = date_of(fm.get("started"));
    pilot.decision = date_of(fm.get("decision"));
    if let Some((key, owner)) = fm.entry("owner") {
        pilot.owner = t.owner(key.position, owner);
    }
    if let Some(metrics) = fm.get("metrics") {
        pilot.metrics = t.list(metrics, "metrics", |t, entry| t.metric(entry));
    }
    if let Some(integrations) = fm.get("integrations") {
        pilot.integrations = t.list(integrations, "integrations", |t, entry| {
            t.integration(entry)
        });
    }
    if let Some(depends_on) = fm.get("depends_on") {
        pilot.depends_on = t.list(depends_on, "depends_on", |t, entry| t.dependency(entry));
    }
    if let Some(path) = fm.get("production_path") {
        pilot.production_path = t.list(path, "production_path", |t, entry| t.milestone(entry));
    }
    pilot
}

fn date_of(node: Option<&Node>) -> Option<Date> {
    node.and_then(Node::as_text)
        .and_then(|t| Date::parse(t).ok())
}

/// Config lists the built-in kinds first, in `Builtin::ALL` order.
fn kind_index(_config: &Config, builtin: Builtin) -> usize {
    builtin as usize
}

impl Typer<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn refer(&mut self, kind: usize, id: String, relation: Relation, position: Position) {
        self.references.push(Reference {
            target: EntityRef { kind, id },
            relation,
            position,
        });
    }

    /// Type each entry of a list field; a non-list is one finding.
    fn list<T>(
        &mut self,
        node: &Node,
        field: &str,
        mut each: impl FnMut(&mut Self, &Node) -> Option<T>,
    ) -> Vec<T> {
        match &node.value {
            Value::List(items) => items.iter().filter_map(|item| each(self, item)).collect(),
            Value::Null => Vec::new(),
            _ => {
                let d = invalid(
                    self.path,
                    field,
                    node,
                    format!("`{field}` must be a list, not {}", node.describe()),
                    &format!("write one `- ` entry per line under `{field}:`"),
                );
                self.push(d);
                Vec::new()
            }
        }
    }

    /// The mapping of a list entry, or a finding.
    fn entry<'n>(&mut self, node: &'n Node, field: &str, example: &str) -> Option<&'n Node> {
        if matches!(node.value, Value::Map(_)) {
            return Some(node);
        }
        let d = invalid(
            self.path,
            field,
            node,
            format!(
                "each `{field}` entry must be a mapping, not {}",
                node.describe()
            ),
            &format!("write entries like `- {example}`"),
        );
        self.push(d);
        None
    }

    fn text<'n>(&mut self, entry: &'n Node, key: &str, field: &str) -> Option<&'n str> {
        let value = entry.get(key)?;
        if value.is_null() {
            return None;
        }
        match value.as_text() {
            Some(t) => Some(t),
            None => {
                let d = invalid(
                    self.path,
                    field,
                    value,
                    format!(
                        "`{key}` in `{field}` must be a single value, not {}",
                        value.describe()
                    ),
                    "write one value",
                );
                self.push(d);
                None
            }
        }
    }

    fn missing(&mut self, entry: &Node, field: &str, message: String, help: &str) {
        self.push(
            Diagnostic::new(Rule::MissingField, self.path, entry.position, message)
                .field(field)
                .help(help.to_string()),
        );
    }

    fn owner(&mut self, key: Position, node: &Node) -> Option<Located<String>> {
        if node.is_null() || node.as_text().is_some_and(is_placeholder) {
            return None;
        }
        if let Value::List(items) = &node.value {
            // A block list starts on the next line; the finding is about the key.
            let d = invalid(
                self.path,
                "owner",
                node,
                format!(
                    "`owner` lists {} people; a pilot has exactly one accountable owner",
                    items.len()
                ),
                "name one person as `owner: person-id`; others go in the Ownership section",
            );
            self.push(Diagnostic { position: key, ..d });
            return None;
        }
        let text = node.as_text().map(str::trim).unwrap_or("");
        let several = text.contains(',')
            || text.contains(" and ")
            || text.contains('&')
            || text.contains('/');
        if several {
            let d = invalid(
                self.path,
                "owner",
                node,
                format!(
                    "`owner: {text}` names more than one person; a pilot has exactly one accountable owner"
                ),
                "name one person as `owner: person-id`; others go in the Ownership section",
            );
            self.push(d);
            return None;
        }
        let id = reference_id(self.path, "owner", node, "person", self.diagnostics)?;
        let person = kind_index(self.config, Builtin::Person);
        self.refer(person, id.clone(), Relation::Owner, node.position);
        Some(Located {
            value: id,
            position: node.position,
        })
    }

    fn metric(&mut self, node: &Node) -> Option<MetricUse> {
        let entry = self.entry(node, "metrics", "metric: triage-accuracy")?;
        let Some(metric_node) = entry.get("metric").filter(|n| !n.is_null()) else {
            self.missing(
                entry,
                "metrics",
                "a `metrics` entry has no `metric` id".into(),
                "add `metric: <metric-id>` to the entry",
            );
            return None;
        };
        if metric_node.as_text().is_some_and(is_placeholder) {
            return None;
        }
        let metric = reference_id(
            self.path,
            "metrics",
            metric_node,
            "metric",
            self.diagnostics,
        )?;
        let metric_kind = kind_index(self.config, Builtin::Metric);
        self.refer(
            metric_kind,
            metric.clone(),
            Relation::Metric,
            metric_node.position,
        );

        let mut used = MetricUse {
            metric: metric.clone(),
            position: entry.position,
            target_text: None,
            target: None,
            baseline: None,
            baseline_text: None,
            actual: None,
            actual_text: None,
            actual_given: entry.get("actual").is_some_and(|n| !n.is_null()),
        };
        self.metric_target(entry, &metric, &mut used);
        self.metric_measurements(entry, &metric, &mut used);
        Some(used)
    }

    /// A metrics entry's `target`: missing is a finding, a placeholder is
    /// kept as text (`placeholder-value` judges it), anything else must
    /// parse as a comparator, a number and a unit.
    fn metric_target(&mut self, entry: &Node, metric: &str, used: &mut MetricUse) {
        match entry.get("target").filter(|n| !n.is_null()) {
            None => {
                let d = Diagnostic::new(
                    Rule::MissingField,
                    self.path,
                    entry.position,
                    format!("metric `{metric}` has no target"),
                )
                .field("metrics")
                .item(metric)
                .help("add a numeric target agreed up front, e.g. `target: \">= 92%\"`");
                self.push(d);
            }
            Some(node) if node.as_text().is_some_and(is_placeholder_target) => {
                used.target_text = node.as_text().map(str::to_string);
            }
            Some(node) => {
                let text = node.as_text().unwrap_or_default().to_string();
                match parse_target(&text) {
                    Ok(target) => {
                        used.target = Some(Located {
                            value: target,
                            position: node.position,
                        })
                    }
                    Err(why) => {
                        let shown = if text.is_empty() {
                            node.describe().to_string()
                        } else {
                            text.clone()
                        };
                        let d = invalid(
                            self.path,
                            "metrics",
                            node,
                            format!("the target of metric `{metric}` is not numeric: {why}")
                                .replace(&format!("`{}`", text.trim()), &format!("`{shown}`")),
                            "write a comparator, a number and a unit, e.g. `\">= 92%\"`, `\"<= 800 ms\"`, `\"< 0.04 USD\"`",
                        );
                        self.push(d.item(metric));
                    }
                }
                used.target_text = Some(text);
            }
        }
    }

    /// A metrics entry's `baseline` and `actual`: numbers in the target's
    /// unit; a placeholder is left to `placeholder-value`.
    fn metric_measurements(&mut self, entry: &Node, metric: &str, used: &mut MetricUse) {
        for key in ["baseline", "actual"] {
            let Some(node) = entry.get(key).filter(|n| !n.is_null()) else {
                continue;
            };
            if node.as_text().is_some_and(is_placeholder) {
                continue;
            }
            let text = node.as_text().unwrap_or_default().to_string();
            let quantity = match parse_quantity(&text) {
                Ok(q) => q,
                Err(why) => {
                    let d = invalid(
                        self.path,
                        "metrics",
                        node,
                        format!("the {key} of metric `{metric}` is not a number: {why}"),
                        "write a number with the target's unit, e.g. `\"94%\"`",
                    );
                    self.push(d.item(metric));
                    continue;
                }
            };
            if let Some(target) = &used.target
                && !target.value.quantity.same_unit(&quantity)
            {
                let d = unit_mismatch(
                    self.path,
                    node,
                    key,
                    metric,
                    &text,
                    &target.value,
                    &quantity,
                );
                self.push(d);
                continue;
            }
            if key == "actual" {
                used.actual = Some(Located {
                    value: quantity,
                    position: node.position,
                });
                used.actual_text = Some(text);
            } else {
                used.baseline = Some(quantity);
                used.baseline_text = Some(text);
            }
        }
    }

    fn integration(&mut self, node: &Node) -> Option<Integration> {
        let entry = self.entry(node, "integrations", "system: zendesk")?;
        let Some(system_node) = entry.get("system").filter(|n| !n.is_null()) else {
            self.missing(
                entry,
                "integrations",
                "an `integrations` entry has no `system` id".into(),
                "add `system: <system-id>` to the entry",
            );
            return None;
        };
        if system_node.as_text().is_some_and(is_placeholder) {
            return None;
        }
        let system = reference_id(
            self.path,
            "integrations",
            system_node,
            "system",
            self.diagnostics,
        )?;
        let kind = kind_index(self.config, Builtin::System);
        self.refer(
            kind,
            system.clone(),
            Relation::Integration,
            system_node.position,
        );
        let access = self
            .text(entry, "access", "integrations")
            .map(str::to_string);
        if let (Some(a), Some(node)) = (&access, entry.get("access"))
            && !ACCESS_MODES.contains(&a.as_str())
        {
            let d = invalid(
                self.path,
                "integrations",
                node,
                format!("`access: {a}` is not one of {}", ACCESS_MODES.join(", ")),
                &format!("use one of: {}", ACCESS_MODES.join(" | ")),
            );
            self.push(d.item(system.as_str()));
        }
        let auth = self.text(entry, "auth", "integrations").map(str::to_string);
        let mut environment = self
            .text(entry, "environment", "integrations")
            .filter(|e| !is_placeholder(e))
            .map(str::to_string);
        if let (Some(e), Some(node)) = (&environment, entry.get("environment"))
            && !ENVIRONMENTS.contains(&e.as_str())
        {
            let d = invalid(
                self.path,
                "integrations",
                node,
                format!(
                    "`environment: {e}` is not one of {}",
                    ENVIRONMENTS.join(", ")
                ),
                &format!("use one of: {}", ENVIRONMENTS.join(" | ")),
            );
            self.push(d.item(system.as_str()));
            environment = None;
        }
        Some(Integration {
            system,
            position: entry.position,
            access,
            auth,
            environment,
        })
    }

    fn dependency(&mut self, node: &Node) -> Option<Dependency> {
        let entry = self.entry(node, "depends_on", "pilot: intent-classifier")?;
        let keyed: Vec<_> = entry
            .entries()
            .iter()
            .filter_map(|(k, v)| {
                self.config
                    .kinds
                    .iter()
                    .position(|kind| kind.name == k.name)
                    .map(|i| (i, k, v))
            })
            .collect();
        if let [(_, _, value)] = keyed.as_slice()
            && value.as_text().is_some_and(is_placeholder)
        {
            return None;
        }
        let [(kind, key, value)] = keyed.as_slice() else {
            let d = invalid(
                self.path,
                "depends_on",
                entry,
                "each `depends_on` entry names one kind and id, like `pilot: x` or `system: y`"
                    .into(),
                &format!(
                    "write `- pilot: <id>` or `- system: <id>`; known kinds: {}",
                    self.config
                        .kinds
                        .iter()
                        .map(|k| k.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            self.push(d);
            return None;
        };
        let id = reference_id(self.path, "depends_on", value, &key.name, self.diagnostics)?;
        self.refer(*kind, id.clone(), Relation::DependsOn, value.position);
        Some(Dependency {
            target: EntityRef { kind: *kind, id },
            kind_name: key.name.clone(),
            position: key.position,
        })
    }

    fn milestone(&mut self, node: &Node) -> Option<Milestone> {
        let entry = self.entry(node, "production_path", "milestone: General availability")?;
        let name = self
            .text(entry, "milestone", "production_path")
            .map(str::to_string)
            .unwrap_or_default();
        let date = |key: &str, this: &mut Self| -> Option<Located<Date>> {
            let value = entry
                .get(key)
                .filter(|n| !n.is_null() && !n.as_text().is_some_and(is_placeholder))?;
            match value
                .as_text()
                .ok_or_else(|| format!("not {}", value.describe()))
                .and_then(Date::parse)
            {
                Ok(date) => Some(Located {
                    value: date,
                    position: value.position,
                }),
                Err(why) => {
                    let d = invalid(
                        this.path,
                        "production_path",
                        value,
                        format!("`{key}` of milestone `{name}`: {why}"),
                        "write the date as YYYY-MM-DD, e.g. 2026-09-01",
                    );
                    this.push(d.item(name.as_str()));
                    None
                }
            }
        };
        let due = date("due", self);
        let done = date("done", self).map(|d| d.value);
        if entry.get("due").is_none_or(Node::is_null) {
            let d = Diagnostic::new(
                Rule::MissingField,
                self.path,
                entry.position,
                format!("milestone `{name}` has no `due` date"),
            )
            .field("production_path")
            .item(name.as_str())
            .help("add `due: YYYY-MM-DD` to the milestone");
            self.push(d);
        }
        if name.is_empty() {
            self.missing(
                entry,
                "production_path",
                "a `production_path` entry has no `milestone` name".into(),
                "add `milestone: <what is reached>` to the entry",
            );
        }
        Some(Milestone {
            name,
            position: entry.position,
            due,
            done,
        })
    }
}

/// An actual or baseline whose unit is not its target's: `0.94` against
/// `>= 92%` cannot be compared, whatever it meant.
fn unit_mismatch(
    path: &str,
    node: &Node,
    key: &str,
    metric: &str,
    text: &str,
    target: &MetricTarget,
    quantity: &Quantity,
) -> Diagnostic {
    let (message, help) = match (quantity.unit.as_deref(), target.quantity.unit.as_deref()) {
        (None, Some(t)) => (
            format!(
                "the {key} of metric `{metric}` (`{}`) has no unit; its target `{target}` is in `{t}`",
                text.trim()
            ),
            format!(
                "write the {key} in `{t}`, e.g. `\"{}\"`",
                Quantity {
                    value: target.quantity.value,
                    unit: Some(t.to_string())
                }
            ),
        ),
        (Some(u), None) => (
            format!(
                "the {key} of metric `{metric}` is in `{u}`, its target `{target}` has no unit"
            ),
            "give the target its unit too, or the value without one".to_string(),
        ),
        (u, t) => (
            format!(
                "the {key} of metric `{metric}` is in `{}`, its target in `{}`",
                u.unwrap_or(""),
                t.unwrap_or("")
            ),
            "give the value in the target's unit so they can be compared".to_string(),
        ),
    };
    invalid(path, "metrics", node, message, &help).item(metric)
}
