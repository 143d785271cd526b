//! The REST API's data resources: connections (list, sync now, disconnect), the sync-job queue
//! with filters and stable pages, and health data (daily summaries; all-or-nothing ingest).

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::TestApp;

/// A workspace with admin key, an API user and (for `connect`) a demo connection of theirs.
async fn setup(app: &TestApp, name: &str, connect: bool) -> (String, String, Option<String>) {
    let (ws, _) = app.workspace(name).await;
    let key = app.api_key(&ws, "admin").await;
    let user = app
        .api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "p1", "timezone": "Pacific/Tongatapu"})),
        )
        .await;
    let user_id = user.json["id"].as_str().unwrap().to_string();
    let conn = if connect {
        let tokens = TokenSet {
            access_token: "access".into(),
            refresh_token: Some("refresh".into()),
            expires_at: Some(Utc::now() + Duration::hours(1)),
        };
        Some(
            repo::save_connected(
                app.db(),
                &app.state.config.keys,
                Connected {
                    workspace_id: &ws,
                    user_id: &user_id,
                    provider_id: "demo",
                    tokens: &tokens,
                    account_id: Some("demo-account-1"),
                    scopes: &["activity"],
                },
                Utc::now(),
            )
            .await
            .unwrap(),
        )
    } else {
        None
    };
    (key, user_id, conn)
}

