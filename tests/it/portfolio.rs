//! One portfolio across many repositories (`[[sources]]`): git
//! repositories built in the test — the portfolio with its central people
//! and metrics, `payments` with its pilots at its root, `platform`, a
//! monorepo whose pilotbook root is a sub-folder beside its code, and
//! `support`, read only through the export its CI would publish — read as
//! one linked model, each document with the history of its own
//! repository.

use crate::support::case::Author;
use crate::support::{
    Case, DANA, LEE, METRIC, PERSON, QUIET_LIFECYCLE, pilot, pilotbook, pilotbook_json,
};
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

const ANA: Author = Author {
    name: "Ana Lopez",
    email: "ana@payments.example",
};
const SUE: Author = Author {
    name: "Sue Port",
    email: "sue@support.example",
};
const CY: Author = Author {
    name: "Cy Park",
    email: "cy@platform.example",
};

/// A valid pilot titled `title` that integrates with `system` and depends
/// on `depends` (pilot ids, qualified or not).
fn pilot_doc(title: &str, system: &str, depends: &[&str]) -> String {
    let mut deps = String::new();
    if !depends.is_empty() {
        deps.push_str("depends_on:\n");
        for d in depends {
            deps.push_str(&format!("  - pilot: {d}\n"));
        }
    }
    pilot("pilot", ">= 90%", "2027-06-01")
        .replace("title: Triage", &format!("title: {title}"))
        .replace("system: zendesk", &format!("system: {system}"))
        .replace("production_path:", &format!("{deps}production_path:"))
}

fn system_doc(title: &str) -> String {
    format!("---\ntitle: {title}\nenvironment: production\n---\n\nA system.\n")
}

/// `payments`: pilots at its root; `invoice-matching` depends on the
/// platform's `feature-store`, and it has an `onboarding` pilot as the
/// platform does.
fn payments(base: &Path) -> Case {
    let repo = Case::at(base, "payments")
        .config(QUIET_LIFECYCLE)
        .file(
            "pilots/invoice-matching.md",
            &pilot_doc("Invoice matching", "ledger", &["feature-store"]),
        )
        .file(
            "pilots/onboarding.md",
            &pilot_doc("Payments onboarding", "crm", &[]),
        )
        .file("systems/gateway.md", &system_doc("Payment gateway"));
    repo.commit("Add invoice matching", ANA, "2026-01-12T09:00:00+01:00");
    repo.write(
        "pilots/invoice-matching.md",
        &pilot_doc("Invoice matching", "ledger", &["feature-store"]).replace(">= 90%", ">= 92%"),
    );
    // Committed on a skewed clock: earlier than the commit before it.
    repo.commit("Raise the target", LEE, "2026-01-05T15:00:00-05:00");
    repo
}

/// `platform`: a monorepo with its pilotbook root at `services/pilots`.
/// `feature-store` integrates with its own `ledger` and depends on
/// `onboarding` unqualified (its own: payments has one too) and on
/// `payments:onboarding`; its `onboarding` integrates with payments'
/// `gateway`.
fn platform(base: &Path) -> Case {
    let root = "services/pilots";
    let repo = Case::at(base, "platform")
        .file("services/api/main.rs", "fn main() {}\n")
        .file(&format!("{root}/pilotbook.toml"), QUIET_LIFECYCLE)
        .file(
            &format!("{root}/pilots/feature-store.md"),
            &pilot_doc(
                "Feature store",
                "ledger",
                &["onboarding", "payments:onboarding"],
            ),
        )
        .file(
            &format!("{root}/pilots/onboarding.md"),
            &pilot_doc("Platform onboarding", "gateway", &[]),
        )
        .file(&format!("{root}/systems/ledger.md"), &system_doc("Ledger"));
    repo.commit("Feature store pilot", CY, "2025-12-01T08:00:00+09:00");
    repo
}

/// `support`: consumed only through its export. Its `escalation-bot`
/// depends on payments' `invoice-matching`; it documents the `crm` that
/// payments' `onboarding` integrates with.
fn support(base: &Path) -> Case {
    let repo = Case::at(base, "support")
        .config(QUIET_LIFECYCLE)
        .file(
            "pilots/escalation-bot.md",
            &pilot_doc("Escalation bot", "ledger", &["invoice-matching"]),
        )
        .file("systems/crm.md", &system_doc("CRM"));
    repo.commit("Escalation bot", SUE, "2026-02-02T10:00:00+02:00");
    repo
}

