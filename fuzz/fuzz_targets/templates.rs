//! Any text as a template override (the first byte picks which built-in
//! template or asset it replaces) → the example's pages rendered with it,
//! or a template error, never a panic, a hang or an abort. Overrides are
//! code anyone can commit; the render budget
//! (`crates/pilotbook-site/src/budget.rs`: the page cap, `range()`'s
//! budget, the deadline) must hold for all of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pilotbook_core::config::Config;
use pilotbook_core::derive::Derived;
use pilotbook_core::diagnostics::Report;
use pilotbook_core::history::History;
use pilotbook_core::model::{self, Date, Portfolio};
use pilotbook_core::parse::parse_document;
use pilotbook_site::templates::{ASSETS, TEMPLATES};
use pilotbook_site::{SiteOptions, Templates, render_site};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// A few documents of the example portfolio, one of each kind, linked.
const DOCUMENTS: &[(usize, &str, &str)] = &[
    (
        0,
        "pilots/ticket-triage.md",
        include_str!("../../example-repo/pilots/ticket-triage.md"),
    ),
    (
        1,
        "people/dana-kim.md",
        include_str!("../../example-repo/people/dana-kim.md"),
    ),
    (
        2,
        "metrics/triage-accuracy.md",
        include_str!("../../example-repo/metrics/triage-accuracy.md"),
    ),
    (
        3,
        "systems/zendesk.md",
        include_str!("../../example-repo/systems/zendesk.md"),
    ),
];

struct Site {
    config: Config,
    portfolio: Portfolio,
    report: Report,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        // A short deadline: a loop that prints or counts is stopped by it
        // well within libFuzzer's timeout.
        let config = Config::parse(
            "[limits]\nmax_render_seconds = 2\n",
            Path::new("pilotbook.toml"),
        )
        .expect("config");
        let documents = DOCUMENTS
            .iter()
            .map(|(kind, path, text)| {
                (
                    *kind,
                    path.to_string(),
                    Arc::new(parse_document(path, text.as_bytes())),
                )
            })
            .collect();
        let (portfolio, diagnostics) = model::build(&config, documents);
        let report = Report::finish(DOCUMENTS.len(), diagnostics, &config.severity_overrides);
        Site {
            config,
            portfolio,
            report,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let slots = TEMPLATES.len() + ASSETS.len();
    let mut overrides = vec![None; slots];
    overrides[usize::from(pick) % slots] = Some(text.to_string());
    let Ok(templates) = Templates::with_overrides(&overrides) else {
        return;
    };
    let site = site();
    let options = SiteOptions {
        base_url: Some("https://example.com/pilots".into()),
        progress: None,
        export: false,
        on_runaway: None,
        files: None,
    };
    // An error names the page; a site has every page.
    let history = History::default();
    let today = Date::parse("2026-11-25").expect("date");
    let derived = Derived::of(&site.config, &site.portfolio, &history, today);
    if let Ok(rendered) = render_site(&derived, &site.report, &templates, &options, None) {
        assert!(rendered.files.contains_key("index.html"));
    }
});
