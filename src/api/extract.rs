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

/// For optional fields of a change (PATCH): a field that is present, even as `null`, becomes
/// `Some(value)`; an absent one stays `None` (with `#[serde(default)]`).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}
