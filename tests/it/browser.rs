//! The built example site in a real browser: Debian's headless Chromium.
//!
//! The site is built into a temporary folder and served on 127.0.0.1 by a
//! small file server in this test, so a harness page can load each page in
//! a same-origin frame and measure it. The test asserts no console errors,
//! that search finds a pilot by its owner's name, and that the timeline and
//! the graph render with a nonzero size; it saves screenshots of the
//! portfolio, a pilot page and the timeline in `target/screenshots/`.
//! Without Chromium it is skipped, except in CI (`CI=true`), where that fails.

use crate::support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// Serve `dir` on a free loopback port until the process ends.
fn serve(dir: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/");
                let path = path
                    .split('?')
                    .next()
                    .unwrap_or("/")
                    .trim_start_matches('/');
                let path = if path.is_empty() { "index.html" } else { path };
                let file = dir.join(path);
                let mut out = &stream;
                match std::fs::read(&file) {
                    Ok(body) if !path.contains("..") => {
                        let kind = match file.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("css") => "text/css",
                            Some("js") => "text/javascript",
                            Some("json") => "application/json",
                            _ => "application/octet-stream",
                        };
                        let _ = write!(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = out.write_all(&body);
                    }
                    _ => {
                        let _ = write!(
                            out,
                            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                    }
                }
            });
        }
    });
    port
}

const HARNESS: &str = r##"<!doctype html><meta charset="utf-8"><title>harness</title>
<pre id="result">pending</pre>
<script>
const results = {};
function frame(src) {
  return new Promise(resolve => {
    const f = document.createElement("iframe");
    f.style.width = "1280px"; f.style.height = "900px";
    f.onload = () => resolve(f);
    f.src = src;
    document.body.appendChild(f);
  });
}
const wait = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  try {
    const t = await frame("timeline.html");
    const ts = t.contentDocument.querySelector("svg.timeline").getBoundingClientRect();
    results.timeline = [ts.width, ts.height];
    const g = await frame("graph.html");
    const gs = g.contentDocument.querySelector("svg").getBoundingClientRect();
    results.graph = [gs.width, gs.height];
    const p = await frame("index.html");
    const input = p.contentDocument.getElementById("search-input");
    input.value = "Dana Kim";
    input.dispatchEvent(new Event("input"));
    for (let i = 0; i < 50 && !p.contentDocument.querySelector("#search-results a"); i++) await wait(100);
    results.search = Array.from(p.contentDocument.querySelectorAll("#search-results a")).map(a => a.textContent);
    const status = p.contentDocument.getElementById("filter-status");
    status.value = "production";
    status.dispatchEvent(new Event("change"));
    results.filtered = Array.from(p.contentDocument.querySelectorAll("#portfolio tbody tr")).filter(r => !r.hidden).length;
    // Full text: a word deep in a Monitoring section, shown in context.
    input.value = "grafana";
    input.dispatchEvent(new Event("input"));
    for (let i = 0; i < 50 && !p.contentDocument.querySelector("#search-results mark"); i++) await wait(100);
    results.deep = Array.from(p.contentDocument.querySelectorAll("#search-results a")).map(a => [a.firstChild.nextSibling.textContent, (a.querySelector("mark") || {}).textContent || ""]);
    // The filter is in the URL, so the view can be linked.
    results.filteredUrl = p.contentWindow.location.search;
    // Sorting: click "Days in status" twice (ascending, then descending).
    const visible = d => Array.from(d.querySelectorAll("#portfolio tbody tr")).filter(r => !r.hidden);
    const days = p.contentDocument.querySelector('th[data-sort="days"] button');
    days.click(); days.click();
    results.sortUrl = p.contentWindow.location.search;
    results.sortAria = p.contentDocument.querySelector('th[data-sort="days"]').getAttribute("aria-sort");
    // A linked view: filters and sort read back from the URL on load.
    const l = await frame("index.html?status=pilot&sort=days&dir=desc&stuck=1");
    const ld = l.contentDocument;
    results.linked = {
      status: ld.getElementById("filter-status").value,
      stuck: ld.getElementById("filter-stuck").checked,
      rows: visible(ld).map(r => [r.getAttribute("data-status"), Number(r.getAttribute("data-days")), r.hasAttribute("data-stuck")]),
      count: ld.getElementById("filter-count").textContent,
    };
    // The overview: counts now and the stuck list.
    results.overview = {
      counts: Array.from(ld.querySelectorAll(".overview .count dd")).map(d => Number(d.textContent)),
      stuck: ld.querySelectorAll(".overview .stuck li").length,
    };
    // Default order: by title.
    const fresh = await frame("index.html");
    const names = visible(fresh.contentDocument).map(r => r.getAttribute("data-title").toLowerCase());
    results.byTitle = names.every((n, i) => i === 0 || names[i - 1] <= n) && names.length === 14;
  } catch (e) {
    results.error = String(e);
  }
  document.getElementById("result").textContent = JSON.stringify(results);
})();
</script>"##;

