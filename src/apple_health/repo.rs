//! The SQL of file imports (`health_imports`): one row per upload or command-line import, with
//! its progress and outcome. A person has at most one running import (`queued`, `checking` or
//! `importing`): the upload reserves its row before the file is read ([`reserve`]), and a
//! partial unique index (migration 0011) keeps it so when two uploads race.

use chrono::{DateTime, Utc};

use super::import::Report;
use super::mapping::PROVIDER;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportRow {
    pub id: String,
    pub user_id: String,
    pub provider_id: String,
    pub file_name: String,
    pub status: String,
    pub bytes_total: i64,
    pub bytes_done: i64,
    pub records_seen: i64,
    pub rows_written: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, user_id, provider_id, file_name, status, \
    CAST(bytes_total AS BIGINT) AS bytes_total, CAST(bytes_done AS BIGINT) AS bytes_done, \
    CAST(records_seen AS BIGINT) AS records_seen, CAST(rows_written AS BIGINT) AS rows_written, \
    error, created_at, started_at, finished_at";

/// A queued import of a file already at hand (the command line). Fails on the index
/// `health_imports_one_running` while another import of the person's runs.
pub async fn create(
    db: &Db,
    user_id: &str,
    file_name: &str,
    bytes_total: i64,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO health_imports (id, user_id, provider_id, file_name, status, bytes_total, created_at) \
         VALUES ($1, $2, $3, $4, 'queued', $5, $6)")
        .bind(&id)
        .bind(user_id)
        .bind(PROVIDER)
        .bind(file_name)
        .bind(bytes_total)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(id)
}

/// Reserves the person's one running import, `id`, before its upload is read: a `queued` row
/// named `export` until the file arrives ([`received`]), made only when none of theirs runs.
/// The check and the insert are one statement, and the index `health_imports_one_running`
/// turns the loser of a race into "nothing inserted" on both backends. `false`: one already
/// runs.
pub async fn reserve(
    db: &Db,
    id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let inserted = with_db!(db, pool => sqlx::query(
        "INSERT INTO health_imports (id, user_id, provider_id, file_name, status, bytes_total, created_at) \
         SELECT $1, $2, $3, 'export', 'queued', 0, $4 \
         WHERE NOT EXISTS (SELECT 1 FROM health_imports \
             WHERE user_id = $2 AND status IN ('queued', 'checking', 'importing')) \
         ON CONFLICT DO NOTHING")
        .bind(id)
        .bind(user_id)
        .bind(PROVIDER)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(inserted == 1)
}

/// The reserved import's file is stored: its name and size. `false` when the row is no
/// longer a reservation.
pub async fn received(
    db: &Db,
    id: &str,
    file_name: &str,
    bytes_total: i64,
) -> Result<bool, sqlx::Error> {
    let updated = with_db!(db, pool => sqlx::query(
        "UPDATE health_imports SET file_name = $1, bytes_total = $2 WHERE id = $3 AND status = 'queued'")
        .bind(file_name)
        .bind(bytes_total)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(updated == 1)
}

/// Drops a reservation whose upload was refused before it held an export (no file, not an
/// export): the person was told at once, and there is no import to show.
pub async fn release(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM health_imports WHERE id = $1 AND status = 'queued'")
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
}

/// Bytes of the person's uploads still on disk (their running imports' files), but `except`'s.
pub async fn stored_bytes(db: &Db, user_id: &str, except: &str) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(bytes_total), 0) AS BIGINT) FROM health_imports \
         WHERE user_id = $1 AND id <> $2 AND status IN ('queued', 'checking', 'importing')")
        .bind(user_id)
        .bind(except)
        .fetch_one(pool)
        .await)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<ImportRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM health_imports WHERE id = $1");
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// A person's imports, newest first.
pub async fn for_user(db: &Db, user_id: &str, limit: i64) -> Result<Vec<ImportRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM health_imports WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(user_id).bind(limit).fetch_all(pool).await)
}

pub async fn phase(db: &Db, id: &str, status: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE health_imports SET status = $1, bytes_done = 0, started_at = COALESCE(started_at, $2) WHERE id = $3")
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
}

pub async fn progress(
    db: &Db,
    id: &str,
    bytes: i64,
    records: i64,
    rows: i64,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE health_imports SET bytes_done = $1, records_seen = $2, rows_written = $3 \
         WHERE id = $4 AND status IN ('checking', 'importing')")
        .bind(bytes)
        .bind(records)
        .bind(rows)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
}

pub async fn complete(
    db: &Db,
    id: &str,
    r: &Report,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE health_imports SET status = 'completed', bytes_done = bytes_total, records_seen = $1, \
         rows_written = $2, finished_at = $3 WHERE id = $4")
        .bind(r.records as i64)
        .bind(r.rows as i64)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
}

pub async fn fail(db: &Db, id: &str, message: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE health_imports SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3")
        .bind(message)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
}

/// Imports a stopped server left unfinished (at start-up): they failed. Uploads cut off by
/// the stop are among them (their reserved row is `queued`; their files are removed).
pub async fn interrupted(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE health_imports SET status = 'failed', finished_at = $1, \
         error = 'The server stopped during the import. Upload the file again.' \
         WHERE status IN ('queued', 'checking', 'importing')")
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}
