//! Metric targets and measurements: `>= 92%`, `<= 800 ms`, `< 0.04 USD`,
//! `= 0 incidents`, and the numbers they are compared with.
//!
//! A target is a comparator, a number and an optional unit; an actual or a
//! baseline is a number and an optional unit. Units are free text, compared
//! case-insensitively with whitespace collapsed, so `per ticket` and `USD`
//! work as well as `%`. A leading currency sign (`$0.04`) means its ISO code.

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
    /// same unit (case and spacing aside), or either side without one.
    pub fn same_unit(&self, other: &Quantity) -> bool {
        match (&self.unit, &other.unit) {
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
            _ => true,
        }
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
    let end = t
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit() || c == '.' || c == ',' || ((c == '-' || c == '+') && i == 0))
        })
        .map_or(t.len(), |(i, _)| i);
    let (number, unit) = t.split_at(end);
    let digits = number.replace(',', "");
    let value: f64 = digits
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && digits.chars().any(|c| c.is_ascii_digit()))
        .ok_or_else(|| format!("`{}` does not start with a number", text.trim()))?;
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
        assert_eq!(
            parse_quantity("1,250.5 per ticket").expect("valid").value,
            1250.5
        );
    }
}
