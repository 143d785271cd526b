//! Token endpoint (authorization_code with PKCE, refresh_token with rotation) and revocation.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::Utc;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::grants;
use crate::connections::providers::demo::CLIENT_ID;
use crate::platform::state::AppState;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// The client id from HTTP Basic or the form (public clients send it in the form).
fn client_id(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<String> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(id, _)| id.to_string()));
    basic.or_else(|| form.get("client_id").cloned())
}

/// RFC 7636 S256: BASE64URL(SHA256(verifier)) == challenge, verifier 43–128 unreserved chars.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    well_formed && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if client_id(&headers, &form).as_deref() != Some(CLIENT_ID) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client.",
        );
    }
    let now = Utc::now();
    let db = &state.db;
    let issued = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let (Some(code), Some(redirect_uri), Some(verifier)) = (
                form.get("code"),
                form.get("redirect_uri"),
                form.get("code_verifier"),
            ) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code, redirect_uri and code_verifier are required.",
                );
            };
            let grant = match grants::take_code(db, code).await {
                Ok(Some(g)) => g,
                Ok(None) => return invalid_grant("The code is unknown or was already used."),
                Err(e) => return server_error(e),
            };
            if grant.code_expires_at.is_none_or(|t| t <= now) {
                return invalid_grant("The code has expired.");
            }
            if grant.client_id != CLIENT_ID || &grant.redirect_uri != redirect_uri {
                return invalid_grant("The redirect URI does not match the authorization request.");
            }
            if !pkce_matches(verifier, &grant.code_challenge) {
                return invalid_grant("The PKCE code verifier does not match.");
            }
            grants::issue(db, &grant.id, &grant.scope, now).await
        }
        Some("refresh_token") => {
            let Some(refresh) = form.get("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is required.",
                );
            };
            match grants::by_refresh(db, refresh).await {
                Ok(Some((id, client, scope))) if client == CLIENT_ID => {
                    grants::issue(db, &id, &scope, now).await
                }
                Ok(_) => return invalid_grant("The refresh token is unknown or was revoked."),
                Err(e) => return server_error(e),
            }
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Use authorization_code or refresh_token.",
            )
        }
    };
    match issued {
        Ok(t) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "access_token": t.access_token,
                "token_type": "Bearer",
                "expires_in": t.expires_in,
                "refresh_token": t.refresh_token,
                "scope": t.scope,
            })),
        )
            .into_response(),
        Err(e) => server_error(e),
    }
}

/// RFC 7009: always 200 for a well-formed request, whether or not the token was known.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if client_id(&headers, &form).as_deref() != Some(CLIENT_ID) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client.",
        );
    }
    let Some(token) = form.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required.",
        );
    };
    match grants::revoke(&state.db, token, Utc::now()).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => server_error(e),
    }
}

fn server_error(e: sqlx::Error) -> Response {
    tracing::error!(error = %e, "demo provider database error");
    oauth_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "Try again later.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_the_rfc_example() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx",
            challenge
        ));
        assert!(!pkce_matches("short", challenge));
    }
}