/// What `pilotbook export` prints in `repo`.
fn export_of(repo: &Case) -> String {
    let out = pilotbook(&repo.root, &["export"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The portfolio repository: central people and metrics, a pilot of its
/// own that depends on `onboarding` (which two sources define), the two
/// checkouts and support's export, committed.
/// Beside them (`../payments`), as a developer keeps checkouts.
fn portfolio(base: &Path, support: &Case) -> Case {
    let config = format!(
        "{QUIET_LIFECYCLE}\n[site]\ntitle = \"Acme\"\nrepository = \"https://github.com/acme/portfolio\"\n\n\
         [[sources]]\nname = \"payments\"\npath = \"../payments\"\nrepository = \"https://github.com/acme/payments\"\n\n\
         [[sources]]\nname = \"platform\"\npath = \"../platform\"\nroot = \"services/pilots\"\nrepository = \"https://github.com/acme/platform\"\n\n\
         [[sources]]\nname = \"support\"\nexport = \"exports/support.json\"\nrepository = \"https://github.com/acme/support\"\n"
    );
    Case::at(base, "portfolio")
        .config(&config)
        .file("people/dana-kim.md", PERSON)
        .file("metrics/accuracy.md", METRIC)
        .file(
            "pilots/rollout.md",
            &pilot_doc("Rollout", "ledger", &["onboarding"]),
        )
        .file("exports/support.json", &export_of(support))
        .committed("Portfolio", DANA, "2026-03-01T10:00:00+00:00")
}

/// The three team repositories and the portfolio over them, side by side
/// in a folder removed when the first value is dropped.
fn repositories() -> (TempDir, Case, Case, Case, Case) {
    let base = tempfile::tempdir().expect("tempdir");
    let (payments, platform, support) = teams(base.path());
    let portfolio = portfolio(base.path(), &support);
    (base, payments, platform, support, portfolio)
}

fn teams(base: &Path) -> (Case, Case, Case) {
    (payments(base), platform(base), support(base))
}

fn entity<'a>(export: &'a Value, kind: &str, path: &str) -> &'a Value {
    export[kind]
        .as_array()
        .and_then(|list| {
            list.iter().find(|e| match e["source"].as_str() {
                Some(source) => format!("{source}:{}", e["path"].as_str().unwrap_or("")) == path,
                None => e["path"] == path,
            })
        })
        .unwrap_or_else(|| panic!("no {kind} at {path}: {export:#}"))
}

fn ids(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| l["id"].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn references_resolve_across_sources_with_each_repositorys_history() {
    let (_base, payments, platform, support, portfolio) = repositories();
    let export = pilotbook_json(&portfolio.root, &["export"], 0);
    let invoice = entity(&export, "pilots", "payments:pilots/invoice-matching.md");
    let feature = entity(
        &export,
        "pilots",
        "platform:services/pilots/pilots/feature-store.md",
    );
    // Both ways: payments depends on the platform, and the platform (by a
    // qualified reference: both have an `onboarding`) on payments.
    assert_eq!(
        ids(&feature["dependents"]),
        ["invoice-matching"],
        "{feature:#}"
    );
    // The export source links both ways too: its pilot depends on
    // payments', and payments' onboarding integrates with its CRM.
    assert_eq!(ids(&invoice["dependents"]), ["escalation-bot"]);
    let crm = entity(&export, "systems", "support:systems/crm.md");
    assert_eq!(ids(&crm["dependents"]), ["onboarding"], "{crm:#}");
    let pay_onboarding = entity(&export, "pilots", "payments:pilots/onboarding.md");
    assert_eq!(
        ids(&pay_onboarding["dependents"]),
        ["feature-store", "rollout"]
    );
    // An unqualified id means the one of the referring document's own
    // source, where it has one.
    let own_onboarding = entity(
        &export,
        "pilots",
        "platform:services/pilots/pilots/onboarding.md",
    );
    assert_eq!(ids(&own_onboarding["dependents"]), ["feature-store"]);
    // Integrations too: the platform's ledger serves the other sources'
    // pilots and payments' gateway the platform's onboarding.
    let ledger = entity(
        &export,
        "systems",
        "platform:services/pilots/systems/ledger.md",
    );
    assert_eq!(
        ids(&ledger["dependents"]),
        [
            "escalation-bot",
            "feature-store",
            "invoice-matching",
            "rollout"
        ]
    );
    let gateway = entity(&export, "systems", "payments:systems/gateway.md");
    assert_eq!(ids(&gateway["dependents"]), ["onboarding"]);
    assert_eq!(
        own_onboarding["integrations"][0]["system"], "gateway",
        "{own_onboarding:#}"
    );
    let dana = entity(&export, "people", "people/dana-kim.md");
    assert_eq!(
        ids(&dana["referenced_by"]),
        [
            "escalation-bot",
            "feature-store",
            "invoice-matching",
            "onboarding",
            "onboarding",
            "rollout"
        ]
    );

    // History from each source's own repository, as its git log says.
    let authors = |e: &Value| -> Vec<String> {
        e["history"]["commits"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "{} {}",
                    c["author"].as_str().unwrap_or(""),
                    c["date"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(
        authors(invoice),
        [
            "Lee Wu 2026-01-05T15:00:00-05:00",
            "Ana Lopez 2026-01-12T09:00:00+01:00"
        ]
    );
    let git_log = payments.git(&["log", "--format=%H", "--", "pilots/invoice-matching.md"]);
    let ids_in_history: Vec<&str> = invoice["history"]["commits"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids_in_history, git_log.lines().collect::<Vec<_>>());
    assert_eq!(authors(feature), ["Cy Park 2025-12-01T08:00:00+09:00"]);
    // The export brought support's history: its git log's, not the
    // portfolio's.
    let bot = entity(&export, "pilots", "support:pilots/escalation-bot.md");
    assert_eq!(authors(bot), ["Sue Port 2026-02-02T10:00:00+02:00"]);
    let support_head = support.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(bot["history"]["commits"][0]["id"], support_head.as_str());
    // Each source's state, in the config's order.
    let sources: Vec<String> = export["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| format!("{} {} {}", s["name"], s["kind"], s["head"]))
        .collect();
    let head = |repo: &Case| repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        sources,
        [
            format!("\"payments\" \"checkout\" \"{}\"", head(&payments)),
            format!("\"platform\" \"checkout\" \"{}\"", head(&platform)),
            format!("\"support\" \"export\" \"{support_head}\""),
        ]
    );
}

#[test]
fn an_id_two_sources_define_is_reported_with_both_unless_qualified() {
    let (_base, _payments, platform, _support, portfolio) = repositories();
    let report = pilotbook_json(&portfolio.root, &["check", "--format", "json"], 1);
    let findings: Vec<&Value> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] != "info")
        .collect();
    // Exactly one finding: the portfolio's own unqualified `onboarding`,
    // which it does not define itself, at the reference, naming both
    // sources; no undefined reference anywhere, and none for the
    // platform's `onboarding`, which means its own.
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let d = findings[0];
    assert_eq!(d["rule"], "duplicate-id");
    assert_eq!(d["path"], "pilots/rollout.md");
    let message = d["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("source `payments` (pilots/onboarding.md)")
            && message.contains("source `platform` (services/pilots/pilots/onboarding.md)"),
        "{message}"
    );
    let line = d["line"].as_u64().unwrap_or_default() as usize;
    let text = std::fs::read_to_string(portfolio.root.join("pilots/rollout.md")).expect("read");
    assert_eq!(text.lines().nth(line - 1), Some("  - pilot: onboarding"));

    // Qualified, it resolves: the check passes.
    portfolio.write(
        "pilots/rollout.md",
        &text.replace("- pilot: onboarding", "- pilot: payments:onboarding"),
    );
    let report = pilotbook_json(&portfolio.root, &["check", "--format", "json"], 0);
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");

    // A source's finding names the source and its repository's path.
    platform.write(
        "services/pilots/pilots/onboarding.md",
        &pilot_doc("Platform onboarding", "gateway", &[]).replace("owner: dana-kim", "owner: Dana"),
    );
    let out = pilotbook(&portfolio.root, &["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--> platform:services/pilots/pilots/onboarding.md:4:8"),
        "{text}"
    );
}

#[test]
fn a_sources_own_rules_judge_its_documents() {
    let base = tempfile::tempdir().expect("tempdir");
    let (payments, platform, support) = teams(base.path());
    // Both sources lack a `## Monitoring` section; the platform turns
    // `missing-section` off for itself, so only payments' is reported.
    payments.write(
        "pilots/onboarding.md",
        &pilot_doc("Payments onboarding", "crm", &[]).replace("## Monitoring", "## Watching"),
    );
    platform.write(
        "services/pilots/pilots/onboarding.md",
        &pilot_doc("Platform onboarding", "gateway", &[]).replace("## Monitoring", "## Watching"),
    );
    platform.write(
        "services/pilots/pilotbook.toml",
        &format!("{QUIET_LIFECYCLE}missing-section = \"off\"\n"),
    );
    let portfolio = portfolio(base.path(), &support);
    let report = pilotbook_json(&portfolio.root, &["check", "--format", "json"], 1);
    let missing: Vec<&str> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["rule"] == "missing-section")
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(missing, ["payments:pilots/onboarding.md"], "{report:#}");
}

#[test]
fn the_site_links_each_pilot_to_its_own_forge_and_lists_the_sources() {
    let base = tempfile::tempdir().expect("tempdir");
    let (payments, platform, support) = teams(base.path());
    payments.write(
        "pilots/onboarding.md",
        &pilot_doc("Payments onboarding", "crm", &[]).replace("## Monitoring", "## Watching"),
    );
    let portfolio = portfolio(base.path(), &support);
    let out = pilotbook(&portfolio.root, &["build", "-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = portfolio.root.join("site");
    let read = |p: &str| std::fs::read_to_string(site.join(p)).expect(p);
    // The site's export, sources and all, keeps the published contract.
    crate::support::schema::assert_export(read("pilots.json").as_bytes());
    let pay_head = payments.git(&["rev-parse", "HEAD"]).trim().to_string();
    let invoice = read("pilots/invoice-matching.html");
    assert!(invoice.contains(&format!(
        "https://github.com/acme/payments/commit/{pay_head}"
    )));
    assert!(invoice.contains(&format!(
        "https://github.com/acme/payments/blob/{pay_head}/pilots/invoice-matching.md"
    )));
    let plat_head = platform.git(&["rev-parse", "HEAD"]).trim().to_string();
    let feature = read("pilots/feature-store.html");
    assert!(feature.contains(&format!(
        "https://github.com/acme/platform/blob/{plat_head}/services/pilots/pilots/feature-store.md"
    )));
    assert!(
        !feature.contains("acme/portfolio/commit"),
        "no commit of a source on the portfolio's forge"
    );
    // The export source's pilot: its commits on support's forge.
    let sup_head = support.git(&["rev-parse", "HEAD"]).trim().to_string();
    let bot = read("pilots/escalation-bot.html");
    for link in [
        format!("https://github.com/acme/support/commit/{sup_head}"),
        format!("https://github.com/acme/support/blob/{sup_head}/pilots/escalation-bot.md"),
    ] {
        assert!(bot.contains(&link), "{link}");
    }
    // Both onboarding pilots have a page; the second lives under its source.
    assert!(site.join("pilots/onboarding.html").is_file());
    assert!(
        site.join("pilots/platform/services/pilots/pilots/onboarding.html")
            .is_file()
    );
    // The portfolio: a source column and filter, and each source's checks.
    let index = read("index.html");
    assert!(index.contains("id=\"filter-source\""));
    assert!(
        index.contains("data-source=\"payments\"") && index.contains("data-source=\"platform\"")
    );
    assert!(index.contains(&format!(
        "https://github.com/acme/platform/commit/{plat_head}"
    )));
    // Each source's checks: the platform passes, payments has the error
    // its onboarding's missing section makes.
    let sources = &index[index.find("id=\"sources-h\"").expect("a Sources table")..];
    let sources = &sources[..sources.find("</table>").expect("its end")];
    let row = |name: &str| {
        let at = sources.find(&format!(">{name}</a>")).expect(name);
        &sources[at..at + sources[at..].find("</tr>").expect("row end")]
    };
    assert!(row("platform").contains("badge ok\">passing"), "{sources}");
    assert!(
        row("payments").contains("badge error\">1 error"),
        "{sources}"
    );
}

#[test]
fn diff_between_two_portfolio_states_names_the_source_of_each_change() {
    let (_base, _payments, _platform, support, portfolio) = repositories();
    let base = portfolio.git(&["rev-parse", "HEAD"]).trim().to_string();
    // The next state of the portfolio reads the platform no more, and
    // support's CI published a new export: its bot went to `go`.
    let config = std::fs::read_to_string(portfolio.root.join("pilotbook.toml")).expect("read");
    let start = config
        .find("[[sources]]\nname = \"platform\"")
        .expect("platform");
    let end = config
        .find("[[sources]]\nname = \"support\"")
        .expect("support");
    portfolio.write(
        "pilotbook.toml",
        &format!("{}{}", &config[..start], &config[end..]),
    );
    support.write(
        "pilots/escalation-bot.md",
        &pilot_doc("Escalation bot", "ledger", &["invoice-matching"])
            .replace("status: pilot", "status: go"),
    );
    support.commit("Go", SUE, "2026-02-20T10:00:00+02:00");
    portfolio.write("exports/support.json", &export_of(&support));
    portfolio.commit("Drop the platform", DANA, "2026-03-02T10:00:00+00:00");
    let diff = pilotbook_json(
        &portfolio.root,
        &["diff", &base, "HEAD", "--format", "json"],
        0,
    );
    let paths = |list: &Value| -> Vec<String> {
        list.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["path"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        paths(&diff["pilots"]["removed"]),
        [
            "platform:services/pilots/pilots/feature-store.md",
            "platform:services/pilots/pilots/onboarding.md"
        ],
        "{diff:#}"
    );
    assert_eq!(
        paths(&diff["pilots"]["changed"]),
        ["support:pilots/escalation-bot.md"],
        "{diff:#}"
    );
    let out = pilotbook(&portfolio.root, &["diff", &base]);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "**Feature store** `feature-store`: was status pilot, owner `dana-kim`, `platform:services/pilots/pilots/feature-store.md`",
        "`support:pilots/escalation-bot.md`",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn an_export_that_is_not_one_this_pilotbook_reads_is_refused_where_it_says_so() {
    let (_base, _payments, _platform, _support, portfolio) = repositories();
    let good = std::fs::read_to_string(portfolio.root.join("exports/support.json")).expect("read");
    let cases = [
        (
            good.replacen("\"version\": 2", "\"version\": 3", 1),
            "exports/support.json:2:14: export version 3 was written by a newer pilotbook",
        ),
        (
            good.replacen("\"pilots\": [", "\"pilots\": {", 1),
            "exports/support.json:",
        ),
        (good[..good.len() / 2].to_string(), "exports/support.json:"),
    ];
    for (text, says) in cases {
        portfolio.write("exports/support.json", &text);
        let out = pilotbook(&portfolio.root, &["check"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(says), "{says}\n{stderr}");
        // Located: file, line and column.
        let at = stderr.find("exports/support.json:").expect("the file");
        let mut parts = stderr[at..].split(':').skip(1);
        let line: Option<u32> = parts.next().and_then(|l| l.parse().ok());
        let column: Option<u32> = parts.next().and_then(|c| c.parse().ok());
        assert!(
            line.is_some_and(|l| l >= 1) && column.is_some_and(|c| c >= 1),
            "{stderr}"
        );
    }
}

#[test]
fn changed_since_checks_every_document_of_an_export_that_changed() {
    let (_base, _payments, _platform, support, portfolio) = repositories();
    portfolio.git(&["branch", "base"]);
    let scoped = |exit: i32| {
        let report = pilotbook_json(
            &portfolio.root,
            &["check", "--changed-since", "base", "--format", "json"],
            exit,
        );
        report["summary"]["documents"].as_u64().unwrap_or_default()
    };
    // Nothing changed: nothing to check.
    assert_eq!(scoped(0), 0);
    // support published a new export: the whole portfolio is checked
    // (its documents are referred to from every source).
    support.write(
        "pilots/escalation-bot.md",
        &pilot_doc("Escalation bot", "ledger", &["invoice-matching"])
            .replace("title: Escalation bot", "title: Escalation assistant"),
    );
    support.commit("Rename", SUE, "2026-02-21T10:00:00+02:00");
    portfolio.write("exports/support.json", &export_of(&support));
    portfolio.commit("New support export", DANA, "2026-03-03T10:00:00+00:00");
    let all = pilotbook_json(&portfolio.root, &["check", "--format", "json"], 1);
    assert_eq!(
        scoped(1),
        all["summary"]["documents"].as_u64().unwrap_or_default()
    );
}

/// The example portfolio's export source is what `scripts/example-source`
/// writes with this build: the file cannot drift from the script, nor
/// from the export format.
#[test]
fn the_example_portfolios_export_source_is_what_its_script_writes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("fleet.json");
    let ran = std::process::Command::new(root.join("scripts/example-source"))
        .env("PILOTBOOK", env!("CARGO_BIN_EXE_pilotbook"))
        .env("EXAMPLE_SOURCE_OUT", &out)
        .output()
        .expect("run scripts/example-source");
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let written = std::fs::read_to_string(&out).expect("written");
    let committed =
        std::fs::read_to_string(root.join("example-repo/exports/fleet.json")).expect("committed");
    assert!(
        written == committed,
        "example-repo/exports/fleet.json is not what scripts/example-source writes: run it"
    );
}

/// A pull request can change `pilotbook.toml`: a source may not reach the
/// rest of the machine, by an absolute path, by climbing out of the
/// folder that holds the portfolio, or by a link committed as a checkout.
#[test]
fn a_source_out_of_reach_is_refused() {
    let (base, _payments, _platform, _support, portfolio) = repositories();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(elsewhere.path().join("pilots")).expect("mkdir");
    std::fs::write(
        elsewhere.path().join("pilots/secret.md"),
        "---\ntitle: Secret\n---\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(elsewhere.path(), portfolio.root.join("linked")).expect("symlink");
    let climb = format!(
        "{}/{}",
        "../".repeat(base.path().components().count()),
        elsewhere.path().display()
    );
    let config = std::fs::read_to_string(portfolio.root.join("pilotbook.toml")).expect("read");
    for path in [
        elsewhere.path().display().to_string(),
        climb,
        "linked".to_string(),
    ] {
        portfolio.write(
            "pilotbook.toml",
            &config.replace("path = \"../payments\"", &format!("path = \"{path}\"")),
        );
        let out = pilotbook(&portfolio.root, &["check"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{path}: {stderr}");
        assert!(
            stderr.contains("source `payments`: the checkout resolves to")
                && stderr.contains("outside"),
            "{path}: {stderr}"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !stdout.contains("Secret") && !stderr.contains("Secret"),
            "{path}"
        );
    }
}

/// A finding in an export source's front matter points at the file's
/// start (the export does not say where a field is written), and the
/// stand-in text pilotbook made from the export is never shown as the
/// file's.
#[test]
fn an_export_sources_findings_point_at_what_the_export_knows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let report = pilotbook_json(&root, &["check", "--format", "json"], 0);
    let late: Vec<&Value> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["path"] == "fleet:docs/pilots/pilots/predictive-maintenance.md")
        .collect();
    assert!(!late.is_empty(), "{report:#}");
    for d in &late {
        if d["rule"] == "dependency-late" {
            assert_eq!(
                (d["line"].as_u64(), d["column"].as_u64()),
                (Some(1), Some(1)),
                "{d:#}"
            );
        }
    }
    assert!(
        late.iter().any(|d| d["rule"] == "dependency-late"),
        "{late:#?}"
    );
    let out = pilotbook(&root, &["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--> fleet:docs/pilots/pilots/predictive-maintenance.md:1:1"),
        "{text}"
    );
    assert!(
        !text.contains("depends_on: [{"),
        "the stand-in text is not shown: {text}"
    );
}
