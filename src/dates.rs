//! Calendar days and months that come from outside (forms, query strings, REST parameters and
//! bodies, server-function arguments), bounded to the years 1900–2200.
//!
//! Every edge reads a date the user sends into a [`Day`] (or a [`Month`]) once; from then on
//! the arithmetic the app does with it (a day or a month either side, the span between two of
//! them, the instants a day covers) stays far inside chrono's range (±262,000 years) and
//! PostgreSQL's `date`, so no input can make date arithmetic panic or a query fail. Shared by
//! the server and the browser (it needs nothing server-only).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// The first and the last year a [`Day`] may fall in.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2200;

/// What a client is told about a date it sent that is not a [`Day`].
pub const DAY_MESSAGE: &str = "Use a date between 1900-01-01 and 2200-12-31 (YYYY-MM-DD).";
/// What a client is told about a month it sent that is not a [`Month`].
pub const MONTH_MESSAGE: &str = "Use a month between 1900-01 and 2200-12 (YYYY-MM).";

/// Why text is not a [`Day`] or a [`Month`]. Displayed, it is [`DAY_MESSAGE`]; forms may word
/// each case their own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not `YYYY-MM-DD` (`YYYY-MM` for a month), or no such day (30 February).
    Malformed,
    /// A real date, before 1900-01-01.
    TooEarly,
    /// A real date, after 2200-12-31.
    TooLate,
}

impl DateError {
    /// The wording for a date typed into a form field: a sentence a person can act on.
    pub fn form_message(self) -> &'static str {
        match self {
            DateError::Malformed => "Use a date like 2025-06-30.",
            DateError::TooEarly => "Use a date from 1900 on.",
            DateError::TooLate => "Use a date before 2201.",
        }
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DAY_MESSAGE)
    }
}

impl std::error::Error for DateError {}

/// Why text is not a [`Month`]; displayed, it is [`MONTH_MESSAGE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthError(pub DateError);

impl fmt::Display for MonthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MONTH_MESSAGE)
    }
}

impl std::error::Error for MonthError {}

/// A calendar day from 1900-01-01 to 2200-12-31. Written and read as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(NaiveDate);

/// A date that exists (for the bounds below).
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("not a date"),
    }
}

impl Day {
    pub const FIRST: Day = Day(ymd(FIRST_YEAR, 1, 1));
    pub const LAST: Day = Day(ymd(LAST_YEAR, 12, 31));

    /// `date`, when it lies within the bounds.
    pub fn new(date: NaiveDate) -> Result<Day, DateError> {
        if date < Self::FIRST.0 {
            Err(DateError::TooEarly)
        } else if date > Self::LAST.0 {
            Err(DateError::TooLate)
        } else {
            Ok(Day(date))
        }
    }

    /// The nearest day within the bounds: for days the server works out itself (today).
    pub fn clamped(date: NaiveDate) -> Day {
        Day(date.clamp(Self::FIRST.0, Self::LAST.0))
    }

    /// `YYYY-MM-DD` (a four-digit year; month and day of one or two digits), surrounding
    /// white space ignored.
    pub fn parse(raw: &str) -> Result<Day, DateError> {
        let date = real_date(raw).ok_or(DateError::Malformed)?;
        Day::new(date)
    }

    pub const fn date(self) -> NaiveDate {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The month this day is in.
    pub fn month(self) -> Month {
        Month(self.0.with_day(1).unwrap_or(self.0))
    }

    /// The day after: a real date even after the last day (2201-01-01), so a range of days
    /// can end before it.
    pub fn next(self) -> NaiveDate {
        self.0.succ_opt().unwrap_or(self.0)
    }

    /// The day before: a real date even before the first day (1899-12-31).
    pub fn previous(self) -> NaiveDate {
        self.0.pred_opt().unwrap_or(self.0)
    }

    /// `days` later (earlier when negative), if that is still within the bounds.
    pub fn add_days(self, days: i64) -> Option<Day> {
        let shifted = self.0.checked_add_signed(TimeDelta::try_days(days)?)?;
        Day::new(shifted).ok()
    }

    /// `days` later (earlier when negative), stopping at the first or the last day.
    pub fn saturating_add_days(self, days: i64) -> Day {
        match self.add_days(days) {
            Some(d) => d,
            None if days < 0 => Self::FIRST,
            None => Self::LAST,
        }
    }

    /// Whole days from `earlier` to this day (negative when `earlier` is later).
    pub fn days_since(self, earlier: Day) -> i64 {
        self.0.signed_duration_since(earlier.0).num_days()
    }
}

/// `YYYY-MM-DD` as a date that exists, in any four-digit year.
fn real_date(raw: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = raw.trim().split('-').collect();
    let &[y, m, d] = parts.as_slice() else {
        return None;
    };
    NaiveDate::from_ymd_opt(year(y)?, digits(m, 1, 2)?, digits(d, 1, 2)?)
}

/// `YYYY-MM` as (year, month number), the month not yet checked.
fn real_month(raw: &str) -> Option<(i32, u32)> {
    let parts: Vec<&str> = raw.trim().split('-').collect();
    let &[y, m] = parts.as_slice() else {
        return None;
    };
    Some((year(y)?, digits(m, 1, 2)?))
}

/// Four ASCII digits as a year (no sign, no more digits: chrono's own extremes never parse).
fn year(part: &str) -> Option<i32> {
    // Four digits always fit an i32.
    digits(part, 4, 4).map(|y| y as i32)
}

/// `part` as a number when it is `min..=max` ASCII digits.
fn digits(part: &str, min: usize, max: usize) -> Option<u32> {
    let plain = part.bytes().all(|b| b.is_ascii_digit());
    if !plain || !(min..=max).contains(&part.len()) {
        return None;
    }
    part.parse().ok()
}

impl From<Day> for NaiveDate {
    fn from(day: Day) -> NaiveDate {
        day.0
    }
}

impl TryFrom<NaiveDate> for Day {
    type Error = DateError;

