//! The Withings client against a mock of its API serving the documented envelopes
//! (`tests/fixtures/withings`): `requesttoken` for the code and for refreshes (rotated refresh
//! token kept, `userid` as the account id), `getmeas` paged by offset with mixed units,
//! activity, sleep summaries and workouts, in-body 401 (refresh, retry) and 601 (wait as told),
//! a dead refresh token, the signed revocation and per-person notification subscriptions.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use vitasync::connections::engine::{Engine, Outcome};
use vitasync::connections::repo;
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::ProviderClient;
use vitasync::with_db;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both_backends;
use crate::harness::{provider_mock, TestApp};

fn fixture(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/withings/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn ok(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture(name))
}

/// Withings' error envelope, sent with HTTP 200 as Withings does.
fn status(code: i64, body: Value, error: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"status": code, "body": body, "error": error}))
}

/// Withings' client, every URL under the mock's `base`.
fn client(base: &url::Url, push_token: Option<&str>) -> ProviderClient {
    ProviderClient {
        client_id: Some("wclient".into()),
        client_secret: Some("wsecret".into()),
        auth_url: Some(base.join("oauth2_user/authorize2").unwrap()),
        token_url: Some(base.join("v2/oauth2").unwrap()),
        revoke_url: Some(base.join("v2/oauth2").unwrap()),
        api_url: Some(base.clone()),
        push_token: push_token.map(str::to_string),
        ..Default::default()
    }
}

/// An owner connected to Withings with `access_token`, and an engine against `mock`.
async fn connected(
    app: &TestApp,
    mock: &MockServer,
    access_token: &str,
    valid_for: Duration,
) -> (Engine, String) {
    let engine = provider_mock(app, mock, "withings", |base| client(base, None)).engine;
    app.setup_owner("wendy@example.com", "correct horse battery")
        .await;
    let tokens = TokenSet {
        access_token: access_token.into(),
        refresh_token: Some("w-refresh".into()),
        expires_at: Some(Utc::now() + valid_for),
    };
    let id = app
        .connect_first_user(
            "withings",
            &tokens,
            Some("363"),
            &["user.metrics,user.activity"],
        )
        .await;
    (engine, id)
}

async fn mount_data(mock: &MockServer, token: &str) {
    let bearer = || header("authorization", format!("Bearer {token}"));
    // The second page of measures, asked for with the offset the first one gave.
    Mock::given(method("POST"))
        .and(path("/measure"))
        .and(bearer())
        .and(body_string_contains("action=getmeas"))
        .and(body_string_contains("offset=3"))
        .respond_with(ok("getmeas-page2.json"))
        .with_priority(1)
        .expect(1)
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/measure"))
        .and(bearer())
        .and(body_string_contains("action=getmeas"))
        .and(body_string_contains(
            "meastypes=1%2C5%2C6%2C8%2C9%2C10%2C11",
        ))
        .and(body_string_contains("category=1"))
        .respond_with(ok("getmeas-page1.json"))
        .expect(1)
        .mount(mock)
        .await;
    for (service, action, file) in [
        ("/v2/measure", "getactivity", "getactivity.json"),
        ("/v2/sleep", "getsummary", "sleep-getsummary.json"),
        ("/v2/measure", "getworkouts", "getworkouts.json"),
    ] {
        Mock::given(method("POST"))
            .and(path(service))
            .and(bearer())
            .and(body_string_contains(format!("action={action}")))
            .and(body_string_contains("startdateymd="))
            .and(body_string_contains("data_fields="))
            .respond_with(ok(file))
            .mount(mock)
            .await;
    }
}

