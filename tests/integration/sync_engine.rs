//! The sync engine against a mock provider (wiremock) speaking the demo provider's API: paging,
//! token refresh before expiry and on 401, revoked access, 429 with Retry-After, a 500 then
//! success, a job resumed after its worker died, and two workers claiming side by side.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use vitasync::connections::engine::{Engine, Outcome, LEASE_SECONDS};
use vitasync::connections::jobs;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::ProviderClient;
use vitasync::with_db;
use wiremock::matchers::{
    body_string_contains, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::both_backends;
use crate::harness::{provider_mock, TestApp};

const DATA: &str = "/demo-provider/api/v1/data";
const TOKEN: &str = "/demo-provider/token";

/// An engine whose demo provider talks to `mock` (it takes a base URL alone, no client).
fn engine_for(app: &TestApp, mock: &MockServer) -> Engine {
    provider_mock(app, mock, "demo", |_| ProviderClient::default()).engine
}

/// A signed-up person with a demo connection holding the given tokens; returns the connection id.
async fn connection(app: &TestApp, email: &str, tokens: TokenSet) -> (String, String) {
    const PASSWORD: &str = "correct horse battery";
    let c = app.client();
    let first = c
        .call::<()>(
            "auth/setup",
            &[
                ("workspace_name", "Acme"),
                ("display_name", "Olive"),
                ("email", email),
                ("password", PASSWORD),
                ("timezone", "Europe/Paris"),
            ],
        )
        .await;
    if first.is_err() {
        // Set up already: the owner invites this person.
        c.login("olive@example.com", PASSWORD).await.unwrap();
        app.add_member(&c, email, PASSWORD).await;
    }
    let (user_id, workspace_id): (String, String) = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT id, workspace_id FROM users WHERE email = $1").bind(email).fetch_one(pool).await)
    .unwrap();
    let id = repo::save_connected(
        app.db(),
        &app.state.config.keys,
        Connected {
            workspace_id: &workspace_id,
            user_id: &user_id,
            provider_id: "demo",
            tokens: &tokens,
            account_id: None,
            scopes: &["activity"],
        },
        Utc::now(),
    )
    .await
    .unwrap();
    (id, user_id)
}

fn tokens(access: &str, refresh: &str, expires_in: Duration) -> TokenSet {
    TokenSet {
        access_token: access.into(),
        refresh_token: Some(refresh.into()),
        expires_at: Some(Utc::now() + expires_in),
    }
}

fn day(n: i64) -> DateTime<Utc> {
    (Utc::now() - Duration::days(n))
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
}

/// A page in the demo API's shape: steps and heart rate on one day, and one workout.
fn page(n: i64, next: Option<&str>) -> Value {
    json!({
        "points": [
            {"metricType": "steps", "value": 1000.0 * n as f64, "recordedAt": day(n)},
            {"metricType": "heart_rate", "value": 60.0 + n as f64, "recordedAt": day(n) + Duration::minutes(5)},
        ],
        "events": [
            {"providerEventId": format!("w{n}"), "eventType": "workout", "activityType": "running",
             "startedAt": day(n) - Duration::hours(2), "durationSeconds": 1800, "distanceMeters": 5000.0}
        ],
        "nextCursor": next,
    })
}

async fn queue(app: &TestApp, engine: &Engine, conn_id: &str) {
    let conn = repo::get(app.db(), conn_id).await.unwrap().unwrap();
    engine
        .request_sync(&conn, Utc::now())
        .await
        .unwrap()
        .expect("queued");
}

async fn rows(app: &TestApp, user: &str) -> Vec<(String, String, f64)> {
    let r: Vec<(String, DateTime<Utc>, f64)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, recorded_at, value FROM health_metrics WHERE user_id = $1 ORDER BY metric_type, recorded_at")
        .bind(user).fetch_all(pool).await).unwrap();
    r.into_iter()
        .map(|(m, t, v)| (m, t.to_rfc3339(), v))
        .collect()
}