    fn try_from(date: NaiveDate) -> Result<Day, DateError> {
        Day::new(date)
    }
}

impl FromStr for Day {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Day, DateError> {
        Day::parse(s)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Four-digit years: chrono writes `YYYY-MM-DD`.
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        struct Visitor;

        impl de::Visitor<'_> for Visitor {
            type Value = Day;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date between 1900-01-01 and 2200-12-31 (YYYY-MM-DD)")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Day, E> {
                Day::parse(v).map_err(|_| E::custom(DAY_MESSAGE))
            }
        }

        d.deserialize_str(Visitor)
    }
}

/// A calendar month from 1900-01 to 2200-12. Written and read as `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(NaiveDate);

impl Month {
    pub const FIRST: Month = Month(ymd(FIRST_YEAR, 1, 1));
    pub const LAST: Month = Month(ymd(LAST_YEAR, 12, 1));

    /// Month `month` (1–12) of `year`, when within the bounds.
    pub fn new(year: i32, month: u32) -> Result<Month, DateError> {
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or(DateError::Malformed)?;
        Day::new(first).map(Day::month)
    }

    /// `YYYY-MM` (a four-digit year; a month of one or two digits), surrounding white space
    /// ignored.
    pub fn parse(raw: &str) -> Result<Month, MonthError> {
        let (y, m) = real_month(raw).ok_or(MonthError(DateError::Malformed))?;
        Month::new(y, m).map_err(MonthError)
    }

    /// `YYYY-MM`, or the month of a `YYYY-MM-DD` day (links that name a month by its first
    /// day).
    pub fn parse_or_day(raw: &str) -> Result<Month, MonthError> {
        match Day::parse(raw) {
            Ok(day) => Ok(day.month()),
            Err(_) => Month::parse(raw),
        }
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// 1 (January) to 12.
    pub fn number(self) -> u32 {
        self.0.month()
    }

    pub fn first_day(self) -> Day {
        Day(self.0)
    }

    pub fn last_day(self) -> Day {
        let last = match self.next() {
            Some(next) => next.0.pred_opt(),
            None => Some(Day::LAST.0),
        };
        Day(last.unwrap_or(self.0))
    }

    /// The month after, if still within the bounds.
    pub fn next(self) -> Option<Month> {
        let (y, m) = if self.number() == 12 {
            (self.year() + 1, 1)
        } else {
            (self.year(), self.number() + 1)
        };
        Month::new(y, m).ok()
    }

    /// The month before, if still within the bounds.
    pub fn previous(self) -> Option<Month> {
        let (y, m) = if self.number() == 1 {
            (self.year() - 1, 12)
        } else {
            (self.year(), self.number() - 1)
        };
        Month::new(y, m).ok()
    }
}

impl FromStr for Month {
    type Err = MonthError;

    fn from_str(s: &str) -> Result<Month, MonthError> {
        Month::parse(s)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        struct Visitor;

        impl de::Visitor<'_> for Visitor {
            type Value = Month;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a month between 1900-01 and 2200-12 (YYYY-MM)")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Month, E> {
                Month::parse(v).map_err(|_| E::custom(MONTH_MESSAGE))
            }
        }

        d.deserialize_str(Visitor)
    }
}

