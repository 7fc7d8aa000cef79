//! Shared helpers for integration tests: running the binary ([`Run`]),
//! building fixture repositories with fixed authors and dates ([`Case`]),
//! and reading what a build wrote.

pub mod budget;
pub mod case;
pub mod run;
pub mod schema;
pub mod serve;

pub use case::{Case, DANA, LEE, METRIC, PERSON, QUIET_LIFECYCLE, ZENDESK, pilot, quiet_lifecycle};
pub use run::Run;

use std::path::{Path, PathBuf};
use std::process::Output;

/// Run pilotbook in `dir` with a fixed today and no colour.
pub fn pilotbook(dir: &Path, args: &[&str]) -> Output {
    Run::at(dir).args(args).output()
}

/// [`pilotbook`] with more environment, e.g. `RAYON_NUM_THREADS`.
pub fn pilotbook_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Run::at(dir).args(args).envs(env).output()
}

/// Run pilotbook started in `cwd`, without `-C` (it finds its root upward).
pub fn pilotbook_in(cwd: &Path, args: &[&str]) -> Output {
    Run::new().cwd(cwd).args(args).output()
}

/// Run pilotbook and parse its stdout as JSON, asserting the exit code.
pub fn pilotbook_json(dir: &Path, args: &[&str], exit: i32) -> serde_json::Value {
    let out = pilotbook(dir, args);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "pilotbook {args:?}: stderr {}\nstdout {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Every file below `dir`, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    out.sort();
    out
}

/// Active content found in a built site: scripts the templates did not
/// put there, `on…=` event-handler attributes, `javascript:`, `vbscript:`
/// or `data:text/html` URLs in tags, frames, objects and embeds. JSON files
/// must parse; scripts must not close a `<script>` element. Escaped text
/// may say anything: only tags are inspected. Returns one line per finding.
pub fn active_content(site: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for file in files_below(site) {
        let name = file
            .strip_prefix(site)
            .unwrap_or(&file)
            .display()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if name.ends_with(".json") {
            if serde_json::from_str::<serde_json::Value>(&text).is_err() {
                found.push(format!("{name}: not valid JSON"));
            }
            continue;
        }
        if name.ends_with(".js") {
            if text.contains("</script") {
                found.push(format!("{name}: closes a script element"));
            }
            continue;
        }
        if !(name.ends_with(".html") || name.ends_with(".svg") || name.ends_with(".xml")) {
            continue;
        }
        let lower = text.to_lowercase();
        // The templates' only script is `<script src="…/assets/site.js" defer>`.
        for (at, _) in lower.match_indices("<script") {
            let tag = &lower[at..lower[at..].find('>').map_or(lower.len(), |e| at + e + 1)];
            if !(tag.starts_with("<script src=\"") && tag.contains("assets/site.js\"")) {
                found.push(format!("{name}: script not from the templates: {tag}"));
            }
        }
        for tag in tags(&lower) {
            for bad in [
                "javascript:",
                "vbscript:",
                "data:text/html",
                "<iframe",
                "<object",
                "<embed",
                "<frame",
                "<base",
                "<meta http-equiv=\"refresh",
            ] {
                if tag.contains(bad) {
                    found.push(format!("{name}: `{bad}` in {tag}"));
                }
            }
            // Attribute names only: quoted values are data.
            let mut names = String::new();
            let mut quote = None;
            for c in tag.chars() {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, c) => names.push(c),
                    _ => {}
                }
            }
            for attr in names.split(|c: char| c.is_whitespace() || c == '/').skip(1) {
                if attr.starts_with("on") && attr.contains('=') {
                    found.push(format!("{name}: event handler in {tag}"));
                }
            }
        }
    }
    found
}

/// The tags of an HTML text (escaped text has no raw `<`).
pub fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        out.push(&rest[start..start + len + 1]);
        rest = &rest[start + len + 1..];
    }
    out
}

/// A validator for the official SARIF 2.1.0 schema (`tests/data/`).
pub fn sarif_validator() -> jsonschema::Validator {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("../../data/sarif-schema-2.1.0.json")).expect("schema");
    // The published schema's `language` patterns have a stray `]` that the
    // validator's meta-schema check rejects as a regex; pilotbook never
    // writes `language`, so mend those patterns and keep the rest as is.
    let mended = mend_language_patterns(&mut schema);
    assert!(mended >= 1, "the schema has the known `language` patterns");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn mend_language_patterns(value: &mut serde_json::Value) -> usize {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::String(s) if s == BROKEN => {
            *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_string();
            1
        }
        serde_json::Value::Array(items) => items.iter_mut().map(mend_language_patterns).sum(),
        serde_json::Value::Object(map) => map.values_mut().map(mend_language_patterns).sum(),
        _ => 0,
    }
}
