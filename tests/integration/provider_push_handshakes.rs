//! Push intake for the providers with a verification handshake: Strava (`hub.challenge`,
//! unsigned events, deauthorisation), Oura (verification token, signed events, subscriptions
//! created and renewed before they expire) and Withings (URL token, notifications syncing from
//! their own start); and `404` for providers without push.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use serde_json::json;
use vitasync::connections::repo;
use vitasync::platform::config::ProviderClient;
use vitasync::with_db;

use crate::harness::push::{
    configure, connect, finish_jobs, hmac, jobs, outcomes, post, OURA_SECRET,
};
use crate::harness::{provider_mock, TestApp};

/// The callback URL registered with Strava: it carries the push token.
const STRAVA: &str = "/push/strava?token=strava-verify";

crate::both_backends!(
    strava_handshake_and_events,
    with configure,
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
        // Strava does not sign events: the token in the registered callback URL admits them.
        for unsigned in ["/push/strava", "/push/strava?token=guess"] {
            let r = post(&app, unsigned, "application/json", &[], &event).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{unsigned}");
        }
        assert!(jobs(&app).await.is_empty(), "a forged event queues nothing");
        let oversized = json!({"aspect_type": "update", "event_time": 1764400000, "object_id": 1,
            "object_type": "activity", "owner_id": 134815, "subscription_id": 120475,
            "updates": {"title": "x".repeat(1024 * 1024)}})
        .to_string();
        let r = post(&app, STRAVA, "application/json", &[], &oversized).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        let r = post(&app, STRAVA, "application/json", &[], &event).await;
        assert_eq!(outcomes(&r), json!(["queued"]));
        finish_jobs(&app).await;
        let r = post(&app, STRAVA, "application/json", &[], &event).await;
        assert_eq!(outcomes(&r), json!(["duplicate"]));
        // The athlete revoked access: a sync (which finds the grant gone), never a disconnect
        // on the word of an unsigned message.
        let deauth = json!({"aspect_type": "update", "event_time": 1764400100, "object_id": 134815,
            "object_type": "athlete", "owner_id": 134815, "subscription_id": 120475,
            "updates": {"authorized": "false"}})
        .to_string();
        let r = post(&app, STRAVA, "application/json", &[], &deauth).await;
        assert_eq!(outcomes(&r), json!(["queued"]));
        assert_eq!(jobs(&app).await, vec![conn.clone(), conn.clone()]);
        let row = repo::get(app.db(), &conn).await.unwrap().unwrap();
        assert_eq!(row.status.as_str(), "active");
        let r = post(&app, STRAVA, "application/json", &[], "{\"owner_id\":")
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
);

crate::both_backends!(
    oura_verification_and_signed_events,
    with configure,
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

crate::both_backends!(
    withings_notifications_need_the_token_and_sync_from_their_start,
    with configure,
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

crate::both_backends!(
    providers_without_push_answer_404,
    with configure,
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
        let engine = provider_mock(&app, &mock, "oura", |base| ProviderClient {
            client_id: Some("oura-app".into()),
            client_secret: Some(OURA_SECRET.into()),
            api_url: Some(base.clone()),
            push_token: Some("oura-verify".into()),
            ..Default::default()
        })
        .engine;
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
