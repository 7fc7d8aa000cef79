//! Git history end to end: repositories built with the git CLI, fixed
//! authors and dates, and pilotbook's export and check compared with what
//! git itself says.

use crate::support;

use crate::support::{Case, DANA, LEE, PERSON, pilot, pilotbook, pilotbook_json};
use serde_json::{Value, json};

fn find<'a>(model: &'a Value, list: &str, id: &str) -> &'a Value {
    model[list]
        .as_array()
        .and_then(|l| l.iter().find(|e| e["id"] == id))
        .unwrap_or_else(|| panic!("{list}/{id} in export"))
}

fn ids(history: &Value) -> Vec<String> {
    history["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

fn rules(report: &Value) -> Vec<(String, String, u64)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["path"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn dates_authors_status_targets_and_slips() {
    let repo = Case::new().basics();
    repo.write(
        "pilots/triage.md",
        &pilot("proposed", ">= 90%", "2026-09-01"),
    );
    let a = repo.commit("Propose triage", DANA, "2026-02-01T09:00:00+01:00");
    repo.write("pilots/triage.md", &pilot("pilot", ">= 90%", "2026-09-01"));
    let b = repo.commit("Start triage", LEE, "2026-03-01T10:00:00+00:00");
    repo.write("pilots/triage.md", &pilot("pilot", ">= 85%", "2026-10-15"));
    let c = repo.commit("Relax target, move GA", DANA, "2026-04-10T12:00:00-05:00");
    // A pilot whose target was only written down after it started.
    repo.write(
        "pilots/late.md",
        &pilot("pilot", ">= 90%", "2026-12-01").replace("title: Triage", "title: Late"),
    );
    let d = repo.commit("Add late pilot", LEE, "2026-05-01T08:00:00+02:00");

    let model = pilotbook_json(&repo.root, &["export"], 0);
    assert_eq!(model["history"]["available"], true);
    assert_eq!(model["history"]["head"], d.as_str());
    let h = &find(&model, "pilots", "triage")["history"];
    assert_eq!(h["state"], "committed");
    assert_eq!(h["created"], "2026-02-01T09:00:00+01:00");
    assert_eq!(h["updated"], "2026-04-10T12:00:00-05:00");
    assert_eq!(ids(h), vec![c.clone(), b.clone(), a.clone()]);
    assert_eq!(ids(h), repo.log_follow("pilots/triage.md"));
    assert_eq!(
        h["authors"],
        json!([
            {"name": "Dana Kim", "email": "dana@example.com", "commits": 2},
            {"name": "Lee Wu", "email": "lee@example.com", "commits": 1}
        ])
    );
    assert_eq!(h["commits"][0]["summary"], "Relax target, move GA");
    assert_eq!(h["commits"][0]["author"], "Dana Kim");
    // Every fact names the commit that made it and where it reached the
    // main line (here the same commit: the history is linear).
    let main = |commit: &str, date: &str| json!({"commit": commit, "date": date});
    let (da, db, dc) = (
        "2026-02-01T09:00:00+01:00",
        "2026-03-01T10:00:00+00:00",
        "2026-04-10T12:00:00-05:00",
    );
    assert_eq!(
        h["status_changes"],
        json!([
            {"from": null, "to": "proposed", "date": da, "commit": a, "author": "Dana Kim", "reached_main": main(&a, da)},
            {"from": "proposed", "to": "pilot", "date": db, "commit": b, "author": "Lee Wu", "reached_main": main(&b, db)}
        ])
    );
    assert_eq!(
        h["target_changes"],
        json!([
            {"metric": "accuracy", "from": null, "to": ">= 90%", "date": da, "commit": a, "author": "Dana Kim", "reached_main": main(&a, da)},
            {"metric": "accuracy", "from": ">= 90%", "to": ">= 85%", "date": dc, "commit": c, "author": "Dana Kim", "reached_main": main(&c, dc)}
        ])
    );
    assert_eq!(
        h["milestone_slips"],
        json!([{"milestone": "General availability", "from": "2026-09-01", "to": "2026-10-15",
                "days": 44, "date": dc, "commit": c, "author": "Dana Kim", "reached_main": main(&c, dc)}])
    );
    assert_eq!(
        h["milestone_changes"],
        json!([
            {"milestone": "General availability", "from": null, "to": "2026-09-01", "date": da, "commit": a, "author": "Dana Kim", "reached_main": main(&a, da)},
            {"milestone": "General availability", "from": "2026-09-01", "to": "2026-10-15", "date": dc, "commit": c, "author": "Dana Kim", "reached_main": main(&c, dc)}
        ])
    );
    assert_eq!(
        h["owner_changes"],
        json!([{"from": null, "to": "dana-kim", "date": da, "commit": a, "author": "Dana Kim", "reached_main": main(&a, da)}])
    );
    assert_eq!(
        h["started_changes"],
        json!([{"from": null, "to": "2026-03-01", "date": da, "commit": a, "author": "Dana Kim", "reached_main": main(&a, da)}])
    );
    let person = &find(&model, "people", "dana-kim")["history"];
    assert_eq!(person["created"], "2026-02-01T09:00:00+01:00");
    assert_eq!(ids(person), vec![a.clone()]);

    let report = pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    let found = rules(&report);
    assert!(
        found.contains(&("metric-target-changed".into(), "pilots/triage.md".into(), 8)),
        "{found:?}"
    );
    assert!(
        found.contains(&("milestone-slipped".into(), "pilots/triage.md".into(), 13)),
        "{found:?}"
    );
    assert!(
        found.contains(&("metric-agreed-late".into(), "pilots/late.md".into(), 8)),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(r, p, _)| r == "metric-agreed-late" && p == "pilots/triage.md")
    );
    let changed = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["rule"] == "metric-target-changed")
        .expect("finding");
    let message = changed["message"].as_str().expect("message");
    for part in [">= 90%", ">= 85%", &c[..7], "Dana Kim", "2026-04-10"] {
        assert!(message.contains(part), "{message} names {part}");
    }
    let slipped = found
        .iter()
        .find(|(r, ..)| r == "milestone-slipped")
        .map(|_| ());
    assert!(slipped.is_some());
    let severity = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["rule"] == "milestone-slipped")
        .map(|d| d["severity"].clone());
    assert_eq!(severity, Some(json!("info")));
}