fn run_chromium(chrome: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium")
}

/// Load `harness` (a page that writes its findings as JSON into
/// `<pre id="result">`) from the site served on a free port; return the
/// findings, Chromium's log, the port and the browser profile folder.
fn run_harness(
    chrome: &Path,
    site: &Path,
    harness: &str,
    tmp: &Path,
) -> (serde_json::Value, String, u16, PathBuf) {
    std::fs::write(site.join("harness.html"), harness).expect("harness");
    let port = serve(site.to_path_buf());
    let profile = tmp.join("profile");
    let dump = run_chromium(
        chrome,
        &profile,
        &[
            "--virtual-time-budget=15000",
            "--dump-dom",
            &format!("http://127.0.0.1:{port}/harness.html"),
        ],
    );
    let dom = String::from_utf8_lossy(&dump.stdout);
    let logs = String::from_utf8_lossy(&dump.stderr).into_owned();
    let json = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .expect("harness result in the DOM");
    let json = json.replace("&quot;", "\"").replace("&amp;", "&");
    let result: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    (result, logs, port, profile)
}

/// Chromium, or `None` where the test is skipped (never in CI).
fn chromium_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("Chromium is required in CI: .ci/run installs it with apt-get");
        }
        eprintln!("skipped: no Chromium on this machine (apt-get install chromium)");
    }
    found
}

#[test]
fn example_site_in_headless_chromium() {
    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    let out = support::pilotbook(
        &manifest.join("example-repo"),
        &["build", "--no-cache", "--out", site.to_str().expect("utf8")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (result, logs, port, profile) = run_harness(&chrome, &site, HARNESS, tmp.path());
    eprintln!("harness: {result}");
    assert!(result.get("error").is_none(), "harness error: {result}");
    for key in ["timeline", "graph"] {
        let size = &result[key];
        assert!(
            size[0].as_f64() > Some(100.0) && size[1].as_f64() > Some(100.0),
            "{key} size {size}"
        );
    }
    let hits: Vec<&str> = result["search"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    assert!(
        hits.iter()
            .any(|h| h.contains("Support ticket triage agent")),
        "search by owner: {hits:?}"
    );
    assert_eq!(result["filtered"], 2, "two pilots are in production");
    let deep = &result["deep"][0];
    assert_eq!(deep[0], "Support email intent classifier", "{result}");
    assert_eq!(deep[1], "Grafana", "the match is marked: {result}");
    assert_eq!(result["filteredUrl"], "?status=production");
    assert_eq!(result["sortUrl"], "?status=production&sort=days&dir=desc");
    assert_eq!(result["sortAria"], "descending");
    let linked = &result["linked"];
    assert_eq!(linked["status"], "pilot", "{linked}");
    assert_eq!(linked["stuck"], true, "{linked}");
    let rows = linked["rows"].as_array().expect("rows");
    assert!(!rows.is_empty(), "{linked}");
    let days: Vec<f64> = rows.iter().filter_map(|r| r[1].as_f64()).collect();
    assert!(
        days.windows(2).all(|w| w[0] >= w[1]),
        "descending days: {linked}"
    );
    assert!(
        rows.iter().all(|r| r[0] == "pilot" && r[2] == true),
        "only stuck pilots: {linked}"
    );
    let counts: Vec<u64> = result["overview"]["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .filter_map(serde_json::Value::as_u64)
        .collect();
    assert_eq!(
        counts.iter().sum::<u64>(),
        14,
        "every pilot counted once: {result}"
    );
    assert_eq!(
        result["overview"]["stuck"].as_u64(),
        Some(rows.len() as u64),
        "the stuck list and the stuck filter agree: {result}"
    );
    assert_eq!(result["byTitle"], true, "rows sorted by title by default");
    let errors: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("Error") || l.contains("Uncaught")))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");

    // Screenshots, for people to look at.
    let shots = manifest.join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    for (page, name) in [
        ("index.html", "portfolio"),
        ("pilots/ticket-triage.html", "pilot"),
        ("timeline.html", "timeline"),
        ("graph.html", "graph"),
    ] {
        let file = shots.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&file);
        run_chromium(
            &chrome,
            &profile,
            &[
                "--window-size=1400,1000",
                &format!("--screenshot={}", file.display()),
                &format!("http://127.0.0.1:{port}/{page}"),
            ],
        );
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "{name} screenshot is {size} bytes");
    }
}

