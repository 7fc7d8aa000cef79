//! The workspace's crate graph holds the pipeline's boundaries: each
//! library that only one stage may use is a dependency of that stage's
//! crate alone, and the crates depend on each other in one direction.
//!
//! Read from `cargo metadata --no-deps` (the manifests as cargo sees them,
//! no network, no resolution), so a new dependency or crate that breaks a
//! boundary fails here with the manifest to fix.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Each workspace crate and the workspace crates it may depend on. A crate
/// not listed here fails the test: place it in the layering first.
const LAYERS: &[(&str, &[&str])] = &[
    ("pilotbook-core", &[]),
    ("pilotbook-history", &["pilotbook-core"]),
    ("pilotbook-site", &["pilotbook-core"]),
    (
        "pilotbook-project",
        &["pilotbook-core", "pilotbook-history"],
    ),
    (
        "pilotbook-lsp",
        &["pilotbook-core", "pilotbook-history", "pilotbook-project"],
    ),
    (
        "pilotbook-serve",
        &[
            "pilotbook-core",
            "pilotbook-history",
            "pilotbook-project",
            "pilotbook-site",
        ],
    ),
    (
        "pilotbook",
        &[
            "pilotbook-core",
            "pilotbook-history",
            "pilotbook-lsp",
            "pilotbook-project",
            "pilotbook-serve",
            "pilotbook-site",
        ],
    ),
    (
        "pilotbook-bench",
        &["pilotbook-core", "pilotbook-lsp", "pilotbook-serve"],
    ),
];

/// Libraries only one crate may use: the stage that owns what they read or
/// write (ARCHITECTURE.md, "Stages hand on plain data").
const OWNED: &[(&str, &str)] = &[
    ("git2", "pilotbook-history"),
    ("tera", "pilotbook-site"),
    ("pulldown-cmark", "pilotbook-core"),
    ("lsp-server", "pilotbook-lsp"),
    ("lsp-types", "pilotbook-lsp"),
];

/// Every workspace crate with the names of its dependencies: normal and
/// build dependencies (what its code uses) and, separately, dev ones.
struct Crate {
    uses: BTreeSet<String>,
    dev: BTreeSet<String>,
}

fn workspace() -> BTreeMap<String, Crate> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut crates = BTreeMap::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let id = package["id"].as_str().expect("package id");
        if !members.contains(id) {
            continue;
        }
        let mut krate = Crate {
            uses: BTreeSet::new(),
            dev: BTreeSet::new(),
        };
        for dep in package["dependencies"].as_array().expect("dependencies") {
            let name = dep["name"].as_str().expect("dependency name").to_string();
            match dep["kind"].as_str() {
                Some("dev") => krate.dev.insert(name),
                _ => krate.uses.insert(name),
            };
        }
        let name = package["name"].as_str().expect("package name");
        crates.insert(name.to_string(), krate);
    }
    crates
}

#[test]
fn owned_libraries_are_used_by_their_crate_alone() {
    let crates = workspace();
    for (library, owner) in OWNED {
        let users: Vec<&str> = crates
            .iter()
            .filter(|(_, c)| c.uses.contains(*library))
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(
            users,
            [*owner],
            "`{library}` belongs to {owner} alone; it is a dependency of {users:?}"
        );
    }
}

#[test]
fn crates_depend_on_the_layers_below_them_only() {
    let crates = workspace();
    let layers: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let names: BTreeSet<&str> = crates.keys().map(String::as_str).collect();
    for name in &names {
        assert!(
            layers.contains_key(name),
            "workspace crate `{name}` has no place in tests/it/crates.rs's LAYERS"
        );
    }
    for (name, krate) in &crates {
        let allowed = layers[name.as_str()];
        for dep in krate.uses.iter().filter(|d| names.contains(d.as_str())) {
            assert!(
                allowed.contains(&dep.as_str()),
                "`{name}` depends on `{dep}`; it may depend on {allowed:?} only"
            );
        }
    }
}

#[test]
fn the_crate_graph_has_no_cycle() {
    let crates = workspace();
    let edges: BTreeMap<&str, Vec<&str>> = crates
        .iter()
        .map(|(name, c)| {
            let deps = c.uses.iter().chain(&c.dev);
            let local = deps.filter(|d| crates.contains_key(*d) && *d != name);
            (name.as_str(), local.map(String::as_str).collect())
        })
        .collect();
    // Kahn's algorithm: whatever cannot be ordered lies on a cycle.
    let mut waiting: BTreeMap<&str, usize> = edges
        .iter()
        .map(|(name, deps)| (*name, deps.len()))
        .collect();
    let mut ready: Vec<&str> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(c, _)| *c)
        .collect();
    let mut ordered = 0;
    while let Some(done) = ready.pop() {
        ordered += 1;
        for (name, deps) in &edges {
            if deps.contains(&done) {
                let n = waiting.get_mut(name).expect("a crate");
                *n -= 1;
                if *n == 0 {
                    ready.push(name);
                }
            }
        }
    }
    let cyclic: Vec<&str> = waiting
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(
        ordered,
        edges.len(),
        "crates on a dependency cycle, or depending on one: {cyclic:?}"
    );
}