#[test]
fn renames_and_merges_match_git_log_follow() {
    let repo = Case::new();
    repo.write("pilotbook.toml", "");
    let body = |n: u32| {
        format!(
            "{}\n## Notes\n\nrevision {n}\n",
            pilot("pilot", ">= 90%", "2026-12-01")
        )
    };
    repo.write("pilots/a.md", &format!("line one\n{}", body(0)));
    repo.write("pilots/b.md", &body(100).replace("Triage", "Bee"));
    repo.write("pilots/c.md", &body(200).replace("Triage", "Sea"));
    repo.commit("Add a, b, c", DANA, "2026-01-10T10:00:00+00:00");

    repo.branch("feature");
    repo.write("pilots/a.md", &format!("line one\n{}", body(1)));
    repo.commit("Edit a on feature", LEE, "2026-01-11T10:00:00+00:00");
    repo.git(&["mv", "pilots/b.md", "pilots/bee.md"]);
    repo.commit("Rename b", LEE, "2026-01-12T10:00:00+00:00");
    repo.write("pilots/bee.md", &body(101).replace("Triage", "Bee"));
    repo.commit("Edit bee", LEE, "2026-01-13T10:00:00+00:00");

    repo.checkout("main");
    repo.write("pilots/c.md", &body(201).replace("Triage", "Sea"));
    repo.commit("Edit c on main", DANA, "2026-01-12T12:00:00+00:00");
    // Edit a's first line on main; feature edited its last line: the merge
    // combines both, so it differs from both parents and counts for a.
    repo.write("pilots/a.md", &format!("line ONE\n{}", body(0)));
    repo.commit("Edit a on main", DANA, "2026-01-13T12:00:00+00:00");
    let merge = repo.merge("feature", DANA, "2026-01-14T10:00:00+00:00");

    std::fs::create_dir_all(repo.root.join("pilots/sub")).expect("mkdir");
    repo.git(&["mv", "pilots/a.md", "pilots/sub/alpha.md"]);
    repo.commit("Move a", DANA, "2026-01-15T10:00:00+00:00");
    repo.write("pilots/sub/alpha.md", &format!("line ONE\n{}", body(2)));
    repo.commit("Edit alpha", LEE, "2026-01-16T10:00:00+00:00");

    let model = pilotbook_json(&repo.root, &["export"], 0);
    for (id, path) in [("bee", "pilots/bee.md"), ("c", "pilots/c.md")] {
        let h = &find(&model, "pilots", id)["history"];
        assert_eq!(ids(h), repo.log_follow(path), "{path}");
    }
    // `git log --follow` never lists merges; a merge that changed the file
    // against every parent made a version nobody committed before, and
    // `git log -- PATH` lists it. pilotbook counts it too.
    let alpha = &find(&model, "pilots", "alpha")["history"];
    let without_merge: Vec<String> = ids(alpha).into_iter().filter(|c| *c != merge).collect();
    assert_eq!(without_merge, repo.log_follow("pilots/sub/alpha.md"));
    assert!(ids(alpha).contains(&merge));
    assert!(
        repo.git(&["log", "--format=%H", "--", "pilots/a.md"])
            .contains(&merge)
    );
    assert_eq!(
        alpha["created"], "2026-01-10T10:00:00+00:00",
        "a rename keeps the creation date"
    );
    assert_eq!(alpha["renamed_from"], json!(["pilots/a.md"]));
    assert_eq!(alpha["commits"].as_array().map(Vec::len), Some(6));
}

