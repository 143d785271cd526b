//! Fitbit through the Google Health API, against a mock serving the documented payloads
//! (`tests/fixtures/fitbit`): the refresh that returns no new refresh token, every data type
//! with its units (daily roll-ups, minute heart rate, daily documents, samples, sessions),
//! paging, 14-day roll-up chunks, refused scopes, rate limiting, Google's error envelope,
//! the identity, revocation, and the webhook (verification, secret, routing, replays).

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use vitasync::connections::engine::Outcome;
use vitasync::connections::provider::{FetchError, Window};
use vitasync::connections::repo;
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::{Config, ProviderClient};
use vitasync::with_db;
use wiremock::matchers::{
    body_partial_json, body_string_contains, header, method, path, path_regex, query_param,
    query_param_contains, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both_backends;
use crate::harness::push::{connect, jobs, outcomes, post, receipts};
use crate::harness::{provider_mock, ProviderMock, TestApp};

const HEALTH_USER: &str = "111111256096816351";

fn fixture(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/fitbit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn json_file(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture(name))
}

/// Fitbit's client, every URL under the mock's `base`.
fn client(base: &url::Url) -> ProviderClient {
    ProviderClient {
        client_id: Some("123-abc.apps.googleusercontent.com".into()),
        client_secret: Some("GOCSPX-secret".into()),
        auth_url: Some(base.join("o/oauth2/v2/auth").unwrap()),
        token_url: Some(base.join("token").unwrap()),
        revoke_url: Some(base.join("revoke").unwrap()),
        api_url: Some(base.clone()),
        ..Default::default()
    }
}

/// The earliest reading of `metric` from Fitbit.
async fn first_value(app: &TestApp, metric: &str) -> f64 {
    with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT value FROM health_metrics WHERE provider_id = 'fitbit' AND metric_type = $1 ORDER BY recorded_at LIMIT 1")
        .bind(metric).fetch_one(pool).await)
    .unwrap()
}

fn points(kind: &str) -> String {
    format!("/v4/users/me/dataTypes/{kind}/dataPoints")
}

