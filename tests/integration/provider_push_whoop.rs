//! WHOOP push intake (`/push/whoop`): signatures checked on the raw body (wrong key, tampered,
//! stale or missing refused, queuing nothing), one targeted sync per notification, replays
//! ignored, routing by WHOOP's user id, unknown and disconnected accounts answered 200 and
//! recorded, and a notice recorded but never handled is handled when WHOOP retries it.

use axum::http::StatusCode;
use base64::Engine as _;
use chrono::{Duration, Utc};
use serde_json::json;
use vitasync::connections::repo;
use vitasync::with_db;

use crate::harness::push::{
    configure, connect, finish_jobs, hmac, jobs, outcomes, post, receipts, WHOOP_SECRET,
};
use crate::harness::TestApp;

fn whoop_headers(body: &str, at: chrono::DateTime<Utc>, key: &str) -> Vec<(&'static str, String)> {
    let ts = at.timestamp_millis().to_string();
    let sig = base64::engine::general_purpose::STANDARD
        .encode(hmac(key, &[ts.as_bytes(), body.as_bytes()]));
    vec![
        ("x-whoop-signature", sig),
        ("x-whoop-signature-timestamp", ts),
    ]
}

crate::both_backends!(
    a_signed_whoop_event_queues_one_sync_and_a_replay_nothing,
    with configure,
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

crate::both_backends!(
    whoop_events_with_bad_signatures_are_refused_and_queue_nothing,
    with configure,
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

crate::both_backends!(
    notifications_route_by_provider_account_and_unknown_ones_are_recorded,
    with configure,
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

crate::both_backends!(
    a_notice_recorded_but_never_handled_is_handled_on_retry,
    with configure,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let conn = connect(&app, &ws, "whoop", "10129").await;
        // A crash right after recording a notice an hour ago; another one is being handled now.
        for (id, key, age) in [("r-stale", "t-stale", 60), ("r-fresh", "t-fresh", 1)] {
            with_db!(app.db(), pool => sqlx::query(
                "INSERT INTO provider_push_receipts (id, provider_id, notice_key, account_id, outcome, received_at) \
                 VALUES ($1, 'whoop', $2, '10129', 'received', $3)")
                .bind(id).bind(vitasync::platform::ids::sha256_hex(key)).bind(Utc::now() - Duration::minutes(age))
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
