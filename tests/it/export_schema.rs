//! The export is a contract: `docs/schema/export-v2.schema.json` describes
//! it, every export the suite makes is checked against it (see
//! `support::schema`), and the schema itself is shown to refuse what it
//! must refuse, so that the check cannot pass vacuously.

use crate::support::schema::{assert_export, export_problems, problems, v1_validator};
use crate::support::{Case, DANA, pilot, pilotbook, pilotbook_json};
use serde_json::{Value, json};
use std::path::Path;

fn example_repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/example-repo"))
}

#[test]
fn the_example_portfolio_and_its_site_match_the_schema() {
    // `pilotbook_json` runs `export`, which the runner checks.
    let export = pilotbook_json(example_repo(), &["export"], 0);
    assert!(export["pilots"].as_array().is_some_and(|p| p.len() > 5));
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let built = pilotbook(
        example_repo(),
        &["build", "--out", site.to_str().expect("utf-8")],
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert_export(&std::fs::read(site.join("pilots.json")).expect("pilots.json"));
}

#[test]
fn custom_kinds_history_and_unavailable_history_match_the_schema() {
    let repo = Case::new().portfolio().file(
        "pilotbook.toml",
        "[kinds.decision]\npath = \"decisions/*.md\"\nrequired_fields = [\"status\"]\n",
    );
    repo.write(
        "decisions/use-rust.md",
        "---\ntitle: Use Rust\nstatus: accepted\n---\n\nBecause.\n",
    );
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.commit("One", DANA, "2026-01-01T10:00:00+00:00");
    repo.write("pilots/a.md", &pilot("go", ">= 95%", "2027-01-01"));
    repo.commit("Two", DANA, "2026-02-01T10:00:00+00:00");
    let export = pilotbook_json(&repo.root, &["export"], 0);
    assert_eq!(export["decision"][0]["id"], "use-rust");
    let history = &export["pilots"][0]["history"];
    assert_eq!(history["status_changes"].as_array().map(Vec::len), Some(2));
    assert_eq!(history["target_changes"].as_array().map(Vec::len), Some(2));
    // Outside git: every history is null and the reason says why.
    let bare = tempfile::tempdir().expect("temp dir");
    for entry in [
        "pilotbook.toml",
        "pilots",
        "people",
        "metrics",
        "systems",
        "decisions",
    ] {
        let from = repo.root.join(entry);
        let to = bare.path().join(entry);
        if from.is_dir() {
            std::fs::create_dir_all(&to).expect("dir");
            for file in std::fs::read_dir(&from).expect("read dir").flatten() {
                std::fs::copy(file.path(), to.join(file.file_name())).expect("copy");
            }
        } else if from.is_file() {
            std::fs::copy(&from, &to).expect("copy");
        }
    }
    let out = crate::support::Run::at(bare.path())
        .args(["export"])
        .ceiling(bare.path().parent().unwrap_or(Path::new("/")))
        .output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let export: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(export["history"]["available"], false);
    assert!(export["pilots"][0]["history"].is_null());
}

#[test]
fn the_schema_refuses_what_is_not_version_2() {
    let good = pilotbook_json(example_repo(), &["export"], 0);
    assert!(export_problems(&good).is_empty());
    let broken = |change: &dyn Fn(&mut Value)| {
        let mut doc = good.clone();
        change(&mut doc);
        export_problems(&doc)
    };
    // A future version, a past one, a field the contract does not name, a
    // field it requires gone, a value of the wrong type, a kind list that
    // is no list, a source named with its path's prefix.
    assert!(!broken(&|d| d["version"] = json!(3)).is_empty());
    assert!(!broken(&|d| d["version"] = json!(1)).is_empty());
    assert!(
        !broken(&|d| {
            d.as_object_mut().map(|o| o.remove("sources"));
        })
        .is_empty()
    );
    assert!(!broken(&|d| d["pilots"][0]["source"] = json!("payments:")).is_empty());
    assert!(!broken(&|d| d["pilots"][0]["score"] = json!(1)).is_empty());
    assert!(
        !broken(&|d| {
            d["pilots"][0].as_object_mut().map(|o| o.remove("status"));
        })
        .is_empty()
    );
    assert!(!broken(&|d| d["pilots"][0]["started"] = json!("March")).is_empty());
    assert!(!broken(&|d| d["pilots"][0]["history"]["commits"][0]["id"] = json!("abc")).is_empty());
    assert!(!broken(&|d| d["people"] = json!({})).is_empty());
}

#[test]
fn a_version_1_export_still_matches_the_version_1_schema_and_not_version_2() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/export/v1.json");
    let text = std::fs::read_to_string(path).expect("the v1 fixture");
    let v1: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(problems(v1_validator(), &v1), Vec::<String>::new());
    // Version 2 is a new contract: a reader that checks it notices.
    assert!(!export_problems(&v1).is_empty());
}
