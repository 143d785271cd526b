//! Sync jobs across a workspace, newest first, with filters: what the REST API's `/sync-jobs`
//! and the admin's job monitor read. Every query names the workspace.

use chrono::{DateTime, TimeZone, Utc};
use sqlx::FromRow;

use super::status::JobStatus;
use crate::platform::db::Db;
use crate::with_db;

#[derive(Debug, Clone, FromRow)]
pub struct JobView {
    pub id: String,
    pub connection_id: String,
    pub user_id: String,
    pub provider_id: String,
    pub kind: String,
    pub status: JobStatus,
    pub metrics_synced: i64,
    pub attempts: i64,
    pub error: Option<String>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    pub run_after: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "j.id, j.connection_id, c.user_id, c.provider_id, j.kind, j.status, \
     CAST(j.metrics_synced AS BIGINT) AS metrics_synced, CAST(j.attempts AS BIGINT) AS attempts, \
     j.error, j.window_start, j.window_end, j.run_after, j.started_at, j.completed_at, j.created_at";

/// Which jobs to list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub user_id: Option<String>,
    pub provider_id: Option<String>,
    pub status: Option<JobStatus>,
    /// Only jobs queued at or after this moment.
    pub since: Option<DateTime<Utc>>,
    /// Seek position: jobs strictly older than this (created_at, id).
    pub before: Option<(DateTime<Utc>, String)>,
}

pub async fn list(
    db: &Db,
    workspace_id: &str,
    f: &JobFilter,
    limit: i64,
) -> Result<Vec<JobView>, sqlx::Error> {
    let far = Utc
        .with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .single()
        .expect("date");
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    let (before_at, before_id) = f.before.clone().unwrap_or((far, String::new()));
    let sql = format!(
        "SELECT {COLUMNS} FROM sync_jobs j JOIN provider_connections c ON c.id = j.connection_id \
         JOIN users u ON u.id = c.user_id \
         WHERE u.workspace_id = $1 AND ($2 = '' OR c.user_id = $2) AND ($3 = '' OR c.provider_id = $3) \
           AND ($4 = '' OR j.status = $4) AND j.created_at >= $5 \
           AND (j.created_at < $6 OR (j.created_at = $6 AND j.id < $7)) \
         ORDER BY j.created_at DESC, j.id DESC LIMIT $8"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(f.user_id.as_deref().unwrap_or(""))
        .bind(f.provider_id.as_deref().unwrap_or(""))
        .bind(f.status.map_or("", JobStatus::as_str))
        .bind(f.since.unwrap_or(epoch))
        .bind(before_at)
        .bind(before_id)
        .bind(limit)
        .fetch_all(pool)
        .await)
}

pub async fn get(db: &Db, workspace_id: &str, id: &str) -> Result<Option<JobView>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sync_jobs j JOIN provider_connections c ON c.id = j.connection_id \
         JOIN users u ON u.id = c.user_id WHERE j.id = $1 AND u.workspace_id = $2"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(workspace_id).fetch_optional(pool).await)
}

/// The connection's open (pending or running) job, if any.
pub async fn open_for_connection(
    db: &Db,
    workspace_id: &str,
    connection_id: &str,
) -> Result<Option<JobView>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sync_jobs j JOIN provider_connections c ON c.id = j.connection_id \
         JOIN users u ON u.id = c.user_id \
         WHERE j.connection_id = $1 AND u.workspace_id = $2 AND j.status IN ('pending', 'running')"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(connection_id).bind(workspace_id).fetch_optional(pool).await)
}
