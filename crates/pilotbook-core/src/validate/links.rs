//! Judgements that read one document against the documents it refers to:
//! an owner that is a team, a target that disagrees with its metric's own
//! `unit` and `direction` (`invalid-field`), and a pilot whose integrations
//! are all sandboxes or mocks (`sandbox-integration`).

use crate::config::{Builtin, Config, ENVIRONMENTS};
use crate::diagnostics::Diagnostic;
use crate::model::pilot::Located;
use crate::model::{Entity, EntityRef, Integration, MetricUse, Portfolio, is_builtin, slugify};
use crate::parse::quantity::{Comparator, MetricTarget, same_unit};
use crate::rules::{Rule, Severity};
use std::collections::{BTreeSet, HashMap};

/// The text of a referred document's front-matter field.
fn field_of<'p>(portfolio: &'p Portfolio, target: &EntityRef, field: &str) -> Option<&'p str> {
    portfolio
        .get(target)?
        .document
        .as_ref()?
        .field(field)?
        .as_text()
        .map(str::trim)
        .filter(|t| !t.is_empty() && !crate::model::placeholder::is_placeholder(t))
}

/// The ids that name a team: every person's `team` (as an id), and every
/// document of a kind called `team`.
fn team_ids(config: &Config, portfolio: &Portfolio) -> BTreeSet<String> {
    let team_kind = config.kinds.iter().position(|k| k.name == "team");
    portfolio
        .entities
        .iter()
        .filter(|e| e.document.is_some())
        .filter_map(|e| {
            if Some(e.kind) == team_kind {
                return Some(e.id.clone());
            }
            if !is_builtin(config, e.kind, Builtin::Person) {
                return None;
            }
            let team = e.document.as_ref()?.field("team")?.as_text()?;
            Some(slugify(team)).filter(|t| !t.is_empty())
        })
        .collect()
}

/// `owner` is one person: an id that is a team (and not also a person with
/// a document of their own) is an error.
pub fn owners(config: &Config, portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    let teams = team_ids(config, portfolio);
    if teams.is_empty() {
        return;
    }
    let person = Builtin::Person as usize;
    for (entity, pilot) in portfolio.pilots() {
        let (Some(doc), Some(owner)) = (&entity.document, &pilot.owner) else {
            continue;
        };
        let id = &owner.value;
        let is_person = portfolio
            .get(&EntityRef {
                kind: person,
                id: id.clone(),
            })
            .is_some_and(Entity::defined);
        if !teams.contains(id) || is_person {
            continue;
        }
        out.push(
            Diagnostic::new(
                Rule::InvalidField,
                &doc.path,
                owner.position,
                format!("`owner: {id}` is a team, not a person; a pilot has exactly one accountable owner"),
            )
            .width(id.chars().count())
            .field("owner")
            .help(format!("name the one person accountable as `owner: <person-id>`, and the team as `team: {id}`")),
        );
    }
}

/// A target agrees with its metric's document: the same `unit`, and a
/// comparator that points the way `direction` says is better.
pub fn metric_targets(portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    // Each metric's unit and direction, read once.
    let metric_kind = Builtin::Metric as usize;
    let metrics: HashMap<&str, (Option<&str>, Option<&str>, &str)> = portfolio
        .of_kind(metric_kind)
        .iter()
        .filter_map(|m| {
            let doc = m.document.as_ref()?;
            let text = |field: &str| {
                doc.field(field)
                    .and_then(|n| n.as_text())
                    .map(str::trim)
                    .filter(|t| !t.is_empty() && !crate::model::placeholder::is_placeholder(t))
            };
            Some((
                m.id.as_str(),
                (text("unit"), text("direction"), doc.path.as_str()),
            ))
        })
        .collect();
    if metrics.is_empty() {
        return;
    }
    for (entity, pilot) in portfolio.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        for used in &pilot.metrics {
            let (Some(target), Some((unit, direction, metric_path))) =
                (&used.target, metrics.get(used.metric.as_str()))
            else {
                continue;
            };
            if let Some(finding) = judge(&doc.path, used, target, *unit, *direction, metric_path) {
                out.push(finding);
            }
        }
    }
}

