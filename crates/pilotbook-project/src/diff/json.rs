//! `diff --format json`: the [`PortfolioDiff`] as one pretty-printed object.
//!
//! The field names of the diff types are the contract (`version: 1`);
//! docs/guide/ci.md documents them. Nothing here reshapes the data.

use super::PortfolioDiff;

/// Render the diff as JSON with a final newline.
pub fn render(diff: &PortfolioDiff) -> String {
    // Plain structs of strings, numbers and JSON values always serialise.
    let mut text = serde_json::to_string_pretty(diff).unwrap_or_default();
    text.push('\n');
    text
}