/// Whether an instant a client sent falls on a day (in UTC) within the bounds of a [`Day`].
pub fn instant_in_bounds(at: &DateTime<Utc>) -> bool {
    Day::new(at.date_naive()).is_ok()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn days_parse_within_the_bounds_only() {
        assert_eq!(Day::parse("2025-06-30").unwrap().date(), ymd(2025, 6, 30));
        assert_eq!(Day::parse(" 2025-6-3 ").unwrap().date(), ymd(2025, 6, 3));
        assert_eq!(Day::parse("1900-01-01").unwrap(), Day::FIRST);
        assert_eq!(Day::parse("2200-12-31").unwrap(), Day::LAST);
        assert_eq!(Day::parse("1899-12-31"), Err(DateError::TooEarly));
        assert_eq!(Day::parse("0000-01-01"), Err(DateError::TooEarly));
        assert_eq!(Day::parse("2201-01-01"), Err(DateError::TooLate));
        assert_eq!(Day::parse("9999-12-31"), Err(DateError::TooLate));
        for bad in [
            "",
            "-262143-01-02",
            "+262142-12-31",
            " 262142-12-31",
            "262142-12-31",
            "2025-02-30",
            "2025-13-01",
            "2025-06",
            "2025-06-30-1",
            "2025-06-30T00:00:00Z",
            "31/12/2024",
            "２０２５-06-30",
            "2025-+6-30",
            "2025-06-030",
        ] {
            assert_eq!(Day::parse(bad), Err(DateError::Malformed), "{bad:?}");
        }
    }

    fn query(q: &str) -> Result<HashMap<String, Day>, serde_urlencoded::de::Error> {
        serde_urlencoded::from_str(q)
    }

    #[test]
    fn a_day_reads_and_writes_as_yyyy_mm_dd() {
        let d: Day = serde_json::from_str("\"2024-02-29\"").unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2024-02-29\"");
        assert_eq!(Day::FIRST.to_string(), "1900-01-01");
        let err = serde_json::from_str::<Day>("\"-262143-01-02\"").unwrap_err();
        assert!(err.to_string().contains(DAY_MESSAGE), "{err}");
        assert!(serde_json::from_str::<Day>("20240229").is_err());
        let q = query("to=2026-03-01").unwrap();
        assert_eq!(q["to"].date(), ymd(2026, 3, 1));
        let err = query("to=%2B262142-12-31").unwrap_err();
        assert_eq!(err.to_string(), DAY_MESSAGE);
    }

    #[test]
    fn arithmetic_on_a_day_never_leaves_chrono() {
        assert_eq!(Day::FIRST.previous(), ymd(1899, 12, 31));
        assert_eq!(Day::LAST.next(), ymd(2201, 1, 1));
        assert_eq!(Day::LAST.add_days(1), None);
        assert_eq!(Day::FIRST.add_days(-1), None);
        assert_eq!(Day::LAST.add_days(i64::MAX), None);
        assert_eq!(Day::FIRST.saturating_add_days(-30), Day::FIRST);
        assert_eq!(Day::LAST.saturating_add_days(i64::MAX), Day::LAST);
        assert_eq!(Day::FIRST.saturating_add_days(i64::MIN), Day::FIRST);
        let d = Day::parse("2025-03-01").unwrap();
        assert_eq!(d.add_days(-1).unwrap().to_string(), "2025-02-28");
        assert_eq!(Day::LAST.days_since(Day::FIRST), 109_937);
        assert_eq!(Day::clamped(NaiveDate::MIN), Day::FIRST);
        assert_eq!(Day::clamped(NaiveDate::MAX), Day::LAST);
        assert_eq!(Day::new(NaiveDate::MAX), Err(DateError::TooLate));
    }

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn month_error(s: &str) -> DateError {
        Month::parse(s).unwrap_err().0
    }

    #[test]
    fn months_parse_within_the_bounds_and_step_safely() {
        let m = month("2024-02");
        assert_eq!((m.year(), m.number()), (2024, 2));
        assert_eq!(m.to_string(), "2024-02");
        assert_eq!(m.first_day().to_string(), "2024-02-01");
        assert_eq!(m.last_day().to_string(), "2024-02-29");
        assert_eq!(m.previous(), Some(month("2024-01")));
        assert_eq!(month("2024-12").next(), Some(month("2025-01")));
        assert_eq!(month("2025-01").previous(), Some(month("2024-12")));
        assert_eq!(Month::FIRST.previous(), None);
        assert_eq!(Month::LAST.next(), None);
        assert_eq!(Month::LAST.last_day(), Day::LAST);
        assert_eq!(Month::FIRST.first_day(), Day::FIRST);
        assert_eq!(month_error("1899-12"), DateError::TooEarly);
        assert_eq!(month_error("2201-01"), DateError::TooLate);
        for bad in [
            "-262143-01",
            "+262142-12",
            "2024-13",
            "2024-00",
            "2024",
            "2024-02-01",
            "",
        ] {
            assert_eq!(month_error(bad), DateError::Malformed, "{bad:?}");
        }
        assert_eq!(Month::parse_or_day("2024-02-15"), Ok(m));
        assert_eq!(Month::parse_or_day("2024-02"), Ok(m));
        assert!(Month::parse_or_day("-262143-01-01").is_err());
        assert_eq!(Day::parse("2024-02-15").unwrap().month(), m);
        let err = serde_json::from_str::<Month>("\"-262143-01\"").unwrap_err();
        assert!(err.to_string().contains(MONTH_MESSAGE), "{err}");
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"2024-02\"");
    }

    #[test]
    fn instants_are_bounded_by_their_utc_day() {
        assert!(instant_in_bounds(&Utc::now()));
        assert!(!instant_in_bounds(&DateTime::<Utc>::MIN_UTC));
        assert!(!instant_in_bounds(&DateTime::<Utc>::MAX_UTC));
        let first = Day::FIRST.date().and_hms_opt(0, 0, 0).unwrap().and_utc();
        assert!(instant_in_bounds(&first));
        assert!(!instant_in_bounds(&(first - TimeDelta::seconds(1))));
    }
}
