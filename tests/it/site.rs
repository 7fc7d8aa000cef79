//! `pilotbook build` end to end: pages pinned as snapshots of their
//! `<main>`, every relative link resolving, active content never published,
//! a failed build leaving the previous site alone, and reproducible output.

use crate::support;

use crate::support::pilotbook;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo")
}

/// Build `root` into `out`, asserting success.
fn build(root: &Path, out: &Path) {
    let o = pilotbook(
        root,
        &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    out.sort();
    out
}

/// The `<main>` element of a page, for snapshots.
fn main_of(html: &str) -> String {
    let start = html.find("<main").unwrap_or(0);
    let end = html.find("</main>").map_or(html.len(), |i| i + 7);
    html[start..end].to_string()
}

#[test]
fn pages_snapshot() {
    if Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git/shallow")
        .exists()
    {
        eprintln!("skipped: a shallow checkout has no history for the example's pages");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(&example(), &out);
    let read = |p: &str| std::fs::read_to_string(out.join(p)).expect(p);
    // Dates and commit ids come from this repository's history of the
    // example, which is fixed; the build date is PILOTBOOK_TODAY.
    insta::assert_snapshot!("portfolio_main", main_of(&read("index.html")));
    insta::assert_snapshot!("pilot_main", main_of(&read("pilots/ticket-triage.html")));
}

#[test]
fn every_relative_link_resolves() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(&example(), &out);
    let mut checked = 0;
    let mut broken = BTreeSet::new();
    for file in files(&out) {
        if file.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&file).expect("read");
        for attr in ["href=\"", "src=\""] {
            for part in html.split(attr).skip(1) {
                let url = part.split('"').next().unwrap_or("");
                if url.is_empty()
                    || url.starts_with('#')
                    || url.contains("://")
                    || url.starts_with("mailto:")
                {
                    continue;
                }
                let target = url.split(['#', '?']).next().unwrap_or("");
                let resolved = file.parent().expect("parent").join(target);
                checked += 1;
                if !resolved.exists() {
                    broken.insert(format!(
                        "{} -> {url}",
                        file.strip_prefix(&out).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} links checked");
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    for needed in [
        "pilots.json",
        "sitemap.xml",
        "404.html",
        "assets/style.css",
        "assets/site.js",
        "assets/search-index.js",
        "timeline.html",
        "graph.html",
    ] {
        assert!(out.join(needed).exists(), "{needed}");
    }
}

#[test]
fn hostile_titles_and_bodies_publish_no_active_content() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(&fixture("site/hostile"), &out);
    for file in files(&out) {
        let name = file
            .strip_prefix(&out)
            .unwrap_or(&file)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).expect("read");
        if name.ends_with(".json") {
            // Data for tools, served as JSON: it must only parse.
            serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
            continue;
        }
        if name.ends_with(".js") {
            assert!(!text.contains("</script"), "{name}");
            continue;
        }
        let lower = text.to_lowercase();
        // The only scripts are the template's own.
        let scripts = lower.matches("<script").count();
        let own = lower.matches("<script src=\"").count();
        assert_eq!(
            scripts, own,
            "{name} has a script the templates did not put there"
        );
        // Escaped text may say anything; tags may not carry active content.
        for tag in tags(&lower) {
            for bad in [
                "javascript:",
                "vbscript:",
                "data:text/html",
                "<iframe",
                "<object",
                "<embed",
            ] {
                assert!(!tag.contains(bad), "{name}: {tag}");
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
            for attr in names.split_whitespace().skip(1) {
                let is_handler = attr.starts_with("on") && attr.contains('=');
                assert!(!is_handler, "{name}: event handler in {tag}");
            }
        }
    }
    let page = std::fs::read_to_string(out.join("pilots/xss.html")).expect("pilot page");
    assert!(
        page.contains("&lt;&#x2F;title&gt;&lt;script&gt;")
            || page.contains("&lt;/title&gt;&lt;script&gt;"),
        "title escaped"
    );
    assert!(page.contains("<details>"), "harmless HTML survives");
}

/// The tags of an HTML text (escaped text has no raw `<`).
fn tags(html: &str) -> Vec<&str> {
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

#[test]
fn a_failed_build_leaves_the_previous_site() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("repo");
    for entry in walkdir::WalkDir::new(fixture("check/clean"))
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry
            .path()
            .strip_prefix(fixture("check/clean"))
            .expect("prefix");
        let dest = root.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
    let out = tmp.path().join("site");
    build(&root, &out);
    let before: Vec<(PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(&f).expect("read");
            (f, b)
        })
        .collect();

    // A template override with an error: the build fails, naming it.
    std::fs::create_dir_all(root.join("templates")).expect("mkdir");
    std::fs::write(root.join("templates/pilot.html"), "{% extends \"base.html\" %}\n{% block main %}\n{{ pilot.no_such_field.deeper }}\n{% endblock %}\n").expect("write");
    let failed = pilotbook(
        &root,
        &["build", "--no-cache", "--out", out.to_str().expect("utf8")],
    );
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("pilot.html") && stderr.contains(":3:"),
        "names the template and line: {stderr}"
    );
    // Said once: "template error while rendering …: Variable …", not
    // "…: error: Variable …".
    assert!(
        stderr.contains("template error while rendering pilots/")
            && !stderr.contains("error: error"),
        "{stderr}"
    );
    assert!(!stderr.contains(": error: "), "{stderr}");
    assert!(
        stderr.contains("pilots/ticket-triage.html"),
        "names the page: {stderr}"
    );
    let after: Vec<(PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| {
            let b = std::fs::read(&f).expect("read");
            (f, b)
        })
        .collect();
    assert_eq!(before, after, "the previous site is untouched");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary folders left: {leftovers:?}"
    );
    // A template that does not parse: said once too, with its line.
    std::fs::write(root.join("templates/pilot.html"), "{% if %}\n").expect("write");
    let unparsed = pilotbook(&root, &["build", "--out", out.to_str().expect("utf8")]);
    assert_eq!(unparsed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unparsed.stderr);
    assert!(stderr.contains("template error: Found `%}`"), "{stderr}");
    assert!(stderr.contains("pilot.html:1:"), "{stderr}");

    // A folder pilotbook did not make is never replaced.
    let foreign = tmp.path().join("foreign");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("keep.txt"), "mine").expect("write");
    std::fs::remove_dir_all(root.join("templates")).expect("rm");
    let refused = pilotbook(&root, &["build", "--out", foreign.to_str().expect("utf8")]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(foreign.join("keep.txt")).expect("kept"),
        "mine"
    );
    // Nor the repository itself.
    let into_root = pilotbook(&root, &["build", "--out", root.to_str().expect("utf8")]);
    assert_eq!(into_root.status.code(), Some(2));
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build(&example(), &a);
    build(&example(), &b);
    let fa = files(&a);
    let fb = files(&b);
    assert_eq!(fa.len(), fb.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x.strip_prefix(&a).ok(), y.strip_prefix(&b).ok());
        assert!(
            std::fs::read(x).ok() == std::fs::read(y).ok(),
            "{} differs",
            x.display()
        );
    }
}

