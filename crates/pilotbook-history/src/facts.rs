//! What the front matter said at one commit: status, owner, `started`,
//! metric targets and actuals, and milestone due dates. Read from a blob, front matter
//! only ([`extract`], which fuzzing reaches through `history::read_facts`:
//! any bytes give facts or none, never a panic), and kept as [`Compact`] facts whose texts
//! live once in [`Strings`]: 150,000 versions of a dozen short texts each
//! were otherwise most of the history pass's memory.

use pilotbook_core::parse::Node;
use pilotbook_core::parse::frontmatter;
use pilotbook_core::source::LineIndex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
    /// `(metric, actual)` for every metric entry with both.
    pub actuals: Vec<(String, String)>,
    /// `(milestone, due)` for every milestone with a valid due date.
    pub dues: Vec<(String, String)>,
}

/// Every text the kept facts name, each once; facts hold its indices.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Strings {
    texts: Vec<Box<str>>,
    /// Text → index; rebuilt after loading ([`Strings::reindex`]).
    #[serde(skip)]
    ids: HashMap<Box<str>, u32>,
}

impl Strings {
    /// The index of `text`, added if new.
    pub fn id(&mut self, text: &str) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    /// The text at `id` (empty for an index it never gave out).
    pub fn get(&self, id: u32) -> &str {
        self.texts.get(id as usize).map_or("", |t| t)
    }

    /// Rebuild the lookup after loading the texts alone.
    pub fn reindex(&mut self) {
        self.ids = self
            .texts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
    }

    /// Take in another table's texts; returns, for each of its indices,
    /// the index here.
    pub fn absorb(&mut self, other: &Strings) -> Vec<u32> {
        other.texts.iter().map(|t| self.id(t)).collect()
    }
}

/// One version's facts, each text an index into [`Strings`]. There is one
/// per version of every pilot (a hundred thousand at 10,000 pilots), held
/// at once in a map by blob: so its texts are indices, its three lists one
/// allocation, and "none" an index of 0 instead of an `Option`'s 8 bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compact {
    /// `status:`, `owner:` and `started:`, each as index + 1 (0: none).
    scalars: [u32; 3],
    /// `(metric, target)`, then `(metric, actual)`, then `(milestone,
    /// due)`; `None` when all three are empty (so that an empty fact
    /// needs no allocation and [`NO_FACTS`] can be a constant).
    pairs: Option<Box<[(u32, u32)]>>,
    /// Where the actuals and the dues start in `pairs`.
    starts: [u32; 2],
}

/// The facts of an absent version.
pub static NO_FACTS: Compact = Compact {
    scalars: [0; 3],
    pairs: None,
    starts: [0; 2],
};

impl Compact {
    /// `facts` with its texts kept in `strings`.
    pub fn new(facts: &Facts, strings: &mut Strings) -> Compact {
        let mut one =
            |t: &Option<String>| t.as_deref().map_or(0, |t| strings.id(t).saturating_add(1));
        let scalars = [one(&facts.status), one(&facts.owner), one(&facts.started)];
        let lists = [&facts.targets, &facts.actuals, &facts.dues];
        let pairs: Vec<(u32, u32)> = lists
            .iter()
            .flat_map(|list| list.iter())
            .map(|(a, b)| (strings.id(a), strings.id(b)))
            .collect();
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Compact {
            scalars,
            starts: [
                at(facts.targets.len()),
                at(facts.targets.len() + facts.actuals.len()),
            ],
            pairs: (!pairs.is_empty()).then(|| pairs.into_boxed_slice()),
        }
    }

    fn scalar(&self, i: usize) -> Option<u32> {
        self.scalars[i].checked_sub(1)
    }

    /// `status:`.
    pub fn status(&self) -> Option<u32> {
        self.scalar(0)
    }

    /// `owner:`.
    pub fn owner(&self) -> Option<u32> {
        self.scalar(1)
    }

    /// `started:`.
    pub fn started(&self) -> Option<u32> {
        self.scalar(2)
    }

    fn list(&self, from: usize, to: usize) -> &[(u32, u32)] {
        let pairs = self.pairs.as_deref().unwrap_or_default();
        pairs
            .get(from.min(to)..to.min(pairs.len()))
            .unwrap_or_default()
    }

    /// `(metric, target)`.
    pub fn targets(&self) -> &[(u32, u32)] {
        self.list(0, self.starts[0] as usize)
    }

