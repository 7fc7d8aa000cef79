//! What the front matter said at one commit: status, metric targets and
//! milestone due dates. Read from a blob, front matter only.

use crate::parse::Node;
use crate::parse::frontmatter;
use crate::source::LineIndex;
use serde::{Deserialize, Serialize};

/// The facts of one version of a pilot document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// `status:`.
    pub status: Option<String>,
    /// `(metric, target)` for every metric entry with both.
    pub targets: Vec<(String, String)>,
    /// `(milestone, due)` for every milestone with a valid due date.
    pub dues: Vec<(String, String)>,
}

/// Read the facts of a document version; unreadable versions have none.
pub fn extract(bytes: &[u8]) -> Facts {
    let Ok(text) = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) else {
        return Facts::default();
    };
    let lines = LineIndex::new(text);
    let Some(fm) = frontmatter::read("", text, &lines).node else {
        return Facts::default();
    };
    let list = |key: &str| -> Vec<&Node> {
        match fm.get(key).map(|n| &n.value) {
            Some(crate::parse::Value::List(items)) => items.iter().collect(),
            _ => Vec::new(),
        }
    };
    let pair = |entry: &Node, a: &str, b: &str| -> Option<(String, String)> {
        let x = entry.get(a)?.as_text()?.trim();
        let y = entry.get(b)?.as_text()?.trim();
        Some((x.to_string(), y.to_string()))
    };
    Facts {
        status: fm.get("status").and_then(Node::as_text).map(str::to_string),
        targets: list("metrics")
            .into_iter()
            .filter_map(|e| pair(e, "metric", "target"))
            .collect(),
        dues: list("production_path")
            .into_iter()
            .filter_map(|e| pair(e, "milestone", "due"))
            .filter(|(_, due)| crate::model::Date::parse(due).is_ok())
            .collect(),
    }
}
