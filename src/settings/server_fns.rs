use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    accounts::{self, validate},
    platform::request::RequestCtx,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub email: String,
    pub display_name: String,
    pub timezone: String,
    pub timezones: Vec<String>,
}

#[server(endpoint = "settings/profile")]
pub async fn get_profile() -> Result<Profile, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    Ok(Profile {
        email: auth.user.email.clone(),
        display_name: auth.user.display_name.clone().unwrap_or_default(),
        timezone: auth.user.timezone.clone(),
        timezones: crate::accounts::timezone::all(),
    })
}

#[server(endpoint = "settings/update-profile")]
pub async fn update_profile(display_name: String, timezone: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let name = validate::display_name("display_name", &display_name)?;
    if timezone.trim().is_empty() {
        return Err(AppError::invalid("timezone", "Choose a time zone."));
    }
    let tz = crate::accounts::timezone::validate("timezone", &timezone)?;
    accounts::service::update_profile(
        ctx.db(),
        &auth.user.workspace_id,
        &auth.user.id,
        name.as_deref(),
        &tz,
    )
    .await?;
    Ok(())
}

/// Changes the password after checking the current one, then signs out every other browser.
#[server(endpoint = "settings/change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<u64, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let db = ctx.db();
    accounts::service::change_password(
        db,
        &auth.user.id,
        current_password,
        new_password,
        confirm_password,
    )
    .await?;
    Ok(crate::auth::service::end_other_sessions(db, &auth.user.id, &auth.auth_session_id).await?)
}

/// One browser signed in to the account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    pub device: String,
    pub ip: String,
    pub signed_in: String,
    pub last_seen: String,
    pub current: bool,
}

#[server(endpoint = "settings/sessions")]
pub async fn list_sessions() -> Result<Vec<SessionInfo>, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = auth.user.timezone.clone();
    let rows = crate::auth::service::sessions_of(ctx.db(), &auth.user.id).await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            current: r.id == auth.auth_session_id,
            device: describe_browser(r.user_agent.as_deref().unwrap_or("")),
            ip: r.ip.unwrap_or_else(|| "unknown".into()),
            signed_in: crate::ui::time::local_datetime(r.created_at, &tz),
            last_seen: crate::ui::time::local_datetime(r.last_seen_at, &tz),
            id: r.id,
        })
        .collect())
}

#[server(endpoint = "settings/sign-out-others")]
pub async fn sign_out_others() -> Result<u64, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    Ok(
        crate::auth::service::end_other_sessions(ctx.db(), &auth.user.id, &auth.auth_session_id)
            .await?,
    )
}

#[server(endpoint = "settings/end-session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    crate::auth::service::end_session(ctx.db(), &auth.user.id, &auth.auth_session_id, &id).await
}

/// "Firefox on Linux" from a user-agent string.
pub fn describe_browser(ua: &str) -> String {
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "Unknown browser"
    };
    let os = if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    if os.is_empty() {
        browser.to_string()
    } else {
        format!("{browser} on {os}")
    }
}

#[cfg(test)]
mod tests {
    use super::describe_browser;

    #[test]
    fn browsers_are_named() {
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_browser(ua), "Safari on iOS");
        assert_eq!(
            describe_browser("Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"),
            "Chrome on Linux"
        );
        assert_eq!(describe_browser(""), "Unknown browser");
    }
}
