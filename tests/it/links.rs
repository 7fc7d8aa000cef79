//! Links between documents publish as they read on the forge: a relative
//! link to another document becomes a link to its page (with or without
//! `.md`, from the root or relative, with its heading anchor), heading
//! anchors follow GitHub's slug rule, and anchors written as raw HTML
//! survive. The built sites are crawled by `scripts/check-site-links`, an
//! independent implementation in Python, which must find nothing broken.

use crate::support::{Case, DANA, QUIET_LIFECYCLE, pilot, pilotbook};
use std::path::Path;
use std::process::Command;

/// Crawl `site` with scripts/check-site-links; its JSON summary.
fn crawl(site: &Path) -> Option<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-site-links");
    let out = match Command::new("python3")
        .arg(&script)
        .arg(site)
        .args(["--json", "--fail-on-md"])
        .output()
    {
        Ok(out) => out,
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("python3 is required in CI")
        }
        Err(_) => {
            eprintln!("skipped: no python3 to crawl the site with");
            return None;
        }
    };
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "broken links: {report:#}");
    Some(report)
}

#[test]
fn links_between_documents_lead_to_their_pages() {
    let repo = Case::new().portfolio().config(QUIET_LIFECYCLE);
    let b = pilot("pilot", ">= 90%", "2026-12-01")
        .replace("title: Triage", "title: Billing")
        .replace(
            "## Rollback\n",
            "## Rollback / kill switch\n\n<a name=\"legacy-anchor\"></a> <a id=\"Mixed-Case\"></a>\n",
        );
    repo.write("pilots/billing.md", &b);
    let a = pilot("pilot", ">= 90%", "2026-12-01").replace(
        "## Integrations\n\nNone yet.\n",
        "## Integrations\n\nSee [billing's rollback](./billing.md#Rollback--kill-switch), \
         [billing](billing), [from the root](/pilots/billing.md#legacy-anchor), \
         [the owner](../people/dana-kim.md), [a section here](#rollback), \
         [in another case](#Rollback), [a raw anchor](billing.md#Mixed-Case) and \
         [the spec](https://example.org/spec.md).\n",
    );
    repo.write("pilots/triage.md", &a);
    repo.commit("Pilots", DANA, "2026-11-01T10:00:00+00:00");
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
    let page = std::fs::read_to_string(site.path().join("pilots/triage.html")).expect("page");
    for href in [
        "href=\"billing.html#rollback--kill-switch\"",
        "href=\"billing.html\"",
        "href=\"billing.html#legacy-anchor\"",
        "href=\"../people/dana-kim.html\"",
        "href=\"#rollback\"",
        "href=\"billing.html#mixed-case\"",
        "href=\"https://example.org/spec.md\"",
    ] {
        assert!(page.contains(href), "{href} in {page}");
    }
    let billing = std::fs::read_to_string(site.path().join("pilots/billing.html")).expect("page");
    assert!(
        billing.contains("<h2 id=\"rollback--kill-switch\">"),
        "GitHub's slug: {billing}"
    );
    assert!(
        billing.contains("name=\"legacy-anchor\""),
        "raw anchor kept: {billing}"
    );
    // Fragments match in any case, as on the forge: both sides lowercase.
    assert!(billing.contains("id=\"mixed-case\""), "{billing}");
    assert!(!page.contains("href=\"#Rollback\""), "{page}");
    if let Some(report) = crawl(site.path()) {
        assert!(report["pages"].as_u64().is_some_and(|n| n > 5), "{report}");
    }
}

