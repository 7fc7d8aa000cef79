//! The user guide (`docs/guide/`) held to the code: the rules page is what
//! `check --explain` prints, every TOML example is a config pilotbook
//! accepts, the ADR example is the one the `adr-migration` fixture runs,
//! and every relative link resolves.
//!
//! `PILOTBOOK_UPDATE_DOCS=1 cargo test --test it docs::` rewrites
//! `docs/guide/rules.md` from the catalogue after a rule changes.

use crate::support::Run;
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
    let out = Run::at(&root().join("tests/fixtures/check/clean"))
        .args(["check", "--explain"])
        .args(args)
        .output();
    assert_eq!(out.status.code(), Some(0), "--explain {args:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The rules page, made from what the binary prints.
fn rules_page() -> String {
    let mut page = String::from(
        "# Rules\n\n\
         <!-- Generated from the rule catalogue (src/rules.rs) by tests/it/docs.rs:\n\
         \x20    PILOTBOOK_UPDATE_DOCS=1 cargo test --test it docs:: -->\n\n\
         Every finding belongs to one rule with a stable name and a default\n\
         severity. Change a rule's severity, or turn it off, in `[rules]` of\n\
         `pilotbook.toml` (see the [configuration reference](configuration.md#rules)).\n\
         Errors fail `check` (exit 1); warnings fail it only with\n\
         `--deny-warnings`; info never does. Each section below is exactly what\n\
         `pilotbook check --explain RULE` prints.\n\n\
         | rule | default | checks |\n|---|---|---|\n",
    );
    for rule in pilotbook_core::rules::RULES {
        page.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            rule.name,
            rule.default_severity.as_str(),
            rule.summary.replace('|', "\\|")
        ));
    }
    for rule in pilotbook_core::rules::RULES {
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
         run `PILOTBOOK_UPDATE_DOCS=1 cargo test --test it docs::` and review the change"
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
            let config = pilotbook_core::config::Config::parse(block, Path::new(page));
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
        "extra_fields",
        "baseline",
        "max_file_bytes",
        "max_front_matter_bytes",
    ] {
        assert!(reference.contains(&format!("| `{key}` |")), "{key}");
    }
    let defaults =
        pilotbook_core::config::Config::parse("", Path::new("pilotbook.toml")).expect("defaults");
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
        // Links as Markdown reads them: not the examples in code spans.
        for link in pilotbook_core::parse::links::links(&text) {
            let target = link.url.as_str();
            if target.starts_with("http") || target.starts_with('#') {
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

/// README.md and every Markdown file under docs/.
fn doc_pages() -> Vec<(String, String)> {
    let mut pages = vec![(
        "README.md".to_string(),
        std::fs::read_to_string(root().join("README.md")).expect("README.md"),
    )];
    let mut stack = vec![root().join("docs")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("docs").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                let name = path
                    .strip_prefix(root())
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                pages.push((name, std::fs::read_to_string(&path).expect("page")));
            }
        }
    }
    pages.sort();
    pages
}

/// The code of a Markdown text: every line of a fenced block and every
/// inline code span.
fn code_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            out.push(line.to_string());
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let Some(span) = parts.next() {
            out.push(span.to_string());
            parts.next();
        }
    }
    out
}

