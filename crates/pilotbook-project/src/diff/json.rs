//! `diff --format json`: the [`PortfolioDiff`] as one pretty-printed object.
//!
//! The field names of the diff types are the contract (`version: 1`);
//! docs/guide/ci.md documents them. Nothing here reshapes the data.

use super::PortfolioDiff;

/// Render the diff as JSON with a final newline.
pub fn render(diff: &PortfolioDiff) -> String {
    // Plain structs of strings, numbers and JSON values always serialise.
    let text = serde_json::to_string_pretty(diff).unwrap_or_default();
    let mut text = escape_c1(text);
    text.push('\n');
    text
}

/// Write C1 control characters (U+0080 to U+009F) as `\u0080` escapes.
/// serde_json escapes C0 but passes C1 through, and some terminals take
/// U+009B as the start of an escape sequence, so a title could recolour or
/// rewrite the terminal of whoever reads the diff. The escape is the same
/// JSON value: a parser reads back the text the document wrote. In JSON
/// such characters can only stand inside strings, so the rewrite is safe.
fn escape_c1(text: String) -> String {
    let is_c1 = |c: char| ('\u{80}'..='\u{9f}').contains(&c);
    if !text.contains(is_c1) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_c1(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_c1;

    #[test]
    fn c1_controls_become_escapes_that_read_back_as_the_same_text() {
        let raw = serde_json::to_string("a\u{9b}31mb\u{85}é").unwrap_or_default();
        let escaped = escape_c1(raw);
        assert_eq!(escaped, "\"a\\u009b31mb\\u0085é\"");
        let back: String = serde_json::from_str(&escaped).unwrap_or_default();
        assert_eq!(back, "a\u{9b}31mb\u{85}é");
    }
}
