//! Server-side view models of the health pages: queries, the preferred source per day, figures
//! formatted for people, and the charts.

pub mod body;
pub mod heart;
pub mod overview;
pub mod priorities;
pub mod records;
pub mod sleep;
pub mod trends;

use chrono::{Datelike, Duration, NaiveDate};

use crate::dates::Day;
use crate::error::AppError;

/// `?range=7|30|90|365` or `?range=custom&from=…&to=…`.
#[derive(Clone, Debug, Default)]
pub struct RangeQuery {
    pub range: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The span to show and the range key it came from. Custom dates are read as bounded
/// [`Day`]s, so the span's arithmetic (its length, the instants it covers) is safe.
pub fn resolve_range(
    q: &RangeQuery,
    today: NaiveDate,
    default: u32,
) -> Result<(NaiveDate, NaiveDate, String), AppError> {
    let key = q.range.as_deref().unwrap_or("").trim();
    if key == "custom" || (key.is_empty() && (q.from.is_some() || q.to.is_some())) {
        let parse = |field: &str, v: Option<&String>| -> Result<Day, AppError> {
            let v = v
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| AppError::invalid(field, "Choose a start and an end date."))?;
            Day::parse(v).map_err(|e| AppError::invalid(field, e.form_message()))
        };
        let from = parse("from", q.from.as_ref())?;
        let to = parse("to", q.to.as_ref())?;
        if from > to {
            return Err(AppError::invalid(
                "to",
                "The end date is before the start date.",
            ));
        }
        if to.days_since(from) > 3_660 {
            return Err(AppError::invalid("from", "Choose at most ten years."));
        }
        // Nothing is recorded after tomorrow (anywhere on Earth): the span stops there.
        let last = to.date().min(today + Duration::days(1));
        if from.date() > last {
            return Err(AppError::invalid(
                "from",
                "Choose a start date no later than today.",
            ));
        }
        return Ok((from.date(), last, "custom".into()));
    }
    let days: u32 = match key {
        "" => default,
        "7" | "30" | "90" | "365" => key.parse().expect("listed"),
        _ => return Err(AppError::invalid("range", "Choose 7, 30, 90 or 365 days.")),
    };
    Ok((
        today - Duration::days(days as i64 - 1),
        today,
        days.to_string(),
    ))
}

/// The span a page shows: the user's zone, their today, and the chosen range of days.
pub struct Span {
    pub tz: chrono_tz::Tz,
    pub today: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub key: String,
}

/// Resolves `?range=` (no custom dates) for a page in the user's zone.
pub fn span(timezone: &str, range: Option<&str>, default: u32) -> Result<Span, AppError> {
    let tz = crate::health::local_time::zone(timezone);
    let today = crate::health::local_time::today(tz);
    let q = RangeQuery {
        range: range.map(str::to_string),
        ..Default::default()
    };
    let (from, to, key) = resolve_range(&q, today, default)?;
    Ok(Span {
        tz,
        today,
        from,
        to,
        key,
    })
}

/// "Today", "Yesterday", or "Tue 25 Nov" (with the year when it is not this year's).
pub fn when_label(date: NaiveDate, today: NaiveDate) -> String {
    if date == today {
        "Today".into()
    } else if date + Duration::days(1) == today {
        "Yesterday".into()
    } else {
        day_label(date, today)
    }
}

pub fn day_label(date: NaiveDate, today: NaiveDate) -> String {
    if date.year() == today.year() {
        date.format("%a %-d %b").to_string()
    } else {
        date.format("%a %-d %b %Y").to_string()
    }
}

/// Short x-axis label: "25 Nov" (or "Nov 25" style month for long ranges).
pub fn axis_label(date: NaiveDate, span_days: i64) -> String {
    if span_days > 120 {
        date.format("%b %y").to_string()
    } else if span_days > 8 {
        date.format("%-d %b").to_string()
    } else {
        date.format("%a").to_string()
    }
}

/// "7 h 32 min" from hours.
pub fn hours_minutes(hours: f64) -> String {
    let total = (hours * 60.0).round() as i64;
    let (h, m) = (total / 60, total % 60);
    if h == 0 {
        format!("{m} min")
    } else {
        format!("{h} h {m:02} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_resolve_or_explain() {
        let today = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let q = RangeQuery {
            range: Some("7".into()),
            ..Default::default()
        };
        let (from, to, key) = resolve_range(&q, today, 30).unwrap();
        assert_eq!(
            (from, to, key.as_str()),
            (NaiveDate::from_ymd_opt(2025, 6, 24).unwrap(), today, "7")
        );
        let q = RangeQuery {
            range: Some("custom".into()),
            from: Some("2025-06-10".into()),
            to: Some("2025-06-01".into()),
        };
        assert_eq!(
            resolve_range(&q, today, 30)
                .unwrap_err()
                .for_field("to")
                .as_deref(),
            Some("The end date is before the start date.")
        );
        let q = RangeQuery {
            range: Some("12".into()),
            ..Default::default()
        };
        assert!(resolve_range(&q, today, 30).is_err());
        // Dates at chrono's edges are refused in words, never computed with.
        for (from, to, field) in [
            ("%2B262142-12-31", "2025-06-01", "from"),
            ("+262142-12-31", "+262142-12-31", "from"),
            ("2025-06-01", "-262143-01-02", "to"),
            ("9999-01-01", "9999-12-31", "from"),
            ("2100-01-01", "2100-01-31", "from"),
        ] {
            let q = RangeQuery {
                range: Some("custom".into()),
                from: Some(from.into()),
                to: Some(to.into()),
            };
            let err = resolve_range(&q, today, 30).unwrap_err();
            assert!(err.for_field(field).is_some(), "{from} {to}: {err:?}");
        }
        assert_eq!(hours_minutes(7.5), "7 h 30 min");
        assert_eq!(when_label(today, today), "Today");
    }
}