async fn status_of(app: &TestApp, conn_id: &str) -> (String, Option<String>) {
    with_db!(app.db(), pool => sqlx::query_as("SELECT status, last_error FROM provider_connections WHERE id = $1")
        .bind(conn_id).fetch_one(pool).await).unwrap()
}

both_backends!(
    pages_and_refreshes_an_expired_token,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let engine = engine_for(&app, &mock);
        // The stored access token has expired at the provider although we think it is valid.
        let (conn_id, user) = connection(
            &app,
            "olive@example.com",
            tokens("access-1", "refresh-1", Duration::hours(1)),
        )
        .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .and(header("authorization", "Bearer access-1"))
            .respond_with(
                ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_token"})),
            )
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("POST")).and(path(TOKEN))
        .and(body_string_contains("grant_type=refresh_token")).and(body_string_contains("refresh_token=refresh-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "access-2", "refresh_token": "refresh-2", "token_type": "Bearer", "expires_in": 3600})))
        .expect(1).mount(&mock).await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .and(header("authorization", "Bearer access-2"))
            .and(query_param_is_missing("cursor"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(3, Some("p2"))))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .and(header("authorization", "Bearer access-2"))
            .and(query_param("cursor", "p2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(2, None)))
            .expect(1)
            .mount(&mock)
            .await;
        queue(&app, &engine, &conn_id).await;
        let (_, outcome) = engine.run_one(Utc::now()).await.unwrap().unwrap();
        assert_eq!(outcome, Outcome::Completed { items: 6 });
        assert_eq!(rows(&app, &user).await.len(), 4);
        // The rotated tokens were stored (sealed).
        let conn = repo::get(app.db(), &conn_id).await.unwrap().unwrap();
        let stored = conn.tokens(&app.state.config.keys).unwrap().unwrap();
        assert_eq!(
            (
                stored.access_token.as_str(),
                stored.refresh_token.as_deref()
            ),
            ("access-2", Some("refresh-2"))
        );
        assert!(conn.last_synced_at.is_some() && conn.sync_cursor.is_some());
        assert_eq!(
            status_of(&app, &conn_id).await,
            ("active".to_string(), None)
        );
        // The records and rollups followed the sync.
        let runs: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM personal_records WHERE user_id = $1").bind(&user).fetch_one(pool).await).unwrap();
        assert!(runs > 0);
    }
);

both_backends!(
    refreshes_before_expiry_and_a_revoked_grant_asks_for_reconnect,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let engine = engine_for(&app, &mock);
        let (conn_id, _) = connection(
            &app,
            "olive@example.com",
            tokens("old", "revoked", Duration::seconds(30)),
        )
        .await;
        Mock::given(method("POST"))
            .and(path(TOKEN))
            .and(body_string_contains("refresh_token=revoked"))
            .respond_with(
                ResponseTemplate::new(400).set_body_json(
                    json!({"error": "invalid_grant", "error_description": "revoked"}),
                ),
            )
            .expect(1)
            .mount(&mock)
            .await;
        // No data request is made with the expiring token.
        Mock::given(method("GET"))
            .and(path(DATA))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(1, None)))
            .expect(0)
            .mount(&mock)
            .await;
        queue(&app, &engine, &conn_id).await;
        let (_, outcome) = engine.run_one(Utc::now()).await.unwrap().unwrap();
        assert!(matches!(outcome, Outcome::Failed { .. }), "{outcome:?}");
        let (status, error) = status_of(&app, &conn_id).await;
        assert_eq!(status, "error");
        assert!(error.unwrap().contains("Reconnect"));
        let job_status: String = with_db!(app.db(), pool => sqlx::query_scalar("SELECT status FROM sync_jobs").fetch_one(pool).await).unwrap();
        assert_eq!(job_status, "failed");
    }
);

