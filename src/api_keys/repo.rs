//! Queries for API keys. Every query names the workspace, except the lookup by hash that
//! authenticates a request (the hash of a 238-bit secret identifies exactly one key).

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;

use super::scope::Scope;
use super::token::{self, NewKey};
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Debug, Clone, FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub key_prefix: String,
    pub scopes: Json<Vec<Scope>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl ApiKeyRow {
    /// Usable now: not revoked and not past its expiry.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

const COLUMNS: &str =
    "id, workspace_id, name, key_prefix, scopes, expires_at, last_used_at, revoked_at, created_at";

/// Stores a new key; returns its row and the raw key (the only time it exists outside the
/// caller's hands).
pub async fn create(
    db: &Db,
    workspace_id: &str,
    name: &str,
    scopes: &[Scope],
    expires_at: Option<DateTime<Utc>>,
) -> Result<(ApiKeyRow, String), sqlx::Error> {
    let NewKey { raw, hash, prefix } = token::generate();
    let row = ApiKeyRow {
        id: new_id(),
        workspace_id: workspace_id.to_string(),
        name: name.to_string(),
        key_prefix: prefix,
        scopes: Json(scopes.to_vec()),
        expires_at,
        last_used_at: None,
        revoked_at: None,
        created_at: Utc::now(),
    };
    with_db!(db, pool => sqlx::query(
        "INSERT INTO api_keys (id, workspace_id, name, key_hash, key_prefix, scopes, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(&row.id)
        .bind(&row.workspace_id)
        .bind(&row.name)
        .bind(&hash)
        .bind(&row.key_prefix)
        .bind(&row.scopes)
        .bind(row.expires_at)
        .bind(row.created_at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok((row, raw))
}

/// The key a request presented, whatever its state (the caller decides what is usable).
pub async fn by_hash(db: &Db, hash: &str) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE key_hash = $1");
    with_db!(db, pool => sqlx::query_as(&sql).bind(hash).fetch_optional(pool).await)
}

pub async fn get(db: &Db, workspace_id: &str, id: &str) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1 AND workspace_id = $2");
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(workspace_id).fetch_optional(pool).await)
}

/// A page of the workspace's keys, oldest first, after the key `after` (a cursor).
pub async fn list(
    db: &Db,
    workspace_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_keys WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// Revokes a key of the workspace at once; false when there is no such live key.
pub async fn revoke(db: &Db, workspace_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND workspace_id = $2 AND revoked_at IS NULL")
        .bind(id)
        .bind(workspace_id)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Keys across the instance whose prefix is `prefix` (for the command line).
pub async fn by_prefix(db: &Db, prefix: &str) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE key_prefix = $1 ORDER BY id");
    with_db!(db, pool => sqlx::query_as(&sql).bind(prefix).fetch_all(pool).await)
}

/// Records when a key was last used (called at most once a minute per key, see `api::auth`).
pub async fn touch(db: &Db, id: &str, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)")
        .bind(id)
        .bind(at)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
