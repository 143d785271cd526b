//! The Oura client against a mock of Oura's API v2 serving the documented payloads
//! (`tests/fixtures/oura`): every collection by date (heart rate by instant), daily sleep paged
//! with `next_token`, the single-use refresh token rotated and kept, the account id from
//! `personal_info`, and revocation with the token as a query parameter.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
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
use crate::harness::{provider_mock, ProviderMock, TestApp};

fn fixture(name: &str) -> Value {
    let p = format!("{}/tests/fixtures/oura/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Oura's client, every URL under the mock's `base`.
fn client(base: &url::Url) -> ProviderClient {
    ProviderClient {
        client_id: Some("oura-client".into()),
        client_secret: Some("oura-secret".into()),
        auth_url: Some(base.join("oauth/authorize").unwrap()),
        token_url: Some(base.join("oauth/token").unwrap()),
        revoke_url: Some(base.join("oauth/revoke").unwrap()),
        api_url: Some(base.clone()),
        ..Default::default()
    }
}

/// An owner with an Oura connection holding `access_token` (valid for `valid_for`), and an
/// engine whose Oura talks to `mock`; returns the engine with Oura and the connection id.
async fn connected(
    app: &TestApp,
    mock: &MockServer,
    access_token: &str,
    valid_for: Duration,
) -> (ProviderMock, String) {
    let oura = provider_mock(app, mock, "oura", client);
    app.setup_owner("olive@example.com", "correct horse battery")
        .await;
    let tokens = TokenSet {
        access_token: access_token.into(),
        refresh_token: Some("oura-refresh".into()),
        expires_at: Some(Utc::now() + valid_for),
    };
    let id = app
        .connect_first_user(
            "oura",
            &tokens,
            Some("8f9a5221-639e-4a85-81cb-4065ef23f979"),
            &["daily"],
        )
        .await;
    (oura, id)
}

both_backends!(oura_sync_maps_every_collection, |app: TestApp| async move {
    let mock = MockServer::start().await;
    // The stored access token is about to expire: the sync refreshes it first.
    let (
        ProviderMock {
            engine,
            provider: oura,
        },
        id,
    ) = connected(&app, &mock, "old-access", Duration::seconds(30)).await;

    // The refresh token works once (client credentials in the form); the new pair is kept.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=oura-refresh"))
        .and(body_string_contains("client_id=oura-client"))
        .and(body_string_contains("client_secret=oura-secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "oura-access", "expires_in": 86400, "refresh_token": "oura-refresh-2",
            "token_type": "bearer"})))
        .expect(1)
        .mount(&mock)
        .await;
    let json = |name: &str| ResponseTemplate::new(200).set_body_json(fixture(name));
    let bearer = || header("authorization", "Bearer oura-access");
    let today = Utc::now().date_naive();
    let tomorrow = (today + Duration::days(1)).to_string();
    for (collection, file) in [
        ("daily_activity", "daily_activity.json"),
        ("daily_readiness", "daily_readiness.json"),
        ("sleep", "sleep.json"),
        ("daily_spo2", "daily_spo2.json"),
        ("workout", "workout.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/v2/usercollection/{collection}")))
            .and(bearer())
            .and(query_param("end_date", tomorrow.as_str()))
            .and(query_param_is_missing("next_token"))
            .respond_with(json(file))
            .expect(1)
            .mount(&mock)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v2/usercollection/daily_sleep"))
        .and(bearer())
        .and(query_param_is_missing("next_token"))
        .respond_with(json("daily_sleep_page1.json"))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/usercollection/daily_sleep"))
        .and(bearer())
        .and(query_param(
            "next_token",
            "eyJzdGFydCI6ICIyMDI0LTExLTEyIn0=",
        ))
        .respond_with(json("daily_sleep_page2.json"))
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/usercollection/heartrate"))
        .and(bearer())
        .and(wiremock::matchers::query_param_contains(
            "start_datetime",
            "T",
        ))
        .respond_with(json("heartrate.json"))
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
    // Activity 2×4, sleep scores 2, readiness 1, night (event, sleep, RHR, HRV, breathing) 5 +
    // nap event 1, SpO₂ 1, workouts 2×2, heart rate 3.
    assert_eq!(outcome, Outcome::Completed { items: 25 });
    let metrics: Vec<(String, i64)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, COUNT(*) FROM health_metrics WHERE provider_id = 'oura' GROUP BY metric_type ORDER BY metric_type")
        .fetch_all(pool).await).unwrap();
    assert_eq!(
        metrics,
        [
            ("active_minutes", 2),
            ("calories", 2),
            ("distance", 2),
            ("heart_rate", 3),
            ("heart_rate_variability", 1),
            ("readiness_score", 1),
            ("respiratory_rate", 1),
            ("resting_heart_rate", 1),
            ("sleep", 1),
            ("sleep_score", 2),
            ("spo2", 1),
            ("steps", 2),
            ("workout", 2),
        ]
        .map(|(m, n)| (m.to_string(), n))
    );
    let events: Vec<(String, Option<String>)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT event_type, activity_type FROM events WHERE provider_id = 'oura' ORDER BY started_at")
        .fetch_all(pool).await).unwrap();
    assert_eq!(
        events,
        [
            ("sleep", "sleep"),
            ("sleep", "nap"),
            ("workout", "walking"),
            ("workout", "cycling")
        ]
        .map(|(e, a)| (e.to_string(), Some(a.to_string())))
    );
    let hours: f64 = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT value_sum FROM daily_rollups WHERE provider_id = 'oura' AND metric_type = 'sleep'").fetch_one(pool).await).unwrap();
    assert!(
        (hours - 7.0).abs() < 0.05,
        "asleep = 75 + 240 + 105 minutes: {hours}"
    );
    let stored = repo::get(app.db(), &id).await.unwrap().unwrap();
    let stored = stored.tokens(&app.state.config.keys).unwrap().unwrap();
    assert_eq!(stored.refresh_token.as_deref(), Some("oura-refresh-2"));

    // The account id (asked once after connecting) and revocation at disconnect.
    let http = reqwest::Client::new();
    Mock::given(method("GET"))
        .and(path("/v2/usercollection/personal_info"))
        .and(bearer())
        .respond_with(json("personal_info.json"))
        .expect(1)
        .mount(&mock)
        .await;
    assert_eq!(
        oura.account_id(&http, "oura-access")
            .await
            .unwrap()
            .as_deref(),
        Some("8f9a5221-639e-4a85-81cb-4065ef23f979")
    );
    Mock::given(method("POST"))
        .and(path("/oauth/revoke"))
        .and(query_param("access_token", "oura-access"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&mock)
        .await;
    oura.revoke(&http, &stored, None).await.unwrap();
});

