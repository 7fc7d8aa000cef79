//! Metric targets and measurements: `>= 92%`, `<= 800 ms`, `< 0.04 USD`,
//! `= 0 incidents`, and the numbers they are compared with.
//!
//! A target is a comparator, a number and an optional unit; an actual or a
//! baseline is a number and an optional unit. Units are free text, compared
//! case-insensitively with whitespace collapsed, so `per ticket` and `USD`
//! work as well as `%`. A leading currency sign (`$0.04`) means its ISO code.
//!
//! Numbers follow one grammar, so that an author and pilotbook never read
//! one differently: an optional sign, digits, and optionally `.` and more
//! digits. `,` may group thousands — exactly three digits after each comma,
//! before any decimal point (`1,250.5`) — and nothing else: `1.000,5` and
//! `999,0` are refused rather than read one way or the other. Exponents
//! (`1e3`) are refused too: a unit may start with `e`.

use std::fmt;

/// How an actual is compared with a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `>=`
    AtLeast,
    /// `>`
    MoreThan,
    /// `<=`
    AtMost,
    /// `<`
    LessThan,
    /// `=`
    Exactly,
}

impl Comparator {
    /// The comparator as written in a target.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::AtLeast => ">=",
            Comparator::MoreThan => ">",
            Comparator::AtMost => "<=",
            Comparator::LessThan => "<",
            Comparator::Exactly => "=",
        }
    }
}

/// A number with an optional unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The number.
    pub value: f64,
    /// The unit as written (`%`, `ms`, `USD`, `per ticket`).
    pub unit: Option<String>,
}

impl Quantity {
    /// Whether `other` is in a unit this quantity can be compared with: the
    /// same unit (case and spacing aside), or neither with one.
    pub fn same_unit(&self, other: &Quantity) -> bool {
        same_unit(self.unit.as_deref(), other.unit.as_deref())
    }
}

/// Whether two units are the same, case and spacing aside; no unit is only
/// the same as no unit.
pub fn same_unit(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            let (mut x, mut y) = (a.split_whitespace(), b.split_whitespace());
            loop {
                match (x.next(), y.next()) {
                    (None, None) => return true,
                    (Some(p), Some(q)) if same_word(p, q) => {}
                    _ => return false,
                }
            }
        }
        (None, None) => true,
        _ => false,
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)?;
        match self.unit.as_deref() {
            Some("%") => write!(f, "%"),
            Some(u) => write!(f, " {u}"),
            None => Ok(()),
        }
    }
}

fn same_word(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// A metric's success target.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricTarget {
    /// How the actual is compared.
    pub comparator: Comparator,
    /// The threshold.
    pub quantity: Quantity,
}

impl MetricTarget {
    /// Whether `actual` meets the target.
    pub fn is_met_by(&self, actual: &Quantity) -> bool {
        let (a, t) = (actual.value, self.quantity.value);
        match self.comparator {
            Comparator::AtLeast => a >= t,
            Comparator::MoreThan => a > t,
            Comparator::AtMost => a <= t,
            Comparator::LessThan => a < t,
            Comparator::Exactly => (a - t).abs() <= 1e-9 * t.abs().max(1.0),
        }
    }
}

impl fmt::Display for MetricTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.comparator.symbol(), self.quantity)
    }
}

/// Parse a target such as `>= 92%`.
pub fn parse_target(text: &str) -> Result<MetricTarget, String> {
    let t = text.trim();
    let (comparator, rest) = [
        (">=", Comparator::AtLeast),
        ("≥", Comparator::AtLeast),
        ("<=", Comparator::AtMost),
        ("≤", Comparator::AtMost),
        ("==", Comparator::Exactly),
        (">", Comparator::MoreThan),
        ("<", Comparator::LessThan),
        ("=", Comparator::Exactly),
    ]
    .into_iter()
    .find_map(|(sym, c)| t.strip_prefix(sym).map(|rest| (c, rest)))
    .ok_or_else(|| format!("`{t}` has no comparator: a target starts with >=, >, <=, < or ="))?;
    let quantity = parse_quantity(rest)?;
    Ok(MetricTarget {
        comparator,
        quantity,
    })
}

/// Parse a measurement such as `94%` or `0.031 USD`.
pub fn parse_quantity(text: &str) -> Result<Quantity, String> {
    let t = text.trim();
    let (currency, t) = match t.chars().next() {
        Some('$') => (Some("USD"), &t[1..]),
        Some('€') => (Some("EUR"), &t['€'.len_utf8()..]),
        Some('£') => (Some("GBP"), &t['£'.len_utf8()..]),
        _ => (None, t),
    };
    let t = t.trim_start();
    let (value, unit) = split_number(t).map_err(|why| format!("`{}` {why}", text.trim()))?;
    let unit = unit.trim();
    let unit = match (currency, unit.is_empty()) {
        (Some(code), true) => Some(code.to_string()),
        (Some(code), false) if !unit.eq_ignore_ascii_case(code) => {
            return Err(format!("`{}` names two currencies", text.trim()));
        }
        (Some(code), false) => Some(code.to_string()),
        (None, true) => None,
        (None, false) => Some(unit.to_string()),
    };
    Ok(Quantity { value, unit })
}

