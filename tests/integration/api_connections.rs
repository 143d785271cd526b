//! The REST API's connection resources: connections (list, sync now, disconnect) kept to their
//! workspace and to keys that may write, and the sync-job queue with filters and stable pages.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{workspace_api_user, TestApp};

both_backends!(
    connections_are_listed_synced_and_disconnected,
    |app: TestApp| async move {
        let (key, user, conn) = workspace_api_user(&app, "Acme", true).await;
        let conn = conn.unwrap();
        let list = app
            .api(
                "GET",
                &format!("/v1/users/{user}/connections"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let c = &list.json["data"][0];
        assert_eq!(c["id"], conn.as_str());
        assert_eq!(c["providerId"], "demo");
        assert_eq!(c["status"], "active");
        assert_eq!(c["providerUserId"], "demo-account-1");
        assert!(!list.json.to_string().contains("access"), "never tokens");

        let sync = app
            .api(
                "POST",
                &format!("/v1/users/{user}/connections/{conn}/sync"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(sync.status, StatusCode::ACCEPTED, "{}", sync.json);
        assert_eq!(sync.json["status"], "pending");
        assert_eq!(sync.json["kind"], "backfill");
        assert_eq!(sync.json["connectionId"], conn.as_str());
        // Asking again while it is open answers with the same job.
        let again = app
            .api(
                "POST",
                &format!("/v1/users/{user}/connections/{conn}/sync"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(again.json["id"], sync.json["id"]);
        let job = sync.json["id"].as_str().unwrap();
        let got = app
            .api("GET", &format!("/v1/sync-jobs/{job}"), Some(&key), None)
            .await;
        assert_eq!(got.json["userId"], user.as_str());

        let gone = app
            .api(
                "DELETE",
                &format!("/v1/users/{user}/connections/{conn}"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let list = app
            .api(
                "GET",
                &format!("/v1/users/{user}/connections"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(list.json["data"][0]["status"], "disconnected");
        let refused = app
            .api(
                "POST",
                &format!("/v1/users/{user}/connections/{conn}/sync"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
    }
);

both_backends!(
    connections_and_jobs_stay_in_their_workspace,
    |app: TestApp| async move {
        let (key_a, user, conn) = workspace_api_user(&app, "Acme", true).await;
        let conn = conn.unwrap();
        let (key_b, user_b, _) = workspace_api_user(&app, "Beta", false).await;
        let job = app
            .api(
                "POST",
                &format!("/v1/users/{user}/connections/{conn}/sync"),
                Some(&key_a),
                None,
            )
            .await;
        let job = job.json["id"].as_str().unwrap().to_string();
        for (m, p) in [
            ("GET", format!("/v1/users/{user}/connections")),
            ("POST", format!("/v1/users/{user}/connections/{conn}/sync")),
            ("DELETE", format!("/v1/users/{user}/connections/{conn}")),
            // B's own user with A's connection id.
            (
                "POST",
                format!("/v1/users/{user_b}/connections/{conn}/sync"),
            ),
            ("GET", format!("/v1/sync-jobs/{job}")),
            ("GET", format!("/v1/users/{user}/health")),
            ("POST", format!("/v1/users/{user}/health")),
        ] {
            let body = (m == "POST" && p.ends_with("/health"))
            .then(|| json!({"providerId": "acme_scale", "points": [{"metricType": "steps", "value": 1.0, "recordedAt": Utc::now()}]}));
            let r = app.api(m, &p, Some(&key_b), body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {p}");
        }
        let listed = app.api("GET", "/v1/sync-jobs", Some(&key_b), None).await;
        assert!(listed.json["data"].as_array().unwrap().is_empty());
        // A read-only key of A may look but not change.
        let (ws_a,): (String,) = with_db!(app.db(), pool => sqlx::query_as("SELECT workspace_id FROM users WHERE id = $1")
        .bind(&user).fetch_one(pool).await).unwrap();
        let read = app.api_key(&ws_a, "read").await;
        assert_eq!(
            app.api("GET", &format!("/v1/sync-jobs/{job}"), Some(&read), None)
                .await
                .status,
            StatusCode::OK
        );
        for (m, p) in [
            ("POST", format!("/v1/users/{user}/connections/{conn}/sync")),
            ("DELETE", format!("/v1/users/{user}/connections/{conn}")),
        ] {
            assert_eq!(
                app.api(m, &p, Some(&read), None).await.status,
                StatusCode::FORBIDDEN,
                "{m} {p}"
            );
        }
        let h = app
            .api(
                "POST",
                &format!("/v1/users/{user}/health"),
                Some(&read),
                Some(json!({"providerId": "acme_scale", "points": []})),
            )
            .await;
        assert_eq!(h.status, StatusCode::FORBIDDEN);
    }
);

both_backends!(
    the_job_list_filters_and_pages_newest_first,
    |app: TestApp| async move {
        let (key, user, conn) = workspace_api_user(&app, "Acme", true).await;
        let conn = conn.unwrap();
        // Five jobs: each is finished before the next is queued.
        let mut ids = Vec::new();
        for i in 0..5 {
            let r = app
                .api(
                    "POST",
                    &format!("/v1/users/{user}/connections/{conn}/sync"),
                    Some(&key),
                    None,
                )
                .await;
            let id = r.json["id"].as_str().unwrap().to_string();
            let status = if i % 2 == 0 { "completed" } else { "failed" };
            with_db!(app.db(), pool => sqlx::query("UPDATE sync_jobs SET status = $1 WHERE id = $2")
            .bind(status).bind(&id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
            ids.push(id);
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/sync-jobs?limit=2&cursor={c}"),
                None => "/v1/sync-jobs?limit=2".into(),
            };
            let page = app.api("GET", &path, Some(&key), None).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.json);
            seen.extend(
                page.json["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|j| j["id"].as_str().unwrap().to_string()),
            );
            cursor = page.json["pagination"]["nextCursor"]
                .as_str()
                .map(str::to_string);
            if cursor.is_none() {
                break;
            }
        }
        let mut newest_first = ids.clone();
        newest_first.reverse();
        assert_eq!(seen, newest_first);

        let failed = app
            .api("GET", "/v1/sync-jobs?status=failed", Some(&key), None)
            .await;
        assert_eq!(failed.json["data"].as_array().unwrap().len(), 2);
        let mine = app
            .api(
                "GET",
                &format!("/v1/sync-jobs?userId={user}&providerId=demo"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(mine.json["data"].as_array().unwrap().len(), 5);
        let other = app
            .api("GET", "/v1/sync-jobs?providerId=whoop", Some(&key), None)
            .await;
        assert!(other.json["data"].as_array().unwrap().is_empty());
        let future = (Utc::now() + Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ");
        let none = app
            .api(
                "GET",
                &format!("/v1/sync-jobs?since={future}"),
                Some(&key),
                None,
            )
            .await;
        assert!(none.json["data"].as_array().unwrap().is_empty());
        for bad in ["status=stuck", "since=yesterday", "limit=0"] {
            let r = app
                .api("GET", &format!("/v1/sync-jobs?{bad}"), Some(&key), None)
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }
);
