//! What other features ask of the account directory: whether the instance is set up, checking
//! a sign-in, the workspace and its members, invitations, a person's profile and password.
//! Creating workspaces and accounts is in `provisioning`, the API's view of people in
//! `directory`.

use chrono::{DateTime, Duration, Utc};

use super::provisioning;
use super::repo::{self, NewInvitation};
use crate::error::AppError;
use crate::identity::Role;
use crate::platform::db::Db;
use crate::platform::ids::sha256_hex;
use crate::platform::password;
use crate::webhooks::{events, EventType};

pub use super::repo::{InvitationRow, LoginRow, MemberRow, WorkspaceRow, WorkspaceSummaryRow};

// ── The instance and its workspaces ──────────────────────────────────────────────────────────

/// True once the instance has a workspace (first-run setup is done).
pub async fn is_set_up(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(repo::workspace_count(db).await? > 0)
}

/// Every workspace of the instance with how many people it has, oldest first.
pub async fn workspaces(db: &Db) -> Result<Vec<WorkspaceSummaryRow>, sqlx::Error> {
    repo::list_workspaces(db).await
}

/// One workspace by id.
pub async fn workspace(db: &Db, workspace_id: &str) -> Result<Option<WorkspaceRow>, sqlx::Error> {
    repo::workspace(db, workspace_id).await
}

/// The workspace behind an open sign-up link (its slug, trimmed), only when sign-up is open there.
pub async fn signup_workspace(db: &Db, slug: &str) -> Result<Option<WorkspaceRow>, sqlx::Error> {
    Ok(repo::workspace_by_slug(db, slug.trim())
        .await?
        .filter(|w| w.allow_signup))
}

/// Opens or closes sign-up by link for the workspace.
pub async fn set_open_signup(db: &Db, workspace_id: &str, allow: bool) -> Result<(), sqlx::Error> {
    repo::set_allow_signup(db, workspace_id, allow).await
}

/// The people of the workspace who sign in, oldest first.
pub async fn members(db: &Db, workspace_id: &str) -> Result<Vec<MemberRow>, sqlx::Error> {
    repo::list_members(db, workspace_id).await
}

// ── Signing in ───────────────────────────────────────────────────────────────────────────────

/// The account that signs in with `email` (already normalised), when `password` is theirs.
/// The password is checked even when there is no such account, so the answer takes as long
/// either way. A disabled account is returned too: the caller tells the person.
pub async fn check_login(
    db: &Db,
    email: &str,
    password: String,
) -> Result<Option<LoginRow>, sqlx::Error> {
    let row = repo::find_login(db, email).await?;
    let verified =
        password::verify(password, row.as_ref().and_then(|r| r.password_hash.clone())).await;
    Ok(row.filter(|_| verified))
}

/// Notes that the person just signed in (shown as their last sign-in to admins).
pub async fn record_login(db: &Db, user_id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    repo::touch_login(db, user_id, now).await
}

// ── Invitations ──────────────────────────────────────────────────────────────────────────────

/// The invitation behind a link's token, while it can still be used.
pub async fn open_invitation(db: &Db, token: &str) -> Result<InvitationRow, AppError> {
    let invalid = || {
        AppError::NotFound(
            "This invitation link is not valid. Ask your admin for a new one.".into(),
        )
    };
    let row = repo::invitation_by_token_hash(db, &sha256_hex(token.trim()))
        .await?
        .ok_or_else(invalid)?;
    if row.accepted_at.is_some() {
        return Err(AppError::Conflict(
            "This invitation has already been used. Sign in instead.".into(),
        ));
    }
    if row.revoked_at.is_some() {
        return Err(invalid());
    }
    if row.expires_at <= Utc::now() {
        return Err(AppError::Conflict(
            "This invitation has expired. Ask your admin for a new one.".into(),
        ));
    }
    Ok(row)
}

/// The workspace's invitations not yet accepted or revoked, newest first.
pub async fn open_invitations(
    db: &Db,
    workspace_id: &str,
) -> Result<Vec<InvitationRow>, sqlx::Error> {
    repo::open_invitations(db, workspace_id).await
}

/// When the open invitation of a person ends, if they have one.
pub async fn invitation_expiry(
    db: &Db,
    workspace_id: &str,
    user_id: &str,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    repo::person_invitation_expiry(db, workspace_id, user_id).await
}

/// Invites someone new by email (already validated) for `valid_for`; refused when someone
/// already signs in with that address. Returns the one-time token.
pub async fn invite_new_member(
    db: &Db,
    workspace_id: &str,
    email: &str,
    role: Role,
    invited_by: &str,
    valid_for: Duration,
) -> Result<String, AppError> {
    if repo::email_taken(db, email).await? {
        return Err(AppError::invalid(
            "email",
            "Someone with this email already has an account.",
        ));
    }
    provisioning::invite(
        db,
        workspace_id,
        &NewInvitation {
            email,
            role,
            user_id: None,
            invited_by,
            expires_at: Utc::now() + valid_for,
        },
    )
    .await
}

/// Invites an existing person of the workspace (with an email, no password yet) to sign in at
/// that address for `valid_for`. Refused when someone else already signs in with it; an
/// earlier open link for them stops working, so there is only ever one. Returns the one-time
/// token.
pub async fn invite_existing_person(
    db: &Db,
    workspace_id: &str,
    user_id: &str,
    email: &str,
    role: Role,
    invited_by: &str,
    valid_for: Duration,
) -> Result<String, AppError> {
    if repo::email_taken(db, email).await? {
        return Err(AppError::invalid(
            "role",
            "Someone else already signs in with this person's email address.",
        ));
    }
    repo::revoke_person_invitations(db, workspace_id, user_id).await?;
    provisioning::invite(
        db,
        workspace_id,
        &NewInvitation {
            email,
            role,
            user_id: Some(user_id),
            invited_by,
            expires_at: Utc::now() + valid_for,
        },
    )
    .await
}

/// Revokes an open invitation of the workspace.
pub async fn revoke_invitation(db: &Db, workspace_id: &str, id: &str) -> Result<(), AppError> {
    if repo::revoke_invitation(db, workspace_id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(
            "That invitation was already used or revoked.".into(),
        ))
    }
}

// ── A person's own account ───────────────────────────────────────────────────────────────────

/// Stores a person's display name and time zone (both already validated) and emits
/// `user.updated`.
pub async fn update_profile(
    db: &Db,
    workspace_id: &str,
    user_id: &str,
    display_name: Option<&str>,
    timezone: &str,
) -> Result<(), sqlx::Error> {
    repo::update_profile(db, user_id, display_name, timezone).await?;
    events::emit(
        db,
        workspace_id,
        EventType::UserUpdated,
        events::user_data(user_id, None),
    )
    .await;
    Ok(())
}

/// Changes a person's password after checking the current one and that the new one is valid
/// and typed the same twice. Ending their other sessions is the caller's (`auth`) part.
pub async fn change_password(
    db: &Db,
    user_id: &str,
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let stored = repo::password_hash(db, user_id).await?;
    if !password::verify(current_password, stored).await {
        return Err(AppError::invalid(
            "current_password",
            "That is not your current password.",
        ));
    }
    password::validate("new_password", &new_password)?;
    if new_password != confirm_password {
        return Err(AppError::invalid(
            "confirm_password",
            "The two new passwords don't match.",
        ));
    }
    let hash = password::hash(new_password).await?;
    repo::set_password_hash(db, user_id, &hash).await?;
    Ok(())
}
