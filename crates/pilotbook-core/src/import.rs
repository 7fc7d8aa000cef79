//! Reading a `pilotbook export` back: the documents of an export source
//! (`[[sources]] export = "…"`), as the parser would have read them.
//!
//! The export is a contract (`docs/schema/export-v<N>.schema.json`), and
//! this is its reader: versions 1 and 2 are read, a newer one is refused
//! with a message that says which pilotbook to use. Every refusal is an
//! [`ImportError`] with the line and column of the offending value, never
//! a panic and never a guess: a version 1 export has no `sources` and no
//! entity `source`, a version 2 export has both, and anything else is an
//! error.
//!
//! Each defined entity becomes a real [`ParsedDocument`] by writing the
//! Markdown it stands for (its front matter, its title, its sections at
//! their lines: [`markdown`]) and running the one parser on it, so that
//! the portfolio's rules find what the source's own check found, at the
//! same lines. Its `history` becomes a [`DocumentHistory`] again
//! ([`history`]).
//!
//! Pure: text in, values out. Reading the file is the caller's job
//! (through [`crate::confined`]).

mod history;
mod markdown;

use crate::config::Limits;
use crate::history::DocumentHistory;
use crate::parse::ParsedDocument;
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The newest export version this pilotbook reads (and writes).
pub const NEWEST: u32 = crate::export::VERSION;

/// An export, read.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The format version the file was written in.
    pub version: u32,
    /// The exporting pilotbook root's folder inside its repository (`""`
    /// at the top, and for version 1, which did not say).
    pub root: String,
    /// The commit the exported history ends at.
    pub head: Option<String>,
    /// Why the exporting repository's history was unavailable; `None`
    /// when it was read.
    pub unavailable: Option<String>,
    /// The documents, in the export's order (kind by kind, each sorted).
    pub documents: Vec<ImportedDocument>,
}

/// One document of an export.
#[derive(Debug, Clone)]
pub struct ImportedDocument {
    /// The kind's key in the export: its plural (`pilots`, `people`, …)
    /// for a built-in kind, its name for a custom one.
    pub kind: String,
    /// The path as the export wrote it: root-relative for the exporting
    /// repository's own documents (see [`ImportedDocument::repository_path`]),
    /// inside the source's repository for a document of one of its sources.
    pub path: String,
    /// The exporting portfolio's `[[sources]]` entry the document came
    /// from; `None` for its own (always, in version 1).
    pub source: Option<String>,
    /// The document as the parser reads the Markdown written for it.
    pub parsed: ParsedDocument,
    /// Its history; `None` when the export had none.
    pub history: Option<DocumentHistory>,
}

impl ImportedDocument {
    /// The path inside its repository: `root` (the [`Imported::root`])
    /// joined to the path for the exporting repository's own documents.
    pub fn repository_path(&self, root: &str) -> String {
        match (&self.source, root.is_empty()) {
            (Some(_), _) | (None, true) => self.path.clone(),
            (None, false) => format!("{root}/{}", self.path),
        }
    }
}

/// Why an export could not be read: where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ImportError {
    /// The file, as the caller named it.
    pub file: String,
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column of the offending value.
    pub column: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Read an export. `file` names it in errors; `limits` bound each
/// document's parse as they bound a file's.
pub fn read(file: &str, text: &str, limits: &Limits) -> Result<Imported, ImportError> {
    let version = version(file, text)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = ExportSeed { version, limits };
    let parsed = seed
        .deserialize(&mut de)
        .and_then(|imported| de.end().map(|()| imported));
    parsed.map_err(|e| json_error(file, text, &e))
}

