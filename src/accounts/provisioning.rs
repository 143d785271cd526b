//! Creating workspaces and accounts: first-run setup, `admin bootstrap`, the Instance page,
//! invitations and open sign-up all end here, each in one transaction.

use crate::webhooks::EventType;
use chrono::Utc;

use super::repo;
use super::validate;
use crate::error::AppError;
use crate::identity::Role;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::platform::password;
use crate::with_db;

/// A person about to get an account. The password is plain text here and hashed inside.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    pub display_name: Option<String>,
    pub timezone: String,
}

impl NewAccount {
    /// Validates and normalises the fields (email lower-cased, time zone checked).
    pub fn validated(self) -> Result<Self, AppError> {
        let email = validate::email("email", &self.email)?;
        password::validate("password", &self.password)?;
        let display_name = match self.display_name {
            Some(n) => validate::display_name("display_name", &n)?,
            None => None,
        };
        let timezone = super::timezone::validate("timezone", &self.timezone)?;
        Ok(Self {
            email,
            display_name,
            timezone,
            ..self
        })
    }
}

fn unique_to_conflict(err: sqlx::Error, message: &str) -> AppError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            AppError::Conflict(message.to_string())
        }
        _ => err.into(),
    }
}

/// Creates a workspace and its first admin. `owner` makes that admin the instance owner.
pub async fn create_workspace_with_admin(
    db: &Db,
    name: &str,
    slug: Option<&str>,
    admin: NewAccount,
    owner: bool,
) -> Result<(String, String), AppError> {
    let name = validate::workspace_name("name", name)?;
    let slug = validate::slug_for(&name, slug)?;
    let admin = admin.validated()?;
    if repo::workspace_by_slug(db, &slug).await?.is_some() {
        return Err(AppError::invalid(
            "slug",
            format!("The address \u{201c}{slug}\u{201d} is taken; choose another."),
        ));
    }
    if repo::email_taken(db, &admin.email).await? {
        return Err(AppError::invalid(
            "email",
            "An account with this email already exists.",
        ));
    }
    let hash = password::hash(admin.password.clone()).await?;
    let (ws_id, user_id, now) = (new_id(), new_id(), Utc::now());
    with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        sqlx::query("INSERT INTO workspaces (id, name, slug, allow_signup, created_at, updated_at) VALUES ($1, $2, $3, false, $4, $4)")
            .bind(&ws_id).bind(&name).bind(&slug).bind(now)
            .execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO users (id, workspace_id, email, display_name, password_hash, role, is_instance_owner, timezone, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'admin', $6, $7, $8, $8)")
            .bind(&user_id).bind(&ws_id).bind(&admin.email).bind(&admin.display_name)
            .bind(&hash).bind(owner).bind(&admin.timezone).bind(now)
            .execute(&mut *tx).await?;
        tx.commit().await
    }.await)
    .map_err(|e| unique_to_conflict(e, "That workspace address or email is already in use."))?;
    Ok((ws_id, user_id))
}

