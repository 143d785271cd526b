//! The workspace's people as the REST API and the admin's user list see them: people who sign
//! in and people who exist only through the API (an `external_id` from another app). Every
//! query names the workspace.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;

use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Debug, Clone, FromRow)]
pub struct UserRecord {
    pub id: String,
    pub workspace_id: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub metadata: Json<serde_json::Value>,
    pub role: String,
    pub is_instance_owner: bool,
    /// True for people who sign in with a password (members and admins).
    pub can_sign_in: bool,
    pub timezone: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, workspace_id, external_id, email, display_name, metadata, role, \
     is_instance_owner, (password_hash IS NOT NULL) AS can_sign_in, timezone, disabled_at, \
     created_at, updated_at";

/// What a new or changed user holds (already validated).
#[derive(Debug, Clone)]
pub struct UserFields {
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub timezone: String,
    pub metadata: serde_json::Value,
}

pub async fn get(db: &Db, workspace_id: &str, id: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1 AND workspace_id = $2");
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(workspace_id).fetch_optional(pool).await)
}

/// The workspace a person belongs to.
pub async fn workspace_of(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar("SELECT workspace_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)
}

pub async fn by_external_id(
    db: &Db,
    workspace_id: &str,
    external_id: &str,
) -> Result<Option<UserRecord>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE external_id = $1 AND workspace_id = $2");
    with_db!(db, pool => sqlx::query_as(&sql).bind(external_id).bind(workspace_id).fetch_optional(pool).await)
}

/// A page of the workspace's users in id (creation) order after `after`. Rows inserted while a
/// client pages have larger ids, so they appear on later pages and never shift earlier ones.
pub async fn list(
    db: &Db,
    workspace_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// Inserts an API user (no password: they cannot sign in until invited).
pub async fn create(
    db: &Db,
    workspace_id: &str,
    fields: &UserFields,
) -> Result<UserRecord, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO users (id, workspace_id, external_id, email, display_name, metadata, timezone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
        .bind(&id)
        .bind(workspace_id)
        .bind(&fields.external_id)
        .bind(&fields.email)
        .bind(&fields.display_name)
        .bind(Json(&fields.metadata))
        .bind(&fields.timezone)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(get(db, workspace_id, &id)
        .await?
        .expect("the row just inserted"))
}

/// Replaces the user's fields; `None` when there is no such user in the workspace.
pub async fn update(
    db: &Db,
    workspace_id: &str,
    id: &str,
    fields: &UserFields,
) -> Result<Option<UserRecord>, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE users SET external_id = $3, email = $4, display_name = $5, metadata = $6, timezone = $7, updated_at = $8 \
         WHERE id = $1 AND workspace_id = $2")
        .bind(id)
        .bind(workspace_id)
        .bind(&fields.external_id)
        .bind(&fields.email)
        .bind(&fields.display_name)
        .bind(Json(&fields.metadata))
        .bind(&fields.timezone)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(None);
    }
    get(db, workspace_id, id).await
}

/// Deletes the user and (by cascade) every row of their data; false when there is none.
pub async fn delete(db: &Db, workspace_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query("DELETE FROM users WHERE id = $1 AND workspace_id = $2")
        .bind(id)
        .bind(workspace_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