/// What `pilotbook [COMMAND] --help` prints.
fn help(command: Option<&str>) -> String {
    let out = Run::new().args(command).arg("--help").output();
    assert_eq!(out.status.code(), Some(0), "{command:?} --help");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn every_command_and_flag_the_docs_name_exists() {
    let global = help(None);
    let commands: Vec<String> = global
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("Options:").next())
        .expect("commands")
        .lines()
        // A command starts a line; its wrapped description is indented deeper.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help" && w.chars().all(|c| c.is_ascii_lowercase()))
        .map(str::to_string)
        .collect();
    assert!(commands.contains(&"check".to_string()), "{commands:?}");
    let helps: std::collections::BTreeMap<&str, String> = commands
        .iter()
        .map(|c| (c.as_str(), help(Some(c))))
        .collect();
    let mut seen = 0;
    for (page, text) in doc_pages() {
        for code in code_of(&text) {
            // Comments name pilotbook in prose ("builds pilotbook with cargo").
            let command_part = code.split(" #").next().unwrap_or(&code);
            let command_part = if command_part.trim_start().starts_with('#') {
                ""
            } else {
                command_part
            };
            // Quoted text is an argument (a commit message, a title).
            let mut unquoted = String::new();
            let mut quote = None;
            for c in command_part.chars() {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, c) => unquoted.push(c),
                    _ => {}
                }
            }
            let tokens: Vec<&str> = unquoted
                .split_whitespace()
                .map(|t| t.trim_start_matches("$(").trim_start_matches("<("))
                .collect();
            // `pilotbook` where a command starts, not in prose.
            let starts = |i: usize| {
                i == 0
                    || ["&&", ";", "|", "||", "run:", "entry:", "$", "-", "time"]
                        .contains(&tokens[i - 1])
            };
            for start in tokens
                .iter()
                .enumerate()
                .filter(|(i, t)| **t == "pilotbook" && starts(*i))
                .map(|(i, _)| i)
            {
                let mut command: Option<&str> = None;
                let mut takes_value = false;
                for raw in &tokens[start + 1..] {
                    if ["|", "#", ">", ">>", "&&", ";", "<<"].contains(raw) || raw.starts_with('#')
                    {
                        break;
                    }
                    let token = raw.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | ','));
                    if token.starts_with('-') {
                        let flag = token.split('=').next().unwrap_or(token);
                        let lists = |h: &str| {
                            [" ", ",", "\n"]
                                .iter()
                                .any(|end| h.contains(&format!("{flag}{end}")))
                        };
                        let known = lists(&global) || command.is_some_and(|c| lists(&helps[c]));
                        assert!(
                            known,
                            "{page}: `{code}` names `{flag}`, which `pilotbook {} --help` does not list",
                            command.unwrap_or("")
                        );
                        takes_value = ["-C", "--config", "--color"].contains(&flag);
                        seen += 1;
                        continue;
                    }
                    if takes_value {
                        takes_value = false;
                        continue;
                    }
                    if command.is_none() {
                        if token.starts_with('<')
                            || token.is_empty()
                            || !token.chars().all(|c| c.is_ascii_lowercase())
                        {
                            break;
                        }
                        assert!(
                            commands.iter().any(|c| c == token),
                            "{page}: `{code}` runs `pilotbook {token}`, which is not a command"
                        );
                        command = Some(token);
                        seen += 1;
                    }
                }
            }
        }
    }
    assert!(seen > 100, "found {seen} commands and flags");
    // And the other way: the command reference names every flag.
    let reference = guide("commands.md");
    for (command, text) in std::iter::once(("", &global)).chain(helps.iter().map(|(c, h)| (*c, h)))
    {
        for word in text.split([' ', ',', '\n', '[', ']']) {
            let flag = word
                .split('=')
                .next()
                .unwrap_or(word)
                .trim_end_matches(|c: char| !(c.is_ascii_lowercase() || c == '-'));
            if !flag.starts_with("--") || ["--help", "--version"].contains(&flag) || flag.len() < 4
            {
                continue;
            }
            assert!(
                reference.contains(&format!("`{flag}")) || reference.contains(&format!("[{flag}")),
                "docs/guide/commands.md does not describe `pilotbook {command} {flag}`"
            );
        }
    }
    for short in ["`-v`", "`-q`", "`-C DIR`", "completions man"] {
        assert!(reference.contains(short), "docs/guide/commands.md: {short}");
    }
}

#[test]
fn every_hook_id_and_rev_the_docs_name_exists() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("hooks");
    let ids: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- id: "))
        .collect();
    assert!(ids.contains(&"pilotbook-check"), "{ids:?}");
    let tags = Command::new("git")
        .args(["tag", "--list"])
        .current_dir(root())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut seen = 0;
    for (page, text) in doc_pages() {
        for block in blocks(&text, "yaml") {
            if !block.contains("repo: https://github.com/pilotbook/pilotbook") {
                continue;
            }
            for line in block.lines() {
                let line = line.trim().trim_start_matches("# ").trim();
                if let Some(id) = line.strip_prefix("- id: ") {
                    let id = id.split_whitespace().next().unwrap_or(id);
                    assert!(
                        ids.contains(&id),
                        "{page}: hook id `{id}` is not in .pre-commit-hooks.yaml"
                    );
                    seen += 1;
                }
                if let Some(rev) = line.strip_prefix("rev: ") {
                    let rev = rev.split_whitespace().next().unwrap_or(rev);
                    // The release of this version is tagged `v<version>` by
                    // the release workflow.
                    let release = format!("v{}", env!("CARGO_PKG_VERSION"));
                    assert!(
                        rev == "main" || rev == release || tags.lines().any(|t| t == rev),
                        "{page}: rev `{rev}` is neither the default branch, this version's release tag nor a tag"
                    );
                }
            }
        }
    }
    assert!(seen >= 4, "found {seen} hook ids");
}

