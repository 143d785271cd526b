//! The one way health data enters the database: provider syncs, manual entry, the demo data and
//! the REST API all hand a batch to [`ingest`].
//!
//! A batch is validated whole first (all or nothing, every bad item reported by index), then
//! written in one transaction: points are upserted on `(user, provider, metric, recordedAt)` and
//! events on `(user, provider, providerEventId)`, so a re-sent item updates in place and never
//! duplicates; the daily rollups of the touched days are recomputed from the stored points; and
//! the personal records of the touched metrics are brought up to date.

pub(crate) mod bulk;
pub(crate) mod ops;
pub mod validate;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use self::validate::{EventRow, PointRow};
use crate::health::local_time;
use crate::platform::db::{dialect, Db};
use crate::with_db;

/// One reading as a producer hands it over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PointInput {
    pub metric_type: String,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    pub recorded_at: DateTime<Utc>,
}

/// A session (workout, sleep, activity).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInput {
    pub provider_event_id: String,
    pub event_type: String,
    #[serde(default)]
    pub activity_type: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub started_at: DateTime<Utc>,
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub duration_seconds: Option<i64>,
    #[serde(default)]
    pub distance_meters: Option<f64>,
    #[serde(default)]
    pub calories_kcal: Option<f64>,
    #[serde(default)]
    pub avg_heart_rate: Option<i64>,
    #[serde(default)]
    pub max_heart_rate: Option<i64>,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

/// Who measured it: the device (`user`), the person by hand (`manual`), or us (`computed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    User,
    Manual,
    Computed,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::User => "user",
            Source::Manual => "manual",
            Source::Computed => "computed",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub provider_id: String,
    pub connection_id: Option<String>,
    pub source: Source,
    pub points: Vec<PointInput>,
    pub events: Vec<EventInput>,
}

impl Batch {
    pub fn new(provider_id: &str, source: Source) -> Self {
        Batch {
            provider_id: provider_id.to_string(),
            connection_id: None,
            source,
            points: Vec::new(),
            events: Vec::new(),
        }
    }
}

