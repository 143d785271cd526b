//! Hand-entered measurements in the database: the rows of provider `manual` in
//! `health_metrics`. Writes go through the ingest path (so rules and dedup match imported
//! data); only the reads the measurements screen needs live here.

use chrono::{DateTime, Utc};

use crate::platform::db::Db;
use crate::with_db;

/// One hand-entered reading as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EntryRow {
    pub id: String,
    pub metric_type: String,
    /// Absent for readings kept in `data` (blood pressure).
    pub value: Option<f64>,
    /// Blood pressure's `systolic`, `diastolic` and `pulse`.
    pub data: Option<sqlx::types::Json<serde_json::Value>>,
    pub recorded_at: DateTime<Utc>,
}

/// The person's manual readings, newest first, `limit` from `offset` (ties broken by id so
/// pages neither skip nor repeat a row).
pub async fn page(
    db: &Db,
    user_id: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, metric_type, value, data, recorded_at FROM health_metrics \
         WHERE user_id = $1 AND provider_id = 'manual' ORDER BY recorded_at DESC, id DESC LIMIT $2 OFFSET $3")
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)
}

/// The metric of one of the person's own manual readings; `None` for another person's id,
/// an imported reading's id or one that is gone, so nobody edits what they did not type.
pub async fn manual_metric(
    db: &Db,
    user_id: &str,
    id: &str,
) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT metric_type FROM health_metrics WHERE id = $1 AND user_id = $2 AND provider_id = 'manual'")
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}