fn judge(
    path: &str,
    used: &MetricUse,
    target: &Located<MetricTarget>,
    unit: Option<&str>,
    direction: Option<&str>,
    metric_path: &str,
) -> Option<Diagnostic> {
    let t = &target.value;
    let id = &used.metric;
    let shown = used.target_text.as_deref().unwrap_or_default().trim();
    let finding = |message: String, help: String| {
        Diagnostic::new(Rule::InvalidField, path, target.position, message)
            .width(shown.chars().count() + 2)
            .field("metrics")
            .item(id.as_str())
            .help(help)
    };
    if let Some(unit) = unit
        && !same_unit(Some(unit), t.quantity.unit.as_deref())
    {
        let theirs = t
            .quantity
            .unit
            .as_deref()
            .map_or("no unit".to_string(), |u| format!("`{u}`"));
        return Some(finding(
            format!(
                "the target `{shown}` of metric `{id}` is in {theirs}, but {metric_path} measures it in `{unit}`"
            ),
            format!("write the target in `{unit}`, or correct the metric's `unit`"),
        ));
    }
    let wrong_way = match direction {
        Some("higher") => matches!(t.comparator, Comparator::AtMost | Comparator::LessThan),
        Some("lower") => matches!(t.comparator, Comparator::AtLeast | Comparator::MoreThan),
        _ => false,
    };
    wrong_way.then(|| {
        let better = direction.unwrap_or_default();
        let (want, asks) = if better == "higher" { (">=", "at most") } else { ("<=", "at least") };
        finding(
            format!("the target `{shown}` of metric `{id}` asks for {asks} {}, but {metric_path} says {better} is better", t.quantity),
            format!("write the target with `{want}`, or correct the metric's `direction`"),
        )
    })
}

/// The environment an integration uses: the one its entry names, else the
/// system document's `environment`; `None` when neither says (an undefined
/// system, or one that does not declare it).
pub fn environment_of<'p>(
    portfolio: &'p Portfolio,
    integration: &'p Integration,
) -> Option<&'p str> {
    let target = EntityRef {
        kind: Builtin::System as usize,
        id: integration.system.clone(),
    };
    integration
        .environment
        .as_deref()
        .or_else(|| field_of(portfolio, &target, "environment"))
        .filter(|e| ENVIRONMENTS.contains(e))
}

/// A pilot past `proposed` must integrate with at least one real system:
/// when every integration is a `sandbox` or `mock` (as the entry says, or
/// else the system's document), it is a warning while `pilot` and an error
/// at `go` and `production`.
pub fn sandboxes(portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    for (entity, pilot) in portfolio.pilots() {
        let Some(doc) = &entity.document else {
            continue;
        };
        let severity = match pilot.status.as_deref() {
            Some("pilot") => Severity::Warning,
            Some("go" | "production") => Severity::Error,
            _ => continue,
        };
        let Some(first) = pilot.integrations.first() else {
            continue;
        };
        let mut named = Vec::new();
        for integration in &pilot.integrations {
            match environment_of(portfolio, integration) {
                Some(env @ ("sandbox" | "mock")) => {
                    named.push(format!("`{}` ({env})", integration.system))
                }
                _ => break,
            }
        }
        if named.len() < pilot.integrations.len() {
            continue;
        }
        let status = pilot.status.as_deref().unwrap_or_default();
        out.push(
            Diagnostic::new(
                Rule::SandboxIntegration,
                &doc.path,
                first.position,
                format!(
                    "pilot `{}` is `{status}` but integrates only with sandboxes and mocks: {}",
                    entity.id,
                    named.join(", ")
                ),
            )
            .severity(severity)
            .field("integrations")
            .help("integrate with at least one real system (its `production` or `staging` environment) and record it under `integrations`; see `pilotbook check --explain sandbox-integration`"),
        );
    }
}
