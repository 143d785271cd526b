//! Reading the wellness forms' fields on the server: local dates, bounded text, tags and
//! 1–5 scores, each failing with a message for its own field.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use crate::error::AppError;
use crate::health::local_time;

/// A local date typed into a form; empty means today. Dates after today (the user's today) or
/// before 1900 are refused.
pub fn local_date(field: &str, raw: &str, tz: Tz) -> Result<NaiveDate, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return past_day(field, None, tz);
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "Use a date like 2025-06-30."))?;
    past_day(field, Some(date), tz)
}

/// A day sent as a date (the API), by the rules of [`local_date`]: absent means today.
pub fn past_day(field: &str, day: Option<NaiveDate>, tz: Tz) -> Result<NaiveDate, AppError> {
    let today = local_time::today(tz);
    let Some(date) = day else {
        return Ok(today);
    };
    if date > today {
        return Err(AppError::invalid(field, "That date is in the future."));
    }
    if date < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid") {
        return Err(AppError::invalid(
            field,
            "That date is too far in the past.",
        ));
    }
    Ok(date)
}

/// A date from a query (calendar month, filter); `None` when empty or malformed, and never
/// more than a year ahead.
pub fn query_date(raw: Option<&str>) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(raw?.trim(), "%Y-%m-%d").ok()?;
    (d < chrono::Utc::now().date_naive() + Duration::days(366)).then_some(d)
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