both_backends!(
    withings_sync_maps_every_collection,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let (engine, id) = connected(&app, &mock, "old-access", Duration::seconds(30)).await;
        // The token is about to expire: requesttoken with the refresh token and the secret in the
        // form, answered inside Withings' envelope with a new pair.
        Mock::given(method("POST"))
            .and(path("/v2/oauth2"))
            .and(body_string_contains("action=requesttoken"))
            .and(body_string_contains("grant_type=refresh_token"))
            .and(body_string_contains("refresh_token=w-refresh"))
            .and(body_string_contains("client_id=wclient"))
            .and(body_string_contains("client_secret=wsecret"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"status": 0, "body": {
            "userid": 363, "access_token": "w-access", "refresh_token": "w-refresh-2",
            "expires_in": 10800, "scope": "user.metrics,user.activity", "token_type": "Bearer"}})),
            )
            .expect(1)
            .mount(&mock)
            .await;
        mount_data(&mock, "w-access").await;
        let conn = repo::get(app.db(), &id).await.unwrap().unwrap();
        engine
            .request_sync(&conn, Utc::now())
            .await
            .unwrap()
            .expect("queued");
        let (_, outcome) = engine.run_one(Utc::now()).await.unwrap().unwrap();
        // Measures 10 (2 + 2 on page 1, 6 on page 2), activity 2 days × 5, sleep 5, workout 2.
        assert_eq!(outcome, Outcome::Completed { items: 27 });
        let metrics: Vec<(String, i64)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, COUNT(*) FROM health_metrics WHERE provider_id = 'withings' GROUP BY metric_type ORDER BY metric_type")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            metrics,
            [
                ("active_minutes", 2),
                ("blood_pressure", 2),
                ("body_fat", 1),
                ("calories", 2),
                ("distance", 2),
                ("floors", 2),
                ("heart_rate", 2),
                ("respiratory_rate", 1),
                ("resting_heart_rate", 1),
                ("sleep", 1),
                ("sleep_score", 1),
                ("spo2", 1),
                ("steps", 2),
                ("temperature", 1),
                ("weight", 3),
                ("workout", 1),
            ]
            .map(|(m, n)| (m.to_string(), n))
        );
        let weights: Vec<f64> = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT value FROM health_metrics WHERE provider_id = 'withings' AND metric_type = 'weight' ORDER BY recorded_at")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            weights,
            [72.3, 72.51, 72.345],
            "value × 10^unit, units -2, -4, -3"
        );
        let events: Vec<(String, Option<String>)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT event_type, activity_type FROM events WHERE provider_id = 'withings' ORDER BY started_at")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            events,
            [("sleep", "sleep"), ("workout", "running")]
                .map(|(e, a)| (e.to_string(), Some(a.to_string())))
        );
        let stored = repo::get(app.db(), &id).await.unwrap().unwrap();
        let stored = stored.tokens(&app.state.config.keys).unwrap().unwrap();
        assert_eq!(
            (
                stored.access_token.as_str(),
                stored.refresh_token.as_deref()
            ),
            ("w-access", Some("w-refresh-2"))
        );
    }
);

both_backends!(
    withings_in_body_statuses_drive_refresh_waits_and_reconnects,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let (engine, id) = connected(&app, &mock, "w-stale", Duration::hours(2)).await;
        // HTTP 200, status 401: the access token is no longer accepted.
        Mock::given(method("POST"))
            .and(path("/measure"))
            .and(header("authorization", "Bearer w-stale"))
            .respond_with(status(
                401,
                json!({}),
                "XRequestID: Not provided invalid_token: The access token provided is invalid",
            ))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/v2/oauth2"))
            .and(body_string_contains("refresh_token=w-refresh"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"status": 0, "body": {
                "userid": "363", "access_token": "w-access", "refresh_token": "w-refresh-2",
                "expires_in": 10800, "token_type": "Bearer"}})),
            )
            // Single use: the next refresh presents w-refresh-2, which contains this one.
            .up_to_n_times(1)
            .expect(1)
            .mount(&mock)
            .await;
        // Activity answers 601 once: wait as long as Withings says.
        Mock::given(method("POST"))
            .and(path("/v2/measure"))
            .and(body_string_contains("action=getactivity"))
            .respond_with(status(
                601,
                json!({"wait_seconds": 188}),
                "Too many request",
            ))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&mock)
            .await;
        mount_data(&mock, "w-access").await;
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
        assert!(
            (at - Utc::now() - Duration::seconds(188))
                .num_seconds()
                .abs()
                <= 2,
            "wait_seconds: {at}"
        );
        let (_, outcome) = engine
            .run_one(Utc::now() + Duration::minutes(5))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(outcome, Outcome::Completed { items: 27 });

        // The person removed VitaSync at Withings: the refresh token gets status 503.
        Mock::given(method("POST"))
            .and(path("/v2/oauth2"))
            .and(body_string_contains("refresh_token=w-refresh-2"))
            .respond_with(status(
                503,
                json!({}),
                "Invalid Params: invalid refresh_token",
            ))
            .expect(1)
            .mount(&mock)
            .await;
        let conn = repo::get(app.db(), &id).await.unwrap().unwrap();
        let stored = conn.tokens(&app.state.config.keys).unwrap().unwrap();
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
            .run_one(Utc::now() + Duration::hours(1))
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
        let (state, error): (String, Option<String>) = with_db!(app.db(), pool => sqlx::query_as(
            "SELECT status, last_error FROM provider_connections").fetch_one(pool).await)
        .unwrap();
        assert_eq!(state, "error");
        assert!(error.unwrap().contains("Reconnect"));
    }
);