/// What is wrong with one item of a batch (`index` into `points` or `events`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemError {
    pub index: usize,
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{} invalid item(s)", points.len() + events.len())]
    Invalid {
        points: Vec<ItemError>,
        events: Vec<ItemError>,
    },
    #[error("invalid provider id")]
    Provider,
    #[error("provider id reserved for a built-in source")]
    ReservedProvider,
    #[error("no such user")]
    UnknownUser,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<IngestError> for crate::error::AppError {
    fn from(e: IngestError) -> Self {
        use crate::error::AppError;
        match e {
            IngestError::Invalid { points, events } => {
                let first = points.into_iter().chain(events).next();
                match first {
                    Some(item) => AppError::invalid(&item.field, item.message),
                    None => AppError::Internal,
                }
            }
            IngestError::Provider => AppError::invalid("providerId", "Unknown provider."),
            IngestError::ReservedProvider => AppError::invalid("providerId", RESERVED_PROVIDER),
            IngestError::UnknownUser => AppError::NotFound("No such user.".into()),
            IngestError::Db(e) => e.into(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    pub points: usize,
    pub events: usize,
    pub days_refreshed: usize,
    pub records_changed: usize,
}

/// Points of one metric touched by a write, as the local-day span whose rollups to rebuild.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Touched {
    pub metric: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Validates and writes one batch for one user (see the module docs).
pub async fn ingest(db: &Db, user_id: &str, batch: Batch) -> Result<IngestReport, IngestError> {
    apply(db, user_id, batch, &[]).await
}

/// Sources VitaSync writes itself, whatever providers are configured: hand entries, derived
/// figures and the demo wearable.
pub const BUILT_IN_SOURCES: [&str; 3] = ["manual", "computed", "demo"];

/// Why a client's batch under a built-in source's id is refused.
pub const RESERVED_PROVIDER: &str =
    "This id belongs to a built-in source; name your own, such as acme_scale.";

/// Ingests a batch another app sends (the REST API). Its provider id must be its own: the ids of
/// built-in sources and of the `providers` this server syncs are refused, so a client can
/// neither overwrite nor be mistaken for a device sync.
pub async fn ingest_from_client(
    db: &Db,
    user_id: &str,
    batch: Batch,
    providers: &[&str],
) -> Result<IngestReport, IngestError> {
    let id = batch.provider_id.as_str();
    if BUILT_IN_SOURCES.contains(&id) || providers.contains(&id) {
        return Err(IngestError::ReservedProvider);
    }
    ingest(db, user_id, batch).await
}

/// Ingests a batch from a provider or a file import. An item we cannot accept (a provider
/// glitch, an impossible reading) is dropped and logged instead of failing the whole batch;
/// the rest is written. Returns how many items were written.
pub async fn ingest_lenient(db: &Db, user_id: &str, batch: Batch) -> Result<i64, sqlx::Error> {
    let mut batch = batch;
    // Validation reports at most 100 bad items of each kind at a time, so a batch with more is
    // cleaned in rounds (each round drops at least one item, so this ends).
    loop {
        let total = (batch.points.len() + batch.events.len()) as i64;
        if total == 0 {
            return Ok(0);
        }
        let (points, events) = match ingest(db, user_id, batch.clone()).await {
            Ok(_) => return Ok(total),
            Err(IngestError::Invalid { points, events }) => (points, events),
            Err(IngestError::Db(e)) => return Err(e),
            Err(other) => {
                tracing::error!(error = %other, "batch rejected");
                return Ok(0);
            }
        };
        tracing::warn!(
            provider = %batch.provider_id,
            points = points.len(),
            events = events.len(),
            first = ?points.first().or(events.first()),
            "dropped items that failed validation"
        );
        let bad_p: std::collections::HashSet<usize> = points.iter().map(|e| e.index).collect();
        let bad_e: std::collections::HashSet<usize> = events.iter().map(|e| e.index).collect();
        batch.points = std::mem::take(&mut batch.points)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !bad_p.contains(i))
            .map(|(_, p)| p)
            .collect();
        batch.events = std::mem::take(&mut batch.events)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !bad_e.contains(i))
            .map(|(_, e)| e)
            .collect();
    }
}

/// Like [`ingest`], and in the same transaction deletes the user's own points with these ids
/// from the batch's provider (how a manual entry is edited or removed).
pub async fn apply(
    db: &Db,
    user_id: &str,
    batch: Batch,
    delete_ids: &[String],
) -> Result<IngestReport, IngestError> {
    if !validate::provider_id(&batch.provider_id) {
        return Err(IngestError::Provider);
    }
    let tz_name: Option<String> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT timezone FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    let tz = local_time::zone(&tz_name.ok_or(IngestError::UnknownUser)?);
    let now = Utc::now();

    let mut point_errors = Vec::new();
    let mut rows: Vec<PointRow> = Vec::with_capacity(batch.points.len());
    for (i, p) in batch.points.iter().enumerate() {
        match validate::point(i, p, tz, now) {
            Ok(row) => rows.push(row),
            Err(e) if point_errors.len() < 100 => point_errors.push(e),
            Err(_) => {}
        }
    }
    let mut event_errors = Vec::new();
    let mut events: Vec<EventRow> = Vec::with_capacity(batch.events.len());
    for (i, e) in batch.events.iter().enumerate() {
        match validate::event(i, e, now) {
            Ok(row) => events.push(row),
            Err(err) if event_errors.len() < 100 => event_errors.push(err),
            Err(_) => {}
        }
    }
    if !point_errors.is_empty() || !event_errors.is_empty() {
        return Err(IngestError::Invalid {
            points: point_errors,
            events: event_errors,
        });
    }
    let rows = dedupe_points(rows);
    let events = dedupe_events(events);
    let touched = touched_spans(&rows);

    let ctx = ops::WriteCtx {
        user_id,
        provider_id: &batch.provider_id,
        connection_id: batch.connection_id.as_deref(),
        source: batch.source.as_str(),
        now,
        events_removed: false,
    };
    let started = std::time::Instant::now();
    let mut tx = db.begin().await?;
    let deleted = ops::delete_points(&mut tx, &ctx, delete_ids).await?;
    bulk::upsert_points(&mut tx, &ctx, &rows).await?;
    // After a large load the planner's statistics are stale (a fresh table looks empty) and
    // the rollup rebuild below would scan every point; refreshing them costs tens of
    // milliseconds and keeps each rebuild to the touched days.
    if rows.len() >= 10_000 {
        dialect::refresh_statistics(&mut tx, "health_metrics").await?;
    }
    let spans = merge(touched, deleted);
    let rederive_from = derive_from(&spans);
    let report = ops::finish(&mut tx, &ctx, &events, spans).await?;
    tx.commit().await?;
    // Sessions other providers also recorded: decide again which one shows.
    let mut kinds: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    if let (Some(from), Some(to)) = (
        events.iter().map(|e| e.started_at).min(),
        events.iter().map(|e| e.started_at).max(),
    ) {
        for kind in kinds {
            super::dedup::refresh(db, user_id, kind, from, to).await?;
        }
    }
    if let Some(from) = rederive_from {
        crate::insights::service::request_derive(db, user_id, from).await;
    }
    tracing::debug!(user_id, provider = %batch.provider_id, points = rows.len(), events = events.len(), took = ?started.elapsed(), "ingested");
    Ok(IngestReport {
        points: rows.len(),
        ..report
    })
}

/// The last of several points for the same metric and instant wins (a batch may repeat one).
fn dedupe_points(rows: Vec<PointRow>) -> Vec<PointRow> {
    let mut seen: HashMap<(&'static str, DateTime<Utc>), usize> =
        HashMap::with_capacity(rows.len());
    let mut out: Vec<PointRow> = Vec::with_capacity(rows.len());
    for row in rows {
        match seen.get(&(row.metric.id, row.recorded_at)) {
            Some(&i) => out[i] = row,
            None => {
                seen.insert((row.metric.id, row.recorded_at), out.len());
                out.push(row);
            }
        }
    }
    out
}

fn dedupe_events(rows: Vec<EventRow>) -> Vec<EventRow> {
    let mut by_id: BTreeMap<String, EventRow> = BTreeMap::new();
    for row in rows {
        by_id.insert(row.provider_event_id.clone(), row);
    }
    by_id.into_values().collect()
}

/// Per metric, the span of local days touched. Two days either side are included: a re-sent
/// point may have moved day (the user's zone changed), and its old day must be rebuilt too.
fn touched_spans(rows: &[PointRow]) -> Vec<Touched> {
    let mut spans: BTreeMap<&'static str, (NaiveDate, NaiveDate)> = BTreeMap::new();
    for row in rows {
        let e = spans
            .entry(row.metric.id)
            .or_insert((row.local_date, row.local_date));
        e.0 = e.0.min(row.local_date);
        e.1 = e.1.max(row.local_date);
    }
    spans
        .into_iter()
        .map(|(metric, (from, to))| Touched {
            metric,
            from: from - Duration::days(2),
            to: to + Duration::days(2),
        })
        .collect()
}

/// The first local day whose changed figures feed a derived insight (see
/// `insights::service::request_derive`), if any did.
fn derive_from(spans: &[Touched]) -> Option<NaiveDate> {
    spans
        .iter()
        .filter(|t| crate::insights::service::derives_from(t.metric))
        .map(|t| t.from)
        .min()
}

fn merge(mut a: Vec<Touched>, b: Vec<Touched>) -> Vec<Touched> {
    for t in b {
        match a.iter_mut().find(|x| x.metric == t.metric) {
            Some(x) => {
                x.from = x.from.min(t.from);
                x.to = x.to.max(t.to);
            }
            None => a.push(t),
        }
    }
    a
}

/// Deletes everything one provider stored for a user (points, events, their rollups) and brings
/// the personal records up to date, in one transaction ("disconnect and delete its data").
pub async fn forget_provider(
    db: &Db,
    user_id: &str,
    provider_id: &str,
) -> Result<IngestReport, sqlx::Error> {
    type Span = (String, NaiveDate, NaiveDate);
    let now = chrono::Utc::now();
    let ctx = ops::WriteCtx {
        user_id,
        provider_id,
        connection_id: None,
        source: Source::User.as_str(),
        now,
        events_removed: true,
    };
    const SPANS: &str = "SELECT metric_type, MIN(local_date), MAX(local_date) FROM daily_rollups \
        WHERE user_id = $1 AND provider_id = $2 GROUP BY metric_type";
    const DELETE_POINTS: &str =
        "DELETE FROM health_metrics WHERE user_id = $1 AND provider_id = $2";
    const DELETE_EVENTS: &str = "DELETE FROM events WHERE user_id = $1 AND provider_id = $2";
    // A record of a metric without rollups (structured readings) can still name the provider.
    const DELETE_LEFT_RECORDS: &str =
        "DELETE FROM personal_records WHERE user_id = $1 AND provider_id = $2";
    fn touched(spans: Vec<Span>) -> Vec<Touched> {
        spans
            .into_iter()
            .filter_map(|(m, from, to)| {
                crate::health::catalogue::metric(&m).map(|info| Touched {
                    metric: info.id,
                    from,
                    to,
                })
            })
            .collect()
    }
    let mut tx = db.begin().await?;
    let spans: Vec<Span> = with_db!(&mut tx, c => sqlx::query_as(SPANS)
        .bind(user_id)
        .bind(provider_id)
        .fetch_all(c)
        .await)?;
    for sql in [DELETE_POINTS, DELETE_EVENTS] {
        with_db!(&mut tx, c => sqlx::query(sql)
            .bind(user_id)
            .bind(provider_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    let spans = touched(spans);
    let rederive_from = derive_from(&spans);
    let report = ops::finish(&mut tx, &ctx, &[], spans).await?;
    with_db!(&mut tx, c => sqlx::query(DELETE_LEFT_RECORDS)
        .bind(user_id)
        .bind(provider_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    // Copies other providers hold of the removed sessions show again, one per session.
    super::dedup::refresh_all(db, user_id).await?;
    if let Some(from) = rederive_from {
        crate::insights::service::request_derive(db, user_id, from).await;
    }
    Ok(report)
}
