//! Helpers for the provider push stories (`/push/{provider}`): the provider settings they run
//! with, HMAC signing, an account connected for a notification to route to, posting a raw
//! notification, and reading back what was queued (sync jobs) and recorded (push receipts).

use axum::body::Body;
use axum::http::{header, Request};
use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::{Config, ProviderClient};
use vitasync::with_db;

use super::{ApiResponse, TestApp};

pub const WHOOP_SECRET: &str = "whoop-client-secret";
pub const OURA_SECRET: &str = "oura-client-secret";

/// WHOOP, Strava, Oura and Withings set up with a client secret (and, but for WHOOP, a push
/// token); pass to `both_backends!(name, with configure, …)`.
pub fn configure(c: &mut Config) {
    let client = |secret: &str, push: Option<&str>| ProviderClient {
        client_id: Some("client".into()),
        client_secret: Some(secret.into()),
        push_token: push.map(str::to_string),
        ..Default::default()
    };
    let p = &mut c.providers.clients;
    p.insert("whoop".into(), client(WHOOP_SECRET, None));
    p.insert(
        "strava".into(),
        client("strava-secret", Some("strava-verify")),
    );
    p.insert("oura".into(), client(OURA_SECRET, Some("oura-verify")));
    p.insert(
        "withings".into(),
        client("withings-secret", Some("withings-token")),
    );
}

/// HMAC-SHA256 of `parts`, in order, under `key`.
pub fn hmac(key: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

/// A person in workspace `ws` connected to `provider` as `account`; returns the connection id.
pub async fn connect(app: &TestApp, ws: &str, provider: &str, account: &str) -> String {
    let user: String = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT id FROM users WHERE workspace_id = $1 ORDER BY id LIMIT 1").bind(ws).fetch_one(pool).await)
    .unwrap();
    let tokens = TokenSet {
        access_token: "access".into(),
        refresh_token: Some("refresh".into()),
        expires_at: Some(Utc::now() + Duration::hours(1)),
    };
    repo::save_connected(
        app.db(),
        &app.state.config.keys,
        Connected {
            workspace_id: ws,
            user_id: &user,
            provider_id: provider,
            tokens: &tokens,
            account_id: Some(account),
            scopes: &[],
        },
        Utc::now(),
    )
    .await
    .unwrap()
}

/// The connection id of every sync job, oldest first.
pub async fn jobs(app: &TestApp) -> Vec<String> {
    with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT connection_id FROM sync_jobs ORDER BY created_at").fetch_all(pool).await)
    .unwrap()
}

/// Every push receipt as `(provider, outcome)`, oldest first.
pub async fn receipts(app: &TestApp) -> Vec<(String, String)> {
    with_db!(app.db(), pool => sqlx::query_as(
        "SELECT provider_id, outcome FROM provider_push_receipts ORDER BY received_at, id").fetch_all(pool).await)
    .unwrap()
}

/// Ends every open job, so only the receipt stands between a replay and a new sync.
pub async fn finish_jobs(app: &TestApp) {
    with_db!(app.db(), pool => sqlx::query(
        "UPDATE sync_jobs SET status = 'completed', completed_at = created_at").execute(pool).await.map(|_| ()))
    .unwrap();
}

/// Posts `body` as `content_type` to `path` with extra `headers`, unauthenticated.
pub async fn post(
    app: &TestApp,
    path: &str,
    content_type: &str,
    headers: &[(&str, String)],
    body: &str,
) -> ApiResponse {
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, content_type);
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    app.api_raw(b.body(Body::from(body.to_string())).unwrap())
        .await
}

/// The per-notification outcomes of a push answer.
pub fn outcomes(r: &ApiResponse) -> Value {
    r.json["outcomes"].clone()
}
