//! The failure cases, against each real provider's mock API with its own request shapes: an
//! access token the provider no longer accepts (refresh, then retry), a 500 followed by success,
//! a 429 (waiting as that provider says), and a revoked refresh token (the connection asks to
//! be reconnected).

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use vitasync::connections::engine::Outcome;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::ProviderClient;
use vitasync::with_db;
use wiremock::matchers::{body_string_contains, header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both_backends;
use crate::harness::{provider_mock, TestApp};

fn fixture(provider: &str, name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/{provider}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Where each provider's mock lives: (token path, API prefix).
fn paths(provider: &str) -> (&'static str, &'static str) {
    match provider {
        "whoop" => ("/oauth/oauth2/token", "/developer"),
        "oura" => ("/oauth/token", "/"),
        _ => ("/oauth/token", "/api/v3"),
    }
}

/// The provider's client, every URL under the mock's `base`.
fn client(provider: &str, base: &url::Url) -> ProviderClient {
    let (token, api) = paths(provider);
    ProviderClient {
        client_id: Some("client".into()),
        client_secret: Some("secret".into()),
        token_url: Some(base.join(token).unwrap()),
        api_url: Some(base.join(api).unwrap()),
        revoke_url: Some(base.join("/revoke").unwrap()),
        ..Default::default()
    }
}

async fn connect(app: &TestApp, provider: &str, expires_at: DateTime<Utc>) -> String {
    app.setup_owner("olive@example.com", "correct horse battery")
        .await;
    let (user, workspace): (String, String) = with_db!(app.db(), pool => sqlx::query_as("SELECT id, workspace_id FROM users").fetch_one(pool).await).unwrap();
    let tokens = TokenSet {
        access_token: "a1".into(),
        refresh_token: Some("r1".into()),
        expires_at: Some(expires_at),
    };
    repo::save_connected(
        app.db(),
        &app.state.config.keys,
        Connected {
            workspace_id: &workspace,
            user_id: &user,
            provider_id: provider,
            tokens: &tokens,
            account_id: None,
            scopes: &[],
        },
        Utc::now(),
    )
    .await
    .unwrap()
}

/// Mounts the provider's documented data answers for the new access token `a2`, each data path
/// failing first with `first_failure` once.
async fn mount_data(
    mock: &MockServer,
    provider: &str,
    first_failure: ResponseTemplate,
    rate_limited: ResponseTemplate,
) {
    let ok = |name: &str| ResponseTemplate::new(200).set_body_json(fixture(provider, name));
    let bearer = || header("authorization", "Bearer a2");
    match provider {
        "whoop" => {
            Mock::given(method("GET"))
                .and(path("/developer/v2/cycle"))
                .respond_with(first_failure)
                .up_to_n_times(1)
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/developer/v2/cycle"))
                .and(bearer())
                .respond_with(ok("cycle_page2.json"))
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/developer/v2/recovery"))
                .respond_with(rate_limited)
                .up_to_n_times(1)
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/developer/v2/recovery"))
                .and(bearer())
                .respond_with(ok("recovery.json"))
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/developer/v2/activity/sleep"))
                .and(bearer())
                .respond_with(ok("sleep.json"))
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/developer/v2/activity/workout"))
                .and(bearer())
                .respond_with(ok("workout.json"))
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/developer/v2/user/measurement/body"))
                .and(bearer())
                .respond_with(ok("body.json"))
                .mount(mock)
                .await;
        }
        "oura" => {
            Mock::given(method("GET"))
                .and(path("/v2/usercollection/daily_activity"))
                .respond_with(first_failure)
                .up_to_n_times(1)
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/v2/usercollection/daily_sleep"))
                .respond_with(rate_limited)
                .up_to_n_times(1)
                .mount(mock)
                .await;
            for (collection, file) in [
                ("daily_activity", "daily_activity.json"),
                ("daily_sleep", "daily_sleep.json"),
                ("daily_readiness", "daily_readiness.json"),
                ("sleep", "sleep.json"),
                ("daily_spo2", "daily_spo2.json"),
                ("workout", "workout.json"),
                ("heartrate", "heartrate.json"),
            ] {
                Mock::given(method("GET"))
                    .and(path(format!("/v2/usercollection/{collection}")))
                    .and(bearer())
                    .respond_with(ok(file))
                    .mount(mock)
                    .await;
            }
        }
        _ => {
            Mock::given(method("GET"))
                .and(path("/api/v3/athlete/activities"))
                .and(wiremock::matchers::query_param("page", "1"))
                .respond_with(first_failure)
                .up_to_n_times(1)
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/api/v3/athlete/activities"))
                .and(wiremock::matchers::query_param("page", "1"))
                .and(bearer())
                .respond_with(ok("activities_page1.json"))
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/api/v3/athlete/activities"))
                .and(wiremock::matchers::query_param("page", "2"))
                .respond_with(ok("activities_page2.json"))
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path_regex("^/api/v3/activities/"))
                .respond_with(rate_limited)
                .up_to_n_times(1)
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/api/v3/activities/154504250376"))
                .and(bearer())
                .respond_with(ok("activity_154504250376.json"))
                .mount(mock)
                .await;
            Mock::given(method("GET"))
                .and(path("/api/v3/activities/154504250377"))
                .and(bearer())
                .respond_with(ok("activity_154504250377.json"))
                .mount(mock)
                .await;
        }
    }
}

async fn story(app: TestApp, provider: &str) {
    let mock = MockServer::start().await;
    let engine = provider_mock(&app, &mock, provider, |base| client(provider, base)).engine;
    let conn_id = connect(&app, provider, Utc::now() + Duration::hours(1)).await;
    let (token_path, _) = paths(provider);
    // The provider has stopped accepting a1 although it has not expired: 401, refresh, retry.
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer a1"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Authorization Error"})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    Mock::given(method("POST")).and(path(token_path)).and(body_string_contains("refresh_token=r1")).and(body_string_contains("client_secret=secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "a2", "refresh_token": "r2", "expires_in": 21600, "token_type": "Bearer"})))
        .expect(1).mount(&mock).await;
    let rate_limited = match provider {
        "whoop" => ResponseTemplate::new(429)
            .insert_header(
                "x-ratelimit-limit",
                "100, 100;window=60, 10000;window=86400",
            )
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", "42"),
        // Oura: both a Retry-After and its X-RateLimit-* family.
        "oura" => ResponseTemplate::new(429)
            .insert_header("retry-after", "30")
            .insert_header("x-ratelimit-limit", "5000")
            .insert_header("x-ratelimit-window", "300")
            .insert_header("x-ratelimit-tier", "token")
            .set_body_json(json!({"detail": "Too Many Requests"})),
        _ => ResponseTemplate::new(429)
            .insert_header("x-readratelimit-limit", "100,1000")
            .insert_header("x-readratelimit-usage", "100,420"),
    };
    mount_data(
        &mock,
        provider,
        ResponseTemplate::new(500).set_body_string("internal error"),
        rate_limited,
    )
    .await;

    let conn = repo::get(app.db(), &conn_id).await.unwrap().unwrap();
    engine
        .request_sync(&conn, Utc::now())
        .await
        .unwrap()
        .expect("queued");
    // 401 → refresh → retry → 500: back off.
    let (_, outcome) = engine.run_one(Utc::now()).await.unwrap().unwrap();
    assert!(matches!(outcome, Outcome::RetryAt { .. }), "{outcome:?}");
    let stored = repo::get(app.db(), &conn_id)
        .await
        .unwrap()
        .unwrap()
        .tokens(&app.state.config.keys)
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stored.access_token.as_str(),
            stored.refresh_token.as_deref()
        ),
        ("a2", Some("r2"))
    );
    // After the backoff: the page succeeds, the next call is rate limited and waits as told.
    let t = Utc::now() + Duration::hours(1);
    let (_, outcome) = engine.run_one(t).await.unwrap().unwrap();
    let Outcome::RetryAt { at, .. } = outcome else {
        panic!("{outcome:?}")
    };
    if provider == "whoop" {
        assert!(
            (at - Utc::now() - Duration::seconds(43))
                .num_seconds()
                .abs()
                <= 2,
            "X-RateLimit-Reset: {at}"
        );
    } else if provider == "oura" {
        assert!(
            (at - Utc::now() - Duration::seconds(30))
                .num_seconds()
                .abs()
                <= 2,
            "Retry-After: {at}"
        );
    } else {
        assert!(
            at - Utc::now() <= Duration::minutes(16),
            "next quarter hour: {at}"
        );
    }
    let (_, outcome) = engine
        .run_one(t + Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(outcome, Outcome::Completed { .. }), "{outcome:?}");
    assert_eq!(with_db!(app.db(), pool => sqlx::query_scalar::<_, String>("SELECT status FROM provider_connections").fetch_one(pool).await).unwrap(), "active");

    // Later the user revokes VitaSync at the provider: the refresh token is refused.
    Mock::given(method("POST"))
        .and(path(token_path))
        .and(body_string_contains("refresh_token=r2"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "error_description": "revoked"})),
        )
        .expect(1)
        .mount(&mock)
        .await;
    let conn = repo::get(app.db(), &conn_id).await.unwrap().unwrap();
    let expiring = TokenSet {
        expires_at: Some(Utc::now()),
        ..stored
    };
    repo::store_tokens(
        app.db(),
        &app.state.config.keys,
        &conn,
        &expiring,
        Utc::now(),
    )
    .await
    .unwrap();
    engine
        .request_sync(&conn, Utc::now())
        .await
        .unwrap()
        .expect("queued");
    let (_, outcome) = engine
        .run_one(Utc::now() + Duration::hours(3))
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
    let (status, error): (String, Option<String>) = with_db!(app.db(), pool => sqlx::query_as("SELECT status, last_error FROM provider_connections").fetch_one(pool).await).unwrap();
    assert_eq!(status, "error");
    assert!(error.unwrap().contains("Reconnect"));
}

both_backends!(
    whoop_recovers_from_failures_and_reports_revocation,
    |app: TestApp| story(app, "whoop")
);
both_backends!(
    strava_recovers_from_failures_and_reports_revocation,
    |app: TestApp| story(app, "strava")
);
both_backends!(
    oura_recovers_from_failures_and_reports_revocation,
    |app: TestApp| story(app, "oura")
);