#[test]
fn every_config_key_the_docs_name_exists() {
    let mut seen = 0;
    for (page, text) in doc_pages() {
        // Whole configs: every TOML block of the docs parses.
        for (i, block) in blocks(&text, "toml").iter().enumerate() {
            let config = pilotbook_core::config::Config::parse(block, Path::new(&page));
            assert!(config.is_ok(), "{page}, TOML block {i}: {config:?}");
            seen += 1;
        }
        // Keys named in prose: `[check] baseline`, `[site] allow_raw_html`.
        for code in code_of(&text) {
            let Some(rest) = code.strip_prefix('[') else {
                continue;
            };
            let Some((table, key)) = rest.split_once("] ") else {
                continue;
            };
            let key = key.split([' ', '=']).next().unwrap_or(key);
            if table == "rules"
                || table.contains(' ')
                || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                continue;
            }
            let probe = format!("[{table}]\n{key} = 0\n");
            let outcome = pilotbook_core::config::Config::parse(&probe, Path::new("probe.toml"));
            let unknown = outcome
                .as_ref()
                .err()
                .is_some_and(|e| e.to_string().contains("unknown field"));
            assert!(
                !unknown,
                "{page}: `{code}` names a key pilotbook.toml does not have"
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "found {seen} configs and keys");
}

/// One shell command of a walkthrough block: a line, or a here-document
/// with its body, and the exit code its `# exits N` comment expects.
fn commands_of(block: &str) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    let mut lines = block.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let exit = trimmed
            .split("# exits ")
            .nth(1)
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        let mut command = line.to_string();
        if let Some(marker) = line.split("<<'").nth(1).and_then(|m| m.split('\'').next()) {
            for body in lines.by_ref() {
                command.push('\n');
                command.push_str(body);
                if body == marker {
                    break;
                }
            }
        }
        out.push((command, exit));
    }
    out
}

/// A walkthrough's shell: each command runs in `work` with `sh -c`, a
/// clean environment, this build's `pilotbook` first on `PATH`, a fixed
/// git identity and dates, and a fixed today.
struct Walkthrough {
    dir: tempfile::TempDir,
    work: PathBuf,
    path: std::ffi::OsString,
}

impl Walkthrough {
    fn new() -> Walkthrough {
        let dir = tempfile::tempdir().expect("tmp");
        let work = dir.path().join("portfolio");
        std::fs::create_dir_all(&work).expect("mkdir");
        let bin = Path::new(env!("CARGO_BIN_EXE_pilotbook"))
            .parent()
            .expect("bin dir")
            .to_path_buf();
        let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("PATH");
        Walkthrough { dir, work, path }
    }

