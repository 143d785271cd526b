//! Queries for signed-in sessions (`auth_sessions`): starting, touching and ending them, the
//! list a person sees in their settings, and resolving one to its signed-in person. Every query
//! that reads a person's sessions is scoped by user id.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::identity::{Role, SessionUser, UserId, WorkspaceId};
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Debug, Clone, FromRow)]
struct SessionUserRow {
    id: UserId,
    workspace_id: WorkspaceId,
    workspace_name: String,
    email: Option<String>,
    display_name: Option<String>,
    role: Role,
    is_instance_owner: bool,
    timezone: String,
    unit_system: Option<String>,
    unit_distance: Option<String>,
    unit_weight: Option<String>,
    unit_temperature: Option<String>,
    unit_volume: Option<String>,
    session_created_at: DateTime<Utc>,
    session_last_seen_at: DateTime<Utc>,
}

/// A signed-in session joined with its person.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    pub user: SessionUser,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn load_session(
    db: &Db,
    auth_session_id: &str,
) -> Result<Option<LoadedSession>, sqlx::Error> {
    let row: Option<SessionUserRow> = with_db!(db, pool => sqlx::query_as(
        "SELECT u.id, u.workspace_id, w.name AS workspace_name, u.email, u.display_name, u.role, \
                u.is_instance_owner, u.timezone, s.created_at AS session_created_at, \
                s.last_seen_at AS session_last_seen_at, p.system AS unit_system, \
                p.distance AS unit_distance, p.weight AS unit_weight, \
                p.temperature AS unit_temperature, p.volume AS unit_volume \
         FROM auth_sessions s \
         JOIN users u ON u.id = s.user_id \
         JOIN workspaces w ON w.id = u.workspace_id \
         LEFT JOIN unit_preferences p ON p.user_id = u.id \
         WHERE s.id = $1 AND u.disabled_at IS NULL AND u.password_hash IS NOT NULL")
        .bind(auth_session_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|r| LoadedSession {
        user: SessionUser {
            id: r.id,
            workspace_id: r.workspace_id,
            workspace_name: r.workspace_name,
            email: r.email.unwrap_or_default(),
            display_name: r.display_name,
            role: r.role,
            is_instance_owner: r.is_instance_owner,
            timezone: r.timezone,
            units: crate::units::Units::from_words(
                r.unit_system.as_deref(),
                r.unit_distance.as_deref(),
                r.unit_weight.as_deref(),
                r.unit_temperature.as_deref(),
                r.unit_volume.as_deref(),
            ),
        },
        created_at: r.session_created_at,
        last_seen_at: r.session_last_seen_at,
    }))
}

pub async fn create_auth_session(
    db: &Db,
    user_id: &str,
    user_agent: Option<&str>,
    ip: Option<&str>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO auth_sessions (id, user_id, user_agent, ip, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(&id)
        .bind(user_id)
        .bind(user_agent.map(|ua| ua.chars().take(300).collect::<String>()))
        .bind(ip)
        .bind(now)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(id)
}

pub async fn touch_auth_session(db: &Db, id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("UPDATE auth_sessions SET last_seen_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes sessions idle since `idle_before` or started before `started_before`.
pub async fn sweep_auth_sessions(
    db: &Db,
    idle_before: DateTime<Utc>,
    started_before: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM auth_sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_before)
        .bind(started_before)
        .execute(pool)
        .await.map(|r| r.rows_affected()))
}

pub async fn delete_auth_session(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM auth_sessions WHERE id = $1").bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends one of the user's own sessions; false when it is not theirs.
pub async fn delete_user_session(db: &Db, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let res = with_db!(db, pool => sqlx::query("DELETE FROM auth_sessions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(res > 0)
}

/// Ends every session of the user except `keep`; returns how many ended.
pub async fn delete_other_sessions(db: &Db, user_id: &str, keep: &str) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}

#[derive(Debug, Clone, FromRow)]
pub struct AuthSessionRow {
    pub id: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn list_auth_sessions(
    db: &Db,
    user_id: &str,
) -> Result<Vec<AuthSessionRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, user_agent, ip, created_at, last_seen_at FROM auth_sessions \
         WHERE user_id = $1 ORDER BY last_seen_at DESC")
        .bind(user_id)
        .fetch_all(pool)
        .await)
}
