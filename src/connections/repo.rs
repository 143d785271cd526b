//! `provider_connections` rows.

use chrono::{DateTime, Utc};

use super::status::ConnectionStatus;
use super::tokens::{self, OpenError, RowIdentity, TokenSet};
use crate::platform::crypto::KeyRing;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConnectionRow {
    pub id: String,
    pub user_id: String,
    pub workspace_id: String,
    pub provider_id: String,
    pub encrypted_tokens: Option<String>,
    pub status: ConnectionStatus,
    pub provider_user_id: Option<String>,
    pub last_error: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub connected_at: Option<DateTime<Utc>>,
    pub sync_cursor: Option<DateTime<Utc>>,
    /// The person's zone (providers that give local times without an offset).
    pub timezone: String,
}

impl ConnectionRow {
    pub fn identity(&self) -> RowIdentity<'_> {
        RowIdentity {
            workspace_id: &self.workspace_id,
            user_id: &self.user_id,
            provider_id: &self.provider_id,
        }
    }

    pub fn tokens(&self, keys: &KeyRing) -> Option<Result<TokenSet, OpenError>> {
        self.encrypted_tokens
            .as_deref()
            .map(|sealed| tokens::open(keys, &self.identity(), sealed))
    }
}

const COLUMNS: &str =
    "c.id, c.user_id, u.workspace_id, c.provider_id, c.encrypted_tokens, c.status, \
     c.provider_user_id, c.last_error, c.last_synced_at, c.connected_at, c.sync_cursor, u.timezone";

pub async fn for_user(db: &Db, user_id: &str) -> Result<Vec<ConnectionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM provider_connections c JOIN users u ON u.id = c.user_id \
         WHERE c.user_id = $1 ORDER BY c.provider_id"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<ConnectionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM provider_connections c JOIN users u ON u.id = c.user_id WHERE c.id = $1"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

pub async fn find(
    db: &Db,
    user_id: &str,
    provider_id: &str,
) -> Result<Option<ConnectionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM provider_connections c JOIN users u ON u.id = c.user_id \
         WHERE c.user_id = $1 AND c.provider_id = $2"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(user_id).bind(provider_id).fetch_optional(pool).await)
}

/// The connections of one account at a provider (push notifications name people this way).
/// Usually one; two when two people here connected the same provider account.
pub async fn by_account(
    db: &Db,
    provider_id: &str,
    account_id: &str,
) -> Result<Vec<ConnectionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM provider_connections c JOIN users u ON u.id = c.user_id \
         WHERE c.provider_id = $1 AND c.provider_user_id = $2 ORDER BY c.id"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(provider_id).bind(account_id).fetch_all(pool).await)
}

/// Every connection holding tokens (key rotation).
pub async fn with_tokens(db: &Db) -> Result<Vec<ConnectionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM provider_connections c JOIN users u ON u.id = c.user_id \
         WHERE c.encrypted_tokens IS NOT NULL ORDER BY c.id"
    );
    with_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// Active connections (the scheduler picks the due ones).
pub async fn active(db: &Db) -> Result<Vec<ConnectionRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM provider_connections c JOIN users u ON u.id = c.user_id \
         WHERE c.status = 'active' AND c.encrypted_tokens IS NOT NULL ORDER BY c.id"
    );
    with_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

pub struct Connected<'a> {
    pub workspace_id: &'a str,
    pub user_id: &'a str,
    pub provider_id: &'a str,
    pub tokens: &'a TokenSet,
    pub account_id: Option<&'a str>,
    pub scopes: &'a [&'a str],
}

/// Stores a fresh grant: a new row, or the user's earlier row for this provider made active
/// again (its sync cursor is kept, so reconnecting does not fetch everything twice).
pub async fn save_connected(
    db: &Db,
    keys: &KeyRing,
    c: Connected<'_>,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let sealed = tokens::seal(
        keys,
        &RowIdentity {
            workspace_id: c.workspace_id,
            user_id: c.user_id,
            provider_id: c.provider_id,
        },
        c.tokens,
    );
    let scopes = sqlx::types::Json(c.scopes.to_vec());
    with_db!(db, pool => sqlx::query_scalar(
        "INSERT INTO provider_connections (id, user_id, provider_id, encrypted_tokens, status, \
         provider_user_id, scopes, last_error, connected_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'active', $5, $6, NULL, $7, $7, $7) \
         ON CONFLICT (user_id, provider_id) DO UPDATE SET encrypted_tokens = excluded.encrypted_tokens, \
         status = 'active', provider_user_id = excluded.provider_user_id, scopes = excluded.scopes, \
         last_error = NULL, connected_at = excluded.connected_at, updated_at = excluded.updated_at \
         RETURNING id")
        .bind(new_id())
        .bind(c.user_id)
        .bind(c.provider_id)
        .bind(sealed)
        .bind(c.account_id)
        .bind(scopes)
        .bind(now)
        .fetch_one(pool)
        .await)
}

/// Persists refreshed tokens (in one statement, so the old and new set never mix). Refuses a
/// connection that was disconnected meanwhile.
pub async fn store_tokens(
    db: &Db,
    keys: &KeyRing,
    conn: &ConnectionRow,
    tokens: &TokenSet,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sealed = tokens::seal(keys, &conn.identity(), tokens);
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE provider_connections SET encrypted_tokens = $1, updated_at = $2 \
         WHERE id = $3 AND encrypted_tokens IS NOT NULL")
        .bind(sealed)
        .bind(now)
        .bind(&conn.id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Re-seals a value under the primary key (key rotation); `expected` guards against a
/// concurrent refresh having replaced it.
pub async fn reseal(db: &Db, id: &str, expected: &str, sealed: &str) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE provider_connections SET encrypted_tokens = $1 WHERE id = $2 AND encrypted_tokens = $3")
        .bind(sealed)
        .bind(id)
        .bind(expected)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn mark_synced(
    db: &Db,
    id: &str,
    cursor: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE provider_connections SET last_synced_at = $1, sync_cursor = $2, last_error = NULL, \
         status = 'active', updated_at = $1 WHERE id = $3 AND status <> 'disconnected'")
        .bind(now)
        .bind(cursor)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a failure the user must see; `broken` turns the connection to `error`.
pub async fn mark_error(
    db: &Db,
    id: &str,
    message: &str,
    broken: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let status_sql = if broken { "'error'" } else { "status" };
    let sql = format!(
        "UPDATE provider_connections SET last_error = $1, status = {status_sql}, updated_at = $2 \
         WHERE id = $3 AND status <> 'disconnected'"
    );
    with_db!(db, pool => sqlx::query(&sql)
        .bind(message)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets the tokens and closes any open job, in one transaction.
pub async fn disconnect(
    db: &Db,
    conn: &ConnectionRow,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "UPDATE provider_connections SET encrypted_tokens = NULL, status = 'disconnected', \
             last_error = NULL, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&conn.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE sync_jobs SET status = 'failed', error = 'Disconnected.', completed_at = $1, \
             locked_until = NULL WHERE connection_id = $2 AND status IN ('pending', 'running')")
            .bind(now)
            .bind(&conn.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }.await)
}