const CLOBBER_HARNESS: &str = r##"<!doctype html><meta charset="utf-8"><title>harness</title>
<pre id="result">pending</pre>
<script>
const results = {};
const wait = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  try {
    const p = await new Promise(resolve => {
      const f = document.createElement("iframe");
      f.onload = () => resolve(f);
      f.src = "pilots/alpha.html";
      document.body.appendChild(f);
    });
    const doc = p.contentDocument;
    // The document's elements are on the page, and named on its window
    // (their ids lowercase, as every id of a body is).
    results.clobbering = ["PILOTBOOK_INDEX", "pilotbookSearchIndex", "portfolio"]
      .filter(id => doc.getElementById(id.toLowerCase()) !== null);
    const input = doc.getElementById("search-input");
    input.value = "Beta";
    input.dispatchEvent(new Event("input"));
    for (let i = 0; i < 50 && !doc.querySelector("#search-results a"); i++) await wait(100);
    results.search = Array.from(doc.querySelectorAll("#search-results a")).map(a => a.textContent);
  } catch (e) {
    results.error = String(e);
  }
  document.getElementById("result").textContent = JSON.stringify(results);
})();
</script>"##;

/// A document's raw HTML may carry `id`s (headings, footnotes and `div`s
/// keep them). One named after the search script's state must not break
/// search on its page: the state lives in the script's closure.
#[test]
fn a_document_cannot_clobber_the_search_index() {
    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("repo");
    let pilot = |title: &str, extra: &str| {
        format!(
            "---\ntitle: {title}\nstatus: proposed\nowner: dana\nmetrics:\n  - metric: accuracy\n    target: \">= 90%\"\nproduction_path:\n  - milestone: Shadow mode\n    due: 2026-07-01\n---\n\n# {title}\n\n{extra}\n"
        )
    };
    for (path, text) in [
        ("pilotbook.toml", String::new()),
        ("people/dana.md", "---\nname: Dana Kim\n---\n".to_string()),
        (
            "pilots/alpha.md",
            pilot(
                "Alpha pilot",
                "<div id=\"PILOTBOOK_INDEX\">not an index</div>\n\n<div id=\"pilotbookSearchIndex\">x</div>\n\n<div id=\"portfolio\">y</div>",
            ),
        ),
        ("pilots/beta.md", pilot("Beta pilot", "Text.")),
    ] {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }
    let site = tmp.path().join("site");
    let out = support::pilotbook(
        &root,
        &["build", "--no-cache", "--out", site.to_str().expect("utf8")],
    );
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (result, logs, _, _) = run_harness(&chrome, &site, CLOBBER_HARNESS, tmp.path());
    eprintln!("harness: {result}");
    assert!(result.get("error").is_none(), "harness error: {result}");
    assert_eq!(
        result["clobbering"],
        serde_json::json!(["PILOTBOOK_INDEX", "pilotbookSearchIndex", "portfolio"]),
        "the clobbering elements were published"
    );
    let hits = result["search"].to_string();
    assert!(
        hits.contains("Beta pilot"),
        "search on the clobbered page: {hits}"
    );
    let errors: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("Error") || l.contains("Uncaught")))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// A harness page that loads site pages in iframes (`load(src)`), runs
/// `body` (JavaScript that fills `results`), and writes `results` as JSON
/// into `<pre id="result">`, or the error it met.
fn iframe_harness(body: &str) -> String {
    format!(
        r##"<!doctype html><meta charset="utf-8"><title>harness</title>
<pre id="result">pending</pre>
<script>
const results = {{}};
const load = src => new Promise(resolve => {{
  const f = document.createElement("iframe");
  f.onload = () => resolve(f);
  f.src = src;
  document.body.appendChild(f);
}});
(async () => {{
  try {{
{body}  }} catch (e) {{
    results.error = String(e);
  }}
  document.getElementById("result").textContent = JSON.stringify(results);
}})();
</script>"##
    )
}

