//! The WHOOP client against a mock of WHOOP's API v2 serving the documented payloads
//! (`tests/fixtures/whoop`): every collection paged with `nextToken`, then the body measurement.

use chrono::{Duration, Utc};
use serde_json::Value;
use vitasync::connections::engine::Outcome;
use vitasync::connections::repo;
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::ProviderClient;
use vitasync::with_db;
use wiremock::matchers::{
    body_string_contains, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both_backends;
use crate::harness::{provider_mock, TestApp};

fn fixture(name: &str) -> Value {
    let p = format!("{}/tests/fixtures/whoop/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// WHOOP's client, every URL under the mock's `base`.
fn client(base: &url::Url) -> ProviderClient {
    ProviderClient {
        client_id: Some("whoop-client".into()),
        client_secret: Some("whoop-secret".into()),
        auth_url: Some(base.join("oauth/oauth2/auth").unwrap()),
        token_url: Some(base.join("oauth/oauth2/token").unwrap()),
        api_url: Some(base.join("developer").unwrap()),
        ..Default::default()
    }
}

both_backends!(
    whoop_sync_maps_every_collection,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let engine = provider_mock(&app, &mock, "whoop", client).engine;
        app.setup_owner("olive@example.com", "correct horse battery")
            .await;
        // The stored access token is about to expire: the sync refreshes it first (WHOOP wants
        // the client credentials in the form and `scope=offline` repeated) and keeps the new pair.
        let tokens = TokenSet {
            access_token: "old-access".into(),
            refresh_token: Some("whoop-refresh".into()),
            expires_at: Some(Utc::now() + Duration::seconds(30)),
        };
        let id = app
            .connect_first_user("whoop", &tokens, Some("10129"), &["offline"])
            .await;

        let json = |name: &str| ResponseTemplate::new(200).set_body_json(fixture(name));
        Mock::given(method("POST")).and(path("/oauth/oauth2/token"))
            .and(body_string_contains("grant_type=refresh_token")).and(body_string_contains("refresh_token=whoop-refresh"))
            .and(body_string_contains("client_id=whoop-client")).and(body_string_contains("client_secret=whoop-secret"))
            .and(body_string_contains("scope=offline"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "whoop-access", "expires_in": 3600, "refresh_token": "whoop-refresh-2",
                "scope": "offline read:recovery read:cycles read:workout read:sleep read:profile read:body_measurement",
                "token_type": "bearer"})))
            .expect(1).mount(&mock).await;
        Mock::given(method("GET"))
            .and(path("/developer/v2/cycle"))
            .and(header("authorization", "Bearer whoop-access"))
            .and(query_param("limit", "25"))
            .and(query_param_is_missing("nextToken"))
            .respond_with(json("cycle_page1.json"))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/developer/v2/cycle"))
            .and(query_param("nextToken", "MTIzOjEyMzEyMw"))
            .respond_with(json("cycle_page2.json"))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/developer/v2/recovery"))
            .respond_with(json("recovery.json"))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/developer/v2/activity/sleep"))
            .respond_with(json("sleep.json"))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/developer/v2/activity/workout"))
            .respond_with(json("workout.json"))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/developer/v2/user/measurement/body"))
            .respond_with(json("body.json"))
            .expect(1)
            .mount(&mock)
            .await;

        let conn = repo::get(app.db(), &id).await.unwrap().unwrap();
        engine
            .request_sync(&conn, Utc::now())
            .await
            .unwrap()
            .expect("queued");
        let (_, outcome) = engine.run_one(Utc::now()).await.unwrap().unwrap();
        // 4 cycle points, 5 recovery, 2 sleep events + night + score + breathing, workout event + point, weight.
        assert_eq!(outcome, Outcome::Completed { items: 17 });
        let metrics: Vec<(String, i64)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, COUNT(*) FROM health_metrics WHERE provider_id = 'whoop' GROUP BY metric_type ORDER BY metric_type")
        .fetch_all(pool).await).unwrap();
        let names: Vec<&str> = metrics.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(
            names,
            [
                "heart_rate",
                "heart_rate_variability",
                "recovery_score",
                "respiratory_rate",
                "resting_heart_rate",
                "sleep",
                "sleep_score",
                "spo2",
                "strain_score",
                "temperature",
                "weight",
                "workout"
            ]
        );
        let (kcal, distance, sport): (f64, f64, String) = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT calories_kcal, distance_meters, activity_type FROM events WHERE provider_id = 'whoop' AND event_type = 'workout'")
        .fetch_one(pool).await).unwrap();
        assert_eq!((kcal, distance, sport.as_str()), (355.4, 5120.5, "running"));
        let stored = repo::get(app.db(), &id).await.unwrap().unwrap();
        let stored = stored.tokens(&app.state.config.keys).unwrap().unwrap();
        assert_eq!(stored.refresh_token.as_deref(), Some("whoop-refresh-2"));
        let hours: f64 = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT value_sum FROM daily_rollups WHERE provider_id = 'whoop' AND metric_type = 'sleep'").fetch_one(pool).await).unwrap();
        assert!(
            (hours - 27076221.0 / 3_600_000.0).abs() < 0.05,
            "asleep = light + deep + REM: {hours}"
        );
    }
);
