//! `pilotbook init`, `new` and `completions` end to end, in temporary
//! folders: what they write, that it checks as promised, and that they
//! never overwrite.

use crate::support::{self, Run};

use std::path::Path;
use std::process::Output;

/// Run pilotbook in `dir` with a fixed today, no colour and no git
/// repository around the temporary folder.
fn pilotbook(dir: &Path, args: &[&str]) -> Output {
    Run::at(dir)
        .args(args)
        .ceiling(dir.parent().unwrap_or(Path::new("/")))
        .output()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("JSON report")
}

const INIT_FILES: [&str; 7] = [
    "pilotbook.toml",
    "pilots/ticket-triage.md",
    "people/dana-kim.md",
    "metrics/triage-accuracy.md",
    "systems/zendesk.md",
    ".github/workflows/pilotbook.yml",
    ".gitlab-ci.yml",
];

#[test]
fn init_in_an_empty_folder_then_check_passes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let init = pilotbook(dir.path(), &["init"]);
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    for file in INIT_FILES {
        assert!(dir.path().join(file).is_file(), "{file} written");
    }
    assert!(stderr(&init).contains("next: "), "{}", stderr(&init));

    let check = pilotbook(dir.path(), &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let report = json(&check);
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["documents"], 4);
    // A plain folder has no history; that is the only finding.
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert_eq!(rules, ["history-unavailable"]);

    // And it builds.
    let build = pilotbook(dir.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    assert!(dir.path().join("site/index.html").is_file());
}

#[test]
fn init_into_a_new_subfolder_and_an_existing_repository() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("README.md"), "# my project\n").expect("readme");
    let init = pilotbook(dir.path(), &["init", "docs/pilots-home"]);
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    let home = dir.path().join("docs/pilots-home");
    assert!(home.join("pilotbook.toml").is_file());
    assert!(stderr(&init).contains("cd docs/pilots-home && pilotbook check"));
    let check = pilotbook(&home, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("README.md")).expect("readme"),
        "# my project\n"
    );
}

