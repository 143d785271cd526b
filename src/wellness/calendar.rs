//! Calendar grids the server fills and the pages draw: a month (weeks, Monday first) and a year
//! in pixels (one row per month, one cell per day).

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dates;

/// One day in a month grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayCell {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub day: u32,
    /// False for the leading and trailing days of the neighbouring months.
    pub in_month: bool,
    pub today: bool,
    pub future: bool,
    /// 0 = nothing; higher = more (the page maps it to a colour).
    pub level: u8,
    /// Text alternative, e.g. "3 June: done".
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Month {
    /// "June 2025".
    pub title: String,
    /// First day of this, the previous and the next month (`None` before 1900 and after the
    /// current month).
    pub first: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub weeks: Vec<Vec<DayCell>>,
}

/// The month `shown`, with `describe` giving each day's level and label. A bounded month keeps
/// the grid's days (a few either side of it) real dates.
pub fn month(
    shown: dates::Month,
    today: NaiveDate,
    describe: impl Fn(NaiveDate) -> (u8, String),
) -> Month {
    let first = shown.first_day().date();
    let after = shown.last_day().next();
    let start = first - Duration::days(first.weekday().num_days_from_monday().into());
    let mut weeks = Vec::new();
    let mut d = start;
    while d < after {
        let week = (0..7)
            .map(|i| {
                let date = d + Duration::days(i);
                let (level, label) = describe(date);
                DayCell {
                    date: date.to_string(),
                    day: date.day(),
                    in_month: date.month() == first.month(),
                    today: date == today,
                    future: date > today,
                    level,
                    label,
                }
            })
            .collect();
        weeks.push(week);
        d += Duration::days(7);
    }
    Month {
        title: first.format("%B %Y").to_string(),
        first: first.to_string(),
        prev: shown.previous().map(|p| p.first_day().to_string()),
        next: shown
            .next()
            .map(|n| n.first_day())
            .filter(|n| n.date() <= today)
            .map(|n| n.to_string()),
        weeks,
    }
}

/// One cell of a year in pixels; `None` for days a month does not have (30 February).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pixel {
    pub level: u8,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearRow {
    /// "Jan".
    pub month: String,
    pub days: Vec<Option<Pixel>>,
}

/// Twelve rows of 31 cells for `year`; days after `today` are left blank (level 0).
pub fn year(
    year: i32,
    today: NaiveDate,
    describe: impl Fn(NaiveDate) -> (u8, String),
) -> Vec<YearRow> {
    (1..=12)
        .map(|m| {
            let first = NaiveDate::from_ymd_opt(year, m, 1).expect("month start");
            let days = (1..=31)
                .map(|d| {
                    let date = NaiveDate::from_ymd_opt(year, m, d)?;
                    Some(if date > today {
                        Pixel {
                            level: 0,
                            label: format!("{}: still to come", date.format("%-d %b")),
                        }
                    } else {
                        let (level, label) = describe(date);
                        Pixel { level, label }
                    })
                })
                .collect();
            YearRow {
                month: first.format("%b").to_string(),
                days,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_month_grid_starts_on_monday_and_covers_every_day() {
        let m = month(feb_2024(), day("2024-03-10"), |_| (0, String::new()));
        assert_eq!(m.title, "February 2024");
        assert_eq!(m.weeks[0][0].date, "2024-01-29");
        let in_month: Vec<u32> = m
            .weeks
            .iter()
            .flatten()
            .filter(|c| c.in_month)
            .map(|c| c.day)
            .collect();
        assert_eq!(in_month.len(), 29);
        assert_eq!(m.next.as_deref(), Some("2024-03-01"));
        assert_eq!(m.prev.as_deref(), Some("2024-01-01"));
        let march = dates::Month::parse("2024-03").unwrap();
        let current = month(march, day("2024-03-10"), |_| (0, String::new()));
        assert_eq!(current.next, None);
    }

    fn feb_2024() -> dates::Month {
        dates::Month::parse("2024-02").unwrap()
    }

    fn blank(shown: dates::Month, today: &str) -> Month {
        month(shown, day(today), |_| (0, String::new()))
    }

    #[test]
    fn the_first_and_the_last_months_have_whole_grids() {
        let first = blank(dates::Month::FIRST, "2025-06-30");
        assert_eq!(first.title, "January 1900");
        assert_eq!(first.prev, None);
        assert_eq!(first.next.as_deref(), Some("1900-02-01"));
        // 1 January 1900 was a Monday.
        assert_eq!(first.weeks[0][0].date, "1900-01-01");
        let last = blank(dates::Month::LAST, "2300-01-01");
        assert_eq!(last.title, "December 2200");
        assert_eq!(last.next, None);
        assert_eq!(last.prev.as_deref(), Some("2200-11-01"));
        let days = last.weeks.iter().flatten().filter(|c| c.in_month).count();
        assert_eq!(days, 31);
    }

    #[test]
    fn a_year_has_a_cell_for_each_real_day() {
        let y = year(2024, day("2024-12-31"), |_| (1, String::new()));
        let real = y
            .iter()
            .flat_map(|r| &r.days)
            .filter(|d| d.is_some())
            .count();
        assert_eq!(real, 366);
        assert!(y[1].days[28].is_some() && y[1].days[29].is_none());
    }
}
