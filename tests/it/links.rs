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
            "## Rollback / kill switch\n\n<a name=\"legacy-anchor\"></a>\n",
        );
    repo.write("pilots/billing.md", &b);
    let a = pilot("pilot", ">= 90%", "2026-12-01").replace(
        "## Integrations\n\nNone yet.\n",
        "## Integrations\n\nSee [billing's rollback](./billing.md#Rollback--kill-switch), \
         [billing](billing), [from the root](/pilots/billing.md#legacy-anchor), \
         [the owner](../people/dana-kim.md), [a section here](#rollback) and \
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