/// A small deterministic generator: two branches editing disjoint files,
/// renames, merges; every document compared with `git log --follow`.
#[test]
fn generated_histories_match_git_log_follow() {
    for seed in [1u64, 7, 42] {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let repo = Case::new();
        repo.write("pilotbook.toml", "");
        let mut files: Vec<Vec<String>> = vec![vec![], vec![]];
        let mut day = 0;
        let mut date = || {
            day += 1;
            format!("2026-02-{:02}T{:02}:00:00+00:00", 1 + day / 24, day % 24)
        };
        for b in 0..2 {
            for i in 0..3 {
                let path = format!("pilots/{}{i}.md", ["a", "b"][b]);
                repo.write(
                    &path,
                    &format!(
                        "{}\nseed {seed} file {b}{i}\n",
                        pilot("pilot", ">= 90%", "2026-12-01")
                    ),
                );
                files[b].push(path);
            }
        }
        repo.commit("Initial", DANA, &date());
        repo.git(&["branch", "side"]);
        for step in 0..24 {
            let b = (next(2)) as usize;
            repo.git(&["checkout", "-q", if b == 0 { "main" } else { "side" }]);
            let i = next(files[b].len() as u64) as usize;
            let path = files[b][i].clone();
            if next(5) == 0 {
                let new = format!("pilots/{}{}-r{step}.md", ["a", "b"][b], i);
                repo.git(&["mv", &path, &new]);
                files[b][i] = new;
            } else {
                let text = std::fs::read_to_string(repo.root.join(&path)).expect("read");
                repo.write(&path, &format!("{text}step {step}\n"));
            }
            repo.commit(
                &format!("step {step}"),
                if b == 0 { DANA } else { LEE },
                &date(),
            );
            if next(6) == 0 {
                repo.checkout("main");
                repo.merge("side", DANA, &date());
                repo.checkout("side");
                repo.merge("main", LEE, &date());
            }
        }
        repo.checkout("main");
        repo.merge("side", DANA, &date());
        let model = pilotbook_json(&repo.root, &["export", "--no-cache"], 0);
        for path in files.iter().flatten() {
            let entity = model["pilots"]
                .as_array()
                .and_then(|l| l.iter().find(|e| e["path"] == path.as_str()))
                .expect("pilot in export");
            assert_eq!(
                ids(&entity["history"]),
                repo.log_follow(path),
                "seed {seed}: {path}"
            );
        }

        // The same history from loose objects, from packs with long delta
        // chains, on one thread and on several, and through the cache:
        // byte-identical exports.
        let export = |threads: &str, cache: bool| {
            let mut args = vec!["export"];
            if !cache {
                args.push("--no-cache");
            }
            let out = support::pilotbook_env(&repo.root, &args, &[("RAYON_NUM_THREADS", threads)]);
            assert_eq!(out.status.code(), Some(0), "seed {seed}");
            out.stdout
        };
        let loose = export("1", false);
        assert_eq!(loose, export("4", false), "seed {seed}: threads");
        // The second repack keeps the first pack (no `-d`): every commit
        // is then in two packs, and read once.
        for repack in [
            &["repack", "-adq", "--depth=50", "--window=250"][..],
            &["repack", "-afq", "--depth=3", "--window=10"][..],
            &["repack", "-adfq", "--depth=3", "--window=10"][..],
        ] {
            repo.git(repack);
            let packs = std::fs::read_dir(repo.root.join(".git/objects/pack"))
                .expect("pack folder")
                .filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "pack"))
                })
                .count();
            assert_eq!(packs, if repack[1] == "-afq" { 2 } else { 1 }, "{repack:?}");
            assert_eq!(loose, export("1", false), "seed {seed}: {repack:?}");
            assert_eq!(loose, export("3", false), "seed {seed}: {repack:?}");
            assert_eq!(loose, export("3", true), "seed {seed}: cold cache");
            assert_eq!(loose, export("2", true), "seed {seed}: warm cache");
        }
    }
}

