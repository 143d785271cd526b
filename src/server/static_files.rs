//! Static files (the site's `pkg/` bundle, the favicon, the API viewer) and the 404 page.
//!
//! - Files whose names carry a content hash (`vitasync.<hash>.css`, see `ui::assets`) are cached
//!   for a year: `Cache-Control: public, max-age=31536000, immutable`.
//! - Everything else is revalidated on each use (`no-cache`) and answered `304 Not Modified`
//!   when the browser's copy is current (`ETag`/`If-None-Match` or `If-Modified-Since`).
//! - Brotli or gzip copies made at build time (`*.br`, `*.gz`) are sent to browsers that accept
//!   them, so nothing is compressed per request.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::app::shell;
use crate::platform::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The router's fallback: a file of the site when there is one, else the app's 404 page.
pub async fn fallback(State(state): State<AppState>, req: Request<Body>) -> Response<Body> {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        let (method, uri, headers) = (
            req.method().clone(),
            req.uri().clone(),
            req.headers().clone(),
        );
        if let Some(res) = file(&state.leptos_options.site_root, method, &uri, &headers).await {
            return res;
        }
    }
    let uri = req.uri().clone();
    leptos_axum::file_and_error_handler::<AppState, _>(shell)(uri, State(state), req).await
}

async fn file(
    site_root: &str,
    method: Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Option<Response<Body>> {
    let mut file_req = Request::builder().method(method).uri(uri.clone());
    for name in [
        header::ACCEPT_ENCODING,
        header::IF_MODIFIED_SINCE,
        header::IF_UNMODIFIED_SINCE,
        header::RANGE,
        header::IF_RANGE,
    ] {
        if let Some(v) = headers.get(&name) {
            file_req = file_req.header(name, v);
        }
    }
    let file_req = file_req.body(Body::empty()).ok()?;
    let res = ServeDir::new(site_root)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(file_req)
        .await
        .ok()?;
    if matches!(
        res.status(),
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
    ) {
        return None;
    }
    let res = res.map(Body::new);
    Some(cache_headers(uri.path(), headers, res))
}

/// Adds the caching headers described above, and turns a matching `If-None-Match` into a 304.
fn cache_headers(path: &str, request: &HeaderMap, mut res: Response<Body>) -> Response<Body> {
    let immutable = is_hashed(path);
    let headers = res.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable { IMMUTABLE } else { REVALIDATE }),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    let Some(etag) = etag(headers) else {
        return res;
    };
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let Ok(value) = HeaderValue::from_str(&etag) else {
        return res;
    };
    headers.insert(header::ETAG, value);
    if fresh && res.status() == StatusCode::OK {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [
            header::CACHE_CONTROL,
            header::ETAG,
            header::VARY,
            header::LAST_MODIFIED,
        ] {
            if let Some(v) = res.headers().get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        return not_modified;
    }
    res
}

/// A validator from what identifies the file's version: its modification time and size, and the
/// encoding (the brotli and the plain copy are different bytes).
fn etag(headers: &HeaderMap) -> Option<String> {
    let modified = headers.get(header::LAST_MODIFIED)?.to_str().ok()?;
    let modified = httpdate_seconds(modified)?;
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("0");
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    Some(format!("\"{modified:x}-{length}-{encoding}\""))
}

fn httpdate_seconds(value: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|t| t.timestamp())
}

/// `vitasync.3f9c0a1b2c3d4e5f.css`, `vitasync.3f9c0a1b2c3d4e5f_bg.wasm`: a name part of at least
/// 16 hexadecimal digits is a content hash.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split(['.', '_'])
        .any(|part| part.len() >= 16 && part.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_hashed_names_are_immutable() {
        assert!(is_hashed("/pkg/vitasync.3f9c0a1b2c3d4e5f.css"));
        assert!(is_hashed("/pkg/vitasync.3f9c0a1b2c3d4e5f_bg.wasm"));
        assert!(!is_hashed("/pkg/vitasync.css"));
        assert!(!is_hashed("/favicon.svg"));
        assert!(!is_hashed("/pkg/vitasync_bg.wasm"));
    }

    #[test]
    fn an_etag_names_time_size_and_encoding() {
        let mut h = HeaderMap::new();
        h.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_static("Mon, 07 Dec 2026 17:00:00 GMT"),
        );
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("1234"));
        let plain = etag(&h).unwrap();
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        let br = etag(&h).unwrap();
        assert_ne!(plain, br);
        assert!(br.ends_with("-1234-br\""));
    }
}
