//! Journal entries in the database, and the one set of rules an entry must meet, shared by the
//! journal's form and the REST API.

use chrono::{DateTime, NaiveDate, Utc};

use super::MOOD_LABELS;
use crate::error::AppError;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::wellness::form;
use crate::with_db;

/// A stored entry.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EntryRow {
    pub id: String,
    pub title: Option<String>,
    pub body: String,
    pub mood_score: Option<f64>,
    pub mood_label: Option<String>,
    pub gratitude: sqlx::types::Json<Vec<String>>,
    pub tags: sqlx::types::Json<Vec<String>>,
    pub entry_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const COLUMNS: &str = "id, title, body, mood_score, mood_label, gratitude, tags, entry_date, \
                           created_at, updated_at";

/// What an entry holds, checked.
#[derive(Clone, Debug)]
pub struct EntryFields {
    pub title: Option<String>,
    pub body: String,
    pub mood_score: Option<u8>,
    pub mood_label: Option<String>,
    pub gratitude: Vec<String>,
    pub tags: Vec<String>,
    pub entry_date: NaiveDate,
}

/// An entry as typed: `tags` comma-separated, `gratitude` as lines, dates as `YYYY-MM-DD` in
/// the writer's zone (empty for today).
pub struct EntryDraft<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub mood_score: &'a str,
    pub mood_label: Option<&'a str>,
    pub gratitude: &'a [String],
    pub tags: &'a str,
    pub entry_date: &'a str,
}

impl EntryDraft<'_> {
    /// Checks every field against the journal's rules (the first problem is reported).
    pub fn check(&self, tz: chrono_tz::Tz) -> Result<EntryFields, AppError> {
        let title = form::optional_text("title", self.title, 200)?;
        let body = form::required_text("body", self.body, 50_000, "what is on your mind")?;
        let mood_score = form::score("mood_score", self.mood_score, "a mood", false)?;
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
        if gratitude.len() > 10 || gratitude.iter().any(|g| g.chars().count() > 200) {
            return Err(AppError::invalid(
                "gratitude",
                "Up to 10 lines of at most 200 characters each.",
            ));
        }
        Ok(EntryFields {
            title,
            body,
            mood_score,
            mood_label,
            gratitude,
            tags: form::tags("tags", self.tags)?,
            entry_date: form::local_date("entry_date", self.entry_date, tz)?,
        })
    }
}

/// One of the user's own entries; another person's id is "not found".
pub async fn own_entry(db: &Db, user_id: &str, id: &str) -> Result<EntryRow, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM journal_entries WHERE id = $1 AND user_id = $2");
    let row: Option<EntryRow> = with_db!(db, pool => sqlx::query_as(&sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    row.ok_or_else(|| AppError::NotFound("That journal entry does not exist (any more).".into()))
}

/// Stores a new entry and returns its id.
pub async fn insert(db: &Db, user_id: &str, f: &EntryFields) -> Result<String, AppError> {
    let id = new_id();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO journal_entries (id, user_id, title, body, mood_score, mood_label, gratitude, tags, entry_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)")
        .bind(&id)
        .bind(user_id)
        .bind(&f.title)
        .bind(&f.body)
        .bind(f.mood_score.map(f64::from))
        .bind(&f.mood_label)
        .bind(sqlx::types::Json(&f.gratitude))
        .bind(sqlx::types::Json(&f.tags))
        .bind(f.entry_date)
        .bind(Utc::now())
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Replaces an entry's fields.
pub async fn update(db: &Db, user_id: &str, id: &str, f: &EntryFields) -> Result<(), AppError> {
    let changed = with_db!(db, pool => sqlx::query(
        "UPDATE journal_entries SET title = $1, body = $2, mood_score = $3, mood_label = $4, gratitude = $5, \
         tags = $6, entry_date = $7, updated_at = $8 WHERE id = $9 AND user_id = $10")
        .bind(&f.title)
        .bind(&f.body)
        .bind(f.mood_score.map(f64::from))
        .bind(&f.mood_label)
        .bind(sqlx::types::Json(&f.gratitude))
        .bind(sqlx::types::Json(&f.tags))
        .bind(f.entry_date)
        .bind(Utc::now())
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Err(AppError::NotFound(
            "That journal entry does not exist (any more).".into(),
        ));
    }
    Ok(())
}

/// Deletes an entry; false when there was none.
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let done = with_db!(db, pool => sqlx::query("DELETE FROM journal_entries WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}
