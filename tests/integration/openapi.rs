//! The OpenAPI document is generated from the handlers; `docs/openapi.json` is its committed
//! snapshot, so an API change without its spec change fails here. After a deliberate change:
//! `VITASYNC_UPDATE_OPENAPI=1 cargo test --release --features ssr --test integration openapi`.

use axum::http::StatusCode;

use crate::harness::{Backend, TestApp};

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");

#[test]
fn the_committed_spec_matches_the_code() {
    let generated = vitasync::api::openapi::document();
    if std::env::var("VITASYNC_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, format!("{generated}\n")).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        committed.trim_end() == generated,
        "docs/openapi.json differs from the API in the code. If the change is intended, run \
         VITASYNC_UPDATE_OPENAPI=1 cargo test --release --features ssr --test integration openapi \
         and commit the new docs/openapi.json."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spec_is_served_and_describes_every_route() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // The document is public: a developer reads it before having a key.
    let r = app.api("GET", "/v1/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["openapi"], "3.1.0");
    assert_eq!(r.json["info"]["title"], "VitaSync API");
    assert_eq!(
        r.json["components"]["securitySchemes"]["apiKey"]["scheme"],
        "bearer"
    );
    let paths = r.json["paths"].as_object().unwrap();
    for p in [
        "/users",
        "/users/{userId}",
        "/users/by-external-id/{externalId}",
        "/providers",
        "/providers/{providerId}",
        "/api-keys",
        "/api-keys/{keyId}",
        "/webhooks",
        "/webhooks/{webhookId}",
        "/webhooks/{webhookId}/test",
        "/webhooks/{webhookId}/deliveries",
        "/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver",
        "/users/{userId}/connections",
        "/users/{userId}/connections/{connectionId}",
        "/users/{userId}/connections/{connectionId}/sync",
        "/sync-jobs",
        "/sync-jobs/{jobId}",
        "/users/{userId}/health",
        "/users/{userId}/events",
        "/users/{userId}/events/{eventId}",
        "/users/{userId}/personal-records",
        "/users/{userId}/journal",
        "/users/{userId}/journal/{entryId}",
        "/users/{userId}/water",
        "/users/{userId}/water/{intakeId}",
        "/users/{userId}/mood",
        "/users/{userId}/mood/{moodId}",
        "/users/{userId}/habits",
        "/users/{userId}/habits/{habitId}",
        "/users/{userId}/habits/{habitId}/check-ins",
        "/users/{userId}/habits/{habitId}/check-ins/{date}",
        "/users/{userId}/goals",
        "/users/{userId}/goals/{goalId}",
    ] {
        assert!(paths.contains_key(p), "{p} missing from the spec");
    }
    // Every operation documents its answers, including errors in the envelope.
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has a tag"
            );
        }
    }
    // The readable reference renders that document with a bundle served from this site.
    let page = app.client().get("/docs/api").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"spec-url="/v1/openapi.json""#));
    assert!(page.body.contains(r#"src="/api-docs/redoc.standalone.js""#));
    assert!(!page.body.contains("https://"), "nothing from a CDN");
    app.finish().await;
}
