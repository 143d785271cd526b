//! `/v1/webhooks`: the workspace's endpoints and their delivery logs (admin scope). Create
//! answers with the signing secret once, as `secret`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::error::{ApiError, Detail, ErrorEnvelope};
use super::extract::{ApiJson, ApiQuery};
use super::pagination::{Page, PageParams};
use crate::api_keys::Scope;
use crate::platform::state::AppState;
use crate::webhooks::repo::{self, DeliveryRow, NewWebhook, WebhookRow};
use crate::webhooks::{signing, EventType};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(send_test))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub is_active: bool,
    /// Why the endpoint is off: an admin, a 410 Gone answer, or days of failed deliveries.
    pub disabled_reason: Option<String>,
    /// Set while deliveries keep failing; cleared by a success.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Self {
        Webhook {
            id: r.id,
            url: r.url,
            events: r.events.0,
            description: r.description,
            is_active: r.is_active,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_…`: verify `webhook-signature` with it (Standard Webhooks). Shown only now.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWebhookBody {
    /// A public https:// address.
    pub url: String,
    /// At least one event type.
    pub events: Vec<EventType>,
    /// Up to 255 characters.
    pub description: Option<String>,
}

/// Only the fields present change; `description: null` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<EventType>>,
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Switch the endpoint on or off. Switching off gives up its pending deliveries.
    pub is_active: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: String,
    /// The `webhook-id` header: the same for every attempt and redelivery of one message.
    pub message_id: String,
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub status_code: Option<i32>,
    pub attempt_count: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub response_ms: Option<i32>,
    pub last_error: Option<String>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for Delivery {
    fn from(d: DeliveryRow) -> Self {
        let next_attempt_at = d.next_retry();
        Delivery {
            message_id: d.message_id.unwrap_or_else(|| format!("msg_{}", d.id)),
            event: d.event,
            next_attempt_at,
            status: d.status.as_str().to_string(),
            status_code: d.status_code,
            attempt_count: d.attempt_count,
            last_attempt_at: d.last_attempt_at,
            delivered_at: d.delivered_at,
            response_ms: d.response_ms,
            last_error: d.last_error,
            payload: d.payload.0,
            created_at: d.created_at,
            id: d.id,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    /// The new delivery's id.
    pub delivery_id: Option<String>,
}

async fn owned(state: &AppState, caller: &ApiCaller, id: &str) -> Result<WebhookRow, ApiError> {
    repo::get(&state.db, &caller.workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))
}

/// Field problems of a URL, description and events (all reported at once).
async fn check(
    state: &AppState,
    url: &str,
    description: Option<&str>,
    events: &[EventType],
) -> Result<(String, Option<String>), ApiError> {
    let mut problems = Vec::new();
    let url = match crate::webhooks::validate_url(&state.config, "url", url).await {
        Ok(u) => u,
        Err(e) => {
            problems.push(Detail::field("url", e.to_string()));
            String::new()
        }
    };
    let description =
        match crate::webhooks::validate_description("description", description.unwrap_or("")) {
            Ok(d) => d,
            Err(e) => {
                problems.push(Detail::field("description", e.to_string()));
                None
            }
        };
    if events.is_empty() {
        problems.push(Detail::field("events", "Subscribe to at least one event."));
    } else if events.contains(&EventType::WebhookTest) {
        problems.push(Detail::field(
            "events",
            "webhook.test is sent on request (POST …/test), not subscribed to.",
        ));
    }
    if problems.is_empty() {
        Ok((url, description))
    } else {
        Err(ApiError::validation(problems))
    }
}

/// List the workspace's endpoints, oldest first.
#[utoipa::path(get, path = "/webhooks", tag = "Webhooks",
    params(PageParams),
    responses(
        (status = 200, description = "A page of endpoints (never their secrets)", body = Page<Webhook>),
        (status = 403, description = "The key lacks the admin scope", body = ErrorEnvelope),
    ))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Webhook>>, ApiError> {
    caller.require(Scope::Admin)?;
    let limit = page.limit()?;
    let after: Option<String> = page.cursor()?;
    let rows = repo::list(&state.db, &caller.workspace_id, after.as_deref(), limit + 1).await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |r| r.id.clone(),
        Webhook::from,
    )))
}

/// Register an endpoint. The answer holds its signing secret this one time.
#[utoipa::path(post, path = "/webhooks", tag = "Webhooks",
    request_body = NewWebhookBody,
    responses(
        (status = 201, description = "Created", body = CreatedWebhook),
        (status = 422, description = "Invalid fields (a private or non-https address, no events, …)", body = ErrorEnvelope),
    ))]
pub async fn create_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewWebhookBody>,
) -> Result<(StatusCode, Json<CreatedWebhook>), ApiError> {
    caller.require(Scope::Admin)?;
    let mut events = body.events;
    events.sort_by_key(|e| e.as_str());
    events.dedup();
    let (url, description) = check(&state, &body.url, body.description.as_deref(), &events).await?;
    let secret = signing::new_secret();
    let row = repo::create(
        &state.db,
        &state.config.keys,
        &caller.workspace_id,
        NewWebhook {
            url: &url,
            events: &events,
            description: description.as_deref(),
        },
        &secret,
    )
    .await?;
    tracing::info!(webhook = %row.id, by_key = %caller.key_id, "webhook endpoint created through the API");
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhook {
            webhook: row.into(),
            secret,
        }),
    ))
}

/// Get one endpoint.
#[utoipa::path(get, path = "/webhooks/{webhookId}", tag = "Webhooks",
    params(("webhookId" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint", body = Webhook),
        (status = 404, description = "No such endpoint in this workspace", body = ErrorEnvelope),
    ))]
pub async fn get_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Webhook>, ApiError> {
    caller.require(Scope::Admin)?;
    Ok(Json(owned(&state, &caller, &id).await?.into()))
}

/// Change an endpoint: address, events, description, on/off.
#[utoipa::path(patch, path = "/webhooks/{webhookId}", tag = "Webhooks",
    params(("webhookId" = String, Path, description = "The endpoint's id")),
    request_body = WebhookChanges,
    responses(
        (status = 200, description = "The changed endpoint", body = Webhook),
        (status = 404, description = "No such endpoint in this workspace", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn update_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WebhookChanges>,
) -> Result<Json<Webhook>, ApiError> {
    caller.require(Scope::Admin)?;
    let current = owned(&state, &caller, &id).await?;
    let events: Vec<EventType> = match body.events {
        Some(mut e) => {
            e.sort_by_key(|x| x.as_str());
            e.dedup();
            e
        }
        None => current
            .events
            .0
            .iter()
            .filter_map(|e| EventType::parse(e))
            .collect(),
    };
    let url = body.url.unwrap_or_else(|| current.url.clone());
    let description = body.description.unwrap_or(current.description.clone());
    let (url, description) = check(&state, &url, description.as_deref(), &events).await?;
    repo::update(
        &state.db,
        &caller.workspace_id,
        &id,
        NewWebhook {
            url: &url,
            events: &events,
            description: description.as_deref(),
        },
    )
    .await?;
    if let Some(active) = body.is_active.filter(|a| *a != current.is_active) {
        let reason = (!active).then_some(repo::DISABLED_BY_ADMIN);
        repo::set_active(&state.db, &caller.workspace_id, &id, active, reason).await?;
    }
    Ok(Json(owned(&state, &caller, &id).await?.into()))
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(delete, path = "/webhooks/{webhookId}", tag = "Webhooks",
    params(("webhookId" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such endpoint in this workspace", body = ErrorEnvelope),
    ))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Admin)?;
    if repo::delete(&state.db, &caller.workspace_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("webhook"))
    }
}

/// Send a `webhook.test` event to the endpoint.
#[utoipa::path(post, path = "/webhooks/{webhookId}/test", tag = "Webhooks",
    params(("webhookId" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 202, description = "Queued; see the deliveries", body = Queued),
        (status = 404, description = "No such endpoint in this workspace", body = ErrorEnvelope),
        (status = 409, description = "The endpoint is switched off", body = ErrorEnvelope),
    ))]
pub async fn send_test(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    caller.require(Scope::Admin)?;
    let hook = owned(&state, &caller, &id).await?;
    hook.ensure_active("sending it a test event")?;
    repo::queue_event(
        &state.db,
        &caller.workspace_id,
        Some(&hook.id),
        EventType::WebhookTest,
        serde_json::json!({ "webhookId": hook.id, "message": "Hello from VitaSync" }),
    )
    .await?;
    crate::webhooks::sender::wake();
    let latest = repo::list_deliveries(&state.db, &caller.workspace_id, &hook.id, None, 1).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Queued {
            delivery_id: latest.into_iter().next().map(|d| d.id),
        }),
    ))
}

/// The endpoint's deliveries, newest first.
#[utoipa::path(get, path = "/webhooks/{webhookId}/deliveries", tag = "Webhooks",
    params(("webhookId" = String, Path, description = "The endpoint's id"), PageParams),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<Delivery>),
        (status = 404, description = "No such endpoint in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Delivery>>, ApiError> {
    caller.require(Scope::Admin)?;
    owned(&state, &caller, &id).await?;
    let limit = page.limit()?;
    let before: Option<String> = page.cursor()?;
    let rows = repo::list_deliveries(
        &state.db,
        &caller.workspace_id,
        &id,
        before.as_deref(),
        limit + 1,
    )
    .await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |r| r.id.clone(),
        Delivery::from,
    )))
}

/// Send a delivered or failed message again (same `webhook-id`).
#[utoipa::path(post, path = "/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", tag = "Webhooks",
    params(
        ("webhookId" = String, Path, description = "The endpoint's id"),
        ("deliveryId" = String, Path, description = "The delivery to send again"),
    ),
    responses(
        (status = 202, description = "Queued as a new delivery", body = Queued),
        (status = 404, description = "No such endpoint or delivery in this workspace", body = ErrorEnvelope),
        (status = 409, description = "The endpoint is switched off", body = ErrorEnvelope),
    ))]
pub async fn redeliver(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, delivery_id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    caller.require(Scope::Admin)?;
    let hook = owned(&state, &caller, &id).await?;
    hook.ensure_active("redelivering to it")?;
    let new_id = repo::redeliver(&state.db, &caller.workspace_id, &id, &delivery_id)
        .await?
        .ok_or_else(|| ApiError::not_found("delivery"))?;
    crate::webhooks::sender::wake();
    Ok((
        StatusCode::ACCEPTED,
        Json(Queued {
            delivery_id: Some(new_id),
        }),
    ))
}
