//! Server functions of the Connections screen.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A running or finished sync, as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub kind: String,
    pub status: String,
    pub items: i64,
    pub error: Option<String>,
    pub when: Option<String>,
}

/// One provider on the Connections page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderCard {
    pub id: String,
    pub name: String,
    pub blurb: String,
    pub data_types: Vec<String>,
    /// Client credentials present on this server.
    pub configured: bool,
    /// `not_connected`, `active`, `syncing`, `error` or `disconnected`.
    pub status: String,
    pub account: Option<String>,
    pub last_synced: Option<String>,
    pub last_error: Option<String>,
    pub job: Option<JobView>,
    /// For administrators of an unconfigured provider: the variables to set.
    pub setup_hint: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionsView {
    pub providers: Vec<ProviderCard>,
    /// Some sync is queued or running (the page keeps itself up to date meanwhile).
    pub busy: bool,
}

#[server(prefix = "/api", endpoint = "connections/list")]
pub async fn list_connections() -> Result<ConnectionsView, AppError> {
    use crate::connections::status::ConnectionStatus;
    use crate::connections::{jobs, repo};
    use crate::platform::request::RequestCtx;
    use crate::ui::time::local_datetime;

    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let db = ctx.db();
    let tz = &auth.user.timezone;
    let conns = repo::for_user(db, &auth.user.id).await?;
    let latest = jobs::latest_for_user(db, &auth.user.id).await?;
    let mut busy = false;
    let providers = ctx
        .state
        .engine()
        .registry
        .all()
        .iter()
        .map(|p| {
            let info = p.info();
            let conn = conns.iter().find(|c| c.provider_id == info.id);
            let job = conn.and_then(|c| latest.iter().find(|j| j.connection_id == c.id));
            let open = job.is_some_and(|j| j.status.is_open());
            busy |= open;
            let status = match conn {
                None => "not_connected",
                Some(c) if c.status == ConnectionStatus::Active && open => "syncing",
                Some(c) => c.status.as_str(),
            }
            .to_string();
            let data_types = data_types(info);
            let up = info.id.to_ascii_uppercase();
            ProviderCard {
                id: info.id.to_string(),
                name: info.name.to_string(),
                blurb: info.blurb.to_string(),
                data_types,
                configured: p.endpoints().is_some(),
                status,
                account: conn.and_then(|c| c.provider_user_id.clone()),
                last_synced: conn
                    .and_then(|c| c.last_synced_at)
                    .map(|t| local_datetime(t, tz)),
                last_error: conn.and_then(|c| c.last_error.clone()),
                job: job.map(|j| JobView {
                    kind: j.kind.clone(),
                    status: j.status.as_str().to_string(),
                    items: j.metrics_synced,
                    error: j.error.clone(),
                    when: j
                        .completed_at
                        .or(j.started_at)
                        .map(|t| local_datetime(t, tz)),
                }),
                setup_hint: (p.endpoints().is_none() && auth.user.is_admin()).then(|| {
                    format!("Set VITASYNC_{up}_CLIENT_ID and VITASYNC_{up}_CLIENT_SECRET, then restart.")
                }),
            }
        })
        .collect();
    Ok(ConnectionsView { providers, busy })
}

#[server(prefix = "/api", endpoint = "connections/sync")]
pub async fn sync_now(provider: String) -> Result<(), AppError> {
    use crate::connections::repo;
    use crate::connections::service::{self, SyncError};
    use crate::connections::status::ConnectionStatus;
    use crate::platform::request::RequestCtx;

    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let conn = repo::find(ctx.db(), &auth.user.id, &provider)
        .await?
        .filter(|c| c.status != ConnectionStatus::Disconnected && c.encrypted_tokens.is_some())
        .ok_or_else(|| AppError::NotFound("That provider is not connected.".into()))?;
    if conn.status == ConnectionStatus::Error {
        return Err(AppError::Conflict(
            "This connection needs to be reconnected before it can sync.".into(),
        ));
    }
    // Already queued or running: nothing to add, and no error either (a double tap); nor is a
    // provider no longer configured here.
    match service::request_sync(&ctx.state, &conn, chrono::Utc::now()).await {
        Ok(_) | Err(SyncError::NotConfigured) => {}
        Err(SyncError::Disconnected) => {
            return Err(AppError::NotFound("That provider is not connected.".into()))
        }
        Err(SyncError::Db(e)) => return Err(e.into()),
    }
    ctx.redirect("/connections");
    Ok(())
}

