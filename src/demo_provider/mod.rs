//! The built-in demo provider: a small OAuth 2.0 authorization server (authorization code with
//! PKCE S256, refresh token rotation, RFC 7009 revocation) and a data API that serves
//! deterministic demo readings per person, so a fresh install can connect and sync a "device"
//! end to end. VitaSync's provider client talks to it over HTTP like to any other provider.
//!
//! The resource owner is the signed-in VitaSync user; the only client is VitaSync itself
//! (`vitasync-demo`, public, PKCE required), and the only redirect URI it accepts is this
//! server's `/connections/demo/callback`.

pub mod authorize;
pub mod data;
pub mod grants;
pub mod token;

use axum::routing::{get, post};
use axum::Router;

use crate::platform::state::AppState;

/// Access tokens live an hour; codes five minutes.
pub const ACCESS_TOKEN_SECONDS: i64 = 3600;
pub const CODE_SECONDS: i64 = 300;

pub fn machine_routes() -> Router<AppState> {
    Router::new()
        .route("/demo-provider/token", post(token::token))
        .route("/demo-provider/revoke", post(token::revoke))
        .route("/demo-provider/api/v1/me", get(data::me))
        .route("/demo-provider/api/v1/data", get(data::data))
}
