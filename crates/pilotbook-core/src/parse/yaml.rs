//! YAML front matter → [`Node`], from saphyr-parser's event stream.
//!
//! Building the tree from events (rather than through serde) keeps every
//! scalar's text and style and every position, and lets this module refuse
//! what a metadata block never needs and an attacker loves: aliases (the
//! "billion laughs"), nesting deeper than [`MAX_DEPTH`], duplicate keys and
//! non-scalar keys. The builder keeps its own stack, so depth never
//! touches the call stack.

use super::frontmatter::SyntaxError;
use super::node::{Key, Node, Scalar, ScalarKind, Value};
use crate::source::{Position, to_u32};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Deepest nesting of lists and mappings accepted.
pub const MAX_DEPTH: usize = 64;

enum Frame {
    List {
        position: Position,
        items: Vec<Node>,
    },
    Map {
        position: Position,
        entries: Vec<(Key, Node)>,
        key: Option<Key>,
    },
}

/// Parse `region`, whose first line is line `first_line` of the file:
/// the common subset on the fast path, everything else here.
pub fn parse(region: &str, first_line: u32) -> Result<Node, SyntaxError> {
    match super::yaml_fast::parse(region, first_line) {
        Some(node) => Ok(node),
        None => parse_full(region, first_line),
    }
}

/// Parse `region` with the full YAML parser.
pub fn parse_full(region: &str, first_line: u32) -> Result<Node, SyntaxError> {
    let at = |span: &Span| {
        Position::new(
            first_line + to_u32(span.start.line()).saturating_sub(1),
            to_u32(span.start.col() + 1),
        )
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    for event in Parser::new_from_str(region) {
        let (event, span) = event.map_err(|e| {
            let m = e.marker();
            SyntaxError {
                position: Position::new(
                    first_line + to_u32(m.line()).saturating_sub(1),
                    to_u32(m.col() + 1),
                ),
                message: format!("invalid YAML: {}", e.info()),
                help: "check the indentation and quoting on this line; values with `:` or `#` need quotes".to_string(),
            }
        })?;
        let position = at(&span);
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxError {
                        position,
                        message: "the front matter holds more than one YAML document".into(),
                        help: "keep one `key: value` block between the `---` lines".into(),
                    });
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(SyntaxError {
                    position,
                    message: "YAML aliases (`*name`) are not accepted in front matter".into(),
                    help: "write the value out where it is used".into(),
                });
            }
            Event::Scalar(text, style, _, tag) => {
                let quoted =
                    style != ScalarStyle::Plain || tag.as_ref().is_some_and(|t| t.suffix == "str");
                scalar_node(text.into_owned(), quoted, position)
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        position,
                        message: format!("the front matter nests deeper than {MAX_DEPTH} levels"),
                        help: "flatten the structure".into(),
                    });
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::List {
                        position,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        position,
                        entries: Vec::new(),
                        key: None,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::List { position, items }) => Node {
                    value: Value::List(items),
                    position,
                },
                Some(Frame::Map {
                    position, entries, ..
                }) => Node {
                    value: Value::Map(entries),
                    position,
                },
                None => continue,
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(frame) => attach(frame, node)?,
        }
    }
    Ok(root.unwrap_or(Node {
        value: Value::Null,
        position: Position::new(first_line, 1),
    }))
}

/// A scalar's node: a plain empty, `~` or `null` is null; any other text
/// keeps its text and whether it was quoted.
fn scalar_node(text: String, quoted: bool, position: Position) -> Node {
    if !quoted && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
        return Node {
            value: Value::Null,
            position,
        };
    }
    Node {
        value: Value::Scalar(Scalar {
            text,
            kind: if quoted {
                ScalarKind::Quoted
            } else {
                ScalarKind::Plain
            },
        }),
        position,
    }
}

