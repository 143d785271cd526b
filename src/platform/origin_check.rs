//! CSRF defence: a state-changing browser request (form post, server function) is refused unless
//! it comes from our own site, judged by `Origin` (or `Sec-Fetch-Site` when a browser sends no
//! Origin). The REST API is exempt: it authenticates with bearer keys, never cookies.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::AppState;

pub async fn origin_check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let exempt = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || req.uri().path().starts_with("/v1/");
    if exempt || is_same_site(req.headers(), state.config.public_origin().as_deref()) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), origin = ?req.headers().get(header::ORIGIN), "cross-site request refused");
    (
        StatusCode::FORBIDDEN,
        "This request came from another site and was refused. Go back to VitaSync and try again.",
    )
        .into_response()
}

/// True when the request was made by a page of this site.
pub fn is_same_site(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        if public_origin.is_some_and(|p| p.eq_ignore_ascii_case(origin)) {
            return true;
        }
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let origin_authority = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        return matches!((origin_authority, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h));
    }
    // Browsers that omit Origin still say where a request came from.
    headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"same-origin")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_passes_and_cross_site_fails() {
        let ours = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(is_same_site(&ours, None));
        let evil = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://evil.example"),
        ]);
        assert!(!is_same_site(&evil, None));
        let null = headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]);
        assert!(!is_same_site(&null, None));
    }

    #[test]
    fn public_url_origin_passes_behind_a_proxy() {
        let h = headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "https://health.example.com"),
        ]);
        assert!(is_same_site(&h, Some("https://health.example.com")));
    }

    #[test]
    fn fetch_metadata_is_used_without_origin() {
        assert!(is_same_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            None
        ));
        assert!(!is_same_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            None
        ));
        assert!(!is_same_site(&headers(&[]), None));
    }
}