#[test]
fn changed_since_a_branch_and_a_commit() {
    let repo = Case::new().basics();
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.write("pilots/b.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    let base = repo.commit("Base", DANA, "2026-03-01T10:00:00+00:00");
    repo.branch("feature");
    repo.write("pilots/a.md", &pilot("pilot", ">= 91%", "2026-12-01"));
    repo.commit("Edit a", DANA, "2026-03-02T10:00:00+00:00");
    repo.checkout("main");
    repo.write("pilots/b.md", &pilot("pilot", ">= 92%", "2026-12-01"));
    repo.commit("Edit b on main", DANA, "2026-03-03T10:00:00+00:00");
    repo.checkout("feature");

    let scoped = |rev: &str| -> (u64, Vec<String>) {
        let report = pilotbook_json(
            &repo.root,
            &["check", "--format", "json", "--changed-since", rev],
            0,
        );
        let mut paths: Vec<String> = rules(&report).into_iter().map(|(_, p, _)| p).collect();
        paths.sort();
        paths.dedup();
        (
            report["summary"]["documents"].as_u64().expect("count"),
            paths,
        )
    };
    // Against the branch: its merge base is `base`, so b's edit on main is not ours.
    assert_eq!(scoped("main").0, 1);
    assert_eq!(scoped(&base).0, 1);
    // An uncommitted change to the person counts, and brings the pilots that refer to it.
    repo.write("people/dana-kim.md", &PERSON.replace("Leads", "Runs"));
    assert_eq!(scoped("main").0, 3);
    // HEAD itself: only the working-tree change.
    assert_eq!(scoped("HEAD").0, 3);
    repo.git(&["checkout", "-q", "--", "people/dana-kim.md"]);
    assert_eq!(scoped("HEAD").0, 0);

    let bad = pilotbook(&repo.root, &["check", "--changed-since", "no-such-branch"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no-such-branch"));
}

#[test]
fn rev_reads_a_tag_and_an_older_commit_without_a_checkout() {
    let repo = Case::new().basics();
    repo.write("pilots/a.md", &pilot("proposed", ">= 90%", "2026-12-01"));
    let first = repo.commit("Propose", DANA, "2026-02-01T10:00:00+00:00");
    repo.git(&["tag", "v1"]);
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.write("pilots/b.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.commit("Start", LEE, "2026-03-01T10:00:00+00:00");
    // An uncommitted edit in the working tree must not leak into --rev.
    let dirty = pilot("no-go", ">= 10%", "2026-12-01");
    repo.write("pilots/a.md", &dirty);

    for rev in ["v1", first.as_str()] {
        let model = pilotbook_json(&repo.root, &["export", "--rev", rev], 0);
        let pilots = model["pilots"].as_array().expect("pilots");
        assert_eq!(pilots.len(), 1, "b did not exist at {rev}");
        assert_eq!(pilots[0]["status"], "proposed");
        assert_eq!(ids(&pilots[0]["history"]), vec![first.clone()]);
        assert_eq!(model["history"]["head"], first.as_str());
    }
    let report = pilotbook_json(&repo.root, &["check", "--format", "json", "--rev", "v1"], 0);
    assert_eq!(report["summary"]["documents"], 3);
    assert_eq!(
        std::fs::read_to_string(repo.root.join("pilots/a.md")).expect("read"),
        dirty
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]).trim().len(), 40);

    let bad = pilotbook(&repo.root, &["export", "--rev", "v9"]);
    assert_eq!(bad.status.code(), Some(2));

    // The site of a tag, built from the object database.
    let out = repo.tmp.path().join("site-v1");
    let built = pilotbook(
        &repo.root,
        &["build", "--rev", "v1", "--out", out.to_str().expect("utf8")],
    );
    assert_eq!(
        built.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let page = std::fs::read_to_string(out.join("pilots/a.html")).expect("pilot page");
    assert!(
        page.contains("status-proposed"),
        "the page shows the tag's status"
    );
    assert!(!out.join("pilots/b.html").exists(), "b did not exist at v1");
    assert_eq!(
        std::fs::read_to_string(repo.root.join("pilots/a.md")).expect("read"),
        dirty
    );
}

fn history_warnings(dir: &std::path::Path) -> Vec<String> {
    let report = pilotbook_json(dir, &["check", "--format", "json"], 0);
    report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["rule"] == "history-unavailable")
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn shallow_empty_and_plain_folders_degrade_with_one_warning() {
    let repo = Case::new().basics();
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.commit("One", DANA, "2026-01-01T10:00:00+00:00");
    repo.write("pilots/a.md", &pilot("pilot", ">= 91%", "2026-12-01"));
    repo.commit("Two", DANA, "2026-01-02T10:00:00+00:00");

    let shallow = repo.tmp.path().join("shallow");
    let url = format!("file://{}", repo.root.display());
    repo.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        shallow.to_str().expect("utf8"),
    ]);
    let warnings = history_warnings(&shallow);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("shallow") && warnings[0].contains("fetch-depth: 0"),
        "{warnings:?}"
    );
    let model = pilotbook_json(&shallow, &["export"], 0);
    assert_eq!(model["history"]["available"], false);
    assert_eq!(find(&model, "pilots", "a")["history"], Value::Null);

    let empty = Case::new();
    empty.write("pilotbook.toml", "");
    empty.write("pilots/a.md", &pilot("proposed", ">= 90%", "2026-12-01"));
    let warnings = history_warnings(&empty.root);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("no commits"), "{warnings:?}");

    let plain = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(plain.path().join("pilots")).expect("mkdir");
    std::fs::write(
        plain.path().join("pilots/a.md"),
        pilot("proposed", ">= 90%", "2026-12-01"),
    )
    .expect("write");
    let warnings = history_warnings(plain.path());
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("not inside a git repository"),
        "{warnings:?}"
    );
}

