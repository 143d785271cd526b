//! The step between a platform's "connect" link and the provider's consent page. A connection
//! started through the REST API hands the platform a VitaSync page (`/connect/{token}`) rather
//! than the provider's URL: the page names the workspace and the person the connection is for,
//! so someone who opens a link that is not theirs sees so before anything is sent to the
//! provider. Continuing builds the authorization request then (its OAuth state lives ten
//! minutes from that moment); cancelling returns the browser to the platform with
//! `status=error&error=denied`. A handoff is used once, either way, and lasts ten minutes; its
//! token is random (256 bits) and stored only as a SHA-256 hash.

use chrono::{DateTime, Duration, Utc};

use crate::platform::db::Db;
use crate::platform::ids::{random_token, sha256_hex};
use crate::with_db;

pub const LIFETIME_MINUTES: i64 = 10;

/// The page a handoff token opens, relative to this server.
pub fn path(token: &str) -> String {
    format!("/connect/{token}")
}

/// A handoff waiting for the person's choice.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Handoff {
    pub user_id: String,
    pub provider_id: String,
    pub return_url: String,
    pub base_url: String,
    pub expires_at: DateTime<Utc>,
}

/// What the page shows about a handoff: who it is for, and where the browser goes back to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Shown {
    pub provider_id: String,
    pub return_url: String,
    pub expires_at: DateTime<Utc>,
    pub workspace_name: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub user_id: String,
}

/// Stores a handoff and returns its token (shown once, in the URL handed to the platform).
pub async fn create(
    db: &Db,
    user_id: &str,
    provider_id: &str,
    return_url: &str,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), sqlx::Error> {
    let token = random_token();
    let expires_at = now + Duration::minutes(LIFETIME_MINUTES);
    with_db!(db, pool => sqlx::query(
        "INSERT INTO connect_handoffs (token_hash, user_id, provider_id, return_url, base_url, \
         expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(sha256_hex(&token))
        .bind(user_id)
        .bind(provider_id)
        .bind(return_url)
        .bind(base_url)
        .bind(expires_at)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok((token, expires_at))
}

/// The handoff behind `token` with its workspace and person, unless unknown, used or expired.
/// Reading changes nothing (a page may be rendered more than once).
pub async fn shown(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<Shown>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT h.provider_id, h.return_url, h.expires_at, w.name AS workspace_name, \
         u.display_name, u.email, u.external_id, u.id AS user_id \
         FROM connect_handoffs h JOIN users u ON u.id = h.user_id \
         JOIN workspaces w ON w.id = u.workspace_id \
         WHERE h.token_hash = $1 AND h.expires_at > $2")
        .bind(sha256_hex(token))
        .bind(now)
        .fetch_optional(pool)
        .await)
}

/// Uses up the handoff behind `token`: of two submissions racing with one token, exactly one
/// gets it. `None` when unknown, already used or expired.
pub async fn take(
    db: &Db,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Handoff>, sqlx::Error> {
    let row: Option<Handoff> = with_db!(db, pool => sqlx::query_as(
        "DELETE FROM connect_handoffs WHERE token_hash = $1 \
         RETURNING user_id, provider_id, return_url, base_url, expires_at")
        .bind(sha256_hex(token))
        .fetch_optional(pool)
        .await)?;
    Ok(row.filter(|h| h.expires_at > now))
}

/// Drops handoffs nobody came to (housekeeping).
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM connect_handoffs WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}