/// Every data type's answers: the first roll-up chunk holds the data, later chunks are empty.
async fn mount_data(mock: &MockServer, bearer: &str) {
    let auth = || header("authorization", format!("Bearer {bearer}").as_str());
    for kind in [
        "steps",
        "distance",
        "floors",
        "active-energy-burned",
        "active-minutes",
    ] {
        Mock::given(method("POST"))
            .and(path(format!("{}:dailyRollUp", points(kind))))
            .and(auth())
            .and(body_partial_json(json!({"windowSizeDays": 1})))
            .respond_with(json_file(&format!("{kind}.json")))
            .up_to_n_times(1)
            .expect(1)
            .mount(mock)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(format!("{}:rollUp", points("heart-rate"))))
        .and(auth())
        .and(body_partial_json(json!({"windowSize": "60s"})))
        .respond_with(json_file("heart-rate.json"))
        .up_to_n_times(1)
        .expect(1)
        .mount(mock)
        .await;
    // Later chunks: proto3's empty answer.
    Mock::given(method("POST"))
        .and(path_regex(r"/dataPoints:(dailyRollUp|rollUp)$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .with_priority(10)
        .mount(mock)
        .await;
    for kind in [
        "daily-resting-heart-rate",
        "daily-heart-rate-variability",
        "daily-oxygen-saturation",
        "daily-respiratory-rate",
        "daily-sleep-temperature-derivations",
    ] {
        let member = format!("{}.date >=", kind.replace('-', "_"));
        Mock::given(method("GET"))
            .and(path(points(kind)))
            .and(auth())
            .and(query_param_contains("filter", member.as_str()))
            .respond_with(json_file(&format!("{kind}.json")))
            .expect(1)
            .mount(mock)
            .await;
    }
    for kind in ["weight", "body-fat"] {
        Mock::given(method("GET"))
            .and(path(points(kind)))
            .and(auth())
            .and(query_param_contains("filter", "sample_time.physical_time"))
            .respond_with(json_file(&format!("{kind}.json")))
            .expect(1)
            .mount(mock)
            .await;
    }
    // Sleep: two pages of at most 25, filtered on the end.
    Mock::given(method("GET"))
        .and(path(points("sleep")))
        .and(query_param("pageSize", "25"))
        .and(query_param_contains("filter", "sleep.interval.end_time >="))
        .and(query_param_is_missing("pageToken"))
        .respond_with(json_file("sleep.json"))
        .expect(1)
        .mount(mock)
        .await;
    Mock::given(method("GET"))
        .and(path(points("sleep")))
        .and(query_param("pageToken", "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA"))
        .respond_with(json_file("sleep_page2.json"))
        .expect(1)
        .mount(mock)
        .await;
    Mock::given(method("GET"))
        .and(path(points("exercise")))
        .and(query_param_contains(
            "filter",
            "exercise.interval.civil_start_time >=",
        ))
        .respond_with(json_file("exercise.json"))
        .expect(1)
        .mount(mock)
        .await;
}

both_backends!(
    fitbit_sync_maps_every_data_type,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let ProviderMock {
            engine,
            provider: fitbit,
        } = provider_mock(&app, &mock, "fitbit", client);
        app.setup_owner("fay@example.com", "correct horse battery")
            .await;
        // The access token is about to expire: the sync refreshes it first.
        let tokens = TokenSet {
            access_token: "old-access".into(),
            refresh_token: Some("1//0g-fitbit-refresh".into()),
            expires_at: Some(Utc::now() + Duration::seconds(20)),
        };
        let id = app
            .connect_first_user("fitbit", &tokens, Some(HEALTH_USER), &[])
            .await;
        // Google's refresh answer carries no new refresh token: the old one stays.
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(body_string_contains("grant_type=refresh_token"))
            .and(body_string_contains("client_secret=GOCSPX-secret"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.fresh", "expires_in": 3599, "token_type": "Bearer",
            "scope": "https://www.googleapis.com/auth/googlehealth.sleep.readonly"})))
            .expect(1)
            .mount(&mock)
            .await;
        mount_data(&mock, "ya29.fresh").await;

        let conn = repo::get(app.db(), &id).await.unwrap().unwrap();
        engine
            .request_sync(&conn, Utc::now())
            .await
            .unwrap()
            .expect("queued");
        let (_, outcome) = engine.run_one(Utc::now()).await.unwrap().unwrap();
        // Totals 9, heart rate 3, daily documents 6, samples 2, sleep 3 + 2, exercise 2 × 2.
        assert_eq!(outcome, Outcome::Completed { items: 29 });
        let metrics: Vec<(String, i64)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, COUNT(*) FROM health_metrics WHERE provider_id = 'fitbit' GROUP BY metric_type ORDER BY metric_type")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            metrics,
            [
                ("active_minutes", 2),
                ("body_fat", 1),
                ("calories", 2),
                ("distance", 2),
                ("floors", 1),
                ("heart_rate", 3),
                ("heart_rate_variability", 1),
                ("respiratory_rate", 1),
                ("resting_heart_rate", 2),
                ("sleep", 2),
                ("spo2", 1),
                ("steps", 2),
                ("temperature", 1),
                ("weight", 1),
                ("workout", 2),
            ]
            .map(|(m, n)| (m.to_string(), n))
        );
        assert_eq!(
            first_value(&app, "distance").await,
            7034.2,
            "millimetres → metres"
        );
        assert_eq!(first_value(&app, "weight").await, 90.2, "grams → kilograms");
        assert_eq!(first_value(&app, "active_minutes").await, 42.0);
        // A day's total counts at noon of that day in the person's zone (Paris, UTC+1).
        let steps_at: chrono::DateTime<Utc> = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT MIN(recorded_at) FROM health_metrics WHERE provider_id = 'fitbit' AND metric_type = 'steps'")
        .fetch_one(pool).await).unwrap();
        assert_eq!(steps_at.to_rfc3339(), "2026-11-20T11:00:00+00:00");
        let events: Vec<(String, Option<String>)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT event_type, activity_type FROM events WHERE provider_id = 'fitbit' ORDER BY started_at")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            events,
            [
                ("sleep", "sleep"),
                ("sleep", "nap"),
                ("sleep", "sleep"),
                ("workout", "strength"),
                ("workout", "cycling")
            ]
            .map(|(e, a)| (e.to_string(), Some(a.to_string())))
        );
        let stored = repo::get(app.db(), &id).await.unwrap().unwrap();
        let stored = stored.tokens(&app.state.config.keys).unwrap().unwrap();
        assert_eq!(stored.access_token, "ya29.fresh");
        assert_eq!(
            stored.refresh_token.as_deref(),
            Some("1//0g-fitbit-refresh")
        );

        // The identity names the account; disconnecting revokes the refresh token.
        let http = reqwest::Client::new();
        Mock::given(method("GET"))
            .and(path("/v4/users/me/identity"))
            .respond_with(json_file("identity.json"))
            .expect(1)
            .mount(&mock)
            .await;
        assert_eq!(
            fitbit
                .account_id(&http, "ya29.fresh")
                .await
                .unwrap()
                .as_deref(),
            Some(HEALTH_USER)
        );
        Mock::given(method("POST"))
            .and(path("/revoke"))
            .and(body_string_contains("token=1%2F%2F0g-fitbit-refresh"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&mock)
            .await;
        fitbit.revoke(&http, &stored, None).await.unwrap();
    }
);

