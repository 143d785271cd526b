//! Server functions behind the admin's Webhooks pages.

// The create form sends one checkbox per event type as its own argument.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::{events::EventType, repo, signing};
#[cfg(feature = "ssr")]
use crate::platform::request::RequestCtx;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookInfo {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub active: bool,
    /// Why it is switched off (an admin, 410 Gone, days of failures).
    pub disabled_reason: Option<String>,
    /// Set while deliveries keep failing.
    pub failing_since: Option<String>,
    pub created: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedWebhook {
    pub id: String,
    pub url: String,
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhooksOverview {
    pub webhooks: Vec<WebhookInfo>,
    pub just_created: Option<CreatedWebhook>,
    /// `(name, description)` of every event an endpoint can subscribe to, in form order.
    pub event_choices: Vec<(String, String)>,
    /// Loopback and private addresses are allowed (development setting).
    pub allow_private: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryInfo {
    pub id: String,
    pub message_id: String,
    pub event: String,
    /// "Pending", "Delivered" or "Failed".
    pub status: String,
    pub status_code: Option<i32>,
    pub attempts: i32,
    pub next_retry: Option<String>,
    pub response_ms: Option<i32>,
    pub created: String,
    pub last_attempt: Option<String>,
    pub error: Option<String>,
    pub payload: String,
    pub response_body: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookLog {
    pub webhook: WebhookInfo,
    pub deliveries: Vec<DeliveryInfo>,
    /// The `before` value of the next (older) page, if there is one.
    pub older: Option<String>,
}

#[cfg(feature = "ssr")]
const CREATED_WEBHOOK: &str = "webhook_created";
/// Deliveries per page of the log.
#[cfg(feature = "ssr")]
const LOG_PAGE: i64 = 20;

#[cfg(feature = "ssr")]
fn info(row: repo::WebhookRow, tz: &str) -> WebhookInfo {
    let local = |t| crate::ui::time::local_datetime(t, tz);
    WebhookInfo {
        id: row.id,
        url: row.url,
        events: row.events.0,
        description: row.description,
        active: row.is_active,
        disabled_reason: row.disabled_reason,
        failing_since: row.failing_since.map(local),
        created: local(row.created_at),
    }
}

#[server(endpoint = "webhooks/list")]
pub async fn list_webhooks() -> Result<WebhooksOverview, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let just_created =
        crate::platform::shown_once::take::<CreatedWebhook>(&ctx, CREATED_WEBHOOK).await?;
    let rows = repo::list(ctx.db(), &auth.user.workspace_id, None, 500).await?;
    Ok(WebhooksOverview {
        webhooks: rows
            .into_iter()
            .rev()
            .map(|r| info(r, &auth.user.timezone))
            .collect(),
        just_created,
        event_choices: EventType::SUBSCRIBABLE
            .iter()
            .map(|e| (e.as_str().to_string(), e.describe().to_string()))
            .collect(),
        allow_private: ctx.state.config.allow_private_webhooks,
    })
}

/// Validates an endpoint address against the SSRF policy (resolving its host now).
#[cfg(feature = "ssr")]
pub async fn validate_url(
    config: &crate::platform::config::Config,
    field: &str,
    raw: &str,
) -> Result<String, AppError> {
    let policy = crate::platform::egress::Policy {
        allow_private: config.allow_private_webhooks,
    };
    if raw.trim().is_empty() {
        return Err(AppError::invalid(
            field,
            "Enter the https:// address that receives events.",
        ));
    }
    if raw.trim().len() > 2000 {
        return Err(AppError::invalid(
            field,
            "Use an address of at most 2,000 characters.",
        ));
    }
    policy
        .check_url_resolved(raw)
        .await
        .map(|u| u.to_string())
        .map_err(|e| AppError::invalid(field, e.to_string()))
}

/// At most 255 characters; empty is none.
#[cfg(feature = "ssr")]
pub fn validate_description(field: &str, raw: &str) -> Result<Option<String>, AppError> {
    let d = raw.trim();
    if d.chars().count() > 255 {
        return Err(AppError::invalid(field, "Use at most 255 characters."));
    }
    Ok((!d.is_empty()).then(|| d.to_string()))
}

/// Checkboxes `e0`…`e7` follow the order of [`EventType::SUBSCRIBABLE`].
#[server(endpoint = "webhooks/create")]
pub async fn create_webhook(
    url: String,
    description: String,
    e0: Option<String>,
    e1: Option<String>,
    e2: Option<String>,
    e3: Option<String>,
    e4: Option<String>,
    e5: Option<String>,
    e6: Option<String>,
    e7: Option<String>,
) -> Result<CreatedWebhook, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let ticked = [e0, e1, e2, e3, e4, e5, e6, e7];
    let events: Vec<EventType> = EventType::SUBSCRIBABLE
        .into_iter()
        .zip(ticked)
        .filter_map(|(e, t)| t.is_some().then_some(e))
        .collect();
    let url = validate_url(&ctx.state.config, "url", &url).await?;
    let description = validate_description("description", &description)?;
    if events.is_empty() {
        return Err(AppError::invalid(
            "events",
            "Choose at least one event to send.",
        ));
    }
    let secret = signing::new_secret();
    let row = repo::create(
        ctx.db(),
        &ctx.state.config.keys,
        &auth.user.workspace_id,
        repo::NewWebhook {
            url: &url,
            events: &events,
            description: description.as_deref(),
        },
        &secret,
    )
    .await?;
    tracing::info!(webhook = %row.id, by = %auth.user.id, "webhook endpoint created");
    let created = CreatedWebhook {
        id: row.id,
        url: row.url,
        secret,
    };
    crate::platform::shown_once::keep(&ctx, CREATED_WEBHOOK, &created).await?;
    Ok(created)
}

/// `active` is "true" or "false".
#[server(endpoint = "webhooks/set-active")]
pub async fn set_webhook_active(id: String, active: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let on = active == "true";
    let reason = (!on).then_some(repo::DISABLED_BY_ADMIN);
    if repo::set_active(ctx.db(), &auth.user.workspace_id, &id, on, reason).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("That webhook no longer exists.".into()))
    }
}