    /// `(metric, actual)`.
    pub fn actuals(&self) -> &[(u32, u32)] {
        self.list(self.starts[0] as usize, self.starts[1] as usize)
    }

    /// `(milestone, due)`.
    pub fn dues(&self) -> &[(u32, u32)] {
        self.list(self.starts[1] as usize, usize::MAX)
    }

    /// Renumber its texts (`map[old] = new`).
    pub fn remap(&mut self, map: &[u32]) {
        let at = |id: u32| map.get(id as usize).copied().unwrap_or(id);
        for id in self.scalars.iter_mut().filter(|id| **id != 0) {
            *id = at(*id - 1).saturating_add(1);
        }
        for (a, b) in self.pairs.iter_mut().flat_map(|p| p.iter_mut()) {
            (*a, *b) = (at(*a), at(*b));
        }
    }
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
            Some(pilotbook_core::parse::Value::List(items)) => items.iter().collect(),
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
            .filter(|d| pilotbook_core::model::Date::parse(d).is_ok())
            .map(str::to_string),
        targets: list("metrics")
            .into_iter()
            .filter_map(|e| pair(e, "metric", "target"))
            .collect(),
        actuals: list("metrics")
            .into_iter()
            .filter_map(|e| pair(e, "metric", "actual"))
            .collect(),
        dues: list("production_path")
            .into_iter()
            .filter_map(|e| pair(e, "milestone", "due"))
            .filter(|(_, due)| pilotbook_core::model::Date::parse(due).is_ok())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_facts_give_back_each_list_and_no_facts_equal_none() {
        let facts = Facts {
            status: Some("pilot".into()),
            owner: None,
            started: Some("2026-01-05".into()),
            targets: vec![("a".into(), ">= 1".into()), ("b".into(), "< 2".into())],
            actuals: vec![("a".into(), "3".into())],
            dues: vec![("launch".into(), "2026-03-01".into())],
        };
        let mut strings = Strings::default();
        let compact = Compact::new(&facts, &mut strings);
        fn texts(strings: &Strings, pairs: &[(u32, u32)]) -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (strings.get(*a).to_string(), strings.get(*b).to_string()))
                .collect()
        }
        assert_eq!(texts(&strings, compact.targets()), facts.targets);
        assert_eq!(texts(&strings, compact.actuals()), facts.actuals);
        assert_eq!(texts(&strings, compact.dues()), facts.dues);
        assert_eq!(compact.status().map(|s| strings.get(s)), Some("pilot"));
        assert_eq!(compact.owner(), None);
        assert_eq!(
            compact.started().map(|s| strings.get(s)),
            Some("2026-01-05")
        );
        let none = Compact::new(&Facts::default(), &mut strings);
        assert_eq!(none, NO_FACTS);
        assert!(none.targets().is_empty() && none.dues().is_empty());
        let only_dues = Facts {
            dues: facts.dues.clone(),
            ..Facts::default()
        };
        let compact = Compact::new(&only_dues, &mut strings);
        assert!(compact.targets().is_empty() && compact.actuals().is_empty());
        assert_eq!(texts(&strings, compact.dues()), facts.dues);
    }

    #[test]
    fn compact_facts_keep_each_text_once_and_survive_a_merge_of_tables() {
        let doc = "---\nstatus: pilot\nowner: dana-kim\nmetrics:\n  - metric: a\n    target: \">= 1\"\n  - metric: b\n    target: \">= 1\"\n---\n";
        let facts = extract(doc.as_bytes());
        let mut local = Strings::default();
        let mut compact = Compact::new(&facts, &mut local);
        assert_eq!(local.texts.len(), 5, "pilot, dana-kim, a, >= 1, b");
        assert_eq!(compact.targets()[0].1, compact.targets()[1].1);
        let mut global = Strings::default();
        global.id("first");
        let map = global.absorb(&local);
        compact.remap(&map);
        assert_eq!(compact.status().map(|s| global.get(s)), Some("pilot"));
        assert_eq!(global.get(compact.targets()[1].0), "b");
        let mut loaded: Strings =
            postcard::from_bytes(&postcard::to_allocvec(&global).expect("encode")).expect("decode");
        loaded.reindex();
        assert_eq!(loaded.id("dana-kim"), compact.owner().expect("owner"));
    }

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