    fn run(&self, command: &str) -> std::process::Output {
        Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(&self.work)
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", self.dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Dana Kim")
            .env("GIT_AUTHOR_EMAIL", "dana@example.com")
            .env("GIT_COMMITTER_NAME", "Dana Kim")
            .env("GIT_COMMITTER_EMAIL", "dana@example.com")
            .env("GIT_AUTHOR_DATE", "2026-06-01T10:00:00+00:00")
            .env("GIT_COMMITTER_DATE", "2026-06-01T10:00:00+00:00")
            .env("PILOTBOOK_TODAY", "2026-11-25")
            .env("NO_COLOR", "1")
            .output()
            .expect("run sh")
    }

    /// Run the guide page's `sh` blocks in order, each command expecting
    /// the exit its `# exits N` comment names (else 0). A block after
    /// `<!-- walkthrough: front matter of FILE -->` is inserted at the end
    /// of FILE's front matter, its `commit:` set to the commit the last
    /// `git log -1 --format=%h` printed. Returns how many commands ran.
    fn follow(&self, page_name: &str) -> usize {
        let page = guide(page_name);
        let mut last_commit = String::new();
        let mut insert_into: Option<String> = None;
        let mut fence: Option<(String, String)> = None;
        let mut ran = 0;
        for line in page.lines() {
            if let Some(target) = line
                .strip_prefix("<!-- walkthrough: front matter of ")
                .and_then(|l| l.strip_suffix(" -->"))
            {
                insert_into = Some(target.to_string());
                continue;
            }
            match &mut fence {
                None => {
                    if let Some(lang) = line.strip_prefix("```") {
                        fence = Some((lang.to_string(), String::new()));
                    }
                }
                Some((lang, body)) if line == "```" => {
                    if lang == "sh" {
                        for (command, exit) in commands_of(body) {
                            let out = self.run(&command);
                            assert_eq!(
                                out.status.code(),
                                Some(exit),
                                "{page_name}: `{command}`\nstdout: {}\nstderr: {}",
                                String::from_utf8_lossy(&out.stdout),
                                String::from_utf8_lossy(&out.stderr)
                            );
                            if command.starts_with("git log -1 --format=%h") {
                                last_commit =
                                    String::from_utf8_lossy(&out.stdout).trim().to_string();
                            }
                            ran += 1;
                        }
                    } else if let Some(target) = insert_into.take() {
                        self.insert_front_matter(&target, body, &last_commit);
                    }
                    fence = None;
                }
                Some((_, body)) => {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
        ran
    }

    /// Add `yaml` at the end of `target`'s front matter. The commit in a
    /// guide is an example: ids depend on dates and on what pilotbook
    /// writes into the baseline.
    fn insert_front_matter(&self, target: &str, yaml: &str, last_commit: &str) {
        let yaml: String = yaml
            .lines()
            .map(|l| match l.trim_start().strip_prefix("commit: ") {
                Some(_) => {
                    assert_eq!(last_commit.len(), 7, "the guide prints the commit first");
                    format!("      commit: {last_commit}\n")
                }
                None => format!("{l}\n"),
            })
            .collect();
        let file = self.work.join(target);
        let text = std::fs::read_to_string(&file).expect("front matter target");
        let close = text[4..].find("\n---\n").expect("front matter") + 5;
        std::fs::write(&file, format!("{}{yaml}{}", &text[..close], &text[close..]))
            .expect("insert");
    }
}

#[test]
fn the_adoption_walkthrough_runs_as_written() {
    let walk = Walkthrough::new();
    let ran = walk.follow("adopting.md");
    assert!(ran >= 15, "ran {ran} commands");
    // Where the walkthrough ends: the baseline and the document answer
    // what they say they do.
    let out = walk.run("pilotbook check --format json");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let by = |rule: &str, how: &str| {
        report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["rule"] == rule && d["accepted"]["by"] == how)
            .count()
    };
    assert_eq!(by("metric-target-changed", "document"), 1, "{report}");
    assert!(by("missing-section", "baseline") == 1, "{report}");
    assert!(by("metric-agreed-late", "baseline") == 1, "{report}");
    assert_eq!(report["summary"]["warnings"], 1, "{report}");
}

/// Every source path README.md, ARCHITECTURE.md and docs/ name in code
/// (`crates/...`, `src/...`, `tests/...`, `scripts/...`) exists, so a move
/// of a file cannot leave the map pointing at nothing. Placeholders in angle
/// brackets and `X` stand for any file and are skipped.
#[test]
fn every_source_path_the_docs_name_exists() {
    let mut pages = doc_pages();
    pages.push((
        "ARCHITECTURE.md".to_string(),
        std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md"),
    ));
    let prefixes = [
        "src/",
        "crates/",
        "tests/",
        "scripts/",
        "templates/",
        "fuzz/",
    ];
    let mut missing = Vec::new();
    for (page, text) in &pages {
        for span in code_of(text) {
            let path = span.split_whitespace().next().unwrap_or("");
            let path = path.split("::").next().unwrap_or(path);
            if !prefixes.iter().any(|p| path.starts_with(p))
                || path.contains(['<', '*', '{', '$'])
                || path.ends_with("/X")
            {
                continue;
            }
            if !root().join(path).exists() {
                missing.push(format!("{page}: {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "paths named but absent:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_portfolio_walkthrough_runs_as_written() {
    let walk = Walkthrough::new();
    let ran = walk.follow("portfolio.md");
    assert!(ran >= 25, "ran {ran} commands");
    // Where the walkthrough ends: one portfolio of three repositories, the
    // platform's pilot depending on payments', support's read from its
    // export with its history, and a site with a source column.
    let out = walk.run("pilotbook -C portfolio export");
    let export: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let triage: Vec<&serde_json::Value> = export["pilots"]
        .as_array()
        .expect("pilots")
        .iter()
        .filter(|p| p["id"] == "ticket-triage")
        .collect();
    let sources: Vec<&str> = triage.iter().filter_map(|p| p["source"].as_str()).collect();
    assert_eq!(sources, ["payments", "platform", "support"], "{export:#}");
    let dependents: Vec<String> = triage[0]["dependents"]
        .as_array()
        .expect("dependents")
        .iter()
        .map(|d| d["id"].to_string())
        .collect();
    assert_eq!(
        dependents,
        ["\"ticket-triage\""],
        "payments' pilot: {:#}",
        triage[0]
    );
    assert_eq!(triage[2]["history"]["commits"][0]["author"], "Dana Kim");
    let index = std::fs::read_to_string(walk.work.join("portfolio/site/index.html")).expect("site");
    assert_eq!(index.matches("data-source=\"").count(), 3, "{index}");
}