both_backends!(
    rate_limits_wait_for_retry_after_and_server_errors_back_off,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let engine = engine_for(&app, &mock);
        let (conn_id, user) = connection(
            &app,
            "olive@example.com",
            tokens("a", "r", Duration::hours(1)),
        )
        .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
            .up_to_n_times(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .respond_with(ResponseTemplate::new(500).set_body_string("upstream down"))
            .up_to_n_times(1)
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(1, None)))
            .mount(&mock)
            .await;
        queue(&app, &engine, &conn_id).await;

        let t0 = Utc::now();
        let (_, outcome) = engine.run_one(t0).await.unwrap().unwrap();
        let Outcome::RetryAt { at, .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert!(
            (at - t0 - Duration::seconds(120)).num_seconds().abs() <= 2,
            "waits Retry-After: {at} vs {t0}"
        );
        assert!(
            engine
                .run_one(t0 + Duration::seconds(60))
                .await
                .unwrap()
                .is_none(),
            "not before Retry-After"
        );

        let t1 = t0 + Duration::seconds(125);
        let (_, outcome) = engine.run_one(t1).await.unwrap().unwrap();
        let Outcome::RetryAt { at, .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert!(
            at > Utc::now() && at <= Utc::now() + Duration::seconds(70),
            "backoff with jitter: {at}"
        );

        let (job, outcome) = engine
            .run_one(t1 + Duration::seconds(3600))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(outcome, Outcome::Completed { items: 3 });
        assert_eq!(job.attempts, 3);
        assert_eq!(rows(&app, &user).await.len(), 2);
        assert_eq!(status_of(&app, &conn_id).await.0, "active");
    }
);

both_backends!(
    a_job_whose_worker_died_resumes_without_duplicates,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let (crashed_conn, crashed_user) = connection(
            &app,
            "olive@example.com",
            tokens("a", "r", Duration::hours(1)),
        )
        .await;
        let (steady_conn, steady_user) = connection(
            &app,
            "max@example.com",
            tokens("a", "r", Duration::hours(1)),
        )
        .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .and(query_param_is_missing("cursor"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(4, Some("p2"))))
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .and(query_param("cursor", "p2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(3, Some("p3"))))
            .mount(&mock)
            .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .and(query_param("cursor", "p3"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(2, None)))
            .mount(&mock)
            .await;

        // The worker dies after its first page: the job stays claimed, its cursor committed.
        let mut dying = engine_for(&app, &mock);
        dying.stop_after_pages = Some(1);
        queue(&app, &dying, &crashed_conn).await;
        let now = Utc::now();
        let (job, outcome) = dying.run_one(now).await.unwrap().unwrap();
        assert_eq!(outcome, Outcome::Abandoned);
        let left = jobs::get(app.db(), &job.id).await.unwrap().unwrap();
        assert_eq!(
            (
                left.status.as_str(),
                left.cursor.as_deref(),
                left.metrics_synced
            ),
            ("running", Some("p2"), 3)
        );

        // Nobody takes it while the lease holds; after it, another worker resumes at page 2.
        let engine = engine_for(&app, &mock);
        assert!(engine
            .run_one(now + Duration::seconds(10))
            .await
            .unwrap()
            .is_none());
        let later = now + Duration::seconds(LEASE_SECONDS + 1);
        let (resumed, outcome) = engine.run_one(later).await.unwrap().unwrap();
        assert_eq!(resumed.id, job.id);
        assert_eq!(resumed.cursor.as_deref(), Some("p2"));
        assert_eq!(outcome, Outcome::Completed { items: 9 });
        let first_pages = mock
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| !r.url.query_pairs().any(|(k, _)| k == "cursor"))
            .count();
        assert_eq!(first_pages, 1, "page 1 was not fetched again");

        // The same data as a run that never stopped, and no duplicates.
        queue(&app, &engine, &steady_conn).await;
        engine.run_until_idle().await.unwrap();
        let crashed = rows(&app, &crashed_user).await;
        assert_eq!(crashed, rows(&app, &steady_user).await);
        assert_eq!(crashed.len(), 6);
        let events: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE user_id = $1").bind(&crashed_user).fetch_one(pool).await).unwrap();
        assert_eq!(events, 3);
    }
);

