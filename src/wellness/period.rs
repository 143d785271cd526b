//! Goal periods in the user's calendar: a day, an ISO week (Monday first) or a month, each
//! named by its first local date.

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cadence {
    Daily,
    Weekly,
    Monthly,
}

impl Cadence {
    pub fn parse(s: &str) -> Option<Cadence> {
        match s {
            "daily" => Some(Cadence::Daily),
            "weekly" => Some(Cadence::Weekly),
            "monthly" => Some(Cadence::Monthly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Daily => "daily",
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
        }
    }

    /// First day of the period holding `date`.
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Cadence::Daily => date,
            Cadence::Weekly => date - Duration::days(date.weekday().num_days_from_monday().into()),
            Cadence::Monthly => date.with_day(1).expect("day 1 exists"),
        }
    }

    /// First day of the period after the one starting on `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Cadence::Daily => start + Duration::days(1),
            Cadence::Weekly => start + Duration::days(7),
            Cadence::Monthly => start + Months::new(1),
        }
    }

    /// First day of the period before the one starting on `start`.
    pub fn previous(self, start: NaiveDate) -> NaiveDate {
        match self {
            Cadence::Daily => start - Duration::days(1),
            Cadence::Weekly => start - Duration::days(7),
            Cadence::Monthly => start - Months::new(1),
        }
    }

    /// Last day of the period starting on `start`.
    pub fn end(self, start: NaiveDate) -> NaiveDate {
        self.next(start) - Duration::days(1)
    }

    /// The `n` periods up to and including the one holding `today`, oldest first.
    pub fn recent(self, today: NaiveDate, n: usize) -> Vec<NaiveDate> {
        let mut out = Vec::with_capacity(n);
        let mut p = self.start(today);
        for _ in 0..n {
            out.push(p);
            p = self.previous(p);
        }
        out.reverse();
        out
    }

    /// "Today", "This week" … for the current period; otherwise a short date label.
    pub fn label(self, start: NaiveDate) -> String {
        match self {
            Cadence::Daily => start.format("%a %-d %b").to_string(),
            Cadence::Weekly => format!("Week of {}", start.format("%-d %b")),
            Cadence::Monthly => start.format("%b %Y").to_string(),
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Cadence::Daily => "day",
            Cadence::Weekly => "week",
            Cadence::Monthly => "month",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_start_on_monday_across_a_year_end() {
        // Thursday 1 January 2026 belongs to the ISO week starting Monday 29 December 2025.
        assert_eq!(Cadence::Weekly.start(day("2026-01-01")), day("2025-12-29"));
        assert_eq!(Cadence::Weekly.start(day("2025-12-29")), day("2025-12-29"));
        assert_eq!(Cadence::Weekly.end(day("2025-12-29")), day("2026-01-04"));
        // Sunday stays in the week that began on the Monday before.
        assert_eq!(Cadence::Weekly.start(day("2025-06-08")), day("2025-06-02"));
    }

    #[test]
    fn months_and_the_leap_day() {
        assert_eq!(Cadence::Monthly.start(day("2024-02-29")), day("2024-02-01"));
        assert_eq!(Cadence::Monthly.end(day("2024-02-01")), day("2024-02-29"));
        assert_eq!(Cadence::Monthly.end(day("2025-02-01")), day("2025-02-28"));
        assert_eq!(Cadence::Daily.next(day("2024-02-28")), day("2024-02-29"));
        assert_eq!(
            Cadence::Monthly.recent(day("2025-01-15"), 3),
            vec![day("2024-11-01"), day("2024-12-01"), day("2025-01-01")]
        );
    }
}
