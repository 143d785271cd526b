//! The demo authorization server's grants. Codes and tokens are kept as SHA-256 hashes.

use chrono::{DateTime, Duration, Utc};

use super::{ACCESS_TOKEN_SECONDS, CODE_SECONDS};
use crate::platform::db::Db;
use crate::platform::ids::{new_id, random_token, sha256_hex};
use crate::with_db;

pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub scope: String,
}

/// Records an approved authorization; returns the one-time code.
pub async fn create(
    db: &Db,
    user_id: &str,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    code_challenge: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let code = random_token();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO demo_grants (id, user_id, client_id, redirect_uri, scope, code_hash, \
         code_challenge, code_expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(new_id())
        .bind(user_id)
        .bind(client_id)
        .bind(redirect_uri)
        .bind(scope)
        .bind(sha256_hex(&code))
        .bind(code_challenge)
        .bind(now + Duration::seconds(CODE_SECONDS))
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(code)
}

#[derive(sqlx::FromRow)]
pub struct CodeGrant {
    pub id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    pub code_expires_at: Option<DateTime<Utc>>,
}

/// Takes a code (it works once: the hash is cleared in the same statement).
pub async fn take_code(db: &Db, code: &str) -> Result<Option<CodeGrant>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "UPDATE demo_grants SET code_hash = NULL WHERE code_hash = $1 AND revoked_at IS NULL \
         RETURNING id, client_id, redirect_uri, scope, code_challenge, code_expires_at")
        .bind(sha256_hex(code))
        .fetch_optional(pool)
        .await)
}

/// Issues a fresh access and refresh token for the grant (the old refresh token stops working).
pub async fn issue(
    db: &Db,
    grant_id: &str,
    scope: &str,
    now: DateTime<Utc>,
) -> Result<Issued, sqlx::Error> {
    let access = random_token();
    let refresh = random_token();
    with_db!(db, pool => sqlx::query(
        "UPDATE demo_grants SET access_hash = $1, access_expires_at = $2, refresh_hash = $3 WHERE id = $4")
        .bind(sha256_hex(&access))
        .bind(now + Duration::seconds(ACCESS_TOKEN_SECONDS))
        .bind(sha256_hex(&refresh))
        .bind(grant_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(Issued {
        access_token: access,
        refresh_token: refresh,
        expires_in: ACCESS_TOKEN_SECONDS,
        scope: scope.to_string(),
    })
}

/// The grant a refresh token belongs to, if it is current and not revoked.
pub async fn by_refresh(
    db: &Db,
    refresh_token: &str,
) -> Result<Option<(String, String, String)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, client_id, scope FROM demo_grants WHERE refresh_hash = $1 AND revoked_at IS NULL")
        .bind(sha256_hex(refresh_token))
        .fetch_optional(pool)
        .await)
}

/// The user an access token speaks for, if it is current.
pub async fn user_of_access(
    db: &Db,
    access_token: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT user_id FROM demo_grants WHERE access_hash = $1 AND revoked_at IS NULL \
         AND access_expires_at > $2")
        .bind(sha256_hex(access_token))
        .bind(now)
        .fetch_optional(pool)
        .await)
}

/// Revokes the grant a token (access or refresh) belongs to.
pub async fn revoke(db: &Db, token: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let hash = sha256_hex(token);
    with_db!(db, pool => sqlx::query(
        "UPDATE demo_grants SET revoked_at = $1, access_hash = NULL, refresh_hash = NULL \
         WHERE (access_hash = $2 OR refresh_hash = $2) AND revoked_at IS NULL")
        .bind(now)
        .bind(&hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}

/// Drops unused codes and revoked grants after a day (housekeeping).
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "DELETE FROM demo_grants WHERE (revoked_at IS NOT NULL AND revoked_at < $1) \
         OR (access_hash IS NULL AND refresh_hash IS NULL AND created_at < $1)")
        .bind(now - Duration::days(1))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}
