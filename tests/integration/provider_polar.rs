//! The Polar client against a mock of AccessLink v3 serving the documented payloads
//! (`tests/fixtures/polar`): the code exchange with Basic client credentials and the person's
//! `x_user_id`, the mandatory registration (409 tolerated, 403 refused), every collection
//! (device-local times read in the person's zone), no-data answers, de-registration at
//! disconnect, and signed webhooks (PING answered, bad signatures refused).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use vitasync::connections::engine::Outcome;
use vitasync::connections::provider::FetchError;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::{Config, ProviderClient};
use vitasync::with_db;
use wiremock::matchers::{
    body_partial_json, body_string_contains, header as has_header, method, path, query_param,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both_backends;
use crate::harness::{provider_mock, ProviderMock, TestApp};

/// Activity, seconds, metres and start of a session.
type RunFigures = (Option<String>, Option<i64>, Option<f64>, String);

fn fixture(name: &str) -> Value {
    let p = format!("{}/tests/fixtures/polar/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn client(base: Option<&url::Url>) -> ProviderClient {
    ProviderClient {
        client_id: Some("pclient".into()),
        client_secret: Some("psecret".into()),
        token_url: base.map(|b| b.join("v2/oauth2/token").unwrap()),
        api_url: base.cloned(),
        webhook_secret: Some("abe1f3ae-fd33-11e8-8eb2-f2801f1b9fd1".into()),
        ..Default::default()
    }
}

both_backends!(
    polar_connects_registers_and_syncs,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let ProviderMock {
            engine,
            provider: polar,
        } = provider_mock(&app, &mock, "polar", |base| client(Some(base)));
        let http = reqwest::Client::new();
        // Basic client credentials; the answer names the person.
        Mock::given(method("POST"))
            .and(path("/v2/oauth2/token"))
            .and(has_header("authorization", "Basic cGNsaWVudDpwc2VjcmV0"))
            .and(body_string_contains("grant_type=authorization_code"))
            .and(body_string_contains("code=the-code"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("token.json")))
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/v3/users"))
            .and(has_header("authorization", "Bearer 2YotnFZFEjr1zCsicMWpAA"))
            .and(body_partial_json(json!({"member-id": "vitasync-10001"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("user.json")))
            .up_to_n_times(1)
            .mount(&mock)
            .await;
        let grant = polar
            .exchange_code(
                &http,
                "http://localhost/connections/polar/callback",
                "the-code",
                None,
            )
            .await
            .unwrap();
        assert_eq!(grant.account_id.as_deref(), Some("10001"));
        assert_eq!(
            grant.tokens.refresh_token, None,
            "AccessLink has no refresh tokens"
        );
        // Connecting again: already registered (409) is fine.
        Mock::given(method("POST"))
            .and(path("/v3/users"))
            .respond_with(
                ResponseTemplate::new(409).set_body_json(json!({"status": 409,
            "errorType": "USER_ALREADY_REGISTERED", "message": "User already registered"})),
            )
            .up_to_n_times(1)
            .mount(&mock)
            .await;
        assert!(polar
            .exchange_code(&http, "http://localhost/cb", "the-code", None)
            .await
            .is_ok());
        // Consents not accepted: refused with the reason.
        Mock::given(method("POST"))
            .and(path("/v3/users"))
            .respond_with(ResponseTemplate::new(403))
            .mount(&mock)
            .await;
        assert!(matches!(
            polar
                .exchange_code(&http, "http://localhost/cb", "the-code", None)
                .await,
            Err(FetchError::Forbidden(_))
        ));

        // The sync, for a person in Paris.
        app.setup_owner("pia@example.com", "correct horse battery")
            .await;
        let id = app
            .connect_first_user(
                "polar",
                &grant.tokens,
                Some("10001"),
                &["accesslink.read_all"],
            )
            .await;
        let bearer = || has_header("authorization", "Bearer 2YotnFZFEjr1zCsicMWpAA");
        for (p, file) in [
            ("/v3/exercises", "exercises.json"),
            ("/v3/users/sleep", "sleep.json"),
            ("/v3/users/nightly-recharge", "nightly-recharge.json"),
        ] {
            Mock::given(method("GET"))
                .and(path(p))
                .and(bearer())
                .respond_with(ResponseTemplate::new(200).set_body_json(fixture(file)))
                .expect(1)
                .mount(&mock)
                .await;
        }
        let to = Utc::now()
            .with_timezone(&chrono_tz::Europe::Paris)
            .date_naive()
            .to_string();
        Mock::given(method("GET"))
            .and(path("/v3/users/activities"))
            .and(bearer())
            .and(query_param("to", to.as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("activities.json")))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path("/v3/users/continuous-heart-rate"))
            .and(bearer())
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture("continuous-heart-rate.json")),
            )
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
        // Exercises 2 × (session + marker), night 3, recharge 3, activity 2 × 4, heart rate 3.
        assert_eq!(outcome, Outcome::Completed { items: 21 });
        let metrics: Vec<(String, i64)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, COUNT(*) FROM health_metrics WHERE provider_id = 'polar' GROUP BY metric_type ORDER BY metric_type")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            metrics,
            [
                ("active_minutes", 2),
                ("calories", 2),
                ("distance", 2),
                ("heart_rate", 3),
                ("heart_rate_variability", 1),
                ("respiratory_rate", 1),
                ("resting_heart_rate", 1),
                ("sleep", 1),
                ("sleep_score", 1),
                ("steps", 2),
                ("workout", 2),
            ]
            .map(|(m, n)| (m.to_string(), n))
        );
        // 00:02:08 on the watch in Paris is 23:02:08 UTC the day before.
        let first_hr: chrono::DateTime<Utc> = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT MIN(recorded_at) FROM health_metrics WHERE provider_id = 'polar' AND metric_type = 'heart_rate'")
        .fetch_one(pool).await).unwrap();
        assert_eq!(first_hr.to_rfc3339(), "2026-11-20T23:02:08+00:00");
        let runs: Vec<RunFigures> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT activity_type, CAST(duration_seconds AS BIGINT), distance_meters, CAST(started_at AS TEXT) FROM events \
         WHERE provider_id = 'polar' AND event_type = 'workout' ORDER BY started_at")
        .fetch_all(pool).await).unwrap();
        assert_eq!(runs[0].0.as_deref(), Some("running"));
        assert_eq!((runs[0].1, runs[0].2), (Some(2730), Some(8012.0)));
        assert!(
            runs[0].3.contains("17:00:00"),
            "18:00 at UTC+60 min: {}",
            runs[0].3
        );
        assert_eq!(runs[1].0.as_deref(), Some("strength"));

        // Disconnecting de-registers the person (which also revokes the token).
        Mock::given(method("DELETE"))
            .and(path("/v3/users/10001"))
            .and(bearer())
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&mock)
            .await;
        polar
            .revoke(&http, &grant.tokens, Some("10001"))
            .await
            .unwrap();
    }
);

