//! Any bytes → a parsed document and its diagnostics, never a panic, a hang
//! or an abort. The parse goes on through typing, linking and validation of
//! a one-pilot portfolio, as `check` runs it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pilotbook_core::config::Config;
use pilotbook_core::model::{self, Date};
use pilotbook_core::parse::parse_document;
use pilotbook_core::validate::validate;
use std::path::Path;
use std::sync::Arc;
use std::sync::OnceLock;

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| Config::parse("", Path::new("pilotbook.toml")).expect("default config"))
}

fuzz_target!(|data: &[u8]| {
    let config = config();
    let parsed = parse_document("pilots/fuzz.md", data);
    for d in &parsed.diagnostics {
        assert!(d.position.line >= 1 && d.position.column >= 1, "{d:?}");
    }
    let (portfolio, mut diagnostics) =
        model::build(config, vec![(0, "pilots/fuzz.md".into(), Arc::new(parsed))]);
    let today = Date::parse("2026-11-25").expect("date");
    let history = Default::default();
    let derived = pilotbook_core::derive::Derived::of(config, &portfolio, &history, today);
    diagnostics.extend(validate(&derived));
    for d in &diagnostics {
        assert!(d.position.line >= 1, "{d:?}");
    }
});