#[test]
fn the_example_site_has_no_broken_link_or_anchor() {
    let site = tempfile::tempdir().expect("tempdir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let out = pilotbook(
        &example,
        &["build", "--out", site.path().to_str().expect("utf-8")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    crawl(site.path());
}

/// A tiny valid PNG (1×1), and a marker so that copies can be told apart.
fn png(marker: u8) -> Vec<u8> {
    let mut bytes = vec![
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
    ];
    bytes.push(marker);
    bytes
}

#[test]
fn linked_images_are_carried_and_nothing_outside_or_hidden_is() {
    let repo = Case::new().portfolio().config(&format!(
        "{QUIET_LIFECYCLE}[limits]\nmax_file_bytes = 100000\n"
    ));
    std::fs::create_dir_all(repo.root.join("pilots/img")).expect("mkdir");
    std::fs::create_dir_all(repo.root.join(".secret")).expect("mkdir");
    std::fs::write(repo.root.join("pilots/img/flow.png"), png(1)).expect("png");
    std::fs::write(repo.root.join("pilots/spec.pdf"), b"%PDF-1.4 spec").expect("pdf");
    std::fs::write(repo.root.join(".secret/key.png"), png(2)).expect("png");
    std::fs::write(repo.root.join("pilots/img/huge.png"), vec![0u8; 200_000]).expect("png");
    let outside = tempfile::tempdir().expect("outside");
    std::fs::write(outside.path().join("host.png"), png(3)).expect("png");
    std::os::unix::fs::symlink(
        outside.path().join("host.png"),
        repo.root.join("pilots/img/out.png"),
    )
    .expect("symlink");
    let body = "## Integrations\n\n![flow](img/flow.png) ![again](./img/flow.png?raw=true) \
        [the spec](spec.pdf) ![secret](../.secret/key.png) ![out](img/out.png) \
        ![huge](img/huge.png) ![up](../../../../etc/hostname.png) ![gone](img/none.png)\n";
    repo.write(
        "pilots/triage.md",
        &pilot("pilot", ">= 90%", "2026-12-01").replace("## Integrations\n\nNone yet.\n", body),
    );
    repo.commit("Pilot with pictures", DANA, "2026-11-01T10:00:00+00:00");
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
    let page = std::fs::read_to_string(site.path().join("pilots/triage.html")).expect("page");
    assert!(
        page.contains("src=\"../files/pilots/img/flow.png\""),
        "{page}"
    );
    assert!(page.contains("href=\"../files/pilots/spec.pdf\""), "{page}");
    assert_eq!(
        std::fs::read(site.path().join("files/pilots/img/flow.png")).expect("carried"),
        png(1)
    );
    assert!(site.path().join("files/pilots/spec.pdf").is_file());
    // Never carried: a hidden folder, a link out of the repository, a file
    // over the size limit, a path that climbs out, a missing file. Their
    // links stay as written.
    let carried: Vec<String> = walkdir::WalkDir::new(site.path().join("files"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(site.path())
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(carried.len(), 2, "{carried:?}");
    for kept in [
        "../.secret/key.png",
        "img/out.png",
        "img/huge.png",
        "img/none.png",
    ] {
        assert!(page.contains(&format!("src=\"{kept}\"")), "{kept}: {page}");
    }
    let everything = walkdir::WalkDir::new(site.path())
        .into_iter()
        .filter_map(Result::ok);
    for entry in everything.filter(|e| e.file_type().is_file()) {
        let bytes = std::fs::read(entry.path()).expect("read");
        assert!(
            !bytes.ends_with(&[3]) || bytes != png(3),
            "the file outside was published"
        );
        assert_ne!(bytes, png(2), "the hidden file was published");
    }

    // `--rev` carries the revision's picture, not the working tree's.
    std::fs::write(repo.root.join("pilots/img/flow.png"), png(9)).expect("png");
    let rev_site = tempfile::tempdir().expect("tempdir");
    let out = pilotbook(
        &repo.root,
        &[
            "build",
            "--rev",
            "HEAD",
            "--out",
            rev_site.path().to_str().expect("utf-8"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(rev_site.path().join("files/pilots/img/flow.png")).expect("carried"),
        png(1)
    );
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> u64 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in text"));
    1 + text[..at].matches('\n').count() as u64
}

/// The `broken-link` findings of a JSON report: (path, line, message, help).
fn broken(report: &serde_json::Value) -> Vec<(String, u64, String, String)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "broken-link")
        .map(|d| {
            (
                d["path"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
                d["help"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn broken_links_images_and_anchors_are_findings_at_their_line() {
    let repo = Case::new().portfolio().config(&format!(
        "{QUIET_LIFECYCLE}\n[site]\nrepository = \"https://git.example.org/acme/ops\"\n"
    ));
    std::fs::create_dir_all(repo.root.join("pilots/img")).expect("mkdir");
    std::fs::create_dir_all(repo.root.join("src")).expect("mkdir");
    std::fs::write(repo.root.join("pilots/img/flow.png"), png(1)).expect("png");
    std::fs::write(repo.root.join("pilots/img/my flow.png"), png(2)).expect("png");
    std::fs::write(repo.root.join("src/matcher.py"), "def match(): ...\n").expect("py");
    let billing = pilot("pilot", ">= 90%", "2026-12-01").replace("title: Triage", "title: Billing");
    repo.write("pilots/billing.md", &billing);
    let body = "## Integrations\n\n\
        Fine: [billing's rollback](./billing.md#Rollback), ![flow](img/flow.png), \
        ![spaced](img/my%20flow.png), [the matcher](../src/matcher.py#L10), \
        [the code](../src/), [web](https://example.org/gone.md), [here](#monitoring).\n\n\
        Moved: [the old billing](./billing-old.md).\n\n\
        A typo: [billing's plan](billing.md#rollbak).\n\n\
        ![gone](img/gone.png)\n\n\
        See [below](#nowhere).\n";
    let triage =
        pilot("pilot", ">= 90%", "2026-12-01").replace("## Integrations\n\nNone yet.\n", body);
    repo.write("pilots/triage.md", &triage);
    repo.commit("Pilots with links", DANA, "2026-11-01T10:00:00+00:00");

    let report = crate::support::pilotbook_json(&repo.root, &["check", "--format", "json"], 0);
    let found = broken(&report);
    let at = |needle: &str| ("pilots/triage.md".to_string(), line_of(&triage, needle));
    let expected = [
        (
            at("[the old billing]"),
            "link `./billing-old.md` leads nowhere: `pilots/billing-old.md` is not in the repository",
        ),
        (
            at("[billing's plan]"),
            "link `billing.md#rollbak` names a heading `#rollbak` that `pilots/billing.md` does not have",
        ),
        (
            at("![gone]"),
            "image `img/gone.png` leads nowhere: `pilots/img/gone.png` is not in the repository",
        ),
        (
            at("[below]"),
            "link `#nowhere` names a heading `#nowhere` that this document does not have",
        ),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for ((path, line), message) in expected {
        assert!(
            found
                .iter()
                .any(|f| f.0 == path && f.1 == line && f.2 == message),
            "{path}:{line} {message} in {found:#?}"
        );
    }
    let typo = found
        .iter()
        .find(|f| f.2.contains("#rollbak"))
        .expect("typo");
    assert_eq!(typo.3, "did you mean `#rollback`?");

    // A warning: the gate holds only where `[rules]` makes it an error.
    std::fs::write(
        repo.root.join("pilotbook.toml"),
        format!("{QUIET_LIFECYCLE}broken-link = \"error\"\n"),
    )
    .expect("config");
    let strict = pilotbook(&repo.root, &["check"]);
    assert_eq!(strict.status.code(), Some(1));
    let text = String::from_utf8_lossy(&strict.stdout).to_string()
        + &String::from_utf8_lossy(&strict.stderr);
    assert!(text.contains("pilots/triage.md:"), "{text}");

    // `--rev` asks the revision: a file deleted since is there, one
    // added since is not.
    std::fs::remove_file(repo.root.join("src/matcher.py")).expect("rm");
    std::fs::write(repo.root.join("pilots/img/gone.png"), png(3)).expect("png");
    let now = broken(&crate::support::pilotbook_json(
        &repo.root,
        &["check", "--format", "json"],
        1,
    ));
    assert!(
        now.iter().any(|f| f.2
            == "link `../src/matcher.py#L10` leads nowhere: `src/matcher.py` is not in the repository"),
        "{now:#?}"
    );
    assert!(!now.iter().any(|f| f.2.contains("gone.png")), "{now:#?}");
    // (and its own pilotbook.toml, where the rule is still a warning).
    let then = broken(&crate::support::pilotbook_json(
        &repo.root,
        &["check", "--rev", "HEAD", "--format", "json"],
        0,
    ));
    assert!(
        !then.iter().any(|f| f.2.contains("matcher.py")),
        "{then:#?}"
    );
    assert!(then.iter().any(|f| f.2.contains("gone.png")), "{then:#?}");
}

#[test]
fn links_to_source_files_lead_to_the_forge_at_the_built_commit() {
    let repo = Case::new().portfolio().config(&format!(
        "{QUIET_LIFECYCLE}\n[site]\nrepository = \"https://git.example.org/acme/ops/\"\n"
    ));
    std::fs::create_dir_all(repo.root.join("src")).expect("mkdir");
    std::fs::write(repo.root.join("src/matcher.py"), "def match(): ...\n").expect("py");
    std::fs::write(repo.root.join("src/arch.svg"), "<svg/>").expect("svg");
    let body = "## Integrations\n\n[the matcher](../src/matcher.py#L10), [the code](../src/) \
        and ![the architecture](../src/arch.svg).\n";
    repo.write(
        "pilots/triage.md",
        &pilot("pilot", ">= 90%", "2026-12-01").replace("## Integrations\n\nNone yet.\n", body),
    );
    let head = repo.commit("Pilot", DANA, "2026-11-01T10:00:00+00:00");
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
    let page = std::fs::read_to_string(site.path().join("pilots/triage.html")).expect("page");
    for url in [
        format!("href=\"https://git.example.org/acme/ops/blob/{head}/src/matcher.py#L10\""),
        format!("href=\"https://git.example.org/acme/ops/blob/{head}/src\""),
        format!("src=\"https://git.example.org/acme/ops/raw/{head}/src/arch.svg\""),
    ] {
        assert!(page.contains(&url), "{url} in {page}");
    }
    assert!(
        !site.path().join("files/src").exists(),
        "source files are not published"
    );
}

#[test]
fn a_repeated_broken_link_is_one_finding_and_a_document_gets_at_most_fifty() {
    let repo = Case::new().portfolio();
    let mut body = String::from(
        "## Integrations\n\n[again](./gone.md) [again](./gone.md) [again](./gone.md)\n\n",
    );
    for i in 0..60 {
        body.push_str(&format!("[n{i}](./missing-{i}.md)\n"));
    }
    repo.write(
        "pilots/triage.md",
        &pilot("pilot", ">= 90%", "2026-12-01").replace("## Integrations\n\nNone yet.\n", &body),
    );
    repo.commit("Pilot", DANA, "2026-11-01T10:00:00+00:00");
    let found = broken(&crate::support::pilotbook_json(
        &repo.root,
        &["check", "--format", "json"],
        0,
    ));
    assert_eq!(found.len(), 51, "{found:#?}");
    assert_eq!(
        found[0].2,
        "link `./gone.md` leads nowhere: `pilots/gone.md` is not in the repository (written 3 times here; the first is shown)"
    );
    assert!(
        found.iter().any(|f| f.2
            == "11 more broken links or images in this document are not listed (at most 50 are)"),
        "{found:#?}"
    );
}

#[test]
fn documents_with_one_id_in_two_folders_each_have_a_page() {
    let repo = Case::new().portfolio().config(&format!(
        "{QUIET_LIFECYCLE}\n[kinds.meeting]\npath = \"meetings/**/*.md\"\n"
    ));
    for (folder, title) in [("a", "Records of A"), ("b", "Records of B")] {
        repo.write(
            &format!("pilots/{folder}/records.md"),
            &pilot("pilot", ">= 90%", "2026-12-01")
                .replace("title: Triage", &format!("title: {title}")),
        );
    }
    for year in ["2025", "2026"] {
        repo.write(
            &format!("meetings/{year}/all-hands.md"),
            &format!("---\ntitle: All hands {year}\n---\n\n# All hands {year}\n\nNotes.\n"),
        );
    }
    repo.commit("Same names", DANA, "2026-11-01T10:00:00+00:00");
    let report = crate::support::pilotbook_json(&repo.root, &["check", "--format", "json"], 1);
    let duplicates: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "duplicate-id")
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(
        duplicates,
        ["meetings/2026/all-hands.md", "pilots/b/records.md"]
    );

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
    let read = |page: &str| {
        std::fs::read_to_string(site.path().join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
    };
    // The first by path keeps the id's page; the other's page is at its path.
    assert!(read("pilots/records.html").contains("Records of A"));
    assert!(read("pilots/pilots/b/records.html").contains("Records of B"));
    assert!(read("meeting/all-hands.html").contains("All hands 2025"));
    assert!(read("meeting/meetings/2026/all-hands.html").contains("All hands 2026"));
    let index = read("pilots/index.html");
    assert!(
        index.contains("href=\"records.html\"")
            || index.contains("href=\"../pilots/records.html\""),
        "{index}"
    );
    assert!(index.contains("pilots/b/records.html\""), "{index}");
    crawl(site.path());
}