/// Queues a `webhook.test` event for one endpoint.
#[server(endpoint = "webhooks/test")]
pub async fn send_test_event(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let hook = repo::get(ctx.db(), &auth.user.workspace_id, &id)
        .await?
        .ok_or_else(|| AppError::NotFound("That webhook no longer exists.".into()))?;
    hook.ensure_active("sending it a test event")?;
    repo::queue_event(
        ctx.db(),
        &auth.user.workspace_id,
        Some(&hook.id),
        EventType::WebhookTest,
        serde_json::json!({ "webhookId": hook.id, "message": "Hello from VitaSync" }),
    )
    .await?;
    super::sender::wake();
    Ok(())
}

#[server(endpoint = "webhooks/delete")]
pub async fn delete_webhook(id: String, confirm: Option<String>) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    if confirm.as_deref() != Some("delete") {
        return Err(AppError::invalid(
            "confirm",
            "Tick the box to confirm deleting this endpoint and its delivery log.",
        ));
    }
    if !repo::delete(ctx.db(), &auth.user.workspace_id, &id).await? {
        return Err(AppError::NotFound("That webhook no longer exists.".into()));
    }
    ctx.redirect("/admin/webhooks");
    Ok(())
}

#[server(endpoint = "webhooks/detail")]
pub async fn webhook_detail(id: String, before: Option<String>) -> Result<WebhookLog, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let tz = auth.user.timezone.clone();
    let ws = &auth.user.workspace_id;
    let hook = repo::get(ctx.db(), ws, &id)
        .await?
        .ok_or_else(|| AppError::NotFound("No such webhook in this workspace.".into()))?;
    let mut rows =
        repo::list_deliveries(ctx.db(), ws, &id, before.as_deref(), LOG_PAGE + 1).await?;
    let older = (rows.len() as i64 > LOG_PAGE).then(|| {
        rows.truncate(LOG_PAGE as usize);
        rows.last().map(|d| d.id.clone()).unwrap_or_default()
    });
    let local = |t| crate::ui::time::local_datetime(t, &tz);
    let deliveries = rows
        .into_iter()
        .map(|d| (d.next_retry().map(local), d))
        .map(|(next_retry, d)| DeliveryInfo {
            message_id: d
                .message_id
                .clone()
                .unwrap_or_else(|| format!("msg_{}", d.id)),
            event: d.event,
            status: d.status.label().to_string(),
            status_code: d.status_code,
            attempts: d.attempt_count,
            next_retry,
            response_ms: d.response_ms,
            created: local(d.created_at),
            last_attempt: d.last_attempt_at.map(local),
            error: d.last_error,
            payload: serde_json::to_string_pretty(&d.payload.0).unwrap_or_default(),
            response_body: d.response_body,
            id: d.id,
        })
        .collect();
    Ok(WebhookLog {
        webhook: info(hook, &tz),
        deliveries,
        older,
    })
}

#[server(endpoint = "webhooks/redeliver")]
pub async fn redeliver(webhook_id: String, delivery_id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let ws = &auth.user.workspace_id;
    let hook = repo::get(ctx.db(), ws, &webhook_id)
        .await?
        .ok_or_else(|| AppError::NotFound("No such webhook in this workspace.".into()))?;
    hook.ensure_active("redelivering to it")?;
    repo::redeliver(ctx.db(), ws, &webhook_id, &delivery_id)
        .await?
        .ok_or_else(|| AppError::NotFound("No such delivery.".into()))?;
    super::sender::wake();
    Ok(())
}
