//! Reading the wellness forms' fields on the server: local dates, bounded text, tags and
//! 1–5 scores, each failing with a message for its own field.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use crate::dates::{DateError, Day, Month};
use crate::error::AppError;
use crate::health::local_time;

/// A local date typed into a form; empty means today. Dates after today (the user's today) or
/// before 1900 are refused.
pub fn local_date(field: &str, raw: &str, tz: Tz) -> Result<NaiveDate, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return past_day(field, None, tz);
    }
    let day = Day::parse(raw).map_err(|e| {
        AppError::invalid(
            field,
            match e {
                DateError::TooLate => "That date is in the future.",
                DateError::TooEarly => TOO_EARLY,
                DateError::Malformed => e.form_message(),
            },
        )
    })?;
    past_day(field, Some(day.date()), tz)
}

const TOO_EARLY: &str = "That date is too far in the past.";

/// A day sent as a date (the API), by the rules of [`local_date`]: absent means today.
pub fn past_day(field: &str, day: Option<NaiveDate>, tz: Tz) -> Result<NaiveDate, AppError> {
    let today = local_time::today(tz);
    let Some(date) = day else {
        return Ok(today);
    };
    if date > today {
        return Err(AppError::invalid(field, "That date is in the future."));
    }
    if date < Day::FIRST.date() {
        return Err(AppError::invalid(field, TOO_EARLY));
    }
    Ok(date)
}

/// A date from a query (a filter); `None` when empty or malformed, and never more than a year
/// ahead.
pub fn query_date(raw: Option<&str>) -> Option<Day> {
    let d = Day::parse(raw?).ok()?;
    (d.date() < chrono::Utc::now().date_naive() + Duration::days(366)).then_some(d)
}

/// The month a calendar shows, from a query: `YYYY-MM` (or a day of it, `YYYY-MM-DD`, as the
/// calendars' own links name it); `None` when empty or malformed.
pub fn query_month(raw: Option<&str>) -> Option<Month> {
    Month::parse_or_day(raw?).ok()
}

/// Trimmed text of at most `max` characters; `None` when empty.
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<Option<String>, AppError> {
    let t = raw.trim();
    if t.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!(
                "Keep it under {max} characters (this has {}).",
                t.chars().count()
            ),
        ));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

/// Text that must be there.
pub fn required_text(field: &str, raw: &str, max: usize, what: &str) -> Result<String, AppError> {
    optional_text(field, raw, max)?
        .ok_or_else(|| AppError::invalid(field, format!("Enter {what}.")))
}

/// Tags typed as "work, family run": split on commas, lower-cased, spaces inside a tag become
/// dashes, duplicates dropped; at most 20 tags of 32 characters (letters, digits, `-`, `_`).
pub fn tags(field: &str, raw: &str) -> Result<Vec<String>, AppError> {
    normalised_tags(field, raw.split(TAG_SEPARATORS))
}

/// Tags sent as a list (the API): each is read as if typed, by the same rules as [`tags`].
pub fn tag_list(field: &str, list: &[String]) -> Result<Vec<String>, AppError> {
    normalised_tags(field, list.iter().flat_map(|t| t.split(TAG_SEPARATORS)))
}

const TAG_SEPARATORS: [char; 3] = [',', '#', '\n'];

fn normalised_tags<'a>(
    field: &str,
    parts: impl Iterator<Item = &'a str>,
) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        let tag = part
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
            .to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > 32 {
            return Err(AppError::invalid(
                field,
                "Keep each tag under 32 characters.",
            ));
        }
        if !tag
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(AppError::invalid(
                field,
                "Tags use letters, digits, - and _; separate them with commas.",
            ));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > 20 {
        return Err(AppError::invalid(field, "Use at most 20 tags."));
    }
    Ok(out)
}

/// The scale of moods, energy and stress ratings.
pub const SCALE: std::ops::RangeInclusive<i64> = 1..=5;

