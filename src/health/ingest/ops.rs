//! The steps of a write that read the same on both databases, run inside the caller's
//! transaction (the statements are identical; `with_db!` expands each for both backends).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;

use super::validate::EventRow;
use super::{IngestReport, Touched};
use crate::health::catalogue::{self, Aggregation, RecordRule};
use crate::platform::db::DbTx;
use crate::platform::ids::new_id;
use crate::with_db;

pub struct WriteCtx<'a> {
    pub user_id: &'a str,
    pub provider_id: &'a str,
    pub connection_id: Option<&'a str>,
    pub source: &'a str,
    pub now: DateTime<Utc>,
    /// Workout records are recomputed even without new events (events were deleted).
    pub events_removed: bool,
}

/// Removes one provider's rollups for a span of days, then rebuilds them from the stored points.
/// The "last" reading is found through the unique key at the day's latest instant. The instant
/// bounds ($7, $8: two days beyond the span, wider than any zone offset or night) let both
/// databases walk the unique key's range instead of every point of the metric.
const DELETE_ROLLUPS: &str = "DELETE FROM daily_rollups \
    WHERE user_id = $1 AND provider_id = $2 AND metric_type = $3 AND local_date BETWEEN $4 AND $5";
const REBUILD_ROLLUPS: &str = "INSERT INTO daily_rollups \
    (user_id, metric_type, local_date, provider_id, sample_count, value_sum, value_min, value_max, \
     value_last, last_at, aux_sum, aux_min, aux_max, updated_at) \
    SELECT $1, $3, g.local_date, $2, g.n, g.s, g.lo, g.hi, \
      (SELECT COALESCE(h.value, h.derived) FROM health_metrics h \
        WHERE h.user_id = $1 AND h.provider_id = $2 AND h.metric_type = $3 AND h.recorded_at = g.last_at), \
      g.last_at, g.s2, g.lo2, g.hi2, $6 \
    FROM (SELECT local_date, COUNT(*) AS n, SUM(COALESCE(value, derived)) AS s, \
                 MIN(COALESCE(value, derived)) AS lo, MAX(COALESCE(value, derived)) AS hi, \
                 MAX(recorded_at) AS last_at, SUM(derived2) AS s2, MIN(derived2) AS lo2, MAX(derived2) AS hi2 \
          FROM health_metrics \
          WHERE user_id = $1 AND provider_id = $2 AND metric_type = $3 AND local_date BETWEEN $4 AND $5 \
            AND recorded_at >= $7 AND recorded_at < $8 \
          GROUP BY local_date) g";

const UPSERT_EVENT: &str = "INSERT INTO events \
    (id, user_id, connection_id, provider_id, provider_event_id, event_type, activity_type, title, \
     started_at, ended_at, duration_seconds, distance_meters, calories_kcal, avg_heart_rate, \
     max_heart_rate, data, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
    ON CONFLICT (user_id, provider_id, provider_event_id) DO UPDATE SET \
     connection_id = excluded.connection_id, event_type = excluded.event_type, \
     activity_type = excluded.activity_type, title = excluded.title, started_at = excluded.started_at, \
     ended_at = excluded.ended_at, duration_seconds = excluded.duration_seconds, \
     distance_meters = excluded.distance_meters, calories_kcal = excluded.calories_kcal, \
     avg_heart_rate = excluded.avg_heart_rate, max_heart_rate = excluded.max_heart_rate, \
     data = excluded.data";

const UPSERT_RECORD: &str = "INSERT INTO personal_records \
    (id, user_id, metric_type, category, value, unit, recorded_at, provider_id, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
    ON CONFLICT (user_id, metric_type, category) DO UPDATE SET \
     value = excluded.value, unit = excluded.unit, recorded_at = excluded.recorded_at, \
     provider_id = excluded.provider_id, updated_at = excluded.updated_at \
    WHERE personal_records.value <> excluded.value OR personal_records.recorded_at <> excluded.recorded_at \
       OR personal_records.provider_id <> excluded.provider_id";
const DELETE_RECORD: &str =
    "DELETE FROM personal_records WHERE user_id = $1 AND metric_type = $2 AND category = $3";

fn utc_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

/// The figure of one rollup day, as SQL over `daily_rollups`.
pub(crate) fn day_figure_sql(aggregation: Aggregation) -> &'static str {
    match aggregation {
        Aggregation::Sum => "value_sum",
        Aggregation::Mean => "(value_sum / sample_count)",
        Aggregation::Last => "value_last",
    }
}

fn record_query(rule: RecordRule, aggregation: Aggregation) -> String {
    let (figure, order) = match rule {
        RecordRule::DailyMax => (day_figure_sql(aggregation), "DESC"),
        RecordRule::DailyMin => (day_figure_sql(aggregation), "ASC"),
        RecordRule::AllTimeMax => ("value_max", "DESC"),
    };
    format!(
        "SELECT {figure} AS v, last_at, provider_id FROM daily_rollups \
         WHERE user_id = $1 AND metric_type = $2 AND {figure} IS NOT NULL \
         ORDER BY v {order}, local_date ASC LIMIT 1"
    )
}

/// Workout bests kept from events: (category, activity filter, figure column, unit).
const EVENT_RECORDS: &[(&str, Option<&str>, &str, &str)] = &[
    ("longest_run", Some("running"), "distance_meters", "meters"),
    ("longest_ride", Some("cycling"), "distance_meters", "meters"),
    ("longest_workout", None, "duration_seconds", "seconds"),
];

