//! Small pieces both SVG drawings share: numbers written compactly, text
//! made safe for XML, CSS class tokens, safe links, label widths, and the
//! one writer of SVG markup ([`SvgWriter`], [`path_data`]), so that a
//! drawing's layout is plain numbers and its markup a short walk over them.

use std::fmt::Write as _;

/// Writes SVG markup into a string, element by element. Attributes come
/// out in the order they are given; every attribute value and every text
/// is escaped here ([`escape`]), so callers pass plain, untrusted text.
///
/// ```text
/// w.open("g").attr("class", "node").end();   // <g class="node">
/// w.leaf("title", &[], "a < b");             // <title>a &lt; b</title>
/// w.close("g");                              // </g>
/// ```
#[derive(Debug, Default)]
pub(super) struct SvgWriter {
    out: String,
}

impl SvgWriter {
    /// A writer with room for `capacity` bytes.
    pub(super) fn with_capacity(capacity: usize) -> SvgWriter {
        SvgWriter {
            out: String::with_capacity(capacity),
        }
    }

    /// Start a tag: `<name`; attributes follow, then [`end`](Self::end)
    /// or [`end_empty`](Self::end_empty).
    pub(super) fn open(&mut self, name: &str) -> &mut SvgWriter {
        self.out.push('<');
        self.out.push_str(name);
        self
    }

    /// ` name="value"`, the value escaped.
    pub(super) fn attr(&mut self, name: &str, value: &str) -> &mut SvgWriter {
        let _ = write!(self.out, " {name}=\"{}\"", escape(value));
        self
    }

    /// ` name="value"` for a coordinate or length ([`num`]).
    pub(super) fn num(&mut self, name: &str, value: f64) -> &mut SvgWriter {
        let _ = write!(self.out, " {name}=\"{}\"", num(value));
        self
    }

    /// `>`: the tag is open, content follows.
    pub(super) fn end(&mut self) {
        self.out.push('>');
    }

    /// `/>`: an element without content.
    pub(super) fn end_empty(&mut self) {
        self.out.push_str("/>");
    }

    /// Text content, escaped.
    pub(super) fn text(&mut self, text: &str) {
        self.out.push_str(&escape(text));
    }

    /// `</name>`.
    pub(super) fn close(&mut self, name: &str) {
        let _ = write!(self.out, "</{name}>");
    }

    /// `<name a="v" …>text</name>`.
    pub(super) fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name);
        for (attr, value) in attrs {
            self.attr(attr, value);
        }
        self.end();
        self.text(text);
        self.close(name);
    }

    /// The markup written.
    pub(super) fn finish(self) -> String {
        self.out
    }

    /// The bytes written so far.
    pub(super) fn len(&self) -> usize {
        self.out.len()
    }

    /// The markup written so far, leaving the writer empty (with its room)
    /// to go on: for drawings written out a piece at a time.
    pub(super) fn take(&mut self) -> String {
        let room = self.out.capacity();
        std::mem::replace(&mut self.out, String::with_capacity(room))
    }
}

/// One command of an SVG path, in absolute coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum PathStep {
    /// `M x y`: start at a point.
    Move(f64, f64),
    /// `H x`: a level line to `x`.
    Horizontal(f64),
    /// `V y`: an upright line to `y`.
    Vertical(f64),
    /// `L x y`: a straight line to a point.
    Line(f64, f64),
    /// `l dx dy`: a straight line by an offset from the current point.
    LineBy(f64, f64),
    /// `Z`: back to the start of the shape.
    Close,
    /// `C x1 y1 x2 y2 x y`: a cubic Bézier curve with two control points.
    Cubic([f64; 6]),
}