#[test]
fn init_twice_refuses_and_force_overwrites() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    std::fs::write(
        dir.path().join("pilotbook.toml"),
        "[site]\ntitle = \"Mine\"\n",
    )
    .expect("edit");
    std::fs::remove_file(dir.path().join(".gitlab-ci.yml")).expect("rm");

    let again = pilotbook(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(2));
    let err = stderr(&again);
    assert!(
        err.contains("pilotbook.toml") && err.contains("pilots/ticket-triage.md"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    // Nothing was written: the edit stays, the removed file stays removed.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pilotbook.toml")).expect("config"),
        "[site]\ntitle = \"Mine\"\n"
    );
    assert!(!dir.path().join(".gitlab-ci.yml").exists());

    let forced = pilotbook(dir.path(), &["init", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pilotbook.toml")).expect("config"),
        include_str!("../../templates/init/pilotbook.toml")
    );
    assert!(dir.path().join(".gitlab-ci.yml").is_file());
}

#[test]
fn the_written_config_is_the_defaults() {
    // Loading the written config gives the same report as no config at all.
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    let with = pilotbook(dir.path(), &["check", "--format", "json"]);
    let export_with = pilotbook(dir.path(), &["export"]);
    std::fs::remove_file(dir.path().join("pilotbook.toml")).expect("rm");
    let without = pilotbook(dir.path(), &["check", "--format", "json"]);
    let export_without = pilotbook(dir.path(), &["export"]);
    assert_eq!(stdout(&with), stdout(&without));
    assert_eq!(stdout(&export_with), stdout(&export_without));
}

fn yaml(text: &str) -> saphyr::Yaml<'_> {
    use saphyr::LoadableYamlNode;
    let mut docs = saphyr::Yaml::load_from_str(text).expect("valid YAML");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

#[test]
fn the_ci_files_are_valid_yaml_with_full_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    let path = dir.path().join(".github/workflows/pilotbook.yml");
    let text = std::fs::read_to_string(&path).expect("workflow");
    assert!(text.contains("fetch-depth: 0"));
    let workflow = yaml(&text);
    let jobs = &workflow["jobs"];
    let check_steps = jobs["check"]["steps"].as_vec().expect("check steps");
    let runs: Vec<&str> = check_steps
        .iter()
        .filter_map(|s| s.as_mapping_get("run")?.as_str())
        .collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("pilotbook diff \"origin/$BASE_REF\"")),
        "{runs:?}"
    );
    // pilotbook comes from the action pinned to this release (a checksum-
    // verified binary, not a compile), which checks with `--format github`
    // by default; the site job only installs it.
    let action = format!("pilotbook/pilotbook@v{}", env!("CARGO_PKG_VERSION"));
    let uses_action = |job: &str| -> Vec<&saphyr::Yaml<'_>> {
        jobs[job]["steps"]
            .as_vec()
            .expect("steps")
            .iter()
            .filter(|s| s.as_mapping_get("uses").and_then(|u| u.as_str()) == Some(action.as_str()))
            .collect()
    };
    let check = uses_action("check");
    assert_eq!(check.len(), 1, "{text}");
    assert!(
        check[0].as_mapping_get("with").is_none(),
        "the defaults check"
    );
    let site = uses_action("site");
    assert_eq!(site.len(), 1, "{text}");
    assert_eq!(site[0]["with"]["install-only"].as_bool(), Some(true));
    assert!(!text.contains("cargo install"), "{text}");
    for job in ["check", "site"] {
        let steps = jobs[job]["steps"].as_vec().expect("steps");
        let checkout = steps
            .iter()
            .find(|s| {
                s.as_mapping_get("uses")
                    .and_then(|u| u.as_str())
                    .is_some_and(|u| u.starts_with("actions/checkout@"))
            })
            .expect("checkout");
        assert_eq!(
            checkout["with"]["fetch-depth"].as_integer(),
            Some(0),
            "{job}"
        );
    }
    let uses: Vec<&str> = ["site", "deploy"]
        .iter()
        .flat_map(|j| jobs[*j]["steps"].as_vec().expect("steps"))
        .filter_map(|s| s.as_mapping_get("uses")?.as_str())
        .collect();
    assert!(
        uses.iter()
            .any(|u| u.starts_with("actions/upload-pages-artifact@"))
    );
    assert!(uses.iter().any(|u| u.starts_with("actions/deploy-pages@")));
    assert_eq!(
        jobs["deploy"]["permissions"]["pages"].as_str(),
        Some("write")
    );
    assert_eq!(
        jobs["deploy"]["permissions"]["id-token"].as_str(),
        Some("write")
    );

    let gitlab_text = std::fs::read_to_string(dir.path().join(".gitlab-ci.yml")).expect("gitlab");
    let gitlab = yaml(&gitlab_text);
    assert_eq!(gitlab["variables"]["GIT_DEPTH"].as_str(), Some("0"));
    assert_eq!(
        gitlab["pilotbook-check"]["artifacts"]["reports"]["junit"].as_str(),
        Some("pilotbook-junit.xml")
    );
    let pages = gitlab["pages"]["artifacts"]["paths"]
        .as_vec()
        .expect("paths");
    assert_eq!(pages[0].as_str(), Some("public"));
    // The jobs run in the pilotbook image of this release, through the
    // shell (its entrypoint is pilotbook), and need no git CLI (it has none).
    let image = &gitlab[".pilotbook"]["image"];
    assert_eq!(
        image["name"].as_str(),
        Some(format!("ghcr.io/pilotbook/pilotbook:{}", env!("CARGO_PKG_VERSION")).as_str())
    );
    assert_eq!(image["entrypoint"][0].as_str(), Some(""));
    for job in ["pilotbook-check", "pilotbook-diff", "pages"] {
        assert_eq!(gitlab[job]["extends"].as_str(), Some(".pilotbook"), "{job}");
        for line in gitlab[job]["script"].as_vec().expect("script") {
            let line = line.as_str().expect("line");
            assert!(line.starts_with("pilotbook "), "{job}: {line}");
        }
    }
}

