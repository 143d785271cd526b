//! What a server function needs to know about its request, captured once at its start.
//!
//! Leptos provides the request and app state as reactive context, which is only reliably
//! readable before a server function's first `.await` (during page rendering the owner is not
//! restored on later polls). So every server function begins with `RequestCtx::capture()` and
//! uses the captured values from then on.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::request::Parts;
use http::{header, HeaderValue, StatusCode};
use leptos::prelude::use_context;
use leptos::server_fn::redirect::REDIRECT_HEADER;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use super::db::Db;
use super::state::AppState;
use crate::error::AppError;
use crate::identity::SessionUser;

/// The signed-in person and the id of their `auth_sessions` row, put on the request by the
/// session layer (`crate::auth::session::load_current_user`).
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub user: SessionUser,
    pub auth_session_id: String,
}

#[derive(Clone)]
pub struct RequestCtx {
    pub state: AppState,
    parts: Parts,
    response: Option<ResponseOptions>,
}

impl RequestCtx {
    /// Reads the request context. Call before the first `.await`.
    pub fn capture() -> Result<Self, AppError> {
        let (Some(state), Some(parts)) = (use_context::<AppState>(), use_context::<Parts>()) else {
            tracing::error!("server function ran without request context");
            return Err(AppError::Internal);
        };
        Ok(Self {
            state,
            parts,
            response: use_context::<ResponseOptions>(),
        })
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// What tells this request from every other (`tag_request`).
    pub fn request_tag(&self) -> &str {
        self.parts
            .extensions
            .get::<RequestTag>()
            .map(|t| t.0.as_str())
            .unwrap_or_default()
    }

    /// The signed-in person, if any.
    pub fn auth(&self) -> Option<Authenticated> {
        self.parts.extensions.get::<Authenticated>().cloned()
    }

    pub fn require_user(&self) -> Result<Authenticated, AppError> {
        self.auth().ok_or(AppError::Unauthenticated)
    }

    pub fn require_admin(&self) -> Result<Authenticated, AppError> {
        let auth = self.require_user()?;
        if auth.user.is_admin() {
            Ok(auth)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn require_instance_owner(&self) -> Result<Authenticated, AppError> {
        let auth = self.require_user()?;
        if auth.user.is_instance_owner {
            Ok(auth)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The tower-sessions handle of this request.
    pub fn session(&self) -> Result<Session, AppError> {
        self.parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or(AppError::Internal)
    }

    /// The client's address and user agent (recorded with sessions, used for throttling).
    pub fn client_info(&self) -> (String, Option<String>) {
        let ip = self
            .parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        let ua = self
            .parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (ip, ua)
    }

    /// The address people use to reach us: the configured public URL, else this request's host.
    pub fn base_url(&self) -> String {
        if let Some(origin) = self.state.config.public_origin() {
            return origin;
        }
        let host = self
            .parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1:3000");
        format!("http://{host}")
    }

    /// Sends the browser to `path` after this server function: a 302 for a plain form post, a
    /// client-side navigation for the hydrated app.
    pub fn redirect(&self, path: &str) {
        let Some(res) = &self.response else { return };
        let Ok(location) = HeaderValue::from_str(path) else {
            return;
        };
        res.insert_header(header::LOCATION, location);
        let plain_form = self
            .parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if plain_form {
            res.set_status(StatusCode::FOUND);
        } else {
            res.insert_header(
                header::HeaderName::from_static(REDIRECT_HEADER),
                HeaderValue::from_static(""),
            );
        }
    }
}

/// A per-request id in the request's extensions (see `shown_once`).
#[derive(Clone, Debug)]
pub struct RequestTag(pub String);

/// Tags each page and server-function request with a fresh id.
pub async fn tag_request(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    req.extensions_mut()
        .insert(RequestTag(crate::platform::ids::new_id()));
    next.run(req).await
}