/// The error for what serde_json refused, at the place it names.
fn json_error(file: &str, text: &str, e: &serde_json::Error) -> ImportError {
    let full = e.to_string();
    // serde_json appends the position, which the error carries apart.
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    let message = if e.is_syntax() || e.is_eof() {
        format!(
            "this is not valid JSON ({message}); a `pilotbook export` file is read as written: export it again rather than editing it"
        )
    } else {
        format!(
            "this is not the shape of a pilotbook export ({message}); export it again with `pilotbook export`"
        )
    };
    // At the end of the input serde_json says line 0 only when empty.
    let (line, column) = if e.line() == 0 {
        end_of(text)
    } else if e.is_data() {
        value_after(text, e.line(), e.column())
    } else {
        (e.line(), e.column().max(1))
    };
    ImportError {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

/// Where a value serde_json refused starts: it names the last character
/// it read, which for a value it only peeked at is the blank or `:`
/// before it.
fn value_after(text: &str, line: usize, column: usize) -> (usize, usize) {
    let Some(line_text) = text.split('\n').nth(line.saturating_sub(1)) else {
        return (line, column.max(1));
    };
    let mut chars = line_text.chars().skip(column.saturating_sub(1)).peekable();
    let mut column = column.max(1);
    while chars.next_if(|c| c.is_whitespace() || *c == ':').is_some() {
        column += 1;
    }
    (line, column)
}

/// The line and column just past the text's last character.
fn end_of(text: &str) -> (usize, usize) {
    position(text, text.len())
}

/// The 1-based line and column (in characters) of byte `offset`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// The export's `version`, read before anything else: a newer version
/// may have any shape, and its reader must say "upgrade", not "malformed".
fn version(file: &str, text: &str) -> Result<u32, ImportError> {
    #[derive(Deserialize)]
    #[serde(expecting = "a pilotbook export (a JSON object)")]
    struct Probe {
        version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_str(text).map_err(|e| json_error(file, text, &e))?;
    let at = |offset: usize, message: String| {
        let (line, column) = position(text, offset);
        ImportError {
            file: file.to_string(),
            line,
            column,
            message,
        }
    };
    let Some(value) = probe.version else {
        let start = text.len() - text.trim_start().len();
        return Err(at(
            start,
            "the export has no `version`: it was not written by `pilotbook export`; export it again".into(),
        ));
    };
    let offset = top_level_value(text, "version").unwrap_or(0);
    match value.as_u64() {
        Some(v @ 1..=2) => Ok(u32::try_from(v).unwrap_or(NEWEST)),
        Some(v) if v > u64::from(NEWEST) => Err(at(
            offset,
            format!(
                "export version {v} was written by a newer pilotbook; this one reads versions 1 and {NEWEST}: upgrade pilotbook, or export with the same version"
            ),
        )),
        _ => Err(at(
            offset,
            format!(
                "`version` is {value}, but an export's version is a whole number from 1 to {NEWEST}: export it again with `pilotbook export`"
            ),
        )),
    }
}

/// The byte offset of the value of `key` in the top-level object of
/// `text`, which is valid JSON: a lexical scan that skips strings and
/// nested values, so that a `version` inside a document's front matter is
/// never taken for the export's.
fn top_level_value(text: &str, key: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    let mut expecting_key = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'{' | b'[' => {
                depth += 1;
                expecting_key = depth == 1 && b == b'{';
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting_key = true,
            b'"' => {
                let end = string_end(bytes, i)?;
                if expecting_key && depth == 1 {
                    expecting_key = false;
                    let name: String = serde_json::from_str(text.get(i..end)?).ok()?;
                    if name == key {
                        let rest = text.get(end..)?;
                        let colon = rest.find(':')?;
                        let value = &rest[colon + 1..];
                        return Some(end + colon + 1 + (value.len() - value.trim_start().len()));
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The byte just past the JSON string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// Reads the top-level object once the version is known: the keys of
/// that version, and every other key a kind's list of entities.
struct ExportSeed<'l> {
    version: u32,
    limits: &'l Limits,
}

impl<'de> DeserializeSeed<'de> for ExportSeed<'_> {
    type Value = Imported;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Imported, D::Error> {
        d.deserialize_map(self)
    }
}

/// The top-level `history` object.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryStateIn {
    available: bool,
    head: Option<String>,
    reason: Option<String>,
}

impl<'de> Visitor<'de> for ExportSeed<'_> {
    type Value = Imported;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a pilotbook export (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Imported, A::Error> {
        use serde::de::Error;
        let v2 = self.version >= 2;
        let mut out = Imported {
            version: self.version,
            root: String::new(),
            head: None,
            unavailable: None,
            documents: Vec::new(),
        };
        let (mut seen_root, mut seen_sources, mut seen_history) = (false, false, false);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "version" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "history" => {
                    let h: HistoryStateIn = map.next_value()?;
                    out.head = h.head;
                    out.unavailable = (!h.available).then(|| {
                        h.reason.unwrap_or_else(|| {
                            "the exporting repository's history was unavailable".into()
                        })
                    });
                    seen_history = true;
                }
                "root" | "sources" if !v2 => {
                    return Err(A::Error::custom(format!(
                        "`{key}` is part of version 2, but this export says version {}",
                        self.version
                    )));
                }
                "root" => {
                    out.root = map.next_value()?;
                    seen_root = true;
                }
                "sources" => {
                    map.next_value::<Vec<SourceIn>>()?;
                    seen_sources = true;
                }
                _ => {
                    let seed = Entities {
                        v2,
                        kind: &key,
                        limits: self.limits,
                        out: &mut out.documents,
                    };
                    map.next_value_seed(seed)?;
                }
            }
        }
        for (seen, name) in [
            (seen_history, "history"),
            (seen_root || !v2, "root"),
            (seen_sources || !v2, "sources"),
        ] {
            if !seen {
                return Err(A::Error::missing_field(name));
            }
        }
        Ok(out)
    }
}

/// A `sources` entry of a version 2 export: checked, not kept (the
/// documents say their source themselves).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Read to check the shape.
struct SourceIn {
    name: String,
    kind: crate::history::SourceKind,
    repository: Option<String>,
    root: String,
    head: Option<String>,
    available: bool,
    reason: Option<String>,
    export_version: Option<u32>,
}

/// One kind's list, each defined entity parsed into a document as it is
/// read (the list is never held as JSON).
struct Entities<'a> {
    v2: bool,
    kind: &'a str,
    limits: &'a Limits,
    out: &'a mut Vec<ImportedDocument>,
}

impl<'de> DeserializeSeed<'de> for Entities<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entities<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of `{}` entities", self.kind)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let entity = if self.v2 {
                seq.next_element::<EntityV2>()?.map(EntityV2::into_common)
            } else {
                seq.next_element::<EntityV1>()?.map(EntityV1::into_common)
            };
            let Some(entity) = entity else {
                return Ok(());
            };
            if let Some(doc) = entity
                .into_document(self.kind, self.limits)
                .map_err(serde::de::Error::custom)?
            {
                self.out.push(doc);
            }
        }
    }
}