#[test]
fn new_then_check_names_the_empty_sections() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    let new = pilotbook(
        dir.path(),
        &[
            "new",
            "invoice-matching",
            "--title",
            "Invoice matching",
            "--owner",
            "dana-kim",
        ],
    );
    assert_eq!(new.status.code(), Some(0), "{}", stderr(&new));
    assert!(
        stdout(&new)
            .trim_end()
            .ends_with("pilots/invoice-matching.md")
    );
    assert!(stderr(&new).contains("fails `pilotbook check` until every placeholder"));
    let text = std::fs::read_to_string(dir.path().join("pilots/invoice-matching.md")).expect("doc");
    assert!(text.contains("title: \"Invoice matching\"\n"));

    let check = pilotbook(dir.path(), &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1));
    let report = json(&check);
    let empty: Vec<(&str, &str, &str)> = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["path"] == "pilots/invoice-matching.md")
        .filter_map(|d| {
            Some((
                d["rule"].as_str()?,
                d["section"].as_str()?,
                d["message"].as_str()?,
            ))
        })
        .collect();
    let required = [
        "Success metrics",
        "Integrations",
        "Ownership",
        "Production path",
        "Monitoring",
        "Rollback",
    ];
    for section in required {
        assert!(
            empty.iter().any(|(rule, s, m)| *rule == "missing-section"
                && *s == section
                && m.contains("is empty")),
            "{section}: {empty:?}"
        );
    }
    for section in ["Human review", "Escalation", "Expansion criteria"] {
        assert!(
            empty
                .iter()
                .any(|(rule, s, _)| *rule == "missing-recommended-section" && *s == section)
        );
    }
    // The sections fail, and each placeholder: the front matter is
    // otherwise well-formed.
    let errors: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert!(
        errors
            .iter()
            .all(|r| *r == "missing-section" || *r == "placeholder-value"),
        "{errors:?}"
    );
    let placeholders = errors.iter().filter(|r| **r == "placeholder-value").count();
    assert_eq!(errors.len(), required.len() + placeholders);
    // The metric, its target and the system (the owner was given).
    assert_eq!(placeholders, 3, "{errors:?}");
}

#[test]
fn new_prints_the_path_it_created_as_the_user_would_type_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    let ceiling = dir.path().parent().unwrap_or(Path::new("/"));
    let out = Run::new()
        .cwd(dir.path())
        .ceiling(ceiling)
        .args(["new", "fresh-one"])
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "pilots/fresh-one.md\n");
    let sub = dir.path().join("pilots");
    let out = Run::new()
        .cwd(&sub)
        .ceiling(ceiling)
        .args(["new", "from-below"])
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(
        sub.join(printed.trim_end()).is_file() || Path::new(printed.trim_end()).is_file(),
        "{printed}"
    );
}

#[test]
fn new_refuses_an_existing_id_an_invalid_id_and_an_unknown_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    let before = std::fs::read_to_string(dir.path().join("pilots/ticket-triage.md")).expect("doc");

    let taken = pilotbook(dir.path(), &["new", "ticket-triage"]);
    assert_eq!(taken.status.code(), Some(2));
    assert!(
        stderr(&taken).contains("pilot `ticket-triage` already exists: pilots/ticket-triage.md"),
        "{}",
        stderr(&taken)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pilots/ticket-triage.md")).expect("doc"),
        before
    );

    // Taken by an explicit `id:` in a file of another name.
    std::fs::write(
        dir.path().join("pilots/other-name.md"),
        "---\nid: explicit-one\ntitle: X\n---\n",
    )
    .expect("doc");
    let explicit = pilotbook(dir.path(), &["new", "explicit-one"]);
    assert_eq!(explicit.status.code(), Some(2));
    assert!(stderr(&explicit).contains("pilots/other-name.md"));

    let invalid = pilotbook(dir.path(), &["new", "Bad_Id"]);
    assert_eq!(invalid.status.code(), Some(2));
    assert!(stderr(&invalid).contains("`Bad_Id` is not a valid id"));

    let owner = pilotbook(dir.path(), &["new", "x", "--owner", "a: b"]);
    assert_eq!(owner.status.code(), Some(2));
    assert!(stderr(&owner).contains("owner `a: b` is not a valid person id"));
    assert!(!dir.path().join("pilots/x.md").exists());

    let unknown = pilotbook(dir.path(), &["new", "x", "--kind", "decision"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown kind `decision`"));
}

#[test]
fn new_writes_a_custom_kind_at_its_glob() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("pilotbook.toml"),
        "[kinds.decision]\npath = \"docs/adr/**/*.md\"\nrequired_fields = [\"status\", \"date\"]\nrequired_sections = [\"Context\", \"Decision Outcome\"]\n[kinds.decision.fields]\nstatus = { enum = [\"proposed\", \"accepted\"] }\ndate = \"date\"\n\n[kinds.loose]\npath = \"**/*.txt\"\n",
    )
    .expect("config");
    let new = pilotbook(dir.path(), &["new", "use-postgres", "--kind", "decision"]);
    assert_eq!(new.status.code(), Some(0), "{}", stderr(&new));
    let text = std::fs::read_to_string(dir.path().join("docs/adr/use-postgres.md")).expect("doc");
    assert!(
        text.contains("status: TODO   # proposed | accepted"),
        "{text}"
    );
    assert!(text.contains("date: YYYY-MM-DD"), "{text}");
    let check = pilotbook(dir.path(), &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1));
    let report = json(&check);
    let rules: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| {
            let about = d["section"].as_str().or(d["field"].as_str());
            Some((d["rule"].as_str()?, about?))
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("placeholder-value", "status"),
            ("placeholder-value", "date"),
            ("missing-section", "Context"),
            ("missing-section", "Decision Outcome")
        ]
    );

    let no_folder = pilotbook(dir.path(), &["new", "x", "--kind", "loose"]);
    assert_eq!(no_folder.status.code(), Some(2));
    assert!(
        stderr(&no_folder).contains("cannot derive a folder for kind `loose`"),
        "{}",
        stderr(&no_folder)
    );
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = pilotbook(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = stdout(&out);
        assert!(text.contains("pilotbook"), "{shell}");
        for command in ["init", "new", "check", "build"] {
            assert!(text.contains(command), "{shell} completes {command}");
        }
    }
    let bash = stdout(&pilotbook(dir.path(), &["completions", "bash"]));
    assert!(bash.contains("complete -F"), "{bash}");
    let man = pilotbook(dir.path(), &["completions", "man"]);
    assert_eq!(man.status.code(), Some(0));
    assert!(
        stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH pilotbook"),
        "{}",
        stdout(&man)
    );
}

