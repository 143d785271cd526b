//! Garmin against a mock of the Health API (`tests/fixtures/garmin`): the PKCE code exchange
//! with the secret in the body, rotating refresh tokens, the user id, a first sync that checks
//! the permissions and asks for a 30-day backfill of every summary type (202, 409 and refusals
//! tolerated), later syncs that ask for none, a revoked grant, deregistration at disconnect,
//! and pushes: whole summaries stored as they come, resends replacing them, replays ignored,
//! the URL token and client id checked, deregistration and permission notices queuing a sync.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use vitasync::connections::engine::Outcome;
use vitasync::connections::provider::{FetchError, Window};
use vitasync::connections::repo;
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::{Config, ProviderClient};
use vitasync::with_db;
use wiremock::matchers::{body_string_contains, header, method, path, query_param_contains};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both_backends;
use crate::harness::push::{connect, jobs, outcomes, post};
use crate::harness::{provider_mock, ProviderMock, TestApp};

const USER: &str = "d3315b1072421d0dd7c8f6b8e1de4df8";

fn fixture(name: &str) -> Value {
    let p = format!(
        "{}/tests/fixtures/garmin/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn client(base: Option<&url::Url>) -> ProviderClient {
    ProviderClient {
        client_id: Some("garmin-client".into()),
        client_secret: Some("garmin-secret".into()),
        token_url: base.map(|b| b.join("di-oauth2-service/oauth/token").unwrap()),
        api_url: base.cloned(),
        push_token: Some("garmin-push-token".into()),
        ..Default::default()
    }
}

both_backends!(
    garmin_connects_with_pkce_and_asks_for_a_backfill,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let ProviderMock {
            engine,
            provider: garmin,
        } = provider_mock(&app, &mock, "garmin", |base| client(Some(base)));
        let http = reqwest::Client::new();
        Mock::given(method("POST"))
            .and(path("/di-oauth2-service/oauth/token"))
            .and(body_string_contains("grant_type=authorization_code"))
            .and(body_string_contains("code_verifier=the-verifier"))
            .and(body_string_contains("client_secret=garmin-secret"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("token.json")))
            .expect(1)
            .mount(&mock)
            .await;
        let grant = garmin
            .exchange_code(
                &http,
                "http://localhost/connections/garmin/callback",
                "the-code",
                Some("the-verifier".into()),
            )
            .await
            .unwrap();
        assert_eq!(
            grant.tokens.refresh_token.as_deref(),
            Some("xUEAgarmin-refresh==")
        );
        Mock::given(method("GET"))
            .and(path("/wellness-api/rest/user/id"))
            .and(header("authorization", "Bearer VTkcgarmin-access"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("user_id.json")))
            .mount(&mock)
            .await;
        assert_eq!(
            garmin
                .account_id(&http, "VTkcgarmin-access")
                .await
                .unwrap()
                .as_deref(),
            Some(USER)
        );

        // The first sync, with an access token about to expire: the refresh rotates it.
        app.setup_owner("gil@example.com", "correct horse battery")
            .await;
        let expiring = TokenSet {
            expires_at: Some(Utc::now() + Duration::seconds(10)),
            ..grant.tokens.clone()
        };
        let id = app
            .connect_first_user("garmin", &expiring, Some(USER), &[])
            .await;
        Mock::given(method("POST"))
            .and(path("/di-oauth2-service/oauth/token"))
            .and(body_string_contains("grant_type=refresh_token"))
            .and(body_string_contains(
                "refresh_token=xUEAgarmin-refresh%3D%3D",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "garmin-access-2", "expires_in": 86400, "token_type": "bearer",
                "refresh_token": "garmin-refresh-2", "refresh_token_expires_in": 7775998})))
            .expect(1)
            .mount(&mock)
            .await;
        let bearer = || header("authorization", "Bearer garmin-access-2");
        Mock::given(method("GET"))
            .and(path("/wellness-api/rest/user/permissions"))
            .and(bearer())
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("permissions.json")))
            .expect(1)
            .mount(&mock)
            .await;
        for (kind, status) in [
            ("dailies", 202),
            ("sleeps", 409),
            ("hrv", 202),
            ("pulseOx", 412),
            ("respiration", 202),
            ("bodyComps", 202),
            ("stressDetails", 202),
            ("activities", 400),
        ] {
            let mut answer = ResponseTemplate::new(status);
            if status >= 400 {
                answer = answer.set_body_json(json!({"errorMessage": "refused in this test"}));
            }
            Mock::given(method("GET"))
                .and(path(format!("/wellness-api/rest/backfill/{kind}")))
                .and(bearer())
                .and(query_param_contains("summaryStartTimeInSeconds", "1"))
                .and(query_param_contains("summaryEndTimeInSeconds", "1"))
                .respond_with(answer)
                .expect(1)
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
            Outcome::Completed { items: 0 },
            "the data comes later, by push"
        );
        let stored = repo::get(app.db(), &id).await.unwrap().unwrap();
        let stored = stored.tokens(&app.state.config.keys).unwrap().unwrap();
        assert_eq!(stored.refresh_token.as_deref(), Some("garmin-refresh-2"));
        // The backfill spans 30 days at most.
        let asked: Vec<_> = mock.received_requests().await.unwrap();
        let dailies = asked
            .iter()
            .find(|r| r.url.path().ends_with("backfill/dailies"))
            .unwrap();
        let q: std::collections::HashMap<_, _> = dailies.url.query_pairs().collect();
        let span = q["summaryEndTimeInSeconds"].parse::<i64>().unwrap()
            - q["summaryStartTimeInSeconds"].parse::<i64>().unwrap();
        assert!(span <= 30 * 86_400, "{span}");

        // A later, short window asks for no backfill: push brings the data.
        let recent = Window {
            start: Utc::now() - Duration::hours(6),
            end: Utc::now(),
            zone: chrono_tz::UTC,
        };
        Mock::given(method("GET"))
            .and(path("/wellness-api/rest/user/permissions"))
            .and(header("authorization", "Bearer t"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"permissions": ["ACTIVITY_EXPORT", "HEALTH_EXPORT"]})),
            )
            .mount(&mock)
            .await;
        let page = garmin.fetch_page(&http, "t", recent, None).await.unwrap();
        assert_eq!(page.next, None);
        // Without HISTORICAL_DATA_EXPORT a long window asks for none either.
        let long = Window {
            start: Utc::now() - Duration::days(30),
            ..recent
        };
        let page = garmin.fetch_page(&http, "t", long, None).await.unwrap();
        assert_eq!(page.next, None);
        // A deregistered person's token is refused: reconnect.
        Mock::given(method("GET"))
            .and(path("/wellness-api/rest/user/permissions"))
            .and(header("authorization", "Bearer gone"))
            .respond_with(
                ResponseTemplate::new(403)
                    .set_body_json(json!({"errorMessage": "Unknown or revoked user access token"})),
            )
            .mount(&mock)
            .await;
        assert_eq!(
            garmin
                .fetch_page(&http, "gone", recent, None)
                .await
                .unwrap_err(),
            FetchError::Revoked
        );
        // Rate limited.
        Mock::given(method("GET"))
            .and(path("/wellness-api/rest/user/permissions"))
            .and(header("authorization", "Bearer busy"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "60"))
            .mount(&mock)
            .await;
        assert_eq!(
            garmin
                .fetch_page(&http, "busy", recent, None)
                .await
                .unwrap_err(),
            FetchError::RateLimited {
                retry_after: Some(std::time::Duration::from_secs(60))
            }
        );

        // Disconnecting deletes the registration.
        Mock::given(method("DELETE"))
            .and(path("/wellness-api/rest/user/registration"))
            .and(bearer())
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&mock)
            .await;
        garmin.revoke(&http, &stored, Some(USER)).await.unwrap();
    }
);

