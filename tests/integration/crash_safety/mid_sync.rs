//! Killed mid-sync: a demo-provider backfill of two pages, killed while page 2 is in flight
//! (page 1 stored, its cursor committed). After the restart the job resumes at page 2: every
//! reading once, page 1 never fetched again, one claim before the crash and one after.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use vitasync::connections::jobs;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::db::Db;
use vitasync::with_db;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::workspace_with_key;
use crate::harness::process::{Deadline, ServerProcess};
use crate::harness::Backend;

/// The demo provider's data API (`VITASYNC_DEMO_BASE_URL` points the server at the mock).
const DATA: &str = "/demo-provider/api/v1/data";
/// Readings on page 1 and on page 2.
const PAGE1: usize = 40;
const PAGE2: usize = 25;

/// Heart rate once a minute from `base`: readings `from..to` (value 60 + index).
fn demo_page(base: DateTime<Utc>, from: usize, to: usize, next: Option<&str>) -> Value {
    let points: Vec<Value> = (from..to)
        .map(|i| {
            json!({
                "metricType": "heart_rate",
                "value": 60.0 + i as f64,
                "recordedAt": base + Duration::minutes(i as i64),
            })
        })
        .collect();
    json!({"points": points, "events": [], "nextCursor": next})
}

/// Data requests the mock received for page 1 (`None`: no cursor) or for `cursor`.
async fn data_requests(mock: &MockServer, cursor: Option<&str>) -> usize {
    mock.received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == DATA)
        .filter(|r| {
            let asked = r
                .url
                .query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned());
            asked.as_deref() == cursor
        })
        .count()
}

/// The person's synced heart-rate values, in time order.
async fn readings(db: &Db, user: &str) -> Vec<Option<f64>> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT value FROM health_metrics WHERE user_id = $1 AND provider_id = 'demo' \
         AND metric_type = 'heart_rate' ORDER BY recorded_at")
        .bind(user)
        .fetch_all(pool)
        .await)
    .expect("readings")
}

async fn job(server: &ServerProcess, id: &str) -> jobs::JobRow {
    jobs::get(server.db(), id)
        .await
        .expect("the job's row")
        .expect("the job exists")
}