#[server(prefix = "/api", endpoint = "connections/disconnect")]
pub async fn disconnect(provider: String, delete_data: Option<String>) -> Result<(), AppError> {
    use crate::connections::{repo, service};
    use crate::health::ingest;
    use crate::platform::request::RequestCtx;

    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let db = ctx.db();
    let conn = repo::find(db, &auth.user.id, &provider)
        .await?
        .ok_or_else(|| AppError::NotFound("That provider is not connected.".into()))?;
    service::disconnect(&ctx.state, &conn, chrono::Utc::now()).await?;
    if delete_data.is_some_and(|v| v == "on" || v == "true") {
        ingest::forget_provider(db, &auth.user.id, &provider).await?;
    }
    ctx.redirect("/connections");
    Ok(())
}

/// What a connect handoff page (`/connect/{token}`) shows before anything goes to the provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandoffDetails {
    pub provider_name: String,
    pub workspace_name: String,
    /// The person's name, else their external id (email addresses are partly hidden).
    pub person: String,
    /// The platform's site the browser goes back to.
    pub return_host: String,
    /// What VitaSync will read from the provider.
    pub data_types: Vec<String>,
    pub minutes_left: i64,
}

/// The details of an open connect handoff; a used, expired or unknown link is a NotFound.
#[server(prefix = "/api", endpoint = "connections/handoff")]
pub async fn get_connect_handoff(token: String) -> Result<HandoffDetails, AppError> {
    use crate::connections::handoff;
    use crate::platform::request::RequestCtx;

    let ctx = RequestCtx::capture()?;
    let now = chrono::Utc::now();
    let gone = || {
        AppError::NotFound(
            "This connect link has expired or was already used. Go back to the app that sent \
             you here and start again."
                .into(),
        )
    };
    let h = handoff::shown(ctx.db(), token.trim(), now)
        .await?
        .ok_or_else(gone)?;
    let registry = &ctx.state.engine().registry;
    let provider = registry.get(&h.provider_id).ok_or_else(gone)?;
    let info = provider.info();
    let data_types = data_types(info);
    let person = h
        .display_name
        .filter(|n| !n.trim().is_empty())
        .or(h.email.as_deref().map(hide_email))
        .or(h.external_id.clone())
        .unwrap_or_else(|| format!("person {}", h.user_id));
    let return_host = url::Url::parse(&h.return_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    Ok(HandoffDetails {
        provider_name: info.name.to_string(),
        workspace_name: h.workspace_name,
        person,
        return_host,
        data_types,
        minutes_left: ((h.expires_at - now).num_seconds() + 59) / 60,
    })
}

/// What a provider supplies, as people read it: its metrics' labels, then its event kinds.
#[cfg(feature = "ssr")]
fn data_types(info: &crate::connections::provider::ProviderInfo) -> Vec<String> {
    use crate::health::catalogue;
    let mut types: Vec<String> = info
        .metrics
        .iter()
        .filter_map(|m| catalogue::metric(m).map(|i| i.label.to_string()))
        .collect();
    types.extend(
        info.events
            .iter()
            .map(|e| format!("{}s", crate::connections::provider::capitalize(e))),
    );
    // A metric and an event can share a name (Strava's workout count and its workouts).
    let mut seen = std::collections::HashSet::new();
    types.retain(|t| seen.insert(t.clone()));
    types
}

/// `jane.doe@example.com` → `j•••@example.com`: enough to recognise, not to harvest.
#[cfg(feature = "ssr")]
fn hide_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}
