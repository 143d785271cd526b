//! Server functions for signing in and creating accounts. Each works as a plain form post
//! (redirects to the next page, or back with the error) and as a hydrated call.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::SessionUser;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    accounts::{provisioning, provisioning::NewAccount, service, Role},
    platform::{request::RequestCtx, throttle},
};

/// Signs a new account in and sends them to their dashboard.
#[cfg(feature = "ssr")]
async fn welcome(ctx: &RequestCtx, user_id: &str) -> Result<(), AppError> {
    super::session::start(ctx, user_id).await?;
    ctx.redirect("/");
    Ok(())
}

#[cfg(feature = "ssr")]
fn signup_closed() -> AppError {
    AppError::NotFound("Sign-up is closed here. Ask the workspace admin for an invitation.".into())
}

/// The signed-in person, or `None`.
#[server(endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    Ok(RequestCtx::capture()?.auth().map(|a| a.user))
}

/// True on a fresh install that has no workspace yet.
#[server(endpoint = "auth/needs-setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    let ctx = RequestCtx::capture()?;
    Ok(!service::is_set_up(ctx.db()).await?)
}

#[server(endpoint = "auth/login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let db = ctx.db();
    let now = chrono::Utc::now();
    // The length first: nothing else is done with a megabyte typed into the email field.
    if email.trim().len() > crate::accounts::validate::MAX_EMAIL_LEN {
        return Err(AppError::invalid("email", "That is not an email address."));
    }
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid("email", "Enter your email address."));
    }
    if password.is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    let (ip, _) = ctx.client_info();
    let attempt = match throttle::reserve(db, throttle::sign_in_keys(&email, &ip), now).await? {
        Ok(attempt) => attempt,
        Err(wait) => return Err(AppError::TooManyRequests(throttle::retry_message(wait))),
    };
    let Some(row) = service::check_login(db, &email, password).await? else {
        attempt.failed(db).await?;
        return Err(AppError::Invalid {
            field: None,
            message: "That email and password don't match an account.".into(),
        });
    };
    attempt.succeeded(db).await?;
    if row.disabled_at.is_some() {
        return Err(AppError::Invalid {
            field: None,
            message: "This account is disabled. Ask your workspace admin.".into(),
        });
    }
    super::session::start(&ctx, &row.id).await?;
    ctx.redirect(&super::safe_next(next.as_deref()));
    Ok(())
}

#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    super::session::end(&ctx).await?;
    ctx.redirect("/login");
    Ok(())
}

/// First-run setup: the first workspace and its admin, who owns the instance.
#[server(endpoint = "auth/setup")]
pub async fn setup(
    workspace_name: String,
    display_name: String,
    email: String,
    password: String,
    timezone: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    if service::is_set_up(ctx.db()).await? {
        return Err(AppError::Conflict(
            "VitaSync is already set up. Sign in instead.".into(),
        ));
    }
    let account = NewAccount {
        email,
        password,
        display_name: Some(display_name),
        timezone,
    };
    let created =
        provisioning::create_workspace_with_admin(ctx.db(), &workspace_name, None, account, true)
            .await;
    let user_id = match created {
        Ok((_, user_id)) => user_id,
        // Another setup won the race (the database allows one instance owner).
        Err(AppError::Conflict(_)) if service::is_set_up(ctx.db()).await? => {
            return Err(AppError::Conflict(
                "VitaSync is already set up. Sign in instead.".into(),
            ))
        }
        // The name is the only workspace field on this form.
        Err(e) => {
            return Err(e.rename_field(&[("slug", "workspace_name"), ("name", "workspace_name")]))
        }
    };
    welcome(&ctx, &user_id).await
}

/// What an invitation link offers, shown before the person picks a password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationDetails {
    pub workspace_name: String,
    pub email: String,
    pub role_label: String,
}

#[server(endpoint = "auth/invitation")]
pub async fn get_invitation_details(token: String) -> Result<InvitationDetails, AppError> {
    let ctx = RequestCtx::capture()?;
    let row = service::open_invitation(ctx.db(), &token).await?;
    Ok(InvitationDetails {
        workspace_name: row.workspace_name,
        email: row.email,
        role_label: row.role.label().to_string(),
    })
}

/// Creates the invited person's account (email fixed by the invitation) and signs them in.
#[server(endpoint = "auth/accept-invitation")]
pub async fn accept_invitation(
    token: String,
    display_name: String,
    password: String,
    timezone: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let row = service::open_invitation(ctx.db(), &token).await?;
    let account = NewAccount {
        email: row.email.clone(),
        password,
        display_name: Some(display_name),
        timezone,
    };
    let user_id = provisioning::accept_invitation(ctx.db(), &row.id, account).await?;
    welcome(&ctx, &user_id).await
}

/// The workspace name behind an open sign-up link, if sign-up is open there.
#[server(endpoint = "auth/signup-details")]
pub async fn signup_details(slug: String) -> Result<String, AppError> {
    let ctx = RequestCtx::capture()?;
    match service::signup_workspace(ctx.db(), &slug).await? {
        Some(ws) => Ok(ws.name),
        None => Err(signup_closed()),
    }
}

#[server(endpoint = "auth/signup")]
pub async fn signup(
    slug: String,
    display_name: String,
    email: String,
    password: String,
    timezone: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let Some(ws) = service::signup_workspace(ctx.db(), &slug).await? else {
        return Err(signup_closed());
    };
    let account = NewAccount {
        email,
        password,
        display_name: Some(display_name),
        timezone,
    };
    let user_id = provisioning::create_member(ctx.db(), &ws.id, account, Role::Member).await?;
    welcome(&ctx, &user_id).await
}
