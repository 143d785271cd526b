//! Mood rows in the database.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::health::local_time;
use crate::platform::db::Db;
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