/// Write `files` below `tmp`, build the site of the root `root` (below
/// `tmp`) into `tmp/site`, and run the iframe harness `body` on it: its
/// results and Chromium's log.
fn build_and_run(
    chrome: &Path,
    tmp: &Path,
    files: Vec<(String, String)>,
    root: &str,
    body: &str,
) -> (serde_json::Value, String) {
    for (path, text) in files {
        let file = tmp.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }
    let site = tmp.join("site");
    let out = support::pilotbook(
        &tmp.join(root),
        &["build", "--no-cache", "--out", site.to_str().expect("utf8")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (result, logs, _, _) = run_harness(chrome, &site, &iframe_harness(body), tmp);
    assert!(result.get("error").is_none(), "harness error: {result}");
    (result, logs)
}

/// The kind index's status filter, linked and chosen.
const KIND_HARNESS_BODY: &str = r##"    const visible = doc => Array.from(doc.querySelectorAll("#kind-index tbody tr"))
      .filter(r => !r.hidden).map(r => r.querySelector("a").textContent);
    // Linked filtered: the URL's status is applied on load.
    const linked = (await load("index.html?status=accepted")).contentDocument;
    results.linked = visible(linked);
    results.count = linked.getElementById("kind-filter-count").textContent;
    // Chosen: the select filters and writes the URL.
    const f = await load("index.html");
    const doc = f.contentDocument;
    const select = doc.getElementById("kind-filter-status");
    select.value = "proposed";
    select.dispatchEvent(new Event("change"));
    results.chosen = visible(doc);
    results.url = f.contentWindow.location.search;
    results.nav = Array.from(doc.querySelectorAll("header nav li a")).map(a => a.textContent);
"##;

/// A repository of decision records only: its site opens on their index,
/// whose status filter works in a browser, linked or chosen.
#[test]
fn a_site_of_decisions_only_filters_them_by_status() {
    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = "[kinds.decision]\npath = \"adr/*.md\"\nrequired_fields = [\"status\"]\nrequired_sections = []\n\
        [kinds.decision.fields]\nstatus = { enum = [\"proposed\", \"accepted\"] }\ndate = \"date\"\n";
    let mut files = vec![("repo/pilotbook.toml".to_string(), config.to_string())];
    for (i, status) in ["accepted", "accepted", "proposed"].iter().enumerate() {
        files.push((
            format!("repo/adr/000{i}-d.md"),
            format!(
                "---\ntitle: Decision {i}\nstatus: {status}\ndate: 2026-0{}-01\n---\n\nText.\n",
                i + 1
            ),
        ));
    }
    let (result, logs) = build_and_run(&chrome, tmp.path(), files, "repo", KIND_HARNESS_BODY);
    assert_eq!(
        result["linked"],
        serde_json::json!(["Decision 0", "Decision 1"]),
        "{result}"
    );
    assert_eq!(result["count"], "2 of 3 shown");
    assert_eq!(
        result["chosen"],
        serde_json::json!(["Decision 2"]),
        "{result}"
    );
    assert_eq!(result["url"], "?status=proposed");
    assert_eq!(
        result["nav"],
        serde_json::json!(["Decision"]),
        "no empty pilot navigation"
    );
    let errors: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("Error") || l.contains("Uncaught")))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// The example portfolio built, without cache, into `tmp/site`.
fn example_site(tmp: &Path) -> PathBuf {
    let site = tmp.join("site");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let out = support::pilotbook(
        &example,
        &["build", "--no-cache", "--out", site.to_str().expect("utf8")],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    site
}

/// axe-core, as `.ci/run` installs it (`npm ci --prefix .ci/tools`), or
/// `None` where the test is skipped (never in CI).
fn axe_or_skip() -> Option<PathBuf> {
    let axe =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/tools/node_modules/axe-core/axe.min.js");
    if axe.is_file() {
        return Some(axe);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("axe-core is required in CI: .ci/run installs it with npm");
    }
    eprintln!("skipped: no axe-core (npm ci --prefix .ci/tools)");
    None
}

/// Runs axe-core in each page (loaded in a frame of the harness, axe
/// injected into it) and writes `{page: [violation]}`.
const AXE_HARNESS: &str = r##"<!doctype html><meta charset="utf-8"><title>axe</title>
<pre id="result">pending</pre>
<script>
const pages = PAGES;
const load = src => new Promise(resolve => {
  const f = document.createElement("iframe");
  f.style.width = "1280px"; f.style.height = "900px";
  f.onload = () => resolve(f);
  f.src = src;
  document.body.appendChild(f);
});
(async () => {
  const out = {};
  for (const p of pages) {
    try {
      const f = await load(p);
      const d = f.contentDocument;
      await new Promise((ok, fail) => {
        const s = d.createElement("script");
        s.src = "/axe.min.js"; s.onload = ok; s.onerror = fail;
        d.head.appendChild(s);
      });
      const res = await f.contentWindow.axe.run(d, { resultTypes: ["violations"] });
      out[p] = res.violations.map(v => v.id + " (" + v.impact + "): " +
        v.nodes.slice(0, 3).map(n => n.target.join(" ") + " " + (n.failureSummary || "").split("\n").slice(1, 2).join("")).join("; "));
    } catch (e) {
      out[p] = ["harness error: " + e];
    }
  }
  document.getElementById("result").textContent = JSON.stringify(out);
})();
</script>"##;

/// Every kind of page of the example site passes axe-core (WCAG 2.x A and
/// AA rules, colour contrast included) with no violation, in the light and
/// the dark colour scheme.
#[test]
fn the_example_site_passes_axe_core_light_and_dark() {
    let (Some(chrome), Some(axe)) = (chromium_or_skip(), axe_or_skip()) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = example_site(tmp.path());
    std::fs::copy(&axe, site.join("axe.min.js")).expect("axe");
    let pages = [
        "index.html",
        "pilots/ticket-triage.html",
        "pilots/invoice-matching.html",
        "timeline.html",
        "graph.html",
        "rollup.html",
        "metrics/triage-accuracy.html",
        "people/dana-kim.html",
        "systems/index.html",
        "decision/index.html",
        "404.html",
    ];
    let harness = AXE_HARNESS.replace("PAGES", &serde_json::json!(pages).to_string());
    std::fs::write(site.join("harness.html"), harness).expect("harness");
    let port = serve(site.clone());
    for (scheme, flag) in [
        ("light", "preferredColorScheme=1"),
        ("dark", "preferredColorScheme=0"),
    ] {
        let profile = tmp.path().join(format!("profile-{scheme}"));
        let dump = run_chromium(
            &chrome,
            &profile,
            &[
                &format!("--blink-settings={flag}"),
                "--virtual-time-budget=60000",
                "--dump-dom",
                &format!("http://127.0.0.1:{port}/harness.html"),
            ],
        );
        let dom = String::from_utf8_lossy(&dump.stdout);
        let json = dom
            .split("<pre id=\"result\">")
            .nth(1)
            .and_then(|s| s.split("</pre>").next())
            .unwrap_or_else(|| panic!("no result ({scheme}): {dom}"))
            .replace("&quot;", "\"")
            .replace("&gt;", ">")
            .replace("&lt;", "<")
            .replace("&amp;", "&");
        let result: serde_json::Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(
            result.as_object().map(|o| o.len()),
            Some(pages.len()),
            "every page was checked ({scheme}): {result:#}"
        );
        let failing: Vec<String> = result
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, v)| v.as_array().is_none_or(|a| !a.is_empty()))
            .map(|(page, v)| format!("{page}: {v}"))
            .collect();
        assert!(
            failing.is_empty(),
            "axe-core violations ({scheme}):\n{}",
            failing.join("\n")
        );
    }
}