both_backends!(
    withings_code_exchange_revocation_and_notifications,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let withings = provider_mock(&app, &mock, "withings", |base| {
            client(base, Some("push-secret"))
        })
        .provider;
        let http = reqwest::Client::new();
        Mock::given(method("POST"))
            .and(path("/v2/oauth2"))
            .and(body_string_contains("action=requesttoken"))
            .and(body_string_contains("grant_type=authorization_code"))
            .and(body_string_contains("code=the-code"))
            .and(body_string_contains("client_secret=wsecret"))
            .and(body_string_contains(
                "redirect_uri=http%3A%2F%2Flocalhost%2Fconnections%2Fwithings%2Fcallback",
            ))
            .respond_with(ok("requesttoken.json"))
            .expect(1)
            .mount(&mock)
            .await;
        let grant = withings
            .exchange_code(
                &http,
                "http://localhost/connections/withings/callback",
                "the-code",
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            grant.account_id.as_deref(),
            Some("363"),
            "userid kept to route notifications"
        );
        assert_eq!(
            grant.tokens.access_token,
            "a075f8c14fb8df40b08ebc8508533dc332a6910a"
        );
        let left = grant.tokens.expires_at.unwrap() - Utc::now();
        assert!((left - Duration::seconds(10800)).num_seconds().abs() <= 5);
        // A reused code: status 503 inside HTTP 200.
        Mock::given(method("POST"))
            .and(path("/v2/oauth2"))
            .and(body_string_contains("code=used-code"))
            .respond_with(status(503, json!({}), "Invalid Params: invalid code"))
            .mount(&mock)
            .await;
        assert!(withings
            .exchange_code(&http, "http://localhost/cb", "used-code", None)
            .await
            .is_err());

        // Notifications are subscribed per person, with the push token in the callback URL.
        for appli in [1, 2, 4, 16, 44] {
            Mock::given(method("POST"))
                .and(path("/notify"))
                .and(header("authorization", format!("Bearer {}", grant.tokens.access_token)))
                .and(body_string_contains("action=subscribe"))
                .and(body_string_contains(format!("appli={appli}&")))
                .and(body_string_contains("callbackurl=https%3A%2F%2Fhealth.example.com%2Fpush%2Fwithings%3Ftoken%3Dpush-secret"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": 0, "body": {}})))
                .expect(1)
                .mount(&mock)
                .await;
        }
        withings
            .after_connect(
                &http,
                &grant.tokens,
                "https://health.example.com/push/withings",
            )
            .await
            .unwrap();

        // Revocation is signed: a nonce first, then revoke with the person's userid.
        Mock::given(method("POST"))
            .and(path("/v2/signature"))
            .and(body_string_contains("action=getnonce"))
            .and(body_string_contains("client_id=wclient"))
            .and(body_string_contains("signature="))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"status": 0, "body": {"nonce": "n-42"}})),
            )
            .expect(1)
            .mount(&mock)
            .await;
        let expected = {
            use hmac::{Hmac, Mac};
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"wsecret").unwrap();
            mac.update(b"revoke,wclient,n-42");
            hex::encode(mac.finalize().into_bytes())
        };
        Mock::given(method("POST"))
            .and(path("/v2/oauth2"))
            .and(body_string_contains("action=revoke"))
            .and(body_string_contains("nonce=n-42"))
            .and(body_string_contains(format!("signature={expected}")))
            .and(body_string_contains("userid=363"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"status": 0, "body": {}})),
            )
            .expect(1)
            .mount(&mock)
            .await;
        withings
            .revoke(&http, &grant.tokens, Some("363"))
            .await
            .unwrap();
    }
);