#[test]
fn templates_are_written_out_and_overrides_win() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(root.join("pilots")).expect("mkdir");
    std::fs::copy(
        fixture("check/clean/pilots/ticket-triage.md"),
        root.join("pilots/ticket-triage.md"),
    )
    .expect("copy");
    let o = pilotbook(&root, &["templates"]);
    assert_eq!(o.status.code(), Some(0));
    for name in [
        "base.html",
        "pilot.html",
        "portfolio.html",
        "style.css",
        "site.js",
    ] {
        assert!(root.join("templates").join(name).exists(), "{name}");
    }
    // Running it again leaves edited files alone.
    std::fs::write(
        root.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}Lost at sea{% endblock %}",
    )
    .expect("write");
    assert_eq!(pilotbook(&root, &["templates"]).status.code(), Some(0));
    let out = tmp.path().join("site");
    build(&root, &out);
    let page = std::fs::read_to_string(out.join("404.html")).expect("404");
    assert!(page.contains("Lost at sea"), "the override is used");
}

#[test]
fn base_url_from_config_and_from_the_flag() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("repo");
    let clean = fixture("check/clean");
    for file in files(&clean) {
        let rel = file.strip_prefix(&clean).expect("inside");
        let to = root.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&file, &to).expect("copy");
    }
    std::fs::write(
        root.join("pilotbook.toml"),
        "[site]\nbase_url = \"https://acme.example/pilots/\"\n",
    )
    .expect("config");
    let canonical = |out: &Path| {
        let html = std::fs::read_to_string(out.join("index.html")).expect("index.html");
        html.split("<link rel=\"canonical\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_string)
    };
    let out = tmp.path().join("from-config");
    build(&root, &out);
    assert_eq!(
        canonical(&out).as_deref(),
        Some("https://acme.example/pilots/index.html")
    );
    let out = tmp.path().join("from-flag");
    let o = pilotbook(
        &root,
        &[
            "build",
            "--no-cache",
            "--base-url",
            "https://other.example",
            "--out",
            out.to_str().expect("utf8"),
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        canonical(&out).as_deref(),
        Some("https://other.example/index.html")
    );
    // The 404 page links through the base URL: a `javascript:` one would
    // run on click. Refused (exit 2, naming the flag) before any work.
    for bad in [
        "javascript:alert(1)//",
        "data:text/html,x",
        "ftp://files.example/",
    ] {
        let out = tmp.path().join("refused");
        let o = pilotbook(
            &root,
            &[
                "build",
                "--no-cache",
                "--base-url",
                bad,
                "--out",
                out.to_str().expect("utf8"),
            ],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--base-url"), "{bad}: {stderr}");
        assert!(!out.exists(), "{bad}: a site was written");
    }
}

/// The parallel, cached and rebuilt-in-place paths make the same bytes as a
/// cold build on one thread (issue 7): a site built over the previous one
/// (where unchanged files are hard-linked from it) included.
#[test]
fn parallel_cached_and_rebuilt_sites_equal_a_sequential_cold_build() {
    use support::{Case, DANA, LEE};
    let repo = Case::new();
    repo.copy_example();
    repo.commit("The portfolio", DANA, "2026-03-01T10:00:00+00:00");
    let pilot = "pilots/ticket-triage.md";
    let text = std::fs::read_to_string(repo.root.join(pilot)).expect("read pilot");
    repo.write(pilot, &text.replace("status: pilot", "status: production"));
    repo.commit("Ship triage", LEE, "2026-06-01T10:00:00+00:00");

    let outs = tempfile::tempdir().expect("tempdir");
    let build = |out: &str, threads: &str, cache: bool| -> Vec<(PathBuf, Vec<u8>)> {
        let out = outs.path().join(out);
        let mut args = vec!["build", "--out", out.to_str().expect("utf8")];
        if !cache {
            args.push("--no-cache");
        }
        let o = support::pilotbook_env(&repo.root, &args, &[("RAYON_NUM_THREADS", threads)]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        files(&out)
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(&f).expect("read");
                (f.strip_prefix(&out).expect("prefix").to_path_buf(), bytes)
            })
            .collect()
    };
    let sequential = build("one", "1", false);
    assert!(sequential.len() > 40, "{} files", sequential.len());
    assert_eq!(sequential, build("many", "4", false), "parallel, cold");
    assert_eq!(
        sequential,
        build("many", "3", true),
        "parallel, cache written"
    );
    assert_eq!(
        sequential,
        build("many", "2", true),
        "warm cache, over the last site"
    );

    // An edit after the cache was written: the rebuilt site changes the
    // pages it must and equals a fresh cold build.
    repo.write(pilot, &text.replace("status: pilot", "status: retired"));
    let rebuilt = build("many", "2", true);
    assert_eq!(
        rebuilt,
        build("fresh", "1", false),
        "rebuilt over the last site"
    );
    let page = |site: &[(PathBuf, Vec<u8>)]| {
        site.iter()
            .find(|(p, _)| p == Path::new("pilots/ticket-triage.html"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .expect("the pilot's page")
    };
    assert_ne!(page(&sequential), page(&rebuilt));
}

/// Every page says what it is to a search engine or a link preview (a meta
/// description) and has an icon, which is a file of the site (no 404 in
/// any browser's log).
#[test]
fn every_page_has_a_description_and_an_icon_that_exists() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
        &out,
    );
    let icon = std::fs::read_to_string(out.join("assets/favicon.svg")).expect("favicon");
    assert!(icon.starts_with("<svg"), "{icon}");
    let mut descriptions = BTreeSet::new();
    for file in files(&out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
    {
        let page = std::fs::read_to_string(&file).expect("page");
        let rel = file
            .strip_prefix(&out)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        let depth = rel.matches('/').count();
        let root = "../".repeat(depth);
        assert!(
            page.contains(&format!(
                "<link rel=\"icon\" href=\"{root}assets/favicon.svg\""
            )),
            "{rel}: no icon link"
        );
        let description = page
            .split("<meta name=\"description\" content=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{rel}: no meta description"));
        assert!(description.len() > 40, "{rel}: {description}");
        descriptions.insert(description.to_string());
    }
    assert!(descriptions.len() > 10, "descriptions differ by page");
}

/// A metric's page shows every pilot that measures it with its baseline,
/// target, actual and verdict, and who moved the target when.
#[test]
fn a_metric_page_shows_each_pilots_numbers_and_target_history() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
        &out,
    );
    let page = std::fs::read_to_string(out.join("metrics/triage-accuracy.html")).expect("page");
    let table = page
        .split("<section class=\"metric-uses\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the metric's pilots");
    let row = table
        .split("<tr>")
        .find(|r| r.contains("pilots/ticket-triage.html"))
        .expect("ticket triage measures it");
    for cell in [
        "<td>81%</td>",
        "<td>&gt;= 92%</td>",
        "<td>93.1%</td>",
        "result met",
    ] {
        assert!(row.contains(cell), "{cell}: {row}");
    }
    // The target was agreed, then lowered: both changes, oldest first.
    let changes: Vec<&str> = row.split("<span class=\"change\">").skip(1).collect();
    assert_eq!(changes.len(), 2, "{row}");
    assert!(changes[0].contains("none → &gt;= 95%"), "{row}");
    assert!(
        changes[1].contains("&gt;= 95% → &gt;= 92% by Dana Kim"),
        "{row}"
    );
}