/// The `d` attribute of a path: `M0 0H10C1 2 3 4 5 6`.
pub(super) fn path_data(steps: &[PathStep]) -> String {
    let mut d = String::new();
    for step in steps {
        let _ = match step {
            PathStep::Move(x, y) => write!(d, "M{} {}", num(*x), num(*y)),
            PathStep::Horizontal(x) => write!(d, "H{}", num(*x)),
            PathStep::Vertical(y) => write!(d, "V{}", num(*y)),
            PathStep::Line(x, y) => write!(d, "L{} {}", num(*x), num(*y)),
            PathStep::LineBy(dx, dy) => write!(d, "l{} {}", num(*dx), num(*dy)),
            PathStep::Close => write!(d, "Z"),
            PathStep::Cubic([x1, y1, x2, y2, x, y]) => write!(
                d,
                "C{} {} {} {} {} {}",
                num(*x1),
                num(*y1),
                num(*x2),
                num(*y2),
                num(*x),
                num(*y)
            ),
        };
    }
    d
}

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
    // A drawing of 10,000 pilots writes millions of these, and `{:.1}`
    // often takes the slow exact path. Away from a tie, rounding `v * 10`
    // gives the same tenths (its error is far below the margin); near a
    // tie, or for huge values, the formatter decides.
    let tenths = v * 10.0;
    if tenths.abs() < 1e15 && (tenths - tenths.floor() - 0.5).abs() > 1e-6 {
        // In range for i64 (checked above).
        let t = tenths.round() as i64;
        let (whole, tenth) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
        let sign = if t < 0 { "-" } else { "" };
        return match tenth {
            0 => format!("{sign}{whole}"),
            _ => format!("{sign}{whole}.{tenth}"),
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The formatter's answer, which the fast path must equal.
    fn num_by_format(v: f64) -> String {
        let s = format!("{v:.1}");
        let s = s.strip_suffix(".0").map_or(s.clone(), str::to_string);
        if s == "-0" { "0".to_string() } else { s }
    }

    #[test]
    fn num_writes_what_the_formatter_writes() {
        let mut values: Vec<f64> = (-200_000..200_000).map(|i| f64::from(i) / 100.0).collect();
        values.extend((-20_000..20_000).map(|i| f64::from(i) * 0.05));
        values.extend((0..100_000).map(|i| f64::from(i) * 1.37e-3 - 17.0));
        values.extend([0.15, 0.25, -0.25, 1e16, -1e16, 123_456_789.05, -0.04, -0.0]);
        // A deterministic spread over many magnitudes.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x as f64 / u64::MAX as f64 - 0.5) * 10f64.powi((x % 12) as i32);
            values.push(v);
        }
        for v in values {
            assert_eq!(num(v), num_by_format(v), "{v:?}");
        }
    }

    #[test]
    fn writer_escapes_values_and_text_and_keeps_attribute_order() {
        let mut w = SvgWriter::default();
        w.open("g")
            .attr("class", "a\"b")
            .num("x", 1.25)
            .num("y", -0.01)
            .end();
        w.leaf("title", &[("id", "t")], "<x> & 'y'");
        w.open("rect").num("width", 3.0).end_empty();
        w.close("g");
        assert_eq!(
            w.finish(),
            "<g class=\"a&quot;b\" x=\"1.2\" y=\"0\"><title id=\"t\">&lt;x&gt; &amp; &#39;y&#39;</title>\
             <rect width=\"3\"/></g>"
        );
    }

    #[test]
    fn path_data_writes_compact_commands() {
        let steps = [
            PathStep::Move(16.0, 33.5),
            PathStep::Horizontal(80.04),
            PathStep::Cubic([128.0, 33.5, 128.0, -0.02, 176.0, 10.0]),
        ];
        assert_eq!(path_data(&steps), "M16 33.5H80C128 33.5 128 0 176 10");
        let steps = [
            PathStep::Move(1.0, 2.0),
            PathStep::Vertical(9.5),
            PathStep::LineBy(-6.0, 3.5),
            PathStep::Line(4.0, -0.04),
            PathStep::Close,
        ];
        assert_eq!(path_data(&steps), "M1 2V9.5l-6 3.5L4 0Z");
        assert_eq!(path_data(&[]), "");
    }
}