both_backends!(polar_no_data_is_an_empty_page, |app: TestApp| async move {
    let mock = MockServer::start().await;
    let polar = provider_mock(&app, &mock, "polar", |base| client(Some(base))).provider;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&mock)
        .await;
    let window = vitasync::connections::provider::Window {
        start: Utc::now() - Duration::days(2),
        end: Utc::now(),
        zone: chrono_tz::UTC,
    };
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = polar
            .fetch_page(&reqwest::Client::new(), "t", window, cursor.as_deref())
            .await
            .unwrap();
        assert!(page.batch.points.is_empty() && page.batch.events.is_empty());
        pages += 1;
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(pages, 5);
});

fn configure(c: &mut Config) {
    c.providers.clients.insert("polar".into(), client(None));
}

fn signed(body: &str, key: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn push(app: &TestApp, body: &str, signature: Option<String>) -> crate::harness::ApiResponse {
    let mut b = Request::post("/push/polar")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(s) = signature {
        b = b.header("polar-webhook-signature", s);
    }
    app.api_raw(b.body(Body::from(body.to_string())).unwrap())
        .await
}

crate::both_backends!(
    polar_webhooks_are_signed,
    with configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let user: String = with_db!(app.db(), pool => sqlx::query_scalar("SELECT id FROM users WHERE workspace_id = $1").bind(&ws).fetch_one(pool).await).unwrap();
        let tokens = TokenSet {
            access_token: "a".into(),
            refresh_token: None,
            expires_at: None,
        };
        let conn = repo::save_connected(
            app.db(),
            &app.state.config.keys,
            Connected {
                workspace_id: &ws,
                user_id: &user,
                provider_id: "polar",
                tokens: &tokens,
                account_id: Some("475"),
                scopes: &[],
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let key = "abe1f3ae-fd33-11e8-8eb2-f2801f1b9fd1";
        // The PING while the webhook is created: answered, nothing done.
        let ping = r#"{"event":"PING","timestamp":"2026-12-01T14:22:24Z"}"#;
        assert_eq!(push(&app, ping, None).await.status, StatusCode::OK);
        let sleep = r#"{"event":"SLEEP","user_id":475,"date":"2026-12-01","timestamp":"2026-12-01T07:22:24Z","url":"https://www.polaraccesslink.com/v3/users/sleep/2026-12-01"}"#;
        let r = push(&app, sleep, Some(signed(sleep, "wrong-key"))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = push(&app, sleep, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = push(&app, sleep, Some(signed(sleep, key))).await;
        assert_eq!(r.json["outcomes"], json!(["queued"]));
        let r = push(&app, sleep, Some(signed(sleep, key).to_uppercase())).await;
        assert_eq!(r.json["outcomes"], json!(["duplicate"]));
        let jobs: Vec<String> = with_db!(app.db(), pool => sqlx::query_scalar("SELECT connection_id FROM sync_jobs").fetch_all(pool).await).unwrap();
        assert_eq!(jobs, vec![conn]);
    }
);