/// Adds a person to a workspace (open sign-up). Returns the new user's id.
pub async fn create_member(
    db: &Db,
    workspace_id: &str,
    account: NewAccount,
    role: Role,
) -> Result<String, AppError> {
    let account = account.validated()?;
    if repo::email_taken(db, &account.email).await? {
        return Err(AppError::invalid(
            "email",
            "An account with this email already exists. Sign in instead.",
        ));
    }
    let hash = password::hash(account.password.clone()).await?;
    let (user_id, now) = (new_id(), Utc::now());
    with_db!(db, pool => sqlx::query(
        "INSERT INTO users (id, workspace_id, email, display_name, password_hash, role, timezone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
        .bind(&user_id).bind(workspace_id).bind(&account.email).bind(&account.display_name)
        .bind(&hash).bind(role.as_str()).bind(&account.timezone).bind(now)
        .execute(pool).await.map(|r| r.rows_affected()))
    .map_err(|e| unique_to_conflict(e, "An account with this email already exists."))?;
    crate::webhooks::events::emit(
        db,
        workspace_id,
        EventType::UserCreated,
        crate::webhooks::events::user_data(&user_id, None),
    )
    .await;
    Ok(user_id)
}

/// Creates a one-time invitation and returns its token (stored only as a hash, so the caller
/// shows it once).
pub async fn invite(
    db: &Db,
    workspace_id: &str,
    invitation: &repo::NewInvitation<'_>,
) -> Result<String, AppError> {
    let token = crate::platform::ids::random_token();
    repo::create_invitation(
        db,
        workspace_id,
        invitation,
        &crate::platform::ids::sha256_hex(&token),
    )
    .await?;
    Ok(token)
}

/// Uses an invitation once: marks it accepted and creates the account, or, when it names an
/// existing person, gives that person their password and role (keeping their data, external id
/// and time zone), atomically, so a link can never be used twice.
pub async fn accept_invitation(
    db: &Db,
    invitation_id: &str,
    account: NewAccount,
) -> Result<String, AppError> {
    let account = account.validated()?;
    let hash = password::hash(account.password.clone()).await?;
    let (new_user_id, now) = (new_id(), Utc::now());
    let accepted = with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        let claimed: Option<(String, String, Option<String>, String)> = sqlx::query_as(
            "UPDATE invitations SET accepted_at = $2 \
             WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
             RETURNING workspace_id, role, user_id, email")
            .bind(invitation_id).bind(now)
            .fetch_optional(&mut *tx).await?;
        let Some((workspace_id, role, existing, invited_email)) = claimed else { return Ok(None) };
        let event = match existing {
            Some(user_id) => {
                let updated: Option<(Option<String>,)> = sqlx::query_as(
                    "UPDATE users SET password_hash = $3, role = $4, \
                         display_name = COALESCE($5, display_name), updated_at = $6 \
                     WHERE id = $1 AND workspace_id = $2 AND password_hash IS NULL AND disabled_at IS NULL \
                       AND email = $7 \
                     RETURNING external_id")
                    .bind(&user_id).bind(&workspace_id).bind(&hash).bind(&role)
                    .bind(&account.display_name).bind(now).bind(&invited_email)
                    .fetch_optional(&mut *tx).await?;
                // None: meanwhile they got a password, were switched off or their email changed
                // (the password goes only to the address the link was for); nothing is kept.
                let Some((external_id,)) = updated else { return Ok(None) };
                (user_id, external_id, EventType::UserUpdated)
            }
            None => {
                sqlx::query(
                    "INSERT INTO users (id, workspace_id, email, display_name, password_hash, role, timezone, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
                    .bind(&new_user_id).bind(&workspace_id).bind(&account.email).bind(&account.display_name)
                    .bind(&hash).bind(&role).bind(&account.timezone).bind(now)
                    .execute(&mut *tx).await?;
                (new_user_id.clone(), None, EventType::UserCreated)
            }
        };
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Some((workspace_id, event)))
    }.await)
    .map_err(|e| unique_to_conflict(e, "An account with this email already exists. Sign in instead."))?;
    let Some((workspace_id, (user_id, external_id, event))) = accepted else {
        return Err(AppError::Conflict(
            "This invitation has already been used, was revoked or has expired.".into(),
        ));
    };
    crate::webhooks::events::emit(
        db,
        &workspace_id,
        event,
        crate::webhooks::events::user_data(&user_id, external_id.as_deref()),
    )
    .await;
    Ok(user_id)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    Created {
        workspace_id: String,
        user_id: String,
    },
    AlreadyDone,
}

/// Headless first-run: creates the first workspace and its owner, or does nothing when this
/// exact owner already exists. Refuses when the instance already belongs to someone else.
pub async fn bootstrap(
    db: &Db,
    name: &str,
    slug: Option<&str>,
    admin: NewAccount,
) -> Result<Bootstrap, AppError> {
    let email = validate::email("email", &admin.email)?;
    let owner: Option<String> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT email FROM users WHERE is_instance_owner = true LIMIT 1")
        .fetch_optional(pool).await)?
    .flatten();
    match owner {
        Some(existing) if existing == email => Ok(Bootstrap::AlreadyDone),
        Some(existing) => Err(AppError::Conflict(format!(
            "This instance is already set up; its owner is {existing}."
        ))),
        None => {
            let (workspace_id, user_id) =
                create_workspace_with_admin(db, name, slug, admin, true).await?;
            Ok(Bootstrap::Created {
                workspace_id,
                user_id,
            })
        }
    }
}
