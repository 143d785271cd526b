//! `/v1/users`: create, read, look up by externalId, change, delete; every kind of bad input
//! answered with its status and field-level details; pagination that stays stable while rows
//! are inserted.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(
    a_user_is_created_read_changed_and_deleted,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "write").await;
        let r = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({
                    "externalId": "cust_42",
                    "email": "Ada@Example.com",
                    "displayName": "Ada",
                    "timezone": "Pacific/Tongatapu",
                    "metadata": {"plan": "pro", "seats": 3}
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let id = r.json["id"].as_str().unwrap().to_string();
        assert_eq!(id.len(), 26);
        assert_eq!(r.json["externalId"], "cust_42");
        assert_eq!(r.json["email"], "ada@example.com");
        assert_eq!(r.json["timezone"], "Pacific/Tongatapu");
        assert_eq!(r.json["metadata"]["seats"], 3);
        assert_eq!(r.json["role"], "member");
        assert_eq!(r.json["canSignIn"], false);
        assert!(r.json["createdAt"].as_str().unwrap().ends_with('Z'));

        let got = app
            .api("GET", &format!("/v1/users/{id}"), Some(&key), None)
            .await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.json["displayName"], "Ada");
        let by_ext = app
            .api("GET", "/v1/users/by-external-id/cust_42", Some(&key), None)
            .await;
        assert_eq!(by_ext.json["id"], id.as_str());

        // null clears, absent keeps, metadata is replaced whole.
        let changed = app
        .api(
            "PATCH",
            &format!("/v1/users/{id}"),
            Some(&key),
            Some(json!({"email": null, "timezone": "Europe/Berlin", "metadata": {"plan": "free"}})),
        )
        .await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.json);
        assert_eq!(changed.json["email"], serde_json::Value::Null);
        assert_eq!(changed.json["displayName"], "Ada");
        assert_eq!(changed.json["timezone"], "Europe/Berlin");
        assert_eq!(changed.json["metadata"], json!({"plan": "free"}));

        let gone = app
            .api("DELETE", &format!("/v1/users/{id}"), Some(&key), None)
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        assert_eq!(gone.json, serde_json::Value::Null);
        assert_eq!(
            app.api("GET", &format!("/v1/users/{id}"), Some(&key), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.api("DELETE", &format!("/v1/users/{id}"), Some(&key), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

both_backends!(
    duplicate_external_ids_are_a_409,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "write").await;
        let first = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "dup"})),
            )
            .await;
        assert_eq!(first.status, StatusCode::CREATED);
        let again = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "dup", "displayName": "Other"})),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.code(), "conflict");
        assert_eq!(again.detail_fields(), ["externalId"]);

        let second = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "other"})),
            )
            .await;
        let id = second.json["id"].as_str().unwrap();
        let clash = app
            .api(
                "PATCH",
                &format!("/v1/users/{id}"),
                Some(&key),
                Some(json!({"externalId": "dup"})),
            )
            .await;
        assert_eq!(clash.status, StatusCode::CONFLICT);
        // The refused change left the row as it was.
        let kept = app
            .api("GET", &format!("/v1/users/{id}"), Some(&key), None)
            .await;
        assert_eq!(kept.json["externalId"], "other");
    }
);

both_backends!(
    bad_input_gets_a_4xx_with_details_and_stores_nothing,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "write").await;
        let count = |app: TestApp, key: String| async move {
            app.api("GET", "/v1/users", Some(&key), None).await.json["data"]
                .as_array()
                .unwrap()
                .len()
        };
        let before = count(app.clone(), key.clone()).await;

        let r = app
        .api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "", "email": "nope", "timezone": "Mars/Base", "metadata": [1, 2]})),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.code(), "validation_failed");
        assert_eq!(
            r.detail_fields(),
            ["externalId", "email", "timezone", "metadata"]
        );

        // Wrong type and unknown field: 422 naming the problem.
        let r = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": 42})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("externalId"));
        let r = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"external_id": "x"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("external_id"));

        // Not JSON at all: 400; not declared as JSON: 415.
        let broken = Request::post("/v1/users")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"externalId\": "))
            .unwrap();
        let r = app.api_raw(broken).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.code(), "invalid_json");
        let form = Request::post("/v1/users")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("externalId=x"))
            .unwrap();
        let r = app.api_raw(form).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // Bad paging parameters: 400 naming the parameter.
        for q in ["limit=0", "limit=501", "limit=ten", "cursor=bogus"] {
            let r = app
                .api("GET", &format!("/v1/users?{q}"), Some(&key), None)
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
            assert_eq!(r.code(), "invalid_query", "{q}");
        }

        assert_eq!(
            count(app.clone(), key.clone()).await,
            before,
            "nothing was stored"
        );
    }
);

