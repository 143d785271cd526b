//! `/v1/api-keys`: the workspace's keys, managed with an `admin` key. The raw key is in the
//! create answer only.

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
use crate::api_keys::repo::{self, ApiKeyRow};
use crate::api_keys::Scope;
use crate::platform::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_keys, create_key))
        .routes(routes!(get_key, revoke_key))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// The first 8 characters after `vs_live_`, to recognise the key.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Updated at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(r: ApiKeyRow) -> Self {
        ApiKey {
            id: r.id,
            name: r.name,
            prefix: r.key_prefix,
            scopes: r.scopes.0,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
            created_at: r.created_at,
        }
    }
}

/// The create answer: the key's record and, this once, the key itself.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// `vs_live_…`: store it now; it cannot be shown again.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApiKey {
    /// 1–100 characters.
    pub name: String,
    /// At least one of `read`, `write`, `admin` (`admin` includes `write`, which includes `read`).
    pub scopes: Vec<Scope>,
    /// When the key stops working: in the future, and no later than the calling key's expiry.
    /// Omit for a key that never expires (only a key that never expires can create one).
    pub expires_at: Option<DateTime<Utc>>,
}

/// List the workspace's keys, oldest first.
#[utoipa::path(get, path = "/api-keys", tag = "API keys",
    params(PageParams),
    responses(
        (status = 200, description = "A page of keys (never the keys themselves)", body = Page<ApiKey>),
        (status = 403, description = "The key lacks the admin scope", body = ErrorEnvelope),
    ))]
pub async fn list_keys(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<ApiKey>>, ApiError> {
    caller.require(Scope::Admin)?;
    let limit = page.limit()?;
    let after: Option<String> = page.cursor()?;
    let rows = repo::list(&state.db, &caller.workspace_id, after.as_deref(), limit + 1).await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |r| r.id.clone(),
        ApiKey::from,
    )))
}

/// Create a key. The answer holds the key itself (`secret`) this one time.
#[utoipa::path(post, path = "/api-keys", tag = "API keys",
    request_body = NewApiKey,
    responses(
        (status = 201, description = "Created", body = CreatedApiKey),
        (status = 403, description = "The key lacks the admin scope", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn create_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewApiKey>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    caller.require(Scope::Admin)?;
    let mut problems = Vec::new();
    let name = match crate::api_keys::validate_name(&body.name) {
        Ok(n) => n,
        Err(e) => {
            problems.push(Detail::field("name", e.to_string()));
            String::new()
        }
    };
    let mut scopes = body.scopes;
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        problems.push(Detail::field(
            "scopes",
            "Give the key at least one scope: read, write or admin.",
        ));
    }
    if body.expires_at.is_some_and(|e| e <= Utc::now()) {
        problems.push(Detail::field("expiresAt", "Choose a moment in the future."));
    }
    // A key cannot hand out more time than it has.
    if let Some(limit) = caller.expires_at {
        if body.expires_at.is_none_or(|e| e > limit) {
            problems.push(Detail::field(
                "expiresAt",
                format!(
                    "This key expires at {}; the keys it creates must expire by then too.",
                    limit.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let (row, secret) = repo::create(
        &state.db,
        &caller.workspace_id,
        &name,
        &scopes,
        body.expires_at,
    )
    .await?;
    tracing::info!(key = %row.id, prefix = %row.key_prefix, by_key = %caller.key_id, "API key created through the API");
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            key: row.into(),
            secret,
        }),
    ))
}

/// Get one key's record.
#[utoipa::path(get, path = "/api-keys/{keyId}", tag = "API keys",
    params(("keyId" = String, Path, description = "The key's id")),
    responses(
        (status = 200, description = "The key's record", body = ApiKey),
        (status = 404, description = "No such key in this workspace", body = ErrorEnvelope),
    ))]
pub async fn get_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ApiKey>, ApiError> {
    caller.require(Scope::Admin)?;
    repo::get(&state.db, &caller.workspace_id, &id)
        .await?
        .map(|r| Json(r.into()))
        .ok_or_else(|| ApiError::not_found("API key"))
}

/// Revoke a key; it stops working at once. The record stays, marked revoked.
#[utoipa::path(delete, path = "/api-keys/{keyId}", tag = "API keys",
    params(("keyId" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such live key in this workspace", body = ErrorEnvelope),
    ))]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Admin)?;
    if repo::revoke(&state.db, &caller.workspace_id, &id).await? {
        tracing::info!(key = %id, by_key = %caller.key_id, "API key revoked through the API");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("live API key"))
    }
}
