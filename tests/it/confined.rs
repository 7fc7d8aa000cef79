//! pilotbook reads only inside the repository and writes only where it
//! was told, whatever a pull request commits: links to secrets, devices,
//! FIFOs, a `site` link, ids that name generated pages. Builds are safe to
//! kill and to run many at once. Each test runs the real binary on a git
//! repository made here; secrets are planted as unique markers (in
//! `.git/config`, in a file outside the repository standing in for
//! `/etc/passwd`, in pilotbook's environment), and the built site is
//! searched for every one of them and for every line of the real
//! `/etc/passwd`.

#![cfg(unix)]

use crate::support::{Case, DANA, Run, files_below, pilot};
use serde_json::Value;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const GIT_MARKER: &str = "gitconfig-7f3a9c1e-secret";
const OUTSIDE_MARKER: &str = "outside-4d2b8e61-secret";
const ENV_MARKER: &str = "environment-9b1c3d5a-secret";

/// A committed repository with the small clean portfolio, a CI token in
/// `.git/config` and a password file outside it.
fn repository() -> Case {
    let repo = Case::new();
    repo.copy_fixture("check/clean");
    repo.git(&[
        "config",
        "http.extraheader",
        &format!("AUTHORIZATION: basic {GIT_MARKER}"),
    ]);
    let outside = repo.tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(
        outside.join("passwd"),
        format!("root:x:0:0:{OUTSIDE_MARKER}:/root:/bin/bash\n"),
    )
    .expect("write");
    std::fs::write(
        outside.join("dana.md"),
        format!("---\nname: {OUTSIDE_MARKER}\n---\n"),
    )
    .expect("write");
    repo
}

fn outside(repo: &Case) -> PathBuf {
    repo.tmp.path().join("outside")
}

fn link(repo: &Case, target: impl AsRef<Path>, at: &str) {
    let path = repo.root.join(at);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    symlink(target, path).expect("symlink");
}

fn commit(repo: &Case) {
    repo.commit("Pilots", DANA, "2026-01-01T10:00:00+00:00");
}

/// pilotbook in `dir` with the secret in its environment. A run that reads
/// without bound fails at 1 GiB of address space instead of taking the
/// machine: the bound on memory these tests assert.
fn pilotbook(dir: &Path, args: &[&str]) -> Run {
    Run::at(dir)
        .args(args)
        .env("PILOTBOOK_TEST_SECRET", ENV_MARKER)
        .address_space(1 << 30)
}

/// Spawn pilotbook in `dir`, with piped output.
fn spawn(dir: &Path, args: &[&str]) -> Child {
    pilotbook(dir, args)
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pilotbook")
}

/// Run pilotbook to the end, killed after `limit`; the output and how
/// long it took.
fn run_for(dir: &Path, args: &[&str], limit: Duration) -> (Output, Duration) {
    let ran = pilotbook(dir, args).limit(limit).ran();
    (ran.output, ran.took)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_for(dir, args, Duration::from_secs(60)).0
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn check_json(repo: &Case) -> Vec<Value> {
    let out = run(&repo.root, &["check", "--format", "json", "--no-cache"]);
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    json["diagnostics"].as_array().cloned().unwrap_or_default()
}

fn findings<'a>(diagnostics: &'a [Value], rule: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["rule"] == rule).collect()
}

fn build(repo: &Case, out: &Path) -> Output {
    run(
        &repo.root,
        &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
    )
}

/// Every secret found in the files below `site`: the three markers and
/// each line of the real `/etc/passwd`.
fn secrets_in(site: &Path) -> Vec<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let mut needles: Vec<&str> = vec![GIT_MARKER, OUTSIDE_MARKER, ENV_MARKER];
    needles.extend(passwd.lines().filter(|l| l.len() >= 8));
    let mut found = Vec::new();
    for file in files_below(site) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).expect("read")).into_owned();
        for needle in &needles {
            if text.contains(needle) {
                found.push(format!("{}: {needle}", file.display()));
            }
        }
    }
    found
}

#[test]
fn documents_linked_to_secrets_are_named_and_never_published() {
    let repo = repository();
    link(&repo, "../.git/config", "people/ci-token.md");
    link(&repo, "../.git", "people/gitdir");
    link(&repo, outside(&repo).join("passwd"), "people/passwd.md");
    link(&repo, "/etc/passwd", "people/etc-passwd.md");
    link(&repo, "/proc/self/environ", "people/environ.md");
    link(&repo, outside(&repo), "people/outside");
    commit(&repo);

    let site = repo.tmp.path().join("site");
    let built = build(&repo, &site);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(files_below(&site).len() > 5);
    assert_eq!(secrets_in(&site), Vec::<String>::new());

    let diagnostics = check_json(&repo);
    let skipped = findings(&diagnostics, "symlink-skipped");
    let paths: Vec<&str> = skipped.iter().filter_map(|d| d["path"].as_str()).collect();
    assert_eq!(
        paths,
        [
            "people/ci-token.md",
            "people/environ.md",
            "people/etc-passwd.md",
            "people/gitdir",
            "people/outside",
            "people/passwd.md"
        ],
        "{diagnostics:#?}"
    );
    let git = skipped[0]["message"].as_str().unwrap_or("");
    assert!(git.contains("git folder"), "{git}");
    assert!(skipped.iter().all(|d| d["line"] == 1 && d["column"] == 1));
}

