//! Any bytes as `pilotbook.toml` → a config or a located error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pilotbook_core::config::Config::parse(text, Path::new("pilotbook.toml"));
    }
});
