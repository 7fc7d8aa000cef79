//! No input makes the pipeline panic: arbitrary bytes and arbitrary,
//! YAML-shaped front matter go through parse → model → validate and come
//! back as a document and diagnostics; arbitrary `pilotbook.toml` text
//! comes back as a config or a located error. These are the entry points
//! the fuzz targets in `fuzz/` cover, run here on stable Rust.

use pilotbook_core::config::Config;
use pilotbook_core::model::{self, Date};
use pilotbook_core::parse::parse_document;
use pilotbook_core::validate::validate;
use proptest::prelude::*;
use std::path::Path;

/// Run the whole in-memory pipeline on one pilot file.
fn run_pipeline(bytes: &[u8]) -> usize {
    let config = Config::parse("", Path::new("pilotbook.toml")).expect("default config");
    let parsed = parse_document("pilots/p.md", bytes);
    for d in &parsed.diagnostics {
        assert!(d.position.line >= 1 && d.position.column >= 1);
    }
    let (portfolio, mut diagnostics) =
        model::build(&config, vec![(0, "pilots/p.md".into(), parsed.into())]);
    let today = Date::parse("2026-11-25").expect("date");
    let history = Default::default();
    let derived = pilotbook_core::derive::Derived::of(&config, &portfolio, &history, today);
    diagnostics.extend(validate(&derived));
    for d in &diagnostics {
        assert!(d.position.line >= 1, "{d:?}");
        assert!(!d.message.is_empty());
    }
    diagnostics.len()
}

/// Pieces a front matter is made of, to reach deep into the typing code.
fn yaml_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("title: T\n".to_string()),
        Just("status: go\n".to_string()),
        Just("status: [a, b]\n".to_string()),
        Just("owner: dana-kim\n".to_string()),
        Just("owner:\n  - a\n  - b\n".to_string()),
        Just("started: 2026-02-30\n".to_string()),
        Just("metrics:\n  - metric: m\n    target: \">= 9%\"\n    actual: \"10 ms\"\n".to_string()),
        Just("metrics: 7\n".to_string()),
        Just("metrics:\n  - 7\n  - {metric: {a: b}}\n".to_string()),
        Just("depends_on:\n  - pilot: p\n  - team: x\n  - {}\n".to_string()),
        Just(
            "production_path:\n  - milestone: A\n    due: 2026-01-01\n  - due: 1999-99-99\n"
                .to_string()
        ),
        Just("integrations:\n  - system: s\n    access: x\n".to_string()),
        Just("id: Bad_ID\n".to_string()),
        Just("a: &x [1]\nb: *x\n".to_string()),
        Just("k: 'unterminated\n".to_string()),
        Just("  bad indent: x\n".to_string()),
        Just("? complex\n: key\n".to_string()),
        "[a-z_]{1,8}: [ -~]{0,20}\n",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run_pipeline(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(---|\\+\\+\\+)?\\PC{0,400}") {
        run_pipeline(text.as_bytes());
    }

    #[test]
    fn arbitrary_front_matter_never_panics(
        pieces in proptest::collection::vec(yaml_piece(), 0..12),
        toml in any::<bool>(),
        crlf in any::<bool>(),
        body in "(## [A-Za-z ]{0,12}\n[ -~]{0,30}\n){0,6}",
    ) {
        let (open, matter) = if toml {
            ("+++", pieces.iter().map(|p| p.replacen(": ", " = ", 1)).collect::<String>())
        } else {
            ("---", pieces.concat())
        };
        let mut doc = format!("{open}\n{matter}{open}\n{body}");
        if crlf {
            doc = doc.replace('\n', "\r\n");
        }
        run_pipeline(doc.as_bytes());
    }
}

/// Pieces a `pilotbook.toml` is made of, valid and not.
fn config_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[site]\ntitle = \"T\"\n".to_string()),
        Just("[site]\nallow_raw_html = true\n".to_string()),
        Just("[build]\noutput_dir = \"out\"\n".to_string()),
        Just("[build]\noutput_dir = \"../x\"\n".to_string()),
        Just("[limits]\nmax_file_bytes = 0\n".to_string()),
        Just("[limits]\nmax_front_matter_bytes = -1\n".to_string()),
        Just("[limits]\nmax_file_bytes = 9223372036854775807\n".to_string()),
        Just("[kinds.pilot]\npath = \"p/**/*.md\"\n".to_string()),
        Just("[kinds.pilot]\npath = \"[\"\n".to_string()),
        Just("[kinds.decision]\npath = [\"d/*.md\"]\nrequired_fields = [\"status\"]\n".to_string()),
        Just(
            "[kinds.decision.fields]\nstatus = { enum = [\"a\"] }\nx = { ref = \"nope\" }\n"
                .to_string()
        ),
        Just("[kinds.Bad]\npath = \"x/*.md\"\n".to_string()),
        Just("[rules]\nmissing-field = \"off\"\n".to_string()),
        Just("[rules]\nno-such-rule = \"error\"\n".to_string()),
        Just("[[kinds]]\n".to_string()),
        "[a-z_.\\[\\]]{1,12} = [ -~]{0,16}\n",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_config_text_never_panics(text in "\\PC{0,300}") {
        if let Err(e) = Config::parse(&text, Path::new("pilotbook.toml")) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn config_shaped_text_is_a_config_or_a_located_error(
        pieces in proptest::collection::vec(config_piece(), 0..8),
    ) {
        match Config::parse(&pieces.concat(), Path::new("pilotbook.toml")) {
            Ok(config) => {
                prop_assert!(config.limits.max_file_bytes >= 1);
                prop_assert!(!config.output_dir.is_empty());
                prop_assert!(!config.output_dir.split('/').any(|c| c == ".."));
            }
            Err(pilotbook_core::config::ConfigError::Invalid { position, message, .. }) => {
                prop_assert!(position.line >= 1 && position.column >= 1);
                prop_assert!(!message.is_empty());
            }
            Err(e) => prop_assert!(false, "not a located error: {e}"),
        }
    }
}

