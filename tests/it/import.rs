//! Reading an export back (`pilotbook_core::import`), against the export
//! itself as the oracle: `pilotbook export` of the example portfolio, read
//! back, must give each document the front matter, title, sections (with
//! their lines) and history the export wrote for it. And no change to a
//! valid export makes the reader panic.

use crate::support::pilotbook;
use pilotbook_core::config::Limits;
use pilotbook_core::import::{ImportedDocument, read};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::OnceLock;

/// The example portfolio's export, made once.
fn example_export() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/example-repo"));
        let out = pilotbook(root, &["export"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("the export is UTF-8")
    })
}

/// The export's entity for an imported document.
fn original<'a>(export: &'a Value, doc: &ImportedDocument) -> &'a Value {
    export[&doc.kind]
        .as_array()
        .and_then(|list| {
            list.iter()
                .find(|e| e["path"] == json!(doc.path) && e["source"] == json!(doc.source))
        })
        .unwrap_or_else(|| panic!("no entity for {} {}", doc.kind, doc.path))
}

/// What the parse of the imported document says, in the export's terms.
fn as_exported(doc: &ImportedDocument) -> Value {
    let sections: Vec<Value> = doc
        .parsed
        .sections
        .iter()
        .map(
            |s| json!({"title": s.heading.text, "line": s.heading.position.line, "empty": s.empty}),
        )
        .collect();
    json!({
        "front_matter": doc.parsed.front_matter.as_ref().map(|fm| fm.to_json()),
        "title": doc.parsed.h1.as_ref().map(|h| h.text.clone()),
        "sections": sections,
        "history": doc.history.as_ref().map(pilotbook_core::export::history_json),
    })
}

#[test]
fn the_example_export_reads_back_as_itself() {
    let text = example_export();
    let export: Value = serde_json::from_str(text).expect("JSON");
    let imported = read("example.json", text, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.version, pilotbook_core::export::VERSION);
    assert_eq!(imported.root, "example-repo");
    assert_eq!(imported.head.as_deref(), export["history"]["head"].as_str());
    let defined = export
        .as_object()
        .into_iter()
        .flat_map(|o| o.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter(|e| e["defined"] == json!(true))
        .count();
    assert!(defined > 10, "the example has documents");
    assert_eq!(imported.documents.len(), defined);
    let mut with_history = 0;
    for doc in &imported.documents {
        let entity = original(&export, doc);
        let expected = json!({
            "front_matter": entity["front_matter"],
            "title": entity["title"],
            "sections": entity["sections"],
            "history": entity["history"],
        });
        assert_eq!(as_exported(doc), expected, "{}", doc.path);
        assert!(
            doc.parsed.diagnostics.is_empty(),
            "{}: {:?}",
            doc.path,
            doc.parsed.diagnostics
        );
        with_history += usize::from(doc.history.as_ref().is_some_and(|h| !h.commits.is_empty()));
    }
    // The comparison above saw histories, not only nulls.
    assert!(with_history > 5);
}

#[test]
fn a_version_1_export_reads_back_without_sources() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/export/v1.json");
    let text = std::fs::read_to_string(path).expect("the v1 fixture");
    let imported = read("v1.json", &text, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((imported.version, imported.root.as_str()), (1, ""));
    let export: Value = serde_json::from_str(&text).expect("JSON");
    let triage = imported
        .documents
        .iter()
        .find(|d| d.path == "pilots/triage.md")
        .expect("the pilot");
    assert_eq!(triage.source, None);
    let h = triage.history.as_ref().expect("a history");
    // The change's commit is the listed commit, one shared value.
    assert!(std::sync::Arc::ptr_eq(
        &h.status_changes[1].commit,
        &h.commits[0]
    ));
    assert_eq!(h.commits[0].date.offset_minutes, -330);
    for doc in &imported.documents {
        // Version 2 adds each metric's actuals over time; version 1 had none.
        let mut again = as_exported(doc)["history"].clone();
        if let Some(history) = again.as_object_mut() {
            assert_eq!(
                history.remove("actual_changes"),
                Some(Value::Array(Vec::new()))
            );
        }
        assert_eq!(again, original(&export, doc)["history"], "{}", doc.path);
    }
}

/// A valid export, changed at one place: a byte replaced, a range cut, or
/// text inserted.
fn mutated() -> impl Strategy<Value = String> {
    let text = example_export();
    let len = text.len();
    let pieces = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("\""),
        Just("\\"),
        Just("null"),
        Just("-1"),
        Just("1e999"),
        Just("\"version\": 3,"),
        Just("\u{feff}"),
        Just("\u{0}"),
        Just("é"),
        Just("18446744073709551616"),
        Just("\"line\": 4294967295"),
    ];
    (0..len, 0..64usize, pieces, 0..3u8).prop_map(move |(at, cut, piece, how)| {
        let at = (0..=at)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let end = (at + cut..=len)
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(len);
        match how {
            0 => format!("{}{}", &text[..at], &text[end..]),
            1 => format!("{}{piece}{}", &text[..at], &text[at..]),
            _ => format!("{}{piece}{}", &text[..at], &text[end..]),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_changed_export_is_read_or_refused_never_a_panic(text in mutated()) {
        match read("x.json", &text, &Limits::default()) {
            Ok(imported) => prop_assert!(imported.version <= 2),
            Err(e) => {
                prop_assert!(e.line >= 1 && e.column >= 1, "{e}");
                prop_assert!(e.to_string().starts_with("x.json:"));
            }
        }
    }
}
