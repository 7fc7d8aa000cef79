//! `pilotbook init --portfolio` end to end, in temporary folders: the files
//! it writes, that it never overwrites without `--force`, that the config
//! it writes is one pilotbook reads, and that the portfolio's workflow
//! fetches exactly the sources the config names (and the source workflow
//! publishes what the portfolio's downloads), so the three cannot drift.
//! The linters' view of the two workflows is in `ci_files.rs`.

use crate::ci_files::load;
use crate::support::Run;
use pilotbook_core::config::{Config, SourceOrigin};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const FILES: [&str; 4] = [
    "pilotbook.toml",
    "people/dana-kim.md",
    ".github/workflows/pilotbook-portfolio.yml",
    "ci/pilotbook-source.yml",
];

fn pilotbook(dir: &Path, args: &[&str]) -> Output {
    Run::at(dir)
        .args(args)
        .ceiling(dir.parent().unwrap_or(Path::new("/")))
        .output()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A folder `init --portfolio` has written into.
fn written() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pilotbook(dir.path(), &["init", "--portfolio"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

#[test]
fn writes_the_files_and_says_what_next() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pilotbook(dir.path(), &["init", "--portfolio", "portfolio"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let home = dir.path().join("portfolio");
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let expected: Vec<String> = FILES
        .iter()
        .map(|f| home.join(f).display().to_string())
        .collect();
    assert_eq!(listed, expected);
    for file in FILES {
        assert!(home.join(file).is_file(), "{file}");
    }
    // Not the single-repository sample: no pilot, no GitLab file.
    assert!(!home.join("pilots").exists());
    assert!(!home.join(".gitlab-ci.yml").exists());
    let err = stderr(&out);
    assert!(err.contains("next: "), "{err}");
    for named in [
        "ci/pilotbook-source.yml",
        "PILOTBOOK_SOURCES_TOKEN",
        "PILOTBOOK_PORTFOLIO_TOKEN",
    ] {
        assert!(err.contains(named), "{named}: {err}");
    }
    let quiet = pilotbook(dir.path(), &["-q", "init", "--portfolio", "other"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(stderr(&quiet), "");
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = written();
    std::fs::write(
        dir.path().join("pilotbook.toml"),
        "[site]\ntitle = \"Mine\"\n",
    )
    .expect("edit");
    std::fs::remove_file(dir.path().join("ci/pilotbook-source.yml")).expect("rm");

    let again = pilotbook(dir.path(), &["init", "--portfolio"]);
    assert_eq!(again.status.code(), Some(2));
    let err = stderr(&again);
    assert!(
        err.contains("pilotbook.toml") && err.contains("pilotbook-portfolio.yml"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        read(dir.path(), "pilotbook.toml"),
        "[site]\ntitle = \"Mine\"\n"
    );
    assert!(!dir.path().join("ci/pilotbook-source.yml").exists());
    // Nor does plain `init` write over a portfolio.
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(2));
    assert!(!dir.path().join("pilots").exists());

    let forced = pilotbook(dir.path(), &["init", "--portfolio", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(
        read(dir.path(), "pilotbook.toml"),
        include_str!("../../templates/init-portfolio/pilotbook.toml")
    );
    assert!(dir.path().join("ci/pilotbook-source.yml").is_file());
}

/// The written config, as pilotbook reads it.
fn config(dir: &Path) -> Config {
    Config::parse(&read(dir, "pilotbook.toml"), Path::new("pilotbook.toml"))
        .unwrap_or_else(|e| panic!("the written pilotbook.toml: {e}"))
}

#[test]
fn the_config_has_a_checkout_a_monorepo_and_an_export() {
    let dir = written();
    let config = config(dir.path());
    let sources: Vec<(&str, &SourceOrigin)> = config
        .sources
        .iter()
        .map(|s| (s.name.as_str(), &s.origin))
        .collect();
    assert_eq!(
        sources,
        [
            (
                "payments",
                &SourceOrigin::Checkout {
                    path: "sources/payments".into(),
                    root: String::new()
                }
            ),
            (
                "platform",
                &SourceOrigin::Checkout {
                    path: "sources/platform".into(),
                    root: "services/pilots".into()
                }
            ),
            (
                "support",
                &SourceOrigin::Export {
                    file: "exports/support.json".into()
                }
            ),
        ]
    );
    assert!(config.sources.iter().all(|s| s.repository.is_some()));
    // The portfolio's own kinds are the defaults: its people/ is read.
    let person = config.kind("person").expect("person kind");
    assert!(person.matches("people/dana-kim.md"));
    // Every key is explained: each assignment has a comment line above it
    // or a table header that does.
    let text = read(dir.path(), "pilotbook.toml");
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.contains(" = ") && !line.starts_with('#') {
            let above = &lines[..i];
            let commented = above
                .iter()
                .rev()
                .take_while(|l| !l.is_empty())
                .any(|l| l.starts_with('#'));
            assert!(commented, "line {}: `{line}` has no comment above", i + 1);
        }
    }
}

/// The steps of a job.
fn steps<'a>(workflow: &'a Value, job: &str) -> &'a Vec<Value> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("job {job} has steps"))
}

/// `https://github.com/acme/payments` → `acme/payments`.
fn slug(url: &str) -> &str {
    url.strip_prefix("https://github.com/")
        .unwrap_or_else(|| panic!("a GitHub URL: {url}"))
}

#[test]
fn the_workflow_fetches_exactly_the_configured_sources() {
    let dir = written();
    let config = config(dir.path());
    let workflow = load(&read(
        dir.path(),
        ".github/workflows/pilotbook-portfolio.yml",
    ));
    let steps = steps(&workflow, "site");
    let uses = |s: &Value, action: &str| s["uses"].as_str().is_some_and(|u| u.starts_with(action));

    // (repository, path) of every checkout of another repository, and
    // (repository, export) of every download.
    let mut checkouts: Vec<(String, String)> = Vec::new();
    for step in steps.iter().filter(|s| uses(s, "actions/checkout@")) {
        assert_eq!(step["with"]["fetch-depth"], 0, "{step}");
        if let Some(repository) = step["with"]["repository"].as_str() {
            let path = step["with"]["path"].as_str().expect("a checkout's path");
            assert!(step["with"]["sparse-checkout"].is_null() && step["with"]["filter"].is_null());
            checkouts.push((repository.into(), path.into()));
        }
    }
    let downloads: Vec<(String, String)> = steps
        .iter()
        .filter(|s| !s["env"]["EXPORT"].is_null())
        .map(|s| {
            let env = &s["env"];
            let run = s["run"].as_str().expect("a download runs gh");
            assert!(run.contains("\"$EXPORT\""), "{run}");
            let field = |k: &str| env[k].as_str().unwrap_or_else(|| panic!("{k}")).to_string();
            (field("REPOSITORY"), field("EXPORT"))
        })
        .collect();

    let mut expected_checkouts = Vec::new();
    let mut expected_downloads = Vec::new();
    for source in &config.sources {
        let repository = slug(source.repository.as_deref().expect("repository")).to_string();
        match &source.origin {
            SourceOrigin::Checkout { path, .. } => {
                expected_checkouts.push((repository, path.clone()));
            }
            SourceOrigin::Export { file } => expected_downloads.push((repository, file.clone())),
        }
    }
    assert_eq!(checkouts, expected_checkouts);
    assert_eq!(downloads, expected_downloads);

    // Then check, build and publish.
    let last = |action: &str| steps.iter().rposition(|s| uses(s, action));
    let fetched = steps
        .iter()
        .rposition(|s| uses(s, "actions/checkout@") || !s["env"]["EXPORT"].is_null());
    let checked = last("pilotbook/pilotbook@");
    assert!(fetched < checked && checked < last("actions/upload-pages-artifact@"));
    assert_eq!(
        steps[checked.expect("check")]["with"]["install-only"],
        Value::Null,
        "the action runs `check`"
    );
}

#[test]
fn the_source_workflow_publishes_what_the_portfolio_fetches() {
    let dir = written();
    let portfolio = load(&read(
        dir.path(),
        ".github/workflows/pilotbook-portfolio.yml",
    ));
    let source_text = read(dir.path(), "ci/pilotbook-source.yml");
    let source = load(&source_text);

    // The rebuild the source asks for is an event the portfolio listens to.
    let types = portfolio["on"]["repository_dispatch"]["types"]
        .as_array()
        .expect("repository_dispatch types");
    let steps = steps(&source, "pilotbook");
    let notify = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("/dispatches"))
        .expect("a dispatch step");
    for event in types {
        let event = event.as_str().expect("type");
        assert!(notify.contains(&format!("event_type={event}")), "{notify}");
    }
    let on = portfolio["on"].as_object().expect("on");
    for event in [
        "push",
        "schedule",
        "repository_dispatch",
        "workflow_dispatch",
    ] {
        assert!(on.contains_key(event), "{event}");
    }

    // The artifact it uploads is the one the portfolio downloads, from the
    // workflow file the source is told to copy it to.
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("an upload");
    let name = upload["with"]["name"].as_str().expect("artifact name");
    assert_eq!(upload["with"]["path"], "pilots.json");
    let download = portfolio_download(&portfolio);
    let run = download["run"].as_str().expect("run");
    assert!(run.contains(&format!("--name {name} ")), "{run}");
    assert!(run.contains("/pilots.json\" \"$EXPORT\""), "{run}");
    let workflow = download["env"]["WORKFLOW"].as_str().expect("WORKFLOW");
    assert!(
        source_text.contains(&format!(".github/workflows/{workflow}")),
        "the source workflow says to copy it to .github/workflows/{workflow}"
    );
    // The export is read from the same checkout with its full history.
    let checkout = &steps[0];
    assert_eq!(checkout["with"]["fetch-depth"], 0);
    assert!(
        steps
            .iter()
            .filter_map(|s| s["run"].as_str())
            .any(|r| r.contains("pilotbook -C \"$PILOTBOOK_ROOT\" export > pilots.json"))
    );
}

/// The portfolio workflow's download of an export source.
fn portfolio_download(portfolio: &Value) -> &Value {
    steps(portfolio, "site")
        .iter()
        .find(|s| !s["env"]["EXPORT"].is_null())
        .expect("a download step")
}