/// The number at the start of `t` (see the module's grammar) and the rest.
fn split_number(t: &str) -> Result<(f64, &str), &'static str> {
    const GRAMMAR: &str = "is not a number pilotbook reads: write digits with `.` for decimals, and `,` only between groups of three digits (`1250.5` or `1,250.5`)";
    let bytes = t.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let lead = digits(i);
    if lead == 0 {
        return Err("does not start with a number");
    }
    i += lead;
    let mut grouped = false;
    while bytes.get(i) == Some(&b',') {
        if (lead > 3 && !grouped) || digits(i + 1) != 3 {
            return Err(GRAMMAR);
        }
        grouped = true;
        i += 4;
    }
    if bytes.get(i) == Some(&b'.') {
        let decimals = digits(i + 1);
        if decimals == 0 {
            return Err(GRAMMAR);
        }
        i += 1 + decimals;
    }
    // What follows a number is a unit: never more of a number.
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'.' | b','), Some(b'0'..=b'9')) => return Err(GRAMMAR),
        (Some(b'e' | b'E'), Some(b'0'..=b'9' | b'+' | b'-')) => {
            return Err(
                "uses an exponent, which pilotbook does not read: write the number out (`1000`, not `1e3`)",
            );
        }
        _ => {}
    }
    let value: f64 = t[..i]
        .replace(',', "")
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or(GRAMMAR)?;
    Ok((value, &t[i..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = parse_target(">= 92%").expect("valid");
        assert_eq!(t.comparator, Comparator::AtLeast);
        assert_eq!(t.quantity.value, 92.0);
        assert_eq!(t.quantity.unit.as_deref(), Some("%"));
        let t = parse_target("< 0.04 USD").expect("valid");
        assert_eq!(t.quantity.unit.as_deref(), Some("USD"));
        let t = parse_target("= 0 incidents").expect("valid");
        assert!(t.is_met_by(&parse_quantity("0 incidents").expect("valid")));
        assert_eq!(
            parse_target("<$0.04")
                .expect("valid")
                .quantity
                .unit
                .as_deref(),
            Some("USD")
        );
        assert!(parse_target("high").is_err());
        assert!(parse_target("92").is_err());
        assert!(parse_target(">= fast").is_err());
        assert!(parse_target(">= -").is_err());
    }

    #[test]
    fn met_and_units() {
        let t = parse_target("<= 800 ms").expect("valid");
        let a = parse_quantity("640 ms").expect("valid");
        assert!(t.is_met_by(&a));
        assert!(!t.is_met_by(&parse_quantity("801ms").expect("valid")));
        assert!(
            t.quantity
                .same_unit(&parse_quantity("1,000 MS").expect("valid"))
        );
        assert!(!t.quantity.same_unit(&parse_quantity("94%").expect("valid")));
        // No unit is not "any unit".
        let percent = parse_target(">= 92%").expect("valid");
        assert!(
            !percent
                .quantity
                .same_unit(&parse_quantity("0.94").expect("valid"))
        );
        assert!(
            parse_quantity("7")
                .expect("valid")
                .same_unit(&parse_quantity("8").expect("valid"))
        );
        assert_eq!(
            parse_quantity("1,250.5 per ticket").expect("valid").value,
            1250.5
        );
    }

    #[test]
    fn one_number_grammar() {
        for ok in [
            "1,000 ms",
            "1,250.5 per ticket",
            "-3.5",
            "+2%",
            "12,345,678",
            "0.04 USD",
            "800ms",
            "3 events",
        ] {
            assert!(parse_quantity(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            parse_quantity("12,345,678").expect("valid").value,
            12_345_678.0
        );
        for bad in [
            "1.000,5 EUR",
            "999,0 EUR",
            "1,23",
            "1,2345",
            "1234,567",
            "1e3 ms",
            "2.5E-3",
            "1.",
            "1.2.3",
            ".5",
            "1,000,00",
        ] {
            assert!(parse_quantity(bad).is_err(), "{bad}");
        }
        assert!(parse_quantity("1e3 ms").unwrap_err().contains("exponent"));
        assert!(parse_target(">= 1.000,5 EUR").is_err());
        assert!(parse_target("<= 1e3 ms").is_err());
        // A unit may still start with `e`.
        assert_eq!(
            parse_quantity("3 events").expect("valid").unit.as_deref(),
            Some("events")
        );
        assert_eq!(
            parse_quantity("3e").expect("valid").unit.as_deref(),
            Some("e")
        );
    }
}