fn configure(c: &mut Config) {
    c.providers.clients.insert("garmin".into(), client(None));
}

const PUSH: &str = "/push/garmin?token=garmin-push-token";

fn garmin_headers() -> Vec<(&'static str, String)> {
    vec![
        ("garmin-client-id", "garmin-client".into()),
        ("user-agent", "Garmin Health API".into()),
    ]
}

async fn count(app: &TestApp, metric: &str) -> (i64, Option<f64>) {
    with_db!(app.db(), pool => sqlx::query_as(
        "SELECT COUNT(*), MAX(value) FROM health_metrics WHERE provider_id = 'garmin' AND metric_type = $1")
        .bind(metric).fetch_one(pool).await)
    .unwrap()
}

crate::both_backends!(
    garmin_pushes_store_summaries,
    with configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        connect(&app, &ws, "garmin", USER).await;
        let h = garmin_headers();
        let dailies = fixture("push_dailies.json").to_string();

        // Without the URL token, or for another Garmin app: refused, nothing stored.
        let r = post(&app, "/push/garmin", "application/json", &h, &dailies).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let other = vec![("garmin-client-id", "someone-else".to_string())];
        let r = post(&app, PUSH, "application/json", &other, &dailies).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(count(&app, "steps").await.0, 0);

        let r = post(&app, PUSH, "application/json", &h, &dailies).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(outcomes(&r), json!(["stored"]));
        assert_eq!(count(&app, "steps").await, (1, Some(10412.0)));
        assert_eq!(count(&app, "heart_rate").await.0, 2);
        assert!(jobs(&app).await.is_empty(), "pushed data needs no sync");
        // Garmin retrying: nothing new.
        let r = post(&app, PUSH, "application/json", &h, &dailies).await;
        assert_eq!(outcomes(&r), json!(["duplicate"]));
        // The same day resent later with more steps replaces it.
        let mut more = fixture("push_dailies.json");
        more["dailies"][0]["steps"] = json!(12001);
        let r = post(&app, PUSH, "application/json", &h, &more.to_string()).await;
        assert_eq!(outcomes(&r), json!(["stored"]));
        assert_eq!(count(&app, "steps").await, (1, Some(12001.0)));

        // Every other summary kind, several per body.
        for file in [
            "push_sleeps.json",
            "push_health.json",
            "push_activities.json",
        ] {
            let r = post(
                &app,
                PUSH,
                "application/json",
                &h,
                &fixture(file).to_string(),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{file}: {}", r.json);
        }
        for (metric, n) in [
            ("sleep", 1),
            ("sleep_score", 1),
            ("heart_rate_variability", 1),
            ("spo2", 1),
            ("respiratory_rate", 1),
            ("weight", 1),
            ("body_fat", 1),
            ("bmi", 1),
            ("readiness_score", 3),
            ("stress", 2),
            ("workout", 2),
        ] {
            assert_eq!(count(&app, metric).await.0, n, "{metric}");
        }
        let workouts: Vec<(Option<String>, Option<f64>)> = with_db!(app.db(), pool => sqlx::query_as(
            "SELECT activity_type, distance_meters FROM events WHERE provider_id = 'garmin' AND event_type = 'workout' ORDER BY started_at")
            .fetch_all(pool).await).unwrap();
        assert_eq!(
            workouts,
            vec![
                (Some("running".into()), Some(8012.4)),
                (Some("cycling".into()), None)
            ]
        );

        // Someone unknown here: 200, nothing stored for anyone.
        let mut stranger = fixture("push_dailies.json");
        stranger["dailies"][0]["userId"] = json!("0000");
        let r = post(&app, PUSH, "application/json", &h, &stranger.to_string()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(outcomes(&r), json!(["unknown"]));

        // Deregistration and a permission change each ask for a sync (one job covers both);
        // nothing is disconnected on an unsigned notice's word.
        let r = post(
            &app,
            PUSH,
            "application/json",
            &h,
            &fixture("push_lifecycle.json").to_string(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let mut got: Vec<String> = outcomes(&r)
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap().to_string())
            .collect();
        got.sort();
        assert_eq!(got, vec!["open", "queued"]);
        assert_eq!(jobs(&app).await.len(), 1);

        // Not JSON: 400.
        let r = post(&app, PUSH, "application/json", &h, "dailies=1").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
);