#[test]
fn pathological_inputs_are_refused_quickly() {
    let bomb = "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n---\n";
    let deep = format!(
        "---\na: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let unterminated = format!("---\n{}", "k: v\n".repeat(10_000));
    for input in [bomb.to_string(), deep, unterminated] {
        assert!(run_pipeline(input.as_bytes()) > 0);
    }
}

/// Block pieces a body is made of: every construct where a heading may or
/// may not be one (fences, tables before `---`, setext, quotes, lists,
/// indented code, comments, footnotes), so that the outline `check` reads
/// and the HTML the site renders can disagree if the two readings differ.
fn block_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "# [A-Z][a-z]{0,6}\n",
        "## [A-Z][a-z]{0,6}( [a-z]{1,5})?\n",
        "### [A-Z][a-z]{0,6}\n",
        Just("Some text here.\n".to_string()),
        Just("| a | b |\n|---|---|\n| c | d |\n".to_string()),
        Just("---\n".to_string()),
        Just("Setext\n------\n".to_string()),
        Just("Title\n=====\n".to_string()),
        Just("```\n## fenced\n```\t\n".to_string()),
        Just("```\n## fenced\n```\n".to_string()),
        Just("~~~\ncode\n~~~ \t \n".to_string()),
        Just("```\tpython\nx = 1\n```\n".to_string()),
        Just("> ## Quoted\n".to_string()),
        Just("- ## In a list\n".to_string()),
        Just("    ## indented code\n".to_string()),
        Just("\t## tabbed code\n".to_string()),
        Just("<!-- ## a comment -->\n".to_string()),
        Just("[^1]: ## a note\n".to_string()),
        Just("TODO\n".to_string()),
    ]
}

/// The top-level `<h1>` and `<h2>` texts of rendered HTML, in order:
/// headings inside quotes, list items and footnotes are not sections.
fn top_level_headings(html: &str) -> Vec<(u8, String)> {
    let tag = regex::Regex::new(r#"<(/?)(h[12]|blockquote|li|div)\b([^>]*)>"#).expect("regex");
    let any_tag = regex::Regex::new("<[^>]*>").expect("regex");
    let mut depth = 0usize;
    let mut divs: Vec<bool> = Vec::new();
    let mut open: Option<(u8, usize)> = None;
    let mut out = Vec::new();
    for m in tag.captures_iter(html) {
        let whole = m.get(0).expect("match");
        let closing = &m[1] == "/";
        match (&m[2], closing) {
            ("blockquote" | "li", false) => depth += 1,
            ("blockquote" | "li", true) => depth = depth.saturating_sub(1),
            ("div", false) => {
                let note = m[3].contains("footnote-definition");
                depth += usize::from(note);
                divs.push(note);
            }
            ("div", true) => depth -= usize::from(divs.pop().unwrap_or(false)),
            (h, false) if depth == 0 => {
                open = Some((h.as_bytes()[1] - b'0', whole.end()));
            }
            (_, true) => {
                if let Some((level, start)) = open.take() {
                    let inner = &html[start..whole.start()];
                    let text = any_tag.replace_all(inner, "");
                    out.push((level, text.split_whitespace().collect::<Vec<_>>().join(" ")));
                }
            }
            _ => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// One Markdown reading: every H2 the outline finds is a top-level
    /// `<h2>` of the page, and the other way round, in order; the title
    /// is the first top-level `<h1>`.
    #[test]
    fn the_outline_and_the_page_agree_on_headings(
        pieces in proptest::collection::vec((block_piece(), any::<bool>()), 0..14),
    ) {
        let body: String = pieces
            .iter()
            .map(|(piece, blank)| if *blank { format!("{piece}\n") } else { piece.clone() })
            .collect();
        // Front matter first, so that a body starting with `---` is body.
        let doc = format!("---\ntitle: T\n---\n{body}");
        let parsed = parse_document("pilots/p.md", doc.as_bytes());
        prop_assert_eq!(parsed.body(), body.as_str());
        let (html, _) = pilotbook_core::parse::html::render(&body, "\u{1}", false, 1 << 24)
            .expect("renders");
        let headings = top_level_headings(&html);
        let h2: Vec<String> = headings
            .iter()
            .filter(|(level, _)| *level == 2)
            .map(|(_, text)| pilotbook_core::parse::normalize_heading(text))
            .collect();
        let outline: Vec<String> = parsed.sections.iter().map(|s| s.key.clone()).collect();
        prop_assert_eq!(&outline, &h2, "body:\n{}\nhtml:\n{}", body, html);
        let h1 = headings.iter().find(|(level, _)| *level == 1).map(|(_, t)| t.clone());
        prop_assert_eq!(parsed.h1.map(|h| h.text), h1, "body:\n{}\nhtml:\n{}", body, html);
    }
}
