//! The insights tables: the coalesced per-person derive queue (`derive_requests`, see its
//! migration for how requests coalesce) and the stored baselines (`biometric_baselines`).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::baseline::{Baseline, Trend};
use crate::platform::db::{dialect, Db, DbTx};
use crate::platform::ids::new_id;
use crate::with_db;

/// A person's pending derive request, as stored or as a worker claimed it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Pending {
    pub user_id: String,
    /// The first local day whose data changed since the last pass.
    pub from_date: NaiveDate,
    /// Bumped by every request; a finished pass removes the row only at the generation it took.
    pub generation: i64,
}

/// Asks for the person's derived figures to be brought up to date from `from_date` on. One row
/// per person: an open request keeps the earlier of the two days and counts one generation up.
pub async fn request(db: &Db, user_id: &str, from_date: NaiveDate) -> Result<(), sqlx::Error> {
    // `MIN()` (SQLite) and `LEAST()` (PostgreSQL) differ; a CASE reads the same on both.
    with_db!(db, pool => sqlx::query(
        "INSERT INTO derive_requests (user_id, from_date, generation, requested_at) \
         VALUES ($1, $2, 1, $3) \
         ON CONFLICT (user_id) DO UPDATE SET \
           from_date = CASE WHEN excluded.from_date < derive_requests.from_date \
             THEN excluded.from_date ELSE derive_requests.from_date END, \
           generation = derive_requests.generation + 1, \
           requested_at = excluded.requested_at")
        .bind(user_id)
        .bind(from_date)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims one due request for `worker_id`: last requested at or before `older_than` (the
/// debounce) and either unclaimed or claimed before `stale_claim_before` (its worker died).
/// On PostgreSQL the pick skips rows another worker is claiming at the same moment.
pub async fn claim_due(
    db: &Db,
    worker_id: &str,
    older_than: DateTime<Utc>,
    stale_claim_before: DateTime<Utc>,
) -> Result<Option<Pending>, sqlx::Error> {
    const DUE: &str = "(claimed_at IS NULL OR claimed_at < $4)";
    let lock = dialect::skip_locked(db.backend(), None);
    let sql = format!(
        "UPDATE derive_requests SET claimed_at = $1, claimed_by = $2 \
         WHERE user_id = (SELECT user_id FROM derive_requests WHERE requested_at <= $3 AND {DUE} \
           ORDER BY requested_at, user_id LIMIT 1{lock}) AND {DUE} \
         RETURNING user_id, from_date, CAST(generation AS BIGINT) AS generation"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(Utc::now())
        .bind(worker_id)
        .bind(older_than)
        .bind(stale_claim_before)
        .fetch_optional(pool)
        .await)
}

/// Ends a pass over a claimed request: the row goes when nothing was requested since the claim
/// (`generation` unchanged); otherwise it stays, with the claim cleared, for another pass.
/// True when the row was removed.
pub async fn finish(
    db: &Db,
    user_id: &str,
    generation: i64,
    worker_id: &str,
) -> Result<bool, sqlx::Error> {
    let removed = with_db!(db, pool => sqlx::query(
        "DELETE FROM derive_requests WHERE user_id = $1 AND generation = $2")
        .bind(user_id)
        .bind(generation)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    if removed > 0 {
        return Ok(true);
    }
    with_db!(db, pool => sqlx::query(
        "UPDATE derive_requests SET claimed_at = NULL, claimed_by = NULL \
         WHERE user_id = $1 AND claimed_by = $2")
        .bind(user_id)
        .bind(worker_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(false)
}

/// Gives a claimed request back after a failed pass; it is due again from `retry_at` (or
/// sooner if a new request came in after that).
pub async fn release(
    db: &Db,
    user_id: &str,
    worker_id: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE derive_requests SET claimed_at = NULL, claimed_by = NULL, \
           requested_at = CASE WHEN requested_at < $3 THEN $3 ELSE requested_at END \
         WHERE user_id = $1 AND claimed_by = $2")
        .bind(user_id)
        .bind(worker_id)
        .bind(retry_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The person's open request, if any.
pub async fn pending(db: &Db, user_id: &str) -> Result<Option<Pending>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT user_id, from_date, CAST(generation AS BIGINT) AS generation \
         FROM derive_requests WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}

/// The person's time zone name (`None`: no such person any more).
pub async fn timezone(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar("SELECT timezone FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}

/// Every person as (id, time zone), for a full rebuild.
pub async fn people(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as("SELECT id, timezone FROM users ORDER BY id")
        .fetch_all(pool)
        .await)
}

/// The first local day with a daily figure of any of `metrics` (catalogue ids).
pub async fn first_day(
    db: &Db,
    user_id: &str,
    metrics: &[&str],
) -> Result<Option<NaiveDate>, sqlx::Error> {
    // The ids come from the catalogue, never from input, so they can be inlined.
    let list = metrics
        .iter()
        .map(|m| format!("'{m}'"))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT MIN(local_date) FROM daily_rollups WHERE user_id = $1 AND metric_type IN ({list})"
    );
    with_db!(db, pool => sqlx::query_scalar(&sql)
        .bind(user_id)
        .fetch_one(pool)
        .await)
}

/// One stored baseline: a metric's baseline as of one local day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredBaseline {
    pub metric: String,
    pub date: NaiveDate,
    pub baseline: Baseline,
    pub trend: Trend,
}

#[derive(sqlx::FromRow)]
struct BaselineRow {
    metric_type: String,
    date: NaiveDate,
    mean: f64,
    stddev: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    median: Option<f64>,
    p25: Option<f64>,
    p75: Option<f64>,
    mad: Option<f64>,
    sample_size: i64,
    trend: Option<String>,
    trend_slope: Option<f64>,
}

impl BaselineRow {
    /// `None` for a row missing a figure we always write.
    fn stored(self) -> Option<StoredBaseline> {
        let trend = match self.trend.as_deref() {
            Some("rising") => Trend::Rising,
            Some("falling") => Trend::Falling,
            _ => Trend::Stable,
        };
        Some(StoredBaseline {
            metric: self.metric_type,
            date: self.date,
            baseline: Baseline {
                n: usize::try_from(self.sample_size).ok()?,
                mean: self.mean,
                sd: self.stddev,
                median: self.median?,
                p25: self.p25?,
                p75: self.p75?,
                mad: self.mad?,
                min: self.min?,
                max: self.max?,
                slope: self.trend_slope,
            },
            trend,
        })
    }
}

/// The person's baselines on local days `from..=to`, of one metric or all, by metric and day.
pub async fn baselines(
    db: &Db,
    user_id: &str,
    metric: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StoredBaseline>, sqlx::Error> {
    // An empty id stands for every metric (no metric id is empty), so the parameter is never NULL.
    let rows: Vec<BaselineRow> = with_db!(db, pool => sqlx::query_as(
        "SELECT metric_type, date, mean, stddev, min, max, median, p25, p75, mad, \
           CAST(sample_size AS BIGINT) AS sample_size, trend, trend_slope \
         FROM biometric_baselines \
         WHERE user_id = $1 AND ($2 = '' OR metric_type = $2) AND date >= $3 AND date <= $4 \
         ORDER BY metric_type, date")
        .bind(user_id)
        .bind(metric.unwrap_or(""))
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().filter_map(BaselineRow::stored).collect())
}

/// Rows per multi-row `INSERT` (13 parameters each, well under both databases' limits).
const UPSERT_CHUNK: usize = 200;

/// Upserts one metric's baselines inside the caller's transaction; returns the rows written.
async fn upsert_in(
    tx: &mut DbTx,
    user_id: &str,
    metric: &str,
    rows: &[(NaiveDate, Baseline)],
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    for chunk in rows.chunks(UPSERT_CHUNK) {
        // $1 user, $2 metric, $3 now; then 13 per row.
        let values = (0..chunk.len())
            .map(|i| {
                let p: Vec<String> = (0..13).map(|k| format!("${}", 4 + i * 13 + k)).collect();
                format!("({}, $1, $2, {}, $3)", p[0], p[1..].join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO biometric_baselines (id, user_id, metric_type, date, mean, stddev, min, \
               max, median, p25, p75, mad, sample_size, trend, trend_slope, created_at) \
             VALUES {values} \
             ON CONFLICT (user_id, metric_type, date) DO UPDATE SET mean = excluded.mean, \
               stddev = excluded.stddev, min = excluded.min, max = excluded.max, \
               median = excluded.median, p25 = excluded.p25, p75 = excluded.p75, \
               mad = excluded.mad, sample_size = excluded.sample_size, trend = excluded.trend, \
               trend_slope = excluded.trend_slope, created_at = excluded.created_at"
        );
        written += with_db!(tx, c => {
            let mut q = sqlx::query(&sql).bind(user_id).bind(metric).bind(now);
            for (day, b) in chunk {
                q = q
                    .bind(new_id())
                    .bind(*day)
                    .bind(b.mean)
                    .bind(b.sd)
                    .bind(b.min)
                    .bind(b.max)
                    .bind(b.median)
                    .bind(b.p25)
                    .bind(b.p75)
                    .bind(b.mad)
                    .bind(i32::try_from(b.n).unwrap_or(i32::MAX))
                    .bind(b.trend().as_str())
                    .bind(b.slope);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(written)
}

/// Upserts one metric's baselines (one transaction, in batches).
pub async fn upsert_baselines(
    db: &Db,
    user_id: &str,
    metric: &str,
    rows: &[(NaiveDate, Baseline)],
) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let written = upsert_in(&mut tx, user_id, metric, rows, Utc::now()).await?;
    tx.commit().await?;
    Ok(written)
}

/// Deletes the person's baselines of every metric from local day `from` on.
pub async fn delete_baselines_from(
    db: &Db,
    user_id: &str,
    from: NaiveDate,
) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "DELETE FROM biometric_baselines WHERE user_id = $1 AND date >= $2")
        .bind(user_id)
        .bind(from)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}

/// Deletes the person's baselines of every metric before local day `before`.
pub async fn delete_baselines_before(
    db: &Db,
    user_id: &str,
    before: NaiveDate,
) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "DELETE FROM biometric_baselines WHERE user_id = $1 AND date < $2")
        .bind(user_id)
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}

/// Deletes all of the person's baselines.
pub async fn delete_all_baselines(db: &Db, user_id: &str) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM biometric_baselines WHERE user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}

/// What [`replace_from`] changed: rows written, and days whose stored baseline went away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Replaced {
    pub stored: u64,
    pub removed: u64,
}

/// Makes the person's stored baselines from local day `from` on exactly `fresh` (per metric,
/// the days whose baseline counts), in one transaction: readers see the old set or the new one.
pub async fn replace_from(
    db: &Db,
    user_id: &str,
    from: NaiveDate,
    fresh: &[(&str, Vec<(NaiveDate, Baseline)>)],
) -> Result<Replaced, sqlx::Error> {
    let now = Utc::now();
    let mut out = Replaced::default();
    let mut tx = db.begin().await?;
    for (metric, rows) in fresh {
        let gone: Vec<NaiveDate> = with_db!(&mut tx, c => sqlx::query_scalar(
            "DELETE FROM biometric_baselines WHERE user_id = $1 AND metric_type = $2 AND date >= $3 \
             RETURNING date")
            .bind(user_id)
            .bind(*metric)
            .bind(from)
            .fetch_all(c)
            .await)?;
        let kept: BTreeSet<NaiveDate> = rows.iter().map(|(d, _)| *d).collect();
        out.removed += gone.iter().filter(|d| !kept.contains(*d)).count() as u64;
        out.stored += upsert_in(&mut tx, user_id, metric, rows, now).await?;
    }
    tx.commit().await?;
    Ok(out)
}