/// The owners' and teams' page: each owner's pilots by status, stuck,
/// reached production and targets met, from the same derived facts as the
/// portfolio's overview.
#[test]
fn the_rollup_page_sums_up_each_owner_and_team() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    build(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
        &out,
    );
    let page = std::fs::read_to_string(out.join("rollup.html")).expect("rollup.html");
    let row = |name: &str| -> Vec<String> {
        let row = page
            .split("<tr>")
            .find(|r| r.contains(&format!(">{name}<")))
            .unwrap_or_else(|| panic!("no row for {name}"));
        row.split("<td>")
            .skip(1)
            .map(|c| {
                let c = c.split("</td>").next().unwrap_or_default();
                // The text of the cell, without its markup.
                let mut text = String::new();
                let mut inside = false;
                for ch in c.chars() {
                    match ch {
                        '<' => inside = true,
                        '>' => inside = false,
                        ch if !inside => text.push(ch),
                        _ => {}
                    }
                }
                text
            })
            .collect()
    };
    // Pilots; proposed, pilot, go, no-go, production, retired; stuck;
    // reached production; met every target.
    assert_eq!(
        row("Dana Kim"),
        ["2", "0", "1", "0", "0", "1", "0", "1", "1", "1 of 1"]
    );
    // Dana's two and the proposed reply drafting pilot.
    assert_eq!(
        row("support-ops"),
        ["3", "1", "1", "0", "0", "1", "0", "1", "1", "1 of 1"]
    );
    let index = std::fs::read_to_string(out.join("index.html")).expect("index");
    assert!(
        index.contains("href=\"rollup.html\""),
        "linked from every page"
    );
}
