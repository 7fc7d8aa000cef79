//! The user guide (`docs/guide/`) held to the code: the rules page is what
//! `check --explain` prints, every TOML example is a config pilotbook
//! accepts, the ADR example is the one the `adr-migration` fixture runs,
//! and every relative link resolves.
//!
//! `PILOTBOOK_UPDATE_DOCS=1 cargo test --test docs` rewrites
//! `docs/guide/rules.md` from the catalogue after a rule changes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn guide(name: &str) -> String {
    std::fs::read_to_string(root().join("docs/guide").join(name))
        .unwrap_or_else(|e| panic!("docs/guide/{name}: {e}"))
}

fn explain(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pilotbook"))
        .arg("-C")
        .arg(root().join("tests/fixtures/check/clean"))
        .args(["check", "--explain"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run pilotbook");
    assert_eq!(out.status.code(), Some(0), "--explain {args:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The rules page, made from what the binary prints.
fn rules_page() -> String {
    let mut page = String::from(
        "# Rules\n\n\
         <!-- Generated from the rule catalogue (src/rules.rs) by tests/docs.rs:\n\
         \x20    PILOTBOOK_UPDATE_DOCS=1 cargo test --test docs -->\n\n\
         Every finding belongs to one rule with a stable name and a default\n\
         severity. Change a rule's severity, or turn it off, in `[rules]` of\n\
         `pilotbook.toml` (see the [configuration reference](configuration.md#rules)).\n\
         Errors fail `check` (exit 1); warnings fail it only with\n\
         `--deny-warnings`; info never does. Each section below is exactly what\n\
         `pilotbook check --explain RULE` prints.\n\n\
         | rule | default | checks |\n|---|---|---|\n",
    );
    for rule in pilotbook::rules::RULES {
        page.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            rule.name,
            rule.default_severity.as_str(),
            rule.summary.replace('|', "\\|")
        ));
    }
    for rule in pilotbook::rules::RULES {
        page.push_str(&format!(
            "\n## {}\n\n```text\n{}```\n",
            rule.name,
            explain(&[rule.name])
        ));
    }
    page
}

#[test]
fn rules_page_is_what_explain_prints() {
    let expected = rules_page();
    let path = root().join("docs/guide/rules.md");
    if std::env::var_os("PILOTBOOK_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write rules.md");
    }
    let actual = std::fs::read_to_string(&path).expect("docs/guide/rules.md");
    assert!(
        actual == expected,
        "docs/guide/rules.md disagrees with `pilotbook check --explain`; \
         run `PILOTBOOK_UPDATE_DOCS=1 cargo test --test docs` and review the change"
    );
    // Every rule the binary lists has its section.
    for line in explain(&[]).lines().skip(2) {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        assert!(actual.contains(&format!("\n## {name}\n")), "{name}");
    }
}

/// The fenced blocks of one language in a Markdown file.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_end() == format!("```{lang}") => current = Some(String::new()),
            Some(_) if line.trim_end() == "```" => out.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn every_toml_example_is_a_valid_config() {
    let mut seen = 0;
    for page in ["configuration.md", "documents.md", "migrating.md"] {
        for (i, block) in blocks(&guide(page), "toml").iter().enumerate() {
            let config = pilotbook::config::Config::parse(block, Path::new(page));
            assert!(config.is_ok(), "{page}, TOML block {i}: {config:?}");
            seen += 1;
        }
    }
    assert!(seen >= 4, "found {seen} TOML examples");
}

#[test]
fn configuration_reference_names_every_rule_and_default() {
    let reference = guide("configuration.md");
    for key in [
        "title",
        "repository",
        "base_url",
        "allow_raw_html",
        "output_dir",
        "path",
        "exclude",
        "required_fields",
        "required_sections",
        "recommended_sections",
        "section_aliases",
        "fields",
    ] {
        assert!(reference.contains(&format!("| `{key}` |")), "{key}");
    }
    let defaults =
        pilotbook::config::Config::parse("", Path::new("pilotbook.toml")).expect("defaults");
    assert!(reference.contains(&format!("`\"{}\"`", defaults.site.title)));
    assert!(reference.contains(&format!("`\"{}\"`", defaults.output_dir)));
    for kind in &defaults.kinds {
        for glob in &kind.paths {
            assert!(reference.contains(&format!("`{glob}`")), "{glob}");
        }
        for section in kind
            .required_sections
            .iter()
            .chain(&kind.recommended_sections)
        {
            assert!(reference.contains(section.as_str()), "{section}");
        }
    }
}

#[test]
fn adr_example_is_the_tested_fixture() {
    let significant = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    let fixture =
        std::fs::read_to_string(root().join("tests/fixtures/check/adr-migration/pilotbook.toml"))
            .expect("fixture config");
    let page = guide("migrating.md");
    let example = blocks(&page, "toml")
        .into_iter()
        .find(|b| b.contains("[kinds.adr]"))
        .expect("an [kinds.adr] example");
    assert_eq!(significant(&example), significant(&fixture));
}

#[test]
fn guide_links_resolve_and_summary_lists_every_page() {
    let dir = root().join("docs/guide");
    let summary = guide("SUMMARY.md");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs/guide")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    for page in &pages {
        let name = page
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name != "SUMMARY.md" {
            assert!(
                summary.contains(&format!("({name})")),
                "SUMMARY.md lists {name}"
            );
        }
        let text = std::fs::read_to_string(page).expect("page");
        for target in text.split("](").skip(1).filter_map(|s| s.split(')').next()) {
            if target.starts_with("http") || target.starts_with('#') || target.contains(' ') {
                continue;
            }
            let file = target.split('#').next().unwrap_or(target);
            assert!(dir.join(file).exists(), "{name} links to {target}");
        }
    }
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        readme.contains("(docs/guide/README.md)"),
        "README links the guide"
    );
}
