//! The Strava client against a mock of Strava's API v3 serving the documented payloads
//! (`tests/fixtures/strava`): activities paged until an empty page, each activity's detail for
//! calories and laps, and a 429 that waits for the next quarter-hour window.

use chrono::{Duration, Timelike, Utc};
use serde_json::Value;
use vitasync::connections::engine::Outcome;
use vitasync::connections::repo;
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::ProviderClient;
use vitasync::with_db;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both_backends;
use crate::harness::{provider_mock, TestApp};

/// (id, activity type, distance, kcal, average heart rate)
type EventRow = (String, String, Option<f64>, Option<f64>, Option<i32>);

fn fixture(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/strava/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Strava's client, every URL under the mock's `base`.
fn client(base: &url::Url) -> ProviderClient {
    ProviderClient {
        client_id: Some("12345".into()),
        client_secret: Some("strava-secret".into()),
        token_url: Some(base.join("oauth/token").unwrap()),
        api_url: Some(base.join("api/v3").unwrap()),
        revoke_url: Some(base.join("oauth/deauthorize").unwrap()),
        ..Default::default()
    }
}

both_backends!(
    strava_sync_pages_until_empty_and_reads_details,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let engine = provider_mock(&app, &mock, "strava", client).engine;
        app.setup_owner("olive@example.com", "correct horse battery")
            .await;
        let tokens = TokenSet {
            access_token: "strava-access".into(),
            refresh_token: Some("strava-refresh".into()),
            expires_at: Some(Utc::now() + Duration::hours(6)),
        };
        let id = app
            .connect_first_user(
                "strava",
                &tokens,
                Some("134815"),
                &["read,activity:read_all,profile:read_all"],
            )
            .await;

        let json = |name: &str| ResponseTemplate::new(200).set_body_json(fixture(name));
        Mock::given(method("GET"))
            .and(path("/api/v3/athlete/activities"))
            .and(header("authorization", "Bearer strava-access"))
            .and(query_param("page", "1"))
            .and(query_param("per_page", "30"))
            .respond_with(json("activities_page1.json"))
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v3/athlete/activities"))
            .and(query_param("page", "2"))
            .respond_with(json("activities_page2.json"))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v3/activities/154504250376"))
            .respond_with(json("activity_154504250376.json"))
            .mount(&mock)
            .await;
        // The ride's detail first hits the 15-minute read limit.
        Mock::given(method("GET")).and(path("/api/v3/activities/154504250377"))
        .respond_with(ResponseTemplate::new(429)
            .insert_header("x-readratelimit-limit", "100,1000").insert_header("x-readratelimit-usage", "101,340")
            .set_body_json(serde_json::json!({"message": "Rate Limit Exceeded", "errors": [{"resource": "Application", "field": "rate limit", "code": "exceeded"}]})))
        .up_to_n_times(1).mount(&mock).await;
        Mock::given(method("GET"))
            .and(path("/api/v3/activities/154504250377"))
            .respond_with(json("activity_154504250377.json"))
            .mount(&mock)
            .await;

        let conn = repo::get(app.db(), &id).await.unwrap().unwrap();
        engine
            .request_sync(&conn, Utc::now())
            .await
            .unwrap()
            .expect("queued");
        let (_, outcome) = engine.run_one(Utc::now()).await.unwrap().unwrap();
        let Outcome::RetryAt { at, .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(at.minute() % 15, 0, "waits for the next quarter hour: {at}");
        assert!(at > Utc::now() && at <= Utc::now() + Duration::minutes(16));

        let (_, outcome) = engine
            .run_one(at + Duration::seconds(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(outcome, Outcome::Completed { items: 4 });
        let rows: Vec<EventRow> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT provider_event_id, activity_type, distance_meters, calories_kcal, avg_heart_rate FROM events WHERE provider_id = 'strava' ORDER BY started_at")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            rows,
            vec![
                (
                    "154504250376".to_string(),
                    "running".to_string(),
                    Some(10021.3),
                    Some(712.0),
                    Some(152)
                ),
                (
                    "154504250377".to_string(),
                    "cycling".to_string(),
                    Some(28099.0),
                    Some(870.2),
                    None
                ),
            ]
        );
        let workouts: i64 = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM health_metrics WHERE provider_id = 'strava' AND metric_type = 'workout'").fetch_one(pool).await).unwrap();
        assert_eq!(workouts, 2);
    }
);