#[test]
fn uncommitted_and_modified_documents() {
    let repo = Case::new();
    repo.write("pilotbook.toml", "");
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.commit("One", DANA, "2026-01-01T10:00:00+00:00");
    repo.write("pilots/a.md", &pilot("pilot", ">= 91%", "2026-12-01"));
    repo.write("pilots/new.md", &pilot("proposed", ">= 90%", "2026-12-01"));
    let model = pilotbook_json(&repo.root, &["export"], 0);
    assert_eq!(find(&model, "pilots", "a")["history"]["state"], "modified");
    let new = &find(&model, "pilots", "new")["history"];
    assert_eq!(new["state"], "uncommitted");
    assert_eq!(new["commits"], json!([]));
    assert_eq!(new["created"], Value::Null);
}

#[test]
fn the_cache_is_reused_and_extended() {
    let repo = Case::new();
    repo.write("pilotbook.toml", "");
    repo.write("pilots/a.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.commit("One", DANA, "2026-01-01T10:00:00+00:00");
    let cached = || -> Vec<std::path::PathBuf> {
        support::files_below(&repo.root.join(".git/pilotbook"))
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "postcard"))
            .collect()
    };
    let cold = pilotbook(&repo.root, &["export", "--no-cache"]);
    assert!(cached().is_empty(), "--no-cache writes nothing");
    let warm1 = pilotbook(&repo.root, &["export"]);
    assert_eq!(cached().len(), 1, "the cache is kept in the git folder");
    let warm2 = pilotbook(&repo.root, &["export"]);
    assert_eq!(cold.stdout, warm1.stdout);
    assert_eq!(cold.stdout, warm2.stdout);
    // Nothing in the working tree.
    assert_eq!(repo.git(&["status", "--porcelain", "--ignored"]), "");

    repo.write("pilots/a.md", &pilot("go", ">= 90%", "2026-12-01"));
    repo.write("pilots/b.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.commit("Two", LEE, "2026-01-02T10:00:00+00:00");
    let extended = pilotbook(&repo.root, &["export"]);
    let fresh = pilotbook(&repo.root, &["export", "--no-cache"]);
    assert_eq!(extended.stdout, fresh.stdout);
    let model: Value = serde_json::from_slice(&extended.stdout).expect("json");
    assert_eq!(ids(&find(&model, "pilots", "a")["history"]).len(), 2);
}

