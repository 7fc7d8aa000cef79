//! TOML front matter (between `+++` lines) → [`Node`].

use super::frontmatter::SyntaxError;
use super::node::{Key, Node, Scalar, ScalarKind, Value};
use crate::source::LineIndex;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Parse `region`, which starts at byte `offset` of the file `text`.
pub fn parse(
    region: &str,
    offset: usize,
    text: &str,
    lines: &LineIndex,
) -> Result<Node, SyntaxError> {
    let at = |start: usize| lines.position(text, offset + start);
    match DeTable::parse(region) {
        Ok(table) => {
            let span = table.span();
            Ok(table_node(table.into_inner(), at(span.start), &at))
        }
        Err(e) => Err(SyntaxError {
            position: at(e.span().map_or(0, |s| s.start)),
            message: format!("invalid TOML: {}", e.message().trim()),
            help: "check the quoting on this line; strings need quotes in TOML".to_string(),
        }),
    }
}

fn table_node(
    table: DeTable<'_>,
    position: crate::source::Position,
    at: &dyn Fn(usize) -> crate::source::Position,
) -> Node {
    let entries = table
        .into_iter()
        .map(|(k, v)| {
            let key = Key {
                name: k.get_ref().to_string(),
                position: at(k.span().start),
            };
            (key, value_node(v, at))
        })
        .collect();
    Node {
        value: Value::Map(entries),
        position,
    }
}

fn value_node(v: Spanned<DeValue<'_>>, at: &dyn Fn(usize) -> crate::source::Position) -> Node {
    let position = at(v.span().start);
    let scalar = |text: String, kind| Node {
        value: Value::Scalar(Scalar { text, kind }),
        position,
    };
    match v.into_inner() {
        DeValue::String(s) => scalar(s.into_owned(), ScalarKind::Quoted),
        DeValue::Integer(i) => scalar(i.to_string(), ScalarKind::Number),
        DeValue::Float(f) => scalar(f.to_string(), ScalarKind::Number),
        DeValue::Boolean(b) => scalar(b.to_string(), ScalarKind::Bool),
        DeValue::Datetime(d) => scalar(d.to_string(), ScalarKind::Datetime),
        DeValue::Array(items) => Node {
            value: Value::List(items.into_iter().map(|i| value_node(i, at)).collect()),
            position,
        },
        DeValue::Table(t) => table_node(t, position, at),
    }
}
