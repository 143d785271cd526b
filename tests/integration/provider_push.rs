//! Provider push intake (`/push/{provider}`): signatures checked on the raw body, handshakes,
//! routing by the provider's user id, one targeted sync per notification, replays ignored,
//! unknown accounts answered 200 and recorded, and nothing queued for anything refused.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine as _;
use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;
use vitasync::platform::config::{Config, ProviderClient};
use vitasync::with_db;

use crate::harness::{ApiResponse, TestApp};

const WHOOP_SECRET: &str = "whoop-client-secret";
const OURA_SECRET: &str = "oura-client-secret";

fn configure(c: &mut Config) {
    let client = |secret: &str, push: Option<&str>| ProviderClient {
        client_id: Some("client".into()),
        client_secret: Some(secret.into()),
        push_token: push.map(str::to_string),
        ..Default::default()
    };
    let p = &mut c.providers.clients;
    p.insert("whoop".into(), client(WHOOP_SECRET, None));
    p.insert(
        "strava".into(),
        client("strava-secret", Some("strava-verify")),
    );
    p.insert("oura".into(), client(OURA_SECRET, Some("oura-verify")));
    p.insert(
        "withings".into(),
        client("withings-secret", Some("withings-token")),
    );
}

fn hmac(key: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

/// A person in workspace `ws` connected to `provider` as `account`; returns the connection id.
pub(crate) async fn connect(app: &TestApp, ws: &str, provider: &str, account: &str) -> String {
    let user: String = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT id FROM users WHERE workspace_id = $1 ORDER BY id LIMIT 1").bind(ws).fetch_one(pool).await)
    .unwrap();
    let tokens = TokenSet {
        access_token: "access".into(),
        refresh_token: Some("refresh".into()),
        expires_at: Some(Utc::now() + Duration::hours(1)),
    };
    repo::save_connected(
        app.db(),
        &app.state.config.keys,
        Connected {
            workspace_id: ws,
            user_id: &user,
            provider_id: provider,
            tokens: &tokens,
            account_id: Some(account),
            scopes: &[],
        },
        Utc::now(),
    )
    .await
    .unwrap()
}

pub(crate) async fn jobs(app: &TestApp) -> Vec<String> {
    with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT connection_id FROM sync_jobs ORDER BY created_at").fetch_all(pool).await)
    .unwrap()
}

pub(crate) async fn receipts(app: &TestApp) -> Vec<(String, String)> {
    with_db!(app.db(), pool => sqlx::query_as(
        "SELECT provider_id, outcome FROM provider_push_receipts ORDER BY received_at, id").fetch_all(pool).await)
    .unwrap()
}

/// Ends every open job, so only the receipt stands between a replay and a new sync.
pub(crate) async fn finish_jobs(app: &TestApp) {
    with_db!(app.db(), pool => sqlx::query(
        "UPDATE sync_jobs SET status = 'completed', completed_at = created_at").execute(pool).await.map(|_| ()))
    .unwrap();
}

pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    content_type: &str,
    headers: &[(&str, String)],
    body: &str,
) -> ApiResponse {
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, content_type);
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    app.api_raw(b.body(Body::from(body.to_string())).unwrap())
        .await
}

fn whoop_headers(body: &str, at: chrono::DateTime<Utc>, key: &str) -> Vec<(&'static str, String)> {
    let ts = at.timestamp_millis().to_string();
    let sig = base64::engine::general_purpose::STANDARD
        .encode(hmac(key, &[ts.as_bytes(), body.as_bytes()]));
    vec![
        ("x-whoop-signature", sig),
        ("x-whoop-signature-timestamp", ts),
    ]
}

pub(crate) fn outcomes(r: &ApiResponse) -> Value {
    r.json["outcomes"].clone()
}