/// Put a finished node into the open list or mapping: in a mapping it is
/// the next key (a plain name, not given before) or the value of the key
/// before it.
fn attach(frame: &mut Frame, node: Node) -> Result<(), SyntaxError> {
    let (entries, key) = match frame {
        Frame::List { items, .. } => {
            items.push(node);
            return Ok(());
        }
        Frame::Map { entries, key, .. } => (entries, key),
    };
    if let Some(k) = key.take() {
        entries.push((k, node));
        return Ok(());
    }
    let name = match node.value {
        Value::Scalar(s) => s.text,
        Value::Null => String::new(),
        _ => {
            return Err(SyntaxError {
                position: node.position,
                message: "a mapping key must be a plain name".into(),
                help: "write keys as `name: value`".into(),
            });
        }
    };
    if let Some((first, _)) = entries.iter().find(|(k, _)| k.name == name) {
        return Err(SyntaxError {
            position: node.position,
            message: format!(
                "duplicate key `{name}` (first given on line {})",
                first.position.line
            ),
            help: "keep one of the two; YAML would silently drop the first".into(),
        });
    }
    *key = Some(Key {
        name,
        position: node.position,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_file_lines() {
        let node = parse("title: A\nowner:\n  - x\n", 2).expect("valid");
        let (key, value) = node.entry("owner").expect("owner");
        assert_eq!(key.position, Position::new(3, 1));
        assert!(matches!(value.value, Value::List(_)));
        let e = parse("a: 1\nb: [\n", 2).unwrap_err();
        assert!(e.position.line >= 3, "{e:?}");
    }

    #[test]
    fn refuses_aliases_duplicates_and_depth() {
        assert!(
            parse("a: &x 1\nb: *x\n", 2)
                .unwrap_err()
                .message
                .contains("alias")
        );
        assert!(
            parse("a: 1\na: 2\n", 2)
                .unwrap_err()
                .message
                .contains("duplicate")
        );
        let deep = format!("a: {}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deep, 2).unwrap_err().message.contains("deeper"));
    }

    #[test]
    fn quoted_and_plain_scalars() {
        let node = parse("id: \"0123\"\nn: 0123\n", 2).expect("valid");
        let kind = |k: &str| match &node.get(k).expect("key").value {
            Value::Scalar(s) => s.kind,
            _ => panic!("not a scalar"),
        };
        assert_eq!(kind("id"), ScalarKind::Quoted);
        assert_eq!(kind("n"), ScalarKind::Plain);
    }

    use proptest::prelude::*;

    /// A front matter in (or near) the fast path's subset.
    fn document() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("title"),
            Just("status"),
            Just("owner"),
            Just("metric"),
            Just("target"),
            Just("due"),
            Just("a b"),
            Just("x-y"),
            Just("Über"),
            Just("k"),
            Just("url")
        ];
        let scalar = prop_oneof![
            Just("plain words".to_string()),
            Just("2026-06-01".to_string()),
            Just("0123".to_string()),
            Just("-5".to_string()),
            Just("1.10".to_string()),
            Just("~".to_string()),
            Just("null".to_string()),
            Just("\">= 92%\"".to_string()),
            Just("'it''s'".to_string()),
            Just("'a # b'".to_string()),
            Just("\"a \\\" b\"".to_string()),
            Just("http://x.y/z".to_string()),
            Just("C# and F#".to_string()),
            Just("value # comment".to_string()),
            Just("a: b".to_string()),
            Just("[1, 2]".to_string()),
            Just("&anchor x".to_string()),
            Just("|".to_string()),
            Just("\"unterminated".to_string()),
            Just("'x'y".to_string()),
            Just("ünïcödé".to_string()),
            "[a-z0-9 .:#'\"-]{1,12}",
        ];
        let entry = (
            key.clone(),
            scalar.clone(),
            0..6usize,
            key.clone(),
            scalar.clone(),
        );
        let line = (entry, prop_oneof![Just(2usize), Just(4)], any::<bool>()).prop_map(
            |((k, v, shape, k2, v2), step, same_indent)| {
                let pad = " ".repeat(step);
                let dash = if same_indent {
                    String::new()
                } else {
                    pad.clone()
                };
                match shape {
                    0 => format!("{k}: {v}\n"),
                    1 => format!("{k}:\n{dash}- {v}\n{dash}- {v2}\n"),
                    2 => {
                        format!("{k}:\n{dash}- {k2}: {v}\n{dash}  {k}: {v2}\n{dash}- {k2}: {v2}\n")
                    }
                    3 => format!("{k}:\n{pad}{k2}: {v}\n{pad}{k}x: {v2}\n"),
                    4 => format!("# comment\n\n{k}:   {v}   \n"),
                    _ => format!("{k}:\n"),
                }
            },
        );
        proptest::collection::vec(line, 0..6).prop_map(|lines| lines.concat())
    }

    static FAST: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static ALL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Wherever the fast path answers, it answers what the full parser does.
        #[test]
        fn fast_path_agrees_with_saphyr(doc in document(), crlf in any::<bool>()) {
            let doc = if crlf { doc.replace('\n', "\r\n") } else { doc };
            let all = ALL.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(fast) = super::super::yaml_fast::parse(&doc, 2) {
                FAST.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let full = parse_full(&doc, 2);
                prop_assert_eq!(Ok(fast), full, "document:\n{}", doc);
            }
            // The generator must keep exercising the fast path.
            if all == 2000 {
                prop_assert!(FAST.load(std::sync::atomic::Ordering::Relaxed) > 200);
            }
        }
    }

    #[test]
    fn typical_front_matter_takes_the_fast_path() {
        let doc = "title: Support ticket triage agent\nstatus: pilot   # comment\nowner: dana-kim\nmetrics:\n  - metric: triage-accuracy\n    target: \">= 92%\"\n    actual: '94%'\nproduction_path:\n- milestone: GA\n  due: 2026-09-01\ntags: []\n";
        assert!(
            super::super::yaml_fast::parse(doc, 2).is_none(),
            "flow [] is left to saphyr"
        );
        let doc = doc.replace("tags: []\n", "");
        let fast = super::super::yaml_fast::parse(&doc, 2).expect("in the subset");
        assert_eq!(Ok(fast), parse_full(&doc, 2));
    }
}