both_backends!(
    two_workers_never_claim_the_same_job,
    |app: TestApp| async move {
        let (_, user) = connection(
            &app,
            "olive@example.com",
            tokens("a", "r", Duration::hours(1)),
        )
        .await;
        let now = Utc::now();
        let mut queued = Vec::new();
        for i in 0..24 {
            let conn_id = format!("conn{i:02}");
            with_db!(app.db(), pool => sqlx::query(
            "INSERT INTO provider_connections (id, user_id, provider_id, status, created_at, updated_at) VALUES ($1, $2, $3, 'active', $4, $4)")
            .bind(&conn_id).bind(&user).bind(format!("p{i}")).bind(now).execute(pool).await.map(|r| r.rows_affected())).unwrap();
            let window = vitasync::connections::provider::Window {
                start: now - Duration::days(1),
                end: now,
                zone: chrono_tz::UTC,
            };
            queued.push(
                jobs::enqueue(app.db(), &conn_id, "incremental", window, now)
                    .await
                    .unwrap()
                    .unwrap(),
            );
            // A second job for the same connection is refused while one is open.
            assert!(
                jobs::enqueue(app.db(), &conn_id, "incremental", window, now)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        let worker = |db: vitasync::platform::db::Db| async move {
            let mut mine = Vec::new();
            while let Some(job) = jobs::claim(&db, Utc::now(), Duration::seconds(LEASE_SECONDS))
                .await
                .unwrap()
            {
                mine.push(job.id);
                tokio::task::yield_now().await;
            }
            mine
        };
        let (a, b) = tokio::join!(
            tokio::spawn(worker(app.db().clone())),
            tokio::spawn(worker(app.db().clone()))
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let mut all: Vec<String> = a.iter().chain(b.iter()).cloned().collect();
        all.sort();
        let before = all.len();
        all.dedup();
        assert_eq!(before, all.len(), "a job was claimed twice: {a:?} / {b:?}");
        queued.sort();
        assert_eq!(all, queued);
    }
);

both_backends!(
    a_failing_provider_is_tried_once_per_interval,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        let engine = engine_for(&app, &mock);
        connection(
            &app,
            "olive@example.com",
            tokens("a", "r", Duration::hours(1)),
        )
        .await;
        Mock::given(method("GET"))
            .and(path(DATA))
            .respond_with(ResponseTemplate::new(503))
            .mount(&mock)
            .await;
        let t0 = Utc::now();
        assert_eq!(
            engine.schedule_due(t0).await.unwrap(),
            1,
            "never synced: due at once"
        );
        assert_eq!(
            engine.schedule_due(t0).await.unwrap(),
            0,
            "one open job at a time"
        );
        // Every retry fails until the job gives up; the connection stays active with the reason.
        let mut runs = 0;
        loop {
            runs += 1;
            let (_, outcome) = engine
                .run_one(t0 + Duration::hours(runs))
                .await
                .unwrap()
                .unwrap();
            if matches!(outcome, Outcome::Failed { .. }) {
                break;
            }
            assert!(matches!(outcome, Outcome::RetryAt { .. }), "{outcome:?}");
        }
        assert_eq!(runs, vitasync::connections::engine::MAX_ATTEMPTS);
        let (status, error): (String, Option<String>) = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT status, last_error FROM provider_connections").fetch_one(pool).await)
        .unwrap();
        assert_eq!(status, "active");
        assert!(error.unwrap().contains("could not be reached"));
        // The demo provider's interval is 15 minutes, counted from the last queued job.
        assert_eq!(
            engine
                .schedule_due(t0 + Duration::minutes(10))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            engine
                .schedule_due(t0 + Duration::minutes(16))
                .await
                .unwrap(),
            1
        );
    }
);
