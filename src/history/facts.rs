//! What the front matter said at one commit: status, owner, `started`,
//! metric targets and milestone due dates. Read from a blob, front matter
//! only. Public so that fuzzing can reach it: any bytes give facts or none,
//! never a panic.

use crate::parse::Node;
use crate::parse::frontmatter;
use crate::source::LineIndex;
use serde::{Deserialize, Serialize};

/// The facts of one version of a pilot document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// `status:`.
    pub status: Option<String>,
    /// `owner:`, when it is one id.
    pub owner: Option<String>,
    /// `started:`, when it is a valid date.
    pub started: Option<String>,
    /// `(metric, target)` for every metric entry with both.
    pub targets: Vec<(String, String)>,
    /// `(milestone, due)` for every milestone with a valid due date.
    pub dues: Vec<(String, String)>,
}

/// The text up to the end of the line that closes a `---` front matter:
/// the body is never needed here, and indexing its lines cost more than
/// parsing the front matter. Anything else (no front matter, a block left
/// open) is returned whole for the parser to judge.
fn front_matter_block(text: &str) -> &str {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return text;
    };
    let mut at = text.len() - rest.len();
    for line in rest.split_inclusive('\n') {
        at += line.len();
        if line.trim_end_matches(['\n', '\r']) == "---" {
            return &text[..at];
        }
    }
    text
}

/// Read the facts of a document version; unreadable versions have none.
pub fn extract(bytes: &[u8]) -> Facts {
    let Ok(text) = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) else {
        return Facts::default();
    };
    let text = front_matter_block(text);
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
        owner: fm
            .get("owner")
            .and_then(Node::as_text)
            .map(|o| o.trim().to_string()),
        started: fm
            .get("started")
            .and_then(Node::as_text)
            .map(str::trim)
            .filter(|d| crate::model::Date::parse(d).is_ok())
            .map(str::to_string),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_matter_alone_gives_the_same_facts() {
        let doc = "---\nstatus: pilot\nmetrics:\n  - metric: a\n    target: \">= 1\"\nproduction_path:\n  - milestone: GA\n    due: 2026-12-01\n---\n\n# T\n\n---\n\nstatus: not this\n";
        assert_eq!(
            front_matter_block(doc),
            &doc[..doc.find("---\n\n# T").map(|i| i + 4).unwrap_or(0)]
        );
        let facts = extract(doc.as_bytes());
        assert_eq!(facts.status.as_deref(), Some("pilot"));
        assert_eq!(facts.targets, vec![("a".to_string(), ">= 1".to_string())]);
        assert_eq!(
            facts.dues,
            vec![("GA".to_string(), "2026-12-01".to_string())]
        );
        for text in [
            "---\r\nstatus: go\r\n---\r\nbody",
            "---\nstatus: go\n---",
            "---\nstatus: go\n",
        ] {
            assert_eq!(extract(text.as_bytes()), extract_whole(text), "{text:?}");
        }
        assert_eq!(front_matter_block("no front matter"), "no front matter");
    }

    /// `extract` without the cut, to compare with.
    fn extract_whole(text: &str) -> Facts {
        let lines = LineIndex::new(text);
        let fm = frontmatter::read("", text, &lines).node;
        Facts {
            status: fm
                .as_ref()
                .and_then(|fm| fm.get("status"))
                .and_then(Node::as_text)
                .map(str::to_string),
            ..Facts::default()
        }
    }
}
