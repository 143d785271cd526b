//! Server functions for who may sign in and what they may do: inviting an existing person
//! (one added through the API or by an admin, with an email but no password) so they can sign
//! in and see their own data, and making a person who signs in a member or an admin.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::users::{emit, person},
    crate::accounts::{directory, service, Role},
    crate::platform::request::RequestCtx,
    crate::webhooks::EventType,
};

#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw.trim()).ok_or_else(|| AppError::invalid("role", "Choose Member or Admin."))
}

/// Creates a one-time link that gives this person a password and the chosen role. An earlier
/// open link for them stops working, so there is only ever one.
#[server(endpoint = "admin/users/invite")]
pub async fn invite_person(
    id: String,
    role: String,
    expires_in_days: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let ws = &auth.user.workspace_id;
    let db = ctx.db();
    let u = person(&ctx, ws, &id).await?;
    let role = parse_role(&role)?;
    let days = super::server_fns::invitation_days(&expires_in_days)?;
    if u.can_sign_in {
        return Err(AppError::invalid("role", "They can already sign in."));
    }
    if u.disabled_at.is_some() {
        return Err(AppError::invalid(
            "role",
            "They are switched off; switch them on before inviting them.",
        ));
    }
    let Some(email) = u.email.as_deref() else {
        return Err(AppError::invalid(
            "role",
            "Add an email address to this person first (through the API): the invitation is for that address.",
        ));
    };
    let token = service::invite_existing_person(
        db,
        ws,
        &u.id,
        email,
        role,
        &auth.user.id,
        chrono::Duration::days(days),
    )
    .await?;
    tracing::info!(admin = %auth.user.id, user = %u.id, "person invited to sign in");
    super::fresh_invite::keep_and_show(&ctx, &token, &format!("/admin/users/{}", u.id)).await?;
    Ok(())
}

/// Makes a person who signs in a member or an admin (not yourself, not the instance owner).
/// Takes effect on their next request.
#[server(endpoint = "admin/users/set-role")]
pub async fn set_person_role(id: String, role: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let ws = &auth.user.workspace_id;
    let u = person(&ctx, ws, &id).await?;
    let role = parse_role(&role)?;
    u.manageable_by(directory::Actor::Admin(&auth.user.id))
        .map_err(|m| AppError::invalid("role", m))?;
    if !directory::set_role(ctx.db(), ws, &u.id, role).await? {
        return Err(AppError::invalid(
            "role",
            "They cannot sign in yet; choose their role when you invite them.",
        ));
    }
    emit(ctx.db(), &u, EventType::UserUpdated).await;
    tracing::info!(admin = %auth.user.id, user = %u.id, role = role.as_str(), "role changed");
    Ok(())
}