/// An entity's fields, whichever version wrote it.
struct EntityIn {
    id: String,
    path: Option<String>,
    source: Option<String>,
    defined: bool,
    title: String,
    front_matter: Option<serde_json::Map<String, serde_json::Value>>,
    sections: Vec<markdown::SectionIn>,
    history: Option<history::HistoryIn>,
}

/// Both versions' entity, as one struct per version so that each refuses
/// what the other has (a `source` in version 1, none in version 2) at the
/// place serde_json reads it. The pilot's record, the links and the
/// backlinks are checked to be there, not kept: the portfolio derives
/// them again from the front matter.
macro_rules! entity_version {
    ($name:ident { $($source:tt)* }) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)] // The record's fields are named to be allowed, not read.
        struct $name {
            id: String,
            kind: String,
            path: Option<String>,
            $($source)*
            defined: bool,
            title: String,
            front_matter: Option<serde_json::Map<String, serde_json::Value>>,
            sections: Vec<markdown::SectionIn>,
            // A pilot's derived record, flattened into its entity.
            status: Option<IgnoredAny>,
            owner: Option<IgnoredAny>,
            team: Option<IgnoredAny>,
            started: Option<IgnoredAny>,
            decision: Option<IgnoredAny>,
            metrics: Option<IgnoredAny>,
            integrations: Option<IgnoredAny>,
            depends_on: Option<IgnoredAny>,
            production_path: Option<IgnoredAny>,
            dependents: IgnoredAny,
            referenced_by: IgnoredAny,
            history: Option<history::HistoryIn>,
        }
    };
}

