//! Document ids: an explicit `id`, else the file stem (the folder's name for
//! `README.md` and `index.md`), lowercased, every run of characters outside
//! `[a-z0-9]` turned into one `-`, leading and trailing `-` dropped.

/// Whether `id` is a valid explicit id: `[a-z0-9][a-z0-9-]*`.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A qualified id or path split at its source: `payments:invoice-matching`
/// is `(Some("payments"), "invoice-matching")` and
/// `payments:docs/pilots/a.md` is `(Some("payments"), "docs/pilots/a.md")`;
/// anything else is unqualified. The qualifier is a source name
/// ([`crate::config::is_valid_source_name`]) and comes before any `/`.
pub fn split_qualified(text: &str) -> (Option<&str>, &str) {
    match text.split_once(':') {
        Some((name, rest)) if crate::config::is_valid_source_name(name) => (Some(name), rest),
        _ => (None, text),
    }
}

/// The id a document gets from its path (a source's qualifier aside).
pub fn derive_id(rel_path: &str) -> String {
    let rel_path = split_qualified(rel_path).1;
    let mut parts = rel_path.rsplit('/');
    let file = parts.next().unwrap_or(rel_path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let stem = if stem.eq_ignore_ascii_case("readme") || stem.eq_ignore_ascii_case("index") {
        parts.next().unwrap_or(stem)
    } else {
        stem
    };
    slugify(stem)
}

/// Lowercase and dash a name into an id; `document` when nothing is left.
/// The name is NFC-normalised first, so a file name written decomposed
/// (as macOS stores it: `e` + U+0301) gives the same id as the composed one.
pub fn slugify(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(name.len());
    for c in name.nfc().collect::<String>().to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "document".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_paths() {
        assert_eq!(derive_id("pilots/Ticket Triage_v2.md"), "ticket-triage-v2");
        assert_eq!(
            derive_id("pilots/finance/invoice-matching/README.md"),
            "invoice-matching"
        );
        assert_eq!(derive_id("pilots/x/index.md"), "x");
        assert_eq!(derive_id("people/Dana Kim.md"), "dana-kim");
        assert_eq!(derive_id("pilots/__.md"), "document");
        // Composed and decomposed spellings of one name are one id.
        assert_eq!(derive_id("people/Zo\u{eb} Caf\u{e9}.md"), "zo-caf");
        assert_eq!(derive_id("people/Zoe\u{308} Cafe\u{301}.md"), "zo-caf");
    }

    #[test]
    fn explicit_ids() {
        assert!(is_valid_id("ticket-triage"));
        assert!(is_valid_id("0123"));
        assert!(!is_valid_id("Bad_ID"));
        assert!(!is_valid_id("-x"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("payments:x"));
        assert_eq!(split_qualified("payments:x"), (Some("payments"), "x"));
        assert_eq!(split_qualified("pilots/a:b.md"), (None, "pilots/a:b.md"));
        assert_eq!(derive_id("payments:x.md"), "x");
        assert_eq!(derive_id("payments:docs/x/README.md"), "x");
    }
}
