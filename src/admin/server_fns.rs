use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    accounts::{service, validate, Role},
    platform::request::RequestCtx,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role_label: String,
    pub last_sign_in: String,
    pub is_you: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub id: String,
    pub email: String,
    pub role_label: String,
    pub expires: String,
    pub expired: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub workspace_name: String,
    pub allow_signup: bool,
    /// The public address of this server, for links shown to the admin.
    pub base_url: String,
    pub signup_path: String,
    pub members: Vec<MemberInfo>,
    pub invitations: Vec<InvitationInfo>,
    /// The token of the invitation just created, when `?invited=` names it (shown once).
    pub fresh_invite: Option<String>,
}

#[server(endpoint = "admin/overview")]
pub async fn get_admin_overview(invited: Option<String>) -> Result<AdminOverview, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let fresh_invite = super::fresh_invite::shown(&ctx, invited.as_deref()).await?;
    let db = ctx.db();
    let tz = auth.user.timezone.clone();
    let ws = service::workspace(db, &auth.user.workspace_id)
        .await?
        .ok_or(AppError::Internal)?;
    let now = chrono::Utc::now();
    let members = service::members(db, &ws.id)
        .await?
        .into_iter()
        .map(|m| MemberInfo {
            is_you: m.id == auth.user.id,
            email: m.email.unwrap_or_default(),
            display_name: m.display_name.unwrap_or_default(),
            role_label: m.role.label().to_string()
                + if m.is_instance_owner { " · owner" } else { "" },
            last_sign_in: m
                .last_login_at
                .map(|t| crate::ui::time::local_datetime(t, &tz))
                .unwrap_or_else(|| "Never".into()),
            id: m.id,
        })
        .collect();
    let invitations = service::open_invitations(db, &ws.id)
        .await?
        .into_iter()
        .map(|i| InvitationInfo {
            email: i.email,
            role_label: i.role.label().to_string(),
            expires: crate::ui::time::local_datetime(i.expires_at, &tz),
            expired: i.expires_at <= now,
            id: i.id,
        })
        .collect();
    Ok(AdminOverview {
        workspace_name: ws.name,
        allow_signup: ws.allow_signup,
        base_url: ctx.base_url(),
        signup_path: format!("/signup/{}", ws.slug),
        members,
        invitations,
        fresh_invite,
    })
}

/// How long an invitation link stays valid: 1 to 30 days.
#[cfg(feature = "ssr")]
pub(crate) fn invitation_days(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse()
        .ok()
        .filter(|d| (1..=30).contains(d))
        .ok_or_else(|| AppError::invalid("expires_in_days", "Choose between 1 and 30 days."))
}

/// Creates a one-time invitation link and shows it to the admin (the token is stored only as a
/// hash, so this is the one time it can be seen).
#[server(endpoint = "admin/invite")]
pub async fn invite_member(
    email: String,
    role: String,
    expires_in_days: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let db = ctx.db();
    let email = validate::email("email", &email)?;
    let role = Role::parse(role.trim())
        .ok_or_else(|| AppError::invalid("role", "Choose Member or Admin."))?;
    let days = invitation_days(&expires_in_days)?;
    let token = service::invite_new_member(
        db,
        &auth.user.workspace_id,
        &email,
        role,
        &auth.user.id,
        chrono::Duration::days(days),
    )
    .await?;
    super::fresh_invite::keep_and_show(&ctx, &token, "/admin").await?;
    Ok(())
}

#[server(endpoint = "admin/revoke-invite")]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    service::revoke_invitation(ctx.db(), &auth.user.workspace_id, &id).await
}

/// `allow_signup` is the checkbox: present when ticked, absent when not.
#[server(endpoint = "admin/open-signup")]
pub async fn set_open_signup(allow_signup: Option<String>) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    service::set_open_signup(ctx.db(), &auth.user.workspace_id, allow_signup.is_some()).await?;
    Ok(())
}