both_backends!(
    a_collection_oura_refuses_is_skipped,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let (ProviderMock { engine, .. }, id) =
            connected(&app, &mock, "oura-access", Duration::hours(20)).await;
        // The person switched the SpO2 scope off at consent.
        Mock::given(method("GET"))
            .and(path("/v2/usercollection/daily_spo2"))
            .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "Forbidden"})))
            .expect(1)
            .mount(&mock)
            .await;
        for (collection, file) in [
            ("daily_activity", "daily_activity.json"),
            ("daily_sleep", "daily_sleep.json"),
            ("daily_readiness", "daily_readiness.json"),
            ("sleep", "sleep.json"),
            ("workout", "workout.json"),
            ("heartrate", "heartrate.json"),
        ] {
            Mock::given(method("GET"))
                .and(path(format!("/v2/usercollection/{collection}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(fixture(file)))
                .mount(&mock)
                .await;
        }
        let conn = repo::get(app.db(), &id).await.unwrap().unwrap();
        engine
            .request_sync(&conn, Utc::now())
            .await
            .unwrap()
            .expect("queued");
        let (_, outcome) = engine.run_one(Utc::now()).await.unwrap().unwrap();
        assert_eq!(
            outcome,
            Outcome::Completed { items: 24 },
            "all but the SpO2 reading"
        );
        let status: String = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT status FROM provider_connections WHERE id = $1").bind(&id).fetch_one(pool).await)
        .unwrap();
        assert_eq!(status, "active");
    }
);
