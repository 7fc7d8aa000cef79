//! The front matter as a tree of values that remember where they were written.
//!
//! YAML and TOML front matter both become a [`Node`]. Scalars keep their
//! source text and whether they were quoted, so that later stages type them
//! as the schema wants: an `id: 0123` stays the string `0123`, a date stays
//! the date the author wrote, and only an unquoted `92` is a number.

use crate::source::Position;

/// A value and the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it starts in the file.
    pub position: Position,
}

/// A front-matter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// Text, a number, a boolean or a date, as written.
    Scalar(Scalar),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in source order; keys are unique.
    Map(Vec<(Key, Node)>),
}

/// A mapping key and its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key as written.
    pub name: String,
    /// Where it starts in the file.
    pub position: Position,
}

/// A scalar as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The text, after YAML/TOML unescaping.
    pub text: String,
    /// How it was written.
    pub kind: ScalarKind,
}

/// How a scalar was written, which decides what it may mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// Quoted or block text: always a string.
    Quoted,
    /// An unquoted YAML scalar: a number, boolean or date where it looks like one.
    Plain,
    /// A TOML integer or float.
    Number,
    /// A TOML boolean.
    Bool,
    /// A TOML date or date-time.
    Datetime,
}

impl Node {
    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value under `key` when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The entries when this node is a mapping.
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The scalar's text, for any scalar.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A number: an unquoted YAML number or a TOML number.
    pub fn as_number(&self) -> Option<f64> {
        match &self.value {
            Value::Scalar(Scalar {
                text,
                kind: ScalarKind::Plain | ScalarKind::Number,
            }) => parse_plain_number(text),
            _ => None,
        }
    }

    /// A boolean: unquoted `true`/`false` (any case) or a TOML boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(Scalar {
                text,
                kind: ScalarKind::Plain | ScalarKind::Bool,
            }) => match text.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A short description of the value's shape, for messages.
    pub fn describe(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Scalar(_) => "a single value",
            Value::List(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The value as JSON, resolving unquoted scalars the way YAML's core
    /// schema does, except that numbers with leading zeros stay strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Scalar(s) => match s.kind {
                ScalarKind::Quoted | ScalarKind::Datetime => J::String(s.text.clone()),
                ScalarKind::Bool | ScalarKind::Plain | ScalarKind::Number => {
                    if let Some(b) = self.as_bool() {
                        J::Bool(b)
                    } else if s.kind != ScalarKind::Bool
                        && let Some(n) = json_number(&s.text)
                    {
                        J::Number(n)
                    } else if s.kind == ScalarKind::Plain
                        && matches!(s.text.as_str(), "null" | "Null" | "NULL" | "~")
                    {
                        J::Null
                    } else {
                        J::String(s.text.clone())
                    }
                }
            },
            Value::List(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn has_leading_zero(text: &str) -> bool {
    let digits = text.trim_start_matches(['-', '+']);
    digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.")
}

fn parse_plain_number(text: &str) -> Option<f64> {
    let t = text.trim().replace('_', "");
    if t.is_empty() || has_leading_zero(&t) {
        return None;
    }
    let ok = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if !ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn json_number(text: &str) -> Option<serde_json::Number> {
    let t = text.trim().replace('_', "");
    if has_leading_zero(&t) {
        return None;
    }
    if let Ok(i) = t.parse::<i64>() {
        return Some(i.into());
    }
    parse_plain_number(&t).and_then(serde_json::Number::from_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Node {
        Node {
            value: Value::Scalar(Scalar {
                text: text.into(),
                kind: ScalarKind::Plain,
            }),
            position: Position::START,
        }
    }

    #[test]
    fn plain_scalars_resolve_like_yaml_but_keep_leading_zeros() {
        assert_eq!(plain("0123").to_json(), serde_json::json!("0123"));
        assert_eq!(plain("123").to_json(), serde_json::json!(123));
        assert_eq!(plain("1.10").to_json(), serde_json::json!(1.1));
        assert_eq!(plain("true").to_json(), serde_json::json!(true));
        assert_eq!(plain("~").to_json(), serde_json::Value::Null);
        assert_eq!(
            plain("2026-06-01").to_json(),
            serde_json::json!("2026-06-01")
        );
        assert_eq!(plain("92").as_number(), Some(92.0));
        assert_eq!(plain("0123").as_number(), None);
    }
}
