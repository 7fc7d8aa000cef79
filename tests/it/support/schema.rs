//! The export's published JSON Schema (`docs/schema/export-v2.schema.json`)
//! as a check every test's export passes through: the schema is the
//! contract, and an export that drifts from it fails whichever test made it.
//! The previous contract (`export-v1.schema.json`) stays published for the
//! exports written before version 2, which pilotbook still reads.

use serde_json::Value;
use std::sync::OnceLock;

/// The schema of the current version, the one `pilotbook export` writes.
pub const CURRENT: &str = "docs/schema/export-v2.schema.json";

/// The schema of version 1.
pub const V1: &str = "docs/schema/export-v1.schema.json";

fn compile(schema: &str) -> jsonschema::Validator {
    let path = format!("{}/{schema}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("read the export schema");
    let schema: Value = serde_json::from_str(&text).expect("the export schema is JSON");
    jsonschema::validator_for(&schema).expect("the export schema compiles")
}

/// The compiled current schema, read once per test binary.
pub fn export_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| compile(CURRENT))
}

/// The compiled version 1 schema.
pub fn v1_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| compile(V1))
}

/// What `validator` says is wrong with `doc`, one line per problem.
pub fn problems(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// What the current schema says is wrong with `doc`, one line per problem.
pub fn export_problems(doc: &Value) -> Vec<String> {
    problems(export_validator(), doc)
}

/// Panic unless `bytes` is an export the schema accepts.
pub fn assert_export(bytes: &[u8]) {
    let doc: Value = serde_json::from_slice(bytes).expect("an export is JSON");
    let problems = export_problems(&doc);
    assert!(
        problems.is_empty(),
        "the export does not match {CURRENT}:\n{}",
        problems.join("\n")
    );
}
