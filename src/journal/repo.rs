//! Journal entries in the database. The rules an entry must meet before it is stored are in
//! the journal's service.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::AppError;
use crate::platform::db::seek::DaySeek;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
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

/// What an entry holds, checked (by [`super::service`]).
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

/// `%word%` for LIKE, with the wildcards of the word itself escaped.
fn like(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}

/// The LIKE pattern that finds `tag` (already lower-case) in the JSON text of `tags`: the
/// quotes make it match whole tags only.
fn tag_like(tag: &str) -> String {
    like(&format!("\"{tag}\""))
}

/// (id, title, body, feeling, tags, day) of an entry in the journal list.
pub type ListRow = (
    String,
    Option<String>,
    String,
    Option<String>,
    sqlx::types::Json<Vec<String>>,
    NaiveDate,
);

/// (id, title, day, feeling, tags) of every entry, for the side panels.
pub type SummaryRow = (
    String,
    Option<String>,
    NaiveDate,
    Option<String>,
    sqlx::types::Json<Vec<String>>,
);

/// A value for one of the list's filter placeholders, in placeholder order.
enum Bind {
    Text(String),
    Date(NaiveDate),
}

/// The journal list: at most `limit` of the person's entries from `offset`, newest day first
/// (then newest written), plus how many entries match the filters in all. Filters: every word
/// of `q` (the first 8, so the statement stays small) in the title or body, the tag (lower-case,
/// empty for any), the day.
pub async fn list(
    db: &Db,
    user_id: &str,
    q: &str,
    tag: &str,
    date: Option<NaiveDate>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let mut sql = String::from(" FROM journal_entries WHERE user_id = $1");
    let mut binds: Vec<Bind> = Vec::new();
    for word in q.split_whitespace().take(8) {
        binds.push(Bind::Text(like(word)));
        let n = binds.len() + 1;
        sql.push_str(&format!(
            " AND (LOWER(COALESCE(title, '')) LIKE ${n} ESCAPE '\\' OR LOWER(body) LIKE ${n} ESCAPE '\\')"
        ));
    }
    if !tag.is_empty() {
        binds.push(Bind::Text(tag_like(tag)));
        sql.push_str(&format!(
            " AND CAST(tags AS TEXT) LIKE ${} ESCAPE '\\'",
            binds.len() + 1
        ));
    }
    if let Some(d) = date {
        binds.push(Bind::Date(d));
        sql.push_str(&format!(" AND entry_date = ${}", binds.len() + 1));
    }
    let list_sql = format!(
        "SELECT id, title, body, mood_label, tags, entry_date{sql} ORDER BY entry_date DESC, created_at DESC, id DESC LIMIT {limit} OFFSET {offset}"
    );
    let count_sql = format!("SELECT COUNT(*){sql}");
    with_db!(db, pool => {
        let mut list = sqlx::query_as(&list_sql).bind(user_id);
        let mut count = sqlx::query_scalar(&count_sql).bind(user_id);
        for b in &binds {
            match b {
                Bind::Text(s) => { list = list.bind(s); count = count.bind(s); }
                Bind::Date(d) => { list = list.bind(*d); count = count.bind(*d); }
            }
        }
        match (list.fetch_all(pool).await, count.fetch_one(pool).await) {
            (Ok(l), Ok(c)) => Ok((l, c)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    })
}

/// A few fields of every one of the person's entries (in no particular order): everything the
/// journal's side panels (calendar, streaks, "on this day", moods, tags) need, in one small query.
pub async fn summary(db: &Db, user_id: &str) -> Result<Vec<SummaryRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
            "SELECT id, title, entry_date, mood_label, tags FROM journal_entries WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(pool)
            .await)
}

/// A page of the person's entries for the REST API: days in `seek.from..=seek.to`, with `tag`
/// (lower-case, empty for any), older than the cursor, newest day first, at most `seek.fetch`.
pub async fn page(
    db: &Db,
    user_id: &str,
    tag: &str,
    seek: &DaySeek,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    let tag_pattern = if tag.is_empty() {
        String::new()
    } else {
        tag_like(tag)
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM journal_entries WHERE user_id = $1 AND entry_date >= $2 AND entry_date <= $3 \
           AND ($4 = '' OR CAST(tags AS TEXT) LIKE $4 ESCAPE '\\') \
           AND (entry_date < $5 OR (entry_date = $5 AND id < $6)) \
         ORDER BY entry_date DESC, id DESC LIMIT $7"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(user_id)
        .bind(seek.from)
        .bind(seek.to)
        .bind(&tag_pattern)
        .bind(seek.before_day)
        .bind(&seek.before_id)
        .bind(seek.fetch)
        .fetch_all(pool)
        .await)
}
