//! The REST API's health data: daily summaries by the user's local day, all-or-nothing
//! ingest (a batch with bad items is refused whole), and sessions (events) and personal
//! records read newest first, none of it visible to another workspace.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::both_backends;
use crate::harness::{workspace_api_user, TestApp};

both_backends!(
    health_data_is_ingested_whole_and_summarised_by_local_day,
    |app: TestApp| async move {
        let (key, user, _) = workspace_api_user(&app, "Acme", false).await;
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
        let (key, user, _) = workspace_api_user(&app, "Acme", false).await;
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
        let (key, user, _) = workspace_api_user(&app, "Acme", false).await;
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
        let (key_b, _, _) = workspace_api_user(&app, "Beta", false).await;
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