fn event_record_query(activity: Option<&str>, column: &str) -> String {
    let filter = if activity.is_some() {
        "AND activity_type = $2"
    } else {
        "AND $2 = $2"
    };
    format!(
        "SELECT CAST({column} AS DOUBLE PRECISION) AS v, started_at, provider_id FROM events \
         WHERE user_id = $1 AND event_type = 'workout' {filter} AND {column} IS NOT NULL \
         ORDER BY {column} DESC, started_at ASC LIMIT 1"
    )
}

/// Deletes the user's own points of this provider by id; returns the days to rebuild.
pub async fn delete_points(
    tx: &mut DbTx,
    ctx: &WriteCtx<'_>,
    ids: &[String],
) -> Result<Vec<Touched>, sqlx::Error> {
    let mut touched = Vec::new();
    for id in ids {
        let row: Option<(String, NaiveDate)> = with_db!(tx, c => sqlx::query_as(
            "DELETE FROM health_metrics WHERE id = $1 AND user_id = $2 AND provider_id = $3 \
             RETURNING metric_type, local_date",
        )
        .bind(id)
        .bind(ctx.user_id)
        .bind(ctx.provider_id)
        .fetch_optional(c)
        .await)?;
        if let Some((metric, day)) = row {
            if let Some(info) = catalogue::metric(&metric) {
                touched.push(Touched {
                    metric: info.id,
                    from: day,
                    to: day,
                });
            }
        }
    }
    Ok(touched)
}

/// Events, rollups of the touched days, and personal records.
pub async fn finish(
    tx: &mut DbTx,
    ctx: &WriteCtx<'_>,
    events: &[EventRow],
    touched: Vec<Touched>,
) -> Result<IngestReport, sqlx::Error> {
    for e in events {
        let data = e
            .data
            .as_deref()
            .and_then(|s| serde_json::value::RawValue::from_string(s.to_string()).ok())
            .map(Json);
        with_db!(tx, c => sqlx::query(UPSERT_EVENT)
            .bind(new_id())
            .bind(ctx.user_id)
            .bind(ctx.connection_id)
            .bind(ctx.provider_id)
            .bind(&e.provider_event_id)
            .bind(&e.event_type)
            .bind(&e.activity_type)
            .bind(&e.title)
            .bind(e.started_at)
            .bind(e.ended_at)
            .bind(e.duration_seconds)
            .bind(e.distance_meters)
            .bind(e.calories_kcal)
            .bind(e.avg_heart_rate)
            .bind(e.max_heart_rate)
            .bind(data)
            .bind(ctx.now)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    let mut days = 0usize;
    for t in &touched {
        with_db!(tx, c => sqlx::query(DELETE_ROLLUPS)
            .bind(ctx.user_id)
            .bind(ctx.provider_id)
            .bind(t.metric)
            .bind(t.from)
            .bind(t.to)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        days += with_db!(tx, c => sqlx::query(REBUILD_ROLLUPS)
            .bind(ctx.user_id)
            .bind(ctx.provider_id)
            .bind(t.metric)
            .bind(t.from)
            .bind(t.to)
            .bind(ctx.now)
            .bind(utc_midnight(t.from - chrono::Duration::days(2)))
            .bind(utc_midnight(t.to + chrono::Duration::days(3)))
            .execute(c)
            .await
            .map(|r| r.rows_affected()))? as usize;
    }
    let mut records = 0usize;
    for t in &touched {
        let Some(info) = catalogue::metric(t.metric) else {
            continue;
        };
        for rule in info.records {
            let sql = record_query(*rule, info.aggregation);
            let best: Option<(f64, DateTime<Utc>, String)> = with_db!(tx, c => sqlx::query_as(&sql)
                .bind(ctx.user_id)
                .bind(info.id)
                .fetch_optional(c)
                .await)?;
            records += save_record(tx, ctx, info.id, rule.category(), info.unit, best).await?;
        }
    }
    if !events.is_empty() || ctx.events_removed {
        for (category, activity, column, unit) in EVENT_RECORDS {
            let sql = event_record_query(*activity, column);
            let best: Option<(f64, DateTime<Utc>, String)> = with_db!(tx, c => sqlx::query_as(&sql)
                .bind(ctx.user_id)
                .bind(activity.unwrap_or(""))
                .fetch_optional(c)
                .await)?;
            records += save_record(tx, ctx, "workout", category, unit, best).await?;
        }
    }
    Ok(IngestReport {
        points: 0,
        events: events.len(),
        days_refreshed: days,
        records_changed: records,
    })
}

async fn save_record(
    tx: &mut DbTx,
    ctx: &WriteCtx<'_>,
    metric: &str,
    category: &str,
    unit: &str,
    best: Option<(f64, DateTime<Utc>, String)>,
) -> Result<usize, sqlx::Error> {
    let changed = match best {
        Some((value, at, provider)) => with_db!(tx, c => sqlx::query(UPSERT_RECORD)
            .bind(new_id())
            .bind(ctx.user_id)
            .bind(metric)
            .bind(category)
            .bind(value)
            .bind(unit)
            .bind(at)
            .bind(&provider)
            .bind(ctx.now)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?,
        None => with_db!(tx, c => sqlx::query(DELETE_RECORD)
            .bind(ctx.user_id)
            .bind(metric)
            .bind(category)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?,
    };
    Ok(changed as usize)
}
