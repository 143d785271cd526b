//! Request extractors whose rejections answer in the API's error envelope.

use axum::extract::{FromRequest, FromRequestParts};

use super::error::ApiError;

/// A JSON body: malformed JSON is a 400, JSON of the wrong shape a 422, another content type a
/// 415, each as `{"error": …}`. Text holding the NUL character (`\u0000`) is refused (422):
/// PostgreSQL stores no NUL in text or JSON, and nothing people type contains one.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::not_json());
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(e.status(), "invalid_body", e.body_text()))?;
        if has_nul_escape(&bytes) {
            return Err(ApiError::validation(vec![super::error::Detail {
                field: None,
                index: None,
                message: "Text may not contain the NUL character (\\u0000).".into(),
            }]));
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(ApiJson(value))
    }
}

/// `application/json` or any `application/…+json`, parameters ignored.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether JSON text holds a `\u0000` escape (not an escaped backslash followed by `u0000`):
/// JSON cannot hold a raw NUL byte, so this is the only way one arrives.
fn has_nul_escape(json: &[u8]) -> bool {
    json.windows(6).enumerate().any(|(i, w)| {
        w.eq_ignore_ascii_case(b"\\u0000")
            && json[..=i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 1
    })
}

/// Refuses a request whose path or query holds an encoded NUL (`%00`) with a 400: no id or
/// parameter contains one, and PostgreSQL cannot compare text with it.
pub async fn no_nul_in_address(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let address = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or_default();
    if address
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"%00"))
    {
        return ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_query",
            "The address may not contain the NUL character (%00).",
        )
        .into_response();
    }
    next.run(req).await
}

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

#[cfg(test)]
mod tests {
    use super::has_nul_escape;

    #[test]
    fn only_real_nul_escapes_are_found() {
        assert!(has_nul_escape(br#"{"a":"x\u0000y"}"#));
        assert!(has_nul_escape(br#"{"\u0000":1}"#));
        assert!(has_nul_escape(br#"{"a":"\\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"u0000"}"#));
        assert!(!has_nul_escape(br#"{"a":"\u0001"}"#));
    }
}