both_backends!(
    fitbit_chunks_skips_refused_types_and_reads_errors,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let fitbit = provider_mock(&app, &mock, "fitbit", client).provider;
        let http = reqwest::Client::new();
        let window = Window {
            start: Utc::now() - Duration::days(40),
            end: Utc::now(),
            zone: chrono_tz::UTC,
        };
        // Roll-ups go 14 days at a time.
        let first_day = (window.start.date_naive() - Duration::days(1)).to_string();
        let next_day = (window.start.date_naive() + Duration::days(13)).to_string();
        Mock::given(method("POST"))
            .and(path(format!("{}:dailyRollUp", points("steps"))))
            .respond_with(json_file("steps.json"))
            .up_to_n_times(1)
            .mount(&mock)
            .await;
        let page = fitbit.fetch_page(&http, "t", window, None).await.unwrap();
        assert_eq!(page.batch.points.len(), 2);
        assert_eq!(page.next.as_deref(), Some(format!("0:{next_day}").as_str()));
        let sent: Value = mock.received_requests().await.unwrap()[0]
            .body_json()
            .unwrap();
        let (y, m, d) = {
            let p: Vec<u32> = first_day.split('-').map(|x| x.parse().unwrap()).collect();
            (p[0], p[1], p[2])
        };
        assert_eq!(
            sent["range"]["start"]["date"],
            json!({"year": y, "month": m, "day": d})
        );

        // Rate limited, with or without Retry-After.
        Mock::given(method("POST"))
            .and(path(format!("{}:dailyRollUp", points("steps"))))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("retry-after", "30")
                    .set_body_json(json!({"error": {"code": 429,
                        "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}})),
            )
            .up_to_n_times(1)
            .mount(&mock)
            .await;
        assert_eq!(
            fitbit
                .fetch_page(&http, "t", window, page.next.as_deref())
                .await
                .unwrap_err(),
            FetchError::RateLimited {
                retry_after: Some(std::time::Duration::from_secs(30))
            }
        );
        // The Google account has no Fitbit profile yet: said plainly, not retried.
        Mock::given(method("POST"))
            .and(path(format!("{}:dailyRollUp", points("distance"))))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
                "code": 400, "message": "Precondition check failed.", "status": "FAILED_PRECONDITION",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCOUNT_NOT_LINKED", "domain": "health.googleapis.com"}]}})))
            .up_to_n_times(1)
            .mount(&mock)
            .await;
        match fitbit.fetch_page(&http, "t", window, Some("1:")).await {
            Err(FetchError::Permanent(m)) => assert!(m.contains("Fitbit app"), "{m}"),
            other => panic!("{other:?}"),
        }
        // An expired token asks for a refresh.
        Mock::given(method("POST"))
            .and(path(format!("{}:dailyRollUp", points("floors"))))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
                "code": 401, "message": "Request had invalid authentication credentials.",
                "status": "UNAUTHENTICATED"}})))
            .mount(&mock)
            .await;
        assert_eq!(
            fitbit
                .fetch_page(&http, "t", window, Some("2:"))
                .await
                .unwrap_err(),
            FetchError::Unauthorized
        );
        // Sleep not granted: skipped, and the walk goes on to exercise.
        Mock::given(method("GET"))
            .and(path(points("sleep")))
            .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
                "code": 403, "message": "Request had insufficient authentication scopes.",
                "status": "PERMISSION_DENIED"}})))
            .mount(&mock)
            .await;
        let page = fitbit
            .fetch_page(&http, "t", window, Some("13:"))
            .await
            .unwrap();
        assert!(page.batch.events.is_empty());
        assert_eq!(page.next.as_deref(), Some("14:"));
        // The last type, with an empty answer (`{}`), ends the walk.
        Mock::given(method("GET"))
            .and(path(points("exercise")))
            .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
            .mount(&mock)
            .await;
        let page = fitbit
            .fetch_page(&http, "t", window, Some("14:"))
            .await
            .unwrap();
        assert_eq!(page.next, None);
    }
);