#[test]
fn template_overrides_linked_to_secrets_stop_the_build() {
    // `outside` stands for the password file made outside the repository.
    // The sitemap and the assets are published as their text says.
    let targets = [
        ("sitemap.xml", "../.git/config"),
        ("style.css", "outside"),
        ("site.js", "/etc/passwd"),
        ("sitemap.xml", "/proc/self/environ"),
        ("base.html", "../.git/config"),
    ];
    let mut problems = Vec::new();
    for (name, target) in targets {
        let repo = repository();
        let target = match target {
            "outside" => outside(&repo).join("passwd"),
            other => PathBuf::from(other),
        };
        link(&repo, &target, &format!("templates/{name}"));
        commit(&repo);
        let site = repo.tmp.path().join("site");
        let built = build(&repo, &site);
        let err = stderr(&built);
        let case = format!("templates/{name} -> {}", target.display());
        if site.exists() {
            problems.extend(
                secrets_in(&site)
                    .into_iter()
                    .map(|s| format!("{case}: published {s}")),
            );
            problems.push(format!("{case}: a site was written"));
        }
        if built.status.code() != Some(2) {
            problems.push(format!("{case}: exit {:?}, not 2", built.status.code()));
        }
        if !err.contains(&format!("templates/{name}")) || !err.contains("symbolic link") {
            problems.push(format!("{case}: the error does not name the link: {err}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn devices_and_fifos_are_refused_quickly_without_reading() {
    let repo = repository();
    commit(&repo);
    let site = repo.tmp.path().join("site");
    let fifo = repo.root.join("templates/base.html");
    std::fs::create_dir_all(fifo.parent().expect("parent")).expect("mkdir");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let cases: [(&str, &dyn Fn()); 4] = [
        ("templates/base.html", &|| {}),
        ("templates/site.js", &|| {
            std::fs::remove_file(&fifo).expect("rm");
            link(&repo, "/dev/zero", "templates/site.js");
        }),
        ("pilotbook.toml", &|| {
            std::fs::remove_file(repo.root.join("templates/site.js")).expect("rm");
            std::fs::remove_file(repo.root.join("pilotbook.toml")).expect("rm");
            link(&repo, "/dev/zero", "pilotbook.toml");
        }),
        ("people/zero.md", &|| {
            std::fs::remove_file(repo.root.join("pilotbook.toml")).expect("rm");
            std::fs::write(repo.root.join("pilotbook.toml"), "").expect("write");
            let made = Command::new("mkfifo")
                .arg(repo.root.join("people/zero.md"))
                .status()
                .expect("mkfifo");
            assert!(made.success());
        }),
    ];
    for (path, setup) in cases {
        setup();
        let args = ["build", "--no-cache", "--out", site.to_str().expect("utf8")];
        let (built, took) = run_for(&repo.root, &args, Duration::from_secs(20));
        let err = stderr(&built);
        assert!(took < Duration::from_secs(10), "{path}: took {took:?}");
        if path.ends_with(".md") {
            // A document: a located finding, the rest is published.
            assert_eq!(built.status.code(), Some(0), "{path}: {err}");
            let diagnostics = check_json(&repo);
            let unreadable = findings(&diagnostics, "unreadable-file");
            assert_eq!(unreadable.len(), 1, "{diagnostics:#?}");
            assert_eq!(unreadable[0]["path"], path);
            let message = unreadable[0]["message"].as_str().unwrap_or("");
            assert!(message.contains("FIFO"), "{message}");
        } else {
            assert_eq!(built.status.code(), Some(2), "{path}: {err}");
            assert!(err.contains(path), "{path}: {err}");
            assert!(
                err.contains("not a regular file") || err.contains("outside the repository"),
                "{path}: {err}"
            );
        }
    }
}

#[test]
fn a_config_outside_the_repository_through_a_link_is_refused() {
    let repo = repository();
    std::fs::remove_file(repo.root.join("pilotbook.toml")).expect("rm");
    link(&repo, "../outside/passwd", "pilotbook.toml");
    commit(&repo);
    let out = run(&repo.root, &["check", "--no-cache"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("pilotbook.toml"), "{err}");
    assert!(err.contains("outside the repository"), "{err}");
    assert!(!err.contains(OUTSIDE_MARKER), "{err}");
}

#[test]
fn folder_links_inside_the_repository_are_walked_and_loops_named() {
    let repo = repository();
    repo.write(
        "teams/payments/refunds.md",
        &pilot("pilot", ">= 90%", "2026-12-01").replace("title: Triage", "title: Refunds"),
    );
    link(&repo, "../teams/payments", "pilots/payments");
    link(&repo, "..", "pilots/up");
    link(&repo, outside(&repo), "pilots/elsewhere");
    commit(&repo);

    let out = run(&repo.root, &["export", "--no-cache"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let export: Value = serde_json::from_slice(&out.stdout).expect("json");
    let pilots: Vec<(&str, &str)> = export["pilots"]
        .as_array()
        .expect("pilots")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or(""),
                p["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        pilots.contains(&("refunds", "pilots/payments/refunds.md")),
        "{pilots:?}"
    );

    let diagnostics = check_json(&repo);
    let skipped = findings(&diagnostics, "symlink-skipped");
    let named: Vec<(&str, &str)> = skipped
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(named.len(), 2, "{named:?}");
    assert_eq!(named[0].0, "pilots/elsewhere");
    assert!(named[0].1.contains("outside the repository"), "{named:?}");
    assert_eq!(named[1].0, "pilots/up");
    assert!(named[1].1.contains("loop"), "{named:?}");
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["path"] == "pilots/up/pilots/ticket-triage.md")
    );
}

#[test]
fn a_committed_site_link_never_sends_the_build_outside() {
    let repo = repository();
    let elsewhere = repo.tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    link(&repo, &elsewhere, "site");
    link(&repo, &elsewhere, "public");
    commit(&repo);
    let listing = |dir: &Path| std::fs::read_dir(dir).expect("list").count();

    // The default output folder, `site`, is the link.
    let out = run(&repo.root, &["build", "--no-cache"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(listing(&elsewhere), 0, "the build wrote through the link");
    assert_eq!(listing(repo.tmp.path()), 3, "repo, outside, elsewhere only");

    // A folder on the way inside the repository is one.
    repo.write("pilotbook.toml", "[build]\noutput_dir = \"public/site\"\n");
    let out = run(&repo.root, &["build", "--no-cache"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("public"), "{err}");
    assert_eq!(listing(&elsewhere), 0, "the build wrote through the link");
}

/// The temporary folders beside a site.
fn strays(parent: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".pilotbook-"))
        .collect();
    names.sort();
    names
}

/// A portfolio large enough that a debug build takes a while.
fn large_repository() -> Case {
    let repo = repository();
    for i in 0..300 {
        repo.write(
            &format!("pilots/p{i:03}.md"),
            &pilot("pilot", ">= 90%", "2026-12-01"),
        );
    }
    commit(&repo);
    repo
}

/// Start a build and wait until its temporary folder exists; `None` when
/// it finished first.
fn build_caught_midway(repo: &Case, site: &Path) -> Option<Child> {
    let args = ["build", "--no-cache", "--out", site.to_str().expect("utf8")];
    let mut child = spawn(&repo.root, &args);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if !strays(repo.tmp.path()).is_empty() {
            return Some(child);
        }
        if child.try_wait().expect("wait").is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the build neither finished nor started writing");
}

#[test]
fn a_build_killed_midway_is_cleaned_up_by_the_next() {
    let repo = large_repository();
    let site = repo.tmp.path().join("site");
    let first = build(&repo, &site);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    for _ in 0..20 {
        let Some(mut child) = build_caught_midway(&repo, &site) else {
            continue;
        };
        child.kill().expect("kill -9");
        let _ = child.wait();
        assert!(
            !strays(repo.tmp.path()).is_empty(),
            "kill -9 leaves its folder"
        );
        assert!(site.join("index.html").is_file(), "the previous site stays");
        let again = build(&repo, &site);
        assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
        assert_eq!(strays(repo.tmp.path()), Vec::<String>::new());
        return;
    }
    panic!("never caught a build midway");
}

#[test]
fn sigterm_and_ctrl_c_during_a_build_clean_up_at_once() {
    let repo = large_repository();
    let site = repo.tmp.path().join("site");
    let first = build(&repo, &site);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = std::fs::read(site.join("index.html")).expect("read");
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let mut caught = None;
        for _ in 0..20 {
            caught = build_caught_midway(&repo, &site);
            if caught.is_some() {
                break;
            }
        }
        let child = caught.expect("caught a build midway");
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(code),
            "SIG{signal}: {}",
            stderr(&out)
        );
        assert_eq!(strays(repo.tmp.path()), Vec::<String>::new(), "SIG{signal}");
        assert_eq!(
            std::fs::read(site.join("index.html")).expect("read"),
            before
        );
    }
}

#[test]
fn concurrent_builds_queue_and_a_reader_never_misses_a_page() {
    let repo = repository();
    commit(&repo);
    let site = repo.tmp.path().join("site");
    let first = build(&repo, &site);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let index = site.join("index.html");
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let done = done.clone();
        let index = index.clone();
        std::thread::spawn(move || {
            let (mut reads, mut misses) = (0, 0);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                match std::fs::read(&index) {
                    Ok(bytes) if !bytes.is_empty() => {}
                    _ => misses += 1,
                }
                reads += 1;
            }
            (reads, misses)
        })
    };
    let args = ["build", "--no-cache", "--out", site.to_str().expect("utf8")];
    let children: Vec<Child> = (0..50).map(|_| spawn(&repo.root, &args)).collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (reads, misses) = reader.join().expect("reader");
    for out in &outputs {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    }
    assert!(reads > 100, "the reader read {reads} times");
    assert_eq!(
        misses, 0,
        "index.html was missing in {misses} of {reads} reads"
    );
    assert_eq!(strays(repo.tmp.path()), Vec::<String>::new());
    assert!(site.join(".pilotbook-site").is_file());
}

#[test]
fn an_id_that_names_a_generated_page_is_refused() {
    let repo = repository();
    let text =
        pilot("pilot", ">= 90%", "2026-12-01").replace("---\ntitle:", "---\nid: index\ntitle:");
    repo.write("pilots/overview.md", &text);
    commit(&repo);

    let diagnostics = check_json(&repo);
    let reserved = findings(&diagnostics, "reserved-id");
    assert_eq!(reserved.len(), 1, "{diagnostics:#?}");
    assert_eq!(reserved[0]["path"], "pilots/overview.md");
    assert_eq!(reserved[0]["line"], 2);
    assert_eq!(reserved[0]["severity"], "error");
    let out = run(&repo.root, &["check", "--no-cache"]);
    assert_eq!(out.status.code(), Some(1));

    let site = repo.tmp.path().join("site");
    let built = build(&repo, &site);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let kind_index = std::fs::read_to_string(site.join("pilots/index.html")).expect("read");
    assert!(
        kind_index.contains("ticket-triage.html"),
        "the pilots index page was replaced"
    );
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).expect("read");
    assert_eq!(sitemap.matches("pilots/index.html").count(), 1, "{sitemap}");
}

#[test]
fn a_latin1_byte_is_located_on_its_line() {
    let repo = repository();
    let path = repo.root.join("people/lee.md");
    std::fs::write(&path, b"---\nname: Lee\nteam: Caf\xe9 ops\n---\n").expect("write");
    commit(&repo);
    let diagnostics = check_json(&repo);
    let unreadable = findings(&diagnostics, "unreadable-file");
    assert_eq!(unreadable.len(), 1, "{diagnostics:#?}");
    assert_eq!(unreadable[0]["path"], "people/lee.md");
    assert_eq!(
        (&unreadable[0]["line"], &unreadable[0]["column"]),
        (&3.into(), &10.into())
    );
    let message = unreadable[0]["message"].as_str().unwrap_or("");
    assert!(message.contains("byte offset 23"), "{message}");
}

#[test]
fn scaffolding_never_writes_through_a_link() {
    let repo = repository();
    let passwd = outside(&repo).join("passwd");
    let before = std::fs::read(&passwd).expect("read");
    // `init --force` replaces a link with the file, never its target.
    std::fs::remove_file(repo.root.join("pilotbook.toml")).expect("rm");
    link(&repo, &passwd, "pilotbook.toml");
    let out = run(&repo.root, &["init", "--force", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(&passwd).expect("read"), before);
    let config = std::fs::symlink_metadata(repo.root.join("pilotbook.toml")).expect("stat");
    assert!(config.is_file());

    // `new` does not create a document in a folder link out of the repository.
    std::fs::rename(repo.root.join("pilots"), repo.root.join("old-pilots")).expect("mv");
    link(&repo, outside(&repo), "pilots");
    let out = run(&repo.root, &["new", "escaped"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("outside the repository"), "{err}");
    assert!(!outside(&repo).join("escaped.md").exists());

    // `templates` skips a dangling link instead of creating its target.
    let target = outside(&repo).join("created-by-templates");
    link(&repo, &target, "templates/base.html");
    let out = run(&repo.root, &["templates"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!target.exists(), "written through a dangling link");
    assert!(repo.root.join("templates/pilot.html").is_file());
}
