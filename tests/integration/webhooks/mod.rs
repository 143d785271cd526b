//! Outgoing webhooks against a local receiver: Standard Webhooks signatures checked by an
//! independent implementation, the retry schedule, Retry-After, 410 Gone, endpoints failing
//! for days and no redirects (`delivery`), the SSRF guard (`guard`), the admin pages and the
//! API's tenant isolation (`admin`). This file holds what they share.

mod admin;
mod delivery;
mod guard;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;
use vitasync::platform::egress::Policy;
use vitasync::webhooks::sender::{Sender, Sent};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Backend, TestApp};

/// The development setting that lets webhooks reach the local receiver.
fn private_targets(c: &mut vitasync::platform::config::Config) {
    c.allow_private_webhooks = true;
}

async fn dev_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, private_targets).await
}

fn sender(app: &TestApp, allow_private: bool) -> Sender {
    Sender::new(
        app.db().clone(),
        app.state.config.keys.clone(),
        Policy { allow_private },
    )
}

/// A workspace with an admin key and one endpoint at `url` for `events`; returns the key, the
/// endpoint id and its secret.
async fn endpoint(app: &TestApp, url: &str, events: serde_json::Value) -> (String, String, String) {
    let (ws, _) = app.workspace("Acme").await;
    let key = app.api_key(&ws, "admin").await;
    let r = app
        .api(
            "POST",
            "/v1/webhooks",
            Some(&key),
            Some(json!({"url": url, "events": events, "description": "CRM"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let secret = r.json["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    (key, r.json["id"].as_str().unwrap().to_string(), secret)
}

async fn receiver(status: u16) -> MockServer {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks"))
        .respond_with(ResponseTemplate::new(status).set_body_string("thanks"))
        .mount(&mock)
        .await;
    mock
}

fn header_map(req: &wiremock::Request) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    for (k, v) in req.headers.iter() {
        h.insert(
            http::HeaderName::from_bytes(k.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
    }
    h
}
