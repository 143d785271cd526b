//! The rules a journal entry must meet, written once and applied to what each face sends: the
//! entry form's text fields ([`EntryForm`]) and the REST API's typed JSON ([`NewEntry`]). Only
//! the fields the two hold in different shapes (the score, the tags, the day) are read apart,
//! each by the form's reader for that shape; every other rule, and the order in which problems
//! are reported, is shared (`Read::check`). Field names are the form's; the REST API reports
//! them in camelCase (`mood_score` → `moodScore`).

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::repo::EntryFields;
use super::MOOD_LABELS;
use crate::error::AppError;
use crate::wellness::form;

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 50_000;
const GRATITUDE_LINES: usize = 10;
const GRATITUDE_LINE_MAX: usize = 200;
/// What the 1–5 score rates, as its messages name it.
const MOOD: &str = "a mood";
const MOOD_SCORE: &str = "mood_score";
const TAGS: &str = "tags";
const ENTRY_DATE: &str = "entry_date";

/// An entry as typed into the journal's form: `tags` comma-separated, `gratitude` as lines,
/// the day as `YYYY-MM-DD` in the writer's zone (empty for today).
pub struct EntryForm<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub mood_score: &'a str,
    pub mood_label: Option<&'a str>,
    pub gratitude: &'a [String],
    pub tags: &'a str,
    pub entry_date: &'a str,
}

impl EntryForm<'_> {
    /// Reads the typed text and checks every field (the first problem is reported).
    pub fn check(&self, tz: Tz) -> Result<EntryFields, AppError> {
        Read {
            title: self.title,
            body: self.body,
            mood_score: form::score(MOOD_SCORE, self.mood_score, MOOD, false),
            mood_label: self.mood_label,
            gratitude: self.gratitude,
            tags: form::tags(TAGS, self.tags),
            entry_date: form::local_date(ENTRY_DATE, self.entry_date, tz),
        }
        .check()
    }
}

/// An entry sent as typed values (the REST API): the score a number, the tags a list, the day
/// a date in the writer's zone (today when absent).
pub struct NewEntry<'a> {
    pub title: Option<&'a str>,
    pub body: &'a str,
    pub mood_score: Option<u8>,
    pub mood_label: Option<&'a str>,
    pub gratitude: &'a [String],
    pub tags: &'a [String],
    pub entry_date: Option<NaiveDate>,
}

impl NewEntry<'_> {
    /// Checks every field by the form's rules (the first problem is reported, in the form's
    /// order, with the form's message).
    pub fn check(&self, tz: Tz) -> Result<EntryFields, AppError> {
        Read {
            title: self.title.unwrap_or(""),
            body: self.body,
            mood_score: form::level(MOOD_SCORE, self.mood_score.map(i64::from), MOOD, false),
            mood_label: self.mood_label,
            gratitude: self.gratitude,
            tags: form::tag_list(TAGS, self.tags),
            entry_date: form::past_day(ENTRY_DATE, self.entry_date, tz),
        }
        .check()
    }
}

/// An entry once a face has read the fields it holds in its own shape (each with the problem
/// found reading it, if any); the remaining fields are still as sent.
struct Read<'a> {
    title: &'a str,
    body: &'a str,
    mood_score: Result<Option<u8>, AppError>,
    mood_label: Option<&'a str>,
    gratitude: &'a [String],
    tags: Result<Vec<String>, AppError>,
    entry_date: Result<NaiveDate, AppError>,
}

impl Read<'_> {
    /// Every rule, field by field in the form's order; the first problem is reported.
    fn check(self) -> Result<EntryFields, AppError> {
        let title = form::optional_text("title", self.title, TITLE_MAX)?;
        let body = form::required_text("body", self.body, BODY_MAX, "what is on your mind")?;
        let mood_score = self.mood_score?;
        let mood_label = self
            .mood_label
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string);
        if let Some(l) = &mood_label {
            if !MOOD_LABELS.contains(&l.as_str()) {
                return Err(AppError::invalid(
                    "mood_label",
                    format!(
                        "Choose a feeling from the list: {}.",
                        MOOD_LABELS.join(", ")
                    ),
                ));
            }
        }
        let gratitude: Vec<String> = self
            .gratitude
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if gratitude.len() > GRATITUDE_LINES
            || gratitude
                .iter()
                .any(|g| g.chars().count() > GRATITUDE_LINE_MAX)
        {
            return Err(AppError::invalid(
                "gratitude",
                format!(
                    "Up to {GRATITUDE_LINES} lines of at most {GRATITUDE_LINE_MAX} characters each."
                ),
            ));
        }
        Ok(EntryFields {
            title,
            body,
            mood_score,
            mood_label,
            gratitude,
            tags: self.tags?,
            entry_date: self.entry_date?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::local_time;

    fn sent<'a>(body: &'a str, tags: &'a [String]) -> NewEntry<'a> {
        NewEntry {
            title: None,
            body,
            mood_score: None,
            mood_label: None,
            gratitude: &[],
            tags,
            entry_date: None,
        }
    }

    #[test]
    fn both_faces_read_the_same_entry_alike() {
        let tz = chrono_tz::UTC;
        let day = local_time::today(tz) - chrono::Duration::days(2);
        let day_text = day.to_string();
        let typed = EntryForm {
            title: " Walk ",
            body: "Out by the river.",
            mood_score: "4",
            mood_label: Some("calm"),
            gratitude: &["sun".to_string(), " ".to_string()],
            tags: "Outdoors, family time",
            entry_date: &day_text,
        }
        .check(tz)
        .unwrap();
        let tags = ["Outdoors".to_string(), "family time".to_string()];
        let json = NewEntry {
            title: Some(" Walk "),
            mood_score: Some(4),
            mood_label: Some("calm"),
            gratitude: &["sun".to_string(), " ".to_string()],
            entry_date: Some(day),
            ..sent("Out by the river.", &tags)
        }
        .check(tz)
        .unwrap();
        for f in [&typed, &json] {
            assert_eq!(f.title.as_deref(), Some("Walk"));
            assert_eq!(f.mood_score, Some(4));
            assert_eq!(f.gratitude, vec!["sun"]);
            assert_eq!(f.tags, vec!["outdoors", "family-time"]);
            assert_eq!(f.entry_date, day);
        }
    }

    #[test]
    fn the_first_problem_is_reported_with_the_forms_message() {
        let tz = chrono_tz::UTC;
        let tomorrow = local_time::today(tz) + chrono::Duration::days(1);
        let err = NewEntry {
            mood_score: Some(9),
            entry_date: Some(tomorrow),
            ..sent(" ", &[])
        }
        .check(tz)
        .unwrap_err();
        assert_eq!(
            err.for_field("body").as_deref(),
            Some("Enter what is on your mind.")
        );
        let err = NewEntry {
            mood_score: Some(9),
            ..sent("x", &[])
        }
        .check(tz)
        .unwrap_err();
        assert_eq!(
            err.for_field("mood_score").as_deref(),
            Some("Choose a mood from 1 to 5.")
        );
        let err = NewEntry {
            entry_date: Some(tomorrow),
            ..sent("x", &[])
        }
        .check(tz)
        .unwrap_err();
        assert_eq!(
            err.for_field("entry_date").as_deref(),
            Some("That date is in the future.")
        );
        let err = NewEntry {
            entry_date: NaiveDate::from_ymd_opt(1850, 1, 1),
            ..sent("x", &[])
        }
        .check(tz)
        .unwrap_err();
        assert_eq!(
            err.for_field("entry_date").as_deref(),
            Some("That date is too far in the past.")
        );
    }
}