/// The example portfolio's history is this project's own commits to it.
#[test]
fn example_repo_carries_its_own_history() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if root.join(".git/shallow").exists() {
        eprintln!("skipped: this checkout is shallow, so the example has no history to show");
        return;
    }
    let example = root.join("example-repo");
    let model = pilotbook_json(&example, &["export", "--no-cache"], 0);
    assert_eq!(model["history"]["available"], true, "{}", model["history"]);
    let triage = &find(&model, "pilots", "ticket-triage")["history"];
    let first = triage["commits"]
        .as_array()
        .and_then(|c| c.last())
        .expect("commits");
    let log = std::process::Command::new("git")
        .args([
            "log",
            "--follow",
            "--format=%H %aI %an",
            "--",
            "example-repo/pilots/ticket-triage.md",
        ])
        .current_dir(root)
        .output()
        .expect("git log");
    let log = String::from_utf8_lossy(&log.stdout);
    let oldest = log.lines().last().expect("git knows the file");
    let mut parts = oldest.splitn(3, ' ');
    assert_eq!(first["id"].as_str(), parts.next());
    let date = parts.next().expect("date");
    assert_eq!(first["date"].as_str().map(|d| &d[..19]), Some(&date[..19]));
    assert_eq!(first["author"].as_str(), parts.next());
    let statuses: Vec<&str> = triage["status_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["to"].as_str())
        .collect();
    assert_eq!(statuses, ["proposed", "pilot"]);
    let relaxed = triage["target_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .any(|c| c["from"] == ">= 95%" && c["to"] == ">= 92%");
    assert!(relaxed, "the moved goalpost is in the example's history");
    let invoice = &find(&model, "pilots", "invoice-matching")["history"];
    assert_eq!(
        invoice["renamed_from"],
        json!(["pilots/invoice-matching.md"])
    );
}

/// A metric page draws each pilot's actuals over time from history: one
/// point per value `actual` had, at its commit's date, one of them made
/// on a side branch and merged.
#[test]
fn a_metric_page_charts_the_actuals_a_pilot_measured_over_time() {
    use crate::support::{Case, DANA, LEE, pilot, pilotbook};
    let repo = Case::new().portfolio();
    let with_actual = |actual: &str| {
        pilot("pilot", ">= 90%", "2026-12-01").replace(
            "    target: \">= 90%\"\n",
            &format!("    target: \">= 90%\"\n    actual: \"{actual}\"\n"),
        )
    };
    repo.write("pilots/triage.md", &with_actual("71%"));
    repo.commit("First measurement", DANA, "2026-03-02T10:00:00+00:00");
    repo.branch("measure");
    repo.write("pilots/triage.md", &with_actual("84%"));
    repo.commit("Second measurement", LEE, "2026-04-06T10:00:00+00:00");
    repo.checkout("main");
    repo.merge("measure", DANA, "2026-04-08T10:00:00+00:00");
    repo.write("pilots/triage.md", &with_actual("93%"));
    repo.commit("Third measurement", DANA, "2026-05-04T10:00:00+00:00");
    let site = tempfile::tempdir().expect("tempdir");
    let out = pilotbook(
        &repo.root,
        &["build", "--out", site.path().to_str().expect("utf-8")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(site.path().join("metrics/accuracy.html")).expect("page");
    assert!(
        page.contains("aria-label=\"Actual over time: 71% on 2026-03-02, 84% on 2026-04-06, 93% on 2026-05-04\""),
        "{page}"
    );
    assert_eq!(page.matches("class=\"spark-point\"").count(), 3, "{page}");
    assert!(
        page.contains("class=\"spark-target\""),
        "the target line: {page}"
    );
}

/// At the HEAD the cache was filled at, each document's finished history
/// is taken from it (a note under `--verbose`), the same as read anew: a
/// working-tree edit still makes the document `modified`; another
/// revision and a new commit read the histories again.
#[test]
fn finished_histories_are_taken_from_the_cache_at_its_head() {
    let repo = Case::new().basics();
    repo.write("pilots/a.md", &pilot("proposed", ">= 90%", "2026-12-01"));
    let first = repo.commit("Propose", DANA, "2026-02-01T10:00:00+00:00");
    repo.write("pilots/a.md", &pilot("pilot", ">= 95%", "2027-01-15"));
    repo.write("pilots/b.md", &pilot("pilot", ">= 90%", "2026-12-01"));
    repo.commit("Start", LEE, "2026-03-01T10:00:00+00:00");
    let export = |args: &[&str]| {
        let out = pilotbook(&repo.root, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        (
            out.stdout,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let note = "took the finished histories of";
    let (cold, _) = export(&["export", "--no-cache"]);
    let (filled, said) = export(&["export", "--verbose"]);
    assert_eq!(filled, cold);
    assert!(!said.contains(note), "{said}");
    let (warm, said) = export(&["export", "--verbose"]);
    assert_eq!(warm, cold);
    assert!(said.contains(&format!("{note} 4 documents")), "{said}");

    repo.write("pilots/a.md", &pilot("pilot", ">= 99%", "2027-01-15"));
    let (modified, said) = export(&["export", "--verbose"]);
    assert!(said.contains(&format!("{note} 4 documents")), "{said}");
    assert_eq!(modified, export(&["export", "--no-cache"]).0);
    let model: Value = serde_json::from_slice(&modified).expect("json");
    assert_eq!(find(&model, "pilots", "a")["history"]["state"], "modified");

    let (older, said) = export(&["export", "--rev", &first, "--verbose"]);
    assert!(!said.contains(note), "{said}");
    assert_eq!(older, export(&["export", "--rev", &first, "--no-cache"]).0);

    repo.commit("Raise the bar", DANA, "2026-04-01T10:00:00+00:00");
    let (next, said) = export(&["export", "--verbose"]);
    assert!(!said.contains(note), "{said}");
    assert_eq!(next, export(&["export", "--no-cache"]).0);
    let (again, said) = export(&["export", "--verbose"]);
    assert!(said.contains(&format!("{note} 4 documents")), "{said}");
    assert_eq!(again, next);
}
