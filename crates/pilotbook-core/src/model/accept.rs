//! A document's answers to its own findings: `pilotbook: { accept: [...] }`.
//!
//! Each entry names a rule, the reason (required: an acceptance is a
//! decision someone can read), and, for findings about a commit (the
//! history rules), that commit. Typing checks the shape and reports what is
//! wrong as `missing-field` or `invalid-field` on `pilotbook`; matching the
//! entries against the findings happens after validation
//! (`diagnostics::accept`).

use super::Acceptance;
use super::fields::invalid;
use super::placeholder::is_placeholder;
use crate::diagnostics::Diagnostic;
use crate::parse::{Node, Value};
use crate::rules::Rule;

const FIELD: &str = "pilotbook";
const EXAMPLE: &str = "`pilotbook: { accept: [{ rule: metric-target-changed, commit: f5f371c, reason: \"re-agreed with finance, PR #42\" }] }`";

/// Read the `pilotbook` block of a document's front matter.
pub fn accepts(path: &str, block: &Node, out: &mut Vec<Diagnostic>) -> Vec<Acceptance> {
    if block.is_null() {
        return Vec::new();
    }
    let shape = |node: &Node, message: String| {
        invalid(
            path,
            FIELD,
            node,
            message,
            &format!("write it as {EXAMPLE}"),
        )
    };
    if !matches!(block.value, Value::Map(_)) {
        out.push(shape(
            block,
            format!(
                "`pilotbook` must be a mapping with `accept`, not {}",
                block.describe()
            ),
        ));
        return Vec::new();
    }
    for (key, value) in block.entries() {
        if key.name != "accept" {
            out.push(shape(
                value,
                format!("`pilotbook` has no key `{}`; it takes `accept`", key.name),
            ));
        }
    }
    let Some(list) = block.get("accept").filter(|n| !n.is_null()) else {
        return Vec::new();
    };
    let Value::List(items) = &list.value else {
        out.push(shape(
            list,
            format!("`pilotbook.accept` must be a list, not {}", list.describe()),
        ));
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| entry(path, item, out))
        .collect()
}

fn entry(path: &str, item: &Node, out: &mut Vec<Diagnostic>) -> Option<Acceptance> {
    let help = format!("write the entries as in {EXAMPLE}");
    if !matches!(item.value, Value::Map(_)) {
        out.push(invalid(
            path,
            FIELD,
            item,
            format!(
                "each `accept` entry must be a mapping, not {}",
                item.describe()
            ),
            &help,
        ));
        return None;
    }
    for (key, value) in item.entries() {
        if !["rule", "commit", "reason"].contains(&key.name.as_str()) {
            out.push(invalid(
                path,
                FIELD,
                value,
                format!(
                    "an `accept` entry has no key `{}`; it takes `rule`, `commit` and `reason`",
                    key.name
                ),
                &help,
            ));
        }
    }
    let text = |key: &str| {
        item.get(key)
            .and_then(Node::as_text)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    let missing = |what: &str, help: &str| {
        Diagnostic::new(
            Rule::MissingField,
            path,
            item.position,
            format!("an `accept` entry has no `{what}`"),
        )
        .field(FIELD)
        .help(help.to_string())
    };
    let Some(rule_name) = text("rule") else {
        out.push(missing(
            "rule",
            "name the rule whose finding is accepted, e.g. `rule: metric-target-changed`",
        ));
        return None;
    };
    let Some(rule) = Rule::from_name(rule_name) else {
        let node = item.get("rule").unwrap_or(item);
        out.push(invalid(
            path,
            FIELD,
            node,
            format!("`{rule_name}` is not a rule"),
            "`pilotbook check --explain` lists the rules",
        ));
        return None;
    };
    let commit = match text("commit") {
        None => None,
        Some(c) if (4..=40).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(c.to_ascii_lowercase())
        }
        Some(c) => {
            let node = item.get("commit").unwrap_or(item);
            out.push(invalid(
                path,
                FIELD,
                node,
                format!("`commit: {c}` is not a commit id"),
                "give the commit the finding names, e.g. `commit: f5f371c`",
            ));
            return None;
        }
    };
    let reason = match text("reason") {
        // `placeholder-value` reports it; the entry accepts nothing.
        Some(r) if is_placeholder(r) => return None,
        Some(r) => r.to_string(),
        None => {
            out.push(
                missing("reason", "say why the finding is accepted, e.g. `reason: \"re-agreed with finance on 2026-07-14, PR #42\"`")
                    .item(rule.name()),
            );
            return None;
        }
    };
    Some(Acceptance {
        rule,
        commit,
        reason,
        position: item.position,
    })
}
