//! The REST API under `/v1`, for other apps: JSON in camelCase, workspace API keys
//! (`Authorization: Bearer vs_live_…`), cursor pagination, one error envelope, and an OpenAPI
//! 3.1 document generated from these handlers at `/v1/openapi.json`.

pub mod auth;
pub mod connections;
pub mod docs;
pub mod error;
pub mod events;
pub mod extract;
pub mod health;
pub mod keys;
pub mod openapi;
pub mod pagination;
pub mod providers;
pub mod units;
pub mod users;
pub mod webhooks;
pub mod wellness;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use crate::platform::state::AppState;
use error::ApiError;

/// Every `/v1` route, and the OpenAPI document that describes them.
pub fn router() -> Router<AppState> {
    let (routes, spec) = openapi::collect();
    let spec = std::sync::Arc::new(spec);
    let v1 = routes
        .route(
            "/openapi.json",
            get(move || {
                let spec = spec.clone();
                async move { axum::Json(spec.as_ref().clone()) }
            }),
        )
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "No such API route; see /v1/openapi.json.",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This route does not take that method; see /v1/openapi.json.",
            )
        })
        .layer(axum::middleware::from_fn(extract::no_nul_in_address));
    Router::new()
        .nest("/v1", v1)
        .route("/docs/api", get(docs::reference_page))
}