fn configure(c: &mut Config) {
    c.providers.clients.insert(
        "fitbit".into(),
        ProviderClient {
            client_id: Some("client".into()),
            client_secret: Some("secret".into()),
            push_token: Some("fitbit-push-secret".into()),
            ..Default::default()
        },
    );
}

fn notification(user: &str, day: &str) -> String {
    json!([{"data": {"version": "v4", "clientProvidedSubscriptionName": "vitasync",
        "healthUserId": user, "operation": "UPSERT", "dataType": "steps",
        "intervals": [{"physicalTimeInterval": {"startTime": format!("{day}T00:00:00Z"),
            "endTime": format!("{day}T23:59:59Z")},
            "civilIso8601TimeInterval": format!("{day}/{day}")}]}}])
    .to_string()
}

crate::both_backends!(
    fitbit_webhooks_check_the_secret_and_route_by_health_user,
    with configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let conn = connect(&app, &ws, "fitbit", HEALTH_USER).await;
        let auth = |v: &str| vec![("authorization", v.to_string())];
        let good = auth("Bearer fitbit-push-secret");
        let verify = json!({"type": "verification"}).to_string();
        // Google's verification: accepted with the secret, refused without it.
        let r = post(&app, "/push/fitbit", "application/json", &good, &verify).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let r = post(&app, "/push/fitbit", "application/json", &[], &verify).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        let body = notification(HEALTH_USER, "2026-11-20");
        let wrong = auth("Bearer guess");
        let r = post(&app, "/push/fitbit", "application/json", &wrong, &body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(jobs(&app).await.is_empty(), "nothing queued when refused");

        let r = post(&app, "/push/fitbit", "application/json", &good, &body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(outcomes(&r), json!(["queued"]));
        assert_eq!(jobs(&app).await, vec![conn]);
        // Google retrying the same batch: nothing new.
        let r = post(&app, "/push/fitbit", "application/json", &good, &body).await;
        assert_eq!(outcomes(&r), json!(["duplicate"]));
        assert_eq!(jobs(&app).await.len(), 1);
        // Someone unknown here: 200, recorded.
        let r = post(
            &app,
            "/push/fitbit",
            "application/json",
            &good,
            &notification("999", "2026-11-20"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(outcomes(&r), json!(["unknown"]));
        // A body that is not a notification.
        let r = post(&app, "/push/fitbit", "application/json", &good, "\"steps\"").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            receipts(&app).await,
            vec![
                ("fitbit".into(), "queued".into()),
                ("fitbit".into(), "unknown".into())
            ]
        );
    }
);
