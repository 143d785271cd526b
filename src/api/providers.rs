//! `/v1/providers`: the device platforms this server offers and what each supplies.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::error::{ApiError, ErrorEnvelope};
use super::pagination::Page;
use crate::api_keys::Scope;
use crate::connections::provider::Provider;
use crate::platform::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_providers))
        .routes(routes!(get_provider))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Provider)]
pub struct ProviderOut {
    /// `whoop`, `strava`, `demo`, …
    pub id: String,
    pub name: String,
    pub description: String,
    /// True when this server has the client credentials to connect it.
    pub configured: bool,
    pub capabilities: Capabilities,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// Always `oauth2` today.
    pub auth: String,
    pub pkce: bool,
    /// Metric types it supplies (`steps`, `heart_rate`, …).
    pub metric_types: Vec<String>,
    /// Event types it supplies (`workout`, `sleep`).
    pub event_types: Vec<String>,
    /// Whether the provider notifies us of new data besides being polled.
    pub push: bool,
    /// Scheduled syncs run at most this often.
    pub min_sync_interval_seconds: u64,
    /// How far back the first sync reaches.
    pub backfill_days: i64,
}

fn describe(state: &AppState, p: &dyn Provider) -> ProviderOut {
    let info = p.info();
    ProviderOut {
        id: info.id.to_string(),
        name: info.name.to_string(),
        description: info.blurb.to_string(),
        configured: p.endpoints().is_some(),
        capabilities: Capabilities {
            auth: "oauth2".into(),
            pkce: info.pkce,
            metric_types: info.metrics.iter().map(|m| m.to_string()).collect(),
            event_types: info.events.iter().map(|e| e.to_string()).collect(),
            push: info.pushes,
            min_sync_interval_seconds: info.min_interval.as_secs(),
            backfill_days: state.engine().registry.backfill_days(info.id),
        },
    }
}

/// The providers, configured or not.
#[utoipa::path(get, path = "/providers", tag = "Providers",
    responses((status = 200, description = "Every provider, on one page", body = Page<ProviderOut>)))]
pub async fn list_providers(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Page<ProviderOut>>, ApiError> {
    caller.require(Scope::Read)?;
    let all = state.engine().registry.all();
    Ok(Json(Page::complete(
        all.iter().map(|p| describe(&state, p.as_ref())).collect(),
    )))
}

/// One provider.
#[utoipa::path(get, path = "/providers/{providerId}", tag = "Providers",
    params(("providerId" = String, Path, description = "`whoop`, `strava`, …")),
    responses(
        (status = 200, description = "The provider", body = ProviderOut),
        (status = 404, description = "No such provider", body = ErrorEnvelope),
    ))]
pub async fn get_provider(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ProviderOut>, ApiError> {
    caller.require(Scope::Read)?;
    state
        .engine()
        .registry
        .all()
        .iter()
        .find(|p| p.info().id == id)
        .map(|p| Json(describe(&state, p.as_ref())))
        .ok_or_else(|| ApiError::not_found("provider"))
}
