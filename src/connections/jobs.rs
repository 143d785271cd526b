//! `sync_jobs`: the queue. A job is claimed atomically (on PostgreSQL with `FOR UPDATE SKIP
//! LOCKED`, so workers never wait on or share a row), holds a lease while it runs, commits its
//! page cursor as it goes, and is claimable again when its lease runs out (the worker died).
//! `attempts` doubles as the claim's fencing token: a worker that lost its lease cannot write.

use chrono::{DateTime, Duration, Utc};

use super::provider::Window;
use super::status::JobStatus;
use crate::platform::db::{dialect, Db};
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct JobRow {
    pub id: String,
    pub connection_id: String,
    pub kind: String,
    pub status: JobStatus,
    pub metrics_synced: i64,
    pub attempts: i64,
    pub error: Option<String>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, connection_id, kind, status, CAST(metrics_synced AS BIGINT) AS metrics_synced, \
    CAST(attempts AS BIGINT) AS attempts, error, window_start, window_end, cursor, started_at, \
    completed_at, created_at";

/// Queues a job unless the connection already has one open; returns the new job's id.
pub async fn enqueue(
    db: &Db,
    connection_id: &str,
    kind: &str,
    window: Window,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    let id = new_id();
    let n = with_db!(db, pool => sqlx::query(
        "INSERT INTO sync_jobs (id, connection_id, kind, status, window_start, window_end, run_after, created_at) \
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $6) \
         ON CONFLICT (connection_id) WHERE status IN ('pending', 'running') DO NOTHING")
        .bind(&id)
        .bind(connection_id)
        .bind(kind)
        .bind(window.start)
        .bind(window.end)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok((n == 1).then_some(id))
}

/// Makes a connection's pending job reach back to `start` (a push naming older data arrived
/// while it waited); `true` when there was one to widen.
pub async fn widen_pending(
    db: &Db,
    connection_id: &str,
    start: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE sync_jobs SET window_start = $1 WHERE connection_id = $2 AND status = 'pending' \
         AND cursor IS NULL AND (window_start IS NULL OR window_start > $1)")
        .bind(start)
        .bind(connection_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Claims the oldest runnable job: pending and due, or running with an expired lease.
pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<JobRow>, sqlx::Error> {
    const PICK: &str = "SELECT id FROM sync_jobs WHERE (status = 'pending' AND (run_after IS NULL OR run_after <= $1)) \
        OR (status = 'running' AND locked_until < $1) ORDER BY created_at, id LIMIT 1";
    let lock = dialect::skip_locked(db.backend(), None);
    let sql = format!(
        "UPDATE sync_jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, \
         started_at = COALESCE(started_at, $1) WHERE id = ({PICK}{lock}) RETURNING {COLUMNS}"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(now)
        .bind(now + lease)
        .fetch_optional(pool)
        .await)
}

/// Commits progress after a page and extends the lease. False when the claim was lost.
pub async fn checkpoint(
    db: &Db,
    job: &JobRow,
    cursor: Option<&str>,
    metrics_synced: i64,
    lease_until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE sync_jobs SET cursor = $1, metrics_synced = $2, locked_until = $3 \
         WHERE id = $4 AND attempts = $5 AND status = 'running'")
        .bind(cursor)
        .bind(metrics_synced as i32)
        .bind(lease_until)
        .bind(&job.id)
        .bind(job.attempts as i32)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn complete(
    db: &Db,
    job: &JobRow,
    metrics_synced: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE sync_jobs SET status = 'completed', metrics_synced = $1, completed_at = $2, \
         locked_until = NULL, error = NULL WHERE id = $3 AND attempts = $4 AND status = 'running'")
        .bind(metrics_synced as i32)
        .bind(now)
        .bind(&job.id)
        .bind(job.attempts as i32)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Back to the queue until `run_after`, keeping the cursor.
pub async fn retry_later(
    db: &Db,
    job: &JobRow,
    run_after: DateTime<Utc>,
    error: &str,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE sync_jobs SET status = 'pending', run_after = $1, error = $2, locked_until = NULL \
         WHERE id = $3 AND attempts = $4 AND status = 'running'")
        .bind(run_after)
        .bind(error)
        .bind(&job.id)
        .bind(job.attempts as i32)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn fail(
    db: &Db,
    job: &JobRow,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE sync_jobs SET status = 'failed', error = $1, completed_at = $2, locked_until = NULL \
         WHERE id = $3 AND attempts = $4 AND status = 'running'")
        .bind(error)
        .bind(now)
        .bind(&job.id)
        .bind(job.attempts as i32)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The newest job of each of the user's connections (the Connections page).
pub async fn latest_for_user(db: &Db, user_id: &str) -> Result<Vec<JobRow>, sqlx::Error> {
    let cols = COLUMNS
        .split(", ")
        .map(|c| {
            if c.starts_with("CAST(") {
                c.replacen("CAST(", "CAST(j.", 1)
            } else {
                format!("j.{c}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols} FROM sync_jobs j JOIN provider_connections c ON c.id = j.connection_id \
         WHERE c.user_id = $1 AND j.id = (SELECT j2.id FROM sync_jobs j2 \
         WHERE j2.connection_id = j.connection_id ORDER BY j2.created_at DESC, j2.id DESC LIMIT 1)"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<JobRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM sync_jobs WHERE id = $1");
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// When each connection's newest job was queued.
pub async fn last_queued(
    db: &Db,
) -> Result<std::collections::HashMap<String, DateTime<Utc>>, sqlx::Error> {
    let rows: Vec<(String, DateTime<Utc>)> = with_db!(db, pool => sqlx::query_as(
        "SELECT connection_id, MAX(created_at) FROM sync_jobs GROUP BY connection_id")
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().collect())
}