/// A 1–5 rating typed into a form; empty is `None` unless `required`.
pub fn score(field: &str, raw: &str, what: &str, required: bool) -> Result<Option<u8>, AppError> {
    let t = raw.trim();
    if t.is_empty() {
        return level(field, None, what, required);
    }
    match t.parse::<i64>() {
        Ok(n) => level(field, Some(n), what, required),
        Err(_) => Err(out_of_scale(field, what)),
    }
}

/// A 1–5 rating sent as a number (the API); absent is `None` unless `required`.
pub fn level(
    field: &str,
    value: Option<i64>,
    what: &str,
    required: bool,
) -> Result<Option<u8>, AppError> {
    match value {
        None if required => Err(AppError::invalid(field, format!("Choose {what}."))),
        None => Ok(None),
        Some(n) if SCALE.contains(&n) => Ok(Some(n as u8)),
        Some(_) => Err(out_of_scale(field, what)),
    }
}

fn out_of_scale(field: &str, what: &str) -> AppError {
    AppError::invalid(
        field,
        format!("Choose {what} from {} to {}.", SCALE.start(), SCALE.end()),
    )
}

/// A whole number within `range`.
pub fn whole_number(
    field: &str,
    raw: &str,
    range: std::ops::RangeInclusive<i64>,
    what: &str,
) -> Result<i64, AppError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(AppError::invalid(field, format!("Enter {what}.")));
    }
    let n = t
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| AppError::invalid(field, format!("Enter {what} as a number.")))?
        .round() as i64;
    if !range.contains(&n) {
        return Err(AppError::invalid(
            field,
            format!(
                "Enter {what} between {} and {}.",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            tags("tags", "Work, family time,#run, work").unwrap(),
            vec!["work", "family-time", "run"]
        );
        assert!(tags("tags", "<script>").is_err());
        assert_eq!(tags("tags", " , ").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn dates_in_the_future_are_refused() {
        let tz = chrono_tz::UTC;
        let tomorrow = local_time::today(tz) + Duration::days(1);
        let err = local_date("date", &tomorrow.to_string(), tz).unwrap_err();
        assert_eq!(
            err.for_field("date").as_deref(),
            Some("That date is in the future.")
        );
        assert_eq!(local_date("date", "", tz).unwrap(), local_time::today(tz));
        assert!(local_date("date", "1850-01-01", tz).is_err());
        assert!(local_date("date", "31/12/2024", tz).is_err());
    }

    #[test]
    fn dates_at_the_edge_of_chrono_are_refused_in_words() {
        let tz = chrono_tz::UTC;
        for (raw, message) in [
            ("-262143-01-02", "Use a date like 2025-06-30."),
            ("+262142-12-31", "Use a date like 2025-06-30."),
            ("9999-12-31", "That date is in the future."),
            ("1899-12-31", "That date is too far in the past."),
        ] {
            let err = local_date("date", raw, tz).unwrap_err();
            assert_eq!(err.for_field("date").as_deref(), Some(message), "{raw}");
        }
        assert_eq!(query_date(Some("-262143-01-02")), None);
        assert_eq!(query_month(Some("-262143-01")), None);
        assert_eq!(query_month(Some("+262142-12")), None);
        assert_eq!(
            query_month(Some("2025-06-01")).map(|m| m.to_string()),
            Some("2025-06".to_string())
        );
        assert_eq!(
            query_month(Some("2025-06")).map(|m| m.to_string()),
            Some("2025-06".to_string())
        );
    }

    #[test]
    fn scores_and_numbers() {
        assert_eq!(score("s", "4", "a mood", true).unwrap(), Some(4));
        assert!(score("s", "6", "a mood", true).is_err());
        assert!(score("s", "", "a mood", true).is_err());
        assert_eq!(score("s", "", "energy", false).unwrap(), None);
        assert_eq!(
            whole_number("n", "250", 1..=5000, "an amount").unwrap(),
            250
        );
        assert!(whole_number("n", "0", 1..=5000, "an amount").is_err());
    }
}
