//! Placeholders: the values a template or a hurried author writes where the
//! real one belongs (`todo`, `TBD`, `<owner>`, `YYYY-MM-DD`, the `>= 0`
//! target `pilotbook new` writes).
//!
//! Decided here, once: typing treats a placeholder as "not given yet" (no
//! reference is made to a person called `todo`, no target of `>= 0` is
//! judged), and `validate` reports each one as `placeholder-value`, so a
//! scaffolded document fails until it is filled in, with one finding per
//! value instead of several.

use crate::parse::quantity::{Comparator, parse_target};

/// Words that stand for a value nobody has written yet.
const WORDS: [&str; 12] = [
    "todo",
    "tbd",
    "tbc",
    "tba",
    "fixme",
    "xxx",
    "placeholder",
    "changeme",
    "yyyy-mm-dd",
    "?",
    "??",
    "???",
];

/// Ids that only hold a place (a document saved as `pilots/todo.md`).
const IDS: [&str; 7] = [
    "todo",
    "tbd",
    "tbc",
    "fixme",
    "xxx",
    "untitled",
    "placeholder",
];

/// Whether a front-matter text is a placeholder: one of the placeholder
/// words, a `TODO: …` note, or an `<angle-bracketed>` hint. Allocates
/// nothing: it runs on every value of every document.
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    // Every placeholder starts with one of these; most values do not.
    let first = t.bytes().next().map(|b| b.to_ascii_lowercase());
    if !matches!(
        first,
        Some(b't' | b'f' | b'x' | b'p' | b'c' | b'y' | b'?' | b'.' | b'<' | 0xE2)
    ) {
        return false;
    }
    if WORDS.iter().any(|w| t.eq_ignore_ascii_case(w)) || t == "..." || t == "…" {
        return true;
    }
    let noted = ["todo", "tbd", "fixme"].iter().any(|w| {
        t.get(..w.len()).is_some_and(|p| p.eq_ignore_ascii_case(w))
            && t[w.len()..].starts_with([':', ' '])
    });
    let bracketed = t.len() > 2
        && t.starts_with('<')
        && t.ends_with('>')
        && !t[1..t.len() - 1].contains(['<', '>']);
    noted || bracketed
}

/// Whether a metric target is a placeholder: a placeholder text, or `>= 0`
/// (met by any count or rate), which `pilotbook new` writes.
pub fn is_placeholder_target(text: &str) -> bool {
    let t = text.trim_start();
    is_placeholder(text)
        || ((t.starts_with(">=") || t.starts_with('≥'))
            && parse_target(text)
                .is_ok_and(|t| t.comparator == Comparator::AtLeast && t.quantity.value == 0.0))
}

/// Whether a document id only holds a place.
pub fn is_placeholder_id(id: &str) -> bool {
    IDS.contains(&id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "todo",
            "TODO",
            " tbd ",
            "TODO: the owner",
            "todo - later",
            "<owner>",
            "<person-id>",
            "YYYY-MM-DD",
            "...",
            "?",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for real in [
            "dana-kim",
            "todoist",
            "tbd-rollout",
            "<b>bold</b>",
            "<>",
            "Support ops",
            "n/a",
            "2026-06-01",
        ] {
            assert!(!is_placeholder(real), "{real}");
        }
        assert!(is_placeholder_target(">= 0"));
        assert!(is_placeholder_target(">= 0%"));
        assert!(!is_placeholder_target(">= 0.5%"));
        assert!(!is_placeholder_target("<= 0 incidents"));
        assert!(is_placeholder_target("TODO"));
    }
}
