//! `.pilotbook-cache/`: the walk and the front-matter facts, kept between
//! runs so an unchanged repository is not walked twice and a new commit
//! only walks what is new.
//!
//! The file is postcard (compact binary serde): loading a 100,000-commit
//! walk from JSON took half a second, most of a warm `check`.
//!
//! The cache is an optimisation only: an unreadable, outdated or foreign
//! file is ignored, and a failed write is not an error. It is keyed by what
//! decides the walk's result (the root's place in the repository and the
//! kinds' globs), and it holds the head it was walked to.

use super::facts::Facts;
use super::walk::Walk;
use crate::config::Config;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The cache folder, relative to the pilotbook root.
pub const DIR: &str = ".pilotbook-cache";
const FILE: &str = "history-v2.postcard";
/// The JSON file earlier versions wrote, removed when the new one is.
const OLD_FILE: &str = "history-v1.json";

/// What is kept.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Stored {
    /// What decided the walk; a different key means a different walk.
    pub key: String,
    /// The walk, up to its head.
    pub walk: Walk,
    /// Facts by blob id: a blob's content never changes.
    pub facts: BTreeMap<String, Facts>,
}

/// The cache key for a config and root prefix.
pub fn key(config: &Config, root_prefix: &str) -> String {
    let mut key = format!("v1|{root_prefix}");
    for kind in &config.kinds {
        key.push_str(&format!(
            "|{}:{}:{}",
            kind.name,
            kind.paths.join(","),
            kind.exclude.join(",")
        ));
    }
    key
}

/// The stored walk, if there is one for this key.
pub fn load(dir: &Path, key: &str) -> Option<Stored> {
    let bytes = std::fs::read(dir.join(FILE)).ok()?;
    let stored: Stored = postcard::from_bytes(&bytes).ok()?;
    (stored.key == key).then_some(stored)
}

/// Store the walk; failures are ignored (a read-only checkout still works).
pub fn store(dir: &Path, key: &str, stored: &Stored) {
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        // The folder ignores itself, so it never shows up in `git status`.
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "*\n")?;
        }
        let tmp = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
        // Streamed to the file: on a large history it is tens of MB.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        let written = postcard::to_io(
            &StoredRef {
                key,
                walk: &stored.walk,
                facts: &stored.facts,
            },
            &mut out,
        )
        .map(drop)
        .map_err(std::io::Error::other)
        .and_then(|()| std::io::Write::flush(&mut out));
        drop(out);
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, dir.join(FILE))?;
        let _ = std::fs::remove_file(dir.join(OLD_FILE));
        Ok(())
    };
    let _ = write();
}

#[derive(Serialize)]
struct StoredRef<'a> {
    key: &'a str,
    walk: &'a Walk,
    facts: &'a BTreeMap<String, Facts>,
}
