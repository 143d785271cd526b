//! The health data other apps read through the REST API: sessions, personal records and daily
//! rollups, each scoped to one person.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;

use crate::platform::db::seek::TimeSeek;
use crate::platform::db::Db;
use crate::with_db;

/// A stored session (workout, sleep or activity).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub provider_id: String,
    pub provider_event_id: String,
    pub event_type: String,
    pub activity_type: Option<String>,
    pub title: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub distance_meters: Option<f64>,
    pub calories_kcal: Option<f64>,
    pub avg_heart_rate: Option<i64>,
    pub max_heart_rate: Option<i64>,
    pub data: Option<Json<serde_json::Value>>,
}

const EVENT_COLUMNS: &str =
    "id, provider_id, provider_event_id, event_type, activity_type, title, \
     started_at, ended_at, CAST(duration_seconds AS BIGINT) AS duration_seconds, distance_meters, \
     calories_kcal, CAST(avg_heart_rate AS BIGINT) AS avg_heart_rate, \
     CAST(max_heart_rate AS BIGINT) AS max_heart_rate, data";

/// Which sessions a list holds; an empty filter matches every value.
#[derive(Debug, Default, Clone, Copy)]
pub struct EventFilter<'a> {
    pub event_type: &'a str,
    pub activity_type: &'a str,
    pub provider_id: &'a str,
}

/// A page of the person's sessions by start, newest first.
pub async fn events(
    db: &Db,
    user_id: &str,
    filter: EventFilter<'_>,
    seek: &TimeSeek,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE user_id = $1 \
           AND ($2 = '' OR event_type = $2) AND ($3 = '' OR activity_type = $3) \
           AND ($4 = '' OR provider_id = $4) AND started_at >= $5 AND started_at < $6 \
           AND (started_at < $7 OR (started_at = $7 AND id < $8)) \
         ORDER BY started_at DESC, id DESC LIMIT $9"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(user_id)
        .bind(filter.event_type)
        .bind(filter.activity_type)
        .bind(filter.provider_id)
        .bind(seek.from)
        .bind(seek.to)
        .bind(seek.before_at)
        .bind(&seek.before_id)
        .bind(seek.fetch)
        .fetch_all(pool)
        .await)
}

/// One of the person's sessions.
pub async fn event(db: &Db, user_id: &str, id: &str) -> Result<Option<EventRow>, sqlx::Error> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1 AND user_id = $2");
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}

/// A personal best.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordRow {
    pub metric_type: String,
    pub category: String,
    pub value: f64,
    pub unit: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub provider_id: String,
}

/// Every personal record of the person, by metric and category.
pub async fn records(db: &Db, user_id: &str) -> Result<Vec<RecordRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT metric_type, category, value, unit, recorded_at, provider_id FROM personal_records \
         WHERE user_id = $1 ORDER BY metric_type, category")
        .bind(user_id)
        .fetch_all(pool)
        .await)
}

/// One metric on one local day from one provider.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RollupRow {
    pub local_date: NaiveDate,
    pub metric_type: String,
    pub provider_id: String,
    pub sample_count: i64,
    pub value_sum: Option<f64>,
    pub value_min: Option<f64>,
    pub value_max: Option<f64>,
    pub value_last: Option<f64>,
}

/// Where a page of rollups resumes: after this (day, metric, provider).
pub type RollupKey = (NaiveDate, String, String);

/// Daily rollups on local days `from..=to`, in (day, metric, provider) order after `after`;
/// an empty metric or provider matches all.
pub async fn rollups(
    db: &Db,
    user_id: &str,
    (metric, provider): (&str, &str),
    (from, to): (NaiveDate, NaiveDate),
    after: RollupKey,
    limit: i64,
) -> Result<Vec<RollupRow>, sqlx::Error> {
    let (a_date, a_metric, a_provider) = after;
    let sql = "SELECT local_date, metric_type, provider_id, CAST(sample_count AS BIGINT) AS sample_count, \
               value_sum, value_min, value_max, value_last FROM daily_rollups \
               WHERE user_id = $1 AND ($2 = '' OR metric_type = $2) AND ($3 = '' OR provider_id = $3) \
                 AND local_date >= $4 AND local_date <= $5 \
                 AND (local_date, metric_type, provider_id) > ($6, $7, $8) \
               ORDER BY local_date, metric_type, provider_id LIMIT $9";
    with_db!(db, pool => sqlx::query_as(sql)
        .bind(user_id)
        .bind(metric)
        .bind(provider)
        .bind(from)
        .bind(to)
        .bind(a_date)
        .bind(a_metric)
        .bind(a_provider)
        .bind(limit)
        .fetch_all(pool)
        .await)
}