const TIMELINE_HARNESS: &str = r##"<!doctype html><meta charset="utf-8"><title>harness</title>
<pre id="result">pending</pre>
<script>
const results = {};
const load = (src, w, h) => new Promise(resolve => {
  const f = document.createElement("iframe");
  f.style.width = w + "px"; f.style.height = h + "px"; f.style.border = "0";
  f.onload = () => resolve(f);
  f.src = src;
  document.body.appendChild(f);
});
const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
(async () => {
  try {
    const desk = (await load("timeline.html", 1366, 900)).contentDocument;
    const box = desk.querySelector("#by-status .svg-scroll");
    const view = box.getBoundingClientRect();
    const today = desk.querySelector("#by-status .tl-today line").getBoundingClientRect();
    results.todayInView = today.left >= view.left && today.right <= view.right;
    // It opens on the window from the earliest open milestone to the
    // latest: every open marker is in view.
    results.openInView = Array.from(desk.querySelectorAll("#by-status .tl-milestone:not(.done)"))
      .every(m => { const r = m.getBoundingClientRect(); return r.left >= view.left + 250 && r.right <= view.right; });
    // The window control: everything, then a quarter.
    const win = b => desk.querySelector(".tl-window button[data-window=" + b + "]");
    const svg = box.querySelector("svg");
    win("all").click();
    results.allFits = Number(svg.getAttribute("width")) <= box.clientWidth + 1 && box.scrollLeft === 0;
    win("quarter").click();
    const months = Array.from(box.querySelectorAll(".tl-month")).filter(t => t.style.display !== "none")
      .map(t => t.getBoundingClientRect().left);
    const month = months[1] - months[0], chart = view.width - 280;
    results.quarterMonth = month / chart;
    const todayQ = desk.querySelector("#by-status .tl-today line").getBoundingClientRect();
    results.quarterToday = todayQ.left >= view.left && todayQ.right <= view.right;
    results.pressed = win("quarter").getAttribute("aria-pressed");
    results.scrolled = box.scrollLeft > 0;
    const name = () => desk.querySelector("#by-status .tl-name text").getBoundingClientRect();
    results.nameAtOpen = name().left >= view.left && name().left < view.left + 60;
    box.scrollLeft = box.scrollWidth;
    box.dispatchEvent(new Event("scroll"));
    await frame();
    results.nameAtEnd = name().left >= view.left && name().left < view.left + 60;
    results.deskList = getComputedStyle(desk.querySelector(".tl-list")).display;
    // Grouped by team: the tab shows its panel, opened on today too.
    desk.getElementById("tab-team").click();
    const team = desk.getElementById("by-team");
    results.teamShown = !team.hidden && desk.getElementById("by-status").hidden;
    results.teamScrolled = team.querySelector(".svg-scroll").scrollLeft > 0;
    results.teamGroups = Array.from(team.querySelectorAll(".tl-group text")).map(t => t.textContent);
    const phone = (await load("timeline.html", 390, 844)).contentDocument;
    results.phoneChart = getComputedStyle(phone.getElementById("by-status")).display;
    results.phoneList = getComputedStyle(phone.querySelector(".tl-list")).display;
    results.phoneOverflow = phone.documentElement.scrollWidth - 390;
    results.phonePilots = phone.querySelectorAll(".tl-list .tl-pilots > li").length;
    results.phoneMilestones = Array.from(phone.querySelectorAll(".tl-list .m-overdue")).length;
  } catch (e) {
    results.error = String(e);
  }
  document.getElementById("result").textContent = JSON.stringify(results);
})();
</script>"##;

