//! The tenant-isolation matrix, generated from the OpenAPI document so a new route cannot be
//! forgotten: for every operation on an object of workspace A, workspace B's admin key gets 404
//! (and A's objects are all still there afterwards); every change with A's read-only key gets
//! 403; lists B may read show none of A's objects.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;

use crate::harness::TestApp;

fn private_targets(c: &mut vitasync::platform::config::Config) {
    c.allow_private_webhooks = true;
}

/// A valid body for each operation that takes one (so the answer is about who asks, not
/// about the body). The test fails when an operation with a body has none here.
fn sample_body(method: &str, path: &str) -> Option<Value> {
    let body = match (method, path) {
        ("POST", "/api-keys") => json!({"name": "k", "scopes": ["read"]}),
        ("POST", "/users") => json!({"externalId": "someone-new"}),
        ("PATCH", "/users/{userId}") => json!({"displayName": "Changed"}),
        ("POST", "/users/{userId}/connections") => {
            json!({"providerId": "demo", "redirectUrl": "https://app.example/back"})
        }
        ("POST", "/users/{userId}/goals") => json!({"metricType": "steps", "targetValue": 100}),
        ("POST", "/users/{userId}/habits") => json!({"name": "Read"}),
        ("POST", "/users/{userId}/habits/{habitId}/check-ins") => json!({}),
        ("POST", "/users/{userId}/health") => json!({"providerId": "acme_scale", "points": [
            {"metricType": "steps", "value": 1.0, "recordedAt": Utc::now() - Duration::hours(1)}]}),
        ("POST", "/users/{userId}/journal") => json!({"body": "Hello"}),
        ("POST", "/users/{userId}/mood") => json!({"score": 3}),
        ("POST", "/users/{userId}/water") => json!({"amountMl": 100}),
        ("PUT", "/users/{userId}/units") => json!({"system": "imperial"}),
        ("POST", "/webhooks") => {
            json!({"url": "http://127.0.0.1:9/hook", "events": ["user.created"]})
        }
        ("PATCH", "/webhooks/{webhookId}") => json!({"description": "Changed"}),
        _ => return None,
    };
    Some(body)
}

fn fill(path: &str, ids: &BTreeMap<&str, String>) -> String {
    let mut out = path.to_string();
    for (name, id) in ids {
        out = out.replace(&format!("{{{name}}}"), id);
    }
    assert!(!out.contains('{'), "no sample id for a parameter of {path}");
    out
}

async fn created(app: &TestApp, key: &str, path: &str, body: Value, field: &str) -> String {
    let res = app.api("POST", path, Some(key), Some(body)).await;
    assert!(res.status.is_success(), "{path}: {}", res.json);
    res.json[field]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: {}", res.json))
        .to_string()
}