both_backends!(
    admins_are_not_deleted_through_the_api,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "admin").await;
        let users = app.api("GET", "/v1/users", Some(&key), None).await;
        let owner = users.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["role"] == "admin")
            .expect("the workspace's admin is listed")
            .clone();
        assert_eq!(owner["canSignIn"], true);
        let r = app
            .api(
                "DELETE",
                &format!("/v1/users/{}", owner["id"].as_str().unwrap()),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let still = app
            .api(
                "GET",
                &format!("/v1/users/{}", owner["id"].as_str().unwrap()),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(still.status, StatusCode::OK);
    }
);

both_backends!(
    a_key_cannot_change_the_email_someone_signs_in_with,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "write").await;
        let users = app.api("GET", "/v1/users", Some(&key), None).await;
        let owner = users.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["canSignIn"] == true)
            .expect("the workspace's admin is listed")
            .clone();
        let path = format!("/v1/users/{}", owner["id"].as_str().unwrap());
        for email in [json!("attacker@evil.example"), json!(null)] {
            let r = app
                .api("PATCH", &path, Some(&key), Some(json!({ "email": email })))
                .await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json);
            assert_eq!(r.json["error"]["code"], "conflict", "{}", r.json);
        }
        // The same address (in any case) and other fields still change.
        let same = owner["email"].as_str().unwrap().to_uppercase();
        let r = app
            .api(
                "PATCH",
                &path,
                Some(&key),
                Some(json!({ "email": same, "displayName": "Ada" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let still = app.api("GET", &path, Some(&key), None).await;
        assert_eq!(still.json["email"], owner["email"]);
        assert_eq!(still.json["displayName"], "Ada");
        // A user without a password (an API-only record) keeps an editable email.
        let made = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "crm-1", "email": "a@b.example"})),
            )
            .await;
        let r = app
            .api(
                "PATCH",
                &format!("/v1/users/{}", made.json["id"].as_str().unwrap()),
                Some(&key),
                Some(json!({ "email": "c@d.example" })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
    }
);

both_backends!(
    pages_stay_stable_while_users_are_added,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "write").await;
        for i in 0..6 {
            app.api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": format!("u{i}")})),
            )
            .await;
        }
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut added = 0;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/users?limit=3&cursor={c}"),
                None => "/v1/users?limit=3".to_string(),
            };
            let page = app.api("GET", &path, Some(&key), None).await;
            assert_eq!(page.status, StatusCode::OK);
            let data = page.json["data"].as_array().unwrap();
            assert!(data.len() <= 3);
            seen.extend(data.iter().map(|u| u["id"].as_str().unwrap().to_string()));
            // Someone adds users while we page.
            if added < 2 {
                app.api(
                    "POST",
                    "/v1/users",
                    Some(&key),
                    Some(json!({"externalId": format!("late{added}")})),
                )
                .await;
                added += 1;
            }
            let more = page.json["pagination"]["hasMore"].as_bool().unwrap();
            cursor = page.json["pagination"]["nextCursor"]
                .as_str()
                .map(str::to_string);
            assert_eq!(more, cursor.is_some());
            if !more {
                break;
            }
        }
        // The owner, six users and the two added late: each exactly once, in creation order.
        assert_eq!(seen.len(), 9, "{seen:?}");
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen);
    }
);

both_backends!(
    text_with_a_nul_character_is_refused_not_a_server_error,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "write").await;
        // Found by the API fuzzer: PostgreSQL stores no NUL in text or JSON (it answered 500).
        for body in [
            json!({"externalId": "a\u{0}b"}),
            json!({"externalId": "crm-9", "metadata": {"k\u{0}": 1}}),
            json!({"externalId": "crm-9", "displayName": "x\u{0}"}),
        ] {
            let r = app.api("POST", "/v1/users", Some(&key), Some(body)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
            assert_eq!(r.json["error"]["code"], "validation_failed", "{}", r.json);
        }
        let r = app
            .api("GET", "/v1/users/by-external-id/a%00b", Some(&key), None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
        // An escaped backslash before u0000 is ordinary text.
        let r = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "crm-10", "displayName": "\\u0000"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    }
);