/// The timeline at 1366×900 opens with today in view and keeps the pilot
/// names at the left edge whatever the scroll; at 390×844 it is a list,
/// with no sideways scrolling of the page. Checked by element geometry.
#[test]
fn the_timeline_opens_on_today_and_reads_on_a_phone() {
    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = example_site(tmp.path());
    let (result, _, _, _) = run_harness(&chrome, &site, TIMELINE_HARNESS, tmp.path());
    assert!(result.get("error").is_none(), "harness error: {result}");
    let month = result["quarterMonth"].as_f64().unwrap_or(0.0);
    assert!(
        (0.25..0.42).contains(&month),
        "a quarter shows three months: {result}"
    );
    assert_eq!(result["pressed"], "true", "{result}");
    for check in [
        "todayInView",
        "openInView",
        "allFits",
        "quarterToday",
        "scrolled",
        "nameAtOpen",
        "nameAtEnd",
        "teamShown",
        "teamScrolled",
    ] {
        assert_eq!(result[check], true, "{check}: {result}");
    }
    assert_eq!(result["deskList"], "none", "{result}");
    let teams = result["teamGroups"].to_string();
    assert!(
        teams.contains("support-ops") && teams.contains("finance-ops"),
        "{result}"
    );
    assert_eq!(result["phoneChart"], "none", "{result}");
    assert_eq!(result["phoneList"], "block", "{result}");
    assert!(
        result["phoneOverflow"].as_i64().is_some_and(|o| o <= 0),
        "{result}"
    );
    assert!(
        result["phonePilots"].as_u64().is_some_and(|n| n >= 10),
        "{result}"
    );
    assert!(
        result["phoneMilestones"].as_u64().is_some_and(|n| n >= 1),
        "an overdue milestone is listed: {result}"
    );
}