entity_version!(EntityV1 {});
entity_version!(EntityV2 {
    // Required, though it may be null.
    #[serde(deserialize_with = "Option::deserialize")]
    source: Option<String>,
});

impl EntityV1 {
    fn into_common(self) -> EntityIn {
        EntityIn {
            id: self.id,
            path: self.path,
            source: None,
            defined: self.defined,
            title: self.title,
            front_matter: self.front_matter,
            sections: self.sections,
            history: self.history,
        }
    }
}

impl EntityV2 {
    fn into_common(self) -> EntityIn {
        EntityIn {
            id: self.id,
            path: self.path,
            source: self.source,
            defined: self.defined,
            title: self.title,
            front_matter: self.front_matter,
            sections: self.sections,
            history: self.history,
        }
    }
}

impl EntityIn {
    /// The document a defined entity stands for; `None` for an undefined
    /// one (a stand-in the portfolio makes again by itself).
    fn into_document(
        self,
        kind: &str,
        limits: &Limits,
    ) -> Result<Option<ImportedDocument>, String> {
        if !self.defined {
            return Ok(None);
        }
        let Some(path) = self.path else {
            return Err(format!("entity `{}` is defined but has no `path`", self.id));
        };
        let text = markdown::write(
            &self.title,
            self.front_matter.as_ref(),
            &self.sections,
            limits.max_file_bytes,
        );
        let parsed = crate::parse::parse_owned_with(&path, text.into_bytes(), limits);
        let history = self
            .history
            .map(history::HistoryIn::into_history)
            .transpose()?;
        Ok(Some(ImportedDocument {
            kind: kind.to_string(),
            path,
            source: self.source,
            parsed,
            history,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An export of one pilot, `version` and the version 2 fields as given.
    fn export(version: &str, v2: bool, front_matter: &str) -> String {
        let (top, source) = if v2 {
            (
                "\"root\": \"docs\",\n\"sources\": [],\n",
                "\"source\": null,\n",
            )
        } else {
            ("", "")
        };
        format!(
            "{{\n\"version\": {version},\n\"history\": {{\"available\": true, \"head\": null, \"reason\": null}},\n{top}\"pilots\": [{{\n\"id\": \"a\",\n\"kind\": \"pilot\",\n\"path\": \"pilots/a.md\",\n{source}\"defined\": true,\n\"title\": \"A\",\n\"front_matter\": {front_matter},\n\"sections\": [{{\"title\": \"Rollback\", \"line\": 9, \"empty\": false}}],\n\"status\": \"pilot\",\n\"dependents\": [],\n\"referenced_by\": [],\n\"history\": null\n}}],\n\"people\": [{{\"id\": \"x\", \"kind\": \"person\", \"path\": null, {source}\"defined\": false, \"title\": \"x\", \"front_matter\": null, \"sections\": [], \"dependents\": [], \"referenced_by\": [], \"history\": null}}]\n}}\n"
        )
    }

    const FM: &str = "{\"title\": \"A\", \"status\": \"pilot\"}";

    fn fails(text: &str) -> String {
        match read("x.json", text, &Limits::default()) {
            Ok(_) => panic!("read: {text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn versions_1_and_2_are_read() {
        for (version, v2) in [("1", false), ("2", true)] {
            let imported = read("x.json", &export(version, v2, FM), &Limits::default())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(imported.version.to_string(), version);
            assert_eq!(imported.root, if v2 { "docs" } else { "" });
            // The undefined person is not a document.
            assert_eq!(imported.documents.len(), 1);
            let doc = &imported.documents[0];
            assert_eq!(
                (doc.kind.as_str(), doc.path.as_str()),
                ("pilots", "pilots/a.md")
            );
            assert_eq!(doc.source, None);
            let fm = doc
                .parsed
                .front_matter
                .as_ref()
                .map(crate::parse::Node::to_json);
            assert_eq!(
                fm,
                Some(serde_json::json!({"title": "A", "status": "pilot"}))
            );
            let s = &doc.parsed.sections[0];
            assert_eq!(
                (s.heading.text.as_str(), s.heading.position.line, s.empty),
                ("Rollback", 9, false)
            );
        }
    }

    #[test]
    fn what_cannot_be_read_is_located() {
        let v3 = fails(&export("3", true, FM));
        assert!(v3.starts_with("x.json:2:12: export version 3 was written by a newer pilotbook; this one reads versions 1 and 2: upgrade pilotbook"), "{v3}");
        assert!(
            fails(&export("\"2\"", true, FM)).starts_with("x.json:2:12: `version` is \"2\", but")
        );
        assert!(fails(&export("0", true, FM)).starts_with("x.json:2:12: `version` is 0"));
        assert_eq!(
            fails("[1]"),
            "x.json:1:1: this is not the shape of a pilotbook export (invalid type: sequence, expected a pilotbook export (a JSON object)); export it again with `pilotbook export`"
        );
        let missing = export("1", false, FM).replace("\"version\": 1,\n", "");
        assert!(fails(&missing).starts_with("x.json:1:1: the export has no `version`"));
        let whole = export("2", true, FM);
        let truncated = &whole[..whole.len() / 2];
        let e = fails(truncated);
        assert!(
            e.contains(": this is not valid JSON (EOF while parsing"),
            "{e}"
        );
        // serde_json places the end at the last character read.
        let (line, column) = end_of(truncated);
        assert!(
            e.starts_with(&format!("x.json:{line}:{}:", column - 1)),
            "{e}"
        );
        let listed = fails(&export("2", true, "[\"title\", \"A\"]"));
        assert!(listed.starts_with("x.json:13:17: this is not the shape of a pilotbook export (invalid type: sequence, expected a map)"), "{listed}");
    }

    #[test]
    fn a_version_is_never_misread() {
        // Version 1 with version 2's fields, version 2 without them.
        let e = fails(&export("1", true, FM));
        assert!(
            e.starts_with("x.json:4:6: ")
                && e.contains("`root` is part of version 2, but this export says version 1"),
            "{e}"
        );
        let e = fails(&export("2", false, FM));
        assert!(
            e.starts_with("x.json:16:1: ") && e.contains("missing field `source`"),
            "{e}"
        );
        // A front-matter `version` is not the export's.
        let text = export("2", true, "{\"version\": 7}");
        assert!(read("x.json", &text, &Limits::default()).is_ok());
        assert_eq!(top_level_value(&text, "version"), text.find("2,"));
    }

    #[test]
    fn timestamps_keep_their_offset() {
        for t in [
            "2026-05-28T22:26:40+02:00",
            "2026-05-28T14:56:40-05:30",
            "1969-12-31T23:59:59+00:00",
        ] {
            assert_eq!(
                history::parse_rfc3339(t).map(|t| t.rfc3339()).as_deref(),
                Some(t)
            );
        }
        assert_eq!(
            history::parse_rfc3339("2026-05-28T22:26:40Z").map(|t| t.seconds),
            Some(1_780_007_200)
        );
        for bad in [
            "2026-05-28",
            "2026-05-28T22:26:40",
            "2026-05-28T24:00:00+00:00",
            "2026-02-30T00:00:00+00:00",
            "2026-05-28T22:26:40+0200",
            "2026-05-28T22:26:40+02:00x",
        ] {
            assert_eq!(history::parse_rfc3339(bad), None, "{bad}");
        }
    }
}
