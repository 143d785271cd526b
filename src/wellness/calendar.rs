//! Calendar grids the server fills and the pages draw: a month (weeks, Monday first) and a year
//! in pixels (one row per month, one cell per day).

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

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
    /// First day of this, the previous and the next month (`None` after the current month).
    pub first: String,
    pub prev: String,
    pub next: Option<String>,
    pub weeks: Vec<Vec<DayCell>>,
}

/// The month holding `any_day`, with `describe` giving each day's level and label.
pub fn month(
    any_day: NaiveDate,
    today: NaiveDate,
    describe: impl Fn(NaiveDate) -> (u8, String),
) -> Month {
    let first = any_day.with_day(1).expect("day 1");
    let next = first + Months::new(1);
    let start = first - Duration::days(first.weekday().num_days_from_monday().into());
    let mut weeks = Vec::new();
    let mut d = start;
    while d < next {
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
        prev: (first - Months::new(1)).to_string(),
        next: (next <= today).then(|| next.to_string()),
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
        let m = month(day("2024-02-15"), day("2024-03-10"), |_| (0, String::new()));
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
        let current = month(day("2024-03-10"), day("2024-03-10"), |_| (0, String::new()));
        assert_eq!(current.next, None);
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