async fn killed_mid_sync_resumes_from_its_cursor(backend: Backend) {
    let mock = MockServer::start().await;
    let demo = mock.uri();
    let mut server =
        ServerProcess::new(backend, &[("VITASYNC_DEMO_BASE_URL", demo.as_str())]).await;
    let key = workspace_with_key(&server);
    let base = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        - Duration::days(2);

    // Page 1 answers at once. The first request for page 2 hangs for a minute (the process is
    // killed long before); any later one answers at once (the hanging mock is used up after
    // one match and outranks the other while it lasts).
    Mock::given(method("GET"))
        .and(path(DATA))
        .and(query_param_is_missing("cursor"))
        .respond_with(ResponseTemplate::new(200).set_body_json(demo_page(
            base,
            0,
            PAGE1,
            Some("p2"),
        )))
        .mount(&mock)
        .await;
    let page2 = demo_page(base, PAGE1, PAGE1 + PAGE2, None);
    Mock::given(method("GET"))
        .and(path(DATA))
        .and(query_param("cursor", "p2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page2.clone())
                .set_delay(std::time::Duration::from_secs(60)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path(DATA))
        .and(query_param("cursor", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page2))
        .mount(&mock)
        .await;
    server.start().await;

    // A person of the REST API, connected to the demo provider: the tokens sealed with the
    // server's key ring, as a finished OAuth callback stores them.
    let (status, user) = server
        .api(
            Method::POST,
            "/v1/users",
            &key,
            Some(json!({"externalId": "p1", "timezone": "UTC"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let user_id = user["id"].as_str().expect("the user's id").to_string();
    let workspace: String = with_db!(server.db(), pool => sqlx::query_scalar(
        "SELECT workspace_id FROM users WHERE id = $1").bind(&user_id).fetch_one(pool).await)
    .expect("the user's workspace");
    let tokens = TokenSet {
        access_token: "access".into(),
        refresh_token: Some("refresh".into()),
        expires_at: Some(Utc::now() + Duration::hours(1)),
    };
    let conn = repo::save_connected(
        server.db(),
        &ServerProcess::keys(),
        Connected {
            workspace_id: &workspace,
            user_id: &user_id,
            provider_id: "demo",
            tokens: &tokens,
            account_id: Some("demo-account-1"),
            scopes: &["activity", "heart"],
        },
        Utc::now(),
    )
    .await
    .expect("connection stored");

    // "Sync now" over the REST API: the backfill is queued and the server's worker claims it.
    let (status, queued) = server
        .api(
            Method::POST,
            &format!("/v1/users/{user_id}/connections/{conn}/sync"),
            &key,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    let job_id = queued["id"].as_str().expect("the job's id").to_string();

    // Mid-sync: page 1 is stored with its cursor committed, and page 2 is being fetched.
    let deadline = Deadline::new("page 1 committed and page 2 requested", 30);
    loop {
        let row = job(&server, &job_id).await;
        assert_ne!(row.status.as_str(), "failed", "{:?}", row.error);
        if row.cursor.as_deref() == Some("p2") && data_requests(&mock, Some("p2")).await > 0 {
            assert_eq!(row.status.as_str(), "running");
            assert_eq!(row.metrics_synced, PAGE1 as i64);
            assert_eq!(row.attempts, 1);
            break;
        }
        server.tick(&deadline).await;
    }
    assert_eq!(
        readings(server.db(), &user_id).await.len(),
        PAGE1,
        "page 1's readings are stored"
    );

    server.kill9();

    // The dead worker's lease (five minutes from its last checkpoint) would outlast this test:
    // it runs out now, as time would make it. The job is still claimed by the dead process.
    let expired = Utc::now() - Duration::seconds(1);
    let n = with_db!(server.db(), pool => sqlx::query(
        "UPDATE sync_jobs SET locked_until = $1 WHERE id = $2 AND status = 'running'")
        .bind(expired)
        .bind(&job_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .expect("lease expired");
    assert_eq!(n, 1, "the killed job was left running with its lease");

    server.restart().await;
    let deadline = Deadline::new("the resumed job to complete", 60);
    let done = loop {
        let row = job(&server, &job_id).await;
        match row.status.as_str() {
            "completed" => break row,
            "failed" => panic!("the resumed job failed: {:?}", row.error),
            _ => server.tick(&deadline).await,
        }
    };

    assert_eq!(done.attempts, 2, "one claim before the crash, one after");
    assert_eq!(done.metrics_synced, (PAGE1 + PAGE2) as i64);
    assert_eq!(
        data_requests(&mock, None).await,
        1,
        "page 1 was not fetched again: the job resumed from its cursor"
    );
    assert_eq!(
        data_requests(&mock, Some("p2")).await,
        2,
        "page 2: once cut off by the kill, once answered"
    );
    // Every reading of both pages, each once.
    let expected: Vec<Option<f64>> = (0..PAGE1 + PAGE2).map(|i| Some(60.0 + i as f64)).collect();
    assert_eq!(readings(server.db(), &user_id).await, expected);
    // The connection records the finished sync, and no second job was queued meanwhile.
    let (jobs_of_conn, synced): (i64, Option<DateTime<Utc>>) =
        with_db!(server.db(), pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM sync_jobs WHERE connection_id = c.id), c.last_synced_at \
         FROM provider_connections c WHERE c.id = $1")
        .bind(&conn)
        .fetch_one(pool)
        .await)
        .expect("the connection");
    assert_eq!(jobs_of_conn, 1);
    assert!(synced.is_some(), "the connection's last sync is recorded");

    server.finish().await;
}

super::crash_story!(killed_mid_sync, killed_mid_sync_resumes_from_its_cursor);
