//! Calendar dates, as pilots use them: `YYYY-MM-DD`, no time zone.
//!
//! pilotbook needs little of a date library: parse, check that the day
//! exists, compare, count days between two dates, and know today's date. The
//! day count uses the well-known civil-from-days algorithm (Howard Hinnant's),
//! which is exact over the whole proleptic Gregorian calendar.

use std::fmt;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parse `YYYY-MM-DD`; a time after it (`T…` or ` …`) is ignored.
    pub fn parse(text: &str) -> Result<Date, String> {
        let t = text.trim();
        let date_part = t.split(['T', ' ']).next().unwrap_or(t);
        let parts: Vec<&str> = date_part.split('-').collect();
        let shaped = parts.len() == 3
            && parts[0].len() == 4
            && parts[1].len() == 2
            && parts[2].len() == 2
            && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
        if !shaped {
            return Err(format!("`{t}` is not a date in the form YYYY-MM-DD"));
        }
        let (y, m, d) = (
            parts[0].parse::<i32>().map_err(|e| e.to_string())?,
            parts[1].parse::<u8>().map_err(|e| e.to_string())?,
            parts[2].parse::<u8>().map_err(|e| e.to_string())?,
        );
        Date::new(y, m, d).ok_or_else(|| format!("`{t}` is not a day of the calendar"))
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.days_since_epoch() - self.days_since_epoch()
    }

    /// Today's date in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The English month names, for `%b` and `%B`.
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether `format` is a date format pilotbook reads: `%Y` (the year),
/// `%m` (a month number, with or without a leading zero) or `%b`/`%B` (a
/// month name, short or long), `%d` (a day, with or without a leading
/// zero), `%%`, and any other character as itself. Each of year, month and
/// day once.
pub fn check_format(format: &str) -> Result<(), String> {
    let mut seen = [0u8; 3];
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        match chars.next() {
            Some('Y') => seen[0] += 1,
            Some('m' | 'b' | 'B') => seen[1] += 1,
            Some('d') => seen[2] += 1,
            Some('%') => {}
            Some(other) => {
                return Err(format!(
                    "`%{other}` is not a directive pilotbook reads: use %Y, %m, %b, %B, %d and %%"
                ));
            }
            None => return Err("a format cannot end with `%`".into()),
        }
    }
    if seen != [1, 1, 1] {
        return Err("a date format names the year (%Y), the month (%m, %b or %B) and the day (%d) once each".into());
    }
    Ok(())
}

impl Date {
    /// Parse `text` written in `format` ([`check_format`]): `12/7/2022` in
    /// `%m/%d/%Y`, `7 Dec 2022` in `%d %b %Y`. The whole text must match.
    pub fn parse_format(text: &str, format: &str) -> Option<Date> {
        let mut rest = text.trim();
        let (mut year, mut month, mut day) = (None, None, None);
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                rest = rest.strip_prefix(c)?;
                continue;
            }
            match chars.next()? {
                'Y' => year = Some(take_number(&mut rest, 4, 4)?),
                'm' => month = Some(take_number(&mut rest, 1, 2)?),
                'd' => day = Some(take_number(&mut rest, 1, 2)?),
                'b' | 'B' => month = Some(take_month(&mut rest)?),
                '%' => rest = rest.strip_prefix('%')?,
                _ => return None,
            }
        }
        if !rest.is_empty() {
            return None;
        }
        let year = i32::try_from(year?).ok()?;
        Date::new(year, u8::try_from(month?).ok()?, u8::try_from(day?).ok()?)
    }

    /// Parse `YYYY-MM-DD`, or else the first of `formats` that reads
    /// `text`; the error names what was accepted.
    pub fn parse_any(text: &str, formats: &[String]) -> Result<Date, String> {
        if formats.is_empty() {
            return Date::parse(text);
        }
        formats
            .iter()
            .find_map(|f| Date::parse_format(text, f))
            .or_else(|| Date::parse(text).ok())
            .ok_or_else(|| {
                format!(
                    "`{}` is not a date in the form {}",
                    text.trim(),
                    formats.join(" or ")
                )
            })
    }
}

/// Take `min..=max` ASCII digits from the front of `rest`.
fn take_number(rest: &mut &str, min: usize, max: usize) -> Option<u32> {
    let len = rest
        .bytes()
        .take(max)
        .take_while(u8::is_ascii_digit)
        .count();
    if len < min {
        return None;
    }
    let n = rest[..len].parse().ok()?;
    *rest = &rest[len..];
    Some(n)
}

/// Take an English month name, long or its first three letters, from the
/// front of `rest`, in any case.
fn take_month(rest: &mut &str) -> Option<u32> {
    let lower = rest.to_ascii_lowercase();
    for (i, name) in MONTHS.iter().enumerate() {
        for len in [name.len(), 3] {
            if lower.starts_with(&name[..len]) {
                *rest = &rest[len..];
                return u32::try_from(i + 1).ok();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_validate() {
        assert_eq!(
            Date::parse("2026-06-01").map(|d| d.to_string()),
            Ok("2026-06-01".into())
        );
        assert!(Date::parse("2026-13-45").is_err());
        assert!(Date::parse("2025-02-29").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("June 1").is_err());
        assert_eq!(
            Date::parse("2026-06-01T10:00:00Z").map(|d| d.to_string()),
            Ok("2026-06-01".into())
        );
    }

    #[test]
    fn day_arithmetic_round_trips() {
        for days in [-800_000, -1, 0, 1, 59, 60, 20_000, 2_932_896] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        let a = Date::parse("2026-07-01").expect("valid");
        let b = Date::parse("2026-09-01").expect("valid");
        assert_eq!(a.days_until(b), 62);
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
    }

    #[test]
    fn dates_in_other_formats() {
        let d = |y, m, day| Date::new(y, m, day);
        assert_eq!(Date::parse_format("12/7/2022", "%m/%d/%Y"), d(2022, 12, 7));
        assert_eq!(Date::parse_format("03/31/2016", "%m/%d/%Y"), d(2016, 3, 31));
        assert_eq!(Date::parse_format("7 Dec 2022", "%d %b %Y"), d(2022, 12, 7));
        assert_eq!(
            Date::parse_format("7 December 2022", "%d %B %Y"),
            d(2022, 12, 7)
        );
        assert_eq!(Date::parse_format("31/12/2022", "%m/%d/%Y"), None);
        assert_eq!(Date::parse_format("12/7/2022 x", "%m/%d/%Y"), None);
        assert_eq!(Date::parse_format("2/30/2022", "%m/%d/%Y"), None);
        assert!(check_format("%m/%d/%Y").is_ok());
        assert!(check_format("%m/%Y").is_err());
        assert!(check_format("%d/%m/%y").is_err());
        let formats = vec!["%m/%d/%Y".to_string()];
        assert_eq!(Date::parse_any("2022-12-07", &formats).ok(), d(2022, 12, 7));
        assert!(Date::parse_any("31/12/2022", &formats).is_err_and(|e| e.contains("%m/%d/%Y")));
    }
}
