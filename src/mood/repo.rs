//! Mood rows in the database.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::mood_word;
use crate::error::AppError;
use crate::health::local_time;
use crate::platform::db::seek::TimeSeek;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MoodRow {
    pub id: String,
    pub score: f64,
    pub energy_level: Option<f64>,
    pub stress_level: Option<f64>,
    pub tags: sqlx::types::Json<Vec<String>>,
    pub notes: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// Entries recorded on local days `from..=to`, oldest first.
pub async fn rows(
    db: &Db,
    user_id: &str,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MoodRow>, sqlx::Error> {
    let (start, end) = local_time::day_range(from, to, tz);
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, score, energy_level, stress_level, tags, notes, recorded_at FROM mood_logs \
         WHERE user_id = $1 AND recorded_at >= $2 AND recorded_at < $3 ORDER BY recorded_at, id")
        .bind(user_id)
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await)
}

const COLUMNS: &str = "id, score, energy_level, stress_level, tags, notes, recorded_at";

/// A page of the person's check-ins, newest first.
pub async fn page(db: &Db, user_id: &str, seek: &TimeSeek) -> Result<Vec<MoodRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM mood_logs WHERE user_id = $1 AND recorded_at >= $2 AND recorded_at < $3 \
           AND (recorded_at < $4 OR (recorded_at = $4 AND id < $5)) \
         ORDER BY recorded_at DESC, id DESC LIMIT $6"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(user_id)
        .bind(seek.from)
        .bind(seek.to)
        .bind(seek.before_at)
        .bind(&seek.before_id)
        .bind(seek.fetch)
        .fetch_all(pool)
        .await)
}

/// One check-in by id.
pub async fn get(db: &Db, user_id: &str, id: &str) -> Result<Option<MoodRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM mood_logs WHERE id = $1 AND user_id = $2");
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(user_id).fetch_optional(pool).await)
}

/// The newest entries, `limit` from `offset`.
pub async fn recent(
    db: &Db,
    user_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<MoodRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, score, energy_level, stress_level, tags, notes, recorded_at FROM mood_logs \
         WHERE user_id = $1 ORDER BY recorded_at DESC, id DESC LIMIT $2 OFFSET $3")
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)
}

/// Per local day: (mean mood, mean energy, mean stress, entries).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DayMood {
    pub mood: f64,
    pub energy: Option<f64>,
    pub stress: Option<f64>,
    pub count: usize,
}

pub fn by_day(rows: &[MoodRow], tz: Tz) -> BTreeMap<NaiveDate, DayMood> {
    let mut acc: BTreeMap<NaiveDate, (f64, usize, f64, usize, f64, usize)> = BTreeMap::new();
    for r in rows {
        let e = acc
            .entry(local_time::local_date(r.recorded_at, tz))
            .or_default();
        e.0 += r.score;
        e.1 += 1;
        if let Some(v) = r.energy_level {
            e.2 += v;
            e.3 += 1;
        }
        if let Some(v) = r.stress_level {
            e.4 += v;
            e.5 += 1;
        }
    }
    acc.into_iter()
        .map(|(d, (m, n, e, ne, s, ns))| {
            (
                d,
                DayMood {
                    mood: m / n as f64,
                    energy: (ne > 0).then(|| e / ne as f64),
                    stress: (ns > 0).then(|| s / ns as f64),
                    count: n,
                },
            )
        })
        .collect()
}

pub async fn daily(
    db: &Db,
    user_id: &str,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, DayMood>, sqlx::Error> {
    Ok(by_day(&rows(db, user_id, tz, from, to).await?, tz))
}

/// A check-in, checked.
#[derive(Clone, Debug)]
pub struct MoodFields {
    /// 1 (awful) to 5 (great).
    pub score: u8,
    pub energy: Option<u8>,
    pub stress: Option<u8>,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// Stores a check-in and returns its id.
pub async fn insert(db: &Db, user_id: &str, f: &MoodFields) -> Result<String, AppError> {
    let id = new_id();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO mood_logs (id, user_id, score, energy_level, stress_level, mood, tags, factors, notes, recorded_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(&id)
        .bind(user_id)
        .bind(f64::from(f.score))
        .bind(f.energy.map(f64::from))
        .bind(f.stress.map(f64::from))
        .bind(mood_word(f.score))
        .bind(sqlx::types::Json(&f.tags))
        .bind(sqlx::types::Json(Vec::<String>::new()))
        .bind(&f.note)
        .bind(f.at)
        .bind(Utc::now())
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Removes one of the user's check-ins.
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), AppError> {
    let done = with_db!(db, pool => sqlx::query("DELETE FROM mood_logs WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(AppError::NotFound(
            "That mood entry no longer exists.".into(),
        ));
    }
    Ok(())
}
