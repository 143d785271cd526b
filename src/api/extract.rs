//! Request extractors whose rejections answer in the API's error envelope.

use axum::extract::{FromRequest, FromRequestParts};

use super::error::ApiError;

/// A JSON body: malformed JSON is a 400, JSON of the wrong shape a 422, another content type a
/// 415, each as `{"error": …}`.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Query parameters: anything that does not parse is a 400 `invalid_query`.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
