//! Server functions behind the admin's API keys page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::{repo, scope::Scope, token};
#[cfg(feature = "ssr")]
use crate::platform::request::RequestCtx;

/// One key as the admin sees it (never the key itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: String,
    pub name: String,
    /// `vs_live_AbCd1234…`
    pub shown_as: String,
    pub scopes: Vec<String>,
    pub created: String,
    pub last_used: String,
    pub expires: String,
    /// "Active", "Expired" or "Revoked".
    pub status: String,
    pub live: bool,
}

/// A key just created: the one moment its raw form is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub id: String,
    pub name: String,
    pub raw: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeysOverview {
    pub keys: Vec<ApiKeyInfo>,
    /// Set once, right after a key was created in this browser session.
    pub just_created: Option<CreatedKey>,
    /// The API's address, for the example request.
    pub api_base: String,
}

/// Where a just-created key waits in the server-side session until the page shows it (so a
/// browser without JavaScript sees it too, and it never travels in a URL).
#[cfg(feature = "ssr")]
const CREATED_KEY: &str = "api_key_created";

#[server(endpoint = "api-keys/list")]
pub async fn list_api_keys() -> Result<ApiKeysOverview, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let tz = auth.user.timezone.clone();
    let just_created = crate::platform::shown_once::take::<CreatedKey>(&ctx, CREATED_KEY).await?;
    let now = chrono::Utc::now();
    let local = |t: chrono::DateTime<chrono::Utc>| crate::ui::time::local_datetime(t, &tz);
    let mut keys = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = repo::list(ctx.db(), &auth.user.workspace_id, after.as_deref(), 500).await?;
        let full = page.len() == 500;
        after = page.last().map(|k| k.id.clone());
        keys.extend(page.into_iter().map(|k| {
            let status = if k.revoked_at.is_some() {
                "Revoked"
            } else if !k.is_live(now) {
                "Expired"
            } else {
                "Active"
            };
            ApiKeyInfo {
                shown_as: token::display(&k.key_prefix),
                scopes: k.scopes.0.iter().map(|s| s.as_str().to_string()).collect(),
                created: local(k.created_at),
                last_used: k.last_used_at.map(local).unwrap_or_else(|| "Never".into()),
                expires: k.expires_at.map(local).unwrap_or_else(|| "Never".into()),
                status: status.into(),
                live: k.is_live(now),
                id: k.id,
                name: k.name,
            }
        }));
        if !full {
            break;
        }
    }
    // Newest first on the page.
    keys.reverse();
    Ok(ApiKeysOverview {
        keys,
        just_created,
        api_base: format!("{}/v1", ctx.base_url()),
    })
}

/// `access` is `read`, `write` or `admin`; the key gets that scope and the ones it includes.
/// `expires_on` is a date (the key stops working at the start of that day, in the admin's time
/// zone) or empty for a key that never expires.
#[server(endpoint = "api-keys/create")]
pub async fn create_api_key(
    name: String,
    access: String,
    expires_on: String,
) -> Result<CreatedKey, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let name = validate_name(&name)?;
    let top = Scope::parse(&access)
        .ok_or_else(|| AppError::invalid("access", "Choose read, write or admin access."))?;
    let scopes: Vec<Scope> = Scope::ALL.into_iter().filter(|s| *s <= top).collect();
    let expires_at = parse_expiry(&expires_on, &auth.user.timezone, chrono::Utc::now())?;
    let (row, raw) = repo::create(
        ctx.db(),
        &auth.user.workspace_id,
        &name,
        &scopes,
        expires_at,
    )
    .await?;
    tracing::info!(key = %row.id, prefix = %row.key_prefix, by = %auth.user.id, "API key created");
    let created = CreatedKey {
        id: row.id,
        name: row.name,
        raw,
    };
    crate::platform::shown_once::keep(&ctx, CREATED_KEY, &created).await?;
    Ok(created)
}

#[server(endpoint = "api-keys/revoke")]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    if repo::revoke(ctx.db(), &auth.user.workspace_id, &id).await? {
        tracing::info!(key = %id, by = %auth.user.id, "API key revoked");
        Ok(())
    } else {
        Err(AppError::NotFound(
            "That key does not exist or was already revoked.".into(),
        ))
    }
}

/// A key's name: 1 to 100 characters.
#[cfg(feature = "ssr")]
pub fn validate_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "Name the key after what uses it, such as \"Billing sync\".",
        ));
    }
    if name.chars().count() > 100 {
        return Err(AppError::invalid("name", "Use at most 100 characters."));
    }
    Ok(name.to_string())
}

/// Empty: never expires. A date: the key stops at the start of that day in `timezone`, which
/// must be after today and at most five years ahead.
#[cfg(feature = "ssr")]
pub fn parse_expiry(
    raw: &str,
    timezone: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    use chrono::TimeZone;
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let date = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| AppError::invalid("expires_on", "Enter a date such as 2027-01-31."))?;
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    let today = now.with_timezone(&tz).date_naive();
    if date <= today {
        return Err(AppError::invalid(
            "expires_on",
            "Choose a day after today, or leave empty for a key that never expires.",
        ));
    }
    if date > today + chrono::Days::new(5 * 366) {
        return Err(AppError::invalid(
            "expires_on",
            "Choose a day at most five years ahead.",
        ));
    }
    let start = tz
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight")));
    Ok(Some(start.with_timezone(&chrono::Utc)))
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn expiry_is_the_start_of_the_day_in_the_admins_zone() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
            .unwrap();
        assert_eq!(parse_expiry("", "UTC", now).unwrap(), None);
        let at = parse_expiry("2027-01-31", "Pacific/Tongatapu", now)
            .unwrap()
            .unwrap();
        assert_eq!(
            at,
            chrono::Utc.with_ymd_and_hms(2027, 1, 30, 11, 0, 0).unwrap()
        );
        for bad in ["2026-11-29", "2026-11-01", "31/01/2027", "2035-01-01"] {
            let err = parse_expiry(bad, "UTC", now).unwrap_err();
            assert!(err.for_field("expires_on").is_some(), "{bad}");
        }
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert_eq!(validate_name("  CI  ").unwrap(), "CI");
        assert!(validate_name(" ").is_err());
        assert!(validate_name(&"x".repeat(101)).is_err());
    }
}
