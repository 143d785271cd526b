//! Small readers and writers of stored data that many stories share: a person's id by email,
//! their time zone, and one reading to ingest.

use chrono::{DateTime, Utc};
use vitasync::health::ingest::PointInput;
use vitasync::platform::db::Db;
use vitasync::with_db;

/// The id of the person with this email.
pub async fn user_id(db: &Db, email: &str) -> String {
    with_db!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await)
    .expect("user exists")
}

/// Moves a person to another time zone.
pub async fn set_timezone(db: &Db, user: &str, tz: &str) {
    with_db!(db, pool => sqlx::query("UPDATE users SET timezone = $1 WHERE id = $2")
        .bind(tz)
        .bind(user)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .expect("timezone set");
}

/// One reading of `metric` at `at`.
pub fn point(metric: &str, value: f64, at: DateTime<Utc>) -> PointInput {
    PointInput {
        metric_type: metric.into(),
        value: Some(value),
        unit: None,
        data: None,
        recorded_at: at,
    }
}