crate::both_backends_with!(
    a_signed_whoop_event_queues_one_sync_and_a_replay_nothing,
    configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let conn = connect(&app, &ws, "whoop", "10129").await;
        let body = json!({"user_id": 10129, "id": "ecfc6a15-4661-442f-a9a4-f160dd7afae8",
            "type": "workout.updated", "trace_id": "e369c784-5100-49e8-8098-75d35c47b31b"})
        .to_string();
        let headers = whoop_headers(&body, Utc::now(), WHOOP_SECRET);
        let r = post(&app, "/push/whoop", "application/json", &headers, &body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        assert_eq!(outcomes(&r), json!(["queued"]));
        assert_eq!(jobs(&app).await, vec![conn.clone()]);

        // The same notification again (WHOOP retries, or someone replays it), even after the
        // sync it caused has finished: nothing new.
        finish_jobs(&app).await;
        let again = post(&app, "/push/whoop", "application/json", &headers, &body).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(outcomes(&again), json!(["duplicate"]));
        assert_eq!(jobs(&app).await.len(), 1);
        assert_eq!(
            receipts(&app).await,
            vec![("whoop".into(), "queued".into())]
        );

        // A new event while a sync is open: recorded, and the open job covers it.
        let body2 = json!({"user_id": 10129, "id": "ecfc6a15-0000-442f-a9a4-f160dd7afae8",
            "type": "sleep.updated", "trace_id": "t-2"})
        .to_string();
        let r = post(
            &app,
            "/push/whoop",
            "application/json",
            &whoop_headers(&body2, Utc::now(), WHOOP_SECRET),
            &body2,
        )
        .await;
        assert_eq!(outcomes(&r), json!(["queued"]));
        let body3 =
            json!({"user_id": 10129, "id": "x", "type": "recovery.updated", "trace_id": "t-3"})
                .to_string();
        let r = post(
            &app,
            "/push/whoop",
            "application/json",
            &whoop_headers(&body3, Utc::now(), WHOOP_SECRET),
            &body3,
        )
        .await;
        assert_eq!(outcomes(&r), json!(["open"]));
        assert_eq!(jobs(&app).await.len(), 2);
    }
);

crate::both_backends_with!(
    whoop_events_with_bad_signatures_are_refused_and_queue_nothing,
    configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        connect(&app, &ws, "whoop", "10129").await;
        let body = json!({"user_id": 10129, "id": "a", "type": "workout.updated", "trace_id": "t"})
            .to_string();
        // Signed with another key.
        let wrong = whoop_headers(&body, Utc::now(), "not-the-secret");
        // The body changed after signing.
        let tampered = whoop_headers(&body.replace("10129", "10130"), Utc::now(), WHOOP_SECRET);
        // A capture from ten minutes ago.
        let stale = whoop_headers(&body, Utc::now() - Duration::minutes(10), WHOOP_SECRET);
        for headers in [wrong, tampered, stale, vec![]] {
            let r = post(&app, "/push/whoop", "application/json", &headers, &body).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.json);
            assert_eq!(r.json["error"]["code"], "unauthenticated");
        }
        // Signed correctly, but not JSON.
        let junk = "user_id=10129";
        let r = post(
            &app,
            "/push/whoop",
            "application/json",
            &whoop_headers(junk, Utc::now(), WHOOP_SECRET),
            junk,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json["error"]["code"], "malformed");
        assert!(jobs(&app).await.is_empty());
        assert!(receipts(&app).await.is_empty());
    }
);