/// Workspace A with every kind of object; returns its id and the id for each path parameter.
async fn workspace_a(app: &TestApp) -> (String, BTreeMap<&'static str, String>) {
    let (ws_id, _) = app.workspace("Alpha").await;
    let admin = &app.api_key(&ws_id, "admin").await;
    let mut ids = BTreeMap::new();
    let user = created(
        app,
        admin,
        "/v1/users",
        json!({"externalId": "a-person", "timezone": "Europe/Paris"}),
        "id",
    )
    .await;
    let u = format!("/v1/users/{user}");
    ids.insert("externalId", "a-person".to_string());
    let tokens = TokenSet {
        access_token: "access".into(),
        refresh_token: Some("refresh".into()),
        expires_at: Some(Utc::now() + Duration::hours(1)),
    };
    let conn = repo::save_connected(
        app.db(),
        &app.state.config.keys,
        Connected {
            workspace_id: &ws_id,
            user_id: &user,
            provider_id: "demo",
            tokens: &tokens,
            account_id: Some("demo-a"),
            scopes: &["activity"],
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let job = app
        .api(
            "POST",
            &format!("{u}/connections/{conn}/sync"),
            Some(admin),
            None,
        )
        .await;
    ids.insert("jobId", job.json["id"].as_str().unwrap().to_string());
    ids.insert("connectionId", conn);
    let event = vitasync::platform::ids::new_id();
    vitasync::with_db!(app.db(), pool => sqlx::query(
        "INSERT INTO events (id, user_id, provider_id, provider_event_id, event_type, started_at, created_at) \
         VALUES ($1, $2, 'demo', 'e-1', 'workout', $3, $3)")
        .bind(&event).bind(&user).bind(Utc::now() - Duration::hours(3)).execute(pool).await.map(|r| r.rows_affected())).unwrap();
    ids.insert("eventId", event);
    ids.insert(
        "entryId",
        created(
            app,
            admin,
            &format!("{u}/journal"),
            json!({"body": "A's diary"}),
            "id",
        )
        .await,
    );
    ids.insert(
        "intakeId",
        created(
            app,
            admin,
            &format!("{u}/water"),
            json!({"amountMl": 250}),
            "id",
        )
        .await,
    );
    ids.insert(
        "moodId",
        created(app, admin, &format!("{u}/mood"), json!({"score": 4}), "id").await,
    );
    let habit = created(
        app,
        admin,
        &format!("{u}/habits"),
        json!({"name": "Walk"}),
        "id",
    )
    .await;
    created(
        app,
        admin,
        &format!("{u}/habits/{habit}/check-ins"),
        json!({}),
        "date",
    )
    .await;
    ids.insert("habitId", habit);
    ids.insert("date", "2026-01-01".to_string());
    ids.insert(
        "goalId",
        created(
            app,
            admin,
            &format!("{u}/goals"),
            json!({"metricType": "water_ml", "targetValue": 2000}),
            "id",
        )
        .await,
    );
    let key = app
        .api(
            "POST",
            "/v1/api-keys",
            Some(admin),
            Some(json!({"name": "A's", "scopes": ["read"]})),
        )
        .await;
    ids.insert("keyId", key.json["id"].as_str().unwrap().to_string());
    let hook = created(
        app,
        admin,
        "/v1/webhooks",
        json!({"url": "http://127.0.0.1:9/hook", "events": ["user.created"]}),
        "id",
    )
    .await;
    let delivery = created(
        app,
        admin,
        &format!("/v1/webhooks/{hook}/test"),
        json!({}),
        "deliveryId",
    )
    .await;
    ids.insert("deliveryId", delivery);
    ids.insert("webhookId", hook);
    ids.insert("providerId", "demo".to_string());
    ids.insert("userId", user);
    (ws_id, ids)
}

crate::both_backends!(
    every_route_keeps_workspaces_apart,
    with private_targets,
    |app: TestApp| async move {
        let spec = app.api("GET", "/v1/openapi.json", None, None).await;
        let (alpha, ids) = workspace_a(&app).await;
        let (b_ws, _) = app.workspace("Bravo").await;
        let b_admin = app.api_key(&b_ws, "admin").await;
        let a_admin = app.api_key(&alpha, "admin").await;
        let a_read = app.api_key(&alpha, "read").await;
        let a_ids: Vec<&String> = ids.values().filter(|v| v.len() == 26).collect();

        let mut checked = 0;
        for (path, ops) in spec.json["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                let method = method.to_uppercase();
                let body = sample_body(&method, path);
                assert_eq!(
                    body.is_some(),
                    op.get("requestBody").is_some(),
                    "sample body for {method} {path}"
                );
                let url = format!("/v1{}", fill(path, &ids));
                let names_an_object = path.contains('{') && path != "/providers/{providerId}";

                // Workspace B's key: A's objects do not exist for it.
                if names_an_object {
                    let res = app.api(&method, &url, Some(&b_admin), body.clone()).await;
                    assert_eq!(
                        res.status,
                        StatusCode::NOT_FOUND,
                        "B {method} {url}: {}",
                        res.json
                    );
                    assert_eq!(res.code(), "not_found");
                } else if method == "GET" {
                    let res = app.api(&method, &url, Some(&b_admin), None).await;
                    assert_eq!(res.status, StatusCode::OK, "B {method} {url}");
                    let text = res.json.to_string();
                    for id in &a_ids {
                        assert!(!text.contains(id.as_str()), "B's {url} shows A's {id}");
                    }
                }

                // A read-only key changes nothing.
                if method != "GET" {
                    let res = app.api(&method, &url, Some(&a_read), body.clone()).await;
                    assert_eq!(
                        res.status,
                        StatusCode::FORBIDDEN,
                        "read key {method} {url}: {}",
                        res.json
                    );
                    assert_eq!(res.code(), "forbidden");
                }
                checked += 1;
            }
        }
        assert!(
            checked >= 49,
            "every operation of the document was tried ({checked})"
        );

        // Everything of A is still there and readable with A's own key.
        for (path, ops) in spec.json["paths"].as_object().unwrap() {
            if ops.get("get").is_some() && !path.contains("{date}") {
                let url = format!("/v1{}", fill(path, &ids));
                let res = app.api("GET", &url, Some(&a_admin), None).await;
                assert_eq!(res.status, StatusCode::OK, "A GET {url}: {}", res.json);
            }
        }
        let u = &ids["userId"];
        for (list, id) in [
            ("journal", "entryId"),
            ("water", "intakeId"),
            ("mood", "moodId"),
            ("habits", "habitId"),
            ("goals", "goalId"),
        ] {
            let res = app
                .api(
                    "GET",
                    &format!("/v1/users/{u}/{list}"),
                    Some(&a_admin),
                    None,
                )
                .await;
            assert_eq!(
                res.json["data"][0]["id"],
                ids[id].as_str(),
                "A's {list} intact"
            );
        }
        let habit = app
            .api(
                "GET",
                &format!("/v1/users/{u}/habits"),
                Some(&a_admin),
                None,
            )
            .await;
        assert_eq!(
            habit.json["data"][0]["doneToday"], true,
            "A's check-in intact"
        );
    }
);
