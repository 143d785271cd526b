//! Status codes that say what happened, for every client:
//! - a server function that fails because of what the person sent answers 4xx (not the 500
//!   the server-function layer gives every error), and is logged at INFO/WARN;
//! - a page that redirects while rendering (signed out, say) answers 302 to every client, not
//!   only to browsers that send `Accept: text/html`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// Where server functions are served.
const SERVER_FN_PREFIX: &str = "/api/";
/// The header the server-function layer marks its error answers with.
const SERVER_FN_ERROR: HeaderName = HeaderName::from_static("serverfnerror");
/// The header that asks the hydrated client to navigate instead of the browser.
const CLIENT_REDIRECT: HeaderName = HeaderName::from_static("serverfnredirect");
/// Server-function arguments are form fields (journal entries are the longest).
const MAX_FORM_BODY: usize = 2 * 1024 * 1024;
/// Error bodies are a JSON `AppError`: a message, never this long.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Gives a failed server function the status of its error.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    if !path.starts_with(SERVER_FN_PREFIX)
        || res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(&SERVER_FN_ERROR)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        let status =
            StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match status.as_u16() {
            401 | 403 | 429 => tracing::warn!(%path, %status, "refused: {err}"),
            400..=499 => tracing::info!(%path, %status, "not done: {err}"),
            _ => {}
        }
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A path as it may be written to the request log: an invitation link's or a connect
/// handoff's token is a password for whoever reads the log, so it is cut out.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/join/", "/connect/"] {
        if path
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
        {
            return format!("{prefix}[token]").into();
        }
    }
    path.into()
}

/// Server-function arguments (form-encoded) may not hold the NUL character: PostgreSQL stores
/// none in text, so it would fail as a 500 deep inside; nothing people type contains one.
pub async fn refuse_nul_in_forms(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.uri().path().starts_with(SERVER_FN_PREFIX) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "This form is too large.").into_response();
    };
    let has_nul = bytes.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00"))
        || parts.uri.query().is_some_and(|q| {
            q.as_bytes()
                .windows(3)
                .any(|w| w.eq_ignore_ascii_case(b"%00"))
        });
    if has_nul {
        let err = AppError::Invalid {
            field: None,
            message: "Text may not contain the NUL character.".into(),
        };
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&err).unwrap_or_default(),
        )
            .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The query parameter that tells a page which of its forms just succeeded (`?__done=<server
/// function path>`), the way the server-function layer reports a failure (`?__err=`).
pub const DONE_PARAM: &str = "__done";

/// A plain form post (no JavaScript: every form since pages are islands) that succeeded is sent
/// back to its page by the server-function layer; this says which form succeeded, so the page
/// can confirm it ("Saved."). Redirects elsewhere (sign-in to the dashboard) are left alone.
pub async fn form_post_outcome(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let plain_form = req.method() == Method::POST
        && path.starts_with(SERVER_FN_PREFIX)
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut res = next.run(req).await;
    if !plain_form || !res.status().is_redirection() || res.headers().contains_key(&SERVER_FN_ERROR)
    {
        return res;
    }
    let (Some(referer), Some(location)) = (
        referer,
        res.headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    ) else {
        return res;
    };
    if let Some(back) = mark_done(&referer, &location, &path) {
        if let Ok(value) = header::HeaderValue::from_str(&back) {
            res.headers_mut().insert(header::LOCATION, value);
        }
    }
    res
}

/// `location` with `__done=<path>` when it leads back to the page the form was on.
fn mark_done(referer: &str, location: &str, fn_path: &str) -> Option<String> {
    let strip = |u: &str| -> Option<url::Url> {
        let mut url = url::Url::parse(u).ok()?;
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !matches!(k.as_ref(), "__err" | "__path" | DONE_PARAM))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.set_query(None);
        if !kept.is_empty() {
            url.query_pairs_mut().extend_pairs(kept);
        }
        Some(url)
    };
    let back = strip(referer)?;
    let target =
        strip(location).or_else(|| back.join(location).ok().and_then(|u| strip(u.as_str())))?;
    if back.path() != target.path() || back.query() != target.query() {
        return None;
    }
    let mut done = target;
    done.query_pairs_mut().append_pair(DONE_PARAM, fn_path);
    Some(done.to_string())
}

/// Turns a page render that set `Location` into a real redirect.
pub async fn page_redirect_status(req: Request, next: Next) -> Response {
    let page = matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.uri().path().starts_with(SERVER_FN_PREFIX);
    let mut res = next.run(req).await;
    if page && res.status() == StatusCode::OK && res.headers().contains_key(header::LOCATION) {
        *res.status_mut() = StatusCode::FOUND;
        res.headers_mut().remove(&CLIENT_REDIRECT);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::{loggable_path, mark_done};

    #[test]
    fn a_form_sent_back_to_its_page_is_marked_done() {
        assert_eq!(
            mark_done(
                "http://h/water?range=7",
                "http://h/water?range=7",
                "/api/water/add"
            )
            .as_deref(),
            Some("http://h/water?range=7&__done=%2Fapi%2Fwater%2Fadd")
        );
        // An earlier outcome on the page is replaced, not piled up.
        assert_eq!(
            mark_done(
                "http://h/mood?__done=%2Fapi%2Fx",
                "http://h/mood",
                "/api/mood/add"
            )
            .as_deref(),
            Some("http://h/mood?__done=%2Fapi%2Fmood%2Fadd")
        );
        // Sign-in lands elsewhere: no mark.
        assert_eq!(mark_done("http://h/login", "/", "/api/auth/login"), None);
    }

    #[test]
    fn invitation_tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/join/s3cr3t-token"), "/join/[token]");
        assert_eq!(loggable_path("/join/s3cr3t/x"), "/join/[token]");
        assert_eq!(loggable_path("/connect/s3cr3t"), "/connect/[token]");
        assert_eq!(
            loggable_path("/connections/fitbit/connect"),
            "/connections/fitbit/connect"
        );
        assert_eq!(loggable_path("/admin/users"), "/admin/users");
    }
}