crate::both_backends_with!(
    notifications_route_by_provider_account_and_unknown_ones_are_recorded,
    configure,
    |app: TestApp| async move {
        let (a, _) = app.workspace("Alpha").await;
        let (b, _) = app.workspace("Bravo").await;
        let conn_a = connect(&app, &a, "whoop", "111").await;
        let conn_b = connect(&app, &b, "whoop", "222").await;
        let send = |user: i64, trace: &str| {
            json!({"user_id": user, "id": "s", "type": "sleep.updated", "trace_id": trace})
                .to_string()
        };
        let body = send(222, "for-bravo");
        let r = post(
            &app,
            "/push/whoop",
            "application/json",
            &whoop_headers(&body, Utc::now(), WHOOP_SECRET),
            &body,
        )
        .await;
        assert_eq!(outcomes(&r), json!(["queued"]));
        assert_eq!(jobs(&app).await, vec![conn_b.clone()]);
        assert_ne!(conn_a, conn_b);

        // Nobody here has WHOOP account 333: answered 200 so WHOOP stops retrying, recorded.
        let body = send(333, "for-nobody");
        let r = post(
            &app,
            "/push/whoop",
            "application/json",
            &whoop_headers(&body, Utc::now(), WHOOP_SECRET),
            &body,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(outcomes(&r), json!(["unknown"]));

        // A disconnected person's account: nothing is synced.
        let row = repo::get(app.db(), &conn_a).await.unwrap().unwrap();
        repo::disconnect(app.db(), &row, Utc::now()).await.unwrap();
        let body = send(111, "for-alpha");
        let r = post(
            &app,
            "/push/whoop",
            "application/json",
            &whoop_headers(&body, Utc::now(), WHOOP_SECRET),
            &body,
        )
        .await;
        assert_eq!(outcomes(&r), json!(["inactive"]));
        assert_eq!(jobs(&app).await, vec![conn_b]);
        let outcomes: Vec<String> = receipts(&app).await.into_iter().map(|(_, o)| o).collect();
        assert_eq!(outcomes, ["queued", "unknown", "inactive"]);
    }
);

crate::both_backends_with!(
    strava_handshake_and_events,
    configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let conn = connect(&app, &ws, "strava", "134815").await;
        let ok = app
            .api("GET", "/push/strava?hub.mode=subscribe&hub.challenge=15f7d1a91c1f40f8a748fd134752feb3&hub.verify_token=strava-verify", None, None)
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(
            ok.json,
            json!({"hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3"})
        );
        let wrong = app
            .api(
                "GET",
                "/push/strava?hub.mode=subscribe&hub.challenge=x&hub.verify_token=guess",
                None,
                None,
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

        let event = json!({"aspect_type": "create", "event_time": 1764400000, "object_id": 1360128428,
            "object_type": "activity", "owner_id": 134815, "subscription_id": 120475, "updates": {}})
        .to_string();
        let r = post(&app, "/push/strava", "application/json", &[], &event).await;
        assert_eq!(outcomes(&r), json!(["queued"]));
        finish_jobs(&app).await;
        let r = post(&app, "/push/strava", "application/json", &[], &event).await;
        assert_eq!(outcomes(&r), json!(["duplicate"]));
        // The athlete revoked access: a sync (which finds the grant gone), never a disconnect
        // on the word of an unsigned message.
        let deauth = json!({"aspect_type": "update", "event_time": 1764400100, "object_id": 134815,
            "object_type": "athlete", "owner_id": 134815, "subscription_id": 120475,
            "updates": {"authorized": "false"}})
        .to_string();
        let r = post(&app, "/push/strava", "application/json", &[], &deauth).await;
        assert_eq!(outcomes(&r), json!(["queued"]));
        assert_eq!(jobs(&app).await, vec![conn.clone(), conn.clone()]);
        let row = repo::get(app.db(), &conn).await.unwrap().unwrap();
        assert_eq!(row.status, "active");
        let r = post(
            &app,
            "/push/strava",
            "application/json",
            &[],
            "{\"owner_id\":",
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
);

crate::both_backends_with!(
    oura_verification_and_signed_events,
    configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let conn = connect(&app, &ws, "oura", "user123").await;
        let ok = app
            .api(
                "GET",
                "/push/oura?verification_token=oura-verify&challenge=c-1",
                None,
                None,
            )
            .await;
        assert_eq!(
            (ok.status, ok.json),
            (StatusCode::OK, json!({"challenge": "c-1"}))
        );
        let wrong = app
            .api(
                "GET",
                "/push/oura?verification_token=nope&challenge=c-1",
                None,
                None,
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

        let body = json!({"event_type": "update", "data_type": "sleep", "object_id": "12345abc",
            "event_time": "2026-12-06T08:00:00+00:00", "user_id": "user123"})
        .to_string();
        let ts = Utc::now().timestamp().to_string();
        let sig = hex::encode_upper(hmac(OURA_SECRET, &[ts.as_bytes(), body.as_bytes()]));
        let headers = vec![
            ("x-oura-signature", sig.clone()),
            ("x-oura-timestamp", ts.clone()),
        ];
        let r = post(&app, "/push/oura", "application/json", &headers, &body).await;
        assert_eq!(outcomes(&r), json!(["queued"]));
        assert_eq!(jobs(&app).await, vec![conn]);
        let forged = vec![
            (
                "x-oura-signature",
                hex::encode_upper(hmac("guess", &[ts.as_bytes(), body.as_bytes()])),
            ),
            ("x-oura-timestamp", ts),
        ];
        let r = post(&app, "/push/oura", "application/json", &forged, &body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(jobs(&app).await.len(), 1);
    }
);

crate::both_backends_with!(
    withings_notifications_need_the_token_and_sync_from_their_start,
    configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let conn = connect(&app, &ws, "withings", "363").await;
        // Withings checks the callback URL before subscribing it.
        let check = app
            .api("GET", "/push/withings?token=withings-token", None, None)
            .await;
        assert_eq!(check.status, StatusCode::OK);
        let head = app
            .api_raw(
                Request::builder()
                    .method("HEAD")
                    .uri("/push/withings?token=withings-token")
                    .header(header::HOST, "localhost")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(head.status, StatusCode::OK);

        // A synced connection, so the notification's own time decides how far back to go.
        let synced = Utc::now() - Duration::hours(2);
        with_db!(app.db(), pool => sqlx::query("UPDATE provider_connections SET sync_cursor = $1 WHERE id = $2")
            .bind(synced).bind(&conn).execute(pool).await.map(|_| ()))
        .unwrap();
        let start = Utc::now() - Duration::days(6);
        let form = format!(
            "userid=363&appli=1&startdate={}&enddate={}",
            start.timestamp(),
            start.timestamp() + 60
        );
        let form_type = "application/x-www-form-urlencoded";
        let refused = post(&app, "/push/withings", form_type, &[], &form).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        let r = post(
            &app,
            "/push/withings?token=withings-token",
            form_type,
            &[],
            &form,
        )
        .await;
        assert_eq!(outcomes(&r), json!(["queued"]));
        let window: chrono::DateTime<Utc> = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT window_start FROM sync_jobs WHERE connection_id = $1").bind(&conn).fetch_one(pool).await)
        .unwrap();
        assert!(
            window <= start - Duration::days(1) + Duration::seconds(1)
                && window >= start - Duration::days(1) - Duration::seconds(1),
            "the sync reaches back to a day before the measurement: {window}"
        );
        // Older data announced while that sync still waits: the waiting job reaches back to it.
        let older = Utc::now() - Duration::days(20);
        let form2 = format!(
            "userid=363&appli=4&startdate={}&enddate={}",
            older.timestamp(),
            older.timestamp() + 60
        );
        let r = post(
            &app,
            "/push/withings?token=withings-token",
            form_type,
            &[],
            &form2,
        )
        .await;
        assert_eq!(outcomes(&r), json!(["open"]));
        let widened: chrono::DateTime<Utc> = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT window_start FROM sync_jobs WHERE connection_id = $1").bind(&conn).fetch_one(pool).await)
        .unwrap();
        assert!(
            (widened - (older - Duration::days(1))).num_seconds().abs() <= 1,
            "{widened}"
        );
        let r = post(
            &app,
            "/push/withings?token=withings-token",
            form_type,
            &[],
            "appli=1",
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
);

crate::both_backends_with!(
    providers_without_push_answer_404,
    configure,
    |app: TestApp| async move {
        for path in ["/push/demo", "/push/nosuch"] {
            let r = post(&app, path, "application/json", &[], "{}").await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        }
        // WHOOP has no handshake.
        let r = app.api("GET", "/push/whoop", None, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

crate::both_backends!(
    oura_subscriptions_are_created_and_renewed_before_expiry,
    |app: TestApp| async move {
        use wiremock::matchers::{body_partial_json, header as has_header, method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let mock = MockServer::start().await;
        let base = url::Url::parse(&mock.uri()).unwrap();
        let mut config = (*app.state.config).clone();
        config.providers.clients.insert(
            "oura".into(),
            ProviderClient {
                client_id: Some("oura-app".into()),
                client_secret: Some(OURA_SECRET.into()),
                api_url: Some(base.clone()),
                push_token: Some("oura-verify".into()),
                ..Default::default()
            },
        );
        let engine = vitasync::connections::engine::Engine::new(
            app.db().clone(),
            config.keys.clone(),
            std::sync::Arc::new(vitasync::connections::registry::Registry::from_config(
                &config, &base,
            )),
        );
        let ours = "https://health.example.com/push/oura";
        let soon = (Utc::now() + Duration::days(2)).to_rfc3339();
        let later = (Utc::now() + Duration::days(60)).to_rfc3339();
        Mock::given(method("GET"))
            .and(path("/v2/webhook/subscription"))
            .and(has_header("x-client-id", "oura-app"))
            .and(has_header("x-client-secret", OURA_SECRET))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"id": "sub-sleep-update", "callback_url": ours, "event_type": "update",
                 "data_type": "sleep", "expiration_time": soon},
                {"id": "sub-sleep-create", "callback_url": ours, "event_type": "create",
                 "data_type": "sleep", "expiration_time": later},
                // Another server's subscription is left alone.
                {"id": "sub-elsewhere", "callback_url": "https://other.example.com/hook",
                 "event_type": "update", "data_type": "workout", "expiration_time": soon},
            ])))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("PUT"))
            .and(path("/v2/webhook/subscription/renew/sub-sleep-update"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"id": "sub-sleep-update",
                "callback_url": ours, "event_type": "update", "data_type": "sleep",
                "expiration_time": later}),
            ))
            .expect(1)
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/v2/webhook/subscription"))
            .and(body_partial_json(
                json!({"callback_url": ours, "verification_token": "oura-verify"}),
            ))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "new"})))
            .expect(10)
            .mount(&mock)
            .await;
        let done = vitasync::connections::push_subscriptions::maintain(
            &engine,
            "https://health.example.com",
        )
        .await;
        assert_eq!(
            done,
            vec![("oura".to_string(), Ok("10 created, 1 renewed".to_string()))]
        );
    }
);