/// Lighthouse's CLI, as `.ci/run` installs it, or `None` where the test
/// is skipped (never in CI).
fn lighthouse_or_skip() -> Option<PathBuf> {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".ci/tools/node_modules/lighthouse/cli/index.js");
    if cli.is_file() {
        return Some(cli);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("Lighthouse is required in CI: .ci/run installs it with npm");
    }
    eprintln!("skipped: no Lighthouse (npm ci --prefix .ci/tools)");
    None
}

/// The portfolio, a pilot page and the timeline score at least 95 in
/// Lighthouse's accessibility, best-practices and SEO categories.
#[test]
fn the_example_site_scores_95_in_lighthouse() {
    let (Some(chrome), Some(cli)) = (chromium_or_skip(), lighthouse_or_skip()) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = example_site(tmp.path());
    let port = serve(site.clone());
    for page in ["index.html", "pilots/ticket-triage.html", "timeline.html"] {
        let report = tmp.path().join("report.json");
        let ran = Command::new("node")
            .arg(&cli)
            .arg(format!("http://127.0.0.1:{port}/{page}"))
            .args([
                "--quiet",
                "--only-categories=accessibility,best-practices,seo",
                "--output=json",
            ])
            .arg(format!("--output-path={}", report.display()))
            .arg(format!(
                "--chrome-flags=--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir={}",
                tmp.path().join("lh-profile").display()
            ))
            .env("CHROME_PATH", &chrome)
            .output()
            .expect("run lighthouse");
        assert!(
            ran.status.success(),
            "{page}: {}",
            String::from_utf8_lossy(&ran.stderr)
        );
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("JSON");
        for category in ["accessibility", "best-practices", "seo"] {
            let score = json["categories"][category]["score"]
                .as_f64()
                .unwrap_or(0.0);
            assert!(score >= 0.95, "{page}: {category} scores {score}");
        }
    }
}

/// The portfolio's source filter, linked and chosen.
const SOURCE_HARNESS_BODY: &str = r##"    const visible = doc => Array.from(doc.querySelectorAll("#portfolio tbody tr"))
      .filter(r => !r.hidden).map(r => r.querySelector("th a").textContent);
    const linked = (await load("index.html?source=beta")).contentDocument;
    results.linked = visible(linked);
    results.options = Array.from(linked.getElementById("filter-source").options).map(o => o.value);
    const f = await load("index.html");
    const doc = f.contentDocument;
    const select = doc.getElementById("filter-source");
    select.value = "alpha";
    select.dispatchEvent(new Event("change"));
    results.chosen = visible(doc);
    results.count = doc.getElementById("filter-count").textContent;
    results.url = f.contentWindow.location.search;
"##;

/// A portfolio of two sources: the portfolio page's source filter works in
/// a browser, linked or chosen.
#[test]
fn a_portfolio_of_sources_filters_its_pilots_by_source() {
    let Some(chrome) = chromium_or_skip() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut files = vec![(
        "portfolio/pilotbook.toml".to_string(),
        "[[sources]]\nname = \"alpha\"\npath = \"../alpha\"\n\n[[sources]]\nname = \"beta\"\npath = \"../beta\"\n".to_string(),
    )];
    for (source, titles) in [
        ("alpha", ["Alpha one", "Alpha two"]),
        ("beta", ["Beta one", "Beta two"]),
    ] {
        for (i, title) in titles.iter().enumerate() {
            files.push((
                format!("{source}/pilots/{source}-{i}.md"),
                support::pilot("pilot", ">= 90%", "2027-01-01")
                    .replace("title: Triage", &format!("title: {title}")),
            ));
        }
    }
    let (result, logs) =
        build_and_run(&chrome, tmp.path(), files, "portfolio", SOURCE_HARNESS_BODY);
    assert_eq!(
        result["linked"],
        serde_json::json!(["Beta one", "Beta two"]),
        "{result}"
    );
    assert_eq!(
        result["options"],
        serde_json::json!(["", "alpha", "beta"]),
        "{result}"
    );
    assert_eq!(
        result["chosen"],
        serde_json::json!(["Alpha one", "Alpha two"]),
        "{result}"
    );
    assert_eq!(result["count"], "2 of 4 shown");
    assert_eq!(result["url"], "?source=alpha");
    let errors: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("Error") || l.contains("Uncaught")))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}
