//! Queries for workspaces, users and invitations (signed-in sessions are the `auth` feature's).
//! Every query that reads a person's data is scoped by workspace or user id.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::identity::Role;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

pub async fn workspace_count(db: &Db) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM workspaces").fetch_one(pool).await)
}

#[derive(Debug, Clone, FromRow)]
pub struct LoginRow {
    pub id: String,
    pub password_hash: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
}

pub async fn find_login(db: &Db, email: &str) -> Result<Option<LoginRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, password_hash, disabled_at FROM users WHERE email = $1 AND password_hash IS NOT NULL")
        .bind(email)
        .fetch_optional(pool)
        .await)
}

pub async fn email_taken(db: &Db, email: &str) -> Result<bool, sqlx::Error> {
    Ok(find_login(db, email).await?.is_some())
}

pub async fn password_hash(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)
    .map(Option::flatten)
}

pub async fn set_password_hash(db: &Db, user_id: &str, hash: &str) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(user_id)
        .bind(hash)
        .bind(Utc::now())
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn update_profile(
    db: &Db,
    user_id: &str,
    display_name: Option<&str>,
    timezone: &str,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE users SET display_name = $2, timezone = $3, updated_at = $4 WHERE id = $1")
        .bind(user_id)
        .bind(display_name)
        .bind(timezone)
        .bind(Utc::now())
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn touch_login(db: &Db, user_id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
        .bind(user_id)
        .bind(now)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes invitations that expired before `before` without being accepted.
pub async fn sweep_invitations(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM invitations WHERE expires_at < $1 AND accepted_at IS NULL")
        .bind(before)
        .execute(pool)
        .await.map(|r| r.rows_affected()))
}

// ── Workspace members and settings ───────────────────────────────────────────────────────────

#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub id: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Role,
    pub is_instance_owner: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub async fn list_members(db: &Db, workspace_id: &str) -> Result<Vec<MemberRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, email, display_name, role, is_instance_owner, disabled_at, last_login_at, created_at \
         FROM users WHERE workspace_id = $1 AND password_hash IS NOT NULL ORDER BY created_at")
        .bind(workspace_id)
        .fetch_all(pool)
        .await)
}

#[derive(Debug, Clone, FromRow)]
pub struct WorkspaceRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub allow_signup: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn workspace(db: &Db, id: &str) -> Result<Option<WorkspaceRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, name, slug, allow_signup, created_at FROM workspaces WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await)
}

pub async fn workspace_by_slug(db: &Db, slug: &str) -> Result<Option<WorkspaceRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, name, slug, allow_signup, created_at FROM workspaces WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await)
}

pub async fn set_allow_signup(db: &Db, workspace_id: &str, allow: bool) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("UPDATE workspaces SET allow_signup = $2, updated_at = $3 WHERE id = $1")
        .bind(workspace_id)
        .bind(allow)
        .bind(Utc::now())
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct WorkspaceSummaryRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub created_at: DateTime<Utc>,
    pub member_count: i64,
}

pub async fn list_workspaces(db: &Db) -> Result<Vec<WorkspaceSummaryRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT w.id, w.name, w.slug, w.created_at, \
                (SELECT COUNT(*) FROM users u WHERE u.workspace_id = w.id) AS member_count \
         FROM workspaces w ORDER BY w.created_at")
        .fetch_all(pool)
        .await)
}

// ── Invitations ──────────────────────────────────────────────────────────────────────────────

#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub workspace_id: String,
    pub workspace_name: String,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The existing person the invitation gives a password to; none for a new account.
    pub user_id: Option<String>,
}

/// What an invitation offers: the address it is for, the role, and optionally the existing
/// (passwordless) person of the workspace who accepts it.
pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub role: Role,
    pub user_id: Option<&'a str>,
    pub invited_by: &'a str,
    pub expires_at: DateTime<Utc>,
}

pub async fn create_invitation(
    db: &Db,
    workspace_id: &str,
    invitation: &NewInvitation<'_>,
    token_hash: &str,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by, expires_at, created_at, user_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(&id)
        .bind(workspace_id)
        .bind(invitation.email)
        .bind(invitation.role)
        .bind(token_hash)
        .bind(invitation.invited_by)
        .bind(invitation.expires_at)
        .bind(Utc::now())
        .bind(invitation.user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(id)
}

const INVITATION_COLUMNS: &str =
    "i.id, i.workspace_id, w.name AS workspace_name, i.email, i.role, \
     i.expires_at, i.accepted_at, i.revoked_at, i.created_at, i.user_id";

pub async fn invitation_by_token_hash(
    db: &Db,
    token_hash: &str,
) -> Result<Option<InvitationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations i JOIN workspaces w ON w.id = i.workspace_id \
         WHERE i.token_hash = $1"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await)
}

/// Invitations of a workspace not yet accepted or revoked, newest first.
pub async fn open_invitations(
    db: &Db,
    workspace_id: &str,
) -> Result<Vec<InvitationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations i JOIN workspaces w ON w.id = i.workspace_id \
         WHERE i.workspace_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL \
         ORDER BY i.created_at DESC"
    );
    with_db!(db, pool => sqlx::query_as(&sql).bind(workspace_id).fetch_all(pool).await)
}

/// Revokes an open invitation of the workspace; false when there is none with that id.
pub async fn revoke_invitation(db: &Db, workspace_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE invitations SET revoked_at = $3 \
         WHERE id = $1 AND workspace_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(id)
        .bind(workspace_id)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Revokes a person's open invitations (before a new one replaces them).
pub async fn revoke_person_invitations(
    db: &Db,
    workspace_id: &str,
    user_id: &str,
) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE invitations SET revoked_at = $3 \
         WHERE user_id = $1 AND workspace_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(user_id)
        .bind(workspace_id)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}

/// When the open invitation of a person ends, if they have one.
pub async fn person_invitation_expiry(
    db: &Db,
    workspace_id: &str,
    user_id: &str,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT expires_at FROM invitations \
         WHERE user_id = $1 AND workspace_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL \
           AND expires_at > $3 ORDER BY expires_at DESC LIMIT 1")
        .bind(user_id)
        .bind(workspace_id)
        .bind(Utc::now())
        .fetch_optional(pool)
        .await)
}

/// A sign-in user's id and time zone, by email (for command-line tasks).
#[derive(Debug, Clone, FromRow)]
pub struct UserRef {
    pub id: String,
    pub timezone: String,
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRef>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, timezone FROM users WHERE email = $1 AND password_hash IS NOT NULL")
        .bind(email)
        .fetch_optional(pool)
        .await)
}
