//! The export's published JSON Schema (`docs/schema/export-v1.schema.json`)
//! as a check every test's export passes through: the schema is the
//! contract, and an export that drifts from it fails whichever test made it.

use serde_json::Value;
use std::sync::OnceLock;

/// The compiled schema, read once per test binary.
pub fn export_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/schema/export-v1.schema.json"
        );
        let text = std::fs::read_to_string(path).expect("read the export schema");
        let schema: Value = serde_json::from_str(&text).expect("the export schema is JSON");
        jsonschema::validator_for(&schema).expect("the export schema compiles")
    })
}

/// What the schema says is wrong with `doc`, one line per problem.
pub fn export_problems(doc: &Value) -> Vec<String> {
    export_validator()
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Panic unless `bytes` is an export the schema accepts.
pub fn assert_export(bytes: &[u8]) {
    let doc: Value = serde_json::from_slice(bytes).expect("an export is JSON");
    let problems = export_problems(&doc);
    assert!(
        problems.is_empty(),
        "the export does not match docs/schema/export-v1.schema.json:\n{}",
        problems.join("\n")
    );
}
