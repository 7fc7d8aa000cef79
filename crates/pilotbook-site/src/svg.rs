//! Small pieces both SVG drawings share: numbers written compactly, text
//! made safe for XML, CSS class tokens, safe links, and label widths.

/// `"1 pilot"`, `"3 pilots"`.
pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A coordinate with at most one decimal, `-0` written as `0`.
pub(super) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let s = format!("{v:.1}");
    let s = match s.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => s,
    };
    if s == "-0" { "0".to_string() } else { s }
}

/// Text made safe for XML content and attribute values: `& < > " '`
/// escaped, line breaks and tabs turned into spaces, characters XML forbids
/// replaced by U+FFFD.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A class name token: ASCII lowercase letters, digits and `-`.
pub(super) fn class_token(text: &str) -> String {
    let token: String = text
        .trim()
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if token.is_empty() {
        "unknown".to_string()
    } else {
        token
    }
}

/// The link if it is relative or http(s); `javascript:` and other schemes
/// are dropped.
pub(super) fn safe_href(href: &str) -> Option<&str> {
    let href = href.trim();
    if href.is_empty() || href.chars().any(char::is_control) {
        return None;
    }
    match href.find([':', '/', '?', '#']) {
        Some(i) if href[i..].starts_with(':') => {
            let scheme = href[..i].to_ascii_lowercase();
            (scheme == "http" || scheme == "https").then_some(href)
        }
        _ => Some(href),
    }
}

/// How many narrow-character widths a character takes (2 for East Asian
/// wide characters and emoji).
pub(super) fn char_units(c: char) -> usize {
    match u32::from(c) {
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// `text` cut to at most `max_units` widths, with an ellipsis when cut, and
/// its width in units.
pub(super) fn truncate(text: &str, max_units: usize) -> (String, usize) {
    let text = text.trim();
    let total: usize = text.chars().map(char_units).sum();
    if total <= max_units {
        return (text.to_string(), total);
    }
    let mut out = String::new();
    let mut units = 0;
    let mut cut_mid_word = false;
    for c in text.chars() {
        let u = char_units(c);
        if units + u + 1 > max_units {
            cut_mid_word = !c.is_whitespace();
            break;
        }
        out.push(c);
        units += u;
    }
    // Back off to a word boundary when one is near.
    if cut_mid_word
        && let Some(space) = out.rfind(char::is_whitespace)
        && out[space..].chars().count() <= 10
    {
        out.truncate(space);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    let units = out.chars().map(char_units).sum();
    (out, units)
}