#[test]
fn verbose_lists_files_and_timings_and_conflicts_with_quiet() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    let out = pilotbook(dir.path(), &["--verbose", "check"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("verbose: read pilots/ticket-triage.md (pilot `ticket-triage`)"),
        "{err}"
    );
    assert!(err.contains("timing: validate"), "{err}");
    let both = pilotbook(dir.path(), &["-v", "-q", "check"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn timings_env_zero_or_empty_means_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    for (value, shown) in [("1", true), ("0", false), ("", false)] {
        let out = Run::at(dir.path())
            .args(["check"])
            .ceiling(dir.path().parent().unwrap_or(Path::new("/")))
            .envs(&[("PILOTBOOK_TIMINGS", value)])
            .output();
        assert_eq!(out.status.code(), Some(0));
        let err = stderr(&out);
        assert_eq!(
            err.contains("timing: validate"),
            shown,
            "PILOTBOOK_TIMINGS={value:?}: {err}"
        );
    }
}

#[test]
fn every_option_states_its_default() {
    // Each `--help` names the default of every option that has one.
    let dir = tempfile::tempdir().expect("temp dir");
    for (args, defaults) in [
        (
            &["--help"][..],
            &[
                "[default: auto",
                "[default: the nearest folder with a pilotbook.toml",
            ][..],
        ),
        (&["check", "--help"], &["[default: human]"]),
        (&["build", "--help"], &["[default: `[build] output_dir`"]),
        (
            &["new", "--help"],
            &["[default: pilot]", "[default: from the id"],
        ),
        (&["init", "--help"], &["[default: the root"]),
    ] {
        let out = pilotbook(dir.path(), args);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        for d in defaults {
            assert!(text.contains(d), "{args:?} states {d}:\n{text}");
        }
    }
}

#[test]
fn build_takes_the_base_url_from_the_config_unless_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(pilotbook(dir.path(), &["init"]).status.code(), Some(0));
    let config = std::fs::read_to_string(dir.path().join("pilotbook.toml")).expect("config");
    let config = config.replace(
        "# base_url = \"https://acme.github.io/pilots/\"",
        "base_url = \"https://acme.example/pilots/\"",
    );
    std::fs::write(dir.path().join("pilotbook.toml"), config).expect("config");
    let sitemap = |args: &[&str]| {
        let out = pilotbook(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        std::fs::read_to_string(dir.path().join("site/sitemap.xml")).expect("sitemap")
    };
    assert!(sitemap(&["build"]).contains("https://acme.example/pilots/pilots/ticket-triage"));
    let given = sitemap(&["build", "--base-url", "https://other.example"]);
    assert!(
        given.contains("https://other.example/pilots/ticket-triage"),
        "{given}"
    );
    assert!(!given.contains("acme.example"));
}

#[test]
fn init_in_a_git_repository_then_commit_has_no_findings() {
    let repo = support::Case::new();
    repo.write("src/main.rs", "fn main() {}\n");
    repo.commit("code", support::LEE, "2026-11-20T10:00:00+00:00");
    let init = support::pilotbook(&repo.root, &["init"]);
    assert_eq!(init.status.code(), Some(0), "{}", stderr(&init));
    repo.commit("pilotbook init", support::DANA, "2026-11-25T09:00:00+00:00");
    // History is read: no `history-unavailable`, and the sample's targets
    // were committed before it starts.
    let report = support::pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    assert_eq!(report["summary"]["documents"], 4);
}
