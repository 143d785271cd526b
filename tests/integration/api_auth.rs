//! The REST API's front door: keys in the Authorization header, scopes, tenant isolation of
//! what a key can see, rate limits, `lastUsedAt`, and the one error envelope.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(every_kind_of_bad_key_is_a_401, |app: TestApp| async move {
    let (ws, _) = app.workspace("Acme").await;
    let good = app.api_key(&ws, "read").await;

    let none = app.api("GET", "/v1/users", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.code(), "unauthorized");
    assert!(none.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Bearer"));
    assert!(none.headers.get(header::WWW_AUTHENTICATE).is_some());

    let basic = app
        .api_raw(
            Request::get("/v1/users")
                .header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);

    let unknown = format!("vs_live_{}", "A".repeat(40));
    for bad in ["vs_live_short", "not-a-key", unknown.as_str()] {
        let r = app.api("GET", "/v1/users", Some(bad), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(r.code(), "unauthorized");
    }

    // Expired: the key row's expiry is in the past.
    let expired = app.api_key(&ws, "read").await;
    let hash = vitasync::api_keys::token::hash(&expired);
    vitasync::with_db!(app.db(), pool => sqlx::query("UPDATE api_keys SET expires_at = $1 WHERE key_hash = $2")
        .bind(chrono::Utc::now() - chrono::Duration::minutes(1))
        .bind(&hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let r = app.api("GET", "/v1/users", Some(&expired), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));

    // The good key still works.
    assert_eq!(
        app.api("GET", "/v1/users", Some(&good), None).await.status,
        StatusCode::OK
    );
});

both_backends!(scopes_decide_what_a_key_may_do, |app: TestApp| async move {
    let (ws, _) = app.workspace("Acme").await;
    let read = app.api_key(&ws, "read").await;
    let write = app.api_key(&ws, "write").await;
    let admin = app.api_key(&ws, "admin").await;
    let body = json!({"externalId": "u-1"});

    let r = app
        .api("POST", "/v1/users", Some(&read), Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "forbidden");
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("write"));
    // Nothing was stored by the refused request.
    let list = app.api("GET", "/v1/users", Some(&read), None).await;
    assert!(list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["externalId"] != "u-1"));

    let r = app.api("POST", "/v1/users", Some(&write), Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // Keys are admin business: write is not enough, admin includes everything.
    assert_eq!(
        app.api("GET", "/v1/api-keys", Some(&write), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api("GET", "/v1/api-keys", Some(&admin), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.api("GET", "/v1/users", Some(&admin), None).await.status,
        StatusCode::OK
    );
});

both_backends!(
    another_workspaces_objects_are_not_found,
    |app: TestApp| async move {
        let (a, _) = app.workspace("Acme").await;
        let (b, _) = app.workspace("Beta").await;
        let key_a = app.api_key(&a, "admin").await;
        let key_b = app.api_key(&b, "admin").await;
        let user = app
            .api(
                "POST",
                "/v1/users",
                Some(&key_a),
                Some(json!({"externalId": "shared-id"})),
            )
            .await;
        let id = user.json["id"].as_str().unwrap().to_string();

        for (method, body) in [
            ("GET", None),
            ("PATCH", Some(json!({"displayName": "X"}))),
            ("DELETE", None),
        ] {
            let r = app
                .api(method, &format!("/v1/users/{id}"), Some(&key_b), body)
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}");
            assert_eq!(r.code(), "not_found");
        }
        let r = app
            .api(
                "GET",
                "/v1/users/by-external-id/shared-id",
                Some(&key_b),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let listed = app.api("GET", "/v1/users", Some(&key_b), None).await;
        assert!(listed.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["id"] != id.as_str()));
        // The same externalId is free in the other workspace.
        let r = app
            .api(
                "POST",
                "/v1/users",
                Some(&key_b),
                Some(json!({"externalId": "shared-id"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        // Keys too: B cannot see or revoke A's keys.
        let keys_a = app.api("GET", "/v1/api-keys", Some(&key_a), None).await;
        let key_id = keys_a.json["data"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(
            app.api("GET", &format!("/v1/api-keys/{key_id}"), Some(&key_b), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.api(
                "DELETE",
                &format!("/v1/api-keys/{key_id}"),
                Some(&key_b),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.api("GET", "/v1/users", Some(&key_a), None).await.status,
            StatusCode::OK
        );
        // A's user is still there, unchanged.
        let still = app
            .api("GET", &format!("/v1/users/{id}"), Some(&key_a), None)
            .await;
        assert_eq!(still.json["displayName"], serde_json::Value::Null);
    }
);

both_backends!(
    unknown_routes_and_methods_answer_in_the_envelope,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "read").await;
        let r = app.api("GET", "/v1/nothing-here", Some(&key), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.code(), "not_found");
        let r = app.api("PUT", "/v1/users", Some(&key), None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.code(), "method_not_allowed");
    }
);

both_backends!(
    last_used_is_recorded_without_a_write_per_request,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let admin = app.api_key(&ws, "admin").await;
        let before = app.api("GET", "/v1/api-keys", Some(&admin), None).await;
        // The listing request itself was the first use.
        let first = before.json["data"][0]["lastUsedAt"]
            .as_str()
            .expect("set on first use")
            .to_string();
        for _ in 0..3 {
            app.api("GET", "/v1/users", Some(&admin), None).await;
        }
        let after = app.api("GET", "/v1/api-keys", Some(&admin), None).await;
        // Within the minute no further write happened.
        assert_eq!(
            after.json["data"][0]["lastUsedAt"].as_str(),
            Some(first.as_str())
        );
    }
);

crate::both_backends!(
    rate_limit,
    with |c: &mut vitasync::platform::config::Config| c.api_rate_limit = 3,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "read").await;
        let other = app.api_key(&ws, "read").await;
        for _ in 0..3 {
            assert_eq!(
                app.api("GET", "/v1/users", Some(&key), None).await.status,
                StatusCode::OK
            );
        }
        let r = app.api("GET", "/v1/users", Some(&key), None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.code(), "rate_limited");
        let wait: u64 = r.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=20).contains(&wait), "Retry-After {wait}");
        // Each key has its own budget.
        assert_eq!(
            app.api("GET", "/v1/users", Some(&other), None).await.status,
            StatusCode::OK
        );
    }
);
