//! The workspace's people as the REST API and the admin's user list see them: people who sign
//! in and people who exist only through the API (an `external_id` from another app). Every
//! query names the workspace.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;

use crate::accounts::{validate, Role};
use crate::identity::{UserId, WorkspaceId};
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Debug, Clone, FromRow)]
pub struct UserRecord {
    pub id: UserId,
    pub workspace_id: WorkspaceId,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub metadata: Json<serde_json::Value>,
    pub role: Role,
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

const METADATA_MAX_BYTES: usize = 16 * 1024;

/// Checks a person's fields (named as the API names them) and reports every problem at once.
pub fn check_fields(
    external_id: Option<String>,
    email: Option<String>,
    display_name: Option<String>,
    timezone: Option<String>,
    metadata: Option<serde_json::Value>,
) -> Result<UserFields, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let external_id = match external_id.map(|e| e.trim().to_string()) {
        Some(e) if e.is_empty() || e.chars().count() > 255 => {
            problems.push(("externalId", "Use 1 to 255 characters.".into()));
            None
        }
        other => other,
    };
    let email = match email.filter(|e| !e.trim().is_empty()) {
        Some(e) => match validate::email("email", &e) {
            Ok(e) => Some(e),
            Err(err) => {
                problems.push(("email", err.to_string()));
                None
            }
        },
        None => None,
    };
    let display_name = match display_name {
        Some(n) => match validate::display_name("displayName", &n) {
            Ok(n) => n,
            Err(err) => {
                problems.push(("displayName", err.to_string()));
                None
            }
        },
        None => None,
    };
    let timezone = match timezone.filter(|t| !t.trim().is_empty()) {
        Some(t) => match t.trim().parse::<chrono_tz::Tz>() {
            Ok(tz) => tz.name().to_string(),
            Err(_) => {
                problems.push((
                    "timezone",
                    "Use an IANA time zone name such as Europe/Paris.".into(),
                ));
                String::new()
            }
        },
        None => "UTC".to_string(),
    };
    let metadata = metadata.unwrap_or_else(|| serde_json::json!({}));
    if !metadata.is_object() {
        problems.push(("metadata", "Use a JSON object.".into()));
    } else if metadata.to_string().len() > METADATA_MAX_BYTES {
        problems.push(("metadata", "Keep metadata under 16 KB.".into()));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(UserFields {
        external_id,
        email,
        display_name,
        timezone,
        metadata,
    })
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

/// Who asks to switch a person off, delete them or change their role.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// An admin signed in to VitaSync (their user id).
    Admin(&'a str),
    /// An API key of the workspace.
    ApiKey,
}

impl UserRecord {
    /// The one rule for switching off, deleting and re-roling people, for the admin pages and
    /// the API alike: never the instance owner, never yourself, and a workspace admin who signs
    /// in only by another signed-in admin (an API key cannot lock people out of VitaSync).
    pub fn manageable_by(&self, by: Actor<'_>) -> Result<(), &'static str> {
        if self.is_instance_owner {
            return Err("The instance owner cannot be switched off, deleted or demoted.");
        }
        match by {
            Actor::Admin(me) if self.id == *me => {
                Err("You cannot do this to your own account; another admin can.")
            }
            Actor::ApiKey if self.role == Role::Admin && self.can_sign_in => {
                Err("This user is a workspace admin; an admin removes admins in VitaSync itself.")
            }
            _ => Ok(()),
        }
    }
}

impl UserRecord {
    /// A person who signs in does so with their email: an API key may not change or clear it
    /// (that would lock them out, the instance owner included); they change it in Settings.
    pub fn email_changeable_by(
        &self,
        by: Actor<'_>,
        new: Option<&str>,
    ) -> Result<(), &'static str> {
        let same = match (self.email.as_deref(), new) {
            (Some(old), Some(new)) => old.trim().eq_ignore_ascii_case(new.trim()),
            (None, None) => true,
            _ => false,
        };
        match by {
            Actor::ApiKey if self.can_sign_in && !same => {
                Err("This person signs in with this email; only they change it, in their settings.")
            }
            _ => Ok(()),
        }
    }
}

/// Makes a person who signs in a member or an admin; false when there is no such person (or
/// they have no password yet: their role comes with their invitation).
pub async fn set_role(
    db: &Db,
    workspace_id: &str,
    id: &str,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE users SET role = $1, updated_at = $2 \
         WHERE id = $3 AND workspace_id = $4 AND password_hash IS NOT NULL")
        .bind(role)
        .bind(Utc::now())
        .bind(id)
        .bind(workspace_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Switches a person off (they cannot sign in, and their sessions stop at once) or back on.
pub async fn set_disabled(
    db: &Db,
    workspace_id: &str,
    id: &str,
    disabled: bool,
) -> Result<bool, sqlx::Error> {
    let now = Utc::now();
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE users SET disabled_at = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4")
        .bind(disabled.then_some(now))
        .bind(now)
        .bind(id)
        .bind(workspace_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A page of the workspace's people whose email, name or external id contains `search`
/// (case-insensitive), in id (creation) order after `after`.
pub async fn search(
    db: &Db,
    workspace_id: &str,
    search: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRecord>, sqlx::Error> {
    let pattern = if search.trim().is_empty() {
        String::new()
    } else {
        let escaped = search
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE workspace_id = $1 AND id > $2 \
           AND ($3 = '' OR LOWER(COALESCE(email, '')) LIKE $3 ESCAPE '\\' \
                OR LOWER(COALESCE(display_name, '')) LIKE $3 ESCAPE '\\' \
                OR LOWER(COALESCE(external_id, '')) LIKE $3 ESCAPE '\\') \
         ORDER BY id LIMIT $4"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(after.unwrap_or(""))
        .bind(&pattern)
        .bind(limit)
        .fetch_all(pool)
        .await)
}