both_backends!(
    connections_are_listed_synced_and_disconnected,
    |app: TestApp| async move {
        let (key, user, conn) = setup(&app, "Acme", true).await;
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
        let (key_a, user, conn) = setup(&app, "Acme", true).await;
        let conn = conn.unwrap();
        let (key_b, user_b, _) = setup(&app, "Beta", false).await;
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
        let (key, user, conn) = setup(&app, "Acme", true).await;
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

both_backends!(
    health_data_is_ingested_whole_and_summarised_by_local_day,
    |app: TestApp| async move {
        let (key, user, _) = setup(&app, "Acme", false).await;
        // 23:30 UTC on 1 March is 12:30 on 2 March in Tonga (UTC+13): the user's own day counts.
        let late = "2026-03-01T23:30:00Z";
        let body = json!({"providerId": "acme_scale", "points": [
            {"metricType": "steps", "value": 4000.0, "recordedAt": late},
            {"metricType": "steps", "value": 1500.0, "unit": "count", "recordedAt": "2026-03-02T02:00:00Z"},
            {"metricType": "weight", "value": 72.4, "unit": "kg", "recordedAt": "2026-03-02T06:00:00Z"},
        ]});
        let r = app
            .api(
                "POST",
                &format!("/v1/users/{user}/health"),
                Some(&key),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        assert_eq!(r.json["points"], 3);
        // Re-sending the same batch changes nothing (idempotent upsert).
        let again = app
            .api(
                "POST",
                &format!("/v1/users/{user}/health"),
                Some(&key),
                Some(body),
            )
            .await;
        assert_eq!(again.status, StatusCode::CREATED);

        let q = format!("/v1/users/{user}/health?metricType=steps&from=2026-03-01&to=2026-03-03");
        let steps = app.api("GET", &q, Some(&key), None).await;
        assert_eq!(steps.status, StatusCode::OK, "{}", steps.json);
        let data = steps.json["data"].as_array().unwrap();
        assert_eq!(data.len(), 1, "{data:?}");
        assert_eq!(data[0]["date"], "2026-03-02");
        assert_eq!(data[0]["sum"], 5500.0);
        assert_eq!(data[0]["count"], 2);
        assert_eq!(data[0]["providerId"], "acme_scale");

        let all = app
            .api(
                "GET",
                &format!("/v1/users/{user}/health?from=2026-03-01&to=2026-03-03&limit=1"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(all.json["data"].as_array().unwrap().len(), 1);
        assert_eq!(all.json["pagination"]["hasMore"], true);
        let next = all.json["pagination"]["nextCursor"].as_str().unwrap();
        let rest = app
            .api(
                "GET",
                &format!(
                    "/v1/users/{user}/health?from=2026-03-01&to=2026-03-03&limit=5&cursor={next}"
                ),
                Some(&key),
                None,
            )
            .await;
        let metrics: Vec<&str> = all.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .chain(rest.json["data"].as_array().unwrap())
            .map(|d| d["metricType"].as_str().unwrap())
            .collect();
        assert_eq!(metrics, ["steps", "weight"]);
        let weight = &rest.json["data"][0];
        assert_eq!(weight["unit"], "kg");
        assert_eq!(weight["last"], 72.4);

        for bad in [
            "metricType=mana",
            "from=2026-03-05&to=2026-03-01",
            "from=March",
            "limit=900",
        ] {
            let r = app
                .api(
                    "GET",
                    &format!("/v1/users/{user}/health?{bad}"),
                    Some(&key),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.json);
        }
    }
);

both_backends!(
    a_batch_with_bad_items_is_refused_whole,
    |app: TestApp| async move {
        let (key, user, _) = setup(&app, "Acme", false).await;
        let r = app
        .api(
            "POST",
            &format!("/v1/users/{user}/health"),
            Some(&key),
            Some(json!({"providerId": "acme_scale", "points": [
                {"metricType": "steps", "value": 100.0, "recordedAt": "2026-03-02T02:00:00Z"},
                {"metricType": "mana", "value": 1.0, "recordedAt": "2026-03-02T02:00:00Z"},
                {"metricType": "heart_rate", "value": 4000.0, "recordedAt": "2026-03-02T02:00:00Z"},
            ]})),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
        let indices: Vec<u64> = r.json["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["index"].as_u64().unwrap())
            .collect();
        assert_eq!(indices, [1, 2]);
        assert!(r.json["error"]["details"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("points[1]."));
        let stored = app
            .api(
                "GET",
                &format!("/v1/users/{user}/health?from=2026-03-01&to=2026-03-03"),
                Some(&key),
                None,
            )
            .await;
        assert!(
            stored.json["data"].as_array().unwrap().is_empty(),
            "nothing stored"
        );

        for (body, field) in [
            (
                json!({"providerId": "whoop", "points": [{"metricType": "steps", "value": 1.0, "recordedAt": "2026-03-02T02:00:00Z"}]}),
                "providerId",
            ),
            (
                json!({"providerId": "Bad Id", "points": [{"metricType": "steps", "value": 1.0, "recordedAt": "2026-03-02T02:00:00Z"}]}),
                "providerId",
            ),
            (json!({"providerId": "acme_scale", "points": []}), "points"),
        ] {
            let r = app
                .api(
                    "POST",
                    &format!("/v1/users/{user}/health"),
                    Some(&key),
                    Some(body),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(r.detail_fields(), [field]);
        }
        // A reading without its time is a shape error: 422 naming the field.
        let r = app
        .api("POST", &format!("/v1/users/{user}/health"), Some(&key), Some(json!({"providerId": "acme_scale", "points": [{"metricType": "steps", "value": 1.0}]})))
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("recordedAt"));
    }
);

both_backends!(
    sessions_and_records_are_read_newest_first,
    |app: TestApp| async move {
        use vitasync::health::ingest::{self, Batch, EventInput, PointInput, Source};
        let (key, user, _) = setup(&app, "Acme", false).await;
        let mut batch = Batch::new("acme_watch", Source::User);
        for (i, kind) in ["workout", "sleep", "workout"].iter().enumerate() {
            let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T06:00:00Z")
                .unwrap()
                .with_timezone(&Utc)
                + Duration::days(i as i64);
            batch.events.push(EventInput {
                provider_event_id: format!("s{i}"),
                event_type: kind.to_string(),
                activity_type: (*kind == "workout").then(|| "running".to_string()),
                title: None,
                started_at: start,
                ended_at: Some(start + Duration::minutes(45)),
                duration_seconds: Some(2700),
                distance_meters: (*kind == "workout").then_some(8000.0),
                calories_kcal: None,
                avg_heart_rate: Some(150),
                max_heart_rate: None,
                data: None,
            });
        }
        batch.points.push(PointInput {
            metric_type: "steps".into(),
            value: Some(12000.0),
            unit: None,
            data: None,
            recorded_at: "2026-03-01T12:00:00Z".parse().unwrap(),
        });
        ingest::ingest(app.db(), &user, batch).await.unwrap();

        let all = app
            .api(
                "GET",
                &format!("/v1/users/{user}/events?limit=2"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.json);
        let first: Vec<&str> = all.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["providerEventId"].as_str().unwrap())
            .collect();
        assert_eq!(first, ["s2", "s1"]);
        let next = all.json["pagination"]["nextCursor"].as_str().unwrap();
        let rest = app
            .api(
                "GET",
                &format!("/v1/users/{user}/events?limit=2&cursor={next}"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(rest.json["data"][0]["providerEventId"], "s0");
        assert_eq!(rest.json["pagination"]["hasMore"], false);
        assert_eq!(rest.json["data"][0]["durationSeconds"], 2700);
        assert_eq!(rest.json["data"][0]["avgHeartRate"], 150);

        let runs = app
            .api(
                "GET",
                &format!("/v1/users/{user}/events?eventType=workout&activityType=running"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(runs.json["data"].as_array().unwrap().len(), 2);
        let window = app
            .api(
                "GET",
                &format!(
                    "/v1/users/{user}/events?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z"
                ),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(window.json["data"].as_array().unwrap().len(), 1);
        let id = window.json["data"][0]["id"].as_str().unwrap();
        let one = app
            .api(
                "GET",
                &format!("/v1/users/{user}/events/{id}"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(one.json["eventType"], "sleep");
        assert_eq!(
            app.api(
                "GET",
                &format!("/v1/users/{user}/events/nope"),
                Some(&key),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.api(
                "GET",
                &format!("/v1/users/{user}/events?eventType=nap"),
                Some(&key),
                None
            )
            .await
            .status,
            StatusCode::BAD_REQUEST
        );

        let records = app
            .api(
                "GET",
                &format!("/v1/users/{user}/personal-records"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(records.status, StatusCode::OK);
        let steps = records.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["metricType"] == "steps")
            .expect("a steps record");
        assert_eq!(steps["value"], 12000.0);

        // Another workspace sees none of it.
        let (key_b, _, _) = setup(&app, "Beta", false).await;
        for p in [
            format!("/v1/users/{user}/events"),
            format!("/v1/users/{user}/events/{id}"),
            format!("/v1/users/{user}/personal-records"),
        ] {
            assert_eq!(
                app.api("GET", &p, Some(&key_b), None).await.status,
                StatusCode::NOT_FOUND,
                "{p}"
            );
        }
    }
);
