//! Oldest-first lists (API keys, webhooks, habits) page stably while rows are added: a client
//! paging two at a time sees every row that existed when it started exactly once and in order;
//! rows created meanwhile come after them (newer ids), each at most once.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::harness::TestApp;

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

fn private_targets(c: &mut vitasync::platform::config::Config) {
    c.allow_private_webhooks = true;
}

/// Creates five rows with `body(i)`, then pages `path` adding one more row after every page;
/// checks the originals were seen once each, in order, and nothing twice.
async fn stable(app: &TestApp, key: &str, path: &str, body: impl Fn(usize) -> Value) {
    let mut made = Vec::new();
    for i in 0..5 {
        let res = app.api("POST", path, Some(key), Some(body(i))).await;
        assert_eq!(res.status, StatusCode::CREATED, "{path}: {}", res.json);
        made.push(res.json["id"].as_str().unwrap().to_string());
    }
    let before = app
        .api("GET", &format!("{path}?limit=500"), Some(key), None)
        .await;
    let existing = ids(&before.json);
    assert!(existing.ends_with(&made), "{path}: oldest first");
    let (mut seen, mut cursor, mut added) = (Vec::new(), String::new(), 0);
    loop {
        let page = app
            .api(
                "GET",
                &format!("{path}?limit=2&cursor={cursor}"),
                Some(key),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.json);
        seen.extend(ids(&page.json));
        added += 1;
        let res = app
            .api("POST", path, Some(key), Some(body(100 + added)))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{path}: {}", res.json);
        match page.json["pagination"]["nextCursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(
        seen[..existing.len()],
        existing[..],
        "{path}: originals once, in order"
    );
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "{path}: nothing twice");
}

crate::both_backends!(
    oldest_first_lists_page_stably_while_rows_are_added,
    with private_targets,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "read,write,admin").await;
        stable(
            &app,
            &key,
            "/v1/api-keys",
            |i| json!({"name": format!("key {i}"), "scopes": ["read"]}),
        )
        .await;
        stable(
            &app,
            &key,
            "/v1/webhooks",
            |i| json!({"url": format!("http://127.0.0.1:9/hook-{i}"), "events": ["user.created"]}),
        )
        .await;
        let user = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "p1"})),
            )
            .await;
        let user = user.json["id"].as_str().unwrap().to_string();
        stable(
            &app,
            &key,
            &format!("/v1/users/{user}/habits"),
            |i| json!({"name": format!("Habit {i}")}),
        )
        .await;
    }
);