crate::both_backends_with!(
    a_notice_recorded_but_never_handled_is_handled_on_retry,
    configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let conn = connect(&app, &ws, "whoop", "10129").await;
        // A crash right after recording a notice an hour ago; another one is being handled now.
        for (id, key, age) in [("r-stale", "t-stale", 60), ("r-fresh", "t-fresh", 1)] {
            with_db!(app.db(), pool => sqlx::query(
                "INSERT INTO provider_push_receipts (id, provider_id, notice_key, account_id, outcome, received_at) \
                 VALUES ($1, 'whoop', $2, '10129', 'received', $3)")
                .bind(id).bind(key).bind(Utc::now() - Duration::minutes(age))
                .execute(pool).await.map(|_| ()))
            .unwrap();
        }
        let event = |trace: &str| {
            json!({"user_id": 10129, "id": "w-1", "type": "workout.updated", "trace_id": trace})
                .to_string()
        };
        let stale = event("t-stale");
        let r = post(
            &app,
            "/push/whoop",
            "application/json",
            &whoop_headers(&stale, Utc::now(), WHOOP_SECRET),
            &stale,
        )
        .await;
        assert_eq!(outcomes(&r), json!(["queued"]), "the retry is handled");
        assert_eq!(jobs(&app).await, vec![conn]);
        let fresh = event("t-fresh");
        let r = post(
            &app,
            "/push/whoop",
            "application/json",
            &whoop_headers(&fresh, Utc::now(), WHOOP_SECRET),
            &fresh,
        )
        .await;
        assert_eq!(outcomes(&r), json!(["duplicate"]));
    }
);
